//! The Belgian calendar: the ten legal public holidays, for working-day
//! arithmetic (case deadlines, and later telework and payroll).

use crate::FieldError;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The city's time zone, Europe/Brussels (UTC if the bundled zone database
/// lacks it). The one place Loket names it: every local date and time, in
/// every crate, comes from here.
pub fn brussels() -> TimeZone {
    TimeZone::get("Europe/Brussels").unwrap_or(TimeZone::UTC)
}

/// A half-open window of time `[start_ms, end_ms)`, in unix milliseconds:
/// a reservation, a shift, a loan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Span {
    pub fn new(start_ms: i64, end_ms: i64) -> Span {
        Span { start_ms, end_ms }
    }

    /// Whether the two windows share a moment (touching ends do not).
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start_ms < other.end_ms && other.start_ms < self.end_ms
    }
}

/// Whether `[a0, a1)` and `[b0, b1)` share a moment (see [`Span::overlaps`]).
pub fn overlaps(a0: i64, a1: i64, b0: i64, b1: i64) -> bool {
    Span::new(a0, a1).overlaps(&Span::new(b0, b1))
}

/// The date in Europe/Brussels of unix milliseconds.
pub fn date_of_ms(ms: i64) -> Option<Date> {
    jiff::Timestamp::from_millisecond(ms)
        .ok()
        .map(|t| t.to_zoned_datetime(brussels()).date())
}

/// A local date in Europe/Brussels as the window from its midnight to the
/// next one, in unix milliseconds: 24 hours, or 23 and 25 on the days the
/// clocks change. Midnight never falls in Belgium's DST gap.
pub fn day_span(date: Date) -> Option<Span> {
    let tz = brussels();
    let midnight = |d: Date| {
        tz.to_ambiguous_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .earlier()
            .ok()
            .map(|t| t.as_millisecond())
    };
    Some(Span::new(midnight(date)?, midnight(date.tomorrow().ok()?)?))
}

/// Today's date in Europe/Brussels.
pub fn today_brussels() -> Date {
    jiff::Timestamp::now().to_zoned_datetime(brussels()).date()
}

/// Unix milliseconds as local time in Europe/Brussels, `YYYY-MM-DD HH:MM`.
pub fn format_ms(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|ts| {
            ts.to_zoned_datetime(brussels())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Easter Sunday of `year` (Gregorian calendar; the anonymous algorithm of
/// Meeus/Jones/Butcher).
pub fn easter(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// The ten legal public holidays of Belgium in `year`, in date order:
/// New Year, Easter Monday, Labour Day, Ascension, Whit Monday, the National
/// Day, Assumption, All Saints, Armistice and Christmas.
pub fn belgian_holidays(year: i16) -> Vec<Date> {
    belgian_holidays_named(year)
        .into_iter()
        .map(|(d, _)| d)
        .collect()
}

/// [`belgian_holidays`] with their Dutch names (as a counter's closed day
/// gives its reason), in date order.
pub fn belgian_holidays_named(year: i16) -> Vec<(Date, &'static str)> {
    let fixed = [
        (1, 1, "Nieuwjaar"),
        (5, 1, "Dag van de Arbeid"),
        (7, 21, "Nationale feestdag"),
        (8, 15, "Onze-Lieve-Vrouw-Hemelvaart"),
        (11, 1, "Allerheiligen"),
        (11, 11, "Wapenstilstand"),
        (12, 25, "Kerstmis"),
    ];
    let mut out: Vec<(Date, &'static str)> = fixed
        .iter()
        .filter_map(|(m, d, name)| Date::new(year, *m, *d).ok().map(|d| (d, *name)))
        .collect();
    if let Some(e) = easter(year) {
        for (days, name) in [
            (1, "Paasmaandag"),
            (39, "Hemelvaartsdag"),
            (50, "Pinkstermaandag"),
        ] {
            if let Ok(d) = e.checked_add(jiff::Span::new().days(days)) {
                out.push((d, name));
            }
        }
    }
    out.sort();
    out
}

/// The holidays of `from`'s year and the next (enough for deadlines).
pub fn holidays_around(from: Date) -> Vec<Date> {
    let mut h = belgian_holidays(from.year());
    if let Some(next) = from.year().checked_add(1) {
        h.extend(belgian_holidays(next));
    }
    h
}

/// Checks a date range `from ..= to` that a page or the API reads from the
/// request: `to` not before `from`, and at most `max_days` days, both ends
/// counted (so one day is 1). The error names `to` (`range-reversed`, or
/// `range-too-long` with `max_days` as its value), so one request cannot ask
/// for years of rows or a loop over a century. The limits live beside the
/// rules they bound (e.g. [`crate::shifts::MAX_COVERAGE_DAYS`]).
pub fn check_range(from: Date, to: Date, max_days: i64) -> Result<(), FieldError> {
    if to < from {
        return Err(FieldError::new("to", "range-reversed"));
    }
    let days = from
        .until(to)
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(i64::MAX);
    if days >= max_days {
        return Err(FieldError::with_value(
            "to",
            "range-too-long",
            max_days.to_string(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_range_is_bounded_both_ends_counted() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(check_range(d("2026-01-01"), d("2026-01-01"), 1), Ok(()));
        assert_eq!(check_range(d("2026-01-01"), d("2026-03-03"), 62), Ok(()));
        let e = check_range(d("2026-01-01"), d("2026-03-04"), 62).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("to", "range-too-long"));
        assert_eq!(e.value.as_deref(), Some("62"));
        let e = check_range(d("2026-01-02"), d("2026-01-01"), 62).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("to", "range-reversed"));
        assert!(check_range(d("0001-01-01"), d("9999-12-31"), 366).is_err());
    }

    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn holidays_have_their_dutch_names() {
        let h = belgian_holidays_named(2027);
        assert_eq!(h.len(), 10);
        assert!(h.contains(&(date("2027-03-29"), "Paasmaandag")));
        assert!(h.contains(&(date("2027-05-06"), "Hemelvaartsdag")));
        assert!(h.contains(&(date("2027-05-17"), "Pinkstermaandag")));
        assert_eq!(h[0], (date("2027-01-01"), "Nieuwjaar"));
        assert_eq!(h[9], (date("2027-12-25"), "Kerstmis"));
    }

    #[test]
    fn easter_dates() {
        assert_eq!(easter(2024), Some(date("2024-03-31")));
        assert_eq!(easter(2025), Some(date("2025-04-20")));
        assert_eq!(easter(2026), Some(date("2026-04-05")));
        assert_eq!(easter(2027), Some(date("2027-03-28")));
        assert_eq!(easter(2038), Some(date("2038-04-25")));
    }

    #[test]
    fn the_ten_holidays_of_2026() {
        let h = belgian_holidays(2026);
        let want = [
            "2026-01-01",
            "2026-04-06",
            "2026-05-01",
            "2026-05-14",
            "2026-05-25",
            "2026-07-21",
            "2026-08-15",
            "2026-11-01",
            "2026-11-11",
            "2026-12-25",
        ];
        assert_eq!(h, want.iter().map(|d| date(d)).collect::<Vec<_>>());
    }
}

#[cfg(test)]
mod day_span_tests {
    use super::*;

    #[test]
    fn a_day_is_24_hours_except_when_the_clocks_change() {
        let h = 3_600_000;
        let len = |d: &str| {
            let s = day_span(d.parse().expect("date")).expect("span");
            s.end_ms - s.start_ms
        };
        assert_eq!(len("2026-12-03"), 24 * h);
        assert_eq!(len("2026-03-29"), 23 * h);
        assert_eq!(len("2026-10-25"), 25 * h);
        // Midnight of 3 December 2026 in Brussels is 23:00 UTC the day before.
        let s = day_span("2026-12-03".parse().expect("date")).expect("span");
        assert_eq!(s.start_ms, 1_796_252_400_000);
    }
}
