//! Counters by appointment through the real server, on SQLite and
//! PostgreSQL: free slots, booking (pages and API), the iCalendar files
//! (parsed by Python's `icalendar`), rescheduling, cancelling, signed links,
//! bad input, limits, no-shows, reminders, and 200 parallel clients racing
//! for the last places.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use jiff::ToSpan;
use loket_domain::appointments::{brussels, parse_day_hours};
use loket_domain::audit::Actor;
use loket_store::appointments as appt;
use serde_json::{Value, json};

pub(crate) const SERVICE: &str = "identity-card";
pub(crate) const LOCATION: &str = "city-office";

/// One service (15-minute slots) at one location open every day
/// 09:00-12:00 and 13:00-16:00, with `desks` desks; lead time 0.
pub(crate) async fn setup(app: &TestApp, desks: usize) {
    let store = &app.store;
    let mut tx = store.begin().await.unwrap();
    let a = Actor::System;
    let sid = appt::save_service(
        &mut tx,
        &a,
        SERVICE,
        "Identiteitskaart",
        "Identity card",
        15,
    )
    .await
    .unwrap();
    let lid = appt::save_location(
        &mut tx,
        &a,
        LOCATION,
        "Stadskantoor",
        "Professor Van Overstraetenplein 1, 3000 Leuven",
    )
    .await
    .unwrap();
    let mut periods = Vec::new();
    for wd in 1..=7 {
        periods.extend(parse_day_hours(wd, "09:00-12:00, 13:00-16:00").unwrap());
    }
    appt::set_hours(&mut tx, &a, &lid, &periods).await.unwrap();
    let closed = day(3);
    appt::set_closed_days(&mut tx, &a, &lid, &[(closed, "Feestdag".into())])
        .await
        .unwrap();
    for i in 0..desks {
        appt::save_desk(
            &mut tx,
            &a,
            &lid,
            &format!("Loket {}", i + 1),
            std::slice::from_ref(&sid),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    appt::settings(store).await.unwrap();
    appt::save_settings(store, &a, 42, 0, 1, 2).await.unwrap();
}

fn day(n: i64) -> jiff::civil::Date {
    loket_web::i18n::today_brussels()
        .checked_add(n.days())
        .unwrap()
}

/// Local start `HH:MM` on today + `n` days.
pub(crate) fn at(n: i64, hm: &str) -> String {
    format!("{}T{hm}", day(n))
}

async fn api_post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let r = app
        .client()
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// Parses an iCalendar file with Python's `icalendar` and returns what it
/// read: method, uid, sequence, status, start (ISO with offset), tzid and
/// the VTIMEZONE's rules.
fn parse_ics(ics: &str) -> Value {
    let script = r#"
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
ev = [c for c in cal.walk() if c.name == "VEVENT"][0]
tz = [c for c in cal.walk() if c.name == "VTIMEZONE"][0]
rules = {c.name: c.get("RRULE").to_ical().decode() for c in tz.subcomponents}
start = ev.decoded("DTSTART")
print(json.dumps({
  "method": str(cal.get("METHOD")),
  "uid": str(ev.get("UID")),
  "sequence": int(ev.get("SEQUENCE")),
  "status": str(ev.get("STATUS")),
  "dtstamp": ev.decoded("DTSTAMP").isoformat(),
  "start": start.isoformat(),
  "start_utc": start.astimezone(__import__("datetime").timezone.utc).strftime("%Y-%m-%dT%H:%M"),
  "tzid": str(ev["DTSTART"].params.get("TZID")),
  "tz": str(tz.get("TZID")),
  "rules": rules,
  "summary": str(ev.get("SUMMARY")),
}))
"#;
    python_icalendar(script, ics)
}

fn utc_of(local: &str) -> String {
    let ms = loket_domain::appointments::parse_start(local, &brussels()).unwrap();
    jiff::Timestamp::from_millisecond(ms)
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

#[tokio::test]
async fn book_reschedule_cancel_with_icalendar() {
    let app = TestApp::spawn().await;
    setup(&app, 2).await;
    let c = app.signed_in("an@example.org", &["resident"]).await;

    // The picker lists the free slots as a plain form, per day.
    let (s, html) = app
        .get(
            &c,
            &format!(
                "/appointments/book?service={SERVICE}&location={LOCATION}&from={}",
                day(1)
            ),
        )
        .await;
    assert_eq!(s, 200, "{html}");
    let first = at(1, "09:00");
    assert!(html.contains(&format!("value=\"{first}\"")), "{html}");
    assert!(html.contains("2 vrij"));
    // The closed day offers nothing.
    assert!(!html.contains(&format!("value=\"{}\"", at(3, "09:00"))));

    // Book through the form.
    let page = format!("/appointments/book?service={SERVICE}&location={LOCATION}");
    let r = app
        .submit(
            &c,
            &page,
            "/appointments/book",
            &[
                ("service", SERVICE),
                ("location", LOCATION),
                ("start", &at(2, "10:15")),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let id = loc
        .trim_start_matches("/appointments/")
        .trim_end_matches("?new=1")
        .to_owned();
    let (s, html) = app.get(&c, &loc).await;
    assert_eq!(s, 200);
    assert!(html.contains("Uw afspraak is gemaakt") && html.contains("Identiteitskaart"));
    let a = appt::get(&app.store, &id).await.unwrap().unwrap();
    assert_eq!(
        (a.status.as_str(), a.sequence, a.channel.as_str()),
        ("booked", 0, "web")
    );

    // The confirmation carries an iCalendar REQUEST.
    let mail = app.last_mail_to("an@example.org").await;
    assert!(
        mail.subject.contains("Identiteitskaart"),
        "{}",
        mail.subject
    );
    assert!(mail.body.contains(&a.code));
    let att = mail.attachment.clone().expect("ics attached");
    assert_eq!(
        att.content_type,
        "text/calendar; charset=UTF-8; method=REQUEST"
    );
    assert!(
        att.body
            .contains("\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Brussels\r\n")
    );
    assert!(att.body.contains("\r\nDTSTAMP:"));
    let ics = parse_ics(&att.body);
    assert_eq!(ics["method"], "REQUEST");
    assert_eq!(ics["status"], "CONFIRMED");
    assert_eq!(ics["sequence"], 0);
    assert_eq!(ics["tzid"], "Europe/Brussels");
    assert_eq!(ics["tz"], "Europe/Brussels");
    assert_eq!(ics["rules"]["DAYLIGHT"], "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3");
    assert_eq!(
        ics["rules"]["STANDARD"],
        "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    );
    assert_eq!(ics["start_utc"], utc_of(&at(2, "10:15")));
    let uid = ics["uid"].as_str().unwrap().to_owned();
    assert!(uid.starts_with(&id));

    // The worker sends it as a multipart message with the file.
    let mut eml = String::new();
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        if let Ok(entries) = std::fs::read_dir(app.config.mail_dir()) {
            for e in entries.flatten() {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                if text.contains("invite.ics") {
                    eml = text;
                }
            }
        }
        if !eml.is_empty() {
            break;
        }
    }
    assert!(
        eml.contains("multipart/mixed") && eml.contains("method=REQUEST"),
        "{eml}"
    );

    // Reschedule from "my appointments": same UID, SEQUENCE 1.
    let r = app
        .submit(
            &c,
            &format!("/appointments/{id}/reschedule"),
            &format!("/appointments/{id}/reschedule"),
            &[("start", &at(2, "13:30"))],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let mail = app.last_mail_to("an@example.org").await;
    let ics = parse_ics(&mail.attachment.unwrap().body);
    assert_eq!(
        (ics["method"].as_str(), ics["sequence"].as_i64()),
        (Some("REQUEST"), Some(1))
    );
    assert_eq!(ics["uid"], uid);
    assert_eq!(ics["start_utc"], utc_of(&at(2, "13:30")));
    // The old place is free again, the new one taken.
    let counts = |start: String| {
        let store = app.store.clone();
        async move {
            let ms = loket_domain::appointments::parse_start(&start, &brussels()).unwrap();
            let sid = appt::service(&store, SERVICE).await.unwrap().unwrap().id;
            let lid = appt::location(&store, LOCATION).await.unwrap().unwrap().id;
            appt::booked_counts(&store, &sid, &lid, ms, ms + 1)
                .await
                .unwrap()
                .get(&ms)
                .copied()
                .unwrap_or(0)
        }
    };
    assert_eq!(counts(at(2, "10:15")).await, 0);
    assert_eq!(counts(at(2, "13:30")).await, 1);

    // Cancel through the signed link in the e-mail, without signing in.
    let link = link_in(&mail.body, &app.base);
    assert!(link.contains("?t="));
    let anon = app.client();
    let path = link.trim_start_matches(&app.base).to_owned();
    let (s, html) = app.get(&anon, &path).await;
    assert_eq!(s, 200, "{html}");
    // A forged token opens nothing.
    let (s, _) = app
        .get(&anon, &format!("/appointments/{id}?t={}", "ab".repeat(32)))
        .await;
    assert_eq!(s, 404);
    let token = path.split("t=").nth(1).unwrap().to_owned();
    let r = anon
        .post(app.url(&format!("/appointments/{id}/cancel")))
        .form(&[("csrf", csrf_of(&html).as_str()), ("t", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let mail = app.last_mail_to("an@example.org").await;
    let ics = parse_ics(&mail.attachment.unwrap().body);
    assert_eq!(ics["method"], "CANCEL");
    assert_eq!(ics["status"], "CANCELLED");
    assert_eq!(ics["sequence"], 2);
    assert_eq!(ics["uid"], uid);
    assert_eq!(counts(at(2, "13:30")).await, 0);
    // Cancelling twice changes nothing.
    let r = anon
        .post(app.url(&format!("/appointments/{id}/cancel")))
        .form(&[("csrf", csrf_of(&html).as_str()), ("t", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // Every change left an audit row.
    let n = app
        .count("SELECT COUNT(*) FROM audit_log WHERE record_type = 'appointment'")
        .await;
    assert_eq!(n, 3);
    app.stop().await;
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    setup(&app, 1).await;
    resident(&app, "bo@example.org").await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    let book = |start: String, service: &'static str| json!({ "service": service, "location": LOCATION, "start": start, "resident_email": "bo@example.org" });
    let cases = [
        (book(at(-1, "10:00"), SERVICE), "start", "appt-slot-past"),
        (
            book(at(3, "10:00"), SERVICE),
            "start",
            "appt-slot-closed-day",
        ),
        (
            book(at(2, "12:15"), SERVICE),
            "start",
            "appt-slot-outside-hours",
        ),
        (
            book(at(2, "10:05"), SERVICE),
            "start",
            "appt-slot-outside-hours",
        ),
        (book(at(60, "10:00"), SERVICE), "start", "appt-slot-too-far"),
        (
            book(at(2, "10:00"), "passport-xyz"),
            "service",
            "appt-service-unknown",
        ),
        (
            book("tomorrow".into(), SERVICE),
            "start",
            "appt-slot-invalid",
        ),
    ];
    for (body, field, code) in cases {
        let (s, p) = api_post(&app, &staff, "/api/v1/appointments", body.clone()).await;
        assert_eq!(s, 422, "{body} -> {p}");
        assert_eq!(p["errors"][0]["field"], field, "{p}");
        assert_eq!(p["errors"][0]["code"], code, "{p}");
        assert!(!p["errors"][0]["detail"].as_str().unwrap().is_empty());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM appointments").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM appt_slots WHERE booked > 0")
            .await,
        0
    );

    // A full slot: 409 with the nearest free slots.
    let (s, a) = api_post(
        &app,
        &staff,
        "/api/v1/appointments",
        book(at(2, "10:00"), SERVICE),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["channel"], "phone");
    resident(&app, "cy@example.org").await;
    let (s, p) = api_post(
        &app,
        &staff,
        "/api/v1/appointments",
        json!({ "service": SERVICE, "location": LOCATION, "start": at(2, "10:00"), "resident_email": "cy@example.org" }),
    )
    .await;
    assert_eq!(s, 409, "{p}");
    assert_eq!(p["errors"][0]["code"], "appt-slot-full");
    let nearest: Vec<&str> = p["nearest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["start_local"].as_str().unwrap())
        .collect();
    assert_eq!(nearest.len(), 5, "{p}");
    assert!(
        nearest.contains(&at(2, "09:45").as_str()) && nearest.contains(&at(2, "10:15").as_str())
    );
    assert!(!nearest.contains(&at(2, "10:00").as_str()));

    // The limit: one future appointment per resident and service.
    let (s, p) = api_post(
        &app,
        &staff,
        "/api/v1/appointments",
        book(at(2, "11:00"), SERVICE),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["code"], "appt-limit-reached");
    assert_eq!(app.count("SELECT COUNT(*) FROM appointments").await, 1);

    // A resident cannot read someone else's appointment.
    let other = token(&app, "dirk@example.org", &["resident"]).await;
    let r = app
        .client()
        .get(app.url(&format!(
            "/api/v1/appointments/{}",
            a["id"].as_str().unwrap()
        )))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Staff can, and that read is access-logged.
    let r = app
        .client()
        .get(app.url(&format!(
            "/api/v1/appointments/{}",
            a["id"].as_str().unwrap()
        )))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM access_log WHERE record_type = 'appointment'")
            .await,
        1
    );

    // The staff form re-renders with field errors and keeps the input.
    let c = app.signed_in("desk2@leuven.example", &["counter"]).await;
    let r = app
        .submit(
            &c,
            "/staff/appointments/new",
            "/staff/appointments/new",
            &[
                ("service", SERVICE),
                ("location", LOCATION),
                ("start", &at(3, "10:00")),
                ("resident_email", "cy@example.org"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("het loket is die dag gesloten"), "{html}");
    assert!(html.contains("value=\"cy@example.org\""));
    app.stop().await;
}

#[tokio::test]
async fn no_shows_free_the_place_and_flag_the_resident() {
    let app = TestApp::spawn().await;
    setup(&app, 1).await;
    let rid = resident(&app, "eva@example.org").await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    appt::save_settings(&app.store, &Actor::System, 42, 0, 5, 2)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for n in [1, 2] {
        let (s, a) = api_post(
            &app,
            &staff,
            "/api/v1/appointments",
            json!({ "service": SERVICE, "location": LOCATION, "start": at(n, "10:00"), "resident_email": "eva@example.org" }),
        )
        .await;
        assert_eq!(s, 201, "{a}");
        ids.push(a["id"].as_str().unwrap().to_owned());
    }
    // Not yet due: refused.
    let (s, p) = api_post(
        &app,
        &staff,
        &format!("/api/v1/appointments/{}/no-show", ids[0]),
        json!({}),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["code"], "appt-not-yet-due");
    // Make both due (as if the time had come).
    sqlx_exec(
        &app,
        "UPDATE appointments SET starts_at = starts_at - 3 * 86400000",
    )
    .await;
    for id in &ids {
        let (s, p) = api_post(
            &app,
            &staff,
            &format!("/api/v1/appointments/{id}/no-show"),
            json!({}),
        )
        .await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["status"], "no_show");
    }
    assert_eq!(appt::no_shows(&app.store, &rid).await.unwrap(), 2);
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(booked), 0) AS BIGINT) FROM appt_slots")
            .await,
        0
    );
    // The day list flags the resident (2 no-shows, threshold 2) for counter staff.
    let c = app.signed_in("desk2@leuven.example", &["counter"]).await;
    let a = appt::get(&app.store, &ids[0]).await.unwrap().unwrap();
    let date = loket_web::appointments::local(a.starts_at)[..10].to_owned();
    let (s, html) = app
        .get(
            &c,
            &format!("/staff/appointments?location={LOCATION}&date={date}"),
        )
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("2 keer niet gekomen"), "{html}");
    // A resident may not open the staff pages.
    let r = app.signed_in("res@example.org", &["resident"]).await;
    assert_eq!(app.get(&r, "/staff/appointments").await.0, 403);
    app.stop().await;
}

async fn sqlx_exec(app: &TestApp, sql: &'static str) {
    loket_store::sqlx::query(sql)
        .execute(app.store.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn reminders_go_out_once() {
    let app = TestApp::spawn().await;
    setup(&app, 1).await;
    resident(&app, "fien@example.org").await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    let (s, a) = api_post(
        &app,
        &staff,
        "/api/v1/appointments",
        json!({ "service": SERVICE, "location": LOCATION, "start": at(2, "09:00"), "resident_email": "fien@example.org" }),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    let web = loket_app::App::new(
        app.store.clone(),
        loket::app_config(&app.config, &app.running.as_ref().unwrap().addr).unwrap(),
    );
    assert_eq!(
        loket_app::appointments::send_reminders(&web).await.unwrap(),
        0
    );
    // As if booked long ago and the reminder time has come.
    sqlx_exec(
        &app,
        "UPDATE appointments SET remind_at = 1, created_at = 0",
    )
    .await;
    assert_eq!(
        loket_app::appointments::send_reminders(&web).await.unwrap(),
        1
    );
    assert_eq!(
        loket_app::appointments::send_reminders(&web).await.unwrap(),
        0
    );
    let mail = app.last_mail_to("fien@example.org").await;
    assert!(mail.subject.starts_with("Herinnering"), "{}", mail.subject);
    assert!(mail.attachment.is_none());
    app.stop().await;
}

/// 200 parallel clients race for the last places of one slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_clients_never_overbook() {
    const CLIENTS: usize = 200;
    let app = TestApp::spawn_with(|c| c.db_max_connections = 16).await;
    setup(&app, 3).await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    for i in 0..CLIENTS {
        resident(&app, &format!("r{i}@example.org")).await;
    }
    let start = at(2, "10:00");
    // One place is taken already: two are left.
    resident(&app, "first@example.org").await;
    let (s, _) = api_post(
        &app,
        &staff,
        "/api/v1/appointments",
        json!({ "service": SERVICE, "location": LOCATION, "start": start, "resident_email": "first@example.org" }),
    )
    .await;
    assert_eq!(s, 201);
    let mut tasks = Vec::new();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(CLIENTS));
    for i in 0..CLIENTS {
        let url = app.url("/api/v1/appointments");
        let staff = staff.clone();
        let start = start.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            barrier.wait().await;
            let r = client
                .post(url)
                .bearer_auth(staff)
                .json(
                    &json!({ "service": SERVICE, "location": LOCATION, "start": start,
                               "resident_email": format!("r{i}@example.org") }),
                )
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            (s, body)
        }));
    }
    let started = std::time::Instant::now();
    let mut ok = 0;
    let mut full = 0;
    for t in tasks {
        let (s, body) = t.await.unwrap();
        match s {
            201 => ok += 1,
            409 => {
                assert_eq!(body["errors"][0]["code"], "appt-slot-full");
                full += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    eprintln!(
        "{CLIENTS} parallel clients on {}: {ok} booked, {full} refused as full, in {:?}",
        backend(),
        started.elapsed()
    );
    assert_eq!((ok, full), (2, CLIENTS - 2), "backend {}", backend());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM appointments WHERE status = 'booked'")
            .await,
        3
    );
    assert_eq!(app.count("SELECT MAX(booked) FROM appt_slots").await, 3);
    assert_eq!(appt::overbooked_slots(&app.store).await.unwrap(), 0);
    // No lost confirmation: one e-mail with an invitation per booking.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE attachment_body LIKE '%METHOD:REQUEST%'")
            .await,
        3
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_reschedules_and_bookings_share_capacity() {
    let app = TestApp::spawn_with(|c| c.db_max_connections = 16).await;
    setup(&app, 2).await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    let mut ids = Vec::new();
    for i in 0..40 {
        resident(&app, &format!("m{i}@example.org")).await;
        let hour = [9, 10, 11, 13, 14][i / 8];
        let hm = format!("{hour:02}:{:02}", (i % 4) * 15);
        let (s, a) = api_post(
            &app,
            &staff,
            "/api/v1/appointments",
            json!({ "service": SERVICE, "location": LOCATION, "start": at(4, &hm), "resident_email": format!("m{i}@example.org") }),
        )
        .await;
        assert_eq!(s, 201, "{hm}: {a}");
        ids.push(a["id"].as_str().unwrap().to_owned());
    }
    let target = at(5, "15:45");
    let statuses = race(ids.len(), |i| {
        let url = app.url(&format!("/api/v1/appointments/{}/reschedule", ids[i]));
        let staff = staff.clone();
        let target = target.clone();
        let client = reqwest::Client::new();
        async move {
            client
                .post(url)
                .bearer_auth(staff)
                .json(&json!({ "start": target }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    })
    .await;
    let mut moved = 0;
    for s in statuses {
        match s {
            200 => moved += 1,
            409 => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(moved, 2);
    assert_eq!(appt::overbooked_slots(&app.store).await.unwrap(), 0);
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(booked), 0) AS BIGINT) FROM appt_slots")
            .await,
        40
    );
    app.stop().await;
}

/// One resident, twenty bookings of twenty different free slots at once,
/// with a limit of one future appointment per service: exactly one is
/// booked. On PostgreSQL the resident's row lock makes the parallel
/// transactions count each other; on SQLite the one writer does.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_bookings_of_one_resident_keep_the_limit() {
    let app = TestApp::spawn_with(|c| c.db_max_connections = 16).await;
    setup(&app, 2).await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    resident(&app, "eager@example.org").await;
    let starts: Vec<String> = (0..20)
        .map(|i| {
            let hour = [9, 10, 11, 13, 14][i / 4];
            at(4, &format!("{hour:02}:{:02}", (i % 4) * 15))
        })
        .collect();
    let answers = race(starts.len(), |i| {
        let url = app.url("/api/v1/appointments");
        let staff = staff.clone();
        let start = starts[i].clone();
        let client = reqwest::Client::new();
        async move {
            let r = client
                .post(url)
                .bearer_auth(staff)
                .json(&json!({ "service": SERVICE, "location": LOCATION, "start": start, "resident_email": "eager@example.org" }))
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            (s, r.json::<Value>().await.unwrap())
        }
    })
    .await;
    let mut booked = 0;
    for (s, body) in &answers {
        match s {
            201 => booked += 1,
            422 => assert_eq!(body["errors"][0]["code"], "appt-limit-reached", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(booked, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM appointments WHERE status = 'booked'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(booked), 0) AS BIGINT) FROM appt_slots")
            .await,
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn demo_counters_offer_slots_and_admin_pages_work() {
    let app = TestApp::spawn().await;
    loket::demo::seed_appointments(&app.store).await.unwrap();
    loket::demo::seed_appointments(&app.store).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM appt_locations").await, 3);
    assert_eq!(app.count("SELECT COUNT(*) FROM appt_desks").await, 7);
    // The public slot list: the city office has 3 desks for identity cards.
    let r = app
        .client()
        .get(app.url(&format!(
            "/api/v1/appointment-slots?service=identity-card&location=city-office&from={}&to={}",
            day(1),
            day(14)
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let slots: Value = r.json().await.unwrap();
    let slots = slots.as_array().unwrap();
    assert!(!slots.is_empty());
    assert!(slots.iter().all(|s| s["free"] == 3));
    assert!(
        slots
            .iter()
            .any(|s| s["start_local"].as_str().unwrap().ends_with("T09:00"))
    );
    // Admin: a bad opening-hours line is refused with the field named and
    // the input kept; a good one is saved.
    let c = app.signed_in("admin@leuven.example", &["admin"]).await;
    let page = "/admin/appointments/locations/kessel-lo";
    let mut fields = vec![
        ("name", "Districtshuis Kessel-Lo"),
        ("address", "Gemeenteplein 1, 3010 Kessel-Lo"),
        ("hours_1", "9-12"),
        ("closed", "2026-12-25 Kerstmis"),
    ];
    let r = app.submit(&c, page, page, &fields).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Openingsuren maandag: schrijf de uren als"),
        "{html}"
    );
    assert!(html.contains("value=\"9-12\""));
    fields[2] = ("hours_1", "08:30-12:00");
    let r = app.submit(&c, page, page, &fields).await;
    assert_eq!(r.status(), 303);
    let (_, html) = app.get(&c, page).await;
    assert!(html.contains("value=\"08:30-12:00\""), "{html}");
    assert!(!html.contains("value=\"09:00-12:30\"") || html.contains("hours_2"));
    // Settings refuse out-of-range values.
    let r = app
        .submit(
            &c,
            "/admin/appointments",
            "/admin/appointments",
            &[
                ("horizon_days", "0"),
                ("lead_minutes", "120"),
                ("max_per_service", "1"),
                ("no_show_flag_after", "2"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(appt::settings(&app.store).await.unwrap().horizon_days, 42);
    // A bad new service keeps what was typed; a desk naming an unknown
    // service is refused.
    let r = app
        .submit(
            &c,
            "/admin/appointments",
            "/admin/appointments/services",
            &[
                ("slug", "Paspoort"),
                ("name_nl", "Paspoort"),
                ("name_en", "Passport"),
                ("slot_minutes", "3"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("value=\"Paspoort\"") && html.contains("value=\"3\""),
        "{html}"
    );
    assert!(
        html.contains("Korte naam: gebruik kleine letters"),
        "{html}"
    );
    assert!(html.contains("Duur van een afspraak (minuten): vul een duur van 5 tot 240"));
    let r = app
        .submit(
            &c,
            page,
            "/admin/appointments/locations/kessel-lo/desks",
            &[("name", "Loket Z"), ("services", "no-such-id")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM appt_desks").await, 7);
    app.stop().await;
}

/// The free slot starts (local `YYYY-MM-DDTHH:MM`) of a service at a
/// location on day `n`, from the public API.
async fn free_slots(app: &TestApp, location: &str, n: i64) -> Vec<(String, i64)> {
    let r = app
        .client()
        .get(app.url(&format!(
            "/api/v1/appointment-slots?service={SERVICE}&location={location}&from={}&to={}",
            day(n),
            day(n + 1)
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let slots: Value = r.json().await.unwrap();
    slots
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start_local"].as_str().unwrap().to_owned(),
                s["free"].as_i64().unwrap(),
            )
        })
        .filter(|(start, _)| start.starts_with(&day(n).to_string()))
        .collect()
}

/// An admin adds a location, sets its opening hours and a desk through the
/// forms, and the location offers slots; a bad short name and other roles
/// change nothing.
#[tokio::test]
async fn admin_adds_a_location_with_hours_and_a_desk() {
    let app = TestApp::spawn().await;
    setup(&app, 1).await;
    let admin = app.signed_in("admin@leuven.example", &["admin"]).await;
    let locations = app.count("SELECT COUNT(*) FROM appt_locations").await;
    let new = |slug: &'static str| {
        [
            ("loc_slug", slug),
            ("name", "Loket Station"),
            ("address", "Martelarenplein 1, 3000 Leuven"),
        ]
    };
    let r = app
        .submit(
            &admin,
            "/admin/appointments",
            "/admin/appointments/locations",
            &new("Station Oost"),
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#loc_slug\"") && html.contains("value=\"Loket Station\""),
        "{html}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM appt_locations").await,
        locations
    );
    // Counter staff may not add one.
    let counter = app.signed_in("desk@leuven.example", &["counter"]).await;
    let r = app
        .submit(
            &counter,
            "/staff/appointments",
            "/admin/appointments/locations",
            &new("station"),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM appt_locations").await,
        locations
    );
    let r = app
        .submit(
            &admin,
            "/admin/appointments",
            "/admin/appointments/locations",
            &new("station"),
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let page = "/admin/appointments/locations/station";
    assert_eq!(r.headers()["location"], page);
    let (s, html) = app.get(&admin, page).await;
    assert_eq!(s, 200);
    assert!(html.contains("Loket Station"), "{html}");
    // Without hours and desks it offers nothing.
    assert!(free_slots(&app, "station", 1).await.is_empty());
    let mut fields = vec![
        ("name", "Loket Station"),
        ("address", "Martelarenplein 1, 3000 Leuven"),
        ("closed", ""),
    ];
    let hours: Vec<String> = (1..=7).map(|d| format!("hours_{d}")).collect();
    for h in &hours {
        fields.push((h.as_str(), "10:00-11:00"));
    }
    let r = app.submit(&admin, page, page, &fields).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    // The counter staff cannot open the page.
    assert_eq!(app.get(&counter, page).await.0, 403);
    let sid = appt::service(&app.store, SERVICE)
        .await
        .unwrap()
        .unwrap()
        .id;
    let r = app
        .submit(
            &admin,
            page,
            &format!("{page}/desks"),
            &[("name", "Loket S1"), ("services", &sid)],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let (_, html) = app.get(&admin, page).await;
    assert!(
        html.contains("Loket S1") && html.contains("Identiteitskaart"),
        "{html}"
    );
    // One desk, 10:00-11:00: four slots of one place.
    let slots = free_slots(&app, "station", 1).await;
    let want: Vec<(String, i64)> = ["10:00", "10:15", "10:30", "10:45"]
        .into_iter()
        .map(|hm| (at(1, hm), 1))
        .collect();
    assert_eq!(slots, want);
    // Every change is audited under the admin's name.
    assert!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE actor_kind = 'user' \
             AND record_type IN ('appointment_location', 'appointment_desk')"
        )
        .await
            >= 3
    );
    app.stop().await;
}

async fn book_via_api(app: &TestApp, staff: &str, email: &str, start: &str) -> String {
    let (s, a) = api_post(
        app,
        staff,
        "/api/v1/appointments",
        json!({ "service": SERVICE, "location": LOCATION, "start": start, "resident_email": email }),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    a["id"].as_str().unwrap().to_owned()
}

async fn status_of(app: &TestApp, id: &str) -> String {
    appt::get(&app.store, id)
        .await
        .unwrap()
        .unwrap()
        .status
        .to_string()
}

/// Counter staff cancel an appointment and mark a no-show from the day
/// list; a no-show before the start, a second cancel and a resident are
/// refused and change nothing.
#[tokio::test]
async fn counter_staff_cancel_and_mark_no_shows_on_the_day_list() {
    let app = TestApp::spawn().await;
    setup(&app, 2).await;
    let eva = resident(&app, "eva@example.org").await;
    resident(&app, "fien@example.org").await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    let a = book_via_api(&app, &staff, "eva@example.org", &at(1, "10:00")).await;
    let b = book_via_api(&app, &staff, "fien@example.org", &at(1, "10:15")).await;
    let c = app.signed_in("desk2@leuven.example", &["counter"]).await;
    let day_page = format!("/staff/appointments?location={LOCATION}&date={}", day(1));
    let (s, html) = app.get(&c, &day_page).await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("/staff/appointments/{b}/cancel")),
        "{html}"
    );
    // A resident may not.
    let res = app.signed_in("res@example.org", &["resident"]).await;
    let r = app
        .submit(
            &res,
            "/appointments",
            &format!("/staff/appointments/{b}/cancel"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(status_of(&app, &b).await, "booked");

    let r = app
        .submit(
            &c,
            &day_page,
            &format!("/staff/appointments/{b}/cancel"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        back.starts_with("/staff/appointments?") && back.contains(&day(1).to_string()),
        "{back}"
    );
    assert_eq!(status_of(&app, &b).await, "cancelled");
    let mail = app.last_mail_to("fien@example.org").await;
    assert!(
        mail.attachment.unwrap().body.contains("METHOD:CANCEL"),
        "the resident gets the cancellation"
    );
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(booked), 0) AS BIGINT) FROM appt_slots")
            .await,
        1
    );
    let r = app
        .submit(
            &c,
            &day_page,
            &format!("/staff/appointments/{b}/cancel"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(status_of(&app, &b).await, "cancelled");

    // Not yet due: no no-show.
    let r = app
        .submit(
            &c,
            &day_page,
            &format!("/staff/appointments/{a}/no-show"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(status_of(&app, &a).await, "booked");
    assert_eq!(appt::no_shows(&app.store, &eva).await.unwrap(), 0);
    // As if its time had come.
    loket_store::sqlx::query(
        "UPDATE appointments SET starts_at = starts_at - 2 * 86400000 WHERE id = $1",
    )
    .bind(&a)
    .execute(app.store.pool())
    .await
    .unwrap();
    let r = app
        .submit(
            &c,
            &day_page,
            &format!("/staff/appointments/{a}/no-show"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(status_of(&app, &a).await, "no_show");
    assert_eq!(appt::no_shows(&app.store, &eva).await.unwrap(), 1);
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(booked), 0) AS BIGINT) FROM appt_slots")
            .await,
        0
    );
    app.stop().await;
}

/// A resident cancels through the API: the place is free again for someone
/// else; another resident's token finds nothing and cancelling twice is
/// refused.
#[tokio::test]
async fn the_api_cancels_an_appointment_and_frees_its_place() {
    let app = TestApp::spawn().await;
    setup(&app, 1).await;
    let eva = token(&app, "eva@example.org", &["resident"]).await;
    let dirk = token(&app, "dirk@example.org", &["resident"]).await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    let start = at(2, "10:00");
    let id = book_via_api(&app, &staff, "eva@example.org", &start).await;
    let cancel = format!("/api/v1/appointments/{id}/cancel");
    let (s, _) = api_post(&app, &dirk, &cancel, json!({})).await;
    assert_eq!(s, 404);
    assert_eq!(status_of(&app, &id).await, "booked");
    let (s, out) = api_post(&app, &eva, &cancel, json!({})).await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(
        (out["status"].as_str(), out["sequence"].as_i64()),
        (Some("cancelled"), Some(1))
    );
    assert_eq!(status_of(&app, &id).await, "cancelled");
    let mail = app.last_mail_to("eva@example.org").await;
    assert!(mail.attachment.unwrap().body.contains("METHOD:CANCEL"));
    let (s, p) = api_post(&app, &eva, &cancel, json!({})).await;
    assert_eq!(s, 422, "{p}");
    assert!(p["errors"][0]["code"].as_str().is_some(), "{p}");
    // The place is free again: Dirk books it.
    let (s, a) = api_post(
        &app,
        &staff,
        "/api/v1/appointments",
        json!({ "service": SERVICE, "location": LOCATION, "start": start, "resident_email": "dirk@example.org" }),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(appt::overbooked_slots(&app.store).await.unwrap(), 0);
    app.stop().await;
}

/// The counters' configuration is cached per instance (issue 19), yet a
/// change made anywhere — here plain SQL, as another instance, the CLI or
/// a restore would make it — is seen by the very next request: triggers on
/// the configuration tables bump `config_version`, which every use checks.
#[tokio::test]
async fn a_configuration_change_made_anywhere_is_seen_at_once() {
    let app = TestApp::spawn().await;
    setup(&app, 2).await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    token(&app, "eva@example.org", &["resident"]).await;
    let version = || async {
        app.count("SELECT version AS n FROM config_version WHERE id = 1")
            .await
    };
    // The cache is warm: two places per slot.
    let before = free_slots(&app, LOCATION, 2).await;
    assert!(!before.is_empty() && before.iter().all(|(_, f)| *f == 2));
    let v0 = version().await;
    // A desk retired behind the cache's back: one place per slot at once.
    sqlx_exec(
        &app,
        "UPDATE appt_desks SET active = 0 WHERE name = 'Loket 2'",
    )
    .await;
    assert!(version().await > v0, "the trigger bumps the version");
    let after = free_slots(&app, LOCATION, 2).await;
    assert_eq!(after.len(), before.len());
    assert!(after.iter().all(|(_, f)| *f == 1), "{after:?}");
    // A closed day added: no slots that day, and a booking is refused.
    loket_store::sqlx::query(
        "INSERT INTO appt_closed_days (location_id, day, reason) \
         SELECT id, $2, 'Stadsfeest' FROM appt_locations WHERE slug = $1",
    )
    .bind(LOCATION)
    .bind(day(2).to_string())
    .execute(app.store.pool())
    .await
    .unwrap();
    assert!(free_slots(&app, LOCATION, 2).await.is_empty());
    let (s, p) = api_post(
        &app,
        &staff,
        "/api/v1/appointments",
        json!({ "service": SERVICE, "location": LOCATION, "start": at(2, "10:00"), "resident_email": "eva@example.org" }),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "start", "{p}");
    // The service switched off: unknown at once.
    sqlx_exec(&app, "UPDATE appt_services SET active = 0").await;
    let (s, p) = api_post(
        &app,
        &staff,
        "/api/v1/appointments",
        json!({ "service": SERVICE, "location": LOCATION, "start": at(4, "10:00"), "resident_email": "eva@example.org" }),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "service", "{p}");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM appointments").await, 0);
    app.stop().await;
}

/// One batch of the bookings' writer (group commit), straight on the store:
/// places go first come first served, a refused booking writes nothing and
/// gives its count back, the limit counts what the batch itself booked and
/// what earlier transactions booked, and every booking gets its audit row
/// and its confirmation. On SQLite and PostgreSQL.
#[tokio::test]
async fn a_batch_of_bookings_keeps_capacity_order_and_limits() {
    use loket_domain::notify::Mail;
    use loket_store::appointments::{BatchBooking, NewBooking};
    let app = TestApp::spawn().await;
    setup(&app, 2).await; // two places a slot, one booking per resident
    let store = &app.store;
    let service = appt::service(store, SERVICE).await.unwrap().unwrap();
    let location = appt::location(store, LOCATION).await.unwrap().unwrap();
    let mut residents = Vec::new();
    for i in 0..5 {
        residents.push(resident(&app, &format!("b{i}@example.org")).await);
    }
    let slot = |hm: &str| {
        let start = loket_domain::appointments::parse_start(&at(2, hm), &brussels()).unwrap();
        loket_domain::appointments::Slot {
            start: jiff::Timestamp::from_millisecond(start).unwrap(),
            end: jiff::Timestamp::from_millisecond(start + 15 * 60_000).unwrap(),
        }
    };
    let (a, b, c) = (slot("10:00"), slot("10:15"), slot("10:30"));
    let ids: Vec<String> = (0..8).map(|_| loket_store::new_id()).collect();
    let codes: Vec<String> = (0..8).map(|_| appt::new_code()).collect();
    let mails: Vec<Mail> = (0..8)
        .map(|i| Mail {
            to: loket_domain::ident::Email::parse(&format!("b{i}@example.org")).unwrap(),
            subject: format!("Bevestiging {i}"),
            body: "Tot dan".to_owned(),
        })
        .collect();
    let actor = Actor::System;
    let item = |i: usize, who: usize, s| BatchBooking {
        actor: &actor,
        booking: NewBooking {
            id: &ids[i],
            code: &codes[i],
            service: &service,
            location: &location,
            slot: s,
            capacity: 2,
            resident_id: &residents[who],
            channel: "counter",
            booked_by: None,
            max_per_service: 1,
            remind_at: 0,
        },
        mail: Some((&mails[i], None)),
    };
    // In this order: r0, r1 and r2 want A (two places); r0 wants B too
    // (over its limit); r2, refused at A, wants B; r3 and r4 want B.
    let batch = [
        item(0, 0, a),
        item(1, 1, a),
        item(2, 2, a),
        item(3, 0, b),
        item(4, 2, b),
        item(5, 3, b),
        item(6, 4, b),
    ];
    let mut tx = store.begin().await.unwrap();
    let out = appt::book_batch(&mut tx, &batch).await.unwrap();
    tx.commit().await.unwrap();
    let codes_of: Vec<&str> = out
        .iter()
        .map(|r| match r {
            Ok(_) => "ok",
            Err(inv) => inv.0[0].code,
        })
        .collect();
    assert_eq!(
        codes_of,
        [
            "ok",
            "ok",
            "appt-slot-full",
            "appt-limit-reached",
            "ok",
            "ok",
            "appt-slot-full"
        ],
        "on {}",
        backend()
    );
    let booked = out
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .collect::<Vec<_>>();
    assert_eq!(booked[0].id, ids[0]);
    assert_eq!(booked[2].resident_id, residents[2]);
    assert_eq!(booked[2].starts_at, b.start_ms());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM appointments WHERE status = 'booked'")
            .await,
        4
    );
    assert_eq!(
        app.count("SELECT CAST(SUM(booked) AS BIGINT) FROM appt_slots")
            .await,
        4
    );
    assert_eq!(app.count("SELECT MAX(booked) FROM appt_slots").await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'appointment.book'")
            .await,
        4
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Bevestiging %'")
            .await,
        4
    );
    // What the store reads back is what the batch answered.
    let stored = appt::get(store, &ids[4]).await.unwrap().unwrap();
    assert_eq!(
        (
            stored.code.as_str(),
            stored.slot_id.as_str(),
            stored.channel.as_str()
        ),
        (codes[4].as_str(), booked[2].slot_id.as_str(), "counter")
    );
    assert_eq!(stored.updated_at, stored.created_at);
    // A later batch counts what is booked already: r1 holds one, r4 none.
    let batch = [item(7, 1, c), item(6, 4, c)];
    let mut tx = store.begin().await.unwrap();
    let out = appt::book_batch(&mut tx, &batch).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(out[0].as_ref().unwrap_err().0[0].code, "appt-limit-reached");
    assert_eq!(out[1].as_ref().unwrap().starts_at, c.start_ms());
    assert_eq!(appt::overbooked_slots(store).await.unwrap(), 0);
    app.stop().await;
}

/// The batched reads (`loket_app::coalesce`) in a rush: a desk books for
/// 20 residents at once (some addresses typed in capitals), while a second
/// desk's revoked token and 6 unknown addresses arrive in the same moments.
/// Every booking lands on the resident it named, the revoked token is
/// refused every time, an unknown address is a field error, and the slot
/// list read right after counts every booking.
#[tokio::test]
async fn batched_reads_in_a_rush_keep_every_token_and_resident_apart() {
    let app = TestApp::spawn().await;
    setup(&app, 1).await;
    let desk = token(&app, "desk@leuven.example", &["counter"]).await;
    let gone = token(&app, "gone@leuven.example", &["counter"]).await;
    let gone_id: String = loket_store::sqlx::query_scalar(
        "SELECT t.id FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE u.email = 'gone@leuven.example'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    loket::cli::token_revoke(&app.config, &gone_id)
        .await
        .unwrap();
    let n = 20;
    for i in 0..n {
        loket::cli::user_add(
            &app.config,
            &format!("rush{i}@example.org"),
            "Rush Resident",
            &["resident".to_owned()],
            None,
        )
        .await
        .unwrap();
    }
    // Slots of day 2 from 09:00, one place each: resident i takes slot i.
    let slot = |i: usize| {
        let minutes = 9 * 60 + 15 * i;
        let minutes = if minutes >= 12 * 60 {
            minutes + 60
        } else {
            minutes
        };
        at(2, &format!("{:02}:{:02}", minutes / 60, minutes % 60))
    };
    let mut tasks = Vec::new();
    for i in 0..n + 16 {
        let client = app.client();
        let url = app.url("/api/v1/appointments");
        let (token, email, start) = if i < n {
            let email = if i % 3 == 0 {
                format!("RUSH{i}@Example.org")
            } else {
                format!("rush{i}@example.org")
            };
            (desk.clone(), email, slot(i))
        } else if i < n + 10 {
            (
                gone.clone(),
                format!("rush{}@example.org", i - n),
                slot(i - n),
            )
        } else {
            (desk.clone(), format!("nobody{i}@example.org"), slot(0))
        };
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "service": SERVICE, "location": LOCATION, "start": start, "resident_email": email }))
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            (i, s, r.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    for t in tasks {
        let (i, s, p) = t.await.unwrap();
        if i < n {
            assert_eq!(s, 201, "booking {i}: {p}");
            let owner: String = loket_store::sqlx::query_scalar(
                "SELECT u.email FROM appointments a JOIN users u ON u.id = a.resident_id \
                 WHERE a.id = $1",
            )
            .bind(p["id"].as_str().unwrap())
            .fetch_one(app.store.pool())
            .await
            .unwrap();
            assert_eq!(owner, format!("rush{i}@example.org"));
            assert_eq!(p["start_local"].as_str(), Some(slot(i).as_str()), "{p}");
        } else if i < n + 10 {
            assert_eq!(s, 401, "revoked token, request {i}: {p}");
        } else {
            assert_eq!(s, 422, "unknown resident, request {i}: {p}");
            assert_eq!(p["errors"][0]["field"], "resident_email", "{p}");
        }
    }
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM appointments").await,
        i64::try_from(n).unwrap()
    );
    // The slot list read now counts every booking: those slots are gone.
    let free = free_slots(&app, LOCATION, 2).await;
    for i in 0..n {
        assert!(
            !free.iter().any(|(start, _)| *start == slot(i)),
            "slot {i} still listed: {free:?}"
        );
    }
    app.stop().await;
}
