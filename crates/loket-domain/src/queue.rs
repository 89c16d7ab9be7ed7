//! The ticket queue at the counters: which waiting visitor a desk calls
//! next, ticket numbers, the wait estimate, the check-in window of an
//! appointment, the counter zone's limit and the queue statistics.
//!
//! Pure rules: the store feeds them rows and applies the outcome in one
//! transaction.

use crate::FieldError;

/// What brought a visitor to the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Checked in for an appointment that starts at `due_ms`.
    Appointment { due_ms: i64 },
    /// Took a ticket without an appointment.
    WalkIn,
}

/// A visitor waiting to be called, as the calling rule sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    pub kind: Kind,
    pub checked_in_ms: i64,
    /// Sent on by another desk (a transfer): goes before other walk-ins.
    pub priority: bool,
}

/// How desks choose the next visitor. Configurable per installation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallRules {
    /// An appointment counts as due this many minutes before its start.
    pub grace_minutes: i64,
    /// After this many appointments called in a row while a walk-in was
    /// waiting, the longest-waiting walk-in goes first.
    pub walk_in_every: u32,
    /// A walk-in who has waited this long goes before due appointments.
    pub walk_in_max_wait_minutes: i64,
}

impl Default for CallRules {
    fn default() -> Self {
        CallRules {
            grace_minutes: 5,
            walk_in_every: 3,
            walk_in_max_wait_minutes: 30,
        }
    }
}

const MINUTE: i64 = 60_000;

/// The index in `waiting` of the visitor to call next, or `None` when
/// nobody waits. `appointments_in_row` counts the appointments this
/// location called since it last called a walk-in.
///
/// Order: appointments that are due (earliest start first); then walk-ins
/// (transfers first, then by check-in time); then appointments that are
/// not due yet (an idle desk takes them early). A walk-in goes before due
/// appointments when `walk_in_every` appointments were called in a row, or
/// when it has waited `walk_in_max_wait_minutes`: walk-ins never starve.
pub fn pick_next(
    waiting: &[Waiting],
    now_ms: i64,
    rules: &CallRules,
    appointments_in_row: u32,
) -> Option<usize> {
    let due_cut = now_ms + rules.grace_minutes * MINUTE;
    let first_due = waiting
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w.kind {
            Kind::Appointment { due_ms } if due_ms <= due_cut => Some((due_ms, w.checked_in_ms, i)),
            _ => None,
        })
        .min()
        .map(|(_, _, i)| i);
    let first_walk_in = waiting
        .iter()
        .enumerate()
        .filter(|(_, w)| w.kind == Kind::WalkIn)
        .min_by_key(|(i, w)| (!w.priority, w.checked_in_ms, *i))
        .map(|(i, _)| i);
    let first_early = waiting
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w.kind {
            Kind::Appointment { due_ms } if due_ms > due_cut => Some((due_ms, w.checked_in_ms, i)),
            _ => None,
        })
        .min()
        .map(|(_, _, i)| i);
    match (first_due, first_walk_in) {
        (Some(a), Some(w)) => {
            let walk_in = &waiting[w];
            let starving = appointments_in_row >= rules.walk_in_every.max(1)
                || now_ms - walk_in.checked_in_ms >= rules.walk_in_max_wait_minutes * MINUTE
                || walk_in.priority;
            Some(if starving { w } else { a })
        }
        (Some(a), None) => Some(a),
        (None, Some(w)) => Some(w),
        (None, None) => first_early,
    }
}

/// A ticket number as the display shows it: the service's letter and a
/// three-digit counter, `B042` (wider past 999: `B1000`).
pub fn ticket_number(prefix: &str, n: i64) -> String {
    format!("{prefix}{n:03}")
}

/// A ticket prefix is one capital letter A–Z.
pub fn check_prefix(s: &str) -> Result<String, FieldError> {
    let t = s.trim().to_ascii_uppercase();
    if t.len() == 1 && t.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(t)
    } else {
        Err(FieldError::new("ticket_prefix", "queue-prefix-invalid"))
    }
}

/// The default prefix of a service: the first letter of its name.
pub fn default_prefix(name: &str) -> String {
    name.chars()
        .find(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_uppercase().to_string())
        .unwrap_or_else(|| "A".to_owned())
}

/// The estimated wait in whole minutes (rounded up) for a visitor with
/// `ahead` people before them, `desks` desks serving them and an average
/// service time of `avg_service_ms`.
pub fn estimate_minutes(ahead: usize, desks: usize, avg_service_ms: i64) -> i64 {
    let desks = desks.max(1) as i64;
    let total = (ahead as i64).saturating_mul(avg_service_ms.max(0));
    let per_desk = total / desks + i64::from(total % desks != 0);
    per_desk / MINUTE + i64::from(per_desk % MINUTE != 0)
}

/// When an appointment may check in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInWindow {
    /// Minutes before the start from which check-in is open.
    pub early_minutes: i64,
    /// Minutes after the start until which check-in is still accepted.
    pub late_minutes: i64,
}

impl Default for CheckInWindow {
    fn default() -> Self {
        CheckInWindow {
            early_minutes: 60,
            late_minutes: 15,
        }
    }
}

/// How the visitor arrives compared to their appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    Early,
    OnTime,
    Late,
}

impl Timing {
    pub fn as_str(self) -> &'static str {
        match self {
            Timing::Early => "early",
            Timing::OnTime => "on-time",
            Timing::Late => "late",
        }
    }
}

/// Whether an appointment starting at `start_ms` may check in at `now_ms`.
/// On time is from five minutes before to five minutes after the start.
pub fn check_in_timing(
    start_ms: i64,
    now_ms: i64,
    w: &CheckInWindow,
) -> Result<Timing, FieldError> {
    let early = start_ms - now_ms;
    if early > w.early_minutes * MINUTE {
        return Err(FieldError::new("code", "queue-too-early"));
    }
    if now_ms - start_ms > w.late_minutes * MINUTE {
        return Err(FieldError::new("code", "queue-too-late"));
    }
    Ok(if early > 5 * MINUTE {
        Timing::Early
    } else if now_ms - start_ms > 5 * MINUTE {
        Timing::Late
    } else {
        Timing::OnTime
    })
}

/// The number of people allowed in the counter zone: 1 to 500.
pub fn check_max_present(s: &str) -> Result<i64, FieldError> {
    match s.trim().parse::<i64>() {
        Ok(n) if (1..=500).contains(&n) => Ok(n),
        _ => Err(FieldError::new("max_present", "queue-max-present-invalid")),
    }
}

/// Whether the door lets one more walk-in in.
pub fn zone_open(present: i64, max_present: i64) -> bool {
    present < max_present
}

/// When a refused walk-in may try again: after about one average service
/// time, rounded up to the next five minutes (unix ms).
pub fn come_back_at(now_ms: i64, avg_service_ms: i64) -> i64 {
    let five = 5 * MINUTE;
    let t = now_ms + avg_service_ms.max(five);
    (t + five - 1) / five * five
}

/// A finished visit, for the statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub service: String,
    pub desk: String,
    /// Local hour of the check-in, 0..=23.
    pub hour: i8,
    /// Check-in to call.
    pub wait_ms: i64,
    /// Call to served; `None` for a no-show.
    pub service_ms: Option<i64>,
}

/// Figures for one group of visits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Figures {
    pub visits: usize,
    pub served: usize,
    pub avg_wait_ms: i64,
    pub p90_wait_ms: i64,
    pub max_wait_ms: i64,
    pub avg_service_ms: i64,
}

fn mean(xs: &[i64]) -> i64 {
    if xs.is_empty() {
        0
    } else {
        xs.iter().sum::<i64>() / xs.len() as i64
    }
}

/// The nearest-rank 90th percentile.
fn p90(sorted: &[i64]) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (sorted.len() * 9).div_ceil(10).max(1);
    sorted[rank - 1]
}

/// The longest period, in days with both ends counted, that the waiting- and
/// service-time statistics cover in one request: a year (a leap year's
/// 366 days). A longer range is refused, naming `to`.
pub const MAX_STATS_DAYS: i64 = 366;

/// Figures of a set of visits.
pub fn figures<'a>(visits: impl IntoIterator<Item = &'a Visit>) -> Figures {
    let mut waits = Vec::new();
    let mut services = Vec::new();
    for v in visits {
        waits.push(v.wait_ms.max(0));
        if let Some(s) = v.service_ms {
            services.push(s.max(0));
        }
    }
    waits.sort_unstable();
    Figures {
        visits: waits.len(),
        served: services.len(),
        avg_wait_ms: mean(&waits),
        p90_wait_ms: p90(&waits),
        max_wait_ms: waits.last().copied().unwrap_or(0),
        avg_service_ms: mean(&services),
    }
}

/// Visits grouped by a key (service, desk or hour), in key order.
pub fn group_by<K: Ord + Clone>(visits: &[Visit], key: impl Fn(&Visit) -> K) -> Vec<(K, Figures)> {
    let mut groups: std::collections::BTreeMap<K, Vec<&Visit>> = Default::default();
    for v in visits {
        groups.entry(key(v)).or_default().push(v);
    }
    groups.into_iter().map(|(k, vs)| (k, figures(vs))).collect()
}

crate::status_enum! {
    /// Where a queue ticket stands.
    pub enum TicketStatus {
        Waiting = "waiting",
        Called = "called",
        Served = "served",
        NoShow = "no_show",
        Transferred = "transferred",
        /// Left while waiting.
        Left = "left",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T0: i64 = 1_700_000_000_000;

    fn appt(due_min: i64, in_min: i64) -> Waiting {
        Waiting {
            kind: Kind::Appointment {
                due_ms: T0 + due_min * MINUTE,
            },
            checked_in_ms: T0 + in_min * MINUTE,
            priority: false,
        }
    }

    fn walk_in(in_min: i64) -> Waiting {
        Waiting {
            kind: Kind::WalkIn,
            checked_in_ms: T0 + in_min * MINUTE,
            priority: false,
        }
    }

    #[test]
    fn due_appointments_go_first_then_walk_ins_then_early_appointments() {
        let r = CallRules::default();
        let w = [walk_in(-10), appt(30, -2), appt(2, -20), walk_in(-12)];
        // The appointment due in 2 minutes (within the grace) goes first.
        assert_eq!(pick_next(&w, T0, &r, 0), Some(2));
        // Without it, the longest-waiting walk-in.
        let w2 = [walk_in(-10), appt(30, -2), walk_in(-12)];
        assert_eq!(pick_next(&w2, T0, &r, 0), Some(2));
        // Only an early appointment: an idle desk takes it.
        assert_eq!(pick_next(&[appt(30, -2)], T0, &r, 0), Some(0));
        assert_eq!(pick_next(&[], T0, &r, 0), None);
    }

    #[test]
    fn walk_ins_do_not_starve() {
        let r = CallRules::default();
        let w = [appt(0, -5), walk_in(-3)];
        assert_eq!(pick_next(&w, T0, &r, 2), Some(0));
        assert_eq!(pick_next(&w, T0, &r, 3), Some(1));
        // A long wait also wins.
        let w = [appt(0, -5), walk_in(-31)];
        assert_eq!(pick_next(&w, T0, &r, 0), Some(1));
        // A transfer goes first.
        let mut t = walk_in(-1);
        t.priority = true;
        assert_eq!(
            pick_next(&[appt(0, -5), walk_in(-20), t], T0, &r, 0),
            Some(2)
        );
    }

    #[test]
    fn numbers_and_prefixes() {
        assert_eq!(ticket_number("B", 42), "B042");
        assert_eq!(ticket_number("B", 1000), "B1000");
        assert_eq!(check_prefix(" b ").ok().as_deref(), Some("B"));
        assert!(check_prefix("BB").is_err());
        assert!(check_prefix("1").is_err());
        assert!(check_prefix("É").is_err());
        assert_eq!(default_prefix("Identiteitskaart"), "I");
        assert_eq!(default_prefix("123"), "A");
    }

    #[test]
    fn estimates_round_up() {
        assert_eq!(estimate_minutes(0, 2, 10 * MINUTE), 0);
        assert_eq!(estimate_minutes(3, 2, 10 * MINUTE), 15);
        assert_eq!(estimate_minutes(1, 1, 90_001), 2);
        assert_eq!(estimate_minutes(5, 0, MINUTE), 5);
    }

    #[test]
    fn check_in_window() {
        let w = CheckInWindow::default();
        let start = T0;
        assert_eq!(
            check_in_timing(start, start - 61 * MINUTE, &w).map_err(|e| e.code),
            Err("queue-too-early")
        );
        assert_eq!(
            check_in_timing(start, start - 60 * MINUTE, &w),
            Ok(Timing::Early)
        );
        assert_eq!(
            check_in_timing(start, start - 5 * MINUTE, &w),
            Ok(Timing::OnTime)
        );
        assert_eq!(
            check_in_timing(start, start + 5 * MINUTE, &w),
            Ok(Timing::OnTime)
        );
        assert_eq!(
            check_in_timing(start, start + 6 * MINUTE, &w),
            Ok(Timing::Late)
        );
        assert_eq!(
            check_in_timing(start, start + 16 * MINUTE, &w).map_err(|e| e.code),
            Err("queue-too-late")
        );
    }

    #[test]
    fn zone_and_come_back() {
        assert!(zone_open(4, 5));
        assert!(!zone_open(5, 5));
        assert_eq!(check_max_present("12"), Ok(12));
        assert!(check_max_present("0").is_err());
        assert!(check_max_present("x").is_err());
        let back = come_back_at(T0 + 1, 7 * MINUTE);
        assert!(back >= T0 + 7 * MINUTE);
        assert_eq!(back % (5 * MINUTE), 0);
    }

    #[test]
    fn statistics() {
        let v = |s: &str, h: i8, w: i64, sv: Option<i64>| Visit {
            service: s.into(),
            desk: "1".into(),
            hour: h,
            wait_ms: w * MINUTE,
            service_ms: sv.map(|x| x * MINUTE),
        };
        let visits = [
            v("id", 9, 10, Some(5)),
            v("id", 9, 20, Some(7)),
            v("id", 10, 30, None),
            v("move", 10, 4, Some(12)),
        ];
        let by = group_by(&visits, |v| v.service.clone());
        assert_eq!(by.len(), 2);
        let (k, f) = &by[0];
        assert_eq!(k, "id");
        assert_eq!(f.visits, 3);
        assert_eq!(f.served, 2);
        assert_eq!(f.avg_wait_ms, 20 * MINUTE);
        assert_eq!(f.p90_wait_ms, 30 * MINUTE);
        assert_eq!(f.max_wait_ms, 30 * MINUTE);
        assert_eq!(f.avg_service_ms, 6 * MINUTE);
        let by_hour = group_by(&visits, |v| v.hour);
        assert_eq!(
            by_hour
                .iter()
                .map(|(h, f)| (*h, f.visits))
                .collect::<Vec<_>>(),
            vec![(9, 2), (10, 2)]
        );
    }

    fn arb_waiting() -> impl Strategy<Value = Waiting> {
        (any::<bool>(), -120i64..120, -120i64..0, any::<bool>()).prop_map(
            |(is_appt, due, at, prio)| Waiting {
                kind: if is_appt {
                    Kind::Appointment {
                        due_ms: T0 + due * MINUTE,
                    }
                } else {
                    Kind::WalkIn
                },
                checked_in_ms: T0 + at * MINUTE,
                priority: prio && !is_appt,
            },
        )
    }

    proptest! {
        /// Someone is called whenever someone waits, and it is one of them.
        #[test]
        fn picks_a_waiting_visitor(w in proptest::collection::vec(arb_waiting(), 0..30), row in 0u32..6) {
            let r = CallRules::default();
            match pick_next(&w, T0, &r, row) {
                None => prop_assert!(w.is_empty()),
                Some(i) => prop_assert!(i < w.len()),
            }
        }

        /// Calling repeatedly while nobody new arrives: a walk-in who waits
        /// is called within `walk_in_every` + 1 calls.
        #[test]
        fn walk_ins_never_starve(w in proptest::collection::vec(arb_waiting(), 1..30)) {
            let r = CallRules { walk_in_max_wait_minutes: 10_000, ..CallRules::default() };
            let mut left = w.clone();
            let mut row = 0u32;
            let mut since_walk_in = 0u32;
            while let Some(i) = pick_next(&left, T0, &r, row) {
                let had_walk_in = left.iter().any(|x| x.kind == Kind::WalkIn);
                let picked = left.remove(i);
                if picked.kind == Kind::WalkIn {
                    row = 0;
                    since_walk_in = 0;
                } else {
                    row += 1;
                    if had_walk_in {
                        since_walk_in += 1;
                    }
                }
                prop_assert!(since_walk_in <= r.walk_in_every);
            }
        }

        /// The estimate grows with the number ahead and shrinks with desks.
        #[test]
        fn estimate_is_monotone(ahead in 0usize..200, desks in 1usize..10, avg in 0i64..3_600_000) {
            let e = estimate_minutes(ahead, desks, avg);
            prop_assert!(e >= 0);
            prop_assert!(estimate_minutes(ahead + 1, desks, avg) >= e);
            prop_assert!(estimate_minutes(ahead, desks + 1, avg) <= e);
        }
    }
}
