//! What residents see: choosing a service and a location, the free slots as
//! a list per day (a plain form: works without JavaScript), "my
//! appointments", an appointment's page with cancel and reschedule. The
//! appointment's page also opens from the signed link in the e-mail,
//! without signing in.

use super::{FreeSlot, Refused, book_for, cancel_appt, free_slots, reschedule_to, verify};
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
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::ToSpan;
use jiff::civil::Date;
use loket_app::Refusal;
use loket_domain::appointments::AppointmentStatus;
use loket_domain::audit::Actor;
use loket_domain::people::Role;
use loket_store::appointments::{self as store, Appointment, CounterService, Location};
use serde::Deserialize;

pub(crate) const RESIDENT: &[Role] = &[Role::Resident];

/// One day of free slots in the picker.
pub struct SlotDay {
    pub label: String,
    pub slots: Vec<SlotChoice>,
}

pub struct SlotChoice {
    pub value: String,
    pub time: String,
    pub free: i64,
    pub checked: bool,
}

pub fn day_label(locale: Locale, d: Date) -> String {
    format!(
        "{} {}",
        locale.t(&format!("weekday-{}", d.weekday().to_monday_one_offset())),
        d
    )
}

/// Groups free slots per local day.
pub fn slot_days(locale: Locale, slots: &[FreeSlot], chosen: &str) -> Vec<SlotDay> {
    let mut days: Vec<SlotDay> = Vec::new();
    let mut last = String::new();
    for s in slots {
        let (date, time) = s.start_local.split_once('T').unwrap_or(("", ""));
        if date != last {
            last = date.to_owned();
            let label = date
                .parse::<Date>()
                .map(|d| day_label(locale, d))
                .unwrap_or_else(|_| date.to_owned());
            days.push(SlotDay {
                label,
                slots: Vec::new(),
            });
        }
        if let Some(day) = days.last_mut() {
            day.slots.push(SlotChoice {
                value: s.start_local.clone(),
                time: time.to_owned(),
                free: s.free,
                checked: s.start_local == chosen,
            });
        }
    }
    days
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PickQuery {
    pub service: String,
    pub location: String,
    pub from: String,
    /// The signed link's token, when the resident came from the e-mail.
    pub t: String,
}

/// The slot picker: the choices, the week shown and its free slots.
#[derive(Template)]
#[template(path = "appointments/book.html")]
pub struct BookPage {
    pub l: Layout,
    /// Where the form posts.
    pub action: String,
    /// Where the week links and the service/location form go (GET).
    pub here: String,
    pub pick: bool,
    pub services: Vec<(String, String, bool)>,
    pub locations: Vec<(String, String, bool)>,
    pub service: String,
    pub location: String,
    pub days: Vec<SlotDay>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub errors: FormErrors,
    pub nearest: Vec<SlotChoice>,
    /// Staff booking: the resident's e-mail field.
    pub resident_email: Option<String>,
    pub token: String,
    pub chosen_summary: String,
}

pub struct Picker<'a> {
    pub action: String,
    pub here: String,
    pub pick: bool,
    pub service: Option<&'a CounterService>,
    pub location: Option<&'a Location>,
    pub from: Date,
    pub chosen: String,
    pub errors: FormErrors,
    pub nearest: Vec<FreeSlot>,
    pub resident_email: Option<String>,
    pub token: String,
    pub title_id: &'static str,
}

pub async fn picker_page(
    state: &AppState,
    ctx: &Ctx,
    csrf: String,
    p: Picker<'_>,
) -> Result<BookPage, AppError> {
    let lang = ctx.locale.code();
    let all_services = store::list_services(&state.store).await?;
    let all_locations = store::list_locations(&state.store).await?;
    let sid = p.service.map(|s| s.id.clone()).unwrap_or_default();
    let lid = p.location.map(|l| l.id.clone()).unwrap_or_default();
    let (days, prev, next) = match (p.service, p.location) {
        (Some(s), Some(l)) => {
            let to = p.from.checked_add(6.days()).unwrap_or(p.from);
            let slots = free_slots(state, s, l, p.from, to).await?;
            let link = |d: Date| {
                format!(
                    "{}{}service={}&location={}&from={d}{}",
                    p.here,
                    if p.here.contains('?') { "&" } else { "?" },
                    s.slug,
                    l.slug,
                    if p.token.is_empty() {
                        String::new()
                    } else {
                        format!("&t={}", p.token)
                    }
                )
            };
            let today = today_brussels();
            let prev = p
                .from
                .checked_sub(7.days())
                .ok()
                .filter(|_| p.from > today)
                .map(|d| link(d.max(today)));
            let next = to.checked_add(1.day()).ok().map(link);
            (slot_days(ctx.locale, &slots, &p.chosen), prev, next)
        }
        _ => (Vec::new(), None, None),
    };
    let mut l = ctx.layout(p.title_id);
    l.csrf = csrf;
    let chosen_summary = match (p.service, p.location) {
        (Some(s), Some(loc)) => format!("{} — {}", s.name(lang), loc.name),
        _ => String::new(),
    };
    Ok(BookPage {
        l,
        action: p.action,
        here: p.here,
        pick: p.pick,
        services: all_services
            .iter()
            .map(|s| (s.slug.clone(), s.name(lang).to_owned(), s.id == sid))
            .collect(),
        locations: all_locations
            .iter()
            .filter(|x| x.active)
            .map(|x| (x.slug.clone(), x.name.clone(), x.id == lid))
            .collect(),
        service: p.service.map(|s| s.slug.clone()).unwrap_or_default(),
        location: p.location.map(|l| l.slug.clone()).unwrap_or_default(),
        days,
        prev,
        next,
        errors: p.errors,
        nearest: p
            .nearest
            .iter()
            .map(|s| SlotChoice {
                value: s.start_local.clone(),
                time: s.start_local.replace('T', " "),
                free: s.free,
                checked: false,
            })
            .collect(),
        resident_email: p.resident_email,
        token: p.token,
        chosen_summary,
    })
}

/// The start of the week shown: `from` if it parses, else today.
pub fn from_date(s: &str) -> Date {
    s.parse::<Date>()
        .ok()
        .map(|d| d.max(today_brussels()))
        .unwrap_or_else(today_brussels)
}

async fn optional(
    state: &AppState,
    service: &str,
    location: &str,
) -> Result<(Option<CounterService>, Option<Location>), AppError> {
    let s = if service.is_empty() {
        None
    } else {
        store::service(&state.store, service)
            .await?
            .filter(|s| s.active)
    };
    let l = if location.is_empty() {
        None
    } else {
        store::location(&state.store, location)
            .await?
            .filter(|l| l.active)
    };
    Ok((s, l))
}

pub async fn book_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<PickQuery>,
) -> Result<Response, AppError> {
    ctx.require(RESIDENT)?;
    let (s, l) = optional(&state, &q.service, &q.location).await?;
    let csrf = ctx.csrf(&state).await?;
    let page = picker_page(
        &state,
        &ctx,
        csrf,
        Picker {
            action: "/appointments/book".to_owned(),
            here: "/appointments/book".to_owned(),
            pick: true,
            service: s.as_ref(),
            location: l.as_ref(),
            from: from_date(&q.from),
            chosen: String::new(),
            errors: FormErrors::default(),
            nearest: Vec::new(),
            resident_email: None,
            token: String::new(),
            title_id: "appt-book-title",
        },
    )
    .await?;
    render(StatusCode::OK, page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BookForm {
    pub csrf: String,
    pub service: String,
    pub location: String,
    pub start: String,
    pub from: String,
    pub t: String,
    pub resident_email: String,
}

/// Re-renders the picker after a refusal, with the input kept.
#[allow(clippy::too_many_arguments)]
pub async fn refused_page(
    state: &AppState,
    ctx: &Ctx,
    f: &BookForm,
    r: Refused,
    action: String,
    here: String,
    pick: bool,
    resident_email: Option<String>,
    title_id: &'static str,
) -> Result<Response, AppError> {
    let inv = match r.refusal {
        Refusal::Invalid(inv) | Refusal::Conflict(inv) | Refusal::Full(inv) => inv,
        other => return Err(other.into()),
    };
    let (s, l) = optional(state, &f.service, &f.location).await?;
    let errors = FormErrors::from_invalid_labelled(ctx.locale, &inv, |k| {
        let id = format!("appt-field-{}", k.replace('_', "-"));
        ctx.locale.has(&id).then(|| ctx.locale.t(&id))
    });
    let page = picker_page(
        state,
        ctx,
        f.csrf.clone(),
        Picker {
            action,
            here,
            pick,
            service: s.as_ref(),
            location: l.as_ref(),
            from: from_date(&f.from),
            chosen: f.start.clone(),
            errors,
            nearest: r.nearest,
            resident_email,
            token: f.t.clone(),
            title_id,
        },
    )
    .await?;
    render(StatusCode::UNPROCESSABLE_ENTITY, page)
}

pub async fn book(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<BookForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(RESIDENT)?.clone();
    super::rate_ok(&state, &user.id).await?;
    let actor = Actor::User(user.id.clone());
    match book_for(
        &state,
        &actor,
        &user,
        &f.service,
        &f.location,
        &f.start,
        "web",
    )
    .await
    {
        Ok(a) => Ok(Redirect::to(&format!("/appointments/{}?new=1", a.id)).into_response()),
        Err(r) => {
            refused_page(
                &state,
                &ctx,
                &f,
                r,
                "/appointments/book".to_owned(),
                "/appointments/book".to_owned(),
                true,
                None,
                "appt-book-title",
            )
            .await
        }
    }
}

pub struct ApptRow {
    pub id: String,
    pub code: String,
    pub service: String,
    pub location: String,
    pub when: String,
    pub status: String,
    pub active: bool,
}

pub async fn row(state: &AppState, locale: Locale, a: &Appointment) -> Result<ApptRow, AppError> {
    let service = store::service(&state.store, &a.service_id)
        .await?
        .map(|s| s.name(locale.code()).to_owned())
        .unwrap_or_default();
    let location = store::location(&state.store, &a.location_id)
        .await?
        .map(|l| l.name)
        .unwrap_or_default();
    Ok(ApptRow {
        id: a.id.clone(),
        code: a.code.clone(),
        service,
        location,
        when: format_ms(a.starts_at),
        status: locale.t(&format!(
            "appt-status-{}",
            a.status.as_str().replace('_', "-")
        )),
        active: a.status == AppointmentStatus::Booked && a.starts_at > loket_store::now_ms(),
    })
}

#[derive(Template)]
#[template(path = "appointments/mine.html")]
struct MinePage {
    l: Layout,
    rows: Vec<ApptRow>,
    pager: crate::paging::Pager,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MineQuery {
    pub cursor: String,
    pub limit: String,
}

/// My appointments, newest start first, a page at a time.
pub async fn mine(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MineQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(RESIDENT)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::RESIDENT_APPOINTMENT_PAGING)?;
    let page = store::of_resident_page(&state.store, &user.id, &pq).await?;
    let total =
        store::of_resident_total(&state.store, &user.id, loket_domain::paging::TOTAL_CAP).await?;
    let mut rows = Vec::new();
    for a in &page.items {
        rows.push(row(&state, ctx.locale, a).await?);
    }
    let pager =
        crate::paging::Pager::new(ctx.locale, "/appointments", &[], &page, &pq, total, None);
    render(
        StatusCode::OK,
        MinePage {
            l: ctx.layout("appt-mine-title"),
            rows,
            pager,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    pub t: String,
    pub new: String,
}

/// The appointment if the visitor may act on it: its resident signed in,
/// or anyone holding the signed link.
async fn accessible(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    token: &str,
) -> Result<Appointment, AppError> {
    let a = store::get(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !token.is_empty() {
        let keys = state.keys()?;
        if verify(&keys, &a.id, "manage", token, loket_store::now_ms()) {
            return Ok(a);
        }
        return Err(AppError::NotFound);
    }
    let user = ctx.require(RESIDENT)?;
    if user.id == a.resident_id {
        Ok(a)
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Template)]
#[template(path = "appointments/detail.html")]
struct DetailPage {
    l: Layout,
    a: ApptRow,
    token: String,
    errors: FormErrors,
    /// The appointment code as a QR code (SVG), for the kiosk's scanner.
    qr: String,
}

/// The QR code of an appointment code: what a kiosk's scanner reads.
fn code_qr(a: &Appointment) -> String {
    if a.status != AppointmentStatus::Booked {
        return String::new();
    }
    loket_render::cases::qr_svg(&a.code)
        .map(|svg| {
            // Drop the XML declaration: the SVG goes inline in the page.
            match svg.find("<svg") {
                Some(i) => svg[i..].to_owned(),
                None => String::new(),
            }
        })
        .unwrap_or_default()
}

pub async fn detail(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, AppError> {
    let a = accessible(&state, &ctx, &id, &q.t).await?;
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("appt-detail-title");
    l.csrf = csrf;
    if q.new == "1" {
        l.notice = Some(ctx.locale.t("appt-booked-notice"));
    } else if q.new == "moved" {
        l.notice = Some(ctx.locale.t("appt-moved-notice"));
    }
    render(
        StatusCode::OK,
        DetailPage {
            l,
            a: row(&state, ctx.locale, &a).await?,
            token: q.t,
            errors: FormErrors::default(),
            qr: code_qr(&a),
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    pub csrf: String,
    pub t: String,
}

fn actor_for(ctx: &Ctx, a: &Appointment) -> Actor {
    // From a signed link nobody is signed in: the resident acts.
    match ctx.user.as_deref() {
        Some(u) => Actor::User(u.id.clone()),
        None => Actor::User(a.resident_id.clone()),
    }
}

fn with_token(path: String, token: &str) -> String {
    if token.is_empty() {
        path
    } else {
        format!(
            "{path}{}t={token}",
            if path.contains('?') { "&" } else { "?" }
        )
    }
}

pub async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let a = accessible(&state, &ctx, &id, &f.t).await?;
    super::rate_ok(&state, &a.resident_id).await?;
    match cancel_appt(&state, &actor_for(&ctx, &a), &a)
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(Redirect::to(&with_token(format!("/appointments/{id}"), &f.t)).into_response()),
        Err(AppError::Invalid(inv)) => {
            let mut l = ctx.layout("appt-detail-title");
            l.csrf = f.csrf.clone();
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                DetailPage {
                    l,
                    a: row(&state, ctx.locale, &a).await?,
                    token: f.t,
                    errors: FormErrors::from_invalid(ctx.locale, &inv),
                    qr: code_qr(&a),
                },
            )
        }
        Err(e) => Err(e),
    }
}

pub async fn reschedule_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PickQuery>,
) -> Result<Response, AppError> {
    let a = accessible(&state, &ctx, &id, &q.t).await?;
    let (s, l) = optional(&state, &a.service_id, &a.location_id).await?;
    let csrf = ctx.csrf(&state).await?;
    let page = picker_page(
        &state,
        &ctx,
        csrf,
        Picker {
            action: format!("/appointments/{id}/reschedule"),
            here: format!("/appointments/{id}/reschedule"),
            pick: false,
            service: s.as_ref(),
            location: l.as_ref(),
            from: from_date(&q.from),
            chosen: String::new(),
            errors: FormErrors::default(),
            nearest: Vec::new(),
            resident_email: None,
            token: q.t,
            title_id: "appt-reschedule-title",
        },
    )
    .await?;
    render(StatusCode::OK, page)
}

pub async fn reschedule(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(mut f): Form<BookForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let a = accessible(&state, &ctx, &id, &f.t).await?;
    super::rate_ok(&state, &a.resident_id).await?;
    match reschedule_to(&state, &actor_for(&ctx, &a), &a, &f.start).await {
        Ok(_) => Ok(
            Redirect::to(&with_token(format!("/appointments/{id}?new=moved"), &f.t))
                .into_response(),
        ),
        Err(r) => {
            f.service = a.service_id.clone();
            f.location = a.location_id.clone();
            refused_page(
                &state,
                &ctx,
                &f,
                r,
                format!("/appointments/{id}/reschedule"),
                format!("/appointments/{id}/reschedule"),
                false,
                None,
                "appt-reschedule-title",
            )
            .await
        }
    }
}
