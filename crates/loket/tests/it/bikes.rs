//! The service-bike pool through the real server: reserve, pick up, return
//! with damage (maintenance + mail to the fleet manager), bad input that
//! changes nothing with the nearest free bike offered, the 30-minute
//! release, and many clients racing for the last bikes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use loket_domain::audit::Actor;
use loket_store::sqlx::{self, Row};
use serde_json::{Value, json};

const FLEET: &str = "vloot@leuven.example";

/// Local Brussels date and time (`YYYY-MM-DD`, `HH:MM`) `minutes` from now.
fn local_in(minutes: i64) -> (String, String) {
    let t = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_mins(minutes))
        .unwrap()
        .to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Brussels").unwrap());
    (
        t.strftime("%Y-%m-%d").to_string(),
        t.strftime("%H:%M").to_string(),
    )
}

/// A day at 08:00 local, `days` ahead, as `YYYY-MM-DDTHH:MM`.
fn day_at(days: i64, hhmm: &str) -> String {
    let d = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Brussels").unwrap())
        .date()
        .checked_add(jiff::ToSpan::days(days))
        .unwrap();
    format!("{d}T{hhmm}")
}

/// Two sites; at the town hall `n_ebikes` e-bikes and one classic bike, at
/// the depot one e-bike. Through the fleet manager's forms.
pub(crate) async fn fleet(app: &TestApp, n_ebikes: usize) -> reqwest::Client {
    let c = app.signed_in(FLEET, &["fleet"]).await;
    for (slug, name) in [("stadhuis", "Stadhuis"), ("depot", "Depot Vaart")] {
        let r = app
            .submit(
                &c,
                "/staff/bikes",
                "/staff/bikes/sites",
                &[("slug", slug), ("name", name)],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    }
    let mut bikes: Vec<(String, &str, &str)> = (0..n_ebikes)
        .map(|i| (format!("E-{i:02}"), "ebike", "stadhuis"))
        .collect();
    bikes.push(("K-01".to_owned(), "classic", "stadhuis"));
    bikes.push(("E-D1".to_owned(), "ebike", "depot"));
    for (number, kind, site) in &bikes {
        let r = app
            .submit(
                &c,
                "/staff/bikes",
                "/staff/bikes",
                &[
                    ("number", number),
                    ("bike_type", kind),
                    ("site", site),
                    ("battery_note", "2025, 90%"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    }
    c
}

#[tokio::test]
async fn bike_flow_with_damage_goes_to_maintenance_and_mails_the_fleet_manager() {
    let app = TestApp::spawn().await;
    let _fleet = fleet(&app, 1).await;
    let rider = app.signed_in("an@leuven.example", &["counter"]).await;
    // The form takes one day: near midnight the hour is cut at 23:59, and in
    // the last minutes of the day the test waits for the next one.
    while local_in(3).1.as_str() >= "23:50" {
        tokio::time::sleep(std::time::Duration::from_secs(20)).await;
    }
    let (day, from) = local_in(3);
    let (end_day, to) = local_in(63);
    let to = if end_day == day {
        to
    } else {
        "23:59".to_owned()
    };
    let r = app
        .submit(
            &rider,
            "/bikes",
            "/bikes",
            &[
                ("site", "stadhuis"),
                ("bike_type", "ebike"),
                ("day", &day),
                ("start", &from),
                ("end", &to),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let page = r.headers()["location"].to_str().unwrap().to_owned();
    let id = page.rsplit('/').next().unwrap().to_owned();
    let (s, html) = app.get(&rider, &page).await;
    assert_eq!(s, 200);
    assert!(html.contains("E-00"), "{html}");
    // Pick up.
    let r = app
        .submit(&rider, &page, &format!("{page}/pick-up"), &[])
        .await;
    assert_eq!(r.status(), 303);
    // A bad return changes nothing.
    let r = app
        .submit(
            &rider,
            &page,
            &format!("{page}/return"),
            &[("km", "twelve"), ("damage", "")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("error-summary") && html.contains("value=\"twelve\""),
        "{html}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM bike_reservations WHERE status = 'picked_up'")
            .await,
        1
    );
    // Return with kilometres and damage.
    let r = app
        .submit(
            &rider,
            &page,
            &format!("{page}/return"),
            &[("km", "12"), ("damage", "Voorrem werkt niet")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let row = sqlx::query("SELECT r.status, r.km, r.damage, b.status FROM bike_reservations r JOIN bikes b ON b.id = r.bike_id WHERE r.id = $1")
        .bind(&id)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>(0), "returned");
    assert_eq!(row.get::<Option<i64>, _>(1), Some(12));
    assert_eq!(row.get::<String, _>(2), "Voorrem werkt niet");
    assert_eq!(row.get::<String, _>(3), "maintenance");
    let mail = app.last_mail_to(FLEET).await;
    assert!(mail.subject.contains("E-00"), "{}", mail.subject);
    assert!(mail.body.contains("Voorrem werkt niet"));
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('bikes.reserve', 'bikes.pick_up', 'bikes.return', 'bikes.bike.maintenance')")
            .await
            == 4
    );
    // The bike in maintenance is no longer offered.
    let tok = token(&app, "bo@leuven.example", &["hr"]).await;
    let (s, free) = api(
        &app,
        &tok,
        "GET",
        &format!(
            "/api/v1/bike-availability?site=stadhuis&type=ebike&start={}&end={}",
            day_at(1, "09:00"),
            day_at(1, "10:00")
        ),
        Value::Null,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(free.as_array().unwrap().len(), 0, "{free}");
    // The window is checked as a reservation's: an end before the start, a
    // window longer than the longest reservation (10 hours) or one in the
    // past is refused, naming the field.
    for (start, end, field, code) in [
        (
            day_at(1, "10:00"),
            day_at(1, "09:00"),
            "end",
            "bike-end-before-start",
        ),
        (
            day_at(1, "07:00"),
            day_at(300, "07:00"),
            "end",
            "bike-too-long",
        ),
        (
            day_at(-2, "09:00"),
            day_at(-2, "10:00"),
            "start",
            "bike-in-past",
        ),
    ] {
        let (s, body) = api(
            &app,
            &tok,
            "GET",
            &format!("/api/v1/bike-availability?site=stadhuis&type=ebike&start={start}&end={end}"),
            Value::Null,
        )
        .await;
        assert_eq!(s, 422, "{start}..{end}: {body}");
        let errors = body["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field && e["code"] == code),
            "{body}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn refused_reservations_offer_the_nearest_free_bike_and_change_nothing() {
    let app = TestApp::spawn().await;
    let _fleet = fleet(&app, 1).await;
    let tok = token(&app, "an@leuven.example", &["hr"]).await;
    let other = token(&app, "jo@leuven.example", &["finance"]).await;
    let reserve = |start: String, end: String| json!({"site": "stadhuis", "bike_type": "ebike", "start": start, "end": end});
    // The only e-bike at the town hall, tomorrow 09:00-12:00.
    let (s, first) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/bike-reservations",
        reserve(day_at(1, "09:00"), day_at(1, "12:00")),
    )
    .await;
    assert_eq!(s, 201, "{first}");
    let before = app.count("SELECT COUNT(*) FROM bike_reservations").await;
    // In the past.
    let (s, body) = api(
        &app,
        &other,
        "POST",
        "/api/v1/bike-reservations",
        reserve(day_at(-1, "09:00"), day_at(-1, "10:00")),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["errors"][0]["code"], "bike-in-past");
    // ... with a bike offered from now on.
    assert!(
        body["nearest"][0]["start_ms"].as_i64().unwrap() > loket_store::now_ms(),
        "{body}"
    );
    // Longer than the maximum (10 hours by default).
    let (s, body) = api(
        &app,
        &other,
        "POST",
        "/api/v1/bike-reservations",
        reserve(day_at(2, "07:00"), day_at(2, "19:00")),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(body["errors"][0]["code"], "bike-too-long");
    // ... with the nearest free bike for the longest window allowed.
    assert_eq!(body["nearest"][0]["bike_number"], "E-00", "{body}");
    assert_eq!(
        body["nearest"][0]["end_ms"].as_i64().unwrap()
            - body["nearest"][0]["start_ms"].as_i64().unwrap(),
        10 * 3_600_000
    );
    // Overlapping: refused with the nearest free bikes.
    let (s, body) = api(
        &app,
        &other,
        "POST",
        "/api/v1/bike-reservations",
        reserve(day_at(1, "11:00"), day_at(1, "13:00")),
    )
    .await;
    assert_eq!(s, 409, "{body}");
    assert_eq!(body["errors"][0]["code"], "bike-none-free");
    let nearest = body["nearest"].as_array().unwrap();
    assert!(!nearest.is_empty());
    // The e-bike at the depot in the same window, and the town hall's after 12:00.
    assert!(
        nearest.iter().any(|o| o["bike_number"] == "E-D1"
            && o["start_local"] == day_at(1, "11:00").replace('T', " ")),
        "{body}"
    );
    assert!(
        nearest.iter().any(|o| o["bike_number"] == "E-00"
            && o["start_ms"].as_i64().unwrap() >= first["end_ms"].as_i64().unwrap()),
        "{body}"
    );
    // The page says the same, with the offers as buttons, input kept.
    let c = app.signed_in("pa@leuven.example", &["counter"]).await;
    let (d, _) = day_at(1, "11:00")
        .split_once('T')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .unwrap();
    let r = app
        .submit(
            &c,
            "/bikes",
            "/bikes",
            &[
                ("site", "stadhuis"),
                ("bike_type", "ebike"),
                ("day", &d),
                ("start", "11:00"),
                ("end", "13:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("error-summary") && html.contains("E-D1") && html.contains("value=\"13:00\""),
        "{html}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM bike_reservations").await,
        before
    );
    app.stop().await;
}

#[tokio::test]
async fn reservations_not_picked_up_in_30_minutes_are_released() {
    let app = TestApp::spawn().await;
    let _fleet = fleet(&app, 3).await;
    let user = loket_store::people::find_by_email(&app.store, FLEET)
        .await
        .unwrap()
        .unwrap();
    let bikes = loket_store::bikes::list_bikes(&app.store, "", "ebike")
        .await
        .unwrap();
    let now = loket_store::now_ms();
    let min = 60_000;
    // Started 31 and 45 minutes ago (released), and 10 minutes ago (kept).
    let mut ids = Vec::new();
    for (bike, ago) in bikes.iter().zip([31, 45, 10]) {
        let mut tx = app.store.begin().await.unwrap();
        let r = loket_store::bikes::reserve(
            &mut tx,
            &Actor::System,
            &user.id,
            &bike.id,
            now - ago * min,
            now + 60 * min,
        )
        .await
        .unwrap()
        .unwrap();
        tx.commit().await.unwrap();
        ids.push(r.id);
    }
    // The worker's step releases the first one... (both are due; it takes all).
    let n = loket::worker::bike_release_once(&app.store).await.unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        loket::worker::bike_release_once(&app.store).await.unwrap(),
        0
    );
    let status = |id: String| {
        let store = app.store.clone();
        async move {
            sqlx::query("SELECT status FROM bike_reservations WHERE id = $1")
                .bind(id)
                .fetch_one(store.pool())
                .await
                .unwrap()
                .get::<String, _>(0)
        }
    };
    assert_eq!(status(ids[0].clone()).await, "released");
    assert_eq!(status(ids[1].clone()).await, "released");
    assert_eq!(status(ids[2].clone()).await, "reserved");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'bikes.release'")
            .await,
        2
    );
    // Release on read: another one started 35 minutes ago is released when
    // its rider opens the page, before any worker runs.
    let mut tx = app.store.begin().await.unwrap();
    let late = loket_store::bikes::reserve(
        &mut tx,
        &Actor::System,
        &user.id,
        &bikes[0].id,
        now - 35 * min,
        now + 30 * min,
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
    let c = app.signed_in("rider@leuven.example", &["hr"]).await;
    let (s, _) = app.get(&c, "/bikes").await;
    assert_eq!(s, 200);
    assert_eq!(status(late.id.clone()).await, "released");
    // A released bike is free again for the rest of the window.
    let tok = token(&app, "next@leuven.example", &["hr"]).await;
    let (s, free) = api(
        &app,
        &tok,
        "GET",
        &format!(
            "/api/v1/bike-availability?site=stadhuis&type=ebike&start={}&end={}",
            now + min,
            now + 20 * min
        ),
        Value::Null,
    )
    .await;
    assert_eq!(s, 200);
    // bikes[0] and bikes[1] are free (released), bikes[2] is held.
    assert_eq!(free.as_array().unwrap().len(), 2, "{free}");
    app.stop().await;
}

/// Many clients race for the last e-bikes at a site in overlapping windows:
/// at most one reservation per bike per overlapping window.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_clients_never_get_overlapping_reservations() {
    const CLIENTS: usize = 60;
    let app = TestApp::spawn_with(|c| c.db_max_connections = 16).await;
    let _fleet = fleet(&app, 3).await;
    let tok = token(&app, "racer@leuven.example", &["hr"]).await;
    // The depot's e-bike is taken, so the nearest offers must come from elsewhere.
    let windows = [
        ("09:00", "11:00"),
        ("10:00", "12:00"),
        ("10:30", "10:45"),
        ("11:59", "13:00"),
    ];
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(CLIENTS));
    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        let (a, b) = windows[i % windows.len()];
        let body = json!({"site": "stadhuis", "bike_type": "ebike", "start": day_at(3, a), "end": day_at(3, b)});
        let url = app.url("/api/v1/bike-reservations");
        let tok = tok.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            barrier.wait().await;
            let r = client
                .post(url)
                .bearer_auth(tok)
                .json(&body)
                .send()
                .await
                .unwrap();
            r.status().as_u16()
        }));
    }
    let started = std::time::Instant::now();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            201 => ok += 1,
            409 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    let elapsed = started.elapsed();
    let rows = sqlx::query(
        "SELECT bike_id, starts_at, ends_at FROM bike_reservations WHERE status IN ('reserved', 'picked_up') ORDER BY bike_id, starts_at",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), ok);
    let held: Vec<(String, i64, i64)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    for (i, a) in held.iter().enumerate() {
        for b in &held[i + 1..] {
            assert!(
                a.0 != b.0 || !(a.1 < b.2 && b.1 < a.2),
                "overlap on bike {}: {a:?} {b:?}",
                a.0
            );
        }
    }
    // Three bikes; windows 09-11 and 11:59-13 fit together on one bike, the
    // other two windows each overlap 09-11: the best packing holds at most
    // 3 bikes × 2 = 6, and at least 3 (every bike gets something).
    assert!((3..=6).contains(&ok), "ok = {ok}");
    println!(
        "{CLIENTS} clients on {}: {ok} reservations, no overlap, {:.0} ms",
        backend(),
        elapsed.as_secs_f64() * 1000.0
    );
    app.stop().await;
}

/// The demo seeds 60 bikes (40% e-bikes) with months of trips and the
/// vaccination centre's equipment, quickly and once; the dashboard draws
/// them, and the emission factor is configurable and shown.
#[tokio::test]
async fn demo_fleet_and_dashboard() {
    let app = TestApp::spawn().await;
    let started = std::time::Instant::now();
    loket::demo::seed(&app.store).await.unwrap();
    let seeded = started.elapsed();
    loket::demo::seed(&app.store).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM bikes").await, 60);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM bikes WHERE bike_type = 'ebike'")
            .await,
        24
    );
    let trips = app
        .count("SELECT COUNT(*) FROM bike_reservations WHERE status = 'returned'")
        .await;
    assert!(trips > 1000, "{trips}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM assets a JOIN asset_loans l ON l.asset_id = a.id WHERE a.category = 'laptop' AND l.place LIKE 'Vaccinatiecentrum%'").await,
        100
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM assets WHERE category = 'barcode_scanner' AND location LIKE 'Vaccinatiecentrum%'").await,
        70
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM assets WHERE category = 'tablet_4g' AND status = 'on_loan'"
        )
        .await,
        10
    );
    assert!(
        app.count("SELECT COUNT(*) FROM asset_loans WHERE borrower_user_id IS NOT NULL")
            .await
            >= 20
    );
    // The dashboard (fleet managers only).
    let c = app.signed_in("fleet2@leuven.example", &["fleet"]).await;
    let (s, html) = app.get(&c, "/staff/bikes/dashboard").await;
    assert_eq!(s, 200);
    assert_eq!(html.matches("<svg").count(), 4, "four charts");
    assert!(html.contains("role=\"img\""));
    assert!(html.contains("120 g CO2"), "the factor is shown");
    let co2 = |html: &str| {
        let i = html.find(" kg</strong>").unwrap();
        html[..i]
            .rsplit('>')
            .next()
            .unwrap()
            .parse::<i64>()
            .unwrap()
    };
    let km: i64 = sqlx::query("SELECT km FROM bike_reservations WHERE status = 'returned'")
        .fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<Option<i64>, _>(0).unwrap_or(0))
        .sum();
    let before = co2(&html);
    // Every seeded trip is within the dashboard's six months.
    assert_eq!(before, km * 120 / 1000);
    let r = app
        .submit(
            &c,
            "/staff/bikes/dashboard",
            "/staff/bikes/settings",
            &[("max_minutes", "600"), ("co2_g_per_km", "240")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, html) = app.get(&c, "/staff/bikes/dashboard").await;
    assert!(html.contains("240 g CO2"));
    assert_eq!(co2(&html), km * 240 / 1000);
    // A bad factor is refused with the input kept, nothing changes.
    let r = app
        .submit(
            &c,
            "/staff/bikes/dashboard",
            "/staff/bikes/settings",
            &[("max_minutes", "600"), ("co2_g_per_km", "veel")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("value=\"veel\""));
    assert_eq!(
        loket_store::bikes::settings(&app.store)
            .await
            .unwrap()
            .co2_g_per_km,
        240
    );
    println!(
        "demo seeded on {} in {} ms ({trips} trips)",
        backend(),
        seeded.as_millis()
    );
    app.stop().await;
}

/// A status form that no page re-renders: its refusal still names the
/// field and says how to fix it (on the error page), and changes nothing.
#[tokio::test]
async fn a_refused_bike_status_names_the_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let c = fleet(&app, 1).await;
    let id: String = {
        use sqlx::Row;
        loket_store::sqlx::query("SELECT id FROM bikes WHERE number = 'E-00'")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get(0)
    };
    let before = app.count("SELECT COUNT(*) FROM audit_log").await;
    let long = "b".repeat(201);
    for (status, note, says) in [
        (
            "maintenance",
            long.as_str(),
            "Batterij: gebruik hoogstens 200 tekens.",
        ),
        ("kapot", "", "kies beschikbaar, in onderhoud of uit dienst."),
    ] {
        let r = app
            .submit(
                &c,
                "/staff/bikes",
                &format!("/staff/bikes/{id}/status"),
                &[("status", status), ("battery_note", note)],
            )
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains(says), "{html}");
        assert!(html.contains("class=\"error-list\""), "{html}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM bikes WHERE status = 'available'")
            .await,
        3
    );
    app.stop().await;
}

async fn reservation_status(app: &TestApp, id: &str) -> String {
    sqlx::query("SELECT status FROM bike_reservations WHERE id = $1")
        .bind(id)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get(0)
}

/// A rider cancels a reservation on its page and the bike is free again; a
/// second cancel and another rider are refused and change nothing.
#[tokio::test]
async fn a_rider_cancels_a_reservation_on_its_page() {
    let app = TestApp::spawn().await;
    let _fleet = fleet(&app, 1).await;
    let rider = app.signed_in("an@leuven.example", &["counter"]).await;
    let day = day_at(1, "09:00")[..10].to_owned();
    let r = app
        .submit(
            &rider,
            "/bikes",
            "/bikes",
            &[
                ("site", "stadhuis"),
                ("bike_type", "ebike"),
                ("day", &day),
                ("start", "09:00"),
                ("end", "10:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let page = r.headers()["location"].to_str().unwrap().to_owned();
    let id = page.rsplit('/').next().unwrap().to_owned();
    let cancel = format!("{page}/cancel");
    // Someone else's reservation is not found.
    let other = app.signed_in("jo@leuven.example", &["hr"]).await;
    assert_eq!(app.get(&other, &page).await.0, 404);
    let r = app.submit(&other, "/bikes", &cancel, &[]).await;
    assert_eq!(r.status(), 404);
    assert_eq!(reservation_status(&app, &id).await, "reserved");

    let r = app.submit(&rider, &page, &cancel, &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/bikes");
    assert_eq!(reservation_status(&app, &id).await, "cancelled");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'bikes.cancel'")
            .await,
        1
    );
    let r = app.submit(&rider, &page, &cancel, &[]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("error-summary"));
    assert_eq!(reservation_status(&app, &id).await, "cancelled");
    // The bike is offered again for that window.
    let tok = token(&app, "bo@leuven.example", &["hr"]).await;
    let (s, free) = api(
        &app,
        &tok,
        "GET",
        &format!(
            "/api/v1/bike-availability?site=stadhuis&type=ebike&start={}&end={}",
            day_at(1, "09:00"),
            day_at(1, "10:00")
        ),
        Value::Null,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(free[0]["number"], "E-00", "{free}");
    app.stop().await;
}

/// Through the API a rider picks the bike up and returns it with the
/// kilometres; a return before the pick-up, another rider, and a second
/// pick-up or return are refused and change nothing.
#[tokio::test]
async fn the_api_picks_up_and_returns_a_bike() {
    let app = TestApp::spawn().await;
    let _fleet = fleet(&app, 1).await;
    let tok = token(&app, "an@leuven.example", &["employee"]).await;
    let other = token(&app, "jo@leuven.example", &["hr"]).await;
    let (d1, t1) = local_in(5);
    let (d2, t2) = local_in(65);
    let (s, res) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/bike-reservations",
        json!({"site": "stadhuis", "bike_type": "ebike", "start": format!("{d1}T{t1}"), "end": format!("{d2}T{t2}")}),
    )
    .await;
    assert_eq!(s, 201, "{res}");
    let id = res["id"].as_str().unwrap().to_owned();
    let pick_up = format!("/api/v1/bike-reservations/{id}/pick-up");
    let give_back = format!("/api/v1/bike-reservations/{id}/return");
    let (s, body) = api(&app, &tok, "POST", &give_back, json!({"km": 5})).await;
    assert_eq!(s, 422, "not picked up yet: {body}");
    let (s, _) = api(&app, &other, "POST", &pick_up, Value::Null).await;
    assert_eq!(s, 404);
    assert_eq!(reservation_status(&app, &id).await, "reserved");

    let (s, out) = api(&app, &tok, "POST", &pick_up, Value::Null).await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(out["status"], "picked_up");
    assert_eq!(reservation_status(&app, &id).await, "picked_up");
    let (s, _) = api(&app, &tok, "POST", &pick_up, Value::Null).await;
    assert_eq!(s, 422);

    let (s, out) = api(
        &app,
        &tok,
        "POST",
        &give_back,
        json!({"km": 7, "damage": ""}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(
        (out["status"].as_str(), out["km"].as_i64()),
        (Some("returned"), Some(7))
    );
    let row = sqlx::query("SELECT r.km, b.status FROM bike_reservations r JOIN bikes b ON b.id = r.bike_id WHERE r.id = $1")
        .bind(&id)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<Option<i64>, _>(0), Some(7));
    assert_eq!(row.get::<String, _>(1), "available");
    let (s, _) = api(&app, &tok, "POST", &give_back, json!({"km": 9})).await;
    assert_eq!(s, 422);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('bikes.pick_up', 'bikes.return')"
        )
        .await,
        2
    );
    app.stop().await;
}
