//! The second factor (TOTP) of staff accounts that sign in with a
//! password (issue 15, item 8), through the real pages.

use crate::common::{PASSWORD, TestApp, csrf_of, location, recovery_codes_in, secret_in, totp_now};

/// Adds an account and posts its password: the client, half signed in
/// when the account needs a second factor, and where the login sent it.
async fn password_only(app: &TestApp, email: &str, roles: &[&str]) -> (reqwest::Client, String) {
    let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    loket::cli::user_add(
        &app.config,
        email,
        "Test Person",
        &roles,
        Some(PASSWORD.to_owned()),
    )
    .await
    .unwrap();
    let c = app.client();
    let to = sign_in_password(app, &c, email).await;
    (c, to)
}

async fn sign_in_password(app: &TestApp, c: &reqwest::Client, email: &str) -> String {
    let r = app
        .submit(
            c,
            "/login",
            "/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    location(&r)
}

/// Posts a code on the factor page: status and page.
async fn give_code(app: &TestApp, c: &reqwest::Client, code: &str) -> (u16, String) {
    let (status, html) = app.get(c, "/login/factor").await;
    assert_eq!(status, 200, "{html}");
    let r = c
        .post(app.url("/login/factor"))
        .form(&[("totp_code", code), ("csrf", &csrf_of(&html)), ("next", "")])
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.text().await.unwrap())
}

async fn audits(app: &TestApp, action: &str) -> i64 {
    use loket_store::sqlx::{self, Row};
    sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("n")
}

async fn sign_out(app: &TestApp, c: &reqwest::Client) {
    let (_, html) = app.get(c, "/account").await;
    let r = c
        .post(app.url("/logout"))
        .form(&[("csrf", csrf_of(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
}

#[tokio::test]
async fn enrolment_end_to_end_then_codes_at_each_sign_in() {
    let app = TestApp::spawn().await;
    let (c, to) = password_only(&app, "admin@example.org", &["admin"]).await;
    assert_eq!(to, "/login/factor");

    // The enrolment page: the key as text and as an SVG QR code.
    let (status, html) = app.get(&c, "/login/factor").await;
    assert_eq!(status, 200);
    assert!(html.contains("<svg"), "{html}");
    assert!(html.contains("Stel uw tweede factor in"));
    let secret = secret_in(&html);
    assert_eq!(secret.len(), 32, "160 bits in base32");
    let (stored, _) = app.totp_secret("admin@example.org").await;
    assert_eq!(stored, secret);
    // Reloading shows the same key.
    let (_, again) = app.get(&c, "/login/factor").await;
    assert_eq!(secret_in(&again), secret);

    // A wrong code: refused, naming the field, the code kept, nothing done.
    let wrong = if [-1, 0, 1].iter().any(|o| totp_now(&secret, *o) == "000000") {
        "999999"
    } else {
        "000000"
    };
    let (s, html) = give_code(&app, &c, wrong).await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("Code: deze code klopt niet"), "{html}");
    assert!(html.contains(&format!("value=\"{wrong}\"")));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM totp_factors WHERE confirmed_at IS NOT NULL")
            .await,
        0
    );
    assert_eq!(app.get(&c, "/staff").await.0, 303, "still half signed in");

    // The right code: ten recovery codes, once, and a full sign-in.
    let (s, html) = give_code(&app, &c, &totp_now(&secret, 0)).await;
    assert_eq!(s, 200, "{html}");
    let codes = recovery_codes_in(&html);
    assert_eq!(codes.len(), 10, "{html}");
    assert_eq!(app.get(&c, "/staff").await.0, 200);
    assert_eq!(app.get(&c, "/admin/users").await.0, 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM totp_recovery_codes").await,
        10
    );
    for code in &codes {
        let n = app
            .count("SELECT COUNT(*) FROM totp_recovery_codes WHERE code_hash LIKE '%-%'")
            .await;
        assert_eq!(n, 0, "{code} is stored hashed");
    }
    assert_eq!(audits(&app, "user.totp.enrol").await, 1);
    let (_, account) = app.get(&c, "/account").await;
    assert!(account.contains("10 ongebruikte herstelcodes"), "{account}");

    // The next sign-in asks for a code, not an enrolment; the code of the
    // step already used is a replay.
    sign_out(&app, &c).await;
    let c2 = app.client();
    assert_eq!(
        sign_in_password(&app, &c2, "admin@example.org").await,
        "/login/factor"
    );
    let (_, html) = app.get(&c2, "/login/factor").await;
    assert!(!html.contains("data-secret"), "no key shown again");
    assert!(html.contains("Tweede factor"));
    // The code of the step the enrolment used: refused whenever it is
    // given (as a replay while its step is still accepted, as wrong after).
    let (_, used) = app.totp_secret("admin@example.org").await;
    let (s, html) = give_code(&app, &c2, &crate::common::totp_at_step(&secret, used)).await;
    assert_eq!(s, 422, "a replayed code: {html}");
    if crate::common::totp_step_now() <= used + 1 {
        assert!(html.contains("al gebruikt"), "{html}");
    }
    let code = app.next_code("admin@example.org").await;
    let (s, html) = give_code(&app, &c2, &code).await;
    assert_eq!(s, 303, "{html}");
    assert_eq!(app.get(&c2, "/staff").await.0, 200);
    app.stop().await;
}

#[tokio::test]
async fn a_half_signed_in_session_gets_nothing_else() {
    let app = TestApp::spawn().await;
    let (c, to) = password_only(&app, "hr@example.org", &["hr"]).await;
    assert_eq!(to, "/login/factor");
    let (_, factor_page) = app.get(&c, "/login/factor").await;
    let csrf = csrf_of(&factor_page);
    // Pages send it back to the factor page.
    for path in ["/staff", "/account", "/admin/users", "/telework", "/"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303, "{path}");
        assert_eq!(location(&r), "/login/factor", "{path}");
    }
    // The API too.
    let r = c.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_ne!(r.status().as_u16(), 200);
    // Forms with the session's own CSRF token are refused.
    for (path, body) in [
        ("/account/language", vec![("locale", "en")]),
        ("/account/password", vec![("current_password", PASSWORD)]),
        ("/account/recovery-codes", vec![("totp_code", "123456")]),
    ] {
        let mut body = body;
        body.push(("csrf", &csrf));
        let r = c.post(app.url(path)).form(&body).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 403, "{path}");
    }
    // No session belongs to the account yet.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE locale = 'en'")
            .await,
        0
    );
    // Sign-out works.
    let r = c
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let app = TestApp::spawn().await;
    let (c, _) = password_only(&app, "fin@example.org", &["finance"]).await;
    let codes = app.pass_factor(&c, "fin@example.org").await;
    assert_eq!(codes.len(), 10);
    sign_out(&app, &c).await;

    let c = app.client();
    sign_in_password(&app, &c, "fin@example.org").await;
    // Lower case and without dashes is the same code.
    let typed = codes[0].replace('-', "").to_lowercase();
    let (s, html) = give_code(&app, &c, &typed).await;
    assert_eq!(s, 303, "{html}");
    assert_eq!(app.get(&c, "/staff").await.0, 200);
    assert_eq!(audits(&app, "user.totp.recovery_used").await, 1);
    let (_, account) = app.get(&c, "/account").await;
    assert!(account.contains("9 ongebruikte herstelcodes"), "{account}");
    sign_out(&app, &c).await;

    let c = app.client();
    sign_in_password(&app, &c, "fin@example.org").await;
    let (s, html) = give_code(&app, &c, &codes[0]).await;
    assert_eq!(s, 422, "used once already: {html}");
    assert_eq!(app.get(&c, "/staff").await.0, 303);
    let (s, _) = give_code(&app, &c, &codes[1]).await;
    assert_eq!(s, 303);
    assert_eq!(app.get(&c, "/staff").await.0, 200);

    // New recovery codes from My account, after a current code: the old
    // ones stop working.
    let (_, account) = app.get(&c, "/account").await;
    let r = c
        .post(app.url("/account/recovery-codes"))
        .form(&[("totp_code", "12"), ("csrf", &csrf_of(&account))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("Code: vul de zes cijfers"));
    let code = app.next_code("fin@example.org").await;
    let r = c
        .post(app.url("/account/recovery-codes"))
        .form(&[("totp_code", code.as_str()), ("csrf", &csrf_of(&account))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let fresh = recovery_codes_in(&r.text().await.unwrap());
    assert_eq!(fresh.len(), 10);
    assert_eq!(audits(&app, "user.totp.recovery_codes").await, 1);
    sign_out(&app, &c).await;
    let c = app.client();
    sign_in_password(&app, &c, "fin@example.org").await;
    assert_eq!(give_code(&app, &c, &codes[2]).await.0, 422, "old code");
    assert_eq!(give_code(&app, &c, &fresh[0]).await.0, 303, "new code");
    app.stop().await;
}

#[tokio::test]
async fn wrong_codes_are_slowed_down_like_passwords() {
    let app = TestApp::spawn().await;
    let (c, _) = password_only(&app, "admin@example.org", &["admin"]).await;
    app.pass_factor(&c, "admin@example.org").await;
    sign_out(&app, &c).await;
    let c = app.client();
    sign_in_password(&app, &c, "admin@example.org").await;
    let (secret, _) = app.totp_secret("admin@example.org").await;
    // A code that is surely wrong: one of an hour ago.
    let wrong = {
        let mut w = totp_now(&secret, -120);
        for off in [-1, 0, 1, 2] {
            if totp_now(&secret, off) == w {
                w = "999999".to_owned();
            }
        }
        w
    };
    // The free failures (4), then a fifth: from then on a delay (2 s).
    // The right code is ready before, and posted at once after.
    let code = app.next_code("admin@example.org").await;
    let (_, html) = app.get(&c, "/login/factor").await;
    let csrf = csrf_of(&html);
    for i in 0..5 {
        let r = c
            .post(app.url("/login/factor"))
            .form(&[("totp_code", wrong.as_str()), ("csrf", &csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422, "attempt {i}");
    }
    let r = c
        .post(app.url("/login/factor"))
        .form(&[("totp_code", code.as_str()), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429, "even the right code waits");
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(app.get(&c, "/staff").await.0, 303);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM login_failures WHERE email_norm LIKE 'totp:%'")
            .await,
        5
    );
    // After the delay the right code passes.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let code = app.next_code("admin@example.org").await;
    assert_eq!(give_code(&app, &c, &code).await.0, 303);
    app.stop().await;
}

#[tokio::test]
async fn an_admin_reset_forces_a_new_enrolment() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("boss@example.org", &["admin"]).await;
    let hr = app.signed_in("hr@example.org", &["hr"]).await;
    assert_eq!(app.get(&hr, "/staff").await.0, 200);
    let (old, _) = app.totp_secret("hr@example.org").await;
    let user = loket_store::people::find_by_email(&app.store, "hr@example.org")
        .await
        .unwrap()
        .unwrap();
    let page = format!("/admin/users/{}", user.id);
    let (_, html) = app.get(&admin, &page).await;
    assert!(html.contains("Tweede factor opnieuw instellen"), "{html}");

    // Not an admin: refused.
    let (_, own) = app.get(&hr, "/account").await;
    let r = hr
        .post(app.url(&format!("/admin/users/{}/totp/reset", user.id)))
        .form(&[("csrf", csrf_of(&own))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);

    let r = admin
        .post(app.url(&format!("/admin/users/{}/totp/reset", user.id)))
        .form(&[("csrf", csrf_of(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(audits(&app, "user.totp.reset").await, 1);
    assert_eq!(app.get(&hr, "/staff").await.0, 303, "their session ended");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM totp_recovery_codes WHERE user_id NOT IN (SELECT user_id FROM totp_factors)")
            .await,
        0
    );
    // Reset again: nothing to reset.
    let r = admin
        .post(app.url(&format!("/admin/users/{}/totp/reset", user.id)))
        .form(&[("csrf", csrf_of(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // The next sign-in enrols anew, with a new key.
    let c = app.client();
    assert_eq!(
        sign_in_password(&app, &c, "hr@example.org").await,
        "/login/factor"
    );
    let (_, html) = app.get(&c, "/login/factor").await;
    assert_ne!(secret_in(&html), old.replace(' ', ""));
    assert_eq!(app.pass_factor(&c, "hr@example.org").await.len(), 10);
    assert_eq!(app.get(&c, "/staff").await.0, 200);
    app.stop().await;
}

#[tokio::test]
async fn residents_and_other_staff_are_not_asked() {
    let app = TestApp::spawn().await;
    let (c, to) = password_only(&app, "an@example.org", &["resident"]).await;
    assert_eq!(to, "/account");
    assert_eq!(app.get(&c, "/account").await.0, 200);
    let (c, to) = password_only(&app, "balie@example.org", &["counter"]).await;
    assert_eq!(to, "/staff");
    assert_eq!(app.get(&c, "/staff").await.0, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM totp_factors").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn the_required_roles_are_configurable() {
    let app = TestApp::spawn_with(|c| c.totp_required_roles = vec!["counter".to_owned()]).await;
    let (_, to) = password_only(&app, "balie@example.org", &["counter"]).await;
    assert_eq!(to, "/login/factor");
    let (_, to) = password_only(&app, "admin@example.org", &["admin"]).await;
    assert_eq!(to, "/staff");
    app.stop().await;

    let bad = loket::config::Config {
        totp_required_roles: vec!["boss".to_owned()],
        ..Default::default()
    };
    let err = bad.check().unwrap_err().to_string();
    assert!(err.contains("totp_required_roles"), "{err}");
}
