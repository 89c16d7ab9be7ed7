//! Coverage, reminders, the feed and the demo seed.

use super::*;

/// Needed and filled places of one role on one day.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub day: String,
    pub role_id: String,
    pub role_code: String,
    pub role_name_nl: String,
    pub role_name_en: String,
    pub shifts: i64,
    pub needed: i64,
    pub filled: i64,
}

/// Coverage per day and role of the open shifts from `from` to `to`.
pub async fn coverage(store: &Store, from: &str, to: &str) -> Result<Vec<Coverage>> {
    let rows = sqlx::query(
        "SELECT s.day, r.id AS role_id, r.code AS role_code, r.name_nl AS role_name_nl, r.name_en AS role_name_en, \
         COUNT(*) AS shifts, CAST(SUM(s.headcount) AS BIGINT) AS needed, CAST(SUM(s.filled) AS BIGINT) AS filled \
         FROM shift_shifts s JOIN shift_roles r ON r.id = s.role_id \
         WHERE s.status = 'open' AND s.day >= $1 AND s.day <= $2 \
         GROUP BY s.day, r.id, r.code, r.name_nl, r.name_en ORDER BY s.day, r.code",
    )
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Coverage {
                day: r.try_get("day")?,
                role_id: r.try_get("role_id")?,
                role_code: r.try_get("role_code")?,
                role_name_nl: r.try_get("role_name_nl")?,
                role_name_en: r.try_get("role_name_en")?,
                shifts: r.try_get("shifts")?,
                needed: r.try_get("needed")?,
                filled: r.try_get("filled")?,
            })
        })
        .collect()
}

// ---- reminders and the feed ----

/// A reminder to send: the sign-up, the person and the shift.
#[derive(Debug, Clone)]
pub struct Due {
    pub signup_id: String,
    pub name: String,
    pub email: String,
    pub locale: String,
    pub shift: Shift,
}

/// Active sign-ups of open shifts starting within `ahead_ms` whose
/// reminder has not gone.
pub async fn due_reminders(store: &Store, now: i64, ahead_ms: i64, limit: i64) -> Result<Vec<Due>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SHIFT_COLUMNS}, g.id AS signup_id, u.name, u.email, u.locale FROM {SHIFT_FROM} \
         JOIN shift_signups g ON g.shift_id = s.id JOIN users u ON u.id = g.user_id \
         WHERE g.status = 'active' AND g.reminder_sent_at IS NULL AND g.reminder_skipped_at IS NULL AND s.status = 'open' \
         AND s.starts_at > $1 AND s.starts_at <= $2 ORDER BY s.starts_at LIMIT $3"
    )))
    .bind(now)
    .bind(now + ahead_ms)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Due {
                shift: shift_of(r)?,
                signup_id: r.try_get("signup_id")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                locale: r.try_get("locale")?,
            })
        })
        .collect()
}

/// Claims a reminder in the transaction that queues its mail (false if
/// another worker did, or it was skipped).
pub async fn claim_reminder(tx: &mut Tx, signup_id: &str) -> Result<bool> {
    mark_reminder(tx, signup_id, "reminder_sent_at").await
}

/// Marks a sign-up's reminder as not sendable (no usable e-mail address):
/// it leaves the due list and `reminder_sent_at` stays NULL, as no mail
/// went out. False if it was handled already.
pub async fn skip_reminder(tx: &mut Tx, signup_id: &str) -> Result<bool> {
    mark_reminder(tx, signup_id, "reminder_skipped_at").await
}

async fn mark_reminder(tx: &mut Tx, signup_id: &str, column: &'static str) -> Result<bool> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE shift_signups SET {column} = $2 WHERE id = $1 AND reminder_sent_at IS NULL \
         AND reminder_skipped_at IS NULL AND status = 'active' RETURNING id"
    )))
    .bind(signup_id)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?
    .is_some())
}

/// The version of a person's feed URL (0 before any).
pub async fn feed_version(store: &Store, user_id: &str) -> Result<i64> {
    Ok(
        sqlx::query("SELECT feed_version FROM shift_people WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(store.pool())
            .await?
            .map(|r| r.try_get::<i64, _>("feed_version"))
            .transpose()?
            .unwrap_or(0),
    )
}

/// A new feed URL for the person: the old one stops working.
pub async fn regenerate_feed(tx: &mut Tx, actor: &Actor, user_id: &str) -> Result<i64> {
    let v: i64 = sqlx::query(
        "INSERT INTO shift_people (user_id, guard, feed_version, updated_at) VALUES ($1, 0, 1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET feed_version = shift_people.feed_version + 1, updated_at = $2 \
         RETURNING feed_version",
    )
    .bind(user_id)
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?
    .try_get("feed_version")?;
    audit::record(
        tx,
        actor,
        Change {
            action: "shifts.feed.regenerate",
            record_type: "shift_feed",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({"version": v})),
        },
    )
    .await?;
    Ok(v)
}

// ---- the demo seed ----

/// Staff records without an account yet (name, e-mail), by employee number:
/// the demo gives some of them accounts to volunteer with.
pub async fn staff_without_account(store: &Store, limit: i64) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT m.name, m.email FROM staff_members m WHERE m.end_date IS NULL \
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.email_norm = LOWER(m.email)) \
         ORDER BY m.employee_no LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("name")?, r.try_get("email")?)))
        .collect()
}

/// Inserts many active sign-ups (checked beforehand by the caller) with
/// multi-row statements, sets every shift's `filled` from its sign-ups and
/// writes one audit row for the batch (the demo seed).
pub async fn insert_signups_batch(
    tx: &mut Tx,
    actor: &Actor,
    rows: &[(String, String)],
) -> Result<()> {
    let now = now_ms();
    for chunk in rows.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO shift_signups (id, shift_id, user_id, status, created_at) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 4;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, 'active', ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (shift_id, user_id) in chunk {
            q = q
                .bind(new_id())
                .bind(shift_id.clone())
                .bind(user_id.clone())
                .bind(now);
        }
        q.execute(&mut **tx).await?;
    }
    sqlx::query(
        "UPDATE shift_shifts SET filled = (SELECT COUNT(*) FROM shift_signups g \
         WHERE g.shift_id = shift_shifts.id AND g.status = 'active')",
    )
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "shifts.signup.batch",
            record_type: "shift_signup",
            record_id: "batch",
            subject_user_id: None,
            before: None,
            after: Some(json!({ "created": rows.len() })),
        },
    )
    .await
}

/// Open shifts from `from` to `to` (days, inclusive) with fewer people
/// signed up than needed: the planner's work screen. Returns the number of
/// shifts and the places still to fill.
pub async fn understaffed(store: &Store, from: &str, to: &str) -> Result<(i64, i64)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS shifts, CAST(COALESCE(SUM(headcount - filled), 0) AS BIGINT) AS places \
         FROM shift_shifts WHERE status = 'open' AND day >= $1 AND day <= $2 AND filled < headcount",
    )
    .bind(from)
    .bind(to)
    .fetch_one(store.pool())
    .await?;
    Ok((row.try_get("shifts")?, row.try_get("places")?))
}
