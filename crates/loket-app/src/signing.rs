//! Signed links and signatures: HMAC-SHA256, written once.
//!
//! A signed link lets its holder act without signing in (manage an
//! appointment, read a calendar feed). Its token is the HMAC of a
//! *purpose* (a domain separator such as `loket-appointment`) and the
//! parts it vouches for (an id, an action, a version), so a token made for
//! one purpose never passes for another. A token may carry an expiry, which
//! is signed with the rest. Tokens are checked in constant time.
//!
//! The webhook signature (`t=…,v1=…`) is the same primitive over the
//! receiver's documented message, `"<t>.<body>"`.

use hmac::{Hmac, KeyInit, Mac};

type HmacSha256 = Hmac<sha2_011::Sha256>;

/// A MAC over `purpose` and `parts`, each followed by a NUL byte except the
/// last (`purpose\0part1\0part2`), so no two part lists sign the same bytes
/// unless they are equal.
fn mac(key: &str, purpose: &str, parts: &[&str]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(key.as_bytes()).ok()?;
    mac.update(purpose.as_bytes());
    for p in parts {
        mac.update(b"\0");
        mac.update(p.as_bytes());
    }
    Some(mac)
}

/// The token for `parts` under `purpose`: 64 hex digits.
pub fn sign(key: &str, purpose: &str, parts: &[&str]) -> String {
    mac(key, purpose, parts)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Whether `token` is [`sign`]'s answer for `parts` under `purpose`,
/// compared in constant time.
pub fn verify(key: &str, purpose: &str, parts: &[&str], token: &str) -> bool {
    let Ok(bytes) = hex::decode(token.trim()) else {
        return false;
    };
    mac(key, purpose, parts).is_some_and(|m| m.verify_slice(&bytes).is_ok())
}

/// Whether `token` is the leading hex digits of [`sign`]'s answer (a
/// truncated MAC, as in a mail subject), compared in constant time.
pub fn verify_prefix(key: &str, purpose: &str, parts: &[&str], token: &str) -> bool {
    let Ok(bytes) = hex::decode(token.trim()) else {
        return false;
    };
    !bytes.is_empty()
        && mac(key, purpose, parts).is_some_and(|m| m.verify_truncated_left(&bytes).is_ok())
}

/// A token that stops working at `expires_ms` (unix milliseconds):
/// `<expires_ms>.<hex>`, where the expiry is signed with the parts.
pub fn sign_until(key: &str, purpose: &str, parts: &[&str], expires_ms: i64) -> String {
    let exp = expires_ms.to_string();
    let mut all: Vec<&str> = parts.to_vec();
    all.push(&exp);
    format!("{exp}.{}", sign(key, purpose, &all))
}

/// Whether a [`sign_until`] token is genuine and not expired at `now_ms`.
pub fn verify_until(key: &str, purpose: &str, parts: &[&str], token: &str, now_ms: i64) -> bool {
    let Some((exp, sig)) = token.trim().split_once('.') else {
        return false;
    };
    let Ok(expires_ms) = exp.parse::<i64>() else {
        return false;
    };
    if now_ms >= expires_ms {
        return false;
    }
    let mut all: Vec<&str> = parts.to_vec();
    all.push(exp);
    verify(key, purpose, &all, sig)
}

/// HMAC-SHA256 of `message` under `key`, hex (the webhook signature's
/// primitive).
pub fn hmac_hex(key: &str, message: &[u8]) -> String {
    let Ok(mut mac) = HmacSha256::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_signs_its_purpose_and_parts_only() {
        let t = sign("key", "loket-appointment", &["id-1", "manage"]);
        assert_eq!(t.len(), 64);
        assert!(verify("key", "loket-appointment", &["id-1", "manage"], &t));
        assert!(!verify("key", "loket-appointment", &["id-2", "manage"], &t));
        assert!(!verify("key", "loket-appointment", &["id-1", "cancel"], &t));
        assert!(!verify("key", "loket-shift-feed", &["id-1", "manage"], &t));
        assert!(!verify(
            "other",
            "loket-appointment",
            &["id-1", "manage"],
            &t
        ));
        assert!(!verify(
            "key",
            "loket-appointment",
            &["id-1", "manage"],
            "zz"
        ));
        assert!(!verify("key", "loket-appointment", &["id-1", "manage"], ""));
        // The separator keeps ("a", "b\0c") apart from ("a\0b", "c").
        assert_ne!(sign("k", "p", &["ab", "c"]), sign("k", "p", &["a", "bc"]));
    }

    #[test]
    fn tokens_of_links_already_sent_stay_valid() {
        // The appointment link's token as the mails sent before this module
        // carried it: HMAC over "loket-appointment\0<id>\0<action>".
        let mut m = HmacSha256::new_from_slice(b"key").expect("key");
        m.update(b"loket-appointment\0id-1\0manage");
        let old = hex::encode(m.finalize().into_bytes());
        assert!(verify(
            "key",
            "loket-appointment",
            &["id-1", "manage"],
            &old
        ));
    }

    #[test]
    fn an_expiring_token_ends() {
        let t = sign_until("key", "p", &["id"], 2_000);
        assert!(verify_until("key", "p", &["id"], &t, 1_999));
        assert!(!verify_until("key", "p", &["id"], &t, 2_000));
        // The expiry is signed: moving it breaks the token.
        let forged = t.replacen("2000", "9000", 1);
        assert!(!verify_until("key", "p", &["id"], &forged, 1_999));
        assert!(!verify_until("key", "p", &["other"], &t, 1_999));
        assert!(!verify_until("key", "p", &["id"], "nonsense", 0));
    }

    #[test]
    fn webhook_primitive() {
        // RFC 4231 test case 2.
        assert_eq!(
            hmac_hex("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
