//! The shifts API: list shifts, sign up and cancel for the caller, assign
//! (planner), coverage (planner).

use super::{PLANNERS, VOLUNTEERS, is_rule_breach, local, sign_up_for};
use crate::AppState;
use crate::api::{ApiJson, ApiUser};
use crate::error::{ApiError, AppError};
use crate::i18n::today_brussels;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::shifts::{self as rules, ShiftStatus};
use loket_store::shifts::{self as store, Shift};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/shifts", get(list))
        .route("/shifts/{id}/sign-up", post(sign_up))
        .route("/shifts/{id}/cancel", post(cancel))
        .route("/shifts/{id}/assignments", post(assign))
        .route("/shift-coverage", get(coverage))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    /// First day (`YYYY-MM-DD`), today by default.
    pub from: String,
    /// Last day, inclusive; `from` + 20 days by default. At most 62 days
    /// from `from`, both counted (a longer period, a `to` before `from` or a
    /// malformed date is a 400 naming the field).
    pub to: String,
    /// One day only (overrides `from` and `to`).
    pub day: String,
    /// A role's code or id.
    pub role: String,
    /// `true`: only open shifts with a free place.
    pub open_only: bool,
}

/// A shift.
#[derive(Serialize, ToSchema)]
pub struct ShiftOut {
    pub id: String,
    pub role: String,
    pub role_name: String,
    /// The qualification code the role needs, if any.
    pub qualification: Option<String>,
    pub day: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub start_local: String,
    pub end_local: String,
    pub headcount: i64,
    pub filled: i64,
    /// When sign-up opens (unix ms) and as local time.
    pub release_ms: i64,
    pub release_local: String,
    /// `open` or `cancelled`.
    #[schema(value_type = String)]
    pub status: ShiftStatus,
}

fn out(s: Shift, lang: &str) -> ShiftOut {
    ShiftOut {
        role_name: s.role_name(lang).to_owned(),
        start_local: local(s.starts_at),
        end_local: local(s.ends_at),
        release_local: local(s.release_at),
        id: s.id,
        role: s.role_code,
        qualification: s.qualification,
        day: s.day,
        start_ms: s.starts_at,
        end_ms: s.ends_at,
        headcount: s.headcount,
        filled: s.filled,
        release_ms: s.release_at,
        status: s.status,
    }
}

/// Reads a query's `from` and `to` (`YYYY-MM-DD`; empty `from`: today,
/// empty `to`: `from` + `default_days`). A malformed date, a `to` before
/// `from` or a period longer than `max_days` (both ends counted) is a 400
/// whose errors name the field.
fn query_range(
    from: &str,
    to: &str,
    default_days: i64,
    max_days: i64,
) -> Result<(String, String), AppError> {
    let mut inv = Invalid::default();
    let mut date = |field: &str, s: &str| {
        let s = s.trim();
        if s.is_empty() {
            return Some(None);
        }
        match s.parse::<jiff::civil::Date>() {
            Ok(d) => Some(Some(d)),
            Err(_) => {
                inv.push(field, "shift-day-invalid");
                None
            }
        }
    };
    let (Some(from), Some(to)) = (date("from", from), date("to", to)) else {
        return Err(AppError::BadQuery(inv));
    };
    let from = from.unwrap_or_else(today_brussels);
    let to = to.unwrap_or_else(|| {
        from.checked_add(jiff::ToSpan::days(default_days))
            .unwrap_or(from)
    });
    loket_domain::calendar::check_range(from, to, max_days)
        .map_err(|e| AppError::BadQuery(e.into()))?;
    Ok((from.to_string(), to.to_string()))
}

/// Shifts by day and role; `open_only` lists those with a free place.
#[utoipa::path(get, path = "/api/v1/shifts", tag = "shifts",
    params(ListQuery),
    responses((status = 200, body = Vec<ShiftOut>),
        (status = 400, body = crate::error::Problem, description = "a malformed date, `to` before `from`, or more than 62 days")))]
pub async fn list(
    State(state): State<AppState>,
    who: ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ShiftOut>>, ApiError> {
    who.require(VOLUNTEERS)?;
    let (from, to) = if !q.day.trim().is_empty() {
        // One day: `from` and `to` are not read.
        let day =
            q.day.trim().parse::<jiff::civil::Date>().map_err(|_| {
                who.err(AppError::BadQuery(Invalid::one("day", "shift-day-invalid")))
            })?;
        (day.to_string(), day.to_string())
    } else {
        query_range(&q.from, &q.to, 20, rules::MAX_LIST_DAYS).map_err(|e| who.err(e))?
    };
    let lang = who.locale.code();
    let shifts = store::list_shifts(&state.store, &from, &to, q.role.trim(), q.open_only)
        .await
        .map_err(|e| who.err(e))?;
    Ok(Json(shifts.into_iter().map(|s| out(s, lang)).collect()))
}

/// A sign-up.
#[derive(Serialize, ToSchema)]
pub struct SignupOut {
    pub signup_id: String,
    pub shift: ShiftOut,
}

async fn signup_out(
    state: &AppState,
    who: &ApiUser,
    id: String,
    shift_id: &str,
) -> Result<(StatusCode, Json<SignupOut>), ApiError> {
    let s = store::get_shift(&state.store, shift_id)
        .await
        .map_err(|e| who.err(e))?
        .ok_or_else(|| who.err(crate::error::AppError::NotFound))?;
    Ok((
        StatusCode::CREATED,
        Json(SignupOut {
            signup_id: id,
            shift: out(s, who.locale.code()),
        }),
    ))
}

/// Signs the caller up: 409 when full or already signed up; 422 when a
/// working-time rule breaks (each named, with the conflicting shift), the
/// role's qualification is missing or sign-up has not opened yet.
#[utoipa::path(post, path = "/api/v1/shifts/{id}/sign-up", tag = "shifts",
    params(("id" = String, Path, description = "The shift's id")),
    responses((status = 201, body = SignupOut), (status = 409, description = "full or already signed up", body = crate::error::Problem)))]
pub async fn sign_up(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<SignupOut>), ApiError> {
    let user = who.require(VOLUNTEERS)?.clone();
    let sid = sign_up_for(
        &state,
        &Actor::User(user.id.clone()),
        &user.id,
        &id,
        None,
        None,
        who.locale,
    )
    .await
    .map_err(|e| who.err(e))?;
    signup_out(&state, &who, sid, &id).await
}

/// Cancels the caller's place on the shift (before it starts).
#[utoipa::path(post, path = "/api/v1/shifts/{id}/cancel", tag = "shifts",
    params(("id" = String, Path, description = "The shift's id")),
    responses((status = 204, description = "cancelled")))]
pub async fn cancel(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let user = who.require(VOLUNTEERS)?.clone();
    loket_app::shifts::cancel_signup(&state, &Actor::User(user.id.clone()), &id, &user.id)
        .await
        .map_err(|e| who.err(AppError::from(e)))?;
    Ok(StatusCode::NO_CONTENT)
}

/// An assignment by the planner.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignIn {
    /// The staff member's e-mail address.
    pub email: String,
    /// Overrides broken working-time rules (5 to 500 characters); audited.
    #[serde(default)]
    pub override_reason: Option<String>,
}

/// Assigns a staff member to the shift (planner). A broken working-time
/// rule is 422 with each rule named; sent again with `override_reason` the
/// rule is overridden and the override audited with the reason.
#[utoipa::path(post, path = "/api/v1/shifts/{id}/assignments", tag = "shifts",
    params(("id" = String, Path, description = "The shift's id")),
    request_body = AssignIn,
    responses((status = 201, body = SignupOut), (status = 409, description = "full or already on it", body = crate::error::Problem)))]
pub async fn assign(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssignIn>,
) -> Result<(StatusCode, Json<SignupOut>), ApiError> {
    let planner = who.require(PLANNERS)?.clone();
    let person = loket_store::people::find_by_email(&state.store, body.email.trim())
        .await
        .map_err(|e| who.err(e))?
        .filter(|u| u.roles.is_staff())
        .ok_or_else(|| who.err(Invalid::one("email", "shift-person-unknown")))?;
    let reason = match body.override_reason.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r) => Some(rules::parse_reason(r).map_err(|e| {
            who.err(Invalid::from(loket_domain::FieldError {
                field: "override_reason".into(),
                ..e
            }))
        })?),
    };
    let sid = sign_up_for(
        &state,
        &Actor::User(planner.id.clone()),
        &person.id,
        &id,
        Some(&planner.id),
        reason.as_deref(),
        who.locale,
    )
    .await
    .map_err(AppError::from)
    .map_err(|e| {
        // A rule breach: say that `override_reason` can override it.
        if let crate::error::AppError::Invalid(inv) = &e
            && is_rule_breach(inv)
        {
            return who
                .err(e)
                .with_detail("send override_reason to override these working-time rules");
        }
        who.err(e)
    })?;
    signup_out(&state, &who, sid, &id).await
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct CoverageQuery {
    /// First day (`YYYY-MM-DD`), today by default.
    pub from: String,
    /// Last day, inclusive; `from` + 13 days by default. At most 62 days
    /// from `from`, both counted (a longer period, a `to` before `from` or a
    /// malformed date is a 400 naming the field).
    pub to: String,
}

/// Needed and filled places per day and role.
#[derive(Serialize, ToSchema)]
pub struct CoverageOut {
    pub day: String,
    pub role: String,
    pub role_name: String,
    pub shifts: i64,
    pub needed: i64,
    pub filled: i64,
    pub missing: i64,
    /// `full`, `short` (at least half filled) or `gap`.
    pub level: String,
}

/// Coverage per day and role (planner).
#[utoipa::path(get, path = "/api/v1/shift-coverage", tag = "shifts",
    params(CoverageQuery),
    responses((status = 200, body = Vec<CoverageOut>),
        (status = 400, body = crate::error::Problem, description = "a malformed date, `to` before `from`, or more than 62 days")))]
pub async fn coverage(
    State(state): State<AppState>,
    who: ApiUser,
    Query(q): Query<CoverageQuery>,
) -> Result<Json<Vec<CoverageOut>>, ApiError> {
    who.require(PLANNERS)?;
    let (from, to) =
        query_range(&q.from, &q.to, 13, rules::MAX_COVERAGE_DAYS).map_err(|e| who.err(e))?;
    let lang = who.locale.code();
    let rows = store::coverage(&state.store, &from, &to)
        .await
        .map_err(|e| who.err(e))?;
    Ok(Json(
        rows.into_iter()
            .map(|c| CoverageOut {
                role_name: if lang == "en" {
                    c.role_name_en
                } else {
                    c.role_name_nl
                },
                missing: (c.needed - c.filled).max(0),
                level: rules::coverage_level(c.needed, c.filled).to_owned(),
                day: c.day,
                role: c.role_code,
                shifts: c.shifts,
                needed: c.needed,
                filled: c.filled,
            })
            .collect(),
    ))
}
