//! A person's data: "My data" (`/account/data`, any signed-in person, with
//! the JSON and PDF downloads), the privacy officer's look-up and export
//! (`/privacy-officer`), and the API's `GET /api/v1/people/{id}/export`.

use crate::AppState;
use crate::api::ApiUser;
use crate::common::render;
use crate::error::{ApiError, AppError};
use crate::forms::FormErrors;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use loket_app::privacy::export::{self as export, Export, Summary};
use loket_domain::people::Role;
use serde::Deserialize;

/// The roles that find and export any person.
pub const OFFICERS: &[Role] = &[Role::PrivacyOfficer];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/data", get(my_data))
        .route("/account/data.json", get(my_json))
        .route("/account/data.pdf", get(my_pdf))
        .route("/privacy-officer", get(officer_form).post(officer_find))
        .route(
            "/privacy-officer/people/{id}/export.json",
            get(officer_json),
        )
        .route("/privacy-officer/people/{id}/export.pdf", get(officer_pdf))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/people/{id}/export", get(api_export))
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, private"),
    );
    res
}

fn attachment(mut res: Response, content_type: &'static str, name: &str) -> Response {
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    no_store(res)
}

fn json_download(e: &Export) -> Result<Response, AppError> {
    let body =
        serde_json::to_string_pretty(e).map_err(|err| AppError::Internal(err.to_string()))?;
    Ok(attachment(
        body.into_response(),
        "application/json",
        &format!("loket-data-{}.json", e.data.account.id),
    ))
}

async fn pdf_download(state: &AppState, e: &Export, ctx: &Ctx) -> Result<Response, AppError> {
    let pdf = export::pdf(&state.app, e, ctx.locale).await?;
    Ok(attachment(
        pdf.into_response(),
        "application/pdf",
        &format!("loket-data-{}.pdf", e.data.account.id),
    ))
}

/// One line of "what we hold": a part and how many records it has.
struct Held {
    part: String,
    count: usize,
}

#[derive(Template)]
#[template(path = "privacy/my_data.html")]
struct MyDataPage {
    l: Layout,
    name: String,
    email: String,
    national_number: String,
    roles: String,
    held: Vec<Held>,
}

fn held(l: &Layout, e: &Export) -> Vec<Held> {
    let d = &e.data;
    [
        ("export-cases", d.cases.len()),
        ("export-appointments", d.appointments.len()),
        ("export-contact", d.contact_moments.len()),
        ("export-vac-invitations", d.vaccination_invitations.len()),
        ("export-vac-reserve", d.vaccination_reserve.len()),
        ("export-letters", d.letters.len()),
        ("export-access", d.access_log.len()),
    ]
    .into_iter()
    .map(|(id, count)| Held {
        part: l.t(id),
        count,
    })
    .collect()
}

pub async fn my_data(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.user()?;
    let e = export::own(&state.app, &user.id).await?;
    let l = ctx.layout("my-data-title");
    let a = &e.data.account;
    let page = MyDataPage {
        name: a.name.clone(),
        email: a.email.clone(),
        national_number: a
            .national_number
            .as_deref()
            .map(export::masked_national_number)
            .unwrap_or_default(),
        roles: crate::people::pages::role_labels(
            ctx.locale,
            a.roles
                .iter()
                .filter_map(|r| loket_domain::people::Role::parse(r).ok()),
        )
        .join(", "),
        held: held(&l, &e),
        l,
    };
    Ok(no_store(render(StatusCode::OK, page)?))
}

pub async fn my_json(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.user()?;
    json_download(&export::own(&state.app, &user.id).await?)
}

pub async fn my_pdf(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.user()?;
    let e = export::own(&state.app, &user.id).await?;
    pdf_download(&state, &e, &ctx).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LookupForm {
    pub email: String,
    pub national_number: String,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "privacy/officer.html")]
struct OfficerPage {
    l: Layout,
    f: LookupForm,
    errors: FormErrors,
    searched: bool,
    found: Option<FoundView>,
}

struct FoundView {
    id: String,
    name: String,
    email: String,
    national_number: String,
    roles: String,
    disabled: bool,
    held: Vec<Held>,
    /// Case numbers only the privacy officer sees (shown with a badge).
    restricted: Vec<String>,
}

fn found_view(l: &Layout, s: Summary) -> FoundView {
    let held = [
        ("export-cases", s.cases),
        ("export-appointments", s.appointments),
        ("export-contact", s.contact_moments),
        ("export-vac-invitations", s.vaccination_invitations),
        ("export-vac-reserve", s.vaccination_reserve),
        ("export-letters", s.letters),
        ("export-access", s.access_log),
    ]
    .into_iter()
    .map(|(id, count)| Held {
        part: l.t(id),
        count,
    })
    .collect();
    FoundView {
        id: s.person.id,
        name: s.person.name,
        email: s.person.email,
        national_number: s
            .person
            .national_number
            .as_deref()
            .map(export::masked_national_number)
            .unwrap_or_default(),
        roles: crate::people::pages::role_labels(
            l.locale,
            s.roles.iter().filter_map(|r| Role::parse(r).ok()),
        )
        .join(", "),
        disabled: s.disabled,
        held,
        restricted: s.restricted_cases,
    }
}

pub async fn officer_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
) -> Result<Response, AppError> {
    ctx.require(OFFICERS)?;
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("officer-title");
    l.csrf = csrf;
    render(
        StatusCode::OK,
        OfficerPage {
            l,
            f: LookupForm::default(),
            errors: FormErrors::default(),
            searched: false,
            found: None,
        },
    )
}

pub async fn officer_find(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(mut f): Form<LookupForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let officer = ctx.require(OFFICERS)?.clone();
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("officer-title");
    l.csrf = csrf;
    f.email = f.email.chars().take(254).collect();
    f.national_number = f.national_number.chars().take(40).collect();
    let q = match export::parse_lookup(&f.email, &f.national_number) {
        Ok(q) => q,
        Err(inv) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                OfficerPage {
                    l,
                    f,
                    errors,
                    searched: false,
                    found: None,
                },
            );
        }
    };
    let found = export::find(&state.app, &officer.id, &q)
        .await?
        .map(|s| found_view(&l, s));
    Ok(no_store(render(
        StatusCode::OK,
        OfficerPage {
            l,
            f,
            errors: FormErrors::default(),
            searched: true,
            found,
        },
    )?))
}

/// A person id from a path: UUID-like text, or 404.
fn person_id(id: &str) -> Result<&str, AppError> {
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(AppError::NotFound);
    }
    Ok(id)
}

pub async fn officer_json(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let officer = ctx.require(OFFICERS)?;
    let e = export::for_officer(&state.app, &officer.id, person_id(&id)?).await?;
    json_download(&e)
}

pub async fn officer_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let officer = ctx.require(OFFICERS)?;
    let e = export::for_officer(&state.app, &officer.id, person_id(&id)?).await?;
    pdf_download(&state, &e, &ctx).await
}

/// Everything Loket holds about a person, as the resident's own "My data"
/// JSON download (keys in docs/privacy.md, `format_version` 1). Privacy
/// officers only; each call writes an access-log row (purpose
/// `privacy-export`).
#[utoipa::path(get, path = "/api/v1/people/{id}/export", tag = "people",
    params(("id" = String, Path, description = "The person's user id")),
    responses(
        (status = 200, description = "The export document (see docs/privacy.md)", body = Object),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn api_export(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let officer = caller.require(OFFICERS)?;
    let id = person_id(&id).map_err(|e| caller.err(e))?;
    let e = export::for_officer(&state.app, &officer.id, id)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(no_store(Json(e).into_response()))
}
