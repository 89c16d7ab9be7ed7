//! OpenID Connect sign-in: sign-ins waiting for the provider's answer, and
//! the accounts tied to a national register number.

use crate::audit::{self, Change};
use crate::{Result, Store, StoreError, Tx, hash_secret, new_id, now_ms, unique_to_field};
use loket_domain::audit::Actor;
use loket_domain::ident::{Email, NationalNumber};
use loket_domain::people::{PersonName, Role};
use serde_json::json;
use sqlx::Row;

/// How long a sign-in may stay at the provider.
pub const PENDING_TTL_MS: i64 = 10 * 60 * 1000;

/// A sign-in sent to a provider: what its answer is checked against.
#[derive(Debug, Clone)]
pub struct Pending {
    /// `residents`.
    pub provider: String,
    /// `login` or `link` (tie the signed-in account to the number).
    pub purpose: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: String,
    /// For `link`: the account that asked.
    pub user_id: Option<String>,
}

/// Keeps a sign-in under the hash of the browser's cookie secret.
pub async fn insert_pending(store: &Store, secret: &str, p: &Pending) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO oidc_pending (id_hash, provider, purpose, state, nonce, pkce_verifier, next_path, user_id, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(hash_secret(secret))
    .bind(&p.provider)
    .bind(&p.purpose)
    .bind(&p.state)
    .bind(&p.nonce)
    .bind(&p.pkce_verifier)
    .bind(&p.next_path)
    .bind(p.user_id.clone())
    .bind(now)
    .bind(now + PENDING_TTL_MS)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Takes (and deletes) the live sign-in of this cookie secret at this
/// provider: a second answer to the same sign-in finds nothing.
pub async fn take_pending(store: &Store, secret: &str, provider: &str) -> Result<Option<Pending>> {
    let row = sqlx::query(
        "DELETE FROM oidc_pending WHERE id_hash = $1 AND provider = $2 AND expires_at > $3 \
         RETURNING provider, purpose, state, nonce, pkce_verifier, next_path, user_id",
    )
    .bind(hash_secret(secret))
    .bind(provider)
    .bind(now_ms())
    .fetch_optional(store.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Pending {
        provider: r.try_get("provider")?,
        purpose: r.try_get("purpose")?,
        state: r.try_get("state")?,
        nonce: r.try_get("nonce")?,
        pkce_verifier: r.try_get("pkce_verifier")?,
        next_path: r.try_get("next_path")?,
        user_id: r.try_get("user_id")?,
    }))
}

/// Removes sign-ins that never came back.
pub async fn purge(store: &Store, now: i64) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM oidc_pending WHERE expires_at <= $1")
            .bind(now)
            .execute(store.pool())
            .await?
            .rows_affected(),
    )
}

/// The account tied to a national register number, if any.
pub async fn user_by_national_number(
    store: &Store,
    nrn: &NationalNumber,
) -> Result<Option<String>> {
    let row = sqlx::query("SELECT user_id FROM resident_profiles WHERE national_number = $1")
        .bind(nrn.as_str())
        .fetch_optional(store.pool())
        .await?;
    Ok(row.map(|r| r.try_get("user_id")).transpose()?)
}

/// The national register number tied to an account, if any.
pub async fn national_number_of(store: &Store, user_id: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT national_number FROM resident_profiles WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(store.pool())
        .await?;
    Ok(row
        .map(|r| r.try_get::<Option<String>, _>("national_number"))
        .transpose()?
        .flatten())
}

/// Creates the resident account of a first e-ID sign-in, tied to its
/// number. The provider's e-mail address is kept to write to, but never
/// used to find an account: the account has no password and its sign-in
/// key is the number (`email_norm` is a placeholder). A number already
/// tied to an account is a conflict on `national_number`.
pub async fn create_eid_resident(
    tx: &mut Tx,
    name: &PersonName,
    email: Option<&Email>,
    nrn: &NationalNumber,
    locale: &str,
) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    let email_text = email.map(|e| e.as_str().to_owned()).unwrap_or_default();
    sqlx::query(
        "INSERT INTO users (id, email, email_norm, name, password_hash, locale, email_confirmed_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, '', $5, $6, $6, $6)",
    )
    .bind(&id)
    .bind(&email_text)
    .bind(format!("eid:{id}"))
    .bind(name.as_str())
    .bind(locale)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO user_roles (user_id, role, granted_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(Role::Resident.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    super::insert_name_keys(tx, &[(&id, name.as_str())]).await?;
    sqlx::query(
        "INSERT INTO resident_profiles (user_id, national_number, updated_at) VALUES ($1, $2, $3)",
    )
    .bind(&id)
    .bind(nrn.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|e| unique_to_field(e, "national_number", "nrn-taken"))?;
    audit::record(
        tx,
        &Actor::User(id.clone()),
        Change {
            action: "resident.create",
            record_type: "user",
            record_id: &id,
            subject_user_id: Some(&id),
            before: None,
            after: Some(
                json!({"name": name.as_str(), "email": email_text, "identified_by": "eid"}),
            ),
        },
    )
    .await?;
    Ok(id)
}

/// Ties a national register number to an account that has none (the
/// resident proved the account with its password and the number with the
/// provider). A number tied to another account, or an account tied to
/// another number, is a conflict on `national_number`.
pub async fn link_national_number(
    tx: &mut Tx,
    actor: &Actor,
    user_id: &str,
    nrn: &NationalNumber,
) -> Result<()> {
    let taken = sqlx::query("SELECT user_id FROM resident_profiles WHERE national_number = $1")
        .bind(nrn.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(r) = taken {
        let owner: String = r.try_get("user_id")?;
        if owner == user_id {
            return Ok(());
        }
        return Err(StoreError::Conflict(loket_domain::Invalid::one(
            "national_number",
            "oidc-nrn-other-account",
        )));
    }
    let now = now_ms();
    let changed = sqlx::query(
        "INSERT INTO resident_profiles (user_id, national_number, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET national_number = $2, updated_at = $3 \
         WHERE resident_profiles.national_number IS NULL",
    )
    .bind(user_id)
    .bind(nrn.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|e| unique_to_field(e, "national_number", "oidc-nrn-other-account"))?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::Conflict(loket_domain::Invalid::one(
            "national_number",
            "oidc-account-other-nrn",
        )));
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "user.link_eid",
            record_type: "user",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({"national_number": "linked"})),
        },
    )
    .await?;
    Ok(())
}

/// A vaccination invitation kept under a national register number, as its
/// resident sees it.
#[derive(Debug, Clone)]
pub struct InvitationByNumber {
    pub campaign: String,
    pub code: String,
    pub status: String,
}

/// The vaccination invitations kept under this number (newest campaign
/// first, at most `limit`).
pub async fn invitations_of_number(
    store: &Store,
    nrn: &str,
    limit: i64,
) -> Result<Vec<InvitationByNumber>> {
    let rows = sqlx::query(
        "SELECT c.name AS campaign, i.code, i.status FROM vac_invitations i \
         JOIN vac_campaigns c ON c.id = i.campaign_id \
         WHERE i.national_number = $1 ORDER BY i.created_at DESC, i.id LIMIT $2",
    )
    .bind(nrn)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(InvitationByNumber {
                campaign: r.try_get("campaign")?,
                code: r.try_get("code")?,
                status: r.try_get("status")?,
            })
        })
        .collect()
}

// ---- staff single sign-on ----

/// The group → role mappings of the staff directory.
pub async fn staff_role_mappings(store: &Store) -> Result<Vec<(String, Role)>> {
    let rows =
        sqlx::query("SELECT group_name, role FROM oidc_staff_roles ORDER BY group_name, role")
            .fetch_all(store.pool())
            .await?;
    let mut out = Vec::new();
    for r in rows {
        let group: String = r.try_get("group_name")?;
        let role: String = r.try_get("role")?;
        if let Ok(role) = Role::parse(&role) {
            out.push((group, role));
        }
    }
    Ok(out)
}

/// Sets the roles a directory group gives (none: the group gives nothing).
pub async fn set_staff_group(
    tx: &mut Tx,
    actor: &Actor,
    group: &str,
    roles: &[Role],
) -> Result<()> {
    sqlx::query("DELETE FROM oidc_staff_roles WHERE group_name = $1")
        .bind(group)
        .execute(&mut **tx)
        .await?;
    for role in roles {
        sqlx::query("INSERT INTO oidc_staff_roles (group_name, role) VALUES ($1, $2)")
            .bind(group)
            .bind(role.as_str())
            .execute(&mut **tx)
            .await?;
    }
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    audit::record(
        tx,
        actor,
        Change {
            action: "oidc_staff_roles.set",
            record_type: "oidc_staff_group",
            record_id: group,
            subject_user_id: None,
            before: None,
            after: Some(json!({ "roles": names })),
        },
    )
    .await?;
    Ok(())
}

/// The account a directory identity (issuer, subject) signed in to before.
pub async fn user_by_subject(store: &Store, issuer: &str, subject: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT user_id FROM oidc_identities WHERE issuer = $1 AND subject = $2")
        .bind(issuer)
        .bind(subject)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.map(|r| r.try_get("user_id")).transpose()?)
}

/// Ties a directory identity to an account (audited).
pub async fn add_identity(tx: &mut Tx, issuer: &str, subject: &str, user_id: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO oidc_identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(issuer)
    .bind(subject)
    .bind(user_id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        &Actor::System,
        Change {
            action: "user.link_directory",
            record_type: "user",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({ "issuer": issuer, "subject": subject })),
        },
    )
    .await?;
    Ok(())
}
