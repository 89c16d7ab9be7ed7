//! Loket's use cases: one function per thing a person or a worker does
//! (book, cancel, send the reminders, offer free places…). Each takes
//! parsed input and an `Actor`, opens the transaction, applies the domain
//! rules, writes the audit and outbox rows, and returns a typed result or a
//! [`Refusal`]. Pages, API routes and background workers call the same
//! function; the web layer only maps the outcome to HTML or problem+json.
//!
//! Mail composition (texts, signed links, calendar files) lives here too,
//! with the Fluent catalogue it needs ([`i18n`]).
//!
//! The crate is cut into the same bounded contexts as every other crate.

pub mod appointments;
pub mod assets;
pub mod bikes;
pub mod cases;
pub mod coalesce;
pub mod contact;
pub mod dashboard;
pub mod i18n;
pub mod limits;
pub mod people;
pub mod privacy;
pub mod queue;
pub mod shifts;
pub mod signing;
pub mod telework;
pub mod vaccination;

use loket_domain::Invalid;
use loket_store::{Store, StoreError};
use std::sync::Arc;

/// What the use cases need to know of the configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The city's name, shown in the header and in e-mails.
    pub city_name: String,
    /// An SVG logo, inlined in the header and on letters (trusted: from
    /// the operator's file).
    pub logo_svg: Option<String>,
    /// The address residents reach Loket at, e.g. `https://loket.leuven.be`;
    /// used for links in e-mails.
    pub public_url: String,
    /// Where uploads and generated documents are stored (outside the web root).
    pub files_dir: std::path::PathBuf,
    /// The account premiums are paid from, and its holder's name.
    pub payer_iban: String,
    pub payer_name: String,
    /// The sender address of e-mails (the organizer of calendar invitations).
    pub mail_from: String,
    /// The key file of signed links (made on first start), used unless
    /// `signing_keys` is set.
    pub keys_file: std::path::PathBuf,
    /// Signing keys from the configuration, `id:secret`, the first signs.
    pub signing_keys: Vec<String>,
    /// How long a replaced key (and the database's pre-upgrade key) stays
    /// valid, in days.
    pub key_grace_days: i64,
    /// Where the end-date worker mails the equipment still on loan to a
    /// person whose staff record ended (ICT's desk).
    pub ict_mail: String,
    /// The residents' OpenID Connect provider (e-ID, itsme), if configured.
    pub oidc_residents: Option<people::oidc::OidcProvider>,
    /// The staff directory's OpenID Connect provider, if configured.
    pub oidc_staff: Option<people::oidc::OidcProvider>,
    /// Whether staff may sign in with a local password. When off, only the
    /// break-glass admins below keep theirs.
    pub staff_password_login: bool,
    /// The e-mail addresses (lower case) of the admins who keep a password
    /// when `staff_password_login` is off.
    pub break_glass_admins: Vec<String>,
    /// The retention schedule in force (defaults and configured periods).
    pub retention: loket_domain::privacy::Schedule,
    /// Where sent mail is written as `.eml` files (no SMTP server); the
    /// retention run removes them with the bodies.
    pub mail_dir: std::path::PathBuf,
    /// Accounts holding one of these roles that sign in with a password
    /// must give a TOTP second factor (`people::totp`).
    pub totp_required_roles: Vec<loket_domain::people::Role>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            city_name: "Stad Leuven".to_owned(),
            logo_svg: None,
            public_url: "http://127.0.0.1:8080".to_owned(),
            files_dir: std::path::PathBuf::from("loket-data/files"),
            payer_iban: "BE68539007547034".to_owned(),
            payer_name: "Stad Leuven".to_owned(),
            mail_from: "loket@leuven.example".to_owned(),
            keys_file: std::path::PathBuf::from("loket-data/keys.json"),
            signing_keys: Vec::new(),
            key_grace_days: 90,
            ict_mail: "ict@leuven.example".to_owned(),
            oidc_residents: None,
            oidc_staff: None,
            staff_password_login: true,
            break_glass_admins: Vec::new(),
            retention: loket_domain::privacy::Schedule::default(),
            mail_dir: std::path::PathBuf::from("loket-data/mail"),
            totp_required_roles: people::totp::DEFAULT_REQUIRED_ROLES.to_vec(),
        }
    }
}

impl Config {
    /// An absolute link to `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url.trim_end_matches('/'), path)
    }

    /// The host of the public address (for iCalendar UIDs).
    pub fn host(&self) -> String {
        self.public_url
            .split("://")
            .nth(1)
            .unwrap_or("loket.invalid")
            .split(['/', ':'])
            .next()
            .filter(|h| !h.is_empty())
            .unwrap_or("loket.invalid")
            .to_owned()
    }
}

/// The application: the store and the configuration. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub config: Arc<Config>,
    /// The keys of signed links (see [`signing`]).
    pub keys: Arc<signing::Keys>,
    /// The in-memory limiter in front of the database's counts (see
    /// [`limits`]).
    pub front: Arc<limits::Front>,
    /// The counters' configuration, cached (see [`appointments::catalogue`]).
    pub counters: Arc<appointments::catalogue::Cache>,
    /// The bookings' writer of this instance (see [`appointments::writer`]).
    pub bookings: Arc<appointments::writer::Writer>,
    /// The batched reads of this instance (see [`coalesce`]).
    pub reads: Arc<coalesce::Reads>,
}

impl App {
    pub fn new(store: Store, config: Config) -> Self {
        Self::with_config(store, Arc::new(config))
    }

    pub fn with_config(store: Store, config: Arc<Config>) -> Self {
        let keys = Arc::new(signing::Keys::new(
            config.keys_file.clone(),
            &config.signing_keys,
        ));
        Self {
            store,
            config,
            keys,
            front: Arc::new(limits::Front::default()),
            counters: Arc::new(appointments::catalogue::Cache::default()),
            bookings: Arc::new(appointments::writer::Writer::default()),
            reads: Arc::new(coalesce::Reads::default()),
        }
    }

    /// The keys that sign and check links now.
    pub fn keys(&self) -> Result<Arc<signing::KeyRing>, Refusal> {
        self.keys
            .ring()
            .map_err(|e| Refusal::Internal(e.to_string()))
    }

    /// Grace for replaced keys, in milliseconds.
    pub fn key_grace_ms(&self) -> i64 {
        self.config.key_grace_days.max(0).saturating_mul(86_400_000)
    }
}

/// Writes a file Loket keeps (an upload, a document, a print batch) under
/// the files directory, creating its folder first.
pub(crate) async fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), Refusal> {
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| Refusal::Internal(e.to_string()))?;
    }
    tokio::fs::write(path, bytes)
        .await
        .map_err(|e| Refusal::Internal(e.to_string()))
}

/// Why a use case did not do what it was asked: the app layer's one error
/// type. The web layer maps it once, to a re-rendered form or an error page
/// for pages and to problem+json for the API.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// A field is missing or wrong; each error names its field.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A unique value is taken, or the thing changed meanwhile.
    #[error("conflict: {0}")]
    Conflict(Invalid),
    /// No place is left (a slot, the counter zone, a shift, a bike); the
    /// field errors say which ([`FULL_CODES`]). Every page re-renders its
    /// form with the alternatives a [`Refused`] carries; the API answers
    /// 409 Conflict.
    #[error("full: {0}")]
    Full(Invalid),
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// A rate limit is reached (`loket_domain::limits`): try again after
    /// `retry_after_s` seconds. Pages say so in a sentence; the API answers
    /// 429 with `Retry-After`.
    #[error("too many requests; retry after {retry_after_s} s")]
    TooMany { retry_after_s: i64 },
    /// Something outside the person's control failed (the database).
    #[error("internal error: {0}")]
    Internal(String),
    /// The database cannot be reached right now; nothing was changed and a
    /// retry may succeed.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

/// The field-error codes that mean "no place left": a full slot, a full
/// counter zone, a full shift, no free bike. The store reports them; the
/// app layer turns them into [`Refusal::Full`].
pub const FULL_CODES: [&str; 4] = [
    "appt-slot-full",
    "queue-zone-full",
    "shift-full",
    "bike-none-free",
];

fn is_full(inv: &Invalid) -> bool {
    !inv.0.is_empty() && inv.0.iter().any(|f| FULL_CODES.contains(&f.code))
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Refusal::NotFound,
            StoreError::Forbidden => Refusal::Forbidden,
            StoreError::Invalid(inv) | StoreError::Conflict(inv) if is_full(&inv) => {
                Refusal::Full(inv)
            }
            StoreError::Invalid(inv) => Refusal::Invalid(inv),
            StoreError::Conflict(inv) => Refusal::Conflict(inv),
            other if other.is_unavailable() => Refusal::Unavailable(other.to_string()),
            other => Refusal::Internal(other.to_string()),
        }
    }
}

impl From<loket_store::sqlx::Error> for Refusal {
    fn from(e: loket_store::sqlx::Error) -> Self {
        if loket_store::is_unavailable(&e) {
            Refusal::Unavailable(e.to_string())
        } else {
            Refusal::Internal(e.to_string())
        }
    }
}

impl Refusal {
    /// Whether a field carries the error `code`.
    pub fn has_code(&self, code: &str) -> bool {
        match self {
            Refusal::Invalid(inv) | Refusal::Conflict(inv) | Refusal::Full(inv) => {
                inv.0.iter().any(|f| f.code == code)
            }
            _ => false,
        }
    }
}

/// A refusal of a request for a place (a slot, a bike) that may come with
/// the nearest free alternatives, for the page to offer and the API to
/// list. Empty when the place was not full but refused for another reason.
#[derive(Debug)]
pub struct Refused<A> {
    pub refusal: Refusal,
    pub nearest: Vec<A>,
}

impl<A> From<Refusal> for Refused<A> {
    fn from(refusal: Refusal) -> Self {
        Refused {
            refusal,
            nearest: Vec::new(),
        }
    }
}

impl<A> From<StoreError> for Refused<A> {
    fn from(e: StoreError) -> Self {
        Refusal::from(e).into()
    }
}

impl<A> From<Invalid> for Refused<A> {
    fn from(e: Invalid) -> Self {
        Refusal::from(e).into()
    }
}
