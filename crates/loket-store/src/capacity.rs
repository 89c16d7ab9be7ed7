//! Capacity, written once: places taken and freed with a conditional
//! UPDATE, rows locked for the rest of a transaction, per-year counters,
//! and time windows that must not overlap.
//!
//! **Why it is atomic, on both databases.** Every operation here is one
//! `UPDATE … WHERE <condition> RETURNING …` inside the caller's write
//! transaction. On PostgreSQL the UPDATE takes the row's lock, and a second
//! transaction waiting on that lock re-checks the condition against the
//! committed row before it updates (READ COMMITTED); on SQLite the write
//! transaction (`BEGIN IMMEDIATE`, see [`crate::Store::begin`]) already
//! serialises writers. So "take a place if one is free" can never give
//! the last place twice, and a check made after [`lock`] sees every write
//! that committed before it.
//!
//! Tables and columns are named by `&'static str` constants of the
//! contexts (never by input), so the SQL built here is fixed text.

use crate::{Result, Tx};
use loket_domain::calendar::Span;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A row that counts places: `used` of `limit`, found by `key`.
#[derive(Debug, Clone, Copy)]
pub struct Places {
    pub table: &'static str,
    pub key: &'static str,
    pub used: &'static str,
    pub limit: &'static str,
    /// An extra condition a place is taken under (`status = 'open'`), or "".
    pub only_if: &'static str,
    /// A column set to the time of the change, or "".
    pub touched: &'static str,
}

impl Places {
    /// The SET clause; `$2` is the time when a column is touched.
    fn set(&self, delta: &str) -> String {
        let mut set = format!("{u} = {u} {delta}", u = self.used);
        if !self.touched.is_empty() {
            set.push_str(&format!(", {} = $2", self.touched));
        }
        set
    }

    fn condition(&self) -> String {
        if self.only_if.is_empty() {
            String::new()
        } else {
            format!(" AND ({})", self.only_if)
        }
    }
}

/// Takes one place in the row `key` if one is free (`used < limit`, and
/// the extra condition holds). False when full (or no such row).
pub async fn take(tx: &mut Tx, p: &Places, key: &str, now: i64) -> Result<bool> {
    Ok(take_returning(tx, p, key, now, true, p.key)
        .await?
        .is_some())
}

/// Counts one more present whatever the limit (someone who holds a right
/// to be there, such as an appointment in a full counter zone).
pub async fn take_beyond_limit(tx: &mut Tx, p: &Places, key: &str, now: i64) -> Result<bool> {
    Ok(take_returning(tx, p, key, now, false, p.key)
        .await?
        .is_some())
}

/// [`take`] (or, with `limited` false, [`take_beyond_limit`]) returning the
/// row's `returning` columns as they are after the change, so the caller
/// needs no second read; `None` when no place was taken.
pub async fn take_returning(
    tx: &mut Tx,
    p: &Places,
    key: &str,
    now: i64,
    limited: bool,
    returning: &str,
) -> Result<Option<AnyRow>> {
    let limit = if limited {
        format!(" AND {} < {}{}", p.used, p.limit, p.condition())
    } else {
        String::new()
    };
    let sql = format!(
        "UPDATE {t} SET {set} WHERE {k} = $1{limit} RETURNING {returning}",
        t = p.table,
        set = p.set("+ 1"),
        k = p.key,
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key);
    if !p.touched.is_empty() {
        q = q.bind(now);
    }
    Ok(q.fetch_optional(&mut **tx).await?)
}

/// Gives one place back (never below zero).
pub async fn free(tx: &mut Tx, p: &Places, key: &str, now: i64) -> Result<()> {
    let sql = format!(
        "UPDATE {t} SET {set} WHERE {k} = $1 AND {u} > 0",
        t = p.table,
        set = p.set("- 1"),
        k = p.key,
        u = p.used,
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key);
    if !p.touched.is_empty() {
        q = q.bind(now);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// A row whose lock serialises the changes of one thing (a bike, a month):
/// its `guard` column is raised by one, under an extra condition.
#[derive(Debug, Clone, Copy)]
pub struct Guard {
    pub table: &'static str,
    pub key: &'static str,
    pub guard: &'static str,
    /// The condition the row must meet to be locked (`status =
    /// 'available'`, `closed_at IS NULL`), or "".
    pub only_if: &'static str,
}

/// Locks the row `key` for the rest of the transaction. False when there
/// is no such row or it does not meet the guard's condition.
pub async fn lock(tx: &mut Tx, g: &Guard, key: &str) -> Result<bool> {
    let cond = if g.only_if.is_empty() {
        String::new()
    } else {
        format!(" AND ({})", g.only_if)
    };
    let sql = format!(
        "UPDATE {t} SET {g} = {g} + 1 WHERE {k} = $1{cond} RETURNING {k}",
        t = g.table,
        g = g.guard,
        k = g.key,
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some())
}

/// The next number of `year` in a counter table `(year, last)`: 1, 2, 3…
/// without gaps or repeats under concurrency (the row's lock).
pub async fn next_in_year(tx: &mut Tx, table: &'static str, year: i64) -> Result<i64> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {table} (year, last) VALUES ($1, 0) ON CONFLICT (year) DO NOTHING"
    )))
    .bind(year)
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET last = last + 1 WHERE year = $1 RETURNING last"
    )))
    .bind(year)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("last")?)
}

/// Time windows of one owner (a bike, an asset) that must not overlap:
/// rows of `table` with `owner`, `start` and `end` columns (unix ms,
/// half-open), counted while `holding` is true of them.
#[derive(Debug, Clone, Copy)]
pub struct Windows {
    pub table: &'static str,
    pub owner: &'static str,
    pub start: &'static str,
    pub end: &'static str,
    /// Which rows hold their window (`status IN ('reserved', 'picked_up')`).
    pub holding: &'static str,
}

/// How many held windows of `owner` overlap `span`. Call it after
/// [`lock`]ing the owner, so no window can be added meanwhile.
pub async fn overlapping(tx: &mut Tx, w: &Windows, owner: &str, span: Span) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM {t} WHERE {o} = $1 AND ({h}) AND {s} < $3 AND {e} > $2",
        t = w.table,
        o = w.owner,
        h = w.holding,
        s = w.start,
        e = w.end,
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(owner)
        .bind(span.start_ms)
        .bind(span.end_ms)
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.try_get("n")?)
}
