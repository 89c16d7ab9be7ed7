//! Paper for residents without e-mail: letters wait in a queue and counter
//! staff print them once a day as one PDF batch (each letter on its own
//! pages, the address in the envelope window).

use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::format_ms;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use loket_domain::people::Role;
use loket_render::cases::Letter;
use loket_store::notify as outbox;
use loket_store::people as people_store;
use serde::Deserialize;

/// Who prints and posts letters.
pub const MAIL_ROOM: &[Role] = &[Role::Counter, Role::ContactCentre, Role::Admin];

pub struct WaitingRow {
    pub created: String,
    pub kind: String,
    pub resident: String,
    pub title: String,
}

pub struct BatchRow {
    pub id: String,
    pub created: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "cases/letters.html")]
struct LettersPage {
    l: Layout,
    errors: FormErrors,
    waiting: Vec<WaitingRow>,
    batches: Vec<BatchRow>,
}

async fn page(
    state: &AppState,
    ctx: &mut Ctx,
    errors: FormErrors,
) -> Result<LettersPage, AppError> {
    ctx.require(MAIL_ROOM)?;
    let mut waiting = Vec::new();
    for l in outbox::waiting_letters(&state.store).await? {
        let title = serde_json::from_str::<Letter>(&l.content)
            .map(|x| x.title)
            .unwrap_or_default();
        let resident = people_store::get_user(&state.store, &l.resident_id)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        waiting.push(WaitingRow {
            created: format_ms(l.created_at),
            kind: ctx.locale.t(&format!("letter-kind-{}", l.kind)),
            resident,
            title,
        });
    }
    let batches = outbox::list_batches(&state.store)
        .await?
        .into_iter()
        .map(|b| BatchRow {
            id: b.id,
            created: format_ms(b.created_at),
            count: b.count,
        })
        .collect();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("letters-title");
    l.csrf = csrf;
    Ok(LettersPage {
        l,
        errors,
        waiting,
        batches,
    })
}

pub async fn letters_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
) -> Result<Response, AppError> {
    let p = page(&state, &mut ctx, FormErrors::default()).await?;
    render(StatusCode::OK, p)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfOnly {
    pub csrf: String,
}

pub use loket_app::cases::letters::create_batch;

pub async fn batch(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(MAIL_ROOM)?.clone();
    match create_batch(&state, &user.id, &ctx.locale.t("letters-batch"))
        .await
        .map_err(AppError::from)
    {
        Ok(b) => Ok(Redirect::to(&format!("/staff/letters/batches/{}.pdf", b.id)).into_response()),
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            let p = page(&state, &mut ctx, errors).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, p)
        }
        Err(e) => Err(e),
    }
}

/// A batch's PDF: residents' names and addresses, so the download is
/// access-logged per resident.
pub async fn batch_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.require(MAIL_ROOM)?;
    let id = id.trim_end_matches(".pdf");
    let b = outbox::list_batches(&state.store)
        .await?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or(AppError::NotFound)?;
    for r in outbox::batch_residents(&state.store, &b.id).await? {
        loket_store::audit::record_access(
            &state.store,
            &user.id,
            &r,
            "print_batch",
            &b.id,
            "letters.print",
        )
        .await?;
    }
    let bytes = tokio::fs::read(&b.path)
        .await
        .map_err(|e| AppError::Internal(format!("batch {}: {e}", b.id)))?;
    let mut res = Body::from(bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"print-{}.pdf\"", b.id)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}
