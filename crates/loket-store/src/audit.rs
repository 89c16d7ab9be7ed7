//! The audit log (every change) and the access log (every staff read of a
//! resident's personal data).

use crate::paging::{self, Order};
use crate::{Result, Store, Tx, new_id, now_ms};
use loket_domain::audit::Actor;
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;

/// One change, as the caller describes it.
pub struct Change<'a> {
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_id: &'a str,
    /// The person whose data this is, so admins can filter by person.
    pub subject_user_id: Option<&'a str>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Writes an audit row inside the caller's transaction.
pub async fn record(tx: &mut Tx, actor: &Actor, change: Change<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_kind, actor_id, action, record_type, record_id, \
         subject_user_id, before_summary, after_summary) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(now_ms())
    .bind(actor.kind())
    .bind(actor.user_id().map(str::to_owned))
    .bind(change.action)
    .bind(change.record_type)
    .bind(change.record_id)
    .bind(change.subject_user_id.map(str::to_owned))
    .bind(change.before.map(|v| v.to_string()))
    .bind(change.after.map(|v| v.to_string()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Rows per INSERT of [`record_many`] (10 values each).
const CHANGE_CHUNK: usize = 128;

/// [`record`] for many changes: one multi-row `INSERT` per
/// [`CHANGE_CHUNK`] changes at most, in runs of a power of two
/// ([`crate::pow2_runs`]), in the caller's transaction.
pub async fn record_many(tx: &mut Tx, changes: &[(&Actor, Change<'_>)]) -> Result<()> {
    let at = now_ms();
    CHANGES
        .execute(tx, changes, CHANGE_CHUNK, |q, (actor, change)| {
            q.bind(new_id())
                .bind(at)
                .bind(actor.kind())
                .bind(actor.user_id().map(str::to_owned))
                .bind(change.action)
                .bind(change.record_type)
                .bind(change.record_id)
                .bind(change.subject_user_id.map(str::to_owned))
                .bind(change.before.as_ref().map(|v| v.to_string()))
                .bind(change.after.as_ref().map(|v| v.to_string()))
        })
        .await?;
    Ok(())
}

/// The audit rows of [`record_many`].
const CHANGES: crate::Rows<'static> = crate::Rows::new(
    "INSERT INTO audit_log (id, at, actor_kind, actor_id, action, record_type, record_id, \
     subject_user_id, before_summary, after_summary)",
    10,
);

/// Writes an access-log row: `actor_id` viewed personal data of `subject`.
pub async fn record_access(
    store: &Store,
    actor_id: &str,
    subject_user_id: &str,
    record_type: &str,
    record_id: &str,
    purpose: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO access_log (id, at, actor_id, subject_user_id, record_type, record_id, purpose) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(now_ms())
    .bind(actor_id)
    .bind(subject_user_id)
    .bind(record_type)
    .bind(record_id)
    .bind(purpose)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// One person whose data a list or an export showed.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    /// The person (a user id), or for a record without a linked person the
    /// key its access rows are filed under (e.g. a contact moment's id).
    pub subject: &'a str,
    pub record_type: &'a str,
    pub record_id: &'a str,
}

/// Rows per INSERT of [`record_access_many`], at most: 7 values each, well
/// under SQLite's 32,766 and PostgreSQL's 65,535 bind parameters.
pub const ACCESS_CHUNK: usize = 256;

/// Writes the access-log rows of a list or an export: ONE row per person
/// shown (the first record shown of them is the row's record), in
/// multi-row INSERTs of a power of two rows, at most [`ACCESS_CHUNK`]
/// ([`crate::Rows`]). Returns the rows written.
pub async fn record_access_many(
    store: &Store,
    actor_id: &str,
    purpose: &str,
    shown: &[Access<'_>],
) -> Result<usize> {
    let mut seen = std::collections::HashSet::new();
    let rows: Vec<&Access<'_>> = shown.iter().filter(|a| seen.insert(a.subject)).collect();
    if rows.is_empty() {
        return Ok(0);
    }
    let at = now_ms();
    let mut tx = store.begin().await?;
    ACCESSES
        .execute(&mut tx, &rows, ACCESS_CHUNK, |q, a| {
            q.bind(new_id())
                .bind(at)
                .bind(actor_id)
                .bind(a.subject)
                .bind(a.record_type)
                .bind(a.record_id)
                .bind(purpose)
        })
        .await?;
    tx.commit().await?;
    Ok(rows.len())
}

/// The access-log rows of [`record_access_many`].
const ACCESSES: crate::Rows<'static> = crate::Rows::new(
    "INSERT INTO access_log (id, at, actor_id, subject_user_id, record_type, record_id, purpose)",
    7,
);

/// Filters for reading the logs. Empty fields match everything.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// A user id: rows where they acted, or whose data it was.
    pub person: Option<String>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub limit: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub id: String,
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub subject_user_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccessRow {
    pub id: String,
    pub at: i64,
    pub actor_id: String,
    pub subject_user_id: String,
    pub record_type: String,
    pub record_id: String,
    pub purpose: String,
}

impl Filter {
    /// The bind values of the filter, in the order the queries use them:
    /// person, record type, record id ('' matches everything), limit.
    ///
    /// Why static SQL and not `QueryBuilder`: with `Any`, `QueryBuilder`
    /// writes `?` placeholders, which PostgreSQL refuses.
    fn binds(&self) -> (String, String, String, i64) {
        (
            self.person.clone().unwrap_or_default(),
            self.record_type.clone().unwrap_or_default(),
            self.record_id.clone().unwrap_or_default(),
            self.limit.clamp(1, 1000),
        )
    }
}

pub async fn list_audit(store: &Store, f: &Filter) -> Result<Vec<AuditRow>> {
    let (person, record_type, record_id, limit) = f.binds();
    // With a person, `actor_id = $1 OR subject_user_id = $1` reads the two
    // indexes (actor, at) and (subject, at) and merges them; with the
    // optional `$1 = '' OR …` the planner walked the whole log by time.
    let sql = if person.is_empty() {
        "SELECT id, at, actor_kind, actor_id, action, record_type, record_id, subject_user_id, \
         before_summary, after_summary FROM audit_log \
         WHERE $1 = '' AND ($2 = '' OR record_type = $2) AND ($3 = '' OR record_id = $3) \
         ORDER BY at DESC, id DESC LIMIT $4"
    } else {
        "SELECT id, at, actor_kind, actor_id, action, record_type, record_id, subject_user_id, \
         before_summary, after_summary FROM audit_log \
         WHERE (actor_id = $1 OR subject_user_id = $1) \
           AND ($2 = '' OR record_type = $2) AND ($3 = '' OR record_id = $3) \
         ORDER BY at DESC, id DESC LIMIT $4"
    };
    let rows = sqlx::query(sql)
        .bind(person)
        .bind(record_type)
        .bind(record_id)
        .bind(limit)
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditRow {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor_kind: r.try_get("actor_kind")?,
                actor_id: r.try_get("actor_id")?,
                action: r.try_get("action")?,
                record_type: r.try_get("record_type")?,
                record_id: r.try_get("record_id")?,
                subject_user_id: r.try_get("subject_user_id")?,
                before: r.try_get("before_summary")?,
                after: r.try_get("after_summary")?,
            })
        })
        .collect()
}

pub async fn list_access(store: &Store, f: &Filter) -> Result<Vec<AccessRow>> {
    let (person, record_type, record_id, limit) = f.binds();
    // As `list_audit`: a person's rows through the two indexes.
    let sql = if person.is_empty() {
        "SELECT id, at, actor_id, subject_user_id, record_type, record_id, purpose FROM access_log \
         WHERE $1 = '' AND ($2 = '' OR record_type = $2) AND ($3 = '' OR record_id = $3) \
         ORDER BY at DESC, id DESC LIMIT $4"
    } else {
        "SELECT id, at, actor_id, subject_user_id, record_type, record_id, purpose FROM access_log \
         WHERE (actor_id = $1 OR subject_user_id = $1) \
           AND ($2 = '' OR record_type = $2) AND ($3 = '' OR record_id = $3) \
         ORDER BY at DESC, id DESC LIMIT $4"
    };
    let rows = sqlx::query(sql)
        .bind(person)
        .bind(record_type)
        .bind(record_id)
        .bind(limit)
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(AccessRow {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor_id: r.try_get("actor_id")?,
                subject_user_id: r.try_get("subject_user_id")?,
                record_type: r.try_get("record_type")?,
                record_id: r.try_get("record_id")?,
                purpose: r.try_get("purpose")?,
            })
        })
        .collect()
}

/// The audit log's cursors: keyset on (at, id), newest first.
pub const AUDIT_PAGING: Spec = Spec {
    list: "audit.log",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// The access log's cursors: keyset on (at, id), newest first.
pub const ACCESS_PAGING: Spec = Spec {
    list: "audit.access",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// The filter of a log page: with a person, `actor_id = $1 OR
/// subject_user_id = $1` (read through the two indexes, as `list_audit`);
/// `$2` record type, `$3` record id.
fn log_where(person: &str) -> &'static str {
    if person.is_empty() {
        "$1 = '' AND ($2 = '' OR record_type = $2) AND ($3 = '' OR record_id = $3)"
    } else {
        "(actor_id = $1 OR subject_user_id = $1) AND ($2 = '' OR record_type = $2) AND ($3 = '' OR record_id = $3)"
    }
}

/// The paged read of `cols` of the log `table`, filtered by `f`, newest
/// first.
fn log_select(table: &str, cols: &str, f: &Filter) -> paging::Select<'static> {
    let (person, record_type, record_id, _) = f.binds();
    paging::Select::new(
        format!("SELECT {cols} FROM {table} WHERE {}", log_where(&person)),
        &["at", "id"],
        Order::Desc,
    )
    .arg(person)
    .arg(record_type)
    .arg(record_id)
}

async fn log_total(store: &Store, table: &str, f: &Filter, cap: i64) -> Result<Total> {
    let (person, record_type, record_id, _) = f.binds();
    let sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM {table} WHERE {} LIMIT $4) t",
        log_where(&person)
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(person)
        .bind(record_type)
        .bind(record_id)
        .bind(paging::count_limit(cap))
        .fetch_one(store.pool())
        .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

fn audit_of(r: &sqlx::any::AnyRow) -> Result<AuditRow> {
    Ok(AuditRow {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor_kind: r.try_get("actor_kind")?,
        actor_id: r.try_get("actor_id")?,
        action: r.try_get("action")?,
        record_type: r.try_get("record_type")?,
        record_id: r.try_get("record_id")?,
        subject_user_id: r.try_get("subject_user_id")?,
        before: r.try_get("before_summary")?,
        after: r.try_get("after_summary")?,
    })
}

fn access_of(r: &sqlx::any::AnyRow) -> Result<AccessRow> {
    Ok(AccessRow {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor_id: r.try_get("actor_id")?,
        subject_user_id: r.try_get("subject_user_id")?,
        record_type: r.try_get("record_type")?,
        record_id: r.try_get("record_id")?,
        purpose: r.try_get("purpose")?,
    })
}

/// One page of the audit log, filtered, newest first (`f.limit` unused).
pub async fn audit_page(store: &Store, f: &Filter, pq: &PageQuery) -> Result<Page<AuditRow>> {
    log_select(
        "audit_log",
        "id, at, actor_kind, actor_id, action, record_type, record_id, subject_user_id, \
         before_summary, after_summary",
        f,
    )
    .page(store, pq, &AUDIT_PAGING, audit_of, |r| {
        vec![Key::from(r.at), Key::from(r.id.as_str())]
    })
    .await
}

/// How many rows [`audit_page`] pages through, up to `cap`.
pub async fn audit_total(store: &Store, f: &Filter, cap: i64) -> Result<Total> {
    log_total(store, "audit_log", f, cap).await
}

/// One page of the access log, filtered, newest first (`f.limit` unused).
pub async fn access_page(store: &Store, f: &Filter, pq: &PageQuery) -> Result<Page<AccessRow>> {
    log_select(
        "access_log",
        "id, at, actor_id, subject_user_id, record_type, record_id, purpose",
        f,
    )
    .page(store, pq, &ACCESS_PAGING, access_of, |r| {
        vec![Key::from(r.at), Key::from(r.id.as_str())]
    })
    .await
}

/// How many rows [`access_page`] pages through, up to `cap`.
pub async fn access_total(store: &Store, f: &Filter, cap: i64) -> Result<Total> {
    log_total(store, "access_log", f, cap).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn access_insert_numbers_every_placeholder() {
        let sql = super::ACCESSES.sql(crate::Backend::Postgres, 2);
        assert!(
            sql.ends_with("VALUES ($1, $2, $3, $4, $5, $6, $7), ($8, $9, $10, $11, $12, $13, $14)"),
            "{sql}"
        );
    }
}
