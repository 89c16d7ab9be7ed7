//! Accounts that end and API tokens with an expiry and scopes (issue 15,
//! items 6 and 7), through the real HTTP server and database, on SQLite
//! and (with `LOKET_TEST_POSTGRES_URL`) PostgreSQL: disabling and enabling
//! an account, a removed role, the end-date worker and its mail to ICT, a
//! former manager's approval, expired tokens, scopes, and a password change
//! that keeps tokens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use loket_domain::audit::Actor;
use serde_json::{Value, json};

async fn me(app: &TestApp, token: &str) -> u16 {
    app.client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn user_id(app: &TestApp, email: &str) -> String {
    loket_store::people::find_by_email(&app.store, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A signed-in person with a token of their own.
async fn person_with_token(
    app: &TestApp,
    email: &str,
    roles: &[&str],
) -> (reqwest::Client, String) {
    let c = app.signed_in(email, roles).await;
    let t = loket::cli::token_create(&app.config, email, "test")
        .await
        .unwrap();
    (c, t)
}

#[tokio::test]
async fn a_disabled_account_is_refused_at_once_and_works_again_when_enabled() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@leuven.example", &["admin"]).await;
    let admin_token = loket::cli::token_create(&app.config, "admin@leuven.example", "ops")
        .await
        .unwrap();
    let (tom, tom_token) = person_with_token(&app, "tom@leuven.example", &["counter"]).await;
    let tom_id = user_id(&app, "tom@leuven.example").await;
    assert_eq!(app.get(&tom, "/staff").await.0, 200);
    assert_eq!(me(&app, &tom_token).await, 200);
    let page = format!("/admin/users/{tom_id}");
    let disable = format!("{page}/disable");

    // A reason is required; the input is kept and nothing changes.
    let r = app
        .submit(&admin, &page, &disable, &[("reason", " x ")])
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#reason\""), "{html}");
    assert!(
        html.contains("value=\"x\"") || html.contains("value=\" x \""),
        "input kept"
    );
    assert_eq!(app.get(&tom, "/staff").await.0, 200);
    assert_eq!(me(&app, &tom_token).await, 200);
    // Only admins disable; nobody disables their own account.
    let r = app
        .submit(&tom, "/staff", &disable, &[("reason", "no longer here")])
        .await;
    assert_eq!(r.status(), 403);
    let admin_id = user_id(&app, "admin@leuven.example").await;
    let (s, body) = api(
        &app,
        &admin_token,
        "POST",
        &format!("/api/v1/users/{admin_id}/disable"),
        json!({"reason": "testing"}),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "reason");

    // Disabled: the very next request of the session and of the token is
    // refused.
    let r = app
        .submit(&admin, &page, &disable, &[("reason", "left the service")])
        .await;
    assert_eq!(r.status(), 303);
    let (s, _) = app.get(&tom, "/staff").await;
    assert_eq!(s, 303, "the session no longer works");
    assert_eq!(me(&app, &tom_token).await, 401);
    // And the password no longer signs in.
    let fresh = app.client();
    let r = app
        .submit(
            &fresh,
            "/login",
            "/login",
            &[("email", "tom@leuven.example"), ("password", PASSWORD)],
        )
        .await;
    assert_ne!(r.status(), 303);
    let (_, html) = app.get(&admin, &page).await;
    assert!(html.contains("left the service"), "the page shows why");
    let (s, u) = api(&app, &admin_token, "GET", "/api/v1/users", json!(null)).await;
    assert_eq!(s, 200);
    let row = u["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == tom_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["disabled_reason"], "left the service");
    // Twice is a conflict.
    let (s, _) = api(
        &app,
        &admin_token,
        "POST",
        &format!("/api/v1/users/{tom_id}/disable"),
        json!({"reason": "again"}),
    )
    .await;
    assert_eq!(s, 409);

    // Enabled again (through the API): signing in works; the old token
    // stays revoked.
    let (s, body) = api(
        &app,
        &admin_token,
        "POST",
        &format!("/api/v1/users/{tom_id}/enable"),
        json!({"reason": "came back"}),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert!(body.get("disabled_at").is_none());
    assert_eq!(me(&app, &tom_token).await, 401, "old tokens stay revoked");
    let r = app
        .submit(
            &fresh,
            "/login",
            "/login",
            &[("email", "tom@leuven.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.get(&fresh, "/staff").await.0, 200);
    let new_token = loket::cli::token_create(&app.config, "tom@leuven.example", "again")
        .await
        .unwrap();
    assert_eq!(me(&app, &new_token).await, 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('user.disable', 'user.enable')")
            .await,
        2
    );
    app.stop().await;
}

#[tokio::test]
async fn removing_a_role_ends_the_sessions_adding_one_does_not() {
    let app = TestApp::spawn().await;
    let admin_token = token(&app, "admin@leuven.example", &["admin"]).await;
    let ann = app
        .signed_in("ann@leuven.example", &["counter", "hr"])
        .await;
    let bob = app.signed_in("bob@leuven.example", &["counter"]).await;
    let ann_id = user_id(&app, "ann@leuven.example").await;
    let bob_id = user_id(&app, "bob@leuven.example").await;
    let (s, _) = api(
        &app,
        &admin_token,
        "PUT",
        &format!("/api/v1/users/{bob_id}/roles"),
        json!({"roles": ["counter", "fleet"]}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        app.get(&bob, "/staff").await.0,
        200,
        "a role added keeps the session"
    );
    let (s, _) = api(
        &app,
        &admin_token,
        "PUT",
        &format!("/api/v1/users/{ann_id}/roles"),
        json!({"roles": ["counter"]}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        app.get(&ann, "/staff").await.0,
        303,
        "a role removed ends it"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE user_id IN (SELECT id FROM users WHERE email = 'ann@leuven.example')")
            .await,
        0
    );
    app.stop().await;
}

/// Adds a staff record (the HR import writes the same row).
async fn staff_record(
    app: &TestApp,
    no: &str,
    email: &str,
    manager: Option<&str>,
    end: Option<&str>,
) {
    loket_store::sqlx::query(
        "INSERT INTO staff_members (id, employee_no, name, email, department, manager_no, regime_percent, \
         telework_eligible, end_date, created_at, updated_at) VALUES ($1, $2, $3, $4, 'ICT', $5, 100, 1, $6, 0, 0)",
    )
    .bind(loket_store::new_id())
    .bind(no)
    .bind(format!("Person {no}"))
    .bind(email)
    .bind(manager.map(str::to_owned))
    .bind(end.map(str::to_owned))
    .execute(app.store.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn the_end_date_worker_disables_the_account_and_mails_ict_the_loans() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@leuven.example", &["admin"]).await;
    let (leaver, leaver_token) =
        person_with_token(&app, "leaver@leuven.example", &["employee"]).await;
    let (stayer, _) = person_with_token(&app, "stayer@leuven.example", &["employee"]).await;
    let leaver_id = user_id(&app, "leaver@leuven.example").await;
    // Dates ahead of today, so only the worker's step called here with a
    // date sees them due.
    let day = |n: i64| {
        loket_domain::calendar::today_brussels()
            .checked_add(jiff::Span::new().days(n))
            .unwrap()
            .to_string()
    };
    let (before, end, after) = (day(29), day(30), day(31));
    staff_record(&app, "E1", "leaver@leuven.example", None, Some(&end)).await;
    staff_record(&app, "E2", "stayer@leuven.example", None, Some(&day(45))).await;
    staff_record(&app, "E3", "nobody@leuven.example", None, Some(&day(1))).await;
    // The person sees the date on their own account page.
    let (_, html) = app.get(&leaver, "/account").await;
    assert!(html.contains(&format!("id=\"staff-end\">{end}")), "{html}");
    // Two laptops on loan to the leaver, one returned already.
    let mut ids = Vec::new();
    for tag in ["LT-0001", "LT-0002", "LT-0003"] {
        let mut tx = app.store.begin().await.unwrap();
        let id = loket_store::assets::add_asset(
            &mut tx,
            &Actor::System,
            &loket_domain::assets::NewAsset {
                category: "laptop",
                tag: tag.to_owned(),
                serial: format!("SN-{tag}"),
                model: "ThinkPad T14".to_owned(),
                purchase_date: "2025-01-10".to_owned(),
                price_cents: 120_000,
                location: "ICT-magazijn".to_owned(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        ids.push(id);
    }
    let mut tx = app.store.begin().await.unwrap();
    loket_store::assets::check_out(
        &mut tx,
        &Actor::System,
        &ids,
        &loket_store::assets::Borrower::Person(leaver_id.clone()),
        "2027-01-01",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = app.store.begin().await.unwrap();
    loket_store::assets::check_in(&mut tx, &Actor::System, &ids[2], "", "ICT-magazijn")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // The day before the end date: nothing happens.
    let state = loket_app::App::new(app.store.clone(), loket_app::Config::default());
    let e = loket_app::people::end_staff_records(&state, &before)
        .await
        .unwrap();
    assert_eq!(e.disabled, 0);
    assert_eq!(e.records, 1, "only the record without an account is due");
    assert_eq!(app.get(&leaver, "/telework").await.0, 200);
    // From the end date on: disabled, sessions and tokens end, ICT mailed.
    let e = loket_app::people::end_staff_records(&state, &end)
        .await
        .unwrap();
    assert_eq!((e.records, e.disabled, e.mails), (1, 1, 1));
    assert_eq!(app.get(&leaver, "/telework").await.0, 303);
    assert_eq!(me(&app, &leaver_token).await, 401);
    assert_eq!(app.get(&stayer, "/telework").await.0, 200);
    let mail = app.last_mail_to("ict@leuven.example").await;
    assert!(mail.subject.contains("Person E1"), "{}", mail.subject);
    assert!(
        mail.body.contains("LT-0001") && mail.body.contains("LT-0002"),
        "{}",
        mail.body
    );
    assert!(
        !mail.body.contains("LT-0003"),
        "returned equipment is not listed"
    );
    assert!(mail.body.contains(&end));
    // Handled once: a second run (or a second instance) does nothing more.
    let e = loket_app::people::end_staff_records(&state, &after)
        .await
        .unwrap();
    assert_eq!(e, loket_app::people::Endings::default());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE to_addr = 'ict@leuven.example'")
            .await,
        1
    );
    // The account page shows the end date and why the account is disabled.
    let (_, html) = app.get(&admin, &format!("/admin/users/{leaver_id}")).await;
    assert!(html.contains(&format!("id=\"staff-end\">{end}")), "{html}");
    assert!(html.contains(&format!("staff record ended on {end}")));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'user.disable' AND actor_kind = 'system'"
        )
        .await,
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn a_former_manager_cannot_approve_telework() {
    let app = TestApp::spawn().await;
    let boss = token(&app, "boss@leuven.example", &["employee"]).await;
    let other = token(&app, "other@leuven.example", &["employee"]).await;
    let _tine = token(&app, "tine@leuven.example", &["employee"]).await;
    staff_record(&app, "M1", "boss@leuven.example", None, None).await;
    staff_record(&app, "M2", "other@leuven.example", None, None).await;
    staff_record(&app, "T1", "tine@leuven.example", Some("M1"), None).await;
    let decide = |t: String| {
        let app = &app;
        async move {
            api(
                app,
                &t,
                "POST",
                "/api/v1/telework/approvals",
                json!({"employee_no": "T1", "month": "2026-01", "decision": "reject",
                       "comment": "no", "version": 0}),
            )
            .await
        }
    };
    assert_eq!(decide(other.clone()).await.0, 403, "not her manager");
    // Her manager moves on: another manager, and the old one is refused.
    loket_store::sqlx::query("UPDATE staff_members SET manager_no = 'M2' WHERE employee_no = 'T1'")
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(decide(boss.clone()).await.0, 403);
    // The new manager's employment ended (the account itself still works).
    loket_store::sqlx::query(
        "UPDATE staff_members SET end_date = '2026-01-01' WHERE employee_no = 'M2'",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    let (s, body) = decide(other.clone()).await;
    assert_eq!(s, 403, "{body}");
    // Employed again (end date in the future): the decision goes through
    // to the month's own rules (nothing registered yet: the version is 0
    // and a rejection with a comment is accepted or refused as a conflict,
    // never as forbidden).
    loket_store::sqlx::query(
        "UPDATE staff_members SET end_date = '2999-01-01' WHERE employee_no = 'M2'",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    let (s, body) = decide(other).await;
    assert_ne!(s, 403, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn tokens_expire_and_keep_to_their_scopes() {
    let app = TestApp::spawn().await;
    loket::cli::user_add(
        &app.config,
        "admin@leuven.example",
        "Admin",
        &["admin".into()],
        None,
    )
    .await
    .unwrap();
    let scoped = |days: i64, scopes: &[&str]| {
        let config = app.config.clone();
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        async move {
            loket::cli::token_create_with(&config, "admin@leuven.example", "t", days, &scopes).await
        }
    };
    // Bad lifetimes and scopes are refused, naming the option.
    let e = scoped(0, &[]).await.unwrap_err().to_string();
    assert!(e.contains("--expires-in-days"), "{e}");
    assert!(scoped(731, &[]).await.is_err());
    let e = scoped(7, &["cases:admin"]).await.unwrap_err().to_string();
    assert!(e.contains("--scope") && e.contains("cases:admin"), "{e}");
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, 0);

    let read_people = scoped(7, &["people:read"]).await.unwrap();
    let (s, _) = api(&app, &read_people, "GET", "/api/v1/users", json!(null)).await;
    assert_eq!(s, 200);
    assert_eq!(me(&app, &read_people).await, 200, "/me needs no scope");
    // A write outside the scopes: 403, naming the missing scope.
    let r = app
        .client()
        .put(app.url("/api/v1/users/x/roles"))
        .bearer_auth(&read_people)
        .json(&json!({"roles": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let www = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(
        www.contains("insufficient_scope") && www.contains("people:write"),
        "{www}"
    );
    let body: Value = r.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("people:write"),
        "{body}"
    );
    // Another context: also refused, in English when asked.
    let r = app
        .client()
        .get(app.url("/api/v1/audit"))
        .header("accept-language", "en")
        .bearer_auth(&read_people)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["detail"], "This token lacks the scope audit:read.");
    // The token list shows expiry and scopes.
    let all = scoped(90, &[]).await.unwrap();
    let (s, list) = api(&app, &all, "GET", "/api/v1/tokens", json!(null)).await;
    assert_eq!(s, 200);
    let first = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["scopes"] == json!(["people:read"]))
        .unwrap()
        .clone();
    let days =
        (first["expires_at"].as_i64().unwrap() - loket_store::now_ms()) as f64 / 86_400_000.0;
    assert!((6.9..7.01).contains(&days), "{days}");

    // Expired: refused with 401 from that moment.
    loket_store::sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE scopes = 'people:read'")
        .bind(loket_store::now_ms() - 1)
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(me(&app, &read_people).await, 401);
    assert_eq!(me(&app, &all).await, 200);
    app.stop().await;
}

#[tokio::test]
async fn the_admin_page_creates_a_token_with_expiry_and_scopes() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@leuven.example", &["admin"]).await;
    loket::cli::user_add(
        &app.config,
        "kiosk@leuven.example",
        "Kiosk",
        &["counter".into()],
        None,
    )
    .await
    .unwrap();
    let id = user_id(&app, "kiosk@leuven.example").await;
    let page = format!("/admin/users/{id}");
    let create = format!("{page}/tokens");
    // Every field refused at once, the input kept.
    let r = app
        .submit(
            &admin,
            &page,
            &create,
            &[
                ("name", "kiosk"),
                ("expires_in_days", "9999"),
                ("scopes", "city:read"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#expires_in_days\"") && html.contains("href=\"#scopes\""),
        "{html}"
    );
    assert!(html.contains("value=\"kiosk\"") && html.contains("value=\"9999\""));
    // No scope chosen.
    let r = app
        .submit(
            &admin,
            &page,
            &create,
            &[("name", "kiosk"), ("expires_in_days", "30")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, 0);
    let r = app
        .submit(
            &admin,
            &page,
            &create,
            &[
                ("name", "kiosk"),
                ("expires_in_days", "30"),
                ("scopes", "queue:read"),
                ("scopes", "queue:write"),
            ],
        )
        .await;
    assert_eq!(r.status(), 201);
    let (stored, expires): (String, i64) = {
        use loket_store::sqlx::Row;
        let r = loket_store::sqlx::query("SELECT scopes, expires_at FROM api_tokens")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        (r.get("scopes"), r.get("expires_at"))
    };
    assert_eq!(stored, "queue:read queue:write");
    let days = (expires - loket_store::now_ms()) as f64 / 86_400_000.0;
    assert!((29.9..30.01).contains(&days), "{days}");
    // Default lifetime: 90 days.
    let r = app
        .submit(
            &admin,
            &page,
            &create,
            &[("name", "other"), ("scopes", "cases:read")],
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'token.create'")
            .await,
        2
    );
    app.stop().await;
}

#[tokio::test]
async fn changing_the_password_keeps_the_tokens() {
    let app = TestApp::spawn().await;
    let (c, t) = person_with_token(&app, "pat@leuven.example", &["counter"]).await;
    let new = "a brand new passphrase";
    let r = app
        .submit(
            &c,
            "/account",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", new),
                ("password_repeat", new),
            ],
        )
        .await;
    assert!(
        r.status().is_redirection() || r.status() == 200,
        "{}",
        r.status()
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.password'")
            .await,
        1
    );
    assert_eq!(me(&app, &t).await, 200, "the token still works");
    app.stop().await;
}

/// Session reads are batched in a rush (`loket_app::coalesce`): twelve
/// residents open their account page at the same moment, with a
/// signed-out client and a client whose account was just disabled among
/// them. Each page is its own person's, never another's, and the ended
/// sessions get no page.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions_read_together_stay_apart_and_ended_ones_stay_ended() {
    let app = TestApp::spawn().await;
    let n = 12;
    let mut clients = Vec::new();
    for i in 0..n {
        clients.push(
            app.signed_in(&format!("batch{i}@example.org"), &["resident"])
                .await,
        );
    }
    let gone = app.signed_in("gone@example.org", &["resident"]).await;
    let id: String =
        loket_store::sqlx::query_scalar("SELECT id FROM users WHERE email = 'gone@example.org'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    let admin = token(&app, "admin@leuven.example", &["admin"]).await;
    let (s, p) = api(
        &app,
        &admin,
        "POST",
        &format!("/api/v1/users/{id}/disable"),
        json!({ "reason": "Verhuisd naar het buitenland" }),
    )
    .await;
    assert_eq!(s, 200, "{p}");
    clients.push(gone);
    clients.push(app.client());
    let url = app.url("/account");
    let pages = race(clients.len(), |i| {
        let c = clients[i].clone();
        let url = url.clone();
        async move {
            let r = c.get(&url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap_or_default())
        }
    })
    .await;
    for (i, (status, body)) in pages.iter().enumerate() {
        if i < n {
            assert_eq!(*status, 200, "client {i}");
            assert!(
                body.contains(&format!("batch{i}@example.org")),
                "client {i}"
            );
            for j in (0..n).filter(|j| *j != i) {
                assert!(
                    !body.contains(&format!("batch{j}@example.org")),
                    "client {i} was shown {j}"
                );
            }
        } else {
            assert!(
                !body.contains("gone@example.org") && !body.contains("batch"),
                "ended or absent session {i} got a person's page (status {status})"
            );
        }
    }
    app.stop().await;
}
