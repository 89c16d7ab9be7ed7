//! Campaigns and their slots.

use super::*;
use crate::paging::{self, Order};
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};

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
    pub status: CampaignStatus,
    pub version: i64,
}

impl Campaign {
    pub fn capacity(&self) -> i64 {
        self.lines * self.per_line
    }
}

pub(super) const CAMPAIGN_COLS: &str = "id, slug, name, vaccine, location_id, service_id, lines, per_line, slot_minutes, \
     observation_minutes, admit_per_minute, admit_burst, opens_at, status, version";

pub(super) fn decode_campaign(r: &AnyRow) -> Result<Campaign> {
    Ok(Campaign {
        id: r.try_get("id")?,
        slug: r.try_get("slug")?,
        name: r.try_get("name")?,
        vaccine: r.try_get("vaccine")?,
        location_id: r.try_get("location_id")?,
        service_id: r.try_get("service_id")?,
        lines: r.try_get("lines")?,
        per_line: r.try_get("per_line")?,
        slot_minutes: r.try_get("slot_minutes")?,
        observation_minutes: r.try_get("observation_minutes")?,
        admit_per_minute: r.try_get("admit_per_minute")?,
        admit_burst: r.try_get("admit_burst")?,
        opens_at: r.try_get("opens_at")?,
        status: crate::status(r, "status")?,
        version: r.try_get("version")?,
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
    let taken: i64 = sqlx::query("SELECT COUNT(*) AS n FROM vac_campaigns WHERE slug = $1")
        .bind(c.slug)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?;
    let service_slug = format!("vac-{}", c.slug);
    let taken_service: i64 = sqlx::query("SELECT COUNT(*) AS n FROM appt_services WHERE slug = $1")
        .bind(&service_slug)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?;
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

/// The campaign list's cursors: keyset on (opens_at, slug), latest first.
pub const CAMPAIGN_PAGING: Spec = Spec {
    list: "vaccination.campaigns",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of the campaigns, latest opening first (the coordinators' list
/// grows with every campaign, so it is paged like every other list).
pub async fn campaigns_page(store: &Store, pq: &PageQuery) -> Result<Page<Campaign>> {
    paging::Select::new(
        format!("SELECT {CAMPAIGN_COLS} FROM vac_campaigns WHERE 1 = 1"),
        &["opens_at", "slug"],
        Order::Desc,
    )
    .page(store, pq, &CAMPAIGN_PAGING, decode_campaign, |c| {
        vec![Key::from(c.opens_at), Key::from(c.slug.as_str())]
    })
    .await
}

/// How many campaigns [`campaigns_page`] pages through, up to `cap`.
pub async fn campaigns_total(store: &Store, cap: i64) -> Result<Total> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM vac_campaigns LIMIT $1) t")
        .bind(paging::count_limit(cap))
        .fetch_one(store.pool())
        .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// The most open campaigns [`open_campaigns`] reads: the public landing
/// page and the workers need every open one, and a city runs a handful at
/// a time, far below this.
pub const OPEN_CAMPAIGNS_CAP: i64 = 500;

/// The open campaigns, latest opening first, at most `limit` (see
/// [`OPEN_CAMPAIGNS_CAP`]): what the public landing page offers and what
/// the workers (offers, reminders) go through.
pub async fn open_campaigns(store: &Store, limit: i64) -> Result<Vec<Campaign>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CAMPAIGN_COLS} FROM vac_campaigns WHERE status = 'open' \
         ORDER BY opens_at DESC, slug DESC LIMIT $1"
    )))
    .bind(limit)
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
        .map(|r| Ok((r.try_get("day")?, r.try_get("opens")?, r.try_get("closes")?)))
        .collect()
}

pub async fn groups(store: &Store, campaign_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT name FROM vac_groups WHERE campaign_id = $1 ORDER BY rank")
        .bind(campaign_id)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(|r| Ok(r.try_get("name")?)).collect()
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
            .map(|r| r.try_get::<i64, _>("version"))
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
