//! Five more lists that grow (issue 19, item 4, part 4): a service's
//! versions in the service editor, the vaccination campaigns (page, API
//! and CSV), the telework corrections waiting to be paid (page and CSV),
//! the shift planner's coverage window (previous and next by 14 days) and
//! the planner's shifts as CSV. Each walked forward and back over more rows
//! than a page (with equal first sort keys where the list has two), its
//! total against SQL and past a small cap, bad cursors and limits refused
//! naming the field, and its CSV whole and in order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::walk::*;
use crate::common::*;
use serde_json::Value;

/// The texts between `prefix` and the next `end`, in order.
fn between(html: &str, prefix: &str, end: char) -> Vec<String> {
    html.split(prefix)
        .skip(1)
        .filter_map(|s| s.split(end).next())
        .map(str::to_owned)
        .collect()
}

/// Who else must not see `paths`: 403 for a finance clerk.
async fn forbidden_to_others(app: &TestApp, paths: &[&str]) {
    let other = app.signed_in("fin@leuven.example", &["finance"]).await;
    for path in paths {
        let r = other.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
}

#[tokio::test]
async fn service_versions_are_paged_with_a_total() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let c = app.signed_in("admin@leuven.example", &["admin"]).await;
    let service = loket_store::cases::service_by_slug(&app.store, "move")
        .await
        .unwrap()
        .unwrap();
    let other = loket_store::cases::service_by_slug(&app.store, "parking-permit")
        .await
        .unwrap()
        .unwrap();
    // 120 more versions of one service (as 120 publishes would add), 7 of another.
    let mut tx = app.store.begin().await.unwrap();
    for (id, n) in [(&service.id, 120), (&other.id, 7)] {
        for v in 0..n {
            sqlx::query(
                "INSERT INTO service_versions (service_id, version, definition, created_at, created_by) \
                 VALUES ($1, $2, '{}', $3, NULL)",
            )
            .bind(id)
            .bind(1000 + v as i64)
            .bind(1_790_000_000_000_i64 + v as i64)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
    let expected: Vec<String> = column(
        &app,
        "SELECT CAST(version AS TEXT) AS k FROM service_versions WHERE service_id = $1 \
         ORDER BY version DESC",
        &[&service.id],
    )
    .await;
    let n = expected.len();
    assert!(n > 120, "the seed's versions and 120 more");
    let versions = |html: &str| between(html, "<tr><td class=\"num\">", '<');
    let total = format!("{n} in totaal");
    // Every version once, newest first.
    walk_html_pages(
        &app,
        &c,
        "/admin/services/move",
        13,
        &total,
        &versions,
        &expected,
    )
    .await;
    // A cursor of another list is refused too.
    let foreign = loket_domain::paging::Cursor::new(
        &loket_store::cases::EXPORT_PAGING,
        loket_domain::paging::Direction::After,
        vec![1.into(), "x".into()],
    )
    .encode();
    refused_naming(
        &app,
        &c,
        &format!("/admin/services/move?cursor={foreign}"),
        "Paginalink",
    )
    .await;

    let t = loket_store::cases::versions_total(&app.store, &service.id, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    let t = loket_store::cases::versions_total(&app.store, &other.id, 1000)
        .await
        .unwrap();
    assert!(t.exact && t.count >= 7 && (t.count as usize) < n);
    // No download of a per-record history.
    let (_, html) = app.get(&c, "/admin/services/move").await;
    assert!(!html.contains(".csv"), "no CSV link");
    forbidden_to_others(&app, &["/admin/services/move"]).await;
    app.stop().await;
}

/// `n` campaigns `camp-000`… opening at four instants only (so many share
/// the first sort key), every third one closed.
async fn seed_campaigns(app: &TestApp, n: usize) {
    let mut tx = app.store.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO appt_locations (id, slug, name, address, active, created_at, updated_at) \
         VALUES ('loc-vac', 'vac-centrum', 'Vaccinatiecentrum', 'Straat 1', 1, 0, 0)",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    for i in 0..n {
        let slug = format!("camp-{:03}", (i * 37) % 1000);
        sqlx::query(
            "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, active, created_at, updated_at) \
             VALUES ($1, $2, 'Vaccin', 'Vaccine', 10, 0, 0, 0)",
        )
        .bind(format!("svc-{slug}"))
        .bind(format!("vac-{slug}"))
        .execute(&mut *tx)
        .await
        .unwrap();
        let name = if i == 5 {
            "=HYPERLINK(\"http://x\")".to_owned()
        } else {
            format!("Campagne {i}")
        };
        sqlx::query(
            "INSERT INTO vac_campaigns (id, slug, name, vaccine, location_id, service_id, lines, per_line, \
             slot_minutes, observation_minutes, admit_per_minute, admit_burst, opens_at, status, version, \
             created_at, updated_at) \
             VALUES ($1, $2, $3, 'Griep', 'loc-vac', $4, 4, 2, 10, 15, 60, 1, $5, $6, 0, 0, 0)",
        )
        .bind(format!("id-{slug}"))
        .bind(&slug)
        .bind(&name)
        .bind(format!("svc-{slug}"))
        .bind(1_790_000_000_000_i64 + (i as i64 % 4) * 86_400_000)
        .bind(if i % 3 == 0 { "closed" } else { "open" })
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn vaccination_campaigns_are_paged_with_a_total_and_csv() {
    let app = TestApp::spawn().await;
    seed_campaigns(&app, 110).await;
    let c = app
        .signed_in("coord@leuven.example", &["vaccination_coordinator"])
        .await;
    let expected = column(
        &app,
        "SELECT slug AS k FROM vac_campaigns ORDER BY opens_at DESC, slug DESC",
        &[],
    )
    .await;
    assert_eq!(expected.len(), 110);
    let slugs = |html: &str| -> Vec<String> {
        between(html, "href=\"/staff/vaccination/", '"')
            .into_iter()
            .filter(|k| k.starts_with("camp-") && !k.contains('/'))
            .collect()
    };
    // Every campaign once, latest first.
    walk_html_pages(
        &app,
        &c,
        "/staff/vaccination",
        9,
        "110 in totaal",
        &slugs,
        &expected,
    )
    .await;
    let (_, html) = app.get(&c, "/staff/vaccination").await;
    assert!(
        html.contains("href=\"/staff/vaccination/campaigns.csv\""),
        "the CSV link"
    );
    // Centre staff see the list too (without the coordinator's links).
    let staff = app
        .signed_in("vs@leuven.example", &["vaccination_staff"])
        .await;
    let (s, html) = app.get(&staff, "/staff/vaccination").await;
    assert_eq!(s, 200);
    assert!(html.contains("110 in totaal"));

    let t = loket_store::vaccination::campaigns_total(&app.store, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    let t = loket_store::vaccination::campaigns_total(&app.store, 110)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (110, true));

    // The API: the same list, a page at a time.
    let token = token(&app, "api@leuven.example", &["vaccination_coordinator"]).await;
    let seen = walk_api(
        &app,
        &token,
        "/api/v1/vaccination/campaigns",
        25,
        110,
        &|v: &Value| v["slug"].as_str().unwrap().to_owned(),
    )
    .await;
    assert_eq!(seen, expected);

    // The CSV: a header and every campaign, latest first, formulas neutralised.
    let lines = csv_lines(&app, &c, "/staff/vaccination/campaigns.csv", "campaigns-").await;
    assert_eq!(lines.len(), 111, "a header and every campaign");
    assert!(lines[0].starts_with("Korte naam"), "{}", lines[0]);
    let csv_slugs: Vec<String> = lines[1..].iter().map(|l| first_field(l)).collect();
    assert_eq!(csv_slugs, expected);
    let formula = lines
        .iter()
        .find(|l| l.contains("HYPERLINK"))
        .expect("the formula's row");
    assert!(formula.contains(",\"'=HYPERLINK"), "{formula}");

    // The public landing page offers the open campaigns only.
    let (s, html) = app.get(&app.client(), "/vaccinatie").await;
    assert_eq!(s, 200);
    let open = column(
        &app,
        "SELECT slug AS k FROM vac_campaigns WHERE status = 'open' ORDER BY slug",
        &[],
    )
    .await;
    for slug in &expected {
        assert_eq!(
            html.contains(&format!("/vaccinatie/{slug}\"")),
            open.contains(slug),
            "{slug} on the landing page"
        );
    }
    forbidden_to_others(
        &app,
        &["/staff/vaccination", "/staff/vaccination/campaigns.csv"],
    )
    .await;
    app.stop().await;
}

/// `n` corrections waiting to be paid for ten staff members, made at
/// three instants only (so many share the first sort key), with reasons
/// `corr-0000`…, one a formula; and 5 paid ones (not listed).
async fn seed_corrections(app: &TestApp, n: usize) {
    let mut tx = app.store.begin().await.unwrap();
    for s in 0..10 {
        sqlx::query(
            "INSERT INTO staff_members (id, employee_no, name, email, department, regime_percent, \
             telework_eligible, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'ICT', 100, 1, 0, 0)",
        )
        .bind(format!("staff-{s}"))
        .bind(format!("E{s:04}"))
        .bind(format!("Medewerker {s}"))
        .bind(format!("m{s}@leuven.example"))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    for i in 0..n + 5 {
        let reason = if i == 3 {
            "=corr-0003".to_owned()
        } else {
            format!("corr-{i:04}")
        };
        sqlx::query(
            "INSERT INTO telework_corrections (id, staff_id, for_month, full_days, half_days, reason, \
             created_by, created_at, paid_in_month) VALUES ($1, $2, '2026-10', $3, $4, $5, NULL, $6, $7)",
        )
        .bind(format!("c-{:04}", (i * 37) % 1000))
        .bind(format!("staff-{}", i % 10))
        .bind(1 + i as i64 % 3)
        .bind(i as i64 % 2)
        .bind(&reason)
        .bind(1_790_000_000_000_i64 + (i as i64 % 3) * 1000)
        .bind(if i >= n { Some("2026-11") } else { None })
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn telework_pending_corrections_are_paged_with_a_total_and_csv() {
    let app = TestApp::spawn().await;
    seed_corrections(&app, 105).await;
    let c = app.signed_in("hr@leuven.example", &["hr"]).await;
    let expected = column(
        &app,
        "SELECT reason AS k FROM telework_corrections WHERE paid_in_month IS NULL \
         ORDER BY created_at, id",
        &[],
    )
    .await;
    assert_eq!(expected.len(), 105);
    let reasons = |html: &str| -> Vec<String> {
        between(html, "<td>", '<')
            .into_iter()
            .filter(|t| t.contains("corr-"))
            .map(|t| t.replace("&#61;", "=").replace("&#x3d;", "="))
            .collect()
    };
    // Every correction once, oldest first.
    walk_html_pages(
        &app,
        &c,
        "/staff/telework",
        8,
        "105 in totaal",
        &reasons,
        &expected,
    )
    .await;
    let (_, html) = app.get(&c, "/staff/telework").await;
    assert!(
        html.contains("href=\"/staff/telework/corrections.csv\""),
        "the CSV link"
    );

    let t = loket_store::telework::pending_corrections_total(&app.store, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    let t = loket_store::telework::pending_corrections_total(&app.store, 105)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (105, true));

    let lines = csv_lines(
        &app,
        &c,
        "/staff/telework/corrections.csv",
        "telework-corrections-",
    )
    .await;
    assert_eq!(lines.len(), 106, "a header and every correction");
    assert!(lines[0].starts_with("Personeelsnummer,"), "{}", lines[0]);
    let csv_reasons: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.rsplit(',').next().unwrap().trim_matches('"').to_owned())
        .collect();
    assert_eq!(csv_reasons, neutralised(&expected), "formulas neutralised");
    let staff_of = column(
        &app,
        "SELECT s.employee_no AS k FROM telework_corrections c JOIN staff_members s ON s.id = c.staff_id \
         WHERE c.paid_in_month IS NULL ORDER BY c.created_at, c.id",
        &[],
    )
    .await;
    let csv_staff: Vec<String> = lines[1..].iter().map(|l| first_field(l)).collect();
    assert_eq!(csv_staff, staff_of);
    forbidden_to_others(
        &app,
        &["/staff/telework", "/staff/telework/corrections.csv"],
    )
    .await;
    app.stop().await;
}

/// Open shifts on 40 days from 2090-01-01 (two roles on every other day).
async fn seed_coverage(app: &TestApp) {
    let mut tx = app.store.begin().await.unwrap();
    let actor = loket_domain::audit::Actor::System;
    let a = loket_store::shifts::add_role(
        &mut tx,
        &actor,
        "vaccinator",
        "Vaccinator",
        "Vaccinator",
        None,
    )
    .await
    .unwrap();
    let b = loket_store::shifts::add_role(&mut tx, &actor, "onthaal", "Onthaal", "Reception", None)
        .await
        .unwrap();
    let start = jiff::civil::date(2090, 1, 1);
    for k in 0..40_i64 {
        let day = start.checked_add(jiff::Span::new().days(k)).unwrap();
        for (j, role) in [&a, &b].into_iter().enumerate() {
            if j == 1 && k % 2 == 1 {
                continue;
            }
            let at = 3_786_000_000_000_i64 + (k * 2 + j as i64) * 3_600_000;
            sqlx::query(
                "INSERT INTO shift_shifts (id, role_id, day, starts_at, ends_at, headcount, filled, \
                 release_at, status, sequence, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, 4, 1, 0, 'open', 0, 0, 0)",
            )
            .bind(format!("cov-{k:03}-{j}"))
            .bind(role)
            .bind(day.to_string())
            .bind(at)
            .bind(at + 1_800_000)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
}

/// The coverage view's link to the window before or after (`which`): the
/// page's `rel` pager is the one of its shifts with open places.
fn window_link(html: &str, which: &str) -> Option<String> {
    let at = html.find(&format!("id=\"window-{which}\""))?;
    let start = html[..at].rfind("href=\"")? + 6;
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

#[tokio::test]
async fn shift_coverage_moves_by_fourteen_days() {
    let app = TestApp::spawn().await;
    seed_coverage(&app).await;
    let c = app
        .signed_in("plan@leuven.example", &["vaccination_coordinator"])
        .await;
    let days = |html: &str| -> Vec<String> {
        let mut d = between(html, "<td><a href=\"/staff/shifts?day=", '"');
        d.dedup();
        d
    };
    let day = |k: i64| {
        jiff::civil::date(2090, 1, 1)
            .checked_add(jiff::Span::new().days(k))
            .unwrap()
            .to_string()
    };
    // From the first day, next twice: every day once, 14 at a time.
    let mut at = "/staff/shifts/coverage?from=2090-01-01".to_owned();
    let mut seen = Vec::new();
    for window in 0..3_i64 {
        let (s, html) = app.get(&c, &at).await;
        assert_eq!(s, 200, "{at}");
        assert!(
            html.contains(&format!(
                "Van {} tot en met {}",
                day(window * 14),
                day(window * 14 + 13)
            )),
            "{html}"
        );
        let shown = days(&html);
        assert!(shown.len() <= 14);
        seen.extend(shown);
        let prev = window_link(&html, "prev").expect("a previous window");
        assert_eq!(
            prev,
            format!("/staff/shifts/coverage?from={}", day(window * 14 - 14))
        );
        at = window_link(&html, "next").expect("a next window");
        assert_eq!(
            at,
            format!("/staff/shifts/coverage?from={}", day(window * 14 + 14))
        );
    }
    let all: Vec<String> = (0..40).map(day).collect();
    assert_eq!(seen, all, "every day with shifts once, in order");
    // Back from the third window: the second one's days.
    let (_, html) = app.get(&c, "/staff/shifts/coverage?from=2090-01-29").await;
    let prev = window_link(&html, "prev").unwrap();
    let (_, html) = app.get(&c, &prev).await;
    assert_eq!(days(&html), all[14..28]);
    // Without a date: from today, still with both links.
    let (s, html) = app.get(&c, "/staff/shifts/coverage").await;
    assert_eq!(s, 200);
    assert!(window_link(&html, "next").is_some());
    assert!(window_link(&html, "prev").is_some());
    // A bad date: a 400 that names the field.
    for bad in ["2090-13-01", "morgen", "2090-02-30", "0001-01-01"] {
        refused_naming(
            &app,
            &c,
            &format!("/staff/shifts/coverage?from={bad}"),
            "Van: geef een dag zoals",
        )
        .await;
    }
    // The shifts with open places are paged on the same page: see
    // paging::histories.
    forbidden_to_others(&app, &["/staff/shifts/coverage?from=2090-01-01"]).await;
    app.stop().await;
}

#[tokio::test]
async fn shift_planner_shifts_download_as_csv() {
    let app = TestApp::spawn().await;
    let c = app
        .signed_in("plan@leuven.example", &["vaccination_coordinator"])
        .await;
    let listed = super::runs::seed_shift_days(&app, 400).await;
    let today = loket_web::i18n::today_brussels().to_string();
    let expected = column(
        &app,
        "SELECT day AS k FROM shift_shifts WHERE day >= $1 AND status = 'open' \
         ORDER BY day, starts_at, id",
        &[&today],
    )
    .await;
    assert!(
        expected.len() > 500,
        "more than one batch: {}",
        expected.len()
    );
    let (_, html) = app.get(&c, "/staff/shifts").await;
    assert!(html.contains("href=\"/staff/shifts.csv\""), "the CSV link");
    let lines = csv_lines(&app, &c, "/staff/shifts.csv", "shifts-").await;
    assert_eq!(lines.len(), expected.len() + 1, "a header and every shift");
    assert_eq!(lines[0], "Dag,Uur,Rol,Nodig,Bezet");
    let csv_days: Vec<String> = lines[1..].iter().map(|l| first_field(l)).collect();
    assert_eq!(csv_days, expected, "every open shift once, in order");
    let mut days = csv_days.clone();
    days.dedup();
    assert_eq!(days, listed, "the days of the day list, no other");
    let cells: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(cells[2..], ["Vaccinator", "4", "0"]);
    assert!(cells[1].contains('–'), "a time span: {}", cells[1]);
    forbidden_to_others(&app, &["/staff/shifts.csv"]).await;
    app.stop().await;
}
