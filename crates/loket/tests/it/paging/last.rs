//! The lists paged last in issue 19, item 4: the letters waiting for the
//! print batch and the cases of a resident's file for staff; each walked
//! forward and back over more rows than a page with equal sort keys, its
//! total against SQL COUNT, bad cursors and limits refused, its CSV
//! download whole and in order, and every resident shown access-logged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::walk::*;
use crate::common::*;

/// The rows of the list before the pager (not the pager's own links).
fn before_pager(html: &str) -> &str {
    html.split("class=\"pager\"").next().unwrap()
}

/// A letter's content as the renderer reads it, titled `title`.
fn letter_json(title: &str) -> String {
    serde_json::json!({
        "lang": "nl", "city": "Leuven", "place": "Leuven", "title": title,
        "date": "2026-12-01", "reference_label": "Ref", "reference": "R",
        "recipient": ["An Peeters", "Tiensestraat 20", "3000 Leuven"],
        "paragraphs": [], "facts_header": ["", ""], "facts": [],
        "qr_url": null, "qr_caption": "", "qr_alt": "", "closing": "",
        "footer": "", "logo_alt": ""
    })
    .to_string()
}

#[tokio::test]
async fn waiting_letters_are_paged_with_total_csv_and_access_log() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("loket@leuven.example", &["counter"]).await;
    let residents = [
        resident(&app, "an@example.org").await,
        resident(&app, "bo@example.org").await,
        resident(&app, "cy@example.org").await,
    ];
    let me = loket_store::people::find_by_email(&app.store, "loket@leuven.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    // Five letters already printed: not waiting.
    sqlx::query(
        "INSERT INTO print_batches (id, created_by, created_at, count, sha256, path) \
         VALUES ('pb-old', $1, 1, 5, 'x', '/nonexistent')",
    )
    .bind(&me)
    .execute(app.store.pool())
    .await
    .unwrap();
    // 130 waiting letters created at three instants (many equal keys), for
    // three residents; one title a formula.
    for i in 0..135 {
        let printed = i >= 130;
        let title = if i == 8 {
            "=Brief-008+1".to_owned()
        } else if printed {
            format!("Oud-{i:03}")
        } else {
            format!("Brief-{i:03}")
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO letters (id, case_id, resident_id, kind, content, created_at, batch_id) \
             VALUES ($1, NULL, $2, 'status', $3, {}, {})",
            1_790_000_000_000_i64 + (i as i64 % 3) * 1000,
            if printed { "'pb-old'" } else { "NULL" }
        )))
        .bind(format!("lt-{i:03}"))
        .bind(&residents[(i / 7) % 3])
        .bind(letter_json(&title))
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let expected: Vec<String> = column(
        &app,
        "SELECT id AS k FROM letters WHERE batch_id IS NULL AND $1 = '' ORDER BY created_at, id",
        &[""],
    )
    .await
    .iter()
    .map(|id| id.replace("lt-", "Brief-"))
    .collect();
    assert_eq!(expected.len(), 130);

    let rows = |html: &str| tokens(before_pager(html), "Brief-");
    let shown = walk_html(&app, &c, "/staff/letters?limit=40", "130 in totaal", &rows).await;
    assert_eq!(shown, expected, "every waiting letter once, oldest first");
    let (_, html) = app.get(&c, "/staff/letters").await;
    assert!(
        html.contains("href=\"/staff/letters/waiting.csv\""),
        "{html}"
    );
    assert!(!html.contains("Oud-"), "printed letters are not waiting");
    assert!(html.contains("Statuswijziging"), "kinds in words");
    assert!(
        html.contains("1 in totaal") && html.contains("href=\"/staff/letters/batches\""),
        "the print batches' total and their own page: {html}"
    );
    let t = loket_store::notify::waiting_total(&app.store, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    // Each page logs the residents it names: one row per resident.
    let logged = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'letters.waiting'")
        .await;
    assert!(logged >= 3, "{logged}");
    app.get(&c, "/staff/letters").await;
    let after = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'letters.waiting'")
        .await;
    assert_eq!(after - logged, 3, "one row per resident on the page");

    // The CSV: every waiting letter, oldest first, the formula neutralised,
    // access-logged per resident.
    let lines = csv_lines(&app, &c, "/staff/letters/waiting.csv", "waiting-letters-").await;
    assert_eq!(lines.len(), 131, "a header and every waiting letter");
    assert!(
        lines[0].starts_with("Aangemaakt,Soort,Inwoner,Onderwerp"),
        "{}",
        lines[0]
    );
    let titles: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.rsplit(',').next().unwrap().to_owned())
        .collect();
    let want: Vec<String> = expected
        .iter()
        .map(|t| {
            if t == "Brief-008" {
                "'=Brief-008+1".to_owned()
            } else {
                t.clone()
            }
        })
        .collect();
    assert_eq!(titles, want);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'letters.waiting.csv'")
            .await,
        3
    );
    // Not for other roles.
    let hr = app.signed_in("hr@leuven.example", &["hr"]).await;
    for path in ["/staff/letters", "/staff/letters/waiting.csv"] {
        let r = hr.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    // The print batch still takes every waiting letter, not one page.
    let r = app
        .submit(&c, "/staff/letters", "/staff/letters/batch", &[])
        .await;
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM letters WHERE batch_id IS NULL")
            .await,
        0
    );
    app.stop().await;
}

#[tokio::test]
async fn a_residents_file_pages_its_cases_with_total_and_csv() {
    let app = super::setup().await;
    let an = resident(&app, "an@example.org").await;
    let bo = resident(&app, "bo@example.org").await;
    super::seed_cases(&app, "move", std::slice::from_ref(&an), 60, 3).await;
    super::seed_cases(&app, "move", std::slice::from_ref(&bo), 5, 3).await;
    // Five of An's cases restricted: the privacy officer's alone.
    sqlx::query(
        "UPDATE cases SET restricted_at = 1 WHERE id IN \
         (SELECT id FROM cases WHERE resident_id = $1 ORDER BY number LIMIT 5)",
    )
    .bind(&an)
    .execute(app.store.pool())
    .await
    .unwrap();
    let expected = column(
        &app,
        "SELECT number AS k FROM cases WHERE resident_id = $1 AND restricted_at IS NULL \
         ORDER BY submitted_at DESC, number DESC",
        &[&an],
    )
    .await;
    assert_eq!(expected.len(), 55);
    let c = app.signed_in("loket@leuven.example", &["counter"]).await;
    let path = format!("/staff/residents/{an}");
    let rows = |html: &str| super::numbers_in_html(before_pager(html));
    let shown = walk_html(&app, &c, &format!("{path}?limit=20"), "55 in totaal", &rows).await;
    assert_eq!(shown, expected, "every case once, newest first");
    let (_, html) = app.get(&c, &path).await;
    assert!(
        html.contains(&format!("href=\"{path}/cases.csv\"")),
        "{html}"
    );
    let t = loket_store::cases::file_cases_total(&app.store, &an, 50)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (50, false));
    let t = loket_store::cases::file_cases_total(&app.store, &an, 55)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (55, true));

    // The CSV: the same cases, newest first; one access-log row.
    let lines = csv_lines(&app, &c, &format!("{path}/cases.csv"), "resident-cases-").await;
    assert_eq!(lines.len(), 56);
    assert!(lines[0].starts_with("Dossiernummer,"), "{}", lines[0]);
    let numbers: Vec<String> = lines[1..].iter().map(|l| first_field(l)).collect();
    assert_eq!(numbers, expected);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'resident.cases.csv'")
            .await,
        1
    );
    // Not for other roles; an unknown resident is a 404.
    let hr = app.signed_in("hr@leuven.example", &["hr"]).await;
    let r = hr
        .get(app.url(&format!("{path}/cases.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .get(app.url("/staff/residents/nobody/cases.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    app.stop().await;
}

/// `n` assets `T-0000`… lent to `borrower` in one hand-over `h-big`, all
/// due on one date (many equal keys), through SQL in a few statements.
async fn seed_big_handover(app: &TestApp, borrower: &str, n: usize) {
    sqlx::query(
        "INSERT INTO asset_handovers (id, borrower_user_id, place, created_at, created_by) \
         VALUES ('h-big', $1, '', 1790000000000, 'ict')",
    )
    .bind(borrower)
    .execute(app.store.pool())
    .await
    .unwrap();
    let ids: Vec<usize> = (0..n).collect();
    for chunk in ids.chunks(500) {
        let assets: Vec<String> = chunk
            .iter()
            .map(|i| {
                format!(
                    "('as-{i:04}', 'T-{i:04}', 'laptop', 'S{i}', 'M', '2026-01-01', 0, 'on_loan', \
                     'Stadhuis', 'ln-{i:04}', NULL, NULL, 0, 0)"
                )
            })
            .collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO assets (id, tag, category, serial, model, purchase_date, price_cents, status, \
             location, current_loan_id, last_audit_on, next_audit_on, created_at, updated_at) VALUES {}",
            assets.join(", ")
        )))
        .execute(app.store.pool())
        .await
        .unwrap();
        let loans: Vec<String> = chunk
            .iter()
            .map(|i| {
                format!(
                    "('ln-{i:04}', 'as-{i:04}', 'h-big', '{borrower}', '', 1790000000000, \
                     '2099-01-01', NULL, '', 'ict')"
                )
            })
            .collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO asset_loans (id, asset_id, handover_id, borrower_user_id, place, out_at, \
             due_on, in_at, condition_note, created_by) VALUES {}",
            loans.join(", ")
        )))
        .execute(app.store.pool())
        .await
        .unwrap();
    }
}

/// The tags a loan table shows.
fn loan_tags(html: &str) -> usize {
    html.matches("<tr><td>T-").count()
}

#[tokio::test]
async fn a_hand_over_and_a_persons_loans_say_when_not_every_one_is_listed() {
    let app = TestApp::spawn().await;
    let ict = app.signed_in("ict@leuven.example", &["ict"]).await;
    let lena = app.signed_in("lena@leuven.example", &["employee"]).await;
    let lena_id = loket_store::people::find_by_email(&app.store, "lena@leuven.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    seed_big_handover(&app, &lena_id, 2001).await;

    // The hand-over lists its first 1,000 items and says it holds more.
    let (s, html) = app.get(&ict, "/equipment/handovers/h-big").await;
    assert_eq!(s, 200);
    assert_eq!(loan_tags(&html), 1000);
    assert!(
        html.contains("id=\"items-more\"") && html.contains("meer dan 1000 stuks"),
        "{}",
        &html[..html.len().min(3000)]
    );
    // So does its PDF, after the 1,000 items it lists.
    let r = ict
        .get(app.url("/equipment/handovers/h-big/pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = pdf_text(&r.bytes().await.unwrap());
    assert!(
        text.contains("T-0999") && !text.contains("T-1000"),
        "1,000 items"
    );
    assert!(
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("meer dan 1000 stuks"),
        "the PDF says so"
    );
    // The person's page lists the first 2,000 loans and says there are more.
    let (s, html) = app.get(&ict, &format!("/staff/equipment/{lena_id}")).await;
    assert_eq!(s, 200);
    assert_eq!(loan_tags(&html), 2000);
    assert!(
        html.contains("id=\"loans-more\"") && html.contains("meer dan 2.000 uitleningen"),
        "the person's page says so"
    );
    let (s, html) = app.get(&lena, "/equipment").await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"loans-more\""), "and so does their own");

    // Below the caps, nothing is said.
    sqlx::query("DELETE FROM asset_loans WHERE asset_id >= 'as-0999'")
        .execute(app.store.pool())
        .await
        .unwrap();
    let (_, html) = app.get(&ict, "/equipment/handovers/h-big").await;
    assert_eq!(loan_tags(&html), 999);
    assert!(!html.contains("items-more"));
    let (_, html) = app.get(&ict, &format!("/staff/equipment/{lena_id}")).await;
    assert_eq!(loan_tags(&html), 999);
    assert!(!html.contains("loans-more"));
    app.stop().await;
}
