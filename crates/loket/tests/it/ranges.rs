//! Date ranges read from a request are bounded: for every page and API route
//! that takes a `from`/`to`, a range just inside its limit answers, one day
//! more is refused naming the field (and writes nothing), as are a `to`
//! before `from` and a malformed date. The limits are named constants in the
//! domain (`loket_domain::shifts::MAX_LIST_DAYS` and the others).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::*;
use crate::vaccination::open_campaign;
use loket_domain::{queue, shifts, vaccination};
use serde_json::Value;

/// Today + `n` days, `YYYY-MM-DD` (Brussels).
fn day(n: i64) -> String {
    loket_domain::calendar::today_brussels()
        .checked_add(jiff::Span::new().days(n))
        .unwrap()
        .to_string()
}

/// The rows a request could have written: audit, access log and outbox.
async fn written(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM audit_log").await
        + app.count("SELECT COUNT(*) FROM access_log").await
        + app.count("SELECT COUNT(*) FROM outbox").await
}

/// A GET of the API in English: the status and the JSON answer.
async fn api_get(app: &TestApp, token: Option<&str>, path: &str) -> (u16, Value) {
    let mut r = app
        .client()
        .get(app.url(path))
        .header("accept-language", "en");
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    let s = r.status().as_u16();
    if s >= 400 {
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
    (s, r.json().await.unwrap_or(Value::Null))
}

/// `path` (ending in `?…&` or `?`) with `from`/`to`: just inside the limit
/// answers 200; one day more, `to` before `from` and malformed dates are
/// 400 problem+json naming the field, and nothing is written.
async fn api_bounded(app: &TestApp, token: Option<&str>, path: &str, max_days: i64) {
    let inside = format!("{path}from={}&to={}", day(0), day(max_days - 1));
    let (s, v) = api_get(app, token, &inside).await;
    assert_eq!(s, 200, "{inside}: {v}");
    let before = written(app).await;
    let over = format!("{path}from={}&to={}", day(0), day(max_days));
    for (q, field, code) in [
        (over, "to", "range-too-long"),
        (
            format!("{path}from={}&to={}", day(1), day(0)),
            "to",
            "range-reversed",
        ),
        (format!("{path}from=2026-13-01"), "from", ""),
        (format!("{path}from={}&to=morgen", day(0)), "to", ""),
    ] {
        let (s, p) = api_get(app, token, &q).await;
        assert_eq!(s, 400, "{q}: {p}");
        assert_eq!(p["errors"][0]["field"], field, "{q}: {p}");
        if !code.is_empty() {
            assert_eq!(p["errors"][0]["code"], code, "{q}: {p}");
        }
        let detail = p["errors"][0]["detail"].as_str().unwrap_or_default();
        assert!(detail.len() > 20, "{q}: {p}");
        if code == "range-too-long" {
            assert!(detail.contains(&max_days.to_string()), "{q}: {detail}");
        }
    }
    assert_eq!(
        written(app).await,
        before,
        "{path}: a refusal wrote nothing"
    );
}

#[tokio::test]
async fn api_ranges_are_bounded() {
    let app = TestApp::spawn().await;
    let planner = token(&app, "planner@leuven.example", &["vaccination_coordinator"]).await;
    // The shift list and the coverage: two months of rosters.
    api_bounded(
        &app,
        Some(&planner),
        "/api/v1/shifts?",
        shifts::MAX_LIST_DAYS,
    )
    .await;
    api_bounded(
        &app,
        Some(&planner),
        "/api/v1/shift-coverage?",
        shifts::MAX_COVERAGE_DAYS,
    )
    .await;
    // The defaults still answer, and one day is still one day.
    assert_eq!(
        api_get(&app, Some(&planner), "/api/v1/shift-coverage")
            .await
            .0,
        200
    );
    assert_eq!(api_get(&app, Some(&planner), "/api/v1/shifts").await.0, 200);
    let (s, p) = api_get(&app, Some(&planner), "/api/v1/shifts?day=2026-02-30").await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (400, Some("day")));

    // The free slots: the booking window bounds the length (dates outside
    // it have none); a reversed or malformed range is refused.
    loket::demo::seed_appointments(&app.store).await.unwrap();
    let slots = "/api/v1/appointment-slots?service=identity-card&location=city-office&";
    let (s, v) = api_get(
        &app,
        None,
        &format!("{slots}from={}&to={}", day(1), day(14)),
    )
    .await;
    assert_eq!(s, 200);
    assert!(!v.as_array().unwrap().is_empty());
    let (s, v) = api_get(&app, None, &format!("{slots}from=2000-01-01&to=2999-12-31")).await;
    assert_eq!(s, 200, "a century asks only the booking window: {v}");
    for (q, field) in [
        (format!("from={}&to={}", day(2), day(1)), "to"),
        ("from=gisteren".to_owned(), "from"),
        (format!("from={}&to=2026-02-30", day(1)), "to"),
    ] {
        let (s, p) = api_get(&app, None, &format!("{slots}{q}")).await;
        assert_eq!(
            (s, p["errors"][0]["field"].as_str()),
            (400, Some(field)),
            "{q}: {p}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn page_ranges_are_bounded() {
    let app = TestApp::spawn().await;
    // The counter statistics: a year at most; the page shows its form
    // again with the input kept and the field named (422).
    let staff = app.signed_in("balie@leuven.example", &["counter"]).await;
    let stats = |from: String, to: String| format!("/staff/queue/stats?from={from}&to={to}");
    let max = queue::MAX_STATS_DAYS;
    let (s, html) = app.get(&staff, &stats(day(-(max - 1)), day(0))).await;
    assert_eq!(s, 200, "{html}");
    let before = written(&app).await;
    let (s, html) = app.get(&staff, &stats(day(-max), day(0))).await;
    assert_eq!(s, 422);
    assert!(html.contains("href=\"#to\""), "{html}");
    assert!(html.contains(&format!("langer dan {max} dagen")), "{html}");
    assert!(
        html.contains(&format!("value=\"{}\"", day(-max))),
        "input kept"
    );
    let (s, html) = app.get(&staff, &stats(day(1), day(0))).await;
    assert_eq!(s, 422);
    assert!(html.contains("href=\"#to\""), "{html}");
    let (s, html) = app.get(&staff, &stats("2026-13-01".into(), day(0))).await;
    assert_eq!(s, 422);
    assert!(html.contains("href=\"#from\"") && html.contains("value=\"2026-13-01\""));
    assert_eq!(written(&app).await, before);

    // The contact-centre report: 92 days (bounded before; kept).
    let agent = app
        .signed_in("kcc@leuven.example", &["contact_centre"])
        .await;
    let report = |from: String, to: String| format!("/staff/contact/report?from={from}&to={to}");
    assert_eq!(app.get(&agent, &report(day(-91), day(0))).await.0, 200);
    let (s, html) = app.get(&agent, &report(day(-92), day(0))).await;
    assert_eq!(s, 422);
    assert!(html.contains("href=\"#from\""), "{html}");
    let (s, html) = app.get(&agent, &report(day(0), day(-1))).await;
    assert_eq!(s, 422);
    assert!(html.contains("href=\"#to\""), "{html}");
    let (s, html) = app.get(&agent, &report("1-2-3".into(), day(0))).await;
    assert_eq!(s, 422);
    assert!(html.contains("href=\"#from\""), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn the_registry_export_is_bounded() {
    let (app, coord) = open_campaign("griep", "1", "1").await;
    let export = |q: String| format!("/staff/vaccination/griep/export.csv?{q}");
    let max = vaccination::MAX_EXPORT_DAYS;
    let (s, csv) = app
        .get(
            &coord,
            &export(format!("from={}&to={}", day(-(max - 1)), day(0))),
        )
        .await;
    assert_eq!(s, 200, "{csv}");
    assert!(csv.starts_with("national_number,"), "{csv}");
    let before = written(&app).await;
    for (q, text) in [
        (
            format!("from={}&to={}", day(-max), day(0)),
            format!("langer dan {max} dagen"),
        ),
        (
            format!("from={}&to={}", day(0), day(-1)),
            "einddatum ligt voor de begindatum".to_owned(),
        ),
        ("from=morgen".to_owned(), "2026-12-01".to_owned()),
        (
            format!("from={}&to=2026-02-30", day(0)),
            "2026-12-01".to_owned(),
        ),
    ] {
        let (s, html) = app.get(&coord, &export(q.clone())).await;
        assert_eq!(s, 400, "{q}: {html}");
        assert!(html.contains(&text), "{q}: {html}");
        assert!(!html.contains("national_number,"), "{q}");
    }
    assert_eq!(
        written(&app).await,
        before,
        "no access logged for a refusal"
    );
    app.stop().await;
}
