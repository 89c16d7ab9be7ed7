//! The audit and access logs, for admins: pages and API, filtered by person
//! and by record.

use crate::AppState;
use crate::api::ApiUser;
use crate::common::render;
use crate::error::{ApiError, AppError};
use crate::i18n::format_ms;
use crate::layout::Layout;
use crate::people::ADMIN_ROLES;
use crate::people::session::Ctx;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use loket_store::audit::{self as store, AccessRow, AuditRow, Filter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(audit_page))
        .route("/admin/access-log", get(access_page))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(api_audit))
        .route("/access-log", get(api_access))
}

/// Filters: all optional; `person` is a user id (as actor or as subject).
#[derive(Deserialize, Default, Clone, IntoParams)]
#[serde(default)]
pub struct LogQuery {
    pub person: String,
    pub record_type: String,
    pub record_id: String,
    /// At most this many rows, newest first (1 to 1000, default 200).
    pub limit: Option<i64>,
}

impl LogQuery {
    fn filter(&self) -> Filter {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Filter {
            person: some(&self.person),
            record_type: some(&self.record_type),
            record_id: some(&self.record_id),
            limit: self.limit.unwrap_or(200),
        }
    }
}

#[derive(Template)]
#[template(path = "audit/audit.html")]
struct AuditPage {
    l: Layout,
    q: LogQuery,
    rows: Vec<(AuditRow, String)>,
}

#[derive(Template)]
#[template(path = "audit/access.html")]
struct AccessPage {
    l: Layout,
    q: LogQuery,
    rows: Vec<(AccessRow, String)>,
}

pub async fn audit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LogQuery>,
) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    let rows = store::list_audit(&state.store.reader(), &q.filter())
        .await?
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
        },
    )
}

pub async fn access_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LogQuery>,
) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    let rows = store::list_access(&state.store.reader(), &q.filter())
        .await?
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
        },
    )
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

/// The audit log, newest first. Admin only.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(LogQuery),
    responses((status = 200, body = Vec<AuditOut>)))]
pub async fn api_audit(
    State(state): State<AppState>,
    caller: ApiUser,
    Query(q): Query<LogQuery>,
) -> Result<Json<Vec<AuditOut>>, ApiError> {
    caller.require(ADMIN_ROLES)?;
    let rows = store::list_audit(&state.store.reader(), &q.filter())
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(
        rows.into_iter()
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
            .collect(),
    ))
}

/// The access log (staff reads of residents' personal data). Admin only.
#[utoipa::path(get, path = "/api/v1/access-log", tag = "audit", params(LogQuery),
    responses((status = 200, body = Vec<AccessOut>)))]
pub async fn api_access(
    State(state): State<AppState>,
    caller: ApiUser,
    Query(q): Query<LogQuery>,
) -> Result<Json<Vec<AccessOut>>, ApiError> {
    caller.require(ADMIN_ROLES)?;
    let rows = store::list_access(&state.store.reader(), &q.filter())
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AccessOut {
                id: r.id,
                at: r.at,
                actor_id: r.actor_id,
                subject_user_id: r.subject_user_id,
                record_type: r.record_type,
                record_id: r.record_id,
                purpose: r.purpose,
            })
            .collect(),
    ))
}
