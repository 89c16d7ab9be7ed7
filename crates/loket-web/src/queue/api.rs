//! The queue API: check-in, walk-in tickets, reading a ticket, a desk's
//! call-next and finish, a location's occupancy (public) and its stream of
//! queue events (public, Server-Sent Events; no personal data).

use super::{DESK_STAFF, Snapshot, TicketView, WalkInError, check_in_code, desk, view};
use crate::AppState;
use crate::api::{ApiJson, ApiUser, api_locale};
use crate::error::{ApiError, AppError};
use crate::forms::field_message;
use crate::people::session::ClientIp;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_store::queue::{self as store, Outcome};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/queue/check-ins", post(check_in))
        .route("/queue/tickets", post(create_ticket))
        .route("/queue/tickets/{id}", get(get_ticket))
        .route("/desks/{id}/call-next", post(call_next))
        .route("/desks/{id}/finish", post(finish))
        .route("/locations/{location}/occupancy", get(occupancy))
        .route("/locations/{location}/queue-events", get(events))
}

#[derive(Deserialize, ToSchema)]
pub struct QueueCheckInIn {
    /// The location's slug or id.
    pub location: String,
    /// The appointment code, e.g. `K7QM-3XHD` (case and dashes do not
    /// matter).
    pub code: String,
}

/// Checks in an appointment at the counter (counter staff or a kiosk
/// account). Refused: an unknown, cancelled or used code, another
/// location's appointment, outside the check-in window, a double check-in.
#[utoipa::path(post, path = "/api/v1/queue/check-ins", tag = "queue",
    request_body = QueueCheckInIn,
    responses((status = 201, body = TicketView),
              (status = 422, description = "the code cannot be checked in (see `errors`)")))]
pub async fn check_in(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(body): ApiJson<QueueCheckInIn>,
) -> Result<Response, ApiError> {
    who.require(DESK_STAFF)?;
    let loc = super::location(&state, &body.location)
        .await
        .map_err(|_| who.err(Invalid::one("location", "appt-location-unknown")))?;
    let actor = Actor::User(who.user.id.clone());
    let (t, timing) = check_in_code(&state, &actor, &loc, &body.code)
        .await
        .map_err(|e| who.err(e))?;
    let v = view(&state, who.locale, &t, Some(timing))
        .await
        .map_err(|e| who.err(e))?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct TicketIn {
    /// The location's slug or id.
    pub location: String,
    /// The counter service's slug or id.
    pub service: String,
}

/// Hands out a walk-in ticket (counter staff or a kiosk account). When the
/// counter zone is full: 409 with `come_back_at` (unix ms).
#[utoipa::path(post, path = "/api/v1/queue/tickets", tag = "queue",
    request_body = TicketIn,
    responses((status = 201, body = TicketView),
              (status = 409, description = "the counter zone is full; `come_back_at` says when to try again")))]
pub async fn create_ticket(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(body): ApiJson<TicketIn>,
) -> Result<Response, ApiError> {
    who.require(DESK_STAFF)?;
    let loc = super::location(&state, &body.location)
        .await
        .map_err(|_| who.err(Invalid::one("location", "appt-location-unknown")))?;
    let actor = Actor::User(who.user.id.clone());
    match super::walk_in(&state, &actor, &loc, &body.service).await {
        Ok(t) => {
            let v = view(&state, who.locale, &t, None)
                .await
                .map_err(|e| who.err(e))?;
            Ok((StatusCode::CREATED, Json(v)).into_response())
        }
        Err(WalkInError::Full(full)) => {
            let at = crate::i18n::format_ms(full.come_back_at);
            let e = loket_domain::FieldError::with_value("service", "queue-zone-full", at);
            let body = serde_json::json!({
                "type": "about:blank",
                "title": who.locale.t("queue-kiosk-full"),
                "status": 409,
                "errors": [{ "field": e.field, "code": e.code, "detail": field_message(who.locale, &e) }],
                "come_back_at": full.come_back_at,
                "present": full.zone.present,
                "max_present": full.zone.max_present,
            });
            let mut res = (StatusCode::CONFLICT, Json(body)).into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            );
            Ok(res)
        }
        Err(WalkInError::Other(e)) => Err(who.err(e)),
    }
}

/// One ticket (counter staff).
#[utoipa::path(get, path = "/api/v1/queue/tickets/{id}", tag = "queue",
    params(("id" = String, Path, description = "ticket id")),
    responses((status = 200, body = TicketView)))]
pub async fn get_ticket(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<TicketView>, ApiError> {
    who.require(DESK_STAFF)?;
    let t = store::get(&state.store, &id)
        .await
        .map_err(|e| who.err(e))?
        .ok_or_else(|| who.err(AppError::NotFound))?;
    Ok(Json(
        view(&state, who.locale, &t, None)
            .await
            .map_err(|e| who.err(e))?,
    ))
}

/// The desk calls its next visitor: due appointments first, then walk-ins
/// (who never starve), then early appointments. 204 when nobody waits;
/// 422 `queue-desk-busy` while the desk still serves someone.
#[utoipa::path(post, path = "/api/v1/desks/{id}/call-next", tag = "queue",
    params(("id" = String, Path, description = "desk id")),
    responses((status = 200, body = TicketView),
              (status = 204, description = "nobody is waiting for this desk's services")))]
pub async fn call_next(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    who.require(DESK_STAFF)?;
    let d = desk(&state, &id).await.map_err(|e| who.err(e))?;
    let actor = Actor::User(who.user.id.clone());
    match super::call_next(&state, &actor, &d)
        .await
        .map_err(|e| who.err(e))?
    {
        Some(t) => {
            let v = view(&state, who.locale, &t, None)
                .await
                .map_err(|e| who.err(e))?;
            Ok(Json(v).into_response())
        }
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct FinishIn {
    /// `served` or `no_show`.
    pub outcome: String,
}

/// The desk ends its current visit: served, or no-show (an appointment's
/// no-show counts against the resident). The visitor leaves the zone.
#[utoipa::path(post, path = "/api/v1/desks/{id}/finish", tag = "queue",
    params(("id" = String, Path, description = "desk id")),
    request_body = FinishIn,
    responses((status = 200, body = TicketView)))]
pub async fn finish(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FinishIn>,
) -> Result<Json<TicketView>, ApiError> {
    who.require(DESK_STAFF)?;
    let outcome = match Outcome::parse(body.outcome.trim()) {
        Some(o @ (Outcome::Served | Outcome::NoShow)) => o,
        _ => return Err(who.err(Invalid::one("outcome", "queue-outcome-invalid"))),
    };
    let d = desk(&state, &id).await.map_err(|e| who.err(e))?;
    let actor = Actor::User(who.user.id.clone());
    let t = super::finish(&state, &actor, &d, outcome)
        .await
        .map_err(|e| who.err(e))?;
    Ok(Json(
        view(&state, who.locale, &t, None)
            .await
            .map_err(|e| who.err(e))?,
    ))
}

/// A location's counter zone: people present, the limit, whether the door
/// is open, people waiting and the last calls (public, no personal data).
#[utoipa::path(get, path = "/api/v1/locations/{location}/occupancy", tag = "queue", security(()),
    params(("location" = String, Path, description = "location slug or id")),
    responses((status = 200, body = Snapshot)))]
pub async fn occupancy(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(location): Path<String>,
) -> Result<Json<Snapshot>, ApiError> {
    let locale = api_locale(&headers);
    let loc = super::location(&state, &location)
        .await
        .map_err(|e| ApiError::new(e, locale))?;
    Ok(Json(
        super::snapshot(&state, &loc)
            .await
            .map_err(|e| ApiError::new(e, locale))?,
    ))
}

/// One event of the queue's stream, as a Server-Sent Events client reads
/// it. Documentation only: the stream writes these fields itself.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct QueueEvent {
    /// Always `queue`.
    event: String,
    /// The state's version.
    id: String,
    /// How long a client waits before reconnecting, in milliseconds.
    retry: i64,
    /// The whole state: a `Snapshot` (see `GET /api/v1/locations/{location}/occupancy`), as JSON text.
    data: String,
}

/// The location's queue as Server-Sent Events (`text/event-stream`): a
/// `queue` event with the whole state (a `Snapshot`) at once and after
/// every change; the event id is the state's version. Public.
#[utoipa::path(get, path = "/api/v1/locations/{location}/queue-events", tag = "queue", security(()),
    params(("location" = String, Path, description = "location slug or id")),
    responses((status = 200, content_type = "text/event-stream", body = QueueEvent,
               description = "an endless stream of `queue` events; each event's `data` is a `Snapshot` as JSON"),
              (status = 429, description = "this address holds its maximum of open streams (`live_streams_per_ip`, 20 by default); `Retry-After` says when to try again", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn events(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(location): Path<String>,
) -> Result<Response, ApiError> {
    let locale = api_locale(&headers);
    let loc = super::location(&state, &location)
        .await
        .map_err(|e| ApiError::new(e, locale))?;
    let sse = super::display::sse(&state, ip, loc).map_err(|e| ApiError::new(e, locale))?;
    Ok(sse.into_response())
}
