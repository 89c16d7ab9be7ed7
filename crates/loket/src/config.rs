//! Configuration: defaults that need no file, then `loket.toml` (or the file
//! given with `--config`), then `LOKET_*` environment variables, then the
//! command-line options. Later sources win.

use crate::mail_in::imap::ImapSource;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
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
    /// How often the outbox worker looks for messages, in milliseconds.
    pub outbox_poll_ms: u64,
    /// Proxies (IP addresses) whose `X-Forwarded-For` header is believed.
    pub trusted_proxies: Vec<String>,
    /// Idle lifetime of a signed-in session, in hours.
    pub session_hours: u64,
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
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080".to_owned(),
            data_dir: PathBuf::from("loket-data"),
            database_url: None,
            db_max_connections: 10,
            public_url: None,
            city_name: "Stad Leuven".to_owned(),
            primary_color: "#004f6e".to_owned(),
            accent_color: "#ffbf47".to_owned(),
            logo_path: None,
            smtp_url: None,
            mail_from: "loket@leuven.example".to_owned(),
            outbox_poll_ms: 2000,
            trusted_proxies: Vec::new(),
            session_hours: 8,
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
        }
    }
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

fn is_css_color(s: &str) -> bool {
    let hex = s.strip_prefix('#').unwrap_or("");
    matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit())
}

impl Config {
    /// Reads the configuration. A missing default `loket.toml` is fine; a
    /// missing file given with `--config` is an error.
    pub fn load(o: &Overrides) -> Result<Config, ConfigError> {
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
        // `LOKET_TEST_*` variables belong to the test suite, not to Loket.
        fig = fig.merge(
            Env::prefixed("LOKET_")
                .filter(|k| !k.as_str().to_ascii_lowercase().starts_with("test_")),
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
        Ok(c)
    }

    fn check(&self) -> Result<(), ConfigError> {
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
        if let Some(url) = &self.database_url
            && loket_store::Backend::from_url(url).is_err()
        {
            return field(
                "database_url",
                "use sqlite://PATH or postgres://USER@HOST/DB",
            );
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
        for p in &self.trusted_proxies {
            if p.parse::<IpAddr>().is_err() {
                return field("trusted_proxies", "list IP addresses, like [\"10.0.0.5\"]");
            }
        }
        self.contact_imap()?;
        Ok(())
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
