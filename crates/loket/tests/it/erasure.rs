//! Erasure and restriction carried out (issue 16, item 2) and closed cases
//! kept per service (item 3): after an erasure the person's name and
//! e-mail address are in no text column of the database (every table and
//! column enumerated from the schema), the kept case is restricted (404 for
//! a handler of every department, on the page and in the API, shown to the
//! privacy officer), the account cannot sign in, the outcome mail loses its
//! body and recipient once sent; a restriction hides the cases until it is
//! lifted; a closed case older than its service's period is anonymised by
//! the retention run, a younger one kept, and the dry run changes nothing.
//! Every step is audited; refused requests change nothing.

use crate::common::*;
use loket_domain::audit::Actor;
use loket_store::sqlx::{self, Row};
use serde_json::Value;

const NAME: &str = "Ellen Erasmus";
const EMAIL: &str = "ellen.erasmus@example.be";
const NRN: &str = "85073003328";
const DAY: i64 = 86_400_000;

async fn exec(app: &TestApp, sql: &'static str, binds: &[&str]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.execute(app.store.pool()).await.unwrap();
}

async fn text(app: &TestApp, sql: &'static str, id: &str) -> String {
    sqlx::query(sql)
        .bind(id.to_owned())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get::<String, _>(0)
}

async fn user_id(app: &TestApp, email: &str) -> String {
    loket_store::people::find_by_email(&app.store, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Every (table, column) holding text, read from the schema itself.
async fn text_columns(app: &TestApp) -> Vec<(String, String)> {
    let sql = if backend() == "postgres" {
        "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c \
         FROM information_schema.columns WHERE table_schema = current_schema() \
         AND data_type IN ('text', 'character varying', 'character') ORDER BY 1, 2"
    } else {
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND (UPPER(p.type) LIKE '%TEXT%' OR UPPER(p.type) LIKE '%CHAR%') \
         ORDER BY 1, 2"
    };
    sqlx::query(sql)
        .fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>("t"), r.get::<String, _>("c")))
        .collect()
}

/// Where `needle` occurs (case-insensitive) in any text column: "table.column (n)".
async fn occurrences(app: &TestApp, needle: &str) -> Vec<String> {
    let cols = text_columns(app).await;
    assert!(
        cols.len() > 100,
        "the schema has its text columns: {cols:?}"
    );
    let mut hits = Vec::new();
    for (t, c) in cols {
        let n: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM \"{t}\" WHERE LOWER(CAST(\"{c}\" AS TEXT)) LIKE $1"
        )))
        .bind(format!("%{}%", needle.to_lowercase()))
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("n");
        if n > 0 {
            hits.push(format!("{t}.{c} ({n})"));
        }
    }
    hits
}

/// An uploaded file of case `number` (a row and a file on disk); its path.
async fn file_of(app: &TestApp, number: &str, owner: &str, name: &str) -> std::path::PathBuf {
    let dir = app.dir.join("files").join("uploads");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{number}-{name}"));
    std::fs::write(&path, format!("{NAME} {EMAIL}")).unwrap();
    exec(app, "INSERT INTO case_files (id, owner_id, service_id, field_key, case_id, filename, content_type, size, sha256, path, created_at) \
         SELECT $1, $2, service_id, 'bijlage', id, $3, 'application/pdf', 3, 'abc', $4, 1 FROM cases WHERE number = $5",
        &[&format!("file-{number}-{name}"), owner, name, &path.to_string_lossy(), number]).await;
    path
}

/// A document the city issued for case `number`; its path.
async fn document_of(app: &TestApp, number: &str) -> std::path::PathBuf {
    let dir = app.dir.join("files").join("documents");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{number}-decision.pdf"));
    std::fs::write(&path, "%PDF").unwrap();
    exec(app, "INSERT INTO case_documents (id, case_id, kind, lang, filename, size, sha256, path, created_at) \
         SELECT $1, id, 'decision', 'nl', 'beslissing.pdf', 4, 'abc', $2, 1 FROM cases WHERE number = $3",
        &[&format!("doc-{number}"), &path.to_string_lossy(), number]).await;
    path
}

/// Records a request through the officer's form; its id.
async fn record(app: &TestApp, c: &reqwest::Client, person: &str, kind: &str) -> String {
    let page = format!("/privacy-officer/people/{person}/requests");
    let today = loket_domain::calendar::today_brussels().to_string();
    let r = app
        .submit(
            c,
            &page,
            &page,
            &[
                ("kind", kind),
                ("legal_basis", "Art. 17(1)(a)"),
                ("note", "Per brief ontvangen"),
                ("received", &today),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    location(&r)
        .strip_prefix("/privacy-officer/requests/")
        .unwrap()
        .to_owned()
}

async fn actions(app: &TestApp, request: &str) -> Vec<String> {
    sqlx::query("SELECT action FROM audit_log WHERE record_id = $1 ORDER BY at, id")
        .bind(request.to_owned())
        .fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("action"))
        .collect()
}

/// The person's account row, to compare before and after refused posts.
async fn account_row(app: &TestApp, id: &str) -> String {
    let r = sqlx::query(
        "SELECT name, email, COALESCE(disabled_reason, '') AS d, \
         (SELECT COUNT(*) FROM cases WHERE resident_id = $1 AND restricted_at IS NOT NULL) AS r \
         FROM users WHERE id = $1",
    )
    .bind(id.to_owned())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    format!(
        "{}|{}|{}|{}",
        r.get::<String, _>("name"),
        r.get::<String, _>("email"),
        r.get::<String, _>("d"),
        r.get::<i64, _>("r")
    )
}

#[tokio::test]
async fn erasure_leaves_no_name_or_address_and_keeps_the_granted_case_restricted() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    // The resident, signed in with a password (a session to end).
    loket::cli::user_add(
        &app.config,
        EMAIL,
        NAME,
        &["resident".to_owned()],
        Some(PASSWORD.to_owned()),
    )
    .await
    .unwrap();
    let ellen_c = app.client();
    let r = app
        .submit(
            &ellen_c,
            "/login",
            "/login",
            &[("email", EMAIL), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 303);
    let ellen = user_id(&app, EMAIL).await;
    exec(&app, "INSERT INTO resident_profiles (user_id, national_number, street, house_number, box, postal_code, city, phone, updated_at) VALUES ($1, $2, 'Erasmuslaan', '7', '', '3000', 'Leuven', '0470123456', 0)", &[&ellen, NRN]).await;

    // A granted premium (kept: its decision and amounts) with a document,
    // and an open parking permit with an upload and a document.
    let premium = crate::need::case_with(
        &app,
        "renovation-premium",
        &ellen,
        &[
            ("address", &format!("Erasmuslaan 7, 3000 Leuven ({NAME})")),
            ("works", "roof"),
            ("invoice_total", "750000"),
            ("amount_requested", "150000"),
            ("iban", "BE68539007547034"),
        ],
    )
    .await;
    exec(
        &app,
        "UPDATE cases SET status = 'approved' WHERE number = $1",
        &[&premium],
    )
    .await;
    let premium_doc = document_of(&app, &premium).await;
    exec(&app, "INSERT INTO case_events (id, case_id, at, kind, body, internal) SELECT 'ev-msg', id, 5, 'message_out', $1, 0 FROM cases WHERE number = $2", &[&format!("Beste {NAME}, uw premie is goedgekeurd."), &premium]).await;
    let permit = crate::need::case_with(
        &app,
        "parking-permit",
        &ellen,
        &[("address", "Erasmuslaan 7"), ("plate", "1-ABC-123")],
    )
    .await;
    let upload = file_of(&app, &permit, &ellen, "inschrijving.pdf").await;
    let permit_doc = document_of(&app, &permit).await;
    // A future appointment.
    exec(&app, "INSERT INTO appt_locations (id, slug, name, address, active, created_at, updated_at) VALUES ('loc', 'stadhuis', 'Stadhuis', 'Markt 1', 1, 0, 0)", &[]).await;
    exec(&app, "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, active, created_at, updated_at) VALUES ('asvc', 'id-kaart', 'Identiteitskaart', 'Identity card', 15, 1, 0, 0)", &[]).await;
    exec(&app, "INSERT INTO appt_slots (id, service_id, location_id, starts_at, ends_at, capacity, booked) VALUES ('slot', 'asvc', 'loc', 4000000000000, 4000000900000, 4, 1)", &[]).await;
    exec(&app, "INSERT INTO appointments (id, code, slot_id, service_id, location_id, starts_at, ends_at, resident_id, status, channel, remind_at, created_at, updated_at) VALUES ('ap', 'APELLEN', 'slot', 'asvc', 'loc', 4000000000000, 4000000900000, $1, 'booked', 'web', 0, 1, 1)", &[&ellen]).await;
    // A contact moment with a forward and a message, and one from her
    // address that is not linked to the account.
    exec(&app, "INSERT INTO contact_departments (id, slug, name_nl, name_en, sla_days, created_at) VALUES ('dep', 'burgerzaken', 'Burgerzaken', 'Civil affairs', 5, 0)", &[]).await;
    exec(&app, "INSERT INTO contact_moments (id, reference, channel, status, resident_id, contact_name, contact_email, subject, question, created_at, updated_at) VALUES ('cm', 'CM-1', 'phone', 'forwarded', $1, $2, $3, 'Verhuis', $4, 1, 1)", &[&ellen, NAME, EMAIL, &format!("{NAME} verhuist naar de Erasmuslaan")]).await;
    exec(&app, "INSERT INTO contact_forwards (id, moment_id, department_id, note, due_on, status, waiting_question, created_at) VALUES ('fw', 'cm', 'dep', $1, '2026-12-10', 'waiting', 'Welk adres?', 1)", &[&format!("Bel {NAME} terug")]).await;
    exec(&app, "INSERT INTO contact_messages (id, moment_id, direction, sender, subject, body, created_at) VALUES ('msg', 'cm', 'in', $1, 'Re', $2, 2)", &[EMAIL, &format!("Groeten, {NAME}")]).await;
    exec(&app, "INSERT INTO contact_moments (id, reference, channel, status, resident_id, contact_name, contact_email, subject, question, created_at, updated_at) VALUES ('cm-mail', 'CM-2', 'email', 'open', NULL, $1, $2, 'Afval', 'Wanneer?', 3, 3)", &[NAME, &EMAIL.to_uppercase()]).await;
    // A vaccination invitation and a reserve entry (by the number).
    exec(&app, "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, active, created_at, updated_at) VALUES ('vsvc', 'griep', 'Griep', 'Flu', 5, 1, 0, 0)", &[]).await;
    exec(&app, "INSERT INTO vac_campaigns (id, slug, name, vaccine, location_id, service_id, lines, per_line, slot_minutes, observation_minutes, admit_per_minute, admit_burst, opens_at, status, created_at, updated_at) VALUES ('camp', 'griep', 'Griep 2026', 'X', 'loc', 'vsvc', 1, 1, 5, 15, 10, 10, 0, 'open', 0, 0)", &[]).await;
    exec(&app, "INSERT INTO vac_invitations (id, campaign_id, code, national_number, name, birth_date, street, postal_code, city, email, phone, group_rank, source, delivery, status, created_at, updated_at) VALUES ('inv', 'camp', 'VACELLEN', $1, $2, '1985-07-30', 'Erasmuslaan 7', '3000', 'Leuven', $3, '0470123456', 0, 'import', 'email', 'invited', 1, 1)", &[NRN, NAME, EMAIL]).await;
    exec(&app, "INSERT INTO vac_reserve (id, campaign_id, national_number, name, birth_date, email, group_rank, status, signed_up_at, updated_at) VALUES ('res', 'camp', $1, $2, '1985-07-30', $3, 0, 'waiting', 1, 1)", &[NRN, NAME, EMAIL]).await;
    // A search that named her, and an audit row that names her.
    exec(&app, "INSERT INTO contact_searches (id, day, lang, query, results, created_at) VALUES ('q', '2026-12-01', 'nl', $1, 0, 1)", &[&format!("{NAME} parkeerkaart")]).await;
    exec(&app, "INSERT INTO audit_log (id, at, actor_kind, actor_id, action, record_type, record_id, subject_user_id, before_summary, after_summary) VALUES ('audit-named', 1, 'system', NULL, 'contact.note', 'contact_moment', 'cm', NULL, NULL, $1)", &[&format!("{{\"contact\":\"{NAME}\",\"email\":\"{EMAIL}\"}}")]).await;
    // Mail to her, sent by the outbox worker (an .eml file).
    let mut tx = app.store.begin().await.unwrap();
    let mail_id = loket_store::notify::enqueue(
        &mut tx,
        &loket_domain::notify::Mail {
            to: loket_domain::ident::Email::parse(EMAIL).unwrap(),
            subject: format!("Welkom, {NAME}"),
            body: format!("Beste {NAME}, uw account is klaar."),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut sent = None;
    for _ in 0..100 {
        let m = loket_store::notify::get(&app.store, &mail_id)
            .await
            .unwrap()
            .unwrap();
        if m.sent_at.is_some() {
            sent = Some(m);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let sent = sent.expect("the worker sent the mail");
    let eml = loket_store::privacy::eml_path(&app.config.mail_dir(), sent.created_at, &mail_id);
    assert!(eml.exists(), "{}", eml.display());

    // The search works: before the erasure, she is everywhere.
    let before = occurrences(&app, NAME).await;
    for place in [
        "users.name",
        // The people search's keys of her name (migration 0026).
        "people_search.key",
        "cases.data",
        "case_events.body",
        "contact_moments.contact_name",
        "contact_forwards.note",
        "contact_messages.body",
        "vac_invitations.name",
        "vac_reserve.name",
        "outbox.body",
        "audit_log.after_summary",
        "contact_searches.query",
    ] {
        assert!(
            before.iter().any(|h| h.starts_with(&format!("{place} "))),
            "{place} in {before:?}"
        );
    }
    assert!(!occurrences(&app, EMAIL).await.is_empty());

    // Staff: the officer, and a handler of every department.
    let dpo = app
        .signed_in("dpo@leuven.example", &["privacy_officer"])
        .await;
    let handler = app
        .signed_in(
            "handler@leuven.example",
            &["case_handler", "all_departments"],
        )
        .await;
    let handler_token = token(
        &app,
        "api-handler@leuven.example",
        &["case_handler", "all_departments"],
    )
    .await;
    let (s, _) = app.get(&handler, &format!("/staff/cases/{premium}")).await;
    assert_eq!(s, 200, "visible before");
    let request = record(&app, &dpo, &ellen, "erasure").await;
    let page = format!("/privacy-officer/requests/{request}");
    let (s, html) = app.get(&dpo, &page).await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("action=\"{page}/erase\"")), "{html}");
    assert!(!html.contains(&format!("action=\"{page}/restrict\"")));

    // Refused attempts change nothing: no CSRF token, no confirmation, a
    // role without privacy_officer, restricting an erasure request.
    let unchanged = account_row(&app, &ellen).await;
    let r = dpo
        .post(app.url(&format!("{page}/erase")))
        .form(&[("confirm", "1"), ("outcome", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "no CSRF token");
    let r = app
        .submit(&dpo, &page, &format!("{page}/erase"), &[("outcome", "x")])
        .await;
    assert_eq!(r.status(), 422, "no confirmation");
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"confirm-error\""), "{html}");
    let r = app
        .submit(
            &handler,
            "/staff/cases",
            &format!("{page}/erase"),
            &[("confirm", "1"), ("outcome", "x")],
        )
        .await;
    assert!(
        [403, 404].contains(&r.status().as_u16()),
        "a handler: {}",
        r.status()
    );
    let r = app
        .submit(&dpo, &page, &format!("{page}/restrict"), &[])
        .await;
    assert_eq!(r.status(), 409, "restricting an erasure request");
    assert_eq!(account_row(&app, &ellen).await, unchanged);
    assert_eq!(actions(&app, &request).await, ["privacy_request.create"]);

    // Carried out.
    let r = app
        .submit(
            &dpo,
            &page,
            &format!("{page}/erase"),
            &[("confirm", "1"), ("outcome", "Uw gegevens zijn gewist.")],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(location(&r), format!("{page}?told=mail&done=erased"));
    assert_eq!(
        actions(&app, &request).await,
        [
            "privacy_request.create",
            "privacy_request.erasure",
            "privacy_request.step"
        ]
    );
    let counts: Value = serde_json::from_str(
        &text(
            &app,
            "SELECT after_summary FROM audit_log WHERE action = 'privacy_request.erasure' AND record_id = $1",
            &request,
        )
        .await,
    )
    .unwrap();
    let counts = &counts["counts"];
    assert_eq!(counts["cases"], 2, "{counts}");
    assert_eq!(counts["cases_decided_kept"], 1, "{counts}");
    assert_eq!(counts["cases_restricted"], 2, "{counts}");
    assert_eq!(counts["case_files"], 1, "{counts}");
    assert_eq!(counts["case_documents_removed"], 1, "{counts}");
    assert_eq!(counts["contact_moments"], 2, "{counts}");
    assert_eq!(counts["vaccination_invitations"], 1, "{counts}");
    assert_eq!(counts["vaccination_reserve"], 1, "{counts}");
    assert_eq!(counts["appointments_cancelled"], 1, "{counts}");
    assert!(counts["mails"].as_u64().unwrap() >= 1, "{counts}");
    assert_eq!(counts["searches"], 1, "{counts}");
    assert_eq!(status_of(&app, &request).await, "done");
    // Again: the request is done.
    let r = app
        .submit(
            &dpo,
            &page,
            &format!("{page}/erase"),
            &[("confirm", "1"), ("outcome", "x")],
        )
        .await;
    assert_eq!(r.status(), 409);

    // The outcome mail goes out, then loses its body and recipient.
    let mut outcome = None;
    for _ in 0..100 {
        let row = sqlx::query(
            "SELECT id, created_at, to_addr, body, status FROM outbox WHERE erase_after_send = 1",
        )
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        if row.get::<String, _>("status") == "sent" {
            outcome = Some(row);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let outcome = outcome.expect("the outcome mail was sent");
    assert_eq!(outcome.get::<String, _>("to_addr"), "erased");
    assert_eq!(outcome.get::<String, _>("body"), "");
    let outcome_eml = loket_store::privacy::eml_path(
        &app.config.mail_dir(),
        outcome.get("created_at"),
        &outcome.get::<String, _>("id"),
    );
    assert!(!outcome_eml.exists(), "the outcome's .eml is gone");

    // Her name, address and number are in no text column (the people
    // search's keys of her name neither), and no part of her name finds her.
    let keys: i64 = sqlx::query("SELECT COUNT(*) AS n FROM people_search WHERE user_id = $1")
        .bind(ellen.clone())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("n");
    assert_eq!(keys, 0);
    for needle in [NAME, EMAIL, NRN, "Erasmuslaan"] {
        let hits = occurrences(&app, needle).await;
        assert!(hits.is_empty(), "{needle} still in {hits:?}");
    }
    // Files: the upload, the open case's document and the sent .eml are
    // gone; the granted case's decision stays (restricted).
    assert!(!upload.exists());
    assert!(!permit_doc.exists());
    assert!(!eml.exists());
    assert!(premium_doc.exists());
    // The audit row kept its id and lost the names.
    assert_eq!(
        text(
            &app,
            "SELECT after_summary FROM audit_log WHERE id = $1",
            "audit-named"
        )
        .await,
        "{\"contact\":\"[erased]\",\"email\":\"[erased]\"}"
    );
    // The kept case: number, status and amounts stay, restricted.
    let kept = loket_store::cases::get_case(&app.store, &premium)
        .await
        .unwrap()
        .unwrap();
    assert!(kept.restricted_at.is_some() && kept.anonymised_at.is_some());
    assert_eq!(kept.status, "approved");
    assert_eq!(
        kept.data.into_iter().collect::<Vec<_>>(),
        [
            ("amount_requested".to_owned(), "150000".to_owned()),
            ("invoice_total".to_owned(), "750000".to_owned())
        ]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM case_events WHERE body IS NOT NULL")
            .await,
        0,
        "her cases' texts are gone"
    );
    // The appointment was cancelled and its place freed.
    assert_eq!(
        text(&app, "SELECT status FROM appointments WHERE id = $1", "ap").await,
        "cancelled"
    );
    assert_eq!(
        app.count("SELECT booked FROM appt_slots WHERE id = 'slot'")
            .await,
        0
    );

    // Restricted: 404 for a handler of every department, page and API,
    // and absent from the queue.
    for n in [&premium, &permit] {
        let (s, _) = app.get(&handler, &format!("/staff/cases/{n}")).await;
        assert_eq!(s, 404, "{n}");
        let (s, _) = api(
            &app,
            &handler_token,
            "GET",
            &format!("/api/v1/cases/{n}"),
            Value::Null,
        )
        .await;
        assert_eq!(s, 404, "API {n}");
    }
    let (s, html) = app.get(&handler, "/staff/cases?closed=1").await;
    assert_eq!(s, 200);
    assert!(
        !html.contains(&premium) && !html.contains(&permit),
        "{html}"
    );
    let (_, list) = api(&app, &handler_token, "GET", "/api/v1/cases", Value::Null).await;
    assert!(!list.to_string().contains(&premium), "{list}");
    // The officer sees them, marked.
    let (s, html) = app.get(&dpo, &page).await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"restricted-cases\""), "{html}");
    assert!(html.contains(&premium) && html.contains(&permit));
    assert!(!html.contains(&format!("action=\"{page}/erase\"")));
    let (s, export) = api(
        &app,
        &token(&app, "api-dpo@leuven.example", &["privacy_officer"]).await,
        "GET",
        &format!("/api/v1/people/{ellen}/export"),
        Value::Null,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(export["cases"].as_array().unwrap().len(), 2);
    assert!(export["cases"][0]["restricted_at"].is_i64(), "{export}");

    // The account cannot sign in; its session ended.
    let (s, _) = app.get(&ellen_c, "/account").await;
    assert_eq!(s, 303, "the session ended");
    let c = app.client();
    let r = app
        .submit(
            &c,
            "/login",
            "/login",
            &[("email", EMAIL), ("password", PASSWORD)],
        )
        .await;
    assert_ne!(r.status(), 303, "no sign-in after erasure");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE erased_at IS NOT NULL AND password_hash = '' AND disabled_at IS NOT NULL").await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM user_roles WHERE user_id IN (SELECT id FROM users WHERE erased_at IS NOT NULL)").await,
        0
    );
    app.stop().await;
}

/// A resident without e-mail is told by letter: the letter holds the name
/// and address until it is printed, then loses them.
#[tokio::test]
async fn the_outcome_letter_loses_name_and_address_once_printed() {
    let app = TestApp::spawn().await;
    let mut tx = app.store.begin().await.unwrap();
    let piet = loket_store::people::create_resident(
        &mut tx,
        &Actor::System,
        &loket_domain::people::PersonName::parse("Pieter Zondermail").unwrap(),
        None,
        "nl",
        &loket_store::people::ResidentProfile {
            street: "Brievenbusstraat".into(),
            house_number: "1".into(),
            postal_code: "3000".into(),
            city: "Leuven".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let dpo = app
        .signed_in("dpo@leuven.example", &["privacy_officer"])
        .await;
    let request = record(&app, &dpo, &piet, "erasure").await;
    let page = format!("/privacy-officer/requests/{request}");
    let r = app
        .submit(
            &dpo,
            &page,
            &format!("{page}/erase"),
            &[("confirm", "1"), ("outcome", "Gewist.")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), format!("{page}?told=letter&done=erased"));
    // Waiting for the print batch: the letter alone still names him.
    let hits = occurrences(&app, "Pieter Zondermail").await;
    assert_eq!(hits, ["letters.content (1)"], "{hits:?}");
    assert_eq!(
        occurrences(&app, "Brievenbusstraat").await,
        ["letters.content (1)"]
    );
    // Printed: gone from the database.
    let counter = app.signed_in("counter@leuven.example", &["counter"]).await;
    let r = app
        .submit(&counter, "/staff/letters", "/staff/letters/batch", &[])
        .await;
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM letters WHERE batch_id IS NOT NULL AND content = '{}'")
            .await,
        1
    );
    assert!(occurrences(&app, "Pieter Zondermail").await.is_empty());
    assert!(occurrences(&app, "Brievenbusstraat").await.is_empty());
    app.stop().await;
}

async fn status_of(app: &TestApp, id: &str) -> String {
    text(app, "SELECT status FROM privacy_requests WHERE id = $1", id).await
}

#[tokio::test]
async fn restriction_hides_the_cases_until_it_is_lifted() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let rita = resident(&app, "rita@example.be").await;
    let number =
        crate::need::case_with(&app, "move", &rita, &[("new_address", "Kerkstraat 2")]).await;
    let dpo = app
        .signed_in("dpo@leuven.example", &["privacy_officer"])
        .await;
    let handler = app
        .signed_in(
            "handler@leuven.example",
            &["case_handler", "all_departments"],
        )
        .await;
    let handler_token = token(
        &app,
        "api-handler@leuven.example",
        &["case_handler", "all_departments"],
    )
    .await;
    let sees = |s: u16| s == 200;
    let (s, _) = app.get(&handler, &format!("/staff/cases/{number}")).await;
    assert!(sees(s));
    // The staff home's count of unassigned cases.
    let handler_id = user_id(&app, "handler@leuven.example").await;
    let unassigned = async || {
        loket_store::cases::handler_work(&app.store, &handler_id, "2026-01-01", "2099-12-31", "")
            .await
            .unwrap()
            .unassigned
    };
    assert_eq!(unassigned().await, 1);

    let request = record(&app, &dpo, &rita, "restriction").await;
    let page = format!("/privacy-officer/requests/{request}");
    let (_, html) = app.get(&dpo, &page).await;
    assert!(
        html.contains(&format!("action=\"{page}/restrict\"")),
        "{html}"
    );
    assert!(!html.contains(&format!("action=\"{page}/erase\"")));
    // Refused: no CSRF token, a handler, erasing a restriction request.
    let r = dpo
        .post(app.url(&format!("{page}/restrict")))
        .form(&[("csrf", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "no CSRF token");
    let r = app
        .submit(&handler, "/staff/cases", &format!("{page}/restrict"), &[])
        .await;
    assert!([403, 404].contains(&r.status().as_u16()));
    let r = app
        .submit(
            &dpo,
            &page,
            &format!("{page}/erase"),
            &[("confirm", "1"), ("outcome", "x")],
        )
        .await;
    assert_eq!(r.status(), 409);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM cases WHERE restricted_at IS NOT NULL")
            .await,
        0
    );
    assert_eq!(actions(&app, &request).await, ["privacy_request.create"]);

    // Restricted: gone for the handler, page, API and queue.
    let r = app
        .submit(&dpo, &page, &format!("{page}/restrict"), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), format!("{page}?done=restricted"));
    let (s, _) = app.get(&handler, &format!("/staff/cases/{number}")).await;
    assert_eq!(s, 404);
    let (s, _) = api(
        &app,
        &handler_token,
        "GET",
        &format!("/api/v1/cases/{number}"),
        Value::Null,
    )
    .await;
    assert_eq!(s, 404);
    let (_, html) = app.get(&handler, "/staff/cases").await;
    assert!(!html.contains(&number));
    assert_eq!(unassigned().await, 0, "not counted on the staff home");
    // Nothing anonymised; the officer sees it, marked.
    assert_eq!(
        text(&app, "SELECT data FROM cases WHERE number = $1", &number).await,
        "{\"new_address\":\"Kerkstraat 2\"}"
    );
    let (_, html) = app.get(&dpo, &format!("{page}?done=restricted")).await;
    assert!(html.contains("id=\"done\""));
    assert!(html.contains("id=\"restricted-cases\"") && html.contains(&number));
    let r = app
        .submit(
            &dpo,
            "/privacy-officer",
            "/privacy-officer",
            &[("email", "rita@example.be")],
        )
        .await;
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"restricted-cases\"") && html.contains(&number),
        "{html}"
    );

    // Lifted: the handler sees it again.
    let r = app.submit(&dpo, &page, &format!("{page}/lift"), &[]).await;
    assert_eq!(r.status(), 303);
    let (s, _) = app.get(&handler, &format!("/staff/cases/{number}")).await;
    assert!(sees(s));
    assert_eq!(unassigned().await, 1);
    let (s, _) = api(
        &app,
        &handler_token,
        "GET",
        &format!("/api/v1/cases/{number}"),
        Value::Null,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        actions(&app, &request).await,
        [
            "privacy_request.create",
            "privacy_request.restrict",
            "privacy_request.lift"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn closed_cases_are_anonymised_after_their_services_period() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let t = loket::cli::retention_clock(Some("2031-01-01")).unwrap();
    let an = resident(&app, "an@example.be").await;
    // Parking permits are kept 2 years, moves 10.
    let old_permit =
        crate::need::case_with(&app, "parking-permit", &an, &[("plate", "1-ABC-123")]).await;
    let young_permit =
        crate::need::case_with(&app, "parking-permit", &an, &[("plate", "2-DEF-456")]).await;
    let old_move =
        crate::need::case_with(&app, "move", &an, &[("new_address", "Kerkstraat 2")]).await;
    let open_permit =
        crate::need::case_with(&app, "parking-permit", &an, &[("plate", "3-GHI-789")]).await;
    for (n, status, closed) in [
        (&old_permit, "approved", Some(t - 3 * 366 * DAY)),
        (&young_permit, "refused", Some(t - 300 * DAY)),
        (&old_move, "approved", Some(t - 3 * 366 * DAY)),
        (&open_permit, "submitted", None),
    ] {
        sqlx::query("UPDATE cases SET status = $1, closed_at = $2 WHERE number = $3")
            .bind(status.to_owned())
            .bind(closed)
            .bind(n.to_owned())
            .execute(app.store.pool())
            .await
            .unwrap();
        exec(&app, "INSERT INTO case_events (id, case_id, at, kind, body, internal) SELECT $1, id, 5, 'message_out', 'Uw kaart voor 1-ABC-123', 0 FROM cases WHERE number = $2", &[&format!("ev-{n}"), n]).await;
    }
    let old_file = file_of(&app, &old_permit, &an, "inschrijving.pdf").await;
    let old_doc = document_of(&app, &old_permit).await;
    let young_file = file_of(&app, &young_permit, &an, "inschrijving.pdf").await;
    let data = |n: String| {
        let app = &app;
        async move { text(app, "SELECT data FROM cases WHERE number = $1", &n).await }
    };
    let before = [
        data(old_permit.clone()).await,
        data(young_permit.clone()).await,
        data(old_move.clone()).await,
        data(open_permit.clone()).await,
    ];

    // The dry run counts one case and its two files, and changes nothing.
    let report = loket::cli::retention(&app.config, true, Some("2031-01-01"))
        .await
        .unwrap();
    let line = report
        .lines()
        .find(|l| l.starts_with("cases "))
        .unwrap_or_else(|| panic!("{report}"));
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cols[4], "1", "{report}");
    assert_eq!(cols[5], "2", "{report}");
    assert_eq!(data(old_permit.clone()).await, before[0]);
    assert!(old_file.exists() && old_doc.exists());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM cases WHERE anonymised_at IS NOT NULL")
            .await,
        0
    );

    // Applied: the old permit only.
    let report = loket::cli::retention(&app.config, false, Some("2031-01-01"))
        .await
        .unwrap();
    let n: i64 = report
        .lines()
        .find(|l| l.starts_with("cases "))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(n, 1, "{report}");
    assert_eq!(data(old_permit.clone()).await, "{}");
    assert_eq!(data(young_permit.clone()).await, before[1]);
    assert_eq!(data(old_move.clone()).await, before[2]);
    assert_eq!(data(open_permit.clone()).await, before[3]);
    assert!(!old_file.exists() && !old_doc.exists());
    assert!(young_file.exists());
    let kept = loket_store::cases::get_case(&app.store, &old_permit)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.status, "approved");
    assert!(kept.closed_at.is_some() && kept.anonymised_at.is_some());
    assert!(kept.restricted_at.is_none(), "anonymised, not restricted");
    assert_eq!(
        text(
            &app,
            "SELECT COALESCE(body, '') FROM case_events WHERE id = $1",
            &format!("ev-{old_permit}")
        )
        .await,
        ""
    );
    assert_eq!(
        text(
            &app,
            "SELECT body FROM case_events WHERE id = $1",
            &format!("ev-{young_permit}")
        )
        .await,
        "Uw kaart voor 1-ABC-123"
    );
    // The status history stays.
    assert!(
        app.count("SELECT COUNT(*) FROM case_events WHERE kind = 'submitted'")
            .await
            >= 4
    );
    let audit = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.applied' AND after_summary LIKE '%\"kind\":\"cases\"%'")
        .await;
    assert_eq!(audit, 1);
    // A second run finds nothing more.
    let again = loket::cli::retention(&app.config, true, Some("2031-01-01"))
        .await
        .unwrap();
    let line = again.lines().find(|l| l.starts_with("cases ")).unwrap();
    assert_eq!(line.split_whitespace().nth(4), Some("0"), "{again}");

    // The admin page and /privacy show each service's period.
    let admin = app.signed_in("admin@leuven.example", &["admin"]).await;
    let (s, html) = app.get(&admin, "/admin/retention").await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"retention-services\""), "{html}");
    assert!(
        html.contains("Bewonersparkeerkaart vernieuwen: 2 jaar"),
        "{html}"
    );
    let (_, html) = app.get(&app.client(), "/privacy").await;
    assert!(
        html.contains("Geanonimiseerd na afsluiten, per dienst:")
            && html.contains("Bewonersparkeerkaart vernieuwen: 2 jaar"),
        "{html}"
    );
    app.stop().await;
}

/// How long an erasure holds its transaction with a large audit log (the
/// summaries are searched for the name): 200,000 audit rows and 20,000
/// searches. Ignored by default; run it by name with `--ignored`.
#[tokio::test]
#[ignore]
async fn erasure_time_with_a_large_audit_log() {
    let app = TestApp::spawn().await;
    let an = resident(&app, "an@example.be").await;
    exec(&app, "INSERT INTO audit_log (id, at, actor_kind, actor_id, action, record_type, record_id, subject_user_id, before_summary, after_summary) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) \
         SELECT 'a-' || i, i, 'system', NULL, 'case.transition', 'case', 'c-' || i, NULL, '{\"status\":\"submitted\"}', '{\"status\":\"approved\",\"by\":\"Someone Else\"}' FROM n", &[]).await;
    exec(
        &app,
        "INSERT INTO contact_searches (id, day, lang, query, results, created_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
         SELECT 's-' || i, '2026-12-01', 'nl', 'parkeerkaart', 1, i FROM n",
        &[],
    )
    .await;
    let dpo = app
        .signed_in("dpo@leuven.example", &["privacy_officer"])
        .await;
    let request = record(&app, &dpo, &an, "erasure").await;
    let page = format!("/privacy-officer/requests/{request}");
    let started = std::time::Instant::now();
    let r = app
        .submit(
            &dpo,
            &page,
            &format!("{page}/erase"),
            &[("confirm", "1"), ("outcome", "Gewist.")],
        )
        .await;
    let took = started.elapsed();
    assert_eq!(r.status(), 303);
    eprintln!(
        "MEASURED erasure with 200000 audit rows and 20000 searches on {}: {} ms (page GET + POST)",
        backend(),
        took.as_millis()
    );
    app.stop().await;
}
