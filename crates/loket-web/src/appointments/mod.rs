//! Counters by appointment: residents book, reschedule and cancel (signed in,
//! or from a signed link in the e-mail), staff book by phone and mark
//! no-shows, admins set locations, desks, services, hours and closed days.
//! Pages, the API and the reminder worker share the booking path here.

pub mod admin;
pub mod api;
pub mod resident;
pub mod staff;

use crate::error::AppError;
use crate::i18n::Locale;
use crate::{AppState, WebConfig};
use axum::Router;
use axum::routing::{get, post};
use hmac::{Hmac, KeyInit, Mac};
use loket_domain::appointments::{self as rules, Slot, brussels, check_start, remind_at};
use loket_domain::audit::Actor;
use loket_domain::ident::Email;
use loket_domain::notify::{Attachment, Mail};
use loket_domain::people::Role;
use loket_domain::{FieldError, Invalid};
use loket_render::appointments::{self as ical, Method};
use loket_store::StoreError;
use loket_store::appointments::{self as store, Appointment, CounterService, Location, NewBooking};
use loket_store::notify as outbox;
use loket_store::people::User;
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/appointments", get(resident::mine))
        .route(
            "/appointments/book",
            get(resident::book_form).post(resident::book),
        )
        .route("/appointments/{id}", get(resident::detail))
        .route("/appointments/{id}/cancel", post(resident::cancel))
        .route(
            "/appointments/{id}/reschedule",
            get(resident::reschedule_form).post(resident::reschedule),
        )
        .route("/staff/appointments", get(staff::day))
        .route(
            "/staff/appointments/new",
            get(staff::new_form).post(staff::book),
        )
        .route("/staff/appointments/{id}/no-show", post(staff::no_show))
        .route("/staff/appointments/{id}/cancel", post(staff::cancel))
        .route(
            "/admin/appointments",
            get(admin::overview).post(admin::save_settings),
        )
        .route("/admin/appointments/services", post(admin::save_service))
        .route("/admin/appointments/locations", post(admin::new_location))
        .route(
            "/admin/appointments/locations/{slug}",
            get(admin::location_page).post(admin::save_location),
        )
        .route(
            "/admin/appointments/locations/{slug}/desks",
            post(admin::save_desk),
        )
}

/// Staff who book for residents and see the day's appointments.
pub const COUNTER_STAFF: &[Role] = &[Role::Counter, Role::ContactCentre];
pub const ADMINS: &[Role] = &[Role::Admin];

/// A free slot as pages and the API show it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FreeSlot {
    /// Start, unix milliseconds (UTC).
    pub start_ms: i64,
    pub end_ms: i64,
    /// Start as local Brussels time, `2026-12-02T09:15`.
    pub start_local: String,
    /// Places left.
    pub free: i64,
}

pub fn local(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned_datetime(brussels())
                .strftime("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// The free slots of a service at a location on the local dates
/// `from ..= to`, within the booking window.
pub async fn free_slots(
    state: &AppState,
    service: &CounterService,
    location: &Location,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<Vec<FreeSlot>, AppError> {
    let settings = store::settings(&state.store).await?;
    let tz = brussels();
    let now = jiff::Timestamp::now();
    let window = settings.window();
    let (first, last) = window.dates(now, &tz);
    let from = from.max(first);
    let to = to.min(last);
    if from > to {
        return Ok(Vec::new());
    }
    let capacity = store::capacity(&state.store, &location.id, &service.id).await?;
    if capacity == 0 {
        return Ok(Vec::new());
    }
    let schedule = store::schedule(&state.store, &location.id, service).await?;
    let slots: Vec<Slot> = schedule
        .slots_between(from, to, &tz)
        .into_iter()
        .filter(|s| window.allows(s, now, &tz))
        .collect();
    let (Some(lo), Some(hi)) = (slots.first(), slots.last()) else {
        return Ok(Vec::new());
    };
    let booked = store::booked_counts(
        &state.store,
        &service.id,
        &location.id,
        lo.start_ms(),
        hi.start_ms() + 1,
    )
    .await?;
    Ok(slots
        .into_iter()
        .filter_map(|s| {
            let free = capacity - booked.get(&s.start_ms()).copied().unwrap_or(0);
            (free > 0).then(|| FreeSlot {
                start_ms: s.start_ms(),
                end_ms: s.end_ms(),
                start_local: local(s.start_ms()),
                free,
            })
        })
        .collect())
}

/// The free slots nearest to `around_ms` (for "just taken" answers).
pub async fn nearest_free(
    state: &AppState,
    service: &CounterService,
    location: &Location,
    around_ms: i64,
    n: usize,
) -> Result<Vec<FreeSlot>, AppError> {
    let settings = store::settings(&state.store).await?;
    let (first, last) = settings.window().dates(jiff::Timestamp::now(), &brussels());
    let mut all = free_slots(state, service, location, first, last).await?;
    all.sort_by_key(|s| ((s.start_ms - around_ms).abs(), s.start_ms));
    all.truncate(n);
    all.sort_by_key(|s| s.start_ms);
    Ok(all)
}

/// Why a booking was refused: field errors, and for a full slot the
/// nearest free ones.
pub struct Refused {
    pub error: AppError,
    pub nearest: Vec<FreeSlot>,
}

impl From<AppError> for Refused {
    fn from(error: AppError) -> Self {
        Refused {
            error,
            nearest: Vec::new(),
        }
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        AppError::from(e).into()
    }
}

fn is_full(e: &AppError) -> bool {
    matches!(e, AppError::Invalid(inv) if inv.0.iter().any(|f| f.code == "appt-slot-full"))
}

/// Finds the service and location named in a request (id or slug).
pub async fn resolve(
    state: &AppState,
    service: &str,
    location: &str,
) -> Result<(CounterService, Location), AppError> {
    let mut inv = Invalid::default();
    let s = match store::service(&state.store, service.trim()).await? {
        Some(s) if s.active => Some(s),
        _ => {
            inv.push("service", "appt-service-unknown");
            None
        }
    };
    let l = match store::location(&state.store, location.trim()).await? {
        Some(l) if l.active => Some(l),
        _ => {
            inv.push("location", "appt-location-unknown");
            None
        }
    };
    match (s, l) {
        (Some(s), Some(l)) => Ok((s, l)),
        _ => Err(inv.into()),
    }
}

/// Checks a requested start against the schedule and the window.
async fn checked_slot(
    state: &AppState,
    service: &CounterService,
    location: &Location,
    start: &str,
) -> Result<(Slot, i64), AppError> {
    let tz = brussels();
    let Some(start_ms) = rules::parse_start(start, &tz) else {
        return Err(Invalid::one("start", "appt-slot-invalid").into());
    };
    let settings = store::settings(&state.store).await?;
    let schedule = store::schedule(&state.store, &location.id, service).await?;
    let slot = check_start(
        &schedule,
        &settings.window(),
        start_ms,
        jiff::Timestamp::now(),
        &tz,
    )
    .map_err(Invalid::from)?;
    let capacity = store::capacity(&state.store, &location.id, &service.id).await?;
    if capacity == 0 {
        return Err(Invalid::one("location", "appt-no-desk").into());
    }
    Ok((slot, capacity))
}

/// Booking for a resident, with its confirmation e-mail (and iCalendar
/// file), in one transaction.
pub async fn book_for(
    state: &AppState,
    actor: &Actor,
    resident: &User,
    service_ref: &str,
    location_ref: &str,
    start: &str,
    channel: &str,
) -> Result<Appointment, Refused> {
    book_linked(
        state,
        actor,
        resident,
        service_ref,
        location_ref,
        start,
        channel,
        None,
    )
    .await
}

/// [`book_for`], linking the contact-centre moment `contact` (the call the
/// appointment was booked in) to the appointment in the same transaction.
#[allow(clippy::too_many_arguments)]
pub async fn book_linked(
    state: &AppState,
    actor: &Actor,
    resident: &User,
    service_ref: &str,
    location_ref: &str,
    start: &str,
    channel: &str,
    contact: Option<&str>,
) -> Result<Appointment, Refused> {
    let (service, location) = resolve(state, service_ref, location_ref).await?;
    let (slot, capacity) = checked_slot(state, &service, &location, start).await?;
    let settings = store::settings(&state.store).await?;
    let attempt = async {
        let mut tx = state.store.begin().await?;
        let appt = store::book(
            &mut tx,
            actor,
            NewBooking {
                service: &service,
                location: &location,
                slot,
                capacity,
                resident_id: &resident.id,
                channel,
                booked_by: actor.user_id().filter(|id| *id != resident.id),
                max_per_service: settings.max_per_service,
                remind_at: remind_at(slot.start_ms(), &brussels()),
            },
        )
        .await?;
        queue_mail(
            state,
            &mut tx,
            &settings.link_key,
            resident,
            &appt,
            &service,
            &location,
            MailKind::Booked,
        )
        .await?;
        if let Some(moment) = contact {
            loket_store::contact::link_moment(
                &mut tx,
                actor,
                moment,
                &resident.id,
                None,
                Some(&appt.id),
            )
            .await?;
        }
        tx.commit().await?;
        Ok::<_, StoreError>(appt)
    };
    match attempt.await {
        Ok(a) => {
            metrics::counter!("loket_appointments_booked_total", "channel" => channel.to_owned())
                .increment(1);
            Ok(a)
        }
        Err(e) => {
            let error = AppError::from(e);
            let nearest = if is_full(&error) {
                nearest_free(state, &service, &location, slot.start_ms(), 5).await?
            } else {
                Vec::new()
            };
            Err(Refused { error, nearest })
        }
    }
}

/// Moves an appointment to another start, with the updated invitation.
pub async fn reschedule_to(
    state: &AppState,
    actor: &Actor,
    appt: &Appointment,
    start: &str,
) -> Result<Appointment, Refused> {
    let (service, location) = resolve(state, &appt.service_id, &appt.location_id).await?;
    let resident = resident_of(state, appt).await?;
    let (slot, capacity) = checked_slot(state, &service, &location, start).await?;
    let settings = store::settings(&state.store).await?;
    let attempt = async {
        let mut tx = state.store.begin().await?;
        let moved = store::reschedule(
            &mut tx,
            actor,
            &appt.id,
            &slot,
            capacity,
            remind_at(slot.start_ms(), &brussels()),
        )
        .await?;
        queue_mail(
            state,
            &mut tx,
            &settings.link_key,
            &resident,
            &moved,
            &service,
            &location,
            MailKind::Rescheduled,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, StoreError>(moved)
    };
    match attempt.await {
        Ok(a) => Ok(a),
        Err(e) => {
            let error = AppError::from(e);
            let nearest = if is_full(&error) {
                nearest_free(state, &service, &location, slot.start_ms(), 5).await?
            } else {
                Vec::new()
            };
            Err(Refused { error, nearest })
        }
    }
}

/// Cancels an appointment, with the cancellation (`METHOD:CANCEL`).
pub async fn cancel_appt(
    state: &AppState,
    actor: &Actor,
    appt: &Appointment,
) -> Result<Appointment, AppError> {
    let (service, location) = resolve(state, &appt.service_id, &appt.location_id).await?;
    let resident = resident_of(state, appt).await?;
    let settings = store::settings(&state.store).await?;
    let mut tx = state.store.begin().await?;
    let done = store::cancel(&mut tx, actor, &appt.id).await?;
    queue_mail(
        state,
        &mut tx,
        &settings.link_key,
        &resident,
        &done,
        &service,
        &location,
        MailKind::Cancelled,
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}

pub async fn resident_of(state: &AppState, appt: &Appointment) -> Result<User, AppError> {
    loket_store::people::get_user(&state.store, &appt.resident_id)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    Booked,
    Rescheduled,
    Cancelled,
    Reminder,
}

impl MailKind {
    fn id(self) -> &'static str {
        match self {
            MailKind::Booked => "booked",
            MailKind::Rescheduled => "rescheduled",
            MailKind::Cancelled => "cancelled",
            MailKind::Reminder => "reminder",
        }
    }
}

fn host(config: &WebConfig) -> String {
    config
        .public_url
        .split("://")
        .nth(1)
        .unwrap_or("loket.invalid")
        .split(['/', ':'])
        .next()
        .unwrap_or("loket.invalid")
        .to_owned()
}

/// The e-mail about an appointment, with its iCalendar file (not for the
/// reminder).
#[allow(clippy::too_many_arguments)]
pub fn appointment_mail(
    config: &WebConfig,
    link_key: &str,
    locale: Locale,
    to: &Email,
    resident_name: &str,
    appt: &Appointment,
    service: &CounterService,
    location: &Location,
    kind: MailKind,
) -> (Mail, Option<Attachment>) {
    let link = format!(
        "{}/appointments/{}?t={}",
        config.public_url.trim_end_matches('/'),
        appt.id,
        sign(link_key, &appt.id, "manage")
    );
    let service_name = service.name(locale.code()).to_owned();
    let place = if location.address.is_empty() {
        location.name.clone()
    } else {
        format!("{}, {}", location.name, location.address)
    };
    let args = [
        ("name", resident_name.to_owned()),
        ("city", config.city_name.clone()),
        ("service", service_name.clone()),
        ("place", place.clone()),
        ("at", crate::i18n::format_ms(appt.starts_at)),
        ("code", appt.code.clone()),
        ("link", link),
    ];
    let mail = Mail {
        to: to.clone(),
        subject: locale.t_args(&format!("mail-appt-{}-subject", kind.id()), &args),
        body: locale.t_args(&format!("mail-appt-{}-body", kind.id()), &args),
    };
    let method = match kind {
        MailKind::Reminder => return (mail, None),
        MailKind::Cancelled => Method::Cancel,
        MailKind::Booked | MailKind::Rescheduled => Method::Request,
    };
    let uid = format!("{}@{}", appt.id, host(config));
    let summary = locale.t_args("appt-ics-summary", &args);
    let description = locale.t_args("appt-ics-description", &args);
    let body = ical::ics(&ical::Event {
        method,
        uid: &uid,
        sequence: appt.sequence,
        stamp_ms: loket_store::now_ms(),
        start_ms: appt.starts_at,
        end_ms: appt.ends_at,
        summary: &summary,
        location: &place,
        description: &description,
        organizer_name: &config.city_name,
        organizer_email: &config.mail_from,
        attendee_name: resident_name,
        attendee_email: to.as_str(),
    });
    let attachment = Attachment {
        name: if method == Method::Cancel {
            "cancel.ics".to_owned()
        } else {
            "invite.ics".to_owned()
        },
        content_type: ical::content_type(method).to_owned(),
        body,
    };
    (mail, Some(attachment))
}

#[allow(clippy::too_many_arguments)]
async fn queue_mail(
    state: &AppState,
    tx: &mut loket_store::Tx,
    link_key: &str,
    resident: &User,
    appt: &Appointment,
    service: &CounterService,
    location: &Location,
    kind: MailKind,
) -> Result<(), StoreError> {
    let Ok(to) = Email::parse(&resident.email) else {
        return Ok(());
    };
    let locale = Locale::parse(&resident.locale).unwrap_or_default();
    let (mail, att) = appointment_mail(
        &state.config,
        link_key,
        locale,
        &to,
        &resident.name,
        appt,
        service,
        location,
        kind,
    );
    outbox::enqueue_with(tx, &mail, att.as_ref()).await?;
    Ok(())
}

/// Sends the reminders that are due (the day before, 09:00); each is
/// claimed in the transaction that queues its e-mail. Returns how many.
pub async fn send_reminders(
    store_: &loket_store::Store,
    config: &WebConfig,
) -> Result<usize, StoreError> {
    let now = loket_store::now_ms();
    let due = store::due_reminders(store_, now, 100).await?;
    let settings = store::settings(store_).await?;
    let mut sent = 0;
    for appt in due {
        let (Some(service), Some(location), Some(resident)) = (
            store::service(store_, &appt.service_id).await?,
            store::location(store_, &appt.location_id).await?,
            loket_store::people::get_user(store_, &appt.resident_id).await?,
        ) else {
            continue;
        };
        let Ok(to) = Email::parse(&resident.email) else {
            continue;
        };
        let mut tx = store_.begin().await?;
        if !store::claim_reminder(&mut tx, &appt.id).await? {
            continue;
        }
        let locale = Locale::parse(&resident.locale).unwrap_or_default();
        let (mail, _) = appointment_mail(
            config,
            &settings.link_key,
            locale,
            &to,
            &resident.name,
            &appt,
            &service,
            &location,
            MailKind::Reminder,
        );
        outbox::enqueue(&mut tx, &mail).await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

// ---- signed links ----

/// The signature of a link that lets the holder act on an appointment
/// without signing in: HMAC-SHA256 over the id and the action, hex.
pub fn sign(key: &str, id: &str, action: &str) -> String {
    let Ok(mut mac) = Hmac::<sha2_011::Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(b"loket-appointment\0");
    mac.update(id.as_bytes());
    mac.update(b"\0");
    mac.update(action.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `token` signs (`id`, `action`), checked in constant time.
pub fn verify(key: &str, id: &str, action: &str, token: &str) -> bool {
    let Ok(bytes) = hex::decode(token.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<sha2_011::Sha256>::new_from_slice(key.as_bytes()) else {
        return false;
    };
    mac.update(b"loket-appointment\0");
    mac.update(id.as_bytes());
    mac.update(b"\0");
    mac.update(action.as_bytes());
    mac.verify_slice(&bytes).is_ok()
}

// ---- rate limit ----

/// Booking changes per resident account: at most this many in ten minutes
/// (in memory, per instance).
pub const BOOKING_LIMIT: usize = 10;
const BOOKING_WINDOW: Duration = Duration::from_secs(600);

/// Counts one booking action of `who`; false when over the limit.
pub fn rate_ok(who: &str) -> bool {
    static SEEN: OnceLock<Mutex<HashMap<String, VecDeque<Instant>>>> = OnceLock::new();
    let Ok(mut map) = SEEN.get_or_init(Default::default).lock() else {
        return true;
    };
    let now = Instant::now();
    if map.len() > 50_000 {
        map.retain(|_, q| {
            q.back()
                .is_some_and(|t| now.duration_since(*t) < BOOKING_WINDOW)
        });
    }
    let q = map.entry(who.to_owned()).or_default();
    while q
        .front()
        .is_some_and(|t| now.duration_since(*t) >= BOOKING_WINDOW)
    {
        q.pop_front();
    }
    if q.len() >= BOOKING_LIMIT {
        return false;
    }
    q.push_back(now);
    true
}

/// Field errors as a form shows them (the `start` field names the slot).
pub fn field_error(code: &'static str, field: &str) -> Invalid {
    Invalid(vec![FieldError::new(field, code)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_links() {
        let t = sign("key", "id-1", "manage");
        assert_eq!(t.len(), 64);
        assert!(verify("key", "id-1", "manage", &t));
        assert!(!verify("key", "id-2", "manage", &t));
        assert!(!verify("other", "id-1", "manage", &t));
        assert!(!verify("key", "id-1", "manage", "zz"));
    }
}
