//! The lists paged in part 2 (issue 19, item 4): each walked forward and
//! back over more rows than a page with equal sort keys, its total against
//! SQL COUNT and past a small cap, its filters kept, bad cursors and limits
//! refused, and (staff lists) its CSV download whole, filtered and with
//! formulas neutralised.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::walk::*;
use crate::common::*;
use loket_domain::audit::Actor;
use serde_json::Value;

/// The keys of the rows a page links to under `prefix` (e.g.
/// `/staff/contact/`), in order.
fn links(html: &str, prefix: &str, ok: &dyn Fn(&str) -> bool) -> Vec<String> {
    html.split(&format!("href=\"{prefix}"))
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|k| ok(k))
        .map(str::to_owned)
        .collect()
}

/// `n` contact moments with status `status`, every other one about
/// `resident` (the rest about a caller without a file), created at four
/// instants only (so many share the first sort key); one subject a formula.
async fn seed_moments(app: &TestApp, resident: &str, status: &str, n: usize) {
    let mut tx = app.store.begin().await.unwrap();
    for i in 0..n {
        let subject = if i == 3 {
            "=SUM(A1:A2)".to_owned()
        } else {
            format!("Vraag {i}")
        };
        let m = loket_store::contact::create_moment(
            &mut tx,
            &Actor::System,
            2026,
            status,
            &loket_store::contact::MomentParty {
                resident_id: (i % 2 == 0).then_some(resident),
                name: "Beller",
                email: "",
            },
            &loket_domain::contact::MomentDraft {
                channel: "phone".to_owned(),
                subject,
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
            .bind(1_790_000_000_000_i64 + (i as i64 % 4) * 60_000)
            .bind(&m.id)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn contact_moments_are_paged_with_totals_and_csv() {
    let app = TestApp::spawn().await;
    let an = resident(&app, "an@example.org").await;
    seed_moments(&app, &an, "open", 120).await;
    seed_moments(&app, &an, "intake", 9).await;
    let expected = column(
        &app,
        "SELECT reference AS k FROM contact_moments WHERE status = $1 ORDER BY created_at DESC, id DESC",
        &["open"],
    )
    .await;
    let open = app
        .count("SELECT COUNT(*) AS n FROM contact_moments WHERE status = 'open'")
        .await;
    assert_eq!((expected.len(), open), (120, 120));
    let all = app.count("SELECT COUNT(*) AS n FROM contact_moments").await;

    // The API: filtered, forward and back; unfiltered total; bad queries.
    let token = token(&app, "agent@leuven.example", &["contact_centre"]).await;
    let seen = walk_api(
        &app,
        &token,
        "/api/v1/contact-moments?status=open",
        50,
        open,
        &|m| m["reference"].as_str().unwrap().to_owned(),
    )
    .await;
    assert_eq!(seen, expected, "every moment once, in order");
    let (_, first) = api(&app, &token, "GET", "/api/v1/contact-moments", Value::Null).await;
    assert_eq!(first["total"].as_i64(), Some(all));
    assert_eq!(
        first["items"].as_array().unwrap().len(),
        50,
        "the default limit"
    );
    let t = loket_store::contact::moments_total(&app.store, "", "", 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false), "more than 100");
    let t = loket_store::contact::moments_total(&app.store, "intake", "", 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (9, true));

    // The page: the status filter kept across pages.
    let c = app
        .signed_in("agent2@leuven.example", &["contact_centre"])
        .await;
    let ids = column(
        &app,
        "SELECT id AS k FROM contact_moments WHERE status = $1 ORDER BY created_at DESC, id DESC",
        &["open"],
    )
    .await;
    let rows = |html: &str| links(html, "/staff/contact/", &|k| k.len() > 20);
    let shown = walk_html(
        &app,
        &c,
        "/staff/contact?status=open",
        "120 in totaal",
        &rows,
    )
    .await;
    assert_eq!(shown, ids);
    let (_, html) = app.get(&c, "/staff/contact?status=open").await;
    assert!(
        html.contains("href=\"/staff/contact.csv?status=open\""),
        "{html}"
    );

    // The CSV: every open moment once, a header, formulas neutralised; the
    // access log has one row per person shown (the resident, and each
    // moment without a resident).
    let lines = csv_lines(
        &app,
        &c,
        "/staff/contact.csv?status=open",
        "contact-moments-",
    )
    .await;
    assert!(lines[0].starts_with("Referentie,"), "{}", lines[0]);
    assert_eq!(lines.len(), 121);
    let refs: Vec<String> = lines[1..].iter().map(|l| first_field(l)).collect();
    assert_eq!(refs, expected);
    let formula = lines.iter().find(|l| l.contains("SUM(")).unwrap();
    assert!(formula.contains("'=SUM(A1:A2)"), "{formula}");
    let logged = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'contact.list.csv'")
        .await;
    assert_eq!(logged, 1 + 60);
    let counter = app.signed_in("c@leuven.example", &["counter"]).await;
    let r = counter
        .get(app.url("/staff/contact.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}

/// The id of the account with this e-mail address.
async fn user_id(app: &TestApp, email: &str) -> String {
    loket_store::people::find_by_email(&app.store, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn audit_and_access_logs_are_paged_with_totals_and_csv() {
    let app = TestApp::spawn().await;
    let an = resident(&app, "an@example.org").await;
    let bo = resident(&app, "bo@example.org").await;
    let token = token(&app, "admin@leuven.example", &["admin"]).await;
    let admin = user_id(&app, "admin@leuven.example").await;
    // 125 audit rows of one record type, every fifth about `an`, at three
    // instants only; one summary a formula. 105 access rows likewise.
    let mut tx = app.store.begin().await.unwrap();
    for i in 0..125 {
        loket_store::audit::record(
            &mut tx,
            &Actor::System,
            loket_store::audit::Change {
                action: "paging.test",
                record_type: "paging_thing",
                record_id: &format!("t{i:03}"),
                subject_user_id: (i % 5 == 0).then_some(an.as_str()),
                before: None,
                after: Some(serde_json::json!({"i": i})),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    for i in 0..105 {
        let who = if i % 5 == 0 { &an } else { &bo };
        loket_store::audit::record_access(
            &app.store,
            &admin,
            who,
            "paging_thing",
            &format!("t{i:03}"),
            "paging.test",
        )
        .await
        .unwrap();
    }
    for t in ["audit_log", "access_log"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {t} SET at = 1790000000000 + (CAST(SUBSTR(record_id, 2) AS INTEGER) % 3) * 1000 \
             WHERE record_type = 'paging_thing'"
        )))
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    sqlx::query("UPDATE audit_log SET after_summary = '=1+1' WHERE record_id = 't007'")
        .execute(app.store.pool())
        .await
        .unwrap();

    let c = app.signed_in("admin2@leuven.example", &["admin"]).await;
    for (api_path, page_path, table, expected_total) in [
        ("/api/v1/audit", "/admin/audit", "audit_log", 125),
        ("/api/v1/access-log", "/admin/access-log", "access_log", 105),
    ] {
        let order = |filter: &str| {
            format!("SELECT id AS k FROM {table} WHERE {filter} ORDER BY at DESC, id DESC")
        };
        let expected = {
            let sql = order("record_type = $1");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            q = q.bind("paging_thing");
            q.fetch_all(app.store.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| sqlx::Row::try_get::<String, _>(r, "k").unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(expected.len(), expected_total);
        let seen = walk_api(
            &app,
            &token,
            &format!("{api_path}?record_type=paging_thing"),
            40,
            expected_total as i64,
            &|r| r["id"].as_str().unwrap().to_owned(),
        )
        .await;
        assert_eq!(seen, expected, "{api_path}: every row once, in order");
        // The person filter: actor or subject, counted against SQL.
        let by_an: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE actor_id = $1 OR subject_user_id = $1"
        )))
        .bind(&an)
        .fetch_one(app.store.pool())
        .await
        .map(|r| sqlx::Row::try_get(&r, "n").unwrap())
        .unwrap();
        assert!(by_an >= 21, "{by_an}");
        let (_, p) = api(
            &app,
            &token,
            "GET",
            &format!("{api_path}?person={an}&limit=5"),
            Value::Null,
        )
        .await;
        assert_eq!(p["total"].as_i64(), Some(by_an), "{p}");
        assert_eq!(p["items"].as_array().unwrap().len(), 5);

        // The page and its CSV, filtered.
        let path = format!("{page_path}?record_type=paging_thing");
        let rows = |html: &str| -> Vec<String> {
            html.split(" t")
                .skip(1)
                .filter_map(|s| s.get(..3))
                .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
                .map(|s| format!("t{s}"))
                .collect()
        };
        let record_order: Vec<String> = {
            let sql = format!(
                "SELECT record_id AS k FROM {table} WHERE record_type = $1 ORDER BY at DESC, id DESC"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind("paging_thing")
                .fetch_all(app.store.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| sqlx::Row::try_get::<String, _>(r, "k").unwrap())
                .collect()
        };
        let shown = walk_html(
            &app,
            &c,
            &path,
            &format!("{expected_total} in totaal"),
            &rows,
        )
        .await;
        assert_eq!(shown, record_order, "{page_path}");
        let csv_path = format!("{page_path}.csv?record_type=paging_thing");
        let (_, html) = app.get(&c, &path).await;
        assert!(html.contains(&format!("href=\"{csv_path}\"")), "{html}");
        let name = page_path.trim_start_matches("/admin/");
        let lines = csv_lines(&app, &c, &csv_path, name).await;
        assert_eq!(lines.len(), expected_total + 1, "a header and every row");
        assert!(lines[0].starts_with("Wanneer,"), "{}", lines[0]);
        let ids: Vec<String> = lines[1..]
            .iter()
            .map(|l| {
                let t = l.split(",t").nth(1).unwrap();
                format!("t{}", &t[..3])
            })
            .collect();
        assert_eq!(ids, record_order, "{csv_path}");
        if table == "audit_log" {
            let f = lines.iter().find(|l| l.contains("1+1")).unwrap();
            assert!(f.contains("'=1+1"), "formula neutralised: {f}");
        }
    }
    let f = loket_store::audit::Filter::default();
    let t = loket_store::audit::audit_total(&app.store, &f, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    let t = loket_store::audit::access_total(&app.store, &f, 50)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (50, false));
    app.stop().await;
}

#[tokio::test]
async fn staff_accounts_are_paged_with_totals_and_csv() {
    let app = TestApp::spawn().await;
    // 120 staff accounts at three instants, one named as a formula, and 30
    // residents (not listed).
    for i in 0..150 {
        let id = format!("0000-paging-{i:03}");
        let name = if i == 5 {
            "=HYPERLINK(\"x\")".to_owned()
        } else {
            format!("Medewerker {i}")
        };
        let email = format!("m{i:03}@leuven.example");
        sqlx::query(
            "INSERT INTO users (id, email, email_norm, name, created_at, updated_at) \
             VALUES ($1, $2, $2, $3, $4, $4)",
        )
        .bind(&id)
        .bind(&email)
        .bind(&name)
        .bind(1_790_000_000_000_i64 + (i % 3) * 1000)
        .execute(app.store.pool())
        .await
        .unwrap();
        let role = if i < 120 { "counter" } else { "resident" };
        sqlx::query("INSERT INTO user_roles (user_id, role, granted_at) VALUES ($1, $2, 0)")
            .bind(&id)
            .bind(role)
            .execute(app.store.pool())
            .await
            .unwrap();
    }
    let token = token(&app, "admin@leuven.example", &["admin"]).await;
    let c = app.signed_in("admin2@leuven.example", &["admin"]).await;
    let expected = column(
        &app,
        "SELECT id AS k FROM users WHERE id IN \
         (SELECT user_id FROM user_roles WHERE role <> $1) ORDER BY created_at DESC, id DESC",
        &["resident"],
    )
    .await;
    let staff = app
        .count("SELECT COUNT(DISTINCT user_id) AS n FROM user_roles WHERE role <> 'resident'")
        .await;
    assert_eq!(expected.len() as i64, staff);
    assert!(staff >= 122, "{staff}");
    let seen = walk_api(&app, &token, "/api/v1/users", 30, staff, &|u| {
        u["id"].as_str().unwrap().to_owned()
    })
    .await;
    assert_eq!(seen, expected);
    let t = loket_store::people::staff_total(&app.store, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    let residents = app
        .count(
            "SELECT COUNT(*) AS n FROM users WHERE id NOT IN \
             (SELECT user_id FROM user_roles WHERE role <> 'resident')",
        )
        .await;
    let t = loket_store::people::residents_total(&app.store, 10)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (10, false));

    let rows = |html: &str| -> Vec<String> {
        let table = html.split("class=\"pager\"").next().unwrap();
        links(table, "/admin/users/", &|k| k != "new")
    };
    let shown = walk_html(
        &app,
        &c,
        "/admin/users",
        &format!("{staff} in totaal"),
        &rows,
    )
    .await;
    assert_eq!(shown, expected);
    let (_, html) = app.get(&c, "/admin/users").await;
    assert!(
        html.contains(&format!("Er zijn {residents} inwonersaccounts")),
        "{html}"
    );
    let lines = csv_lines(&app, &c, "/admin/users.csv", "staff-").await;
    assert_eq!(lines.len() as i64, staff + 1);
    assert!(lines[0].starts_with("Naam,"), "{}", lines[0]);
    let emails = column(
        &app,
        "SELECT email AS k FROM users WHERE id IN \
         (SELECT user_id FROM user_roles WHERE role <> $1) ORDER BY created_at DESC, id DESC",
        &["resident"],
    )
    .await;
    let csv_emails: Vec<String> = lines[1..]
        .iter()
        .map(|l| {
            l.split(',')
                .find(|f| f.contains('@'))
                .unwrap()
                .trim_matches('"')
                .to_owned()
        })
        .collect();
    assert_eq!(csv_emails, emails);
    let f = lines.iter().find(|l| l.contains("HYPERLINK")).unwrap();
    assert!(f.starts_with("\"'=HYPERLINK"), "formula neutralised: {f}");
    app.stop().await;
}

async fn exec(app: &TestApp, sql: &'static str, binds: &[&str]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.execute(app.store.pool()).await.unwrap();
}

#[tokio::test]
async fn residents_appointments_are_paged() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("dee@example.org", &["resident"]).await;
    let dee = user_id(&app, "dee@example.org").await;
    let bo = resident(&app, "bo@example.org").await;
    exec(&app, "INSERT INTO appt_locations (id, slug, name, address, active, created_at, updated_at) VALUES ('loc', 'stadhuis', 'Stadhuis', 'Markt 1', 1, 0, 0)", &[]).await;
    exec(&app, "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, active, created_at, updated_at) VALUES ('asvc', 'identiteitskaart', 'Identiteitskaart', 'Identity card', 15, 1, 0, 0)", &[]).await;
    for s in 0..4 {
        let start = (1_900_000_000_000_i64 + s * 900_000).to_string();
        let end = (1_900_000_000_000_i64 + (s + 1) * 900_000).to_string();
        sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO appt_slots (id, service_id, location_id, starts_at, ends_at, capacity, booked) VALUES ($1, 'asvc', 'loc', {start}, {end}, 100, 0)")))
            .bind(format!("slot{s}"))
            .execute(app.store.pool())
            .await
            .unwrap();
    }
    // 70 of dee's appointments in four slots (many share a start), 5 of bo's.
    for i in 0..75 {
        let s = i % 4;
        let start = (1_900_000_000_000_i64 + s as i64 * 900_000).to_string();
        let end = (1_900_000_000_000_i64 + (s as i64 + 1) * 900_000).to_string();
        let who = if i < 70 { &dee } else { &bo };
        sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO appointments (id, code, slot_id, service_id, location_id, starts_at, ends_at, resident_id, status, channel, remind_at, created_at, updated_at) VALUES ($1, $2, $3, 'asvc', 'loc', {start}, {end}, $4, 'booked', 'web', 0, 1, 1)")))
            .bind(format!("ap-{i:03}"))
            .bind(format!("AP{i:03}"))
            .bind(format!("slot{s}"))
            .bind(who)
            .execute(app.store.pool())
            .await
            .unwrap();
    }
    let expected = column(
        &app,
        "SELECT id AS k FROM appointments WHERE resident_id = $1 ORDER BY starts_at DESC, id DESC",
        &[&dee],
    )
    .await;
    assert_eq!(expected.len(), 70);
    let token = loket::cli::token_create(&app.config, "dee@example.org", "t")
        .await
        .unwrap();
    let seen = walk_api(&app, &token, "/api/v1/appointments", 20, 70, &|a| {
        a["id"].as_str().unwrap().to_owned()
    })
    .await;
    assert_eq!(
        seen, expected,
        "every appointment once, in order; none of bo's"
    );
    let t = loket_store::appointments::of_resident_total(&app.store, &dee, 50)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (50, false));
    let staff = token_for_staff(&app).await;
    let (s, _) = api(&app, &staff, "GET", "/api/v1/appointments", Value::Null).await;
    assert_eq!(s, 403, "staff have no list of their own");

    let rows = |html: &str| links(html, "/appointments/", &|k| k.starts_with("ap-"));
    let shown = walk_html(&app, &c, "/appointments", "70 in totaal", &rows).await;
    assert_eq!(shown, expected);
    let (_, html) = app.get(&c, "/appointments").await;
    assert!(!html.contains(".csv"), "no download for residents");
    app.stop().await;
}

async fn token_for_staff(app: &TestApp) -> String {
    token(app, "counter@leuven.example", &["counter"]).await
}

#[tokio::test]
async fn department_forwards_are_paged_with_totals_and_csv() {
    let app = TestApp::spawn().await;
    loket::demo::contact::seed(&app.store).await.unwrap();
    let an = resident(&app, "an@example.org").await;
    let milieu = loket_store::contact::department(&app.store, "milieu")
        .await
        .unwrap()
        .unwrap();
    let burgerzaken = loket_store::contact::department(&app.store, "burgerzaken")
        .await
        .unwrap()
        .unwrap();
    // 110 moments forwarded to milieu over three due days (the first past),
    // 7 to burgerzaken; every other moment is about `an`.
    seed_moments(&app, &an, "open", 117).await;
    let ids = column(
        &app,
        "SELECT id AS k FROM contact_moments WHERE contact_name = $1 ORDER BY reference",
        &["Beller"],
    )
    .await;
    let mut tx = app.store.begin().await.unwrap();
    for (i, m) in ids.iter().enumerate() {
        let d = if i % 17 == 0 { &burgerzaken } else { &milieu };
        let due = ["2020-01-06", "2099-01-06", "2099-02-02"][i % 3];
        loket_store::contact::create_forward(&mut tx, &Actor::System, m, &d.id, "", due)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    sqlx::query("UPDATE contact_forwards SET created_at = 1790000000000")
        .execute(app.store.pool())
        .await
        .unwrap();
    let expected = column(
        &app,
        "SELECT f.id AS k FROM contact_forwards f WHERE f.department_id = $1 \
         ORDER BY f.due_on, f.created_at, f.id",
        &[&milieu.id],
    )
    .await;
    let n = expected.len() as i64;
    assert!(n > 100, "{n}");
    let overdue = app
        .count(
            "SELECT COUNT(*) AS n FROM contact_forwards f JOIN contact_departments d \
             ON d.id = f.department_id WHERE d.slug = 'milieu' AND f.due_on = '2020-01-06'",
        )
        .await;

    let token = token(
        &app,
        "h@leuven.example",
        &["contact_centre", "all_departments"],
    )
    .await;
    let seen = walk_api(
        &app,
        &token,
        "/api/v1/departments/milieu/forwards",
        50,
        n,
        &|f| f["id"].as_str().unwrap().to_owned(),
    )
    .await;
    assert_eq!(seen, expected);
    let (t, _) = loket_store::contact::forwards_total(&app.store, "", "", "", "2026-01-01", 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));

    // The page: the department kept, the overdue count of the whole list.
    let c = app
        .signed_in("h2@leuven.example", &["contact_centre", "all_departments"])
        .await;
    let rows = |html: &str| -> Vec<String> {
        html.split("id=\"fw-")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .map(str::to_owned)
            .collect()
    };
    let shown = walk_html(
        &app,
        &c,
        "/staff/forwards?department=milieu",
        &format!("{n} in totaal"),
        &rows,
    )
    .await;
    assert_eq!(shown, expected);
    let (_, html) = app.get(&c, "/staff/forwards?department=milieu").await;
    let plain = html.replace(['\u{2068}', '\u{2069}'], "");
    assert!(overdue > 30, "{overdue}");
    assert!(plain.contains(&format!("Te laat: {overdue}<")), "{plain}");

    // The CSV: every forward of the department, access-logged per person.
    let refs = column(
        &app,
        "SELECT m.reference AS k FROM contact_forwards f JOIN contact_moments m ON m.id = f.moment_id \
         WHERE f.department_id = $1 ORDER BY f.due_on, f.created_at, f.id",
        &[&milieu.id],
    )
    .await;
    let lines = csv_lines(
        &app,
        &c,
        "/staff/forwards.csv?department=milieu",
        "forwards-",
    )
    .await;
    assert!(lines[0].starts_with("Referentie,"), "{}", lines[0]);
    let got: Vec<String> = lines[1..].iter().map(|l| first_field(l)).collect();
    assert_eq!(got, refs);
    let formula = lines.iter().find(|l| l.contains("SUM(")).unwrap();
    assert!(formula.contains("'=SUM(A1:A2)"), "{formula}");
    let logged = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'contact.forwards.csv'")
        .await;
    let people = app
        .count(
            "SELECT COUNT(DISTINCT COALESCE(m.resident_id, m.id)) AS n FROM contact_forwards f \
             JOIN contact_moments m ON m.id = f.moment_id \
             JOIN contact_departments d ON d.id = f.department_id WHERE d.slug = 'milieu'",
        )
        .await;
    assert_eq!(logged, people, "one row per person shown");
    app.stop().await;
}

#[tokio::test]
async fn staff_members_are_paged_by_keyset_with_csv() {
    let app = TestApp::spawn().await;
    // 130 staff members with five names only (equal first keys), 110 in ICT.
    for i in 0..130 {
        let name = if i == 9 {
            "=cmd|' /C calc'!A0".to_owned()
        } else {
            [
                "Peeters An",
                "Janssens Bo",
                "Maes Cy",
                "Jacobs Dee",
                "Willems Ed",
            ][i % 5]
                .to_owned()
        };
        let dept = if i < 110 { "ICT" } else { "Financiën" };
        sqlx::query(
            "INSERT INTO staff_members (id, employee_no, name, email, department, manager_no, \
             regime_percent, telework_eligible, end_date, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, NULL, 100, 1, NULL, 0, 0)",
        )
        .bind(format!("sm-{i:03}"))
        .bind(format!("E{:04}", 9000 - i))
        .bind(&name)
        .bind(format!("e{i}@leuven.example"))
        .bind(dept)
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let expected = column(
        &app,
        "SELECT employee_no AS k FROM staff_members WHERE department = $1 ORDER BY name, employee_no",
        &["ICT"],
    )
    .await;
    assert_eq!(expected.len(), 110);
    let c = app.signed_in("hr@leuven.example", &["hr"]).await;
    let rows = |html: &str| {
        links(html, "/staff/people/", &|k| {
            k.starts_with('E') && k.len() == 5
        })
    };
    let shown = walk_html(
        &app,
        &c,
        "/staff/people?department=ICT",
        "110 in totaal",
        &rows,
    )
    .await;
    assert_eq!(shown, expected);
    // The search filter kept too.
    let maes = column(
        &app,
        "SELECT employee_no AS k FROM staff_members WHERE LOWER(name) LIKE $1 ORDER BY name, employee_no",
        &["%maes%"],
    )
    .await;
    let shown = walk_html(
        &app,
        &c,
        "/staff/people?q=maes&limit=10",
        &format!("{} in totaal", maes.len()),
        &rows,
    )
    .await;
    assert_eq!(shown, maes);
    let t = loket_store::telework::staff_total(&app.store, "", "", 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    let lines = csv_lines(
        &app,
        &c,
        "/staff/people.csv?department=ICT",
        "staff-members-",
    )
    .await;
    assert_eq!(lines.len(), 111);
    let got: Vec<String> = lines[1..].iter().map(|l| first_field(l)).collect();
    assert_eq!(got, expected);
    let f = lines.iter().find(|l| l.contains("calc")).unwrap();
    assert!(f.contains(",'=cmd"), "formula neutralised: {f}");
    app.stop().await;
}

#[tokio::test]
async fn sent_mail_is_paged_with_totals_and_csv() {
    let app = TestApp::spawn().await;
    resident(&app, "an@example.org").await;
    let c = app.signed_in("admin@leuven.example", &["admin"]).await;
    // 130 sent messages at three instants; half to a resident with an
    // account, the rest to three addresses without one.
    for i in 0..130 {
        let to = if i % 2 == 0 {
            "an@example.org".to_owned()
        } else {
            format!("x{}@elders.example", i % 3)
        };
        let subject = if i == 11 {
            "=1+2".to_owned()
        } else {
            format!("Bericht {i}")
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO outbox (id, created_at, to_addr, subject, body, status, attempts, next_attempt_at) \
             VALUES ($1, {}, $2, $3, 'tekst', 'sent', 1, 0)",
            1_790_000_000_000_i64 + (i % 3) * 1000
        )))
        .bind(format!("ob-{i:03}"))
        .bind(&to)
        .bind(&subject)
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let expected = column(
        &app,
        "SELECT id AS k FROM outbox WHERE $1 = '' ORDER BY created_at DESC, id DESC",
        &[""],
    )
    .await;
    let n = expected.len();
    assert!(n >= 130);
    let rows = |html: &str| links(html, "/admin/mail/", &|_| true);
    let shown = walk_html(&app, &c, "/admin/mail", &format!("{n} in totaal"), &rows).await;
    assert_eq!(shown, expected);
    let t = loket_store::notify::outbox_total(&app.store, 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));
    let before = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'admin.mail_list.csv'")
        .await;
    assert_eq!(before, 0);
    let lines = csv_lines(&app, &c, "/admin/mail.csv", "mail-").await;
    assert_eq!(lines.len(), n + 1);
    let subjects = column(
        &app,
        "SELECT subject AS k FROM outbox WHERE $1 = '' ORDER BY created_at DESC, id DESC",
        &[""],
    )
    .await;
    let got: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(2).unwrap().trim_matches('"').to_owned())
        .collect();
    assert_eq!(
        got,
        neutralised(&subjects),
        "every message once, formulas neutralised"
    );
    let logged = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'admin.mail_list.csv'")
        .await;
    let recipients = app
        .count("SELECT COUNT(DISTINCT to_addr) AS n FROM outbox")
        .await;
    assert_eq!(logged, recipients, "one row per recipient shown");
    app.stop().await;
}

#[tokio::test]
async fn api_tokens_are_paged_with_totals_and_csv() {
    let app = TestApp::spawn().await;
    let admin_token = token(&app, "admin@leuven.example", &["admin"]).await;
    app.signed_in("robot@leuven.example", &["counter"]).await;
    for i in 0..90 {
        let name = if i == 4 {
            "=2+2".to_owned()
        } else {
            format!("robot {i}")
        };
        loket::cli::token_create(&app.config, "robot@leuven.example", &name)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE api_tokens SET created_at = 1790000000000 + (LENGTH(name) % 3) * 1000")
        .execute(app.store.pool())
        .await
        .unwrap();
    let expected = column(
        &app,
        "SELECT id AS k FROM api_tokens WHERE $1 = '' ORDER BY created_at DESC, id DESC",
        &[""],
    )
    .await;
    let n = expected.len() as i64;
    assert_eq!(n, 91);
    let seen = walk_api(&app, &admin_token, "/api/v1/tokens", 40, n, &|t| {
        t["id"].as_str().unwrap().to_owned()
    })
    .await;
    assert_eq!(seen, expected);
    let t = loket_store::people::tokens_total(&app.store, 50)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (50, false));

    let c = app.signed_in("admin2@leuven.example", &["admin"]).await;
    let rows = |html: &str| -> Vec<String> {
        html.split("action=\"/admin/tokens/")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .map(str::to_owned)
            .collect()
    };
    let ids: Vec<String> = expected.iter().map(|id| format!("{id}/revoke")).collect();
    let shown = walk_html(&app, &c, "/admin/tokens", &format!("{n} in totaal"), &rows).await;
    assert_eq!(shown, ids);
    let names = column(
        &app,
        "SELECT name AS k FROM api_tokens WHERE $1 = '' ORDER BY created_at DESC, id DESC",
        &[""],
    )
    .await;
    let lines = csv_lines(&app, &c, "/admin/tokens.csv", "tokens-").await;
    assert_eq!(lines.len() as i64, n + 1);
    let got: Vec<String> = lines[1..].iter().map(|l| first_field(l)).collect();
    assert_eq!(
        got,
        neutralised(&names),
        "every token once, formulas neutralised"
    );
    app.stop().await;
}

#[tokio::test]
async fn campaign_invitations_are_paged_with_totals_and_csv() {
    let (app, coord) = crate::vaccination::open_campaign("griep", "1", "2").await;
    let camp = column(
        &app,
        "SELECT id AS k FROM vac_campaigns WHERE slug = $1",
        &["griep"],
    )
    .await
    .remove(0);
    // 130 invitations in two priority groups with six names (equal keys).
    for i in 0..130 {
        let name = if i == 8 {
            "=HYPERLINK(\"x\")".to_owned()
        } else {
            ["Peeters An", "Maes Bo", "Claes Cy"][i % 3].to_owned()
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO vac_invitations (id, campaign_id, code, national_number, name, birth_date, street, \
             postal_code, city, email, phone, group_rank, source, delivery, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, '1950-01-01', 'Markt 1', '3000', 'Leuven', NULL, NULL, {}, 'import', \
             'letter', 'invited', 0, 0)",
            i % 2
        )))
        .bind(format!("inv-{i:03}"))
        .bind(&camp)
        .bind(format!("CODE{i:04}"))
        .bind(format!("5001010{i:04}"))
        .bind(&name)
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let expected = column(
        &app,
        "SELECT id AS k FROM vac_invitations WHERE campaign_id = $1 ORDER BY group_rank, name, id",
        &[&camp],
    )
    .await;
    let n = expected.len();
    assert_eq!(n, 130);
    let rows = |html: &str| {
        links(html, "/staff/vaccination/griep/invitations/", &|k| {
            k.starts_with("inv-")
        })
    };
    let shown = walk_html(
        &app,
        &coord,
        "/staff/vaccination/griep",
        "130 in totaal",
        &rows,
    )
    .await;
    assert_eq!(shown, expected);
    // The search kept across pages.
    let maes = column(
        &app,
        "SELECT id AS k FROM vac_invitations WHERE campaign_id = $1 AND LOWER(name) LIKE '%maes%' \
         ORDER BY group_rank, name, id",
        &[&camp],
    )
    .await;
    let shown = walk_html(
        &app,
        &coord,
        "/staff/vaccination/griep?q=maes&limit=20",
        &format!("{} in totaal", maes.len()),
        &rows,
    )
    .await;
    assert_eq!(shown, maes);
    let t = loket_store::vaccination::invitations_total(&app.store, &camp, "", 100)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (100, false));

    let lines = csv_lines(
        &app,
        &coord,
        "/staff/vaccination/griep/invitations.csv",
        "invitations-griep-",
    )
    .await;
    assert_eq!(lines.len(), n + 1);
    assert!(lines.iter().all(|l| !l.contains("CODE0")), "codes masked");
    let names = column(
        &app,
        "SELECT name AS k FROM vac_invitations WHERE campaign_id = $1 ORDER BY group_rank, name, id",
        &[&camp],
    )
    .await;
    let got: Vec<String> = lines[1..]
        .iter()
        .map(|l| match l.strip_prefix('"') {
            Some(quoted) => quoted.split("\",").next().unwrap().replace("\"\"", "\""),
            None => first_field(l),
        })
        .collect();
    assert_eq!(
        got,
        neutralised(&names),
        "every invitation once, formulas neutralised"
    );
    let logged = app
        .count("SELECT COUNT(*) AS n FROM access_log WHERE purpose = 'campaign csv'")
        .await;
    assert_eq!(logged, 130, "one row per invitee");
    let counter = app.signed_in("c@leuven.example", &["counter"]).await;
    let r = counter
        .get(app.url("/staff/vaccination/griep/invitations.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn bike_reservations_are_paged() {
    let app = TestApp::spawn().await;
    crate::bikes::fleet(&app, 2).await;
    let bike = column(
        &app,
        "SELECT id AS k FROM bikes WHERE $1 = '' ORDER BY id",
        &[""],
    )
    .await
    .remove(0);
    let c = app.signed_in("rider@leuven.example", &["employee"]).await;
    let rider = user_id(&app, "rider@leuven.example").await;
    let other = user_id(&app, "vloot@leuven.example").await;
    // 75 of the rider's past reservations at four start times, 5 of another.
    for i in 0..80 {
        let start = 1_700_000_000_000_i64 + (i % 4) * 3_600_000;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO bike_reservations (id, bike_id, user_id, starts_at, ends_at, status, created_at, updated_at) \
             VALUES ($1, $2, $3, {start}, {}, 'returned', 0, 0)",
            start + 1_800_000
        )))
        .bind(format!("br-{i:03}"))
        .bind(&bike)
        .bind(if i < 75 { &rider } else { &other })
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    let expected = column(
        &app,
        "SELECT id AS k FROM bike_reservations WHERE user_id = $1 ORDER BY starts_at DESC, id DESC",
        &[&rider],
    )
    .await;
    assert_eq!(expected.len(), 75);
    let token = loket::cli::token_create(&app.config, "rider@leuven.example", "t")
        .await
        .unwrap();
    let seen = walk_api(&app, &token, "/api/v1/bike-reservations", 30, 75, &|r| {
        r["id"].as_str().unwrap().to_owned()
    })
    .await;
    assert_eq!(seen, expected);
    let t = loket_store::bikes::reservations_total(&app.store, &rider, 50)
        .await
        .unwrap();
    assert_eq!((t.count, t.exact), (50, false));
    let rows = |html: &str| links(html, "/bikes/reservations/", &|k| k.starts_with("br-"));
    let shown = walk_html(&app, &c, "/bikes", "75 in totaal", &rows).await;
    assert_eq!(shown, expected);
    app.stop().await;
}
