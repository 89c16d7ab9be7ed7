//! Residents' pages, without an account: the waiting room, signing in with
//! the invitation code and birth date, booking, rescheduling and cancelling
//! a slot, the calendar file, the reserve list and its offers.
//!
//! The waiting room: every visitor of a campaign's booking pages gets a
//! number in arrival order (a counter in the database) in a signed cookie.
//! Number n is admitted once `admit_burst + minutes since opening ×
//! admit_per_minute ≥ n`; until then the queue page shows the place and
//! the expected time. The booking pages refuse visitors without an
//! admitted number, so a rush cannot overrun them.

use super::{SlotView, campaign, link_key, open_slots};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::layout::{Layout, urlencode};
use crate::people::session::{Ctx, cookie_value};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use loket_app::signing::KeyRing;
use loket_domain::audit::Actor;

use loket_app::vaccination::ReserveInput;
use loket_domain::Invalid;
use loket_domain::vaccination::{self as rules, CampaignStatus, ReserveStatus};
use loket_store::now_ms;
use loket_store::vaccination::{self as store, Campaign, Invitation};
use serde::Deserialize;

const TICKET_COOKIE: &str = "loket_vacq";
/// The visitor's random id, signed: tickets are bound to it.
const VISITOR_COOKIE: &str = "loket_vacv";
const INVITE_COOKIE: &str = "loket_vaci";
/// How long a signed-in invitee stays signed in without a new sign-in.
const INVITE_TTL_MS: i64 = 30 * 60_000;

// ---- the waiting room ----

/// The visitor's waiting-room number for this campaign, if their cookie
/// holds a valid one that is theirs (bound to their visitor cookie).
pub fn ticket_of(headers: &HeaderMap, key: &KeyRing, c: &Campaign) -> Option<i64> {
    let visitor = visitor_of(headers, key).unwrap_or_default();
    let v = cookie_value(headers, TICKET_COOKIE)?;
    parse_ticket(&v, key, c, Some(&visitor))
}

/// The visitor's id, from their signed visitor cookie.
fn visitor_of(headers: &HeaderMap, key: &KeyRing) -> Option<String> {
    parse_visitor(&cookie_value(headers, VISITOR_COOKIE)?, key)
}

pub use loket_app::vaccination::{
    admitted, book_or_move, cancel_booking, new_visitor, parse_ticket, parse_visitor, ticket_text,
};

/// The visitor's admitted number, or where to wait. Hands out a number on
/// the first visit, and again when the visitor's number was used up by a
/// booking: new numbers are limited per IP address
/// (`limits::WAITING_TICKETS_PER_IP`, 429 with when to retry).
async fn admission(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    c: &Campaign,
) -> Result<Result<i64, i64>, AppError> {
    let key = link_key(state).await?;
    let held = match ticket_of(headers, &key, c) {
        Some(n) if !store::ticket_used(&state.store, &c.id, n).await? => Some(n),
        _ => None,
    };
    let n = match held {
        Some(n) => n,
        None => {
            loket_app::limits::check(
                state,
                &loket_domain::limits::WAITING_TICKETS_PER_IP,
                &ctx.ip.to_string(),
            )
            .await?;
            let visitor = match visitor_of(headers, &key) {
                Some(v) => v,
                None => {
                    let (id, text) = new_visitor(&key);
                    ctx.set_cookie(VISITOR_COOKIE, &text, 6 * 3600);
                    id
                }
            };
            let n = store::next_waiting_number(&state.store, &c.id).await?;
            ctx.set_cookie(TICKET_COOKIE, &ticket_text(&key, c, n, &visitor), 6 * 3600);
            n
        }
    };
    Ok(if admitted(c, n, now_ms()) {
        Ok(n)
    } else {
        Err(n)
    })
}

#[derive(Template)]
#[template(path = "vaccination/landing.html")]
struct LandingPage {
    l: Layout,
    /// (slug, name)
    campaigns: Vec<(String, String)>,
}

pub async fn landing(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let campaigns = store::open_campaigns(&state.store, store::OPEN_CAMPAIGNS_CAP)
        .await?
        .into_iter()
        .map(|c| (c.slug, c.name))
        .collect();
    render(
        StatusCode::OK,
        LandingPage {
            l: ctx.layout("vac-landing-title"),
            campaigns,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeQuery {
    pub code: String,
}

#[derive(Template)]
#[template(path = "vaccination/login.html")]
struct LoginPage {
    l: Layout,
    slug: String,
    campaign: String,
    code: String,
    birth_date: String,
    errors: FormErrors,
}

#[allow(clippy::too_many_arguments)]
async fn login_page(
    state: &AppState,
    ctx: &mut Ctx,
    c: &Campaign,
    code: String,
    birth_date: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("vac-login-title");
    l.csrf = csrf;
    render(
        status,
        LoginPage {
            l,
            slug: c.slug.clone(),
            campaign: c.name.clone(),
            code,
            birth_date,
            errors,
        },
    )
}

/// The campaign's entry: the waiting room first, then the sign-in form
/// (the code from the invitation's QR code filled in).
pub async fn entry(
    State(state): State<AppState>,
    mut ctx: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<CodeQuery>,
) -> Result<Response, AppError> {
    let c = campaign(&state, &slug).await?;
    if c.status != CampaignStatus::Open {
        return Err(AppError::NotFound);
    }
    let code: String = q.code.chars().take(40).collect();
    match admission(&state, &ctx, &headers, &c).await? {
        Ok(_) => {
            login_page(
                &state,
                &mut ctx,
                &c,
                code,
                String::new(),
                FormErrors::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(_) => Ok(Redirect::to(&format!(
            "/vaccinatie/{}/wachtrij?code={}",
            c.slug,
            urlencode(&code)
        ))
        .into_response()),
    }
}

#[derive(Template)]
#[template(path = "vaccination/waiting.html")]
struct WaitingPage {
    l: Layout,
    campaign: String,
    number: i64,
    ahead: i64,
    at: String,
    before_opening: bool,
    opens: String,
    next: String,
}

pub async fn waiting(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<CodeQuery>,
) -> Result<Response, AppError> {
    let c = campaign(&state, &slug).await?;
    let code: String = q.code.chars().take(40).collect();
    let next = format!("/vaccinatie/{}?code={}", c.slug, urlencode(&code));
    let n = match admission(&state, &ctx, &headers, &c).await? {
        Ok(_) => return Ok(Redirect::to(&next).into_response()),
        Err(n) => n,
    };
    let now = now_ms();
    let admitted_now = rules::admitted_by(c.opens_at, now, c.admit_per_minute, c.admit_burst);
    let at = rules::admitted_at(c.opens_at, n, c.admit_per_minute, c.admit_burst);
    let mut res = render(
        StatusCode::OK,
        WaitingPage {
            l: ctx.layout("vac-waiting-title"),
            campaign: c.name.clone(),
            number: n,
            ahead: (n - admitted_now - 1).max(0),
            at: crate::i18n::format_ms(at),
            before_opening: now < c.opens_at,
            opens: crate::i18n::format_ms(c.opens_at),
            next,
        },
    )?;
    // Browsers and proxies must not keep the page: it is a live position.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

// ---- signing in with the code ----

fn invite_cookie(key: &KeyRing, inv_id: &str, now: i64) -> String {
    loket_app::vaccination::seal(key, "invitee", inv_id, now + INVITE_TTL_MS)
}

/// The signed-in invitee's invitation (from the cookie), if valid.
async fn invitee(
    state: &AppState,
    headers: &HeaderMap,
    c: &Campaign,
) -> Result<Option<Invitation>, AppError> {
    let Some(v) = cookie_value(headers, INVITE_COOKIE) else {
        return Ok(None);
    };
    let key = link_key(state).await?;
    let Some(inv_id) = loket_app::vaccination::open(&key, "invitee", &v) else {
        return Ok(None);
    };
    Ok(store::invitation(&state.store, inv_id)
        .await?
        .filter(|i| i.campaign_id == c.id))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    pub csrf: String,
    pub code: String,
    pub birth_date: String,
}

pub async fn login(
    State(state): State<AppState>,
    mut ctx: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let c = campaign(&state, &slug).await?;
    if admission(&state, &ctx, &headers, &c).await?.is_err() {
        return Ok(Redirect::to(&format!("/vaccinatie/{}/wachtrij", c.slug)).into_response());
    }
    let code: String = f.code.chars().take(40).collect();
    let birth: String = f.birth_date.chars().take(20).collect();
    match store::verify(&state.store, &f.code, &f.birth_date).await {
        Ok(inv) if inv.campaign_id == c.id => {
            let key = link_key(&state).await?;
            ctx.set_cookie(
                INVITE_COOKIE,
                &invite_cookie(&key, &inv.id, now_ms()),
                INVITE_TTL_MS / 1000,
            );
            Ok(Redirect::to(&format!("/vaccinatie/{}/afspraak", c.slug)).into_response())
        }
        Ok(_) => {
            let inv = Invalid::one("code", "vac-code-other-campaign");
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv, "vac");
            login_page(
                &state,
                &mut ctx,
                &c,
                code,
                birth,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(loket_store::StoreError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv, "vac");
            login_page(
                &state,
                &mut ctx,
                &c,
                code,
                birth,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- booking ----

#[derive(Template)]
#[template(path = "vaccination/book.html")]
struct BookPage {
    l: Layout,
    slug: String,
    campaign: String,
    name: String,
    /// The current booking's time, if booked.
    booked_at: Option<String>,
    /// (day, free places, link, current)
    days: Vec<(String, i64, String, bool)>,
    day: String,
    slots: Vec<SlotView>,
    chosen: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DayQuery {
    pub day: String,
}

#[allow(clippy::too_many_arguments)]
async fn book_page(
    state: &AppState,
    ctx: &mut Ctx,
    c: &Campaign,
    inv: &Invitation,
    day: &str,
    chosen: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let booking = store::active_booking(&state.store, &inv.id).await?;
    let all = open_slots(state, c, now_ms()).await?;
    let chosen_day = if all.iter().any(|(d, _)| d == day) {
        day.to_owned()
    } else {
        all.iter()
            .find(|(_, s)| s.iter().any(|x| x.free > 0))
            .map(|(d, _)| d.clone())
            .unwrap_or_default()
    };
    let days = all
        .iter()
        .map(|(d, s)| {
            (
                d.clone(),
                s.iter().map(|x| x.free).sum(),
                format!("/vaccinatie/{}/afspraak?day={d}", c.slug),
                *d == chosen_day,
            )
        })
        .collect();
    let slots = all
        .into_iter()
        .find(|(d, _)| *d == chosen_day)
        .map(|(_, s)| s)
        .unwrap_or_default();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("vac-book-title");
    l.csrf = csrf;
    render(
        status,
        BookPage {
            l,
            slug: c.slug.clone(),
            campaign: c.name.clone(),
            name: inv.name.clone(),
            booked_at: booking.map(|b| crate::i18n::format_ms(b.starts_at)),
            days,
            day: chosen_day,
            slots,
            chosen,
            errors,
        },
    )
}

async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    c: &Campaign,
) -> Result<Result<Invitation, Response>, AppError> {
    match invitee(state, headers, c).await? {
        Some(inv) => Ok(Ok(inv)),
        None => Ok(Err(
            Redirect::to(&format!("/vaccinatie/{}", c.slug)).into_response()
        )),
    }
}

pub async fn booking_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<Response, AppError> {
    let c = campaign(&state, &slug).await?;
    let inv = match signed_in(&state, &headers, &c).await? {
        Ok(i) => i,
        Err(r) => return Ok(r),
    };
    book_page(
        &state,
        &mut ctx,
        &c,
        &inv,
        &q.day,
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BookForm {
    pub csrf: String,
    pub start: String,
    pub day: String,
}

/// Books a slot, or moves the booking to it.
pub async fn book(
    State(state): State<AppState>,
    mut ctx: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(f): Form<BookForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let c = campaign(&state, &slug).await?;
    let inv = match signed_in(&state, &headers, &c).await? {
        Ok(i) => i,
        Err(r) => return Ok(r),
    };
    // A new booking uses up the visitor's ticket (a move needs none).
    let key = link_key(&state).await?;
    let ticket = ticket_of(&headers, &key, &c);
    let result = book_or_move(
        &state,
        &c,
        &inv,
        &f.start,
        "web",
        &Actor::System,
        ctx.locale,
        ticket,
    )
    .await;
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/vaccinatie/{}/afspraak?done=1", c.slug)).into_response())
        }
        Err(e) => {
            let chosen = f.start.chars().take(20).collect();
            refused(&state, &mut ctx, &c, &inv, &f.day, chosen, e.into()).await
        }
    }
}

/// A refused booking or cancel: the booking page again, with the reason
/// (a field error); any other error passes on.
async fn refused(
    state: &AppState,
    ctx: &mut Ctx,
    c: &Campaign,
    inv: &Invitation,
    day: &str,
    chosen: String,
    e: AppError,
) -> Result<Response, AppError> {
    match e {
        AppError::Invalid(inv_err) | AppError::Conflict(inv_err) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv_err, "vac");
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            book_page(state, ctx, c, inv, day, chosen, errors, status).await
        }
        e => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    mut ctx: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let c = campaign(&state, &slug).await?;
    let inv = match signed_in(&state, &headers, &c).await? {
        Ok(i) => i,
        Err(r) => return Ok(r),
    };
    match cancel_booking(&state, &c, &inv, &Actor::System, ctx.locale).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/vaccinatie/{}/afspraak?cancelled=1", c.slug)).into_response(),
        ),
        // Nothing to cancel (any more): the booking page says so.
        Err(e) => refused(&state, &mut ctx, &c, &inv, "", String::new(), e.into()).await,
    }
}

pub async fn ics(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let c = campaign(&state, &slug).await?;
    let Some(inv) = invitee(&state, &headers, &c).await? else {
        return Err(AppError::NotFound);
    };
    let Some(b) = store::active_booking(&state.store, &inv.id).await? else {
        return Err(AppError::NotFound);
    };
    let place = loket_store::appointments::location(&state.store, &c.location_id)
        .await?
        .map(|l| format!("{}, {}", l.name, l.address))
        .unwrap_or_default();
    let body = super::booking_ics(
        &state,
        ctx.locale,
        &c,
        &inv,
        &b,
        loket_render::appointments::Method::Request,
        &place,
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8; method=REQUEST",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"vaccinatie.ics\"",
            ),
        ],
        body,
    )
        .into_response())
}

// ---- the reserve list ----

#[derive(Template)]
#[template(path = "vaccination/reserve.html")]
struct ReservePage {
    l: Layout,
    slug: String,
    campaign: String,
    groups: Vec<(String, String)>,
    f: ReserveForm,
    errors: FormErrors,
    done: bool,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReserveForm {
    pub csrf: String,
    pub national_number: String,
    pub name: String,
    pub birth_date: String,
    pub email: String,
    pub phone: String,
    pub group: String,
}

#[allow(clippy::too_many_arguments)]
async fn reserve_page(
    state: &AppState,
    ctx: &mut Ctx,
    c: &Campaign,
    f: ReserveForm,
    errors: FormErrors,
    done: bool,
    status: StatusCode,
) -> Result<Response, AppError> {
    let groups = store::groups(&state.store, &c.id)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, g)| (i.to_string(), g))
        .collect();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("vac-reserve-title");
    l.csrf = csrf;
    render(
        status,
        ReservePage {
            l,
            slug: c.slug.clone(),
            campaign: c.name.clone(),
            groups,
            f,
            errors,
            done,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    pub done: String,
}

pub async fn reserve_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let c = campaign(&state, &slug).await?;
    reserve_page(
        &state,
        &mut ctx,
        &c,
        ReserveForm::default(),
        FormErrors::default(),
        q.done == "1",
        StatusCode::OK,
    )
    .await
}

impl ReserveForm {
    /// The fields as the use case takes them.
    pub fn input(&self) -> ReserveInput<'_> {
        ReserveInput {
            national_number: &self.national_number,
            name: &self.name,
            birth_date: &self.birth_date,
            email: &self.email,
            phone: &self.phone,
            group: &self.group,
        }
    }
}

/// A sign-up: one answer for every number that passes the field checks
/// (invited, listed or unknown alike); the e-mailed link decides.
pub async fn reserve_sign_up(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<ReserveForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let c = campaign(&state, &slug).await?;
    let ip = ctx.ip.to_string();
    let result =
        loket_app::vaccination::reserve_sign_up(&state, &c, &f.input(), ctx.locale, &ip).await;
    let kept = ReserveForm {
        csrf: String::new(),
        ..f
    };
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/vaccinatie/{}/reservelijst?done=1", c.slug)).into_response(),
        ),
        Err(loket_app::Refusal::Invalid(inv)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv, "vac");
            reserve_page(
                &state,
                &mut ctx,
                &c,
                kept,
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(loket_app::Refusal::TooMany { retry_after_s }) => {
            let errors = FormErrors::general(AppError::limited_message(ctx.locale, retry_after_s));
            let mut res = reserve_page(
                &state,
                &mut ctx,
                &c,
                kept,
                errors,
                false,
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await?;
            AppError::Limited(retry_after_s).retry_after(&mut res);
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "vaccination/reserve_confirm.html")]
struct ReserveConfirmPage {
    l: Layout,
    slug: String,
    id: String,
    token: String,
}

/// The landing page of a sign-up's e-mailed link: a button that confirms
/// by POST, so a mail scanner opening the link does not use it.
pub async fn reserve_confirm_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<OfferQuery>,
) -> Result<Response, AppError> {
    let c = campaign(&state, &slug).await?;
    if !store::pending_sign_up_is_valid(&state.store, &c, &id, &q.t).await? {
        return crate::people::pages::message(
            &ctx,
            StatusCode::GONE,
            "vac-reserve-confirm-title",
            "vac-reserve-link-gone",
        );
    }
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("vac-reserve-confirm-title");
    l.csrf = csrf;
    render(
        StatusCode::OK,
        ReserveConfirmPage {
            l,
            slug: c.slug.clone(),
            id,
            token: q.t,
        },
    )
}

pub async fn reserve_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<OfferForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let c = campaign(&state, &slug).await?;
    let (status, text) = if loket_app::vaccination::confirm_reserve(&state, &c, &id, &f.t).await? {
        (StatusCode::OK, "vac-reserve-confirmed")
    } else {
        (StatusCode::GONE, "vac-reserve-link-gone")
    };
    crate::people::pages::message(&ctx, status, "vac-reserve-confirm-title", text)
}

#[derive(Template)]
#[template(path = "vaccination/offer.html")]
struct OfferPage {
    l: Layout,
    slug: String,
    id: String,
    token: String,
    campaign: String,
    name: String,
    at: String,
    due: String,
    /// `open`, `taken` (booked: the code follows), or `gone`.
    state: String,
    code: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OfferQuery {
    pub t: String,
}

pub async fn offer_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<OfferQuery>,
) -> Result<Response, AppError> {
    let c = campaign(&state, &slug).await?;
    let Some(e) = store::reserve_entry(&state.store, &id).await? else {
        return Err(AppError::NotFound);
    };
    if e.campaign_id != c.id || e.offer_token.as_deref() != Some(q.t.as_str()) || q.t.is_empty() {
        return Err(AppError::NotFound);
    }
    let open = e.status == ReserveStatus::Offered && e.offer_expires_at.unwrap_or(0) > now_ms();
    let code = match &e.invitation_id {
        Some(i) => store::invitation(&state.store, i)
            .await?
            .map(|i| rules::format_code(&i.code))
            .unwrap_or_default(),
        None => String::new(),
    };
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("vac-offer-title");
    l.csrf = csrf;
    render(
        StatusCode::OK,
        OfferPage {
            l,
            slug: c.slug.clone(),
            id: e.id.clone(),
            token: q.t.clone(),
            campaign: c.name.clone(),
            name: e.name.clone(),
            at: crate::i18n::format_ms(e.offer_starts_at.unwrap_or_default()),
            due: crate::i18n::format_ms(e.offer_expires_at.unwrap_or_default()),
            state: if open {
                "open"
            } else if e.status == ReserveStatus::Booked {
                "taken"
            } else {
                "gone"
            }
            .to_owned(),
            code,
            errors: FormErrors::default(),
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OfferForm {
    pub csrf: String,
    pub t: String,
}

pub async fn accept_offer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<OfferForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let c = campaign(&state, &slug).await?;
    // A stale offer changes nothing: its page then says it is gone.
    loket_app::vaccination::accept_offer(&state, &c, &id, &f.t, ctx.locale).await?;
    Ok(Redirect::to(&format!(
        "/vaccinatie/{}/aanbod/{}?t={}",
        c.slug,
        urlencode(&id),
        urlencode(&f.t)
    ))
    .into_response())
}
