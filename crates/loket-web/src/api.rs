//! The JSON API under `/api/v1`: bearer-token authentication, JSON bodies
//! whose faults come back as `application/problem+json`, and the OpenAPI
//! document with a readable page.

use crate::error::{ApiError, AppError, Problem, ProblemField};
use crate::i18n::Locale;
use crate::layout::Layout;
use crate::people::session::Ctx;
use crate::{
    AppState, appointments, assets, audit, bikes, cases, contact, dashboard, people, queue, shifts,
    telework, vaccination,
};
use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use loket_domain::people::{Access, Role, Scope};
use loket_store::people::User;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(people::api::routes())
        .merge(cases::api::routes())
        .merge(appointments::api::routes())
        .merge(queue::api::routes())
        .merge(telework::api::routes())
        .merge(bikes::api::routes())
        .merge(assets::api::routes())
        .merge(contact::api::routes())
        .merge(shifts::api::routes())
        .merge(vaccination::api::routes())
        .merge(dashboard::api_routes())
        .merge(audit::api_routes())
        .merge(crate::privacy::export::api_routes())
        .fallback(|req: Request| async move {
            let locale = api_locale(req.headers());
            ApiError::new(AppError::NotFound, locale)
        })
        .layer(axum::middleware::from_fn(problem_for_rejections))
        .with_state(state)
}

/// Turns axum's own refusals (a bad query string or path parameter, a wrong
/// method) into problem documents, like every other API error.
async fn problem_for_rejections(req: Request, next: axum::middleware::Next) -> Response {
    let locale = api_locale(req.headers());
    let res = next.run(req).await;
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return res;
    }
    let allow = res.headers().get(header::ALLOW).cloned();
    let body = axum::body::to_bytes(res.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let mut out =
        ApiError::bad_request(status, String::from_utf8_lossy(&body).into_owned(), locale);
    if let Some(allow) = allow {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    out
}

pub fn doc_routes() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(openapi_json))
}

/// The API's language: from `Accept-Language`, Dutch by default.
pub fn api_locale(headers: &axum::http::HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language)
        .unwrap_or_default()
}

/// The account behind `Authorization: Bearer <token>`.
pub struct ApiUser {
    pub user: User,
    pub locale: Locale,
}

impl ApiUser {
    /// The caller if they hold one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<&User, ApiError> {
        if self.user.roles.any(roles) {
            Ok(&self.user)
        } else {
            let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::new(AppError::Forbidden, self.locale).with_detail(
                self.locale
                    .t_args("error-needs-role", &[("roles", roles.join(", "))]),
            ))
        }
    }

    pub fn err(&self, e: impl Into<AppError>) -> ApiError {
        ApiError::new(e, self.locale)
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let locale = api_locale(&parts.headers);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() < 200);
        let Some(token) = token else {
            return Err(ApiError::new(AppError::Unauthorized, locale));
        };
        let (user, scopes) = state
            .authenticate_token(token)
            .await
            .map_err(|e| ApiError::new(e, locale))?
            .ok_or_else(|| ApiError::new(AppError::Unauthorized, locale))?;
        if let Some(wanted) = scope_of(&parts.method, parts.uri.path())
            && !scopes.allows(wanted)
        {
            return Err(ApiError::new(AppError::Forbidden, locale)
                .with_detail(locale.t_args("api-scope-missing", &[("scope", wanted.to_string())]))
                .with_missing_scope(wanted.to_string()));
        }
        Ok(ApiUser { user, locale })
    }
}

/// The context of an API path's first segment (under `/api/v1`), for
/// token scopes. `/me` needs no scope (any live token may ask whose it
/// is); a path not listed here needs a scope no token has.
pub fn scope_context(path: &str) -> Option<&'static str> {
    let rest = path.strip_prefix("/api/v1").unwrap_or(path);
    let first = rest.trim_start_matches('/').split('/').next().unwrap_or("");
    Some(match first {
        "users" | "tokens" | "people" => "people",
        "services" | "cases" | "verify" => "cases",
        "appointment-slots" | "appointments" => "appointments",
        "queue" | "desks" | "locations" => "queue",
        "contact-moments" | "forwards" | "departments" | "kb" => "contact",
        "telework" => "telework",
        "bike-availability" | "bike-reservations" => "bikes",
        "assets" => "assets",
        "vaccination" => "vaccination",
        "shifts" | "shift-coverage" => "shifts",
        "audit" | "access-log" => "audit",
        "dashboard" => "dashboard",
        _ => return None,
    })
}

/// The scope a request needs: `<context>:read` for GET and HEAD,
/// `<context>:write` for every other method; `None` for `/me`. An unknown
/// path asks for `unknown:read`, which no token holds (it answers 404
/// anyway).
pub fn scope_of(method: &axum::http::Method, path: &str) -> Option<Scope> {
    let rest = path.strip_prefix("/api/v1").unwrap_or(path);
    if rest.trim_matches('/') == "me" {
        return None;
    }
    let access = if *method == axum::http::Method::GET || *method == axum::http::Method::HEAD {
        Access::Read
    } else {
        Access::Write
    };
    Some(Scope {
        context: scope_context(path).unwrap_or("unknown"),
        access,
    })
}

/// A JSON body; every way it can be wrong becomes a problem document.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let locale = api_locale(req.headers());
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => {
                let status = match &rej {
                    JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    JsonRejection::BytesRejection(_) => rej.status(),
                    JsonRejection::JsonDataError(_) => StatusCode::UNPROCESSABLE_ENTITY,
                    _ => StatusCode::BAD_REQUEST,
                };
                Err(ApiError::bad_request(status, rej.body_text(), locale))
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Loket API",
        description = "The city's service platform. Authenticate with `Authorization: Bearer <token>`; \
                       an admin creates tokens on the user page or with `loket token create`. \
                       A token expires (90 days unless set otherwise) and carries scopes, `read` or `write` \
                       per context (e.g. `cases:read`): GET needs `<context>:read`, other methods \
                       `<context>:write`; a missing scope answers 403, naming it. \
                       Errors are `application/problem+json` (RFC 9457) with a field-level `errors` list.",
        license(name = "EUPL-1.2")
    ),
    paths(
        people::api::me,
        people::api::list_users,
        people::api::create_user,
        people::api::set_roles,
        people::api::disable_user,
        people::api::enable_user,
        people::api::list_tokens,
        people::api::revoke_token,
        crate::privacy::export::api_export,
        audit::api_audit,
        audit::api_access,
        cases::api::list_services,
        cases::api::get_service,
        cases::api::submit_case,
        cases::api::get_case,
        cases::api::list_cases,
        cases::api::transition,
        cases::api::message,
        cases::api::list_documents,
        cases::api::get_document,
        cases::api::verify,
        appointments::api::slots,
        appointments::api::list_mine,
        appointments::api::create,
        appointments::api::get_one,
        appointments::api::reschedule,
        appointments::api::cancel,
        appointments::api::no_show,
        queue::api::check_in,
        queue::api::create_ticket,
        queue::api::get_ticket,
        queue::api::call_next,
        queue::api::finish,
        queue::api::occupancy,
        queue::api::events,
        telework::api::my_month,
        telework::api::register_day,
        telework::api::change_day,
        telework::api::clear_day,
        telework::api::team_month,
        telework::api::decide,
        telework::api::close_month,
        telework::api::payroll,
        bikes::api::availability,
        bikes::api::list,
        bikes::api::create,
        bikes::api::pick_up,
        bikes::api::return_one,
        assets::api::list,
        assets::api::get_one,
        assets::api::check_out,
        assets::api::check_in,
        contact::api::search,
        contact::api::get_article,
        contact::api::create_moment,
        contact::api::list_moments,
        contact::api::get_moment,
        contact::api::list_forwards,
        contact::api::answer,
        shifts::api::list,
        shifts::api::sign_up,
        shifts::api::cancel,
        shifts::api::assign,
        shifts::api::coverage,
        vaccination::api::list_campaigns,
        vaccination::api::slots,
        vaccination::api::enter_waiting_room,
        vaccination::api::book,
        vaccination::api::cancel,
        vaccination::api::reserve,
        vaccination::api::check_in,
        vaccination::api::scan,
        vaccination::api::figures,
        vaccination::api::sync,
        dashboard::api,
    ),
    components(schemas(Problem, ProblemField)),
    modifiers(&BearerAuth, &CommonErrors),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(scopes_description()))
                    .build(),
            ),
        );
    }
}

/// The bearer scheme's description: the token's lifetime and every scope.
fn scopes_description() -> String {
    let list = Scope::all()
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "An API token (`lkt_…`). It expires (default 90 days) and holds scopes: {list}. \
         GET and HEAD need `<context>:read`, other methods `<context>:write`; `/api/v1/me` needs none."
    )
}

/// Documents the problem responses every operation can give.
struct CommonErrors;

impl utoipa::Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                let has_body = op.request_body.is_some();
                // Query and path values are checked like body fields.
                let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let mut add = |code: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(code.to_owned())
                        .or_insert_with(|| problem(description).into());
                };
                add(
                    "400",
                    "the request cannot be read (query string, path or body)",
                );
                add(
                    "401",
                    "no valid bearer token (unknown, revoked or expired, or its account is disabled)",
                );
                add(
                    "403",
                    "the token's account lacks the role, or the token lacks the scope (named in `detail`)",
                );
                add("405", "method not allowed");
                if path.contains('{') {
                    add("404", "no such record");
                }
                if has_body {
                    add("413", "the body is too large");
                    add("415", "the body is not JSON");
                }
                if has_body || has_params {
                    add("422", "a field is invalid; see `errors`");
                }
                // Every error answer is a problem document, also the ones a
                // handler documents itself (with extra members such as
                // `nearest`, which the schema allows).
                for (code, r) in op.responses.responses.iter_mut() {
                    let utoipa::openapi::RefOr::T(resp) = r else {
                        continue;
                    };
                    if !(code.starts_with('4') || code.starts_with('5')) {
                        continue;
                    }
                    let content = resp
                        .content
                        .shift_remove("application/json")
                        .unwrap_or_else(|| {
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("Problem")))
                                .build()
                                .into()
                        });
                    resp.content
                        .entry("application/problem+json".to_owned())
                        .or_insert(content);
                }
            }
        }
    }
}

pub async fn openapi_json() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

#[derive(Template)]
#[template(path = "api.html")]
struct ApiPage {
    l: Layout,
    operations: Vec<(String, String, String)>,
}

/// A readable list of every API operation, from the OpenAPI document.
pub async fn api_page(ctx: Ctx) -> Result<Response, AppError> {
    let doc = ApiDoc::openapi();
    let mut operations = Vec::new();
    for (path, item) in doc.paths.paths.iter() {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                let summary = op.summary.clone().unwrap_or_default();
                operations.push((method.to_owned(), path.clone(), summary));
            }
        }
    }
    let page = ApiPage {
        l: ctx.layout("api-title"),
        operations,
    };
    Ok(Html(page.render()?).into_response())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    /// Every path of the OpenAPI document belongs to a scope context (or is
    /// `/me`), so no route is left out of the scopes by accident.
    #[test]
    fn every_api_path_has_a_scope() {
        use utoipa::OpenApi;
        let doc = super::ApiDoc::openapi();
        assert!(doc.paths.paths.len() > 40);
        for path in doc.paths.paths.keys() {
            if path == "/api/v1/me" {
                assert_eq!(super::scope_of(&axum::http::Method::GET, path), None);
                continue;
            }
            assert!(
                super::scope_context(path).is_some(),
                "{path} has no scope context"
            );
        }
        let s = super::scope_of(&axum::http::Method::POST, "/api/v1/cases/x/transition");
        assert_eq!(s.map(|s| s.to_string()).as_deref(), Some("cases:write"));
        let s = super::scope_of(&axum::http::Method::GET, "/tokens");
        assert_eq!(s.map(|s| s.to_string()).as_deref(), Some("people:read"));
    }
    use std::path::Path;

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// utoipa names a component after its type, and a second type with the
    /// same name silently replaces the first in the document (two request
    /// bodies called `CheckInIn` once documented the queue's check-in with
    /// the vaccination centre's fields). Every schema type's name is unique.
    #[test]
    fn schema_names_are_unique() {
        let mut files = Vec::new();
        rust_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        assert!(files.len() > 20);
        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            for (i, l) in lines.iter().enumerate() {
                if !(l.contains("derive(") && l.contains("ToSchema")) {
                    continue;
                }
                let mut renamed = false;
                for next in lines.iter().skip(i + 1).take(8) {
                    let t = next.trim_start();
                    renamed |= t.starts_with("#[schema(as");
                    let name = ["pub struct ", "struct ", "pub enum ", "enum "]
                        .iter()
                        .find_map(|k| t.strip_prefix(k));
                    if let Some(rest) = name {
                        let n: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if !renamed {
                            seen.entry(n).or_default().push(f.display().to_string());
                        }
                        break;
                    }
                }
            }
        }
        assert!(seen.len() > 50, "{seen:?}");
        let twice: Vec<_> = seen.iter().filter(|(_, v)| v.len() > 1).collect();
        assert!(twice.is_empty(), "schema names used twice: {twice:?}");
    }
}
