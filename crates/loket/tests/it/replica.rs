//! `database_read_url`: reports read from a PostgreSQL streaming replica
//! (started by scripts/test.sh with pg_basebackup), while writes and the
//! pages that show what someone just changed read the primary.

use crate::common::*;
use loket_store::sqlx;
use std::time::{Duration, Instant};

async fn exec(url: &str, sql: &'static str) {
    let store = loket_store::Store::connect(url, 1).await.unwrap();
    sqlx::query(sql).execute(store.pool()).await.unwrap();
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_read_the_replica_and_own_changes_the_primary() {
    if backend() != "postgres" {
        // Streaming replication is PostgreSQL's; scripts/test.sh runs this
        // in its PostgreSQL phase.
        return;
    }
    let Ok(replica_admin) = std::env::var("LOKET_TEST_POSTGRES_REPLICA_URL") else {
        skip(
            "reports_read_the_replica_and_own_changes_the_primary",
            "LOKET_TEST_POSTGRES_REPLICA_URL is not set (scripts/test.sh starts a replica)",
        );
        return;
    };
    let dir = temp_dir();
    let primary = fresh_database_url(&dir).await;
    let db = primary.rsplit('/').next().unwrap().to_owned();
    let replica_base = replica_admin.rsplit_once('/').unwrap().0.to_owned();
    let replica = format!("{replica_base}/{db}");
    let (p, r) = (primary.clone(), replica.clone());
    let app = TestApp::spawn_with(move |c| {
        c.database_url = Some(p);
        c.database_read_url = Some(r);
    })
    .await;
    assert!(app.store.has_reader());
    let admin = app.signed_in("admin@leuven.example", &["admin"]).await;
    // The replica has caught up with the schema (the list answers).
    let start = Instant::now();
    while app.get(&admin, "/admin/audit").await.0 != 200 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "replica not ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Replay on the replica stops: it lags from now on.
    exec(&replica_admin, "SELECT pg_wal_replay_pause()").await;
    let id = loket::cli::user_add(
        &app.config,
        "late@leuven.example",
        "Late Comer",
        &["counter".to_owned()],
        None,
    )
    .await
    .unwrap();
    // The page of what was just made reads the primary: it is there.
    let (s, page) = app.get(&admin, &format!("/admin/users/{id}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("late@leuven.example"), "{page}");
    // The audit log (a list) reads the replica: not yet.
    let (s, log) = app.get(&admin, "/admin/audit").await;
    assert_eq!(s, 200);
    assert!(!log.contains(&id), "the list read the primary");
    // Replay resumes: the list catches up.
    exec(&replica_admin, "SELECT pg_wal_replay_resume()").await;
    let start = Instant::now();
    let caught_up = loop {
        let (_, log) = app.get(&admin, "/admin/audit").await;
        if log.contains(&id) {
            break true;
        }
        if start.elapsed() > Duration::from_secs(20) {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(caught_up, "the replica caught up");
    // A write never goes to the replica: it is read-only.
    let err = sqlx::query("CREATE TABLE nope (x INT)")
        .execute(app.store.reader().pool())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("read-only"), "{err}");
    app.stop().await;
}

/// A read replica of SQLite is refused with a clear message.
#[test]
fn a_replica_needs_postgresql() {
    let c = loket::config::Config {
        database_read_url: Some("postgres://loket@replica/loket".to_owned()),
        ..loket::config::Config::default()
    };
    let e = c.check().unwrap_err().to_string();
    assert!(e.contains("database_read_url"), "{e}");
}
