//! Rate limits: every figure in one table, and the fixed-window rule that
//! counts them. The counters themselves live in the store
//! (`loket_store::limits`, shared by every instance, because these limits
//! protect mail and the reserve list); the app layer checks them
//! (`loket_app::limits`). `docs/security.md` lists the same figures.

/// One limit: at most `max` hits per `window_s` seconds for one key (an IP
/// address, an e-mail address, a national register number…) in `scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The counter's name, stored with every count.
    pub scope: &'static str,
    pub max: i64,
    pub window_s: i64,
}

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// Mail-sending forms (`/register`, `/password/forgot`, `/confirm/resend`,
/// `/contact/ask`), together, from one IP address.
pub const MAIL_FORMS_PER_IP: Limit = Limit {
    scope: "mail-form-ip",
    max: 10,
    window_s: HOUR,
};
/// Mails those forms send to one address (more posts are answered as
/// usual, but no mail leaves).
pub const MAIL_PER_RECIPIENT: Limit = Limit {
    scope: "mail-recipient",
    max: 3,
    window_s: HOUR,
};
/// Reserve-list sign-ups from one IP address (all campaigns).
pub const RESERVE_PER_IP: Limit = Limit {
    scope: "reserve-ip",
    max: 10,
    window_s: HOUR,
};
/// Reserve-list sign-ups for one national register number in one campaign
/// (more are answered the same, but no mail leaves). Kept above a
/// person's own tries: whoever uses it up delays that person's sign-up by a
/// day at most, and learns nothing.
pub const RESERVE_PER_NUMBER: Limit = Limit {
    scope: "reserve-number",
    max: 5,
    window_s: DAY,
};
/// Automatic replies to incoming mail: one per sender address a day.
pub const AUTO_REPLY_PER_ADDRESS: Limit = Limit {
    scope: "auto-reply",
    max: 1,
    window_s: DAY,
};
/// Sign-in attempts (right or wrong) from one IP address, counted before
/// the password is hashed.
pub const SIGN_IN_PER_IP: Limit = Limit {
    scope: "sign-in-ip",
    max: 60,
    window_s: 15 * MINUTE,
};

/// New waiting-room tickets from one IP address (pages and API together).
pub const WAITING_TICKETS_PER_IP: Limit = Limit {
    scope: "waiting-ticket-ip",
    max: 100,
    window_s: MINUTE,
};

/// A resident's booking actions (book, move, cancel an appointment), pages
/// and API together.
pub const BOOKINGS_PER_RESIDENT: Limit = Limit {
    scope: "bookings-resident",
    max: 10,
    window_s: 10 * MINUTE,
};

/// Public searches (the knowledge base, the home page's search) from one
/// IP address whose text is recorded for the statistics. Searching itself
/// is never refused; past this, a search is answered and not written down,
/// so a flood costs no writes. Counted in memory only (per instance).
pub const SEARCHES_RECORDED_PER_IP: Limit = Limit {
    scope: "search-record-ip",
    max: 30,
    window_s: MINUTE,
};

/// Every limit, for the documentation test.
pub const ALL: [Limit; 9] = [
    SEARCHES_RECORDED_PER_IP,
    BOOKINGS_PER_RESIDENT,
    WAITING_TICKETS_PER_IP,
    MAIL_FORMS_PER_IP,
    MAIL_PER_RECIPIENT,
    RESERVE_PER_IP,
    RESERVE_PER_NUMBER,
    AUTO_REPLY_PER_ADDRESS,
    SIGN_IN_PER_IP,
];

impl Limit {
    pub fn window_ms(&self) -> i64 {
        self.window_s * 1000
    }

    /// The start of the window `now_ms` falls in.
    pub fn window_start(&self, now_ms: i64) -> i64 {
        now_ms - now_ms.rem_euclid(self.window_ms())
    }

    /// Whether the `hits`-th hit of a window (counting this one) is allowed.
    pub fn allows(&self, hits: i64) -> bool {
        hits <= self.max
    }

    /// Seconds until the window of `now_ms` ends (at least 1).
    pub fn retry_after_s(&self, now_ms: i64) -> i64 {
        let end = self.window_start(now_ms) + self.window_ms();
        ((end - now_ms + 999) / 1000).max(1)
    }
}

/// The progressive delay after failed sign-ins for one account from one IP
/// address: none for the first `FREE_FAILURES`, then 2, 4, 8… seconds,
/// doubling per failure up to 15 minutes. It slows a guesser down without
/// locking the owner out: the owner, from another address, is not delayed.
pub const FREE_FAILURES: i64 = 4;
pub const MAX_DELAY_S: i64 = 15 * 60;

/// Seconds to wait after the last of `failures` failures before the next
/// attempt.
pub fn sign_in_delay_s(failures: i64) -> i64 {
    if failures <= FREE_FAILURES {
        return 0;
    }
    let exp = u32::try_from((failures - FREE_FAILURES).min(20)).unwrap_or(20);
    2_i64.pow(exp).min(MAX_DELAY_S)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_windows() {
        let l = Limit {
            scope: "t",
            max: 3,
            window_s: 60,
        };
        assert_eq!(l.window_start(125_000), 120_000);
        assert_eq!(l.window_start(120_000), 120_000);
        assert_eq!(l.retry_after_s(125_000), 55);
        assert_eq!(l.retry_after_s(179_999), 1);
        assert!(l.allows(3));
        assert!(!l.allows(4));
    }

    #[test]
    fn delays_grow_and_stop() {
        assert_eq!(sign_in_delay_s(0), 0);
        assert_eq!(sign_in_delay_s(4), 0);
        assert_eq!(sign_in_delay_s(5), 2);
        assert_eq!(sign_in_delay_s(6), 4);
        assert_eq!(sign_in_delay_s(13), 512);
        assert_eq!(sign_in_delay_s(14), MAX_DELAY_S);
        assert_eq!(sign_in_delay_s(10_000), MAX_DELAY_S);
    }

    #[test]
    fn scopes_are_unique() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(a.scope, b.scope);
            }
        }
    }
}
