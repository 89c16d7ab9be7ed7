//! The last silent cut-offs (issue 19, item 4): a staff file's open loans
//! say "more than N" past their cap; the end-date worker counts a leaver's
//! loans exactly and its mail to ICT says "and N more"; a check-out by
//! scanned tags takes at most 500 distinct tags (one query for all of
//! them); a print batch takes the oldest 1,000 letters and the page says
//! how many still wait (the per-record histories are paged:
//! `paging::histories`); reminders that cannot be mailed are marked
//! skipped, not sent. Rows are seeded in bulk through SQL, the checks go through the
//! real HTTP server (and the worker's use case).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::walk::column;
use crate::common::*;

/// `n` assets tagged `{prefix}-00000`…, in stock, in bulk.
pub(super) async fn bulk_assets(app: &TestApp, prefix: &str, n: usize) -> Vec<String> {
    let ids: Vec<String> = (0..n).map(|i| format!("as-{prefix}-{i:05}")).collect();
    for chunk in (0..n).collect::<Vec<_>>().chunks(250) {
        let values: Vec<String> = chunk
            .iter()
            .map(|i| {
                format!(
                    "('as-{prefix}-{i:05}', '{prefix}-{i:05}', 'laptop', 'SN-{prefix}-{i}', 'Model', \
                     '2026-01-05', 100000, 'in_stock', 'ICT', 0, 0)"
                )
            })
            .collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO assets (id, tag, category, serial, model, purchase_date, price_cents, status, \
             location, created_at, updated_at) VALUES {}",
            values.join(", ")
        )))
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    ids
}

/// `n` assets tagged `{prefix}-…` on loan to `user_id` in one hand-over
/// (due dates over a few days), in bulk.
async fn bulk_loans(app: &TestApp, user_id: &str, prefix: &str, n: usize) {
    bulk_assets(app, prefix, n).await;
    let handover = format!("ho-{prefix}");
    sqlx::query(
        "INSERT INTO asset_handovers (id, borrower_user_id, place, created_at, created_by) \
         VALUES ($1, $2, '', 1, 'system')",
    )
    .bind(&handover)
    .bind(user_id)
    .execute(app.store.pool())
    .await
    .unwrap();
    for chunk in (0..n).collect::<Vec<_>>().chunks(250) {
        let values: Vec<String> = chunk
            .iter()
            .map(|i| {
                format!(
                    "('ln-{prefix}-{i:05}', 'as-{prefix}-{i:05}', '{handover}', '{user_id}', '', 1, \
                     '2099-01-{:02}', 'system')",
                    1 + i % 5
                )
            })
            .collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO asset_loans (id, asset_id, handover_id, borrower_user_id, place, out_at, \
             due_on, created_by) VALUES {}",
            values.join(", ")
        )))
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE assets SET status = 'on_loan', current_loan_id = 'ln-' || substr(id, 4) \
         WHERE id LIKE 'as-{prefix}-%'"
    )))
    .execute(app.store.pool())
    .await
    .unwrap();
}

async fn user_id(app: &TestApp, email: &str) -> String {
    loket_store::people::find_by_email(&app.store, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A staff record for `email` (the HR import writes the same row).
pub(super) async fn staff_record(app: &TestApp, no: &str, email: &str, end: Option<&str>) {
    sqlx::query(
        "INSERT INTO staff_members (id, employee_no, name, email, department, manager_no, regime_percent, \
         telework_eligible, end_date, created_at, updated_at) VALUES ($1, $2, $3, $4, 'ICT', NULL, 100, 1, $5, 0, 0)",
    )
    .bind(loket_store::new_id())
    .bind(no)
    .bind(format!("Person {no}"))
    .bind(email)
    .bind(end.map(str::to_owned))
    .execute(app.store.pool())
    .await
    .unwrap();
}

/// The rows of the staff file's equipment table.
fn equipment_rows(html: &str, prefix: &str) -> usize {
    let at = html.find("id=\"equipment\"").unwrap();
    html[at..].matches(&format!("<td>{prefix}-")).count()
}

#[tokio::test]
async fn a_staff_file_says_more_than_its_loans_cap() {
    let app = TestApp::spawn().await;
    let hr = app.signed_in("hr@leuven.example", &["hr"]).await;
    app.signed_in("tine@leuven.example", &["employee"]).await;
    staff_record(&app, "E7", "tine@leuven.example", None).await;
    let tine = user_id(&app, "tine@leuven.example").await;
    let shown = loket_app::telework::views::PERSON_LOANS_SHOWN;
    assert_eq!(shown, 500);
    bulk_loans(&app, &tine, "TW", shown + 1).await;
    let (s, html) = app.get(&hr, "/staff/people/E7").await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(equipment_rows(&html, "TW"), shown);
    assert!(html.contains("id=\"equipment-more\""), "{html}");
    assert!(
        html.contains("Meer dan 500 stuks zijn in bruikleen"),
        "{html}"
    );
    // One returned: exactly the cap, every loan listed, nothing to say.
    sqlx::query("UPDATE asset_loans SET in_at = 2 WHERE id = 'ln-TW-00003'")
        .execute(app.store.pool())
        .await
        .unwrap();
    let (_, html) = app.get(&hr, "/staff/people/E7").await;
    assert_eq!(equipment_rows(&html, "TW"), shown);
    assert!(!html.contains("id=\"equipment-more\""), "{html}");
    assert!(!html.contains(">TW-00003<"), "returned is not listed");
    app.stop().await;
}

#[tokio::test]
async fn the_ict_mail_counts_every_loan_and_lists_the_first_thousand() {
    let app = TestApp::spawn().await;
    app.signed_in("leaver@leuven.example", &["employee"]).await;
    let leaver = user_id(&app, "leaver@leuven.example").await;
    let listed = loket_app::people::ICT_MAIL_LOANS_LISTED;
    assert_eq!(listed, 1000);
    bulk_loans(&app, &leaver, "LV", listed + 3).await;
    // One more, returned: not counted.
    sqlx::query("UPDATE asset_loans SET in_at = 2 WHERE id = 'ln-LV-00010'")
        .execute(app.store.pool())
        .await
        .unwrap();
    let yesterday = loket_domain::calendar::today_brussels()
        .checked_sub(jiff::Span::new().days(1))
        .unwrap()
        .to_string();
    staff_record(&app, "E1", "leaver@leuven.example", Some(&yesterday)).await;
    // More due records than one read of the worker takes (200): one run
    // handles them all.
    let values: Vec<String> = (0..205)
        .map(|i| {
            format!(
                "('sm-{i:03}', 'X{i:03}', 'Gone {i}', 'gone{i}@leuven.example', 'ICT', NULL, 100, 1, \
                 '{yesterday}', 0, 0)"
            )
        })
        .collect();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO staff_members (id, employee_no, name, email, department, manager_no, regime_percent, \
         telework_eligible, end_date, created_at, updated_at) VALUES {}",
        values.join(", ")
    )))
    .execute(app.store.pool())
    .await
    .unwrap();

    let state = loket_app::App::new(app.store.clone(), loket_app::Config::default());
    let today = loket_domain::calendar::today_brussels().to_string();
    let e = loket_app::people::end_staff_records(&state, &today)
        .await
        .unwrap();
    assert_eq!((e.records, e.disabled, e.mails), (206, 1, 1));
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM staff_endings").await,
        206
    );
    let stored: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT loans FROM staff_endings WHERE user_id = $1")
            .bind(&leaver)
            .fetch_one(app.store.pool())
            .await
            .unwrap(),
        "loans",
    )
    .unwrap();
    assert_eq!(stored, 1002, "the exact count of open loans");
    let mail = app.last_mail_to("ict@leuven.example").await;
    assert!(mail.subject.contains("1002"), "{}", mail.subject);
    let lines = mail.body.lines().filter(|l| l.starts_with("- LV-")).count();
    assert_eq!(lines, listed);
    assert!(mail.body.contains("en nog 2 stuks"), "{}", mail.body);
    assert!(!mail.body.contains("LV-00010 "), "returned is not listed");
    // Handled once.
    let e = loket_app::people::end_staff_records(&state, &today)
        .await
        .unwrap();
    assert_eq!(e, loket_app::people::Endings::default());
    app.stop().await;
}

#[tokio::test]
async fn a_check_out_takes_at_most_500_distinct_tags() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("ict@leuven.example", &["ict"]).await;
    app.signed_in("lena@leuven.example", &["counter"]).await;
    let ids = bulk_assets(&app, "CK", 501).await;
    let check_out = |tags: String| {
        let app = &app;
        let c = &c;
        async move {
            let r = app
                .submit(
                    c,
                    "/staff/assets/check-out",
                    "/staff/assets/check-out",
                    &[
                        ("tags", tags.as_str()),
                        ("person", "lena@leuven.example"),
                        ("place", ""),
                        ("due_on", "2099-12-31"),
                    ],
                )
                .await;
            let s = r.status().as_u16();
            (s, r.text().await.unwrap())
        }
    };
    // 501 distinct tags: refused on `assets`, naming the limit, input kept.
    let all: Vec<String> = (0..501).map(|i| format!("CK-{i:05}")).collect();
    let (s, html) = check_out(all.join("\n")).await;
    assert_eq!(s, 422);
    assert!(html.contains("id=\"assets-error\""), "{html}");
    assert!(
        html.contains("hoogstens 500 verschillende labels"),
        "{html}"
    );
    assert!(html.contains("CK-00500"), "the input is kept");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM asset_loans").await, 0);
    // Unknown tags: each named, in the order given; nothing changes.
    let (s, html) = check_out("CK-00001 NOPE-1 ck-00002 NOPE-2".to_owned()).await;
    assert_eq!(s, 422);
    let (a, b) = (html.find("NOPE-1").unwrap(), html.find("NOPE-2").unwrap());
    assert!(a < b, "{html}");
    assert!(html.contains("label NOPE-1 bestaat niet"), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM asset_loans").await, 0);
    // 500 distinct tags, written in any case, repeated: all of them in one
    // hand-over, once each.
    let mut tags: Vec<String> = (0..500).map(|i| format!("ck-{i:05}")).collect();
    tags.push("CK-00000".to_owned());
    tags.push("CK-00007".to_owned());
    let r = app
        .submit(
            &c,
            "/staff/assets/check-out",
            "/staff/assets/check-out",
            &[
                ("tags", tags.join(",").as_str()),
                ("person", "lena@leuven.example"),
                ("place", ""),
                ("due_on", "2099-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM asset_loans").await,
        500
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM asset_handovers").await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM assets WHERE status = 'in_stock'")
            .await,
        1,
        "CK-00500 alone stays"
    );
    // The API checks out by id (the same lookup): the last one.
    let tok = token(&app, "ict2@leuven.example", &["ict"]).await;
    let (s, body) = api(
        &app,
        &tok,
        "POST",
        &format!("/api/v1/assets/{}/check-out", ids[500]),
        serde_json::json!({"place": "Balie 1", "due_on": "2099-01-01"}),
    )
    .await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["asset"]["tag"], "CK-00500", "{body}");
    let (s, body) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/assets/as-nope/check-out",
        serde_json::json!({"place": "Balie 1", "due_on": "2099-01-01"}),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["errors"][0]["code"], "asset-tag-unknown", "{body}");
    app.stop().await;
}

/// `n` waiting letters, the i-th created at instant `i` (so the oldest are
/// known), in bulk.
async fn bulk_letters(app: &TestApp, resident: &str, n: usize) {
    let content = serde_json::json!({
        "lang": "nl", "city": "Leuven", "place": "Leuven", "title": "Brief",
        "date": "2026-12-01", "reference_label": "Ref", "reference": "R",
        "recipient": ["An Peeters", "Tiensestraat 20", "3000 Leuven"],
        "paragraphs": [], "facts_header": ["", ""], "facts": [],
        "qr_url": null, "qr_caption": "", "qr_alt": "", "closing": "",
        "footer": "", "logo_alt": ""
    })
    .to_string()
    .replace('\'', "''");
    for chunk in (0..n).collect::<Vec<_>>().chunks(250) {
        let values: Vec<String> = chunk
            .iter()
            .map(|i| {
                format!(
                    "('lt-{i:05}', NULL, '{resident}', 'status', '{content}', {}, NULL)",
                    1_790_000_000_000_i64 + *i as i64
                )
            })
            .collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO letters (id, case_id, resident_id, kind, content, created_at, batch_id) VALUES {}",
            values.join(", ")
        )))
        .execute(app.store.pool())
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn a_print_batch_takes_the_oldest_thousand_and_says_how_many_wait() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("loket@leuven.example", &["counter"]).await;
    let an = resident(&app, "an@example.org").await;
    let max = loket_app::cases::letters::BATCH_MAX;
    assert_eq!(max, 1000);
    bulk_letters(&app, &an, max + 7).await;
    let (_, html) = app.get(&c, "/staff/letters").await;
    assert!(
        html.contains("Er wachten meer brieven dan één afdrukbatch bevat"),
        "{html}"
    );
    assert!(html.contains("de oudste 1.000"), "{html}");
    // The first batch: the oldest 1,000, then back to the letters page,
    // which links its PDF and says 7 still wait.
    let r = app
        .submit(&c, "/staff/letters", "/staff/letters/batch", &[])
        .await;
    assert_eq!(r.status(), 303);
    let to = location(&r);
    assert!(to.starts_with("/staff/letters?made="), "{to}");
    let waiting = column(
        &app,
        "SELECT id AS k FROM letters WHERE batch_id IS NULL AND $1 = '' ORDER BY id",
        &[""],
    )
    .await;
    let newest: Vec<String> = (max..max + 7).map(|i| format!("lt-{i:05}")).collect();
    assert_eq!(waiting, newest, "the oldest went into the batch");
    let (s, html) = app.get(&c, &to).await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"batch-made\""), "{html}");
    assert!(html.contains("Ze bevat 1.000 brieven"), "{html}");
    assert!(html.contains("Nog wachtend: 7 in totaal"), "{html}");
    let id = to.trim_start_matches("/staff/letters?made=");
    assert!(html.contains(&format!("href=\"/staff/letters/batches/{id}.pdf\"")));
    assert!(
        html.contains("Een afdrukbatch bevat de oudste wachtende brieven"),
        "{html}"
    );
    // The second batch takes the rest: straight to its PDF.
    let r = app
        .submit(&c, "/staff/letters", "/staff/letters/batch", &[])
        .await;
    assert_eq!(r.status(), 303);
    assert!(location(&r).ends_with(".pdf"), "{}", location(&r));
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM letters WHERE batch_id IS NULL")
            .await,
        0
    );
    let counts = column(
        &app,
        "SELECT CAST(count AS TEXT) AS k FROM print_batches WHERE $1 = '' ORDER BY count",
        &[""],
    )
    .await;
    assert_eq!(counts, ["7", "1000"]);
    // Nothing is claimed twice: every letter in exactly one batch.
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT id) AS n FROM letters WHERE batch_id IS NOT NULL")
            .await,
        1007
    );
    app.stop().await;
}

#[tokio::test]
async fn my_account_says_when_not_every_invitation_is_listed() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("an@example.org", &["resident"]).await;
    let an = user_id(&app, "an@example.org").await;
    let nrn = "85073003328";
    sqlx::query(
        "INSERT INTO resident_profiles (user_id, national_number, street, house_number, box, \
         postal_code, city, phone, updated_at) VALUES ($1, $2, 'Straat', '1', '', '3000', 'Leuven', '', 0)",
    )
    .bind(&an)
    .bind(nrn)
    .execute(app.store.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO appt_locations (id, slug, name, address, created_at, updated_at) \
         VALUES ('loc', 'loc', 'Centrum', 'Straat 1', 0, 0)",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    // One invitation per campaign: 21 campaigns, the i-th invited at i.
    let invite = |i: usize| {
        let app = &app;
        async move {
            for sql in [
                format!(
                    "INSERT INTO appt_services (id, slug, name_nl, name_en, slot_minutes, created_at, updated_at) \
                     VALUES ('svc{i}', 'svc{i}', 'S', 'S', 5, 0, 0)"
                ),
                format!(
                    "INSERT INTO vac_campaigns (id, slug, name, vaccine, location_id, service_id, lines, per_line, \
                     slot_minutes, observation_minutes, admit_per_minute, admit_burst, opens_at, status, \
                     created_at, updated_at) VALUES ('cmp{i}', 'cmp{i}', 'Campagne-{i:02}', 'V', 'loc', 'svc{i}', \
                     1, 1, 5, 15, 10, 10, 0, 'open', 0, 0)"
                ),
                format!(
                    "INSERT INTO vac_invitations (id, campaign_id, code, national_number, name, birth_date, street, \
                     postal_code, city, group_rank, source, delivery, status, created_at, updated_at) \
                     VALUES ('inv{i}', 'cmp{i}', 'CODE{i:02}', '{nrn}', 'An', '1985-07-30', 'Straat', '3000', \
                     'Leuven', 0, 'import', 'email', 'invited', {i}, 0)"
                ),
            ] {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(app.store.pool())
                    .await
                    .unwrap();
            }
        }
    };
    for i in 0..20 {
        invite(i).await;
    }
    let (s, html) = app.get(&c, "/account").await;
    assert_eq!(s, 200, "{html}");
    assert_eq!(html.matches("<td>Campagne-").count(), 20, "{html}");
    assert!(!html.contains("id=\"invitations-more\""), "{html}");
    invite(20).await;
    let (_, html) = app.get(&c, "/account").await;
    assert_eq!(html.matches("<td>Campagne-").count(), 20);
    assert!(html.contains("<td>Campagne-20<"), "the newest first");
    assert!(!html.contains("<td>Campagne-00<"), "the oldest is left out");
    assert!(html.contains("id=\"invitations-more\""), "{html}");
    assert!(html.contains("meer dan 20 uitnodigingen"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn reminders_without_an_address_do_not_hold_up_the_others() {
    use crate::appointments::{LOCATION, SERVICE, at, setup};
    let app = TestApp::spawn().await;
    setup(&app, 1).await;
    resident(&app, "fien@example.org").await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    let (s, a) = api(
        &app,
        &staff,
        "POST",
        "/api/v1/appointments",
        serde_json::json!({ "service": SERVICE, "location": LOCATION, "start": at(2, "09:00"), "resident_email": "fien@example.org" }),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    // A resident without an e-mail address (served at the counter) with
    // 150 appointments whose reminders came due before Fien's.
    let mut tx = app.store.begin().await.unwrap();
    let paper = loket_store::people::create_resident(
        &mut tx,
        &loket_domain::audit::Actor::System,
        &loket_domain::people::PersonName::parse("Piet Papier").unwrap(),
        None,
        "nl",
        &Default::default(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let cols = "slot_id, service_id, location_id, starts_at, ends_at, status, channel, booked_by, \
                sequence, reminder_sent_at, created_at, updated_at";
    for i in 0..150 {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO appointments (id, code, resident_id, remind_at, {cols}) \
             SELECT 'pp-{i:03}', 'PP{i:03}', $1, 0, {cols} FROM appointments WHERE resident_id <> $2"
        )))
        .bind(&paper)
        .bind(&paper)
        .execute(app.store.pool())
        .await
        .unwrap();
    }
    sqlx::query(
        "UPDATE appointments SET created_at = 0, \
         remind_at = CASE WHEN resident_id = $1 THEN 1 ELSE 2 END",
    )
    .bind(&paper)
    .execute(app.store.pool())
    .await
    .unwrap();
    let web = loket_app::App::new(
        app.store.clone(),
        loket::app_config(&app.config, &app.running.as_ref().unwrap().addr).unwrap(),
    );
    // The first run meets 100 reminders it cannot mail; the next reaches
    // Fien's.
    let mut sent = 0;
    for _ in 0..3 {
        sent += loket_app::appointments::send_reminders(&web).await.unwrap();
    }
    assert_eq!(sent, 1);
    let mail = app.last_mail_to("fien@example.org").await;
    assert!(mail.subject.starts_with("Herinnering"), "{}", mail.subject);
    // Fien's is marked sent; the 150 that could not be mailed are marked
    // skipped, not sent.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) AS n FROM appointments WHERE reminder_sent_at IS NOT NULL \
             AND reminder_skipped_at IS NULL"
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) AS n FROM appointments WHERE reminder_skipped_at IS NOT NULL \
             AND reminder_sent_at IS NULL"
        )
        .await,
        150
    );
    assert_eq!(
        loket_app::appointments::send_reminders(&web).await.unwrap(),
        0,
        "nothing is left due"
    );
    // A reschedule makes the reminder due again (neither sent nor skipped).
    let (s, body) = api(
        &app,
        &staff,
        "POST",
        "/api/v1/appointments/pp-000/reschedule",
        serde_json::json!({ "start": at(2, "10:00") }),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) AS n FROM appointments WHERE id = 'pp-000' \
             AND reminder_sent_at IS NULL AND reminder_skipped_at IS NULL"
        )
        .await,
        1
    );
    app.stop().await;
}

/// `sql` with every `(…)` of `values` in one INSERT, 250 rows a statement.
pub(super) async fn bulk_insert(app: &TestApp, sql: &str, values: Vec<String>) {
    for chunk in values.chunks(250) {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{sql} VALUES {}",
            chunk.join(", ")
        )))
        .execute(app.store.pool())
        .await
        .unwrap();
    }
}
