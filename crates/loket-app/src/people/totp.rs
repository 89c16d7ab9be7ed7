//! The TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s steps, one step
//! of skew either way) of accounts that sign in with a password and hold a
//! role of `totp_required_roles`. Staff who sign in through the city's
//! directory (OpenID Connect) are not asked: their provider does MFA.
//!
//! - The secret is stored as it is (base32) in `totp_factors`: the
//!   database is the trust boundary, as for the password hashes beside it
//!   (see docs/security.md, "Second factor").
//! - A code is accepted once: the step it belongs to must be later than
//!   the last accepted one (an atomic conditional UPDATE).
//! - Ten recovery codes of 80 random bits each, stored as their SHA-256
//!   (like session ids: too random to guess back), each working once.
//! - Codes are rate-limited like passwords: the attempts per IP address
//!   (`limits::SIGN_IN_PER_IP`) and the progressive per-account-and-address
//!   delay of failed sign-ins (`limits::sign_in_delay_s`).

use crate::{App, Refusal};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::people::{LoginThrottle, Role};
use loket_store::people::totp as store;
use loket_store::people::{self as people_store, User};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// How many recovery codes an account gets.
pub const RECOVERY_CODES: usize = 10;

/// The demo's published key (`loket demo` only): its admin, HR and finance
/// accounts are enrolled with it, and the login page shows it in demo mode.
pub const DEMO_SECRET: &str = "LOKETDEMOLOKETDEMOLOKETDEMOLOKET";

/// How long a half-signed-in session lives (password right, factor to come).
pub const HALF_SESSION_TTL_MS: i64 = 10 * 60 * 1000;

/// The roles that require a second factor by default.
pub const DEFAULT_REQUIRED_ROLES: [Role; 4] =
    [Role::Admin, Role::Hr, Role::Finance, Role::PrivacyOfficer];

/// Whether `user`, having signed in with a password, must give a second
/// factor.
pub fn required(app: &App, user: &User) -> bool {
    user.roles.any(&app.config.totp_required_roles)
}

/// Where the account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// No confirmed factor: enrol.
    Enrol,
    /// A confirmed factor: give a code.
    Code,
}

pub async fn state(app: &App, user_id: &str) -> Result<State, Refusal> {
    Ok(match store::factor_of(&app.store, user_id).await? {
        Some(f) if f.confirmed_at.is_some() => State::Code,
        _ => State::Enrol,
    })
}

/// What the enrolment page shows.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The key in base32, in groups of four for typing.
    pub secret: String,
    /// The `otpauth://` URI (issuer "Loket <city>").
    pub uri: String,
    /// The URI as a QR code, SVG.
    pub qr_svg: String,
}

fn totp(app: &App, secret_b32: &str, account: &str) -> Result<Totp, Refusal> {
    let secret = Secret::try_from_base32(secret_b32)
        .map_err(|e| Refusal::Internal(format!("totp secret: {e:?}")))?;
    let issuer = format!("Loket {}", app.config.city_name).replace(':', " ");
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_issuer(Some(issuer))
        .with_account_name(account.replace(':', " "))
        .build()
        .map_err(|e| Refusal::Internal(format!("totp: {e:?}")))
}

/// Starts (or shows again) the enrolment of `user`: a new random key,
/// unless an unconfirmed one is waiting. Refused once a factor is
/// confirmed.
pub async fn enrolment(app: &App, user: &User) -> Result<Enrolment, Refusal> {
    let bytes: [u8; 20] = random_bytes();
    let fresh = Secret::from(bytes).to_base32();
    let f = store::start_enrolment(&app.store, &user.id, &fresh).await?;
    if f.confirmed_at.is_some() {
        return Err(Refusal::Forbidden);
    }
    let t = totp(app, &f.secret, &user.email)?;
    let uri = t
        .to_url()
        .map_err(|e| Refusal::Internal(format!("totp url: {e:?}")))?;
    let qr_svg = loket_render::cases::qr_svg(&uri).map_err(|e| Refusal::Internal(e.to_string()))?;
    let secret = f
        .secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Enrolment {
        secret,
        uri,
        qr_svg,
    })
}

fn random_bytes<const N: usize>() -> [u8; N] {
    // 32 random bytes from the store's source of secrets (as hex).
    let raw = hex::decode(loket_store::new_secret()).unwrap_or_default();
    let mut out = [0u8; N];
    for (o, b) in out.iter_mut().zip(raw.iter()) {
        *o = *b;
    }
    out
}

/// Ten new recovery codes, `XXXX-XXXX-XXXX-XXXX` (base32, 80 bits).
fn new_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let b32 = Secret::from(random_bytes::<10>()).to_base32();
            b32.as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// A recovery code as stored: upper case, without dashes or spaces.
fn normal_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A six-digit code, spaces allowed; `None` for anything else.
fn six_digits(code: &str) -> Option<String> {
    let d: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    (d.len() == 6 && d.bytes().all(|b| b.is_ascii_digit())).then_some(d)
}

fn unix_s() -> u64 {
    u64::try_from(loket_store::now_ms() / 1000).unwrap_or(0)
}

/// The limiter's key of an account's code attempts (the failures table is
/// shared with passwords, under a key no e-mail address can take).
fn failure_key(user_id: &str) -> String {
    format!("totp:{user_id}")
}

/// Refuses while codes of this account from this address are throttled,
/// as passwords are: counts the attempt of the address first.
async fn throttle(app: &App, user_id: &str, ip: &str) -> Result<(), Refusal> {
    let limit = loket_domain::limits::SIGN_IN_PER_IP;
    crate::limits::check(app, &limit, ip).await?;
    let throttle = LoginThrottle::default();
    let now = loket_store::now_ms();
    let f = people_store::login_failures(
        &app.store,
        &failure_key(user_id),
        ip,
        now - throttle.window_seconds * 1000,
        now - 3600 * 1000,
    )
    .await?;
    let wait_s = if !throttle.allows(u32::try_from(f.by_ip).unwrap_or(u32::MAX)) {
        throttle.window_seconds
    } else {
        let delay_ms = loket_domain::limits::sign_in_delay_s(f.by_pair) * 1000;
        (f.last_pair_at.unwrap_or(0) + delay_ms - now + 999) / 1000
    };
    if wait_s > 0 {
        metrics::counter!("loket_login_throttled_total").increment(1);
        return Err(Refusal::TooMany {
            retry_after_s: wait_s,
        });
    }
    Ok(())
}

async fn failed(
    app: &App,
    user_id: &str,
    ip: &str,
    field: &'static str,
    code: &'static str,
) -> Refusal {
    if let Err(e) = people_store::record_login_failure(&app.store, &failure_key(user_id), ip).await
    {
        return e.into();
    }
    metrics::counter!("loket_login_failures_total").increment(1);
    Refusal::Invalid(Invalid::one(field, code))
}

/// The step of a valid code, or `None`.
fn step_of(t: &Totp, code: &str) -> Option<i64> {
    let step = t.check(code, unix_s())?;
    i64::try_from(step).ok()
}

/// Confirms the enrolment of `user` with the first code of the app:
/// the ten recovery codes, to show once. Field `code` on a wrong code.
pub async fn confirm_enrolment(
    app: &App,
    user: &User,
    code: &str,
    ip: &str,
) -> Result<Vec<String>, Refusal> {
    throttle(app, &user.id, ip).await?;
    let Some(code) = six_digits(code) else {
        return Err(if code.trim().is_empty() {
            Refusal::Invalid(Invalid::one("totp_code", "required"))
        } else {
            failed(app, &user.id, ip, "totp_code", "totp-code-format").await
        });
    };
    let f = store::factor_of(&app.store, &user.id)
        .await?
        .ok_or(Refusal::Forbidden)?;
    if f.confirmed_at.is_some() {
        return Err(Refusal::Forbidden);
    }
    let t = totp(app, &f.secret, &user.email)?;
    let Some(step) = step_of(&t, &code) else {
        return Err(failed(app, &user.id, ip, "totp_code", "totp-code-wrong").await);
    };
    let codes = new_codes();
    let normal: Vec<String> = codes.iter().map(|c| normal_code(c)).collect();
    let mut tx = app.store.begin().await?;
    if !store::confirm(
        &mut tx,
        &Actor::User(user.id.clone()),
        &user.id,
        step,
        &normal,
    )
    .await?
    {
        return Err(failed(app, &user.id, ip, "totp_code", "totp-code-used").await);
    }
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    people_store::clear_login_failures(&app.store, &failure_key(user.id.as_str()), ip).await?;
    Ok(codes)
}

/// Checks a code of `user`'s confirmed factor: six digits from the app
/// (each accepted once), or an unused recovery code (used up now).
pub async fn verify(app: &App, user: &User, code: &str, ip: &str) -> Result<(), Refusal> {
    throttle(app, &user.id, ip).await?;
    if code.trim().is_empty() {
        return Err(Refusal::Invalid(Invalid::one("totp_code", "required")));
    }
    let f = store::factor_of(&app.store, &user.id)
        .await?
        .filter(|f| f.confirmed_at.is_some())
        .ok_or(Refusal::Forbidden)?;
    let mut tx = app.store.begin().await?;
    let ok = match six_digits(code) {
        Some(digits) => {
            let t = totp(app, &f.secret, &user.email)?;
            match step_of(&t, &digits) {
                Some(step) => {
                    if !store::take_step(&mut tx, &user.id, step).await? {
                        drop(tx);
                        return Err(failed(app, &user.id, ip, "totp_code", "totp-code-used").await);
                    }
                    true
                }
                None => false,
            }
        }
        None => store::use_code(&mut tx, &user.id, &normal_code(code)).await?,
    };
    if !ok {
        drop(tx);
        return Err(failed(app, &user.id, ip, "totp_code", "totp-code-wrong").await);
    }
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    people_store::clear_login_failures(&app.store, &failure_key(&user.id), ip).await?;
    Ok(())
}

/// New recovery codes for `user` (the old ones stop working), after a
/// current code of the app: the codes, to show once.
pub async fn regenerate_codes(
    app: &App,
    user: &User,
    code: &str,
    ip: &str,
) -> Result<Vec<String>, Refusal> {
    if six_digits(code).is_none() {
        return Err(Refusal::Invalid(Invalid::one(
            "totp_code",
            if code.trim().is_empty() {
                "required"
            } else {
                "totp-code-format"
            },
        )));
    }
    verify(app, user, code, ip).await?;
    let codes = new_codes();
    let normal: Vec<String> = codes.iter().map(|c| normal_code(c)).collect();
    let mut tx = app.store.begin().await?;
    store::regenerate_codes(&mut tx, &Actor::User(user.id.clone()), &user.id, &normal).await?;
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    Ok(codes)
}

/// An admin removes `user_id`'s factor: the person's sessions end and
/// they enrol again at the next sign-in. `NotFound` without a factor.
pub async fn reset(app: &App, actor: &Actor, user_id: &str) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    if !store::reset(&mut tx, actor, user_id).await? {
        return Err(Refusal::NotFound);
    }
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    Ok(())
}

/// Whether the account has a confirmed factor, and its unused recovery
/// codes.
pub async fn summary(app: &App, user_id: &str) -> Result<(bool, i64), Refusal> {
    let confirmed = state(app, user_id).await? == State::Code;
    let left = if confirmed {
        store::codes_left(&app.store, user_id).await?
    } else {
        0
    };
    Ok((confirmed, left))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_and_formatted() {
        let a = new_codes();
        let b = new_codes();
        assert_eq!(a.len(), RECOVERY_CODES);
        assert_ne!(a, b);
        for c in &a {
            assert_eq!(c.len(), 19, "{c}");
            assert_eq!(normal_code(c).len(), 16);
        }
        assert_eq!(normal_code("abcd-efgh ijkl-mnop"), "ABCDEFGHIJKLMNOP");
    }

    #[test]
    fn six_digits_only() {
        assert_eq!(six_digits(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(six_digits("12345"), None);
        assert_eq!(six_digits("12345a"), None);
    }

    #[test]
    fn demo_secret_is_base32_of_160_bits() {
        let s = Secret::try_from_base32(DEMO_SECRET).expect("base32");
        assert_eq!(s.as_bytes().len(), 20);
    }
}
