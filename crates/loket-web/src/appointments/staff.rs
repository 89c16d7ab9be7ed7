//! Counter and contact-centre staff: the day's appointments per location
//! (access-logged), booking for a resident on the phone (the assisted
//! channel), no-shows and cancellations.

use super::resident::{BookForm, PickQuery, Picker, from_date, picker_page, refused_page};
use super::{COUNTER_STAFF, book_for, cancel_appt};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{format_ms, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_app::appointments::views;
use loket_domain::Invalid;
use loket_domain::appointments::AppointmentStatus;
use loket_domain::audit::Actor;
use loket_domain::people::Role;
use loket_store::appointments as store;
use loket_store::people as people_store;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DayQuery {
    pub location: String,
    pub date: String,
}

pub struct DayRow {
    pub id: String,
    pub time: String,
    pub code: String,
    pub service: String,
    pub name: String,
    pub email: String,
    pub status: String,
    pub booked: bool,
    pub due: bool,
    pub flagged: bool,
    pub no_shows: i64,
}

#[derive(Template)]
#[template(path = "appointments/staff_day.html")]
struct DayPage {
    l: Layout,
    locations: Vec<(String, String, bool)>,
    date: String,
    rows: Vec<DayRow>,
}

/// The appointments of one day at one location.
pub async fn day(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<DayQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(COUNTER_STAFF)?.clone();
    let locations = store::list_locations(&state.store).await?;
    let chosen = locations
        .iter()
        .find(|l| l.slug == q.location)
        .or(locations.first())
        .cloned();
    let date = q
        .date
        .parse::<jiff::civil::Date>()
        .unwrap_or_else(|_| today_brussels());
    let mut rows = Vec::new();
    if let Some(loc) = &chosen {
        for e in views::day(&state, &user, loc, date, ctx.locale.code()).await? {
            let a = &e.row.appointment;
            rows.push(DayRow {
                id: a.id.clone(),
                time: format_ms(a.starts_at),
                code: a.code.clone(),
                service: e.service.clone(),
                name: e.row.resident_name.clone(),
                email: e.row.resident_email.clone(),
                status: ctx.locale.t(&format!(
                    "appt-status-{}",
                    a.status.as_str().replace('_', "-")
                )),
                booked: a.status == AppointmentStatus::Booked,
                due: e.due,
                flagged: e.flagged,
                no_shows: e.row.no_shows,
            });
        }
    }
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("appt-staff-title");
    l.csrf = csrf;
    let slug = chosen.as_ref().map(|c| c.slug.clone()).unwrap_or_default();
    render(
        StatusCode::OK,
        DayPage {
            l,
            locations: locations
                .iter()
                .map(|x| (x.slug.clone(), x.name.clone(), x.slug == slug))
                .collect(),
            date: date.to_string(),
            rows,
        },
    )
}

pub async fn new_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<PickQuery>,
) -> Result<Response, AppError> {
    ctx.require(COUNTER_STAFF)?;
    let s = store::service(&state.store, &q.service).await?;
    let l = store::location(&state.store, &q.location).await?;
    let csrf = ctx.csrf(&state).await?;
    let page = picker_page(
        &state,
        &ctx,
        csrf,
        Picker {
            action: "/staff/appointments/new".to_owned(),
            here: "/staff/appointments/new".to_owned(),
            pick: true,
            service: s.as_ref(),
            location: l.as_ref(),
            from: from_date(&q.from),
            chosen: String::new(),
            errors: FormErrors::default(),
            nearest: Vec::new(),
            resident_email: Some(String::new()),
            token: String::new(),
            title_id: "appt-staff-new-title",
        },
    )
    .await?;
    render(StatusCode::OK, page)
}

/// Books for a resident on the phone.
pub async fn book(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<BookForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(COUNTER_STAFF)?.clone();
    let resident = match people_store::find_by_email(&state.store, f.resident_email.trim()).await? {
        Some(u) if u.roles.has(Role::Resident) => Some(u),
        _ => None,
    };
    let result = match &resident {
        Some(r) => {
            book_for(
                &state,
                &Actor::User(user.id.clone()),
                r,
                &f.service,
                &f.location,
                &f.start,
                "phone",
            )
            .await
        }
        None => Err(Invalid::one("resident_email", "resident-unknown").into()),
    };
    match result {
        Ok(a) => Ok(Redirect::to(&format!(
            "/staff/appointments?location={}&date={}",
            store::location(&state.store, &a.location_id)
                .await?
                .map(|l| l.slug)
                .unwrap_or_default(),
            super::local(a.starts_at).get(..10).unwrap_or_default()
        ))
        .into_response()),
        Err(r) => {
            refused_page(
                &state,
                &ctx,
                &f,
                r,
                "/staff/appointments/new".to_owned(),
                "/staff/appointments/new".to_owned(),
                true,
                Some(f.resident_email.clone()),
                "appt-staff-new-title",
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    pub csrf: String,
}

async fn back_to_day(state: &AppState, id: &str) -> Result<Response, AppError> {
    let a = store::get(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let loc = store::location(&state.store, &a.location_id)
        .await?
        .map(|l| l.slug)
        .unwrap_or_default();
    Ok(Redirect::to(&format!(
        "/staff/appointments?location={loc}&date={}",
        super::local(a.starts_at).get(..10).unwrap_or_default()
    ))
    .into_response())
}

pub async fn no_show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(COUNTER_STAFF)?.clone();
    loket_app::appointments::mark_no_show(&state, &Actor::User(user.id), &id).await?;
    back_to_day(&state, &id).await
}

pub async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(COUNTER_STAFF)?.clone();
    let a = store::get(&state.store, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    cancel_appt(&state, &Actor::User(user.id), &a).await?;
    back_to_day(&state, &id).await
}
