//! The bikes API: availability, reservations, pick-up and return (staff).

use super::{RIDERS, Refused, Request, allowed, local, reserve_for, return_for};
use crate::AppState;
use crate::api::{ApiJson, ApiUser};
use crate::error::{ApiError, AppError};
use crate::forms::field_message;
use crate::i18n::Locale;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use loket_domain::Invalid;
use loket_domain::appointments::{brussels, parse_start};
use loket_domain::audit::Actor;
use loket_domain::bikes::{BikeStatus, BikeType, ReservationStatus};
use loket_store::bikes::{self as store, Bike, Reservation};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bike-availability", get(availability))
        .route("/bike-reservations", get(list).post(create))
        .route("/bike-reservations/{id}/pick-up", post(pick_up))
        .route("/bike-reservations/{id}/return", post(return_one))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// The site's slug or id.
    pub site: String,
    /// `classic`, `ebike` or `cargo`.
    #[serde(rename = "type")]
    pub bike_type: String,
    /// Start: unix ms, RFC 3339, or local `2026-12-02T09:00`.
    pub start: String,
    /// End, the same forms.
    pub end: String,
}

/// A bike.
#[derive(Serialize, ToSchema)]
pub struct BikeOut {
    pub id: String,
    pub number: String,
    /// `classic`, `ebike` or `cargo`.
    pub bike_type: String,
    pub site: String,
    /// `available`, `maintenance` or `retired`.
    #[schema(value_type = String)]
    pub status: BikeStatus,
    pub battery_note: String,
}

impl From<Bike> for BikeOut {
    fn from(b: Bike) -> Self {
        BikeOut {
            id: b.id,
            number: b.number,
            bike_type: b.bike_type,
            site: b.site_name,
            status: b.status,
            battery_note: b.battery_note,
        }
    }
}

fn instant(s: &str) -> Option<i64> {
    parse_start(s, &brussels())
}

/// The bikes free for a whole window at a site.
///
/// The window is checked as a reservation's: it ends after it starts, does not lie in the past and
/// lasts at most the longest reservation (422 naming `start` or `end`).
#[utoipa::path(get, path = "/api/v1/bike-availability", tag = "bikes",
    params(AvailabilityQuery),
    responses((status = 200, body = Vec<BikeOut>),
        (status = 422, body = crate::error::Problem, description = "an unknown site or type, a malformed time, or a window a reservation could not have")))]
pub async fn availability(
    State(state): State<AppState>,
    who: ApiUser,
    Query(q): Query<AvailabilityQuery>,
) -> Result<Json<Vec<BikeOut>>, ApiError> {
    who.require(RIDERS)?;
    let mut inv = Invalid::default();
    let site = store::site(&state.store, q.site.trim())
        .await
        .map_err(|e| who.err(e))?;
    if site.is_none() {
        inv.push("site", "bike-site-unknown");
    }
    let kind = inv.check("type", BikeType::parse(&q.bike_type));
    let start = instant(&q.start);
    let end = instant(&q.end);
    if start.is_none() {
        inv.push("start", "bike-time-invalid");
    }
    if end.is_none() {
        inv.push("end", "bike-time-invalid");
    }
    let (Some(site), Some(kind), Some(start), Some(end), true) =
        (site, kind, start, end, inv.is_empty())
    else {
        return Err(who.err(inv));
    };
    // The window a reservation could have: ends after it starts, not in the
    // past, at most the longest reservation (one read cannot ask about
    // years).
    let settings = store::settings(&state.store)
        .await
        .map_err(|e| who.err(e))?;
    loket_domain::bikes::check_window(start, end, loket_store::now_ms(), settings.max_minutes)
        .map_err(|inv| who.err(inv))?;
    let bikes = store::free_bikes(&state.store, &site.id, kind.as_str(), start, end)
        .await
        .map_err(|e| who.err(e))?;
    Ok(Json(bikes.into_iter().map(BikeOut::from).collect()))
}

/// A reservation request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReservationIn {
    /// Site slug or id.
    pub site: String,
    /// `classic`, `ebike` or `cargo`.
    pub bike_type: String,
    /// Start: unix ms, RFC 3339 or local `2026-12-02T09:00`.
    pub start: String,
    pub end: String,
}

/// A reservation.
#[derive(Serialize, ToSchema)]
pub struct ReservationOut {
    pub id: String,
    pub bike_id: String,
    pub bike_number: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub start_local: String,
    pub end_local: String,
    /// `reserved`, `picked_up`, `returned`, `released` or `cancelled`.
    #[schema(value_type = String)]
    pub status: ReservationStatus,
    pub km: Option<i64>,
    pub damage: String,
}

async fn out(state: &AppState, r: Reservation) -> Result<ReservationOut, AppError> {
    let number = store::get_bike(&state.store, &r.bike_id)
        .await?
        .map(|b| b.number)
        .unwrap_or_default();
    Ok(ReservationOut {
        start_local: local(r.starts_at),
        end_local: local(r.ends_at),
        id: r.id,
        bike_id: r.bike_id,
        bike_number: number,
        start_ms: r.starts_at,
        end_ms: r.ends_at,
        status: r.status,
        km: r.km,
        damage: r.damage,
    })
}

/// A refusal: 409 with `nearest` when no bike is free; a window in the past
/// or too long is 422 with `nearest` for the window made valid.
fn refused(r: Refused, locale: Locale) -> Response {
    let error = AppError::from(r.refusal);
    let nearest = r.nearest;
    let (AppError::Conflict(inv) | AppError::Invalid(inv)) = &error else {
        return ApiError::new(error, locale).into_response();
    };
    if nearest.is_empty() && matches!(error, AppError::Invalid(_)) {
        return ApiError::new(error, locale).into_response();
    }
    let status = error.status();
    let errors: Vec<serde_json::Value> = inv
        .0
        .iter()
        .map(|e| serde_json::json!({"field": e.field, "code": e.code, "detail": field_message(locale, e)}))
        .collect();
    let body = serde_json::json!({
        "type": "about:blank",
        "title": locale.t(if status == StatusCode::CONFLICT { "bike-none-free-title" } else { error.title_id() }),
        "status": status.as_u16(),
        "errors": errors,
        "nearest": nearest,
    });
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
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

crate::api_page!(ReservationPage, ReservationOut);

/// The caller's reservations, newest first, one page at a time (`cursor`,
/// `limit`).
#[utoipa::path(get, path = "/api/v1/bike-reservations", tag = "bikes", params(MineQuery),
    responses((status = 200, body = ReservationPage), (status = 400, body = crate::error::Problem, description = "a bad `cursor` or `limit`")))]
pub async fn list(
    State(state): State<AppState>,
    who: ApiUser,
    Query(q): Query<MineQuery>,
) -> Result<Json<ReservationPage>, ApiError> {
    let user = who.require(RIDERS)?.clone();
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::RESERVATION_PAGING)
        .map_err(|e| who.err(e))?;
    let page = store::reservations_page(&state.store, &user.id, &pq)
        .await
        .map_err(|e| who.err(e))?;
    let total = store::reservations_total(&state.store, &user.id, loket_domain::paging::TOTAL_CAP)
        .await
        .map_err(|e| who.err(e))?;
    let mut v = Vec::with_capacity(page.items.len());
    for r in page.items.iter().cloned() {
        v.push(out(&state, r).await.map_err(|e| who.err(e))?);
    }
    Ok(Json(ReservationPage::new(page, v, total)))
}

/// Reserves a bike of the type at the site for the window. Never
/// overlapping for one bike; when none is free: 409 with `nearest`.
#[utoipa::path(post, path = "/api/v1/bike-reservations", tag = "bikes",
    request_body = NewReservationIn,
    responses((status = 201, body = ReservationOut),
              (status = 409, description = "no bike free; `nearest` lists the nearest free bikes")))]
pub async fn create(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(body): ApiJson<NewReservationIn>,
) -> Response {
    let user = match who.require(RIDERS) {
        Ok(u) => u.clone(),
        Err(e) => return e.into_response(),
    };
    let req = Request {
        site: &body.site,
        bike_type: &body.bike_type,
        start_ms: instant(&body.start),
        end_ms: instant(&body.end),
    };
    match reserve_for(&state, &Actor::User(user.id.clone()), &user, &req).await {
        Ok((r, _)) => match out(&state, r).await {
            Ok(o) => (StatusCode::CREATED, Json(o)).into_response(),
            Err(e) => who.err(e).into_response(),
        },
        Err(r) => refused(r, who.locale),
    }
}

/// Picks the bike up (from 15 minutes before the start until the release).
#[utoipa::path(post, path = "/api/v1/bike-reservations/{id}/pick-up", tag = "bikes",
    params(("id" = String, Path, description = "reservation id")),
    responses((status = 200, body = ReservationOut)))]
pub async fn pick_up(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ReservationOut>, ApiError> {
    let user = who.require(RIDERS)?.clone();
    let r = allowed(&state, &user, &id).await.map_err(|e| who.err(e))?;
    let done = loket_app::bikes::pick_up(&state, &Actor::User(user.id), &r)
        .await
        .map_err(|e| who.err(AppError::from(e)))?;
    Ok(Json(out(&state, done).await.map_err(|e| who.err(e))?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnIn {
    /// Kilometres ridden (0 to 300).
    pub km: i64,
    /// Damage, if any: puts the bike in maintenance and mails the fleet manager.
    #[serde(default)]
    pub damage: String,
}

/// Returns the bike with the kilometres and any damage.
#[utoipa::path(post, path = "/api/v1/bike-reservations/{id}/return", tag = "bikes",
    params(("id" = String, Path, description = "reservation id")),
    request_body = ReturnIn,
    responses((status = 200, body = ReservationOut)))]
pub async fn return_one(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReturnIn>,
) -> Result<Json<ReservationOut>, ApiError> {
    let user = who.require(RIDERS)?.clone();
    let r = allowed(&state, &user, &id).await.map_err(|e| who.err(e))?;
    let done = return_for(
        &state,
        &Actor::User(user.id),
        &r,
        &body.km.to_string(),
        &body.damage,
    )
    .await
    .map_err(|e| who.err(e))?;
    Ok(Json(out(&state, done).await.map_err(|e| who.err(e))?))
}
