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

/// Does after a bulk load what autovacuum would do in time: gathers the
/// planner's statistics and, on PostgreSQL, also vacuums (`VACUUM
/// (ANALYZE)`), which marks the loaded pages all-visible, so that an
/// index-only scan reads no table rows. Until then, an index-only scan of
/// freshly loaded rows still visits the table for a quarter of them
/// (measured on the knowledge base's postings: 30 ms, 10 ms after).
/// SQLite: `ANALYZE` fills `sqlite_stat1`; it has no visibility map.
pub async fn analyze(store: &Store) -> Result<()> {
    let sql = match store.backend() {
        crate::Backend::Sqlite => "ANALYZE",
        crate::Backend::Postgres => "VACUUM (ANALYZE)",
    };
    sqlx::query(sql).execute(store.pool()).await?;
    Ok(())
}
