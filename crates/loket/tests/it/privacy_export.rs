//! A person's data exported (issue 16, item 1 and the privacy officer of
//! item 2): "My data" with its JSON and PDF, the officer's look-up and
//! export (access-logged), the API export and its role; another
//! resident's data never appears.

use crate::common::*;
use loket_store::sqlx::{self, Row};
use serde_json::Value;

const AN_NRN: &str = "85073003328";
const BERT_NRN: &str = "90010100123";
/// A valid number nobody has.
const NOBODY_NRN: &str = "77050500542";

async fn exec(app: &TestApp, sql: &'static str, binds: &[&str]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.execute(app.store.pool()).await.unwrap();
}

async fn user_id(app: &TestApp, email: &str) -> String {
    loket_store::people::find_by_email(&app.store, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Shared catalogue rows: a case service, a counter service with a
/// location and a slot, a contact department, a vaccination campaign.
async fn seed_catalogue(app: &TestApp) {
    exec(app, "INSERT INTO services (id, slug, version, definition, department, active, created_at, updated_at) VALUES ('svc', 'verhuis', 1, '{}', 'burgerzaken', 1, 0, 0)", &[]).await;
    exec(app, "INSERT INTO appt_locations (id, slug, name, address, active, created_at, updated_at) VALUES ('loc', 'stadhuis', 'Stadhuis', 'Markt 1', 1, 0, 0)", &[]).await;
    exec(app, "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, active, created_at, updated_at) VALUES ('asvc', 'identiteitskaart', 'Identiteitskaart', 'Identity card', 15, 1, 0, 0)", &[]).await;
    exec(app, "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, active, created_at, updated_at) VALUES ('vsvc', 'griep', 'Griep', 'Flu', 5, 1, 0, 0)", &[]).await;
    exec(app, "INSERT INTO appt_slots (id, service_id, location_id, starts_at, ends_at, capacity, booked) VALUES ('slot', 'asvc', 'loc', 1900000000000, 1900000900000, 4, 2)", &[]).await;
    exec(app, "INSERT INTO appt_slots (id, service_id, location_id, starts_at, ends_at, capacity, booked) VALUES ('vslot', 'vsvc', 'loc', 1900000000000, 1900000300000, 4, 2)", &[]).await;
    exec(app, "INSERT INTO contact_departments (id, slug, name_nl, name_en, sla_days, created_at) VALUES ('dep', 'burgerzaken', 'Burgerzaken', 'Civil affairs', 5, 0)", &[]).await;
    exec(app, "INSERT INTO vac_campaigns (id, slug, name, vaccine, location_id, service_id, lines, per_line, slot_minutes, observation_minutes, admit_per_minute, admit_burst, opens_at, status, created_at, updated_at) VALUES ('camp', 'griep', 'Griep 2026', 'X', 'loc', 'vsvc', 1, 1, 5, 15, 10, 10, 0, 'open', 0, 0)", &[]).await;
}

/// One resident's records in every part, each text marked with `tag`.
async fn seed_person(app: &TestApp, user: &str, tag: &str, nrn: &str, email: &str) {
    let name = format!("{tag} Naam");
    exec(
        app,
        "UPDATE users SET name = $1 WHERE id = $2",
        &[&name, user],
    )
    .await;
    exec(app, "INSERT INTO resident_profiles (user_id, national_number, street, house_number, box, postal_code, city, phone, updated_at) VALUES ($1, $2, $3, '1', '', '3000', 'Leuven', '0470', 0)", &[user, nrn, &format!("{tag}straat")]).await;
    let case = format!("case-{tag}");
    exec(app, "INSERT INTO cases (id, number, service_id, service_version, resident_id, channel, status, data, department, submitted_at, due_date, updated_at) VALUES ($1, $2, 'svc', 1, $3, 'web', 'submitted', $4, 'burgerzaken', 1, '2026-12-31', 1)", &[&case, &format!("2026-{tag}"), user, &format!("{{\"nieuw_adres\":\"{tag}laan 5\"}}")]).await;
    exec(app, "INSERT INTO case_events (id, case_id, at, kind, to_status, body, internal) VALUES ($1, $2, 1, 'message', NULL, $3, 0)", &[&format!("ev-{tag}"), &case, &format!("{tag} bericht aan bewoner")]).await;
    exec(app, "INSERT INTO case_events (id, case_id, at, kind, body, internal) VALUES ($1, $2, 2, 'note', $3, 1)", &[&format!("note-{tag}"), &case, &format!("{tag} INTERNE NOTA")]).await;
    exec(app, "INSERT INTO case_files (id, owner_id, service_id, field_key, case_id, filename, content_type, size, sha256, path, created_at) VALUES ($1, $2, 'svc', 'bijlage', $3, $4, 'application/pdf', 3, 'abc', '/nowhere', 1)", &[&format!("file-{tag}"), user, &case, &format!("{tag}-huurcontract.pdf")]).await;
    exec(app, "INSERT INTO appointments (id, code, slot_id, service_id, location_id, starts_at, ends_at, resident_id, status, channel, remind_at, created_at, updated_at) VALUES ($1, $2, 'slot', 'asvc', 'loc', 1900000000000, 1900000900000, $3, 'booked', 'web', 0, 1, 1)", &[&format!("ap-{tag}"), &format!("AP{tag}"), user]).await;
    let moment = format!("cm-{tag}");
    exec(app, "INSERT INTO contact_moments (id, reference, channel, status, resident_id, contact_name, contact_email, subject, question, created_at, updated_at) VALUES ($1, $2, 'phone', 'forwarded', $3, $4, $5, 'Verhuis', $6, 1, 1)", &[&moment, &format!("CM-{tag}"), user, &name, email, &format!("{tag} vraag")]).await;
    exec(app, "INSERT INTO contact_forwards (id, moment_id, department_id, note, due_on, status, waiting_question, created_at) VALUES ($1, $2, 'dep', $3, '2026-12-10', 'waiting', $4, 1)", &[&format!("fw-{tag}"), &moment, &format!("{tag} FORWARD NOTE"), &format!("{tag} wachtvraag")]).await;
    exec(app, "INSERT INTO contact_messages (id, moment_id, direction, sender, subject, body, created_at) VALUES ($1, $2, 'in', $3, 'Re', $4, 2)", &[&format!("msg-{tag}"), &moment, email, &format!("{tag} antwoord per mail")]).await;
    let inv = format!("inv-{tag}");
    exec(app, "INSERT INTO vac_invitations (id, campaign_id, code, national_number, name, birth_date, street, postal_code, city, email, phone, group_rank, source, delivery, status, created_at, updated_at) VALUES ($1, 'camp', $2, $3, $4, '1985-07-30', 'Kerkstraat 1', '3000', 'Leuven', $5, '0470', 0, 'import', 'email', 'vaccinated', 1, 1)", &[&inv, &format!("VAC{tag}"), nrn, &name, email]).await;
    exec(app, "INSERT INTO vac_bookings (id, invitation_id, campaign_id, slot_id, starts_at, ends_at, status, channel, remind_at, created_at, updated_at) VALUES ($1, $2, 'camp', 'vslot', 1900000000000, 1900000300000, 'checked_in', 'web', 0, 1, 1)", &[&format!("vb-{tag}"), &inv]).await;
    exec(app, "INSERT INTO vac_visits (id, code, campaign_id, invitation_id, booking_id, day, line, queue_no, arrival, stage, checked_in_at, vaccinated_at, lot) VALUES ($1, $2, 'camp', $3, $4, '2030-03-17', 1, (SELECT COUNT(*) + 1 FROM vac_visits), 'booked', 'left', 1900000000000, 1900000100000, $5)", &[&format!("vv-{tag}"), &format!("V{tag}"), &inv, &format!("vb-{tag}"), &format!("LOT{tag}")]).await;
    exec(app, "INSERT INTO vac_reserve (id, campaign_id, national_number, name, birth_date, email, group_rank, status, signed_up_at, updated_at) VALUES ($1, 'camp', $2, $3, '1985-07-30', $4, 0, 'waiting', 1, 1)", &[&format!("r-{tag}"), nrn, &name, email]).await;
}

/// The export without the moment it was made.
fn without_time(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("generated_at");
    v
}

async fn json_of(app: &TestApp, c: &reqwest::Client, path: &str) -> Value {
    let r = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    assert_eq!(r.headers()["content-type"], "application/json");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"),
        "{path} is a download"
    );
    assert_eq!(r.headers()["cache-control"], "no-store, private");
    r.json().await.unwrap()
}

async fn access_rows(app: &TestApp, actor: &str, subject: &str, purpose: &str) -> i64 {
    sqlx::query(
        "SELECT COUNT(*) AS n FROM access_log WHERE actor_id = $1 AND subject_user_id = $2 AND purpose = $3",
    )
    .bind(actor.to_owned())
    .bind(subject.to_owned())
    .bind(purpose.to_owned())
    .fetch_one(app.store.pool())
    .await
    .unwrap()
    .get::<i64, _>("n")
}

#[tokio::test]
async fn my_data_holds_every_part_of_mine_and_nothing_of_anyone_else() {
    let app = TestApp::spawn().await;
    seed_catalogue(&app).await;
    let an_c = app.signed_in("an@example.be", &["resident"]).await;
    let bert_c = app.signed_in("bert@example.be", &["resident"]).await;
    let an = user_id(&app, "an@example.be").await;
    let bert = user_id(&app, "bert@example.be").await;
    seed_person(&app, &an, "An", AN_NRN, "an@example.be").await;
    seed_person(&app, &bert, "Bert", BERT_NRN, "bert@example.be").await;
    // An unlinked question from An's confirmed address is An's.
    exec(&app, "INSERT INTO contact_moments (id, reference, channel, status, resident_id, contact_name, contact_email, subject, question, created_at, updated_at) VALUES ('cm-mail', 'CM-MAIL', 'email', 'open', NULL, 'An', 'An@Example.be', 'Afval', 'An ongekoppelde vraag', 3, 3)", &[]).await;
    // A case handler read An's case.
    let handler_c = app
        .signed_in("handler@leuven.example", &["case_handler"])
        .await;
    let handler = user_id(&app, "handler@leuven.example").await;
    exec(
        &app,
        "UPDATE users SET name = 'Hanne Handler' WHERE id = $1",
        &[&handler],
    )
    .await;
    loket_store::audit::record_access(&app.store, &handler, &an, "case", "case-An", "case.view")
        .await
        .unwrap();

    // The page: what is held, the number masked.
    let (status, html) = app.get(&an_c, "/account/data").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("An Naam"));
    assert!(html.contains("••.••.••-•••.28"), "masked number: {html}");
    assert!(!html.contains(AN_NRN) && !html.contains("85.07.30-033.28"));
    assert!(html.contains("href=\"/account/data.json\""));
    assert!(html.contains("href=\"/account/data.pdf\""));
    assert!(!html.contains("Bert"));

    // The JSON: every part, the number in full.
    let mine = json_of(&app, &an_c, "/account/data.json").await;
    assert_eq!(mine["format_version"], 1);
    let acc = &mine["account"];
    assert_eq!(acc["id"], an.as_str());
    assert_eq!(acc["name"], "An Naam");
    assert_eq!(acc["email"], "an@example.be");
    assert_eq!(acc["national_number"], AN_NRN);
    assert_eq!(acc["address"]["street"], "Anstraat");
    assert_eq!(acc["roles"], serde_json::json!(["resident"]));
    assert_eq!(acc["sign_in_methods"], serde_json::json!(["password"]));
    let cases = mine["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["number"], "2026-An");
    assert_eq!(cases[0]["service"], "verhuis");
    assert_eq!(cases[0]["values"]["nieuw_adres"], "Anlaan 5");
    let history = cases[0]["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "internal notes are left out: {history:?}");
    assert_eq!(history[0]["body"], "An bericht aan bewoner");
    assert_eq!(cases[0]["files"][0]["filename"], "An-huurcontract.pdf");
    assert_eq!(
        cases[0]["files"][0]["download"],
        "/cases/2026-An/files/file-An"
    );
    assert_eq!(mine["appointments"].as_array().unwrap().len(), 1);
    assert_eq!(mine["appointments"][0]["code"], "APAn");
    assert_eq!(mine["appointments"][0]["location"], "Stadhuis");
    let moments = mine["contact_moments"].as_array().unwrap();
    assert_eq!(
        moments
            .iter()
            .map(|m| m["reference"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["CM-An", "CM-MAIL"]
    );
    assert_eq!(moments[0]["forwards"][0]["department"], "burgerzaken");
    assert_eq!(
        moments[0]["forwards"][0]["question_to_resident"],
        "An wachtvraag"
    );
    assert_eq!(moments[0]["messages"][0]["body"], "An antwoord per mail");
    let inv = &mine["vaccination_invitations"];
    assert_eq!(inv.as_array().unwrap().len(), 1);
    assert_eq!(inv[0]["code"], "VACAn");
    assert_eq!(inv[0]["bookings"][0]["status"], "checked_in");
    assert_eq!(inv[0]["visits"][0]["lot"], "LOTAn");
    assert_eq!(mine["vaccination_reserve"][0]["name"], "An Naam");
    let access = mine["access_log"].as_array().unwrap();
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["staff"], "Hanne Handler");
    assert_eq!(access[0]["purpose"], "case.view");
    // Nothing of Bert's, and no internal note.
    let text = mine.to_string();
    for other in [
        "Bert",
        "bert@example.be",
        BERT_NRN,
        "INTERNE NOTA",
        "FORWARD NOTE",
        &bert,
    ] {
        assert!(!text.contains(other), "{other} in An's export: {text}");
    }

    // The PDF: a PDF with An's name and case, none of Bert's.
    let r = an_c.get(app.url("/account/data.pdf")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let in_pdf = pdf_text(&pdf);
    for want in [
        "An Naam",
        "2026-An",
        "APAn",
        "VACAn",
        "Hanne Handler",
        AN_NRN,
    ] {
        assert!(in_pdf.contains(want), "{want} in the PDF:\n{in_pdf}");
    }
    assert!(!in_pdf.contains("Bert") && !in_pdf.contains("INTERNE NOTA"));

    // Bert's own export is Bert's.
    let his = json_of(&app, &bert_c, "/account/data.json").await;
    assert_eq!(his["account"]["national_number"], BERT_NRN);
    assert!(!his.to_string().contains("An Naam"));

    // Signed out: no data.
    let r = app
        .client()
        .get(app.url("/account/data.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // The officer finds An by e-mail: a summary and an access-log row.
    let dpo_c = app
        .signed_in("dpo@leuven.example", &["privacy_officer"])
        .await;
    let dpo = user_id(&app, "dpo@leuven.example").await;
    let r = app
        .submit(
            &dpo_c,
            "/privacy-officer",
            "/privacy-officer",
            &[("email", "AN@example.be"), ("national_number", "")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("An Naam"), "{html}");
    assert!(html.contains(&format!("/privacy-officer/people/{an}/export.json")));
    assert_eq!(access_rows(&app, &dpo, &an, "privacy-lookup").await, 1);
    // By national register number, written the usual way.
    let r = app
        .submit(
            &dpo_c,
            "/privacy-officer",
            "/privacy-officer",
            &[("email", ""), ("national_number", "90.01.01-001.23")],
        )
        .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("Bert Naam"), "{html}");
    assert_eq!(access_rows(&app, &dpo, &bert, "privacy-lookup").await, 1);
    // A miss says so and logs nothing.
    let before = app.count("SELECT COUNT(*) FROM access_log").await;
    let r = app
        .submit(
            &dpo_c,
            "/privacy-officer",
            "/privacy-officer",
            &[("email", ""), ("national_number", NOBODY_NRN)],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"not-found\""), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM access_log").await, before);

    // The officer's export equals An's own, and is access-logged.
    let officers = json_of(
        &app,
        &dpo_c,
        &format!("/privacy-officer/people/{an}/export.json"),
    )
    .await;
    assert_eq!(access_rows(&app, &dpo, &an, "privacy-export").await, 1);
    let own = json_of(&app, &an_c, "/account/data.json").await;
    assert_eq!(without_time(officers.clone()), without_time(own.clone()));
    assert!(
        own["access_log"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["purpose"] == "privacy-export" && a["staff"] == "Test Person"),
        "An sees the officer's export: {own}"
    );
    let r = dpo_c
        .get(app.url(&format!("/privacy-officer/people/{an}/export.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(pdf_text(&r.bytes().await.unwrap()).contains("An Naam"));
    assert_eq!(access_rows(&app, &dpo, &an, "privacy-export").await, 2);

    // Other staff cannot use the officer's pages.
    for path in [
        "/privacy-officer".to_owned(),
        format!("/privacy-officer/people/{an}/export.json"),
    ] {
        let (status, _) = app.get(&handler_c, &path).await;
        assert_eq!(status, 403, "case handler GET {path}");
    }
    assert_eq!(access_rows(&app, &handler, &an, "privacy-export").await, 0);

    // The API: the same document, for the privacy officer only.
    let dpo_token = loket::cli::token_create(&app.config, "dpo@leuven.example", "export")
        .await
        .unwrap();
    let handler_token = loket::cli::token_create(&app.config, "handler@leuven.example", "x")
        .await
        .unwrap();
    let (status, api_doc) = api(
        &app,
        &dpo_token,
        "GET",
        &format!("/api/v1/people/{an}/export"),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{api_doc}");
    assert_eq!(access_rows(&app, &dpo, &an, "privacy-export").await, 3);
    let own = json_of(&app, &an_c, "/account/data.json").await;
    assert_eq!(without_time(api_doc), without_time(own));
    let (status, problem) = api(
        &app,
        &handler_token,
        "GET",
        &format!("/api/v1/people/{an}/export"),
        Value::Null,
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(access_rows(&app, &handler, &an, "privacy-export").await, 0);
    let (status, _) = api(
        &app,
        &dpo_token,
        "GET",
        "/api/v1/people/no-such-person/export",
        Value::Null,
    )
    .await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn the_officers_lookup_is_validated_in_both_languages_with_input_kept() {
    let app = TestApp::spawn().await;
    let c = app
        .signed_in("dpo@leuven.example", &["privacy_officer"])
        .await;
    let before = app.count("SELECT COUNT(*) FROM access_log").await;
    let cases: [(&str, &str, &str, &str); 4] = [
        ("nl", "niet-een-adres", "", "vul een geldig e-mailadres in"),
        ("nl", "", "85073003329", "het controlegetal klopt niet"),
        ("en", "", "1234", "a national register number has 11 digits"),
        (
            "en",
            "",
            "",
            "fill in an e-mail address or a national register number",
        ),
    ];
    for (lang, email, nrn, message) in cases {
        let (status, _) = app.get(&c, &format!("/lang/{lang}?next=/staff")).await;
        assert_eq!(status, 303);
        let r = app
            .submit(
                &c,
                "/privacy-officer",
                "/privacy-officer",
                &[("email", email), ("national_number", nrn)],
            )
            .await;
        assert_eq!(r.status(), 422, "{lang} {email} {nrn}");
        let html = r.text().await.unwrap();
        assert!(html.contains(message), "{lang}: {message} in {html}");
        let field = if email.is_empty() && !nrn.is_empty() {
            "national_number"
        } else {
            "email"
        };
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "the error names {field}: {html}"
        );
        let kept = if email.is_empty() { nrn } else { email };
        if !kept.is_empty() {
            assert!(html.contains(&format!("value=\"{kept}\"")), "input kept");
        }
    }
    // Both fields: refused, naming the national number field.
    let r = app
        .submit(
            &c,
            "/privacy-officer",
            "/privacy-officer",
            &[("email", "an@example.be"), ("national_number", AN_NRN)],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("id=\"national_number-error\"")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM access_log").await,
        before,
        "a refused look-up reads nobody"
    );
    app.stop().await;
}
