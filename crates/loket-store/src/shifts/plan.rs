//! Shifts.

use super::*;
use crate::paging::{self, Order};
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};

#[derive(Debug, Clone, Serialize)]
pub struct Shift {
    pub id: String,
    pub role_id: String,
    pub role_code: String,
    pub role_name_nl: String,
    pub role_name_en: String,
    /// The qualification code the role asks for.
    pub qualification: Option<String>,
    pub day: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub headcount: i64,
    pub filled: i64,
    pub release_at: i64,
    /// `open` or `cancelled`.
    pub status: ShiftStatus,
    pub sequence: i64,
}

impl Shift {
    pub fn role_name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.role_name_en
        } else {
            &self.role_name_nl
        }
    }

    pub fn label(&self, lang: &str) -> String {
        rules::span_label(self.role_name(lang), self.starts_at, self.ends_at)
    }

    pub fn is_full(&self) -> bool {
        self.filled >= self.headcount
    }
}

pub(super) const SHIFT_COLUMNS: &str = "s.id, s.role_id, r.code AS role_code, r.name_nl AS role_name_nl, r.name_en AS role_name_en, \
     q.code AS qualification, s.day, s.starts_at, s.ends_at, \
     s.headcount, s.filled, s.release_at, s.status, s.sequence";
pub(super) const SHIFT_FROM: &str = "shift_shifts s JOIN shift_roles r ON r.id = s.role_id \
     LEFT JOIN shift_qualifications q ON q.id = r.qualification_id";

pub(super) fn shift_of(r: &AnyRow) -> Result<Shift> {
    Ok(Shift {
        id: r.try_get("id")?,
        role_id: r.try_get("role_id")?,
        role_code: r.try_get("role_code")?,
        role_name_nl: r.try_get("role_name_nl")?,
        role_name_en: r.try_get("role_name_en")?,
        qualification: r.try_get("qualification")?,
        day: r.try_get("day")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        headcount: r.try_get("headcount")?,
        filled: r.try_get("filled")?,
        release_at: r.try_get("release_at")?,
        status: crate::status(r, "status")?,
        sequence: r.try_get("sequence")?,
    })
}

/// A shift to create.
pub struct NewShift<'a> {
    pub role_id: &'a str,
    pub day: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    pub headcount: i64,
    pub release_at: i64,
}

pub async fn create_shift(tx: &mut Tx, actor: &Actor, n: &NewShift<'_>) -> Result<String> {
    rules::check_length(n.starts_at, n.ends_at)?;
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO shift_shifts (id, role_id, day, starts_at, ends_at, headcount, filled, release_at, status, \
         sequence, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, 'open', 0, $8, $9, $9)",
    )
    .bind(&id)
    .bind(n.role_id)
    .bind(n.day)
    .bind(n.starts_at)
    .bind(n.ends_at)
    .bind(n.headcount)
    .bind(n.release_at)
    .bind(actor.user_id().map(str::to_owned))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "shifts.shift.create",
            record_type: "shift",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(
                json!({"role": n.role_id, "day": n.day, "starts_at": n.starts_at,
                "ends_at": n.ends_at, "headcount": n.headcount, "release_at": n.release_at}),
            ),
        },
    )
    .await?;
    Ok(id)
}

pub async fn get_shift(store: &Store, id: &str) -> Result<Option<Shift>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SHIFT_COLUMNS} FROM {SHIFT_FROM} WHERE s.id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(shift_of).transpose()
}

/// Shifts from `from` to `to` (days, inclusive), of a role (id or code;
/// empty: all), only open ones with room if `open_only`. Cancelled shifts
/// are listed only when not `open_only`.
pub async fn list_shifts(
    store: &Store,
    from: &str,
    to: &str,
    role: &str,
    open_only: bool,
) -> Result<Vec<Shift>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SHIFT_COLUMNS} FROM {SHIFT_FROM} WHERE s.day >= $1 AND s.day <= $2 \
         AND ($3 = '' OR r.id = $3 OR r.code = $3) \
         AND ($4 = 0 OR (s.status = 'open' AND s.filled < s.headcount)) \
         ORDER BY s.starts_at, r.code"
    )))
    .bind(from)
    .bind(to)
    .bind(role)
    .bind(i64::from(open_only))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(shift_of).collect()
}

/// The coverage view's shifts with open places: keyset on (start, shift
/// id), soonest first.
pub const GAP_PAGING: Spec = Spec {
    list: "shifts.gaps",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// The shifts with open places from `from` to `to` (days, both included)
/// that start after `now_ms`: `$1` to `$3`.
const GAP_WHERE: &str = "s.day >= $1 AND s.day <= $2 AND s.status = 'open' \
     AND s.filled < s.headcount AND s.starts_at > $3";

/// One page of the shifts with open places from `from` to `to` that start
/// after `now_ms`, soonest first.
pub async fn gaps_page(
    store: &Store,
    from: &str,
    to: &str,
    now_ms: i64,
    pq: &PageQuery,
) -> Result<Page<Shift>> {
    paging::Select::new(
        format!("SELECT {SHIFT_COLUMNS} FROM {SHIFT_FROM} WHERE {GAP_WHERE}"),
        &["s.starts_at", "s.id"],
        Order::Asc,
    )
    .arg(from)
    .arg(to)
    .arg(now_ms)
    .page(store, pq, &GAP_PAGING, shift_of, |s| {
        vec![Key::from(s.starts_at), Key::from(s.id.as_str())]
    })
    .await
}

/// How many shifts [`gaps_page`] pages through, up to `cap`.
pub async fn gaps_total(
    store: &Store,
    from: &str,
    to: &str,
    now_ms: i64,
    cap: i64,
) -> Result<Total> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM shift_shifts s WHERE {GAP_WHERE} LIMIT $4) t"
    )))
    .bind(from)
    .bind(to)
    .bind(now_ms)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// The planner's day list's cursors: keyset on the day (unique in the list).
pub const DAY_PAGING: Spec = Spec {
    list: "shifts.days",
    keys: &[KeyKind::Text],
};

/// One page of the days that have open shifts, from `from` on, in order.
pub async fn shift_days_page(store: &Store, from: &str, pq: &PageQuery) -> Result<Page<String>> {
    paging::Select::new(
        "SELECT DISTINCT day FROM shift_shifts WHERE day >= $1 AND status = 'open'",
        &["day"],
        Order::Asc,
    )
    .arg(from)
    .page(
        store,
        pq,
        &DAY_PAGING,
        |r| Ok(r.try_get::<String, _>("day")?),
        |d| vec![Key::from(d.as_str())],
    )
    .await
}

/// How many days [`shift_days_page`] pages through, up to `cap`.
pub async fn shift_days_total(store: &Store, from: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT DISTINCT day FROM shift_shifts \
         WHERE day >= $1 AND status = 'open' LIMIT $2) t",
    )
    .bind(from)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// The planner's shift download's cursors: keyset on (day, starts_at, id).
pub const SHIFT_PAGING: Spec = Spec {
    list: "shifts.open_shifts",
    keys: &[KeyKind::Text, KeyKind::Int, KeyKind::Text],
};

/// One page of the open shifts from `from` on (the shifts of the days the
/// planner's day list pages through), by day, start and id.
pub async fn open_shifts_page(store: &Store, from: &str, pq: &PageQuery) -> Result<Page<Shift>> {
    paging::Select::new(
        format!("SELECT {SHIFT_COLUMNS} FROM {SHIFT_FROM} WHERE s.day >= $1 AND s.status = 'open'"),
        &["s.day", "s.starts_at", "s.id"],
        Order::Asc,
    )
    .arg(from)
    .page(store, pq, &SHIFT_PAGING, shift_of, |s| {
        vec![
            Key::from(s.day.as_str()),
            Key::from(s.starts_at),
            Key::from(s.id.as_str()),
        ]
    })
    .await
}

/// Someone signed up for a shift, for mails and the planner's list.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub signup_id: String,
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub locale: String,
    pub assigned_by: Option<String>,
    pub override_reason: Option<String>,
}

/// The people with an active sign-up for a shift (read in `tx`, or in the
/// pool when `tx` is `None`).
pub async fn people_on(store: &Store, shift_id: &str) -> Result<Vec<Person>> {
    let rows = sqlx::query(PEOPLE_SQL)
        .bind(shift_id)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(person_of).collect()
}

pub(super) const PEOPLE_SQL: &str = "SELECT g.id AS signup_id, u.id AS user_id, u.name, u.email, u.locale, g.assigned_by, g.override_reason \
     FROM shift_signups g JOIN users u ON u.id = g.user_id WHERE g.shift_id = $1 AND g.status = 'active' ORDER BY u.name";

pub(super) fn person_of(r: &AnyRow) -> Result<Person> {
    Ok(Person {
        signup_id: r.try_get("signup_id")?,
        user_id: r.try_get("user_id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        locale: r.try_get("locale")?,
        assigned_by: r.try_get("assigned_by")?,
        override_reason: r.try_get("override_reason")?,
    })
}

/// Changes a shift's times and headcount (not below the people on it).
/// Returns the shift before and after and the people on it (to notify, in
/// the same transaction). Their reminders go again for the new time.
pub async fn change_shift(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    starts_at: i64,
    ends_at: i64,
    headcount: i64,
) -> Result<(Shift, Vec<Person>)> {
    rules::check_length(starts_at, ends_at)?;
    let before = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SHIFT_COLUMNS} FROM {SHIFT_FROM} WHERE s.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .as_ref()
    .map(shift_of)
    .transpose()?
    .ok_or(StoreError::NotFound)?;
    if before.status != ShiftStatus::Open {
        return Err(Invalid::one("shift", "shift-cancelled").into());
    }
    let done = sqlx::query(
        "UPDATE shift_shifts SET starts_at = $2, ends_at = $3, headcount = $4, sequence = sequence + 1, \
         updated_at = $5 WHERE id = $1 AND status = 'open' AND filled <= $4 RETURNING id",
    )
    .bind(id)
    .bind(starts_at)
    .bind(ends_at)
    .bind(headcount)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    if done.is_none() {
        return Err(Invalid::one("shift_headcount", "shift-headcount-below-filled").into());
    }
    if before.starts_at != starts_at {
        sqlx::query(
            "UPDATE shift_signups SET reminder_sent_at = NULL, reminder_skipped_at = NULL WHERE shift_id = $1 AND status = 'active'",
        )
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "shifts.shift.change",
            record_type: "shift",
            record_id: id,
            subject_user_id: None,
            before: Some(
                json!({"starts_at": before.starts_at, "ends_at": before.ends_at, "headcount": before.headcount}),
            ),
            after: Some(json!({"starts_at": starts_at, "ends_at": ends_at, "headcount": headcount})),
        },
    )
    .await?;
    let people = sqlx::query(PEOPLE_SQL)
        .bind(id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(person_of)
        .collect::<Result<Vec<_>>>()?;
    Ok((before, people))
}

/// Cancels a shift and every sign-up on it; returns the people who were on
/// it (to notify in the same transaction).
pub async fn cancel_shift(tx: &mut Tx, actor: &Actor, id: &str) -> Result<(Shift, Vec<Person>)> {
    let shift = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SHIFT_COLUMNS} FROM {SHIFT_FROM} WHERE s.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .as_ref()
    .map(shift_of)
    .transpose()?
    .ok_or(StoreError::NotFound)?;
    let people = sqlx::query(PEOPLE_SQL)
        .bind(id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(person_of)
        .collect::<Result<Vec<_>>>()?;
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE shift_shifts SET status = 'cancelled', filled = 0, sequence = sequence + 1, updated_at = $2 \
         WHERE id = $1 AND status = 'open' RETURNING id",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    if done.is_none() {
        return Err(Invalid::one("shift", "shift-cancelled").into());
    }
    sqlx::query(
        "UPDATE shift_signups SET status = 'cancelled', cancelled_at = $2 WHERE shift_id = $1 AND status = 'active'",
    )
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "shifts.shift.cancel",
            record_type: "shift",
            record_id: id,
            subject_user_id: None,
            before: Some(json!({"status": ShiftStatus::Open, "filled": shift.filled})),
            after: Some(json!({"status": ShiftStatus::Cancelled, "people": people.len()})),
        },
    )
    .await?;
    Ok((shift, people))
}
