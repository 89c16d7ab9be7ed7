//! Upgrades: a database made by the previous release (its migrations, then
//! a city's data) is opened by the current binary, which brings the schema
//! up to date and serves the data as before. And released migrations are
//! never edited: a deployed database would refuse them.

use crate::common::*;
use loket_store::sqlx;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::path::{Path, PathBuf};

/// The previous release's schema: migrations up to and including this one
/// (main at 263986f, before 0014_limits). Its data is
/// `tests/data/upgrade/release-0013.sql`, written for that schema. When a
/// release is made, add its fixture and move this number.
const PREVIOUS_RELEASE_MIGRATION: i64 = 13;

/// The secret of a token made before migration 16 (no expiry, no scopes).
const OLD_TOKEN: &str = "lkt_made-before-scopes-existed";

fn migrations_dir(backend: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(backend)
}

fn version_of(name: &str) -> i64 {
    name.split('_').next().unwrap().parse().unwrap()
}

/// Copies the migrations up to `last` into a folder and runs them, with
/// sqlx's public runtime migrator: the same checksums the current binary
/// will compare.
async fn migrate_up_to(url: &str, backend: &str, last: i64) {
    let dir = temp_dir().join("old-migrations");
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(migrations_dir(backend)).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".sql") && version_of(&name) <= last {
            std::fs::copy(&p, dir.join(&name)).unwrap();
        }
    }
    let store = loket_store::Store::connect(url, 2).await.unwrap();
    let m = sqlx::migrate::Migrator::new(dir.as_path()).await.unwrap();
    m.run(store.pool()).await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), last);
    store.close().await;
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_current_binary_opens_a_previous_release_database() {
    let dir = temp_dir();
    let url = fresh_database_url(&dir).await;
    let backend = backend();
    migrate_up_to(&url, backend, PREVIOUS_RELEASE_MIGRATION).await;
    // The previous release's data, as it wrote it.
    {
        let store = loket_store::Store::connect(&url, 1).await.unwrap();
        let sql = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/upgrade/release-0013.sql"),
        )
        .unwrap()
        .replace(
            "{{PASSWORD_HASH}}",
            &loket_domain::people::hash_password(PASSWORD),
        );
        for stmt in sql
            .split(";\n")
            .map(|s| {
                s.lines()
                    .filter(|l| !l.starts_with("--"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .filter(|s| !s.trim().is_empty())
        {
            sqlx::query(sqlx::AssertSqlSafe(stmt))
                .execute(store.pool())
                .await
                .unwrap();
        }
        // An API token as releases before migration 16 made it: no expiry,
        // no scopes.
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) \
             VALUES ('019ad000-0000-7000-8000-0000000000a1', '019ad000-0000-7000-8000-000000000001', 'old', $1, 1764460800000)",
        )
        .bind(loket_store::hash_secret(OLD_TOKEN))
        .execute(store.pool())
        .await
        .unwrap();
        store.close().await;
    }
    // The current binary: migrates at start-up and serves.
    let config = loket::config::Config {
        addr: "127.0.0.1:0".to_owned(),
        data_dir: dir.clone(),
        database_url: Some(url.clone()),
        ..loket::config::Config::default()
    };
    let store = loket::open_store(&config).await.unwrap();
    assert_eq!(
        store.schema_version().await.unwrap(),
        store.code_schema_version()
    );
    assert!(store.code_schema_version() > PREVIOUS_RELEASE_MIGRATION);
    let running = loket::start_with_store(&config, store.clone(), false)
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);
    let app = TestApp {
        running: Some(running),
        base,
        store,
        config,
        dir,
    };
    // Old accounts sign in; old records show on the staff's and residents'
    // pages as before.
    let sign_in = |email: &'static str| {
        let app = &app;
        async move {
            let c = app.client();
            let r = app
                .submit(
                    &c,
                    "/login",
                    "/login",
                    &[("email", email), ("password", PASSWORD)],
                )
                .await;
            assert_eq!(r.status(), 303, "{email} signs in after the upgrade");
            // Admins enrol a second factor at their first sign-in after
            // the upgrade (migration 17).
            if location(&r).starts_with("/login/factor") {
                app.pass_factor(&c, email).await;
            }
            c
        }
    };
    let admin = sign_in("admin@leuven.example").await;
    for page in ["/staff", "/admin/users", "/admin/audit"] {
        let (s, html) = app.get(&admin, page).await;
        assert_eq!(s, 200, "{page}: {html}");
    }
    let (s, user) = app
        .get(&admin, "/admin/users/019ad000-0000-7000-8000-000000000002")
        .await;
    assert_eq!(s, 200);
    assert!(user.contains("Fien Peeters"), "{user}");
    let contact = sign_in("contact@leuven.example").await;
    let (s, html) = app.get(&contact, "/staff/contact/report").await;
    assert_eq!(s, 200, "{html}");
    let (s, html) = app.get(&contact, "/staff/contact").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("C-2026-000102"),
        "the open moment is listed: {html}"
    );
    // The resident, case-insensitively by address, sees her history.
    let fien = sign_in("fien.peeters@example.org").await;
    let (s, _) = app.get(&fien, "/").await;
    assert_eq!(s, 200);
    // Migration 14's new column has its default on old rows.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_moments WHERE sender_unverified = 0")
            .await,
        2
    );
    loket_store::contact::record_mail_pass(&app.store, "maildir:/x", None)
        .await
        .unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 3);
    // Migration 16: the old token keeps every scope and expires 90 days
    // after the upgrade.
    let (st, _) = api(
        &app,
        OLD_TOKEN,
        "GET",
        "/api/v1/audit",
        serde_json::json!(null),
    )
    .await;
    assert_eq!(st, 200);
    let (st, _) = api(
        &app,
        OLD_TOKEN,
        "GET",
        "/api/v1/tokens",
        serde_json::json!(null),
    )
    .await;
    assert_eq!(st, 200);
    let expires: i64 = sqlx::query("SELECT expires_at FROM api_tokens WHERE name = 'old'")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("expires_at");
    let days = (expires - loket_store::now_ms()) as f64 / 86_400_000.0;
    assert!((89.9..90.01).contains(&days), "{days}");
    app.stop().await;
}

/// The SHA-256 of every released migration, pinned in
/// `migrations/released.sha256`. Editing a migration that a city has
/// already applied makes its next start fail (sqlx compares checksums);
/// change the schema with a new migration instead. New migrations are
/// added to the list when they are released.
#[test]
fn released_migrations_are_never_edited() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let pinned = std::fs::read_to_string(root.join("released.sha256")).unwrap();
    let mut n = 0;
    for line in pinned
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let (sum, path) = line.split_once("  ").unwrap();
        let text = std::fs::read(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(
            hex::encode(Sha256::digest(&text)),
            sum,
            "{path} was released and must not change; add a new migration"
        );
        n += 1;
    }
    // Both backends, up to the previous release at least.
    assert!(n >= 2 * PREVIOUS_RELEASE_MIGRATION as usize, "{n} pinned");
}
