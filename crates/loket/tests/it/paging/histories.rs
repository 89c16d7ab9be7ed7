//! The last lists cut off in issue 19, item 4, now keyset-paged: an
//! asset's loans (on its page), a staff file's payroll lines (on the
//! file), a campaign's print batches (their own page, the campaign's page
//! giving the total and the newest) and the coverage view's shifts with
//! open places; an article's versions (on its page), a contact moment's
//! forwards (on its page) and its messages (their own page, the moment's
//! page giving the total and the newest). Each walked forward and back through its pager over more
//! rows than a page, with equal first sort keys, at the default limit and
//! at a limit kept across pages; every row once, in the order SQL gives;
//! the total shown; the total past a small cap says "more than"; a bad
//! cursor (also one of another list) and bad limits refused, naming the
//! field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::caps::{bulk_assets, bulk_insert, staff_record};
use super::walk::*;
use crate::common::*;
use loket_domain::paging::{Cursor, Direction};

/// A cursor of another list (the asset list's), refused by every list here.
fn foreign_cursor() -> String {
    Cursor::new(
        &loket_store::assets::ASSET_PAGING,
        Direction::After,
        vec!["L-0001".into()],
    )
    .encode()
}

/// Walks the pages at `path` ([`walk_html_pages`]) and checks that a cursor
/// of another list is refused there, naming the page link.
async fn walk_and_refuse_foreign(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    limit: usize,
    total_text: &str,
    rows: &dyn Fn(&str) -> Vec<String>,
    expected: &[String],
) {
    walk_html_pages(app, c, path, limit, total_text, rows, expected).await;
    let foreign = with(path, &format!("cursor={}", foreign_cursor()));
    refused_naming(app, c, &foreign, "Paginalink").await;
}

#[tokio::test]
async fn an_assets_loans_are_paged_with_a_total() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("ict@leuven.example", &["ict"]).await;
    let ids = bulk_assets(&app, "HX", 2).await;
    sqlx::query(
        "INSERT INTO asset_handovers (id, borrower_user_id, place, created_at, created_by) \
         VALUES ('ho-hx', NULL, 'Balie', 1, 'system')",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    // 130 returned loans of the first asset, three at a time out at the
    // same instant; 7 of the second asset (not in the first one's history).
    let loans = |asset: &str, from: usize, to: usize| -> Vec<String> {
        (from..to)
            .map(|i| {
                format!(
                    "('hx-{i:03}', '{asset}', 'ho-hx', NULL, 'Plaats-{i:03}', {}, '2026-01-01', {}, 'system')",
                    1000 + i / 3,
                    2000 + i
                )
            })
            .collect()
    };
    let insert = "INSERT INTO asset_loans (id, asset_id, handover_id, borrower_user_id, place, \
                  out_at, due_on, in_at, created_by)";
    bulk_insert(&app, insert, loans(&ids[0], 0, 130)).await;
    bulk_insert(&app, insert, loans(&ids[1], 130, 137)).await;
    let expected = column(
        &app,
        "SELECT place AS k FROM asset_loans WHERE asset_id = $1 ORDER BY out_at DESC, id DESC",
        &[&ids[0]],
    )
    .await;
    assert_eq!(expected.len(), 130);
    let path = format!("/staff/assets/{}", ids[0]);
    let places = |html: &str| tokens(html, "Plaats-");
    walk_and_refuse_foreign(&app, &c, &path, 13, "130 in totaal", &places, &expected).await;
    // The total past a cap.
    let t = loket_store::assets::asset_loans_total(&app.store, &ids[0], 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    let t = loket_store::assets::asset_loans_total(&app.store, &ids[1], 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (7, true));
    // In English too.
    app.get(&c, "/lang/en").await;
    let (s, html) = app.get(&c, &path).await;
    assert_eq!(s, 200);
    assert!(html.contains("130 in total"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn a_staff_files_payroll_lines_are_paged_with_a_total() {
    let app = TestApp::spawn().await;
    let hr = app.signed_in("hr@leuven.example", &["hr"]).await;
    staff_record(&app, "E8", "piet@leuven.example", None).await;
    staff_record(&app, "E9", "an@leuven.example", None).await;
    let staff = column(
        &app,
        "SELECT id AS k FROM staff_members WHERE employee_no IN ('E8', 'E9') ORDER BY employee_no",
        &[],
    )
    .await;
    // The i-th month from 2000-01, closed; E8 has an allowance line in each
    // of 110 months and, in every fifth month, corrections of the two
    // months before it (three lines paid in the same month); E9 has one.
    let month = |i: usize| format!("{}-{:02}", 2000 + i / 12, 1 + i % 12);
    bulk_insert(
        &app,
        "INSERT INTO telework_periods (month, writes, closed_at, closed_by)",
        (0..110)
            .map(|i| format!("('{}', 0, 1, NULL)", month(i)))
            .collect(),
    )
    .await;
    let line = |id: String, staff: &str, no: &str, m: &str, kind: &str, for_m: &str| {
        format!(
            "('{id}', '{m}', '{staff}', '{no}', 'Piet', 'ICT', '{for_m}', '{kind}', 2, 1, 0, 300, 300, 1, 0)"
        )
    };
    let mut values = Vec::new();
    for i in 0..110 {
        let m = month(i);
        values.push(line(
            format!("pl-{i:03}"),
            &staff[0],
            "E8",
            &m,
            "allowance",
            &m,
        ));
        if i % 5 == 4 {
            for back in 1..=2 {
                values.push(line(
                    format!("pc-{i:03}-{back}"),
                    &staff[0],
                    "E8",
                    &m,
                    "correction",
                    &month(i - back),
                ));
            }
        }
    }
    values.push(line(
        "pl-e9".into(),
        &staff[1],
        "E9",
        &month(3),
        "allowance",
        &month(3),
    ));
    bulk_insert(
        &app,
        "INSERT INTO telework_pay_lines (id, month, staff_id, employee_no, name, department, \
         for_month, kind, half_units, full_days, half_days, rate_cents, amount_cents, \
         rule_version, over_tax_free)",
        values,
    )
    .await;
    let expected = column(
        &app,
        "SELECT month || ' ' || for_month AS k FROM telework_pay_lines WHERE staff_id = $1 \
         ORDER BY month DESC, kind DESC, for_month DESC",
        &[&staff[0]],
    )
    .await;
    assert_eq!(expected.len(), 110 + 22 * 2);
    // A payroll row: paid in, kind, about.
    let lines = |html: &str| -> Vec<String> {
        let a = html.find("id=\"payroll\"").unwrap();
        let b = a + html[a..].find("id=\"corrections\"").unwrap();
        html[a..b]
            .split("<tr><td>")
            .skip(1)
            .map(|row| {
                let cells: Vec<&str> = row.split("</td><td").collect();
                let about = cells[2].trim_start_matches('>');
                format!("{} {about}", cells[0])
            })
            .collect()
    };
    walk_and_refuse_foreign(
        &app,
        &hr,
        "/staff/people/E8",
        17,
        "154 in totaal",
        &lines,
        &expected,
    )
    .await;
    let t = loket_store::telework::pay_lines_total(&app.store, &staff[0], 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    // The other file: its one line, no pager links.
    let (s, html) = app.get(&hr, "/staff/people/E9").await;
    assert_eq!(s, 200);
    assert_eq!(lines(&html), [format!("{} {}", month(3), month(3))]);
    assert!(html.contains("1 in totaal"));
    assert!(super::pager_link(&html, "next").is_none());
    app.stop().await;
}

#[tokio::test]
async fn a_campaigns_print_batches_are_paged_with_a_total() {
    let app = TestApp::spawn().await;
    let c = app
        .signed_in("coord@leuven.example", &["vaccination_coordinator"])
        .await;
    for sql in [
        "INSERT INTO appt_locations (id, slug, name, address, created_at, updated_at) \
         VALUES ('loc', 'loc', 'Centrum', 'Straat 1', 0, 0)",
        "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, created_at, updated_at) \
         VALUES ('svc', 'svc', 'S', 'S', 5, 0, 0)",
        "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, created_at, updated_at) \
         VALUES ('svc2', 'svc2', 'S', 'S', 5, 0, 0)",
        "INSERT INTO vac_campaigns (id, slug, name, vaccine, location_id, service_id, lines, per_line, \
         slot_minutes, observation_minutes, admit_per_minute, admit_burst, opens_at, status, \
         created_at, updated_at) VALUES ('cmp', 'griep', 'Griep', 'V', 'loc', 'svc', \
         1, 1, 5, 15, 10, 10, 0, 'open', 0, 0)",
        "INSERT INTO vac_campaigns (id, slug, name, vaccine, location_id, service_id, lines, per_line, \
         slot_minutes, observation_minutes, admit_per_minute, admit_burst, opens_at, status, \
         created_at, updated_at) VALUES ('cmp2', 'covid', 'Covid', 'V', 'loc', 'svc2', \
         1, 1, 5, 15, 10, 10, 0, 'open', 0, 0)",
    ] {
        sqlx::query(sql).execute(app.store.pool()).await.unwrap();
    }
    // 125 print batches of one campaign, two at a time made at the same
    // instant; 3 of the other.
    let batches = |campaign: &str, from: usize, to: usize| -> Vec<String> {
        (from..to)
            .map(|i| {
                format!(
                    "('lb-{i:03}', '{campaign}', {}, NULL, {})",
                    1 + i % 7,
                    1_790_000_000_000_i64 + (i / 2) as i64 * 60_000
                )
            })
            .collect()
    };
    let insert =
        "INSERT INTO vac_letter_batches (id, campaign_id, letters, created_by, created_at)";
    bulk_insert(&app, insert, batches("cmp", 0, 125)).await;
    bulk_insert(&app, insert, batches("cmp2", 125, 128)).await;
    let expected = column(
        &app,
        "SELECT id AS k FROM vac_letter_batches WHERE campaign_id = $1 \
         ORDER BY created_at DESC, id DESC",
        &["cmp"],
    )
    .await;
    assert_eq!(expected.len(), 125);
    let links = |html: &str| tokens(html, "/staff/vaccination/griep/letters/lb-");
    let ids = |html: &str| -> Vec<String> {
        links(html)
            .into_iter()
            .map(|l| {
                l.trim_start_matches("/staff/vaccination/griep/letters/")
                    .to_owned()
            })
            .collect()
    };
    walk_and_refuse_foreign(
        &app,
        &c,
        "/staff/vaccination/griep/letters",
        11,
        "125 in totaal",
        &ids,
        &expected,
    )
    .await;
    // The campaign's page: the total, the newest five, a link to them all.
    let (s, html) = app.get(&c, "/staff/vaccination/griep").await;
    assert_eq!(s, 200, "{html}");
    let at = html.find("id=\"batches-total\"").unwrap();
    assert!(html[at..].starts_with("id=\"batches-total\">125 in totaal"));
    assert!(html[at..].contains("href=\"/staff/vaccination/griep/letters\""));
    assert_eq!(ids(&html), expected[..5]);
    // The other campaign's three.
    let (_, html) = app.get(&c, "/staff/vaccination/covid/letters").await;
    assert_eq!(ids(&html), Vec::<String>::new(), "not griep's");
    assert_eq!(tokens(&html, "letters/lb-").len(), 3);
    assert!(html.contains("3 in totaal"));
    let t = loket_store::vaccination::letter_batches_total(&app.store, "cmp", 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    // Only coordinators.
    let other = app.signed_in("fin@leuven.example", &["finance"]).await;
    let r = other
        .get(app.url("/staff/vaccination/griep/letters"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn the_coverage_views_open_shifts_are_paged_with_a_total() {
    let app = TestApp::spawn().await;
    let c = app
        .signed_in("plan@leuven.example", &["vaccination_coordinator"])
        .await;
    let mut tx = app.store.begin().await.unwrap();
    let role = loket_store::shifts::add_role(
        &mut tx,
        &loket_domain::audit::Actor::System,
        "vaccinator",
        "Vaccinator",
        "Vaccinator",
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // Shifts over the 14 days from 2090-03-01, two at a time starting at the
    // same instant: every seventh full, every eleventh cancelled (neither
    // has open places); and open shifts on the day after the window.
    let day0 = jiff::civil::date(2090, 3, 1);
    let mut values = Vec::new();
    for i in 0..150_i64 {
        let day = day0.checked_add(jiff::Span::new().days(i / 11)).unwrap();
        let at = 3_792_000_000_000_i64 + (i / 2) * 1_800_000;
        let filled = if i % 7 == 3 { 4 } else { i % 4 };
        let status = if i % 11 == 5 { "cancelled" } else { "open" };
        values.push(format!(
            "('gap-{i:03}', '{role}', '{day}', {at}, {}, 4, {filled}, 0, '{status}', 0, 0, 0)",
            at + 1_800_000
        ));
    }
    assert!(
        day0.checked_add(jiff::Span::new().days(149 / 11)).unwrap()
            <= jiff::civil::date(2090, 3, 14)
    );
    for i in 0..5_i64 {
        let at = 3_793_500_000_000_i64 + i * 60_000;
        values.push(format!(
            "('late-{i:03}', '{role}', '2090-03-15', {at}, {}, 4, 0, 0, 'open', 0, 0, 0)",
            at + 1_800_000
        ));
    }
    bulk_insert(
        &app,
        "INSERT INTO shift_shifts (id, role_id, day, starts_at, ends_at, headcount, filled, \
         release_at, status, sequence, created_at, updated_at)",
        values,
    )
    .await;
    let expected = column(
        &app,
        "SELECT id AS k FROM shift_shifts WHERE day >= $1 AND day <= $2 AND status = 'open' \
         AND filled < headcount ORDER BY starts_at, id",
        &["2090-03-01", "2090-03-14"],
    )
    .await;
    assert!(
        expected.len() > 100 && expected.len() < 150,
        "{}",
        expected.len()
    );
    assert!(expected.iter().all(|id| id.starts_with("gap-")));
    let shown = |html: &str| -> Vec<String> {
        tokens(html, "href=\"/staff/shifts/gap-")
            .into_iter()
            .map(|t| t.trim_start_matches("href=\"/staff/shifts/").to_owned())
            .collect()
    };
    walk_and_refuse_foreign(
        &app,
        &c,
        "/staff/shifts/coverage?from=2090-03-01",
        9,
        &format!("{} in totaal", expected.len()),
        &shown,
        &expected,
    )
    .await;
    // A bad limit keeps naming the field with the window given.
    refused_naming(
        &app,
        &c,
        "/staff/shifts/coverage?from=2090-03-01&limit=0",
        "Rijen per pagina",
    )
    .await;
    // The next window has the five late ones only.
    let (_, html) = app.get(&c, "/staff/shifts/coverage?from=2090-03-15").await;
    assert_eq!(tokens(&html, "href=\"/staff/shifts/late-").len(), 5);
    assert!(html.contains("5 in totaal"));
    let t = loket_store::shifts::gaps_total(&app.store, "2090-03-01", "2090-03-14", 0, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    app.stop().await;
}

/// A contact moment `cm` (of no resident) and a department to forward to;
/// and a second moment `cm2`.
async fn contact_moments(app: &TestApp) {
    for sql in [
        "INSERT INTO contact_departments (id, slug, name_nl, name_en, sla_days, created_at) \
         VALUES ('dep', 'burgerzaken', 'Burgerzaken', 'Civil affairs', 5, 0)",
        "INSERT INTO contact_moments (id, reference, channel, status, contact_name, contact_email, \
         subject, question, created_at, updated_at) \
         VALUES ('cm', 'CM-1', 'email', 'forwarded', 'An', 'an@example.org', 'Verhuis', 'Waar?', 1, 1)",
        "INSERT INTO contact_moments (id, reference, channel, status, contact_name, contact_email, \
         subject, question, created_at, updated_at) \
         VALUES ('cm2', 'CM-2', 'email', 'forwarded', 'Piet', 'piet@example.org', 'Afval', 'Wanneer?', 1, 1)",
    ] {
        sqlx::query(sql).execute(app.store.pool()).await.unwrap();
    }
}

#[tokio::test]
async fn an_articles_versions_are_paged_with_a_total() {
    let app = TestApp::spawn().await;
    let c = app
        .signed_in("agent@leuven.example", &["contact_centre"])
        .await;
    for (id, slug) in [("art", "artikel"), ("art2", "ander")] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO contact_articles (id, slug, version, title_nl, title_en, body_nl, body_en, \
             created_at, updated_at) VALUES ('{id}', '{slug}', 1, 'Artikel', 'Article', 'Tekst', 'Text', 0, 1)"
        )))
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    // 123 versions of one article (saved at instants out of version order,
    // some at the same instant: the version number orders them); 4 of the
    // other.
    let versions = |article: &str, from: usize, to: usize| -> Vec<String> {
        (from..to)
            .map(|v| {
                format!(
                    "('{article}', {v}, NULL, 'Artikel', 'Article', 'Tekst', 'Text', '', {}, NULL)",
                    1000 + (v * 7) % 40
                )
            })
            .collect()
    };
    let insert = "INSERT INTO contact_article_versions (article_id, version, department_id, title_nl, \
                  title_en, body_nl, body_en, tags, created_at, created_by)";
    bulk_insert(&app, insert, versions("art", 1, 124)).await;
    bulk_insert(&app, insert, versions("art2", 1, 5)).await;
    let expected = column(
        &app,
        "SELECT CAST(version AS TEXT) AS k FROM contact_article_versions WHERE article_id = $1 \
         ORDER BY version DESC",
        &["art"],
    )
    .await;
    assert_eq!(expected.len(), 123);
    // The version links of the versions table (not the pager's links of
    // an old version's page).
    let shown = |html: &str| -> Vec<String> {
        html.split("href=\"/staff/kb/art/versions/")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .filter(|v| v.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_owned)
            .collect()
    };
    walk_and_refuse_foreign(
        &app,
        &c,
        "/staff/kb/art",
        12,
        "123 in totaal",
        &shown,
        &expected,
    )
    .await;
    // An old version's page pages the same versions.
    let (s, html) = app.get(&c, "/staff/kb/art/versions/7?limit=10").await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(shown(&html), expected[..10]);
    let next = super::pager_link(&html, "next").unwrap();
    assert!(next.starts_with("/staff/kb/art/versions/7?"), "{next}");
    // The other article: its four, no pager links.
    let (_, html) = app.get(&c, "/staff/kb/art2").await;
    assert_eq!(
        html.matches("href=\"/staff/kb/art2/versions/").count(),
        4,
        "{html}"
    );
    assert!(html.contains("4 in totaal"));
    assert!(super::pager_link(&html, "next").is_none());
    let t = loket_store::contact::article_versions_total(&app.store, "art", 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    let t = loket_store::contact::article_versions_total(&app.store, "art2", 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (4, true));
    app.stop().await;
}

#[tokio::test]
async fn a_contact_moments_forwards_are_paged_with_a_total() {
    let app = TestApp::spawn().await;
    let c = app
        .signed_in("agent@leuven.example", &["contact_centre"])
        .await;
    contact_moments(&app).await;
    // 140 forwards of one moment, three at a time made at the same
    // instant; 3 of the other.
    let forwards = |moment: &str, from: usize, to: usize| -> Vec<String> {
        (from..to)
            .map(|i| {
                format!(
                    "('fw-{i:03}', '{moment}', 'dep', '', '2099-01-01', 'answered', 'Antwoord-{i:03}', {})",
                    10 + i / 3
                )
            })
            .collect()
    };
    let insert = "INSERT INTO contact_forwards (id, moment_id, department_id, note, due_on, status, \
                  answer, created_at)";
    // Inserted out of id order, so that the ties are ordered by id, not by
    // the order they were written.
    bulk_insert(&app, insert, forwards("cm", 70, 140)).await;
    bulk_insert(&app, insert, forwards("cm", 0, 70)).await;
    bulk_insert(&app, insert, forwards("cm2", 140, 143)).await;
    let expected = column(
        &app,
        "SELECT answer AS k FROM contact_forwards WHERE moment_id = $1 ORDER BY created_at, id",
        &["cm"],
    )
    .await;
    assert_eq!(expected.len(), 140);
    let shown = |html: &str| tokens(html, "Antwoord-");
    walk_and_refuse_foreign(
        &app,
        &c,
        "/staff/contact/cm",
        15,
        "140 in totaal",
        &shown,
        &expected,
    )
    .await;
    // A cursor of the messages' pages is not one of the forwards'.
    let (_, html) = app.get(&c, "/staff/contact/cm/messages?limit=1").await;
    assert!(super::pager_link(&html, "next").is_none(), "no messages");
    let messages_cursor = Cursor::new(
        &loket_store::contact::MOMENT_MESSAGE_PAGING,
        Direction::After,
        vec![10_i64.into(), "fw-000".into()],
    )
    .encode();
    refused_naming(
        &app,
        &c,
        &format!("/staff/contact/cm?cursor={messages_cursor}"),
        "Paginalink",
    )
    .await;
    // The other moment's three.
    let (_, html) = app.get(&c, "/staff/contact/cm2").await;
    assert_eq!(
        shown(&html),
        ["Antwoord-140", "Antwoord-141", "Antwoord-142"]
    );
    assert!(html.contains("3 in totaal"));
    let t = loket_store::contact::moment_forwards_total(&app.store, "cm", 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    // Every page read is access-logged as a view of the moment.
    let views = app
        .count(
            "SELECT COUNT(*) FROM access_log WHERE purpose = 'contact.view' AND record_id = 'cm'",
        )
        .await;
    assert!(views >= 10, "{views}");
    app.stop().await;
}

#[tokio::test]
async fn a_contact_moments_messages_are_paged_with_a_total() {
    let app = TestApp::spawn().await;
    let c = app
        .signed_in("agent@leuven.example", &["contact_centre"])
        .await;
    contact_moments(&app).await;
    // 130 messages on one moment, two at a time at the same instant; 2 on
    // the other.
    let messages = |moment: &str, from: usize, to: usize| -> Vec<String> {
        (from..to)
            .map(|i| {
                format!(
                    "('msg-{i:03}', '{moment}', 'in', '', 'Re', 'Bericht-{i:03}', {})",
                    10 + i / 2
                )
            })
            .collect()
    };
    let insert = "INSERT INTO contact_messages (id, moment_id, direction, sender, subject, body, created_at)";
    bulk_insert(&app, insert, messages("cm", 65, 130)).await;
    bulk_insert(&app, insert, messages("cm", 0, 65)).await;
    bulk_insert(&app, insert, messages("cm2", 130, 132)).await;
    let expected = column(
        &app,
        "SELECT body AS k FROM contact_messages WHERE moment_id = $1 ORDER BY created_at, id",
        &["cm"],
    )
    .await;
    assert_eq!(expected.len(), 130);
    let shown = |html: &str| tokens(html, "Bericht-");
    let before = app
        .count(
            "SELECT COUNT(*) FROM access_log WHERE purpose = 'contact.view' AND record_id = 'cm'",
        )
        .await;
    walk_html_pages(
        &app,
        &c,
        "/staff/contact/cm/messages",
        13,
        "130 in totaal",
        &shown,
        &expected,
    )
    .await;
    // Each page read is logged as a view of the moment (staff reading a
    // resident's messages).
    let after = app
        .count(
            "SELECT COUNT(*) FROM access_log WHERE purpose = 'contact.view' AND record_id = 'cm'",
        )
        .await;
    assert!(after - before >= 3 + 10 + 10, "{before} {after}");
    refused_naming(
        &app,
        &c,
        &format!("/staff/contact/cm/messages?cursor={}", foreign_cursor()),
        "Paginalink",
    )
    .await;
    // The moment's page: the newest five, oldest first, the total and a
    // link to them all.
    let (s, html) = app.get(&c, "/staff/contact/cm").await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(shown(&html), expected[125..]);
    let at = html.find("id=\"messages-total\"").unwrap();
    assert!(html[at..].starts_with("id=\"messages-total\">130 in totaal"));
    assert!(html[at..].contains("href=\"/staff/contact/cm/messages\""));
    // The other moment's two, on both pages.
    let (_, html) = app.get(&c, "/staff/contact/cm2/messages").await;
    assert_eq!(shown(&html), ["Bericht-130", "Bericht-131"]);
    assert!(html.contains("2 in totaal"));
    let (_, html) = app.get(&c, "/staff/contact/cm2").await;
    assert_eq!(shown(&html), ["Bericht-130", "Bericht-131"]);
    let t = loket_store::contact::messages_total(&app.store, "cm", 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    // An unknown moment; only agents.
    let (s, _) = app.get(&c, "/staff/contact/nope/messages").await;
    assert_eq!(s, 404);
    let other = app.signed_in("fin@leuven.example", &["finance"]).await;
    let r = other
        .get(app.url("/staff/contact/cm/messages"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // In English too.
    app.get(&c, "/lang/en").await;
    let (_, html) = app.get(&c, "/staff/contact/cm/messages").await;
    assert!(html.contains("130 in total"), "{html}");
    app.stop().await;
}
