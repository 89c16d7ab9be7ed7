//! The mobile teams' page (4G tablets at care homes and at home): the day's
//! visits, arrivals and vaccinations recorded on the device. It keeps
//! working offline: a service worker keeps the page, records wait in
//! IndexedDB and are sent when the connection is back. Every record has an
//! id made on the device, so sending it twice stores it once; a person
//! recorded by two teams is kept as a conflict for the coordinator.
//! Without JavaScript the buttons are plain forms (with an id made by the
//! server when the page was drawn, so a resubmitted form is also stored
//! once).

use super::CENTRE_STAFF;
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::i18n::today_brussels;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Redirect, Response};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_store::vaccination::{self as store, MobileVisit};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TeamQuery {
    pub team: String,
    pub day: String,
}

fn team_day(q: &TeamQuery) -> (String, String) {
    let team: String = q.team.trim().chars().take(40).collect();
    let day = q
        .day
        .trim()
        .parse::<jiff::civil::Date>()
        .unwrap_or_else(|_| today_brussels())
        .to_string();
    (team, day)
}

#[derive(Template)]
#[template(path = "vaccination/mobile.html")]
struct MobilePage {
    l: Layout,
    team: String,
    day: String,
    /// (visit, a fresh client id for each button's form)
    visits: Vec<(MobileVisit, String, String)>,
}

pub async fn page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<TeamQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(CENTRE_STAFF)?.clone();
    let (team, day) = team_day(&q);
    let visits = if team.is_empty() {
        Vec::new()
    } else {
        store::mobile_day(&state.store, &team, &day).await?
    };
    log_visits(&state, &user.id, &visits, "mobile team day list").await?;
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("vac-mobile-title");
    l.csrf = csrf;
    let mut res = render(
        StatusCode::OK,
        MobilePage {
            l,
            team,
            day,
            visits: visits
                .into_iter()
                .map(|v| (v, loket_store::new_id(), loket_store::new_id()))
                .collect(),
        },
    )?;
    // The service worker keeps its own copy; the browser's HTTP cache must
    // not serve a stale list when online.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(res)
}

pub async fn visits_json(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TeamQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(CENTRE_STAFF)?;
    let (team, day) = team_day(&q);
    let visits = store::mobile_day(&state.store, &team, &day).await?;
    log_visits(&state, &user.id, &visits, "mobile team visits.json").await?;
    Ok(Json(visits).into_response())
}

/// The access log of a mobile team's day: one row per person visited, in
/// one multi-row INSERT.
async fn log_visits(
    state: &AppState,
    actor_id: &str,
    visits: &[MobileVisit],
    purpose: &str,
) -> Result<(), AppError> {
    let subjects: Vec<String> = visits
        .iter()
        .map(|v| format!("vac:{}", v.invitation_id))
        .collect();
    let shown: Vec<loket_store::audit::Access<'_>> = visits
        .iter()
        .zip(&subjects)
        .map(|(v, s)| loket_store::audit::Access {
            subject: s,
            record_type: "vac_mobile_visit",
            record_id: &v.id,
        })
        .collect();
    loket_store::audit::record_access_many(&state.store, actor_id, purpose, &shown).await?;
    Ok(())
}

pub use loket_app::vaccination::mobile::{
    MAX_BATCH, RecordIn, SyncIn, SyncOut, SyncResultView, check_batch,
};

/// Stores a checked batch in one transaction (all or nothing).
pub async fn store_batch(
    state: &AppState,
    actor: &Actor,
    b: &SyncIn,
) -> Result<Vec<SyncResultView>, AppError> {
    Ok(loket_app::vaccination::mobile::store_batch(state, actor, b).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RecordForm {
    csrf: String,
    team: String,
    day: String,
    client_id: String,
    visit: String,
    kind: String,
    lot: String,
}

/// The page's sync: JSON from the script (CSRF token in `X-CSRF-Token`),
/// or one record from a plain form without JavaScript.
pub async fn sync(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let user = ctx.require(CENTRE_STAFF)?.clone();
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        let token = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        ctx.check_csrf(token)?;
        let batch: SyncIn = serde_json::from_slice(&body)
            .map_err(|_| AppError::Invalid(Invalid::one("records", "vac-sync-malformed")))?;
        return match store_batch(&state, &Actor::User(user.id), &batch).await {
            Ok(results) => Ok(Json(SyncOut { results }).into_response()),
            Err(AppError::Invalid(inv)) => {
                let errors: Vec<_> = inv
                    .0
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "field": e.field, "code": e.code,
                            "detail": crate::forms::field_message_in(ctx.locale, e, Some("vac")),
                        })
                    })
                    .collect();
                Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(serde_json::json!({ "status": 422, "errors": errors })),
                )
                    .into_response())
            }
            Err(e) => Err(e),
        };
    }
    let f: RecordForm = serde_urlencoded::from_bytes(&body)
        .map_err(|_| AppError::Invalid(Invalid::one("records", "vac-sync-malformed")))?;
    ctx.check_csrf(&f.csrf)?;
    let batch = SyncIn {
        team: f.team.clone(),
        records: vec![RecordIn {
            client_id: f.client_id.clone(),
            visit: f.visit.clone(),
            kind: f.kind.clone(),
            recorded_at: loket_store::now_ms(),
            lot: Some(f.lot.clone()),
        }],
    };
    // A resubmitted form carries the same id but a new time: store it once.
    if store::mobile_record_exists(&state.store, &f.client_id).await? {
        return Ok(Redirect::to(&format!(
            "/mobile/vaccination?team={}&day={}",
            crate::layout::urlencode(&f.team),
            crate::layout::urlencode(&f.day)
        ))
        .into_response());
    }
    store_batch(&state, &Actor::User(user.id), &batch).await?;
    Ok(Redirect::to(&format!(
        "/mobile/vaccination?team={}&day={}",
        crate::layout::urlencode(&f.team),
        crate::layout::urlencode(&f.day)
    ))
    .into_response())
}

fn js(body: &'static str) -> Response {
    crate::common::fresh_script(body)
}

/// The service worker (scope `/mobile/`): keeps the page and its assets for
/// offline use.
pub async fn service_worker() -> Response {
    js(include_str!("../../static/mobile-sw.js"))
}

pub async fn script() -> Response {
    js(include_str!("../../static/mobile.js"))
}
