//! Counters by appointment: the free slots, booking, rescheduling and
//! cancelling (each with its e-mail and calendar file, in the transaction of
//! the change), and the reminders. Pages, the API, the contact centre and
//! the reminder worker all book through here.

pub mod views;
pub mod writer;

use crate::i18n::{Locale, format_ms};
use crate::signing::KeyRing;
use crate::{App, Config, Refusal};
use loket_domain::Invalid;
use loket_domain::appointments::{self as rules, Slot, brussels, check_start, remind_at};
use loket_domain::audit::Actor;
use loket_domain::ident::Email;
use loket_domain::notify::{Attachment, Mail};
use loket_render::appointments::{self as ical, Method};
use loket_store::StoreError;
use loket_store::appointments::{self as store, Appointment, CounterService, Location, NewBooking};
use loket_store::notify as outbox;
use loket_store::people::User;

pub mod catalogue;

pub use loket_store::appointments::catalogue::Counters;

/// The purpose of an appointment's signed links.
const LINK_PURPOSE: &str = "loket-appointment";

/// The token of a link that lets the holder act on the appointment (or
/// location) `id` without signing in, until `expires_ms`: `action` is e.g.
/// `manage` or `kiosk`.
pub fn sign(keys: &KeyRing, id: &str, action: &str, expires_ms: i64) -> String {
    keys.sign(LINK_PURPOSE, &[id, action], expires_ms)
}

/// Whether `token` signs (`id`, `action`) and holds at `now_ms`, checked in
/// constant time.
pub fn verify(keys: &KeyRing, id: &str, action: &str, token: &str, now_ms: i64) -> bool {
    keys.verify(LINK_PURPOSE, &[id, action], token, now_ms)
}

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
    app: &App,
    service: &CounterService,
    location: &Location,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<Vec<FreeSlot>, Refusal> {
    let cat = app.counters().await?;
    free_slots_in(app, &cat, service, location, from, to).await
}

/// [`free_slots`] with the configuration already in hand: one query (the
/// booked counts of the dates asked).
pub async fn free_slots_in(
    app: &App,
    cat: &Counters,
    service: &CounterService,
    location: &Location,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<Vec<FreeSlot>, Refusal> {
    let tz = brussels();
    let now = jiff::Timestamp::now();
    let window = cat.settings.window();
    let (first, last) = window.dates(now, &tz);
    let from = from.max(first);
    let to = to.min(last);
    if from > to {
        return Ok(Vec::new());
    }
    let capacity = cat.capacity(&location.id, &service.id);
    if capacity == 0 {
        return Ok(Vec::new());
    }
    let schedule = cat.schedule(&location.id, service);
    let slots: Vec<Slot> = schedule
        .slots_between(from, to, &tz)
        .into_iter()
        .filter(|s| window.allows(s, now, &tz))
        .collect();
    let (Some(lo), Some(hi)) = (slots.first(), slots.last()) else {
        return Ok(Vec::new());
    };
    let booked = app
        .booked_counts(&service.id, &location.id, lo.start_ms(), hi.start_ms() + 1)
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

/// How many days either side of a full slot [`nearest_free`] looks first,
/// and at most.
const NEAREST_DAYS: [i64; 2] = [3, 14];

/// The free slots nearest to `around_ms` (for "just taken" answers), from
/// the booked counts of a bounded window around it: three days either
/// side, or two weeks when those hold fewer than `n`; never the whole
/// booking horizon.
pub async fn nearest_free(
    app: &App,
    cat: &Counters,
    service: &CounterService,
    location: &Location,
    around_ms: i64,
    n: usize,
) -> Result<Vec<FreeSlot>, Refusal> {
    let tz = brussels();
    let day = jiff::Timestamp::from_millisecond(around_ms)
        .map(|t| t.to_zoned_datetime(tz.clone()).date())
        .map_err(|e| Refusal::Internal(e.to_string()))?;
    let mut all = Vec::new();
    for days in NEAREST_DAYS {
        let span = jiff::ToSpan::days(days);
        let from = day.checked_sub(span).unwrap_or(day);
        let to = day.checked_add(span).unwrap_or(day);
        all = free_slots_in(app, cat, service, location, from, to).await?;
        if all.len() >= n {
            break;
        }
    }
    all.sort_by_key(|s| ((s.start_ms - around_ms).abs(), s.start_ms));
    all.truncate(n);
    all.sort_by_key(|s| s.start_ms);
    Ok(all)
}

/// Why a booking was refused: field errors, and for a full slot the
/// nearest free ones.
pub type Refused = crate::Refused<FreeSlot>;

/// The code of a full slot's field error.
pub const SLOT_FULL: &str = "appt-slot-full";

/// A refused booking or move; a full slot comes with the nearest free ones.
async fn refused(
    app: &App,
    cat: &Counters,
    e: StoreError,
    service: &CounterService,
    location: &Location,
    slot: &Slot,
) -> Refused {
    let refusal = Refusal::from(e);
    if !refusal.has_code(SLOT_FULL) {
        return refusal.into();
    }
    match nearest_free(app, cat, service, location, slot.start_ms(), 5).await {
        Ok(nearest) => Refused { refusal, nearest },
        Err(e) => e.into(),
    }
}

/// Finds the service and location named in a request (id or slug).
pub async fn resolve(
    app: &App,
    service: &str,
    location: &str,
) -> Result<(CounterService, Location), Refusal> {
    resolve_in(&*app.counters().await?, service, location)
}

/// [`resolve`] in a configuration already in hand.
pub fn resolve_in(
    cat: &Counters,
    service: &str,
    location: &str,
) -> Result<(CounterService, Location), Refusal> {
    let mut inv = Invalid::default();
    let s = match cat.service(service.trim()) {
        Some(s) if s.active => Some(s.clone()),
        _ => {
            inv.push("service", "appt-service-unknown");
            None
        }
    };
    let l = match cat.location(location.trim()) {
        Some(l) if l.active => Some(l.clone()),
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
fn checked_slot(
    cat: &Counters,
    service: &CounterService,
    location: &Location,
    start: &str,
) -> Result<(Slot, i64), Refusal> {
    let tz = brussels();
    let Some(start_ms) = rules::parse_start(start, &tz) else {
        return Err(Invalid::one("start", "appt-slot-invalid").into());
    };
    let schedule = cat.schedule(&location.id, service);
    let slot = check_start(
        &schedule,
        &cat.settings.window(),
        start_ms,
        jiff::Timestamp::now(),
        &tz,
    )
    .map_err(Invalid::from)?;
    let capacity = cat.capacity(&location.id, &service.id);
    if capacity == 0 {
        return Err(Invalid::one("location", "appt-no-desk").into());
    }
    Ok((slot, capacity))
}

/// Booking for a resident, with its confirmation e-mail (and iCalendar
/// file), in one transaction.
pub async fn book_for(
    app: &App,
    actor: &Actor,
    resident: &User,
    service_ref: &str,
    location_ref: &str,
    start: &str,
    channel: &str,
) -> Result<Appointment, Refused> {
    book_linked(
        app,
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
///
/// Everything that need not be atomic happens before the transaction: the
/// configuration comes from the cache, the slot is checked against it, and
/// the confirmation (text and calendar file) is composed for the id and
/// code the appointment will get. The transaction then holds only the
/// statements that must commit together: the resident's row lock and
/// limit, the slot's place, the appointment, its audit row and the outbox
/// row. The outbox worker sends the confirmation only after the commit.
#[allow(clippy::too_many_arguments)]
pub async fn book_linked(
    app: &App,
    actor: &Actor,
    resident: &User,
    service_ref: &str,
    location_ref: &str,
    start: &str,
    channel: &str,
    contact: Option<&str>,
) -> Result<Appointment, Refused> {
    // Through the writer (no call to link), the configuration as this
    // instance last read it: the writer checks its version inside the
    // batch's transaction, once per batch instead of once per booking, and
    // a booking checked against an older version is checked again here.
    let mut cat = match contact {
        None => app.counters_as_last_read().await?,
        Some(_) => app.counters().await?,
    };
    let mut checks = 0;
    loop {
        checks += 1;
        let (service, location) = resolve_in(&cat, service_ref, location_ref)?;
        let (slot, capacity) = checked_slot(&cat, &service, &location, start)?;
        let keys = app.keys()?;
        let now = loket_store::now_ms();
        let planned = Appointment {
            id: loket_store::new_id(),
            code: store::new_code(),
            slot_id: String::new(),
            service_id: service.id.clone(),
            location_id: location.id.clone(),
            starts_at: slot.start_ms(),
            ends_at: slot.end_ms(),
            resident_id: resident.id.clone(),
            status: loket_domain::appointments::AppointmentStatus::Booked,
            channel: channel.to_owned(),
            booked_by: actor
                .user_id()
                .filter(|id| *id != resident.id)
                .map(str::to_owned),
            sequence: 0,
            remind_at: remind_at(slot.start_ms(), &brussels()),
            reminder_sent_at: None,
            created_at: now,
            updated_at: now,
        };
        let mail = compose(
            app,
            &keys,
            resident,
            &planned,
            &service,
            &location,
            MailKind::Booked,
        );
        let Some(moment) = contact else {
            // The common case: the instance's writer commits it with the
            // bookings that arrive with it.
            let job = writer::Job {
                actor: actor.clone(),
                planned,
                service: service.clone(),
                location: location.clone(),
                slot,
                capacity,
                max_per_service: cat.settings.max_per_service,
                mail,
                config_version: cat.version,
            };
            match app.bookings.book(&app.store, job).await {
                Ok(a) => {
                    booked(channel);
                    return Ok(a);
                }
                Err(writer::NotBooked::Store(e)) => {
                    return Err(refused(app, &cat, e, &service, &location, &slot).await);
                }
                Err(writer::NotBooked::ConfigChanged) if checks < 3 => {
                    cat = app.counters().await?;
                    continue;
                }
                Err(writer::NotBooked::ConfigChanged) => {
                    return Err(Refusal::Unavailable(
                        "the counters' configuration kept changing".to_owned(),
                    )
                    .into());
                }
            }
        };
        let attempt = async {
            let mut tx = app.store.begin().await?;
            let appt = store::book(
                &mut tx,
                actor,
                NewBooking {
                    id: &planned.id,
                    code: &planned.code,
                    service: &service,
                    location: &location,
                    slot,
                    capacity,
                    resident_id: &resident.id,
                    channel,
                    booked_by: planned.booked_by.as_deref(),
                    max_per_service: cat.settings.max_per_service,
                    remind_at: planned.remind_at,
                },
            )
            .await?;
            if let Some((mail, att)) = &mail {
                outbox::enqueue_with(&mut tx, mail, att.as_ref()).await?;
            }
            loket_store::contact::link_moment(
                &mut tx,
                actor,
                moment,
                &resident.id,
                None,
                Some(&appt.id),
            )
            .await?;
            tx.commit().await?;
            Ok::<_, StoreError>(appt)
        };
        return match attempt.await {
            Ok(a) => {
                booked(channel);
                Ok(a)
            }
            Err(e) => Err(refused(app, &cat, e, &service, &location, &slot).await),
        };
    }
}

fn booked(channel: &str) {
    metrics::counter!("loket_appointments_booked_total", "channel" => channel.to_owned())
        .increment(1);
}

/// Moves an appointment to another start, with the updated invitation.
pub async fn reschedule_to(
    app: &App,
    actor: &Actor,
    appt: &Appointment,
    start: &str,
) -> Result<Appointment, Refused> {
    let cat = app.counters().await?;
    let (service, location) = resolve_in(&cat, &appt.service_id, &appt.location_id)?;
    let resident = resident_of(app, appt).await?;
    let (slot, capacity) = checked_slot(&cat, &service, &location, start)?;
    let keys = app.keys()?;
    let attempt = async {
        let mut tx = app.store.begin().await?;
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
            app,
            &mut tx,
            &keys,
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
        Err(e) => Err(refused(app, &cat, e, &service, &location, &slot).await),
    }
}

/// Cancels an appointment, with the cancellation (`METHOD:CANCEL`).
pub async fn cancel_appt(
    app: &App,
    actor: &Actor,
    appt: &Appointment,
) -> Result<Appointment, Refusal> {
    let (service, location) = resolve(app, &appt.service_id, &appt.location_id).await?;
    let resident = resident_of(app, appt).await?;
    let keys = app.keys()?;
    let mut tx = app.store.begin().await?;
    let done = store::cancel(&mut tx, actor, &appt.id).await?;
    queue_mail(
        app,
        &mut tx,
        &keys,
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

pub async fn resident_of(app: &App, appt: &Appointment) -> Result<User, Refusal> {
    loket_store::people::get_user(&app.store, &appt.resident_id)
        .await?
        .ok_or(Refusal::NotFound)
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

/// The e-mail about an appointment, with its iCalendar file (not for the
/// reminder).
#[allow(clippy::too_many_arguments)]
pub fn appointment_mail(
    config: &Config,
    keys: &KeyRing,
    locale: Locale,
    to: &Email,
    resident_name: &str,
    appt: &Appointment,
    service: &CounterService,
    location: &Location,
    kind: MailKind,
) -> (Mail, Option<Attachment>) {
    let link = config.link(&format!(
        "/appointments/{}?t={}",
        appt.id,
        sign(keys, &appt.id, "manage", appt.ends_at)
    ));
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
        ("at", format_ms(appt.starts_at)),
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
    let uid = format!("{}@{}", appt.id, config.host());
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

/// The e-mail about an appointment to its resident, composed outside any
/// transaction; `None` when the resident has no usable address.
fn compose(
    app: &App,
    keys: &KeyRing,
    resident: &User,
    appt: &Appointment,
    service: &CounterService,
    location: &Location,
    kind: MailKind,
) -> Option<(Mail, Option<Attachment>)> {
    let to = Email::parse(&resident.email).ok()?;
    let locale = Locale::parse(&resident.locale).unwrap_or_default();
    Some(appointment_mail(
        &app.config,
        keys,
        locale,
        &to,
        &resident.name,
        appt,
        service,
        location,
        kind,
    ))
}

#[allow(clippy::too_many_arguments)]
async fn queue_mail(
    app: &App,
    tx: &mut loket_store::Tx,
    keys: &KeyRing,
    resident: &User,
    appt: &Appointment,
    service: &CounterService,
    location: &Location,
    kind: MailKind,
) -> Result<(), StoreError> {
    if let Some((mail, att)) = compose(app, keys, resident, appt, service, location, kind) {
        outbox::enqueue_with(tx, &mail, att.as_ref()).await?;
    }
    Ok(())
}

/// Sends the reminders that are due (the day before, 09:00); each is
/// claimed in the transaction that queues its e-mail. A reminder that
/// cannot be mailed (a resident without an e-mail address, booked at the
/// counter) is marked skipped (`reminder_skipped_at`), not sent: left due,
/// a hundred of them would fill every batch of
/// [`due_reminders`](store::due_reminders) and nobody after them would be
/// reminded. Returns how many were mailed.
pub async fn send_reminders(app: &App) -> Result<usize, Refusal> {
    let (store_, config) = (&app.store, &app.config);
    let now = loket_store::now_ms();
    let due = store::due_reminders(store_, now, 100).await?;
    let keys = app.keys()?;
    let mut sent = 0;
    for appt in due {
        let (Some(service), Some(location), Some(resident)) = (
            store::service(store_, &appt.service_id).await?,
            store::location(store_, &appt.location_id).await?,
            loket_store::people::get_user(store_, &appt.resident_id).await?,
        ) else {
            skip_reminder(app, &appt.id).await?;
            continue;
        };
        let Ok(to) = Email::parse(&resident.email) else {
            skip_reminder(app, &appt.id).await?;
            continue;
        };
        let mut tx = store_.begin().await?;
        if !store::claim_reminder(&mut tx, &appt.id).await? {
            continue;
        }
        let locale = Locale::parse(&resident.locale).unwrap_or_default();
        let (mail, _) = appointment_mail(
            config,
            &keys,
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

/// Marks a reminder that cannot be mailed as skipped (not as sent), so it
/// leaves the due list.
async fn skip_reminder(app: &App, appointment_id: &str) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::skip_reminder(&mut tx, appointment_id).await?;
    tx.commit().await?;
    Ok(())
}

// ---- the admin's counters: services, locations, hours, desks ----

/// Creates or updates a counter service (by slug).
pub async fn save_service(
    app: &App,
    actor: &Actor,
    slug: &str,
    (name_nl, name_en): (&str, &str),
    slot_minutes: i64,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::save_service(&mut tx, actor, slug, name_nl, name_en, slot_minutes).await?;
    tx.commit().await?;
    Ok(())
}

/// A location's week (opening periods) and its closed days (date, reason).
pub struct Hours<'a> {
    pub periods: &'a [rules::Period],
    pub closed: &'a [(jiff::civil::Date, String)],
}

/// Creates or updates a location (by slug), and with `hours`, its opening
/// hours and closed days, all or none.
pub async fn save_location(
    app: &App,
    actor: &Actor,
    slug: &str,
    (name, address): (&str, &str),
    hours: Option<Hours<'_>>,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    let id = store::save_location(&mut tx, actor, slug, name, address).await?;
    if let Some(h) = hours {
        store::set_hours(&mut tx, actor, &id, h.periods).await?;
        store::set_closed_days(&mut tx, actor, &id, h.closed).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Adds a desk at a location, for some services.
pub async fn save_desk(
    app: &App,
    actor: &Actor,
    location_id: &str,
    name: &str,
    service_ids: &[String],
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::save_desk(&mut tx, actor, location_id, name, service_ids).await?;
    tx.commit().await?;
    Ok(())
}

/// Counter staff mark a booked appointment as a no-show.
pub async fn mark_no_show(app: &App, actor: &Actor, id: &str) -> Result<Appointment, Refusal> {
    let mut tx = app.store.begin().await?;
    let (a, _) = store::mark_no_show(&mut tx, actor, id).await?;
    tx.commit().await?;
    Ok(a)
}
