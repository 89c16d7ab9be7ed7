//! Sign-ups.

use super::*;
use crate::capacity::{self, Places};

/// A shift's places: `filled` of `headcount`, while the shift is open.
const SHIFT_PLACES: Places = Places {
    table: "shift_shifts",
    key: "id",
    used: "filled",
    limit: "headcount",
    only_if: "status = 'open'",
    touched: "updated_at",
};

/// A sign-up request.
pub struct SignUp<'a> {
    pub shift_id: &'a str,
    pub user_id: &'a str,
    /// The planner who assigns; `None` when the person signs up themselves
    /// (then the release time applies).
    pub assigned_by: Option<&'a str>,
    /// A planner's reason to override broken working-time rules.
    pub override_reason: Option<&'a str>,
    /// The language of the labels in messages.
    pub lang: &'a str,
    pub now: i64,
}

/// Raises the person's guard: the per-person lock (see the module text).
pub(super) async fn lock_person(tx: &mut Tx, user_id: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO shift_people (user_id, guard, feed_version, updated_at) VALUES ($1, 1, 0, $2) \
         ON CONFLICT (user_id) DO UPDATE SET guard = shift_people.guard + 1, updated_at = $2",
    )
    .bind(user_id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The person's active shifts (open shifts with an active sign-up), read
/// inside the transaction, as spans for the rules.
pub(super) async fn spans_of(tx: &mut Tx, user_id: &str, lang: &str) -> Result<Vec<Span>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SHIFT_COLUMNS} FROM {SHIFT_FROM} JOIN shift_signups g ON g.shift_id = s.id \
         WHERE g.user_id = $1 AND g.status = 'active' AND s.status = 'open' ORDER BY s.starts_at"
    )))
    .bind(user_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            let s = shift_of(r)?;
            Ok(Span {
                label: s.label(lang),
                id: s.id,
                start_ms: s.starts_at,
                end_ms: s.ends_at,
            })
        })
        .collect()
}

/// A person's active shifts as spans (a read, for the planner's view).
pub async fn active_spans(store: &Store, user_id: &str, lang: &str) -> Result<Vec<Span>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SHIFT_COLUMNS} FROM {SHIFT_FROM} JOIN shift_signups g ON g.shift_id = s.id \
         WHERE g.user_id = $1 AND g.status = 'active' AND s.status = 'open' ORDER BY s.starts_at"
    )))
    .bind(user_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let s = shift_of(r)?;
            Ok(Span {
                label: s.label(lang),
                id: s.id,
                start_ms: s.starts_at,
                end_ms: s.ends_at,
            })
        })
        .collect()
}

/// Signs a person up for a shift, or assigns them, atomically: refused
/// (and nothing written) when the shift is cancelled, past, not yet
/// released (self sign-up), the person lacks the role's qualification,
/// already holds a place, a working-time rule breaks (unless a planner
/// overrides it with a reason), or the shift is full. Returns the sign-up id.
pub async fn sign_up(tx: &mut Tx, actor: &Actor, s: &SignUp<'_>, rules_: &Rules) -> Result<String> {
    lock_person(tx, s.user_id).await?;
    let shift = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SHIFT_COLUMNS} FROM {SHIFT_FROM} WHERE s.id = $1"
    )))
    .bind(s.shift_id)
    .fetch_optional(&mut **tx)
    .await?
    .as_ref()
    .map(shift_of)
    .transpose()?
    .ok_or(StoreError::NotFound)?;
    if shift.status != ShiftStatus::Open {
        return Err(Invalid::one("shift", "shift-cancelled").into());
    }
    if shift.starts_at <= s.now {
        return Err(Invalid::one("shift", "shift-past").into());
    }
    if s.assigned_by.is_none() {
        rules::check_release(
            shift.release_at,
            s.now,
            &rules::local_label(shift.release_at),
        )
        .map_err(Invalid::from)?;
    }
    let held: Vec<String> = sqlx::query(
        "SELECT q.code FROM shift_staff_qualifications g JOIN shift_qualifications q ON q.id = g.qualification_id \
         WHERE g.user_id = $1",
    )
    .bind(s.user_id)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>("code"))
    .collect::<std::result::Result<_, _>>()?;
    let qual_label = match &shift.qualification {
        Some(code) => {
            sqlx::query("SELECT name_nl, name_en FROM shift_qualifications WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut **tx)
                .await?
                .map(|r| {
                    r.try_get::<String, _>(if s.lang == "en" { "name_en" } else { "name_nl" })
                        .unwrap_or_default()
                })
                .unwrap_or_else(|| code.clone())
        }
        None => String::new(),
    };
    rules::check_qualification(shift.qualification.as_deref(), &held, &qual_label)
        .map_err(Invalid::from)?;
    let mine = spans_of(tx, s.user_id, s.lang).await?;
    if mine.iter().any(|m| m.id == shift.id) {
        return Err(StoreError::Conflict(Invalid::one(
            "shift",
            "shift-already-signed-up",
        )));
    }
    let breaches = rules::check(rules_, &mine, shift.starts_at, shift.ends_at);
    let reason = s.override_reason.map(str::trim).filter(|r| !r.is_empty());
    if !breaches.is_empty() && (reason.is_none() || s.assigned_by.is_none()) {
        return Err(rules::breaches_invalid("shift", &breaches).into());
    }
    if !capacity::take(tx, &SHIFT_PLACES, &shift.id, s.now).await? {
        return Err(StoreError::Conflict(Invalid::one("shift", "shift-full")));
    }
    let overridden: Vec<&str> = breaches.iter().map(|b| b.rule.as_str()).collect();
    let id = new_id();
    sqlx::query(
        "INSERT INTO shift_signups (id, shift_id, user_id, status, assigned_by, override_reason, overridden_rules, created_at) \
         VALUES ($1, $2, $3, 'active', $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&shift.id)
    .bind(s.user_id)
    .bind(s.assigned_by.map(str::to_owned))
    .bind(if breaches.is_empty() { None } else { reason.map(str::to_owned) })
    .bind(if breaches.is_empty() { None } else { Some(overridden.join(",")) })
    .bind(s.now)
    .execute(&mut **tx)
    .await
    .map_err(|e| crate::unique_to_field(e, "shift", "shift-already-signed-up"))?;
    let action = match (s.assigned_by.is_some(), breaches.is_empty()) {
        (false, _) => "shifts.signup",
        (true, true) => "shifts.assign",
        (true, false) => "shifts.assign.override",
    };
    audit::record(
        tx,
        actor,
        Change {
            action,
            record_type: "shift_signup",
            record_id: &id,
            subject_user_id: Some(s.user_id),
            before: None,
            after: Some(json!({
                "shift": shift.id,
                "user": s.user_id,
                "overridden_rules": overridden,
                "override_reason": if breaches.is_empty() { None } else { reason },
                "conflicts": breaches.iter().flat_map(|b| b.with.clone()).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    Ok(id)
}

/// A person's sign-up with its shift.
#[derive(Debug, Clone, Serialize)]
pub struct MySignup {
    pub signup_id: String,
    pub assigned_by: Option<String>,
    pub shift: Shift,
}

/// A person's active sign-ups of open shifts ending after `from_ms`.
pub async fn my_signups(store: &Store, user_id: &str, from_ms: i64) -> Result<Vec<MySignup>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SHIFT_COLUMNS}, g.id AS signup_id, g.assigned_by FROM {SHIFT_FROM} JOIN shift_signups g ON g.shift_id = s.id \
         WHERE g.user_id = $1 AND g.status = 'active' AND s.status = 'open' AND s.ends_at > $2 ORDER BY s.starts_at"
    )))
    .bind(user_id)
    .bind(from_ms)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MySignup {
                shift: shift_of(r)?,
                signup_id: r.try_get("signup_id")?,
                assigned_by: r.try_get("assigned_by")?,
            })
        })
        .collect()
}

/// A person's sign-up in their calendar feed: `cancelled` when they
/// withdrew or the shift was cancelled.
#[derive(Debug, Clone)]
pub struct FeedSignup {
    pub signup: MySignup,
    pub cancelled: bool,
}

/// Every sign-up of a person for a shift ending after `from_ms`, also the
/// cancelled ones, so a calendar that subscribed sees them cancelled
/// instead of silently gone. A withdrawn sign-up of a shift that is on
/// again (the person signed up anew) is left out: the new sign-up stands.
pub async fn feed_signups(store: &Store, user_id: &str, from_ms: i64) -> Result<Vec<FeedSignup>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SHIFT_COLUMNS}, g.id AS signup_id, g.assigned_by, g.status AS signup_status FROM {SHIFT_FROM} JOIN shift_signups g ON g.shift_id = s.id \
         WHERE g.user_id = $1 AND s.ends_at > $2 \
         AND (g.status = 'active' OR NOT EXISTS (SELECT 1 FROM shift_signups a \
              WHERE a.shift_id = g.shift_id AND a.user_id = g.user_id AND a.status = 'active')) \
         ORDER BY s.starts_at, g.id"
    )))
    .bind(user_id)
    .bind(from_ms)
    .fetch_all(store.pool())
    .await?;
    let mut out: Vec<FeedSignup> = Vec::new();
    for r in &rows {
        let shift = shift_of(r)?;
        let status: SignupStatus = crate::status(r, "signup_status")?;
        let cancelled = status != SignupStatus::Active || shift.status != ShiftStatus::Open;
        // One withdrawn event per shift is enough: the latest sign-up.
        if cancelled {
            out.retain(|f| !(f.cancelled && f.signup.shift.id == shift.id));
        }
        out.push(FeedSignup {
            signup: MySignup {
                shift,
                signup_id: r.try_get("signup_id")?,
                assigned_by: r.try_get("assigned_by")?,
            },
            cancelled,
        });
    }
    Ok(out)
}

/// Cancels the person's active sign-up for a shift (before it starts):
/// the place is freed in the same transaction.
pub async fn cancel_signup(
    tx: &mut Tx,
    actor: &Actor,
    shift_id: &str,
    user_id: &str,
    now: i64,
) -> Result<()> {
    lock_person(tx, user_id).await?;
    let started = sqlx::query("SELECT starts_at FROM shift_shifts WHERE id = $1")
        .bind(shift_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_get::<i64, _>("starts_at")?;
    if started <= now {
        return Err(Invalid::one("shift", "shift-past").into());
    }
    let done = sqlx::query(
        "UPDATE shift_signups SET status = 'cancelled', cancelled_at = $3 \
         WHERE shift_id = $1 AND user_id = $2 AND status = 'active' RETURNING id",
    )
    .bind(shift_id)
    .bind(user_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = done else {
        return Err(Invalid::one("shift", "shift-not-signed-up").into());
    };
    let signup_id: String = row.try_get("id")?;
    capacity::free(tx, &SHIFT_PLACES, shift_id, now).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "shifts.signup.cancel",
            record_type: "shift_signup",
            record_id: &signup_id,
            subject_user_id: Some(user_id),
            before: Some(json!({"status": SignupStatus::Active})),
            after: Some(json!({"status": SignupStatus::Cancelled, "shift": shift_id})),
        },
    )
    .await
}
