//! `/staff/dashboard`: the management dashboard (`loket_app::dashboard`).
//! A period picker (a GET form, no script), then per section its SVG charts
//! (drawn by the template from the geometry laid out here), its table with
//! the same figures, and a CSV download of that table
//! (`/staff/dashboard/{section}.csv`). `GET /api/v1/dashboard` returns the
//! same tables as JSON. Aggregates only: no access-log rows.

pub mod chart;

use crate::AppState;
use crate::api::ApiUser;
use crate::common::render;
use crate::error::{ApiError, AppError};
use crate::forms::FormErrors;
use crate::i18n::{Locale, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chart::ChartView;
use loket_app::dashboard::{self as figures, Dashboard, SECTIONS, Table};
use loket_domain::dashboard::Period;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use loket_app::dashboard::VIEWERS;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/dashboard", get(page))
        .route("/staff/dashboard/{file}", get(csv))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/dashboard", get(api))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// The first day (`YYYY-MM-DD`); empty: the first day of the month
    /// eleven months ago.
    pub from: String,
    /// The last day, included (`YYYY-MM-DD`); empty: today. At most three
    /// years after `from`.
    pub to: String,
}

/// A value as the page shows it, by its column's unit.
pub fn display(column: &str, v: i64) -> String {
    if column.ends_with("_pct") {
        format!("{v}%")
    } else if column.ends_with("_cents") {
        let sign = if v < 0 { "-" } else { "" };
        let a = v.unsigned_abs();
        format!("€ {sign}{},{:02}", a / 100, a % 100)
    } else if column.ends_with("_s") {
        let a = v.max(0);
        format!("{}:{:02}", a / 60, a % 60)
    } else if column.ends_with("_kg") {
        format!("{v} kg")
    } else {
        v.to_string()
    }
}

/// A row label as the page shows it (codes translated).
fn label(locale: Locale, t: &Table, raw: &str) -> String {
    match t.label_prefix {
        Some(p) => locale.t(&format!("{p}{}", raw.replace('_', "-"))),
        None => raw.to_owned(),
    }
}

fn column_name(locale: Locale, column: &str) -> String {
    locale.t(&format!("dash-col-{}", column.replace('_', "-")))
}

pub struct SectionView {
    pub id: &'static str,
    pub title: String,
    pub intro: String,
    pub charts: Vec<ChartView>,
    pub label_head: String,
    pub heads: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
    pub csv: String,
}

fn section(locale: Locale, t: &Table, query: &str) -> SectionView {
    let dash = t.id.replace('_', "-");
    let labels: Vec<String> = t.rows.iter().map(|r| label(locale, t, &r.label)).collect();
    let charts = t
        .charts
        .iter()
        .enumerate()
        .map(|(i, cols)| {
            let series: Vec<(String, Vec<i64>)> = cols
                .iter()
                .map(|c| {
                    (
                        column_name(locale, c),
                        t.rows.iter().map(|r| t.value(r, c).unwrap_or(0)).collect(),
                    )
                })
                .collect();
            chart::layout(
                &format!("chart-{}-{i}", t.id),
                &locale.t(&format!("dash-chart-{dash}-{i}")),
                &locale.t("dash-chart-desc"),
                &labels,
                &series,
            )
        })
        .collect();
    SectionView {
        id: t.id,
        title: locale.t(&format!("dash-{dash}-title")),
        intro: locale.t(&format!("dash-{dash}-intro")),
        charts,
        label_head: column_name(locale, t.label),
        heads: t.columns.iter().map(|c| column_name(locale, c)).collect(),
        rows: t
            .rows
            .iter()
            .zip(&labels)
            .map(|(r, l)| {
                (
                    l.clone(),
                    t.columns
                        .iter()
                        .zip(&r.values)
                        .map(|(c, v)| display(c, *v))
                        .collect(),
                )
            })
            .collect(),
        csv: format!("/staff/dashboard/{}.csv{query}", t.id),
    }
}

#[derive(Template)]
#[template(path = "dashboard/dashboard.html")]
struct DashboardPage {
    l: Layout,
    errors: FormErrors,
    from: String,
    to: String,
    shown_from: String,
    shown_to: String,
    co2_g_per_km: i64,
    waits_cut: bool,
    /// "More than 50 campaigns had figures…" when the vaccination table
    /// lists only the first, else ''.
    campaigns_cut: String,
    /// Whether the viewer may open the paged campaign list the cut links
    /// to (vaccination roles); a management viewer gets the text alone.
    campaigns_link: bool,
    sections: Vec<SectionView>,
}

fn parse_or_default(q: &PeriodQuery, locale: Locale) -> (Period, FormErrors) {
    let today = today_brussels();
    match Period::parse(&q.from, &q.to, today) {
        Ok(p) => (p, FormErrors::default()),
        Err(inv) => (
            Period::last_year_to(today),
            FormErrors::from_invalid_in(locale, &inv, "dashboard"),
        ),
    }
}

/// The page: the period picker, then every section.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let campaigns_link = ctx
        .require(VIEWERS)?
        .roles
        .any(crate::vaccination::CENTRE_STAFF);
    let locale = ctx.locale;
    let (period, errors) = parse_or_default(&q, locale);
    let d = figures::figures(&state, period).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // The CSV links carry the period shown.
    let query = format!("?from={}&to={}", d.period.from, d.period.to);
    let sections = d
        .tables
        .iter()
        .map(|t| section(locale, t, &query))
        .collect();
    let typed = |s: &str, or: String| {
        if s.trim().is_empty() {
            or
        } else {
            s.to_owned()
        }
    };
    render(
        status,
        DashboardPage {
            l: ctx.layout("dash-title"),
            errors,
            from: typed(&q.from, d.period.from.to_string()),
            to: typed(&q.to, d.period.to.to_string()),
            shown_from: d.period.from.to_string(),
            shown_to: d.period.to.to_string(),
            co2_g_per_km: d.co2_g_per_km,
            waits_cut: d.waits_cut,
            campaigns_cut: if d.campaigns_cut {
                locale.t_args(
                    "dash-campaigns-cut",
                    &[(
                        "count",
                        crate::paging::format_count(locale, figures::CAMPAIGNS_SHOWN),
                    )],
                )
            } else {
                String::new()
            },
            campaigns_link,
            sections,
        },
    )
}

/// One table as CSV rows: a header of column keys, then the rows (raw
/// labels and integers, as the API gives them).
pub fn csv_rows(t: &Table) -> Vec<Vec<String>> {
    let mut rows = Vec::with_capacity(t.rows.len() + 1);
    let mut head = vec![t.label.to_owned()];
    head.extend(t.columns.iter().map(|c| (*c).to_owned()));
    rows.push(head);
    for r in &t.rows {
        let mut line = vec![r.label.clone()];
        line.extend(r.values.iter().map(i64::to_string));
        rows.push(line);
    }
    rows
}

/// `/staff/dashboard/{section}.csv?from=&to=`: one section's table.
pub async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    ctx.require(VIEWERS)?;
    let Some(id) = file
        .strip_suffix(".csv")
        .and_then(|s| SECTIONS.iter().find(|x| **x == s))
    else {
        return Err(AppError::NotFound);
    };
    let period = Period::parse(&q.from, &q.to, today_brussels()).map_err(AppError::BadQuery)?;
    // A download has every row: every campaign with figures in the period.
    let d = figures::figures_with(&state, period, None).await?;
    let t = d.table(id).ok_or(AppError::NotFound)?;
    let body = loket_render::csv::write(&csv_rows(t), ',');
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"dashboard-{id}-{}-{}.csv\"",
        period.from, period.to
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// One row of a dashboard table.
#[derive(Serialize, ToSchema)]
pub struct RowOut {
    /// A month (`YYYY-MM`), a location or campaign name, or a code (a
    /// contact channel, an asset category).
    pub label: String,
    /// One value per column, in the order of `columns`.
    pub values: Vec<i64>,
}

/// One section of the dashboard.
#[derive(Serialize, ToSchema)]
pub struct SectionOut {
    /// `channels`, `counter`, `contact`, `forwards`, `searches`,
    /// `telework`, `bikes`, `equipment` or `vaccination`.
    pub id: String,
    /// What the label of a row is: `month`, `location`, `channel`,
    /// `category` or `campaign`.
    pub label: String,
    /// The value columns; the suffix says the unit: `_pct` whole percent,
    /// `_s` seconds, `_cents` euro cents, `_kg` kilograms; others count.
    pub columns: Vec<String>,
    pub rows: Vec<RowOut>,
}

/// The management dashboard's figures for a period.
#[derive(Serialize, ToSchema)]
pub struct DashboardOut {
    pub from: String,
    /// The last day, included.
    pub to: String,
    /// The car emissions a bike kilometre avoids, as used for `co2_kg`
    /// (grams of CO2 per km).
    pub co2_g_per_km: i64,
    /// True when there were more waits than the dashboard keeps in memory
    /// (200,000): the medians then cover the first ones only.
    pub waits_cut: bool,
    /// True when more than 50 campaigns had figures in the period: the
    /// `vaccination` section then lists the first 50 (oldest first). Every
    /// campaign is in `/api/v1/vaccination/campaigns` (paged), and the
    /// section's CSV download on the dashboard page lists every one.
    pub campaigns_cut: bool,
    pub sections: Vec<SectionOut>,
}

impl From<Dashboard> for DashboardOut {
    fn from(d: Dashboard) -> Self {
        DashboardOut {
            from: d.period.from.to_string(),
            to: d.period.to.to_string(),
            co2_g_per_km: d.co2_g_per_km,
            waits_cut: d.waits_cut,
            campaigns_cut: d.campaigns_cut,
            sections: d
                .tables
                .into_iter()
                .map(|t| SectionOut {
                    id: t.id.to_owned(),
                    label: t.label.to_owned(),
                    columns: t.columns.iter().map(|c| (*c).to_owned()).collect(),
                    rows: t
                        .rows
                        .into_iter()
                        .map(|r| RowOut {
                            label: r.label,
                            values: r.values,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The management dashboard: requests per channel, the counters, the
/// contact centre, telework, bikes, equipment and the vaccination centre,
/// for a period (default: the last twelve months). Roles `management` or
/// `admin`; aggregates only.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard",
    params(PeriodQuery),
    responses(
        (status = 200, body = DashboardOut),
        (status = 400, description = "The period is invalid: `from` or `to` is not a date (`YYYY-MM-DD`), `to` is before `from`, or the period is longer than three years (a field names it)", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn api(
    State(state): State<AppState>,
    who: ApiUser,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<DashboardOut>, ApiError> {
    who.require(VIEWERS)?;
    // A bad query parameter is a 400 naming the field, as every API list
    // refuses a bad `cursor` or `limit`.
    let period = Period::parse(&q.from, &q.to, today_brussels())
        .map_err(|inv| who.err(AppError::BadQuery(inv)).in_context("dashboard"))?;
    let d = figures::figures(&state, period)
        .await
        .map_err(|e| who.err(e))?;
    Ok(Json(d.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_show_their_unit() {
        assert_eq!(display("digital_pct", 57), "57%");
        assert_eq!(display("allowance_cents", 12345), "€ 123,45");
        assert_eq!(display("wait_median_s", 125), "2:05");
        assert_eq!(display("co2_kg", 12), "12 kg");
        assert_eq!(display("trips", 3), "3");
    }
}
