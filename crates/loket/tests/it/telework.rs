//! Staff records and telework through the real HTTP server, on SQLite and
//! (with `LOKET_TEST_POSTGRES_URL`) on PostgreSQL: the staff CSV import and
//! its errors, a full month (registration, approval, close, export) with a
//! rate change and a correction, refused days, and races.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use jiff::civil::Date;
use loket_domain::telework::{self as rules, Month};
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn today() -> Date {
    loket_web::i18n::today_brussels()
}

/// The working days of a month (no weekend, no legal holiday).
fn workdays(m: Month) -> Vec<Date> {
    rules::working_days(m, &rules::holidays(m.year(), &BTreeSet::new()))
}

const STAFF_CSV: &str = "employee_no;name;email;department;manager;regime;telework;end_date\n\
E100;Marleen Boss;boss@leuven.example;Financiën;;100%;ja;\n\
E101;Tine Thuis;tine@leuven.example;Financiën;E100;100;ja;\n\
E102;Ward Deeltijd;ward@leuven.example;Financiën;E100;80%;ja;\n\
E103;Olga Kantoor;olga@leuven.example;Financiën;E100;100;nee;\n";

/// HR imports the staff; accounts with the same e-mails get tokens.
struct Setup {
    app: TestApp,
    hr: reqwest::Client,
    hr_token: String,
    boss: String,
    tine: String,
    ward: String,
}

async fn token(app: &TestApp, email: &str, roles: &[&str]) -> String {
    let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    loket::cli::user_add(
        &app.config,
        email,
        "Someone",
        &roles,
        Some(PASSWORD.to_owned()),
    )
    .await
    .unwrap();
    loket::cli::token_create(&app.config, email, "test")
        .await
        .unwrap()
}

async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let hr = app.signed_in("hr@leuven.example", &["hr"]).await;
    let r = app
        .submit(
            &hr,
            "/staff/people/import",
            "/staff/people/import",
            &[("text", STAFF_CSV)],
        )
        .await;
    let status = r.status();
    let html = r.text().await.unwrap();
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("4 nieuw"), "{html}");
    let hr_token = loket::cli::token_create(&app.config, "hr@leuven.example", "hr")
        .await
        .unwrap();
    let boss = token(&app, "boss@leuven.example", &["employee"]).await;
    let tine = token(&app, "tine@leuven.example", &["employee"]).await;
    let ward = token(&app, "ward@leuven.example", &["employee"]).await;
    Setup {
        app,
        hr,
        hr_token,
        boss,
        tine,
        ward,
    }
}

async fn api(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let c = app.client();
    let mut req = match method {
        "GET" => c.get(app.url(path)),
        "POST" => c.post(app.url(path)),
        "PUT" => c.put(app.url(path)),
        "DELETE" => c.delete(app.url(path)),
        _ => unreachable!(),
    }
    .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn register(app: &TestApp, token: &str, d: Date, kind: &str) -> u16 {
    api(
        app,
        "POST",
        "/api/v1/telework/days",
        token,
        Some(json!({ "date": d.to_string(), "kind": kind, "state": "confirmed" })),
    )
    .await
    .0
}

async fn approve(app: &TestApp, boss: &str, employee_no: &str, m: Month) -> Value {
    let (s, team) = api(
        app,
        "GET",
        &format!("/api/v1/telework/team?month={m}"),
        boss,
        None,
    )
    .await;
    assert_eq!(s, 200, "{team}");
    let member = team
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["employee_no"] == employee_no)
        .unwrap()
        .clone();
    let (s, out) = api(
        app,
        "POST",
        "/api/v1/telework/approvals",
        boss,
        Some(
            json!({ "employee_no": employee_no, "month": m.to_string(), "decision": "approve",
                     "comment": "ok", "version": member["version"] }),
        ),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    out
}

async fn close(app: &TestApp, hr: &str, m: Month) -> (u16, Value) {
    api(
        app,
        "POST",
        &format!("/api/v1/telework/months/{m}/close"),
        hr,
        None,
    )
    .await
}

async fn export(app: &TestApp, hr: &str, m: Month) -> String {
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/telework/payroll/{m}")))
        .bearer_auth(hr)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    r.text().await.unwrap()
}

#[tokio::test]
async fn a_full_month_with_a_rate_change_and_a_correction() {
    let s = setup().await;
    let app = &s.app;
    let m1 = Month::of(today()).prev().prev();
    let m2 = m1.next();
    let d1 = workdays(m1);
    let d2 = workdays(m2);

    // Month 1: Tine 8 full + 2 half days, Ward 3 full days.
    for d in &d1[..8] {
        assert_eq!(register(app, &s.tine, *d, "full").await, 201);
    }
    for d in &d1[8..10] {
        assert_eq!(register(app, &s.tine, *d, "half").await, 201);
    }
    for d in &d1[..3] {
        assert_eq!(register(app, &s.ward, *d, "full").await, 201);
    }
    let out = approve(app, &s.boss, "E101", m1).await;
    assert_eq!(out["status"], "approved");
    assert_eq!(out["allowance_cents"], 2700);
    approve(app, &s.boss, "E102", m1).await;
    // An approved month refuses changes.
    assert_eq!(register(app, &s.tine, d1[12], "full").await, 422);

    let (st, closed) = close(app, &s.hr_token, m1).await;
    assert_eq!(st, 200, "{closed}");
    assert_eq!(closed["lines"], 2);
    assert_eq!(closed["total_cents"], 2700 + 900);
    let csv1 = export(app, &s.hr_token, m1).await;
    let want1 = format!(
        "employee_no;month;kind;for_month;wage_code;days;rate_cents;amount_cents;rule_version\r\n\
         E101;{m1};allowance;{m1};3150;9;300;2700;1\r\n\
         E102;{m1};allowance;{m1};3150;3;300;900;1\r\n"
    );
    assert_eq!(csv1, want1);

    // A closed month is immutable: days and decisions are refused.
    assert_eq!(register(app, &s.tine, d1[15], "full").await, 422);
    let (st, _) = close(app, &s.hr_token, m1).await;
    assert_eq!(st, 409);

    // The rate changes from month 2 on: € 3.50 a full day, € 1.00 a half
    // day, at most 10 days. A rule for the closed month is refused.
    let c = &s.hr;
    let r = app
        .submit(
            c,
            "/staff/telework/settings",
            "/staff/telework/settings/rule",
            &[
                ("effective_from", &m1.first_day().to_string()),
                ("full_day", "3,50"),
                ("half_day", "1"),
                ("max_days", "10"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("afgesloten"));
    let r = app
        .submit(
            c,
            "/staff/telework/settings",
            "/staff/telework/settings/rule",
            &[
                ("effective_from", &m2.first_day().to_string()),
                ("full_day", "3,50"),
                ("half_day", "1"),
                ("max_days", "10"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());

    // HR corrects month 1 for Tine: 10 full + 2 half (was 8 + 2).
    let r = app
        .submit(
            c,
            "/staff/people/E101",
            "/staff/people/E101/correction",
            &[
                ("for_month", &m1.to_string()),
                ("full_days", "10"),
                ("half_days", "2"),
                ("reason", "two days forgotten"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);

    // Month 2: Tine 12 full days (capped at 10), one half day.
    for d in &d2[..12] {
        assert_eq!(register(app, &s.tine, *d, "full").await, 201);
    }
    assert_eq!(register(app, &s.tine, d2[12], "half").await, 201);
    approve(app, &s.boss, "E101", m2).await;
    let (st, closed) = close(app, &s.hr_token, m2).await;
    assert_eq!(st, 200, "{closed}");
    assert_eq!(closed["lines"], 1);
    assert_eq!(closed["corrections"], 1);
    let csv2 = export(app, &s.hr_token, m2).await;
    let want2 = format!(
        "employee_no;month;kind;for_month;wage_code;days;rate_cents;amount_cents;rule_version\r\n\
         E101;{m2};allowance;{m2};3150;10;350;3500;2\r\n\
         E101;{m2};correction;{m1};3151;2;300;600;1\r\n"
    );
    assert_eq!(csv2, want2);
    // Month 1's file is as it was.
    assert_eq!(export(app, &s.hr_token, m1).await, want1);
    // HR's months page and the staff member's page show the lines.
    let (st, html) = app.get(&s.hr, "/staff/telework").await;
    assert_eq!(st, 200);
    assert!(html.contains("€ 41.00"), "{html}");
    let (st, html) = app.get(&s.hr, "/staff/people/E101").await;
    assert_eq!(st, 200);
    assert!(
        html.contains("two days forgotten") || html.contains("correctie"),
        "{html}"
    );

    // The layout is configurable: other columns, headers, separator, codes.
    let r = app
        .submit(
            c,
            "/staff/telework/settings",
            "/staff/telework/settings/export",
            &[
                ("columns", "employee_no = Stamnummer\nwage_code = Looncode\ndays = Aantal\namount = Bedrag\nrule_version = Regel"),
                ("delimiter", ","),
                ("wage_code_allowance", "TW01"),
                ("wage_code_correction", "TW02"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        export(app, &s.hr_token, m2).await,
        "Stamnummer,Looncode,Aantal,Bedrag,Regel\r\nE101,TW01,10,35.00,2\r\nE101,TW02,2,6.00,1\r\n"
    );
    // Only HR closes months and reads payroll files.
    let (st, _) = api(
        app,
        "GET",
        &format!("/api/v1/telework/payroll/{m2}"),
        &s.tine,
        None,
    )
    .await;
    assert_eq!(st, 403);
    let (st, _) = close(app, &s.boss, Month::of(today()).prev()).await;
    assert_eq!(st, 403);
    // The page download is the same file, for HR only.
    let r = c
        .get(app.url(&format!("/staff/telework/export/{m2}.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let tine_page = app
        .signed_in("someone-else@leuven.example", &["employee"])
        .await;
    assert_eq!(
        app.get(&tine_page, &format!("/staff/telework/export/{m2}.csv"))
            .await
            .0,
        403
    );

    // The dashboard shows the share of teleworkers per month and department.
    let (st, html) = app
        .get(c, &format!("/staff/telework/dashboard?month={m1}"))
        .await;
    assert_eq!(st, 200);
    assert!(html.contains("<svg"), "{html}");
    assert!(
        html.contains(&format!("50% van het personeel telewerkte in {m1}")),
        "{html}"
    );
    s.app.stop().await;
}

#[tokio::test]
async fn bad_days_are_refused_and_change_nothing() {
    let s = setup().await;
    let app = &s.app;
    let m = Month::of(today()).prev();
    let weekend = m
        .days()
        .into_iter()
        .find(|d| rules::is_weekend(*d))
        .unwrap();
    let (st, body) = api(
        app,
        "POST",
        "/api/v1/telework/days",
        &s.tine,
        Some(json!({ "date": weekend.to_string(), "kind": "full", "state": "confirmed" })),
    )
    .await;
    assert_eq!(st, 422);
    assert_eq!(body["errors"][0]["code"], "telework-weekend");
    // A legal holiday (1 May, 11 November, …) of this year or last.
    let y = today().year();
    let holiday = [
        Date::new(y, 5, 1).unwrap(),
        Date::new(y, 11, 11).unwrap(),
        Date::new(y - 1, 11, 11).unwrap(),
        Date::new(y - 1, 5, 1).unwrap(),
    ]
    .into_iter()
    .find(|d| *d < today() && !rules::is_weekend(*d))
    .unwrap();
    let (st, body) = api(
        app,
        "POST",
        "/api/v1/telework/days",
        &s.tine,
        Some(json!({ "date": holiday.to_string(), "kind": "full", "state": "confirmed" })),
    )
    .await;
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["errors"][0]["code"], "telework-holiday");
    // A day on leave (HR records it on the staff page).
    let day = workdays(m)[3];
    let r = app
        .submit(
            &s.hr,
            "/staff/people/E101",
            "/staff/people/E101/leave",
            &[("from", &day.to_string()), ("to", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(register(app, &s.tine, day, "full").await, 422);
    // A month after the current one.
    let next = Month::of(today()).next();
    assert_eq!(register(app, &s.tine, workdays(next)[0], "full").await, 422);
    // The calendar form refuses the whole month when one day is wrong.
    let tine = app.client();
    let r = app
        .submit(
            &tine,
            "/login",
            "/login",
            &[("email", "tine@leuven.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 303);
    // Tine manages nobody: no team page; an account without a staff record
    // is told so.
    assert_eq!(app.get(&tine, "/telework/team").await.0, 403);
    let nobody = app.signed_in("nobody@leuven.example", &["employee"]).await;
    let (st, html) = app.get(&nobody, "/telework").await;
    assert_eq!(st, 200);
    assert!(html.contains("personeelsfiche"));
    let good = workdays(m)[0];
    let (_, html) = app.get(&tine, &format!("/telework?month={m}")).await;
    let csrf = csrf_of(&html);
    let r = tine
        .post(app.url("/telework"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("month", &m.to_string()),
            (&format!("d-{good}"), "full"),
            (&format!("d-{day}"), "full"),
            ("action", "save"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("href=\"#d-{day}\"")), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM telework_days").await, 0);
    // A closed month: nothing may be registered.
    let (st, _) = close(app, &s.hr_token, m).await;
    assert_eq!(st, 200);
    assert_eq!(register(app, &s.tine, good, "full").await, 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM telework_days").await, 0);
    // The same form then saves when it is right.
    let m0 = Month::of(today());
    if let Some(d) = workdays(m0).into_iter().find(|d| *d <= today()) {
        let (_, html) = app.get(&tine, "/telework").await;
        let r = tine
            .post(app.url("/telework"))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("month", &m0.to_string()),
                (&format!("d-{d}"), "half"),
                ("action", "save"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(app.count("SELECT COUNT(*) FROM telework_days").await, 1);
    }
    s.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn races_have_exactly_one_winner() {
    let s = setup().await;
    let app = &s.app;
    let m = Month::of(today()).prev();
    let day = workdays(m)[0];
    // The same day registered 20 times at once: one 201, the rest 409.
    // Each racer: a POST with a token and an optional body; its status.
    let post = |path: String, token: &str, body: Option<Value>| {
        let url = app.url(&path);
        let token = token.to_owned();
        let client = reqwest::Client::new();
        async move {
            let mut req = client.post(url).bearer_auth(token);
            if let Some(b) = body {
                req = req.json(&b);
            }
            req.send().await.unwrap().status().as_u16()
        }
    };
    let codes = race(20, |_| {
        post(
            "/api/v1/telework/days".to_owned(),
            &s.tine,
            Some(json!({ "date": day.to_string(), "kind": "full", "state": "confirmed" })),
        )
    })
    .await;
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 409).count(), 19, "{codes:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM telework_days").await, 1);

    // An approval and a rejection of the same version at once: one wins.
    let (_, team) = api(
        app,
        "GET",
        &format!("/api/v1/telework/team?month={m}"),
        &s.boss,
        None,
    )
    .await;
    let version = team
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["employee_no"] == "E101")
        .unwrap()["version"]
        .clone();
    let decisions = ["approve", "reject", "approve", "reject"];
    let codes = race(decisions.len(), |i| {
        post(
            "/api/v1/telework/approvals".to_owned(),
            &s.boss,
            Some(
                json!({ "employee_no": "E101", "month": m.to_string(), "decision": decisions[i],
                        "comment": "race", "version": version }),
            ),
        )
    })
    .await;
    assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 409).count(), 3, "{codes:?}");
    // Make sure it ends approved, then close the month twice at once.
    let (_, mine) = api(
        app,
        "GET",
        &format!("/api/v1/telework/days?month={m}"),
        &s.tine,
        None,
    )
    .await;
    if mine["status"] != "approved" {
        approve(app, &s.boss, "E101", m).await;
    }
    let codes = race(6, |_| {
        post(
            format!("/api/v1/telework/months/{m}/close"),
            &s.hr_token,
            None,
        )
    })
    .await;
    assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 409).count(), 5, "{codes:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM telework_pay_lines").await,
        1
    );
    s.app.stop().await;
}

#[tokio::test]
async fn the_staff_import_refuses_a_bad_file_whole_with_line_and_column() {
    let app = TestApp::spawn().await;
    let hr = app.signed_in("hr@leuven.example", &["hr"]).await;
    // A wrong column.
    let r = app
        .submit(
            &hr,
            "/staff/people/import",
            "/staff/people/import",
            &[("text", "employee_no;name;mail;department;regime;telework\nE1;An;a@leuven.example;ICT;100;ja\n")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<td class=\"num\">1</td><td><code>mail</code></td>"),
        "{html}"
    );
    assert!(
        html.contains("<td class=\"num\">1</td><td><code>email</code></td>"),
        "{html}"
    );
    // A duplicate number, an unknown manager and a bad date, on their lines.
    let bad = "employee_no,name,email,department,manager,regime,telework,end_date\n\
               E1,An,an@leuven.example,ICT,,100,ja,\n\
               E2,Bert,bert@leuven.example,ICT,E1,80,nee,\n\
               E2,Carla,carla@leuven.example,ICT,E9,100,ja,\n\
               E4,Dirk,dirk@leuven.example,ICT,E1,100,ja,2026-13-01\n";
    let r = app
        .submit(
            &hr,
            "/staff/people/import",
            "/staff/people/import",
            &[("text", bad)],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for (line, col) in [(4, "employee_no"), (4, "manager"), (5, "end_date")] {
        assert!(
            html.contains(&format!(
                "<td class=\"num\">{line}</td><td><code>{col}</code></td>"
            )),
            "line {line} column {col}: {html}"
        );
    }
    // All or nothing: the good lines were not written either.
    assert_eq!(app.count("SELECT COUNT(*) FROM staff_members").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'staff.%'")
            .await,
        0
    );
    // The same file, corrected, goes in; a second import updates.
    let good = bad
        .replace("E2,Carla", "E3,Carla")
        .replace(",E9,", ",E1,")
        .replace("2026-13-01", "2026-12-31");
    let r = app
        .submit(
            &hr,
            "/staff/people/import",
            "/staff/people/import",
            &[("text", &good)],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("4 nieuw, 0 bijgewerkt"));
    let r = app
        .submit(
            &hr,
            "/staff/people/import",
            "/staff/people/import",
            &[("text", &good.replace("Dirk,", "Dirk Dewit,"))],
        )
        .await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("0 nieuw, 1 bijgewerkt, 3 ongewijzigd")
    );
    // A manager may be in the database already; an e-mail may not be taken.
    let r = app
        .submit(
            &hr,
            "/staff/people/import",
            "/staff/people/import",
            &[("text", "employee_no;name;email;department;manager;regime;telework\nE9;Eva;an@leuven.example;ICT;E1;100;ja\n")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<td class=\"num\">2</td><td><code>email</code></td>"),
        "{html}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM staff_members").await, 4);
    // Not for other roles.
    let other = app.signed_in("counter@leuven.example", &["counter"]).await;
    assert_eq!(app.get(&other, "/staff/people/import").await.0, 403);
    // The staff list and a staff member's page.
    let (st, html) = app.get(&hr, "/staff/people?q=dirk").await;
    assert_eq!(st, 200);
    assert!(html.contains("Dirk Dewit"));
    let (st, html) = app.get(&hr, "/staff/people/E4").await;
    assert_eq!(st, 200);
    assert!(html.contains("id=\"equipment\""));
    app.stop().await;
}

#[tokio::test]
async fn the_demo_seeds_the_city_staff_quickly() {
    let app = TestApp::spawn().await;
    let started = std::time::Instant::now();
    loket::demo::seed(&app.store).await.unwrap();
    let took = started.elapsed();
    let staff = app.count("SELECT COUNT(*) FROM staff_members").await;
    assert!((1200..=1300).contains(&staff), "{staff}");
    let teleworkers = app
        .count("SELECT COUNT(DISTINCT staff_id) FROM telework_days")
        .await;
    assert!((600..=800).contains(&teleworkers), "{teleworkers}");
    assert!(app.count("SELECT COUNT(*) FROM telework_pay_lines").await > 500);
    eprintln!("demo seed: {took:?} ({staff} staff, {teleworkers} teleworkers)");
    // The demo employee has a manager with an account.
    let s = loket_store::telework::staff_by_email(&app.store, "medewerker@demo.leuven.be")
        .await
        .unwrap()
        .unwrap();
    let m = loket_store::telework::staff_by_no(&app.store, s.manager_no.as_deref().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.email, "teamlead@demo.leuven.be");
    // Seeding again changes nothing.
    loket::demo::seed(&app.store).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM staff_members").await, staff);
    app.stop().await;
}

/// A client signed in with the password `token()` gave the account.
async fn sign_in(app: &TestApp, email: &str) -> reqwest::Client {
    let c = app.client();
    let r = app
        .submit(
            &c,
            "/login",
            "/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 303, "login {email}");
    c
}

/// HR imports leave from a CSV: a bad file is refused whole with line and
/// column, other roles may not, and the days on leave cannot be teleworked.
#[tokio::test]
async fn hr_imports_leave_from_a_csv() {
    let s = setup().await;
    let app = &s.app;
    let days = workdays(Month::of(today()).prev());
    let page = "/staff/people/leave/import";
    let leave = "SELECT COUNT(*) FROM staff_leave";
    let bad = format!(
        "employee_no;from;to\nE101;{};{}\nE999;{};\nE102;2026-02-30;\n",
        days[0], days[1], days[2]
    );
    let r = app.submit(&s.hr, page, page, &[("text", &bad)]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for (line, col) in [(3, "employee_no"), (4, "from")] {
        assert!(
            html.contains(&format!(
                "<td class=\"num\">{line}</td><td><code>{col}</code></td>"
            )),
            "line {line} column {col}: {html}"
        );
    }
    assert_eq!(app.count(leave).await, 0);
    let good = format!(
        "employee_no;from;to\nE101;{};{}\nE102;{};\n",
        days[0], days[1], days[2]
    );
    let tine = sign_in(app, "tine@leuven.example").await;
    let r = app
        .submit(&tine, "/telework", page, &[("text", &good)])
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(app.count(leave).await, 0);
    let r = app.submit(&s.hr, page, page, &[("text", &good)]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let n = app.count(leave).await;
    assert!(n >= 3, "{n}");
    assert!(
        html.contains(&format!("Ingelezen: {n} verlofdagen")),
        "{html}"
    );
    assert_eq!(register(app, &s.tine, days[0], "full").await, 422);
    assert_eq!(register(app, &s.tine, days[1], "full").await, 422);
    assert_eq!(register(app, &s.ward, days[2], "full").await, 422);
    assert_eq!(register(app, &s.tine, days[3], "full").await, 201);
    s.app.stop().await;
}

/// HR sets a tax-free maximum from a date on, and adds and removes an
/// extra holiday, which no one can then telework; bad input and other
/// roles change nothing.
#[tokio::test]
async fn hr_sets_the_tax_free_maximum_and_an_extra_holiday() {
    let s = setup().await;
    let app = &s.app;
    let page = "/staff/telework/settings";
    let tax_free = "/staff/telework/settings/tax-free";
    let maxima = "SELECT COUNT(*) FROM telework_tax_free";
    let before = app.count(maxima).await;
    let r = app
        .submit(
            &s.hr,
            page,
            tax_free,
            &[("tax_free_from", "2026-13-01"), ("tax_free_amount", "veel")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#tax_free_from\"") && html.contains("href=\"#tax_free_amount\""),
        "{html}"
    );
    let from = Month::of(today()).next().first_day().to_string();
    let tine = sign_in(app, "tine@leuven.example").await;
    let r = app
        .submit(
            &tine,
            "/telework",
            tax_free,
            &[("tax_free_from", &from), ("tax_free_amount", "160,50")],
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(app.count(maxima).await, before);
    let r = app
        .submit(
            &s.hr,
            page,
            tax_free,
            &[("tax_free_from", &from), ("tax_free_amount", "160,50")],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let maxima = loket_store::telework::tax_free_maxima(&app.store)
        .await
        .unwrap();
    let last = maxima.last().unwrap();
    assert_eq!(
        (last.effective_from.to_string(), last.cents),
        (from.clone(), 16_050)
    );

    // An extra holiday.
    let holiday = "/staff/telework/settings/holiday";
    let day = workdays(Month::of(today()).prev())[4];
    let r = app
        .submit(&s.hr, page, holiday, &[("day", "morgen"), ("name", "")])
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#day\"") && html.contains("href=\"#name\""),
        "{html}"
    );
    let r = app
        .submit(
            &tine,
            "/telework",
            holiday,
            &[("day", &day.to_string()), ("name", "Stadsfeest")],
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM telework_holidays").await, 0);
    let r = app
        .submit(
            &s.hr,
            page,
            holiday,
            &[("day", &day.to_string()), ("name", "Stadsfeest")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, html) = app.get(&s.hr, page).await;
    assert!(html.contains("Stadsfeest"), "{html}");
    let (st, body) = api(
        app,
        "POST",
        "/api/v1/telework/days",
        &s.tine,
        Some(json!({ "date": day.to_string(), "kind": "full", "state": "confirmed" })),
    )
    .await;
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["errors"][0]["code"], "telework-holiday");
    let r = app
        .submit(
            &s.hr,
            page,
            "/staff/telework/settings/holiday/remove",
            &[("day", &day.to_string())],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM telework_holidays").await, 0);
    assert_eq!(register(app, &s.tine, day, "full").await, 201);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN \
             ('telework.tax_free_save', 'telework.holiday_save', 'telework.holiday_remove')"
        )
        .await,
        3
    );
    s.app.stop().await;
}

async fn month_status(app: &TestApp, token: &str, m: Month) -> Value {
    let (s, v) = api(
        app,
        "GET",
        &format!("/api/v1/telework/days?month={m}"),
        token,
        None,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    v
}

/// A manager approves a team member's month on the team page (the browser
/// journey's form, here over HTTP); a stale version, an unknown decision
/// and someone who is not the manager change nothing.
#[tokio::test]
async fn a_manager_decides_on_the_team_page() {
    let s = setup().await;
    let app = &s.app;
    let m = Month::of(today()).prev();
    let d = workdays(m);
    assert_eq!(register(app, &s.tine, d[0], "full").await, 201);
    assert_eq!(register(app, &s.tine, d[1], "full").await, 201);
    let boss = sign_in(app, "boss@leuven.example").await;
    let page = format!("/telework/team?month={m}");
    let (st, html) = app.get(&boss, &page).await;
    assert_eq!(st, 200);
    assert!(html.contains("action=\"/telework/team/decide\""), "{html}");
    let version = month_status(app, &s.tine, m).await["version"]
        .as_i64()
        .unwrap();
    let month = m.to_string();
    // The form is on the manager's team page; someone who manages nobody
    // posts with their calendar's token.
    let decide = |c: &reqwest::Client, form: &str, version: i64, decision: &'static str| {
        let c = c.clone();
        let form = form.to_owned();
        let month = month.clone();
        async move {
            let v = version.to_string();
            let r = app
                .submit(
                    &c,
                    &form,
                    "/telework/team/decide",
                    &[
                        ("employee_no", "E101"),
                        ("month", &month),
                        ("version", &v),
                        ("decision", decision),
                        ("comment", ""),
                    ],
                )
                .await;
            let s = r.status().as_u16();
            let loc = r
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            (s, loc)
        }
    };
    assert_eq!(decide(&boss, &page, version + 1, "approve").await.0, 422);
    assert_eq!(decide(&boss, &page, version, "maybe").await.0, 422);
    let tine = sign_in(app, "tine@leuven.example").await;
    assert_eq!(decide(&tine, "/telework", version, "approve").await.0, 403);
    assert_eq!(month_status(app, &s.tine, m).await["status"], "open");
    let (st, loc) = decide(&boss, &page, version, "approve").await;
    assert_eq!(st, 303);
    assert_eq!(loc, format!("/telework/team?month={m}&saved=1"));
    let v = month_status(app, &s.tine, m).await;
    assert_eq!(v["status"], "approved", "{v}");
    assert_eq!(v["allowance_cents"], 600);
    // The same version again: refused, still approved.
    assert_eq!(decide(&boss, &page, version, "reject").await.0, 422);
    assert_eq!(month_status(app, &s.tine, m).await["status"], "approved");
    s.app.stop().await;
}

/// HR closes a month on its page (the browser journey's button, here over
/// HTTP): its payroll lines are frozen; a bad month, a month not over, a
/// second close and other roles are refused.
#[tokio::test]
async fn hr_closes_a_month_on_its_page() {
    let s = setup().await;
    let app = &s.app;
    let m = Month::of(today()).prev();
    let d = workdays(m);
    assert_eq!(register(app, &s.tine, d[0], "full").await, 201);
    approve(app, &s.boss, "E101", m).await;
    let page = "/staff/telework";
    let close = "/staff/telework/close";
    let closed = || loket_store::telework::closed_at(&app.store, m);
    let r = app
        .submit(&s.hr, page, close, &[("month", "2026-13")])
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("href=\"#month\""));
    let next = Month::of(today()).next().to_string();
    let r = app.submit(&s.hr, page, close, &[("month", &next)]).await;
    assert_eq!(r.status(), 422);
    let tine = sign_in(app, "tine@leuven.example").await;
    let r = app
        .submit(&tine, "/telework", close, &[("month", &m.to_string())])
        .await;
    assert_eq!(r.status(), 403);
    assert!(closed().await.unwrap().is_none());
    let r = app
        .submit(&s.hr, page, close, &[("month", &m.to_string())])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("/staff/telework?closed={m}")
    );
    assert!(closed().await.unwrap().is_some());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM telework_pay_lines").await,
        1
    );
    let r = app
        .submit(&s.hr, page, close, &[("month", &m.to_string())])
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM telework_pay_lines").await,
        1
    );
    assert_eq!(register(app, &s.tine, d[1], "full").await, 422);
    s.app.stop().await;
}

/// The API changes a registered day (PUT) and clears it (DELETE); bad
/// input, an account without a staff record and an approved month are
/// refused and change nothing.
#[tokio::test]
async fn the_api_changes_and_clears_a_day() {
    let s = setup().await;
    let app = &s.app;
    let m = Month::of(today()).prev();
    let d = workdays(m);
    assert_eq!(register(app, &s.tine, d[0], "full").await, 201);
    let kind_of = |day: Date| {
        let store = app.store.clone();
        async move {
            use loket_store::sqlx::Row;
            loket_store::sqlx::query("SELECT kind FROM telework_days WHERE day = $1")
                .bind(day.to_string())
                .fetch_optional(store.pool())
                .await
                .unwrap()
                .map(|r| r.get::<String, _>(0))
        }
    };
    let path = |day: &dyn std::fmt::Display| format!("/api/v1/telework/days/{day}");
    let change = |kind: &str| Some(json!({ "kind": kind, "state": "confirmed" }));
    let (st, out) = api(app, "PUT", &path(&d[0]), &s.tine, change("half")).await;
    assert_eq!(st, 200, "{out}");
    assert_eq!(out["days"][0]["date"], d[0].to_string());
    assert_eq!(out["days"][0]["kind"], "half");
    assert_eq!(kind_of(d[0]).await.as_deref(), Some("half"));
    let (st, out) = api(app, "PUT", &path(&d[0]), &s.tine, change("quarter")).await;
    assert_eq!(st, 422);
    assert_eq!(out["errors"][0]["field"], "kind", "{out}");
    assert_eq!(kind_of(d[0]).await.as_deref(), Some("half"));
    let weekend = m
        .days()
        .into_iter()
        .find(|d| rules::is_weekend(*d))
        .unwrap();
    let (st, out) = api(app, "PUT", &path(&weekend), &s.tine, change("full")).await;
    assert_eq!(st, 422);
    assert_eq!(out["errors"][0]["code"], "telework-weekend");
    // PUT registers a day not registered yet.
    let (st, out) = api(app, "PUT", &path(&d[1]), &s.tine, change("full")).await;
    assert_eq!(st, 200, "{out}");
    assert_eq!(out["days"].as_array().unwrap().len(), 2);
    let nobody = token(app, "nobody@leuven.example", &["employee"]).await;
    let (st, _) = api(app, "PUT", &path(&d[2]), &nobody, change("full")).await;
    assert_eq!(st, 403);
    let (st, _) = api(app, "DELETE", &path(&d[0]), &nobody, None).await;
    assert_eq!(st, 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM telework_days").await, 2);

    let (st, out) = api(app, "DELETE", &path(&d[0]), &s.tine, None).await;
    assert_eq!(st, 200, "{out}");
    assert_eq!(out["days"].as_array().unwrap().len(), 1);
    assert_eq!(out["days"][0]["date"], d[1].to_string());
    assert_eq!(kind_of(d[0]).await, None);
    let (st, _) = api(app, "DELETE", &path(&"gisteren"), &s.tine, None).await;
    assert_eq!(st, 422);
    // An approved month is no longer changed.
    approve(app, &s.boss, "E101", m).await;
    let (st, _) = api(app, "PUT", &path(&d[1]), &s.tine, change("half")).await;
    assert_eq!(st, 422);
    let (st, _) = api(app, "DELETE", &path(&d[1]), &s.tine, None).await;
    assert_eq!(st, 422);
    assert_eq!(kind_of(d[1]).await.as_deref(), Some("full"));
    s.app.stop().await;
}

/// A staff file saved by Excel on Windows (Windows-1252, `’` and `é`),
/// uploaded as the form's file: the names are stored right.
#[tokio::test]
async fn the_staff_import_reads_a_windows_1252_file() {
    let app = TestApp::spawn().await;
    let hr = app.signed_in("hr@leuven.example", &["hr"]).await;
    let page = "/staff/people/import";
    let (_, html) = app.get(&hr, page).await;
    let csrf = csrf_of(&html);
    let mut file = b"employee_no;name;email;department;manager;regime;telework\n".to_vec();
    file.extend_from_slice(b"E300;Ren\xe9e D\x92Hondt;renee@leuven.example;Financi\xebn;;100;ja\n");
    assert!(std::str::from_utf8(&file).is_err(), "not UTF-8");
    let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
        "file",
        reqwest::multipart::Part::bytes(file)
            .file_name("personeel.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    let r = hr.post(app.url(page)).multipart(form).send().await.unwrap();
    let status = r.status();
    let html = r.text().await.unwrap();
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("1 nieuw"), "{html}");
    let s = loket_store::telework::staff_by_no(&app.store, "E300")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.name, "Renée D’Hondt");
    assert_eq!(s.department, "Financiën");
    app.stop().await;
}

/// The payroll file is written by the one CSV writer: a name or department
/// that a spreadsheet would run as a formula comes out behind a `'`, while
/// amounts and day counts stay numbers.
#[tokio::test]
async fn payroll_file_neutralises_formulas_in_names() {
    let app = TestApp::spawn().await;
    let hr = app.signed_in("hr@leuven.example", &["hr"]).await;
    let staff = "employee_no;name;email;department;manager;regime;telework;end_date\n\
E100;@SUM(A1:A9);boss@leuven.example;+cmd|' /C calc'!A0;;100%;ja;\n\
E101;=HYPERLINK(\"http://evil.example\",\"klik\");tine@leuven.example;-Financiën;E100;100;ja;\n";
    let r = app
        .submit(
            &hr,
            "/staff/people/import",
            "/staff/people/import",
            &[("text", staff)],
        )
        .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("2 nieuw"), "{html}");
    let hr_token = loket::cli::token_create(&app.config, "hr@leuven.example", "hr")
        .await
        .unwrap();
    let boss = token(&app, "boss@leuven.example", &["employee"]).await;
    let tine = token(&app, "tine@leuven.example", &["employee"]).await;
    let m = Month::of(today()).prev();
    for d in &workdays(m)[..3] {
        assert_eq!(register(&app, &tine, *d, "full").await, 201);
    }
    approve(&app, &boss, "E101", m).await;
    let (st, out) = close(&app, &hr_token, m).await;
    assert_eq!(st, 200, "{out}");
    let r = app
        .submit(
            &hr,
            "/staff/telework/settings",
            "/staff/telework/settings/export",
            &[
                ("columns", "employee_no\nname\ndepartment\ndays\namount"),
                ("delimiter", ";"),
                ("wage_code_allowance", "TW01"),
                ("wage_code_correction", "TW02"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let csv = export(&app, &hr_token, m).await;
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[1],
        "E101;\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"klik\"\")\";'-Financiën;3;9.00",
        "{csv}"
    );
    for line in &lines[1..] {
        for cell in line.split(';') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '@', '-']), "{cell} in {csv}");
        }
    }
    app.stop().await;
}
