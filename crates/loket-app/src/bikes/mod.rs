//! The service-bike pool's use cases shared by pages, the API and the
//! worker: reserving the first free bike (each candidate in its own
//! transaction behind the bike's guard), the nearest free alternatives when
//! none is left, and returning a bike (damage mails the fleet managers).

pub mod views;

use crate::i18n::{Locale, format_ms};
use crate::{App, Refusal};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::bikes::{self as rules, BikeType};
use loket_domain::ident::Email;
use loket_domain::notify::Mail;
use loket_domain::people::Role;
use loket_store::StoreError;
use loket_store::bikes::{self as store, Bike, Reservation};
use loket_store::notify as outbox;
use loket_store::people::User;

/// Fleet managers: they keep the fleet and may act on any reservation.
pub const FLEET: &[Role] = &[Role::Fleet];

/// Local Brussels time `YYYY-MM-DD HH:MM` of unix ms.
pub fn local(ms: i64) -> String {
    format_ms(ms)
}

/// A free bike offered instead of a refused reservation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Offer {
    pub bike_id: String,
    pub bike_number: String,
    pub bike_type: String,
    pub site: String,
    pub site_name: String,
    pub start_ms: i64,
    pub end_ms: i64,
    /// Start and end as local Brussels time.
    pub start_local: String,
    pub end_local: String,
}

/// Why a reservation was refused, with the nearest free bikes.
pub type Refused = crate::Refused<Offer>;

/// A reservation request, as a form or the API gives it.
pub struct Request<'a> {
    pub site: &'a str,
    pub bike_type: &'a str,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
}

fn offer_of(b: &Bike, site_slug: &str, s: i64, e: i64) -> Offer {
    Offer {
        bike_id: b.id.clone(),
        bike_number: b.number.clone(),
        bike_type: b.bike_type.clone(),
        site: site_slug.to_owned(),
        site_name: b.site_name.clone(),
        start_ms: s,
        end_ms: e,
        start_local: local(s),
        end_local: local(e),
    }
}

/// The nearest free bikes for a refused window: the same type at the same
/// site shifted by half hours, or at another site in the same window.
pub async fn nearest(
    app: &App,
    site_id: &str,
    bike_type: &str,
    start: i64,
    end: i64,
    n: usize,
) -> Result<Vec<Offer>, Refusal> {
    let sites = store::list_sites(&app.store).await?;
    let now = loket_store::now_ms();
    let len = (end - start).max(30 * 60_000);
    let mut out: Vec<Offer> = Vec::new();
    let offer = |b: &Bike, s: i64| Offer {
        bike_id: b.id.clone(),
        bike_number: b.number.clone(),
        bike_type: b.bike_type.clone(),
        site: sites
            .iter()
            .find(|x| x.id == b.site_id)
            .map(|x| x.slug.clone())
            .unwrap_or_default(),
        site_name: b.site_name.clone(),
        start_ms: s,
        end_ms: s + len,
        start_local: local(s),
        end_local: local(s + len),
    };
    // Same window, other sites.
    for b in store::free_bikes(&app.store, "", bike_type, start, start + len).await? {
        if b.site_id != site_id && !out.iter().any(|o| o.site == offer(&b, start).site) {
            out.push(offer(&b, start));
        }
    }
    out.truncate(n.saturating_sub(1).max(1));
    // Same site, nearest other windows (every half hour, up to 8 hours away).
    let step = 30 * 60_000;
    for k in 1..=16_i64 {
        for s in [start + k * step, start - k * step] {
            if s < now || out.len() >= n {
                continue;
            }
            if let Some(b) = store::free_bikes(&app.store, site_id, bike_type, s, s + len)
                .await?
                .first()
            {
                out.push(offer(b, s));
            }
        }
        if out.len() >= n {
            break;
        }
    }
    out.sort_by_key(|o| ((o.start_ms - start).abs(), o.site.clone()));
    Ok(out)
}

/// Reserves the first free bike of the type at the site for the window.
/// Each candidate is tried in its own transaction (the per-bike guard makes
/// the check and insert atomic); when none is left, the nearest free bikes
/// are offered.
pub async fn reserve_for(
    app: &App,
    actor: &Actor,
    rider: &User,
    req: &Request<'_>,
) -> Result<(Reservation, Bike), Refused> {
    let mut inv = Invalid::default();
    let site = store::site(&app.store, req.site.trim()).await?;
    if site.is_none() {
        inv.push("site", "bike-site-unknown");
    }
    let bike_type = inv.check("bike_type", BikeType::parse(req.bike_type));
    if req.start_ms.is_none() {
        inv.push("start", "bike-time-invalid");
    }
    if req.end_ms.is_none() {
        inv.push("end", "bike-time-invalid");
    }
    let (Some(site), Some(bike_type), Some(start), Some(end), true) =
        (site, bike_type, req.start_ms, req.end_ms, inv.is_empty())
    else {
        return Err(inv.into());
    };
    let settings = store::settings(&app.store).await?;
    let now = loket_store::now_ms();
    if let Err(inv) = rules::check_window(start, end, now, settings.max_minutes) {
        // Offer the nearest free bikes for the window made valid: from the
        // next quarter hour if it lay in the past, cut to the maximum length.
        let quarter = 15 * 60_000;
        let s = if start < now {
            (now / quarter + 1) * quarter
        } else {
            start
        };
        let len = (end - start).clamp(quarter, settings.max_minutes * 60_000);
        let mut nearest = store::free_bikes(&app.store, &site.id, bike_type.as_str(), s, s + len)
            .await?
            .into_iter()
            .take(1)
            .map(|b| offer_of(&b, &site.slug, s, s + len))
            .collect::<Vec<_>>();
        if nearest.is_empty() {
            nearest = self::nearest(app, &site.id, bike_type.as_str(), s, s + len, 3).await?;
        }
        return Err(Refused {
            refusal: Refusal::Invalid(inv),
            nearest,
        });
    }
    let candidates =
        store::free_bikes(&app.store, &site.id, bike_type.as_str(), start, end).await?;
    for b in candidates {
        let mut tx = app.store.begin().await?;
        match store::reserve(&mut tx, actor, &rider.id, &b.id, start, end).await? {
            Some(r) => {
                tx.commit().await.map_err(StoreError::from)?;
                metrics::counter!("loket_bike_reservations_total").increment(1);
                return Ok((r, b));
            }
            None => {
                tx.rollback().await.map_err(StoreError::from)?;
            }
        }
    }
    let nearest = nearest(app, &site.id, bike_type.as_str(), start, end, 3).await?;
    Err(Refused {
        refusal: Refusal::Full(Invalid::one("start", "bike-none-free")),
        nearest,
    })
}

/// Returns a bike; damage puts it in maintenance and mails the fleet
/// managers through the outbox, in the same transaction.
pub async fn return_for(
    app: &App,
    actor: &Actor,
    res: &Reservation,
    km: &str,
    damage: &str,
) -> Result<Reservation, Refusal> {
    let mut inv = Invalid::default();
    let km = inv.check("km", rules::parse_km(km));
    let damage = damage.trim();
    if damage.chars().count() > 1000 {
        inv.push("damage", "bike-damage-long");
    }
    inv.into_result()?;
    let km = km.unwrap_or(0);
    let bike = store::get_bike(&app.store, &res.bike_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let managers = store::fleet_manager_emails(&app.store).await?;
    let mut tx = app.store.begin().await?;
    let done = store::return_bike(&mut tx, actor, &res.id, km, damage).await?;
    if !damage.is_empty() {
        let locale = Locale::Nl;
        for m in &managers {
            let Ok(to) = Email::parse(m) else { continue };
            let args = [
                ("number", bike.number.clone()),
                ("place", bike.site_name.clone()),
                ("reason", damage.to_owned()),
                ("url", app.config.link("/staff/bikes")),
            ];
            outbox::enqueue(
                &mut tx,
                &Mail {
                    to,
                    subject: locale.t_args("mail-bike-damage-subject", &args),
                    body: locale.t_args("mail-bike-damage-body", &args),
                },
            )
            .await?;
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(done)
}

/// The reservation if `user` may act on it: its rider, or a fleet manager.
pub async fn allowed(app: &App, user: &User, id: &str) -> Result<Reservation, Refusal> {
    let r = store::get_reservation(&app.store, id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if r.user_id == user.id || user.roles.any(FLEET) {
        Ok(r)
    } else {
        Err(Refusal::NotFound)
    }
}

// ---- pick-up, cancel, and the fleet manager's changes ----

/// The rider picks the bike up (from 15 minutes before the start).
pub async fn pick_up(app: &App, actor: &Actor, res: &Reservation) -> Result<Reservation, Refusal> {
    let mut tx = app.store.begin().await?;
    let done = store::pick_up(&mut tx, actor, &res.id, loket_store::now_ms()).await?;
    tx.commit().await?;
    Ok(done)
}

/// The rider (or a fleet manager) cancels a reservation.
pub async fn cancel(app: &App, actor: &Actor, res: &Reservation) -> Result<Reservation, Refusal> {
    let mut tx = app.store.begin().await?;
    let done = store::cancel(&mut tx, actor, &res.id).await?;
    tx.commit().await?;
    Ok(done)
}

/// Adds a bike to the fleet; returns its id. A taken number is a conflict.
pub async fn add_bike(app: &App, actor: &Actor, b: &store::NewBike<'_>) -> Result<String, Refusal> {
    let mut tx = app.store.begin().await?;
    let id = store::add_bike(&mut tx, actor, b).await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds a site bikes are kept at; returns its id.
pub async fn add_site(app: &App, actor: &Actor, slug: &str, name: &str) -> Result<String, Refusal> {
    let mut tx = app.store.begin().await?;
    let id = store::add_site(&mut tx, actor, slug, name).await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets a bike's status (available, maintenance, retired) and battery note.
pub async fn set_status(
    app: &App,
    actor: &Actor,
    bike_id: &str,
    status: rules::BikeStatus,
    battery_note: &str,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::set_bike_status(&mut tx, actor, bike_id, status, battery_note).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the pool's rules.
pub async fn save_settings(app: &App, actor: &Actor, s: &store::Settings) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::save_settings(&mut tx, actor, s).await?;
    tx.commit().await?;
    Ok(())
}
