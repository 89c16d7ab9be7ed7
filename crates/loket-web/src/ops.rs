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
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Prometheus text format. Gauges of the outbox and the pool are read now.
/// With `metrics_token` configured, only for `Authorization: Bearer <it>`.
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

/// Counts requests and their latency by route template (never the raw URI,
/// which would make one series per id).
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("loket_http_requests_total", &labels).increment(1);
    metrics::histogram!("loket_http_request_duration_seconds", &labels[..2])
        .record(start.elapsed().as_secs_f64());
    res
}

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
