//! A demo city that looks lived in (issue 20, item 1): the demo residents'
//! cases in every state, with their messages, documents and a paid
//! premium; appointments this week and a no-show last week; contact
//! moments; a resident without e-mail who gets letters; forwards that are
//! answered. Everything goes through the same use cases as the pages
//! (documents rendered, mails in the outbox, audit rows written), with
//! dates relative to today, so the demo never goes stale.
//!
//! Seeded once: when An Peeters has a case, nothing is done again, so
//! running the demo twice leaves the same counts.

use crate::AppError;
use loket_app::App;
use loket_app::cases::files::{Upload, store_uploads};
use loket_app::cases::submit::{Submission, create_case};
use loket_app::cases::workflow::{add_case_message, take_transition};
use loket_app::i18n::Locale;
use loket_domain::audit::Actor;
use loket_domain::cases::Channel;
use loket_store::cases::{self as cases_store, Case, Service};
use loket_store::people::{self as people_store, User};
use std::collections::BTreeMap;

fn other(e: impl std::fmt::Display) -> AppError {
    AppError::Other(format!("demo: {e}"))
}

fn refused(what: &str, e: loket_app::Refusal) -> AppError {
    AppError::Other(format!("demo {what}: {e:?}"))
}

/// A demo resident's address and car.
struct Home {
    email: &'static str,
    street: &'static str,
    number: &'static str,
    postal_code: &'static str,
    city: &'static str,
    plate: &'static str,
}

/// The demo residents of [`super::DEMO_ACCOUNTS`], at home in the parking
/// zones of the permit service.
const HOMES: &[Home] = &[
    Home {
        email: "an.peeters@example.org",
        street: "Naamsestraat",
        number: "12",
        postal_code: "3000",
        city: "Leuven",
        plate: "1-ABC-123",
    },
    Home {
        email: "mohamed.elamrani@example.org",
        street: "Diestsesteenweg",
        number: "88",
        postal_code: "3010",
        city: "Kessel-Lo",
        plate: "2-DEF-456",
    },
    Home {
        email: "julie.vandenberghe@example.org",
        street: "Celestijnenlaan",
        number: "5",
        postal_code: "3001",
        city: "Heverlee",
        plate: "1-GHJ-789",
    },
    Home {
        email: "jozef.dewit@example.org",
        street: "Tiensestraat",
        number: "40",
        postal_code: "3000",
        city: "Leuven",
        plate: "1-KLM-321",
    },
];

/// The resident without e-mail, registered at the counter: letters go by
/// post.
pub const NO_EMAIL_RESIDENT: &str = "Maria Vandenbroucke";

/// A small, valid one-page PDF standing for a scanned document.
pub fn scan_pdf(title: &str) -> Vec<u8> {
    let text: String = title
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .collect();
    let stream = format!("BT /F1 18 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn address(prefix: &str, h: &Home, input: &mut BTreeMap<String, String>) {
    for (part, v) in [
        ("street", h.street),
        ("number", h.number),
        ("postal_code", h.postal_code),
        ("city", h.city),
    ] {
        input.insert(format!("{prefix}_{part}"), v.to_owned());
    }
}

/// What a resident types for `service`.
fn input_for(slug: &str, h: &Home) -> BTreeMap<String, String> {
    let mut input = BTreeMap::new();
    let today = loket_domain::calendar::today_brussels();
    match slug {
        "move" => {
            address("new_address", h, &mut input);
            input.insert("old_address_street".into(), "Brusselsestraat".into());
            input.insert("old_address_number".into(), "101".into());
            input.insert("old_address_postal_code".into(), "3000".into());
            input.insert("old_address_city".into(), "Leuven".into());
            let moved = today
                .checked_sub(jiff::Span::new().days(3))
                .unwrap_or(today);
            input.insert("move_date".into(), moved.to_string());
        }
        "parking-permit" => {
            address("address", h, &mut input);
            input.insert("plate".into(), h.plate.into());
        }
        _ => {
            address("address", h, &mut input);
            input.insert("works".into(), "heat_pump".into());
            input.insert("invoice_total".into(), "8.450,00".into());
            input.insert("amount_requested".into(), "1.690,00".into());
            input.insert("iban".into(), "BE71 0961 2345 6769".into());
        }
    }
    input
}

/// Submits `slug` for `resident` as the web form does: the scans uploaded
/// to the draft, the values checked by the service's rules, the case
/// created with its receipt.
async fn submit(
    app: &App,
    service: &Service,
    resident: &User,
    h: &Home,
    channel: Channel,
    assisted_by: Option<&str>,
) -> Result<Case, AppError> {
    let file_fields: Vec<String> = service
        .def
        .fields
        .iter()
        .filter(|f| matches!(f.kind, loket_domain::cases::FieldKind::File))
        .map(|f| f.key.clone())
        .collect();
    let uploads = file_fields
        .iter()
        .map(|f| Upload {
            field: f.clone(),
            filename: format!("{f}.pdf"),
            content_type: "application/pdf".to_owned(),
            bytes: scan_pdf(&format!("Scan {f}")),
        })
        .collect();
    let refused_files = store_uploads(app, &resident.id, &service.id, &file_fields, uploads)
        .await
        .map_err(|e| refused("upload", e))?;
    if !refused_files.is_empty() {
        return Err(other(format!("upload refused: {refused_files:?}")));
    }
    let present: Vec<&str> = file_fields.iter().map(String::as_str).collect();
    let data = service
        .def
        .validate(
            &input_for(&service.def.slug, h),
            &present,
            loket_domain::calendar::today_brussels(),
        )
        .map_err(|e| other(format!("{} values: {e:?}", service.def.slug)))?;
    let sub = Submission {
        service,
        resident_id: &resident.id,
        resident_email: &resident.email,
        resident_name: &resident.name,
        resident_locale: Locale::parse(&resident.locale).unwrap_or(Locale::Nl),
        channel,
        assisted_by,
        identified_by: if assisted_by.is_some() {
            "counter"
        } else {
            "eid"
        },
        files_owner: Some(&resident.id),
        contact_id: None,
    };
    let actor = match assisted_by {
        Some(staff) => Actor::User(staff.to_owned()),
        None => Actor::User(resident.id.clone()),
    };
    create_case(app, &actor, &sub, &data)
        .await
        .map_err(|e| refused("case", e))
}

/// Takes the transitions `steps` (key, reason) as the handler.
async fn walk(
    app: &App,
    handler: &Actor,
    number: &str,
    steps: &[(&str, &str)],
) -> Result<Case, AppError> {
    for (key, reason) in steps {
        let case = cases_store::get_case(&app.store, number)
            .await?
            .ok_or_else(|| other(format!("case {number}")))?;
        let def = cases_store::service_version(&app.store, &case.service_id, case.service_version)
            .await?;
        take_transition(app, handler, &case, &def, key, reason)
            .await
            .map_err(|e| refused(key, e))?;
    }
    cases_store::get_case(&app.store, number)
        .await?
        .ok_or_else(|| other(format!("case {number}")))
}

async fn service(app: &App, slug: &str) -> Result<Service, AppError> {
    cases_store::service_by_slug(&app.store, slug)
        .await?
        .ok_or_else(|| other(format!("service {slug} (seed the services first)")))
}

async fn account(app: &App, email: &str) -> Result<User, AppError> {
    people_store::find_by_email(&app.store, email)
        .await?
        .ok_or_else(|| other(format!("account {email} (seed the accounts first)")))
}

/// Whether the lived-in demo is there already.
pub async fn seeded(app: &App) -> Result<bool, AppError> {
    let an = account(app, HOMES[0].email).await?;
    // One case of hers is enough to know (a count capped at 1, not a list).
    Ok(cases_store::resident_cases_total(&app.store, &an.id, "", 1)
        .await?
        .count
        > 0)
}

/// Seeds the residents' lives (once).
pub async fn seed(app: &App) -> Result<(), AppError> {
    if seeded(app).await? {
        return Ok(());
    }
    let handler = account(app, "dossier@demo.leuven.be").await?;
    let handler = Actor::User(handler.id);
    let finance = account(app, "financien@demo.leuven.be").await?;
    let counter = account(app, "loket@demo.leuven.be").await?;
    let move_ = service(app, "move").await?;
    let permit = service(app, "parking-permit").await?;
    let premium = service(app, "renovation-premium").await?;
    let mut premiums = Vec::new();
    for h in HOMES {
        let r = account(app, h.email).await?;
        let me = Actor::User(r.id.clone());
        // Submitted, with a question from the handler and the answer.
        let c = submit(app, &move_, &r, h, Channel::Web, None).await?;
        add_case_message(
            app,
            &handler,
            &c,
            &move_.def,
            "message_out",
            "De wijkinspecteur komt volgende week langs op uw nieuwe adres. Past een bezoek in de voormiddag?",
        )
        .await
        .map_err(|e| refused("message", e))?;
        add_case_message(
            app,
            &me,
            &c,
            &move_.def,
            "message_in",
            "Ja, ik ben elke voormiddag thuis. Bel gerust aan.",
        )
        .await
        .map_err(|e| refused("message", e))?;
        // Information requested: waiting for the resident.
        let c = submit(app, &permit, &r, h, Channel::Web, None).await?;
        walk(
            app,
            &handler,
            &c.number,
            &[(
                "request_info",
                "Het inschrijvingsbewijs is onleesbaar. Voeg een scherpere scan toe.",
            )],
        )
        .await?;
        // Approved, with the permit (a PDF with its QR code).
        let c = submit(app, &permit, &r, h, Channel::Web, None).await?;
        walk(app, &handler, &c.number, &[("approve", "")]).await?;
        // Refused, with the reason.
        let c = submit(app, &move_, &r, h, Channel::Web, None).await?;
        walk(
            app,
            &handler,
            &c.number,
            &[
                ("start_check", ""),
                (
                    "refuse",
                    "De wijkinspecteur trof u na drie bezoeken niet aan op het nieuwe adres.",
                ),
            ],
        )
        .await?;
        // A premium, approved now and paid below.
        let c = submit(app, &premium, &r, h, Channel::Web, None).await?;
        let c = walk(
            app,
            &handler,
            &c.number,
            &[("start_review", ""), ("approve", "")],
        )
        .await?;
        premiums.push(c.number);
        contact_moment(app, &r).await?;
        appointments(app, &r).await?;
    }
    vaccination(app).await?;
    // The finance department pays the approved premiums: one SEPA file,
    // then each marked paid. Banks execute on working days: on a weekend
    // the file is for Monday (a Saturday's seeding was refused before).
    let mut execution = loket_app::i18n::today_brussels();
    while matches!(
        execution.weekday(),
        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
    ) {
        execution = execution
            .tomorrow()
            .map_err(|e| AppError::Other(e.to_string()))?;
    }
    let execution = execution.to_string();
    loket_app::cases::payments::create_export(app, &finance.id, &execution)
        .await
        .map_err(|e| refused("payment export", e))?;
    let fin = Actor::User(finance.id.clone());
    for number in &premiums {
        walk(app, &fin, number, &[("mark_paid", "")]).await?;
    }
    // A resident without e-mail, helped at the counter: her permit and its
    // status letters go by post, in the next print batch.
    let maria = loket_app::people::create_resident(
        app,
        &Actor::User(counter.id.clone()),
        &loket_app::people::ResidentInput {
            name: NO_EMAIL_RESIDENT,
            national_number: "",
            email: "",
            street: "Parijsstraat",
            house_number: "7",
            box_: "",
            postal_code: "3000",
            city: "Leuven",
            phone: "016 12 34 56",
            locale: "nl",
        },
    )
    .await
    .map_err(|e| refused("resident", e))?;
    people_store::record_demo_users(&app.store, std::slice::from_ref(&maria)).await?;
    let maria = people_store::get_user(&app.store, &maria)
        .await?
        .ok_or_else(|| other("the resident without e-mail"))?;
    let home = Home {
        email: "",
        street: "Parijsstraat",
        number: "7",
        postal_code: "3000",
        city: "Leuven",
        plate: "1-NOP-654",
    };
    let c = submit(
        app,
        &permit,
        &maria,
        &home,
        Channel::Counter,
        Some(&counter.id),
    )
    .await?;
    walk(app, &handler, &c.number, &[("approve", "")]).await?;
    answer_forwards(app).await?;
    Ok(())
}

/// A phone call of last week, answered, on the resident's file.
async fn contact_moment(app: &App, r: &User) -> Result<(), AppError> {
    use loket_store::contact as cs;
    let draft = loket_domain::contact::check_moment(&loket_domain::contact::MomentInput {
        channel: "phone",
        subject: "Vraag over de bewonersparkeerkaart",
        question: "Mag ik met mijn parkeerkaart ook in zone B parkeren?",
        answer: "Nee, de kaart geldt alleen in de zone van uw adres.",
        outcome: "answered",
        duration: "4",
    })
    .map_err(|e| other(format!("moment: {e:?}")))?;
    let today = loket_domain::calendar::today_brussels();
    let day = today
        .checked_sub(jiff::Span::new().days(6))
        .unwrap_or(today);
    let at = loket_domain::calendar::day_span(day)
        .map(|s| s.start_ms + 10 * 3_600_000)
        .unwrap_or_else(loket_store::now_ms);
    let mut tx = app.store.begin().await?;
    let m = cs::create_moment(
        &mut tx,
        &Actor::System,
        today.year(),
        "closed",
        &cs::MomentParty {
            resident_id: Some(&r.id),
            name: &r.name,
            email: &r.email,
        },
        &draft,
        &[],
    )
    .await?;
    cs::backdate_moment(&mut tx, &m.id, at).await?;
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    Ok(())
}

/// An appointment this week (booked as on the web, with its mail) and a
/// no-show of last week.
async fn appointments(app: &App, r: &User) -> Result<(), AppError> {
    use loket_store::appointments as appt;
    let me = Actor::User(r.id.clone());
    let (service, location) = loket_app::appointments::resolve(app, "identity-card", "city-office")
        .await
        .map_err(|e| refused("counter", e))?;
    let today = loket_domain::calendar::today_brussels();
    let week = today
        .checked_add(jiff::Span::new().days(7))
        .unwrap_or(today);
    let free = loket_app::appointments::free_slots(app, &service, &location, today, week)
        .await
        .map_err(|e| refused("slots", e))?;
    // Spread the residents over the week.
    let pick = usize::try_from(r.id.bytes().map(u32::from).sum::<u32>() % 7).unwrap_or(0);
    if let Some(slot) = free.get(pick * 3).or(free.first()) {
        loket_app::appointments::book_for(
            app,
            &me,
            r,
            "identity-card",
            "city-office",
            &slot.start_local,
            "web",
        )
        .await
        .map_err(|_| other("booking this week"))?;
    }
    // Last week: booked, never came.
    let start = loket_store::now_ms() - 7 * 86_400_000;
    let start = start - start % 900_000;
    let slot = loket_domain::appointments::Slot {
        start: jiff::Timestamp::from_millisecond(start).map_err(other)?,
        end: jiff::Timestamp::from_millisecond(start + service.slot_minutes * 60_000)
            .map_err(other)?,
    };
    let mut tx = app.store.begin().await?;
    let a = appt::book(
        &mut tx,
        &me,
        appt::NewBooking {
            id: &loket_store::new_id(),
            code: &appt::new_code(),
            service: &service,
            location: &location,
            slot,
            capacity: 4,
            resident_id: &r.id,
            channel: "web",
            booked_by: None,
            max_per_service: 99,
            remind_at: start - 86_400_000,
        },
    )
    .await?;
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    loket_app::appointments::mark_no_show(app, &Actor::System, &a.id)
        .await
        .map_err(|e| refused("no-show", e))?;
    Ok(())
}

/// Of the demo's forwards, the oldest two are answered by the department
/// (the answer mailed as from the forwards page).
async fn answer_forwards(app: &App) -> Result<(), AppError> {
    let handler = account(app, "dossier@demo.leuven.be").await?;
    let open = loket_store::contact::list_forwards(&app.store, "", "open", "").await?;
    for f in open.iter().take(2) {
        loket_app::contact::answer_forward(
            app,
            &Actor::User(handler.id.clone()),
            &f.id,
            "Nagekeken: de aanvraag is in orde, de inwoner krijgt bericht.",
        )
        .await
        .map_err(|e| refused("forward", e))?;
    }
    Ok(())
}

/// The demo residents are invited to the booster campaign (their invitation
/// counts as sent, as the campaign's others) and each has a booking.
async fn vaccination(app: &App) -> Result<(), AppError> {
    use loket_store::vaccination as vs;
    let Some(c) = vs::campaign(&app.store, "booster-najaar").await? else {
        return Ok(()); // no campaign seeded
    };
    let mut rows = Vec::new();
    for (i, h) in HOMES.iter().enumerate() {
        let r = account(app, h.email).await?;
        let k = i16::try_from(i).unwrap_or(0);
        let (year, month, day) = (1956 + 7 * k, 4_i8, 10 + i8::try_from(i).unwrap_or(0));
        rows.push(loket_domain::vaccination::Invitee {
            line: i + 2,
            national_number: super::vaccination::national_number(
                year,
                month,
                day,
                901 + 2 * u32::try_from(i).unwrap_or(0),
            ),
            name: r.name.clone(),
            birth_date: format!("{year:04}-{month:02}-{day:02}"),
            street: format!("{} {}", h.street, h.number),
            postal_code: h.postal_code.to_owned(),
            city: h.city.to_owned(),
            email: Some(h.email.to_owned()),
            phone: None,
            group_rank: 2,
        });
    }
    let mut tx = app.store.begin().await?;
    let no_mail = |_: &vs::Invitation| None;
    vs::import_invitations(&mut tx, &Actor::System, &c, &rows, &no_mail).await?;
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    let now = loket_store::now_ms();
    let slots: Vec<_> = vs::slots(&app.store, &c)
        .await?
        .into_iter()
        .filter(|s| s.start_ms() > now + 86_400_000)
        .collect();
    let invitations = vs::invitations(&app.store, &c.id, "", 2000).await?;
    let mut tx = app.store.begin().await?;
    for (k, row) in rows.iter().enumerate() {
        let Some(inv) = invitations
            .iter()
            .find(|x| x.national_number == row.national_number)
        else {
            continue;
        };
        if let Some(slot) = slots.get((k * 53 + 11) % slots.len().max(1)) {
            vs::book(&mut tx, &Actor::System, &c, &inv.id, slot, "web").await?;
        }
    }
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    Ok(())
}
