//! The kiosk at the entrance (a touch page on a tablet): check in with the
//! appointment code (typed, or scanned by a keyboard-wedge scanner that
//! types the QR code and Enter), or take a walk-in ticket. And the
//! visitor's ticket page and its printable PDF (80 mm receipt).

use super::{TicketView, WalkInError, check_in_code, kiosk_allowed, location, services_at, view};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::queue::TicketStatus;
use loket_store::appointments::Location;
use loket_store::queue as store;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KioskQuery {
    pub k: String,
}

#[derive(Template)]
#[template(path = "queue/kiosk.html")]
struct KioskPage {
    l: Layout,
    slug: String,
    key: String,
    location: String,
    code: String,
    errors: FormErrors,
    /// (service id, name)
    services: Vec<(String, String)>,
    open: bool,
    present: i64,
    max_present: i64,
    /// "Come back at" after a refused walk-in.
    come_back: Option<String>,
}

async fn kiosk_location(state: &AppState, slug: &str, key: &str) -> Result<Location, AppError> {
    let loc = location(state, slug).await?;
    if !kiosk_allowed(state, &loc, key).await? {
        return Err(AppError::Forbidden);
    }
    Ok(loc)
}

#[allow(clippy::too_many_arguments)]
async fn kiosk_page(
    state: &AppState,
    ctx: &mut Ctx,
    loc: &Location,
    key: &str,
    code: String,
    errors: FormErrors,
    come_back: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let services = services_at(state, loc)
        .await?
        .into_iter()
        .map(|s| (s.id.clone(), s.name(ctx.locale.code()).to_owned()))
        .collect();
    let zone = store::zone(&state.store, &loc.id).await?;
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("queue-kiosk-title");
    l.csrf = csrf;
    render(
        status,
        KioskPage {
            l,
            slug: loc.slug.clone(),
            key: key.to_owned(),
            location: loc.name.clone(),
            code,
            errors,
            services,
            open: zone.open(),
            present: zone.present,
            max_present: zone.max_present,
            come_back,
        },
    )
}

pub async fn page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<KioskQuery>,
) -> Result<Response, AppError> {
    let loc = kiosk_location(&state, &slug, &q.k).await?;
    kiosk_page(
        &state,
        &mut ctx,
        &loc,
        &q.k,
        String::new(),
        FormErrors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckInForm {
    pub csrf: String,
    pub k: String,
    pub code: String,
}

fn ticket_url(t: &store::Ticket, slug: &str, key: &str) -> String {
    format!(
        "/queue/tickets/{}?t={}&kiosk={}&k={}",
        t.id,
        t.token,
        crate::layout::urlencode(slug),
        crate::layout::urlencode(key)
    )
}

pub async fn check_in(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<CheckInForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let loc = kiosk_location(&state, &slug, &f.k).await?;
    let actor = ctx
        .user
        .as_deref()
        .map(|u| Actor::User(u.id.clone()))
        .unwrap_or(Actor::System);
    match check_in_code(&state, &actor, &loc, &f.code).await {
        Ok((t, _)) => Ok(Redirect::to(&ticket_url(&t, &loc.slug, &f.k)).into_response()),
        Err(loket_app::Refusal::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            kiosk_page(
                &state,
                &mut ctx,
                &loc,
                &f.k,
                f.code.chars().take(40).collect(),
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WalkInForm {
    pub csrf: String,
    pub k: String,
    pub service: String,
}

pub async fn walk_in(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<WalkInForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let loc = kiosk_location(&state, &slug, &f.k).await?;
    let actor = ctx
        .user
        .as_deref()
        .map(|u| Actor::User(u.id.clone()))
        .unwrap_or(Actor::System);
    match super::walk_in(&state, &actor, &loc, &f.service).await {
        Ok(t) => Ok(Redirect::to(&ticket_url(&t, &loc.slug, &f.k)).into_response()),
        Err(WalkInError::Full(full)) => {
            let at = crate::i18n::format_ms(full.come_back_at)
                .split(' ')
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            let errors = FormErrors::from_invalid(
                ctx.locale,
                &Invalid(vec![loket_domain::FieldError::with_value(
                    "service",
                    "queue-zone-full",
                    at.clone(),
                )]),
            );
            kiosk_page(
                &state,
                &mut ctx,
                &loc,
                &f.k,
                String::new(),
                errors,
                Some(at),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(WalkInError::Other(loket_app::Refusal::Invalid(inv))) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            kiosk_page(
                &state,
                &mut ctx,
                &loc,
                &f.k,
                String::new(),
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(WalkInError::Other(e)) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TicketQuery {
    pub t: String,
    /// Set when the ticket page was opened by the kiosk (it goes back).
    pub kiosk: String,
    pub k: String,
}

#[derive(Template)]
#[template(path = "queue/ticket.html")]
struct TicketPage {
    l: Layout,
    t: TicketView,
    pdf: String,
    /// The kiosk to return to, if any.
    back: Option<String>,
    done: bool,
    status_label: String,
    timing_label: String,
}

async fn ticket_of(state: &AppState, id: &str, token: &str) -> Result<store::Ticket, AppError> {
    let t = store::get(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ok = !token.is_empty()
        && bool::from(subtle::ConstantTimeEq::ct_eq(
            t.token.as_bytes(),
            token.as_bytes(),
        ));
    if !ok {
        return Err(AppError::NotFound);
    }
    Ok(t)
}

/// The visitor's ticket: number, service, estimate, and where to go once
/// called. Opened from the kiosk or from the link; refreshes itself.
pub async fn ticket(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<TicketQuery>,
) -> Result<Response, AppError> {
    let t = ticket_of(&state, &id, &q.t).await?;
    let v = view(&state, ctx.locale, &t, None).await?;
    let back = if q.kiosk.is_empty() {
        None
    } else {
        Some(format!(
            "/kiosk/{}?k={}",
            crate::layout::urlencode(&q.kiosk),
            crate::layout::urlencode(&q.k)
        ))
    };
    let mut l = ctx.layout("queue-ticket-title");
    l.title = format!("{} {}", l.title, v.number);
    let pdf = format!("/queue/tickets/{}/ticket.pdf?t={}", v.id, v.token);
    let done = !matches!(v.status, TicketStatus::Waiting | TicketStatus::Called);
    let status_label = ctx.locale.t(&format!(
        "queue-status-{}",
        v.status.as_str().replace('_', "-")
    ));
    let timing_label = v
        .timing
        .as_ref()
        .map(|tm| ctx.locale.t(&format!("queue-timing-{tm}")))
        .unwrap_or_default();
    render(
        StatusCode::OK,
        TicketPage {
            status_label,
            timing_label,
            l,
            t: v,
            pdf,
            back,
            done,
        },
    )
}

/// The printable ticket: a PDF 80 mm wide for a receipt printer.
pub async fn ticket_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<TicketQuery>,
) -> Result<Response, AppError> {
    let t = ticket_of(&state, &id, &q.t).await?;
    let v = view(&state, ctx.locale, &t, None).await?;
    let l = ctx.locale;
    let estimate = v
        .estimate_minutes
        .map(|m| l.t_args("queue-estimate", &[("minutes", m.to_string())]))
        .unwrap_or_default();
    let data = loket_render::queue::TicketDoc {
        lang: l.code().to_owned(),
        city: state.config.city_name.clone(),
        title: l.t("queue-ticket-title"),
        number: v.number.clone(),
        service: v.service.clone(),
        location: v.location.clone(),
        issued: crate::i18n::format_ms(v.checked_in_at),
        estimate,
        note: l.t("queue-ticket-note"),
        link: v.link.clone(),
        qr_alt: l.t("queue-ticket-qr-alt"),
    };
    let today = crate::i18n::today_brussels();
    let ymd = (
        i32::from(today.year()),
        u8::try_from(today.month()).unwrap_or(1),
        u8::try_from(today.day()).unwrap_or(1),
    );
    let pdf = tokio::task::spawn_blocking(move || loket_render::queue::ticket_pdf(&data, ymd))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut res = pdf.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"ticket-{}.pdf\"", t.number)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
