//! Closing a month, corrections and the payroll export.

use super::*;
use crate::paging::{self, Order};
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};

/// What closing a month produced.
#[derive(Debug, Clone, Serialize)]
pub struct Closed {
    pub month: Month,
    pub lines: usize,
    pub corrections: usize,
    pub total_cents: i64,
}

pub(super) fn insert_line_sql() -> &'static str {
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
        let kind: String = r.try_get("kind")?;
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
        let id: String = r.try_get("id")?;
        let key = (
            r.try_get::<String, _>("staff_id")?,
            r.try_get::<String, _>("for_month")?,
        );
        let e = latest.entry(key).or_insert_with(|| (Vec::new(), 0, 0));
        e.0.push(id);
        e.1 = r.try_get("full_days")?;
        e.2 = r.try_get("half_days")?;
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
            "SELECT CAST(COALESCE(SUM(half_units), 0) AS BIGINT) AS paid_half_units, \
             CAST(COALESCE(SUM(full_days), 0) AS BIGINT) AS paid_full, \
             CAST(COALESCE(SUM(half_days), 0) AS BIGINT) AS paid_half, \
             CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) AS paid_amount, \
             MIN(rule_version) AS paid_version FROM telework_pay_lines WHERE staff_id = $1 AND for_month = $2",
        )
        .bind(&staff_id)
        .bind(&for_month)
        .fetch_one(&mut *tx)
        .await?;
        let paid_full: i64 = paid.try_get("paid_full")?;
        let paid_half: i64 = paid.try_get("paid_half")?;
        let paid_amount: i64 = paid.try_get("paid_amount")?;
        let paid_version: Option<i64> = paid.try_get("paid_version")?;
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
    pub created_at: i64,
    pub employee_no: String,
    pub name: String,
    pub for_month: String,
    pub full_days: i64,
    pub half_days: i64,
    pub reason: String,
}

/// The pending corrections' cursors: keyset on (created_at, id), oldest first.
pub const PENDING_PAGING: Spec = Spec {
    list: "telework.pending_corrections",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of the corrections not yet paid, oldest first.
pub async fn pending_corrections_page(
    store: &Store,
    pq: &PageQuery,
) -> Result<Page<PendingCorrection>> {
    paging::Select::new(
        "SELECT c.id, c.created_at, s.employee_no, s.name, c.for_month, c.full_days, c.half_days, c.reason \
         FROM telework_corrections c JOIN staff_members s ON s.id = c.staff_id \
         WHERE c.paid_in_month IS NULL",
        &["c.created_at", "c.id"],
        Order::Asc,
    )
    .page(
        store,
        pq,
        &PENDING_PAGING,
        |r| {
            Ok(PendingCorrection {
                id: r.try_get("id")?,
                created_at: r.try_get("created_at")?,
                employee_no: r.try_get("employee_no")?,
                name: r.try_get("name")?,
                for_month: r.try_get("for_month")?,
                full_days: r.try_get("full_days")?,
                half_days: r.try_get("half_days")?,
                reason: r.try_get("reason")?,
            })
        },
        |c| vec![Key::from(c.created_at), Key::from(c.id.as_str())],
    )
    .await
}

/// How many corrections wait to be paid, up to `cap`.
pub async fn pending_corrections_total(store: &Store, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM telework_corrections \
         WHERE paid_in_month IS NULL LIMIT $1) t",
    )
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

pub(super) const LINE_COLS: &str = "employee_no, name, department, for_month, kind, half_units, full_days, half_days, \
     rate_cents, amount_cents, rule_version, over_tax_free, month";

pub(super) fn decode_line(r: &sqlx::any::AnyRow) -> Result<PayLine> {
    let for_month: String = r.try_get("for_month")?;
    let kind: String = r.try_get("kind")?;
    let month: String = r.try_get("month")?;
    let month = Month::parse(&month).map_err(|_| StoreError::NotFound)?;
    Ok(PayLine {
        employee_no: r.try_get("employee_no")?,
        name: r.try_get("name")?,
        department: r.try_get("department")?,
        month,
        for_month: Month::parse(&for_month).unwrap_or(month),
        kind: LineKind::parse(&kind).unwrap_or(LineKind::Allowance),
        half_units: r.try_get("half_units")?,
        full_days: r.try_get("full_days")?,
        half_days: r.try_get("half_days")?,
        rate_cents: r.try_get("rate_cents")?,
        amount_cents: r.try_get("amount_cents")?,
        rule_version: r.try_get("rule_version")?,
        over_tax_free: r.try_get::<i64, _>("over_tax_free")? != 0,
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

/// A staff member's payroll lines' cursors: keyset on (month paid in,
/// kind, month it is about), unique per staff member, newest first.
pub const PAY_LINES_PAGING: Spec = Spec {
    list: "telework.pay_lines",
    keys: &[KeyKind::Text, KeyKind::Text, KeyKind::Text],
};

/// One page of a staff member's lines in the closed months, newest month
/// first (every month closed adds one, so the history is paged like every
/// other list that grows).
pub async fn pay_lines_page(
    store: &Store,
    staff_id: &str,
    pq: &PageQuery,
) -> Result<Page<PayLine>> {
    paging::Select::new(
        format!("SELECT {LINE_COLS} FROM telework_pay_lines WHERE staff_id = $1"),
        &["month", "kind", "for_month"],
        Order::Desc,
    )
    .arg(staff_id)
    .page(store, pq, &PAY_LINES_PAGING, decode_line, |l| {
        vec![
            Key::from(l.month.to_string()),
            Key::from(l.kind.as_str()),
            Key::from(l.for_month.to_string()),
        ]
    })
    .await
}

/// How many payroll lines a staff member has, up to `cap`.
pub async fn pay_lines_total(store: &Store, staff_id: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM telework_pay_lines WHERE staff_id = $1 LIMIT $2) t",
    )
    .bind(staff_id)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
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
    let d: String = r.try_get("delimiter")?;
    let c: String = r.try_get("columns")?;
    let wa: String = r.try_get("wage_code_allowance")?;
    let wc: String = r.try_get("wage_code_correction")?;
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
