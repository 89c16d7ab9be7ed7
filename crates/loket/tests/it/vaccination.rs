//! The vaccination centre through the real server, on SQLite and
//! PostgreSQL: a campaign from the invitation import (refused whole on bad
//! lines) to e-mails and a letter batch (PDF read back, QR decoded), booking
//! by code and birth date (rate-limited), moving, the check-in by scanned
//! code, the label (ZPL checked, the PDF's Code128 decoded with zbarimg),
//! the station flow with the observation, the day report and the registry
//! export; the reserve list with an offer that expires and moves on; no
//! overbooking under 30 parallel bookings; the waiting room; mobile sync
//! with replays, conflicts and an interrupted batch.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use loket_domain::audit::Actor;
use loket_store::appointments as appt;
use serde_json::{Value, json};

const COORD: &str = "coord@leuven.example";
const STAFF: &str = "prik@leuven.example";

pub(crate) fn brussels_now() -> jiff::ZonedDateTime {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Brussels").unwrap())
}

/// The centre's day lines for `minutes` from `from` (5-minute aligned),
/// split at midnight (slots end at 23:55 and start again at 00:00), so the
/// tests run at any hour.
pub(crate) fn day_line(from: &jiff::ZonedDateTime, minutes: i64) -> String {
    let end = from
        .checked_add(jiff::Span::new().minutes(minutes))
        .unwrap();
    let hm = |z: &jiff::ZonedDateTime| z.strftime("%H:%M").to_string();
    if end.date() == from.date() {
        return format!("{} {}-{}", from.strftime("%Y-%m-%d"), hm(from), hm(&end));
    }
    let mut lines = Vec::new();
    if hm(from).as_str() < "23:55" {
        lines.push(format!("{} {}-23:55", from.strftime("%Y-%m-%d"), hm(from)));
    }
    if hm(&end).as_str() > "00:00" {
        lines.push(format!("{} 00:00-{}", end.strftime("%Y-%m-%d"), hm(&end)));
    }
    lines.join("\n")
}

/// A local time rounded down to 5 minutes.
pub(crate) fn floor5(z: &jiff::ZonedDateTime) -> jiff::ZonedDateTime {
    let m = i64::from(z.minute()) % 5;
    z.checked_sub(
        jiff::Span::new()
            .minutes(m)
            .seconds(z.second())
            .nanoseconds(z.subsec_nanosecond()),
    )
    .unwrap()
}

/// The start of a 5-minute slot about `minutes` from now (never 23:55,
/// which has no slot: the day closes at 23:59).
fn slot_in(minutes: i64) -> jiff::ZonedDateTime {
    let z = floor5(
        &brussels_now()
            .checked_add(jiff::Span::new().minutes(minutes))
            .unwrap(),
    );
    // Near midnight a day's line would be cut at 23:55 (too short for a
    // slot): start at midnight instead.
    if z.hour() == 23 && z.minute() >= 30 {
        z.checked_add(jiff::Span::new().minutes(60 - i64::from(z.minute())))
            .unwrap()
    } else {
        z
    }
}

pub(crate) async fn location(app: &TestApp) -> String {
    let mut tx = app.store.begin().await.unwrap();
    let id = appt::save_location(
        &mut tx,
        &Actor::System,
        "centrum",
        "Vaccinatiecentrum",
        "Brabantlaan 1, 3001 Heverlee",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// Creates a campaign through the coordinator's form.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn campaign(
    app: &TestApp,
    coord: &reqwest::Client,
    loc: &str,
    slug: &str,
    days: &str,
    lines: &str,
    per_line: &str,
    opens_at: &str,
    admit: &str,
) {
    let r = app
        .submit(
            coord,
            "/staff/vaccination",
            "/staff/vaccination/campaigns",
            &[
                ("slug", slug),
                ("name", "Booster"),
                ("vaccine", "Comirnaty JN.1"),
                ("location", loc),
                ("lines", lines),
                ("per_line", per_line),
                ("slot_minutes", "5"),
                ("observation_minutes", "15"),
                ("admit_per_minute", admit),
                ("opens_at", opens_at),
                ("days", days),
                ("groups", "80+\nZorgpersoneel\n65-79"),
            ],
        )
        .await;
    let status = r.status().as_u16();
    assert_eq!(status, 303, "{}", r.text().await.unwrap());
}

pub(crate) fn opened_an_hour_ago() -> String {
    brussels_now()
        .checked_sub(jiff::Span::new().hours(1))
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

/// An app with a campaign open for booking (since an hour ago), its centre
/// open from ten minutes ago for two hours; the coordinator's client.
pub(crate) async fn open_campaign(
    slug: &str,
    lines: &str,
    per_line: &str,
) -> (TestApp, reqwest::Client) {
    let app = TestApp::spawn().await;
    let loc = location(&app).await;
    let coord = app.signed_in(COORD, &["vaccination_coordinator"]).await;
    let start = floor5(
        &brussels_now()
            .checked_sub(jiff::Span::new().minutes(10))
            .unwrap(),
    );
    campaign(
        &app,
        &coord,
        &loc,
        slug,
        &day_line(&start, 120),
        lines,
        per_line,
        &opened_an_hour_ago(),
        "1000",
    )
    .await;
    (app, coord)
}

/// Imports people through the form; the status and the page.
pub(crate) async fn import(
    app: &TestApp,
    coord: &reqwest::Client,
    slug: &str,
    csv: &str,
) -> (u16, String) {
    let r = app
        .submit(
            coord,
            &format!("/staff/vaccination/{slug}"),
            &format!("/staff/vaccination/{slug}/import"),
            &[("text", csv)],
        )
        .await;
    let s = r.status().as_u16();
    (s, r.text().await.unwrap())
}

async fn code_of(app: &TestApp, nrn: &str) -> String {
    use sqlx::Row;
    loket_store::sqlx::query("SELECT code FROM vac_invitations WHERE national_number = $1")
        .bind(nrn)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get::<String, _>(0)
}

fn nrn(year: i16, month: i8, day: i8, counter: u32) -> String {
    loket::demo::vaccination::national_number(year, month, day, counter)
}

pub(crate) fn people_csv(rows: &[(String, &str, &str, &str)]) -> String {
    let mut csv =
        "national_number;name;birth_date;street;postal_code;city;email;phone;group\n".to_owned();
    for (n, name, birth, email) in rows {
        csv.push_str(&format!(
            "{n};{name};{birth};Naamsestraat 1;3000;Leuven;{email};0470 12 34 56;80+\n"
        ));
    }
    csv
}

/// Signs an invitee in on the public pages; the response of the sign-in.
async fn sign_in(
    app: &TestApp,
    c: &reqwest::Client,
    slug: &str,
    code: &str,
    birth: &str,
) -> reqwest::Response {
    app.submit(
        c,
        &format!("/vaccinatie/{slug}?code={code}"),
        &format!("/vaccinatie/{slug}/login"),
        &[("code", code), ("birth_date", birth)],
    )
    .await
}

/// The bookable slot starts on the booking page.
fn starts_in(html: &str) -> Vec<String> {
    html.match_indices("name=\"start\" value=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .filter(|s| {
            // Disabled radios (full slots) are not bookable.
            !html.contains(&format!("value=\"{s}\" disabled"))
        })
        .collect()
}

#[tokio::test]
async fn campaign_from_import_to_day_report() {
    let (app, coord) = open_campaign("booster", "2", "2").await;

    // A bad file is refused whole, with its lines.
    let an = nrn(1985, 7, 30, 33);
    let bert = nrn(1940, 1, 2, 5);
    let carla = nrn(1950, 3, 4, 7);
    let bad = format!(
        "{}{an};Dubbel;1985-07-30;Straat 1;3000;Leuven;;;80+\n85.07.30-033.99;Fout;1985-07-30;Straat 1;3000;Leuven;;;80+\n{bert};Datum;1940-13-02;Straat 1;3000;Leuven;;;80+\n",
        people_csv(&[(an.clone(), "An Peeters", "1985-07-30", "an@example.org")])
    );
    let (s, html) = import(&app, &coord, "booster", &bad).await;
    assert_eq!(s, 422, "{html}");
    assert!(
        html.contains("Regel 3") && html.contains("Regel 4") && html.contains("Regel 5"),
        "{html}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_invitations").await, 0);

    // A good file: two e-mails, one letter.
    let good = people_csv(&[
        (an.clone(), "An Peeters", "1985-07-30", "an@example.org"),
        (bert.clone(), "Bert Maes", "1940-01-02", "bert@example.org"),
        (carla.clone(), "Carla Claes", "1950-03-04", ""),
    ]);
    let (s, html) = import(&app, &coord, "booster", &good).await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_invitations").await, 3);
    let code = code_of(&app, &an).await;
    let mail = app.last_mail_to("an@example.org").await;
    let shown = loket_domain::vaccination::format_code(&code);
    assert!(mail.body.contains(&shown), "{}", mail.body);
    // The same people again: refused, nothing added.
    let (s, _) = import(&app, &coord, "booster", &good).await;
    assert_eq!(s, 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_invitations").await, 3);

    // The letter batch: Carla's letter with her code and its QR code.
    let r = app
        .submit(
            &coord,
            "/staff/vaccination/booster",
            "/staff/vaccination/booster/letters",
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let batch: String = {
        use sqlx::Row;
        loket_store::sqlx::query("SELECT id FROM vac_letter_batches")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get(0)
    };
    let pdf = coord
        .get(app.url(&format!("/staff/vaccination/booster/letters/{batch}.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status().as_u16(), 200);
    let pdf = pdf.bytes().await.unwrap();
    let text = pdf_text(&pdf);
    let carla_code = loket_domain::vaccination::format_code(&code_of(&app, &carla).await);
    assert!(
        text.contains("Carla Claes") && text.contains(&carla_code),
        "{text}"
    );
    let qrs = qr_codes_in_pdf(&pdf);
    assert!(
        qrs.iter()
            .any(|q| q.ends_with(&format!("/vaccinatie/booster?code={carla_code}"))),
        "{qrs:?}"
    );

    // Booking: a wrong birth date is refused and counted.
    let resident = app.client();
    let r = sign_in(&app, &resident, "booster", &shown, "1985-07-31").await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("Nog 4 pogingen"));
    // A typo in the code is caught by the check symbol.
    let mut typo: Vec<char> = code.chars().collect();
    typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    let r = sign_in(&app, &resident, "booster", &typo, "1985-07-30").await;
    assert_eq!(r.status().as_u16(), 422);
    let r = sign_in(
        &app,
        &resident,
        "booster",
        &shown.to_lowercase(),
        "1985-07-30",
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let (s, html) = app.get(&resident, "/vaccinatie/booster/afspraak").await;
    assert_eq!(s, 200);
    // The page shows one day; near midnight the next day's slots follow.
    let tomorrow = brussels_now().date().tomorrow().unwrap();
    let (_, next) = app
        .get(
            &resident,
            &format!("/vaccinatie/booster/afspraak?day={tomorrow}"),
        )
        .await;
    let mut starts = starts_in(&html);
    starts.extend(starts_in(&next));
    starts.sort_by_key(|s| s.parse::<i64>().unwrap());
    starts.dedup();
    assert!(starts.len() >= 3, "{html}");
    let r = app
        .submit(
            &resident,
            "/vaccinatie/booster/afspraak",
            "/vaccinatie/booster/afspraak",
            &[("start", &starts[2])],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let mail = app.last_mail_to("an@example.org").await;
    let ics = mail.attachment.expect("calendar file").body;
    assert!(
        ics.contains("BEGIN:VEVENT") && ics.contains("SEQUENCE:0"),
        "{ics}"
    );
    // Moved to the earliest slot: the same event, a higher sequence.
    let r = app
        .submit(
            &resident,
            "/vaccinatie/booster/afspraak",
            "/vaccinatie/booster/afspraak",
            &[("start", &starts[0])],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let ics2 = app
        .last_mail_to("an@example.org")
        .await
        .attachment
        .unwrap()
        .body;
    assert!(ics2.contains("SEQUENCE:1"));
    let uid = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("UID:"))
            .unwrap()
            .to_owned()
    };
    assert_eq!(uid(&ics), uid(&ics2));
    // A slot that is not the campaign's is refused.
    let r = app
        .submit(
            &resident,
            "/vaccinatie/booster/afspraak",
            "/vaccinatie/booster/afspraak",
            &[("start", "12345")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_bookings WHERE status = 'booked'")
            .await,
        1
    );

    // Five wrong birth dates lock Bert's code, even for the right date.
    let bert_code = code_of(&app, &bert).await;
    let other = app.client();
    for _ in 0..5 {
        let r = sign_in(&app, &other, "booster", &bert_code, "1940-01-03").await;
        assert_eq!(r.status().as_u16(), 422);
    }
    let r = sign_in(&app, &other, "booster", &bert_code, "1940-01-02").await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("te veel foute pogingen"));

    // Check-in: the scanner types the QR code's link and Enter.
    let staff = app.signed_in(STAFF, &["vaccination_staff"]).await;
    let link = format!("https://loket.example/vaccinatie/booster?code={shown}");
    let r = app
        .submit(
            &staff,
            "/staff/vaccination/booster/check-in",
            "/staff/vaccination/booster/check-in",
            &[("code", &link)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("An Peeters") && html.contains("op tijd"),
        "{html}"
    );
    let inv_id = {
        let m = "name=\"invitation\" value=\"";
        let i = html.find(m).unwrap() + m.len();
        html[i..i + html[i..].find('"').unwrap()].to_owned()
    };
    let r = app
        .submit(
            &staff,
            "/staff/vaccination/booster/check-in",
            "/staff/vaccination/booster/check-in/confirm",
            &[("invitation", &inv_id)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let location_header = r.headers()["location"].to_str().unwrap().to_owned();
    let visit_id = location_header.split("visit=").nth(1).unwrap().to_owned();
    // Scanned again: refused.
    let r = app
        .submit(
            &staff,
            "/staff/vaccination/booster/check-in",
            "/staff/vaccination/booster/check-in",
            &[("code", &shown)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("al ingecheckt"));
    assert!(app.count("SELECT COUNT(*) FROM access_log WHERE record_type = 'vac_invitation' AND purpose = 'check-in'").await >= 1);

    // The label: ZPL with the Code128 of the visit code, and a PDF whose
    // barcode decodes to it.
    let visit_code: String = {
        use sqlx::Row;
        loket_store::sqlx::query("SELECT code FROM vac_visits WHERE id = $1")
            .bind(&visit_id)
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get(0)
    };
    let (s, zpl) = app
        .get(
            &staff,
            &format!("/staff/vaccination/booster/visits/{visit_id}/label.zpl"),
        )
        .await;
    assert_eq!(s, 200);
    assert!(zpl.starts_with("^XA") && zpl.trim_end().ends_with("^XZ"));
    assert!(
        zpl.contains(&format!("^BCN,130,Y,N,N^FD{visit_code}^FS")),
        "{zpl}"
    );
    assert!(zpl.contains("An Peeters") && zpl.contains("1985-07-30"));
    let label = staff
        .get(app.url(&format!(
            "/staff/vaccination/booster/visits/{visit_id}/label.pdf"
        )))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let codes = qr_codes_in_pdf(&label);
    assert!(
        codes.contains(&visit_code),
        "decoded {codes:?}, wanted {visit_code}"
    );

    // The station flow: out of order, wrong line, no lot are refused.
    let scan = |station: &'static str, line: &'static str, lot: &'static str| {
        let app = &app;
        let staff = &staff;
        let code = visit_code.clone();
        async move {
            let page = format!("/staff/vaccination/booster/stations/{station}?line={line}");
            let r = app
                .submit(
                    staff,
                    &page,
                    &format!("/staff/vaccination/booster/stations/{station}"),
                    &[("code", &code), ("line", line), ("lot", lot)],
                )
                .await;
            let s = r.status().as_u16();
            (s, r.text().await.unwrap())
        }
    };
    let (s, html) = scan("vaccination", "1", "LOT1").await;
    assert_eq!(s, 422);
    assert!(html.contains("nog niet klaar voor deze post"), "{html}");
    let (s, _) = scan("registration", "", "").await;
    assert_eq!(s, 200);
    let (s, _) = scan("registration", "", "").await;
    assert_eq!(s, 422, "scanned twice");
    let line: i64 = {
        use sqlx::Row;
        loket_store::sqlx::query("SELECT line FROM vac_visits")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get(0)
    };
    let wrong = if line == 1 { "2" } else { "1" };
    let right = if line == 1 { "1" } else { "2" };
    let (s, html) = scan("vaccination", wrong, "LOT1").await;
    assert_eq!(s, 422);
    assert!(html.contains(&format!("hoort bij lijn {line}")), "{html}");
    let (s, _) = scan("vaccination", right, "").await;
    assert_eq!(s, 422, "no lot");
    let (s, _) = scan("vaccination", right, "FK1234").await;
    assert_eq!(s, 200);
    let (s, _) = scan("observation", "", "").await;
    assert_eq!(s, 200);
    let (s, html) = scan("exit", "", "").await;
    assert_eq!(s, 422);
    assert!(html.contains("observatie is nog niet voorbij"), "{html}");
    let (s, html) = app
        .get(&staff, "/staff/vaccination/booster/observation")
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("001") && !html.contains("An Peeters"),
        "numbers, no names: {html}"
    );
    // Fifteen minutes later.
    loket_store::sqlx::query(
        "UPDATE vac_visits SET observation_ends_at = observation_ends_at - 900000",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    let (s, _) = scan("exit", "", "").await;
    assert_eq!(s, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_scans").await, 5);

    // The day's figures, report and export.
    let (s, json) = app
        .get(&coord, "/staff/vaccination/booster/figures.json")
        .await;
    assert_eq!(s, 200);
    let f: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (f["arrived"].as_i64(), f["vaccinated"].as_i64()),
        (Some(1), Some(1))
    );
    // Booked counts on the booking's own day (just after midnight, tomorrow).
    let booked_day = {
        use sqlx::Row;
        let ms: i64 = loket_store::sqlx::query("SELECT starts_at FROM vac_bookings")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get(0);
        loket_web::i18n::date_of_ms(ms).unwrap().to_string()
    };
    let (_, json) = app
        .get(
            &coord,
            &format!("/staff/vaccination/booster/figures.json?day={booked_day}"),
        )
        .await;
    let f2: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(f2["booked"].as_i64(), Some(1));
    let (s, csv) = app
        .get(&coord, "/staff/vaccination/booster/report?format=csv")
        .await;
    assert_eq!(s, 200);
    let today = brussels_now().strftime("%Y-%m-%d").to_string();
    assert!(csv.contains(&format!("{today},{line},1\r\n")), "{csv}");
    let pdf = coord
        .get(app.url("/staff/vaccination/booster/report?format=pdf"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdf_text(&pdf).contains("Dagrapport"));
    let logged = "SELECT COUNT(*) FROM access_log WHERE record_type = 'vac_registry_export'";
    let before = app.count(logged).await;
    let (s, export) = app
        .get(&coord, "/staff/vaccination/booster/export.csv")
        .await;
    assert_eq!(s, 200);
    let lines: Vec<&str> = export.lines().collect();
    // The access log: one row per vaccinated person in the file.
    assert_eq!(app.count(logged).await - before, lines.len() as i64 - 1);
    assert_eq!(
        lines[0],
        "national_number,birth_date,administered_at,vaccine,lot,setting,place,organisation,record_id"
    );
    assert_eq!(lines.len(), 2, "{export}");
    assert!(
        lines[1].starts_with(&format!("{an},1985-07-30,")) && lines[1].contains(",FK1234,centre,"),
        "{export}"
    );
    // A lot typed as a formula comes out neutralised (the one CSV writer).
    sqlx::query("UPDATE vac_visits SET lot = $1 WHERE lot = $2")
        .bind("@SUM(A1:A2)")
        .bind("FK1234")
        .execute(app.store.pool())
        .await
        .unwrap();
    let (_, export) = app
        .get(&coord, "/staff/vaccination/booster/export.csv")
        .await;
    assert!(export.contains(",'@SUM(A1:A2),centre,"), "{export}");
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'vaccination.scan'")
            .await
            >= 4
    );
    // The dashboard and the report page render.
    let (s, html) = app
        .get(&coord, "/staff/vaccination/booster/dashboard")
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("<svg") && html.contains("id=\"fig-vaccinated\">1<"),
        "{html}"
    );
    app.stop().await;
}

#[tokio::test]
async fn reserve_offer_expires_and_moves_to_the_next() {
    let app = TestApp::spawn().await;
    let loc = location(&app).await;
    let coord = app.signed_in(COORD, &["vaccination_coordinator"]).await;
    // One slot of one place, two hours from now.
    let slot = slot_in(125);
    campaign(
        &app,
        &coord,
        &loc,
        "kort",
        &day_line(&slot, 5),
        "1",
        "1",
        &opened_an_hour_ago(),
        "1000",
    )
    .await;
    let public = app.client();
    let sign_up = |n: String,
                   name: &'static str,
                   birth: &'static str,
                   email: &'static str,
                   group: &'static str| {
        let app = &app;
        let public = &public;
        async move {
            app.submit(
                public,
                "/vaccinatie/kort/reservelijst",
                "/vaccinatie/kort/reservelijst",
                &[
                    ("national_number", &n),
                    ("name", name),
                    ("birth_date", birth),
                    ("email", email),
                    ("group", group),
                ],
            )
            .await
        }
    };
    // Bad input keeps what was typed.
    let r = sign_up(
        "12345".to_owned(),
        "Dirk",
        "1961-02-03",
        "dirk@example.org",
        "2",
    )
    .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"dirk@example.org\"") && html.contains("value=\"Dirk\""));
    let r = sign_up(
        nrn(1961, 2, 3, 11),
        "Dirk",
        "1961-02-03",
        "dirk@example.org",
        "2",
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    // Nobody is on the list before the e-mailed link is used.
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_reserve").await, 0);
    confirm_sign_up(&app, &public, "dirk@example.org").await;
    let r = sign_up(
        nrn(1940, 5, 6, 13),
        "Emma",
        "1940-05-06",
        "emma@example.org",
        "0",
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    confirm_sign_up(&app, &public, "emma@example.org").await;
    let r = sign_up(
        nrn(1940, 5, 6, 13),
        "Emma",
        "1940-05-06",
        "emma@example.org",
        "0",
    )
    .await;
    assert_eq!(r.status().as_u16(), 303, "twice: the same answer");
    confirm_sign_up(&app, &public, "emma@example.org").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_reserve").await, 2);

    // The offer goes to Emma first (a higher group, though later).
    let offers = || {
        app.submit(
            &coord,
            "/staff/vaccination/kort",
            "/staff/vaccination/kort/offers",
            &[],
        )
    };
    assert_eq!(offers().await.status().as_u16(), 303);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_reserve WHERE status = 'offered'")
            .await,
        1
    );
    let emma_mail = app.last_mail_to("emma@example.org").await;
    let emma_link = link_in(&emma_mail.body, "/vaccinatie/kort/aanbod/");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM appt_slots WHERE booked = 1")
            .await,
        1
    );
    // Running again changes nothing: the only place is held.
    offers().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_reserve WHERE status = 'offered'")
            .await,
        1
    );

    // Emma's 30 minutes run out: the place goes to Dirk.
    loket_store::sqlx::query("UPDATE vac_reserve SET offer_expires_at = offer_expires_at - 1800001 WHERE status = 'offered'")
        .execute(app.store.pool())
        .await
        .unwrap();
    offers().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_reserve WHERE status = 'expired'")
            .await,
        1
    );
    let dirk_mail = app.last_mail_to("dirk@example.org").await;
    let dirk_link = link_in(&dirk_mail.body, "/vaccinatie/kort/aanbod/");
    let path = |l: &str| l[l.find("/vaccinatie").unwrap()..].to_owned();
    let (s, html) = app.get(&public, &path(&emma_link)).await;
    assert_eq!(s, 200);
    assert!(html.contains("niet meer geldig"), "{html}");
    let t = dirk_link.split("t=").nth(1).unwrap().to_owned();
    let r = app
        .submit(
            &public,
            &path(&dirk_link),
            path(&dirk_link).split('?').next().unwrap(),
            &[("t", &t)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get(&public, &path(&dirk_link)).await;
    assert!(html.contains("staat vast"), "{html}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM vac_bookings WHERE status = 'booked' AND channel = 'reserve'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM appt_slots WHERE booked > capacity")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM appt_slots WHERE booked = 1")
            .await,
        1
    );
    let mail = app.last_mail_to("dirk@example.org").await;
    assert!(mail.attachment.is_some(), "booking mail with calendar file");
    // Emma's link cannot take it any more.
    let t = emma_link.split("t=").nth(1).unwrap().to_owned();
    let r = app
        .submit(
            &public,
            "/vaccinatie/kort/reservelijst",
            path(&emma_link).split('?').next().unwrap(),
            &[("t", &t)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_bookings").await, 1);
    app.stop().await;
}

/// The reserve list gives nothing away: a sign-up for an invited number, a
/// listed number and an unknown number get the same answer, page for page
/// apart from the CSRF token, in the form and in the API; and a sign-up for
/// someone else's number never reaches that person's entry.
#[tokio::test]
async fn the_reserve_list_reveals_nobody_and_keeps_entries() {
    let app = TestApp::spawn().await;
    let coord = app.signed_in(COORD, &["vaccination_coordinator"]).await;
    one_invitee(&app, &coord, "griep").await;
    let an = nrn(1985, 7, 30, 33);
    let jan = nrn(1990, 5, 6, 11);
    let unknown = nrn(1971, 1, 2, 45);
    let sign_up = |c: reqwest::Client, n: String, birth: &'static str, email: &'static str| {
        let app = &app;
        let name = if email.starts_with("jan@") {
            "Jan Wouters"
        } else {
            "Mallory"
        };
        async move {
            let r = app
                .submit(
                    &c,
                    "/vaccinatie/griep/reservelijst",
                    "/vaccinatie/griep/reservelijst",
                    &[
                        ("national_number", &n),
                        ("name", name),
                        ("birth_date", birth),
                        ("email", email),
                        ("group", "1"),
                    ],
                )
                .await;
            let status = r.status().as_u16();
            let location = r.headers()["location"].to_str().unwrap().to_owned();
            let (s, page) = app.get(&c, &location).await;
            assert_eq!(s, 200);
            let page = page.replace(&csrf_of(&page), "CSRF");
            (status, location, page)
        }
    };
    // Jan is on the list (confirmed through his own mailbox).
    let c = app.client();
    sign_up(c.clone(), jan.clone(), "1990-05-06", "jan@example.org").await;
    confirm_sign_up(&app, &c, "jan@example.org").await;
    let jan_entry =
        "SELECT COUNT(*) FROM vac_reserve WHERE name = 'Mallory' OR email <> 'jan@example.org'";
    assert_eq!(app.count(jan_entry).await, 0);
    let invited = sign_up(app.client(), an.clone(), "1985-07-30", "m1@example.org").await;
    let listed = sign_up(app.client(), jan.clone(), "1990-05-06", "m2@example.org").await;
    let nobody = sign_up(app.client(), unknown, "1971-01-02", "m3@example.org").await;
    assert_eq!(invited.0, 303);
    assert_eq!(invited, listed, "invited and listed answer alike");
    assert_eq!(listed, nobody, "listed and unknown answer alike");
    assert!(
        nobody
            .2
            .contains("Als u in deze campagne gevaccineerd kunt worden")
    );
    // The API too (the same answers, byte for byte).
    let api = |n: String, birth: &'static str| {
        let app = &app;
        async move {
            let r = app
                .client()
                .post(app.url("/api/v1/vaccination/campaigns/griep/reserve"))
                .json(
                    &json!({"national_number": n, "name": "Mallory", "birth_date": birth,
                              "email": "m4@example.org", "group": 1}),
                )
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let a = api(an.clone(), "1985-07-30").await;
    assert_eq!(a.0, 202);
    assert_eq!(a, api(jan.clone(), "1990-05-06").await);

    // Mallory uses the links mailed to her: An (invited) joins no list, and
    // Jan's entry keeps his name and address.
    for m in ["m1@example.org", "m2@example.org"] {
        confirm_sign_up(&app, &app.client(), m).await;
    }
    assert_eq!(app.count(jan_entry).await, 0, "Jan's entry unchanged");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM vac_reserve WHERE email IN ('m1@example.org', 'm2@example.org')"
        )
        .await,
        0
    );
    // Not even after Jan's entry expired.
    loket_store::sqlx::query("UPDATE vac_reserve SET status = 'expired'")
        .execute(app.store.pool())
        .await
        .unwrap();
    sign_up(app.client(), jan.clone(), "1990-05-06", "m5@example.org").await;
    confirm_sign_up(&app, &app.client(), "m5@example.org").await;
    assert_eq!(app.count(jan_entry).await, 0, "Jan's entry unchanged");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_reserve WHERE status = 'expired'")
            .await,
        1
    );
    // Jan himself can come back, with his own address.
    sign_up(app.client(), jan.clone(), "1990-05-06", "jan@example.org").await;
    confirm_sign_up(&app, &app.client(), "jan@example.org").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_reserve WHERE status = 'waiting'")
            .await,
        1
    );
    // A used link is gone.
    let mail = app.last_mail_to("jan@example.org").await;
    let link = link_in(&mail.body, "/vaccinatie/");
    assert_eq!(app.get(&app.client(), &link).await.0, 410);
    app.stop().await;
}

/// Sign-ups are limited per IP address (429 with a clear message, input
/// kept) and per number (the same answer, but no more mail).
#[tokio::test]
async fn reserve_sign_ups_are_limited() {
    let app = TestApp::spawn().await;
    let coord = app.signed_in(COORD, &["vaccination_coordinator"]).await;
    one_invitee(&app, &coord, "griep").await;
    let per_ip = loket_domain::limits::RESERVE_PER_IP.max;
    let per_number = loket_domain::limits::RESERVE_PER_NUMBER.max;
    let c = app.client();
    let mut statuses = Vec::new();
    for i in 0..per_ip + 2 {
        let email = format!("p{i}@example.org");
        let r = app
            .submit(
                &c,
                "/vaccinatie/griep/reservelijst",
                "/vaccinatie/griep/reservelijst",
                &[
                    ("national_number", &nrn(1971, 1, 2, 45)),
                    ("name", "Piet"),
                    ("birth_date", "1971-01-02"),
                    ("email", &email),
                    ("group", "1"),
                ],
            )
            .await;
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            assert!(r.headers().contains_key("retry-after"));
            let html = r.text().await.unwrap();
            assert!(html.contains("Probeer het opnieuw over"), "{html}");
            assert!(html.contains(&format!("value=\"{email}\"")), "input kept");
        }
    }
    let limit = usize::try_from(per_ip).unwrap();
    assert!(statuses[..limit].iter().all(|s| *s == 303), "{statuses:?}");
    assert!(statuses[limit..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_reserve_pending").await,
        per_number,
        "no more than the limit per number"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_parallel_bookings_never_overbook() {
    let app = TestApp::spawn().await;
    let loc = location(&app).await;
    let coord = app.signed_in(COORD, &["vaccination_coordinator"]).await;
    let slot = slot_in(180);
    // One slot: 1 line × 3 places.
    campaign(
        &app,
        &coord,
        &loc,
        "rush",
        &day_line(&slot, 10),
        "1",
        "3",
        &opened_an_hour_ago(),
        "100000",
    )
    .await;
    let mut people = Vec::new();
    for i in 0..30u32 {
        people.push((
            nrn(
                1950 + (i % 40) as i16,
                1 + (i % 12) as i8,
                1 + (i % 28) as i8,
                100 + i * 2,
            ),
            format!("{:04}-{:02}-{:02}", 1950 + i % 40, 1 + i % 12, 1 + i % 28),
        ));
    }
    let rows: Vec<(String, &str, &str, &str)> = people
        .iter()
        .map(|(n, b)| (n.clone(), "Persoon Test", b.as_str(), ""))
        .collect();
    let (s, html) = import(&app, &coord, "rush", &people_csv(&rows)).await;
    assert_eq!(s, 200, "{html}");
    let (_, slots) = app
        .get(&app.client(), "/api/v1/vaccination/campaigns/rush/slots")
        .await;
    let slots: Value = serde_json::from_str(&slots).unwrap();
    let start = slots[0]["start"].as_i64().unwrap();
    let second = slots[1]["start"].as_i64().unwrap();
    // Every booker has its code before any starts; each takes its
    // waiting-room ticket, then all book at once behind the barrier.
    let mut bookers = Vec::new();
    for (n, birth) in people.iter().take(29) {
        bookers.push((code_of(&app, n).await, birth.clone()));
    }
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(bookers.len()));
    let mut handles = Vec::new();
    for (code, birth) in bookers {
        let base = app.base.clone();
        let barrier = barrier.clone();
        handles.push(tokio::spawn(async move {
            let c = reqwest::Client::new();
            let t: Value = c
                .post(format!("{base}/api/v1/vaccination/campaigns/rush/waiting-room"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            barrier.wait().await;
            let r = c
                .post(format!("{base}/api/v1/vaccination/bookings"))
                .json(&json!({"code": code, "birth_date": birth, "start": start, "ticket": t["ticket"]}))
                .send()
                .await
                .unwrap();
            r.status().as_u16()
        }));
    }
    let mut created = 0;
    let mut full = 0;
    for h in handles {
        match h.await.unwrap() {
            201 => created += 1,
            409 => full += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((created, full), (3, 26));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_bookings WHERE status = 'booked'")
            .await,
        3
    );
    assert_eq!(app.count("SELECT MAX(booked) FROM appt_slots").await, 3);

    // One invitation booking two slots at once: at most one booking.
    let (n, birth) = &people[29];
    let code = code_of(&app, n).await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(6));
    let mut hs = Vec::new();
    for _ in 0..6 {
        let base = app.base.clone();
        let code = code.clone();
        let birth = birth.clone();
        let barrier = barrier.clone();
        hs.push(tokio::spawn(async move {
            let c = reqwest::Client::new();
            let t: Value = c.post(format!("{base}/api/v1/vaccination/campaigns/rush/waiting-room")).send().await.unwrap().json().await.unwrap();
            barrier.wait().await;
            c.post(format!("{base}/api/v1/vaccination/bookings"))
                .json(&json!({"code": code, "birth_date": birth, "start": second, "ticket": t["ticket"]}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut ok = 0;
    for h in hs {
        // The first books; the others find the booking and are refused
        // (same slot) or, racing, lose on the one-active-booking index.
        let s = h.await.unwrap();
        assert!(s == 201 || s == 422 || s == 409, "{s}");
        ok += i32::from(s == 201);
    }
    assert_eq!(ok, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_bookings WHERE status IN ('booked', 'checked_in')")
            .await,
        4
    );
    app.stop().await;
}

#[tokio::test]
async fn waiting_room_admits_in_arrival_order() {
    let app = TestApp::spawn().await;
    let loc = location(&app).await;
    let coord = app.signed_in(COORD, &["vaccination_coordinator"]).await;
    let later = brussels_now()
        .checked_add(jiff::Span::new().hours(1))
        .unwrap();
    let day = slot_in(120);
    campaign(
        &app,
        &coord,
        &loc,
        "later",
        &day_line(&day, 30),
        "1",
        "1",
        &later.strftime("%Y-%m-%dT%H:%M").to_string(),
        "60",
    )
    .await;
    // Before the opening everyone waits, numbered in arrival order.
    let mut last_at = 0;
    for n in 1..=5 {
        let r = app
            .client()
            .post(app.url("/api/v1/vaccination/campaigns/later/waiting-room"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let t: Value = r.json().await.unwrap();
        assert_eq!(t["number"].as_i64(), Some(n));
        assert_eq!(t["admitted"].as_bool(), Some(false));
        let at = t["admitted_at"].as_i64().unwrap();
        assert!(at >= last_at);
        last_at = at;
    }
    // The pages send a visitor to the queue page, which shows the place.
    let visitor = app.client();
    let r = visitor
        .get(app.url("/vaccinatie/later?code=ABC"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let (s, html) = app.get(&visitor, "/vaccinatie/later/wachtrij").await;
    assert_eq!(s, 200);
    assert!(html.contains("Uw plaats in de rij: 6"), "{html}");
    // A forged ticket does not get in; an unadmitted one gets 429.
    let r = app
        .client()
        .post(app.url("/api/v1/vaccination/bookings"))
        .json(&json!({"code": "0000-0000-0000", "birth_date": "1950-01-01", "start": 0, "ticket": "x.1.y"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    app.stop().await;
}

#[tokio::test]
async fn mobile_sync_replays_conflicts_and_interrupted_batches() {
    let app = TestApp::spawn().await;
    let loc = location(&app).await;
    let coord = app.signed_in(COORD, &["vaccination_coordinator"]).await;
    let start = floor5(&brussels_now());
    campaign(
        &app,
        &coord,
        &loc,
        "mobiel",
        &day_line(&start, 60),
        "1",
        "1",
        &opened_an_hour_ago(),
        "1000",
    )
    .await;
    let x = nrn(1930, 4, 5, 21);
    let y = nrn(1931, 6, 7, 23);
    let (s, _) = import(
        &app,
        &coord,
        "mobiel",
        &people_csv(&[
            (x.clone(), "Xavier Aerts", "1930-04-05", ""),
            (y.clone(), "Yvonne Lambert", "1931-06-07", ""),
        ]),
    )
    .await;
    assert_eq!(s, 200);
    let today = brussels_now().strftime("%Y-%m-%d").to_string();
    for (team, who) in [("Team A", &x), ("Team A", &y), ("Team B", &x)] {
        let code = code_of(&app, who).await;
        let r = app
            .submit(
                &coord,
                "/staff/vaccination/mobiel",
                "/staff/vaccination/mobiel/mobile",
                &[
                    ("team", team),
                    ("day", &today),
                    ("at", "10:00"),
                    ("code", &code),
                    ("address", "WZC Remy, Leuven"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
    }
    let day = today.as_str();
    let visits = |team: &'static str| {
        let app = &app;
        async move {
            let staff = app
                .signed_in(
                    &format!("{}@leuven.example", team.replace(' ', "").to_lowercase()),
                    &["vaccination_staff"],
                )
                .await;
            let (s, j) = app
                .get(
                    &staff,
                    &format!(
                        "/mobile/vaccination/visits.json?team={}&day={day}",
                        team.replace(' ', "%20")
                    ),
                )
                .await;
            assert_eq!(s, 200);
            let v: Value = serde_json::from_str(&j).unwrap();
            v.as_array().unwrap().clone()
        }
    };
    let logged = "SELECT COUNT(*) FROM access_log WHERE purpose = 'mobile team visits.json'";
    let before = app.count(logged).await;
    let a = visits("Team A").await;
    // visits.json: one access-log row per person on the team's list.
    assert_eq!(app.count(logged).await - before, a.len() as i64);
    assert!(!a.is_empty());
    let b = visits("Team B").await;
    let visit_of = |list: &[Value], name: &str| {
        list.iter().find(|v| v["name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let ax = visit_of(&a, "Xavier Aerts");
    let ay = visit_of(&a, "Yvonne Lambert");
    let bx = visit_of(&b, "Xavier Aerts");
    let tok = token(&app, "tablet@leuven.example", &["vaccination_staff"]).await;
    let now = loket_store::now_ms();
    let rec = |id: &str, visit: &str, kind: &str, lot: Option<&str>| json!({"client_id": id, "visit": visit, "kind": kind, "recorded_at": now - 60_000, "lot": lot});

    // Malformed batches change nothing.
    let (s, _) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/vaccination/mobile/sync",
        json!({"team": "Team A", "records": [rec("0000000a-aaaa", &ax, "vaccinated", None)]}),
    )
    .await;
    assert_eq!(s, 422, "no lot");
    let (s, _) = api(&app, &tok, "POST", "/api/v1/vaccination/mobile/sync", json!({"team": "Team A", "records": [rec("0000000a-aaab", &ax, "arrival", None), rec("0000000a-aaac", &bx, "arrival", None)]})).await;
    assert_eq!(s, 422, "another team's visit");
    let (s, _) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/vaccination/mobile/sync",
        json!({"team": "Team A", "records": "nope"}),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_mobile_records").await,
        0
    );

    // Team A's batch of three is stored; the connection drops before the
    // answer, so the tablet sends it again with one more: replayed, not
    // doubled.
    let batch = vec![
        rec("11111111-0001", &ax, "arrival", None),
        rec("11111111-0002", &ax, "vaccinated", Some("FK1")),
        rec("11111111-0003", &ay, "arrival", None),
    ];
    let (s, out) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/vaccination/mobile/sync",
        json!({"team": "Team A", "records": batch}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    assert!(
        out["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "stored")
    );
    let mut again = batch.clone();
    again.push(rec("11111111-0004", &ay, "vaccinated", Some("FK1")));
    let (s, out) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/vaccination/mobile/sync",
        json!({"team": "Team A", "records": again}),
    )
    .await;
    assert_eq!(s, 200);
    let outcomes: Vec<&str> = out["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["replayed", "replayed", "replayed", "stored"]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_mobile_records").await,
        4
    );
    // A client id reused for something else refuses the batch.
    let (s, _) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/vaccination/mobile/sync",
        json!({"team": "Team A", "records": [rec("11111111-0001", &ay, "arrival", None)]}),
    )
    .await;
    assert_eq!(s, 422);

    // Team B also vaccinated Xavier: kept as a conflict, not exported.
    let (s, out) = api(&app, &tok, "POST", "/api/v1/vaccination/mobile/sync", json!({"team": "Team B", "records": [rec("22222222-0001", &bx, "vaccinated", Some("FK2"))]})).await;
    assert_eq!(s, 200);
    assert_eq!(out["results"][0]["outcome"], "conflict");
    assert_eq!(out["results"][0]["conflict_with"], "11111111-0002");
    let (_, export) = app
        .get(&coord, "/staff/vaccination/mobiel/export.csv")
        .await;
    assert_eq!(export.lines().count(), 3, "{export}");
    let logged = "SELECT COUNT(*) FROM access_log WHERE purpose = 'campaign page'";
    let before = app.count(logged).await;
    let (_, html) = app.get(&coord, "/staff/vaccination/mobiel").await;
    assert!(html.contains("22222222-0001"));
    // The campaign page: one access-log row per invitee it lists.
    let listed = html
        .matches("href=\"/staff/vaccination/mobiel/invitations/")
        .count() as i64;
    assert!(listed > 0);
    assert_eq!(app.count(logged).await - before, listed);
    let r = app
        .submit(
            &coord,
            "/staff/vaccination/mobiel",
            "/staff/vaccination/mobiel/conflicts/22222222-0001",
            &[("resolution", "duplicate")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = app
        .submit(
            &coord,
            "/staff/vaccination/mobiel",
            "/staff/vaccination/mobiel/conflicts/22222222-0001",
            &[("resolution", "both")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422, "settled already");
    let (_, export) = app
        .get(&coord, "/staff/vaccination/mobiel/export.csv")
        .await;
    assert_eq!(export.lines().count(), 3);
    assert!(export.contains(",mobile,Team A,"));
    app.stop().await;
}

#[tokio::test]
async fn staff_book_for_an_invitee_and_the_centre_api() {
    let app = TestApp::spawn().await;
    let loc = location(&app).await;
    let coord = app.signed_in(COORD, &["vaccination_coordinator"]).await;
    // A bad campaign form: every field named, the input kept, nothing made.
    let r = app
        .submit(
            &coord,
            "/staff/vaccination",
            "/staff/vaccination/campaigns",
            &[
                ("slug", "Niet Goed"),
                ("name", "Booster"),
                ("vaccine", "Comirnaty"),
                ("location", &loc),
                ("lines", "0"),
                ("per_line", "2"),
                ("slot_minutes", "5"),
                ("observation_minutes", "15"),
                ("admit_per_minute", "100"),
                ("opens_at", "gisteren"),
                ("days", "2026-12-01 20:00-08:00"),
                ("groups", "80+"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    for field in ["#slug", "#lines", "#opens_at", "#days"] {
        assert!(
            html.contains(&format!("href=\"{field}\"")),
            "{field}: {html}"
        );
    }
    assert!(html.contains("value=\"Niet Goed\"") && html.contains("2026-12-01 20:00-08:00"));
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_campaigns").await, 0);

    let start = slot_in(60);
    campaign(
        &app,
        &coord,
        &loc,
        "hulp",
        &day_line(&start, 60),
        "1",
        "2",
        &opened_an_hour_ago(),
        "1000",
    )
    .await;
    let an = nrn(1985, 7, 30, 33);
    let (s, _) = import(
        &app,
        &coord,
        "hulp",
        &people_csv(&[(an.clone(), "An Peeters", "1985-07-30", "an@example.org")]),
    )
    .await;
    assert_eq!(s, 200);
    let inv_id: String = {
        use sqlx::Row;
        loket_store::sqlx::query("SELECT id FROM vac_invitations")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get(0)
    };
    // The contact centre books on the phone: the same booking and mail;
    // the invitee's file read is access-logged.
    let agent = app
        .signed_in("agent@leuven.example", &["contact_centre"])
        .await;
    let page = format!("/staff/vaccination/hulp/invitations/{inv_id}");
    let (s, html) = app.get(&agent, &page).await;
    assert_eq!(s, 200);
    assert!(html.contains("An Peeters"));
    assert!(
        app.count("SELECT COUNT(*) FROM access_log WHERE record_type = 'vac_invitation'")
            .await
            >= 1
    );
    let starts = starts_in(&html);
    let r = app
        .submit(
            &agent,
            &page,
            &format!("{page}/book"),
            &[("start", "nonsense"), ("channel", "phone")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_bookings").await, 0);
    let r = app
        .submit(
            &agent,
            &page,
            &format!("{page}/book"),
            &[("start", &starts[0]), ("channel", "phone")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM vac_bookings WHERE channel = 'phone' AND booked_by IS NOT NULL"
        )
        .await,
        1
    );
    assert!(
        app.last_mail_to("an@example.org")
            .await
            .attachment
            .is_some()
    );
    // A resident cannot open the file.
    let resident = app.signed_in("someone@example.org", &["resident"]).await;
    let (s, _) = app.get(&resident, &page).await;
    assert_eq!(s, 403);

    // The API: cancel with a wrong birth date changes nothing; then check-in,
    // scans and figures with a staff token.
    let code = code_of(&app, &an).await;
    let r = app
        .client()
        .post(app.url("/api/v1/vaccination/bookings/cancel"))
        .json(&json!({"code": code, "birth_date": "1985-07-31"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_bookings WHERE status = 'booked'")
            .await,
        1
    );
    let tok = token(&app, "scanner@leuven.example", &["vaccination_staff"]).await;
    let (s, v) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/vaccination/campaigns/hulp/check-ins",
        json!({"code": code}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let label = v["code"].as_str().unwrap().to_owned();
    let (s, v2) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/vaccination/campaigns/hulp/scans",
        json!({"station": "exit", "code": label}),
    )
    .await;
    assert_eq!(s, 422, "out of order: {v2}");
    let (s, _) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/vaccination/campaigns/hulp/scans",
        json!({"station": "registration", "code": label}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/vaccination/campaigns/hulp/scans",
        json!({"station": "vaccination", "line": 9, "code": label, "lot": "FK1"}),
    )
    .await;
    assert_eq!(s, 422, "no such line");
    let (s, v3) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/vaccination/campaigns/hulp/scans",
        json!({"station": "vaccination", "line": 1, "code": label, "lot": "FK1"}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v3["stage"], "vaccinated");
    let (s, _) = api(
        &app,
        &tok,
        "GET",
        "/api/v1/vaccination/campaigns/hulp/figures",
        json!({}),
    )
    .await;
    assert_eq!(s, 403, "figures are the coordinator's");
    let ctok = token(&app, "coord2@leuven.example", &["vaccination_coordinator"]).await;
    let (s, f) = api(
        &app,
        &ctok,
        "GET",
        "/api/v1/vaccination/campaigns/hulp/figures",
        json!({}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(f["vaccinated"].as_i64(), Some(1));
    let (s, _) = api(
        &app,
        &ctok,
        "GET",
        "/api/v1/vaccination/campaigns/hulp/figures?day=morgen",
        json!({}),
    )
    .await;
    assert_eq!(s, 422);
    app.stop().await;
}

/// The free slot starts on the booking pages of today and tomorrow.
async fn free_starts(app: &TestApp, c: &reqwest::Client) -> Vec<String> {
    let (_, html) = app.get(c, "/vaccinatie/griep/afspraak").await;
    let tomorrow = brussels_now().date().tomorrow().unwrap();
    let (_, next) = app
        .get(c, &format!("/vaccinatie/griep/afspraak?day={tomorrow}"))
        .await;
    let mut s = starts_in(&html);
    s.extend(starts_in(&next));
    s
}

/// Reads a vaccination calendar file with Python's `icalendar`.
fn read_ics(ics: &str) -> Value {
    python_icalendar(
        r#"
import sys, json, datetime, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
ev = [c for c in cal.walk() if c.name == "VEVENT"][0]
s = ev.decoded("DTSTART")
print(json.dumps({
  "method": str(cal.get("METHOD")),
  "uid": str(ev.get("UID")),
  "sequence": int(ev.get("SEQUENCE", 0)),
  "status": str(ev.get("STATUS")),
  "start_ms": int(s.timestamp() * 1000),
  "aware": s.tzinfo is not None,
  "location": str(ev.get("LOCATION")),
}))
"#,
        ics,
    )
}

/// The invitee's pages beyond booking: the landing page lists the open
/// campaign, the booking's calendar file reads in Python's `icalendar`, the
/// cancel button frees the place and mails a `METHOD:CANCEL`, and the
/// reserve list's API refuses bad input without writing anything.
#[tokio::test]
async fn the_calendar_file_the_cancel_button_and_the_reserve_api() {
    let (app, coord) = open_campaign("griep", "1", "1").await;
    let (s, html) = app.get(&app.client(), "/vaccinatie").await;
    assert_eq!(s, 200);
    assert!(html.contains("href=\"/vaccinatie/griep\""), "{html}");

    let an = nrn(1985, 7, 30, 33);
    let (s, html) = import(
        &app,
        &coord,
        "griep",
        &people_csv(&[(an.clone(), "An Peeters", "1985-07-30", "an@example.org")]),
    )
    .await;
    assert_eq!(s, 200, "{html}");
    let code = code_of(&app, &an).await;
    let resident = app.client();
    let r = sign_in(&app, &resident, "griep", &code, "1985-07-30").await;
    assert_eq!(r.status().as_u16(), 303);
    let starts = free_starts(&app, &resident).await;
    assert!(!starts.is_empty());
    let chosen = starts[0].clone();
    let r = app
        .submit(
            &resident,
            "/vaccinatie/griep/afspraak",
            "/vaccinatie/griep/afspraak",
            &[("start", &chosen)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(!free_starts(&app, &resident).await.contains(&chosen));

    // The calendar file from the page: the booked slot, in a time zone.
    let r = resident
        .get(app.url("/vaccinatie/griep/afspraak.ics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let ctype = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ctype.starts_with("text/calendar"), "{ctype}");
    let ics = r.text().await.unwrap();
    let v = read_ics(&ics);
    assert_eq!(v["method"], "REQUEST", "{ics}");
    assert_eq!(v["start_ms"].as_i64().unwrap().to_string(), chosen);
    assert_eq!(v["aware"], true);
    assert!(v["location"].as_str().unwrap().contains("Brabantlaan 1"));
    let mailed = read_ics(
        &app.last_mail_to("an@example.org")
            .await
            .attachment
            .expect("calendar file")
            .body,
    );
    assert_eq!(v["uid"], mailed["uid"]);
    // Someone else gets no calendar file.
    let r = app
        .client()
        .get(app.url("/vaccinatie/griep/afspraak.ics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // The cancel button: the place is free again and the mail cancels the
    // same event.
    let r = app
        .submit(
            &resident,
            "/vaccinatie/griep/afspraak",
            "/vaccinatie/griep/annuleren",
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("cancelled=1")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_bookings WHERE status = 'booked'")
            .await,
        0
    );
    let cancel = read_ics(
        &app.last_mail_to("an@example.org")
            .await
            .attachment
            .expect("calendar file")
            .body,
    );
    assert_eq!(cancel["method"], "CANCEL");
    assert_eq!(cancel["status"], "CANCELLED");
    assert_eq!(cancel["uid"], v["uid"]);
    assert!(cancel["sequence"].as_i64() > v["sequence"].as_i64());
    assert!(free_starts(&app, &resident).await.contains(&chosen));
    let r = resident
        .get(app.url("/vaccinatie/griep/afspraak.ics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    // Cancelling again is refused and changes nothing.
    let audit = app.count("SELECT COUNT(*) FROM audit_log").await;
    let r = app
        .submit(
            &resident,
            "/vaccinatie/griep/afspraak",
            "/vaccinatie/griep/annuleren",
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    // The error names the field with the centre's own label, not the
    // counter's or the bikes' ("Van (uur)").
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Tijdslot") && !html.contains("Van (uur)"),
        "{html}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit);
    // (With a good ticket: the ticket is checked first.)
    let t: Value = app
        .client()
        .post(app.url("/api/v1/vaccination/campaigns/griep/waiting-room"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = app
        .client()
        .post(app.url("/api/v1/vaccination/bookings"))
        .header("accept-language", "en")
        .json(&json!({"code": "", "birth_date": "1985-07-30", "start": 0, "ticket": t["ticket"]}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    let detail = v["errors"][0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("Code:") && !detail.contains("Appointment"),
        "{v}"
    );

    // The reserve list's API.
    let reserve = |body: Value| {
        let app = &app;
        async move {
            let r = app
                .client()
                .post(app.url("/api/v1/vaccination/campaigns/griep/reserve"))
                .header("accept-language", "en")
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let jan = nrn(1990, 5, 6, 11);
    let (s, v) = reserve(json!({
        "national_number": "90.05.06-011.00", "name": "", "birth_date": "1990-05-07",
        "email": "geen adres", "group": 7
    }))
    .await;
    assert_eq!(s, 422, "{v}");
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["national_number", "name", "email", "group"] {
        assert!(fields.contains(&f), "{f}: {v}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_reserve").await, 0);
    // An invitee of the campaign does not join its reserve list, but the
    // answer is the same as anyone's.
    let (s, invited) = reserve(json!({
        "national_number": an, "name": "An Peeters", "birth_date": "1985-07-30",
        "email": "an@example.org", "group": 0
    }))
    .await;
    assert_eq!(s, 202, "{invited}");
    let good = json!({
        "national_number": jan, "name": "Jan Wouters", "birth_date": "1990-05-06",
        "email": "jan@example.org", "group": 2
    });
    let (s, v) = reserve(good.clone()).await;
    assert_eq!(s, 202, "{v}");
    assert_eq!(v, invited, "one answer for every number");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("If you can be vaccinated in this campaign"),
        "{v}"
    );
    let (s, again) = reserve(good).await;
    assert_eq!((s, &again), (202, &v), "twice: the same answer");
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_reserve").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_reserve_pending").await,
        3
    );
    let c = app.client();
    confirm_sign_up(&app, &c, "an@example.org").await;
    confirm_sign_up(&app, &c, "jan@example.org").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_reserve WHERE email = 'jan@example.org'")
            .await,
        1,
        "Jan is on the list, An (invited) is not"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_reserve").await, 1);
    app.stop().await;
}

/// Uses the newest reserve-list confirmation link mailed to `to`: its page
/// shows a button, the button confirms.
async fn confirm_sign_up(app: &TestApp, c: &reqwest::Client, to: &str) {
    let mail = app.last_mail_to(to).await;
    let link = link_in(&mail.body, "/vaccinatie/");
    assert!(link.contains("/reservelijst/bevestig/"), "{}", mail.body);
    let (get, post, html) = app.confirm_link(c, &link).await;
    assert_eq!((get, post), (200, 200), "{html}");
}

/// A campaign `slug` open since an hour ago, its centre open for an hour
/// from about an hour from now, with An Peeters invited; her invitation id
/// and code.
async fn one_invitee(app: &TestApp, coord: &reqwest::Client, slug: &str) -> (String, String) {
    let loc = location(app).await;
    let start = slot_in(60);
    campaign(
        app,
        coord,
        &loc,
        slug,
        &day_line(&start, 60),
        "1",
        "2",
        &opened_an_hour_ago(),
        "1000",
    )
    .await;
    let an = nrn(1985, 7, 30, 33);
    let (s, html) = import(
        app,
        coord,
        slug,
        &people_csv(&[(an.clone(), "An Peeters", "1985-07-30", "an@example.org")]),
    )
    .await;
    assert_eq!(s, 200, "{html}");
    let id: String = {
        use sqlx::Row;
        loket_store::sqlx::query("SELECT id FROM vac_invitations WHERE national_number = $1")
            .bind(&an)
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get(0)
    };
    (id, code_of(app, &an).await)
}

/// Books the first free slot for an invitation on the staff page.
async fn book_for(app: &TestApp, staff: &reqwest::Client, page: &str) {
    let (s, html) = app.get(staff, page).await;
    assert_eq!(s, 200, "{html}");
    let starts = starts_in(&html);
    let r = app
        .submit(
            staff,
            page,
            &format!("{page}/book"),
            &[("start", &starts[0]), ("channel", "phone")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
}

/// Staff cancel an invitee's booking from the invitation page: the place is
/// free again and the mail cancels the event. Nothing to cancel, and a
/// resident, are refused.
#[tokio::test]
async fn staff_cancel_an_invitees_booking() {
    let app = TestApp::spawn().await;
    let coord = app.signed_in(COORD, &["vaccination_coordinator"]).await;
    let (inv, _) = one_invitee(&app, &coord, "hulp").await;
    let agent = app
        .signed_in("agent@leuven.example", &["contact_centre"])
        .await;
    let page = format!("/staff/vaccination/hulp/invitations/{inv}");
    let cancel = format!("{page}/cancel");
    let booked = "SELECT COUNT(*) FROM vac_bookings WHERE status = 'booked'";
    let r = app.submit(&agent, &page, &cancel, &[]).await;
    assert_eq!(r.status().as_u16(), 422, "nothing booked");
    assert!(r.text().await.unwrap().contains("error-summary"));
    book_for(&app, &agent, &page).await;
    assert_eq!(app.count(booked).await, 1);
    let resident = app.signed_in("someone@example.org", &["resident"]).await;
    let r = app.submit(&resident, "/account", &cancel, &[]).await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.count(booked).await, 1);
    let r = app.submit(&agent, &page, &cancel, &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], page.as_str());
    assert_eq!(app.count(booked).await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_bookings WHERE status = 'cancelled'")
            .await,
        1
    );
    let mail = app.last_mail_to("an@example.org").await;
    let ics = read_ics(&mail.attachment.expect("calendar file").body);
    assert_eq!(ics["method"], "CANCEL");
    // The slot is offered again on the page.
    let (_, html) = app.get(&agent, &page).await;
    assert!(!starts_in(&html).is_empty());
    let r = app.submit(&agent, &page, &cancel, &[]).await;
    assert_eq!(r.status().as_u16(), 422, "cancelled already");
    let r = app
        .submit(
            &agent,
            &page,
            "/staff/vaccination/hulp/invitations/nope/cancel",
            &[],
        )
        .await;
    assert_eq!(r.status().as_u16(), 404);
    app.stop().await;
}

/// The observation room's JSON (what its screen's script reads) lists the
/// people observed, by number, with the time left; the coordinator's
/// dashboard stream sends the day's figures at once and after each change.
#[tokio::test]
async fn the_observation_json_and_the_dashboard_stream() {
    let app = TestApp::spawn().await;
    let coord = app.signed_in(COORD, &["vaccination_coordinator"]).await;
    let (inv, code) = one_invitee(&app, &coord, "hulp").await;
    let agent = app
        .signed_in("agent@leuven.example", &["contact_centre"])
        .await;
    book_for(
        &app,
        &agent,
        &format!("/staff/vaccination/hulp/invitations/{inv}"),
    )
    .await;
    let staff = app.signed_in(STAFF, &["vaccination_staff"]).await;
    let observed = || {
        let app = &app;
        let staff = staff.clone();
        async move {
            let (s, json) = app
                .get(&staff, "/staff/vaccination/hulp/observation.json")
                .await;
            assert_eq!(s, 200, "{json}");
            serde_json::from_str::<Value>(&json).unwrap()
        }
    };
    assert_eq!(observed().await, json!([]));
    let resident = app.signed_in("someone@example.org", &["resident"]).await;
    assert_eq!(
        app.get(&resident, "/staff/vaccination/hulp/observation.json")
            .await
            .0,
        403
    );
    assert_eq!(
        app.get(&staff, "/staff/vaccination/nope/observation.json")
            .await
            .0,
        404
    );
    // The stream is the coordinator's.
    assert_eq!(
        app.get(&staff, "/staff/vaccination/hulp/events").await.0,
        403
    );
    let mut events = EventStream::open(&app, &coord, "/staff/vaccination/hulp/events").await;
    let (name, first) = events.next(10).await;
    assert_eq!(name, "figures");
    assert_eq!(
        first["day"],
        brussels_now().strftime("%Y-%m-%d").to_string()
    );
    assert_eq!(first["vaccinated"], 0, "{first}");

    let tok = token(&app, "scanner@leuven.example", &["vaccination_staff"]).await;
    let (s, v) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/vaccination/campaigns/hulp/check-ins",
        json!({"code": code}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let label = v["code"].as_str().unwrap().to_owned();
    for body in [
        json!({"station": "registration", "code": label}),
        json!({"station": "vaccination", "line": 1, "code": label, "lot": "FK1"}),
        json!({"station": "observation", "code": label}),
    ] {
        let (s, v) = api(
            &app,
            &tok,
            "POST",
            "/api/v1/vaccination/campaigns/hulp/scans",
            body,
        )
        .await;
        assert_eq!(s, 200, "{v}");
    }
    // The stream follows the changes (one event per version it sees).
    let mut last = first;
    for _ in 0..10 {
        if last["vaccinated"] == 1 {
            break;
        }
        let (name, f) = events.next(10).await;
        assert_eq!(name, "figures");
        assert!(f["version"].as_i64() > last["version"].as_i64(), "{f}");
        last = f;
    }
    assert_eq!(last["vaccinated"], 1, "{last}");
    assert_eq!(last["arrived"], 1, "{last}");

    let list = observed().await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let p = &list[0];
    assert_eq!(
        (p["number"].as_str(), p["line"].as_i64()),
        (Some("001"), Some(1))
    );
    assert_eq!(p["may_leave"], false);
    let left = p["seconds_left"].as_i64().unwrap();
    assert!((800..=900).contains(&left), "{left}");
    assert!(!list.to_string().contains("Peeters"), "numbers, no names");
    // Fifteen minutes later.
    loket_store::sqlx::query(
        "UPDATE vac_visits SET observation_ends_at = observation_ends_at - 900000",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    let list = observed().await;
    assert_eq!(
        (
            list[0]["may_leave"].as_bool(),
            list[0]["seconds_left"].as_i64()
        ),
        (Some(true), Some(0))
    );
    app.stop().await;
}

/// The mobile team's page records a visit by the plain form (without
/// JavaScript; a resubmitted form is stored once) and by its script (JSON
/// with the token in a header); bad batches, a missing token and other
/// roles change nothing.
#[tokio::test]
async fn the_mobile_page_syncs_by_form_and_by_script() {
    let app = TestApp::spawn().await;
    let loc = location(&app).await;
    let coord = app.signed_in(COORD, &["vaccination_coordinator"]).await;
    let start = floor5(&brussels_now());
    campaign(
        &app,
        &coord,
        &loc,
        "mobiel",
        &day_line(&start, 60),
        "1",
        "1",
        &opened_an_hour_ago(),
        "1000",
    )
    .await;
    let x = nrn(1930, 4, 5, 21);
    let (s, _) = import(
        &app,
        &coord,
        "mobiel",
        &people_csv(&[(x.clone(), "Xavier Aerts", "1930-04-05", "")]),
    )
    .await;
    assert_eq!(s, 200);
    let today = brussels_now().strftime("%Y-%m-%d").to_string();
    let code = code_of(&app, &x).await;
    let r = app
        .submit(
            &coord,
            "/staff/vaccination/mobiel",
            "/staff/vaccination/mobiel/mobile",
            &[
                ("team", "Team A"),
                ("day", &today),
                ("at", "10:00"),
                ("code", &code),
                ("address", "WZC Remy, Leuven"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let staff = app
        .signed_in("teama@leuven.example", &["vaccination_staff"])
        .await;
    let page = format!("/mobile/vaccination?team=Team%20A&day={today}");
    let (s, html) = app.get(&staff, &page).await;
    assert_eq!(s, 200);
    assert!(html.contains("Xavier Aerts"), "{html}");
    let hidden = |name: &str| {
        let m = format!("name=\"{name}\" value=\"");
        let i = html.find(&m).unwrap_or_else(|| panic!("{name} in {html}")) + m.len();
        html[i..i + html[i..].find('"').unwrap()].to_owned()
    };
    let (visit, client_id) = (hidden("visit"), hidden("client_id"));
    let records = "SELECT COUNT(*) FROM vac_mobile_records";
    let arrival = [
        ("team", "Team A"),
        ("day", today.as_str()),
        ("client_id", client_id.as_str()),
        ("visit", visit.as_str()),
        ("kind", "arrival"),
        ("lot", ""),
    ];
    let resident = app.signed_in("someone@example.org", &["resident"]).await;
    let r = app
        .submit(&resident, "/account", "/mobile/vaccination/sync", &arrival)
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.count(records).await, 0);
    for _ in 0..2 {
        let r = app
            .submit(&staff, &page, "/mobile/vaccination/sync", &arrival)
            .await;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(r.headers()["location"], page.as_str());
        assert_eq!(app.count(records).await, 1);
    }

    // The script's JSON.
    let csrf = csrf_of(&html);
    let send = |body: Value, token: Option<&str>| {
        let mut req = staff
            .post(app.url("/mobile/vaccination/sync"))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(t) = token {
            req = req.header("x-csrf-token", t);
        }
        async move {
            let r = req.send().await.unwrap();
            let s = r.status().as_u16();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let now = loket_store::now_ms();
    let vaccinated = |lot: Option<&str>| json!({"team": "Team A", "records": [{"client_id": "33333333-0001", "visit": visit, "kind": "vaccinated", "recorded_at": now - 60_000, "lot": lot}]});
    let (s, _) = send(vaccinated(Some("FK9")), None).await;
    assert_eq!(s, 403, "no token");
    let (s, out) = send(json!({"team": "Team A", "records": "nope"}), Some(&csrf)).await;
    assert_eq!(s, 422, "{out}");
    // A batch the script can read but not store: the fields, as JSON.
    let (s, out) = send(vaccinated(None), Some(&csrf)).await;
    assert_eq!(s, 422, "no lot: {out}");
    assert!(out["errors"][0]["field"].is_string(), "{out}");
    assert_eq!(app.count(records).await, 1);
    let (s, out) = send(vaccinated(Some("FK9")), Some(&csrf)).await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(out["results"][0]["outcome"], "stored");
    assert_eq!(app.count(records).await, 2);
    let (_, export) = app
        .get(&coord, "/staff/vaccination/mobiel/export.csv")
        .await;
    assert!(
        export.contains(&format!("{x},1930-04-05,")) && export.contains(",FK9,mobile,Team A,"),
        "{export}"
    );
    app.stop().await;
}

/// The first free slot's start (unix ms) from the public API.
async fn first_free_start(app: &TestApp, slug: &str) -> i64 {
    let slots: Value = app
        .client()
        .get(app.url(&format!("/api/v1/vaccination/campaigns/{slug}/slots")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    slots
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["free"].as_i64().unwrap_or(0) > 0)
        .and_then(|s| s["start"].as_i64())
        .expect("a free slot")
}

/// A waiting-room ticket books once, belongs to the visitor who took it,
/// and the API looks at it before the code.
#[tokio::test]
async fn waiting_room_tickets_are_bound_and_used_once() {
    let app = TestApp::spawn().await;
    let coord = app.signed_in(COORD, &["vaccination_coordinator"]).await;
    let (_, an_code) = one_invitee(&app, &coord, "griep").await;
    let bo = nrn(1979, 4, 5, 61);
    let (s, html) = import(
        &app,
        &coord,
        "griep",
        &people_csv(&[(bo.clone(), "Bo Maes", "1979-04-05", "bo@example.org")]),
    )
    .await;
    assert_eq!(s, 200, "{html}");
    let bo_code = code_of(&app, &bo).await;
    let ticket: Value = app
        .client()
        .post(app.url("/api/v1/vaccination/campaigns/griep/waiting-room"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ticket = ticket["ticket"].as_str().unwrap().to_owned();
    let book = |code: String, birth: &'static str, ticket: String| {
        let app = &app;
        async move {
            let start = first_free_start(app, "griep").await;
            let r = app
                .client()
                .post(app.url("/api/v1/vaccination/bookings"))
                .json(&json!({"code": code, "birth_date": birth, "start": start, "ticket": ticket}))
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (s, v) = book(an_code.clone(), "1985-07-30", ticket.clone()).await;
    assert_eq!(s, 201, "{v}");
    // Used twice: refused, whoever brings it.
    let (s, v) = book(bo_code.clone(), "1979-04-05", ticket.clone()).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["errors"][0]["code"], "vac-ticket-used", "{v}");
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_bookings").await, 1);
    // The ticket first: a bad ticket is refused before the code is looked
    // at (a wrong code and birth date with it get the ticket's error).
    let (s, v) = book(
        "0000-0000-0000".to_owned(),
        "1950-01-01",
        "x.1.y".to_owned(),
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (422, Some("ticket")),
        "{v}"
    );
    let (s, v) = book("0000-0000-0000".to_owned(), "1950-01-01", ticket.clone()).await;
    assert_eq!(
        (s, v["errors"][0]["code"].as_str()),
        (422, Some("vac-ticket-used")),
        "{v}"
    );

    // The pages: a ticket cookie without its visitor's cookie is not taken;
    // the visitor gets a number of their own.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = plain
        .get(app.url("/vaccinatie/griep"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let ticket_cookie = cookies
        .iter()
        .find(|c| c.starts_with("loket_vacq="))
        .unwrap()
        .clone();
    let visitor_cookie = cookies
        .iter()
        .find(|c| c.starts_with("loket_vacv="))
        .unwrap()
        .clone();
    let new_ticket = |cookie: String| {
        let app = &app;
        let plain = plain.clone();
        async move {
            let r = plain
                .get(app.url("/vaccinatie/griep"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            r.headers()
                .get_all("set-cookie")
                .iter()
                .any(|v| v.to_str().unwrap().starts_with("loket_vacq="))
        }
    };
    assert!(
        !new_ticket(format!("{ticket_cookie}; {visitor_cookie}")).await,
        "the owner keeps it"
    );
    assert!(
        new_ticket(ticket_cookie.clone()).await,
        "without its visitor: not taken"
    );
    // Another visitor's cookie with this ticket: not taken either.
    let r = plain
        .get(app.url("/vaccinatie/griep"))
        .send()
        .await
        .unwrap();
    let other_visitor = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("loket_vacv="))
        .unwrap();
    assert!(
        new_ticket(format!("{ticket_cookie}; {other_visitor}")).await,
        "another visitor's"
    );

    // A booking on the pages uses the visitor's ticket up: signing in again
    // (for someone else) sends the visitor back to the waiting room.
    let c = app.client();
    let r = sign_in(&app, &c, "griep", &bo_code, "1979-04-05").await;
    assert_eq!(r.status(), 303);
    let (_, html) = app.get(&c, "/vaccinatie/griep/afspraak").await;
    let starts = starts_in(&html);
    let r = app
        .submit(
            &c,
            "/vaccinatie/griep/afspraak",
            "/vaccinatie/griep/afspraak",
            &[("start", &starts[0])],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_bookings").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM vac_tickets_used").await, 2);
    app.stop().await;
}

/// New tickets are limited per address: the 101st from one IP within a
/// minute gets 429, with `Retry-After`, in the API and on the pages (which
/// say when to come back).
#[tokio::test]
async fn the_101st_ticket_from_one_address_in_a_minute_gets_429() {
    let (app, _coord) = open_campaign("rush", "1", "1").await;
    let limit = loket_domain::limits::WAITING_TICKETS_PER_IP.max;
    // Not across a minute's boundary (the window is a calendar minute).
    let into_minute = loket_store::now_ms() % 60_000;
    if into_minute > 45_000 {
        tokio::time::sleep(std::time::Duration::from_millis(
            (60_000 - into_minute + 200) as u64,
        ))
        .await;
    }
    let c = app.client();
    let mut statuses = Vec::new();
    for _ in 0..limit {
        let r = c
            .post(app.url("/api/v1/vaccination/campaigns/rush/waiting-room"))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let r = c
        .post(app.url("/api/v1/vaccination/campaigns/rush/waiting-room"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    // A visitor from the same address on the pages: a clear page.
    let (s, html) = app.get(&app.client(), "/vaccinatie/rush").await;
    assert_eq!(s, 429);
    assert!(html.contains("Probeer het opnieuw na"), "{html}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM vac_waiting WHERE issued > 100")
            .await,
        0
    );
    app.stop().await;
}

/// The day-before reminders: the invitee with an e-mail address gets one,
/// once; the one without (who got a letter) is marked skipped, not sent,
/// so it leaves the due list; a booking made after its reminder time gets
/// none.
#[tokio::test]
async fn reminders_go_once_and_letters_only_invitees_are_skipped() {
    let app = TestApp::spawn().await;
    let loc = location(&app).await;
    let coord = app.signed_in(COORD, &["vaccination_coordinator"]).await;
    let start = slot_in(60);
    campaign(
        &app,
        &coord,
        &loc,
        "herinner",
        &day_line(&start, 60),
        "1",
        "2",
        &opened_an_hour_ago(),
        "1000",
    )
    .await;
    let (an, piet) = (nrn(1985, 7, 30, 33), nrn(1950, 1, 2, 45));
    let (s, html) = import(
        &app,
        &coord,
        "herinner",
        &people_csv(&[
            (an.clone(), "An Peeters", "1985-07-30", "an@example.org"),
            (piet.clone(), "Piet Papier", "1950-01-02", ""),
        ]),
    )
    .await;
    assert_eq!(s, 200, "{html}");
    let agent = app
        .signed_in("agent@leuven.example", &["contact_centre"])
        .await;
    for n in [&an, &piet] {
        let id: String = {
            use sqlx::Row;
            loket_store::sqlx::query("SELECT id FROM vac_invitations WHERE national_number = $1")
                .bind(n)
                .fetch_one(app.store.pool())
                .await
                .unwrap()
                .get(0)
        };
        book_for(
            &app,
            &agent,
            &format!("/staff/vaccination/herinner/invitations/{id}"),
        )
        .await;
    }
    let web = loket_app::App::new(
        app.store.clone(),
        loket::app_config(&app.config, &app.running.as_ref().unwrap().addr).unwrap(),
    );
    let now = loket_store::now_ms();
    // Booked within the hour, after their reminder time: no reminder.
    assert_eq!(
        loket_app::vaccination::send_reminders(&web, now)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM vac_bookings WHERE reminder_sent_at IS NOT NULL \
             OR reminder_skipped_at IS NOT NULL"
        )
        .await,
        0
    );
    // Booked days ago: both are due.
    sqlx::query("UPDATE vac_bookings SET created_at = remind_at - 86400000")
        .execute(app.store.pool())
        .await
        .unwrap();
    let before = app
        .count("SELECT COUNT(*) FROM outbox WHERE to_addr = 'an@example.org'")
        .await;
    assert_eq!(
        loket_app::vaccination::send_reminders(&web, now)
            .await
            .unwrap(),
        1
    );
    let mail = app.last_mail_to("an@example.org").await;
    assert!(mail.subject.starts_with("Herinnering"), "{}", mail.subject);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM vac_bookings WHERE reminder_sent_at IS NOT NULL \
             AND reminder_skipped_at IS NULL"
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM vac_bookings WHERE reminder_skipped_at IS NOT NULL \
             AND reminder_sent_at IS NULL"
        )
        .await,
        1
    );
    // Nothing is left due: a second run sends nothing and marks nothing.
    assert_eq!(
        loket_app::vaccination::send_reminders(&web, now)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE to_addr = 'an@example.org'")
            .await,
        before + 1
    );
}
