//! The telework API: a staff member's days (read, register, change, clear),
//! the manager's team month and decisions, and for HR closing a month and
//! its payroll file.

use super::{HR_ROLES, staff_of};
use crate::AppState;
use crate::api::{ApiJson, ApiUser};
use crate::error::{ApiError, AppError};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::telework::{self as rules, DayKind, DayState, Month, MonthStatus};
use loket_store::telework::{self as store, DayChange, Decision, Mode, MonthView, StaffMember};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/telework/days", get(my_month).post(register_day))
        .route("/telework/days/{date}", put(change_day).delete(clear_day))
        .route("/telework/team", get(team_month))
        .route("/telework/approvals", post(decide))
        .route("/telework/months/{month}/close", post(close_month))
        .route("/telework/payroll/{month}", get(payroll))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthParam {
    /// The month, `YYYY-MM` (default: the current month).
    #[serde(default)]
    pub month: Option<String>,
}

/// One registered day.
#[derive(Serialize, ToSchema)]
pub struct DayOut {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `full` or `half`.
    pub kind: String,
    /// `planned` or `confirmed`.
    pub state: String,
}

/// A staff member's month.
#[derive(Serialize, ToSchema)]
pub struct MonthOut {
    pub employee_no: String,
    pub name: String,
    /// `YYYY-MM`.
    pub month: String,
    pub days: Vec<DayOut>,
    /// `open`, `approved` or `rejected`.
    #[schema(value_type = String)]
    pub status: MonthStatus,
    /// Send it back with a decision (compare-and-set).
    pub version: i64,
    pub comment: String,
    pub closed: bool,
    /// The allowance as it stands, in cents (confirmed days).
    pub allowance_cents: i64,
    pub rule_version: Option<i64>,
    pub over_tax_free: bool,
}

async fn month_out(state: &AppState, s: &StaffMember, v: &MonthView) -> Result<MonthOut, AppError> {
    let a = store::preview(&state.store, s, v).await?;
    Ok(MonthOut {
        employee_no: s.employee_no.clone(),
        name: s.name.clone(),
        month: v.month.to_string(),
        days: v
            .days
            .iter()
            .map(|d| DayOut {
                date: d.day.clone(),
                kind: d.kind.as_str().to_owned(),
                state: d.state.as_str().to_owned(),
            })
            .collect(),
        status: v.status,
        version: v.version,
        comment: v.comment.clone(),
        closed: v.closed,
        allowance_cents: a.as_ref().map(|a| a.amount_cents).unwrap_or(0),
        rule_version: a.as_ref().map(|a| a.rule_version),
        over_tax_free: a.as_ref().is_some_and(|a| a.over_tax_free),
    })
}

async fn me(state: &AppState, caller: &ApiUser) -> Result<StaffMember, ApiError> {
    staff_of(state, &caller.user)
        .await
        .map_err(|e| caller.err(e))?
        .ok_or_else(|| {
            caller
                .err(AppError::Forbidden)
                .with_detail("no staff record has this account's e-mail address")
        })
}

fn parse_month(caller: &ApiUser, s: &Option<String>) -> Result<Month, ApiError> {
    match s {
        None => Ok(Month::of(crate::i18n::today_brussels())),
        Some(s) => Month::parse(s).map_err(|e| caller.err(AppError::Invalid(e.into()))),
    }
}

/// The caller's own telework month.
#[utoipa::path(get, path = "/api/v1/telework/days", tag = "telework", params(MonthParam),
    responses((status = 200, body = MonthOut)))]
pub async fn my_month(
    State(state): State<AppState>,
    caller: ApiUser,
    Query(q): Query<MonthParam>,
) -> Result<Json<MonthOut>, ApiError> {
    let s = me(&state, &caller).await?;
    let month = parse_month(&caller, &q.month)?;
    let v = store::month_view(&state.store, &s.id, month)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(
        month_out(&state, &s, &v).await.map_err(|e| caller.err(e))?,
    ))
}

/// A day to register.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayIn {
    /// `YYYY-MM-DD`: a working day of the current or an earlier open month.
    pub date: String,
    /// `full` or `half`.
    pub kind: String,
    /// `planned` or `confirmed` (a confirmed day is not in the future).
    pub state: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayChangeIn {
    /// `full` or `half`.
    pub kind: String,
    /// `planned` or `confirmed`.
    pub state: String,
}

fn parse_day(
    caller: &ApiUser,
    date: &str,
    kind: &str,
    st: &str,
) -> Result<(jiff::civil::Date, DayKind, DayState), ApiError> {
    let mut inv = Invalid::default();
    let d = inv.check("date", rules::parse_date(date));
    let k = inv.check("kind", DayKind::parse(kind));
    let s = inv.check("state", DayState::parse(st));
    match (d, k, s) {
        (Some(d), Some(k), Some(s)) => Ok((d, k, s)),
        _ => Err(caller.err(inv)),
    }
}

async fn write_day(
    state: &AppState,
    caller: &ApiUser,
    date: jiff::civil::Date,
    set: Option<(DayKind, DayState)>,
    mode: Mode,
) -> Result<MonthOut, ApiError> {
    let s = me(state, caller).await?;
    let month = Month::of(date);
    let v = store::save_days(
        &state.store,
        &Actor::User(caller.user.id.clone()),
        &s,
        month,
        &[DayChange { date, set }],
        crate::i18n::today_brussels(),
        mode,
    )
    .await
    .map_err(|e| caller.err(rename_day_errors(e.into())))?;
    month_out(state, &s, &v).await.map_err(|e| caller.err(e))
}

/// Day errors name the date; in the API the field is `date`.
fn rename_day_errors(e: AppError) -> AppError {
    let fix = |mut inv: Invalid| {
        for x in &mut inv.0 {
            if x.field.len() == 10 && x.field.as_bytes().get(4) == Some(&b'-') {
                x.field = "date".to_owned();
            }
        }
        inv
    };
    match e {
        AppError::Invalid(inv) => AppError::Invalid(fix(inv)),
        AppError::Conflict(inv) => AppError::Conflict(fix(inv)),
        other => other,
    }
}

/// Registers one telework day. A day already registered answers 409 (of
/// two registrations at once, exactly one wins); a weekend, a holiday, a
/// day on leave or a day in a closed or approved month answers 422.
#[utoipa::path(post, path = "/api/v1/telework/days", tag = "telework", request_body = DayIn,
    responses((status = 201, body = MonthOut), (status = 409, description = "the day is already registered")))]
pub async fn register_day(
    State(state): State<AppState>,
    caller: ApiUser,
    ApiJson(body): ApiJson<DayIn>,
) -> Result<Response, ApiError> {
    let (d, k, s) = parse_day(&caller, &body.date, &body.kind, &body.state)?;
    let out = write_day(&state, &caller, d, Some((k, s)), Mode::CreateOnly).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Changes a registered day (kind or state), or registers it.
#[utoipa::path(put, path = "/api/v1/telework/days/{date}", tag = "telework", request_body = DayChangeIn,
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 200, body = MonthOut)))]
pub async fn change_day(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(date): Path<String>,
    ApiJson(body): ApiJson<DayChangeIn>,
) -> Result<Json<MonthOut>, ApiError> {
    let (d, k, s) = parse_day(&caller, &date, &body.kind, &body.state)?;
    Ok(Json(
        write_day(&state, &caller, d, Some((k, s)), Mode::Replace).await?,
    ))
}

/// Clears a registered day.
#[utoipa::path(delete, path = "/api/v1/telework/days/{date}", tag = "telework",
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 200, body = MonthOut)))]
pub async fn clear_day(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(date): Path<String>,
) -> Result<Json<MonthOut>, ApiError> {
    let d = rules::parse_date(&date).map_err(|e| caller.err(AppError::Invalid(e.into())))?;
    Ok(Json(
        write_day(&state, &caller, d, None, Mode::Replace).await?,
    ))
}

/// The caller's team (the staff members they manage), one month.
#[utoipa::path(get, path = "/api/v1/telework/team", tag = "telework", params(MonthParam),
    responses((status = 200, body = Vec<MonthOut>)))]
pub async fn team_month(
    State(state): State<AppState>,
    caller: ApiUser,
    Query(q): Query<MonthParam>,
) -> Result<Json<Vec<MonthOut>>, ApiError> {
    let s = me(&state, &caller).await?;
    let month = parse_month(&caller, &q.month)?;
    let mut out = Vec::new();
    for (m, v) in store::team_month(&state.store, &s.employee_no, month)
        .await
        .map_err(|e| caller.err(e))?
    {
        out.push(month_out(&state, &m, &v).await.map_err(|e| caller.err(e))?);
    }
    Ok(Json(out))
}

/// A manager's decision on a team member's month.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    pub employee_no: String,
    /// `YYYY-MM`.
    pub month: String,
    /// `approve` or `reject`.
    pub decision: String,
    /// Required when rejecting.
    #[serde(default)]
    pub comment: String,
    /// The month's `version` as read: a month changed since answers 409.
    pub version: i64,
}

/// Approves or rejects a team member's month in one step (their manager).
#[utoipa::path(post, path = "/api/v1/telework/approvals", tag = "telework", request_body = DecisionIn,
    responses((status = 200, body = MonthOut), (status = 409, description = "the month changed meanwhile")))]
pub async fn decide(
    State(state): State<AppState>,
    caller: ApiUser,
    ApiJson(body): ApiJson<DecisionIn>,
) -> Result<Json<MonthOut>, ApiError> {
    let manager = me(&state, &caller).await?;
    let member = store::staff_by_no(&state.store, &body.employee_no)
        .await
        .map_err(|e| caller.err(e))?
        .ok_or_else(|| caller.err(Invalid::one("employee_no", "staff-unknown")))?;
    if member.manager_no.as_deref() != Some(manager.employee_no.as_str()) {
        return Err(caller.err(AppError::Forbidden));
    }
    let month = Month::parse(&body.month).map_err(|e| caller.err(AppError::Invalid(e.into())))?;
    let decision = match body.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        _ => return Err(caller.err(Invalid::one("decision", "telework-decision-invalid"))),
    };
    let today = loket_domain::calendar::today_brussels().to_string();
    let v = store::decide(
        &state.store,
        &Actor::User(caller.user.id.clone()),
        &manager,
        &today,
        &member,
        month,
        decision,
        &body.comment,
        body.version,
    )
    .await
    .map_err(|e| caller.err(e))?;
    Ok(Json(
        month_out(&state, &member, &v)
            .await
            .map_err(|e| caller.err(e))?,
    ))
}

/// What closing a month produced.
#[derive(Serialize, ToSchema)]
pub struct ClosedOut {
    pub month: String,
    /// Allowance lines.
    pub lines: usize,
    /// Correction lines of earlier months.
    pub corrections: usize,
    pub total_cents: i64,
}

/// Closes a month that is over (HR): its payroll is computed and frozen.
/// A month already closed answers 409 (of two closes at once, one wins).
#[utoipa::path(post, path = "/api/v1/telework/months/{month}/close", tag = "telework",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = ClosedOut), (status = 409, description = "already closed")))]
pub async fn close_month(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(month): Path<String>,
) -> Result<Json<ClosedOut>, ApiError> {
    let user = caller.require(HR_ROLES)?;
    let month = Month::parse(&month).map_err(|e| caller.err(AppError::Invalid(e.into())))?;
    let c = store::close_month(
        &state.store,
        &Actor::User(user.id.clone()),
        month,
        crate::i18n::today_brussels(),
    )
    .await
    .map_err(|e| caller.err(e))?;
    Ok(Json(ClosedOut {
        month: c.month.to_string(),
        lines: c.lines,
        corrections: c.corrections,
        total_cents: c.total_cents,
    }))
}

/// The payroll file of a closed month (HR): CSV in the configured layout.
#[utoipa::path(get, path = "/api/v1/telework/payroll/{month}", tag = "telework",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn payroll(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(month): Path<String>,
) -> Result<Response, ApiError> {
    let user = caller.require(HR_ROLES)?;
    let month = Month::parse(&month).map_err(|e| caller.err(AppError::Invalid(e.into())))?;
    super::hr::export_csv(&state, &Actor::User(user.id.clone()), month)
        .await
        .map_err(|e| caller.err(e))
}
