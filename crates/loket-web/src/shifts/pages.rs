//! Shift pages: the volunteer's `/shifts` (open shifts, my shifts, the
//! feed URL), the feed itself, and the planner's pages under
//! `/staff/shifts` (days, a shift with its people and the assignment form,
//! roles and rules, coverage, qualifications of staff).

use super::{
    ChangeKind, DAYS_AHEAD, PLANNERS, VOLUNTEERS, add_days, feed_token_valid, feed_url,
    is_rule_breach, local, notify_people, sign_up_for,
};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{Locale, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use loket_domain::Invalid;
use loket_domain::appointments::brussels;
use loket_domain::audit::Actor;
use loket_domain::shifts::{self as rules, Rules};
use loket_render::appointments::{self as ical, FeedEvent};
use loket_store::StoreError;
use loket_store::shifts::{self as store, Shift};
use serde::Deserialize;

/// A shift as a table row.
pub struct Row {
    pub id: String,
    pub role: String,
    pub day: String,
    pub time: String,
    pub headcount: i64,
    pub filled: i64,
    pub level: &'static str,
    pub released: bool,
    pub release: String,
    pub cancelled: bool,
    /// Whether the viewer holds the role's qualification (or it needs none).
    pub qualified: bool,
}

impl Row {
    /// The Fluent id of the coverage level's text.
    pub fn level_id(&self) -> &'static str {
        level_id(self.level)
    }
}

/// The Fluent id of a coverage level's text.
pub fn level_id(level: &str) -> &'static str {
    match level {
        "full" => "shift-level-full",
        "short" => "shift-level-short",
        _ => "shift-level-gap",
    }
}

impl CoverageRow {
    pub fn level_id(&self) -> &'static str {
        level_id(self.level)
    }
}

fn time_of(s: &Shift) -> String {
    let a = local(s.starts_at);
    let b = local(s.ends_at);
    format!(
        "{}–{}",
        a.get(11..).unwrap_or_default(),
        b.get(11..).unwrap_or_default()
    )
}

fn row_of(s: &Shift, lang: &str, now: i64, held: &[String]) -> Row {
    Row {
        id: s.id.clone(),
        role: s.role_name(lang).to_owned(),
        day: s.day.clone(),
        time: time_of(s),
        headcount: s.headcount,
        filled: s.filled,
        level: rules::coverage_level(s.headcount, s.filled),
        released: now >= s.release_at,
        release: local(s.release_at),
        cancelled: s.status != "open",
        qualified: s.qualification.as_ref().is_none_or(|q| held.contains(q)),
    }
}

fn refusal(e: AppError) -> Result<Invalid, AppError> {
    match e {
        AppError::Invalid(inv) | AppError::Conflict(inv) => Ok(inv),
        other => Err(other),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    pub csrf: String,
}

// ---- the volunteer ----

#[derive(Template)]
#[template(path = "shifts/volunteer.html")]
struct VolunteerPage {
    l: Layout,
    errors: FormErrors,
    open: Vec<Row>,
    mine: Vec<Row>,
    feed: String,
    qualifications: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    pub done: String,
}

async fn volunteer_page(
    state: &AppState,
    ctx: &mut Ctx,
    errors: FormErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = ctx.require(VOLUNTEERS)?.clone();
    let lang = ctx.locale.code();
    let now = loket_store::now_ms();
    let held = store::qualifications_of(&state.store, &user.id).await?;
    let mine_s = store::my_signups(&state.store, &user.id, now).await?;
    let today = today_brussels().to_string();
    let open = store::list_shifts(
        &state.store,
        &today,
        &add_days(&today, DAYS_AHEAD),
        "",
        true,
    )
    .await?
    .into_iter()
    .filter(|s| s.starts_at > now)
    .filter(|s| !mine_s.iter().any(|m| m.shift.id == s.id))
    .map(|s| row_of(&s, lang, now, &held))
    .filter(|r| r.qualified)
    .collect();
    let mine = mine_s
        .iter()
        .map(|m| row_of(&m.shift, lang, now, &held))
        .collect();
    let all_q = store::list_qualifications(&state.store).await?;
    let qualifications = all_q
        .iter()
        .filter(|q| held.contains(&q.code))
        .map(|q| q.name(lang).to_owned())
        .collect::<Vec<_>>()
        .join(", ");
    let feed = feed_url(state, &user.id).await?;
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("shift-title");
    l.csrf = csrf;
    l.notice = notice;
    render(
        status,
        VolunteerPage {
            l,
            errors,
            open,
            mine,
            feed,
            qualifications,
        },
    )
}

pub async fn volunteer(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let notice = match q.done.as_str() {
        "signup" => Some(ctx.locale.t("shift-done-signup")),
        "cancel" => Some(ctx.locale.t("shift-done-cancel")),
        "feed" => Some(ctx.locale.t("shift-done-feed")),
        _ => None,
    };
    volunteer_page(
        &state,
        &mut ctx,
        FormErrors::default(),
        notice,
        StatusCode::OK,
    )
    .await
}

pub async fn sign_up(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(VOLUNTEERS)?.clone();
    match sign_up_for(
        &state,
        &Actor::User(user.id.clone()),
        &user.id,
        &id,
        None,
        None,
        ctx.locale,
    )
    .await
    .map_err(AppError::from)
    {
        Ok(_) => Ok(Redirect::to("/shifts?done=signup").into_response()),
        Err(e) => {
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            volunteer_page(&state, &mut ctx, errors, None, status).await
        }
    }
}

pub async fn cancel_mine(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(VOLUNTEERS)?.clone();
    let mut tx = state.store.begin().await?;
    match store::cancel_signup(
        &mut tx,
        &Actor::User(user.id.clone()),
        &id,
        &user.id,
        loket_store::now_ms(),
    )
    .await
    {
        Ok(()) => {
            tx.commit().await.map_err(StoreError::from)?;
            Ok(Redirect::to("/shifts?done=cancel").into_response())
        }
        Err(e) => {
            drop(tx);
            let e = AppError::from(e);
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            volunteer_page(&state, &mut ctx, errors, None, status).await
        }
    }
}

pub async fn regenerate_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(VOLUNTEERS)?.clone();
    let mut tx = state.store.begin().await?;
    store::regenerate_feed(&mut tx, &Actor::User(user.id.clone()), &user.id).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to("/shifts?done=feed").into_response())
}

/// `GET /shifts/feed/<token>.ics`: the person's shifts (from 30 days back),
/// no sign-in; a wrong or revoked token is 404.
pub async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let user_id = token.split_once('.').map(|(u, _)| u).unwrap_or_default();
    let settings = store::settings(&state.store).await?;
    let version = store::feed_version(&state.store, user_id).await?;
    if user_id.is_empty() || !feed_token_valid(&settings.feed_key, token, version) {
        return Err(AppError::NotFound);
    }
    let user = loket_store::people::get_user(&state.store, user_id)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or(AppError::NotFound)?;
    let locale = Locale::parse(&user.locale).unwrap_or_default();
    let lang = locale.code();
    let now = loket_store::now_ms();
    let mine = store::feed_signups(&state.store, user_id, now - 30 * 24 * 3_600_000).await?;
    let host = state
        .config
        .public_url
        .split("://")
        .nth(1)
        .unwrap_or("loket")
        .to_owned();
    let uids: Vec<String> = mine
        .iter()
        .map(|m| format!("shift-{}@{host}", m.signup.signup_id))
        .collect();
    let summaries: Vec<String> = mine
        .iter()
        .map(|m| {
            locale.t_args(
                "shift-feed-summary",
                &[("service", m.signup.shift.role_name(lang).to_owned())],
            )
        })
        .collect();
    let location = locale.t("shift-feed-location");
    let events: Vec<FeedEvent<'_>> = mine
        .iter()
        .enumerate()
        .map(|(i, m)| FeedEvent {
            uid: &uids[i],
            // A withdrawal does not change the shift: its cancelled event
            // still supersedes the one the calendar holds.
            sequence: m.signup.shift.sequence + i64::from(m.cancelled),
            start_ms: m.signup.shift.starts_at,
            end_ms: m.signup.shift.ends_at,
            summary: &summaries[i],
            location: &location,
            description: "",
            cancelled: m.cancelled,
        })
        .collect();
    let body = ical::feed(&locale.t("shift-feed-name"), now, &events);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}

// ---- the planner: days and shifts ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CreateForm {
    pub csrf: String,
    pub shift_role: String,
    pub day: String,
    pub start: String,
    pub end: String,
    pub shift_headcount: String,
    pub shift_release_day: String,
    pub shift_release_time: String,
    pub shift_repeat: String,
}

#[derive(Template)]
#[template(path = "shifts/planner.html")]
struct PlannerPage {
    l: Layout,
    day: String,
    days: Vec<(String, bool)>,
    rows: Vec<Row>,
    roles: Vec<(String, String, bool)>,
    form: CreateForm,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DayQuery {
    pub day: String,
    pub done: String,
}

async fn planner_page(
    state: &AppState,
    ctx: &mut Ctx,
    day: String,
    form: CreateForm,
    errors: FormErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.require(PLANNERS)?;
    let lang = ctx.locale.code();
    let now = loket_store::now_ms();
    let today = today_brussels().to_string();
    let mut day_list = store::shift_days(&state.store, &today, 31).await?;
    let day = if day.parse::<jiff::civil::Date>().is_ok() {
        day
    } else {
        day_list.first().cloned().unwrap_or(today)
    };
    if !day_list.contains(&day) {
        day_list.push(day.clone());
        day_list.sort();
    }
    let rows = store::list_shifts(&state.store, &day, &day, "", false)
        .await?
        .iter()
        .map(|s| row_of(s, lang, now, &[]))
        .collect();
    let roles = store::list_roles(&state.store)
        .await?
        .iter()
        .map(|r| {
            (
                r.id.clone(),
                r.name(lang).to_owned(),
                r.id == form.shift_role,
            )
        })
        .collect();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("shift-planner-title");
    l.csrf = csrf;
    l.notice = notice;
    render(
        status,
        PlannerPage {
            l,
            days: day_list
                .into_iter()
                .map(|d| (d.clone(), d == day))
                .collect(),
            day,
            rows,
            roles,
            form,
            errors,
        },
    )
}

pub async fn planner(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<DayQuery>,
) -> Result<Response, AppError> {
    let tomorrow = today_brussels()
        .tomorrow()
        .unwrap_or_else(|_| today_brussels());
    let form = CreateForm {
        day: if q.day.is_empty() {
            tomorrow.to_string()
        } else {
            q.day.clone()
        },
        start: "08:00".to_owned(),
        end: "13:00".to_owned(),
        shift_headcount: "8".to_owned(),
        shift_release_day: today_brussels().to_string(),
        shift_release_time: "18:00".to_owned(),
        shift_repeat: "1".to_owned(),
        ..CreateForm::default()
    };
    let notice = (q.done == "created").then(|| ctx.locale.t("shift-done-created"));
    planner_page(
        &state,
        &mut ctx,
        q.day,
        form,
        FormErrors::default(),
        notice,
        StatusCode::OK,
    )
    .await
}

/// Creates the shift on the day and, with a repeat, on the days after it
/// (the release moves along by the same number of days). All or nothing.
pub async fn create(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<CreateForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    let tz = brussels();
    let mut inv = Invalid::default();
    let role = store::role(&state.store, f.shift_role.trim()).await?;
    if role.is_none() {
        inv.push("shift_role", "shift-role-unknown");
    }
    let day: Option<jiff::civil::Date> = f.day.trim().parse().ok();
    if day.is_none() {
        inv.push("day", "shift-day-invalid");
    }
    let headcount = inv.check(
        "shift_headcount",
        rules::parse_headcount(&f.shift_headcount),
    );
    let repeat = inv.check("shift_repeat", rules::parse_repeat(&f.shift_repeat));
    let release_day: Option<jiff::civil::Date> = f.shift_release_day.trim().parse().ok();
    let release = release_day.and_then(|d| {
        rules::parse_hhmm(&f.shift_release_time)
            .and_then(|t| loket_domain::appointments::parse_start(&format!("{d}T{t}"), &tz))
    });
    if release.is_none() {
        inv.push("shift_release_time", "shift-release-invalid");
    }
    let mut windows = Vec::new();
    if let (Some(day), Some(n)) = (day, repeat) {
        for k in 0..n {
            let Ok(d) = day.checked_add(jiff::Span::new().days(k)) else {
                continue;
            };
            match rules::window(d, &f.start, &f.end, &tz) {
                Ok(w) => windows.push((d, w)),
                Err(e) => {
                    for x in e.0 {
                        if !inv.0.iter().any(|y| y.field == x.field) {
                            inv.0.push(x);
                        }
                    }
                }
            }
        }
    }
    if let (Some(r), Some((_, (s, _)))) = (release, windows.first())
        && r > *s
    {
        inv.push("shift_release_time", "shift-release-after-start");
    }
    let (Some(role), Some(headcount), Some(release), true) =
        (role, headcount, release, inv.is_empty())
    else {
        let errors = FormErrors::from_invalid(ctx.locale, &inv);
        let day = f.day.clone();
        return planner_page(
            &state,
            &mut ctx,
            day,
            f,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let actor = Actor::User(user.id);
    let mut tx = state.store.begin().await?;
    for (k, (d, (s, e))) in windows.iter().enumerate() {
        let day_s = d.to_string();
        store::create_shift(
            &mut tx,
            &actor,
            &store::NewShift {
                role_id: &role.id,
                day: &day_s,
                starts_at: *s,
                ends_at: *e,
                headcount,
                release_at: release + (k as i64) * 24 * 3_600_000,
            },
        )
        .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/staff/shifts?day={}&done=created", f.day.trim())).into_response())
}

// ---- one shift: people, assignment, change, cancel ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AssignForm {
    pub csrf: String,
    pub person: String,
    pub shift_override_reason: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ChangeForm {
    pub csrf: String,
    pub start: String,
    pub end: String,
    pub shift_headcount: String,
}

pub struct PersonRow {
    pub name: String,
    pub email: String,
    pub assigned: bool,
    pub override_reason: String,
    /// The working-time rules this shift breaks for the person now (after
    /// an override or a change of times), as sentences.
    pub breaks: Vec<String>,
}

#[derive(Template)]
#[template(path = "shifts/shift.html")]
struct ShiftPage {
    l: Layout,
    row: Row,
    qualification: String,
    people: Vec<PersonRow>,
    assign: AssignForm,
    change: ChangeForm,
    errors: FormErrors,
    /// A working-time rule broke: offer the override with a reason.
    offer_override: bool,
}

#[allow(clippy::too_many_arguments)]
async fn shift_page(
    state: &AppState,
    ctx: &mut Ctx,
    id: &str,
    assign: Option<AssignForm>,
    change: Option<ChangeForm>,
    errors: FormErrors,
    offer_override: bool,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.require(PLANNERS)?;
    let lang = ctx.locale.code();
    let s = store::get_shift(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let settings = store::settings(&state.store).await?;
    let mut people = Vec::new();
    for p in store::people_on(&state.store, id).await? {
        let others: Vec<rules::Span> = store::active_spans(&state.store, &p.user_id, lang)
            .await?
            .into_iter()
            .filter(|x| x.id != s.id)
            .collect();
        let breaches = rules::check(&settings.rules, &others, s.starts_at, s.ends_at);
        let inv = rules::breaches_invalid("shift", &breaches);
        people.push(PersonRow {
            name: p.name,
            email: p.email,
            assigned: p.assigned_by.is_some(),
            override_reason: p.override_reason.unwrap_or_default(),
            breaks: inv
                .0
                .iter()
                .map(|e| crate::forms::field_message(ctx.locale, e))
                .collect(),
        });
    }
    let qualification = match &s.qualification {
        Some(code) => store::list_qualifications(&state.store)
            .await?
            .into_iter()
            .find(|q| &q.code == code)
            .map(|q| q.name(lang).to_owned())
            .unwrap_or_else(|| code.clone()),
        None => ctx.locale.t("shift-no-qualification"),
    };
    let t = time_of(&s);
    let change = change.unwrap_or_else(|| ChangeForm {
        start: t.get(..5).unwrap_or_default().to_owned(),
        end: t
            .get(t.len().saturating_sub(5)..)
            .unwrap_or_default()
            .to_owned(),
        shift_headcount: s.headcount.to_string(),
        ..ChangeForm::default()
    });
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("shift-shift-title");
    l.csrf = csrf;
    render(
        status,
        ShiftPage {
            l,
            row: row_of(&s, lang, loket_store::now_ms(), &[]),
            qualification,
            people,
            assign: assign.unwrap_or_default(),
            change,
            errors,
            offer_override,
        },
    )
}

pub async fn shift(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    shift_page(
        &state,
        &mut ctx,
        &id,
        None,
        None,
        FormErrors::default(),
        false,
        StatusCode::OK,
    )
    .await
}

/// Assigns a staff member (by e-mail) to the shift. A broken working-time
/// rule re-renders the form naming the rule and the conflicting shift, with
/// a reason field; sent again with a reason, the rule is overridden (and
/// the override audited with the reason).
pub async fn assign(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<AssignForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    let person = loket_store::people::find_by_email(&state.store, f.person.trim())
        .await?
        .filter(|u| u.roles.is_staff());
    let result = match person {
        None => Err(AppError::Invalid(Invalid::one(
            "person",
            "shift-person-unknown",
        ))),
        Some(p) => {
            let reason = f.shift_override_reason.trim();
            let reason_ok = if reason.is_empty() {
                Ok(None)
            } else {
                rules::parse_reason(reason).map(Some)
            };
            match reason_ok {
                Err(e) => Err(AppError::Invalid(e.into())),
                Ok(reason) => sign_up_for(
                    &state,
                    &Actor::User(user.id.clone()),
                    &p.id,
                    &id,
                    Some(&user.id),
                    reason.as_deref(),
                    ctx.locale,
                )
                .await
                .map_err(AppError::from),
            }
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/staff/shifts/{id}")).into_response()),
        Err(e) => {
            let status = e.status();
            let inv = refusal(e)?;
            let offer =
                is_rule_breach(&inv) || inv.0.iter().any(|e| e.field == "shift_override_reason");
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            shift_page(&state, &mut ctx, &id, Some(f), None, errors, offer, status).await
        }
    }
}

/// Changes the shift's times or headcount; everyone on it gets a mail in
/// the same transaction.
pub async fn change(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    let s = store::get_shift(&state.store, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut inv = Invalid::default();
    let headcount = inv.check(
        "shift_headcount",
        rules::parse_headcount(&f.shift_headcount),
    );
    let day: Option<jiff::civil::Date> = s.day.parse().ok();
    let w = day.map(|d| rules::window(d, &f.start, &f.end, &brussels()));
    let w = match w {
        Some(Ok(w)) => Some(w),
        Some(Err(e)) => {
            inv.0.extend(e.0);
            None
        }
        None => None,
    };
    let outcome = match (headcount, w, inv.is_empty()) {
        (Some(h), Some((a, b)), true) => {
            let mut tx = state.store.begin().await?;
            match store::change_shift(&mut tx, &Actor::User(user.id), &id, a, b, h).await {
                Ok((before, people)) => {
                    let mut after = before.clone();
                    after.starts_at = a;
                    after.ends_at = b;
                    after.headcount = h;
                    if before.starts_at != a || before.ends_at != b {
                        notify_people(
                            &mut tx,
                            &state.config,
                            &people,
                            &before,
                            &after,
                            ChangeKind::Changed,
                        )
                        .await?;
                    }
                    tx.commit().await.map_err(StoreError::from)?;
                    Ok(())
                }
                Err(e) => Err(AppError::from(e)),
            }
        }
        _ => Err(AppError::Invalid(inv)),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/staff/shifts/{id}")).into_response()),
        Err(e) => {
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            shift_page(&state, &mut ctx, &id, None, Some(f), errors, false, status).await
        }
    }
}

/// Cancels the shift; everyone on it gets a mail in the same transaction.
pub async fn cancel_shift(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    let mut tx = state.store.begin().await?;
    match store::cancel_shift(&mut tx, &Actor::User(user.id), &id).await {
        Ok((shift, people)) => {
            notify_people(
                &mut tx,
                &state.config,
                &people,
                &shift,
                &shift,
                ChangeKind::Cancelled,
            )
            .await?;
            tx.commit().await.map_err(StoreError::from)?;
            Ok(Redirect::to(&format!("/staff/shifts?day={}", shift.day)).into_response())
        }
        Err(e) => {
            drop(tx);
            let e = AppError::from(e);
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            shift_page(&state, &mut ctx, &id, None, None, errors, false, status).await
        }
    }
}

// ---- roles, qualifications, rules ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RoleForm {
    pub csrf: String,
    pub shift_role_code: String,
    pub name_nl: String,
    pub name_en: String,
    pub shift_qualification: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct QualificationForm {
    pub csrf: String,
    pub shift_qualification_code: String,
    #[serde(rename = "shift_q_name_nl")]
    pub name_nl: String,
    #[serde(rename = "shift_q_name_en")]
    pub name_en: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RulesForm {
    pub csrf: String,
    pub shift_max_work_hours: String,
    pub shift_window_hours: String,
    pub shift_min_rest_hours: String,
}

pub struct RoleRow {
    pub code: String,
    pub name: String,
    pub qualification: String,
}

#[derive(Template)]
#[template(path = "shifts/roles.html")]
struct RolesPage {
    l: Layout,
    roles: Vec<RoleRow>,
    qualifications: Vec<(String, String, String, bool)>,
    role: RoleForm,
    qual: QualificationForm,
    rules_form: RulesForm,
    errors: FormErrors,
}

fn hours(minutes: i64) -> String {
    if minutes % 60 == 0 {
        (minutes / 60).to_string()
    } else {
        format!("{:.2}", minutes as f64 / 60.0)
    }
}

async fn roles_page(
    state: &AppState,
    ctx: &mut Ctx,
    role: RoleForm,
    qual: QualificationForm,
    rules_form: Option<RulesForm>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.require(PLANNERS)?;
    let lang = ctx.locale.code();
    let quals = store::list_qualifications(&state.store).await?;
    let roles = store::list_roles(&state.store)
        .await?
        .iter()
        .map(|r| RoleRow {
            code: r.code.clone(),
            name: r.name(lang).to_owned(),
            qualification: r
                .qualification_id
                .as_ref()
                .and_then(|q| quals.iter().find(|x| &x.id == q))
                .map(|q| q.name(lang).to_owned())
                .unwrap_or_else(|| ctx.locale.t("shift-no-qualification")),
        })
        .collect();
    let settings = store::settings(&state.store).await?;
    let rules_form = rules_form.unwrap_or_else(|| RulesForm {
        shift_max_work_hours: hours(settings.rules.max_work_minutes),
        shift_window_hours: hours(settings.rules.window_minutes),
        shift_min_rest_hours: hours(settings.rules.min_rest_minutes),
        ..RulesForm::default()
    });
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("shift-roles-title");
    l.csrf = csrf;
    render(
        status,
        RolesPage {
            l,
            roles,
            qualifications: quals
                .iter()
                .map(|q| {
                    (
                        q.id.clone(),
                        q.code.clone(),
                        q.name(lang).to_owned(),
                        q.id == role.shift_qualification,
                    )
                })
                .collect(),
            role,
            qual,
            rules_form,
            errors,
        },
    )
}

pub async fn roles(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    roles_page(
        &state,
        &mut ctx,
        RoleForm::default(),
        QualificationForm::default(),
        None,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn add_role(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<RoleForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    let mut inv = Invalid::default();
    let code = inv.check(
        "shift_role_code",
        rules::parse_code("shift_role_code", &f.shift_role_code),
    );
    let nl = inv.check("name_nl", rules::parse_name("name_nl", &f.name_nl));
    let en = inv.check("name_en", rules::parse_name("name_en", &f.name_en));
    let qual = if f.shift_qualification.trim().is_empty() {
        None
    } else {
        let q = store::list_qualifications(&state.store)
            .await?
            .into_iter()
            .find(|q| q.id == f.shift_qualification.trim());
        if q.is_none() {
            inv.push("shift_qualification", "shift-qualification-unknown");
        }
        q.map(|q| q.id)
    };
    let result = match (code, nl, en, inv.is_empty()) {
        (Some(code), Some(nl), Some(en), true) => {
            let mut tx = state.store.begin().await?;
            match store::add_role(
                &mut tx,
                &Actor::User(user.id),
                &code,
                &nl,
                &en,
                qual.as_deref(),
            )
            .await
            {
                Ok(_) => {
                    tx.commit().await.map_err(StoreError::from)?;
                    Ok(())
                }
                Err(e) => Err(AppError::from(e)),
            }
        }
        _ => Err(AppError::Invalid(inv)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/staff/shifts/roles").into_response()),
        Err(e) => {
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            roles_page(
                &state,
                &mut ctx,
                f,
                QualificationForm::default(),
                None,
                errors,
                status,
            )
            .await
        }
    }
}

pub async fn add_qualification(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<QualificationForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    let mut inv = Invalid::default();
    let code = inv.check(
        "shift_qualification_code",
        rules::parse_code("shift_qualification_code", &f.shift_qualification_code),
    );
    let nl = inv.check(
        "shift_q_name_nl",
        rules::parse_name("shift_q_name_nl", &f.name_nl),
    );
    let en = inv.check(
        "shift_q_name_en",
        rules::parse_name("shift_q_name_en", &f.name_en),
    );
    let result = match (code, nl, en) {
        (Some(code), Some(nl), Some(en)) => {
            let mut tx = state.store.begin().await?;
            match store::add_qualification(&mut tx, &Actor::User(user.id), &code, &nl, &en).await {
                Ok(_) => {
                    tx.commit().await.map_err(StoreError::from)?;
                    Ok(())
                }
                Err(e) => Err(AppError::from(e)),
            }
        }
        _ => Err(AppError::Invalid(inv)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/staff/shifts/roles").into_response()),
        Err(e) => {
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            roles_page(
                &state,
                &mut ctx,
                RoleForm::default(),
                f,
                None,
                errors,
                status,
            )
            .await
        }
    }
}

fn parse_hours(field: &'static str, s: &str, inv: &mut Invalid) -> Option<i64> {
    let v = s.trim().replace(',', ".").parse::<f64>().ok();
    match v {
        Some(h) if h.is_finite() && (0.0..=1000.0).contains(&h) => Some((h * 60.0).round() as i64),
        _ => {
            inv.push(field, "shift-setting-range");
            None
        }
    }
}

pub async fn save_rules(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<RulesForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    let mut inv = Invalid::default();
    let max = parse_hours("shift_max_work_hours", &f.shift_max_work_hours, &mut inv);
    let window = parse_hours("shift_window_hours", &f.shift_window_hours, &mut inv);
    let rest = parse_hours("shift_min_rest_hours", &f.shift_min_rest_hours, &mut inv);
    let result = match (max, window, rest) {
        (Some(max_work_minutes), Some(window_minutes), Some(min_rest_minutes)) => {
            let r = Rules {
                max_work_minutes,
                window_minutes,
                min_rest_minutes,
            };
            store::settings(&state.store).await?;
            let mut tx = state.store.begin().await?;
            match store::save_rules(&mut tx, &Actor::User(user.id), &r).await {
                Ok(()) => {
                    tx.commit().await.map_err(StoreError::from)?;
                    Ok(())
                }
                Err(e) => Err(AppError::from(e)),
            }
        }
        _ => Err(AppError::Invalid(inv)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/staff/shifts/roles").into_response()),
        Err(e) => {
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            roles_page(
                &state,
                &mut ctx,
                RoleForm::default(),
                QualificationForm::default(),
                Some(f),
                errors,
                status,
            )
            .await
        }
    }
}

// ---- coverage ----

pub struct CoverageRow {
    pub day: String,
    pub role: String,
    pub needed: i64,
    pub filled: i64,
    pub missing: i64,
    pub level: &'static str,
}

#[derive(Template)]
#[template(path = "shifts/coverage.html")]
struct CoveragePage {
    l: Layout,
    from: String,
    rows: Vec<CoverageRow>,
    needed: i64,
    filled: i64,
    gaps: Vec<Row>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FromQuery {
    pub from: String,
}

pub async fn coverage(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<FromQuery>,
) -> Result<Response, AppError> {
    ctx.require(PLANNERS)?;
    let lang = ctx.locale.code();
    let from = if q.from.parse::<jiff::civil::Date>().is_ok() {
        q.from
    } else {
        today_brussels().to_string()
    };
    let to = add_days(&from, 13);
    let cov = store::coverage(&state.store, &from, &to).await?;
    let rows: Vec<CoverageRow> = cov
        .iter()
        .map(|c| CoverageRow {
            day: c.day.clone(),
            role: if lang == "en" {
                c.role_name_en.clone()
            } else {
                c.role_name_nl.clone()
            },
            needed: c.needed,
            filled: c.filled,
            missing: (c.needed - c.filled).max(0),
            level: rules::coverage_level(c.needed, c.filled),
        })
        .collect();
    let now = loket_store::now_ms();
    let gaps = store::list_shifts(&state.store, &from, &to, "", true)
        .await?
        .iter()
        .filter(|s| s.starts_at > now)
        .take(60)
        .map(|s| row_of(s, lang, now, &[]))
        .collect();
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("shift-coverage-title");
    l.csrf = csrf;
    render(
        StatusCode::OK,
        CoveragePage {
            l,
            from,
            needed: rows.iter().map(|r| r.needed).sum(),
            filled: rows.iter().map(|r| r.filled).sum(),
            rows,
            gaps,
        },
    )
}

// ---- qualifications of staff ----

pub struct PersonQual {
    pub user_id: String,
    pub name: String,
    pub email: String,
    /// (qualification id, name, held)
    pub quals: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "shifts/people.html")]
struct PeoplePage {
    l: Layout,
    q: String,
    people: Vec<PersonQual>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
}

pub async fn people(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    ctx.require(PLANNERS)?;
    let lang = ctx.locale.code();
    let quals = store::list_qualifications(&state.store).await?;
    let found = if q.q.trim().chars().count() >= 2 {
        store::search_staff(&state.store, &q.q, 30).await?
    } else {
        Vec::new()
    };
    let people = found
        .into_iter()
        .map(|v| PersonQual {
            quals: quals
                .iter()
                .map(|x| {
                    (
                        x.id.clone(),
                        x.name(lang).to_owned(),
                        v.qualifications.contains(&x.code),
                    )
                })
                .collect(),
            user_id: v.user_id,
            name: v.name,
            email: v.email,
        })
        .collect();
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("shift-people-title");
    l.csrf = csrf;
    render(StatusCode::OK, PeoplePage { l, q: q.q, people })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QualForm {
    pub csrf: String,
    pub user_id: String,
    pub qualification_id: String,
    /// `1` gives, `0` takes away.
    pub grant: String,
    pub q: String,
}

pub async fn set_qualification(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<QualForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    let target = loket_store::people::get_user(&state.store, &f.user_id)
        .await?
        .filter(|u| u.roles.is_staff())
        .ok_or(AppError::NotFound)?;
    let known = store::list_qualifications(&state.store)
        .await?
        .into_iter()
        .any(|q| q.id == f.qualification_id);
    if !known {
        return Err(AppError::NotFound);
    }
    let mut tx = state.store.begin().await?;
    store::set_qualification(
        &mut tx,
        &Actor::User(user.id),
        &target.id,
        &f.qualification_id,
        f.grant == "1",
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!(
        "/staff/shifts/people?q={}",
        crate::layout::urlencode(&f.q)
    ))
    .into_response())
}
