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

/// A link in the text of a sent message, as the sent-mail pages judge it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailLink {
    /// A single-use e-mail link (`/confirm/…`, `/password/reset/…`: the
    /// sign-in, reset and welcome links); the secret, to look up.
    EmailToken(String),
    /// A link that carries a signed token or code (`?t=`, `?token=`,
    /// `?code=`, `?sig=`); its expiry (unix ms) when the token states one.
    Signed { expires_ms: Option<i64> },
    /// A link without a secret.
    Plain,
}

/// The links of a text: (byte range, kind), in order.
pub fn mail_links(text: &str) -> Vec<(std::ops::Range<usize>, MailLink)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = text[from..].find("http") {
        let start = from + rel;
        let rest = &text[start..];
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            from = start + 4;
            continue;
        }
        let mut end = start
            + rest
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | ')' | ']')
                })
                .unwrap_or(rest.len());
        while end > start && text[..end].ends_with(['.', ',', ';', ':', '!', '?']) {
            end -= 1;
        }
        let url = &text[start..end];
        out.push((start..end, classify_link(url)));
        from = end.max(start + 1);
    }
    out
}

fn classify_link(url: &str) -> MailLink {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    for prefix in ["/confirm/", "/password/reset/"] {
        if let Some(i) = path.find(prefix) {
            let secret = &path[i + prefix.len()..];
            if !secret.is_empty() {
                return MailLink::EmailToken(secret.trim_end_matches('/').to_owned());
            }
        }
    }
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if matches!(k, "t" | "token" | "code" | "sig") && !v.is_empty() {
            let expires_ms = v
                .split('.')
                .find(|p| p.len() >= 12 && p.chars().all(|c| c.is_ascii_digit()))
                .and_then(|p| p.parse::<i64>().ok());
            return MailLink::Signed { expires_ms };
        }
    }
    MailLink::Plain
}

/// The text with each link replaced by what `judge` returns for it
/// (`None` keeps the link).
pub fn replace_links(text: &str, mut judge: impl FnMut(&MailLink) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, link) in mail_links(text) {
        if let Some(replacement) = judge(&link) {
            out.push_str(&text[last..range.start]);
            out.push_str(&replacement);
            last = range.end;
        }
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn mail_links_are_found_and_judged() {
        let text = "Kies een wachtwoord: https://loket.example/password/reset/abc123.\n\
                    Beheer: https://loket.example/appointments/x?t=1893456000000.deadbeef\n\
                    Info: https://loket.example/services (geen geheim)";
        let links = mail_links(text);
        assert_eq!(links.len(), 3);
        assert_eq!(links[0].1, MailLink::EmailToken("abc123".to_owned()));
        assert_eq!(
            links[1].1,
            MailLink::Signed {
                expires_ms: Some(1_893_456_000_000)
            }
        );
        assert_eq!(links[2].1, MailLink::Plain);
        assert_eq!(
            &text[links[0].0.clone()],
            "https://loket.example/password/reset/abc123"
        );
        let masked = replace_links(text, |l| match l {
            MailLink::Plain => None,
            _ => Some("[hidden]".to_owned()),
        });
        assert!(!masked.contains("abc123"), "{masked}");
        assert!(!masked.contains("deadbeef"), "{masked}");
        assert!(masked.contains("wachtwoord: [hidden]."), "{masked}");
        assert!(
            masked.contains("https://loket.example/services"),
            "{masked}"
        );
    }

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
