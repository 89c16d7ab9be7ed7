//! Online services and cases through the real server, on SQLite and
//! PostgreSQL: the catalogue, the form with its rules, drafts, the
//! confirmation step, the receipt, the back office's steps, messages, the
//! privacy of cases, and numbering and transitions under concurrency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;

pub(crate) fn move_fields(
    postal: &str,
    date: &str,
    household: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("new_address_street", "Bondgenotenlaan".into()),
        ("new_address_number", "12".into()),
        ("new_address_box", "".into()),
        ("new_address_postal_code", postal.into()),
        ("new_address_city", "Leuven".into()),
        ("move_date", date.into()),
        ("old_address_street", "Kerkstraat".into()),
        ("old_address_number", "1".into()),
        ("old_address_postal_code", "9000".into()),
        ("old_address_city", "Gent".into()),
        ("household", household.into()),
        ("remarks", "Liefst na 17 uur".into()),
    ]
}

pub(crate) fn today() -> jiff::civil::Date {
    loket_web::i18n::today_brussels()
}

pub(crate) async fn post_form(
    app: &TestApp,
    c: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&str, String)],
) -> reqwest::Response {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.submit(c, page, action, &refs).await
}

/// Submits a valid move declaration for the signed-in resident; returns the case number.
pub(crate) async fn submit_move(app: &TestApp, c: &reqwest::Client) -> String {
    let mut fields = move_fields("3000", &today().to_string(), "");
    fields.push(("action", "review".into()));
    let r = post_form(
        app,
        c,
        "/services/move/apply",
        "/services/move/apply",
        &fields,
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let r = app
        .submit(c, "/services/move/confirm", "/services/move/submit", &[])
        .await;
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    loc.trim_start_matches("/cases/")
        .trim_end_matches("?new=1")
        .to_owned()
}

#[tokio::test]
async fn move_declaration_end_to_end() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let c = app.signed_in("an@example.org", &["resident"]).await;

    // The catalogue and its search.
    let (status, html) = app.get(&c, "/services").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Verhuis doorgeven")
            && html.contains("Bewonersparkeerkaart")
            && html.contains("Premie")
    );
    let (_, html) = app.get(&c, "/services?q=parkeerkaart").await;
    assert!(html.contains("Bewonersparkeerkaart") && !html.contains("Verhuis doorgeven"));

    // Bad input: every rule named on its field, the input kept, nothing stored.
    let far = today()
        .checked_add(jiff::Span::new().days(9))
        .unwrap()
        .to_string();
    let mut fields = move_fields("9000", &far, "85.07.30-033.29");
    fields.push(("action", "review".into()));
    let r = post_form(
        &app,
        &c,
        "/services/move/apply",
        "/services/move/apply",
        &fields,
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for msg in [
        "Nieuw adres in Leuven — Postcode: deze postcode ligt niet in de stad",
        "Datum van de verhuis: deze datum ligt te ver in de toekomst",
        "Gezinsleden die mee verhuizen: dit rijksregisternummer bestaat niet",
    ] {
        assert!(html.contains(msg), "{msg} missing");
    }
    assert!(
        html.contains("value=\"Bondgenotenlaan\"") && html.contains("Liefst na 17 uur"),
        "input kept"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, 0);

    // A draft is kept and comes back.
    let mut fields = move_fields("3000", "", "");
    fields.push(("action", "save".into()));
    let r = post_form(
        &app,
        &c,
        "/services/move/apply",
        "/services/move/apply",
        &fields,
    )
    .await;
    assert_eq!(r.status(), 200);
    let (_, html) = app.get(&c, "/services/move/apply").await;
    assert!(html.contains("value=\"Bondgenotenlaan\"") && html.contains("ontwerp is bewaard"));

    // Check, confirm, submit.
    let number = submit_move(&app, &c).await;
    assert!(loket_domain::cases::is_case_number(&number), "{number}");
    assert!(number.starts_with(&format!("{}-", today().year())));
    let (status, html) = app.get(&c, &format!("/cases/{number}?new=1")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&number)
            && html.contains("Ingediend")
            && html.contains("Bondgenotenlaan 12, 3000 Leuven")
    );
    let mail = app.last_mail_to("an@example.org").await;
    assert!(mail.subject.contains(&number) && mail.body.contains(&format!("/cases/{number}")));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM case_drafts").await,
        0,
        "the draft is gone"
    );
    let (_, html) = app.get(&c, "/cases").await;
    assert!(html.contains(&number));

    // Another resident does not see it; nor does staff without the role.
    let other = app.signed_in("bo@example.org", &["resident"]).await;
    assert_eq!(app.get(&other, &format!("/cases/{number}")).await.0, 404);
    let r = app
        .submit(
            &other,
            "/cases",
            &format!("/cases/{number}/messages"),
            &[("body", "hallo")],
        )
        .await;
    assert_eq!(r.status(), 404);
    let counter = app.signed_in("loket@leuven.example", &["counter"]).await;
    assert_eq!(
        app.get(&counter, &format!("/staff/cases/{number}")).await.0,
        403
    );

    // The handler's queue and case page (access-logged).
    let h = app
        .signed_in(
            "dossier@leuven.example",
            &["case_handler", "all_departments"],
        )
        .await;
    let (status, html) = app.get(&h, "/staff/cases").await;
    assert_eq!(status, 200);
    assert!(html.contains(&number));
    let page = format!("/staff/cases/{number}");
    let (_, html) = app.get(&h, &page).await;
    assert!(html.contains("Naar de wijkinspecteur") && html.contains("an@example.org"));
    // One row for the queue (the resident shown in the list), one for the
    // case page.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM access_log WHERE record_type = 'case'")
            .await,
        2
    );

    // An information request needs a reason; then the resident answers and
    // the case resumes.
    let action = format!("{page}/transition");
    let r = app
        .submit(
            &h,
            &page,
            &action,
            &[("transition", "request_info"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Reden of toelichting: vul dit veld in")
    );
    let r = app
        .submit(
            &h,
            &page,
            &action,
            &[("transition", "request_info"), ("reason", "Wat is uw bus?")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let mail = app.last_mail_to("an@example.org").await;
    assert!(mail.body.contains("Wat is uw bus?") && mail.subject.contains("Informatie gevraagd"));
    let r = app
        .submit(
            &c,
            &format!("/cases/{number}"),
            &format!("/cases/{number}/messages"),
            &[("body", "Bus 3")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let case = loket_store::cases::get_case(&app.store, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.status, "submitted");

    // An internal note never reaches the resident.
    app.submit(
        &h,
        &page,
        &format!("{page}/note"),
        &[("body", "Buren bevestigen")],
    )
    .await;
    let (_, html) = app.get(&c, &format!("/cases/{number}")).await;
    assert!(html.contains("Bus 3") && !html.contains("Buren bevestigen"));

    // Inspector check, approve; then approving again is refused, unchanged.
    for t in ["start_check", "approve"] {
        let r = app
            .submit(&h, &page, &action, &[("transition", t), ("reason", "")])
            .await;
        assert_eq!(r.status(), 303, "{t}");
    }
    let events = app.count("SELECT COUNT(*) FROM case_events").await;
    let r = app
        .submit(
            &h,
            &page,
            &action,
            &[("transition", "approve"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("niet vanuit de huidige status")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM case_events").await, events);
    let case = loket_store::cases::get_case(&app.store, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.status, "approved");
    assert!(case.closed_at.is_some());
    let (_, html) = app.get(&c, &format!("/cases/{number}")).await;
    assert!(html.contains("Goedgekeurd") && html.contains("ingeschreven in het rijksregister"));
    // Every change is in the audit log under the case number.
    let n = app
        .count("SELECT COUNT(*) FROM audit_log WHERE record_type = 'case'")
        .await;
    assert!(n >= 7, "{n}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn numbers_and_transitions_hold_under_concurrency() {
    let app = TestApp::spawn_with(|c| c.db_max_connections = 16).await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let service = loket_store::cases::service_by_slug(&app.store, "move")
        .await
        .unwrap()
        .unwrap();
    loket::cli::user_add(
        &app.config,
        "many@example.org",
        "Many",
        &["resident".into()],
        None,
    )
    .await
    .unwrap();
    let resident = loket_store::people::find_by_email(&app.store, "many@example.org")
        .await
        .unwrap()
        .unwrap();
    let data: std::collections::BTreeMap<String, String> =
        [("move_date".to_owned(), "2026-01-01".to_owned())].into();
    let mut numbers = race(40, |_| {
        let store = app.store.clone();
        let service = service.clone();
        let rid = resident.id.clone();
        let data = data.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let case = loket_store::cases::create_case(
                &mut tx,
                &loket_domain::audit::Actor::System,
                loket_store::cases::NewCase {
                    service: &service,
                    resident_id: &rid,
                    channel: loket_domain::cases::Channel::Web,
                    assisted_by: None,
                    identified_by: "password",
                    data: &data,
                    year: 2026,
                    due_date: "2026-02-01",
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            case.number
        }
    })
    .await;
    numbers.sort();
    let expected: Vec<String> = (1..=40).map(|n| format!("2026-{n:06}")).collect();
    assert_eq!(numbers, expected, "numbers are unique and without gaps");

    // Two handlers approve-race the same case through HTTP: one wins.
    let number = numbers[0].clone();
    let h1 = app
        .signed_in("h1@leuven.example", &["case_handler", "all_departments"])
        .await;
    let h2 = app
        .signed_in("h2@leuven.example", &["case_handler", "all_departments"])
        .await;
    let page = format!("/staff/cases/{number}");
    let r = app
        .submit(
            &h1,
            &page,
            &format!("{page}/transition"),
            &[("transition", "start_check"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, p1) = app.get(&h1, &page).await;
    let (_, p2) = app.get(&h2, &page).await;
    let racers = [
        (h1, csrf_of(&p1), "approve", ""),
        (h2, csrf_of(&p2), "refuse", "geen"),
    ];
    let url = app.url(&format!("{page}/transition"));
    let mut statuses = race(2, |i| {
        let (c, csrf, transition, reason) = racers[i].clone();
        let url = url.clone();
        async move {
            c.post(url)
                .form(&[
                    ("transition", transition),
                    ("reason", reason),
                    ("csrf", &csrf),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    })
    .await;
    statuses.sort();
    assert_eq!(statuses, [303, 422]);
    let case = loket_store::cases::get_case(&app.store, &number)
        .await
        .unwrap()
        .unwrap();
    assert!(case.status == "approved" || case.status == "refused");
    let case_id = case.id.clone();
    let finals = app
        .count("SELECT COUNT(*) FROM case_events WHERE to_status IN ('approved', 'refused')")
        .await;
    assert_eq!(finals, 1, "one final step for {case_id}");
    app.stop().await;
}

#[tokio::test]
async fn editing_a_service_keeps_submitted_cases_as_they_were() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let c = app.signed_in("an@example.org", &["resident"]).await;
    let number = submit_move(&app, &c).await;
    // An admin renames a state in a new version of the definition.
    let mut s = loket_store::cases::service_by_slug(&app.store, "move")
        .await
        .unwrap()
        .unwrap();
    s.def.states[0].label.nl = "Ontvangen (nieuw)".into();
    let mut tx = app.store.begin().await.unwrap();
    let (_, version) =
        loket_store::cases::save_service(&mut tx, &loket_domain::audit::Actor::System, &s.def)
            .await
            .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(version, 2);
    let (_, html) = app.get(&c, &format!("/cases/{number}")).await;
    assert!(html.contains("Ingediend") && !html.contains("Ontvangen (nieuw)"));
    // Saving the same definition again makes no new version.
    let mut tx = app.store.begin().await.unwrap();
    let (_, again) =
        loket_store::cases::save_service(&mut tx, &loket_domain::audit::Actor::System, &s.def)
            .await
            .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(again, 2);
    app.stop().await;
}

#[tokio::test]
async fn the_cases_api_serves_residents_and_assisting_staff() {
    use serde_json::{Value, json};
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let token = |email: &'static str, role: &'static str| {
        let config = app.config.clone();
        async move {
            loket::cli::user_add(&config, email, "Api Person", &staff_roles(role), None)
                .await
                .unwrap();
            loket::cli::token_create(&config, email, "t").await.unwrap()
        }
    };
    let resident = token("an@example.org", "resident").await;
    let other = token("bo@example.org", "resident").await;
    let counter = token("loket@leuven.example", "counter").await;
    let handler = token("dossier@leuven.example", "case_handler").await;
    let c = reqwest::Client::new();
    let today = today().to_string();
    let values = json!({
        "new_address_street": "Naamsestraat", "new_address_number": "5", "new_address_postal_code": "3000",
        "new_address_city": "Leuven", "move_date": today,
        "old_address_street": "Markt", "old_address_number": "1", "old_address_postal_code": "2000", "old_address_city": "Antwerpen"
    });

    // The public catalogue.
    let list: Value = c
        .get(app.url("/api/v1/services"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3);
    let one: Value = c
        .get(app.url("/api/v1/services/move"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["definition"]["initial"], "submitted");

    // Bad values: field errors, nothing stored.
    let mut bad = values.clone();
    bad["move_date"] = json!("2099-01-01");
    bad["new_address_postal_code"] = json!("30000");
    let r = c
        .post(app.url("/api/v1/cases"))
        .bearer_auth(&resident)
        .json(&json!({"service": "move", "values": bad}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["new_address_postal_code", "move_date"]);
    let r = c
        .post(app.url("/api/v1/cases"))
        .bearer_auth(&resident)
        .json(&json!({"service": "nope", "values": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, 0);

    // A resident's own case.
    let r = c
        .post(app.url("/api/v1/cases"))
        .bearer_auth(&resident)
        .json(&json!({"service": "move", "values": values}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let case: Value = r.json().await.unwrap();
    let number = case["number"].as_str().unwrap().to_owned();
    assert_eq!(case["channel"], "web");
    assert_eq!(case["status_label"], "Ingediend");

    // Staff on behalf of a resident, by phone; the channel must be assisted.
    let r = c
        .post(app.url("/api/v1/cases"))
        .bearer_auth(&counter)
        .json(&json!({"service": "move", "values": values, "resident_email": "bo@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = c
        .post(app.url("/api/v1/cases"))
        .bearer_auth(&counter)
        .json(&json!({"service": "move", "values": values, "resident_email": "bo@example.org", "channel": "phone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let assisted: Value = r.json().await.unwrap();
    assert_eq!(assisted["channel"], "phone");
    let assisted_number = assisted["number"].as_str().unwrap().to_owned();
    let stored = loket_store::cases::get_case(&app.store, &assisted_number)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.assisted_by.is_some());
    // It is the same case for the resident, with the same receipt e-mail.
    let mine: Value = c
        .get(app.url("/api/v1/cases"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        (mine["total"].as_i64(), mine["next"].is_null()),
        (Some(1), true)
    );
    assert!(
        app.last_mail_to("bo@example.org")
            .await
            .subject
            .contains(&assisted_number)
    );

    // Privacy: another resident gets 404 on every case route.
    for (method, path) in [
        ("GET", format!("/api/v1/cases/{number}")),
        ("POST", format!("/api/v1/cases/{number}/messages")),
    ] {
        let r = c
            .request(method.parse().unwrap(), app.url(&path))
            .bearer_auth(&other)
            .json(&json!({"body": "hallo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{method} {path}");
    }
    // Residents and counter staff cannot take steps.
    for t in [&resident, &counter] {
        let r = c
            .post(app.url(&format!("/api/v1/cases/{number}/transitions")))
            .bearer_auth(t)
            .json(&json!({"transition": "start_check"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }

    // The handler: queue, steps, an illegal step refused and nothing changed.
    let queue: Value = c
        .get(app.url("/api/v1/cases?service=move"))
        .bearer_auth(&handler)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue["items"].as_array().unwrap().len(), 2);
    assert_eq!(queue["total"], 2);
    let step = |t: &'static str, reason: &'static str| {
        c.post(app.url(&format!("/api/v1/cases/{number}/transitions")))
            .bearer_auth(&handler)
            .json(&json!({"transition": t, "reason": reason}))
            .send()
    };
    let r = step("approve", "").await.unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["code"], "transition-not-allowed");
    let r = step("request_info", "Welk busnummer?").await.unwrap();
    assert_eq!(r.status(), 200);
    // The resident answers through the API; the case resumes.
    let r = c
        .post(app.url(&format!("/api/v1/cases/{number}/messages")))
        .bearer_auth(&resident)
        .json(&json!({"body": "Bus 2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let after: Value = r.json().await.unwrap();
    assert_eq!(after["status"], "submitted");
    // An internal note from the handler is invisible to the resident.
    c.post(app.url(&format!("/api/v1/cases/{number}/messages")))
        .bearer_auth(&handler)
        .json(&json!({"body": "intern", "internal": true}))
        .send()
        .await
        .unwrap();
    let seen: Value = c
        .get(app.url(&format!("/api/v1/cases/{number}")))
        .bearer_auth(&resident)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        seen["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["body"] != "intern")
    );
    assert!(seen["transitions"].as_array().unwrap().is_empty());
    let r = c
        .post(app.url(&format!("/api/v1/cases/{number}/messages")))
        .bearer_auth(&resident)
        .json(&json!({"body": "x", "internal": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Approval issues a decision letter; its code checks out publicly.
    for t in ["start_check", "approve"] {
        assert_eq!(step(t, "").await.unwrap().status(), 200);
    }
    let docs: Value = c
        .get(app.url(&format!("/api/v1/cases/{number}/documents")))
        .bearer_auth(&resident)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["receipt", "decision"]);
    let decision = &docs[1];
    let r = c
        .get(app.url(&format!(
            "/api/v1/cases/{number}/documents/{}",
            decision["id"].as_str().unwrap()
        )))
        .bearer_auth(&resident)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let r = c
        .get(app.url(&format!("/api/v1/cases/{number}/documents")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        404,
        "another resident's documents are not found"
    );
    let code = decision["verify_code"].as_str().unwrap();
    let v: Value = c
        .get(app.url(&format!("/api/v1/verify/{code}")))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["kind"], "Decision letter");
    assert!(!v.to_string().contains("Naamsestraat") && !v.to_string().contains(&number));
    let r = c
        .get(app.url("/api/v1/verify/0000-0000-0000-0000"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn parking_permit_with_an_upload_checked_by_content() {
    use reqwest::multipart::{Form, Part};
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let c = app.signed_in("an@example.org", &["resident"]).await;
    let form = |csrf: &str, file: Option<(&'static str, &'static str, Vec<u8>)>| {
        let mut f = Form::new()
            .text("csrf", csrf.to_owned())
            .text("action", "review")
            .text("address_street", "Tiensestraat")
            .text("address_number", "20")
            .text("address_postal_code", "3000")
            .text("address_city", "Leuven")
            .text("plate", "1abc123");
        if let Some((name, mime, bytes)) = file {
            f = f.part(
                "registration",
                Part::bytes(bytes).file_name(name).mime_str(mime).unwrap(),
            );
        }
        f
    };
    let (_, html) = app.get(&c, "/services/parking-permit/apply").await;
    assert!(html.contains("enctype=\"multipart/form-data\""));
    let csrf = csrf_of(&html);
    let url = app.url("/services/parking-permit/apply");

    // No file: the document is required.
    let r = c
        .post(&url)
        .multipart(form(&csrf, None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Inschrijvingsbewijs van het voertuig: voeg dit document toe")
    );
    // A program that calls itself a PDF: refused by its content.
    let exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    let r = c
        .post(&url)
        .multipart(form(
            &csrf,
            Some(("inschrijving.pdf", "application/pdf", exe)),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("kies een PDF, JPEG of PNG"), "{html}");
    assert!(html.contains("value=\"1abc123\""), "input kept");
    // A PNG that claims to be a PDF.
    let png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];
    let r = c
        .post(&url)
        .multipart(form(&csrf, Some(("scan.pdf", "application/pdf", png))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("past niet bij zijn naam"));
    // Too large.
    let big = [b"%PDF-1.7\n".to_vec(), vec![b'x'; 10 * 1024 * 1024]].concat();
    let r = c
        .post(&url)
        .multipart(form(&csrf, Some(("groot.pdf", "application/pdf", big))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("groter dan 10 MB"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM case_files").await,
        0,
        "no refused file is stored"
    );

    // A real PDF: on to the confirmation, which names the file.
    let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n".to_vec();
    let r = c
        .post(&url)
        .multipart(form(
            &csrf,
            Some(("inschrijving.pdf", "application/pdf", pdf.clone())),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = app.get(&c, "/services/parking-permit/confirm").await;
    assert!(
        html.contains("inschrijving.pdf") && html.contains("1-ABC-123") && html.contains("25,00")
    );
    let r = app
        .submit(
            &c,
            "/services/parking-permit/confirm",
            "/services/parking-permit/submit",
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let number = r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/cases/")
        .trim_end_matches("?new=1")
        .to_owned();
    let file = loket_store::cases::get_case(&app.store, &number)
        .await
        .unwrap()
        .unwrap();
    let files = loket_store::cases::case_files(&app.store, &file.id)
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    let f = &files[0];
    // Stored outside the web root, with its hash.
    assert!(
        f.path
            .starts_with(&app.dir.join("files").to_string_lossy().to_string())
    );
    assert_eq!(f.sha256.len(), 64);

    // The resident downloads it; another resident cannot; a handler can (logged).
    let link = format!("/cases/{number}/files/{}", f.id);
    let r = c.get(app.url(&link)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    let other = app.signed_in("bo@example.org", &["resident"]).await;
    assert_eq!(app.get(&other, &link).await.0, 404);
    let h = app
        .signed_in(
            "dossier@leuven.example",
            &["case_handler", "all_departments"],
        )
        .await;
    let r = h
        .get(app.url(&format!("/staff/cases/{number}/files/{}", f.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM access_log WHERE record_type = 'case_file'")
            .await,
        1
    );

    // The receipt PDF was issued on submit and is listed with the case.
    let docs = loket_store::cases::case_documents(&app.store, &file.id)
        .await
        .unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].kind, "receipt");
    assert!(docs[0].verify_code.is_none());
    let (_, html) = app.get(&c, &format!("/cases/{number}")).await;
    assert!(html.contains(&format!("/cases/{number}/documents/{}", docs[0].id)));
    let r = c
        .get(app.url(&format!("/cases/{number}/documents/{}", docs[0].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let receipt = r.bytes().await.unwrap();
    assert!(receipt.starts_with(b"%PDF-"));
    assert!(
        pdf_text(&receipt).contains(&number),
        "the receipt names the case number"
    );
    assert_eq!(
        app.get(&other, &format!("/cases/{number}/documents/{}", docs[0].id))
            .await
            .0,
        404
    );

    // Approval issues the permit, with a QR code to the public check page.
    let r = app
        .submit(
            &h,
            &format!("/staff/cases/{number}"),
            &format!("/staff/cases/{number}/transition"),
            &[("transition", "approve"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let docs = loket_store::cases::case_documents(&app.store, &file.id)
        .await
        .unwrap();
    assert_eq!(docs.len(), 2);
    let permit = &docs[1];
    assert_eq!(permit.kind, "permit");
    let code = permit.verify_code.clone().unwrap();
    assert_eq!(code.len(), 19);
    let r = c
        .get(app.url(&format!("/cases/{number}/documents/{}", permit.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    let text = pdf_text(&bytes);
    assert!(text.contains("1-ABC-123"), "{text}");
    let qr = qr_codes_in_pdf(&bytes);
    let expected = format!("{}/verify/{code}", app.url("").trim_end_matches('/'));
    assert!(
        qr.iter()
            .any(|q| q == &expected || q.ends_with(&format!("/verify/{code}"))),
        "decoded {qr:?}, expected {expected}"
    );

    // Anyone can check it, without signing in, and sees no personal data.
    let anon = app.client();
    let (status, html) = app.get(&anon, &format!("/verify/{code}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Geldig"), "{html}");
    assert!(!html.contains("1-ABC-123") && !html.contains("Tiensestraat"));
    assert!(!html.contains(&number), "no case number either");
    // Typed in lower case with spaces: the same document.
    let typed = code.to_lowercase().replace('-', " ");
    let (status, html) = app
        .get(&anon, &format!("/verify?code={}", typed.replace(' ', "+")))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Geldig"));
    let (status, html) = app.get(&anon, "/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ").await;
    assert_eq!(status, 404);
    assert!(html.contains("Onbekende code"), "{html}");
    // The handler's read of the permit is logged.
    let r = h
        .get(app.url(&format!("/staff/cases/{number}/documents/{}", permit.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM access_log WHERE record_type = 'case_document'")
            .await,
        1
    );
    app.stop().await;
}

/// Submits a renovation premium through the form (with an invoice upload);
/// returns the response of the review step.
async fn premium_form(
    app: &TestApp,
    c: &reqwest::Client,
    invoices: &str,
    asked: &str,
) -> reqwest::Response {
    use reqwest::multipart::{Form, Part};
    let (_, html) = app.get(c, "/services/renovation-premium/apply").await;
    let form = Form::new()
        .text("csrf", csrf_of(&html))
        .text("action", "review")
        .text("address_street", "Naamsestraat")
        .text("address_number", "5")
        .text("address_postal_code", "3000")
        .text("address_city", "Leuven")
        .text("works", "heat_pump")
        .text("invoice_total", invoices.to_owned())
        .text("amount_requested", asked.to_owned())
        .text("iban", "BE71 0961 2345 6769")
        .part(
            "invoices",
            Part::bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n".to_vec())
                .file_name("factuur.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    c.post(app.url("/services/renovation-premium/apply"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn premium_decision_and_sepa_payment_file() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let c = app.signed_in("an@example.org", &["resident"]).await;

    // The rule: at most 20% of the invoices (and at most 2,500 euro).
    let r = premium_form(&app, &c, "8.450,00", "1.700,00").await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("hoogstens € 1.690,00"), "{html}");
    assert!(html.contains("value=\"8.450,00\""), "input kept");
    assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, 0);

    let r = premium_form(&app, &c, "8.450,00", "1.690,00").await;
    assert_eq!(r.status(), 303);
    let r = app
        .submit(
            &c,
            "/services/renovation-premium/confirm",
            "/services/renovation-premium/submit",
            &[],
        )
        .await;
    assert_eq!(r.status(), 303);
    let number = r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/cases/")
        .trim_end_matches("?new=1")
        .to_owned();

    // The handler reviews and approves: a decision letter is issued.
    let h = app
        .signed_in(
            "dossier@leuven.example",
            &["case_handler", "all_departments"],
        )
        .await;
    for t in ["start_review", "approve"] {
        let r = app
            .submit(
                &h,
                &format!("/staff/cases/{number}"),
                &format!("/staff/cases/{number}/transition"),
                &[("transition", t), ("reason", "")],
            )
            .await;
        assert_eq!(r.status(), 303, "{t}");
    }
    let case = loket_store::cases::get_case(&app.store, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.status, "approved");
    let docs = loket_store::cases::case_documents(&app.store, &case.id)
        .await
        .unwrap();
    assert_eq!(
        docs.iter().map(|d| d.kind.as_str()).collect::<Vec<_>>(),
        ["receipt", "decision"]
    );
    let r = c
        .get(app.url(&format!("/cases/{number}/documents/{}", docs[1].id)))
        .send()
        .await
        .unwrap();
    let text = pdf_text(&r.bytes().await.unwrap());
    assert!(
        text.contains("1.690,00"),
        "the letter names the amount: {text}"
    );

    // Residents and handlers cannot see the payments page; finance can.
    assert_eq!(app.get(&c, "/staff/payments").await.0, 403);
    assert_eq!(app.get(&h, "/staff/payments").await.0, 403);
    let f = app
        .signed_in("financien@leuven.example", &["finance"])
        .await;
    let (status, html) = app.get(&f, "/staff/payments").await;
    assert_eq!(status, 200);
    assert!(html.contains(&number) && html.contains("1.690,00"));
    assert!(
        html.contains("BE71 **** **** 6769"),
        "account masked: {html}"
    );

    // A weekend or past execution date is refused; nothing changes.
    let mut day = today();
    while day.weekday() != jiff::civil::Weekday::Saturday {
        day = day.tomorrow().unwrap();
    }
    for bad in [
        day.to_string(),
        today().yesterday().unwrap().to_string(),
        "morgen".to_owned(),
    ] {
        let r = app
            .submit(
                &f,
                "/staff/payments",
                "/staff/payments/export",
                &[("execution_date", bad.as_str())],
            )
            .await;
        assert_eq!(r.status(), 422, "{bad}");
        let html = r.text().await.unwrap();
        assert!(html.contains("Uitvoeringsdatum"), "{html}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_exports").await, 0);

    // Two officers export at the same moment: one file, the case in it once.
    let monday = day
        .checked_add(jiff::Span::new().days(2))
        .unwrap()
        .to_string();
    let fields = [("execution_date", monday.as_str())];
    let f2 = app
        .signed_in("boekhouding@leuven.example", &["finance"])
        .await;
    let (a, b) = tokio::join!(
        app.submit(&f, "/staff/payments", "/staff/payments/export", &fields),
        app.submit(&f2, "/staff/payments", "/staff/payments/export", &fields),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 422]);
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_exports").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payment_export_items").await,
        1
    );
    let winner = if a.status() == 303 { a } else { b };
    let location = winner.headers()["location"].to_str().unwrap().to_owned();
    let export_id = location.trim_start_matches("/staff/payments?created=");
    let case = loket_store::cases::get_case(&app.store, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.status, "payment_pending");
    let mail = app.last_mail_to("an@example.org").await;
    assert!(mail.body.contains("Betaling onderweg"), "{}", mail.body);

    // The file: valid against the pain.001.001.09 schema, with the case.
    let r = f
        .get(app.url(&format!("/staff/payments/{export_id}.xml")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let xml = r.text().await.unwrap();
    assert!(xml.contains(&format!("<EndToEndId>{number}</EndToEndId>")));
    assert!(xml.contains("<InstdAmt Ccy=\"EUR\">1690.00</InstdAmt>"));
    assert!(xml.contains("<IBAN>BE71096123456769</IBAN>"));
    assert!(xml.contains(&format!("<Dt>{monday}</Dt>")));
    let dir = temp_dir();
    let path = dir.join("pain.xml");
    std::fs::write(&path, &xml).unwrap();
    let xsd =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pain.001.001.09.xsd");
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&path)
        .output()
        .expect("xmllint (libxml2-utils) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM access_log WHERE record_type = 'payment_export'")
            .await,
        1
    );
    // Paid once: nothing is left to pay.
    let r = app
        .submit(
            &f,
            "/staff/payments",
            "/staff/payments/export",
            &[("execution_date", monday.as_str())],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("niets te betalen"));
    app.stop().await;
}

#[tokio::test]
async fn the_counter_serves_a_resident_without_email_ending_in_the_print_batch() {
    use reqwest::multipart::{Form, Part};
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let counter = app.signed_in("loket@leuven.example", &["counter"]).await;
    let (status, html) = app.get(&counter, "/staff/residents?q=Janssens").await;
    assert_eq!(status, 200);
    assert!(html.contains("Geen inwoner gevonden"));

    // Without e-mail the postal address is required; the input is kept.
    let r = app
        .submit(
            &counter,
            "/staff/residents/new",
            "/staff/residents/new",
            &[
                ("name", "Jan Janssens"),
                ("national_number", "85.07.30-033.29"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Straat: vul het postadres in"), "{html}");
    assert!(html.contains("Rijksregisternummer:"), "{html}");
    assert!(html.contains("value=\"Jan Janssens\""));
    let r = app
        .submit(
            &counter,
            "/staff/residents/new",
            "/staff/residents/new",
            &[
                ("name", "Jan Janssens"),
                ("national_number", "85.07.30-033.28"),
                ("street", "Tiensestraat"),
                ("house_number", "20"),
                ("postal_code", "3000"),
                ("city", "Leuven"),
                ("locale", "nl"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let file = r.headers()["location"].to_str().unwrap().to_owned();
    let id = file.trim_start_matches("/staff/residents/").to_owned();
    // Found by national register number, typed without dots.
    let (_, html) = app.get(&counter, "/staff/residents?q=85073003328").await;
    assert!(
        html.contains(&file) && html.contains("85.07.30-033.28"),
        "{html}"
    );
    let (status, html) = app.get(&counter, &file).await;
    assert_eq!(status, 200);
    assert!(html.contains("geen (brieven per post)"));
    assert!(
        app.count("SELECT COUNT(*) FROM access_log WHERE purpose = 'resident.view'")
            .await
            == 1
    );
    // Residents and staff of other services cannot open the counter pages.
    let resident = app.signed_in("an@example.org", &["resident"]).await;
    assert_eq!(app.get(&resident, &file).await.0, 403);

    // The parking permit, submitted together with the resident.
    let (_, html) = app
        .get(&counter, &format!("{file}/apply/parking-permit"))
        .await;
    assert!(html.contains("namens Jan Janssens"));
    let form = Form::new()
        .text("csrf", csrf_of(&html))
        .text("channel", "counter")
        .text("address_street", "Tiensestraat")
        .text("address_number", "20")
        .text("address_postal_code", "3000")
        .text("address_city", "Leuven")
        .text("plate", "2xyz987")
        .part(
            "registration",
            Part::bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n".to_vec())
                .file_name("scan.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let r = counter
        .post(app.url(&format!("{file}/apply/parking-permit")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let number = r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/staff/cases/")
        .to_owned();
    let case = loket_store::cases::get_case(&app.store, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.channel, "counter");
    assert_eq!(case.resident_id, id);
    assert!(case.assisted_by.is_some());
    assert_eq!(case.data["zone"], "A");
    assert_eq!(
        loket_store::cases::case_files(&app.store, &case.id)
            .await
            .unwrap()
            .len(),
        1
    );
    // No e-mail can go out; the receipt waits as a letter.
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM letters WHERE batch_id IS NULL")
            .await,
        1
    );

    // Approval: the permit goes by post too.
    let h = app
        .signed_in(
            "dossier@leuven.example",
            &["case_handler", "all_departments"],
        )
        .await;
    let r = app
        .submit(
            &h,
            &format!("/staff/cases/{number}"),
            &format!("/staff/cases/{number}/transition"),
            &[("transition", "approve"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM letters WHERE batch_id IS NULL")
            .await,
        2
    );

    // The daily print batch: one PDF, every letter with the address, the
    // permit's QR code readable on paper.
    let (status, html) = app.get(&counter, "/staff/letters").await;
    assert_eq!(status, 200);
    assert!(html.contains("Ontvangstbewijs") && html.contains("Vergunning"));
    let r = app
        .submit(&counter, "/staff/letters", "/staff/letters/batch", &[])
        .await;
    assert_eq!(r.status(), 303);
    let batch = r.headers()["location"].to_str().unwrap().to_owned();
    let r = counter.get(app.url(&batch)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    let text = pdf_text(&pdf);
    assert_eq!(text.matches("Jan Janssens").count(), 2, "{text}");
    assert!(text.contains("Tiensestraat 20") && text.contains("3000 Leuven"));
    let permit = loket_store::cases::case_documents(&app.store, &case.id)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.kind == "permit")
        .unwrap();
    let code = permit.verify_code.unwrap();
    let qr = qr_codes_in_pdf(&pdf);
    assert!(
        qr.iter().any(|q| q.ends_with(&format!("/verify/{code}"))),
        "{qr:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM letters WHERE batch_id IS NULL")
            .await,
        0
    );
    let r = app
        .submit(&counter, "/staff/letters", "/staff/letters/batch", &[])
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Er wachten geen brieven"));
    app.stop().await;
}

#[tokio::test]
async fn the_clock_stops_while_the_case_waits_for_the_resident() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let c = app.signed_in("an@example.org", &["resident"]).await;
    let number = submit_move(&app, &c).await;
    let h = app
        .signed_in(
            "dossier@leuven.example",
            &["case_handler", "all_departments"],
        )
        .await;
    let r = app
        .submit(
            &h,
            &format!("/staff/cases/{number}"),
            &format!("/staff/cases/{number}/transition"),
            &[
                ("transition", "request_info"),
                ("reason", "Welk busnummer?"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let before = loket_store::cases::get_case(&app.store, &number)
        .await
        .unwrap()
        .unwrap();
    // The request was sent a week ago (7 days: 5 working days).
    sqlx::query(
        "UPDATE case_events SET at = at - 604800000 WHERE kind = 'transition' AND to_status = 'info_requested'",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    // The resident answers: the case resumes and the due date moves by the
    // working days it waited.
    // A program sent as the requested document is refused; nothing changes.
    let send = |body: &'static str, name: &'static str, bytes: Vec<u8>| {
        let c = c.clone();
        let page = app.url(&format!("/cases/{number}"));
        let action = app.url(&format!("/cases/{number}/messages"));
        async move {
            let html = c.get(&page).send().await.unwrap().text().await.unwrap();
            let form = reqwest::multipart::Form::new()
                .text("csrf", csrf_of(&html))
                .text("body", body)
                .part(
                    "attachment",
                    reqwest::multipart::Part::bytes(bytes)
                        .file_name(name)
                        .mime_str("application/pdf")
                        .unwrap(),
                );
            c.post(&action).multipart(form).send().await.unwrap()
        }
    };
    let r = send("Bus 2", "bewijs.pdf", b"MZ\x90\x00".to_vec()).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Bijlage: kies een PDF, JPEG of PNG")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM case_files").await, 0);
    // The answer with the document: stored with the case, the case resumes.
    let r = send(
        "Bus 2",
        "bewijs.pdf",
        b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n".to_vec(),
    )
    .await;
    assert_eq!(r.status(), 303);
    let files = loket_store::cases::case_files(&app.store, &before.id)
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].filename, "bewijs.pdf");
    let (_, html) = app.get(&h, &format!("/staff/cases/{number}")).await;
    assert!(html.contains(&format!("/staff/cases/{number}/files/{}", files[0].id)));
    let after = loket_store::cases::get_case(&app.store, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.status, "submitted");
    // Seven days back: five working days, fewer when a public holiday fell in them.
    let week_ago = today().checked_sub(jiff::Span::new().days(7)).unwrap();
    let holidays = loket_domain::calendar::holidays_around(week_ago);
    let waited = loket_domain::cases::working_days_between(week_ago, today(), &holidays);
    assert!((3..=5).contains(&waited));
    let expected =
        loket_domain::cases::add_working_days(before.due_date.parse().unwrap(), waited, &holidays);
    assert_eq!(after.due_date, expected.to_string());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'case.due_date'")
            .await,
        1
    );
    // The handler sees the case's audit trail, every change with its author.
    let (_, html) = app.get(&h, &format!("/staff/cases/{number}")).await;
    let trail = &html[html.find("Audittrail").expect("an audit trail")..];
    for action in ["case.submit", "case.transition", "case.due_date"] {
        assert!(trail.contains(action), "{action} in {trail}");
    }
    assert!(trail.contains(&after.due_date));
    app.stop().await;
}

#[tokio::test]
async fn webhooks_deliver_signed_case_events_with_retries() {
    use std::sync::{Arc, Mutex};
    // A receiver that fails the first delivery and accepts the rest.
    type Seen = Arc<Mutex<Vec<(String, String, String)>>>;
    let seen: Seen = Arc::default();
    let receiver = {
        let seen = seen.clone();
        axum::Router::new().route(
            "/events",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let seen = seen.clone();
                async move {
                    let mut s = seen.lock().unwrap();
                    let h = |k: &str| {
                        headers
                            .get(k)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    s.push((h("loket-event"), h("loket-signature"), body));
                    if s.len() == 1 {
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        axum::http::StatusCode::NO_CONTENT
                    }
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let admin = app.signed_in("beheer@leuven.example", &["admin"]).await;
    // A URL with credentials or plain http elsewhere is refused.
    for bad in [
        "http://example.org/x",
        "https://user:pw@example.org/x",
        "ftp://x",
    ] {
        let r = app
            .submit(
                &admin,
                "/admin/webhooks",
                "/admin/webhooks",
                &[("url", bad)],
            )
            .await;
        assert_eq!(r.status(), 422, "{bad}");
    }
    let url = format!("http://127.0.0.1:{port}/events");
    let r = app
        .submit(
            &admin,
            "/admin/webhooks",
            "/admin/webhooks",
            &[("url", url.as_str())],
        )
        .await;
    assert_eq!(r.status(), 201);
    let html = r.text().await.unwrap();
    let secret = loket_store::notify::list_webhooks(&app.store)
        .await
        .unwrap()
        .remove(0)
        .secret;
    assert!(html.contains(&secret), "the secret is shown once");
    assert!(!app.get(&admin, "/admin/webhooks").await.1.contains(&secret));

    // A case is submitted: the event is queued with the case, fails once,
    // and is retried.
    let c = app.signed_in("an@example.org", &["resident"]).await;
    let number = submit_move(&app, &c).await;
    let wait_for = |n: usize| {
        let seen = seen.clone();
        async move {
            for _ in 0..200 {
                if seen.lock().unwrap().len() >= n {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            }
            panic!("no delivery {n}");
        }
    };
    wait_for(1).await;
    // Back-off: the retry is due later; make it due now.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending' AND attempts = 1"
        )
        .await,
        1
    );
    sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE status = 'pending'")
        .execute(app.store.pool())
        .await
        .unwrap();
    wait_for(2).await;
    let (event, sig, body) = seen.lock().unwrap()[1].clone();
    assert_eq!(event, "case.submitted");
    let payload: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(payload["case"], number.as_str());
    assert_eq!(payload["service"], "move");
    assert!(!body.contains("Bondgenotenlaan"), "no personal data");
    // The signature checks out with the secret, over "t.body".
    let t: i64 = sig
        .split(',')
        .next()
        .unwrap()
        .trim_start_matches("t=")
        .parse()
        .unwrap();
    assert_eq!(
        sig,
        loket_web::cases::webhooks::signature(&secret, t, &body)
    );
    assert_ne!(
        sig,
        loket_web::cases::webhooks::signature("other", t, &body)
    );
    // A transition is an event too.
    let h = app
        .signed_in(
            "dossier@leuven.example",
            &["case_handler", "all_departments"],
        )
        .await;
    let r = app
        .submit(
            &h,
            &format!("/staff/cases/{number}"),
            &format!("/staff/cases/{number}/transition"),
            &[("transition", "start_check"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    wait_for(3).await;
    let (event, _, body) = seen.lock().unwrap()[2].clone();
    assert_eq!(event, "case.transition");
    assert!(body.contains("\"from\":\"submitted\""));
    app.stop().await;
}

async fn case_of(app: &TestApp, number: &str) -> loket_store::cases::Case {
    loket_store::cases::get_case(&app.store, number)
        .await
        .unwrap()
        .unwrap()
}

/// A handler writes to the resident from the back office (by e-mail too)
/// and takes and releases the case; an empty message, an unknown choice and
/// other roles change nothing.
#[tokio::test]
async fn handlers_message_the_resident_and_assign_the_case() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let c = app.signed_in("an@example.org", &["resident"]).await;
    let number = submit_move(&app, &c).await;
    let h = app
        .signed_in(
            "dossier@leuven.example",
            &["case_handler", "all_departments"],
        )
        .await;
    let page = format!("/staff/cases/{number}");
    let messages = "SELECT COUNT(*) FROM case_events WHERE kind = 'message_out'";
    let mails = app
        .count("SELECT COUNT(*) FROM outbox WHERE to_addr = 'an@example.org'")
        .await;
    let r = app
        .submit(&h, &page, &format!("{page}/message"), &[("body", "  ")])
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("href=\"#body\""));
    assert_eq!(app.count(messages).await, 0);
    let counter = app.signed_in("loket@leuven.example", &["counter"]).await;
    let r = app
        .submit(
            &counter,
            "/staff",
            &format!("{page}/message"),
            &[("body", "Hallo")],
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(app.count(messages).await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE to_addr = 'an@example.org'")
            .await,
        mails
    );

    let r = app
        .submit(
            &h,
            &page,
            &format!("{page}/message"),
            &[("body", "Stuur ons uw huurcontract")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], page.as_str());
    assert_eq!(app.count(messages).await, 1);
    let mail = app.last_mail_to("an@example.org").await;
    assert!(
        mail.body.contains("Stuur ons uw huurcontract"),
        "{}",
        mail.body
    );
    let (_, html) = app.get(&c, &format!("/cases/{number}")).await;
    assert!(html.contains("Stuur ons uw huurcontract"), "{html}");

    // Take the case, then release it.
    let me = loket_store::people::find_by_email(&app.store, "dossier@leuven.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    let assign = format!("{page}/assign");
    let r = app.submit(&h, &page, &assign, &[("to", "boss")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("href=\"#to\""));
    assert_eq!(case_of(&app, &number).await.assignee_id, None);
    let r = app
        .submit(&counter, "/staff", &assign, &[("to", "me")])
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(case_of(&app, &number).await.assignee_id, None);
    let r = app.submit(&h, &page, &assign, &[("to", "me")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(case_of(&app, &number).await.assignee_id, Some(me));
    let r = app.submit(&h, &page, &assign, &[("to", "nobody")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(case_of(&app, &number).await.assignee_id, None);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'case.assign'")
            .await,
        2
    );
    // An unknown case is not found.
    let r = app
        .submit(
            &h,
            &page,
            "/staff/cases/2000-999999/assign",
            &[("to", "me")],
        )
        .await;
    assert_eq!(r.status(), 404);
    app.stop().await;
}

/// An admin disables a webhook: later case events are no longer queued for
/// it. Disabling twice, an unknown id and other roles are refused.
#[tokio::test]
async fn an_admin_disables_a_webhook() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let admin = app.signed_in("beheer@leuven.example", &["admin"]).await;
    // A loopback receiver that is never there: deliveries just wait.
    let r = app
        .submit(
            &admin,
            "/admin/webhooks",
            "/admin/webhooks",
            &[("url", "http://127.0.0.1:9/events")],
        )
        .await;
    assert_eq!(r.status(), 201);
    let hook = loket_store::notify::list_webhooks(&app.store)
        .await
        .unwrap()
        .remove(0);
    let c = app.signed_in("an@example.org", &["resident"]).await;
    submit_move(&app, &c).await;
    let deliveries = "SELECT COUNT(*) FROM webhook_deliveries";
    assert_eq!(app.count(deliveries).await, 1);
    let disable = format!("/admin/webhooks/{}/disable", hook.id);
    let h = app
        .signed_in(
            "dossier@leuven.example",
            &["case_handler", "all_departments"],
        )
        .await;
    let r = app.submit(&h, "/staff", &disable, &[]).await;
    assert_eq!(r.status(), 403);
    let r = app
        .submit(
            &admin,
            "/admin/webhooks",
            "/admin/webhooks/nope/disable",
            &[],
        )
        .await;
    assert_eq!(r.status(), 404);
    assert!(
        loket_store::notify::list_webhooks(&app.store)
            .await
            .unwrap()[0]
            .disabled_at
            .is_none()
    );
    let r = app.submit(&admin, "/admin/webhooks", &disable, &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/admin/webhooks");
    assert!(
        loket_store::notify::list_webhooks(&app.store)
            .await
            .unwrap()[0]
            .disabled_at
            .is_some()
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.disable'")
            .await,
        1
    );
    let r = app.submit(&admin, "/admin/webhooks", &disable, &[]).await;
    assert_eq!(r.status(), 404, "disabled already");
    // The next case is no event for it.
    let c2 = app.signed_in("bo@example.org", &["resident"]).await;
    submit_move(&app, &c2).await;
    assert_eq!(app.count(deliveries).await, 1);
    app.stop().await;
}

/// Sends a `mib` MiB multipart upload over a raw connection, its first
/// field named `first` with `token`; the answer's status and how many bytes
/// the client had sent when the answer came.
async fn raw_upload(
    addr: &str,
    cookie: &str,
    first: &str,
    token: &str,
    mib: usize,
) -> (u16, usize) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let total: usize = mib * 1024 * 1024;
    let b = "XBOUNDARYX";
    let head = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"{first}\"\r\n\r\n{token}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    );
    let request = format!(
        "POST /services/renovation-premium/apply HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: multipart/form-data; boundary={b}\r\nContent-Length: {total}\r\n\
         {cookie}Connection: close\r\n\r\n{head}"
    );
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let writer = tokio::spawn(async move {
        if wr.write_all(request.as_bytes()).await.is_err() {
            return;
        }
        let chunk = vec![b'A'; 64 * 1024];
        let mut n = head.len();
        while n < total {
            let k = chunk.len().min(total - n);
            if wr.write_all(&chunk[..k]).await.is_err() {
                break;
            }
            n += k;
            counter.store(n, Ordering::SeqCst);
        }
        // Keep the connection open for writing until the answer is read:
        // hyper closes a connection whose client half-closed it.
        std::future::pending::<()>().await;
        drop(wr);
    });
    let mut buf = vec![0u8; 256];
    let k = tokio::time::timeout(std::time::Duration::from_secs(60), rd.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap();
    let at_answer = sent.load(Ordering::SeqCst);
    writer.abort();
    let text = String::from_utf8_lossy(&buf[..k]).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, at_answer)
}

/// An upload is refused before its body is read unless a signed-in person
/// sends it with the right CSRF token as the first field: of a 40 MiB body,
/// the server answers after a fraction (what the sockets' buffers hold),
/// where an accepted one is read up to its limit.
#[tokio::test]
async fn uploads_are_refused_before_their_body_is_read() {
    let app = TestApp::spawn().await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mib = |n: usize| n as f64 / (1024.0 * 1024.0);
    // No session.
    let (s, anon) = raw_upload(&addr, "", "csrf", "x", 40).await;
    assert_eq!(s, 401);
    // A signed-in resident: their session cookie and CSRF token.
    loket::cli::user_add(
        &app.config,
        "upload@example.org",
        "Up Loader",
        &["resident".to_owned()],
        Some(PASSWORD.to_owned()),
    )
    .await
    .unwrap();
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = plain.get(app.url("/login")).send().await.unwrap();
    let csrf_cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = r.text().await.unwrap();
    let r = plain
        .post(app.url("/login"))
        .header("cookie", &csrf_cookie)
        .form(&[
            ("email", "upload@example.org"),
            ("password", PASSWORD),
            ("csrf", &csrf_of(&html)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|v| v.starts_with("loket_session="))
        .unwrap();
    let html = plain
        .get(app.url("/account"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_of(&html);
    let cookie = format!("Cookie: {session}\r\n");
    let (s, wrong) = raw_upload(&addr, &cookie, "csrf", "not-the-token", 40).await;
    assert_eq!(s, 403, "a wrong token");
    let (s, unnamed) = raw_upload(&addr, &cookie, "file0", &token, 40).await;
    assert_eq!(s, 403, "no token first");
    // The right token: the body is read, all of it (20 MiB, under the
    // route's limit), before the handler answers.
    let (s, accepted) = raw_upload(&addr, &cookie, "csrf", &token, 20).await;
    assert!(s >= 200 && s != 401 && s != 403, "{s}");
    assert_eq!(accepted, 20 * 1024 * 1024);
    eprintln!(
        "upload of 40 MiB: answered after {:.1} MiB sent without a session, {:.1} MiB with a wrong token, \
         {:.1} MiB without a token first; all {:.1} MiB of a 20 MiB one when accepted",
        mib(anon),
        mib(wrong),
        mib(unnamed),
        mib(accepted)
    );
    for refused in [anon, wrong, unnamed] {
        assert!(refused < accepted / 2, "{refused} vs {accepted}");
    }
    app.stop().await;
}
