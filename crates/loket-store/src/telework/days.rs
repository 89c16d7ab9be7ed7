//! Periods (the month lock), closed months, telework days and the month's approval.

use super::*;

/// The month's lock, taken only while the month is open.
const OPEN_MONTH: crate::capacity::Guard = crate::capacity::Guard {
    table: "telework_periods",
    key: "month",
    guard: "writes",
    only_if: "closed_at IS NULL",
};

/// Takes the month for a write: creates its row if needed, then updates it
/// while it is open. Refuses a closed month.
pub(super) async fn take_month(tx: &mut Tx, month: Month) -> Result<()> {
    sqlx::query("INSERT INTO telework_periods (month, writes) VALUES ($1, 0) ON CONFLICT (month) DO NOTHING")
        .bind(month.to_string())
        .execute(&mut **tx)
        .await?;
    if !crate::capacity::lock(tx, &OPEN_MONTH, &month.to_string()).await? {
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
        Some(r) => r.try_get("closed_at")?,
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
        if let Ok(m) = Month::parse(&r.try_get::<String, _>("month")?) {
            out.push((m, r.try_get("closed_at")?));
        }
    }
    Ok(out)
}

pub(super) async fn latest_closed(store: &Store) -> Result<Option<Month>> {
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
    pub status: MonthStatus,
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

pub(super) fn decode_day(r: &sqlx::any::AnyRow) -> Result<TeleworkDay> {
    let kind: String = r.try_get("kind")?;
    let state: String = r.try_get("state")?;
    Ok(TeleworkDay {
        day: r.try_get("day")?,
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
            status: crate::status(&r, "status")?,
            version: r.try_get("version")?,
            comment: r.try_get("comment")?,
            decided_by: r.try_get("decided_by")?,
            decided_at: r.try_get("decided_at")?,
            closed,
        },
        None => MonthView {
            month,
            days,
            status: MonthStatus::Open,
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
    let status: Option<MonthStatus> =
        sqlx::query("SELECT status FROM telework_months WHERE staff_id = $1 AND month = $2")
            .bind(&staff.id)
            .bind(month.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| crate::status(&r, "status"))
            .transpose()?;
    let cx = DayContext {
        today,
        holidays: &holidays,
        leave: &leave,
        end_date: staff.end(),
        month_closed: false,
        month_approved: status == Some(MonthStatus::Approved),
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
/// and against the version the manager saw: of two decisions at once, or a
/// decision on a month that changed meanwhile, the second is refused and
/// nothing changes. Inside the transaction, the records are read again:
/// `manager` must still be the member's manager and still employed on
/// `today` (no end date, or one after today), else `Forbidden`.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    store: &Store,
    actor: &Actor,
    manager: &StaffMember,
    today: &str,
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
    let rel = sqlx::query(
        "SELECT mgr.end_date FROM staff_members m JOIN staff_members mgr ON mgr.employee_no = m.manager_no \
         WHERE m.id = $1 AND mgr.id = $2",
    )
    .bind(&staff.id)
    .bind(&manager.id)
    .fetch_optional(&mut *tx)
    .await?;
    let still_manager = match rel {
        Some(r) => {
            let end: Option<String> = r.try_get("end_date")?;
            loket_domain::people::employed_on(end.as_deref().filter(|e| !e.is_empty()), today)
        }
        None => false,
    };
    if !still_manager {
        return Err(StoreError::Forbidden);
    }
    if decision == Decision::Approve {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM telework_days WHERE staff_id = $1 AND month = $2 AND state = 'confirmed'",
        )
        .bind(&staff.id)
        .bind(month.to_string())
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if n == 0 {
            return Err(Invalid::one("decision", "telework-nothing-to-approve").into());
        }
    }
    let status = match decision {
        Decision::Approve => MonthStatus::Approved,
        Decision::Reject => MonthStatus::Rejected,
    };
    let row = sqlx::query(
        "UPDATE telework_months SET status = $1, comment = $2, decided_by = $3, decided_at = $4, \
         version = version + 1, updated_at = $4 WHERE staff_id = $5 AND month = $6 AND version = $7 RETURNING version",
    )
    .bind(status.as_str())
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
            after: Some(json!({ "status": status.as_str(), "comment": comment })),
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

/// The members of a manager's team with telework days in `month` whose
/// month is neither approved nor rejected: the manager's work screen.
pub async fn months_to_approve(store: &Store, manager_no: &str, month: Month) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM staff_members s \
         WHERE s.manager_no = $1 \
           AND EXISTS (SELECT 1 FROM telework_days d WHERE d.staff_id = s.id AND d.month = $2) \
           AND NOT EXISTS (SELECT 1 FROM telework_months m WHERE m.staff_id = s.id AND m.month = $2 \
                           AND m.status IN ('approved', 'rejected'))",
    )
    .bind(manager_no)
    .bind(month.to_string())
    .fetch_one(store.pool())
    .await?;
    Ok(row.try_get("n")?)
}
