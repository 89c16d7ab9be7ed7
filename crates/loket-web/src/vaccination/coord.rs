//! The coordinator's pages: campaigns, the invitation import, letter
//! batches, an invitee's file (and booking for them by phone or at the
//! counter), the reserve list, the live dashboard, the day report, the
//! registry export, sync conflicts and the mobile teams' planning.

use super::{COORDINATORS, HELPERS, campaign, invitation_mail};
use crate::AppState;
use crate::common::ServiceForm;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{Locale, format_ms, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use crate::telework::CsvErrorRow;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Json, Redirect, Response};
use futures_util::Stream;
use loket_domain::audit::Actor;
use loket_domain::vaccination::{self as rules, CampaignPlan};
use loket_domain::{FieldError, Invalid};
use loket_render::vaccination as render_vac;
use loket_store::now_ms;
use loket_store::vaccination::{self as store, Campaign, DayFigures, Invitation, NewCampaign};
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;

// ---- campaigns ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CampaignForm {
    pub csrf: String,
    pub slug: String,
    pub name: String,
    pub vaccine: String,
    pub location: String,
    pub lines: String,
    pub per_line: String,
    pub slot_minutes: String,
    pub observation_minutes: String,
    pub admit_per_minute: String,
    pub opens_at: String,
    pub days: String,
    pub groups: String,
}

#[derive(Template)]
#[template(path = "vaccination/list.html")]
struct ListPage {
    l: Layout,
    /// (slug, name, status, opens)
    campaigns: Vec<(String, String, String, String)>,
    /// (id, name, selected)
    locations: Vec<(String, String, bool)>,
    f: CampaignForm,
    errors: FormErrors,
    is_coordinator: bool,
}

async fn list_page(
    state: &AppState,
    ctx: &mut Ctx,
    f: CampaignForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let campaigns = store::campaigns(&state.store)
        .await?
        .into_iter()
        .map(|c| (c.slug, c.name, c.status, format_ms(c.opens_at)))
        .collect();
    let locations = loket_store::appointments::list_locations(&state.store)
        .await?
        .into_iter()
        .filter(|l| l.active)
        .map(|l| {
            let sel = l.id == f.location;
            (l.id, l.name, sel)
        })
        .collect();
    let is_coordinator = ctx.require(COORDINATORS).is_ok();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("vac-list-title");
    l.csrf = csrf;
    render(
        status,
        ListPage {
            l,
            campaigns,
            locations,
            f,
            errors,
            is_coordinator,
        },
    )
}

pub async fn list(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(super::CENTRE_STAFF)?;
    let f = CampaignForm {
        lines: "8".into(),
        per_line: "2".into(),
        slot_minutes: "10".into(),
        observation_minutes: "15".into(),
        admit_per_minute: "500".into(),
        ..CampaignForm::default()
    };
    list_page(&state, &mut ctx, f, FormErrors::default(), StatusCode::OK).await
}

pub async fn create(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<CampaignForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(COORDINATORS)?.clone();
    let mut errors = Vec::new();
    if let Err(e) = loket_domain::appointments::check_slug(f.slug.trim()) {
        errors.push(e);
    }
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new("name", "required"));
    }
    let vaccine = f.vaccine.trim();
    if vaccine.is_empty() || vaccine.chars().count() > 100 {
        errors.push(FieldError::new("vaccine", "required"));
    }
    let location = loket_store::appointments::location(&state.store, f.location.trim()).await?;
    if location.is_none() {
        errors.push(FieldError::new("location", "appt-location-unknown"));
    }
    let plan = CampaignPlan::parse(
        &f.lines,
        &f.per_line,
        &f.slot_minutes,
        &f.observation_minutes,
        &f.admit_per_minute,
    )
    .map_err(|e| errors.extend(e))
    .ok();
    let opens_at = loket_domain::appointments::parse_start(&f.opens_at, &crate::i18n::brussels());
    if opens_at.is_none() {
        errors.push(FieldError::new("opens_at", "vac-opens-invalid"));
    }
    let days = rules::parse_days(&f.days).map_err(|e| errors.push(e)).ok();
    let groups = rules::parse_groups(&f.groups)
        .map_err(|e| errors.push(e))
        .ok();
    let result = match (location, plan, opens_at, days, groups) {
        (Some(loc), Some(plan), Some(opens_at), Some(days), Some(groups)) if errors.is_empty() => {
            let mut tx = state.store.begin().await?;
            match store::create_campaign(
                &mut tx,
                &Actor::User(user.id.clone()),
                NewCampaign {
                    slug: f.slug.trim(),
                    name,
                    vaccine,
                    location_id: &loc.id,
                    plan: &plan,
                    groups: &groups,
                    days: &days,
                    opens_at,
                },
            )
            .await
            {
                Ok(c) => {
                    tx.commit().await?;
                    Ok(c)
                }
                Err(e) => Err(AppError::from(e)),
            }
        }
        _ => Err(AppError::Invalid(Invalid(errors))),
    };
    match result {
        Ok(c) => Ok(Redirect::to(&format!("/staff/vaccination/{}", c.slug)).into_response()),
        Err(AppError::Invalid(inv)) | Err(AppError::Conflict(inv)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv, "vac");
            list_page(
                &state,
                &mut ctx,
                f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

// ---- the campaign page ----

#[derive(Template)]
#[template(path = "vaccination/campaign.html")]
struct CampaignPage {
    l: Layout,
    c: Campaign,
    capacity: i64,
    opens: String,
    days: Vec<(String, String, String)>,
    groups: Vec<String>,
    counts: Vec<(String, i64)>,
    letters_waiting: i64,
    /// (id, letters, created)
    batches: Vec<(String, i64, String)>,
    q: String,
    invitations: Vec<Invitation>,
    /// (name, group, status, signed up, offer)
    reserve: Vec<(String, String, String, String, String)>,
    conflicts: Vec<store::Conflict>,
    teams: Vec<String>,
    import_text: String,
    import_errors: Vec<CsvErrorRow>,
    imported: Option<store::Imported>,
    errors: FormErrors,
    mobile: MobileForm,
    notice: String,
    lines: Vec<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CampaignQuery {
    pub q: String,
    pub notice: String,
}

#[derive(Default)]
struct Extra {
    import_text: String,
    import_errors: Vec<CsvErrorRow>,
    imported: Option<store::Imported>,
    errors: FormErrors,
    mobile: MobileForm,
    notice: String,
}

async fn campaign_view(
    state: &AppState,
    ctx: &mut Ctx,
    c: Campaign,
    q: &str,
    extra: Extra,
    status: StatusCode,
) -> Result<Response, AppError> {
    let groups = store::groups(&state.store, &c.id).await?;
    let reserve = store::reserve_list(&state.store, &c.id)
        .await?
        .into_iter()
        .map(|e| {
            (
                e.name,
                groups
                    .get(e.group_rank as usize)
                    .cloned()
                    .unwrap_or_default(),
                e.status,
                format_ms(e.signed_up_at),
                e.offer_starts_at.map(format_ms).unwrap_or_default(),
            )
        })
        .collect();
    let batches = store::letter_batches(&state.store, &c.id)
        .await?
        .into_iter()
        .map(|b| (b.id, b.letters, format_ms(b.created_at)))
        .collect();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("vac-campaign-title");
    l.title = format!("{} — {}", l.title, c.name);
    l.csrf = csrf;
    let page = CampaignPage {
        l,
        capacity: c.capacity(),
        opens: format_ms(c.opens_at),
        days: store::days(&state.store, &c.id).await?,
        groups,
        counts: store::invitation_counts(&state.store, &c.id).await?,
        letters_waiting: store::letters_waiting(&state.store, &c.id).await?,
        batches,
        q: q.to_owned(),
        invitations: store::invitations(&state.store, &c.id, q, 50).await?,
        reserve,
        conflicts: store::open_conflicts(&state.store, &c.id).await?,
        teams: store::mobile_teams(&state.store, &c.id).await?,
        import_text: extra.import_text,
        import_errors: extra.import_errors,
        imported: extra.imported,
        errors: extra.errors,
        mobile: extra.mobile,
        notice: extra.notice,
        lines: (1..=c.lines).collect(),
        c,
    };
    render(status, page)
}

pub async fn campaign_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<CampaignQuery>,
) -> Result<Response, AppError> {
    ctx.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await?;
    let notice = match q.notice.as_str() {
        "offers" | "resolved" | "planned" | "letters" => {
            ctx.locale.t(&format!("vac-notice-{}", q.notice))
        }
        _ => String::new(),
    };
    campaign_view(
        &state,
        &mut ctx,
        c,
        q.q.chars().take(100).collect::<String>().as_str(),
        Extra {
            notice,
            ..Extra::default()
        },
        StatusCode::OK,
    )
    .await
}

/// Import errors in the user's language; the "unknown column" message names
/// this file's columns.
fn import_errors(
    locale: Locale,
    errors: Vec<loket_domain::telework::CsvError>,
) -> Vec<CsvErrorRow> {
    let errors: Vec<_> = errors
        .into_iter()
        .map(|mut e| {
            if e.code == "csv-column-unknown" {
                e.code = "vac-csv-column-unknown";
            }
            e
        })
        .collect();
    crate::telework::csv_errors(locale, &errors)
}

/// Imports invitations from a CSV file (or pasted text): all or nothing.
pub async fn import(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    form: ServiceForm,
) -> Result<Response, AppError> {
    ctx.check_csrf(form.values.get("csrf").map(String::as_str).unwrap_or(""))?;
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let text = crate::common::csv_text(&form);
    let shown = form.values.get("text").cloned().unwrap_or_default();
    let groups = store::groups(&state.store, &c.id).await?;
    let rows = match rules::parse_invitations(&text, &groups) {
        Ok(r) => r,
        Err(errors) => {
            let import_errors = import_errors(ctx.locale, errors);
            return campaign_view(
                &state,
                &mut ctx,
                c,
                "",
                Extra {
                    import_text: shown,
                    import_errors,
                    ..Extra::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let locale = Locale::default();
    let mail = |inv: &Invitation| invitation_mail(&state, locale, &c, inv);
    let mut tx = state.store.begin().await?;
    match store::import_invitations(&mut tx, &Actor::User(user.id.clone()), &c, &rows, &mail).await
    {
        Ok(done) => {
            tx.commit().await?;
            campaign_view(
                &state,
                &mut ctx,
                c,
                "",
                Extra {
                    imported: Some(done),
                    ..Extra::default()
                },
                StatusCode::OK,
            )
            .await
        }
        Err(loket_store::StoreError::Invalid(inv)) => {
            tx.rollback().await?;
            let import_errors = inv
                .0
                .iter()
                .map(|e| CsvErrorRow {
                    line: e.value.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0),
                    column: "national_number".to_owned(),
                    message: ctx.locale.t("err-vac-already-invited"),
                })
                .collect();
            campaign_view(
                &state,
                &mut ctx,
                c,
                "",
                Extra {
                    import_text: shown,
                    import_errors,
                    ..Extra::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

/// Puts the invitations that wait for a letter into a print batch.
pub async fn letters(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let mut tx = state.store.begin().await?;
    let batch = store::new_letter_batch(&mut tx, &Actor::User(user.id), &c.id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&match batch {
        Some(_) => format!("/staff/vaccination/{}?notice=letters", c.slug),
        None => format!("/staff/vaccination/{}", c.slug),
    })
    .into_response())
}

/// A letter batch as one PDF: a window-envelope letter per invitee with
/// the code and its QR code.
pub async fn letters_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, batch)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let batch = batch.trim_end_matches(".pdf").to_owned();
    let invitations = store::batch_invitations(&state.store, &batch).await?;
    if invitations.is_empty() || invitations.iter().any(|i| i.campaign_id != c.id) {
        return Err(AppError::NotFound);
    }
    let locale = Locale::default();
    let today = today_brussels();
    let date = today.to_string();
    let letters: Vec<loket_render::cases::Letter> = invitations
        .iter()
        .map(|inv| {
            let link = super::booking_link(&state, &c, &inv.code);
            let args = [
                ("name", inv.name.clone()),
                ("city", state.config.city_name.clone()),
                ("service", c.name.clone()),
                ("code", rules::format_code(&inv.code)),
                ("link", link.clone()),
            ];
            loket_render::cases::Letter {
                lang: locale.code().to_owned(),
                city: state.config.city_name.clone(),
                place: state.config.city_name.clone(),
                title: locale.t_args("vac-letter-title", &args),
                date: date.clone(),
                reference_label: locale.t("vac-letter-reference"),
                reference: rules::format_code(&inv.code),
                recipient: vec![
                    inv.name.clone(),
                    inv.street.clone(),
                    format!("{} {}", inv.postal_code, inv.city),
                ],
                paragraphs: vec![
                    locale.t_args("vac-letter-p1", &args),
                    locale.t_args("vac-letter-p2", &args),
                    locale.t_args("vac-letter-p3", &args),
                ],
                facts_header: (locale.t("vac-letter-fact"), locale.t("vac-letter-value")),
                facts: vec![
                    (locale.t("vac-field-code"), rules::format_code(&inv.code)),
                    (locale.t("vac-letter-site"), link.clone()),
                ],
                qr_url: Some(link),
                qr_caption: locale.t("vac-letter-qr"),
                qr_alt: locale.t_args("vac-letter-qr-alt", &args),
                closing: locale.t_args("vac-letter-closing", &args),
                footer: state.config.city_name.clone(),
                logo_alt: state.config.city_name.clone(),
                logo_svg: state.config.logo_svg.clone(),
            }
        })
        .collect();
    let title = locale.t("vac-letters-title");
    let batch_label = format!(
        "{} {}",
        locale.t("vac-letters-batch"),
        &batch[batch.len().saturating_sub(6)..]
    );
    let city = state.config.city_name.clone();
    let logo = state.config.logo_svg.clone();
    let ymd = (today.year() as i32, today.month() as u8, today.day() as u8);
    let pdf = tokio::task::spawn_blocking(move || {
        loket_render::cases::batch_pdf(
            &loket_render::cases::BatchInfo {
                title: &title,
                city: &city,
                lang: "nl",
                footer: &city,
                batch_label: &batch_label,
                logo_svg: logo.as_deref(),
            },
            &letters,
            ymd,
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))?;
    loket_store::audit::record_access(
        &state.store,
        &user.id,
        &format!("vac:{}", c.id),
        "vac_letter_batch",
        &batch,
        "print letters",
    )
    .await?;
    pdf_response(pdf, &format!("uitnodigingen-{}.pdf", c.slug))
}

pub fn pdf_response(pdf: Vec<u8>, name: &str) -> Result<Response, AppError> {
    let mut res = pdf.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

// ---- an invitee's file ----

#[derive(Template)]
#[template(path = "vaccination/invitation.html")]
struct InvitationPage {
    l: Layout,
    slug: String,
    inv: Invitation,
    status_label: String,
    code: String,
    group: String,
    booked_at: Option<String>,
    visit: Option<store::Visit>,
    days: Vec<(String, Vec<super::SlotView>)>,
    chosen: String,
    errors: FormErrors,
}

async fn invitation_view(
    state: &AppState,
    ctx: &mut Ctx,
    c: &Campaign,
    id: &str,
    chosen: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = ctx.require(HELPERS)?.clone();
    let inv = store::invitation(&state.store, id)
        .await?
        .filter(|i| i.campaign_id == c.id)
        .ok_or(AppError::NotFound)?;
    loket_store::audit::record_access(
        &state.store,
        &user.id,
        &format!("vac:{}", inv.id),
        "vac_invitation",
        &inv.id,
        "invitee file",
    )
    .await?;
    let booking = store::active_booking(&state.store, &inv.id).await?;
    let groups = store::groups(&state.store, &c.id).await?;
    let mut days = super::open_slots(state, c, now_ms()).await?;
    days.truncate(7);
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("vac-invitation-title");
    l.csrf = csrf;
    render(
        status,
        InvitationPage {
            l,
            slug: c.slug.clone(),
            code: rules::format_code(&inv.code),
            group: groups
                .get(inv.group_rank as usize)
                .cloned()
                .unwrap_or_default(),
            booked_at: booking.map(|b| format_ms(b.starts_at)),
            visit: store::visit_of_invitation(&state.store, &inv.id).await?,
            status_label: ctx.locale.t(&format!("vac-status-{}", inv.status)),
            inv,
            days,
            chosen,
            errors,
        },
    )
}

pub async fn invitation_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    ctx.require(HELPERS)?;
    let c = campaign(&state, &slug).await?;
    invitation_view(
        &state,
        &mut ctx,
        &c,
        &id,
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BookForForm {
    pub csrf: String,
    pub start: String,
    pub channel: String,
}

/// Books (or moves) a slot for an invitee who calls or comes to the
/// counter: the same booking, mail and calendar file as online.
pub async fn book_for(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<BookForForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HELPERS)?.clone();
    let c = campaign(&state, &slug).await?;
    let inv = store::invitation(&state.store, &id)
        .await?
        .filter(|i| i.campaign_id == c.id)
        .ok_or(AppError::NotFound)?;
    let channel = if f.channel == "counter" {
        "counter"
    } else {
        "phone"
    };
    match super::public::book_or_move(
        &state,
        &c,
        &inv,
        &f.start,
        channel,
        &Actor::User(user.id),
        Locale::default(),
    )
    .await
    .map_err(AppError::from)
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/staff/vaccination/{}/invitations/{}",
            c.slug, inv.id
        ))
        .into_response()),
        Err(AppError::Invalid(e)) | Err(AppError::Conflict(e)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &e, "vac");
            invitation_view(
                &state,
                &mut ctx,
                &c,
                &id,
                f.start.chars().take(20).collect(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn cancel_for(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HELPERS)?.clone();
    let c = campaign(&state, &slug).await?;
    let inv = store::invitation(&state.store, &id)
        .await?
        .filter(|i| i.campaign_id == c.id)
        .ok_or(AppError::NotFound)?;
    match super::public::cancel_booking(&state, &c, &inv, &Actor::User(user.id), Locale::default())
        .await
        .map_err(AppError::from)
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/staff/vaccination/{}/invitations/{}",
            c.slug, inv.id
        ))
        .into_response()),
        Err(AppError::Invalid(e)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &e, "vac");
            invitation_view(
                &state,
                &mut ctx,
                &c,
                &id,
                String::new(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// Offers free places to the reserve list now (the worker does it every
/// minute as well).
pub async fn offers(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    ctx.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await?;
    super::run_offers(&state, now_ms()).await?;
    Ok(Redirect::to(&format!("/staff/vaccination/{}?notice=offers", c.slug)).into_response())
}

// ---- the live dashboard ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DayQueryForm {
    pub day: String,
    pub format: String,
}

fn day_or_today(s: &str) -> String {
    match s.trim().parse::<jiff::civil::Date>() {
        Ok(d) => d.to_string(),
        Err(_) => today_brussels().to_string(),
    }
}

#[derive(Template)]
#[template(path = "vaccination/dashboard.html")]
struct DashboardPage {
    l: Layout,
    slug: String,
    f: DayFigures,
    /// (station, assets on loan there: tag, model)
    equipment: Vec<(String, Vec<(String, String)>)>,
    chart: String,
}

/// A bar chart (SVG) of vaccinations per line, drawn on the server.
fn line_chart(f: &DayFigures, locale: Locale) -> String {
    let max = f.per_line.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let bar_w = 36;
    let gap = 12;
    let h = 120;
    let width = f.per_line.len() as i64 * (bar_w + gap) + gap;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"chart-title\" viewBox=\"0 0 {width} {}\" width=\"{width}\" height=\"{}\"><title id=\"chart-title\">{}</title>",
        h + 40,
        h + 40,
        askama::filters::escape(&locale.t("vac-chart-lines"), askama::filters::Html)
            .map(|s| s.to_string())
            .unwrap_or_default()
    );
    for (i, (line, n)) in f.per_line.iter().enumerate() {
        let bh = n * h / max;
        let x = gap + i as i64 * (bar_w + gap);
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{}\" width=\"{bar_w}\" height=\"{bh}\" fill=\"#004f9f\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{n}</text><text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{line}</text>",
            h - bh + 14,
            x + bar_w / 2,
            h - bh + 10,
            x + bar_w / 2,
            h + 32
        ));
    }
    svg.push_str("</svg>");
    svg
}

pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<DayQueryForm>,
) -> Result<Response, AppError> {
    ctx.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await?;
    let day = day_or_today(&q.day);
    let f = store::day_figures(&state.store, &c, &day, now_ms()).await?;
    let equipment = equipment_by_station(&state).await?;
    let chart = line_chart(&f, ctx.locale);
    let mut l = ctx.layout("vac-dashboard-title");
    l.title = format!("{} — {}", l.title, c.name);
    render(
        StatusCode::OK,
        DashboardPage {
            l,
            slug: c.slug.clone(),
            f,
            equipment,
            chart,
        },
    )
}

/// The ICT equipment on loan to the centre, by station: open loans to a
/// place named "Vaccinatiecentrum, <station>" (the asset inventory).
async fn equipment_by_station(
    state: &AppState,
) -> Result<Vec<(String, Vec<(String, String)>)>, AppError> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (place, tag, model, _) in
        loket_store::assets::on_loan_at(&state.store, "Vaccinatiecentrum").await?
    {
        let station = place
            .split_once(',')
            .map(|(_, s)| s.trim().to_owned())
            .unwrap_or(place);
        match out.iter_mut().find(|(s, _)| *s == station) {
            Some((_, list)) => list.push((tag, model)),
            None => out.push((station, vec![(tag, model)])),
        }
    }
    Ok(out)
}

pub async fn figures_json(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<DayQueryForm>,
) -> Result<Response, AppError> {
    ctx.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await?;
    let f = store::day_figures(&state.store, &c, &day_or_today(&q.day), now_ms()).await?;
    Ok(Json(f).into_response())
}

const POLL: Duration = Duration::from_millis(500);

/// The day's figures as Server-Sent Events: a `figures` event at once and
/// after every change (the campaign's version), and every 30 s (no-shows
/// and wasted places change with the clock).
pub async fn events(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<DayQueryForm>,
) -> Result<Response, AppError> {
    ctx.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await?;
    let day = day_or_today(&q.day);
    Ok(figures_sse(state, c, day).into_response())
}

fn figures_sse(
    state: AppState,
    c: Campaign,
    day: String,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = futures_util::stream::unfold(
        (state, c, day, None::<(i64, i64)>),
        |(state, c, day, last)| async move {
            let mut first = last.is_none();
            loop {
                if *state.stopping.borrow() {
                    return None;
                }
                if !first {
                    tokio::time::sleep(POLL).await;
                }
                first = false;
                let Ok(version) = store::version(&state.store, &c.id).await else {
                    continue;
                };
                let tick = now_ms() / 30_000;
                if last == Some((version, tick)) {
                    continue;
                }
                let Ok(f) = store::day_figures(&state.store, &c, &day, now_ms()).await else {
                    continue;
                };
                let ev = Event::default()
                    .event("figures")
                    .id(version.to_string())
                    .retry(Duration::from_secs(3))
                    .data(serde_json::to_string(&f).unwrap_or_default());
                return Some((Ok(ev), (state, c, day, Some((version, tick)))));
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

// ---- the day report and the export ----

#[derive(Template)]
#[template(path = "vaccination/report.html")]
struct ReportPage {
    l: Layout,
    slug: String,
    day: String,
    f: DayFigures,
}

fn report_doc(locale: Locale, city: &str, c: &Campaign, f: &DayFigures) -> render_vac::DayReport {
    let t = |id: &str| locale.t(id);
    render_vac::DayReport {
        lang: locale.code().to_owned(),
        city: city.to_owned(),
        title: format!("{} — {}", t("vac-report-title"), c.name),
        subtitle: f.day.clone(),
        summary_title: t("vac-report-summary"),
        figure_header: (t("vac-report-figure"), t("vac-report-value")),
        figures: vec![
            (t("vac-fig-booked"), f.booked.to_string()),
            (t("vac-fig-arrived"), f.arrived.to_string()),
            (t("vac-fig-not-booked"), f.not_booked.to_string()),
            (t("vac-fig-vaccinated"), f.vaccinated.to_string()),
            (t("vac-fig-no-shows"), f.no_shows.to_string()),
            (t("vac-fig-wasted"), f.wasted.to_string()),
        ],
        lines_title: t("vac-report-lines"),
        line_header: (t("vac-field-line"), t("vac-fig-vaccinated")),
        lines: f
            .per_line
            .iter()
            .map(|(l, n)| (l.to_string(), n.to_string()))
            .collect(),
        hours_title: t("vac-report-hours"),
        hour_header: (
            t("vac-field-line"),
            t("vac-report-hour"),
            t("vac-fig-vaccinated"),
        ),
        hours: f
            .per_line_hour
            .iter()
            .map(|(l, h, n)| (l.to_string(), format!("{h:02}:00"), n.to_string()))
            .collect(),
    }
}

/// The day report as a page, a PDF (`?format=pdf`) or CSV (`?format=csv`).
pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<DayQueryForm>,
) -> Result<Response, AppError> {
    ctx.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await?;
    let day = day_or_today(&q.day);
    let f = store::day_figures(&state.store, &c, &day, now_ms()).await?;
    match q.format.as_str() {
        "pdf" => {
            let doc = report_doc(ctx.locale, &state.config.city_name, &c, &f);
            let today = today_brussels();
            let ymd = (today.year() as i32, today.month() as u8, today.day() as u8);
            let pdf = tokio::task::spawn_blocking(move || render_vac::day_report_pdf(&doc, ymd))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
                .map_err(|e| AppError::Internal(e.to_string()))?;
            pdf_response(pdf, &format!("dagrapport-{}-{day}.pdf", c.slug))
        }
        "csv" => {
            let mut rows = vec![vec![
                "day".to_owned(),
                "line".to_owned(),
                "vaccinated".to_owned(),
            ]];
            for (l, n) in &f.per_line {
                rows.push(vec![day.clone(), l.to_string(), n.to_string()]);
            }
            rows.push(vec![]);
            rows.push(vec!["figure".to_owned(), "value".to_owned()]);
            for (k, v) in [
                ("booked", f.booked),
                ("arrived", f.arrived),
                ("not_booked", f.not_booked),
                ("vaccinated", f.vaccinated),
                ("no_shows", f.no_shows),
                ("wasted_places", f.wasted),
            ] {
                rows.push(vec![k.to_owned(), v.to_string()]);
            }
            csv_response(
                render_vac::csv(&rows),
                &format!("dagrapport-{}-{day}.csv", c.slug),
            )
        }
        _ => {
            let mut l = ctx.layout("vac-report-title");
            l.title = format!("{} — {} — {day}", l.title, c.name);
            render(
                StatusCode::OK,
                ReportPage {
                    l,
                    slug: c.slug.clone(),
                    day,
                    f,
                },
            )
        }
    }
}

pub fn csv_response(body: String, name: &str) -> Result<Response, AppError> {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportQuery {
    pub from: String,
    pub to: String,
}

/// The registry export: one line per administered vaccination (centre and
/// mobile) in `[from, to]` (local dates; default today). Audited as a read
/// of personal data.
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let from = day_or_today(&q.from);
    let to = if q.to.trim().is_empty() {
        from.clone()
    } else {
        day_or_today(&q.to)
    };
    let (Some((from_ms, _)), Some((_, to_ms))) =
        (store::bounds_of_day(&from), store::bounds_of_day(&to))
    else {
        return Err(Invalid::one("from", "vac-day-invalid").into());
    };
    let rows = store::administered(&state.store, &c, from_ms, to_ms).await?;
    let mut out = vec![
        render_vac::REGISTRY_COLUMNS
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>(),
    ];
    for r in &rows {
        let at = jiff::Timestamp::from_millisecond(r.at)
            .map(|t| {
                t.to_zoned_datetime(crate::i18n::brussels())
                    .strftime("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string()
            })
            .unwrap_or_default();
        out.push(vec![
            r.national_number.clone(),
            r.birth_date.clone(),
            at,
            r.vaccine.clone(),
            r.lot.clone(),
            r.setting.clone(),
            r.place.clone(),
            state.config.city_name.clone(),
            r.record_id.clone(),
        ]);
    }
    loket_store::audit::record_access(
        &state.store,
        &user.id,
        &format!("vac:{}", c.id),
        "vac_registry_export",
        &format!("{from}..{to}"),
        "registry export",
    )
    .await?;
    csv_response(
        render_vac::csv(&out),
        &format!("vaccinaties-{}-{from}-{to}.csv", c.slug),
    )
}

// ---- sync conflicts and mobile planning ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResolveForm {
    pub csrf: String,
    pub resolution: String,
}

pub async fn resolve(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<ResolveForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let mut tx = state.store.begin().await?;
    match store::resolve_conflict(&mut tx, &Actor::User(user.id), &id, &f.resolution).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(
                Redirect::to(&format!("/staff/vaccination/{}?notice=resolved", c.slug))
                    .into_response(),
            )
        }
        Err(loket_store::StoreError::Invalid(inv)) => {
            tx.rollback().await?;
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv, "vac");
            campaign_view(
                &state,
                &mut ctx,
                c,
                "",
                Extra {
                    errors,
                    ..Extra::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MobileForm {
    pub csrf: String,
    pub team: String,
    pub day: String,
    pub at: String,
    pub code: String,
    pub address: String,
}

/// Plans a mobile team's visit to an invitee (by invitation code).
pub async fn plan_mobile(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<MobileForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let mut errors = Vec::new();
    let team = f.team.trim();
    if team.is_empty() || team.chars().count() > 40 || team.chars().any(char::is_control) {
        errors.push(FieldError::new("team", "required"));
    }
    if f.day.trim().parse::<jiff::civil::Date>().is_err() {
        errors.push(FieldError::new("day", "vac-day-invalid"));
    }
    if loket_domain::appointments::parse_time(f.at.trim()).is_none() {
        errors.push(FieldError::new("at", "vac-time-invalid"));
    }
    let address = f.address.trim();
    if address.is_empty() || address.chars().count() > 200 {
        errors.push(FieldError::new("address", "required"));
    }
    let inv = match rules::parse_code(&f.code, rules::INVITATION_SYMBOLS) {
        Ok(code) => match store::invitation_by_code(&state.store, &code).await? {
            Some(i) if i.campaign_id == c.id => Some(i),
            _ => {
                errors.push(FieldError::new("code", "vac-code-unknown"));
                None
            }
        },
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let result = match inv {
        Some(inv) if errors.is_empty() => {
            let mut tx = state.store.begin().await?;
            match store::plan_mobile_visit(
                &mut tx,
                &Actor::User(user.id),
                &c,
                team,
                f.day.trim(),
                f.at.trim(),
                &inv.id,
                address,
            )
            .await
            {
                Ok(_) => {
                    tx.commit().await?;
                    Ok(())
                }
                Err(e) => Err(AppError::from(e)),
            }
        }
        _ => Err(AppError::Invalid(Invalid(errors))),
    };
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/staff/vaccination/{}?notice=planned", c.slug)).into_response(),
        ),
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv, "vac");
            campaign_view(
                &state,
                &mut ctx,
                c,
                "",
                Extra {
                    errors,
                    mobile: MobileForm {
                        csrf: String::new(),
                        ..f
                    },
                    ..Extra::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
