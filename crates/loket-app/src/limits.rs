//! Rate limits, checked by the use cases: the figures are
//! `loket_domain::limits`, the counters `loket_store::limits` (in the
//! database, so they hold across instances).

use crate::{App, Refusal};
use loket_domain::limits::Limit;

/// Counts a hit of `key`; refuses with [`Refusal::TooMany`] (and when to
/// retry) once the window's limit is passed.
pub async fn check(app: &App, limit: &Limit, key: &str) -> Result<(), Refusal> {
    if allow(app, limit, key).await? {
        Ok(())
    } else {
        metrics::counter!("loket_rate_limited_total", "scope" => limit.scope).increment(1);
        Err(Refusal::TooMany {
            retry_after_s: limit.retry_after_s(loket_store::now_ms()),
        })
    }
}

/// Counts a hit of `key`; false once the window's limit is passed. For
/// limits that must not show (the answer stays the same, only no mail
/// leaves).
pub async fn allow(app: &App, limit: &Limit, key: &str) -> Result<bool, Refusal> {
    let hits = loket_store::limits::hit(&app.store, limit, key, loket_store::now_ms()).await?;
    Ok(limit.allows(hits))
}

/// The key of an e-mail address: trimmed and lower-cased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}
