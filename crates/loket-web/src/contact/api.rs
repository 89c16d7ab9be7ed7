//! The contact-centre API: knowledge-base search and articles (public,
//! valid articles only), contact moments (agents), a department's forwards
//! and their answer (department staff).

use super::{AGENTS, DEPARTMENT_STAFF};
use crate::AppState;
use crate::api::{ApiJson, ApiUser, api_locale};
use crate::error::{ApiError, AppError};
use crate::i18n::today_brussels;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::contact::{ForwardStatus, MomentInput, MomentStatus, Validity, check_moment};
use loket_domain::people::Role;
use loket_render::contact::markdown_html;
use loket_store::contact::{self as store, Forward, Moment, MomentParty};
use loket_store::people as people_store;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kb/articles", get(search))
        .route("/kb/articles/{slug}", get(get_article))
        .route("/contact-moments", get(list_moments).post(create_moment))
        .route("/contact-moments/{id}", get(get_moment))
        .route("/departments/{slug}/forwards", get(list_forwards))
        .route("/forwards/{id}/answer", post(answer))
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// The question or search words.
    pub q: String,
    /// `nl` (default) or `en`.
    #[serde(default)]
    pub lang: String,
}

#[derive(Serialize, ToSchema)]
pub struct ArticleHit {
    pub slug: String,
    pub title: String,
    /// The BM25 score (higher is better).
    pub score: f64,
}

fn lang_of(s: &str) -> &'static str {
    if s == "en" { "en" } else { "nl" }
}

/// Searches the valid articles, best first (public).
#[utoipa::path(get, path = "/api/v1/kb/articles", tag = "contact", security(()),
    params(SearchQuery),
    responses((status = 200, body = Vec<ArticleHit>)))]
pub async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Vec<ArticleHit>>, ApiError> {
    let locale = api_locale(&headers);
    let lang = lang_of(&q.lang);
    let today = today_brussels();
    let text: String = q.q.chars().take(200).collect();
    let hits = store::search(&state.store, lang, &text)
        .await
        .map_err(|e| ApiError::new(e, locale))?;
    Ok(Json(
        hits.into_iter()
            .filter(|(a, _)| a.validity(today) == Validity::Valid)
            .take(30)
            .map(|(a, score)| ArticleHit {
                title: a.title(lang).to_owned(),
                slug: a.slug,
                score,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ArticleOut {
    pub slug: String,
    pub version: i64,
    pub title: String,
    /// The body as written (Markdown).
    pub body_markdown: String,
    /// The body as HTML, sanitised.
    pub body_html: String,
    pub tags: Vec<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct LangQuery {
    /// `nl` (default) or `en`.
    #[serde(default)]
    pub lang: String,
}

/// A valid article (public).
#[utoipa::path(get, path = "/api/v1/kb/articles/{slug}", tag = "contact", security(()),
    params(("slug" = String, Path, description = "the article's short name"), LangQuery),
    responses((status = 200, body = ArticleOut)))]
pub async fn get_article(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Json<ArticleOut>, ApiError> {
    let locale = api_locale(&headers);
    let lang = lang_of(&q.lang);
    let a = store::article(&state.store, &slug)
        .await
        .map_err(|e| ApiError::new(e, locale))?
        .filter(|a| a.validity(today_brussels()) == Validity::Valid)
        .ok_or_else(|| ApiError::new(AppError::NotFound, locale))?;
    Ok(Json(ArticleOut {
        slug: a.slug.clone(),
        version: a.version,
        title: a.title(lang).to_owned(),
        body_markdown: a.body(lang).to_owned(),
        body_html: markdown_html(a.body(lang)),
        tags: a.tag_list(),
        valid_from: a.valid_from.clone(),
        valid_until: a.valid_until.clone(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MomentOut {
    pub id: String,
    /// `C-YYYY-NNNNNN`.
    pub reference: String,
    pub channel: String,
    /// `intake`, `open`, `forwarded` or `closed`.
    #[schema(value_type = String)]
    pub status: MomentStatus,
    pub resident_id: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub subject: String,
    pub question: String,
    pub answer: String,
    pub outcome: String,
    pub duration_minutes: i64,
    pub created_at: i64,
}

impl From<Moment> for MomentOut {
    fn from(m: Moment) -> Self {
        MomentOut {
            id: m.id,
            reference: m.reference,
            channel: m.channel,
            status: m.status,
            resident_id: m.resident_id,
            contact_name: m.contact_name,
            contact_email: m.contact_email,
            subject: m.subject,
            question: m.question,
            answer: m.answer,
            outcome: m.outcome,
            duration_minutes: m.duration_minutes,
            created_at: m.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct MomentIn {
    /// `phone`, `email`, `web`, `counter`, `chat` or `letter`.
    pub channel: String,
    /// The resident's account e-mail, if they have one.
    #[serde(default)]
    pub resident_email: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
    pub subject: String,
    pub question: String,
    #[serde(default)]
    pub answer: String,
    /// `answered`, `forwarded`, `case_started`, `appointment_booked` or `call_back`.
    pub outcome: String,
    #[serde(default)]
    pub duration_minutes: i64,
    /// Short names of the articles used.
    #[serde(default)]
    pub articles: Vec<String>,
}

/// Logs a contact moment (contact-centre agents).
#[utoipa::path(post, path = "/api/v1/contact-moments", tag = "contact",
    request_body = MomentIn,
    responses((status = 201, body = MomentOut),
              (status = 422, description = "invalid input (see `errors`)")))]
pub async fn create_moment(
    State(state): State<AppState>,
    who: ApiUser,
    ApiJson(b): ApiJson<MomentIn>,
) -> Result<Response, ApiError> {
    who.require(AGENTS)?;
    let mut inv = Invalid::default();
    let resident = if b.resident_email.trim().is_empty() {
        None
    } else {
        match people_store::find_by_email(&state.store, b.resident_email.trim())
            .await
            .map_err(|e| who.err(e))?
        {
            Some(u) if u.roles.has(Role::Resident) => Some(u),
            _ => {
                inv.push("resident_email", "contact-resident-unknown");
                None
            }
        }
    };
    let mut articles = Vec::new();
    for slug in &b.articles {
        match store::article(&state.store, slug)
            .await
            .map_err(|e| who.err(e))?
        {
            Some(a) => articles.push(a.id),
            None => inv.push("articles", "contact-article-unknown"),
        }
    }
    let duration = b.duration_minutes.to_string();
    match check_moment(&MomentInput {
        channel: &b.channel,
        subject: &b.subject,
        question: &b.question,
        answer: &b.answer,
        outcome: &b.outcome,
        duration: &duration,
    }) {
        Ok(d) if inv.is_empty() => {
            let (name, email) = match &resident {
                Some(r) => (r.name.clone(), r.email.clone()),
                None => (
                    b.contact_name.trim().chars().take(200).collect(),
                    b.contact_email.trim().chars().take(200).collect(),
                ),
            };
            let status = if d.outcome == "answered" {
                "closed"
            } else {
                "open"
            };
            let m = loket_app::contact::log_moment(
                &state,
                &Actor::User(who.user.id.clone()),
                status,
                &MomentParty {
                    resident_id: resident.as_ref().map(|r| r.id.as_str()),
                    name: &name,
                    email: &email,
                },
                &d,
                &articles,
                None,
            )
            .await
            .map_err(|e| who.err(AppError::from(e)))?;
            Ok((StatusCode::CREATED, Json(MomentOut::from(m))).into_response())
        }
        other => {
            if let Err(e) = other {
                inv.0.extend(e.0);
            }
            Err(who.err(inv))
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct MomentsQuery {
    /// `intake`, `open`, `forwarded`, `closed`, or empty for all.
    pub status: String,
    /// Where the page starts: the `next` (or `prev`) of the previous answer.
    pub cursor: String,
    /// Items per page, 1 to 200 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: String,
}

crate::api_page!(MomentPage, MomentOut);

/// Contact moments, newest first, one page at a time (`cursor`, `limit`);
/// contact-centre agents; every moment shown is access-logged.
#[utoipa::path(get, path = "/api/v1/contact-moments", tag = "contact",
    params(MomentsQuery),
    responses((status = 200, body = MomentPage), (status = 400, body = crate::error::Problem, description = "a bad `cursor` or `limit`")))]
pub async fn list_moments(
    State(state): State<AppState>,
    who: ApiUser,
    Query(q): Query<MomentsQuery>,
) -> Result<Json<MomentPage>, ApiError> {
    let user = who.require(AGENTS)?.clone();
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::MOMENT_PAGING)
        .map_err(|e| who.err(e))?;
    let status = q.status.trim();
    let page = store::moments_page(&state.store, status, "", &pq)
        .await
        .map_err(|e| who.err(e))?;
    let total = store::moments_total(&state.store, status, "", loket_domain::paging::TOTAL_CAP)
        .await
        .map_err(|e| who.err(e))?;
    super::moments::log_moments(&state, &user.id, "contact.api.list", &page.items)
        .await
        .map_err(|e| who.err(e))?;
    let items = page.items.iter().cloned().map(MomentOut::from).collect();
    Ok(Json(MomentPage::new(page, items, total)))
}

/// One contact moment (contact-centre agents; access-logged).
#[utoipa::path(get, path = "/api/v1/contact-moments/{id}", tag = "contact",
    params(("id" = String, Path, description = "id or reference")),
    responses((status = 200, body = MomentOut)))]
pub async fn get_moment(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<MomentOut>, ApiError> {
    let user = who.require(AGENTS)?.clone();
    let m = store::moment(&state.store, &id)
        .await
        .map_err(|e| who.err(e))?
        .ok_or_else(|| who.err(AppError::NotFound))?;
    super::moments::log_moments(
        &state,
        &user.id,
        "contact.api.view",
        std::slice::from_ref(&m),
    )
    .await
    .map_err(|e| who.err(e))?;
    Ok(Json(MomentOut::from(m)))
}

#[derive(Serialize, ToSchema)]
pub struct ForwardOut {
    pub id: String,
    pub moment_id: String,
    pub reference: String,
    pub subject: String,
    pub question: String,
    pub note: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub overdue: bool,
    /// `open` or `answered`.
    #[schema(value_type = String)]
    pub status: ForwardStatus,
    pub answer: String,
}

fn forward_out(f: Forward) -> ForwardOut {
    let today = today_brussels().to_string();
    ForwardOut {
        overdue: f.status == ForwardStatus::Open && f.due_on < today,
        id: f.id,
        moment_id: f.moment_id,
        reference: f.reference,
        subject: f.subject,
        question: f.question,
        note: f.note,
        due_on: f.due_on,
        status: f.status,
        answer: f.answer,
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ForwardsQuery {
    /// Where the page starts: the `next` (or `prev`) of the previous answer.
    pub cursor: String,
    /// Items per page, 1 to 200 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: String,
}

crate::api_page!(ForwardPage, ForwardOut);

/// A department's forwards, oldest due first, one page at a time
/// (`cursor`, `limit`; department staff; access-logged).
#[utoipa::path(get, path = "/api/v1/departments/{slug}/forwards", tag = "contact",
    params(("slug" = String, Path, description = "the department's short name"), ForwardsQuery),
    responses((status = 200, body = ForwardPage), (status = 400, body = crate::error::Problem, description = "a bad `cursor` or `limit`")))]
pub async fn list_forwards(
    State(state): State<AppState>,
    who: ApiUser,
    Path(slug): Path<String>,
    Query(q): Query<ForwardsQuery>,
) -> Result<Json<ForwardPage>, ApiError> {
    who.require(DEPARTMENT_STAFF)?;
    let d = store::department(&state.store, &slug)
        .await
        .map_err(|e| who.err(e))?
        .ok_or_else(|| who.err(AppError::NotFound))?;
    // Need to know: another department's queue is "not found".
    let scope = loket_app::people::department_scope(&state, &who.user)
        .await
        .map_err(|e| who.err(e))?;
    if !scope.sees(&d.slug) {
        return Err(who.err(AppError::NotFound));
    }
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::FORWARD_PAGING)
        .map_err(|e| who.err(e))?;
    let page = store::forwards_page(&state.store, &d.id, "", scope.filter_user(), &pq)
        .await
        .map_err(|e| who.err(e))?;
    let (total, _) = store::forwards_total(
        &state.store,
        &d.id,
        "",
        scope.filter_user(),
        &today_brussels().to_string(),
        loket_domain::paging::TOTAL_CAP,
    )
    .await
    .map_err(|e| who.err(e))?;
    super::moments::log_forwards(&state, &who.user.id, "api.forwards", &page.items)
        .await
        .map_err(|e| who.err(e))?;
    let items = page.items.iter().cloned().map(forward_out).collect();
    Ok(Json(ForwardPage::new(page, items, total)))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerIn {
    pub answer: String,
}

/// Answers a forward once; the answer is e-mailed (department staff). A
/// second answer: 422, nothing changes.
#[utoipa::path(post, path = "/api/v1/forwards/{id}/answer", tag = "contact",
    params(("id" = String, Path, description = "forward id")),
    request_body = AnswerIn,
    responses((status = 200, body = ForwardOut),
              (status = 422, description = "empty answer, or already answered")))]
pub async fn answer(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AnswerIn>,
) -> Result<Json<ForwardOut>, ApiError> {
    who.require(DEPARTMENT_STAFF)?;
    super::moments::visible_forward(&state, &who.user, &id)
        .await
        .map_err(|e| who.err(e))?;
    let text = b.answer.trim();
    if text.is_empty() {
        return Err(who.err(Invalid::one("answer", "contact-answer-needed")));
    }
    if text.chars().count() > 10_000 {
        return Err(who.err(Invalid::one("answer", "contact-too-long")));
    }
    super::moments::answer_forward(&state, &Actor::User(who.user.id.clone()), &id, text)
        .await
        .map_err(|e| who.err(e))?;
    let f = store::forward(&state.store, &id)
        .await
        .map_err(|e| who.err(e))?
        .ok_or_else(|| who.err(AppError::NotFound))?;
    Ok(Json(forward_out(f)))
}
