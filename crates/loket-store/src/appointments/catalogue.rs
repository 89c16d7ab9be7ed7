//! The counters' whole configuration in a handful of queries, and its
//! version (`config_version`, bumped by triggers on every change of the
//! configuration tables; see migration 0024). The app layer caches what
//! [`load`] returns and re-reads it only when [`version`] moved.

use super::*;

/// Everything a booking or a slot list needs to know of the counters.
#[derive(Debug, Clone)]
pub struct Counters {
    /// The version this was read at (read before the rest, so a change
    /// made meanwhile makes the next check reload).
    pub version: i64,
    pub settings: Settings,
    /// Every service and location, inactive ones included.
    pub services: Vec<CounterService>,
    pub locations: Vec<Location>,
    /// Opening periods per location id.
    pub hours: HashMap<String, Vec<Period>>,
    /// Closed days per location id.
    pub closed: HashMap<String, BTreeSet<jiff::civil::Date>>,
    /// Active desks per (location id, service id): the places of a slot.
    pub capacity: HashMap<(String, String), i64>,
}

/// The configuration's version: one primary-key read.
pub async fn version(store: &Store) -> Result<i64> {
    let v: Option<i64> = sqlx::query_scalar("SELECT version FROM config_version WHERE id = 1")
        .fetch_optional(store.pool())
        .await?;
    Ok(v.unwrap_or(0))
}

/// The configuration's version as the transaction `tx` sees it (the
/// bookings' writer checks a batch against it).
pub async fn version_in(tx: &mut Tx) -> Result<i64> {
    let v: Option<i64> = sqlx::query_scalar("SELECT version FROM config_version WHERE id = 1")
        .fetch_optional(&mut **tx)
        .await?;
    Ok(v.unwrap_or(0))
}

/// Reads the whole configuration: the version first, then six queries.
pub async fn load(store: &Store) -> Result<Counters> {
    let version = version(store).await?;
    let settings = settings(store).await?;
    let services = sqlx::query(
        "SELECT id, slug, name_nl, name_en, slot_minutes, active FROM appt_services ORDER BY name_nl, id",
    )
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(decode_service)
    .collect::<Result<Vec<_>>>()?;
    let locations =
        sqlx::query("SELECT id, slug, name, address, active FROM appt_locations ORDER BY name, id")
            .fetch_all(store.pool())
            .await?
            .iter()
            .map(decode_location)
            .collect::<Result<Vec<_>>>()?;
    let mut hours: HashMap<String, Vec<Period>> = HashMap::new();
    for r in sqlx::query(
        "SELECT location_id, weekday, opens, closes FROM appt_hours ORDER BY location_id, weekday, opens",
    )
    .fetch_all(store.pool())
    .await?
    .iter()
    {
        let wd: i64 = r.try_get("weekday")?;
        let opens: String = r.try_get("opens")?;
        let closes: String = r.try_get("closes")?;
        if let (Some(o), Some(c), Ok(wd)) =
            (parse_time(&opens), parse_time(&closes), i8::try_from(wd))
        {
            hours
                .entry(r.try_get("location_id")?)
                .or_default()
                .push(Period {
                    weekday: wd,
                    opens: o,
                    closes: c,
                });
        }
    }
    let mut closed: HashMap<String, BTreeSet<jiff::civil::Date>> = HashMap::new();
    for r in sqlx::query("SELECT location_id, day FROM appt_closed_days")
        .fetch_all(store.pool())
        .await?
        .iter()
    {
        let d: String = r.try_get("day")?;
        if let Ok(d) = d.parse() {
            closed
                .entry(r.try_get("location_id")?)
                .or_default()
                .insert(d);
        }
    }
    let mut capacity = HashMap::new();
    for r in sqlx::query(
        "SELECT d.location_id, ds.service_id, COUNT(*) AS n FROM appt_desks d \
         JOIN appt_desk_services ds ON ds.desk_id = d.id WHERE d.active = 1 \
         GROUP BY d.location_id, ds.service_id",
    )
    .fetch_all(store.pool())
    .await?
    .iter()
    {
        capacity.insert(
            (r.try_get("location_id")?, r.try_get("service_id")?),
            r.try_get::<i64, _>("n")?,
        );
    }
    Ok(Counters {
        version,
        settings,
        services,
        locations,
        hours,
        closed,
        capacity,
    })
}

impl Counters {
    /// A service by id or slug (inactive ones too: the caller decides).
    pub fn service(&self, id_or_slug: &str) -> Option<&CounterService> {
        self.services
            .iter()
            .find(|s| s.id == id_or_slug || s.slug == id_or_slug)
    }

    /// A location by id or slug.
    pub fn location(&self, id_or_slug: &str) -> Option<&Location> {
        self.locations
            .iter()
            .find(|l| l.id == id_or_slug || l.slug == id_or_slug)
    }

    /// What slots of `service` at `location_id` are generated from (as
    /// [`schedule`] reads it).
    pub fn schedule(&self, location_id: &str, service: &CounterService) -> Schedule {
        Schedule {
            periods: self.hours.get(location_id).cloned().unwrap_or_default(),
            closed: self.closed.get(location_id).cloned().unwrap_or_default(),
            slot_minutes: service.slot_minutes,
        }
    }

    /// The places of one slot (as [`capacity`] counts them).
    pub fn capacity(&self, location_id: &str, service_id: &str) -> i64 {
        self.capacity
            .get(&(location_id.to_owned(), service_id.to_owned()))
            .copied()
            .unwrap_or(0)
    }
}
