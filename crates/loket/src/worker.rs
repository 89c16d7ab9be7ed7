//! Background work: the outbox sender, the clean-up of expired sessions,
//! and the contact centre's incoming mail.

use crate::config::Config;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use loket_render::notify::{OutAttachment, Outgoing, eml, message};
use loket_store::Store;
use loket_store::notify::{self as outbox, OutboxMessage};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::watch;

/// How messages leave Loket.
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder (no SMTP server configured).
    Files(PathBuf),
}

impl Transport {
    pub fn from_config(c: &Config) -> Result<Transport, String> {
        match &c.smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|b| Transport::Smtp(b.timeout(Some(Duration::from_secs(30))).build()))
                .map_err(|e| format!("smtp_url: {e}")),
            None => Ok(Transport::Files(c.mail_dir())),
        }
    }

    async fn send(&self, m: &Outgoing<'_>) -> Result<(), String> {
        match self {
            Transport::Smtp(t) => {
                let msg = message(m).map_err(|e| e.to_string())?;
                t.send(msg).await.map(|_| ()).map_err(|e| e.to_string())
            }
            Transport::Files(dir) => {
                let bytes = eml(m).map_err(|e| e.to_string())?;
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| e.to_string())?;
                // Write then rename, so a reader never sees half a file.
                let name = format!("{}-{}.eml", m.created_at_ms, m.id);
                let tmp = dir.join(format!(".{name}.tmp"));
                tokio::fs::write(&tmp, bytes)
                    .await
                    .map_err(|e| e.to_string())?;
                tokio::fs::rename(&tmp, dir.join(name))
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }
}

pub struct OutboxWorker {
    pub store: Store,
    pub transport: Transport,
    pub from_name: String,
    pub from_addr: String,
    pub poll: Duration,
    pub id: String,
}

/// A claimed message is ours for this long; if we die, another worker
/// picks it up afterwards.
const LEASE_MS: i64 = 5 * 60 * 1000;
const BATCH: i64 = 20;

impl OutboxWorker {
    /// Sends one batch; returns how many messages were handled.
    pub async fn run_once(&self) -> Result<usize, loket_store::StoreError> {
        let batch = outbox::claim_due(&self.store, &self.id, LEASE_MS, BATCH).await?;
        for msg in &batch {
            self.deliver(msg).await?;
        }
        Ok(batch.len())
    }

    async fn deliver(&self, msg: &OutboxMessage) -> Result<(), loket_store::StoreError> {
        let out = Outgoing {
            id: &msg.id,
            from_name: &self.from_name,
            from_addr: &self.from_addr,
            to: &msg.to_addr,
            subject: &msg.subject,
            body: &msg.body,
            created_at_ms: msg.created_at,
            attachment: msg.attachment.as_ref().map(|a| OutAttachment {
                name: &a.name,
                content_type: &a.content_type,
                body: &a.body,
            }),
        };
        match self.transport.send(&out).await {
            Ok(()) => {
                let erased = outbox::mark_sent(&self.store, &msg.id, &self.id).await?;
                // The outcome mail of an erasure: stripped now it is sent,
                // its file too (the file transport's copy).
                if erased && let Transport::Files(dir) = &self.transport {
                    let f = loket_store::privacy::eml_path(dir, msg.created_at, &msg.id);
                    if let Err(e) = tokio::fs::remove_file(&f).await
                        && e.kind() != std::io::ErrorKind::NotFound
                    {
                        tracing::warn!(file = %f.display(), error = %e, "erased mail: file not removed");
                    }
                }
                metrics::counter!("loket_outbox_sent_total").increment(1);
            }
            Err(e) => {
                tracing::warn!(id = %msg.id, attempts = msg.attempts + 1, error = %e, "sending mail failed; will retry");
                outbox::mark_failed(&self.store, msg, &self.id, &e).await?;
                metrics::counter!("loket_outbox_failures_total").increment(1);
            }
        }
        Ok(())
    }

    /// Runs until `stop` turns true; the batch in hand is finished first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            let handled = match self.run_once().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "outbox worker");
                    0
                }
            };
            if *stop.borrow() {
                break;
            }
            if handled as i64 == BATCH {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.poll) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                // One last pass, so messages written just before shutdown go.
                if let Err(e) = self.run_once().await {
                    tracing::error!(error = %e, "outbox worker");
                }
                break;
            }
        }
        tracing::info!("outbox worker stopped");
    }
}

/// Removes expired sessions and old login failures (older than
/// `login_failure_ms`, the schedule's period) every ten minutes, and
/// repairs the people search's keys an older release wrote during a
/// rolling upgrade ([`loket_store::people::heal_people_search`]).
pub async fn purge(store: Store, login_failure_ms: i64, mut stop: watch::Receiver<bool>) {
    loop {
        match loket_store::people::purge_expired(&store, login_failure_ms).await {
            Ok(n) if n > 0 => tracing::debug!(removed = n, "purged expired sessions and links"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "purge failed"),
        }
        match loket_store::people::heal_people_search(&store).await {
            Ok(n) if n > 0 => tracing::info!(
                accounts = n,
                "people search: keys written by an older release repaired"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "people search repair failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(600)) => {}
            _ = stop.changed() => break,
        }
    }
}

/// Applies the retention schedule once a day (the first check ten minutes
/// after start-up, then every hour): with several instances, the one that
/// takes the lease runs it, and a run made by any worker in the last 23
/// hours is enough ([`loket_app::privacy::daily`]).
pub async fn retention(app: loket_app::App, mut stop: watch::Receiver<bool>) {
    let mut wait = Duration::from_secs(600);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => break,
        }
        wait = Duration::from_secs(3600);
        match loket_app::privacy::daily(&app, loket_store::now_ms()).await {
            Ok(Some(run)) => {
                let total: i64 = run.counts.iter().map(|(_, n)| n).sum();
                match &run.error {
                    Some(e) => {
                        tracing::error!(records = total, files = run.files_removed, error = %e, "retention run finished with errors")
                    }
                    None => tracing::info!(
                        records = total,
                        files = run.files_removed,
                        "retention run finished"
                    ),
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "retention run failed"),
        }
    }
}

/// Releases bike reservations not picked up within 30 minutes of their
/// start, every minute (reads release them too, so nobody waits on this).
pub async fn bike_release(store: Store, mut stop: watch::Receiver<bool>) {
    loop {
        match bike_release_once(&store).await {
            Ok(n) if n > 0 => tracing::info!(released = n, "bike reservations released"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "bike release failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = stop.changed() => break,
        }
    }
}

/// One step of [`bike_release`]: how many reservations were released.
pub async fn bike_release_once(store: &Store) -> Result<u64, loket_store::StoreError> {
    loket_store::bikes::release_expired(store, loket_store::now_ms()).await
}

/// Sends appointment reminders (the day before, 09:00) every five minutes.
pub async fn reminders(app: loket_app::App, mut stop: watch::Receiver<bool>) {
    let store = &app.store;
    loop {
        match loket_app::appointments::send_reminders(&app).await {
            Ok(n) if n > 0 => tracing::info!(sent = n, "appointment reminders queued"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "appointment reminders failed"),
        }
        match loket_app::shifts::send_reminders(&app).await {
            Ok(n) if n > 0 => tracing::info!(sent = n, "shift reminders queued"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "shift reminders failed"),
        }
        // Tickets of earlier days still open (the building closed): closed,
        // and the head count of their counter zone set right.
        let today = loket_domain::calendar::today_brussels().to_string();
        match loket_store::queue::close_past_days(store, &today).await {
            Ok(n) if n > 0 => tracing::info!(closed = n, "queue tickets of earlier days closed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "closing earlier queue days failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(300)) => {}
            _ = stop.changed() => break,
        }
    }
}

/// Staff records whose end date has come, every ten minutes (the first
/// pass a minute after start-up): the account
/// is disabled and ICT gets the list of equipment still on loan
/// ([`loket_app::people::end_staff_records`], one step for a given date).
pub async fn staff_endings(app: loket_app::App, mut stop: watch::Receiver<bool>) {
    // The first pass a minute after start-up, not during it.
    tokio::select! {
        _ = tokio::time::sleep(Duration::from_secs(60)) => {}
        _ = stop.changed() => return,
    }
    loop {
        let today = loket_domain::calendar::today_brussels().to_string();
        match loket_app::people::end_staff_records(&app, &today).await {
            Ok(e) if e.records > 0 => tracing::info!(
                records = e.records,
                disabled = e.disabled,
                mails = e.mails,
                "staff records ended"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "staff end dates failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(600)) => {}
            _ = stop.changed() => break,
        }
    }
}

/// The vaccination centre's clockwork, every minute: reserve-list offers
/// that ran out are freed and free places offered to the next people;
/// booking reminders (the day before, 09:00) are queued.
pub async fn vaccination(app: loket_app::App, mut stop: watch::Receiver<bool>) {
    loop {
        let now = loket_store::now_ms();
        match loket_app::vaccination::run_offers(&app, now).await {
            Ok(n) if n > 0 => tracing::info!(offers = n, "reserve-list offers made"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "reserve-list offers failed"),
        }
        match loket_app::vaccination::send_reminders(&app, now).await {
            Ok(n) if n > 0 => tracing::info!(sent = n, "vaccination reminders queued"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "vaccination reminders failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = stop.changed() => break,
        }
    }
}

/// Delivers webhook events: POSTs each claimed delivery with its signature
/// (`Loket-Signature`), marks 2xx as delivered and retries the rest with
/// back-off. `client` is [`Config::webhook_client`] (TLS, the city's CA).
pub async fn webhooks(
    store: loket_store::Store,
    client: reqwest::Client,
    poll: std::time::Duration,
    mut stop: watch::Receiver<bool>,
) {
    let id = format!("webhooks-{}-{}", std::process::id(), loket_store::new_id());
    loop {
        match webhooks_once(&store, &client, &id).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "webhook worker"),
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            break;
        }
    }
}

/// One pass: claims and delivers up to 20 events; returns how many.
pub async fn webhooks_once(
    store: &loket_store::Store,
    client: &reqwest::Client,
    worker: &str,
) -> Result<usize, loket_store::StoreError> {
    use loket_store::notify as outbox;
    let due = outbox::claim_deliveries(store, worker, 60_000, 20).await?;
    for d in &due {
        let t = jiff::Timestamp::now().as_second();
        let result = client
            .post(&d.url)
            .header("content-type", "application/json")
            .header("loket-event", &d.event)
            .header("loket-delivery", &d.id)
            .header(
                "loket-signature",
                loket_app::cases::signature(&d.secret, t, &d.payload),
            )
            .body(d.payload.clone())
            .send()
            .await;
        match result {
            Ok(r) if r.status().is_success() => {
                outbox::mark_delivered(store, &d.id, worker).await?;
                metrics::counter!("loket_webhook_deliveries_total", "result" => "delivered")
                    .increment(1);
            }
            Ok(r) => {
                outbox::mark_delivery_failed(store, d, worker, &format!("HTTP {}", r.status()))
                    .await?;
                metrics::counter!("loket_webhook_deliveries_total", "result" => "failed")
                    .increment(1);
            }
            Err(e) => {
                outbox::mark_delivery_failed(store, d, worker, &e.to_string()).await?;
                metrics::counter!("loket_webhook_deliveries_total", "result" => "failed")
                    .increment(1);
            }
        }
    }
    Ok(due.len())
}

/// Where the contact centre's mail comes from.
#[derive(Debug, Clone)]
pub enum MailSource {
    Maildir(PathBuf),
    Imap(crate::mail_in::imap::ImapSource),
}

impl MailSource {
    /// The name the report page shows (never the password).
    pub fn name(&self) -> String {
        match self {
            MailSource::Maildir(dir) => format!("maildir:{}", dir.display()),
            MailSource::Imap(s) => format!("imap:{}@{}:{}/{}", s.user, s.host, s.port, s.mailbox),
        }
    }
}

/// Reads the contact centre's mail (a Maildir or an IMAP account) every
/// `every` until `stop` (see [`crate::mail_in`]).
pub async fn contact_mail_in(
    store: Store,
    keys: loket_app::signing::Keys,
    source: MailSource,
    mail_from: String,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let pass = match &source {
            MailSource::Maildir(dir) => {
                crate::mail_in::import_maildir(&store, &keys, dir, &mail_from).await
            }
            MailSource::Imap(src) => {
                crate::mail_in::imap::import_imap(&store, &keys, src, &mail_from).await
            }
        };
        let error = pass.err().map(|e| e.to_string());
        if let Some(e) = &error {
            tracing::warn!(error = %e, "contact mail import failed");
            metrics::counter!("loket_contact_mail_errors_total").increment(1);
            metrics::gauge!("loket_contact_mail_up").set(0.0);
        } else {
            metrics::gauge!("loket_contact_mail_up").set(1.0);
            metrics::gauge!("loket_contact_mail_last_success_timestamp_seconds")
                .set(jiff::Timestamp::now().as_second() as f64);
        }
        if let Err(e) =
            loket_store::contact::record_mail_pass(&store, &source.name(), error.as_deref()).await
        {
            tracing::warn!(error = %e, "contact mail status not recorded");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => break,
        }
    }
}
