//! Operations: health, metrics, the outbox worker, the CLI on the same data
//! folder as the server, and graceful shutdown on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn health_ready_and_metrics() {
    let app = TestApp::spawn().await;
    let c = app.client();
    assert_eq!(app.get(&c, "/healthz").await, (200, "ok".to_owned()));
    assert_eq!(app.get(&c, "/readyz").await.0, 200);
    let _ = app.get(&c, "/login").await;
    let _ = app.get(&c, "/confirm/abc").await;
    let (status, text) = app.get(&c, "/metrics").await;
    assert_eq!(status, 200);
    assert!(text.contains("loket_http_requests_total"), "{text}");
    // Labelled by route template, never by raw path.
    assert!(text.contains("route=\"/confirm/{token}\""), "{text}");
    assert!(!text.contains("/confirm/abc"));
    assert!(text.contains("loket_http_request_duration_seconds_bucket"));
    assert!(text.contains("loket_outbox_backlog"));
    assert!(text.contains("loket_db_pool_connections"));
    app.stop().await;
}

async fn wait_until<F: std::future::Future<Output = bool>>(mut f: impl FnMut() -> F) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn outbox_writes_eml_files_without_smtp() {
    let app = TestApp::spawn().await;
    let c = app.client();
    app.submit(
        &c,
        "/register",
        "/register",
        &[
            ("email", "mail@example.org"),
            ("name", "Mail Test"),
            ("password", PASSWORD),
            ("password_repeat", PASSWORD),
        ],
    )
    .await;
    let dir = app.dir.join("mail");
    let found = wait_until(|| {
        let dir = dir.clone();
        async move {
            std::fs::read_dir(&dir)
                .map(|d| {
                    d.filter_map(Result::ok)
                        .any(|e| e.path().extension().is_some_and(|x| x == "eml"))
                })
                .unwrap_or(false)
        }
    })
    .await;
    assert!(found, "no .eml written");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .next()
        .unwrap()
        .path();
    let eml = std::fs::read_to_string(file).unwrap();
    assert!(eml.contains("To: mail@example.org"));
    assert!(eml.contains("/confirm/"));
    let sent = wait_until(|| async {
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
            .await
            == 1
    })
    .await;
    assert!(sent);
    app.stop().await;
}

#[tokio::test]
async fn outbox_retries_with_backoff_and_loses_nothing() {
    // An SMTP server that is not there: port 9 on loopback refuses.
    let app = TestApp::spawn_with(|c| c.smtp_url = Some("smtp://127.0.0.1:9".to_owned())).await;
    let c = app.client();
    app.submit(
        &c,
        "/register",
        "/register",
        &[
            ("email", "retry@example.org"),
            ("name", "Retry"),
            ("password", PASSWORD),
            ("password_repeat", PASSWORD),
        ],
    )
    .await;
    let failed_once = wait_until(|| async {
        app.count("SELECT COUNT(*) FROM outbox WHERE attempts >= 1 AND status = 'pending' AND last_error IS NOT NULL").await == 1
    })
    .await;
    assert!(failed_once);
    let m = app.last_mail_to("retry@example.org").await;
    assert_eq!(m.status, loket_domain::notify::OutboxStatus::Pending);
    assert_eq!(m.attempts, 1);
    // The next attempt waits about 30 seconds (the first back-off step).
    let wait = m.next_attempt_at - loket_store::now_ms();
    assert!((20_000..=31_000).contains(&wait), "{wait}");
    // With SMTP configured, the sent-mail pages are off: messages hold links.
    let admin = app.signed_in("admin@example.org", &["admin"]).await;
    assert_eq!(app.get(&admin, "/admin/mail").await.0, 404);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_never_claim_the_same_message() {
    let app = TestApp::spawn().await;
    // Stop the app's own worker first, so only our two claimers run.
    let dir = app.dir.clone();
    let mut app = app;
    if let Some(r) = app.running.take() {
        r.shutdown().await;
    }
    let store = loket_store::Store::connect(&app.config.database_url(), 8)
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    for i in 0..60 {
        let mail = loket_domain::notify::Mail {
            to: loket_domain::ident::Email::parse(&format!("p{i}@example.org")).unwrap(),
            subject: "s".into(),
            body: "b".into(),
        };
        loket_store::notify::enqueue(&mut tx, &mail).await.unwrap();
    }
    tx.commit().await.unwrap();
    let claimed = race(6, |w| {
        let store = store.clone();
        async move {
            let mut mine = Vec::new();
            loop {
                let batch = loket_store::notify::claim_due(&store, &format!("w{w}"), 60_000, 7)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    break;
                }
                mine.extend(batch.into_iter().map(|m| m.id));
            }
            mine
        }
    })
    .await;
    let mut all: Vec<String> = claimed.into_iter().flatten().collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(n, 60, "every message claimed exactly once");
    assert_eq!(all.len(), 60);
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

fn loket_bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_loket"))
}

#[tokio::test]
async fn cli_acts_on_the_same_data_as_serve() {
    let dir = temp_dir();
    let db = fresh_database_url(&dir).await;
    let args = |extra: &[&str]| {
        let mut v = vec![
            "--data-dir".to_owned(),
            dir.display().to_string(),
            "--database-url".to_owned(),
            db.clone(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let out = loket_bin().args(args(&["migrate"])).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A password on standard input.
    let mut child = loket_bin()
        .args(args(&[
            "user",
            "add",
            "--email",
            "els@leuven.example",
            "--name",
            "Els Willems",
            "--role",
            "hr,admin",
            "--password-stdin",
        ]))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Bad input: a clear message naming the option, exit code 2, nothing created.
    let out = loket_bin()
        .args(args(&[
            "user", "add", "--email", "bad", "--name", "X", "--role", "mayor",
        ]))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--email") && err.contains("--role: unknown role"),
        "{err}"
    );

    let out = loket_bin()
        .args(args(&[
            "token",
            "create",
            "--email",
            "els@leuven.example",
            "--name",
            "cli test",
        ]))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(token.starts_with("lkt_"));

    // Now serve the same data folder and database, and use both.
    let config = loket::config::Config {
        addr: "127.0.0.1:0".into(),
        data_dir: dir.clone(),
        database_url: Some(db.clone()),
        ..Default::default()
    };
    let running = loket::start(&config, false).await.unwrap();
    let base = format!("http://{}", running.addr);
    let me: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "els@leuven.example");
    assert_eq!(me["roles"], serde_json::json!(["hr", "admin"]));
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn sigterm_shuts_down_gracefully() {
    let dir = temp_dir();
    let db = fresh_database_url(&dir).await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = loket_bin()
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
            &dir.display().to_string(),
            "--database-url",
            &db,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/readyz");
    let up = wait_until(|| {
        let url = url.clone();
        async move {
            reqwest::get(&url)
                .await
                .map(|r| r.status() == 200)
                .unwrap_or(false)
        }
    })
    .await;
    assert!(up, "server did not come up");
    // One log line per request, carrying the id the proxy sent.
    let r = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/api/v1/appointments/nope"))
        .header("x-request-id", "lb-req-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "lb-req-4711");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(code.success(), "exit status {code:?}");
    let mut err = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("shutting down"), "{err}");
    assert!(err.contains("outbox worker stopped"), "{err}");
    let line = err
        .lines()
        .find(|l| l.contains("request_id=lb-req-4711") && l.contains(" request "))
        .unwrap_or_else(|| panic!("no request log line: {err}"));
    for field in ["method=GET", "route=", "status=", "duration_ms="] {
        assert!(line.contains(field), "{field} missing: {line}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Every answer carries an `x-request-id`: the one the proxy sent when it
/// is acceptable, otherwise a new one; problem documents quote it.
#[tokio::test]
async fn request_ids_are_honoured_or_made() {
    let app = TestApp::spawn().await;
    let c = reqwest::Client::new();
    let r = c
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123_x.y:z/1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123_x.y:z/1");
    let made = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let r = c.get(app.url("/healthz")).send().await.unwrap();
    let a = made(&r);
    let r = c.get(app.url("/healthz")).send().await.unwrap();
    let b = made(&r);
    assert_eq!(a.len(), 32, "{a}");
    assert_ne!(a, b, "each request gets its own id");
    // Too long, or with characters that could forge log lines: replaced.
    for bad in ["x".repeat(65), "a b".to_owned(), "a\"b".to_owned()] {
        let r = c
            .get(app.url("/healthz"))
            .header("x-request-id", bad.as_str())
            .send()
            .await
            .unwrap();
        let id = made(&r);
        assert!(id != bad && id.len() == 32, "{bad:?} -> {id}");
    }
    // The API's problem document names the request.
    let r = c
        .get(app.url("/api/v1/me"))
        .header("x-request-id", "trace-me-please")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["request_id"], "trace-me-please", "{p}");
    app.stop().await;
}

/// The admins' "sent mail" detail page shows one message from the outbox
/// (a live reset link masked); an unknown id is not found and other roles
/// may not look.
#[tokio::test]
async fn an_admin_reads_one_sent_mail() {
    let app = TestApp::spawn().await;
    resident(&app, "julie@example.org").await;
    let c = app.client();
    let r = app
        .submit(
            &c,
            "/password/forgot",
            "/password/forgot",
            &[("email", "julie@example.org")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let mail = app.last_mail_to("julie@example.org").await;
    let admin = app.signed_in("admin@example.org", &["admin"]).await;
    let (s, list) = app.get(&admin, "/admin/mail").await;
    assert_eq!(s, 200);
    let path = format!("/admin/mail/{}", mail.id);
    assert!(list.contains(&path), "{list}");
    let (s, html) = app.get(&admin, &path).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("julie@example.org") && html.contains(&mail.subject),
        "{html}"
    );
    // The body, with the reset link hidden while it still works: an admin
    // must not be able to reset julie's password with it.
    let link = link_in(&mail.body, &app.url("/password/reset/"));
    assert!(!html.contains(&link), "{html}");
    assert!(
        html.contains("[link verborgen tot hij vervalt op "),
        "{html}"
    );
    assert_eq!(app.get(&admin, "/admin/mail/nope").await.0, 404);
    let counter = app.signed_in("balie@example.org", &["counter"]).await;
    assert_eq!(app.get(&counter, &path).await.0, 403);
    assert_eq!(app.get(&app.client(), &path).await.0, 303, "sign in first");
    app.stop().await;
}

/// The stylesheet, the city's colours and logo, the favicon and the
/// scripts ship inside the binary.
#[tokio::test]
async fn static_files_and_scripts_are_served() {
    let app = TestApp::spawn_with(|c| c.primary_color = "#123456".to_owned()).await;
    let c = app.client();
    let get = |path: &'static str| {
        let c = c.clone();
        let url = app.url(path);
        async move {
            let r = c.get(url).send().await.unwrap();
            let s = r.status().as_u16();
            let ct = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            (s, ct, r.text().await.unwrap())
        }
    };
    let (s, ct, css) = get("/static/loket.css").await;
    assert_eq!(s, 200);
    assert!(ct.starts_with("text/css") && css.contains('{'), "{ct}");
    let (s, _, theme) = get("/static/theme.css").await;
    assert_eq!(s, 200);
    assert!(theme.contains("--primary:#123456"), "{theme}");
    let (s, ct, logo) = get("/static/logo.svg").await;
    assert_eq!(s, 200);
    assert!(
        ct.starts_with("image/svg+xml") && logo.contains("<svg"),
        "{ct}"
    );
    assert_eq!(get("/favicon.ico").await.0, 204);
    for path in [
        "/static/contact.js",
        "/static/vaccination.js",
        "/mobile/vaccination.js",
        "/mobile/sw.js",
    ] {
        let (s, ct, js) = get(path).await;
        assert_eq!(s, 200, "{path}");
        assert!(ct.contains("javascript") && !js.is_empty(), "{path}: {ct}");
    }
    app.stop().await;
}

/// `loket config check` in a clean environment (only `vars`), in `dir`.
fn config_check(dir: &std::path::Path, vars: &[(&str, &str)]) -> (bool, String, String) {
    let out = loket_bin()
        .args(["config", "check"])
        .env_clear()
        .envs(vars.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Kubernetes' service-link variables for a Service named `loket` are
/// ignored; every other unknown `LOKET_*` key is still refused.
#[test]
fn kubernetes_service_links_are_ignored_and_unknown_keys_refused() {
    let dir = temp_dir();
    let links = [
        ("LOKET_PORT", "tcp://10.0.0.1:8080"),
        ("LOKET_PORT_8080_TCP", "tcp://10.0.0.1:8080"),
        ("LOKET_PORT_8080_TCP_PROTO", "tcp"),
        ("LOKET_PORT_8080_TCP_PORT", "8080"),
        ("LOKET_PORT_8080_TCP_ADDR", "10.0.0.1"),
        ("LOKET_SERVICE_HOST", "10.0.0.1"),
        ("LOKET_SERVICE_PORT", "8080"),
        ("LOKET_SERVICE_PORT_HTTP", "8080"),
        ("LOKET_ADDR", "0.0.0.0:8080"),
    ];
    let (ok, out, err) = config_check(&dir, &links);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("addr = \"0.0.0.0:8080\"  # environment LOKET_ADDR"),
        "{out}"
    );
    assert!(
        out.contains("city_name = \"Stad Leuven\"  # default"),
        "{out}"
    );
    assert!(!out.contains("service"), "{out}");

    for bad in [("LOKET_PORT", "8080"), ("LOKET_FOO", "1")] {
        let mut vars = links.to_vec();
        vars.retain(|(k, _)| *k != bad.0);
        vars.push(bad);
        let (ok, out, err) = config_check(&dir, &vars);
        assert!(!ok, "{bad:?} is refused: {out}");
        let key = bad.0.trim_start_matches("LOKET_").to_ascii_lowercase();
        assert!(
            err.contains("unknown field") && err.contains(&key),
            "{bad:?}: {err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `config check` shows each key's source with secrets masked, and exits
/// non-zero with the error on an invalid value.
#[test]
fn config_check_masks_secrets_and_refuses_bad_values() {
    let dir = temp_dir();
    std::fs::write(dir.join("loket.toml"), "city_name = \"Stad Gent\"\n").unwrap();
    let (ok, out, err) = config_check(
        &dir,
        &[
            (
                "LOKET_DATABASE_URL",
                "postgres://loket:s3cr3t-pw@db.example/loket",
            ),
            ("LOKET_SMTP_URL", "smtp://mailer:m41l-pw@mail.example:587"),
        ],
    );
    assert!(ok, "{out}{err}");
    assert!(
        !out.contains("s3cr3t-pw") && !out.contains("m41l-pw"),
        "{out}"
    );
    assert!(
        out.contains(
            "database_url = \"postgres://loket:********@db.example/loket\"  # environment LOKET_DATABASE_URL"
        ),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("city_name = \"Stad Gent\"  # file ")
                && l.ends_with("loket.toml")),
        "{out}"
    );
    assert!(
        out.contains("webhook_ca_file = (unset)  # default"),
        "{out}"
    );

    let (ok, out, err) = config_check(&dir, &[("LOKET_PRIMARY_COLOR", "red")]);
    assert!(!ok, "{out}");
    assert!(err.contains("primary_color"), "{err}");
    let (ok, _, err) = config_check(&dir, &[("LOKET_WEBHOOK_CA_FILE", "/nonexistent/ca.pem")]);
    assert!(!ok);
    assert!(err.contains("webhook_ca_file"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every `loket_…` metric name in `text`, without the histogram suffixes.
fn metric_names(text: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("loket_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let name = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(name);
        // Metric names end in a unit or _total, or are gauges listed below;
        // skip words such as crate names (loket_store, loket_app).
        if name.ends_with("_total")
            || name.ends_with("_seconds")
            || name.ends_with("_up")
            || name.ends_with("_backlog")
            || name.ends_with("_size")
            || name.starts_with("loket_db_pool_")
            || name.starts_with("loket_live_")
        {
            out.insert(name.to_owned());
        }
        rest = &tail[end.max(1)..];
    }
    out
}

fn rust_sources(dir: &std::path::Path, out: &mut String) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push_str(&std::fs::read_to_string(&p).unwrap());
        }
    }
}

/// The README lists every metric the code exports, and the Grafana
/// dashboard and the alert rules use only metrics that exist.
#[test]
fn readme_dashboard_and_alerts_name_the_exported_metrics() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut code = String::new();
    for krate in ["loket", "loket-app", "loket-web", "loket-store"] {
        rust_sources(&root.join("crates").join(krate).join("src"), &mut code);
    }
    // Only names passed to the metrics macros count as exported.
    let mut exported = std::collections::BTreeSet::new();
    for macro_name in ["counter!(", "gauge!(", "histogram!("] {
        for part in code.split(macro_name).skip(1) {
            let part = part.trim_start();
            if let Some(q) = part.strip_prefix('"') {
                let name = &q[..q.find('"').unwrap()];
                exported.insert(name.to_owned());
            }
        }
    }
    assert!(exported.len() >= 20, "{exported:?}");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split("## Metrics")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    assert_eq!(metric_names(section), exported, "README's metric table");
    let dashboard = std::fs::read_to_string(root.join("deploy/grafana-dashboard.json")).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&dashboard).unwrap();
    assert!(parsed["panels"].as_array().unwrap().len() >= 10);
    let alerts = std::fs::read_to_string(root.join("deploy/alerts.yaml")).unwrap();
    for (file, text) in [("dashboard", &dashboard), ("alerts", &alerts)] {
        let used = metric_names(text);
        let unknown: Vec<_> = used.difference(&exported).collect();
        assert!(
            unknown.is_empty(),
            "{file} uses unknown metrics {unknown:?}"
        );
    }
    // The dashboard covers requests, latency, outbox, mail-in, bookings and
    // the pool.
    for m in [
        "loket_http_requests_total",
        "loket_http_request_duration_seconds",
        "loket_outbox_backlog",
        "loket_contact_mail_up",
        "loket_appointments_booked_total",
        "loket_db_pool_connections",
    ] {
        assert!(metric_names(&dashboard).contains(m), "dashboard lacks {m}");
    }
}

/// `/metrics` behind a bearer token when one is configured.
#[tokio::test]
async fn metrics_behind_a_bearer_token() {
    let app = TestApp::spawn_with(|c| c.metrics_token = Some("m3trics-t0ken".to_owned())).await;
    let c = app.client();
    let r = c.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let r = c
        .get(app.url("/metrics"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .get(app.url("/metrics"))
        .bearer_auth("m3trics-t0ken")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("loket_http_requests_total")
    );
    app.stop().await;
}

/// On https: HSTS on every answer, and the session cookie is
/// `__Host-loket_session` (Secure, Path=/, no Domain). On http: neither.
#[tokio::test]
async fn https_sends_hsts_and_a_host_only_cookie() {
    let app =
        TestApp::spawn_with(|c| c.public_url = Some("https://loket.example".to_owned())).await;
    let c = app.client();
    for path in ["/login", "/healthz", "/api/v1/openapi.json"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            r.headers()["strict-transport-security"],
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
    let r = app.client().get(app.url("/login")).send().await.unwrap();
    // A visitor's CSRF cookie, then the session cookie after signing in.
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-loket_csrf="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let csrf_cookie = cookie.split(';').next().unwrap().to_owned();
    let html = r.text().await.unwrap();
    loket::cli::user_add(
        &app.config,
        "tls@example.org",
        "T L S",
        &["resident".to_owned()],
        Some(PASSWORD.to_owned()),
    )
    .await
    .unwrap();
    let r = app
        .client()
        .post(app.url("/login"))
        .header("cookie", csrf_cookie)
        .form(&[
            ("email", "tls@example.org"),
            ("password", PASSWORD),
            ("csrf", &csrf_of(&html)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("__Host-loket_session="))
        .expect("the session cookie");
    assert!(
        cookie.contains("; Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    app.stop().await;

    let app = TestApp::spawn().await;
    let r = app.client().get(app.url("/login")).send().await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("loket_csrf="), "{cookie}");
    app.stop().await;
}

/// `loket demo` refuses a database that holds an account it did not create
/// (it would add accounts with a published password to a real city).
#[tokio::test]
async fn demo_refuses_a_database_with_a_real_admin() {
    let dir = temp_dir();
    let db = fresh_database_url(&dir).await;
    let args = |extra: &[&str]| {
        let mut v = vec![
            "--data-dir".to_owned(),
            dir.display().to_string(),
            "--database-url".to_owned(),
            db.clone(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let mut child = loket_bin()
        .args(args(&[
            "user",
            "add",
            "--email",
            "chef@leuven.example",
            "--name",
            "Chef ICT",
            "--role",
            "admin",
            "--password-stdin",
        ]))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{PASSWORD}").unwrap();
    }
    assert!(child.wait().unwrap().success());
    let out = Command::new("timeout")
        .arg("120")
        .arg(env!("CARGO_BIN_EXE_loket"))
        .args(args(&["demo", "--addr", "127.0.0.1:0"]))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "demo must refuse: {stderr}");
    assert_ne!(out.status.code(), Some(124), "refused, not timed out");
    assert!(
        stderr.contains("loket demo refuses this database")
            && stderr.contains("chef@leuven.example"),
        "{stderr}"
    );
    // Nothing was seeded.
    let store = loket_store::Store::connect(&db, 2).await.unwrap();
    use loket_store::sqlx::Row;
    let n: i64 = loket_store::sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("n");
    assert_eq!(n, 1);
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// `loket serve` on a database whose accounts still have the demo
/// password: admins see a red banner on every page (others do not).
#[tokio::test]
async fn admins_see_a_banner_while_the_demo_password_is_in_use() {
    let app = TestApp::spawn().await;
    loket::demo::seed(&app.store).await.unwrap();
    // A server started now finds the demo accounts.
    let running = loket::start_with_store(&app.config, app.store.clone(), false)
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);
    // Signs in with the demo password, and the demo's published key for
    // the second factor of admins: the client.
    let sign_in = |email: &'static str| {
        let base = base.clone();
        let c = app.client();
        async move {
            let html = c
                .get(format!("{base}/login"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let r = c
                .post(format!("{base}/login"))
                .form(&[
                    ("email", email),
                    ("password", loket::demo::DEMO_PASSWORD),
                    ("csrf", &csrf_of(&html)),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303);
            if crate::common::location(&r) == "/login/factor" {
                let html = c
                    .get(format!("{base}/login/factor"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                // `loket serve` never shows the demo's key.
                assert!(!html.contains(loket_app::people::totp::DEMO_SECRET));
                let code = crate::common::totp_now(loket_app::people::totp::DEMO_SECRET, 0);
                let r = c
                    .post(format!("{base}/login/factor"))
                    .form(&[("totp_code", code.as_str()), ("csrf", &csrf_of(&html))])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 303, "the demo key");
            }
            c
        }
    };
    let page = |c: reqwest::Client| {
        let base = base.clone();
        async move {
            c.get(format!("{base}/account"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    // The check runs in the background at start-up.
    let admin = sign_in("admin@demo.leuven.be").await;
    let mut admin_page = String::new();
    for _ in 0..100 {
        admin_page = page(admin.clone()).await;
        if admin_page.contains("alert-danger") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        admin_page.contains("openbare wachtwoord van de demo"),
        "{admin_page}"
    );
    let counter_page = page(sign_in("loket@demo.leuven.be").await).await;
    assert!(!counter_page.contains("alert-danger"));
    running.shutdown().await;
    app.stop().await;
}

/// `loket demo` seeds its own earlier database again, also one seeded
/// before it recorded its accounts, but not once a real account is added.
#[tokio::test]
async fn demo_accepts_its_own_database_only() {
    let app = TestApp::spawn().await;
    loket::demo::refuse_foreign_accounts(&app.store)
        .await
        .unwrap();
    loket::demo::seed(&app.store).await.unwrap();
    loket::demo::refuse_foreign_accounts(&app.store)
        .await
        .unwrap();
    loket_store::sqlx::query("DELETE FROM demo_accounts")
        .execute(app.store.pool())
        .await
        .unwrap();
    loket::demo::refuse_foreign_accounts(&app.store)
        .await
        .unwrap();
    // The lived-in demo's residents (generated ones, and one registered at
    // the counter without a password) are its own too: `loket demo`
    // starts again on its database.
    loket::demo::history::seed(&app.store).await.unwrap();
    loket::demo::lives::seed(&app.app()).await.unwrap();
    loket::demo::refuse_foreign_accounts(&app.store)
        .await
        .unwrap();
    loket::cli::user_add(
        &app.config,
        "chef@leuven.example",
        "Chef ICT",
        &["admin".to_owned()],
        Some(PASSWORD.to_owned()),
    )
    .await
    .unwrap();
    let refused = loket::demo::refuse_foreign_accounts(&app.store).await;
    assert!(
        refused.is_err_and(|e| e.to_string().contains("chef@leuven.example")),
        "a real admin"
    );
    app.stop().await;
}
