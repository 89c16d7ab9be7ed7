//! The audit and access logs, for admins: pages and API, filtered by person
//! and by record.

use crate::AppState;
use crate::api::ApiUser;
use crate::common::render;
use crate::error::{ApiError, AppError};
use crate::i18n::{format_ms, today_brussels};
use crate::layout::Layout;
use crate::paging::{Pager, page_query};
use crate::people::ADMIN_ROLES;
use crate::people::session::Ctx;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use loket_domain::paging::{DEFAULT_LIMIT, TOTAL_CAP};
use loket_store::audit::{self as store, AccessRow, AuditRow, Filter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(audit_page))
        .route("/admin/audit.csv", get(audit_csv))
        .route("/admin/access-log", get(access_page))
        .route("/admin/access-log.csv", get(access_csv))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(api_audit))
        .route("/access-log", get(api_access))
}

/// Filters: all optional; `person` is a user id (as actor or as subject).
#[derive(Deserialize, Default, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct LogQuery {
    pub person: String,
    pub record_type: String,
    pub record_id: String,
    /// Where the page starts: the `next` (or `prev`) of the previous answer.
    pub cursor: String,
    /// Items per page, newest first, 1 to 200 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: String,
}

impl LogQuery {
    fn filter(&self) -> Filter {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Filter {
            person: some(&self.person),
            record_type: some(&self.record_type),
            record_id: some(&self.record_id),
            limit: DEFAULT_LIMIT,
        }
    }

    fn filters(&self) -> [(&'static str, &str); 3] {
        [
            ("person", self.person.trim()),
            ("record_type", self.record_type.trim()),
            ("record_id", self.record_id.trim()),
        ]
    }
}

#[derive(Template)]
#[template(path = "audit/audit.html")]
struct AuditPage {
    l: Layout,
    q: LogQuery,
    rows: Vec<(AuditRow, String)>,
    pager: Pager,
}

#[derive(Template)]
#[template(path = "audit/access.html")]
struct AccessPage {
    l: Layout,
    q: LogQuery,
    rows: Vec<(AccessRow, String)>,
    pager: Pager,
}

pub async fn audit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LogQuery>,
) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    let pq = page_query(&q.cursor, &q.limit, &store::AUDIT_PAGING)?;
    let f = q.filter();
    let reader = state.store.reader();
    let page = store::audit_page(&reader, &f, &pq).await?;
    let total = store::audit_total(&reader, &f, TOTAL_CAP).await?;
    let pager = Pager::new(
        ctx.locale,
        "/admin/audit",
        &q.filters(),
        &page,
        &pq,
        total,
        Some("/admin/audit.csv"),
    );
    let rows = page
        .items
        .into_iter()
        .map(|r| {
            let at = format_ms(r.at);
            (r, at)
        })
        .collect();
    render(
        StatusCode::OK,
        AuditPage {
            l: ctx.layout("audit-title"),
            q,
            rows,
            pager,
        },
    )
}

pub async fn access_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LogQuery>,
) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    let pq = page_query(&q.cursor, &q.limit, &store::ACCESS_PAGING)?;
    let f = q.filter();
    let reader = state.store.reader();
    let page = store::access_page(&reader, &f, &pq).await?;
    let total = store::access_total(&reader, &f, TOTAL_CAP).await?;
    let pager = Pager::new(
        ctx.locale,
        "/admin/access-log",
        &q.filters(),
        &page,
        &pq,
        total,
        Some("/admin/access-log.csv"),
    );
    let rows = page
        .items
        .into_iter()
        .map(|r| {
            let at = format_ms(r.at);
            (r, at)
        })
        .collect();
    render(
        StatusCode::OK,
        AccessPage {
            l: ctx.layout("access-title"),
            q,
            rows,
            pager,
        },
    )
}

/// The audit log as CSV, with the page's filters, every row (streamed,
/// 500 rows per query).
pub async fn audit_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LogQuery>,
) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    let locale = ctx.locale;
    let f = q.filter();
    Ok(crate::paging::csv_export(
        &format!("audit-{}.csv", today_brussels()),
        locale,
        &[
            "audit-when",
            "audit-who",
            "audit-action",
            "audit-record-type",
            "audit-record-id",
            "access-subject",
            "audit-before",
            "audit-after",
        ],
        (state.store.reader(), f),
        move |(reader, f), pq| async move {
            let page = store::audit_page(&reader, &f, &pq).await?;
            let rows = page
                .items
                .iter()
                .map(|r| {
                    vec![
                        format_ms(r.at),
                        match &r.actor_id {
                            Some(a) => format!("{} {a}", r.actor_kind),
                            None => r.actor_kind.clone(),
                        },
                        r.action.clone(),
                        r.record_type.clone(),
                        r.record_id.clone(),
                        r.subject_user_id.clone().unwrap_or_default(),
                        r.before.clone().unwrap_or_default(),
                        r.after.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

/// The access log as CSV, with the page's filters, every row (streamed,
/// 500 rows per query).
pub async fn access_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LogQuery>,
) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    let locale = ctx.locale;
    let f = q.filter();
    Ok(crate::paging::csv_export(
        &format!("access-log-{}.csv", today_brussels()),
        locale,
        &[
            "audit-when",
            "audit-who",
            "access-subject",
            "audit-record-type",
            "audit-record-id",
            "access-purpose",
        ],
        (state.store.reader(), f),
        move |(reader, f), pq| async move {
            let page = store::access_page(&reader, &f, &pq).await?;
            let rows = page
                .items
                .iter()
                .map(|r| {
                    vec![
                        format_ms(r.at),
                        r.actor_id.clone(),
                        r.subject_user_id.clone(),
                        r.record_type.clone(),
                        r.record_id.clone(),
                        r.purpose.clone(),
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

/// An audit row in the API.
#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    pub id: String,
    /// Unix milliseconds.
    pub at: i64,
    /// `user`, `cli` or `system`.
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub subject_user_id: Option<String>,
    /// A JSON summary of the record before the change.
    pub before: Option<String>,
    /// A JSON summary of the record after the change.
    pub after: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AccessOut {
    pub id: String,
    pub at: i64,
    pub actor_id: String,
    pub subject_user_id: String,
    pub record_type: String,
    pub record_id: String,
    pub purpose: String,
}

crate::api_page!(AuditPageOut, AuditOut);
crate::api_page!(AccessPageOut, AccessOut);

/// The audit log, newest first, one page at a time (`cursor`, `limit`).
/// Admin only.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(LogQuery),
    responses((status = 200, body = AuditPageOut), (status = 400, body = crate::error::Problem, description = "a bad `cursor` or `limit`")))]
pub async fn api_audit(
    State(state): State<AppState>,
    caller: ApiUser,
    Query(q): Query<LogQuery>,
) -> Result<Json<AuditPageOut>, ApiError> {
    caller.require(ADMIN_ROLES)?;
    let pq = page_query(&q.cursor, &q.limit, &store::AUDIT_PAGING).map_err(|e| caller.err(e))?;
    let f = q.filter();
    let reader = state.store.reader();
    let page = store::audit_page(&reader, &f, &pq)
        .await
        .map_err(|e| caller.err(e))?;
    let total = store::audit_total(&reader, &f, TOTAL_CAP)
        .await
        .map_err(|e| caller.err(e))?;
    let items = page
        .items
        .iter()
        .cloned()
        .map(|r| AuditOut {
            id: r.id,
            at: r.at,
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            action: r.action,
            record_type: r.record_type,
            record_id: r.record_id,
            subject_user_id: r.subject_user_id,
            before: r.before,
            after: r.after,
        })
        .collect();
    Ok(Json(AuditPageOut::new(page, items, total)))
}

/// The access log (staff reads of residents' personal data), newest
/// first, one page at a time (`cursor`, `limit`). Admin only.
#[utoipa::path(get, path = "/api/v1/access-log", tag = "audit", params(LogQuery),
    responses((status = 200, body = AccessPageOut), (status = 400, body = crate::error::Problem, description = "a bad `cursor` or `limit`")))]
pub async fn api_access(
    State(state): State<AppState>,
    caller: ApiUser,
    Query(q): Query<LogQuery>,
) -> Result<Json<AccessPageOut>, ApiError> {
    caller.require(ADMIN_ROLES)?;
    let pq = page_query(&q.cursor, &q.limit, &store::ACCESS_PAGING).map_err(|e| caller.err(e))?;
    let f = q.filter();
    let reader = state.store.reader();
    let page = store::access_page(&reader, &f, &pq)
        .await
        .map_err(|e| caller.err(e))?;
    let total = store::access_total(&reader, &f, TOTAL_CAP)
        .await
        .map_err(|e| caller.err(e))?;
    let items = page
        .items
        .iter()
        .cloned()
        .map(|r| AccessOut {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            subject_user_id: r.subject_user_id,
            record_type: r.record_type,
            record_id: r.record_id,
            purpose: r.purpose,
        })
        .collect();
    Ok(Json(AccessPageOut::new(page, items, total)))
}
