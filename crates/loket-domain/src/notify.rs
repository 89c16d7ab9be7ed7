//! The outbox's rules: what a message is, and when a failed one is retried.

use crate::ident::Email;

/// An e-mail to send: plain text, in the recipient's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: Email,
    pub subject: String,
    pub body: String,
}

/// A file attached to a message (e.g. an iCalendar invitation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attachment {
    pub name: String,
    /// The MIME type with its parameters, e.g. `text/calendar; method=REQUEST`.
    pub content_type: String,
    pub body: String,
}

crate::status_enum! {
    /// Where a message of the outbox stands.
    pub enum OutboxStatus {
        /// Not sent yet (new, or waiting for a retry).
        Pending = "pending",
        Sent = "sent",
        /// Given up after [`MAX_ATTEMPTS`] (kept for an operator to look at).
        Failed = "failed",
    }
}

/// Delivery attempts before a message is parked as failed for an operator to
/// look at (it is never deleted).
pub const MAX_ATTEMPTS: u32 = 12;

/// The delay before the next attempt after `attempts` failures: exponential
/// back-off from 30 s, doubling, capped at 6 hours.
pub fn retry_delay_seconds(attempts: u32) -> i64 {
    let exp = attempts.saturating_sub(1).min(20);
    (30_i64 << exp).min(6 * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn backoff_figures() {
        assert_eq!(retry_delay_seconds(1), 30);
        assert_eq!(retry_delay_seconds(2), 60);
        assert_eq!(retry_delay_seconds(5), 480);
        assert_eq!(retry_delay_seconds(30), 6 * 3600);
    }

    proptest! {
        #[test]
        fn backoff_is_monotone_and_capped(a in 0u32..1000) {
            prop_assert!(retry_delay_seconds(a) <= retry_delay_seconds(a + 1));
            prop_assert!(retry_delay_seconds(a) <= 6 * 3600);
            prop_assert!(retry_delay_seconds(a) >= 30);
        }
    }
}
