//! Accounts through the real HTTP server and database: registration, e-mail
//! confirmation through the outbox, sign-in, sign-out, password reset, CSRF,
//! throttling, bad input, and the audit rows written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;

#[tokio::test]
async fn register_confirm_login_logout() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let email = "an.peeters@example.org";
    let r = app
        .submit(
            &c,
            "/register",
            "/register",
            &[
                ("email", email),
                ("name", "An Peeters"),
                ("password", PASSWORD),
                ("password_repeat", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Bevestig uw e-mailadres"));

    // Not confirmed yet: sign-in is refused with a clear message.
    let r = app
        .submit(
            &c,
            "/login",
            "/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Bevestig eerst uw e-mailadres")
    );

    // The confirmation mail is in the outbox, in the same transaction.
    let mail = app.last_mail_to(email).await;
    assert!(mail.subject.contains("Bevestig"), "{}", mail.subject);
    let link = link_in(&mail.body, &app.url("/confirm/"));
    let path = link.trim_start_matches(&app.base);
    let (status, body) = app.get(&c, path).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("bevestigd"));
    // Single use.
    let (status, _) = app.get(&c, path).await;
    assert_eq!(status, 410);

    let r = app
        .submit(
            &c,
            "/login",
            "/login",
            &[("email", "An.Peeters@Example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/account");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("loket_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (status, body) = app.get(&c, "/account").await;
    assert_eq!(status, 200);
    assert!(body.contains("An Peeters") && body.contains(email));

    // Sign out: the session is gone on the server.
    let (_, html) = app.get(&c, "/account").await;
    let r = c
        .post(app.url("/logout"))
        .form(&[("csrf", csrf_of(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
            .await,
        0
    );

    // The audit log has the account's story.
    let rows = loket_store::audit::list_audit(
        &app.store,
        &loket_store::audit::Filter {
            record_type: Some("user".into()),
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert!(
        actions.contains(&"user.create") && actions.contains(&"user.confirm_email"),
        "{actions:?}"
    );
    assert!(
        rows.iter()
            .all(|r| !r.after.clone().unwrap_or_default().contains("argon2"))
    );
    app.stop().await;
}

#[tokio::test]
async fn password_reset_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let email = "julie@example.org";
    let old_session = app.signed_in(email, &["resident"]).await;
    let c = app.client();
    let r = app
        .submit(
            &c,
            "/password/forgot",
            "/password/forgot",
            &[("email", email)],
        )
        .await;
    assert_eq!(r.status(), 200);
    // Unknown addresses get the same answer and no mail.
    let r = app
        .submit(
            &c,
            "/password/forgot",
            "/password/forgot",
            &[("email", "nobody@example.org")],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE to_addr = 'nobody@example.org'")
            .await,
        0
    );

    let mail = app.last_mail_to(email).await;
    let link = link_in(&mail.body, &app.url("/password/reset/"));
    let path = link.trim_start_matches(&app.base).to_owned();
    // Mismatched passwords: refused, the link still works.
    let r = app
        .submit(
            &c,
            &path,
            &path,
            &[
                ("password", "new password 2026"),
                ("password_repeat", "other"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("niet gelijk"));
    let r = app
        .submit(
            &c,
            &path,
            &path,
            &[
                ("password", "new password 2026"),
                ("password_repeat", "new password 2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let (status, _) = app.get(&c, &path).await;
    assert_eq!(status, 410, "a reset link works once");
    // The old session was ended.
    let r = old_session.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    // Old password refused, new one accepted.
    let r = app
        .submit(
            &c,
            "/login",
            "/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .submit(
            &c,
            "/login",
            "/login",
            &[("email", email), ("password", "new password 2026")],
        )
        .await;
    assert_eq!(r.status(), 303);
    app.stop().await;
}

#[tokio::test]
async fn bad_registrations_keep_input_and_change_nothing() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let users_before = app.count("SELECT COUNT(*) FROM users").await;
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (
            &[
                ("email", "not-an-email"),
                ("name", "Jan Keepme"),
                ("password", PASSWORD),
                ("password_repeat", PASSWORD),
            ],
            "geldig e-mailadres",
            "Jan Keepme",
        ),
        (
            &[
                ("email", "jan@example.org"),
                ("name", "Jan Keepme"),
                ("password", "short"),
                ("password_repeat", "short"),
            ],
            "minstens 10 tekens",
            "jan@example.org",
        ),
        (
            &[
                ("email", "jan@example.org"),
                ("name", ""),
                ("password", PASSWORD),
                ("password_repeat", PASSWORD),
            ],
            "Naam: vul dit veld in",
            "jan@example.org",
        ),
    ];
    for (fields, message, kept) in cases {
        let r = app.submit(&c, "/register", "/register", fields).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains(message), "{message} not in {html}");
        assert!(
            html.contains(&format!("value=\"{kept}\"")),
            "input {kept} not kept"
        );
        assert!(html.contains("error-summary") && html.contains("aria-invalid=\"true\""));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users_before);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);

    // A duplicate e-mail address, in any case, is a field error.
    app.signed_in("dup@example.org", &["resident"]).await;
    let users = app.count("SELECT COUNT(*) FROM users").await;
    let r = app
        .submit(
            &c,
            "/register",
            "/register",
            &[
                ("email", "DUP@example.org"),
                ("name", "Dup"),
                ("password", PASSWORD),
                ("password_repeat", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("bestaat al een account"));
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users);

    // In English when asked.
    let c_en = app.client();
    let (_, _) = app.get(&c_en, "/lang/en?next=/register").await;
    let r = app
        .submit(
            &c_en,
            "/register",
            "/register",
            &[
                ("email", "x"),
                ("name", "X"),
                ("password", PASSWORD),
                ("password_repeat", PASSWORD),
            ],
        )
        .await;
    let html = r.text().await.unwrap();
    assert!(
        html.contains("E-mail address: enter a valid e-mail address"),
        "{html}"
    );
    assert!(html.contains("<html lang=\"en\">"));
    app.stop().await;
}

#[tokio::test]
async fn posts_without_csrf_token_change_nothing() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let _ = app.get(&c, "/register").await; // has a session, but sends no token
    let fields = [
        ("email", "forged@example.org"),
        ("name", "Forged"),
        ("password", PASSWORD),
        ("password_repeat", PASSWORD),
    ];
    let r = c
        .post(app.url("/register"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Formulier verlopen"));
    let mut wrong = fields.to_vec();
    wrong.push(("csrf", "0000"));
    let r = c
        .post(app.url("/register"))
        .form(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // A cross-site POST is refused by the Origin / Sec-Fetch-Site wall too.
    let (_, html) = app.get(&c, "/register").await;
    let mut ok = fields.to_vec();
    let token = csrf_of(&html);
    ok.push(("csrf", &token));
    let r = c
        .post(app.url("/register"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn failed_logins_are_throttled_per_account() {
    let app = TestApp::spawn().await;
    let email = "target@example.org";
    app.signed_in(email, &["resident"]).await;
    let c = app.client();
    for _ in 0..5 {
        let r = app
            .submit(
                &c,
                "/login",
                "/login",
                &[("email", email), ("password", "wrong password!")],
            )
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("klopt niet"));
        assert!(html.contains(&format!("value=\"{email}\"")), "e-mail kept");
    }
    // Now even the right password is refused, with a clear message.
    let r = app
        .submit(
            &c,
            "/login",
            "/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 429);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Te veel mislukte pogingen")
    );
    // Another account from the same address still works (per-IP limit is higher).
    app.signed_in("other@example.org", &["resident"]).await;
    app.stop().await;
}

#[tokio::test]
async fn staff_view_of_a_resident_is_access_logged() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@example.org", &["admin"]).await;
    app.signed_in("resident@example.org", &["resident"]).await;
    let (status, html) = app
        .get(&admin, "/admin/users?q=resident%40example.org")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("resident@example.org"));
    let rows = loket_store::audit::list_access(
        &app.store,
        &loket_store::audit::Filter {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].purpose, "admin.user_search");
    let resident = loket_store::people::find_by_email(&app.store, "resident@example.org")
        .await
        .unwrap()
        .unwrap();
    let (status, _) = app
        .get(&admin, &format!("/admin/users/{}", resident.id))
        .await;
    assert_eq!(status, 200);
    // The admin reads the access log filtered by the person.
    let (status, html) = app
        .get(&admin, &format!("/admin/access-log?person={}", resident.id))
        .await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("admin.user_").count(), 2, "{html}");
    // Viewing a staff account is not a read of residents' data.
    let staff = loket_store::people::find_by_email(&app.store, "admin@example.org")
        .await
        .unwrap()
        .unwrap();
    app.get(&admin, &format!("/admin/users/{}", staff.id)).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM access_log").await, 2);
    app.stop().await;
}

#[tokio::test]
async fn admin_creates_staff_and_sets_roles() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@example.org", &["admin"]).await;
    let (_, html) = app.get(&admin, "/admin/users/new").await;
    let csrf = csrf_of(&html);
    // Unknown role and no name: refused, input kept, nothing created.
    let users = app.count("SELECT COUNT(*) FROM users").await;
    let r = admin
        .post(app.url("/admin/users/new"))
        .body(format!(
            "csrf={csrf}&email=tom%40leuven.example&name=&roles=mayor"
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("value=\"tom@leuven.example\"") && html.contains("kies rollen uit de lijst"),
        "{html}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users);
    // Two roles, no password: a welcome mail with a link is queued.
    let r = admin
        .post(app.url("/admin/users/new"))
        .body(format!(
            "csrf={csrf}&email=tom%40leuven.example&name=Tom+Maes&roles=counter&roles=hr"
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let tom = loket_store::people::find_by_email(&app.store, "tom@leuven.example")
        .await
        .unwrap()
        .unwrap();
    let roles: Vec<&str> = tom.roles.iter().map(|r| r.as_str()).collect();
    assert_eq!(roles, ["counter", "hr"]);
    let mail = app.last_mail_to("tom@leuven.example").await;
    assert!(mail.body.contains("/password/reset/"));
    // Change roles; the audit row has before and after.
    let r = admin
        .post(app.url(&format!("/admin/users/{}/roles", tom.id)))
        .body(format!("csrf={csrf}&roles=fleet"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let rows = loket_store::audit::list_audit(
        &app.store,
        &loket_store::audit::Filter {
            record_id: Some(tom.id.clone()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let change = rows.iter().find(|r| r.action == "user.roles").unwrap();
    assert!(change.before.as_deref().unwrap().contains("counter"));
    assert!(change.after.as_deref().unwrap().contains("fleet"));
    app.stop().await;
}
