//! The demo's vaccination-centre shifts: six roles (host, registration,
//! steward, observation, logistics, ICT support) with three qualifications,
//! 160 city staff with volunteer accounts (from the staff records, with
//! qualifications), and two weeks of shifts from tomorrow — two shifts a
//! day of five hours, staffed for eight lines — partly filled (more in the
//! first week; the second week's sign-up opens later). Everything goes in a
//! few transactions; once (when there are no roles yet).

use crate::AppError;
use loket_domain::appointments::brussels;
use loket_domain::audit::Actor;
use loket_domain::ident::Email;
use loket_domain::people::{PersonName, Role};
use loket_domain::shifts::{self as rules, Rules, Span};
use loket_store::Store;
use loket_store::people::{self as people_store, NewUser};
use loket_store::shifts as store;
use std::collections::HashMap;

/// (code, Dutch, English)
const QUALIFICATIONS: &[(&str, &str, &str)] = &[
    ("first-aid", "EHBO-attest", "First-aid certificate"),
    ("ict", "ICT-kennis", "ICT skills"),
    ("steward", "Stewardopleiding", "Steward training"),
];

/// (code, Dutch, English, qualification, people per shift for eight lines)
const ROLES: &[(&str, &str, &str, Option<&str>, i64)] = &[
    ("host", "Onthaal", "Host", None, 4),
    ("registration", "Registratie", "Registration", None, 8),
    ("steward", "Steward", "Steward", Some("steward"), 4),
    (
        "observation",
        "Observatie",
        "Observation",
        Some("first-aid"),
        3,
    ),
    ("logistics", "Logistiek", "Logistics", None, 2),
    (
        "ict-support",
        "ICT-ondersteuning",
        "ICT support",
        Some("ict"),
        1,
    ),
];

/// The two shifts of a day.
const TIMES: &[(&str, &str)] = &[("08:00", "13:00"), ("13:00", "18:00")];

/// (id, start, end, qualification, headcount, days from today)
type DemoShift = (String, i64, i64, Option<&'static str>, i64, i64);

const VOLUNTEERS: usize = 160;
const DAYS: i64 = 14;

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

pub async fn seed(store_: &Store, password_hash: &str) -> Result<(), AppError> {
    if !store::list_roles(store_).await?.is_empty() {
        return Ok(());
    }
    let actor = Actor::System;
    let settings = store::settings(store_).await?;
    let mut tx = store_.begin().await?;
    let mut qual_ids = HashMap::new();
    for (code, nl, en) in QUALIFICATIONS {
        qual_ids.insert(
            *code,
            store::add_qualification(&mut tx, &actor, code, nl, en).await?,
        );
    }
    let mut role_ids = Vec::new();
    for (code, nl, en, q, n) in ROLES {
        let qid = q.and_then(|q| qual_ids.get(q).cloned());
        let id = store::add_role(&mut tx, &actor, code, nl, en, qid.as_deref()).await?;
        role_ids.push((id, *q, *n));
    }
    tx.commit().await.map_err(loket_store::StoreError::from)?;

    // 160 volunteers: staff records given an account (employee role).
    let staff = store::staff_without_account(store_, VOLUNTEERS as i64).await?;
    let mut rng = Lcg(2026);
    let mut people: Vec<(String, Vec<&str>)> = Vec::new();
    let mut tx = store_.begin().await?;
    for (i, (name, email)) in staff.iter().enumerate() {
        let (Ok(e), Ok(n)) = (Email::parse(email), PersonName::parse(name)) else {
            continue;
        };
        let id = people_store::create_user(
            &mut tx,
            &actor,
            NewUser {
                email: &e,
                name: &n,
                password_hash,
                roles: &[Role::Employee],
                locale: if i % 7 == 0 { "en" } else { "nl" },
                confirmed: true,
            },
        )
        .await?;
        let mut held = Vec::new();
        if rng.next(100) < 30 {
            held.push("first-aid");
        }
        if rng.next(100) < 15 {
            held.push("ict");
        }
        if rng.next(100) < 35 {
            held.push("steward");
        }
        for q in &held {
            if let Some(qid) = qual_ids.get(q) {
                store::set_qualification(&mut tx, &actor, &id, qid, true).await?;
            }
        }
        people.push((id, held));
    }
    tx.commit().await.map_err(loket_store::StoreError::from)?;

    // Two weeks of shifts from tomorrow. The first week is open for
    // sign-up; each day of the second week opens a week before, at 18:00.
    let tz = brussels();
    let today = loket_domain::calendar::today_brussels();
    let now = loket_store::now_ms();
    let mut shifts: Vec<DemoShift> = Vec::new();
    let mut tx = store_.begin().await?;
    for d in 1..=DAYS {
        let Ok(day) = today.checked_add(jiff::Span::new().days(d)) else {
            continue;
        };
        let opens_day = day.checked_sub(jiff::Span::new().days(7)).unwrap_or(today);
        let release = loket_domain::appointments::parse_start(&format!("{opens_day}T18:00"), &tz)
            .unwrap_or(now)
            .min(if d <= 7 { now - 3_600_000 } else { i64::MAX });
        let day_s = day.to_string();
        for (from, to) in TIMES {
            let Ok((s, e)) = rules::window(day, from, to, &tz) else {
                continue;
            };
            for (role_id, q, n) in &role_ids {
                let id = store::create_shift(
                    &mut tx,
                    &actor,
                    &store::NewShift {
                        role_id,
                        day: &day_s,
                        starts_at: s,
                        ends_at: e,
                        headcount: *n,
                        release_at: release,
                    },
                )
                .await?;
                shifts.push((id, s, e, *q, *n, d));
            }
        }
    }
    // Partly filled: about 80% of the first week's places, 25% of the
    // second's, by qualified volunteers who keep every working-time rule.
    let rules_: Rules = settings.rules;
    let mut taken: HashMap<usize, Vec<Span>> = HashMap::new();
    let mut rows = Vec::new();
    for (shift_id, s, e, q, n, d) in &shifts {
        let share = if *d <= 7 { 80 } else { 25 };
        let want = (*n * share + 50) / 100;
        let mut got = 0;
        let mut tries = 0;
        while got < want && tries < 60 {
            tries += 1;
            let p = rng.next(people.len() as u64) as usize;
            let Some((user_id, held)) = people.get(p) else {
                continue;
            };
            if q.is_some_and(|q| !held.contains(&q)) {
                continue;
            }
            let mine = taken.entry(p).or_default();
            if !rules::check(&rules_, mine, *s, *e).is_empty() {
                continue;
            }
            mine.push(Span {
                id: shift_id.clone(),
                start_ms: *s,
                end_ms: *e,
                label: String::new(),
            });
            rows.push((shift_id.clone(), user_id.clone()));
            got += 1;
        }
    }
    store::insert_signups_batch(&mut tx, &actor, &rows).await?;
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    Ok(())
}
