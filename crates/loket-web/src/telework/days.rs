//! A staff member's month calendar (register planned and confirmed telework
//! days, full or half) and the manager's team month with approve/reject.

use super::{day_errors, month_or_current, staff_of};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{Locale, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Weekday;
use loket_app::telework::views;
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::telework::{self as rules, DayKind, DayState, Month, MonthStatus, euro};
use loket_store::telework::{self as store, DayChange, Decision, Mode, MonthView, StaffMember};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MonthQuery {
    pub month: String,
    pub saved: String,
    pub manager: String,
}

/// One day of the calendar.
pub struct Cell {
    pub date: String,
    pub day: i8,
    /// `work`, `weekend`, `holiday`, `leave`, `after-end`.
    pub what: &'static str,
    pub label: String,
    /// The select's value: '', `planned-full`, `planned-half`, `full`, `half`.
    pub value: String,
    pub editable: bool,
    pub future: bool,
    pub error: Option<String>,
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
}

#[derive(Template)]
#[template(path = "telework/calendar.html")]
struct CalendarPage {
    l: Layout,
    member: StaffMember,
    month: String,
    prev: String,
    next: Option<String>,
    weekdays: Vec<String>,
    weeks: Vec<Vec<Option<Cell>>>,
    choices: Vec<Choice>,
    status: MonthStatus,
    status_label: String,
    comment: String,
    closed: bool,
    locked: bool,
    confirmed_full: i64,
    confirmed_half: i64,
    planned: i64,
    amount: String,
    rate: String,
    over_tax_free: bool,
    eligible: bool,
    errors: FormErrors,
    is_manager: bool,
}

fn value_of(kind: DayKind, state: DayState) -> &'static str {
    match (state, kind) {
        (DayState::Planned, DayKind::Full) => "planned-full",
        (DayState::Planned, DayKind::Half) => "planned-half",
        (DayState::Confirmed, DayKind::Full) => "full",
        (DayState::Confirmed, DayKind::Half) => "half",
    }
}

fn parse_value(v: &str) -> Option<Option<(DayKind, DayState)>> {
    match v {
        "" => Some(None),
        "planned-full" => Some(Some((DayKind::Full, DayState::Planned))),
        "planned-half" => Some(Some((DayKind::Half, DayState::Planned))),
        "full" => Some(Some((DayKind::Full, DayState::Confirmed))),
        "half" => Some(Some((DayKind::Half, DayState::Confirmed))),
        _ => None,
    }
}

pub fn weekday_names(locale: Locale) -> Vec<String> {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| locale.t(&format!("tw-wd-{d}")))
        .collect()
}

pub fn status_label(locale: Locale, status: MonthStatus, closed: bool) -> String {
    if closed {
        return locale.t("tw-status-closed");
    }
    locale.t(&format!("tw-status-{status}"))
}

/// The calendar of `member`'s month, with `values` shown (the stored days,
/// or the input of a refused form).
#[allow(clippy::too_many_arguments)]
async fn calendar_page(
    state: &AppState,
    ctx: &Ctx,
    mut l: Layout,
    member: StaffMember,
    view: &MonthView,
    values: &BTreeMap<String, String>,
    errors: FormErrors,
    is_manager: bool,
) -> Result<CalendarPage, AppError> {
    let month = view.month;
    let today = today_brussels();
    let cal = views::calendar(state, &member, view).await?;
    let mut weeks: Vec<Vec<Option<Cell>>> = Vec::new();
    let mut week: Vec<Option<Cell>> = Vec::new();
    let first = month.first_day();
    let pad = usize::try_from(first.weekday().to_monday_zero_offset()).unwrap_or(0);
    for _ in 0..pad {
        week.push(None);
    }
    let locked = view.closed || view.status == MonthStatus::Approved;
    for &(d, what) in &cal.days {
        let key = d.to_string();
        let what = what.as_str();
        let value = values.get(&key).cloned().unwrap_or_default();
        let error = errors.get(&format!("d-{key}")).map(str::to_owned);
        week.push(Some(Cell {
            label: ctx.locale.t_args(
                "tw-day-label",
                &[
                    ("date", key.clone()),
                    (
                        "weekday",
                        weekday_names(ctx.locale)
                            [usize::try_from(d.weekday().to_monday_zero_offset()).unwrap_or(0)]
                        .clone(),
                    ),
                ],
            ),
            date: key,
            day: d.day(),
            what,
            value,
            editable: what == "work" && !locked,
            future: d > today,
            error,
        }));
        if d.weekday() == Weekday::Sunday {
            weeks.push(std::mem::take(&mut week));
        }
    }
    if !week.is_empty() {
        while week.len() < 7 {
            week.push(None);
        }
        weeks.push(week);
    }
    let choices = ["", "planned-full", "planned-half", "full", "half"]
        .into_iter()
        .map(|v| Choice {
            value: v,
            label: ctx.locale.t(&format!(
                "tw-choice-{}",
                if v.is_empty() { "none" } else { v }
            )),
        })
        .collect();
    let allowance = cal.allowance;
    let planned = cal.planned;
    let current = Month::of(today);
    l.title = format!("{} — {month}", l.title);
    Ok(CalendarPage {
        l,
        month: month.to_string(),
        prev: month.prev().to_string(),
        next: (month < current).then(|| month.next().to_string()),
        weekdays: weekday_names(ctx.locale),
        weeks,
        choices,
        status: view.status,
        status_label: status_label(ctx.locale, view.status, view.closed),
        comment: view.comment.clone(),
        closed: view.closed,
        locked,
        confirmed_full: allowance.as_ref().map(|a| a.full_days).unwrap_or(0),
        confirmed_half: allowance.as_ref().map(|a| a.half_days).unwrap_or(0),
        planned,
        amount: allowance
            .as_ref()
            .map(|a| euro(a.amount_cents))
            .unwrap_or_else(|| euro(0)),
        rate: allowance
            .as_ref()
            .map(|a| euro(a.full_day_cents))
            .unwrap_or_else(|| euro(0)),
        over_tax_free: allowance.as_ref().is_some_and(|a| a.over_tax_free),
        eligible: allowance.as_ref().is_some_and(|a| a.eligible),
        member,
        errors,
        is_manager,
    })
}

fn stored_values(view: &MonthView) -> BTreeMap<String, String> {
    view.days
        .iter()
        .map(|d| (d.day.clone(), value_of(d.kind, d.state).to_owned()))
        .collect()
}

#[derive(Template)]
#[template(path = "telework/not_linked.html")]
struct NotLinked {
    l: Layout,
}

/// The signed-in person's staff record, or a page that says there is none.
async fn me_or_page(
    state: &AppState,
    ctx: &Ctx,
) -> Result<Result<StaffMember, Response>, AppError> {
    let user = ctx.user()?;
    match staff_of(state, user).await? {
        Some(m) => Ok(Ok(m)),
        None => Ok(Err(render(
            StatusCode::OK,
            NotLinked {
                l: ctx.layout("tw-title"),
            },
        )?)),
    }
}

pub async fn calendar(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let me = match me_or_page(&state, &ctx).await? {
        Ok(m) => m,
        Err(page) => return Ok(page),
    };
    let month = month_or_current(&q.month);
    let view = store::month_view(&state.store, &me.id, month).await?;
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("tw-title");
    l.csrf = csrf;
    if q.saved == "1" {
        l.notice = Some(ctx.locale.t("tw-saved"));
    }
    let is_manager = !store::team(&state.store, &me.employee_no).await?.is_empty();
    let values = stored_values(&view);
    let page = calendar_page(
        &state,
        &ctx,
        l,
        me,
        &view,
        &values,
        FormErrors::default(),
        is_manager,
    )
    .await?;
    render(StatusCode::OK, page)
}

/// Saves the month from the calendar form. `action=confirm` also confirms
/// every planned day up to today.
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    ctx.check_csrf(form.get("csrf").map(String::as_str).unwrap_or(""))?;
    let me = match me_or_page(&state, &ctx).await? {
        Ok(m) => m,
        Err(page) => return Ok(page),
    };
    let user = ctx.user()?.clone();
    let month = Month::parse(form.get("month").map(String::as_str).unwrap_or(""))
        .map_err(|e| AppError::Invalid(e.into()))?;
    let today = today_brussels();
    let view = store::month_view(&state.store, &me.id, month).await?;
    let confirm = form.get("action").is_some_and(|a| a == "confirm");
    let mut values: BTreeMap<String, String> = stored_values(&view);
    let mut changes = Vec::new();
    let mut inv = Invalid::default();
    for d in month.days() {
        let key = d.to_string();
        let Some(v) = form.get(&format!("d-{key}")) else {
            continue;
        };
        let mut v = v.clone();
        if confirm && d <= today {
            v = match v.as_str() {
                "planned-full" => "full".to_owned(),
                "planned-half" => "half".to_owned(),
                other => other.to_owned(),
            };
        }
        let Some(set) = parse_value(&v) else {
            inv.push(key.clone(), "telework-kind-invalid");
            continue;
        };
        let old = values.get(&key).cloned().unwrap_or_default();
        if old != v {
            changes.push(DayChange { date: d, set });
        }
        if v.is_empty() {
            values.remove(&key);
        } else {
            values.insert(key, v);
        }
    }
    let result = if !inv.is_empty() {
        Err(AppError::Invalid(inv))
    } else if changes.is_empty() {
        Ok(())
    } else {
        store::save_days(
            &state.store,
            &Actor::User(user.id.clone()),
            &me,
            month,
            &changes,
            today,
            Mode::Replace,
        )
        .await
        .map(|_| ())
        .map_err(AppError::from)
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/telework?month={month}&saved=1")).into_response()),
        Err(AppError::Invalid(inv)) | Err(AppError::Conflict(inv)) => {
            let errors = day_errors(ctx.locale, &inv);
            let mut l = ctx.layout("tw-title");
            l.csrf = form.get("csrf").cloned().unwrap_or_default();
            let is_manager = !store::team(&state.store, &me.employee_no).await?.is_empty();
            let page =
                calendar_page(&state, &ctx, l, me, &view, &values, errors, is_manager).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e),
    }
}

// ---- the manager's team ----

pub struct TeamRow {
    pub employee_no: String,
    pub name: String,
    pub status: MonthStatus,
    pub status_label: String,
    pub comment: String,
    pub version: i64,
    pub full: i64,
    pub half: i64,
    pub planned: i64,
    pub amount: String,
    /// Per working day of the month: the marker shown.
    pub cells: Vec<String>,
    pub can_decide: bool,
    pub error: Option<String>,
    pub comment_input: String,
}

#[derive(Template)]
#[template(path = "telework/team.html")]
struct TeamPage {
    l: Layout,
    month: String,
    prev: String,
    next: Option<String>,
    days: Vec<(String, String)>,
    rows: Vec<TeamRow>,
    errors: FormErrors,
    summary: String,
}

/// The manager asked for: the signed-in staff member, or for HR any
/// manager by employee number.
async fn manager_for(state: &AppState, ctx: &Ctx, wanted: &str) -> Result<StaffMember, AppError> {
    let user = ctx.user()?;
    if !wanted.is_empty() && user.roles.any(super::HR_ROLES) {
        return store::staff_by_no(&state.store, wanted)
            .await?
            .ok_or(AppError::NotFound);
    }
    let me = staff_of(state, user).await?.ok_or(AppError::Forbidden)?;
    if store::team(&state.store, &me.employee_no).await?.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(me)
}

async fn team_page(
    state: &AppState,
    ctx: &Ctx,
    manager: &StaffMember,
    month: Month,
    errors: FormErrors,
    failed: Option<(&str, &str)>,
    is_manager: bool,
) -> Result<TeamPage, AppError> {
    let today = today_brussels();
    let team = views::team(state, manager, month).await?;
    let mut rows = Vec::new();
    for t in team.members {
        let (m, v) = (t.member, t.view);
        let (error, comment_input) = match failed {
            Some((no, comment)) if no == m.employee_no => (
                errors.items.first().map(|e| e.message.clone()),
                comment.to_owned(),
            ),
            _ => (None, String::new()),
        };
        rows.push(TeamRow {
            status_label: status_label(ctx.locale, v.status, v.closed),
            status: v.status,
            comment: v.comment.clone(),
            version: v.version,
            full: t.full,
            half: t.half,
            planned: t.planned,
            amount: euro(t.amount_cents),
            cells: t.cells.iter().map(|c| (*c).to_owned()).collect(),
            can_decide: is_manager && !v.closed && month <= Month::of(today),
            error,
            comment_input,
            employee_no: m.employee_no,
            name: m.name,
        });
    }
    let (workdays, total_units, approved) = (team.workdays, team.total_units, team.approved);
    let mut l = ctx.layout("tw-team-title");
    l.title = format!("{} — {} — {month}", l.title, manager.name);
    let current = Month::of(today);
    Ok(TeamPage {
        l,
        month: month.to_string(),
        prev: month.prev().to_string(),
        next: (month < current).then(|| month.next().to_string()),
        days: workdays
            .iter()
            .map(|d| {
                (
                    d.day().to_string(),
                    weekday_names(ctx.locale)
                        [usize::try_from(d.weekday().to_monday_zero_offset()).unwrap_or(0)]
                    .clone(),
                )
            })
            .collect(),
        summary: ctx.locale.t_args(
            "tw-team-summary",
            &[
                ("days", rules::days_text(total_units)),
                ("approved", approved.to_string()),
                ("count", rows.len().to_string()),
            ],
        ),
        rows,
        errors,
    })
}

pub async fn team(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    ctx.user()?;
    let manager = manager_for(&state, &ctx, &q.manager).await?;
    let month = month_or_current(&q.month);
    ctx.csrf(&state).await?;
    let me = staff_of(&state, ctx.user()?).await?;
    let is_manager = me.is_some_and(|m| m.employee_no == manager.employee_no);
    let mut page = team_page(
        &state,
        &ctx,
        &manager,
        month,
        FormErrors::default(),
        None,
        is_manager,
    )
    .await?;
    if q.saved == "1" {
        page.l.notice = Some(ctx.locale.t("tw-decided"));
    }
    render(StatusCode::OK, page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    pub csrf: String,
    pub employee_no: String,
    pub month: String,
    pub version: i64,
    pub decision: String,
    pub comment: String,
}

/// Approves or rejects a team member's month (their manager only).
pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<DecideForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.user()?.clone();
    let me = staff_of(&state, &user).await?.ok_or(AppError::Forbidden)?;
    let member = store::staff_by_no(&state.store, &f.employee_no)
        .await?
        .ok_or(AppError::NotFound)?;
    if member.manager_no.as_deref() != Some(me.employee_no.as_str()) {
        return Err(AppError::Forbidden);
    }
    let month = Month::parse(&f.month).map_err(|e| AppError::Invalid(e.into()))?;
    let decision = match f.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        _ => {
            return Err(AppError::Invalid(Invalid::one(
                "decision",
                "telework-decision-invalid",
            )));
        }
    };
    let today = loket_domain::calendar::today_brussels().to_string();
    match store::decide(
        &state.store,
        &Actor::User(user.id.clone()),
        &me,
        &today,
        &member,
        month,
        decision,
        &f.comment,
        f.version,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/telework/team?month={month}&saved=1")).into_response()),
        Err(e) => match AppError::from(e) {
            AppError::Invalid(inv) | AppError::Conflict(inv) => {
                let errors = FormErrors::from_invalid(ctx.locale, &inv);
                let mut errors = errors;
                for e in &mut errors.items {
                    e.field = format!("comment-{}", member.employee_no);
                }
                let page = team_page(
                    &state,
                    &ctx,
                    &me,
                    month,
                    errors,
                    Some((&member.employee_no, &f.comment)),
                    true,
                )
                .await?;
                render(StatusCode::UNPROCESSABLE_ENTITY, page)
            }
            other => Err(other),
        },
    }
}
