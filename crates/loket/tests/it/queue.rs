//! The ticket queue through the real server, on SQLite and PostgreSQL:
//! kiosk check-in (appointment code and walk-in), bad codes, desks calling
//! (due appointments first, walk-ins not starving), recall, served,
//! no-show, transfer, linking a case, the counter zone's limit under 40
//! parallel walk-ins, desks racing for visitors, the display's event
//! stream, the printable ticket (PDF read back and its QR decoded), the
//! API and the statistics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use loket_domain::appointments::{Slot, parse_day_hours};
use loket_domain::audit::Actor;
use loket_store::appointments as appt;
use serde_json::{Value, json};

const LOCATION: &str = "city-office";

pub(crate) struct Setup {
    pub(crate) location_id: String,
    pub(crate) other_location_id: String,
    pub(crate) identity: String,
    pub(crate) moving: String,
    /// Loket 1 (identity + moving), Loket 2 (identity only).
    pub(crate) desk1: String,
    pub(crate) desk2: String,
    pub(crate) kiosk_key: String,
}

pub(crate) async fn setup(app: &TestApp, max_present: i64) -> Setup {
    let store = &app.store;
    let a = Actor::System;
    let mut tx = store.begin().await.unwrap();
    let identity = appt::save_service(
        &mut tx,
        &a,
        "identity-card",
        "Identiteitskaart",
        "Identity card",
        15,
    )
    .await
    .unwrap();
    let moving = appt::save_service(&mut tx, &a, "moving", "Verhuizing", "Moving", 20)
        .await
        .unwrap();
    let lid = appt::save_location(
        &mut tx,
        &a,
        LOCATION,
        "Stadskantoor",
        "Plein 1, 3000 Leuven",
    )
    .await
    .unwrap();
    let other = appt::save_location(&mut tx, &a, "kessel-lo", "Districtshuis Kessel-Lo", "")
        .await
        .unwrap();
    let mut periods = Vec::new();
    for wd in 1..=7 {
        periods.extend(parse_day_hours(wd, "00:00-23:59").unwrap());
    }
    appt::set_hours(&mut tx, &a, &lid, &periods).await.unwrap();
    appt::set_hours(&mut tx, &a, &other, &periods)
        .await
        .unwrap();
    appt::save_desk(&mut tx, &a, &lid, "1", &[identity.clone(), moving.clone()])
        .await
        .unwrap();
    appt::save_desk(&mut tx, &a, &lid, "2", std::slice::from_ref(&identity))
        .await
        .unwrap();
    appt::save_desk(&mut tx, &a, &other, "1", std::slice::from_ref(&identity))
        .await
        .unwrap();
    loket_store::queue::set_max_present(&mut tx, &a, &lid, max_present)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let desks = appt::list_desks(store, &lid).await.unwrap();
    let desk = |n: &str| desks.iter().find(|d| d.name == n).unwrap().id.clone();
    Setup {
        kiosk_key: loket_web::queue::kiosk_key(&app.config.keys().ring().unwrap(), &lid),
        desk1: desk("1"),
        desk2: desk("2"),
        location_id: lid,
        other_location_id: other,
        identity,
        moving,
    }
}

/// An appointment starting `minutes` from now (whole minute), booked
/// through the store's booking path.
pub(crate) async fn appointment(
    app: &TestApp,
    resident_id: &str,
    service_id: &str,
    location_id: &str,
    minutes: i64,
) -> appt::Appointment {
    let now = jiff::Timestamp::now().as_millisecond() / 60_000 * 60_000;
    let start = jiff::Timestamp::from_millisecond(now + minutes * 60_000).unwrap();
    let end = jiff::Timestamp::from_millisecond(now + (minutes + 15) * 60_000).unwrap();
    let service = appt::service(&app.store, service_id)
        .await
        .unwrap()
        .unwrap();
    let location = appt::location(&app.store, location_id)
        .await
        .unwrap()
        .unwrap();
    let mut tx = app.store.begin().await.unwrap();
    let a = appt::book(
        &mut tx,
        &Actor::System,
        appt::NewBooking {
            id: &loket_store::new_id(),
            code: &appt::new_code(),
            service: &service,
            location: &location,
            slot: Slot { start, end },
            capacity: 10,
            resident_id,
            channel: "web",
            booked_by: None,
            max_per_service: 10,
            remind_at: now,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    a
}

async fn api(app: &TestApp, token: &str, method: &str, path: &str, body: Value) -> (u16, Value) {
    let c = app.client();
    let req = if method == "GET" {
        c.get(app.url(path))
    } else {
        c.post(app.url(path)).json(&body)
    };
    let r = req.bearer_auth(token).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn kiosk(s: &Setup) -> String {
    format!("/kiosk/{LOCATION}?k={}", s.kiosk_key)
}

/// Posts a kiosk form; returns (status, location header, body).
pub(crate) async fn kiosk_post(
    app: &TestApp,
    c: &reqwest::Client,
    s: &Setup,
    action: &str,
    field: (&str, &str),
) -> (u16, String, String) {
    let r = app
        .submit(
            c,
            &kiosk(s),
            &format!("/kiosk/{LOCATION}/{action}"),
            &[("k", &s.kiosk_key), field],
        )
        .await;
    let status = r.status().as_u16();
    let loc = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, loc, r.text().await.unwrap())
}

async fn ticket_number(app: &TestApp, ticket_path: &str) -> String {
    let (status, html) = app.get(&app.client(), ticket_path).await;
    assert_eq!(status, 200, "{html}");
    let marker = "class=\"ticket-number\">";
    let i = html.find(marker).unwrap() + marker.len();
    html[i..i + html[i..].find('<').unwrap()].to_owned()
}

async fn status_of(app: &TestApp, number: &str) -> Vec<String> {
    let rows = loket_store::sqlx::query(
        "SELECT status FROM queue_tickets WHERE number = $1 ORDER BY checked_in_at",
    )
    .bind(number)
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    use loket_store::sqlx::Row;
    rows.iter().map(|r| r.get::<String, _>(0)).collect()
}

async fn present(app: &TestApp, s: &Setup) -> i64 {
    loket_store::queue::zone(&app.store, &s.location_id)
        .await
        .unwrap()
        .present
}

#[tokio::test]
async fn from_check_in_to_served_at_the_desk() {
    let app = TestApp::spawn().await;
    let s = setup(&app, 20).await;
    let rid = resident(&app, "an@example.be").await;
    let due = appointment(&app, &rid, &s.identity, &s.location_id, 2).await;
    let early = appointment(&app, &rid, &s.moving, &s.location_id, 120).await;
    let elsewhere = appointment(&app, &rid, &s.identity, &s.other_location_id, 0).await;
    let cancelled = appointment(&app, &rid, &s.identity, &s.location_id, 30).await;
    {
        let mut tx = app.store.begin().await.unwrap();
        appt::cancel(&mut tx, &Actor::System, &cancelled.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    // The kiosk needs its key.
    let k = app.client();
    let (st, _) = app.get(&k, &format!("/kiosk/{LOCATION}")).await;
    assert_eq!(st, 403);
    let (st, html) = app.get(&k, &kiosk(&s)).await;
    assert_eq!(st, 200);
    assert!(html.contains("Identiteitskaart") && html.contains("Verhuizing"));

    // A scanner types the code (any case, no dash) and Enter.
    let typed = due.code.replace('-', "").to_lowercase();
    let (st, to, _) = kiosk_post(&app, &k, &s, "check-in", ("code", &typed)).await;
    assert_eq!(st, 303, "check-in redirects to the ticket");
    assert!(to.starts_with("/queue/tickets/"));
    assert_eq!(ticket_number(&app, &to).await, "I001");
    assert_eq!(present(&app, &s).await, 1);

    // Bad codes: each a clear error, nothing changes, the input is kept.
    for (code, expect) in [
        (due.code.as_str(), "al aangemeld, met volgnummer I001"),
        ("ZZZZ-ZZZZ", "kennen deze code niet"),
        ("12", "8 letters en cijfers"),
        (cancelled.code.as_str(), "geannuleerd"),
        (elsewhere.code.as_str(), "Districtshuis Kessel-Lo"),
        (early.code.as_str(), "meer dan een uur te vroeg"),
    ] {
        let (st, _, html) = kiosk_post(&app, &k, &s, "check-in", ("code", code)).await;
        assert_eq!(st, 422, "{code}: {html}");
        assert!(html.contains(expect), "{code}: {expect} not in page");
        assert!(html.contains(&format!("value=\"{code}\"")), "input kept");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM queue_tickets").await, 1);
    assert_eq!(present(&app, &s).await, 1);

    // Walk-ins.
    let (st, to_w1, _) = kiosk_post(&app, &k, &s, "walk-in", ("service", &s.identity)).await;
    assert_eq!(st, 303);
    assert_eq!(ticket_number(&app, &to_w1).await, "I002");
    let (_, to_w2, _) = kiosk_post(&app, &k, &s, "walk-in", ("service", &s.moving)).await;
    assert_eq!(ticket_number(&app, &to_w2).await, "V001");
    let (st, _, html) = kiosk_post(&app, &k, &s, "walk-in", ("service", "no-such")).await;
    assert_eq!(st, 422, "{html}");
    assert_eq!(present(&app, &s).await, 3);

    // The ticket page estimates the wait; its link needs the token.
    let (_, page) = app.get(&app.client(), &to_w1).await;
    assert!(page.contains("Geschatte wachttijd"), "{page}");
    let bare = to_w1.split('?').next().unwrap();
    assert_eq!(app.get(&app.client(), bare).await.0, 404);

    // Desk 1 calls: the due appointment first.
    let staff = app.signed_in("balie@leuven.be", &["counter"]).await;
    let desk1 = format!("/staff/desks/{}", s.desk1);
    let desk2 = format!("/staff/desks/{}", s.desk2);
    let r = app
        .submit(&staff, &desk1, &format!("{desk1}/call"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = app.get(&staff, &desk1).await;
    assert!(
        page.contains("I001") && page.contains("An Peeters"),
        "{page}"
    );
    // Reading the resident's name at the desk is access-logged.
    assert!(
        app.count("SELECT COUNT(*) FROM access_log WHERE purpose = 'queue.desk'")
            .await
            >= 1
    );
    // The display shows it.
    let (_, state) = app
        .get(&app.client(), &format!("/queue/{LOCATION}/state.json"))
        .await;
    let state: Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["called"][0]["number"], "I001");
    assert_eq!(state["called"][0]["desk"], "1");
    let (_, display) = app
        .get(&app.client(), &format!("/queue/{LOCATION}/display"))
        .await;
    assert!(display.contains("I001"));
    // The visitor's page says where to go.
    let (_, mine) = app.get(&app.client(), &to).await;
    assert!(mine.contains("Het is uw beurt"), "{mine}");

    // Busy: the desk must finish first.
    let r = app
        .submit(&staff, &desk1, &format!("{desk1}/call"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("rond eerst volgnummer I001 af")
    );

    // Recall, then served: the appointment is served, the visitor counted out.
    let r = app
        .submit(&staff, &desk1, &format!("{desk1}/recall"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = app
        .submit(
            &staff,
            &desk1,
            &format!("{desk1}/finish"),
            &[("outcome", "served")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(status_of(&app, "I001").await, ["served"]);
    assert_eq!(
        appt::get(&app.store, &due.id)
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "served"
    );
    assert_eq!(present(&app, &s).await, 2);

    // Desk 2 (identity only) gets the identity walk-in; a no-show.
    app.submit(&staff, &desk2, &format!("{desk2}/call"), &[])
        .await;
    assert_eq!(status_of(&app, "I002").await, ["called"]);
    app.submit(
        &staff,
        &desk2,
        &format!("{desk2}/finish"),
        &[("outcome", "no_show")],
    )
    .await;
    assert_eq!(status_of(&app, "I002").await, ["no_show"]);
    // Desk 2 has nobody left for its service.
    let r = app
        .submit(&staff, &desk2, &format!("{desk2}/call"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 422);

    // Desk 1 takes V001 and transfers it to identity: it waits again with
    // the same number, ahead of others, and desk 2 gets it.
    app.submit(&staff, &desk1, &format!("{desk1}/call"), &[])
        .await;
    let r = app
        .submit(
            &staff,
            &desk1,
            &format!("{desk1}/transfer"),
            &[("service", &s.identity)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(status_of(&app, "V001").await, ["transferred", "waiting"]);
    assert_eq!(
        present(&app, &s).await,
        1,
        "a transfer keeps the visitor counted once"
    );
    app.submit(&staff, &desk2, &format!("{desk2}/call"), &[])
        .await;
    assert_eq!(status_of(&app, "V001").await, ["transferred", "called"]);

    // Link the visit to a case: an unknown number is refused, a real one
    // is linked.
    let r = app
        .submit(
            &staff,
            &desk2,
            &format!("{desk2}/link-case"),
            &[("case_number", "2026-999999")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("geen dossier met dit nummer") && html.contains("2026-999999"));
    let def: loket_domain::cases::ServiceDef =
        serde_json::from_str(loket_domain::cases::SEED_SERVICES[0]).unwrap();
    let mut tx = app.store.begin().await.unwrap();
    loket_store::cases::save_service(&mut tx, &Actor::System, &def)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let service = loket_store::cases::list_services(&app.store, true)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let mut tx = app.store.begin().await.unwrap();
    let case = loket_store::cases::create_case(
        &mut tx,
        &Actor::System,
        loket_store::cases::NewCase {
            service: &service,
            resident_id: &rid,
            channel: loket_domain::cases::Channel::Counter,
            assisted_by: None,
            identified_by: "password",
            data: &Default::default(),
            year: 2026,
            due_date: "2026-12-31",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = app
        .submit(
            &staff,
            &desk2,
            &format!("{desk2}/link-case"),
            &[("case_number", &case.number)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = app.get(&staff, &desk2).await;
    assert!(page.contains(&format!("Gekoppeld aan dossier {}", case.number)));
    app.submit(
        &staff,
        &desk2,
        &format!("{desk2}/finish"),
        &[("outcome", "served")],
    )
    .await;
    assert_eq!(present(&app, &s).await, 0);

    // Every change is audited.
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'queue.%'")
            .await
            >= 12
    );

    // The statistics count the visits (wait and service times).
    let (st, stats) = app
        .get(&staff, &format!("/staff/queue/stats?location={LOCATION}"))
        .await;
    assert_eq!(st, 200);
    assert!(stats.contains("4 bezoeken"), "{stats}");
    let (st, _) = app.get(&staff, "/staff/queue/stats?from=2026-13-01").await;
    assert_eq!(st, 422);
    app.stop().await;
}

#[tokio::test]
async fn walk_ins_never_starve_behind_appointments() {
    let app = TestApp::spawn().await;
    let s = setup(&app, 50).await;
    let rid = resident(&app, "an@example.be").await;
    let t = token(&app, "balie@leuven.be", &["counter"]).await;
    let (st, walk) = api(
        &app,
        &t,
        "POST",
        "/api/v1/queue/tickets",
        json!({"location": LOCATION, "service": "identity-card"}),
    )
    .await;
    assert_eq!(st, 201, "{walk}");
    for _ in 0..5 {
        let a = appointment(&app, &rid, &s.identity, &s.location_id, 0).await;
        let (st, v) = api(
            &app,
            &t,
            "POST",
            "/api/v1/queue/check-ins",
            json!({"location": LOCATION, "code": a.code}),
        )
        .await;
        assert_eq!(st, 201, "{v}");
        assert_eq!(v["timing"], "on-time");
    }
    // Three due appointments, then the walk-in (the rule: at most three
    // appointments in a row while a walk-in waits).
    let mut kinds = Vec::new();
    for _ in 0..6 {
        let (st, v) = api(
            &app,
            &t,
            "POST",
            &format!("/api/v1/desks/{}/call-next", s.desk2),
            json!({}),
        )
        .await;
        assert_eq!(st, 200, "{v}");
        kinds.push(v["kind"].as_str().unwrap().to_owned());
        let (st, v) = api(
            &app,
            &t,
            "POST",
            &format!("/api/v1/desks/{}/finish", s.desk2),
            json!({"outcome": "served"}),
        )
        .await;
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["status"], "served");
    }
    assert_eq!(
        kinds,
        [
            "appointment",
            "appointment",
            "appointment",
            "walk_in",
            "appointment",
            "appointment"
        ]
    );
    // Nobody left: 204.
    let (st, _) = api(
        &app,
        &t,
        "POST",
        &format!("/api/v1/desks/{}/call-next", s.desk2),
        json!({}),
    )
    .await;
    assert_eq!(st, 204);
    // Bad input through the API.
    let (st, v) = api(
        &app,
        &t,
        "POST",
        &format!("/api/v1/desks/{}/finish", s.desk2),
        json!({"outcome": "maybe"}),
    )
    .await;
    assert_eq!(st, 422);
    assert_eq!(v["errors"][0]["field"], "outcome");
    let (st, v) = api(
        &app,
        &t,
        "POST",
        "/api/v1/queue/check-ins",
        json!({"location": "nowhere", "code": "AAAA-AAAA"}),
    )
    .await;
    assert_eq!(st, 422);
    assert_eq!(v["errors"][0]["field"], "location");
    let (st, _) = api(
        &app,
        &t,
        "POST",
        "/api/v1/desks/no-such-desk/call-next",
        json!({}),
    )
    .await;
    assert_eq!(st, 404);
    // Residents may not run desks.
    let rt = token(&app, "inwoner@example.be", &["resident"]).await;
    let (st, _) = api(
        &app,
        &rt,
        "POST",
        &format!("/api/v1/desks/{}/call-next", s.desk2),
        json!({}),
    )
    .await;
    assert_eq!(st, 403);
    let id = walk["id"].as_str().unwrap();
    let (st, v) = api(
        &app,
        &t,
        "GET",
        &format!("/api/v1/queue/tickets/{id}"),
        json!({}),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(v["status"], "served");
    app.stop().await;
}

/// 40 walk-ins race for a zone of 5: exactly 5 get in, the others are told
/// when to come back; an appointment still gets in; the door turns red.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_counter_zone_never_holds_more_than_its_maximum() {
    let app = TestApp::spawn().await;
    let s = setup(&app, 5).await;
    let t = token(&app, "kiosk@leuven.be", &["counter"]).await;
    let answers = race(40, |i| {
        let client = app.client();
        let url = app.url("/api/v1/queue/tickets");
        let t = t.clone();
        let service = if i % 2 == 0 {
            "identity-card"
        } else {
            "moving"
        };
        async move {
            let r = client
                .post(url)
                .bearer_auth(t)
                .json(&json!({"location": LOCATION, "service": service}))
                .send()
                .await
                .unwrap();
            let st = r.status().as_u16();
            (st, r.json::<Value>().await.unwrap())
        }
    })
    .await;
    let mut ok = 0;
    for (st, v) in answers {
        match st {
            201 => ok += 1,
            409 => {
                assert!(
                    v["come_back_at"].as_i64().unwrap() > jiff::Timestamp::now().as_millisecond()
                );
                assert_eq!(v["errors"][0]["code"], "queue-zone-full");
            }
            other => panic!("unexpected {other}: {v}"),
        }
    }
    assert_eq!(ok, 5);
    assert_eq!(present(&app, &s).await, 5);
    assert_eq!(app.count("SELECT COUNT(*) FROM queue_tickets").await, 5);
    // Numbers are unique per prefix.
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT number) FROM queue_tickets")
            .await,
        5
    );
    let (_, door) = app
        .get(&app.client(), &format!("/queue/{LOCATION}/door"))
        .await;
    assert!(
        door.contains("Even wachten") && door.contains("door-sign full"),
        "{door}"
    );
    // The kiosk refuses a walk-in and says when to come back.
    let k = app.client();
    let (st, _, html) = kiosk_post(&app, &k, &s, "walk-in", ("service", &s.identity)).await;
    assert_eq!(st, 409);
    assert!(html.contains("Kom terug rond"), "{html}");
    // An appointment always gets in, and is counted.
    let rid = resident(&app, "an@example.be").await;
    let a = appointment(&app, &rid, &s.identity, &s.location_id, 0).await;
    let (st, _, _) = kiosk_post(&app, &k, &s, "check-in", ("code", &a.code)).await;
    assert_eq!(st, 303);
    assert_eq!(present(&app, &s).await, 6);
    // The occupancy in the API (public).
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/locations/{LOCATION}/occupancy")))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["present"], 6);
    assert_eq!(v["max_present"], 5);
    assert_eq!(v["open"], false);
    // Staff see a waiting visitor leave: counted out.
    let staff = app.signed_in("balie@leuven.be", &["counter"]).await;
    let waiting_id: String = {
        use loket_store::sqlx::Row;
        loket_store::sqlx::query(
            "SELECT id FROM queue_tickets WHERE status = 'waiting' ORDER BY id LIMIT 1",
        )
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get(0)
    };
    let desk1 = format!("/staff/desks/{}", s.desk1);
    let r = app
        .submit(
            &staff,
            &desk1,
            &format!("{desk1}/left"),
            &[("ticket", &waiting_id)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(present(&app, &s).await, 5);
    // A bad correction is refused; a good one is audited.
    let r = app
        .submit(
            &staff,
            "/staff/queue",
            "/staff/queue/zone",
            &[("location", LOCATION), ("present", "-3")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(present(&app, &s).await, 5);
    let r = app
        .submit(
            &staff,
            "/staff/queue",
            "/staff/queue/zone",
            &[("location", LOCATION), ("present", "2")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(present(&app, &s).await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'queue.zone.correct'")
            .await,
        1
    );
    app.stop().await;
}

/// Eight desks call at once, again and again: every visitor is called
/// exactly once, and no desk ever has two.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn desks_racing_never_call_one_visitor_twice() {
    let app = TestApp::spawn().await;
    let s = setup(&app, 100).await;
    let mut tx = app.store.begin().await.unwrap();
    for i in 3..=8 {
        appt::save_desk(
            &mut tx,
            &Actor::System,
            &s.location_id,
            &i.to_string(),
            std::slice::from_ref(&s.identity),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let t = token(&app, "balie@leuven.be", &["counter"]).await;
    for _ in 0..30 {
        let (st, _) = api(
            &app,
            &t,
            "POST",
            "/api/v1/queue/tickets",
            json!({"location": LOCATION, "service": "identity-card"}),
        )
        .await;
        assert_eq!(st, 201);
    }
    let desks: Vec<String> = appt::list_desks(&app.store, &s.location_id)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(desks.len(), 8);
    let calls = race(desks.len(), |i| {
        let d = desks[i].clone();
        let client = app.client();
        let base = app.url("");
        let t = t.clone();
        async move {
            let mut called = Vec::new();
            loop {
                let r = client
                    .post(format!("{base}/api/v1/desks/{d}/call-next"))
                    .bearer_auth(&t)
                    .send()
                    .await
                    .unwrap();
                match r.status().as_u16() {
                    200 => {
                        let v: Value = r.json().await.unwrap();
                        called.push(v["id"].as_str().unwrap().to_owned());
                        let r = client
                            .post(format!("{base}/api/v1/desks/{d}/finish"))
                            .bearer_auth(&t)
                            .json(&json!({"outcome": "served"}))
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(r.status().as_u16(), 200);
                    }
                    204 => return called,
                    other => panic!("call-next: {other} {}", r.text().await.unwrap()),
                }
            }
        }
    })
    .await;
    let mut all: Vec<String> = calls.into_iter().flatten().collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(n, 30, "every visitor called once");
    assert_eq!(all.len(), 30, "no visitor called twice");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM queue_tickets WHERE status = 'served'")
            .await,
        30
    );
    assert_eq!(present(&app, &s).await, 0);
    app.stop().await;
}

/// The display's stream: the state at once, and again after a call.
#[tokio::test]
async fn the_display_follows_the_event_stream() {
    let app = TestApp::spawn().await;
    let s = setup(&app, 20).await;
    let t = token(&app, "balie@leuven.be", &["counter"]).await;
    let (st, _) = api(
        &app,
        &t,
        "POST",
        "/api/v1/queue/tickets",
        json!({"location": LOCATION, "service": "moving"}),
    )
    .await;
    assert_eq!(st, 201);
    let mut r = app
        .client()
        .get(app.url(&format!("/api/v1/locations/{LOCATION}/queue-events")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut buf = String::new();
    let mut events = Vec::new();
    let mut called = false;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while tokio::time::Instant::now() < deadline {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), r.chunk())
            .await
            .expect("an event within 5 s")
            .unwrap()
            .expect("the stream stays open");
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let ev: String = buf.drain(..end + 2).collect();
            if let Some(data) = ev.lines().find_map(|l| l.strip_prefix("data: ")) {
                assert!(ev.contains("event: queue"));
                events.push(serde_json::from_str::<Value>(data).unwrap());
            }
        }
        if events.len() == 1 && !called {
            assert_eq!(events[0]["waiting"], 1);
            assert!(events[0]["called"].as_array().unwrap().is_empty());
            let (st, _) = api(
                &app,
                &t,
                "POST",
                &format!("/api/v1/desks/{}/call-next", s.desk1),
                json!({}),
            )
            .await;
            assert_eq!(st, 200);
            called = true;
        }
        if events.len() >= 2 {
            break;
        }
    }
    assert!(events.len() >= 2, "a second event after the call");
    let last = events.last().unwrap();
    assert_eq!(last["called"][0]["number"], "V001");
    assert_eq!(last["called"][0]["desk"], "1");
    assert!(last["version"].as_i64() > events[0]["version"].as_i64());
    // The display page carries the script and works without it (refresh).
    let (_, html) = app
        .get(&app.client(), &format!("/queue/{LOCATION}/display"))
        .await;
    assert!(html.contains("/static/queue.js") && html.contains("http-equiv=\"refresh\""));
    let (st, js) = app.get(&app.client(), "/static/queue.js").await;
    assert_eq!(st, 200);
    assert!(js.contains("EventSource"));
    app.stop().await;
}

/// The printable ticket: an 80 mm wide PDF with the number, and a QR code
/// of the link that follows the ticket.
#[tokio::test]
async fn the_ticket_prints_as_an_80_mm_pdf() {
    let app = TestApp::spawn().await;
    let s = setup(&app, 20).await;
    let k = app.client();
    let (_, to, _) = kiosk_post(&app, &k, &s, "walk-in", ("service", &s.identity)).await;
    let (_, page) = app.get(&app.client(), &to).await;
    let marker = "href=\"/queue/tickets/";
    let i = page.find(marker).unwrap() + 6;
    let pdf_path = page[i..i + page[i..].find('"').unwrap()].replace("&amp;", "&");
    assert!(pdf_path.contains("ticket.pdf"));
    let r = app.client().get(app.url(&pdf_path)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap().to_vec();
    let text = pdf_text(&pdf);
    assert!(
        text.contains("I001") && text.contains("Identiteitskaart"),
        "{text}"
    );
    let dir = temp_dir();
    let path = dir.join("ticket.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let info = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    let size = info.lines().find(|l| l.starts_with("Page size:")).unwrap();
    let width: f64 = size.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!((width - 226.77).abs() < 0.1, "80 mm wide: {size}");
    let codes = qr_codes_in_pdf(&pdf);
    assert_eq!(codes.len(), 1, "{codes:?}");
    assert!(codes[0].contains("/queue/tickets/") && codes[0].contains("?t="));
    // The QR's link opens the ticket.
    let path = &codes[0][codes[0].find("/queue/").unwrap()..];
    assert_eq!(ticket_number(&app, path).await, "I001");
    app.stop().await;
}

/// An admin sets a service's ticket letter; a bad letter is refused. Tickets
/// of an earlier day still open are closed by the worker step and the head
/// count set right.
#[tokio::test]
async fn ticket_letters_and_closing_earlier_days() {
    let app = TestApp::spawn().await;
    let s = setup(&app, 20).await;
    let admin = app.signed_in("admin@leuven.be", &["admin"]).await;
    let (_, page) = app.get(&admin, "/admin/appointments").await;
    assert!(page.contains(&format!("id=\"prefix-{}\"", s.identity)));
    let r = app
        .submit(
            &admin,
            "/admin/appointments",
            &format!("/admin/queue/services/{}", s.identity),
            &[("ticket_prefix", "7")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let r = app
        .submit(
            &admin,
            "/admin/appointments",
            &format!("/admin/queue/services/{}", s.identity),
            &[("ticket_prefix", "k")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let k = app.client();
    let (_, to, _) = kiosk_post(&app, &k, &s, "walk-in", ("service", &s.identity)).await;
    assert_eq!(ticket_number(&app, &to).await, "K001");
    let (_, _, _) = kiosk_post(&app, &k, &s, "walk-in", ("service", &s.moving)).await;
    assert_eq!(present(&app, &s).await, 2);
    // One of them is from "yesterday".
    loket_store::sqlx::query("UPDATE queue_tickets SET day = '2000-01-01' WHERE number = 'K001'")
        .execute(app.store.pool())
        .await
        .unwrap();
    let today = loket_web::i18n::today_brussels().to_string();
    let n = loket_store::queue::close_past_days(&app.store, &today)
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(status_of(&app, "K001").await, ["left"]);
    assert_eq!(present(&app, &s).await, 1);
    assert_eq!(
        loket_store::queue::close_past_days(&app.store, &today)
            .await
            .unwrap(),
        0
    );
    app.stop().await;
}

/// An admin sets the counter zone's maximum on the queue overview; the door
/// then lets that many in. A bad number and counter staff change nothing.
#[tokio::test]
async fn an_admin_sets_the_counter_zone_maximum() {
    let app = TestApp::spawn().await;
    let s = setup(&app, 20).await;
    let max = || {
        let store = app.store.clone();
        let id = s.location_id.clone();
        async move {
            loket_store::queue::zone(&store, &id)
                .await
                .unwrap()
                .max_present
        }
    };
    let admin = app.signed_in("admin@leuven.be", &["admin"]).await;
    let page = format!("/staff/queue?location={LOCATION}");
    let action = format!("/admin/queue/{LOCATION}");
    let (st, html) = app.get(&admin, &page).await;
    assert_eq!(st, 200);
    assert!(html.contains(&format!("action=\"{action}\"")), "{html}");
    let r = app
        .submit(&admin, &page, &action, &[("max_present", "0")])
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#max_present\""), "{html}");
    assert_eq!(max().await, 20);
    let counter = app.signed_in("balie@leuven.be", &["counter"]).await;
    let r = app
        .submit(&counter, &page, &action, &[("max_present", "3")])
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(max().await, 20);
    let r = app
        .submit(
            &admin,
            &page,
            "/admin/queue/nowhere",
            &[("max_present", "3")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 404);
    let r = app
        .submit(&admin, &page, &action, &[("max_present", "3")])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], page.as_str());
    assert_eq!(max().await, 3);
    // Three walk-ins fill the zone; the fourth is told to come back.
    let t = token(&app, "kiosk@leuven.be", &["counter"]).await;
    let mut codes = Vec::new();
    for _ in 0..4 {
        let (st, _) = api(
            &app,
            &t,
            "POST",
            "/api/v1/queue/tickets",
            json!({"location": LOCATION, "service": "identity-card"}),
        )
        .await;
        codes.push(st);
    }
    assert_eq!(codes, [201, 201, 201, 409]);
    app.stop().await;
}

/// The display page's own stream (the one its script reads): the state at
/// once, and again after a walk-in; an unknown location has none.
#[tokio::test]
async fn the_display_page_stream_sends_the_state_and_each_change() {
    let app = TestApp::spawn().await;
    let s = setup(&app, 20).await;
    let (st, _) = app.get(&app.client(), "/queue/nowhere/events").await;
    assert_eq!(st, 404);
    let mut events =
        EventStream::open(&app, &app.client(), &format!("/queue/{LOCATION}/events")).await;
    let (name, first) = events.next(10).await;
    assert_eq!(name, "queue");
    assert_eq!(first["waiting"], 0, "{first}");
    let k = app.client();
    let (st, _, _) = kiosk_post(&app, &k, &s, "walk-in", ("service", &s.moving)).await;
    assert_eq!(st, 303);
    let (name, next) = events.next(10).await;
    assert_eq!(name, "queue");
    assert_eq!(next["waiting"], 1, "{next}");
    assert!(next["version"].as_i64() > first["version"].as_i64());
    app.stop().await;
}

/// Many displays of one location share one poller and all see each
/// change; one address holds at most `live_streams_per_ip` streams (pages
/// and API together), the next gets 429 with `Retry-After`, a forged
/// `X-Forwarded-For` from an untrusted peer does not get around it, and a
/// closed stream frees its place.
#[tokio::test]
async fn live_streams_are_shared_and_capped_per_address() {
    let app = TestApp::spawn_with(|c| c.live_streams_per_ip = 3).await;
    let s = setup(&app, 20).await;
    let page = format!("/queue/{LOCATION}/events");
    let api_path = format!("/api/v1/locations/{LOCATION}/queue-events");
    let mut a = EventStream::open(&app, &app.client(), &page).await;
    let mut b = EventStream::open(&app, &app.client(), &api_path).await;
    let mut c = EventStream::open(&app, &app.client(), &page).await;
    for e in [&mut a, &mut b, &mut c] {
        let (name, first) = e.next(10).await;
        assert_eq!((name.as_str(), &first["waiting"]), ("queue", &json!(0)));
    }
    // The fourth, on the page and on the API, also with a forged address.
    for (path, forged) in [
        (&page, None),
        (&api_path, None),
        (&page, Some("203.0.113.9")),
    ] {
        let mut rq = app.client().get(app.url(path));
        if let Some(ip) = forged {
            rq = rq.header("x-forwarded-for", ip);
        }
        let r = rq.send().await.unwrap();
        assert_eq!(r.status().as_u16(), 429, "{path} {forged:?}");
        assert!(r.headers().contains_key("retry-after"), "{path} {forged:?}");
    }
    // One change reaches every display.
    let k = app.client();
    let (st, _, _) = kiosk_post(&app, &k, &s, "walk-in", ("service", &s.moving)).await;
    assert_eq!(st, 303);
    for e in [&mut a, &mut b, &mut c] {
        let (_, next) = e.next(10).await;
        assert_eq!(next["waiting"], 1, "{next}");
    }
    // A closed stream frees its place (the server sees the close).
    drop(c);
    let mut admitted = false;
    for _ in 0..50 {
        let r = app.client().get(app.url(&page)).send().await.unwrap();
        if r.status().as_u16() == 200 {
            admitted = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(admitted, "a freed place is given again");
    drop((a, b));
    app.stop().await;
}
