//! Rate-limit counters shared by every instance: one row per scope, key and
//! fixed window, raised with one atomic upsert. Keys (IP addresses, e-mail
//! addresses, national register numbers) are stored only as their SHA-256.
//! The figures are `loket_domain::limits`.

use crate::{Result, Store, hash_secret};
use loket_domain::limits::Limit;
use sqlx::Row;

/// Counts one hit of `key` against `limit` at `now_ms`; returns the hits in
/// the current window, this one included.
pub async fn hit(store: &Store, limit: &Limit, key: &str, now_ms: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO rate_counters (scope, key_hash, window_start, hits, expires_at) \
         VALUES ($1, $2, $3, 1, $4) \
         ON CONFLICT (scope, key_hash, window_start) DO UPDATE SET hits = rate_counters.hits + 1 \
         RETURNING hits",
    )
    .bind(limit.scope)
    .bind(hash_secret(&format!("{}\u{0}{}", limit.scope, key)))
    .bind(limit.window_start(now_ms))
    .bind(limit.window_start(now_ms) + limit.window_ms())
    .fetch_one(store.pool())
    .await?;
    Ok(row.try_get("hits")?)
}

/// Removes the counters of windows that have ended.
pub async fn purge(store: &Store, now_ms: i64) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM rate_counters WHERE expires_at <= $1")
            .bind(now_ms)
            .execute(store.pool())
            .await?
            .rows_affected(),
    )
}
