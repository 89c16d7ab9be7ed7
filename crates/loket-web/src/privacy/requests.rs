//! The privacy officer's data-protection requests: record one for a
//! person found on `/privacy-officer`, follow them in a list by deadline
//! (overdue ones marked), and move each to in progress, done or refused.

use super::export::OFFICERS;
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use loket_app::privacy::requests::{self as app, RequestForm, Told};
use loket_domain::audit::Actor;
use loket_domain::calendar::today_brussels;
use loket_domain::privacy::requests::{RequestKind, RequestStatus, is_overdue};
use loket_store::privacy::requests::{self as store, Request};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/privacy-officer/requests", get(list))
        .route("/privacy-officer/requests.csv", get(list_csv))
        .route(
            "/privacy-officer/people/{id}/requests",
            get(new_form).post(create),
        )
        .route("/privacy-officer/requests/{id}", get(detail))
        .route("/privacy-officer/requests/{id}/step", post(step))
        .route("/privacy-officer/requests/{id}/erase", post(erase))
        .route("/privacy-officer/requests/{id}/restrict", post(restrict))
        .route("/privacy-officer/requests/{id}/lift", post(lift))
}

fn id_ok(id: &str) -> Result<&str, AppError> {
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(AppError::NotFound);
    }
    Ok(id)
}

/// A request as a line of the list or the detail page.
struct Line {
    id: String,
    person: String,
    email: String,
    kind: String,
    received: String,
    deadline: String,
    status: String,
    overdue: bool,
    outcome: String,
    legal_basis: String,
    note: String,
}

fn line(l: &Layout, r: &Request) -> Line {
    let status = RequestStatus::parse(&r.status).unwrap_or(RequestStatus::Open);
    let overdue = r
        .deadline
        .parse::<jiff::civil::Date>()
        .is_ok_and(|d| is_overdue(status, d, today_brussels()));
    Line {
        id: r.id.clone(),
        person: r.subject_name.clone(),
        email: r.subject_email.clone(),
        kind: l.t(&format!("request-kind-{}", r.kind)),
        received: r.received_on.clone(),
        deadline: r.deadline.clone(),
        status: l.t(&format!("request-status-{}", r.status.replace('_', "-"))),
        overdue,
        outcome: r.outcome.clone(),
        legal_basis: r.legal_basis.clone(),
        note: r.note.clone(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub cursor: String,
    pub limit: String,
}

#[derive(Template)]
#[template(path = "privacy/requests.html")]
struct ListPage {
    l: Layout,
    lines: Vec<Line>,
    total: i64,
    open: i64,
    pager: crate::paging::Pager,
}

/// The list names people: one access-log row per person shown.
async fn log_requests(
    state: &AppState,
    officer_id: &str,
    purpose: &str,
    items: &[Request],
) -> Result<(), AppError> {
    let mut shown: Vec<loket_store::audit::Access<'_>> = Vec::new();
    for r in items {
        if !shown.iter().any(|a| a.subject == r.subject_user_id) {
            shown.push(loket_store::audit::Access {
                subject: &r.subject_user_id,
                record_type: "privacy_request",
                record_id: &r.id,
            });
        }
    }
    loket_store::audit::record_access_many(&state.store, officer_id, purpose, &shown).await?;
    Ok(())
}

/// `/privacy-officer/requests`: the requests, open ones first by deadline,
/// a page at a time, with the total and a CSV download.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let officer = ctx.require(OFFICERS)?.clone();
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::REQUEST_PAGING)?;
    let page = store::page(&state.store, &pq).await?;
    let count = store::total(&state.store, loket_domain::paging::TOTAL_CAP).await?;
    let (total, open) = store::counts(&state.store).await?;
    log_requests(&state, &officer.id, "privacy-requests", &page.items).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/privacy-officer/requests",
        &[],
        &page,
        &pq,
        count,
        Some("/privacy-officer/requests.csv"),
    );
    let l = ctx.layout("requests-title");
    let lines = page.items.iter().map(|r| line(&l, r)).collect();
    render(
        StatusCode::OK,
        ListPage {
            l,
            lines,
            total,
            open,
            pager,
        },
    )
}

/// The requests as CSV, every one in the list's order (streamed, 500 per
/// query; each batch access-logged as the page logs the people it shows).
pub async fn list_csv(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let officer = ctx.require(OFFICERS)?.clone();
    let l = ctx.layout("requests-title");
    Ok(crate::paging::csv_export(
        &format!("privacy-requests-{}.csv", today_brussels()),
        ctx.locale,
        &[
            "request-col-deadline",
            "request-col-person",
            "field-email",
            "request-col-kind",
            "request-col-received",
            "request-col-status",
            "request-overdue",
        ],
        (state, officer, l),
        move |(state, officer, l), pq| async move {
            let page = store::page(&state.store, &pq).await?;
            log_requests(&state, &officer.id, "privacy-requests.csv", &page.items).await?;
            let yes = l.t("request-overdue");
            let rows = page
                .items
                .iter()
                .map(|r| {
                    let x = line(&l, r);
                    vec![
                        x.deadline,
                        x.person,
                        x.email,
                        x.kind,
                        x.received,
                        x.status,
                        if x.overdue {
                            yes.clone()
                        } else {
                            String::new()
                        },
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NewForm {
    pub kind: String,
    pub legal_basis: String,
    pub note: String,
    pub received: String,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "privacy/request_new.html")]
struct NewPage {
    l: Layout,
    person_id: String,
    person: String,
    f: NewForm,
    kinds: Vec<(&'static str, String)>,
    errors: FormErrors,
}

fn kinds(l: &Layout) -> Vec<(&'static str, String)> {
    RequestKind::ALL
        .iter()
        .map(|k| (k.as_str(), l.t(&format!("request-kind-{}", k.as_str()))))
        .collect()
}

async fn new_page(
    state: &AppState,
    ctx: &mut Ctx,
    id: &str,
    f: NewForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let person = loket_store::people::get_user(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("request-new-title");
    l.csrf = csrf;
    let kinds = kinds(&l);
    render(
        status,
        NewPage {
            l,
            person_id: person.id,
            person: person.name,
            f,
            kinds,
            errors,
        },
    )
}

pub async fn new_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    ctx.require(OFFICERS)?;
    let f = NewForm {
        received: today_brussels().to_string(),
        ..NewForm::default()
    };
    new_page(
        &state,
        &mut ctx,
        id_ok(&id)?,
        f,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<NewForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let officer = ctx.require(OFFICERS)?.clone();
    let id = id_ok(&id)?;
    let result = app::record(
        &state.app,
        &Actor::User(officer.id.clone()),
        id,
        &RequestForm {
            kind: &f.kind,
            legal_basis: &f.legal_basis,
            note: &f.note,
            received: &f.received,
        },
    )
    .await
    .map_err(AppError::from);
    match result {
        Ok(rid) => Ok(Redirect::to(&format!("/privacy-officer/requests/{rid}")).into_response()),
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv, "request");
            new_page(
                &state,
                &mut ctx,
                id,
                f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct StepForm {
    pub status: String,
    pub outcome: String,
    pub csrf: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    /// How the person was told after the last step: `mail`, `letter`,
    /// `nobody`.
    pub told: String,
    /// What was just carried out: `erased`, `restricted`, `lifted`.
    pub done: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EraseForm {
    /// The officer's confirmation checkbox: `1`.
    pub confirm: String,
    pub outcome: String,
    pub csrf: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CsrfOnly {
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "privacy/request.html")]
struct DetailPage {
    l: Layout,
    r: Line,
    person_id: String,
    steps: Vec<(&'static str, String)>,
    f: StepForm,
    errors: FormErrors,
    told: String,
    /// The notice of what was just carried out.
    done: String,
    /// An erasure request still open: the "carry out" form is shown.
    can_erase: bool,
    /// A restriction request: restrict (while open) and lift.
    can_restrict: bool,
    is_restriction: bool,
    /// The person's restricted cases.
    restricted: Vec<String>,
    erase_f: EraseForm,
    erase_errors: FormErrors,
}

/// The detail page's forms as typed and their errors.
#[derive(Default)]
struct Forms {
    step: StepForm,
    errors: FormErrors,
    erase: EraseForm,
    erase_errors: FormErrors,
}

async fn detail_page(
    state: &AppState,
    ctx: &mut Ctx,
    id: &str,
    forms: Forms,
    q: DetailQuery,
    status: StatusCode,
) -> Result<Response, AppError> {
    let Forms {
        step: f,
        errors,
        erase: erase_f,
        erase_errors,
    } = forms;
    let told = q.told;
    let officer = ctx.require(OFFICERS)?.clone();
    let req = store::get(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    loket_store::audit::record_access(
        &state.store,
        &officer.id,
        &req.subject_user_id,
        "privacy_request",
        &req.id,
        "privacy-requests",
    )
    .await?;
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("request-title");
    l.csrf = csrf;
    let from = RequestStatus::parse(&req.status).unwrap_or(RequestStatus::Done);
    let steps = RequestStatus::ALL
        .iter()
        .filter(|s| from.can_move_to(**s))
        .map(|s| {
            (
                s.as_str(),
                l.t(&format!("request-status-{}", s.as_str().replace('_', "-"))),
            )
        })
        .collect();
    let told = match told.as_str() {
        "mail" | "letter" | "nobody" => l.t(&format!("request-told-{told}")),
        _ => String::new(),
    };
    let done = match q.done.as_str() {
        "erased" | "restricted" | "lifted" => l.t(&format!("request-done-{}", q.done)),
        _ => String::new(),
    };
    let open = !from.is_closed();
    let restricted =
        loket_store::privacy::erasure::restricted_cases(&state.store, &req.subject_user_id).await?;
    render(
        status,
        DetailPage {
            r: line(&l, &req),
            person_id: req.subject_user_id.clone(),
            can_erase: open && req.kind == RequestKind::Erasure.as_str(),
            can_restrict: open && req.kind == RequestKind::Restriction.as_str(),
            is_restriction: req.kind == RequestKind::Restriction.as_str(),
            restricted,
            l,
            steps,
            f,
            errors,
            told,
            done,
            erase_f,
            erase_errors,
        },
    )
}

pub async fn detail(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, AppError> {
    ctx.require(OFFICERS)?;
    detail_page(
        &state,
        &mut ctx,
        id_ok(&id)?,
        Forms::default(),
        q,
        StatusCode::OK,
    )
    .await
}

pub async fn step(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<StepForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let officer = ctx.require(OFFICERS)?.clone();
    let id = id_ok(&id)?;
    let result = app::step(
        &state.app,
        &Actor::User(officer.id.clone()),
        id,
        &f.status,
        &f.outcome,
    )
    .await
    .map_err(AppError::from);
    match result {
        Ok(told) => {
            let told = told_code(told);
            Ok(
                Redirect::to(&format!("/privacy-officer/requests/{id}?told={told}"))
                    .into_response(),
            )
        }
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv, "request");
            detail_page(
                &state,
                &mut ctx,
                id,
                Forms {
                    step: f,
                    errors,
                    ..Forms::default()
                },
                DetailQuery::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

fn told_code(told: Told) -> &'static str {
    match told {
        Told::NotYet => "",
        Told::Mail => "mail",
        Told::Letter => "letter",
        Told::Nobody => "nobody",
    }
}

/// "Carry out the erasure": only with the confirmation ticked, only while
/// the request is open or in progress.
pub async fn erase(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<EraseForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let officer = ctx.require(OFFICERS)?.clone();
    let id = id_ok(&id)?;
    let result = if f.confirm == "1" {
        app::erase(&state.app, &Actor::User(officer.id.clone()), id, &f.outcome)
            .await
            .map_err(AppError::from)
    } else {
        Err(AppError::Invalid(loket_domain::Invalid::one(
            "confirm",
            "erasure-confirm-required",
        )))
    };
    match result {
        Ok(done) => {
            tracing::info!(request = %id, counts = ?done.counts, files = done.files_removed,
                errors = done.file_errors.len(), "erasure carried out");
            Ok(Redirect::to(&format!(
                "/privacy-officer/requests/{id}?told={}&done=erased",
                told_code(done.told)
            ))
            .into_response())
        }
        Err(AppError::Invalid(inv)) => {
            let erase_errors = FormErrors::from_invalid_in(ctx.locale, &inv, "request");
            detail_page(
                &state,
                &mut ctx,
                id,
                Forms {
                    erase: f,
                    erase_errors,
                    ..Forms::default()
                },
                DetailQuery::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// "Restrict processing" on a restriction request (open or in progress).
pub async fn restrict(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let officer = ctx.require(OFFICERS)?.clone();
    let id = id_ok(&id)?;
    app::restrict(&state.app, &Actor::User(officer.id.clone()), id).await?;
    Ok(Redirect::to(&format!("/privacy-officer/requests/{id}?done=restricted")).into_response())
}

/// "Lift the restriction" on a restriction request.
pub async fn lift(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let officer = ctx.require(OFFICERS)?.clone();
    let id = id_ok(&id)?;
    app::lift(&state.app, &Actor::User(officer.id.clone()), id).await?;
    Ok(Redirect::to(&format!("/privacy-officer/requests/{id}?done=lifted")).into_response())
}
