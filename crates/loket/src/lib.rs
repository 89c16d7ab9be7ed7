//! The `loket` binary's library: configuration, wiring, background workers
//! and the demo seed. Integration tests start the real app through
//! [`start`], on an ephemeral port.

pub mod backup;
pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod mail_in;
pub mod worker;

use config::Config;
use loket_store::Store;
use loket_web::{AppState, WebConfig};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Store(#[from] loket_store::StoreError),
    #[error("{0}")]
    Other(String),
}

/// The process-wide metrics recorder, installed once (tests start several
/// apps in one process and share it).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("duration_seconds".to_owned()),
                    &[
                        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                    ],
                )
                .unwrap_or_else(|_| PrometheusBuilder::new());
            match builder.install_recorder() {
                Ok(h) => h,
                Err(_) => PrometheusBuilder::new().build_recorder().handle(),
            }
        })
        .clone()
}

/// Opens the database and brings its schema up to date.
pub async fn open_store(c: &Config) -> Result<Store, AppError> {
    let url = c.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&c.data_dir)
            .map_err(|e| AppError::Other(format!("data_dir {}: {e}", c.data_dir.display())))?;
    }
    // With `database_migrate_url`, the migrations run over a connection of
    // their own, straight to the server: the migrator holds a session-level
    // advisory lock, which a transaction-pooling PgBouncer would hand on to
    // another client.
    if let Some(direct) = &c.database_migrate_url {
        let migrator = Store::connect(direct, 1).await?;
        let done = migrator.migrate().await;
        migrator.close().await;
        done?;
    }
    let store = Store::connect(&url, c.db_max_connections).await?;
    if c.database_migrate_url.is_none() {
        store.migrate().await?;
    }
    match &c.database_read_url {
        Some(read) => Ok(store.with_reader(read, c.db_max_connections).await?),
        None => Ok(store),
    }
}

/// A running Loket: the HTTP server and its workers.
pub struct Running {
    pub addr: SocketAddr,
    pub store: Store,
    /// The use cases' context (tests and the demo seed call use cases).
    pub app: loket_app::App,
    /// The live streams' hub (the displays benchmark counts its polls).
    pub live: std::sync::Arc<loket_web::live::Hub>,
    stop: watch::Sender<bool>,
    server: JoinHandle<()>,
    workers: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, finishes in-flight requests and the outbox batch.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
        for w in self.workers {
            let _ = w.await;
        }
        self.store.close().await;
    }

    /// Waits until the server stops (after a signal) and then shuts down.
    pub async fn wait(self) {
        let mut rx = self.stop.subscribe();
        let _ = rx.wait_for(|v| *v).await;
        self.shutdown().await;
    }

    /// Asks the app to stop (as SIGTERM does).
    pub fn stop_handle(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }
}

/// Builds the use cases' configuration from the file configuration.
pub fn app_config(c: &Config, bound: &SocketAddr) -> Result<loket_app::Config, AppError> {
    Ok(loket_app::Config {
        city_name: c.city_name.clone(),
        logo_svg: c
            .logo_svg()
            .map_err(|e| AppError::Other(format!("logo_path: {e}")))?,
        public_url: c.public_url(&bound.to_string()),
        files_dir: c.data_dir.join("files"),
        payer_iban: c.payer_iban.clone(),
        payer_name: c.payer_name.clone(),
        mail_from: c.mail_from.clone(),
        keys_file: c.keys_file(),
        signing_keys: c.signing_keys.clone(),
        key_grace_days: i64::try_from(c.key_grace_days).unwrap_or(i64::MAX),
        ict_mail: c.ict_mail.clone(),
        oidc_residents: c.oidc_residents()?,
        oidc_staff: c.oidc_staff()?,
        staff_password_login: c.staff_password_login,
        break_glass_admins: c
            .break_glass_admins
            .iter()
            .map(|a| a.trim().to_lowercase())
            .collect(),
        retention: c.retention()?,
        mail_dir: c.mail_dir(),
        totp_required_roles: c.totp_required_roles()?,
    })
}

/// Builds the web configuration from the file configuration.
pub fn web_config(c: &Config, bound: &SocketAddr, demo: bool) -> Result<WebConfig, AppError> {
    Ok(WebConfig {
        app: Arc::new(app_config(c, bound)?),
        primary_color: c.primary_color.clone(),
        accent_color: c.accent_color.clone(),
        trusted_proxies: c.trusted_proxies(),
        session_ttl: Duration::from_secs(c.session_hours.max(1) * 3600),
        session_max_age: Duration::from_secs(c.session_max_hours.max(1) * 3600),
        metrics_token: c.metrics_token.clone().filter(|t| !t.is_empty()),
        request_timeout: Duration::from_secs(c.request_timeout_secs.max(1)),
        live_streams_per_ip: c.live_streams_per_ip,
        demo,
        demo_password_in_use: Arc::default(),
        max_body_bytes: c.max_body_kib.max(1) * 1024,
        show_sent_mail: c.smtp_url.is_none(),
        help: loket_web::home::Help {
            phone: c.contact_phone.trim().to_owned(),
            hours: loket_domain::contact::OpeningHours::parse(&c.contact_hours)
                .map_err(|how| AppError::Other(format!("contact_hours: {how}")))?,
        },
        legal: loket_web::legal::LegalText {
            controller: c.privacy_controller.trim().to_owned(),
            dpo: c.privacy_dpo.trim().to_owned(),
            statement_date: c.accessibility_statement_date.trim().to_owned(),
        },
    })
}

/// While any account still has the demo's published password: an error in
/// the log at start-up (and every ten minutes), and the flag behind the
/// admins' red banner.
async fn watch_demo_password(
    store: Store,
    flag: Arc<std::sync::atomic::AtomicBool>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match demo::accounts_with_demo_password(&store).await {
            Ok(found) => {
                if !found.is_empty() {
                    tracing::error!(
                        accounts = %found.join(", "),
                        "accounts still have the demo's published password: change it or disable them"
                    );
                }
                flag.store(!found.is_empty(), std::sync::atomic::Ordering::Relaxed);
            }
            Err(e) => tracing::warn!(error = %e, "demo password check failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(600)) => {}
            _ = stop.changed() => break,
        }
    }
}

/// Opens the database, binds the address and starts serving and the workers.
pub async fn start(c: &Config, demo: bool) -> Result<Running, AppError> {
    let store = open_store(c).await?;
    start_with_store(c, store, demo).await
}

pub async fn start_with_store(c: &Config, store: Store, demo: bool) -> Result<Running, AppError> {
    // Before anything runs: an unreadable `webhook_ca_file` stops start-up,
    // and so do signing keys that cannot be read or made.
    let webhook_client = c.webhook_client()?;
    loket_app::signing::adopt_database_keys(&store, &c.keys_file(), c.key_grace_ms())
        .await
        .map_err(|e| AppError::Other(format!("signing keys: {e}")))?;
    c.keys()
        .ring()
        .map_err(|e| AppError::Other(e.to_string()))?;
    let listener = tokio::net::TcpListener::bind(&c.addr)
        .await
        .map_err(|e| AppError::Other(format!("cannot listen on {}: {e}", c.addr)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| AppError::Other(e.to_string()))?;
    let handle = metrics_handle();
    let (stop, stop_rx) = watch::channel(false);
    let state = AppState::new(
        store.clone(),
        web_config(c, &addr, demo)?,
        Arc::new(move || handle.render()),
        stop_rx.clone(),
    );
    let app = state.app.clone();
    if !demo {
        tokio::spawn(watch_demo_password(
            store.clone(),
            state.config.demo_password_in_use.clone(),
            stop_rx.clone(),
        ));
    }
    let live = state.live.clone();
    let router = loket_web::router(state);

    let mut server_stop = stop_rx.clone();
    let server = tokio::spawn(async move {
        let serve = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = server_stop.wait_for(|v| *v).await;
        });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "server failed");
        }
    });

    let transport = worker::Transport::from_config(c).map_err(AppError::Other)?;
    let outbox = worker::OutboxWorker {
        store: store.clone(),
        transport,
        from_name: c.city_name.clone(),
        from_addr: c.mail_from.clone(),
        poll: Duration::from_millis(c.outbox_poll_ms.max(10)),
        id: format!("{}-{}", std::process::id(), loket_store::new_id()),
    };
    if demo {
        // The residents' lives, through the use cases (once), and the
        // counters' simulator.
        demo::history::seed(&store).await?;
        demo::lives::seed(&app).await?;
    }
    let running_app = app.clone();
    let mut workers = vec![
        tokio::spawn(outbox.run(stop_rx.clone())),
        tokio::spawn(worker::reminders(app.clone(), stop_rx.clone())),
        tokio::spawn(worker::webhooks(
            store.clone(),
            webhook_client,
            Duration::from_millis(c.outbox_poll_ms.max(10)),
            stop_rx.clone(),
        )),
        tokio::spawn(worker::bike_release(store.clone(), stop_rx.clone())),
        tokio::spawn(worker::staff_endings(app.clone(), stop_rx.clone())),
        tokio::spawn(worker::vaccination(app.clone(), stop_rx.clone())),
        tokio::spawn(worker::retention(app, stop_rx.clone())),
        tokio::spawn(worker::purge(
            store.clone(),
            i64::from(c.retention_login_failures_hours.max(1)) * 3_600_000,
            stop_rx.clone(),
        )),
    ];
    if demo {
        workers.push(tokio::spawn(demo::queue::run(
            running_app.clone(),
            stop_rx.clone(),
        )));
    }
    if let Some(dir) = &c.contact_maildir {
        workers.push(tokio::spawn(worker::contact_mail_in(
            store.clone(),
            c.keys(),
            worker::MailSource::Maildir(dir.clone()),
            c.mail_from.clone(),
            Duration::from_secs(c.contact_maildir_poll_secs.max(1)),
            stop_rx.clone(),
        )));
    }
    if let Some(src) = c.contact_imap()? {
        workers.push(tokio::spawn(worker::contact_mail_in(
            store.clone(),
            c.keys(),
            worker::MailSource::Imap(src),
            c.mail_from.clone(),
            Duration::from_secs(c.contact_imap_poll_secs.max(1)),
            stop_rx,
        )));
    }
    Ok(Running {
        addr,
        store,
        live,
        app: running_app,
        stop,
        server,
        workers,
    })
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed when this is
/// called, not when the future is first polled: call it before the server
/// starts, so a signal that comes right after the server answers is never
/// met by the default action (killing the process).
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    #[cfg(unix)]
    let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    async move {
        #[cfg(unix)]
        {
            let term = async {
                match term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let int = async {
                match int.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = term => {},
                _ = int => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
