//! Staff records and telework: staff members and their leave, telework days,
//! the manager's approval of a month, the dated allowance rule and tax-free
//! maximum, closing a month into payroll lines, corrections, the export
//! layout, and the figures of the HR dashboard.
//!
//! Every write to a month first touches the month's `telework_periods` row
//! (`UPDATE … SET writes = writes + 1 WHERE month = $1 AND closed_at IS
//! NULL`). On PostgreSQL that is a row lock, so a registration or approval
//! and the closing of the same month queue behind each other, and whichever
//! comes second sees the other's result; on SQLite the write transaction
//! (`BEGIN IMMEDIATE`) already serialises writers. A closed month answers
//! "closed" to every write.

use crate::audit::{self, Change};
use crate::{Result, Store, StoreError, Tx, new_id, now_ms};
use jiff::civil::Date;
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::telework::{
    self as rules, Allowance, AllowanceRule, DayContext, DayKind, DayState, Eligibility,
    ExportLayout, KnownStaff, LeaveRecord, LineKind, Month, PayLine, StaffRecord, TaxFreeMax,
};
use loket_domain::validation::FieldError;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

// ---------------------------------------------------------------------------
// Staff members
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StaffMember {
    pub id: String,
    pub employee_no: String,
    pub name: String,
    pub email: String,
    pub department: String,
    pub manager_no: Option<String>,
    pub regime_percent: i64,
    pub telework_eligible: bool,
    pub end_date: Option<String>,
}

impl StaffMember {
    pub fn end(&self) -> Option<Date> {
        self.end_date.as_deref().and_then(|d| d.parse().ok())
    }

    /// Still employed on some day of `month`.
    pub fn active_in(&self, month: Month) -> bool {
        self.end().is_none_or(|e| e >= month.first_day())
    }
}

const STAFF_COLS: &str = "id, employee_no, name, email, department, manager_no, regime_percent, telework_eligible, end_date";

fn decode_staff(r: &sqlx::any::AnyRow) -> Result<StaffMember> {
    Ok(StaffMember {
        id: r.try_get(0)?,
        employee_no: r.try_get(1)?,
        name: r.try_get(2)?,
        email: r.try_get(3)?,
        department: r.try_get(4)?,
        manager_no: r.try_get(5)?,
        regime_percent: r.try_get(6)?,
        telework_eligible: r.try_get::<i64, _>(7)? != 0,
        end_date: r.try_get(8)?,
    })
}

/// The employee numbers and e-mails already stored (for the import checks).
pub async fn known_staff(store: &Store) -> Result<KnownStaff> {
    let rows = sqlx::query("SELECT employee_no, email FROM staff_members")
        .fetch_all(store.pool())
        .await?;
    let mut k = KnownStaff::default();
    for r in rows {
        let no: String = r.try_get(0)?;
        let email: String = r.try_get(1)?;
        k.emails.insert(email, no.clone());
        k.employee_nos.insert(no);
    }
    Ok(k)
}

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ImportCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Writes checked staff records (new employee numbers are created, known
/// ones updated), in the caller's transaction, with one audit row per
/// created or changed record. All or nothing with the transaction.
pub async fn import_staff(
    tx: &mut Tx,
    actor: &Actor,
    records: &[StaffRecord],
) -> Result<ImportCounts> {
    let mut existing: HashMap<String, StaffMember> = HashMap::new();
    for r in sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {STAFF_COLS} FROM staff_members"
    )))
    .fetch_all(&mut **tx)
    .await?
    {
        let s = decode_staff(&r)?;
        existing.insert(s.employee_no.clone(), s);
    }
    let now = now_ms();
    let mut counts = ImportCounts::default();
    // E-mails move between records only through a free address: clear the
    // e-mails that change first, so a swap within one file is possible.
    for rec in records {
        if let Some(old) = existing.get(&rec.employee_no)
            && old.email != rec.email
        {
            sqlx::query("UPDATE staff_members SET email = $1 WHERE id = $2")
                .bind(format!("moving:{}", old.id))
                .bind(&old.id)
                .execute(&mut **tx)
                .await?;
        }
    }
    for rec in records {
        let end = rec.end_date.map(|d| d.to_string());
        let new = StaffMember {
            id: String::new(),
            employee_no: rec.employee_no.clone(),
            name: rec.name.clone(),
            email: rec.email.clone(),
            department: rec.department.clone(),
            manager_no: rec.manager.clone(),
            regime_percent: rec.regime_percent,
            telework_eligible: rec.telework_eligible,
            end_date: end.clone(),
        };
        match existing.get(&rec.employee_no) {
            Some(old) => {
                let same = StaffMember {
                    id: old.id.clone(),
                    ..new.clone()
                };
                if &same == old {
                    counts.unchanged += 1;
                    continue;
                }
                sqlx::query(
                    "UPDATE staff_members SET name = $1, email = $2, department = $3, manager_no = $4, \
                     regime_percent = $5, telework_eligible = $6, end_date = $7, updated_at = $8 WHERE id = $9",
                )
                .bind(&rec.name)
                .bind(&rec.email)
                .bind(&rec.department)
                .bind(rec.manager.clone())
                .bind(rec.regime_percent)
                .bind(i64::from(rec.telework_eligible))
                .bind(end)
                .bind(now)
                .bind(&old.id)
                .execute(&mut **tx)
                .await
                .map_err(|e| crate::unique_to_field(e, "email", "staff-email-taken"))?;
                audit::record(
                    tx,
                    actor,
                    Change {
                        action: "staff.update",
                        record_type: "staff_member",
                        record_id: &old.id,
                        subject_user_id: None,
                        before: Some(json!(old)),
                        after: Some(json!(same)),
                    },
                )
                .await?;
                counts.updated += 1;
            }
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO staff_members (id, employee_no, name, email, department, manager_no, \
                     regime_percent, telework_eligible, end_date, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
                )
                .bind(&id)
                .bind(&rec.employee_no)
                .bind(&rec.name)
                .bind(&rec.email)
                .bind(&rec.department)
                .bind(rec.manager.clone())
                .bind(rec.regime_percent)
                .bind(i64::from(rec.telework_eligible))
                .bind(end)
                .bind(now)
                .execute(&mut **tx)
                .await
                .map_err(|e| crate::unique_to_field(e, "email", "staff-email-taken"))?;
                audit::record(
                    tx,
                    actor,
                    Change {
                        action: "staff.create",
                        record_type: "staff_member",
                        record_id: &id,
                        subject_user_id: None,
                        before: None,
                        after: Some(json!(StaffMember {
                            id: id.clone(),
                            ..new
                        })),
                    },
                )
                .await?;
                counts.created += 1;
            }
        }
    }
    Ok(counts)
}

/// Inserts many new staff members with multi-row statements and one audit
/// row for the batch (the demo seed; the records are checked beforehand).
pub async fn insert_staff_batch(
    tx: &mut Tx,
    actor: &Actor,
    records: &[StaffRecord],
) -> Result<Vec<String>> {
    let now = now_ms();
    let mut ids = Vec::with_capacity(records.len());
    for chunk in records.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO staff_members (id, employee_no, name, email, department, manager_no, \
             regime_percent, telework_eligible, end_date, created_at, updated_at) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 10;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 10
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for rec in chunk {
            let id = new_id();
            ids.push(id.clone());
            q = q
                .bind(id)
                .bind(rec.employee_no.clone())
                .bind(rec.name.clone())
                .bind(rec.email.clone())
                .bind(rec.department.clone())
                .bind(rec.manager.clone())
                .bind(rec.regime_percent)
                .bind(i64::from(rec.telework_eligible))
                .bind(rec.end_date.map(|d| d.to_string()))
                .bind(now);
        }
        q.execute(&mut **tx).await?;
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "staff.import",
            record_type: "staff_member",
            record_id: "batch",
            subject_user_id: None,
            before: None,
            after: Some(json!({ "created": records.len() })),
        },
    )
    .await?;
    Ok(ids)
}

pub async fn staff_by_no(store: &Store, employee_no: &str) -> Result<Option<StaffMember>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {STAFF_COLS} FROM staff_members WHERE employee_no = $1"
    )))
    .bind(employee_no.trim().to_ascii_uppercase())
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_staff).transpose()
}

/// The staff member linked to an account: the same e-mail address.
pub async fn staff_by_email(store: &Store, email: &str) -> Result<Option<StaffMember>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {STAFF_COLS} FROM staff_members WHERE email = $1"
    )))
    .bind(email.trim().to_lowercase())
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_staff).transpose()
}

/// The team of a manager: the staff members whose manager they are.
pub async fn team(store: &Store, manager_no: &str) -> Result<Vec<StaffMember>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {STAFF_COLS} FROM staff_members WHERE manager_no = $1 ORDER BY name, employee_no"
    )))
    .bind(manager_no)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_staff).collect()
}

/// Staff members matching `q` (name, number or e-mail, '' for all) in
/// `department` ('' for all), by name; and how many match in all.
pub async fn list_staff(
    store: &Store,
    q: &str,
    department: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<StaffMember>, i64)> {
    let pattern = format!("%{}%", q.trim().to_lowercase());
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {STAFF_COLS} FROM staff_members \
         WHERE (LOWER(name) LIKE $1 OR LOWER(employee_no) LIKE $1 OR email LIKE $1) \
         AND ($2 = '' OR department = $2) ORDER BY name, employee_no LIMIT $3 OFFSET $4"
    )))
    .bind(&pattern)
    .bind(department)
    .bind(limit.clamp(1, 500))
    .bind(offset.max(0))
    .fetch_all(store.pool())
    .await?;
    let total: i64 = sqlx::query(
        "SELECT COUNT(*) FROM staff_members \
         WHERE (LOWER(name) LIKE $1 OR LOWER(employee_no) LIKE $1 OR email LIKE $1) AND ($2 = '' OR department = $2)",
    )
    .bind(&pattern)
    .bind(department)
    .fetch_one(store.pool())
    .await?
    .try_get(0)?;
    Ok((rows.iter().map(decode_staff).collect::<Result<_>>()?, total))
}

pub async fn departments(store: &Store) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT DISTINCT department FROM staff_members ORDER BY department")
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

// ---------------------------------------------------------------------------
// Leave and holidays
// ---------------------------------------------------------------------------

/// Records leave for the given periods (days already on leave stay), in the
/// caller's transaction; audited per staff member.
pub async fn add_leave(
    tx: &mut Tx,
    actor: &Actor,
    staff_id: &str,
    from: Date,
    to: Date,
) -> Result<usize> {
    rules::check_leave(from, to).map_err(Invalid::from)?;
    let now = now_ms();
    let mut n = 0;
    for d in rules::leave_days(from, to) {
        let r = sqlx::query(
            "INSERT INTO staff_leave (staff_id, day, created_at) VALUES ($1, $2, $3) ON CONFLICT (staff_id, day) DO NOTHING",
        )
        .bind(staff_id)
        .bind(d.to_string())
        .bind(now)
        .execute(&mut **tx)
        .await?;
        n += usize::try_from(r.rows_affected()).unwrap_or(0);
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "staff.leave_add",
            record_type: "staff_member",
            record_id: staff_id,
            subject_user_id: None,
            before: None,
            after: Some(json!({ "from": from.to_string(), "to": to.to_string() })),
        },
    )
    .await?;
    Ok(n)
}

pub async fn import_leave(tx: &mut Tx, actor: &Actor, records: &[LeaveRecord]) -> Result<usize> {
    let mut ids: HashMap<String, String> = HashMap::new();
    for r in sqlx::query("SELECT employee_no, id FROM staff_members")
        .fetch_all(&mut **tx)
        .await?
    {
        ids.insert(r.try_get(0)?, r.try_get(1)?);
    }
    let mut n = 0;
    for rec in records {
        let id = ids.get(&rec.employee_no).ok_or(StoreError::NotFound)?;
        n += add_leave(tx, actor, id, rec.from, rec.to).await?;
    }
    Ok(n)
}

pub async fn remove_leave(tx: &mut Tx, actor: &Actor, staff_id: &str, day: Date) -> Result<()> {
    sqlx::query("DELETE FROM staff_leave WHERE staff_id = $1 AND day = $2")
        .bind(staff_id)
        .bind(day.to_string())
        .execute(&mut **tx)
        .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "staff.leave_remove",
            record_type: "staff_member",
            record_id: staff_id,
            subject_user_id: None,
            before: Some(json!({ "day": day.to_string() })),
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// The leave days of a staff member between two dates (inclusive).
pub async fn leave_between(
    store: &Store,
    staff_id: &str,
    from: Date,
    to: Date,
) -> Result<BTreeSet<Date>> {
    leave_rows(store.pool(), staff_id, from, to).await
}

async fn leave_rows<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    staff_id: &str,
    from: Date,
    to: Date,
) -> Result<BTreeSet<Date>> {
    let rows =
        sqlx::query("SELECT day FROM staff_leave WHERE staff_id = $1 AND day >= $2 AND day <= $3")
            .bind(staff_id)
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(ex)
            .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>(0).ok()?.parse().ok())
        .collect())
}

/// The configured extra holidays, with their names.
pub async fn extra_holidays(store: &Store) -> Result<BTreeMap<Date, String>> {
    let rows = sqlx::query("SELECT day, name FROM telework_holidays ORDER BY day")
        .fetch_all(store.pool())
        .await?;
    let mut out = BTreeMap::new();
    for r in rows {
        if let Ok(d) = r.try_get::<String, _>(0)?.parse::<Date>() {
            out.insert(d, r.try_get(1)?);
        }
    }
    Ok(out)
}

/// Every public holiday of `year`: the Belgian legal ones and the extras.
pub async fn holidays(store: &Store, year: i16) -> Result<BTreeSet<Date>> {
    let extra: BTreeSet<Date> = extra_holidays(store).await?.into_keys().collect();
    Ok(rules::holidays(year, &extra))
}

pub async fn save_holiday(tx: &mut Tx, actor: &Actor, day: Date, name: &str) -> Result<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Invalid::one("name", "required").into());
    }
    sqlx::query(
        "INSERT INTO telework_holidays (day, name) VALUES ($1, $2) ON CONFLICT (day) DO UPDATE SET name = excluded.name",
    )
    .bind(day.to_string())
    .bind(name)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "telework.holiday_save",
            record_type: "telework_holiday",
            record_id: &day.to_string(),
            subject_user_id: None,
            before: None,
            after: Some(json!({ "name": name })),
        },
    )
    .await?;
    Ok(())
}

pub async fn remove_holiday(tx: &mut Tx, actor: &Actor, day: Date) -> Result<()> {
    sqlx::query("DELETE FROM telework_holidays WHERE day = $1")
        .bind(day.to_string())
        .execute(&mut **tx)
        .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "telework.holiday_remove",
            record_type: "telework_holiday",
            record_id: &day.to_string(),
            subject_user_id: None,
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Periods (the month lock) and closed months
// ---------------------------------------------------------------------------

/// Takes the month for a write: creates its row if needed, then updates it
/// while it is open. Refuses a closed month.
async fn take_month(tx: &mut Tx, month: Month) -> Result<()> {
    sqlx::query("INSERT INTO telework_periods (month, writes) VALUES ($1, 0) ON CONFLICT (month) DO NOTHING")
        .bind(month.to_string())
        .execute(&mut **tx)
        .await?;
    let row = sqlx::query(
        "UPDATE telework_periods SET writes = writes + 1 WHERE month = $1 AND closed_at IS NULL RETURNING month",
    )
    .bind(month.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    if row.is_none() {
        return Err(Invalid::one("month", "telework-month-closed").into());
    }
    Ok(())
}

/// When a month was closed (unix ms), if it was.
pub async fn closed_at(store: &Store, month: Month) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT closed_at FROM telework_periods WHERE month = $1")
        .bind(month.to_string())
        .fetch_optional(store.pool())
        .await?;
    Ok(match row {
        Some(r) => r.try_get(0)?,
        None => None,
    })
}

/// The closed months, newest first.
pub async fn closed_months(store: &Store) -> Result<Vec<(Month, i64)>> {
    let rows = sqlx::query(
        "SELECT month, closed_at FROM telework_periods WHERE closed_at IS NOT NULL ORDER BY month DESC",
    )
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for r in rows {
        if let Ok(m) = Month::parse(&r.try_get::<String, _>(0)?) {
            out.push((m, r.try_get(1)?));
        }
    }
    Ok(out)
}

async fn latest_closed(store: &Store) -> Result<Option<Month>> {
    Ok(closed_months(store).await?.first().map(|(m, _)| *m))
}

// ---------------------------------------------------------------------------
// Telework days and the month's approval
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct TeleworkDay {
    pub day: String,
    pub kind: DayKind,
    pub state: DayState,
}

/// A staff member's month: the days, the approval and whether it is closed.
#[derive(Debug, Clone, Serialize)]
pub struct MonthView {
    pub month: Month,
    pub days: Vec<TeleworkDay>,
    /// `open`, `approved` or `rejected`.
    pub status: String,
    pub version: i64,
    pub comment: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub closed: bool,
}

impl MonthView {
    pub fn confirmed(&self) -> Vec<DayKind> {
        self.days
            .iter()
            .filter(|d| d.state == DayState::Confirmed)
            .map(|d| d.kind)
            .collect()
    }

    pub fn day(&self, date: &str) -> Option<&TeleworkDay> {
        self.days.iter().find(|d| d.day == date)
    }
}

fn decode_day(r: &sqlx::any::AnyRow) -> Result<TeleworkDay> {
    let kind: String = r.try_get(1)?;
    let state: String = r.try_get(2)?;
    Ok(TeleworkDay {
        day: r.try_get(0)?,
        kind: DayKind::parse(&kind).unwrap_or(DayKind::Full),
        state: DayState::parse(&state).unwrap_or(DayState::Planned),
    })
}

pub async fn month_view(store: &Store, staff_id: &str, month: Month) -> Result<MonthView> {
    let days = sqlx::query("SELECT day, kind, state FROM telework_days WHERE staff_id = $1 AND month = $2 ORDER BY day")
        .bind(staff_id)
        .bind(month.to_string())
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(decode_day)
        .collect::<Result<Vec<_>>>()?;
    let row = sqlx::query(
        "SELECT status, version, comment, decided_by, decided_at FROM telework_months WHERE staff_id = $1 AND month = $2",
    )
    .bind(staff_id)
    .bind(month.to_string())
    .fetch_optional(store.pool())
    .await?;
    let closed = closed_at(store, month).await?.is_some();
    Ok(match row {
        Some(r) => MonthView {
            month,
            days,
            status: r.try_get(0)?,
            version: r.try_get(1)?,
            comment: r.try_get(2)?,
            decided_by: r.try_get(3)?,
            decided_at: r.try_get(4)?,
            closed,
        },
        None => MonthView {
            month,
            days,
            status: "open".to_owned(),
            version: 0,
            comment: String::new(),
            decided_by: None,
            decided_at: None,
            closed,
        },
    })
}

/// One change to a day: set it (kind and state) or clear it.
#[derive(Debug, Clone, Copy)]
pub struct DayChange {
    pub date: Date,
    pub set: Option<(DayKind, DayState)>,
}

/// How a change of days is written: a whole month from the calendar form,
/// or one new day from the API (refused when the day is already there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Replace,
    CreateOnly,
}

/// Registers telework days of one month for a staff member: all checks
/// pass or nothing changes. A rejected month becomes open again.
pub async fn save_days(
    store: &Store,
    actor: &Actor,
    staff: &StaffMember,
    month: Month,
    changes: &[DayChange],
    today: Date,
    mode: Mode,
) -> Result<MonthView> {
    let holidays = holidays(store, month.year()).await?;
    let mut tx = store.begin().await?;
    take_month(&mut tx, month).await?;
    let leave = leave_rows(&mut *tx, &staff.id, month.first_day(), month.last_day()).await?;
    let status: Option<String> =
        sqlx::query("SELECT status FROM telework_months WHERE staff_id = $1 AND month = $2")
            .bind(&staff.id)
            .bind(month.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
    let cx = DayContext {
        today,
        holidays: &holidays,
        leave: &leave,
        end_date: staff.end(),
        month_closed: false,
        month_approved: status.as_deref() == Some("approved"),
    };
    let mut inv = Invalid::default();
    for c in changes {
        let field = c.date.to_string();
        if !month.contains(c.date) {
            inv.0.push(FieldError::new(field, "telework-other-month"));
            continue;
        }
        if cx.month_approved {
            inv.0
                .push(FieldError::new(field, "telework-month-approved"));
            continue;
        }
        if let Some((_, state)) = c.set
            && let Err(e) = rules::check_day(c.date, state, &cx)
        {
            inv.0.push(FieldError::new(field, e.code));
        }
    }
    inv.into_result()?;
    let now = now_ms();
    let mut written = Vec::new();
    for c in changes {
        let day = c.date.to_string();
        match c.set {
            Some((kind, state)) => {
                let res = match mode {
                    Mode::Replace => sqlx::query(
                        "INSERT INTO telework_days (staff_id, day, month, kind, state, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (staff_id, day) DO UPDATE \
                         SET kind = excluded.kind, state = excluded.state, updated_at = excluded.updated_at \
                         RETURNING day",
                    ),
                    Mode::CreateOnly => sqlx::query(
                        "INSERT INTO telework_days (staff_id, day, month, kind, state, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (staff_id, day) DO NOTHING RETURNING day",
                    ),
                }
                .bind(&staff.id)
                .bind(&day)
                .bind(month.to_string())
                .bind(kind.as_str())
                .bind(state.as_str())
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                if res.is_none() {
                    return Err(StoreError::Conflict(Invalid::one(
                        day,
                        "telework-day-taken",
                    )));
                }
                written.push(json!({ "day": day, "kind": kind.as_str(), "state": state.as_str() }));
            }
            None => {
                sqlx::query("DELETE FROM telework_days WHERE staff_id = $1 AND day = $2")
                    .bind(&staff.id)
                    .bind(&day)
                    .execute(&mut *tx)
                    .await?;
                written.push(json!({ "day": day, "cleared": true }));
            }
        }
    }
    // The month row: a change re-opens a rejected month and moves the version.
    sqlx::query(
        "INSERT INTO telework_months (staff_id, month, status, version, comment, updated_at) \
         VALUES ($1, $2, 'open', 1, '', $3) ON CONFLICT (staff_id, month) DO UPDATE \
         SET status = 'open', version = telework_months.version + 1, updated_at = excluded.updated_at",
    )
    .bind(&staff.id)
    .bind(month.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "telework.days_save",
            record_type: "telework_month",
            record_id: &format!("{}:{month}", staff.employee_no),
            subject_user_id: None,
            before: None,
            after: Some(json!({ "changes": written })),
        },
    )
    .await?;
    tx.commit().await?;
    month_view(store, &staff.id, month).await
}

/// A manager's decision on a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// Approves or rejects a staff member's month in one step, as their manager
/// (checked by the caller) and against the version the manager saw: of two
/// decisions at once, or a decision on a month that changed meanwhile, the
/// second is refused and nothing changes.
pub async fn decide(
    store: &Store,
    actor: &Actor,
    staff: &StaffMember,
    month: Month,
    decision: Decision,
    comment: &str,
    seen_version: i64,
) -> Result<MonthView> {
    let comment = comment.trim();
    if comment.chars().count() > 1000 {
        return Err(Invalid::one("comment", "text-too-long").into());
    }
    if decision == Decision::Reject && comment.is_empty() {
        return Err(Invalid::one("comment", "telework-reject-needs-comment").into());
    }
    let mut tx = store.begin().await?;
    take_month(&mut tx, month).await?;
    if decision == Decision::Approve {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM telework_days WHERE staff_id = $1 AND month = $2 AND state = 'confirmed'",
        )
        .bind(&staff.id)
        .bind(month.to_string())
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        if n == 0 {
            return Err(Invalid::one("decision", "telework-nothing-to-approve").into());
        }
    }
    let status = match decision {
        Decision::Approve => "approved",
        Decision::Reject => "rejected",
    };
    let row = sqlx::query(
        "UPDATE telework_months SET status = $1, comment = $2, decided_by = $3, decided_at = $4, \
         version = version + 1, updated_at = $4 WHERE staff_id = $5 AND month = $6 AND version = $7 RETURNING version",
    )
    .bind(status)
    .bind(comment)
    .bind(actor.user_id().map(str::to_owned))
    .bind(now_ms())
    .bind(&staff.id)
    .bind(month.to_string())
    .bind(seen_version)
    .fetch_optional(&mut *tx)
    .await?;
    if row.is_none() {
        return Err(StoreError::Conflict(Invalid::one(
            "version",
            "telework-changed-meanwhile",
        )));
    }
    audit::record(
        &mut tx,
        actor,
        Change {
            action: match decision {
                Decision::Approve => "telework.month_approve",
                Decision::Reject => "telework.month_reject",
            },
            record_type: "telework_month",
            record_id: &format!("{}:{month}", staff.employee_no),
            subject_user_id: None,
            before: Some(json!({ "version": seen_version })),
            after: Some(json!({ "status": status, "comment": comment })),
        },
    )
    .await?;
    tx.commit().await?;
    month_view(store, &staff.id, month).await
}

/// The months of a team at a glance: every member's days and approval.
pub async fn team_month(
    store: &Store,
    manager_no: &str,
    month: Month,
) -> Result<Vec<(StaffMember, MonthView)>> {
    let mut out = Vec::new();
    for s in team(store, manager_no).await? {
        if !s.active_in(month) {
            continue;
        }
        let v = month_view(store, &s.id, month).await?;
        out.push((s, v));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

pub async fn allowance_rules(store: &Store) -> Result<Vec<AllowanceRule>> {
    let rows = sqlx::query(
        "SELECT version, effective_from, full_day_cents, half_day_cents, max_days, max_amount_cents, min_regime_percent \
         FROM telework_rules ORDER BY effective_from, version",
    )
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let from: String = r.try_get(1)?;
        out.push(AllowanceRule {
            version: r.try_get(0)?,
            effective_from: from.parse().unwrap_or(Date::MIN),
            full_day_cents: r.try_get(2)?,
            half_day_cents: r.try_get(3)?,
            max_days: r.try_get(4)?,
            max_amount_cents: r.try_get(5)?,
            min_regime_percent: r.try_get(6)?,
        });
    }
    Ok(out)
}

/// Adds a version of the allowance rule. Refused when it would take effect
/// in or before a closed month: closed months keep the rule they were
/// computed with.
pub async fn add_rule(store: &Store, actor: &Actor, rule: &AllowanceRule) -> Result<i64> {
    let mut inv = Invalid(rule.check());
    if let Some(last) = latest_closed(store).await?
        && Month::of(rule.effective_from) <= last
    {
        inv.0.push(FieldError::with_value(
            "effective_from",
            "telework-rule-closed-month",
            last.to_string(),
        ));
    }
    inv.into_result()?;
    let mut tx = store.begin().await?;
    let version: i64 = sqlx::query(
        "INSERT INTO telework_rules (version, effective_from, full_day_cents, half_day_cents, max_days, \
         max_amount_cents, min_regime_percent, created_at, created_by) \
         SELECT COALESCE(MAX(version), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8 FROM telework_rules RETURNING version",
    )
    .bind(rule.effective_from.to_string())
    .bind(rule.full_day_cents)
    .bind(rule.half_day_cents)
    .bind(rule.max_days)
    .bind(rule.max_amount_cents)
    .bind(rule.min_regime_percent)
    .bind(now_ms())
    .bind(actor.user_id().map(str::to_owned))
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "telework.rule_add",
            record_type: "telework_rule",
            record_id: &version.to_string(),
            subject_user_id: None,
            before: None,
            after: Some(json!(AllowanceRule {
                version,
                ..rule.clone()
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

pub async fn tax_free_maxima(store: &Store) -> Result<Vec<TaxFreeMax>> {
    let rows =
        sqlx::query("SELECT effective_from, cents FROM telework_tax_free ORDER BY effective_from")
            .fetch_all(store.pool())
            .await?;
    let mut out = Vec::new();
    for r in rows {
        let from: String = r.try_get(0)?;
        out.push(TaxFreeMax {
            effective_from: from.parse().unwrap_or(Date::MIN),
            cents: r.try_get(1)?,
        });
    }
    Ok(out)
}

/// Records a tax-free maximum from a date on (the same date: replaced).
pub async fn save_tax_free(store: &Store, actor: &Actor, from: Date, cents: i64) -> Result<()> {
    let mut inv = Invalid::default();
    if !(0..=1_000_000).contains(&cents) {
        inv.push("cents", "telework-amount-range");
    }
    if let Some(last) = latest_closed(store).await?
        && Month::of(from) <= last
    {
        inv.0.push(FieldError::with_value(
            "effective_from",
            "telework-rule-closed-month",
            last.to_string(),
        ));
    }
    inv.into_result()?;
    let mut tx = store.begin().await?;
    sqlx::query(
        "INSERT INTO telework_tax_free (effective_from, cents, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (effective_from) DO UPDATE SET cents = excluded.cents",
    )
    .bind(from.to_string())
    .bind(cents)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "telework.tax_free_save",
            record_type: "telework_tax_free",
            record_id: &from.to_string(),
            subject_user_id: None,
            before: None,
            after: Some(json!({ "cents": cents })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The allowance of one staff member's month as it stands (a preview for
/// open months; closed months are read from their payroll lines).
pub async fn preview(
    store: &Store,
    staff: &StaffMember,
    view: &MonthView,
) -> Result<Option<Allowance>> {
    let rules_ = allowance_rules(store).await?;
    let Some(rule) = rules::rule_for(&rules_, view.month) else {
        return Ok(None);
    };
    let tax_free = rules::tax_free_for(&tax_free_maxima(store).await?, view.month);
    Ok(Some(rules::compute(
        rule,
        tax_free,
        Eligibility {
            eligible: staff.telework_eligible,
            regime_percent: staff.regime_percent,
        },
        &view.confirmed(),
    )))
}

// ---------------------------------------------------------------------------
// Closing a month, corrections and the payroll export
// ---------------------------------------------------------------------------

/// What closing a month produced.
#[derive(Debug, Clone, Serialize)]
pub struct Closed {
    pub month: Month,
    pub lines: usize,
    pub corrections: usize,
    pub total_cents: i64,
}

fn insert_line_sql() -> &'static str {
    "INSERT INTO telework_pay_lines (id, month, staff_id, employee_no, name, department, for_month, kind, \
     half_units, full_days, half_days, rate_cents, amount_cents, rule_version, over_tax_free) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
}

/// Closes a month that is over: computes every approved month's allowance
/// with the rule in force for it, and the pending corrections of earlier
/// closed months, into payroll lines — in one transaction. Of two closes at
/// once, one wins; the other is told the month is closed.
pub async fn close_month(
    store: &Store,
    actor: &Actor,
    month: Month,
    today: Date,
) -> Result<Closed> {
    if month >= Month::of(today) {
        return Err(Invalid::one("month", "telework-close-too-early").into());
    }
    let rules_ = allowance_rules(store).await?;
    let Some(rule) = rules::rule_for(&rules_, month).cloned() else {
        return Err(Invalid::one("month", "telework-no-rule").into());
    };
    let maxima = tax_free_maxima(store).await?;
    let tax_free = rules::tax_free_for(&maxima, month);
    let mut tx = store.begin().await?;
    sqlx::query("INSERT INTO telework_periods (month, writes) VALUES ($1, 0) ON CONFLICT (month) DO NOTHING")
        .bind(month.to_string())
        .execute(&mut *tx)
        .await?;
    let now = now_ms();
    let won = sqlx::query(
        "UPDATE telework_periods SET closed_at = $1, closed_by = $2, writes = writes + 1 \
         WHERE month = $3 AND closed_at IS NULL RETURNING month",
    )
    .bind(now)
    .bind(actor.user_id().map(str::to_owned))
    .bind(month.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    if won.is_none() {
        return Err(StoreError::Conflict(Invalid::one(
            "month",
            "telework-month-closed",
        )));
    }
    // The approved months and their confirmed days.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {}, d.kind FROM telework_months m JOIN staff_members s ON s.id = m.staff_id \
         JOIN telework_days d ON d.staff_id = m.staff_id AND d.month = m.month AND d.state = 'confirmed' \
         WHERE m.month = $1 AND m.status = 'approved' ORDER BY s.employee_no",
        STAFF_COLS
            .split(", ")
            .map(|c| format!("s.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    )))
    .bind(month.to_string())
    .fetch_all(&mut *tx)
    .await?;
    let mut per_staff: BTreeMap<String, (StaffMember, Vec<DayKind>)> = BTreeMap::new();
    for r in &rows {
        let s = decode_staff(r)?;
        let kind: String = r.try_get(9)?;
        per_staff
            .entry(s.employee_no.clone())
            .or_insert_with(|| (s, Vec::new()))
            .1
            .push(DayKind::parse(&kind).unwrap_or(DayKind::Full));
    }
    let mut lines = 0;
    let mut total = 0;
    for (s, days) in per_staff.values() {
        let a = rules::compute(
            &rule,
            tax_free,
            Eligibility {
                eligible: s.telework_eligible,
                regime_percent: s.regime_percent,
            },
            days,
        );
        sqlx::query(insert_line_sql())
            .bind(new_id())
            .bind(month.to_string())
            .bind(&s.id)
            .bind(&s.employee_no)
            .bind(&s.name)
            .bind(&s.department)
            .bind(month.to_string())
            .bind(LineKind::Allowance.as_str())
            .bind(a.paid_full * 2 + a.paid_half)
            .bind(a.paid_full)
            .bind(a.paid_half)
            .bind(a.full_day_cents)
            .bind(a.amount_cents)
            .bind(a.rule_version)
            .bind(i64::from(a.over_tax_free))
            .execute(&mut *tx)
            .await?;
        lines += 1;
        total += a.amount_cents;
    }
    // Pending corrections of earlier closed months: pay the difference.
    let pending = sqlx::query(
        "SELECT c.id, c.staff_id, c.for_month, c.full_days, c.half_days FROM telework_corrections c \
         WHERE c.paid_in_month IS NULL AND c.for_month < $1 ORDER BY c.created_at",
    )
    .bind(month.to_string())
    .fetch_all(&mut *tx)
    .await?;
    let mut corrections = 0;
    // Several corrections of one staff member's month: the last one counts.
    let mut latest: BTreeMap<(String, String), (Vec<String>, i64, i64)> = BTreeMap::new();
    for r in &pending {
        let id: String = r.try_get(0)?;
        let key = (r.try_get::<String, _>(1)?, r.try_get::<String, _>(2)?);
        let e = latest.entry(key).or_insert_with(|| (Vec::new(), 0, 0));
        e.0.push(id);
        e.1 = r.try_get(3)?;
        e.2 = r.try_get(4)?;
    }
    for ((staff_id, for_month), (ids, full, half)) in latest {
        let Ok(fm) = Month::parse(&for_month) else {
            continue;
        };
        let s = decode_staff(
            &sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {STAFF_COLS} FROM staff_members WHERE id = $1"
            )))
            .bind(&staff_id)
            .fetch_one(&mut *tx)
            .await?,
        )?;
        // What was paid for that month so far (its line and earlier corrections).
        let paid = sqlx::query(
            // SUM of BIGINT is NUMERIC on PostgreSQL: cast back for AnyPool.
            "SELECT CAST(COALESCE(SUM(half_units), 0) AS BIGINT), CAST(COALESCE(SUM(full_days), 0) AS BIGINT), \
             CAST(COALESCE(SUM(half_days), 0) AS BIGINT), CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT), \
             MIN(rule_version) FROM telework_pay_lines WHERE staff_id = $1 AND for_month = $2",
        )
        .bind(&staff_id)
        .bind(&for_month)
        .fetch_one(&mut *tx)
        .await?;
        let paid_full: i64 = paid.try_get(1)?;
        let paid_half: i64 = paid.try_get(2)?;
        let paid_amount: i64 = paid.try_get(3)?;
        let paid_version: Option<i64> = paid.try_get(4)?;
        // The rule the corrected month was computed with.
        let old_rule = paid_version
            .and_then(|v| rules_.iter().find(|r| r.version == v))
            .or_else(|| rules::rule_for(&rules_, fm));
        let Some(old_rule) = old_rule else { continue };
        let mut days = vec![DayKind::Full; usize::try_from(full.max(0)).unwrap_or(0)];
        days.extend(vec![
            DayKind::Half;
            usize::try_from(half.max(0)).unwrap_or(0)
        ]);
        let a = rules::compute(
            old_rule,
            rules::tax_free_for(&maxima, fm),
            Eligibility {
                eligible: s.telework_eligible,
                regime_percent: s.regime_percent,
            },
            &days,
        );
        let d_full = a.paid_full - paid_full;
        let d_half = a.paid_half - paid_half;
        let d_amount = a.amount_cents - paid_amount;
        for id in &ids {
            sqlx::query("UPDATE telework_corrections SET paid_in_month = $1 WHERE id = $2")
                .bind(month.to_string())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if d_full == 0 && d_half == 0 && d_amount == 0 {
            continue;
        }
        sqlx::query(insert_line_sql())
            .bind(new_id())
            .bind(month.to_string())
            .bind(&s.id)
            .bind(&s.employee_no)
            .bind(&s.name)
            .bind(&s.department)
            .bind(&for_month)
            .bind(LineKind::Correction.as_str())
            .bind(d_full * 2 + d_half)
            .bind(d_full)
            .bind(d_half)
            .bind(old_rule.full_day_cents)
            .bind(d_amount)
            .bind(old_rule.version)
            .bind(i64::from(a.over_tax_free))
            .execute(&mut *tx)
            .await?;
        corrections += 1;
        total += d_amount;
    }
    let closed = Closed {
        month,
        lines,
        corrections,
        total_cents: total,
    };
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "telework.month_close",
            record_type: "telework_period",
            record_id: &month.to_string(),
            subject_user_id: None,
            before: None,
            after: Some(json!(closed)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(closed)
}

/// Records a correction of a closed month: the days that should have been
/// paid. The next month to be closed pays the difference.
pub async fn add_correction(
    store: &Store,
    actor: &Actor,
    staff: &StaffMember,
    for_month: Month,
    full_days: i64,
    half_days: i64,
    reason: &str,
) -> Result<String> {
    let mut inv = Invalid::default();
    if closed_at(store, for_month).await?.is_none() {
        inv.push("for_month", "telework-correction-open-month");
    }
    if !(0..=31).contains(&full_days) {
        inv.push("full_days", "telework-max-days-range");
    }
    if !(0..=31).contains(&half_days) || full_days + half_days > 31 {
        inv.push("half_days", "telework-max-days-range");
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        inv.push("reason", "required");
    }
    inv.into_result()?;
    let id = new_id();
    let mut tx = store.begin().await?;
    sqlx::query(
        "INSERT INTO telework_corrections (id, staff_id, for_month, full_days, half_days, reason, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&staff.id)
    .bind(for_month.to_string())
    .bind(full_days)
    .bind(half_days)
    .bind(reason)
    .bind(actor.user_id().map(str::to_owned))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "telework.correction_add",
            record_type: "telework_correction",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({
                "employee_no": staff.employee_no, "for_month": for_month.to_string(),
                "full_days": full_days, "half_days": half_days, "reason": reason,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, Serialize)]
pub struct PendingCorrection {
    pub id: String,
    pub employee_no: String,
    pub name: String,
    pub for_month: String,
    pub full_days: i64,
    pub half_days: i64,
    pub reason: String,
}

pub async fn pending_corrections(store: &Store) -> Result<Vec<PendingCorrection>> {
    let rows = sqlx::query(
        "SELECT c.id, s.employee_no, s.name, c.for_month, c.full_days, c.half_days, c.reason \
         FROM telework_corrections c JOIN staff_members s ON s.id = c.staff_id \
         WHERE c.paid_in_month IS NULL ORDER BY c.created_at",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PendingCorrection {
                id: r.try_get(0)?,
                employee_no: r.try_get(1)?,
                name: r.try_get(2)?,
                for_month: r.try_get(3)?,
                full_days: r.try_get(4)?,
                half_days: r.try_get(5)?,
                reason: r.try_get(6)?,
            })
        })
        .collect()
}

const LINE_COLS: &str = "employee_no, name, department, for_month, kind, half_units, full_days, half_days, \
     rate_cents, amount_cents, rule_version, over_tax_free, month";

fn decode_line(r: &sqlx::any::AnyRow) -> Result<PayLine> {
    let for_month: String = r.try_get(3)?;
    let kind: String = r.try_get(4)?;
    let month: String = r.try_get(12)?;
    let month = Month::parse(&month).map_err(|_| StoreError::NotFound)?;
    Ok(PayLine {
        employee_no: r.try_get(0)?,
        name: r.try_get(1)?,
        department: r.try_get(2)?,
        month,
        for_month: Month::parse(&for_month).unwrap_or(month),
        kind: LineKind::parse(&kind).unwrap_or(LineKind::Allowance),
        half_units: r.try_get(5)?,
        full_days: r.try_get(6)?,
        half_days: r.try_get(7)?,
        rate_cents: r.try_get(8)?,
        amount_cents: r.try_get(9)?,
        rule_version: r.try_get(10)?,
        over_tax_free: r.try_get::<i64, _>(11)? != 0,
    })
}

/// The payroll lines of a closed month: allowances by employee number, then
/// corrections.
pub async fn pay_lines(store: &Store, month: Month) -> Result<Vec<PayLine>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {LINE_COLS} FROM telework_pay_lines WHERE month = $1 ORDER BY kind, employee_no, for_month"
    )))
    .bind(month.to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_line).collect()
}

/// The lines of one staff member in every closed month, newest first.
pub async fn pay_lines_of(store: &Store, staff_id: &str) -> Result<Vec<PayLine>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {LINE_COLS} FROM telework_pay_lines WHERE staff_id = $1 ORDER BY month DESC, kind, for_month"
    )))
    .bind(staff_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_line).collect()
}

pub async fn export_layout(store: &Store) -> Result<ExportLayout> {
    let row = sqlx::query(
        "SELECT delimiter, columns, wage_code_allowance, wage_code_correction FROM telework_export_settings WHERE id = 1",
    )
    .fetch_optional(store.pool())
    .await?;
    let Some(r) = row else {
        return Ok(ExportLayout::default());
    };
    let d: String = r.try_get(0)?;
    let c: String = r.try_get(1)?;
    let wa: String = r.try_get(2)?;
    let wc: String = r.try_get(3)?;
    Ok(ExportLayout::parse(&c, &d, &wa, &wc).unwrap_or_default())
}

/// Saves the payroll file's layout (checked by the domain first).
pub async fn save_export_layout(store: &Store, actor: &Actor, layout: &ExportLayout) -> Result<()> {
    let before = export_layout(store).await?;
    let mut tx = store.begin().await?;
    sqlx::query(
        "INSERT INTO telework_export_settings (id, delimiter, columns, wage_code_allowance, wage_code_correction, updated_at) \
         VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET delimiter = excluded.delimiter, \
         columns = excluded.columns, wage_code_allowance = excluded.wage_code_allowance, \
         wage_code_correction = excluded.wage_code_correction, updated_at = excluded.updated_at",
    )
    .bind(layout.delimiter_text())
    .bind(layout.columns_text())
    .bind(&layout.wage_code_allowance)
    .bind(&layout.wage_code_correction)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "telework.export_layout_save",
            record_type: "telework_export_settings",
            record_id: "1",
            subject_user_id: None,
            before: Some(json!(before)),
            after: Some(json!(layout)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Writes an audit row for a download of a month's payroll file.
pub async fn record_export(store: &Store, actor: &Actor, month: Month, lines: usize) -> Result<()> {
    let mut tx = store.begin().await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "telework.export_download",
            record_type: "telework_period",
            record_id: &month.to_string(),
            subject_user_id: None,
            before: None,
            after: Some(json!({ "lines": lines })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// The HR dashboard
// ---------------------------------------------------------------------------

/// One bar of the dashboard: staff in service and how many teleworked
/// (at least one confirmed day) in a month, overall or in a department.
#[derive(Debug, Clone, Serialize)]
pub struct Share {
    pub month: Month,
    pub department: String,
    pub staff: i64,
    pub teleworkers: i64,
    pub percent: i64,
}

/// The share of staff who teleworked, per month from `from` to `to`, overall
/// (department '') and per department.
pub async fn shares(store: &Store, from: Month, to: Month) -> Result<Vec<Share>> {
    let staff = sqlx::query("SELECT id, department, end_date, created_at FROM staff_members")
        .fetch_all(store.pool())
        .await?;
    let mut dept_of: HashMap<String, (String, Option<String>)> = HashMap::new();
    for r in &staff {
        dept_of.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
    }
    let rows = sqlx::query(
        "SELECT DISTINCT month, staff_id FROM telework_days WHERE state = 'confirmed' AND month >= $1 AND month <= $2",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(store.pool())
    .await?;
    let mut worked: HashMap<String, HashSet<String>> = HashMap::new();
    for r in rows {
        worked
            .entry(r.try_get(0)?)
            .or_default()
            .insert(r.try_get(1)?);
    }
    let mut out = Vec::new();
    let mut m = from;
    while m <= to {
        let first = m.first_day().to_string();
        let mut per: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let w = worked.get(&m.to_string());
        for (id, (dept, end)) in &dept_of {
            if end.as_deref().is_some_and(|e| e < first.as_str()) {
                continue;
            }
            let tele = i64::from(w.is_some_and(|w| w.contains(id)));
            for key in [String::new(), dept.clone()] {
                let e = per.entry(key).or_insert((0, 0));
                e.0 += 1;
                e.1 += tele;
            }
        }
        for (department, (n, t)) in per {
            out.push(Share {
                month: m,
                department,
                staff: n,
                teleworkers: t,
                percent: rules::percent(t, n),
            });
        }
        m = m.next();
    }
    Ok(out)
}

/// Inserts many telework days and month rows at once (the demo seed): rows
/// of (staff id, date, kind, state), months of (staff id, month, status).
pub async fn insert_days_batch(
    tx: &mut Tx,
    days: &[(String, Date, DayKind, DayState)],
    months: &[(String, Month, &str)],
) -> Result<()> {
    let now = now_ms();
    for chunk in days.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO telework_days (staff_id, day, month, kind, state, created_at, updated_at) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 6;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 6
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (sid, d, k, s) in chunk {
            q = q
                .bind(sid.clone())
                .bind(d.to_string())
                .bind(Month::of(*d).to_string())
                .bind(k.as_str())
                .bind(s.as_str())
                .bind(now);
        }
        q.execute(&mut **tx).await?;
    }
    for chunk in months.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO telework_months (staff_id, month, status, version, comment, updated_at) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 4;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, 1, '', ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (sid, m, status) in chunk {
            q = q
                .bind(sid.clone())
                .bind(m.to_string())
                .bind(status.to_string())
                .bind(now);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// How many staff members there are.
pub async fn staff_count(store: &Store) -> Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM staff_members")
        .fetch_one(store.pool())
        .await?
        .try_get(0)?)
}
