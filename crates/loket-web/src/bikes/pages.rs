//! Bike pages: "my bikes" with the reservation form, a reservation with
//! pick-up, return and cancel, the fleet manager's fleet page and the
//! dashboard with server-rendered SVG charts.

use super::{FLEET, Offer, RIDERS, Refused, Request, allowed, local, reserve_for, return_for};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{Locale, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_app::bikes::views::{self, Booked, UseRow};
use loket_domain::Invalid;
use loket_domain::appointments::{brussels, parse_start};
use loket_domain::audit::Actor;
use loket_domain::bikes::{BikeStatus, BikeType, ReservationStatus};
use loket_store::bikes::{self as store, Reservation, Settings};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReserveForm {
    pub csrf: String,
    pub site: String,
    pub bike_type: String,
    #[serde(rename = "day")]
    pub date: String,
    #[serde(rename = "start")]
    pub from: String,
    #[serde(rename = "end")]
    pub to: String,
}

pub struct ResRow {
    pub id: String,
    pub bike: String,
    pub site: String,
    pub when: String,
    pub status: String,
    pub rider: String,
    pub km: String,
}

#[derive(Template)]
#[template(path = "bikes/mine.html")]
struct MinePage {
    l: Layout,
    sites: Vec<(String, String, bool)>,
    types: Vec<(String, String, bool)>,
    form: ReserveForm,
    errors: FormErrors,
    offers: Vec<Offer>,
    rows: Vec<ResRow>,
    pager: crate::paging::Pager,
}

fn type_choices(locale: Locale, chosen: &str) -> Vec<(String, String, bool)> {
    BikeType::ALL
        .iter()
        .map(|t| {
            (
                t.as_str().to_owned(),
                locale.t(&format!("bike-type-{}", t.as_str())),
                t.as_str() == chosen,
            )
        })
        .collect()
}

fn status_label(locale: Locale, status: ReservationStatus) -> String {
    locale.t(&format!("bike-res-{}", status.as_str().replace('_', "-")))
}

fn row_of(locale: Locale, b: &Booked) -> ResRow {
    let r = &b.reservation;
    ResRow {
        id: r.id.clone(),
        bike: b
            .bike
            .as_ref()
            .map(|b| {
                format!(
                    "{} ({})",
                    b.number,
                    locale.t(&format!("bike-type-{}", b.bike_type))
                )
            })
            .unwrap_or_default(),
        site: b
            .bike
            .as_ref()
            .map(|b| b.site_name.clone())
            .unwrap_or_default(),
        when: format!(
            "{} – {}",
            local(r.starts_at),
            local(r.ends_at).get(11..).unwrap_or_default()
        ),
        status: status_label(locale, r.status),
        rider: b.rider.clone(),
        km: r.km.map(|k| k.to_string()).unwrap_or_default(),
    }
}

async fn mine_page(
    state: &AppState,
    ctx: &mut Ctx,
    form: ReserveForm,
    errors: FormErrors,
    offers: Vec<Offer>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let pq = loket_domain::paging::PageQuery::first(loket_domain::paging::DEFAULT_LIMIT);
    mine_page_at(state, ctx, form, errors, offers, status, &pq).await
}

async fn mine_page_at(
    state: &AppState,
    ctx: &mut Ctx,
    form: ReserveForm,
    errors: FormErrors,
    offers: Vec<Offer>,
    status: StatusCode,
    pq: &loket_domain::paging::PageQuery,
) -> Result<Response, AppError> {
    let user = ctx.require(RIDERS)?.clone();
    let sites = store::list_sites(&state.store).await?;
    let (page, total) = views::mine(state, &user, pq).await?;
    let pager = crate::paging::Pager::new(ctx.locale, "/bikes", &[], &page, pq, total, None);
    let rows = page.items.iter().map(|b| row_of(ctx.locale, b)).collect();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("bike-title");
    l.csrf = csrf;
    let chosen_site = if form.site.is_empty() {
        sites.first().map(|s| s.slug.clone()).unwrap_or_default()
    } else {
        form.site.clone()
    };
    render(
        status,
        MinePage {
            sites: sites
                .iter()
                .map(|s| (s.slug.clone(), s.name.clone(), s.slug == chosen_site))
                .collect(),
            types: type_choices(ctx.locale, &form.bike_type),
            form,
            errors,
            offers,
            rows,
            pager,
            l,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MineQuery {
    pub cursor: String,
    pub limit: String,
}

pub async fn mine(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<MineQuery>,
) -> Result<Response, AppError> {
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::RESERVATION_PAGING)?;
    let tomorrow = today_brussels()
        .tomorrow()
        .unwrap_or_else(|_| today_brussels());
    let form = ReserveForm {
        date: tomorrow.to_string(),
        from: "09:00".to_owned(),
        to: "12:00".to_owned(),
        bike_type: "ebike".to_owned(),
        ..ReserveForm::default()
    };
    mine_page_at(
        &state,
        &mut ctx,
        form,
        FormErrors::default(),
        Vec::new(),
        StatusCode::OK,
        &pq,
    )
    .await
}

/// Local date + time of day to unix ms (Europe/Brussels).
pub fn local_ms(date: &str, time: &str) -> Option<i64> {
    let date = date.trim();
    let time = time.trim();
    if date.len() != 10 || time.len() != 5 {
        return None;
    }
    parse_start(&format!("{date}T{time}"), &brussels())
}

pub async fn reserve(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<ReserveForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(RIDERS)?.clone();
    let req = Request {
        site: &f.site,
        bike_type: &f.bike_type,
        start_ms: local_ms(&f.date, &f.from),
        end_ms: local_ms(&f.date, &f.to),
    };
    match reserve_for(&state, &Actor::User(user.id.clone()), &user, &req).await {
        Ok((r, _)) => Ok(Redirect::to(&format!("/bikes/reservations/{}", r.id)).into_response()),
        Err(Refused { refusal, nearest }) => {
            let error = AppError::from(refusal);
            let inv = match error {
                AppError::Invalid(inv) | AppError::Conflict(inv) => inv,
                other => return Err(other),
            };
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            mine_page(
                &state,
                &mut ctx,
                f,
                errors,
                nearest,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "bikes/reservation.html")]
struct DetailPage {
    l: Layout,
    row: ResRow,
    r: Reservation,
    can_pick: bool,
    can_return: bool,
    can_cancel: bool,
    km: String,
    damage: String,
    errors: FormErrors,
}

async fn detail_page(
    state: &AppState,
    ctx: &mut Ctx,
    r: Reservation,
    km: String,
    damage: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = ctx.require(RIDERS)?.clone();
    let now = loket_store::now_ms();
    let b = views::seen_by(state, &user, r).await?;
    let row = row_of(ctx.locale, &b);
    let r = b.reservation.clone();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("bike-reservation-title");
    l.csrf = csrf;
    render(
        status,
        DetailPage {
            l,
            row,
            can_pick: b.can_pick_up(now),
            can_return: r.status == ReservationStatus::PickedUp,
            can_cancel: r.status == ReservationStatus::Reserved,
            r,
            km,
            damage,
            errors,
        },
    )
}

pub async fn detail(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.require(RIDERS)?.clone();
    let r = allowed(&state, &user, &id).await?;
    detail_page(
        &state,
        &mut ctx,
        r,
        String::new(),
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    pub csrf: String,
}

pub async fn pick_up(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(RIDERS)?.clone();
    let r = allowed(&state, &user, &id).await?;
    match loket_app::bikes::pick_up(&state, &Actor::User(user.id), &r).await {
        Ok(_) => Ok(Redirect::to(&format!("/bikes/reservations/{id}")).into_response()),
        Err(loket_app::Refusal::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            detail_page(
                &state,
                &mut ctx,
                r,
                String::new(),
                String::new(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReturnForm {
    pub csrf: String,
    pub km: String,
    pub damage: String,
}

pub async fn return_bike(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReturnForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(RIDERS)?.clone();
    let r = allowed(&state, &user, &id).await?;
    match return_for(&state, &Actor::User(user.id), &r, &f.km, &f.damage)
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(Redirect::to(&format!("/bikes/reservations/{id}")).into_response()),
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            detail_page(
                &state,
                &mut ctx,
                r,
                f.km,
                f.damage,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn cancel(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(RIDERS)?.clone();
    let r = allowed(&state, &user, &id).await?;
    match loket_app::bikes::cancel(&state, &Actor::User(user.id), &r).await {
        Ok(_) => Ok(Redirect::to("/bikes").into_response()),
        Err(loket_app::Refusal::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            detail_page(
                &state,
                &mut ctx,
                r,
                String::new(),
                String::new(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- the fleet manager ----

pub struct BikeRow {
    pub id: String,
    pub number: String,
    pub kind: String,
    pub site: String,
    pub status: String,
    pub status_value: BikeStatus,
    pub battery_note: String,
    pub is_ebike: bool,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct BikeForm {
    pub csrf: String,
    pub number: String,
    pub bike_type: String,
    pub site: String,
    pub battery_note: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SiteForm {
    pub csrf: String,
    pub slug: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "bikes/fleet.html")]
struct FleetPage {
    l: Layout,
    bikes: Vec<BikeRow>,
    statuses: Vec<(BikeStatus, String)>,
    sites: Vec<(String, String, bool)>,
    types: Vec<(String, String, bool)>,
    form: BikeForm,
    site_form: SiteForm,
    errors: FormErrors,
    today: Vec<ResRow>,
}

async fn fleet_page(
    state: &AppState,
    ctx: &mut Ctx,
    form: BikeForm,
    site_form: SiteForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = ctx.require(FLEET)?.clone();
    let locale = ctx.locale;
    let sites = store::list_sites(&state.store).await?;
    let bikes = store::list_bikes(&state.store, "", "")
        .await?
        .into_iter()
        .map(|b| BikeRow {
            kind: locale.t(&format!("bike-type-{}", b.bike_type)),
            status: locale.t(&format!("bike-status-{}", b.status)),
            is_ebike: b.bike_type == "ebike",
            id: b.id,
            number: b.number,
            site: b.site_name,
            status_value: b.status,
            battery_note: b.battery_note,
        })
        .collect();
    let today = views::fleet_today(state, &user)
        .await?
        .iter()
        .map(|b| row_of(locale, b))
        .collect();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("bike-fleet-title");
    l.csrf = csrf;
    render(
        status,
        FleetPage {
            l,
            bikes,
            statuses: BikeStatus::ALL
                .iter()
                .map(|s| (*s, locale.t(&format!("bike-status-{}", s.as_str()))))
                .collect(),
            sites: sites
                .iter()
                .map(|s| (s.slug.clone(), s.name.clone(), s.slug == form.site))
                .collect(),
            types: type_choices(locale, &form.bike_type),
            form,
            site_form,
            errors,
            today,
        },
    )
}

pub async fn fleet(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    fleet_page(
        &state,
        &mut ctx,
        BikeForm::default(),
        SiteForm::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn add_bike(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<BikeForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(FLEET)?.clone();
    let mut inv = Invalid::default();
    let number = f.number.trim().to_owned();
    if number.is_empty()
        || number.len() > 20
        || !number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        inv.push("number", "bike-number-invalid");
    }
    let kind = inv.check("bike_type", BikeType::parse(&f.bike_type));
    let site = store::site(&state.store, f.site.trim()).await?;
    if site.is_none() {
        inv.push("site", "bike-site-unknown");
    }
    if f.battery_note.chars().count() > 200 {
        inv.push("battery_note", "bike-damage-long");
    }
    let result = match (inv.is_empty(), kind, site) {
        (true, Some(kind), Some(site)) => {
            let note = if kind == BikeType::Ebike {
                f.battery_note.trim()
            } else {
                ""
            };
            loket_app::bikes::add_bike(
                &state,
                &Actor::User(user.id),
                &store::NewBike {
                    number: &number,
                    bike_type: kind,
                    site_id: &site.id,
                    battery_note: note,
                },
            )
            .await
            .map(|_| ())
            .map_err(AppError::from)
        }
        _ => Err(AppError::Invalid(inv)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/staff/bikes").into_response()),
        Err(AppError::Invalid(inv) | AppError::Conflict(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            fleet_page(
                &state,
                &mut ctx,
                f,
                SiteForm::default(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn add_site(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<SiteForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(FLEET)?.clone();
    let mut inv = Invalid::default();
    let slug = f.slug.trim().to_ascii_lowercase();
    if slug.is_empty()
        || slug.len() > 40
        || !slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        inv.push("slug", "bike-slug-invalid");
    }
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        inv.push("name", "required");
    }
    let result = if inv.is_empty() {
        loket_app::bikes::add_site(&state, &Actor::User(user.id), &slug, name)
            .await
            .map(|_| ())
            .map_err(AppError::from)
    } else {
        Err(AppError::Invalid(inv))
    };
    match result {
        Ok(()) => Ok(Redirect::to("/staff/bikes").into_response()),
        Err(AppError::Invalid(inv) | AppError::Conflict(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            fleet_page(
                &state,
                &mut ctx,
                BikeForm::default(),
                f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    pub csrf: String,
    pub status: String,
    pub battery_note: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(FLEET)?.clone();
    let status = BikeStatus::from_form(&f.status).map_err(Invalid::from)?;
    if f.battery_note.chars().count() > 200 {
        return Err(Invalid::one("battery_note", "bike-note-long").into());
    }
    loket_app::bikes::set_status(
        &state,
        &Actor::User(user.id),
        &id,
        status,
        f.battery_note.trim(),
    )
    .await?;
    Ok(Redirect::to("/staff/bikes").into_response())
}

// ---- the dashboard ----

#[derive(Template)]
#[template(path = "bikes/dashboard.html")]
struct DashboardPage {
    l: Layout,
    months: Vec<UseRow>,
    sites: Vec<UseRow>,
    bikes: Vec<UseRow>,
    chart_months: String,
    chart_km: String,
    chart_bikes: String,
    chart_sites: String,
    trips: i64,
    km: i64,
    ebike_share: i64,
    ebike_km_share: i64,
    co2_kg: i64,
    factor: i64,
    max_minutes: String,
    factor_input: String,
    errors: FormErrors,
}

async fn dashboard_page(
    state: &AppState,
    ctx: &mut Ctx,
    settings_input: Option<(String, String)>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.require(FLEET)?;
    let locale = ctx.locale;
    let f = views::figures(state).await?;
    let chart = |id: &str, title: &str, items: Vec<(String, i64)>, unit: &str| {
        loket_render::bikes::bar_chart(
            id,
            &locale.t(title),
            &locale.t(&format!("{title}-desc")),
            &items,
            unit,
        )
    };
    let chart_months = chart(
        "chart-trips",
        "bike-chart-trips",
        f.months
            .iter()
            .map(|r| (r.label.clone(), r.trips))
            .collect(),
        "",
    );
    let chart_km = chart(
        "chart-km",
        "bike-chart-km",
        f.months.iter().map(|r| (r.label.clone(), r.km)).collect(),
        "km",
    );
    let chart_bikes = chart(
        "chart-bikes",
        "bike-chart-bikes",
        f.bikes
            .iter()
            .map(|r| (r.label.clone(), r.percent))
            .collect(),
        "%",
    );
    let chart_sites = chart(
        "chart-sites",
        "bike-chart-sites",
        f.sites
            .iter()
            .map(|r| (r.label.clone(), r.percent))
            .collect(),
        "%",
    );
    let (max_minutes, factor_input) =
        settings_input.unwrap_or_else(|| (f.max_minutes.to_string(), f.co2_g_per_km.to_string()));
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("bike-dashboard-title");
    l.csrf = csrf;
    render(
        status,
        DashboardPage {
            l,
            trips: f.trips,
            km: f.km,
            ebike_share: f.ebike_share,
            ebike_km_share: f.ebike_km_share,
            co2_kg: f.co2_kg,
            factor: f.co2_g_per_km,
            months: f.months,
            sites: f.sites,
            bikes: f.bikes,
            chart_months,
            chart_km,
            chart_bikes,
            chart_sites,
            max_minutes,
            factor_input,
            errors,
        },
    )
}

pub async fn dashboard(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    dashboard_page(
        &state,
        &mut ctx,
        None,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    pub csrf: String,
    pub max_minutes: String,
    pub co2_g_per_km: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<SettingsForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(FLEET)?.clone();
    let mut inv = Invalid::default();
    let max = f.max_minutes.trim().parse::<i64>().ok();
    if max.is_none() {
        inv.push("max_minutes", "bike-max-range");
    }
    let factor = f.co2_g_per_km.trim().parse::<i64>().ok();
    if factor.is_none() {
        inv.push("co2_g_per_km", "bike-co2-range");
    }
    let result = match (inv.is_empty(), max, factor) {
        (true, Some(max_minutes), Some(co2_g_per_km)) => loket_app::bikes::save_settings(
            &state,
            &Actor::User(user.id),
            &Settings {
                max_minutes,
                co2_g_per_km,
            },
        )
        .await
        .map_err(AppError::from),
        _ => Err(AppError::Invalid(inv)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/staff/bikes/dashboard").into_response()),
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            dashboard_page(
                &state,
                &mut ctx,
                Some((f.max_minutes, f.co2_g_per_km)),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
