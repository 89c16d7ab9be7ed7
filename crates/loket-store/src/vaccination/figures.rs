//! Live figures, the day report and the registry export.

use super::*;

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

pub(super) fn day_bounds(day: &str) -> Option<(i64, i64)> {
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

pub(super) fn hour_of(ms: i64) -> i64 {
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
        "SELECT COUNT(*) AS n FROM vac_bookings WHERE campaign_id = $1 AND starts_at >= $2 AND starts_at < $3 \
         AND status <> 'cancelled' AND $4 = $4",
    )
    .fetch_one(store.pool())
    .await?
    .try_get("n")?;
    f.no_shows = one(
        "SELECT COUNT(*) AS n FROM vac_bookings WHERE campaign_id = $1 AND starts_at >= $2 AND starts_at < $3 \
         AND status IN ('booked', 'no_show') AND ends_at + 900000 < $4",
    )
    .fetch_one(store.pool())
    .await?
    .try_get("n")?;
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
    /// The vaccinated person's invitation (the access log's subject).
    pub invitation_id: String,
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
        "SELECT i.national_number, i.birth_date, i.name, v.vaccinated_at, COALESCE(v.lot, '') AS lot, v.line, v.id, i.id AS invitation_id \
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
            national_number: r.try_get("national_number")?,
            birth_date: r.try_get("birth_date")?,
            name: r.try_get("name")?,
            at: r.try_get("vaccinated_at")?,
            vaccine: campaign.vaccine.clone(),
            lot: r.try_get("lot")?,
            setting: "centre".to_owned(),
            place: r.try_get::<i64, _>("line")?.to_string(),
            record_id: r.try_get("id")?,
            invitation_id: r.try_get("invitation_id")?,
        });
    }
    let rows = sqlx::query(
        "SELECT i.national_number, i.birth_date, i.name, m.recorded_at, COALESCE(m.lot, '') AS lot, m.team, m.client_id, i.id AS invitation_id \
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
            national_number: r.try_get("national_number")?,
            birth_date: r.try_get("birth_date")?,
            name: r.try_get("name")?,
            at: r.try_get("recorded_at")?,
            vaccine: campaign.vaccine.clone(),
            lot: r.try_get("lot")?,
            setting: "mobile".to_owned(),
            place: r.try_get("team")?,
            record_id: r.try_get("client_id")?,
            invitation_id: r.try_get("invitation_id")?,
        });
    }
    out.sort_by_key(|a| a.at);
    Ok(out)
}

/// The bounds of a local day, for callers.
pub fn bounds_of_day(day: &str) -> Option<(i64, i64)> {
    day_bounds(day)
}
