//! `/staff/contact/report`: the contact centre's figures for a period —
//! contacts per day and channel (an SVG bar chart rendered here, with the
//! same figures in a table), the share answered at first contact, forwards
//! per department and those overdue now, the articles used most, and the
//! gaps in the knowledge base: searches that found nothing and contacts
//! answered without an article. Mail files refused by the e-mail intake are
//! listed too.

use super::{AGENTS, form_errors};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{date_of_ms, format_ms, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::ToSpan;
use jiff::civil::Date;
use loket_domain::Invalid;
use loket_domain::contact::CHANNELS;
use loket_store::contact as store;
use serde::Deserialize;

/// The longest period one report covers, in days.
pub const MAX_DAYS: i64 = 92;

/// The chart's colour per channel (Okabe–Ito, distinguishable with colour
/// blindness), in the order of [`CHANNELS`].
const COLOURS: [&str; 6] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    pub from: String,
    pub to: String,
}

/// One bar segment of the chart, in SVG user units.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    pub colour: &'static str,
    pub title: String,
}

/// An axis label.
pub struct Tick {
    pub x: i64,
    pub y: i64,
    pub text: String,
}

pub const CHART_W: i64 = 720;
pub const CHART_H: i64 = 260;
const LEFT: i64 = 44;
const BOTTOM: i64 = 36;
const TOP: i64 = 12;

/// Lays out stacked bars: `counts[day][channel]`, one bar per day.
pub fn layout_bars(
    days: &[String],
    counts: &[[i64; 6]],
    channel_names: &[String],
) -> (Vec<Bar>, Vec<Tick>, Vec<Tick>) {
    let n = i64::try_from(days.len()).unwrap_or(1).max(1);
    let plot_w = CHART_W - LEFT - 8;
    let plot_h = CHART_H - TOP - BOTTOM;
    let max = counts
        .iter()
        .map(|c| c.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = plot_w / n;
    let bar_w = (slot * 7 / 10).max(1);
    let mut bars = Vec::new();
    let mut xs = Vec::new();
    for (i, (day, c)) in days.iter().zip(counts).enumerate() {
        let i = i64::try_from(i).unwrap_or(0);
        let x = LEFT + i * slot + (slot - bar_w) / 2;
        // Cumulative heights, so the segments of a bar add up exactly.
        let axis = TOP + plot_h;
        let mut below = 0;
        for (ch, count) in c.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let bottom = axis - below * plot_h / max;
            below += count;
            let top = (axis - below * plot_h / max).min(bottom - 1);
            bars.push(Bar {
                x,
                y: top,
                w: bar_w,
                h: bottom - top,
                colour: COLOURS[ch],
                title: format!(
                    "{day}: {} {count}",
                    channel_names
                        .get(ch)
                        .map(String::as_str)
                        .unwrap_or_default()
                ),
            });
        }
        // Label every day when they fit, else every seventh.
        if n <= 16 || i % 7 == 0 {
            xs.push(Tick {
                x: x + bar_w / 2,
                y: CHART_H - BOTTOM + 16,
                text: day.get(5..).unwrap_or(day).to_owned(),
            });
        }
    }
    let marks = if max >= 2 {
        vec![0, max / 2, max]
    } else {
        vec![0, max]
    };
    let ys = marks
        .into_iter()
        .map(|v| Tick {
            x: LEFT - 6,
            y: TOP + plot_h - v * plot_h / max + 4,
            text: v.to_string(),
        })
        .collect();
    (bars, xs, ys)
}

/// `part` of `total` in whole percent (0 when there is nothing).
pub fn percent(part: i64, total: i64) -> i64 {
    if total <= 0 {
        0
    } else {
        (part * 100 + total / 2) / total
    }
}

pub struct DayRow {
    pub day: String,
    pub counts: Vec<i64>,
    pub total: i64,
    pub first_contact: i64,
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
    /// (query, times)
    empty_searches: Vec<(String, i64)>,
    /// Contacts without a linked article: (moment id, reference, subject).
    without_article: Vec<(String, String, String)>,
    without_article_count: usize,
    /// Mail files refused: (file, reason, when).
    rejects: Vec<(String, String, String)>,
    /// Mail-in sources: (name, last read without error, last error with
    /// its time, failing now).
    sources: Vec<(String, String, String, bool)>,
}

fn parse_period(q: &ReportQuery, today: Date) -> Result<(Date, Date), Invalid> {
    let mut inv = Invalid::default();
    let to = if q.to.trim().is_empty() {
        Some(today)
    } else {
        let d = q.to.trim().parse::<Date>().ok();
        if d.is_none() {
            inv.push("to", "contact-date-invalid");
        }
        d
    };
    let from = if q.from.trim().is_empty() {
        to.and_then(|t| t.checked_sub(13.days()).ok())
    } else {
        let d = q.from.trim().parse::<Date>().ok();
        if d.is_none() {
            inv.push("from", "contact-date-invalid");
        }
        d
    };
    match (from, to) {
        (Some(f), Some(t)) if inv.is_empty() => {
            if f > t {
                inv.push("to", "contact-until-before-from");
            } else if t
                .since(f)
                .map(|s| i64::from(s.get_days()))
                .unwrap_or(i64::MAX)
                >= MAX_DAYS
            {
                inv.push("from", "contact-period-too-long");
            }
            inv.into_result().map(|()| (f, t))
        }
        _ => Err(inv),
    }
}

/// Unix ms of midnight (Brussels) at the start of `d`.
fn start_ms(d: Date) -> i64 {
    d.to_zoned_datetime(crate::i18n::brussels())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(0)
}

pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    ctx.require(AGENTS)?;
    let today = today_brussels();
    let loc = ctx.locale;
    let (period, errors) = match parse_period(&q, today) {
        Ok(p) => (p, FormErrors::default()),
        Err(inv) => {
            let fallback = (today.checked_sub(13.days()).unwrap_or(today), today);
            (fallback, form_errors(loc, &inv))
        }
    };
    let (from, to) = period;
    let from_ms = start_ms(from);
    let to_ms = start_ms(to.tomorrow().unwrap_or(to));
    let moments = store::report_moments(&state.store, from_ms, to_ms).await?;
    let mut day_list = Vec::new();
    let mut d = from;
    while d <= to {
        day_list.push(d.to_string());
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    let mut counts = vec![[0i64; 6]; day_list.len()];
    let mut first = vec![0i64; day_list.len()];
    let mut ch_total = [0i64; 6];
    let mut ch_first = [0i64; 6];
    let mut without = Vec::new();
    for m in &moments {
        let Some(day) = date_of_ms(m.created_at) else {
            continue;
        };
        let Some(i) = day_list.iter().position(|x| *x == day.to_string()) else {
            continue;
        };
        let Some(c) = CHANNELS.iter().position(|x| *x == m.channel) else {
            continue;
        };
        counts[i][c] += 1;
        ch_total[c] += 1;
        if m.outcome == "answered" {
            first[i] += 1;
            ch_first[c] += 1;
        }
        if m.articles == 0 {
            without.push((m.id.clone(), m.reference.clone(), m.subject.clone()));
        }
    }
    let names: Vec<String> = CHANNELS
        .iter()
        .map(|c| loc.t(&format!("contact-channel-{c}")))
        .collect();
    let (bars, x_ticks, y_ticks) = layout_bars(&day_list, &counts, &names);
    let total: i64 = ch_total.iter().sum();
    let answered: i64 = ch_first.iter().sum();
    let days = day_list
        .iter()
        .enumerate()
        .map(|(i, day)| {
            let t: i64 = counts[i].iter().sum();
            DayRow {
                day: day.clone(),
                counts: counts[i].to_vec(),
                total: t,
                first_contact: percent(first[i], t),
            }
        })
        .collect();
    let channels = names
        .iter()
        .enumerate()
        .map(|(c, name)| ChannelRow {
            name: name.clone(),
            colour: COLOURS[c],
            total: ch_total[c],
            first_contact: percent(ch_first[c], ch_total[c]),
        })
        .collect();
    let depts = store::list_departments(&state.store).await?;
    let departments: Vec<(String, i64, i64)> =
        store::report_forwards(&state.store, from_ms, to_ms, &today.to_string())
            .await?
            .into_iter()
            .map(|(id, n, late)| {
                let name = depts
                    .iter()
                    .find(|d| d.id == id)
                    .map(|d| d.name(loc.code()).to_owned())
                    .unwrap_or_default();
                (name, n, late)
            })
            .collect();
    let overdue = departments.iter().map(|(_, _, o)| o).sum();
    let articles = store::report_top_articles(&state.store, from_ms, to_ms, 10)
        .await?
        .into_iter()
        .map(|(a, n)| (a.id.clone(), a.title(loc.code()).to_owned(), n))
        .collect();
    let empty_searches =
        store::report_empty_searches(&state.store, &from.to_string(), &to.to_string(), 20).await?;
    let rejects = store::mail_rejects(&state.store, 10)
        .await?
        .into_iter()
        .map(|(f, r, at)| (f, r, format_ms(at)))
        .collect();
    let sources = store::mail_sources(&state.store)
        .await?
        .into_iter()
        .map(|m| {
            let failing = m.failing();
            let error = match (m.last_error_at, &m.last_error) {
                (Some(at), Some(e)) => format!("{} — {e}", format_ms(at)),
                _ => String::new(),
            };
            (
                m.source,
                m.last_ok_at.map(format_ms).unwrap_or_default(),
                error,
                failing,
            )
        })
        .collect();
    let without_article_count = without.len();
    without.truncate(20);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        ReportPage {
            l: ctx.layout("contact-report-title"),
            errors,
            from: if q.from.is_empty() {
                from.to_string()
            } else {
                q.from.clone()
            },
            to: if q.to.is_empty() {
                to.to_string()
            } else {
                q.to.clone()
            },
            chart_w: CHART_W,
            chart_h: CHART_H,
            axis_y: CHART_H - BOTTOM,
            axis_left: LEFT,
            bars,
            x_ticks,
            y_ticks,
            channels,
            days,
            total,
            first_contact: percent(answered, total),
            departments,
            overdue,
            articles,
            empty_searches,
            without_article: without,
            without_article_count,
            rejects,
            sources,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_stack_and_scale_to_the_busiest_day() {
        let days = vec!["2026-11-02".to_owned(), "2026-11-03".to_owned()];
        let counts = vec![[2, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]];
        let names: Vec<String> = CHANNELS.iter().map(|c| (*c).to_owned()).collect();
        let (bars, xs, ys) = layout_bars(&days, &counts, &names);
        assert_eq!(bars.len(), 2);
        let plot_h = CHART_H - TOP - BOTTOM;
        // The busiest day fills the plot's height.
        assert_eq!(bars[0].h + bars[1].h, plot_h);
        assert_eq!(bars[1].y + bars[1].h, bars[0].y, "stacked");
        assert_eq!(bars[0].y + bars[0].h, TOP + plot_h, "on the axis");
        assert!(bars[0].title.contains("phone 2"));
        assert_eq!(xs.len(), 2);
        assert_eq!(ys.last().map(|t| t.text.as_str()), Some("3"));
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(0, 0), 0);
    }

    #[test]
    fn the_period_is_checked() {
        let today: Date = "2026-11-25".parse().unwrap_or_default();
        let q = |f: &str, t: &str| ReportQuery {
            from: f.to_owned(),
            to: t.to_owned(),
        };
        assert_eq!(
            parse_period(&q("", ""), today).ok(),
            Some(("2026-11-12".parse().unwrap_or_default(), today))
        );
        assert!(parse_period(&q("2026-11-20", "2026-11-10"), today).is_err());
        assert!(parse_period(&q("2026-01-01", "2026-11-10"), today).is_err());
        assert!(parse_period(&q("gisteren", ""), today).is_err());
    }
}
