//! Paying premiums: finance sees the approved, unpaid premiums and creates a
//! SEPA credit-transfer file (pain.001.001.09) for the bank. The file, its
//! cases and their move to "payment pending" are one transaction; a case is
//! never in two files.

use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{format_ms, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use loket_domain::cases::{add_working_days, format_cents};
use loket_domain::paging::{DEFAULT_LIMIT, PageQuery as PageQueryOf, TOTAL_CAP};
use loket_domain::people::Role;
use loket_store::cases::{self as store, PaymentExport};
use serde::Deserialize;

/// Who pays premiums.
pub const FINANCE: &[Role] = &[Role::Finance, Role::Admin];

pub use loket_app::cases::payments::{Payable, create_export, payable};

/// `BE68 **** **** 7034`: enough to recognise an account.
fn masked(iban: &str) -> String {
    let n = iban.chars().count();
    let head: String = iban.chars().take(4).collect();
    let tail: String = iban.chars().skip(n.saturating_sub(4)).collect();
    format!("{head} **** **** {tail}")
}

pub struct PayableRow {
    pub number: String,
    pub service: String,
    pub name: String,
    pub account: String,
    pub amount: String,
}

pub struct ExportRow {
    pub id: String,
    pub message_id: String,
    pub created: String,
    pub execution_date: String,
    pub count: i64,
    pub total: String,
}

#[derive(Template)]
#[template(path = "cases/payments.html")]
struct PaymentsPage {
    l: Layout,
    errors: FormErrors,
    rows: Vec<PayableRow>,
    total: String,
    execution_date: String,
    exports: Vec<ExportRow>,
    pager: crate::paging::Pager,
    created: Option<ExportRow>,
}

fn export_row(e: &PaymentExport) -> ExportRow {
    ExportRow {
        id: e.id.clone(),
        message_id: e.message_id.clone(),
        created: format_ms(e.created_at),
        execution_date: e.execution_date.clone(),
        count: e.count,
        total: format_cents(e.total_cents),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    /// A payment file just made: the page offers its download at the top.
    pub created: String,
    /// The page of the payment file list.
    pub cursor: String,
    pub limit: String,
}

async fn page(
    state: &AppState,
    ctx: &mut Ctx,
    errors: FormErrors,
    execution_date: String,
    created: &str,
    pq: &PageQueryOf,
) -> Result<PaymentsPage, AppError> {
    ctx.require(FINANCE)?;
    let lang = ctx.locale.code();
    let items = payable(state).await?;
    let total: i64 = items.iter().map(|p| p.amount_cents).sum();
    let rows = items
        .iter()
        .map(|p| PayableRow {
            number: p.case.number.clone(),
            service: p.def.name.get(lang).to_owned(),
            name: p.name.clone(),
            account: masked(&p.iban),
            amount: format_cents(p.amount_cents),
        })
        .collect();
    let exports = store::exports_page(&state.store, pq).await?;
    let files_total = store::exports_total(&state.store, TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/staff/payments",
        &[],
        &exports,
        pq,
        files_total,
        Some(FILES_CSV),
    );
    let created = if created.is_empty() {
        None
    } else {
        store::export_row(&state.store, created)
            .await?
            .as_ref()
            .map(export_row)
    };
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("payments-title");
    l.csrf = csrf;
    Ok(PaymentsPage {
        l,
        errors,
        rows,
        total: format_cents(total),
        execution_date,
        exports: exports.items.iter().map(export_row).collect(),
        pager,
        created,
    })
}

/// The next working day: the default execution date.
fn next_working_day() -> jiff::civil::Date {
    add_working_days(
        today_brussels(),
        1,
        &loket_domain::calendar::holidays_around(today_brussels()),
    )
}

pub async fn payments_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    ctx.require(FINANCE)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::EXPORT_PAGING)?;
    let p = page(
        &state,
        &mut ctx,
        FormErrors::default(),
        next_working_day().to_string(),
        &q.created,
        &pq,
    )
    .await?;
    render(StatusCode::OK, p)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportForm {
    pub execution_date: String,
    pub csrf: String,
}

pub async fn export(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<ExportForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(FINANCE)?.clone();
    match create_export(&state, &user.id, &f.execution_date)
        .await
        .map_err(AppError::from)
    {
        Ok(e) => Ok(Redirect::to(&format!("/staff/payments?created={}", e.id)).into_response()),
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            let first = PageQueryOf::first(DEFAULT_LIMIT);
            let p = page(
                &state,
                &mut ctx,
                errors,
                f.execution_date.clone(),
                "",
                &first,
            )
            .await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, p)
        }
        Err(e) => Err(e),
    }
}

/// Where the payment file list downloads as CSV.
const FILES_CSV: &str = "/staff/payments/files.csv";

/// The payment files made, as CSV (created, execution date, transfers,
/// total, file name), every one, newest first, streamed 500 per query. A
/// file's row names no resident (its XML does, and its download is
/// access-logged), so the list is not.
pub async fn files_csv(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(FINANCE)?;
    let locale = ctx.locale;
    Ok(crate::paging::csv_export(
        &format!("payment-files-{}.csv", today_brussels()),
        locale,
        &[
            "payments-created-at",
            "field-execution-date",
            "payments-count",
            "payments-total",
            "payments-file",
        ],
        state,
        move |state, pq| async move {
            let page = store::exports_page(&state.store, &pq).await?;
            let rows = page
                .items
                .iter()
                .map(|e| {
                    vec![
                        format_ms(e.created_at),
                        e.execution_date.clone(),
                        e.count.to_string(),
                        format_cents(e.total_cents),
                        format!("{}.xml", e.message_id),
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

/// A payment file: names and accounts of residents, so every download is
/// written to the access log, one row per resident paid.
pub async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.require(FINANCE)?;
    let id = id.trim_end_matches(".xml");
    let (export, xml, residents) = store::get_export(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    for r in &residents {
        loket_store::audit::record_access(
            &state.store,
            &user.id,
            r,
            "payment_export",
            &export.id,
            "payments.download",
        )
        .await?;
    }
    Ok(xml_response(&export, xml))
}

pub fn xml_response(export: &PaymentExport, xml: String) -> Response {
    let mut res = Body::from(xml).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}.xml\"",
        export.message_id
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}
