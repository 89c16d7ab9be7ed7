//! The vaccination centre: campaigns, invitations, bookings, the reserve
//! list, the waiting room's counter, check-in, station scans, the live
//! figures, the day report, the registry export and mobile teams' sync.
//!
//! Bookings reuse the appointments' slot machinery: every campaign owns a
//! counter service at the centre's location, slots come from
//! `loket_domain::appointments::Schedule`, and a place is taken with
//! `appointments::take_place` (`UPDATE appt_slots SET booked = booked + 1
//! WHERE … AND booked < capacity`) inside the booking's transaction. A
//! partial unique index keeps one active booking per invitation.

use crate::appointments::{self as appt, free_place, take_place};
use crate::audit::{self, Change};
use crate::{Result, Store, StoreError, Tx, new_id, now_ms};
use loket_domain::appointments::{Period, Schedule, Slot};
use loket_domain::audit::Actor;
use loket_domain::notify::Mail;
use loket_domain::vaccination::{
    self as rules, Arrival, CampaignPlan, CentreDay, Invitee, Station,
};
use loket_domain::{FieldError, Invalid};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeSet, HashMap};

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(Invalid::one(field, code))
}

fn invalid_v(field: &str, code: &'static str, value: impl Into<String>) -> StoreError {
    StoreError::Invalid(Invalid(vec![FieldError::with_value(
        field,
        code,
        value.into(),
    )]))
}

// ---- campaigns ----

#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub vaccine: String,
    pub location_id: String,
    pub service_id: String,
    pub lines: i64,
    pub per_line: i64,
    pub slot_minutes: i64,
    pub observation_minutes: i64,
    pub admit_per_minute: i64,
    pub admit_burst: i64,
    /// When booking opens (unix ms); the waiting room counts from here.
    pub opens_at: i64,
    /// `open` or `closed`.
    pub status: String,
    pub version: i64,
}

impl Campaign {
    pub fn capacity(&self) -> i64 {
        self.lines * self.per_line
    }
}

const CAMPAIGN_COLS: &str = "id, slug, name, vaccine, location_id, service_id, lines, per_line, slot_minutes, \
     observation_minutes, admit_per_minute, admit_burst, opens_at, status, version";

fn decode_campaign(r: &AnyRow) -> Result<Campaign> {
    Ok(Campaign {
        id: r.try_get(0)?,
        slug: r.try_get(1)?,
        name: r.try_get(2)?,
        vaccine: r.try_get(3)?,
        location_id: r.try_get(4)?,
        service_id: r.try_get(5)?,
        lines: r.try_get(6)?,
        per_line: r.try_get(7)?,
        slot_minutes: r.try_get(8)?,
        observation_minutes: r.try_get(9)?,
        admit_per_minute: r.try_get(10)?,
        admit_burst: r.try_get(11)?,
        opens_at: r.try_get(12)?,
        status: r.try_get(13)?,
        version: r.try_get(14)?,
    })
}

pub struct NewCampaign<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub vaccine: &'a str,
    pub location_id: &'a str,
    pub plan: &'a CampaignPlan,
    pub groups: &'a [String],
    pub days: &'a [CentreDay],
    pub opens_at: i64,
}

/// Creates a campaign with its counter service (the slot machinery), its
/// days and target groups.
pub async fn create_campaign(tx: &mut Tx, actor: &Actor, c: NewCampaign<'_>) -> Result<Campaign> {
    let taken: i64 = sqlx::query("SELECT COUNT(*) FROM vac_campaigns WHERE slug = $1")
        .bind(c.slug)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    let service_slug = format!("vac-{}", c.slug);
    let taken_service: i64 = sqlx::query("SELECT COUNT(*) FROM appt_services WHERE slug = $1")
        .bind(&service_slug)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    if taken > 0 || taken_service > 0 {
        return Err(StoreError::Conflict(Invalid::one("slug", "slug-taken")));
    }
    let now = now_ms();
    let service_id = new_id();
    // The campaign's counter service: inactive for the counters (no desk
    // handles it), it carries the slot length and owns the slot rows.
    sqlx::query(
        "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $3, $4, 0, $5, $5)",
    )
    .bind(&service_id)
    .bind(&service_slug)
    .bind(c.name)
    .bind(c.plan.slot_minutes)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let id = new_id();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO vac_campaigns (id, slug, name, vaccine, location_id, service_id, lines, per_line, slot_minutes, \
         observation_minutes, admit_per_minute, admit_burst, opens_at, status, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'open', 0, $14, $14) RETURNING {CAMPAIGN_COLS}"
    )))
    .bind(&id)
    .bind(c.slug)
    .bind(c.name)
    .bind(c.vaccine)
    .bind(c.location_id)
    .bind(&service_id)
    .bind(c.plan.lines)
    .bind(c.plan.per_line)
    .bind(c.plan.slot_minutes)
    .bind(c.plan.observation_minutes)
    .bind(c.plan.admit_per_minute)
    // At the opening, one second's worth gets in at once.
    .bind((c.plan.admit_per_minute / 60).max(1))
    .bind(c.opens_at)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let campaign = decode_campaign(&row)?;
    for d in c.days {
        sqlx::query(
            "INSERT INTO vac_days (campaign_id, day, opens, closes) VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(d.day.to_string())
        .bind(loket_domain::appointments::fmt_time(d.opens))
        .bind(loket_domain::appointments::fmt_time(d.closes))
        .execute(&mut **tx)
        .await?;
    }
    for (rank, g) in c.groups.iter().enumerate() {
        sqlx::query("INSERT INTO vac_groups (campaign_id, rank, name) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(rank as i64)
            .bind(g)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("INSERT INTO vac_waiting (campaign_id, issued) VALUES ($1, 0)")
        .bind(&id)
        .execute(&mut **tx)
        .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "vaccination.campaign.create",
            record_type: "vac_campaign",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({
                "slug": c.slug, "name": c.name, "lines": c.plan.lines, "per_line": c.plan.per_line,
                "slot_minutes": c.plan.slot_minutes, "days": c.days.len(), "groups": c.groups,
            })),
        },
    )
    .await?;
    Ok(campaign)
}

pub async fn campaigns(store: &Store) -> Result<Vec<Campaign>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CAMPAIGN_COLS} FROM vac_campaigns ORDER BY opens_at DESC, slug"
    )))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_campaign).collect()
}

/// The campaign with this id or slug.
pub async fn campaign(store: &Store, id_or_slug: &str) -> Result<Option<Campaign>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CAMPAIGN_COLS} FROM vac_campaigns WHERE id = $1 OR slug = $1"
    )))
    .bind(id_or_slug)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_campaign).transpose()
}

/// The centre's days: (date, opens, closes).
pub async fn days(store: &Store, campaign_id: &str) -> Result<Vec<(String, String, String)>> {
    let rows =
        sqlx::query("SELECT day, opens, closes FROM vac_days WHERE campaign_id = $1 ORDER BY day")
            .bind(campaign_id)
            .fetch_all(store.pool())
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

pub async fn groups(store: &Store, campaign_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT name FROM vac_groups WHERE campaign_id = $1 ORDER BY rank")
        .bind(campaign_id)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Raises the campaign's version: the live views follow it.
pub async fn bump(tx: &mut Tx, campaign_id: &str) -> Result<()> {
    sqlx::query("UPDATE vac_campaigns SET version = version + 1 WHERE id = $1")
        .bind(campaign_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn version(store: &Store, campaign_id: &str) -> Result<i64> {
    Ok(
        sqlx::query("SELECT version FROM vac_campaigns WHERE id = $1")
            .bind(campaign_id)
            .fetch_optional(store.pool())
            .await?
            .map(|r| r.try_get::<i64, _>(0))
            .transpose()?
            .unwrap_or(0),
    )
}

// ---- slots ----

/// The slots of the campaign's days (all of them, past ones included).
pub async fn slots(store: &Store, c: &Campaign) -> Result<Vec<Slot>> {
    let tz = loket_domain::appointments::brussels();
    let mut out = Vec::new();
    for (day, opens, closes) in days(store, &c.id).await? {
        let Ok(date) = day.parse::<jiff::civil::Date>() else {
            continue;
        };
        let (Some(o), Some(cl)) = (
            loket_domain::appointments::parse_time(&opens),
            loket_domain::appointments::parse_time(&closes),
        ) else {
            continue;
        };
        let schedule = Schedule {
            periods: vec![Period {
                weekday: date.weekday().to_monday_one_offset(),
                opens: o,
                closes: cl,
            }],
            closed: BTreeSet::new(),
            slot_minutes: c.slot_minutes,
        };
        out.extend(schedule.slots_on(date, &tz));
    }
    Ok(out)
}

/// The slot of the campaign starting at `start_ms`, if there is one.
pub async fn slot_at(store: &Store, c: &Campaign, start_ms: i64) -> Result<Option<Slot>> {
    Ok(slots(store, c)
        .await?
        .into_iter()
        .find(|s| s.start_ms() == start_ms))
}

/// Places taken per slot start.
pub async fn taken(store: &Store, c: &Campaign) -> Result<HashMap<i64, i64>> {
    appt::booked_counts(store, &c.service_id, &c.location_id, 0, i64::MAX).await
}

// ---- invitations ----

#[derive(Debug, Clone, Serialize)]
pub struct Invitation {
    pub id: String,
    pub campaign_id: String,
    pub code: String,
    pub national_number: String,
    pub name: String,
    pub birth_date: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub group_rank: i64,
    pub source: String,
    pub delivery: String,
    pub letter_batch_id: Option<String>,
    /// `invited`, `booked`, `vaccinated` or `cancelled`.
    pub status: String,
    #[serde(skip)]
    pub attempts: i64,
    #[serde(skip)]
    pub locked_until: i64,
}

const INV_COLS: &str = "id, campaign_id, code, national_number, name, birth_date, street, postal_code, city, \
     email, phone, group_rank, source, delivery, letter_batch_id, status, attempts, locked_until";

fn decode_inv(r: &AnyRow) -> Result<Invitation> {
    Ok(Invitation {
        id: r.try_get(0)?,
        campaign_id: r.try_get(1)?,
        code: r.try_get(2)?,
        national_number: r.try_get(3)?,
        name: r.try_get(4)?,
        birth_date: r.try_get(5)?,
        street: r.try_get(6)?,
        postal_code: r.try_get(7)?,
        city: r.try_get(8)?,
        email: r.try_get(9)?,
        phone: r.try_get(10)?,
        group_rank: r.try_get(11)?,
        source: r.try_get(12)?,
        delivery: r.try_get(13)?,
        letter_batch_id: r.try_get(14)?,
        status: r.try_get(15)?,
        attempts: r.try_get(16)?,
        locked_until: r.try_get(17)?,
    })
}

/// A new, unused invitation code.
pub fn new_code() -> String {
    let bytes: [u8; 16] = rand::random();
    rules::invitation_code(&bytes)
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Imported {
    pub invitations: i64,
    pub emailed: i64,
    /// Invitations without an e-mail address: they wait for a letter batch.
    pub letters: i64,
}

/// Imports invitations, all or nothing: a person already invited to the
/// campaign refuses the file with the line. `mail` composes the e-mail for
/// an invitation with an address; it is queued in the same transaction.
pub async fn import_invitations(
    tx: &mut Tx,
    actor: &Actor,
    campaign: &Campaign,
    rows: &[Invitee],
    mail: &(dyn Fn(&Invitation) -> Option<Mail> + Sync),
) -> Result<Imported> {
    let existing: BTreeSet<String> =
        sqlx::query("SELECT national_number FROM vac_invitations WHERE campaign_id = $1")
            .bind(&campaign.id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<std::result::Result<_, _>>()?;
    let dupes: Vec<FieldError> = rows
        .iter()
        .filter(|r| existing.contains(&r.national_number))
        .map(|r| FieldError::with_value("file", "vac-already-invited", r.line.to_string()))
        .collect();
    if !dupes.is_empty() {
        return Err(StoreError::Invalid(Invalid(dupes)));
    }
    let now = now_ms();
    let mut out = Imported::default();
    for r in rows {
        let delivery = if r.email.is_some() { "email" } else { "letter" };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO vac_invitations (id, campaign_id, code, national_number, name, birth_date, street, \
             postal_code, city, email, phone, group_rank, source, delivery, letter_batch_id, status, attempts, \
             locked_until, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'import', $13, NULL, 'invited', 0, 0, $14, $14) \
             RETURNING {INV_COLS}"
        )))
        .bind(new_id())
        .bind(&campaign.id)
        .bind(new_code())
        .bind(&r.national_number)
        .bind(&r.name)
        .bind(&r.birth_date)
        .bind(&r.street)
        .bind(&r.postal_code)
        .bind(&r.city)
        .bind(r.email.clone())
        .bind(r.phone.clone())
        .bind(r.group_rank)
        .bind(delivery)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        let inv = decode_inv(&row)?;
        out.invitations += 1;
        if let Some(m) = mail(&inv) {
            crate::notify::enqueue(tx, &m).await?;
            out.emailed += 1;
        } else {
            out.letters += 1;
        }
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "vaccination.invitations.import",
            record_type: "vac_campaign",
            record_id: &campaign.id,
            subject_user_id: None,
            before: None,
            after: Some(json!({
                "invitations": out.invitations, "emailed": out.emailed, "letters": out.letters,
            })),
        },
    )
    .await?;
    Ok(out)
}

pub async fn invitation(store: &Store, id: &str) -> Result<Option<Invitation>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {INV_COLS} FROM vac_invitations WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_inv).transpose()
}

pub async fn invitation_by_code(store: &Store, code: &str) -> Result<Option<Invitation>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {INV_COLS} FROM vac_invitations WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_inv).transpose()
}

/// Invitations of a campaign, filtered by a search on name, code or
/// national number ('' = all), newest first, at most `limit`.
pub async fn invitations(
    store: &Store,
    campaign_id: &str,
    search: &str,
    limit: i64,
) -> Result<Vec<Invitation>> {
    let like = format!("%{}%", search.trim().to_lowercase());
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {INV_COLS} FROM vac_invitations WHERE campaign_id = $1 AND ($2 = '%%' OR LOWER(name) LIKE $2 \
         OR LOWER(code) LIKE $2 OR national_number LIKE $2) ORDER BY group_rank, name LIMIT $3"
    )))
    .bind(campaign_id)
    .bind(&like)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_inv).collect()
}

/// Counts per status: (status, count).
pub async fn invitation_counts(store: &Store, campaign_id: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*) FROM vac_invitations WHERE campaign_id = $1 GROUP BY status ORDER BY status",
    )
    .bind(campaign_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Checks a code and a birth date. A wrong birth date counts against the
/// code; after `MAX_ATTEMPTS` in a row the code is locked for
/// `LOCK_MINUTES`, so codes and birth dates cannot be guessed. Runs in its
/// own transaction because a failure must still be counted.
pub async fn verify(store: &Store, code_input: &str, birth_date: &str) -> Result<Invitation> {
    let code = rules::parse_code(code_input, rules::INVITATION_SYMBOLS)
        .map_err(|e| StoreError::Invalid(Invalid(vec![e])))?;
    let birth = birth_date.trim();
    if birth.is_empty() {
        return Err(invalid("birth_date", "required"));
    }
    if birth.parse::<jiff::civil::Date>().is_err() {
        return Err(invalid("birth_date", "vac-birth-date-invalid"));
    }
    let now = now_ms();
    let mut tx = store.begin().await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE vac_invitations SET updated_at = updated_at WHERE code = $1 RETURNING {INV_COLS}"
    )))
    .bind(&code)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(inv) = row.as_ref().map(decode_inv).transpose()? else {
        tx.rollback().await?;
        return Err(invalid("code", "vac-code-unknown"));
    };
    if inv.locked_until > now {
        tx.rollback().await?;
        let minutes = (inv.locked_until - now + 59_999) / 60_000;
        return Err(invalid_v(
            "birth_date",
            "vac-code-locked",
            minutes.to_string(),
        ));
    }
    if inv.birth_date != birth {
        let attempts = inv.attempts + 1;
        let locked = if attempts >= rules::MAX_ATTEMPTS {
            now + rules::LOCK_MINUTES * 60_000
        } else {
            0
        };
        sqlx::query("UPDATE vac_invitations SET attempts = $2, locked_until = $3 WHERE id = $1")
            .bind(&inv.id)
            .bind(if locked > 0 { 0 } else { attempts })
            .bind(locked)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Err(invalid_v(
            "birth_date",
            "vac-birth-date-wrong",
            (rules::MAX_ATTEMPTS - attempts).max(0).to_string(),
        ));
    }
    if inv.attempts > 0 {
        sqlx::query("UPDATE vac_invitations SET attempts = 0 WHERE id = $1")
            .bind(&inv.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    if inv.status == "cancelled" {
        return Err(invalid("code", "vac-code-cancelled"));
    }
    if inv.status == "vaccinated" {
        return Err(invalid("code", "vac-code-used"));
    }
    Ok(inv)
}

/// Cancels an invitation (the coordinator): its booking is cancelled too.
pub async fn cancel_invitation(tx: &mut Tx, actor: &Actor, inv: &Invitation) -> Result<()> {
    if let Some(b) = active_booking_tx(tx, &inv.id).await? {
        cancel_booking(tx, actor, &b).await?;
    }
    let n = sqlx::query(
        "UPDATE vac_invitations SET status = 'cancelled', updated_at = $2 WHERE id = $1 AND status IN ('invited', 'booked')",
    )
    .bind(&inv.id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(invalid("code", "vac-code-used"));
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "vaccination.invitation.cancel",
            record_type: "vac_invitation",
            record_id: &inv.id,
            subject_user_id: None,
            before: Some(json!({"status": inv.status})),
            after: Some(json!({"status": "cancelled"})),
        },
    )
    .await?;
    Ok(())
}

// ---- letters ----

#[derive(Debug, Clone, Serialize)]
pub struct LetterBatch {
    pub id: String,
    pub letters: i64,
    pub created_at: i64,
}

/// Puts every invitation that waits for a letter into a new batch. None
/// when nothing waits.
pub async fn new_letter_batch(
    tx: &mut Tx,
    actor: &Actor,
    campaign_id: &str,
) -> Result<Option<LetterBatch>> {
    let waiting: i64 = sqlx::query(
        "SELECT COUNT(*) FROM vac_invitations WHERE campaign_id = $1 AND delivery = 'letter' \
         AND letter_batch_id IS NULL AND status <> 'cancelled'",
    )
    .bind(campaign_id)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    if waiting == 0 {
        return Ok(None);
    }
    let id = new_id();
    let now = now_ms();
    let created_by = actor.user_id().map(str::to_owned);
    sqlx::query(
        "INSERT INTO vac_letter_batches (id, campaign_id, letters, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(campaign_id)
    .bind(waiting)
    .bind(created_by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE vac_invitations SET letter_batch_id = $2, updated_at = $3 WHERE campaign_id = $1 \
         AND delivery = 'letter' AND letter_batch_id IS NULL AND status <> 'cancelled'",
    )
    .bind(campaign_id)
    .bind(&id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "vaccination.letters.batch",
            record_type: "vac_letter_batch",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"letters": waiting})),
        },
    )
    .await?;
    Ok(Some(LetterBatch {
        id,
        letters: waiting,
        created_at: now,
    }))
}

pub async fn letter_batches(store: &Store, campaign_id: &str) -> Result<Vec<LetterBatch>> {
    let rows = sqlx::query(
        "SELECT id, letters, created_at FROM vac_letter_batches WHERE campaign_id = $1 ORDER BY created_at DESC",
    )
    .bind(campaign_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LetterBatch {
                id: r.try_get(0)?,
                letters: r.try_get(1)?,
                created_at: r.try_get(2)?,
            })
        })
        .collect()
}

pub async fn batch_invitations(store: &Store, batch_id: &str) -> Result<Vec<Invitation>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {INV_COLS} FROM vac_invitations WHERE letter_batch_id = $1 ORDER BY postal_code, name"
    )))
    .bind(batch_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_inv).collect()
}

pub async fn letters_waiting(store: &Store, campaign_id: &str) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) FROM vac_invitations WHERE campaign_id = $1 AND delivery = 'letter' \
         AND letter_batch_id IS NULL AND status <> 'cancelled'",
    )
    .bind(campaign_id)
    .fetch_one(store.pool())
    .await?
    .try_get(0)?)
}

// ---- bookings ----

#[derive(Debug, Clone, Serialize)]
pub struct Booking {
    pub id: String,
    pub invitation_id: String,
    pub campaign_id: String,
    pub slot_id: String,
    pub starts_at: i64,
    pub ends_at: i64,
    /// `booked`, `cancelled`, `checked_in` or `no_show`.
    pub status: String,
    pub channel: String,
    pub sequence: i64,
}

const BOOKING_COLS: &str =
    "id, invitation_id, campaign_id, slot_id, starts_at, ends_at, status, channel, sequence";

fn decode_booking(r: &AnyRow) -> Result<Booking> {
    Ok(Booking {
        id: r.try_get(0)?,
        invitation_id: r.try_get(1)?,
        campaign_id: r.try_get(2)?,
        slot_id: r.try_get(3)?,
        starts_at: r.try_get(4)?,
        ends_at: r.try_get(5)?,
        status: r.try_get(6)?,
        channel: r.try_get(7)?,
        sequence: r.try_get(8)?,
    })
}

/// The invitation's booked or checked-in booking (at most one: a partial
/// unique index).
fn active_booking_sql() -> String {
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

async fn active_booking_tx(tx: &mut Tx, invitation_id: &str) -> Result<Option<Booking>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(active_booking_sql()))
        .bind(invitation_id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(decode_booking).transpose()
}

/// Locks the invitation's row for the rest of the transaction and returns
/// it as it is now.
async fn lock_invitation(tx: &mut Tx, id: &str) -> Result<Invitation> {
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
    match inv.status.as_str() {
        "cancelled" => return Err(invalid("code", "vac-code-cancelled")),
        "vaccinated" => return Err(invalid("code", "vac-code-used")),
        _ => {}
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

async fn insert_booking(
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
    if current.status != "booked" {
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
         reminder_sent_at = NULL, updated_at = $6 WHERE id = $1 RETURNING {BOOKING_COLS}"
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
            before: Some(json!({"status": "booked", "starts_at": b.starts_at})),
            after: Some(json!({"status": "cancelled"})),
        },
    )
    .await?;
    Ok(b)
}

/// Bookings of a campaign whose places exceed their slot's capacity (must
/// be none; the benchmark and tests check it).
pub async fn overbooked(store: &Store, campaign: &Campaign) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) FROM appt_slots s WHERE s.service_id = $1 AND (s.booked > s.capacity OR \
         (SELECT COUNT(*) FROM vac_bookings b WHERE b.slot_id = s.id AND b.status IN ('booked', 'checked_in')) > s.capacity)",
    )
    .bind(&campaign.service_id)
    .fetch_one(store.pool())
    .await?
    .try_get(0)?)
}

/// Reminders due (the day before, 09:00): (booking, invitation).
pub async fn due_reminders(store: &Store, now: i64, limit: i64) -> Result<Vec<(Booking, String)>> {
    let rows = sqlx::query(
        "SELECT b.id, b.invitation_id, b.campaign_id, b.slot_id, b.starts_at, b.ends_at, b.status, b.channel, b.sequence \
         FROM vac_bookings b WHERE b.status = 'booked' AND b.reminder_sent_at IS NULL AND b.remind_at <= $1 \
         AND b.starts_at > $1 ORDER BY b.remind_at LIMIT $2",
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

pub async fn claim_reminder(tx: &mut Tx, booking_id: &str) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE vac_bookings SET reminder_sent_at = $2 WHERE id = $1 AND reminder_sent_at IS NULL",
    )
    .bind(booking_id)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

// ---- the reserve list ----

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
    pub status: String,
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

const RES_COLS: &str = "id, campaign_id, name, national_number, birth_date, email, group_rank, status, signed_up_at, \
     offer_starts_at, offer_expires_at, offer_token, offer_slot_id, offers, invitation_id";

fn decode_res(r: &AnyRow) -> Result<ReserveEntry> {
    Ok(ReserveEntry {
        id: r.try_get(0)?,
        campaign_id: r.try_get(1)?,
        name: r.try_get(2)?,
        national_number: r.try_get(3)?,
        birth_date: r.try_get(4)?,
        email: r.try_get(5)?,
        group_rank: r.try_get(6)?,
        status: r.try_get(7)?,
        signed_up_at: r.try_get(8)?,
        offer_starts_at: r.try_get(9)?,
        offer_expires_at: r.try_get(10)?,
        offer_token: r.try_get(11)?,
        offer_slot_id: r.try_get(12)?,
        offers: r.try_get(13)?,
        invitation_id: r.try_get(14)?,
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

/// Puts someone on the reserve list (again, at the back, when an earlier
/// sign-up expired or was withdrawn). Someone invited already is refused.
pub async fn reserve_sign_up(
    tx: &mut Tx,
    actor: &Actor,
    campaign: &Campaign,
    r: NewReserve<'_>,
) -> Result<ReserveEntry> {
    let invited: i64 = sqlx::query(
        "SELECT COUNT(*) FROM vac_invitations WHERE campaign_id = $1 AND national_number = $2 AND status <> 'cancelled'",
    )
    .bind(&campaign.id)
    .bind(r.national_number)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    if invited > 0 {
        return Err(invalid("national_number", "vac-reserve-invited"));
    }
    let now = now_ms();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO vac_reserve (id, campaign_id, national_number, name, birth_date, email, phone, group_rank, status, \
         signed_up_at, offers, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting', $9, 0, $9) \
         ON CONFLICT (campaign_id, national_number) DO UPDATE SET status = 'waiting', signed_up_at = $9, \
         name = $4, birth_date = $5, email = $6, phone = $7, group_rank = $8, updated_at = $9 \
         WHERE vac_reserve.status IN ('expired', 'withdrawn') RETURNING {RES_COLS}"
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
        return Err(invalid("national_number", "vac-reserve-twice"));
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
    Ok(entry)
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

/// The reserve list in priority order (group, then sign-up time).
pub async fn reserve_list(store: &Store, campaign_id: &str) -> Result<Vec<ReserveEntry>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RES_COLS} FROM vac_reserve WHERE campaign_id = $1 ORDER BY \
         CASE status WHEN 'offered' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, group_rank, signed_up_at"
    )))
    .bind(campaign_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_res).collect()
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
                before: Some(json!({"status": "offered"})),
                after: Some(json!({"status": "expired"})),
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
            let id: String = next.try_get(0)?;
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
                    before: Some(json!({"status": "waiting"})),
                    after: Some(json!({"status": "offered", "starts_at": slot.start_ms()})),
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

// ---- the waiting room ----

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
        Some(r) => r.try_get(0)?,
        None => return Err(StoreError::NotFound),
    };
    tx.commit().await?;
    Ok(n)
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

const VISIT_COLS: &str = "id, code, campaign_id, invitation_id, booking_id, day, line, queue_no, arrival, stage, \
     checked_in_at, registered_at, vaccinated_at, lot, observation_ends_at, left_at";

fn decode_visit(r: &AnyRow) -> Result<Visit> {
    Ok(Visit {
        id: r.try_get(0)?,
        code: r.try_get(1)?,
        campaign_id: r.try_get(2)?,
        invitation_id: r.try_get(3)?,
        booking_id: r.try_get(4)?,
        day: r.try_get(5)?,
        line: r.try_get(6)?,
        queue_no: r.try_get(7)?,
        arrival: r.try_get(8)?,
        stage: r.try_get(9)?,
        checked_in_at: r.try_get(10)?,
        registered_at: r.try_get(11)?,
        vaccinated_at: r.try_get(12)?,
        lot: r.try_get(13)?,
        observation_ends_at: r.try_get(14)?,
        left_at: r.try_get(15)?,
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
    match inv.status.as_str() {
        "cancelled" => return Err(invalid("code", "vac-code-cancelled")),
        "vaccinated" => return Err(invalid("code", "vac-code-used")),
        _ => {}
    }
    let existing: i64 = sqlx::query("SELECT COUNT(*) FROM vac_visits WHERE invitation_id = $1")
        .bind(&inv.id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
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
        "SELECT line, COUNT(*) FROM vac_visits WHERE campaign_id = $1 AND day = $2 \
         AND stage IN ('checked_in', 'registered') GROUP BY line",
    )
    .bind(&campaign.id)
    .bind(day)
    .fetch_all(&mut **tx)
    .await?
    {
        let line: i64 = r.try_get(0)?;
        let n: i64 = r.try_get(1)?;
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
    .try_get(0)?;
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
        .map(|r| Ok((decode_visit(r)?, r.try_get(16)?)))
        .collect()
}

// ---- live figures, the day report, the export ----

/// The live figures of a centre day.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DayFigures {
    pub day: String,
    pub version: i64,
    /// Bookings for the day (not cancelled).
    pub booked: i64,
    pub arrived: i64,
    /// Arrivals without a booking for the day.
    pub not_booked: i64,
    /// Bookings whose slot ended more than the late margin ago without a visit.
    pub no_shows: i64,
    /// Places never booked in slots that have started.
    pub wasted: i64,
    /// People per stage: checked_in, registered, vaccinated, observing, left.
    pub stages: Vec<(String, i64)>,
    /// Average wait in seconds before each station: registration (from
    /// check-in), vaccination (from registration), exit (from the end of
    /// observation).
    pub avg_wait_seconds: Vec<(String, i64)>,
    /// Vaccinations per line and hour: (line, hour 0–23, count).
    pub per_line_hour: Vec<(i64, i64, i64)>,
    /// Vaccinations per line.
    pub per_line: Vec<(i64, i64)>,
    pub vaccinated: i64,
}

fn day_bounds(day: &str) -> Option<(i64, i64)> {
    let date: jiff::civil::Date = day.parse().ok()?;
    let tz = loket_domain::appointments::brussels();
    let start = tz
        .to_ambiguous_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .earlier()
        .ok()?
        .as_millisecond();
    let end = tz
        .to_ambiguous_timestamp(
            date.tomorrow()
                .ok()?
                .to_datetime(jiff::civil::Time::midnight()),
        )
        .earlier()
        .ok()?
        .as_millisecond();
    Some((start, end))
}

fn hour_of(ms: i64) -> i64 {
    let tz = loket_domain::appointments::brussels();
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| i64::from(t.to_zoned_datetime(tz).hour()))
        .unwrap_or(0)
}

pub async fn day_figures(
    store: &Store,
    campaign: &Campaign,
    day: &str,
    now: i64,
) -> Result<DayFigures> {
    let Some((from, to)) = day_bounds(day) else {
        return Err(invalid("day", "vac-day-invalid"));
    };
    let mut f = DayFigures {
        day: day.to_owned(),
        version: version(store, &campaign.id).await?,
        ..DayFigures::default()
    };
    let one = |sql: &'static str| {
        sqlx::query(sql)
            .bind(campaign.id.clone())
            .bind(from)
            .bind(to)
            .bind(now)
    };
    f.booked = one(
        "SELECT COUNT(*) FROM vac_bookings WHERE campaign_id = $1 AND starts_at >= $2 AND starts_at < $3 \
         AND status <> 'cancelled' AND $4 = $4",
    )
    .fetch_one(store.pool())
    .await?
    .try_get(0)?;
    f.no_shows = one(
        "SELECT COUNT(*) FROM vac_bookings WHERE campaign_id = $1 AND starts_at >= $2 AND starts_at < $3 \
         AND status IN ('booked', 'no_show') AND ends_at + 900000 < $4",
    )
    .fetch_one(store.pool())
    .await?
    .try_get(0)?;
    let visits = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {VISIT_COLS} FROM vac_visits WHERE campaign_id = $1 AND day = $2"
    )))
    .bind(&campaign.id)
    .bind(day)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(decode_visit)
    .collect::<Result<Vec<_>>>()?;
    f.arrived = visits.len() as i64;
    f.not_booked = visits.iter().filter(|v| v.arrival == "not_booked").count() as i64;
    for stage in [
        "checked_in",
        "registered",
        "vaccinated",
        "observing",
        "left",
    ] {
        f.stages.push((
            stage.to_owned(),
            visits.iter().filter(|v| v.stage == stage).count() as i64,
        ));
    }
    let avg = |pairs: Vec<(i64, i64)>| {
        if pairs.is_empty() {
            0
        } else {
            pairs.iter().map(|(a, b)| (b - a).max(0)).sum::<i64>() / pairs.len() as i64 / 1000
        }
    };
    f.avg_wait_seconds.push((
        "registration".to_owned(),
        avg(visits
            .iter()
            .filter_map(|v| v.registered_at.map(|r| (v.checked_in_at, r)))
            .collect()),
    ));
    f.avg_wait_seconds.push((
        "vaccination".to_owned(),
        avg(visits
            .iter()
            .filter_map(|v| Some((v.registered_at?, v.vaccinated_at?)))
            .collect()),
    ));
    f.avg_wait_seconds.push((
        "exit".to_owned(),
        avg(visits
            .iter()
            .filter_map(|v| Some((v.observation_ends_at?, v.left_at?)))
            .collect()),
    ));
    let mut per_line_hour: HashMap<(i64, i64), i64> = HashMap::new();
    let mut per_line: HashMap<i64, i64> = HashMap::new();
    for v in &visits {
        if let Some(t) = v.vaccinated_at {
            *per_line_hour.entry((v.line, hour_of(t))).or_default() += 1;
            *per_line.entry(v.line).or_default() += 1;
            f.vaccinated += 1;
        }
    }
    let mut plh: Vec<(i64, i64, i64)> = per_line_hour
        .into_iter()
        .map(|((l, h), n)| (l, h, n))
        .collect();
    plh.sort();
    f.per_line_hour = plh;
    f.per_line = (1..=campaign.lines)
        .map(|l| (l, per_line.get(&l).copied().unwrap_or(0)))
        .collect();
    // Wasted places: slots of the day that have started, capacity minus
    // the places taken.
    let taken = taken(store, campaign).await?;
    f.wasted = slots(store, campaign)
        .await?
        .iter()
        .filter(|s| s.start_ms() >= from && s.start_ms() < to && s.start_ms() <= now)
        .map(|s| (campaign.capacity() - taken.get(&s.start_ms()).copied().unwrap_or(0)).max(0))
        .sum();
    Ok(f)
}

/// One administered vaccination, for the registry export.
#[derive(Debug, Clone, Serialize)]
pub struct Administered {
    pub national_number: String,
    pub birth_date: String,
    pub name: String,
    pub at: i64,
    pub vaccine: String,
    pub lot: String,
    /// `centre` or `mobile`.
    pub setting: String,
    /// The line (centre) or team (mobile).
    pub place: String,
    pub record_id: String,
}

/// The vaccinations administered in `[from_ms, to_ms)`: at the centre
/// (vaccination scans) and by mobile teams (synced records that are not a
/// conflict).
pub async fn administered(
    store: &Store,
    campaign: &Campaign,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<Administered>> {
    let mut out = Vec::new();
    let rows = sqlx::query(
        "SELECT i.national_number, i.birth_date, i.name, v.vaccinated_at, COALESCE(v.lot, ''), v.line, v.id \
         FROM vac_visits v JOIN vac_invitations i ON i.id = v.invitation_id WHERE v.campaign_id = $1 \
         AND v.vaccinated_at IS NOT NULL AND v.vaccinated_at >= $2 AND v.vaccinated_at < $3 ORDER BY v.vaccinated_at",
    )
    .bind(&campaign.id)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(store.pool())
    .await?;
    for r in &rows {
        out.push(Administered {
            national_number: r.try_get(0)?,
            birth_date: r.try_get(1)?,
            name: r.try_get(2)?,
            at: r.try_get(3)?,
            vaccine: campaign.vaccine.clone(),
            lot: r.try_get(4)?,
            setting: "centre".to_owned(),
            place: r.try_get::<i64, _>(5)?.to_string(),
            record_id: r.try_get(6)?,
        });
    }
    let rows = sqlx::query(
        "SELECT i.national_number, i.birth_date, i.name, m.recorded_at, COALESCE(m.lot, ''), m.team, m.client_id \
         FROM vac_mobile_records m JOIN vac_invitations i ON i.id = m.invitation_id WHERE i.campaign_id = $1 \
         AND m.kind = 'vaccinated' AND (m.conflict_with IS NULL OR m.resolution = 'both') AND m.recorded_at >= $2 AND m.recorded_at < $3 \
         ORDER BY m.recorded_at",
    )
    .bind(&campaign.id)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(store.pool())
    .await?;
    for r in &rows {
        out.push(Administered {
            national_number: r.try_get(0)?,
            birth_date: r.try_get(1)?,
            name: r.try_get(2)?,
            at: r.try_get(3)?,
            vaccine: campaign.vaccine.clone(),
            lot: r.try_get(4)?,
            setting: "mobile".to_owned(),
            place: r.try_get(5)?,
            record_id: r.try_get(6)?,
        });
    }
    out.sort_by_key(|a| a.at);
    Ok(out)
}

/// The bounds of a local day, for callers.
pub fn bounds_of_day(day: &str) -> Option<(i64, i64)> {
    day_bounds(day)
}

// ---- mobile teams ----

#[derive(Debug, Clone, Serialize)]
pub struct MobileVisit {
    pub id: String,
    pub team: String,
    pub day: String,
    /// Local time `HH:MM`.
    pub at: String,
    pub invitation_id: String,
    pub name: String,
    pub birth_date: String,
    pub address: String,
    /// Synced records so far: `planned`, `arrived` or `vaccinated`.
    pub status: String,
}

/// Plans a visit of a mobile team (a care home or at home).
#[allow(clippy::too_many_arguments)]
pub async fn plan_mobile_visit(
    tx: &mut Tx,
    actor: &Actor,
    campaign: &Campaign,
    team: &str,
    day: &str,
    at: &str,
    invitation_id: &str,
    address: &str,
) -> Result<String> {
    let inv = lock_invitation(tx, invitation_id).await?;
    if inv.campaign_id != campaign.id || inv.status == "cancelled" {
        return Err(invalid("invitation", "vac-code-unknown"));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO vac_mobile_visits (id, campaign_id, team, day, at, invitation_id, address, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&campaign.id)
    .bind(team)
    .bind(day)
    .bind(at)
    .bind(&inv.id)
    .bind(address)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "vaccination.mobile.plan",
            record_type: "vac_mobile_visit",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"team": team, "day": day, "at": at, "invitation": inv.id})),
        },
    )
    .await?;
    Ok(id)
}

/// A team's visits of a day, with what was synced for them.
pub async fn mobile_day(store: &Store, team: &str, day: &str) -> Result<Vec<MobileVisit>> {
    let rows = sqlx::query(
        "SELECT m.id, m.team, m.day, m.at, m.invitation_id, i.name, i.birth_date, m.address, \
         (SELECT COUNT(*) FROM vac_mobile_records r WHERE r.mobile_visit_id = m.id AND r.kind = 'arrival'), \
         (SELECT COUNT(*) FROM vac_mobile_records r WHERE r.mobile_visit_id = m.id AND r.kind = 'vaccinated') \
         FROM vac_mobile_visits m JOIN vac_invitations i ON i.id = m.invitation_id \
         WHERE m.team = $1 AND m.day = $2 ORDER BY m.at, i.name",
    )
    .bind(team)
    .bind(day)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let arrived: i64 = r.try_get(8)?;
            let vaccinated: i64 = r.try_get(9)?;
            Ok(MobileVisit {
                id: r.try_get(0)?,
                team: r.try_get(1)?,
                day: r.try_get(2)?,
                at: r.try_get(3)?,
                invitation_id: r.try_get(4)?,
                name: r.try_get(5)?,
                birth_date: r.try_get(6)?,
                address: r.try_get(7)?,
                status: if vaccinated > 0 {
                    "vaccinated"
                } else if arrived > 0 {
                    "arrived"
                } else {
                    "planned"
                }
                .to_owned(),
            })
        })
        .collect()
}

/// The teams with visits on a day.
pub async fn mobile_teams(store: &Store, campaign_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT DISTINCT team FROM vac_mobile_visits WHERE campaign_id = $1 ORDER BY team",
    )
    .bind(campaign_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// One record made on a tablet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRecord {
    /// Generated by the device (a UUID): the same record sent twice is
    /// stored once.
    pub client_id: String,
    pub mobile_visit_id: String,
    /// `arrival` or `vaccinated`.
    pub kind: String,
    pub recorded_at: i64,
    pub lot: Option<String>,
}

/// What became of a synced record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncResult {
    pub client_id: String,
    /// `stored`, `replayed` (already had it) or `conflict` (the person's
    /// vaccination was recorded already: kept for the coordinator).
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict_with: Option<String>,
}

/// Stores a batch from a team's tablet in one transaction. Idempotent per
/// `client_id`; a client id reused for different content, or a visit that
/// is not the team's, refuses the whole batch (nothing stored).
pub async fn sync(
    tx: &mut Tx,
    actor: &Actor,
    team: &str,
    records: &[SyncRecord],
) -> Result<Vec<SyncResult>> {
    let mut out = Vec::new();
    let now = now_ms();
    for (i, r) in records.iter().enumerate() {
        let field = format!("records[{i}]");
        let visit = sqlx::query("SELECT team, invitation_id FROM vac_mobile_visits WHERE id = $1")
            .bind(&r.mobile_visit_id)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(visit) = visit else {
            return Err(invalid(&field, "vac-sync-visit-unknown"));
        };
        let visit_team: String = visit.try_get(0)?;
        let invitation_id: String = visit.try_get(1)?;
        if visit_team != team {
            return Err(invalid(&field, "vac-sync-visit-unknown"));
        }
        let existing = sqlx::query(
            "SELECT mobile_visit_id, kind, recorded_at, COALESCE(lot, ''), conflict_with FROM vac_mobile_records \
             WHERE client_id = $1",
        )
        .bind(&r.client_id)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(e) = existing {
            let same = e.try_get::<String, _>(0)? == r.mobile_visit_id
                && e.try_get::<String, _>(1)? == r.kind
                && e.try_get::<i64, _>(2)? == r.recorded_at
                && e.try_get::<String, _>(3)? == r.lot.clone().unwrap_or_default();
            if !same {
                return Err(invalid(&field, "vac-sync-id-reused"));
            }
            out.push(SyncResult {
                client_id: r.client_id.clone(),
                outcome: "replayed".to_owned(),
                conflict_with: e.try_get(4)?,
            });
            continue;
        }
        let mut conflict: Option<String> = None;
        if r.kind == "vaccinated" {
            lock_invitation(tx, &invitation_id).await?;
            let other = sqlx::query(
                "SELECT client_id FROM vac_mobile_records WHERE invitation_id = $1 AND kind = 'vaccinated' \
                 AND (conflict_with IS NULL OR resolution = 'both') ORDER BY recorded_at LIMIT 1",
            )
            .bind(&invitation_id)
            .fetch_optional(&mut **tx)
            .await?;
            conflict = match other {
                Some(o) => Some(o.try_get(0)?),
                None => sqlx::query(
                    "SELECT id FROM vac_visits WHERE invitation_id = $1 AND vaccinated_at IS NOT NULL",
                )
                .bind(&invitation_id)
                .fetch_optional(&mut **tx)
                .await?
                .map(|v| v.try_get::<String, _>(0))
                .transpose()?,
            };
        }
        sqlx::query(
            "INSERT INTO vac_mobile_records (client_id, mobile_visit_id, invitation_id, team, kind, recorded_at, lot, \
             received_at, conflict_with) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&r.client_id)
        .bind(&r.mobile_visit_id)
        .bind(&invitation_id)
        .bind(team)
        .bind(&r.kind)
        .bind(r.recorded_at)
        .bind(r.lot.clone())
        .bind(now)
        .bind(conflict.clone())
        .execute(&mut **tx)
        .await?;
        if r.kind == "vaccinated" && conflict.is_none() {
            sqlx::query(
                "UPDATE vac_invitations SET status = 'vaccinated', updated_at = $2 WHERE id = $1",
            )
            .bind(&invitation_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        audit::record(
            tx,
            actor,
            Change {
                action: "vaccination.mobile.record",
                record_type: "vac_mobile_record",
                record_id: &r.client_id,
                subject_user_id: None,
                before: None,
                after: Some(json!({
                    "team": team, "kind": r.kind, "recorded_at": r.recorded_at,
                    "conflict_with": conflict,
                })),
            },
        )
        .await?;
        out.push(SyncResult {
            client_id: r.client_id.clone(),
            outcome: if conflict.is_some() {
                "conflict"
            } else {
                "stored"
            }
            .to_owned(),
            conflict_with: conflict,
        });
    }
    Ok(out)
}

/// A sync conflict waiting for the coordinator.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub client_id: String,
    pub team: String,
    pub name: String,
    pub recorded_at: i64,
    pub conflict_with: String,
}

pub async fn open_conflicts(store: &Store, campaign_id: &str) -> Result<Vec<Conflict>> {
    let rows = sqlx::query(
        "SELECT m.client_id, m.team, i.name, m.recorded_at, m.conflict_with FROM vac_mobile_records m \
         JOIN vac_invitations i ON i.id = m.invitation_id WHERE i.campaign_id = $1 AND m.conflict_with IS NOT NULL \
         AND m.resolved_at IS NULL ORDER BY m.recorded_at",
    )
    .bind(campaign_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Conflict {
                client_id: r.try_get(0)?,
                team: r.try_get(1)?,
                name: r.try_get(2)?,
                recorded_at: r.try_get(3)?,
                conflict_with: r.try_get(4)?,
            })
        })
        .collect()
}

/// Settles a conflict: `duplicate` (the same vaccination recorded twice:
/// this record is not exported) or `both` (two doses were given: it is
/// exported too).
pub async fn resolve_conflict(
    tx: &mut Tx,
    actor: &Actor,
    client_id: &str,
    resolution: &str,
) -> Result<()> {
    if !matches!(resolution, "duplicate" | "both") {
        return Err(invalid("resolution", "vac-resolution-invalid"));
    }
    let by = actor.user_id().map(str::to_owned);
    let n = sqlx::query(
        "UPDATE vac_mobile_records SET resolved_at = $2, resolved_by = $3, resolution = $4 \
         WHERE client_id = $1 AND conflict_with IS NOT NULL AND resolved_at IS NULL",
    )
    .bind(client_id)
    .bind(now_ms())
    .bind(by)
    .bind(resolution)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(invalid("resolution", "vac-conflict-closed"));
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "vaccination.mobile.resolve",
            record_type: "vac_mobile_record",
            record_id: client_id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"resolution": resolution})),
        },
    )
    .await?;
    Ok(())
}

/// Whether a mobile record with this client id is stored.
pub async fn mobile_record_exists(store: &Store, client_id: &str) -> Result<bool> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM vac_mobile_records WHERE client_id = $1")
        .bind(client_id)
        .fetch_one(store.pool())
        .await?
        .try_get(0)?;
    Ok(n > 0)
}
