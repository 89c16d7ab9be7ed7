//! Forwards to departments, with due dates and a clock that pauses.

use super::*;
use crate::paging::{self, Order};
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};

#[derive(Debug, Clone, Serialize)]
pub struct Forward {
    pub id: String,
    pub moment_id: String,
    pub department_id: String,
    pub note: String,
    pub due_on: String,
    pub status: ForwardStatus,
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
    /// The moment's linked resident, if any (the access log's subject).
    pub resident_id: Option<String>,
}

pub(super) const FORWARD_SELECT: &str = "SELECT f.id, f.moment_id, f.department_id, f.note, f.due_on, f.status, f.answer, \
     f.answered_at, f.created_at, m.reference, m.subject, m.question, f.paused_on, f.paused_days, \
     f.waiting_question, m.resident_id FROM contact_forwards f JOIN contact_moments m ON m.id = f.moment_id";

pub(super) fn forward_of(r: &AnyRow) -> Result<Forward> {
    Ok(Forward {
        id: r.try_get("id")?,
        moment_id: r.try_get("moment_id")?,
        department_id: r.try_get("department_id")?,
        note: r.try_get("note")?,
        due_on: r.try_get("due_on")?,
        status: crate::status(r, "status")?,
        answer: r.try_get("answer")?,
        answered_at: r.try_get("answered_at")?,
        created_at: r.try_get("created_at")?,
        reference: r.try_get("reference")?,
        subject: r.try_get("subject")?,
        question: r.try_get("question")?,
        paused_on: r.try_get("paused_on")?,
        paused_days: r.try_get("paused_days")?,
        waiting_question: r.try_get("waiting_question")?,
        resident_id: r.try_get("resident_id")?,
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

/// A department's forwards (`status` '' for all), oldest due first. With a
/// `viewer` (need to know), only the forwards to the departments of that
/// staff account (`staff_departments`, by the department's slug); '' for
/// every department.
pub async fn list_forwards(
    store: &Store,
    department_id: &str,
    status: &str,
    viewer: &str,
) -> Result<Vec<Forward>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{FORWARD_SELECT} WHERE ($1 = '' OR f.department_id = $1) AND ($2 = '' OR f.status = $2) \
           AND ($3 = '' OR f.department_id IN (SELECT d.id FROM contact_departments d \
                JOIN staff_departments s ON s.department = d.slug WHERE s.user_id = $3)) \
         ORDER BY f.due_on, f.created_at"
    )))
    .bind(department_id)
    .bind(status)
    .bind(viewer)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(forward_of).collect()
}

/// A department's forward list's cursors: keyset on (due_on, created_at,
/// id), oldest due first.
pub const FORWARD_PAGING: Spec = Spec {
    list: "contact.forwards",
    keys: &[KeyKind::Text, KeyKind::Int, KeyKind::Text],
};

const FORWARD_WHERE: &str = "($1 = '' OR f.department_id = $1) AND ($2 = '' OR f.status = $2) \
     AND ($3 = '' OR f.department_id IN (SELECT d.id FROM contact_departments d \
          JOIN staff_departments s ON s.department = d.slug WHERE s.user_id = $3))";

/// One page of [`list_forwards`]: oldest due first, by (due_on,
/// created_at, id).
pub async fn forwards_page(
    store: &Store,
    department_id: &str,
    status: &str,
    viewer: &str,
    pq: &PageQuery,
) -> Result<Page<Forward>> {
    paging::Select::new(
        format!("{FORWARD_SELECT} WHERE {FORWARD_WHERE}"),
        &["f.due_on", "f.created_at", "f.id"],
        Order::Asc,
    )
    .arg(department_id)
    .arg(status)
    .arg(viewer)
    .page(store, pq, &FORWARD_PAGING, forward_of, |f| {
        vec![
            Key::from(f.due_on.as_str()),
            Key::from(f.created_at),
            Key::from(f.id.as_str()),
        ]
    })
    .await
}

/// How many forwards [`forwards_page`] pages through, up to `cap`, and how
/// many of them are open past their due day (`today`), exactly.
pub async fn forwards_total(
    store: &Store,
    department_id: &str,
    status: &str,
    viewer: &str,
    today: &str,
    cap: i64,
) -> Result<(Total, i64)> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM contact_forwards f WHERE {FORWARD_WHERE} LIMIT $4) t"
    )))
    .bind(department_id.to_owned())
    .bind(status.to_owned())
    .bind(viewer.to_owned())
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    let overdue = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM contact_forwards f WHERE {FORWARD_WHERE} \
         AND f.status = 'open' AND f.due_on < $4"
    )))
    .bind(department_id.to_owned())
    .bind(status.to_owned())
    .bind(viewer.to_owned())
    .bind(today.to_owned())
    .fetch_one(store.pool())
    .await?;
    Ok((Total::capped(row.try_get("n")?, cap), overdue.try_get("n")?))
}

/// A contact moment's forwards' cursors: keyset on (created_at, id),
/// oldest first (the moment's page lists them in the order they were made).
pub const MOMENT_FORWARD_PAGING: Spec = Spec {
    list: "contact.moment_forwards",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of a moment's forwards, oldest first (every forward adds one,
/// so the history is paged like every other list that grows).
pub async fn moment_forwards_page(
    store: &Store,
    moment_id: &str,
    pq: &PageQuery,
) -> Result<Page<Forward>> {
    paging::Select::new(
        format!("{FORWARD_SELECT} WHERE f.moment_id = $1"),
        &["f.created_at", "f.id"],
        Order::Asc,
    )
    .arg(moment_id)
    .page(store, pq, &MOMENT_FORWARD_PAGING, forward_of, |f| {
        vec![Key::from(f.created_at), Key::from(f.id.as_str())]
    })
    .await
}

/// How many forwards a moment has, up to `cap`.
pub async fn moment_forwards_total(store: &Store, moment_id: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM contact_forwards WHERE moment_id = $1 LIMIT $2) t",
    )
    .bind(moment_id)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// The newest `limit` forwards of one moment, newest first (the pages
/// read [`moment_forwards_page`]).
pub async fn forwards_of(store: &Store, moment_id: &str, limit: i64) -> Result<Vec<Forward>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{FORWARD_SELECT} WHERE f.moment_id = $1 ORDER BY f.created_at DESC, f.id DESC LIMIT $2"
    )))
    .bind(moment_id)
    .bind(limit)
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
    let moment_id: String = row.try_get("moment_id")?;
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
    let due_s: String = row.try_get("due_on")?;
    let paused_s: Option<String> = row.try_get("paused_on")?;
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
    rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
}

pub(super) async fn forward_in(tx: &mut Tx, id: &str) -> Result<Forward> {
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
pub(super) async fn not_open(tx: &mut Tx, id: &str, field: &str) -> StoreError {
    let exists = sqlx::query("SELECT status FROM contact_forwards WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await;
    match exists {
        Ok(Some(r)) => {
            let code = match crate::status(&r, "status") {
                Ok(ForwardStatus::Waiting) => "contact-forward-waiting",
                Ok(ForwardStatus::Open) => "contact-forward-not-waiting",
                Ok(ForwardStatus::Answered) | Err(_) => "contact-forward-closed",
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

/// The newest `limit` follow-up messages of one moment, newest first (a
/// caller asks one more than it shows, to say "more than N").
fn message_of(r: &AnyRow) -> Result<Message> {
    Ok(Message {
        id: r.try_get("id")?,
        direction: r.try_get("direction")?,
        sender: r.try_get("sender")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The newest `limit` messages of one moment, newest first.
pub async fn messages(store: &Store, moment_id: &str, limit: i64) -> Result<Vec<Message>> {
    let rows = sqlx::query(
        "SELECT id, direction, sender, subject, body, created_at FROM contact_messages \
         WHERE moment_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(moment_id)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(message_of).collect()
}

/// A contact moment's messages' cursors: keyset on (created_at, id), oldest
/// first (a conversation reads from its start).
pub const MOMENT_MESSAGE_PAGING: Spec = Spec {
    list: "contact.moment_messages",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of a moment's follow-up messages, oldest first.
pub async fn messages_page(
    store: &Store,
    moment_id: &str,
    pq: &PageQuery,
) -> Result<Page<Message>> {
    paging::Select::new(
        "SELECT id, direction, sender, subject, body, created_at FROM contact_messages \
         WHERE moment_id = $1",
        &["created_at", "id"],
        Order::Asc,
    )
    .arg(moment_id)
    .page(store, pq, &MOMENT_MESSAGE_PAGING, message_of, |m| {
        vec![Key::from(m.created_at), Key::from(m.id.as_str())]
    })
    .await
}

/// How many follow-up messages a moment has, up to `cap`.
pub async fn messages_total(store: &Store, moment_id: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM contact_messages WHERE moment_id = $1 LIMIT $2) t",
    )
    .bind(moment_id)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
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

/// A mail file refused by the mail-in worker.
#[derive(Debug, Clone, Serialize)]
pub struct MailReject {
    pub id: String,
    pub file_name: String,
    pub reason: String,
    pub created_at: i64,
}

/// The refused mail files' cursors: keyset on (created_at, id), newest first.
pub const REJECT_PAGING: Spec = Spec {
    list: "contact.mail_rejects",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of the mail files refused, newest first.
pub async fn mail_rejects_page(store: &Store, pq: &PageQuery) -> Result<Page<MailReject>> {
    paging::Select::new(
        "SELECT id, file_name, reason, created_at FROM contact_mail_rejects WHERE 1 = 1",
        &["created_at", "id"],
        Order::Desc,
    )
    .page(
        store,
        pq,
        &REJECT_PAGING,
        |r| {
            Ok(MailReject {
                id: r.try_get("id")?,
                file_name: r.try_get("file_name")?,
                reason: r.try_get("reason")?,
                created_at: r.try_get("created_at")?,
            })
        },
        |m| vec![Key::from(m.created_at), Key::from(m.id.as_str())],
    )
    .await
}

/// How many refused mail files [`mail_rejects_page`] pages through, up to `cap`.
pub async fn mail_rejects_total(store: &Store, cap: i64) -> Result<Total> {
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM contact_mail_rejects LIMIT $1) t")
            .bind(paging::count_limit(cap))
            .fetch_one(store.pool())
            .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
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
                source: r.try_get("source")?,
                last_ok_at: r.try_get("last_ok_at")?,
                last_error_at: r.try_get("last_error_at")?,
                last_error: r.try_get("last_error")?,
            })
        })
        .collect()
}

/// Open forwards due today and past their due day, of the departments of
/// `viewer` ('' for every department): the staff home's work screen.
pub async fn forwards_due(store: &Store, today: &str, viewer: &str) -> Result<(i64, i64)> {
    let row = sqlx::query(
        "SELECT \
           CAST(COALESCE(SUM(CASE WHEN f.due_on = $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS due, \
           CAST(COALESCE(SUM(CASE WHEN f.due_on < $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue \
         FROM contact_forwards f WHERE f.status = 'open' AND f.due_on <= $1 \
           AND ($2 = '' OR f.department_id IN (SELECT d.id FROM contact_departments d \
                JOIN staff_departments s ON s.department = d.slug WHERE s.user_id = $2))",
    )
    .bind(today)
    .bind(viewer)
    .fetch_one(store.pool())
    .await?;
    Ok((row.try_get("due")?, row.try_get("overdue")?))
}
