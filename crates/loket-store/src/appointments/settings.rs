//! Settings.

use super::*;

/// Settings of the booking rules (one row, created on first use).
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub horizon_days: i64,
    pub lead_minutes: i64,
    /// At most this many future appointments per resident and service.
    pub max_per_service: i64,
    /// Residents with this many no-shows are flagged (0: never).
    pub no_show_flag_after: i64,
}

impl Settings {
    pub fn window(&self) -> Window {
        Window {
            horizon_days: self.horizon_days,
            lead_minutes: self.lead_minutes,
        }
    }
}

pub async fn settings(store: &Store) -> Result<Settings> {
    // Read first: the insert is a write (on SQLite it takes the write lock),
    // needed only once in the life of a database.
    if let Some(s) = read_settings(store).await? {
        return Ok(s);
    }
    sqlx::query(
        "INSERT INTO appt_settings (id, horizon_days, lead_minutes, max_per_service, no_show_flag_after, link_key, updated_at) \
         VALUES (1, 42, 120, 1, 2, '', $1) ON CONFLICT (id) DO NOTHING",
    )
    .bind(now_ms())
    .execute(store.pool())
    .await?;
    read_settings(store).await?.ok_or(StoreError::NotFound)
}

pub(super) async fn read_settings(store: &Store) -> Result<Option<Settings>> {
    let row = sqlx::query(
        "SELECT horizon_days, lead_minutes, max_per_service, no_show_flag_after FROM appt_settings WHERE id = 1",
    )
    .fetch_optional(store.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Settings {
        horizon_days: r.try_get("horizon_days")?,
        lead_minutes: r.try_get("lead_minutes")?,
        max_per_service: r.try_get("max_per_service")?,
        no_show_flag_after: r.try_get("no_show_flag_after")?,
    }))
}

/// The link key a database made before signing keys moved to the key file
/// (`appt_settings.link_key`, empty since): for the upgrade only.
pub async fn legacy_link_key(store: &Store) -> Result<Option<String>> {
    let key: Option<String> = sqlx::query_scalar("SELECT link_key FROM appt_settings WHERE id = 1")
        .fetch_optional(store.pool())
        .await?;
    Ok(key.filter(|k| !k.is_empty()))
}

/// Wipes the old link key once it is in the key file.
pub async fn forget_legacy_link_key(store: &Store) -> Result<()> {
    sqlx::query("UPDATE appt_settings SET link_key = '' WHERE id = 1")
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Changes the rules (the link key stays).
pub async fn save_settings(
    store: &Store,
    actor: &Actor,
    horizon_days: i64,
    lead_minutes: i64,
    max_per_service: i64,
    no_show_flag_after: i64,
) -> Result<()> {
    let mut inv = Invalid::default();
    if !(1..=365).contains(&horizon_days) {
        inv.0
            .push(FieldError::new("horizon_days", "appt-range-1-365"));
    }
    if !(0..=10_080).contains(&lead_minutes) {
        inv.0
            .push(FieldError::new("lead_minutes", "appt-range-0-10080"));
    }
    if !(1..=20).contains(&max_per_service) {
        inv.0
            .push(FieldError::new("max_per_service", "appt-range-1-20"));
    }
    if !(0..=20).contains(&no_show_flag_after) {
        inv.0
            .push(FieldError::new("no_show_flag_after", "appt-range-0-20"));
    }
    inv.into_result()?;
    let before = settings(store).await?;
    let mut tx = store.begin().await?;
    sqlx::query(
        "UPDATE appt_settings SET horizon_days = $1, lead_minutes = $2, max_per_service = $3, \
         no_show_flag_after = $4, updated_at = $5 WHERE id = 1",
    )
    .bind(horizon_days)
    .bind(lead_minutes)
    .bind(max_per_service)
    .bind(no_show_flag_after)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Change {
            action: "appointment_settings.update",
            record_type: "appointment_settings",
            record_id: "1",
            subject_user_id: None,
            before: Some(json!(before)),
            after: Some(json!({
                "horizon_days": horizon_days, "lead_minutes": lead_minutes,
                "max_per_service": max_per_service, "no_show_flag_after": no_show_flag_after,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
