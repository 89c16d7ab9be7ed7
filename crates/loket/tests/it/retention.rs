//! The retention schedule (issue 16, item 3): each kind seeded with an old
//! and a young record; `loket retention --dry-run` changes nothing and
//! prints the counts; `loket retention` with the clock set forward removes
//! or anonymises exactly the old ones, files on disk too; a configured
//! period overrides the default; the admin page shows the schedule and the
//! last run; /privacy shows the configured period.

use crate::common::TestApp;
use loket_store::sqlx::{self, Row};

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;

async fn exec(app: &TestApp, sql: &'static str, binds: &[Bind<'_>]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = match b {
            Bind::T(s) => q.bind(s.to_string()),
            Bind::I(i) => q.bind(*i),
        };
    }
    q.execute(app.store.pool()).await.unwrap();
}

enum Bind<'a> {
    T(&'a str),
    I(i64),
}
use Bind::{I, T};

async fn one_text(app: &TestApp, sql: &'static str, id: &str) -> String {
    sqlx::query(sql)
        .bind(id.to_owned())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get::<String, _>(0)
}

async fn exists(app: &TestApp, sql: &'static str, id: &str) -> bool {
    sqlx::query(sql)
        .bind(id.to_owned())
        .fetch_optional(app.store.pool())
        .await
        .unwrap()
        .is_some()
}

/// Every count the schedule could change, to compare before and after.
async fn fingerprint(app: &TestApp) -> Vec<i64> {
    let mut v = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM sessions",
        "SELECT COUNT(*) FROM login_failures",
        "SELECT COUNT(*) FROM outbox WHERE body <> ''",
        "SELECT COUNT(*) FROM contact_searches",
        "SELECT COUNT(*) FROM case_drafts",
        "SELECT COUNT(*) FROM case_files",
        "SELECT COUNT(*) FROM contact_moments WHERE anonymised_at IS NULL",
        "SELECT COUNT(*) FROM vac_invitations WHERE anonymised_at IS NULL",
        "SELECT COUNT(*) FROM vac_reserve WHERE anonymised_at IS NULL",
        "SELECT COUNT(*) FROM audit_log",
        "SELECT COUNT(*) FROM access_log",
        "SELECT COUNT(*) FROM retention_runs",
    ] {
        v.push(app.count(sql).await);
    }
    v
}

/// The records column of `kind`'s line in a report.
fn records_of(report: &str, kind: &str, column: usize) -> i64 {
    report
        .lines()
        .find(|l| l.split_whitespace().next() == Some(kind))
        .and_then(|l| l.split_whitespace().nth(column))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {kind} in\n{report}"))
}

#[tokio::test]
async fn the_schedule_removes_old_records_keeps_young_ones_and_dry_run_changes_nothing() {
    let app = TestApp::spawn_with(|c| {
        // A configured period over the default (90 days).
        c.retention_search_days = 10;
    })
    .await;
    let t = loket::cli::retention_clock(Some("2030-01-01")).unwrap();
    let user = crate::common::resident(&app, "oud@example.be").await;

    // Sessions: one expired, one still valid at the clock.
    for (id, exp) in [("s-old", t - HOUR), ("s-young", t + HOUR)] {
        exec(&app, "INSERT INTO sessions (id_hash, user_id, csrf_token, locale, created_at, last_seen_at, expires_at) VALUES ($1, NULL, 'x', 'nl', $2, $2, $3)", &[T(id), I(exp - 8 * HOUR), I(exp)]).await;
    }
    // Failed sign-ins: 25 and 23 hours old.
    for (id, at) in [("f-old", t - 25 * HOUR), ("f-young", t - 23 * HOUR)] {
        exec(&app, "INSERT INTO login_failures (id, email_norm, ip, at) VALUES ($1, 'a@b.be', '10.0.0.1', $2)", &[T(id), I(at)]).await;
    }
    // Sent mail: 31 and 29 days after sending, each with its .eml file.
    let mail_dir = app.config.mail_dir();
    std::fs::create_dir_all(&mail_dir).unwrap();
    for (id, sent) in [("m-old", t - 31 * DAY), ("m-young", t - 29 * DAY)] {
        exec(&app, "INSERT INTO outbox (id, created_at, to_addr, subject, body, status, attempts, next_attempt_at, sent_at) VALUES ($1, $2, 'oud@example.be', 'Uw link', 'https://loket/reset?t=secret', 'sent', 1, $2, $3)", &[T(id), I(sent - 1000), I(sent)]).await;
        std::fs::write(
            loket_store::privacy::eml_path(&mail_dir, sent - 1000, id),
            "body",
        )
        .unwrap();
    }
    // Search text: 11 and 9 days old (the configured 10 days).
    for (id, at) in [("q-old", t - 11 * DAY), ("q-young", t - 9 * DAY)] {
        exec(&app, "INSERT INTO contact_searches (id, day, lang, query, results, created_at) VALUES ($1, '2029-12-01', 'nl', 'mijn adres Kerkstraat 1', 0, $2)", &[T(id), I(at)]).await;
    }
    // Drafts: one untouched for 91 days with its upload, one of 89 days
    // whose upload is older than the period (kept with its draft).
    for (id, slug) in [("svc-a", "a"), ("svc-b", "b")] {
        exec(&app, "INSERT INTO services (id, slug, version, definition, department, active, created_at, updated_at) VALUES ($1, $2, 1, '{}', 'burgerzaken', 1, 0, 0)", &[T(id), T(slug)]).await;
    }
    let uploads = app.dir.join("files").join("uploads");
    std::fs::create_dir_all(&uploads).unwrap();
    let old_file = uploads.join("old-upload");
    let young_file = uploads.join("young-upload");
    std::fs::write(&old_file, "old").unwrap();
    std::fs::write(&young_file, "young").unwrap();
    for (svc, at, file_id, path, file_at) in [
        ("svc-a", t - 91 * DAY, "file-old", &old_file, t - 91 * DAY),
        (
            "svc-b",
            t - 89 * DAY,
            "file-young",
            &young_file,
            t - 95 * DAY,
        ),
    ] {
        exec(&app, "INSERT INTO case_drafts (user_id, service_id, data, updated_at) VALUES ($1, $2, '{\"naam\":\"An\"}', $3)", &[T(&user), T(svc), I(at)]).await;
        exec(&app, "INSERT INTO case_files (id, owner_id, service_id, field_key, case_id, filename, content_type, size, sha256, path, created_at) VALUES ($1, $2, $3, 'bijlage', NULL, 'id.pdf', 'application/pdf', 3, 'x', $4, $5)", &[T(file_id), T(&user), T(svc), T(&path.to_string_lossy()), I(file_at)]).await;
    }
    // Contact moments: closed 25 and 23 months ago, and an open old one.
    for (id, status, at) in [
        ("cm-old", "closed", t - 25 * 31 * DAY),
        ("cm-young", "closed", t - 23 * 30 * DAY),
        ("cm-open", "open", t - 25 * 31 * DAY),
    ] {
        exec(&app, "INSERT INTO contact_moments (id, reference, channel, status, resident_id, contact_name, contact_email, subject, question, created_at, updated_at) VALUES ($1, $1, 'phone', $2, $3, 'An Peeters', 'oud@example.be', 'Verhuis', 'Ik verhuis naar de Kerkstraat', $4, $4)", &[T(id), T(status), T(&user), I(at)]).await;
    }
    exec(&app, "INSERT INTO contact_messages (id, moment_id, direction, sender, subject, body, created_at) VALUES ('msg-1', 'cm-old', 'in', 'oud@example.be', 'Re', 'persoonlijk', 0)", &[]).await;
    // Vaccination: campaign A ended 7 months before the clock, B 5 months.
    exec(&app, "INSERT INTO appt_locations (id, slug, name, address, active, created_at, updated_at) VALUES ('loc', 'loc', 'Centrum', 'Markt 1', 1, 0, 0)", &[]).await;
    for (camp, day) in [("camp-a", "2029-06-01"), ("camp-b", "2029-08-01")] {
        exec(&app, "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, active, created_at, updated_at) VALUES ($1, $1, 'Vaccin', 'Vaccine', 5, 1, 0, 0)", &[T(camp)]).await;
        exec(&app, "INSERT INTO vac_campaigns (id, slug, name, vaccine, location_id, service_id, lines, per_line, slot_minutes, observation_minutes, admit_per_minute, admit_burst, opens_at, status, created_at, updated_at) VALUES ($1, $1, 'Griep', 'X', 'loc', $1, 1, 1, 5, 15, 10, 10, 0, 'open', 0, 0)", &[T(camp)]).await;
        exec(&app, "INSERT INTO vac_days (campaign_id, day, opens, closes) VALUES ($1, '2029-05-01', '09:00', '17:00')", &[T(camp)]).await;
        exec(&app, "INSERT INTO vac_days (campaign_id, day, opens, closes) VALUES ($1, $2, '09:00', '17:00')", &[T(camp), T(day)]).await;
        exec(&app, "INSERT INTO vac_invitations (id, campaign_id, code, national_number, name, birth_date, street, postal_code, city, email, phone, group_rank, source, delivery, status, created_at, updated_at) VALUES ($1, $1, $1, '85073003328', 'Jan Janssens', '1985-07-30', 'Kerkstraat 1', '3000', 'Leuven', 'jan@example.be', '0470', 0, 'import', 'email', 'invited', 0, 0)", &[T(camp)]).await;
        exec(&app, "INSERT INTO vac_reserve (id, campaign_id, national_number, name, birth_date, email, group_rank, status, signed_up_at, updated_at) VALUES ($1, $2, '90010100123', 'Els Reserve', '1990-01-01', 'els@example.be', 0, 'waiting', 0, 0)", &[T(&format!("r-{camp}")), T(camp)]).await;
    }
    // Audit and access log: 121 and 119 months old.
    for (id, at) in [
        ("a-old", t - 121 * 31 * DAY),
        ("a-young", t - 119 * 30 * DAY),
    ] {
        exec(&app, "INSERT INTO audit_log (id, at, actor_kind, actor_id, action, record_type, record_id) VALUES ($1, $2, 'system', NULL, 'test', 'test', 'x')", &[T(id), I(at)]).await;
        exec(&app, "INSERT INTO access_log (id, at, actor_id, subject_user_id, record_type, record_id, purpose) VALUES ($1, $2, 'staff', $3, 'user', 'x', 'test')", &[T(id), I(at), T(&user)]).await;
    }

    // --dry-run: prints per kind what would go, changes nothing.
    let before = fingerprint(&app).await;
    let report = loket::cli::retention(&app.config, true, Some("2030-01-01"))
        .await
        .unwrap();
    assert_eq!(fingerprint(&app).await, before, "--dry-run changed nothing");
    assert!(report.contains("dry run: nothing was changed"), "{report}");
    assert!(old_file.exists());
    for kind in [
        "sessions",
        "login-failures",
        "mail",
        "search",
        "drafts",
        "contact-moments",
        "audit",
        "access",
    ] {
        assert_eq!(records_of(&report, kind, 4), 1, "{kind} in\n{report}");
    }
    // Invitation and reserve entry of campaign A.
    assert_eq!(records_of(&report, "vaccination", 4), 2, "{report}");
    assert_eq!(records_of(&report, "drafts", 5), 1, "the draft's upload");
    assert_eq!(records_of(&report, "mail", 5), 1, "the old .eml file");
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("search") && l.contains(" 10 days")),
        "the configured period: {report}"
    );

    // Applied, with the clock set forward.
    let report = loket::cli::retention(&app.config, false, Some("2030-01-01"))
        .await
        .unwrap();
    assert_eq!(records_of(&report, "vaccination", 1), 2, "{report}");
    assert_eq!(records_of(&report, "audit", 1), 1, "{report}");
    assert!(report.contains("files removed: 2"), "{report}");

    let row = "SELECT id_hash FROM sessions WHERE id_hash = $1";
    assert!(!exists(&app, row, "s-old").await && exists(&app, row, "s-young").await);
    let row = "SELECT id FROM login_failures WHERE id = $1";
    assert!(!exists(&app, row, "f-old").await && exists(&app, row, "f-young").await);
    let body = "SELECT body FROM outbox WHERE id = $1";
    assert_eq!(one_text(&app, body, "m-old").await, "");
    assert!(one_text(&app, body, "m-young").await.contains("secret"));
    let subject = "SELECT subject FROM outbox WHERE id = $1";
    assert_eq!(
        one_text(&app, subject, "m-old").await,
        "Uw link",
        "proof of sending stays"
    );
    assert!(!loket_store::privacy::eml_path(&mail_dir, t - 31 * DAY - 1000, "m-old").exists());
    assert!(loket_store::privacy::eml_path(&mail_dir, t - 29 * DAY - 1000, "m-young").exists());
    let row = "SELECT id FROM contact_searches WHERE id = $1";
    assert!(!exists(&app, row, "q-old").await && exists(&app, row, "q-young").await);
    let row = "SELECT service_id FROM case_drafts WHERE service_id = $1";
    assert!(!exists(&app, row, "svc-a").await && exists(&app, row, "svc-b").await);
    let row = "SELECT id FROM case_files WHERE id = $1";
    assert!(!exists(&app, row, "file-old").await && exists(&app, row, "file-young").await);
    assert!(
        !old_file.exists(),
        "the old draft's upload is removed from disk"
    );
    assert!(young_file.exists(), "the young draft keeps its upload");
    let q = "SELECT question FROM contact_moments WHERE id = $1";
    assert_eq!(one_text(&app, q, "cm-old").await, "");
    assert_eq!(
        one_text(
            &app,
            "SELECT contact_name FROM contact_moments WHERE id = $1",
            "cm-old"
        )
        .await,
        ""
    );
    assert_eq!(
        one_text(
            &app,
            "SELECT body FROM contact_messages WHERE moment_id = $1",
            "cm-old"
        )
        .await,
        ""
    );
    assert!(one_text(&app, q, "cm-young").await.contains("Kerkstraat"));
    assert!(
        one_text(&app, q, "cm-open").await.contains("Kerkstraat"),
        "open moments stay"
    );
    let nrn = "SELECT national_number FROM vac_invitations WHERE id = $1";
    assert_eq!(
        one_text(&app, nrn, "camp-a").await,
        "camp-a",
        "no longer anyone's number"
    );
    assert_eq!(
        one_text(
            &app,
            "SELECT name FROM vac_invitations WHERE id = $1",
            "camp-a"
        )
        .await,
        ""
    );
    assert_eq!(one_text(&app, nrn, "camp-b").await, "85073003328");
    let nrn = "SELECT national_number FROM vac_reserve WHERE id = $1";
    assert_eq!(one_text(&app, nrn, "r-camp-a").await, "r-camp-a");
    assert_eq!(one_text(&app, nrn, "r-camp-b").await, "90010100123");
    for (table, sql) in [
        ("audit", "SELECT id FROM audit_log WHERE id = $1"),
        ("access", "SELECT id FROM access_log WHERE id = $1"),
    ] {
        assert!(!exists(&app, sql, "a-old").await, "{table}");
        assert!(exists(&app, sql, "a-young").await, "{table}");
    }
    // The run is recorded and audited.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM retention_runs WHERE finished_at IS NOT NULL AND error IS NULL"
        )
        .await,
        1
    );
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'retention.applied'")
            .await
            >= 9
    );

    // A second run finds nothing left.
    let again = loket::cli::retention(&app.config, true, Some("2030-01-01"))
        .await
        .unwrap();
    for kind in [
        "login-failures",
        "mail",
        "drafts",
        "vaccination",
        "contact-moments",
    ] {
        assert_eq!(records_of(&again, kind, 4), 0, "{kind}: {again}");
    }

    // The admin page: the schedule with its sources, the last run.
    let admin = app.signed_in("admin@example.be", &["admin"]).await;
    let (s, html) = app.get(&admin, "/admin/retention").await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("Bewaarschema"));
    assert!(html.contains("ingesteld (standaard 90)"), "{html}");
    assert!(html.contains("retention_search_days"));
    assert!(
        html.contains("loket retention"),
        "the run by the command line"
    );
    assert!(
        html.contains("<span class=\"retention-count\">2</span>"),
        "{html}"
    );
    let (_, staff) = app.get(&admin, "/staff").await;
    assert!(staff.contains("href=\"/admin/retention\""));
    let (s, _) = app.get(&admin, "/lang/en?next=/admin/retention").await;
    assert_eq!(s, 303);
    let (_, html) = app.get(&admin, "/admin/retention").await;
    assert!(html.contains("Retention schedule") && html.contains("configured (default 90)"));

    // /privacy says the configured period, from the same schedule.
    let c = app.client();
    let (_, html) = app.get(&c, "/privacy").await;
    assert!(
        html.contains("Gewist 10 dagen na de zoekopdracht"),
        "{html}"
    );
    assert!(html.contains("Geanonimiseerd 6 maanden na de laatste dag van de campagne"));
    app.stop().await;
}

/// The worker's daily pass runs once a day however many instances call it,
/// and a configured period of 0 is refused by the configuration check.
#[tokio::test]
async fn the_daily_pass_runs_once_a_day_and_a_zero_period_is_refused() {
    let app = TestApp::spawn().await;
    let cfg = loket::app_config(&app.config, &"127.0.0.1:0".parse().unwrap()).unwrap();
    let a = loket_app::App::new(app.store.clone(), cfg);
    let now = loket_store::now_ms();
    let (x, y) = tokio::join!(
        loket_app::privacy::daily(&a, now),
        loket_app::privacy::daily(&a, now)
    );
    let made = [x.unwrap(), y.unwrap()]
        .iter()
        .filter(|r| r.is_some())
        .count();
    assert_eq!(made, 1, "two instances at once: one run");
    assert!(
        loket_app::privacy::daily(&a, now + 3_600_000)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        loket_app::privacy::daily(&a, now + 24 * 3_600_000)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM retention_runs WHERE trigger_kind = 'worker'")
            .await,
        2
    );
    let bad = loket::config::Config {
        retention_drafts_days: 0,
        ..loket::config::Config::default()
    };
    match bad.check() {
        Err(loket::config::ConfigError::Field { field, .. }) => {
            assert_eq!(field, "retention_drafts_days")
        }
        other => panic!("{other:?}"),
    }
    app.stop().await;
}
