//! A resident's history for the contact centre: their contact moments,
//! cases (not the restricted ones) and appointments on one timeline,
//! newest first, paged by keyset over the three tables at once.

use super::*;
use crate::paging::{self, Order};
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};

/// One entry of the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// `contact`, `case` or `appointment`.
    pub kind: String,
    pub id: String,
    /// When: a moment's creation, a case's submission, an appointment's start.
    pub at: i64,
    /// A moment's reference, a case's number or an appointment's code.
    pub label: String,
    /// A moment's subject, else the status.
    pub detail: String,
    /// A moment's channel ('' otherwise).
    pub channel: String,
}

/// The timeline of one resident: every branch filtered by `$1`.
const HISTORY: &str = "SELECT 'contact' AS kind, id, created_at AS at, reference AS label, \
     subject AS detail, channel FROM contact_moments WHERE resident_id = $1 \
     UNION ALL SELECT 'case' AS kind, id, submitted_at AS at, number AS label, status AS detail, \
     '' AS channel FROM cases WHERE resident_id = $1 AND restricted_at IS NULL \
     UNION ALL SELECT 'appointment' AS kind, id, starts_at AS at, code AS label, \
     status AS detail, '' AS channel FROM appointments WHERE resident_id = $1";

/// The history's cursors: keyset on (at, kind, id), newest first.
pub const HISTORY_PAGING: Spec = Spec {
    list: "contact.history",
    keys: &[KeyKind::Int, KeyKind::Text, KeyKind::Text],
};

/// One page of a resident's history, newest first.
pub async fn history_page(
    store: &Store,
    resident_id: &str,
    pq: &PageQuery,
) -> Result<Page<HistoryEntry>> {
    paging::Select::new(
        format!("SELECT kind, id, at, label, detail, channel FROM ({HISTORY}) h WHERE 1 = 1"),
        &["at", "kind", "id"],
        Order::Desc,
    )
    .arg(resident_id)
    .page(
        store,
        pq,
        &HISTORY_PAGING,
        |r| {
            Ok(HistoryEntry {
                kind: r.try_get("kind")?,
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                label: r.try_get("label")?,
                detail: r.try_get("detail")?,
                channel: r.try_get("channel")?,
            })
        },
        |e| {
            vec![
                Key::from(e.at),
                Key::from(e.kind.as_str()),
                Key::from(e.id.as_str()),
            ]
        },
    )
    .await
}

/// How many entries [`history_page`] pages through, up to `cap`.
pub async fn history_total(store: &Store, resident_id: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM ({HISTORY}) h LIMIT $2) t"
    )))
    .bind(resident_id.to_owned())
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}
