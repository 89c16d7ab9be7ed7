//! What the privacy page tells residents about how long Loket keeps their
//! data. The one table of periods: the page renders it, and the retention
//! schedule (issue 16, item 3) is to replace it by generating it.

/// How long one kind of data is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Removed this many hours after the last use, and at most `max_hours`
    /// after it was made (sessions).
    IdleHours { idle: u64, max_hours: u64 },
    /// Removed this many hours after it was made or expired.
    Hours(u64),
    /// Removed when it expires (within the purge worker's 10 minutes).
    AtExpiry,
    /// Removed this many days after it expired.
    DaysAfterExpiry(u64),
    /// No end date yet: kept until the retention schedule is built.
    NoEndDate,
}

/// One row of the table: the kind (a Fluent id `privacy-kind-<kind>`) and
/// its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub kind: &'static str,
    pub period: Period,
}

/// The periods Loket applies today (`loket_store::people::purge_expired`,
/// run by the purge worker every 10 minutes, and the session settings).
pub fn retention_today(session_hours: u64, session_max_hours: u64) -> Vec<Retention> {
    use Period::*;
    let r = |kind, period| Retention { kind, period };
    vec![
        r(
            "sessions",
            IdleHours {
                idle: session_hours.max(1),
                max_hours: session_max_hours.max(1),
            },
        ),
        r("login-failures", Hours(24)),
        r("email-links", DaysAfterExpiry(7)),
        r("reserve-offers", AtExpiry),
        r("rate-limits", AtExpiry),
        r("accounts", NoEndDate),
        r("cases", NoEndDate),
        r("appointments", NoEndDate),
        r("contact-moments", NoEndDate),
        r("vaccination", NoEndDate),
        r("mail", NoEndDate),
        r("audit", NoEndDate),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_once_and_sessions_follow_the_configuration() {
        let t = retention_today(8, 12);
        let mut kinds: Vec<_> = t.iter().map(|r| r.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), t.len());
        assert_eq!(
            t[0].period,
            Period::IdleHours {
                idle: 8,
                max_hours: 12
            }
        );
    }
}
