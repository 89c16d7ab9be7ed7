//! 500 generated residents with a year of history (issue 20, item 1), so
//! the staff lists, the staff homes and the dashboards have a city behind
//! them: cases on every channel (mostly online) spread over the past year,
//! most of them decided; past appointments at the counters, kept (with the
//! counter visit: check-in, call, end), missed or cancelled; and closed
//! contact-centre calls. Deterministic (a fixed seed), relative to today,
//! bulk-inserted (`loket_store::history`), seeded once.
//!
//! Generated rows are the past: they have no documents and sent no mail.

use super::vaccination::{FIRST, LAST, POSTCODES, STREETS};
use crate::AppError;
use loket_store::Store;
use loket_store::history::{self as h, Case, Event, Moment, Resident, Visit};

/// How many residents are generated.
pub const RESIDENTS: usize = 500;
const DAY: i64 = 86_400_000;

/// The e-mail address of generated resident `i` (`example.org`: never
/// delivered).
pub fn email(i: usize) -> String {
    format!("inwoner{:04}@example.org", i + 1)
}

/// A small deterministic generator (xorshift64*), so every demo holds the
/// same city.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// 0..n
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[usize::try_from(self.below(xs.len() as u64)).unwrap_or(0)]
    }
}

/// Whether the generated residents are there already.
pub async fn seeded(store: &Store) -> Result<bool, AppError> {
    Ok(loket_store::people::find_by_email(store, &email(0))
        .await?
        .is_some())
}

fn year_of(ms: i64) -> i16 {
    loket_domain::calendar::date_of_ms(ms)
        .map(|d| d.year())
        .unwrap_or(2026)
}

fn date_text(ms: i64) -> String {
    loket_domain::calendar::date_of_ms(ms)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// A working-hours instant `days_ago` days before today's midnight:
/// weekdays only (a Saturday or Sunday moves to the Friday before).
fn working_instant(today_start: i64, days_ago: i64, minute_of_day: i64) -> i64 {
    let mut t = today_start - days_ago * DAY;
    for _ in 0..2 {
        let wd = loket_domain::calendar::date_of_ms(t + 12 * 3_600_000)
            .map(|d| d.weekday().to_monday_one_offset())
            .unwrap_or(1);
        if wd >= 6 {
            t -= DAY;
        }
    }
    t + minute_of_day * 60_000
}

/// Seeds the generated residents and their year (once).
pub async fn seed(store: &Store) -> Result<usize, AppError> {
    if seeded(store).await? {
        return Ok(0);
    }
    let today = loket_domain::calendar::today_brussels();
    let today_start = loket_domain::calendar::day_span(today)
        .map(|s| s.start_ms)
        .unwrap_or_else(loket_store::now_ms);
    let mut rng = Rng(0x4C4F_4B45_5432_3032); // "LOKET2026"
    // The services and the counters (seeded before this).
    let mut services = Vec::new();
    for slug in ["move", "parking-permit", "renovation-premium"] {
        if let Some(s) = loket_store::cases::service_by_slug(store, slug).await? {
            services.push(s);
        }
    }
    let locations = loket_store::appointments::list_locations(store).await?;
    let mut counters = Vec::new();
    for l in locations.iter().filter(|l| l.active) {
        for d in loket_store::appointments::list_desks(store, &l.id).await? {
            for s in &d.service_ids {
                counters.push((l.id.clone(), d.id.clone(), s.clone()));
            }
        }
    }
    let mut residents = Vec::new();
    let mut cases = Vec::new();
    let mut visits = Vec::new();
    let mut moments = Vec::new();
    let mut ticket_no = 0u32;
    for i in 0..RESIDENTS {
        let (pc, city) = *rng.pick(&POSTCODES);
        let created_at = today_start - (400 + i64::try_from(rng.below(800)).unwrap_or(0)) * DAY;
        let r = Resident {
            id: loket_store::new_id(),
            name: format!("{} {}", rng.pick(&FIRST), rng.pick(&LAST)),
            email: email(i),
            street: (*rng.pick(&STREETS)).to_owned(),
            house_number: (1 + rng.below(180)).to_string(),
            postal_code: pc.to_owned(),
            city: city.to_owned(),
            created_at,
        };
        // Cases: 0 to 3 over the past year.
        for _ in 0..rng.below(4) {
            if services.is_empty() {
                break;
            }
            let s = rng.pick(&services);
            let ago = i64::try_from(1 + rng.below(364)).unwrap_or(1);
            let at = working_instant(
                today_start,
                ago,
                8 * 60 + i64::try_from(rng.below(600)).unwrap_or(0),
            );
            // Web 72 %, counter 14 %, phone 9 %, post 5 %.
            let channel = match rng.below(100) {
                0..=71 => "web",
                72..=85 => "counter",
                86..=94 => "phone",
                _ => "post",
            };
            let target = s.def.target_days.max(1);
            let due = date_text(at + (target + target / 2) * DAY);
            let mut events = vec![Event {
                at,
                kind: "submitted".to_owned(),
                from_status: None,
                to_status: Some(s.def.initial.clone()),
                transition: None,
                body: String::new(),
            }];
            // Older cases are decided; the last weeks' are still open.
            let handled_in =
                i64::try_from(1 + rng.below(u64::try_from(target).unwrap_or(5) + 3)).unwrap_or(1);
            let decided = ago > handled_in;
            let mut status = s.def.initial.clone();
            let mut closed_at = None;
            if decided {
                let refuse = rng.below(100) < 12;
                let path: Vec<&str> = match (s.def.slug.as_str(), refuse) {
                    ("move", false) => vec!["start_check", "approve"],
                    ("move", true) => vec!["start_check", "refuse"],
                    ("parking-permit", false) => vec!["approve"],
                    ("parking-permit", true) => vec!["refuse"],
                    (_, false) => vec!["start_review", "approve", "export_payment", "mark_paid"],
                    (_, true) => vec!["start_review", "refuse"],
                };
                let steps = i64::try_from(path.len()).unwrap_or(1);
                for (k, key) in path.iter().enumerate() {
                    let Some(t) = s.def.transitions.iter().find(|t| t.key == *key) else {
                        break;
                    };
                    let step_at =
                        at + handled_in * DAY * (i64::try_from(k).unwrap_or(0) + 1) / steps;
                    events.push(Event {
                        at: step_at,
                        kind: "transition".to_owned(),
                        from_status: Some(status.clone()),
                        to_status: Some(t.to.clone()),
                        transition: Some((*key).to_owned()),
                        body: if *key == "refuse" {
                            "De aanvraag voldoet niet aan de voorwaarden.".to_owned()
                        } else {
                            String::new()
                        },
                    });
                    status = t.to.clone();
                    if s.def.state(&status).is_some_and(|st| st.is_final) {
                        closed_at = Some(step_at);
                    }
                }
            }
            cases.push(Case {
                id: loket_store::new_id(),
                year: year_of(at),
                service_id: s.id.clone(),
                service_version: s.version,
                resident_id: r.id.clone(),
                channel: channel.to_owned(),
                status,
                data: "{}".to_owned(),
                department: s.def.department.clone(),
                submitted_at: at,
                due_date: due,
                closed_at,
                events,
            });
        }
        // Counter visits: 0 to 2 over the past year.
        for _ in 0..rng.below(3) {
            if counters.is_empty() {
                break;
            }
            let (location_id, desk_id, service_id) = rng.pick(&counters).clone();
            let ago = i64::try_from(1 + rng.below(364)).unwrap_or(1);
            // Quarter hours from 09:00 to 15:45.
            let start = working_instant(
                today_start,
                ago,
                9 * 60 + 15 * i64::try_from(rng.below(28)).unwrap_or(0),
            );
            let status = match rng.below(100) {
                0..=84 => "served",
                85..=92 => "no_show",
                _ => "cancelled",
            };
            let ticket = (status == "served").then(|| {
                ticket_no += 1;
                let checked_in = start - i64::try_from(rng.below(10)).unwrap_or(0) * 60_000;
                let wait = i64::try_from(1 + rng.below(14)).unwrap_or(1) * 60_000;
                let called = start.max(checked_in) + wait;
                let finished = called + i64::try_from(5 + rng.below(15)).unwrap_or(5) * 60_000;
                (
                    date_text(start),
                    format!("H{ticket_no:04}"),
                    checked_in,
                    called,
                    finished,
                    desk_id.clone(),
                )
            });
            visits.push(Visit {
                appointment_id: loket_store::new_id(),
                code: loket_store::appointments::new_code(),
                service_id,
                location_id,
                resident_id: r.id.clone(),
                starts_at: start,
                ends_at: start + 15 * 60_000,
                status: status.to_owned(),
                channel: if rng.below(100) < 80 { "web" } else { "phone" }.to_owned(),
                ticket,
            });
        }
        // A call to the contact centre for two residents in five.
        if rng.below(5) < 2 {
            let ago = i64::try_from(1 + rng.below(364)).unwrap_or(1);
            let at = working_instant(
                today_start,
                ago,
                8 * 60 + 30 + i64::try_from(rng.below(500)).unwrap_or(0),
            );
            let (subject, answer) = *rng.pick(&[
                (
                    "Afvalkalender",
                    "Doorverwezen naar de afvalkalender op de website.",
                ),
                (
                    "Openingsuren stadskantoor",
                    "Openingsuren gegeven; afspraak aangeraden.",
                ),
                (
                    "Bewonersparkeerkaart",
                    "Uitgelegd hoe de kaart online te vernieuwen.",
                ),
                (
                    "Premie dakisolatie",
                    "Voorwaarden van de renovatiepremie uitgelegd.",
                ),
                (
                    "Adreswijziging",
                    "Uitgelegd dat de verhuis online kan worden doorgegeven.",
                ),
            ]);
            moments.push(Moment {
                id: loket_store::new_id(),
                year: year_of(at),
                channel: if rng.below(100) < 70 {
                    "phone"
                } else {
                    "email"
                }
                .to_owned(),
                resident_id: r.id.clone(),
                name: r.name.clone(),
                email: r.email.clone(),
                subject: subject.to_owned(),
                question: subject.to_owned(),
                answer: answer.to_owned(),
                outcome: "answered".to_owned(),
                minutes: i64::try_from(2 + rng.below(9)).unwrap_or(3),
                at,
            });
        }
        residents.push(r);
    }
    h::insert_residents(store, &residents).await?;
    let ids: Vec<String> = residents.iter().map(|r| r.id.clone()).collect();
    loket_store::people::record_demo_users(store, &ids).await?;
    h::insert_cases(store, &cases).await?;
    h::insert_visits(store, &visits).await?;
    h::insert_moments(store, &moments).await?;
    Ok(residents.len())
}
