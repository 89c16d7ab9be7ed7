//! Staff shifts of the vaccination centre: the working-time rules (at most
//! so many hours of work in any rolling window, a minimum rest between two
//! shifts, never two shifts at once), the fair release of a shift for
//! sign-up, the qualification a role asks for, and a shift's local times in
//! Europe/Brussels (a shift across a DST change lasts its real length).
//!
//! Pure: the store loads a person's shifts and asks [`check`] inside the
//! write transaction that locks the person.

use crate::appointments::parse_start;
use crate::validation::{FieldError, Invalid};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

/// The working-time rules, configurable by the planner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rules {
    /// At most this much work (minutes) in any window of `window_minutes`.
    pub max_work_minutes: i64,
    /// The rolling window (minutes), 24 hours by default.
    pub window_minutes: i64,
    /// At least this much rest (minutes) between the end of one shift and
    /// the start of the next (also between shifts that touch: a gap of 0 is
    /// no rest).
    pub min_rest_minutes: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            max_work_minutes: 10 * 60,
            window_minutes: 24 * 60,
            min_rest_minutes: 11 * 60,
        }
    }
}

impl Rules {
    /// Checks the planner's settings: every figure in a sensible range.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut inv = Invalid::default();
        if !(60..=24 * 60).contains(&self.max_work_minutes) {
            inv.push("shift_max_work_hours", "shift-setting-range");
        }
        if !(60..=7 * 24 * 60).contains(&self.window_minutes)
            || self.window_minutes < self.max_work_minutes
        {
            inv.push("shift_window_hours", "shift-setting-range");
        }
        if !(0..=48 * 60).contains(&self.min_rest_minutes) {
            inv.push("shift_min_rest_hours", "shift-setting-range");
        }
        inv.into_result()
    }
}

/// Which working-time rule a shift would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Two shifts at the same time.
    Overlap,
    /// Too many hours in a rolling window.
    MaxWork,
    /// Too little rest between two shifts.
    MinRest,
}

impl Rule {
    /// The error code (Fluent id `err-<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Rule::Overlap => "shift-rule-overlap",
            Rule::MaxWork => "shift-rule-max-work",
            Rule::MinRest => "shift-rule-min-rest",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Overlap => "overlap",
            Rule::MaxWork => "max_work",
            Rule::MinRest => "min_rest",
        }
    }
}

/// One shift of a person: `[start_ms, end_ms)`, with a label for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub id: String,
    pub start_ms: i64,
    pub end_ms: i64,
    /// How a message names this shift, e.g. "Host 2026-12-02 08:00–13:00".
    pub label: String,
}

/// A broken rule and the shifts it conflicts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    pub rule: Rule,
    /// The ids of the person's other shifts involved.
    pub with: Vec<String>,
    /// Their labels, for the message.
    pub labels: Vec<String>,
}

pub use crate::calendar::overlaps;

/// Minutes of `[s0, s1)` inside `[w0, w1)`, in ms.
fn inside(s0: i64, s1: i64, w0: i64, w1: i64) -> i64 {
    (s1.min(w1) - s0.max(w0)).max(0)
}

/// The work (ms) in `[w0, w0 + window)` of `spans` plus the candidate.
fn work_in(spans: &[(i64, i64)], w0: i64, window: i64) -> i64 {
    spans
        .iter()
        .map(|&(a, b)| inside(a, b, w0, w0 + window))
        .sum()
}

/// Every rule that taking the shift `[start, end)` would break, given the
/// person's other shifts. Empty when it may be taken.
///
/// The rolling-window rule looks at every window that holds part of the
/// candidate. The most work in such a window is reached by a window that
/// starts at a shift's start or ends at a shift's end (the work in a window
/// only changes slope where an edge crosses a shift boundary), so those
/// windows are all that are checked.
pub fn check(rules: &Rules, existing: &[Span], start: i64, end: i64) -> Vec<Breach> {
    let mut out = Vec::new();
    let others: Vec<&Span> = existing.iter().filter(|s| s.end_ms > s.start_ms).collect();
    // No overlap.
    let clash: Vec<&&Span> = others
        .iter()
        .filter(|s| overlaps(s.start_ms, s.end_ms, start, end))
        .collect();
    if !clash.is_empty() {
        out.push(Breach {
            rule: Rule::Overlap,
            with: clash.iter().map(|s| s.id.clone()).collect(),
            labels: clash.iter().map(|s| s.label.clone()).collect(),
        });
    }
    // Rest between shifts that do not overlap.
    let rest = rules.min_rest_minutes * MINUTE;
    let short: Vec<&&Span> = others
        .iter()
        .filter(|s| !overlaps(s.start_ms, s.end_ms, start, end))
        .filter(|s| {
            let gap = if s.end_ms <= start {
                start - s.end_ms
            } else {
                s.start_ms - end
            };
            gap < rest
        })
        .collect();
    if !short.is_empty() {
        out.push(Breach {
            rule: Rule::MinRest,
            with: short.iter().map(|s| s.id.clone()).collect(),
            labels: short.iter().map(|s| s.label.clone()).collect(),
        });
    }
    // At most so much work in any rolling window holding the candidate.
    let window = rules.window_minutes * MINUTE;
    let max = rules.max_work_minutes * MINUTE;
    let mut all: Vec<(i64, i64)> = others.iter().map(|s| (s.start_ms, s.end_ms)).collect();
    all.push((start, end));
    let mut worst: Option<(i64, i64)> = None;
    for &(a, b) in &all {
        for w0 in [a, b - window] {
            // Only windows that hold part of the candidate.
            if inside(start, end, w0, w0 + window) == 0 {
                continue;
            }
            let w = work_in(&all, w0, window);
            if w > max && worst.is_none_or(|(_, best)| w > best) {
                worst = Some((w0, w));
            }
        }
    }
    if let Some((w0, _)) = worst {
        let inv: Vec<&&Span> = others
            .iter()
            .filter(|s| inside(s.start_ms, s.end_ms, w0, w0 + window) > 0)
            .collect();
        out.push(Breach {
            rule: Rule::MaxWork,
            with: inv.iter().map(|s| s.id.clone()).collect(),
            labels: inv.iter().map(|s| s.label.clone()).collect(),
        });
    }
    out
}

/// The breaches as field errors on `field`, each naming the rule (by its
/// code) and the conflicting shifts (the value). A shift longer than the
/// most work allowed breaks the rule on its own (no other shift named).
pub fn breaches_invalid(field: &str, breaches: &[Breach]) -> Invalid {
    Invalid(
        breaches
            .iter()
            .map(|b| {
                let code = if b.rule == Rule::MaxWork && b.labels.is_empty() {
                    "shift-rule-max-work-alone"
                } else {
                    b.rule.code()
                };
                FieldError::with_value(field, code, b.labels.join("; "))
            })
            .collect(),
    )
}

/// Sign-up opens at `release_at`: refused before, naming when it opens
/// (`opens_label`, local time).
pub fn check_release(release_at: i64, now: i64, opens_label: &str) -> Result<(), FieldError> {
    if now < release_at {
        Err(FieldError::with_value(
            "shift",
            "shift-not-released",
            opens_label.to_owned(),
        ))
    } else {
        Ok(())
    }
}

/// The role's qualification, if any, must be among the person's.
pub fn check_qualification(
    required: Option<&str>,
    held: &[String],
    required_label: &str,
) -> Result<(), FieldError> {
    match required {
        Some(q) if !held.iter().any(|h| h == q) => Err(FieldError::with_value(
            "shift",
            "shift-qualification-missing",
            required_label.to_owned(),
        )),
        _ => Ok(()),
    }
}

/// The instants of a shift on local `day` from `from` to `to` (`HH:MM`,
/// Europe/Brussels). A shift whose end is not after its start ends the next
/// day (a night shift). Its length is the real time between the instants,
/// so a night across a DST change is an hour shorter or longer.
pub fn window(day: Date, from: &str, to: &str, tz: &TimeZone) -> Result<(i64, i64), Invalid> {
    let mut inv = Invalid::default();
    let start = parse_hhmm(from).and_then(|t| parse_start(&format!("{day}T{t}"), tz));
    if start.is_none() {
        inv.push("start", "shift-time-invalid");
    }
    let end_day = match (parse_hhmm(from), parse_hhmm(to)) {
        (Some(f), Some(t)) if t <= f => day.tomorrow().ok(),
        _ => Some(day),
    };
    let end = parse_hhmm(to)
        .zip(end_day)
        .and_then(|(t, d)| parse_start(&format!("{d}T{t}"), tz));
    if end.is_none() {
        inv.push("end", "shift-time-invalid");
    }
    inv.into_result()?;
    let (Some(s), Some(e)) = (start, end) else {
        return Err(Invalid::one("start", "shift-time-invalid"));
    };
    check_length(s, e)?;
    Ok((s, e))
}

/// A shift lasts from 15 minutes to 24 hours.
pub fn check_length(start: i64, end: i64) -> Result<(), Invalid> {
    if end - start < 15 * MINUTE || end - start > 24 * HOUR {
        Err(Invalid::one("end", "shift-length"))
    } else {
        Ok(())
    }
}

/// `HH:MM` (24-hour clock), normalised; `None` if it is not a time.
pub fn parse_hhmm(s: &str) -> Option<String> {
    let (h, m) = s.trim().split_once(':')?;
    let h: u8 = h.parse().ok()?;
    let m: u8 = m.parse().ok()?;
    (h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))
}

/// The number of people needed: 1 to 200.
pub fn parse_headcount(s: &str) -> Result<i64, FieldError> {
    match s.trim().parse::<i64>() {
        Ok(n) if (1..=200).contains(&n) => Ok(n),
        _ => Err(FieldError::new("shift_headcount", "shift-headcount")),
    }
}

/// How many consecutive days a shift pattern is created for: 1 to 31.
pub fn parse_repeat(s: &str) -> Result<i64, FieldError> {
    if s.trim().is_empty() {
        return Ok(1);
    }
    match s.trim().parse::<i64>() {
        Ok(n) if (1..=31).contains(&n) => Ok(n),
        _ => Err(FieldError::new("shift_repeat", "shift-repeat")),
    }
}

/// A short code for a role or qualification: 2 to 40 of `a-z0-9-`.
pub fn parse_code(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim().to_lowercase();
    if (2..=40).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        Ok(s)
    } else {
        Err(FieldError::new(field, "shift-code-invalid"))
    }
}

/// A name (Dutch or English): 1 to 80 characters.
pub fn parse_name(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 80 {
        Err(FieldError::new(field, "shift-name-invalid"))
    } else {
        Ok(s.to_owned())
    }
}

/// An override reason: 5 to 500 characters.
pub fn parse_reason(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let n = s.chars().count();
    if (5..=500).contains(&n) {
        Ok(s.to_owned())
    } else {
        Err(FieldError::new(
            "shift_override_reason",
            "shift-reason-required",
        ))
    }
}

/// Local Brussels `YYYY-MM-DD HH:MM` of unix ms.
pub fn local_label(ms: i64) -> String {
    let tz = crate::appointments::brussels();
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned_datetime(tz)
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// How a message names a shift: `Host 2026-12-02 08:00–13:00`.
pub fn span_label(role: &str, start_ms: i64, end_ms: i64) -> String {
    let end = local_label(end_ms);
    format!(
        "{role} {}–{}",
        local_label(start_ms),
        end.get(11..).unwrap_or_default()
    )
}

/// The longest period, in days with both ends counted, that one request may
/// list shifts for (`/api/v1/shifts`): two months of rosters. A longer
/// `from`/`to` is refused, naming `to` ([`crate::calendar::check_range`]).
pub const MAX_LIST_DAYS: i64 = 62;

/// The longest period the coverage figures cover in one request
/// (`/api/v1/shift-coverage`; the coverage page shows a fixed window of 14).
pub const MAX_COVERAGE_DAYS: i64 = 62;

/// How full a need is: `gap` (nobody or less than half), `short` (some
/// missing), `full`.
pub fn coverage_level(needed: i64, filled: i64) -> &'static str {
    if filled >= needed {
        "full"
    } else if filled * 2 >= needed {
        "short"
    } else {
        "gap"
    }
}

crate::status_enum! {
    /// Whether a shift still takes volunteers.
    pub enum ShiftStatus {
        Open = "open",
        Cancelled = "cancelled",
    }
}

crate::status_enum! {
    /// Whether a person's sign-up for a shift stands.
    pub enum SignupStatus {
        Active = "active",
        /// Withdrawn by the person, or the shift was cancelled.
        Cancelled = "cancelled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const M: i64 = MINUTE;

    fn span(i: usize, a: i64, b: i64) -> Span {
        Span {
            id: format!("s{i}"),
            start_ms: a,
            end_ms: b,
            label: format!("shift {i}"),
        }
    }

    fn rules_of(v: &[Breach]) -> Vec<Rule> {
        v.iter().map(|b| b.rule).collect()
    }

    #[test]
    fn the_three_rules() {
        let r = Rules::default();
        let day = 1_000 * 24 * HOUR;
        let morning = span(0, day + 8 * HOUR, day + 13 * HOUR);
        // The same day's afternoon: rest too short (0 h).
        let v = check(
            &r,
            std::slice::from_ref(&morning),
            day + 13 * HOUR,
            day + 18 * HOUR,
        );
        assert_eq!(rules_of(&v), vec![Rule::MinRest]);
        assert_eq!(v[0].with, vec!["s0".to_owned()]);
        // Overlap.
        let v = check(
            &r,
            std::slice::from_ref(&morning),
            day + 12 * HOUR,
            day + 14 * HOUR,
        );
        assert!(rules_of(&v).contains(&Rule::Overlap));
        // Next morning: 19 h rest, fine.
        assert!(
            check(
                &r,
                std::slice::from_ref(&morning),
                day + 32 * HOUR,
                day + 37 * HOUR
            )
            .is_empty()
        );
        // 11 h rest exactly is enough; 10 h 59 is not.
        assert!(
            check(
                &r,
                std::slice::from_ref(&morning),
                day + 24 * HOUR,
                day + 28 * HOUR
            )
            .is_empty()
        );
        let v = check(
            &r,
            std::slice::from_ref(&morning),
            day + 24 * HOUR - M,
            day + 28 * HOUR,
        );
        assert_eq!(rules_of(&v), vec![Rule::MinRest]);
        // 00:00-05:00 after 08:00-13:00: 11 h rest, exactly 10 h in the
        // window 05:00-05:00; a minute earlier is 10 h 01 and too little rest.
        assert!(
            check(
                &r,
                std::slice::from_ref(&morning),
                day + 24 * HOUR,
                day + 29 * HOUR
            )
            .is_empty()
        );
        let v = check(
            &r,
            std::slice::from_ref(&morning),
            day + 24 * HOUR - M,
            day + 29 * HOUR,
        );
        assert_eq!(rules_of(&v), vec![Rule::MinRest, Rule::MaxWork]);
        // 00-06 and 17-23: 11 h rest, but 12 h in one 24-hour window.
        let night = span(1, day, day + 6 * HOUR);
        let v = check(&r, &[night], day + 17 * HOUR, day + 23 * HOUR);
        assert_eq!(rules_of(&v), vec![Rule::MaxWork]);
        assert_eq!(v[0].labels, vec!["shift 1".to_owned()]);
        // A single 11-hour shift breaks the 10-hour rule on its own.
        let v = check(&r, &[], day, day + 11 * HOUR);
        assert_eq!(rules_of(&v), vec![Rule::MaxWork]);
        assert!(v[0].with.is_empty());
        let inv = breaches_invalid("shift", &v);
        assert_eq!(inv.0[0].code, "shift-rule-max-work-alone");
    }

    #[test]
    fn configurable() {
        let r = Rules {
            max_work_minutes: 12 * 60,
            window_minutes: 24 * 60,
            min_rest_minutes: 0,
        };
        let day = 0;
        let a = span(0, day + 8 * HOUR, day + 13 * HOUR);
        assert!(check(&r, &[a], day + 13 * HOUR, day + 18 * HOUR).is_empty());
        assert!(r.validate().is_ok());
        let bad = Rules {
            max_work_minutes: 0,
            ..r
        };
        assert_eq!(
            bad.validate().unwrap_err().0[0].field,
            "shift_max_work_hours"
        );
    }

    #[test]
    fn release_and_qualification() {
        assert!(check_release(100, 100, "x").is_ok());
        let e = check_release(100, 99, "2026-12-01 18:00").unwrap_err();
        assert_eq!(e.code, "shift-not-released");
        assert_eq!(e.value.as_deref(), Some("2026-12-01 18:00"));
        let held = vec!["ehbo".to_owned()];
        assert!(check_qualification(None, &held, "").is_ok());
        assert!(check_qualification(Some("ehbo"), &held, "").is_ok());
        let e = check_qualification(Some("ict"), &held, "ICT").unwrap_err();
        assert_eq!(e.code, "shift-qualification-missing");
    }

    #[test]
    fn local_windows_across_dst() {
        let tz = crate::calendar::brussels();
        let day: Date = "2026-12-02".parse().unwrap();
        let (s, e) = window(day, "08:00", "13:00", &tz).unwrap();
        assert_eq!(e - s, 5 * HOUR);
        // 08:00 in December is 07:00 UTC.
        assert_eq!(
            jiff::Timestamp::from_millisecond(s).unwrap().to_string(),
            "2026-12-02T07:00:00Z"
        );
        // The night of 24 to 25 October 2026 has 25 hours: 22:00-06:00 is 9 h.
        let (s, e) = window("2026-10-24".parse().unwrap(), "22:00", "06:00", &tz).unwrap();
        assert_eq!(e - s, 9 * HOUR);
        // The night of 28 to 29 March 2026 has 23 hours: 7 h.
        let (s, e) = window("2026-03-28".parse().unwrap(), "22:00", "06:00", &tz).unwrap();
        assert_eq!(e - s, 7 * HOUR);
        // 02:30 on 29 March 2026 does not exist.
        assert!(window("2026-03-29".parse().unwrap(), "02:30", "06:00", &tz).is_err());
        assert_eq!(window(day, "8:00", "x", &tz).unwrap_err().0[0].field, "end");
        assert_eq!(parse_hhmm("8:05").as_deref(), Some("08:05"));
        assert!(parse_hhmm("24:00").is_none());
    }

    #[test]
    fn parsing() {
        assert_eq!(parse_headcount(" 5 "), Ok(5));
        assert!(parse_headcount("0").is_err());
        assert_eq!(parse_repeat(""), Ok(1));
        assert!(parse_repeat("40").is_err());
        assert_eq!(
            parse_code("code", "ICT-support").as_deref(),
            Ok("ict-support")
        );
        assert!(parse_code("code", "a b").is_err());
        assert!(parse_reason("kort").is_err());
        assert!(parse_reason("ziekte van een collega").is_ok());
        assert_eq!(coverage_level(5, 5), "full");
        assert_eq!(coverage_level(5, 3), "short");
        assert_eq!(coverage_level(5, 2), "gap");
    }

    /// Whether a whole schedule keeps the rules, checked from scratch: no
    /// two shifts overlap, every two are `min_rest` apart, and no window of
    /// `window` starting at any minute holds more than `max_work`.
    fn schedule_ok(r: &Rules, s: &[(i64, i64)]) -> bool {
        for (i, a) in s.iter().enumerate() {
            for b in &s[i + 1..] {
                if overlaps(a.0, a.1, b.0, b.1) {
                    return false;
                }
                let gap = if a.1 <= b.0 { b.0 - a.1 } else { a.0 - b.1 };
                if gap < r.min_rest_minutes * M {
                    return false;
                }
            }
        }
        brute_max_work(r, s) <= r.max_work_minutes * M
    }

    /// The most work in any window, trying every start minute.
    fn brute_max_work(r: &Rules, s: &[(i64, i64)]) -> i64 {
        let (Some(lo), Some(hi)) = (s.iter().map(|x| x.0).min(), s.iter().map(|x| x.1).max())
        else {
            return 0;
        };
        let window = r.window_minutes * M;
        let mut best = 0;
        let mut w0 = lo - window;
        while w0 <= hi {
            best = best.max(work_in(s, w0, window));
            w0 += 15 * M;
        }
        best
    }

    /// Shifts on a quarter-hour grid over about five days.
    fn shift_strategy() -> impl Strategy<Value = (i64, i64)> {
        (0i64..480, 1i64..56).prop_map(|(q, len)| (q * 15 * M, (q + len) * 15 * M))
    }

    fn small_rules() -> impl Strategy<Value = Rules> {
        (4i64..=12, 0i64..=12).prop_map(|(max_h, rest_h)| Rules {
            max_work_minutes: max_h * 60,
            window_minutes: 24 * 60,
            min_rest_minutes: rest_h * 60,
        })
    }

    proptest! {
        /// Accepting shifts one by one, only when `check` finds nothing,
        /// never yields a schedule that breaks a rule.
        #[test]
        fn accepting_one_by_one_keeps_the_rules(
            r in small_rules(),
            cands in prop::collection::vec(shift_strategy(), 1..12),
        ) {
            let mut taken: Vec<Span> = Vec::new();
            for (i, (a, b)) in cands.into_iter().enumerate() {
                if check(&r, &taken, a, b).is_empty() {
                    taken.push(span(i, a, b));
                }
            }
            let pairs: Vec<(i64, i64)> = taken.iter().map(|s| (s.start_ms, s.end_ms)).collect();
            prop_assert!(schedule_ok(&r, &pairs));
        }

        /// A shift of at most the work allowed that starts at least the rest
        /// after every other shift ends never breaks the overlap or rest
        /// rule; it breaks the window rule only when a window holding it
        /// (and the end of earlier work) has too much work — e.g. 08-13,
        /// then 00:00-07:00 the next night: 11 h rest, but 12 h between
        /// 08:00 and 08:00. It is always accepted once it starts a whole
        /// window after every other shift ends.
        #[test]
        fn rested_short_shift_is_accepted(
            cands in prop::collection::vec(shift_strategy(), 0..8),
            rest_extra in 0i64..2000,
            len in 15i64..=600,
        ) {
            let r = Rules::default();
            // A valid schedule first.
            let mut taken: Vec<Span> = Vec::new();
            for (i, (a, b)) in cands.into_iter().enumerate() {
                if check(&r, &taken, a, b).is_empty() {
                    taken.push(span(i, a, b));
                }
            }
            let last_end = taken.iter().map(|s| s.end_ms).max().unwrap_or(0);
            let start = last_end + r.min_rest_minutes * M + rest_extra * M;
            let v = check(&r, &taken, start, start + len * M);
            prop_assert!(v.iter().all(|b| b.rule == Rule::MaxWork));
            let mut all: Vec<(i64, i64)> = taken.iter().map(|s| (s.start_ms, s.end_ms)).collect();
            all.push((start, start + len * M));
            prop_assert_eq!(v.is_empty(), brute_max_work(&r, &all) <= r.max_work_minutes * M);
            let far = last_end + r.window_minutes.max(r.min_rest_minutes) * M + rest_extra * M;
            prop_assert!(check(&r, &taken, far, far + len * M).is_empty());
        }

        /// A shift that overlaps another is always refused for overlap.
        #[test]
        fn overlap_is_always_refused(
            (a, b) in shift_strategy(),
            off in 0i64..100,
            len in 1i64..100,
        ) {
            let start = a + (off * M) % (b - a);
            let v = check(&Rules::default(), &[span(0, a, b)], start, start + len * M);
            prop_assert!(v.iter().any(|x| x.rule == Rule::Overlap && x.with == vec!["s0".to_owned()]));
        }

        /// The window check equals a brute-force check over every window
        /// (every quarter-hour start): `check` reports the rule exactly when
        /// some window holding the candidate has too much work.
        #[test]
        fn window_check_equals_brute_force(
            r in small_rules(),
            others in prop::collection::vec(shift_strategy(), 0..6),
            (a, b) in shift_strategy(),
        ) {
            // Keep the others free of overlaps, so the sum of work is work.
            let mut kept: Vec<(i64, i64)> = Vec::new();
            for o in others {
                if !kept.iter().any(|k| overlaps(k.0, k.1, o.0, o.1)) && !overlaps(o.0, o.1, a, b) {
                    kept.push(o);
                }
            }
            let spans: Vec<Span> = kept.iter().enumerate().map(|(i, &(x, y))| span(i, x, y)).collect();
            let reported = check(&r, &spans, a, b).iter().any(|x| x.rule == Rule::MaxWork);
            // Brute force: windows (every quarter hour) that hold part of the candidate.
            let mut all = kept.clone();
            all.push((a, b));
            let window = r.window_minutes * M;
            let mut brute = false;
            let mut w0 = a - window;
            while w0 < b {
                if inside(a, b, w0, w0 + window) > 0 && work_in(&all, w0, window) > r.max_work_minutes * M {
                    brute = true;
                }
                w0 += 15 * M;
            }
            prop_assert_eq!(reported, brute);
        }
    }
}
