//! Coverage and the qualifications of staff.

use super::*;

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
pub(super) struct CoveragePage {
    l: Layout,
    from: String,
    /// The last day of the window shown.
    to: String,
    /// The window before and after this one (the same length).
    prev: String,
    next: String,
    rows: Vec<CoverageRow>,
    needed: i64,
    filled: i64,
    /// The shifts with open places in the window, a page at a time.
    gaps: Vec<Row>,
    /// Pages of the gaps (their total, previous and next keep the window).
    pager: crate::paging::Pager,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FromQuery {
    pub from: String,
    /// The page of the shifts with open places.
    pub cursor: String,
    pub limit: String,
}

/// Days the coverage view shows at a time; previous and next move by as many.
pub const WINDOW_DAYS: i64 = 14;

/// The first day of the coverage window: `from` as typed (YYYY-MM-DD),
/// today when empty; any other text is a 400 naming `from`.
fn coverage_from(from: &str) -> Result<String, AppError> {
    let from = from.trim();
    if from.is_empty() {
        return Ok(today_brussels().to_string());
    }
    match from.parse::<jiff::civil::Date>() {
        // Far enough from the ends of the calendar to move by a window.
        Ok(d) if (1000..=9000).contains(&d.year()) => Ok(d.to_string()),
        _ => Err(AppError::BadQuery(Invalid::one(
            "from",
            "shift-day-invalid",
        ))),
    }
}

/// The coverage view of the window from `day`.
fn href_from(day: &str) -> String {
    crate::paging::href("/staff/shifts/coverage", &[("from", day)])
}

pub async fn coverage(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<FromQuery>,
) -> Result<Response, AppError> {
    ctx.require(PLANNERS)?;
    let lang = ctx.locale.code();
    let from = coverage_from(&q.from)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::GAP_PAGING)?;
    let to = add_days(&from, WINDOW_DAYS - 1);
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
    let page = store::gaps_page(&state.store, &from, &to, now, &pq).await?;
    let total = store::gaps_total(
        &state.store,
        &from,
        &to,
        now,
        loket_domain::paging::TOTAL_CAP,
    )
    .await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/staff/shifts/coverage",
        &[("from", &from)],
        &page,
        &pq,
        total,
        None,
    );
    let gaps: Vec<Row> = page
        .items
        .iter()
        .map(|s| row_of(s, lang, now, &[]))
        .collect();
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("shift-coverage-title");
    l.csrf = csrf;
    render(
        StatusCode::OK,
        CoveragePage {
            l,
            prev: href_from(&add_days(&from, -WINDOW_DAYS)),
            next: href_from(&add_days(&from, WINDOW_DAYS)),
            from,
            to,
            needed: rows.iter().map(|r| r.needed).sum(),
            filled: rows.iter().map(|r| r.filled).sum(),
            rows,
            gaps,
            pager,
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
pub(super) struct PeoplePage {
    l: Layout,
    q: String,
    people: Vec<PersonQual>,
    /// "More than 30 found: type more" ('' when every match is shown).
    more: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
}

/// How many people the qualification search shows at most.
const PEOPLE_SHOWN: usize = 30;

pub async fn people(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    ctx.require(PLANNERS)?;
    let lang = ctx.locale.code();
    let quals = store::list_qualifications(&state.store).await?;
    let mut found = if q.q.trim().chars().count() >= 2 {
        store::search_staff(&state.store, &q.q, PEOPLE_SHOWN as i64 + 1).await?
    } else {
        Vec::new()
    };
    let more = crate::paging::picker_more(ctx.locale, &mut found, PEOPLE_SHOWN);
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
    render(
        StatusCode::OK,
        PeoplePage {
            l,
            q: q.q,
            people,
            more,
        },
    )
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
    loket_app::shifts::set_qualification(
        &state,
        &Actor::User(user.id),
        &target.id,
        &f.qualification_id,
        f.grant == "1",
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/staff/shifts/people?q={}",
        crate::layout::urlencode(&f.q)
    ))
    .into_response())
}
