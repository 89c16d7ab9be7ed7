//! From a call to an appointment: the agent books a counter appointment for
//! the caller from the contact moment's page, without retyping who they
//! are. The booking links the moment (outcome "appointment booked") in the
//! booking's own transaction. Starting a case goes through the assisted
//! channel (`/staff/residents/{id}?contact=<moment>`), which links the same
//! way.

use super::AGENTS;
use crate::AppState;
use crate::appointments::book_linked;
use crate::appointments::resident::{
    BookForm, PickQuery, Picker, from_date, picker_page, refused_page,
};
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::people::session::Ctx;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::people::Role;
use loket_store::appointments as appt_store;
use loket_store::contact::{self as store, Moment};
use loket_store::people as people_store;

async fn moment_or_404(state: &AppState, id: &str) -> Result<Moment, AppError> {
    store::moment(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The e-mail of the moment's resident (what the picker's resident field
/// is filled with).
async fn resident_email(state: &AppState, m: &Moment) -> Result<String, AppError> {
    Ok(match &m.resident_id {
        Some(r) => people_store::get_user(&state.store, r)
            .await?
            .map(|u| u.email)
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// `/staff/contact/{id}/appointment`: the slot picker for the caller.
pub async fn appointment_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PickQuery>,
) -> Result<Response, AppError> {
    ctx.require(AGENTS)?;
    let m = moment_or_404(&state, &id).await?;
    let s = appt_store::service(&state.store, &q.service).await?;
    let l = appt_store::location(&state.store, &q.location).await?;
    let csrf = ctx.csrf(&state).await?;
    let here = format!("/staff/contact/{}/appointment", m.id);
    let page = picker_page(
        &state,
        &ctx,
        csrf,
        Picker {
            action: here.clone(),
            here,
            pick: true,
            service: s.as_ref(),
            location: l.as_ref(),
            from: from_date(&q.from),
            chosen: String::new(),
            errors: FormErrors::default(),
            nearest: Vec::new(),
            resident_email: Some(resident_email(&state, &m).await?),
            token: String::new(),
            title_id: "contact-appointment-title",
        },
    )
    .await?;
    render(StatusCode::OK, page)
}

/// Books the appointment and links it to the moment, in one transaction.
pub async fn appointment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<BookForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(AGENTS)?.clone();
    let m = moment_or_404(&state, &id).await?;
    let resident = match people_store::find_by_email(&state.store, f.resident_email.trim()).await? {
        Some(u) if u.roles.has(Role::Resident) => Some(u),
        _ => None,
    };
    // A moment about a resident books for that resident only.
    let resident = resident.filter(|u| m.resident_id.as_deref().is_none_or(|r| r == u.id));
    let channel = if m.channel == "counter" {
        "counter"
    } else {
        "phone"
    };
    let result = match &resident {
        Some(r) => {
            book_linked(
                &state,
                &Actor::User(user.id.clone()),
                r,
                &f.service,
                &f.location,
                &f.start,
                channel,
                Some(&m.id),
            )
            .await
        }
        None => Err(Invalid::one("resident_email", "resident-unknown").into()),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/staff/contact/{}", m.id)).into_response()),
        Err(r) => {
            let here = format!("/staff/contact/{}/appointment", m.id);
            refused_page(
                &state,
                &ctx,
                &f,
                r,
                here.clone(),
                here,
                true,
                Some(f.resident_email.clone()),
                "contact-appointment-title",
            )
            .await
        }
    }
}
