//! The planner: days and shifts.

use super::*;
use loket_domain::paging::{PageQuery, TOTAL_CAP};

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
pub(super) struct PlannerPage {
    l: Layout,
    day: String,
    days: Vec<(String, bool)>,
    /// Pages of the day list: a day's shifts can be years ahead.
    pager: crate::paging::Pager,
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
    /// The page of the day list.
    pub cursor: String,
    pub limit: String,
}

/// Days the day list shows when the request names no limit.
pub const DAYS_SHOWN: i64 = 31;

/// The day list's page: `cursor` and `limit` as typed (a bad one is a 400
/// naming the field); without a limit, [`DAYS_SHOWN`] days.
pub fn day_page_query(cursor: &str, limit: &str) -> Result<PageQuery, AppError> {
    let mut pq = crate::paging::page_query(cursor, limit, &store::DAY_PAGING)?;
    if limit.trim().is_empty() {
        pq.limit = DAYS_SHOWN;
    }
    Ok(pq)
}

/// What the planner shows: a day's shifts and a page of the day list.
pub(super) struct Showing {
    /// The day asked for (the first day of the page when not a date).
    pub day: String,
    pub days: PageQuery,
}

pub(super) async fn planner_page(
    state: &AppState,
    ctx: &mut Ctx,
    showing: Showing,
    form: CreateForm,
    errors: FormErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let Showing { day, days: pq } = showing;
    let pq = &pq;
    ctx.require(PLANNERS)?;
    let lang = ctx.locale.code();
    let now = loket_store::now_ms();
    let today = today_brussels().to_string();
    let days = store::shift_days_page(&state.store, &today, pq).await?;
    let total = store::shift_days_total(&state.store, &today, TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/staff/shifts",
        &[],
        &days,
        pq,
        total,
        Some(SHIFTS_CSV),
    );
    let mut day_list = days.items;
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
            pager,
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
    ctx.require(PLANNERS)?;
    let pq = day_page_query(&q.cursor, &q.limit)?;
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
        Showing {
            day: q.day,
            days: pq,
        },
        form,
        FormErrors::default(),
        notice,
        StatusCode::OK,
    )
    .await
}

/// Where the planner's shifts download as CSV.
const SHIFTS_CSV: &str = "/staff/shifts.csv";

/// The shifts of the days the planner's day list pages through (open
/// shifts from today on), as CSV: one row per shift (day, time, role,
/// places, signed up), by day and start, streamed 500 per query. It counts
/// who signed up without naming them, so nothing is access-logged.
pub async fn shifts_csv(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(PLANNERS)?;
    let today = today_brussels().to_string();
    Ok(crate::paging::csv_export(
        &format!("shifts-{today}.csv"),
        ctx.locale,
        &[
            "shift-col-day",
            "shift-col-time",
            "shift-col-role",
            "shift-col-needed",
            "shift-col-filled",
        ],
        (state, today, ctx.locale.code()),
        |(state, today, lang), pq| async move {
            let page = store::open_shifts_page(&state.store, &today, &pq).await?;
            let rows = page
                .items
                .iter()
                .map(|s| {
                    vec![
                        s.day.clone(),
                        time_of(s),
                        s.role_name(lang).to_owned(),
                        s.headcount.to_string(),
                        s.filled.to_string(),
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
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
            Showing {
                day,
                days: PageQuery::first(DAYS_SHOWN),
            },
            f,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    loket_app::shifts::create_shifts(
        &state,
        &Actor::User(user.id),
        &role.id,
        &windows,
        headcount,
        release,
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/shifts?day={}&done=created", f.day.trim())).into_response())
}
