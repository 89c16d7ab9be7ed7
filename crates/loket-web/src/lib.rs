//! Loket's web face: server-rendered HTML pages and the JSON API under
//! `/api/v1`, on axum. Every bounded context has a module of its own name.

pub mod api;
pub mod appointments;
pub mod assets;
pub mod audit;
pub mod bikes;
pub mod cases;
pub mod contact;
pub mod error;
pub mod forms;
pub mod home;
pub mod i18n;
pub mod layout;
pub mod notify;
pub mod ops;
pub mod people;
pub mod queue;
pub mod shifts;
pub mod telework;
pub mod vaccination;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use loket_store::Store;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// What the web layer needs to know of the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The city's name, shown in the header and in e-mails.
    pub city_name: String,
    /// An SVG logo, inlined in the header (trusted: from the operator's file).
    pub logo_svg: Option<String>,
    /// The main colour (CSS colour, e.g. `#004f9f`).
    pub primary_color: String,
    /// The accent colour, used for focus outlines and highlights.
    pub accent_color: String,
    /// The address residents reach Loket at, e.g. `https://loket.leuven.be`;
    /// used for links in e-mails. `https` turns on `Secure` cookies.
    pub public_url: String,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// How long a signed-in session lives without use.
    pub session_ttl: Duration,
    /// Whether the demo's conveniences (demo accounts on the login page) show.
    pub demo: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Whether admins may read sent messages in Loket ("sent mail" pages).
    /// On when mail goes to files (no SMTP): messages hold sign-in links, so
    /// with real delivery nobody but the recipient should read them.
    pub show_sent_mail: bool,
    /// Where uploads and generated documents are stored (outside the web root).
    pub files_dir: std::path::PathBuf,
    /// The account premiums are paid from, and its holder's name.
    pub payer_iban: String,
    pub payer_name: String,
    /// The sender address of e-mails (the organizer of calendar invitations).
    pub mail_from: String,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            city_name: "Stad Leuven".to_owned(),
            logo_svg: None,
            primary_color: "#004f6e".to_owned(),
            accent_color: "#ffbf47".to_owned(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            trusted_proxies: Vec::new(),
            session_ttl: Duration::from_secs(8 * 3600),
            demo: false,
            max_body_bytes: 64 * 1024,
            show_sent_mail: true,
            files_dir: std::path::PathBuf::from("loket-data/files"),
            payer_iban: "BE68539007547034".to_owned(),
            payer_name: "Stad Leuven".to_owned(),
            mail_from: "loket@leuven.example".to_owned(),
        }
    }
}

impl WebConfig {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn session_ttl_ms(&self) -> i64 {
        i64::try_from(self.session_ttl.as_millis()).unwrap_or(i64::MAX / 2)
    }
}

/// Renders the Prometheus metrics text (the recorder lives in the binary).
pub type MetricsRender = Arc<dyn Fn() -> String + Send + Sync>;

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub metrics: MetricsRender,
    /// Becomes true when the server shuts down: endless responses (event
    /// streams) end, so the graceful shutdown does not wait for them.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    let pages = Router::new()
        .merge(home::routes())
        .merge(people::routes())
        .merge(cases::routes())
        .merge(appointments::routes())
        .merge(queue::routes())
        .merge(telework::routes())
        .merge(bikes::routes())
        .merge(assets::routes())
        .merge(contact::routes())
        .merge(shifts::routes())
        .merge(vaccination::routes())
        .merge(audit::routes())
        .merge(notify::routes())
        .fallback(|| async { error::AppError::NotFound })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            people::session::middleware,
        ))
        .layer(tower_http::csrf::CsrfLayer::new());
    Router::new()
        .merge(pages)
        .nest("/api/v1", api::routes(state.clone()))
        .merge(api::doc_routes())
        .merge(ops::routes())
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn(ops::track_metrics))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
