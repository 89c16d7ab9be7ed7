//! The management dashboard's read model: aggregates over several contexts
//! (cases, the counter queue and appointments, the contact centre,
//! telework, bikes, equipment loans, the vaccination centre), one page's
//! queries kept together. Every query is a `GROUP BY` that returns counts,
//! never a person.
//!
//! Months are Brussels months, and portable SQL has no time zones: where a
//! figure is dated by an instant (unix ms), the query groups by the UTC
//! hour (`instant / 3600000`, integer division on both databases) and the
//! app folds the hours into Brussels months
//! ([`loket_domain::dashboard::fold_hours`]); Brussels offsets are whole
//! hours, so that is exact. Where a figure is dated by a calendar date
//! (`YYYY-MM-DD` text), the month is `substr(day, 1, 7)`.

use crate::{Result, Store};
use sqlx::Row;

/// `(key, hour bucket, count)` rows.
pub type HourCounts = Vec<(String, i64, i64)>;

/// Cases submitted in `[from_ms, to_ms)`: (channel, hour, cases).
pub async fn cases_by_channel(store: &Store, from_ms: i64, to_ms: i64) -> Result<HourCounts> {
    let rows = sqlx::query(
        "SELECT channel, submitted_at / 3600000 AS h, COUNT(*) AS n FROM cases \
         WHERE submitted_at >= $1 AND submitted_at < $2 \
         GROUP BY channel, submitted_at / 3600000",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("channel")?, r.try_get("h")?, r.try_get("n")?)))
        .collect()
}

/// The counter locations: (id, name), by name.
pub async fn locations(store: &Store) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query("SELECT id, name FROM appt_locations ORDER BY name, id")
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}

/// Waits from check-in to the first call, in ms, of tickets checked in
/// during `[from_ms, to_ms)` and called (transferred tickets left out: a
/// visitor's wait is counted once): (location id, wait), by location and
/// wait, at most `limit` rows.
pub async fn waits(
    store: &Store,
    from_ms: i64,
    to_ms: i64,
    limit: i64,
) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT location_id, called_at - checked_in_at AS w FROM queue_tickets \
         WHERE called_at IS NOT NULL AND transferred_from IS NULL \
         AND checked_in_at >= $1 AND checked_in_at < $2 \
         ORDER BY location_id, w LIMIT $3",
    )
    .bind(from_ms)
    .bind(to_ms)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("location_id")?, r.try_get("w")?)))
        .collect()
}

/// Tickets of days `[from, to]` (transfers left out): (location id, kind,
/// tickets), kind `appointment` or `walk_in`.
pub async fn tickets(store: &Store, from: &str, to: &str) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT location_id, kind, COUNT(*) AS n FROM queue_tickets \
         WHERE day >= $1 AND day <= $2 AND transferred_from IS NULL \
         GROUP BY location_id, kind",
    )
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("location_id")?,
                r.try_get("kind")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// Appointments starting in `[from_ms, to_ms)`: (location id, status,
/// appointments).
pub async fn appointments(
    store: &Store,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT location_id, status, COUNT(*) AS n FROM appointments \
         WHERE starts_at >= $1 AND starts_at < $2 GROUP BY location_id, status",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("location_id")?,
                r.try_get("status")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// Contact moments made in `[from_ms, to_ms)`: (channel, resolved at first
/// contact, moments). Resolved at first contact: closed, and never
/// forwarded.
pub async fn moments(store: &Store, from_ms: i64, to_ms: i64) -> Result<Vec<(String, bool, i64)>> {
    let rows = sqlx::query(
        "SELECT channel, alone, COUNT(*) AS n FROM ( \
           SELECT m.channel, CAST(CASE WHEN m.status = 'closed' AND NOT EXISTS \
             (SELECT 1 FROM contact_forwards f WHERE f.moment_id = m.id) THEN 1 ELSE 0 END AS BIGINT) AS alone \
           FROM contact_moments m WHERE m.created_at >= $1 AND m.created_at < $2 \
         ) x GROUP BY channel, alone",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("channel")?,
                r.try_get::<i64, _>("alone")? == 1,
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// Forwards due on days `[from, to]`: (due date, status, hour of the
/// answer if any, forwards).
pub async fn forwards_due(
    store: &Store,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, Option<i64>, i64)>> {
    let rows = sqlx::query(
        "SELECT due_on, status, answered_at / 3600000 AS h, COUNT(*) AS n FROM contact_forwards \
         WHERE due_on >= $1 AND due_on <= $2 GROUP BY due_on, status, answered_at / 3600000",
    )
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("due_on")?,
                r.try_get("status")?,
                r.try_get("h")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// Knowledge-base searches on days `[from, to]`: (month, found nothing,
/// searches).
pub async fn searches(store: &Store, from: &str, to: &str) -> Result<Vec<(String, bool, i64)>> {
    let rows = sqlx::query(
        "SELECT m, empty, COUNT(*) AS n FROM ( \
           SELECT substr(day, 1, 7) AS m, CAST(CASE WHEN results = 0 THEN 1 ELSE 0 END AS BIGINT) AS empty \
           FROM contact_searches WHERE day >= $1 AND day <= $2 \
         ) x GROUP BY m, empty",
    )
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("m")?,
                r.try_get::<i64, _>("empty")? == 1,
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// Confirmed telework days of months `[from, to]` (`YYYY-MM`): (month,
/// kind `full` or `half`, days).
pub async fn telework_days(
    store: &Store,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT month, kind, COUNT(*) AS n FROM telework_days \
         WHERE state = 'confirmed' AND month >= $1 AND month <= $2 GROUP BY month, kind",
    )
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("month")?, r.try_get("kind")?, r.try_get("n")?)))
        .collect()
}

/// Bike trips (returned reservations) starting in `[from_ms, to_ms)`:
/// (bike type, hour, trips, km).
pub async fn bike_trips(
    store: &Store,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(String, i64, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT b.bike_type, r.starts_at / 3600000 AS h, COUNT(*) AS n, \
         CAST(COALESCE(SUM(COALESCE(r.km, 0)), 0) AS BIGINT) AS km \
         FROM bike_reservations r JOIN bikes b ON b.id = r.bike_id \
         WHERE r.status = 'returned' AND r.starts_at >= $1 AND r.starts_at < $2 \
         GROUP BY b.bike_type, r.starts_at / 3600000",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("bike_type")?,
                r.try_get("h")?,
                r.try_get("n")?,
                r.try_get("km")?,
            ))
        })
        .collect()
}

/// Equipment loans per asset category: (category, on loan now, of which
/// overdue on `today`, loans made in `[from_ms, to_ms)`).
pub async fn loans(
    store: &Store,
    today: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(String, i64, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT category, CAST(SUM(open_now) AS BIGINT) AS open_now, \
         CAST(SUM(late) AS BIGINT) AS late, CAST(SUM(made) AS BIGINT) AS made FROM ( \
           SELECT a.category, \
             CASE WHEN l.in_at IS NULL THEN 1 ELSE 0 END AS open_now, \
             CASE WHEN l.in_at IS NULL AND l.due_on < $1 THEN 1 ELSE 0 END AS late, \
             CASE WHEN l.out_at >= $2 AND l.out_at < $3 THEN 1 ELSE 0 END AS made \
           FROM asset_loans l JOIN assets a ON a.id = l.asset_id \
           WHERE l.in_at IS NULL OR (l.out_at >= $2 AND l.out_at < $3) \
         ) x GROUP BY category ORDER BY category",
    )
    .bind(today)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("category")?,
                r.try_get("open_now")?,
                r.try_get("late")?,
                r.try_get("made")?,
            ))
        })
        .collect()
}

/// The vaccination campaigns that have a figure of [`vaccination`] in
/// `[from_ms, to_ms)` (or people waiting on their reserve list now):
/// (id, name), oldest first, at most `limit` of them (a caller asks one
/// more than it shows, to say "more than N").
pub async fn campaigns_with_figures(
    store: &Store,
    from_ms: i64,
    to_ms: i64,
    limit: i64,
) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT id, name FROM vac_campaigns WHERE id IN ( \
           SELECT campaign_id FROM vac_invitations WHERE created_at >= $1 AND created_at < $2 \
           UNION SELECT campaign_id FROM vac_bookings \
             WHERE created_at >= $1 AND created_at < $2 AND status <> 'cancelled' \
           UNION SELECT campaign_id FROM vac_visits WHERE vaccinated_at >= $1 AND vaccinated_at < $2 \
           UNION SELECT v.campaign_id FROM vac_mobile_records r \
             JOIN vac_mobile_visits v ON v.id = r.mobile_visit_id \
             WHERE r.kind = 'vaccinated' AND r.conflict_with IS NULL \
             AND r.recorded_at >= $1 AND r.recorded_at < $2 \
           UNION SELECT campaign_id FROM vac_reserve WHERE signed_up_at >= $1 AND signed_up_at < $2 \
           UNION SELECT campaign_id FROM vac_reserve WHERE status = 'waiting') \
         ORDER BY created_at, id LIMIT $3",
    )
    .bind(from_ms)
    .bind(to_ms)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}

/// The vaccination figures per campaign: (figure, campaign id, count).
/// Figures: `invited` (invitations made in `[from_ms, to_ms)`), `booked`
/// (bookings made then and not cancelled), `vaccinated` (at the centre, or
/// by a mobile team without a conflict, then), `reserve_new` (reserve-list
/// sign-ups then) and `reserve_waiting` (on the reserve list now).
pub async fn vaccination(
    store: &Store,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT CAST('invited' AS TEXT) AS k, campaign_id, COUNT(*) AS n FROM vac_invitations \
           WHERE created_at >= $1 AND created_at < $2 GROUP BY campaign_id \
         UNION ALL \
         SELECT CAST('booked' AS TEXT) AS k, campaign_id, COUNT(*) AS n FROM vac_bookings \
           WHERE created_at >= $1 AND created_at < $2 AND status <> 'cancelled' GROUP BY campaign_id \
         UNION ALL \
         SELECT CAST('vaccinated' AS TEXT) AS k, campaign_id, COUNT(*) AS n FROM vac_visits \
           WHERE vaccinated_at >= $1 AND vaccinated_at < $2 GROUP BY campaign_id \
         UNION ALL \
         SELECT CAST('vaccinated' AS TEXT) AS k, v.campaign_id, COUNT(*) AS n FROM vac_mobile_records r \
           JOIN vac_mobile_visits v ON v.id = r.mobile_visit_id \
           WHERE r.kind = 'vaccinated' AND r.conflict_with IS NULL \
           AND r.recorded_at >= $1 AND r.recorded_at < $2 GROUP BY v.campaign_id \
         UNION ALL \
         SELECT CAST('reserve_new' AS TEXT) AS k, campaign_id, COUNT(*) AS n FROM vac_reserve \
           WHERE signed_up_at >= $1 AND signed_up_at < $2 GROUP BY campaign_id \
         UNION ALL \
         SELECT CAST('reserve_waiting' AS TEXT) AS k, campaign_id, COUNT(*) AS n FROM vac_reserve \
           WHERE status = 'waiting' GROUP BY campaign_id",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("k")?, r.try_get("campaign_id")?, r.try_get("n")?)))
        .collect()
}
