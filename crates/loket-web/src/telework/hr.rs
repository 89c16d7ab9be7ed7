//! HR's telework pages: the months (close, download the payroll file),
//! the settings (allowance rule versions, RSZ/ONSS maximum, extra holidays,
//! the payroll file's layout) and the dashboard with SVG charts.

use super::HR_ROLES;
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{format_ms, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use loket_app::telework::views;
use loket_domain::audit::Actor;
use loket_domain::paging::{DEFAULT_LIMIT, PageQuery, TOTAL_CAP};
use loket_domain::telework::{
    self as rules, AllowanceRule, ExportField, ExportLayout, Month, euro, parse_euro,
};
use loket_domain::{FieldError, Invalid};
use loket_store::telework::{self as store, PendingCorrection, Share};
use serde::Deserialize;

// ---- the months ----

pub struct MonthRow {
    pub month: String,
    pub closed: Option<String>,
    pub can_close: bool,
    pub approved: i64,
    pub open: i64,
    pub lines: usize,
    pub total: String,
}

#[derive(Template)]
#[template(path = "telework/hr.html")]
struct Overview {
    l: Layout,
    months: Vec<MonthRow>,
    pending: Vec<PendingCorrection>,
    /// Pages of the corrections waiting to be paid.
    pager: crate::paging::Pager,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    pub closed: String,
    pub saved: String,
    /// The page of the pending corrections.
    pub cursor: String,
    pub limit: String,
}

/// Where the pending corrections download as CSV.
const PENDING_CSV: &str = "/staff/telework/corrections.csv";

async fn overview_page(
    state: &AppState,
    ctx: &Ctx,
    pq: &PageQuery,
    errors: FormErrors,
) -> Result<Overview, AppError> {
    let months = views::months(state)
        .await?
        .into_iter()
        .map(|m| MonthRow {
            month: m.month.to_string(),
            closed: m.closed_at.map(format_ms),
            can_close: m.can_close,
            approved: m.approved,
            open: m.open,
            lines: m.lines,
            total: euro(m.total_cents),
        })
        .collect();
    let pending = store::pending_corrections_page(&state.store, pq).await?;
    let total = store::pending_corrections_total(&state.store, TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/staff/telework",
        &[],
        &pending,
        pq,
        total,
        Some(PENDING_CSV),
    );
    Ok(Overview {
        l: ctx.layout("tw-hr-title"),
        months,
        pending: pending.items,
        pager,
        errors,
    })
}

pub async fn overview(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    ctx.require(HR_ROLES)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::PENDING_PAGING)?;
    ctx.csrf(&state).await?;
    let mut page = overview_page(&state, &ctx, &pq, FormErrors::default()).await?;
    if !q.closed.is_empty() {
        page.l.notice = Some(
            ctx.locale
                .t_args("tw-closed-notice", &[("month", q.closed.clone())]),
        );
    }
    render(StatusCode::OK, page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    pub csrf: String,
    pub month: String,
}

/// Closes a month: its payroll lines are computed and frozen.
pub async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CloseForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HR_ROLES)?.clone();
    let result = match Month::parse(&f.month) {
        Ok(m) => store::close_month(&state.store, &Actor::User(user.id), m, today_brussels())
            .await
            .map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e.into())),
    };
    match result {
        Ok(c) => Ok(Redirect::to(&format!("/staff/telework?closed={}", c.month)).into_response()),
        Err(AppError::Invalid(inv)) | Err(AppError::Conflict(inv)) => {
            let page = overview_page(
                &state,
                &ctx,
                &PageQuery::first(DEFAULT_LIMIT),
                FormErrors::from_invalid(ctx.locale, &inv),
            )
            .await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e),
    }
}

/// The corrections waiting to be paid, as CSV (employee number, name,
/// month, full and half days, reason), every one, oldest first, streamed
/// 500 per query, for the roles that see them on the page. They name staff
/// members, not residents, as the page does: neither is access-logged.
pub async fn corrections_csv(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Response, AppError> {
    ctx.require(HR_ROLES)?;
    Ok(crate::paging::csv_export(
        &format!("telework-corrections-{}.csv", today_brussels()),
        ctx.locale,
        &[
            "tw-col-employee-no",
            "tw-col-name",
            "tw-col-for-month",
            "tw-col-full-days",
            "tw-col-half-days",
            "field-reason",
        ],
        state,
        |state, pq| async move {
            let page = store::pending_corrections_page(&state.store, &pq).await?;
            let rows = page
                .items
                .iter()
                .map(|c| {
                    vec![
                        c.employee_no.clone(),
                        c.name.clone(),
                        c.for_month.clone(),
                        c.full_days.to_string(),
                        c.half_days.to_string(),
                        c.reason.clone(),
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

/// The payroll file of a closed month, as the layout says (audited).
pub async fn export_csv(
    state: &AppState,
    actor: &Actor,
    month: Month,
) -> Result<Response, AppError> {
    if store::closed_at(&state.store, month).await?.is_none() {
        return Err(AppError::Invalid(Invalid::one(
            "month",
            "telework-export-open-month",
        )));
    }
    let lines = store::pay_lines(&state.store, month).await?;
    let layout = store::export_layout(&state.store).await?;
    let body = loket_render::csv::write(&layout.rows(&lines), layout.delimiter);
    store::record_export(&state.store, actor, month, lines.len()).await?;
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"telework-{month}.csv\""))
    {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(month): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.require(HR_ROLES)?.clone();
    let month = Month::parse(month.trim_end_matches(".csv")).map_err(|_| AppError::NotFound)?;
    export_csv(&state, &Actor::User(user.id), month).await
}

// ---- settings ----

pub struct RuleRow {
    pub version: i64,
    pub from: String,
    pub full: String,
    pub half: String,
    pub max_days: String,
    pub max_amount: String,
    pub min_regime: i64,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "telework/settings.html")]
struct SettingsPage {
    l: Layout,
    rules: Vec<RuleRow>,
    maxima: Vec<(String, String)>,
    holidays: Vec<(String, String)>,
    legal: Vec<String>,
    errors: FormErrors,
    f: SettingsForm,
    fields: Vec<(String, String)>,
    delimiters: Vec<(String, String, bool)>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SettingsForm {
    pub csrf: String,
    pub effective_from: String,
    pub full_day: String,
    pub half_day: String,
    pub max_days: String,
    pub max_amount: String,
    pub min_regime_percent: String,
    pub tax_free_from: String,
    pub tax_free_amount: String,
    pub day: String,
    pub name: String,
    pub columns: String,
    pub delimiter: String,
    pub wage_code_allowance: String,
    pub wage_code_correction: String,
}

async fn settings_page(
    state: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    f: Option<SettingsForm>,
) -> Result<SettingsPage, AppError> {
    let all = store::allowance_rules(&state.store).await?;
    let current = rules::rule_for(&all, Month::of(today_brussels())).map(|r| r.version);
    let fmt_cap = |v: i64, money: bool| {
        if v == 0 {
            "—".to_owned()
        } else if money {
            format!("€ {}", euro(v))
        } else {
            v.to_string()
        }
    };
    let layout = store::export_layout(&state.store).await?;
    let f = f.unwrap_or_else(|| SettingsForm {
        columns: layout.columns_text(),
        delimiter: layout.delimiter_text().to_owned(),
        wage_code_allowance: layout.wage_code_allowance.clone(),
        wage_code_correction: layout.wage_code_correction.clone(),
        ..SettingsForm::default()
    });
    let year = today_brussels().year();
    Ok(SettingsPage {
        l: ctx.layout("tw-settings-title"),
        rules: all
            .iter()
            .rev()
            .map(|r| RuleRow {
                version: r.version,
                from: r.effective_from.to_string(),
                full: euro(r.full_day_cents),
                half: euro(r.half_day_cents),
                max_days: fmt_cap(r.max_days, false),
                max_amount: fmt_cap(r.max_amount_cents, true),
                min_regime: r.min_regime_percent,
                current: Some(r.version) == current,
            })
            .collect(),
        maxima: store::tax_free_maxima(&state.store)
            .await?
            .iter()
            .rev()
            .map(|m| (m.effective_from.to_string(), euro(m.cents)))
            .collect(),
        holidays: store::extra_holidays(&state.store)
            .await?
            .into_iter()
            .map(|(d, n)| (d.to_string(), n))
            .collect(),
        legal: loket_domain::calendar::belgian_holidays(year)
            .iter()
            .map(|d| d.to_string())
            .collect(),
        errors,
        delimiters: [";", ",", "tab"]
            .into_iter()
            .map(|d| {
                (
                    d.to_owned(),
                    ctx.locale.t(&format!(
                        "tw-delimiter-{}",
                        if d == ";" {
                            "semicolon"
                        } else if d == "," {
                            "comma"
                        } else {
                            "tab"
                        }
                    )),
                    f.delimiter == d,
                )
            })
            .collect(),
        f,
        fields: ExportField::ALL
            .iter()
            .map(|x| {
                (
                    x.key().to_owned(),
                    ctx.locale
                        .t(&format!("tw-field-{}", x.key().replace('_', "-"))),
                )
            })
            .collect(),
    })
}

pub async fn settings(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(HR_ROLES)?;
    ctx.csrf(&state).await?;
    let page = settings_page(&state, &ctx, FormErrors::default(), None).await?;
    render(StatusCode::OK, page)
}

async fn settings_result(
    state: &AppState,
    ctx: &Ctx,
    result: Result<(), AppError>,
    f: SettingsForm,
    anchor: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/staff/telework/settings#{anchor}")).into_response()),
        Err(AppError::Invalid(inv)) | Err(AppError::Conflict(inv)) => {
            let page = settings_page(
                state,
                ctx,
                FormErrors::from_invalid(ctx.locale, &inv),
                Some(f),
            )
            .await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e),
    }
}

fn cents_field(inv: &mut Invalid, field: &str, v: &str) -> Option<i64> {
    if v.trim().is_empty() {
        return Some(0);
    }
    match parse_euro(v) {
        Ok(c) => Some(c),
        Err(e) => {
            inv.0.push(FieldError::new(field, e.code));
            None
        }
    }
}

fn int_field(inv: &mut Invalid, field: &str, v: &str) -> Option<i64> {
    if v.trim().is_empty() {
        return Some(0);
    }
    match v.trim().trim_end_matches('%').parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            inv.push(field, "number-invalid");
            None
        }
    }
}

/// Adds a version of the allowance rule from a date on.
pub async fn add_rule(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SettingsForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HR_ROLES)?.clone();
    let mut inv = Invalid::default();
    let from = inv.check("effective_from", rules::parse_date(&f.effective_from));
    if f.full_day.trim().is_empty() {
        inv.push("full_day", "required");
    }
    let full = cents_field(&mut inv, "full_day", &f.full_day);
    let half = cents_field(&mut inv, "half_day", &f.half_day);
    let max_days = int_field(&mut inv, "max_days", &f.max_days);
    let max_amount = cents_field(&mut inv, "max_amount", &f.max_amount);
    let min_regime = int_field(&mut inv, "min_regime_percent", &f.min_regime_percent);
    let result = match (
        from,
        full,
        half,
        max_days,
        max_amount,
        min_regime,
        inv.is_empty(),
    ) {
        (Some(from), Some(full), Some(half), Some(md), Some(ma), Some(mr), true) => {
            let rule = AllowanceRule {
                version: 0,
                effective_from: from,
                full_day_cents: full,
                half_day_cents: half,
                max_days: md,
                max_amount_cents: ma,
                min_regime_percent: mr,
            };
            store::add_rule(&state.store, &Actor::User(user.id), &rule)
                .await
                .map(|_| ())
                .map_err(|e| rename(AppError::from(e)))
        }
        _ => Err(AppError::Invalid(inv)),
    };
    settings_result(&state, &ctx, result, f, "rules").await
}

/// The domain's field names for cents are the form's euro fields.
fn rename(e: AppError) -> AppError {
    match e {
        AppError::Invalid(mut inv) => {
            for x in &mut inv.0 {
                x.field = match x.field.as_str() {
                    "full_day_cents" => "full_day".to_owned(),
                    "half_day_cents" => "half_day".to_owned(),
                    "max_amount_cents" => "max_amount".to_owned(),
                    other => other.to_owned(),
                };
            }
            AppError::Invalid(inv)
        }
        other => other,
    }
}

pub async fn save_tax_free(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SettingsForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HR_ROLES)?.clone();
    let mut inv = Invalid::default();
    let from = inv.check("tax_free_from", rules::parse_date(&f.tax_free_from));
    if f.tax_free_amount.trim().is_empty() {
        inv.push("tax_free_amount", "required");
    }
    let cents = cents_field(&mut inv, "tax_free_amount", &f.tax_free_amount);
    let result = match (from, cents, inv.is_empty()) {
        (Some(from), Some(c), true) => {
            store::save_tax_free(&state.store, &Actor::User(user.id), from, c)
                .await
                .map_err(|e| match AppError::from(e) {
                    AppError::Invalid(mut inv) => {
                        for x in &mut inv.0 {
                            if x.field == "effective_from" {
                                x.field = "tax_free_from".to_owned();
                            }
                            if x.field == "cents" {
                                x.field = "tax_free_amount".to_owned();
                            }
                        }
                        AppError::Invalid(inv)
                    }
                    other => other,
                })
        }
        _ => Err(AppError::Invalid(inv)),
    };
    settings_result(&state, &ctx, result, f, "tax-free").await
}

pub async fn save_holiday(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SettingsForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HR_ROLES)?.clone();
    let mut inv = Invalid::default();
    let day = inv.check("day", rules::parse_date(&f.day));
    if f.name.trim().is_empty() {
        inv.push("name", "required");
    }
    let result = match (day, inv.is_empty()) {
        (Some(day), true) => {
            loket_app::telework::save_holiday(&state, &Actor::User(user.id), day, &f.name)
                .await
                .map_err(AppError::from)
        }
        _ => Err(AppError::Invalid(inv)),
    };
    settings_result(&state, &ctx, result, f, "holidays").await
}

pub async fn remove_holiday(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SettingsForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HR_ROLES)?.clone();
    let day = rules::parse_date(&f.day).map_err(|e| AppError::Invalid(e.into()))?;
    loket_app::telework::remove_holiday(&state, &Actor::User(user.id), day).await?;
    Ok(Redirect::to("/staff/telework/settings#holidays").into_response())
}

pub async fn save_layout(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SettingsForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HR_ROLES)?.clone();
    let result = match ExportLayout::parse(
        &f.columns,
        &f.delimiter,
        &f.wage_code_allowance,
        &f.wage_code_correction,
    ) {
        Ok(layout) => store::save_export_layout(&state.store, &Actor::User(user.id), &layout)
            .await
            .map_err(AppError::from),
        Err(errs) => Err(AppError::Invalid(Invalid(errs))),
    };
    settings_result(&state, &ctx, result, f, "export").await
}

// ---- the dashboard ----

/// One bar of a chart, with its geometry computed here (no inline styles).
pub struct Bar {
    pub label: String,
    pub percent: i64,
    pub detail: String,
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    pub text_x: i64,
    pub text_y: i64,
}

#[derive(Template)]
#[template(path = "telework/dashboard.html")]
struct DashboardPage {
    l: Layout,
    month: String,
    months: Vec<(String, bool)>,
    headline: String,
    monthly: Vec<Bar>,
    monthly_w: i64,
    depts: Vec<Bar>,
    depts_h: i64,
    staff: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DashQuery {
    pub month: String,
}

/// Vertical bars, 0–100 %, 40 px wide each, 200 px high.
fn month_bars(shares: &[Share]) -> Vec<Bar> {
    shares
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let i = i64::try_from(i).unwrap_or(0);
            let h = s.percent * 2;
            Bar {
                label: s.month.to_string(),
                percent: s.percent,
                detail: format!("{}/{}", s.teleworkers, s.staff),
                x: 40 + i * 56,
                y: 220 - h,
                w: 40,
                h,
                text_x: 60 + i * 56,
                text_y: 214 - h,
            }
        })
        .collect()
}

/// Horizontal bars per department, 0–100 % over 400 px.
fn dept_bars(shares: &[Share]) -> Vec<Bar> {
    shares
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let i = i64::try_from(i).unwrap_or(0);
            let w = s.percent * 4;
            Bar {
                label: s.department.clone(),
                percent: s.percent,
                detail: format!("{}/{}", s.teleworkers, s.staff),
                x: 170,
                y: 10 + i * 26,
                w,
                h: 18,
                text_x: 176 + w,
                text_y: 24 + i * 26,
            }
        })
        .collect()
}

pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashQuery>,
) -> Result<Response, AppError> {
    ctx.require(HR_ROLES)?;
    let sh = views::shares(&state, &q.month).await?;
    let month = sh.month;
    let this = sh.this();
    let headline = ctx.locale.t_args(
        "tw-dash-headline",
        &[
            ("percent", this.map(|s| s.percent).unwrap_or(0).to_string()),
            ("month", month.to_string()),
        ],
    );
    let monthly = month_bars(&sh.overall);
    let n = i64::try_from(monthly.len()).unwrap_or(0);
    let depts = dept_bars(&sh.departments);
    let dn = i64::try_from(depts.len()).unwrap_or(0);
    let l = ctx.layout("tw-dash-title");
    render(
        StatusCode::OK,
        DashboardPage {
            l,
            month: month.to_string(),
            months: sh
                .overall
                .iter()
                .map(|s| (s.month.to_string(), s.month == month))
                .collect(),
            headline,
            monthly,
            monthly_w: 60 + n * 56,
            depts,
            depts_h: 20 + dn * 26,
            staff: this.map(|s| s.staff).unwrap_or(0),
        },
    )
}
