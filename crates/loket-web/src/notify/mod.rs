//! Outgoing messages: their texts (in the recipient's language) and the
//! admins' "sent mail" pages, where a newcomer sees every message.

use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::i18n::format_ms;
use crate::layout::Layout;
use crate::people::ADMIN_ROLES;
use crate::people::session::Ctx;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use loket_store::notify::{self as outbox, OutboxMessage};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/mail", get(mail_list))
        .route("/admin/mail/{id}", get(mail_detail))
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
