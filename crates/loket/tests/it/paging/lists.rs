//! The lists paged in part 2 (issue 19, item 4): each walked forward and
//! back over more rows than a page with equal sort keys, its total against
//! SQL COUNT and past a small cap, its filters kept, bad cursors and limits
//! refused, and (staff lists) its CSV download whole, filtered and with
//! formulas neutralised.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::walk::*;
use crate::common::*;
use loket_domain::audit::Actor;
use serde_json::Value;

/// The keys of the rows a page links to under `prefix` (e.g.
/// `/staff/contact/`), in order.
fn links(html: &str, prefix: &str, ok: &dyn Fn(&str) -> bool) -> Vec<String> {
    html.split(&format!("href=\"{prefix}"))
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|k| ok(k))
        .map(str::to_owned)
        .collect()
}

/// `n` contact moments with status `status`, every other one about
/// `resident` (the rest about a caller without a file), created at four
/// instants only (so many share the first sort key); one subject a formula.
async fn seed_moments(app: &TestApp, resident: &str, status: &str, n: usize) {
    let mut tx = app.store.begin().await.unwrap();
    for i in 0..n {
        let subject = if i == 3 {
            "=SUM(A1:A2)".to_owned()
        } else {
            format!("Vraag {i}")
        };
        let m = loket_store::contact::create_moment(
            &mut tx,
            &Actor::System,
            2026,
            status,
            &loket_store::contact::MomentParty {
                resident_id: (i % 2 == 0).then_some(resident),
                name: "Beller",
                email: "",
            },
            &loket_domain::contact::MomentDraft {
                channel: "phone".to_owned(),
                subject,
                question: "Hoe?".to_owned(),
                answer: String::new(),
                outcome: "answered".to_owned(),
                duration_minutes: 3,
            },
            &[],
        )
        .await
        .unwrap();
        sqlx::query("UPDATE contact_moments SET created_at = $1 WHERE id = $2")
            .bind(1_790_000_000_000_i64 + (i as i64 % 4) * 60_000)
            .bind(&m.id)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn contact_moments_are_paged_with_totals_and_csv() {
    let app = TestApp::spawn().await;
    let an = resident(&app, "an@example.org").await;
    seed_moments(&app, &an, "open", 120).await;
    seed_moments(&app, &an, "intake", 9).await;
    let expected = column(
        &app,
        "SELECT reference AS k FROM contact_moments WHERE status = $1 ORDER BY created_at DESC, id DESC",
        &["open"],
    )
    .await;
    let open = app
        .count("SELECT COUNT(*) AS n FROM contact_moments WHERE status = 'open'")
        .await;
    assert_eq!((expected.len(), open), (120, 120));
    let all = app.count("SELECT COUNT(*) AS n FROM contact_moments").await;

    // The API: filtered, forward and back; unfiltered total; bad queries.
    let token = token(&app, "agent@leuven.example", &["contact_centre"]).await;
    let seen = walk_api(
        &app,
        &token,
        "/api/v1/contact-moments?status=open",
        50,
        open,
        &|m| m["reference"].as_str().unwrap().to_owned(),
    )
    .await;
    assert_eq!(seen, expected, "every moment once, in order");
    let (_, first) = api(&app, &token, "GET", "/api/v1/contact-moments", Value::Null).await;
    assert_eq!(first["total"].as_i64(), Some(all));
    assert_eq!(
        first["items"].as_array().unwrap().len(),
        50,
        "the default limit"
    );
    bad_queries(&app, &token, "/api/v1/contact-moments").await;
    let t = loket_store::contact::moments_total(&app.store, "", "", 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false), "more than 100");
    let t = loket_store::contact::moments_total(&app.store, "intake", "", 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (9, true));

    // The page: the status filter kept across pages.
    let c = app
        .signed_in("agent2@leuven.example", &["contact_centre"])
        .await;
    let ids = column(
        &app,
        "SELECT id AS k FROM contact_moments WHERE status = $1 ORDER BY created_at DESC, id DESC",
        &["open"],
    )
    .await;
    let rows = |html: &str| links(html, "/staff/contact/", &|k| k.len() > 20);
    let shown = walk_html(
        &app,
        &c,
        "/staff/contact?status=open",
        "120 in totaal",
        &rows,
    )
    .await;
    assert_eq!(shown, ids);
    bad_page_queries(&app, &c, "/staff/contact").await;
    let (_, html) = app.get(&c, "/staff/contact?status=open").await;
    assert!(
        html.contains("href=\"/staff/contact.csv?status=open\""),
        "{html}"
    );

    // The CSV: every open moment once, a header, formulas neutralised; the
    // access log has one row per person shown (the resident, and each
    // moment without a resident).
    let lines = csv_lines(
        &app,
        &c,
        "/staff/contact.csv?status=open",
        "contact-moments-",
    )
    .await;
    assert!(lines[0].starts_with("Referentie,"), "{}", lines[0]);
    assert_eq!(lines.len(), 121);
    let refs: Vec<String> = lines[1..].iter().map(|l| first_field(l)).collect();
    assert_eq!(refs, expected);
    let formula = lines.iter().find(|l| l.contains("SUM(")).unwrap();
    assert!(formula.contains("'=SUM(A1:A2)"), "{formula}");
    let logged = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'contact.list.csv'")
        .await;
    assert_eq!(logged, 1 + 60);
    let counter = app.signed_in("c@leuven.example", &["counter"]).await;
    let r = counter
        .get(app.url("/staff/contact.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}
