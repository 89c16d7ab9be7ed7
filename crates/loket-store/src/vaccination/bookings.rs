//! Bookings: taking and freeing a place, moving, cancelling, reminders.

use super::*;

#[derive(Debug, Clone, Serialize)]
pub struct Booking {
    pub id: String,
    pub invitation_id: String,
    pub campaign_id: String,
    pub slot_id: String,
    pub starts_at: i64,
    pub ends_at: i64,
    /// `booked`, `cancelled`, `checked_in` or `no_show`.
    pub status: BookingStatus,
    pub channel: String,
    pub sequence: i64,
}

pub(super) const BOOKING_COLS: &str =
    "id, invitation_id, campaign_id, slot_id, starts_at, ends_at, status, channel, sequence";

pub(super) fn decode_booking(r: &AnyRow) -> Result<Booking> {
    Ok(Booking {
        id: r.try_get("id")?,
        invitation_id: r.try_get("invitation_id")?,
        campaign_id: r.try_get("campaign_id")?,
        slot_id: r.try_get("slot_id")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        status: crate::status(r, "status")?,
        channel: r.try_get("channel")?,
        sequence: r.try_get("sequence")?,
    })
}

/// The invitation's booked or checked-in booking (at most one: a partial
/// unique index).
pub(super) fn active_booking_sql() -> String {
    format!(
        "SELECT {BOOKING_COLS} FROM vac_bookings WHERE invitation_id = $1 AND status IN ('booked', 'checked_in')"
    )
}

pub async fn active_booking(store: &Store, invitation_id: &str) -> Result<Option<Booking>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(active_booking_sql()))
        .bind(invitation_id)
        .fetch_optional(store.pool())
        .await?;
    row.as_ref().map(decode_booking).transpose()
}

pub(super) async fn active_booking_tx(tx: &mut Tx, invitation_id: &str) -> Result<Option<Booking>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(active_booking_sql()))
        .bind(invitation_id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(decode_booking).transpose()
}

/// Locks the invitation's row for the rest of the transaction and returns
/// it as it is now.
pub(super) async fn lock_invitation(tx: &mut Tx, id: &str) -> Result<Invitation> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE vac_invitations SET updated_at = $2 WHERE id = $1 RETURNING {INV_COLS}"
    )))
    .bind(id)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref()
        .map(decode_inv)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

/// Books a place for an invitation: the invitation locked, no other active
/// booking, then a place taken in the slot, all in the caller's transaction.
pub async fn book(
    tx: &mut Tx,
    actor: &Actor,
    campaign: &Campaign,
    invitation_id: &str,
    slot: &Slot,
    channel: &str,
) -> Result<Booking> {
    let inv = lock_invitation(tx, invitation_id).await?;
    match inv.status {
        InvitationStatus::Cancelled => return Err(invalid("code", "vac-code-cancelled")),
        InvitationStatus::Vaccinated => return Err(invalid("code", "vac-code-used")),
        InvitationStatus::Invited | InvitationStatus::Booked => {}
    }
    if active_booking_tx(tx, &inv.id).await?.is_some() {
        return Err(invalid("start", "vac-already-booked"));
    }
    let slot_id = take_place(
        tx,
        &campaign.service_id,
        &campaign.location_id,
        slot,
        campaign.capacity(),
    )
    .await?;
    insert_booking(tx, actor, campaign, &inv, &slot_id, slot, channel).await
}

pub(super) async fn insert_booking(
    tx: &mut Tx,
    actor: &Actor,
    campaign: &Campaign,
    inv: &Invitation,
    slot_id: &str,
    slot: &Slot,
    channel: &str,
) -> Result<Booking> {
    let now = now_ms();
    let id = new_id();
    let tz = loket_domain::appointments::brussels();
    let remind_at = loket_domain::appointments::remind_at(slot.start_ms(), &tz);
    let booked_by = actor.user_id().map(str::to_owned);
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO vac_bookings (id, invitation_id, campaign_id, slot_id, starts_at, ends_at, status, channel, \
         booked_by, sequence, remind_at, reminder_sent_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7, $8, 0, $9, NULL, $10, $10) RETURNING {BOOKING_COLS}"
    )))
    .bind(&id)
    .bind(&inv.id)
    .bind(&campaign.id)
    .bind(slot_id)
    .bind(slot.start_ms())
    .bind(slot.end_ms())
    .bind(channel)
    .bind(booked_by)
    .bind(remind_at)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let booking = decode_booking(&row)?;
    sqlx::query("UPDATE vac_invitations SET status = 'booked', updated_at = $2 WHERE id = $1")
        .bind(&inv.id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    bump(tx, &campaign.id).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "vaccination.book",
            record_type: "vac_booking",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({
                "invitation": inv.id, "starts_at": booking.starts_at, "channel": channel,
            })),
        },
    )
    .await?;
    Ok(booking)
}

/// Moves a booking to another slot: the new place taken, the old freed,
/// the sequence raised (the calendar file updates the same event).
pub async fn reschedule(
    tx: &mut Tx,
    actor: &Actor,
    campaign: &Campaign,
    booking: &Booking,
    slot: &Slot,
) -> Result<Booking> {
    lock_invitation(tx, &booking.invitation_id).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BOOKING_COLS} FROM vac_bookings WHERE id = $1"
    )))
    .bind(&booking.id)
    .fetch_one(&mut **tx)
    .await?;
    let current = decode_booking(&row)?;
    if current.status != BookingStatus::Booked {
        return Err(invalid("start", "vac-booking-not-active"));
    }
    if current.starts_at == slot.start_ms() {
        return Err(invalid("start", "vac-same-slot"));
    }
    let slot_id = take_place(
        tx,
        &campaign.service_id,
        &campaign.location_id,
        slot,
        campaign.capacity(),
    )
    .await?;
    free_place(tx, &current.slot_id).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE vac_bookings SET slot_id = $2, starts_at = $3, ends_at = $4, sequence = sequence + 1, remind_at = $5, \
         reminder_sent_at = NULL, reminder_skipped_at = NULL, updated_at = $6 WHERE id = $1 RETURNING {BOOKING_COLS}"
    )))
    .bind(&current.id)
    .bind(&slot_id)
    .bind(slot.start_ms())
    .bind(slot.end_ms())
    .bind(loket_domain::appointments::remind_at(
        slot.start_ms(),
        &loket_domain::appointments::brussels(),
    ))
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    let updated = decode_booking(&row)?;
    bump(tx, &campaign.id).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "vaccination.reschedule",
            record_type: "vac_booking",
            record_id: &current.id,
            subject_user_id: None,
            before: Some(json!({"starts_at": current.starts_at})),
            after: Some(json!({"starts_at": updated.starts_at})),
        },
    )
    .await?;
    Ok(updated)
}

/// Cancels a booking and frees its place (offered to the reserve list by
/// the worker). The sequence is raised, so the
/// cancelling calendar file supersedes the one that booked (calendar
/// clients ignore a CANCEL with a lower SEQUENCE than they hold).
pub async fn cancel_booking(tx: &mut Tx, actor: &Actor, booking: &Booking) -> Result<Booking> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE vac_bookings SET status = 'cancelled', sequence = sequence + 1, updated_at = $2 WHERE id = $1 AND status = 'booked' \
         RETURNING {BOOKING_COLS}"
    )))
    .bind(&booking.id)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(b) = row.as_ref().map(decode_booking).transpose()? else {
        return Err(invalid("start", "vac-booking-not-active"));
    };
    free_place(tx, &b.slot_id).await?;
    sqlx::query(
        "UPDATE vac_invitations SET status = 'invited', updated_at = $2 WHERE id = $1 AND status = 'booked'",
    )
    .bind(&b.invitation_id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    bump(tx, &b.campaign_id).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "vaccination.cancel",
            record_type: "vac_booking",
            record_id: &b.id,
            subject_user_id: None,
            before: Some(json!({"status": BookingStatus::Booked, "starts_at": b.starts_at})),
            after: Some(json!({"status": BookingStatus::Cancelled})),
        },
    )
    .await?;
    Ok(b)
}

/// Bookings of a campaign whose places exceed their slot's capacity (must
/// be none; the benchmark and tests check it).
pub async fn overbooked(store: &Store, campaign: &Campaign) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) AS n FROM appt_slots s WHERE s.service_id = $1 AND (s.booked > s.capacity OR \
         (SELECT COUNT(*) FROM vac_bookings b WHERE b.slot_id = s.id AND b.status IN ('booked', 'checked_in')) > s.capacity)",
    )
    .bind(&campaign.service_id)
    .fetch_one(store.pool())
    .await?
    .try_get("n")?)
}

/// Reminders due (the day before, 09:00): (booking, invitation). A booking
/// made after its reminder time has none (its confirmation just went), as
/// for appointments.
pub async fn due_reminders(store: &Store, now: i64, limit: i64) -> Result<Vec<(Booking, String)>> {
    let rows = sqlx::query(
        "SELECT b.id, b.invitation_id, b.campaign_id, b.slot_id, b.starts_at, b.ends_at, b.status, b.channel, b.sequence \
         FROM vac_bookings b WHERE b.status = 'booked' AND b.reminder_sent_at IS NULL AND b.reminder_skipped_at IS NULL AND b.remind_at <= $1 \
         AND b.starts_at > $1 AND b.created_at < b.remind_at ORDER BY b.remind_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let b = decode_booking(r)?;
            let inv = b.invitation_id.clone();
            Ok((b, inv))
        })
        .collect()
}

/// Claims a booking's reminder in the transaction that queues its mail
/// (false if another worker did, or it was skipped).
pub async fn claim_reminder(tx: &mut Tx, booking_id: &str) -> Result<bool> {
    mark_reminder(tx, booking_id, "reminder_sent_at").await
}

/// Marks a booking's reminder as not sendable (the invitee has no usable
/// e-mail address, or the invitation or campaign is gone): it leaves the
/// due list and `reminder_sent_at` stays NULL, as no mail went out. False
/// if it was handled already.
pub async fn skip_reminder(tx: &mut Tx, booking_id: &str) -> Result<bool> {
    mark_reminder(tx, booking_id, "reminder_skipped_at").await
}

async fn mark_reminder(tx: &mut Tx, booking_id: &str, column: &'static str) -> Result<bool> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE vac_bookings SET {column} = $2 WHERE id = $1 AND reminder_sent_at IS NULL \
         AND reminder_skipped_at IS NULL"
    )))
    .bind(booking_id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// The codes and birth dates of a campaign's invitations (the benchmark's
/// visitors).
pub async fn invitation_codes(store: &Store, campaign_id: &str) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query("SELECT code, birth_date FROM vac_invitations WHERE campaign_id = $1")
        .bind(campaign_id)
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("code")?, r.try_get("birth_date")?)))
        .collect()
}

/// How many bookings a campaign holds, whatever their status.
pub async fn booking_count(store: &Store, campaign_id: &str) -> Result<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) AS n FROM vac_bookings WHERE campaign_id = $1")
            .bind(campaign_id)
            .fetch_one(store.pool())
            .await?
            .try_get("n")?,
    )
}
