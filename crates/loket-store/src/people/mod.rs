//! Residents and staff: accounts, roles, sessions, API tokens, e-mail links
//! and failed logins.

use crate::audit::{self, Change};
use crate::paging::{self, Order};
use crate::{
    Result, Store, StoreError, Tx, hash_secret, new_id, new_secret, now_ms, unique_to_field,
};
use loket_domain::audit::Actor;
use loket_domain::ident::Email;
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};
use loket_domain::people::{PersonName, Role, Roles, Scopes};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::HashMap;

pub mod departments;
pub mod oidc;
pub mod totp;

/// An account, with its roles.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub locale: String,
    pub email_confirmed_at: Option<i64>,
    pub disabled_at: Option<i64>,
    /// Why the account was disabled (empty while it is not).
    pub disabled_reason: String,
    pub created_at: i64,
    pub roles: Roles,
}

impl User {
    pub fn is_confirmed(&self) -> bool {
        self.email_confirmed_at.is_some()
    }
}

/// What is needed to create an account.
pub struct NewUser<'a> {
    pub email: &'a Email,
    pub name: &'a PersonName,
    /// An Argon2id PHC string, or empty for "no password set yet".
    pub password_hash: &'a str,
    pub roles: &'a [Role],
    pub locale: &'a str,
    pub confirmed: bool,
}

fn parse_roles(list: &[String]) -> Roles {
    Roles::new(list.iter().filter_map(|r| Role::parse(r).ok()).collect())
}

/// Creates an account. A taken e-mail address is a field error on `email`.
pub async fn create_user(tx: &mut Tx, actor: &Actor, new: NewUser<'_>) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO users (id, email, email_norm, name, password_hash, locale, email_confirmed_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(new.email.as_str())
    .bind(new.email.as_str().to_lowercase())
    .bind(new.name.as_str())
    .bind(new.password_hash)
    .bind(new.locale)
    .bind(new.confirmed.then_some(now))
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|e| unique_to_field(e, "email", "email-taken"))?;
    let roles = Roles::new(new.roles.to_vec());
    for role in roles.iter() {
        insert_role(tx, &id, role, now).await?;
    }
    // After the roles: the keys carry the resident mark.
    insert_name_keys(tx, &[(&id, new.name.as_str())]).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "user.create",
            record_type: "user",
            record_id: &id,
            subject_user_id: Some(&id),
            before: None,
            after: Some(
                json!({"email": new.email.as_str(), "name": new.name.as_str(),
                               "roles": roles, "confirmed": new.confirmed}),
            ),
        },
    )
    .await?;
    Ok(id)
}

async fn insert_role(tx: &mut Tx, user_id: &str, role: Role, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO user_roles (user_id, role, granted_at) VALUES ($1, $2, $3)")
        .bind(user_id)
        .bind(role.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn decode_user(r: &sqlx::any::AnyRow, roles: Roles) -> Result<User> {
    Ok(User {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        password_hash: r.try_get("password_hash")?,
        locale: r.try_get("locale")?,
        email_confirmed_at: r.try_get("email_confirmed_at")?,
        disabled_at: r.try_get("disabled_at")?,
        disabled_reason: r.try_get("disabled_reason")?,
        created_at: r.try_get("created_at")?,
        roles,
    })
}

/// The roles of an account read as one row per role (`LEFT JOIN
/// user_roles r`, column `role`; NULL when it has none).
fn roles_of_rows(rows: &[sqlx::any::AnyRow]) -> Result<Roles> {
    let names = rows
        .iter()
        .map(|r| r.try_get::<Option<String>, _>("role"))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    Ok(parse_roles(&names))
}

/// An account joined with its role rows: one row per role (one row with a
/// NULL role when it has none).
const USER_WITH_ROLES: &str = "SELECT u.id, u.email, u.name, u.password_hash, u.locale, u.email_confirmed_at, \
     u.disabled_at, u.disabled_reason, u.created_at, r.role FROM users u LEFT JOIN user_roles r ON r.user_id = u.id";

async fn user_where(store: &Store, condition: &'static str, value: &str) -> Result<Option<User>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{USER_WITH_ROLES} WHERE {condition}"
    )))
    .bind(value)
    .fetch_all(store.pool())
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(decode_user(first, roles_of_rows(&rows)?)?))
}

/// An account with its roles, in one query (every request reads its
/// actor this way).
pub async fn get_user(store: &Store, id: &str) -> Result<Option<User>> {
    user_where(store, "u.id = $1", id).await
}

/// Finds an account by e-mail address, ignoring case, with its roles, in
/// one query (counter staff book for a resident by e-mail).
pub async fn find_by_email(store: &Store, email: &str) -> Result<Option<User>> {
    user_where(store, "u.email_norm = $1", &email.trim().to_lowercase()).await
}

/// The names of accounts by id, in one query for all of them (a list that
/// names the residents of its rows). An id with no account is left out.
pub async fn names_of(store: &Store, ids: &[String]) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for part in ids.chunks(500) {
        let q = crate::keyed("SELECT id, name FROM users WHERE id IN {in}", &[], part);
        for r in q.fetch_all(store.pool()).await? {
            out.insert(r.try_get("id")?, r.try_get("name")?);
        }
    }
    Ok(out)
}

/// Accounts by e-mail address, ignoring case, with their roles, in one
/// query for all of them (the batched reads of a booking rush). The answer
/// is keyed by the address as normalised (trimmed, lower case); an address
/// with no account is left out.
pub async fn find_by_emails(store: &Store, emails: &[String]) -> Result<HashMap<String, User>> {
    let mut out = HashMap::new();
    let wanted: Vec<String> = emails.iter().map(|e| e.trim().to_lowercase()).collect();
    if wanted.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT u.email_norm, {} WHERE u.email_norm IN {{in}} ORDER BY u.email_norm",
        USER_WITH_ROLES.trim_start_matches("SELECT "),
    );
    let rows = crate::keyed(&sql, &[], &wanted)
        .fetch_all(store.pool())
        .await?;
    for (email, group) in crate::grouped(rows, "email_norm")? {
        let Some(first) = group.first() else { continue };
        out.insert(email, decode_user(first, roles_of_rows(&group)?)?);
    }
    Ok(out)
}

/// Every account, with roles, newest first (two queries, no N+1).
pub async fn list_users(store: &Store, limit: i64) -> Result<Vec<User>> {
    let rows = sqlx::query(
        "SELECT id, email, name, password_hash, locale, email_confirmed_at, disabled_at, disabled_reason, created_at \
         FROM users ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let role_rows = sqlx::query("SELECT user_id, role FROM user_roles")
        .fetch_all(store.pool())
        .await?;
    let mut by_user: HashMap<String, Vec<String>> = HashMap::new();
    for r in &role_rows {
        by_user
            .entry(r.try_get("user_id")?)
            .or_default()
            .push(r.try_get("role")?);
    }
    rows.iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            let roles = parse_roles(by_user.get(&id).map(Vec::as_slice).unwrap_or(&[]));
            decode_user(r, roles)
        })
        .collect()
}

/// The staff list's cursors: keyset on (created_at, id), newest first.
pub const STAFF_PAGING: Spec = Spec {
    list: "people.staff",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// Staff accounts: those with a role other than `resident` (written as two
/// ranges so the (role, user_id) index serves it).
const STAFF_WHERE: &str =
    "id IN (SELECT user_id FROM user_roles WHERE role < 'resident' OR role > 'resident')";

/// One page of staff accounts, with their roles, newest first (two queries).
pub async fn staff_page(store: &Store, pq: &PageQuery) -> Result<Page<User>> {
    let mut page = paging::Select::new(
        format!(
            "SELECT id, email, name, password_hash, locale, email_confirmed_at, disabled_at, disabled_reason, created_at \
             FROM users WHERE {STAFF_WHERE}"
        ),
        &["created_at", "id"],
        Order::Desc,
    )
    .page(
        store,
        pq,
        &STAFF_PAGING,
        |r| decode_user(r, parse_roles(&[])),
        |u| vec![Key::from(u.created_at), Key::from(u.id.as_str())],
    )
    .await?;
    // The roles of the page's accounts: the second query.
    if !page.items.is_empty() {
        let params = (1..=page.items.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT user_id, role FROM user_roles WHERE user_id IN ({params})"
        )));
        for u in &page.items {
            q = q.bind(u.id.clone());
        }
        let mut by_user: HashMap<String, Vec<String>> = HashMap::new();
        for r in q.fetch_all(store.pool()).await? {
            by_user
                .entry(r.try_get("user_id")?)
                .or_default()
                .push(r.try_get("role")?);
        }
        for u in &mut page.items {
            u.roles = parse_roles(by_user.get(&u.id).map(Vec::as_slice).unwrap_or(&[]));
        }
    }
    Ok(page)
}

/// How many staff accounts [`staff_page`] pages through, up to `cap`.
pub async fn staff_total(store: &Store, cap: i64) -> Result<Total> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM users WHERE {STAFF_WHERE} LIMIT $1) t"
    )))
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// How many accounts are residents only (no staff role), up to `cap`.
pub async fn residents_total(store: &Store, cap: i64) -> Result<Total> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM users WHERE NOT {STAFF_WHERE} LIMIT $1) t"
    )))
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// Replaces an account's roles.
pub async fn set_roles(tx: &mut Tx, actor: &Actor, user_id: &str, roles: &[Role]) -> Result<()> {
    let before_rows = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(&mut **tx)
        .await?;
    let before = parse_roles(
        &before_rows
            .iter()
            .map(|r| r.try_get::<String, _>("role"))
            .collect::<Result<Vec<_>, _>>()?,
    );
    let exists = sqlx::query("SELECT id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound);
    }
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    let after = Roles::new(roles.to_vec());
    let now = now_ms();
    for role in after.iter() {
        insert_role(tx, user_id, role, now).await?;
    }
    mark_search_roles(tx, user_id).await?;
    // A role taken away ends every session of the person: a page open
    // with the old rights must not keep them.
    let removed = before.iter().any(|r| !after.has(r));
    let ended = if removed {
        end_sessions(tx, user_id).await?
    } else {
        0
    };
    audit::record(
        tx,
        actor,
        Change {
            action: "user.roles",
            record_type: "user",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: Some(json!({ "roles": before })),
            after: Some(json!({ "roles": after, "sessions_ended": ended })),
        },
    )
    .await
}

/// Ends every session of this user; returns how many there were.
pub async fn end_sessions(conn: &mut sqlx::AnyConnection, user_id: &str) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 OR pending_user_id = $1")
            .bind(user_id)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// Disables an account with a reason: from this moment its sessions end and
/// its API tokens stop working (every request checks `disabled_at`). The
/// tokens are revoked too, so enabling the account again does not bring
/// them back. Disabling a disabled account is a conflict.
pub async fn disable_user(
    tx: &mut Tx,
    actor: &Actor,
    user_id: &str,
    reason: &str,
    at_ms: i64,
) -> Result<()> {
    let n = sqlx::query(
        "UPDATE users SET disabled_at = $1, disabled_reason = $2, updated_at = $1 \
         WHERE id = $3 AND disabled_at IS NULL",
    )
    .bind(at_ms)
    .bind(reason)
    .bind(user_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        let exists = sqlx::query("SELECT id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
        return Err(match exists {
            None => StoreError::NotFound,
            Some(_) => StoreError::Conflict(loket_domain::Invalid::one(
                "reason",
                "account-already-disabled",
            )),
        });
    }
    let sessions = end_sessions(tx, user_id).await?;
    let tokens = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(at_ms)
    .bind(user_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    audit::record(
        tx,
        actor,
        Change {
            action: "user.disable",
            record_type: "user",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: Some(json!({ "disabled": false })),
            after: Some(json!({ "disabled": true, "reason": reason,
                                "sessions_ended": sessions, "tokens_revoked": tokens })),
        },
    )
    .await
}

/// Enables a disabled account again (with a reason, audited). Its old
/// tokens stay revoked; sessions start with the next sign-in.
pub async fn enable_user(tx: &mut Tx, actor: &Actor, user_id: &str, reason: &str) -> Result<()> {
    let row = sqlx::query(
        "UPDATE users SET disabled_at = NULL, disabled_reason = '', updated_at = $1 \
         WHERE id = $2 AND disabled_at IS NOT NULL AND erased_at IS NULL RETURNING id",
    )
    .bind(now_ms())
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    if row.is_none() {
        let exists = sqlx::query("SELECT id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
        return Err(match exists {
            None => StoreError::NotFound,
            Some(_) => {
                StoreError::Conflict(loket_domain::Invalid::one("reason", "account-not-disabled"))
            }
        });
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "user.enable",
            record_type: "user",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: Some(json!({ "disabled": true })),
            after: Some(json!({ "disabled": false, "reason": reason })),
        },
    )
    .await
}

/// Sets a new password hash and ends every session of the account.
pub async fn set_password(
    tx: &mut Tx,
    actor: &Actor,
    user_id: &str,
    password_hash: &str,
) -> Result<()> {
    let n = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    end_sessions(tx, user_id).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "user.password",
            record_type: "user",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({ "password": "changed", "sessions": "ended" })),
        },
    )
    .await
}

/// Marks the e-mail address as confirmed (idempotent).
pub async fn confirm_email(tx: &mut Tx, actor: &Actor, user_id: &str) -> Result<()> {
    let n = sqlx::query(
        "UPDATE users SET email_confirmed_at = $1, updated_at = $1 WHERE id = $2 AND email_confirmed_at IS NULL",
    )
    .bind(now_ms())
    .bind(user_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n > 0 {
        audit::record(
            tx,
            actor,
            Change {
                action: "user.confirm_email",
                record_type: "user",
                record_id: user_id,
                subject_user_id: Some(user_id),
                before: Some(json!({ "confirmed": false })),
                after: Some(json!({ "confirmed": true })),
            },
        )
        .await?;
    }
    Ok(())
}

/// Sets the preferred language of an account.
pub async fn set_locale(tx: &mut Tx, actor: &Actor, user_id: &str, locale: &str) -> Result<()> {
    sqlx::query("UPDATE users SET locale = $1, updated_at = $2 WHERE id = $3")
        .bind(locale)
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "user.locale",
            record_type: "user",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({ "locale": locale })),
        },
    )
    .await
}

// ---- e-mail links (confirmation, password reset) ----

/// What an e-mail link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    Confirm,
    Reset,
}

impl LinkPurpose {
    fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Confirm => "confirm",
            LinkPurpose::Reset => "reset",
        }
    }
}

/// Creates a single-use link secret valid for `ttl_ms`; only its hash is kept.
pub async fn create_link(
    tx: &mut Tx,
    user_id: &str,
    purpose: LinkPurpose,
    ttl_ms: i64,
) -> Result<String> {
    let secret = new_secret();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO email_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash_secret(&secret))
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(now)
    .bind(now + ttl_ms)
    .execute(&mut **tx)
    .await?;
    Ok(secret)
}

/// Uses a link: atomically marks it used and returns its account, or `None`
/// when it is unknown, expired or already used.
pub async fn use_link(tx: &mut Tx, secret: &str, purpose: LinkPurpose) -> Result<Option<String>> {
    let now = now_ms();
    let row = sqlx::query(
        "UPDATE email_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 \
         AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
    )
    .bind(now)
    .bind(hash_secret(secret))
    .bind(purpose.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| r.try_get("user_id")).transpose()?)
}

/// Whether a link is still usable, without using it (to show the reset form).
pub async fn link_is_valid(store: &Store, secret: &str, purpose: LinkPurpose) -> Result<bool> {
    let row = sqlx::query(
        "SELECT user_id FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(hash_secret(secret))
    .bind(purpose.as_str())
    .bind(now_ms())
    .fetch_optional(store.pool())
    .await?;
    Ok(row.is_some())
}

/// A single-use e-mail link's expiry (unix ms), if it is still usable at
/// `now` (not used, not expired); `None` for a used, expired or unknown one.
pub async fn live_link_expiry(store: &Store, secret: &str, now: i64) -> Result<Option<i64>> {
    let row = sqlx::query(
        "SELECT expires_at FROM email_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(hash_secret(secret))
    .bind(now)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|r| r.try_get("expires_at")).transpose()?)
}

// ---- sessions ----

/// A server-side session. Anonymous sessions (no user) carry the CSRF token
/// and language for the login and registration forms.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: Option<String>,
    pub csrf_token: String,
    pub locale: Option<String>,
    pub expires_at: i64,
    pub last_seen_at: i64,
    /// How the person was identified: `password` or `eid`.
    pub identified_by: String,
    /// With a provider: which (`residents`) and the ID token it gave.
    pub oidc_provider: Option<String>,
    pub id_token: Option<String>,
    /// Half signed in: the password of this account was right, its second
    /// factor is still to come (`user_id` is `None` meanwhile).
    pub pending_user_id: Option<String>,
}

/// How a session's person was identified.
#[derive(Debug, Clone, Default)]
pub struct Identified {
    /// `password` (the default) or `eid`.
    pub by: &'static str,
    pub oidc_provider: Option<String>,
    pub id_token: Option<String>,
}

/// Creates a session and returns its secret id (the cookie value).
pub async fn create_session(
    store: &Store,
    user_id: Option<&str>,
    locale: Option<&str>,
    ip: &str,
    user_agent: &str,
    ttl_ms: i64,
    how: &Identified,
) -> Result<(String, Session)> {
    let by = if how.by.is_empty() {
        "password"
    } else {
        how.by
    };
    let secret = new_secret();
    let now = now_ms();
    let csrf = new_secret();
    let ua: String = user_agent.chars().take(300).collect();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, locale, created_at, last_seen_at, expires_at, ip, user_agent, \
         identified_by, oidc_provider, id_token) VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(hash_secret(&secret))
    .bind(user_id.map(str::to_owned))
    .bind(&csrf)
    .bind(locale.map(str::to_owned))
    .bind(now)
    .bind(now + ttl_ms)
    .bind(ip)
    .bind(ua)
    .bind(by)
    .bind(how.oidc_provider.clone())
    .bind(how.id_token.clone())
    .execute(store.pool())
    .await?;
    Ok((
        secret,
        Session {
            user_id: user_id.map(str::to_owned),
            csrf_token: csrf,
            locale: locale.map(str::to_owned),
            expires_at: now + ttl_ms,
            last_seen_at: now,
            identified_by: by.to_owned(),
            oidc_provider: how.oidc_provider.clone(),
            id_token: how.id_token.clone(),
            pending_user_id: None,
        },
    ))
}

/// Creates a half-signed-in session: the password of `user_id` was right,
/// its second factor is still to come. The session belongs to nobody
/// (`user_id` NULL) until [`create_session`] replaces it.
pub async fn create_half_session(
    store: &Store,
    pending_user_id: &str,
    locale: Option<&str>,
    ip: &str,
    user_agent: &str,
    ttl_ms: i64,
) -> Result<(String, Session)> {
    let secret = new_secret();
    let now = now_ms();
    let csrf = new_secret();
    let ua: String = user_agent.chars().take(300).collect();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, locale, created_at, last_seen_at, expires_at, ip, user_agent, \
         identified_by, pending_user_id) VALUES ($1, NULL, $2, $3, $4, $4, $5, $6, $7, 'password', $8)",
    )
    .bind(hash_secret(&secret))
    .bind(&csrf)
    .bind(locale.map(str::to_owned))
    .bind(now)
    .bind(now + ttl_ms)
    .bind(ip)
    .bind(ua)
    .bind(pending_user_id)
    .execute(store.pool())
    .await?;
    Ok((
        secret,
        Session {
            user_id: None,
            csrf_token: csrf,
            locale: locale.map(str::to_owned),
            expires_at: now + ttl_ms,
            last_seen_at: now,
            identified_by: "password".to_owned(),
            oidc_provider: None,
            id_token: None,
            pending_user_id: Some(pending_user_id.to_owned()),
        },
    ))
}

/// A live session read with its person.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub session: Session,
    /// When the session began (its absolute lifetime counts from here).
    pub created_at: i64,
    /// The account of `user_id`, or else of `pending_user_id`, with its
    /// roles; `None` when the session has neither (or the row is gone).
    pub person: Option<User>,
}

/// Live sessions by the hashes of their secrets ([`hash_secret`]): each
/// unexpired (idle `ttl_ms`, extended by use, see [`slide_session`]) and
/// younger than `max_age_ms` (the absolute lifetime, never extended), with
/// its person, in one query for all of them (every page request
/// reads its session and person; the batched reads of a rush share it).
/// A session whose account, or half-signed-in account, is disabled is not
/// live. The expiry is not slid forward here: see [`slide_session`].
pub async fn load_sessions(
    store: &Store,
    hashes: &[String],
    max_age_ms: i64,
) -> Result<HashMap<String, LiveSession>> {
    let mut out = HashMap::new();
    if hashes.is_empty() {
        return Ok(out);
    }
    let now = now_ms();
    let sql = "SELECT s.id_hash, s.user_id, s.csrf_token, s.locale AS session_locale, s.expires_at, \
         s.last_seen_at, s.created_at AS session_created_at, s.identified_by, s.oidc_provider, \
         s.id_token, s.pending_user_id, \
         x.id, x.email, x.name, x.password_hash, x.locale, x.email_confirmed_at, x.disabled_at, \
         x.disabled_reason, x.created_at, r.role \
         FROM sessions s \
         LEFT JOIN users u ON u.id = s.user_id \
         LEFT JOIN users p ON p.id = s.pending_user_id \
         LEFT JOIN users x ON x.id = COALESCE(s.user_id, s.pending_user_id) \
         LEFT JOIN user_roles r ON r.user_id = x.id \
         WHERE s.id_hash IN {in} AND s.expires_at > $1 AND s.created_at > $2 \
         AND (s.user_id IS NULL OR u.disabled_at IS NULL) \
         AND (s.pending_user_id IS NULL OR p.disabled_at IS NULL) \
         ORDER BY s.id_hash";
    let rows = crate::keyed(sql, &[now, now - max_age_ms], hashes)
        .fetch_all(store.pool())
        .await?;
    for (hash, group) in crate::grouped(rows, "id_hash")? {
        let Some(r) = group.first() else { continue };
        let person = match r.try_get::<Option<String>, _>("id")? {
            Some(_) => Some(decode_user(r, roles_of_rows(&group)?)?),
            None => None,
        };
        out.insert(
            hash,
            LiveSession {
                session: Session {
                    user_id: r.try_get("user_id")?,
                    csrf_token: r.try_get("csrf_token")?,
                    locale: r.try_get("session_locale")?,
                    expires_at: r.try_get("expires_at")?,
                    last_seen_at: r.try_get("last_seen_at")?,
                    identified_by: r.try_get("identified_by")?,
                    oidc_provider: r.try_get("oidc_provider")?,
                    id_token: r.try_get("id_token")?,
                    pending_user_id: r.try_get("pending_user_id")?,
                },
                created_at: r.try_get("session_created_at")?,
                person,
            },
        );
    }
    Ok(out)
}

/// Slides a live session's expiry forward by `ttl_ms` (never past its
/// absolute lifetime), written only when it was last seen more than a
/// minute ago.
pub async fn slide_session(
    store: &Store,
    hash: &str,
    mut live: LiveSession,
    ttl_ms: i64,
    max_age_ms: i64,
) -> Result<LiveSession> {
    let now = now_ms();
    if now - live.session.last_seen_at > 60_000 {
        let expires = (now + ttl_ms).min(live.created_at.saturating_add(max_age_ms));
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id_hash = $3")
            .bind(now)
            .bind(expires)
            .bind(hash)
            .execute(store.pool())
            .await?;
        live.session.last_seen_at = now;
        live.session.expires_at = expires;
    }
    Ok(live)
}

pub async fn set_session_locale(store: &Store, secret: &str, locale: &str) -> Result<()> {
    sqlx::query("UPDATE sessions SET locale = $1 WHERE id_hash = $2")
        .bind(locale)
        .bind(hash_secret(secret))
        .execute(store.pool())
        .await?;
    Ok(())
}

pub async fn delete_session(store: &Store, secret: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(hash_secret(secret))
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Removes expired sessions, old login failures, used or expired links,
/// unconfirmed reserve-list sign-ups and ended rate-limit windows.
pub async fn purge_expired(store: &Store, login_failure_ms: i64) -> Result<u64> {
    let now = now_ms();
    let mut n = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(store.pool())
        .await?
        .rows_affected();
    n += sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(now - login_failure_ms)
        .execute(store.pool())
        .await?
        .rows_affected();
    n += sqlx::query("DELETE FROM email_tokens WHERE expires_at < $1")
        .bind(now - 7 * 24 * 3600 * 1000)
        .execute(store.pool())
        .await?
        .rows_affected();
    n += sqlx::query("DELETE FROM vac_reserve_pending WHERE expires_at < $1")
        .bind(now)
        .execute(store.pool())
        .await?
        .rows_affected();
    n += oidc::purge(store, now).await?;
    n += crate::limits::purge(store, now).await?;
    Ok(n)
}

// ---- the demo's accounts ----

/// Records the accounts a demo seed just created (those with its password
/// hash, which is salted anew on every run).
pub async fn record_demo_accounts(store: &Store, password_hash: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO demo_accounts (user_id) SELECT id FROM users WHERE password_hash = $1 \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(password_hash)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Records accounts the demo seed made without its password (generated
/// residents, a resident registered at the counter), so that `loket demo`
/// starts again on its own database.
pub async fn record_demo_users(store: &Store, ids: &[String]) -> Result<()> {
    let mut tx = store.begin().await?;
    for id in ids {
        sqlx::query(
            "INSERT INTO demo_accounts (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Accounts the demo did not create: how many, and one address.
pub async fn foreign_accounts(store: &Store) -> Result<(i64, Option<String>)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(email) AS email FROM users \
         WHERE id NOT IN (SELECT user_id FROM demo_accounts)",
    )
    .fetch_one(store.pool())
    .await?;
    Ok((row.try_get("n")?, row.try_get("email")?))
}

/// The distinct password hashes of the demo's accounts (recorded, or with
/// one of `emails`), each with one address that has it.
pub async fn demo_password_hashes(store: &Store, emails: &[&str]) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    let recorded = sqlx::query(
        "SELECT u.password_hash, MIN(u.email) AS email FROM users u JOIN demo_accounts d ON d.user_id = u.id \
         WHERE u.password_hash <> '' AND u.disabled_at IS NULL GROUP BY u.password_hash",
    )
    .fetch_all(store.pool())
    .await?;
    for r in &recorded {
        out.push((r.try_get("password_hash")?, r.try_get("email")?));
    }
    for e in emails {
        if let Some(u) = find_by_email(store, e).await?
            && !u.password_hash.is_empty()
            && u.disabled_at.is_none()
            && !out.iter().any(|(h, _)| *h == u.password_hash)
        {
            out.push((u.password_hash, u.email));
        }
    }
    Ok(out)
}

// ---- failed logins ----

pub async fn record_login_failure(store: &Store, email: &str, ip: &str) -> Result<()> {
    sqlx::query("INSERT INTO login_failures (id, email_norm, ip, at) VALUES ($1, $2, $3, $4)")
        .bind(new_id())
        .bind(email.trim().to_lowercase())
        .bind(ip)
        .bind(now_ms())
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Failed logins: from this IP address since `ip_since_ms`, and for this
/// account from this address since `pair_since_ms`, with the last one's
/// time.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoginFailures {
    pub by_ip: i64,
    pub by_pair: i64,
    pub last_pair_at: Option<i64>,
}

pub async fn login_failures(
    store: &Store,
    email: &str,
    ip: &str,
    ip_since_ms: i64,
    pair_since_ms: i64,
) -> Result<LoginFailures> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM login_failures WHERE ip = $2 AND at > $3) AS by_ip, \
                (SELECT COUNT(*) FROM login_failures WHERE email_norm = $1 AND ip = $2 AND at > $4) AS by_pair, \
                (SELECT MAX(at) FROM login_failures WHERE email_norm = $1 AND ip = $2 AND at > $4) AS last_at",
    )
    .bind(email.trim().to_lowercase())
    .bind(ip)
    .bind(ip_since_ms)
    .bind(pair_since_ms)
    .fetch_one(store.pool())
    .await?;
    Ok(LoginFailures {
        by_ip: row.try_get("by_ip")?,
        by_pair: row.try_get("by_pair")?,
        last_pair_at: row.try_get("last_at")?,
    })
}

/// A successful sign-in forgets the account's failures from that address.
pub async fn clear_login_failures(store: &Store, email: &str, ip: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE email_norm = $1 AND ip = $2")
        .bind(email.trim().to_lowercase())
        .bind(ip)
        .execute(store.pool())
        .await?;
    Ok(())
}

// ---- API tokens ----

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: String,
    pub user_id: String,
    pub user_email: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// Unix ms; the token is refused from then on.
    pub expires_at: i64,
    /// The stored form of its scopes (`*` or `cases:read …`).
    pub scopes: String,
}

/// A new token: its owner, label, lifetime and scopes.
pub struct NewToken<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
    pub days: i64,
    pub scopes: &'a Scopes,
}

/// Creates an API token for a user; returns (token id, secret). The secret is
/// shown once and stored only as a hash.
pub async fn create_token(tx: &mut Tx, actor: &Actor, t: NewToken<'_>) -> Result<(String, String)> {
    let id = new_id();
    let secret = format!("lkt_{}", new_secret());
    let now = now_ms();
    let expires_at = now + t.days * 24 * 3600 * 1000;
    let scopes = t.scopes.to_stored();
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at, scopes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(t.user_id)
    .bind(t.name)
    .bind(hash_secret(&secret))
    .bind(now)
    .bind(expires_at)
    .bind(&scopes)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "token.create",
            record_type: "api_token",
            record_id: &id,
            subject_user_id: Some(t.user_id),
            before: None,
            after: Some(json!({ "name": t.name, "expires_at": expires_at, "scopes": scopes })),
        },
    )
    .await?;
    Ok((id, secret))
}

/// Revokes a token. Revoking twice is refused as not found.
pub async fn revoke_token(tx: &mut Tx, actor: &Actor, token_id: &str) -> Result<()> {
    let row = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING user_id, name",
    )
    .bind(now_ms())
    .bind(token_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = row else {
        return Err(StoreError::NotFound);
    };
    let user_id: String = r.try_get("user_id")?;
    let name: String = r.try_get("name")?;
    audit::record(
        tx,
        actor,
        Change {
            action: "token.revoke",
            record_type: "api_token",
            record_id: token_id,
            subject_user_id: Some(&user_id),
            before: Some(json!({ "name": name, "revoked": false })),
            after: Some(json!({ "revoked": true })),
        },
    )
    .await
}

/// How stale a token's `last_used_at` may get: an API request records its
/// use only when the stored time is older than this, so a busy client
/// writes once a minute instead of on every request (on SQLite every write
/// takes the database's one write lock).
pub const TOKEN_TOUCH_MS: i64 = 60_000;

/// The account and scopes of a live API token (not revoked, not expired,
/// its account enabled), in one read: the token, the account and its roles
/// joined. Its last use is written only when older than
/// [`TOKEN_TOUCH_MS`].
pub async fn authenticate_token(store: &Store, secret: &str) -> Result<Option<(User, Scopes)>> {
    let hash = hash_secret(secret);
    let mut found = authenticate_tokens(store, std::slice::from_ref(&hash)).await?;
    Ok(found.remove(&hash))
}

/// [`authenticate_token`] for many tokens at once, by their hashes
/// ([`hash_secret`]): one read for all of them, and one write for those
/// whose last use is older than [`TOKEN_TOUCH_MS`]. A hash that is not a
/// live token is left out of the answer.
pub async fn authenticate_tokens(
    store: &Store,
    hashes: &[String],
) -> Result<HashMap<String, (User, Scopes)>> {
    let mut out = HashMap::new();
    if hashes.is_empty() {
        return Ok(out);
    }
    let now = now_ms();
    let sql = "SELECT t.token_hash, t.scopes, t.last_used_at, u.id, u.email, u.name, u.password_hash, u.locale, \
         u.email_confirmed_at, u.disabled_at, u.disabled_reason, u.created_at, r.role \
         FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN user_roles r ON r.user_id = u.id \
         WHERE t.token_hash IN {in} AND t.revoked_at IS NULL AND t.expires_at > $1 AND u.disabled_at IS NULL \
         ORDER BY t.token_hash";
    let rows = crate::keyed(sql, &[now], hashes)
        .fetch_all(store.pool())
        .await?;
    let mut stale = Vec::new();
    for (hash, group) in crate::grouped(rows, "token_hash")? {
        let Some(first) = group.first() else { continue };
        let user = decode_user(first, roles_of_rows(&group)?)?;
        let scopes: String = first.try_get("scopes")?;
        let last: Option<i64> = first.try_get("last_used_at")?;
        if last.is_none_or(|t| t < now - TOKEN_TOUCH_MS) {
            stale.push(hash.clone());
        }
        out.insert(hash, (user, Scopes::from_stored(&scopes)));
    }
    if !stale.is_empty() {
        crate::keyed(
            "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash IN {in} \
             AND (last_used_at IS NULL OR last_used_at < $2)",
            &[now, now - TOKEN_TOUCH_MS],
            &stale,
        )
        .execute(store.pool())
        .await?;
    }
    Ok(out)
}

pub async fn list_tokens(store: &Store) -> Result<Vec<ApiToken>> {
    let rows = sqlx::query(
        "SELECT t.id, t.user_id, u.email, t.name, t.created_at, t.last_used_at, t.revoked_at, \
         t.expires_at, t.scopes FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at DESC, t.id DESC",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(token_of).collect()
}

/// One account's API tokens, newest first (an account holds a handful).
pub async fn tokens_of(store: &Store, user_id: &str) -> Result<Vec<ApiToken>> {
    let rows = sqlx::query(
        "SELECT t.id, t.user_id, u.email, t.name, t.created_at, t.last_used_at, t.revoked_at, \
         t.expires_at, t.scopes FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.user_id = $1 ORDER BY t.created_at DESC, t.id DESC",
    )
    .bind(user_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(token_of).collect()
}

fn token_of(r: &sqlx::any::AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        user_email: r.try_get("email")?,
        name: r.try_get("name")?,
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
        revoked_at: r.try_get("revoked_at")?,
        expires_at: r.try_get::<Option<i64>, _>("expires_at")?.unwrap_or(0),
        scopes: r.try_get("scopes")?,
    })
}

/// The token list's cursors: keyset on (created_at, id), newest first.
pub const TOKEN_PAGING: Spec = Spec {
    list: "people.tokens",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of the API tokens (never the secrets), newest first.
pub async fn tokens_page(store: &Store, pq: &PageQuery) -> Result<Page<ApiToken>> {
    paging::Select::new(
        "SELECT t.id, t.user_id, u.email, t.name, t.created_at, t.last_used_at, t.revoked_at, \
         t.expires_at, t.scopes FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE 1 = 1",
        &["t.created_at", "t.id"],
        Order::Desc,
    )
    .page(store, pq, &TOKEN_PAGING, token_of, |t| {
        vec![Key::from(t.created_at), Key::from(t.id.as_str())]
    })
    .await
}

/// How many tokens [`tokens_page`] pages through, up to `cap`.
pub async fn tokens_total(store: &Store, cap: i64) -> Result<Total> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM api_tokens LIMIT $1) t")
        .bind(paging::count_limit(cap))
        .fetch_one(store.pool())
        .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

// ---- resident records (kept by counter staff) ----

/// What the city keeps of a resident beyond the account: the national
/// register number and the postal address, for letters.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ResidentProfile {
    pub national_number: Option<String>,
    pub street: String,
    pub house_number: String,
    pub box_: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
}

impl ResidentProfile {
    /// The address as lines for an envelope window.
    pub fn address_lines(&self) -> Vec<String> {
        if self.street.is_empty() {
            return Vec::new();
        }
        let bus = if self.box_.is_empty() {
            String::new()
        } else {
            format!(" bus {}", self.box_)
        };
        vec![
            format!("{} {}{bus}", self.street, self.house_number),
            format!("{} {}", self.postal_code, self.city),
        ]
    }
}

/// Creates a resident for someone who comes to the counter or calls. With
/// no e-mail address the account gets a placeholder that can never sign
/// in or receive mail (`email` empty); letters go by post.
pub async fn create_resident(
    tx: &mut Tx,
    actor: &Actor,
    name: &PersonName,
    email: Option<&Email>,
    locale: &str,
    profile: &ResidentProfile,
) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    let (email_text, email_norm) = match email {
        Some(e) => (e.as_str().to_owned(), e.as_str().to_lowercase()),
        None => (String::new(), format!("no-email:{id}")),
    };
    sqlx::query(
        "INSERT INTO users (id, email, email_norm, name, password_hash, locale, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, '', $5, $6, $6)",
    )
    .bind(&id)
    .bind(&email_text)
    .bind(&email_norm)
    .bind(name.as_str())
    .bind(locale)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|e| unique_to_field(e, "email", "email-taken"))?;
    insert_role(tx, &id, Role::Resident, now).await?;
    insert_name_keys(tx, &[(&id, name.as_str())]).await?;
    sqlx::query(
        "INSERT INTO resident_profiles (user_id, national_number, street, house_number, box, postal_code, city, phone, created_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(profile.national_number.clone())
    .bind(&profile.street)
    .bind(&profile.house_number)
    .bind(&profile.box_)
    .bind(&profile.postal_code)
    .bind(&profile.city)
    .bind(&profile.phone)
    .bind(actor.user_id().map(str::to_owned))
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|e| unique_to_field(e, "national_number", "nrn-taken"))?;
    audit::record(
        tx,
        actor,
        Change {
            action: "resident.create",
            record_type: "user",
            record_id: &id,
            subject_user_id: Some(&id),
            before: None,
            after: Some(json!({"name": name.as_str(), "email": email_text, "assisted": true})),
        },
    )
    .await?;
    Ok(id)
}

const PROFILE_COLUMNS: &str =
    "national_number, street, house_number, box, postal_code, city, phone";

fn decode_profile(r: &sqlx::any::AnyRow) -> Result<ResidentProfile> {
    Ok(ResidentProfile {
        national_number: r.try_get("national_number")?,
        street: r.try_get("street")?,
        house_number: r.try_get("house_number")?,
        box_: r.try_get("box")?,
        postal_code: r.try_get("postal_code")?,
        city: r.try_get("city")?,
        phone: r.try_get("phone")?,
    })
}

pub async fn get_profile(store: &Store, user_id: &str) -> Result<Option<ResidentProfile>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PROFILE_COLUMNS} FROM resident_profiles WHERE user_id = $1"
    )))
    .bind(user_id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_profile).transpose()
}

/// How many residents the staff search shows at most.
pub const RESIDENT_SEARCH_SHOWN: usize = 50;

/// Residents found by a part of the name, an e-mail address or a national
/// register number (already normalised to 11 digits by the caller), by
/// name: at most [`RESIDENT_SEARCH_SHOWN`] + 1, so that the caller, which
/// shows [`RESIDENT_SEARCH_SHOWN`], knows when more match and can say so
/// ("more than 50: type more").
///
/// A part of the name is a prefix range over the name's keys
/// (`people_search`, [`loket_domain::people::name_keys`]): the same
/// matches as `LOWER(name) LIKE '%part%'` was, without reading every
/// resident, and accents and case do not matter ("emile" finds "Émile").
/// The three ways are one `UNION`, each read from its own index. The keys
/// carry the name and whether the account is a resident's (migration
/// 0027), so the first 51 by name are chosen from the index `(resident,
/// key, name, user_id)` alone and only they are joined to their accounts:
/// a common family name matches thousands of residents (checking their
/// roles in `user_roles` read every resident's role row on PostgreSQL).
/// The number and the e-mail address check the role themselves, and the
/// 51 kept are joined to their role once more, so a wrong mark could only
/// shorten the list, never show a staff member.
pub async fn search_residents(
    store: &Store,
    text: &str,
    national_number: &str,
) -> Result<Vec<(String, String, String, Option<String>)>> {
    let part = loket_domain::people::name_query(text);
    let upper = crate::contact::prefix_upper(&part);
    let email = if part.is_empty() {
        String::new()
    } else {
        text.trim().to_lowercase()
    };
    let rows = sqlx::query(
        "SELECT u.id, u.name, u.email, p.national_number FROM ( \
            SELECT c.name, c.user_id FROM ( \
                SELECT k.name, k.user_id FROM people_search k \
                WHERE k.resident = 1 AND k.key >= $2 AND k.key < $3 \
                UNION SELECT n.name, n.id FROM resident_profiles x JOIN users n ON n.id = x.user_id \
                WHERE $1 <> '' AND x.national_number = $1 AND EXISTS (SELECT 1 FROM user_roles q \
                    WHERE q.user_id = n.id AND q.role = 'resident') \
                UNION SELECT e.name, e.id FROM users e WHERE $4 <> '' AND e.email_norm = $4 \
                AND EXISTS (SELECT 1 FROM user_roles q WHERE q.user_id = e.id AND q.role = 'resident')) c \
            ORDER BY c.name, c.user_id LIMIT 51) c \
         JOIN users u ON u.id = c.user_id \
         JOIN user_roles r ON r.user_id = c.user_id AND r.role = 'resident' \
         LEFT JOIN resident_profiles p ON p.user_id = c.user_id \
         ORDER BY c.name, c.user_id",
    )
    .bind(national_number)
    .bind(&part)
    .bind(&upper)
    .bind(&email)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("name")?,
                r.try_get("email")?,
                r.try_get("national_number")?,
            ))
        })
        .collect()
}

/// Keys (two values each) per INSERT of [`insert_name_keys`].
const NAME_KEYS_CHUNK: usize = 500;

/// Writes the people search's keys of these accounts' names:
/// (user id, name) each, none indexed yet. Many rows per statement. Each
/// key carries the name and the resident mark, read from the account's
/// roles: write the roles first.
pub async fn insert_name_keys(tx: &mut Tx, accounts: &[(&str, &str)]) -> Result<()> {
    let rows: Vec<(String, &str, &str)> = accounts
        .iter()
        .flat_map(|(id, name)| {
            loket_domain::people::name_keys(name)
                .into_iter()
                .map(move |k| (k, *id, *name))
        })
        .collect();
    for chunk in rows.chunks(NAME_KEYS_CHUNK) {
        let mut sql =
            String::from("INSERT INTO people_search (key, user_id, name, resident) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            // The mark from the account's roles, read as the row is
            // written (the roles are written first).
            let (k, u, n) = (3 * i + 1, 3 * i + 2, 3 * i + 3);
            sql.push_str(&format!(
                "(${k}, ${u}, ${n}, (SELECT COUNT(*) FROM user_roles r \
                 WHERE r.user_id = ${u} AND r.role = 'resident'))"
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (key, id, name) in chunk {
            q = q
                .bind(key.clone())
                .bind((*id).to_owned())
                .bind((*name).to_owned());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Sets the people search's `resident` mark of an account's keys from its
/// roles, in the transaction that changed the roles.
/// ([`insert_name_keys`] reads the mark itself, from the roles written
/// before the keys.)
pub async fn mark_search_roles(tx: &mut Tx, user_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE people_search SET resident = CASE WHEN EXISTS (SELECT 1 FROM user_roles r \
         WHERE r.user_id = people_search.user_id AND r.role = 'resident') THEN 1 ELSE 0 END \
         WHERE user_id = $1",
    )
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes an account's keys from the people search (an erasure); returns
/// how many there were.
pub async fn remove_name_keys(tx: &mut Tx, user_id: &str) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM people_search WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// (id, name) of account rows.
fn ids_and_names(rows: &[sqlx::any::AnyRow]) -> Result<Vec<(String, String)>> {
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}

/// Repairs the people search's keys that an instance of an older release
/// wrote during a rolling upgrade (the old instances keep serving while
/// the new migrations run): accounts without keys (created by a release
/// before 0026) and keys without the name and the resident mark (written
/// by a release before 0027, which leaves them '' and 0). Their keys are
/// written again, with the name and the mark. Reads first, outside a
/// transaction, so that the usual case (nothing to do) takes no write
/// lock. The resident marks of accounts whose roles an older release
/// changed are set again too ([`heal_search_marks`]). Returns the accounts
/// repaired. Run by the housekeeping worker every ten minutes.
pub async fn heal_people_search(store: &Store) -> Result<u64> {
    let rows = sqlx::query(
        "SELECT u.id, u.name FROM users u WHERE u.erased_at IS NULL AND u.name <> '' \
         AND NOT EXISTS (SELECT 1 FROM people_search k WHERE k.user_id = u.id) \
         UNION SELECT u.id, u.name FROM users u WHERE u.id IN \
            (SELECT k.user_id FROM people_search k WHERE k.name = '')",
    )
    .fetch_all(store.pool())
    .await?;
    let mut repaired = heal_search_marks(store).await?;
    let accounts = ids_and_names(&rows)?;
    // A name of spaces alone has no keys: nothing to repair.
    let accounts: Vec<(&str, &str)> = accounts
        .iter()
        .filter(|(_, name)| !loket_domain::people::name_keys(name).is_empty())
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    if accounts.is_empty() {
        return Ok(repaired);
    }
    let mut tx = store.begin().await?;
    for (id, _) in &accounts {
        // Read again inside the transaction: an account erased meanwhile
        // keeps no keys.
        let name: Option<String> =
            sqlx::query("SELECT name FROM users WHERE id = $1 AND erased_at IS NULL")
                .bind(*id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("name"))
                .transpose()?;
        remove_name_keys(&mut tx, id).await?;
        if let Some(name) = name {
            insert_name_keys(&mut tx, &[(id, name.as_str())]).await?;
        }
    }
    tx.commit().await?;
    repaired += accounts.len() as u64;
    Ok(repaired)
}

/// How far back [`heal_search_marks`] looks for role changes: well past
/// the housekeeping worker's ten minutes, so a late or failed run loses
/// nothing.
const ROLE_CHANGES_LOOKBACK_MS: i64 = 2 * 60 * 60 * 1000;

/// Sets the people search's resident mark again for the accounts whose
/// roles changed lately (the audit's `user.roles`) and whose mark no longer
/// matches their roles: an instance of a release before 0027 changes roles
/// without setting the mark, and a resident it made would be missing from
/// the staff search. Reads first, so that the usual case (every mark
/// right) takes no write lock. Returns the accounts repaired.
async fn heal_search_marks(store: &Store) -> Result<u64> {
    let rows = sqlx::query(
        "SELECT DISTINCT k.user_id FROM people_search k \
         WHERE k.user_id IN (SELECT a.record_id FROM audit_log a \
            WHERE a.at > $1 AND a.action = 'user.roles' AND a.record_type = 'user') \
         AND k.resident <> CASE WHEN EXISTS (SELECT 1 FROM user_roles r \
            WHERE r.user_id = k.user_id AND r.role = 'resident') THEN 1 ELSE 0 END",
    )
    .bind(now_ms() - ROLE_CHANGES_LOOKBACK_MS)
    .fetch_all(store.pool())
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut tx = store.begin().await?;
    for r in &rows {
        let id: String = r.try_get("user_id")?;
        mark_search_roles(&mut tx, &id).await?;
    }
    tx.commit().await?;
    Ok(rows.len() as u64)
}

/// Runs the index jobs a migration asked for (`index_jobs`), each in one
/// transaction with the deletion of its row, so that a job runs once even
/// when several instances start together. Today one: `people_search`, the
/// keys of every account's name (erased accounts have none). Returns the
/// jobs run.
pub(crate) async fn run_index_jobs(store: &Store) -> Result<Vec<String>> {
    let mut done = Vec::new();
    let mut tx = store.begin().await?;
    let job = sqlx::query("DELETE FROM index_jobs WHERE job = $1 RETURNING job")
        .bind("people_search")
        .fetch_optional(&mut *tx)
        .await?;
    if job.is_some() {
        sqlx::query("DELETE FROM people_search")
            .execute(&mut *tx)
            .await?;
        let users = sqlx::query("SELECT id, name FROM users WHERE erased_at IS NULL")
            .fetch_all(&mut *tx)
            .await?;
        let accounts = ids_and_names(&users)?;
        let refs: Vec<(&str, &str)> = accounts
            .iter()
            .map(|(i, n)| (i.as_str(), n.as_str()))
            .collect();
        for part in refs.chunks(1_000) {
            insert_name_keys(&mut tx, part).await?;
        }
        done.push("people_search".to_owned());
    }
    tx.commit().await?;
    Ok(done)
}

// ---- staff records that end ----

/// A staff record whose end date has come and that the end-date worker has
/// not handled yet.
#[derive(Debug, Clone)]
pub struct DueEnding {
    pub staff_id: String,
    pub employee_no: String,
    pub name: String,
    pub email: String,
    pub end_date: String,
}

/// Staff records with an end date on or before `today` (`YYYY-MM-DD`)
/// not handled for that end date, oldest first, at most `limit`.
pub async fn due_endings(store: &Store, today: &str, limit: i64) -> Result<Vec<DueEnding>> {
    let rows = sqlx::query(
        "SELECT s.id, s.employee_no, s.name, s.email, s.end_date FROM staff_members s \
         WHERE s.end_date IS NOT NULL AND s.end_date <> '' AND s.end_date <= $1 \
         AND NOT EXISTS (SELECT 1 FROM staff_endings e WHERE e.staff_id = s.id AND e.end_date = s.end_date) \
         ORDER BY s.end_date, s.id LIMIT $2",
    )
    .bind(today)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DueEnding {
                staff_id: r.try_get("id")?,
                employee_no: r.try_get("employee_no")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                end_date: r.try_get("end_date")?,
            })
        })
        .collect()
}

/// Claims the handling of a staff record's end date: false when another
/// worker (or an earlier run) already did.
pub async fn claim_ending(
    tx: &mut Tx,
    e: &DueEnding,
    user_id: Option<&str>,
    loans: i64,
) -> Result<bool> {
    let n = sqlx::query(
        "INSERT INTO staff_endings (staff_id, end_date, user_id, loans, handled_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (staff_id, end_date) DO NOTHING",
    )
    .bind(&e.staff_id)
    .bind(&e.end_date)
    .bind(user_id.map(str::to_owned))
    .bind(loans)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// The end date of the staff record that goes with this account (same
/// e-mail address), if it has one.
pub async fn staff_end_date(store: &Store, email: &str) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT end_date FROM staff_members WHERE email = $1 AND end_date IS NOT NULL AND end_date <> ''",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|r| r.try_get("end_date")).transpose()?)
}
