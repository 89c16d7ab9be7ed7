//! The benchmarks' baseline: single-row inserts in their own transaction,
//! through the same pool, into a scratch table that is dropped afterwards.

use crate::{Result, Store, new_id, now_ms};

/// Creates the scratch table.
pub async fn create(store: &Store) -> Result<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_baseline (id TEXT PRIMARY KEY, at BIGINT NOT NULL)",
    )
    .execute(store.pool())
    .await?;
    Ok(())
}

/// One insert in one write transaction.
pub async fn insert_one(store: &Store) -> Result<()> {
    let mut tx = store.begin().await?;
    sqlx::query("INSERT INTO bench_baseline (id, at) VALUES ($1, $2)")
        .bind(new_id())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Drops the scratch table.
pub async fn drop(store: &Store) -> Result<()> {
    sqlx::query("DROP TABLE bench_baseline")
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Gathers the planner's statistics after a bulk load (`ANALYZE`: the same
/// statement on SQLite and PostgreSQL), as autovacuum would in time.
pub async fn analyze(store: &Store) -> Result<()> {
    sqlx::query("ANALYZE").execute(store.pool()).await?;
    Ok(())
}
