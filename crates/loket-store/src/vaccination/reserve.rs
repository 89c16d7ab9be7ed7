//! The reserve list and its offers.

use super::*;
use crate::paging::{self, Order};
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};

#[derive(Debug, Clone, Serialize)]
pub struct ReserveEntry {
    pub id: String,
    pub campaign_id: String,
    pub name: String,
    #[serde(skip)]
    pub national_number: String,
    #[serde(skip)]
    pub birth_date: String,
    #[serde(skip)]
    pub email: String,
    pub group_rank: i64,
    /// `waiting`, `offered`, `booked`, `expired` or `withdrawn`.
    pub status: ReserveStatus,
    pub signed_up_at: i64,
    pub offer_starts_at: Option<i64>,
    pub offer_expires_at: Option<i64>,
    #[serde(skip)]
    pub offer_token: Option<String>,
    #[serde(skip)]
    pub offer_slot_id: Option<String>,
    pub offers: i64,
    pub invitation_id: Option<String>,
}

pub(super) const RES_COLS: &str = "id, campaign_id, name, national_number, birth_date, email, group_rank, status, signed_up_at, \
     offer_starts_at, offer_expires_at, offer_token, offer_slot_id, offers, invitation_id";

pub(super) fn decode_res(r: &AnyRow) -> Result<ReserveEntry> {
    Ok(ReserveEntry {
        id: r.try_get("id")?,
        campaign_id: r.try_get("campaign_id")?,
        name: r.try_get("name")?,
        national_number: r.try_get("national_number")?,
        birth_date: r.try_get("birth_date")?,
        email: r.try_get("email")?,
        group_rank: r.try_get("group_rank")?,
        status: crate::status(r, "status")?,
        signed_up_at: r.try_get("signed_up_at")?,
        offer_starts_at: r.try_get("offer_starts_at")?,
        offer_expires_at: r.try_get("offer_expires_at")?,
        offer_token: r.try_get("offer_token")?,
        offer_slot_id: r.try_get("offer_slot_id")?,
        offers: r.try_get("offers")?,
        invitation_id: r.try_get("invitation_id")?,
    })
}

pub struct NewReserve<'a> {
    pub national_number: &'a str,
    pub name: &'a str,
    pub birth_date: &'a str,
    pub email: &'a str,
    pub phone: Option<&'a str>,
    pub group_rank: i64,
}

/// Puts someone on the reserve list, or back on it (at the back) when their
/// earlier entry expired or was withdrawn and the address is the same.
/// Nothing happens (`None`) for a number invited to the campaign, a number
/// already on the list, or an earlier entry with another address: an
/// entry's contact data is never overwritten.
pub async fn reserve_sign_up(
    tx: &mut Tx,
    actor: &Actor,
    campaign: &Campaign,
    r: NewReserve<'_>,
) -> Result<Option<ReserveEntry>> {
    let invited: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM vac_invitations WHERE campaign_id = $1 AND national_number = $2 AND status <> 'cancelled'",
    )
    .bind(&campaign.id)
    .bind(r.national_number)
    .fetch_one(&mut **tx)
    .await?
    .try_get("n")?;
    if invited > 0 {
        return Ok(None);
    }
    let now = now_ms();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO vac_reserve (id, campaign_id, national_number, name, birth_date, email, phone, group_rank, status, \
         signed_up_at, offers, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting', $9, 0, $9) \
         ON CONFLICT (campaign_id, national_number) DO UPDATE SET status = 'waiting', signed_up_at = $9, updated_at = $9 \
         WHERE vac_reserve.status IN ('expired', 'withdrawn') AND LOWER(vac_reserve.email) = LOWER($6) \
         RETURNING {RES_COLS}"
    )))
    .bind(new_id())
    .bind(&campaign.id)
    .bind(r.national_number)
    .bind(r.name)
    .bind(r.birth_date)
    .bind(r.email)
    .bind(r.phone.map(str::to_owned))
    .bind(r.group_rank)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(entry) = row.as_ref().map(decode_res).transpose()? else {
        return Ok(None);
    };
    audit::record(
        tx,
        actor,
        Change {
            action: "vaccination.reserve.sign_up",
            record_type: "vac_reserve",
            record_id: &entry.id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"group_rank": r.group_rank})),
        },
    )
    .await?;
    Ok(Some(entry))
}

/// How long a sign-up waits for its e-mail link: a day.
pub const PENDING_TTL_MS: i64 = 24 * 3600 * 1000;

/// Keeps a sign-up until the link mailed to its address is used; returns
/// its id. The token is stored only as its hash.
pub async fn add_pending_sign_up(
    tx: &mut Tx,
    campaign: &Campaign,
    r: NewReserve<'_>,
    token: &str,
) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO vac_reserve_pending (id, campaign_id, national_number, name, birth_date, email, phone, \
         group_rank, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(&campaign.id)
    .bind(r.national_number)
    .bind(r.name)
    .bind(r.birth_date)
    .bind(r.email)
    .bind(r.phone.map(str::to_owned))
    .bind(r.group_rank)
    .bind(crate::hash_secret(token))
    .bind(now)
    .bind(now + PENDING_TTL_MS)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Uses a pending sign-up's link: the sign-up is taken out of waiting and
/// goes through [`reserve_sign_up`]. `false` when the link is unknown, used
/// or expired; `true` otherwise, whatever [`reserve_sign_up`] did (the
/// answer reveals nothing).
pub async fn confirm_pending_sign_up(
    tx: &mut Tx,
    actor: &Actor,
    campaign: &Campaign,
    id: &str,
    token: &str,
) -> Result<bool> {
    let row = sqlx::query(
        "DELETE FROM vac_reserve_pending WHERE id = $1 AND campaign_id = $2 AND token_hash = $3 AND expires_at > $4 \
         RETURNING national_number, name, birth_date, email, phone, group_rank",
    )
    .bind(id)
    .bind(&campaign.id)
    .bind(crate::hash_secret(token))
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    let nrn: String = row.try_get("national_number")?;
    let name: String = row.try_get("name")?;
    let birth: String = row.try_get("birth_date")?;
    let email: String = row.try_get("email")?;
    let phone: Option<String> = row.try_get("phone")?;
    reserve_sign_up(
        tx,
        actor,
        campaign,
        NewReserve {
            national_number: &nrn,
            name: &name,
            birth_date: &birth,
            email: &email,
            phone: phone.as_deref(),
            group_rank: row.try_get("group_rank")?,
        },
    )
    .await?;
    Ok(true)
}

/// Whether a pending sign-up's link is still good (for its landing page).
pub async fn pending_sign_up_is_valid(
    store: &Store,
    campaign: &Campaign,
    id: &str,
    token: &str,
) -> Result<bool> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM vac_reserve_pending WHERE id = $1 AND campaign_id = $2 AND token_hash = $3 AND expires_at > $4",
    )
    .bind(id)
    .bind(&campaign.id)
    .bind(crate::hash_secret(token))
    .bind(now_ms())
    .fetch_one(store.pool())
    .await?
    .try_get("n")?;
    Ok(n > 0)
}

pub async fn reserve_entry(store: &Store, id: &str) -> Result<Option<ReserveEntry>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RES_COLS} FROM vac_reserve WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_res).transpose()
}

/// The reserve list's cursors: keyset on (status rank, group, sign-up
/// time, id): the offered first, then those waiting, then the rest, each
/// by priority group and sign-up time.
pub const RESERVE_PAGING: Spec = Spec {
    list: "vaccination.reserve",
    keys: &[KeyKind::Int, KeyKind::Int, KeyKind::Int, KeyKind::Text],
};

/// The rank of a status in the reserve list's order (as [`RESERVE_RANK`]).
const RESERVE_RANK: &str = "CASE status WHEN 'offered' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END";

fn reserve_rank(s: ReserveStatus) -> i64 {
    match s {
        ReserveStatus::Offered => 0,
        ReserveStatus::Waiting => 1,
        _ => 2,
    }
}

/// One page of a campaign's reserve list in priority order: the offered
/// first, then those waiting, then the rest; each by group, then sign-up
/// time.
pub async fn reserve_page(
    store: &Store,
    campaign_id: &str,
    pq: &PageQuery,
) -> Result<Page<ReserveEntry>> {
    paging::Select::new(
        format!("SELECT {RES_COLS} FROM vac_reserve WHERE campaign_id = $1"),
        &[RESERVE_RANK, "group_rank", "signed_up_at", "id"],
        Order::Asc,
    )
    .arg(campaign_id)
    .page(store, pq, &RESERVE_PAGING, decode_res, |e| {
        vec![
            Key::from(reserve_rank(e.status)),
            Key::from(e.group_rank),
            Key::from(e.signed_up_at),
            Key::from(e.id.as_str()),
        ]
    })
    .await
}

/// How many entries [`reserve_page`] pages through, up to `cap`.
pub async fn reserve_total(store: &Store, campaign_id: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM vac_reserve WHERE campaign_id = $1 LIMIT $2) t",
    )
    .bind(campaign_id)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// Ends offers whose time ran out: the held place is freed (and offered to
/// the next person by `make_offers`). Returns the entries that expired.
pub async fn expire_offers(tx: &mut Tx, now: i64) -> Result<Vec<ReserveEntry>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE vac_reserve SET status = 'expired', updated_at = $1 WHERE status = 'offered' AND offer_expires_at <= $1 \
         RETURNING {RES_COLS}"
    )))
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    let expired: Vec<ReserveEntry> = rows.iter().map(decode_res).collect::<Result<_>>()?;
    for e in &expired {
        if let Some(slot) = &e.offer_slot_id {
            free_place(tx, slot).await?;
        }
        audit::record(
            tx,
            &Actor::System,
            Change {
                action: "vaccination.reserve.expire",
                record_type: "vac_reserve",
                record_id: &e.id,
                subject_user_id: None,
                before: Some(json!({"status": ReserveStatus::Offered})),
                after: Some(json!({"status": ReserveStatus::Expired})),
            },
        )
        .await?;
    }
    Ok(expired)
}

/// Offers free places in slots starting in `[from_ms, to_ms)` to the
/// reserve list in priority order, one place per person, each held for
/// `offer_minutes`. The place is taken in the slot like a booking, so an
/// offer never overbooks. `mail` composes the offer e-mail (with the
/// confirmation link). Returns the offers made.
pub async fn make_offers(
    store: &Store,
    campaign: &Campaign,
    from_ms: i64,
    to_ms: i64,
    offer_minutes: i64,
    mail: &(dyn Fn(&ReserveEntry) -> Option<Mail> + Sync),
) -> Result<Vec<ReserveEntry>> {
    let mut made = Vec::new();
    let taken = taken(store, campaign).await?;
    let free: Vec<Slot> = slots(store, campaign)
        .await?
        .into_iter()
        .filter(|s| s.start_ms() >= from_ms && s.start_ms() < to_ms)
        .filter(|s| taken.get(&s.start_ms()).copied().unwrap_or(0) < campaign.capacity())
        .collect();
    for slot in free {
        loop {
            let mut tx = store.begin().await?;
            // The next person in line, if any.
            let next = sqlx::query(
                "SELECT id FROM vac_reserve WHERE campaign_id = $1 AND status = 'waiting' \
                 ORDER BY group_rank, signed_up_at LIMIT 1",
            )
            .bind(&campaign.id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(next) = next else {
                tx.rollback().await?;
                return Ok(made);
            };
            let id: String = next.try_get("id")?;
            let slot_id = match take_place(
                &mut tx,
                &campaign.service_id,
                &campaign.location_id,
                &slot,
                campaign.capacity(),
            )
            .await
            {
                Ok(s) => s,
                Err(StoreError::Invalid(_)) => {
                    tx.rollback().await?;
                    break;
                }
                Err(e) => return Err(e),
            };
            let now = now_ms();
            let token = crate::new_secret();
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE vac_reserve SET status = 'offered', offer_slot_id = $2, offer_starts_at = $3, \
                 offer_expires_at = $4, offer_token = $5, offers = offers + 1, updated_at = $6 \
                 WHERE id = $1 AND status = 'waiting' RETURNING {RES_COLS}"
            )))
            .bind(&id)
            .bind(&slot_id)
            .bind(slot.start_ms())
            .bind(now + offer_minutes * 60_000)
            .bind(&token)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(entry) = row.as_ref().map(decode_res).transpose()? else {
                tx.rollback().await?;
                continue;
            };
            if let Some(m) = mail(&entry) {
                crate::notify::enqueue(&mut tx, &m).await?;
            }
            audit::record(
                &mut tx,
                &Actor::System,
                Change {
                    action: "vaccination.reserve.offer",
                    record_type: "vac_reserve",
                    record_id: &entry.id,
                    subject_user_id: None,
                    before: Some(json!({"status": ReserveStatus::Waiting})),
                    after: Some(
                        json!({"status": ReserveStatus::Offered, "starts_at": slot.start_ms()}),
                    ),
                },
            )
            .await?;
            bump(&mut tx, &campaign.id).await?;
            tx.commit().await?;
            made.push(entry);
        }
    }
    Ok(made)
}

/// Takes an offer: within its time, with its token. Creates the person's
/// invitation (source `reserve`) and books the held place (already counted
/// in the slot).
pub async fn accept_offer(
    tx: &mut Tx,
    campaign: &Campaign,
    reserve_id: &str,
    token: &str,
) -> Result<(Invitation, Booking)> {
    let now = now_ms();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE vac_reserve SET status = 'booked', updated_at = $3 WHERE id = $1 AND offer_token = $2 \
         AND status = 'offered' AND offer_expires_at > $3 RETURNING {RES_COLS}"
    )))
    .bind(reserve_id)
    .bind(token)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(entry) = row.as_ref().map(decode_res).transpose()? else {
        return Err(invalid("offer", "vac-offer-gone"));
    };
    let (Some(slot_id), Some(start)) = (entry.offer_slot_id.clone(), entry.offer_starts_at) else {
        return Err(invalid("offer", "vac-offer-gone"));
    };
    let inv_row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO vac_invitations (id, campaign_id, code, national_number, name, birth_date, street, postal_code, \
         city, email, phone, group_rank, source, delivery, letter_batch_id, status, attempts, locked_until, created_at, \
         updated_at) SELECT $1, campaign_id, $2, national_number, name, birth_date, '', '', '', email, phone, group_rank, \
         'reserve', 'email', NULL, 'invited', 0, 0, $3, $3 FROM vac_reserve WHERE id = $4 RETURNING {INV_COLS}"
    )))
    .bind(new_id())
    .bind(new_code())
    .bind(now)
    .bind(&entry.id)
    .fetch_one(&mut **tx)
    .await?;
    let inv = decode_inv(&inv_row)?;
    sqlx::query("UPDATE vac_reserve SET invitation_id = $2 WHERE id = $1")
        .bind(&entry.id)
        .bind(&inv.id)
        .execute(&mut **tx)
        .await?;
    let slot = Slot {
        start: jiff::Timestamp::from_millisecond(start)
            .map_err(|_| invalid("offer", "vac-offer-gone"))?,
        end: jiff::Timestamp::from_millisecond(start + campaign.slot_minutes * 60_000)
            .map_err(|_| invalid("offer", "vac-offer-gone"))?,
    };
    let booking = insert_booking(
        tx,
        &Actor::System,
        campaign,
        &inv,
        &slot_id,
        &slot,
        "reserve",
    )
    .await?;
    Ok((inv, booking))
}
