//! Staff shifts: signing up (self or assigned by a planner, with the
//! person's mail), the mails to the people on a changed or cancelled shift,
//! the reminders the day before, and the calendar feed's secret URL.

use crate::i18n::{Locale, format_ms};
use crate::signing::KeyRing;
use crate::{App, Config, Refusal};
use loket_domain::audit::Actor;
use loket_domain::ident::Email;
use loket_domain::notify::Mail;
use loket_domain::shifts as rules;
use loket_render::appointments::FeedEvent;
use loket_store::notify as outbox;
use loket_store::shifts::{self as store, Person, Shift};
use loket_store::{StoreError, Tx};

/// Local Brussels time `YYYY-MM-DD HH:MM` of unix ms.
pub fn local(ms: i64) -> String {
    format_ms(ms)
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
    app: &App,
    actor: &Actor,
    user_id: &str,
    shift_id: &str,
    assigned_by: Option<&str>,
    override_reason: Option<&str>,
    locale: Locale,
) -> Result<String, Refusal> {
    let settings = store::settings(&app.store).await?;
    let shift = store::get_shift(&app.store, shift_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let person = loket_store::people::get_user(&app.store, user_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let mut tx = app.store.begin().await?;
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
        let args = mail_args(&app.config, pl, &person.name, &shift, &shift);
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
    config: &Config,
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
    config: &Config,
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
/// its mail, so two workers never send it twice. A sign-up whose account
/// has no usable e-mail address (e.g. erased) is marked skipped, not sent,
/// so it leaves the due list instead of filling every batch.
pub async fn send_reminders(app: &App) -> Result<usize, StoreError> {
    let now = loket_store::now_ms();
    let due = store::due_reminders(&app.store, now, 24 * 3_600_000, 200).await?;
    let mut sent = 0;
    for d in due {
        let mut tx = app.store.begin().await?;
        let Ok(to) = Email::parse(&d.email) else {
            store::skip_reminder(&mut tx, &d.signup_id).await?;
            tx.commit().await?;
            continue;
        };
        if !store::claim_reminder(&mut tx, &d.signup_id).await? {
            continue;
        }
        let locale = Locale::parse(&d.locale).unwrap_or_default();
        let args = mail_args(&app.config, locale, &d.name, &d.shift, &d.shift);
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

/// The purpose of a feed token's signature.
const FEED_PURPOSE: &str = "loket-shift-feed";

/// How long a feed URL works: 400 days (the shifts page shows a fresh one;
/// raising the version revokes it sooner).
pub const FEED_LINK_MS: i64 = 400 * 86_400_000;

/// The secret token of a person's feed: their id, sealed with the feed's
/// version (raising the version revokes the old URL) until `expires_ms`.
pub fn feed_token(keys: &KeyRing, user_id: &str, version: i64, expires_ms: i64) -> String {
    keys.seal(FEED_PURPOSE, &version.to_string(), user_id, expires_ms)
}

/// The person whose feed token this is, if it is valid for `version` at
/// `now_ms`.
pub fn feed_token_user(keys: &KeyRing, token: &str, version: i64, now_ms: i64) -> Option<String> {
    keys.open(FEED_PURPOSE, &version.to_string(), token, now_ms)
        .filter(|u| !u.is_empty() && !u.contains('.'))
        .map(str::to_owned)
}

/// Whether a feed token is valid for `version` now.
pub fn feed_token_valid(keys: &KeyRing, token: &str, version: i64) -> bool {
    feed_token_user(keys, token, version, loket_store::now_ms()).is_some()
}

/// The feed's URL for a person.
pub async fn feed_url(app: &App, user_id: &str) -> Result<String, Refusal> {
    let version = store::feed_version(&app.store, user_id).await?;
    let expires = loket_store::now_ms().saturating_add(FEED_LINK_MS);
    Ok(format!(
        "{}/shifts/feed/{}.ics",
        app.config.public_url,
        feed_token(&*app.keys()?, user_id, version, expires)
    ))
}

/// A person's shift calendar (`.ics`) for the secret feed token `token`:
/// their shifts from 30 days back, withdrawals as cancelled events. A
/// wrong or revoked token, or a disabled account, is `NotFound`.
pub async fn feed(app: &App, token: &str) -> Result<String, Refusal> {
    let user_id = token.split_once('.').map(|(u, _)| u).unwrap_or_default();
    if user_id.is_empty() {
        return Err(Refusal::NotFound);
    }
    let version = store::feed_version(&app.store, user_id).await?;
    let keys = app.keys()?;
    if feed_token_user(&keys, token, version, loket_store::now_ms()).as_deref() != Some(user_id) {
        return Err(Refusal::NotFound);
    }
    let user = loket_store::people::get_user(&app.store, user_id)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or(Refusal::NotFound)?;
    let locale = Locale::parse(&user.locale).unwrap_or_default();
    let now = loket_store::now_ms();
    let mine = store::feed_signups(&app.store, user_id, now - 30 * 24 * 3_600_000).await?;
    // The address as written after the scheme (port included): the UIDs
    // calendars already hold must not change.
    let host = app.config.public_url.split("://").nth(1).unwrap_or("loket");
    let uids: Vec<String> = mine
        .iter()
        .map(|m| format!("shift-{}@{host}", m.signup.signup_id))
        .collect();
    let summaries: Vec<String> = mine
        .iter()
        .map(|m| {
            locale.t_args(
                "shift-feed-summary",
                &[(
                    "service",
                    m.signup.shift.role_name(locale.code()).to_owned(),
                )],
            )
        })
        .collect();
    let location = locale.t("shift-feed-location");
    let events: Vec<FeedEvent<'_>> = mine
        .iter()
        .zip(uids.iter().zip(&summaries))
        .map(|(m, (uid, summary))| FeedEvent {
            uid,
            // A withdrawal does not change the shift: its cancelled event
            // still supersedes the one the calendar holds.
            sequence: m.signup.shift.sequence + i64::from(m.cancelled),
            start_ms: m.signup.shift.starts_at,
            end_ms: m.signup.shift.ends_at,
            summary,
            location: &location,
            description: "",
            cancelled: m.cancelled,
        })
        .collect();
    Ok(loket_render::appointments::feed(
        &locale.t("shift-feed-name"),
        now,
        &events,
    ))
}

/// Whether a refusal is a broken working-time rule (the planner may
/// override those, and only those).
pub fn is_rule_breach(inv: &loket_domain::Invalid) -> bool {
    !inv.0.is_empty() && inv.0.iter().all(|e| e.code.starts_with("shift-rule-"))
}

// ---- the volunteer's and the planner's other changes ----

/// A volunteer cancels their place on a shift.
pub async fn cancel_signup(
    app: &App,
    actor: &Actor,
    shift_id: &str,
    user_id: &str,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::cancel_signup(&mut tx, actor, shift_id, user_id, loket_store::now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

/// A new secret feed URL for a person (the old one stops working).
pub async fn regenerate_feed(app: &App, actor: &Actor, user_id: &str) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::regenerate_feed(&mut tx, actor, user_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates shifts (one per window, each released a day after the one
/// before it), all or none.
pub async fn create_shifts(
    app: &App,
    actor: &Actor,
    role_id: &str,
    windows: &[(jiff::civil::Date, (i64, i64))],
    headcount: i64,
    release: i64,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    for (k, (d, (s, e))) in windows.iter().enumerate() {
        let day = d.to_string();
        let k = i64::try_from(k).unwrap_or(0);
        store::create_shift(
            &mut tx,
            actor,
            &store::NewShift {
                role_id,
                day: &day,
                starts_at: *s,
                ends_at: *e,
                headcount,
                release_at: release + k * 24 * 3_600_000,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Changes a shift's times and headcount; the people on it are mailed when
/// the times moved, in the same transaction.
pub async fn change_shift(
    app: &App,
    actor: &Actor,
    id: &str,
    (starts_at, ends_at): (i64, i64),
    headcount: i64,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    let (before, people) =
        store::change_shift(&mut tx, actor, id, starts_at, ends_at, headcount).await?;
    let mut after = before.clone();
    after.starts_at = starts_at;
    after.ends_at = ends_at;
    after.headcount = headcount;
    if before.starts_at != starts_at || before.ends_at != ends_at {
        notify_people(
            &mut tx,
            &app.config,
            &people,
            &before,
            &after,
            ChangeKind::Changed,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Cancels a shift; everyone on it is mailed in the same transaction.
/// Returns the shift.
pub async fn cancel_shift(app: &App, actor: &Actor, id: &str) -> Result<Shift, Refusal> {
    let mut tx = app.store.begin().await?;
    let (shift, people) = store::cancel_shift(&mut tx, actor, id).await?;
    notify_people(
        &mut tx,
        &app.config,
        &people,
        &shift,
        &shift,
        ChangeKind::Cancelled,
    )
    .await?;
    tx.commit().await?;
    Ok(shift)
}

/// Adds a shift role (what a person does on a shift), optionally needing a
/// qualification.
pub async fn add_role(
    app: &App,
    actor: &Actor,
    code: &str,
    (name_nl, name_en): (&str, &str),
    qualification: Option<&str>,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::add_role(&mut tx, actor, code, name_nl, name_en, qualification).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a qualification.
pub async fn add_qualification(
    app: &App,
    actor: &Actor,
    code: &str,
    (name_nl, name_en): (&str, &str),
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::add_qualification(&mut tx, actor, code, name_nl, name_en).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the working-time rules.
pub async fn save_rules(app: &App, actor: &Actor, r: &rules::Rules) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::save_rules(&mut tx, actor, r).await?;
    tx.commit().await?;
    Ok(())
}

/// Grants or withdraws a person's qualification.
pub async fn set_qualification(
    app: &App,
    actor: &Actor,
    user_id: &str,
    qualification_id: &str,
    grant: bool,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::set_qualification(&mut tx, actor, user_id, qualification_id, grant).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_tokens() {
        let keys = KeyRing::generate(0);
        let t = feed_token(&keys, "user-1", 0, i64::MAX);
        assert!(feed_token_valid(&keys, &t, 0));
        assert!(!feed_token_valid(&keys, &t, 1));
        let ended = feed_token(&keys, "user-1", 0, 1);
        assert!(!feed_token_valid(&keys, &ended, 0), "expired");
        assert!(!feed_token_valid(&KeyRing::generate(0), &t, 0));
        assert!(!feed_token_valid(&keys, &t.replace("user-1", "user-2"), 0));
        assert!(!feed_token_valid(&keys, "nonsense", 0));
        assert_eq!(add_days("2026-12-31", 1), "2027-01-01");
    }
}
