//! The outbox: messages written in the same transaction as the change that
//! causes them, and claimed by workers with a lease, so that several `loket
//! serve` instances never send the same message at once and a crashed worker's
//! messages are picked up again (at-least-once delivery).

use crate::paging::{self, Order};
use crate::{Result, Store, Tx, new_id, now_ms};
use loket_domain::notify::{Attachment, MAX_ATTEMPTS, Mail, OutboxStatus, retry_delay_seconds};
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};
use serde::Serialize;
use sqlx::Row;

/// Queues a message inside the caller's transaction.
pub async fn enqueue(tx: &mut Tx, mail: &Mail) -> Result<String> {
    enqueue_with(tx, mail, None).await
}

/// Queues a message with an attached file inside the caller's transaction.
pub async fn enqueue_with(
    tx: &mut Tx,
    mail: &Mail,
    attachment: Option<&Attachment>,
) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO outbox (id, created_at, to_addr, subject, body, status, attempts, next_attempt_at, \
         attachment_name, attachment_type, attachment_body) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(now)
    .bind(mail.to.as_str())
    .bind(&mail.subject)
    .bind(&mail.body)
    .bind(now)
    .bind(attachment.map(|a| a.name.as_str()))
    .bind(attachment.map(|a| a.content_type.as_str()))
    .bind(attachment.map(|a| a.body.clone()))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Rows per INSERT of [`enqueue_many`] (9 values each).
const ENQUEUE_CHUNK: usize = 128;

/// [`enqueue_with`] for many messages: one multi-row `INSERT` per
/// [`ENQUEUE_CHUNK`] messages at most, in runs of a power of two
/// ([`crate::pow2_runs`]), in the caller's transaction.
pub async fn enqueue_many(tx: &mut Tx, mails: &[(&Mail, Option<&Attachment>)]) -> Result<()> {
    let now = now_ms();
    MAILS
        .execute(tx, mails, ENQUEUE_CHUNK, |q, (mail, attachment)| {
            q.bind(new_id())
                .bind(now)
                .bind(now)
                .bind(mail.to.as_str())
                .bind(mail.subject.as_str())
                .bind(mail.body.as_str())
                .bind(attachment.map(|a| a.name.as_str()))
                .bind(attachment.map(|a| a.content_type.as_str()))
                .bind(attachment.map(|a| a.body.as_str()))
        })
        .await?;
    Ok(())
}

/// The outbox rows of [`enqueue_many`].
const MAILS: crate::Rows<'static> = crate::Rows::new(
    "INSERT INTO outbox (id, created_at, next_attempt_at, to_addr, subject, body, \
     attachment_name, attachment_type, attachment_body, status, attempts)",
    9,
)
.tail(", 'pending', 0");

#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    pub id: String,
    pub created_at: i64,
    pub to_addr: String,
    pub subject: String,
    pub body: String,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<i64>,
    /// An attached file: name, content type, body.
    pub attachment: Option<Attachment>,
}

fn decode(r: &sqlx::any::AnyRow) -> Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: r.try_get("id")?,
        created_at: r.try_get("created_at")?,
        to_addr: r.try_get("to_addr")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        status: crate::status(r, "status")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_error: r.try_get("last_error")?,
        sent_at: r.try_get("sent_at")?,
        attachment: match (
            r.try_get::<Option<String>, _>("attachment_name")?,
            r.try_get::<Option<String>, _>("attachment_type")?,
            r.try_get::<Option<String>, _>("attachment_body")?,
        ) {
            (Some(name), Some(content_type), Some(body)) => Some(Attachment {
                name,
                content_type,
                body,
            }),
            _ => None,
        },
    })
}

/// Claims up to `limit` due messages for `worker` for `lease_ms`. A message
/// whose lease ran out (its worker died) is due again.
pub async fn claim_due(
    store: &Store,
    worker: &str,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<OutboxMessage>> {
    let now = now_ms();
    let mut tx = store.begin().await?;
    let rows = sqlx::query(
        "UPDATE outbox SET claimed_by = $1, claimed_until = $2 \
         WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3 \
                      AND (claimed_until IS NULL OR claimed_until < $3) \
                      ORDER BY next_attempt_at, id LIMIT $4) \
           AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < $3) \
         RETURNING id, created_at, to_addr, subject, body, status, attempts, next_attempt_at, last_error, sent_at, attachment_name, attachment_type, attachment_body",
    )
    .bind(worker)
    .bind(now + lease_ms)
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut out = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| (a.next_attempt_at, &a.id).cmp(&(b.next_attempt_at, &b.id)));
    Ok(out)
}

/// Marks a claimed message as sent. A message flagged `erase_after_send`
/// (the outcome mail of an erasure) loses its recipient, body and
/// attachment in the same statement; returns whether it did, so the
/// sender removes its `.eml` file too.
pub async fn mark_sent(store: &Store, id: &str, worker: &str) -> Result<bool> {
    let row = sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, claimed_by = NULL, \
         claimed_until = NULL, last_error = NULL, \
         to_addr = CASE WHEN erase_after_send = 1 THEN 'erased' ELSE to_addr END, \
         body = CASE WHEN erase_after_send = 1 THEN '' ELSE body END, \
         attachment_name = CASE WHEN erase_after_send = 1 THEN NULL ELSE attachment_name END, \
         attachment_type = CASE WHEN erase_after_send = 1 THEN NULL ELSE attachment_type END, \
         attachment_body = CASE WHEN erase_after_send = 1 THEN NULL ELSE attachment_body END \
         WHERE id = $2 AND claimed_by = $3 RETURNING erase_after_send",
    )
    .bind(now_ms())
    .bind(id)
    .bind(worker)
    .fetch_optional(store.pool())
    .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64, _>("erase_after_send")? == 1,
        None => false,
    })
}

/// Flags message `id` to lose its recipient and body once sent (see
/// [`mark_sent`]).
pub async fn erase_after_send(tx: &mut Tx, id: &str) -> Result<()> {
    sqlx::query("UPDATE outbox SET erase_after_send = 1 WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records a failed attempt: the message is retried after an exponential
/// back-off, and parked as `failed` after [`MAX_ATTEMPTS`] (never deleted).
pub async fn mark_failed(
    store: &Store,
    msg: &OutboxMessage,
    worker: &str,
    error: &str,
) -> Result<()> {
    let attempts = msg.attempts + 1;
    let next = now_ms() + retry_delay_seconds(u32::try_from(attempts).unwrap_or(u32::MAX)) * 1000;
    let status = if attempts >= i64::from(MAX_ATTEMPTS) {
        OutboxStatus::Failed
    } else {
        OutboxStatus::Pending
    };
    let error: String = error.chars().take(1000).collect();
    sqlx::query(
        "UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, \
         claimed_by = NULL, claimed_until = NULL WHERE id = $5 AND claimed_by = $6",
    )
    .bind(status.as_str())
    .bind(attempts)
    .bind(next)
    .bind(error)
    .bind(&msg.id)
    .bind(worker)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Messages not yet sent (pending, including those waiting for a retry).
pub async fn backlog(store: &Store) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")
        .fetch_one(store.pool())
        .await?;
    Ok(row.try_get("n")?)
}

/// The newest messages, for the admins' "sent mail" page.
pub async fn recent(store: &Store, limit: i64) -> Result<Vec<OutboxMessage>> {
    let rows = sqlx::query(
        "SELECT id, created_at, to_addr, subject, body, status, attempts, next_attempt_at, last_error, sent_at, attachment_name, attachment_type, attachment_body \
         FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode).collect()
}

/// The sent-mail list's cursors: keyset on (created_at, id), newest first.
pub const OUTBOX_PAGING: Spec = Spec {
    list: "notify.outbox",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of the outbox, newest first, for the admins' "sent mail" page.
pub async fn outbox_page(store: &Store, pq: &PageQuery) -> Result<Page<OutboxMessage>> {
    paging::Select::new(
        "SELECT id, created_at, to_addr, subject, body, status, attempts, next_attempt_at, last_error, sent_at, attachment_name, attachment_type, attachment_body \
         FROM outbox WHERE 1 = 1",
        &["created_at", "id"],
        Order::Desc,
    )
    .page(store, pq, &OUTBOX_PAGING, decode, |m| {
        vec![Key::from(m.created_at), Key::from(m.id.as_str())]
    })
    .await
}

/// How many messages [`outbox_page`] pages through, up to `cap`.
pub async fn outbox_total(store: &Store, cap: i64) -> Result<Total> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM outbox LIMIT $1) t")
        .bind(paging::count_limit(cap))
        .fetch_one(store.pool())
        .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// The account ids of these recipient addresses (those that have one):
/// (address, user id). For the sent-mail pages' access log.
pub async fn recipients(store: &Store, addresses: &[&str]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for chunk in addresses.chunks(200) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT email, id FROM users WHERE email IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for a in chunk {
            q = q.bind(*a);
        }
        for r in q.fetch_all(store.pool()).await? {
            out.push((r.try_get("email")?, r.try_get("id")?));
        }
    }
    Ok(out)
}

/// One message by id.
pub async fn get(store: &Store, id: &str) -> Result<Option<OutboxMessage>> {
    let row = sqlx::query(
        "SELECT id, created_at, to_addr, subject, body, status, attempts, next_attempt_at, last_error, sent_at, attachment_name, attachment_type, attachment_body \
         FROM outbox WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode).transpose()
}

// ---- letters by post (residents without e-mail) ----

/// A letter waiting for (or printed in) a print batch.
#[derive(Debug, Clone, Serialize)]
pub struct Letter {
    pub id: String,
    pub case_id: Option<String>,
    pub resident_id: String,
    /// `receipt`, `decision`, `permit` or `status`.
    pub kind: String,
    /// The letter's content as JSON (what the renderer needs).
    pub content: String,
    pub created_at: i64,
    pub batch_id: Option<String>,
}

/// Queues a letter, in the transaction of the change it tells about.
pub async fn enqueue_letter(
    tx: &mut Tx,
    case_id: Option<&str>,
    resident_id: &str,
    kind: &str,
    content: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO letters (id, case_id, resident_id, kind, content, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(case_id.map(str::to_owned))
    .bind(resident_id)
    .bind(kind)
    .bind(content)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn decode_letter(r: &sqlx::any::AnyRow) -> Result<Letter> {
    Ok(Letter {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        resident_id: r.try_get("resident_id")?,
        kind: r.try_get("kind")?,
        content: r.try_get("content")?,
        created_at: r.try_get("created_at")?,
        batch_id: r.try_get("batch_id")?,
    })
}

/// The oldest `limit` letters not yet in a print batch, oldest first.
pub async fn waiting_letters(store: &Store, limit: i64) -> Result<Vec<Letter>> {
    let rows = sqlx::query(
        "SELECT id, case_id, resident_id, kind, content, created_at, batch_id FROM letters \
         WHERE batch_id IS NULL ORDER BY created_at, id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_letter).collect()
}

/// The waiting letters' cursors: oldest first, keyset on (created_at, id).
pub const WAITING_PAGING: Spec = Spec {
    list: "notify.waiting_letters",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of the letters not yet in a print batch, oldest first (the
/// order a batch prints them in).
pub async fn waiting_page(store: &Store, pq: &PageQuery) -> Result<Page<Letter>> {
    paging::Select::new(
        "SELECT id, case_id, resident_id, kind, content, created_at, batch_id FROM letters \
         WHERE batch_id IS NULL",
        &["created_at", "id"],
        Order::Asc,
    )
    .page(store, pq, &WAITING_PAGING, decode_letter, |l| {
        vec![Key::from(l.created_at), Key::from(l.id.as_str())]
    })
    .await
}

/// How many letters [`waiting_page`] pages through, up to `cap`.
pub async fn waiting_total(store: &Store, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM letters WHERE batch_id IS NULL LIMIT $1) t",
    )
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// A print batch.
#[derive(Debug, Clone, Serialize)]
pub struct PrintBatch {
    pub id: String,
    pub created_by: String,
    pub created_at: i64,
    pub count: i64,
    pub sha256: String,
    #[serde(skip)]
    pub path: String,
}

/// Records a print batch and claims its letters. A letter another batch
/// claimed meanwhile makes the whole batch fail (`letters-changed`).
pub async fn add_batch(tx: &mut Tx, batch: &PrintBatch, letter_ids: &[String]) -> Result<()> {
    sqlx::query(
        "INSERT INTO print_batches (id, created_by, created_at, count, sha256, path) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&batch.id)
    .bind(&batch.created_by)
    .bind(batch.created_at)
    .bind(batch.count)
    .bind(&batch.sha256)
    .bind(&batch.path)
    .execute(&mut **tx)
    .await?;
    for id in letter_ids {
        let n = sqlx::query("UPDATE letters SET batch_id = $1 WHERE id = $2 AND batch_id IS NULL")
            .bind(&batch.id)
            .bind(id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(crate::StoreError::Invalid(loket_domain::Invalid::one(
                "letters",
                "letters-changed",
            )));
        }
    }
    // The outcome letter of an erasure: printed now, so its name and
    // address leave the database (the batch's PDF holds them, as the
    // printed paper does).
    sqlx::query(
        "UPDATE letters SET content = '{}' WHERE batch_id = $1 \
         AND resident_id IN (SELECT id FROM users WHERE erased_at IS NOT NULL)",
    )
    .bind(&batch.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const BATCH_COLS: &str = "id, created_by, created_at, count, sha256, path";

fn decode_batch(r: &sqlx::any::AnyRow) -> Result<PrintBatch> {
    Ok(PrintBatch {
        id: r.try_get("id")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        count: r.try_get("count")?,
        sha256: r.try_get("sha256")?,
        path: r.try_get("path")?,
    })
}

/// The print batch list's cursors: keyset on (created_at, id), newest first.
pub const BATCH_PAGING: Spec = Spec {
    list: "notify.print_batches",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of print batches, newest first.
pub async fn batches_page(store: &Store, pq: &PageQuery) -> Result<Page<PrintBatch>> {
    paging::Select::new(
        format!("SELECT {BATCH_COLS} FROM print_batches WHERE 1 = 1"),
        &["created_at", "id"],
        Order::Desc,
    )
    .page(store, pq, &BATCH_PAGING, decode_batch, |b| {
        vec![Key::from(b.created_at), Key::from(b.id.as_str())]
    })
    .await
}

/// How many print batches [`batches_page`] pages through, up to `cap`.
pub async fn batches_total(store: &Store, cap: i64) -> Result<Total> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM print_batches LIMIT $1) t")
        .bind(paging::count_limit(cap))
        .fetch_one(store.pool())
        .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// The print batch with this id.
pub async fn batch(store: &Store, id: &str) -> Result<Option<PrintBatch>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BATCH_COLS} FROM print_batches WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_batch).transpose()
}

/// The residents whose letters are in a batch (for the access log).
pub async fn batch_residents(store: &Store, batch_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT DISTINCT resident_id FROM letters WHERE batch_id = $1")
        .bind(batch_id)
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>("resident_id")?))
        .collect()
}

// ---- webhooks ----

/// A webhook subscription.
#[derive(Debug, Clone, Serialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    #[serde(skip)]
    pub secret: String,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

/// Registers a URL; returns the id and the signing secret (shown once).
pub async fn add_webhook(
    tx: &mut Tx,
    actor: &loket_domain::audit::Actor,
    url: &str,
) -> Result<(String, String)> {
    let id = new_id();
    let secret = crate::new_secret();
    sqlx::query(
        "INSERT INTO webhooks (id, url, secret, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(url)
    .bind(&secret)
    .bind(actor.user_id().unwrap_or_default().to_owned())
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    crate::audit::record(
        tx,
        actor,
        crate::audit::Change {
            action: "webhook.add",
            record_type: "webhook",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(serde_json::json!({ "url": url })),
        },
    )
    .await?;
    Ok((id, secret))
}

pub async fn disable_webhook(
    tx: &mut Tx,
    actor: &loket_domain::audit::Actor,
    id: &str,
) -> Result<bool> {
    let n =
        sqlx::query("UPDATE webhooks SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
            .bind(now_ms())
            .bind(id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    if n > 0 {
        crate::audit::record(
            tx,
            actor,
            crate::audit::Change {
                action: "webhook.disable",
                record_type: "webhook",
                record_id: id,
                subject_user_id: None,
                before: None,
                after: None,
            },
        )
        .await?;
    }
    Ok(n > 0)
}

fn decode_webhook(r: &sqlx::any::AnyRow) -> Result<Webhook> {
    Ok(Webhook {
        id: r.try_get("id")?,
        url: r.try_get("url")?,
        secret: r.try_get("secret")?,
        created_at: r.try_get("created_at")?,
        disabled_at: r.try_get("disabled_at")?,
    })
}

pub async fn list_webhooks(store: &Store) -> Result<Vec<Webhook>> {
    let rows = sqlx::query(
        "SELECT id, url, secret, created_at, disabled_at FROM webhooks ORDER BY created_at, id",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_webhook).collect()
}

/// Queues an event for every active subscription, in the transaction of the
/// change it tells about.
pub async fn enqueue_event(tx: &mut Tx, event: &str, payload: &str) -> Result<()> {
    let ids: Vec<String> = sqlx::query("SELECT id FROM webhooks WHERE disabled_at IS NULL")
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("id"))
        .collect::<std::result::Result<_, _>>()?;
    let now = now_ms();
    for webhook_id in ids {
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, webhook_id, event, payload, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(new_id())
        .bind(&webhook_id)
        .bind(event)
        .bind(payload)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A delivery claimed by a worker, with where and how to sign it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub event: String,
    pub payload: String,
    pub attempts: i64,
    pub url: String,
    pub secret: String,
}

/// Claims due deliveries (like the e-mail outbox: leases, so a dead worker's
/// deliveries come back).
pub async fn claim_deliveries(
    store: &Store,
    worker: &str,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<Delivery>> {
    let now = now_ms();
    let mut tx = store.begin().await?;
    let claimed: Vec<String> = sqlx::query(
        "UPDATE webhook_deliveries SET claimed_by = $1, claimed_until = $2 \
         WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $3 \
                      AND (claimed_until IS NULL OR claimed_until < $3) ORDER BY next_attempt_at, id LIMIT $4) \
           AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < $3) RETURNING id",
    )
    .bind(worker)
    .bind(now + lease_ms)
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>("id"))
    .collect::<std::result::Result<_, _>>()?;
    tx.commit().await?;
    let mut out = Vec::new();
    for id in claimed {
        if let Some(r) = sqlx::query(
            "SELECT d.id, d.event, d.payload, d.attempts, w.url, w.secret FROM webhook_deliveries d \
             JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1",
        )
        .bind(&id)
        .fetch_optional(store.pool())
        .await?
        {
            out.push(Delivery {
                id: r.try_get("id")?,
                event: r.try_get("event")?,
                payload: r.try_get("payload")?,
                attempts: r.try_get("attempts")?,
                url: r.try_get("url")?,
                secret: r.try_get("secret")?,
            });
        }
    }
    Ok(out)
}

pub async fn mark_delivered(store: &Store, id: &str, worker: &str) -> Result<()> {
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $1, attempts = attempts + 1, \
         claimed_by = NULL, claimed_until = NULL, last_error = NULL WHERE id = $2 AND claimed_by = $3",
    )
    .bind(now_ms())
    .bind(id)
    .bind(worker)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A failed attempt: retried with the outbox's back-off, given up after
/// `MAX_ATTEMPTS`.
pub async fn mark_delivery_failed(
    store: &Store,
    d: &Delivery,
    worker: &str,
    error: &str,
) -> Result<()> {
    let attempts = d.attempts + 1;
    let next = now_ms() + retry_delay_seconds(u32::try_from(attempts).unwrap_or(u32::MAX)) * 1000;
    let status = if attempts >= i64::from(MAX_ATTEMPTS) {
        "failed"
    } else {
        "pending"
    };
    sqlx::query(
        "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, \
         claimed_by = NULL, claimed_until = NULL WHERE id = $5 AND claimed_by = $6",
    )
    .bind(status)
    .bind(attempts)
    .bind(next)
    .bind(error.chars().take(1000).collect::<String>())
    .bind(&d.id)
    .bind(worker)
    .execute(store.pool())
    .await?;
    Ok(())
}
