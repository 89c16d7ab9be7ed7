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

/// Seeds the demo accounts that do not exist yet; returns how many were new.
pub async fn seed(store: &Store) -> Result<usize, AppError> {
    seed_services(store).await?;
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
