//! Settings, qualifications, roles and staff.

use super::*;

/// The working-time rules.
#[derive(Debug, Clone)]
pub struct Settings {
    pub rules: Rules,
}

/// The settings, creating the row on first use.
pub async fn settings(store: &Store) -> Result<Settings> {
    let read = || async {
        sqlx::query(
            "SELECT max_work_minutes, window_minutes, min_rest_minutes FROM shift_settings WHERE id = 1",
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
                 VALUES (1, $1, $2, $3, '', $4) ON CONFLICT (id) DO NOTHING",
            )
            .bind(d.max_work_minutes)
            .bind(d.window_minutes)
            .bind(d.min_rest_minutes)
            .bind(now_ms())
            .execute(store.pool())
            .await?;
            read().await?.ok_or(StoreError::NotFound)?
        }
    };
    Ok(Settings {
        rules: Rules {
            max_work_minutes: row.try_get("max_work_minutes")?,
            window_minutes: row.try_get("window_minutes")?,
            min_rest_minutes: row.try_get("min_rest_minutes")?,
        },
    })
}

/// The feed key a database made before signing keys moved to the key file
/// (`shift_settings.feed_key`, empty since): for the upgrade only.
pub async fn legacy_feed_key(store: &Store) -> Result<Option<String>> {
    let key: Option<String> =
        sqlx::query_scalar("SELECT feed_key FROM shift_settings WHERE id = 1")
            .fetch_optional(store.pool())
            .await?;
    Ok(key.filter(|k| !k.is_empty()))
}

/// Wipes the old feed key once it is in the key file.
pub async fn forget_legacy_feed_key(store: &Store) -> Result<()> {
    sqlx::query("UPDATE shift_settings SET feed_key = '' WHERE id = 1")
        .execute(store.pool())
        .await?;
    Ok(())
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
                id: r.try_get("id")?,
                code: r.try_get("code")?,
                name_nl: r.try_get("name_nl")?,
                name_en: r.try_get("name_en")?,
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
        "SELECT r.id, r.code, r.name_nl, r.name_en, r.qualification_id, q.code AS qualification_code \
         FROM shift_roles r LEFT JOIN shift_qualifications q ON q.id = r.qualification_id ORDER BY r.code",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ShiftRole {
                id: r.try_get("id")?,
                code: r.try_get("code")?,
                name_nl: r.try_get("name_nl")?,
                name_en: r.try_get("name_en")?,
                qualification_id: r.try_get("qualification_id")?,
                qualification_code: r.try_get("qualification_code")?,
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
        .map(|r| Ok(r.try_get::<String, _>("code")?))
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
        let user_id: String = r.try_get("id")?;
        out.push(Volunteer {
            qualifications: qualifications_of(store, &user_id).await?,
            user_id,
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            locale: r.try_get("locale")?,
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
