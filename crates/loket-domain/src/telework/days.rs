//! Telework days.

use super::*;

/// A full or a half telework day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Full,
    Half,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Full => "full",
            DayKind::Half => "half",
        }
    }

    pub fn parse(s: &str) -> Result<DayKind, FieldError> {
        match s.trim() {
            "full" => Ok(DayKind::Full),
            "half" => Ok(DayKind::Half),
            _ => Err(FieldError::new("kind", "telework-kind-invalid")),
        }
    }
}

/// Planned (an intention) or confirmed (worked from home). Only confirmed
/// days count for the allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayState {
    Planned,
    Confirmed,
}

impl DayState {
    pub fn as_str(self) -> &'static str {
        match self {
            DayState::Planned => "planned",
            DayState::Confirmed => "confirmed",
        }
    }

    pub fn parse(s: &str) -> Result<DayState, FieldError> {
        match s.trim() {
            "planned" => Ok(DayState::Planned),
            "confirmed" => Ok(DayState::Confirmed),
            _ => Err(FieldError::new("state", "telework-state-invalid")),
        }
    }
}

/// The days of `month` on which nobody teleworks: weekends, the Belgian
/// legal holidays and the city's extra holidays.
pub fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The public holidays: the ten Belgian legal ones plus the configured extras.
pub fn holidays(year: i16, extra: &BTreeSet<Date>) -> BTreeSet<Date> {
    let mut h: BTreeSet<Date> = crate::calendar::belgian_holidays(year)
        .into_iter()
        .collect();
    h.extend(extra.iter().filter(|d| d.year() == year));
    h
}

/// What the check of one registered day needs to know.
pub struct DayContext<'a> {
    pub today: Date,
    pub holidays: &'a BTreeSet<Date>,
    pub leave: &'a BTreeSet<Date>,
    pub end_date: Option<Date>,
    pub month_closed: bool,
    pub month_approved: bool,
}

/// Whether a telework day may be registered on `date` in state `state`.
/// Refused: a closed or approved month, a month after the current one, a
/// weekend, a public holiday, a day on leave, a day after the staff member
/// left, and a confirmed day in the future.
pub fn check_day(date: Date, state: DayState, cx: &DayContext<'_>) -> Result<(), FieldError> {
    let e = |code| Err(FieldError::new("date", code));
    if cx.month_closed {
        return e("telework-month-closed");
    }
    if cx.month_approved {
        return e("telework-month-approved");
    }
    if Month::of(date) > Month::of(cx.today) {
        return e("telework-future-month");
    }
    if is_weekend(date) {
        return e("telework-weekend");
    }
    if cx.holidays.contains(&date) {
        return e("telework-holiday");
    }
    if cx.leave.contains(&date) {
        return e("telework-leave");
    }
    if cx.end_date.is_some_and(|end| date > end) {
        return e("telework-after-end");
    }
    if state == DayState::Confirmed && date > cx.today {
        return e("telework-confirm-future");
    }
    Ok(())
}
