//! The walks every paged list is checked with, written once: an API list
//! read next to the end and previous back, a page read the same way through
//! its pager links, a CSV download read whole, and bad cursors and limits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::pager_link;
use crate::common::*;
use serde_json::Value;

/// Every token `prefix` + three digits in `html`, in order.
pub fn tokens(html: &str, prefix: &str) -> Vec<String> {
    html.split(prefix)
        .skip(1)
        .filter_map(|s| s.get(..3))
        .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
        .map(|s| format!("{prefix}{s}"))
        .collect()
}

/// `path` with `extra` added to its query string.
pub fn with(path: &str, extra: &str) -> String {
    if path.contains('?') {
        format!("{path}&{extra}")
    } else {
        format!("{path}?{extra}")
    }
}

/// Reads the API list at `path` (with its filters) `limit` items at a time:
/// next to the end, then previous back from the last page, which must give
/// the same pages. Every answer's total must be `total` (exact); a page
/// with a next one is full; the first page has no previous. Returns the
/// key of every item read forward, in order. Then bad cursors and limits
/// on the list must be refused ([`bad_queries`]).
pub async fn walk_api(
    app: &TestApp,
    token: &str,
    path: &str,
    limit: usize,
    total: i64,
    key: &dyn Fn(&Value) -> String,
) -> Vec<String> {
    let keys = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap_or_else(|| panic!("items: {page}"))
            .iter()
            .map(key)
            .collect()
    };
    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut at = with(path, &format!("limit={limit}"));
    let last: Value;
    loop {
        let (s, page) = api(app, token, "GET", &at, Value::Null).await;
        assert_eq!(s, 200, "{at}: {page}");
        assert_eq!(page["total"].as_i64(), Some(total), "{at}: total");
        assert_eq!(page["total_exact"], true, "{at}");
        assert_eq!(page["prev"].is_null(), pages.is_empty(), "{at}: prev");
        let items = keys(&page);
        assert!(items.len() <= limit, "{at}: {} items", items.len());
        match page["next"].as_str() {
            Some(c) => {
                assert_eq!(items.len(), limit, "{at}: a page before another is full");
                at = with(path, &format!("limit={limit}&cursor={c}"));
                pages.push(items);
            }
            None => {
                pages.push(items);
                last = page;
                break;
            }
        }
    }
    let mut back = last["prev"].as_str().map(str::to_owned);
    let mut i = pages.len() - 1;
    while let Some(c) = back {
        i -= 1;
        let at = with(path, &format!("limit={limit}&cursor={c}"));
        let (s, page) = api(app, token, "GET", &at, Value::Null).await;
        assert_eq!(s, 200, "{at}: {page}");
        assert_eq!(keys(&page), pages[i], "page {i} read backwards");
        assert!(
            page["next"].is_string(),
            "{at}: a page read backwards has a next"
        );
        back = page["prev"].as_str().map(str::to_owned);
    }
    assert_eq!(i, 0, "previous leads back to the first page");
    bad_queries(app, token, path).await;
    pages.concat()
}

/// Whether the link `at` is at `path`'s location with every parameter of
/// `path`'s query string (the filters and the limit).
fn keeps(at: &str, path: &str) -> bool {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let (at_base, at_query) = at.split_once('?').unwrap_or((at, ""));
    let params: Vec<&str> = at_query.split('&').collect();
    at_base == base
        && query
            .split('&')
            .filter(|p| !p.is_empty())
            .all(|p| params.contains(&p))
}

/// Reads the page at `path` (with its filters) through its pager: next
/// links to the end (each keeps the filters and the limit), then
/// previous links back, which give the same rows. Every page shows
/// `total_text`. `rows` reads the keys of the rows a page shows. Returns
/// the keys of every row read forward, in order. Then a bad cursor and a
/// bad limit on the page must be refused ([`bad_page_queries`]).
pub async fn walk_html(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    total_text: &str,
    rows: &dyn Fn(&str) -> Vec<String>,
) -> Vec<String> {
    let mut pages: Vec<Vec<String>> = Vec::new();
    let mut at = path.to_owned();
    let last: String;
    loop {
        let (s, html) = app.get(c, &at).await;
        assert_eq!(s, 200, "{at}");
        assert!(html.contains(total_text), "{at}: {total_text} in {html}");
        assert_eq!(
            pager_link(&html, "prev").is_none(),
            pages.is_empty(),
            "{at}"
        );
        pages.push(rows(&html));
        assert!(pages.len() <= 1000, "{at}: a pager that never ends");
        match pager_link(&html, "next") {
            Some(next) => {
                assert!(keeps(&next, path), "{next} keeps {path}");
                at = next;
            }
            None => {
                last = html;
                break;
            }
        }
    }
    let mut back = pager_link(&last, "prev");
    let mut i = pages.len() - 1;
    while let Some(at) = back {
        i -= 1;
        assert!(keeps(&at, path), "{at} keeps {path}");
        let (s, html) = app.get(c, &at).await;
        assert_eq!(s, 200, "{at}");
        assert_eq!(rows(&html), pages[i], "page {i} read backwards");
        back = pager_link(&html, "prev");
    }
    assert_eq!(i, 0, "previous leads back to the first page");
    bad_page_queries(app, c, path).await;
    pages.concat()
}

/// The staff page `path` walked whole twice with [`walk_html`], at its
/// default limit and at `limit` (kept across pages), each walk reading
/// `expected` in order under the total `total_text`; then a bad cursor and
/// bad limits refused, naming their fields.
pub async fn walk_html_pages(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    limit: usize,
    total_text: &str,
    rows: &dyn Fn(&str) -> Vec<String>,
    expected: &[String],
) {
    let seen = walk_html(app, c, path, total_text, rows).await;
    assert_eq!(seen, expected, "{path}: every row once, in order");
    let limited = with(path, &format!("limit={limit}"));
    let seen = walk_html(app, c, &limited, total_text, rows).await;
    assert_eq!(seen, expected, "{limited}: with a limit kept across pages");
    refused_naming(app, c, &with(path, "cursor=nonsense"), "Paginalink").await;
    for bad in ["0", "201", "ten"] {
        let at = with(path, &format!("limit={bad}"));
        refused_naming(app, c, &at, "Rijen per pagina").await;
    }
}

/// A page refused with a 400 whose error page names `label` (the field).
pub async fn refused_naming(app: &TestApp, c: &reqwest::Client, path: &str, label: &str) {
    let (s, html) = app.get(c, path).await;
    assert_eq!(s, 400, "{path}");
    assert!(html.contains(label), "{path}: {label} in {html}");
}

/// The CSV download at `path`: 200, `text/csv`, an attachment named
/// `name…`; its lines (the header first).
pub async fn csv_lines(app: &TestApp, c: &reqwest::Client, path: &str, name: &str) -> Vec<String> {
    let r = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"),
        "{path}"
    );
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"{name}")),
        "{disposition}"
    );
    let body = r.text().await.unwrap();
    body.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Cells as the CSV writer writes them: a cell that starts a formula gets
/// a leading `'`.
pub fn neutralised(cells: &[String]) -> Vec<String> {
    cells
        .iter()
        .map(|s| {
            if s.starts_with(['=', '+', '-', '@']) {
                format!("'{s}")
            } else {
                s.clone()
            }
        })
        .collect()
}

/// The first field of a CSV line (unquoted fields only).
pub fn first_field(line: &str) -> String {
    line.split(',').next().unwrap_or_default().to_owned()
}

/// Bad cursors and limits on the API list at `path`: each a 400 naming the
/// field, never a 500. A cursor of another list is refused too.
pub async fn bad_queries(app: &TestApp, token: &str, path: &str) {
    let path = path.split('?').next().unwrap_or(path);
    let foreign = loket_domain::paging::Cursor::new(
        &loket_store::assets::ASSET_PAGING,
        loket_domain::paging::Direction::After,
        vec!["L-0001".into()],
    )
    .encode();
    for (q, field) in [
        ("cursor=garbage".to_owned(), "cursor"),
        ("cursor=%F0%9F%92%A9".to_owned(), "cursor"),
        (format!("cursor={foreign}"), "cursor"),
        ("limit=0".to_owned(), "limit"),
        ("limit=201".to_owned(), "limit"),
        ("limit=ten".to_owned(), "limit"),
    ] {
        let at = with(path, &q);
        let (s, p) = api(app, token, "GET", &at, Value::Null).await;
        assert_eq!(s, 400, "{at}: {p}");
        assert_eq!(p["errors"][0]["field"], field, "{at}: {p}");
    }
}

/// A staff page refuses a bad cursor and a bad limit with a 400.
pub async fn bad_page_queries(app: &TestApp, c: &reqwest::Client, path: &str) {
    let path = path.split('?').next().unwrap_or(path);
    for q in ["cursor=nonsense", "limit=500"] {
        let at = with(path, q);
        let (s, _) = app.get(c, &at).await;
        assert_eq!(s, 400, "{at}");
    }
}

/// The column `k` of a query, in the order it gives.
pub async fn column(app: &TestApp, sql: &'static str, binds: &[&str]) -> Vec<String> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| sqlx::Row::try_get::<String, _>(r, "k").unwrap())
        .collect()
}
