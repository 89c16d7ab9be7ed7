//! Many bookings in one transaction (group commit), with a fixed number of
//! statements whatever their count.
//!
//! [`book`] spends six statements on one booking (on PostgreSQL seven),
//! each a round trip to the database (or, on SQLite, a hop to sqlx's
//! connection thread and back). [`book_batch`] writes a batch of bookings
//! with seven statements (eight on PostgreSQL) in all:
//!
//! 1. PostgreSQL only: the residents' rows in `appt_identities` are
//!    created or touched, which locks them, in the order of their ids (so
//!    two batches on two instances cannot deadlock);
//! 2. their booked appointments are counted per service (after the locks:
//!    read committed takes a fresh snapshot per statement);
//! 3. the slots' rows are created or locked with `INSERT … ON CONFLICT DO
//!    UPDATE … RETURNING`, which returns each row's *current* `booked` and
//!    `capacity` (on PostgreSQL the latest committed version, locked);
//! 4. the bookings are decided in Rust in their order, as if one after
//!    the other: the resident's limit, then a place in the slot (first
//!    come, first served);
//! 5. `booked` is raised by what each slot gave, guarded by `booked + n <=
//!    capacity` (the statement fails the batch if a row does not match);
//! 6. the appointments, their audit rows and their confirmations (the
//!    outbox rows) are written with one multi-row `INSERT` each.
//!
//! The rules are those of [`book`]: the limit per resident and service,
//! then a place in the slot. A refused booking takes nothing (its slot's
//! row may be created, with no place taken, as a cancelled booking leaves it).

use super::*;
use crate::{Rows, notify};
use loket_domain::notify::{Attachment, Mail};

/// One booking of a batch: what [`book`] takes, who books, and the
/// confirmation to queue with it.
pub struct BatchBooking<'a> {
    pub actor: &'a Actor,
    pub booking: NewBooking<'a>,
    pub mail: Option<(&'a Mail, Option<&'a Attachment>)>,
}

/// Rows per multi-row statement, at most: runs of a power of two
/// ([`crate::Rows`]), so that they stay prepared. At most 13 values a
/// row: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
const RUN: usize = 128;

/// `$first, $first+1, …` (`n` parameters).
fn list(n: usize, first: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Step 1, PostgreSQL only: the residents' rows, created or touched (which locks them).
const IDENTITIES: Rows<'static> = Rows::new(
    "INSERT INTO appt_identities (resident_id, touched_at, no_shows)",
    2,
)
.tail(", 0")
.after("ON CONFLICT (resident_id) DO UPDATE SET touched_at = excluded.touched_at");

/// Step 3: the slots' rows, created or locked, returning their current counts.
const SLOTS: Rows<'static> = Rows::new(
    "INSERT INTO appt_slots (id, service_id, location_id, starts_at, ends_at, capacity, booked)",
    6,
)
.tail(", 0")
.after(
    "ON CONFLICT (service_id, location_id, starts_at) DO UPDATE SET booked = appt_slots.booked \
     RETURNING id, service_id, location_id, starts_at, booked, capacity",
);

/// Step 5: the slots' counts, each raised by what it gave (`column1` the slot's
/// id, `column2` the places taken), guarded by the capacity. Both databases
/// name a `VALUES` list's columns `column1`, `column2`, ….
const COUNTS: Rows<'static> = Rows::new(
    "UPDATE appt_slots SET booked = appt_slots.booked + v.column2 FROM (",
    2,
)
.after(
    ") AS v WHERE appt_slots.id = v.column1 \
     AND appt_slots.booked + v.column2 <= appt_slots.capacity",
);

/// Step 6: the appointments.
const APPOINTMENTS: Rows<'static> = Rows::new(
    "INSERT INTO appointments (id, code, slot_id, service_id, location_id, starts_at, ends_at, \
     resident_id, channel, booked_by, remind_at, created_at, updated_at, status, sequence)",
    13,
)
.tail(", 'booked', 0");

type SlotKey = (String, String, i64);

/// Books every booking it can of `items`, in their order, in the caller's
/// transaction. Returns per booking its appointment, or why it was refused
/// (`appt-limit-reached` on `service`, `appt-slot-full` on `start`). An
/// error of the database fails the whole batch: the caller rolls back.
pub async fn book_batch(
    tx: &mut Tx,
    items: &[BatchBooking<'_>],
) -> Result<Vec<std::result::Result<Appointment, Invalid>>> {
    let now = now_ms();
    let mut out: Vec<Option<std::result::Result<Appointment, Invalid>>> =
        items.iter().map(|_| None).collect();
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let residents: Vec<&str> = items
        .iter()
        .map(|i| i.booking.resident_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();

    let backend = crate::Backend::of(tx);
    // 1. The residents' locks (PostgreSQL; SQLite runs one writer at a time).
    if !backend.serialises_writes() {
        IDENTITIES
            .execute(tx, &residents, RUN, |q, r| q.bind(*r).bind(now))
            .await?;
    }

    // 2. What each resident holds per service.
    let mut held: HashMap<(String, String), i64> = HashMap::new();
    for chunk in residents.chunks(RUN) {
        // Padded to a power of two: a few shapes, each prepared once.
        let keys = crate::padded(chunk);
        let sql = format!(
            "SELECT resident_id, service_id, COUNT(*) AS n FROM appointments \
             WHERE starts_at > $1 AND resident_id IN ({}) AND status = 'booked' \
             GROUP BY resident_id, service_id",
            list(keys.len(), 2)
        );
        let sql = crate::positional(backend, sql);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
        for r in keys {
            q = q.bind(*r);
        }
        for row in q.fetch_all(&mut **tx).await? {
            held.insert(
                (row.try_get("resident_id")?, row.try_get("service_id")?),
                row.try_get("n")?,
            );
        }
    }
    // Bookings of a slot without desks are refused without a row.
    let mut wants: Vec<usize> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.booking.capacity < 1 {
            out[i] = Some(Err(Invalid::one("start", "appt-slot-full")));
        } else {
            wants.push(i);
        }
    }

    // 3. The slots' rows, created or locked, with their current counts.
    let key = |i: usize| -> SlotKey {
        let b = &items[i].booking;
        (
            b.service.id.clone(),
            b.location.id.clone(),
            b.slot.start_ms(),
        )
    };
    let mut first_of: std::collections::BTreeMap<SlotKey, usize> = Default::default();
    for &i in &wants {
        first_of.entry(key(i)).or_insert(i);
    }
    let slots: Vec<(SlotKey, usize)> = first_of.into_iter().collect();
    // Per slot key: (row id, booked, capacity).
    let mut rows: HashMap<SlotKey, (String, i64, i64)> = HashMap::new();
    let upserted = SLOTS
        .fetch(tx, &slots, RUN, |q, ((service, location, start), i)| {
            let b = &items[*i].booking;
            q.bind(new_id())
                .bind(service.as_str())
                .bind(location.as_str())
                .bind(*start)
                .bind(b.slot.end_ms())
                .bind(b.capacity)
        })
        .await?;
    for row in upserted {
        rows.insert(
            (
                row.try_get("service_id")?,
                row.try_get("location_id")?,
                row.try_get("starts_at")?,
            ),
            (
                row.try_get("id")?,
                row.try_get("booked")?,
                row.try_get("capacity")?,
            ),
        );
    }

    // 4. In their order, as if one after the other: the resident's limit,
    // then a place in the slot.
    let mut taken: std::collections::BTreeMap<String, i64> = Default::default();
    let mut booked: Vec<(usize, String)> = Vec::new();
    for &i in &wants {
        let b = &items[i].booking;
        let n = held
            .entry((b.resident_id.to_owned(), b.service.id.clone()))
            .or_insert(0);
        if *n >= b.max_per_service {
            out[i] = Some(Err(Invalid(vec![FieldError::with_value(
                "service",
                "appt-limit-reached",
                b.max_per_service.to_string(),
            )])));
            continue;
        }
        let Some((id, count, capacity)) = rows.get_mut(&key(i)) else {
            return Err(StoreError::Db(sqlx::Error::Protocol(
                "a slot's row did not come back from its upsert".to_owned(),
            )));
        };
        if *count < *capacity {
            *count += 1;
            *n += 1;
            *taken.entry(id.clone()).or_insert(0) += 1;
            booked.push((i, id.clone()));
        } else {
            out[i] = Some(Err(Invalid::one("start", "appt-slot-full")));
        }
    }

    // 5. The slots' counts. The guard cannot fail while the rows are
    // locked (or the writer is alone); if it did, the batch fails whole.
    let taken: Vec<(String, i64)> = taken.into_iter().collect();
    let done = COUNTS
        .execute(tx, &taken, RUN, |q, (id, n)| q.bind(id.as_str()).bind(*n))
        .await?;
    if done != taken.len() as u64 {
        return Err(StoreError::Db(sqlx::Error::Protocol(format!(
            "{} of {} slots took their places",
            done,
            taken.len()
        ))));
    }

    // 6. The appointments, their audit rows and their confirmations.
    let mut made: Vec<(usize, Appointment)> = Vec::with_capacity(booked.len());
    for (i, slot_id) in booked {
        let b = &items[i].booking;
        made.push((
            i,
            Appointment {
                id: b.id.to_owned(),
                code: b.code.to_owned(),
                slot_id,
                service_id: b.service.id.clone(),
                location_id: b.location.id.clone(),
                starts_at: b.slot.start_ms(),
                ends_at: b.slot.end_ms(),
                resident_id: b.resident_id.to_owned(),
                status: AppointmentStatus::Booked,
                channel: b.channel.to_owned(),
                booked_by: b.booked_by.map(str::to_owned),
                sequence: 0,
                remind_at: b.remind_at,
                reminder_sent_at: None,
                created_at: now,
                updated_at: now,
            },
        ));
    }
    APPOINTMENTS
        .execute(tx, &made, RUN, |q, (_, a)| {
            q.bind(a.id.as_str())
                .bind(a.code.as_str())
                .bind(a.slot_id.as_str())
                .bind(a.service_id.as_str())
                .bind(a.location_id.as_str())
                .bind(a.starts_at)
                .bind(a.ends_at)
                .bind(a.resident_id.as_str())
                .bind(a.channel.as_str())
                .bind(a.booked_by.clone())
                .bind(a.remind_at)
                .bind(a.created_at)
                .bind(a.updated_at)
        })
        .await?;
    let changes: Vec<(&Actor, Change<'_>)> = made
        .iter()
        .map(|(i, a)| {
            let b = &items[*i].booking;
            (
                items[*i].actor,
                Change {
                    action: "appointment.book",
                    record_type: "appointment",
                    record_id: &a.id,
                    subject_user_id: Some(b.resident_id),
                    before: None,
                    after: Some(json!({
                        "service": b.service.slug, "location": b.location.slug,
                        "starts_at": a.starts_at, "channel": b.channel,
                    })),
                },
            )
        })
        .collect();
    audit::record_many(tx, &changes).await?;
    let mails: Vec<(&Mail, Option<&Attachment>)> =
        made.iter().filter_map(|(i, _)| items[*i].mail).collect();
    notify::enqueue_many(tx, &mails).await?;

    for (i, a) in made {
        out[i] = Some(Ok(a));
    }
    out.into_iter()
        .map(|r| {
            r.ok_or_else(|| {
                StoreError::Db(sqlx::Error::Protocol(
                    "a booking of the batch was not decided".to_owned(),
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_number_their_parameters_in_order() {
        assert_eq!(list(3, 2), "$2, $3, $4");
    }
}
