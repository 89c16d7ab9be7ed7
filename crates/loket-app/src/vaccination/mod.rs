//! The vaccination centre's use cases shared by its pages, its API and the
//! worker: campaigns, the open slots, the invitation and booking mails
//! (with their calendar files), the reserve list's offers and the
//! reminders. Bookings use the appointments' slot machinery (see
//! `loket_store::vaccination`).

pub mod mobile;

use crate::i18n::{Locale, format_ms, today_brussels};
use crate::signing::KeyRing;
use crate::{App, Refusal};
use loket_domain::appointments::Slot;
use loket_domain::audit::Actor;
use loket_domain::ident::{Email, NationalNumber};
use loket_domain::notify::{Attachment, Mail};
use loket_domain::vaccination as rules;
use loket_domain::vaccination::{BookingStatus, Station};
use loket_domain::{FieldError, Invalid};
use loket_render::appointments as ical;
use loket_store::now_ms;
use loket_store::vaccination::{self as store, Booking, Campaign, Invitation, ReserveEntry, Visit};
use serde::Serialize;

/// The campaign with this slug or id.
pub async fn campaign(app: &App, slug: &str) -> Result<Campaign, Refusal> {
    store::campaign(&app.store, slug.trim())
        .await?
        .ok_or(Refusal::NotFound)
}

/// The keys that sign links and cookies.
pub async fn link_key(app: &App) -> Result<std::sync::Arc<KeyRing>, Refusal> {
    app.keys()
}

/// The purpose of the vaccination centre's signed values (the appointments'
/// link purpose, with actions prefixed `vac-`, as before key ids).
const PURPOSE: &str = "loket-appointment";

/// `text` sealed for `action` until `expires_ms` (see [`KeyRing::seal`]).
pub fn seal(keys: &KeyRing, action: &str, text: &str, expires_ms: i64) -> String {
    keys.seal(PURPOSE, &format!("vac-{action}"), text, expires_ms)
}

/// The text of a value [`seal`]ed for `action`, if it holds now.
pub fn open<'a>(keys: &KeyRing, action: &str, sealed: &'a str) -> Option<&'a str> {
    keys.open(
        PURPOSE,
        &format!("vac-{action}"),
        sealed,
        loket_store::now_ms(),
    )
}

/// How long a waiting-room ticket and a visitor's id hold.
pub const TICKET_MS: i64 = 6 * 3_600_000;
pub const VISITOR_MS: i64 = 7 * 86_400_000;

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
    app: &App,
    c: &Campaign,
    now: i64,
) -> Result<Vec<(String, Vec<SlotView>)>, Refusal> {
    let taken = store::taken(&app.store, c).await?;
    let mut days: Vec<(String, Vec<SlotView>)> = Vec::new();
    for s in store::slots(&app.store, c).await? {
        if s.start_ms() <= now {
            continue;
        }
        let free = c.capacity() - taken.get(&s.start_ms()).copied().unwrap_or(0);
        let label = format_ms(s.start_ms());
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
pub async fn pick_slot(app: &App, c: &Campaign, start: &str, now: i64) -> Result<Slot, Refusal> {
    let Ok(ms) = start.trim().parse::<i64>() else {
        return Err(loket_domain::Invalid::one("start", "vac-slot-pick").into());
    };
    match store::slot_at(&app.store, c, ms).await? {
        Some(s) if s.start_ms() > now => Ok(s),
        Some(_) => Err(loket_domain::Invalid::one("start", "appt-slot-past").into()),
        None => Err(loket_domain::Invalid::one("start", "vac-slot-pick").into()),
    }
}

/// The booking link for an invitation (also in its QR code).
pub fn booking_link(app: &App, c: &Campaign, code: &str) -> String {
    app.config.link(&format!(
        "/vaccinatie/{}?code={}",
        c.slug,
        rules::format_code(code)
    ))
}

/// The invitation e-mail.
pub fn invitation_mail(app: &App, locale: Locale, c: &Campaign, inv: &Invitation) -> Option<Mail> {
    let to = loket_domain::ident::Email::parse(inv.email.as_deref()?).ok()?;
    let args = [
        ("name", inv.name.clone()),
        ("city", app.config.city_name.clone()),
        ("service", c.name.clone()),
        ("code", rules::format_code(&inv.code)),
        ("link", booking_link(app, c, &inv.code)),
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
    app: &App,
    locale: Locale,
    c: &Campaign,
    inv: &Invitation,
    b: &Booking,
    kind: MailKind,
) -> Result<Option<(Mail, Option<Attachment>)>, Refusal> {
    let Some(to) = inv
        .email
        .as_deref()
        .and_then(|e| loket_domain::ident::Email::parse(e).ok())
    else {
        return Ok(None);
    };
    let location = loket_store::appointments::location(&app.store, &c.location_id)
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
        ("city", app.config.city_name.clone()),
        ("service", c.name.clone()),
        ("place", location.clone()),
        ("at", format_ms(b.starts_at)),
        ("code", rules::format_code(&inv.code)),
        ("link", booking_link(app, c, &inv.code)),
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
        body: booking_ics(app, locale, c, inv, b, method, &location),
    };
    Ok(Some((mail, Some(attachment))))
}

/// The calendar file of a booking. The UID is the invitation's, so a new
/// slot updates the same event (with a higher SEQUENCE).
pub fn booking_ics(
    app: &App,
    locale: Locale,
    c: &Campaign,
    inv: &Invitation,
    b: &Booking,
    method: ical::Method,
    place: &str,
) -> String {
    let host = app.config.host();
    let uid = format!("vac-{}@{}", inv.id, host);
    let args = [
        ("service", c.name.clone()),
        ("code", rules::format_code(&inv.code)),
        ("place", place.to_owned()),
        ("city", app.config.city_name.clone()),
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
        organizer_name: &app.config.city_name,
        organizer_email: &app.config.mail_from,
        attendee_name: &inv.name,
        attendee_email: inv.email.as_deref().unwrap_or(""),
    })
}

/// Queues a booking's mail in the caller's transaction.
pub async fn queue_booking_mail(
    app: &App,
    tx: &mut loket_store::Tx,
    locale: Locale,
    c: &Campaign,
    inv: &Invitation,
    b: &Booking,
    kind: MailKind,
) -> Result<(), Refusal> {
    if let Some((mail, att)) = booking_mail(app, locale, c, inv, b, kind).await? {
        loket_store::notify::enqueue_with(tx, &mail, att.as_ref()).await?;
    }
    Ok(())
}

/// The reserve-list offer e-mail with its confirmation link.
pub fn offer_mail(app: &App, c: &Campaign, e: &ReserveEntry) -> Option<Mail> {
    let to = loket_domain::ident::Email::parse(&e.email).ok()?;
    let locale = Locale::default();
    let link = app.config.link(&format!(
        "/vaccinatie/{}/aanbod/{}?t={}",
        c.slug,
        e.id,
        e.offer_token.clone().unwrap_or_default()
    ));
    let args = [
        ("name", e.name.clone()),
        ("city", app.config.city_name.clone()),
        ("service", c.name.clone()),
        ("at", format_ms(e.offer_starts_at.unwrap_or_default())),
        ("due", format_ms(e.offer_expires_at.unwrap_or_default())),
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
pub async fn run_offers(app: &App, now: i64) -> Result<usize, Refusal> {
    let mut tx = app.store.begin().await?;
    store::expire_offers(&mut tx, now).await?;
    tx.commit().await?;
    let mut made = 0;
    for c in store::open_campaigns(&app.store, store::OPEN_CAMPAIGNS_CAP).await? {
        let from = now + rules::OFFER_MINUTES * 60_000 + OFFER_TRAVEL_MS;
        let mail = |e: &ReserveEntry| offer_mail(app, &c, e);
        made += store::make_offers(
            &app.store,
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

/// Sends the booking reminders that are due (the day before, 09:00); each
/// is claimed in the transaction that queues its mail. A reminder that
/// cannot be mailed (an invitee without a usable e-mail address, who got a
/// letter, or an invitation or campaign gone) is marked skipped, not sent:
/// left due, 200 of them would fill every batch and nobody after them would
/// be reminded. Returns how many were mailed.
pub async fn send_reminders(app: &App, now: i64) -> Result<usize, Refusal> {
    let mut sent = 0;
    // The campaigns of the due bookings, read as they come (a booking's
    // campaign may be closed by now).
    let mut campaigns: std::collections::HashMap<String, Campaign> =
        std::collections::HashMap::new();
    for (b, inv_id) in store::due_reminders(&app.store, now, 200).await? {
        if !campaigns.contains_key(&b.campaign_id)
            && let Some(c) = store::campaign(&app.store, &b.campaign_id).await?
        {
            campaigns.insert(c.id.clone(), c);
        }
        let mail = match (
            store::invitation(&app.store, &inv_id).await?,
            campaigns.get(&b.campaign_id),
        ) {
            (Some(inv), Some(c)) => {
                booking_mail(app, Locale::default(), c, &inv, &b, MailKind::Reminder).await?
            }
            _ => None,
        };
        let mut tx = app.store.begin().await?;
        match mail {
            Some((mail, att)) => {
                if store::claim_reminder(&mut tx, &b.id).await? {
                    loket_store::notify::enqueue_with(&mut tx, &mail, att.as_ref()).await?;
                    sent += 1;
                }
            }
            None => {
                store::skip_reminder(&mut tx, &b.id).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

// ---- the waiting room and booking by code ----

/// A ticket's text: `<campaign id>.<n>.<visitor>.<signature>`: the number
/// bound to the visitor who took it (a random id, in the pages a signed
/// cookie of its own).
pub fn ticket_text(keys: &KeyRing, c: &Campaign, n: i64, visitor: &str) -> String {
    let id = format!("{}.{n}.{visitor}", c.id);
    seal(
        keys,
        "ticket",
        &id,
        loket_store::now_ms().saturating_add(TICKET_MS),
    )
}

/// A ticket's number, when its signature holds, it is this campaign's and
/// (with `visitor` given) it belongs to that visitor. Tickets handed out
/// before they were bound (`<campaign id>.<n>.<signature>`) still parse, so
/// a deployment during a rush sends nobody to the back.
pub fn parse_ticket(v: &str, keys: &KeyRing, c: &Campaign, visitor: Option<&str>) -> Option<i64> {
    let id = open(keys, "ticket", v)?;
    let mut parts = id.splitn(3, '.');
    let (campaign, n) = (parts.next()?, parts.next()?);
    if campaign != c.id {
        return None;
    }
    if let (Some(owner), Some(v)) = (parts.next(), visitor)
        && owner != v
    {
        return None;
    }
    n.parse().ok()
}

/// A visitor's random id and its signed cookie text (`<id>.<signature>`).
pub fn new_visitor(keys: &KeyRing) -> (String, String) {
    let id = loket_store::new_secret()[..32].to_owned();
    let text = seal(
        keys,
        "visitor",
        &id,
        loket_store::now_ms().saturating_add(VISITOR_MS),
    );
    (id, text)
}

/// The visitor id in a signed visitor cookie.
pub fn parse_visitor(v: &str, keys: &KeyRing) -> Option<String> {
    let id = open(keys, "visitor", v)?;
    (id.len() == 32 && !id.contains('.')).then(|| id.to_owned())
}

/// Whether number `n` is admitted now.
pub fn admitted(c: &Campaign, n: i64, now: i64) -> bool {
    rules::admitted_by(c.opens_at, now, c.admit_per_minute, c.admit_burst) >= n
}

/// Books the slot starting at `start` for the invitation, or moves its
/// booking there; the e-mail (with the calendar file) in the same
/// transaction.
///
/// `ticket`: the waiting-room ticket's number a new booking uses up, in the
/// same transaction (refused on `ticket` when it was used already); a move
/// of the person's own booking needs none, and staff book with `None`.
#[allow(clippy::too_many_arguments)]
pub async fn book_or_move(
    app: &App,
    c: &Campaign,
    inv: &Invitation,
    start: &str,
    channel: &str,
    actor: &Actor,
    locale: Locale,
    ticket: Option<i64>,
) -> Result<loket_store::vaccination::Booking, Refusal> {
    let slot = pick_slot(app, c, start, now_ms()).await?;
    let current = store::active_booking(&app.store, &inv.id).await?;
    let mut tx = app.store.begin().await?;
    if current.is_none()
        && let Some(n) = ticket
        && !store::use_ticket(&mut tx, &c.id, n).await?
    {
        return Err(Invalid::one("ticket", "vac-ticket-used").into());
    }
    let (b, kind) = match current {
        Some(b) if b.status == BookingStatus::Booked => (
            store::reschedule(&mut tx, actor, c, &b, &slot).await?,
            MailKind::Rescheduled,
        ),
        Some(_) => return Err(Invalid::one("start", "vac-checked-in-already").into()),
        None => (
            store::book(&mut tx, actor, c, &inv.id, &slot, channel).await?,
            MailKind::Booked,
        ),
    };
    queue_booking_mail(app, &mut tx, locale, c, inv, &b, kind).await?;
    tx.commit().await?;
    metrics::counter!("loket_vaccination_bookings_total", "channel" => channel.to_owned())
        .increment(1);
    Ok(b)
}

pub async fn cancel_booking(
    app: &App,
    c: &Campaign,
    inv: &Invitation,
    actor: &Actor,
    locale: Locale,
) -> Result<(), Refusal> {
    let Some(b) = store::active_booking(&app.store, &inv.id).await? else {
        return Err(Invalid::one("start", "vac-booking-not-active").into());
    };
    let mut tx = app.store.begin().await?;
    let b = store::cancel_booking(&mut tx, actor, &b).await?;
    queue_booking_mail(app, &mut tx, locale, c, inv, &b, MailKind::Cancelled).await?;
    tx.commit().await?;
    Ok(())
}

// ---- check-in and the stations ----

/// Checks a visitor in at the centre (by their invitation).
pub async fn check_in(
    app: &App,
    actor: &Actor,
    c: &Campaign,
    invitation_id: &str,
) -> Result<Visit, Refusal> {
    let inv = store::invitation(&app.store, invitation_id.trim())
        .await?
        .filter(|i| i.campaign_id == c.id)
        .ok_or_else(|| Refusal::Invalid(Invalid::one("code", "vac-code-unknown")))?;
    let mut tx = app.store.begin().await?;
    let v = store::check_in(
        &mut tx,
        actor,
        c,
        &inv.id,
        &today_brussels().to_string(),
        now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// Records a scan (a vaccination needs the lot number); returns the visit
/// and the person's name (access-logged: the station shows it).
pub async fn record_scan(
    app: &App,
    user_id: &str,
    c: &Campaign,
    station: Station,
    line: Option<i64>,
    code: &str,
    lot: &str,
) -> Result<(Visit, String), Refusal> {
    if station == Station::Vaccination && lot.is_empty() {
        return Err(Invalid::one("lot", "vac-lot-required").into());
    }
    let mut tx = app.store.begin().await?;
    let v = store::scan(
        &mut tx,
        &Actor::User(user_id.to_owned()),
        c,
        station,
        line,
        code,
        (station == Station::Vaccination).then_some(lot),
        now_ms(),
    )
    .await?;
    tx.commit().await?;
    let name = store::invitation(&app.store, &v.invitation_id)
        .await?
        .map(|i| i.name)
        .unwrap_or_default();
    loket_store::audit::record_access(
        &app.store,
        user_id,
        &format!("vac:{}", v.invitation_id),
        "vac_visit",
        &v.id,
        station.as_str(),
    )
    .await?;
    Ok((v, name))
}

// ---- the coordinator: invitations and letters ----

/// Imports invitations, all or none, and queues the invitation mail of
/// every invitee with an e-mail address in the same transaction (the others
/// wait for a letter batch).
pub async fn import_invitations(
    app: &App,
    actor: &Actor,
    c: &Campaign,
    rows: &[loket_domain::vaccination::Invitee],
) -> Result<store::Imported, Refusal> {
    let locale = Locale::default();
    let mail = |inv: &Invitation| invitation_mail(app, locale, c, inv);
    let mut tx = app.store.begin().await?;
    let done = store::import_invitations(&mut tx, actor, c, rows, &mail).await?;
    tx.commit().await?;
    Ok(done)
}

/// Puts every invitee still waiting for a letter in a new print batch;
/// `None` when nobody waits.
pub async fn new_letter_batch(
    app: &App,
    actor: &Actor,
    c: &Campaign,
) -> Result<Option<store::LetterBatch>, Refusal> {
    let mut tx = app.store.begin().await?;
    let batch = store::new_letter_batch(&mut tx, actor, &c.id).await?;
    tx.commit().await?;
    Ok(batch)
}

// ---- the reserve list ----

/// A reserve-list sign-up as typed in the form or sent in the API body.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReserveInput<'a> {
    pub national_number: &'a str,
    pub name: &'a str,
    pub birth_date: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    /// The priority group's rank, as typed.
    pub group: &'a str,
}

/// A checked sign-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReserveSignUp {
    pub national_number: NationalNumber,
    pub name: String,
    pub birth_date: jiff::civil::Date,
    pub email: Email,
    pub phone: Option<String>,
    pub group_rank: i64,
}

/// Checks a reserve-list sign-up against a campaign with `groups` priority
/// groups; every field at once, each error naming its field.
pub fn check_reserve(f: &ReserveInput<'_>, groups: usize) -> Result<ReserveSignUp, Invalid> {
    let mut errors = Vec::new();
    let named = |field: &str, e: FieldError| FieldError {
        field: field.into(),
        ..e
    };
    let nrn = NationalNumber::parse(f.national_number)
        .map_err(|e| errors.push(named("national_number", e)))
        .ok();
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        errors.push(FieldError::new("name", "required"));
    }
    let birth = f.birth_date.trim().parse::<jiff::civil::Date>().ok();
    match birth {
        Some(d) => {
            if let Some(n) = &nrn
                && let Some(enc) = rules::birth_date_of(n)
                && enc != d
            {
                errors.push(FieldError::with_value(
                    "birth_date",
                    "vac-birth-date-nrn",
                    enc.to_string(),
                ));
            }
        }
        None => errors.push(FieldError::new("birth_date", "vac-birth-date-invalid")),
    }
    let email = Email::parse(f.email)
        .map_err(|e| errors.push(named("email", e)))
        .ok();
    let phone = f.phone.trim();
    if phone.chars().count() > 30 || phone.chars().any(char::is_control) {
        errors.push(FieldError::new("phone", "vac-phone-invalid"));
    }
    let rank = match f.group.trim().parse::<usize>() {
        Ok(r) if r < groups => i64::try_from(r).unwrap_or(0),
        _ => {
            errors.push(FieldError::new("group", "vac-group-unknown"));
            0
        }
    };
    match (nrn, email, birth) {
        (Some(national_number), Some(email), Some(birth_date)) if errors.is_empty() => {
            Ok(ReserveSignUp {
                national_number,
                name: name.to_owned(),
                birth_date,
                email,
                phone: (!phone.is_empty()).then(|| phone.to_owned()),
                group_rank: rank,
            })
        }
        _ => Err(Invalid(errors)),
    }
}

/// The path of a pending reserve-list sign-up's confirmation link.
pub fn reserve_confirm_path(c: &Campaign, id: &str, token: &str) -> String {
    format!(
        "/vaccinatie/{}/reservelijst/bevestig/{id}?t={token}",
        c.slug
    )
}

/// A reserve-list sign-up (public). Every sign-up that passes the field
/// checks gets the same answer, whether the number is invited, already on
/// the list or unknown: nothing is decided until the link mailed to the
/// given address is used ([`confirm_reserve`]). Sign-ups are limited per
/// IP address (`limits::RESERVE_PER_IP`, refused with `TooMany`); past the
/// limit per number (`limits::RESERVE_PER_NUMBER`) or per address
/// (`limits::MAIL_PER_RECIPIENT`) the answer is the same, but no mail
/// leaves.
pub async fn reserve_sign_up(
    app: &App,
    c: &Campaign,
    input: &ReserveInput<'_>,
    locale: Locale,
    ip: &str,
) -> Result<(), Refusal> {
    use loket_domain::limits;
    let groups = store::groups(&app.store, &c.id).await?;
    let r = check_reserve(input, groups.len())?;
    crate::limits::check(app, &limits::RESERVE_PER_IP, ip).await?;
    let number_key = format!("{}:{}", c.id, r.national_number.as_str());
    if !crate::limits::allow(app, &limits::RESERVE_PER_NUMBER, &number_key).await?
        || !crate::people::may_mail(app, &r.email).await?
    {
        metrics::counter!("loket_rate_limited_total", "scope" => "reserve-quiet").increment(1);
        return Ok(());
    }
    let birth_date = r.birth_date.to_string();
    let token = loket_store::new_secret();
    let mut tx = app.store.begin().await?;
    let id = store::add_pending_sign_up(
        &mut tx,
        c,
        store::NewReserve {
            national_number: r.national_number.as_str(),
            name: &r.name,
            birth_date: &birth_date,
            email: r.email.as_str(),
            phone: r.phone.as_deref(),
            group_rank: r.group_rank,
        },
        &token,
    )
    .await?;
    let args = [
        ("name", r.name.clone()),
        ("city", app.config.city_name.clone()),
        ("service", c.name.clone()),
        (
            "link",
            app.config.link(&reserve_confirm_path(c, &id, &token)),
        ),
    ];
    let mail = Mail {
        to: r.email.clone(),
        subject: locale.t_args("mail-vac-reserve-confirm-subject", &args),
        body: locale.t_args("mail-vac-reserve-confirm-body", &args),
    };
    loket_store::notify::enqueue(&mut tx, &mail).await?;
    tx.commit().await?;
    Ok(())
}

/// Uses a reserve-list sign-up's e-mailed link: the person joins the list
/// unless the number is invited, already listed, or listed earlier with
/// another address (see `store::reserve_sign_up`). `false` only when the
/// link is unknown, used or expired; the outcome is not told.
pub async fn confirm_reserve(
    app: &App,
    c: &Campaign,
    id: &str,
    token: &str,
) -> Result<bool, Refusal> {
    let mut tx = app.store.begin().await?;
    let ok = store::confirm_pending_sign_up(&mut tx, &Actor::System, c, id, token).await?;
    tx.commit().await?;
    Ok(ok)
}

/// Accepts a reserve-list offer with its token: the booking and its mail in
/// one transaction. `Ok(false)` when the offer is no longer valid (taken,
/// expired, wrong token): nothing changes.
pub async fn accept_offer(
    app: &App,
    c: &Campaign,
    reserve_id: &str,
    token: &str,
    locale: Locale,
) -> Result<bool, Refusal> {
    let mut tx = app.store.begin().await?;
    match store::accept_offer(&mut tx, c, reserve_id, token).await {
        Ok((inv, b)) => {
            queue_booking_mail(app, &mut tx, locale, c, &inv, &b, MailKind::Booked).await?;
            tx.commit().await?;
            Ok(true)
        }
        Err(loket_store::StoreError::Invalid(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Stores a mobile team's checked batch of records, all or nothing; each
/// record's result says whether it was new, a replay or a conflict.
pub async fn sync_mobile(
    app: &App,
    actor: &Actor,
    team: &str,
    records: &[store::SyncRecord],
) -> Result<Vec<store::SyncResult>, Refusal> {
    let mut tx = app.store.begin().await?;
    let results = store::sync(&mut tx, actor, team, records).await?;
    tx.commit().await?;
    Ok(results)
}

// ---- the coordinator: campaigns and mobile teams ----

/// Creates a campaign (with its counter service and slots at the centre).
pub async fn create_campaign(
    app: &App,
    actor: &Actor,
    c: store::NewCampaign<'_>,
) -> Result<Campaign, Refusal> {
    let mut tx = app.store.begin().await?;
    let made = store::create_campaign(&mut tx, actor, c).await?;
    tx.commit().await?;
    Ok(made)
}

/// A mobile team's home visit to an invitee.
pub struct MobileVisit<'a> {
    pub team: &'a str,
    pub day: &'a str,
    pub at: &'a str,
    pub invitation_id: &'a str,
    pub address: &'a str,
}

/// Plans a mobile team's home visit.
pub async fn plan_mobile_visit(
    app: &App,
    actor: &Actor,
    c: &Campaign,
    v: &MobileVisit<'_>,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::plan_mobile_visit(
        &mut tx,
        actor,
        c,
        v.team,
        v.day,
        v.at,
        v.invitation_id,
        v.address,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Resolves a conflict a mobile team's sync reported.
pub async fn resolve_conflict(
    app: &App,
    actor: &Actor,
    client_id: &str,
    resolution: &str,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::resolve_conflict(&mut tx, actor, client_id, resolution).await?;
    tx.commit().await?;
    Ok(())
}
