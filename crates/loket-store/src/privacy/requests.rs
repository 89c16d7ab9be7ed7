//! Data-protection requests: recorded by the privacy officer, listed by
//! deadline (keyset-paged, with a total), moved step by step with a conditional UPDATE,
//! each change audited in the same transaction.

use crate::audit::{self, Change};
use crate::paging::{self, Order};
use crate::{Result, Store, StoreError, Tx, new_id, now_ms};
use loket_domain::audit::Actor;
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};
use loket_domain::privacy::requests::{NewRequest, RequestStatus};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub id: String,
    pub subject_user_id: String,
    /// The person's name and e-mail address, as they are now.
    pub subject_name: String,
    pub subject_email: String,
    pub kind: String,
    pub legal_basis: String,
    pub note: String,
    pub received_on: String,
    pub deadline: String,
    pub status: String,
    pub outcome: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
}

const COLS: &str = "r.id, r.subject_user_id, u.name AS subject_name, u.email AS subject_email, \
     r.kind, r.legal_basis, r.note, r.received_on, r.deadline, r.status, r.outcome, r.created_at, \
     r.updated_at, r.closed_at";

fn decode(r: &AnyRow) -> Result<Request> {
    Ok(Request {
        id: r.try_get("id")?,
        subject_user_id: r.try_get("subject_user_id")?,
        subject_name: r.try_get("subject_name")?,
        subject_email: r.try_get("subject_email")?,
        kind: r.try_get("kind")?,
        legal_basis: r.try_get("legal_basis")?,
        note: r.try_get("note")?,
        received_on: r.try_get("received_on")?,
        deadline: r.try_get("deadline")?,
        status: r.try_get("status")?,
        outcome: r.try_get("outcome")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        closed_at: r.try_get("closed_at")?,
    })
}

/// Records a request for `subject_user_id`; its id.
pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    subject_user_id: &str,
    r: &NewRequest,
) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO privacy_requests (id, subject_user_id, kind, legal_basis, note, received_on, \
         deadline, status, outcome, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', '', $8, $9, $9)",
    )
    .bind(&id)
    .bind(subject_user_id)
    .bind(r.kind.as_str())
    .bind(&r.legal_basis)
    .bind(&r.note)
    .bind(r.received.to_string())
    .bind(r.deadline.to_string())
    .bind(actor.user_id().unwrap_or("system").to_owned())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "privacy_request.create",
            record_type: "privacy_request",
            record_id: &id,
            subject_user_id: Some(subject_user_id),
            before: None,
            after: Some(json!({
                "kind": r.kind.as_str(),
                "legal_basis": r.legal_basis,
                "received_on": r.received.to_string(),
                "deadline": r.deadline.to_string(),
                "status": "open",
            })),
        },
    )
    .await?;
    Ok(id)
}

pub async fn get(store: &Store, id: &str) -> Result<Option<Request>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM privacy_requests r JOIN users u ON u.id = r.subject_user_id WHERE r.id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode).transpose()
}

/// The request list's cursors: keyset on (closed 0/1, deadline, id): the
/// open ones first, by deadline, then the closed ones, by deadline too.
pub const REQUEST_PAGING: Spec = Spec {
    list: "privacy.requests",
    keys: &[KeyKind::Int, KeyKind::Text, KeyKind::Text],
};

/// 1 for a closed request (done or refused), else 0: the first sort key.
const CLOSED_KEY: &str = "CASE WHEN r.status IN ('done', 'refused') THEN 1 ELSE 0 END";

fn closed_key(r: &Request) -> i64 {
    i64::from(RequestStatus::parse(&r.status).is_some_and(RequestStatus::is_closed))
}

/// One page of requests: the open ones first (by deadline), then the
/// closed ones (by deadline too).
pub async fn page(store: &Store, pq: &PageQuery) -> Result<Page<Request>> {
    paging::Select::new(
        format!(
            "SELECT {COLS} FROM privacy_requests r JOIN users u ON u.id = r.subject_user_id \
             WHERE 1 = 1"
        ),
        &[CLOSED_KEY, "r.deadline", "r.id"],
        Order::Asc,
    )
    .page(store, pq, &REQUEST_PAGING, decode, |r| {
        vec![
            Key::from(closed_key(r)),
            Key::from(r.deadline.as_str()),
            Key::from(r.id.as_str()),
        ]
    })
    .await
}

/// How many requests [`page`] pages through, up to `cap`.
pub async fn total(store: &Store, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM privacy_requests r \
         JOIN users u ON u.id = r.subject_user_id LIMIT $1) t",
    )
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// How many requests there are, and how many are still open.
pub async fn counts(store: &Store) -> Result<(i64, i64)> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN status IN ('open', 'in_progress') THEN 1 ELSE 0 END), 0) AS open \
         FROM privacy_requests",
    )
    .fetch_one(store.pool())
    .await?;
    Ok((r.try_get("n")?, r.try_get("open")?))
}

/// Moves request `id` from `from` to `to` with `outcome`, only if it still
/// stands at `from` (a conflict otherwise: someone moved it meanwhile).
pub async fn step(
    tx: &mut Tx,
    actor: &Actor,
    req: &Request,
    from: RequestStatus,
    to: RequestStatus,
    outcome: &str,
) -> Result<()> {
    let now = now_ms();
    let closed_at = to.is_closed().then_some(now);
    let done = sqlx::query(
        "UPDATE privacy_requests SET status = $1, outcome = $2, updated_at = $3, closed_at = $4 \
         WHERE id = $5 AND status = $6",
    )
    .bind(to.as_str())
    .bind(outcome)
    .bind(now)
    .bind(closed_at)
    .bind(&req.id)
    .bind(from.as_str())
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(loket_domain::Invalid::one(
            "status",
            "privacy-step-conflict",
        )));
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "privacy_request.step",
            record_type: "privacy_request",
            record_id: &req.id,
            subject_user_id: Some(&req.subject_user_id),
            before: Some(json!({"status": from.as_str()})),
            after: Some(json!({"status": to.as_str(), "outcome": outcome})),
        },
    )
    .await?;
    Ok(())
}

/// Open requests, and those of them past their deadline on `today`: the
/// privacy officer's work screen.
pub async fn open_and_overdue(store: &Store, today: &str) -> Result<(i64, i64)> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS open, \
           CAST(COALESCE(SUM(CASE WHEN deadline < $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue \
         FROM privacy_requests WHERE status IN ('open', 'in_progress')",
    )
    .bind(today)
    .fetch_one(store.pool())
    .await?;
    Ok((r.try_get("open")?, r.try_get("overdue")?))
}
