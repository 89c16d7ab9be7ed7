//! The contact centre's report.

use super::*;

/// One contact moment as the report counts it.
#[derive(Debug, Clone)]
pub struct ReportMoment {
    pub id: String,
    pub created_at: i64,
    pub channel: String,
    pub outcome: String,
    pub subject: String,
    pub reference: String,
    /// How many articles were linked.
    pub articles: i64,
}

/// The moments made in `[from_ms, to_ms)`, oldest first.
pub async fn report_moments(store: &Store, from_ms: i64, to_ms: i64) -> Result<Vec<ReportMoment>> {
    let rows = sqlx::query(
        "SELECT m.id, m.created_at, m.channel, m.outcome, m.subject, m.reference, \
         (SELECT COUNT(*) FROM contact_moment_articles a WHERE a.moment_id = m.id) AS articles \
         FROM contact_moments m WHERE m.created_at >= $1 AND m.created_at < $2 \
         ORDER BY m.created_at, m.id",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ReportMoment {
                id: r.try_get("id")?,
                created_at: r.try_get("created_at")?,
                channel: r.try_get("channel")?,
                outcome: r.try_get("outcome")?,
                subject: r.try_get("subject")?,
                reference: r.try_get("reference")?,
                articles: r.try_get("articles")?,
            })
        })
        .collect()
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
         JOIN contact_moments m ON m.id = a.moment_id \
         WHERE m.created_at >= $1 AND m.created_at < $2 \
         GROUP BY a.article_id ORDER BY n DESC, a.article_id LIMIT $3) x \
         JOIN contact_articles ON contact_articles.id = x.article_id \
         ORDER BY x.n DESC, x.article_id"
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
