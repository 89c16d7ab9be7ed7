//! The appointments API: free slots (public), booking (a resident for
//! themself, counter or contact-centre staff for a resident), reading,
//! rescheduling, cancelling and no-shows.

use super::{
    COUNTER_STAFF, FreeSlot, Refused, SLOT_FULL, book_for, cancel_appt, local, reschedule_to,
};
use crate::AppState;
use crate::api::{ApiJson, ApiUser, api_locale};
use crate::error::{ApiError, AppError};
use crate::forms::field_message;
use crate::i18n::Locale;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use loket_domain::Invalid;
use loket_domain::appointments::AppointmentStatus;
use loket_domain::audit::Actor;
use loket_domain::people::Role;
use loket_store::appointments::catalogue::Counters;
use loket_store::appointments::{self as store, Appointment};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/appointment-slots", get(slots))
        .route("/appointments", get(list_mine).post(create))
        .route("/appointments/{id}", get(get_one))
        .route("/appointments/{id}/reschedule", post(reschedule))
        .route("/appointments/{id}/cancel", post(cancel))
        .route("/appointments/{id}/no-show", post(no_show))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotQuery {
    /// The counter service's slug or id (e.g. `identity-card`).
    pub service: String,
    /// The location's slug or id (e.g. `city-office`).
    pub location: String,
    /// First local date, `YYYY-MM-DD` (default today).
    #[serde(default)]
    pub from: Option<String>,
    /// Last local date, `YYYY-MM-DD` (default `from` + 6 days). The list
    /// keeps to the booking window (today up to the configured horizon, at
    /// most 365 days): dates outside it have no slots. A malformed date or
    /// a `to` before `from` is a 400 naming the field.
    #[serde(default)]
    pub to: Option<String>,
}

/// Free slots of a service at a location (public).
#[utoipa::path(get, path = "/api/v1/appointment-slots", tag = "appointments", security(()),
    params(SlotQuery),
    responses((status = 200, body = Vec<FreeSlot>), (status = 400, body = crate::error::Problem, description = "a malformed date, or `to` before `from`")))]
pub async fn slots(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SlotQuery>,
) -> Result<Json<Vec<FreeSlot>>, ApiError> {
    let locale = api_locale(&headers);
    let err = |e: AppError| ApiError::new(e, locale);
    // The configuration once (one read of its version) for both steps.
    let cat = state.counters().await.map_err(|e| err(e.into()))?;
    let (service, location) = loket_app::appointments::resolve_in(&cat, &q.service, &q.location)
        .map_err(|e| err(e.into()))?;
    let mut inv = Invalid::default();
    let parse = |s: &Option<String>, field: &str, inv: &mut Invalid| match s {
        None => None,
        Some(s) => match s.parse::<jiff::civil::Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                inv.push(field, "date-invalid");
                None
            }
        },
    };
    let from = parse(&q.from, "from", &mut inv).unwrap_or_else(crate::i18n::today_brussels);
    let to = parse(&q.to, "to", &mut inv)
        .unwrap_or_else(|| from.checked_add(jiff::ToSpan::days(6)).unwrap_or(from));
    if inv.is_empty()
        && let Err(e) = loket_domain::calendar::check_range(from, to, i64::MAX)
    {
        // Only the order: the booking window bounds the length.
        inv.0.push(e);
    }
    inv.into_result().map_err(|e| err(AppError::BadQuery(e)))?;
    let list = loket_app::appointments::free_slots_in(&state, &cat, &service, &location, from, to)
        .await
        .map_err(|e| err(e.into()))?;
    Ok(Json(list))
}

/// A booking request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAppointmentIn {
    /// Counter service slug or id.
    pub service: String,
    /// Location slug or id.
    pub location: String,
    /// The slot's start: unix ms, RFC 3339, or local `2026-12-02T09:15`.
    pub start: String,
    /// Staff only: the resident's account e-mail address.
    #[serde(default)]
    pub resident_email: Option<String>,
    /// Staff only: `phone` (default) or `counter`.
    #[serde(default)]
    pub channel: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleIn {
    /// The new slot's start.
    pub start: String,
}

/// An appointment.
#[derive(Serialize, ToSchema)]
pub struct AppointmentOut {
    pub id: String,
    /// The code to type or scan at the kiosk.
    pub code: String,
    pub service: String,
    pub location: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub start_local: String,
    /// `booked`, `cancelled`, `no_show` or `served`.
    #[schema(value_type = String)]
    pub status: AppointmentStatus,
    pub channel: String,
    /// Raised by each reschedule and the cancellation (iCalendar SEQUENCE).
    pub sequence: i64,
}

async fn out(state: &AppState, a: Appointment) -> Result<AppointmentOut, AppError> {
    Ok(out_in(&*state.counters().await?, a))
}

/// [`out`] with the configuration at hand (a booking's answer uses the one
/// it was just checked against).
fn out_in(cat: &Counters, a: Appointment) -> AppointmentOut {
    let service = cat
        .service(&a.service_id)
        .map(|s| s.slug.clone())
        .unwrap_or_default();
    let location = cat
        .location(&a.location_id)
        .map(|l| l.slug.clone())
        .unwrap_or_default();
    AppointmentOut {
        start_local: local(a.starts_at),
        id: a.id,
        code: a.code,
        service,
        location,
        start_ms: a.starts_at,
        end_ms: a.ends_at,
        status: a.status,
        channel: a.channel,
        sequence: a.sequence,
    }
}

/// A refusal as a problem document; a full slot is 409 with the nearest
/// free slots in `nearest`.
fn refused(r: Refused, locale: Locale) -> Response {
    if !r.refusal.has_code(SLOT_FULL) {
        return ApiError::new(AppError::from(r.refusal), locale).into_response();
    }
    let errors: Vec<serde_json::Value> = match &r.refusal {
        loket_app::Refusal::Invalid(inv) | loket_app::Refusal::Full(inv) => inv
            .0
            .iter()
            .map(|e| {
                serde_json::json!({
                    "field": e.field, "code": e.code, "detail": field_message(locale, e),
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    let body = serde_json::json!({
        "type": "about:blank",
        "title": locale.t("appt-just-taken"),
        "status": 409,
        "errors": errors,
        "nearest": r.nearest,
    });
    let mut res = (StatusCode::CONFLICT, Json(body)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

/// The appointment if the caller may act on it: its resident, or counter
/// staff (whose reads are access-logged).
async fn allowed(state: &AppState, who: &ApiUser, id: &str) -> Result<Appointment, ApiError> {
    let a = store::get(&state.store, id)
        .await
        .map_err(|e| who.err(e))?
        .ok_or_else(|| who.err(AppError::NotFound))?;
    if a.resident_id == who.user.id && who.user.roles.has(Role::Resident) {
        return Ok(a);
    }
    if who.user.roles.any(COUNTER_STAFF) {
        loket_store::audit::record_access(
            &state.store,
            &who.user.id,
            &a.resident_id,
            "appointment",
            &a.id,
            "appointment.view",
        )
        .await
        .map_err(|e| who.err(e))?;
        return Ok(a);
    }
    // Someone else's appointment is as good as absent.
    Err(who.err(AppError::NotFound))
}

/// Books an appointment. Residents book for themselves; counter and
/// contact-centre staff book for a resident (`resident_email`).
#[utoipa::path(post, path = "/api/v1/appointments", tag = "appointments",
    request_body = NewAppointmentIn,
    responses((status = 201, body = AppointmentOut),
              (status = 409, description = "the slot was just taken; `nearest` lists free slots close to it"),
              (status = 429, description = "too many bookings in a short time")))]
pub async fn create(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(body): ApiJson<NewAppointmentIn>,
) -> Response {
    let locale = who.locale;
    let actor = Actor::User(who.user.id.clone());
    let (resident, channel) = if who.user.roles.any(COUNTER_STAFF) {
        let Some(email) = body.resident_email.as_deref() else {
            return who
                .err(AppError::Invalid(Invalid::one(
                    "resident_email",
                    "required",
                )))
                .into_response();
        };
        let channel = body.channel.clone().unwrap_or_else(|| "phone".to_owned());
        if !["phone", "counter"].contains(&channel.as_str()) {
            return who
                .err(AppError::Invalid(Invalid::one("channel", "appt-channel")))
                .into_response();
        }
        match state.account_by_email(email).await {
            Ok(Some(u)) if u.roles.has(Role::Resident) => (u, channel),
            Ok(_) => {
                return who
                    .err(AppError::Invalid(Invalid::one(
                        "resident_email",
                        "resident-unknown",
                    )))
                    .into_response();
            }
            Err(e) => return who.err(e).into_response(),
        }
    } else if who.user.roles.has(Role::Resident) {
        if body.resident_email.is_some() {
            return who
                .err(AppError::Invalid(Invalid::one(
                    "resident_email",
                    "appt-staff-only",
                )))
                .into_response();
        }
        if let Err(e) = super::rate_ok(&state, &who.user.id).await {
            return who.err(e).into_response();
        }
        (who.user.clone(), "api".to_owned())
    } else {
        return who.err(AppError::Forbidden).into_response();
    };
    match book_for(
        &state,
        &actor,
        &resident,
        &body.service,
        &body.location,
        &body.start,
        &channel,
    )
    .await
    {
        Ok(a) => match state.counters_as_last_read().await {
            Ok(cat) => (StatusCode::CREATED, Json(out_in(&cat, a))).into_response(),
            Err(e) => who.err(AppError::from(e)).into_response(),
        },
        Err(r) => refused(r, locale),
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct MineQuery {
    /// Where the page starts: the `next` (or `prev`) of the previous answer.
    pub cursor: String,
    /// Items per page, 1 to 200 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: String,
}

crate::api_page!(AppointmentPage, AppointmentOut);

/// The caller's own appointments (residents), newest start first, one page
/// at a time (`cursor`, `limit`).
#[utoipa::path(get, path = "/api/v1/appointments", tag = "appointments",
    params(MineQuery),
    responses((status = 200, body = AppointmentPage), (status = 400, body = crate::error::Problem, description = "a bad `cursor` or `limit`")))]
pub async fn list_mine(
    State(state): State<AppState>,
    who: ApiUser,
    Query(q): Query<MineQuery>,
) -> Result<Json<AppointmentPage>, ApiError> {
    let user = who.require(&[Role::Resident])?.clone();
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::RESIDENT_APPOINTMENT_PAGING)
        .map_err(|e| who.err(e))?;
    let page = store::of_resident_page(&state.store, &user.id, &pq)
        .await
        .map_err(|e| who.err(e))?;
    let total = store::of_resident_total(&state.store, &user.id, loket_domain::paging::TOTAL_CAP)
        .await
        .map_err(|e| who.err(e))?;
    let mut items = Vec::with_capacity(page.items.len());
    for a in page.items.iter().cloned() {
        items.push(out(&state, a).await.map_err(|e| who.err(e))?);
    }
    Ok(Json(AppointmentPage::new(page, items, total)))
}

/// One appointment (its resident, or counter staff: access-logged).
#[utoipa::path(get, path = "/api/v1/appointments/{id}", tag = "appointments",
    params(("id" = String, Path, description = "appointment id")),
    responses((status = 200, body = AppointmentOut)))]
pub async fn get_one(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<AppointmentOut>, ApiError> {
    let a = allowed(&state, &who, &id).await?;
    Ok(Json(out(&state, a).await.map_err(|e| who.err(e))?))
}

/// Moves an appointment to another slot (same service and location). The
/// resident gets an updated invitation (same UID, higher SEQUENCE).
#[utoipa::path(post, path = "/api/v1/appointments/{id}/reschedule", tag = "appointments",
    params(("id" = String, Path, description = "appointment id")),
    request_body = RescheduleIn,
    responses((status = 200, body = AppointmentOut),
              (status = 409, description = "the slot was just taken; `nearest` lists free slots")))]
pub async fn reschedule(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RescheduleIn>,
) -> Response {
    let a = match allowed(&state, &who, &id).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    if !who.user.roles.any(COUNTER_STAFF)
        && let Err(e) = super::rate_ok(&state, &who.user.id).await
    {
        return who.err(e).into_response();
    }
    let actor = Actor::User(who.user.id.clone());
    match reschedule_to(&state, &actor, &a, &body.start).await {
        Ok(a) => match out(&state, a).await {
            Ok(o) => Json(o).into_response(),
            Err(e) => who.err(e).into_response(),
        },
        Err(r) => refused(r, who.locale),
    }
}

/// Cancels an appointment; its place is free again at once.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/cancel", tag = "appointments",
    params(("id" = String, Path, description = "appointment id")),
    responses((status = 200, body = AppointmentOut)))]
pub async fn cancel(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<AppointmentOut>, ApiError> {
    let a = allowed(&state, &who, &id).await?;
    let actor = Actor::User(who.user.id.clone());
    let done = cancel_appt(&state, &actor, &a)
        .await
        .map_err(|e| who.err(e))?;
    Ok(Json(out(&state, done).await.map_err(|e| who.err(e))?))
}

/// The resident did not come (staff, from the appointment's start on): the
/// place returns to the pool and the resident's no-show count rises.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/no-show", tag = "appointments",
    params(("id" = String, Path, description = "appointment id")),
    responses((status = 200, body = AppointmentOut)))]
pub async fn no_show(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<AppointmentOut>, ApiError> {
    who.require(COUNTER_STAFF)?;
    let actor = Actor::User(who.user.id.clone());
    let a = loket_app::appointments::mark_no_show(&state, &actor, &id)
        .await
        .map_err(|e| who.err(AppError::from(e)))?;
    Ok(Json(out(&state, a).await.map_err(|e| who.err(e))?))
}
