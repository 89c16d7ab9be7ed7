//! `/staff/contact/report`: the contact centre's figures for a period
//! (`loket_app::contact::report`), with the contacts per day and channel
//! drawn as an SVG bar chart and given as a table too.

use super::{AGENTS, form_errors};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{format_ms, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use loket_app::contact::report::{self as figures, DayRow, Period, SourceRow};
use loket_render::contact::chart::{
    BOTTOM, Bar, CHART_H, CHART_W, COLOURS, LEFT, Tick, layout_bars,
};
use loket_store::contact as store;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    pub from: String,
    pub to: String,
}

pub struct ChannelRow {
    pub name: String,
    pub colour: &'static str,
    pub total: i64,
    pub first_contact: i64,
}

#[derive(Template)]
#[template(path = "contact/report.html")]
struct ReportPage {
    l: Layout,
    errors: FormErrors,
    from: String,
    to: String,
    chart_w: i64,
    chart_h: i64,
    axis_y: i64,
    axis_left: i64,
    bars: Vec<Bar>,
    x_ticks: Vec<Tick>,
    y_ticks: Vec<Tick>,
    channels: Vec<ChannelRow>,
    days: Vec<DayRow>,
    total: i64,
    first_contact: i64,
    /// (department, forwards in the period, overdue now)
    departments: Vec<(String, i64, i64)>,
    overdue: i64,
    /// (article id, title, uses)
    articles: Vec<(String, String, i64)>,
    /// How many articles and searches the rankings hold at most.
    top_articles: i64,
    top_searches: i64,
    /// (query, times)
    empty_searches: Vec<(String, i64)>,
    /// Contacts without a linked article: (moment id, reference, subject).
    without_article: Vec<(String, String, String)>,
    without_article_count: i64,
    /// Mail files refused: (file, reason, when).
    rejects: Vec<(String, String, String)>,
    /// How many in all: "12 in total" or "more than 10,000".
    rejects_total: String,
    /// Mail-in sources: (name, last read without error, last error with
    /// its time, failing now).
    sources: Vec<SourceRow>,
}

pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    ctx.require(AGENTS)?;
    let today = today_brussels();
    let loc = ctx.locale;
    let (period, errors) = match Period::parse(&q.from, &q.to, today) {
        Ok(p) => (p, FormErrors::default()),
        Err(inv) => (Period::two_weeks_to(today), form_errors(loc, &inv)),
    };
    let r = figures::report(&state, period, loc).await?;
    let channels: Vec<ChannelRow> = r
        .channels
        .iter()
        .zip(COLOURS)
        .map(|(c, colour)| ChannelRow {
            name: loc.t(&format!("contact-channel-{}", c.channel)),
            colour,
            total: c.total,
            first_contact: c.first_contact,
        })
        .collect();
    let names: Vec<String> = channels.iter().map(|c| c.name.clone()).collect();
    let day_names: Vec<String> = r.days.iter().map(|d| d.day.clone()).collect();
    let counts: Vec<[i64; 6]> = r.days.iter().map(|d| d.counts).collect();
    let (bars, x_ticks, y_ticks) = layout_bars(&day_names, &counts, &names);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let or_period = |typed: &str, d: jiff::civil::Date| {
        if typed.is_empty() {
            d.to_string()
        } else {
            typed.to_owned()
        }
    };
    render(
        status,
        ReportPage {
            l: ctx.layout("contact-report-title"),
            errors,
            from: or_period(&q.from, period.from),
            to: or_period(&q.to, period.to),
            chart_w: CHART_W,
            chart_h: CHART_H,
            axis_y: CHART_H - BOTTOM,
            axis_left: LEFT,
            bars,
            x_ticks,
            y_ticks,
            channels,
            days: r.days,
            total: r.total,
            first_contact: r.first_contact,
            departments: r.departments,
            overdue: r.overdue,
            articles: r.articles,
            top_articles: loket_app::contact::report::TOP_ARTICLES,
            top_searches: loket_app::contact::report::TOP_EMPTY_SEARCHES,
            empty_searches: r.empty_searches,
            without_article: r.without_article,
            without_article_count: r.without_article_count,
            rejects: r.rejects,
            rejects_total: crate::paging::total_text(loc, r.rejects_total),
            sources: r.sources,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RejectsQuery {
    pub cursor: String,
    pub limit: String,
}

#[derive(Template)]
#[template(path = "contact/mail_rejects.html")]
struct RejectsPage {
    l: Layout,
    /// (file, reason, when)
    rows: Vec<(String, String, String)>,
    pager: crate::paging::Pager,
}

/// `/staff/contact/mail-rejects`: every mail file the mail-in worker
/// refused, newest first, a page at a time, with the total and a CSV
/// download.
pub async fn mail_rejects(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RejectsQuery>,
) -> Result<Response, AppError> {
    ctx.require(AGENTS)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::REJECT_PAGING)?;
    let page = store::mail_rejects_page(&state.store, &pq).await?;
    let total = store::mail_rejects_total(&state.store, loket_domain::paging::TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/staff/contact/mail-rejects",
        &[],
        &page,
        &pq,
        total,
        Some("/staff/contact/mail-rejects.csv"),
    );
    let rows = page
        .items
        .into_iter()
        .map(|m| (m.file_name, m.reason, format_ms(m.created_at)))
        .collect();
    render(
        StatusCode::OK,
        RejectsPage {
            l: ctx.layout("contact-report-rejects"),
            rows,
            pager,
        },
    )
}

/// The refused mail files as CSV, every one, newest first (streamed, 500
/// per query).
pub async fn mail_rejects_csv(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Response, AppError> {
    ctx.require(AGENTS)?;
    let locale = ctx.locale;
    Ok(crate::paging::csv_export(
        &format!("mail-rejects-{}.csv", today_brussels()),
        locale,
        &["contact-col-file", "contact-col-reason", "contact-col-when"],
        state,
        move |state, pq| async move {
            let page = store::mail_rejects_page(&state.store, &pq).await?;
            let rows = page
                .items
                .into_iter()
                .map(|m| vec![m.file_name, m.reason, format_ms(m.created_at)])
                .collect();
            Ok((rows, page.next))
        },
    ))
}
