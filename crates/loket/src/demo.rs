//! The demo city: staff for every role and a few residents, all with the
//! same password, seeded once (audited as `system`).

use crate::AppError;
use loket_domain::audit::Actor;
use loket_domain::ident::Email;
use loket_domain::people::{self as rules, PersonName, Role};
use loket_store::Store;
use loket_store::people::{self as store, NewUser};

pub const DEMO_PASSWORD: &str = "loket-demo-2026";

/// (e-mail, name, roles)
pub const DEMO_ACCOUNTS: &[(&str, &str, &[Role])] = &[
    ("admin@demo.leuven.be", "Sara Janssens", &[Role::Admin]),
    ("loket@demo.leuven.be", "Tom Maes", &[Role::Counter]),
    (
        "contact@demo.leuven.be",
        "Ines Claes",
        &[Role::ContactCentre],
    ),
    (
        "dossier@demo.leuven.be",
        "Pieter Wouters",
        &[Role::CaseHandler],
    ),
    ("hr@demo.leuven.be", "Lotte Mertens", &[Role::Hr]),
    ("vloot@demo.leuven.be", "Koen Jacobs", &[Role::Fleet]),
    ("financien@demo.leuven.be", "Sofie Claes", &[Role::Finance]),
    (
        "vaccinatie@demo.leuven.be",
        "Els Willems",
        &[Role::VaccinationCoordinator],
    ),
    (
        "teamlead@demo.leuven.be",
        "Bart Goossens",
        &[Role::Counter, Role::ContactCentre, Role::CaseHandler],
    ),
    ("an.peeters@example.org", "An Peeters", &[Role::Resident]),
    (
        "mohamed.elamrani@example.org",
        "Mohamed El Amrani",
        &[Role::Resident],
    ),
    (
        "julie.vandenberghe@example.org",
        "Julie Van den Berghe",
        &[Role::Resident],
    ),
    ("jozef.dewit@example.org", "Jozef De Wit", &[Role::Resident]),
];

/// Seeds the service catalogue (a new version only when a definition changed).
pub async fn seed_services(store: &Store) -> Result<(), AppError> {
    for src in loket_domain::cases::SEED_SERVICES {
        let def: loket_domain::cases::ServiceDef =
            serde_json::from_str(src).map_err(|e| AppError::Other(format!("seed service: {e}")))?;
        let mut tx = store.begin().await?;
        loket_store::cases::save_service(&mut tx, &Actor::System, &def).await?;
        tx.commit().await.map_err(loket_store::StoreError::from)?;
    }
    Ok(())
}

/// Counter services: (slug, Dutch name, English name, slot minutes).
const COUNTER_SERVICES: &[(&str, &str, &str, i64)] = &[
    ("identity-card", "Identiteitskaart", "Identity card", 15),
    ("driving-licence", "Rijbewijs", "Driving licence", 20),
    ("move-declaration", "Adreswijziging", "Move declaration", 30),
];

/// Locations: (slug, name, address, desks as (name, services)).
type DemoLocation = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static [&'static str])],
);
const LOCATIONS: &[DemoLocation] = &[
    (
        "city-office",
        "Stadskantoor",
        "Professor Van Overstraetenplein 1, 3000 Leuven",
        &[
            (
                "Loket 1",
                &["identity-card", "driving-licence", "move-declaration"],
            ),
            ("Loket 2", &["identity-card", "driving-licence"]),
            ("Loket 3", &["identity-card", "move-declaration"]),
            ("Loket 4", &["driving-licence", "move-declaration"]),
        ],
    ),
    (
        "heverlee",
        "Districtshuis Heverlee",
        "Waversebaan 66, 3001 Heverlee",
        &[
            ("Loket A", &["identity-card", "move-declaration"]),
            ("Loket B", &["identity-card", "driving-licence"]),
        ],
    ),
    (
        "kessel-lo",
        "Districtshuis Kessel-Lo",
        "Gemeenteplein 1, 3010 Kessel-Lo",
        &[(
            "Loket A",
            &["identity-card", "driving-licence", "move-declaration"],
        )],
    ),
];

/// Seeds the counters: services, the city office and two district offices
/// with desks, opening hours and the Belgian public holidays (once: a
/// location that exists is left as the admins set it).
pub async fn seed_appointments(store: &Store) -> Result<(), AppError> {
    use loket_domain::appointments::parse_day_hours;
    use loket_store::appointments as appt;
    let actor = Actor::System;
    let mut tx = store.begin().await?;
    let mut ids = std::collections::HashMap::new();
    for (slug, nl, en, minutes) in COUNTER_SERVICES {
        let id = appt::save_service(&mut tx, &actor, slug, nl, en, *minutes).await?;
        ids.insert(*slug, id);
    }
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    let holidays = [
        ("2026-12-25", "Kerstmis"),
        ("2026-12-26", "Tweede kerstdag"),
        ("2027-01-01", "Nieuwjaar"),
        ("2027-03-29", "Paasmaandag"),
        ("2027-05-01", "Dag van de Arbeid"),
    ];
    for (slug, name, address, desks) in LOCATIONS {
        if appt::location(store, slug).await?.is_some() {
            continue;
        }
        let mut tx = store.begin().await?;
        let lid = appt::save_location(&mut tx, &actor, slug, name, address).await?;
        let mut periods = Vec::new();
        for wd in 1..=5 {
            let hours = if *slug == "city-office" && wd == 4 {
                "09:00-12:30, 13:30-19:00"
            } else if *slug == "city-office" {
                "09:00-12:30, 13:30-16:00"
            } else {
                "09:00-12:30"
            };
            periods.extend(
                parse_day_hours(wd, hours).map_err(|e| AppError::Other(e.code.to_owned()))?,
            );
        }
        if *slug == "city-office" {
            periods.extend(
                parse_day_hours(6, "09:00-12:00")
                    .map_err(|e| AppError::Other(e.code.to_owned()))?,
            );
        }
        appt::set_hours(&mut tx, &actor, &lid, &periods).await?;
        let closed: Vec<(jiff::civil::Date, String)> = holidays
            .iter()
            .filter_map(|(d, r)| d.parse().ok().map(|d| (d, (*r).to_owned())))
            .collect();
        appt::set_closed_days(&mut tx, &actor, &lid, &closed).await?;
        for (desk, services) in *desks {
            let sids: Vec<String> = services
                .iter()
                .filter_map(|s| ids.get(s).cloned())
                .collect();
            appt::save_desk(&mut tx, &actor, &lid, desk, &sids).await?;
        }
        tx.commit().await.map_err(loket_store::StoreError::from)?;
    }
    appt::settings(store).await?;
    Ok(())
}

/// Seeds the demo accounts that do not exist yet; returns how many were new.
pub async fn seed(store: &Store) -> Result<usize, AppError> {
    seed_services(store).await?;
    seed_appointments(store).await?;
    crate::demo_contact::seed(store).await?;
    let phc = tokio::task::spawn_blocking(|| rules::hash_password(DEMO_PASSWORD))
        .await
        .map_err(|e| AppError::Other(e.to_string()))?;
    let mut created = 0;
    for (email, name, roles) in DEMO_ACCOUNTS {
        if store::find_by_email(store, email).await?.is_some() {
            continue;
        }
        let email =
            Email::parse(email).map_err(|e| AppError::Other(format!("demo: {}", e.code)))?;
        let name =
            PersonName::parse(name).map_err(|e| AppError::Other(format!("demo: {}", e.code)))?;
        let mut tx = store.begin().await?;
        store::create_user(
            &mut tx,
            &Actor::System,
            NewUser {
                email: &email,
                name: &name,
                password_hash: &phc,
                roles,
                locale: "nl",
                confirmed: true,
            },
        )
        .await?;
        tx.commit().await.map_err(loket_store::StoreError::from)?;
        created += 1;
    }
    Ok(created)
}

/// What the demo prints for a newcomer.
pub fn banner(url: &str) -> String {
    let mut s =
        format!("\nLoket demo is running at {url}\n\nDemo accounts (password: {DEMO_PASSWORD}):\n");
    for (email, name, roles) in DEMO_ACCOUNTS {
        let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        s.push_str(&format!("  {email:<34} {name:<22} {}\n", roles.join(", ")));
    }
    s.push_str("\nSent mail is written to loket-data/mail/ and shown at /admin/mail (as admin).\nStop with Ctrl-C.\n");
    s
}
