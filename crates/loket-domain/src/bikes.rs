//! The service-bike pool: bike types and states, the rules of a reservation
//! (not in the past, not too long, never overlapping for one bike), the
//! 30-minute pick-up window, kilometres and the CO2 figures of the dashboard.

use crate::validation::{FieldError, Invalid};
use serde::Serialize;

/// A reservation not picked up this long after its start is released.
pub const PICKUP_GRACE_MS: i64 = 30 * 60 * 1000;
/// The longest reservation by default (a working day).
pub const DEFAULT_MAX_MINUTES: i64 = 10 * 60;
/// Car emissions avoided per kilometre ridden, by default (g CO2/km, an
/// average Belgian passenger car, tank-to-wheel).
pub const DEFAULT_CO2_G_PER_KM: i64 = 120;
/// The most kilometres one trip can record.
pub const MAX_TRIP_KM: i64 = 300;

/// What kind of bike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BikeType {
    Classic,
    Ebike,
    Cargo,
}

impl BikeType {
    pub const ALL: [BikeType; 3] = [BikeType::Classic, BikeType::Ebike, BikeType::Cargo];

    pub fn as_str(self) -> &'static str {
        match self {
            BikeType::Classic => "classic",
            BikeType::Ebike => "ebike",
            BikeType::Cargo => "cargo",
        }
    }

    pub fn parse(s: &str) -> Result<BikeType, FieldError> {
        BikeType::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim())
            .ok_or_else(|| FieldError::new("bike_type", "bike-type-unknown"))
    }
}

crate::status_enum! {
    /// Whether a bike can be reserved.
    pub enum BikeStatus {
        Available = "available",
        Maintenance = "maintenance",
        Retired = "retired",
    }
}

impl BikeStatus {
    /// The status chosen in a form (`bike-status-unknown` for any other text).
    pub fn from_form(s: &str) -> Result<BikeStatus, FieldError> {
        BikeStatus::parse(s.trim()).ok_or_else(|| FieldError::new("status", "bike-status-unknown"))
    }
}

pub use crate::calendar::overlaps;

/// Checks a requested window: it ends after it starts, does not start in
/// the past (a minute of slack for the form's round trip) and lasts at most
/// `max_minutes`.
pub fn check_window(
    start_ms: i64,
    end_ms: i64,
    now_ms: i64,
    max_minutes: i64,
) -> Result<(), Invalid> {
    let mut inv = Invalid::default();
    if start_ms < now_ms - 60_000 {
        inv.push("start", "bike-in-past");
    }
    if end_ms <= start_ms {
        inv.push("end", "bike-end-before-start");
    } else if end_ms - start_ms > max_minutes * 60_000 {
        inv.0.push(FieldError::with_value(
            "end",
            "bike-too-long",
            (max_minutes / 60).to_string(),
        ));
    }
    inv.into_result()
}

/// Whether a reservation starting at `start_ms` and not yet picked up is
/// released at `now_ms`.
pub fn pickup_expired(start_ms: i64, now_ms: i64) -> bool {
    now_ms >= start_ms + PICKUP_GRACE_MS
}

/// Parses the kilometres of a trip: a whole number from 0 to [`MAX_TRIP_KM`].
pub fn parse_km(s: &str) -> Result<i64, FieldError> {
    let km: i64 = s
        .trim()
        .parse()
        .map_err(|_| FieldError::new("km", "bike-km-invalid"))?;
    if !(0..=MAX_TRIP_KM).contains(&km) {
        return Err(FieldError::with_value(
            "km",
            "bike-km-range",
            MAX_TRIP_KM.to_string(),
        ));
    }
    Ok(km)
}

/// Grams of CO2 a car would have emitted over `km`.
pub fn co2_saved_g(km: i64, g_per_km: i64) -> i64 {
    km.saturating_mul(g_per_km)
}

pub use crate::percent;

crate::status_enum! {
    /// Where a bike reservation stands.
    pub enum ReservationStatus {
        Reserved = "reserved",
        PickedUp = "picked_up",
        Returned = "returned",
        Cancelled = "cancelled",
        /// Not picked up in time: the bike went back to the pool.
        Released = "released",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const H: i64 = 3_600_000;

    #[test]
    fn windows() {
        let now = 1_000 * H;
        assert!(check_window(now + H, now + 2 * H, now, 600).is_ok());
        let e = check_window(now - H, now, now, 600).unwrap_err();
        assert_eq!(e.0[0].code, "bike-in-past");
        let e = check_window(now + H, now + H, now, 600).unwrap_err();
        assert_eq!(e.0[0].code, "bike-end-before-start");
        let e = check_window(now, now + 11 * H, now, 600).unwrap_err();
        assert_eq!(e.0[0].code, "bike-too-long");
        assert_eq!(e.0[0].value.as_deref(), Some("10"));
    }

    #[test]
    fn pickup_grace() {
        assert!(!pickup_expired(0, PICKUP_GRACE_MS - 1));
        assert!(pickup_expired(0, PICKUP_GRACE_MS));
    }

    #[test]
    fn km_and_co2() {
        assert_eq!(parse_km(" 12 "), Ok(12));
        assert_eq!(parse_km("-1").unwrap_err().code, "bike-km-range");
        assert_eq!(parse_km("abc").unwrap_err().code, "bike-km-invalid");
        assert_eq!(co2_saved_g(10, 120), 1200);
        assert_eq!(percent(2, 5), 40);
        assert_eq!(percent(1, 0), 0);
        assert_eq!(BikeType::parse("ebike"), Ok(BikeType::Ebike));
        assert!(BikeType::parse("car").is_err());
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric(a0 in 0i64..1000, la in 1i64..100, b0 in 0i64..1000, lb in 1i64..100) {
            prop_assert_eq!(overlaps(a0, a0 + la, b0, b0 + lb), overlaps(b0, b0 + lb, a0, a0 + la));
            // Back-to-back windows do not overlap.
            prop_assert!(!overlaps(a0, a0 + la, a0 + la, a0 + la + lb));
            // A window overlaps itself.
            prop_assert!(overlaps(a0, a0 + la, a0, a0 + la));
        }

        #[test]
        fn percent_is_bounded(p in 0i64..1000, w in 1i64..1000) {
            let v = percent(p.min(w), w);
            prop_assert!((0..=100).contains(&v));
        }
    }
}
