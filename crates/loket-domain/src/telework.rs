//! Staff records and telework: the staff CSV import, leave days, which days
//! may be registered, the allowance rule (data with effective dates) and
//! its computation, and the payroll export's configurable layout.
//!
//! Money is integer euro cents. A month is `YYYY-MM`. The allowance of a
//! month is computed with the one rule in force on the month's first day:
//! rules take effect on the first day of a month (the allowance is paid per
//! month), so a change "from 1 July" leaves January–June as they were.

use crate::ident::Email;
use crate::validation::FieldError;
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

// ---------------------------------------------------------------------------
// Months
// ---------------------------------------------------------------------------

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i16,
    month: i8,
}

impl Month {
    pub fn new(year: i16, month: i8) -> Option<Month> {
        ((1..=12).contains(&month) && (1900..=2999).contains(&year))
            .then_some(Month { year, month })
    }

    pub fn parse(s: &str) -> Result<Month, FieldError> {
        let s = s.trim();
        let err = || FieldError::new("month", "month-invalid");
        let (y, m) = s.split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(err());
        }
        let y: i16 = y.parse().map_err(|_| err())?;
        let m: i8 = m.parse().map_err(|_| err())?;
        Month::new(y, m).ok_or_else(err)
    }

    pub fn of(d: Date) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn year(self) -> i16 {
        self.year
    }

    pub fn first_day(self) -> Date {
        Date::new(self.year, self.month, 1).unwrap_or(Date::MIN)
    }

    pub fn last_day(self) -> Date {
        self.first_day().last_of_month()
    }

    /// Every date of the month.
    pub fn days(self) -> Vec<Date> {
        let mut out = Vec::with_capacity(31);
        let mut d = self.first_day();
        while Month::of(d) == self {
            out.push(d);
            match d.tomorrow() {
                Ok(n) => d = n,
                Err(_) => break,
            }
        }
        out
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn contains(self, d: Date) -> bool {
        Month::of(d) == self
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

// The CSV reader moved to `crate::csv_file` (the assets and vaccination
// imports use it too); re-exported here for the existing callers.
pub use crate::csv_file::{CsvError, cell, header_map, read_csv};

// ---------------------------------------------------------------------------
// Staff records
// ---------------------------------------------------------------------------

/// The columns of the staff CSV, in the order of the template.
pub const STAFF_COLUMNS: [&str; 8] = [
    "employee_no",
    "name",
    "email",
    "department",
    "manager",
    "regime",
    "telework",
    "end_date",
];
const STAFF_REQUIRED: [&str; 6] = [
    "employee_no",
    "name",
    "email",
    "department",
    "regime",
    "telework",
];
const STAFF_OPTIONAL: [&str; 2] = ["manager", "end_date"];

/// An employee number: 1 to 20 letters, digits or `-`.
pub fn check_employee_no(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(FieldError::new("employee_no", "required"));
    }
    if s.len() > 20 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(FieldError::new("employee_no", "staff-employee-no-invalid"));
    }
    Ok(s.to_ascii_uppercase())
}

/// A work regime in percent: `100`, `80`, `80%`, between 1 and 100.
pub fn parse_regime(s: &str) -> Result<i64, FieldError> {
    let t = s.trim().trim_end_matches('%').trim();
    match t.parse::<i64>() {
        Ok(p) if (1..=100).contains(&p) => Ok(p),
        _ => Err(FieldError::new("regime", "staff-regime-invalid")),
    }
}

/// Yes or no: `ja`/`nee`, `yes`/`no`, `true`/`false`, `1`/`0`, `j`/`n`, `y`.
pub fn parse_yes_no(s: &str) -> Result<bool, FieldError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "ja" | "j" | "yes" | "y" | "true" | "1" => Ok(true),
        "nee" | "n" | "no" | "false" | "0" => Ok(false),
        _ => Err(FieldError::new("telework", "yes-no-invalid")),
    }
}

pub fn parse_date(s: &str) -> Result<Date, FieldError> {
    let s = s.trim();
    if s.len() != 10 {
        return Err(FieldError::new("date", "date-invalid"));
    }
    s.parse::<Date>()
        .map_err(|_| FieldError::new("date", "date-invalid"))
}

/// One staff member as imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffRecord {
    pub line: usize,
    pub employee_no: String,
    pub name: String,
    /// Lower-cased: the link to the Loket account with the same e-mail.
    pub email: String,
    pub department: String,
    pub manager: Option<String>,
    pub regime_percent: i64,
    pub telework_eligible: bool,
    #[serde(serialize_with = "ser_opt_date")]
    pub end_date: Option<Date>,
}

fn ser_date<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

fn ser_opt_date<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

/// What the database already holds, for the checks that look beyond the file.
#[derive(Debug, Default, Clone)]
pub struct KnownStaff {
    pub employee_nos: HashSet<String>,
    /// e-mail (lower case) → employee number.
    pub emails: HashMap<String, String>,
}

/// Reads and checks a staff CSV. All or nothing: any error refuses the file,
/// and every error names its line and column.
pub fn parse_staff_csv(text: &str, known: &KnownStaff) -> Result<Vec<StaffRecord>, Vec<CsvError>> {
    let rows = read_csv(text).map_err(|e| vec![e])?;
    let Some((_, header)) = rows.first() else {
        return Err(vec![CsvError::new(1, "", "csv-empty")]);
    };
    let mut errors = Vec::new();
    let map = header_map(header, &STAFF_REQUIRED, &STAFF_OPTIONAL, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    if rows.len() < 2 {
        return Err(vec![CsvError::new(1, "", "csv-no-rows")]);
    }
    let mut out: Vec<StaffRecord> = Vec::new();
    let mut seen_no: HashMap<String, usize> = HashMap::new();
    let mut seen_email: HashMap<String, usize> = HashMap::new();
    for (line, row) in rows.iter().skip(1) {
        let line = *line;
        if row.len() != header.len() {
            errors.push(
                CsvError::new(line, "", "csv-field-count").with_value(format!(
                    "{}/{}",
                    row.len(),
                    header.len()
                )),
            );
            continue;
        }
        let c = |col: &str| cell(row, &map, col);
        let mut bad = |col: &str, e: FieldError, v: &str| {
            let mut ce = CsvError::new(line, col, e.code);
            ce.value = e.value.or_else(|| (!v.is_empty()).then(|| v.to_owned()));
            errors.push(ce);
        };
        let no = match check_employee_no(c("employee_no")) {
            Ok(n) => {
                if let Some(first) = seen_no.insert(n.clone(), line) {
                    bad(
                        "employee_no",
                        FieldError::with_value("", "csv-duplicate", first.to_string()),
                        "",
                    );
                }
                Some(n)
            }
            Err(e) => {
                bad("employee_no", e, c("employee_no"));
                None
            }
        };
        let name = c("name").to_owned();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            bad("name", FieldError::new("", "required"), "");
        }
        let email = match Email::parse(c("email")) {
            Ok(e) => {
                let e = e.as_str().to_ascii_lowercase();
                if let Some(first) = seen_email.insert(e.clone(), line) {
                    bad(
                        "email",
                        FieldError::with_value("", "csv-duplicate", first.to_string()),
                        "",
                    );
                } else if let (Some(owner), Some(no)) = (known.emails.get(&e), &no)
                    && owner != no
                {
                    bad(
                        "email",
                        FieldError::with_value("", "staff-email-taken", owner.clone()),
                        "",
                    );
                }
                e
            }
            Err(e) => {
                bad("email", e, c("email"));
                String::new()
            }
        };
        let department = c("department").to_owned();
        if department.is_empty() || department.chars().count() > 100 {
            bad("department", FieldError::new("", "required"), "");
        }
        let manager = match c("manager") {
            "" => None,
            m => match check_employee_no(m) {
                Ok(m) => Some(m),
                Err(e) => {
                    bad("manager", e, m);
                    None
                }
            },
        };
        let regime = parse_regime(c("regime")).unwrap_or_else(|e| {
            bad("regime", e, c("regime"));
            0
        });
        let eligible = parse_yes_no(c("telework")).unwrap_or_else(|e| {
            bad("telework", e, c("telework"));
            false
        });
        let end_date = match c("end_date") {
            "" => None,
            d => match parse_date(d) {
                Ok(d) => Some(d),
                Err(e) => {
                    bad("end_date", e, d);
                    None
                }
            },
        };
        if let Some(no) = no {
            out.push(StaffRecord {
                line,
                employee_no: no,
                name,
                email,
                department,
                manager,
                regime_percent: regime,
                telework_eligible: eligible,
                end_date,
            });
        }
    }
    // Managers: in the file or already known; never oneself.
    let in_file: HashSet<&str> = out.iter().map(|r| r.employee_no.as_str()).collect();
    for r in &out {
        if let Some(m) = &r.manager {
            if *m == r.employee_no {
                errors.push(CsvError::new(r.line, "manager", "staff-manager-self").with_value(m));
            } else if !in_file.contains(m.as_str()) && !known.employee_nos.contains(m) {
                errors
                    .push(CsvError::new(r.line, "manager", "staff-manager-unknown").with_value(m));
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// A period of leave of one staff member (both ends included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaveRecord {
    pub line: usize,
    pub employee_no: String,
    #[serde(serialize_with = "ser_date")]
    pub from: Date,
    #[serde(serialize_with = "ser_date")]
    pub to: Date,
}

/// Checks a leave period: `to` not before `from`, at most a year long.
pub fn check_leave(from: Date, to: Date) -> Result<(), FieldError> {
    if to < from {
        return Err(FieldError::new("to", "leave-order"));
    }
    if from.until(to).map(|s| s.get_days()).unwrap_or(i32::MAX) > 366 {
        return Err(FieldError::new("to", "leave-too-long"));
    }
    Ok(())
}

/// Reads a leave CSV: `employee_no,from,to` (`to` may be empty: one day).
pub fn parse_leave_csv(
    text: &str,
    known: &HashSet<String>,
) -> Result<Vec<LeaveRecord>, Vec<CsvError>> {
    let rows = read_csv(text).map_err(|e| vec![e])?;
    let Some((_, header)) = rows.first() else {
        return Err(vec![CsvError::new(1, "", "csv-empty")]);
    };
    let mut errors = Vec::new();
    let map = header_map(header, &["employee_no", "from"], &["to"], &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    for (line, row) in rows.iter().skip(1) {
        let line = *line;
        if row.len() != header.len() {
            errors.push(CsvError::new(line, "", "csv-field-count"));
            continue;
        }
        let c = |col: &str| cell(row, &map, col);
        let no = match check_employee_no(c("employee_no")) {
            Ok(n) if known.contains(&n) => Some(n),
            Ok(n) => {
                errors.push(CsvError::new(line, "employee_no", "staff-unknown").with_value(n));
                None
            }
            Err(e) => {
                errors.push(CsvError::new(line, "employee_no", e.code));
                None
            }
        };
        let from = parse_date(c("from"))
            .map_err(|e| errors.push(CsvError::new(line, "from", e.code).with_value(c("from"))))
            .ok();
        let to = match c("to") {
            "" => from,
            t => parse_date(t)
                .map_err(|e| errors.push(CsvError::new(line, "to", e.code).with_value(t)))
                .ok(),
        };
        if let (Some(no), Some(from), Some(to)) = (no, from, to) {
            match check_leave(from, to) {
                Ok(()) => out.push(LeaveRecord {
                    line,
                    employee_no: no,
                    from,
                    to,
                }),
                Err(e) => errors.push(CsvError::new(line, "to", e.code)),
            }
        }
    }
    if rows.len() < 2 {
        errors.push(CsvError::new(1, "", "csv-no-rows"));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Every date of a leave period.
pub fn leave_days(from: Date, to: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        out.push(d);
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Telework days
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// The allowance rule
// ---------------------------------------------------------------------------

/// One version of the allowance rule, in force from its first day (the first
/// of a month) until the next version's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllowanceRule {
    pub version: i64,
    #[serde(serialize_with = "ser_date")]
    pub effective_from: Date,
    /// Per approved full day, e.g. 300 (€ 3.00).
    pub full_day_cents: i64,
    /// Per approved half day (0: half days are not paid).
    pub half_day_cents: i64,
    /// At most this many days a month (a half day counts ½; 0: no cap).
    pub max_days: i64,
    /// At most this amount a month (0: no cap).
    pub max_amount_cents: i64,
    /// Eligible from this work regime on (percent).
    pub min_regime_percent: i64,
}

impl AllowanceRule {
    /// Checks a new version's values (the effective date separately).
    pub fn check(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if self.effective_from.day() != 1 {
            out.push(FieldError::new(
                "effective_from",
                "telework-rule-first-of-month",
            ));
        }
        if !(0..=10_000).contains(&self.full_day_cents) {
            out.push(FieldError::new("full_day_cents", "telework-amount-range"));
        }
        if !(0..=10_000).contains(&self.half_day_cents) {
            out.push(FieldError::new("half_day_cents", "telework-amount-range"));
        }
        if !(0..=31).contains(&self.max_days) {
            out.push(FieldError::new("max_days", "telework-max-days-range"));
        }
        if !(0..=100_000).contains(&self.max_amount_cents) {
            out.push(FieldError::new("max_amount_cents", "telework-amount-range"));
        }
        if !(0..=100).contains(&self.min_regime_percent) {
            out.push(FieldError::new(
                "min_regime_percent",
                "staff-regime-invalid",
            ));
        }
        out
    }
}

/// The rule in force for `month`: the one with the latest effective date on
/// or before the month's first day (of equal dates, the higher version).
pub fn rule_for(rules: &[AllowanceRule], month: Month) -> Option<&AllowanceRule> {
    let first = month.first_day();
    rules
        .iter()
        .filter(|r| r.effective_from <= first)
        .max_by_key(|r| (r.effective_from, r.version))
}

/// The tax-free monthly maximum set by the RSZ/ONSS, from a date on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaxFreeMax {
    #[serde(serialize_with = "ser_date")]
    pub effective_from: Date,
    pub cents: i64,
}

/// The tax-free maximum in force on the month's first day.
pub fn tax_free_for(maxima: &[TaxFreeMax], month: Month) -> Option<i64> {
    let first = month.first_day();
    maxima
        .iter()
        .filter(|m| m.effective_from <= first)
        .max_by_key(|m| m.effective_from)
        .map(|m| m.cents)
}

/// The published RSZ/ONSS maxima the demo and a new database start with.
pub const DEFAULT_TAX_FREE: &[(&str, i64)] = &[
    ("2023-12-01", 15_170),
    ("2024-06-01", 15_474),
    ("2025-03-01", 15_783),
];

/// Who is eligible: the staff member's flag and work regime, and whether
/// they were still employed during the month.
#[derive(Debug, Clone, Copy)]
pub struct Eligibility {
    pub eligible: bool,
    pub regime_percent: i64,
}

/// The allowance of one staff member for one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allowance {
    pub rule_version: i64,
    pub full_days: i64,
    pub half_days: i64,
    /// The days paid after the cap on days.
    pub paid_full: i64,
    pub paid_half: i64,
    pub full_day_cents: i64,
    pub half_day_cents: i64,
    pub amount_cents: i64,
    /// Whether a cap (days or amount) lowered the amount.
    pub capped: bool,
    pub eligible: bool,
    /// The RSZ/ONSS maximum of the month, and whether the amount is above it.
    pub tax_free_cents: Option<i64>,
    pub over_tax_free: bool,
}

impl Allowance {
    /// Days as shown in a payroll file: `10.5`.
    pub fn days_text(&self) -> String {
        days_text(self.paid_full * 2 + self.paid_half)
    }
}

/// Half-day units as days: 21 → `10.5`.
pub fn days_text(half_units: i64) -> String {
    let sign = if half_units < 0 { "-" } else { "" };
    let u = half_units.abs();
    if u % 2 == 0 {
        format!("{sign}{}", u / 2)
    } else {
        format!("{sign}{}.5", u / 2)
    }
}

/// Computes the allowance of a month from its approved days (in any order).
///
/// The cap on days is filled in the way that pays most (full days or half
/// days first, whichever is worth more per half day), so that one more day
/// never lowers the amount; then the amount is capped. Never negative,
/// never above either cap.
pub fn compute(
    rule: &AllowanceRule,
    tax_free_cents: Option<i64>,
    who: Eligibility,
    days: &[DayKind],
) -> Allowance {
    let full = days.iter().filter(|d| **d == DayKind::Full).count() as i64;
    let half = days.len() as i64 - full;
    let rf = rule.full_day_cents.max(0);
    let rh = rule.half_day_cents.max(0);
    let eligible = who.eligible && who.regime_percent >= rule.min_regime_percent;
    let mut a = Allowance {
        rule_version: rule.version,
        full_days: full,
        half_days: half,
        paid_full: 0,
        paid_half: 0,
        full_day_cents: rf,
        half_day_cents: rh,
        amount_cents: 0,
        capped: false,
        eligible,
        tax_free_cents,
        over_tax_free: false,
    };
    if !eligible {
        return a;
    }
    // The best mix under the cap on days, in half-day units.
    let cap_units = if rule.max_days > 0 {
        rule.max_days * 2
    } else {
        i64::MAX / 4
    };
    let mut best = (0i64, 0i64, 0i64); // amount, full, half
    let max_f = full.min(cap_units / 2);
    for f in 0..=max_f {
        let h = half.min(cap_units - 2 * f).max(0);
        let amount = f * rf + h * rh;
        if amount > best.0 || (amount == best.0 && f + h > best.1 + best.2) {
            best = (amount, f, h);
        }
    }
    let (mut amount, pf, ph) = best;
    let uncapped = full * rf + half * rh;
    if rule.max_amount_cents > 0 && amount > rule.max_amount_cents {
        amount = rule.max_amount_cents;
    }
    a.paid_full = pf;
    a.paid_half = ph;
    a.amount_cents = amount.max(0);
    a.capped = a.amount_cents < uncapped;
    a.over_tax_free = tax_free_cents.is_some_and(|m| a.amount_cents > m);
    a
}

// ---------------------------------------------------------------------------
// The payroll export
// ---------------------------------------------------------------------------

/// What a payroll line is: the month's allowance, or a correction of an
/// earlier, closed month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Allowance,
    Correction,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Allowance => "allowance",
            LineKind::Correction => "correction",
        }
    }

    pub fn parse(s: &str) -> Option<LineKind> {
        match s {
            "allowance" => Some(LineKind::Allowance),
            "correction" => Some(LineKind::Correction),
            _ => None,
        }
    }
}

/// One line of a closed month's payroll (what the export writes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayLine {
    pub employee_no: String,
    pub name: String,
    pub department: String,
    /// The month paid in.
    pub month: Month,
    /// The month the line is about (differs for corrections).
    pub for_month: Month,
    pub kind: LineKind,
    /// Paid days (a correction: the difference), in half-day units.
    pub half_units: i64,
    pub full_days: i64,
    pub half_days: i64,
    pub rate_cents: i64,
    pub amount_cents: i64,
    pub rule_version: i64,
    pub over_tax_free: bool,
}

/// A column the export can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ExportField {
    EmployeeNo,
    Name,
    Department,
    Month,
    ForMonth,
    Kind,
    WageCode,
    Days,
    FullDays,
    HalfDays,
    RateCents,
    Rate,
    AmountCents,
    Amount,
    RuleVersion,
    OverTaxFree,
}

impl ExportField {
    pub const ALL: [ExportField; 16] = [
        ExportField::EmployeeNo,
        ExportField::Name,
        ExportField::Department,
        ExportField::Month,
        ExportField::ForMonth,
        ExportField::Kind,
        ExportField::WageCode,
        ExportField::Days,
        ExportField::FullDays,
        ExportField::HalfDays,
        ExportField::RateCents,
        ExportField::Rate,
        ExportField::AmountCents,
        ExportField::Amount,
        ExportField::RuleVersion,
        ExportField::OverTaxFree,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ExportField::EmployeeNo => "employee_no",
            ExportField::Name => "name",
            ExportField::Department => "department",
            ExportField::Month => "month",
            ExportField::ForMonth => "for_month",
            ExportField::Kind => "kind",
            ExportField::WageCode => "wage_code",
            ExportField::Days => "days",
            ExportField::FullDays => "full_days",
            ExportField::HalfDays => "half_days",
            ExportField::RateCents => "rate_cents",
            ExportField::Rate => "rate",
            ExportField::AmountCents => "amount_cents",
            ExportField::Amount => "amount",
            ExportField::RuleVersion => "rule_version",
            ExportField::OverTaxFree => "over_tax_free",
        }
    }

    pub fn parse(s: &str) -> Option<ExportField> {
        ExportField::ALL.into_iter().find(|f| f.key() == s.trim())
    }
}

/// The layout of the payroll file: which columns, under which headers, in
/// which order; the separator; and the wage code of each component. Every
/// social secretariat has its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportLayout {
    pub delimiter: char,
    pub columns: Vec<(ExportField, String)>,
    pub wage_code_allowance: String,
    pub wage_code_correction: String,
}

impl Default for ExportLayout {
    fn default() -> Self {
        ExportLayout::parse(DEFAULT_COLUMNS, ";", "3150", "3151").unwrap_or(ExportLayout {
            delimiter: ';',
            columns: Vec::new(),
            wage_code_allowance: "3150".to_owned(),
            wage_code_correction: "3151".to_owned(),
        })
    }
}

/// The default columns: one per line, `field = header`.
pub const DEFAULT_COLUMNS: &str = "employee_no = employee_no\nmonth = month\nkind = kind\nfor_month = for_month\nwage_code = wage_code\ndays = days\nrate_cents = rate_cents\namount_cents = amount_cents\nrule_version = rule_version";

impl ExportLayout {
    /// Reads a layout from the settings form: columns one per line as
    /// `field = header` (or just `field`), a separator (`;`, `,` or `tab`),
    /// and the two wage codes.
    pub fn parse(
        columns: &str,
        delimiter: &str,
        wage_allowance: &str,
        wage_correction: &str,
    ) -> Result<ExportLayout, Vec<FieldError>> {
        let mut errs = Vec::new();
        let delimiter = match delimiter.trim() {
            ";" => ';',
            "," => ',',
            "tab" | "\t" => '\t',
            _ => {
                errs.push(FieldError::new("delimiter", "export-delimiter-invalid"));
                ';'
            }
        };
        let mut cols = Vec::new();
        for (i, line) in columns.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (field, header) = line.split_once('=').unwrap_or((line, line));
            match ExportField::parse(field) {
                Some(f) => {
                    let header = header.trim();
                    if header.is_empty()
                        || header.len() > 60
                        || header.contains(['"', '\n', '\r', ';', ',', '\t'])
                    {
                        errs.push(FieldError::with_value(
                            "columns",
                            "export-header-invalid",
                            (i + 1).to_string(),
                        ));
                    }
                    cols.push((f, header.to_owned()));
                }
                None => errs.push(FieldError::with_value(
                    "columns",
                    "export-field-unknown",
                    format!("{} ({})", i + 1, field.trim()),
                )),
            }
        }
        if cols.is_empty() && errs.is_empty() {
            errs.push(FieldError::new("columns", "required"));
        }
        let code_ok = |s: &str| {
            !s.trim().is_empty()
                && s.trim().len() <= 20
                && s.trim()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if !code_ok(wage_allowance) {
            errs.push(FieldError::new(
                "wage_code_allowance",
                "export-wage-code-invalid",
            ));
        }
        if !code_ok(wage_correction) {
            errs.push(FieldError::new(
                "wage_code_correction",
                "export-wage-code-invalid",
            ));
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(ExportLayout {
            delimiter,
            columns: cols,
            wage_code_allowance: wage_allowance.trim().to_owned(),
            wage_code_correction: wage_correction.trim().to_owned(),
        })
    }

    /// The columns as the settings form shows them.
    pub fn columns_text(&self) -> String {
        self.columns
            .iter()
            .map(|(f, h)| format!("{} = {h}", f.key()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn delimiter_text(&self) -> &'static str {
        match self.delimiter {
            ',' => ",",
            '\t' => "tab",
            _ => ";",
        }
    }

    fn value(&self, f: ExportField, l: &PayLine) -> String {
        match f {
            ExportField::EmployeeNo => l.employee_no.clone(),
            ExportField::Name => l.name.clone(),
            ExportField::Department => l.department.clone(),
            ExportField::Month => l.month.to_string(),
            ExportField::ForMonth => l.for_month.to_string(),
            ExportField::Kind => l.kind.as_str().to_owned(),
            ExportField::WageCode => match l.kind {
                LineKind::Allowance => self.wage_code_allowance.clone(),
                LineKind::Correction => self.wage_code_correction.clone(),
            },
            ExportField::Days => days_text(l.half_units),
            ExportField::FullDays => l.full_days.to_string(),
            ExportField::HalfDays => l.half_days.to_string(),
            ExportField::RateCents => l.rate_cents.to_string(),
            ExportField::Rate => euro(l.rate_cents),
            ExportField::AmountCents => l.amount_cents.to_string(),
            ExportField::Amount => euro(l.amount_cents),
            ExportField::RuleVersion => l.rule_version.to_string(),
            ExportField::OverTaxFree => if l.over_tax_free { "1" } else { "0" }.to_owned(),
        }
    }

    /// Writes the payroll file: a header line, then one line per pay line,
    /// CRLF line ends; values that hold the separator or a quote are quoted.
    pub fn write(&self, lines: &[PayLine]) -> String {
        let d = self.delimiter;
        let quote = |s: &str| {
            if s.contains([d, '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_owned()
            }
        };
        let sep = d.to_string();
        let mut out = String::new();
        out.push_str(
            &self
                .columns
                .iter()
                .map(|(_, h)| quote(h))
                .collect::<Vec<_>>()
                .join(&sep),
        );
        out.push_str("\r\n");
        for l in lines {
            out.push_str(
                &self
                    .columns
                    .iter()
                    .map(|(f, _)| quote(&self.value(*f, l)))
                    .collect::<Vec<_>>()
                    .join(&sep),
            );
            out.push_str("\r\n");
        }
        out
    }
}

/// Cents as euro with a decimal point: 1234 → `12.34`, -50 → `-0.50`.
pub fn euro(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// Reads an amount in euro (`3`, `3.00`, `3,5`) as cents.
pub fn parse_euro(s: &str) -> Result<i64, FieldError> {
    let s = s.trim().replace(',', ".");
    let err = || FieldError::new("amount", "amount-invalid");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() || frac.len() > 2 || !whole.chars().all(|c| c.is_ascii_digit()) {
        return Err(err());
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(err());
    }
    let w: i64 = whole.parse().map_err(|_| err())?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| err())?
    };
    w.checked_mul(100)
        .and_then(|v| v.checked_add(f))
        .filter(|v| *v <= 100_000_000)
        .ok_or_else(err)
}

/// The share of `part` in `whole` in whole percent (rounded half up).
pub fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        0
    } else {
        (part * 200 + whole) / (2 * whole)
    }
}

/// The working days of a month for `who`: not weekend, not a holiday.
pub fn working_days(month: Month, holidays: &BTreeSet<Date>) -> Vec<Date> {
    month
        .days()
        .into_iter()
        .filter(|d| !is_weekend(*d) && !holidays.contains(d))
        .collect()
}

/// `date` plus `n` days (saturating at the month's edges is the caller's job).
pub fn add_days(date: Date, n: i32) -> Date {
    date.checked_add(n.days()).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn rule() -> AllowanceRule {
        AllowanceRule {
            version: 1,
            effective_from: d("2024-01-01"),
            full_day_cents: 300,
            half_day_cents: 150,
            max_days: 0,
            max_amount_cents: 0,
            min_regime_percent: 0,
        }
    }

    const WHO: Eligibility = Eligibility {
        eligible: true,
        regime_percent: 100,
    };

    #[test]
    fn months() {
        let m = Month::parse("2026-02").unwrap();
        assert_eq!(m.days().len(), 28);
        assert_eq!(m.next().to_string(), "2026-03");
        assert_eq!(
            Month::parse("2026-01").unwrap().prev().to_string(),
            "2025-12"
        );
        assert!(Month::parse("2026-13").is_err());
        assert!(Month::parse("2026-1").is_err());
    }

    #[test]
    fn three_euro_a_day_and_half_days() {
        let a = compute(&rule(), Some(15_783), WHO, &[DayKind::Full; 10]);
        assert_eq!(a.amount_cents, 3000);
        let mut days = vec![DayKind::Full; 10];
        days.push(DayKind::Half);
        let a = compute(&rule(), None, WHO, &days);
        assert_eq!(a.amount_cents, 3150);
        assert_eq!(a.days_text(), "10.5");
    }

    #[test]
    fn caps_and_tax_free_flag() {
        let mut r = rule();
        r.max_days = 8;
        let a = compute(&r, None, WHO, &[DayKind::Full; 12]);
        assert_eq!((a.paid_full, a.amount_cents, a.capped), (8, 2400, true));
        r.max_days = 0;
        r.max_amount_cents = 2000;
        let a = compute(&r, None, WHO, &[DayKind::Full; 12]);
        assert_eq!(a.amount_cents, 2000);
        // Above the RSZ maximum: flagged, not lowered.
        let mut r = rule();
        r.full_day_cents = 1000;
        let a = compute(&r, Some(15_783), WHO, &[DayKind::Full; 20]);
        assert_eq!(a.amount_cents, 20_000);
        assert!(a.over_tax_free);
    }

    #[test]
    fn eligibility() {
        let mut r = rule();
        r.min_regime_percent = 50;
        let part = Eligibility {
            eligible: true,
            regime_percent: 40,
        };
        assert_eq!(compute(&r, None, part, &[DayKind::Full; 3]).amount_cents, 0);
        let no = Eligibility {
            eligible: false,
            regime_percent: 100,
        };
        assert_eq!(compute(&r, None, no, &[DayKind::Full; 3]).amount_cents, 0);
    }

    #[test]
    fn the_rule_of_a_month() {
        let mut r2 = rule();
        r2.version = 2;
        r2.effective_from = d("2026-07-01");
        r2.full_day_cents = 350;
        let rules = vec![rule(), r2];
        assert_eq!(
            rule_for(&rules, Month::parse("2026-06").unwrap())
                .unwrap()
                .version,
            1
        );
        assert_eq!(
            rule_for(&rules, Month::parse("2026-07").unwrap())
                .unwrap()
                .version,
            2
        );
        assert!(rule_for(&rules, Month::parse("2023-12").unwrap()).is_none());
        let maxima: Vec<TaxFreeMax> = DEFAULT_TAX_FREE
            .iter()
            .map(|(f, c)| TaxFreeMax {
                effective_from: d(f),
                cents: *c,
            })
            .collect();
        assert_eq!(
            tax_free_for(&maxima, Month::parse("2024-05").unwrap()),
            Some(15_170)
        );
        assert_eq!(
            tax_free_for(&maxima, Month::parse("2024-06").unwrap()),
            Some(15_474)
        );
        assert_eq!(
            tax_free_for(&maxima, Month::parse("2026-01").unwrap()),
            Some(15_783)
        );
        let mut bad = rule();
        bad.effective_from = d("2026-07-15");
        assert_eq!(bad.check()[0].code, "telework-rule-first-of-month");
    }

    #[test]
    fn days_that_cannot_be_registered() {
        let holidays = holidays(2026, &BTreeSet::from([d("2026-11-02")]));
        let leave = BTreeSet::from([d("2026-11-18")]);
        let cx = DayContext {
            today: d("2026-11-20"),
            holidays: &holidays,
            leave: &leave,
            end_date: None,
            month_closed: false,
            month_approved: false,
        };
        let code = |s: &str, st| check_day(d(s), st, &cx).err().map(|e| e.code);
        assert_eq!(code("2026-11-17", DayState::Confirmed), None);
        assert_eq!(code("2026-11-26", DayState::Planned), None);
        assert_eq!(
            code("2026-11-26", DayState::Confirmed),
            Some("telework-confirm-future")
        );
        assert_eq!(
            code("2026-11-21", DayState::Planned),
            Some("telework-weekend")
        );
        assert_eq!(
            code("2026-11-11", DayState::Planned),
            Some("telework-holiday")
        );
        assert_eq!(
            code("2026-11-02", DayState::Planned),
            Some("telework-holiday")
        );
        assert_eq!(
            code("2026-11-18", DayState::Planned),
            Some("telework-leave")
        );
        assert_eq!(
            code("2026-12-01", DayState::Planned),
            Some("telework-future-month")
        );
        let closed = DayContext {
            month_closed: true,
            ..cx
        };
        assert_eq!(
            check_day(d("2026-11-17"), DayState::Planned, &closed)
                .unwrap_err()
                .code,
            "telework-month-closed"
        );
    }

    #[test]
    fn staff_csv_ok_and_errors_with_line_and_column() {
        let ok = "employee_no;name;email;department;manager;regime;telework;end_date\n\
                  E1;An Boss;an@leuven.example;ICT;;100%;ja;\n\
                  E2;\"Bert; the second\";Bert@Leuven.example;ICT;E1;80;nee;2026-12-31\n";
        let rows = parse_staff_csv(ok, &KnownStaff::default()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].name, "Bert; the second");
        assert_eq!(rows[1].email, "bert@leuven.example");
        assert_eq!(rows[1].manager.as_deref(), Some("E1"));
        assert_eq!(rows[1].regime_percent, 80);

        let bad = "employee_no,name,email,department,manager,regime,telework,end_date\n\
                   E1,An,an@leuven.example,ICT,,100,ja,\n\
                   E1,Bert,bert@leuven.example,ICT,E9,80,nee,2026-02-30\n";
        let errs = parse_staff_csv(bad, &KnownStaff::default()).unwrap_err();
        let got: Vec<(usize, &str, &str)> = errs
            .iter()
            .map(|e| (e.line, e.column.as_str(), e.code))
            .collect();
        assert!(
            got.contains(&(3, "employee_no", "csv-duplicate")),
            "{got:?}"
        );
        assert!(got.contains(&(3, "end_date", "date-invalid")), "{got:?}");
        assert!(
            got.contains(&(3, "manager", "staff-manager-unknown")),
            "{got:?}"
        );

        let wrong = "employee_no,name,mail,department,regime,telework\nE1,An,a@b.be,ICT,100,ja\n";
        let errs = parse_staff_csv(wrong, &KnownStaff::default()).unwrap_err();
        assert_eq!(
            (errs[0].line, errs[0].column.as_str(), errs[0].code),
            (1, "mail", "csv-column-unknown")
        );
        assert_eq!(
            (errs[1].line, errs[1].column.as_str(), errs[1].code),
            (1, "email", "csv-column-missing")
        );
    }

    #[test]
    fn export_layout_is_configurable() {
        let layout = ExportLayout::parse(
            "employee_no = Stamnr\nwage_code = Looncode\ndays = Dagen\namount = Bedrag\nrule_version",
            ",",
            "W1",
            "W2",
        )
        .unwrap();
        let line = PayLine {
            employee_no: "E1".into(),
            name: "An".into(),
            department: "ICT".into(),
            month: Month::parse("2026-03").unwrap(),
            for_month: Month::parse("2026-02").unwrap(),
            kind: LineKind::Correction,
            half_units: -3,
            full_days: -1,
            half_days: -1,
            rate_cents: 300,
            amount_cents: -450,
            rule_version: 1,
            over_tax_free: false,
        };
        assert_eq!(
            layout.write(&[line]),
            "Stamnr,Looncode,Dagen,Bedrag,rule_version\r\nE1,W2,-1.5,-4.50,1\r\n"
        );
        assert!(ExportLayout::parse("salary = X", ";", "1", "2").is_err());
        assert_eq!(parse_euro("3,5"), Ok(350));
        assert_eq!(parse_euro("157.83"), Ok(15_783));
        assert!(parse_euro("1.234").is_err());
    }

    fn arb_rule() -> impl Strategy<Value = AllowanceRule> {
        (0i64..2000, 0i64..2000, 0i64..25, 0i64..20_000).prop_map(|(f, h, md, ma)| AllowanceRule {
            version: 1,
            effective_from: d("2024-01-01"),
            full_day_cents: f,
            half_day_cents: h,
            max_days: md,
            max_amount_cents: ma,
            min_regime_percent: 0,
        })
    }

    fn arb_days() -> impl Strategy<Value = Vec<DayKind>> {
        proptest::collection::vec(prop_oneof![Just(DayKind::Full), Just(DayKind::Half)], 0..25)
    }

    proptest! {
        #[test]
        fn never_negative_never_above_the_caps(r in arb_rule(), days in arb_days()) {
            let a = compute(&r, None, WHO, &days);
            prop_assert!(a.amount_cents >= 0);
            if r.max_amount_cents > 0 {
                prop_assert!(a.amount_cents <= r.max_amount_cents);
            }
            if r.max_days > 0 {
                prop_assert!(a.paid_full * 2 + a.paid_half <= r.max_days * 2);
            }
            prop_assert!(a.amount_cents <= a.full_days * r.full_day_cents + a.half_days * r.half_day_cents);
        }

        #[test]
        fn one_more_day_never_lowers_it(r in arb_rule(), days in arb_days(), extra in prop_oneof![Just(DayKind::Full), Just(DayKind::Half)]) {
            let before = compute(&r, None, WHO, &days).amount_cents;
            let mut more = days.clone();
            more.push(extra);
            prop_assert!(compute(&r, None, WHO, &more).amount_cents >= before);
        }

        #[test]
        fn the_order_of_registration_does_not_matter(r in arb_rule(), days in arb_days(), seed in any::<u64>()) {
            let mut shuffled = days.clone();
            // A deterministic shuffle from the seed.
            let mut s = seed;
            for i in (1..shuffled.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let j = (s >> 33) as usize % (i + 1);
                shuffled.swap(i, j);
            }
            prop_assert_eq!(compute(&r, None, WHO, &days), compute(&r, None, WHO, &shuffled));
        }

        #[test]
        fn csv_reader_round_trips_quoted_fields(fields in proptest::collection::vec("[a-z;\" ]{0,8}", 1..5)) {
            let line: Vec<String> = fields.iter().map(|f| format!("\"{}\"", f.replace('"', "\"\""))).collect();
            let text = format!("a;b\n{}\n", line.join(";"));
            let rows = read_csv(&text).unwrap();
            let want: Vec<String> = fields.iter().map(|f| f.trim().to_owned()).collect();
            prop_assert_eq!(&rows[1].1, &want);
            prop_assert_eq!(rows[1].0, 2);
        }
    }
}
