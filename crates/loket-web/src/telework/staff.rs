//! Staff records for HR and admins: the list, the CSV import (all or
//! nothing, errors by line and column), a staff member's page with leave,
//! telework months, payroll lines and corrections, and the leave import.

use super::{CsvErrorRow, HR_ROLES, csv_errors};
use crate::AppState;
use crate::common::render;
use crate::common::{ServiceForm, csv_text};
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_app::telework::{self, views};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::paging::{DEFAULT_LIMIT, PageQuery};
use loket_domain::telework::{self as rules, Month, STAFF_COLUMNS, euro};
use loket_store::telework::{self as store, StaffMember};
use serde::Deserialize;
use std::collections::HashSet;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub department: String,
    pub cursor: String,
    pub limit: String,
}

#[derive(Template)]
#[template(path = "telework/people.html")]
struct ListPage {
    l: Layout,
    q: String,
    departments: Vec<(String, bool)>,
    rows: Vec<StaffMember>,
    pager: crate::paging::Pager,
}

/// `/staff/people`: staff members by name, filtered, a page at a time
/// (keyset on name and number; before, page numbers with OFFSET).
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    ctx.require(HR_ROLES)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::STAFF_PAGING)?;
    let page = store::staff_page(&state.store, &q.q, &q.department, &pq).await?;
    let total = store::staff_total(
        &state.store,
        &q.q,
        &q.department,
        loket_domain::paging::TOTAL_CAP,
    )
    .await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/staff/people",
        &[("q", &q.q), ("department", &q.department)],
        &page,
        &pq,
        total,
        Some("/staff/people.csv"),
    );
    let departments = store::departments(&state.store)
        .await?
        .into_iter()
        .map(|d| {
            let sel = d == q.department;
            (d, sel)
        })
        .collect();
    render(
        StatusCode::OK,
        ListPage {
            l: ctx.layout("staff-people-title"),
            q: q.q,
            departments,
            rows: page.items,
            pager,
        },
    )
}

/// The staff list as CSV, with the page's filters, every row (streamed,
/// 500 per query).
pub async fn list_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    ctx.require(HR_ROLES)?;
    let locale = ctx.locale;
    Ok(crate::paging::csv_export(
        &format!("staff-members-{}.csv", crate::i18n::today_brussels()),
        locale,
        &[
            "tw-col-employee-no",
            "tw-col-name",
            "tw-col-department",
            "tw-col-manager",
            "tw-col-regime",
            "tw-col-eligible",
        ],
        (state, (q.q.clone(), q.department.clone())),
        move |(state, (text, department)), pq| async move {
            let page = store::staff_page(&state.store, &text, &department, &pq).await?;
            let rows = page
                .items
                .iter()
                .map(|s| {
                    vec![
                        s.employee_no.clone(),
                        s.name.clone(),
                        s.department.clone(),
                        s.manager_no.clone().unwrap_or_default(),
                        s.regime_percent.to_string(),
                        locale.t(if s.telework_eligible { "yes" } else { "no" }),
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

// ---- import ----

#[derive(Template)]
#[template(path = "telework/import.html")]
struct ImportPage {
    l: Layout,
    action: String,
    columns: String,
    example: String,
    hint_id: String,
    text: String,
    errors: Vec<CsvErrorRow>,
    summary: FormErrors,
    done: Option<String>,
}

fn import_page(
    ctx: &Ctx,
    csrf: String,
    leave: bool,
    text: String,
    errors: Vec<CsvErrorRow>,
    done: Option<String>,
) -> ImportPage {
    let mut l = ctx.layout(if leave {
        "staff-leave-import-title"
    } else {
        "staff-import-title"
    });
    l.csrf = csrf;
    let summary = if errors.is_empty() {
        FormErrors::default()
    } else {
        FormErrors::general(ctx.locale.t_args(
            "staff-import-refused",
            &[("count", errors.len().to_string())],
        ))
    };
    ImportPage {
        l,
        action: if leave {
            "/staff/people/leave/import".to_owned()
        } else {
            "/staff/people/import".to_owned()
        },
        columns: if leave {
            "employee_no;from;to".to_owned()
        } else {
            STAFF_COLUMNS.join(";")
        },
        example: if leave {
            "E1001;2026-11-16;2026-11-20".to_owned()
        } else {
            "E1001;An Peeters;an.peeters@leuven.example;ICT;E1000;80%;ja;".to_owned()
        },
        hint_id: if leave {
            "staff-leave-import-hint".to_owned()
        } else {
            "staff-import-hint".to_owned()
        },
        text,
        errors,
        summary,
        done,
    }
}

pub async fn import_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
) -> Result<Response, AppError> {
    ctx.require(HR_ROLES)?;
    let csrf = ctx.csrf(&state).await?;
    render(
        StatusCode::OK,
        import_page(&ctx, csrf, false, String::new(), Vec::new(), None),
    )
}

pub async fn leave_import_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
) -> Result<Response, AppError> {
    ctx.require(HR_ROLES)?;
    let csrf = ctx.csrf(&state).await?;
    render(
        StatusCode::OK,
        import_page(&ctx, csrf, true, String::new(), Vec::new(), None),
    )
}

/// Imports staff records: every line checked, then all written in one
/// transaction, or none when any line is wrong.
pub async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    form: ServiceForm,
) -> Result<Response, AppError> {
    ctx.check_csrf(form.values.get("csrf").map(String::as_str).unwrap_or(""))?;
    let user = ctx.require(HR_ROLES)?.clone();
    let csrf = form.values.get("csrf").cloned().unwrap_or_default();
    let text = csv_text(&form);
    let known = store::known_staff(&state.store).await?;
    let shown = form.values.get("text").cloned().unwrap_or_default();
    match rules::parse_staff_csv(&text, &known) {
        Err(errors) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            import_page(
                &ctx,
                csrf,
                false,
                shown,
                csv_errors(ctx.locale, &errors),
                None,
            ),
        ),
        Ok(records) => {
            let counts =
                telework::import_staff(&state, &Actor::User(user.id.clone()), &records).await?;
            let done = ctx.locale.t_args(
                "staff-import-done",
                &[
                    ("created", counts.created.to_string()),
                    ("updated", counts.updated.to_string()),
                    ("unchanged", counts.unchanged.to_string()),
                ],
            );
            render(
                StatusCode::OK,
                import_page(&ctx, csrf, false, String::new(), Vec::new(), Some(done)),
            )
        }
    }
}

pub async fn leave_import(
    State(state): State<AppState>,
    ctx: Ctx,
    form: ServiceForm,
) -> Result<Response, AppError> {
    ctx.check_csrf(form.values.get("csrf").map(String::as_str).unwrap_or(""))?;
    let user = ctx.require(HR_ROLES)?.clone();
    let csrf = form.values.get("csrf").cloned().unwrap_or_default();
    let text = csv_text(&form);
    let known: HashSet<String> = store::known_staff(&state.store).await?.employee_nos;
    let shown = form.values.get("text").cloned().unwrap_or_default();
    match rules::parse_leave_csv(&text, &known) {
        Err(errors) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            import_page(
                &ctx,
                csrf,
                true,
                shown,
                csv_errors(ctx.locale, &errors),
                None,
            ),
        ),
        Ok(records) => {
            let n = telework::import_leave(&state, &Actor::User(user.id.clone()), &records).await?;
            let done = ctx
                .locale
                .t_args("staff-leave-import-done", &[("count", n.to_string())]);
            render(
                StatusCode::OK,
                import_page(&ctx, csrf, true, String::new(), Vec::new(), Some(done)),
            )
        }
    }
}

// ---- one staff member ----

pub struct MonthRow {
    pub month: String,
    pub status: String,
    pub full: i64,
    pub half: i64,
}

pub struct LineRow {
    pub month: String,
    pub for_month: String,
    pub kind: String,
    pub days: String,
    pub amount: String,
    pub rule_version: i64,
}

#[derive(Template)]
#[template(path = "telework/person.html")]
struct PersonPage {
    l: Layout,
    s: StaffMember,
    manager: Option<StaffMember>,
    team: Vec<StaffMember>,
    account: bool,
    leave: Vec<String>,
    months: Vec<MonthRow>,
    lines: Vec<LineRow>,
    errors: FormErrors,
    from: String,
    to: String,
    c_month: String,
    c_full: String,
    c_half: String,
    c_reason: String,
    /// Equipment on loan to this staff member's account:
    /// (tag, category, model, due on).
    loans: Vec<[String; 4]>,
    /// The account's id, for the leaver's return list.
    user_id: String,
    /// Leaving (an end date) with equipment still on loan.
    must_return: bool,
    /// "More than 500 items on loan…" when the list shows only the
    /// first, else ''.
    loans_more: String,
    /// Pages of the payroll lines (every month closed adds one).
    pager: crate::paging::Pager,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PersonForm {
    pub csrf: String,
    pub from: String,
    pub to: String,
    pub for_month: String,
    pub full_days: String,
    pub half_days: String,
    pub reason: String,
}

async fn person_page(
    state: &AppState,
    ctx: &Ctx,
    s: StaffMember,
    errors: FormErrors,
    f: PersonForm,
    pq: &PageQuery,
) -> Result<PersonPage, AppError> {
    let file = views::person(state, &s, pq).await?;
    let must_return = file.must_return(&s);
    let loans_more = if file.loans_more {
        ctx.locale.t_args(
            "staff-equipment-more",
            &[(
                "count",
                crate::paging::format_count(ctx.locale, views::PERSON_LOANS_SHOWN as i64),
            )],
        )
    } else {
        String::new()
    };
    let pager = crate::paging::Pager::new(
        ctx.locale,
        &format!("/staff/people/{}", s.employee_no),
        &[],
        &file.lines,
        pq,
        file.lines_total,
        None,
    );
    let loans = file
        .loans
        .into_iter()
        .map(|x| {
            [
                x.tag,
                ctx.locale
                    .t(&format!("asset-cat-{}", x.category.replace('_', "-"))),
                x.model,
                x.due_on,
            ]
        })
        .collect();
    let months = file
        .months
        .iter()
        .map(|m| MonthRow {
            month: m.view.month.to_string(),
            status: super::days::status_label(ctx.locale, m.view.status, m.view.closed),
            full: m.full,
            half: m.half,
        })
        .collect();
    let lines = file
        .lines
        .items
        .into_iter()
        .map(|l| LineRow {
            month: l.month.to_string(),
            for_month: l.for_month.to_string(),
            kind: ctx.locale.t(&format!("tw-kind-{}", l.kind.as_str())),
            days: rules::days_text(l.half_units),
            amount: euro(l.amount_cents),
            rule_version: l.rule_version,
        })
        .collect();
    let leave = file.leave.iter().map(|d| d.to_string()).collect();
    let (manager, team) = (file.manager, file.team);
    let account = file.user_id.is_some();
    let user_id = file.user_id.unwrap_or_default();
    let mut l = ctx.layout("staff-person-title");
    l.title = format!("{} — {}", s.name, s.employee_no);
    Ok(PersonPage {
        l,
        s,
        manager,
        team,
        account,
        leave,
        months,
        lines,
        errors,
        from: f.from,
        to: f.to,
        c_month: f.for_month,
        c_full: f.full_days,
        c_half: f.half_days,
        c_reason: f.reason,
        loans,
        user_id,
        must_return,
        loans_more,
        pager,
    })
}

/// The page of a staff file's payroll lines (`?cursor=&limit=`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinesQuery {
    pub cursor: String,
    pub limit: String,
}

pub async fn detail(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(no): Path<String>,
    Query(q): Query<LinesQuery>,
) -> Result<Response, AppError> {
    ctx.require(HR_ROLES)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::PAY_LINES_PAGING)?;
    let s = store::staff_by_no(&state.store, &no)
        .await?
        .ok_or(AppError::NotFound)?;
    ctx.csrf(&state).await?;
    let page = person_page(
        &state,
        &ctx,
        s,
        FormErrors::default(),
        PersonForm::default(),
        &pq,
    )
    .await?;
    render(StatusCode::OK, page)
}

async fn refused(
    state: &AppState,
    ctx: &Ctx,
    s: StaffMember,
    inv: &Invalid,
    f: PersonForm,
) -> Result<Response, AppError> {
    let errors = FormErrors::from_invalid(ctx.locale, inv);
    let first = PageQuery::first(DEFAULT_LIMIT);
    let page = person_page(state, ctx, s, errors, f, &first).await?;
    render(StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// Records leave from one date to another (both included).
pub async fn add_leave(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(no): Path<String>,
    Form(f): Form<PersonForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HR_ROLES)?.clone();
    let s = store::staff_by_no(&state.store, &no)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut inv = Invalid::default();
    let from = inv.check("from", rules::parse_date(&f.from));
    let to = if f.to.trim().is_empty() {
        from
    } else {
        inv.check("to", rules::parse_date(&f.to))
    };
    if let (Some(a), Some(b)) = (from, to)
        && let Err(e) = rules::check_leave(a, b)
    {
        inv.0.push(e);
    }
    let (Some(from), Some(to), true) = (from, to, inv.is_empty()) else {
        return refused(&state, &ctx, s, &inv, f).await;
    };
    match telework::add_leave(&state, &Actor::User(user.id.clone()), &s.id, from, to).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/staff/people/{}#leave", s.employee_no)).into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Invalid(inv) => refused(&state, &ctx, s, &inv, f).await,
            other => Err(other),
        },
    }
}

/// Records a correction of a closed month; the next closed month pays it.
pub async fn add_correction(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(no): Path<String>,
    Form(f): Form<PersonForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HR_ROLES)?.clone();
    let s = store::staff_by_no(&state.store, &no)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut inv = Invalid::default();
    let month = inv.check("for_month", Month::parse(&f.for_month));
    let num = |v: &str, field: &str, inv: &mut Invalid| match v.trim() {
        "" => Some(0),
        t => match t.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                inv.push(field, "number-invalid");
                None
            }
        },
    };
    let full = num(&f.full_days, "full_days", &mut inv);
    let half = num(&f.half_days, "half_days", &mut inv);
    let (Some(month), Some(full), Some(half), true) = (month, full, half, inv.is_empty()) else {
        return refused(&state, &ctx, s, &inv, f).await;
    };
    match store::add_correction(
        &state.store,
        &Actor::User(user.id.clone()),
        &s,
        month,
        full,
        half,
        &f.reason,
    )
    .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/staff/people/{}#corrections", s.employee_no)).into_response(),
        ),
        Err(e) => match AppError::from(e) {
            AppError::Invalid(inv) => refused(&state, &ctx, s, &inv, f).await,
            other => Err(other),
        },
    }
}
