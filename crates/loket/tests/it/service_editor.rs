//! The admin's service editor through the real server, on SQLite and
//! PostgreSQL: only admins reach it, a saved edit is a new version that the
//! public pages show while submitted cases keep theirs, refused input
//! changes nothing and is shown again as typed, a hidden service leaves the
//! catalogue, and a new service can be created.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;

/// The editor's form for a stored service, as the edit page fills it.
async fn form_of(app: &TestApp, slug: &str) -> Vec<(&'static str, String)> {
    let s = loket_store::cases::service_by_slug(&app.store, slug)
        .await
        .unwrap()
        .unwrap();
    let d = &s.def;
    vec![
        ("name_nl", d.name.nl.clone()),
        ("name_en", d.name.en.clone()),
        ("description_nl", d.description.nl.clone()),
        ("description_en", d.description.en.clone()),
        ("department", d.department.clone()),
        ("fee", loket_domain::cases::format_cents(d.fee_cents)),
        ("target_days", d.target_days.to_string()),
        ("active", if s.active { "yes" } else { "no" }.into()),
        ("definition", serde_json::to_string_pretty(d).unwrap()),
    ]
}

fn set(fields: &mut [(&'static str, String)], key: &str, value: String) {
    for f in fields.iter_mut() {
        if f.0 == key {
            f.1 = value.clone();
        }
    }
}

async fn post(
    app: &TestApp,
    c: &reqwest::Client,
    page: &str,
    fields: &[(&'static str, String)],
) -> reqwest::Response {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.submit(c, page, page, &refs).await
}

async fn version(app: &TestApp, slug: &str) -> i64 {
    loket_store::cases::service_by_slug(&app.store, slug)
        .await
        .unwrap()
        .unwrap()
        .version
}

/// A valid move declaration, submitted by the signed-in resident.
async fn submit_move(app: &TestApp, c: &reqwest::Client) -> String {
    let today = loket_web::i18n::today_brussels().to_string();
    let fields: Vec<(&str, &str)> = vec![
        ("new_address_street", "Bondgenotenlaan"),
        ("new_address_number", "12"),
        ("new_address_box", ""),
        ("new_address_postal_code", "3000"),
        ("new_address_city", "Leuven"),
        ("move_date", &today),
        ("old_address_street", "Kerkstraat"),
        ("old_address_number", "1"),
        ("old_address_postal_code", "9000"),
        ("old_address_city", "Gent"),
        ("household", ""),
        ("remarks", ""),
        ("action", "review"),
    ];
    let r = app
        .submit(c, "/services/move/apply", "/services/move/apply", &fields)
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let r = app
        .submit(c, "/services/move/confirm", "/services/move/submit", &[])
        .await;
    assert_eq!(r.status(), 303);
    r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

/// A page's text with the HTML escapes of quotes and ampersands undone.
fn unescape(html: &str) -> String {
    html.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#x22;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn only_admins_edit_services() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    for (email, role) in [
        ("an@example.org", "resident"),
        ("dossier@leuven.example", "case_handler"),
    ] {
        let c = app.signed_in(email, &[role]).await;
        for path in [
            "/admin/services",
            "/admin/services/move",
            "/admin/services/new",
        ] {
            let (status, _) = app.get(&c, path).await;
            assert_eq!(status, 403, "{role} GET {path}");
        }
        // A post with a valid CSRF token is refused too, and changes nothing.
        let (_, html) = app.get(&c, "/services").await;
        let csrf = csrf_of(&html);
        let r = c
            .post(app.url("/admin/services/move"))
            .form(&[("csrf", csrf.as_str()), ("name_nl", "Gekaapt")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{role} POST");
    }
    assert_eq!(version(&app, "move").await, 1);
    let admin = app.signed_in("admin@leuven.example", &["admin"]).await;
    let (status, html) = app.get(&admin, "/admin/services").await;
    assert_eq!(status, 200);
    assert!(html.contains("/admin/services/move") && html.contains("/admin/services/new"));
    let (_, staff) = app.get(&admin, "/staff").await;
    assert!(staff.contains("href=\"/admin/services\""));
    app.stop().await;
}

#[tokio::test]
async fn an_edit_is_a_new_version_and_submitted_cases_keep_theirs() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let resident = app.signed_in("an@example.org", &["resident"]).await;
    let number = submit_move(&app, &resident).await;
    let admin = app.signed_in("admin@leuven.example", &["admin"]).await;
    let (status, html) = app.get(&admin, "/admin/services/move").await;
    assert_eq!(status, 200);
    assert!(html.contains("<textarea id=\"definition\""));

    let mut fields = form_of(&app, "move").await;
    let old_name = fields[0].1.clone();
    set(&mut fields, "name_nl", "Verhuis doorgeven".into());
    // The rest of the definition is edited as JSON: rename a state.
    let mut def: serde_json::Value = serde_json::from_str(&fields[8].1).unwrap();
    def["states"][0]["label"]["nl"] = "Ontvangen (nieuw)".into();
    set(
        &mut fields,
        "definition",
        serde_json::to_string_pretty(&def).unwrap(),
    );
    let r = post(&app, &admin, "/admin/services/move", &fields).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        "/admin/services/move?saved=2"
    );
    assert_eq!(version(&app, "move").await, 2);
    let (_, html) = app.get(&admin, "/admin/services/move?saved=2").await;
    assert!(html.contains("versie 2"), "{html}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'service.update'")
            .await,
        1
    );

    // The public page shows the new name ...
    let (_, public) = app.get(&app.client(), "/services/move").await;
    assert!(public.contains("Verhuis doorgeven") && !public.contains(&old_name));
    // ... and the case submitted before keeps version 1.
    let (_, case) = app.get(&resident, &format!("/cases/{number}")).await;
    assert!(case.contains("Ingediend") && !case.contains("Ontvangen (nieuw)"));
    let stored = loket_store::cases::get_case(&app.store, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.service_version, 1);

    // Saving the same again makes no new version.
    let r = post(&app, &admin, "/admin/services/move", &fields).await;
    assert_eq!(r.status(), 303);
    assert_eq!(version(&app, "move").await, 2);
    app.stop().await;
}

#[tokio::test]
async fn refused_input_changes_nothing_and_is_kept() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let admin = app.signed_in("admin@leuven.example", &["admin"]).await;
    let audits = app.count("SELECT COUNT(*) FROM audit_log").await;

    // Broken JSON: the error names line and column; the text is kept.
    let mut fields = form_of(&app, "move").await;
    set(&mut fields, "name_nl", "Niet bewaard".into());
    let broken = "{\n  \"slug\": \"move\",\n  \"fields\": [ oops ]\n}";
    set(&mut fields, "definition", broken.into());
    let r = post(&app, &admin, "/admin/services/move", &fields).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("error-summary"), "{html}");
    assert!(html.contains("regel 3, kolom"), "{html}");
    assert!(unescape(&html).contains(broken), "{html}");
    assert!(html.contains("value=\"Niet bewaard\""));
    assert_eq!(version(&app, "move").await, 1);

    // A definition that fails its check: a transition to an unknown state.
    let mut fields = form_of(&app, "move").await;
    set(&mut fields, "target_days", "12".into());
    let mut def: serde_json::Value = serde_json::from_str(&fields[8].1).unwrap();
    def["transitions"][0]["to"] = "nowhere".into();
    let text = serde_json::to_string_pretty(&def).unwrap();
    set(&mut fields, "definition", text.clone());
    let r = post(&app, &admin, "/admin/services/move", &fields).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#transitions[0]\""), "{html}");
    assert!(
        html.contains("transitions[0]: die status bestaat niet"),
        "{html}"
    );
    assert!(unescape(&html).contains(&text));
    assert!(html.contains("value=\"12\""));

    // Bad scalar settings are field errors at their inputs.
    let mut fields = form_of(&app, "move").await;
    set(&mut fields, "fee", "twintig".into());
    set(&mut fields, "name_nl", "  ".into());
    let r = post(&app, &admin, "/admin/services/move", &fields).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#fee\"") && html.contains("href=\"#name_nl\""),
        "{html}"
    );
    assert!(html.contains("value=\"twintig\""));

    assert_eq!(version(&app, "move").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audits);
    app.stop().await;
}

#[tokio::test]
async fn a_hidden_service_leaves_the_catalogue() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let resident = app.signed_in("an@example.org", &["resident"]).await;
    let number = submit_move(&app, &resident).await;
    let admin = app.signed_in("admin@leuven.example", &["admin"]).await;
    let (_, catalogue) = app.get(&app.client(), "/services").await;
    assert!(catalogue.contains("/services/move"));

    let mut fields = form_of(&app, "move").await;
    set(&mut fields, "active", "no".into());
    let r = post(&app, &admin, "/admin/services/move", &fields).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    // Only the flag changed: no new version, one audit row.
    assert_eq!(version(&app, "move").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'service.deactivate'")
            .await,
        1
    );
    let (_, catalogue) = app.get(&app.client(), "/services").await;
    assert!(!catalogue.contains("/services/move"));
    let (status, _) = app.get(&app.client(), "/services/move").await;
    assert_eq!(status, 404);
    // The case submitted before still opens, for the resident and the office.
    let (status, _) = app.get(&resident, &format!("/cases/{number}")).await;
    assert_eq!(status, 200);
    let handler = app
        .signed_in(
            "dossier@leuven.example",
            &["case_handler", "all_departments"],
        )
        .await;
    let (status, _) = app.get(&handler, &format!("/staff/cases/{number}")).await;
    assert_eq!(status, 200);
    // The admin still lists and edits it.
    let (status, list) = app.get(&admin, "/admin/services").await;
    assert_eq!(status, 200);
    assert!(list.contains("/admin/services/move"));

    // And shows it again.
    set(&mut fields, "active", "yes".into());
    let r = post(&app, &admin, "/admin/services/move", &fields).await;
    assert_eq!(r.status(), 303);
    let (_, catalogue) = app.get(&app.client(), "/services").await;
    assert!(catalogue.contains("/services/move"));
    app.stop().await;
}

#[tokio::test]
async fn an_admin_creates_a_service() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let admin = app.signed_in("admin@leuven.example", &["admin"]).await;
    let (status, html) = app.get(&admin, "/admin/services/new").await;
    assert_eq!(status, 200);
    assert!(unescape(&html).contains("\"states\""));
    // The example as shipped (the page's own textarea text) is valid.
    let example = {
        let s = loket_store::cases::service_by_slug(&app.store, "move")
            .await
            .unwrap()
            .unwrap();
        let mut d = serde_json::to_value(&s.def).unwrap();
        d["slug"] = "".into();
        serde_json::to_string_pretty(&d).unwrap()
    };
    let mut fields: Vec<(&'static str, String)> = vec![
        ("slug", "move".into()),
        ("name_nl", "Hondenpenning".into()),
        ("name_en", "Dog tag".into()),
        ("description_nl", "Een penning voor uw hond.".into()),
        ("description_en", "A tag for your dog.".into()),
        ("department", "burgerzaken".into()),
        ("fee", "12,50".into()),
        ("target_days", "5".into()),
        ("active", "yes".into()),
        ("definition", example),
    ];
    // A taken slug is a field error on `slug`.
    let r = post(&app, &admin, "/admin/services/new", &fields).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#slug\""), "{html}");
    assert!(html.contains("value=\"Hondenpenning\""));
    assert_eq!(
        loket_store::cases::list_services(&app.store, false)
            .await
            .unwrap()
            .len(),
        3
    );

    set(&mut fields, "slug", "dog-tag".into());
    let r = post(&app, &admin, "/admin/services/new", &fields).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        "/admin/services/dog-tag?saved=1"
    );
    let s = loket_store::cases::service_by_slug(&app.store, "dog-tag")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((s.version, s.active, s.def.fee_cents), (1, true, 1250));
    assert_eq!(s.def.name.en, "Dog tag");
    let (_, catalogue) = app.get(&app.client(), "/services").await;
    assert!(catalogue.contains("Hondenpenning"));
    app.stop().await;
}

#[tokio::test]
async fn the_shipped_example_is_a_valid_service() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@leuven.example", &["admin"]).await;
    let (_, html) = app.get(&admin, "/admin/services/new").await;
    let start = html.find("name=\"definition\"").unwrap();
    let open = html[start..].find('>').unwrap() + start + 1;
    let close = html[open..].find("</textarea>").unwrap() + open;
    let text = unescape(&html[open..close]);
    let fields: Vec<(&'static str, String)> = vec![
        ("slug", "question".into()),
        ("name_nl", "Vraag".into()),
        ("name_en", "Question".into()),
        ("description_nl", "".into()),
        ("description_en", "".into()),
        ("department", "burgerzaken".into()),
        ("fee", "0".into()),
        ("target_days", "10".into()),
        ("active", "yes".into()),
        ("definition", text),
    ];
    let r = post(&app, &admin, "/admin/services/new", &fields).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    app.stop().await;
}
