//! Staff shifts of the vaccination centre: roles, qualifications, shifts,
//! sign-ups, coverage, reminders and the calendar-feed version.
//!
//! **A shift is never overfilled.** A sign-up raises the shift's `filled`
//! with `UPDATE shift_shifts SET filled = filled + 1 WHERE id = $1 AND
//! filled < headcount AND status = 'open' RETURNING filled` in the
//! transaction that inserts the sign-up row; a unique index allows one
//! active sign-up per shift and person.
//!
//! **Two sign-ups of one person never break a rule together.** Every write
//! for a person first raises the person's `shift_people.guard` (an upsert:
//! the row lock on PostgreSQL; on SQLite the `BEGIN IMMEDIATE` write
//! transaction serialises writers anyway). The working-time check then
//! reads the person's shifts in a new statement, which sees every sign-up
//! committed before the lock was granted. Locks are always taken person
//! first, shift second, so two sign-ups cannot deadlock.

use crate::audit::{self, Change};
use crate::{Result, Store, StoreError, Tx, new_id, new_secret, now_ms};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::shifts::{self as rules, Rules, Span};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

// ---- settings ----

/// The working-time rules and the key of the feed URLs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub rules: Rules,
    pub feed_key: String,
}

/// The settings, creating the row (with a fresh feed key) on first use.
pub async fn settings(store: &Store) -> Result<Settings> {
    let read = || async {
        sqlx::query(
            "SELECT max_work_minutes, window_minutes, min_rest_minutes, feed_key FROM shift_settings WHERE id = 1",
        )
        .fetch_optional(store.pool())
        .await
    };
    let row = match read().await? {
        Some(r) => r,
        None => {
            let d = Rules::default();
            sqlx::query(
                "INSERT INTO shift_settings (id, max_work_minutes, window_minutes, min_rest_minutes, feed_key, updated_at) \
                 VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
            )
            .bind(d.max_work_minutes)
            .bind(d.window_minutes)
            .bind(d.min_rest_minutes)
            .bind(new_secret())
            .bind(now_ms())
            .execute(store.pool())
            .await?;
            read().await?.ok_or(StoreError::NotFound)?
        }
    };
    Ok(Settings {
        rules: Rules {
            max_work_minutes: row.try_get(0)?,
            window_minutes: row.try_get(1)?,
            min_rest_minutes: row.try_get(2)?,
        },
        feed_key: row.try_get(3)?,
    })
}

/// Saves the working-time rules (the caller read the settings first, so
/// the row exists).
pub async fn save_rules(tx: &mut Tx, actor: &Actor, r: &Rules) -> Result<()> {
    r.validate()?;
    let done = sqlx::query(
        "UPDATE shift_settings SET max_work_minutes = $1, window_minutes = $2, min_rest_minutes = $3, \
         updated_at = $4 WHERE id = 1 RETURNING id",
    )
    .bind(r.max_work_minutes)
    .bind(r.window_minutes)
    .bind(r.min_rest_minutes)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    if done.is_none() {
        return Err(StoreError::NotFound);
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "shifts.rules",
            record_type: "shift_settings",
            record_id: "1",
            subject_user_id: None,
            before: None,
            after: Some(json!(r)),
        },
    )
    .await
}

// ---- qualifications and roles ----

#[derive(Debug, Clone, Serialize)]
pub struct Qualification {
    pub id: String,
    pub code: String,
    pub name_nl: String,
    pub name_en: String,
}

impl Qualification {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_nl
        }
    }
}

pub async fn add_qualification(
    tx: &mut Tx,
    actor: &Actor,
    code: &str,
    name_nl: &str,
    name_en: &str,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO shift_qualifications (id, code, name_nl, name_en, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(code)
    .bind(name_nl)
    .bind(name_en)
    .bind(now_ms())
    .execute(&mut **tx)
    .await
    .map_err(|e| crate::unique_to_field(e, "shift_qualification_code", "shift-code-taken"))?;
    audit::record(
        tx,
        actor,
        Change {
            action: "shifts.qualification.add",
            record_type: "shift_qualification",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"code": code, "name_nl": name_nl, "name_en": name_en})),
        },
    )
    .await?;
    Ok(id)
}

pub async fn list_qualifications(store: &Store) -> Result<Vec<Qualification>> {
    let rows =
        sqlx::query("SELECT id, code, name_nl, name_en FROM shift_qualifications ORDER BY code")
            .fetch_all(store.pool())
            .await?;
    rows.iter()
        .map(|r| {
            Ok(Qualification {
                id: r.try_get(0)?,
                code: r.try_get(1)?,
                name_nl: r.try_get(2)?,
                name_en: r.try_get(3)?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct ShiftRole {
    pub id: String,
    pub code: String,
    pub name_nl: String,
    pub name_en: String,
    pub qualification_id: Option<String>,
    pub qualification_code: Option<String>,
}

impl ShiftRole {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_nl
        }
    }
}

pub async fn add_role(
    tx: &mut Tx,
    actor: &Actor,
    code: &str,
    name_nl: &str,
    name_en: &str,
    qualification_id: Option<&str>,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO shift_roles (id, code, name_nl, name_en, qualification_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(code)
    .bind(name_nl)
    .bind(name_en)
    .bind(qualification_id.map(str::to_owned))
    .bind(now_ms())
    .execute(&mut **tx)
    .await
    .map_err(|e| crate::unique_to_field(e, "shift_role_code", "shift-code-taken"))?;
    audit::record(
        tx,
        actor,
        Change {
            action: "shifts.role.add",
            record_type: "shift_role",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(
                json!({"code": code, "name_nl": name_nl, "name_en": name_en, "qualification": qualification_id}),
            ),
        },
    )
    .await?;
    Ok(id)
}

pub async fn list_roles(store: &Store) -> Result<Vec<ShiftRole>> {
    let rows = sqlx::query(
        "SELECT r.id, r.code, r.name_nl, r.name_en, r.qualification_id, q.code \
         FROM shift_roles r LEFT JOIN shift_qualifications q ON q.id = r.qualification_id ORDER BY r.code",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ShiftRole {
                id: r.try_get(0)?,
                code: r.try_get(1)?,
                name_nl: r.try_get(2)?,
                name_en: r.try_get(3)?,
                qualification_id: r.try_get(4)?,
                qualification_code: r.try_get(5)?,
            })
        })
        .collect()
}

/// A role by id or code.
pub async fn role(store: &Store, key: &str) -> Result<Option<ShiftRole>> {
    Ok(list_roles(store)
        .await?
        .into_iter()
        .find(|r| r.id == key || r.code == key))
}

// ---- staff and their qualifications ----

/// A staff account that may volunteer.
#[derive(Debug, Clone, Serialize)]
pub struct Volunteer {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub locale: String,
    /// Qualification codes held.
    pub qualifications: Vec<String>,
}

/// The qualification codes a person holds.
pub async fn qualifications_of(store: &Store, user_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT q.code FROM shift_staff_qualifications s JOIN shift_qualifications q ON q.id = s.qualification_id \
         WHERE s.user_id = $1 ORDER BY q.code",
    )
    .bind(user_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
}

/// Staff accounts (any staff role) whose name or e-mail holds `q`
/// (case-insensitive), with their qualifications.
pub async fn search_staff(store: &Store, q: &str, limit: i64) -> Result<Vec<Volunteer>> {
    let pattern = format!("%{}%", q.trim().to_lowercase().replace(['%', '_'], ""));
    let rows = sqlx::query(
        "SELECT u.id, u.name, u.email, u.locale FROM users u \
         WHERE u.disabled_at IS NULL \
         AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role <> 'resident') \
         AND (LOWER(u.name) LIKE $1 OR LOWER(u.email) LIKE $1) ORDER BY u.name LIMIT $2",
    )
    .bind(pattern)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let user_id: String = r.try_get(0)?;
        out.push(Volunteer {
            qualifications: qualifications_of(store, &user_id).await?,
            user_id,
            name: r.try_get(1)?,
            email: r.try_get(2)?,
            locale: r.try_get(3)?,
        });
    }
    Ok(out)
}

/// Gives (`grant`) or takes away a qualification.
pub async fn set_qualification(
    tx: &mut Tx,
    actor: &Actor,
    user_id: &str,
    qualification_id: &str,
    grant: bool,
) -> Result<()> {
    if grant {
        sqlx::query(
            "INSERT INTO shift_staff_qualifications (user_id, qualification_id, granted_by, granted_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, qualification_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(qualification_id)
        .bind(actor.user_id().map(str::to_owned))
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query(
            "DELETE FROM shift_staff_qualifications WHERE user_id = $1 AND qualification_id = $2",
        )
        .bind(user_id)
        .bind(qualification_id)
        .execute(&mut **tx)
        .await?;
    }
    audit::record(
        tx,
        actor,
        Change {
            action: if grant {
                "shifts.qualification.grant"
            } else {
                "shifts.qualification.revoke"
            },
            record_type: "shift_staff_qualification",
            record_id: qualification_id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({"user": user_id, "qualification": qualification_id, "held": grant})),
        },
    )
    .await
}

// ---- shifts ----

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
    pub status: String,
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

const SHIFT_COLUMNS: &str = "s.id, s.role_id, r.code, r.name_nl, r.name_en, q.code, s.day, s.starts_at, s.ends_at, \
     s.headcount, s.filled, s.release_at, s.status, s.sequence";
const SHIFT_FROM: &str = "shift_shifts s JOIN shift_roles r ON r.id = s.role_id \
     LEFT JOIN shift_qualifications q ON q.id = r.qualification_id";

fn shift_of(r: &AnyRow) -> Result<Shift> {
    Ok(Shift {
        id: r.try_get(0)?,
        role_id: r.try_get(1)?,
        role_code: r.try_get(2)?,
        role_name_nl: r.try_get(3)?,
        role_name_en: r.try_get(4)?,
        qualification: r.try_get(5)?,
        day: r.try_get(6)?,
        starts_at: r.try_get(7)?,
        ends_at: r.try_get(8)?,
        headcount: r.try_get(9)?,
        filled: r.try_get(10)?,
        release_at: r.try_get(11)?,
        status: r.try_get(12)?,
        sequence: r.try_get(13)?,
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

/// The days that have shifts, from `from` on.
pub async fn shift_days(store: &Store, from: &str, limit: i64) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT DISTINCT day FROM shift_shifts WHERE day >= $1 AND status = 'open' ORDER BY day LIMIT $2",
    )
    .bind(from)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
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

const PEOPLE_SQL: &str = "SELECT g.id, u.id, u.name, u.email, u.locale, g.assigned_by, g.override_reason \
     FROM shift_signups g JOIN users u ON u.id = g.user_id WHERE g.shift_id = $1 AND g.status = 'active' ORDER BY u.name";

fn person_of(r: &AnyRow) -> Result<Person> {
    Ok(Person {
        signup_id: r.try_get(0)?,
        user_id: r.try_get(1)?,
        name: r.try_get(2)?,
        email: r.try_get(3)?,
        locale: r.try_get(4)?,
        assigned_by: r.try_get(5)?,
        override_reason: r.try_get(6)?,
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
    if before.status != "open" {
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
            "UPDATE shift_signups SET reminder_sent_at = NULL WHERE shift_id = $1 AND status = 'active'",
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
            before: Some(json!({"status": "open", "filled": shift.filled})),
            after: Some(json!({"status": "cancelled", "people": people.len()})),
        },
    )
    .await?;
    Ok((shift, people))
}

// ---- sign-ups ----

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
async fn lock_person(tx: &mut Tx, user_id: &str) -> Result<()> {
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
async fn spans_of(tx: &mut Tx, user_id: &str, lang: &str) -> Result<Vec<Span>> {
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
    if shift.status != "open" {
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
    .map(|r| r.try_get::<String, _>(0))
    .collect::<std::result::Result<_, _>>()?;
    let qual_label = match &shift.qualification {
        Some(code) => {
            sqlx::query("SELECT name_nl, name_en FROM shift_qualifications WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut **tx)
                .await?
                .map(|r| {
                    r.try_get::<String, _>(if s.lang == "en" { 1 } else { 0 })
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
    let filled = sqlx::query(
        "UPDATE shift_shifts SET filled = filled + 1, updated_at = $2 \
         WHERE id = $1 AND status = 'open' AND filled < headcount RETURNING filled",
    )
    .bind(&shift.id)
    .bind(s.now)
    .fetch_optional(&mut **tx)
    .await?;
    if filled.is_none() {
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
        "SELECT {SHIFT_COLUMNS}, g.id, g.assigned_by FROM {SHIFT_FROM} JOIN shift_signups g ON g.shift_id = s.id \
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
                signup_id: r.try_get(14)?,
                assigned_by: r.try_get(15)?,
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
        "SELECT {SHIFT_COLUMNS}, g.id, g.assigned_by, g.status FROM {SHIFT_FROM} JOIN shift_signups g ON g.shift_id = s.id \
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
        let status: String = r.try_get(16)?;
        let cancelled = status != "active" || shift.status != "open";
        // One withdrawn event per shift is enough: the latest sign-up.
        if cancelled {
            out.retain(|f| !(f.cancelled && f.signup.shift.id == shift.id));
        }
        out.push(FeedSignup {
            signup: MySignup {
                shift,
                signup_id: r.try_get(14)?,
                assigned_by: r.try_get(15)?,
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
        .try_get::<i64, _>(0)?;
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
    let signup_id: String = row.try_get(0)?;
    sqlx::query(
        "UPDATE shift_shifts SET filled = filled - 1, updated_at = $2 WHERE id = $1 AND filled > 0",
    )
    .bind(shift_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "shifts.signup.cancel",
            record_type: "shift_signup",
            record_id: &signup_id,
            subject_user_id: Some(user_id),
            before: Some(json!({"status": "active"})),
            after: Some(json!({"status": "cancelled", "shift": shift_id})),
        },
    )
    .await
}

// ---- coverage ----

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
        "SELECT s.day, r.id, r.code, r.name_nl, r.name_en, COUNT(*), CAST(SUM(s.headcount) AS BIGINT), CAST(SUM(s.filled) AS BIGINT) \
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
                day: r.try_get(0)?,
                role_id: r.try_get(1)?,
                role_code: r.try_get(2)?,
                role_name_nl: r.try_get(3)?,
                role_name_en: r.try_get(4)?,
                shifts: r.try_get(5)?,
                needed: r.try_get(6)?,
                filled: r.try_get(7)?,
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
        "SELECT {SHIFT_COLUMNS}, g.id, u.name, u.email, u.locale FROM {SHIFT_FROM} \
         JOIN shift_signups g ON g.shift_id = s.id JOIN users u ON u.id = g.user_id \
         WHERE g.status = 'active' AND g.reminder_sent_at IS NULL AND s.status = 'open' \
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
                signup_id: r.try_get(14)?,
                name: r.try_get(15)?,
                email: r.try_get(16)?,
                locale: r.try_get(17)?,
            })
        })
        .collect()
}

/// Claims a reminder (false if another worker did).
pub async fn claim_reminder(tx: &mut Tx, signup_id: &str) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE shift_signups SET reminder_sent_at = $2 WHERE id = $1 AND reminder_sent_at IS NULL \
         AND status = 'active' RETURNING id",
    )
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
            .map(|r| r.try_get::<i64, _>(0))
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
    .try_get(0)?;
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
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
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
