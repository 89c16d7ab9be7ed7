//! The management dashboard through the real server, on SQLite and
//! PostgreSQL: the demo city plus known cases on every channel, counter
//! visits (an appointment checked in and called, a walk-in, a no-show);
//! then every figure of the API is checked against the database, counted
//! here with SQL of the test's own (months folded with jiff here, not with
//! the code under test), the page's tables and the CSV downloads against
//! the API, the period filter, the invalid periods and the roles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use jiff::civil::Date;
use loket_domain::appointments::{Slot, parse_day_hours};
use loket_domain::audit::Actor;
use loket_domain::cases::Channel;
use loket_store::appointments as appt;
use loket_store::sqlx::{self, Row};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn tz() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Brussels").unwrap()
}

fn today() -> Date {
    jiff::Timestamp::now().to_zoned_datetime(tz()).date()
}

fn month_of(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .unwrap()
        .to_zoned_datetime(tz())
        .strftime("%Y-%m")
        .to_string()
}

fn date_of(ms: i64) -> Date {
    jiff::Timestamp::from_millisecond(ms)
        .unwrap()
        .to_zoned_datetime(tz())
        .date()
}

fn midnight(d: Date) -> i64 {
    d.to_zoned_datetime(tz())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

/// Whole percent, rounded half up (written here again, on purpose).
fn pct(part: i64, whole: i64) -> i64 {
    if whole == 0 {
        0
    } else {
        ((part as f64) * 100.0 / (whole as f64) + 0.5).floor() as i64
    }
}

/// The period's months, `YYYY-MM`.
fn months(from: Date, to: Date) -> Vec<String> {
    let mut out = Vec::new();
    let mut d = from.first_of_month();
    while d <= to {
        out.push(d.strftime("%Y-%m").to_string());
        d = d.checked_add(jiff::Span::new().months(1)).unwrap();
    }
    out
}

/// `section id → label → column → value`, from the API's answer.
type Figures = BTreeMap<String, BTreeMap<String, BTreeMap<String, i64>>>;

fn figures(v: &Value) -> Figures {
    let mut out = Figures::new();
    for s in v["sections"].as_array().unwrap() {
        let cols: Vec<String> = s["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        let mut rows = BTreeMap::new();
        for r in s["rows"].as_array().unwrap() {
            let vals: BTreeMap<String, i64> = cols
                .iter()
                .cloned()
                .zip(
                    r["values"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_i64().unwrap()),
                )
                .collect();
            rows.insert(r["label"].as_str().unwrap().to_owned(), vals);
        }
        out.insert(s["id"].as_str().unwrap().to_owned(), rows);
    }
    out
}

async fn rows(app: &TestApp, sql: &'static str, binds: &[Value]) -> Vec<sqlx::any::AnyRow> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = match b {
            Value::String(s) => q.bind(s.clone()),
            other => q.bind(other.as_i64().unwrap()),
        };
    }
    q.fetch_all(app.store.pool()).await.unwrap()
}

/// An appointment at `location` starting `minutes` from now.
async fn appointment(
    app: &TestApp,
    resident_id: &str,
    service: &appt::CounterService,
    location: &appt::Location,
    minutes: i64,
) -> appt::Appointment {
    let now = jiff::Timestamp::now().as_millisecond() / 60_000 * 60_000;
    let start = jiff::Timestamp::from_millisecond(now + minutes * 60_000).unwrap();
    let end = jiff::Timestamp::from_millisecond(now + (minutes + 15) * 60_000).unwrap();
    let mut tx = app.store.begin().await.unwrap();
    let a = appt::book(
        &mut tx,
        &Actor::System,
        appt::NewBooking {
            id: &loket_store::new_id(),
            code: &appt::new_code(),
            service,
            location,
            slot: Slot { start, end },
            capacity: 10,
            resident_id,
            channel: "web",
            booked_by: None,
            max_per_service: 10,
            remind_at: now,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    a
}

/// Known cases and counter visits, on top of the demo city.
async fn seed(app: &TestApp) {
    let rid = resident(app, "an@example.be").await;
    // Cases: three on the web (one of them 100 days ago), a phone call,
    // two at the counter, one by post.
    let service = loket_store::cases::list_services(&app.store, true)
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let data = BTreeMap::new();
    let mut tx = app.store.begin().await.unwrap();
    let mut first_web = String::new();
    for ch in [
        Channel::Web,
        Channel::Web,
        Channel::Web,
        Channel::Phone,
        Channel::Counter,
        Channel::Counter,
        Channel::Post,
    ] {
        let c = loket_store::cases::create_case(
            &mut tx,
            &Actor::System,
            loket_store::cases::NewCase {
                service: &service,
                resident_id: &rid,
                channel: ch,
                assisted_by: None,
                identified_by: "password",
                data: &data,
                year: today().year(),
                due_date: "2099-01-01",
            },
        )
        .await
        .unwrap();
        if first_web.is_empty() {
            first_web = c.id;
        }
    }
    tx.commit().await.unwrap();
    sqlx::query("UPDATE cases SET submitted_at = submitted_at - $2 WHERE id = $1")
        .bind(&first_web)
        .bind(100_i64 * 86_400_000)
        .execute(app.store.pool())
        .await
        .unwrap();

    // The counter: the city office open around the clock, so the test
    // runs at any hour.
    let loc = appt::location(&app.store, "city-office")
        .await
        .unwrap()
        .unwrap();
    let service = appt::service(&app.store, "identity-card")
        .await
        .unwrap()
        .unwrap();
    let mut periods = Vec::new();
    for wd in 1..=7 {
        periods.extend(parse_day_hours(wd, "00:00-23:59").unwrap());
    }
    let mut tx = app.store.begin().await.unwrap();
    appt::set_hours(&mut tx, &Actor::System, &loc.id, &periods)
        .await
        .unwrap();
    appt::set_closed_days(&mut tx, &Actor::System, &loc.id, &[])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let t = token(app, "balie@leuven.be", &["counter"]).await;
    // An appointment checked in and called; a walk-in, called too.
    let a = appointment(app, &rid, &service, &loc, 0).await;
    let (st, v) = api(
        app,
        &t,
        "POST",
        "/api/v1/queue/check-ins",
        json!({"location": "city-office", "code": a.code}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    let (st, v) = api(
        app,
        &t,
        "POST",
        "/api/v1/queue/tickets",
        json!({"location": "city-office", "service": "identity-card"}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    let mut called = 0;
    for d in appt::list_desks(&app.store, &loc.id).await.unwrap() {
        let (st, _) = api(
            app,
            &t,
            "POST",
            &format!("/api/v1/desks/{}/call-next", d.id),
            json!({}),
        )
        .await;
        if st == 200 {
            called += 1;
        }
        if called == 2 {
            break;
        }
    }
    assert_eq!(called, 2, "both visitors called");
    // A no-show two hours ago.
    let late = appointment(app, &rid, &service, &loc, -120).await;
    let mut tx = app.store.begin().await.unwrap();
    appt::mark_no_show(&mut tx, &Actor::System, &late.id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Every figure of `f` for the period `[from, to]`, against the database.
async fn check_against_database(app: &TestApp, f: &Figures, from: Date, to: Date) {
    let from_ms = midnight(from);
    let to_ms = midnight(to.tomorrow().unwrap());
    let (from_s, to_s) = (from.to_string(), to.to_string());
    let period_months = months(from, to);
    let ms = || vec![json!(from_ms), json!(to_ms)];

    // 1. Cases per channel and month.
    let mut want: BTreeMap<(String, String), i64> = BTreeMap::new();
    for r in rows(
        app,
        "SELECT channel, submitted_at FROM cases WHERE submitted_at >= $1 AND submitted_at < $2",
        &ms(),
    )
    .await
    {
        *want
            .entry((r.get("channel"), month_of(r.get("submitted_at"))))
            .or_default() += 1;
    }
    let ch = &f["channels"];
    assert_eq!(ch.keys().cloned().collect::<Vec<_>>(), period_months);
    let mut total_cases = 0;
    for (m, vals) in ch {
        let n = |c: &str| want.get(&(c.to_owned(), m.clone())).copied().unwrap_or(0);
        let total = n("web") + n("phone") + n("counter") + n("post");
        total_cases += total;
        assert_eq!(vals["web"], n("web"), "web {m}");
        assert_eq!(vals["phone"], n("phone"), "phone {m}");
        assert_eq!(vals["counter"], n("counter"), "counter {m}");
        assert_eq!(vals["post"], n("post"), "post {m}");
        assert_eq!(vals["total"], total, "total {m}");
        assert_eq!(vals["digital_pct"], pct(n("web"), total), "digital {m}");
    }
    let all_cases = rows(
        app,
        "SELECT COUNT(*) AS n FROM cases WHERE submitted_at >= $1 AND submitted_at < $2",
        &ms(),
    )
    .await[0]
        .get::<i64, _>("n");
    assert_eq!(total_cases, all_cases);

    // 2. The counters, per location.
    for r in rows(app, "SELECT id, name FROM appt_locations", &[]).await {
        let (id, name): (String, String) = (r.get("id"), r.get("name"));
        let mut waits: Vec<i64> = rows(
            app,
            "SELECT called_at - checked_in_at AS w FROM queue_tickets WHERE location_id = $1 \
             AND called_at IS NOT NULL AND transferred_from IS NULL \
             AND checked_in_at >= $2 AND checked_in_at < $3",
            &[json!(id), json!(from_ms), json!(to_ms)],
        )
        .await
        .iter()
        .map(|r| r.get::<i64, _>("w"))
        .collect();
        waits.sort_unstable();
        let rank = |p: usize| -> i64 {
            if waits.is_empty() {
                return 0;
            }
            let k = (p * waits.len()).div_ceil(100).max(1);
            (waits[k - 1] + 500) / 1000
        };
        let count = |status: &'static str| {
            let id = id.clone();
            async move {
                rows(app, status, &[json!(id), json!(from_ms), json!(to_ms)]).await[0]
                    .get::<i64, _>("n")
            }
        };
        let appointments = count(
            "SELECT COUNT(*) AS n FROM appointments WHERE location_id = $1 \
             AND starts_at >= $2 AND starts_at < $3 AND status <> 'cancelled'",
        )
        .await;
        let no_shows = count(
            "SELECT COUNT(*) AS n FROM appointments WHERE location_id = $1 \
             AND starts_at >= $2 AND starts_at < $3 AND status = 'no_show'",
        )
        .await;
        let walk_ins = rows(
            app,
            "SELECT COUNT(*) AS n FROM queue_tickets WHERE location_id = $1 AND kind = 'walk_in' \
             AND transferred_from IS NULL AND day >= $2 AND day <= $3",
            &[json!(id), json!(from_s), json!(to_s)],
        )
        .await[0]
            .get::<i64, _>("n");
        let called = i64::try_from(waits.len()).unwrap();
        match f["counter"].get(&name) {
            None => assert_eq!(
                (called, appointments, walk_ins),
                (0, 0, 0),
                "{name} has figures but no row"
            ),
            Some(vals) => {
                assert_eq!(vals["called"], called, "{name} called");
                assert_eq!(vals["wait_median_s"], rank(50), "{name} median");
                assert_eq!(vals["wait_p90_s"], rank(90), "{name} p90");
                assert_eq!(vals["appointments"], appointments, "{name}");
                assert_eq!(vals["no_shows"], no_shows, "{name}");
                assert_eq!(vals["no_show_pct"], pct(no_shows, appointments), "{name}");
                assert_eq!(vals["walk_ins"], walk_ins, "{name}");
            }
        }
    }

    // 3. The contact centre.
    for (c, vals) in &f["contact"] {
        let n = rows(
            app,
            "SELECT COUNT(*) AS n FROM contact_moments WHERE channel = $1 \
             AND created_at >= $2 AND created_at < $3",
            &[json!(c), json!(from_ms), json!(to_ms)],
        )
        .await[0]
            .get::<i64, _>("n");
        let alone = rows(
            app,
            "SELECT COUNT(*) AS n FROM contact_moments m WHERE m.channel = $1 \
             AND m.created_at >= $2 AND m.created_at < $3 AND m.status = 'closed' \
             AND m.id NOT IN (SELECT moment_id FROM contact_forwards)",
            &[json!(c), json!(from_ms), json!(to_ms)],
        )
        .await[0]
            .get::<i64, _>("n");
        assert_eq!(vals["moments"], n, "moments {c}");
        assert_eq!(vals["first_contact"], alone, "first contact {c}");
        assert_eq!(vals["first_contact_pct"], pct(alone, n), "fcr {c}");
    }
    let mut due: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for r in rows(
        app,
        "SELECT due_on, status, answered_at FROM contact_forwards WHERE due_on >= $1 AND due_on <= $2",
        &[json!(from_s), json!(to_s)],
    )
    .await
    {
        let d: String = r.get("due_on");
        let e = due.entry(d[..7].to_owned()).or_default();
        e.0 += 1;
        let status: String = r.get("status");
        let at: Option<i64> = r.get("answered_at");
        if status == "answered" && at.is_some_and(|a| date_of(a) <= d.parse::<Date>().unwrap()) {
            e.1 += 1;
        }
    }
    for (m, vals) in &f["forwards"] {
        let (n, ok) = due.get(m).copied().unwrap_or_default();
        assert_eq!((vals["due"], vals["in_time"]), (n, ok), "forwards {m}");
        assert_eq!(vals["in_time_pct"], pct(ok, n));
    }
    assert_eq!(
        f["forwards"].values().map(|v| v["due"]).sum::<i64>(),
        due.values().map(|v| v.0).sum::<i64>()
    );
    for (m, vals) in &f["searches"] {
        let (first, last) = (format!("{m}-01"), format!("{m}-31"));
        let lo = if first < from_s {
            from_s.clone()
        } else {
            first
        };
        let hi = if last > to_s { to_s.clone() } else { last };
        let rs = rows(
            app,
            "SELECT COUNT(*) AS n, \
             CAST(COALESCE(SUM(CASE WHEN results = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS e \
             FROM contact_searches WHERE day >= $1 AND day <= $2",
            &[json!(lo), json!(hi)],
        )
        .await;
        let r = &rs[0];
        let (n, e): (i64, i64) = (r.get("n"), r.get("e"));
        assert_eq!((vals["searches"], vals["empty"]), (n, e), "searches {m}");
    }

    // 4. Telework.
    for (m, vals) in &f["telework"] {
        let first = format!("{m}-01");
        let staff = rows(
            app,
            "SELECT COUNT(*) AS n FROM staff_members WHERE end_date IS NULL OR end_date >= $1",
            &[json!(first)],
        )
        .await[0]
            .get::<i64, _>("n");
        let rs = rows(
            app,
            "SELECT COUNT(DISTINCT staff_id) AS t, \
             CAST(COALESCE(SUM(CASE WHEN kind = 'full' THEN 1 ELSE 0 END), 0) AS BIGINT) AS f, \
             CAST(COALESCE(SUM(CASE WHEN kind = 'half' THEN 1 ELSE 0 END), 0) AS BIGINT) AS h \
             FROM telework_days WHERE state = 'confirmed' AND month = $1",
            &[json!(m)],
        )
        .await;
        let r = &rs[0];
        let (t, full, half): (i64, i64, i64) = (r.get("t"), r.get("f"), r.get("h"));
        assert_eq!(vals["staff"], staff, "staff {m}");
        assert_eq!(vals["teleworkers"], t, "teleworkers {m}");
        assert_eq!(vals["share_pct"], pct(t, staff), "share {m}");
        assert_eq!((vals["full_days"], vals["half_days"]), (full, half), "{m}");
        assert_eq!(vals["allowance_cents"], full * 300 + half * 150, "{m}");
    }

    // 5. Bikes.
    // The fleet's setting, or the default when it was never saved.
    let factor = rows(app, "SELECT co2_g_per_km FROM bike_settings", &[])
        .await
        .first()
        .map_or(loket_domain::bikes::DEFAULT_CO2_G_PER_KM, |r| {
            r.get::<i64, _>("co2_g_per_km")
        });
    let mut trips: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for r in rows(
        app,
        "SELECT r.starts_at, r.km, b.bike_type FROM bike_reservations r JOIN bikes b ON b.id = r.bike_id \
         WHERE r.status = 'returned' AND r.starts_at >= $1 AND r.starts_at < $2",
        &ms(),
    )
    .await
    {
        let e = trips.entry(month_of(r.get("starts_at"))).or_default();
        e.0 += 1;
        e.1 += r.get::<Option<i64>, _>("km").unwrap_or(0);
        if r.get::<String, _>("bike_type") == "ebike" {
            e.2 += 1;
        }
    }
    for (m, vals) in &f["bikes"] {
        let (n, km, e) = trips.get(m).copied().unwrap_or_default();
        assert_eq!((vals["trips"], vals["km"], vals["ebike_trips"]), (n, km, e));
        assert_eq!(vals["ebike_pct"], pct(e, n));
        assert_eq!(
            vals["co2_kg"],
            ((km * factor) as f64 / 1000.0 + 0.5).floor() as i64
        );
    }
    assert_eq!(
        f["bikes"].values().map(|v| v["trips"]).sum::<i64>(),
        trips.values().map(|v| v.0).sum::<i64>()
    );

    // 6. Equipment.
    let today_s = today().to_string();
    let mut eq_total = 0;
    for (cat, vals) in &f["equipment"] {
        let q = |sql: &'static str, binds: Vec<Value>| async move {
            rows(app, sql, &binds).await[0].get::<i64, _>("n")
        };
        let open = q(
            "SELECT COUNT(*) AS n FROM asset_loans l JOIN assets a ON a.id = l.asset_id \
             WHERE a.category = $1 AND l.in_at IS NULL",
            vec![json!(cat)],
        )
        .await;
        let late = q(
            "SELECT COUNT(*) AS n FROM asset_loans l JOIN assets a ON a.id = l.asset_id \
             WHERE a.category = $1 AND l.in_at IS NULL AND l.due_on < $2",
            vec![json!(cat), json!(today_s)],
        )
        .await;
        let made = q(
            "SELECT COUNT(*) AS n FROM asset_loans l JOIN assets a ON a.id = l.asset_id \
             WHERE a.category = $1 AND l.out_at >= $2 AND l.out_at < $3",
            vec![json!(cat), json!(from_ms), json!(to_ms)],
        )
        .await;
        eq_total += vals["on_loan"];
        assert_eq!(
            (vals["on_loan"], vals["overdue"], vals["loans_made"]),
            (open, late, made),
            "equipment {cat}"
        );
    }
    assert_eq!(
        eq_total,
        app.count("SELECT COUNT(*) FROM asset_loans WHERE in_at IS NULL")
            .await
    );

    // 7. Vaccination: the campaigns with a figure in the period (or people
    // waiting on their reserve list now); the others are not listed.
    for r in rows(app, "SELECT id, name FROM vac_campaigns", &[]).await {
        let (id, name): (String, String) = (r.get("id"), r.get("name"));
        let q = |sql: &'static str, with_period: bool| {
            let id = id.clone();
            async move {
                let binds = if with_period {
                    vec![json!(id), json!(from_ms), json!(to_ms)]
                } else {
                    vec![json!(id)]
                };
                rows(app, sql, &binds).await[0].get::<i64, _>("n")
            }
        };
        let invited = q(
            "SELECT COUNT(*) AS n FROM vac_invitations WHERE campaign_id = $1 \
             AND created_at >= $2 AND created_at < $3",
            true,
        )
        .await;
        let booked = q(
            "SELECT COUNT(*) AS n FROM vac_bookings WHERE campaign_id = $1 \
             AND created_at >= $2 AND created_at < $3 AND status <> 'cancelled'",
            true,
        )
        .await;
        let centre = q(
            "SELECT COUNT(*) AS n FROM vac_visits WHERE campaign_id = $1 \
             AND vaccinated_at >= $2 AND vaccinated_at < $3",
            true,
        )
        .await;
        let mobile = q(
            "SELECT COUNT(*) AS n FROM vac_mobile_records r JOIN vac_mobile_visits v \
             ON v.id = r.mobile_visit_id WHERE v.campaign_id = $1 AND r.kind = 'vaccinated' \
             AND r.conflict_with IS NULL AND r.recorded_at >= $2 AND r.recorded_at < $3",
            true,
        )
        .await;
        let waiting = q(
            "SELECT COUNT(*) AS n FROM vac_reserve WHERE campaign_id = $1 AND status = 'waiting'",
            false,
        )
        .await;
        let signed_up = q(
            "SELECT COUNT(*) AS n FROM vac_reserve WHERE campaign_id = $1 \
             AND signed_up_at >= $2 AND signed_up_at < $3",
            true,
        )
        .await;
        if invited + booked + centre + mobile + waiting + signed_up == 0 {
            assert!(
                !f["vaccination"].contains_key(&name),
                "{name}: no figures, not listed"
            );
            continue;
        }
        let vals = &f["vaccination"][&name];
        assert_eq!(vals["reserve_new"], signed_up, "{name}");
        assert_eq!(vals["invited"], invited, "{name}");
        assert_eq!(vals["booked"], booked, "{name}");
        assert_eq!(vals["vaccinated"], centre + mobile, "{name}");
        assert_eq!(vals["reserve_waiting"], waiting, "{name}");
    }
}

/// The rows of the page's table `table-{id}`: (row header, cells).
fn page_table(html: &str, id: &str) -> Vec<(String, Vec<String>)> {
    let start = html
        .find(&format!("<table id=\"table-{id}\""))
        .unwrap_or_else(|| panic!("table {id}"));
    let body = &html[start..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    let strip = |s: &str| -> String {
        let mut out = String::new();
        let mut tag = false;
        for ch in s.chars() {
            match ch {
                '<' => tag = true,
                '>' => tag = false,
                c if !tag => out.push(c),
                _ => {}
            }
        }
        out.trim().to_owned()
    };
    body.split("<tr>")
        .skip(1)
        .map(|tr| {
            let head = strip(&tr[..tr.find("</th>").unwrap()]);
            let cells = tr
                .split("<td>")
                .skip(1)
                .map(|td| strip(&td[..td.find("</td>").unwrap()]))
                .collect();
            (head, cells)
        })
        .collect()
}

/// The dashboard's figures from the API.
async fn api_figures(app: &TestApp, token: &str, query: &str) -> (Value, Figures) {
    let (st, v) = api(
        app,
        token,
        "GET",
        &format!("/api/v1/dashboard{query}"),
        Value::Null,
    )
    .await;
    assert_eq!(st, 200, "{v}");
    let f = figures(&v);
    (v, f)
}

/// A value of the figures, 0 when the row is missing.
fn at(f: &Figures, section: &str, label: &str, column: &str) -> i64 {
    f[section]
        .get(label)
        .and_then(|r| r.get(column))
        .copied()
        .unwrap_or(0)
}

fn sum(f: &Figures, section: &str, column: &str) -> i64 {
    f[section].values().map(|r| r[column]).sum()
}

#[tokio::test]
async fn the_dashboard_matches_the_database() {
    let app = TestApp::spawn().await;
    loket::demo::seed(&app.store).await.unwrap();
    let boss = app
        .signed_in("directie@leuven.example", &["management"])
        .await;
    let t = loket::cli::token_create(&app.config, "directie@leuven.example", "dash")
        .await
        .unwrap();
    // The month a hundred days ago, where one web case is moved.
    let old = date_of(jiff::Timestamp::now().as_millisecond() - 100 * 86_400_000);
    let (p_from, p_to) = (old.first_of_month(), old.last_of_month());
    let old_query = format!("?from={p_from}&to={p_to}");
    let m = old.strftime("%Y-%m").to_string();
    // The demo's own figures first, then ours on top.
    let (_, base) = api_figures(&app, &t, "").await;
    let (_, base_old) = api_figures(&app, &t, &old_query).await;
    seed(&app).await;

    // The default period: the last twelve months.
    let (v, f) = api_figures(&app, &t, "").await;
    let to = today();
    let from = to
        .first_of_month()
        .checked_sub(jiff::Span::new().months(11))
        .unwrap();
    assert_eq!(v["from"], from.to_string());
    assert_eq!(v["to"], to.to_string());
    assert_eq!(
        f.keys().cloned().collect::<Vec<_>>(),
        [
            "bikes",
            "channels",
            "contact",
            "counter",
            "equipment",
            "forwards",
            "searches",
            "telework",
            "vaccination"
        ]
    );
    check_against_database(&app, &f, from, to).await;
    // What the test added shows (the check above cannot pass on zeros
    // alone): seven cases, two visitors called, a walk-in, a no-show.
    assert_eq!(
        sum(&f, "channels", "total") - sum(&base, "channels", "total"),
        7
    );
    assert_eq!(
        sum(&f, "channels", "post") - sum(&base, "channels", "post"),
        1
    );
    let office = |f: &Figures, c: &str| at(f, "counter", "Stadskantoor", c);
    assert_eq!(office(&f, "called") - office(&base, "called"), 2);
    assert_eq!(office(&f, "walk_ins") - office(&base, "walk_ins"), 1);
    assert_eq!(office(&f, "no_shows") - office(&base, "no_shows"), 1);
    assert_eq!(
        office(&f, "appointments") - office(&base, "appointments"),
        2
    );
    // And so does the demo city.
    assert!(sum(&f, "contact", "moments") > 0);
    assert!(sum(&f, "telework", "teleworkers") > 0);
    assert!(sum(&f, "bikes", "trips") > 0);
    assert!(sum(&f, "equipment", "on_loan") > 0);
    assert!(sum(&f, "vaccination", "invited") > 0);
    assert!(v["co2_g_per_km"].as_i64().unwrap() > 0);

    // The page shows the same figures in its tables, with a chart each.
    let (st, html) = app.get(&boss, "/staff/dashboard").await;
    assert_eq!(st, 200);
    for s in v["sections"].as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        let cols: Vec<&str> = s["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let api_rows = s["rows"].as_array().unwrap();
        if api_rows.is_empty() {
            continue;
        }
        let table = page_table(&html, id);
        assert_eq!(table.len(), api_rows.len(), "{id} rows");
        for ((_, cells), r) in table.iter().zip(api_rows) {
            let want: Vec<String> = cols
                .iter()
                .zip(r["values"].as_array().unwrap())
                .map(|(c, x)| loket_web::dashboard::display(c, x.as_i64().unwrap()))
                .collect();
            assert_eq!(cells, &want, "{id} {}", r["label"]);
        }
        // Its CSV: a header of column keys, then the same rows.
        let (st, csv) = app
            .get(
                &boss,
                &format!("/staff/dashboard/{id}.csv?from={from}&to={to}"),
            )
            .await;
        assert_eq!(st, 200, "{id}.csv");
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(
            lines[0],
            format!("{},{}", s["label"].as_str().unwrap(), cols.join(","))
        );
        assert_eq!(lines.len(), api_rows.len() + 1, "{id}.csv lines");
        for (line, r) in lines[1..].iter().zip(api_rows) {
            let vals: Vec<String> = r["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.to_string())
                .collect();
            assert!(
                line.ends_with(&format!(",{}", vals.join(","))),
                "{id}.csv {line}"
            );
        }
    }
    assert!(html.contains("Stadskantoor"));
    assert!(html.matches("role=\"img\"").count() >= 13);
    // The page says which CO2 factor it used.
    assert!(html.contains(&format!("{} g CO2", v["co2_g_per_km"])));
    // Aggregates only: opening the dashboard writes no access-log row.
    let before = app.count("SELECT COUNT(*) FROM access_log").await;
    let (st, _) = app.get(&boss, "/staff/dashboard").await;
    assert_eq!(st, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM access_log").await, before);

    // The period filter: one month, the one the web case was moved to.
    let (_, f) = api_figures(&app, &t, &old_query).await;
    assert_eq!(
        f["channels"].keys().cloned().collect::<Vec<_>>(),
        std::slice::from_ref(&m)
    );
    assert_eq!(
        at(&f, "channels", &m, "web") - at(&base_old, "channels", &m, "web"),
        1
    );
    assert_eq!(
        at(&f, "channels", &m, "total") - at(&base_old, "channels", &m, "total"),
        1
    );
    // Today's counter visits are not in it.
    assert_eq!(
        at(&f, "counter", "Stadskantoor", "called"),
        at(&base_old, "counter", "Stadskantoor", "called")
    );
    check_against_database(&app, &f, p_from, p_to).await;
    let (st, html) = app
        .get(&boss, &format!("/staff/dashboard{old_query}"))
        .await;
    assert_eq!(st, 200);
    assert!(html.contains(&format!("value=\"{p_from}\"")));
    // (askama writes the link's `&` as `&#38;`)
    assert!(html.contains(&format!(
        "/staff/dashboard/channels.csv?from={p_from}&#38;to={p_to}\""
    )));
    let (_, csv) = app
        .get(&boss, &format!("/staff/dashboard/channels.csv{old_query}"))
        .await;
    let web = at(&f, "channels", &m, "web");
    assert!(
        csv.starts_with("month,web,phone,counter,post,total,digital_pct\r\n")
            && csv.contains(&format!("\r\n{m},{web},")),
        "{csv}"
    );
    app.stop().await;
}

#[tokio::test]
async fn csv_cells_that_look_like_formulas_are_neutralised() {
    let app = TestApp::spawn().await;
    let mut tx = app.store.begin().await.unwrap();
    appt::save_location(&mut tx, &Actor::System, "evil", "=HYPERLINK(\"x\")", "")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let rid = resident(&app, "an@example.be").await;
    let mut tx = app.store.begin().await.unwrap();
    let service = appt::save_service(&mut tx, &Actor::System, "id", "Id", "Id", 15)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let service = appt::service(&app.store, &service).await.unwrap().unwrap();
    let loc = appt::location(&app.store, "evil").await.unwrap().unwrap();
    appointment(&app, &rid, &service, &loc, 0).await;
    let boss = app
        .signed_in("directie@leuven.example", &["management"])
        .await;
    let (st, csv) = app.get(&boss, "/staff/dashboard/counter.csv").await;
    assert_eq!(st, 200);
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
    let (st, _) = app.get(&boss, "/staff/dashboard/nothing.csv").await;
    assert_eq!(st, 404);
    app.stop().await;
}

#[tokio::test]
async fn an_invalid_period_names_its_field() {
    let app = TestApp::spawn().await;
    let boss = app
        .signed_in("directie@leuven.example", &["management"])
        .await;
    let t = loket::cli::token_create(&app.config, "directie@leuven.example", "dash")
        .await
        .unwrap();
    // The page: 422, the error names the field, the input is kept.
    let (st, html) = app
        .get(&boss, "/staff/dashboard?from=2026-05-01&to=2026-04-01")
        .await;
    assert_eq!(st, 422);
    assert!(html.contains("href=\"#to\""), "{html}");
    assert!(html.contains("value=\"2026-05-01\""));
    assert!(html.contains("value=\"2026-04-01\""));
    assert!(html.contains("aria-invalid=\"true\""));
    let (st, html) = app
        .get(&boss, "/staff/dashboard?from=2020-01-01&to=2026-01-01")
        .await;
    assert_eq!(st, 422);
    assert!(html.contains("href=\"#from\""));
    assert!(html.contains("drie jaar"), "Dutch by default");
    let (st, html) = app.get(&boss, "/staff/dashboard?from=gisteren").await;
    assert_eq!(st, 422);
    assert!(html.contains("value=\"gisteren\""));
    // In English.
    app.get(&boss, "/lang/en").await;
    let (_, html) = app
        .get(&boss, "/staff/dashboard?from=2020-01-01&to=2026-01-01")
        .await;
    assert!(html.contains("three years"), "{html}");
    // The API: 400 (a bad query parameter, as every API answers one),
    // problem+json naming the field, in the user's language.
    for (q, field, en, nl) in [
        (
            "from=2026-05-01&to=2026-04-01",
            "to",
            "Up to and including is before the start date",
            "Tot en met ligt voor de begindatum",
        ),
        (
            "from=2020-01-01&to=2026-01-01",
            "from",
            "three years",
            "drie jaar",
        ),
        (
            "from=1-2-3",
            "from",
            "From: enter a date as YYYY-MM-DD",
            "Van: geef een datum als JJJJ-MM-DD",
        ),
        (
            "to=morgen",
            "to",
            "Up to and including: enter a date",
            "Tot en met: geef een datum",
        ),
        (
            "from=2026-02-30&to=2026-03-01",
            "from",
            "From: enter a date",
            "Van: geef een datum",
        ),
    ] {
        for (lang, text) in [("en", en), ("nl", nl)] {
            let r = app
                .client()
                .get(app.url(&format!("/api/v1/dashboard?{q}")))
                .bearer_auth(&t)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 400, "{q}");
            assert_eq!(r.headers()["content-type"], "application/problem+json");
            let p: Value = r.json().await.unwrap();
            assert_eq!(p["status"], 400, "{q}: {p}");
            assert_eq!(p["errors"][0]["field"], field, "{q}: {p}");
            let detail = p["errors"][0]["detail"].as_str().unwrap();
            assert!(detail.contains(text), "{q} ({lang}): {text} in {p}");
        }
    }
    // The CSV refuses a bad period too.
    let (st, _) = app
        .get(
            &boss,
            "/staff/dashboard/channels.csv?from=2026-05-01&to=2026-04-01",
        )
        .await;
    assert_eq!(st, 400, "a bad query parameter of a download");
    app.stop().await;
}

/// The vaccination table lists the campaigns with figures in the period,
/// at most 50 (oldest first); past that the page and the API say so and
/// the page links to the paged campaign list; the CSV lists every one.
#[tokio::test]
async fn the_campaign_table_is_bounded_and_says_so() {
    let app = TestApp::spawn().await;
    let boss = app
        .signed_in("directie@leuven.example", &["management"])
        .await;
    let t = loket::cli::token_create(&app.config, "directie@leuven.example", "dash")
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO appt_locations (id, slug, name, address, created_at, updated_at) \
         VALUES ('loc', 'loc', 'Centrum', 'Straat 1', 0, 0)",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    // 55 campaigns made one after the other; three (7, 25, 43) have no
    // figures, the others someone waiting on their reserve list.
    for i in 0..55_i64 {
        sqlx::query(
            "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, created_at, \
             updated_at) VALUES ($1, $1, 'S', 'S', 5, 0, 0)",
        )
        .bind(format!("svc-{i:02}"))
        .execute(app.store.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO vac_campaigns (id, slug, name, vaccine, location_id, service_id, lines, \
             per_line, slot_minutes, observation_minutes, admit_per_minute, admit_burst, opens_at, \
             status, created_at, updated_at) VALUES ($1, $2, $3, 'V', 'loc', $5, 1, 1, 5, 15, \
             10, 10, 0, 'open', $4, 0)",
        )
        .bind(format!("cmp-{i:02}"))
        .bind(format!("camp-{i:02}"))
        .bind(format!("Campagne {i:02}"))
        .bind(1_000 + i)
        .bind(format!("svc-{i:02}"))
        .execute(app.store.pool())
        .await
        .unwrap();
        if i % 18 != 7 {
            sqlx::query(
                "INSERT INTO vac_reserve (id, campaign_id, national_number, name, birth_date, email, \
                 group_rank, status, signed_up_at, updated_at) \
                 VALUES ($1, $2, '85073003328', 'An', '1985-07-30', 'an@example.org', 1, 'waiting', 0, 0)",
            )
            .bind(format!("res-{i:02}"))
            .bind(format!("cmp-{i:02}"))
            .execute(app.store.pool())
            .await
            .unwrap();
        }
    }
    let with_figures: Vec<String> = (0..55)
        .filter(|i| i % 18 != 7)
        .map(|i| format!("Campagne {i:02}"))
        .collect();
    assert_eq!(with_figures.len(), 52);
    let labels = |v: &Value| -> Vec<String> {
        let s = v["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "vaccination")
            .unwrap();
        s["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["label"].as_str().unwrap().to_owned())
            .collect()
    };
    // The API: the first 50, and it says more had figures.
    let (s, v) = api(&app, &t, "GET", "/api/v1/dashboard", Value::Null).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["campaigns_cut"], true, "{v}");
    assert_eq!(labels(&v), with_figures[..50]);
    // The page says so. Management alone may not open the paged campaign
    // list, so it gets the text without a link (a link would answer 403).
    let (s, html) = app.get(&boss, "/staff/dashboard").await;
    assert_eq!(s, 200);
    let at = html.find("id=\"campaigns-cut\"").expect("the cut is said");
    let cut = &html[at..at + html[at..].find("</p>").expect("the paragraph ends")];
    assert!(cut.contains("Meer dan 50 campagnes"), "{html}");
    assert!(!cut.contains("href="), "{cut}");
    // A coordinator who also sees the dashboard gets the link, and it opens.
    let coordinator = app
        .signed_in(
            "coordinatie@leuven.example",
            &["management", "vaccination_coordinator"],
        )
        .await;
    let (s, html) = app.get(&coordinator, "/staff/dashboard").await;
    assert_eq!(s, 200);
    let at = html.find("id=\"campaigns-cut\"").expect("the cut is said");
    assert!(html[at..].contains("href=\"/staff/vaccination\""), "{html}");
    let (s, _) = app.get(&coordinator, "/staff/vaccination").await;
    assert_eq!(s, 200, "the link opens for whom it is shown");
    assert!(
        !html.contains(&format!("{}<", with_figures[50])),
        "the 51st with figures is left out"
    );
    // The CSV download has every campaign with figures.
    let (from, to) = (v["from"].as_str().unwrap(), v["to"].as_str().unwrap());
    let r = boss
        .get(app.url(&format!(
            "/staff/dashboard/vaccination.csv?from={from}&to={to}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    let names: Vec<&str> = body
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(names, with_figures);
    // Fewer than 51 with figures: all listed, nothing said.
    sqlx::query("DELETE FROM vac_reserve WHERE id IN ('res-00', 'res-01', 'res-02')")
        .execute(app.store.pool())
        .await
        .unwrap();
    let (_, v) = api(&app, &t, "GET", "/api/v1/dashboard", Value::Null).await;
    assert_eq!(v["campaigns_cut"], false);
    assert_eq!(labels(&v), with_figures[3..]);
    let (_, html) = app.get(&boss, "/staff/dashboard").await;
    assert!(!html.contains("id=\"campaigns-cut\""));
    app.stop().await;
}
