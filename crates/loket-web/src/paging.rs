//! Paged lists on pages and in the API, written once: reading `cursor` and
//! `limit` from the query, the pager under a list (previous / next links
//! that keep the filters, the total or "more than N", the CSV link), the
//! API's page envelope, and CSV downloads streamed batch by batch through
//! the store's cursor.

use crate::error::AppError;
use crate::i18n::Locale;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use loket_domain::paging::{Cursor, DEFAULT_LIMIT, EXPORT_BATCH, Page, PageQuery, Spec, Total};
use std::future::Future;

/// `cursor` and `limit` as a query string carries them; a bad value is a
/// 400 naming the field (pages show it on the error page, the API as
/// problem+json).
pub fn page_query(cursor: &str, limit: &str, spec: &Spec) -> Result<PageQuery, AppError> {
    PageQuery::parse(cursor, limit, spec).map_err(AppError::BadQuery)
}

/// A count as people read it: `10,000` in English, `10.000` in Dutch.
pub fn format_count(locale: Locale, n: i64) -> String {
    let sep = if locale.code() == "en" { ',' } else { '.' };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The total a list shows: "123 in total" or "more than 10,000".
pub fn total_text(locale: Locale, total: Total) -> String {
    let count = format_count(locale, total.count);
    if total.exact {
        locale.t_args("pager-total", &[("count", count)])
    } else {
        locale.t_args("pager-more-than", &[("count", count)])
    }
}

/// A search-as-you-type picker shows its first `shown` matches: `found`
/// holds what the search returned (asked for one more than `shown`). Cuts
/// it to `shown` and returns what the picker says under its matches when
/// more matched ("More than 50 found: type more of the name"), else ''.
/// Such a list is never silently cut off.
pub fn picker_more<T>(locale: Locale, found: &mut Vec<T>, shown: usize) -> String {
    if found.len() > shown {
        found.truncate(shown);
        locale.t_args(
            "picker-more",
            &[("count", format_count(locale, shown as i64))],
        )
    } else {
        String::new()
    }
}

/// What the pager partial (`templates/pager.html`) draws under a list.
#[derive(Debug, Clone, Default)]
pub struct Pager {
    /// "123 in total" or "more than 10,000".
    pub total: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The CSV download with the same filters (staff lists).
    pub csv: Option<String>,
}

/// `path` with the non-empty `params` as its query string.
pub fn href(path: &str, params: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .copied()
        .collect();
    if kept.is_empty() {
        return path.to_owned();
    }
    match serde_urlencoded::to_string(&kept) {
        Ok(q) => format!("{path}?{q}"),
        Err(_) => path.to_owned(),
    }
}

impl Pager {
    /// The pager of `page` at `path`, whose links keep `filters` (and the
    /// limit, when not the default). `csv`: the download's path, which gets
    /// the same filters.
    pub fn new<T>(
        locale: Locale,
        path: &str,
        filters: &[(&str, &str)],
        page: &Page<T>,
        pq: &PageQuery,
        total: Total,
        csv: Option<&str>,
    ) -> Self {
        let limit = if pq.limit == DEFAULT_LIMIT {
            String::new()
        } else {
            pq.limit.to_string()
        };
        let link = |c: &Cursor| {
            let cursor = c.encode();
            let mut params = filters.to_vec();
            params.push(("cursor", &cursor));
            params.push(("limit", &limit));
            href(path, &params)
        };
        Self {
            total: total_text(locale, total),
            prev: page.prev.as_ref().map(link),
            next: page.next.as_ref().map(link),
            csv: csv.map(|p| href(p, filters)),
        }
    }
}

/// A page of rows for a CSV download and the cursor of the next batch.
type Batch = (Vec<Vec<String>>, Option<Cursor>);

/// The next batch of a download, from the cursor (None: the first batch).
type FetchBatch =
    Box<dyn FnMut(Option<Cursor>) -> BoxFuture<'static, Result<Batch, AppError>> + Send>;

/// A CSV download of a keyset-paged list, in the user's language: the
/// header row from the Fluent ids in `header`, then batch after batch of
/// [`EXPORT_BATCH`] rows, each from `batch` given its own clone of `with`
/// (what the batches need: the state, the user, the filters) and the page
/// query of that batch, until no cursor follows. See [`csv_download`].
pub fn csv_export<W, F, Fut>(
    name: &str,
    locale: Locale,
    header: &[&str],
    with: W,
    batch: F,
) -> Response
where
    W: Clone + Send + 'static,
    F: Fn(W, PageQuery) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Batch, AppError>> + Send + 'static,
{
    let header = header.iter().map(|id| locale.t(id)).collect();
    let fetch: FetchBatch = Box::new(move |cursor| {
        Box::pin(batch(
            with.clone(),
            PageQuery {
                cursor,
                limit: EXPORT_BATCH,
            },
        ))
    });
    csv_download(name, header, fetch)
}

enum Step {
    Header,
    Batch(Option<Cursor>),
    Done,
}

/// A CSV download streamed as it is read: the header row, then batch after
/// batch from `fetch` (each one query of the store, e.g. 500 rows) until
/// no cursor follows, written through the one CSV writer (formulas
/// neutralised). A database error midway ends the body early, so the client
/// sees a broken download rather than a short file that looks whole.
fn csv_download(name: &str, header: Vec<String>, fetch: FetchBatch) -> Response {
    let stream = futures_util::stream::unfold((Step::Header, fetch), move |(step, mut fetch)| {
        let header = header.clone();
        async move {
            match step {
                Step::Header => {
                    let text = loket_render::csv::write(&[header], ',');
                    Some((Ok(Bytes::from(text)), (Step::Batch(None), fetch)))
                }
                Step::Batch(cursor) => match fetch(cursor).await {
                    Ok((rows, next)) => {
                        let text = loket_render::csv::write(&rows, ',');
                        let step = match next {
                            Some(c) => Step::Batch(Some(c)),
                            None => Step::Done,
                        };
                        Some((Ok(Bytes::from(text)), (step, fetch)))
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "csv download failed midway");
                        Some((
                            Err(std::io::Error::other(e.to_string())),
                            (Step::Done, fetch),
                        ))
                    }
                },
                Step::Done => None,
            }
        }
    });
    let mut res = Body::from_stream(stream).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// The page envelope of an API list answer, one struct per item type (so
/// the OpenAPI document names each): `items`, the `next` and `prev`
/// cursors, and the `total` (exact when `total_exact`, else the list holds
/// more than `total`).
#[macro_export]
macro_rules! api_page {
    ($name:ident, $item:ty) => {
        #[derive(serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// This page's items, in the list's order.
            pub items: Vec<$item>,
            /// The cursor of the next page (pass it as `?cursor=`); null on the last page.
            pub next: Option<String>,
            /// The cursor of the previous page; null on the first page.
            pub prev: Option<String>,
            /// How many items the list holds with these filters (the cap when `total_exact` is false).
            pub total: i64,
            /// False when the list holds more than `total` items (counting stops at a cap).
            pub total_exact: bool,
        }

        impl $name {
            pub fn new<T>(
                page: loket_domain::paging::Page<T>,
                items: Vec<$item>,
                total: loket_domain::paging::Total,
            ) -> Self {
                Self {
                    items,
                    next: page.next.as_ref().map(|c| c.encode()),
                    prev: page.prev.as_ref().map(|c| c.encode()),
                    total: total.count,
                    total_exact: total.exact,
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped() {
        assert_eq!(format_count(Locale::En, 10_000), "10,000");
        assert_eq!(format_count(Locale::Nl, 1_234_567), "1.234.567");
        assert_eq!(format_count(Locale::En, 999), "999");
        assert_eq!(format_count(Locale::En, 0), "0");
    }

    #[test]
    fn hrefs_keep_filters() {
        assert_eq!(href("/x", &[("a", ""), ("b", "1 2&")]), "/x?b=1+2%26");
        assert_eq!(href("/x", &[]), "/x");
    }
}
