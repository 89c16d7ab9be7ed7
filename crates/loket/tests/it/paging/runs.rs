//! Lists that grow with every run or every planned day (issue 19, item 4,
//! part 3): the premium payment files (one per payment run) and the shift
//! planner's day list. Each walked forward and back through its pager over
//! more rows than a page (with equal first sort keys), its total against
//! SQL, past a small cap, bad cursors and limits refused naming the field,
//! and (payment files) its CSV download whole and in order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::walk::*;
use crate::common::*;
use loket_domain::audit::Actor;

/// The keys of the links under `prefix` (up to the closing quote), in order.
fn hrefs(html: &str, prefix: &str) -> Vec<String> {
    html.split(&format!("href=\"{prefix}"))
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// `n` payment files made by `by`, at four instants only (so many share
/// the first sort key), with message ids `LOKET-PAY-0000`…
async fn seed_payment_files(app: &TestApp, by: &str, n: usize) {
    let mut tx = app.store.begin().await.unwrap();
    for i in 0..n {
        sqlx::query(
            "INSERT INTO payment_exports (id, message_id, created_by, created_at, execution_date, \
             count, total_cents, sha256, xml) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(format!("019a0000-0000-7000-8000-{:012}", (i * 37) % 1000))
        .bind(format!("LOKET-PAY-{i:04}"))
        .bind(by)
        .bind(1_790_000_000_000_i64 + (i as i64 % 4) * 86_400_000)
        .bind("2026-12-01")
        .bind(1 + i as i64 % 5)
        .bind(100_000 + i as i64)
        .bind("00")
        .bind("<Document/>")
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn payment_files_are_paged_with_a_total_and_csv() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("fin@leuven.example", &["finance"]).await;
    let fin = loket_store::people::find_by_email(&app.store, "fin@leuven.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    seed_payment_files(&app, &fin, 120).await;
    let expected = column(
        &app,
        "SELECT id AS k FROM payment_exports ORDER BY created_at DESC, id DESC",
        &[],
    )
    .await;
    assert_eq!(expected.len(), 120);
    let files = |html: &str| -> Vec<String> {
        hrefs(html, "/staff/payments/")
            .into_iter()
            .filter_map(|k| k.strip_suffix(".xml").map(str::to_owned))
            .collect()
    };

    // The page: 50 files at a time, newest first, next and previous, the total.
    // Every file once, newest first.
    walk_html_pages(
        &app,
        &c,
        "/staff/payments",
        7,
        "120 in totaal",
        &files,
        &expected,
    )
    .await;
    let (_, html) = app.get(&c, "/staff/payments").await;
    assert!(
        html.contains("href=\"/staff/payments/files.csv\""),
        "the CSV link"
    );
    let foreign = loket_domain::paging::Cursor::new(
        &loket_store::notify::BATCH_PAGING,
        loket_domain::paging::Direction::After,
        vec![1.into(), "x".into()],
    )
    .encode();
    refused_naming(
        &app,
        &c,
        &format!("/staff/payments?cursor={foreign}"),
        "Paginalink",
    )
    .await;

    // A file just made is offered at the top, wherever it is in the list.
    let old = &expected[110];
    let (s, html) = app.get(&c, &format!("/staff/payments?created={old}")).await;
    assert_eq!(s, 200);
    let notice = html.split("class=\"notice\"").nth(1).expect("the notice");
    assert!(
        notice
            .split("</div>")
            .next()
            .unwrap()
            .contains(&format!("/staff/payments/{old}.xml")),
        "{notice}"
    );

    // The total against SQL, and "more than" past a cap.
    let t = loket_store::cases::exports_total(&app.store, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    let t = loket_store::cases::exports_total(&app.store, 120)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (120, true));

    // The CSV: a header and every file, newest first; no resident in it,
    // so nothing access-logged.
    let lines = csv_lines(&app, &c, "/staff/payments/files.csv", "payment-files-").await;
    assert_eq!(lines.len(), 121, "a header and every file");
    assert!(lines[0].starts_with("Gemaakt op,"), "{}", lines[0]);
    let messages = column(
        &app,
        "SELECT message_id AS k FROM payment_exports ORDER BY created_at DESC, id DESC",
        &[],
    )
    .await;
    let csv_files: Vec<String> = lines[1..]
        .iter()
        .map(|l| {
            l.rsplit(',')
                .next()
                .unwrap()
                .trim_end_matches(".xml")
                .to_owned()
        })
        .collect();
    assert_eq!(csv_files, messages);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM access_log").await,
        0,
        "no resident's data shown"
    );

    // Someone without the role gets neither.
    let h = app.signed_in("h@leuven.example", &["case_handler"]).await;
    for path in ["/staff/payments", "/staff/payments/files.csv"] {
        let r = h.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    app.stop().await;
}

/// One shift of `role` on `day`; `n` numbers the shifts seeded.
async fn add_shift(
    tx: &mut loket_store::Tx,
    role: &str,
    n: &mut i64,
    day: jiff::civil::Date,
    status: &str,
) {
    *n += 1;
    let at = 3_786_000_000_000_i64 + *n * 3_600_000;
    sqlx::query(
        "INSERT INTO shift_shifts (id, role_id, day, starts_at, ends_at, headcount, filled, \
         release_at, status, sequence, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 4, 0, 0, $6, 0, 0, 0)",
    )
    .bind(format!("shift-{n:05}"))
    .bind(role)
    .bind(day.to_string())
    .bind(at)
    .bind(at + 1_800_000)
    .bind(status)
    .execute(&mut **tx)
    .await
    .unwrap();
}

/// Open shifts on `days` days from 2090-01-01 (two on every third day, so
/// a day is listed once however many shifts it has), a cancelled shift on
/// each of 5 later days and open shifts on 3 past days (neither listed).
/// Returns the days listed, in order.
pub(super) async fn seed_shift_days(app: &TestApp, days: i64) -> Vec<String> {
    let mut tx = app.store.begin().await.unwrap();
    let role = loket_store::shifts::add_role(
        &mut tx,
        &Actor::System,
        "vaccinator",
        "Vaccinator",
        "Vaccinator",
        None,
    )
    .await
    .unwrap();
    let start = jiff::civil::date(2090, 1, 1);
    let past = jiff::civil::date(2020, 1, 1);
    let mut listed = Vec::new();
    let mut n = 0;
    for k in 0..days {
        let day = start.checked_add(jiff::Span::new().days(k)).unwrap();
        add_shift(&mut tx, &role, &mut n, day, "open").await;
        if k % 3 == 0 {
            add_shift(&mut tx, &role, &mut n, day, "open").await;
        }
        listed.push(day.to_string());
    }
    for k in 0..5 {
        let day = start.checked_add(jiff::Span::new().days(days + k)).unwrap();
        add_shift(&mut tx, &role, &mut n, day, "cancelled").await;
    }
    for k in 0..3 {
        let day = past.checked_add(jiff::Span::new().days(k)).unwrap();
        add_shift(&mut tx, &role, &mut n, day, "open").await;
    }
    tx.commit().await.unwrap();
    listed
}

#[tokio::test]
async fn shift_planner_day_list_is_paged_with_a_total() {
    let app = TestApp::spawn().await;
    let c = app
        .signed_in("plan@leuven.example", &["vaccination_coordinator"])
        .await;
    let listed = seed_shift_days(&app, 80).await;
    let days = |html: &str| -> Vec<String> { hrefs(html, "/staff/shifts?day=") };

    // 31 days at a time (as before), then the days after them, and back.
    let (s, html) = app.get(&c, "/staff/shifts").await;
    assert_eq!(s, 200);
    assert_eq!(days(&html), listed[..31], "the first 31 days");
    // Every day with open shifts once, in order.
    walk_html_pages(&app, &c, "/staff/shifts", 9, "80 in totaal", &days, &listed).await;

    // A day from a later page shows its shifts.
    let (_, html) = app.get(&c, "/staff/shifts?limit=50").await;
    let next = super::pager_link(&html, "next").expect("a second page");
    let (s, html) = app.get(&c, &next).await;
    assert_eq!(s, 200);
    assert_eq!(days(&html), listed[50..], "the second page of 50");
    assert!(
        html.contains("href=\"/staff/shifts/shift-"),
        "the first day of the page shows its shifts"
    );

    // The total against SQL, and "more than" past a cap.
    let t = loket_store::shifts::shift_days_total(&app.store, "2000-01-01", 50)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (50, false));
    let t = loket_store::shifts::shift_days_total(&app.store, "2090-01-01", 1000)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (80, true));

    let other = app.signed_in("fin@leuven.example", &["finance"]).await;
    let (s, _) = app.get(&other, "/staff/shifts").await;
    assert_eq!(s, 403);
    app.stop().await;
}

/// `n` knowledge-base articles `art-0000`… with five titles only (so many
/// share the first sort key); one title a formula.
async fn seed_articles(app: &TestApp, n: usize) {
    let mut tx = app.store.begin().await.unwrap();
    for i in 0..n {
        let title = if i == 4 {
            "=HYPERLINK(\"http://x\")".to_owned()
        } else {
            format!("Artikel {}", i % 5)
        };
        sqlx::query(
            "INSERT INTO contact_articles (id, slug, version, title_nl, title_en, body_nl, body_en, \
             created_at, updated_at) VALUES ($1, $2, 1, $3, $4, 'Tekst', 'Text', 0, 1790000000000)",
        )
        .bind(format!("art-{:04}", (i * 7) % 1000))
        .bind(format!("artikel-{i}"))
        .bind(&title)
        .bind(format!("Article {i}"))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn knowledge_base_list_is_paged_with_a_total_and_csv() {
    let app = TestApp::spawn().await;
    let c = app
        .signed_in("agent@leuven.example", &["contact_centre"])
        .await;
    seed_articles(&app, 130).await;
    let expected = column(
        &app,
        "SELECT id AS k FROM contact_articles ORDER BY title_nl, id",
        &[],
    )
    .await;
    assert_eq!(expected.len(), 130);
    let articles = |html: &str| -> Vec<String> {
        hrefs(html, "/staff/kb/")
            .into_iter()
            .filter(|k| k.starts_with("art-"))
            .collect()
    };
    // Every article once, in order.
    walk_html_pages(
        &app,
        &c,
        "/staff/kb",
        11,
        "130 in totaal",
        &articles,
        &expected,
    )
    .await;
    // Search results are a ranking, not this list: no pager under them.
    let (s, html) = app.get(&c, "/staff/kb?q=tekst").await;
    assert_eq!(s, 200);
    assert!(!html.contains("class=\"pager\""), "{html}");

    let t = loket_store::contact::articles_total(&app.store, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));

    let lines = csv_lines(&app, &c, "/staff/kb.csv", "articles-").await;
    assert_eq!(lines.len(), 131, "a header and every article");
    let titles = column(
        &app,
        "SELECT title_nl AS k FROM contact_articles ORDER BY title_nl, id",
        &[],
    )
    .await;
    let csv_titles: Vec<String> = lines[1..]
        .iter()
        .map(|l| match l.strip_prefix('"') {
            Some(rest) => rest.split("\",").next().unwrap().replace("\"\"", "\""),
            None => first_field(l),
        })
        .collect();
    assert_eq!(csv_titles, neutralised(&titles), "formulas neutralised");

    let other = app.signed_in("fin@leuven.example", &["finance"]).await;
    for path in ["/staff/kb", "/staff/kb.csv"] {
        let r = other.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    app.stop().await;
}

/// Knowledge-base searches show their best 30 results and say when more
/// were found (they cut at 30 silently); so does the residents' list of
/// every article on `/kb`.
#[tokio::test]
async fn knowledge_base_searches_say_when_more_were_found() {
    let app = TestApp::spawn().await;
    let c = app
        .signed_in("agent@leuven.example", &["contact_centre"])
        .await;
    for i in 0..36 {
        let (slug, title) = if i == 35 {
            ("afval".to_owned(), "Afval ophalen".to_owned())
        } else {
            (format!("parkeren-{i}"), format!("Parkeren in zone {i}"))
        };
        let draft = loket_domain::contact::check_article(&loket_domain::contact::ArticleInput {
            slug: &slug,
            title_nl: &title,
            title_en: &format!("Parking in zone {i}"),
            body_nl: "Een parkeerkaart aanvragen.",
            body_en: "Apply for a parking permit.",
            tags: "",
            valid_from: "",
            valid_until: "",
            review_on: "",
        })
        .unwrap();
        loket_app::contact::save_article(&app.app(), &Actor::System, None, None, &draft)
            .await
            .unwrap();
    }
    let more = "Meer dan 30 gevonden";
    let (s, html) = app.get(&c, "/staff/kb?q=parkeren").await;
    assert_eq!(s, 200);
    let shown = hrefs(&html, "/staff/kb/")
        .into_iter()
        .filter(|k| !k.contains('/') && k != "new")
        .count();
    assert_eq!(shown, 30, "{html}");
    assert!(html.contains(more), "{html}");
    let (_, html) = app.get(&c, "/staff/kb?q=afval").await;
    assert!(html.contains("Afval ophalen"), "{html}");
    assert!(!html.contains(more), "a search that found few says nothing");
    let anon = app.client();
    let (s, html) = app.get(&anon, "/kb?q=parkeren").await;
    assert_eq!(s, 200);
    assert_eq!(hrefs(&html, "/kb/").len(), 30, "{html}");
    assert!(html.contains(more), "{html}");
    let (_, html) = app.get(&anon, "/kb").await;
    assert_eq!(hrefs(&html, "/kb/").len(), 30);
    assert!(html.contains(more), "the list of every article too");
    app.stop().await;
}
