//! On the day, at the centre: check-in with a keyboard-wedge scanner (the
//! scan types the code and Enter), the identity check confirmed with one
//! key, the label (ZPL and PDF), the stations scanning labels, and the
//! observation room's display.

use super::{CENTRE_STAFF, campaign};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{Locale, format_ms, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Redirect, Response};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::vaccination::{self as rules, InvitationStatus, Station};
use loket_render::vaccination as render_vac;
use loket_store::now_ms;
use loket_store::vaccination::{self as store, Campaign, Invitation};
use serde::{Deserialize, Serialize};

// ---- check-in ----

/// What the check-in desk shows after a scan.
pub struct Found {
    pub inv: Invitation,
    pub slot: Option<String>,
    /// `early`, `on_time`, `late` or `not_booked`.
    pub arrival: String,
}

#[derive(Template)]
#[template(path = "vaccination/check_in.html")]
struct CheckInPage {
    l: Layout,
    slug: String,
    campaign: String,
    code: String,
    errors: FormErrors,
    found: Option<Found>,
    /// The visit just checked in: (id, name, line, number).
    done: Option<(String, String, i64, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    pub visit: String,
}

#[allow(clippy::too_many_arguments)]
async fn check_in_view(
    state: &AppState,
    ctx: &mut Ctx,
    c: &Campaign,
    code: String,
    errors: FormErrors,
    found: Option<Found>,
    done: Option<(String, String, i64, String)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("vac-check-in-title");
    l.csrf = csrf;
    render(
        status,
        CheckInPage {
            l,
            slug: c.slug.clone(),
            campaign: c.name.clone(),
            code,
            errors,
            found,
            done,
        },
    )
}

pub async fn check_in_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    ctx.require(CENTRE_STAFF)?;
    let c = campaign(&state, &slug).await?;
    let done = match store::visit(&state.store, q.visit.trim()).await? {
        Some(v) if v.campaign_id == c.id => {
            let name = store::invitation(&state.store, &v.invitation_id)
                .await?
                .map(|i| i.name)
                .unwrap_or_default();
            Some((v.id, name, v.line, format!("{:03}", v.queue_no)))
        }
        _ => None,
    };
    check_in_view(
        &state,
        &mut ctx,
        &c,
        String::new(),
        FormErrors::default(),
        None,
        done,
        StatusCode::OK,
    )
    .await
}

/// Finds the invitation of a scanned or typed code, with how the person
/// arrives against their booking. Refuses unknown, cancelled, used and
/// already checked-in codes.
pub async fn find(
    state: &AppState,
    c: &Campaign,
    code_input: &str,
    now: i64,
) -> Result<Found, AppError> {
    let code = rules::parse_code(code_input, rules::INVITATION_SYMBOLS)
        .map_err(|e| AppError::Invalid(Invalid(vec![e])))?;
    let inv = match store::invitation_by_code(&state.store, &code).await? {
        Some(i) if i.campaign_id == c.id => i,
        Some(_) => return Err(Invalid::one("code", "vac-code-other-campaign").into()),
        None => return Err(Invalid::one("code", "vac-code-unknown").into()),
    };
    match inv.status {
        InvitationStatus::Cancelled => {
            return Err(Invalid::one("code", "vac-code-cancelled").into());
        }
        InvitationStatus::Vaccinated => return Err(Invalid::one("code", "vac-code-used").into()),
        InvitationStatus::Invited | InvitationStatus::Booked => {}
    }
    if store::visit_of_invitation(&state.store, &inv.id)
        .await?
        .is_some()
    {
        return Err(Invalid::one("code", "vac-checked-in-already").into());
    }
    let booking = store::active_booking(&state.store, &inv.id).await?;
    let todays = booking.filter(|b| rules::booking_is_current(b.starts_at, now));
    let arrival = rules::arrival(todays.as_ref().map(|b| (b.starts_at, b.ends_at)), now);
    Ok(Found {
        slot: todays.map(|b| format_ms(b.starts_at)),
        arrival: arrival.as_str().to_owned(),
        inv,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    pub csrf: String,
    pub code: String,
}

/// A scan at the check-in desk: shows the person, their slot and whether
/// they are early, on time, late or not booked (access-logged).
pub async fn look_up(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(CENTRE_STAFF)?.clone();
    let c = campaign(&state, &slug).await?;
    let code: String = f.code.chars().take(200).collect();
    match find(&state, &c, &f.code, now_ms()).await {
        Ok(found) => {
            loket_store::audit::record_access(
                &state.store,
                &user.id,
                &format!("vac:{}", found.inv.id),
                "vac_invitation",
                &found.inv.id,
                "check-in",
            )
            .await?;
            check_in_view(
                &state,
                &mut ctx,
                &c,
                code,
                FormErrors::default(),
                Some(found),
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv, "vac");
            check_in_view(
                &state,
                &mut ctx,
                &c,
                code,
                errors,
                None,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    pub csrf: String,
    pub invitation: String,
}

/// The identity is checked: the visit starts (queue number, line, label).
pub async fn confirm(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(CENTRE_STAFF)?.clone();
    let c = campaign(&state, &slug).await?;
    match check_in(&state, &Actor::User(user.id), &c, &f.invitation)
        .await
        .map_err(AppError::from)
    {
        Ok(v) => Ok(Redirect::to(&format!(
            "/staff/vaccination/{}/check-in?visit={}",
            c.slug, v.id
        ))
        .into_response()),
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv, "vac");
            check_in_view(
                &state,
                &mut ctx,
                &c,
                String::new(),
                errors,
                None,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub use loket_app::vaccination::{check_in, record_scan};

// ---- labels ----

async fn visit_label(
    state: &AppState,
    locale: Locale,
    c: &Campaign,
    id: &str,
) -> Result<render_vac::VisitLabel, AppError> {
    let v = store::visit(&state.store, id)
        .await?
        .filter(|v| v.campaign_id == c.id)
        .ok_or(AppError::NotFound)?;
    let inv = store::invitation(&state.store, &v.invitation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(render_vac::VisitLabel {
        lang: locale.code().to_owned(),
        city: state.config.city_name.clone(),
        title: locale.t("vac-label-title"),
        campaign: c.name.clone(),
        name: inv.name,
        birth_label: locale.t("vac-label-born"),
        birth_date: inv.birth_date,
        line_label: locale.t("vac-field-line"),
        line: v.line,
        number_label: locale.t("vac-label-number"),
        number: format!("{:03}", v.queue_no),
        code_alt: locale.t_args("vac-label-code-alt", &[("code", v.code.clone())]),
        code: v.code,
    })
}

pub async fn label_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    ctx.require(CENTRE_STAFF)?;
    let c = campaign(&state, &slug).await?;
    let label = visit_label(&state, ctx.locale, &c, &id).await?;
    let today = today_brussels();
    let ymd = (today.year() as i32, today.month() as u8, today.day() as u8);
    let pdf = tokio::task::spawn_blocking(move || render_vac::label_pdf(&label, ymd))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    super::coord::pdf_response(pdf, "label.pdf")
}

pub async fn label_zpl(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    ctx.require(CENTRE_STAFF)?;
    let c = campaign(&state, &slug).await?;
    let label = visit_label(&state, ctx.locale, &c, &id).await?;
    let mut res = render_vac::label_zpl(&label).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.zebra-zpl; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"label.zpl\""),
    );
    Ok(res)
}

// ---- stations ----

#[derive(Template)]
#[template(path = "vaccination/station.html")]
struct StationPage {
    l: Layout,
    slug: String,
    campaign: String,
    station: String,
    line: String,
    lot: String,
    code: String,
    errors: FormErrors,
    /// The last scan: (number, name, what happened).
    last: Option<(String, String, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StationQuery {
    pub line: String,
}

#[allow(clippy::too_many_arguments)]
async fn station_view(
    state: &AppState,
    ctx: &mut Ctx,
    c: &Campaign,
    station: Station,
    line: String,
    lot: String,
    code: String,
    errors: FormErrors,
    last: Option<(String, String, String)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("vac-station-title");
    let station_name = ctx.locale.t(&format!("vac-station-{}", station.as_str()));
    l.title = if station == Station::Vaccination && !line.is_empty() {
        format!("{} — {station_name} {line}", l.title)
    } else {
        format!("{} — {station_name}", l.title)
    };
    l.csrf = csrf;
    render(
        status,
        StationPage {
            l,
            slug: c.slug.clone(),
            campaign: c.name.clone(),
            station: station.as_str().to_owned(),
            line,
            lot,
            code,
            errors,
            last,
        },
    )
}

fn station_line(c: &Campaign, station: Station, line: &str) -> Result<Option<i64>, AppError> {
    if station != Station::Vaccination {
        return Ok(None);
    }
    match line.trim().parse::<i64>() {
        Ok(l) if (1..=c.lines).contains(&l) => Ok(Some(l)),
        _ => Err(AppError::NotFound),
    }
}

pub async fn station_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((slug, station)): Path<(String, String)>,
    Query(q): Query<StationQuery>,
) -> Result<Response, AppError> {
    ctx.require(CENTRE_STAFF)?;
    let c = campaign(&state, &slug).await?;
    let station = Station::parse(&station).map_err(|_| AppError::NotFound)?;
    let line = station_line(&c, station, &q.line)?;
    station_view(
        &state,
        &mut ctx,
        &c,
        station,
        line.map(|l| l.to_string()).unwrap_or_default(),
        String::new(),
        String::new(),
        FormErrors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ScanForm {
    pub csrf: String,
    pub code: String,
    pub line: String,
    pub lot: String,
}

pub async fn scan(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((slug, station)): Path<(String, String)>,
    Form(f): Form<ScanForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(CENTRE_STAFF)?.clone();
    let c = campaign(&state, &slug).await?;
    let station = Station::parse(&station).map_err(|_| AppError::NotFound)?;
    let line = station_line(&c, station, &f.line)?;
    let lot: String = f.lot.trim().chars().take(40).collect();
    match record_scan(&state, &user.id, &c, station, line, &f.code, &lot)
        .await
        .map_err(AppError::from)
    {
        Ok((v, name)) => {
            let what = ctx.locale.t(&format!("vac-scanned-{}", station.as_str()));
            station_view(
                &state,
                &mut ctx,
                &c,
                station,
                line.map(|l| l.to_string()).unwrap_or_default(),
                lot,
                String::new(),
                FormErrors::default(),
                Some((format!("{:03}", v.queue_no), name, what)),
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Invalid(inv)) => {
            let errors = crate::forms::FormErrors::from_invalid_in(
                ctx.locale,
                &stage_names(ctx.locale, inv),
                "vac",
            );
            station_view(
                &state,
                &mut ctx,
                &c,
                station,
                line.map(|l| l.to_string()).unwrap_or_default(),
                lot,
                f.code.chars().take(60).collect(),
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// A stage's code in an error (e.g. "scanned out of order: the visitor is
/// at …") becomes its name in the user's language.
fn stage_names(locale: Locale, mut inv: Invalid) -> Invalid {
    for e in &mut inv.0 {
        if e.code == "vac-scan-order"
            && let Some(v) = &e.value
        {
            e.value = Some(locale.t(&format!("vac-stage-{}", v.replace('_', "-"))));
        }
    }
    inv
}

// ---- the observation room ----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Observed {
    /// The queue number (no names on the room's screen).
    pub number: String,
    pub line: i64,
    /// When the person may leave (unix ms).
    pub ends_at: i64,
    pub seconds_left: i64,
    pub may_leave: bool,
}

async fn observed(state: &AppState, c: &Campaign) -> Result<Vec<Observed>, AppError> {
    let now = now_ms();
    Ok(
        store::observation(&state.store, &c.id, &today_brussels().to_string())
            .await?
            .into_iter()
            .map(|(v, _)| {
                let end = v.observation_ends_at.unwrap_or(now);
                let left = rules::observation_left(end, now);
                Observed {
                    number: format!("{:03}", v.queue_no),
                    line: v.line,
                    ends_at: end,
                    seconds_left: left,
                    may_leave: left == 0,
                }
            })
            .collect(),
    )
}

#[derive(Template)]
#[template(path = "vaccination/observation.html")]
struct ObservationPage {
    l: Layout,
    slug: String,
    campaign: String,
    people: Vec<Observed>,
    minutes: i64,
}

pub async fn observation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    ctx.require(CENTRE_STAFF)?;
    let c = campaign(&state, &slug).await?;
    render(
        StatusCode::OK,
        ObservationPage {
            l: ctx.layout("vac-observation-title"),
            slug: c.slug.clone(),
            campaign: c.name.clone(),
            people: observed(&state, &c).await?,
            minutes: c.observation_minutes,
        },
    )
}

pub async fn observation_json(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    ctx.require(CENTRE_STAFF)?;
    let c = campaign(&state, &slug).await?;
    Ok(Json(observed(&state, &c).await?).into_response())
}

/// The centre's script: the waiting room's refresh, the observation
/// countdowns and the dashboard's live figures.
pub async fn script() -> Response {
    crate::common::script(include_str!("../../static/vaccination.js"))
}
