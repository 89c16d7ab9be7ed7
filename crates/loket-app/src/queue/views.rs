//! What the counter staff's pages show: the desks and whom they serve, a
//! desk's visitor and queue (the resident's name is an access-logged
//! read), today's queue at a location, and the waiting- and service-time
//! statistics over a date range.

use super::DeskRef;
use crate::i18n::{brussels, today_brussels};
use crate::{App, Refusal};
use jiff::civil::Date;
use loket_domain::Invalid;
use loket_domain::appointments::parse_start;
use loket_domain::queue::{TicketStatus, Visit};
use loket_store::appointments::{self as appt_store, CounterService, Desk, Location};
use loket_store::people::User;
use loket_store::queue::{self as store, Ticket, Zone};
use std::collections::HashMap;

/// The active locations with their desks and the number each serves now
/// (empty when idle).
pub async fn desks_serving(app: &App) -> Result<Vec<(Location, Vec<(Desk, String)>)>, Refusal> {
    let mut locations = Vec::new();
    for l in appt_store::list_locations(&app.store).await? {
        if !l.active {
            continue;
        }
        let mut desks = Vec::new();
        for d in appt_store::list_desks(&app.store, &l.id).await? {
            let serving = store::current_of_desk(&app.store, &d.id)
                .await?
                .map(|t| t.number)
                .unwrap_or_default();
            desks.push((d, serving));
        }
        locations.push((l, desks));
    }
    Ok(locations)
}

/// The visitor at a desk.
pub struct AtDesk {
    pub ticket: Ticket,
    /// For an appointment: the resident's name and the appointment's start.
    pub resident: String,
    pub appointment_at: Option<i64>,
    /// The case the visit is linked to, if any.
    pub case_number: String,
}

/// A desk as its page shows it.
pub struct DeskView {
    /// Every counter service (for names).
    pub services: Vec<CounterService>,
    pub current: Option<AtDesk>,
    /// Today's waiting tickets at the desk's location.
    pub waiting: Vec<Ticket>,
    /// Active services, other than the current visitor's, that a desk at
    /// this location handles: where the visitor can be sent.
    pub transfer_to: Vec<CounterService>,
    pub zone: Zone,
}

/// The desk `d` as `viewer` sees it. Reading the resident's name of an
/// appointment at the desk is access-logged.
pub async fn desk(app: &App, viewer: &User, d: &DeskRef) -> Result<DeskView, Refusal> {
    let services = appt_store::list_services(&app.store).await?;
    let current = match store::current_of_desk(&app.store, &d.id).await? {
        Some(ticket) => {
            let (mut resident, mut appointment_at) = (String::new(), None);
            if let Some(a) = &ticket.appointment_id
                && let Some(appt) = appt_store::get(&app.store, a).await?
            {
                loket_store::audit::record_access(
                    &app.store,
                    &viewer.id,
                    &appt.resident_id,
                    "queue_ticket",
                    &ticket.id,
                    "queue.desk",
                )
                .await?;
                resident = loket_store::people::get_user(&app.store, &appt.resident_id)
                    .await?
                    .map(|u| u.name)
                    .unwrap_or_default();
                appointment_at = Some(appt.starts_at);
            }
            let case_number = match &ticket.case_id {
                Some(c) => loket_store::cases::case_by_id(&app.store, c)
                    .await?
                    .filter(|c| !c.is_restricted())
                    .map(|c| c.number)
                    .unwrap_or_default(),
                None => String::new(),
            };
            Some(AtDesk {
                ticket,
                resident,
                appointment_at,
                case_number,
            })
        }
        None => None,
    };
    let day = today_brussels().to_string();
    let waiting = store::of_day(&app.store, &d.location.id, &day)
        .await?
        .into_iter()
        .filter(|t| t.status == TicketStatus::Waiting)
        .collect();
    let current_service = current.as_ref().map(|c| c.ticket.service_id.clone());
    let mut transfer_to = Vec::new();
    for s in &services {
        if s.active
            && Some(&s.id) != current_service.as_ref()
            && store::desks_for(&app.store, &d.location.id, &s.id).await? > 0
        {
            transfer_to.push(s.clone());
        }
    }
    let zone = store::zone(&app.store, &d.location.id).await?;
    Ok(DeskView {
        services,
        current,
        waiting,
        transfer_to,
        zone,
    })
}

/// Today's queue at a location.
pub struct Today {
    pub services: Vec<CounterService>,
    pub desks: Vec<Desk>,
    pub tickets: Vec<Ticket>,
}

/// Today's tickets at `location`, with the names they refer to.
pub async fn today(app: &App, location: &Location) -> Result<Today, Refusal> {
    Ok(Today {
        services: appt_store::list_services(&app.store).await?,
        desks: appt_store::list_desks(&app.store, &location.id).await?,
        tickets: store::of_day(&app.store, &location.id, &today_brussels().to_string()).await?,
    })
}

/// A date range for the statistics, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: Date,
    pub to: Date,
}

impl Range {
    /// Parses the form's dates (empty means today); errors name the field.
    /// `to` before `from` or a range longer than
    /// [`loket_domain::queue::MAX_STATS_DAYS`] is refused.
    /// On an error the range falls back to today, so the page can still
    /// show the form.
    pub fn parse(from: &str, to: &str, today: Date) -> (Self, Invalid) {
        let mut inv = Invalid::default();
        let mut date = |s: &str, field: &str| {
            if s.trim().is_empty() {
                return today;
            }
            s.trim().parse::<Date>().unwrap_or_else(|_| {
                inv.push(field, "date-invalid");
                today
            })
        };
        let range = Self {
            from: date(from, "from"),
            to: date(to, "to"),
        };
        if range.to < range.from {
            inv.push("to", "queue-range-invalid");
        } else if let Err(e) = loket_domain::calendar::check_range(
            range.from,
            range.to,
            loket_domain::queue::MAX_STATS_DAYS,
        ) {
            inv.0.push(e);
        }
        (range, inv)
    }
}

/// The called visits of `range` at the location `slug` (all locations when
/// it names none), in the form the statistics group them.
pub async fn visits(
    app: &App,
    location_slug: &str,
    range: Range,
    lang: &str,
) -> Result<Vec<Visit>, Refusal> {
    let all = appt_store::list_locations(&app.store).await?;
    let tz = brussels();
    let start = |d: Date| parse_start(&format!("{d}T00:00"), &tz).unwrap_or_default();
    let lo = start(range.from);
    let hi = range.to.tomorrow().map(start).unwrap_or(lo);
    let services = appt_store::list_services(&app.store).await?;
    let mut desk_names = HashMap::new();
    for l in &all {
        for d in appt_store::list_desks(&app.store, &l.id).await? {
            desk_names.insert(d.id, format!("{} — {}", l.name, d.name));
        }
    }
    let loc_id = all
        .iter()
        .find(|l| l.slug == location_slug)
        .map(|l| l.id.clone())
        .unwrap_or_default();
    // Statistics: from the read replica when there is one.
    Ok(store::between(&app.store.reader(), &loc_id, lo, hi)
        .await?
        .iter()
        .filter_map(|t| visit_of(t, &services, &desk_names, lang))
        .collect())
}

/// A called visit as the statistics count it (`None` if never called).
fn visit_of(
    t: &Ticket,
    services: &[CounterService],
    desks: &HashMap<String, String>,
    lang: &str,
) -> Option<Visit> {
    let called = t.called_at?;
    let hour = jiff::Timestamp::from_millisecond(t.checked_in_at)
        .ok()
        .map(|ts| ts.to_zoned_datetime(brussels()).hour())
        .unwrap_or(0);
    let service_ms = match (t.status, t.finished_at) {
        (TicketStatus::Served | TicketStatus::Transferred, Some(f)) => Some(f - called),
        _ => None,
    };
    Some(Visit {
        service: services
            .iter()
            .find(|s| s.id == t.service_id)
            .map(|s| s.name(lang).to_owned())
            .unwrap_or_default(),
        desk: t
            .desk_id
            .as_ref()
            .and_then(|d| desks.get(d).cloned())
            .unwrap_or_default(),
        hour,
        wait_ms: called - t.checked_in_at,
        service_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_checked_and_named() {
        let today: Date = "2026-12-02".parse().unwrap_or_default();
        let (r, inv) = Range::parse("", "", today);
        assert!(inv.is_empty());
        assert_eq!((r.from, r.to), (today, today));
        let (_, inv) = Range::parse("2026-12-05", "2026-12-01", today);
        assert_eq!(inv.0[0].field, "to");
        let (r, inv) = Range::parse("gisteren", "", today);
        assert_eq!(inv.0[0].field, "from");
        assert_eq!(r.from, today);
    }
}
