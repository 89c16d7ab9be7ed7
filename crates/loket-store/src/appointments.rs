//! Counters by appointment: locations, desks, counter services, opening
//! hours, closed days, settings, and bookings with capacity per slot.
//!
//! Capacity is enforced atomically in the database: a slot row is created
//! on first use (`INSERT … ON CONFLICT DO NOTHING`) and every booking takes
//! a place with `UPDATE appt_slots SET booked = booked + 1 WHERE … AND
//! booked < capacity RETURNING id`, inside the transaction that writes the
//! appointment. On PostgreSQL the row lock re-checks the condition after a
//! concurrent update; on SQLite the write transaction (`BEGIN IMMEDIATE`)
//! serialises writers. The per-resident limit is kept by locking the
//! resident's `appt_identities` row before counting.

use crate::audit::{self, Change};
use crate::{Result, Store, StoreError, Tx, new_id, new_secret, now_ms};
use loket_domain::Invalid;
use loket_domain::appointments::{
    CODE_ALPHABET, Period, Schedule, Slot, Window, fmt_time, parse_time,
};
use loket_domain::audit::Actor;
use loket_domain::validation::FieldError;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

// ---- settings ----

/// Settings of the booking rules (one row, created on first use).
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub horizon_days: i64,
    pub lead_minutes: i64,
    /// At most this many future appointments per resident and service.
    pub max_per_service: i64,
    /// Residents with this many no-shows are flagged (0: never).
    pub no_show_flag_after: i64,
    /// The key of signed links in e-mails (never shown).
    #[serde(skip)]
    pub link_key: String,
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
         VALUES (1, 42, 120, 1, 2, $1, $2) ON CONFLICT (id) DO NOTHING",
    )
    .bind(new_secret())
    .bind(now_ms())
    .execute(store.pool())
    .await?;
    read_settings(store).await?.ok_or(StoreError::NotFound)
}

async fn read_settings(store: &Store) -> Result<Option<Settings>> {
    let row = sqlx::query(
        "SELECT horizon_days, lead_minutes, max_per_service, no_show_flag_after, link_key FROM appt_settings WHERE id = 1",
    )
    .fetch_optional(store.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Settings {
        horizon_days: r.try_get(0)?,
        lead_minutes: r.try_get(1)?,
        max_per_service: r.try_get(2)?,
        no_show_flag_after: r.try_get(3)?,
        link_key: r.try_get(4)?,
    }))
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

// ---- locations, services, desks, hours ----

#[derive(Debug, Clone, Serialize)]
pub struct Location {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub address: String,
    pub active: bool,
}

fn decode_location(r: &sqlx::any::AnyRow) -> Result<Location> {
    Ok(Location {
        id: r.try_get(0)?,
        slug: r.try_get(1)?,
        name: r.try_get(2)?,
        address: r.try_get(3)?,
        active: r.try_get::<i64, _>(4)? != 0,
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
    let id: String = row.try_get(0)?;
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

fn decode_service(r: &sqlx::any::AnyRow) -> Result<CounterService> {
    Ok(CounterService {
        id: r.try_get(0)?,
        slug: r.try_get(1)?,
        name_nl: r.try_get(2)?,
        name_en: r.try_get(3)?,
        slot_minutes: r.try_get(4)?,
        active: r.try_get::<i64, _>(5)? != 0,
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
    let id: String = row.try_get(0)?;
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
    let id: String = row.try_get(0)?;
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
    let location_id: String = row.try_get(0)?;
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
async fn refresh_capacity(tx: &mut Tx, location_id: &str) -> Result<()> {
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
        let id: String = r.try_get(0)?;
        let service: Option<String> = r.try_get(3)?;
        if out.last().is_none_or(|d| d.id != id) {
            out.push(Desk {
                id,
                location_id: r.try_get(1)?,
                name: r.try_get(2)?,
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
        "SELECT COUNT(*) FROM appt_desks d JOIN appt_desk_services ds ON ds.desk_id = d.id \
         WHERE d.location_id = $1 AND ds.service_id = $2 AND d.active = 1",
    )
    .bind(location_id)
    .bind(service_id)
    .fetch_one(store.pool())
    .await?;
    Ok(r.try_get(0)?)
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
        let wd: i64 = r.try_get(0)?;
        let opens: String = r.try_get(1)?;
        let closes: String = r.try_get(2)?;
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
        let d: String = r.try_get(0)?;
        if let Ok(d) = d.parse() {
            out.push((d, r.try_get(1)?));
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
        out.insert(r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?);
    }
    Ok(out)
}

// ---- appointments ----

#[derive(Debug, Clone, Serialize)]
pub struct Appointment {
    pub id: String,
    pub code: String,
    pub slot_id: String,
    pub service_id: String,
    pub location_id: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub resident_id: String,
    pub status: String,
    pub channel: String,
    pub booked_by: Option<String>,
    pub sequence: i64,
    pub remind_at: i64,
    pub reminder_sent_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, code, slot_id, service_id, location_id, starts_at, ends_at, resident_id, status, \
     channel, booked_by, sequence, remind_at, reminder_sent_at, created_at, updated_at";

fn decode(r: &sqlx::any::AnyRow) -> Result<Appointment> {
    Ok(Appointment {
        id: r.try_get(0)?,
        code: r.try_get(1)?,
        slot_id: r.try_get(2)?,
        service_id: r.try_get(3)?,
        location_id: r.try_get(4)?,
        starts_at: r.try_get(5)?,
        ends_at: r.try_get(6)?,
        resident_id: r.try_get(7)?,
        status: r.try_get(8)?,
        channel: r.try_get(9)?,
        booked_by: r.try_get(10)?,
        sequence: r.try_get(11)?,
        remind_at: r.try_get(12)?,
        reminder_sent_at: r.try_get(13)?,
        created_at: r.try_get(14)?,
        updated_at: r.try_get(15)?,
    })
}

fn new_code() -> String {
    let bytes: [u8; 8] = rand::random();
    let chars: String = bytes
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()]))
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// Takes one place in the slot (creating its row on first use), or
/// refuses with `appt-slot-full`. Returns the slot row's id.
pub async fn take_place(
    tx: &mut Tx,
    service_id: &str,
    location_id: &str,
    slot: &Slot,
    capacity: i64,
) -> Result<String> {
    sqlx::query(
        "INSERT INTO appt_slots (id, service_id, location_id, starts_at, ends_at, capacity, booked) \
         VALUES ($1, $2, $3, $4, $5, $6, 0) ON CONFLICT (service_id, location_id, starts_at) DO NOTHING",
    )
    .bind(new_id())
    .bind(service_id)
    .bind(location_id)
    .bind(slot.start_ms())
    .bind(slot.end_ms())
    .bind(capacity)
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query(
        "UPDATE appt_slots SET booked = booked + 1 \
         WHERE service_id = $1 AND location_id = $2 AND starts_at = $3 AND booked < capacity RETURNING id",
    )
    .bind(service_id)
    .bind(location_id)
    .bind(slot.start_ms())
    .fetch_optional(&mut **tx)
    .await?;
    match row {
        Some(r) => Ok(r.try_get(0)?),
        None => Err(Invalid::one("start", "appt-slot-full").into()),
    }
}

pub async fn free_place(tx: &mut Tx, slot_id: &str) -> Result<()> {
    sqlx::query("UPDATE appt_slots SET booked = booked - 1 WHERE id = $1 AND booked > 0")
        .bind(slot_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a booking needs; the slot was checked against the schedule and the
/// window by the caller (see `loket_domain::appointments::check_start`).
pub struct NewBooking<'a> {
    pub service: &'a CounterService,
    pub location: &'a Location,
    pub slot: Slot,
    /// The number of desks for the service (the slot's capacity).
    pub capacity: i64,
    pub resident_id: &'a str,
    /// `web`, `phone`, `counter` or `api`.
    pub channel: &'a str,
    pub booked_by: Option<&'a str>,
    pub max_per_service: i64,
    pub remind_at: i64,
}

/// Books a place: the resident's limit, then the slot's capacity, then the
/// appointment and its audit row, all in the caller's transaction.
pub async fn book(tx: &mut Tx, actor: &Actor, b: NewBooking<'_>) -> Result<Appointment> {
    let now = now_ms();
    // Lock the resident's row so two parallel bookings count each other.
    sqlx::query(
        "INSERT INTO appt_identities (resident_id, no_shows, touched_at) VALUES ($1, 0, $2) \
         ON CONFLICT (resident_id) DO NOTHING",
    )
    .bind(b.resident_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE appt_identities SET touched_at = $2 WHERE resident_id = $1")
        .bind(b.resident_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let held: i64 = sqlx::query(
        "SELECT COUNT(*) FROM appointments WHERE resident_id = $1 AND service_id = $2 \
         AND status = 'booked' AND starts_at > $3",
    )
    .bind(b.resident_id)
    .bind(&b.service.id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    if held >= b.max_per_service {
        return Err(Invalid(vec![FieldError::with_value(
            "service",
            "appt-limit-reached",
            b.max_per_service.to_string(),
        )])
        .into());
    }
    let slot_id = take_place(tx, &b.service.id, &b.location.id, &b.slot, b.capacity).await?;
    let id = new_id();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO appointments (id, code, slot_id, service_id, location_id, starts_at, ends_at, resident_id, \
         status, channel, booked_by, sequence, remind_at, reminder_sent_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, $10, 0, $11, NULL, $12, $12) RETURNING {COLUMNS}"
    )))
    .bind(&id)
    .bind(new_code())
    .bind(&slot_id)
    .bind(&b.service.id)
    .bind(&b.location.id)
    .bind(b.slot.start_ms())
    .bind(b.slot.end_ms())
    .bind(b.resident_id)
    .bind(b.channel)
    .bind(b.booked_by.map(str::to_owned))
    .bind(b.remind_at)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let appt = decode(&row)?;
    audit::record(
        tx,
        actor,
        Change {
            action: "appointment.book",
            record_type: "appointment",
            record_id: &id,
            subject_user_id: Some(b.resident_id),
            before: None,
            after: Some(json!({
                "service": b.service.slug, "location": b.location.slug,
                "starts_at": appt.starts_at, "channel": b.channel,
            })),
        },
    )
    .await?;
    Ok(appt)
}

/// Moves a booked appointment to another slot of the same service and
/// location: the new place is taken atomically, the old one freed, the
/// sequence raised.
pub async fn reschedule(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    slot: &Slot,
    capacity: i64,
    remind_at: i64,
) -> Result<Appointment> {
    // Locks the appointment row (PostgreSQL) and checks it is still booked.
    let old = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE appointments SET updated_at = $2 WHERE id = $1 AND status = 'booked' RETURNING {COLUMNS}"
    )))
    .bind(id)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| Invalid::one("appointment", "appt-not-active"))?;
    let old = decode(&old)?;
    if old.starts_at == slot.start_ms() {
        return Err(Invalid::one("start", "appt-same-slot").into());
    }
    let slot_id = take_place(tx, &old.service_id, &old.location_id, slot, capacity).await?;
    free_place(tx, &old.slot_id).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE appointments SET slot_id = $2, starts_at = $3, ends_at = $4, sequence = sequence + 1, \
         remind_at = $5, reminder_sent_at = NULL, updated_at = $6 WHERE id = $1 RETURNING {COLUMNS}"
    )))
    .bind(id)
    .bind(&slot_id)
    .bind(slot.start_ms())
    .bind(slot.end_ms())
    .bind(remind_at)
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    let appt = decode(&row)?;
    audit::record(
        tx,
        actor,
        Change {
            action: "appointment.reschedule",
            record_type: "appointment",
            record_id: id,
            subject_user_id: Some(&appt.resident_id),
            before: Some(json!({ "starts_at": old.starts_at })),
            after: Some(json!({ "starts_at": appt.starts_at, "sequence": appt.sequence })),
        },
    )
    .await?;
    Ok(appt)
}

/// Cancels a booked appointment and frees its place at once.
pub async fn cancel(tx: &mut Tx, actor: &Actor, id: &str) -> Result<Appointment> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE appointments SET status = 'cancelled', sequence = sequence + 1, updated_at = $2 \
         WHERE id = $1 AND status = 'booked' RETURNING {COLUMNS}"
    )))
    .bind(id)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| Invalid::one("appointment", "appt-not-active"))?;
    let appt = decode(&row)?;
    free_place(tx, &appt.slot_id).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "appointment.cancel",
            record_type: "appointment",
            record_id: id,
            subject_user_id: Some(&appt.resident_id),
            before: Some(json!({ "status": "booked" })),
            after: Some(json!({ "status": "cancelled" })),
        },
    )
    .await?;
    Ok(appt)
}

/// Marks a no-show (from the appointment's start on): the place returns to
/// the pool and the resident's no-show count rises. Returns the count.
pub async fn mark_no_show(tx: &mut Tx, actor: &Actor, id: &str) -> Result<(Appointment, i64)> {
    let now = now_ms();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE appointments SET status = 'no_show', updated_at = $2 \
         WHERE id = $1 AND status = 'booked' AND starts_at <= $2 RETURNING {COLUMNS}"
    )))
    .bind(id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        let exists = sqlx::query("SELECT status, starts_at FROM appointments WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let status: String = exists.try_get(0)?;
        let code = if status == "booked" {
            "appt-not-yet-due"
        } else {
            "appt-not-active"
        };
        return Err(Invalid::one("appointment", code).into());
    };
    let appt = decode(&row)?;
    free_place(tx, &appt.slot_id).await?;
    sqlx::query(
        "INSERT INTO appt_identities (resident_id, no_shows, touched_at) VALUES ($1, 0, $2) \
         ON CONFLICT (resident_id) DO NOTHING",
    )
    .bind(&appt.resident_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let n: i64 = sqlx::query(
        "UPDATE appt_identities SET no_shows = no_shows + 1, touched_at = $2 WHERE resident_id = $1 RETURNING no_shows",
    )
    .bind(&appt.resident_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    audit::record(
        tx,
        actor,
        Change {
            action: "appointment.no_show",
            record_type: "appointment",
            record_id: id,
            subject_user_id: Some(&appt.resident_id),
            before: Some(json!({ "status": "booked" })),
            after: Some(json!({ "status": "no_show", "no_shows": n })),
        },
    )
    .await?;
    Ok((appt, n))
}

pub async fn get(store: &Store, id: &str) -> Result<Option<Appointment>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM appointments WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode).transpose()
}

pub async fn by_code(store: &Store, code: &str) -> Result<Option<Appointment>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM appointments WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode).transpose()
}

/// A resident's appointments, newest start first.
pub async fn of_resident(store: &Store, resident_id: &str) -> Result<Vec<Appointment>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM appointments WHERE resident_id = $1 ORDER BY starts_at DESC LIMIT 200"
    )))
    .bind(resident_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode).collect()
}

/// An appointment with the resident's name, e-mail and no-show count.
#[derive(Debug, Clone, Serialize)]
pub struct DayRow {
    pub appointment: Appointment,
    pub resident_name: String,
    pub resident_email: String,
    pub no_shows: i64,
}

/// The appointments of a location in `[from_ms, to_ms)` (all services,
/// or one when `service_id` is not empty).
pub async fn day_list(
    store: &Store,
    location_id: &str,
    service_id: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<DayRow>> {
    let cols: String = COLUMNS
        .split(", ")
        .map(|c| format!("a.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {cols}, u.name, u.email, COALESCE(i.no_shows, 0) FROM appointments a \
         JOIN users u ON u.id = a.resident_id \
         LEFT JOIN appt_identities i ON i.resident_id = a.resident_id \
         WHERE a.location_id = $1 AND ($2 = '' OR a.service_id = $2) AND a.starts_at >= $3 AND a.starts_at < $4 \
         ORDER BY a.starts_at, a.code"
    )))
    .bind(location_id)
    .bind(service_id)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DayRow {
                appointment: decode(r)?,
                resident_name: r.try_get(16)?,
                resident_email: r.try_get(17)?,
                no_shows: r.try_get(18)?,
            })
        })
        .collect()
}

/// A resident's no-show count.
pub async fn no_shows(store: &Store, resident_id: &str) -> Result<i64> {
    let row = sqlx::query("SELECT no_shows FROM appt_identities WHERE resident_id = $1")
        .bind(resident_id)
        .fetch_optional(store.pool())
        .await?;
    Ok(match row {
        Some(r) => r.try_get(0)?,
        None => 0,
    })
}

/// Booked appointments whose reminder is due and not yet sent.
pub async fn due_reminders(store: &Store, now: i64, limit: i64) -> Result<Vec<Appointment>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM appointments WHERE status = 'booked' AND reminder_sent_at IS NULL \
         AND remind_at <= $1 AND starts_at > $1 AND created_at < remind_at ORDER BY remind_at LIMIT $2"
    )))
    .bind(now)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode).collect()
}

/// Claims the reminder of an appointment (false if another worker did).
pub async fn claim_reminder(tx: &mut Tx, id: &str) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE appointments SET reminder_sent_at = $2 WHERE id = $1 AND reminder_sent_at IS NULL AND status = 'booked'",
    )
    .bind(id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Totals for checks and the benchmark: places taken per slot versus
/// capacity, and booked appointments.
pub async fn overbooked_slots(store: &Store) -> Result<i64> {
    let r = sqlx::query(
        "SELECT COUNT(*) FROM appt_slots s WHERE s.booked > s.capacity OR s.booked <> \
         (SELECT COUNT(*) FROM appointments a WHERE a.slot_id = s.id AND a.status = 'booked')",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(r.try_get(0)?)
}
