//! Webhook subscriptions: an admin registers a URL and Loket POSTs case
//! events to it, signed with HMAC-SHA256, through a delivery outbox with
//! retries. Payloads carry no personal data: the case number, service,
//! states, channel and time.

use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::format_ms;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::people::Role;
use loket_store::notify as outbox;
use serde::Deserialize;

const ADMIN: &[Role] = &[Role::Admin];

pub use loket_app::cases::{case_event, signature};

/// Checks a webhook URL: absolute `https://`, or `http://` to this machine
/// (for tests and local integrations); no credentials in it.
pub fn check_url(raw: &str) -> Result<String, Invalid> {
    let url = raw.trim();
    let ok = url.len() <= 500
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && (url.starts_with("https://")
            || url.starts_with("http://127.0.0.1:")
            || url.starts_with("http://localhost:"))
        && url.split("://").nth(1).is_some_and(|rest| {
            !rest.is_empty() && !rest.split('/').next().unwrap_or("").contains('@')
        });
    if ok {
        Ok(url.to_owned())
    } else {
        Err(Invalid::one("url", "webhook-url"))
    }
}

pub struct Row {
    pub id: String,
    pub url: String,
    pub created: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "cases/webhooks.html")]
struct WebhooksPage {
    l: Layout,
    errors: FormErrors,
    url: String,
    rows: Vec<Row>,
    new_secret: Option<String>,
}

async fn page(
    state: &AppState,
    ctx: &mut Ctx,
    errors: FormErrors,
    url: String,
    new_secret: Option<String>,
) -> Result<WebhooksPage, AppError> {
    ctx.require(ADMIN)?;
    let rows = outbox::list_webhooks(&state.store)
        .await?
        .into_iter()
        .map(|w| Row {
            id: w.id,
            url: w.url,
            created: format_ms(w.created_at),
            active: w.disabled_at.is_none(),
        })
        .collect();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("webhooks-title");
    l.csrf = csrf;
    Ok(WebhooksPage {
        l,
        errors,
        url,
        rows,
        new_secret,
    })
}

pub async fn webhooks_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
) -> Result<Response, AppError> {
    let p = page(&state, &mut ctx, FormErrors::default(), String::new(), None).await?;
    render(StatusCode::OK, p)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddForm {
    pub url: String,
    pub csrf: String,
}

/// Registers a URL; the secret is shown once, on the page that answers.
pub async fn add(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<AddForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ADMIN)?.clone();
    match check_url(&f.url) {
        Ok(url) => {
            let (_, secret) =
                loket_app::cases::add_webhook(&state, &Actor::User(user.id.clone()), &url).await?;
            let p = page(
                &state,
                &mut ctx,
                FormErrors::default(),
                String::new(),
                Some(secret),
            )
            .await?;
            render(StatusCode::CREATED, p)
        }
        Err(inv) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            let p = page(&state, &mut ctx, errors, f.url.clone(), None).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, p)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

pub async fn disable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ADMIN)?.clone();
    loket_app::cases::disable_webhook(&state, &Actor::User(user.id.clone()), &id).await?;
    Ok(Redirect::to("/admin/webhooks").into_response())
}
