//! The vaccination centre: campaigns and invitations (coordinator), booking
//! by invitation code behind a fair waiting room (public, no account), the
//! reserve list, check-in with a barcode scanner and labels, the station
//! flow and the observation room, the live dashboard, the day report and
//! the registry export, and the mobile teams' offline page.
//!
//! Bookings use the appointments' slot machinery (see
//! `loket_store::vaccination`).

pub mod api;
pub mod centre;
pub mod coord;
pub mod mobile;
pub mod public;

use crate::AppState;
use crate::error::AppError;
use crate::i18n::Locale;
use axum::Router;
use axum::routing::{get, post};
use loket_domain::appointments::Slot;
use loket_domain::notify::{Attachment, Mail};
use loket_domain::people::Role;
use loket_domain::vaccination as rules;
use loket_render::appointments as ical;
use loket_store::vaccination::{self as store, Booking, Campaign, Invitation, ReserveEntry};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        // Residents (no account).
        .route("/vaccinatie", get(public::landing))
        .route("/vaccinatie/{c}", get(public::entry))
        .route("/vaccinatie/{c}/wachtrij", get(public::waiting))
        .route("/vaccinatie/{c}/login", post(public::login))
        .route(
            "/vaccinatie/{c}/afspraak",
            get(public::booking_page).post(public::book),
        )
        .route("/vaccinatie/{c}/annuleren", post(public::cancel))
        .route("/vaccinatie/{c}/afspraak.ics", get(public::ics))
        .route(
            "/vaccinatie/{c}/reservelijst",
            get(public::reserve_form).post(public::reserve_sign_up),
        )
        .route(
            "/vaccinatie/{c}/aanbod/{id}",
            get(public::offer_page).post(public::accept_offer),
        )
        .route("/static/vaccination.js", get(centre::script))
        // Coordinator.
        .route("/staff/vaccination", get(coord::list))
        .route("/staff/vaccination/campaigns", post(coord::create))
        .route("/staff/vaccination/{c}", get(coord::campaign_page))
        .route("/staff/vaccination/{c}/import", post(coord::import))
        .route("/staff/vaccination/{c}/letters", post(coord::letters))
        .route(
            "/staff/vaccination/{c}/letters/{batch}",
            get(coord::letters_pdf),
        )
        .route(
            "/staff/vaccination/{c}/invitations/{id}",
            get(coord::invitation_page),
        )
        .route(
            "/staff/vaccination/{c}/invitations/{id}/book",
            post(coord::book_for),
        )
        .route(
            "/staff/vaccination/{c}/invitations/{id}/cancel",
            post(coord::cancel_for),
        )
        .route("/staff/vaccination/{c}/offers", post(coord::offers))
        .route("/staff/vaccination/{c}/dashboard", get(coord::dashboard))
        .route(
            "/staff/vaccination/{c}/figures.json",
            get(coord::figures_json),
        )
        .route("/staff/vaccination/{c}/events", get(coord::events))
        .route("/staff/vaccination/{c}/report", get(coord::report))
        .route("/staff/vaccination/{c}/export.csv", get(coord::export))
        .route(
            "/staff/vaccination/{c}/conflicts/{id}",
            post(coord::resolve),
        )
        .route("/staff/vaccination/{c}/mobile", post(coord::plan_mobile))
        // Centre staff.
        .route(
            "/staff/vaccination/{c}/check-in",
            get(centre::check_in_page).post(centre::look_up),
        )
        .route(
            "/staff/vaccination/{c}/check-in/confirm",
            post(centre::confirm),
        )
        .route(
            "/staff/vaccination/{c}/visits/{id}/label.pdf",
            get(centre::label_pdf),
        )
        .route(
            "/staff/vaccination/{c}/visits/{id}/label.zpl",
            get(centre::label_zpl),
        )
        .route(
            "/staff/vaccination/{c}/stations/{station}",
            get(centre::station_page).post(centre::scan),
        )
        .route(
            "/staff/vaccination/{c}/observation",
            get(centre::observation),
        )
        .route(
            "/staff/vaccination/{c}/observation.json",
            get(centre::observation_json),
        )
        // Mobile teams.
        .route("/mobile/vaccination", get(mobile::page))
        .route("/mobile/vaccination/visits.json", get(mobile::visits_json))
        .route("/mobile/vaccination/sync", post(mobile::sync))
        .route("/mobile/sw.js", get(mobile::service_worker))
        .route("/mobile/vaccination.js", get(mobile::script))
}

/// Who plans campaigns, imports invitations and sees the dashboard.
pub const COORDINATORS: &[Role] = &[Role::VaccinationCoordinator];
/// Who works at the centre (check-in, stations, observation, mobile).
pub const CENTRE_STAFF: &[Role] = &[Role::VaccinationStaff, Role::VaccinationCoordinator];
/// Who may book for an invitee (phone, counter).
pub const HELPERS: &[Role] = &[
    Role::ContactCentre,
    Role::Counter,
    Role::VaccinationCoordinator,
];

/// The campaign with this slug or id.
pub async fn campaign(state: &AppState, slug: &str) -> Result<Campaign, AppError> {
    store::campaign(&state.store, slug.trim())
        .await?
        .ok_or(AppError::NotFound)
}

/// The key that signs links and cookies (the appointments' link key).
pub async fn link_key(state: &AppState) -> Result<String, AppError> {
    Ok(loket_store::appointments::settings(&state.store)
        .await?
        .link_key)
}

pub fn sign(key: &str, id: &str, action: &str) -> String {
    crate::appointments::sign(key, id, &format!("vac-{action}"))
}

pub fn verify(key: &str, id: &str, action: &str, token: &str) -> bool {
    crate::appointments::verify(key, id, &format!("vac-{action}"), token)
}

/// A slot as the pages and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlotView {
    /// Unix ms.
    pub start: i64,
    pub end: i64,
    /// Local `YYYY-MM-DD HH:MM`.
    pub label: String,
    pub free: i64,
}

/// The bookable slots of a campaign from `now` (with their free places),
/// day by day: (day, slots).
pub async fn open_slots(
    state: &AppState,
    c: &Campaign,
    now: i64,
) -> Result<Vec<(String, Vec<SlotView>)>, AppError> {
    let taken = store::taken(&state.store, c).await?;
    let mut days: Vec<(String, Vec<SlotView>)> = Vec::new();
    for s in store::slots(&state.store, c).await? {
        if s.start_ms() <= now {
            continue;
        }
        let free = c.capacity() - taken.get(&s.start_ms()).copied().unwrap_or(0);
        let label = crate::i18n::format_ms(s.start_ms());
        let day = label.split(' ').next().unwrap_or_default().to_owned();
        let v = SlotView {
            start: s.start_ms(),
            end: s.end_ms(),
            label,
            free: free.max(0),
        };
        match days.last_mut() {
            Some((d, list)) if *d == day => list.push(v),
            _ => days.push((day, vec![v])),
        }
    }
    Ok(days)
}

/// The slot starting at `start` (unix ms as text), checked: it exists and
/// has not started.
pub async fn pick_slot(
    state: &AppState,
    c: &Campaign,
    start: &str,
    now: i64,
) -> Result<Slot, AppError> {
    let Ok(ms) = start.trim().parse::<i64>() else {
        return Err(loket_domain::Invalid::one("start", "vac-slot-pick").into());
    };
    match store::slot_at(&state.store, c, ms).await? {
        Some(s) if s.start_ms() > now => Ok(s),
        Some(_) => Err(loket_domain::Invalid::one("start", "appt-slot-past").into()),
        None => Err(loket_domain::Invalid::one("start", "vac-slot-pick").into()),
    }
}

fn public_link(state: &AppState, path: &str) -> String {
    format!("{}{}", state.config.public_url.trim_end_matches('/'), path)
}

/// The booking link for an invitation (also in its QR code).
pub fn booking_link(state: &AppState, c: &Campaign, code: &str) -> String {
    public_link(
        state,
        &format!("/vaccinatie/{}?code={}", c.slug, rules::format_code(code)),
    )
}

/// The invitation e-mail.
pub fn invitation_mail(
    state: &AppState,
    locale: Locale,
    c: &Campaign,
    inv: &Invitation,
) -> Option<Mail> {
    let to = loket_domain::ident::Email::parse(inv.email.as_deref()?).ok()?;
    let args = [
        ("name", inv.name.clone()),
        ("city", state.config.city_name.clone()),
        ("service", c.name.clone()),
        ("code", rules::format_code(&inv.code)),
        ("link", booking_link(state, c, &inv.code)),
    ];
    Some(Mail {
        to,
        subject: locale.t_args("mail-vac-invite-subject", &args),
        body: locale.t_args("mail-vac-invite-body", &args),
    })
}

/// What a booking mail says.
#[derive(Clone, Copy, PartialEq, Eq)]
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
            MailKind::Rescheduled => "moved",
            MailKind::Cancelled => "cancelled",
            MailKind::Reminder => "reminder",
        }
    }
}

/// A booking's e-mail with its calendar file (none for a reminder).
pub async fn booking_mail(
    state: &AppState,
    locale: Locale,
    c: &Campaign,
    inv: &Invitation,
    b: &Booking,
    kind: MailKind,
) -> Result<Option<(Mail, Option<Attachment>)>, AppError> {
    let Some(to) = inv
        .email
        .as_deref()
        .and_then(|e| loket_domain::ident::Email::parse(e).ok())
    else {
        return Ok(None);
    };
    let location = loket_store::appointments::location(&state.store, &c.location_id)
        .await?
        .map(|l| {
            if l.address.is_empty() {
                l.name
            } else {
                format!("{}, {}", l.name, l.address)
            }
        })
        .unwrap_or_default();
    let args = [
        ("name", inv.name.clone()),
        ("city", state.config.city_name.clone()),
        ("service", c.name.clone()),
        ("place", location.clone()),
        ("at", crate::i18n::format_ms(b.starts_at)),
        ("code", rules::format_code(&inv.code)),
        ("link", booking_link(state, c, &inv.code)),
    ];
    let mail = Mail {
        to: to.clone(),
        subject: locale.t_args(&format!("mail-vac-{}-subject", kind.id()), &args),
        body: locale.t_args(&format!("mail-vac-{}-body", kind.id()), &args),
    };
    let method = match kind {
        MailKind::Reminder => return Ok(Some((mail, None))),
        MailKind::Cancelled => ical::Method::Cancel,
        MailKind::Booked | MailKind::Rescheduled => ical::Method::Request,
    };
    let attachment = Attachment {
        name: if method == ical::Method::Cancel {
            "cancel.ics".to_owned()
        } else {
            "vaccinatie.ics".to_owned()
        },
        content_type: ical::content_type(method).to_owned(),
        body: booking_ics(state, locale, c, inv, b, method, &location),
    };
    Ok(Some((mail, Some(attachment))))
}

/// The calendar file of a booking. The UID is the invitation's, so a new
/// slot updates the same event (with a higher SEQUENCE).
pub fn booking_ics(
    state: &AppState,
    locale: Locale,
    c: &Campaign,
    inv: &Invitation,
    b: &Booking,
    method: ical::Method,
    place: &str,
) -> String {
    let host = state
        .config
        .public_url
        .split("://")
        .nth(1)
        .unwrap_or("loket")
        .split(['/', ':'])
        .next()
        .unwrap_or("loket")
        .to_owned();
    let uid = format!("vac-{}@{}", inv.id, host);
    let args = [
        ("service", c.name.clone()),
        ("code", rules::format_code(&inv.code)),
        ("place", place.to_owned()),
        ("city", state.config.city_name.clone()),
    ];
    ical::ics(&ical::Event {
        method,
        uid: &uid,
        sequence: b.sequence,
        stamp_ms: loket_store::now_ms(),
        start_ms: b.starts_at,
        end_ms: b.ends_at,
        summary: &locale.t_args("vac-ics-summary", &args),
        location: place,
        description: &locale.t_args("vac-ics-description", &args),
        organizer_name: &state.config.city_name,
        organizer_email: &state.config.mail_from,
        attendee_name: &inv.name,
        attendee_email: inv.email.as_deref().unwrap_or(""),
    })
}

/// Queues a booking's mail in the caller's transaction.
pub async fn queue_booking_mail(
    state: &AppState,
    tx: &mut loket_store::Tx,
    locale: Locale,
    c: &Campaign,
    inv: &Invitation,
    b: &Booking,
    kind: MailKind,
) -> Result<(), AppError> {
    if let Some((mail, att)) = booking_mail(state, locale, c, inv, b, kind).await? {
        loket_store::notify::enqueue_with(tx, &mail, att.as_ref()).await?;
    }
    Ok(())
}

/// The reserve-list offer e-mail with its confirmation link.
pub fn offer_mail(state: &AppState, c: &Campaign, e: &ReserveEntry) -> Option<Mail> {
    let to = loket_domain::ident::Email::parse(&e.email).ok()?;
    let locale = Locale::default();
    let link = public_link(
        state,
        &format!(
            "/vaccinatie/{}/aanbod/{}?t={}",
            c.slug,
            e.id,
            e.offer_token.clone().unwrap_or_default()
        ),
    );
    let args = [
        ("name", e.name.clone()),
        ("city", state.config.city_name.clone()),
        ("service", c.name.clone()),
        (
            "at",
            crate::i18n::format_ms(e.offer_starts_at.unwrap_or_default()),
        ),
        (
            "due",
            crate::i18n::format_ms(e.offer_expires_at.unwrap_or_default()),
        ),
        ("link", link),
    ];
    Some(Mail {
        to,
        subject: locale.t_args("mail-vac-offer-subject", &args),
        body: locale.t_args("mail-vac-offer-body", &args),
    })
}

/// How far ahead free places are offered to the reserve list.
pub const OFFER_HORIZON_MS: i64 = 36 * 3_600_000;
/// An offer is only made for a slot that starts at least this long after
/// the offer would expire (time to come).
pub const OFFER_TRAVEL_MS: i64 = 30 * 60_000;

/// Offers the free places of every open campaign to the reserve lists
/// (the worker calls it every minute; coordinators can run it too).
/// Expired offers are freed first. Returns the number of offers made.
pub async fn run_offers(state: &AppState, now: i64) -> Result<usize, AppError> {
    let mut tx = state.store.begin().await?;
    store::expire_offers(&mut tx, now).await?;
    tx.commit().await?;
    let mut made = 0;
    for c in store::campaigns(&state.store).await? {
        if c.status != "open" {
            continue;
        }
        let from = now + rules::OFFER_MINUTES * 60_000 + OFFER_TRAVEL_MS;
        let mail = |e: &ReserveEntry| offer_mail(state, &c, e);
        made += store::make_offers(
            &state.store,
            &c,
            from,
            now + OFFER_HORIZON_MS,
            rules::OFFER_MINUTES,
            &mail,
        )
        .await?
        .len();
    }
    Ok(made)
}

/// Sends the booking reminders that are due (the day before, 09:00).
pub async fn send_reminders(state: &AppState, now: i64) -> Result<usize, AppError> {
    let mut sent = 0;
    let campaigns: std::collections::HashMap<String, Campaign> = store::campaigns(&state.store)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    for (b, inv_id) in store::due_reminders(&state.store, now, 200).await? {
        let Some(inv) = store::invitation(&state.store, &inv_id).await? else {
            continue;
        };
        let Some(c) = campaigns.get(&b.campaign_id) else {
            continue;
        };
        let mut tx = state.store.begin().await?;
        if store::claim_reminder(&mut tx, &b.id).await? {
            queue_booking_mail(
                state,
                &mut tx,
                Locale::default(),
                c,
                &inv,
                &b,
                MailKind::Reminder,
            )
            .await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}
