//! Staff shifts of the vaccination centre (issue 5, "Staff shifts"): the
//! planner (vaccination coordinator) defines roles, qualifications and
//! shifts, reads the coverage and assigns people (overriding a working-time
//! rule with a reason); every staff member may volunteer: see the open
//! shifts their qualifications allow, sign up, cancel, and subscribe to a
//! calendar feed at a secret URL. Reminders go the day before; changes and
//! cancellations are mailed to the people on the shift. Pages and the API
//! share the sign-up path here.

pub mod api;
pub mod pages;

use crate::error::AppError;
use crate::i18n::Locale;
use crate::{AppState, WebConfig};
use axum::Router;
use axum::routing::{get, post};
use hmac::{Hmac, KeyInit, Mac};
use loket_domain::audit::Actor;
use loket_domain::ident::Email;
use loket_domain::notify::Mail;
use loket_domain::people::Role;
use loket_domain::shifts as rules;
use loket_store::notify as outbox;
use loket_store::shifts::{self as store, Person, Shift};
use loket_store::{StoreError, Tx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/shifts", get(pages::volunteer))
        .route("/shifts/{id}/sign-up", post(pages::sign_up))
        .route("/shifts/{id}/cancel", post(pages::cancel_mine))
        .route("/shifts/feed", post(pages::regenerate_feed))
        .route("/shifts/feed/{file}", get(pages::feed))
        .route("/staff/shifts", get(pages::planner).post(pages::create))
        .route(
            "/staff/shifts/roles",
            get(pages::roles).post(pages::add_role),
        )
        .route(
            "/staff/shifts/qualifications",
            post(pages::add_qualification),
        )
        .route("/staff/shifts/rules", post(pages::save_rules))
        .route("/staff/shifts/coverage", get(pages::coverage))
        .route("/staff/shifts/people", get(pages::people))
        .route(
            "/staff/shifts/people/qualification",
            post(pages::set_qualification),
        )
        .route("/staff/shifts/{id}", get(pages::shift))
        .route("/staff/shifts/{id}/assign", post(pages::assign))
        .route("/staff/shifts/{id}/change", post(pages::change))
        .route("/staff/shifts/{id}/cancel", post(pages::cancel_shift))
}

/// The planner: roles, shifts, coverage, assignments, overrides.
pub const PLANNERS: &[Role] = &[Role::VaccinationCoordinator];
/// Every staff member may volunteer.
pub const VOLUNTEERS: &[Role] = &Role::STAFF;

/// The days a planner or volunteer sees ahead by default.
pub const DAYS_AHEAD: i64 = 21;

/// Local Brussels time `YYYY-MM-DD HH:MM` of unix ms.
pub fn local(ms: i64) -> String {
    crate::i18n::format_ms(ms)
}

/// The day `n` days after `day` (`YYYY-MM-DD`), or `day` itself.
pub fn add_days(day: &str, n: i64) -> String {
    day.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.checked_add(jiff::Span::new().days(n)).ok())
        .map(|d| d.to_string())
        .unwrap_or_else(|| day.to_owned())
}

/// Signs a person up for a shift (self or by a planner), in one
/// transaction; a planner's assignment mails the person.
#[allow(clippy::too_many_arguments)]
pub async fn sign_up_for(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    shift_id: &str,
    assigned_by: Option<&str>,
    override_reason: Option<&str>,
    locale: Locale,
) -> Result<String, AppError> {
    let settings = store::settings(&state.store).await?;
    let shift = store::get_shift(&state.store, shift_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let person = loket_store::people::get_user(&state.store, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.store.begin().await?;
    let id = store::sign_up(
        &mut tx,
        actor,
        &store::SignUp {
            shift_id,
            user_id,
            assigned_by,
            override_reason,
            lang: locale.code(),
            now: loket_store::now_ms(),
        },
        &settings.rules,
    )
    .await?;
    if assigned_by.is_some()
        && let Ok(to) = Email::parse(&person.email)
    {
        let pl = Locale::parse(&person.locale).unwrap_or_default();
        let args = mail_args(&state.config, pl, &person.name, &shift, &shift);
        outbox::enqueue(
            &mut tx,
            &Mail {
                to,
                subject: pl.t_args("mail-shift-assigned-subject", &args),
                body: pl.t_args("mail-shift-assigned-body", &args),
            },
        )
        .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    metrics::counter!("loket_shift_signups_total").increment(1);
    Ok(id)
}

fn mail_args(
    config: &WebConfig,
    locale: Locale,
    name: &str,
    before: &Shift,
    after: &Shift,
) -> [(&'static str, String); 5] {
    [
        ("name", name.to_owned()),
        ("service", before.role_name(locale.code()).to_owned()),
        (
            "at",
            rules::span_label("", before.starts_at, before.ends_at)
                .trim()
                .to_owned(),
        ),
        (
            "value",
            rules::span_label("", after.starts_at, after.ends_at)
                .trim()
                .to_owned(),
        ),
        ("url", format!("{}/shifts", config.public_url)),
    ]
}

/// What happened to a shift, for the mail to its people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Changed,
    Cancelled,
}

/// Mails everyone on a changed or cancelled shift, in the caller's
/// transaction (so the mails go exactly when the change commits).
pub async fn notify_people(
    tx: &mut Tx,
    config: &WebConfig,
    people: &[Person],
    before: &Shift,
    after: &Shift,
    kind: ChangeKind,
) -> Result<usize, StoreError> {
    let mut n = 0;
    for p in people {
        let Ok(to) = Email::parse(&p.email) else {
            continue;
        };
        let locale = Locale::parse(&p.locale).unwrap_or_default();
        let args = mail_args(config, locale, &p.name, before, after);
        let (subject, body) = match kind {
            ChangeKind::Changed => ("mail-shift-changed-subject", "mail-shift-changed-body"),
            ChangeKind::Cancelled => ("mail-shift-cancelled-subject", "mail-shift-cancelled-body"),
        };
        outbox::enqueue(
            tx,
            &Mail {
                to,
                subject: locale.t_args(subject, &args),
                body: locale.t_args(body, &args),
            },
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

/// Queues the reminder of every sign-up whose shift starts within the next
/// 24 hours ("the day before"); each is claimed once, in the transaction of
/// its mail, so two workers never send it twice.
pub async fn send_reminders(
    store_: &loket_store::Store,
    config: &WebConfig,
) -> Result<usize, StoreError> {
    let now = loket_store::now_ms();
    let due = store::due_reminders(store_, now, 24 * 3_600_000, 200).await?;
    let mut sent = 0;
    for d in due {
        let Ok(to) = Email::parse(&d.email) else {
            continue;
        };
        let mut tx = store_.begin().await?;
        if !store::claim_reminder(&mut tx, &d.signup_id).await? {
            continue;
        }
        let locale = Locale::parse(&d.locale).unwrap_or_default();
        let args = mail_args(config, locale, &d.name, &d.shift, &d.shift);
        outbox::enqueue(
            &mut tx,
            &Mail {
                to,
                subject: locale.t_args("mail-shift-reminder-subject", &args),
                body: locale.t_args("mail-shift-reminder-body", &args),
            },
        )
        .await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

// ---- the calendar feed ----

fn feed_mac(key: &str, user_id: &str, version: i64) -> Option<Hmac<sha2_011::Sha256>> {
    let mut mac = Hmac::<sha2_011::Sha256>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(b"loket-shift-feed\0");
    mac.update(user_id.as_bytes());
    mac.update(b"\0");
    mac.update(version.to_string().as_bytes());
    Some(mac)
}

/// The secret token of a person's feed: their id and an HMAC over the id
/// and the feed's version (raising the version revokes the old URL).
pub fn feed_token(key: &str, user_id: &str, version: i64) -> String {
    let sig = feed_mac(key, user_id, version)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!("{user_id}.{sig}")
}

/// The person a feed token belongs to, if it is valid for `version`.
pub fn feed_token_valid(key: &str, token: &str, version: i64) -> bool {
    let Some((user_id, sig)) = token.split_once('.') else {
        return false;
    };
    let Ok(bytes) = hex::decode(sig) else {
        return false;
    };
    feed_mac(key, user_id, version).is_some_and(|m| m.verify_slice(&bytes).is_ok())
}

/// The feed's URL for a person.
pub async fn feed_url(state: &AppState, user_id: &str) -> Result<String, AppError> {
    let settings = store::settings(&state.store).await?;
    let version = store::feed_version(&state.store, user_id).await?;
    Ok(format!(
        "{}/shifts/feed/{}.ics",
        state.config.public_url,
        feed_token(&settings.feed_key, user_id, version)
    ))
}

/// Whether a refusal is a broken working-time rule (the planner may
/// override those, and only those).
pub fn is_rule_breach(inv: &loket_domain::Invalid) -> bool {
    !inv.0.is_empty() && inv.0.iter().all(|e| e.code.starts_with("shift-rule-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_tokens() {
        let t = feed_token("key", "user-1", 0);
        assert!(feed_token_valid("key", &t, 0));
        assert!(!feed_token_valid("key", &t, 1));
        assert!(!feed_token_valid("other", &t, 0));
        assert!(!feed_token_valid("key", &t.replace("user-1", "user-2"), 0));
        assert!(!feed_token_valid("key", "nonsense", 0));
        assert_eq!(add_days("2026-12-31", 1), "2027-01-01");
    }
}
