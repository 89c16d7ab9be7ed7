//! Signing in with OpenID Connect (issue 15, items 1, 2 and 5), against a
//! real provider (npm `oidc-provider` 9, `scripts/oidc-test-provider.mjs`,
//! started per test on a free port) and against a hostile one written here
//! (discovery, keys and a token endpoint that hands out crafted ID tokens).
//! SQLite, and PostgreSQL when `LOKET_TEST_POSTGRES_URL` is set.

use crate::common::*;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use base64::Engine;
use openidconnect::core::{
    CoreGenderClaim, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    AdditionalClaims, Audience, IdToken, IdTokenClaims, IssuerUrl, JsonWebKeyId, Nonce,
    PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ANNA_NRN: &str = "85073003328";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The real provider, a Node process killed on drop.
struct RealProvider {
    child: Child,
    issuer: String,
}

impl Drop for RealProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn workspace() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

impl RealProvider {
    /// Starts `scripts/oidc-test-provider.mjs` on `port` for Loket at
    /// `base`, and waits for its discovery document.
    async fn start(port: u16, base: &str) -> RealProvider {
        let root = workspace();
        assert!(
            root.join("node_modules/oidc-provider").is_dir(),
            "oidc-provider missing: run `npm ci` at the repository root"
        );
        let child = Command::new("node")
            .arg(root.join("scripts/oidc-test-provider.mjs"))
            .arg(port.to_string())
            .arg(base)
            .current_dir(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("node");
        let p = RealProvider {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
        };
        let url = format!("{}/.well-known/openid-configuration", p.issuer);
        let start = Instant::now();
        loop {
            if let Ok(r) = reqwest::get(&url).await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the OpenID test provider did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        p
    }
}

/// Loket configured for a provider at `issuer` with this client.
async fn app_with(issuer: &str, client_id: &str, scopes: &str, claim: &str) -> TestApp {
    let (issuer, client_id, scopes, claim) = (
        issuer.to_owned(),
        client_id.to_owned(),
        scopes.to_owned(),
        claim.to_owned(),
    );
    TestApp::spawn_with(move |c| {
        c.oidc_residents_issuer = Some(issuer);
        // The test provider's secrets are the client id + "-secret".
        c.oidc_residents_client_secret = format!("{client_id}-secret");
        c.oidc_residents_client_id = client_id;
        c.oidc_residents_scopes = scopes;
        c.oidc_residents_nrn_claim = claim;
    })
    .await
}

/// Loket and the real provider, with the ACM/IDM-like client (`rrn`).
async fn real() -> (TestApp, RealProvider) {
    let port = free_port();
    let app = app_with(
        &format!("http://127.0.0.1:{port}"),
        "loket-residents",
        "openid profile email rrn",
        "rrn",
    )
    .await;
    let p = RealProvider::start(port, &app.base).await;
    (app, p)
}

fn location(r: &reqwest::Response, from: &str) -> String {
    let loc = r
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("no Location from {from} ({})", r.status()))
        .to_str()
        .unwrap();
    url::Url::parse(from)
        .unwrap()
        .join(loc)
        .unwrap()
        .to_string()
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let i = tag.find(&key)? + key.len();
    Some(tag[i..].split('"').next()?.replace("&amp;", "&"))
}

/// Drives the browser's part at the real provider: from Loket's start URL
/// through the provider's login form (as `login`) and consent form, up to
/// the redirect back to Loket's callback, which is returned unvisited.
async fn through_provider(app: &TestApp, c: &reqwest::Client, start: &str, login: &str) -> String {
    let mut url = if start.starts_with("http") {
        start.to_owned()
    } else {
        app.url(start)
    };
    let mut method_post: Option<Vec<(String, String)>> = None;
    for _ in 0..20 {
        if url.starts_with(&app.url("/login/oidc/")) && url.contains("/callback?") {
            return url;
        }
        let r = match method_post.take() {
            Some(form) => c.post(&url).form(&form).send().await.unwrap(),
            None => c.get(&url).send().await.unwrap(),
        };
        let status = r.status().as_u16();
        if (300..400).contains(&status) {
            url = location(&r, &url);
            continue;
        }
        let html = r.text().await.unwrap();
        assert_eq!(status, 200, "{url}: {html}");
        let form_tag = html
            .split("<form")
            .nth(1)
            .unwrap_or_else(|| panic!("no form at {url}: {html}"));
        let action = attr(form_tag, "action").unwrap();
        let mut fields = vec![];
        for input in html.split("<input").skip(1) {
            if let (Some(n), Some(v)) = (attr(input, "name"), attr(input, "value"))
                && input.contains("type=\"hidden\"")
            {
                fields.push((n, v));
            }
        }
        if html.contains("name=\"login\"") {
            fields.push(("login".to_owned(), login.to_owned()));
            fields.push(("password".to_owned(), "any password".to_owned()));
        }
        url = url::Url::parse(&url)
            .unwrap()
            .join(&action)
            .unwrap()
            .to_string();
        method_post = Some(fields);
    }
    panic!("the provider never sent the browser back");
}

/// A full e-ID sign-in of `login`: the final response of the callback.
async fn eid_sign_in(app: &TestApp, c: &reqwest::Client, login: &str) -> reqwest::Response {
    let cb = through_provider(app, c, "/login/oidc/residents", login).await;
    c.get(&cb).send().await.unwrap()
}

async fn user_of_number(app: &TestApp, nrn: &str) -> Option<String> {
    use loket_store::sqlx::Row;
    loket_store::sqlx::query("SELECT user_id FROM resident_profiles WHERE national_number = $1")
        .bind(nrn)
        .fetch_optional(app.store.pool())
        .await
        .unwrap()
        .map(|r| r.get::<String, _>("user_id"))
}

async fn residents(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM user_roles WHERE role = 'resident'")
        .await
}

#[tokio::test]
async fn login_page_offers_eid_only_when_configured() {
    let plain = TestApp::spawn().await;
    let (_, html) = plain.get(&plain.client(), "/login").await;
    assert!(!html.contains("/login/oidc/residents"));
    assert!(!html.contains("eID of itsme"));
    let (s, _) = plain.get(&plain.client(), "/login/oidc/residents").await;
    assert_eq!(s, 404, "no provider, no route");

    let (app, _p) = real().await;
    let (_, html) = app.get(&app.client(), "/login").await;
    assert!(html.contains("Aanmelden met eID of itsme"), "{html}");
    let c = app.client();
    app.get(&c, "/lang/en").await;
    let (_, html) = app.get(&c, "/login").await;
    assert!(html.contains("Sign in with eID or itsme"), "{html}");
}

#[tokio::test]
async fn eid_sign_in_creates_one_account_per_number() {
    let (app, _p) = real().await;
    let c = app.client();
    let r = eid_sign_in(&app, &c, "anna").await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"], "/account");
    let (s, html) = app.get(&c, "/account").await;
    assert_eq!(s, 200);
    assert!(html.contains("Anna Peeters"), "{html}");
    assert!(html.contains("85…28"), "the number shown masked: {html}");
    assert!(html.contains("aangemeld met eID of itsme"), "{html}");
    let first = user_of_number(&app, ANNA_NRN)
        .await
        .expect("account by number");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sessions WHERE identified_by = 'eid' AND id_token IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.create'")
            .await,
        1
    );

    // The same number again, from another browser: the same account.
    let c2 = app.client();
    let r = eid_sign_in(&app, &c2, "anna").await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(user_of_number(&app, ANNA_NRN).await.unwrap(), first);
    assert_eq!(residents(&app).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT user_id) FROM sessions WHERE identified_by = 'eid'")
            .await,
        2 - 1
    );
    // Nothing is left pending.
    assert_eq!(app.count("SELECT COUNT(*) FROM oidc_pending").await, 0);
}

#[tokio::test]
async fn the_providers_email_never_finds_a_password_account() {
    let (app, _p) = real().await;
    // A password account with Bert's address, not tied to any number.
    app.signed_in("bert@example.org", &["resident"]).await;
    let c = app.client();
    let r = eid_sign_in(&app, &c, "bert").await;
    assert_eq!(r.status().as_u16(), 303);
    let eid_user = user_of_number(&app, "90020199704").await.unwrap();
    let by_mail = loket_store::people::find_by_email(&app.store, "bert@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(eid_user, by_mail.id, "not linked silently by e-mail");
    assert_eq!(residents(&app).await, 2);
}

#[tokio::test]
async fn fas_number_comes_in_egovnrn() {
    let port = free_port();
    let app = app_with(
        &format!("http://127.0.0.1:{port}"),
        "loket-fas",
        "openid profile egovnrn",
        "egovnrn",
    )
    .await;
    let _p = RealProvider::start(port, &app.base).await;
    let c = app.client();
    let r = eid_sign_in(&app, &c, "anna").await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    assert!(user_of_number(&app, ANNA_NRN).await.is_some());

    // A person without a number: refused, nothing created.
    let r = eid_sign_in(&app, &app.client(), "nonrn").await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("geen geldig rijksregisternummer")
    );
    assert_eq!(residents(&app).await, 1);
}

#[tokio::test]
async fn linking_a_password_account_needs_its_password() {
    let (app, _p) = real().await;
    let c = app.signed_in("anna.p@example.org", &["resident"]).await;
    let (_, html) = app.get(&c, "/account").await;
    assert!(html.contains("Koppelen met eID of itsme"), "{html}");

    // A wrong password: the form again, the field named, nothing started.
    let r = app
        .submit(
            &c,
            "/account",
            "/account/eid",
            &[("link_password", "wrong one")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("link_password"), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM oidc_pending").await, 0);

    // The right one: to the provider and back, linked.
    let r = app
        .submit(
            &c,
            "/account",
            "/account/eid",
            &[("link_password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let to_provider = location(&r, &app.url("/account/eid"));
    let cb = through_provider(&app, &c, &to_provider, "anna").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"], "/account?linked=1");
    let me = loket_store::people::find_by_email(&app.store, "anna.p@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user_of_number(&app, ANNA_NRN).await.unwrap(), me.id);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.link_eid'")
            .await,
        1
    );
    // From now on the e-ID sign-in reaches that account.
    let c2 = app.client();
    assert_eq!(eid_sign_in(&app, &c2, "anna").await.status().as_u16(), 303);
    let (_, html) = app.get(&c2, "/account").await;
    assert!(html.contains("anna.p@example.org"), "{html}");
    assert_eq!(residents(&app).await, 1);

    // Another password account cannot take the same number.
    let other = app.signed_in("someone@example.org", &["resident"]).await;
    let r = app
        .submit(
            &other,
            "/account",
            "/account/eid",
            &[("link_password", PASSWORD)],
        )
        .await;
    let to_provider = location(&r, &app.url("/account/eid"));
    let cb = through_provider(&app, &other, &to_provider, "anna").await;
    let r = other.get(&cb).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 409);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("hoort al bij een ander account")
    );
    assert_eq!(user_of_number(&app, ANNA_NRN).await.unwrap(), me.id);
}

#[tokio::test]
async fn records_kept_by_number_are_shown() {
    use crate::vaccination as vac;
    let (app, _p) = real().await;
    let loc = vac::location(&app).await;
    let coord = app
        .signed_in("coord@example.org", &["vaccination_coordinator"])
        .await;
    let start = vac::floor5(&vac::brussels_now());
    vac::campaign(
        &app,
        &coord,
        &loc,
        "griep",
        &vac::day_line(&start, 120),
        "1",
        "2",
        &vac::opened_an_hour_ago(),
        "1000",
    )
    .await;
    let csv = vac::people_csv(&[(ANNA_NRN.to_owned(), "Anna Peeters", "1985-07-30", "")]);
    let (s, html) = vac::import(&app, &coord, "griep", &csv).await;
    assert!(s == 200 || s == 303, "{html}");
    let c = app.client();
    assert_eq!(eid_sign_in(&app, &c, "anna").await.status().as_u16(), 303);
    let (_, html) = app.get(&c, "/account").await;
    assert!(html.contains("Vaccinatie-uitnodigingen"), "{html}");
    assert!(html.contains("Booster"), "{html}");
    assert!(html.contains("uitgenodigd"), "{html}");
    // Someone else's account shows none.
    let c2 = app.client();
    assert_eq!(eid_sign_in(&app, &c2, "bert").await.status().as_u16(), 303);
    let (_, html) = app.get(&c2, "/account").await;
    assert!(!html.contains("Booster"), "{html}");
}

#[tokio::test]
async fn refusals_with_the_real_provider() {
    let (app, p) = real().await;

    // A wrong state: refused, the code is not even exchanged.
    let c = app.client();
    let cb = through_provider(&app, &c, "/login/oidc/residents", "anna").await;
    let tampered = cb.replace("state=", "state=x");
    let r = c.get(&tampered).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("niet aanvaard"));
    assert_eq!(residents(&app).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);

    // The callback with no sign-in of this browser (no cookie).
    let r = app.client().get(&cb).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);

    // The provider cancelled (error=access_denied): refused.
    let c = app.client();
    let r = c
        .get(app.url("/login/oidc/residents"))
        .send()
        .await
        .unwrap();
    let auth = location(&r, &app.url("/login/oidc/residents"));
    let state = url::Url::parse(&auth)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let r = c
        .get(app.url(&format!(
            "/login/oidc/residents/callback?error=access_denied&state={state}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("geannuleerd of geweigerd"));

    // A replayed code: used once, then again by a new sign-in (its own
    // state and cookie): the provider refuses it, nothing more is created.
    let c = app.client();
    let cb = through_provider(&app, &c, "/login/oidc/residents", "anna").await;
    assert_eq!(c.get(&cb).send().await.unwrap().status().as_u16(), 303);
    assert_eq!(residents(&app).await, 1);
    let again = c.get(&cb).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 400, "the same answer twice");
    let code = url::Url::parse(&cb)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let c2 = app.client();
    let r = c2
        .get(app.url("/login/oidc/residents"))
        .send()
        .await
        .unwrap();
    let auth = location(&r, &app.url("/login/oidc/residents"));
    let state = url::Url::parse(&auth)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let r = c2
        .get(app.url(&format!(
            "/login/oidc/residents/callback?code={code}&state={state}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(residents(&app).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
            .await,
        1
    );

    // The provider unreachable: a clear page, 503, nothing kept.
    drop(p);
    let before = app.count("SELECT COUNT(*) FROM oidc_pending").await;
    let c = app.client();
    let r = c
        .get(app.url("/login/oidc/residents"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.unwrap().contains("niet bereikbaar"));
    assert_eq!(app.count("SELECT COUNT(*) FROM oidc_pending").await, before);
    let c = app.client();
    app.get(&c, "/lang/en").await;
    let r = c
        .get(app.url("/login/oidc/residents"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert!(r.text().await.unwrap().contains("cannot be reached"));
}

#[tokio::test]
async fn sign_out_ends_the_session_and_signs_out_at_the_provider() {
    let (app, p) = real().await;
    let c = app.client();
    assert_eq!(eid_sign_in(&app, &c, "anna").await.status().as_u16(), 303);
    let (_, html) = app.get(&c, "/account").await;
    let csrf = csrf_of(&html);
    let r = c
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with(&format!("{}/session/end", p.issuer)), "{to}");
    assert!(to.contains("id_token_hint="), "{to}");
    assert!(to.contains("client_id=loket-residents"), "{to}");
    assert!(to.contains("post_logout_redirect_uri="), "{to}");
    // The provider accepts the request (its "sign out?" page).
    let r = c.get(&to).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
    // Loket's session is gone.
    let (s, _) = app.get(&c, "/account").await;
    assert_eq!(s, 303);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
            .await,
        0
    );

    // A password session signs out at Loket only.
    let c = app.signed_in("pw@example.org", &["resident"]).await;
    let (_, html) = app.get(&c, "/account").await;
    let r = c
        .post(app.url("/logout"))
        .form(&[("csrf", csrf_of(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
}

#[tokio::test]
async fn a_move_declaration_needs_an_eid_sign_in() {
    use crate::cases;
    let (app, _p) = real().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let c = app.signed_in("anna.m@example.org", &["resident"]).await;
    let mut fields = cases::move_fields("3000", &cases::today().to_string(), "");
    fields.push(("action", "review".into()));
    let r = cases::post_form(
        &app,
        &c,
        "/services/move/apply",
        "/services/move/apply",
        &fields,
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    // The confirmation step and the submission both send a password
    // session through the e-ID sign-in first.
    let r = c
        .get(app.url("/services/move/confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let stepup = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        stepup.starts_with("/login/oidc/residents/stepup?next="),
        "{stepup}"
    );
    let (_, html) = app.get(&c, "/account").await;
    let r = c
        .post(app.url("/services/move/submit"))
        .form(&[("csrf", csrf_of(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"].to_str().unwrap(), stepup);
    assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, 0);

    // Through the provider, back on the same account: the draft survived.
    let cb = through_provider(&app, &c, &stepup, "anna").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"], "/services/move/confirm");
    let (s, html) = app.get(&c, "/services/move/confirm").await;
    assert_eq!(s, 200, "{html}");
    assert!(
        html.contains("Bondgenotenlaan"),
        "the draft survived: {html}"
    );
    let r = app
        .submit(&c, "/services/move/confirm", "/services/move/submit", &[])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let number = r.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/cases/")
        .trim_end_matches("?new=1")
        .to_owned();
    let me = loket_store::people::find_by_email(&app.store, "anna.m@example.org")
        .await
        .unwrap()
        .unwrap();
    let case = loket_store::cases::get_case(&app.store, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.resident_id, me.id, "the same account");
    assert_eq!(case.identified_by.as_deref(), Some("eid"));
    // The number was tied to the account on the way.
    assert_eq!(user_of_number(&app, ANNA_NRN).await.unwrap(), me.id);
    // The staff case page says how the submitter was identified.
    let staff = app
        .signed_in("handler@example.org", &["case_handler", "all_departments"])
        .await;
    let (s, html) = app.get(&staff, &format!("/staff/cases/{number}")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("eID of itsme (rijksregisternummer gecontroleerd)"),
        "{html}"
    );

    // Someone else's number does not pass for this account.
    let c2 = app.signed_in("other.m@example.org", &["resident"]).await;
    let r = cases::post_form(
        &app,
        &c2,
        "/services/move/apply",
        "/services/move/apply",
        &fields,
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let cb = through_provider(&app, &c2, &stepup, "anna").await;
    let r = c2.get(&cb).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 409);
    let r = c2
        .get(app.url("/services/move/confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "still not e-ID");
    assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, 1);
}

async fn staff_app(port: u16, tweak: impl FnOnce(&mut loket::config::Config)) -> TestApp {
    TestApp::spawn_with(move |c| {
        c.oidc_staff_issuer = Some(format!("http://127.0.0.1:{port}"));
        c.oidc_staff_client_id = "loket-staff".to_owned();
        c.oidc_staff_client_secret = "loket-staff-secret".to_owned();
        c.oidc_staff_scopes = "openid profile email groups".to_owned();
        tweak(c);
    })
    .await
}

async fn roles_of(app: &TestApp, email: &str) -> Option<Vec<String>> {
    loket_store::people::find_by_email(&app.store, email)
        .await
        .unwrap()
        .map(|u| u.roles.iter().map(|r| r.as_str().to_owned()).collect())
}

#[tokio::test]
async fn staff_roles_come_from_directory_groups() {
    let port = free_port();
    let app = staff_app(port, |_| {}).await;
    let _p = RealProvider::start(port, &app.base).await;
    loket::cli::staff_group(&app.config, "loket-handlers", &["case_handler".to_owned()])
        .await
        .unwrap();
    let (_, html) = app.get(&app.client(), "/login").await;
    assert!(html.contains("/login/oidc/staff"), "{html}");

    // Mapped group: the account is made with the mapped role.
    let c = app.client();
    let cb = through_provider(&app, &c, "/login/oidc/staff", "staff1").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"], "/staff");
    assert_eq!(app.get(&c, "/staff").await.0, 200);
    assert_eq!(
        roles_of(&app, "staff1@example.org").await.unwrap(),
        vec!["case_handler".to_owned()]
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM oidc_identities").await, 1);

    // The mapping changes: the roles follow at the next sign-in.
    loket::cli::staff_group(
        &app.config,
        "loket-handlers",
        &["case_handler".to_owned(), "counter".to_owned()],
    )
    .await
    .unwrap();
    let c2 = app.client();
    let cb = through_provider(&app, &c2, "/login/oidc/staff", "staff1").await;
    assert_eq!(c2.get(&cb).send().await.unwrap().status().as_u16(), 303);
    let mut roles = roles_of(&app, "staff1@example.org").await.unwrap();
    roles.sort();
    assert_eq!(roles, vec!["case_handler".to_owned(), "counter".to_owned()]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users").await,
        1,
        "the same account"
    );

    // Someone in no mapped group: refused, nothing created.
    let c0 = app.client();
    let cb = through_provider(&app, &c0, "/login/oidc/staff", "staff0").await;
    let r = c0.get(&cb).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("in geen groep"));
    assert!(roles_of(&app, "staff0@example.org").await.is_none());

    // staff1's group loses its mapping: refused at the next sign-in, and
    // every session of theirs ends, roles gone.
    loket::cli::staff_group(&app.config, "loket-handlers", &[])
        .await
        .unwrap();
    let c3 = app.client();
    let cb = through_provider(&app, &c3, "/login/oidc/staff", "staff1").await;
    assert_eq!(c3.get(&cb).send().await.unwrap().status().as_u16(), 403);
    assert_eq!(app.get(&c, "/staff").await.0, 303, "the old session ended");
    assert_eq!(app.get(&c2, "/staff").await.0, 303, "the other one too");
    assert!(
        roles_of(&app, "staff1@example.org")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.roles'")
            .await
            >= 2
    );
}

/// Staff signing in through the directory are not asked for a second
/// factor (their provider does MFA), even with a role that requires one.
#[tokio::test]
async fn staff_sso_is_not_asked_for_a_second_factor() {
    let port = free_port();
    let app = staff_app(port, |_| {}).await;
    let _p = RealProvider::start(port, &app.base).await;
    loket::cli::staff_group(&app.config, "loket-handlers", &["admin".to_owned()])
        .await
        .unwrap();
    let c = app.client();
    let cb = through_provider(&app, &c, "/login/oidc/staff", "staff1").await;
    let r = c.get(&cb).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"], "/staff");
    assert_eq!(app.get(&c, "/admin/users").await.0, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM totp_factors").await, 0);
    // The same role with a password: asked.
    let admin = app.signed_in("root@example.org", &["admin"]).await;
    assert_eq!(app.get(&admin, "/admin/users").await.0, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM totp_factors").await, 1);
}

#[tokio::test]
async fn staff_passwords_can_be_switched_off_but_for_break_glass_admins() {
    let port = free_port();
    let app = staff_app(port, |c| {
        c.staff_password_login = false;
        c.break_glass_admins = vec!["Root@example.org".to_owned()];
    })
    .await;
    // A break-glass admin keeps the password.
    let admin = app.signed_in("root@example.org", &["admin"]).await;
    assert_eq!(app.get(&admin, "/staff").await.0, 200);
    // Other staff: refused with a clear message, nothing signed in.
    loket::cli::user_add(
        &app.config,
        "clerk@example.org",
        "Clerk",
        &["counter".to_owned()],
        Some(PASSWORD.to_owned()),
    )
    .await
    .unwrap();
    let c = app.client();
    let r = app
        .submit(
            &c,
            "/login",
            "/login",
            &[("email", "clerk@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("stadsaccount"));
    assert_eq!(app.get(&c, "/staff").await.0, 303);
    // Residents still sign in with their password.
    let res = app.signed_in("resident@example.org", &["resident"]).await;
    assert_eq!(app.get(&res, "/account").await.0, 200);
}

// ---- a hostile provider ----

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Rrn {
    rrn: String,
}
impl AdditionalClaims for Rrn {}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Craft {
    Good,
    WrongNonce,
    Expired,
    WrongAudience,
    OtherKey,
    AlgNone,
}

#[derive(Clone)]
struct Hostile {
    issuer: String,
    craft: Arc<Mutex<Craft>>,
    /// code → (nonce, redirect)
    codes: Arc<Mutex<HashMap<String, String>>>,
    key_a: Arc<CoreRsaPrivateSigningKey>,
    key_b: Arc<CoreRsaPrivateSigningKey>,
}

fn key(file: &str) -> CoreRsaPrivateSigningKey {
    let pem = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/it/fixtures")
            .join(file),
    )
    .unwrap();
    CoreRsaPrivateSigningKey::from_pem(&pem, Some(JsonWebKeyId::new("k1".to_owned()))).unwrap()
}

async fn hostile_discovery(State(h): State<Hostile>) -> impl IntoResponse {
    axum::Json(serde_json::json!({
        "issuer": h.issuer,
        "authorization_endpoint": format!("{}/auth", h.issuer),
        "token_endpoint": format!("{}/token", h.issuer),
        "jwks_uri": format!("{}/jwks", h.issuer),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        // It even claims `none` is fine.
        "id_token_signing_alg_values_supported": ["RS256", "none"],
    }))
}

async fn hostile_jwks(State(h): State<Hostile>) -> impl IntoResponse {
    axum::Json(CoreJsonWebKeySet::new(vec![h.key_a.as_verification_key()]))
}

async fn hostile_auth(
    State(h): State<Hostile>,
    Query(q): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    let code = format!("code-{}", uuid::Uuid::now_v7().simple());
    h.codes
        .lock()
        .unwrap()
        .insert(code.clone(), q.get("nonce").cloned().unwrap_or_default());
    Redirect::to(&format!(
        "{}?code={code}&state={}",
        q["redirect_uri"],
        q.get("state").cloned().unwrap_or_default()
    ))
}

async fn hostile_token(
    State(h): State<Hostile>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> impl IntoResponse {
    let Some(nonce) = h.codes.lock().unwrap().remove(&f["code"]) else {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({"error": "invalid_grant"})),
        );
    };
    let craft = *h.craft.lock().unwrap();
    let now = jiff::Timestamp::now().as_second();
    let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap();
    let (iat, exp) = if craft == Craft::Expired {
        (at(now - 7200), at(now - 3600))
    } else {
        (at(now), at(now + 300))
    };
    let aud = if craft == Craft::WrongAudience {
        "someone-else"
    } else {
        "loket-residents"
    };
    let nonce = if craft == Craft::WrongNonce {
        "not-the-nonce".to_owned()
    } else {
        nonce
    };
    let claims: IdTokenClaims<Rrn, CoreGenderClaim> = IdTokenClaims::new(
        IssuerUrl::new(h.issuer.clone()).unwrap(),
        vec![Audience::new(aud.to_owned())],
        exp,
        iat,
        StandardClaims::new(SubjectIdentifier::new("hostile-anna".to_owned())),
        Rrn {
            rrn: ANNA_NRN.to_owned(),
        },
    )
    .set_nonce(Some(Nonce::new(nonce)));
    let token = match craft {
        Craft::AlgNone => {
            let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            format!(
                "{}.{}.",
                b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
                b64.encode(serde_json::to_vec(&claims).unwrap())
            )
        }
        _ => {
            let key = if craft == Craft::OtherKey {
                &h.key_b
            } else {
                &h.key_a
            };
            IdToken::<
                Rrn,
                CoreGenderClaim,
                CoreJweContentEncryptionAlgorithm,
                CoreJwsSigningAlgorithm,
            >::new(
                claims,
                key.as_ref(),
                CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                None,
                None,
            )
            .unwrap()
            .to_string()
        }
    };
    (
        axum::http::StatusCode::OK,
        axum::Json(serde_json::json!({
            "access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": token,
        })),
    )
}

async fn hostile() -> Hostile {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let h = Hostile {
        issuer,
        craft: Arc::new(Mutex::new(Craft::Good)),
        codes: Arc::default(),
        key_a: Arc::new(key("oidc-test-key-a.pem")),
        key_b: Arc::new(key("oidc-test-key-b.pem")),
    };
    let router = axum::Router::new()
        .route("/.well-known/openid-configuration", get(hostile_discovery))
        .route("/jwks", get(hostile_jwks))
        .route("/auth", get(hostile_auth))
        .route("/token", post(hostile_token))
        .with_state(h.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    h
}

/// One sign-in through the hostile provider: the callback's status and page.
async fn hostile_sign_in(app: &TestApp) -> (u16, String) {
    let c = app.client();
    let mut url = app.url("/login/oidc/residents");
    for _ in 0..4 {
        let r = c.get(&url).send().await.unwrap();
        let s = r.status().as_u16();
        if url.contains("/callback") {
            return (s, r.text().await.unwrap());
        }
        assert_eq!(s, 303, "{url}");
        url = location(&r, &url);
    }
    panic!("no callback");
}

#[tokio::test]
async fn crafted_id_tokens_are_refused() {
    let h = hostile().await;
    let app = app_with(&h.issuer, "loket-residents", "openid rrn", "rrn").await;
    for craft in [
        Craft::WrongNonce,
        Craft::Expired,
        Craft::WrongAudience,
        Craft::OtherKey,
        Craft::AlgNone,
    ] {
        *h.craft.lock().unwrap() = craft;
        let (s, html) = hostile_sign_in(&app).await;
        assert_eq!(s, 400, "{craft:?}: {html}");
        assert!(html.contains("niet aanvaard"), "{craft:?}: {html}");
        assert_eq!(residents(&app).await, 0, "{craft:?} created nothing");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM sessions").await,
            0,
            "{craft:?} signed nobody in"
        );
    }
    // The same provider with an honest token: signed in (so the refusals
    // above are the checks, not a broken provider).
    *h.craft.lock().unwrap() = Craft::Good;
    let (s, html) = hostile_sign_in(&app).await;
    assert_eq!(s, 303, "{html}");
    assert_eq!(residents(&app).await, 1);
}

#[tokio::test]
async fn starting_sign_ins_is_limited_per_address() {
    let h = hostile().await;
    let app = app_with(&h.issuer, "loket-residents", "openid rrn", "rrn").await;
    let max = loket_domain::limits::SIGN_IN_PER_IP.max;
    for _ in 0..max {
        let r = app
            .client()
            .get(app.url("/login/oidc/residents"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
    }
    let r = app
        .client()
        .get(app.url("/login/oidc/residents"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM oidc_pending").await,
        max,
        "the refused start kept nothing"
    );
}

// ---- headless Chromium ----

#[tokio::test]
async fn eid_sign_in_in_chromium() {
    let Some((_driver, b, _profile)) = crate::browser::browser().await else {
        return;
    };
    let (app, _p) = real().await;
    b.goto(&app.url("/login")).await.unwrap();
    b.find(fantoccini::Locator::LinkText("Aanmelden met eID of itsme"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The provider's login form.
    let login = b
        .wait()
        .for_element(fantoccini::Locator::Css("input[name=login]"))
        .await
        .unwrap();
    login.send_keys("anna").await.unwrap();
    b.find(fantoccini::Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("any password")
        .await
        .unwrap();
    b.find(fantoccini::Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Its consent form.
    b.wait()
        .for_element(fantoccini::Locator::Css(
            "input[name=prompt][value=consent]",
        ))
        .await
        .unwrap();
    b.find(fantoccini::Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Back at Loket, signed in.
    let start = Instant::now();
    loop {
        let url = b.current_url().await.unwrap();
        if url.as_str().starts_with(&app.url("/account")) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "still at {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let body = b
        .find(fantoccini::Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("Anna Peeters"), "{body}");
    assert!(user_of_number(&app, ANNA_NRN).await.is_some());
    let violations = crate::browser::axe(&b).await;
    assert!(violations.is_empty(), "axe: {violations:?}");
    b.close().await.unwrap();
}
