//! Starts the real app in-process on an ephemeral port, against a fresh
//! SQLite database, or a fresh PostgreSQL database when
//! `LOKET_TEST_POSTGRES_URL` is set (an admin URL; a database is created per
//! test app).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use loket::config::Config;
use loket::{Running, start_with_store};
use loket_store::Store;
use loket_store::sqlx;
use reqwest::redirect::Policy;
use std::path::PathBuf;

/// Skips a test loudly: a banner on stderr, or a failure when
/// `LOKET_TEST_NO_SKIP=1` (`scripts/test.sh` sets it: a green suite has
/// run every test).
pub fn skip(test: &str, why: &str) {
    let msg = format!("SKIPPED {test}: {why}");
    assert!(
        !std::env::var("LOKET_TEST_NO_SKIP").is_ok_and(|v| v == "1"),
        "{msg} (LOKET_TEST_NO_SKIP=1: no test may be skipped)"
    );
    eprintln!("\n******** {msg} ********\n");
}

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub running: Option<Running>,
    pub base: String,
    pub store: Store,
    pub config: Config,
    pub dir: PathBuf,
}

/// The backend under test: "sqlite" or "postgres".
pub fn backend() -> &'static str {
    if std::env::var("LOKET_TEST_POSTGRES_URL").is_ok() {
        "postgres"
    } else {
        "sqlite"
    }
}

/// A fresh, empty database URL for one test app.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("LOKET_TEST_POSTGRES_URL") {
        Ok(admin) => {
            let name = format!("loket_t_{}", uuid::Uuid::now_v7().simple());
            sqlx::any::install_default_drivers();
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                .await
                .expect("connect to the test PostgreSQL");
            sqlx::Executor::execute(
                &mut conn,
                sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")),
            )
            .await
            .expect("create test database");
            // Options after the database name (`?statement-cache-capacity=0`
            // behind PgBouncer) carry over to the test's database.
            let (base, query) = match admin.rsplit_once('/') {
                Some((b, rest)) => (
                    b.to_owned(),
                    rest.split_once('?').map(|(_, q)| format!("?{q}")),
                ),
                None => (admin.clone(), None),
            };
            format!("{base}/{name}{}", query.unwrap_or_default())
        }
        Err(_) => format!("sqlite://{}?mode=rwc", dir.join("loket.db").display()),
    }
}

pub fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("loket-test-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = temp_dir();
        let mut config = Config {
            addr: "127.0.0.1:0".to_owned(),
            data_dir: dir.clone(),
            database_url: Some(fresh_database_url(&dir).await),
            outbox_poll_ms: 50,
            db_max_connections: 8,
            ..Config::default()
        };
        tweak(&mut config);
        let store = loket::open_store(&config).await.expect("open store");
        let running = start_with_store(&config, store.clone(), false)
            .await
            .expect("start app");
        let base = format!("http://{}", running.addr);
        TestApp {
            running: Some(running),
            base,
            store,
            config,
            dir,
        }
    }

    /// The use cases' context of the running app.
    pub fn app(&self) -> loket_app::App {
        self.running.as_ref().expect("running").app.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    pub async fn get(&self, c: &reqwest::Client, path: &str) -> (u16, String) {
        let r = c.get(self.url(path)).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.text().await.unwrap())
    }

    /// GETs a page with a form, then posts `fields` with its CSRF token.
    pub async fn submit(
        &self,
        c: &reqwest::Client,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let (status, html) = self.get(c, form_page).await;
        assert_eq!(status, 200, "GET {form_page}: {html}");
        let csrf = csrf_of(&html);
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push(("csrf", &csrf));
        c.post(self.url(action)).form(&body).send().await.unwrap()
    }

    /// Follows an e-mailed link whose page confirms by a button (a POST
    /// with the page's CSRF token): the GET's status, then the POST's
    /// status and page.
    pub async fn confirm_link(&self, c: &reqwest::Client, link: &str) -> (u16, u16, String) {
        let path = link.trim_start_matches(&self.base).to_owned();
        let (status, html) = self.get(c, &path).await;
        if status != 200 {
            return (status, status, html);
        }
        let action = path.split('?').next().unwrap_or_default().to_owned();
        let mut body = vec![("csrf".to_owned(), csrf_of(&html))];
        if let Some(t) = path.split("t=").nth(1) {
            body.push(("t".to_owned(), t.to_owned()));
        }
        let r = c.post(self.url(&action)).form(&body).send().await.unwrap();
        let s = r.status().as_u16();
        (status, s, r.text().await.unwrap())
    }

    /// Creates a confirmed account with these roles and signs it in.
    pub async fn signed_in(&self, email: &str, roles: &[&str]) -> reqwest::Client {
        let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        loket::cli::user_add(
            &self.config,
            email,
            "Test Person",
            &roles,
            Some(PASSWORD.to_owned()),
        )
        .await
        .expect("user add");
        let c = self.client();
        let r = self
            .submit(
                &c,
                "/login",
                "/login",
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            r.status().as_u16(),
            303,
            "login {email}: {}",
            r.text().await.unwrap()
        );
        let to = location(&r);
        if to.starts_with("/login/factor") {
            self.pass_factor(&c, email).await;
        }
        c
    }

    /// Passes the second factor of a half-signed-in client through the
    /// real pages, as a person with an authenticator app would: enrols
    /// (the key read from the page) or gives the next unused code (the key
    /// read from the database). The recovery codes when it enrolled.
    pub async fn pass_factor(&self, c: &reqwest::Client, email: &str) -> Vec<String> {
        let (status, html) = self.get(c, "/login/factor").await;
        assert_eq!(status, 200, "factor page: {html}");
        let enrolling = html.contains("data-secret=\"");
        let code = if enrolling {
            totp_now(&secret_in(&html), 0)
        } else {
            self.next_code(email).await
        };
        let r = c
            .post(self.url("/login/factor"))
            .form(&[
                ("totp_code", code.as_str()),
                ("csrf", &csrf_of(&html)),
                ("next", ""),
            ])
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        let body = r.text().await.unwrap();
        if enrolling {
            assert_eq!(s, 200, "enrol {email}: {body}");
            recovery_codes_in(&body)
        } else {
            assert_eq!(s, 303, "code {email}: {body}");
            Vec::new()
        }
    }

    /// The key of an account's second factor (base32), from the database.
    pub async fn totp_secret(&self, email: &str) -> (String, i64) {
        use sqlx::Row;
        let r = sqlx::query(
            "SELECT f.secret, f.last_step FROM totp_factors f JOIN users u ON u.id = f.user_id \
             WHERE u.email_norm = $1",
        )
        .bind(email.to_lowercase())
        .fetch_one(self.store.pool())
        .await
        .unwrap();
        (r.get("secret"), r.get("last_step"))
    }

    /// A code of the account's app that was not used yet: the current
    /// step's, or the next one's (accepted too) when the current one was
    /// used; waits for a new step when both were.
    pub async fn next_code(&self, email: &str) -> String {
        loop {
            let (secret, last) = self.totp_secret(email).await;
            let now = totp_step_now();
            for step in [now, now + 1] {
                if step > last {
                    return totp_at_step(&secret, step);
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }

    /// The newest outbox message to `to`.
    pub async fn last_mail_to(&self, to: &str) -> loket_store::notify::OutboxMessage {
        loket_store::notify::recent(&self.store, 100)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.to_addr == to)
            .unwrap_or_else(|| panic!("no mail to {to}"))
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql)
            .fetch_one(self.store.pool())
            .await
            .unwrap()
            .get::<i64, _>(0)
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Where a redirect points.
pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn totp_of(secret_b32: &str) -> totp_rs::Totp {
    let secret = totp_rs::Secret::try_from_base32(secret_b32.replace(' ', "")).unwrap();
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .build()
        .unwrap()
}

/// The current 30 s step.
pub fn totp_step_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 30
}

/// The code of `step` for a base32 key (spaces allowed).
pub fn totp_at_step(secret_b32: &str, step: i64) -> String {
    totp_of(secret_b32).generate(step as u64 * 30).to_string()
}

/// The code `offset` steps from now.
pub fn totp_now(secret_b32: &str, offset: i64) -> String {
    totp_at_step(secret_b32, totp_step_now() + offset)
}

/// The key shown on the enrolment page.
pub fn secret_in(html: &str) -> String {
    let marker = "data-secret=\"";
    let start = html.find(marker).expect("key on the enrolment page") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].replace(' ', "")
}

/// The recovery codes shown once after enrolment.
pub fn recovery_codes_in(html: &str) -> Vec<String> {
    html.split("<li><code>")
        .skip(1)
        .filter_map(|p| p.split("</code>").next())
        .map(str::to_owned)
        .collect()
}

/// The CSRF token in a page's first form.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("csrf field in page");
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// The first link in a text that starts with `base` + `prefix`.
pub fn link_in(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {text}"));
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// The text of a PDF, by `pdftotext` (poppler).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = temp_dir();
    let path = dir.join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every QR code on the PDF's pages, rendered by `pdftoppm` and decoded by `zbarimg`.
pub fn qr_codes_in_pdf(pdf: &[u8]) -> Vec<String> {
    codes_in_pdf(pdf)
}

/// Every barcode (Code128 and QR) on the PDF's pages, sorted.
pub fn barcodes_in_pdf(pdf: &[u8]) -> Vec<String> {
    let mut codes = codes_in_pdf(pdf);
    codes.sort();
    codes
}

/// What `zbarimg` decodes on the PDF's pages, rendered by `pdftoppm`, page
/// by page.
fn codes_in_pdf(pdf: &[u8]) -> Vec<String> {
    let dir = temp_dir();
    let path = dir.join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftoppm")
        .args(["-r", "200", "-png"])
        .arg(&path)
        .arg(dir.join("page"))
        .output()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(out.status.success());
    let mut codes = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "png") {
            let out = std::process::Command::new("zbarimg")
                .args(["--quiet", "--raw"])
                .arg(&p)
                .output()
                .expect("zbarimg (zbar-tools) is installed");
            codes.extend(
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .map(str::to_owned),
            );
        }
    }
    codes
}

/// The roles of a test account for `role`: a case handler or a
/// contact-centre agent also gets `all_departments`, so tests that are not
/// about need to know see every department's cases and forwards.
pub fn staff_roles(role: &str) -> Vec<String> {
    let mut roles = vec![role.to_owned()];
    if matches!(role, "case_handler" | "contact_centre") {
        roles.push("all_departments".to_owned());
    }
    roles
}

/// Need to know: gives the account of `email` these departments (codes of
/// the catalogue and the contact centre), through the store, audited.
pub async fn give_departments(app: &TestApp, email: &str, departments: &[&str]) {
    let user = loket_store::people::find_by_email(&app.store, email)
        .await
        .unwrap()
        .expect("account exists");
    let codes: Vec<String> = departments.iter().map(|d| (*d).to_owned()).collect();
    let mut tx = app.store.begin().await.unwrap();
    loket_store::people::departments::set(
        &mut tx,
        &loket_domain::audit::Actor::System,
        &user.id,
        &codes,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// The access-log rows about `subject` (a user id or subject key).
pub async fn access_rows(app: &TestApp, subject: &str) -> i64 {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM access_log WHERE subject_user_id = $1")
        .bind(subject)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    sqlx::Row::try_get(&row, "n").unwrap()
}

/// A confirmed resident account (no password), created through the store.
pub async fn resident(app: &TestApp, email: &str) -> String {
    use loket_domain::audit::Actor;
    let mut tx = app.store.begin().await.unwrap();
    let id = loket_store::people::create_user(
        &mut tx,
        &Actor::System,
        loket_store::people::NewUser {
            email: &loket_domain::ident::Email::parse(email).unwrap(),
            name: &loket_domain::people::PersonName::parse("An Peeters").unwrap(),
            password_hash: "",
            roles: &[loket_domain::people::Role::Resident],
            locale: "nl",
            confirmed: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A staff account with these roles and an API token for it.
pub async fn token(app: &TestApp, email: &str, roles: &[&str]) -> String {
    let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    loket::cli::user_add(&app.config, email, "Staff Member", &roles, None)
        .await
        .unwrap();
    loket::cli::token_create(&app.config, email, "test")
        .await
        .unwrap()
}

/// An API call with a bearer token and a JSON body; the status and the
/// JSON answer (`Null` when there is none).
pub async fn api(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let r = app
        .client()
        .request(method.parse().unwrap(), app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(serde_json::Value::Null))
}

/// Runs a Python script that reads an iCalendar file from stdin with
/// Python's `icalendar` (Debian's `python3-icalendar`) and prints JSON.
pub fn python_icalendar(script: &str, ics: &str) -> serde_json::Value {
    use std::io::Write;
    // Debian's python3 has python3-icalendar; prefer it over a python3
    // earlier on the PATH (pyenv, venv).
    let python = if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    };
    let mut child = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (with python3-icalendar) is needed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar could not parse:\n{}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A Server-Sent Events stream read over HTTP, event by event.
pub struct EventStream {
    response: reqwest::Response,
    buf: String,
}

impl EventStream {
    /// Opens `path` with `c`; the answer must be 200 and `text/event-stream`.
    pub async fn open(app: &TestApp, c: &reqwest::Client, path: &str) -> EventStream {
        let response = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        let ct = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        assert!(ct.starts_with("text/event-stream"), "{path}: {ct}");
        EventStream {
            response,
            buf: String::new(),
        }
    }

    /// The next event that carries data: its name and its data as JSON.
    /// Fails when none arrives within `secs` seconds (keep-alive comments
    /// are skipped).
    pub async fn next(&mut self, secs: u64) -> (String, serde_json::Value) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let ev: String = self.buf.drain(..end + 2).collect();
                let field = |name: &str| {
                    ev.lines()
                        .find_map(|l| l.strip_prefix(name).map(str::to_owned))
                };
                if let Some(data) = field("data: ") {
                    let name = field("event: ").unwrap_or_default();
                    return (name, serde_json::from_str(&data).unwrap());
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .unwrap_or_else(|_| panic!("no event within {secs} s"))
                .unwrap()
                .expect("the stream stays open");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// Races `n` clients: `client(i)` prepares client `i` (before anyone
/// starts) and returns what it does; each runs in its own task and waits
/// behind one barrier, so all start together (use a multi-thread runtime:
/// `#[tokio::test(flavor = "multi_thread", worker_threads = 4)]`). Their
/// results, in order.
pub async fn race<T, Fut>(n: usize, mut client: impl FnMut(usize) -> Fut) -> Vec<T>
where
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let run = client(i);
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            run.await
        }));
    }
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}
