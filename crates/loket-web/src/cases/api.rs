//! The cases API: the public catalogue, submitting a case (a resident for
//! themself, staff on behalf of a resident), reading cases, transitions and
//! messages.

use super::backoffice::{HANDLERS, add_case_message, take_transition};
use super::resident::{Submission, check_message, create_case};
use crate::AppState;
use crate::api::{ApiJson, ApiUser, api_locale};
use crate::error::{ApiError, AppError, Problem};
use crate::i18n::{Locale, today_brussels};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::cases::{Channel, ServiceDef};
use loket_domain::paging::TOTAL_CAP;
use loket_domain::people::Role;
use loket_store::cases::{self as store, Case, QueueFilter, Service};
use loket_store::people as people_store;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services", get(list_services))
        .route("/services/{id}", get(get_service))
        .route("/cases", get(list_cases).post(submit_case))
        .route("/cases/{number}", get(get_case))
        .route("/cases/{number}/transitions", post(transition))
        .route("/cases/{number}/messages", post(message))
        .route("/cases/{number}/documents", get(list_documents))
        .route("/cases/{number}/documents/{id}", get(get_document))
        .route("/verify/{code}", get(verify))
}

/// Staff who may submit a case on behalf of a resident.
const ASSISTING: &[Role] = &[Role::Counter, Role::ContactCentre, Role::CaseHandler];

/// A service of the catalogue with its full definition (form fields, rules,
/// workflow), at its current version.
#[derive(Serialize, ToSchema)]
pub struct ServiceOut {
    pub id: String,
    pub slug: String,
    pub version: i64,
    /// The definition: `name`, `description`, `department`, `fields`,
    /// `fee_cents`, `target_days`, `states`, `initial`, `transitions`.
    #[schema(value_type = Object)]
    pub definition: ServiceDef,
}

fn service_out(s: Service) -> ServiceOut {
    ServiceOut {
        id: s.id,
        slug: s.def.slug.clone(),
        version: s.version,
        definition: s.def,
    }
}

/// The service catalogue (public, no token needed).
#[utoipa::path(get, path = "/api/v1/services", tag = "cases", security(()),
    responses((status = 200, body = Vec<ServiceOut>)))]
pub async fn list_services(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Vec<ServiceOut>>, ApiError> {
    let locale = api_locale(&headers);
    let list = store::list_services(&state.store, true)
        .await
        .map_err(|e| ApiError::new(e, locale))?;
    Ok(Json(list.into_iter().map(service_out).collect()))
}

/// One service, by id or by slug (public).
#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "cases", security(()),
    params(("id" = String, Path, description = "service id or slug")),
    responses((status = 200, body = ServiceOut)))]
pub async fn get_service(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<ServiceOut>, ApiError> {
    let locale = api_locale(&headers);
    let err = |e| ApiError::new(e, locale);
    let s = match store::service_by_id(&state.store, &id).await.map_err(err)? {
        Some(s) => Some(s),
        None => store::service_by_slug(&state.store, &id)
            .await
            .map_err(err)?,
    };
    match s {
        Some(s) if s.active => Ok(Json(service_out(s))),
        _ => Err(ApiError::new(AppError::NotFound, locale)),
    }
}

/// A new case.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCaseIn {
    /// The service's slug (e.g. `move`).
    pub service: String,
    /// The form's values by field key; an address field `k` is sent as
    /// `k_street`, `k_number`, `k_box`, `k_postal_code`, `k_city`.
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, String>,
    /// `web` for a resident's own case; staff use `counter`, `phone` or `post`.
    #[serde(default)]
    pub channel: Option<String>,
    /// Staff only: the e-mail address of the resident's account.
    #[serde(default)]
    pub resident_email: Option<String>,
}

/// An entry of the timeline.
#[derive(Serialize, ToSchema)]
pub struct EventOut {
    pub at: i64,
    /// `submitted`, `transition`, `message_in`, `message_out`, `note`, `assigned`.
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub transition: Option<String>,
    pub body: Option<String>,
    pub internal: bool,
}

/// A case.
#[derive(Serialize, ToSchema)]
pub struct CaseOut {
    pub number: String,
    pub service: String,
    pub service_version: i64,
    pub status: String,
    /// The status in the caller's language, with its explanation.
    pub status_label: String,
    pub status_explanation: String,
    pub is_final: bool,
    /// `web`, `counter`, `phone` or `post`.
    pub channel: String,
    pub submitted_at: i64,
    pub due_date: String,
    pub closed_at: Option<i64>,
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, String>,
    /// The steps that may be taken now (staff).
    pub transitions: Vec<String>,
    pub events: Vec<EventOut>,
}

async fn case_out(
    state: &AppState,
    locale: Locale,
    case: Case,
    staff: bool,
) -> Result<CaseOut, AppError> {
    let def = store::service_version(&state.store, &case.service_id, case.service_version).await?;
    let events = store::events(&state.store, &case.id, staff).await?;
    Ok(case_out_with(locale, case, &def, events, staff))
}

/// Many cases with their timelines: one read for the events, one per
/// service version (not two reads per case).
async fn cases_out(
    state: &AppState,
    locale: Locale,
    cases: Vec<Case>,
    staff: bool,
) -> Result<Vec<CaseOut>, AppError> {
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let mut events = store::events_of_cases(&state.store, &ids, staff).await?;
    let mut defs: BTreeMap<(String, i64), ServiceDef> = BTreeMap::new();
    let mut out = Vec::with_capacity(cases.len());
    for case in cases {
        let key = (case.service_id.clone(), case.service_version);
        if !defs.contains_key(&key) {
            let def = store::service_version(&state.store, &case.service_id, case.service_version)
                .await?;
            defs.insert(key.clone(), def);
        }
        let Some(def) = defs.get(&key) else {
            return Err(AppError::NotFound);
        };
        let evs = events.remove(&case.id).unwrap_or_default();
        out.push(case_out_with(locale, case, def, evs, staff));
    }
    Ok(out)
}

fn case_out_with(
    locale: Locale,
    case: Case,
    def: &ServiceDef,
    events: Vec<store::CaseEvent>,
    staff: bool,
) -> CaseOut {
    let lang = locale.code();
    let st = def.state(&case.status);
    CaseOut {
        service: def.slug.clone(),
        service_version: case.service_version,
        status_label: st.map(|s| s.label.get(lang).to_owned()).unwrap_or_default(),
        status_explanation: st
            .map(|s| s.explanation.get(lang).to_owned())
            .unwrap_or_default(),
        is_final: st.is_some_and(|s| s.is_final),
        transitions: if staff {
            def.transitions_from(&case.status)
                .iter()
                .map(|t| t.key.clone())
                .collect()
        } else {
            Vec::new()
        },
        events: events
            .into_iter()
            .map(|e| EventOut {
                at: e.at,
                kind: e.kind,
                from_status: e.from_status,
                to_status: e.to_status,
                transition: e.transition,
                body: e.body,
                internal: e.internal,
            })
            .collect(),
        number: case.number,
        status: case.status,
        channel: case.channel,
        submitted_at: case.submitted_at,
        due_date: case.due_date,
        closed_at: case.closed_at,
        values: case.data,
    }
}

/// Submits a case. A resident submits for themself (channel `web`); staff
/// (counter, contact centre, case handler) submit on behalf of a resident
/// with `resident_email` and the channel they were reached by.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCaseIn,
    responses((status = 201, body = CaseOut),
              (status = 404, body = Problem, content_type = "application/problem+json", description = "unknown service or resident")))]
pub async fn submit_case(
    State(state): State<AppState>,
    caller: ApiUser,
    ApiJson(body): ApiJson<NewCaseIn>,
) -> Result<(StatusCode, Json<CaseOut>), ApiError> {
    let locale = caller.locale;
    let service = match store::service_by_slug(&state.store, &body.service)
        .await
        .map_err(|e| caller.err(e))?
    {
        Some(s) if s.active => s,
        _ => return Err(caller.err(Invalid::one("service", "service-unknown"))),
    };
    let channel = match body.channel.as_deref() {
        None => None,
        Some(c) => Some(Channel::parse(c).map_err(|e| caller.err(Invalid::from(e)))?),
    };
    let (resident, channel, assisted_by) = match body.resident_email.as_deref() {
        None => {
            if !caller.user.roles.has(Role::Resident) {
                return Err(caller.err(Invalid::one("resident_email", "required")));
            }
            if channel.is_some_and(|c| c != Channel::Web) {
                return Err(caller.err(Invalid::one("channel", "channel-unknown")));
            }
            (caller.user.clone(), Channel::Web, None)
        }
        Some(email) => {
            caller.require(ASSISTING)?;
            let Some(channel) = channel.filter(|c| *c != Channel::Web) else {
                return Err(caller.err(Invalid::one("channel", "channel-assisted")));
            };
            let resident = people_store::find_by_email(&state.store, email)
                .await
                .map_err(|e| caller.err(e))?
                .filter(|u| u.roles.has(Role::Resident))
                .ok_or_else(|| caller.err(Invalid::one("resident_email", "resident-unknown")))?;
            (resident, channel, Some(caller.user.id.clone()))
        }
    };
    let data = service
        .def
        .validate(&body.values, &[], today_brussels())
        .map_err(|e| caller.err(e))?;
    let sub = Submission {
        service: &service,
        resident_id: &resident.id,
        resident_email: &resident.email,
        resident_name: &resident.name,
        resident_locale: Locale::parse(&resident.locale).unwrap_or(locale),
        channel,
        assisted_by: assisted_by.as_deref(),
        identified_by: if assisted_by.is_some() {
            "counter"
        } else {
            "api"
        },
        files_owner: None,
        contact_id: None,
    };
    let case = create_case(&state, &Actor::User(caller.user.id.clone()), &sub, &data)
        .await
        .map_err(|e| caller.err(e))?;
    let staff = assisted_by.is_some();
    let out = case_out(&state, locale, case, staff)
        .await
        .map_err(|e| caller.err(e))?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// Loads a case the caller may see: their own, or any for a handler (the
/// read is access-logged). Another resident's case is "not found".
async fn visible_case(
    state: &AppState,
    caller: &ApiUser,
    number: &str,
) -> Result<(Case, bool), ApiError> {
    let case = store::get_case(&state.store, number)
        .await
        .map_err(|e| caller.err(e))?
        .ok_or_else(|| caller.err(AppError::NotFound))?;
    let scope = loket_app::people::department_scope(state, &caller.user)
        .await
        .map_err(|e| caller.err(e))?;
    // Need to know: another department's case is "not found" too.
    if !loket_app::privacy::sees_restricted(&caller.user, &case) {
        return Err(caller.err(AppError::NotFound));
    }
    if caller.user.roles.any(HANDLERS) && scope.sees(&case.department) {
        loket_store::audit::record_access(
            &state.store,
            &caller.user.id,
            &case.resident_id,
            "case",
            &case.number,
            "api.case",
        )
        .await
        .map_err(|e| caller.err(e))?;
        return Ok((case, true));
    }
    if case.resident_id == caller.user.id {
        return Ok((case, false));
    }
    Err(caller.err(AppError::NotFound))
}

/// One case, by number.
#[utoipa::path(get, path = "/api/v1/cases/{number}", tag = "cases",
    params(("number" = String, Path, description = "case number, e.g. 2026-000123")),
    responses((status = 200, body = CaseOut)))]
pub async fn get_case(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(number): Path<String>,
) -> Result<Json<CaseOut>, ApiError> {
    let (case, staff) = visible_case(&state, &caller, &number).await?;
    Ok(Json(
        case_out(&state, caller.locale, case, staff)
            .await
            .map_err(|e| caller.err(e))?,
    ))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
pub struct CasesQuery {
    /// A status key, e.g. `submitted`.
    pub status: String,
    /// A service slug.
    pub service: String,
    /// A user id, or `me`.
    pub assignee: String,
    /// Where the page starts: the `next` (or `prev`) of the previous answer.
    pub cursor: String,
    /// Items per page, 1 to 200 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: String,
}

crate::api_page!(CasePage, CaseOut);

/// Cases, one page at a time: a resident's own (newest first); for
/// handlers, the work queue (open cases unless a status is asked for,
/// filtered, sorted by due date then number). Paged with `cursor` and
/// `limit`; `next` is null on the last page.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CasesQuery),
    responses((status = 200, body = CasePage), (status = 400, body = Problem, description = "a bad `cursor` or `limit`")))]
pub async fn list_cases(
    State(state): State<AppState>,
    caller: ApiUser,
    Query(q): Query<CasesQuery>,
) -> Result<Json<CasePage>, ApiError> {
    let staff = caller.user.roles.any(HANDLERS);
    let (page, total) = if staff {
        let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::QUEUE_PAGING)
            .map_err(|e| caller.err(e))?;
        let scope = loket_app::people::department_scope(&state, &caller.user)
            .await
            .map_err(|e| caller.err(e))?;
        let service_id = if q.service.is_empty() {
            String::new()
        } else {
            store::service_by_slug(&state.store, &q.service)
                .await
                .map_err(|e| caller.err(e))?
                .map(|s| s.id)
                .unwrap_or_else(|| "-".to_owned())
        };
        let f = QueueFilter {
            service_id,
            status: q.status.clone(),
            assignee_id: if q.assignee == "me" {
                caller.user.id.clone()
            } else {
                q.assignee.clone()
            },
            open_only: q.status.is_empty(),
            limit: pq.limit,
            viewer: scope.filter_user().to_owned(),
            cursor: pq.cursor.clone(),
            ..Default::default()
        };
        let page = store::queue(&state.store, &f)
            .await
            .map_err(|e| caller.err(e))?;
        let total = store::queue_total(&state.store, &f, TOTAL_CAP)
            .await
            .map_err(|e| caller.err(e))?;
        // The access log: one row per resident whose case the answer holds.
        let shown: Vec<loket_store::audit::Access<'_>> = page
            .items
            .iter()
            .map(|c| loket_store::audit::Access {
                subject: &c.resident_id,
                record_type: "case",
                record_id: &c.number,
            })
            .collect();
        loket_store::audit::record_access_many(&state.store, &caller.user.id, "api.cases", &shown)
            .await
            .map_err(|e| caller.err(e))?;
        (page, total)
    } else if caller.user.roles.has(Role::Resident) {
        let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::RESIDENT_PAGING)
            .map_err(|e| caller.err(e))?;
        let page = store::resident_cases(&state.store, &caller.user.id, &q.status, &pq)
            .await
            .map_err(|e| caller.err(e))?;
        let total =
            store::resident_cases_total(&state.store, &caller.user.id, &q.status, TOTAL_CAP)
                .await
                .map_err(|e| caller.err(e))?;
        (page, total)
    } else {
        return Err(caller.err(AppError::Forbidden));
    };
    let out = cases_out(&state, caller.locale, page.items.clone(), staff)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(CasePage::new(page, out, total)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    /// A transition key the case's `transitions` lists.
    pub transition: String,
    /// Required for refusals and information requests; the resident sees it.
    #[serde(default)]
    pub reason: String,
}

/// Takes a step in the case's workflow (handlers). An illegal step is 422
/// and changes nothing.
#[utoipa::path(post, path = "/api/v1/cases/{number}/transitions", tag = "cases", request_body = TransitionIn,
    params(("number" = String, Path, description = "case number")),
    responses((status = 200, body = CaseOut)))]
pub async fn transition(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(number): Path<String>,
    ApiJson(body): ApiJson<TransitionIn>,
) -> Result<Json<CaseOut>, ApiError> {
    caller.require(HANDLERS)?;
    let case = store::get_case(&state.store, &number)
        .await
        .map_err(|e| caller.err(e))?
        .ok_or_else(|| caller.err(AppError::NotFound))?;
    let scope = loket_app::people::department_scope(&state, &caller.user)
        .await
        .map_err(|e| caller.err(e))?;
    if !scope.sees(&case.department) || !loket_app::privacy::sees_restricted(&caller.user, &case) {
        return Err(caller.err(AppError::NotFound));
    }
    let def = store::service_version(&state.store, &case.service_id, case.service_version)
        .await
        .map_err(|e| caller.err(e))?;
    take_transition(
        &state,
        &Actor::User(caller.user.id.clone()),
        &case,
        &def,
        &body.transition,
        &body.reason,
    )
    .await
    .map_err(|e| caller.err(e))?;
    let case = store::get_case(&state.store, &number)
        .await
        .map_err(|e| caller.err(e))?
        .ok_or_else(|| caller.err(AppError::NotFound))?;
    Ok(Json(
        case_out(&state, caller.locale, case, true)
            .await
            .map_err(|e| caller.err(e))?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageIn {
    #[schema(min_length = 1, max_length = 4000)]
    pub body: String,
    /// Staff only: an internal note the resident never sees.
    #[serde(default)]
    pub internal: bool,
}

/// Adds a message: from the resident (an answer resumes a case waiting for
/// them), or from staff to the resident, or an internal note.
#[utoipa::path(post, path = "/api/v1/cases/{number}/messages", tag = "cases", request_body = MessageIn,
    params(("number" = String, Path, description = "case number")),
    responses((status = 201, body = CaseOut)))]
pub async fn message(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(number): Path<String>,
    ApiJson(body): ApiJson<MessageIn>,
) -> Result<(StatusCode, Json<CaseOut>), ApiError> {
    let (case, staff) = visible_case(&state, &caller, &number).await?;
    let text = check_message(&body.body).map_err(|e| caller.err(e))?;
    if body.internal && !staff {
        return Err(caller.err(AppError::Forbidden));
    }
    let actor = Actor::User(caller.user.id.clone());
    let kind = if !staff {
        "message_in"
    } else if body.internal {
        "note"
    } else {
        "message_out"
    };
    let def = store::service_version(&state.store, &case.service_id, case.service_version)
        .await
        .map_err(|e| caller.err(e))?;
    add_case_message(&state, &actor, &case, &def, kind, &text)
        .await
        .map_err(|e| caller.err(e))?;
    let case = store::get_case(&state.store, &number)
        .await
        .map_err(|e| caller.err(e))?
        .ok_or_else(|| caller.err(AppError::NotFound))?;
    Ok((
        StatusCode::CREATED,
        Json(
            case_out(&state, caller.locale, case, staff)
                .await
                .map_err(|e| caller.err(e))?,
        ),
    ))
}

/// A document issued for a case (receipt, decision letter, permit).
#[derive(Serialize, ToSchema)]
pub struct DocumentOut {
    pub id: String,
    /// `receipt`, `decision` or `permit`.
    pub kind: String,
    pub lang: String,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    /// The public check code (permits and decisions).
    pub verify_code: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub revoked: bool,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// The documents issued for a case.
#[utoipa::path(get, path = "/api/v1/cases/{number}/documents", tag = "cases",
    params(("number" = String, Path, description = "case number")),
    responses((status = 200, body = Vec<DocumentOut>)))]
pub async fn list_documents(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(number): Path<String>,
) -> Result<Json<Vec<DocumentOut>>, ApiError> {
    let (case, _) = visible_case(&state, &caller, &number).await?;
    let docs = store::case_documents(&state.store, &case.id)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(
        docs.into_iter()
            .map(|d| DocumentOut {
                id: d.id,
                kind: d.kind,
                lang: d.lang,
                filename: d.filename,
                size: d.size,
                sha256: d.sha256,
                verify_code: d.verify_code,
                valid_from: d.valid_from,
                valid_until: d.valid_until,
                revoked: d.revoked_at.is_some(),
                created_at: d.created_at,
            })
            .collect(),
    ))
}

/// One document of a case, as PDF.
#[utoipa::path(get, path = "/api/v1/cases/{number}/documents/{id}", tag = "cases",
    params(("number" = String, Path, description = "case number"),
           ("id" = String, Path, description = "document id")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>)))]
pub async fn get_document(
    State(state): State<AppState>,
    caller: ApiUser,
    Path((number, id)): Path<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    let (case, _) = visible_case(&state, &caller, &number).await?;
    match store::get_document(&state.store, &id)
        .await
        .map_err(|e| caller.err(e))?
    {
        Some(d) if d.case_id == case.id => {
            super::documents::send(&d).await.map_err(|e| caller.err(e))
        }
        _ => Err(caller.err(AppError::NotFound)),
    }
}

/// What the public check of a document shows: no personal data.
#[derive(Serialize, ToSchema)]
pub struct VerifyOut {
    pub valid: bool,
    /// The kind of document, in the caller's language.
    pub kind: String,
    pub service: String,
    pub issued: String,
    pub valid_from: String,
    pub valid_until: String,
}

/// Checks a permit or decision by its code (public, no token needed).
#[utoipa::path(get, path = "/api/v1/verify/{code}", tag = "cases", security(()),
    params(("code" = String, Path, description = "the code on the document, e.g. 7KQ2-9XHM-3TPV-R8DA")),
    responses((status = 200, body = VerifyOut)))]
pub async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Json<VerifyOut>, ApiError> {
    let locale = api_locale(&headers);
    let r = super::resident::check_code(&state, &code, locale)
        .await
        .map_err(|e| ApiError::new(e, locale))?
        .ok_or_else(|| ApiError::new(AppError::NotFound, locale))?;
    Ok(Json(VerifyOut {
        valid: r.valid,
        kind: r.kind,
        service: r.service,
        issued: r.issued,
        valid_from: r.valid_from,
        valid_until: r.valid_until,
    }))
}
