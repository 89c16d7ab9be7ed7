//! The allowance rules.

use super::*;

pub async fn allowance_rules(store: &Store) -> Result<Vec<AllowanceRule>> {
    let rows = sqlx::query(
        "SELECT version, effective_from, full_day_cents, half_day_cents, max_days, max_amount_cents, min_regime_percent \
         FROM telework_rules ORDER BY effective_from, version",
    )
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let from: String = r.try_get("effective_from")?;
        out.push(AllowanceRule {
            version: r.try_get("version")?,
            effective_from: from.parse().unwrap_or(Date::MIN),
            full_day_cents: r.try_get("full_day_cents")?,
            half_day_cents: r.try_get("half_day_cents")?,
            max_days: r.try_get("max_days")?,
            max_amount_cents: r.try_get("max_amount_cents")?,
            min_regime_percent: r.try_get("min_regime_percent")?,
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
    .try_get("version")?;
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
        let from: String = r.try_get("effective_from")?;
        out.push(TaxFreeMax {
            effective_from: from.parse().unwrap_or(Date::MIN),
            cents: r.try_get("cents")?,
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
