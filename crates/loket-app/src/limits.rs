//! Rate limits, checked by the use cases: the figures are
//! `loket_domain::limits`, the counters `loket_store::limits` (in the
//! database, so they hold across instances).
//!
//! In front of the database stands an in-memory limiter per instance
//! ([`Front`], `governor`'s GCRA with the same figures: `max` at once, then
//! one per `window / max`). A flood from one address is refused there,
//! without a write: only the hits the front lets through are counted in
//! the database, which stays the rule across instances. The front never
//! lets through what the database would refuse, and it refuses only what
//! passed `max` within one window length on this instance.

use crate::{App, Refusal};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use loket_domain::limits::Limit;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Counts a hit of `key`; refuses with [`Refusal::TooMany`] (and when to
/// retry) once the window's limit is passed.
pub async fn check(app: &App, limit: &Limit, key: &str) -> Result<(), Refusal> {
    let refused = match app.front.check(limit, key) {
        Err(wait_s) => Some(wait_s),
        Ok(()) => {
            let hits =
                loket_store::limits::hit(&app.store, limit, key, loket_store::now_ms()).await?;
            (!limit.allows(hits)).then(|| limit.retry_after_s(loket_store::now_ms()))
        }
    };
    match refused {
        None => Ok(()),
        Some(retry_after_s) => {
            metrics::counter!("loket_rate_limited_total", "scope" => limit.scope).increment(1);
            Err(Refusal::TooMany { retry_after_s })
        }
    }
}

/// Counts a hit of `key`; false once the window's limit is passed. For
/// limits that must not show (the answer stays the same, only no mail
/// leaves).
pub async fn allow(app: &App, limit: &Limit, key: &str) -> Result<bool, Refusal> {
    if app.front.check(limit, key).is_err() {
        return Ok(false);
    }
    let hits = loket_store::limits::hit(&app.store, limit, key, loket_store::now_ms()).await?;
    Ok(limit.allows(hits))
}

/// Whether the in-memory limiter of this instance lets a hit of `key`
/// through, without counting it in the database: for limits that only
/// spare the database writes (e.g. recording search text), where what one
/// instance lets through is good enough.
pub fn front_allows(app: &App, limit: &Limit, key: &str) -> bool {
    let ok = app.front.check(limit, key).is_ok();
    if !ok {
        metrics::counter!("loket_rate_limited_total", "scope" => limit.scope).increment(1);
    }
    ok
}

/// The in-memory limiters of one instance, one per limit of
/// `loket_domain::limits::ALL`.
pub struct Front {
    limiters: Vec<(&'static str, DefaultKeyedRateLimiter<String>)>,
    clock: DefaultClock,
    checks: AtomicU64,
}

/// Every so many checks, keys whose state is back to fresh are dropped, so
/// a flood of distinct keys does not keep memory.
const SWEEP_EVERY: u64 = 4096;

impl Default for Front {
    fn default() -> Self {
        Self::new(&loket_domain::limits::ALL)
    }
}

impl Front {
    pub fn new(limits: &[Limit]) -> Self {
        let limiters = limits
            .iter()
            .filter_map(|l| {
                let max = NonZeroU32::new(u32::try_from(l.max).ok()?)?;
                let window = Duration::from_secs(u64::try_from(l.window_s).ok()?);
                let quota = Quota::with_period(window / max.get())?.allow_burst(max);
                Some((l.scope, DefaultKeyedRateLimiter::keyed(quota)))
            })
            .collect();
        Front {
            limiters,
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// Takes one hit of `key` under `limit`; `Err(seconds to wait)` when
    /// this instance has seen too many. A limit it does not know passes.
    pub fn check(&self, limit: &Limit, key: &str) -> Result<(), i64> {
        let Some((_, l)) = self.limiters.iter().find(|(s, _)| *s == limit.scope) else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            for (_, l) in &self.limiters {
                l.retain_recent();
                l.shrink_to_fit();
            }
        }
        l.check_key(&key.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            i64::try_from(wait.as_secs())
                .unwrap_or(i64::MAX)
                .saturating_add(1)
        })
    }

    /// Keys held now, over every limit (for tests).
    pub fn keys(&self) -> usize {
        self.limiters.iter().map(|(_, l)| l.len()).sum()
    }
}

/// The key of an e-mail address: trimmed and lower-cased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod front_tests {
    use super::*;

    const TEN_A_MINUTE: Limit = Limit {
        scope: "test",
        max: 10,
        window_s: 60,
    };

    #[test]
    fn the_front_refuses_past_the_limit_per_key() {
        let f = Front::new(&[TEN_A_MINUTE]);
        for _ in 0..10 {
            assert_eq!(f.check(&TEN_A_MINUTE, "a"), Ok(()));
        }
        let wait = f.check(&TEN_A_MINUTE, "a").unwrap_err();
        assert!((1..=7).contains(&wait), "one comes back every 6 s: {wait}");
        assert_eq!(f.check(&TEN_A_MINUTE, "b"), Ok(()), "another key");
        let other = Limit {
            scope: "unknown",
            ..TEN_A_MINUTE
        };
        assert_eq!(f.check(&other, "a"), Ok(()), "an unknown limit passes");
    }

    #[test]
    fn a_flood_of_keys_does_not_stay_in_memory() {
        let short = Limit {
            scope: "short",
            max: 1_000_000,
            window_s: 1,
        };
        let f = Front::new(&[short]);
        for i in 0..(2 * SWEEP_EVERY) {
            let _ = f.check(&short, &i.to_string());
        }
        // A key is fresh again a microsecond after its one hit: the sweeps
        // dropped all but the last few thousand.
        assert!(f.keys() <= SWEEP_EVERY as usize + 1, "{}", f.keys());
    }
}
