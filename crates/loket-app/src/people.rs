//! People and accounts: the mails of an account's life (confirm the
//! address, choose a new password, welcome a new staff member), each with
//! its single-use link.

use crate::Config;
use crate::i18n::Locale;
use loket_domain::ident::Email;
use loket_domain::notify::Mail;

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
