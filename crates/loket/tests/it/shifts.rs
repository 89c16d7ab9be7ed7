//! Staff shifts of the vaccination centre, through the real HTTP server:
//! never overfilled under parallel sign-ups, the working-time rules refused
//! with their message (and nothing changed), the planner's override with a
//! reason (audited), the release time, qualifications, coverage figures, the
//! calendar feed (parsed by Python's `icalendar`), reminders and change mails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use loket_domain::audit::Actor;
use loket_domain::shifts as rules;
use loket_store::shifts as store;
use serde_json::{Value, json};

const H: i64 = 3_600_000;

/// The local day `n` days from today (Brussels).
fn day(n: i64) -> jiff::civil::Date {
    loket_web::i18n::today_brussels()
        .checked_add(jiff::Span::new().days(n))
        .unwrap()
}

/// A qualification, returning its id.
async fn qualification(app: &TestApp, code: &str, nl: &str, en: &str) -> String {
    let mut tx = app.store.begin().await.unwrap();
    let id = store::add_qualification(&mut tx, &Actor::System, code, nl, en)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A role, returning its id.
async fn role(app: &TestApp, code: &str, nl: &str, en: &str, qual: Option<&str>) -> String {
    let mut tx = app.store.begin().await.unwrap();
    let id = store::add_role(&mut tx, &Actor::System, code, nl, en, qual)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A shift on day `d` (days from today) from `from` to `to` local time,
/// released `release` (unix ms; 0 = long ago).
async fn shift(
    app: &TestApp,
    role_id: &str,
    d: i64,
    from: &str,
    to: &str,
    headcount: i64,
    release: i64,
) -> String {
    let date = day(d);
    let (s, e) = rules::window(date, from, to, &loket_domain::appointments::brussels()).unwrap();
    let day_s = date.to_string();
    let mut tx = app.store.begin().await.unwrap();
    let id = store::create_shift(
        &mut tx,
        &Actor::System,
        &store::NewShift {
            role_id,
            day: &day_s,
            starts_at: s,
            ends_at: e,
            headcount,
            release_at: release,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn user_id(app: &TestApp, email: &str) -> String {
    loket_store::people::find_by_email(&app.store, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// An API call in English (messages in English).
async fn api_en(app: &TestApp, token: &str, method: &str, path: &str, body: Value) -> (u16, Value) {
    let r = app
        .client()
        .request(method.parse().unwrap(), app.url(path))
        .bearer_auth(token)
        .header("accept-language", "en")
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn filled(app: &TestApp, shift_id: &str) -> i64 {
    store::get_shift(&app.store, shift_id)
        .await
        .unwrap()
        .unwrap()
        .filled
}

async fn active_signups(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM shift_signups WHERE status = 'active'")
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn never_overfilled_under_parallel_sign_ups() {
    let app = TestApp::spawn().await;
    let host = role(&app, "host", "Onthaal", "Host", None).await;
    let sid = shift(&app, &host, 3, "08:00", "13:00", 5, 0).await;
    // 40 volunteers sign up for 5 places at once.
    let mut tokens = Vec::new();
    for i in 0..40 {
        tokens.push(token(&app, &format!("v{i}@leuven.example"), &["employee"]).await);
    }
    let started = std::time::Instant::now();
    let answers = race(tokens.len(), |i| {
        let t = tokens[i].clone();
        let url = app.url(&format!("/api/v1/shifts/{sid}/sign-up"));
        let client = reqwest::Client::new();
        async move {
            let r = client.post(url).bearer_auth(&t).send().await.unwrap();
            let s = r.status().as_u16();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            (s, v)
        }
    })
    .await;
    let mut ok = 0;
    let mut full = 0;
    for (s, v) in answers {
        match s {
            201 => ok += 1,
            409 => {
                assert_eq!(v["errors"][0]["code"], "shift-full", "{v}");
                full += 1
            }
            other => panic!("unexpected {other}: {v}"),
        }
    }
    println!(
        "{}: 40 parallel sign-ups for 5 places answered in {:?}",
        backend(),
        started.elapsed()
    );
    assert_eq!((ok, full), (5, 35));
    assert_eq!(filled(&app, &sid).await, 5);
    assert_eq!(active_signups(&app).await, 5);

    // One person, many overlapping shifts at once: at most one place.
    let mut shifts = Vec::new();
    for k in 0..8 {
        let from = format!("{:02}:00", 8 + k % 3);
        shifts.push(shift(&app, &host, 5, &from, "13:00", 10, 0).await);
    }
    let sign_up = |token: &str, shift: &str| {
        let url = app.url(&format!("/api/v1/shifts/{shift}/sign-up"));
        let token = token.to_owned();
        let client = reqwest::Client::new();
        async move {
            client
                .post(url)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let codes = race(shifts.len(), |i| sign_up(&tokens[0], &shifts[i])).await;
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 422).count(), 7, "{codes:?}");
    let mut total = 0;
    for s in &shifts {
        total += filled(&app, s).await;
    }
    assert_eq!(total, 1);
    // Two overlapping shifts, one person each, ten people in parallel.
    let a = shift(&app, &host, 7, "08:00", "13:00", 20, 0).await;
    let b = shift(&app, &host, 7, "12:00", "16:00", 20, 0).await;
    let codes = race(20, |i| {
        sign_up(&tokens[i / 2], if i % 2 == 0 { &a } else { &b })
    })
    .await;
    for c in codes {
        assert!(c == 201 || c == 422, "{c}");
    }
    assert_eq!(filled(&app, &a).await + filled(&app, &b).await, 10);
    let both = app
        .count(
            "SELECT COUNT(*) FROM shift_signups g1 JOIN shift_signups g2 \
             ON g1.user_id = g2.user_id AND g1.id < g2.id \
             JOIN shift_shifts s1 ON s1.id = g1.shift_id JOIN shift_shifts s2 ON s2.id = g2.shift_id \
             WHERE g1.status = 'active' AND g2.status = 'active' \
             AND s1.starts_at < s2.ends_at AND s2.starts_at < s1.ends_at",
        )
        .await;
    assert_eq!(both, 0, "someone holds two overlapping shifts");
    app.stop().await;
}

#[tokio::test]
async fn working_time_rules_refused_with_message_and_nothing_changed() {
    let app = TestApp::spawn().await;
    let host = role(&app, "host", "Onthaal", "Host", None).await;
    let morning = shift(&app, &host, 3, "08:00", "13:00", 5, 0).await;
    let overlap = shift(&app, &host, 3, "12:00", "14:00", 5, 0).await;
    let afternoon = shift(&app, &host, 3, "14:00", "18:00", 5, 0).await;
    // Next night 00:00-07:00: 11 h of rest, but 12 h between 08:00 and 08:00.
    let night = shift(&app, &host, 4, "00:00", "07:00", 5, 0).await;
    let next_evening = shift(&app, &host, 4, "17:00", "21:00", 5, 0).await;
    let t = token(&app, "an@leuven.example", &["employee"]).await;
    let (s, _) = api_en(
        &app,
        &t,
        "POST",
        &format!("/api/v1/shifts/{morning}/sign-up"),
        json!({}),
    )
    .await;
    assert_eq!(s, 201);
    let audit_before = app.count("SELECT COUNT(*) FROM audit_log").await;
    let label = format!("Host {} 08:00–13:00", day(3));
    for (sid, code, words) in [
        (&overlap, "shift-rule-overlap", "overlaps another shift"),
        (&afternoon, "shift-rule-min-rest", "too little rest"),
        (
            &night,
            "shift-rule-max-work",
            "more than the hours of work allowed",
        ),
    ] {
        let (s, v) = api_en(
            &app,
            &t,
            "POST",
            &format!("/api/v1/shifts/{sid}/sign-up"),
            json!({}),
        )
        .await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["errors"].as_array().unwrap().len(), 1, "{v}");
        assert_eq!(v["errors"][0]["code"], code, "{v}");
        assert_eq!(v["errors"][0]["field"], "shift");
        let detail = v["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains(words), "{detail}");
        // The conflicting shift is named.
        assert!(detail.contains(&label), "{detail}");
        assert_eq!(filled(&app, sid).await, 0);
    }
    assert_eq!(active_signups(&app).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log").await,
        audit_before
    );
    // The next evening keeps every rule.
    let (s, _) = api_en(
        &app,
        &t,
        "POST",
        &format!("/api/v1/shifts/{next_evening}/sign-up"),
        json!({}),
    )
    .await;
    assert_eq!(s, 201);
    // The page says the same in Dutch, naming the field and the shift.
    let c = app
        .signed_in("els@leuven.example", &["vaccination_staff"])
        .await;
    let r = app
        .submit(&c, "/shifts", &format!("/shifts/{morning}/sign-up"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let r = app
        .submit(&c, "/shifts", &format!("/shifts/{afternoon}/sign-up"), &[])
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("error-summary"));
    assert!(html.contains("te weinig rust"), "{html}");
    assert!(html.contains(&format!("Onthaal {} 08:00–13:00", day(3))));
    // Signing up twice is refused; cancelling frees the place.
    let r = app
        .submit(&c, "/shifts", &format!("/shifts/{morning}/sign-up"), &[])
        .await;
    assert_eq!(r.status(), 409);
    let r = app
        .submit(&c, "/shifts", &format!("/shifts/{morning}/cancel"), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(filled(&app, &morning).await, 1);
    let (s, _) = api_en(
        &app,
        &t,
        "POST",
        &format!("/api/v1/shifts/{morning}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(s, 204);
    assert_eq!(filled(&app, &morning).await, 0);
    let (s, v) = api_en(
        &app,
        &t,
        "POST",
        &format!("/api/v1/shifts/{morning}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["code"].as_str()),
        (422, Some("shift-not-signed-up"))
    );
    app.stop().await;
}

#[tokio::test]
async fn planner_overrides_a_rule_with_a_reason_audited() {
    let app = TestApp::spawn().await;
    let host = role(&app, "host", "Onthaal", "Host", None).await;
    let morning = shift(&app, &host, 3, "08:00", "13:00", 5, 0).await;
    let afternoon = shift(&app, &host, 3, "13:00", "18:00", 5, 0).await;
    let planner = app
        .signed_in("planner@leuven.example", &["vaccination_coordinator"])
        .await;
    app.signed_in("jan@leuven.example", &["counter"]).await;
    let jan = user_id(&app, "jan@leuven.example").await;
    let page = format!("/staff/shifts/{morning}");
    let r = app
        .submit(
            &planner,
            &page,
            &format!("/staff/shifts/{morning}/assign"),
            &[("person", "jan@leuven.example")],
        )
        .await;
    assert_eq!(r.status(), 303);
    // The assigned person is told.
    let mail = app.last_mail_to("jan@leuven.example").await;
    assert!(mail.subject.contains("ingepland"), "{}", mail.subject);
    // The afternoon breaks the rest rule: the form names it and asks a reason.
    let page = format!("/staff/shifts/{afternoon}");
    let action = format!("/staff/shifts/{afternoon}/assign");
    let r = app
        .submit(
            &planner,
            &page,
            &action,
            &[("person", "jan@leuven.example")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("te weinig rust"));
    assert!(html.contains("name=\"shift_override_reason\""));
    assert!(html.contains("value=\"jan@leuven.example\""), "input kept");
    assert_eq!(filled(&app, &afternoon).await, 0);
    // Too short a reason is refused too.
    let r = app
        .submit(
            &planner,
            &page,
            &action,
            &[
                ("person", "jan@leuven.example"),
                ("shift_override_reason", "nee"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(filled(&app, &afternoon).await, 0);
    let reason = "Tekort aan onthaal door ziekte; Jan stemt in";
    let r = app
        .submit(
            &planner,
            &page,
            &action,
            &[
                ("person", "jan@leuven.example"),
                ("shift_override_reason", reason),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(filled(&app, &afternoon).await, 1);
    let audited = app
        .count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'shifts.assign.override' \
             AND after_summary LIKE '%min_rest%' AND after_summary LIKE '%Tekort aan onthaal door ziekte%'",
        )
        .await;
    assert_eq!(audited, 1);
    let kept = app
        .count("SELECT COUNT(*) FROM shift_signups WHERE override_reason LIKE 'Tekort aan onthaal%' AND overridden_rules = 'min_rest'")
        .await;
    assert_eq!(kept, 1);
    let (_, html) = app.get(&planner, &page).await;
    assert!(html.contains(reason));
    // The page says the rule this assignment breaks for Jan now.
    assert!(html.contains("Breekt nu een regel:"), "{html}");
    assert!(html.contains("te weinig rust"));
    // A volunteer cannot override through the API: the reason is the planner's.
    let vt = token(&app, "vol@leuven.example", &["employee"]).await;
    let (s, _) = api_en(
        &app,
        &vt,
        "POST",
        &format!("/api/v1/shifts/{morning}/assignments"),
        json!({"email": "vol@leuven.example", "override_reason": "because I want to"}),
    )
    .await;
    assert_eq!(s, 403);
    // The planner through the API: 422 naming the rule, then the override.
    let pt = loket::cli::token_create(&app.config, "planner@leuven.example", "t")
        .await
        .unwrap();
    let evening = shift(&app, &host, 3, "19:00", "22:00", 5, 0).await;
    let (s, v) = api_en(
        &app,
        &pt,
        "POST",
        &format!("/api/v1/shifts/{evening}/assignments"),
        json!({"email": "jan@leuven.example"}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let codes: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"shift-rule-min-rest"), "{v}");
    assert!(codes.contains(&"shift-rule-max-work"), "{v}");
    let (s, v) = api_en(
        &app,
        &pt,
        "POST",
        &format!("/api/v1/shifts/{evening}/assignments"),
        json!({"email": "jan@leuven.example", "override_reason": "Evening event, agreed with HR"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["shift"]["filled"], 1);
    let (s, v) = api_en(
        &app,
        &pt,
        "POST",
        &format!("/api/v1/shifts/{evening}/assignments"),
        json!({"email": "nobody@leuven.example"}),
    )
    .await;
    assert_eq!((s, v["errors"][0]["field"].as_str()), (422, Some("email")));
    let _ = jan;
    app.stop().await;
}

#[tokio::test]
async fn release_time_and_qualification() {
    let app = TestApp::spawn().await;
    let ict = qualification(&app, "ict", "ICT-kennis", "ICT skills").await;
    let support = role(
        &app,
        "ict-support",
        "ICT-ondersteuning",
        "ICT support",
        Some(&ict),
    )
    .await;
    let host = role(&app, "host", "Onthaal", "Host", None).await;
    let later = loket_store::now_ms() + 48 * H;
    let closed = shift(&app, &host, 5, "08:00", "13:00", 5, later).await;
    let needs_ict = shift(&app, &support, 6, "08:00", "13:00", 5, 0).await;
    let t = token(&app, "an@leuven.example", &["employee"]).await;
    let (s, v) = api_en(
        &app,
        &t,
        "POST",
        &format!("/api/v1/shifts/{closed}/sign-up"),
        json!({}),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(v["errors"][0]["code"], "shift-not-released");
    let opens = loket_web::i18n::format_ms(later);
    assert!(
        v["errors"][0]["detail"].as_str().unwrap().contains(&opens),
        "{v}"
    );
    let (s, v) = api_en(
        &app,
        &t,
        "POST",
        &format!("/api/v1/shifts/{needs_ict}/sign-up"),
        json!({}),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(v["errors"][0]["code"], "shift-qualification-missing");
    assert!(
        v["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("ICT skills")
    );
    assert_eq!(active_signups(&app).await, 0);
    // The volunteer page says when the closed one opens and hides the ICT one.
    let c = app.signed_in("els@leuven.example", &["employee"]).await;
    let (_, html) = app.get(&c, "/shifts").await;
    assert!(html.contains(&format!("Opent op {opens}")), "{html}");
    assert!(!html.contains("ICT-ondersteuning"));
    // The planner gives the qualification (found by name); now she may.
    let planner = app
        .signed_in("planner@leuven.example", &["vaccination_coordinator"])
        .await;
    let els = user_id(&app, "els@leuven.example").await;
    let (_, html) = app.get(&planner, "/staff/shifts/people?q=els@").await;
    assert!(html.contains("els@leuven.example"));
    let r = app
        .submit(
            &planner,
            "/staff/shifts/people?q=els@",
            "/staff/shifts/people/qualification",
            &[
                ("user_id", &els),
                ("qualification_id", &ict),
                ("grant", "1"),
                ("q", "els@"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'shifts.qualification.grant'")
            .await,
        1
    );
    let (_, html) = app.get(&c, "/shifts").await;
    assert!(html.contains("ICT-ondersteuning"));
    let r = app
        .submit(&c, "/shifts", &format!("/shifts/{needs_ict}/sign-up"), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(filled(&app, &needs_ict).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn planner_creates_shifts_and_reads_coverage() {
    let app = TestApp::spawn().await;
    let planner = app
        .signed_in("planner@leuven.example", &["vaccination_coordinator"])
        .await;
    // A role through the form, with a bad code first (kept input, field named).
    let r = app
        .submit(
            &planner,
            "/staff/shifts/roles",
            "/staff/shifts/roles",
            &[
                ("shift_role_code", "Host!"),
                ("name_nl", "Onthaal"),
                ("name_en", "Host"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#shift_role_code\"") && html.contains("value=\"Onthaal\""));
    let r = app
        .submit(
            &planner,
            "/staff/shifts/roles",
            "/staff/shifts/roles",
            &[
                ("shift_role_code", "host"),
                ("name_nl", "Onthaal"),
                ("name_en", "Host"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let host = store::role(&app.store, "host").await.unwrap().unwrap().id;
    // A pattern for three days, and a bad form that creates nothing.
    let d = day(2).to_string();
    // The release moves along a day per day: the third day opens tomorrow.
    let release_day = day(-1).to_string();
    let r = app
        .submit(
            &planner,
            "/staff/shifts",
            "/staff/shifts",
            &[
                ("shift_role", &host),
                ("day", &d),
                ("start", "08:00"),
                ("end", "13:00"),
                ("shift_headcount", "0"),
                ("shift_release_day", &release_day),
                ("shift_release_time", "00:00"),
                ("shift_repeat", "3"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM shift_shifts").await, 0);
    let r = app
        .submit(
            &planner,
            "/staff/shifts",
            "/staff/shifts",
            &[
                ("shift_role", &host),
                ("day", &d),
                ("start", "08:00"),
                ("end", "13:00"),
                ("shift_headcount", "4"),
                ("shift_release_day", &release_day),
                ("shift_release_time", "00:00"),
                ("shift_repeat", "3"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM shift_shifts").await, 3);
    let shifts = store::list_shifts(&app.store, &d, &day(4).to_string(), "host", false)
        .await
        .unwrap();
    assert_eq!(
        shifts.iter().map(|s| s.day.clone()).collect::<Vec<_>>(),
        vec![d.clone(), day(3).to_string(), day(4).to_string()]
    );
    assert!(shifts.iter().all(|s| s.ends_at - s.starts_at == 5 * H));
    // Fill: 3 people on day 2, 1 on day 3, none on day 4.
    for (i, n) in [(0usize, 3), (1, 1)] {
        for k in 0..n {
            let t = token(&app, &format!("p{i}{k}@leuven.example"), &["employee"]).await;
            let (s, _) = api_en(
                &app,
                &t,
                "POST",
                &format!("/api/v1/shifts/{}/sign-up", shifts[i].id),
                json!({}),
            )
            .await;
            assert_eq!(s, 201);
        }
    }
    let pt = loket::cli::token_create(&app.config, "planner@leuven.example", "t")
        .await
        .unwrap();
    let (s, v) = api_en(
        &app,
        &pt,
        "GET",
        &format!("/api/v1/shift-coverage?from={d}"),
        Value::Null,
    )
    .await;
    assert_eq!(s, 200);
    let got: Vec<(String, i64, i64, i64, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["day"].as_str().unwrap().to_owned(),
                c["needed"].as_i64().unwrap(),
                c["filled"].as_i64().unwrap(),
                c["missing"].as_i64().unwrap(),
                c["level"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (d.clone(), 4, 3, 1, "short".to_owned()),
            (day(3).to_string(), 4, 1, 3, "gap".to_owned()),
            (day(4).to_string(), 4, 0, 4, "gap".to_owned()),
        ]
    );
    let (_, html) = app
        .get(&planner, &format!("/staff/shifts/coverage?from={d}"))
        .await;
    assert!(html.contains("4 van 12 plaatsen"), "{html}");
    assert!(html.contains("cov-short") && html.contains("groot tekort"));
    // The list API filters by day, role and open places.
    let (s, v) = api_en(
        &app,
        &pt,
        "GET",
        &format!("/api/v1/shifts?day={d}&role=host&open_only=true"),
        Value::Null,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["filled"], 3);
    let (s, v) = api_en(
        &app,
        &pt,
        "GET",
        "/api/v1/shifts?day=2026-13-01",
        Value::Null,
    )
    .await;
    assert_eq!((s, v["errors"][0]["field"].as_str()), (400, Some("day")));
    app.stop().await;
}

/// Parses a feed with Python's `icalendar`: every event's UID, status and
/// start/end in UTC.
fn parse_feed(ics: &str) -> Value {
    let script = r#"
import sys, json, datetime, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
tz = [c for c in cal.walk() if c.name == "VTIMEZONE"][0]
out = []
for ev in cal.walk():
    if ev.name != "VEVENT":
        continue
    s = ev.decoded("DTSTART"); e = ev.decoded("DTEND")
    u = datetime.timezone.utc
    out.append({"uid": str(ev.get("UID")), "status": str(ev.get("STATUS")),
        "sequence": int(ev.get("SEQUENCE", 0)),
        "tzid": str(ev["DTSTART"].params.get("TZID")),
        "start": s.astimezone(u).strftime("%Y-%m-%dT%H:%M"),
        "end": e.astimezone(u).strftime("%Y-%m-%dT%H:%M"),
        "summary": str(ev.get("SUMMARY"))})
print(json.dumps({"method": str(cal.get("METHOD")), "tz": str(tz.get("TZID")), "events": out}))
"#;
    python_icalendar(script, ics)
}

fn utc(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

#[tokio::test]
async fn calendar_feed_at_a_secret_url() {
    let app = TestApp::spawn().await;
    let host = role(&app, "host", "Onthaal", "Host", None).await;
    let a = shift(&app, &host, 3, "08:00", "13:00", 5, 0).await;
    let b = shift(&app, &host, 5, "13:00", "18:00", 5, 0).await;
    let c = app.signed_in("els@leuven.example", &["employee"]).await;
    for s in [&a, &b] {
        let r = app
            .submit(&c, "/shifts", &format!("/shifts/{s}/sign-up"), &[])
            .await;
        assert_eq!(r.status(), 303);
    }
    let (_, html) = app.get(&c, "/shifts").await;
    let start = html.find("/shifts/feed/").unwrap();
    let path = html[start..].split('"').next().unwrap().to_owned();
    assert!(path.ends_with(".ics"));
    let r = app.client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = r.text().await.unwrap();
    assert!(ics.contains("\r\n") && !ics.replace("\r\n", "").contains('\n'));
    let v = parse_feed(&ics);
    assert_eq!(v["method"], "PUBLISH");
    assert_eq!(v["tz"], "Europe/Brussels");
    let events = v["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    for (ev, id) in events.iter().zip([&a, &b]) {
        let s = store::get_shift(&app.store, id).await.unwrap().unwrap();
        assert_eq!(ev["start"], utc(s.starts_at));
        assert_eq!(ev["end"], utc(s.ends_at));
        assert_eq!(ev["tzid"], "Europe/Brussels");
        assert_eq!(ev["status"], "CONFIRMED");
        assert!(ev["summary"].as_str().unwrap().contains("Onthaal"));
    }
    // A wrong token, another person's id with this signature, no .ics: 404.
    let els = user_id(&app, "els@leuven.example").await;
    let wrong = path.replace(&els, "0190abcd-0000-7000-8000-000000000001");
    for p in [
        wrong.as_str(),
        "/shifts/feed/nonsense.ics",
        path.trim_end_matches(".ics"),
    ] {
        let r = app.client().get(app.url(p)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{p}");
    }
    let mut tampered = path.clone();
    tampered.replace_range(path.len() - 6..path.len() - 4, "00");
    if tampered != path {
        assert_eq!(
            app.client()
                .get(app.url(&tampered))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
    }
    // Els withdraws from b, and the planner cancels a: both stay in the
    // feed as cancelled events (same UID, a higher sequence), so a
    // subscribed calendar shows them cancelled instead of losing them.
    let before: Vec<(String, i64)> = events
        .iter()
        .map(|e| {
            (
                e["uid"].as_str().unwrap().to_owned(),
                e["sequence"].as_i64().unwrap(),
            )
        })
        .collect();
    let r = app
        .submit(&c, "/shifts", &format!("/shifts/{b}/cancel"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let mut tx = app.store.begin().await.unwrap();
    store::cancel_shift(&mut tx, &Actor::System, &a)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let feed = |p: String| {
        let app = &app;
        async move {
            let ics = app
                .client()
                .get(app.url(&p))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            parse_feed(&ics)["events"].as_array().unwrap().clone()
        }
    };
    let after = feed(path.clone()).await;
    assert_eq!(after.len(), 2, "{after:?}");
    for (ev, (uid, seq)) in after.iter().zip(&before) {
        assert_eq!(ev["status"], "CANCELLED");
        assert_eq!(ev["uid"].as_str().unwrap(), uid);
        assert!(ev["sequence"].as_i64().unwrap() > *seq, "{ev}");
    }
    // Signing up for b again: b is on again (a new event), its withdrawn
    // one is gone, and a stays cancelled.
    let r = app
        .submit(&c, "/shifts", &format!("/shifts/{b}/sign-up"), &[])
        .await;
    assert_eq!(r.status(), 303);
    let again = feed(path.clone()).await;
    let statuses: Vec<&str> = again
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["CANCELLED", "CONFIRMED"], "{again:?}");
    assert_ne!(again[1]["uid"].as_str().unwrap(), before[1].0);

    // Regenerated: the old URL stops working, the new one works.
    let r = app.submit(&c, "/shifts", "/shifts/feed", &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.client()
            .get(app.url(&path))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let (_, html) = app.get(&c, "/shifts").await;
    let start = html.find("/shifts/feed/").unwrap();
    let new_path = html[start..].split('"').next().unwrap().to_owned();
    assert_ne!(new_path, path);
    assert_eq!(
        app.client()
            .get(app.url(&new_path))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.stop().await;
}

#[tokio::test]
async fn reminder_the_day_before_and_change_mails() {
    let app = TestApp::spawn().await;
    let host = role(&app, "host", "Onthaal", "Host", None).await;
    // A shift starting in about 20 hours (reminder due) and one in 3 days.
    let soon_start = loket_store::now_ms() + 20 * H;
    let mut tx = app.store.begin().await.unwrap();
    let soon_day = loket_web::i18n::date_of_ms(soon_start).unwrap().to_string();
    let soon = store::create_shift(
        &mut tx,
        &Actor::System,
        &store::NewShift {
            role_id: &host,
            day: &soon_day,
            starts_at: soon_start,
            ends_at: soon_start + 4 * H,
            headcount: 3,
            release_at: 0,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let later = shift(&app, &host, 3, "08:00", "13:00", 5, 0).await;
    let c = app.signed_in("els@leuven.example", &["employee"]).await;
    for s in [&soon, &later] {
        let r = app
            .submit(&c, "/shifts", &format!("/shifts/{s}/sign-up"), &[])
            .await;
        assert_eq!(r.status(), 303);
    }
    let web = loket_app::App::new(
        app.store.clone(),
        loket::app_config(&app.config, &app.running.as_ref().unwrap().addr).unwrap(),
    );
    // Jan is on the soon shift too, but his account has no usable address
    // any more: his reminder is marked skipped, not sent.
    let jan = app.signed_in("jan@leuven.example", &["employee"]).await;
    let r = app
        .submit(&jan, "/shifts", &format!("/shifts/{soon}/sign-up"), &[])
        .await;
    assert_eq!(r.status(), 303);
    sqlx::query("UPDATE users SET email = 'no address' WHERE email = 'jan@leuven.example'")
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(loket_app::shifts::send_reminders(&web).await.unwrap(), 1);
    let mail = app.last_mail_to("els@leuven.example").await;
    assert!(mail.subject.starts_with("Herinnering"), "{}", mail.subject);
    assert!(mail.body.contains("Onthaal"));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM shift_signups WHERE reminder_skipped_at IS NOT NULL \
             AND reminder_sent_at IS NULL"
        )
        .await,
        1
    );
    // Claimed once; the skipped one is not due again.
    assert_eq!(loket_app::shifts::send_reminders(&web).await.unwrap(), 0);
    // The planner changes the later shift's times: a mail to everyone on it.
    let planner = app
        .signed_in("planner@leuven.example", &["vaccination_coordinator"])
        .await;
    let page = format!("/staff/shifts/{later}");
    let before = app.count("SELECT COUNT(*) FROM outbox").await;
    // A bad change changes nothing and mails nobody.
    let r = app
        .submit(
            &planner,
            &page,
            &format!("/staff/shifts/{later}/change"),
            &[
                ("start", "25:00"),
                ("end", "14:00"),
                ("shift_headcount", "5"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, before);
    let r = app
        .submit(
            &planner,
            &page,
            &format!("/staff/shifts/{later}/change"),
            &[
                ("start", "09:00"),
                ("end", "14:00"),
                ("shift_headcount", "5"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let mail = app.last_mail_to("els@leuven.example").await;
    assert!(mail.subject.starts_with("Gewijzigd"), "{}", mail.subject);
    assert!(
        mail.body.contains("08:00–13:00") && mail.body.contains("09:00–14:00"),
        "{}",
        mail.body
    );
    let s = store::get_shift(&app.store, &later).await.unwrap().unwrap();
    assert_eq!(s.ends_at - s.starts_at, 5 * H);
    assert_eq!(s.sequence, 1);
    // Cancelled: a mail, the place gone from "my shifts".
    let r = app
        .submit(
            &planner,
            &page,
            &format!("/staff/shifts/{later}/cancel"),
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let mail = app.last_mail_to("els@leuven.example").await;
    assert!(mail.subject.starts_with("Geannuleerd"), "{}", mail.subject);
    // Els's and Jan's on the soon shift.
    assert_eq!(active_signups(&app).await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('shifts.shift.change', 'shifts.shift.cancel')").await,
        2
    );
    app.stop().await;
}

/// The demo seeds six roles, 160 volunteers with accounts and two weeks of
/// shifts (two a day, for eight lines), partly filled within every rule,
/// quickly and once.
#[tokio::test]
async fn demo_shifts_seeded_within_the_rules() {
    let app = TestApp::spawn().await;
    let started = std::time::Instant::now();
    loket::demo::seed(&app.store).await.unwrap();
    let whole = started.elapsed();
    loket::demo::seed(&app.store).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM shift_roles").await, 6);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM shift_shifts").await,
        14 * 2 * 6
    );
    let volunteers = app
        .count(
            "SELECT COUNT(*) FROM users u JOIN staff_members m ON LOWER(m.email) = u.email_norm \
             JOIN user_roles r ON r.user_id = u.id AND r.role = 'employee'",
        )
        .await;
    assert!(volunteers >= 160, "{volunteers}");
    let places = app
        .count("SELECT CAST(SUM(headcount) AS BIGINT) FROM shift_shifts")
        .await;
    let filled = app
        .count("SELECT CAST(SUM(filled) AS BIGINT) FROM shift_shifts")
        .await;
    assert_eq!(places, 14 * 2 * 22);
    assert!(
        filled > places / 3 && filled < places,
        "{filled} of {places}"
    );
    assert_eq!(filled, active_signups(&app).await);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM shift_shifts WHERE filled > headcount")
            .await,
        0
    );
    let clashes = app
        .count(
            "SELECT COUNT(*) FROM shift_signups g1 JOIN shift_signups g2 \
             ON g1.user_id = g2.user_id AND g1.id < g2.id \
             JOIN shift_shifts s1 ON s1.id = g1.shift_id JOIN shift_shifts s2 ON s2.id = g2.shift_id \
             WHERE s1.starts_at < s2.ends_at + 39600000 AND s2.starts_at < s1.ends_at + 39600000",
        )
        .await;
    assert_eq!(
        clashes, 0,
        "two shifts of one person less than 11 hours apart"
    );
    let unqualified = app
        .count(
            "SELECT COUNT(*) FROM shift_signups g JOIN shift_shifts s ON s.id = g.shift_id \
             JOIN shift_roles r ON r.id = s.role_id WHERE r.qualification_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM shift_staff_qualifications q WHERE q.user_id = g.user_id \
             AND q.qualification_id = r.qualification_id)",
        )
        .await;
    assert_eq!(unqualified, 0);
    println!(
        "demo seed (whole city, shifts included): {whole:?}; {filled} of {places} shift places filled"
    );
    app.stop().await;
}

/// The planner adds a qualification and sets the working-time rules on the
/// roles page; a bad code, a code in use, rules out of range and other
/// roles change nothing; the new rules then hold for sign-ups.
#[tokio::test]
async fn planner_adds_qualifications_and_sets_the_rules() {
    let app = TestApp::spawn().await;
    let planner = app
        .signed_in("planner@leuven.example", &["vaccination_coordinator"])
        .await;
    let page = "/staff/shifts/roles";
    let add = |code: &'static str| {
        [
            ("shift_qualification_code", code),
            ("shift_q_name_nl", "Verpleegkundige"),
            ("shift_q_name_en", "Nurse"),
        ]
    };
    let quals = "SELECT COUNT(*) FROM shift_qualifications";
    let r = app
        .submit(
            &planner,
            page,
            "/staff/shifts/qualifications",
            &add("Verpleeg Kundige!"),
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#shift_qualification_code\"")
            && html.contains("value=\"Verpleegkundige\""),
        "{html}"
    );
    assert_eq!(app.count(quals).await, 0);
    let volunteer = app.signed_in("vo@leuven.example", &["employee"]).await;
    let r = app
        .submit(
            &volunteer,
            "/shifts",
            "/staff/shifts/qualifications",
            &add("nurse"),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(app.count(quals).await, 0);
    let r = app
        .submit(
            &planner,
            page,
            "/staff/shifts/qualifications",
            &add("nurse"),
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], page);
    let q = store::list_qualifications(&app.store).await.unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(
        (q[0].code.as_str(), q[0].name_en.as_str()),
        ("nurse", "Nurse")
    );
    let (_, html) = app.get(&planner, page).await;
    assert!(html.contains("Verpleegkundige"), "{html}");
    let r = app
        .submit(
            &planner,
            page,
            "/staff/shifts/qualifications",
            &add("nurse"),
        )
        .await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("href=\"#shift_qualification_code\"")
    );
    assert_eq!(app.count(quals).await, 1);

    // The rules: a window shorter than the work allowed is refused.
    let rules = |max: &'static str, window: &'static str, rest: &'static str| {
        [
            ("shift_max_work_hours", max),
            ("shift_window_hours", window),
            ("shift_min_rest_hours", rest),
        ]
    };
    let before = store::settings(&app.store).await.unwrap().rules;
    let r = app
        .submit(
            &planner,
            page,
            "/staff/shifts/rules",
            &rules("12", "8", "11"),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("href=\"#shift_window_hours\"")
    );
    let r = app
        .submit(
            &planner,
            page,
            "/staff/shifts/rules",
            &rules("acht", "24", "11"),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .submit(
            &volunteer,
            "/shifts",
            "/staff/shifts/rules",
            &rules("4", "24", "11"),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(store::settings(&app.store).await.unwrap().rules, before);
    let r = app
        .submit(
            &planner,
            page,
            "/staff/shifts/rules",
            &rules("4", "24", "2,5"),
        )
        .await;
    assert_eq!(r.status(), 303);
    let after = store::settings(&app.store).await.unwrap().rules;
    assert_eq!(
        (
            after.max_work_minutes,
            after.window_minutes,
            after.min_rest_minutes
        ),
        (240, 1440, 150)
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('shifts.qualification.add', 'shifts.rules')")
            .await,
        2
    );
    // Five hours of work is now too much.
    let host = role(&app, "host", "Onthaal", "Host", None).await;
    let long = shift(&app, &host, 3, "08:00", "13:00", 5, 0).await;
    let t = token(&app, "an@leuven.example", &["employee"]).await;
    let (s, v) = api_en(
        &app,
        &t,
        "POST",
        &format!("/api/v1/shifts/{long}/sign-up"),
        json!({}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["errors"][0]["code"], "shift-rule-max-work-alone");
    app.stop().await;
}
