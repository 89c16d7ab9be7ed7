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
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use loket_domain::paging::{DEFAULT_LIMIT, PageQuery, TOTAL_CAP};
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
    /// The waiting letters' pager (total, previous / next, CSV).
    pager: crate::paging::Pager,
    /// How many print batches there are ("12 in total"; the list has its
    /// own page).
    batches_total: String,
    /// What the batch button makes: "the oldest 1,000 waiting letters…",
    /// and when more wait than one batch holds, that another batch is
    /// needed after it.
    batch_note: String,
    /// Right after a batch that left letters waiting: the batch made (its
    /// PDF's link) and how many still wait; else empty.
    made_id: String,
    made: String,
}

#[derive(Template)]
#[template(path = "cases/print_batches.html")]
struct BatchesPage {
    l: Layout,
    batches: Vec<BatchRow>,
    pager: crate::paging::Pager,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageParams {
    pub cursor: String,
    pub limit: String,
    /// A print batch just made (when letters still wait after it).
    pub made: String,
}

/// Waiting letters as the page and the CSV show them, with the names of
/// their residents (one query for all of them).
async fn waiting_rows(
    state: &AppState,
    locale: crate::i18n::Locale,
    letters: &[outbox::Letter],
) -> Result<Vec<WaitingRow>, AppError> {
    let mut ids: Vec<String> = letters.iter().map(|l| l.resident_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let names = people_store::names_of(&state.store, &ids).await?;
    Ok(letters
        .iter()
        .map(|l| WaitingRow {
            created: format_ms(l.created_at),
            kind: locale.t(&format!("letter-kind-{}", l.kind)),
            resident: names.get(&l.resident_id).cloned().unwrap_or_default(),
            title: serde_json::from_str::<Letter>(&l.content)
                .map(|x| x.title)
                .unwrap_or_default(),
        })
        .collect())
}

/// The access log of waiting letters shown (they name their residents):
/// one row per resident.
async fn log_waiting(
    state: &AppState,
    actor_id: &str,
    purpose: &str,
    letters: &[outbox::Letter],
) -> Result<(), AppError> {
    let shown: Vec<loket_store::audit::Access<'_>> = letters
        .iter()
        .map(|l| loket_store::audit::Access {
            subject: &l.resident_id,
            record_type: "letter",
            record_id: &l.id,
        })
        .collect();
    loket_store::audit::record_access_many(&state.store, actor_id, purpose, &shown).await?;
    Ok(())
}

async fn page(
    state: &AppState,
    ctx: &mut Ctx,
    errors: FormErrors,
    pq: &PageQuery,
    made: &str,
) -> Result<LettersPage, AppError> {
    let user = ctx.require(MAIL_ROOM)?.clone();
    let list = outbox::waiting_page(&state.store, pq).await?;
    let total = outbox::waiting_total(&state.store, TOTAL_CAP).await?;
    log_waiting(state, &user.id, "letters.waiting", &list.items).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/staff/letters",
        &[],
        &list,
        pq,
        total,
        Some("/staff/letters/waiting.csv"),
    );
    let waiting = waiting_rows(state, ctx.locale, &list.items).await?;
    let batches_total = crate::paging::total_text(
        ctx.locale,
        outbox::batches_total(&state.store, TOTAL_CAP).await?,
    );
    let max = crate::paging::format_count(ctx.locale, BATCH_MAX as i64);
    let batch_note = if total.count > BATCH_MAX as i64 {
        ctx.locale.t_args("letters-print-more", &[("max", max)])
    } else {
        ctx.locale.t_args("letters-print-all", &[("max", max)])
    };
    let made_batch = if made.is_empty() {
        None
    } else {
        outbox::batch(&state.store, made).await?
    };
    let (made_id, made) = match made_batch {
        Some(b) => {
            let text = ctx.locale.t_args(
                "letters-made-left",
                &[
                    ("count", crate::paging::format_count(ctx.locale, b.count)),
                    ("left", crate::paging::total_text(ctx.locale, total)),
                ],
            );
            (b.id, text)
        }
        None => (String::new(), String::new()),
    };
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("letters-title");
    l.csrf = csrf;
    Ok(LettersPage {
        l,
        errors,
        waiting,
        pager,
        batches_total,
        batch_note,
        made_id,
        made,
    })
}

/// `/staff/letters`: the letters waiting for the next print batch, a page
/// at a time (oldest first, the order a batch prints them in) with their
/// total and a CSV download, and how many print batches were made. Every
/// resident a page names is access-logged.
pub async fn letters_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<PageParams>,
) -> Result<Response, AppError> {
    ctx.require(MAIL_ROOM)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &outbox::WAITING_PAGING)?;
    let p = page(&state, &mut ctx, FormErrors::default(), &pq, &q.made).await?;
    render(StatusCode::OK, p)
}

/// The waiting letters as CSV (created, kind, resident, subject), every
/// one, oldest first (streamed, 500 per query; each batch is access-logged
/// as the page logs the letters it shows).
pub async fn waiting_csv(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require(MAIL_ROOM)?.clone();
    let locale = ctx.locale;
    Ok(crate::paging::csv_export(
        &format!("waiting-letters-{}.csv", crate::i18n::today_brussels()),
        locale,
        &[
            "letters-created",
            "letters-kind",
            "letters-resident",
            "letters-subject",
        ],
        (state, user),
        move |(state, user), pq| async move {
            let page = outbox::waiting_page(&state.store, &pq).await?;
            log_waiting(&state, &user.id, "letters.waiting.csv", &page.items).await?;
            let rows = waiting_rows(&state, locale, &page.items)
                .await?
                .into_iter()
                .map(|w| vec![w.created, w.kind, w.resident, w.title])
                .collect();
            Ok((rows, page.next))
        },
    ))
}

/// `/staff/letters/batches`: the print batches made, a page at a time
/// (newest first) with their total and a CSV download.
pub async fn batches_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageParams>,
) -> Result<Response, AppError> {
    ctx.require(MAIL_ROOM)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &outbox::BATCH_PAGING)?;
    let list = outbox::batches_page(&state.store, &pq).await?;
    let total = outbox::batches_total(&state.store, TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/staff/letters/batches",
        &[],
        &list,
        &pq,
        total,
        Some("/staff/letters/batches.csv"),
    );
    let batches = list
        .items
        .into_iter()
        .map(|b| BatchRow {
            id: b.id,
            created: format_ms(b.created_at),
            count: b.count,
        })
        .collect();
    let l = ctx.layout("letters-batches");
    render(StatusCode::OK, BatchesPage { l, batches, pager })
}

/// The print batches as CSV (when, letters, SHA-256 of the PDF), every
/// one, newest first (streamed, 500 per query). A batch's row names no
/// resident.
pub async fn batches_csv(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(MAIL_ROOM)?;
    let locale = ctx.locale;
    Ok(crate::paging::csv_export(
        &format!("print-batches-{}.csv", crate::i18n::today_brussels()),
        locale,
        &["letters-created", "letters-batch-letters", "letters-sha256"],
        state,
        move |state, pq| async move {
            let page = outbox::batches_page(&state.store, &pq).await?;
            let rows = page
                .items
                .iter()
                .map(|b| {
                    vec![
                        format_ms(b.created_at),
                        b.count.to_string(),
                        b.sha256.clone(),
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfOnly {
    pub csrf: String,
}

pub use loket_app::cases::letters::{BATCH_MAX, create_batch};

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
        // Every waiting letter is in it: straight to its PDF. Else back to
        // the letters, which link the PDF and say how many still wait.
        Ok(m) if m.still_waiting.count == 0 => {
            Ok(Redirect::to(&format!("/staff/letters/batches/{}.pdf", m.batch.id)).into_response())
        }
        Ok(m) => Ok(Redirect::to(&format!("/staff/letters?made={}", m.batch.id)).into_response()),
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            let first = PageQuery::first(DEFAULT_LIMIT);
            let p = page(&state, &mut ctx, errors, &first, "").await?;
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
    let b = outbox::batch(&state.store, id)
        .await?
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
