//! The demo's vaccination centre: a location, an open booster campaign
//! (8 lines, 2 places per line per 5-minute slot, 08:00–20:00 for two
//! weeks), 600 invitations (a quarter without e-mail, waiting for a letter),
//! bookings, a reserve list and a mobile team's visits for today. Once.

use crate::AppError;
use loket_domain::audit::Actor;
use loket_domain::vaccination::{CampaignPlan, CentreDay, Invitee};
use loket_store::Store;
use loket_store::appointments as appt;
use loket_store::vaccination::{self as store, NewCampaign, NewReserve};

pub(crate) const FIRST: [&str; 16] = [
    "An", "Bart", "Chloë", "Dirk", "Emma", "Filip", "Griet", "Hasan", "Ilse", "Jan", "Karin",
    "Lucas", "Marie", "Noah", "Olivia", "Youssef",
];
pub(crate) const LAST: [&str; 16] = [
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "Lambert",
    "El Amrani",
    "Vermeulen",
    "Van den Broeck",
    "Aerts",
];
pub(crate) const STREETS: [&str; 8] = [
    "Naamsestraat",
    "Tiensestraat",
    "Diestsestraat",
    "Brusselsestraat",
    "Tervuursestraat",
    "Kapucijnenvoer",
    "Parkstraat",
    "Geldenaaksebaan",
];
pub(crate) const POSTCODES: [(&str, &str); 4] = [
    ("3000", "Leuven"),
    ("3001", "Heverlee"),
    ("3010", "Kessel-Lo"),
    ("3012", "Wilsele"),
];

/// A valid national register number for a birth date and day counter.
pub fn national_number(year: i16, month: i8, day: i8, counter: u32) -> String {
    let base: u64 = (u64::from((year % 100) as u16) * 10_000
        + u64::from(month as u8) * 100
        + u64::from(day as u8))
        * 1000
        + u64::from(counter % 998);
    let check = if year >= 2000 {
        97 - (2_000_000_000 + base) % 97
    } else {
        97 - base % 97
    };
    format!("{base:09}{check:02}")
}

pub async fn seed(store_: &Store) -> Result<(), AppError> {
    if store::campaign(store_, "booster-najaar").await?.is_some() {
        return Ok(());
    }
    let actor = Actor::System;
    let location_id = match appt::location(store_, "vaccinatiecentrum").await? {
        Some(l) => l.id,
        None => {
            let mut tx = store_.begin().await?;
            let id = appt::save_location(
                &mut tx,
                &actor,
                "vaccinatiecentrum",
                "Vaccinatiecentrum Brabanthal",
                "Brabantlaan 1, 3001 Heverlee",
            )
            .await?;
            tx.commit().await.map_err(loket_store::StoreError::from)?;
            id
        }
    };
    let today = loket_domain::calendar::today_brussels();
    let mut days = Vec::new();
    let mut d = today;
    for _ in 0..14 {
        days.push(CentreDay {
            day: d,
            opens: jiff::civil::time(8, 0, 0, 0),
            closes: jiff::civil::time(20, 0, 0, 0),
        });
        d = d.tomorrow().map_err(|e| AppError::Other(e.to_string()))?;
    }
    let groups: Vec<String> = ["80+", "Zorgpersoneel", "65-79", "18-64"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let plan = CampaignPlan {
        lines: 8,
        per_line: 2,
        slot_minutes: 5,
        observation_minutes: 15,
        admit_per_minute: 500,
    };
    let mut tx = store_.begin().await?;
    let c = store::create_campaign(
        &mut tx,
        &actor,
        NewCampaign {
            slug: "booster-najaar",
            name: "Booster najaar 2026",
            vaccine: "Comirnaty JN.1",
            location_id: &location_id,
            plan: &plan,
            groups: &groups,
            days: &days,
            opens_at: loket_store::now_ms() - 86_400_000,
        },
    )
    .await?;
    let mut rows = Vec::new();
    for i in 0..600u32 {
        let year = 1935 + (i % 70) as i16;
        let month = 1 + (i % 12) as i8;
        let day = 1 + (i % 28) as i8;
        let first = FIRST[(i as usize) % FIRST.len()];
        let last = LAST[(i as usize / 3) % LAST.len()];
        let (pc, city) = POSTCODES[(i as usize) % POSTCODES.len()];
        let age = 2026 - i64::from(year);
        let group_rank = if age >= 80 {
            0
        } else if i % 9 == 0 {
            1
        } else if age >= 65 {
            2
        } else {
            3
        };
        rows.push(Invitee {
            line: i as usize + 2,
            national_number: national_number(year, month, day, 1 + i * 2),
            name: format!("{first} {last}"),
            birth_date: format!("{year:04}-{month:02}-{day:02}"),
            street: format!("{} {}", STREETS[(i as usize) % STREETS.len()], 1 + i % 120),
            postal_code: pc.to_owned(),
            city: city.to_owned(),
            email: (i % 4 != 0).then(|| {
                format!(
                    "{}.{}{}@example.org",
                    first.to_lowercase().replace('ë', "e"),
                    last.to_lowercase().replace(' ', ""),
                    i
                )
            }),
            phone: Some(format!(
                "0470 {:02} {:02} {:02}",
                i % 100,
                (i / 7) % 100,
                (i / 3) % 100
            )),
            group_rank,
        });
    }
    // The demo's invitations count as sent: no 450 e-mails in the outbox.
    let no_mail = |_: &store::Invitation| None;
    store::import_invitations(&mut tx, &actor, &c, &rows, &no_mail).await?;
    tx.commit().await.map_err(loket_store::StoreError::from)?;

    // Bookings spread over the coming days.
    let now = loket_store::now_ms();
    let slots: Vec<_> = store::slots(store_, &c)
        .await?
        .into_iter()
        .filter(|s| s.start_ms() > now + 3_600_000)
        .collect();
    let invitations = store::invitations(store_, &c.id, "", 1000).await?;
    let mut tx = store_.begin().await?;
    for (k, inv) in invitations.iter().enumerate().take(200) {
        if let Some(slot) = slots.get((k * 37) % slots.len().max(1)) {
            store::book(&mut tx, &actor, &c, &inv.id, slot, "web").await?;
        }
    }
    // The reserve list.
    for i in 0..20u32 {
        let year = 1950 + (i % 40) as i16;
        let nrn = national_number(year, 3, 1 + (i % 27) as i8, 601 + i * 2);
        store::reserve_sign_up(
            &mut tx,
            &actor,
            &c,
            NewReserve {
                national_number: &nrn,
                name: &format!(
                    "{} {}",
                    FIRST[(i as usize + 5) % 16],
                    LAST[(i as usize + 2) % 16]
                ),
                birth_date: &format!("{year:04}-03-{:02}", 1 + i % 27),
                email: &format!("reserve{i}@example.org"),
                phone: None,
                group_rank: i64::from(i % 4),
            },
        )
        .await?;
    }
    // A mobile team's care-home round today, for people without a booking.
    for (k, inv) in invitations.iter().skip(500).take(6).enumerate() {
        store::plan_mobile_visit(
            &mut tx,
            &actor,
            &c,
            "Mobiel team 1",
            &today.to_string(),
            &format!("{:02}:{:02}", 9 + k / 2, (k % 2) * 30),
            &inv.id,
            "WZC Edouard Remy, Kapucijnenvoer 20, 3000 Leuven",
        )
        .await?;
    }
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use loket_domain::ident::NationalNumber;
    use loket_domain::vaccination as rules;

    #[test]
    fn generated_numbers_are_valid_and_match_the_birth_date() {
        for (y, m, d, c) in [(1935, 1, 1, 1), (1999, 12, 31, 997), (2001, 6, 15, 42)] {
            let n = national_number(y, m, d, c);
            let parsed = NationalNumber::parse(&n).expect("valid");
            assert_eq!(
                rules::birth_date_of(&parsed),
                jiff::civil::Date::new(y, m, d).ok()
            );
        }
    }
}
