//! Configuration: defaults that need no file, then `loket.toml` (or the file
//! given with `--config`), then `LOKET_*` environment variables, then the
//! command-line options. Later sources win.

use crate::mail_in::imap::ImapSource;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where `serve` listens.
    pub addr: String,
    /// Where the SQLite database, sent mail (.eml) and other files live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// Optional `postgres://…` of a streaming replica of `database_url`:
    /// lists, dashboards, reports and exports read from it.
    pub database_read_url: Option<String>,
    /// Optional `postgres://…` straight to the server of `database_url`,
    /// for the migrations only: behind PgBouncer in transaction pooling,
    /// the migrator's session-level advisory lock must not go through the
    /// pooler.
    pub database_migrate_url: Option<String>,
    /// Connections in the database pool.
    pub db_max_connections: u32,
    /// The address people reach Loket at (for links in e-mails);
    /// default `http://<addr>`. `https://` turns on `Secure` cookies.
    pub public_url: Option<String>,
    /// The city's name, colours and logo (an SVG file).
    pub city_name: String,
    pub primary_color: String,
    pub accent_color: String,
    pub logo_path: Option<PathBuf>,
    /// `smtp://user:pass@host:587?tls=required` or `smtps://…`. Without it,
    /// mail is written as .eml files to `<data_dir>/mail/`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// ICT's address: when a staff record's end date comes, the worker
    /// mails it the equipment still on loan to that person.
    pub ict_mail: String,
    /// How often the outbox worker looks for messages, in milliseconds.
    pub outbox_poll_ms: u64,
    /// Proxies (IP addresses) whose `X-Forwarded-For` header is believed.
    pub trusted_proxies: Vec<String>,
    /// Idle lifetime of a signed-in session, in hours.
    pub session_hours: u64,
    /// Absolute lifetime of any session, in hours: after it, sign in again
    /// however much the session was used.
    pub session_max_hours: u64,
    /// When set, `/metrics` needs `Authorization: Bearer <this token>`.
    pub metrics_token: Option<String>,
    /// Keys of signed links as `id:secret` (the first signs), for
    /// instances that do not share a data directory. Empty: the key file
    /// `<data_dir>/keys.json`, made on first start (see docs/security.md).
    pub signing_keys: Vec<String>,
    /// How long a replaced signing key keeps checking links, in days.
    pub key_grace_days: u64,
    /// How long a request may take until its answer starts, in seconds
    /// (408 after; event streams then run on).
    pub request_timeout_secs: u64,
    /// Public live streams (the displays' event streams) one client address
    /// may hold open at once; 0: no limit.
    pub live_streams_per_ip: usize,
    /// `text` or `json`.
    pub log_format: String,
    /// A tracing filter, e.g. `info` or `loket=debug,tower_http=info`.
    pub log_level: String,
    /// Largest accepted request body, in KiB.
    pub max_body_kib: usize,
    /// The city's account that pays premiums (SEPA payment files), and the
    /// name on it.
    pub payer_iban: String,
    pub payer_name: String,
    /// The contact centre's incoming mail: a Maildir folder (with `new/`
    /// and `cur/`) that the mail server delivers the contact address to.
    /// Unset: no e-mail in.
    pub contact_maildir: Option<PathBuf>,
    /// How often the Maildir is read, in seconds.
    pub contact_maildir_poll_secs: u64,
    /// The contact centre's incoming mail from an IMAP account:
    /// `imaps://USER:PASSWORD@HOST[:PORT][/MAILBOX]` (TLS), or
    /// `imap://…` (STARTTLS; `?tls=none` only to this machine). User and
    /// password are percent-encoded. Unset: no IMAP.
    pub contact_imap_url: Option<String>,
    /// Extra certificates (PEM) to trust for the IMAP server, such as the
    /// city's own CA; the public web roots are always trusted.
    pub contact_imap_ca_file: Option<PathBuf>,
    /// The mailbox that unusable mail is moved to (created when missing).
    pub contact_imap_rejected_mailbox: String,
    /// How often the IMAP mailbox is read, in seconds.
    pub contact_imap_poll_secs: u64,
    /// Extra certificates (PEM) to trust for webhook receivers, such as the
    /// city's own CA; the public web roots are always trusted.
    pub webhook_ca_file: Option<PathBuf>,
    /// The residents' OpenID Connect provider (ACM/IDM, FAS/CSAM, …): its
    /// issuer URL; unset, residents sign in with a password only.
    pub oidc_residents_issuer: Option<String>,
    pub oidc_residents_client_id: String,
    pub oidc_residents_client_secret: String,
    /// The scopes asked for, separated by spaces.
    pub oidc_residents_scopes: String,
    /// The claim that carries the national register number.
    pub oidc_residents_nrn_claim: String,
    /// The staff directory's OpenID Connect provider (Entra ID, Keycloak,
    /// …): its issuer URL; unset, staff sign in with a password.
    pub oidc_staff_issuer: Option<String>,
    pub oidc_staff_client_id: String,
    pub oidc_staff_client_secret: String,
    /// The scopes asked for, separated by spaces.
    pub oidc_staff_scopes: String,
    /// The claim with the person's groups (mapped to roles with
    /// `loket user staff-group`).
    pub oidc_staff_groups_claim: String,
    /// Whether staff may sign in with a local password; when false, only
    /// `break_glass_admins` keep one.
    pub staff_password_login: bool,
    /// E-mail addresses of admin accounts that keep a password when
    /// `staff_password_login` is false.
    pub break_glass_admins: Vec<String>,
    /// Accounts holding one of these roles that sign in with a password
    /// must enrol and give a TOTP second factor (staff signing in through
    /// the directory are not asked: their provider does MFA).
    pub totp_required_roles: Vec<String>,
    /// The contact centre's phone number, on the home page ("Need help?").
    pub contact_phone: String,
    /// The contact centre's opening hours: `1-5 08:30-17:00; 6 09:00-12:00`
    /// (ISO weekdays, 1 = Monday).
    pub contact_hours: String,
    /// The privacy page's controller: who processes the data, with address.
    pub privacy_controller: String,
    /// The privacy page's data protection officer: how to reach them.
    pub privacy_dpo: String,
    /// The accessibility statement's date (`YYYY-MM-DD`): when it was
    /// prepared or last reviewed.
    pub accessibility_statement_date: String,
    /// The retention schedule (docs/privacy.md): how long each kind of
    /// data is kept before the daily retention run removes or anonymises
    /// it. Failed sign-in attempts, in hours.
    pub retention_login_failures_hours: u32,
    /// Sent e-mails: days after sending until the body (and `.eml` file)
    /// is removed.
    pub retention_mail_days: u32,
    /// Public knowledge-base search text, in days.
    pub retention_search_days: u32,
    /// Case drafts never submitted (and their uploads), in days after the
    /// last change.
    pub retention_drafts_days: u32,
    /// Closed contact moments, in months after the last change; then
    /// anonymised.
    pub retention_contact_moments_months: u32,
    /// Vaccination invitations and reserve entries, in months after the
    /// campaign's last day; then anonymised.
    pub retention_vaccination_months: u32,
    /// The audit log, in months.
    pub retention_audit_months: u32,
    /// The access log, in months.
    pub retention_access_months: u32,
}

/// The schedule's configuration keys and the kinds they set.
pub const RETENTION_KEYS: [(&str, &str); 8] = [
    ("retention_login_failures_hours", "login-failures"),
    ("retention_mail_days", "mail"),
    ("retention_search_days", "search"),
    ("retention_drafts_days", "drafts"),
    ("retention_contact_moments_months", "contact-moments"),
    ("retention_vaccination_months", "vaccination"),
    ("retention_audit_months", "audit"),
    ("retention_access_months", "access"),
];

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080".to_owned(),
            data_dir: PathBuf::from("loket-data"),
            database_url: None,
            database_read_url: None,
            database_migrate_url: None,
            db_max_connections: 10,
            public_url: None,
            city_name: "Stad Leuven".to_owned(),
            primary_color: "#004f6e".to_owned(),
            accent_color: "#ffbf47".to_owned(),
            logo_path: None,
            smtp_url: None,
            mail_from: "loket@leuven.example".to_owned(),
            ict_mail: "ict@leuven.example".to_owned(),
            contact_phone: "016 00 00 00".to_owned(),
            contact_hours: "1-5 08:30-17:00".to_owned(),
            privacy_controller: "Stad Leuven, Professor Van Overstraetenplein 1, 3000 Leuven"
                .to_owned(),
            privacy_dpo: "privacy@leuven.example".to_owned(),
            accessibility_statement_date: "2026-12-03".to_owned(),
            outbox_poll_ms: 2000,
            trusted_proxies: Vec::new(),
            session_hours: 8,
            session_max_hours: 12,
            metrics_token: None,
            signing_keys: Vec::new(),
            key_grace_days: 90,
            request_timeout_secs: 60,
            live_streams_per_ip: 20,
            log_format: "text".to_owned(),
            log_level: "info".to_owned(),
            max_body_kib: 64,
            payer_iban: "BE68539007547034".to_owned(),
            payer_name: "Stad Leuven".to_owned(),
            contact_maildir: None,
            contact_maildir_poll_secs: 60,
            contact_imap_url: None,
            contact_imap_ca_file: None,
            contact_imap_rejected_mailbox: "Loket-rejected".to_owned(),
            contact_imap_poll_secs: 60,
            webhook_ca_file: None,
            oidc_residents_issuer: None,
            oidc_residents_client_id: String::new(),
            oidc_residents_client_secret: String::new(),
            oidc_residents_scopes: "openid profile rrn".to_owned(),
            oidc_residents_nrn_claim: "rrn".to_owned(),
            oidc_staff_issuer: None,
            oidc_staff_client_id: String::new(),
            oidc_staff_client_secret: String::new(),
            oidc_staff_scopes: "openid profile email".to_owned(),
            oidc_staff_groups_claim: "groups".to_owned(),
            staff_password_login: true,
            break_glass_admins: Vec::new(),
            retention_login_failures_hours: retention_default("login-failures"),
            retention_mail_days: retention_default("mail"),
            retention_search_days: retention_default("search"),
            retention_drafts_days: retention_default("drafts"),
            retention_contact_moments_months: retention_default("contact-moments"),
            retention_vaccination_months: retention_default("vaccination"),
            retention_audit_months: retention_default("audit"),
            retention_access_months: retention_default("access"),
            totp_required_roles: vec![
                "admin".to_owned(),
                "hr".to_owned(),
                "finance".to_owned(),
                "privacy_officer".to_owned(),
            ],
        }
    }
}

fn retention_default(kind: &str) -> u32 {
    loket_domain::privacy::kind(kind).map_or(1, |k| k.default)
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Figment(#[from] Box<figment::Error>),
    #[error("configuration: {field}: {message}")]
    Field {
        field: &'static str,
        message: String,
    },
}

/// Command-line values that override the configuration.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub addr: Option<String>,
}

/// Whether `LOKET_<rest>=value` is someone else's variable rather than an
/// unknown configuration key: the test suite's (`LOKET_TEST_*`), the
/// logger's (`LOKET_LOG`), or a Kubernetes service link of a Service named
/// `loket`: `LOKET_SERVICE_HOST`, `LOKET_SERVICE_PORT[_<NAME>]`,
/// `LOKET_PORT=tcp://…` (or `udp://`, `sctp://`) and
/// `LOKET_PORT_<n>_<PROTO>[_PROTO|_PORT|_ADDR]`.
pub fn is_foreign_env(rest: &str, value: &str) -> bool {
    let key = rest.to_ascii_uppercase();
    let is_proto = |p: &str| matches!(p, "TCP" | "UDP" | "SCTP");
    if key.starts_with("TEST_") || key == "LOG" {
        return true;
    }
    if key == "SERVICE_HOST" || key == "SERVICE_PORT" {
        return true;
    }
    if let Some(name) = key.strip_prefix("SERVICE_PORT_") {
        return !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    }
    if key == "PORT" {
        return value
            .split_once("://")
            .is_some_and(|(scheme, _)| is_proto(&scheme.to_ascii_uppercase()));
    }
    if let Some(link) = key.strip_prefix("PORT_") {
        let parts: Vec<&str> = link.split('_').collect();
        let port_ok =
            |p: &str| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
        return match parts.as_slice() {
            [port, proto] => port_ok(port) && is_proto(proto),
            [port, proto, part] => {
                port_ok(port) && is_proto(proto) && matches!(*part, "PROTO" | "PORT" | "ADDR")
            }
            _ => false,
        };
    }
    false
}

/// An OpenID provider from its keys (`names`: the issuer's, the client
/// id's and the claim's key, for errors), or none without an issuer.
fn oidc_provider(
    names: [&'static str; 3],
    issuer: Option<&str>,
    client_id: &str,
    client_secret: &str,
    scopes: &str,
    claim: &str,
) -> Result<Option<loket_app::people::oidc::OidcProvider>, ConfigError> {
    let Some(issuer) = issuer.filter(|i| !i.is_empty()) else {
        return Ok(None);
    };
    let field = |field, message: &str| ConfigError::Field {
        field,
        message: message.to_owned(),
    };
    if !issuer.starts_with("https://") && !issuer.starts_with("http://") {
        return Err(field(
            names[0],
            "use the provider's issuer URL, like https://login.example.be/realms/city",
        ));
    }
    if client_id.trim().is_empty() {
        return Err(field(names[1], "set the client id the provider gave Loket"));
    }
    if claim.trim().is_empty() {
        return Err(field(names[2], "name the claim Loket reads"));
    }
    loket_app::people::oidc::OidcProvider::new(
        issuer,
        client_id.trim(),
        client_secret,
        scopes,
        claim.trim(),
    )
    .map(Some)
    .map_err(|m| field(names[0], &m))
}

/// A value as `loket config check` shows it: keys that name a secret
/// entirely masked; a URL's password (and `password=` in its query) masked.
pub fn mask(key: &str, value: &str) -> String {
    const HIDDEN: &str = "********";
    let k = key.to_ascii_lowercase();
    if ["password", "secret", "token"]
        .iter()
        .any(|w| k.contains(w))
        || k.ends_with("_key")
        || k.ends_with("_keys")
        || k == "key"
    {
        return if value.is_empty() {
            String::new()
        } else {
            HIDDEN.to_owned()
        };
    }
    let Ok(mut url) = url::Url::parse(value) else {
        return value.to_owned();
    };
    if !value.contains("://") {
        return value.to_owned();
    }
    let mut changed = false;
    if url.password().is_some() {
        changed = url.set_password(Some(HIDDEN)).is_ok();
    }
    let secret_param = |n: &str| {
        let n = n.to_ascii_lowercase();
        ["password", "pass", "secret", "token", "key"]
            .iter()
            .any(|w| n.contains(w))
    };
    if url.query_pairs().any(|(n, _)| secret_param(&n)) {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(n, v)| {
                let v = if secret_param(&n) {
                    HIDDEN.to_owned()
                } else {
                    v.into_owned()
                };
                (n.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        changed = true;
    }
    if changed {
        url.to_string()
    } else {
        value.to_owned()
    }
}

fn is_css_color(s: &str) -> bool {
    let hex = s.strip_prefix('#').unwrap_or("");
    matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit())
}

impl Config {
    /// Reads the configuration. A missing default `loket.toml` is fine; a
    /// missing file given with `--config` is an error.
    pub fn load(o: &Overrides) -> Result<Config, ConfigError> {
        Self::load_with_sources(o).map(|(c, _)| c)
    }

    /// Reads the configuration, and where each key came from.
    fn load_with_sources(o: &Overrides) -> Result<(Config, Figment), ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match &o.config {
            Some(path) => {
                if !path.exists() {
                    return Err(ConfigError::Field {
                        field: "--config",
                        message: format!("{} does not exist", path.display()),
                    });
                }
                fig = fig.merge(Toml::file_exact(path));
            }
            None => fig = fig.merge(Toml::file("loket.toml")),
        }
        // Variables that are not Loket's configuration, though they start
        // with `LOKET_`: the test suite's, `LOKET_LOG` (read by the logger)
        // and the service links Kubernetes gives every pod of a Service
        // named `loket`. Every other unknown key is still refused.
        let foreign: HashSet<String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter_map(|(k, v)| {
                let rest = k
                    .get(..6)?
                    .eq_ignore_ascii_case("LOKET_")
                    .then(|| &k[6..])?;
                is_foreign_env(rest, &v).then(|| rest.to_ascii_lowercase())
            })
            .collect();
        fig = fig.merge(
            Env::prefixed("LOKET_")
                .filter(move |k| !foreign.contains(&k.as_str().to_ascii_lowercase())),
        );
        let mut c: Config = fig
            .extract()
            .map_err(|e| ConfigError::Figment(Box::new(e)))?;
        if let Some(d) = &o.data_dir {
            c.data_dir = d.clone();
        }
        if let Some(u) = &o.database_url {
            c.database_url = Some(u.clone());
        }
        if let Some(a) = &o.addr {
            c.addr = a.clone();
        }
        c.check()?;
        Ok((c, fig))
    }

    /// `loket config check`: the effective configuration, one key a line
    /// with where it came from, secrets masked; an error when it is invalid.
    pub fn report(o: &Overrides) -> Result<String, ConfigError> {
        let (c, fig) = Self::load_with_sources(o)?;
        let from_cli = |key: &str| match key {
            "data_dir" => o.data_dir.is_some(),
            "database_url" => o.database_url.is_some(),
            "addr" => o.addr.is_some(),
            _ => false,
        };
        let dict = figment::value::Value::serialize(&c)
            .ok()
            .and_then(|v| v.into_dict())
            .unwrap_or_default();
        let mut out = String::new();
        for (key, value) in &dict {
            let source = if from_cli(key) {
                "command line".to_owned()
            } else {
                match fig.find_metadata(key) {
                    Some(m) => match &m.source {
                        Some(figment::Source::File(p)) => format!("file {}", p.display()),
                        _ if m.name.contains("environment") => {
                            format!("environment LOKET_{}", key.to_ascii_uppercase())
                        }
                        _ => "default".to_owned(),
                    },
                    None => "default".to_owned(),
                }
            };
            let shown = match serde_json::to_value(value) {
                Ok(serde_json::Value::Null) => "(unset)".to_owned(),
                Ok(serde_json::Value::String(s)) => {
                    serde_json::Value::String(mask(key, &s)).to_string()
                }
                Ok(v) => v.to_string(),
                Err(_) => "?".to_owned(),
            };
            out.push_str(&format!("{key} = {shown}  # {source}\n"));
        }
        Ok(out)
    }

    /// Refuses a configuration that cannot work, naming the key.
    pub fn check(&self) -> Result<(), ConfigError> {
        let field = |field, message: &str| {
            Err(ConfigError::Field {
                field,
                message: message.to_owned(),
            })
        };
        if !is_css_color(&self.primary_color) {
            return field("primary_color", "use a hex colour like #004f6e");
        }
        if !is_css_color(&self.accent_color) {
            return field("accent_color", "use a hex colour like #ffbf47");
        }
        if self.addr.parse::<std::net::SocketAddr>().is_err() {
            return field("addr", "use an address and port like 127.0.0.1:8080");
        }
        if !self.signing_keys.is_empty() {
            let keys = self
                .signing_keys
                .iter()
                .map(|k| loket_app::signing::SigningKey::parse(k))
                .collect::<Result<Vec<_>, _>>()
                .and_then(loket_app::signing::KeyRing::new);
            if let Err(e) = keys {
                return field(
                    "signing_keys",
                    &format!(
                        "{e}; write each key as \"id:secret\", secrets of at least 32 characters (e.g. `openssl rand -hex 32`)"
                    ),
                );
            }
        }
        if let Some(url) = &self.database_url
            && loket_store::Backend::from_url(url).is_err()
        {
            return field(
                "database_url",
                "use sqlite://PATH or postgres://USER@HOST/DB",
            );
        }
        if let Some(url) = &self.database_read_url {
            let primary_pg = self.database_url.as_deref().is_some_and(|u| {
                matches!(
                    loket_store::Backend::from_url(u),
                    Ok(loket_store::Backend::Postgres)
                )
            });
            if !matches!(
                loket_store::Backend::from_url(url),
                Ok(loket_store::Backend::Postgres)
            ) || !primary_pg
            {
                return field(
                    "database_read_url",
                    "use postgres://USER@REPLICA-HOST/DB, a streaming replica of a PostgreSQL database_url",
                );
            }
        }
        if let Some(url) = &self.database_migrate_url {
            let primary_pg = self.database_url.as_deref().is_some_and(|u| {
                matches!(
                    loket_store::Backend::from_url(u),
                    Ok(loket_store::Backend::Postgres)
                )
            });
            if !matches!(
                loket_store::Backend::from_url(url),
                Ok(loket_store::Backend::Postgres)
            ) || !primary_pg
            {
                return field(
                    "database_migrate_url",
                    "use postgres://USER@DB-HOST/DB, the database of a PostgreSQL database_url reached without the pooler",
                );
            }
        }
        if loket_domain::ident::Iban::parse(&self.payer_iban).is_err() {
            return field(
                "payer_iban",
                "use the city's IBAN, like BE68 5390 0754 7034",
            );
        }
        if self.payer_name.trim().is_empty() || self.payer_name.chars().count() > 70 {
            return field(
                "payer_name",
                "use the account holder's name (1 to 70 characters)",
            );
        }
        if loket_domain::ident::Email::parse(&self.mail_from).is_err() {
            return field("mail_from", "use an e-mail address");
        }
        if loket_domain::ident::Email::parse(&self.ict_mail).is_err() {
            return field("ict_mail", "use an e-mail address");
        }
        let phone = self.contact_phone.trim();
        if phone.is_empty()
            || phone.chars().count() > 30
            || !phone.chars().any(|c| c.is_ascii_digit())
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-./()".contains(c))
        {
            return field(
                "contact_phone",
                "use the contact centre's number, like 016 27 20 00 or +32 16 27 20 00",
            );
        }
        if let Err(how) = loket_domain::contact::OpeningHours::parse(&self.contact_hours) {
            return field("contact_hours", &how);
        }
        if self.privacy_controller.trim().is_empty() {
            return field("privacy_controller", "name the controller and its address");
        }
        if self.privacy_dpo.trim().is_empty() {
            return field(
                "privacy_dpo",
                "say how to reach the data protection officer",
            );
        }
        if self
            .accessibility_statement_date
            .trim()
            .parse::<jiff::civil::Date>()
            .is_err()
        {
            return field("accessibility_statement_date", "use a date like 2026-12-03");
        }
        for p in &self.trusted_proxies {
            if p.parse::<IpAddr>().is_err() {
                return field("trusted_proxies", "list IP addresses, like [\"10.0.0.5\"]");
            }
        }
        self.contact_imap()?;
        self.oidc_residents()?;
        self.oidc_staff()?;
        if !self.staff_password_login && self.oidc_staff_issuer.is_none() {
            return field(
                "staff_password_login",
                "set oidc_staff_issuer first: without a directory and without passwords, staff cannot sign in",
            );
        }
        for a in &self.break_glass_admins {
            if loket_domain::ident::Email::parse(a).is_err() {
                return field(
                    "break_glass_admins",
                    "list e-mail addresses of admin accounts",
                );
            }
        }
        self.totp_required_roles()?;
        if self.webhook_ca_file.is_some() {
            self.webhook_client()?;
        }
        self.retention()?;
        Ok(())
    }

    /// The retention schedule: the defaults with the configured periods.
    /// A period of 0 is refused, naming its key.
    pub fn retention(&self) -> Result<loket_domain::privacy::Schedule, ConfigError> {
        let mut s = loket_domain::privacy::Schedule::default();
        let values = [
            self.retention_login_failures_hours,
            self.retention_mail_days,
            self.retention_search_days,
            self.retention_drafts_days,
            self.retention_contact_moments_months,
            self.retention_vaccination_months,
            self.retention_audit_months,
            self.retention_access_months,
        ];
        for ((key, kind), value) in RETENTION_KEYS.iter().zip(values) {
            s.set(kind, value).map_err(|m| ConfigError::Field {
                field: key,
                message: m.to_owned(),
            })?;
        }
        let hours = |h: u64| u32::try_from(h.max(1)).unwrap_or(u32::MAX);
        s.set("sessions", hours(self.session_hours))
            .map_err(|m| ConfigError::Field {
                field: "session_hours",
                message: m.to_owned(),
            })?;
        s.session_max_hours = hours(self.session_max_hours);
        Ok(s)
    }

    /// The residents' OpenID Connect provider, when `oidc_residents_issuer`
    /// is set: then the client id, and a claim, are required.
    pub fn oidc_residents(
        &self,
    ) -> Result<Option<loket_app::people::oidc::OidcProvider>, ConfigError> {
        oidc_provider(
            [
                "oidc_residents_issuer",
                "oidc_residents_client_id",
                "oidc_residents_nrn_claim",
            ],
            self.oidc_residents_issuer.as_deref(),
            &self.oidc_residents_client_id,
            &self.oidc_residents_client_secret,
            &self.oidc_residents_scopes,
            &self.oidc_residents_nrn_claim,
        )
    }

    /// The staff directory's provider, when `oidc_staff_issuer` is set.
    /// The roles of `totp_required_roles`, each a known role.
    pub fn totp_required_roles(&self) -> Result<Vec<loket_domain::people::Role>, ConfigError> {
        self.totp_required_roles
            .iter()
            .map(|r| {
                loket_domain::people::Role::parse(r).map_err(|_| ConfigError::Field {
                    field: "totp_required_roles",
                    message: format!("{r:?} is no role of Loket"),
                })
            })
            .collect()
    }

    pub fn oidc_staff(&self) -> Result<Option<loket_app::people::oidc::OidcProvider>, ConfigError> {
        oidc_provider(
            [
                "oidc_staff_issuer",
                "oidc_staff_client_id",
                "oidc_staff_groups_claim",
            ],
            self.oidc_staff_issuer.as_deref(),
            &self.oidc_staff_client_id,
            &self.oidc_staff_client_secret,
            &self.oidc_staff_scopes,
            &self.oidc_staff_groups_claim,
        )
    }

    /// The HTTP client that delivers webhooks: TLS (rustls, ring) with the
    /// public web roots and the certificates of `webhook_ca_file`; no
    /// redirects, a 10 s time-out. An unreadable or empty CA file is an
    /// error naming the key.
    pub fn webhook_client(&self) -> Result<reqwest::Client, ConfigError> {
        let field = |message: String| ConfigError::Field {
            field: "webhook_ca_file",
            message,
        };
        let mut b = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none());
        if let Some(f) = &self.webhook_ca_file {
            let pem = std::fs::read(f).map_err(|e| field(format!("{}: {e}", f.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| field(format!("{}: {e}", f.display())))?;
            if certs.is_empty() {
                return Err(field(format!(
                    "{}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it",
                    f.display()
                )));
            }
            for cert in certs {
                b = b.add_root_certificate(cert);
            }
        }
        b.build().map_err(|e| match &self.webhook_ca_file {
            Some(f) => field(format!("{}: {e}", f.display())),
            None => ConfigError::Field {
                field: "webhook client",
                message: e.to_string(),
            },
        })
    }

    /// The IMAP account to read the contact centre's mail from, if any.
    pub fn contact_imap(&self) -> Result<Option<ImapSource>, ConfigError> {
        let Some(url) = &self.contact_imap_url else {
            return Ok(None);
        };
        let mut src =
            ImapSource::parse(url, &self.contact_imap_rejected_mailbox).map_err(|message| {
                ConfigError::Field {
                    field: "contact_imap_url",
                    message,
                }
            })?;
        if let Some(f) = &self.contact_imap_ca_file {
            if !f.is_file() {
                return Err(ConfigError::Field {
                    field: "contact_imap_ca_file",
                    message: format!("{} is not a file", f.display()),
                });
            }
            src.ca_file = Some(f.clone());
        }
        Ok(Some(src))
    }

    /// The database URL: the configured one, or SQLite in the data folder.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("loket.db").display()
            )
        })
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// The key file of signed links (unless `signing_keys` is set).
    pub fn keys_file(&self) -> PathBuf {
        self.data_dir.join("keys.json")
    }

    /// The keys of signed links, as the use cases read them.
    pub fn keys(&self) -> loket_app::signing::Keys {
        loket_app::signing::Keys::new(self.keys_file(), &self.signing_keys)
    }

    pub fn key_grace_ms(&self) -> i64 {
        i64::try_from(self.key_grace_days)
            .unwrap_or(i64::MAX)
            .saturating_mul(86_400_000)
    }

    pub fn public_url(&self, bound: &str) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"))
    }

    pub fn trusted_proxies(&self) -> Vec<IpAddr> {
        self.trusted_proxies
            .iter()
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    pub fn logo_svg(&self) -> std::io::Result<Option<String>> {
        self.logo_path
            .as_deref()
            .map(std::fs::read_to_string)
            .transpose()
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours() {
        assert!(is_css_color("#004f6e"));
        assert!(is_css_color("#fff"));
        assert!(!is_css_color("red;}body{display:none"));
        assert!(!is_css_color("#12345"));
    }

    #[test]
    fn the_legal_pages_keys_are_checked_at_start() {
        let field_of = |c: &Config| match c.check() {
            Err(ConfigError::Field { field, .. }) => Some(field),
            _ => None,
        };
        assert!(Config::default().check().is_ok());
        for (tweak, name) in [
            (
                (|c: &mut Config| c.accessibility_statement_date = "3/12/2026".into())
                    as fn(&mut Config),
                "accessibility_statement_date",
            ),
            (
                |c: &mut Config| c.privacy_controller = " ".into(),
                "privacy_controller",
            ),
            (
                |c: &mut Config| c.privacy_dpo = String::new(),
                "privacy_dpo",
            ),
            (
                |c: &mut Config| c.contact_phone = "call us".into(),
                "contact_phone",
            ),
            (
                |c: &mut Config| c.contact_hours = "Mon-Fri 9-17".into(),
                "contact_hours",
            ),
        ] {
            let mut c = Config::default();
            tweak(&mut c);
            assert_eq!(field_of(&c), Some(name));
        }
    }

    #[test]
    fn the_imap_account_is_checked_at_start() {
        let field_of = |c: &Config| match c.check() {
            Err(ConfigError::Field { field, message }) => Some((field, message)),
            _ => None,
        };
        let mut c = Config {
            contact_imap_url: Some("imap://contact:pw@mail.leuven.example?tls=none".to_owned()),
            ..Config::default()
        };
        let e = field_of(&c);
        assert!(
            e.as_ref()
                .is_some_and(|(f, m)| *f == "contact_imap_url" && m.contains("in the clear")),
            "{e:?}"
        );
        c.contact_imap_url = Some("imaps://contact%40leuven.example:pw@mail.leuven.example".into());
        assert!(c.check().is_ok());
        c.contact_imap_ca_file = Some(PathBuf::from("/nonexistent/ca.pem"));
        let e = field_of(&c);
        assert!(
            e.as_ref()
                .is_some_and(|(f, _)| *f == "contact_imap_ca_file"),
            "{e:?}"
        );
        c.contact_imap_ca_file = None;
        c.contact_imap_rejected_mailbox = "INBOX".to_owned();
        assert!(field_of(&c).is_some_and(|(_, m)| m.contains("must differ")));
    }
}

#[cfg(test)]
mod env_tests {
    use super::*;

    #[test]
    fn kubernetes_service_links_are_not_configuration() {
        for (k, v) in [
            ("PORT", "tcp://10.0.0.1:8080"),
            ("PORT", "udp://10.0.0.1:53"),
            ("PORT", "sctp://10.0.0.1:9"),
            ("PORT_8080_TCP", "tcp://10.0.0.1:8080"),
            ("PORT_8080_TCP_PROTO", "tcp"),
            ("PORT_8080_TCP_PORT", "8080"),
            ("PORT_8080_TCP_ADDR", "10.0.0.1"),
            ("PORT_53_UDP_ADDR", "10.0.0.1"),
            ("SERVICE_HOST", "10.0.0.1"),
            ("SERVICE_PORT", "8080"),
            ("SERVICE_PORT_HTTP", "8080"),
            ("SERVICE_PORT_METRICS_2", "9090"),
            ("TEST_BROWSER", "1"),
            ("LOG", "debug"),
        ] {
            assert!(is_foreign_env(k, v), "LOKET_{k}={v} is ignored");
        }
        for (k, v) in [
            ("PORT", "8080"),
            ("PORT", "http://10.0.0.1:8080"),
            ("PORT_8080", "tcp://10.0.0.1:8080"),
            ("PORT_8080_HTTP", "x"),
            ("PORT_HTTP_TCP", "x"),
            ("PORT_8080_TCP_HOST", "10.0.0.1"),
            ("SERVICE_HOSTS", "x"),
            ("SERVICE_PORT_", "8080"),
            ("FOO", "1"),
            ("ADDR", "0.0.0.0:8080"),
        ] {
            assert!(!is_foreign_env(k, v), "LOKET_{k}={v} is still checked");
        }
    }

    #[test]
    fn secrets_are_masked() {
        assert_eq!(
            mask("database_url", "postgres://loket:s3cret@db.example/loket"),
            "postgres://loket:********@db.example/loket"
        );
        assert_eq!(
            mask(
                "database_url",
                "postgres://loket@db/loket?password=s3cret&sslmode=require"
            ),
            "postgres://loket@db/loket?password=********&sslmode=require"
        );
        assert_eq!(
            mask("smtp_url", "smtp://u:p%40ss@mail.example:587?tls=required"),
            "smtp://u:********@mail.example:587?tls=required"
        );
        assert_eq!(mask("api_token", "abc"), "********");
        assert_eq!(mask("signing_key", "abc"), "********");
        assert_eq!(mask("addr", "127.0.0.1:8080"), "127.0.0.1:8080");
        assert_eq!(
            mask("database_url", "sqlite://loket-data/loket.db?mode=rwc"),
            "sqlite://loket-data/loket.db?mode=rwc"
        );
        assert_eq!(mask("city_name", "Stad Leuven"), "Stad Leuven");
    }

    #[test]
    fn the_webhook_ca_file_is_checked_at_start() {
        let field_of = |c: &Config| match c.check() {
            Err(ConfigError::Field { field, message }) => Some((field, message)),
            _ => None,
        };
        let dir = std::env::temp_dir().join(format!("loket-ca-{}", loket_store::new_id()));
        assert!(std::fs::create_dir_all(&dir).is_ok());
        let mut c = Config {
            webhook_ca_file: Some(dir.join("missing.pem")),
            ..Config::default()
        };
        let e = field_of(&c);
        assert!(
            e.as_ref().is_some_and(|(f, _)| *f == "webhook_ca_file"),
            "{e:?}"
        );
        let junk = dir.join("junk.pem");
        assert!(std::fs::write(&junk, "not a certificate\n").is_ok());
        c.webhook_ca_file = Some(junk);
        let e = field_of(&c);
        assert!(
            e.as_ref()
                .is_some_and(|(f, m)| *f == "webhook_ca_file" && m.contains("no PEM certificate")),
            "{e:?}"
        );
        let bad = dir.join("bad.pem");
        assert!(
            std::fs::write(
                &bad,
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
            )
            .is_ok()
        );
        c.webhook_ca_file = Some(bad);
        let e = field_of(&c);
        assert!(
            e.as_ref().is_some_and(|(f, _)| *f == "webhook_ca_file"),
            "{e:?}"
        );
        c.webhook_ca_file = None;
        assert!(c.check().is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The webhook client speaks TLS: building it with rustls and the
    /// built-in roots must work (a reqwest without a TLS feature cannot).
    #[test]
    fn the_webhook_client_has_tls() {
        assert!(Config::default().webhook_client().is_ok());
    }
}
