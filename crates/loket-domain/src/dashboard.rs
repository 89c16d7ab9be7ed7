//! The management dashboard's rules: the period it covers, month keys in
//! Europe/Brussels, folding per-hour counts into months, percentiles, and
//! the factors behind its figures (telework allowance per day, CO2 of a car
//! kilometre). The figures themselves are aggregates (no person in them).

use crate::calendar::date_of_ms;
use crate::telework::Month;
use crate::validation::Invalid;
use jiff::ToSpan;
use jiff::civil::Date;
use std::collections::BTreeMap;

/// The longest period the dashboard covers: three years.
pub const MAX_YEARS: i8 = 3;

/// The telework allowance the dashboard counts per teleworked day, in euro
/// cents (3 euro a full day, half for a half day), as the issue asks; the
/// payroll's own rates are versioned rules (`telework_rules`).
pub const TELEWORK_DAY_CENTS: i64 = 300;
pub const TELEWORK_HALF_DAY_CENTS: i64 = 150;

/// The CO2 a car emits per kilometre that a service bike replaces, by
/// default: 120 g/km (0.12 kg/km). Source: the order of the European
/// Environment Agency's monitoring figure for the average new passenger car
/// in the EU around 2019–2020 (about 120 g CO2/km, tank-to-wheel). The
/// fleet manager may set another factor (`bike_settings.co2_g_per_km`);
/// the dashboard uses that setting and shows it.
pub const CAR_CO2_G_PER_KM: i64 = crate::bikes::DEFAULT_CO2_G_PER_KM;

/// Durations kept to compute a median or percentile in memory, at most.
pub const MAX_DURATIONS: i64 = 200_000;

/// The days the dashboard covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// The default: the last twelve months, this one included (from the
    /// first day of the month eleven months ago up to `today`).
    pub fn last_year_to(today: Date) -> Self {
        let first = today.first_of_month();
        Self {
            from: first.checked_sub(11.months()).unwrap_or(first),
            to: today,
        }
    }

    /// Parses the form's `from` and `to` (ISO dates; both empty: the
    /// default, one empty: the default for that end). Errors name the field.
    pub fn parse(from: &str, to: &str, today: Date) -> Result<Self, Invalid> {
        let default = Self::last_year_to(today);
        let mut inv = Invalid::default();
        let mut date = |field: &str, text: &str, or: Date| {
            let t = text.trim();
            if t.is_empty() {
                return Some(or);
            }
            let d = t.parse::<Date>().ok();
            if d.is_none() {
                inv.push(field, "dashboard-date-invalid");
            }
            d
        };
        let from = date("from", from, default.from);
        let to = date("to", to, default.to);
        match (from, to) {
            (Some(from), Some(to)) if inv.is_empty() => {
                if from > to {
                    inv.push("to", "dashboard-to-before-from");
                } else if from
                    .checked_add(i64::from(MAX_YEARS).years())
                    .is_ok_and(|limit| to >= limit)
                {
                    inv.push("from", "dashboard-period-too-long");
                }
                inv.into_result().map(|()| Self { from, to })
            }
            _ => Err(inv),
        }
    }

    /// Every month the period touches, in order.
    pub fn months(&self) -> Vec<Month> {
        let mut out = Vec::new();
        let mut m = Month::of(self.from);
        let last = Month::of(self.to);
        while m <= last {
            out.push(m);
            m = m.next();
        }
        out
    }

    /// The day after the last day (the period's end, exclusive).
    pub fn end_exclusive(&self) -> Date {
        self.to.tomorrow().unwrap_or(self.to)
    }
}

/// The Brussels month (`YYYY-MM`) of an instant in unix ms.
pub fn month_of_ms(ms: i64) -> Option<String> {
    date_of_ms(ms).map(|d| Month::of(d).to_string())
}

/// The Brussels date of a UTC hour bucket (`instant_ms / 3_600_000`). The
/// offsets of Europe/Brussels are whole hours, so every instant of a UTC
/// hour falls on the same local date.
pub fn date_of_hour(hour: i64) -> Option<Date> {
    date_of_ms(hour.saturating_mul(3_600_000))
}

/// The Brussels month of a UTC hour bucket.
pub fn month_of_hour(hour: i64) -> Option<String> {
    date_of_hour(hour).map(|d| Month::of(d).to_string())
}

/// Counts per (key, month), folded from SQL's per-hour counts
/// `(key, hour bucket, count)`.
pub fn fold_hours(rows: &[(String, i64, i64)]) -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    for (key, hour, n) in rows {
        if let Some(m) = month_of_hour(*hour) {
            *out.entry((key.clone(), m)).or_insert(0) += n;
        }
    }
    out
}

/// The `p`-th percentile (0–100) of `sorted` (ascending), by the nearest
/// rank: the smallest value with at least `p`% of the values at or below
/// it. `None` when there are no values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let p = p.min(100) as usize;
    // ceil(p * n / 100), at least 1.
    let rank = (p * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// The median (the 50th percentile by the nearest rank).
pub fn median(sorted: &[i64]) -> Option<i64> {
    percentile(sorted, 50)
}

/// Kilograms of CO2 a car would have emitted over `km` (rounded half up).
pub fn co2_avoided_kg(km: i64, g_per_km: i64) -> i64 {
    (km.saturating_mul(g_per_km) + 500) / 1000
}

/// The telework allowance for `full` full and `half` half days, in cents.
pub fn allowance_cents(full: i64, half: i64) -> i64 {
    full * TELEWORK_DAY_CENTS + half * TELEWORK_HALF_DAY_CENTS
}

pub use crate::percent;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn the_default_period_is_twelve_months() {
        let p = Period::parse("", "", d("2026-12-03")).ok();
        assert_eq!(
            p,
            Some(Period {
                from: d("2026-01-01"),
                to: d("2026-12-03")
            })
        );
        assert_eq!(p.map(|p| p.months().len()), Some(12));
    }

    #[test]
    fn the_period_is_checked_and_errors_name_the_field() {
        let today = d("2026-12-03");
        let field = |r: Result<Period, Invalid>| r.err().map(|i| i.0[0].field.clone());
        assert_eq!(
            field(Period::parse("2026-05-01", "2026-04-01", today)),
            Some("to".into())
        );
        assert_eq!(
            field(Period::parse("2023-01-01", "2026-01-01", today)),
            Some("from".into())
        );
        assert!(Period::parse("2023-01-02", "2026-01-01", today).is_ok());
        assert_eq!(
            field(Period::parse("gisteren", "", today)),
            Some("from".into())
        );
        assert_eq!(
            field(Period::parse("", "2026-13-01", today)),
            Some("to".into())
        );
        let one = Period::parse("2026-03-31", "2026-03-31", today);
        assert_eq!(one.map(|p| p.months().len()).ok(), Some(1));
    }

    #[test]
    fn hours_fold_into_brussels_months() {
        // 2026-06-30 22:30 UTC is 1 July 00:30 in Brussels (summer time).
        let h = 1_782_858_600_000_i64 / 3_600_000;
        assert_eq!(month_of_hour(h), Some("2026-07".into()));
        assert_eq!(month_of_hour(h - 1), Some("2026-06".into()));
        // 2026-12-31 23:00 UTC is already 2027 in Brussels (winter time).
        let ny = 1_798_758_000_000_i64 / 3_600_000;
        assert_eq!(month_of_hour(ny), Some("2027-01".into()));
        let rows = vec![
            ("web".to_owned(), h, 2),
            ("web".to_owned(), h - 1, 1),
            ("web".to_owned(), h + 5, 3),
        ];
        let f = fold_hours(&rows);
        assert_eq!(f.get(&("web".into(), "2026-07".into())), Some(&5));
        assert_eq!(f.get(&("web".into(), "2026-06".into())), Some(&1));
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7]), Some(7));
        assert_eq!(median(&[1, 2, 3, 4]), Some(2));
        assert_eq!(median(&[1, 2, 3, 4, 5]), Some(3));
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&v, 100), Some(10));
        assert_eq!(percentile(&v, 0), Some(1));
        let w: Vec<i64> = (1..=20).collect();
        assert_eq!(percentile(&w, 90), Some(18));
    }

    #[test]
    fn co2_and_allowance() {
        assert_eq!(CAR_CO2_G_PER_KM, 120);
        assert_eq!(co2_avoided_kg(100, 120), 12);
        assert_eq!(co2_avoided_kg(4, 120), 0);
        assert_eq!(co2_avoided_kg(5, 120), 1);
        assert_eq!(allowance_cents(10, 2), 3300);
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn percentile_is_a_member_and_monotone(mut v in proptest::collection::vec(0i64..10_000, 1..200), p in 0u32..=100) {
                v.sort_unstable();
                let x = percentile(&v, p);
                prop_assert!(x.is_some_and(|x| v.contains(&x)));
                prop_assert!(percentile(&v, p) <= percentile(&v, (p + 10).min(100)));
                // At least p% of the values are at or below it.
                let x = x.unwrap_or_default();
                let below = v.iter().filter(|y| **y <= x).count();
                prop_assert!(below * 100 >= p as usize * v.len());
            }
        }
    }
}
