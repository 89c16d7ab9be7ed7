//! Data-protection requests (issue 16, item 2): recorded by the privacy
//! officer with a one-month deadline (month ends clamp), listed with the
//! overdue ones marked, moved step by step (each step audited), and the
//! outcome sent to the person by mail, or by letter without an e-mail
//! address, in their language.

use crate::common::*;
use jiff::ToSpan;
use jiff::civil::Date;
use loket_store::sqlx::{self, Row};

async fn user_id(app: &TestApp, email: &str) -> String {
    loket_store::people::find_by_email(&app.store, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn status_of(app: &TestApp, id: &str) -> String {
    sqlx::query("SELECT status FROM privacy_requests WHERE id = $1")
        .bind(id.to_owned())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get::<String, _>("status")
}

async fn audits(app: &TestApp, id: &str) -> Vec<String> {
    sqlx::query("SELECT action FROM audit_log WHERE record_id = $1 ORDER BY at, id")
        .bind(id.to_owned())
        .fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("action"))
        .collect()
}

/// Records a request through the form; its id.
async fn record(
    app: &TestApp,
    c: &reqwest::Client,
    person: &str,
    kind: &str,
    received: &str,
) -> String {
    let page = format!("/privacy-officer/people/{person}/requests");
    let r = app
        .submit(
            c,
            &page,
            &page,
            &[
                ("kind", kind),
                ("legal_basis", "Art. 17(1)(a)"),
                ("note", "Per brief aan het loket"),
                ("received", received),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    location(&r)
        .strip_prefix("/privacy-officer/requests/")
        .unwrap()
        .to_owned()
}

async fn step(
    app: &TestApp,
    c: &reqwest::Client,
    id: &str,
    status: &str,
    outcome: &str,
) -> reqwest::Response {
    let page = format!("/privacy-officer/requests/{id}");
    app.submit(
        c,
        &page,
        &format!("{page}/step"),
        &[("status", status), ("outcome", outcome)],
    )
    .await
}

/// The last 31st on or before `today` whose next month is shorter.
fn month_end_before(today: Date) -> Date {
    let mut d = today;
    loop {
        if d.day() == 31 && d.checked_add(1.month()).unwrap().day() < 31 {
            return d;
        }
        d = d.yesterday().unwrap();
    }
}

#[tokio::test]
async fn requests_have_a_deadline_steps_and_an_outcome_sent_in_the_persons_language() {
    let app = TestApp::spawn().await;
    let dpo = app
        .signed_in("dpo@leuven.example", &["privacy_officer"])
        .await;
    app.signed_in("an@example.be", &["resident"]).await;
    let an = user_id(&app, "an@example.be").await;
    // A resident without e-mail, in English, with a postal address.
    let mut tx = app.store.begin().await.unwrap();
    let piet = loket_store::people::create_resident(
        &mut tx,
        &loket_domain::audit::Actor::System,
        &loket_domain::people::PersonName::parse("Piet Zonder Mail").unwrap(),
        None,
        "en",
        &loket_store::people::ResidentProfile {
            street: "Kerkstraat".into(),
            house_number: "1".into(),
            postal_code: "3000".into(),
            city: "Leuven".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // A request received on a 31st: its deadline is the next month's end.
    let today = loket_domain::calendar::today_brussels();
    let received = month_end_before(today);
    let deadline = received.checked_add(1.month()).unwrap();
    assert_eq!(deadline.day(), deadline.days_in_month());
    let late = record(&app, &dpo, &an, "erasure", &received.to_string()).await;
    let (status, html) = app
        .get(&dpo, &format!("/privacy-officer/requests/{late}"))
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("id=\"deadline\">{deadline}")),
        "deadline {deadline}: {html}"
    );
    assert_eq!(audits(&app, &late).await, ["privacy_request.create"]);
    // One received today: due in a month, not overdue.
    let fresh = record(&app, &dpo, &an, "access", &today.to_string()).await;
    let (status, html) = app.get(&dpo, "/privacy-officer/requests").await;
    assert_eq!(status, 200);
    assert_eq!(
        html.contains(&format!("data-overdue=\"{late}\"")),
        today > deadline,
        "the late one is marked overdue: {html}"
    );
    assert!(!html.contains(&format!("data-overdue=\"{fresh}\"")));
    assert!(html.contains("2 verzoeken, 2 nog open"), "{html}");
    // Listing names people: access-logged.
    assert!(
        app.count("SELECT COUNT(*) FROM access_log WHERE purpose = 'privacy-requests'")
            .await
            >= 1
    );

    // In progress: no mail yet.
    let mails_before = app.count("SELECT COUNT(*) FROM outbox").await;
    let r = step(&app, &dpo, &late, "in_progress", "").await;
    assert_eq!(r.status(), 303);
    assert_eq!(status_of(&app, &late).await, "in_progress");
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, mails_before);
    // Refused without a reason: a field error, input kept, nothing changed.
    let r = step(&app, &dpo, &late, "refused", "  ").await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"outcome-error\""), "{html}");
    assert!(html.contains("Uitkomst: vul dit veld in."), "{html}");
    assert_eq!(status_of(&app, &late).await, "in_progress");
    // Done: An is told by mail, in Dutch.
    let r = step(
        &app,
        &dpo,
        &late,
        "done",
        "Uw account en gegevens zijn gewist.",
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).ends_with("?told=mail"));
    assert_eq!(status_of(&app, &late).await, "done");
    let mail = app.last_mail_to("an@example.be").await;
    assert_eq!(
        mail.subject,
        "Uw verzoek over gegevensbescherming: afgehandeld"
    );
    assert!(mail.body.contains("Uw account en gegevens zijn gewist."));
    assert_eq!(
        audits(&app, &late).await,
        [
            "privacy_request.create",
            "privacy_request.step",
            "privacy_request.step"
        ]
    );
    // Done is final.
    let r = app
        .client()
        .get(app.url(&format!("/privacy-officer/requests/{late}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "signed out: to the sign-in page");
    let csrf = csrf_of(&app.get(&dpo, "/privacy-officer").await.1);
    let r = dpo
        .post(app.url(&format!("/privacy-officer/requests/{late}/step")))
        .form(&[("status", "refused"), ("outcome", "x"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(status_of(&app, &late).await, "done");

    // Piet has no e-mail address: refused, told by letter, in English.
    let p = record(&app, &dpo, &piet, "restriction", &today.to_string()).await;
    let r = step(
        &app,
        &dpo,
        &p,
        "refused",
        "The data are needed for a pending case.",
    )
    .await;
    assert!(location(&r).ends_with("?told=letter"));
    let letter: String =
        sqlx::query("SELECT content FROM letters WHERE resident_id = $1 AND kind = 'privacy'")
            .bind(piet.clone())
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get("content");
    assert!(
        letter.contains("Your data-protection request: refused"),
        "{letter}"
    );
    assert!(letter.contains("The data are needed for a pending case."));
    assert!(letter.contains("Kerkstraat 1"));
    app.stop().await;
}

#[tokio::test]
async fn the_request_form_is_validated_and_only_for_the_privacy_officer() {
    let app = TestApp::spawn().await;
    let dpo = app
        .signed_in("dpo@leuven.example", &["privacy_officer"])
        .await;
    app.signed_in("an@example.be", &["resident"]).await;
    let an = user_id(&app, "an@example.be").await;
    let tomorrow = loket_domain::calendar::today_brussels()
        .tomorrow()
        .unwrap()
        .to_string();
    let page = format!("/privacy-officer/people/{an}/requests");
    for (lang, fields, wants) in [
        (
            "nl",
            [
                ("kind", ""),
                ("legal_basis", ""),
                ("note", "Mijn notitie"),
                ("received", tomorrow.as_str()),
            ],
            vec![
                ("kind", "Verzoek: kies het soort verzoek."),
                ("legal_basis", "Rechtsgrond: vul dit veld in."),
                (
                    "received",
                    "Ontvangen op: de dag moet vandaag of in het voorbije jaar liggen.",
                ),
            ],
        ),
        (
            "en",
            [
                ("kind", "delete"),
                ("legal_basis", "Art. 17"),
                ("note", "My note"),
                ("received", "31-01-2026"),
            ],
            vec![
                ("kind", "Request: choose the kind of request."),
                ("received", "Received on: enter a date like 2026-12-01."),
            ],
        ),
    ] {
        let (status, _) = app.get(&dpo, &format!("/lang/{lang}?next=/staff")).await;
        assert_eq!(status, 303);
        let r = app.submit(&dpo, &page, &page, &fields).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        for (field, message) in wants {
            assert!(
                html.contains(&format!("id=\"{field}-error\"")),
                "{field}: {html}"
            );
            assert!(html.contains(message), "{message}: {html}");
        }
        assert!(html.contains(fields[2].1), "the note is kept");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM privacy_requests").await, 0);
    // Other staff: 403; an unknown person: 404.
    let handler = app
        .signed_in("handler@leuven.example", &["case_handler"])
        .await;
    for path in ["/privacy-officer/requests".to_owned(), page.clone()] {
        assert_eq!(app.get(&handler, &path).await.0, 403, "{path}");
    }
    assert_eq!(
        app.get(&dpo, "/privacy-officer/people/nobody/requests")
            .await
            .0,
        404
    );
    app.stop().await;
}
