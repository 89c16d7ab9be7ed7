//! The last lists paged in issue 19, item 4: the reserve list, privacy
//! requests, print batches, refused mail files, retention runs and a
//! resident's history; each walked forward and back over more rows than a
//! page with equal sort keys, its total against SQL COUNT, bad cursors and
//! limits refused, and its CSV download whole, in order and with formulas
//! neutralised. And the people pickers, which show their first matches and
//! say when more matched.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::walk::*;
use crate::common::*;
use loket_domain::audit::Actor;

/// The cells of a CSV line (quoted cells unquoted).
fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match (ch, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cell.is_empty() => quoted = true,
            (',', false) => out.push(std::mem::take(&mut cell)),
            _ => cell.push(ch),
        }
    }
    out.push(cell);
    out
}

/// The column `i` of every CSV line after the header.
fn column_of(lines: &[String], i: usize) -> Vec<String> {
    lines[1..].iter().map(|l| cells(l)[i].clone()).collect()
}

/// The rows of the list before the pager (not the pager's own links).
fn before_pager(html: &str) -> &str {
    html.split("class=\"pager\"").next().unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> String {
    loket_store::people::find_by_email(&app.store, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn reserve_list_is_paged_with_total_and_csv() {
    let (app, coord) = crate::vaccination::open_campaign("griep", "1", "2").await;
    let camp = column(
        &app,
        "SELECT id AS k FROM vac_campaigns WHERE slug = $1",
        &["griep"],
    )
    .await
    .remove(0);
    // 130 entries: offered, waiting and expired, in three groups, signed up
    // at four instants only (many equal keys); one name a formula.
    for i in 0..130 {
        let name = if i == 8 {
            "=R-008+1".to_owned()
        } else {
            format!("R-{i:03}")
        };
        let status = ["waiting", "offered", "waiting", "expired", "withdrawn"][i % 5];
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO vac_reserve (id, campaign_id, national_number, name, birth_date, email, phone, \
             group_rank, status, signed_up_at, offers, updated_at) \
             VALUES ($1, $2, $3, $4, '1950-01-01', 'r@example.org', NULL, {}, $5, {}, 0, 0)",
            i % 3,
            1_790_000_000_000_i64 + (i as i64 % 4) * 1000
        )))
        .bind(format!("res-{i:03}"))
        .bind(&camp)
        .bind(format!("5001010{i:04}"))
        .bind(&name)
        .bind(status)
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let order = "ORDER BY CASE status WHEN 'offered' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, \
                 group_rank, signed_up_at, id";
    let names: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT name FROM vac_reserve WHERE campaign_id = $1 {order}"
    )))
    .bind(&camp)
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| sqlx::Row::try_get::<String, _>(r, "name").unwrap())
    .collect();
    assert_eq!(names.len(), 130);
    let expected: Vec<String> = names
        .iter()
        .map(|n| n.trim_start_matches('=').trim_end_matches("+1").to_owned())
        .collect();

    // The campaign page says how many, and links to the list.
    let (_, html) = app.get(&coord, "/staff/vaccination/griep").await;
    assert!(html.contains("130 in totaal"), "{html}");
    assert!(html.contains("href=\"/staff/vaccination/griep/reserve\""));
    assert!(
        tokens(&html, "R-").is_empty(),
        "the entries on their own page"
    );

    let rows = |html: &str| tokens(before_pager(html), "R-");
    let shown = walk_html(
        &app,
        &coord,
        "/staff/vaccination/griep/reserve?limit=40",
        "130 in totaal",
        &rows,
    )
    .await;
    assert_eq!(shown, expected, "every entry once, in priority order");
    let (_, html) = app.get(&coord, "/staff/vaccination/griep/reserve").await;
    assert!(html.contains("plaats aangeboden"), "statuses in words");
    assert!(html.contains("href=\"/staff/vaccination/griep/reserve.csv\""));
    let logged = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'reserve list'")
        .await;
    assert!(
        logged >= 130,
        "every entry shown is access-logged: {logged}"
    );
    let t = loket_store::vaccination::reserve_total(&app.store, &camp, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));

    let lines = csv_lines(
        &app,
        &coord,
        "/staff/vaccination/griep/reserve.csv",
        "reserve-griep-",
    )
    .await;
    assert_eq!(lines.len(), 131, "a header and every entry");
    assert!(lines[0].starts_with("Naam,"), "{}", lines[0]);
    assert_eq!(
        column_of(&lines, 0),
        neutralised(&names),
        "in order, formulas neutralised"
    );
    let logged = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'reserve csv'")
        .await;
    assert_eq!(logged, 130, "one row per person");
    let staff = app
        .signed_in("centre@leuven.example", &["vaccination_staff"])
        .await;
    for path in [
        "/staff/vaccination/griep/reserve",
        "/staff/vaccination/griep/reserve.csv",
    ] {
        let r = staff.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn privacy_requests_are_paged_with_total_and_csv() {
    let app = TestApp::spawn().await;
    let people = [
        resident(&app, "an@example.org").await,
        resident(&app, "bo@example.org").await,
        resident(&app, "cy@example.org").await,
    ];
    // 120 requests, open and closed, due on four days only; each received
    // on its own day (the CSV's key).
    let statuses = ["open", "in_progress", "done", "refused", "open"];
    for i in 0..120 {
        let received = jiff::civil::date(2026, 1, 1)
            .checked_add(jiff::Span::new().days(i))
            .unwrap()
            .to_string();
        sqlx::query(
            "INSERT INTO privacy_requests (id, subject_user_id, kind, legal_basis, note, received_on, \
             deadline, status, outcome, created_by, created_at, updated_at) \
             VALUES ($1, $2, 'access', 'AVG art. 15', '', $3, $4, $5, '', 'system', 0, 0)",
        )
        .bind(format!("pr-{i:03}"))
        .bind(&people[i as usize % 3])
        .bind(&received)
        .bind(["2026-06-01", "2026-06-02", "2026-07-01", "2026-08-01"][i as usize % 4])
        .bind(statuses[i as usize % 5])
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let order = "ORDER BY CASE WHEN status IN ('done', 'refused') THEN 1 ELSE 0 END, deadline, id";
    let ids = column(
        &app,
        format!("SELECT id AS k FROM privacy_requests WHERE $1 = '' {order}").leak(),
        &[""],
    )
    .await;
    assert_eq!(ids.len(), 120);
    let dpo = app
        .signed_in("dpo@leuven.example", &["privacy_officer"])
        .await;
    let rows = |html: &str| tokens(before_pager(html), "/privacy-officer/requests/pr-");
    let shown: Vec<String> = walk_html(
        &app,
        &dpo,
        "/privacy-officer/requests?limit=25",
        "120 in totaal",
        &rows,
    )
    .await
    .iter()
    .map(|s| {
        s.trim_start_matches("/privacy-officer/requests/")
            .to_owned()
    })
    .collect();
    assert_eq!(shown, ids, "every request once, open ones first");
    let (_, html) = app.get(&dpo, "/privacy-officer/requests").await;
    assert!(html.contains("120 verzoeken, 72 nog open"), "{html}");
    assert!(html.contains("href=\"/privacy-officer/requests.csv\""));
    let t = loket_store::privacy::requests::total(&app.store, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));

    let received = column(
        &app,
        format!("SELECT received_on AS k FROM privacy_requests WHERE $1 = '' {order}").leak(),
        &[""],
    )
    .await;
    let lines = csv_lines(
        &app,
        &dpo,
        "/privacy-officer/requests.csv",
        "privacy-requests-",
    )
    .await;
    assert_eq!(lines.len(), 121);
    assert!(lines[0].starts_with("Uiterste datum,"), "{}", lines[0]);
    assert_eq!(
        column_of(&lines, 4),
        received,
        "every request once, in order"
    );
    assert!(lines.iter().any(|l| l.contains("an@example.org")));
    let logged = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'privacy-requests.csv'")
        .await;
    assert_eq!(logged, 3, "one row per person");
    let admin = app.signed_in("admin@leuven.example", &["admin"]).await;
    let r = admin
        .get(app.url("/privacy-officer/requests.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn print_batches_are_paged_with_total_and_csv() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("loket@leuven.example", &["counter"]).await;
    let me = user_id(&app, "loket@leuven.example").await;
    // 120 batches made at three instants; the oldest one's PDF on disk.
    let dir = std::env::temp_dir().join(format!("loket-batches-{}", loket_store::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let oldest = dir.join("oldest.pdf");
    std::fs::write(&oldest, b"%PDF-1.7 oldest").unwrap();
    for i in 0..120 {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO print_batches (id, created_by, created_at, count, sha256, path) \
             VALUES ($1, $2, {}, {}, $3, $4)",
            1_790_000_000_000_i64 + (i % 3) * 1000 + if i == 0 { -5000 } else { 0 },
            i + 1
        )))
        .bind(format!("pb-{i:03}"))
        .bind(&me)
        .bind(format!("sha-{i:03}"))
        .bind(if i == 0 {
            oldest.to_string_lossy().into_owned()
        } else {
            "/nonexistent".to_owned()
        })
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let expected = column(
        &app,
        "SELECT id AS k FROM print_batches WHERE $1 = '' ORDER BY created_at DESC, id DESC",
        &[""],
    )
    .await;
    assert_eq!(expected.len(), 120);
    assert_eq!(expected[119], "pb-000");
    let rows = |html: &str| tokens(before_pager(html), "/staff/letters/batches/pb-");
    let (_, html) = app.get(&c, "/staff/letters").await;
    assert!(
        html.contains("120 in totaal") && html.contains("href=\"/staff/letters/batches\""),
        "the letters page says how many and links to the batches: {html}"
    );
    let shown: Vec<String> = walk_html(&app, &c, "/staff/letters/batches", "120 in totaal", &rows)
        .await
        .iter()
        .map(|s| s.trim_start_matches("/staff/letters/batches/").to_owned())
        .collect();
    assert_eq!(shown, expected, "every batch once, newest first");
    let t = loket_store::notify::batches_total(&app.store, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    // The oldest batch (past the 100 the page once held) still opens.
    let r = c
        .get(app.url("/staff/letters/batches/pb-000.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"%PDF-1.7 oldest");

    let shas = column(
        &app,
        "SELECT sha256 AS k FROM print_batches WHERE $1 = '' ORDER BY created_at DESC, id DESC",
        &[""],
    )
    .await;
    let lines = csv_lines(&app, &c, "/staff/letters/batches.csv", "print-batches-").await;
    assert_eq!(lines.len(), 121);
    assert!(lines[0].starts_with("Aangemaakt,"), "{}", lines[0]);
    assert_eq!(column_of(&lines, 2), shas);
    let hr = app.signed_in("hr@leuven.example", &["hr"]).await;
    let r = hr
        .get(app.url("/staff/letters/batches.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    std::fs::remove_dir_all(&dir).ok();
    app.stop().await;
}

#[tokio::test]
async fn refused_mail_files_are_paged_with_total_and_csv() {
    let app = TestApp::spawn().await;
    for i in 0..130 {
        let file = if i == 6 {
            "=mail-006.eml".to_owned()
        } else {
            format!("mail-{i:03}.eml")
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO contact_mail_rejects (id, file_name, reason, created_at) \
             VALUES ($1, $2, 'no sender', {})",
            1_790_000_000_000_i64 + (i % 3) * 1000
        )))
        .bind(format!("mr-{i:03}"))
        .bind(&file)
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let files = column(
        &app,
        "SELECT file_name AS k FROM contact_mail_rejects WHERE $1 = '' ORDER BY created_at DESC, id DESC",
        &[""],
    )
    .await;
    assert_eq!(files.len(), 130);
    let expected: Vec<String> = files
        .iter()
        .map(|f| {
            f.trim_start_matches('=')
                .trim_end_matches(".eml")
                .to_owned()
        })
        .collect();
    let c = app
        .signed_in("agent@leuven.example", &["contact_centre"])
        .await;
    // 25 contacts today without an article: the report lists 20 and says so.
    let mut tx = app.store.begin().await.unwrap();
    for i in 0..25 {
        loket_store::contact::create_moment(
            &mut tx,
            &Actor::System,
            2026,
            "closed",
            &loket_store::contact::MomentParty {
                resident_id: None,
                name: "Beller",
                email: "",
            },
            &loket_domain::contact::MomentDraft {
                channel: "phone".to_owned(),
                subject: format!("Vraag {i}"),
                question: "Hoe?".to_owned(),
                answer: String::new(),
                outcome: "answered".to_owned(),
                duration_minutes: 3,
            },
            &[],
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    // The report shows the last ten, the total and a link to them all.
    let (_, html) = app.get(&c, "/staff/contact/report").await;
    assert!(html.contains("25 contacten in deze periode"), "{html}");
    assert!(html.contains("De eerste 20 ervan"), "{html}");
    assert!(html.contains("130 in totaal"), "{html}");
    assert!(html.contains("href=\"/staff/contact/mail-rejects\""));
    assert_eq!(tokens(&html, "mail-"), expected[..10]);

    let rows = |html: &str| tokens(before_pager(html), "mail-");
    let shown = walk_html(
        &app,
        &c,
        "/staff/contact/mail-rejects",
        "130 in totaal",
        &rows,
    )
    .await;
    assert_eq!(shown, expected, "every file once, newest first");
    let t = loket_store::contact::mail_rejects_total(&app.store, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    let lines = csv_lines(&app, &c, "/staff/contact/mail-rejects.csv", "mail-rejects-").await;
    assert_eq!(lines.len(), 131);
    assert_eq!(column_of(&lines, 0), neutralised(&files));
    let counter = app.signed_in("c@leuven.example", &["counter"]).await;
    for path in [
        "/staff/contact/mail-rejects",
        "/staff/contact/mail-rejects.csv",
    ] {
        let r = counter.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn retention_runs_are_paged_with_total_and_csv() {
    let app = TestApp::spawn().await;
    // 90 runs started at three instants, each with its own error text.
    for i in 0..90 {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO retention_runs (id, trigger_kind, started_at, finished_at, as_of, counts, \
             files_removed, error) VALUES ($1, 'cli', {t}, {t}, {t}, '{{\"sessions\": {i}}}', {i}, $2)",
            t = 1_790_000_000_000_i64 + (i % 3) * 1000
        )))
        .bind(format!("rr-{i:03}"))
        .bind(format!("fout-{i:03}"))
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let expected = column(
        &app,
        "SELECT error AS k FROM retention_runs WHERE error LIKE $1 ORDER BY started_at DESC, id DESC",
        &["fout-%"],
    )
    .await;
    assert_eq!(expected.len(), 90);
    let n = app.count("SELECT COUNT(*) AS n FROM retention_runs").await;
    let c = app.signed_in("admin@leuven.example", &["admin"]).await;
    let rows = |html: &str| tokens(before_pager(html), "fout-");
    let shown = walk_html(
        &app,
        &c,
        "/admin/retention?limit=20",
        &format!("{n} in totaal"),
        &rows,
    )
    .await;
    assert_eq!(shown, expected, "every run once, newest first");
    let (_, html) = app.get(&c, "/admin/retention").await;
    assert!(html.contains("href=\"/admin/retention/runs.csv\""));
    let t = loket_store::privacy::runs_total(&app.store, 50)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (50, false));
    let lines = csv_lines(&app, &c, "/admin/retention/runs.csv", "retention-runs-").await;
    assert_eq!(lines.len() as i64, n + 1);
    let errors: Vec<String> = column_of(&lines, 6)
        .into_iter()
        .filter(|e| e.starts_with("fout-"))
        .collect();
    assert_eq!(errors, expected);
    let files: Vec<String> = column(
        &app,
        "SELECT CAST(files_removed AS TEXT) AS k FROM retention_runs WHERE error LIKE $1 \
         ORDER BY started_at DESC, id DESC",
        &["fout-%"],
    )
    .await;
    let csv_files: Vec<String> = lines[1..]
        .iter()
        .map(|l| cells(l))
        .filter(|c| c[6].starts_with("fout-"))
        .map(|c| c[5].clone())
        .collect();
    assert_eq!(csv_files, files);
    app.stop().await;
}

/// The label of each history row (a moment's reference, a case's number or
/// an appointment's code), in order.
fn history_labels(html: &str) -> Vec<String> {
    before_pager(html)
        .split("<tr><td>")
        .skip(1)
        .map(|row| {
            let what = row.split("<td>").nth(2).unwrap();
            let text = match what.strip_prefix("<a href=\"") {
                Some(a) => a.split_once("\">").unwrap().1,
                None => what,
            };
            text.split(" — ").next().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_residents_history_is_paged_with_total_and_csv() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let an = resident(&app, "an@example.org").await;
    let bo = resident(&app, "bo@example.org").await;
    let t0 = 1_790_000_000_000_i64;
    // 60 contact moments of An's (and 5 of Bo's) at four instants.
    let mut tx = app.store.begin().await.unwrap();
    for i in 0..65 {
        let m = loket_store::contact::create_moment(
            &mut tx,
            &Actor::System,
            2026,
            "closed",
            &loket_store::contact::MomentParty {
                resident_id: Some(if i < 60 { &an } else { &bo }),
                name: "An",
                email: "",
            },
            &loket_domain::contact::MomentDraft {
                channel: "phone".to_owned(),
                subject: format!("Vraag {i}"),
                question: "Hoe?".to_owned(),
                answer: String::new(),
                outcome: "answered".to_owned(),
                duration_minutes: 3,
            },
            &[],
        )
        .await
        .unwrap();
        sqlx::query("UPDATE contact_moments SET created_at = $1 WHERE id = $2")
            .bind(t0 + (i % 4) * 60_000)
            .bind(&m.id)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    // 26 cases of An's at the same instants, one of them restricted.
    super::seed_cases(&app, "move", std::slice::from_ref(&an), 26, 3).await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE cases SET submitted_at = {t0} + (CAST(SUBSTR(number, 6) AS INTEGER) % 4) * 60000"
    )))
    .execute(app.store.pool())
    .await
    .unwrap();
    sqlx::query(
        "UPDATE cases SET restricted_at = 1 WHERE number = (SELECT MIN(number) FROM cases)",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    // 15 appointments of An's starting at the same instants.
    for sql in [
        "INSERT INTO appt_locations (id, slug, name, address, active, created_at, updated_at) VALUES ('loc', 'stadhuis', 'Stadhuis', 'Markt 1', 1, 0, 0)",
        "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, active, created_at, updated_at) VALUES ('asvc', 'identiteitskaart', 'Identiteitskaart', 'Identity card', 15, 1, 0, 0)",
    ] {
        sqlx::query(sql).execute(app.store.pool()).await.unwrap();
    }
    for s in 0..4_i64 {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO appt_slots (id, service_id, location_id, starts_at, ends_at, capacity, booked) \
             VALUES ($1, 'asvc', 'loc', {}, {}, 100, 0)",
            t0 + s * 60_000,
            t0 + s * 60_000 + 900_000
        )))
        .bind(format!("slot{s}"))
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    for i in 0..15_i64 {
        let s = i % 4;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO appointments (id, code, slot_id, service_id, location_id, starts_at, ends_at, \
             resident_id, status, channel, remind_at, created_at, updated_at) \
             VALUES ($1, $2, $3, 'asvc', 'loc', {}, {}, $4, 'booked', 'web', 0, 1, 1)",
            t0 + s * 60_000,
            t0 + s * 60_000 + 900_000
        )))
        .bind(format!("ap-{i:03}"))
        .bind(format!("AP{i:03}"))
        .bind(format!("slot{s}"))
        .bind(&an)
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let timeline = "SELECT 'contact' AS kind, id, created_at AS at, reference AS label FROM contact_moments \
         WHERE resident_id = $1 UNION ALL SELECT 'case', id, submitted_at, number FROM cases \
         WHERE resident_id = $1 AND restricted_at IS NULL UNION ALL SELECT 'appointment', id, starts_at, code \
         FROM appointments WHERE resident_id = $1";
    let expected = column(
        &app,
        format!("SELECT label AS k FROM ({timeline}) h ORDER BY at DESC, kind DESC, id DESC")
            .leak(),
        &[&an],
    )
    .await;
    assert_eq!(expected.len(), 60 + 25 + 15);

    let agent = app
        .signed_in("agent@leuven.example", &["contact_centre"])
        .await;
    let path = format!("/staff/contact/residents/{an}");
    let before = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'contact.history'")
        .await;
    let shown = walk_html(
        &app,
        &agent,
        &format!("{path}?limit=30"),
        "100 in totaal",
        &history_labels,
    )
    .await;
    assert_eq!(shown, expected, "every entry once, newest first");
    let after = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'contact.history'")
        .await;
    assert!(after >= before + 4, "every page read is access-logged");
    let (_, html) = app.get(&agent, &path).await;
    assert!(html.contains(&format!("href=\"{path}/history.csv\"")));
    let t = loket_store::contact::history_total(&app.store, &an, 50)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (50, false));

    let lines = csv_lines(&app, &agent, &format!("{path}/history.csv"), "history-").await;
    assert_eq!(lines.len(), 101);
    assert!(lines[0].starts_with("Wanneer,"), "{}", lines[0]);
    let labels: Vec<String> = column_of(&lines, 2)
        .iter()
        .map(|t| t.split(" — ").next().unwrap().to_owned())
        .collect();
    assert_eq!(labels, expected);
    let logged = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'contact.history.csv'")
        .await;
    assert_eq!(logged, 1, "the download is access-logged");
    let counter = app.signed_in("c@leuven.example", &["counter"]).await;
    let r = counter
        .get(app.url(&format!("{path}/history.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}

/// The people pickers show their first matches and say so when more
/// matched.
#[tokio::test]
async fn people_pickers_say_when_more_matched() {
    let app = TestApp::spawn().await;
    for i in 0..55 {
        loket::cli::user_add(
            &app.config,
            &format!("p{i:02}@leuven.example"),
            &format!("Peeters {i:02}"),
            &["employee".to_owned()],
            None,
        )
        .await
        .unwrap();
    }
    let ict = app.signed_in("ict@leuven.example", &["ict"]).await;
    let coord = app
        .signed_in("coord@leuven.example", &["vaccination_coordinator"])
        .await;
    for (c, path, shown) in [
        (&ict, "/staff/equipment?q=peeters", 50),
        (&ict, "/staff/assets/check-out?who=peeters", 20),
        (&coord, "/staff/shifts/people?q=peeters", 30),
    ] {
        let (s, html) = app.get(c, path).await;
        assert_eq!(s, 200, "{path}");
        assert!(
            html.contains(&format!("Meer dan {shown} gevonden")),
            "{path}: {html}"
        );
        let listed = html.matches("Peeters ").count();
        assert!(
            listed >= shown && listed < 55,
            "{path}: {listed} shown of 55"
        );
    }
    // Narrowed: every match shown, nothing said.
    let (_, html) = app.get(&ict, "/staff/equipment?q=peeters+5").await;
    assert!(!html.contains("Meer dan"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn overdue_loans_are_paged_with_total_and_csv() {
    let app = TestApp::spawn().await;
    let ict = app.signed_in("ict@leuven.example", &["ict"]).await;
    let borrowers = [
        resident(&app, "an@example.org").await,
        resident(&app, "bo@example.org").await,
    ];
    sqlx::query(
        "INSERT INTO asset_handovers (id, borrower_user_id, place, created_at, created_by) \
         VALUES ('h1', NULL, 'Stadhuis', 0, 'system')",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    // 110 open loans past due on three days, to two people or a place; 10
    // returned and 10 not due yet (not listed). One model a formula.
    for i in 0..130 {
        let model = if i == 4 {
            "=1+1".to_owned()
        } else {
            "Laptop".to_owned()
        };
        sqlx::query(
            "INSERT INTO assets (id, tag, category, serial, model, purchase_date, price_cents, status, \
             location, created_at, updated_at) \
             VALUES ($1, $2, 'laptop', $1, $3, '2024-01-01', 100000, 'loaned', 'Stadhuis', 0, 0)",
        )
        .bind(format!("as-{i:03}"))
        .bind(format!("T-{:03}", 999 - i))
        .bind(&model)
        .execute(app.store.pool())
        .await
        .unwrap();
        let due = if i >= 120 {
            "2999-01-01"
        } else {
            ["2020-01-01", "2020-02-01", "2021-01-01"][i % 3]
        };
        let borrower = (i % 3 != 2).then(|| borrowers[i % 2].clone());
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO asset_loans (id, asset_id, handover_id, borrower_user_id, place, out_at, due_on, \
             in_at, created_by) VALUES ($1, $2, 'h1', $3, 'Stadhuis', 0, $4, {}, 'system')",
            if (110..120).contains(&i) { "1" } else { "NULL" }
        )))
        .bind(format!("ln-{i:03}"))
        .bind(format!("as-{i:03}"))
        .bind(borrower)
        .bind(due)
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let expected = column(
        &app,
        "SELECT a.tag AS k FROM asset_loans l JOIN assets a ON a.id = l.asset_id \
         WHERE l.in_at IS NULL AND l.due_on < $1 ORDER BY l.due_on, a.tag, l.id",
        &["2026-01-01"],
    )
    .await;
    assert_eq!(expected.len(), 110);
    let rows = |html: &str| tokens(before_pager(html), "T-");
    let shown = walk_html(&app, &ict, "/staff/assets/overdue", "110 in totaal", &rows).await;
    assert_eq!(
        shown, expected,
        "every overdue loan once, longest overdue first"
    );
    let (_, html) = app.get(&ict, "/staff/assets/overdue").await;
    assert!(html.contains("href=\"/staff/assets/overdue.csv\""));
    let t = loket_store::assets::overdue_total(&app.store, "2026-01-01", 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    let lines = csv_lines(&app, &ict, "/staff/assets/overdue.csv", "overdue-loans-").await;
    assert_eq!(lines.len(), 111);
    assert_eq!(column_of(&lines, 0), expected);
    let f = lines.iter().find(|l| l.contains("1+1")).unwrap();
    assert!(f.contains("'=1+1"), "formula neutralised: {f}");
    let logged = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'assets.overdue.csv'")
        .await;
    let to_people = app
        .count(
            "SELECT COUNT(DISTINCT borrower_user_id) AS n FROM asset_loans WHERE in_at IS NULL \
             AND due_on < '2026-01-01'",
        )
        .await;
    assert_eq!(logged, to_people, "one row per borrower shown");
    app.stop().await;
}

#[tokio::test]
async fn a_cases_audit_trail_is_paged_with_total_and_csv() {
    let app = TestApp::spawn().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let an = resident(&app, "an@example.org").await;
    super::seed_cases(&app, "move", std::slice::from_ref(&an), 2, 1).await;
    let number = column(
        &app,
        "SELECT number AS k FROM cases WHERE $1 = '' ORDER BY number",
        &[""],
    )
    .await
    .remove(0);
    // 80 more changes of the case at three instants (many equal keys).
    let mut tx = app.store.begin().await.unwrap();
    for i in 0..80 {
        loket_store::audit::record(
            &mut tx,
            &Actor::System,
            loket_store::audit::Change {
                action: "case.note",
                record_type: "case",
                record_id: &number,
                subject_user_id: Some(&an),
                before: None,
                after: Some(serde_json::json!({"note": format!("N-{i:03}")})),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE audit_log SET at = 1790000000000 + (LENGTH(id) + CAST(SUBSTR(after_summary, 12, 3) AS INTEGER)) % 3 * 1000 \
         WHERE action = 'case.note' AND record_id = '{number}'"
    )))
    .execute(app.store.pool())
    .await
    .unwrap();
    let expected: Vec<String> = sqlx::query(
        "SELECT action, after_summary FROM audit_log WHERE record_type = 'case' AND record_id = $1 \
         ORDER BY at DESC, id DESC",
    )
    .bind(&number)
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        let action: String = sqlx::Row::try_get(r, "action").unwrap();
        let after: Option<String> = sqlx::Row::try_get(r, "after_summary").unwrap();
        match after
            .as_deref()
            .and_then(|a| a.find("N-").map(|i| &a[i..i + 5]))
        {
            Some(n) => n.to_owned(),
            None => action,
        }
    })
    .collect();
    let n = expected.len();
    assert!(n > 80, "{n}");
    let h = app
        .signed_in("h@leuven.example", &["case_handler", "all_departments"])
        .await;
    let path = format!("/staff/cases/{number}");
    let rows = |html: &str| -> Vec<String> {
        let trail = &html[html.find("class=\"audit\"").unwrap()..];
        before_pager(trail)
            .split("<tr><td>")
            .skip(1)
            .map(|row| {
                let action = row
                    .split("<code>")
                    .nth(1)
                    .unwrap()
                    .split('<')
                    .next()
                    .unwrap();
                match row.find("N-") {
                    Some(i) if action == "case.note" => row[i..i + 5].to_owned(),
                    _ => action.to_owned(),
                }
            })
            .collect()
    };
    let shown = walk_html(
        &app,
        &h,
        &format!("{path}?limit=20"),
        &format!("{n} in totaal"),
        &rows,
    )
    .await;
    assert_eq!(shown, expected, "every change once, newest first");
    let (_, html) = app.get(&h, &path).await;
    assert!(html.contains(&format!("href=\"{path}/audit.csv\"")));
    let lines = csv_lines(&app, &h, &format!("{path}/audit.csv"), "case-").await;
    assert_eq!(lines.len(), n + 1);
    let actions: Vec<String> = column_of(&lines, 2);
    let want: Vec<String> = expected
        .iter()
        .map(|k| {
            if k.starts_with("N-") {
                "case.note".to_owned()
            } else {
                k.clone()
            }
        })
        .collect();
    assert_eq!(actions, want);
    let counter = app.signed_in("c@leuven.example", &["counter"]).await;
    let r = counter
        .get(app.url(&format!("{path}/audit.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}
