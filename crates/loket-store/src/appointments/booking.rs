//! Appointments: booking, rescheduling, cancelling, reminders.

use super::*;
use crate::capacity::{self, Places};
use crate::paging::{self, Order};
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};

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
    pub status: AppointmentStatus,
    pub channel: String,
    pub booked_by: Option<String>,
    pub sequence: i64,
    pub remind_at: i64,
    pub reminder_sent_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(super) const COLUMNS: &str = "id, code, slot_id, service_id, location_id, starts_at, ends_at, resident_id, status, \
     channel, booked_by, sequence, remind_at, reminder_sent_at, created_at, updated_at";

pub(super) fn decode(r: &sqlx::any::AnyRow) -> Result<Appointment> {
    Ok(Appointment {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        slot_id: r.try_get("slot_id")?,
        service_id: r.try_get("service_id")?,
        location_id: r.try_get("location_id")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        resident_id: r.try_get("resident_id")?,
        status: crate::status(r, "status")?,
        channel: r.try_get("channel")?,
        booked_by: r.try_get("booked_by")?,
        sequence: r.try_get("sequence")?,
        remind_at: r.try_get("remind_at")?,
        reminder_sent_at: r.try_get("reminder_sent_at")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub fn new_code() -> String {
    let bytes: [u8; 8] = rand::random();
    let chars: String = bytes
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()]))
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// Takes one place in the slot, creating its row on first use, or refuses
/// with `appt-slot-full`. Returns the slot row's id.
///
/// One statement: the insert of a new row (its first place taken), or on
/// the existing row the conditional `booked = booked + 1 WHERE booked <
/// capacity` of [`SLOTS`] (the capacity module's rule, here fused with the
/// row's creation). No row comes back when the slot is full. On PostgreSQL
/// the conflicting row is locked and the condition re-checked against its
/// committed version; on SQLite the write transaction serialises writers.
pub async fn take_place(
    tx: &mut Tx,
    service_id: &str,
    location_id: &str,
    slot: &Slot,
    capacity: i64,
) -> Result<String> {
    if capacity < 1 {
        return Err(Invalid::one("start", "appt-slot-full").into());
    }
    let row = sqlx::query(
        "INSERT INTO appt_slots (id, service_id, location_id, starts_at, ends_at, capacity, booked) \
         VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (service_id, location_id, starts_at) \
         DO UPDATE SET booked = appt_slots.booked + 1 WHERE appt_slots.booked < appt_slots.capacity \
         RETURNING id",
    )
    .bind(new_id())
    .bind(service_id)
    .bind(location_id)
    .bind(slot.start_ms())
    .bind(slot.end_ms())
    .bind(capacity)
    .fetch_optional(&mut **tx)
    .await?;
    match row {
        Some(r) => Ok(r.try_get("id")?),
        None => Err(Invalid::one("start", "appt-slot-full").into()),
    }
}

/// A slot's places: `booked` of `capacity`.
pub const SLOTS: Places = Places {
    table: "appt_slots",
    key: "id",
    used: "booked",
    limit: "capacity",
    only_if: "",
    touched: "",
};

/// Gives a place in the slot back.
pub async fn free_place(tx: &mut Tx, slot_id: &str) -> Result<()> {
    capacity::free(tx, &SLOTS, slot_id, 0).await
}

/// What a booking needs; the slot was checked against the schedule and the
/// window by the caller (see `loket_domain::appointments::check_start`).
pub struct NewBooking<'a> {
    /// The appointment's id and code, chosen by the caller (who composes
    /// the confirmation before the transaction).
    pub id: &'a str,
    pub code: &'a str,
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
    // Lock the resident's row (created on first use) so two parallel
    // bookings count each other: one statement. Not needed where write
    // transactions run one at a time (SQLite): the count below then sees
    // every earlier booking, and leaving the lock out takes a statement
    // out of the one writer's critical section.
    if !crate::Backend::of(tx).serialises_writes() {
        sqlx::query(
            "INSERT INTO appt_identities (resident_id, no_shows, touched_at) VALUES ($1, 0, $2) \
             ON CONFLICT (resident_id) DO UPDATE SET touched_at = excluded.touched_at",
        )
        .bind(b.resident_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    let held: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM appointments WHERE resident_id = $1 AND service_id = $2 \
         AND status = 'booked' AND starts_at > $3",
    )
    .bind(b.resident_id)
    .bind(&b.service.id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?
    .try_get("n")?;
    if held >= b.max_per_service {
        return Err(Invalid(vec![FieldError::with_value(
            "service",
            "appt-limit-reached",
            b.max_per_service.to_string(),
        )])
        .into());
    }
    let slot_id = take_place(tx, &b.service.id, &b.location.id, &b.slot, b.capacity).await?;
    let id = b.id.to_owned();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO appointments (id, code, slot_id, service_id, location_id, starts_at, ends_at, resident_id, \
         status, channel, booked_by, sequence, remind_at, reminder_sent_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, $10, 0, $11, NULL, $12, $12) RETURNING {COLUMNS}"
    )))
    .bind(&id)
    .bind(b.code)
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
         remind_at = $5, reminder_sent_at = NULL, reminder_skipped_at = NULL, updated_at = $6 WHERE id = $1 RETURNING {COLUMNS}"
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
            before: Some(json!({ "status": AppointmentStatus::Booked })),
            after: Some(json!({ "status": AppointmentStatus::Cancelled })),
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
        let status: AppointmentStatus = crate::status(&exists, "status")?;
        let code = if status == AppointmentStatus::Booked {
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
    .try_get("no_shows")?;
    audit::record(
        tx,
        actor,
        Change {
            action: "appointment.no_show",
            record_type: "appointment",
            record_id: id,
            subject_user_id: Some(&appt.resident_id),
            before: Some(json!({ "status": AppointmentStatus::Booked })),
            after: Some(json!({ "status": AppointmentStatus::NoShow, "no_shows": n })),
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

/// A resident's appointment list's cursors: keyset on (starts_at, id),
/// newest start first.
pub const RESIDENT_APPOINTMENT_PAGING: Spec = Spec {
    list: "appointments.resident",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of a resident's appointments, newest start first.
pub async fn of_resident_page(
    store: &Store,
    resident_id: &str,
    pq: &PageQuery,
) -> Result<Page<Appointment>> {
    paging::Select::new(
        format!("SELECT {COLUMNS} FROM appointments WHERE resident_id = $1"),
        &["starts_at", "id"],
        Order::Desc,
    )
    .arg(resident_id)
    .page(store, pq, &RESIDENT_APPOINTMENT_PAGING, decode, |a| {
        vec![Key::from(a.starts_at), Key::from(a.id.as_str())]
    })
    .await
}

/// How many appointments [`of_resident_page`] pages through, up to `cap`.
pub async fn of_resident_total(store: &Store, resident_id: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM appointments WHERE resident_id = $1 LIMIT $2) t",
    )
    .bind(resident_id)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
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
        "SELECT {cols}, u.name, u.email, COALESCE(i.no_shows, 0) AS no_shows FROM appointments a \
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
                resident_name: r.try_get("name")?,
                resident_email: r.try_get("email")?,
                no_shows: r.try_get("no_shows")?,
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
        Some(r) => r.try_get("no_shows")?,
        None => 0,
    })
}

/// Booked appointments whose reminder is due, not yet sent and not found
/// unmailable.
pub async fn due_reminders(store: &Store, now: i64, limit: i64) -> Result<Vec<Appointment>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM appointments WHERE status = 'booked' AND reminder_sent_at IS NULL \
         AND reminder_skipped_at IS NULL AND remind_at <= $1 AND starts_at > $1 AND created_at < remind_at ORDER BY remind_at LIMIT $2"
    )))
    .bind(now)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode).collect()
}

/// Claims the reminder of an appointment (false if another worker did, or
/// it was found unmailable): it is marked sent in the transaction that
/// queues its mail.
pub async fn claim_reminder(tx: &mut Tx, id: &str) -> Result<bool> {
    mark_reminder(tx, id, "reminder_sent_at").await
}

/// Marks the reminder of an appointment as not sendable (no usable e-mail
/// address, or its resident, service or location gone): it leaves the due
/// list, and `reminder_sent_at` stays NULL because no mail went out. False
/// if it was handled already.
pub async fn skip_reminder(tx: &mut Tx, id: &str) -> Result<bool> {
    mark_reminder(tx, id, "reminder_skipped_at").await
}

async fn mark_reminder(tx: &mut Tx, id: &str, column: &'static str) -> Result<bool> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE appointments SET {column} = $2 WHERE id = $1 AND reminder_sent_at IS NULL \
         AND reminder_skipped_at IS NULL AND status = 'booked'"
    )))
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
        "SELECT COUNT(*) AS n FROM appt_slots s WHERE s.booked > s.capacity OR s.booked <> \
         (SELECT COUNT(*) FROM appointments a WHERE a.slot_id = s.id AND a.status = 'booked')",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(r.try_get("n")?)
}

/// How many appointments of a service are booked (the benchmark's check).
pub async fn booked_count(store: &Store, service_id: &str) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) AS n FROM appointments WHERE service_id = $1 AND status = 'booked'",
    )
    .bind(service_id)
    .fetch_one(store.pool())
    .await?
    .try_get("n")?)
}

/// Booked appointments of a service whose resident has no invitation
/// (`METHOD:REQUEST`) in the outbox: confirmations lost.
pub async fn booked_without_invitation(store: &Store, service_id: &str) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) AS n FROM appointments a JOIN users u ON u.id = a.resident_id \
         WHERE a.service_id = $1 AND a.status = 'booked' AND NOT EXISTS \
         (SELECT 1 FROM outbox o WHERE o.to_addr = u.email AND o.attachment_body LIKE '%METHOD:REQUEST%')",
    )
    .bind(service_id)
    .fetch_one(store.pool())
    .await?
    .try_get("n")?)
}

/// Appointments of one location starting in [`from`, `to`), by status.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LocationDay {
    pub location_id: String,
    /// Booked and not yet seen.
    pub booked: i64,
    pub served: i64,
    pub no_show: i64,
}

/// Per location, the appointments starting in [`from`, `to`) (unix ms) that
/// were not cancelled, by status: the counter's work screen.
pub async fn per_location(store: &Store, from: i64, to: i64) -> Result<Vec<LocationDay>> {
    let rows = sqlx::query(
        "SELECT location_id, \
           CAST(COALESCE(SUM(CASE WHEN status = 'booked' THEN 1 ELSE 0 END), 0) AS BIGINT) AS booked, \
           CAST(COALESCE(SUM(CASE WHEN status = 'served' THEN 1 ELSE 0 END), 0) AS BIGINT) AS served, \
           CAST(COALESCE(SUM(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END), 0) AS BIGINT) AS no_show \
         FROM appointments WHERE starts_at >= $1 AND starts_at < $2 AND status <> 'cancelled' \
         GROUP BY location_id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LocationDay {
                location_id: r.try_get("location_id")?,
                booked: r.try_get("booked")?,
                served: r.try_get("served")?,
                no_show: r.try_get("no_show")?,
            })
        })
        .collect()
}
