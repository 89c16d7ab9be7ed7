//! The demo city: staff for every role and a few residents, all with the
//! same password, seeded once (audited as `system`).

pub mod contact;
pub mod history;
pub mod lives;
pub mod queue;
pub mod shifts;
pub mod telework;
pub mod vaccination;

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
        &[Role::ContactCentre, Role::AllDepartments],
    ),
    (
        "dossier@demo.leuven.be",
        "Pieter Wouters",
        &[Role::CaseHandler],
    ),
    ("hr@demo.leuven.be", "Lotte Mertens", &[Role::Hr]),
    ("vloot@demo.leuven.be", "Koen Jacobs", &[Role::Fleet]),
    ("ict@demo.leuven.be", "Wout Peeters", &[Role::Ict]),
    ("financien@demo.leuven.be", "Sofie Claes", &[Role::Finance]),
    (
        "vaccinatie@demo.leuven.be",
        "Els Willems",
        &[Role::VaccinationCoordinator],
    ),
    (
        "prikcentrum@demo.leuven.be",
        "Jonas De Smet",
        &[Role::VaccinationStaff],
    ),
    (
        "teamlead@demo.leuven.be",
        "Bart Goossens",
        &[
            Role::Counter,
            Role::ContactCentre,
            Role::CaseHandler,
            Role::AllDepartments,
        ],
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
    (
        "medewerker@demo.leuven.be",
        "Jan Vermeulen",
        &[Role::Employee],
    ),
];

/// Need to know: the departments of the demo's case handler (the team lead
/// and the contact centre hold `all_departments`). (e-mail, departments)
pub const DEMO_DEPARTMENTS: &[(&str, &[&str])] =
    &[("dossier@demo.leuven.be", &["burgerzaken", "mobiliteit"])];

/// Gives the demo accounts their departments, once (an account that has
/// departments keeps what an admin set).
async fn seed_departments(store: &Store) -> Result<(), AppError> {
    for (email, departments) in DEMO_DEPARTMENTS {
        let Some(u) = store::find_by_email(store, email).await? else {
            continue;
        };
        if !store::departments::of_user(store, &u.id).await?.is_empty() {
            continue;
        }
        let codes: Vec<String> = departments.iter().map(|d| (*d).to_owned()).collect();
        let mut tx = store.begin().await?;
        store::departments::set(&mut tx, &Actor::System, &u.id, &codes).await?;
        tx.commit().await.map_err(loket_store::StoreError::from)?;
    }
    Ok(())
}

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
    // The legal holidays from today on, this year and next: computed, so
    // the demo never goes stale.
    let today = loket_domain::calendar::today_brussels();
    let holidays: Vec<(jiff::civil::Date, String)> = [today.year(), today.year() + 1]
        .into_iter()
        .flat_map(loket_domain::calendar::belgian_holidays_named)
        .filter(|(d, _)| *d >= today)
        .map(|(d, name)| (d, name.to_owned()))
        .collect();
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
        appt::set_closed_days(&mut tx, &actor, &lid, &holidays).await?;
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
    crate::demo::contact::seed(store).await?;
    crate::demo::contact::seed_moments(store).await?;
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
        let id = store::create_user(
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
        // Admin, HR and finance need a second factor: the demo's accounts
        // share the published demo key (shown on the code page in demo
        // mode only).
        let totp = &loket_app::people::totp::DEFAULT_REQUIRED_ROLES;
        if roles.iter().any(|r| totp.contains(r)) {
            store::totp::enrol_fixed(
                &mut tx,
                &Actor::System,
                &id,
                loket_app::people::totp::DEMO_SECRET,
            )
            .await?;
        }
        tx.commit().await.map_err(loket_store::StoreError::from)?;
        created += 1;
    }
    seed_departments(store).await?;
    crate::demo::telework::seed(store).await?;
    crate::demo::shifts::seed(store, &phc).await?;
    store::record_demo_accounts(store, &phc).await?;
    seed_bikes(store).await?;
    seed_assets(store).await?;
    crate::demo::vaccination::seed(store).await?;
    Ok(created)
}

/// `loket demo` seeds only a database of its own: one that holds no
/// account it did not create (an empty one, or an earlier demo).
pub async fn refuse_foreign_accounts(store: &Store) -> Result<(), AppError> {
    // A demo seeded before accounts were recorded: its admin still has the
    // demo password, and every account of that seed shares its hash.
    if let Some(admin) = store::find_by_email(store, DEMO_ACCOUNTS[0].0).await? {
        let hash = admin.password_hash.clone();
        let demo =
            tokio::task::spawn_blocking(move || rules::verify_password(DEMO_PASSWORD, &hash))
                .await
                .map_err(|e| AppError::Other(e.to_string()))?;
        if demo {
            store::record_demo_accounts(store, &admin.password_hash).await?;
        }
    }
    let (n, email) = store::foreign_accounts(store).await?;
    if n > 0 {
        return Err(AppError::Other(format!(
            "loket demo refuses this database: it holds {n} account(s) the demo did not create \
             (such as {}). The demo adds accounts with a published password; use `loket serve` \
             for a real city, or give the demo an empty data folder (--data-dir).",
            email.unwrap_or_default()
        )));
    }
    Ok(())
}

/// The accounts that still have the demo's published password (checked
/// once per distinct hash of the demo's accounts, so it is quick).
pub async fn accounts_with_demo_password(store: &Store) -> Result<Vec<String>, AppError> {
    let emails: Vec<&str> = DEMO_ACCOUNTS.iter().map(|(e, _, _)| *e).collect();
    let mut found = Vec::new();
    for (hash, email) in store::demo_password_hashes(store, &emails).await? {
        let hit = tokio::task::spawn_blocking(move || rules::verify_password(DEMO_PASSWORD, &hash))
            .await
            .map_err(|e| AppError::Other(e.to_string()))?;
        if hit {
            found.push(email);
        }
    }
    Ok(found)
}

/// A small deterministic generator, so the demo looks the same every time.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// The staff accounts of the demo (riders and borrowers).
async fn demo_staff(store: &Store) -> Result<Vec<String>, AppError> {
    let mut ids = Vec::new();
    for (email, _, roles) in DEMO_ACCOUNTS {
        if roles.iter().any(|r| r.is_staff())
            && let Some(u) = store::find_by_email(store, email).await?
        {
            ids.push(u.id);
        }
    }
    Ok(ids)
}

/// 60 service bikes (40% e-bikes) at four sites, with four months of trips;
/// once (when there are no sites yet). One transaction for the trips.
pub async fn seed_bikes(store: &Store) -> Result<(), AppError> {
    use loket_domain::bikes::BikeType;
    use loket_store::bikes;
    if !bikes::list_sites(store).await?.is_empty() {
        return Ok(());
    }
    let riders = demo_staff(store).await?;
    if riders.is_empty() {
        return Ok(());
    }
    let actor = Actor::System;
    let mut tx = store.begin().await?;
    let sites = [
        ("stadhuis", "Stadhuis, Grote Markt"),
        ("provinciehuis", "Administratief centrum"),
        ("depot", "Depot Vaart"),
        ("heverlee", "Districtshuis Heverlee"),
    ];
    let mut site_ids = Vec::new();
    for (slug, name) in sites {
        site_ids.push(bikes::add_site(&mut tx, &actor, slug, name).await?);
    }
    let mut bike_ids: Vec<(String, BikeType)> = Vec::new();
    for i in 0..60_usize {
        // 24 e-bikes (40%), 6 cargo bikes, 30 classic bikes.
        let kind = if i % 5 < 2 {
            BikeType::Ebike
        } else if i % 10 == 2 {
            BikeType::Cargo
        } else {
            BikeType::Classic
        };
        let site = &site_ids[i % site_ids.len()];
        let number = format!("LF-{:03}", i + 1);
        let note = if kind == BikeType::Ebike {
            format!("batterij {} , {}%", 2023 + i % 3, 70 + (i * 7) % 30)
        } else {
            String::new()
        };
        let id = bikes::add_bike(
            &mut tx,
            &actor,
            &bikes::NewBike {
                number: &number,
                bike_type: kind,
                site_id: site,
                battery_note: &note,
            },
        )
        .await?;
        bike_ids.push((id, kind));
    }
    // Trips: about 20 per working day over the last 140 days, more of them
    // on e-bikes lately.
    let mut rng = Lcg(2026);
    let day_ms = 24 * 3600 * 1000;
    let now = loket_store::now_ms();
    let tz = loket_domain::appointments::brussels();
    for back in (1..=140_i64).rev() {
        let Ok(t) = jiff::Timestamp::from_millisecond(now - back * day_ms) else {
            continue;
        };
        let date = t.to_zoned_datetime(tz.clone()).date();
        if matches!(
            date.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ) {
            continue;
        }
        let trips = 14 + rng.next(10) + (140 - back as u64) / 14;
        for _ in 0..trips {
            let (bike, kind) = &bike_ids[rng.next(bike_ids.len() as u64) as usize];
            let start_h = 8 + rng.next(8) as i8;
            let Some(start) = loket_domain::appointments::parse_start(
                &format!("{date}T{start_h:02}:{:02}", rng.next(4) * 15),
                &tz,
            ) else {
                continue;
            };
            let hours = 1 + rng.next(3) as i64;
            let km = match kind {
                BikeType::Ebike => 6 + rng.next(20) as i64,
                BikeType::Cargo => 2 + rng.next(6) as i64,
                BikeType::Classic => 2 + rng.next(9) as i64,
            };
            let rider = &riders[rng.next(riders.len() as u64) as usize];
            bikes::seed_trip(&mut tx, bike, rider, start, start + hours * 3_600_000, km).await?;
        }
    }
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    Ok(())
}

/// The vaccination centre's equipment on loan to its lines, teleworkers'
/// laptops and chairs on loan to demo staff, and some stock; once.
pub async fn seed_assets(store: &Store) -> Result<(), AppError> {
    use loket_domain::assets::NewAsset;
    use loket_store::assets::{self as assets, Borrower};
    if assets::status_counts(store)
        .await?
        .iter()
        .any(|(_, n)| *n > 0)
    {
        return Ok(());
    }
    let actor = Actor::System;
    let mut tx = store.begin().await?;
    // (category, prefix, model, price in cents, how many)
    let kinds: [(&'static str, &str, &str, i64, usize); 7] = [
        ("laptop", "LAP", "Dell Latitude 5450", 89_900, 130),
        ("printer", "PRN", "HP LaserJet Pro 4002", 32_900, 8),
        ("barcode_scanner", "SCN", "Zebra DS2208", 12_950, 75),
        ("label_printer", "LBP", "Zebra ZD421", 41_000, 6),
        ("tablet_4g", "TAB", "Samsung Galaxy Tab A9+ 5G", 29_900, 12),
        ("office_chair", "CHR", "Steelcase Series 1", 42_000, 20),
        ("screen", "SCR", "Dell P2425H", 17_900, 20),
    ];
    let mut ids: std::collections::HashMap<&'static str, Vec<String>> =
        std::collections::HashMap::new();
    for (cat, prefix, model, price, n) in kinds {
        for i in 1..=n {
            let a = NewAsset {
                category: cat,
                tag: format!("LV-{prefix}-{i:04}"),
                serial: format!("SN{prefix}{:06}", 100_000 + i * 37),
                model: model.to_owned(),
                purchase_date: "2025-09-15".to_owned(),
                price_cents: price,
                location: assets::STOCK_LOCATION.to_owned(),
            };
            ids.entry(cat)
                .or_default()
                .push(assets::add_asset(&mut tx, &actor, &a).await?);
        }
    }
    fn take(
        ids: &mut std::collections::HashMap<&'static str, Vec<String>>,
        cat: &'static str,
        n: usize,
    ) -> Vec<String> {
        let v = ids.entry(cat).or_default();
        let k = n.min(v.len());
        v.drain(..k).collect()
    }
    // The vaccination centre: 10 registration lines, stations and the hall.
    let due = "2027-06-30";
    for line in 1..=10 {
        let mut batch = take(&mut ids, "laptop", 10);
        batch.extend(take(&mut ids, "barcode_scanner", 7));
        batch.extend(take(&mut ids, "tablet_4g", 1));
        let place = Borrower::Place(format!("Vaccinatiecentrum, registratielijn {line}"));
        assets::check_out(&mut tx, &actor, &batch, &place, due).await?;
    }
    let mut hall = take(&mut ids, "printer", 6);
    hall.extend(take(&mut ids, "label_printer", 4));
    assets::check_out(
        &mut tx,
        &actor,
        &hall,
        &Borrower::Place("Vaccinatiecentrum, onthaal".to_owned()),
        due,
    )
    .await?;
    // Teleworkers: a laptop, a screen and a chair each.
    for user in demo_staff(store).await? {
        let mut batch = take(&mut ids, "laptop", 1);
        batch.extend(take(&mut ids, "screen", 1));
        batch.extend(take(&mut ids, "office_chair", 1));
        assets::check_out(
            &mut tx,
            &actor,
            &batch,
            &Borrower::Person(user),
            "2028-12-31",
        )
        .await?;
    }
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    Ok(())
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
