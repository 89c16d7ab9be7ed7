//! The API and the role checks, through the real HTTP server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use serde_json::{Value, json};

/// Every staff page and the roles that may open it.
const PAGE_MATRIX: &[(&str, &[&str])] = &[
    (
        "/staff",
        &[
            "counter",
            "contact_centre",
            "case_handler",
            "hr",
            "fleet",
            "finance",
            "vaccination_coordinator",
            "vaccination_staff",
            "employee",
            "ict",
            "admin",
            "privacy_officer",
            "management",
        ],
    ),
    ("/staff/cases", &["case_handler"]),
    ("/staff/cases.csv", &["case_handler"]),
    ("/staff/people", &["hr", "admin"]),
    ("/staff/people.csv", &["hr", "admin"]),
    ("/staff/people/import", &["hr", "admin"]),
    ("/staff/people/leave/import", &["hr", "admin"]),
    ("/staff/telework", &["hr", "admin"]),
    ("/staff/telework/corrections.csv", &["hr", "admin"]),
    ("/staff/telework/settings", &["hr", "admin"]),
    ("/staff/telework/dashboard", &["hr", "admin"]),
    ("/staff/payments", &["finance", "admin"]),
    ("/staff/payments/files.csv", &["finance", "admin"]),
    ("/admin/webhooks", &["admin"]),
    (
        "/staff/residents",
        &["counter", "contact_centre", "case_handler"],
    ),
    ("/staff/letters", &["counter", "contact_centre", "admin"]),
    (
        "/staff/letters/waiting.csv",
        &["counter", "contact_centre", "admin"],
    ),
    (
        "/staff/letters/batches",
        &["counter", "contact_centre", "admin"],
    ),
    (
        "/staff/letters/batches.csv",
        &["counter", "contact_centre", "admin"],
    ),
    ("/admin/users", &["admin"]),
    ("/admin/users.csv", &["admin"]),
    ("/admin/tokens", &["admin"]),
    ("/admin/tokens.csv", &["admin"]),
    ("/admin/users/new", &["admin"]),
    ("/admin/audit", &["admin"]),
    ("/admin/audit.csv", &["admin"]),
    ("/admin/access-log", &["admin"]),
    ("/admin/access-log.csv", &["admin"]),
    ("/admin/retention", &["admin"]),
    ("/admin/retention/runs.csv", &["admin"]),
    ("/admin/mail", &["admin"]),
    ("/admin/mail.csv", &["admin"]),
    ("/admin/appointments", &["admin"]),
    ("/admin/services", &["admin"]),
    ("/staff/appointments", &["counter", "contact_centre"]),
    ("/staff/appointments/new", &["counter", "contact_centre"]),
    ("/appointments", &["resident"]),
    ("/appointments/book", &["resident"]),
    ("/staff/desks", &["counter", "admin"]),
    ("/staff/queue", &["counter", "admin"]),
    ("/staff/queue/stats", &["counter", "admin"]),
    (
        "/bikes",
        &[
            "counter",
            "contact_centre",
            "case_handler",
            "hr",
            "fleet",
            "finance",
            "vaccination_coordinator",
            "vaccination_staff",
            "ict",
            "employee",
            "admin",
            "privacy_officer",
            "management",
        ],
    ),
    (
        "/equipment",
        &[
            "counter",
            "contact_centre",
            "case_handler",
            "hr",
            "fleet",
            "finance",
            "vaccination_coordinator",
            "vaccination_staff",
            "ict",
            "employee",
            "admin",
            "privacy_officer",
            "management",
        ],
    ),
    ("/staff/bikes", &["fleet"]),
    ("/staff/bikes/dashboard", &["fleet"]),
    ("/staff/assets", &["ict"]),
    ("/staff/assets.csv", &["ict"]),
    ("/staff/assets/new", &["ict"]),
    ("/staff/assets/import", &["ict"]),
    ("/staff/assets/check-out", &["ict"]),
    ("/staff/assets/labels", &["ict"]),
    ("/staff/assets/audit", &["ict"]),
    ("/staff/assets/overdue", &["ict"]),
    ("/staff/assets/overdue.csv", &["ict"]),
    ("/staff/equipment", &["hr", "ict"]),
    ("/staff/kb", &["contact_centre", "admin"]),
    ("/staff/kb.csv", &["contact_centre", "admin"]),
    ("/staff/kb/new", &["contact_centre", "admin"]),
    ("/staff/contact", &["contact_centre", "admin"]),
    ("/staff/contact.csv", &["contact_centre", "admin"]),
    ("/staff/contact/new", &["contact_centre", "admin"]),
    ("/staff/contact/report", &["contact_centre", "admin"]),
    ("/staff/contact/mail-rejects", &["contact_centre", "admin"]),
    (
        "/staff/contact/cm-matrix/messages",
        &["contact_centre", "admin"],
    ),
    (
        "/staff/contact/mail-rejects.csv",
        &["contact_centre", "admin"],
    ),
    (
        "/staff/forwards",
        &["contact_centre", "case_handler", "admin"],
    ),
    (
        "/staff/forwards.csv",
        &["contact_centre", "case_handler", "admin"],
    ),
    (
        "/staff/vaccination",
        &["vaccination_coordinator", "vaccination_staff"],
    ),
    (
        "/staff/vaccination/campaigns.csv",
        &["vaccination_coordinator", "vaccination_staff"],
    ),
    (
        "/mobile/vaccination",
        &["vaccination_coordinator", "vaccination_staff"],
    ),
    (
        "/shifts",
        &[
            "counter",
            "contact_centre",
            "case_handler",
            "hr",
            "fleet",
            "finance",
            "vaccination_coordinator",
            "vaccination_staff",
            "ict",
            "employee",
            "admin",
            "privacy_officer",
            "management",
        ],
    ),
    ("/staff/shifts", &["vaccination_coordinator"]),
    ("/staff/shifts.csv", &["vaccination_coordinator"]),
    ("/staff/shifts/roles", &["vaccination_coordinator"]),
    ("/staff/shifts/coverage", &["vaccination_coordinator"]),
    ("/staff/shifts/people", &["vaccination_coordinator"]),
    ("/privacy-officer", &["privacy_officer"]),
    ("/privacy-officer/requests", &["privacy_officer"]),
    ("/privacy-officer/requests.csv", &["privacy_officer"]),
    // A campaign made for the matrix (`griep`).
    (
        "/staff/vaccination/griep/invitations.csv",
        &["vaccination_coordinator"],
    ),
    (
        "/staff/vaccination/griep/reserve",
        &["vaccination_coordinator"],
    ),
    (
        "/staff/vaccination/griep/reserve.csv",
        &["vaccination_coordinator"],
    ),
    (
        "/staff/vaccination/griep/letters",
        &["vaccination_coordinator"],
    ),
    ("/staff/dashboard", &["management", "admin"]),
    (
        "/account/data",
        &[
            "resident",
            "counter",
            "contact_centre",
            "case_handler",
            "hr",
            "fleet",
            "finance",
            "vaccination_coordinator",
            "vaccination_staff",
            "employee",
            "ict",
            "admin",
            "privacy_officer",
            "management",
        ],
    ),
];

/// Every API route that needs a role, and the roles allowed.
/// Staff pages of one resident's file (`{resident}` is a resident made
/// for the matrix) and the roles that may open them.
const RESIDENT_MATRIX: &[(&str, &[&str])] = &[
    (
        "/staff/residents/{resident}",
        &["counter", "contact_centre", "case_handler"],
    ),
    (
        "/staff/residents/{resident}/cases.csv",
        &["counter", "contact_centre", "case_handler"],
    ),
];

const API_MATRIX: &[(&str, &[&str])] = &[
    ("/api/v1/users", &["admin"]),
    ("/api/v1/tokens", &["admin"]),
    ("/api/v1/audit", &["admin"]),
    ("/api/v1/access-log", &["admin"]),
    ("/api/v1/assets", &["ict"]),
    (
        "/api/v1/bike-reservations",
        &[
            "counter",
            "contact_centre",
            "case_handler",
            "hr",
            "fleet",
            "finance",
            "vaccination_coordinator",
            "vaccination_staff",
            "ict",
            "employee",
            "admin",
            "privacy_officer",
            "management",
        ],
    ),
    ("/api/v1/contact-moments", &["contact_centre", "admin"]),
    ("/api/v1/appointments", &["resident"]),
    (
        "/api/v1/departments/burgerzaken/forwards",
        &["contact_centre", "case_handler", "admin"],
    ),
    (
        "/api/v1/vaccination/campaigns",
        &["vaccination_coordinator"],
    ),
    (
        "/api/v1/shifts",
        &[
            "counter",
            "contact_centre",
            "case_handler",
            "hr",
            "fleet",
            "finance",
            "vaccination_coordinator",
            "vaccination_staff",
            "ict",
            "employee",
            "admin",
            "privacy_officer",
            "management",
        ],
    ),
    ("/api/v1/shift-coverage", &["vaccination_coordinator"]),
    ("/api/v1/dashboard", &["management", "admin"]),
];

const ROLES: &[&str] = &[
    "resident",
    "counter",
    "contact_centre",
    "case_handler",
    "hr",
    "fleet",
    "finance",
    "vaccination_coordinator",
    "vaccination_staff",
    "employee",
    "ict",
    "admin",
    "privacy_officer",
    "management",
];

#[tokio::test]
async fn route_role_matrix() {
    let app = TestApp::spawn().await;
    // The contact centre's departments (for the forwards route).
    loket::demo::contact::seed(&app.store).await.unwrap();
    // A contact moment (for its messages' page).
    sqlx::query(
        "INSERT INTO contact_moments (id, reference, channel, status, contact_name, contact_email, \
         subject, question, created_at, updated_at) \
         VALUES ('cm-matrix', 'CM-M', 'email', 'open', 'An', 'an@example.org', 'Verhuis', 'Waar?', 1, 1)",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    // A vaccination campaign (for its invitations' CSV and reserve list).
    {
        use crate::vaccination as vac;
        let loc = vac::location(&app).await;
        let coord = app
            .signed_in("matrix-coord@leuven.example", &["vaccination_coordinator"])
            .await;
        let start = vac::floor5(
            &vac::brussels_now()
                .checked_sub(jiff::Span::new().minutes(10))
                .unwrap(),
        );
        vac::campaign(
            &app,
            &coord,
            &loc,
            "griep",
            &vac::day_line(&start, 120),
            "1",
            "1",
            &vac::opened_an_hour_ago(),
            "1000",
        )
        .await;
    }
    // A resident (for the pages of a resident's file).
    let resident = resident(&app, "matrix-resident@example.org").await;
    let resident_pages: Vec<(String, &[&str])> = RESIDENT_MATRIX
        .iter()
        .map(|(p, roles)| (p.replace("{resident}", &resident), *roles))
        .collect();
    let anon = app.client();
    for (path, _) in &resident_pages {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "anonymous {path}");
    }
    for (path, _) in PAGE_MATRIX {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "anonymous {path}");
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login")
        );
    }
    for (path, _) in API_MATRIX {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "anonymous {path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    for role in ROLES {
        let email = format!("{role}@leuven.example");
        let c = app.signed_in(&email, &[role]).await;
        if *role != "resident" {
            // Need to know: the department of the forwards route below
            // (route_department_matrix in need.rs tests the other one).
            give_departments(&app, &email, &["burgerzaken"]).await;
        }
        let token = loket::cli::token_create(&app.config, &email, "matrix")
            .await
            .unwrap();
        for (path, allowed) in PAGE_MATRIX
            .iter()
            .copied()
            .chain(resident_pages.iter().map(|(p, roles)| (p.as_str(), *roles)))
        {
            let (status, _) = app.get(&c, path).await;
            let want = if allowed.contains(role) { 200 } else { 403 };
            assert_eq!(status, want, "{role} GET {path}");
        }
        for (path, allowed) in API_MATRIX {
            let r = app
                .client()
                .get(app.url(path))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let want = if allowed.contains(role) { 200 } else { 403 };
            assert_eq!(r.status().as_u16(), want, "{role} API {path}");
            if want == 403 {
                // The refusal says which roles would do.
                let p: Value = r.json().await.unwrap();
                let detail = p["detail"].as_str().unwrap_or_default();
                assert!(
                    allowed.iter().any(|a| detail.contains(a)),
                    "{role} API {path}: {p}"
                );
            }
        }
        // Every role may read itself.
        let r = app
            .client()
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let me: Value = r.json().await.unwrap();
        assert_eq!(me["roles"], json!([role]));
    }
    // State-changing admin forms refuse non-admins even with a valid token.
    let c = app.signed_in("hr2@leuven.example", &["hr"]).await;
    let (_, html) = app.get(&c, "/staff").await;
    let r = c
        .post(app.url("/admin/users/new"))
        .form(&[
            ("csrf", csrf_of(&html).as_str()),
            ("email", "x@leuven.example"),
            ("name", "X"),
            ("roles", "admin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        loket_store::people::find_by_email(&app.store, "x@leuven.example")
            .await
            .unwrap()
            .is_none()
    );
    app.stop().await;
}

#[tokio::test]
async fn tokens_authenticate_and_revoke() {
    let app = TestApp::spawn().await;
    app.signed_in("admin@leuven.example", &["admin"]).await;
    let admin_token = loket::cli::token_create(&app.config, "admin@leuven.example", "ops")
        .await
        .unwrap();
    app.signed_in("hr@leuven.example", &["hr"]).await;
    let hr_token = loket::cli::token_create(&app.config, "hr@leuven.example", "payroll")
        .await
        .unwrap();
    let c = app.client();
    let r = c
        .get(app.url("/api/v1/me"))
        .bearer_auth(&hr_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Only the hash is stored.
    let stored = app
        .count("SELECT COUNT(*) FROM api_tokens WHERE token_hash LIKE 'lkt_%'")
        .await;
    assert_eq!(stored, 0);

    let tokens: Value = c
        .get(app.url("/api/v1/tokens"))
        .bearer_auth(&admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = tokens["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "payroll")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = c
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = c
        .get(app.url("/api/v1/me"))
        .bearer_auth(&hr_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    // Revoking twice: not found.
    let r = c
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Garbage tokens.
    for bad in ["", "lkt_nope", "Basic abc"] {
        let r = c
            .get(app.url("/api/v1/me"))
            .header("authorization", bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{bad}");
    }
    // Audit rows for token creation and revocation.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'token.create'")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'token.revoke'")
            .await,
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn api_bad_input_is_problem_json_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.signed_in("admin@leuven.example", &["admin"]).await;
    let token = loket::cli::token_create(&app.config, "admin@leuven.example", "t")
        .await
        .unwrap();
    let c = app.client();
    let users = app.count("SELECT COUNT(*) FROM users").await;
    let audit = app.count("SELECT COUNT(*) FROM audit_log").await;

    // Unknown role and malformed e-mail: 422 with both fields named.
    let r = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .header("accept-language", "en")
        .json(&json!({"email": "nope", "name": "Tom", "roles": ["mayor"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "roles"]);
    assert_eq!(p["errors"][1]["code"], "role-unknown");
    assert!(
        p["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("E-mail address:")
    );

    // Too-short password.
    let r = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&json!({"email": "tom@leuven.example", "name": "Tom", "roles": ["hr"], "password": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["code"], "password-too-short");

    // Garbage JSON, wrong types, unknown fields, wrong content type.
    for (body, ctype, status) in [
        ("{not json", "application/json", 400),
        (
            "{\"email\": 5, \"name\": \"x\", \"roles\": []}",
            "application/json",
            422,
        ),
        (
            "{\"email\": \"a@b.be\", \"name\": \"x\", \"roles\": [], \"admin\": true}",
            "application/json",
            422,
        ),
        ("email=a", "text/plain", 415),
    ] {
        let r = c
            .post(app.url("/api/v1/users"))
            .bearer_auth(&token)
            .header("content-type", ctype)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{body}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["status"], status);
    }
    // An oversized body.
    let big = format!(
        "{{\"email\": \"a@b.be\", \"name\": \"{}\", \"roles\": [\"hr\"]}}",
        "x".repeat(200_000)
    );
    let r = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    // Bad query strings and wrong methods are problem documents too.
    let r = c
        .get(app.url("/api/v1/audit?limit=many"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = c
        .patch(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert!(r.headers().contains_key("allow"));

    // Unknown API paths are problem documents too.
    let r = c
        .get(app.url("/api/v1/nothing-here"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit);

    // And the good request works, and is audited.
    let r = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&json!({"email": "tom@leuven.example", "name": "Tom Maes", "roles": ["hr", "fleet"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let u: Value = r.json().await.unwrap();
    assert_eq!(u["roles"], json!(["hr", "fleet"]));
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit + 1);
    // Duplicate: a field error, not a 500.
    let r = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&json!({"email": "TOM@leuven.example", "name": "Tom", "roles": ["hr"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["code"], "email-taken");
    app.stop().await;
}

#[tokio::test]
async fn openapi_describes_every_api_route() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in paths {
        for m in ["get", "post", "put", "delete", "patch"] {
            if item.get(m).is_some() {
                documented.push(format!("{} {path}", m.to_uppercase()));
            }
        }
    }
    documented.sort();
    let mut expected = vec![
        "GET /api/v1/me",
        "GET /api/v1/users",
        "POST /api/v1/users",
        "PUT /api/v1/users/{id}/roles",
        "GET /api/v1/tokens",
        "DELETE /api/v1/tokens/{id}",
        "GET /api/v1/audit",
        "GET /api/v1/access-log",
        "GET /api/v1/people/{id}/export",
        "GET /api/v1/services",
        "GET /api/v1/services/{id}",
        "GET /api/v1/cases",
        "POST /api/v1/cases",
        "GET /api/v1/cases/{number}",
        "POST /api/v1/cases/{number}/transitions",
        "POST /api/v1/cases/{number}/messages",
        "GET /api/v1/cases/{number}/documents",
        "GET /api/v1/cases/{number}/documents/{id}",
        "GET /api/v1/verify/{code}",
        "GET /api/v1/appointment-slots",
        "GET /api/v1/appointments",
        "POST /api/v1/appointments",
        "GET /api/v1/appointments/{id}",
        "POST /api/v1/appointments/{id}/reschedule",
        "POST /api/v1/appointments/{id}/cancel",
        "POST /api/v1/appointments/{id}/no-show",
        "POST /api/v1/queue/check-ins",
        "POST /api/v1/queue/tickets",
        "GET /api/v1/queue/tickets/{id}",
        "POST /api/v1/desks/{id}/call-next",
        "POST /api/v1/desks/{id}/finish",
        "GET /api/v1/locations/{location}/occupancy",
        "GET /api/v1/locations/{location}/queue-events",
        "POST /api/v1/users/{id}/disable",
        "POST /api/v1/users/{id}/enable",
        "GET /api/v1/telework/days",
        "POST /api/v1/telework/days",
        "PUT /api/v1/telework/days/{date}",
        "DELETE /api/v1/telework/days/{date}",
        "GET /api/v1/telework/team",
        "POST /api/v1/telework/approvals",
        "POST /api/v1/telework/months/{month}/close",
        "GET /api/v1/telework/payroll/{month}",
        "GET /api/v1/bike-availability",
        "GET /api/v1/bike-reservations",
        "POST /api/v1/bike-reservations",
        "POST /api/v1/bike-reservations/{id}/pick-up",
        "POST /api/v1/bike-reservations/{id}/return",
        "GET /api/v1/assets",
        "GET /api/v1/assets/{id}",
        "POST /api/v1/assets/{id}/check-out",
        "POST /api/v1/assets/{id}/check-in",
        "GET /api/v1/kb/articles",
        "GET /api/v1/kb/articles/{slug}",
        "GET /api/v1/contact-moments",
        "POST /api/v1/contact-moments",
        "GET /api/v1/contact-moments/{id}",
        "GET /api/v1/departments/{slug}/forwards",
        "POST /api/v1/forwards/{id}/answer",
        "GET /api/v1/shifts",
        "POST /api/v1/shifts/{id}/sign-up",
        "POST /api/v1/shifts/{id}/cancel",
        "POST /api/v1/shifts/{id}/assignments",
        "GET /api/v1/shift-coverage",
        "GET /api/v1/vaccination/campaigns",
        "GET /api/v1/vaccination/campaigns/{c}/slots",
        "POST /api/v1/vaccination/campaigns/{c}/waiting-room",
        "POST /api/v1/vaccination/bookings",
        "POST /api/v1/vaccination/bookings/cancel",
        "POST /api/v1/vaccination/campaigns/{c}/reserve",
        "POST /api/v1/vaccination/campaigns/{c}/check-ins",
        "POST /api/v1/vaccination/campaigns/{c}/scans",
        "GET /api/v1/vaccination/campaigns/{c}/figures",
        "POST /api/v1/vaccination/mobile/sync",
        "GET /api/v1/dashboard",
    ];
    expected.sort();
    assert_eq!(documented, expected);
    // Every error answer is documented as a problem document, and every
    // operation with parameters or a body documents 422.
    for (path, item) in paths {
        for (m, op) in item.as_object().unwrap() {
            for (code, r) in op["responses"].as_object().unwrap() {
                if code.starts_with('4') || code.starts_with('5') {
                    assert!(
                        r["content"].get("application/problem+json").is_some()
                            && r["content"].get("application/json").is_none(),
                        "{m} {path} {code}: {r}"
                    );
                }
            }
            if op
                .get("parameters")
                .is_some_and(|p| p.as_array().is_some_and(|a| !a.is_empty()))
                || op.get("requestBody").is_some()
            {
                assert!(op["responses"].get("422").is_some(), "{m} {path}");
            }
        }
    }
    // Each request body names its own schema: the queue's and the assets'
    // check-ins once shared a name, and so the vaccination centre's fields.
    let body = |path: &str| {
        let r = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
            ["$ref"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        doc["components"]["schemas"][&r]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert!(body("/api/v1/queue/check-ins").contains(&"location".to_owned()));
    assert!(body("/api/v1/assets/{id}/check-in").contains(&"condition_note".to_owned()));
    assert!(body("/api/v1/vaccination/campaigns/{c}/check-ins").contains(&"code".to_owned()));
    // The event stream documents the event a client reads (data, event, id,
    // retry), with the snapshot as JSON text in `data`.
    assert_eq!(
        doc["paths"]["/api/v1/locations/{location}/queue-events"]["get"]["responses"]["200"]["content"]
            ["text/event-stream"]["schema"]["$ref"],
        "#/components/schemas/QueueEvent"
    );
    assert_eq!(
        doc["components"]["schemas"]["QueueEvent"]["properties"]["data"]["type"],
        "string"
    );
    // Each documented route answers (401 without a token, not 404); the
    // catalogue is public.
    for op in &expected {
        let (method, path) = op.split_once(' ').unwrap();
        if path.starts_with("/api/v1/services")
            || path.starts_with("/api/v1/verify")
            || path.starts_with("/api/v1/appointment-slots")
            || path.starts_with("/api/v1/locations/")
            || path.starts_with("/api/v1/kb/")
            || path.starts_with("/api/v1/vaccination/bookings")
            || path.ends_with("/slots")
            || path.ends_with("/waiting-room")
            || path.ends_with("/reserve")
        {
            continue;
        }
        let url = app.url(
            &path
                .replace("{id}", "x")
                .replace("{c}", "x")
                .replace("{number}", "2026-000001")
                .replace("{date}", "2026-11-02")
                .replace("{month}", "2026-10"),
        );
        let r = app
            .client()
            .request(method.parse().unwrap(), url)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{op}");
    }
    let (status, html) = app.get(&app.client(), "/api").await;
    assert_eq!(status, 200);
    assert!(html.contains("/api/v1/users/{id}/roles"));
    app.stop().await;
}

/// The served OpenAPI document is the one published in `docs/openapi.json`:
/// a change to the API shows up as a diff of that file. Run with
/// `LOKET_UPDATE_OPENAPI=1` to write the file after a deliberate change.
#[tokio::test]
async fn openapi_matches_the_published_document() {
    let app = TestApp::spawn().await;
    let served: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var_os("LOKET_UPDATE_OPENAPI").is_some() {
        let mut text = serde_json::to_string_pretty(&served).unwrap();
        text.push('\n');
        std::fs::write(&path, text).unwrap();
    }
    let published: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("docs/openapi.json"))
            .expect("docs/openapi.json is JSON");
    assert!(
        served == published,
        "/api/v1/openapi.json differs from docs/openapi.json; \
         if the change is deliberate, run the test with LOKET_UPDATE_OPENAPI=1 and commit the file"
    );
}
