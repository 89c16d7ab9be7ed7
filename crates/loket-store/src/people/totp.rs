//! The TOTP second factor of local staff accounts: the authenticator's
//! secret, the last accepted step (no code is accepted twice) and the
//! recovery codes (stored as their SHA-256).

use crate::audit::{self, Change};
use crate::{Result, Store, Tx, hash_secret, now_ms};
use loket_domain::audit::Actor;
use serde_json::json;
use sqlx::Row;

/// An account's authenticator.
#[derive(Debug, Clone)]
pub struct Factor {
    /// The RFC 6238 key, base32.
    pub secret: String,
    /// When the first code confirmed it; `None` while enrolling.
    pub confirmed_at: Option<i64>,
    /// The last accepted 30 s step.
    pub last_step: i64,
}

pub async fn factor_of(store: &Store, user_id: &str) -> Result<Option<Factor>> {
    let row =
        sqlx::query("SELECT secret, confirmed_at, last_step FROM totp_factors WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(store.pool())
            .await?;
    row.map(|r| {
        Ok(Factor {
            secret: r.try_get("secret")?,
            confirmed_at: r.try_get("confirmed_at")?,
            last_step: r.try_get("last_step")?,
        })
    })
    .transpose()
}

/// Starts an enrolment with `secret`, unless one is under way or done:
/// the factor as it now stands (so a reloaded page shows the same key).
pub async fn start_enrolment(store: &Store, user_id: &str, secret: &str) -> Result<Factor> {
    sqlx::query(
        "INSERT INTO totp_factors (user_id, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(secret)
    .bind(now_ms())
    .execute(store.pool())
    .await?;
    factor_of(store, user_id)
        .await?
        .ok_or(crate::StoreError::NotFound)
}

/// Takes `step` as the last accepted one, if it is later than the last:
/// false when the step (or a later one) was already used. Atomic, so two
/// requests with the same code cannot both pass.
pub async fn take_step(tx: &mut Tx, user_id: &str, step: i64) -> Result<bool> {
    let n =
        sqlx::query("UPDATE totp_factors SET last_step = $1 WHERE user_id = $2 AND last_step < $1")
            .bind(step)
            .bind(user_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    Ok(n == 1)
}

/// Confirms an enrolment (its first code, at `step`) and stores the
/// recovery codes; audited. False when it was confirmed meanwhile.
pub async fn confirm(
    tx: &mut Tx,
    actor: &Actor,
    user_id: &str,
    step: i64,
    codes: &[String],
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE totp_factors SET confirmed_at = $1, last_step = $2 \
         WHERE user_id = $3 AND confirmed_at IS NULL AND last_step < $2",
    )
    .bind(now_ms())
    .bind(step)
    .bind(user_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    replace_codes(tx, user_id, codes).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "user.totp.enrol",
            record_type: "user",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({ "recovery_codes": codes.len() })),
        },
    )
    .await?;
    Ok(true)
}

async fn replace_codes(tx: &mut Tx, user_id: &str, codes: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM totp_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    let now = now_ms();
    for c in codes {
        sqlx::query(
            "INSERT INTO totp_recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)",
        )
        .bind(user_id)
        .bind(hash_secret(c))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Replaces the recovery codes of a confirmed factor; audited.
pub async fn regenerate_codes(
    tx: &mut Tx,
    actor: &Actor,
    user_id: &str,
    codes: &[String],
) -> Result<()> {
    replace_codes(tx, user_id, codes).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "user.totp.recovery_codes",
            record_type: "user",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({ "recovery_codes": codes.len() })),
        },
    )
    .await
}

/// Uses a recovery code: true if it was unused (it is now used); audited.
pub async fn use_code(tx: &mut Tx, user_id: &str, code: &str) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE totp_recovery_codes SET used_at = $1 \
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now_ms())
    .bind(user_id)
    .bind(hash_secret(code))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    let left = codes_left_tx(tx, user_id).await?;
    audit::record(
        tx,
        &Actor::User(user_id.to_owned()),
        Change {
            action: "user.totp.recovery_used",
            record_type: "user",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({ "recovery_codes_left": left })),
        },
    )
    .await?;
    Ok(true)
}

async fn codes_left_tx(tx: &mut Tx, user_id: &str) -> Result<i64> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n FROM totp_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.try_get("n")?)
}

/// How many unused recovery codes the account has.
pub async fn codes_left(store: &Store, user_id: &str) -> Result<i64> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n FROM totp_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(store.pool())
    .await?;
    Ok(r.try_get("n")?)
}

/// Removes an account's factor and recovery codes and ends its sessions
/// (the person enrols again at the next sign-in); audited. False when the
/// account had no factor.
pub async fn reset(tx: &mut Tx, actor: &Actor, user_id: &str) -> Result<bool> {
    let n = sqlx::query("DELETE FROM totp_factors WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM totp_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    let ended = super::end_sessions(tx, user_id).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "user.totp.reset",
            record_type: "user",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: Some(json!({ "factor": true })),
            after: Some(json!({ "factor": false, "sessions_ended": ended })),
        },
    )
    .await?;
    Ok(true)
}

/// Enrols an account with a known secret, confirmed at once, without
/// recovery codes (the demo's published key); audited.
pub async fn enrol_fixed(tx: &mut Tx, actor: &Actor, user_id: &str, secret: &str) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO totp_factors (user_id, secret, confirmed_at, last_step, created_at) \
         VALUES ($1, $2, $3, 0, $3) ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(secret)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "user.totp.enrol",
            record_type: "user",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({ "demo_key": true })),
        },
    )
    .await
}
