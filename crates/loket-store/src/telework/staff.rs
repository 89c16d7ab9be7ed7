//! Staff members.

use super::*;
use crate::paging::{self, Order};
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};

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

pub(super) const STAFF_COLS: &str = "id, employee_no, name, email, department, manager_no, regime_percent, telework_eligible, end_date";

pub(super) fn decode_staff(r: &sqlx::any::AnyRow) -> Result<StaffMember> {
    Ok(StaffMember {
        id: r.try_get("id")?,
        employee_no: r.try_get("employee_no")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        department: r.try_get("department")?,
        manager_no: r.try_get("manager_no")?,
        regime_percent: r.try_get("regime_percent")?,
        telework_eligible: r.try_get::<i64, _>("telework_eligible")? != 0,
        end_date: r.try_get("end_date")?,
    })
}

/// The employee numbers and e-mails already stored (for the import checks).
pub async fn known_staff(store: &Store) -> Result<KnownStaff> {
    let rows = sqlx::query("SELECT employee_no, email FROM staff_members")
        .fetch_all(store.pool())
        .await?;
    let mut k = KnownStaff::default();
    for r in rows {
        let no: String = r.try_get("employee_no")?;
        let email: String = r.try_get("email")?;
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

/// The staff list's cursors: keyset on (name, employee_no), by name.
pub const STAFF_PAGING: Spec = Spec {
    list: "telework.staff",
    keys: &[KeyKind::Text, KeyKind::Text],
};

const STAFF_WHERE: &str = "(LOWER(name) LIKE $1 OR LOWER(employee_no) LIKE $1 OR email LIKE $1) \
     AND ($2 = '' OR department = $2)";

/// One page of the staff members matching `q` (name, number or e-mail, ''
/// for all) in `department` ('' for all), by name then number.
pub async fn staff_page(
    store: &Store,
    q: &str,
    department: &str,
    pq: &PageQuery,
) -> Result<Page<StaffMember>> {
    paging::Select::new(
        format!("SELECT {STAFF_COLS} FROM staff_members WHERE {STAFF_WHERE}"),
        &["name", "employee_no"],
        Order::Asc,
    )
    .arg(format!("%{}%", q.trim().to_lowercase()))
    .arg(department)
    .page(store, pq, &STAFF_PAGING, decode_staff, |m| {
        vec![
            Key::from(m.name.as_str()),
            Key::from(m.employee_no.as_str()),
        ]
    })
    .await
}

/// How many staff members [`staff_page`] pages through, up to `cap`.
pub async fn staff_total(store: &Store, q: &str, department: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM staff_members WHERE {STAFF_WHERE} LIMIT $3) t"
    )))
    .bind(format!("%{}%", q.trim().to_lowercase()))
    .bind(department.to_owned())
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

pub async fn departments(store: &Store) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT DISTINCT department FROM staff_members ORDER BY department")
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(|r| Ok(r.try_get("department")?)).collect()
}
