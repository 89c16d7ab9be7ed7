//! The allowance rule.

use super::*;

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
