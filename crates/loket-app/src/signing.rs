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
//!
//! ## Keys
//! Links are signed with a [`KeyRing`]: named keys, the first of which
//! signs. They live in a key file in the data directory
//! (`<data_dir>/keys.json`, mode 0600, made on first start) or in the
//! configuration (`signing_keys`); never in a database row. A link's token
//! names its key: `<key id>.<expiry>.<MAC>`. `loket keys rotate` puts a new
//! key first and keeps the old ones valid for a grace period, so links
//! already sent keep working until then; every instance that reads the same
//! file picks the change up within seconds.

use hmac::{Hmac, KeyInit, Mac};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

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

/// One signing key: its id (in every token it signs), its secret, and when
/// it stops being accepted (none: while it is in the ring).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct SigningKey {
    pub id: String,
    secret: String,
    pub created_ms: i64,
    #[serde(default)]
    pub retires_ms: Option<i64>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .field("created_ms", &self.created_ms)
            .field("retires_ms", &self.retires_ms)
            .finish_non_exhaustive()
    }
}

/// The ids of the keys that signed links before keys had ids, moved from
/// the database into the key file on upgrade: `appt_settings.link_key`
/// (appointment, kiosk, vaccination and contact-reply links) and
/// `shift_settings.feed_key` (shift calendar feeds). They only check, and
/// only tokens without a key id, until they retire.
pub const LEGACY_KEY_ID: &str = "legacy";
pub const LEGACY_FEED_KEY_ID: &str = "legacy-feed";

fn is_legacy(id: &str) -> bool {
    id == LEGACY_KEY_ID || id == LEGACY_FEED_KEY_ID
}

impl SigningKey {
    /// A new random key (256 bits) with a random 8-hex-digit id.
    pub fn generate(now_ms: i64) -> Self {
        let id = loket_store::new_secret()[..8].to_owned();
        Self {
            id,
            secret: loket_store::new_secret(),
            created_ms: now_ms,
            retires_ms: None,
        }
    }

    /// A key from the configuration's `id:secret`.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let (id, secret) = text
            .split_once(':')
            .ok_or_else(|| KeyError::Invalid("a signing key is written `id:secret`".into()))?;
        let key = Self {
            id: id.trim().to_owned(),
            secret: secret.trim().to_owned(),
            created_ms: 0,
            retires_ms: None,
        };
        key.check()?;
        Ok(key)
    }

    fn check(&self) -> Result<(), KeyError> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 32
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !id_ok {
            return Err(KeyError::Invalid(format!(
                "key id `{}`: use 1 to 32 letters, digits, `-` or `_`",
                self.id
            )));
        }
        if self.secret.len() < 32 {
            return Err(KeyError::Invalid(format!(
                "key `{}`: the secret must be at least 32 characters",
                self.id
            )));
        }
        Ok(())
    }

    fn valid_at(&self, now_ms: i64) -> bool {
        self.retires_ms.is_none_or(|r| now_ms < r)
    }
}

/// Why keys could not be loaded or changed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("signing keys: {0}")]
    Invalid(String),
    #[error("key file {path}: {error}")]
    File { path: String, error: String },
}

/// The keys that sign and check links: the first signs, all that have not
/// retired check.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct KeyRing {
    keys: Vec<SigningKey>,
}

impl KeyRing {
    pub fn new(keys: Vec<SigningKey>) -> Result<Self, KeyError> {
        if keys.is_empty() {
            return Err(KeyError::Invalid("no key".into()));
        }
        for (i, k) in keys.iter().enumerate() {
            k.check()?;
            if keys[..i].iter().any(|o| o.id == k.id) {
                return Err(KeyError::Invalid(format!("key id `{}` twice", k.id)));
            }
        }
        if keys[0].retires_ms.is_some() {
            return Err(KeyError::Invalid(format!(
                "the signing key `{}` has retired",
                keys[0].id
            )));
        }
        Ok(Self { keys })
    }

    /// A ring with one new key.
    pub fn generate(now_ms: i64) -> Self {
        Self {
            keys: vec![SigningKey::generate(now_ms)],
        }
    }

    pub fn keys(&self) -> &[SigningKey] {
        &self.keys
    }

    /// The key that signs.
    pub fn current(&self) -> &SigningKey {
        &self.keys[0]
    }

    /// A new key first; the previous ones retire `grace_ms` from now (or
    /// earlier, if they already were to); keys already retired are dropped.
    pub fn rotated(&self, now_ms: i64, grace_ms: i64) -> Self {
        let mut next = SigningKey::generate(now_ms);
        while self.keys.iter().any(|k| k.id == next.id) {
            next = SigningKey::generate(now_ms);
        }
        let mut keys = vec![next];
        for k in &self.keys {
            if !k.valid_at(now_ms) {
                continue;
            }
            let until = now_ms.saturating_add(grace_ms.max(0));
            keys.push(SigningKey {
                retires_ms: Some(k.retires_ms.map_or(until, |r| r.min(until))),
                ..k.clone()
            });
        }
        Self { keys }
    }

    /// Adds an old database key as `id` (one of the legacy ids), retiring
    /// at `retires_ms` (no change if the ring has that id).
    pub fn with_legacy(mut self, id: &str, secret: &str, now_ms: i64, retires_ms: i64) -> Self {
        if !secret.is_empty() && !self.keys.iter().any(|k| k.id == id) {
            self.keys.push(SigningKey {
                id: id.to_owned(),
                secret: secret.to_owned(),
                created_ms: now_ms,
                retires_ms: Some(retires_ms),
            });
        }
        self
    }

    fn valid(&self, now_ms: i64) -> impl Iterator<Item = &SigningKey> {
        self.keys.iter().filter(move |k| k.valid_at(now_ms))
    }

    /// The token of a link for `parts` under `purpose`, valid until
    /// `expires_ms`: `<key id>.<expires_ms>.<MAC>`, where the MAC covers the
    /// purpose, the parts, the key id and the expiry.
    pub fn sign(&self, purpose: &str, parts: &[&str], expires_ms: i64) -> String {
        let key = self.current();
        let exp = expires_ms.to_string();
        let mut all: Vec<&str> = parts.to_vec();
        all.push(&key.id);
        all.push(&exp);
        format!("{}.{exp}.{}", key.id, sign(&key.secret, purpose, &all))
    }

    /// Whether `token` is [`KeyRing::sign`]'s answer for `parts` under
    /// `purpose`, by a key that has not retired, and not expired at
    /// `now_ms`. A token from before keys had ids (64 hex digits, no
    /// expiry) passes only under the legacy key, until it retires.
    pub fn verify(&self, purpose: &str, parts: &[&str], token: &str, now_ms: i64) -> bool {
        let token = token.trim();
        let mut it = token.splitn(3, '.');
        match (it.next(), it.next(), it.next()) {
            (Some(kid), Some(exp), Some(mac)) => {
                let Ok(expires_ms) = exp.parse::<i64>() else {
                    return false;
                };
                if now_ms >= expires_ms {
                    return false;
                }
                let Some(key) = self.valid(now_ms).find(|k| k.id == kid) else {
                    return false;
                };
                let mut all: Vec<&str> = parts.to_vec();
                all.push(kid);
                all.push(exp);
                verify(&key.secret, purpose, &all, mac)
            }
            (Some(old), None, None) => self
                .valid(now_ms)
                .filter(|k| is_legacy(&k.id))
                .any(|k| verify(&k.secret, purpose, parts, old)),
            _ => false,
        }
    }

    /// `text` with its token appended (`<text>.<key id>.<expiry>.<MAC>`),
    /// for values a client hands back: cookies, tickets, feed names. The
    /// MAC covers `text` and `action` under `purpose`.
    pub fn seal(&self, purpose: &str, action: &str, text: &str, expires_ms: i64) -> String {
        format!("{text}.{}", self.sign(purpose, &[text, action], expires_ms))
    }

    /// The text of a [`KeyRing::seal`]ed value whose token holds at
    /// `now_ms`; also a value sealed before keys had ids (`<text>.<MAC>`)
    /// while the legacy key is valid.
    pub fn open<'a>(
        &self,
        purpose: &str,
        action: &str,
        sealed: &'a str,
        now_ms: i64,
    ) -> Option<&'a str> {
        let sealed = sealed.trim();
        let mut it = sealed.rsplitn(4, '.');
        if let (Some(_mac), Some(_exp), Some(_kid), Some(text)) =
            (it.next(), it.next(), it.next(), it.next())
        {
            let token = &sealed[text.len() + 1..];
            if self.verify(purpose, &[text, action], token, now_ms) {
                return Some(text);
            }
        }
        let (text, old) = sealed.rsplit_once('.')?;
        (!old.is_empty()
            && !old.contains('.')
            && self.verify(purpose, &[text, action], old, now_ms))
        .then_some(text)
    }

    /// A short tag for a mail subject (16 hex digits, no key id): the
    /// current key's truncated MAC.
    pub fn tag(&self, purpose: &str, parts: &[&str]) -> String {
        let mut t = sign(&self.current().secret, purpose, parts);
        t.truncate(16);
        t
    }

    /// Whether `tag` is [`KeyRing::tag`]'s answer under any key that has
    /// not retired.
    pub fn tag_ok(&self, purpose: &str, parts: &[&str], tag: &str, now_ms: i64) -> bool {
        tag.len() == 16
            && self
                .valid(now_ms)
                .any(|k| verify_prefix(&k.secret, purpose, parts, tag))
    }
}

/// Where the keys come from, and the ring last read: shared by every use
/// case of an instance. The key file is read again when it changes (checked
/// at most every two seconds), so `loket keys rotate` reaches a running
/// instance without a restart.
pub struct Keys {
    file: PathBuf,
    configured: Result<Vec<SigningKey>, String>,
    state: RwLock<Option<(Arc<KeyRing>, Option<SystemTime>)>>,
    checked: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl Keys {
    /// Keys from `configured` (`id:secret`, the first signs) when given,
    /// else from the key file at `file`. Invalid configured keys make every
    /// [`Keys::ring`] fail (start-up asks for the ring first, so Loket does
    /// not start with them).
    pub fn new(file: PathBuf, configured: &[String]) -> Self {
        let configured = configured
            .iter()
            .map(|k| SigningKey::parse(k))
            .collect::<Result<Vec<_>, _>>()
            .and_then(|keys| {
                if !keys.is_empty() {
                    KeyRing::new(keys.clone())?;
                }
                Ok(keys)
            })
            .map_err(|e| e.to_string());
        Self {
            file,
            configured,
            state: RwLock::new(None),
            checked: Mutex::new(None),
        }
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    pub fn from_configuration(&self) -> bool {
        self.configured.as_ref().is_ok_and(|c| !c.is_empty())
    }

    /// The ring now. It reads (or first makes) the key file when needed;
    /// if the file cannot be read it keeps the ring it had, and logs why.
    pub fn ring(&self) -> Result<Arc<KeyRing>, KeyError> {
        let due = {
            let mut checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
            let due = checked.is_none_or(|t| t.elapsed() >= Duration::from_secs(2));
            if due {
                *checked = Some(Instant::now());
            }
            due
        };
        let known = self.state.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some((ring, seen)) = &known {
            if !due {
                return Ok(ring.clone());
            }
            let now_seen = std::fs::metadata(&self.file)
                .and_then(|m| m.modified())
                .ok();
            if now_seen == *seen {
                return Ok(ring.clone());
            }
        }
        match self.load() {
            Ok(loaded) => {
                let ring = loaded.0.clone();
                *self.state.write().unwrap_or_else(|e| e.into_inner()) = Some(loaded);
                Ok(ring)
            }
            Err(e) => match known {
                Some((ring, _)) => {
                    tracing::error!(error = %e, "signing keys not reloaded; the previous keys stay in use");
                    Ok(ring)
                }
                None => Err(e),
            },
        }
    }

    /// Reads the ring: the configured keys plus the file's legacy key, or
    /// the file (made if there is none).
    fn load(&self) -> Result<(Arc<KeyRing>, Option<SystemTime>), KeyError> {
        let configured = self.configured.clone().map_err(KeyError::Invalid)?;
        let file = if configured.is_empty() {
            Some(ensure_key_file(&self.file)?)
        } else {
            read_key_file(&self.file)?
        };
        let seen = std::fs::metadata(&self.file)
            .and_then(|m| m.modified())
            .ok();
        let ring = if configured.is_empty() {
            file.ok_or_else(|| KeyError::Invalid("no key file".into()))?
        } else {
            let mut keys = configured;
            for legacy in file.iter().flat_map(|f| f.keys.iter()) {
                if is_legacy(&legacy.id) && !keys.iter().any(|k| k.id == legacy.id) {
                    keys.push(legacy.clone());
                }
            }
            KeyRing::new(keys)?
        };
        Ok((Arc::new(ring), seen))
    }
}

fn file_error(path: &Path, error: impl std::fmt::Display) -> KeyError {
    KeyError::File {
        path: path.display().to_string(),
        error: error.to_string(),
    }
}

/// The key file's ring, or none when there is no file.
pub fn read_key_file(path: &Path) -> Result<Option<KeyRing>, KeyError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(file_error(path, e)),
    };
    let ring: KeyRing = serde_json::from_str(&text).map_err(|e| file_error(path, e))?;
    KeyRing::new(ring.keys).map(Some)
}

/// The key file's ring, making the file with one new key when there is
/// none. Two instances starting at once agree: the file is made under a
/// temporary name and linked into place only if still absent.
pub fn ensure_key_file(path: &Path) -> Result<KeyRing, KeyError> {
    if let Some(ring) = read_key_file(path)? {
        return Ok(ring);
    }
    let ring = KeyRing::generate(loket_store::now_ms());
    match write_key_file(path, &ring, false) {
        Ok(()) => Ok(ring),
        Err(_) if path.exists() => read_key_file(path)?.ok_or_else(|| file_error(path, "vanished")),
        Err(e) => Err(e),
    }
}

/// Writes the ring to the key file (mode 0600) through a temporary file:
/// replacing an existing file when `replace`, else only if there is none.
pub fn write_key_file(path: &Path, ring: &KeyRing, replace: bool) -> Result<(), KeyError> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| file_error(path, e))?;
    }
    let tmp = path.with_extension(format!("tmp-{}", &loket_store::new_secret()[..8]));
    let text = serde_json::to_string_pretty(ring).map_err(|e| file_error(path, e))?;
    let written = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        if replace {
            std::fs::rename(&tmp, path)
        } else {
            std::fs::hard_link(&tmp, path)
        }
    })();
    let _ = std::fs::remove_file(&tmp);
    written.map_err(|e| file_error(path, e))
}

/// `loket keys rotate`: a new key signs from now on; the others stay valid
/// for `grace_ms`. Refused when the keys come from the configuration.
pub fn rotate_key_file(path: &Path, now_ms: i64, grace_ms: i64) -> Result<KeyRing, KeyError> {
    let ring = ensure_key_file(path)?;
    let next = ring.rotated(now_ms, grace_ms);
    write_key_file(path, &next, true)?;
    Ok(next)
}

/// On upgrade: the link key a database still holds (from before key files)
/// moves into the key file as `legacy`, valid for `grace_ms` more, and is
/// then wiped from the database. Links sent before the upgrade keep working
/// until then. Safe to run at every start.
pub async fn adopt_database_keys(
    store: &loket_store::Store,
    path: &Path,
    grace_ms: i64,
) -> Result<(), crate::Refusal> {
    let link = loket_store::appointments::legacy_link_key(store).await?;
    let feed = loket_store::shifts::legacy_feed_key(store).await?;
    if link.is_none() && feed.is_none() {
        return Ok(());
    }
    let internal = |e: KeyError| crate::Refusal::Internal(e.to_string());
    let now = loket_store::now_ms();
    let before = read_key_file(path).map_err(internal)?;
    let mut ring = before.clone().unwrap_or_else(|| KeyRing::generate(now));
    let until = now.saturating_add(grace_ms);
    if let Some(secret) = &link {
        ring = ring.with_legacy(LEGACY_KEY_ID, secret, now, until);
    }
    if let Some(secret) = &feed {
        ring = ring.with_legacy(LEGACY_FEED_KEY_ID, secret, now, until);
    }
    let grew = before.is_none_or(|b| b.keys().len() != ring.keys().len());
    if grew {
        write_key_file(path, &ring, true).map_err(internal)?;
    }
    if link.is_some() {
        loket_store::appointments::forget_legacy_link_key(store).await?;
    }
    if feed.is_some() {
        loket_store::shifts::forget_legacy_feed_key(store).await?;
    }
    tracing::info!(file = %path.display(), "the database's link keys moved into the key file");
    Ok(())
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

    fn ring() -> KeyRing {
        KeyRing::generate(1_000)
    }

    #[test]
    fn a_ring_token_names_its_key_and_ends() {
        let r = ring();
        let t = r.sign("p", &["id", "manage"], 5_000);
        assert!(t.starts_with(&format!("{}.5000.", r.current().id)));
        assert!(r.verify("p", &["id", "manage"], &t, 4_999));
        assert!(!r.verify("p", &["id", "manage"], &t, 5_000), "expired");
        assert!(!r.verify("q", &["id", "manage"], &t, 10), "other purpose");
        assert!(!r.verify("p", &["id", "cancel"], &t, 10), "other parts");
        let moved = t.replacen(".5000.", ".9000.", 1);
        assert!(
            !r.verify("p", &["id", "manage"], &moved, 10),
            "expiry is signed"
        );
        assert!(
            !ring().verify("p", &["id", "manage"], &t, 10),
            "another ring"
        );
        for bad in ["", ".", "..", "a.b.c", "x.5000.zz", "legacy"] {
            assert!(!r.verify("p", &["id", "manage"], bad, 10), "{bad}");
        }
    }

    #[test]
    fn rotation_keeps_old_links_for_the_grace_period() {
        let old = ring();
        let t = old.sign("p", &["id"], 1_000_000);
        let new = old.rotated(2_000, 10_000);
        assert_ne!(new.current().id, old.current().id);
        assert_eq!(new.keys().len(), 2);
        assert!(new.verify("p", &["id"], &t, 11_999), "within grace");
        assert!(!new.verify("p", &["id"], &t, 12_000), "after grace");
        let t2 = new.sign("p", &["id"], 1_000_000);
        assert!(new.verify("p", &["id"], &t2, 50_000));
        // A second rotation drops keys that retired and never extends one.
        let third = new.rotated(20_000, 100_000);
        assert_eq!(third.keys().len(), 2, "the retired key is gone");
        assert!(third.verify("p", &["id"], &t2, 119_999));
        assert!(!third.verify("p", &["id"], &t, 13_000));
        // Tags: checked under every key that has not retired.
        let tag = old.tag("reply", &["C-1"]);
        assert!(new.tag_ok("reply", &["C-1"], &tag, 11_999));
        assert!(!new.tag_ok("reply", &["C-1"], &tag, 12_000));
        assert!(!new.tag_ok("reply", &["C-2"], &tag, 100));
    }

    #[test]
    fn links_from_before_key_ids_pass_under_the_legacy_key_until_it_retires() {
        let legacy_secret = "0123456789abcdef0123456789abcdef";
        let old = sign(legacy_secret, "loket-appointment", &["id-1", "manage"]);
        let r = ring().with_legacy(LEGACY_KEY_ID, legacy_secret, 1_000, 5_000);
        assert!(r.verify("loket-appointment", &["id-1", "manage"], &old, 4_999));
        assert!(!r.verify("loket-appointment", &["id-1", "manage"], &old, 5_000));
        assert!(!ring().verify("loket-appointment", &["id-1", "manage"], &old, 10));
        // The legacy key never signs.
        assert_ne!(r.current().id, LEGACY_KEY_ID);
    }

    #[test]
    fn a_sealed_value_opens_only_intact() {
        let r = ring();
        let sealed = r.seal("p", "ticket", "camp.12.visitor", 9_000);
        assert_eq!(r.open("p", "ticket", &sealed, 10), Some("camp.12.visitor"));
        assert_eq!(r.open("p", "ticket", &sealed, 9_000), None, "expired");
        assert_eq!(r.open("p", "visitor", &sealed, 10), None, "other action");
        let swapped = sealed.replacen("camp.12", "camp.13", 1);
        assert_eq!(r.open("p", "ticket", &swapped, 10), None);
        for bad in ["", ".", "a", "a.b", "a.b.c.d", "...."] {
            assert_eq!(r.open("p", "ticket", bad, 10), None, "{bad}");
        }
        // From before key ids: `<text>.<MAC>` under the legacy key.
        let secret = "0123456789abcdef0123456789abcdef";
        let legacy = r.clone().with_legacy(LEGACY_KEY_ID, secret, 0, 5_000);
        let old = format!("camp.12.v.{}", sign(secret, "p", &["camp.12.v", "ticket"]));
        assert_eq!(legacy.open("p", "ticket", &old, 10), Some("camp.12.v"));
        assert_eq!(legacy.open("p", "ticket", &old, 5_000), None);
        assert_eq!(r.open("p", "ticket", &old, 10), None);
    }

    #[test]
    fn configured_keys_are_checked() {
        assert!(SigningKey::parse("k1:0123456789abcdef0123456789abcdef").is_ok());
        assert!(SigningKey::parse("k1").is_err());
        assert!(SigningKey::parse("k1:short").is_err());
        assert!(SigningKey::parse("k.1:0123456789abcdef0123456789abcdef").is_err());
        let k = SigningKey::parse("k1:0123456789abcdef0123456789abcdef").expect("key");
        assert!(KeyRing::new(vec![k.clone(), k]).is_err(), "an id twice");
        assert!(!format!("{:?}", ring()).contains(&ring().current().secret));
    }

    #[test]
    fn the_key_file_is_made_once_and_rotated() {
        let dir = std::env::temp_dir().join(format!("loket-keys-{}", loket_store::new_secret()));
        let path = dir.join("keys.json");
        let a = ensure_key_file(&path).expect("made");
        let b = ensure_key_file(&path).expect("read");
        assert_eq!(a.current().id, b.current().id);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let keys = Keys::new(path.clone(), &[]);
        let t = keys.ring().expect("ring").sign("p", &["x"], i64::MAX);
        let rotated = rotate_key_file(&path, loket_store::now_ms(), 60_000).expect("rotate");
        assert_ne!(rotated.current().id, a.current().id);
        assert!(rotated.verify("p", &["x"], &t, loket_store::now_ms()));
        std::fs::write(&path, "not json").expect("write");
        assert!(read_key_file(&path).is_err());
        let _ = std::fs::remove_dir_all(&dir);
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
