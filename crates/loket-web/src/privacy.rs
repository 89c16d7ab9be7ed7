//! The retention schedule for admins (`/admin/retention`): every kind with
//! its period, what happens and whether the period is the default or
//! configured, and the last runs with their counts.

pub mod export;
pub mod requests;

use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::i18n::format_ms;
use crate::layout::Layout;
use crate::people::ADMIN_ROLES;
use crate::people::session::Ctx;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use loket_domain::paging::TOTAL_CAP;
use loket_domain::privacy::{Period, Unit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/retention", get(retention_page))
        .route("/admin/retention/runs.csv", get(runs_csv))
        .merge(export::routes())
        .merge(requests::routes())
}

/// One line of the schedule, in the page's language.
struct Line {
    kind: String,
    period: String,
    action: String,
    source: String,
    config_key: &'static str,
    basis: &'static str,
    proposal: bool,
}

/// One run, in the page's language.
struct RunLine {
    started: String,
    finished: String,
    as_of: String,
    trigger: String,
    /// (kind, records).
    counts: Vec<(String, i64)>,
    files_removed: i64,
    error: String,
}

#[derive(Template)]
#[template(path = "privacy/retention.html")]
struct RetentionPage {
    l: Layout,
    lines: Vec<Line>,
    /// Closed cases: each service's period in words.
    services: Vec<String>,
    runs: Vec<RunLine>,
    pager: crate::paging::Pager,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct RunsQuery {
    pub cursor: String,
    pub limit: String,
}

fn run_line(loc: crate::i18n::Locale, r: loket_store::privacy::Run) -> RunLine {
    RunLine {
        started: format_ms(r.started_at),
        finished: r.finished_at.map(format_ms).unwrap_or_default(),
        as_of: format_ms(r.as_of),
        trigger: loc.t(&format!("retention-trigger-{}", r.trigger_kind)),
        counts: r
            .counts
            .into_iter()
            .map(|(k, n)| (loc.t(&format!("privacy-kind-{k}")), n))
            .collect(),
        files_removed: r.files_removed,
        error: r.error.unwrap_or_default(),
    }
}

/// `/admin/retention`: the schedule, and the runs a page at a time
/// (newest first) with their total and a CSV download.
pub async fn retention_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RunsQuery>,
) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &loket_store::privacy::RUN_PAGING)?;
    let loc = ctx.locale;
    let en = ctx.layout("retention-title").lang() == "en";
    let lines = state
        .config
        .retention
        .applied()
        .into_iter()
        .map(|a| {
            let unit = match a.kind.unit {
                Unit::Hours => "hours",
                Unit::Days => "days",
                Unit::Months => "months",
            };
            Line {
                kind: loc.t(&format!("privacy-kind-{}", a.kind.key)),
                period: loc.t_args(
                    &format!("retention-unit-{unit}"),
                    &[("n", a.value.to_string())],
                ),
                action: crate::legal::period_text(
                    loc,
                    Period::Scheduled {
                        key: a.kind.key,
                        value: a.value,
                    },
                ),
                source: if a.configured {
                    loc.t_args(
                        "retention-source-configured",
                        &[("default", a.kind.default.to_string())],
                    )
                } else {
                    loc.t("retention-source-default")
                },
                config_key: a.kind.config_key,
                basis: if en { a.kind.basis_en } else { a.kind.basis_nl },
                proposal: a.kind.proposal,
            }
        })
        .collect();
    let page = loket_app::privacy::runs_page(&state.app, &pq).await?;
    let total = loket_app::privacy::runs_total(&state.app, TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        loc,
        "/admin/retention",
        &[],
        &page,
        &pq,
        total,
        Some("/admin/retention/runs.csv"),
    );
    let runs = page.items.into_iter().map(|r| run_line(loc, r)).collect();
    let services = crate::legal::per_service(&state, loc).await?;
    render(
        StatusCode::OK,
        RetentionPage {
            l: ctx.layout("retention-title"),
            lines,
            services,
            runs,
            pager,
        },
    )
}

/// The retention runs as CSV, every one, newest first (streamed, 500 per
/// query); the counts in one cell (`kind: records; …`).
pub async fn runs_csv(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    let loc = ctx.locale;
    Ok(crate::paging::csv_export(
        &format!("retention-runs-{}.csv", crate::i18n::today_brussels()),
        loc,
        &[
            "retention-col-started",
            "retention-col-finished",
            "retention-col-as-of",
            "retention-col-trigger",
            "retention-col-counts",
            "retention-col-files",
            "retention-col-error",
        ],
        state,
        move |state, pq| async move {
            let page = loket_app::privacy::runs_page(&state.app, &pq).await?;
            let rows = page
                .items
                .into_iter()
                .map(|r| {
                    let x = run_line(loc, r);
                    let counts = x
                        .counts
                        .iter()
                        .map(|(k, n)| format!("{k}: {n}"))
                        .collect::<Vec<_>>()
                        .join("; ");
                    vec![
                        x.started,
                        x.finished,
                        x.as_of,
                        x.trigger,
                        counts,
                        x.files_removed.to_string(),
                        x.error,
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}
