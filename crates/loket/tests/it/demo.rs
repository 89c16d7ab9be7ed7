//! The lived-in demo (issue 20, item 1), on SQLite and PostgreSQL: every
//! demo resident has cases in every state (with the permit PDF, the
//! refusal's reason and a paid premium), messages, an appointment this
//! week and a no-show; a resident without e-mail gets letters; seeding
//! twice leaves the same counts; the counters' simulator moves the queue
//! during opening hours and does nothing outside them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use loket_domain::audit::Actor;
use loket_store::sqlx::{self, Row};

const TABLES: &[&str] = &[
    "users",
    "cases",
    "case_events",
    "case_files",
    "case_documents",
    "appointments",
    "contact_moments",
    "contact_forwards",
    "letters",
    "payment_exports",
    "outbox",
    "queue_tickets",
];

async fn counts(app: &TestApp) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for t in TABLES {
        let n: i64 = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get(0);
        out.push(((*t).to_owned(), n));
    }
    out
}

async fn statuses_of(app: &TestApp, email: &str) -> Vec<(String, String)> {
    sqlx::query(
        "SELECT s.id AS service, c.status FROM cases c JOIN users u ON u.id = c.resident_id \
         JOIN services s ON s.id = c.service_id WHERE u.email = $1 ORDER BY c.number",
    )
    .bind(email)
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get("service"), r.get("status")))
    .collect()
}

#[tokio::test]
async fn every_demo_resident_has_a_lived_in_history_seeded_once() {
    let app = TestApp::spawn().await;
    loket::demo::seed(&app.store).await.unwrap();
    let started = std::time::Instant::now();
    let n = loket::demo::history::seed(&app.store).await.unwrap();
    eprintln!(
        "generated {n} residents with their year in {:?}",
        started.elapsed()
    );
    assert_eq!(n, loket::demo::history::RESIDENTS);
    loket::demo::lives::seed(&app.app()).await.unwrap();
    let first = counts(&app).await;
    // Twice: the same counts.
    loket::demo::seed(&app.store).await.unwrap();
    assert_eq!(loket::demo::history::seed(&app.store).await.unwrap(), 0);
    loket::demo::lives::seed(&app.app()).await.unwrap();
    assert_eq!(counts(&app).await, first);

    // The generated year: residents, cases on every channel (mostly web),
    // decided and open ones, kept and missed appointments with counter
    // visits, calls.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email LIKE 'inwoner%@example.org'")
            .await,
        500
    );
    for channel in ["web", "counter", "phone", "post"] {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM cases WHERE channel = $1")
            .bind(channel)
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get(0);
        assert!(n > 0, "no {channel} cases");
    }
    let web = app
        .count("SELECT COUNT(*) FROM cases WHERE channel = 'web'")
        .await;
    let all = app.count("SELECT COUNT(*) FROM cases").await;
    assert!(web * 100 / all >= 60, "mostly online: {web} of {all}");
    assert!(
        app.count("SELECT COUNT(*) FROM cases WHERE closed_at IS NOT NULL")
            .await
            > 100
    );
    assert!(
        app.count("SELECT COUNT(*) FROM cases WHERE status = 'paid'")
            .await
            > 10
    );
    assert!(
        app.count("SELECT COUNT(*) FROM queue_tickets WHERE status = 'served' AND called_at > checked_in_at")
            .await
            > 100
    );
    assert!(
        app.count("SELECT COUNT(*) FROM appointments WHERE status = 'no_show'")
            .await
            > 10
    );
    assert!(
        app.count("SELECT COUNT(*) FROM contact_moments WHERE status = 'closed'")
            .await
            > 100
    );
    // Numbers reserved from the counters: a case submitted now gets the
    // next one, never one of the generated.
    let year = loket_domain::calendar::today_brussels().year();
    let last: i64 = sqlx::query("SELECT last FROM case_counters WHERE year = $1")
        .bind(i64::from(year))
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get(0);
    let generated_this_year: i64 = sqlx::query("SELECT COUNT(*) FROM cases WHERE number LIKE $1")
        .bind(format!("{year}-%"))
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(last, generated_this_year, "the counter covers every number");

    for email in [
        "an.peeters@example.org",
        "mohamed.elamrani@example.org",
        "julie.vandenberghe@example.org",
        "jozef.dewit@example.org",
    ] {
        let st: Vec<String> = statuses_of(&app, email)
            .await
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        for want in ["submitted", "info_requested", "approved", "refused", "paid"] {
            assert!(st.iter().any(|s| s == want), "{email}: {st:?} lacks {want}");
        }
        // The permit's PDF, the refusal's reason, the messages.
        let one = |sql: &'static str| {
            let pool = app.store.pool().clone();
            async move {
                sqlx::query(sql)
                    .bind(email)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
                    .get::<i64, _>(0)
            }
        };
        assert!(
            one(
                "SELECT COUNT(*) FROM case_documents d JOIN cases c ON c.id = d.case_id \
                 JOIN users u ON u.id = c.resident_id WHERE u.email = $1 AND c.status = 'approved'"
            )
            .await
                >= 1,
            "{email}: the approved permit has its PDF"
        );
        assert!(
            one(
                "SELECT COUNT(*) FROM case_events e JOIN cases c ON c.id = e.case_id \
                 JOIN users u ON u.id = c.resident_id \
                 WHERE u.email = $1 AND e.to_status = 'refused' AND e.body <> ''"
            )
            .await
                >= 1,
            "{email}: the refusal has its reason"
        );
        assert_eq!(
            one(
                "SELECT COUNT(*) FROM case_events e JOIN cases c ON c.id = e.case_id \
                 JOIN users u ON u.id = c.resident_id \
                 WHERE u.email = $1 AND e.kind IN ('message_in', 'message_out')"
            )
            .await,
            2,
            "{email}: a question and its answer"
        );
        assert_eq!(
            one(
                "SELECT COUNT(*) FROM appointments a JOIN users u ON u.id = a.resident_id \
                 WHERE u.email = $1 AND a.status = 'no_show'"
            )
            .await,
            1,
            "{email}: a no-show last week"
        );
        assert_eq!(
            one(
                "SELECT COUNT(*) FROM contact_moments m JOIN users u ON u.id = m.resident_id \
                 WHERE u.email = $1"
            )
            .await,
            1,
            "{email}: a call on the file"
        );
        assert_eq!(
            one("SELECT COUNT(*) FROM vac_bookings b JOIN vac_invitations i ON i.id = b.invitation_id \
                 WHERE i.email = $1")
            .await,
            1,
            "{email}: invited and booked at the vaccination centre"
        );
        let week_ahead = loket_store::now_ms() + 8 * 86_400_000;
        let booked: i64 = sqlx::query(
            "SELECT COUNT(*) FROM appointments a JOIN users u ON u.id = a.resident_id \
             WHERE u.email = $1 AND a.status = 'booked' AND a.starts_at > $2 AND a.starts_at < $3",
        )
        .bind(email)
        .bind(loket_store::now_ms())
        .bind(week_ahead)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get(0);
        assert_eq!(booked, 1, "{email}: an appointment in the coming week");
    }
    // The premiums went out in one SEPA file.
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_exports").await, 1);
    // The resident without e-mail: her permit and status letters by post.
    let letters: i64 = sqlx::query(
        "SELECT COUNT(*) FROM letters l JOIN users u ON u.id = l.resident_id \
         WHERE u.name = $1 AND u.email = ''",
    )
    .bind(loket::demo::lives::NO_EMAIL_RESIDENT)
    .fetch_one(app.store.pool())
    .await
    .unwrap()
    .get(0);
    assert!(letters >= 1, "letters for the resident without e-mail");
    // Forwards answered, and still open ones.
    assert!(
        app.count("SELECT COUNT(*) FROM contact_forwards WHERE status = 'answered'")
            .await
            >= 2
    );
    assert!(
        app.count("SELECT COUNT(*) FROM contact_forwards WHERE status = 'open'")
            .await
            >= 1
    );

    // An sees her cases on her page, as many as the database holds, each
    // with its state.
    let an = app.client();
    let r = app
        .submit(
            &an,
            "/login",
            "/login",
            &[
                ("email", "an.peeters@example.org"),
                ("password", loket::demo::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (status, html) = app.get(&an, "/cases").await;
    assert_eq!(status, 200);
    let numbers: Vec<String> = sqlx::query(
        "SELECT c.number FROM cases c JOIN users u ON u.id = c.resident_id WHERE u.email = $1",
    )
    .bind("an.peeters@example.org")
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect();
    assert_eq!(numbers.len(), 5, "An's own cases");
    for n in &numbers {
        assert!(html.contains(n.as_str()), "{n} on An's page");
    }
    for label in [
        "Ingediend",
        "Informatie gevraagd",
        "Goedgekeurd",
        "Geweigerd",
        "Betaald",
    ] {
        assert!(html.contains(label), "{label} on An's page");
    }
    app.stop().await;
}

async fn tickets(app: &TestApp, status: &'static str) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM queue_tickets t WHERE ($1 = '' OR t.status = $1)")
        .bind(status)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn the_counter_simulator_moves_the_queue_only_during_opening_hours() {
    use loket_store::appointments as appt;
    let app = TestApp::spawn().await;
    loket::demo::seed(&app.store).await.unwrap();
    let a = app.app();
    let locations = appt::list_locations(&app.store).await.unwrap();
    let set_hours = |hours: &'static str| {
        let store = app.store.clone();
        let locations = locations.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            for l in &locations {
                let mut periods = Vec::new();
                for wd in 1..=7 {
                    periods.extend(loket_domain::appointments::parse_day_hours(wd, hours).unwrap());
                }
                appt::set_hours(&mut tx, &Actor::System, &l.id, &periods)
                    .await
                    .unwrap();
                appt::set_closed_days(&mut tx, &Actor::System, &l.id, &[])
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
        }
    };
    // Closed all day: nothing moves.
    set_hours("").await;
    for seq in 0..3 {
        let t = loket::demo::queue::tick(&a, seq, loket_store::now_ms())
            .await
            .unwrap();
        assert_eq!(t, loket::demo::queue::Tick::default(), "closed: {t:?}");
    }
    assert_eq!(tickets(&app, "").await, 0);

    // Open around the clock: an appointment due in two minutes is checked
    // in, a walk-in comes, the desks call; later the visits end.
    set_hours("00:00-23:59").await;
    let city = appt::location(&app.store, "city-office")
        .await
        .unwrap()
        .unwrap();
    let an = resident(&app, "an.queue@example.org").await;
    let identity = appt::service(&app.store, "identity-card")
        .await
        .unwrap()
        .unwrap();
    crate::queue::appointment(&app, &an, &identity.id, &city.id, 2).await;
    let t = loket::demo::queue::tick(&a, 0, loket_store::now_ms())
        .await
        .unwrap();
    if t.open == 0 {
        return; // 23:59 in Brussels: the counters just closed
    }
    assert_eq!(t.checked_in, 1, "{t:?}");
    assert!(t.walk_ins >= 1, "a walk-in at one of the locations: {t:?}");
    let visitors = t.checked_in + t.walk_ins;
    assert_eq!(
        t.called, visitors,
        "every visitor called at a free desk: {t:?}"
    );
    assert_eq!(tickets(&app, "").await as usize, visitors);
    assert_eq!(tickets(&app, "called").await as usize, visitors);
    let later = loket_store::now_ms() + loket::demo::queue::VISIT_MS;
    let t = loket::demo::queue::tick(&a, 1, later).await.unwrap();
    assert_eq!(t.finished, visitors, "{t:?}");
    assert_eq!(tickets(&app, "served").await as usize, visitors);
    // The zone holds exactly the visitors not yet served (this tick may
    // have let a new walk-in in).
    let inside: i64 = sqlx::query(
        "SELECT COUNT(*) FROM queue_tickets WHERE location_id = $1 AND status IN ('waiting', 'called')",
    )
    .bind(&city.id)
    .fetch_one(app.store.pool())
    .await
    .unwrap()
    .get(0);
    assert_eq!(
        loket_store::queue::zone(&app.store, &city.id)
            .await
            .unwrap()
            .present,
        inside
    );
    app.stop().await;
}
