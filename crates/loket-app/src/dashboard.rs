//! The management dashboard: the city's figures for a period, across the
//! contexts, as tables that the page draws as charts, the CSV downloads
//! write and the API returns as they are. Aggregates only: no person is
//! shown, so no access-log row is written.
//!
//! Each table has a label column (a month, a location, a channel, a
//! category or a campaign) and integer columns; a column's key says its
//! unit (`_pct` whole percent by [`loket_domain::percent`], `_s` seconds,
//! `_cents` euro cents, `_kg` kilograms).

use crate::{App, Refusal};
use jiff::civil::Date;
use loket_domain::calendar::brussels;
use loket_domain::cases::Channel;
use loket_domain::contact::CHANNELS as CONTACT_CHANNELS;
use loket_domain::dashboard::{
    MAX_DURATIONS, Period, allowance_cents, co2_avoided_kg, date_of_hour, fold_hours, median,
    percentile,
};
use loket_domain::people::Role;
use loket_domain::percent;
use loket_domain::telework::Month;
use loket_store::dashboard as store;
use std::collections::{BTreeMap, HashMap};

/// Who may read the dashboard.
pub const VIEWERS: &[Role] = &[Role::Management, Role::Admin];

/// The sections, in the order of the page.
pub const SECTIONS: [&str; 9] = [
    "channels",
    "counter",
    "contact",
    "forwards",
    "searches",
    "telework",
    "bikes",
    "equipment",
    "vaccination",
];

/// One line of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// A month (`YYYY-MM`), a location or campaign name, or a code (a
    /// channel, an asset category).
    pub label: String,
    /// One value per column.
    pub values: Vec<i64>,
}

/// One section's table.
#[derive(Debug, Clone)]
pub struct Table {
    pub id: &'static str,
    /// The key of the label column: `month`, `location`, `channel`,
    /// `category` or `campaign`.
    pub label: &'static str,
    /// The keys of the value columns.
    pub columns: Vec<&'static str>,
    pub rows: Vec<Row>,
    /// The charts drawn of this table, each a list of columns.
    pub charts: Vec<Vec<&'static str>>,
    /// Labels that are codes are shown through this message prefix.
    pub label_prefix: Option<&'static str>,
}

impl Table {
    /// The value of `column` in `row`.
    pub fn value(&self, row: &Row, column: &str) -> Option<i64> {
        let i = self.columns.iter().position(|c| *c == column)?;
        row.values.get(i).copied()
    }
}

/// The dashboard for a period.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub period: Period,
    /// The car emissions a bike kilometre avoids, as used (g CO2/km).
    pub co2_g_per_km: i64,
    /// Whether the waits were more than [`MAX_DURATIONS`] (the medians
    /// then cover the first ones of each location only).
    pub waits_cut: bool,
    /// Whether more campaigns than the vaccination table lists had figures
    /// in the period (see [`CAMPAIGNS_SHOWN`]): the page and the API say
    /// so and point to the paged campaign list.
    pub campaigns_cut: bool,
    pub tables: Vec<Table>,
}

/// The most campaigns the vaccination table lists (one row each, oldest
/// first, only those with figures in the period); past it the dashboard
/// says "more than N". A section's CSV download lists every one.
pub const CAMPAIGNS_SHOWN: i64 = 50;

impl Dashboard {
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// Unix ms of midnight (Brussels) at the start of `d`.
pub fn start_ms(d: Date) -> i64 {
    d.to_zoned_datetime(brussels())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(0)
}

fn month_rows<const N: usize>(months: &[Month], mut f: impl FnMut(&str) -> [i64; N]) -> Vec<Row> {
    months
        .iter()
        .map(|m| {
            let key = m.to_string();
            Row {
                values: f(&key).to_vec(),
                label: key,
            }
        })
        .collect()
}

/// The figures of `period`, with at most [`CAMPAIGNS_SHOWN`] campaigns.
pub async fn figures(app: &App, period: Period) -> Result<Dashboard, Refusal> {
    figures_with(app, period, Some(CAMPAIGNS_SHOWN)).await
}

/// The figures of `period`, with at most `campaigns` campaigns in the
/// vaccination table (None: every campaign with figures in the period,
/// for a download).
pub async fn figures_with(
    app: &App,
    period: Period,
    campaigns: Option<i64>,
) -> Result<Dashboard, Refusal> {
    // A report: from the read replica when there is one.
    let db = app.store.reader();
    let from_ms = start_ms(period.from);
    let to_ms = start_ms(period.end_exclusive());
    let from_day = period.from.to_string();
    let to_day = period.to.to_string();
    let months = period.months();
    let first_month = months.first().map(|m| m.to_string()).unwrap_or_default();
    let last_month = months.last().map(|m| m.to_string()).unwrap_or_default();
    let today = crate::i18n::today_brussels();
    let mut tables = Vec::new();

    // 1. Requests per channel and the digital share.
    let cases = fold_hours(&store::cases_by_channel(&db, from_ms, to_ms).await?);
    let get = |map: &BTreeMap<(String, String), i64>, k: &str, m: &str| {
        map.get(&(k.to_owned(), m.to_owned())).copied().unwrap_or(0)
    };
    tables.push(Table {
        id: "channels",
        label: "month",
        columns: vec!["web", "phone", "counter", "post", "total", "digital_pct"],
        rows: month_rows(&months, |m| {
            let by = |c: Channel| get(&cases, c.as_str(), m);
            let (web, phone, counter, post) = (
                by(Channel::Web),
                by(Channel::Phone),
                by(Channel::Counter),
                by(Channel::Post),
            );
            let total = web + phone + counter + post;
            [web, phone, counter, post, total, percent(web, total)]
        }),
        charts: vec![vec!["web", "phone", "counter", "post"], vec!["digital_pct"]],
        label_prefix: None,
    });

    // 2. The counters: waits, appointments, no-shows, walk-ins.
    let locations = store::locations(&db).await?;
    let waits = store::waits(&db, from_ms, to_ms, MAX_DURATIONS + 1).await?;
    let waits_cut = i64::try_from(waits.len()).unwrap_or(i64::MAX) > MAX_DURATIONS;
    let mut per_loc: HashMap<&str, Vec<i64>> = HashMap::new();
    for (loc, w) in waits
        .iter()
        .take(usize::try_from(MAX_DURATIONS).unwrap_or(0))
    {
        per_loc.entry(loc.as_str()).or_default().push(*w);
    }
    let tickets = store::tickets(&db, &from_day, &to_day).await?;
    let appts = store::appointments(&db, from_ms, to_ms).await?;
    let mut counter_rows = Vec::new();
    for (id, name) in &locations {
        let mut w = per_loc.remove(id.as_str()).unwrap_or_default();
        w.sort_unstable();
        let secs = |v: Option<i64>| v.map(|ms| (ms + 500) / 1000).unwrap_or(0);
        let called = i64::try_from(w.len()).unwrap_or(i64::MAX);
        let sum = |status: Option<&str>| -> i64 {
            appts
                .iter()
                .filter(|(l, s, _)| l == id && status.map_or(s != "cancelled", |want| s == want))
                .map(|(_, _, n)| n)
                .sum()
        };
        let appointments = sum(None);
        let no_shows = sum(Some("no_show"));
        let walk_ins: i64 = tickets
            .iter()
            .filter(|(l, k, _)| l == id && k == "walk_in")
            .map(|(_, _, n)| n)
            .sum();
        if called == 0 && appointments == 0 && walk_ins == 0 {
            continue;
        }
        counter_rows.push(Row {
            label: name.clone(),
            values: vec![
                called,
                secs(median(&w)),
                secs(percentile(&w, 90)),
                appointments,
                no_shows,
                percent(no_shows, appointments),
                walk_ins,
            ],
        });
    }
    tables.push(Table {
        id: "counter",
        label: "location",
        columns: vec![
            "called",
            "wait_median_s",
            "wait_p90_s",
            "appointments",
            "no_shows",
            "no_show_pct",
            "walk_ins",
        ],
        rows: counter_rows,
        charts: vec![
            vec!["wait_median_s", "wait_p90_s"],
            vec!["appointments", "no_shows", "walk_ins"],
        ],
        label_prefix: None,
    });

    // 3. The contact centre: volume per channel, first-contact resolution,
    // forwards answered in time, searches that found nothing.
    let moments = store::moments(&db, from_ms, to_ms).await?;
    tables.push(Table {
        id: "contact",
        label: "channel",
        columns: vec!["moments", "first_contact", "first_contact_pct"],
        rows: CONTACT_CHANNELS
            .iter()
            .map(|c| {
                let all: i64 = moments
                    .iter()
                    .filter(|(ch, _, _)| ch == c)
                    .map(|(_, _, n)| n)
                    .sum();
                let alone: i64 = moments
                    .iter()
                    .filter(|(ch, a, _)| ch == c && *a)
                    .map(|(_, _, n)| n)
                    .sum();
                Row {
                    label: (*c).to_owned(),
                    values: vec![all, alone, percent(alone, all)],
                }
            })
            .collect(),
        charts: vec![vec!["moments", "first_contact"]],
        label_prefix: Some("contact-channel-"),
    });
    let forwards = store::forwards_due(&db, &from_day, &to_day).await?;
    let mut fw: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (due, status, hour, n) in &forwards {
        let month = due.get(..7).unwrap_or_default().to_owned();
        let e = fw.entry(month).or_default();
        e.0 += n;
        let due_date = due.parse::<Date>().ok();
        let answered_on = hour.and_then(date_of_hour);
        if status == "answered"
            && let (Some(a), Some(d)) = (answered_on, due_date)
            && a <= d
        {
            e.1 += n;
        }
    }
    tables.push(Table {
        id: "forwards",
        label: "month",
        columns: vec!["due", "in_time", "in_time_pct"],
        rows: month_rows(&months, |m| {
            let (due, ok) = fw.get(m).copied().unwrap_or_default();
            [due, ok, percent(ok, due)]
        }),
        charts: vec![vec!["due", "in_time"]],
        label_prefix: None,
    });
    let searches = store::searches(&db, &from_day, &to_day).await?;
    tables.push(Table {
        id: "searches",
        label: "month",
        columns: vec!["searches", "empty", "empty_pct"],
        rows: month_rows(&months, |m| {
            let all: i64 = searches
                .iter()
                .filter(|(k, _, _)| k == m)
                .map(|(_, _, n)| n)
                .sum();
            let empty: i64 = searches
                .iter()
                .filter(|(k, e, _)| k == m && *e)
                .map(|(_, _, n)| n)
                .sum();
            [all, empty, percent(empty, all)]
        }),
        charts: vec![vec!["searches", "empty"]],
        label_prefix: None,
    });

    // 4. Telework: the share of staff and the allowance per month.
    let shares = match (months.first(), months.last()) {
        (Some(a), Some(b)) => loket_store::telework::shares(&db, *a, *b).await?,
        _ => Vec::new(),
    };
    let days = store::telework_days(&db, &first_month, &last_month).await?;
    tables.push(Table {
        id: "telework",
        label: "month",
        columns: vec![
            "staff",
            "teleworkers",
            "share_pct",
            "full_days",
            "half_days",
            "allowance_cents",
        ],
        rows: month_rows(&months, |m| {
            let s = shares
                .iter()
                .find(|s| s.department.is_empty() && s.month.to_string() == m);
            let (staff, tele) = s.map_or((0, 0), |s| (s.staff, s.teleworkers));
            let n = |kind: &str| -> i64 {
                days.iter()
                    .filter(|(mm, k, _)| mm == m && k == kind)
                    .map(|(_, _, n)| n)
                    .sum()
            };
            let (full, half) = (n("full"), n("half"));
            [
                staff,
                tele,
                percent(tele, staff),
                full,
                half,
                allowance_cents(full, half),
            ]
        }),
        charts: vec![vec!["share_pct"], vec!["allowance_cents"]],
        label_prefix: None,
    });

    // 5. Bikes: trips, km, the e-bike share and the CO2 avoided.
    let co2 = loket_store::bikes::settings(&db).await?.co2_g_per_km;
    let trips = store::bike_trips(&db, from_ms, to_ms).await?;
    let mut per_month: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for (kind, hour, n, km) in &trips {
        if let Some(m) = loket_domain::dashboard::month_of_hour(*hour) {
            let e = per_month.entry(m).or_default();
            e.0 += n;
            e.1 += km;
            if kind == loket_domain::bikes::BikeType::Ebike.as_str() {
                e.2 += n;
            }
        }
    }
    tables.push(Table {
        id: "bikes",
        label: "month",
        columns: vec!["trips", "km", "ebike_trips", "ebike_pct", "co2_kg"],
        rows: month_rows(&months, |m| {
            let (n, km, e) = per_month.get(m).copied().unwrap_or_default();
            [n, km, e, percent(e, n), co2_avoided_kg(km, co2)]
        }),
        charts: vec![vec!["trips"], vec!["km"]],
        label_prefix: None,
    });

    // 6. Equipment on loan now, overdue now, loans made in the period.
    let loans = store::loans(&db, &today.to_string(), from_ms, to_ms).await?;
    tables.push(Table {
        id: "equipment",
        label: "category",
        columns: vec!["on_loan", "overdue", "loans_made"],
        rows: loans
            .into_iter()
            .map(|(category, open, late, made)| Row {
                label: category,
                values: vec![open, late, made],
            })
            .collect(),
        charts: vec![vec!["on_loan", "overdue"]],
        label_prefix: Some("asset-cat-"),
    });

    // 7. The vaccination campaigns.
    let figures = store::vaccination(&db, from_ms, to_ms).await?;
    let cols = [
        "invited",
        "booked",
        "vaccinated",
        "reserve_new",
        "reserve_waiting",
    ];
    let shown = campaigns.map_or(i64::MAX, |n| n.max(0));
    let mut listed =
        store::campaigns_with_figures(&db, from_ms, to_ms, shown.saturating_add(1)).await?;
    let campaigns_cut = usize::try_from(shown).is_ok_and(|n| listed.len() > n);
    listed.truncate(usize::try_from(shown).unwrap_or(usize::MAX));
    tables.push(Table {
        id: "vaccination",
        label: "campaign",
        columns: cols.to_vec(),
        rows: listed
            .into_iter()
            .map(|(id, name)| Row {
                label: name,
                values: cols
                    .iter()
                    .map(|c| {
                        figures
                            .iter()
                            .filter(|(k, cid, _)| k == c && *cid == id)
                            .map(|(_, _, n)| n)
                            .sum()
                    })
                    .collect(),
            })
            .collect(),
        charts: vec![vec!["invited", "booked", "vaccinated"]],
        label_prefix: None,
    });

    Ok(Dashboard {
        period,
        co2_g_per_km: co2,
        waits_cut,
        campaigns_cut,
        tables,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_in_brussels() {
        let d: Date = "2026-07-01".parse().unwrap_or_default();
        assert_eq!(start_ms(d) % 86_400_000, 22 * 3_600_000);
        let w: Date = "2026-01-15".parse().unwrap_or_default();
        assert_eq!(start_ms(w) % 86_400_000, 23 * 3_600_000);
    }

    #[test]
    fn a_table_finds_its_values() {
        let t = Table {
            id: "x",
            label: "month",
            columns: vec!["a", "b"],
            rows: vec![Row {
                label: "2026-01".into(),
                values: vec![1, 2],
            }],
            charts: vec![],
            label_prefix: None,
        };
        assert_eq!(t.value(&t.rows[0], "b"), Some(2));
        assert_eq!(t.value(&t.rows[0], "c"), None);
    }
}
