//! Errors of the web layer. Pages get an HTML error page in the user's
//! language (rendered by the session middleware, which knows the language);
//! the API gets `application/problem+json` (RFC 9457) with field errors.

use crate::i18n::Locale;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use loket_domain::Invalid;
use loket_store::StoreError;
use loket_store::sqlx as sqlx_error;
use serde::Serialize;

/// What went wrong, independent of how it is shown.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("sign in first")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("the form expired")]
    Csrf,
    #[error("too many attempts")]
    TooMany,
    /// A rate limit (`loket_domain::limits`) is reached: retry after so many
    /// seconds (sent as `Retry-After`).
    #[error("rate limited; retry after {0} s")]
    Limited(i64),
    #[error("request too large")]
    TooLarge,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A query parameter the request cannot be read with (a list's
    /// `cursor` or `limit`): 400, with the field named.
    #[error("bad query: {0}")]
    BadQuery(Invalid),
    /// A unique value is taken: a field error, with status 409 in the API.
    #[error("conflict: {0}")]
    Conflict(Invalid),
    #[error("internal error: {0}")]
    Internal(String),
    /// The database does not answer: 503 with `Retry-After`.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Invalid(inv) => AppError::Invalid(inv),
            StoreError::Conflict(inv) => AppError::Conflict(inv),
            other if other.is_unavailable() => AppError::Unavailable(other.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<loket_app::Refusal> for AppError {
    fn from(r: loket_app::Refusal) -> Self {
        use loket_app::Refusal;
        match r {
            Refusal::Invalid(inv) => AppError::Invalid(inv),
            // "Full" is one answer everywhere: 409 Conflict in the API, the
            // form re-rendered on pages (which treat it as a conflict).
            Refusal::Conflict(inv) | Refusal::Full(inv) => AppError::Conflict(inv),
            Refusal::NotFound => AppError::NotFound,
            Refusal::Forbidden => AppError::Forbidden,
            Refusal::TooMany { retry_after_s } => AppError::Limited(retry_after_s),
            Refusal::Internal(msg) => AppError::Internal(msg),
            Refusal::Unavailable(msg) => AppError::Unavailable(msg),
        }
    }
}

impl From<sqlx_error::Error> for AppError {
    fn from(e: sqlx_error::Error) -> Self {
        if loket_store::is_unavailable(&e) {
            AppError::Unavailable(e.to_string())
        } else {
            AppError::Internal(e.to_string())
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl AppError {
    /// Adds `Retry-After` to a rate-limited answer, and to a database
    /// outage (which usually lasts seconds: a restart, a fail-over).
    pub fn retry_after(&self, res: &mut Response) {
        let secs = match self {
            AppError::Limited(s) => *s.max(&1),
            AppError::Unavailable(_) => 30,
            _ => return,
        };
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }

    /// The sentence a page shows for a reached limit, with when to retry.
    pub fn limited_message(locale: Locale, retry_after_s: i64) -> String {
        let minutes = (retry_after_s + 59) / 60;
        locale.t_args("limit-reached", &[("minutes", minutes.max(1).to_string())])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::TooMany | AppError::Limited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadQuery(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The Fluent id of the page title / problem title.
    pub fn title_id(&self) -> &'static str {
        match self {
            AppError::NotFound => "error-not-found",
            AppError::Unauthorized => "error-unauthorized",
            AppError::Forbidden => "error-forbidden",
            AppError::Csrf => "error-csrf",
            AppError::TooMany | AppError::Limited(_) => "error-too-many",
            AppError::TooLarge => "error-too-large",
            AppError::Invalid(_) => "error-invalid",
            AppError::BadQuery(_) => "error-bad-request",
            AppError::Conflict(_) => "error-conflict",
            AppError::Internal(_) => "error-internal",
            AppError::Unavailable(_) => "error-unavailable",
        }
    }
}

/// Marker left on a page's error response; the session middleware replaces
/// the body with the error page in the user's language. A refused field
/// that no form handled is listed on that page, named, with how to fix it.
#[derive(Debug, Clone)]
pub struct ErrorPage(
    pub &'static str,
    pub Vec<loket_domain::validation::FieldError>,
);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(msg) => tracing::error!(error = %msg, "request failed"),
            AppError::Unavailable(msg) => tracing::warn!(error = %msg, "database unavailable"),
            _ => {}
        }
        let mut res = (self.status(), self.title_id()).into_response();
        let fields = match &self {
            AppError::Invalid(inv) | AppError::Conflict(inv) | AppError::BadQuery(inv) => {
                inv.0.clone()
            }
            // The error page says when to come back.
            AppError::Limited(secs) => vec![loket_domain::FieldError::with_value(
                "retry",
                "limit-retry",
                crate::i18n::format_ms(loket_store::now_ms() + secs.max(&1) * 1000),
            )],
            _ => Vec::new(),
        };
        res.extensions_mut()
            .insert(ErrorPage(self.title_id(), fields));
        self.retry_after(&mut res);
        res
    }
}

/// One field's problem in an API answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// The JSON field, e.g. `email`.
    pub field: String,
    /// A stable code, e.g. `email-invalid`.
    pub code: String,
    /// A sentence for people, in the requested language.
    pub detail: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// The request's `x-request-id`, to quote when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// An error as the API shows it.
#[derive(Debug)]
pub struct ApiError {
    pub error: AppError,
    pub locale: Locale,
    pub detail: Option<String>,
    /// The context whose field labels come first (see
    /// [`crate::forms::field_message_in`]).
    pub context: Option<&'static str>,
    /// A token's missing scope (403): named in `WWW-Authenticate` too
    /// (RFC 6750 `insufficient_scope`).
    pub missing_scope: Option<String>,
}

impl ApiError {
    pub fn new(error: impl Into<AppError>, locale: Locale) -> Self {
        Self {
            error: error.into(),
            locale,
            detail: None,
            context: None,
            missing_scope: None,
        }
    }

    pub fn with_missing_scope(mut self, scope: String) -> Self {
        self.missing_scope = Some(scope);
        self
    }

    /// Field labels from this context first (`field-<context>-<field>`).
    pub fn in_context(mut self, context: &'static str) -> Self {
        self.context = Some(context);
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// A request the server cannot read (bad JSON, wrong type, too large).
    pub fn bad_request(status: StatusCode, detail: String, locale: Locale) -> Response {
        problem_response(
            status,
            Problem {
                kind: "about:blank".to_owned(),
                title: locale.t(match status {
                    StatusCode::PAYLOAD_TOO_LARGE => "error-too-large",
                    StatusCode::METHOD_NOT_ALLOWED => "error-method",
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => "error-media-type",
                    _ => "error-bad-request",
                }),
                status: status.as_u16(),
                detail: Some(detail),
                errors: Vec::new(),
                request_id: crate::ops::request_id(),
            },
        )
    }
}

fn problem_response(status: StatusCode, problem: Problem) -> Response {
    let mut res = (status, Json(problem)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self.error {
            AppError::Internal(msg) => tracing::error!(error = %msg, "api request failed"),
            AppError::Unavailable(msg) => {
                tracing::warn!(error = %msg, "api request: database unavailable");
            }
            _ => {}
        }
        let status = self.error.status();
        let errors = match &self.error {
            AppError::Invalid(inv) | AppError::Conflict(inv) | AppError::BadQuery(inv) => inv
                .0
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    code: e.code.to_owned(),
                    detail: crate::forms::field_message_in(self.locale, e, self.context),
                })
                .collect(),
            _ => Vec::new(),
        };
        let detail = match (&self.error, self.detail) {
            (AppError::Limited(s), None) => Some(AppError::limited_message(self.locale, *s)),
            (_, d) => d,
        };
        let mut res = problem_response(
            status,
            Problem {
                kind: "about:blank".to_owned(),
                title: self.locale.t(self.error.title_id()),
                status: status.as_u16(),
                detail,
                errors,
                request_id: crate::ops::request_id(),
            },
        );
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(scope) = &self.missing_scope
            && let Ok(v) = HeaderValue::from_str(&format!(
                "Bearer error=\"insufficient_scope\", scope=\"{scope}\""
            ))
        {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        self.error.retry_after(&mut res);
        res
    }
}
