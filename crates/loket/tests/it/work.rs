//! The staff home as a work screen (issue 20, item 3): each role's counts
//! of what waits, checked against the database with the test's own SQL, on
//! the demo city with work added: a handler's cases due and overdue, the
//! forwards of their departments, the counter's appointments and waiting
//! tickets, the team's telework months, bikes in maintenance, overdue
//! loans, shifts without enough people and data-protection requests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use loket_store::sqlx::{self, Row};

/// The counts of the work screen: `data-work` key → number.
/// Every count of the work screen links to a page its reader may open.
async fn links_open(app: &TestApp, c: &reqwest::Client, html: &str) {
    let marker = "<li";
    let mut seen = 0;
    for part in html.split(marker).skip(1) {
        if !part.contains("data-work=") {
            continue;
        }
        let i = part.find("href=\"").unwrap() + 6;
        let href = part[i..i + part[i..].find('"').unwrap()]
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        let (status, _) = app.get(c, &href).await;
        assert_eq!(status, 200, "{href}");
        seen += 1;
    }
    assert!(seen > 0);
}

pub(crate) fn work_counts(html: &str) -> std::collections::BTreeMap<String, i64> {
    let mut out = std::collections::BTreeMap::new();
    let marker = "data-work=\"";
    let mut rest = html;
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        let key_end = rest.find('"').unwrap();
        let key = rest[..key_end].to_owned();
        let n_start = rest.find('>').unwrap() + 1;
        let n_end = n_start + rest[n_start..].find('<').unwrap();
        out.insert(key, rest[n_start..n_end].trim().parse().unwrap());
    }
    out
}

async fn scalar(app: &TestApp, sql: &'static str, binds: &[&str]) -> i64 {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_one(app.store.pool())
        .await
        .unwrap()
        .get::<i64, _>(0)
}

async fn exec(app: &TestApp, sql: &'static str, binds: &[&str]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.execute(app.store.pool()).await.unwrap();
}

fn day(offset: i64) -> String {
    loket_domain::calendar::today_brussels()
        .checked_add(jiff::Span::new().days(offset))
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn staff_homes_show_what_waits_and_the_counts_match_the_database() {
    let app = TestApp::spawn().await;
    loket::demo::seed(&app.store).await.unwrap();
    let today = day(0);
    let (yesterday, in_two_days, in_a_month) = (day(-1), day(2), day(30));

    // ---- the team lead: cases, forwards, counters and a team ----
    let lead_email = loket::demo::telework::DEMO_MANAGER.0;
    let lead_id = loket_store::people::find_by_email(&app.store, lead_email)
        .await
        .unwrap()
        .unwrap()
        .id;
    let an = resident(&app, "an.work@example.org").await;
    let overdue = crate::need::case_of(&app, "move", &an).await;
    let due = crate::need::case_of(&app, "move", &an).await;
    let later = crate::need::case_of(&app, "parking-permit", &an).await;
    let closed = crate::need::case_of(&app, "move", &an).await;
    let _unassigned = crate::need::case_of(&app, "parking-permit", &an).await;
    for (number, due_date) in [
        (&overdue, &yesterday),
        (&due, &in_two_days),
        (&later, &in_a_month),
        (&closed, &yesterday),
    ] {
        exec(
            &app,
            "UPDATE cases SET assignee_id = $1, due_date = $2 WHERE number = $3",
            &[&lead_id, due_date, number],
        )
        .await;
    }
    exec(
        &app,
        "UPDATE cases SET closed_at = 1, status = 'rejected' WHERE number = $1",
        &[&closed],
    )
    .await;
    let fw_late = crate::need::forward_to(&app, "burgerzaken", 0).await;
    let fw_today = crate::need::forward_to(&app, "mobiliteit", 1).await;
    exec(
        &app,
        "UPDATE contact_forwards SET due_on = $1 WHERE id = $2",
        &[&yesterday, &fw_late.id],
    )
    .await;
    exec(
        &app,
        "UPDATE contact_forwards SET due_on = $1 WHERE id = $2",
        &[&today, &fw_today.id],
    )
    .await;
    // The counter: an all-day counter, two appointments soon, a walk-in.
    let s = crate::queue::setup(&app, 20).await;
    for minutes in [1, 2] {
        crate::queue::appointment(&app, &an, &s.identity, &s.location_id, minutes).await;
    }
    let kiosk = app.client();
    let (status, _, body) =
        crate::queue::kiosk_post(&app, &kiosk, &s, "walk-in", ("service", &s.identity)).await;
    assert_eq!(status, 303, "walk-in: {body}");

    let lead = app.client();
    let r = app
        .submit(
            &lead,
            "/login",
            "/login",
            &[
                ("email", lead_email),
                ("password", loket::demo::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (status, html) = app.get(&lead, "/staff").await;
    assert_eq!(status, 200);
    assert!(
        !html.contains("appear here once they are built") && !html.contains("zodra ze gebouwd"),
        "the stale sentence is gone"
    );
    let w = work_counts(&html);
    links_open(&app, &lead, &html).await;

    // Every count against the test's own SQL.
    assert_eq!(
        w["cases-overdue"],
        scalar(
            &app,
            "SELECT COUNT(*) FROM cases WHERE assignee_id = $1 AND closed_at IS NULL AND due_date < $2",
            &[&lead_id, &today],
        )
        .await
    );
    assert_eq!(w["cases-overdue"], 1, "{w:?}");
    assert_eq!(
        w["cases-due"],
        scalar(
            &app,
            "SELECT COUNT(*) FROM cases WHERE assignee_id = $1 AND closed_at IS NULL \
             AND due_date >= $2 AND due_date <= $3",
            &[&lead_id, &today, &day(6)],
        )
        .await
    );
    assert_eq!(w["cases-due"], 1, "{w:?}");
    // The team lead holds all_departments: every unassigned open case.
    assert_eq!(
        w["cases-unassigned"],
        scalar(
            &app,
            "SELECT COUNT(*) FROM cases WHERE assignee_id IS NULL AND closed_at IS NULL",
            &[],
        )
        .await
    );
    assert!(w["cases-unassigned"] >= 1);
    assert_eq!(
        w["forwards-overdue"],
        scalar(
            &app,
            "SELECT COUNT(*) FROM contact_forwards WHERE status = 'open' AND due_on < $1",
            &[&today],
        )
        .await
    );
    assert!(w["forwards-overdue"] >= 1);
    assert_eq!(
        w["forwards-due"],
        scalar(
            &app,
            "SELECT COUNT(*) FROM contact_forwards WHERE status = 'open' AND due_on = $1",
            &[&today],
        )
        .await
    );
    assert!(w["forwards-due"] >= 1);
    let span = loket_domain::calendar::day_span(loket_domain::calendar::today_brussels()).unwrap();
    let booked_today = sqlx::query(
        "SELECT COUNT(*) FROM appointments a JOIN appt_locations l ON l.id = a.location_id \
         WHERE l.slug = 'city-office' AND a.status = 'booked' AND a.starts_at >= $1 AND a.starts_at < $2",
    )
    .bind(span.start_ms)
    .bind(span.end_ms)
    .fetch_one(app.store.pool())
    .await
    .unwrap()
    .get::<i64, _>(0);
    assert_eq!(w["appointments-city-office"], booked_today, "{w:?}");
    assert_eq!(
        w["waiting-city-office"],
        scalar(
            &app,
            "SELECT COUNT(*) FROM queue_tickets t JOIN appt_locations l ON l.id = t.location_id \
             WHERE l.slug = 'city-office' AND t.day = $1 AND t.status = 'waiting'",
            &[&today],
        )
        .await
    );
    assert!(w["waiting-city-office"] >= 1, "{w:?}");
    // The team's months: members with days and no decision, per month.
    let lead_no = scalar(
        &app,
        "SELECT COUNT(*) FROM staff_members WHERE email = $1",
        &[lead_email],
    )
    .await;
    assert_eq!(lead_no, 1, "the team lead is on a staff record");
    let months: Vec<&String> = w.keys().filter(|k| k.starts_with("months-")).collect();
    assert_eq!(months.len(), 2, "{w:?}");
    for key in months {
        let month = key.trim_start_matches("months-").to_owned();
        let want = scalar(
            &app,
            "SELECT COUNT(*) FROM staff_members s JOIN staff_members m ON m.employee_no = s.manager_no \
             WHERE m.email = $1 \
               AND EXISTS (SELECT 1 FROM telework_days d WHERE d.staff_id = s.id AND d.month = $2) \
               AND NOT EXISTS (SELECT 1 FROM telework_months x WHERE x.staff_id = s.id AND x.month = $2 \
                               AND x.status IN ('approved', 'rejected'))",
            &[lead_email, &month],
        )
        .await;
        assert_eq!(w[key], want, "{key}");
    }
    // Roles the lead lacks show nothing of theirs.
    for absent in [
        "bikes-maintenance",
        "loans-overdue",
        "shifts-understaffed",
        "privacy-open",
    ] {
        assert!(!w.contains_key(absent), "{absent} shown to the team lead");
    }

    // ---- a handler of one department sees only its forwards and cases ----
    let h = app
        .signed_in("handler.work@leuven.example", &["case_handler"])
        .await;
    give_departments(&app, "handler.work@leuven.example", &["burgerzaken"]).await;
    let (_, html) = app.get(&h, "/staff").await;
    let hw = work_counts(&html);
    links_open(&app, &h, &html).await;
    let h_id = loket_store::people::find_by_email(&app.store, "handler.work@leuven.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(
        hw["cases-unassigned"],
        scalar(
            &app,
            "SELECT COUNT(*) FROM cases WHERE assignee_id IS NULL AND closed_at IS NULL \
             AND department IN (SELECT department FROM staff_departments WHERE user_id = $1)",
            &[&h_id],
        )
        .await
    );
    assert!(
        hw["cases-unassigned"] < w["cases-unassigned"],
        "need to know: {hw:?}"
    );
    assert_eq!(
        hw["forwards-overdue"],
        scalar(
            &app,
            "SELECT COUNT(*) FROM contact_forwards f JOIN contact_departments d ON d.id = f.department_id \
             WHERE f.status = 'open' AND f.due_on < $1 AND d.slug = 'burgerzaken'",
            &[&today],
        )
        .await
    );
    assert_eq!(
        hw["forwards-due"], 0,
        "the forward due today is mobiliteit's"
    );
    assert!(!hw.contains_key("appointments-city-office"));

    // ---- fleet, ICT, the shift planner and the privacy officer ----
    exec(
        &app,
        "UPDATE bikes SET status = 'maintenance' WHERE id = (SELECT MIN(id) FROM bikes)",
        &[],
    )
    .await;
    exec(
        &app,
        "UPDATE asset_loans SET due_on = $1 WHERE id = (SELECT MIN(id) FROM asset_loans WHERE in_at IS NULL)",
        &[&yesterday],
    )
    .await;
    let ops = app
        .signed_in(
            "ops.work@leuven.example",
            &["fleet", "ict", "vaccination_coordinator", "privacy_officer"],
        )
        .await;
    let (_, html) = app.get(&ops, "/staff").await;
    let ow = work_counts(&html);
    links_open(&app, &ops, &html).await;
    assert_eq!(
        ow["bikes-maintenance"],
        scalar(
            &app,
            "SELECT COUNT(*) FROM bikes WHERE status = 'maintenance'",
            &[]
        )
        .await
    );
    assert!(ow["bikes-maintenance"] >= 1);
    assert_eq!(
        ow["loans-overdue"],
        scalar(
            &app,
            "SELECT COUNT(*) FROM asset_loans WHERE in_at IS NULL AND due_on < $1",
            &[&today],
        )
        .await
    );
    assert!(ow["loans-overdue"] >= 1);
    assert_eq!(
        ow["shifts-understaffed"],
        scalar(
            &app,
            "SELECT COUNT(*) FROM shift_shifts WHERE status = 'open' AND filled < headcount \
             AND day >= $1 AND day <= $2",
            &[&today, &day(13)],
        )
        .await
    );
    assert_eq!(
        ow["privacy-open"],
        scalar(
            &app,
            "SELECT COUNT(*) FROM privacy_requests WHERE status IN ('open', 'in_progress')",
            &[],
        )
        .await
    );
    assert!(
        html.contains("class=\"work-urgent\""),
        "overdue loans are urgent"
    );
    for absent in ["cases-due", "forwards-due"] {
        assert!(!ow.contains_key(absent), "{absent} shown to ops");
    }
}
