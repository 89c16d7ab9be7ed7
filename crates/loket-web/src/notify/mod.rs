//! Outgoing messages: their texts (in the recipient's language) and the
//! admins' "sent mail" pages, where a newcomer sees every message.

use crate::error::AppError;
use crate::i18n::{Locale, format_ms};
use crate::layout::Layout;
use crate::people::ADMIN_ROLES;
use crate::people::pages::render;
use crate::people::session::Ctx;
use crate::{AppState, WebConfig};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use loket_domain::ident::Email;
use loket_domain::notify::Mail;
use loket_store::notify::{self as outbox, OutboxMessage};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/mail", get(mail_list))
        .route("/admin/mail/{id}", get(mail_detail))
}

fn link(config: &WebConfig, path: &str) -> String {
    format!("{}{}", config.public_url.trim_end_matches('/'), path)
}

fn compose(
    config: &WebConfig,
    locale: Locale,
    to: &Email,
    name: &str,
    kind: &str,
    path: &str,
) -> Mail {
    let args = [
        ("name", name.to_owned()),
        ("city", config.city_name.clone()),
        ("link", link(config, path)),
    ];
    Mail {
        to: to.clone(),
        subject: locale.t_args(&format!("mail-{kind}-subject"), &args),
        body: locale.t_args(&format!("mail-{kind}-body"), &args),
    }
}

/// "Confirm your e-mail address", with a single-use link.
pub fn confirm_mail(
    config: &WebConfig,
    locale: Locale,
    to: &Email,
    name: &str,
    secret: &str,
) -> Mail {
    compose(
        config,
        locale,
        to,
        name,
        "confirm",
        &format!("/confirm/{secret}"),
    )
}

/// "Choose a new password", with a single-use link.
pub fn reset_mail(
    config: &WebConfig,
    locale: Locale,
    to: &Email,
    name: &str,
    secret: &str,
) -> Mail {
    compose(
        config,
        locale,
        to,
        name,
        "reset",
        &format!("/password/reset/{secret}"),
    )
}

/// A new staff account: choose a password through a link.
pub fn welcome_staff_mail(
    config: &WebConfig,
    locale: Locale,
    to: &Email,
    name: &str,
    secret: &str,
) -> Mail {
    compose(
        config,
        locale,
        to,
        name,
        "welcome",
        &format!("/password/reset/{secret}"),
    )
}

#[derive(Template)]
#[template(path = "notify/list.html")]
struct MailList {
    l: Layout,
    messages: Vec<(OutboxMessage, String)>,
}

#[derive(Template)]
#[template(path = "notify/detail.html")]
struct MailDetail {
    l: Layout,
    m: OutboxMessage,
    created: String,
}

pub async fn mail_list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    if !state.config.show_sent_mail {
        return Err(AppError::NotFound);
    }
    let messages = outbox::recent(&state.store, 200)
        .await?
        .into_iter()
        .map(|m| {
            let at = format_ms(m.created_at);
            (m, at)
        })
        .collect();
    render(
        StatusCode::OK,
        MailList {
            l: ctx.layout("mail-title"),
            messages,
        },
    )
}

pub async fn mail_detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    if !state.config.show_sent_mail {
        return Err(AppError::NotFound);
    }
    let m = outbox::get(&state.store, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let created = format_ms(m.created_at);
    render(
        StatusCode::OK,
        MailDetail {
            l: ctx.layout("mail-title"),
            m,
            created,
        },
    )
}
