//! The service-bike pool: sites, bikes, reservations and trips.
//!
//! **Reservations never overlap for one bike.** Inside the transaction that
//! writes the reservation, the bike's row is first raised with a conditional
//! `UPDATE bikes SET guard = guard + 1 WHERE id = $1 AND status =
//! 'available' RETURNING id`. On PostgreSQL that takes the bike's row lock,
//! so a second transaction for the same bike waits until the first commits
//! and its overlap check (a new statement, a new snapshot under READ
//! COMMITTED) then sees the first reservation. On SQLite the write
//! transaction (`BEGIN IMMEDIATE`) serialises writers. The overlap check and
//! the insert therefore act as one step per bike, with the same SQL on both.

use crate::audit::{self, Change};
use crate::capacity::{self, Guard, Windows};
use crate::paging::{self, Order};
use crate::{Result, Store, StoreError, Tx, new_id, now_ms};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::bikes::{
    BikeStatus, BikeType, DEFAULT_CO2_G_PER_KM, DEFAULT_MAX_MINUTES, PICKUP_GRACE_MS,
    ReservationStatus,
};
use loket_domain::calendar::Span;
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// The per-bike lock, taken only while the bike is available.
const BIKE_GUARD: Guard = Guard {
    table: "bikes",
    key: "id",
    guard: "guard",
    only_if: "status = 'available'",
};

/// The windows a bike's reservations hold while reserved or ridden.
const HELD_WINDOWS: Windows = Windows {
    table: "bike_reservations",
    owner: "bike_id",
    start: "starts_at",
    end: "ends_at",
    holding: "status IN ('reserved', 'picked_up')",
};

/// The pool's rules (one row, created on first use).
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// The longest reservation, in minutes.
    pub max_minutes: i64,
    /// Car emissions avoided per kilometre ridden (g CO2/km).
    pub co2_g_per_km: i64,
}

pub async fn settings(store: &Store) -> Result<Settings> {
    let row = sqlx::query("SELECT max_minutes, co2_g_per_km FROM bike_settings WHERE id = 1")
        .fetch_optional(store.pool())
        .await?;
    Ok(match row {
        Some(r) => Settings {
            max_minutes: r.try_get("max_minutes")?,
            co2_g_per_km: r.try_get("co2_g_per_km")?,
        },
        None => Settings {
            max_minutes: DEFAULT_MAX_MINUTES,
            co2_g_per_km: DEFAULT_CO2_G_PER_KM,
        },
    })
}

pub async fn save_settings(tx: &mut Tx, actor: &Actor, s: &Settings) -> Result<()> {
    let mut inv = Invalid::default();
    if !(30..=7 * 24 * 60).contains(&s.max_minutes) {
        inv.push("max_minutes", "bike-max-range");
    }
    if !(0..=1000).contains(&s.co2_g_per_km) {
        inv.push("co2_g_per_km", "bike-co2-range");
    }
    inv.into_result()?;
    sqlx::query(
        "INSERT INTO bike_settings (id, max_minutes, co2_g_per_km, updated_at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET max_minutes = $1, co2_g_per_km = $2, updated_at = $3",
    )
    .bind(s.max_minutes)
    .bind(s.co2_g_per_km)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "bikes.settings",
            record_type: "bike_settings",
            record_id: "1",
            subject_user_id: None,
            before: None,
            after: Some(json!(s)),
        },
    )
    .await
}

// ---- sites and bikes ----

#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub id: String,
    pub slug: String,
    pub name: String,
}

pub async fn add_site(tx: &mut Tx, actor: &Actor, slug: &str, name: &str) -> Result<String> {
    let id = new_id();
    sqlx::query("INSERT INTO bike_sites (id, slug, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&id)
        .bind(slug)
        .bind(name)
        .bind(now_ms())
        .execute(&mut **tx)
        .await
        .map_err(|e| crate::unique_to_field(e, "slug", "bike-site-taken"))?;
    audit::record(
        tx,
        actor,
        Change {
            action: "bikes.site.add",
            record_type: "bike_site",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"slug": slug, "name": name})),
        },
    )
    .await?;
    Ok(id)
}

pub async fn list_sites(store: &Store) -> Result<Vec<Site>> {
    let rows = sqlx::query("SELECT id, slug, name FROM bike_sites ORDER BY name")
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Site {
                id: r.try_get("id")?,
                slug: r.try_get("slug")?,
                name: r.try_get("name")?,
            })
        })
        .collect()
}

/// A site by slug or id.
pub async fn site(store: &Store, key: &str) -> Result<Option<Site>> {
    Ok(list_sites(store)
        .await?
        .into_iter()
        .find(|s| s.slug == key || s.id == key))
}

#[derive(Debug, Clone, Serialize)]
pub struct Bike {
    pub id: String,
    pub number: String,
    pub bike_type: String,
    pub site_id: String,
    pub site_name: String,
    pub status: BikeStatus,
    pub battery_note: String,
}

fn bike_of(r: &AnyRow) -> Result<Bike> {
    Ok(Bike {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        bike_type: r.try_get("bike_type")?,
        site_id: r.try_get("site_id")?,
        site_name: r.try_get("site_name")?,
        status: crate::status(r, "status")?,
        battery_note: r.try_get("battery_note")?,
    })
}

pub struct NewBike<'a> {
    pub number: &'a str,
    pub bike_type: BikeType,
    pub site_id: &'a str,
    pub battery_note: &'a str,
}

pub async fn add_bike(tx: &mut Tx, actor: &Actor, b: &NewBike<'_>) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO bikes (id, number, bike_type, site_id, status, battery_note, guard, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'available', $5, 0, $6, $6)",
    )
    .bind(&id)
    .bind(b.number)
    .bind(b.bike_type.as_str())
    .bind(b.site_id)
    .bind(b.battery_note)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|e| crate::unique_to_field(e, "number", "bike-number-taken"))?;
    audit::record(
        tx,
        actor,
        Change {
            action: "bikes.bike.add",
            record_type: "bike",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(
                json!({"number": b.number, "type": b.bike_type.as_str(), "site": b.site_id}),
            ),
        },
    )
    .await?;
    Ok(id)
}

/// The bikes, filtered by site id and type (empty matches all).
pub async fn list_bikes(store: &Store, site_id: &str, bike_type: &str) -> Result<Vec<Bike>> {
    let rows = sqlx::query(
        "SELECT b.id, b.number, b.bike_type, b.site_id, s.name AS site_name, b.status, b.battery_note \
         FROM bikes b JOIN bike_sites s ON s.id = b.site_id \
         WHERE ($1 = '' OR b.site_id = $1) AND ($2 = '' OR b.bike_type = $2) ORDER BY b.number",
    )
    .bind(site_id)
    .bind(bike_type)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(bike_of).collect()
}

pub async fn get_bike(store: &Store, id: &str) -> Result<Option<Bike>> {
    let row = sqlx::query(
        "SELECT b.id, b.number, b.bike_type, b.site_id, s.name AS site_name, b.status, b.battery_note \
         FROM bikes b JOIN bike_sites s ON s.id = b.site_id WHERE b.id = $1 OR b.number = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(bike_of).transpose()
}

/// Sets a bike's status and battery note (fleet managers).
pub async fn set_bike_status(
    tx: &mut Tx,
    actor: &Actor,
    bike_id: &str,
    status: BikeStatus,
    battery_note: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE bikes SET status = $2, battery_note = $3, updated_at = $4 WHERE id = $1 RETURNING id",
    )
    .bind(bike_id)
    .bind(status.as_str())
    .bind(battery_note)
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
            action: "bikes.bike.status",
            record_type: "bike",
            record_id: bike_id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"status": status.as_str(), "battery_note": battery_note})),
        },
    )
    .await
}

// ---- reservations ----

#[derive(Debug, Clone, Serialize)]
pub struct Reservation {
    pub id: String,
    pub bike_id: String,
    pub user_id: String,
    pub starts_at: i64,
    pub ends_at: i64,
    /// `reserved`, `picked_up`, `returned`, `released` or `cancelled`.
    pub status: ReservationStatus,
    pub picked_up_at: Option<i64>,
    pub returned_at: Option<i64>,
    pub km: Option<i64>,
    pub damage: String,
}

fn res_of(r: &AnyRow) -> Result<Reservation> {
    Ok(Reservation {
        id: r.try_get("id")?,
        bike_id: r.try_get("bike_id")?,
        user_id: r.try_get("user_id")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        status: crate::status(r, "status")?,
        picked_up_at: r.try_get("picked_up_at")?,
        returned_at: r.try_get("returned_at")?,
        km: r.try_get("km")?,
        damage: r.try_get("damage")?,
    })
}

/// Reserves `bike_id` for `[start, end)` if the bike is available and no
/// holding reservation overlaps; `None` if it is taken. Atomic per bike
/// (see the module text). The caller checked the window's rules.
pub async fn reserve(
    tx: &mut Tx,
    actor: &Actor,
    user_id: &str,
    bike_id: &str,
    start: i64,
    end: i64,
) -> Result<Option<Reservation>> {
    let now = now_ms();
    // The per-bike lock: raise the bike's guard (only while it is available).
    if !capacity::lock(tx, &BIKE_GUARD, bike_id).await? {
        return Ok(None);
    }
    let clash = capacity::overlapping(tx, &HELD_WINDOWS, bike_id, Span::new(start, end)).await?;
    if clash > 0 {
        return Ok(None);
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO bike_reservations (id, bike_id, user_id, starts_at, ends_at, status, damage, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'reserved', '', $6, $6)",
    )
    .bind(&id)
    .bind(bike_id)
    .bind(user_id)
    .bind(start)
    .bind(end)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "bikes.reserve",
            record_type: "bike_reservation",
            record_id: &id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({"bike": bike_id, "starts_at": start, "ends_at": end})),
        },
    )
    .await?;
    Ok(Some(Reservation {
        id,
        bike_id: bike_id.to_owned(),
        user_id: user_id.to_owned(),
        starts_at: start,
        ends_at: end,
        status: ReservationStatus::Reserved,
        picked_up_at: None,
        returned_at: None,
        km: None,
        damage: String::new(),
    }))
}

/// The available bikes of `bike_type` at `site_id` with no holding
/// reservation overlapping `[start, end)` (a read: the booking re-checks).
pub async fn free_bikes(
    store: &Store,
    site_id: &str,
    bike_type: &str,
    start: i64,
    end: i64,
) -> Result<Vec<Bike>> {
    let rows = sqlx::query(
        "SELECT b.id, b.number, b.bike_type, b.site_id, s.name AS site_name, b.status, b.battery_note \
         FROM bikes b JOIN bike_sites s ON s.id = b.site_id \
         WHERE ($1 = '' OR b.site_id = $1) AND ($2 = '' OR b.bike_type = $2) AND b.status = 'available' \
         AND NOT EXISTS (SELECT 1 FROM bike_reservations r WHERE r.bike_id = b.id \
           AND r.status IN ('reserved', 'picked_up') AND r.starts_at < $4 AND r.ends_at > $3) \
         ORDER BY b.number",
    )
    .bind(site_id)
    .bind(bike_type)
    .bind(start)
    .bind(end)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(bike_of).collect()
}

pub async fn get_reservation(store: &Store, id: &str) -> Result<Option<Reservation>> {
    release_expired(store, now_ms()).await?;
    let row = sqlx::query(
        "SELECT id, bike_id, user_id, starts_at, ends_at, status, picked_up_at, returned_at, km, damage \
         FROM bike_reservations WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(res_of).transpose()
}

/// A person's reservations, newest first.
pub async fn list_for_user(store: &Store, user_id: &str, limit: i64) -> Result<Vec<Reservation>> {
    release_expired(store, now_ms()).await?;
    let rows = sqlx::query(
        "SELECT id, bike_id, user_id, starts_at, ends_at, status, picked_up_at, returned_at, km, damage \
         FROM bike_reservations WHERE user_id = $1 ORDER BY starts_at DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(res_of).collect()
}

/// A rider's reservation list's cursors: keyset on (starts_at, id), newest
/// first.
pub const RESERVATION_PAGING: Spec = Spec {
    list: "bikes.reservations",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of a person's reservations, newest start first.
pub async fn reservations_page(
    store: &Store,
    user_id: &str,
    pq: &PageQuery,
) -> Result<Page<Reservation>> {
    release_expired(store, now_ms()).await?;
    paging::Select::new(
        "SELECT id, bike_id, user_id, starts_at, ends_at, status, picked_up_at, returned_at, km, damage \
         FROM bike_reservations WHERE user_id = $1",
        &["starts_at", "id"],
        Order::Desc,
    )
    .arg(user_id)
    .page(store, pq, &RESERVATION_PAGING, res_of, |r| {
        vec![Key::from(r.starts_at), Key::from(r.id.as_str())]
    })
    .await
}

/// How many reservations [`reservations_page`] pages through, up to `cap`.
pub async fn reservations_total(store: &Store, user_id: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM bike_reservations WHERE user_id = $1 LIMIT $2) t",
    )
    .bind(user_id)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// Reservations overlapping `[from, to)`, for the fleet manager's day view.
pub async fn list_between(store: &Store, from: i64, to: i64) -> Result<Vec<Reservation>> {
    release_expired(store, now_ms()).await?;
    let rows = sqlx::query(
        "SELECT id, bike_id, user_id, starts_at, ends_at, status, picked_up_at, returned_at, km, damage \
         FROM bike_reservations WHERE starts_at < $2 AND ends_at > $1 ORDER BY starts_at, id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(res_of).collect()
}

/// Releases the reservations not picked up within 30 minutes of their
/// start; returns how many. Run by the worker and on every read.
pub async fn release_expired(store: &Store, now: i64) -> Result<u64> {
    // A cheap read first, so reads do not take the write lock for nothing.
    let due: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM bike_reservations WHERE status = 'reserved' AND starts_at <= $1",
    )
    .bind(now - PICKUP_GRACE_MS)
    .fetch_one(store.pool())
    .await?
    .try_get("n")?;
    if due == 0 {
        return Ok(0);
    }
    let mut tx = store.begin().await?;
    let rows = sqlx::query(
        "UPDATE bike_reservations SET status = 'released', updated_at = $1 \
         WHERE status = 'reserved' AND starts_at <= $2 RETURNING id, user_id",
    )
    .bind(now)
    .bind(now - PICKUP_GRACE_MS)
    .fetch_all(&mut *tx)
    .await?;
    for r in &rows {
        let id: String = r.try_get("id")?;
        let user: String = r.try_get("user_id")?;
        audit::record(
            &mut tx,
            &Actor::System,
            Change {
                action: "bikes.release",
                record_type: "bike_reservation",
                record_id: &id,
                subject_user_id: Some(&user),
                before: Some(json!({"status": ReservationStatus::Reserved})),
                after: Some(
                    json!({"status": ReservationStatus::Released, "reason": "not picked up within 30 minutes"}),
                ),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len() as u64)
}

/// Cancels a reservation that was not picked up yet.
pub async fn cancel(tx: &mut Tx, actor: &Actor, id: &str) -> Result<Reservation> {
    let row = sqlx::query(
        "UPDATE bike_reservations SET status = 'cancelled', updated_at = $2 \
         WHERE id = $1 AND status = 'reserved' \
         RETURNING id, bike_id, user_id, starts_at, ends_at, status, picked_up_at, returned_at, km, damage",
    )
    .bind(id)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    let r = row
        .as_ref()
        .map(res_of)
        .transpose()?
        .ok_or_else(|| Invalid::one("reservation", "bike-not-reserved"))?;
    audit::record(
        tx,
        actor,
        Change {
            action: "bikes.cancel",
            record_type: "bike_reservation",
            record_id: id,
            subject_user_id: Some(&r.user_id),
            before: Some(json!({"status": ReservationStatus::Reserved})),
            after: Some(json!({"status": ReservationStatus::Cancelled})),
        },
    )
    .await?;
    Ok(r)
}

/// Picks the bike up: from 15 minutes before the start until the release.
pub async fn pick_up(tx: &mut Tx, actor: &Actor, id: &str, now: i64) -> Result<Reservation> {
    let row = sqlx::query(
        "UPDATE bike_reservations SET status = 'picked_up', picked_up_at = $2, updated_at = $2 \
         WHERE id = $1 AND status = 'reserved' AND starts_at <= $3 AND starts_at > $4 \
         RETURNING id, bike_id, user_id, starts_at, ends_at, status, picked_up_at, returned_at, km, damage",
    )
    .bind(id)
    .bind(now)
    .bind(now + 15 * 60_000)
    .bind(now - PICKUP_GRACE_MS)
    .fetch_optional(&mut **tx)
    .await?;
    let r = row
        .as_ref()
        .map(res_of)
        .transpose()?
        .ok_or_else(|| Invalid::one("reservation", "bike-not-pickable"))?;
    audit::record(
        tx,
        actor,
        Change {
            action: "bikes.pick_up",
            record_type: "bike_reservation",
            record_id: id,
            subject_user_id: Some(&r.user_id),
            before: Some(json!({"status": ReservationStatus::Reserved})),
            after: Some(json!({"status": ReservationStatus::PickedUp})),
        },
    )
    .await?;
    Ok(r)
}

/// Returns the bike with the kilometres ridden and any damage. Damage puts
/// the bike in maintenance (the caller queues the fleet manager's mail in
/// the same transaction).
pub async fn return_bike(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    km: i64,
    damage: &str,
) -> Result<Reservation> {
    let now = now_ms();
    let row = sqlx::query(
        "UPDATE bike_reservations SET status = 'returned', returned_at = $2, km = $3, damage = $4, updated_at = $2 \
         WHERE id = $1 AND status = 'picked_up' \
         RETURNING id, bike_id, user_id, starts_at, ends_at, status, picked_up_at, returned_at, km, damage",
    )
    .bind(id)
    .bind(now)
    .bind(km)
    .bind(damage)
    .fetch_optional(&mut **tx)
    .await?;
    let r = row
        .as_ref()
        .map(res_of)
        .transpose()?
        .ok_or_else(|| Invalid::one("reservation", "bike-not-picked-up"))?;
    // The trip ends now: free the rest of the window for others.
    sqlx::query("UPDATE bike_reservations SET ends_at = $2 WHERE id = $1 AND ends_at > $2")
        .bind(id)
        .bind(now.max(r.starts_at + 1))
        .execute(&mut **tx)
        .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "bikes.return",
            record_type: "bike_reservation",
            record_id: id,
            subject_user_id: Some(&r.user_id),
            before: Some(json!({"status": ReservationStatus::PickedUp})),
            after: Some(json!({"status": ReservationStatus::Returned, "km": km, "damage": damage})),
        },
    )
    .await?;
    if !damage.trim().is_empty() {
        sqlx::query("UPDATE bikes SET status = 'maintenance', updated_at = $2 WHERE id = $1")
            .bind(&r.bike_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        audit::record(
            tx,
            actor,
            Change {
                action: "bikes.bike.maintenance",
                record_type: "bike",
                record_id: &r.bike_id,
                subject_user_id: None,
                before: Some(json!({"status": BikeStatus::Available})),
                after: Some(json!({"status": BikeStatus::Maintenance, "damage": damage})),
            },
        )
        .await?;
    }
    Ok(r)
}

/// The e-mail addresses of the fleet managers (for damage reports).
pub async fn fleet_manager_emails(store: &Store) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT u.email FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE r.role = 'fleet' AND u.disabled_at IS NULL ORDER BY u.email",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(|r| Ok(r.try_get("email")?)).collect()
}

// ---- the dashboard's figures ----

/// One finished trip, for the dashboard.
#[derive(Debug, Clone)]
pub struct Trip {
    pub bike_id: String,
    pub bike_type: String,
    pub site_id: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub km: i64,
}

/// The trips returned since `from` (unix ms).
pub async fn trips_since(store: &Store, from: i64) -> Result<Vec<Trip>> {
    let rows = sqlx::query(
        "SELECT r.bike_id, b.bike_type, b.site_id, r.starts_at, r.ends_at, r.km \
         FROM bike_reservations r JOIN bikes b ON b.id = r.bike_id \
         WHERE r.status = 'returned' AND r.starts_at >= $1 ORDER BY r.starts_at",
    )
    .bind(from)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Trip {
                bike_id: r.try_get("bike_id")?,
                bike_type: r.try_get("bike_type")?,
                site_id: r.try_get("site_id")?,
                starts_at: r.try_get("starts_at")?,
                ends_at: r.try_get("ends_at")?,
                km: r.try_get::<Option<i64>, _>("km")?.unwrap_or(0),
            })
        })
        .collect()
}

/// Seeds finished trips in one statement per trip inside the caller's
/// transaction (the demo's history; audited as one row).
pub async fn seed_trip(
    tx: &mut Tx,
    bike_id: &str,
    user_id: &str,
    start: i64,
    end: i64,
    km: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO bike_reservations (id, bike_id, user_id, starts_at, ends_at, status, picked_up_at, returned_at, km, damage, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'returned', $4, $5, $6, '', $4, $5)",
    )
    .bind(new_id())
    .bind(bike_id)
    .bind(user_id)
    .bind(start)
    .bind(end)
    .bind(km)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Bikes in maintenance (taken out of the pool to be checked or repaired):
/// the fleet's work screen.
pub async fn in_maintenance_count(store: &Store) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM bikes WHERE status = 'maintenance'")
        .fetch_one(store.pool())
        .await?;
    Ok(row.try_get("n")?)
}
