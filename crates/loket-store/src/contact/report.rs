//! The contact centre's report.

use super::*;

/// The report's counts of one hour: moments made in the UTC hour `hour`
/// (unix ms / 3,600,000) on `channel`, answered at first contact or not.
#[derive(Debug, Clone)]
pub struct HourCount {
    pub hour: i64,
    pub channel: String,
    pub answered: bool,
    pub n: i64,
}

/// The moments made in `[from_ms, to_ms)`, counted per UTC hour, channel
/// and first-contact answer: at most 24 × 6 × 2 rows a day, whatever the
/// number of moments. Brussels days start on a whole UTC hour (UTC+1 or
/// +2), so the caller sums hours into days. The index
/// `contact_moments_report` (created_at, channel, outcome) answers it
/// alone (migration 0026); SQLite is told to use it
/// ([`crate::Backend::index_hint`]).
pub async fn report_hour_counts(store: &Store, from_ms: i64, to_ms: i64) -> Result<Vec<HourCount>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT created_at / 3600000 AS hour, channel, \
         CASE WHEN outcome = 'answered' THEN 1 ELSE 0 END AS answered, COUNT(*) AS n \
         FROM contact_moments{} WHERE created_at >= $1 AND created_at < $2 \
         GROUP BY created_at / 3600000, channel, CASE WHEN outcome = 'answered' THEN 1 ELSE 0 END",
        store.backend().index_hint("contact_moments_report")
    )))
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HourCount {
                hour: r.try_get("hour")?,
                channel: r.try_get("channel")?,
                answered: r.try_get::<i64, _>("answered")? != 0,
                n: r.try_get("n")?,
            })
        })
        .collect()
}

/// The moments of `[from_ms, to_ms)` without a linked article: how many,
/// and the first `limit` (id, reference, subject), oldest first.
pub async fn report_without_article(
    store: &Store,
    from_ms: i64,
    to_ms: i64,
    limit: i64,
) -> Result<(i64, Vec<(String, String, String)>)> {
    const NONE_LINKED: &str =
        "NOT EXISTS (SELECT 1 FROM contact_moment_articles a WHERE a.moment_id = m.id)";
    let by_created = store.backend().index_hint("contact_moments_created");
    let n: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM contact_moments m{by_created} WHERE m.created_at >= $1 AND m.created_at < $2 AND {NONE_LINKED}"
    )))
    .bind(from_ms)
    .bind(to_ms)
    .fetch_one(store.pool())
    .await?
    .try_get("n")?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT m.id, m.reference, m.subject FROM contact_moments m{by_created} \
         WHERE m.created_at >= $1 AND m.created_at < $2 AND {NONE_LINKED} \
         ORDER BY m.created_at, m.id LIMIT $3"
    )))
    .bind(from_ms)
    .bind(to_ms)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let first = rows
        .iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("reference")?,
                r.try_get("subject")?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((n, first))
}

/// Per department: (department id, forwards made in `[from_ms, to_ms)`,
/// forwards still open or waiting and past their due date on `today`).
pub async fn report_forwards(
    store: &Store,
    from_ms: i64,
    to_ms: i64,
    today: &str,
) -> Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT d.id, \
         (SELECT COUNT(*) FROM contact_forwards f WHERE f.department_id = d.id \
            AND f.created_at >= $1 AND f.created_at < $2) AS made, \
         (SELECT COUNT(*) FROM contact_forwards f WHERE f.department_id = d.id \
            AND f.status = 'open' AND f.due_on < $3) AS overdue \
         FROM contact_departments d ORDER BY d.name_nl",
    )
    .bind(from_ms)
    .bind(to_ms)
    .bind(today)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("made")?, r.try_get("overdue")?)))
        .collect()
}

/// The articles linked most to moments of `[from_ms, to_ms)`: (article, uses).
pub async fn report_top_articles(
    store: &Store,
    from_ms: i64,
    to_ms: i64,
    limit: i64,
) -> Result<Vec<(Article, i64)>> {
    // One read: the counts, and the articles joined to them.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ARTICLE_COLS}, x.n FROM (SELECT a.article_id, COUNT(*) AS n FROM contact_moment_articles a \
         JOIN contact_moments m{} ON m.id = a.moment_id \
         WHERE m.created_at >= $1 AND m.created_at < $2 \
         GROUP BY a.article_id ORDER BY n DESC, a.article_id LIMIT $3) x \
         JOIN contact_articles ON contact_articles.id = x.article_id \
         ORDER BY x.n DESC, x.article_id",
        store.backend().index_hint("contact_moments_created")
    )))
    .bind(from_ms)
    .bind(to_ms)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((article_of(r)?, r.try_get::<i64, _>("n")?)))
        .collect()
}

/// Searches that found nothing on days `[from, to]`: (query, times), most
/// frequent first.
pub async fn report_empty_searches(
    store: &Store,
    from: &str,
    to: &str,
    limit: i64,
) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT lower(query) AS q, COUNT(*) AS n FROM contact_searches \
         WHERE results = 0 AND day >= $1 AND day <= $2 \
         GROUP BY lower(query) ORDER BY n DESC, q LIMIT $3",
    )
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("q")?, r.try_get("n")?)))
        .collect()
}

/// Moves a moment (and its forwards) back in time: for demo data only.
pub async fn backdate_moment(tx: &mut Tx, id: &str, created_at: i64) -> Result<()> {
    sqlx::query("UPDATE contact_moments SET created_at = $2, updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(created_at)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE contact_forwards SET created_at = $2 WHERE moment_id = $1")
        .bind(id)
        .bind(created_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// How many moments there are.
pub async fn count_moments(store: &Store) -> Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM contact_moments")
        .fetch_one(store.pool())
        .await?
        .try_get("n")?)
}
