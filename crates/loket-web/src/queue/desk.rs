//! Staff at the desks: call next, recall, served / no-show, transfer to
//! another service, link the visit to a case; the queue overview (who
//! waits, people who left, the head count) and the statistics. Admins set
//! the zone's limit and the ticket letters.

use super::{DESK_STAFF, DeskRef, QUEUE_STAFF, desk, location, snapshot};
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
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_app::queue::{self, views};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::people::Role;
use loket_domain::queue::{self as rules, Figures};
use loket_store::appointments as appt_store;
use loket_store::queue::Outcome;
use serde::Deserialize;

/// (desk id, desk name, number it serves now)
type DeskRow = (String, String, String);

#[derive(Template)]
#[template(path = "queue/desks.html")]
struct DesksPage {
    l: Layout,
    /// (location name, slug, desks)
    locations: Vec<(String, String, Vec<DeskRow>)>,
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(QUEUE_STAFF)?;
    let locations = views::desks_serving(&state)
        .await?
        .into_iter()
        .map(|(l, desks)| {
            let desks = desks
                .into_iter()
                .map(|(d, serving)| (d.id, d.name, serving))
                .collect();
            (l.name, l.slug, desks)
        })
        .collect();
    render(
        StatusCode::OK,
        DesksPage {
            l: ctx.layout("queue-desks-title"),
            locations,
        },
    )
}

/// The visitor at the desk, as the desk page shows them.
pub struct Current {
    pub id: String,
    pub number: String,
    pub service: String,
    pub kind: String,
    pub since: String,
    pub recalls: i64,
    /// For an appointment: the resident's name and the appointment time.
    pub resident: String,
    pub appointment_at: String,
    pub case_number: String,
}

pub struct WaitingRow {
    pub id: String,
    pub number: String,
    pub service: String,
    pub kind: String,
    pub since: String,
    pub due: String,
    pub mine: bool,
}

#[derive(Template)]
#[template(path = "queue/desk.html")]
struct DeskPage {
    l: Layout,
    desk_id: String,
    location: String,
    slug: String,
    current: Option<Current>,
    waiting: Vec<WaitingRow>,
    /// Other services to transfer to: (id, name).
    transfer_to: Vec<(String, String)>,
    errors: FormErrors,
    case_number: String,
    present: i64,
    max_present: i64,
}

fn hhmm(ms: i64) -> String {
    format_ms(ms)
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .to_owned()
}

async fn desk_page(
    state: &AppState,
    ctx: &mut Ctx,
    d: &DeskRef,
    errors: FormErrors,
    case_number: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = ctx.require(DESK_STAFF)?.clone();
    let lang = ctx.locale.code();
    let v = views::desk(state, &user, d).await?;
    let name_of = |id: &str| {
        v.services
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name(lang).to_owned())
            .unwrap_or_default()
    };
    let kind_label = |k: &str| ctx.locale.t(&format!("queue-kind-{}", k.replace('_', "-")));
    let current = v.current.as_ref().map(|c| Current {
        id: c.ticket.id.clone(),
        number: c.ticket.number.clone(),
        service: name_of(&c.ticket.service_id),
        kind: kind_label(&c.ticket.kind),
        since: hhmm(c.ticket.checked_in_at),
        recalls: c.ticket.recalls,
        resident: c.resident.clone(),
        appointment_at: c.appointment_at.map(hhmm).unwrap_or_default(),
        case_number: c.case_number.clone(),
    });
    let waiting = v
        .waiting
        .iter()
        .map(|t| WaitingRow {
            mine: d.services.contains(&t.service_id),
            id: t.id.clone(),
            number: t.number.clone(),
            service: name_of(&t.service_id),
            kind: kind_label(&t.kind),
            since: hhmm(t.checked_in_at),
            due: t.due_at.map(hhmm).unwrap_or_default(),
        })
        .collect();
    let transfer_to = v
        .transfer_to
        .iter()
        .map(|s| (s.id.clone(), s.name(lang).to_owned()))
        .collect();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("queue-desk-title");
    l.title = format!("{} {}", l.title, d.name);
    l.csrf = csrf;
    render(
        status,
        DeskPage {
            l,
            desk_id: d.id.clone(),
            location: d.location.name.clone(),
            slug: d.location.slug.clone(),
            current,
            waiting,
            transfer_to,
            errors,
            case_number,
            present: v.zone.present,
            max_present: v.zone.max_present,
        },
    )
}

pub async fn page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    ctx.require(DESK_STAFF)?;
    let d = desk(&state, &id).await?;
    desk_page(
        &state,
        &mut ctx,
        &d,
        FormErrors::default(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeskForm {
    pub csrf: String,
    pub outcome: String,
    pub service: String,
    pub case_number: String,
    pub ticket: String,
}

/// Runs a desk action; a refused one re-renders the desk page with the
/// error, anything else goes back to the desk.
async fn act<F, Fut>(
    state: AppState,
    mut ctx: Ctx,
    id: String,
    f: DeskForm,
    action: F,
) -> Result<Response, AppError>
where
    F: FnOnce(AppState, Actor, DeskRef, DeskForm) -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(DESK_STAFF)?.clone();
    let d = desk(&state, &id).await?;
    let case_number = f.case_number.chars().take(40).collect::<String>();
    let d2 = DeskRef {
        id: d.id.clone(),
        name: d.name.clone(),
        location: d.location.clone(),
        services: d.services.clone(),
    };
    match action(state.clone(), Actor::User(user.id), d2, f).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/desks/{}", d.id)).into_response()),
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            desk_page(
                &state,
                &mut ctx,
                &d,
                errors,
                case_number,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn call(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DeskForm>,
) -> Result<Response, AppError> {
    act(state, ctx, id, f, |state, actor, d, _| async move {
        match super::call_next(&state, &actor, &d).await? {
            Some(_) => Ok(()),
            None => Err(Invalid::one("desk", "queue-nobody-waiting").into()),
        }
    })
    .await
}

pub async fn recall(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DeskForm>,
) -> Result<Response, AppError> {
    act(state, ctx, id, f, |state, actor, d, _| async move {
        Ok(queue::recall(&state, &actor, &d).await?)
    })
    .await
}

pub async fn finish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DeskForm>,
) -> Result<Response, AppError> {
    act(state, ctx, id, f, |state, actor, d, f| async move {
        let outcome = match Outcome::parse(&f.outcome) {
            Some(o @ (Outcome::Served | Outcome::NoShow)) => o,
            _ => return Err(Invalid::one("outcome", "queue-outcome-invalid").into()),
        };
        super::finish(&state, &actor, &d, outcome).await?;
        Ok(())
    })
    .await
}

pub async fn transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DeskForm>,
) -> Result<Response, AppError> {
    act(state, ctx, id, f, |state, actor, d, f| async move {
        Ok(queue::transfer(&state, &actor, &d, &f.service).await?)
    })
    .await
}

pub async fn link_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DeskForm>,
) -> Result<Response, AppError> {
    act(state, ctx, id, f, |state, actor, d, f| async move {
        Ok(queue::link_case(&state, &actor, &d, &f.case_number).await?)
    })
    .await
}

/// A waiting visitor left (seen by staff): counted out.
pub async fn left(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DeskForm>,
) -> Result<Response, AppError> {
    act(state, ctx, id, f, |state, actor, d, f| async move {
        Ok(queue::left(&state, &actor, &d, &f.ticket).await?)
    })
    .await
}

// ---- overview, head count, statistics ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OverviewQuery {
    pub location: String,
}

#[derive(Template)]
#[template(path = "queue/overview.html")]
struct OverviewPage {
    l: Layout,
    locations: Vec<(String, String, bool)>,
    slug: String,
    snap: Option<super::Snapshot>,
    /// (number, service, kind, status, checked in, called, desk)
    rows: Vec<[String; 7]>,
    errors: FormErrors,
    is_admin: bool,
    kiosk_link: String,
}

async fn overview_page(
    state: &AppState,
    ctx: &mut Ctx,
    slug: &str,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = ctx.require(QUEUE_STAFF)?.clone();
    let all = appt_store::list_locations(&state.store).await?;
    let chosen = all.iter().find(|l| l.slug == slug).or(all.first()).cloned();
    let lang = ctx.locale.code();
    let mut rows = Vec::new();
    let mut snap = None;
    let mut kiosk_link = String::new();
    if let Some(loc) = &chosen {
        let views::Today {
            services,
            desks,
            tickets,
        } = views::today(state, loc).await?;
        for t in tickets {
            rows.push([
                t.number.clone(),
                services
                    .iter()
                    .find(|s| s.id == t.service_id)
                    .map(|s| s.name(lang).to_owned())
                    .unwrap_or_default(),
                ctx.locale
                    .t(&format!("queue-kind-{}", t.kind.replace('_', "-"))),
                ctx.locale.t(&format!(
                    "queue-status-{}",
                    t.status.as_str().replace('_', "-")
                )),
                hhmm(t.checked_in_at),
                t.called_at.map(hhmm).unwrap_or_default(),
                t.desk_id
                    .as_ref()
                    .and_then(|d| desks.iter().find(|x| &x.id == d))
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
            ]);
        }
        snap = Some(snapshot(state, loc).await?);
        if user.roles.has(Role::Admin) {
            kiosk_link = format!(
                "{}/kiosk/{}?k={}",
                state.config.public_url.trim_end_matches('/'),
                loc.slug,
                super::kiosk_key(&*state.keys()?, &loc.id)
            );
        }
    }
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("queue-overview-title");
    l.csrf = csrf;
    let slug = chosen.as_ref().map(|c| c.slug.clone()).unwrap_or_default();
    render(
        status,
        OverviewPage {
            l,
            locations: all
                .iter()
                .map(|x| (x.slug.clone(), x.name.clone(), x.slug == slug))
                .collect(),
            slug,
            snap,
            rows,
            errors,
            is_admin: user.roles.has(Role::Admin),
            kiosk_link,
        },
    )
}

/// Today's queue at a location, the head count and (for admins) the zone
/// limit and the kiosk's link.
pub async fn overview(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<OverviewQuery>,
) -> Result<Response, AppError> {
    overview_page(
        &state,
        &mut ctx,
        &q.location,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ZoneForm {
    pub csrf: String,
    pub location: String,
    pub present: String,
    pub max_present: String,
}

/// Corrects the head count (people who left without telling).
pub async fn correct_zone(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<ZoneForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(QUEUE_STAFF)?.clone();
    let loc = location(&state, &f.location).await?;
    let present = match f.present.trim().parse::<i64>() {
        Ok(n) if (0..=1000).contains(&n) => n,
        _ => {
            let errors = FormErrors::from_invalid(
                ctx.locale,
                &Invalid::one("present", "queue-present-invalid"),
            );
            return overview_page(
                &state,
                &mut ctx,
                &loc.slug,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    queue::correct_present(&state, &Actor::User(user.id), &loc.id, present).await?;
    Ok(Redirect::to(&format!("/staff/queue?location={}", loc.slug)).into_response())
}

/// Sets the zone's limit (admin).
pub async fn save_zone(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<ZoneForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(&[Role::Admin])?.clone();
    let loc = location(&state, &slug).await?;
    match rules::check_max_present(&f.max_present) {
        Ok(max) => {
            queue::set_max_present(&state, &Actor::User(user.id), &loc.id, max).await?;
            Ok(Redirect::to(&format!("/staff/queue?location={}", loc.slug)).into_response())
        }
        Err(e) => {
            let errors = FormErrors::from_invalid(ctx.locale, &Invalid(vec![e]));
            overview_page(
                &state,
                &mut ctx,
                &loc.slug,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PrefixForm {
    pub csrf: String,
    pub ticket_prefix: String,
}

/// Sets a service's ticket letter (admin); back to the appointments admin.
pub async fn save_prefix(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<PrefixForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(&[Role::Admin])?.clone();
    let service = appt_store::service(&state.store, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let prefix = rules::check_prefix(&f.ticket_prefix).map_err(|e| Invalid(vec![e]))?;
    queue::set_prefix(&state, &Actor::User(user.id), &service.id, &prefix).await?;
    Ok(Redirect::to("/admin/appointments").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatsQuery {
    pub location: String,
    pub from: String,
    pub to: String,
}

pub struct StatRow {
    pub key: String,
    pub f: Figures,
}

fn minutes(ms: &i64) -> String {
    format!("{:.1}", *ms as f64 / 60_000.0)
}

#[derive(Template)]
#[template(path = "queue/stats.html")]
struct StatsPage {
    l: Layout,
    locations: Vec<(String, String, bool)>,
    from: String,
    to: String,
    errors: FormErrors,
    total: Figures,
    /// (caption, rows): by service, by desk, by hour.
    tables: Vec<(String, Vec<StatRow>)>,
}

impl StatsPage {
    fn min(&self, ms: &i64) -> String {
        minutes(ms)
    }
}

/// Waiting time (check-in to call) and service time (call to served) per
/// service, desk and hour, over a date range.
pub async fn stats(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<StatsQuery>,
) -> Result<Response, AppError> {
    ctx.require(QUEUE_STAFF)?;
    let (range, inv) = views::Range::parse(&q.from, &q.to, today_brussels());
    let errors = FormErrors::from_invalid(ctx.locale, &inv);
    let all = appt_store::list_locations(&state.store).await?;
    let visits = if errors.is_empty() {
        views::visits(&state, &q.location, range, ctx.locale.code()).await?
    } else {
        Vec::new()
    };
    let rows = |g: Vec<(String, Figures)>| {
        g.into_iter()
            .map(|(key, f)| StatRow { key, f })
            .collect::<Vec<_>>()
    };
    let by_hour = rules::group_by(&visits, |v| v.hour)
        .into_iter()
        .map(|(h, f)| StatRow {
            key: format!("{h:02}:00"),
            f,
        })
        .collect();
    render(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        StatsPage {
            l: ctx.layout("queue-stats-title"),
            locations: all
                .iter()
                .map(|x| (x.slug.clone(), x.name.clone(), x.slug == q.location))
                .collect(),
            from: if q.from.is_empty() {
                range.from.to_string()
            } else {
                q.from.chars().take(20).collect()
            },
            to: if q.to.is_empty() {
                range.to.to_string()
            } else {
                q.to.chars().take(20).collect()
            },
            errors,
            total: rules::figures(&visits),
            tables: vec![
                (
                    ctx.locale.t("queue-stats-by-service"),
                    rows(rules::group_by(&visits, |v| v.service.clone())),
                ),
                (
                    ctx.locale.t("queue-stats-by-desk"),
                    rows(rules::group_by(&visits, |v| v.desk.clone())),
                ),
                (ctx.locale.t("queue-stats-by-hour"), by_hour),
            ],
        },
    )
}
