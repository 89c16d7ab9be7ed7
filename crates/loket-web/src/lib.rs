//! Loket's web face: server-rendered HTML pages and the JSON API under
//! `/api/v1`, on axum. Every bounded context has a module of its own name.

pub mod api;
pub mod appointments;
pub mod assets;
pub mod audit;
pub mod bikes;
pub mod cases;
pub mod common;
pub mod contact;
pub mod dashboard;
pub mod error;
/// Languages and local time: the app layer's catalogue and `Locale`.
pub use loket_app::i18n;
pub mod forms;
pub mod home;
pub mod layout;
pub mod legal;
pub mod live;
pub mod notify;
pub mod ops;
pub mod paging;
pub mod people;
pub mod privacy;
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

/// What the web layer needs to know of the configuration: the use cases'
/// configuration ([`loket_app::Config`], reached through `Deref`) and what
/// only pages need.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// City name, public address, mail sender, files and payer.
    pub app: Arc<loket_app::Config>,
    /// The main colour (CSS colour, e.g. `#004f9f`).
    pub primary_color: String,
    /// The accent colour, used for focus outlines and highlights.
    pub accent_color: String,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// How long a signed-in session lives without use.
    pub session_ttl: Duration,
    /// How long a session lives at most, however much it is used.
    pub session_max_age: Duration,
    /// When set, `/metrics` answers only requests with
    /// `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
    /// How long a request may take until its answer starts (408 after).
    pub request_timeout: Duration,
    /// Whether the demo's conveniences (demo accounts on the login page) show.
    pub demo: bool,
    /// Set while an account still has the demo's published password (not in
    /// the demo itself): admins see a red banner on every page.
    pub demo_password_in_use: Arc<std::sync::atomic::AtomicBool>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Whether admins may read sent messages in Loket ("sent mail" pages).
    /// On when mail goes to files (no SMTP): messages hold sign-in links, so
    /// with real delivery nobody but the recipient should read them.
    pub show_sent_mail: bool,
    /// The city's parts of the privacy page and accessibility statement.
    pub legal: legal::LegalText,
    /// Public live streams (displays) one client address may hold open at
    /// once (0: no limit).
    pub live_streams_per_ip: usize,
    /// The contact centre's number and hours, on the home page.
    pub help: home::Help,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            app: Arc::new(loket_app::Config::default()),
            primary_color: "#004f6e".to_owned(),
            accent_color: "#ffbf47".to_owned(),
            trusted_proxies: Vec::new(),
            session_ttl: Duration::from_secs(8 * 3600),
            session_max_age: Duration::from_secs(12 * 3600),
            metrics_token: None,
            request_timeout: Duration::from_secs(60),
            demo: false,
            demo_password_in_use: Arc::default(),
            max_body_bytes: 64 * 1024,
            show_sent_mail: true,
            legal: legal::LegalText::default(),
            live_streams_per_ip: 20,
            help: home::Help::default(),
        }
    }
}

impl std::ops::Deref for WebConfig {
    type Target = loket_app::Config;
    fn deref(&self) -> &loket_app::Config {
        &self.app
    }
}

impl WebConfig {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn session_ttl_ms(&self) -> i64 {
        i64::try_from(self.session_ttl.as_millis()).unwrap_or(i64::MAX / 2)
    }

    pub fn session_max_age_ms(&self) -> i64 {
        i64::try_from(self.session_max_age.as_millis()).unwrap_or(i64::MAX / 2)
    }

    /// The session cookie's name: `__Host-loket_session` on https (the
    /// browser then refuses it unless it is `Secure`, for this host only and
    /// for every path), `loket_session` on plain http.
    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies() {
            "__Host-loket_session"
        } else {
            "loket_session"
        }
    }
}

/// Renders the Prometheus metrics text (the recorder lives in the binary).
pub type MetricsRender = Arc<dyn Fn() -> String + Send + Sync>;

/// Shared by every request: the application (store and configuration,
/// reached through `Deref`, so a handler passes `&state` to a use case)
/// and what only the web layer needs.
#[derive(Clone)]
pub struct AppState {
    pub app: loket_app::App,
    pub config: Arc<WebConfig>,
    pub metrics: MetricsRender,
    /// Becomes true when the server shuts down: endless responses (event
    /// streams) end, so the graceful shutdown does not wait for them.
    pub stopping: tokio::sync::watch::Receiver<bool>,
    /// The live streams' shared pollers and connection counts.
    pub live: Arc<live::Hub>,
}

impl AppState {
    pub fn new(
        store: Store,
        config: WebConfig,
        metrics: MetricsRender,
        stopping: tokio::sync::watch::Receiver<bool>,
    ) -> Self {
        AppState {
            app: loket_app::App::with_config(store, config.app.clone()),
            live: live::Hub::new(config.live_streams_per_ip, live::POLL),
            config: Arc::new(config),
            metrics,
            stopping,
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = loket_app::App;
    fn deref(&self) -> &loket_app::App {
        &self.app
    }
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    let timeout = state.config.request_timeout;
    let pages = Router::new()
        .merge(home::routes())
        .merge(legal::routes())
        .merge(people::routes())
        .merge(cases::routes())
        .merge(appointments::routes())
        .merge(queue::routes())
        .merge(telework::routes())
        .merge(bikes::routes())
        .merge(assets::routes())
        .merge(contact::routes())
        .merge(dashboard::routes())
        .merge(shifts::routes())
        .merge(vaccination::routes())
        .merge(audit::routes())
        .merge(privacy::routes())
        .merge(notify::routes())
        .fallback(|| async { error::AppError::NotFound })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            people::session::middleware,
        ))
        .layer(tower_http::csrf::CsrfLayer::new());
    let mut app = Router::new()
        .merge(pages)
        .nest("/api/v1", api::routes(state.clone()))
        .merge(api::doc_routes())
        .merge(ops::routes())
        .layer(DefaultBodyLimit::max(max_body))
        // Until the answer starts (an event stream's body runs on).
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ));
    if state.config.secure_cookies() {
        // HSTS only when Loket is reached over https: browsers then never
        // try plain http for it for a year.
        app = app.layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                axum::http::header::STRICT_TRANSPORT_SECURITY,
                axum::http::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            ),
        );
    }
    app.layer(axum::middleware::from_fn(ops::observe))
        .with_state(state)
}
