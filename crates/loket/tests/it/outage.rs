//! Outages of what Loket depends on: the SMTP server goes away while mail
//! is queued; PostgreSQL restarts under load; two instances share one
//! database. Nothing is lost, nothing is doubled, and people are told.

use crate::common::*;
use loket_domain::ident::Email;
use loket_domain::notify::Mail;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A real SMTP server (Python's aiosmtpd, Debian's python3-aiosmtpd) on
/// 127.0.0.1:`port`. Each message received becomes one line of `log`:
/// its Message-ID and its recipients.
struct SmtpServer(Child);

const SMTP_SERVER: &str = r#"
import sys, asyncio, email
from aiosmtpd.controller import Controller
port, log = int(sys.argv[1]), sys.argv[2]
class Handler:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content)
        with open(log, "a") as f:
            f.write(f"{msg['Message-ID']} {','.join(envelope.rcpt_tos)}\n")
        return "250 OK"
c = Controller(Handler(), hostname="127.0.0.1", port=port)
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
"#;

impl SmtpServer {
    fn start(port: u16, log: &Path) -> Option<SmtpServer> {
        let mut child = Command::new("/usr/bin/python3")
            .args(["-c", SMTP_SERVER, &port.to_string()])
            .arg(log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .ok()?;
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut()?)
            .read_line(&mut line)
            .ok()?;
        (line.trim() == "ready").then_some(SmtpServer(child))
    }

    /// Stops the server: its port refuses connections afterwards.
    fn stop(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_for(secs: u64, mut f: impl AsyncFnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

fn received(log: &Path) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for line in std::fs::read_to_string(log).unwrap_or_default().lines() {
        let id = line.split(' ').next().unwrap_or_default().to_owned();
        *seen.entry(id).or_insert(0) += 1;
    }
    seen
}

/// The SMTP server is stopped while 100 messages are queued, then started
/// again: all 100 arrive exactly once, and the outbox shows the retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_down_while_mail_is_queued_loses_and_doubles_nothing() {
    if Command::new("/usr/bin/python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .map_or(true, |s| !s.success())
    {
        skip(
            "smtp_down_while_mail_is_queued_loses_and_doubles_nothing",
            "python3-aiosmtpd is not installed",
        );
        return;
    }
    let port = free_port();
    let dir = temp_dir();
    let log = dir.join("smtp.log");
    let server = SmtpServer::start(port, &log).expect("aiosmtpd starts");
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.outbox_poll_ms = 50;
    })
    .await;
    let queue = |n: usize, prefix: &'static str| {
        let store = app.store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let mut ids = Vec::new();
            for i in 0..n {
                let mail = Mail {
                    to: Email::parse(&format!("{prefix}{i}@example.org")).unwrap(),
                    subject: format!("Bericht {i}"),
                    body: format!("Beste,\n\nbericht {i}.\n"),
                };
                ids.push(loket_store::notify::enqueue(&mut tx, &mail).await.unwrap());
            }
            tx.commit().await.unwrap();
            ids
        }
    };
    // The server works: one message goes through.
    queue(1, "before").await;
    assert!(
        wait_for(15, async || received(&log).len() == 1).await,
        "the first message did not arrive"
    );
    // The server goes away; 100 messages are queued.
    server.stop();
    let ids = queue(100, "r").await;
    let all_failed = wait_for(30, async || {
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND attempts >= 1 \
             AND last_error IS NOT NULL AND to_addr LIKE 'r%'",
        )
        .await
            == 100
    })
    .await;
    assert!(all_failed, "every message was tried while SMTP was down");
    let (s, _) = app.get(&app.client(), "/readyz").await;
    assert_eq!(s, 200, "a mail outage does not take Loket out of service");
    // The server comes back; the back-off time passes.
    let server = SmtpServer::start(port, &log).expect("aiosmtpd restarts");
    sqlx_exec_all(
        &app,
        "UPDATE outbox SET next_attempt_at = 0 WHERE status = 'pending'",
    )
    .await;
    let all_sent = wait_for(60, async || {
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
            .await
            == 101
    })
    .await;
    assert!(all_sent, "every message was sent once SMTP was back");
    server.stop();
    let seen = received(&log);
    assert_eq!(seen.len(), 101, "101 distinct messages arrived");
    assert!(
        seen.values().all(|&n| n == 1),
        "a message arrived twice: {seen:?}"
    );
    for id in &ids {
        assert!(
            seen.keys().any(|k| k.starts_with(&format!("<{id}@"))),
            "{id} did not arrive"
        );
    }
    // The outbox shows the retries: each of the 100 took at least two tries.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE to_addr LIKE 'r%' AND attempts >= 2")
            .await,
        100
    );
    app.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

async fn sqlx_exec_all(app: &TestApp, sql: &'static str) {
    loket_store::sqlx::query(sql)
        .execute(app.store.pool())
        .await
        .unwrap();
}

/// A second `loket serve` on the same database, on its own port.
async fn second_instance(app: &TestApp) -> (loket::Running, String) {
    let config = loket::config::Config {
        addr: "127.0.0.1:0".to_owned(),
        ..app.config.clone()
    };
    let store = loket::open_store(&config).await.unwrap();
    let running = loket::start_with_store(&config, store, false)
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);
    (running, base)
}

/// A PostgreSQL server of this test's own (the shared test server must not
/// be stopped under the other tests): `initdb` in a temporary folder,
/// listening on 127.0.0.1 only. As root, the server runs as `postgres`.
struct OwnPostgres {
    bin: std::path::PathBuf,
    dir: std::path::PathBuf,
    port: u16,
}

impl OwnPostgres {
    fn as_owner(&self, cmd: &str) {
        let root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        let out = if root {
            Command::new("su")
                .args(["postgres", "-s", "/bin/sh", "-c", cmd])
                .output()
        } else {
            Command::new("sh").args(["-c", cmd]).output()
        }
        .unwrap();
        assert!(
            out.status.success(),
            "{cmd}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn start_new(bin: &str) -> OwnPostgres {
        let dir = temp_dir();
        let pg = OwnPostgres {
            bin: bin.into(),
            dir: dir.clone(),
            port: free_port(),
        };
        let _ = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&dir)
            .status();
        let d = dir.display();
        pg.as_owner(&format!(
            "'{}/initdb' -D '{d}/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'{d}/initdb.log' 2>&1",
            pg.bin.display()
        ));
        let conf = format!(
            "listen_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{d}'\nmax_connections = 100\nfsync = off\n",
            pg.port
        );
        pg.as_owner(&format!("printf \"{conf}\" >> '{d}/data/postgresql.conf'"));
        pg.start();
        pg
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn start(&self) {
        let d = self.dir.display();
        self.as_owner(&format!(
            "'{}/pg_ctl' -D '{d}/data' -l '{d}/pg.log' -w start >/dev/null",
            self.bin.display()
        ));
    }

    /// A fast shutdown: sessions are cut, as in a fail-over or a crash.
    fn stop(&self) {
        let d = self.dir.display();
        self.as_owner(&format!(
            "'{}/pg_ctl' -D '{d}/data' -m fast -w stop >/dev/null",
            self.bin.display()
        ));
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let d = self.dir.display();
        let _ = Command::new("sh")
            .args([
                "-c",
                &format!(
                    "su postgres -s /bin/sh -c \"'{}/pg_ctl' -D '{d}/data' -m immediate stop\" >/dev/null 2>&1 || '{}/pg_ctl' -D '{d}/data' -m immediate stop >/dev/null 2>&1",
                    self.bin.display(),
                    self.bin.display()
                ),
            ])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// PostgreSQL is stopped and started again while residents book through
/// two instances: `/readyz` reports the outage while it lasts, requests
/// during it get a clear error, the instances recover by themselves, and
/// every booking confirmed before (and after) is in the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarted_under_load_loses_no_confirmed_booking() {
    use crate::appointments::{LOCATION, SERVICE, at, setup};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use tokio::sync::Mutex;
    if backend() != "postgres" {
        // A PostgreSQL outage; scripts/test.sh runs this test in its
        // PostgreSQL phase.
        return;
    }
    let Some(bin) = std::env::var("LOKET_TEST_PG_BIN")
        .ok()
        .filter(|b| !b.is_empty())
    else {
        skip(
            "postgres_restarted_under_load_loses_no_confirmed_booking",
            "LOKET_TEST_PG_BIN (the folder of initdb and pg_ctl) is not set; scripts/test.sh sets it",
        );
        return;
    };
    let pg = OwnPostgres::start_new(&bin);
    let url = pg.url();
    let app = TestApp::spawn_with(|c| {
        c.db_max_connections = 8;
        c.database_url = Some(url);
    })
    .await;
    let (other, other_base) = second_instance(&app).await;
    setup(&app, 10).await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    const RESIDENTS: usize = 400;
    for i in 0..RESIDENTS {
        resident(&app, &format!("pg{i}@example.org")).await;
    }
    let bases = [app.base.clone(), other_base.clone()];
    let next = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let confirmed = Arc::new(Mutex::new(Vec::<String>::new()));
    let refused = Arc::new(Mutex::new(Vec::<(u16, String)>::new()));
    let mut workers = Vec::new();
    for w in 0..8 {
        let (next, stop, confirmed, refused) = (
            next.clone(),
            stop.clone(),
            confirmed.clone(),
            refused.clone(),
        );
        let (staff, base) = (staff.clone(), bases[w % 2].clone());
        workers.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap();
            while !stop.load(Ordering::SeqCst) {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= RESIDENTS {
                    break;
                }
                // 24 quarter hours x 10 desks a day; day 3 is closed.
                let day = [2, 4][i / 240];
                let k = i % 240;
                let hour = [9, 10, 11, 13, 14, 15][(k / 40) % 6];
                let start = at(day, &format!("{hour:02}:{:02}", ((k / 10) % 4) * 15));
                let r = client
                    .post(format!("{base}/api/v1/appointments"))
                    .bearer_auth(&staff)
                    .json(
                        &serde_json::json!({ "service": SERVICE, "location": LOCATION,
                        "start": start, "resident_email": format!("pg{i}@example.org") }),
                    )
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 201 => {
                        let v: serde_json::Value = r.json().await.unwrap();
                        confirmed
                            .lock()
                            .await
                            .push(v["id"].as_str().unwrap().to_owned());
                    }
                    Ok(r) => {
                        let s = r.status().as_u16();
                        refused
                            .lock()
                            .await
                            .push((s, r.text().await.unwrap_or_default()));
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Err(e) => refused.lock().await.push((0, e.to_string())),
                }
            }
        }));
    }
    let c = reqwest::Client::new();
    let ready = |base: String| {
        let c = c.clone();
        async move {
            c.get(format!("{base}/readyz"))
                .timeout(Duration::from_secs(5))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    };
    assert!(wait_for(60, async || confirmed.lock().await.len() >= 40).await);
    let before_outage: Vec<String> = confirmed.lock().await.clone();
    pg.stop();
    let down_at = Instant::now();
    for base in &bases {
        let b = base.clone();
        assert!(
            wait_for(15, async || ready(b.clone()).await == 503).await,
            "/readyz of {base} reports the outage"
        );
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    pg.start();
    let outage = down_at.elapsed();
    for base in &bases {
        let b = base.clone();
        assert!(
            wait_for(30, async || ready(b.clone()).await == 200).await,
            "{base} recovers by itself"
        );
    }
    let recovered = confirmed.lock().await.len();
    assert!(
        wait_for(60, async || confirmed.lock().await.len() >= recovered + 40).await,
        "bookings go on after the restart"
    );
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.await.unwrap();
    }
    let confirmed = confirmed.lock().await.clone();
    let refused = refused.lock().await.clone();
    eprintln!(
        "PostgreSQL down for {outage:?}: {} bookings confirmed ({} before the outage), {} refused during it (statuses {:?})",
        confirmed.len(),
        before_outage.len(),
        refused.len(),
        refused.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    // Every refusal was a clear answer: a problem document, not a hang.
    for (s, body) in &refused {
        assert_eq!(*s, 503, "unexpected answer during the outage: {body}");
        let p: serde_json::Value = serde_json::from_str(body).unwrap();
        assert!(
            !p["title"].as_str().unwrap_or_default().is_empty(),
            "{body}"
        );
        assert!(p["request_id"].is_string(), "{body}");
    }
    // Every confirmed booking is there, none twice, none overbooked.
    for id in &confirmed {
        let n = loket_store::sqlx::query(
            "SELECT COUNT(*) AS n FROM appointments WHERE id = $1 AND status = 'booked'",
        )
        .bind(id)
        .fetch_one(app.store.pool())
        .await
        .map(|r| loket_store::sqlx::Row::get::<i64, _>(&r, "n"))
        .unwrap();
        assert_eq!(n, 1, "confirmed booking {id} is missing");
    }
    assert_eq!(
        loket_store::appointments::overbooked_slots(&app.store)
            .await
            .unwrap(),
        0
    );
    other.shutdown().await;
    app.stop().await;
}

/// Two instances on one PostgreSQL: clients race for the same places
/// through both and none is overbooked; a session made on one instance
/// works on the other; the live display of one sees a call made on the
/// other.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_capacity_sessions_and_the_live_display() {
    use crate::appointments::{LOCATION, SERVICE, at, setup};
    if backend() != "postgres" {
        // Several instances need PostgreSQL (one SQLite file is one
        // machine); scripts/test.sh runs this in its PostgreSQL phase.
        return;
    }
    let app = TestApp::spawn_with(|c| c.db_max_connections = 16).await;
    let (other, other_base) = second_instance(&app).await;
    setup(&app, 3).await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    const CLIENTS: usize = 120;
    for i in 0..CLIENTS {
        resident(&app, &format!("two{i}@example.org")).await;
    }
    let start = at(2, "10:00");
    let bases = [app.base.clone(), other_base.clone()];
    let statuses = race(CLIENTS, |i| {
        let url = format!("{}/api/v1/appointments", bases[i % 2]);
        let (staff, start) = (staff.clone(), start.clone());
        async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(staff)
                .json(
                    &serde_json::json!({ "service": SERVICE, "location": LOCATION,
                    "start": start, "resident_email": format!("two{i}@example.org") }),
                )
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    })
    .await;
    let booked = statuses.iter().filter(|&&s| s == 201).count();
    let full = statuses.iter().filter(|&&s| s == 409).count();
    assert_eq!((booked, full), (3, CLIENTS - 3), "{statuses:?}");
    assert_eq!(
        loket_store::appointments::overbooked_slots(&app.store)
            .await
            .unwrap(),
        0
    );
    // A session made on one instance works on the other (cookies are per
    // host, not per port, as behind one load balancer).
    let c = app.signed_in("staff@leuven.example", &["counter"]).await;
    let r = c.get(format!("{other_base}/staff")).send().await.unwrap();
    assert_eq!(r.status(), 200, "the other instance knows the session");
    // Signing out on the other instance ends it on the first, too.
    let (_, page) = app.get(&c, "/staff").await;
    let csrf = csrf_of(&page);
    let r = c
        .post(format!("{other_base}/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (s, _) = app.get(&c, "/staff").await;
    assert_eq!(s, 303, "signed out everywhere");
    other.shutdown().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_display_sees_a_call_made_on_another_instance() {
    use crate::queue::setup;
    if backend() != "postgres" {
        return;
    }
    let app = TestApp::spawn().await;
    let (other, other_base) = second_instance(&app).await;
    let s = setup(&app, 20).await;
    let t = token(&app, "kiosk@leuven.be", &["counter"]).await;
    // The display hangs on instance B.
    let b = TestApp {
        running: None,
        base: other_base.clone(),
        store: app.store.clone(),
        config: app.config.clone(),
        dir: app.dir.clone(),
    };
    let mut events = EventStream::open(&b, &b.client(), "/queue/city-office/events").await;
    let (_, first) = events.next(10).await;
    assert_eq!(first["waiting"], 0, "{first}");
    // A walk-in ticket and a call on instance A.
    let (st, ticket) = api(
        &app,
        &t,
        "POST",
        "/api/v1/queue/tickets",
        serde_json::json!({"location": "city-office", "service": "identity-card"}),
    )
    .await;
    assert_eq!(st, 201, "{ticket}");
    let (_, next) = events.next(10).await;
    assert_eq!(next["waiting"], 1, "{next}");
    let staff = app.signed_in("balie@leuven.be", &["counter"]).await;
    let desk = format!("/staff/desks/{}", s.desk1);
    let r = app
        .submit(&staff, &desk, &format!("{desk}/call"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let called = loop {
        let (_, ev) = events.next(10).await;
        if ev["called"].as_array().is_some_and(|c| !c.is_empty()) {
            break ev;
        }
    };
    assert_eq!(called["called"][0]["number"], ticket["number"], "{called}");
    other.shutdown().await;
    app.stop().await;
}

/// The booking race through PgBouncer in transaction pooling (1.21 or
/// later, `max_prepared_statements`; started by scripts/test.sh): the
/// capacity rule holds through the pooler, sessions and pages work, and the
/// migrations run over `database_migrate_url`, straight to the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_booking_race_holds_through_pgbouncer() {
    use crate::appointments::{LOCATION, SERVICE, at, setup};
    if backend() != "postgres" {
        return;
    }
    let Ok(bouncer) = std::env::var("LOKET_TEST_PGBOUNCER_URL") else {
        skip(
            "the_booking_race_holds_through_pgbouncer",
            "LOKET_TEST_PGBOUNCER_URL is not set (scripts/test.sh starts PgBouncer)",
        );
        return;
    };
    // The pooler really pools per transaction: its admin console says so.
    let Some(bin) = std::env::var("LOKET_TEST_PG_BIN")
        .ok()
        .map(std::path::PathBuf::from)
    else {
        skip(
            "the_booking_race_holds_through_pgbouncer",
            "LOKET_TEST_PG_BIN (the folder of psql) is not set; scripts/test.sh sets it",
        );
        return;
    };
    let bouncer_addr = url::Url::parse(&bouncer).unwrap();
    let show = std::process::Command::new(bin.join("psql"))
        .args([
            "-h",
            bouncer_addr.host_str().unwrap(),
            "-p",
            &bouncer_addr.port().unwrap().to_string(),
            "-U",
            "postgres",
            "-tA",
            "-c",
            "SHOW CONFIG",
            "pgbouncer",
        ])
        .output()
        .unwrap();
    let config = String::from_utf8_lossy(&show.stdout);
    assert!(
        config
            .lines()
            .any(|l| l.starts_with("pool_mode|transaction|")),
        "PgBouncer does not pool per transaction: {config} {}",
        String::from_utf8_lossy(&show.stderr)
    );
    // A database made on the server, reached through the pooler.
    let direct = fresh_database_url(&temp_dir()).await;
    let db = direct.rsplit('/').next().unwrap().to_owned();
    let via = format!("{}/{db}", bouncer.rsplit_once('/').unwrap().0);
    let app = TestApp::spawn_with(move |c| {
        c.database_url = Some(via);
        c.database_migrate_url = Some(direct);
        c.db_max_connections = 16;
    })
    .await;
    setup(&app, 3).await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    // A staff session (sign-in, CSRF, a page) through the pooler.
    let counter = app.signed_in("balie@leuven.example", &["counter"]).await;
    let page = counter.get(app.url("/staff")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    const CLIENTS: usize = 100;
    for i in 0..CLIENTS {
        resident(&app, &format!("pgb{i}@example.org")).await;
    }
    let start = at(2, "11:00");
    let statuses = race(CLIENTS, |i| {
        let url = app.url("/api/v1/appointments");
        let (staff, start) = (staff.clone(), start.clone());
        async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(staff)
                .json(
                    &serde_json::json!({ "service": SERVICE, "location": LOCATION,
                    "start": start, "resident_email": format!("pgb{i}@example.org") }),
                )
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    })
    .await;
    let booked = statuses.iter().filter(|&&s| s == 201).count();
    assert_eq!(booked, 3, "{statuses:?}");
    assert!(
        statuses.iter().all(|&s| s == 201 || s == 409),
        "{statuses:?}"
    );
    assert_eq!(
        loket_store::appointments::overbooked_slots(&app.store)
            .await
            .unwrap(),
        0
    );
    app.stop().await;
}

/// `loket serve` killed with SIGKILL in the middle of a booking rush (the
/// bookings' writer commits many per transaction): every booking that was
/// confirmed (201) is in the database with its confirmation queued, every
/// booking in the database has its confirmation, no slot is overbooked,
/// and the server starts again on the same data. On SQLite and PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_a_booking_rush_loses_no_confirmed_booking() {
    use crate::appointments::{LOCATION, SERVICE, at, setup};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    const RESIDENTS: usize = 480;
    let mut app = TestApp::spawn().await;
    setup(&app, 10).await; // 240 places a day, days 2 and 4
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    for i in 0..RESIDENTS {
        resident(&app, &format!("k{i}@example.org")).await;
    }
    // The bookings go to a `loket serve` process of their own.
    if let Some(r) = app.running.take() {
        r.shutdown().await;
    }
    let url = app.config.database_url();
    let serve = |port: u16| {
        Command::new(env!("CARGO_BIN_EXE_loket"))
            .args([
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
                &app.dir.display().to_string(),
                "--database-url",
                &url,
            ])
            .env("LOKET_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let free_port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let ready = |base: String| async move {
        reqwest::get(format!("{base}/readyz"))
            .await
            .map(|r| r.status() == 200)
            .unwrap_or(false)
    };
    let port = free_port();
    let mut child = serve(port);
    let base = format!("http://127.0.0.1:{port}");
    assert!(wait_for(60, async || ready(base.clone()).await).await);

    let next = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let confirmed = Arc::new(tokio::sync::Mutex::new(Vec::<(String, usize)>::new()));
    let mut workers = Vec::new();
    for _ in 0..32 {
        let (next, killed, confirmed) = (next.clone(), killed.clone(), confirmed.clone());
        let (staff, base) = (staff.clone(), base.clone());
        workers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= RESIDENTS {
                    return;
                }
                let day = [2, 4][i / 240];
                let k = i % 240;
                let hour = [9, 10, 11, 13, 14, 15][(k / 40) % 6];
                let start = at(day, &format!("{hour:02}:{:02}", ((k / 10) % 4) * 15));
                let r = client
                    .post(format!("{base}/api/v1/appointments"))
                    .bearer_auth(&staff)
                    .json(
                        &serde_json::json!({ "service": SERVICE, "location": LOCATION,
                        "start": start, "resident_email": format!("k{i}@example.org") }),
                    )
                    .send()
                    .await;
                let r = match r {
                    Ok(r) => r,
                    // The server is gone: this booking was never confirmed.
                    Err(_) if killed.load(Ordering::SeqCst) => return,
                    Err(e) => panic!("before the kill: {e}"),
                };
                let status = r.status().as_u16();
                let Ok(body) = r.json::<serde_json::Value>().await else {
                    assert!(killed.load(Ordering::SeqCst), "no answer before the kill");
                    return;
                };
                assert_eq!(status, 201, "{body}");
                let id = body["id"].as_str().unwrap().to_owned();
                confirmed.lock().await.push((id, i));
            }
        }));
    }
    assert!(wait_for(60, async || confirmed.lock().await.len() >= 60).await);
    killed.store(true, Ordering::SeqCst);
    let status = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = child.wait();
    for w in workers {
        w.await.unwrap();
    }
    let confirmed = confirmed.lock().await.clone();
    assert!(
        confirmed.len() < RESIDENTS,
        "the rush was over before the kill"
    );

    let store = loket_store::Store::connect(&url, 2).await.unwrap();
    let count = |sql: &'static str, bind: String| {
        let store = store.clone();
        async move {
            use loket_store::sqlx::Row;
            loket_store::sqlx::query(sql)
                .bind(bind)
                .fetch_one(store.pool())
                .await
                .unwrap()
                .get::<i64, _>("n")
        }
    };
    for (id, i) in &confirmed {
        assert_eq!(
            count(
                "SELECT COUNT(*) AS n FROM appointments WHERE id = $1 AND status = 'booked'",
                id.clone()
            )
            .await,
            1,
            "confirmed booking {id} was lost"
        );
        assert_eq!(
            count(
                "SELECT COUNT(*) AS n FROM outbox WHERE to_addr = $1 AND attachment_body LIKE '%METHOD:REQUEST%'",
                format!("k{i}@example.org")
            )
            .await,
            1,
            "the confirmation of {id} was lost"
        );
    }
    let in_db = count(
        "SELECT COUNT(*) AS n FROM appointments WHERE status = 'booked' AND $1 = $1",
        String::new(),
    )
    .await;
    let unconfirmed = count(
        "SELECT COUNT(*) AS n FROM appointments a WHERE $1 = $1 AND NOT EXISTS \
         (SELECT 1 FROM outbox o JOIN users u ON u.email = o.to_addr WHERE u.id = a.resident_id)",
        String::new(),
    )
    .await;
    assert_eq!(unconfirmed, 0, "a booking without its confirmation");
    assert!(in_db >= confirmed.len() as i64);
    assert_eq!(
        loket_store::appointments::overbooked_slots(&store)
            .await
            .unwrap(),
        0
    );
    eprintln!(
        "kill -9 on {}: {} bookings confirmed before it, {in_db} in the database afterwards",
        backend(),
        confirmed.len()
    );
    store.close().await;

    // The server starts again on the data the kill left.
    let port = free_port();
    let mut child = serve(port);
    let base = format!("http://127.0.0.1:{port}");
    assert!(wait_for(60, async || ready(base.clone()).await).await);
    let (id, _) = &confirmed[0];
    let r = reqwest::Client::new()
        .get(format!("{base}/api/v1/appointments/{id}"))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let _ = child.kill();
    let _ = child.wait();
    app.stop().await;
}
