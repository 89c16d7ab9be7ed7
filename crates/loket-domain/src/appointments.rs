//! Counters by appointment: opening hours, closed days, slot generation in
//! Europe/Brussels (DST-correct), and the rules a requested slot must meet
//! (not in the past, not too soon, within the booking horizon, on an open
//! day, inside the opening hours, on the slot grid).

use crate::validation::FieldError;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ToSpan};
use std::collections::BTreeSet;

/// The time zone of the counters.
pub use crate::calendar::brussels;

/// One opening period of a weekday (1 = Monday … 7 = Sunday), local times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub weekday: i8,
    pub opens: Time,
    pub closes: Time,
}

/// Parses `HH:MM`.
pub fn parse_time(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let h: i8 = h.parse().ok()?;
    let m: i8 = m.parse().ok()?;
    Time::new(h, m, 0, 0).ok()
}

/// Formats a time as `HH:MM`.
pub fn fmt_time(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Parses a day's opening hours as typed by an admin:
/// `09:00-12:30, 13:30-16:00`, or empty for closed.
pub fn parse_day_hours(weekday: i8, s: &str) -> Result<Vec<Period>, FieldError> {
    let mut out: Vec<Period> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part
            .split_once('-')
            .ok_or_else(|| FieldError::new("hours", "appt-hours-invalid"))?;
        let (Some(opens), Some(closes)) = (parse_time(a), parse_time(b)) else {
            return Err(FieldError::new("hours", "appt-hours-invalid"));
        };
        if closes <= opens {
            return Err(FieldError::new("hours", "appt-hours-invalid"));
        }
        if out.iter().any(|p| opens < p.closes && p.opens < closes) {
            return Err(FieldError::new("hours", "appt-hours-overlap"));
        }
        out.push(Period {
            weekday,
            opens,
            closes,
        });
    }
    out.sort_by_key(|p| p.opens);
    Ok(out)
}

/// Whether a location with these opening hours and closed days is open at
/// the local (Europe/Brussels) date and time `at`.
pub fn open_at(periods: &[Period], closed: &BTreeSet<Date>, at: DateTime) -> bool {
    if closed.contains(&at.date()) {
        return false;
    }
    let wd = at.date().weekday().to_monday_one_offset();
    let t = at.time();
    periods
        .iter()
        .any(|p| p.weekday == wd && p.opens <= t && t < p.closes)
}

/// Formats a weekday's periods back as `09:00-12:30, 13:30-16:00`.
pub fn fmt_day_hours(periods: &[Period], weekday: i8) -> String {
    periods
        .iter()
        .filter(|p| p.weekday == weekday)
        .map(|p| format!("{}-{}", fmt_time(p.opens), fmt_time(p.closes)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What slots of one service at one location are generated from.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    pub periods: Vec<Period>,
    pub closed: BTreeSet<Date>,
    /// The service's slot length, in minutes.
    pub slot_minutes: i64,
}

/// A slot: a start and an end instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slot {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Slot {
    pub fn start_ms(&self) -> i64 {
        self.start.as_millisecond()
    }
    pub fn end_ms(&self) -> i64 {
        self.end.as_millisecond()
    }
}

/// The instant a local time stands for. A time that does not exist (the
/// spring-forward gap) has none; a time that occurs twice (the autumn fold)
/// is its first occurrence.
fn local_instant(tz: &TimeZone, dt: DateTime) -> Option<Timestamp> {
    let amb = tz.to_ambiguous_timestamp(dt);
    match amb.offset() {
        AmbiguousOffset::Gap { .. } => None,
        AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Fold { .. } => amb.earlier().ok(),
    }
}

impl Schedule {
    /// The slots of one local date (none on a closed day).
    pub fn slots_on(&self, date: Date, tz: &TimeZone) -> Vec<Slot> {
        let mut out = Vec::new();
        if self.slot_minutes <= 0 || self.closed.contains(&date) {
            return out;
        }
        let wd = date.weekday().to_monday_one_offset();
        for p in self.periods.iter().filter(|p| p.weekday == wd) {
            let mut t = date.to_datetime(p.opens);
            let close = date.to_datetime(p.closes);
            loop {
                let Ok(end) = t.checked_add(self.slot_minutes.minutes()) else {
                    break;
                };
                if end > close {
                    break;
                }
                if let Some(start) = local_instant(tz, t)
                    && let Ok(end_ts) = start.checked_add(self.slot_minutes.minutes())
                {
                    out.push(Slot { start, end: end_ts });
                }
                t = end;
            }
        }
        out.sort();
        out.dedup_by_key(|s| s.start);
        out
    }

    /// The slots of the local dates `from ..= to`.
    pub fn slots_between(&self, from: Date, to: Date, tz: &TimeZone) -> Vec<Slot> {
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            out.extend(self.slots_on(d, tz));
            match d.tomorrow() {
                Ok(n) => d = n,
                Err(_) => break,
            }
        }
        out
    }
}

/// The booking window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// How many days ahead one may book (counted in local dates from today).
    pub horizon_days: i64,
    /// How long before its start a slot can still be booked.
    pub lead_minutes: i64,
}

impl Default for Window {
    fn default() -> Self {
        Self {
            horizon_days: 42,
            lead_minutes: 120,
        }
    }
}

impl Window {
    /// The local dates a resident may book in, from `now`.
    pub fn dates(&self, now: Timestamp, tz: &TimeZone) -> (Date, Date) {
        let today = now.to_zoned_datetime(tz.clone()).date();
        let last = today
            .checked_add(self.horizon_days.max(0).days())
            .unwrap_or(today);
        (today, last)
    }

    /// Whether a slot can be booked now (lead time and horizon).
    pub fn allows(&self, slot: &Slot, now: Timestamp, tz: &TimeZone) -> bool {
        self.check(slot, now, tz).is_ok()
    }

    fn check(&self, slot: &Slot, now: Timestamp, tz: &TimeZone) -> Result<(), FieldError> {
        if slot.start <= now {
            return Err(FieldError::new("start", "appt-slot-past"));
        }
        let earliest = now
            .checked_add(self.lead_minutes.max(0).minutes())
            .unwrap_or(now);
        if slot.start < earliest {
            return Err(FieldError::with_value(
                "start",
                "appt-slot-too-soon",
                self.lead_minutes.to_string(),
            ));
        }
        let (_, last) = self.dates(now, tz);
        if slot.start.to_zoned_datetime(tz.clone()).date() > last {
            return Err(FieldError::with_value(
                "start",
                "appt-slot-too-far",
                self.horizon_days.to_string(),
            ));
        }
        Ok(())
    }
}

/// Checks a requested start (unix ms) against the schedule and the window;
/// returns the slot.
pub fn check_start(
    schedule: &Schedule,
    window: &Window,
    start_ms: i64,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<Slot, FieldError> {
    let start = Timestamp::from_millisecond(start_ms)
        .map_err(|_| FieldError::new("start", "appt-slot-invalid"))?;
    if start <= now {
        return Err(FieldError::new("start", "appt-slot-past"));
    }
    let date = start.to_zoned_datetime(tz.clone()).date();
    if schedule.closed.contains(&date) {
        return Err(FieldError::new("start", "appt-slot-closed-day"));
    }
    let slot = schedule
        .slots_on(date, tz)
        .into_iter()
        .find(|s| s.start == start)
        .ok_or_else(|| FieldError::new("start", "appt-slot-outside-hours"))?;
    window.check(&slot, now, tz)?;
    Ok(slot)
}

/// Parses a start as the API and forms give it: unix milliseconds, an
/// RFC 3339 instant (`2026-12-01T08:30:00Z`), or a local Brussels time
/// (`2026-12-01T09:30`).
pub fn parse_start(s: &str, tz: &TimeZone) -> Option<i64> {
    let s = s.trim();
    if let Ok(ms) = s.parse::<i64>() {
        return Some(ms);
    }
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts.as_millisecond());
    }
    let dt: DateTime = s.parse().ok()?;
    local_instant(tz, dt).map(|t| t.as_millisecond())
}

/// When the reminder of an appointment goes out: 09:00 local time on the
/// day before it.
pub fn remind_at(start_ms: i64, tz: &TimeZone) -> i64 {
    let Ok(start) = Timestamp::from_millisecond(start_ms) else {
        return start_ms;
    };
    let date = start.to_zoned_datetime(tz.clone()).date();
    date.yesterday()
        .ok()
        .and_then(|d| local_instant(tz, d.to_datetime(Time::constant(9, 0, 0, 0))))
        .map_or(start_ms - 24 * 3600 * 1000, |t| t.as_millisecond())
}

/// The letters of an appointment code: no 0/O, 1/I/L, so it can be typed.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Normalises a typed appointment code (`ab3k 7qx2` → `AB3K-7QX2`).
pub fn normalize_code(s: &str) -> Option<String> {
    let raw: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if raw.len() != 8 || !raw.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
        return None;
    }
    Some(format!("{}-{}", &raw[..4], &raw[4..]))
}

/// The statuses of an appointment.
pub const STATUSES: [&str; 4] = ["booked", "cancelled", "no_show", "served"];

/// Residents with this many no-shows or more are flagged to staff.
pub fn flagged(no_shows: i64, threshold: i64) -> bool {
    threshold > 0 && no_shows >= threshold
}

/// A slug for a location or service: lowercase letters, digits, dashes.
pub fn check_slug(s: &str) -> Result<(), FieldError> {
    let ok = !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(FieldError::new("slug", "appt-slug-invalid"))
    }
}

crate::status_enum! {
    /// Where an appointment stands.
    pub enum AppointmentStatus {
        Booked = "booked",
        Cancelled = "cancelled",
        NoShow = "no_show",
        /// Seen at the desk (set by the queue).
        Served = "served",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    #[test]
    fn open_only_within_the_hours_of_an_open_day() {
        // Thursday 3 December 2026: 09:00-12:30, 13:30-16:00.
        let periods = parse_day_hours(4, "09:00-12:30, 13:30-16:00").expect("hours");
        let at = |s: &str| s.parse::<DateTime>().expect("date-time");
        let none = BTreeSet::new();
        assert!(!open_at(&periods, &none, at("2026-12-03T08:59")));
        assert!(open_at(&periods, &none, at("2026-12-03T09:00")));
        assert!(!open_at(&periods, &none, at("2026-12-03T12:30")));
        assert!(open_at(&periods, &none, at("2026-12-03T15:59")));
        assert!(
            !open_at(&periods, &none, at("2026-12-04T10:00")),
            "a Friday"
        );
        let closed: BTreeSet<Date> = ["2026-12-03".parse().expect("date")].into_iter().collect();
        assert!(
            !open_at(&periods, &closed, at("2026-12-03T10:00")),
            "a closed day"
        );
    }

    use jiff::civil::date;

    fn weekdays(hours: &str, minutes: i64) -> Schedule {
        let mut periods = Vec::new();
        for wd in 1..=7 {
            periods.extend(parse_day_hours(wd, hours).unwrap());
        }
        Schedule {
            periods,
            closed: BTreeSet::new(),
            slot_minutes: minutes,
        }
    }

    #[test]
    fn hours_parse_and_refuse() {
        let p = parse_day_hours(1, "13:30-16:00, 09:00-12:30").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(fmt_day_hours(&p, 1), "09:00-12:30, 13:30-16:00");
        assert!(parse_day_hours(1, "").unwrap().is_empty());
        assert_eq!(
            parse_day_hours(1, "9-12").unwrap_err().code,
            "appt-hours-invalid"
        );
        assert_eq!(
            parse_day_hours(1, "12:00-09:00").unwrap_err().code,
            "appt-hours-invalid"
        );
        assert_eq!(
            parse_day_hours(1, "09:00-12:00, 11:00-13:00")
                .unwrap_err()
                .code,
            "appt-hours-overlap"
        );
    }

    #[test]
    fn slots_follow_the_hours_and_the_length() {
        let s = weekdays("09:00-12:30, 13:30-16:00", 20);
        let tz = brussels();
        // Wednesday 2026-12-02: 09:00..12:20 (10 slots), 13:30..15:30 (7 slots).
        let day = s.slots_on(date(2026, 12, 2), &tz);
        assert_eq!(day.len(), 10 + 7);
        // In winter Brussels is UTC+1.
        assert_eq!(day[0].start.to_string(), "2026-12-02T08:00:00Z");
        assert_eq!(day[0].end.to_string(), "2026-12-02T08:20:00Z");
        assert_eq!(day[10].start.to_string(), "2026-12-02T12:30:00Z");
        // In summer UTC+2.
        let summer = s.slots_on(date(2026, 7, 1), &tz);
        assert_eq!(summer[0].start.to_string(), "2026-07-01T07:00:00Z");
    }

    #[test]
    fn dst_days_have_the_right_slots() {
        let tz = brussels();
        let s = weekdays("00:00-04:00", 30);
        // 2026-03-29: 02:00 local jumps to 03:00. 02:00 and 02:30 do not
        // exist: 8 civil slots minus 2.
        let spring = s.slots_on(date(2026, 3, 29), &tz);
        assert_eq!(spring.len(), 6);
        assert_eq!(spring[3].start.to_string(), "2026-03-29T00:30:00Z"); // 01:30 CET
        assert_eq!(spring[4].start.to_string(), "2026-03-29T01:00:00Z"); // 03:00 CEST
        // Every slot lasts 30 real minutes.
        assert!(
            spring
                .iter()
                .all(|x| x.end_ms() - x.start_ms() == 30 * 60 * 1000)
        );
        // 2026-10-25: 03:00 local falls back to 02:00. 02:00 and 02:30
        // occur twice; each slot is offered once (the first occurrence).
        let autumn = s.slots_on(date(2026, 10, 25), &tz);
        assert_eq!(autumn.len(), 8);
        assert_eq!(autumn[4].start.to_string(), "2026-10-25T00:00:00Z"); // 02:00 CEST
        assert_eq!(autumn[6].start.to_string(), "2026-10-25T02:00:00Z"); // 03:00 CET
        // Office hours the Monday after each change: 09:00 local.
        let office = weekdays("09:00-12:00", 15);
        assert_eq!(
            office.slots_on(date(2026, 3, 30), &tz)[0].start.to_string(),
            "2026-03-30T07:00:00Z"
        );
        assert_eq!(
            office.slots_on(date(2026, 10, 26), &tz)[0]
                .start
                .to_string(),
            "2026-10-26T08:00:00Z"
        );
    }

    #[test]
    fn requested_starts_are_checked() {
        let tz = brussels();
        let mut s = weekdays("09:00-12:00", 15);
        s.periods.retain(|p| p.weekday <= 5);
        s.closed.insert(date(2026, 12, 25));
        let w = Window {
            horizon_days: 42,
            lead_minutes: 120,
        };
        // Now: Tuesday 2026-12-01 08:00 local.
        let now: Timestamp = "2026-12-01T07:00:00Z".parse().unwrap();
        let ms = |s: &str| parse_start(s, &tz).unwrap();
        let ok = check_start(&s, &w, ms("2026-12-02T09:15"), now, &tz).unwrap();
        assert_eq!(ok.start.to_string(), "2026-12-02T08:15:00Z");
        let code = |start: &str| check_start(&s, &w, ms(start), now, &tz).unwrap_err().code;
        assert_eq!(code("2026-11-30T09:15"), "appt-slot-past");
        assert_eq!(code("2026-12-01T09:15"), "appt-slot-too-soon");
        assert_eq!(code("2026-12-25T09:15"), "appt-slot-closed-day");
        assert_eq!(code("2026-12-02T09:10"), "appt-slot-outside-hours");
        assert_eq!(code("2026-12-02T12:00"), "appt-slot-outside-hours");
        assert_eq!(code("2026-12-05T09:00"), "appt-slot-outside-hours"); // Saturday
        assert_eq!(code("2027-01-20T09:00"), "appt-slot-too-far");
        assert_eq!(
            parse_start("2026-12-02T08:15:00Z", &tz),
            Some(ok.start_ms())
        );
    }

    #[test]
    fn reminders_go_the_day_before_at_nine() {
        let tz = brussels();
        let start = parse_start("2026-12-02T10:00", &tz).unwrap();
        assert_eq!(
            Timestamp::from_millisecond(remind_at(start, &tz))
                .unwrap()
                .to_string(),
            "2026-12-01T08:00:00Z"
        );
    }

    #[test]
    fn codes_normalise() {
        assert_eq!(normalize_code("ab3k 7qx2").as_deref(), Some("AB3K-7QX2"));
        assert_eq!(normalize_code("AB3K-7QX"), None);
        assert_eq!(normalize_code("AB3K-7QX0"), None);
        assert!(flagged(2, 2) && !flagged(1, 2) && !flagged(5, 0));
        assert!(check_slug("city-office").is_ok() && check_slug("City").is_err());
    }
}
