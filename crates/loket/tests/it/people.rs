//! Accounts through the real HTTP server and database: registration, e-mail
//! confirmation through the outbox, sign-in, sign-out, password reset, CSRF,
//! throttling, bad input, and the audit rows written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use serde_json::json;

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
    // A mail scanner's GET shows the button and uses nothing up.
    let (status, body) = app.get(&c, path).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<form method=\"post\""), "{body}");
    let (status, _) = app.get(&c, path).await;
    assert_eq!(status, 200);
    assert!(!user_of(&app, email).await.is_confirmed());
    let (_, status, body) = app.confirm_link(&c, &link).await;
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

    // A known e-mail address, in any case, gets the same answer as a new
    // one (the form reveals no accounts); its owner is told by mail.
    app.signed_in("dup@example.org", &["resident"]).await;
    let users = app.count("SELECT COUNT(*) FROM users").await;
    let register = |email: &'static str| {
        let app = &app;
        let c = c.clone();
        async move {
            let r = app
                .submit(
                    &c,
                    "/register",
                    "/register",
                    &[
                        ("email", email),
                        ("name", "Dup"),
                        ("password", PASSWORD),
                        ("password_repeat", PASSWORD),
                    ],
                )
                .await;
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (s, known) = register("DUP@example.org").await;
    assert_eq!(s, 200, "{known}");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users);
    let mail = app.last_mail_to("dup@example.org").await;
    assert!(
        mail.subject.contains("Registratie met uw e-mailadres"),
        "{}",
        mail.subject
    );
    assert!(mail.body.contains("/password/forgot"), "{}", mail.body);
    let (s, unknown) = register("new@example.org").await;
    assert_eq!(s, 200);
    assert_eq!(known, unknown, "the answer reveals no accounts");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users + 1);

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

/// Failed sign-ins slow down one account from one address, progressively,
/// but never lock the owner out: from another address the account signs in
/// as usual. Each failure is counted in the database.
#[tokio::test]
async fn failed_logins_slow_down_the_address_not_the_owner() {
    // Requests from 127.0.0.1 may name the client in X-Forwarded-For.
    let app = TestApp::spawn_with(|c| c.trusted_proxies = vec!["127.0.0.1".to_owned()]).await;
    let email = "target@example.org";
    app.signed_in(email, &["resident"]).await;
    let attacker = app.client();
    let attempt = |c: &reqwest::Client, ip: &'static str, password: &'static str| {
        let app = &app;
        let c = c.clone();
        async move {
            let (_, html) = app.get(&c, "/login").await;
            let r = c
                .post(app.url("/login"))
                .header("x-forwarded-for", ip)
                .form(&[
                    ("email", email),
                    ("password", password),
                    ("csrf", &csrf_of(&html)),
                ])
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    for _ in 0..5 {
        let (s, html) = attempt(&attacker, "203.0.113.9", "wrong password!").await;
        assert_eq!(s, 422);
        assert!(html.contains("klopt niet"));
        assert!(html.contains(&format!("value=\"{email}\"")), "e-mail kept");
    }
    // From that address, even the right password now waits, with a clear
    // message.
    let (s, html) = attempt(&attacker, "203.0.113.9", PASSWORD).await;
    assert_eq!(s, 429);
    assert!(html.contains("Te veel mislukte pogingen"), "{html}");
    assert!(html.contains("seconden"), "{html}");
    // The owner, elsewhere, is not locked out.
    let owner = app.client();
    let (s, _) = attempt(&owner, "198.51.100.7", PASSWORD).await;
    assert_eq!(s, 303, "the owner signs in from another address");
    // The delay doubles: after the 6th failure it is 4 seconds.
    loket_store::sqlx::query("UPDATE login_failures SET at = at - 3000")
        .execute(app.store.pool())
        .await
        .unwrap();
    let (s, _) = attempt(&attacker, "203.0.113.9", "wrong again!!").await;
    assert_eq!(s, 422);
    let (s, _) = attempt(&attacker, "203.0.113.9", PASSWORD).await;
    assert_eq!(s, 429);
    loket_store::sqlx::query("UPDATE login_failures SET at = at - 5000")
        .execute(app.store.pool())
        .await
        .unwrap();
    let (s, _) = attempt(&attacker, "203.0.113.9", PASSWORD).await;
    assert_eq!(s, 303, "after the delay the right password works");
    // Another account from the same address still works.
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

async fn user_of(app: &TestApp, email: &str) -> loket_store::people::User {
    loket_store::people::find_by_email(&app.store, email)
        .await
        .unwrap()
        .unwrap()
}

async fn login(app: &TestApp, email: &str, password: &str) -> (u16, reqwest::Client) {
    let c = app.client();
    let r = app
        .submit(
            &c,
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await;
    (r.status().as_u16(), c)
}

/// Someone who lost the confirmation mail asks for a new link: a bad
/// address is refused, an unknown one gets the same answer and no mail, and
/// a confirmed account gets no new link.
#[tokio::test]
async fn resend_confirmation_sends_a_new_link() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let email = "lies@example.org";
    let r = app
        .submit(
            &c,
            "/register",
            "/register",
            &[
                ("email", email),
                ("name", "Lies Claes"),
                ("password", PASSWORD),
                ("password_repeat", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let first = app.last_mail_to(email).await;
    let to_lies = "SELECT COUNT(*) FROM outbox WHERE to_addr = 'lies@example.org'";
    assert_eq!(app.count(to_lies).await, 1);
    let resend = |address: &'static str| {
        let app = &app;
        let c = c.clone();
        async move {
            let r = app
                .submit(
                    &c,
                    "/confirm/resend",
                    "/confirm/resend",
                    &[("email", address)],
                )
                .await;
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (s, html) = resend("lies-at-example.org").await;
    assert_eq!(s, 422);
    assert!(
        html.contains("href=\"#email\"") && html.contains("value=\"lies-at-example.org\""),
        "{html}"
    );
    let (s, unknown) = resend("nobody@example.org").await;
    assert_eq!(s, 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE to_addr = 'nobody@example.org'")
            .await,
        0
    );
    let (s, known) = resend(email).await;
    assert_eq!(s, 200);
    assert_eq!(known, unknown, "the answer reveals no accounts");
    assert_eq!(app.count(to_lies).await, 2);
    let second = app.last_mail_to(email).await;
    assert_ne!(second.id, first.id);
    let link = link_in(&second.body, &app.url("/confirm/"));
    let (_, s, html) = app.confirm_link(&c, &link).await;
    assert_eq!(s, 200, "{html}");
    assert!(user_of(&app, email).await.is_confirmed());
    // Confirmed: no new link.
    let (s, _) = resend(email).await;
    assert_eq!(s, 200);
    assert_eq!(app.count(to_lies).await, 2);
    app.stop().await;
}

/// My account: the password changes only with the current one and a
/// matching repeat, and other sessions end; the language is one of the
/// offered ones and is kept on the account.
#[tokio::test]
async fn my_account_changes_the_password_and_the_language() {
    let app = TestApp::spawn().await;
    let email = "sara@example.org";
    let c = app.signed_in(email, &["resident"]).await;
    let (s, other) = login(&app, email, PASSWORD).await;
    assert_eq!(s, 303);
    let new = "new password 2026";
    let change = |current: &'static str, repeat: &'static str| {
        let app = &app;
        let c = c.clone();
        async move {
            let r = app
                .submit(
                    &c,
                    "/account",
                    "/account/password",
                    &[
                        ("current_password", current),
                        ("password", new),
                        ("password_repeat", repeat),
                    ],
                )
                .await;
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (s, html) = change("wrong password", new).await;
    assert_eq!(s, 422);
    assert!(html.contains("href=\"#current_password\""), "{html}");
    let (s, html) = change(PASSWORD, "something else").await;
    assert_eq!(s, 422);
    assert!(html.contains("href=\"#password_repeat\""), "{html}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.password'")
            .await,
        0
    );
    let (s, html) = change(PASSWORD, new).await;
    assert_eq!(s, 200);
    assert!(html.contains("Uw wachtwoord is gewijzigd"), "{html}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.password'")
            .await,
        1
    );
    // This session goes on, the other one ended.
    assert_eq!(app.get(&c, "/account").await.0, 200);
    assert_eq!(app.get(&other, "/account").await.0, 303);
    assert_eq!(login(&app, email, PASSWORD).await.0, 422);
    assert_eq!(login(&app, email, new).await.0, 303);

    // The language.
    let r = app
        .submit(&c, "/account", "/account/language", &[("locale", "fr")])
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("href=\"#locale\""));
    assert_eq!(user_of(&app, email).await.locale, "nl");
    let r = app
        .submit(&c, "/account", "/account/language", &[("locale", "en")])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/account");
    assert_eq!(user_of(&app, email).await.locale, "en");
    let (_, html) = app.get(&c, "/account").await;
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("My account"),
        "{html}"
    );
    app.stop().await;
}

/// An admin creates an API token for an account (the secret shown once)
/// and revokes it; an empty name, an unknown account and other roles are
/// refused.
#[tokio::test]
async fn admin_creates_and_revokes_an_api_token() {
    use loket_store::sqlx::Row;
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@example.org", &["admin"]).await;
    loket::cli::user_add(
        &app.config,
        "robot@leuven.example",
        "Kiosk Robot",
        &["counter".into()],
        None,
    )
    .await
    .unwrap();
    let robot = user_of(&app, "robot@leuven.example").await.id;
    let page = format!("/admin/users/{robot}");
    let create = format!("{page}/tokens");
    let tokens = "SELECT COUNT(*) FROM api_tokens";
    let r = app.submit(&admin, &page, &create, &[("name", "  ")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("href=\"#name\""));
    let hr = app.signed_in("hr@example.org", &["hr"]).await;
    let r = app
        .submit(&hr, "/staff", &create, &[("name", "kiosk")])
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .submit(
            &admin,
            &page,
            "/admin/users/nope/tokens",
            &[("name", "kiosk")],
        )
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(app.count(tokens).await, 0);

    let r = app
        .submit(
            &admin,
            &page,
            &create,
            &[("name", "kiosk"), ("scopes", "people:read")],
        )
        .await;
    assert_eq!(r.status(), 201);
    let html = r.text().await.unwrap();
    let marker = "<code class=\"secret\">";
    let i = html.find(marker).expect("the secret is shown") + marker.len();
    let secret = html[i..i + html[i..].find('<').unwrap()].to_owned();
    assert!(
        !app.get(&admin, &page).await.1.contains(&secret),
        "shown once"
    );
    let me = |secret: String| {
        let app = &app;
        async move {
            let r = app
                .client()
                .get(app.url("/api/v1/me"))
                .bearer_auth(secret)
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            (s, r.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let (s, who) = me(secret.clone()).await;
    assert_eq!(s, 200);
    assert_eq!(who["email"], "robot@leuven.example");

    let id: String = loket_store::sqlx::query("SELECT id FROM api_tokens")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get(0);
    let revoke = format!("/admin/tokens/{id}/revoke");
    let r = app.submit(&hr, "/staff", &revoke, &[]).await;
    assert_eq!(r.status(), 403);
    assert_eq!(me(secret.clone()).await.0, 200);
    let r = app.submit(&admin, "/admin/users", &revoke, &[]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/admin/tokens");
    assert_eq!(me(secret.clone()).await.0, 401);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('token.create', 'token.revoke')"
        )
        .await,
        2
    );
    let r = app.submit(&admin, "/admin/users", &revoke, &[]).await;
    assert_eq!(r.status(), 404, "revoked already");
    app.stop().await;
}

/// The API replaces an account's roles (admin only, audited); an unknown
/// role, an admin dropping their own admin role and an unknown account are
/// refused and change nothing.
#[tokio::test]
async fn the_api_replaces_an_accounts_roles() {
    let app = TestApp::spawn().await;
    let admin = token(&app, "admin@example.org", &["admin"]).await;
    let hr = token(&app, "hr@example.org", &["hr"]).await;
    loket::cli::user_add(
        &app.config,
        "tom@leuven.example",
        "Tom Maes",
        &["counter".into()],
        None,
    )
    .await
    .unwrap();
    let tom = user_of(&app, "tom@leuven.example").await.id;
    let roles_of = |email: &'static str| {
        let app = &app;
        async move {
            let mut r: Vec<String> = user_of(app, email)
                .await
                .roles
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect();
            r.sort();
            r
        }
    };
    let path = format!("/api/v1/users/{tom}/roles");
    let (s, _) = api(&app, &hr, "PUT", &path, json!({"roles": ["admin"]})).await;
    assert_eq!(s, 403);
    let (s, p) = api(
        &app,
        &admin,
        "PUT",
        &path,
        json!({"roles": ["fleet", "mayor"]}),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["code"], "role-unknown", "{p}");
    // The error names the request's field, and its message lists every
    // role there is to choose from.
    assert_eq!(p["errors"][0]["field"], "roles", "{p}");
    let detail = p["errors"][0]["detail"].as_str().unwrap_or_default();
    for r in loket_domain::people::Role::ALL {
        assert!(
            detail.contains(r.as_str()),
            "{} missing in {detail}",
            r.as_str()
        );
    }
    assert_eq!(roles_of("tom@leuven.example").await, ["counter"]);
    let (s, out) = api(
        &app,
        &admin,
        "PUT",
        &path,
        json!({"roles": ["hr", "fleet"]}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    let mut got: Vec<&str> = out["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    got.sort();
    assert_eq!(got, ["fleet", "hr"]);
    assert_eq!(roles_of("tom@leuven.example").await, ["fleet", "hr"]);
    let rows = loket_store::audit::list_audit(
        &app.store,
        &loket_store::audit::Filter {
            record_id: Some(tom.clone()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let change = rows.iter().find(|r| r.action == "user.roles").unwrap();
    assert!(change.before.as_deref().unwrap().contains("counter"));
    assert!(change.after.as_deref().unwrap().contains("fleet"));
    // An admin may not drop their own admin role.
    let me = user_of(&app, "admin@example.org").await.id;
    let (s, p) = api(
        &app,
        &admin,
        "PUT",
        &format!("/api/v1/users/{me}/roles"),
        json!({"roles": ["hr"]}),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["code"], "role-self-admin");
    assert_eq!(roles_of("admin@example.org").await, ["admin"]);
    let (s, _) = api(
        &app,
        &admin,
        "PUT",
        "/api/v1/users/nope/roles",
        json!({"roles": ["hr"]}),
    )
    .await;
    assert_eq!(s, 404);
    app.stop().await;
}

/// The mail-sending forms are limited per IP address (429, a clear message
/// in the visitor's language, the input kept, `Retry-After`) and per
/// recipient (the same answer, but no more mail), counted in the database.
#[tokio::test]
async fn fifty_forgot_password_posts_get_429_and_few_mails() {
    let app = TestApp::spawn_with(|c| c.trusted_proxies = vec!["127.0.0.1".to_owned()]).await;
    app.signed_in("victim@example.org", &["resident"]).await;
    let per_ip = loket_domain::limits::MAIL_FORMS_PER_IP.max;
    let per_recipient = loket_domain::limits::MAIL_PER_RECIPIENT.max;
    let post = |c: &reqwest::Client, path: &'static str, ip: String, email: &'static str| {
        let app = &app;
        let c = c.clone();
        async move {
            let (_, html) = app.get(&c, path).await;
            let r = c
                .post(app.url(path))
                .header("x-forwarded-for", ip)
                .form(&[("email", email), ("csrf", &csrf_of(&html))])
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let retry = r.headers().get("retry-after").is_some();
            (status, retry, r.text().await.unwrap())
        }
    };
    let c = app.client();
    let mut statuses = Vec::new();
    for _ in 0..50 {
        let (s, retry, html) = post(
            &c,
            "/password/forgot",
            "203.0.113.5".to_owned(),
            "victim@example.org",
        )
        .await;
        if s == 429 {
            assert!(retry, "Retry-After");
            assert!(html.contains("Probeer het opnieuw over"), "{html}");
            assert!(html.contains("value=\"victim@example.org\""), "input kept");
        }
        statuses.push(s);
    }
    let limit = usize::try_from(per_ip).unwrap();
    assert!(statuses[..limit].iter().all(|s| *s == 200), "{statuses:?}");
    assert!(statuses[limit..].iter().all(|s| *s == 429), "{statuses:?}");
    let to_victim = "SELECT COUNT(*) FROM outbox WHERE to_addr = 'victim@example.org'";
    assert_eq!(app.count(to_victim).await, per_recipient);
    // The other forms share the per-IP limit.
    let (s, _, _) = post(
        &c,
        "/confirm/resend",
        "203.0.113.5".to_owned(),
        "x@example.org",
    )
    .await;
    assert_eq!(s, 429);
    // From many addresses, the recipient still gets no more mail.
    for i in 0..5 {
        let (s, _, _) = post(
            &c,
            "/password/forgot",
            format!("198.51.100.{i}"),
            "victim@example.org",
        )
        .await;
        assert_eq!(s, 200);
    }
    assert_eq!(app.count(to_victim).await, per_recipient);
    // In English when asked.
    let en = app.client();
    app.get(&en, "/lang/en?next=/").await;
    let (s, _, html) = post(
        &en,
        "/password/forgot",
        "203.0.113.5".to_owned(),
        "victim@example.org",
    )
    .await;
    assert_eq!(s, 429);
    assert!(html.contains("Try again in"), "{html}");
    app.stop().await;
}

/// A session ends after its absolute lifetime (12 hours by default),
/// however much it was used.
#[tokio::test]
async fn sessions_end_after_their_absolute_lifetime() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("long@example.org", &["resident"]).await;
    assert_eq!(app.get(&c, "/account").await.0, 200);
    // Used a minute ago, but started 11 hours ago: still in.
    let age = |hours: i64| {
        let app = &app;
        async move {
            loket_store::sqlx::query(
                "UPDATE sessions SET created_at = $1, last_seen_at = $1 + 3600000 * $2 - 60000 WHERE user_id IS NOT NULL",
            )
            .bind(loket_store::now_ms() - hours * 3600 * 1000)
            .bind(hours)
            .execute(app.store.pool())
            .await
            .unwrap();
        }
    };
    age(11).await;
    assert_eq!(app.get(&c, "/account").await.0, 200);
    age(13).await;
    let r = c.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), 303, "signed out after 12 hours");
    app.stop().await;
}

/// A visitor shown a form gets a CSRF cookie, not a session row: only
/// signing in writes one. A form posted without the cookie's token changes
/// nothing.
#[tokio::test]
async fn visitors_get_no_session_row() {
    let app = TestApp::spawn().await;
    let c = app.client();
    for path in ["/login", "/register", "/password/forgot", "/contact/ask"] {
        assert_eq!(app.get(&c, path).await.0, 200, "{path}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    // The token works for the visitor who got it, and for nobody else.
    let (_, html) = app.get(&c, "/password/forgot").await;
    let token = csrf_of(&html);
    let other = app.client();
    app.get(&other, "/login").await;
    let r = other
        .post(app.url("/password/forgot"))
        .form(&[("email", "x@example.org"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(app.url("/password/forgot"))
        .form(&[("email", "x@example.org"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    app.stop().await;
}
