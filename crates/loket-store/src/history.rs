//! Bulk loading of generated history: residents with a year of cases,
//! appointments, counter visits and calls, for the demo city (and the
//! benchmarks at a city's scale). Multi-row inserts, one transaction per
//! batch; case and contact numbers are reserved from the same yearly
//! counters the use cases draw from, so numbers never collide. Generated
//! rows send no mail: they are the past. The demo's rows carry no
//! documents; `loket bench scale` adds document rows (all pointing to one
//! small shared stored file), audit rows and knowledge-base articles with
//! [`insert_documents`], [`insert_audit`] and [`insert_articles`].
//!
//! Each call is one transaction; a caller loading a million rows calls it
//! per batch of a few thousand.

use crate::{Result, Rows, Store, Tx, now_ms};
use sqlx::Row;

/// Bound parameters per INSERT statement: under SQLite's limit (32,766)
/// and PostgreSQL's (65,535).
const MAX_BINDS: usize = 1_000;

/// Rows per multi-row INSERT of `cols` columns.
fn chunk(cols: usize) -> usize {
    (MAX_BINDS / cols.max(1)).clamp(1, 5_000)
}

/// A kept appointment's ticket: day, number, check-in, call, finish, desk.
pub type Ticket = (String, String, i64, i64, i64, String);

/// A generated resident.
#[derive(Debug, Clone)]
pub struct Resident {
    pub id: String,
    pub name: String,
    pub email: String,
    pub street: String,
    pub house_number: String,
    pub postal_code: String,
    pub city: String,
    pub created_at: i64,
}

/// One entry of a generated case's timeline.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: i64,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub transition: Option<String>,
    pub body: String,
}

/// A generated case (its number is given here).
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub year: i16,
    pub service_id: String,
    pub service_version: i64,
    pub resident_id: String,
    pub channel: String,
    pub status: String,
    pub data: String,
    pub department: String,
    pub submitted_at: i64,
    pub due_date: String,
    pub closed_at: Option<i64>,
    pub events: Vec<Event>,
}

/// A generated past appointment, with its counter visit when it was kept.
#[derive(Debug, Clone)]
pub struct Visit {
    pub appointment_id: String,
    pub code: String,
    pub service_id: String,
    pub location_id: String,
    pub resident_id: String,
    pub starts_at: i64,
    pub ends_at: i64,
    /// `served`, `no_show` or `cancelled`.
    pub status: String,
    pub channel: String,
    /// For a kept appointment: the ticket's day, number, check-in, call
    /// and finish (unix ms) and the desk.
    pub ticket: Option<Ticket>,
}

/// A generated contact moment.
#[derive(Debug, Clone)]
pub struct Moment {
    pub id: String,
    pub year: i16,
    pub channel: String,
    pub resident_id: String,
    pub name: String,
    pub email: String,
    pub subject: String,
    pub question: String,
    pub answer: String,
    pub outcome: String,
    pub minutes: i64,
    pub at: i64,
}

/// Reserves `n` numbers of `year` in a yearly counter table; returns the
/// first.
async fn reserve(tx: &mut Tx, table: &'static str, year: i64, n: i64) -> Result<i64> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {table} (year, last) VALUES ($1, 0) ON CONFLICT (year) DO NOTHING"
    )))
    .bind(year)
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET last = last + $2 WHERE year = $1 RETURNING last"
    )))
    .bind(year)
    .bind(n)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get::<i64, _>("last")? - n + 1)
}

// The generated rows' statements ([`Rows`]: numbered parameters, written
// as SQLite binds them fastest). Each loader cuts its rows by [`chunk`].
const USERS: Rows<'static> = Rows::new(
    "INSERT INTO users (id, email, email_norm, name, password_hash, locale, email_confirmed_at, \
     created_at, updated_at)",
    9,
);
const ROLES: Rows<'static> = Rows::new("INSERT INTO user_roles (user_id, role, granted_at)", 3);
const PROFILES: Rows<'static> = Rows::new(
    "INSERT INTO resident_profiles (user_id, street, house_number, postal_code, city, updated_at)",
    6,
);
const CASES: Rows<'static> = Rows::new(
    "INSERT INTO cases (id, number, service_id, service_version, resident_id, channel, status, \
     data, department, submitted_at, due_date, updated_at, closed_at)",
    13,
);
const EVENTS: Rows<'static> = Rows::new(
    "INSERT INTO case_events (id, case_id, at, kind, from_status, to_status, transition, body)",
    8,
);
const VISIT_SLOTS: Rows<'static> = Rows::new(
    "INSERT INTO appt_slots (id, service_id, location_id, starts_at, ends_at, capacity, booked)",
    7,
)
.after("ON CONFLICT DO NOTHING RETURNING id, service_id, location_id, starts_at");
const VISITS: Rows<'static> = Rows::new(
    "INSERT INTO appointments (id, code, slot_id, service_id, location_id, starts_at, ends_at, \
     resident_id, status, channel, remind_at, reminder_sent_at, created_at, updated_at)",
    14,
);
const TICKETS: Rows<'static> = Rows::new(
    "INSERT INTO queue_tickets (id, location_id, service_id, day, number, kind, appointment_id, \
     status, due_at, checked_in_at, called_at, finished_at, desk_id, token, updated_at)",
    15,
);
const MOMENTS: Rows<'static> = Rows::new(
    "INSERT INTO contact_moments (id, reference, channel, status, resident_id, contact_name, \
     contact_email, subject, question, answer, outcome, duration_minutes, created_at, updated_at)",
    14,
);
const DOCUMENTS: Rows<'static> = Rows::new(
    "INSERT INTO case_documents (id, case_id, kind, lang, filename, size, sha256, path, created_at)",
    9,
);
const AUDIT: Rows<'static> = Rows::new(
    "INSERT INTO audit_log (id, at, actor_kind, actor_id, action, record_type, record_id, \
     subject_user_id)",
    8,
);
const ARTICLES: Rows<'static> = Rows::new(
    "INSERT INTO contact_articles (id, slug, department_id, version, title_nl, title_en, \
     body_nl, body_en, tags, length_nl, length_en, created_at, updated_at, updated_by)",
    14,
);
const VERSIONS: Rows<'static> = Rows::new(
    "INSERT INTO contact_article_versions (article_id, version, department_id, title_nl, \
     title_en, body_nl, body_en, tags, created_at)",
    9,
);
const TERMS: Rows<'static> = Rows::new(
    "INSERT INTO contact_terms (article_id, lang, term, weight, doc_length)",
    5,
);

/// Inserts residents (accounts that cannot sign in: no password) with their
/// role and postal address.
pub async fn insert_residents(store: &Store, rows: &[Resident]) -> Result<()> {
    let backend = store.backend();
    let mut tx = store.begin().await?;
    for chunk in rows.chunks(chunk(9)) {
        USERS
            .query(backend, chunk, |q, r| {
                q.bind(&r.id)
                    .bind(&r.email)
                    .bind(r.email.to_lowercase())
                    .bind(&r.name)
                    .bind("")
                    .bind("nl")
                    .bind(r.created_at)
                    .bind(r.created_at)
                    .bind(r.created_at)
            })
            .execute(&mut *tx)
            .await?;
        ROLES
            .query(backend, chunk, |q, r| {
                q.bind(&r.id).bind("resident").bind(r.created_at)
            })
            .execute(&mut *tx)
            .await?;
        // The people search's keys, after the roles they mark.
        let names: Vec<(&str, &str)> = chunk
            .iter()
            .map(|r| (r.id.as_str(), r.name.as_str()))
            .collect();
        crate::people::insert_name_keys(&mut tx, &names).await?;
        PROFILES
            .query(backend, chunk, |q, r| {
                q.bind(&r.id)
                    .bind(&r.street)
                    .bind(&r.house_number)
                    .bind(&r.postal_code)
                    .bind(&r.city)
                    .bind(r.created_at)
            })
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Inserts cases with their timelines; numbers `YYYY-NNNNNN` are reserved
/// per year. Returns the numbers, in the order of `rows`.
pub async fn insert_cases(store: &Store, rows: &[Case]) -> Result<Vec<String>> {
    let backend = store.backend();
    let mut tx = store.begin().await?;
    let mut numbers = Vec::with_capacity(rows.len());
    let mut years: Vec<i16> = rows.iter().map(|c| c.year).collect();
    years.sort_unstable();
    years.dedup();
    let mut next = std::collections::BTreeMap::new();
    for y in years {
        let n = i64::try_from(rows.iter().filter(|c| c.year == y).count()).unwrap_or(0);
        next.insert(y, reserve(&mut tx, "case_counters", i64::from(y), n).await?);
    }
    for c in rows {
        let slot = next.get_mut(&c.year).expect("reserved above");
        numbers.push(format!("{}-{:06}", c.year, *slot));
        *slot += 1;
    }
    let now = now_ms();
    let per = chunk(13);
    for (chunk, nums) in rows.chunks(per).zip(numbers.chunks(per)) {
        let numbered: Vec<(&Case, &String)> = chunk.iter().zip(nums).collect();
        CASES
            .query(backend, &numbered, |q, (c, n)| {
                let updated = c.events.last().map(|e| e.at).unwrap_or(c.submitted_at);
                q.bind(&c.id)
                    .bind(*n)
                    .bind(&c.service_id)
                    .bind(c.service_version)
                    .bind(&c.resident_id)
                    .bind(&c.channel)
                    .bind(&c.status)
                    .bind(&c.data)
                    .bind(&c.department)
                    .bind(c.submitted_at)
                    .bind(&c.due_date)
                    .bind(updated.min(now))
                    .bind(c.closed_at)
            })
            .execute(&mut *tx)
            .await?;
        let events: Vec<(&Case, &Event)> = chunk
            .iter()
            .flat_map(|c| c.events.iter().map(move |e| (c, e)))
            .collect();
        for ev in events.chunks(self::chunk(8)) {
            EVENTS
                .query(backend, ev, |q, (c, e)| {
                    q.bind(crate::new_id())
                        .bind(&c.id)
                        .bind(e.at)
                        .bind(&e.kind)
                        .bind(e.from_status.clone())
                        .bind(e.to_status.clone())
                        .bind(e.transition.clone())
                        .bind(&e.body)
                })
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(numbers)
}

/// Inserts past appointments (each with a slot of its own) and, for the
/// kept ones, the counter ticket with its check-in, call and finish.
pub async fn insert_visits(store: &Store, rows: &[Visit]) -> Result<()> {
    let backend = store.backend();
    let mut tx = store.begin().await?;
    for chunk in rows.chunks(self::chunk(15)) {
        let slot_ids: Vec<String> = chunk.iter().map(|_| crate::new_id()).collect();
        let with_ids: Vec<(&Visit, &String)> = chunk.iter().zip(&slot_ids).collect();
        let q = VISIT_SLOTS.query(backend, &with_ids, |q, (v, sid)| {
            q.bind(*sid)
                .bind(&v.service_id)
                .bind(&v.location_id)
                .bind(v.starts_at)
                .bind(v.ends_at)
                .bind(1_i64)
                .bind(i64::from(v.status != "cancelled"))
        });
        // The slot of each start: the one inserted, or (when two starts
        // met, or the slot was there) the existing one, looked up.
        let mut made = std::collections::HashMap::new();
        for r in q.fetch_all(&mut *tx).await? {
            made.insert(
                (
                    r.try_get::<String, _>("service_id")?,
                    r.try_get::<String, _>("location_id")?,
                    r.try_get::<i64, _>("starts_at")?,
                ),
                r.try_get::<String, _>("id")?,
            );
        }
        let mut slot_of = Vec::with_capacity(chunk.len());
        for v in chunk {
            let key = (v.service_id.clone(), v.location_id.clone(), v.starts_at);
            if let Some(id) = made.get(&key) {
                slot_of.push(id.clone());
                continue;
            }
            let row = sqlx::query(
                "SELECT id FROM appt_slots WHERE service_id = $1 AND location_id = $2 AND starts_at = $3",
            )
            .bind(&v.service_id)
            .bind(&v.location_id)
            .bind(v.starts_at)
            .fetch_one(&mut *tx)
            .await?;
            let id = row.try_get::<String, _>("id")?;
            made.insert(key, id.clone());
            slot_of.push(id);
        }
        let in_slots: Vec<(&Visit, &String)> = chunk.iter().zip(&slot_of).collect();
        VISITS
            .query(backend, &in_slots, |q, (v, slot)| {
                let booked_at = v.starts_at - 9 * 86_400_000;
                q.bind(&v.appointment_id)
                    .bind(&v.code)
                    .bind(*slot)
                    .bind(&v.service_id)
                    .bind(&v.location_id)
                    .bind(v.starts_at)
                    .bind(v.ends_at)
                    .bind(&v.resident_id)
                    .bind(&v.status)
                    .bind(&v.channel)
                    .bind(v.starts_at - 86_400_000)
                    .bind(Some(v.starts_at - 86_400_000))
                    .bind(booked_at)
                    .bind(v.ends_at)
            })
            .execute(&mut *tx)
            .await?;
        let kept: Vec<(&Visit, &Ticket)> = chunk
            .iter()
            .filter_map(|v| v.ticket.as_ref().map(|t| (v, t)))
            .collect();
        if kept.is_empty() {
            continue;
        }
        TICKETS
            .query(
                backend,
                &kept,
                |q, (v, (day, number, checked_in, called, finished, desk))| {
                    q.bind(crate::new_id())
                        .bind(&v.location_id)
                        .bind(&v.service_id)
                        .bind(day)
                        .bind(number)
                        .bind("appointment")
                        .bind(&v.appointment_id)
                        .bind("served")
                        .bind(Some(v.starts_at))
                        .bind(*checked_in)
                        .bind(Some(*called))
                        .bind(Some(*finished))
                        .bind(Some(desk.clone()))
                        .bind(crate::new_secret())
                        .bind(*finished)
                },
            )
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Inserts closed contact moments; references `C-YYYY-NNNNNN` are reserved
/// per year.
pub async fn insert_moments(store: &Store, rows: &[Moment]) -> Result<()> {
    let backend = store.backend();
    let mut tx = store.begin().await?;
    let mut years: Vec<i16> = rows.iter().map(|m| m.year).collect();
    years.sort_unstable();
    years.dedup();
    let mut next = std::collections::BTreeMap::new();
    for y in years {
        let n = i64::try_from(rows.iter().filter(|m| m.year == y).count()).unwrap_or(0);
        next.insert(
            y,
            reserve(&mut tx, "contact_numbers", i64::from(y), n).await?,
        );
    }
    let mut refs = Vec::with_capacity(rows.len());
    for m in rows {
        let slot = next.get_mut(&m.year).expect("reserved above");
        refs.push(format!("C-{}-{:06}", m.year, *slot));
        *slot += 1;
    }
    let per = chunk(14);
    for (chunk, rs) in rows.chunks(per).zip(refs.chunks(per)) {
        let numbered: Vec<(&Moment, &String)> = chunk.iter().zip(rs).collect();
        MOMENTS
            .query(backend, &numbered, |q, (m, r)| {
                q.bind(&m.id)
                    .bind(*r)
                    .bind(&m.channel)
                    .bind("closed")
                    .bind(&m.resident_id)
                    .bind(&m.name)
                    .bind(&m.email)
                    .bind(&m.subject)
                    .bind(&m.question)
                    .bind(&m.answer)
                    .bind(&m.outcome)
                    .bind(m.minutes)
                    .bind(m.at)
                    .bind(m.at)
            })
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A generated document row of a case (the file it points to is shared).
#[derive(Debug, Clone)]
pub struct Document {
    pub case_id: String,
    /// `receipt`, `decision`, `permit`.
    pub kind: String,
    pub lang: String,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    /// Relative to the data folder, as the use cases store it.
    pub path: String,
    pub created_at: i64,
}

/// Inserts document rows (no verification codes).
pub async fn insert_documents(store: &Store, rows: &[Document]) -> Result<()> {
    let backend = store.backend();
    let mut tx = store.begin().await?;
    for chunk in rows.chunks(self::chunk(9)) {
        DOCUMENTS
            .query(backend, chunk, |q, d| {
                q.bind(crate::new_id())
                    .bind(&d.case_id)
                    .bind(&d.kind)
                    .bind(&d.lang)
                    .bind(&d.filename)
                    .bind(d.size)
                    .bind(&d.sha256)
                    .bind(&d.path)
                    .bind(d.created_at)
            })
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A generated audit row (what a use case would have written).
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub at: i64,
    /// `user`, `system`, `cli`.
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub subject_user_id: Option<String>,
}

/// Inserts audit rows.
pub async fn insert_audit(store: &Store, rows: &[AuditEntry]) -> Result<()> {
    let backend = store.backend();
    let mut tx = store.begin().await?;
    for chunk in rows.chunks(self::chunk(8)) {
        AUDIT
            .query(backend, chunk, |q, a| {
                q.bind(crate::new_id())
                    .bind(a.at)
                    .bind(&a.actor_kind)
                    .bind(a.actor_id.clone())
                    .bind(&a.action)
                    .bind(&a.record_type)
                    .bind(&a.record_id)
                    .bind(a.subject_user_id.clone())
            })
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A generated knowledge-base article (version 1), indexed here as
/// `contact::save_article` indexes it.
#[derive(Debug, Clone)]
pub struct ArticleRow {
    pub id: String,
    pub slug: String,
    pub department_id: Option<String>,
    pub title_nl: String,
    pub title_en: String,
    pub body_nl: String,
    pub body_en: String,
    pub tags: Vec<String>,
    pub at: i64,
}

/// Inserts articles with their first version and their search terms.
pub async fn insert_articles(store: &Store, rows: &[ArticleRow]) -> Result<()> {
    use loket_domain::contact::index_document;
    let backend = store.backend();
    let mut tx = store.begin().await?;
    let indexed: Vec<_> = rows
        .iter()
        .map(|a| {
            (
                index_document("nl", &a.title_nl, &a.tags, &a.body_nl),
                index_document("en", &a.title_en, &a.tags, &a.body_en),
            )
        })
        .collect();
    for (chunk, idx) in rows
        .chunks(self::chunk(14))
        .zip(indexed.chunks(self::chunk(14)))
    {
        let with_index: Vec<_> = chunk.iter().zip(idx).collect();
        ARTICLES
            .query(backend, &with_index, |q, (a, (nl, en))| {
                q.bind(&a.id)
                    .bind(&a.slug)
                    .bind(a.department_id.clone())
                    .bind(1_i64)
                    .bind(&a.title_nl)
                    .bind(&a.title_en)
                    .bind(&a.body_nl)
                    .bind(&a.body_en)
                    .bind(a.tags.join(", "))
                    .bind(nl.length)
                    .bind(en.length)
                    .bind(a.at)
                    .bind(a.at)
                    .bind(None::<String>)
            })
            .execute(&mut *tx)
            .await?;
        VERSIONS
            .query(backend, chunk, |q, a| {
                q.bind(&a.id)
                    .bind(1_i64)
                    .bind(a.department_id.clone())
                    .bind(&a.title_nl)
                    .bind(&a.title_en)
                    .bind(&a.body_nl)
                    .bind(&a.body_en)
                    .bind(a.tags.join(", "))
                    .bind(a.at)
            })
            .execute(&mut *tx)
            .await?;
        let terms: Vec<(&str, &str, &String, i64, i64)> = chunk
            .iter()
            .zip(idx)
            .flat_map(|(a, (nl, en))| {
                nl.terms
                    .iter()
                    .map(move |(t, w)| (a.id.as_str(), "nl", t, *w, nl.length))
                    .chain(
                        en.terms
                            .iter()
                            .map(move |(t, w)| (a.id.as_str(), "en", t, *w, en.length)),
                    )
            })
            .collect();
        for part in terms.chunks(self::chunk(5)) {
            TERMS
                .query(backend, part, |q, (id, lang, t, w, len)| {
                    q.bind(*id)
                        .bind(*lang)
                        .bind((*t).clone())
                        .bind(*w)
                        .bind(*len)
                })
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Rows in each of the tables the scale benchmark fills, by SQL COUNT:
/// (table, rows).
pub async fn table_counts(store: &Store) -> Result<Vec<(&'static str, i64)>> {
    let mut out = Vec::new();
    for table in [
        "users",
        "cases",
        "case_events",
        "case_documents",
        "appointments",
        "contact_articles",
        "contact_moments",
        "audit_log",
    ] {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {table}"
        )))
        .fetch_one(store.pool())
        .await?;
        out.push((table, row.try_get::<i64, _>("n")?));
    }
    Ok(out)
}
