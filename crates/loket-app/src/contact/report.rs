//! The contact centre's figures for a period: contacts per day and
//! channel, the share answered at first contact, forwards per department
//! and those overdue now, the articles used most, the gaps in the
//! knowledge base (searches that found nothing, contacts answered without
//! an article), and the e-mail intake's health.

use crate::i18n::{Locale, format_ms};
use crate::{App, Refusal};
use jiff::ToSpan;
use jiff::civil::Date;
use loket_domain::contact::CHANNELS;
use loket_domain::{Invalid, percent};
use loket_store::contact as store;

/// The longest period one report covers, in days.
pub const MAX_DAYS: i64 = 92;

/// The report ranks the articles used most and the searches that found
/// nothing most often: this many of each (its headings say so).
pub const TOP_ARTICLES: i64 = 10;
pub const TOP_EMPTY_SEARCHES: i64 = 20;

/// The days a report covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// The default: the fourteen days up to `today`.
    pub fn two_weeks_to(today: Date) -> Self {
        Self {
            from: today.checked_sub(13.days()).unwrap_or(today),
            to: today,
        }
    }

    /// Parses the form's `from` and `to` (ISO dates; empty means the
    /// default). Errors name the field.
    pub fn parse(from: &str, to: &str, today: Date) -> Result<Self, Invalid> {
        let mut inv = Invalid::default();
        let mut date = |field: &str, text: &str| {
            let d = text.trim().parse::<Date>().ok();
            if d.is_none() {
                inv.push(field, "contact-date-invalid");
            }
            d
        };
        let to = if to.trim().is_empty() {
            Some(today)
        } else {
            date("to", to)
        };
        let from = if from.trim().is_empty() {
            to.and_then(|t| t.checked_sub(13.days()).ok())
        } else {
            date("from", from)
        };
        match (from, to) {
            (Some(from), Some(to)) if inv.is_empty() => {
                if from > to {
                    inv.push("to", "contact-until-before-from");
                } else if to
                    .since(from)
                    .map(|s| i64::from(s.get_days()))
                    .unwrap_or(i64::MAX)
                    >= MAX_DAYS
                {
                    inv.push("from", "contact-period-too-long");
                }
                inv.into_result().map(|()| Self { from, to })
            }
            _ => Err(inv),
        }
    }

    /// Every day of the period, in order.
    pub fn days(&self) -> Vec<Date> {
        let mut days = Vec::new();
        let mut d = self.from;
        while d <= self.to {
            days.push(d);
            match d.tomorrow() {
                Ok(n) => d = n,
                Err(_) => break,
            }
        }
        days
    }
}

/// Unix ms of midnight (Brussels) at the start of `d`.
fn start_ms(d: Date) -> i64 {
    d.to_zoned_datetime(crate::i18n::brussels())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(0)
}

/// One day of the report: contacts per channel (in the order of
/// [`CHANNELS`]), their total and the share answered at first contact.
pub struct DayRow {
    pub day: String,
    pub counts: [i64; 6],
    pub total: i64,
    pub first_contact: i64,
}

/// One channel over the whole period.
pub struct ChannelRow {
    pub channel: &'static str,
    pub total: i64,
    pub first_contact: i64,
}

/// A mail-in source's health.
pub struct SourceRow {
    pub source: String,
    /// When it was last read without an error (formatted, or empty).
    pub last_ok: String,
    /// The last error with its time (formatted, or empty).
    pub last_error: String,
    pub failing: bool,
}

/// The report, ready for a page or an export.
pub struct Report {
    pub period: Period,
    pub days: Vec<DayRow>,
    pub channels: Vec<ChannelRow>,
    pub total: i64,
    pub first_contact: i64,
    /// (department, forwards in the period, overdue now)
    pub departments: Vec<(String, i64, i64)>,
    pub overdue: i64,
    /// (article id, title, uses)
    pub articles: Vec<(String, String, i64)>,
    /// (query, times)
    pub empty_searches: Vec<(String, i64)>,
    /// The first 20 contacts without a linked article: (moment id,
    /// reference, subject).
    pub without_article: Vec<(String, String, String)>,
    pub without_article_count: i64,
    /// The last ten mail files refused: (file, reason, when); the whole
    /// list is paged on its own page.
    pub rejects: Vec<(String, String, String)>,
    /// How many mail files were refused in all.
    pub rejects_total: loket_domain::paging::Total,
    pub sources: Vec<SourceRow>,
}

/// The contact centre's figures for `period`; names of departments and
/// articles in `locale`.
pub async fn report(app: &App, period: Period, locale: Locale) -> Result<Report, Refusal> {
    let today = crate::i18n::today_brussels();
    let from_ms = start_ms(period.from);
    let to_ms = start_ms(period.to.tomorrow().unwrap_or(period.to));
    // A report: from the read replica when there is one. The moments come
    // counted per UTC hour (a Brussels day starts on a whole hour); each
    // hour is summed into its day here.
    let reader = app.store.reader();
    let hours = store::report_hour_counts(&reader, from_ms, to_ms).await?;
    let day_list = period.days();
    let starts: Vec<i64> = day_list.iter().map(|d| start_ms(*d)).collect();
    let mut counts = vec![[0i64; 6]; day_list.len()];
    let mut first = vec![0i64; day_list.len()];
    let mut ch_total = [0i64; 6];
    let mut ch_first = [0i64; 6];
    for h in &hours {
        // The day whose start is the last at or before the hour.
        let at = h.hour.saturating_mul(3_600_000);
        let Some(i) = starts.partition_point(|s| *s <= at).checked_sub(1) else {
            continue;
        };
        let Some(c) = CHANNELS.iter().position(|x| *x == h.channel) else {
            continue;
        };
        counts[i][c] += h.n;
        ch_total[c] += h.n;
        if h.answered {
            first[i] += h.n;
            ch_first[c] += h.n;
        }
    }
    let (without_article_count, without) =
        store::report_without_article(&reader, from_ms, to_ms, 20).await?;
    let total: i64 = ch_total.iter().sum();
    let answered: i64 = ch_first.iter().sum();
    let days = day_list
        .iter()
        .zip(&counts)
        .zip(&first)
        .map(|((day, c), f)| {
            let t: i64 = c.iter().sum();
            DayRow {
                day: day.to_string(),
                counts: *c,
                total: t,
                first_contact: percent(*f, t),
            }
        })
        .collect();
    let channels = CHANNELS
        .iter()
        .enumerate()
        .map(|(c, channel)| ChannelRow {
            channel,
            total: ch_total[c],
            first_contact: percent(ch_first[c], ch_total[c]),
        })
        .collect();
    let depts = store::list_departments(&app.store).await?;
    let departments: Vec<(String, i64, i64)> =
        store::report_forwards(&app.store, from_ms, to_ms, &today.to_string())
            .await?
            .into_iter()
            .map(|(id, n, late)| {
                let name = depts
                    .iter()
                    .find(|d| d.id == id)
                    .map(|d| d.name(locale.code()).to_owned())
                    .unwrap_or_default();
                (name, n, late)
            })
            .collect();
    let overdue = departments.iter().map(|(_, _, o)| o).sum();
    let articles = store::report_top_articles(&app.store, from_ms, to_ms, TOP_ARTICLES)
        .await?
        .into_iter()
        .map(|(a, n)| (a.id.clone(), a.title(locale.code()).to_owned(), n))
        .collect();
    let empty_searches = store::report_empty_searches(
        &app.store,
        &period.from.to_string(),
        &period.to.to_string(),
        TOP_EMPTY_SEARCHES,
    )
    .await?;
    let rejects = store::mail_rejects_page(&app.store, &loket_domain::paging::PageQuery::first(10))
        .await?
        .items
        .into_iter()
        .map(|m| (m.file_name, m.reason, format_ms(m.created_at)))
        .collect();
    let rejects_total =
        store::mail_rejects_total(&app.store, loket_domain::paging::TOTAL_CAP).await?;
    let sources = store::mail_sources(&app.store)
        .await?
        .into_iter()
        .map(|m| SourceRow {
            failing: m.failing(),
            last_error: match (m.last_error_at, &m.last_error) {
                (Some(at), Some(e)) => format!("{} — {e}", format_ms(at)),
                _ => String::new(),
            },
            last_ok: m.last_ok_at.map(format_ms).unwrap_or_default(),
            source: m.source,
        })
        .collect();
    Ok(Report {
        period,
        days,
        channels,
        total,
        first_contact: percent(answered, total),
        departments,
        overdue,
        articles,
        empty_searches,
        without_article: without,
        without_article_count,
        rejects,
        rejects_total,
        sources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_is_checked() {
        let today: Date = "2026-11-25".parse().unwrap_or_default();
        assert_eq!(
            Period::parse("", "", today).ok(),
            Some(Period {
                from: "2026-11-12".parse().unwrap_or_default(),
                to: today
            })
        );
        assert_eq!(
            Period::parse("", "", today).ok(),
            Some(Period::two_weeks_to(today))
        );
        let late = Period::parse("2026-11-20", "2026-11-10", today);
        assert_eq!(
            late.err().map(|i| i.0[0].field.clone()),
            Some("to".to_owned())
        );
        assert!(Period::parse("2026-01-01", "2026-11-10", today).is_err());
        let bad = Period::parse("gisteren", "", today);
        assert_eq!(
            bad.err().map(|i| i.0[0].field.clone()),
            Some("from".to_owned())
        );
        let p =
            Period::parse("2026-11-30", "2026-12-02", today).unwrap_or(Period::two_weeks_to(today));
        assert_eq!(p.days().len(), 3);
    }

    #[test]
    fn days_are_counted_in_brussels() {
        let d: Date = "2026-07-01".parse().unwrap_or_default();
        // Midnight in summer time is 22:00 UTC the day before.
        assert_eq!(start_ms(d) % 86_400_000, 22 * 3_600_000);
    }
}
