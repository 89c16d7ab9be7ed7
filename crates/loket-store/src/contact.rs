//! The contact centre's tables: departments, knowledge-base articles with
//! their versions and search index, views, contact moments and forwards.
//!
//! Search is portable: the index rows are computed in Rust
//! ([`loket_domain::contact::index_document`]) and looked up with plain
//! equality and `substr(term, 1, CAST(n AS INTEGER)) = prefix` (no collation-dependent range
//! comparisons), then ranked by BM25 in Rust. The same on both databases.

use crate::audit::{Change, record};
use crate::{Result, Store, StoreError, Tx, new_id, now_ms};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::contact::{
    self as rules, ArticleDraft, LANGS, MomentDraft, Posting, index_document, parse_query,
};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct Department {
    pub id: String,
    pub slug: String,
    pub name_nl: String,
    pub name_en: String,
    pub sla_days: i64,
}

impl Department {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_nl
        }
    }
}

fn department_of(r: &AnyRow) -> Result<Department> {
    Ok(Department {
        id: r.try_get(0)?,
        slug: r.try_get(1)?,
        name_nl: r.try_get(2)?,
        name_en: r.try_get(3)?,
        sla_days: r.try_get(4)?,
    })
}

/// Adds or updates a department (by slug). Returns its id.
pub async fn save_department(
    tx: &mut Tx,
    actor: &Actor,
    slug: &str,
    name_nl: &str,
    name_en: &str,
    sla_days: i64,
) -> Result<String> {
    let row = sqlx::query(
        "INSERT INTO contact_departments (id, slug, name_nl, name_en, sla_days, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slug) DO UPDATE SET name_nl = $3, \
         name_en = $4, sla_days = $5 RETURNING id",
    )
    .bind(new_id())
    .bind(slug)
    .bind(name_nl)
    .bind(name_en)
    .bind(sla_days)
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    let id: String = row.try_get(0)?;
    record(
        tx,
        actor,
        Change {
            action: "contact.department.save",
            record_type: "contact_department",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"slug": slug, "sla_days": sla_days})),
        },
    )
    .await?;
    Ok(id)
}

pub async fn list_departments(store: &Store) -> Result<Vec<Department>> {
    let rows = sqlx::query(
        "SELECT id, slug, name_nl, name_en, sla_days FROM contact_departments ORDER BY name_nl",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(department_of).collect()
}

/// The department with this slug or id.
pub async fn department(store: &Store, key: &str) -> Result<Option<Department>> {
    let row = sqlx::query(
        "SELECT id, slug, name_nl, name_en, sla_days FROM contact_departments WHERE slug = $1 OR id = $1",
    )
    .bind(key)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(department_of).transpose()
}

// ---------------------------------------------------------------------------
// Articles

#[derive(Debug, Clone, Serialize)]
pub struct Article {
    pub id: String,
    pub slug: String,
    pub department_id: Option<String>,
    pub version: i64,
    pub title_nl: String,
    pub title_en: String,
    pub body_nl: String,
    pub body_en: String,
    pub tags: String,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub review_on: Option<String>,
    pub updated_at: i64,
}

impl Article {
    pub fn title(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.title_en
        } else {
            &self.title_nl
        }
    }
    pub fn body(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.body_en
        } else {
            &self.body_nl
        }
    }
    pub fn tag_list(&self) -> Vec<String> {
        self.tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    }
    pub fn validity(&self, today: jiff::civil::Date) -> rules::Validity {
        let d = |s: &Option<String>| s.as_deref().and_then(|x| x.parse().ok());
        rules::validity(d(&self.valid_from), d(&self.valid_until), today)
    }
    pub fn review_due(&self, today: jiff::civil::Date) -> bool {
        rules::review_due(
            self.review_on.as_deref().and_then(|x| x.parse().ok()),
            today,
        )
    }
}

const ARTICLE_COLS: &str = "id, slug, department_id, version, title_nl, title_en, body_nl, body_en, \
     tags, valid_from, valid_until, review_on, updated_at";

fn article_of(r: &AnyRow) -> Result<Article> {
    Ok(Article {
        id: r.try_get(0)?,
        slug: r.try_get(1)?,
        department_id: r.try_get(2)?,
        version: r.try_get(3)?,
        title_nl: r.try_get(4)?,
        title_en: r.try_get(5)?,
        body_nl: r.try_get(6)?,
        body_en: r.try_get(7)?,
        tags: r.try_get(8)?,
        valid_from: r.try_get(9)?,
        valid_until: r.try_get(10)?,
        review_on: r.try_get(11)?,
        updated_at: r.try_get(12)?,
    })
}

/// Saves an article: a new one (`id` None) or a new version of `id`. Every
/// save writes a version row, rebuilds the article's index rows and an audit
/// row. Returns (id, version).
pub async fn save_article(
    tx: &mut Tx,
    actor: &Actor,
    id: Option<&str>,
    department_id: Option<&str>,
    d: &ArticleDraft,
) -> Result<(String, i64)> {
    let now = now_ms();
    let tags = d.tags.join(", ");
    let date = |x: Option<jiff::civil::Date>| x.map(|v| v.to_string());
    let idx_nl = index_document("nl", &d.title_nl, &d.tags, &d.body_nl);
    let idx_en = index_document("en", &d.title_en, &d.tags, &d.body_en);
    let taken = sqlx::query("SELECT id FROM contact_articles WHERE slug = $1")
        .bind(&d.slug)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get::<String, _>(0))
        .transpose()?;
    if taken.is_some() && taken.as_deref() != id {
        return Err(StoreError::Conflict(Invalid::one(
            "slug",
            "contact-slug-taken",
        )));
    }
    let (id, version) = match id {
        None => {
            let id = new_id();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO contact_articles ({ARTICLE_COLS}, length_nl, length_en, created_at, updated_by) \
                 VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $12, $15)"
            )))
            .bind(&id)
            .bind(&d.slug)
            .bind(department_id.map(str::to_owned))
            .bind(&d.title_nl)
            .bind(&d.title_en)
            .bind(&d.body_nl)
            .bind(&d.body_en)
            .bind(&tags)
            .bind(date(d.valid_from))
            .bind(date(d.valid_until))
            .bind(date(d.review_on))
            .bind(now)
            .bind(idx_nl.length)
            .bind(idx_en.length)
            .bind(actor.user_id().map(str::to_owned))
            .execute(&mut **tx)
            .await?;
            (id, 1)
        }
        Some(id) => {
            let row = sqlx::query(
                "UPDATE contact_articles SET version = version + 1, slug = $2, department_id = $3, \
                 title_nl = $4, title_en = $5, body_nl = $6, body_en = $7, tags = $8, valid_from = $9, \
                 valid_until = $10, review_on = $11, updated_at = $12, length_nl = $13, length_en = $14, \
                 updated_by = $15 WHERE id = $1 RETURNING version",
            )
            .bind(id)
            .bind(&d.slug)
            .bind(department_id.map(str::to_owned))
            .bind(&d.title_nl)
            .bind(&d.title_en)
            .bind(&d.body_nl)
            .bind(&d.body_en)
            .bind(&tags)
            .bind(date(d.valid_from))
            .bind(date(d.valid_until))
            .bind(date(d.review_on))
            .bind(now)
            .bind(idx_nl.length)
            .bind(idx_en.length)
            .bind(actor.user_id().map(str::to_owned))
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
            (id.to_owned(), row.try_get::<i64, _>(0)?)
        }
    };
    sqlx::query(
        "INSERT INTO contact_article_versions (article_id, version, department_id, title_nl, title_en, \
         body_nl, body_en, tags, valid_from, valid_until, review_on, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&id)
    .bind(version)
    .bind(department_id.map(str::to_owned))
    .bind(&d.title_nl)
    .bind(&d.title_en)
    .bind(&d.body_nl)
    .bind(&d.body_en)
    .bind(&tags)
    .bind(date(d.valid_from))
    .bind(date(d.valid_until))
    .bind(date(d.review_on))
    .bind(now)
    .bind(actor.user_id().map(str::to_owned))
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM contact_terms WHERE article_id = $1")
        .bind(&id)
        .execute(&mut **tx)
        .await?;
    for (lang, idx) in [("nl", &idx_nl), ("en", &idx_en)] {
        let terms: Vec<(&String, &i64)> = idx.terms.iter().collect();
        for chunk in terms.chunks(200) {
            // Many rows per statement: one round trip per 200 terms.
            let mut sql =
                String::from("INSERT INTO contact_terms (article_id, lang, term, weight) VALUES ");
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push_str(", ");
                }
                let b = i * 2 + 3;
                sql.push_str(&format!("($1, $2, ${}, ${})", b, b + 1));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&id).bind(lang);
            for (t, w) in chunk {
                q = q.bind((*t).clone()).bind(**w);
            }
            q.execute(&mut **tx).await?;
        }
    }
    record(
        tx,
        actor,
        Change {
            action: if version == 1 {
                "contact.article.create"
            } else {
                "contact.article.update"
            },
            record_type: "contact_article",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"slug": d.slug, "version": version})),
        },
    )
    .await?;
    Ok((id, version))
}

/// The article with this id or slug.
pub async fn article(store: &Store, key: &str) -> Result<Option<Article>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ARTICLE_COLS} FROM contact_articles WHERE id = $1 OR slug = $1"
    )))
    .bind(key)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(article_of).transpose()
}

pub async fn list_articles(store: &Store) -> Result<Vec<Article>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ARTICLE_COLS} FROM contact_articles ORDER BY title_nl"
    )))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(article_of).collect()
}

/// One saved version of an article (as an [`Article`] with that version's
/// content).
pub async fn article_version(store: &Store, id: &str, version: i64) -> Result<Option<Article>> {
    let row = sqlx::query(
        "SELECT v.article_id, a.slug, v.department_id, v.version, v.title_nl, v.title_en, v.body_nl, \
         v.body_en, v.tags, v.valid_from, v.valid_until, v.review_on, v.created_at \
         FROM contact_article_versions v JOIN contact_articles a ON a.id = v.article_id \
         WHERE v.article_id = $1 AND v.version = $2",
    )
    .bind(id)
    .bind(version)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(article_of).transpose()
}

/// (version, saved at, saved by name) of every version, newest first.
pub async fn article_versions(store: &Store, id: &str) -> Result<Vec<(i64, i64, String)>> {
    let rows = sqlx::query(
        "SELECT v.version, v.created_at, COALESCE(u.name, '') FROM contact_article_versions v \
         LEFT JOIN users u ON u.id = v.created_by WHERE v.article_id = $1 ORDER BY v.version DESC",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Searches the articles in `lang`. Returns (article, score), best first.
pub async fn search(store: &Store, lang: &str, q: &str) -> Result<Vec<(Article, f64)>> {
    let lang = if LANGS.contains(&lang) { lang } else { "nl" };
    let words = parse_query(lang, q);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let stats = sqlx::query(
        "SELECT COUNT(*), CAST(COALESCE(SUM(length_nl), 0) AS BIGINT), \
         CAST(COALESCE(SUM(length_en), 0) AS BIGINT) FROM contact_articles",
    )
    .fetch_one(store.pool())
    .await?;
    let n: i64 = stats.try_get(0)?;
    let total: i64 = stats.try_get(if lang == "en" { 2 } else { 1 })?;
    if n == 0 {
        return Ok(Vec::new());
    }
    let avg = total as f64 / n as f64;
    let mut hits = Vec::new();
    for w in &words {
        let exact_rows = sqlx::query(
            "SELECT t.article_id, t.weight, CASE WHEN $1 = 'en' THEN a.length_en ELSE a.length_nl END \
             FROM contact_terms t JOIN contact_articles a ON a.id = t.article_id \
             WHERE t.lang = $1 AND t.term = $2",
        )
        .bind(lang)
        .bind(&w.exact)
        .fetch_all(store.pool())
        .await?;
        let mut exact = HashMap::new();
        for r in &exact_rows {
            exact.insert(
                r.try_get::<String, _>(0)?,
                Posting {
                    tf: r.try_get::<i64, _>(1)? as f64,
                    doc_length: r.try_get::<i64, _>(2)? as f64,
                },
            );
        }
        let mut prefix = HashMap::new();
        if let Some(p) = &w.prefix {
            let rows = sqlx::query(
                "SELECT t.article_id, MAX(t.weight), MAX(CASE WHEN $1 = 'en' THEN a.length_en ELSE a.length_nl END) \
                 FROM contact_terms t JOIN contact_articles a ON a.id = t.article_id \
                 WHERE t.lang = $1 AND substr(t.term, 1, CAST($2 AS INTEGER)) = $3 GROUP BY t.article_id",
            )
            .bind(lang)
            .bind(i64::try_from(p.chars().count()).unwrap_or(i64::MAX))
            .bind(p)
            .fetch_all(store.pool())
            .await?;
            for r in &rows {
                prefix.insert(
                    r.try_get::<String, _>(0)?,
                    Posting {
                        tf: r.try_get::<i64, _>(1)? as f64,
                        doc_length: r.try_get::<i64, _>(2)? as f64,
                    },
                );
            }
        }
        hits.push((exact, prefix));
    }
    let ranked = rules::rank(&hits, usize::try_from(n).unwrap_or(0), avg);
    let mut out = Vec::new();
    for (id, score) in ranked.into_iter().take(50) {
        if let Some(a) = article(store, &id).await? {
            out.push((a, score));
        }
    }
    Ok(out)
}

/// Records a search (for the report of knowledge-base gaps: the searches
/// that found nothing).
pub async fn record_search(
    store: &Store,
    day: &str,
    lang: &str,
    query: &str,
    results: usize,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO contact_searches (id, day, lang, query, results, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(day)
    .bind(lang)
    .bind(query.chars().take(200).collect::<String>())
    .bind(i64::try_from(results).unwrap_or(i64::MAX))
    .bind(now_ms())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Counts one resident view of an article on `day`.
pub async fn record_view(store: &Store, article_id: &str, day: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO contact_views (article_id, day, views) VALUES ($1, $2, 1) \
         ON CONFLICT (article_id, day) DO UPDATE SET views = contact_views.views + 1",
    )
    .bind(article_id)
    .bind(day)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// The most viewed articles from `since` (a date) on: (article, views).
pub async fn most_viewed(store: &Store, since: &str, limit: i64) -> Result<Vec<(Article, i64)>> {
    let rows = sqlx::query(
        "SELECT article_id, CAST(SUM(views) AS BIGINT) AS n FROM contact_views WHERE day >= $1 \
         GROUP BY article_id ORDER BY n DESC, article_id LIMIT $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id: String = r.try_get(0)?;
        if let Some(a) = article(store, &id).await? {
            out.push((a, r.try_get(1)?));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Contact moments

#[derive(Debug, Clone, Serialize)]
pub struct Moment {
    pub id: String,
    pub reference: String,
    pub channel: String,
    pub status: String,
    pub resident_id: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub subject: String,
    pub question: String,
    pub answer: String,
    pub outcome: String,
    pub duration_minutes: i64,
    pub agent_id: Option<String>,
    pub case_id: Option<String>,
    pub appointment_id: Option<String>,
    pub created_at: i64,
}

const MOMENT_COLS: &str = "id, reference, channel, status, resident_id, contact_name, contact_email, subject, \
     question, answer, outcome, duration_minutes, agent_id, case_id, appointment_id, created_at";

fn moment_of(r: &AnyRow) -> Result<Moment> {
    Ok(Moment {
        id: r.try_get(0)?,
        reference: r.try_get(1)?,
        channel: r.try_get(2)?,
        status: r.try_get(3)?,
        resident_id: r.try_get(4)?,
        contact_name: r.try_get(5)?,
        contact_email: r.try_get(6)?,
        subject: r.try_get(7)?,
        question: r.try_get(8)?,
        answer: r.try_get(9)?,
        outcome: r.try_get(10)?,
        duration_minutes: r.try_get(11)?,
        agent_id: r.try_get(12)?,
        case_id: r.try_get(13)?,
        appointment_id: r.try_get(14)?,
        created_at: r.try_get(15)?,
    })
}

/// Who the moment is about.
pub struct MomentParty<'a> {
    pub resident_id: Option<&'a str>,
    pub name: &'a str,
    pub email: &'a str,
}

/// Logs a contact moment (status `intake` when asked on the web, else
/// `open`, or `closed` when answered), with linked articles and an audit
/// row. Returns the moment.
pub async fn create_moment(
    tx: &mut Tx,
    actor: &Actor,
    year: i16,
    status: &str,
    party: &MomentParty<'_>,
    d: &MomentDraft,
    articles: &[String],
) -> Result<Moment> {
    sqlx::query(
        "INSERT INTO contact_numbers (year, last) VALUES ($1, 0) ON CONFLICT (year) DO NOTHING",
    )
    .bind(i64::from(year))
    .execute(&mut **tx)
    .await?;
    let n: i64 =
        sqlx::query("UPDATE contact_numbers SET last = last + 1 WHERE year = $1 RETURNING last")
            .bind(i64::from(year))
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
    let reference = format!("C-{year}-{n:06}");
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO contact_moments (id, reference, channel, status, resident_id, contact_name, contact_email, \
         subject, question, answer, outcome, duration_minutes, agent_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
    )
    .bind(&id)
    .bind(&reference)
    .bind(&d.channel)
    .bind(status)
    .bind(party.resident_id.map(str::to_owned))
    .bind(party.name)
    .bind(party.email)
    .bind(&d.subject)
    .bind(&d.question)
    .bind(&d.answer)
    .bind(&d.outcome)
    .bind(d.duration_minutes)
    .bind(actor.user_id().map(str::to_owned))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for a in articles {
        sqlx::query(
            "INSERT INTO contact_moment_articles (moment_id, article_id) \
             SELECT $1, id FROM contact_articles WHERE id = $2 ON CONFLICT (moment_id, article_id) DO NOTHING",
        )
        .bind(&id)
        .bind(a)
        .execute(&mut **tx)
        .await?;
    }
    record(
        tx,
        actor,
        Change {
            action: "contact.moment.create",
            record_type: "contact_moment",
            record_id: &id,
            subject_user_id: party.resident_id,
            before: None,
            after: Some(
                json!({"reference": reference, "channel": d.channel, "outcome": d.outcome}),
            ),
        },
    )
    .await?;
    moment_in(tx, &id).await?.ok_or(StoreError::NotFound)
}

async fn moment_in(tx: &mut Tx, id: &str) -> Result<Option<Moment>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {MOMENT_COLS} FROM contact_moments WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(moment_of).transpose()
}

/// The moment with this id or reference.
pub async fn moment(store: &Store, key: &str) -> Result<Option<Moment>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {MOMENT_COLS} FROM contact_moments WHERE id = $1 OR reference = $1"
    )))
    .bind(key)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(moment_of).transpose()
}

/// Moments, newest first; `status` '' for all; `resident_id` '' for all.
pub async fn list_moments(
    store: &Store,
    status: &str,
    resident_id: &str,
    limit: i64,
) -> Result<Vec<Moment>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {MOMENT_COLS} FROM contact_moments WHERE ($1 = '' OR status = $1) \
         AND ($2 = '' OR resident_id = $2) ORDER BY created_at DESC, id DESC LIMIT $3"
    )))
    .bind(status)
    .bind(resident_id)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(moment_of).collect()
}

/// The articles linked to a moment: (id, slug, title_nl, title_en).
pub async fn moment_articles(store: &Store, id: &str) -> Result<Vec<Article>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM contact_articles a JOIN contact_moment_articles m ON m.article_id = a.id \
         WHERE m.moment_id = $1 ORDER BY a.title_nl",
        ARTICLE_COLS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    )))
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(article_of).collect()
}

/// Links a case or an appointment started from a moment: the moment's
/// outcome becomes `case_started` or `appointment_booked` and it is closed.
/// Called in the transaction that creates the case or the appointment.
/// A moment logged without a resident gets the resident of the case or
/// appointment (it then shows in their history).
pub async fn link_moment(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    resident_id: &str,
    case_id: Option<&str>,
    appointment_id: Option<&str>,
) -> Result<()> {
    let outcome = if case_id.is_some() {
        "case_started"
    } else {
        "appointment_booked"
    };
    let done = sqlx::query(
        "UPDATE contact_moments SET case_id = COALESCE($2, case_id), \
         appointment_id = COALESCE($3, appointment_id), outcome = $4, \
         status = CASE WHEN status = 'forwarded' THEN status ELSE 'closed' END, \
         updated_at = $5, resident_id = COALESCE(resident_id, $6) WHERE id = $1 RETURNING resident_id",
    )
    .bind(id)
    .bind(case_id.map(str::to_owned))
    .bind(appointment_id.map(str::to_owned))
    .bind(outcome)
    .bind(now_ms())
    .bind(resident_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = done else {
        return Err(StoreError::NotFound);
    };
    let resident: Option<String> = row.try_get(0)?;
    record(
        tx,
        actor,
        Change {
            action: "contact.moment.link",
            record_type: "contact_moment",
            record_id: id,
            subject_user_id: resident.as_deref(),
            before: None,
            after: Some(
                json!({"case_id": case_id, "appointment_id": appointment_id, "outcome": outcome}),
            ),
        },
    )
    .await
}

// ---------------------------------------------------------------------------
// Forwards

#[derive(Debug, Clone, Serialize)]
pub struct Forward {
    pub id: String,
    pub moment_id: String,
    pub department_id: String,
    pub note: String,
    pub due_on: String,
    pub status: String,
    pub answer: String,
    pub answered_at: Option<i64>,
    pub created_at: i64,
    pub reference: String,
    pub subject: String,
    pub question: String,
    /// Since when the clock is paused (status `waiting`).
    pub paused_on: Option<String>,
    /// Working days the clock stood still so far (already in `due_on`).
    pub paused_days: i64,
    /// What the department asked the resident when it paused the clock.
    pub waiting_question: String,
}

const FORWARD_SELECT: &str = "SELECT f.id, f.moment_id, f.department_id, f.note, f.due_on, f.status, f.answer, \
     f.answered_at, f.created_at, m.reference, m.subject, m.question, f.paused_on, f.paused_days, \
     f.waiting_question FROM contact_forwards f JOIN contact_moments m ON m.id = f.moment_id";

fn forward_of(r: &AnyRow) -> Result<Forward> {
    Ok(Forward {
        id: r.try_get(0)?,
        moment_id: r.try_get(1)?,
        department_id: r.try_get(2)?,
        note: r.try_get(3)?,
        due_on: r.try_get(4)?,
        status: r.try_get(5)?,
        answer: r.try_get(6)?,
        answered_at: r.try_get(7)?,
        created_at: r.try_get(8)?,
        reference: r.try_get(9)?,
        subject: r.try_get(10)?,
        question: r.try_get(11)?,
        paused_on: r.try_get(12)?,
        paused_days: r.try_get(13)?,
        waiting_question: r.try_get(14)?,
    })
}

/// Forwards a moment to a department's queue, due on `due_on`; the moment
/// becomes `forwarded`.
pub async fn create_forward(
    tx: &mut Tx,
    actor: &Actor,
    moment_id: &str,
    department_id: &str,
    note: &str,
    due_on: &str,
) -> Result<String> {
    let id = new_id();
    let done = sqlx::query(
        "UPDATE contact_moments SET status = 'forwarded', outcome = 'forwarded', updated_at = $2 WHERE id = $1",
    )
    .bind(moment_id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    sqlx::query(
        "INSERT INTO contact_forwards (id, moment_id, department_id, note, due_on, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7)",
    )
    .bind(&id)
    .bind(moment_id)
    .bind(department_id)
    .bind(note)
    .bind(due_on)
    .bind(actor.user_id().map(str::to_owned))
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    record(
        tx,
        actor,
        Change {
            action: "contact.forward.create",
            record_type: "contact_forward",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(
                json!({"moment_id": moment_id, "department_id": department_id, "due_on": due_on}),
            ),
        },
    )
    .await?;
    Ok(id)
}

pub async fn forward(store: &Store, id: &str) -> Result<Option<Forward>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{FORWARD_SELECT} WHERE f.id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(forward_of).transpose()
}

/// A department's forwards (`status` '' for all), oldest due first.
pub async fn list_forwards(
    store: &Store,
    department_id: &str,
    status: &str,
) -> Result<Vec<Forward>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{FORWARD_SELECT} WHERE ($1 = '' OR f.department_id = $1) AND ($2 = '' OR f.status = $2) \
         ORDER BY f.due_on, f.created_at"
    )))
    .bind(department_id)
    .bind(status)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(forward_of).collect()
}

/// The forwards of one moment.
pub async fn forwards_of(store: &Store, moment_id: &str) -> Result<Vec<Forward>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{FORWARD_SELECT} WHERE f.moment_id = $1 ORDER BY f.created_at"
    )))
    .bind(moment_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(forward_of).collect()
}

/// Answers an open forward (once: a closed forward refuses with a field
/// error and nothing changes); the moment is closed with the answer.
pub async fn answer_forward(tx: &mut Tx, actor: &Actor, id: &str, answer: &str) -> Result<Forward> {
    let now = now_ms();
    let row = sqlx::query(
        "UPDATE contact_forwards SET status = 'answered', answer = $2, answered_by = $3, answered_at = $4 \
         WHERE id = $1 AND status IN ('open', 'waiting') RETURNING moment_id",
    )
    .bind(id)
    .bind(answer)
    .bind(actor.user_id().map(str::to_owned))
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        let exists = sqlx::query("SELECT id FROM contact_forwards WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        return Err(match exists {
            Some(_) => StoreError::Invalid(Invalid::one("answer", "contact-forward-closed")),
            None => StoreError::NotFound,
        });
    };
    let moment_id: String = row.try_get(0)?;
    sqlx::query(
        "UPDATE contact_moments SET status = 'closed', answer = $2, updated_at = $3 WHERE id = $1",
    )
    .bind(&moment_id)
    .bind(answer)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    record(
        tx,
        actor,
        Change {
            action: "contact.forward.answer",
            record_type: "contact_forward",
            record_id: id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"status": "answered"})),
        },
    )
    .await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{FORWARD_SELECT} WHERE f.id = $1"
    )))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    forward_of(&row)
}

/// Pauses an open forward's clock on `today` (the department waits for the
/// resident, who was asked `question`). Refused (and nothing changes) when
/// the forward is not open.
pub async fn pause_forward(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    today: &str,
    question: &str,
) -> Result<Forward> {
    let done = sqlx::query(
        "UPDATE contact_forwards SET status = 'waiting', paused_on = $2, waiting_question = $3 \
         WHERE id = $1 AND status = 'open' RETURNING id",
    )
    .bind(id)
    .bind(today)
    .bind(question)
    .fetch_optional(&mut **tx)
    .await?;
    if done.is_none() {
        return Err(not_open(tx, id, "question").await);
    }
    record(
        tx,
        actor,
        Change {
            action: "contact.forward.pause",
            record_type: "contact_forward",
            record_id: id,
            subject_user_id: None,
            before: Some(json!({"status": "open"})),
            after: Some(json!({"status": "waiting", "paused_on": today})),
        },
    )
    .await?;
    forward_in(tx, id).await
}

/// Resumes a waiting forward on `today`: the due date moves by the working
/// days the clock stood still ([`rules::resumed_due`]). Refused when the
/// forward is not waiting.
pub async fn resume_forward(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    today: jiff::civil::Date,
) -> Result<Forward> {
    // Lock the row first (a no-op update), then compute from what it holds.
    let row = sqlx::query(
        "UPDATE contact_forwards SET status = status WHERE id = $1 AND status = 'waiting' \
         RETURNING due_on, paused_on",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Err(not_open(tx, id, "forward").await);
    };
    let due_s: String = row.try_get(0)?;
    let paused_s: Option<String> = row.try_get(1)?;
    let parse = |s: &str| s.parse::<jiff::civil::Date>().ok();
    let (Some(due), Some(paused)) = (parse(&due_s), paused_s.as_deref().and_then(parse)) else {
        return Err(StoreError::Invalid(Invalid::one(
            "forward",
            "contact-forward-closed",
        )));
    };
    let (new_due, days) = rules::resumed_due(due, paused, today);
    sqlx::query(
        "UPDATE contact_forwards SET status = 'open', paused_on = NULL, due_on = $2, \
         paused_days = paused_days + $3 WHERE id = $1",
    )
    .bind(id)
    .bind(new_due.to_string())
    .bind(days)
    .execute(&mut **tx)
    .await?;
    record(
        tx,
        actor,
        Change {
            action: "contact.forward.resume",
            record_type: "contact_forward",
            record_id: id,
            subject_user_id: None,
            before: Some(json!({"status": "waiting", "due_on": due_s})),
            after: Some(
                json!({"status": "open", "due_on": new_due.to_string(), "paused_days": days}),
            ),
        },
    )
    .await?;
    forward_in(tx, id).await
}

/// The waiting forwards of a moment (resumed when the resident answers).
pub async fn waiting_forwards_in(tx: &mut Tx, moment_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT id FROM contact_forwards WHERE moment_id = $1 AND status = 'waiting' ORDER BY created_at",
    )
    .bind(moment_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

async fn forward_in(tx: &mut Tx, id: &str) -> Result<Forward> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{FORWARD_SELECT} WHERE f.id = $1"
    )))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    forward_of(&row)
}

/// The error for an action on a forward in the wrong state: not found, or
/// a field error on `field`.
async fn not_open(tx: &mut Tx, id: &str, field: &str) -> StoreError {
    let exists = sqlx::query("SELECT status FROM contact_forwards WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await;
    match exists {
        Ok(Some(r)) => {
            let status: String = r.try_get(0).unwrap_or_default();
            let code = match status.as_str() {
                "waiting" => "contact-forward-waiting",
                "open" => "contact-forward-not-waiting",
                _ => "contact-forward-closed",
            };
            StoreError::Invalid(Invalid::one(field, code))
        }
        Ok(None) => StoreError::NotFound,
        Err(e) => e.into(),
    }
}

/// A follow-up message on a moment (`in` from the resident, `out` to them).
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub id: String,
    pub direction: String,
    pub sender: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
}

/// Adds a follow-up message. `message_id` (an e-mail's Message-ID) is
/// imported once: a second time returns `Ok(false)` and changes nothing.
#[allow(clippy::too_many_arguments)]
pub async fn add_message(
    tx: &mut Tx,
    actor: &Actor,
    moment_id: &str,
    direction: &str,
    sender: &str,
    subject: &str,
    body: &str,
    message_id: Option<&str>,
) -> Result<bool> {
    let id = new_id();
    let done = sqlx::query(
        "INSERT INTO contact_messages (id, moment_id, direction, sender, subject, body, message_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(&id)
    .bind(moment_id)
    .bind(direction)
    .bind(sender)
    .bind(subject)
    .bind(body)
    .bind(message_id.map(str::to_owned))
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE contact_moments SET updated_at = $2 WHERE id = $1")
        .bind(moment_id)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    record(
        tx,
        actor,
        Change {
            action: "contact.message.add",
            record_type: "contact_moment",
            record_id: moment_id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"direction": direction, "message": id})),
        },
    )
    .await?;
    Ok(true)
}

pub async fn messages(store: &Store, moment_id: &str) -> Result<Vec<Message>> {
    let rows = sqlx::query(
        "SELECT id, direction, sender, subject, body, created_at FROM contact_messages \
         WHERE moment_id = $1 ORDER BY created_at, id",
    )
    .bind(moment_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Message {
                id: r.try_get(0)?,
                direction: r.try_get(1)?,
                sender: r.try_get(2)?,
                subject: r.try_get(3)?,
                body: r.try_get(4)?,
                created_at: r.try_get(5)?,
            })
        })
        .collect()
}

/// Whether an e-mail with this Message-ID was imported already (as a moment
/// or as a follow-up message).
pub async fn message_imported(store: &Store, message_id: &str) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 FROM contact_moments WHERE message_id = $1 \
         UNION ALL SELECT 1 FROM contact_messages WHERE message_id = $1",
    )
    .bind(message_id)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.is_some())
}

/// Notes the Message-ID of the e-mail a moment was made from.
pub async fn set_moment_message_id(tx: &mut Tx, id: &str, message_id: &str) -> Result<()> {
    sqlx::query("UPDATE contact_moments SET message_id = $2 WHERE id = $1")
        .bind(id)
        .bind(message_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A closed moment that gets a new message from the resident is open again.
pub async fn reopen_moment(tx: &mut Tx, id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE contact_moments SET status = 'open', updated_at = $2 WHERE id = $1 AND status = 'closed'",
    )
    .bind(id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Reports a mail file that could not be read (it was moved aside).
pub async fn record_mail_reject(store: &Store, file_name: &str, reason: &str) -> Result<()> {
    let mut tx = store.begin().await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO contact_mail_rejects (id, file_name, reason, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&id)
    .bind(file_name)
    .bind(reason)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        &Actor::System,
        Change {
            action: "contact.mail.reject",
            record_type: "contact_mail_reject",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"file": file_name, "reason": reason})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The mail files refused lately: (file name, reason, when), newest first.
pub async fn mail_rejects(store: &Store, limit: i64) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT file_name, reason, created_at FROM contact_mail_rejects ORDER BY created_at DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// A mail-in source's health, as the report page shows it.
#[derive(Debug, Clone)]
pub struct MailSource {
    /// `maildir:/path` or `imap:user@host/mailbox` (no password).
    pub source: String,
    pub last_ok_at: Option<i64>,
    pub last_error_at: Option<i64>,
    pub last_error: Option<String>,
}

impl MailSource {
    /// The last pass failed (and no pass has worked since).
    pub fn failing(&self) -> bool {
        self.last_error_at
            .is_some_and(|e| self.last_ok_at.is_none_or(|ok| e > ok))
    }
}

/// Notes the result of one pass over a mail-in source.
pub async fn record_mail_pass(store: &Store, source: &str, error: Option<&str>) -> Result<()> {
    let now = now_ms();
    let (ok_at, err_at) = match error {
        None => (Some(now), None),
        Some(_) => (None, Some(now)),
    };
    // The error text is kept (bounded) until a pass works again.
    let error: Option<String> = error.map(|e| e.chars().take(500).collect());
    sqlx::query(
        "INSERT INTO contact_mail_sources (source, last_ok_at, last_error_at, last_error, updated_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (source) DO UPDATE SET \
           last_ok_at = COALESCE(excluded.last_ok_at, contact_mail_sources.last_ok_at), \
           last_error_at = COALESCE(excluded.last_error_at, contact_mail_sources.last_error_at), \
           last_error = CASE WHEN excluded.last_error IS NULL THEN contact_mail_sources.last_error \
                             ELSE excluded.last_error END, \
           updated_at = excluded.updated_at",
    )
    .bind(source)
    .bind(ok_at)
    .bind(err_at)
    .bind(error)
    .bind(now)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Every mail-in source that has run, by name.
pub async fn mail_sources(store: &Store) -> Result<Vec<MailSource>> {
    let rows = sqlx::query(
        "SELECT source, last_ok_at, last_error_at, last_error FROM contact_mail_sources ORDER BY source",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MailSource {
                source: r.try_get(0)?,
                last_ok_at: r.try_get(1)?,
                last_error_at: r.try_get(2)?,
                last_error: r.try_get(3)?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Report

/// One contact moment as the report counts it.
#[derive(Debug, Clone)]
pub struct ReportMoment {
    pub id: String,
    pub created_at: i64,
    pub channel: String,
    pub outcome: String,
    pub subject: String,
    pub reference: String,
    /// How many articles were linked.
    pub articles: i64,
}

/// The moments made in `[from_ms, to_ms)`, oldest first.
pub async fn report_moments(store: &Store, from_ms: i64, to_ms: i64) -> Result<Vec<ReportMoment>> {
    let rows = sqlx::query(
        "SELECT m.id, m.created_at, m.channel, m.outcome, m.subject, m.reference, \
         (SELECT COUNT(*) FROM contact_moment_articles a WHERE a.moment_id = m.id) \
         FROM contact_moments m WHERE m.created_at >= $1 AND m.created_at < $2 \
         ORDER BY m.created_at, m.id",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ReportMoment {
                id: r.try_get(0)?,
                created_at: r.try_get(1)?,
                channel: r.try_get(2)?,
                outcome: r.try_get(3)?,
                subject: r.try_get(4)?,
                reference: r.try_get(5)?,
                articles: r.try_get(6)?,
            })
        })
        .collect()
}

/// Per department: (department id, forwards made in `[from_ms, to_ms)`,
/// forwards still open or waiting and past their due date on `today`).
pub async fn report_forwards(
    store: &Store,
    from_ms: i64,
    to_ms: i64,
    today: &str,
) -> Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT d.id, \
         (SELECT COUNT(*) FROM contact_forwards f WHERE f.department_id = d.id \
            AND f.created_at >= $1 AND f.created_at < $2), \
         (SELECT COUNT(*) FROM contact_forwards f WHERE f.department_id = d.id \
            AND f.status = 'open' AND f.due_on < $3) \
         FROM contact_departments d ORDER BY d.name_nl",
    )
    .bind(from_ms)
    .bind(to_ms)
    .bind(today)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// The articles linked most to moments of `[from_ms, to_ms)`: (article, uses).
pub async fn report_top_articles(
    store: &Store,
    from_ms: i64,
    to_ms: i64,
    limit: i64,
) -> Result<Vec<(Article, i64)>> {
    let rows = sqlx::query(
        "SELECT a.article_id, COUNT(*) AS n FROM contact_moment_articles a \
         JOIN contact_moments m ON m.id = a.moment_id \
         WHERE m.created_at >= $1 AND m.created_at < $2 \
         GROUP BY a.article_id ORDER BY n DESC, a.article_id LIMIT $3",
    )
    .bind(from_ms)
    .bind(to_ms)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id: String = r.try_get(0)?;
        if let Some(a) = article(store, &id).await? {
            out.push((a, r.try_get(1)?));
        }
    }
    Ok(out)
}

/// Searches that found nothing on days `[from, to]`: (query, times), most
/// frequent first.
pub async fn report_empty_searches(
    store: &Store,
    from: &str,
    to: &str,
    limit: i64,
) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT lower(query) AS q, COUNT(*) AS n FROM contact_searches \
         WHERE results = 0 AND day >= $1 AND day <= $2 \
         GROUP BY lower(query) ORDER BY n DESC, q LIMIT $3",
    )
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Moves a moment (and its forwards) back in time: for demo data only.
pub async fn backdate_moment(tx: &mut Tx, id: &str, created_at: i64) -> Result<()> {
    sqlx::query("UPDATE contact_moments SET created_at = $2, updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(created_at)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE contact_forwards SET created_at = $2 WHERE moment_id = $1")
        .bind(id)
        .bind(created_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// How many moments there are.
pub async fn count_moments(store: &Store) -> Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM contact_moments")
        .fetch_one(store.pool())
        .await?
        .try_get(0)?)
}
