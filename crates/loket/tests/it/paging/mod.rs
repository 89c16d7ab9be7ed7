//! Paged lists (issue 19, item 4): keyset cursors walked forward and back
//! over more rows than a page, with equal sort keys; totals against SQL
//! COUNT and "more than N" past the cap; filters kept across pages; bad
//! cursors and limits as named field errors (400); CSV downloads streamed
//! with the same filters, every row once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use loket_domain::audit::Actor;
use serde_json::Value;

mod caps;
mod histories;
mod last;
mod lists;
mod rest;
mod runs;
mod versions;
mod walk;

/// `n` cases of `slug`'s service for the residents in turn, with due dates
/// from a few days only (so many share a due date); returns nothing, the
/// tests read the expected order from SQL.
async fn seed_cases(app: &TestApp, slug: &str, residents: &[String], n: usize, dates: usize) {
    let service = loket_store::cases::service_by_slug(&app.store, slug)
        .await
        .unwrap()
        .unwrap();
    let data = std::collections::BTreeMap::new();
    let mut tx = app.store.begin().await.unwrap();
    for i in 0..n {
        let due = format!("2027-01-{:02}", 1 + (i * 7) % dates);
        loket_store::cases::create_case(
            &mut tx,
            &Actor::System,
            loket_store::cases::NewCase {
                service: &service,
                resident_id: &residents[i % residents.len()],
                channel: loket_domain::cases::Channel::Web,
                assisted_by: None,
                identified_by: "password",
                data: &data,
                year: 2026,
                due_date: &due,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The numbers of the open cases of `slug`'s service in the queue's order, from SQL.
async fn queue_order(app: &TestApp, slug: &str) -> Vec<String> {
    let service = loket_store::cases::service_by_slug(&app.store, slug)
        .await
        .unwrap()
        .unwrap();
    sqlx::query(
        "SELECT number FROM cases WHERE service_id = $1 AND closed_at IS NULL AND restricted_at IS NULL \
         ORDER BY due_date, number",
    )
    .bind(&service.id)
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| sqlx::Row::try_get::<String, _>(r, "number").unwrap())
    .collect()
}

/// An app with the demo's services (and their departments).
async fn setup() -> TestApp {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    app
}

fn numbers(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_owned())
        .collect()
}

/// The case numbers a queue page links to, in order.
fn numbers_in_html(html: &str) -> Vec<String> {
    html.split("href=\"/staff/cases/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|n| n.len() == 11 && n.as_bytes()[4] == b'-')
        .map(str::to_owned)
        .collect()
}

/// The `rel` link's href of a pager, unescaped.
pub(crate) fn pager_link(html: &str, rel: &str) -> Option<String> {
    let at = html.find(&format!("rel=\"{rel}\""))?;
    let before = &html[..at];
    let start = before.rfind("href=\"")? + 6;
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

#[tokio::test]
async fn work_queue_pages_walk_every_case_once() {
    let app = setup().await;
    let residents = vec![
        resident(&app, "an@example.org").await,
        resident(&app, "bo@example.org").await,
        resident(&app, "cy@example.org").await,
    ];
    // 120 cases of one service over 5 due dates, 30 of another service.
    seed_cases(&app, "move", &residents, 120, 5).await;
    seed_cases(&app, "parking-permit", &residents, 30, 3).await;
    let expected = queue_order(&app, "move").await;
    assert_eq!(expected.len(), 120);
    let token = token(
        &app,
        "h@leuven.example",
        &["case_handler", "all_departments"],
    )
    .await;

    // The API: next to the end, 50 at a time.
    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut path = "/api/v1/cases?service=move&limit=50".to_owned();
    let last: Value;
    loop {
        let (s, page) = api(&app, &token, "GET", &path, Value::Null).await;
        assert_eq!(s, 200, "{page}");
        assert_eq!(page["total"], 120, "{page}");
        assert_eq!(page["total_exact"], true);
        assert_eq!(page["prev"].is_null(), pages.is_empty(), "{page}");
        pages.push(numbers(&page));
        match page["next"].as_str() {
            Some(c) => path = format!("/api/v1/cases?service=move&limit=50&cursor={c}"),
            None => {
                last = page;
                break;
            }
        }
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [50, 50, 20]);
    assert_eq!(pages.concat(), expected, "every case once, in order");
    // Previous back to the start: the same pages.
    let mut back = last["prev"].as_str().map(str::to_owned);
    let mut i = pages.len() - 1;
    while let Some(c) = back {
        i -= 1;
        let (s, page) = api(
            &app,
            &token,
            "GET",
            &format!("/api/v1/cases?service=move&limit=50&cursor={c}"),
            Value::Null,
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(numbers(&page), pages[i], "page {i} read backwards");
        assert!(page["next"].is_string());
        back = page["prev"].as_str().map(str::to_owned);
    }
    assert_eq!(i, 0, "back to the first page");

    // Totals against SQL, filters kept, "more than" past a small cap.
    let (_, all) = api(&app, &token, "GET", "/api/v1/cases", Value::Null).await;
    let open = app
        .count("SELECT COUNT(*) AS n FROM cases WHERE closed_at IS NULL AND restricted_at IS NULL")
        .await;
    assert_eq!(all["total"].as_i64(), Some(open));
    assert_eq!(numbers(&all).len(), 50, "the default limit");
    let f = loket_store::cases::QueueFilter {
        open_only: true,
        limit: 50,
        ..Default::default()
    };
    let capped = loket_store::cases::queue_total(&app.store, &f, 100)
        .await
        .unwrap();
    assert_eq!((capped.count, capped.exact), (100, false));
    let exact = loket_store::cases::queue_total(&app.store, &f, open)
        .await
        .unwrap();
    assert_eq!((exact.count, exact.exact), (open, true));
    let (_, one) = api(
        &app,
        &token,
        "GET",
        "/api/v1/cases?service=move&limit=200",
        Value::Null,
    )
    .await;
    assert_eq!(numbers(&one), expected);
    assert!(one["next"].is_null());

    // Bad cursors and limits: 400 naming the field, never a 500.
    let resident_cursor = loket_domain::paging::Cursor::new(
        &loket_store::cases::RESIDENT_PAGING,
        loket_domain::paging::Direction::After,
        vec![1.into(), "2026-000001".into()],
    )
    .encode();
    for (q, field) in [
        ("cursor=garbage", "cursor"),
        ("cursor=%F0%9F%92%A9", "cursor"),
        (&format!("cursor={resident_cursor}") as &str, "cursor"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
    ] {
        let (s, p) = api(
            &app,
            &token,
            "GET",
            &format!("/api/v1/cases?{q}"),
            Value::Null,
        )
        .await;
        assert_eq!(s, 400, "{q}: {p}");
        assert_eq!(p["errors"][0]["field"], field, "{q}: {p}");
    }
    app.stop().await;
}

#[tokio::test]
async fn work_queue_page_and_csv_keep_filters() {
    let app = setup().await;
    let residents = vec![
        resident(&app, "an@example.org").await,
        resident(&app, "bo@example.org").await,
        resident(&app, "cy@example.org").await,
    ];
    seed_cases(&app, "move", &residents, 120, 4).await;
    seed_cases(&app, "parking-permit", &residents, 10, 2).await;
    let expected = queue_order(&app, "move").await;
    let c = app
        .signed_in("h@leuven.example", &["case_handler", "all_departments"])
        .await;

    // The page: 50 rows, a total, next links that keep the filter.
    let mut seen = Vec::new();
    let mut path = "/staff/cases?service=move".to_owned();
    let mut first = true;
    loop {
        let (s, html) = app.get(&c, &path).await;
        assert_eq!(s, 200, "{path}");
        assert!(html.contains("120 in totaal"), "{html}");
        assert_eq!(pager_link(&html, "prev").is_none(), first);
        assert!(
            html.contains("href=\"/staff/cases.csv?service=move\""),
            "{html}"
        );
        seen.extend(numbers_in_html(&html));
        first = false;
        match pager_link(&html, "next") {
            Some(next) => {
                assert!(next.starts_with("/staff/cases?service=move&"), "{next}");
                path = next;
            }
            None => break,
        }
    }
    assert_eq!(seen, expected);
    let (s, _) = app.get(&c, "/staff/cases?cursor=nonsense").await;
    assert_eq!(s, 400);
    let (s, _) = app.get(&c, "/staff/cases?limit=500").await;
    assert_eq!(s, 400);

    // The CSV: the same filter, every row once, a header, an attachment;
    // the access log has the residents shown.
    let before = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'case.queue.csv'")
        .await;
    assert_eq!(before, 0);
    let r = c
        .get(app.url("/staff/cases.csv?service=move"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"cases-")
    );
    let body = r.text().await.unwrap();
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0].starts_with("Zaaknummer,") || lines[0].contains(','),
        "{}",
        lines[0]
    );
    let csv_numbers: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(csv_numbers, expected);
    let after = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'case.queue.csv'")
        .await;
    assert_eq!(after, 3, "one row per resident shown");

    // Someone without the role gets nothing.
    let counter = app.signed_in("c@leuven.example", &["counter"]).await;
    let r = counter
        .get(app.url("/staff/cases.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn residents_case_list_is_paged() {
    let app = setup().await;
    let an = resident(&app, "an@example.org").await;
    let bo = resident(&app, "bo@example.org").await;
    seed_cases(&app, "move", std::slice::from_ref(&an), 60, 3).await;
    seed_cases(&app, "move", std::slice::from_ref(&bo), 5, 3).await;
    let token = loket::cli::token_create(&app.config, "an@example.org", "t")
        .await
        .unwrap();
    let expected: Vec<String> = sqlx::query(
        "SELECT number FROM cases WHERE resident_id = $1 ORDER BY submitted_at DESC, number DESC",
    )
    .bind(&an)
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| sqlx::Row::try_get::<String, _>(r, "number").unwrap())
    .collect();
    assert_eq!(expected.len(), 60);
    let mut seen = Vec::new();
    let mut path = "/api/v1/cases?limit=25".to_owned();
    loop {
        let (s, page) = api(&app, &token, "GET", &path, Value::Null).await;
        assert_eq!(s, 200, "{page}");
        assert_eq!(page["total"], 60);
        seen.extend(numbers(&page));
        match page["next"].as_str() {
            Some(c) => path = format!("/api/v1/cases?limit=25&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, expected);
    app.stop().await;
}

#[tokio::test]
async fn residents_case_page_is_paged() {
    let app = setup().await;
    let c = app.signed_in("dee@example.org", &["resident"]).await;
    let dee = loket_store::people::find_by_email(&app.store, "dee@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    let other = resident(&app, "bo@example.org").await;
    seed_cases(&app, "move", std::slice::from_ref(&dee), 55, 2).await;
    seed_cases(&app, "move", std::slice::from_ref(&other), 3, 2).await;
    let expected: Vec<String> = sqlx::query(
        "SELECT number FROM cases WHERE resident_id = $1 ORDER BY submitted_at DESC, number DESC",
    )
    .bind(&dee)
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| sqlx::Row::try_get::<String, _>(r, "number").unwrap())
    .collect();
    let (s, html) = app.get(&c, "/cases").await;
    assert_eq!(s, 200);
    assert!(html.contains("55 in totaal"), "{html}");
    assert!(!html.contains(".csv"), "no download for residents");
    let mut seen: Vec<String> = html
        .split("href=\"/cases/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect();
    assert_eq!(seen.len(), 50);
    let next = pager_link(&html, "next").expect("a next page");
    let (s, html) = app.get(&c, &next).await;
    assert_eq!(s, 200);
    assert!(pager_link(&html, "next").is_none());
    let prev = pager_link(&html, "prev").expect("a previous page");
    seen.extend(
        html.split("href=\"/cases/")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .map(str::to_owned),
    );
    assert_eq!(seen, expected);
    let (_, back) = app.get(&c, &prev).await;
    assert!(back.contains(&format!("href=\"/cases/{}\"", expected[0])));
    assert!(pager_link(&back, "prev").is_none());
    let (s, _) = app.get(&c, "/cases?cursor=AAAA").await;
    assert_eq!(s, 400);
    app.stop().await;
}

/// `n` laptops tagged `L-0000`… and `m` chairs, through the store; one
/// laptop's model is a formula.
async fn seed_assets(app: &TestApp, n: usize, m: usize) {
    let mut tx = app.store.begin().await.unwrap();
    for (i, category) in std::iter::repeat_n("laptop", n)
        .chain(std::iter::repeat_n("office_chair", m))
        .enumerate()
    {
        let model = if i == 7 {
            "=HYPERLINK(\"http://x\")".to_owned()
        } else {
            format!("Model {}", i % 3)
        };
        loket_store::assets::add_asset(
            &mut tx,
            &Actor::System,
            &loket_domain::assets::NewAsset {
                category,
                tag: format!("{}-{i:04}", if category == "laptop" { "L" } else { "C" }),
                serial: format!("SN{i}"),
                model,
                purchase_date: "2026-01-05".to_owned(),
                price_cents: 100_000,
                location: "Stadhuis".to_owned(),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn assets_are_paged_with_totals_and_csv() {
    let app = setup().await;
    seed_assets(&app, 120, 15).await;
    let laptops = app
        .count("SELECT COUNT(*) AS n FROM assets WHERE category = 'laptop'")
        .await;
    assert_eq!(laptops, 120);
    let token = token(&app, "ict@leuven.example", &["ict"]).await;
    let mut tags = Vec::new();
    let mut pages = Vec::new();
    let mut path = "/api/v1/assets?category=laptop".to_owned();
    let last: Value;
    loop {
        let (s, page) = api(&app, &token, "GET", &path, Value::Null).await;
        assert_eq!(s, 200, "{page}");
        assert_eq!(page["total"].as_i64(), Some(laptops));
        let these: Vec<String> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["tag"].as_str().unwrap().to_owned())
            .collect();
        tags.extend(these.clone());
        pages.push(these);
        match page["next"].as_str() {
            Some(c) => path = format!("/api/v1/assets?category=laptop&cursor={c}"),
            None => {
                last = page;
                break;
            }
        }
    }
    let expected: Vec<String> = (0..120).map(|i| format!("L-{i:04}")).collect();
    assert_eq!(tags, expected);
    let prev = last["prev"].as_str().unwrap();
    let (_, back) = api(
        &app,
        &token,
        "GET",
        &format!("/api/v1/assets?category=laptop&cursor={prev}"),
        Value::Null,
    )
    .await;
    assert_eq!(back["items"][0]["tag"], pages[1][0].as_str());
    let (s, p) = api(&app, &token, "GET", "/api/v1/assets?limit=-3", Value::Null).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (400, Some("limit")));
    // A queue cursor is not an asset cursor.
    let queue_cursor = loket_domain::paging::Cursor::new(
        &loket_store::cases::QUEUE_PAGING,
        loket_domain::paging::Direction::After,
        vec!["2026-01-01".into(), "2026-000001".into()],
    )
    .encode();
    let (s, p) = api(
        &app,
        &token,
        "GET",
        &format!("/api/v1/assets?cursor={queue_cursor}"),
        Value::Null,
    )
    .await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (400, Some("cursor")));
    let f = loket_store::assets::AssetFilter::default();
    let t = loket_store::assets::assets_total(&app.store, &f, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));

    // The page and its CSV, filtered.
    let c = app.signed_in("ict2@leuven.example", &["ict"]).await;
    let (s, html) = app.get(&c, "/staff/assets?category=laptop").await;
    assert_eq!(s, 200);
    assert!(html.contains("120 in totaal"), "{html}");
    let next = pager_link(&html, "next").unwrap();
    assert!(next.starts_with("/staff/assets?category=laptop&"), "{next}");
    let (s, html) = app.get(&c, &next).await;
    assert_eq!(s, 200);
    assert!(html.contains(">L-0050<") && !html.contains(">L-0049<"));
    let r = c
        .get(app.url("/staff/assets.csv?category=laptop"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let body = r.text().await.unwrap();
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 121, "a header and every laptop");
    let csv_tags: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(csv_tags, expected);
    assert!(
        lines[8].contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "formula neutralised: {}",
        lines[8]
    );
    app.stop().await;
}
