//! The pages the law asks for: the privacy page and the accessibility
//! statement in both languages, linked from every page's footer; the
//! barrier form makes a contact moment, refuses bad input keeping the rest,
//! and is limited per IP like the other public mail forms.

use crate::common::*;

fn footer(html: &str) -> &str {
    html.split("<footer").nth(1).unwrap_or("")
}

#[tokio::test]
async fn privacy_and_accessibility_pages_in_both_languages_and_in_every_footer() {
    let app = TestApp::spawn_with(|c| {
        c.privacy_controller = "Stad Testdorp, Markt 1, 9999 Testdorp".to_owned();
        c.privacy_dpo = "dpo@testdorp.example".to_owned();
        c.accessibility_statement_date = "2026-11-30".to_owned();
        c.session_hours = 6;
    })
    .await;
    let c = app.client();

    let (s, html) = app.get(&c, "/privacy").await;
    assert_eq!(s, 200);
    assert!(html.contains("<html lang=\"nl\""));
    assert!(html.contains("Verwerkingsverantwoordelijke"), "{html}");
    assert!(html.contains("Stad Testdorp, Markt 1, 9999 Testdorp"));
    assert!(html.contains("dpo@testdorp.example"));
    // The periods Loket applies today, from the one table (sessions follow
    // the configuration), and what has no end date yet.
    assert!(
        html.contains("Gewist 6 uur na het laatste gebruik, en uiterlijk 12 uur na het aanmelden"),
        "{html}"
    );
    assert!(html.contains("Gewist 24 uur na de poging"));
    assert!(html.contains("Gewist 7 dagen nadat de link verliep"));
    assert!(html.contains("Nog geen einddatum"));
    for right in ["Inzage", "Verbetering", "Wissen", "Beperking", "Bezwaar"] {
        assert!(html.contains(right), "{right}");
    }
    assert!(html.contains("Vlaamse Toezichtcommissie"));
    assert!(html.contains("Gegevensbeschermingsautoriteit"));

    let (s, html) = app.get(&c, "/accessibility").await;
    assert_eq!(s, 200);
    assert!(html.contains("Toegankelijkheidsverklaring"));
    assert!(html.contains("gedeeltelijk"));
    assert!(html.contains("WCAG) 2.1 niveau AA"));
    assert!(html.contains("EN 301 549"));
    assert!(html.contains("pdf-documenten"));
    assert!(html.contains("30 november 2026"), "{html}");
    assert!(html.contains("axe-core"));
    assert!(html.contains("Vlaamse Ombudsdienst"));
    assert!(html.contains("action=\"/accessibility#report\""));

    // English.
    let (s, _) = app.get(&c, "/lang/en?next=/privacy").await;
    assert_eq!(s, 303);
    let (s, html) = app.get(&c, "/privacy").await;
    assert_eq!(s, 200);
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains("Controller:"));
    assert!(
        html.contains("Removed 6 hours after their last use"),
        "{html}"
    );
    assert!(html.contains("No end date yet"));
    assert!(html.contains("Belgian Data Protection Authority"));
    let (s, html) = app.get(&c, "/accessibility").await;
    assert_eq!(s, 200);
    assert!(html.contains("Accessibility statement"));
    assert!(html.contains("partially compliant"));
    assert!(
        html.contains("30 November 2026") || html.contains("30 november 2026"),
        "{html}"
    );
    assert!(html.contains("Flemish Ombudsman Service"));

    // Both links in the footer of every page, in both languages, signed in
    // or not.
    let staff = app.signed_in("admin@example.org", &["admin"]).await;
    for (client, path) in [
        (&c, "/"),
        (&c, "/login"),
        (&c, "/contact/ask"),
        (&c, "/nope"),
        (&staff, "/staff"),
        (&staff, "/admin/users"),
    ] {
        let (_, html) = app.get(client, path).await;
        let f = footer(&html);
        assert!(f.contains("href=\"/privacy\""), "{path}: {f}");
        assert!(f.contains("href=\"/accessibility\""), "{path}: {f}");
    }
    let (_, html) = app.get(&app.client(), "/").await;
    let f = footer(&html);
    assert!(
        f.contains(">Privacy<") && f.contains(">Toegankelijkheid<"),
        "{f}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_barrier_report_becomes_a_contact_moment_and_bad_input_is_refused() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let moments = "SELECT COUNT(*) FROM contact_moments";
    let mails = "SELECT COUNT(*) FROM outbox";

    // Bad input: no name, a bad e-mail address, an empty description. Each
    // field named, the rest kept, nothing stored.
    let r = app
        .submit(
            &c,
            "/accessibility",
            "/accessibility",
            &[
                ("name", ""),
                ("email", "an-at-example.org"),
                ("page", "/appointments/book"),
                ("barrier", "  "),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#name\""), "{html}");
    assert!(html.contains("href=\"#email\""), "{html}");
    assert!(html.contains("href=\"#barrier\""), "{html}");
    assert!(html.contains("value=\"an-at-example.org\""));
    assert!(html.contains("value=\"/appointments/book\""));
    assert_eq!(app.count(moments).await, 0);
    assert_eq!(app.count(mails).await, 0);

    // A "where" that is too long is refused, the description kept.
    let long = "x".repeat(151);
    let r = app
        .submit(
            &c,
            "/accessibility",
            "/accessibility",
            &[
                ("name", "An Peeters"),
                ("email", "an@example.org"),
                ("page", &long),
                ("barrier", "De knop is niet bereikbaar met het toetsenbord."),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#page\""), "{html}");
    assert!(html.contains("De knop is niet bereikbaar met het toetsenbord.</textarea>"));
    assert!(html.contains("value=\"An Peeters\""));
    assert_eq!(app.count(moments).await, 0);

    // Without CSRF: refused.
    let r = c
        .post(app.url("/accessibility"))
        .form(&[
            ("name", "An"),
            ("email", "an@example.org"),
            ("barrier", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.count(moments).await, 0);

    // A good report: a contact moment in the intake queue, with its
    // reference on the page and in the confirmation mail.
    let r = app
        .submit(
            &c,
            "/accessibility",
            "/accessibility",
            &[
                ("name", "An Peeters"),
                ("email", "an@example.org"),
                ("page", "/appointments/book"),
                ("barrier", "De knop is niet bereikbaar met het toetsenbord."),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("referentie C-"), "{html}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM contact_moments WHERE status = 'intake' AND channel = 'web' \
             AND subject = 'Toegankelijkheidsprobleem: /appointments/book' \
             AND question = 'De knop is niet bereikbaar met het toetsenbord.'"
        )
        .await,
        1
    );
    let mail = app.last_mail_to("an@example.org").await;
    assert!(mail.subject.contains("[C-"), "{}", mail.subject);
    app.stop().await;
}

#[tokio::test]
async fn barrier_reports_are_limited_per_ip() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let per_ip = loket_domain::limits::MAIL_FORMS_PER_IP.max;
    let mut statuses = Vec::new();
    for i in 0..per_ip + 2 {
        let text = format!("Probleem {i}");
        let r = app
            .submit(
                &c,
                "/accessibility",
                "/accessibility",
                &[
                    ("name", "An Peeters"),
                    ("email", "an@example.org"),
                    ("barrier", &text),
                ],
            )
            .await;
        statuses.push(r.status().as_u16());
        if r.status().as_u16() == 429 {
            let html = r.text().await.unwrap();
            assert!(html.contains(&text), "input kept: {html}");
        }
    }
    let limit = usize::try_from(per_ip).unwrap();
    assert!(statuses[..limit].iter().all(|s| *s == 200), "{statuses:?}");
    assert!(statuses[limit..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_moments").await,
        per_ip
    );
    app.stop().await;
}
