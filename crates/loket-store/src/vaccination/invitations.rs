//! Invitations and their letters.

use super::*;
use crate::paging::{self, Order};
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};

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
    pub status: InvitationStatus,
    #[serde(skip)]
    pub attempts: i64,
    #[serde(skip)]
    pub locked_until: i64,
}

pub(super) const INV_COLS: &str = "id, campaign_id, code, national_number, name, birth_date, street, postal_code, city, \
     email, phone, group_rank, source, delivery, letter_batch_id, status, attempts, locked_until";

pub(super) fn decode_inv(r: &AnyRow) -> Result<Invitation> {
    Ok(Invitation {
        id: r.try_get("id")?,
        campaign_id: r.try_get("campaign_id")?,
        code: r.try_get("code")?,
        national_number: r.try_get("national_number")?,
        name: r.try_get("name")?,
        birth_date: r.try_get("birth_date")?,
        street: r.try_get("street")?,
        postal_code: r.try_get("postal_code")?,
        city: r.try_get("city")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        group_rank: r.try_get("group_rank")?,
        source: r.try_get("source")?,
        delivery: r.try_get("delivery")?,
        letter_batch_id: r.try_get("letter_batch_id")?,
        status: crate::status(r, "status")?,
        attempts: r.try_get("attempts")?,
        locked_until: r.try_get("locked_until")?,
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
            .map(|r| r.try_get::<String, _>("national_number"))
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
/// national number ('' = all), by priority group then name, at most `limit`.
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

/// A campaign's invitation list's cursors: keyset on (group_rank, name,
/// id): priority group first, then by name.
pub const INVITATION_PAGING: Spec = Spec {
    list: "vaccination.invitations",
    keys: &[KeyKind::Int, KeyKind::Text, KeyKind::Text],
};

const INV_WHERE: &str = "campaign_id = $1 AND ($2 = '%%' OR LOWER(name) LIKE $2 \
     OR LOWER(code) LIKE $2 OR national_number LIKE $2)";

/// One page of a campaign's invitations, filtered by a search on name,
/// code or national number ('' = all), by priority group then name.
pub async fn invitations_page(
    store: &Store,
    campaign_id: &str,
    search: &str,
    pq: &PageQuery,
) -> Result<Page<Invitation>> {
    paging::Select::new(
        format!("SELECT {INV_COLS} FROM vac_invitations WHERE {INV_WHERE}"),
        &["group_rank", "name", "id"],
        Order::Asc,
    )
    .arg(campaign_id)
    .arg(format!("%{}%", search.trim().to_lowercase()))
    .page(store, pq, &INVITATION_PAGING, decode_inv, |i| {
        vec![
            Key::from(i.group_rank),
            Key::from(i.name.as_str()),
            Key::from(i.id.as_str()),
        ]
    })
    .await
}

/// How many invitations [`invitations_page`] pages through, up to `cap`.
pub async fn invitations_total(
    store: &Store,
    campaign_id: &str,
    search: &str,
    cap: i64,
) -> Result<Total> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM vac_invitations WHERE {INV_WHERE} LIMIT $3) t"
    )))
    .bind(campaign_id.to_owned())
    .bind(format!("%{}%", search.trim().to_lowercase()))
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// Counts per status: (status, count).
pub async fn invitation_counts(
    store: &Store,
    campaign_id: &str,
) -> Result<Vec<(InvitationStatus, i64)>> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*) AS n FROM vac_invitations WHERE campaign_id = $1 GROUP BY status ORDER BY status",
    )
    .bind(campaign_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((crate::status(r, "status")?, r.try_get("n")?)))
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
    match inv.status {
        InvitationStatus::Cancelled => return Err(invalid("code", "vac-code-cancelled")),
        InvitationStatus::Vaccinated => return Err(invalid("code", "vac-code-used")),
        InvitationStatus::Invited | InvitationStatus::Booked => {}
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
            after: Some(json!({"status": InvitationStatus::Cancelled})),
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
        "SELECT COUNT(*) AS n FROM vac_invitations WHERE campaign_id = $1 AND delivery = 'letter' \
         AND letter_batch_id IS NULL AND status <> 'cancelled'",
    )
    .bind(campaign_id)
    .fetch_one(&mut **tx)
    .await?
    .try_get("n")?;
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

/// A campaign's print batches' cursors: keyset on (created_at, id), newest
/// first.
pub const LETTER_BATCH_PAGING: Spec = Spec {
    list: "vaccination.letter_batches",
    keys: &[KeyKind::Int, KeyKind::Text],
};

fn decode_batch(r: &sqlx::any::AnyRow) -> Result<LetterBatch> {
    Ok(LetterBatch {
        id: r.try_get("id")?,
        letters: r.try_get("letters")?,
        created_at: r.try_get("created_at")?,
    })
}

/// One page of a campaign's print batches, newest first (every batch
/// printed adds one, so the list is paged like every other list that
/// grows).
pub async fn letter_batches_page(
    store: &Store,
    campaign_id: &str,
    pq: &PageQuery,
) -> Result<Page<LetterBatch>> {
    paging::Select::new(
        "SELECT id, letters, created_at FROM vac_letter_batches WHERE campaign_id = $1",
        &["created_at", "id"],
        Order::Desc,
    )
    .arg(campaign_id)
    .page(store, pq, &LETTER_BATCH_PAGING, decode_batch, |b| {
        vec![Key::from(b.created_at), Key::from(b.id.as_str())]
    })
    .await
}

/// How many print batches a campaign has, up to `cap`.
pub async fn letter_batches_total(store: &Store, campaign_id: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM vac_letter_batches WHERE campaign_id = $1 LIMIT $2) t",
    )
    .bind(campaign_id)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
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
        "SELECT COUNT(*) AS n FROM vac_invitations WHERE campaign_id = $1 AND delivery = 'letter' \
         AND letter_batch_id IS NULL AND status <> 'cancelled'",
    )
    .bind(campaign_id)
    .fetch_one(store.pool())
    .await?
    .try_get("n")?)
}
