//! The ticket queue at the counters and the counter zone's head count.
//!
//! Every change to a location's queue starts by updating the location's
//! `queue_zones` row (its version goes up by one). That row lock serialises
//! the changes at one location on PostgreSQL (SQLite's write transaction
//! does so already), so two desks never call the same visitor and the head
//! count never passes the limit: a walk-in is counted in with `UPDATE …
//! SET present = present + 1 WHERE present < max_present`, in the same
//! transaction as the ticket. Displays follow the version.

use crate::audit::{self, Change};
use crate::capacity::{self, Places};
use crate::{Result, Store, StoreError, Tx, new_id, new_secret, now_ms};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::queue::{self as rules, CallRules, Kind, TicketStatus, Waiting};
use loket_domain::validation::FieldError;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// A location's zone when nobody set a limit yet.
pub const DEFAULT_MAX_PRESENT: i64 = 20;

/// The counter zone of a location.
#[derive(Debug, Clone, Serialize)]
pub struct Zone {
    pub location_id: String,
    pub max_present: i64,
    pub present: i64,
    pub appointments_in_row: i64,
    pub version: i64,
}

impl Zone {
    pub fn open(&self) -> bool {
        rules::zone_open(self.present, self.max_present)
    }
}

fn decode_zone(r: &sqlx::any::AnyRow) -> Result<Zone> {
    Ok(Zone {
        location_id: r.try_get("location_id")?,
        max_present: r.try_get("max_present")?,
        present: r.try_get("present")?,
        appointments_in_row: r.try_get("appointments_in_row")?,
        version: r.try_get("version")?,
    })
}

const ZONE_COLUMNS: &str = "location_id, max_present, present, appointments_in_row, version";

async fn ensure_zone(tx: &mut Tx, location_id: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO queue_zones (location_id, max_present, present, appointments_in_row, version, updated_at) \
         VALUES ($1, $2, 0, 0, 0, $3) ON CONFLICT (location_id) DO NOTHING",
    )
    .bind(location_id)
    .bind(DEFAULT_MAX_PRESENT)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A counter zone's places: `present` of `max_present`.
const ZONES: Places = Places {
    table: "queue_zones",
    key: "location_id",
    used: "present",
    limit: "max_present",
    only_if: "",
    touched: "",
};

/// Locks the location's zone row for this transaction and raises its
/// version: the first statement of every queue change.
pub async fn lock_zone(tx: &mut Tx, location_id: &str) -> Result<Zone> {
    ensure_zone(tx, location_id).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE queue_zones SET version = version + 1, updated_at = $2 WHERE location_id = $1 \
         RETURNING {ZONE_COLUMNS}"
    )))
    .bind(location_id)
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    decode_zone(&row)
}

/// The zone of a location (the default when none was set).
pub async fn zone(store: &Store, location_id: &str) -> Result<Zone> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ZONE_COLUMNS} FROM queue_zones WHERE location_id = $1"
    )))
    .bind(location_id)
    .fetch_optional(store.pool())
    .await?;
    match row {
        Some(r) => decode_zone(&r),
        None => Ok(Zone {
            location_id: location_id.to_owned(),
            max_present: DEFAULT_MAX_PRESENT,
            present: 0,
            appointments_in_row: 0,
            version: 0,
        }),
    }
}

/// The version of a location's queue (0 before the first change).
pub async fn version(store: &Store, location_id: &str) -> Result<i64> {
    let row = sqlx::query("SELECT version FROM queue_zones WHERE location_id = $1")
        .bind(location_id)
        .fetch_optional(store.pool())
        .await?;
    Ok(match row {
        Some(r) => r.try_get("version")?,
        None => 0,
    })
}

/// Sets the zone's limit (admin), audited.
pub async fn set_max_present(
    tx: &mut Tx,
    actor: &Actor,
    location_id: &str,
    max_present: i64,
) -> Result<()> {
    let before = lock_zone(tx, location_id).await?;
    sqlx::query("UPDATE queue_zones SET max_present = $2 WHERE location_id = $1")
        .bind(location_id)
        .bind(max_present)
        .execute(&mut **tx)
        .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "queue.zone.limit",
            record_type: "location",
            record_id: location_id,
            subject_user_id: None,
            before: Some(json!({ "max_present": before.max_present })),
            after: Some(json!({ "max_present": max_present })),
        },
    )
    .await
}

/// Corrects the head count (people who left without telling), audited.
pub async fn correct_present(
    tx: &mut Tx,
    actor: &Actor,
    location_id: &str,
    present: i64,
) -> Result<()> {
    let before = lock_zone(tx, location_id).await?;
    sqlx::query("UPDATE queue_zones SET present = $2 WHERE location_id = $1")
        .bind(location_id)
        .bind(present.max(0))
        .execute(&mut **tx)
        .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "queue.zone.correct",
            record_type: "location",
            record_id: location_id,
            subject_user_id: None,
            before: Some(json!({ "present": before.present })),
            after: Some(json!({ "present": present.max(0) })),
        },
    )
    .await
}

// ---- tickets ----

#[derive(Debug, Clone, Serialize)]
pub struct Ticket {
    pub id: String,
    pub location_id: String,
    pub service_id: String,
    pub day: String,
    pub number: String,
    pub kind: String,
    pub appointment_id: Option<String>,
    pub status: TicketStatus,
    pub due_at: Option<i64>,
    pub checked_in_at: i64,
    pub called_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub desk_id: Option<String>,
    pub recalls: i64,
    pub priority: bool,
    pub transferred_from: Option<String>,
    pub case_id: Option<String>,
    #[serde(skip)]
    pub token: String,
}

impl Ticket {
    pub fn waiting(&self) -> Waiting {
        Waiting {
            kind: match (self.kind.as_str(), self.due_at) {
                ("appointment", Some(due_ms)) => Kind::Appointment { due_ms },
                _ => Kind::WalkIn,
            },
            checked_in_ms: self.checked_in_at,
            priority: self.priority,
        }
    }

    /// Still in the building (counted in the zone).
    pub fn present(&self) -> bool {
        matches!(self.status, TicketStatus::Waiting | TicketStatus::Called)
    }
}

const COLUMNS: &str = "id, location_id, service_id, day, number, kind, appointment_id, status, due_at, \
     checked_in_at, called_at, finished_at, desk_id, recalls, priority, transferred_from, case_id, token";

fn decode(r: &sqlx::any::AnyRow) -> Result<Ticket> {
    Ok(Ticket {
        id: r.try_get("id")?,
        location_id: r.try_get("location_id")?,
        service_id: r.try_get("service_id")?,
        day: r.try_get("day")?,
        number: r.try_get("number")?,
        kind: r.try_get("kind")?,
        appointment_id: r.try_get("appointment_id")?,
        status: crate::status(r, "status")?,
        due_at: r.try_get("due_at")?,
        checked_in_at: r.try_get("checked_in_at")?,
        called_at: r.try_get("called_at")?,
        finished_at: r.try_get("finished_at")?,
        desk_id: r.try_get("desk_id")?,
        recalls: r.try_get("recalls")?,
        priority: r.try_get::<i64, _>("priority")? != 0,
        transferred_from: r.try_get("transferred_from")?,
        case_id: r.try_get("case_id")?,
        token: r.try_get("token")?,
    })
}

/// The letter of a service's ticket numbers.
pub async fn prefix_of(store: &Store, service_id: &str) -> Result<String> {
    let row = sqlx::query("SELECT ticket_prefix, name_nl FROM appt_services WHERE id = $1")
        .bind(service_id)
        .fetch_optional(store.pool())
        .await?;
    let Some(row) = row else {
        return Err(StoreError::NotFound);
    };
    let prefix: String = row.try_get("ticket_prefix")?;
    let name: String = row.try_get("name_nl")?;
    Ok(if prefix.is_empty() {
        rules::default_prefix(&name)
    } else {
        prefix
    })
}

/// Sets the letter of a service's ticket numbers (admin), audited.
pub async fn set_prefix(tx: &mut Tx, actor: &Actor, service_id: &str, prefix: &str) -> Result<()> {
    let done = sqlx::query("UPDATE appt_services SET ticket_prefix = $2 WHERE id = $1")
        .bind(service_id)
        .bind(prefix)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "queue.prefix",
            record_type: "counter_service",
            record_id: service_id,
            subject_user_id: None,
            before: None,
            after: Some(json!({ "ticket_prefix": prefix })),
        },
    )
    .await
}

async fn next_number(tx: &mut Tx, location_id: &str, day: &str, prefix: &str) -> Result<String> {
    let row = sqlx::query(
        "INSERT INTO queue_numbers (location_id, day, prefix, last) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (location_id, day, prefix) DO UPDATE SET last = queue_numbers.last + 1 \
         RETURNING last",
    )
    .bind(location_id)
    .bind(day)
    .bind(prefix)
    .fetch_one(&mut **tx)
    .await?;
    Ok(rules::ticket_number(prefix, row.try_get("last")?))
}

/// A new ticket, before it is written.
pub struct NewTicket<'a> {
    pub location_id: &'a str,
    pub service_id: &'a str,
    /// The local date, `YYYY-MM-DD`.
    pub day: &'a str,
    pub prefix: &'a str,
    /// The appointment checked in, or `None` for a walk-in.
    pub appointment: Option<(&'a str, i64)>,
    pub created_by: Option<&'a str>,
}

async fn insert_ticket(
    tx: &mut Tx,
    t: &NewTicket<'_>,
    number: &str,
    priority: bool,
    transferred_from: Option<&str>,
    case_id: Option<&str>,
) -> Result<Ticket> {
    let now = now_ms();
    let (kind, appointment_id, due_at) = match t.appointment {
        Some((id, due)) => ("appointment", Some(id.to_owned()), Some(due)),
        None => ("walk_in", None, None),
    };
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO queue_tickets (id, location_id, service_id, day, number, kind, appointment_id, status, \
         due_at, checked_in_at, called_at, finished_at, desk_id, recalls, priority, transferred_from, case_id, \
         token, created_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'waiting', $8, $9, NULL, NULL, NULL, 0, $10, $11, $12, $13, $14, $9) \
         RETURNING {COLUMNS}"
    )))
    .bind(new_id())
    .bind(t.location_id)
    .bind(t.service_id)
    .bind(t.day)
    .bind(number)
    .bind(kind)
    .bind(appointment_id)
    .bind(due_at)
    .bind(now)
    .bind(i64::from(priority))
    .bind(transferred_from.map(str::to_owned))
    .bind(case_id.map(str::to_owned))
    .bind(new_secret())
    .bind(t.created_by.map(str::to_owned))
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| crate::unique_to_field(e, "code", "queue-already-checked-in"))?;
    decode(&row)
}

/// Checks in an appointment or hands out a walk-in ticket, counting the
/// visitor into the zone: appointments always, walk-ins only while the
/// zone has room (else `queue-zone-full`). A second check-in of one
/// appointment is refused (`queue-already-checked-in`).
pub async fn check_in(tx: &mut Tx, actor: &Actor, t: NewTicket<'_>) -> Result<(Ticket, Zone)> {
    lock_zone(tx, t.location_id).await?;
    if let Some((appointment_id, _)) = t.appointment {
        let existing = sqlx::query("SELECT number FROM queue_tickets WHERE appointment_id = $1")
            .bind(appointment_id)
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(r) = existing {
            let number: String = r.try_get("number")?;
            return Err(Invalid(vec![FieldError::with_value(
                "code",
                "queue-already-checked-in",
                number,
            )])
            .into());
        }
    }
    // An appointment always gets in; a walk-in only while there is room.
    let limited = t.appointment.is_none();
    let Some(row) =
        capacity::take_returning(tx, &ZONES, t.location_id, 0, limited, ZONE_COLUMNS).await?
    else {
        return Err(Invalid::one("service", "queue-zone-full").into());
    };
    let zone = decode_zone(&row)?;
    let number = next_number(tx, t.location_id, t.day, t.prefix).await?;
    let ticket = insert_ticket(tx, &t, &number, false, None, None).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: if t.appointment.is_some() {
                "queue.check_in"
            } else {
                "queue.walk_in"
            },
            record_type: "queue_ticket",
            record_id: &ticket.id,
            subject_user_id: None,
            before: None,
            after: Some(json!({
                "number": ticket.number, "service_id": ticket.service_id,
                "appointment_id": ticket.appointment_id, "present": zone.present,
            })),
        },
    )
    .await?;
    Ok((ticket, zone))
}

pub async fn get(store: &Store, id: &str) -> Result<Option<Ticket>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM queue_tickets WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode).transpose()
}

async fn get_in(tx: &mut Tx, id: &str) -> Result<Option<Ticket>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM queue_tickets WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(decode).transpose()
}

/// The tickets of a location on a local date, in check-in order.
pub async fn of_day(store: &Store, location_id: &str, day: &str) -> Result<Vec<Ticket>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM queue_tickets WHERE location_id = $1 AND day = $2 \
         ORDER BY checked_in_at, id"
    )))
    .bind(location_id)
    .bind(day)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode).collect()
}

/// The tickets of a location checked in between two instants (statistics).
pub async fn between(store: &Store, location_id: &str, from: i64, to: i64) -> Result<Vec<Ticket>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM queue_tickets WHERE ($1 = '' OR location_id = $1) \
         AND checked_in_at >= $2 AND checked_in_at < $3 ORDER BY checked_in_at, id"
    )))
    .bind(location_id)
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode).collect()
}

/// The visitor a desk is serving now.
pub async fn current_of_desk(store: &Store, desk_id: &str) -> Result<Option<Ticket>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM queue_tickets WHERE desk_id = $1 AND status = 'called'"
    )))
    .bind(desk_id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode).transpose()
}

/// The last tickets called at a location today, newest first.
pub async fn last_called(
    store: &Store,
    location_id: &str,
    day: &str,
    limit: i64,
) -> Result<Vec<Ticket>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM queue_tickets WHERE location_id = $1 AND day = $2 \
         AND called_at IS NOT NULL AND status IN ('called', 'served', 'no_show') \
         ORDER BY called_at DESC, id DESC LIMIT $3"
    )))
    .bind(location_id)
    .bind(day)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode).collect()
}

/// What a location's displays show, read in one query.
#[derive(Debug, Clone)]
pub struct Board {
    pub version: i64,
    pub present: i64,
    pub max_present: i64,
    pub waiting: i64,
    /// The last calls of the day, newest first: number, desk name (or
    /// ''), called at (unix ms), recalls.
    pub called: Vec<(String, String, i64, i64)>,
}

/// The displays' state of `location_id` on `day` if its version is not
/// `seen`, else `None`, in **one** query: the zone row (whose version
/// every change of the location's queue raises), the waiting count, and
/// the last `limit` calls with their desks' names. A display feed polls
/// this, so an unchanged queue costs one primary-key read per poll, and a
/// changed one no more. `None` also before the location's first change.
pub async fn board_if_changed(
    store: &Store,
    location_id: &str,
    day: &str,
    seen: i64,
    limit: i64,
) -> Result<Option<Board>> {
    let rows = sqlx::query(
        "SELECT z.version, z.present, z.max_present, \
           (SELECT COUNT(*) FROM queue_tickets w WHERE w.location_id = $1 AND w.day = $2 \
            AND w.status = 'waiting') AS waiting, \
           c.number, c.called_at, c.recalls, d.name AS desk_name \
         FROM queue_zones z \
         LEFT JOIN (SELECT id, number, called_at, recalls, desk_id FROM queue_tickets \
                    WHERE location_id = $1 AND day = $2 AND called_at IS NOT NULL \
                    AND status IN ('called', 'served', 'no_show') \
                    ORDER BY called_at DESC, id DESC LIMIT $4) c ON 1 = 1 \
         LEFT JOIN appt_desks d ON d.id = c.desk_id \
         WHERE z.location_id = $1 AND z.version <> $3 \
         ORDER BY c.called_at DESC, c.id DESC",
    )
    .bind(location_id)
    .bind(day)
    .bind(seen)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut called = Vec::new();
    for r in &rows {
        if let Some(number) = r.try_get::<Option<String>, _>("number")? {
            called.push((
                number,
                r.try_get::<Option<String>, _>("desk_name")?
                    .unwrap_or_default(),
                r.try_get::<Option<i64>, _>("called_at")?
                    .unwrap_or_default(),
                r.try_get::<Option<i64>, _>("recalls")?.unwrap_or_default(),
            ));
        }
    }
    Ok(Some(Board {
        version: first.try_get("version")?,
        present: first.try_get("present")?,
        max_present: first.try_get("max_present")?,
        waiting: first.try_get("waiting")?,
        called,
    }))
}

/// Average time from call to served of the last visits of a service at a
/// location, or `None` before the first.
pub async fn avg_service_ms(
    store: &Store,
    location_id: &str,
    service_id: &str,
) -> Result<Option<i64>> {
    let rows = sqlx::query(
        "SELECT finished_at - called_at AS service_ms FROM queue_tickets WHERE location_id = $1 AND service_id = $2 \
         AND status IN ('served', 'transferred') AND called_at IS NOT NULL AND finished_at IS NOT NULL \
         ORDER BY finished_at DESC LIMIT 20",
    )
    .bind(location_id)
    .bind(service_id)
    .fetch_all(store.pool())
    .await?;
    let xs: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get::<i64, _>("service_ms"))
        .collect::<std::result::Result<_, _>>()?;
    Ok((!xs.is_empty()).then(|| xs.iter().sum::<i64>() / xs.len() as i64))
}

/// Why a desk could not call.
pub const DESK_BUSY: &str = "queue-desk-busy";

/// Calls the next visitor to a desk, by the calling rule, among the
/// waiting tickets of the services the desk handles. `None` when nobody
/// waits. A desk that is still serving someone must finish first.
pub async fn call_next(
    tx: &mut Tx,
    actor: &Actor,
    location_id: &str,
    desk_id: &str,
    services: &[String],
    rules_: &CallRules,
) -> Result<Option<Ticket>> {
    let zone = lock_zone(tx, location_id).await?;
    let busy =
        sqlx::query("SELECT number FROM queue_tickets WHERE desk_id = $1 AND status = 'called'")
            .bind(desk_id)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(r) = busy {
        let number: String = r.try_get("number")?;
        return Err(Invalid(vec![FieldError::with_value("desk", DESK_BUSY, number)]).into());
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM queue_tickets WHERE location_id = $1 AND status = 'waiting' \
         ORDER BY checked_in_at, id"
    )))
    .bind(location_id)
    .fetch_all(&mut **tx)
    .await?;
    let candidates: Vec<Ticket> = rows
        .iter()
        .map(decode)
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|t| services.contains(&t.service_id))
        .collect();
    let waiting: Vec<Waiting> = candidates.iter().map(Ticket::waiting).collect();
    let in_row = u32::try_from(zone.appointments_in_row).unwrap_or(u32::MAX);
    let Some(i) = rules::pick_next(&waiting, now_ms(), rules_, in_row) else {
        return Ok(None);
    };
    let picked = &candidates[i];
    let now = now_ms();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE queue_tickets SET status = 'called', desk_id = $2, called_at = $3, updated_at = $3 \
         WHERE id = $1 AND status = 'waiting' RETURNING {COLUMNS}"
    )))
    .bind(&picked.id)
    .bind(desk_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await
    .map_err(|e| crate::unique_to_field(e, "desk", DESK_BUSY))?;
    let Some(row) = row else {
        // Serialised by the zone lock, so this cannot happen; refuse
        // rather than call a visitor twice.
        return Err(Invalid::one("desk", "queue-nobody-waiting").into());
    };
    let called = decode(&row)?;
    let in_row = if called.kind == "walk_in" {
        0
    } else {
        zone.appointments_in_row + 1
    };
    sqlx::query("UPDATE queue_zones SET appointments_in_row = $2 WHERE location_id = $1")
        .bind(location_id)
        .bind(in_row)
        .execute(&mut **tx)
        .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "queue.call",
            record_type: "queue_ticket",
            record_id: &called.id,
            subject_user_id: None,
            before: None,
            after: Some(json!({ "number": called.number, "desk_id": desk_id })),
        },
    )
    .await?;
    Ok(Some(called))
}

/// Calls the desk's current visitor again (the display shows it anew).
pub async fn recall(tx: &mut Tx, actor: &Actor, ticket: &Ticket, desk_id: &str) -> Result<Ticket> {
    lock_zone(tx, &ticket.location_id).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE queue_tickets SET recalls = recalls + 1, updated_at = $3 \
         WHERE id = $1 AND desk_id = $2 AND status = 'called' RETURNING {COLUMNS}"
    )))
    .bind(&ticket.id)
    .bind(desk_id)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Err(Invalid::one("ticket", "queue-not-called").into());
    };
    let t = decode(&row)?;
    audit::record(
        tx,
        actor,
        Change {
            action: "queue.recall",
            record_type: "queue_ticket",
            record_id: &t.id,
            subject_user_id: None,
            before: None,
            after: Some(json!({ "recalls": t.recalls })),
        },
    )
    .await?;
    Ok(t)
}

/// How a visit ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Served,
    NoShow,
    /// Left while waiting (staff saw them go).
    Left,
}

impl Outcome {
    pub fn status(self) -> TicketStatus {
        match self {
            Outcome::Served => TicketStatus::Served,
            Outcome::NoShow => TicketStatus::NoShow,
            Outcome::Left => TicketStatus::Left,
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "served" => Some(Outcome::Served),
            "no_show" | "no-show" => Some(Outcome::NoShow),
            "left" => Some(Outcome::Left),
            _ => None,
        }
    }
}

/// Ends a visit and counts the visitor out of the zone. Served and no-show
/// end a call at `desk_id`; left ends a waiting ticket. For an appointment
/// the appointment is marked served, or a no-show (counted against the
/// resident) by the caller.
pub async fn finish(
    tx: &mut Tx,
    actor: &Actor,
    ticket_id: &str,
    desk_id: Option<&str>,
    outcome: Outcome,
) -> Result<Ticket> {
    let Some(t) = get_in(tx, ticket_id).await? else {
        return Err(StoreError::NotFound);
    };
    lock_zone(tx, &t.location_id).await?;
    let now = now_ms();
    let row = match outcome {
        Outcome::Served | Outcome::NoShow => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE queue_tickets SET status = $3, finished_at = $4, updated_at = $4 \
                 WHERE id = $1 AND desk_id = $2 AND status = 'called' RETURNING {COLUMNS}"
            )))
            .bind(ticket_id)
            .bind(desk_id.unwrap_or_default())
            .bind(outcome.status().as_str())
            .bind(now)
            .fetch_optional(&mut **tx)
            .await?
        }
        Outcome::Left => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE queue_tickets SET status = 'left', finished_at = $2, updated_at = $2 \
                 WHERE id = $1 AND status = 'waiting' RETURNING {COLUMNS}"
            )))
            .bind(ticket_id)
            .bind(now)
            .fetch_optional(&mut **tx)
            .await?
        }
    };
    let Some(row) = row else {
        return Err(Invalid::one(
            "ticket",
            if outcome == Outcome::Left {
                "queue-not-waiting"
            } else {
                "queue-not-called"
            },
        )
        .into());
    };
    let done = decode(&row)?;
    count_out(tx, &done.location_id).await?;
    if outcome == Outcome::Served
        && let Some(appointment_id) = &done.appointment_id
    {
        sqlx::query(
            "UPDATE appointments SET status = 'served', updated_at = $2 WHERE id = $1 AND status = 'booked'",
        )
        .bind(appointment_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    audit::record(
        tx,
        actor,
        Change {
            action: match outcome {
                Outcome::Served => "queue.served",
                Outcome::NoShow => "queue.no_show",
                Outcome::Left => "queue.left",
            },
            record_type: "queue_ticket",
            record_id: &done.id,
            subject_user_id: None,
            before: Some(json!({ "status": t.status })),
            after: Some(json!({ "status": done.status })),
        },
    )
    .await?;
    Ok(done)
}

async fn count_out(tx: &mut Tx, location_id: &str) -> Result<()> {
    capacity::free(tx, &ZONES, location_id, 0).await
}

/// Sends the desk's current visitor on to another service: this visit is
/// closed as transferred and a new ticket with the same number waits for
/// the other service, ahead of other walk-ins. The visitor stays counted.
pub async fn transfer(
    tx: &mut Tx,
    actor: &Actor,
    ticket_id: &str,
    desk_id: &str,
    to_service_id: &str,
) -> Result<Ticket> {
    let Some(t) = get_in(tx, ticket_id).await? else {
        return Err(StoreError::NotFound);
    };
    lock_zone(tx, &t.location_id).await?;
    if t.service_id == to_service_id {
        return Err(Invalid::one("service", "queue-transfer-same").into());
    }
    let now = now_ms();
    let closed = sqlx::query(
        "UPDATE queue_tickets SET status = 'transferred', finished_at = $3, updated_at = $3 \
         WHERE id = $1 AND desk_id = $2 AND status = 'called' RETURNING id",
    )
    .bind(ticket_id)
    .bind(desk_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    if closed.is_none() {
        return Err(Invalid::one("ticket", "queue-not-called").into());
    }
    let new = NewTicket {
        location_id: &t.location_id,
        service_id: to_service_id,
        day: &t.day,
        prefix: "",
        appointment: None,
        created_by: actor.user_id(),
    };
    let moved = insert_ticket(tx, &new, &t.number, true, Some(&t.id), t.case_id.as_deref()).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "queue.transfer",
            record_type: "queue_ticket",
            record_id: &t.id,
            subject_user_id: None,
            before: Some(json!({ "service_id": t.service_id })),
            after: Some(json!({ "service_id": to_service_id, "ticket": moved.id })),
        },
    )
    .await?;
    Ok(moved)
}

/// Links a visit to a case (and its appointment, if any).
pub async fn link_case(tx: &mut Tx, actor: &Actor, ticket: &Ticket, case_id: &str) -> Result<()> {
    let now = now_ms();
    sqlx::query("UPDATE queue_tickets SET case_id = $2, updated_at = $3 WHERE id = $1")
        .bind(&ticket.id)
        .bind(case_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    if let Some(a) = &ticket.appointment_id {
        sqlx::query("UPDATE appointments SET case_id = $2, updated_at = $3 WHERE id = $1")
            .bind(a)
            .bind(case_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "queue.link_case",
            record_type: "queue_ticket",
            record_id: &ticket.id,
            subject_user_id: None,
            before: ticket.case_id.as_ref().map(|c| json!({ "case_id": c })),
            after: Some(json!({ "case_id": case_id })),
        },
    )
    .await
}

/// Closes the tickets of earlier days that are still open (the building
/// closed): waiting ones as left, called ones as served, and counts them
/// out. Returns how many.
pub async fn close_past_days(store: &Store, today: &str) -> Result<u64> {
    let rows = sqlx::query(
        "SELECT DISTINCT location_id FROM queue_tickets WHERE day < $1 AND status IN ('waiting', 'called')",
    )
    .bind(today)
    .fetch_all(store.pool())
    .await?;
    let mut total = 0;
    for r in rows {
        let location_id: String = r.try_get("location_id")?;
        let mut tx = store.begin().await?;
        lock_zone(&mut tx, &location_id).await?;
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE queue_tickets SET status = CASE WHEN status = 'called' THEN 'served' ELSE 'left' END, \
             finished_at = $3, updated_at = $3 \
             WHERE location_id = $1 AND day < $2 AND status IN ('waiting', 'called')",
        )
        .bind(&location_id)
        .bind(today)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let present: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM queue_tickets WHERE location_id = $1 AND status IN ('waiting', 'called')",
        )
        .bind(&location_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        sqlx::query(
            "UPDATE queue_zones SET present = $2, appointments_in_row = 0 WHERE location_id = $1",
        )
        .bind(&location_id)
        .bind(present)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            &Actor::System,
            Change {
                action: "queue.close_day",
                record_type: "location",
                record_id: &location_id,
                subject_user_id: None,
                before: None,
                after: Some(json!({ "closed": n, "present": present })),
            },
        )
        .await?;
        tx.commit().await?;
        total += n;
    }
    Ok(total)
}

/// People waiting before a ticket for the same service (its place in line
/// by the calling rule is approximated by check-in order, with due
/// appointments first).
pub async fn ahead_of(store: &Store, t: &Ticket) -> Result<usize> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM queue_tickets WHERE location_id = $1 AND service_id = $2 AND status = 'waiting'"
    )))
    .bind(&t.location_id)
    .bind(&t.service_id)
    .fetch_all(store.pool())
    .await?;
    let mine = t.due_at.unwrap_or(t.checked_in_at);
    let mut n = 0;
    for r in &rows {
        let o = decode(r)?;
        if o.id == t.id {
            continue;
        }
        let theirs = o.due_at.unwrap_or(o.checked_in_at);
        if (o.priority && !t.priority) || theirs < mine || (theirs == mine && o.id < t.id) {
            n += 1;
        }
    }
    Ok(n)
}

/// The number of desks at a location that handle a service.
pub async fn desks_for(store: &Store, location_id: &str, service_id: &str) -> Result<usize> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM appt_desks d JOIN appt_desk_services s ON s.desk_id = d.id \
         WHERE d.location_id = $1 AND s.service_id = $2 AND d.active = 1",
    )
    .bind(location_id)
    .bind(service_id)
    .fetch_one(store.pool())
    .await?;
    let n: i64 = row.try_get("n")?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// The services a desk handles.
pub async fn desk_services(store: &Store, desk_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT service_id FROM appt_desk_services WHERE desk_id = $1")
        .bind(desk_id)
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|r| {
            r.try_get::<String, _>("service_id")
                .map_err(StoreError::from)
        })
        .collect()
}

/// Per location, the tickets of `day` still waiting to be called: the
/// counter's work screen.
pub async fn waiting_per_location(store: &Store, day: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT location_id, COUNT(*) AS n FROM queue_tickets \
         WHERE day = $1 AND status = 'waiting' GROUP BY location_id",
    )
    .bind(day)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("location_id")?, r.try_get("n")?)))
        .collect()
}
