//! The vaccination API: campaigns and slots, the waiting room, booking by
//! invitation code, the reserve list, check-in and station scans, the day's
//! figures and the mobile teams' sync.

use super::{CENTRE_STAFF, COORDINATORS, SlotView, campaign, link_key, open_slots};
use crate::AppState;
use crate::api::{ApiJson, ApiUser, api_locale};
use crate::error::{ApiError, AppError};
use crate::people::session::ClientIp;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::vaccination::{self as rules, BookingStatus, CampaignStatus, Station};
use loket_store::now_ms;
use loket_store::vaccination::{self as store, Campaign};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/vaccination/campaigns", get(list_campaigns))
        .route("/vaccination/campaigns/{c}/slots", get(slots))
        .route(
            "/vaccination/campaigns/{c}/waiting-room",
            post(enter_waiting_room),
        )
        .route("/vaccination/bookings", post(book))
        .route("/vaccination/bookings/cancel", post(cancel))
        .route("/vaccination/campaigns/{c}/reserve", post(reserve))
        .route("/vaccination/campaigns/{c}/check-ins", post(check_in))
        .route("/vaccination/campaigns/{c}/scans", post(scan))
        .route("/vaccination/campaigns/{c}/figures", get(figures))
        .route("/vaccination/mobile/sync", post(sync))
}

#[derive(Serialize, ToSchema)]
pub struct CampaignView {
    pub slug: String,
    pub name: String,
    pub vaccine: String,
    pub lines: i64,
    pub per_line: i64,
    pub slot_minutes: i64,
    pub observation_minutes: i64,
    pub admit_per_minute: i64,
    /// When booking opens (unix ms).
    pub opens_at: i64,
    /// `open` or `closed`.
    #[schema(value_type = String)]
    pub status: CampaignStatus,
}

fn campaign_view(c: Campaign) -> CampaignView {
    CampaignView {
        slug: c.slug,
        name: c.name,
        vaccine: c.vaccine,
        lines: c.lines,
        per_line: c.per_line,
        slot_minutes: c.slot_minutes,
        observation_minutes: c.observation_minutes,
        admit_per_minute: c.admit_per_minute,
        opens_at: c.opens_at,
        status: c.status,
    }
}

/// Which page of the campaigns.
#[derive(Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct CampaignsQuery {
    /// The `next` or `prev` cursor of an earlier answer.
    pub cursor: String,
    /// Items per page, 1 to 200 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: String,
}

crate::api_page!(CampaignPage, CampaignView);

/// The campaigns (coordinators), latest opening first, one page at a time
/// (`cursor`, `limit`).
#[utoipa::path(get, path = "/api/v1/vaccination/campaigns", tag = "vaccination",
    params(CampaignsQuery),
    responses((status = 200, body = CampaignPage), (status = 400, body = crate::error::Problem, description = "a bad `cursor` or `limit`")))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    who: ApiUser,
    Query(q): Query<CampaignsQuery>,
) -> Result<Json<CampaignPage>, ApiError> {
    who.require(COORDINATORS)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::CAMPAIGN_PAGING)
        .map_err(|e| who.err(e))?;
    let page = store::campaigns_page(&state.store, &pq)
        .await
        .map_err(|e| who.err(e))?;
    let total = store::campaigns_total(&state.store, loket_domain::paging::TOTAL_CAP)
        .await
        .map_err(|e| who.err(e))?;
    let items = page.items.iter().cloned().map(campaign_view).collect();
    Ok(Json(CampaignPage::new(page, items, total)))
}

async fn public_campaign(
    state: &AppState,
    headers: &HeaderMap,
    slug: &str,
) -> Result<Campaign, ApiError> {
    let locale = api_locale(headers);
    match campaign(state, slug).await {
        Ok(c) if c.status == CampaignStatus::Open => Ok(c),
        Ok(_) => Err(vac_error(AppError::NotFound, locale)),
        Err(e) => Err(vac_error(e, locale)),
    }
}

/// The campaign's slots from now, with their free places (public).
#[utoipa::path(get, path = "/api/v1/vaccination/campaigns/{c}/slots", tag = "vaccination",
    params(("c" = String, Path, description = "the campaign's slug")),
    security(()),
    responses((status = 200, body = Vec<SlotView>)))]
pub async fn slots(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Json<Vec<SlotView>>, ApiError> {
    let c = public_campaign(&state, &headers, &slug).await?;
    let days = open_slots(&state, &c, now_ms())
        .await
        .map_err(|e| vac_error(e, api_locale(&headers)))?;
    Ok(Json(days.into_iter().flat_map(|(_, s)| s).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct WaitingTicket {
    /// The signed ticket: send it with the booking.
    pub ticket: String,
    /// The place in arrival order (1-based).
    pub number: i64,
    pub admitted: bool,
    /// When the ticket is admitted (unix ms).
    pub admitted_at: i64,
    /// People before this ticket who are not admitted yet.
    pub ahead: i64,
}

/// Enters the waiting room: a ticket with a number in arrival order
/// (public). Booking needs an admitted ticket.
#[utoipa::path(post, path = "/api/v1/vaccination/campaigns/{c}/waiting-room", tag = "vaccination",
    params(("c" = String, Path, description = "the campaign's slug")),
    security(()),
    responses((status = 201, body = WaitingTicket),
              (status = 429, description = "too many new tickets from this address (100 a minute); `Retry-After` says when", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn enter_waiting_room(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let locale = api_locale(&headers);
    let c = public_campaign(&state, &headers, &slug).await?;
    loket_app::limits::check(
        &state,
        &loket_domain::limits::WAITING_TICKETS_PER_IP,
        &ip.to_string(),
    )
    .await
    .map_err(|e| vac_error(AppError::from(e), locale))?;
    let n = store::next_waiting_number(&state.store, &c.id)
        .await
        .map_err(|e| vac_error(e, locale))?;
    let key = link_key(&state).await.map_err(|e| vac_error(e, locale))?;
    let (visitor, _) = loket_app::vaccination::new_visitor(&key);
    let now = now_ms();
    let admitted_now = rules::admitted_by(c.opens_at, now, c.admit_per_minute, c.admit_burst);
    Ok((
        StatusCode::CREATED,
        Json(WaitingTicket {
            ticket: super::public::ticket_text(&key, &c, n, &visitor),
            number: n,
            admitted: admitted_now >= n,
            admitted_at: rules::admitted_at(c.opens_at, n, c.admit_per_minute, c.admit_burst),
            ahead: (n - admitted_now - 1).max(0),
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookIn {
    /// The invitation code, e.g. `K7QM-3XHD-A9W2` (case, spaces and dashes
    /// do not matter).
    pub code: String,
    /// `YYYY-MM-DD`; five wrong dates lock the code for 15 minutes.
    pub birth_date: String,
    /// The slot's start (unix ms, from the slots list).
    pub start: i64,
    /// The admitted waiting-room ticket.
    pub ticket: String,
}

#[derive(Serialize, ToSchema)]
pub struct BookingView {
    pub id: String,
    pub campaign: String,
    pub starts_at: i64,
    pub ends_at: i64,
    /// `booked`, `cancelled`, `checked_in` or `no_show`.
    #[schema(value_type = String)]
    pub status: BookingStatus,
    /// Raised by every move (the calendar file's SEQUENCE).
    pub sequence: i64,
}

/// Books a slot with the invitation code and birth date (public; an
/// admitted waiting-room ticket is needed), or moves the booking there.
#[utoipa::path(post, path = "/api/v1/vaccination/bookings", tag = "vaccination",
    request_body = BookIn,
    security(()),
    responses((status = 201, body = BookingView),
              (status = 409, description = "the slot is full (`appt-slot-full` on `start`): pick another", body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 422, description = "the ticket is checked first: invalid (`vac-ticket-invalid`) or used by a booking already (`vac-ticket-used`); then the code and birth date", body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 429, description = "the waiting-room ticket is not admitted yet")))]
pub async fn book(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<BookIn>,
) -> Result<Response, ApiError> {
    let locale = api_locale(&headers);
    let err = |e: AppError| vac_error(e, locale);
    // The ticket first: without an admitted, unused ticket nobody gets to
    // try codes and birth dates.
    let bad_ticket = || err(Invalid::one("ticket", "vac-ticket-invalid").into());
    let campaign_id = body.ticket.split('.').next().unwrap_or_default();
    if campaign_id.is_empty() {
        return Err(bad_ticket());
    }
    let c = match campaign(&state, campaign_id).await {
        Ok(c) => c,
        Err(loket_app::Refusal::NotFound) => return Err(bad_ticket()),
        Err(e) => return Err(err(e.into())),
    };
    let key = link_key(&state).await.map_err(|e| err(e.into()))?;
    let n = match super::public::parse_ticket(&body.ticket, &key, &c, None) {
        Some(n) if super::public::admitted(&c, n, now_ms()) => n,
        Some(_) => return Err(err(AppError::TooMany)),
        None => return Err(bad_ticket()),
    };
    if store::ticket_used(&state.store, &c.id, n)
        .await
        .map_err(|e| err(e.into()))?
    {
        return Err(err(Invalid::one("ticket", "vac-ticket-used").into()));
    }
    let inv = store::verify(&state.store, &body.code, &body.birth_date)
        .await
        .map_err(|e| err(e.into()))?;
    if inv.campaign_id != c.id {
        return Err(err(Invalid::one("code", "vac-code-other-campaign").into()));
    }
    let b = super::public::book_or_move(
        &state,
        &c,
        &inv,
        &body.start.to_string(),
        "api",
        &Actor::System,
        locale,
        Some(n),
    )
    .await
    .map_err(|e| err(e.into()))?;
    Ok((
        StatusCode::CREATED,
        Json(BookingView {
            id: b.id,
            campaign: c.slug,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            status: b.status,
            sequence: b.sequence,
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelIn {
    pub code: String,
    pub birth_date: String,
}

/// Cancels the booking of an invitation (public); the place goes to the
/// reserve list.
#[utoipa::path(post, path = "/api/v1/vaccination/bookings/cancel", tag = "vaccination",
    request_body = CancelIn,
    security(()),
    responses((status = 204, description = "cancelled")))]
pub async fn cancel(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CancelIn>,
) -> Result<Response, ApiError> {
    let locale = api_locale(&headers);
    let err = |e: AppError| vac_error(e, locale);
    let inv = store::verify(&state.store, &body.code, &body.birth_date)
        .await
        .map_err(|e| err(e.into()))?;
    let c = campaign(&state, &inv.campaign_id)
        .await
        .map_err(|e| err(e.into()))?;
    super::public::cancel_booking(&state, &c, &inv, &Actor::System, locale)
        .await
        .map_err(|e| err(e.into()))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReserveIn {
    pub national_number: String,
    pub name: String,
    pub birth_date: String,
    pub email: String,
    #[serde(default)]
    pub phone: String,
    /// The target group's rank (0 = first, see the campaign's groups).
    pub group: i64,
}

/// The answer to every accepted sign-up, whatever the number's state.
#[derive(Serialize, ToSchema)]
pub struct ReserveAccepted {
    /// "We sent an e-mail to the address you gave…", in the asked language.
    pub message: String,
}

/// Signs up for the reserve list (public). Every sign-up that passes the
/// field checks gets the same answer, 202 with a neutral message: the
/// link mailed to the given address activates it, and only if the number
/// is not invited nor already listed. Limited per IP address (429 with
/// `Retry-After`).
#[utoipa::path(post, path = "/api/v1/vaccination/campaigns/{c}/reserve", tag = "vaccination",
    params(("c" = String, Path, description = "the campaign's slug")),
    request_body = ReserveIn,
    security(()),
    responses((status = 202, body = ReserveAccepted),
              (status = 429, description = "too many sign-ups from this address", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn reserve(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ReserveIn>,
) -> Result<Response, ApiError> {
    let locale = api_locale(&headers);
    let err = |e: AppError| vac_error(e, locale);
    let c = public_campaign(&state, &headers, &slug).await?;
    let group = body.group.to_string();
    let input = loket_app::vaccination::ReserveInput {
        national_number: &body.national_number,
        name: &body.name,
        birth_date: &body.birth_date,
        email: &body.email,
        phone: &body.phone,
        group: &group,
    };
    loket_app::vaccination::reserve_sign_up(&state, &c, &input, locale, &ip.to_string())
        .await
        .map_err(|e| err(e.into()))?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ReserveAccepted {
            message: locale.t("vac-reserve-sent"),
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VaccinationCheckInIn {
    /// The invitation code (scanned from the QR code or typed).
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct VisitView {
    pub id: String,
    /// The code in the label's Code128.
    pub code: String,
    pub line: i64,
    pub queue_no: i64,
    /// `early`, `on_time`, `late` or `not_booked`.
    pub arrival: String,
    /// `checked_in`, `registered`, `vaccinated`, `observing` or `left`.
    pub stage: String,
    pub observation_ends_at: Option<i64>,
    pub label_pdf: String,
    pub label_zpl: String,
}

fn visit_view(c: &Campaign, v: store::Visit) -> VisitView {
    VisitView {
        label_pdf: format!("/staff/vaccination/{}/visits/{}/label.pdf", c.slug, v.id),
        label_zpl: format!("/staff/vaccination/{}/visits/{}/label.zpl", c.slug, v.id),
        id: v.id,
        code: v.code,
        line: v.line,
        queue_no: v.queue_no,
        arrival: v.arrival,
        stage: v.stage,
        observation_ends_at: v.observation_ends_at,
    }
}

/// Checks a visitor in after the identity check (centre staff).
#[utoipa::path(post, path = "/api/v1/vaccination/campaigns/{c}/check-ins", tag = "vaccination",
    params(("c" = String, Path, description = "the campaign's slug")),
    request_body = VaccinationCheckInIn,
    responses((status = 201, body = VisitView)))]
pub async fn check_in(
    State(state): State<AppState>,
    who: ApiUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<VaccinationCheckInIn>,
) -> Result<Response, ApiError> {
    let user = who.require(CENTRE_STAFF)?.clone();
    let c = campaign(&state, &slug).await.map_err(|e| who.err(e))?;
    let found = super::centre::find(&state, &c, &body.code, now_ms())
        .await
        .map_err(|e| who.err(e))?;
    let v = super::centre::check_in(&state, &Actor::User(user.id), &c, &found.inv.id)
        .await
        .map_err(|e| who.err(e))?;
    Ok((StatusCode::CREATED, Json(visit_view(&c, v))).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanIn {
    /// `registration`, `vaccination`, `observation` or `exit`.
    pub station: String,
    /// The vaccination line (for `vaccination`).
    #[serde(default)]
    pub line: Option<i64>,
    /// The label's code.
    pub code: String,
    /// The vaccine's lot (for `vaccination`).
    #[serde(default)]
    pub lot: String,
}

/// Records a label scan at a station (centre staff). Refused: an unknown
/// label, out of order, twice, the wrong line, leaving before the end of
/// the observation.
#[utoipa::path(post, path = "/api/v1/vaccination/campaigns/{c}/scans", tag = "vaccination",
    params(("c" = String, Path, description = "the campaign's slug")),
    request_body = ScanIn,
    responses((status = 200, body = VisitView)))]
pub async fn scan(
    State(state): State<AppState>,
    who: ApiUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ScanIn>,
) -> Result<Response, ApiError> {
    let user = who.require(CENTRE_STAFF)?.clone();
    let c = campaign(&state, &slug).await.map_err(|e| who.err(e))?;
    let station = Station::parse(&body.station).map_err(|e| who.err(Invalid(vec![e])))?;
    let line = match (station, body.line) {
        (Station::Vaccination, Some(l)) if (1..=c.lines).contains(&l) => Some(l),
        (Station::Vaccination, _) => {
            return Err(who.err(Invalid::one("line", "vac-line-invalid")));
        }
        _ => None,
    };
    let (v, _) = super::centre::record_scan(
        &state,
        &user.id,
        &c,
        station,
        line,
        &body.code,
        body.lot.trim(),
    )
    .await
    .map_err(|e| who.err(e))?;
    Ok(Json(visit_view(&c, v)).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DayParam {
    /// `YYYY-MM-DD` (default today).
    #[serde(default)]
    pub day: String,
}

#[derive(Serialize, ToSchema)]
pub struct FiguresView {
    pub day: String,
    pub booked: i64,
    pub arrived: i64,
    pub not_booked: i64,
    pub no_shows: i64,
    pub wasted: i64,
    pub vaccinated: i64,
    /// (stage, people)
    pub stages: Vec<(String, i64)>,
    /// (station, average wait in seconds)
    pub avg_wait_seconds: Vec<(String, i64)>,
    /// (line, hour, vaccinations)
    pub per_line_hour: Vec<(i64, i64, i64)>,
    /// (line, vaccinations)
    pub per_line: Vec<(i64, i64)>,
}

/// A centre day's figures (coordinators).
#[utoipa::path(get, path = "/api/v1/vaccination/campaigns/{c}/figures", tag = "vaccination",
    params(("c" = String, Path, description = "the campaign's slug"), DayParam),
    responses((status = 200, body = FiguresView)))]
pub async fn figures(
    State(state): State<AppState>,
    who: ApiUser,
    Path(slug): Path<String>,
    Query(q): Query<DayParam>,
) -> Result<Json<FiguresView>, ApiError> {
    who.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await.map_err(|e| who.err(e))?;
    let day = match q.day.trim().parse::<jiff::civil::Date>() {
        Ok(d) => d.to_string(),
        Err(_) if q.day.trim().is_empty() => crate::i18n::today_brussels().to_string(),
        Err(_) => return Err(who.err(Invalid::one("day", "vac-day-invalid"))),
    };
    let f = store::day_figures(&state.store, &c, &day, now_ms())
        .await
        .map_err(|e| who.err(e))?;
    Ok(Json(FiguresView {
        day: f.day,
        booked: f.booked,
        arrived: f.arrived,
        not_booked: f.not_booked,
        no_shows: f.no_shows,
        wasted: f.wasted,
        vaccinated: f.vaccinated,
        stages: f.stages,
        avg_wait_seconds: f.avg_wait_seconds,
        per_line_hour: f.per_line_hour,
        per_line: f.per_line,
    }))
}

/// A mobile team's batch of records (centre staff): idempotent per
/// `client_id`; checked whole before anything is stored.
#[utoipa::path(post, path = "/api/v1/vaccination/mobile/sync", tag = "vaccination",
    request_body = super::mobile::SyncIn,
    responses((status = 200, body = super::mobile::SyncOut)))]
pub async fn sync(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(body): ApiJson<super::mobile::SyncIn>,
) -> Result<Json<super::mobile::SyncOut>, ApiError> {
    let user = who.require(CENTRE_STAFF)?.clone();
    let results = super::mobile::store_batch(&state, &Actor::User(user.id), &body)
        .await
        .map_err(|e| who.err(e))?;
    Ok(Json(super::mobile::SyncOut { results }))
}

/// An API error with the vaccination centre's field labels.
fn vac_error(e: impl Into<AppError>, locale: crate::i18n::Locale) -> ApiError {
    ApiError::new(e, locale).in_context("vac")
}
