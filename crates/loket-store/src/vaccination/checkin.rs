//! The waiting room's counter, check-in and the stations.

use super::*;

/// Hands out the next waiting-room number (1, 2, …) for the campaign.
pub async fn next_waiting_number(store: &Store, campaign_id: &str) -> Result<i64> {
    let mut tx = store.begin().await?;
    let row = sqlx::query(
        "UPDATE vac_waiting SET issued = issued + 1 WHERE campaign_id = $1 RETURNING issued",
    )
    .bind(campaign_id)
    .fetch_optional(&mut *tx)
    .await?;
    let n = match row {
        Some(r) => r.try_get("issued")?,
        None => return Err(StoreError::NotFound),
    };
    tx.commit().await?;
    Ok(n)
}

/// Uses up waiting-room ticket `n` in the booking's transaction; false when
/// it was used already.
pub async fn use_ticket(tx: &mut Tx, campaign_id: &str, n: i64) -> Result<bool> {
    let row = sqlx::query(
        "INSERT INTO vac_tickets_used (campaign_id, number, used_at) VALUES ($1, $2, $3) \
         ON CONFLICT (campaign_id, number) DO NOTHING RETURNING number",
    )
    .bind(campaign_id)
    .bind(n)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.is_some())
}

/// Whether waiting-room ticket `n` was used up by a booking.
pub async fn ticket_used(store: &Store, campaign_id: &str, n: i64) -> Result<bool> {
    let row =
        sqlx::query("SELECT number FROM vac_tickets_used WHERE campaign_id = $1 AND number = $2")
            .bind(campaign_id)
            .bind(n)
            .fetch_optional(store.pool())
            .await?;
    Ok(row.is_some())
}

// ---- check-in and stations ----

#[derive(Debug, Clone, Serialize)]
pub struct Visit {
    pub id: String,
    /// The code on the label's barcode.
    pub code: String,
    pub campaign_id: String,
    pub invitation_id: String,
    pub booking_id: Option<String>,
    pub day: String,
    pub line: i64,
    pub queue_no: i64,
    /// `early`, `on_time`, `late` or `not_booked`.
    pub arrival: String,
    /// `checked_in`, `registered`, `vaccinated`, `observing` or `left`.
    pub stage: String,
    pub checked_in_at: i64,
    pub registered_at: Option<i64>,
    pub vaccinated_at: Option<i64>,
    pub lot: Option<String>,
    pub observation_ends_at: Option<i64>,
    pub left_at: Option<i64>,
}

pub(super) const VISIT_COLS: &str = "id, code, campaign_id, invitation_id, booking_id, day, line, queue_no, arrival, stage, \
     checked_in_at, registered_at, vaccinated_at, lot, observation_ends_at, left_at";

pub(super) fn decode_visit(r: &AnyRow) -> Result<Visit> {
    Ok(Visit {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        campaign_id: r.try_get("campaign_id")?,
        invitation_id: r.try_get("invitation_id")?,
        booking_id: r.try_get("booking_id")?,
        day: r.try_get("day")?,
        line: r.try_get("line")?,
        queue_no: r.try_get("queue_no")?,
        arrival: r.try_get("arrival")?,
        stage: r.try_get("stage")?,
        checked_in_at: r.try_get("checked_in_at")?,
        registered_at: r.try_get("registered_at")?,
        vaccinated_at: r.try_get("vaccinated_at")?,
        lot: r.try_get("lot")?,
        observation_ends_at: r.try_get("observation_ends_at")?,
        left_at: r.try_get("left_at")?,
    })
}

pub async fn visit_of_invitation(store: &Store, invitation_id: &str) -> Result<Option<Visit>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VISIT_COLS} FROM vac_visits WHERE invitation_id = $1"
    )))
    .bind(invitation_id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_visit).transpose()
}

pub async fn visit(store: &Store, id: &str) -> Result<Option<Visit>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VISIT_COLS} FROM vac_visits WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_visit).transpose()
}

/// Checks a visitor in after the identity check: a queue number and a line
/// (the one with the fewest people before vaccination), a label code, the
/// booking marked checked in. One visit per invitation.
pub async fn check_in(
    tx: &mut Tx,
    actor: &Actor,
    campaign: &Campaign,
    invitation_id: &str,
    day: &str,
    now: i64,
) -> Result<Visit> {
    let inv = lock_invitation(tx, invitation_id).await?;
    if inv.campaign_id != campaign.id {
        return Err(invalid("code", "vac-code-unknown"));
    }
    match inv.status {
        InvitationStatus::Cancelled => return Err(invalid("code", "vac-code-cancelled")),
        InvitationStatus::Vaccinated => return Err(invalid("code", "vac-code-used")),
        InvitationStatus::Invited | InvitationStatus::Booked => {}
    }
    let existing: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM vac_visits WHERE invitation_id = $1")
            .bind(&inv.id)
            .fetch_one(&mut **tx)
            .await?
            .try_get("n")?;
    if existing > 0 {
        return Err(invalid("code", "vac-checked-in-already"));
    }
    let booking = active_booking_tx(tx, &inv.id).await?;
    // The booking this visit is for: one starting within the check-in
    // window around now (not by calendar date, so a visit just before
    // midnight for a slot just after it is on time).
    let todays = booking
        .as_ref()
        .filter(|b| rules::booking_is_current(b.starts_at, now));
    let arrival: Arrival = rules::arrival(todays.map(|b| (b.starts_at, b.ends_at)), now);
    // Lines: people checked in or registered per line.
    let mut waiting = vec![0i64; campaign.lines.max(1) as usize];
    for r in sqlx::query(
        "SELECT line, COUNT(*) AS n FROM vac_visits WHERE campaign_id = $1 AND day = $2 \
         AND stage IN ('checked_in', 'registered') GROUP BY line",
    )
    .bind(&campaign.id)
    .bind(day)
    .fetch_all(&mut **tx)
    .await?
    {
        let line: i64 = r.try_get("line")?;
        let n: i64 = r.try_get("n")?;
        if line >= 1 && (line as usize) <= waiting.len() {
            waiting[line as usize - 1] = n;
        }
    }
    let line = rules::pick_line(&waiting);
    let queue_no: i64 = sqlx::query(
        "INSERT INTO vac_numbers (campaign_id, day, last) VALUES ($1, $2, 1) \
         ON CONFLICT (campaign_id, day) DO UPDATE SET last = vac_numbers.last + 1 RETURNING last",
    )
    .bind(&campaign.id)
    .bind(day)
    .fetch_one(&mut **tx)
    .await?
    .try_get("last")?;
    let id = new_id();
    let bytes: [u8; 16] = rand::random();
    let code = rules::visit_code(&bytes);
    let checked_in_by = actor.user_id().map(str::to_owned);
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO vac_visits (id, code, campaign_id, invitation_id, booking_id, day, line, queue_no, arrival, stage, \
         checked_in_at, checked_in_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'checked_in', $10, $11) \
         RETURNING {VISIT_COLS}"
    )))
    .bind(&id)
    .bind(&code)
    .bind(&campaign.id)
    .bind(&inv.id)
    .bind(todays.map(|b| b.id.clone()))
    .bind(day)
    .bind(line)
    .bind(queue_no)
    .bind(arrival.as_str())
    .bind(now)
    .bind(checked_in_by)
    .fetch_one(&mut **tx)
    .await?;
    let visit = decode_visit(&row)?;
    if let Some(b) = todays {
        sqlx::query("UPDATE vac_bookings SET status = 'checked_in', updated_at = $2 WHERE id = $1")
            .bind(&b.id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("INSERT INTO vac_scans (id, visit_id, station, line, at, by_user) VALUES ($1, $2, 'check_in', NULL, $3, $4)")
        .bind(new_id())
        .bind(&id)
        .bind(now)
        .bind(actor.user_id().map(str::to_owned))
        .execute(&mut **tx)
        .await?;
    bump(tx, &campaign.id).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "vaccination.check_in",
            record_type: "vac_visit",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({
                "invitation": inv.id, "line": line, "queue_no": queue_no, "arrival": arrival.as_str(),
            })),
        },
    )
    .await?;
    Ok(visit)
}

/// Records a label scan at a station: checked against the flow (order,
/// line, observation time) and applied with a conditional update on the
/// visit's stage, so two scans cannot both pass.
#[allow(clippy::too_many_arguments)]
pub async fn scan(
    tx: &mut Tx,
    actor: &Actor,
    campaign: &Campaign,
    station: Station,
    station_line: Option<i64>,
    visit_code: &str,
    lot: Option<&str>,
    now: i64,
) -> Result<Visit> {
    let code = rules::parse_code(visit_code, rules::VISIT_SYMBOLS)
        .map_err(|e| StoreError::Invalid(Invalid(vec![e])))?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VISIT_COLS} FROM vac_visits WHERE code = $1 AND campaign_id = $2"
    )))
    .bind(&code)
    .bind(&campaign.id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(v) = row.as_ref().map(decode_visit).transpose()? else {
        return Err(invalid("code", "vac-label-unknown"));
    };
    rules::check_scan(
        station,
        station_line,
        &v.stage,
        v.line,
        v.observation_ends_at,
        now,
    )
    .map_err(|e| StoreError::Invalid(Invalid(vec![e])))?;
    let set = match station {
        Station::Registration => "registered_at = $3".to_owned(),
        Station::Vaccination => format!(
            "vaccinated_at = $3, lot = $4, observation_ends_at = $3 + {}",
            campaign.observation_minutes * 60_000
        ),
        Station::Observation => "observation_ends_at = observation_ends_at".to_owned(),
        Station::Exit => "left_at = $3".to_owned(),
    };
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE vac_visits SET stage = $2, {set} WHERE id = $1 AND stage = $5 RETURNING {VISIT_COLS}"
    )))
    .bind(&v.id)
    .bind(station.stage_after())
    .bind(now)
    .bind(lot.map(str::to_owned))
    .bind(station.stage_before())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(updated) = row.as_ref().map(decode_visit).transpose()? else {
        return Err(invalid("code", "vac-scan-twice"));
    };
    if station == Station::Vaccination {
        sqlx::query(
            "UPDATE vac_invitations SET status = 'vaccinated', updated_at = $2 WHERE id = $1",
        )
        .bind(&v.invitation_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("INSERT INTO vac_scans (id, visit_id, station, line, at, by_user) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(new_id())
        .bind(&v.id)
        .bind(station.as_str())
        .bind(station_line)
        .bind(now)
        .bind(actor.user_id().map(str::to_owned))
        .execute(&mut **tx)
        .await?;
    bump(tx, &campaign.id).await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "vaccination.scan",
            record_type: "vac_visit",
            record_id: &v.id,
            subject_user_id: None,
            before: Some(json!({"stage": v.stage})),
            after: Some(
                json!({"stage": updated.stage, "station": station.as_str(), "line": station_line}),
            ),
        },
    )
    .await?;
    Ok(updated)
}

/// The people in the observation room (stage `observing` or vaccinated and
/// not yet left), with their names: (visit, name).
pub async fn observation(
    store: &Store,
    campaign_id: &str,
    day: &str,
) -> Result<Vec<(Visit, String)>> {
    let cols = VISIT_COLS
        .split(", ")
        .map(|c| format!("v.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {cols}, i.name FROM vac_visits v JOIN vac_invitations i ON i.id = v.invitation_id \
         WHERE v.campaign_id = $1 AND v.day = $2 AND v.stage IN ('vaccinated', 'observing') \
         ORDER BY v.observation_ends_at, v.queue_no"
    )))
    .bind(campaign_id)
    .bind(day)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((decode_visit(r)?, r.try_get("name")?)))
        .collect()
}
