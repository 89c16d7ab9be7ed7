//! The demo city's staff: about 1,258 staff members in fourteen departments
//! with heads and team leads, about 700 teleworkers with three months of
//! history (approved, one closed with its payroll) and the current month.
//! Everything goes in with multi-row inserts in one transaction, so seeding
//! takes well under a few seconds.

use crate::AppError;
use loket_domain::audit::Actor;
use loket_domain::telework::{self as rules, DayKind, DayState, Month, StaffRecord};
use loket_store::Store;
use loket_store::telework as store;
use std::collections::BTreeSet;

/// (department, staff, share of teleworkers in percent)
const DEPARTMENTS: &[(&str, usize, u64)] = &[
    ("Burgerzaken", 110, 55),
    ("Financiën", 80, 85),
    ("Mobiliteit", 70, 70),
    ("Omgeving", 90, 75),
    ("ICT", 75, 95),
    ("HR", 45, 90),
    ("Onderwijs", 160, 35),
    ("Cultuur", 95, 50),
    ("Sport", 85, 25),
    ("Welzijn", 140, 55),
    ("Stadsontwikkeling", 70, 85),
    ("Communicatie", 35, 90),
    ("Groendienst", 110, 10),
    ("Wegen", 92, 10),
];

const FIRST: &[&str] = &[
    "An",
    "Bart",
    "Charlotte",
    "Dirk",
    "Els",
    "Fien",
    "Geert",
    "Hanne",
    "Ilse",
    "Jan",
    "Karolien",
    "Lars",
    "Marie",
    "Nico",
    "Olivia",
    "Pieter",
    "Quinten",
    "Rani",
    "Sofie",
    "Tom",
    "Ulrike",
    "Vincent",
    "Wout",
    "Xavier",
    "Yasmine",
    "Zoë",
    "Ahmed",
    "Fatima",
    "Mehmet",
    "Ayşe",
    "Jonas",
    "Lotte",
    "Emma",
    "Lucas",
    "Noor",
    "Ruben",
    "Eline",
    "Thomas",
    "Laura",
    "Stijn",
];

const LAST: &[&str] = &[
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smedt",
    "Dubois",
    "Lambrechts",
    "Dumont",
    "Hermans",
    "Van den Broeck",
    "Vermeulen",
    "Verhaegen",
    "Aerts",
    "De Clercq",
    "El Amrani",
    "Yilmaz",
    "Van Damme",
    "Smets",
    "Pauwels",
    "Desmet",
    "Coppens",
    "Martens",
    "Michiels",
    "Hendrickx",
    "Segers",
];

/// The demo accounts that are staff members too: (e-mail, name, department).
pub const DEMO_STAFF: &[(&str, &str, &str)] = &[
    ("admin@demo.leuven.be", "Sara Janssens", "ICT"),
    ("hr@demo.leuven.be", "Lotte Mertens", "HR"),
    ("loket@demo.leuven.be", "Tom Maes", "Burgerzaken"),
    ("contact@demo.leuven.be", "Ines Claes", "Burgerzaken"),
    ("dossier@demo.leuven.be", "Pieter Wouters", "Burgerzaken"),
    ("vloot@demo.leuven.be", "Koen Jacobs", "Mobiliteit"),
    ("financien@demo.leuven.be", "Sofie Claes", "Financiën"),
    ("vaccinatie@demo.leuven.be", "Els Willems", "Welzijn"),
];

/// The demo's manager and one of their team members (both with accounts).
pub const DEMO_MANAGER: (&str, &str) = ("teamlead@demo.leuven.be", "Bart Goossens");
pub const DEMO_EMPLOYEE: (&str, &str) = ("medewerker@demo.leuven.be", "Jan Vermeulen");

/// A small deterministic generator (the demo is the same every time).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

fn slug(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'ë' | 'é' | 'è' => 'e',
            'ş' => 's',
            'ö' => 'o',
            c if c.is_ascii_alphanumeric() => c,
            _ => '.',
        })
        .collect::<String>()
        .split('.')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

/// The staff records of the demo city (employee numbers `E0001` …).
pub fn demo_records() -> (Vec<StaffRecord>, Vec<bool>) {
    let mut rng = Lcg(2026);
    let mut out: Vec<StaffRecord> = Vec::new();
    let mut teleworks: Vec<bool> = Vec::new();
    let mut n = 0usize;
    let mut next_no = || {
        n += 1;
        format!("E{n:04}")
    };
    let record = |no: String,
                  name: String,
                  email: String,
                  dept: &str,
                  manager: Option<String>,
                  regime: i64,
                  eligible: bool| StaffRecord {
        line: 0,
        employee_no: no,
        name,
        email,
        department: dept.to_owned(),
        manager,
        regime_percent: regime,
        telework_eligible: eligible,
        end_date: None,
    };
    // The general director heads the department heads.
    let director = next_no();
    out.push(record(
        director.clone(),
        "Katrien Van den Broeck".to_owned(),
        "algemeen.directeur@demo.leuven.be".to_owned(),
        "Stadsontwikkeling",
        None,
        100,
        true,
    ));
    teleworks.push(true);
    for (dept, size, share) in DEPARTMENTS {
        let mut mine: Vec<&(&str, &str, &str)> =
            DEMO_STAFF.iter().filter(|s| s.2 == *dept).collect();
        let head = next_no();
        let head_name = format!(
            "{} {}",
            FIRST[rng.below(FIRST.len() as u64) as usize],
            LAST[rng.below(LAST.len() as u64) as usize]
        );
        out.push(record(
            head.clone(),
            head_name.clone(),
            format!("diensthoofd.{}@demo.leuven.be", slug(dept)),
            dept,
            Some(director.clone()),
            100,
            true,
        ));
        teleworks.push(*share > 50);
        let mut lead = head.clone();
        for i in 1..*size {
            // Every tenth is a team lead under the head; the others report
            // to the latest team lead.
            let no = next_no();
            let is_lead = i % 10 == 1;
            let eligible = rng.below(100) < (*share + 20).min(100);
            let regime = match rng.below(10) {
                0 => 50,
                1 | 2 => 80,
                _ => 100,
            };
            let (name, email) = if *dept == "Burgerzaken" && i == 1 {
                (DEMO_MANAGER.1.to_owned(), DEMO_MANAGER.0.to_owned())
            } else if *dept == "Burgerzaken" && i == 2 {
                (DEMO_EMPLOYEE.1.to_owned(), DEMO_EMPLOYEE.0.to_owned())
            } else if !is_lead && i > 2 && !mine.is_empty() {
                let (email, name, _) = mine.remove(0);
                ((*name).to_owned(), (*email).to_owned())
            } else {
                let f = FIRST[rng.below(FIRST.len() as u64) as usize];
                let l = LAST[rng.below(LAST.len() as u64) as usize];
                (
                    format!("{f} {l}"),
                    format!(
                        "{}.{}.{}@stad.leuven.example",
                        slug(f),
                        slug(l),
                        no.to_lowercase()
                    ),
                )
            };
            let manager = if is_lead { head.clone() } else { lead.clone() };
            let works_from_home = eligible && rng.below(100) < *share + 18;
            let demo_person = email.ends_with("@demo.leuven.be");
            out.push(record(
                no.clone(),
                name,
                email,
                dept,
                Some(manager),
                regime,
                eligible || demo_person,
            ));
            teleworks.push(works_from_home || demo_person);
            if is_lead {
                lead = no;
            }
        }
    }
    (out, teleworks)
}

/// Seeds the staff and their telework once (when there are no staff yet).
pub async fn seed(store: &Store) -> Result<(), AppError> {
    if store::staff_count(store).await? > 0 {
        return Ok(());
    }
    let (records, teleworks) = demo_records();
    let today = loket_domain::calendar::today_brussels();
    let current = Month::of(today);
    let months = [
        current.prev().prev().prev(),
        current.prev().prev(),
        current.prev(),
        current,
    ];
    let mut rng = Lcg(1258);
    let mut tx = store.begin().await?;
    let ids = store::insert_staff_batch(&mut tx, &Actor::System, &records).await?;
    let mut days = Vec::new();
    let mut month_rows = Vec::new();
    for m in months {
        let holidays = rules::holidays(m.year(), &BTreeSet::new());
        let workdays = rules::working_days(m, &holidays);
        for ((rec, id), tele) in records.iter().zip(&ids).zip(&teleworks) {
            if !tele {
                continue;
            }
            // Two or three fixed weekdays a week, by regime.
            let per_week = if rec.regime_percent >= 80 {
                2 + rng.below(2)
            } else {
                1
            };
            let mut weekdays: Vec<i8> = Vec::new();
            while weekdays.len() < usize::try_from(per_week).unwrap_or(1) {
                let wd = i8::try_from(1 + rng.below(5)).unwrap_or(1);
                if !weekdays.contains(&wd) {
                    weekdays.push(wd);
                }
            }
            let mut any = false;
            for d in &workdays {
                if !weekdays.contains(&d.weekday().to_monday_one_offset()) {
                    continue;
                }
                if rng.below(10) == 0 {
                    continue; // a day at the office after all
                }
                let kind = if rng.below(8) == 0 {
                    DayKind::Half
                } else {
                    DayKind::Full
                };
                let state = if *d <= today {
                    DayState::Confirmed
                } else {
                    DayState::Planned
                };
                days.push((id.clone(), *d, kind, state));
                any = true;
            }
            if any {
                // The current month is open; of the past months about one in
                // 25 still waits for the manager.
                let waits = rng.below(25) == 0;
                let status = if m == current || waits {
                    "open"
                } else {
                    "approved"
                };
                month_rows.push((id.clone(), m, status));
            }
        }
    }
    store::insert_days_batch(&mut tx, &days, &month_rows).await?;
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    // The oldest month is closed, with its payroll lines.
    store::close_month(store, &Actor::System, months[0], today).await?;
    Ok(())
}
