//! Admin pages: the booking rules (horizon, lead time, limit per resident,
//! no-show flag), counter services with their slot length, locations with
//! opening hours, closed days and desks (the capacity per slot is the
//! number of desks that handle a service).

use super::ADMINS;
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_app::appointments;
use loket_domain::Invalid;
use loket_domain::appointments::{fmt_day_hours, parse_day_hours};
use loket_domain::audit::Actor;
use loket_store::appointments::{self as store, CounterService, Location, Settings};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "appointments/admin.html")]
struct OverviewPage {
    l: Layout,
    /// (field name, label, value)
    s: Vec<(&'static str, String, String)>,
    services: Vec<CounterService>,
    /// The letter of each service's queue tickets, by service id.
    prefixes: std::collections::HashMap<String, String>,
    locations: Vec<Location>,
    errors: FormErrors,
    /// The add-service form's input, kept after an error.
    svc: ServiceForm,
    /// The add-location form's input, kept after an error.
    loc: LocationForm,
}

impl OverviewPage {
    fn prefix(&self, id: &str) -> String {
        self.prefixes.get(id).cloned().unwrap_or_default()
    }
}

fn settings_values(s: &Settings) -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("horizon_days", s.horizon_days.to_string()),
        ("lead_minutes", s.lead_minutes.to_string()),
        ("max_per_service", s.max_per_service.to_string()),
        ("no_show_flag_after", s.no_show_flag_after.to_string()),
    ])
}

async fn overview_page(
    state: &AppState,
    ctx: &Ctx,
    csrf: String,
    values: BTreeMap<&'static str, String>,
    errors: FormErrors,
    svc: ServiceForm,
    loc: LocationForm,
) -> Result<OverviewPage, AppError> {
    let mut l = ctx.layout("appt-admin-title");
    l.csrf = csrf;
    let services = store::list_services(&state.store).await?;
    let mut prefixes = std::collections::HashMap::new();
    for s in &services {
        prefixes.insert(
            s.id.clone(),
            loket_store::queue::prefix_of(&state.store, &s.id).await?,
        );
    }
    Ok(OverviewPage {
        s: values
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    ctx.locale.t(&format!("appt-field-{}", k.replace('_', "-"))),
                    v,
                )
            })
            .collect(),
        l,
        prefixes,
        services,
        locations: store::list_locations(&state.store).await?,
        errors,
        svc,
        loc,
    })
}

pub async fn overview(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(ADMINS)?;
    let s = store::settings(&state.store).await?;
    let csrf = ctx.csrf(&state).await?;
    let page = overview_page(
        &state,
        &ctx,
        csrf,
        settings_values(&s),
        FormErrors::default(),
        ServiceForm {
            slot_minutes: "15".to_owned(),
            ..ServiceForm::default()
        },
        LocationForm::default(),
    )
    .await?;
    render(StatusCode::OK, page)
}

fn labelled(ctx: &Ctx, inv: &Invalid) -> FormErrors {
    FormErrors::from_invalid_labelled(ctx.locale, inv, |k| {
        let id = format!("appt-field-{}", k.replace('_', "-"));
        ctx.locale.has(&id).then(|| ctx.locale.t(&id))
    })
}

pub async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(f): axum::Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    ctx.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let user = ctx.require(ADMINS)?.clone();
    let mut inv = Invalid::default();
    let mut values = BTreeMap::new();
    let mut nums = BTreeMap::new();
    for k in [
        "horizon_days",
        "lead_minutes",
        "max_per_service",
        "no_show_flag_after",
    ] {
        let v = f.get(k).cloned().unwrap_or_default();
        match v.trim().parse::<i64>() {
            Ok(n) => {
                nums.insert(k, n);
            }
            Err(_) => inv.push(k, "appt-whole-number"),
        }
        values.insert(k, v);
    }
    let n = |k: &str| nums.get(k).copied().unwrap_or(-1);
    let result = if inv.is_empty() {
        store::save_settings(
            &state.store,
            &Actor::User(user.id),
            n("horizon_days"),
            n("lead_minutes"),
            n("max_per_service"),
            n("no_show_flag_after"),
        )
        .await
        .map_err(AppError::from)
    } else {
        Err(inv.into())
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/appointments").into_response()),
        Err(AppError::Invalid(inv)) => {
            let csrf = f.get("csrf").cloned().unwrap_or_default();
            let errors = labelled(&ctx, &inv);
            let page = overview_page(
                &state,
                &ctx,
                csrf,
                values,
                errors,
                ServiceForm::default(),
                LocationForm::default(),
            )
            .await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ServiceForm {
    pub csrf: String,
    pub slug: String,
    pub name_nl: String,
    pub name_en: String,
    pub slot_minutes: String,
}

pub async fn save_service(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(f): axum::Form<ServiceForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ADMINS)?.clone();
    let minutes = f.slot_minutes.trim().parse::<i64>().unwrap_or(0);
    let result = appointments::save_service(
        &state,
        &Actor::User(user.id.clone()),
        f.slug.trim(),
        (&f.name_nl, &f.name_en),
        minutes,
    )
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/admin/appointments").into_response()),
        Err(loket_app::Refusal::Invalid(inv)) => {
            let s = store::settings(&state.store).await?;
            let errors = labelled(&ctx, &inv);
            let csrf = f.csrf.clone();
            let page = overview_page(
                &state,
                &ctx,
                csrf,
                settings_values(&s),
                errors,
                f,
                LocationForm::default(),
            )
            .await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LocationForm {
    pub csrf: String,
    /// `loc_slug` on the overview page, which also has the service's `slug`.
    #[serde(alias = "loc_slug")]
    pub slug: String,
    pub name: String,
    pub address: String,
    pub hours_1: String,
    pub hours_2: String,
    pub hours_3: String,
    pub hours_4: String,
    pub hours_5: String,
    pub hours_6: String,
    pub hours_7: String,
    pub closed: String,
}

pub async fn new_location(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(f): axum::Form<LocationForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ADMINS)?.clone();
    let result = appointments::save_location(
        &state,
        &Actor::User(user.id.clone()),
        f.slug.trim(),
        (&f.name, &f.address),
        None,
    )
    .await;
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/admin/appointments/locations/{}", f.slug.trim()))
                .into_response(),
        ),
        Err(loket_app::Refusal::Invalid(mut inv)) => {
            for e in &mut inv.0 {
                if e.field == "slug" {
                    e.field = "loc_slug".to_owned();
                }
            }
            let s = store::settings(&state.store).await?;
            let errors = labelled(&ctx, &inv);
            let csrf = f.csrf.clone();
            let page = overview_page(
                &state,
                &ctx,
                csrf,
                settings_values(&s),
                errors,
                ServiceForm {
                    slot_minutes: "15".to_owned(),
                    ..ServiceForm::default()
                },
                f,
            )
            .await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e.into()),
    }
}

pub struct DeskView {
    pub name: String,
    pub services: String,
}

#[derive(Template)]
#[template(path = "appointments/admin_location.html")]
struct LocationPage {
    l: Layout,
    loc: Location,
    name: String,
    address: String,
    /// (field name, label, value)
    hours: Vec<(String, String, String)>,
    closed: String,
    desks: Vec<DeskView>,
    services: Vec<CounterService>,
    errors: FormErrors,
}

async fn location_page_data(
    state: &AppState,
    ctx: &Ctx,
    loc: Location,
    form: Option<&LocationForm>,
    errors: FormErrors,
    csrf: String,
) -> Result<LocationPage, AppError> {
    let periods = store::hours(&state.store, &loc.id).await?;
    let services = store::list_services(&state.store).await?;
    let desks = store::list_desks(&state.store, &loc.id)
        .await?
        .into_iter()
        .map(|d| DeskView {
            name: d.name,
            services: services
                .iter()
                .filter(|s| d.service_ids.contains(&s.id))
                .map(|s| s.name(ctx.locale.code()).to_owned())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let closed = match form {
        Some(f) => f.closed.clone(),
        None => store::closed_days(&state.store, &loc.id)
            .await?
            .into_iter()
            .map(|(d, r)| {
                if r.is_empty() {
                    d.to_string()
                } else {
                    format!("{d} {r}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let hours = (1..=7)
        .map(|wd: i8| {
            let value = match form {
                Some(f) => day_field(f, wd).to_owned(),
                None => fmt_day_hours(&periods, wd),
            };
            (
                format!("hours_{wd}"),
                ctx.locale.t(&format!("weekday-{wd}")),
                value,
            )
        })
        .collect();
    let mut l = ctx.layout("appt-admin-title");
    l.title = loc.name.clone();
    l.csrf = csrf;
    Ok(LocationPage {
        l,
        name: form.map_or(loc.name.clone(), |f| f.name.clone()),
        address: form.map_or(loc.address.clone(), |f| f.address.clone()),
        loc,
        hours,
        closed,
        desks,
        services,
        errors,
    })
}

fn day_field(f: &LocationForm, wd: i8) -> &str {
    match wd {
        1 => &f.hours_1,
        2 => &f.hours_2,
        3 => &f.hours_3,
        4 => &f.hours_4,
        5 => &f.hours_5,
        6 => &f.hours_6,
        _ => &f.hours_7,
    }
}

async fn load_location(state: &AppState, slug: &str) -> Result<Location, AppError> {
    store::location(&state.store, slug)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn location_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    ctx.require(ADMINS)?;
    let loc = load_location(&state, &slug).await?;
    let csrf = ctx.csrf(&state).await?;
    let page = location_page_data(&state, &ctx, loc, None, FormErrors::default(), csrf).await?;
    render(StatusCode::OK, page)
}

/// Closed days, one per line: `2026-12-25 Christmas`.
fn parse_closed(s: &str) -> Result<Vec<(jiff::civil::Date, String)>, Invalid> {
    let mut out = Vec::new();
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (d, reason) = line.split_once(' ').unwrap_or((line, ""));
        match d.parse::<jiff::civil::Date>() {
            Ok(d) => out.push((d, reason.trim().chars().take(100).collect())),
            Err(_) => return Err(Invalid::one("closed", "appt-closed-invalid")),
        }
    }
    Ok(out)
}

pub async fn save_location(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    axum::Form(f): axum::Form<LocationForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ADMINS)?.clone();
    let loc = load_location(&state, &slug).await?;
    let mut inv = Invalid::default();
    let mut periods = Vec::new();
    for wd in 1..=7i8 {
        match parse_day_hours(wd, day_field(&f, wd)) {
            Ok(p) => periods.extend(p),
            Err(e) => inv
                .0
                .push(loket_domain::FieldError::new(format!("hours_{wd}"), e.code)),
        }
    }
    let closed = match parse_closed(&f.closed) {
        Ok(c) => c,
        Err(e) => {
            inv.0.extend(e.0);
            Vec::new()
        }
    };
    let actor = Actor::User(user.id.clone());
    let result = if inv.is_empty() {
        appointments::save_location(
            &state,
            &actor,
            &loc.slug,
            (&f.name, &f.address),
            Some(appointments::Hours {
                periods: &periods,
                closed: &closed,
            }),
        )
        .await
        .map_err(AppError::from)
    } else {
        Err(inv.into())
    };
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/admin/appointments/locations/{}", loc.slug)).into_response(),
        ),
        Err(AppError::Invalid(inv)) => {
            let errors = labelled(&ctx, &inv);
            let page =
                location_page_data(&state, &ctx, loc, Some(&f), errors, f.csrf.clone()).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e),
    }
}

pub async fn save_desk(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    axum_extra::extract::Form(f): axum_extra::extract::Form<DeskForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ADMINS)?.clone();
    let loc = load_location(&state, &slug).await?;
    let known: Vec<String> = store::list_services(&state.store)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    if f.services.iter().any(|s| !known.contains(s)) {
        let errors = labelled(&ctx, &Invalid::one("services", "appt-service-unknown"));
        let page = location_page_data(&state, &ctx, loc, None, errors, f.csrf.clone()).await?;
        return render(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let result = appointments::save_desk(
        &state,
        &Actor::User(user.id.clone()),
        &loc.id,
        &f.name,
        &f.services,
    )
    .await;
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/admin/appointments/locations/{}", loc.slug)).into_response(),
        ),
        Err(loket_app::Refusal::Invalid(inv)) => {
            let errors = labelled(&ctx, &inv);
            let page = location_page_data(&state, &ctx, loc, None, errors, f.csrf.clone()).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeskForm {
    pub csrf: String,
    pub name: String,
    pub services: Vec<String>,
}
