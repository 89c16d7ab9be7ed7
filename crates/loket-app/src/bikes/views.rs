//! What the bike pages show: reservations with their bike and rider (a
//! staff member's read of someone else's reservation is access-logged), and
//! the fleet's figures for the dashboard.

use super::FLEET;
use crate::i18n::{brussels, date_of_ms, today_brussels};
use crate::{App, Refusal};
use jiff::ToSpan;
use jiff::civil::Date;
use loket_domain::appointments::parse_start;
use loket_domain::bikes::{self as rules, BikeType, ReservationStatus};
use loket_domain::percent;
use loket_store::bikes::{self as store, Bike, Reservation};
use loket_store::people::{self as people_store, User};
use std::collections::BTreeMap;

/// A reservation with its bike and the rider's name.
pub struct Booked {
    pub reservation: Reservation,
    pub bike: Option<Bike>,
    pub rider: String,
}

impl Booked {
    /// Whether the rider may pick the bike up at `now` (from 15 minutes
    /// before the start, until the pick-up grace has passed).
    pub fn can_pick_up(&self, now: i64) -> bool {
        let r = &self.reservation;
        r.status == ReservationStatus::Reserved
            && r.starts_at <= now + 15 * 60_000
            && !rules::pickup_expired(r.starts_at, now)
    }
}

async fn booked(app: &App, reservation: Reservation, rider: String) -> Result<Booked, Refusal> {
    let bike = store::get_bike(&app.store, &reservation.bike_id).await?;
    Ok(Booked {
        reservation,
        bike,
        rider,
    })
}

/// One page of the rider's own reservations, newest first, and how many
/// they hold.
pub async fn mine(
    app: &App,
    user: &User,
    pq: &loket_domain::paging::PageQuery,
) -> Result<
    (
        loket_domain::paging::Page<Booked>,
        loket_domain::paging::Total,
    ),
    Refusal,
> {
    let page = store::reservations_page(&app.store, &user.id, pq).await?;
    let total =
        store::reservations_total(&app.store, &user.id, loket_domain::paging::TOTAL_CAP).await?;
    let mut rows = Vec::with_capacity(page.items.len());
    for r in page.items.iter().cloned() {
        rows.push(booked(app, r, String::new()).await?);
    }
    let page = loket_domain::paging::Page {
        items: rows,
        next: page.next,
        prev: page.prev,
    };
    Ok((page, total))
}

/// One reservation as `viewer` may see it: their own, or (for a fleet
/// manager) anyone's, which is access-logged.
pub async fn one(app: &App, viewer: &User, id: &str) -> Result<Booked, Refusal> {
    let r = super::allowed(app, viewer, id).await?;
    seen_by(app, viewer, r).await
}

/// A reservation `viewer` may act on, as they see it (access-logged when
/// it is someone else's).
pub async fn seen_by(app: &App, viewer: &User, r: Reservation) -> Result<Booked, Refusal> {
    let rider = if r.user_id == viewer.id {
        viewer.name.clone()
    } else {
        rider_of(app, viewer, &r, "bikes.reservation.view").await?
    };
    booked(app, r, rider).await
}

async fn rider_of(
    app: &App,
    viewer: &User,
    r: &Reservation,
    purpose: &str,
) -> Result<String, Refusal> {
    loket_store::audit::record_access(
        &app.store,
        &viewer.id,
        &r.user_id,
        "bike_reservation",
        &r.id,
        purpose,
    )
    .await?;
    Ok(people_store::get_user(&app.store, &r.user_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default())
}

/// Today's reservations of the whole fleet, for a fleet manager; each
/// rider's reservation read is access-logged.
pub async fn fleet_today(app: &App, viewer: &User) -> Result<Vec<Booked>, Refusal> {
    if !viewer.roles.any(FLEET) {
        return Err(Refusal::Forbidden);
    }
    let day = today_brussels();
    let from = parse_start(&format!("{day}T00:00"), &brussels()).unwrap_or_default();
    let to = from + 24 * 3600 * 1000;
    let mut rows = Vec::new();
    for r in store::list_between(&app.store, from, to).await? {
        let rider = rider_of(app, viewer, &r, "bikes.fleet.day").await?;
        rows.push(booked(app, r, rider).await?);
    }
    Ok(rows)
}

/// One line of a dashboard table: a month, a site or a bike.
pub struct UseRow {
    pub label: String,
    pub trips: i64,
    pub km: i64,
    pub percent: i64,
}

/// The fleet's figures: six months of trips, and how much of the last 30
/// days' working hours each bike and site was out.
pub struct Figures {
    pub trips: i64,
    pub km: i64,
    pub ebike_share: i64,
    pub ebike_km_share: i64,
    pub co2_kg: i64,
    pub co2_g_per_km: i64,
    /// The longest reservation allowed, in minutes (a setting shown on
    /// the dashboard).
    pub max_minutes: i64,
    pub months: Vec<UseRow>,
    pub sites: Vec<UseRow>,
    pub bikes: Vec<UseRow>,
}

/// Hours of the 30 days before `today` a bike could be used: 8 working
/// hours on the working days (Belgian holidays excluded).
fn usable_hours(today: Date) -> i64 {
    let mut d = today;
    let mut days = 0;
    for _ in 0..30 {
        d = d.yesterday().unwrap_or(d);
        let weekend = matches!(
            d.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        );
        if !weekend && !loket_domain::calendar::belgian_holidays(d.year()).contains(&d) {
            days += 1;
        }
    }
    (days * 8).max(1)
}

/// The fleet's figures as of now.
pub async fn figures(app: &App) -> Result<Figures, Refusal> {
    let settings = store::settings(&app.store).await?;
    let today = today_brussels();
    // Six months, this one included.
    let first = today
        .first_of_month()
        .checked_sub(5.months())
        .unwrap_or(today.first_of_month());
    let from = parse_start(&format!("{first}T00:00"), &brussels()).unwrap_or_default();
    let trips = store::trips_since(&app.store, from).await?;
    let mut months: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut m = first;
    while m <= today {
        months.insert(m.strftime("%Y-%m").to_string(), (0, 0));
        m = m
            .checked_add(1.month())
            .unwrap_or(today.tomorrow().unwrap_or(today));
    }
    let (mut total_km, mut e_trips, mut e_km) = (0, 0, 0);
    let recent_from = loket_store::now_ms() - 30 * 24 * 3600 * 1000;
    let mut per_bike: BTreeMap<String, i64> = BTreeMap::new();
    for t in &trips {
        if let Some(d) = date_of_ms(t.starts_at) {
            let e = months.entry(d.strftime("%Y-%m").to_string()).or_default();
            e.0 += 1;
            e.1 += t.km;
        }
        total_km += t.km;
        if t.bike_type == BikeType::Ebike.as_str() {
            e_trips += 1;
            e_km += t.km;
        }
        if t.starts_at >= recent_from {
            *per_bike.entry(t.bike_id.clone()).or_default() += (t.ends_at - t.starts_at).max(0);
        }
    }
    let hours = usable_hours(today);
    let all_bikes = store::list_bikes(&app.store, "", "").await?;
    let out_ms = |b: &Bike| per_bike.get(&b.id).copied().unwrap_or(0);
    let bikes = all_bikes
        .iter()
        .map(|b| UseRow {
            label: b.number.clone(),
            trips: 0,
            km: 0,
            percent: percent(out_ms(b) / 3_600_000, hours).min(100),
        })
        .collect();
    let sites = store::list_sites(&app.store)
        .await?
        .iter()
        .map(|s| {
            let mine: Vec<&Bike> = all_bikes.iter().filter(|b| b.site_id == s.id).collect();
            let ms: i64 = mine.iter().map(|b| out_ms(b)).sum();
            let n = i64::try_from(mine.len()).unwrap_or(i64::MAX);
            UseRow {
                label: s.name.clone(),
                trips: n,
                km: 0,
                percent: percent(ms / 3_600_000, hours * n.max(1)).min(100),
            }
        })
        .collect();
    let n_trips = i64::try_from(trips.len()).unwrap_or(i64::MAX);
    Ok(Figures {
        trips: n_trips,
        km: total_km,
        ebike_share: percent(e_trips, n_trips),
        ebike_km_share: percent(e_km, total_km),
        co2_kg: rules::co2_saved_g(total_km, settings.co2_g_per_km) / 1000,
        co2_g_per_km: settings.co2_g_per_km,
        max_minutes: settings.max_minutes,
        months: months
            .into_iter()
            .map(|(label, (trips, km))| UseRow {
                label,
                trips,
                km,
                percent: 0,
            })
            .collect(),
        sites,
        bikes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usable_hours_skip_weekends_and_holidays() {
        // 30 days before 2026-11-16: 2026-10-17 … 2026-11-15, with 20
        // weekdays less Armistice Day (Wednesday 11 November; All Saints' Day
        // is a Sunday in 2026): 19 working days.
        let d: Date = "2026-11-16".parse().unwrap_or_default();
        assert_eq!(usable_hours(d), 19 * 8);
    }
}
