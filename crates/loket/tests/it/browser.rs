//! The main journeys in real headless Chromium (Debian's `chromium` and
//! `chromium-driver`, through WebDriver), checked with axe-core for WCAG 2.1
//! A/AA violations. Screenshots go to `target/screenshots/`.
//!
//! `scripts/test.sh` sets `LOKET_TEST_BROWSER=1`, which makes a missing
//! browser an error. Without it (a plain `cargo test` on a machine without
//! Chromium) the test says it is skipped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|f| f.is_file())
    })
}

/// Starts chromedriver and a headless Chromium session, or `None` to skip.
pub(crate) async fn browser() -> Option<(Driver, Client, PathBuf)> {
    let required = std::env::var("LOKET_TEST_BROWSER").is_ok_and(|v| v == "1");
    let (Some(driver), Some(chromium)) = (which("chromedriver"), which("chromium")) else {
        assert!(
            !required,
            "LOKET_TEST_BROWSER=1 but chromium or chromedriver is missing"
        );
        crate::common::skip("browser", "chromium / chromedriver not installed");
        return None;
    };
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let driver = Driver { child, port };
    let profile = temp_dir();
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,900", "--lang=nl-BE",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": { "intl.accept_languages": "nl-BE,nl" }
        }
    });
    let caps: fantoccini::wd::Capabilities = caps.as_object().unwrap().clone();
    let start = Instant::now();
    let client = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
        {
            Ok(c) => break c,
            Err(e) if start.elapsed() < Duration::from_secs(20) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a Chromium session: {e}"),
        }
    };
    Some((driver, client, profile))
}

/// Injects axe-core and returns the WCAG 2.1 A/AA violations on the page.
pub(crate) async fn axe(c: &Client) -> Vec<String> {
    let src = std::fs::read_to_string(workspace().join("node_modules/axe-core/axe.min.js"))
        .expect("axe-core missing: run `npm ci` at the repository root");
    c.execute(&src, vec![]).await.unwrap();
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    match result {
        Value::Array(v) => v
            .into_iter()
            .map(|x| x.as_str().unwrap_or_default().to_owned())
            .collect(),
        other => vec![format!("unexpected axe result {other}")],
    }
}

async fn check_page(c: &Client, name: &str) {
    let dir = workspace().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    let violations = axe(c).await;
    assert!(violations.is_empty(), "axe on {name}: {violations:#?}");
}

/// Prints the page as Chromium prints it (A4, the print stylesheet) and
/// returns the PDF's text; the PDF goes next to the screenshots. A printed
/// page has its title and none of the site's navigation or buttons.
async fn check_print(c: &Client, name: &str) -> String {
    let pdf = c
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
        .unwrap();
    let dir = workspace().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.pdf")), &pdf).unwrap();
    let text = pdf_text(&pdf);
    let title = c
        .find(Locator::Css("main h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(title.trim()),
        "{name}: the print lacks its title {title:?}"
    );
    for chrome in [
        "Nederlands",
        "English",
        "Afmelden",
        "Sign out",
        "Naar de inhoud",
    ] {
        assert!(
            !text.contains(chrome),
            "{name}: the print shows the site's {chrome:?}"
        );
    }
    text
}

async fn fill(c: &Client, id: &str, value: &str) {
    let el = c.find(Locator::Id(id)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

/// Clicks and waits until the next page has replaced this one.
async fn click_and_wait(c: &Client, css: &str) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let start = Instant::now();
    while old.tag_name().await.is_ok() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no navigation after clicking {css}"
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    c.wait().for_element(Locator::Css("main")).await.unwrap();
}

async fn submit(c: &Client) {
    click_and_wait(c, "main form button[type=submit]").await;
}

/// On the second factor's page after a password: gives the code, as a
/// person with an authenticator app would (the key from the enrolment
/// page, or from the database for an enrolled account), and goes on.
/// Elsewhere: nothing.
async fn pass_factor_browser(c: &Client, store: &loket_store::Store) {
    if c.current_url().await.unwrap().path() != "/login/factor" {
        return;
    }
    let code = match c.find(Locator::Id("totp-secret")).await {
        Ok(el) => {
            let secret = el.attr("data-secret").await.unwrap().unwrap();
            crate::common::totp_now(&secret, 0)
        }
        Err(_) => {
            use loket_store::sqlx::{self, Row};
            let row = sqlx::query(
                "SELECT f.secret, f.last_step FROM totp_factors f JOIN sessions s \
                 ON s.pending_user_id = f.user_id ORDER BY s.created_at DESC LIMIT 1",
            )
            .fetch_one(store.pool())
            .await
            .unwrap();
            let (secret, last): (String, i64) = (row.get("secret"), row.get("last_step"));
            let now = crate::common::totp_step_now();
            let step = if now > last { now } else { last + 1 };
            if step > now + 1 {
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
            crate::common::totp_at_step(&secret, step.max(crate::common::totp_step_now()))
        }
    };
    fill(c, "totp_code", &code).await;
    click_and_wait(c, "main form[action='/login/factor'] button[type=submit]").await;
}

/// The text of `main`. A script may redraw the page between finding the
/// element and reading it (a display following its stream): then again.
async fn text(c: &Client) -> String {
    for _ in 0..20 {
        if let Ok(el) = c.find(Locator::Css("main")).await
            && let Ok(t) = el.text().await
        {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no readable main element");
}

#[tokio::test]
async fn resident_and_admin_journeys_are_accessible() {
    if backend() != "sqlite" {
        return; // the browser journeys run once, in the SQLite pass
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;

    // Home page, keyboard first: the skip link is the first focusable element.
    c.goto(&app.url("/")).await.unwrap();
    check_page(&c, "home").await;
    c.goto(&app.url("/search?q=parkeerkaart")).await.unwrap();
    check_page(&c, "search").await;
    c.goto(&app.url("/")).await.unwrap();
    let first = c
        .execute(
            "return document.querySelector('a, button, input').className",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(first, "skip-link");

    // Register: a bad e-mail address is refused, the name is kept, the
    // error summary links to the field.
    c.goto(&app.url("/register")).await.unwrap();
    check_page(&c, "register").await;
    fill(&c, "name", "An Peeters").await;
    fill(&c, "email", "an.peeters-at-example.org").await;
    fill(&c, "password", PASSWORD).await;
    fill(&c, "password_repeat", PASSWORD).await;
    submit(&c).await;
    let summary = c
        .find(Locator::Css(".error-summary a[href='#email']"))
        .await
        .unwrap();
    assert!(summary.text().await.unwrap().contains("geldig e-mailadres"));
    let kept = c
        .find(Locator::Id("name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("An Peeters"));
    check_page(&c, "register-errors").await;
    fill(&c, "email", "an.peeters@example.org").await;
    fill(&c, "password", PASSWORD).await;
    fill(&c, "password_repeat", PASSWORD).await;
    submit(&c).await;
    assert!(text(&c).await.contains("We hebben u een e-mail gestuurd"));

    // Confirm through the link in the outbox message, then sign in.
    let mail = app.last_mail_to("an.peeters@example.org").await;
    c.goto(&link_in(&mail.body, &app.url("/confirm/")))
        .await
        .unwrap();
    // The link's page confirms by a button (a mail scanner's GET does not).
    check_page(&c, "confirm").await;
    submit(&c).await;
    assert!(text(&c).await.contains("bevestigd"));
    c.goto(&app.url("/login")).await.unwrap();
    check_page(&c, "login").await;
    fill(&c, "email", "an.peeters@example.org").await;
    fill(&c, "password", PASSWORD).await;
    submit(&c).await;
    assert!(c.current_url().await.unwrap().path().ends_with("/account"));
    check_page(&c, "account").await;

    // Switch to English, from the header.
    click_and_wait(&c, "a[hreflang=en]").await;
    let lang = c
        .execute("return document.documentElement.lang", vec![])
        .await
        .unwrap();
    assert_eq!(lang, "en");
    assert!(text(&c).await.contains("Change password"));
    check_page(&c, "account-en").await;

    // Sign out from the header.
    click_and_wait(&c, "header form button").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/");

    // An admin: users, a new staff member, the logs and the sent mail.
    loket::cli::user_add(
        &app.config,
        "admin@leuven.example",
        "Sara Janssens",
        &["admin".to_owned()],
        Some(PASSWORD.to_owned()),
    )
    .await
    .unwrap();
    c.goto(&app.url("/login")).await.unwrap();
    fill(&c, "email", "admin@leuven.example").await;
    fill(&c, "password", PASSWORD).await;
    submit(&c).await;
    // An admin enrols a second factor first: the key as text and QR code.
    assert_eq!(c.current_url().await.unwrap().path(), "/login/factor");
    check_page(&c, "totp-enrol").await;
    pass_factor_browser(&c, &app.store).await;
    // In English: the language chosen above stays.
    assert!(text(&c).await.contains("ten recovery codes"));
    check_page(&c, "totp-recovery-codes").await;
    c.goto(&app.url("/admin/users/new")).await.unwrap();
    check_page(&c, "admin-new-user").await;
    fill(&c, "name", "Tom Maes").await;
    fill(&c, "email", "tom@leuven.example").await;
    c.find(Locator::Css("label[for=role-counter]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    submit(&c).await;
    assert!(text(&c).await.contains("tom@leuven.example"));
    check_page(&c, "admin-user").await;
    for (path, name) in [
        ("/admin/users", "admin-users"),
        ("/admin/audit", "admin-audit"),
        ("/admin/access-log", "admin-access"),
        ("/admin/mail", "admin-mail"),
        ("/staff", "staff"),
        ("/api", "api"),
    ] {
        c.goto(&app.url(path)).await.unwrap();
        check_page(&c, name).await;
    }
    c.goto(&app.url("/no-such-page")).await.unwrap();
    check_page(&c, "not-found").await;

    c.close().await.unwrap();
    app.stop().await;
    let _ = std::fs::remove_dir_all(profile);
}

#[tokio::test]
async fn a_move_declaration_and_its_handling_are_accessible() {
    if backend() != "sqlite" {
        return;
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    for (email, role) in [
        ("an@example.org", "resident"),
        ("dossier@leuven.example", "case_handler"),
    ] {
        loket::cli::user_add(
            &app.config,
            email,
            "Test Person",
            &staff_roles(role),
            Some(PASSWORD.to_owned()),
        )
        .await
        .unwrap();
    }
    let sign_in = |email: &'static str| {
        let c = c.clone();
        let url = app.url("/login");
        let store = app.store.clone();
        async move {
            c.goto(&url).await.unwrap();
            fill(&c, "email", email).await;
            fill(&c, "password", PASSWORD).await;
            submit(&c).await;
            pass_factor_browser(&c, &store).await;
        }
    };
    sign_in("an@example.org").await;
    c.goto(&app.url("/services")).await.unwrap();
    check_page(&c, "catalogue").await;
    c.goto(&app.url("/services/move")).await.unwrap();
    check_page(&c, "service-move").await;
    click_and_wait(&c, "main a.button").await;
    check_page(&c, "apply-move").await;
    fill(&c, "new_address_street", "Bondgenotenlaan").await;
    fill(&c, "new_address_number", "12").await;
    fill(&c, "new_address_postal_code", "9000").await;
    fill(&c, "new_address_city", "Leuven").await;
    submit(&c).await;
    // The summary links to the failing fields; the typed street is kept.
    c.find(Locator::Css(
        ".error-summary a[href='#new_address_postal_code']",
    ))
    .await
    .unwrap();
    c.find(Locator::Css(".error-summary a[href='#move_date']"))
        .await
        .unwrap();
    let kept = c
        .find(Locator::Id("new_address_street"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Bondgenotenlaan"));
    check_page(&c, "apply-move-errors").await;
    fill(&c, "new_address_postal_code", "3000").await;
    // Type the date the way a person does in the date picker's own format.
    let today = loket_web::i18n::today_brussels().to_string();
    c.execute(
        &format!("document.getElementById('move_date').value = '{today}'"),
        vec![],
    )
    .await
    .unwrap();
    fill(&c, "old_address_street", "Kerkstraat").await;
    fill(&c, "old_address_number", "1").await;
    fill(&c, "old_address_postal_code", "9000").await;
    fill(&c, "old_address_city", "Gent").await;
    submit(&c).await;
    assert!(c.current_url().await.unwrap().path().ends_with("/confirm"));
    check_page(&c, "confirm-move").await;
    submit(&c).await;
    let number = c
        .current_url()
        .await
        .unwrap()
        .path()
        .trim_start_matches("/cases/")
        .to_owned();
    assert!(text(&c).await.contains(&number));
    check_page(&c, "case-resident").await;
    click_and_wait(&c, "header form button").await;

    sign_in("dossier@leuven.example").await;
    c.goto(&app.url("/staff/cases")).await.unwrap();
    check_page(&c, "queue").await;
    c.goto(&app.url(&format!("/staff/cases/{number}")))
        .await
        .unwrap();
    check_page(&c, "case-staff").await;
    let printed = check_print(&c, "case-staff").await;
    assert!(printed.contains(&number), "{printed}");
    c.find(Locator::Css("label[for=t-start_check]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_and_wait(&c, "form[action$='/transition'] button").await;
    assert!(text(&c).await.contains("Controle wijkinspecteur"));
    check_page(&c, "case-staff-after").await;

    c.close().await.unwrap();
    app.stop().await;
    let _ = std::fs::remove_dir_all(profile);
}

#[tokio::test]
async fn booking_an_appointment_is_accessible() {
    if backend() != "sqlite" {
        return;
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    loket::demo::seed_appointments(&app.store).await.unwrap();
    for (email, role) in [
        ("an@example.org", "resident"),
        ("loket@leuven.example", "counter"),
    ] {
        loket::cli::user_add(
            &app.config,
            email,
            "Test Person",
            &staff_roles(role),
            Some(PASSWORD.to_owned()),
        )
        .await
        .unwrap();
    }
    let sign_in = |email: &'static str| {
        let c = c.clone();
        let url = app.url("/login");
        let store = app.store.clone();
        async move {
            c.goto(&url).await.unwrap();
            fill(&c, "email", email).await;
            fill(&c, "password", PASSWORD).await;
            submit(&c).await;
            pass_factor_browser(&c, &store).await;
        }
    };
    sign_in("an@example.org").await;
    c.goto(&app.url("/appointments/book")).await.unwrap();
    check_page(&c, "appointment-choose").await;
    c.find(Locator::Id("service"))
        .await
        .unwrap()
        .select_by_value("identity-card")
        .await
        .unwrap();
    c.find(Locator::Id("location"))
        .await
        .unwrap()
        .select_by_value("city-office")
        .await
        .unwrap();
    submit(&c).await;
    check_page(&c, "appointment-slots").await;
    // Keyboard and screen readers get a radio group per day; pick the first.
    c.find(Locator::Css("main ul.slot-list input[type=radio]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_and_wait(&c, "main form[method=post] .actions button[type=submit]").await;
    let page = text(&c).await;
    assert!(page.contains("Uw afspraak is gemaakt"), "{page}");
    check_page(&c, "appointment-booked").await;
    c.goto(&app.url("/appointments")).await.unwrap();
    check_page(&c, "appointments-mine").await;
    let mail = app.last_mail_to("an@example.org").await;
    assert!(mail.attachment.is_some());

    // The counter sees it in the day list.
    c.delete_all_cookies().await.unwrap();
    sign_in("loket@leuven.example").await;
    c.goto(&app.url("/staff/appointments/new")).await.unwrap();
    check_page(&c, "appointment-staff-new").await;
    let a = loket_store::appointments::of_resident_page(
        &app.store,
        &loket_store::people::find_by_email(&app.store, "an@example.org")
            .await
            .unwrap()
            .unwrap()
            .id,
        &loket_domain::paging::PageQuery::first(1),
    )
    .await
    .unwrap()
    .items
    .remove(0);
    let date = &loket_web::appointments::local(a.starts_at)[..10];
    c.goto(&app.url(&format!(
        "/staff/appointments?location=city-office&date={date}"
    )))
    .await
    .unwrap();
    assert!(text(&c).await.contains(&a.code));
    check_page(&c, "appointments-day").await;
    let printed = check_print(&c, "appointments-day").await;
    assert!(printed.contains(&a.code), "{printed}");

    c.close().await.unwrap();
    app.stop().await;
    let _ = std::fs::remove_dir_all(profile);
}

#[tokio::test]
async fn a_parking_permit_its_approval_and_the_counter_pages_are_accessible() {
    if backend() != "sqlite" {
        return;
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    for (email, role) in [
        ("an@example.org", "resident"),
        ("dossier@leuven.example", "case_handler"),
        ("loket@leuven.example", "counter"),
        ("financien@leuven.example", "finance"),
    ] {
        loket::cli::user_add(
            &app.config,
            email,
            "Test Person",
            &staff_roles(role),
            Some(PASSWORD.to_owned()),
        )
        .await
        .unwrap();
    }
    let sign_in = |email: &'static str| {
        let c = c.clone();
        let url = app.url("/login");
        let store = app.store.clone();
        async move {
            c.goto(&url).await.unwrap();
            fill(&c, "email", email).await;
            fill(&c, "password", PASSWORD).await;
            submit(&c).await;
            pass_factor_browser(&c, &store).await;
        }
    };
    // A real file for the file input.
    let scan = profile.join("inschrijving.pdf");
    std::fs::write(&scan, b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n").unwrap();

    sign_in("an@example.org").await;
    c.goto(&app.url("/services/parking-permit/apply"))
        .await
        .unwrap();
    check_page(&c, "apply-parking").await;
    // A street outside every zone: refused, with the other input kept.
    fill(&c, "address_street", "Ambachtenlaan").await;
    fill(&c, "address_number", "20").await;
    fill(&c, "address_postal_code", "3001").await;
    fill(&c, "address_city", "Leuven").await;
    fill(&c, "plate", "1abc123").await;
    c.find(Locator::Id("registration"))
        .await
        .unwrap()
        .send_keys(&scan.to_string_lossy())
        .await
        .unwrap();
    submit(&c).await;
    c.find(Locator::Css(".error-summary a[href='#address_street']"))
        .await
        .unwrap();
    check_page(&c, "apply-parking-zone-error").await;
    fill(&c, "address_street", "Tiensestraat").await;
    fill(&c, "address_postal_code", "3000").await;
    submit(&c).await;
    assert!(c.current_url().await.unwrap().path().ends_with("/confirm"));
    assert!(text(&c).await.contains("Binnenstad (A)"));
    check_page(&c, "confirm-parking").await;
    submit(&c).await;
    let number = c
        .current_url()
        .await
        .unwrap()
        .path()
        .trim_start_matches("/cases/")
        .to_owned();
    click_and_wait(&c, "header form button").await;

    // The handler approves: the permit is issued.
    sign_in("dossier@leuven.example").await;
    c.goto(&app.url(&format!("/staff/cases/{number}")))
        .await
        .unwrap();
    c.find(Locator::Css("label[for=t-approve]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_and_wait(&c, "form[action$='/transition'] button").await;
    assert!(text(&c).await.contains("Parkeerkaart"));
    check_page(&c, "case-staff-permit").await;
    click_and_wait(&c, "header form button").await;

    // The resident sees the permit; anyone can check it.
    sign_in("an@example.org").await;
    c.goto(&app.url(&format!("/cases/{number}"))).await.unwrap();
    assert!(text(&c).await.contains("Parkeerkaart"));
    check_page(&c, "case-resident-permit").await;
    click_and_wait(&c, "header form button").await;
    let case = loket_store::cases::get_case(&app.store, &number)
        .await
        .unwrap()
        .unwrap();
    let code = loket_store::cases::case_documents(&app.store, &case.id)
        .await
        .unwrap()
        .into_iter()
        .find_map(|d| d.verify_code)
        .unwrap();
    c.goto(&app.url(&format!("/verify/{code}"))).await.unwrap();
    assert!(text(&c).await.contains("Geldig"));
    check_page(&c, "verify-valid").await;
    c.goto(&app.url("/verify?code=AAAA-BBBB")).await.unwrap();
    check_page(&c, "verify-unknown").await;

    // The counter: search, a new resident without e-mail (with an error
    // first), the letters to print.
    sign_in("loket@leuven.example").await;
    c.goto(&app.url("/staff/residents?q=Peeters"))
        .await
        .unwrap();
    check_page(&c, "residents-search").await;
    c.goto(&app.url("/staff/residents/new")).await.unwrap();
    fill(&c, "name", "Jan Janssens").await;
    submit(&c).await;
    c.find(Locator::Css(".error-summary a[href='#street']"))
        .await
        .unwrap();
    check_page(&c, "resident-new-errors").await;
    fill(&c, "street", "Naamsestraat").await;
    fill(&c, "house_number", "5").await;
    fill(&c, "postal_code", "3000").await;
    submit(&c).await;
    assert!(text(&c).await.contains("Jan Janssens"));
    check_page(&c, "resident-file").await;
    c.goto(&app.url("/staff/letters")).await.unwrap();
    check_page(&c, "letters").await;
    click_and_wait(&c, "header form button").await;

    // Finance: the payments page (empty here).
    sign_in("financien@leuven.example").await;
    c.goto(&app.url("/staff/payments")).await.unwrap();
    check_page(&c, "payments").await;

    c.close().await.unwrap();
    app.stop().await;
    let _ = std::fs::remove_dir_all(profile);
}

/// A staff member registers telework days in the month calendar, their
/// manager approves the month, and HR's telework pages — all axe-clean.
#[tokio::test]
async fn telework_month_and_approval_are_accessible() {
    if backend() != "sqlite" {
        return;
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let csv = "employee_no;name;email;department;manager;regime;telework\n\
               E1;Marleen Boss;boss@leuven.example;Financiën;;100;ja\n\
               E2;Tine Thuis;tine@leuven.example;Financiën;E1;100;ja\n";
    let records = loket_domain::telework::parse_staff_csv(csv, &Default::default()).unwrap();
    let mut tx = app.store.begin().await.unwrap();
    loket_store::telework::import_staff(&mut tx, &loket_domain::audit::Actor::System, &records)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for (email, roles) in [
        ("boss@leuven.example", "employee"),
        ("tine@leuven.example", "employee"),
        ("hr@leuven.example", "hr"),
    ] {
        loket::cli::user_add(
            &app.config,
            email,
            "Someone",
            &[roles.to_owned()],
            Some(PASSWORD.to_owned()),
        )
        .await
        .unwrap();
    }
    let sign_in = async |email: &str| {
        c.goto(&app.url("/login")).await.unwrap();
        fill(&c, "email", email).await;
        fill(&c, "password", PASSWORD).await;
        submit(&c).await;
        pass_factor_browser(&c, &app.store).await;
    };
    let today = loket_web::i18n::today_brussels();
    let month = loket_domain::telework::Month::of(today).prev();
    let days = loket_domain::telework::working_days(
        month,
        &loket_domain::telework::holidays(month.year(), &Default::default()),
    );

    // Tine: the month calendar, three days (one half), saved.
    sign_in("tine@leuven.example").await;
    c.goto(&app.url(&format!("/telework?month={month}")))
        .await
        .unwrap();
    check_page(&c, "telework-calendar").await;
    for (d, v) in [(days[0], "full"), (days[1], "full"), (days[2], "half")] {
        c.find(Locator::Id(&format!("d-{d}")))
            .await
            .unwrap()
            .select_by_value(v)
            .await
            .unwrap();
    }
    click_and_wait(&c, "button[value=save]").await;
    let t = text(&c).await;
    assert!(t.contains("opgeslagen"), "{t}");
    assert!(t.contains("7.50"), "{t}");
    check_page(&c, "telework-saved").await;
    click_and_wait(&c, "header form button").await;

    // The manager: the team's month at a glance, approved with a comment.
    sign_in("boss@leuven.example").await;
    c.goto(&app.url(&format!("/telework/team?month={month}")))
        .await
        .unwrap();
    check_page(&c, "telework-team").await;
    fill(&c, "comment-E2", "In orde").await;
    click_and_wait(&c, "#member-E2 button[value=approve]").await;
    let t = text(&c).await;
    assert!(t.contains("goedgekeurd"), "{t}");
    check_page(&c, "telework-team-approved").await;
    click_and_wait(&c, "header form button").await;

    // HR: the staff list, an import refused with its line and column, the
    // months (close), the settings and the dashboard.
    sign_in("hr@leuven.example").await;
    c.goto(&app.url("/staff/people")).await.unwrap();
    check_page(&c, "staff-people").await;
    c.goto(&app.url("/staff/people/import")).await.unwrap();
    fill(
        &c,
        "text",
        "employee_no;name;email;department;manager;regime;telework\nE3;Nina;nina@leuven.example;ICT;E9;100;ja\n",
    )
    .await;
    submit(&c).await;
    assert!(text(&c).await.contains("E9"));
    check_page(&c, "staff-import-errors").await;
    c.goto(&app.url("/staff/people/E2")).await.unwrap();
    check_page(&c, "staff-person").await;
    c.goto(&app.url("/staff/telework")).await.unwrap();
    check_page(&c, "telework-hr").await;
    click_and_wait(
        &c,
        &format!("form[action='/staff/telework/close'] input[value='{month}'] ~ button"),
    )
    .await;
    assert!(text(&c).await.contains(&month.to_string()));
    check_page(&c, "telework-hr-closed").await;
    for (path, name) in [
        ("/staff/telework/settings", "telework-settings"),
        (
            &format!("/staff/telework/dashboard?month={month}") as &str,
            "telework-dashboard",
        ),
    ] {
        c.goto(&app.url(path)).await.unwrap();
        check_page(&c, name).await;
    }
    c.close().await.unwrap();
    app.stop().await;
    let _ = std::fs::remove_dir_all(profile);
}

#[tokio::test]
async fn a_bike_reservation_and_the_equipment_pages_are_accessible() {
    if backend() != "sqlite" {
        return;
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    loket::demo::seed(&app.store).await.unwrap();
    for (email, role) in [
        ("rider@leuven.example", "counter"),
        ("fleet@leuven.example", "fleet"),
        ("ict@leuven.example", "ict"),
    ] {
        loket::cli::user_add(
            &app.config,
            email,
            "Test Person",
            &staff_roles(role),
            Some(PASSWORD.to_owned()),
        )
        .await
        .unwrap();
    }
    let sign_in = |email: &'static str, password: &'static str| {
        let c = c.clone();
        let url = app.url("/login");
        let store = app.store.clone();
        async move {
            c.goto(&url).await.unwrap();
            fill(&c, "email", email).await;
            fill(&c, "password", password).await;
            submit(&c).await;
            pass_factor_browser(&c, &store).await;
        }
    };
    // A staff member reserves an e-bike for tomorrow morning (the form's
    // defaults), after a first try with the end before the start.
    sign_in("rider@leuven.example", PASSWORD).await;
    c.goto(&app.url("/bikes")).await.unwrap();
    check_page(&c, "bikes-reserve").await;
    c.execute("document.getElementById('end').value = '08:00';", vec![])
        .await
        .unwrap();
    click_and_wait(
        &c,
        "main form[action='/bikes'] .actions button[type=submit]",
    )
    .await;
    let page = text(&c).await;
    assert!(
        page.contains("het einde moet na het begin liggen"),
        "{page}"
    );
    check_page(&c, "bikes-reserve-error").await;
    c.execute("document.getElementById('end').value = '12:00';", vec![])
        .await
        .unwrap();
    click_and_wait(
        &c,
        "main form[action='/bikes'] .actions button[type=submit]",
    )
    .await;
    let page = text(&c).await;
    assert!(page.contains("Gereserveerd"), "{page}");
    check_page(&c, "bike-reservation").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM bike_reservations WHERE status = 'reserved'")
            .await,
        1
    );
    // My equipment (nothing yet) and the fleet manager's pages.
    c.goto(&app.url("/equipment")).await.unwrap();
    check_page(&c, "equipment-mine-empty").await;
    c.delete_all_cookies().await.unwrap();
    sign_in("fleet@leuven.example", PASSWORD).await;
    c.goto(&app.url("/staff/bikes")).await.unwrap();
    check_page(&c, "bikes-fleet").await;
    c.goto(&app.url("/staff/bikes/dashboard")).await.unwrap();
    check_page(&c, "bikes-dashboard").await;
    // ICT pages.
    c.delete_all_cookies().await.unwrap();
    sign_in("ict@leuven.example", PASSWORD).await;
    c.goto(&app.url("/staff/assets?category=tablet_4g"))
        .await
        .unwrap();
    check_page(&c, "assets-list").await;
    c.goto(&app.url("/staff/assets/check-out?who=koen"))
        .await
        .unwrap();
    check_page(&c, "assets-check-out").await;
    c.goto(&app.url("/staff/assets/audit")).await.unwrap();
    check_page(&c, "assets-audit").await;
    c.goto(&app.url("/staff/assets/labels")).await.unwrap();
    check_page(&c, "assets-labels").await;
    c.goto(&app.url("/staff/assets/import")).await.unwrap();
    check_page(&c, "assets-import").await;
    let tab = loket_store::assets::get_asset(&app.store, "LV-TAB-0001")
        .await
        .unwrap()
        .unwrap();
    c.goto(&app.url(&format!("/staff/assets/{}", tab.id)))
        .await
        .unwrap();
    check_page(&c, "asset-detail").await;
    // A demo teleworker acknowledges the hand-over of their laptop and chair.
    c.delete_all_cookies().await.unwrap();
    sign_in("vloot@demo.leuven.be", loket::demo::DEMO_PASSWORD).await;
    c.goto(&app.url("/equipment")).await.unwrap();
    check_page(&c, "equipment-mine").await;
    click_and_wait(&c, "main section a").await;
    check_page(&c, "handover").await;
    click_and_wait(&c, "main form[action$='/acknowledge'] button[type=submit]").await;
    assert!(!text(&c).await.contains("Nog niet bevestigd"));
    c.close().await.unwrap();
    app.stop().await;
    let _ = std::fs::remove_dir_all(profile);
}

/// A resident books, checks in at the kiosk with the appointment code, the
/// desk calls the ticket, and the waiting-room display shows it — and then
/// follows the next call live over its event stream. All axe-clean.
#[tokio::test]
async fn booking_kiosk_desk_and_display_are_accessible() {
    use loket_store::appointments as appt;
    if backend() != "sqlite" {
        return;
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let (sid, _lid, desk, key) = counter_open_all_day(&app).await;
    for (email, role) in [
        ("an@example.org", "resident"),
        ("loket@leuven.example", "counter"),
    ] {
        loket::cli::user_add(
            &app.config,
            email,
            "An Peeters",
            &staff_roles(role),
            Some(PASSWORD.to_owned()),
        )
        .await
        .unwrap();
    }
    let sign_in = |email: &'static str| {
        let c = c.clone();
        let url = app.url("/login");
        let store = app.store.clone();
        async move {
            c.goto(&url).await.unwrap();
            fill(&c, "email", email).await;
            fill(&c, "password", PASSWORD).await;
            submit(&c).await;
            pass_factor_browser(&c, &store).await;
        }
    };

    // The resident books the first free slot and sees the code as a QR code.
    sign_in("an@example.org").await;
    c.goto(&app.url("/appointments/book?service=identity-card&location=city-office"))
        .await
        .unwrap();
    // Not the very first slot: under load a minute can pass between the
    // page and the submit, and the first slot may then be too soon to book.
    let radios = c
        .find_all(Locator::Css("main ul.slot-list input[type=radio]"))
        .await
        .unwrap();
    radios[radios.len().min(3) - 1].click().await.unwrap();
    click_and_wait(&c, "main form[method=post] .actions button[type=submit]").await;
    let page = text(&c).await;
    assert!(page.contains("Uw afspraak is gemaakt"), "{page}");
    c.find(Locator::Css("figure.qr svg")).await.unwrap();
    check_page(&c, "queue-appointment-qr").await;
    let rid = loket_store::people::find_by_email(&app.store, "an@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    let booked =
        appt::of_resident_page(&app.store, &rid, &loket_domain::paging::PageQuery::first(1))
            .await
            .unwrap()
            .items
            .remove(0);

    // At the kiosk (no one signed in): a wrong code first, then the code as
    // a scanner types it, Enter.
    c.delete_all_cookies().await.unwrap();
    c.goto(&app.url(&format!("/kiosk/city-office?k={key}")))
        .await
        .unwrap();
    check_page(&c, "queue-kiosk").await;
    fill(&c, "code", "ZZZZ-ZZZZ").await;
    click_and_wait(&c, "form[action$=check-in] button[type=submit]").await;
    assert!(text(&c).await.contains("kennen deze code niet"));
    check_page(&c, "queue-kiosk-error").await;
    fill(&c, "code", &format!("{}\n", booked.code.replace('-', ""))).await;
    let start = Instant::now();
    while !text(&c).await.contains("I001") {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no ticket after Enter"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    check_page(&c, "queue-ticket").await;

    // The desk calls it.
    sign_in("loket@leuven.example").await;
    c.goto(&app.url(&format!("/staff/desks/{desk}")))
        .await
        .unwrap();
    check_page(&c, "queue-desk-idle").await;
    click_and_wait(&c, "form[action$='/call'] button").await;
    let page = text(&c).await;
    assert!(
        page.contains("I001") && page.contains("An Peeters"),
        "{page}"
    );
    check_page(&c, "queue-desk-serving").await;

    // The display shows it, and follows the next call live.
    c.goto(&app.url("/queue/city-office/display"))
        .await
        .unwrap();
    let latest = || async {
        c.find(Locator::Css("#called li.latest .number"))
            .await
            .ok()?
            .text()
            .await
            .ok()
    };
    // Drawn by the server; the script may redraw it from the stream, so
    // under load it is looked for until it is there.
    let start = Instant::now();
    while latest().await.as_deref() != Some("I001") {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the display does not show the call"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    check_page(&c, "queue-display").await;
    let staff = app.signed_in("balie2@leuven.example", &["counter"]).await;
    let r = app
        .submit(
            &staff,
            &format!("/staff/desks/{desk}"),
            &format!("/staff/desks/{desk}/finish"),
            &[("outcome", "served")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let t = app
        .submit(
            &app.client(),
            &format!("/kiosk/city-office?k={key}"),
            "/kiosk/city-office/walk-in",
            &[("k", &key), ("service", &sid)],
        )
        .await;
    assert_eq!(t.status().as_u16(), 303);
    let r = app
        .submit(
            &staff,
            &format!("/staff/desks/{desk}"),
            &format!("/staff/desks/{desk}/call"),
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let start = Instant::now();
    while latest().await.as_deref() != Some("I002") {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the display did not follow the call"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.goto(&app.url("/queue/city-office/door")).await.unwrap();
    assert!(text(&c).await.contains("Kom binnen"));
    check_page(&c, "queue-door").await;
    c.goto(&app.url("/staff/queue?location=city-office"))
        .await
        .unwrap();
    check_page(&c, "queue-overview").await;
    c.goto(&app.url("/staff/queue/stats?location=city-office"))
        .await
        .unwrap();
    check_page(&c, "queue-stats").await;

    c.close().await.unwrap();
    app.stop().await;
    let _ = std::fs::remove_dir_all(profile);
}

/// A counter "city-office" open around the clock (so the first free slot
/// is soon) with one desk "1" for the service "identity-card": the service
/// id, the location id, the desk id and the kiosk key.
async fn counter_open_all_day(app: &TestApp) -> (String, String, String, String) {
    use loket_domain::audit::Actor;
    use loket_store::appointments as appt;
    // A counter open around the clock, so the first free slot is soon.
    let a = Actor::System;
    let mut tx = app.store.begin().await.unwrap();
    let sid = appt::save_service(
        &mut tx,
        &a,
        "identity-card",
        "Identiteitskaart",
        "Identity card",
        15,
    )
    .await
    .unwrap();
    let lid = appt::save_location(
        &mut tx,
        &a,
        "city-office",
        "Stadskantoor",
        "Plein 1, 3000 Leuven",
    )
    .await
    .unwrap();
    let mut periods = Vec::new();
    for wd in 1..=7 {
        periods.extend(loket_domain::appointments::parse_day_hours(wd, "00:00-23:59").unwrap());
    }
    appt::set_hours(&mut tx, &a, &lid, &periods).await.unwrap();
    appt::save_desk(&mut tx, &a, &lid, "1", std::slice::from_ref(&sid))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    appt::settings(&app.store).await.unwrap();
    appt::save_settings(&app.store, &a, 42, 0, 2, 2)
        .await
        .unwrap();
    let desk = appt::list_desks(&app.store, &lid)
        .await
        .unwrap()
        .remove(0)
        .id;
    let key = loket_web::queue::kiosk_key(&app.config.keys().ring().unwrap(), &lid);
    (sid, lid, desk, key)
}

/// The waiting-room display on a 1080p screen, as seen from five metres:
/// the latest call large, the last five calls, a clock, a call spoken in
/// the chosen language, and a banner while the stream is lost that goes
/// once it is back. axe-clean.
#[tokio::test]
async fn the_room_display_reads_from_five_metres() {
    if backend() != "sqlite" {
        return;
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let mut app = TestApp::spawn().await;
    let (sid, _lid, desk, key) = counter_open_all_day(&app).await;
    c.set_window_size(1920, 1080).await.unwrap();
    c.goto(&app.url("/queue/city-office/display?speak=nl"))
        .await
        .unwrap();
    assert!(text(&c).await.contains("Nog niemand opgeroepen"));
    let clock = c
        .find(Locator::Id("clock"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        clock.len() == 5 && clock.as_bytes()[2] == b':',
        "clock shows {clock:?}"
    );
    // Record what the screen says (the page's own speech synthesis is
    // called; a headless browser has no voice to play it).
    c.execute(
        "window.__said = []; window.speechSynthesis.speak = function (u) { window.__said.push(u.text + '|' + u.lang); };",
        vec![],
    )
    .await
    .unwrap();
    // Six walk-ins, called and served one after the other at desk 1.
    let staff = app.signed_in("balie@leuven.example", &["counter"]).await;
    let desk_page = format!("/staff/desks/{desk}");
    let mut numbers = Vec::new();
    for _ in 0..6 {
        let t = app
            .submit(
                &app.client(),
                &format!("/kiosk/city-office?k={key}"),
                "/kiosk/city-office/walk-in",
                &[("k", &key), ("service", &sid)],
            )
            .await;
        assert_eq!(t.status().as_u16(), 303);
    }
    for _ in 0..6 {
        let r = app
            .submit(&staff, &desk_page, &format!("{desk_page}/call"), &[])
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let (_, page) = app.get(&staff, &desk_page).await;
        let n = page
            .split("ticket-number\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap()
            .trim()
            .to_owned();
        numbers.push(n);
        let r = app
            .submit(
                &staff,
                &desk_page,
                &format!("{desk_page}/finish"),
                &[("outcome", "served")],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
    }
    let last = numbers.last().unwrap().clone();
    let start = Instant::now();
    loop {
        let latest = c.find(Locator::Css("#called li.latest .number")).await.ok();
        let shown = match latest {
            Some(el) => el.text().await.unwrap_or_default(),
            None => String::new(),
        };
        if shown == last {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the display does not show {last}, but {shown:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The last five calls, newest first; the latest readable from afar.
    let rows = c.find_all(Locator::Css("#called li")).await.unwrap();
    assert_eq!(rows.len(), 5);
    let size = c
        .execute(
            "return parseFloat(getComputedStyle(document.querySelector('#called li.latest .number')).fontSize);",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(size >= 120.0, "the latest number is {size}px high");
    check_page(&c, "queue-display-room").await;
    // Spoken in Dutch: the last call's letters, then its number.
    let start = Instant::now();
    let said = loop {
        let said = c.execute("return window.__said;", vec![]).await.unwrap();
        let said: Vec<String> = serde_json::from_value(said).unwrap_or_default();
        if said.iter().any(|s| s.contains("balie 1")) || start.elapsed() > Duration::from_secs(10) {
            break said;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let digits = last.trim_start_matches(|ch: char| ch.is_ascii_alphabetic());
    let spoken_number = digits.trim_start_matches('0');
    assert!(
        said.iter().any(|s| s.starts_with("Nummer ")
            && s.contains(&format!(" {spoken_number}, naar balie 1"))
            && s.ends_with("|nl-BE")),
        "{said:?} for {last}"
    );
    // The server goes away: the screen says so. It comes back on the same
    // address: the screen follows it again and the banner goes.
    let visible = || async {
        c.execute(
            "return !document.getElementById('connection').hidden;",
            vec![],
        )
        .await
        .unwrap()
            == json!(true)
    };
    let running = app.running.take().unwrap();
    let addr = running.addr;
    running.shutdown().await;
    let start = Instant::now();
    while !visible().await {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no banner while the stream is lost"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    check_page(&c, "queue-display-offline").await;
    let config = loket::config::Config {
        addr: addr.to_string(),
        ..app.config.clone()
    };
    let store = loket::open_store(&config).await.unwrap();
    app.running = Some(
        loket::start_with_store(&config, store.clone(), false)
            .await
            .unwrap(),
    );
    app.store = store;
    let start = Instant::now();
    while visible().await {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the banner stays after the server is back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let r = app
        .submit(
            &app.client(),
            &format!("/kiosk/city-office?k={key}"),
            "/kiosk/city-office/walk-in",
            &[("k", &key), ("service", &sid)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let start = Instant::now();
    while c
        .find(Locator::Id("waiting"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap_or_default()
        != "1"
    {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the display does not follow the server after it came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.close().await.unwrap();
    app.stop().await;
    let _ = std::fs::remove_dir_all(profile);
}

/// Chromium's network emulation through chromedriver
/// (`POST /session/{id}/chromium/network_conditions`).
#[derive(Debug)]
struct NetworkConditions {
    offline: bool,
}

impl fantoccini::wd::WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/chromium/network_conditions",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"network_conditions": {
            "offline": self.offline, "latency": 0,
            "download_throughput": -1, "upload_throughput": -1,
        }});
        (http::Method::POST, Some(body.to_string()))
    }
}

#[tokio::test]
async fn vaccination_check_in_by_scanner_and_the_mobile_page_offline() {
    use loket_domain::audit::Actor;
    use loket_domain::vaccination::{CampaignPlan, CentreDay, Invitee};
    use loket_store::vaccination as vac;
    if backend() != "sqlite" {
        return;
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let a = Actor::System;
    // A campaign today, around now; two invitees.
    let tz = loket_domain::appointments::brussels();
    let now = jiff::Timestamp::now().to_zoned_datetime(tz);
    let from = now.checked_sub(jiff::Span::new().minutes(10)).unwrap();
    let from_t = jiff::civil::time(from.hour(), from.minute() / 5 * 5, 0, 0);
    let end = from.checked_add(jiff::Span::new().hours(2)).unwrap();
    let end_t = jiff::civil::time(end.hour(), end.minute() / 5 * 5, 0, 0);
    // Split at midnight (the day's last slot ends at 23:55), so the journey
    // runs at any hour.
    let mut centre_days = Vec::new();
    if end.date() == from.date() {
        centre_days.push(CentreDay {
            day: from.date(),
            opens: from_t,
            closes: end_t,
        });
    } else {
        let last = jiff::civil::time(23, 55, 0, 0);
        if from_t < last {
            centre_days.push(CentreDay {
                day: from.date(),
                opens: from_t,
                closes: last,
            });
        }
        centre_days.push(CentreDay {
            day: end.date(),
            opens: jiff::civil::time(0, 0, 0, 0),
            closes: end_t,
        });
    }
    let mut tx = app.store.begin().await.unwrap();
    let loc = loket_store::appointments::save_location(
        &mut tx,
        &a,
        "centrum",
        "Vaccinatiecentrum",
        "Brabantlaan 1",
    )
    .await
    .unwrap();
    let c_plan = CampaignPlan {
        lines: 2,
        per_line: 2,
        slot_minutes: 5,
        observation_minutes: 15,
        admit_per_minute: 1000,
    };
    let campaign = vac::create_campaign(
        &mut tx,
        &a,
        vac::NewCampaign {
            slug: "booster",
            name: "Booster",
            vaccine: "Comirnaty",
            location_id: &loc,
            plan: &c_plan,
            groups: &["80+".to_owned()],
            days: &centre_days,
            opens_at: loket_store::now_ms() - 3_600_000,
        },
    )
    .await
    .unwrap();
    let people = [
        (
            loket::demo::vaccination::national_number(1985, 7, 30, 33),
            "An Peeters",
            "1985-07-30",
        ),
        (
            loket::demo::vaccination::national_number(1931, 6, 7, 23),
            "Yvonne Lambert",
            "1931-06-07",
        ),
    ];
    let rows: Vec<Invitee> = people
        .iter()
        .enumerate()
        .map(|(i, (n, name, b))| Invitee {
            line: i + 2,
            national_number: n.clone(),
            name: (*name).to_owned(),
            birth_date: (*b).to_owned(),
            street: "Naamsestraat 1".into(),
            postal_code: "3000".into(),
            city: "Leuven".into(),
            email: Some(format!("p{i}@example.org")),
            phone: None,
            group_rank: 0,
        })
        .collect();
    let none = |_: &vac::Invitation| None;
    vac::import_invitations(&mut tx, &a, &campaign, &rows, &none)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let invs = vac::invitations(&app.store, &campaign.id, "", 10)
        .await
        .unwrap();
    let an = invs
        .iter()
        .find(|i| i.name == "An Peeters")
        .unwrap()
        .clone();
    let yvonne = invs
        .iter()
        .find(|i| i.name == "Yvonne Lambert")
        .unwrap()
        .clone();
    let day = from.date().to_string();
    let mut tx = app.store.begin().await.unwrap();
    vac::plan_mobile_visit(
        &mut tx,
        &a,
        &campaign,
        "Team A",
        &day,
        "10:00",
        &yvonne.id,
        "WZC Remy, Leuven",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // The invitee books with the code and the birth date.
    let code = loket_domain::vaccination::format_code(&an.code);
    c.goto(&app.url(&format!("/vaccinatie/booster?code={code}")))
        .await
        .unwrap();
    check_page(&c, "vac-login").await;
    fill(&c, "birth_date", "1985-07-30").await;
    submit(&c).await;
    check_page(&c, "vac-book").await;
    c.find(Locator::Css(
        "main ul.slot-list input[type=radio]:not([disabled])",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    click_and_wait(&c, "main form[action$='/afspraak'] button[type=submit]").await;
    assert!(text(&c).await.contains("U hebt een afspraak op"));
    check_page(&c, "vac-booked").await;
    c.goto(&app.url("/vaccinatie/booster/reservelijst"))
        .await
        .unwrap();
    check_page(&c, "vac-reserve").await;

    // Staff: a coordinator who also works at the centre.
    loket::cli::user_add(
        &app.config,
        "els@leuven.example",
        "Els Willems",
        &[
            "vaccination_coordinator".to_owned(),
            "vaccination_staff".to_owned(),
        ],
        Some(PASSWORD.to_owned()),
    )
    .await
    .unwrap();
    c.goto(&app.url("/login")).await.unwrap();
    fill(&c, "email", "els@leuven.example").await;
    fill(&c, "password", PASSWORD).await;
    submit(&c).await;
    pass_factor_browser(&c, &app.store).await;
    for (path, name) in [
        ("/staff/vaccination", "vac-list"),
        ("/staff/vaccination/booster", "vac-campaign"),
        ("/staff/vaccination/booster/dashboard", "vac-dashboard"),
    ] {
        c.goto(&app.url(path)).await.unwrap();
        check_page(&c, name).await;
    }

    // Check-in: the scanner types the code and Enter into the focused field.
    c.goto(&app.url("/staff/vaccination/booster/check-in"))
        .await
        .unwrap();
    check_page(&c, "vac-check-in").await;
    let old = c.find(Locator::Css("html")).await.unwrap();
    let focused = c.active_element().await.unwrap();
    assert_eq!(focused.attr("id").await.unwrap().as_deref(), Some("code"));
    focused.send_keys(&format!("{code}\u{E007}")).await.unwrap();
    let start = Instant::now();
    while old.tag_name().await.is_ok() {
        assert!(start.elapsed() < Duration::from_secs(15));
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    c.wait()
        .for_element(Locator::Id("found-title"))
        .await
        .unwrap();
    let t = text(&c).await;
    assert!(t.contains("An Peeters") && t.contains("op tijd"), "{t}");
    check_page(&c, "vac-check-in-found").await;
    // One key press confirms the identity check.
    let old = c.find(Locator::Css("html")).await.unwrap();
    let focused = c.active_element().await.unwrap();
    assert_eq!(
        focused.attr("id").await.unwrap().as_deref(),
        Some("confirm")
    );
    focused.send_keys("\u{E007}").await.unwrap();
    let start = Instant::now();
    while old.tag_name().await.is_ok() {
        assert!(start.elapsed() < Duration::from_secs(15));
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    c.wait().for_element(Locator::Css("main")).await.unwrap();
    assert!(text(&c).await.contains("is ingecheckt met nummer 001"));
    check_page(&c, "vac-checked-in").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_visits").await, 1);
    for (path, name) in [
        (
            "/staff/vaccination/booster/stations/registration",
            "vac-station",
        ),
        ("/staff/vaccination/booster/observation", "vac-observation"),
        ("/staff/vaccination/booster/report", "vac-report"),
    ] {
        c.goto(&app.url(path)).await.unwrap();
        check_page(&c, name).await;
    }

    // The mobile page: loaded online (the service worker keeps it), then
    // the connection drops, a vaccination is recorded on the device, the
    // page is reloaded from the cache, and the record is sent once the
    // connection is back.
    let mobile = app.url(&format!("/mobile/vaccination?team=Team%20A&day={day}"));
    c.goto(&mobile).await.unwrap();
    check_page(&c, "vac-mobile").await;
    let start = Instant::now();
    loop {
        let ready = c
            .execute(
                "return !!(navigator.serviceWorker && navigator.serviceWorker.controller);",
                vec![],
            )
            .await
            .unwrap();
        if ready == Value::Bool(true) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "service worker never took control"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        if start.elapsed() > Duration::from_secs(2) {
            c.refresh().await.unwrap();
        }
    }
    // Once more online, now through the worker, so the page is cached.
    c.refresh().await.unwrap();
    c.wait().for_element(Locator::Css("#mobile")).await.unwrap();
    c.issue_cmd(NetworkConditions { offline: true })
        .await
        .unwrap();
    fill(
        &c,
        &format!(
            "lot-{}",
            vac::mobile_day(&app.store, "Team A", &day).await.unwrap()[0].id
        ),
        "FK1234",
    )
    .await;
    c.find(Locator::Css("form.record[data-kind=vaccinated] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let start = Instant::now();
    while !text(&c).await.contains("nog te versturen") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{}",
            text(&c).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_mobile_records").await,
        0
    );
    // Reloaded without a connection: the service worker serves the page and
    // the record is still waiting on the device.
    c.refresh().await.unwrap();
    c.wait().for_element(Locator::Css("#mobile")).await.unwrap();
    let start = Instant::now();
    while !text(&c).await.contains("nog te versturen") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{}",
            text(&c).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(text(&c).await.contains("Yvonne Lambert"));
    check_page(&c, "vac-mobile-offline").await;
    c.issue_cmd(NetworkConditions { offline: false })
        .await
        .unwrap();
    let start = Instant::now();
    while app.count("SELECT COUNT(*) FROM vac_mobile_records").await == 0 {
        assert!(start.elapsed() < Duration::from_secs(30), "never synced");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM vac_mobile_records WHERE kind = 'vaccinated' AND lot = 'FK1234'"
        )
        .await,
        1
    );
    let start = Instant::now();
    while !text(&c).await.contains("verstuurd") {
        assert!(start.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(profile);
    app.stop().await;
}

/// An agent's call: the knowledge-base search (results while typing), the
/// log form with articles picked from a search (while typing, and with the
/// search button), the logged contact moment, a forward paused and resumed
/// by the department, and the report — axe-core on every page.
#[tokio::test]
async fn an_agents_call_from_search_to_a_logged_contact_is_accessible() {
    if backend() != "sqlite" {
        return;
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    loket::demo::contact::seed(&app.store).await.unwrap();
    loket::demo::contact::seed_moments(&app.store)
        .await
        .unwrap();
    for (email, role) in [
        ("agent@leuven.example", "contact_centre"),
        ("mob@leuven.example", "case_handler"),
    ] {
        loket::cli::user_add(
            &app.config,
            email,
            "Test Person",
            &staff_roles(role),
            Some(PASSWORD.to_owned()),
        )
        .await
        .unwrap();
    }
    let sign_in = |email: &'static str| {
        let c = c.clone();
        let url = app.url("/login");
        let store = app.store.clone();
        async move {
            c.goto(&url).await.unwrap();
            fill(&c, "email", email).await;
            fill(&c, "password", PASSWORD).await;
            submit(&c).await;
            pass_factor_browser(&c, &store).await;
        }
    };
    sign_in("agent@leuven.example").await;
    // The caller asks about a parking card: results while typing.
    c.goto(&app.url("/staff/kb")).await.unwrap();
    check_page(&c, "kb-agent").await;
    c.find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("parkeerkaart")
        .await
        .unwrap();
    let start = Instant::now();
    loop {
        let t = c
            .find(Locator::Id("results"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if t.contains("Bewonersparkeerkaart") && t.contains("parkeerkaart") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no live results: {t}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    check_page(&c, "kb-agent-live").await;

    // The log form: the article picked from results shown while typing.
    c.goto(&app.url("/staff/contact/new")).await.unwrap();
    check_page(&c, "contact-new").await;
    fill(&c, "contact_name", "Jan Peeters").await;
    fill(&c, "subject", "Bewonerskaart").await;
    fill(&c, "question", "Hoeveel kost een bewonerskaart?").await;
    fill(
        &c,
        "answer",
        "25 euro per jaar, aan te vragen via het e-loket.",
    )
    .await;
    fill(&c, "duration", "4").await;
    c.find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("parkeerkaart")
        .await
        .unwrap();
    let pick = Locator::Css("#article-results input[value=bewonersparkeerkaart]");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(pick)
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    check_page(&c, "contact-new-live-results").await;
    // The search button (what works without JavaScript) keeps everything.
    fill(&c, "q", "grofvuil").await;
    click_and_wait(&c, "#article-search-button").await;
    check_page(&c, "contact-new-searched").await;
    let html = c.source().await.unwrap();
    assert!(html.contains("value=\"Jan Peeters\""), "input kept");
    assert!(
        html.contains("id=\"picked-bewonersparkeerkaart\""),
        "pick kept"
    );
    c.find(Locator::Id("outcome"))
        .await
        .unwrap()
        .select_by_value("call_back")
        .await
        .unwrap();
    click_and_wait(&c, "button[value=save]").await;
    let page = text(&c).await;
    assert!(
        page.contains("Bewonersparkeerkaarten") && page.contains("Jan Peeters"),
        "{page}"
    );
    check_page(&c, "contact-moment").await;
    // Forward it to Mobility from its page.
    c.find(Locator::Id("department"))
        .await
        .unwrap()
        .select_by_value("mobiliteit")
        .await
        .unwrap();
    click_and_wait(&c, "form[action$='/forward'] button[type=submit]").await;
    check_page(&c, "contact-moment-forwarded").await;
    c.goto(&app.url("/staff/contact/report")).await.unwrap();
    assert!(text(&c).await.contains("Contacten per dag en kanaal"));
    check_page(&c, "contact-report").await;

    // The department waits for the resident, then resumes.
    c.delete_all_cookies().await.unwrap();
    sign_in("mob@leuven.example").await;
    c.goto(&app.url("/staff/forwards?department=mobiliteit"))
        .await
        .unwrap();
    check_page(&c, "forwards").await;
    // An empty question: the error summary and the field.
    click_and_wait(&c, "form[action$='/pause'] button[type=submit]").await;
    check_page(&c, "forwards-pause-error").await;
    let q = c.find(Locator::Id("question")).await.unwrap();
    q.send_keys("Welk kenteken heeft uw wagen?").await.unwrap();
    click_and_wait(&c, "form[action$='/pause'] button[type=submit]").await;
    assert!(text(&c).await.contains("wacht op de inwoner sinds"));
    check_page(&c, "forwards-waiting").await;
    click_and_wait(&c, "form[action$='/resume'] button[type=submit]").await;
    check_page(&c, "forwards-resumed").await;

    c.close().await.unwrap();
    app.stop().await;
    let _ = std::fs::remove_dir_all(profile);
}

/// A volunteer signs up for a demo shift and is refused a second one at the
/// same time (the rule named); the planner's pages, an assignment that
/// breaks a rule with the override form, and the override itself. All
/// axe-clean.
#[tokio::test]
async fn vaccination_shifts_are_accessible() {
    if backend() != "sqlite" {
        return;
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    loket::demo::seed(&app.store).await.unwrap();
    loket::cli::user_add(
        &app.config,
        "vrijwilliger@leuven.example",
        "Vera Vrijwilliger",
        &["employee".to_owned()],
        Some(PASSWORD.to_owned()),
    )
    .await
    .unwrap();
    let sign_in = |email: &'static str, password: &'static str| {
        let c = c.clone();
        let url = app.url("/login");
        let store = app.store.clone();
        async move {
            c.goto(&url).await.unwrap();
            fill(&c, "email", email).await;
            fill(&c, "password", password).await;
            submit(&c).await;
            pass_factor_browser(&c, &store).await;
        }
    };
    sign_in("vrijwilliger@leuven.example", PASSWORD).await;
    c.goto(&app.url("/shifts")).await.unwrap();
    check_page(&c, "shifts-volunteer").await;
    click_and_wait(&c, "main form[action$='/sign-up'] button[type=submit]").await;
    assert!(text(&c).await.contains("U bent ingeschreven"));
    check_page(&c, "shifts-volunteer-signed-up").await;
    // The next open shift starts at the same time: refused, rule named.
    click_and_wait(&c, "main form[action$='/sign-up'] button[type=submit]").await;
    let page = text(&c).await;
    assert!(page.contains("overlapt met een andere dienst"), "{page}");
    check_page(&c, "shifts-volunteer-refused").await;
    // The planner.
    c.delete_all_cookies().await.unwrap();
    sign_in("vaccinatie@demo.leuven.be", loket::demo::DEMO_PASSWORD).await;
    c.goto(&app.url("/staff/shifts")).await.unwrap();
    check_page(&c, "shifts-planner-day").await;
    // The day's host shift of 13:00 (six roles at 08:00 come first): right
    // after the volunteer's 08:00-13:00, so it breaks the rest rule.
    click_and_wait(&c, "main table tbody tr:nth-child(7) a").await;
    assert!(text(&c).await.contains("13:00–18:00"));
    check_page(&c, "shifts-shift").await;
    fill(&c, "person", "vrijwilliger@leuven.example").await;
    click_and_wait(&c, "main form[action$='/assign'] button[type=submit]").await;
    let page = text(&c).await;
    assert!(
        page.contains("Reden om de regel te overschrijven"),
        "{page}"
    );
    check_page(&c, "shifts-assign-override").await;
    fill(
        &c,
        "shift_override_reason",
        "Tekort door ziekte, afgesproken",
    )
    .await;
    click_and_wait(&c, "main form[action$='/assign'] button[type=submit]").await;
    assert!(text(&c).await.contains("Tekort door ziekte, afgesproken"));
    c.goto(&app.url("/staff/shifts/coverage")).await.unwrap();
    check_page(&c, "shifts-coverage").await;
    c.goto(&app.url("/staff/shifts/roles")).await.unwrap();
    check_page(&c, "shifts-roles").await;
    c.goto(&app.url("/staff/shifts/people?q=vrijwilliger"))
        .await
        .unwrap();
    check_page(&c, "shifts-people").await;
    c.close().await.unwrap();
    app.stop().await;
    let _ = std::fs::remove_dir_all(profile);
}

/// The privacy page and the accessibility statement (with its barrier form,
/// also with errors) in both languages: 0 axe-core violations.
#[tokio::test]
async fn the_legal_pages_are_accessible() {
    if backend() != "sqlite" {
        return; // the browser journeys run once, in the SQLite pass
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    for lang in ["nl", "en"] {
        c.goto(&app.url(&format!("/lang/{lang}?next=/privacy")))
            .await
            .unwrap();
        c.wait().for_element(Locator::Css("main")).await.unwrap();
        assert!(c.current_url().await.unwrap().path() == "/privacy");
        check_page(&c, &format!("privacy-{lang}")).await;
        c.goto(&app.url("/accessibility")).await.unwrap();
        check_page(&c, &format!("accessibility-{lang}")).await;
        // The footer's link leads here.
        c.find(Locator::Css("footer a[href='/accessibility']"))
            .await
            .unwrap();
        fill(&c, "name", "An Peeters").await;
        fill(&c, "email", "an-at-example.org").await;
        submit(&c).await;
        c.find(Locator::Css(".error-summary a[href='#email']"))
            .await
            .unwrap();
        check_page(&c, &format!("accessibility-errors-{lang}")).await;
        fill(&c, "email", "an@example.org").await;
        fill(&c, "barrier", "De knop is niet bereikbaar.").await;
        submit(&c).await;
        assert!(text(&c).await.contains("C-"));
        check_page(&c, &format!("accessibility-reported-{lang}")).await;
    }
    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(profile);
    app.stop().await;
}

/// The counts of the work screen on the page in the browser: key → number.
async fn work_counts_in_browser(c: &Client) -> std::collections::BTreeMap<String, i64> {
    let v = c
        .execute(
            "return Array.from(document.querySelectorAll('[data-work]')).map(e => [e.dataset.work, e.textContent.trim()]);",
            vec![],
        )
        .await
        .unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect()
}

/// Three staff homes as work screens on the demo city (issue 20, item 3):
/// the team lead (cases, forwards, counters, the team's months), a fleet
/// and ICT manager, and a shift planner who is also the privacy officer;
/// each page passes axe, and its counts match the database.
#[tokio::test]
async fn three_staff_homes_are_accessible_work_screens() {
    if backend() != "sqlite" {
        return; // the browser journeys run once, in the SQLite pass
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    loket::demo::seed(&app.store).await.unwrap();
    let an = resident(&app, "an.home@example.org").await;
    crate::need::case_of(&app, "move", &an).await;
    use loket_store::sqlx::{self, Row};
    sqlx::query("UPDATE asset_loans SET due_on = '2000-01-01' WHERE id = (SELECT MIN(id) FROM asset_loans WHERE in_at IS NULL)")
        .execute(app.store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE bikes SET status = 'maintenance' WHERE id = (SELECT MIN(id) FROM bikes)")
        .execute(app.store.pool())
        .await
        .unwrap();
    for (email, roles) in [
        ("fleet.home@leuven.example", vec!["fleet", "ict"]),
        (
            "planner.home@leuven.example",
            vec!["vaccination_coordinator", "privacy_officer"],
        ),
    ] {
        let roles: Vec<String> = roles.into_iter().map(str::to_owned).collect();
        loket::cli::user_add(
            &app.config,
            email,
            "Test Person",
            &roles,
            Some(PASSWORD.to_owned()),
        )
        .await
        .unwrap();
    }
    let today = loket_domain::calendar::today_brussels().to_string();
    let count = |sql: &'static str, bind: Option<String>| {
        let pool = app.store.pool().clone();
        async move {
            let mut q = sqlx::query(sql);
            if let Some(b) = bind {
                q = q.bind(b);
            }
            q.fetch_one(&pool).await.unwrap().get::<i64, _>(0)
        }
    };
    let homes: [(&str, &str, &str); 3] = [
        (
            loket::demo::telework::DEMO_MANAGER.0,
            loket::demo::DEMO_PASSWORD,
            "staff-home-team-lead",
        ),
        (
            "fleet.home@leuven.example",
            PASSWORD,
            "staff-home-fleet-ict",
        ),
        (
            "planner.home@leuven.example",
            PASSWORD,
            "staff-home-planner-privacy",
        ),
    ];
    for (email, password, name) in homes {
        c.goto(&app.url("/login")).await.unwrap();
        fill(&c, "email", email).await;
        fill(&c, "password", password).await;
        submit(&c).await;
        pass_factor_browser(&c, &app.store).await;
        c.goto(&app.url("/staff")).await.unwrap();
        c.wait().for_element(Locator::Css("main")).await.unwrap();
        check_page(&c, name).await;
        let w = work_counts_in_browser(&c).await;
        match name {
            "staff-home-team-lead" => {
                assert_eq!(
                    w["cases-unassigned"],
                    count(
                        "SELECT COUNT(*) FROM cases WHERE assignee_id IS NULL AND closed_at IS NULL",
                        None
                    )
                    .await
                );
                assert!(w["cases-unassigned"] >= 1);
                assert_eq!(
                    w["forwards-overdue"],
                    count(
                        "SELECT COUNT(*) FROM contact_forwards WHERE status = 'open' AND due_on < $1",
                        Some(today.clone())
                    )
                    .await
                );
                assert!(w.keys().any(|k| k.starts_with("months-")), "{w:?}");
                assert!(w.keys().any(|k| k.starts_with("appointments-")), "{w:?}");
            }
            "staff-home-fleet-ict" => {
                assert_eq!(
                    w["bikes-maintenance"],
                    count(
                        "SELECT COUNT(*) FROM bikes WHERE status = 'maintenance'",
                        None
                    )
                    .await
                );
                assert_eq!(
                    w["loans-overdue"],
                    count(
                        "SELECT COUNT(*) FROM asset_loans WHERE in_at IS NULL AND due_on < $1",
                        Some(today.clone())
                    )
                    .await
                );
                assert!(w["loans-overdue"] >= 1 && w["bikes-maintenance"] >= 1);
                assert_eq!(w.len(), 2, "{w:?}");
            }
            _ => {
                assert_eq!(
                    w["privacy-open"],
                    count(
                        "SELECT COUNT(*) FROM privacy_requests WHERE status IN ('open', 'in_progress')",
                        None
                    )
                    .await
                );
                assert!(w.contains_key("shifts-understaffed"), "{w:?}");
            }
        }
        click_and_wait(&c, "form[action='/logout'] button").await;
    }
    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(profile);
    app.stop().await;
}

#[tokio::test]
async fn the_management_dashboard_is_accessible() {
    if backend() != "sqlite" {
        return; // the browser journeys run once, in the SQLite pass
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    loket::demo::seed(&app.store).await.unwrap();
    loket::cli::user_add(
        &app.config,
        "directie@leuven.example",
        "Test Person",
        &["management".to_owned()],
        Some(PASSWORD.to_owned()),
    )
    .await
    .unwrap();
    c.goto(&app.url("/login")).await.unwrap();
    fill(&c, "email", "directie@leuven.example").await;
    fill(&c, "password", PASSWORD).await;
    submit(&c).await;
    pass_factor_browser(&c, &app.store).await;
    // From the staff home to the dashboard.
    c.goto(&app.url("/staff")).await.unwrap();
    click_and_wait(&c, "main a[href='/staff/dashboard']").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/staff/dashboard");
    check_page(&c, "dashboard").await;
    // The counts shown are the database's: the equipment on loan now and
    // the campaign's invitations (all made today, so in the period).
    let column_sum = |table: &'static str, cell: usize| {
        let c = c.clone();
        async move {
            c.execute(
                &format!(
                    "return Array.from(document.querySelectorAll('#{table} tbody tr'))
                       .map(r => parseInt(r.cells[{cell}].textContent, 10))
                       .reduce((a, b) => a + b, 0);"
                ),
                vec![],
            )
            .await
            .unwrap()
            .as_i64()
            .unwrap()
        }
    };
    let on_loan = app
        .count("SELECT COUNT(*) FROM asset_loans WHERE in_at IS NULL")
        .await;
    assert!(on_loan > 0);
    assert_eq!(column_sum("table-equipment", 1).await, on_loan);
    let invited = app.count("SELECT COUNT(*) FROM vac_invitations").await;
    assert!(invited > 0);
    assert_eq!(column_sum("table-vaccination", 1).await, invited);
    // Every chart is an image with a title, followed by its table.
    let charts = c
        .find_all(Locator::Css("svg.chart[role='img'] > title"))
        .await
        .unwrap();
    assert!(charts.len() >= 13, "{} charts", charts.len());
    // A period longer than three years: the field is named, the input kept.
    c.execute(
        "document.getElementById('from').value = '2020-01-01';",
        vec![],
    )
    .await
    .unwrap();
    submit(&c).await;
    c.find(Locator::Css(".error-summary a[href='#from']"))
        .await
        .unwrap();
    let kept = c
        .find(Locator::Id("from"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("2020-01-01"));
    check_page(&c, "dashboard-errors").await;
    c.goto(&app.url("/lang/en?next=/staff/dashboard"))
        .await
        .unwrap();
    c.wait().for_element(Locator::Css("main")).await.unwrap();
    assert!(text(&c).await.contains("Management dashboard"));
    check_page(&c, "dashboard-en").await;
    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(profile);
    app.stop().await;
}

/// A demo resident's cases in every state, on the lived-in demo (issue 20,
/// item 1): her case list shows as many rows as the database holds, each
/// state once or more; the approved permit's page offers its PDF; both
/// pages pass axe.
#[tokio::test]
async fn a_demo_residents_cases_in_every_state_are_accessible() {
    if backend() != "sqlite" {
        return; // the browser journeys run once, in the SQLite pass
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    loket::demo::seed(&app.store).await.unwrap();
    loket::demo::history::seed(&app.store).await.unwrap();
    loket::demo::lives::seed(&app.app()).await.unwrap();
    c.goto(&app.url("/login")).await.unwrap();
    fill(&c, "email", "an.peeters@example.org").await;
    fill(&c, "password", loket::demo::DEMO_PASSWORD).await;
    submit(&c).await;
    c.goto(&app.url("/cases")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("main table"))
        .await
        .unwrap();
    check_page(&c, "demo-resident-cases").await;
    let rows = c
        .execute(
            "return Array.from(document.querySelectorAll('main tbody tr')).map(r => r.cells[2].textContent.trim());",
            vec![],
        )
        .await
        .unwrap();
    let shown: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    use loket_store::sqlx::{self, Row};
    let in_db: i64 = sqlx::query(
        "SELECT COUNT(*) FROM cases c JOIN users u ON u.id = c.resident_id WHERE u.email = $1",
    )
    .bind("an.peeters@example.org")
    .fetch_one(app.store.pool())
    .await
    .unwrap()
    .get(0);
    assert_eq!(shown.len() as i64, in_db, "{shown:?}");
    for state in [
        "Ingediend",
        "Informatie gevraagd",
        "Goedgekeurd",
        "Geweigerd",
        "Betaald",
    ] {
        assert!(shown.iter().any(|s| s == state), "{state} in {shown:?}");
    }
    // The approved permit, with its document.
    let number: String = sqlx::query(
        "SELECT c.number FROM cases c JOIN users u ON u.id = c.resident_id \
         JOIN services s ON s.id = c.service_id \
         WHERE u.email = $1 AND c.status = 'approved' AND s.slug = 'parking-permit'",
    )
    .bind("an.peeters@example.org")
    .fetch_one(app.store.pool())
    .await
    .unwrap()
    .get(0);
    c.goto(&app.url(&format!("/cases/{number}"))).await.unwrap();
    c.wait().for_element(Locator::Css("main")).await.unwrap();
    check_page(&c, "demo-resident-permit").await;
    let page = text(&c).await;
    assert!(page.contains("parkeerkaart.pdf"), "the permit: {page}");
    c.find(Locator::Css(&format!(
        "main a[href^='/cases/{number}/documents/']"
    )))
    .await
    .unwrap();
    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(profile);
    app.stop().await;
}

/// The privacy officer carries out an erasure (the form refused without
/// its confirmation, then done) and restricts processing: every page with
/// 0 axe-core violations.
#[tokio::test]
async fn erasure_and_restriction_pages_are_accessible() {
    if backend() != "sqlite" {
        return; // the browser journeys run once, in the SQLite pass
    }
    let Some((_driver, c, profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let an = resident(&app, "an@example.be").await;
    let service = loket_store::cases::service_by_slug(&app.store, "move")
        .await
        .unwrap()
        .unwrap();
    let today = loket_domain::calendar::today_brussels();
    let mut tx = app.store.begin().await.unwrap();
    loket_store::cases::create_case(
        &mut tx,
        &loket_domain::audit::Actor::System,
        loket_store::cases::NewCase {
            service: &service,
            resident_id: &an,
            channel: loket_domain::cases::Channel::Web,
            assisted_by: None,
            identified_by: "password",
            data: &Default::default(),
            year: 2026,
            due_date: "2026-12-31",
        },
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    for kind in ["restriction", "erasure"] {
        let new = loket_domain::privacy::requests::parse_new(
            kind,
            "Art. 18(1)(a)",
            "",
            &today.to_string(),
            today,
        )
        .unwrap();
        ids.push(
            loket_store::privacy::requests::create(
                &mut tx,
                &loket_domain::audit::Actor::System,
                &an,
                &new,
            )
            .await
            .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    loket::cli::user_add(
        &app.config,
        "dpo@leuven.example",
        "Dora Privacy",
        &["privacy_officer".to_owned()],
        Some(PASSWORD.to_owned()),
    )
    .await
    .unwrap();
    c.goto(&app.url("/login")).await.unwrap();
    fill(&c, "email", "dpo@leuven.example").await;
    fill(&c, "password", PASSWORD).await;
    submit(&c).await;
    pass_factor_browser(&c, &app.store).await;

    // Restriction: restrict, the case listed with its badge.
    c.goto(&app.url(&format!("/privacy-officer/requests/{}", ids[0])))
        .await
        .unwrap();
    check_page(&c, "restriction-request").await;
    click_and_wait(&c, "main form[action$='/restrict'] button[type=submit]").await;
    assert!(text(&c).await.contains("De verwerking is beperkt"));
    c.find(Locator::Css("#restricted-cases .badge"))
        .await
        .unwrap();
    check_page(&c, "restriction-done").await;

    // Erasure: refused without the confirmation, then carried out.
    c.goto(&app.url(&format!("/privacy-officer/requests/{}", ids[1])))
        .await
        .unwrap();
    check_page(&c, "erasure-request").await;
    fill(&c, "erase-outcome", "Uw gegevens zijn gewist.").await;
    click_and_wait(&c, "main form[action$='/erase'] button[type=submit]").await;
    c.find(Locator::Css(".error-summary a[href='#confirm']"))
        .await
        .unwrap();
    check_page(&c, "erasure-errors").await;
    c.find(Locator::Id("confirm"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&c, "erase-outcome", "Uw gegevens zijn gewist.").await;
    click_and_wait(&c, "main form[action$='/erase'] button[type=submit]").await;
    assert!(text(&c).await.contains("De wissing is uitgevoerd"));
    check_page(&c, "erasure-done").await;
    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(profile);
    app.stop().await;
}
