//! Locations, services, desks, hours and closed days.

use super::*;

#[derive(Debug, Clone, Serialize)]
pub struct Location {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub address: String,
    pub active: bool,
}

pub(super) fn decode_location(r: &sqlx::any::AnyRow) -> Result<Location> {
    Ok(Location {
        id: r.try_get("id")?,
        slug: r.try_get("slug")?,
        name: r.try_get("name")?,
        address: r.try_get("address")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

/// Creates a location, or updates the one with this slug. Returns its id.
pub async fn save_location(
    tx: &mut Tx,
    actor: &Actor,
    slug: &str,
    name: &str,
    address: &str,
) -> Result<String> {
    let mut inv = Invalid::default();
    inv.check("slug", loket_domain::appointments::check_slug(slug));
    if name.trim().is_empty() || name.len() > 200 {
        inv.push("name", "required");
    }
    if address.len() > 300 {
        inv.push("address", "text-too-long");
    }
    inv.into_result()?;
    let now = now_ms();
    let row = sqlx::query(
        "INSERT INTO appt_locations (id, slug, name, address, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 1, $5, $5) \
         ON CONFLICT (slug) DO UPDATE SET name = excluded.name, address = excluded.address, updated_at = excluded.updated_at \
         RETURNING id",
    )
    .bind(new_id())
    .bind(slug)
    .bind(name.trim())
    .bind(address.trim())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let id: String = row.try_get("id")?;
    audit::record(
        tx,
        actor,
        Change {
            action: "appointment_location.save",
            record_type: "appointment_location",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({ "slug": slug, "name": name, "address": address })),
        },
    )
    .await?;
    Ok(id)
}

pub async fn list_locations(store: &Store) -> Result<Vec<Location>> {
    let rows =
        sqlx::query("SELECT id, slug, name, address, active FROM appt_locations ORDER BY name")
            .fetch_all(store.pool())
            .await?;
    rows.iter().map(decode_location).collect()
}

/// A location by id or slug.
pub async fn location(store: &Store, id_or_slug: &str) -> Result<Option<Location>> {
    let row = sqlx::query(
        "SELECT id, slug, name, address, active FROM appt_locations WHERE id = $1 OR slug = $1",
    )
    .bind(id_or_slug)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_location).transpose()
}

/// A counter service with its slot length.
#[derive(Debug, Clone, Serialize)]
pub struct CounterService {
    pub id: String,
    pub slug: String,
    pub name_nl: String,
    pub name_en: String,
    pub slot_minutes: i64,
    pub active: bool,
}

impl CounterService {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_nl
        }
    }
}

pub(super) fn decode_service(r: &sqlx::any::AnyRow) -> Result<CounterService> {
    Ok(CounterService {
        id: r.try_get("id")?,
        slug: r.try_get("slug")?,
        name_nl: r.try_get("name_nl")?,
        name_en: r.try_get("name_en")?,
        slot_minutes: r.try_get("slot_minutes")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

/// Creates a counter service, or updates the one with this slug.
pub async fn save_service(
    tx: &mut Tx,
    actor: &Actor,
    slug: &str,
    name_nl: &str,
    name_en: &str,
    slot_minutes: i64,
) -> Result<String> {
    let mut inv = Invalid::default();
    inv.check("slug", loket_domain::appointments::check_slug(slug));
    if name_nl.trim().is_empty() || name_nl.len() > 200 {
        inv.push("name_nl", "required");
    }
    if name_en.trim().is_empty() || name_en.len() > 200 {
        inv.push("name_en", "required");
    }
    if !(5..=240).contains(&slot_minutes) {
        inv.push("slot_minutes", "appt-slot-minutes");
    }
    inv.into_result()?;
    let row = sqlx::query(
        "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) \
         ON CONFLICT (slug) DO UPDATE SET name_nl = excluded.name_nl, name_en = excluded.name_en, \
         slot_minutes = excluded.slot_minutes, updated_at = excluded.updated_at RETURNING id",
    )
    .bind(new_id())
    .bind(slug)
    .bind(name_nl.trim())
    .bind(name_en.trim())
    .bind(slot_minutes)
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    let id: String = row.try_get("id")?;
    audit::record(
        tx,
        actor,
        Change {
            action: "appointment_service.save",
            record_type: "appointment_service",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({ "slug": slug, "slot_minutes": slot_minutes })),
        },
    )
    .await?;
    Ok(id)
}

pub async fn list_services(store: &Store) -> Result<Vec<CounterService>> {
    let rows = sqlx::query(
        "SELECT id, slug, name_nl, name_en, slot_minutes, active FROM appt_services WHERE active = 1 ORDER BY name_nl",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_service).collect()
}

/// A counter service by id or slug.
pub async fn service(store: &Store, id_or_slug: &str) -> Result<Option<CounterService>> {
    let row = sqlx::query(
        "SELECT id, slug, name_nl, name_en, slot_minutes, active FROM appt_services WHERE id = $1 OR slug = $1",
    )
    .bind(id_or_slug)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_service).transpose()
}

#[derive(Debug, Clone, Serialize)]
pub struct Desk {
    pub id: String,
    pub location_id: String,
    pub name: String,
    pub service_ids: Vec<String>,
}

/// Creates a desk (or replaces the services of the desk with this name).
pub async fn save_desk(
    tx: &mut Tx,
    actor: &Actor,
    location_id: &str,
    name: &str,
    service_ids: &[String],
) -> Result<String> {
    if name.trim().is_empty() || name.len() > 100 {
        return Err(Invalid::one("name", "required").into());
    }
    let row = sqlx::query(
        "INSERT INTO appt_desks (id, location_id, name, active, created_at) VALUES ($1, $2, $3, 1, $4) \
         ON CONFLICT (location_id, name) DO UPDATE SET active = 1 RETURNING id",
    )
    .bind(new_id())
    .bind(location_id)
    .bind(name.trim())
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    let id: String = row.try_get("id")?;
    sqlx::query("DELETE FROM appt_desk_services WHERE desk_id = $1")
        .bind(&id)
        .execute(&mut **tx)
        .await?;
    for s in service_ids {
        sqlx::query("INSERT INTO appt_desk_services (desk_id, service_id) VALUES ($1, $2)")
            .bind(&id)
            .bind(s)
            .execute(&mut **tx)
            .await?;
    }
    refresh_capacity(tx, location_id).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "appointment_desk.save",
            record_type: "appointment_desk",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({ "name": name, "services": service_ids })),
        },
    )
    .await?;
    Ok(id)
}

/// Removes a desk from service (its history stays).
pub async fn retire_desk(tx: &mut Tx, actor: &Actor, desk_id: &str) -> Result<()> {
    let row = sqlx::query("UPDATE appt_desks SET active = 0 WHERE id = $1 RETURNING location_id")
        .bind(desk_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let location_id: String = row.try_get("location_id")?;
    refresh_capacity(tx, &location_id).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "appointment_desk.retire",
            record_type: "appointment_desk",
            record_id: desk_id,
            subject_user_id: None,
            before: None,
            after: None,
        },
    )
    .await
}

/// Future slots of a location take the new number of desks as capacity.
/// (A slot already booked beyond a lowered capacity keeps its bookings.)
pub(super) async fn refresh_capacity(tx: &mut Tx, location_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE appt_slots SET capacity = (SELECT COUNT(*) FROM appt_desks d \
           JOIN appt_desk_services ds ON ds.desk_id = d.id \
           WHERE d.location_id = appt_slots.location_id AND ds.service_id = appt_slots.service_id AND d.active = 1) \
         WHERE location_id = $1 AND starts_at > $2",
    )
    .bind(location_id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn list_desks(store: &Store, location_id: &str) -> Result<Vec<Desk>> {
    let rows = sqlx::query(
        "SELECT d.id, d.location_id, d.name, ds.service_id FROM appt_desks d \
         LEFT JOIN appt_desk_services ds ON ds.desk_id = d.id \
         WHERE d.location_id = $1 AND d.active = 1 ORDER BY d.name, ds.service_id",
    )
    .bind(location_id)
    .fetch_all(store.pool())
    .await?;
    let mut out: Vec<Desk> = Vec::new();
    for r in &rows {
        let id: String = r.try_get("id")?;
        let service: Option<String> = r.try_get("service_id")?;
        if out.last().is_none_or(|d| d.id != id) {
            out.push(Desk {
                id,
                location_id: r.try_get("location_id")?,
                name: r.try_get("name")?,
                service_ids: Vec::new(),
            });
        }
        if let (Some(s), Some(d)) = (service, out.last_mut()) {
            d.service_ids.push(s);
        }
    }
    Ok(out)
}

/// The number of active desks of a location that handle a service: the
/// capacity of each of its slots.
pub async fn capacity(store: &Store, location_id: &str, service_id: &str) -> Result<i64> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n FROM appt_desks d JOIN appt_desk_services ds ON ds.desk_id = d.id \
         WHERE d.location_id = $1 AND ds.service_id = $2 AND d.active = 1",
    )
    .bind(location_id)
    .bind(service_id)
    .fetch_one(store.pool())
    .await?;
    Ok(r.try_get("n")?)
}

/// Replaces the opening hours of a location.
pub async fn set_hours(
    tx: &mut Tx,
    actor: &Actor,
    location_id: &str,
    periods: &[Period],
) -> Result<()> {
    sqlx::query("DELETE FROM appt_hours WHERE location_id = $1")
        .bind(location_id)
        .execute(&mut **tx)
        .await?;
    for p in periods {
        sqlx::query(
            "INSERT INTO appt_hours (location_id, weekday, opens, closes) VALUES ($1, $2, $3, $4)",
        )
        .bind(location_id)
        .bind(i64::from(p.weekday))
        .bind(fmt_time(p.opens))
        .bind(fmt_time(p.closes))
        .execute(&mut **tx)
        .await?;
    }
    let summary: Vec<String> = periods
        .iter()
        .map(|p| format!("{} {}-{}", p.weekday, fmt_time(p.opens), fmt_time(p.closes)))
        .collect();
    audit::record(
        tx,
        actor,
        Change {
            action: "appointment_hours.set",
            record_type: "appointment_location",
            record_id: location_id,
            subject_user_id: None,
            before: None,
            after: Some(json!({ "hours": summary })),
        },
    )
    .await
}

pub async fn hours(store: &Store, location_id: &str) -> Result<Vec<Period>> {
    let rows = sqlx::query(
        "SELECT weekday, opens, closes FROM appt_hours WHERE location_id = $1 ORDER BY weekday, opens",
    )
    .bind(location_id)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let wd: i64 = r.try_get("weekday")?;
        let opens: String = r.try_get("opens")?;
        let closes: String = r.try_get("closes")?;
        if let (Some(o), Some(c), Ok(wd)) =
            (parse_time(&opens), parse_time(&closes), i8::try_from(wd))
        {
            out.push(Period {
                weekday: wd,
                opens: o,
                closes: c,
            });
        }
    }
    Ok(out)
}

/// Replaces the closed days (holidays) of a location.
pub async fn set_closed_days(
    tx: &mut Tx,
    actor: &Actor,
    location_id: &str,
    days: &[(jiff::civil::Date, String)],
) -> Result<()> {
    sqlx::query("DELETE FROM appt_closed_days WHERE location_id = $1")
        .bind(location_id)
        .execute(&mut **tx)
        .await?;
    for (d, reason) in days {
        sqlx::query(
            "INSERT INTO appt_closed_days (location_id, day, reason) VALUES ($1, $2, $3) \
             ON CONFLICT (location_id, day) DO NOTHING",
        )
        .bind(location_id)
        .bind(d.to_string())
        .bind(reason)
        .execute(&mut **tx)
        .await?;
    }
    let list: Vec<String> = days.iter().map(|(d, _)| d.to_string()).collect();
    audit::record(
        tx,
        actor,
        Change {
            action: "appointment_closed_days.set",
            record_type: "appointment_location",
            record_id: location_id,
            subject_user_id: None,
            before: None,
            after: Some(json!({ "closed": list })),
        },
    )
    .await
}

pub async fn closed_days(
    store: &Store,
    location_id: &str,
) -> Result<Vec<(jiff::civil::Date, String)>> {
    let rows =
        sqlx::query("SELECT day, reason FROM appt_closed_days WHERE location_id = $1 ORDER BY day")
            .bind(location_id)
            .fetch_all(store.pool())
            .await?;
    let mut out = Vec::new();
    for r in &rows {
        let d: String = r.try_get("day")?;
        if let Ok(d) = d.parse() {
            out.push((d, r.try_get("reason")?));
        }
    }
    Ok(out)
}

/// What slots of `service` at `location` are generated from.
pub async fn schedule(
    store: &Store,
    location_id: &str,
    service: &CounterService,
) -> Result<Schedule> {
    Ok(Schedule {
        periods: hours(store, location_id).await?,
        closed: closed_days(store, location_id)
            .await?
            .into_iter()
            .map(|(d, _)| d)
            .collect::<BTreeSet<_>>(),
        slot_minutes: service.slot_minutes,
    })
}

/// Places taken per slot start (unix ms) in `[from_ms, to_ms)`.
pub async fn booked_counts(
    store: &Store,
    service_id: &str,
    location_id: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<HashMap<i64, i64>> {
    let rows = sqlx::query(
        "SELECT starts_at, booked FROM appt_slots WHERE service_id = $1 AND location_id = $2 \
         AND starts_at >= $3 AND starts_at < $4",
    )
    .bind(service_id)
    .bind(location_id)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(store.pool())
    .await?;
    let mut out = HashMap::new();
    for r in &rows {
        out.insert(
            r.try_get::<i64, _>("starts_at")?,
            r.try_get::<i64, _>("booked")?,
        );
    }
    Ok(out)
}
