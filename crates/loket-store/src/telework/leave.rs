//! Leave and holidays.

use super::*;

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
        ids.insert(r.try_get("employee_no")?, r.try_get("id")?);
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

pub(super) async fn leave_rows<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
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
        .filter_map(|r| r.try_get::<String, _>("day").ok()?.parse().ok())
        .collect())
}

/// The configured extra holidays, with their names.
pub async fn extra_holidays(store: &Store) -> Result<BTreeMap<Date, String>> {
    let rows = sqlx::query("SELECT day, name FROM telework_holidays ORDER BY day")
        .fetch_all(store.pool())
        .await?;
    let mut out = BTreeMap::new();
    for r in rows {
        if let Ok(d) = r.try_get::<String, _>("day")?.parse::<Date>() {
            out.insert(d, r.try_get("name")?);
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
