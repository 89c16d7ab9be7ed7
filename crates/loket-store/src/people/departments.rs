//! Need to know: the departments a staff account works for (migration
//! 0020). A department is a department code, the same code as the service
//! catalogue's `department` (and `cases.department`) and the `slug` of
//! `contact_departments` (the departments forwards go to).

use crate::audit::{self, Change};
use crate::{Result, Store, StoreError, Tx, now_ms};
use loket_domain::audit::Actor;
use serde_json::json;
use sqlx::Row;

/// The department codes of a staff account, sorted.
pub async fn of_user(store: &Store, user_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT department FROM staff_departments WHERE user_id = $1 ORDER BY department",
    )
    .bind(user_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(|r| Ok(r.try_get("department")?)).collect()
}

/// Every department code there is: the codes of the service catalogue and
/// the slugs of the contact centre's departments, sorted, without doubles.
pub async fn known(store: &Store) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT department AS code FROM services UNION SELECT slug AS code FROM contact_departments",
    )
    .fetch_all(store.pool())
    .await?;
    let mut codes = rows
        .iter()
        .map(|r| r.try_get::<String, _>("code"))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    codes.sort();
    codes.dedup();
    Ok(codes)
}

/// Replaces the departments of a staff account, with an audit row (before
/// and after) in the caller's transaction. `departments` were checked
/// against [`known`] by the caller.
pub async fn set(tx: &mut Tx, actor: &Actor, user_id: &str, departments: &[String]) -> Result<()> {
    let exists = sqlx::query("SELECT id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound);
    }
    let before_rows = sqlx::query(
        "SELECT department FROM staff_departments WHERE user_id = $1 ORDER BY department",
    )
    .bind(user_id)
    .fetch_all(&mut **tx)
    .await?;
    let before = before_rows
        .iter()
        .map(|r| r.try_get::<String, _>("department"))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mut after = departments.to_vec();
    after.sort();
    after.dedup();
    sqlx::query("DELETE FROM staff_departments WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    let now = now_ms();
    for d in &after {
        sqlx::query(
            "INSERT INTO staff_departments (user_id, department, granted_at) VALUES ($1, $2, $3)",
        )
        .bind(user_id)
        .bind(d)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "user.departments",
            record_type: "user",
            record_id: user_id,
            subject_user_id: Some(user_id),
            before: Some(json!({ "departments": before })),
            after: Some(json!({ "departments": after })),
        },
    )
    .await
}
