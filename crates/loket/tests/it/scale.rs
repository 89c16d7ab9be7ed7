//! `loket bench scale` with tiny numbers, so it cannot rot: the rows it
//! says it seeded are in the database (SQL COUNT), and every measured
//! request answered 2xx. No timing is asserted.

use crate::common::{fresh_database_url, temp_dir};
use loket::bench::scale::{ScaleOptions, scale};
use loket::config::Config;
use sqlx::Row;

async fn count(url: &str, table: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url)
        .await
        .unwrap();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {table}"
    )))
    .fetch_one(&mut conn)
    .await
    .unwrap();
    row.try_get::<i64, _>("n").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_scale_seeds_what_it_says_and_every_request_answers_2xx() {
    let dir = temp_dir();
    let url = fresh_database_url(&dir).await;
    let config = Config {
        data_dir: dir.clone(),
        database_url: Some(url.clone()),
        ..Config::default()
    };
    let report = scale(
        config,
        ScaleOptions {
            cases: 2000,
            appointments: 200,
            articles: 100,
            contacts: 400,
            requests: 20,
        },
    )
    .await
    .expect("bench scale runs");
    println!("{}", report.text);

    // What it says it seeded is what the tables gained.
    let want = |t: &str| {
        report
            .seeded
            .iter()
            .find(|(n, _)| *n == t)
            .map(|(_, v)| *v)
            .unwrap()
    };
    let of = |v: &[(&'static str, i64)], t: &str| {
        v.iter().find(|(n, _)| *n == t).map(|(_, v)| *v).unwrap()
    };
    assert_eq!(want("cases"), 2000);
    assert_eq!(want("case_documents"), 2000);
    assert_eq!(want("appointments"), 200);
    assert_eq!(want("contact_articles"), 100);
    assert_eq!(want("contact_moments"), 400);
    assert_eq!(
        want("users"),
        200,
        "one resident per ten cases, at least 100"
    );
    let events = want("case_events");
    assert!(
        (2000..=2000 * 7).contains(&events),
        "1 to 7 events per case: {events}"
    );
    for (table, n) in &report.seeded {
        assert_eq!(
            of(&report.after, table) - of(&report.before, table),
            *n,
            "{table}: rows added"
        );
    }
    // And SQL COUNT, from a connection of the test's own, agrees for the
    // tables the measured reads do not write.
    for table in [
        "cases",
        "case_events",
        "case_documents",
        "appointments",
        "contact_articles",
        "contact_moments",
    ] {
        assert_eq!(
            count(&url, table).await,
            of(&report.after, table),
            "{table}: SQL COUNT"
        );
    }
    assert_eq!(count(&url, "cases").await, 2000);
    assert_eq!(count(&url, "appointments").await, 200);
    assert_eq!(count(&url, "contact_moments").await, 400);

    // Every measured read was sent as often as asked, and answered 2xx.
    assert!(report.measured.len() >= 10, "{:?}", report.measured);
    for (name, sent, failed) in &report.measured {
        assert!(*sent >= 20, "{name}: {sent} requests");
        assert_eq!(*failed, 0, "{name}: answers not 2xx\n{}", report.text);
    }
    assert_eq!(report.failures(), 0);
    assert!(
        report.text.contains("target p99 < 10 ms"),
        "{}",
        report.text
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `loket bench booking-rush` with a small rush, so it cannot rot: every
/// place is booked, nothing is overbooked or lost, and the report prints
/// each of its four targets with its verdict. No timing is asserted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_booking_rush_books_every_place_and_prints_its_targets() {
    let dir = temp_dir();
    let url = fresh_database_url(&dir).await;
    let config = Config {
        data_dir: dir.clone(),
        database_url: Some(url),
        ..Config::default()
    };
    // 30 clients for 2 desks x 8 slots = 16 places: 14 leave empty-handed.
    let report = loket::bench::booking_rush(
        config,
        loket::bench::RushOptions {
            clients: 30,
            desks: 2,
            slots: 8,
        },
    )
    .await
    .expect("bench booking-rush runs");
    println!("{report}");
    assert!(
        report.contains("bookings           16 in"),
        "every place booked once: {report}"
    );
    assert!(
        report.contains("overbookings       0 (must be 0)"),
        "{report}"
    );
    assert!(
        report.contains("lost confirmations 0 (must be 0)"),
        "{report}"
    );
    for target in [
        "attempts/s >= 0.5 x inserts/s",
        "p99 < 300 ms",
        "0 overbooked",
        "0 lost confirmations",
    ] {
        let line = report
            .lines()
            .find(|l| l.starts_with(target))
            .unwrap_or_else(|| panic!("no line for {target}: {report}"));
        assert!(
            line.contains("  met") || line.contains("  NOT MET"),
            "{target} has a verdict: {line}"
        );
    }
    let zero = |target: &str| {
        report
            .lines()
            .find(|l| l.starts_with(target))
            .is_some_and(|l| l.ends_with("  met"))
    };
    assert!(
        zero("0 overbooked") && zero("0 lost confirmations"),
        "{report}"
    );
}
