//! Contact moments.

use super::*;
use crate::paging::{self, Order};
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};

#[derive(Debug, Clone, Serialize)]
pub struct Moment {
    pub id: String,
    pub reference: String,
    pub channel: String,
    pub status: MomentStatus,
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
    /// Came by mail naming another moment's reference, without its reply
    /// token and from another address: the sender is not verified.
    pub sender_unverified: bool,
}

pub(super) const MOMENT_COLS: &str = "id, reference, channel, status, resident_id, contact_name, contact_email, subject, \
     question, answer, outcome, duration_minutes, agent_id, case_id, appointment_id, created_at, sender_unverified";

pub(super) fn moment_of(r: &AnyRow) -> Result<Moment> {
    Ok(Moment {
        id: r.try_get("id")?,
        reference: r.try_get("reference")?,
        channel: r.try_get("channel")?,
        status: crate::status(r, "status")?,
        resident_id: r.try_get("resident_id")?,
        contact_name: r.try_get("contact_name")?,
        contact_email: r.try_get("contact_email")?,
        subject: r.try_get("subject")?,
        question: r.try_get("question")?,
        answer: r.try_get("answer")?,
        outcome: r.try_get("outcome")?,
        duration_minutes: r.try_get("duration_minutes")?,
        agent_id: r.try_get("agent_id")?,
        case_id: r.try_get("case_id")?,
        appointment_id: r.try_get("appointment_id")?,
        created_at: r.try_get("created_at")?,
        sender_unverified: r.try_get::<i64, _>("sender_unverified")? != 0,
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
    let n = crate::capacity::next_in_year(tx, "contact_numbers", i64::from(year)).await?;
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

pub(super) async fn moment_in(tx: &mut Tx, id: &str) -> Result<Option<Moment>> {
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

/// The moment list's cursors: keyset on (created_at, id), newest first.
pub const MOMENT_PAGING: Spec = Spec {
    list: "contact.moments",
    keys: &[KeyKind::Int, KeyKind::Text],
};

const MOMENT_WHERE: &str = "($1 = '' OR status = $1) AND ($2 = '' OR resident_id = $2)";

/// One page of moments, newest first; `status` '' for all; `resident_id`
/// '' for all.
pub async fn moments_page(
    store: &Store,
    status: &str,
    resident_id: &str,
    pq: &PageQuery,
) -> Result<Page<Moment>> {
    paging::Select::new(
        format!("SELECT {MOMENT_COLS} FROM contact_moments WHERE {MOMENT_WHERE}"),
        &["created_at", "id"],
        Order::Desc,
    )
    .arg(status)
    .arg(resident_id)
    .page(store, pq, &MOMENT_PAGING, moment_of, |m| {
        vec![Key::from(m.created_at), Key::from(m.id.as_str())]
    })
    .await
}

/// How many moments [`moments_page`] pages through, up to `cap`.
pub async fn moments_total(
    store: &Store,
    status: &str,
    resident_id: &str,
    cap: i64,
) -> Result<Total> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM contact_moments WHERE {MOMENT_WHERE} LIMIT $3) t"
    )))
    .bind(status.to_owned())
    .bind(resident_id.to_owned())
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
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
    let resident: Option<String> = row.try_get("resident_id")?;
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

/// Marks a moment that came by mail from an unverified sender.
pub async fn mark_sender_unverified(tx: &mut Tx, moment_id: &str) -> Result<()> {
    sqlx::query("UPDATE contact_moments SET sender_unverified = 1 WHERE id = $1")
        .bind(moment_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
