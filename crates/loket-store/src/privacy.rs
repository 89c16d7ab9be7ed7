//! The retention schedule's SQL: per kind, what is due (count and oldest)
//! and one bounded batch of removal or anonymisation; the runs; the lease
//! that lets one instance at a time apply the schedule.
//!
//! Each batch is one transaction with its audit row. Files on disk that
//! belong to removed rows are returned to the caller, who removes them after
//! the commit and reports any failure.

pub mod erasure;
pub mod export;
pub mod requests;

use crate::audit::{self, Change};
use crate::paging::{self, Order};
use crate::{Result, Store, Tx, new_id};
use loket_domain::audit::Actor;
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};
use loket_domain::privacy::Schedule;
use serde_json::json;
use sqlx::Row;
use std::path::{Path, PathBuf};

/// What a kind has due at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub kind: &'static str,
    /// Records that would be removed or anonymised.
    pub count: i64,
    /// The oldest of them (unix ms), by the instant the period counts from.
    pub oldest: Option<i64>,
    /// Files on disk that would go with them (uploads, `.eml`).
    pub files: i64,
}

/// The cutoffs of one moment: an instant, and a date for day-dated kinds.
struct Cut {
    at: i64,
    date: String,
}

fn cut(s: &Schedule, kind: &str, now: i64) -> Cut {
    if kind == "sessions" {
        // A session's period is its expiry (session_hours), set when it
        // was made and moved on use: it goes when it has expired.
        return Cut {
            at: now,
            date: String::new(),
        };
    }
    Cut {
        at: s.cutoff_ms(kind, now),
        date: s.cutoff_date(kind, now),
    }
}

/// The SQL that counts a kind's due records: `n`, `oldest`; `$1` is the
/// cutoff instant, `$2` the cutoff date.
fn count_sql(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "sessions" => {
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM sessions \
             WHERE expires_at <= $1 AND $2 = $2"
        }
        "login-failures" => {
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures WHERE at < $1 AND $2 = $2"
        }
        "mail" => {
            "SELECT COUNT(*) AS n, MIN(sent_at) AS oldest FROM outbox WHERE status = 'sent' \
             AND sent_at < $1 AND (body <> '' OR attachment_body IS NOT NULL) AND $2 = $2"
        }
        "search" => {
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM contact_searches \
             WHERE created_at < $1 AND $2 = $2"
        }
        "drafts" => {
            "SELECT COUNT(*) AS n, MIN(updated_at) AS oldest FROM case_drafts \
             WHERE updated_at < $1 AND $2 = $2"
        }
        "contact-moments" => {
            "SELECT COUNT(*) AS n, MIN(updated_at) AS oldest FROM contact_moments \
             WHERE status = 'closed' AND updated_at < $1 AND anonymised_at IS NULL AND $2 = $2"
        }
        "vaccination" => {
            "SELECT CAST(SUM(n) AS BIGINT) AS n, MIN(oldest) AS oldest FROM ( \
               SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM vac_invitations \
                WHERE anonymised_at IS NULL AND campaign_id IN (SELECT campaign_id FROM vac_days \
                  GROUP BY campaign_id HAVING MAX(day) < $2) AND $1 = $1 \
               UNION ALL \
               SELECT COUNT(*) AS n, MIN(signed_up_at) AS oldest FROM vac_reserve \
                WHERE anonymised_at IS NULL AND campaign_id IN (SELECT campaign_id FROM vac_days \
                  GROUP BY campaign_id HAVING MAX(day) < $2)) t"
        }
        "audit" => {
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM audit_log WHERE at < $1 AND $2 = $2"
        }
        "access" => {
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM access_log WHERE at < $1 AND $2 = $2"
        }
        _ => return None,
    })
}

/// Draft uploads (files never attached to a case) whose draft is gone or
/// older than the cutoff, and which are older than it themselves.
const DRAFT_FILES_COUNT: &str = "SELECT COUNT(*) AS n FROM case_files f WHERE f.case_id IS NULL \
     AND f.created_at < $1 AND NOT EXISTS (SELECT 1 FROM case_drafts d \
     WHERE d.user_id = f.owner_id AND d.service_id = f.service_id AND d.updated_at >= $1)";
const DRAFT_FILES_PICK: &str = "SELECT f.id, f.path FROM case_files f WHERE f.case_id IS NULL \
     AND f.created_at < $1 AND NOT EXISTS (SELECT 1 FROM case_drafts d \
     WHERE d.user_id = f.owner_id AND d.service_id = f.service_id AND d.updated_at >= $1) \
     ORDER BY f.created_at LIMIT $2";

/// What every kind has due at `now` (changes nothing). `mail_dir`: where
/// sent mail is written as `.eml` files.
pub async fn due(store: &Store, s: &Schedule, now: i64, mail_dir: &Path) -> Result<Vec<Due>> {
    let mut out = Vec::new();
    for a in s.applied() {
        let kind = a.kind.key;
        let Some(sql) = count_sql(kind) else {
            continue;
        };
        let c = cut(s, kind, now);
        let row = sqlx::query(sql)
            .bind(c.at)
            .bind(&c.date)
            .fetch_one(store.pool())
            .await?;
        let count: Option<i64> = row.try_get("n")?;
        let oldest: Option<i64> = row.try_get("oldest")?;
        let files = match kind {
            "drafts" => sqlx::query(DRAFT_FILES_COUNT)
                .bind(c.at)
                .fetch_one(store.pool())
                .await?
                .try_get::<i64, _>("n")?,
            "mail" => {
                let rows = sqlx::query(
                    "SELECT id, created_at FROM outbox WHERE status = 'sent' AND sent_at < $1 \
                     AND (body <> '' OR attachment_body IS NOT NULL)",
                )
                .bind(c.at)
                .fetch_all(store.pool())
                .await?;
                let mut n = 0;
                for r in rows {
                    let id: String = r.try_get("id")?;
                    let created: i64 = r.try_get("created_at")?;
                    if eml_path(mail_dir, created, &id).exists() {
                        n += 1;
                    }
                }
                n
            }
            _ => 0,
        };
        out.push(Due {
            kind,
            count: count.unwrap_or(0),
            oldest,
            files,
        });
    }
    Ok(out)
}

/// A service's retention period for closed cases, as it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRetention {
    pub service_id: String,
    pub slug: String,
    /// The service's name in Dutch and English (the slug when the
    /// definition does not parse).
    pub name_nl: String,
    pub name_en: String,
    /// `None`: no end date (the definition sets none).
    pub years: Option<u32>,
}

/// Every service with its `retention_years` (current definition), read in
/// `conn` (a transaction or the pool's connection).
async fn service_retentions(conn: &mut sqlx::AnyConnection) -> Result<Vec<ServiceRetention>> {
    let rows = sqlx::query("SELECT id, slug, definition FROM services ORDER BY slug")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let def: String = r.try_get("definition")?;
        let slug: String = r.try_get("slug")?;
        let def = serde_json::from_str::<loket_domain::cases::ServiceDef>(&def).ok();
        out.push(ServiceRetention {
            service_id: r.try_get("id")?,
            name_nl: def
                .as_ref()
                .map_or_else(|| slug.clone(), |d| d.name.nl.clone()),
            name_en: def
                .as_ref()
                .map_or_else(|| slug.clone(), |d| d.name.en.clone()),
            years: def.and_then(|d| d.retention_years),
            slug,
        });
    }
    Ok(out)
}

/// The services' periods for closed cases (for the admin and privacy
/// pages).
pub async fn cases_retention(store: &Store) -> Result<Vec<ServiceRetention>> {
    let mut conn = store.pool().acquire().await?;
    service_retentions(&mut conn).await
}

const CASES_DUE: &str = "SELECT COUNT(*) AS n, MIN(closed_at) AS oldest FROM cases \
     WHERE service_id = $1 AND closed_at IS NOT NULL AND closed_at < $2 AND anonymised_at IS NULL";
const CASES_DUE_FILES: &str = "SELECT (SELECT COUNT(*) FROM case_files f JOIN cases c ON c.id = f.case_id \
       WHERE c.service_id = $1 AND c.closed_at IS NOT NULL AND c.closed_at < $2 AND c.anonymised_at IS NULL) \
     + (SELECT COUNT(*) FROM case_documents d JOIN cases c ON c.id = d.case_id \
       WHERE c.service_id = $1 AND c.closed_at IS NOT NULL AND c.closed_at < $2 AND c.anonymised_at IS NULL) AS n";

/// What the closed cases have due at `now`: every service with a
/// `retention_years`, its cases closed longer ago than that.
pub async fn cases_due(store: &Store, now: i64) -> Result<Due> {
    let mut due = Due {
        kind: loket_domain::privacy::CASES_KIND,
        count: 0,
        oldest: None,
        files: 0,
    };
    for s in cases_retention(store).await? {
        let Some(years) = s.years else { continue };
        let cutoff = loket_domain::privacy::years_before(now, years);
        let r = sqlx::query(CASES_DUE)
            .bind(&s.service_id)
            .bind(cutoff)
            .fetch_one(store.pool())
            .await?;
        due.count += r.try_get::<i64, _>("n")?;
        if let Some(o) = r.try_get::<Option<i64>, _>("oldest")? {
            due.oldest = Some(due.oldest.map_or(o, |d: i64| d.min(o)));
        }
        due.files += sqlx::query(CASES_DUE_FILES)
            .bind(&s.service_id)
            .bind(cutoff)
            .fetch_one(store.pool())
            .await?
            .try_get::<i64, _>("n")?;
    }
    Ok(due)
}

/// Anonymises at most `limit` closed cases past their service's period at
/// `now`, in one transaction with its audit row (`retention.applied`, kind
/// `cases`): values cut to the amounts, timeline texts, uploads, documents
/// and letters removed (`erasure::anonymise_case`); number, service,
/// status history, dates and amounts stay.
pub async fn apply_cases_batch(
    store: &Store,
    actor: &Actor,
    run_id: &str,
    now: i64,
    limit: i64,
) -> Result<Batch> {
    let mut tx = store.begin().await?;
    let mut b = Batch::default();
    for s in service_retentions(&mut tx).await? {
        let Some(years) = s.years else { continue };
        let left = limit - b.records as i64;
        if left <= 0 {
            break;
        }
        let cutoff = loket_domain::privacy::years_before(now, years);
        let ids: Vec<String> = sqlx::query(
            "SELECT id FROM cases WHERE service_id = $1 AND closed_at IS NOT NULL \
             AND closed_at < $2 AND anonymised_at IS NULL ORDER BY closed_at, id LIMIT $3",
        )
        .bind(&s.service_id)
        .bind(cutoff)
        .bind(left)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("id"))
        .collect::<std::result::Result<_, _>>()?;
        for id in &ids {
            let a = erasure::anonymise_case(&mut tx, id, now, true).await?;
            b.files.extend(a.paths);
            b.records += 1;
        }
    }
    if b.records > 0 {
        audit::record(
            &mut tx,
            actor,
            Change {
                action: "retention.applied",
                record_type: "retention_run",
                record_id: run_id,
                subject_user_id: None,
                before: None,
                after: Some(json!({
                    "kind": loket_domain::privacy::CASES_KIND,
                    "records": b.records,
                    "files": b.files.len(),
                    "as_of": now,
                })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(b)
}

/// Where the file transport wrote a message (see `loket::worker`).
pub fn eml_path(mail_dir: &Path, created_at: i64, id: &str) -> PathBuf {
    mail_dir.join(format!("{created_at}-{id}.eml"))
}

/// One batch of a kind: records handled and files to remove after commit.
#[derive(Debug, Default)]
pub struct Batch {
    pub records: u64,
    pub files: Vec<PathBuf>,
}

async fn delete_by_id(
    tx: &mut Tx,
    pick: &'static str,
    delete: &'static str,
    cutoff: i64,
    limit: i64,
) -> Result<u64> {
    let ids: Vec<String> = sqlx::query(pick)
        .bind(cutoff)
        .bind(limit)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("id"))
        .collect::<std::result::Result<_, _>>()?;
    for id in &ids {
        sqlx::query(delete).bind(id).execute(&mut **tx).await?;
    }
    Ok(ids.len() as u64)
}

/// Applies at most `limit` records of `kind` at `now`, in one transaction
/// with its audit row (actor `actor`, record the run `run_id`).
#[allow(clippy::too_many_arguments)]
pub async fn apply_batch(
    store: &Store,
    actor: &Actor,
    run_id: &str,
    s: &Schedule,
    kind: &'static str,
    now: i64,
    limit: i64,
    mail_dir: &Path,
) -> Result<Batch> {
    let c = cut(s, kind, now);
    let mut tx = store.begin().await?;
    let mut b = Batch::default();
    match kind {
        "sessions" => {
            b.records = delete_by_id(
                &mut tx,
                "SELECT id_hash AS id FROM sessions WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2",
                "DELETE FROM sessions WHERE id_hash = $1",
                c.at,
                limit,
            )
            .await?;
        }
        "login-failures" => {
            b.records = delete_by_id(
                &mut tx,
                "SELECT id FROM login_failures WHERE at < $1 ORDER BY at LIMIT $2",
                "DELETE FROM login_failures WHERE id = $1",
                c.at,
                limit,
            )
            .await?;
        }
        "search" => {
            b.records = delete_by_id(
                &mut tx,
                "SELECT id FROM contact_searches WHERE created_at < $1 ORDER BY created_at LIMIT $2",
                "DELETE FROM contact_searches WHERE id = $1",
                c.at,
                limit,
            )
            .await?;
        }
        "audit" => {
            b.records = delete_by_id(
                &mut tx,
                "SELECT id FROM audit_log WHERE at < $1 ORDER BY at LIMIT $2",
                "DELETE FROM audit_log WHERE id = $1",
                c.at,
                limit,
            )
            .await?;
        }
        "access" => {
            b.records = delete_by_id(
                &mut tx,
                "SELECT id FROM access_log WHERE at < $1 ORDER BY at LIMIT $2",
                "DELETE FROM access_log WHERE id = $1",
                c.at,
                limit,
            )
            .await?;
        }
        "mail" => {
            let rows = sqlx::query(
                "SELECT id, created_at FROM outbox WHERE status = 'sent' AND sent_at < $1 \
                 AND (body <> '' OR attachment_body IS NOT NULL) ORDER BY sent_at LIMIT $2",
            )
            .bind(c.at)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            for r in rows {
                let id: String = r.try_get("id")?;
                let created: i64 = r.try_get("created_at")?;
                sqlx::query("UPDATE outbox SET body = '', attachment_body = NULL WHERE id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                b.records += 1;
                b.files.push(eml_path(mail_dir, created, &id));
            }
        }
        "drafts" => {
            let rows = sqlx::query(
                "SELECT user_id, service_id FROM case_drafts WHERE updated_at < $1 \
                 ORDER BY updated_at LIMIT $2",
            )
            .bind(c.at)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            for r in rows {
                let user: String = r.try_get("user_id")?;
                let service: String = r.try_get("service_id")?;
                sqlx::query("DELETE FROM case_drafts WHERE user_id = $1 AND service_id = $2")
                    .bind(&user)
                    .bind(&service)
                    .execute(&mut *tx)
                    .await?;
                b.records += 1;
            }
            // The drafts' uploads (and any upload left without a draft).
            let files = sqlx::query(DRAFT_FILES_PICK)
                .bind(c.at)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            for f in files {
                let id: String = f.try_get("id")?;
                let path: String = f.try_get("path")?;
                sqlx::query("DELETE FROM case_files WHERE id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                b.files.push(PathBuf::from(path));
            }
        }
        "contact-moments" => {
            let ids: Vec<String> = sqlx::query(
                "SELECT id FROM contact_moments WHERE status = 'closed' AND updated_at < $1 \
                 AND anonymised_at IS NULL ORDER BY updated_at LIMIT $2",
            )
            .bind(c.at)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("id"))
            .collect::<std::result::Result<_, _>>()?;
            for id in &ids {
                sqlx::query(
                    "UPDATE contact_moments SET contact_name = '', contact_email = '', subject = '', \
                     question = '', answer = '', resident_id = NULL, anonymised_at = $2 WHERE id = $1",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE contact_messages SET sender = '', subject = '', body = '' WHERE moment_id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE contact_forwards SET note = '', answer = '' WHERE moment_id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            b.records = ids.len() as u64;
        }
        "vaccination" => {
            let inv: Vec<String> = sqlx::query(
                "SELECT id FROM vac_invitations WHERE anonymised_at IS NULL AND campaign_id IN \
                 (SELECT campaign_id FROM vac_days GROUP BY campaign_id HAVING MAX(day) < $1) \
                 ORDER BY created_at LIMIT $2",
            )
            .bind(&c.date)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("id"))
            .collect::<std::result::Result<_, _>>()?;
            for id in &inv {
                // The national number becomes the row's own id: still
                // unique in its campaign, and no longer anyone's.
                sqlx::query(
                    "UPDATE vac_invitations SET national_number = id, name = '', birth_date = '', \
                     street = '', postal_code = '', city = '', email = NULL, phone = NULL, \
                     anonymised_at = $2 WHERE id = $1",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let left = limit - inv.len() as i64;
            let res: Vec<String> = sqlx::query(
                "SELECT id FROM vac_reserve WHERE anonymised_at IS NULL AND campaign_id IN \
                 (SELECT campaign_id FROM vac_days GROUP BY campaign_id HAVING MAX(day) < $1) \
                 ORDER BY signed_up_at LIMIT $2",
            )
            .bind(&c.date)
            .bind(left.max(0))
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("id"))
            .collect::<std::result::Result<_, _>>()?;
            for id in &res {
                sqlx::query(
                    "UPDATE vac_reserve SET national_number = id, name = '', birth_date = '', \
                     email = '', phone = NULL, offer_token = NULL, anonymised_at = $2 WHERE id = $1",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            b.records = (inv.len() + res.len()) as u64;
        }
        _ => {}
    }
    if b.records > 0 || !b.files.is_empty() {
        audit::record(
            &mut tx,
            actor,
            Change {
                action: "retention.applied",
                record_type: "retention_run",
                record_id: run_id,
                subject_user_id: None,
                before: None,
                after: Some(json!({
                    "kind": kind,
                    "records": b.records,
                    "files": b.files.len(),
                    "as_of": now,
                })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(b)
}

// ---- the lease ----

/// Takes the lease until `until` (unix ms) unless another holder has it
/// and it has not run out at `now`. Returns whether it is ours.
pub async fn take_lease(store: &Store, holder: &str, now: i64, until: i64) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE retention_lease SET holder = $1, until = $2 WHERE id = 1 \
         AND (until < $3 OR holder = $1)",
    )
    .bind(holder)
    .bind(until)
    .bind(now)
    .execute(store.pool())
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn release_lease(store: &Store, holder: &str) -> Result<()> {
    sqlx::query("UPDATE retention_lease SET holder = NULL, until = 0 WHERE id = 1 AND holder = $1")
        .bind(holder)
        .execute(store.pool())
        .await?;
    Ok(())
}

// ---- the runs ----

/// One run of the schedule.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Run {
    pub id: String,
    pub trigger_kind: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub as_of: i64,
    /// `kind` → records.
    pub counts: Vec<(String, i64)>,
    pub files_removed: i64,
    pub error: Option<String>,
}

/// Records the start of a run (audited).
pub async fn start_run(
    store: &Store,
    actor: &Actor,
    trigger: &str,
    started_at: i64,
    as_of: i64,
) -> Result<String> {
    let id = new_id();
    let mut tx = store.begin().await?;
    sqlx::query(
        "INSERT INTO retention_runs (id, trigger_kind, started_at, as_of) VALUES ($1, $2, $3, $4)",
    )
    .bind(&id)
    .bind(trigger)
    .bind(started_at)
    .bind(as_of)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "retention.started",
            record_type: "retention_run",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({ "trigger": trigger, "as_of": as_of })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Records the end of a run, its counts and any error (audited).
pub async fn finish_run(
    store: &Store,
    actor: &Actor,
    id: &str,
    finished_at: i64,
    counts: &[(String, i64)],
    files_removed: i64,
    error: Option<&str>,
) -> Result<()> {
    let map: serde_json::Map<String, serde_json::Value> =
        counts.iter().map(|(k, n)| (k.clone(), json!(n))).collect();
    let counts_text = serde_json::Value::Object(map).to_string();
    let mut tx = store.begin().await?;
    sqlx::query(
        "UPDATE retention_runs SET finished_at = $2, counts = $3, files_removed = $4, error = $5 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(finished_at)
    .bind(&counts_text)
    .bind(files_removed)
    .bind(error.map(str::to_owned))
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "retention.finished",
            record_type: "retention_run",
            record_id: id,
            subject_user_id: None,
            before: None,
            after: Some(
                json!({ "counts": counts_text, "files_removed": files_removed, "error": error }),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn run_of(r: &sqlx::any::AnyRow) -> Result<Run> {
    let counts_text: String = r.try_get("counts")?;
    let counts = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&counts_text)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.as_i64().unwrap_or(0)))
        .collect();
    Ok(Run {
        id: r.try_get("id")?,
        trigger_kind: r.try_get("trigger_kind")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
        as_of: r.try_get("as_of")?,
        counts,
        files_removed: r.try_get("files_removed")?,
        error: r.try_get("error")?,
    })
}

/// The run list's cursors: keyset on (started_at, id), newest first.
pub const RUN_PAGING: Spec = Spec {
    list: "privacy.retention_runs",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of runs, newest first.
pub async fn runs_page(store: &Store, pq: &PageQuery) -> Result<Page<Run>> {
    paging::Select::new(
        "SELECT id, trigger_kind, started_at, finished_at, as_of, counts, files_removed, error \
         FROM retention_runs WHERE 1 = 1",
        &["started_at", "id"],
        Order::Desc,
    )
    .page(store, pq, &RUN_PAGING, run_of, |r| {
        vec![Key::from(r.started_at), Key::from(r.id.as_str())]
    })
    .await
}

/// How many runs [`runs_page`] pages through, up to `cap`.
pub async fn runs_total(store: &Store, cap: i64) -> Result<Total> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM retention_runs LIMIT $1) t")
        .bind(paging::count_limit(cap))
        .fetch_one(store.pool())
        .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// When the worker last started a run (unix ms), if ever.
pub async fn last_worker_run(store: &Store) -> Result<Option<i64>> {
    let row = sqlx::query(
        "SELECT MAX(started_at) AS t FROM retention_runs WHERE trigger_kind = 'worker'",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(row.try_get("t")?)
}
