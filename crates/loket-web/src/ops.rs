//! Operations: health, readiness, Prometheus metrics, and the static assets
//! compiled into the binary.

use crate::AppState;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::time::Instant;
use tracing::Instrument;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/static/loket.css", get(css))
        .route("/static/theme.css", get(theme_css))
        .route("/static/logo.svg", get(logo))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
}

/// The process runs.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: the database answers.
/// Within 2 seconds: a load balancer must learn of an outage at once, not
/// after the pool's 30-second wait for a connection.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match database_answers(&state).await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn database_answers(state: &AppState) -> Result<(), String> {
    match tokio::time::timeout(std::time::Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer within 2 s".to_owned()),
    }
}

/// Prometheus text format. Gauges of the outbox, the database and the pool
/// are read now. With `metrics_token` configured, only for `Authorization: Bearer <it>`.
pub async fn metrics_text(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Response {
    if let Some(token) = &state.config.metrics_token {
        use subtle::ConstantTimeEq;
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let ok = !given.is_empty() && bool::from(given.as_bytes().ct_eq(token.as_bytes()));
        if !ok {
            let mut res =
                (StatusCode::UNAUTHORIZED, "metrics need a bearer token\n").into_response();
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return res;
        }
    }
    if let Ok(n) = loket_store::notify::backlog(&state.store).await {
        metrics::gauge!("loket_outbox_backlog").set(n as f64);
    }
    let db_up = database_answers(&state).await.is_ok();
    metrics::gauge!("loket_database_up").set(if db_up { 1.0 } else { 0.0 });
    let (size, idle) = state.store.pool_stats();
    metrics::gauge!("loket_db_pool_connections").set(f64::from(size));
    metrics::gauge!("loket_db_pool_idle").set(idle as f64);
    let mut res = (state.metrics)().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res
}

tokio::task_local! {
    /// The current request's id, for error pages and problem documents.
    static REQUEST_ID: String;
}

/// The id of the request being served (the `x-request-id` it came with, or
/// one made for it), if any.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// A request id sent by a proxy is kept when it is 1 to 64 characters of
/// `A-Z a-z 0-9 - _ . : /`; anything else (it ends up in logs) is replaced.
fn acceptable_request_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'/'))
}

/// Health and readiness probes and the metrics scrape, logged at `debug`:
/// a load balancer asks every few seconds.
fn is_probe(route: &str) -> bool {
    matches!(route, "/healthz" | "/readyz" | "/metrics")
}

/// Per request: honours or makes its `x-request-id` (returned in the
/// response, and in the span of every log line the request writes), writes
/// one log line when it is answered (method, matched route, status,
/// duration, request id), and counts requests and latency by route template
/// (never the raw URI, which would make one series per id).
pub async fn observe(mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let id = req
        .headers()
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable_request_id(v))
        .map_or_else(|| uuid::Uuid::now_v7().simple().to_string(), str::to_owned);
    if let Ok(v) = HeaderValue::from_str(&id) {
        req.headers_mut().insert(X_REQUEST_ID, v);
    }
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let span = tracing::info_span!("request", request_id = %id);
    let mut res = REQUEST_ID
        .scope(id.clone(), next.run(req).instrument(span))
        .await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(X_REQUEST_ID, v);
    }
    let elapsed = start.elapsed();
    let status = res.status().as_u16();
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    if is_probe(&route) {
        tracing::debug!(target: "loket::http", %method, %route, status, duration_ms, request_id = %id, "request");
    } else if status >= 500 {
        tracing::warn!(target: "loket::http", %method, %route, status, duration_ms, request_id = %id, "request");
    } else {
        tracing::info!(target: "loket::http", %method, %route, status, duration_ms, request_id = %id, "request");
    }
    let labels = [
        ("method", method),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!("loket_http_requests_total", &labels).increment(1);
    metrics::histogram!("loket_http_request_duration_seconds", &labels[..2])
        .record(elapsed.as_secs_f64());
    res
}

const X_REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

use crate::common::asset;

pub async fn css() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../static/loket.css").to_owned(),
    )
}

/// The city's colours, from the configuration.
pub async fn theme_css(State(state): State<AppState>) -> Response {
    let c = &state.config;
    asset(
        "text/css; charset=utf-8",
        format!(
            ":root{{--primary:{};--accent:{};}}\n",
            c.primary_color, c.accent_color
        ),
    )
}

pub async fn logo(State(state): State<AppState>) -> Response {
    let svg = state
        .config
        .logo_svg
        .clone()
        .unwrap_or_else(|| include_str!("../static/logo.svg").to_owned());
    asset("image/svg+xml", svg)
}
