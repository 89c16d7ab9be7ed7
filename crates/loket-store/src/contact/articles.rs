//! Knowledge-base articles, their versions and search.

use super::*;
use rustc_hash::FxHashMap;

#[derive(Debug, Clone, Serialize)]
pub struct Article {
    pub id: String,
    pub slug: String,
    pub department_id: Option<String>,
    pub version: i64,
    pub title_nl: String,
    pub title_en: String,
    pub body_nl: String,
    pub body_en: String,
    pub tags: String,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub review_on: Option<String>,
    pub updated_at: i64,
}

impl Article {
    pub fn title(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.title_en
        } else {
            &self.title_nl
        }
    }
    pub fn body(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.body_en
        } else {
            &self.body_nl
        }
    }
    pub fn tag_list(&self) -> Vec<String> {
        self.tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    }
    pub fn validity(&self, today: jiff::civil::Date) -> rules::Validity {
        let d = |s: &Option<String>| s.as_deref().and_then(|x| x.parse().ok());
        rules::validity(d(&self.valid_from), d(&self.valid_until), today)
    }
    pub fn review_due(&self, today: jiff::civil::Date) -> bool {
        rules::review_due(
            self.review_on.as_deref().and_then(|x| x.parse().ok()),
            today,
        )
    }
}

pub(super) const ARTICLE_COLS: &str = "id, slug, department_id, version, title_nl, title_en, body_nl, body_en, \
     tags, valid_from, valid_until, review_on, updated_at";

pub(super) fn article_of(r: &AnyRow) -> Result<Article> {
    Ok(Article {
        id: r.try_get("id")?,
        slug: r.try_get("slug")?,
        department_id: r.try_get("department_id")?,
        version: r.try_get("version")?,
        title_nl: r.try_get("title_nl")?,
        title_en: r.try_get("title_en")?,
        body_nl: r.try_get("body_nl")?,
        body_en: r.try_get("body_en")?,
        tags: r.try_get("tags")?,
        valid_from: r.try_get("valid_from")?,
        valid_until: r.try_get("valid_until")?,
        review_on: r.try_get("review_on")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Saves an article: a new one (`id` None) or a new version of `id`. Every
/// save writes a version row, rebuilds the article's index rows and an audit
/// row. Returns (id, version).
pub async fn save_article(
    tx: &mut Tx,
    actor: &Actor,
    id: Option<&str>,
    department_id: Option<&str>,
    d: &ArticleDraft,
) -> Result<(String, i64)> {
    let now = now_ms();
    let tags = d.tags.join(", ");
    let date = |x: Option<jiff::civil::Date>| x.map(|v| v.to_string());
    let idx_nl = index_document("nl", &d.title_nl, &d.tags, &d.body_nl);
    let idx_en = index_document("en", &d.title_en, &d.tags, &d.body_en);
    let taken = sqlx::query("SELECT id FROM contact_articles WHERE slug = $1")
        .bind(&d.slug)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get::<String, _>("id"))
        .transpose()?;
    if taken.is_some() && taken.as_deref() != id {
        return Err(StoreError::Conflict(Invalid::one(
            "slug",
            "contact-slug-taken",
        )));
    }
    let (id, version) = match id {
        None => {
            let id = new_id();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO contact_articles ({ARTICLE_COLS}, length_nl, length_en, created_at, updated_by) \
                 VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $12, $15)"
            )))
            .bind(&id)
            .bind(&d.slug)
            .bind(department_id.map(str::to_owned))
            .bind(&d.title_nl)
            .bind(&d.title_en)
            .bind(&d.body_nl)
            .bind(&d.body_en)
            .bind(&tags)
            .bind(date(d.valid_from))
            .bind(date(d.valid_until))
            .bind(date(d.review_on))
            .bind(now)
            .bind(idx_nl.length)
            .bind(idx_en.length)
            .bind(actor.user_id().map(str::to_owned))
            .execute(&mut **tx)
            .await?;
            (id, 1)
        }
        Some(id) => {
            let row = sqlx::query(
                "UPDATE contact_articles SET version = version + 1, slug = $2, department_id = $3, \
                 title_nl = $4, title_en = $5, body_nl = $6, body_en = $7, tags = $8, valid_from = $9, \
                 valid_until = $10, review_on = $11, updated_at = $12, length_nl = $13, length_en = $14, \
                 updated_by = $15 WHERE id = $1 RETURNING version",
            )
            .bind(id)
            .bind(&d.slug)
            .bind(department_id.map(str::to_owned))
            .bind(&d.title_nl)
            .bind(&d.title_en)
            .bind(&d.body_nl)
            .bind(&d.body_en)
            .bind(&tags)
            .bind(date(d.valid_from))
            .bind(date(d.valid_until))
            .bind(date(d.review_on))
            .bind(now)
            .bind(idx_nl.length)
            .bind(idx_en.length)
            .bind(actor.user_id().map(str::to_owned))
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
            (id.to_owned(), row.try_get::<i64, _>("version")?)
        }
    };
    sqlx::query(
        "INSERT INTO contact_article_versions (article_id, version, department_id, title_nl, title_en, \
         body_nl, body_en, tags, valid_from, valid_until, review_on, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&id)
    .bind(version)
    .bind(department_id.map(str::to_owned))
    .bind(&d.title_nl)
    .bind(&d.title_en)
    .bind(&d.body_nl)
    .bind(&d.body_en)
    .bind(&tags)
    .bind(date(d.valid_from))
    .bind(date(d.valid_until))
    .bind(date(d.review_on))
    .bind(now)
    .bind(actor.user_id().map(str::to_owned))
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM contact_terms WHERE article_id = $1")
        .bind(&id)
        .execute(&mut **tx)
        .await?;
    for (lang, idx) in [("nl", &idx_nl), ("en", &idx_en)] {
        let terms: Vec<(&String, &i64)> = idx.terms.iter().collect();
        for chunk in terms.chunks(200) {
            // Many rows per statement: one round trip per 200 terms.
            // The document's length rides along on every row (migration
            // 0026), so a search reads the index alone.
            let mut sql = String::from(
                "INSERT INTO contact_terms (article_id, lang, doc_length, term, weight) VALUES ",
            );
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push_str(", ");
                }
                let b = i * 2 + 4;
                sql.push_str(&format!("($1, $2, $3, ${}, ${})", b, b + 1));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&id)
                .bind(lang)
                .bind(idx.length);
            for (t, w) in chunk {
                q = q.bind((*t).clone()).bind(**w);
            }
            q.execute(&mut **tx).await?;
        }
    }
    record(
        tx,
        actor,
        Change {
            action: if version == 1 {
                "contact.article.create"
            } else {
                "contact.article.update"
            },
            record_type: "contact_article",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"slug": d.slug, "version": version})),
        },
    )
    .await?;
    Ok((id, version))
}

/// The article with this id or slug.
pub async fn article(store: &Store, key: &str) -> Result<Option<Article>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ARTICLE_COLS} FROM contact_articles WHERE id = $1 OR slug = $1"
    )))
    .bind(key)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(article_of).transpose()
}

pub async fn list_articles(store: &Store) -> Result<Vec<Article>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ARTICLE_COLS} FROM contact_articles ORDER BY title_nl"
    )))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(article_of).collect()
}

/// The staff list of every article's cursors: keyset on (title_nl, id),
/// the order [`list_articles`] reads them in.
pub const ARTICLE_PAGING: loket_domain::paging::Spec = loket_domain::paging::Spec {
    list: "contact.articles",
    keys: &[
        loket_domain::paging::KeyKind::Text,
        loket_domain::paging::KeyKind::Text,
    ],
};

/// One page of every article, by Dutch title (the knowledge base grows for
/// years, so the agents' list of all articles is paged).
pub async fn articles_page(
    store: &Store,
    pq: &loket_domain::paging::PageQuery,
) -> Result<loket_domain::paging::Page<Article>> {
    use crate::paging::{self, Order};
    use loket_domain::paging::Key;
    paging::Select::new(
        format!("SELECT {ARTICLE_COLS} FROM contact_articles WHERE 1 = 1"),
        &["title_nl", "id"],
        Order::Asc,
    )
    .page(store, pq, &ARTICLE_PAGING, article_of, |a| {
        vec![Key::from(a.title_nl.as_str()), Key::from(a.id.as_str())]
    })
    .await
}

/// How many articles [`articles_page`] pages through, up to `cap`.
pub async fn articles_total(store: &Store, cap: i64) -> Result<loket_domain::paging::Total> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM contact_articles LIMIT $1) t")
        .bind(crate::paging::count_limit(cap))
        .fetch_one(store.pool())
        .await?;
    Ok(loket_domain::paging::Total::capped(row.try_get("n")?, cap))
}

/// One saved version of an article (as an [`Article`] with that version's
/// content).
pub async fn article_version(store: &Store, id: &str, version: i64) -> Result<Option<Article>> {
    let row = sqlx::query(
        "SELECT v.article_id AS id, a.slug, v.department_id, v.version, v.title_nl, v.title_en, v.body_nl, \
         v.body_en, v.tags, v.valid_from, v.valid_until, v.review_on, v.created_at AS updated_at \
         FROM contact_article_versions v JOIN contact_articles a ON a.id = v.article_id \
         WHERE v.article_id = $1 AND v.version = $2",
    )
    .bind(id)
    .bind(version)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(article_of).transpose()
}

/// An article's versions' cursors: keyset on the version number, newest
/// first.
pub const ARTICLE_VERSION_PAGING: loket_domain::paging::Spec = loket_domain::paging::Spec {
    list: "contact.article_versions",
    keys: &[loket_domain::paging::KeyKind::Int],
};

/// One page of an article's versions, newest first: (version, saved at,
/// saved by). Every save adds one, so the history is paged like every
/// other list that grows.
pub async fn article_versions_page(
    store: &Store,
    id: &str,
    pq: &loket_domain::paging::PageQuery,
) -> Result<loket_domain::paging::Page<(i64, i64, String)>> {
    use crate::paging::{self, Order};
    use loket_domain::paging::Key;
    paging::Select::new(
        "SELECT v.version, v.created_at, COALESCE(u.name, '') AS saved_by FROM contact_article_versions v \
         LEFT JOIN users u ON u.id = v.created_by WHERE v.article_id = $1",
        &["v.version"],
        Order::Desc,
    )
    .arg(id)
    .page(
        store,
        pq,
        &ARTICLE_VERSION_PAGING,
        |r: &sqlx::any::AnyRow| {
            Ok((
                r.try_get("version")?,
                r.try_get("created_at")?,
                r.try_get("saved_by")?,
            ))
        },
        |v| vec![Key::from(v.0)],
    )
    .await
}

/// How many versions an article has, up to `cap`.
pub async fn article_versions_total(
    store: &Store,
    id: &str,
    cap: i64,
) -> Result<loket_domain::paging::Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM contact_article_versions WHERE article_id = $1 LIMIT $2) t",
    )
    .bind(id)
    .bind(crate::paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(loket_domain::paging::Total::capped(row.try_get("n")?, cap))
}

/// Searches the articles in `lang`. Returns (article, score), best first.
pub async fn search(store: &Store, lang: &str, q: &str) -> Result<Vec<(Article, f64)>> {
    let lang = if LANGS.contains(&lang) { lang } else { "nl" };
    let words = parse_query(lang, q);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let (n, total, text) = read_postings(store, lang, &words).await?;
    if n == 0 {
        return Ok(Vec::new());
    }
    let avg = total as f64 / n as f64;
    // Articles are numbered as they come (one hash of each id; the
    // ranking then indexes vectors by number, and only the best
    // MAX_RESULTS are sorted).
    // A record is about 46 bytes, and a query's words share many articles.
    let guess = text.len() / 128;
    let mut numbers: FxHashMap<&str, u32> =
        FxHashMap::with_capacity_and_hasher(guess, Default::default());
    let mut ids: Vec<&str> = Vec::with_capacity(guess);
    let mut hits: Vec<rules::NumberedHits> = vec![Default::default(); words.len()];
    for record in parse_postings(&text) {
        let (id, word, kind, p) = record?;
        let next = u32::try_from(ids.len()).map_err(|_| bad_posting(id))?;
        let doc = *numbers.entry(id).or_insert_with(|| {
            ids.push(id);
            next
        });
        let Some(h) = hits.get_mut(word) else {
            return Err(bad_posting(id));
        };
        match kind {
            Hit::Exact => h.exact(doc, p),
            Hit::Prefix => h.prefix(doc, p),
        }
    }
    let id_of = |doc: u32| ids.get(doc as usize).copied().unwrap_or_default();
    let ranked: Vec<(String, f64)> = rules::rank_numbered(
        &hits,
        usize::try_from(n).unwrap_or(0),
        avg,
        MAX_RESULTS,
        |a, b| id_of(a).cmp(id_of(b)),
    )
    .into_iter()
    .map(|(doc, score)| (id_of(doc).to_owned(), score))
    .collect();
    // One read for the articles found.
    let mut sql = format!("SELECT {ARTICLE_COLS} FROM contact_articles WHERE id IN (");
    for i in 0..MAX_RESULTS {
        sql.push_str(&format!("{}${}", if i == 0 { "" } else { ", " }, i + 1));
    }
    sql.push(')');
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for i in 0..MAX_RESULTS {
        q = q.bind(ranked.get(i).map(|(id, _)| id.clone()).unwrap_or_default());
    }
    let mut found = HashMap::new();
    for r in q.fetch_all(store.pool()).await?.iter() {
        let a = article_of(r)?;
        found.insert(a.id.clone(), a);
    }
    Ok(ranked
        .into_iter()
        .filter_map(|(id, score)| found.remove(&id).map(|a| (a, score)))
        .collect())
}

/// The number of articles, their total length in `lang`, and every
/// posting of the query's words in `lang` as one text
/// ([`parse_postings`]), read in one statement that answers with one row.
///
/// Each word is one branch of a `UNION ALL`: its exact term, and its
/// prefix as a range on `term` (`term >= p AND term < upper`; terms compare
/// by bytes, SQLite's BINARY and PostgreSQL's COLLATE "C", migration 0022),
/// each answered from the covering index `contact_terms_postings`
/// (lang, term, article_id, weight, doc_length; migration 0026) alone.
///
/// The postings are joined into one text in the database
/// ([`Backend::string_agg`]): "article tag weight length", records
/// separated by commas, where the tag names the query word (its place)
/// and how it matched ("0e": the first word's stem, "0p": a compound part
/// starting with it), so neither the term nor a comparison of it comes
/// back. At 10,000 articles a two-word query has some
/// 18,000 postings; as rows, the server spent 20 µs on each (380 ms)
/// handing them over from SQLite's thread, where the statement itself took
/// 3 to 8 ms; as one text it takes 6 ms. Article ids are UUIDs, tags a
/// number and a letter, the rest integers, so neither separator occurs in
/// a field (a record that does not parse is an error, not a skip). Nested prefix ranges ("parkeer", "parkeerkaart") give a
/// posting once for each word, as the ranking wants.
async fn read_postings(
    store: &Store,
    lang: &str,
    words: &[rules::QueryWord],
) -> Result<(i64, i64, String)> {
    let mut branches = Vec::new();
    let mut binds: Vec<String> = vec![lang.to_owned()];
    // `i` and the kind are written into the statement: numbers and one
    // letter of ours, never the query's text (which is bound).
    let record = |i: usize, kind: char| {
        format!(
            "SELECT article_id || ' {i}{kind} ' || CAST(weight AS TEXT) || ' ' || \
             CAST(doc_length AS TEXT) AS r FROM contact_terms WHERE lang = $1 AND "
        )
    };
    for (i, w) in words.iter().enumerate() {
        binds.push(w.exact.clone());
        branches.push(format!("{}term = ${}", record(i, 'e'), binds.len()));
        if let Some(p) = &w.prefix {
            binds.push(p.clone());
            binds.push(prefix_upper(p));
            branches.push(format!(
                "{}term >= ${} AND term < ${}",
                record(i, 'p'),
                binds.len() - 1,
                binds.len()
            ));
        }
    }
    // The collection's statistics (articles, total length in `lang`) come
    // with the postings, in the same statement.
    let length = if lang == "en" {
        "length_en"
    } else {
        "length_nl"
    };
    let sql = format!(
        "SELECT s.n, s.total, p.postings FROM \
         (SELECT COUNT(*) AS n, CAST(COALESCE(SUM({length}), 0) AS BIGINT) AS total \
         FROM contact_articles) s, (SELECT {} AS postings FROM ({}) t) p",
        store.backend().string_agg("t.r", "','"),
        branches.join(" UNION ALL ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b);
    }
    let row = q.fetch_one(store.pool()).await?;
    let text: Option<String> = row.try_get("postings")?;
    Ok((
        row.try_get("n")?,
        row.try_get("total")?,
        text.unwrap_or_default(),
    ))
}

/// How a posting matched its query word.
#[derive(Debug, Clone, Copy)]
enum Hit {
    /// The word's stem (`=stem`).
    Exact,
    /// A compound part that starts with the stem (`~stem…`).
    Prefix,
}

fn bad_posting(record: &str) -> StoreError {
    StoreError::Db(sqlx::Error::Decode(
        format!("bad posting {record:?}").into(),
    ))
}

/// The postings of [`read_postings`]' text: (article id, query word,
/// how it matched, posting), the id borrowed from the text (at 18,000
/// postings, an owned id each cost as much as the ranking).
fn parse_postings(text: &str) -> impl Iterator<Item = Result<(&str, usize, Hit, Posting)>> {
    text.split(',').filter(|r| !r.is_empty()).map(|record| {
        let bad = || bad_posting(record);
        let mut f = record.split(' ');
        let (Some(id), Some(tag), Some(tf), Some(len), None) =
            (f.next(), f.next(), f.next(), f.next(), f.next())
        else {
            return Err(bad());
        };
        let (word, kind) = match tag.split_at_checked(tag.len().saturating_sub(1)) {
            Some((w, "e")) => (w, Hit::Exact),
            Some((w, "p")) => (w, Hit::Prefix),
            _ => return Err(bad()),
        };
        Ok((
            id,
            word.parse::<usize>().map_err(|_| bad())?,
            kind,
            Posting {
                tf: tf.parse::<i64>().map_err(|_| bad())? as f64,
                doc_length: len.parse::<i64>().map_err(|_| bad())? as f64,
            },
        ))
    })
}

/// The least text greater than every text that starts with `prefix`, in
/// byte (code point) order: the prefix with its last character raised by
/// one ("parkeer" → "parkees"); a last character that cannot be raised
/// is dropped and the one before it raised. '' for ''.
pub fn prefix_upper(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = u32::from(last) + 1;
        // Skip the surrogate gap, which holds no characters.
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return chars.into_iter().collect();
        }
    }
    String::new()
}

/// Most articles a search returns.
const MAX_RESULTS: usize = 50;

/// Records a search (for the report of knowledge-base gaps: the searches
/// that found nothing).
pub async fn record_search(
    store: &Store,
    day: &str,
    lang: &str,
    query: &str,
    results: usize,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO contact_searches (id, day, lang, query, results, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(day)
    .bind(lang)
    .bind(query.chars().take(200).collect::<String>())
    .bind(i64::try_from(results).unwrap_or(i64::MAX))
    .bind(now_ms())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Counts one resident view of an article on `day`.
pub async fn record_view(store: &Store, article_id: &str, day: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO contact_views (article_id, day, views) VALUES ($1, $2, 1) \
         ON CONFLICT (article_id, day) DO UPDATE SET views = contact_views.views + 1",
    )
    .bind(article_id)
    .bind(day)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// The most viewed articles from `since` (a date) on: (article, views).
pub async fn most_viewed(store: &Store, since: &str, limit: i64) -> Result<Vec<(Article, i64)>> {
    // One read: the counts, and the articles joined to them.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ARTICLE_COLS}, x.n FROM (SELECT article_id, CAST(SUM(views) AS BIGINT) AS n FROM contact_views \
         WHERE day >= $1 GROUP BY article_id ORDER BY n DESC, article_id LIMIT $2) x \
         JOIN contact_articles ON contact_articles.id = x.article_id ORDER BY x.n DESC, x.article_id"
    )))
    .bind(since)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((article_of(r)?, r.try_get::<i64, _>("n")?)))
        .collect()
}

#[cfg(test)]
mod prefix_tests {
    use super::prefix_upper;

    #[test]
    fn the_upper_bound_is_just_above_every_text_with_the_prefix() {
        assert_eq!(prefix_upper("parkeer"), "parkees");
        assert_eq!(prefix_upper("caf\u{e9}"), "caf\u{ea}");
        assert_eq!(prefix_upper("a\u{d7ff}"), "a\u{e000}");
        assert_eq!(prefix_upper("a\u{10ffff}"), "b");
        assert_eq!(prefix_upper(""), "");
        for p in ["park", "z", "\u{e9}t\u{e9}"] {
            let up = prefix_upper(p);
            for t in [p.to_owned(), format!("{p}a"), format!("{p}\u{10ffff}zz")] {
                assert!(
                    t.as_str() >= p && t.as_str() < up.as_str(),
                    "{t} in [{p}, {up})"
                );
            }
            assert!(up.as_str() > p && !up.starts_with(p));
        }
    }
}
