//! The ticket queue's use cases shared by the kiosk, the desks, the
//! displays and the API: check-in by appointment code or as a walk-in
//! (within the counter zone's limit), calling the next visitor, finishing a
//! visit, and the snapshot the displays show.

pub mod views;

use crate::i18n::{Locale, format_ms, today_brussels};
use crate::{App, Refusal};
use loket_domain::appointments::AppointmentStatus;
use loket_domain::audit::Actor;
use loket_domain::queue::{self as rules, CallRules, CheckInWindow, TicketStatus};
use loket_domain::{FieldError, Invalid};
use loket_store::StoreError;
use loket_store::appointments::{self as appt_store, CounterService, Location};
use loket_store::queue::{self as store, NewTicket, Outcome, Ticket, Zone};
use serde::Serialize;

/// The calling rule and the check-in window (defaults; see the domain).
pub fn call_rules() -> CallRules {
    CallRules::default()
}

pub fn check_in_window() -> CheckInWindow {
    CheckInWindow::default()
}

/// How long a kiosk's link works: a year (the desk page shows a fresh one).
pub const KIOSK_LINK_MS: i64 = 365 * 86_400_000;

/// The key in a kiosk's link: the tablet at the entrance opens
/// `/kiosk/<location>?k=<key>`; without it the kiosk refuses. It works for
/// [`KIOSK_LINK_MS`].
pub fn kiosk_key(keys: &crate::signing::KeyRing, location_id: &str) -> String {
    crate::appointments::sign(
        keys,
        location_id,
        "kiosk",
        loket_store::now_ms().saturating_add(KIOSK_LINK_MS),
    )
}

pub async fn kiosk_allowed(app: &App, location: &Location, key: &str) -> Result<bool, Refusal> {
    Ok(crate::appointments::verify(
        &*app.keys()?,
        &location.id,
        "kiosk",
        key,
        loket_store::now_ms(),
    ))
}

/// The active location with this slug or id.
pub async fn location(app: &App, slug: &str) -> Result<Location, Refusal> {
    match appt_store::location(&app.store, slug.trim()).await? {
        Some(l) if l.active => Ok(l),
        _ => Err(Refusal::NotFound),
    }
}

/// The counter services some active desk at the location handles.
pub async fn services_at(app: &App, location: &Location) -> Result<Vec<CounterService>, Refusal> {
    let mut out = Vec::new();
    for s in appt_store::list_services(&app.store).await? {
        if s.active && store::desks_for(&app.store, &location.id, &s.id).await? > 0 {
            out.push(s);
        }
    }
    Ok(out)
}

/// A ticket as the visitor, the kiosk and the API see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketView {
    pub id: String,
    /// The number on the ticket and the display, e.g. `B042`.
    pub number: String,
    /// `appointment` or `walk_in`.
    pub kind: String,
    /// `waiting`, `called`, `served`, `no_show`, `left` or `transferred`.
    #[schema(value_type = String)]
    pub status: TicketStatus,
    pub service: String,
    pub location: String,
    /// The desk that called the ticket.
    pub desk: Option<String>,
    /// Estimated minutes until the call (while waiting).
    pub estimate_minutes: Option<i64>,
    /// `early`, `on-time` or `late` (appointments, at check-in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timing: Option<String>,
    pub checked_in_at: i64,
    pub called_at: Option<i64>,
    /// The link to follow the ticket (no sign-in needed).
    pub link: String,
    #[serde(skip)]
    pub token: String,
}

/// The average service time of a service at a location: measured, or the
/// service's slot length before the first visits.
async fn avg_service(
    app: &App,
    location_id: &str,
    service: &CounterService,
) -> Result<i64, Refusal> {
    Ok(store::avg_service_ms(&app.store, location_id, &service.id)
        .await?
        .unwrap_or(service.slot_minutes * 60_000))
}

pub async fn view(
    app: &App,
    locale: Locale,
    t: &Ticket,
    timing: Option<rules::Timing>,
) -> Result<TicketView, Refusal> {
    let service = appt_store::service(&app.store, &t.service_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let location = appt_store::location(&app.store, &t.location_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let desk = match &t.desk_id {
        Some(d) => appt_store::list_desks(&app.store, &t.location_id)
            .await?
            .into_iter()
            .find(|x| &x.id == d)
            .map(|x| x.name),
        None => None,
    };
    let estimate_minutes = if t.status == TicketStatus::Waiting {
        let ahead = store::ahead_of(&app.store, t).await?;
        let desks = store::desks_for(&app.store, &t.location_id, &t.service_id).await?;
        let avg = avg_service(app, &t.location_id, &service).await?;
        let mut est = rules::estimate_minutes(ahead, desks, avg);
        if let Some(due) = t.due_at {
            let left = (due - loket_store::now_ms()).max(0);
            let until = left / 60_000 + i64::from(left % 60_000 != 0);
            est = est.max(until);
        }
        Some(est)
    } else {
        None
    };
    Ok(TicketView {
        id: t.id.clone(),
        number: t.number.clone(),
        kind: t.kind.clone(),
        status: t.status,
        service: service.name(locale.code()).to_owned(),
        location: location.name.clone(),
        desk,
        estimate_minutes,
        timing: timing.map(|x| x.as_str().to_owned()),
        checked_in_at: t.checked_in_at,
        called_at: t.called_at,
        link: format!(
            "{}/queue/tickets/{}?t={}",
            app.config.public_url.trim_end_matches('/'),
            t.id,
            t.token
        ),
        token: t.token.clone(),
    })
}

fn today() -> String {
    today_brussels().to_string()
}

/// Checks in the appointment with this code at this location: the code
/// must belong to a booked appointment here, today, within the check-in
/// window, and not be checked in already.
pub async fn check_in_code(
    app: &App,
    actor: &Actor,
    location: &Location,
    code: &str,
) -> Result<(Ticket, rules::Timing), Refusal> {
    let Some(code) = loket_domain::appointments::normalize_code(code) else {
        return Err(Invalid::one("code", "queue-code-invalid").into());
    };
    let appt = match appt_store::by_code(&app.store, &code).await? {
        Some(a) => a,
        None => return Err(Invalid::one("code", "queue-code-unknown").into()),
    };
    let refused = match appt.status {
        AppointmentStatus::Booked => None,
        AppointmentStatus::Cancelled => Some("queue-code-cancelled"),
        AppointmentStatus::NoShow | AppointmentStatus::Served => Some("queue-code-used"),
    };
    if let Some(code) = refused {
        return Err(Invalid::one("code", code).into());
    }
    if appt.location_id != location.id {
        let other = appt_store::location(&app.store, &appt.location_id)
            .await?
            .map(|l| l.name)
            .unwrap_or_default();
        return Err(Invalid(vec![FieldError::with_value(
            "code",
            "queue-code-other-location",
            other,
        )])
        .into());
    }
    let timing = rules::check_in_timing(appt.starts_at, loket_store::now_ms(), &check_in_window())
        .map_err(|e| Invalid(vec![e]))?;
    let prefix = store::prefix_of(&app.store, &appt.service_id).await?;
    let day = today();
    let mut tx = app.store.begin().await?;
    let (ticket, _) = store::check_in(
        &mut tx,
        actor,
        NewTicket {
            location_id: &location.id,
            service_id: &appt.service_id,
            day: &day,
            prefix: &prefix,
            appointment: Some((&appt.id, appt.starts_at)),
            created_by: actor.user_id(),
        },
    )
    .await?;
    tx.commit().await?;
    metrics::counter!("loket_queue_tickets_total", "kind" => "appointment").increment(1);
    Ok((ticket, timing))
}

/// A walk-in refused because the zone is full, with when to come back.
pub struct ZoneFull {
    pub come_back_at: i64,
    pub zone: Zone,
}

pub enum WalkInError {
    Full(ZoneFull),
    Other(Refusal),
}

impl<E: Into<Refusal>> From<E> for WalkInError {
    fn from(e: E) -> Self {
        WalkInError::Other(e.into())
    }
}

/// Hands out a walk-in ticket for a service handled at the location, if
/// the zone has room.
pub async fn walk_in(
    app: &App,
    actor: &Actor,
    location: &Location,
    service_ref: &str,
) -> Result<Ticket, WalkInError> {
    let service = match appt_store::service(&app.store, service_ref.trim()).await? {
        Some(s) if s.active => s,
        _ => return Err(Invalid::one("service", "appt-service-unknown").into()),
    };
    if store::desks_for(&app.store, &location.id, &service.id).await? == 0 {
        return Err(Invalid::one("service", "queue-service-not-here").into());
    }
    let prefix = store::prefix_of(&app.store, &service.id).await?;
    let day = today();
    let mut tx = app.store.begin().await?;
    let result = store::check_in(
        &mut tx,
        actor,
        NewTicket {
            location_id: &location.id,
            service_id: &service.id,
            day: &day,
            prefix: &prefix,
            appointment: None,
            created_by: actor.user_id(),
        },
    )
    .await;
    match result {
        Ok((ticket, _)) => {
            tx.commit().await?;
            metrics::counter!("loket_queue_tickets_total", "kind" => "walk_in").increment(1);
            Ok(ticket)
        }
        Err(StoreError::Invalid(inv)) if inv.0.iter().any(|f| f.code == "queue-zone-full") => {
            drop(tx);
            let zone = store::zone(&app.store, &location.id).await?;
            let avg = avg_service(app, &location.id, &service).await?;
            Err(WalkInError::Full(ZoneFull {
                come_back_at: rules::come_back_at(loket_store::now_ms(), avg),
                zone,
            }))
        }
        Err(e) => Err(e.into()),
    }
}

/// A desk of a location, with the services it handles.
pub struct DeskRef {
    pub id: String,
    pub name: String,
    pub location: Location,
    pub services: Vec<String>,
}

pub async fn desk(app: &App, id: &str) -> Result<DeskRef, Refusal> {
    for l in appt_store::list_locations(&app.store).await? {
        if let Some(d) = appt_store::list_desks(&app.store, &l.id)
            .await?
            .into_iter()
            .find(|d| d.id == id)
        {
            let services = store::desk_services(&app.store, &d.id).await?;
            return Ok(DeskRef {
                id: d.id,
                name: d.name,
                location: l,
                services,
            });
        }
    }
    Err(Refusal::NotFound)
}

/// The desk calls its next visitor (`None`: nobody waits).
pub async fn call_next(
    app: &App,
    actor: &Actor,
    desk: &DeskRef,
) -> Result<Option<Ticket>, Refusal> {
    let mut tx = app.store.begin().await?;
    let called = store::call_next(
        &mut tx,
        actor,
        &desk.location.id,
        &desk.id,
        &desk.services,
        &call_rules(),
    )
    .await?;
    tx.commit().await?;
    if called.is_some() {
        metrics::counter!("loket_queue_calls_total").increment(1);
    }
    Ok(called)
}

/// The desk ends its current visit: served or no-show. A no-show of an
/// appointment is also the appointment's no-show (counted against the
/// resident).
pub async fn finish(
    app: &App,
    actor: &Actor,
    desk: &DeskRef,
    outcome: Outcome,
) -> Result<Ticket, Refusal> {
    let Some(current) = store::current_of_desk(&app.store, &desk.id).await? else {
        return Err(Invalid::one("ticket", "queue-not-called").into());
    };
    let mut tx = app.store.begin().await?;
    let done = store::finish(&mut tx, actor, &current.id, Some(&desk.id), outcome).await?;
    if outcome == Outcome::NoShow
        && let Some(a) = &done.appointment_id
    {
        appt_store::mark_no_show(&mut tx, actor, a).await?;
    }
    tx.commit().await?;
    Ok(done)
}

/// One called ticket as the display shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalledRow {
    pub number: String,
    pub desk: String,
    /// Local time of the call, `HH:MM`.
    pub at: String,
    /// Unix ms of the (last) call; a recall counts as a new call.
    pub called_at: i64,
    pub recalls: i64,
}

/// The state of a location's queue as displays show it: no personal data.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Snapshot {
    /// Goes up with every change at the location.
    pub version: i64,
    pub location: String,
    /// People in the counter zone now.
    pub present: i64,
    pub max_present: i64,
    /// Whether the door lets walk-ins in.
    pub open: bool,
    /// People waiting to be called.
    pub waiting: i64,
    /// The last calls, newest first.
    pub called: Vec<CalledRow>,
}

pub async fn snapshot(app: &App, location: &Location) -> Result<Snapshot, Refusal> {
    let zone = store::zone(&app.store, &location.id).await?;
    let day = today();
    let desks = appt_store::list_desks(&app.store, &location.id).await?;
    let called = store::last_called(&app.store, &location.id, &day, DISPLAY_CALLS)
        .await?
        .into_iter()
        .map(|t| {
            let desk = t
                .desk_id
                .as_ref()
                .and_then(|d| desks.iter().find(|x| &x.id == d))
                .map(|x| x.name.clone())
                .unwrap_or_default();
            let at = t.called_at.unwrap_or_default();
            CalledRow {
                number: t.number,
                desk,
                at: called_time(at),
                called_at: at,
                recalls: t.recalls,
            }
        })
        .collect();
    let waiting = store::of_day(&app.store, &location.id, &day)
        .await?
        .iter()
        .filter(|t| t.status == TicketStatus::Waiting)
        .count() as i64;
    Ok(Snapshot {
        version: zone.version,
        location: location.name.clone(),
        present: zone.present,
        max_present: zone.max_present,
        open: zone.open(),
        waiting,
        called,
    })
}

/// The calls a display shows.
pub const DISPLAY_CALLS: i64 = 8;

/// The display state of `location` if its version is no longer `seen`
/// (`None` when nothing changed): one query (see
/// `loket_store::queue::board_if_changed`), for the display feeds' polls.
pub async fn snapshot_if_changed(
    app: &App,
    location: &Location,
    seen: i64,
) -> Result<Option<Snapshot>, Refusal> {
    let Some(b) =
        store::board_if_changed(&app.store, &location.id, &today(), seen, DISPLAY_CALLS).await?
    else {
        return Ok(None);
    };
    Ok(Some(Snapshot {
        version: b.version,
        location: location.name.clone(),
        present: b.present,
        max_present: b.max_present,
        open: rules::zone_open(b.present, b.max_present),
        waiting: b.waiting,
        called: b
            .called
            .into_iter()
            .map(|(number, desk, at, recalls)| CalledRow {
                number,
                desk,
                at: called_time(at),
                called_at: at,
                recalls,
            })
            .collect(),
    }))
}

/// A call's local time, `HH:MM`.
fn called_time(at: i64) -> String {
    format_ms(at)
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .to_owned()
}

// ---- a desk's other actions, the head count and the zone's settings ----

/// The visitor the desk serves now, or `queue-not-called`.
pub async fn current_ticket(app: &App, d: &DeskRef) -> Result<Ticket, Refusal> {
    store::current_of_desk(&app.store, &d.id)
        .await?
        .ok_or_else(|| Invalid::one("ticket", "queue-not-called").into())
}

/// Calls the desk's current visitor again.
pub async fn recall(app: &App, actor: &Actor, d: &DeskRef) -> Result<(), Refusal> {
    let t = current_ticket(app, d).await?;
    let mut tx = app.store.begin().await?;
    store::recall(&mut tx, actor, &t, &d.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Sends the desk's current visitor to another service at the location
/// (same number, ahead of the others).
pub async fn transfer(
    app: &App,
    actor: &Actor,
    d: &DeskRef,
    service_ref: &str,
) -> Result<(), Refusal> {
    let t = current_ticket(app, d).await?;
    let service = match appt_store::service(&app.store, service_ref.trim()).await? {
        Some(s) if s.active => s,
        _ => return Err(Invalid::one("service", "appt-service-unknown").into()),
    };
    if store::desks_for(&app.store, &d.location.id, &service.id).await? == 0 {
        return Err(Invalid::one("service", "queue-service-not-here").into());
    }
    let mut tx = app.store.begin().await?;
    store::transfer(&mut tx, actor, &t.id, &d.id, &service.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Links the desk's current visit to a case.
pub async fn link_case(app: &App, actor: &Actor, d: &DeskRef, number: &str) -> Result<(), Refusal> {
    let t = current_ticket(app, d).await?;
    let number = number.trim();
    if number.is_empty() {
        return Err(Invalid::one("case_number", "queue-case-required").into());
    }
    let Some(case) = loket_store::cases::get_case(&app.store, number)
        .await?
        .filter(|c| !c.is_restricted())
    else {
        return Err(Invalid::one("case_number", "queue-case-unknown").into());
    };
    let mut tx = app.store.begin().await?;
    store::link_case(&mut tx, actor, &t, &case.id).await?;
    tx.commit().await?;
    Ok(())
}

/// A waiting visitor left (seen by staff): counted out of the zone.
pub async fn left(app: &App, actor: &Actor, d: &DeskRef, ticket: &str) -> Result<(), Refusal> {
    let t = store::get(&app.store, ticket.trim())
        .await?
        .filter(|t| t.location_id == d.location.id)
        .ok_or_else(|| Refusal::from(Invalid::one("ticket", "queue-not-waiting")))?;
    let mut tx = app.store.begin().await?;
    store::finish(&mut tx, actor, &t.id, None, Outcome::Left).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the head count of a location's counter zone (a correction by staff).
pub async fn correct_present(
    app: &App,
    actor: &Actor,
    location_id: &str,
    present: i64,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::correct_present(&mut tx, actor, location_id, present).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets how many people the zone may hold.
pub async fn set_max_present(
    app: &App,
    actor: &Actor,
    location_id: &str,
    max: i64,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::set_max_present(&mut tx, actor, location_id, max).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a service's ticket letter.
pub async fn set_prefix(
    app: &App,
    actor: &Actor,
    service_id: &str,
    prefix: &str,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::set_prefix(&mut tx, actor, service_id, prefix).await?;
    tx.commit().await?;
    Ok(())
}
