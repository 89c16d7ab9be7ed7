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
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use loket_store::notify::{self as outbox, OutboxMessage};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/mail", get(mail_list))
        .route("/admin/mail.csv", get(mail_csv))
        .route("/admin/mail/{id}", get(mail_detail))
}

#[derive(Template)]
#[template(path = "notify/list.html")]
struct MailList {
    l: Layout,
    messages: Vec<(OutboxMessage, String)>,
    pager: crate::paging::Pager,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct MailQuery {
    pub cursor: String,
    pub limit: String,
}

#[derive(Template)]
#[template(path = "notify/detail.html")]
struct MailDetail {
    l: Layout,
    m: OutboxMessage,
    created: String,
}

/// The access log of the sent-mail pages: one row per recipient shown,
/// filed under the recipient's account, or for an address without an
/// account under `mail:<address>`.
async fn log_recipients(
    state: &AppState,
    actor_id: &str,
    purpose: &str,
    messages: &[OutboxMessage],
) -> Result<(), AppError> {
    let addresses: Vec<&str> = messages.iter().map(|m| m.to_addr.as_str()).collect();
    let accounts: std::collections::HashMap<String, String> =
        outbox::recipients(&state.store, &addresses)
            .await?
            .into_iter()
            .collect();
    let subjects: Vec<String> = messages
        .iter()
        .map(|m| {
            accounts
                .get(&m.to_addr)
                .cloned()
                .unwrap_or_else(|| format!("mail:{}", m.to_addr))
        })
        .collect();
    let shown: Vec<loket_store::audit::Access<'_>> = messages
        .iter()
        .zip(&subjects)
        .map(|(m, s)| loket_store::audit::Access {
            subject: s,
            record_type: "outbox",
            record_id: &m.id,
        })
        .collect();
    loket_store::audit::record_access_many(&state.store, actor_id, purpose, &shown).await?;
    Ok(())
}

/// A message's body with its live links hidden (see
/// [`loket_app::people::mask_live_links`]).
async fn masked(state: &AppState, ctx: &Ctx, text: &str) -> Result<String, AppError> {
    let locale = ctx.locale;
    Ok(loket_app::people::mask_live_links(
        state,
        text,
        loket_store::now_ms(),
        |until| match until {
            Some(t) => locale.t_args("mail-link-hidden-until", &[("until", format_ms(t))]),
            None => locale.t("mail-link-hidden"),
        },
    )
    .await?)
}

/// The sent mail, newest first, a page at a time (access-logged per
/// recipient shown).
pub async fn mail_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MailQuery>,
) -> Result<Response, AppError> {
    let admin = ctx.require(ADMIN_ROLES)?.clone();
    if !state.config.show_sent_mail {
        return Err(AppError::NotFound);
    }
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &outbox::OUTBOX_PAGING)?;
    let page = outbox::outbox_page(&state.store, &pq).await?;
    let total = outbox::outbox_total(&state.store, loket_domain::paging::TOTAL_CAP).await?;
    log_recipients(&state, &admin.id, "admin.mail_list", &page.items).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/admin/mail",
        &[],
        &page,
        &pq,
        total,
        Some("/admin/mail.csv"),
    );
    let mut messages = Vec::with_capacity(page.items.len());
    for mut m in page.items {
        m.subject = masked(&state, &ctx, &m.subject).await?;
        m.body.clear();
        m.attachment = None;
        let at = format_ms(m.created_at);
        messages.push((m, at));
    }
    render(
        StatusCode::OK,
        MailList {
            l: ctx.layout("mail-title"),
            messages,
            pager,
        },
    )
}

/// The sent mail as CSV (when, to, subject with live links hidden,
/// status), every message (streamed, 500 per query; each batch is written
/// to the access log as the page writes the recipients it shows).
pub async fn mail_csv(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let admin = ctx.require(ADMIN_ROLES)?.clone();
    if !state.config.show_sent_mail {
        return Err(AppError::NotFound);
    }
    let locale = ctx.locale;
    Ok(crate::paging::csv_export(
        &format!("mail-{}.csv", crate::i18n::today_brussels()),
        locale,
        &["audit-when", "mail-to", "mail-subject", "admin-status"],
        (state, admin),
        move |(state, admin), pq| async move {
            let page = outbox::outbox_page(&state.store, &pq).await?;
            log_recipients(&state, &admin.id, "admin.mail_list.csv", &page.items).await?;
            let now = loket_store::now_ms();
            let mut rows = Vec::with_capacity(page.items.len());
            for m in &page.items {
                let subject = loket_app::people::mask_live_links(
                    &state,
                    &m.subject,
                    now,
                    |until| match until {
                        Some(t) => {
                            locale.t_args("mail-link-hidden-until", &[("until", format_ms(t))])
                        }
                        None => locale.t("mail-link-hidden"),
                    },
                )
                .await?;
                rows.push(vec![
                    format_ms(m.created_at),
                    m.to_addr.clone(),
                    subject,
                    m.status.to_string(),
                ]);
            }
            Ok((rows, page.next))
        },
    ))
}

pub async fn mail_detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let admin = ctx.require(ADMIN_ROLES)?.clone();
    if !state.config.show_sent_mail {
        return Err(AppError::NotFound);
    }
    let mut m = outbox::get(&state.store, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    log_recipients(
        &state,
        &admin.id,
        "admin.mail_view",
        std::slice::from_ref(&m),
    )
    .await?;
    m.subject = masked(&state, &ctx, &m.subject).await?;
    m.body = masked(&state, &ctx, &m.body).await?;
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
