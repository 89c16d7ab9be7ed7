//! People and accounts: signing in with a password (throttled), registering,
//! confirming the address, resetting and changing the password, the
//! language, staff accounts, roles and API tokens, and the mails of an
//! account's life, each with its single-use link.

pub mod home;
pub mod oidc;
pub mod totp;

use crate::i18n::Locale;
use crate::{App, Config, Refusal};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::ident::{Email, NationalNumber, PostalCode};
use loket_domain::notify::Mail;
use loket_domain::people::{
    self as rules, DepartmentScope, LoginThrottle, PersonName, Role, Scopes,
};
use loket_store::notify as outbox;
use loket_store::people::{self as store, LinkPurpose, NewUser, User};

fn compose(
    config: &Config,
    locale: Locale,
    to: &Email,
    name: &str,
    kind: &str,
    path: &str,
) -> Mail {
    let args = [
        ("name", name.to_owned()),
        ("city", config.city_name.clone()),
        ("link", config.link(path)),
    ];
    Mail {
        to: to.clone(),
        subject: locale.t_args(&format!("mail-{kind}-subject"), &args),
        body: locale.t_args(&format!("mail-{kind}-body"), &args),
    }
}

/// "Confirm your e-mail address", with a single-use link.
pub fn confirm_mail(config: &Config, locale: Locale, to: &Email, name: &str, secret: &str) -> Mail {
    compose(
        config,
        locale,
        to,
        name,
        "confirm",
        &format!("/confirm/{secret}"),
    )
}

/// "Choose a new password", with a single-use link.
pub fn reset_mail(config: &Config, locale: Locale, to: &Email, name: &str, secret: &str) -> Mail {
    compose(
        config,
        locale,
        to,
        name,
        "reset",
        &format!("/password/reset/{secret}"),
    )
}

/// A new staff account: choose a password through a link.
pub fn welcome_staff_mail(
    config: &Config,
    locale: Locale,
    to: &Email,
    name: &str,
    secret: &str,
) -> Mail {
    compose(
        config,
        locale,
        to,
        name,
        "welcome",
        &format!("/password/reset/{secret}"),
    )
}

// ---- accounts: passwords, registration, confirmation, reset ----

/// Links in e-mails: confirmation 48 hours, password reset 1 hour, a new
/// staff member's first password a week.
pub const CONFIRM_TTL_MS: i64 = 48 * 3600 * 1000;
pub const RESET_TTL_MS: i64 = 3600 * 1000;
pub const WELCOME_TTL_MS: i64 = RESET_TTL_MS * 24 * 7;

/// Hashes off the async threads: Argon2id takes tens of milliseconds.
pub async fn hash_password(password: String) -> Result<String, Refusal> {
    tokio::task::spawn_blocking(move || rules::hash_password(&password))
        .await
        .map_err(|e| Refusal::Internal(e.to_string()))
}

async fn verify_password(password: String, phc: String) -> Result<bool, Refusal> {
    tokio::task::spawn_blocking(move || rules::verify_password(&password, &phc))
        .await
        .map_err(|e| Refusal::Internal(e.to_string()))
}

/// A verifiable hash of nothing, so unknown accounts cost the same time.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| rules::hash_password("loket-dummy-password"))
}

/// How a sign-in with e-mail and password ended.
pub enum SignIn {
    /// Too many attempts from this address, or failures for this account
    /// from this address: wait `seconds`.
    Throttled {
        seconds: i64,
    },
    /// Unknown account, wrong password, disabled or password-less account
    /// (one answer for all, recorded as a failure).
    Wrong,
    /// The address was never confirmed.
    Unconfirmed,
    /// Right password, but staff sign in through the city's directory
    /// (`staff_password_login = false`) and this is no break-glass admin.
    StaffUseDirectory,
    Welcome(User),
}

/// How long failures of one account from one address are remembered for
/// the progressive delay.
const PAIR_WINDOW_MS: i64 = 3600 * 1000;

/// Checks a sign-in. Before any password is hashed: the attempts from this
/// IP address (`limits::SIGN_IN_PER_IP`, counted in the database), the
/// failures from this address (`LoginThrottle::per_ip`) and the
/// progressive delay for this account from this address
/// (`limits::sign_in_delay_s`). An account is never locked for everyone:
/// its owner, from another address, signs in as usual. Then the password,
/// hashing a dummy for unknown accounts so timing reveals nothing.
pub async fn sign_in(app: &App, email: &str, password: &str, ip: &str) -> Result<SignIn, Refusal> {
    let limit = loket_domain::limits::SIGN_IN_PER_IP;
    if !crate::limits::allow(app, &limit, ip).await? {
        metrics::counter!("loket_login_throttled_total").increment(1);
        return Ok(SignIn::Throttled {
            seconds: limit.retry_after_s(loket_store::now_ms()),
        });
    }
    let throttle = LoginThrottle::default();
    let now = loket_store::now_ms();
    let f = store::login_failures(
        &app.store,
        email,
        ip,
        now - throttle.window_seconds * 1000,
        now - PAIR_WINDOW_MS,
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
        return Ok(SignIn::Throttled { seconds: wait_s });
    }
    let mut inv = Invalid::default();
    if email.trim().is_empty() {
        inv.push("email", "required");
    }
    if password.is_empty() {
        inv.push("password", "required");
    }
    inv.into_result()?;
    let user = store::find_by_email(&app.store, email).await?;
    let phc = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| dummy_hash().to_owned());
    let ok = verify_password(password.to_owned(), phc).await?;
    let user = match user {
        Some(u) if ok && u.disabled_at.is_none() && !u.password_hash.is_empty() => u,
        _ => {
            store::record_login_failure(&app.store, email, ip).await?;
            metrics::counter!("loket_login_failures_total").increment(1);
            return Ok(SignIn::Wrong);
        }
    };
    if !user.is_confirmed() {
        return Ok(SignIn::Unconfirmed);
    }
    store::clear_login_failures(&app.store, email, ip).await?;
    if user.roles.is_staff()
        && !app.config.staff_password_login
        && !app
            .config
            .break_glass_admins
            .iter()
            .any(|a| *a == user.email.to_lowercase())
    {
        return Ok(SignIn::StaffUseDirectory);
    }
    Ok(SignIn::Welcome(user))
}

/// Whether `password` is the user's current one.
pub async fn password_matches(user: &User, password: &str) -> Result<bool, Refusal> {
    verify_password(password.to_owned(), user.password_hash.clone()).await
}

/// Where a mail-sending form was posted from: the client's IP address (for
/// `limits::MAIL_FORMS_PER_IP`).
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub ip: &'a str,
}

/// Counts a mail-sending form's post from `from` (refused past
/// `limits::MAIL_FORMS_PER_IP`).
pub async fn mail_form_posted(app: &App, from: Origin<'_>) -> Result<(), Refusal> {
    crate::limits::check(app, &loket_domain::limits::MAIL_FORMS_PER_IP, from.ip).await
}

/// Whether another mail may go to `to` (`limits::MAIL_PER_RECIPIENT`);
/// past the limit the form answers as usual, but no mail leaves.
pub async fn may_mail(app: &App, to: &Email) -> Result<bool, Refusal> {
    let limit = loket_domain::limits::MAIL_PER_RECIPIENT;
    let ok = crate::limits::allow(app, &limit, &crate::limits::email_key(to.as_str())).await?;
    if !ok {
        metrics::counter!("loket_rate_limited_total", "scope" => limit.scope).increment(1);
    }
    Ok(ok)
}

/// "Someone tried to register with your address": the owner of a known
/// address learns of it, with the ways in.
pub fn known_mail(config: &Config, locale: Locale, to: &Email, name: &str) -> Mail {
    compose(config, locale, to, name, "known", "/password/forgot")
}

/// Registers a resident (unconfirmed) and mails the confirmation link, in
/// one transaction. The answer is the same for a known address: then the
/// account's owner gets a mail saying someone tried to register with it
/// (and nothing else changes), so the form reveals no accounts.
pub async fn register(
    app: &App,
    reg: &rules::Registration,
    password: &str,
    locale: Locale,
    from: Origin<'_>,
) -> Result<(), Refusal> {
    mail_form_posted(app, from).await?;
    // Hashed in every case, so a known address takes as long.
    let phc = hash_password(password.to_owned()).await?;
    if let Some(owner) = store::find_by_email(&app.store, reg.email.as_str()).await? {
        return mail_known(app, &owner, &reg.email, locale).await;
    }
    // Counted before the transaction: SQLite has one writer at a time.
    let may = may_mail(app, &reg.email).await?;
    let mut tx = app.store.begin().await?;
    let user_id = match store::create_user(
        &mut tx,
        &Actor::System,
        NewUser {
            email: &reg.email,
            name: &reg.name,
            password_hash: &phc,
            roles: &[Role::Resident],
            locale: locale.code(),
            confirmed: false,
        },
    )
    .await
    {
        Ok(id) => id,
        Err(loket_store::StoreError::Conflict(_)) => {
            // Registered meanwhile: the same answer, and no mail.
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    if may {
        let secret =
            store::create_link(&mut tx, &user_id, LinkPurpose::Confirm, CONFIRM_TTL_MS).await?;
        let mail = confirm_mail(&app.config, locale, &reg.email, reg.name.as_str(), &secret);
        outbox::enqueue(&mut tx, &mail).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn mail_known(
    app: &App,
    owner: &User,
    typed: &Email,
    fallback: Locale,
) -> Result<(), Refusal> {
    // To the account's own address, as it was registered.
    let to = Email::parse(&owner.email).unwrap_or_else(|_| typed.clone());
    let to = &to;
    if !may_mail(app, to).await? {
        return Ok(());
    }
    let locale = Locale::parse(&owner.locale).unwrap_or(fallback);
    let mut tx = app.store.begin().await?;
    outbox::enqueue(&mut tx, &known_mail(&app.config, locale, to, &owner.name)).await?;
    tx.commit().await?;
    Ok(())
}

/// Confirms the address a confirmation link was sent to; false when the
/// link is unknown, used or expired.
pub async fn confirm(app: &App, token: &str) -> Result<bool, Refusal> {
    let mut tx = app.store.begin().await?;
    let Some(user_id) = store::use_link(&mut tx, token, LinkPurpose::Confirm).await? else {
        return Ok(false);
    };
    store::confirm_email(&mut tx, &Actor::User(user_id.clone()), &user_id).await?;
    tx.commit().await?;
    Ok(true)
}

/// Mails a new confirmation link to an unconfirmed account with this
/// address; does nothing otherwise (the answer is the same either way).
pub async fn resend_confirmation(
    app: &App,
    email: &Email,
    fallback: Locale,
    from: Origin<'_>,
) -> Result<(), Refusal> {
    mail_form_posted(app, from).await?;
    if let Some(user) = store::find_by_email(&app.store, email.as_str()).await?
        && !user.is_confirmed()
        && may_mail(app, email).await?
    {
        let mut tx = app.store.begin().await?;
        let secret =
            store::create_link(&mut tx, &user.id, LinkPurpose::Confirm, CONFIRM_TTL_MS).await?;
        let locale = Locale::parse(&user.locale).unwrap_or(fallback);
        let mail = confirm_mail(&app.config, locale, email, &user.name, &secret);
        outbox::enqueue(&mut tx, &mail).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Mails a password-reset link to an active account with this address;
/// does nothing otherwise (the answer is the same either way).
pub async fn send_reset(
    app: &App,
    email: &Email,
    fallback: Locale,
    from: Origin<'_>,
) -> Result<(), Refusal> {
    mail_form_posted(app, from).await?;
    if let Some(user) = store::find_by_email(&app.store, email.as_str()).await?
        && user.disabled_at.is_none()
        && may_mail(app, email).await?
    {
        let mut tx = app.store.begin().await?;
        let secret =
            store::create_link(&mut tx, &user.id, LinkPurpose::Reset, RESET_TTL_MS).await?;
        let locale = Locale::parse(&user.locale).unwrap_or(fallback);
        let mail = reset_mail(&app.config, locale, email, &user.name, &secret);
        outbox::enqueue(&mut tx, &mail).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The field errors of a new password and its repetition.
pub fn new_password_errors(password: &str, repeat: &str) -> Invalid {
    let mut inv = Invalid::default();
    inv.check("password", rules::check_new_password(password, None));
    if password != repeat {
        inv.push("password_repeat", "password-mismatch");
    }
    inv
}

/// Sets a new password from a reset link (which also confirms the
/// address); false when the link is unknown, used or expired.
pub async fn reset_password(app: &App, token: &str, password: &str) -> Result<bool, Refusal> {
    let phc = hash_password(password.to_owned()).await?;
    let mut tx = app.store.begin().await?;
    let Some(user_id) = store::use_link(&mut tx, token, LinkPurpose::Reset).await? else {
        return Ok(false);
    };
    let actor = Actor::User(user_id.clone());
    store::set_password(&mut tx, &actor, &user_id, &phc).await?;
    // The link reached the mailbox: that confirms the address too.
    store::confirm_email(&mut tx, &actor, &user_id).await?;
    tx.commit().await?;
    Ok(true)
}

/// A person changes their own password (every session ends with it).
pub async fn change_password(app: &App, user: &User, password: &str) -> Result<(), Refusal> {
    let phc = hash_password(password.to_owned()).await?;
    let mut tx = app.store.begin().await?;
    store::set_password(&mut tx, &Actor::User(user.id.clone()), &user.id, &phc).await?;
    tx.commit().await?;
    Ok(())
}

/// A person chooses the language of their pages and mails.
pub async fn set_language(app: &App, user: &User, locale: Locale) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::set_locale(
        &mut tx,
        &Actor::User(user.id.clone()),
        &user.id,
        locale.code(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- staff accounts, roles and API tokens (admins) ----

/// Creates a confirmed staff account; without a password, the person gets a
/// week-long link to choose one.
pub async fn create_staff(
    app: &App,
    actor: &Actor,
    locale: Locale,
    email: &Email,
    name: &PersonName,
    roles: &[Role],
    password: &str,
) -> Result<String, Refusal> {
    let phc = if password.is_empty() {
        String::new()
    } else {
        hash_password(password.to_owned()).await?
    };
    let mut tx = app.store.begin().await?;
    let id = store::create_user(
        &mut tx,
        actor,
        NewUser {
            email,
            name,
            password_hash: &phc,
            roles,
            locale: locale.code(),
            confirmed: true,
        },
    )
    .await?;
    if password.is_empty() {
        let secret = store::create_link(&mut tx, &id, LinkPurpose::Reset, WELCOME_TTL_MS).await?;
        let mail = welcome_staff_mail(&app.config, locale, email, name.as_str(), &secret);
        outbox::enqueue(&mut tx, &mail).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Sets a person's roles.
pub async fn set_roles(
    app: &App,
    actor: &Actor,
    user_id: &str,
    roles: &[Role],
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::set_roles(&mut tx, actor, user_id, roles).await?;
    tx.commit().await?;
    Ok(())
}

/// Need to know: the departments whose cases and forwards `user` sees.
pub async fn department_scope(app: &App, user: &User) -> Result<DepartmentScope, Refusal> {
    if user.roles.has(Role::Admin) || user.roles.has(Role::AllDepartments) {
        return Ok(DepartmentScope::All);
    }
    let departments = store::departments::of_user(&app.store, &user.id).await?;
    Ok(DepartmentScope::new(&user.id, &user.roles, departments))
}

/// The department codes an admin may assign: the service catalogue's and
/// the contact centre's.
pub async fn known_departments(app: &App) -> Result<Vec<String>, Refusal> {
    Ok(store::departments::known(&app.store).await?)
}

/// Checks department codes against the known ones (field `departments`).
pub async fn check_departments(app: &App, codes: &[String]) -> Result<Vec<String>, Refusal> {
    let known = known_departments(app).await?;
    let mut out = Vec::new();
    for c in codes {
        match rules::check_department_code(c) {
            Ok(code) if known.contains(&code) => out.push(code),
            _ => {
                return Err(Refusal::Invalid(Invalid::one(
                    "departments",
                    "department-unknown",
                )));
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Assigns departments to a staff account (replacing what it had), audited
/// in the same transaction. A resident account gets none.
pub async fn set_departments(
    app: &App,
    actor: &Actor,
    user_id: &str,
    codes: &[String],
) -> Result<(), Refusal> {
    let user = store::get_user(&app.store, user_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let departments = check_departments(app, codes).await?;
    if !user.roles.is_staff() && !departments.is_empty() {
        return Err(Refusal::Invalid(Invalid::one(
            "departments",
            "department-not-staff",
        )));
    }
    let mut tx = app.store.begin().await?;
    store::departments::set(&mut tx, actor, user_id, &departments).await?;
    tx.commit().await?;
    Ok(())
}

/// A sent message's text as the sent-mail pages show it: every sign-in,
/// reset, welcome or other signed link that is still usable is replaced by
/// `hidden(expiry)` (`None` when the token states no expiry); expired and
/// used links, and links without a secret, stay.
pub async fn mask_live_links(
    app: &App,
    text: &str,
    now: i64,
    hidden: impl Fn(Option<i64>) -> String,
) -> Result<String, Refusal> {
    use loket_domain::notify::{MailLink, mail_links, replace_links};
    let mut live = std::collections::HashMap::new();
    for (_, link) in mail_links(text) {
        if let MailLink::EmailToken(secret) = &link {
            let until = store::live_link_expiry(&app.store, secret, now).await?;
            live.insert(secret.clone(), until);
        }
    }
    Ok(replace_links(text, |link| match link {
        MailLink::EmailToken(secret) => {
            live.get(secret).copied().flatten().map(|t| hidden(Some(t)))
        }
        MailLink::Signed {
            expires_ms: Some(t),
        } if *t <= now => None,
        MailLink::Signed { expires_ms } => Some(hidden(*expires_ms)),
        MailLink::Plain => None,
    }))
}

/// Creates an API token for a person, valid `days` days with `scopes`;
/// returns the secret (shown once). A disabled account gets no token.
pub async fn create_token(
    app: &App,
    actor: &Actor,
    user_id: &str,
    name: &str,
    days: i64,
    scopes: &Scopes,
) -> Result<String, Refusal> {
    let user = store::get_user(&app.store, user_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if user.disabled_at.is_some() {
        return Err(Refusal::Conflict(Invalid::one(
            "name",
            "account-is-disabled",
        )));
    }
    let mut tx = app.store.begin().await?;
    let (_, secret) = store::create_token(
        &mut tx,
        actor,
        store::NewToken {
            user_id,
            name,
            days,
            scopes,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

// ---- accounts that end ----

/// Disables an account, with a reason (checked): its sessions end and its
/// tokens are revoked in the same transaction, audited. An admin cannot
/// disable their own account.
pub async fn disable_account(
    app: &App,
    actor: &Actor,
    user_id: &str,
    reason: &str,
) -> Result<(), Refusal> {
    let reason = rules::parse_disable_reason(reason).map_err(|e| Invalid(vec![e]))?;
    if actor.user_id() == Some(user_id) {
        return Err(Invalid::one("reason", "account-self-disable").into());
    }
    let mut tx = app.store.begin().await?;
    store::disable_user(&mut tx, actor, user_id, &reason, loket_store::now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

/// Enables a disabled account again, with a reason (checked, audited).
pub async fn enable_account(
    app: &App,
    actor: &Actor,
    user_id: &str,
    reason: &str,
) -> Result<(), Refusal> {
    let reason = rules::parse_disable_reason(reason).map_err(|e| Invalid(vec![e]))?;
    let mut tx = app.store.begin().await?;
    store::enable_user(&mut tx, actor, user_id, &reason).await?;
    tx.commit().await?;
    Ok(())
}

/// What one run of the end-date worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Endings {
    /// Staff records whose end date was handled.
    pub records: usize,
    /// Accounts disabled.
    pub disabled: usize,
    /// Mails to ICT (one per record with equipment still on loan).
    pub mails: usize,
}

/// The most loans the mail to ICT lists (by due date, then tag); past it
/// the mail says how many more there are.
pub const ICT_MAIL_LOANS_LISTED: usize = 1000;

/// The mail to ICT: the equipment still on loan to a person whose staff
/// record ended, one line per item. `count` is how many loans are open
/// (exact); `loans` the first of them (at most [`ICT_MAIL_LOANS_LISTED`]):
/// when fewer are listed than open, the mail says "and N more".
pub fn ict_mail(
    config: &Config,
    to: &Email,
    e: &store::DueEnding,
    loans: &[loket_store::assets::Loan],
    count: i64,
) -> Mail {
    let locale = Locale::default();
    let mut list = loans
        .iter()
        .map(|l| {
            format!(
                "- {} · {} {} · {} ({}) · {}",
                l.tag, l.category, l.model, l.serial, l.due_on, l.handover_id
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let listed = i64::try_from(loans.len()).unwrap_or(i64::MAX);
    if count > listed {
        list.push('\n');
        list.push_str(&locale.t_args(
            "mail-ict-ending-more",
            &[("count", (count - listed).to_string())],
        ));
    }
    let args = [
        ("name", e.name.clone()),
        ("employee_no", e.employee_no.clone()),
        ("end_date", e.end_date.clone()),
        ("count", count.max(listed).to_string()),
        ("list", list),
        ("city", config.city_name.clone()),
    ];
    Mail {
        to: to.clone(),
        subject: locale.t_args("mail-ict-ending-subject", &args),
        body: locale.t_args("mail-ict-ending-body", &args),
    }
}

/// The most due staff records one pass of [`end_staff_records`] reads at
/// a time; it reads again until none are left.
const ENDINGS_BATCH: i64 = 200;

/// The end-date worker's step, for `today` (`YYYY-MM-DD`, Europe/Brussels):
/// every staff record whose end date has come and was not handled yet
/// disables the account with the same e-mail address (its sessions end,
/// its tokens are revoked), and mails ICT the equipment still on loan to
/// that person (the exact count, and the first [`ICT_MAIL_LOANS_LISTED`]
/// items listed, both read in one statement inside that transaction), all
/// in one transaction per record. Each record and end date is handled
/// once, also with several instances running.
pub async fn end_staff_records(app: &App, today: &str) -> Result<Endings, Refusal> {
    let mut out = Endings::default();
    let ict = Email::parse(&app.config.ict_mail).ok();
    loop {
        let due = store::due_endings(&app.store, today, ENDINGS_BATCH).await?;
        let full = i64::try_from(due.len()).unwrap_or(i64::MAX) >= ENDINGS_BATCH;
        let mut handled = 0;
        for e in due {
            let user = store::find_by_email(&app.store, &e.email).await?;
            let mut tx = app.store.begin().await?;
            // The list and the count in one read, inside the transaction
            // that claims the ending: they cannot differ.
            let (loans, count) = match &user {
                Some(u) => {
                    loket_store::assets::open_loans_with_count(
                        &mut tx,
                        &u.id,
                        ICT_MAIL_LOANS_LISTED as i64,
                    )
                    .await?
                }
                None => (Vec::new(), 0),
            };
            if !store::claim_ending(&mut tx, &e, user.as_ref().map(|u| u.id.as_str()), count)
                .await?
            {
                continue;
            }
            handled += 1;
            if let Some(u) = user.as_ref().filter(|u| u.disabled_at.is_none()) {
                let reason = format!("staff record ended on {}", e.end_date);
                store::disable_user(
                    &mut tx,
                    &Actor::System,
                    &u.id,
                    &reason,
                    loket_store::now_ms(),
                )
                .await?;
                out.disabled += 1;
            }
            if count > 0
                && let Some(to) = &ict
            {
                outbox::enqueue(&mut tx, &ict_mail(&app.config, to, &e, &loans, count)).await?;
                out.mails += 1;
            }
            tx.commit().await?;
            out.records += 1;
        }
        // A full batch may have more behind it; a batch in which nothing
        // was handled (another instance claimed it all) is not read again
        // here, so the loop always ends.
        if !full || handled == 0 {
            break;
        }
    }
    Ok(out)
}

/// Revokes an API token.
pub async fn revoke_token(app: &App, actor: &Actor, token_id: &str) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::revoke_token(&mut tx, actor, token_id).await?;
    tx.commit().await?;
    Ok(())
}

/// A new resident's record as typed at the counter or on the phone.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResidentInput<'a> {
    pub name: &'a str,
    pub national_number: &'a str,
    pub email: &'a str,
    pub street: &'a str,
    pub house_number: &'a str,
    pub box_: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub phone: &'a str,
    pub locale: &'a str,
}

/// A checked new resident.
#[derive(Debug, Clone)]
pub struct NewResident {
    pub name: PersonName,
    pub email: Option<Email>,
    /// `nl` or `en`.
    pub locale: String,
    pub profile: store::ResidentProfile,
}

/// Checks a new resident: a name; a valid national register number and
/// e-mail when given; and a complete postal address when there is no
/// e-mail (letters must reach the person).
pub fn check_resident(f: &ResidentInput<'_>) -> Result<NewResident, Invalid> {
    let mut inv = Invalid::default();
    let name = inv.check("name", PersonName::parse(f.name));
    let nrn = if f.national_number.trim().is_empty() {
        None
    } else {
        inv.check("national_number", NationalNumber::parse(f.national_number))
            .map(|n| n.as_str().to_owned())
    };
    let email = if f.email.trim().is_empty() {
        None
    } else {
        inv.check("email", Email::parse(f.email))
    };
    let text = |v: &str| v.trim().chars().take(100).collect::<String>();
    let street = text(f.street);
    let number = text(f.house_number);
    let postal = text(f.postal_code);
    let city = text(f.city);
    let any_address = !(street.is_empty() && number.is_empty() && postal.is_empty());
    if email.is_none() || any_address {
        if street.is_empty() {
            inv.push("street", "address-needed");
        }
        if !number.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            inv.push("house_number", "house-number-invalid");
        }
        if let Err(e) = PostalCode::parse(&postal) {
            inv.push("postal_code", e.code);
        }
        if city.is_empty() {
            inv.push("city", "required");
        }
    }
    let phone = text(f.phone);
    if !phone.is_empty()
        && (phone.chars().filter(char::is_ascii_digit).count() < 9
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +./-()".contains(c)))
    {
        inv.push("phone", "phone-invalid");
    }
    let locale = Locale::parse(f.locale)
        .unwrap_or_default()
        .code()
        .to_owned();
    inv.clone().into_result()?;
    let Some(name) = name else {
        return Err(inv);
    };
    Ok(NewResident {
        name,
        email,
        locale,
        profile: store::ResidentProfile {
            national_number: nrn,
            street,
            house_number: number,
            box_: text(f.box_),
            postal_code: postal,
            city,
            phone,
        },
    })
}

/// Counter or contact-centre staff keep a record for a resident who has no
/// account (or no e-mail): their name, language and postal address.
pub async fn create_resident(
    app: &App,
    actor: &Actor,
    input: &ResidentInput<'_>,
) -> Result<String, Refusal> {
    let r = check_resident(input)?;
    let mut tx = app.store.begin().await?;
    let id = store::create_resident(
        &mut tx,
        actor,
        &r.name,
        r.email.as_ref(),
        &r.locale,
        &r.profile,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
