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
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::cases::{ServiceDef, add_working_days, format_cents};
use loket_domain::people::Role;
use loket_render::cases::{Payer, Payout, pain001};
use loket_store::cases::{self as store, Case, PaymentExport};
use loket_store::people as people_store;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Who pays premiums.
pub const FINANCE: &[Role] = &[Role::Finance, Role::Admin];

/// An approved premium waiting for payment.
pub struct Payable {
    pub case: Case,
    pub def: ServiceDef,
    pub name: String,
    pub iban: String,
    pub amount_cents: i64,
}

/// Every case waiting in its service's payout state, with the amount and
/// account from the case's own definition version. Each definition version
/// and each resident's name is read once, however many cases share it.
pub async fn payable(state: &AppState) -> Result<Vec<Payable>, AppError> {
    use std::collections::HashMap;
    let mut out = Vec::new();
    let mut defs: HashMap<(String, i64), ServiceDef> = HashMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for s in store::list_services(&state.store, false).await? {
        let Some(p) = &s.def.payout else { continue };
        for case in store::cases_in_status(&state.store, &s.id, &p.from).await? {
            let key = (case.service_id.clone(), case.service_version);
            let def = match defs.get(&key) {
                Some(d) => d.clone(),
                None => {
                    let d = store::service_version(
                        &state.store,
                        &case.service_id,
                        case.service_version,
                    )
                    .await?;
                    defs.insert(key, d.clone());
                    d
                }
            };
            let Some(payout) = def.payout.clone() else {
                continue;
            };
            if case.status != payout.from {
                continue;
            }
            let amount = case
                .data
                .get(&payout.amount_field)
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0);
            let iban = case
                .data
                .get(&payout.iban_field)
                .cloned()
                .unwrap_or_default();
            if amount <= 0 || iban.is_empty() {
                continue;
            }
            let name = match names.get(&case.resident_id) {
                Some(n) => n.clone(),
                None => {
                    let n = people_store::get_user(&state.store, &case.resident_id)
                        .await?
                        .map(|u| u.name)
                        .unwrap_or_default();
                    names.insert(case.resident_id.clone(), n.clone());
                    n
                }
            };
            out.push(Payable {
                case,
                def,
                name,
                iban,
                amount_cents: amount,
            });
        }
    }
    Ok(out)
}

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
    pub created: String,
}

async fn page(
    state: &AppState,
    ctx: &mut Ctx,
    errors: FormErrors,
    execution_date: String,
    created: &str,
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
    let exports = store::list_exports(&state.store).await?;
    let created = exports.iter().find(|e| e.id == created).map(export_row);
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("payments-title");
    l.csrf = csrf;
    Ok(PaymentsPage {
        l,
        errors,
        rows,
        total: format_cents(total),
        execution_date,
        exports: exports.iter().map(export_row).collect(),
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
    let p = page(
        &state,
        &mut ctx,
        FormErrors::default(),
        next_working_day().to_string(),
        &q.created,
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

/// Checks the requested execution date: a working day from today up to 60
/// days ahead.
fn check_execution_date(raw: &str) -> Result<jiff::civil::Date, Invalid> {
    let date: jiff::civil::Date = raw
        .trim()
        .parse()
        .map_err(|_| Invalid::one("execution_date", "date-invalid"))?;
    let today = today_brussels();
    if date < today {
        return Err(Invalid::one("execution_date", "date-in-past"));
    }
    if date
        > today
            .checked_add(jiff::Span::new().days(60))
            .unwrap_or(today)
    {
        return Err(Invalid::one("execution_date", "date-too-far"));
    }
    if matches!(
        date.weekday(),
        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
    ) {
        return Err(Invalid::one("execution_date", "date-weekend"));
    }
    Ok(date)
}

/// Creates a payment file of every payable premium.
pub async fn create_export(
    state: &AppState,
    actor_id: &str,
    execution_date: &str,
) -> Result<PaymentExport, AppError> {
    let date = check_execution_date(execution_date)?;
    let items = payable(state).await?;
    if items.is_empty() {
        return Err(Invalid::one("execution_date", "nothing-to-pay").into());
    }
    let id = loket_store::new_id();
    let message_id = format!("LKT{}", id.replace('-', ""))
        .chars()
        .take(35)
        .collect::<String>();
    let now = jiff::Timestamp::now().to_zoned_datetime(crate::i18n::brussels());
    let small = |v: i8| u8::try_from(v).unwrap_or(0);
    let payer = Payer {
        name: state.config.payer_name.clone(),
        iban: state.config.payer_iban.clone(),
        message_id: message_id.clone(),
        execution: (
            u16::try_from(date.year()).unwrap_or(2000),
            small(date.month()),
            small(date.day()),
        ),
        created: (
            u16::try_from(now.year()).unwrap_or(2000),
            small(now.month()),
            small(now.day()),
            small(now.hour()),
            small(now.minute()),
            small(now.second()),
        ),
    };
    let payouts: Vec<Payout> = items
        .iter()
        .map(|p| Payout {
            reference: p.case.number.clone(),
            creditor_name: p.name.clone(),
            iban: p.iban.clone(),
            amount_cents: p.amount_cents,
            description: format!(
                "{} {} {}",
                p.def.name.get("nl"),
                state.config.city_name,
                p.case.number
            ),
        })
        .collect();
    let xml = pain001(&payer, &payouts).map_err(AppError::Internal)?;
    let export = PaymentExport {
        id,
        message_id,
        created_by: actor_id.to_owned(),
        created_at: loket_store::now_ms(),
        execution_date: date.to_string(),
        count: i64::try_from(items.len()).unwrap_or(i64::MAX),
        total_cents: items.iter().map(|p| p.amount_cents).sum(),
        sha256: hex::encode(Sha256::digest(xml.as_bytes())),
    };
    let actor = Actor::User(actor_id.to_owned());
    let mut tx = state.store.begin().await?;
    let pairs: Vec<(&Case, i64)> = items.iter().map(|p| (&p.case, p.amount_cents)).collect();
    store::add_export(&mut tx, &actor, &export, &xml, &pairs).await?;
    for p in &items {
        let Some(payout) = &p.def.payout else {
            continue;
        };
        let t = p.def.transition(&p.case.status, &payout.transition, "")?;
        super::backoffice::transition_in(&mut tx, state, &actor, &p.case, &p.def, t, "").await?;
    }
    tx.commit().await?;
    metrics::counter!("loket_payment_exports_total").increment(1);
    Ok(export)
}

pub async fn export(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<ExportForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(FINANCE)?.clone();
    match create_export(&state, &user.id, &f.execution_date).await {
        Ok(e) => Ok(Redirect::to(&format!("/staff/payments?created={}", e.id)).into_response()),
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            let p = page(&state, &mut ctx, errors, f.execution_date.clone(), "").await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, p)
        }
        Err(e) => Err(e),
    }
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
