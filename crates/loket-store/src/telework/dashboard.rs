//! The HR dashboard.

use super::*;

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
        dept_of.insert(
            r.try_get("id")?,
            (r.try_get("department")?, r.try_get("end_date")?),
        );
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
            .entry(r.try_get("month")?)
            .or_default()
            .insert(r.try_get("staff_id")?);
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
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM staff_members")
        .fetch_one(store.pool())
        .await?
        .try_get("n")?)
}

/// (approved, not approved) staff months with days in `month` (`YYYY-MM`).
pub async fn month_counts(store: &Store, month: &str) -> Result<(i64, i64)> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END), 0) AS BIGINT) AS approved, \
         CAST(COALESCE(SUM(CASE WHEN status <> 'approved' THEN 1 ELSE 0 END), 0) AS BIGINT) AS other \
         FROM telework_months WHERE month = $1",
    )
    .bind(month)
    .fetch_one(store.pool())
    .await?;
    Ok((r.try_get("approved")?, r.try_get("other")?))
}
