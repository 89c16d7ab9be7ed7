//! The ICT inventory through the real server: an asset is never on loan
//! twice (racing clients), labels as ZPL and as a PDF whose barcodes
//! `zbarimg` decodes, a bad CSV refused whole with line and column, the
//! hand-over with its acknowledgement, check-in refusals, overdue loans,
//! the audit by scanning, and the equipment pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use loket_store::sqlx::{self, Row};
use serde_json::{Value, json};

const ICT: &str = "ict@leuven.example";

const CSV: &str = "category,tag,serial,model,purchase_date,price,location\n\
laptop,LV-LAP-0001,SN-A1,\"Dell Latitude 5450\",2026-01-15,899.00,ICT-magazijn\n\
laptop,LV-LAP-0002,SN-A2,Dell Latitude 5450,2026-01-15,899.00,ICT-magazijn\n\
laptop,LV-LAP-0003,SN-A3,Dell Latitude 5450,2026-01-15,899.00,ICT-magazijn\n\
barcode_scanner,LV-SCN-0001,SN-S1,Zebra DS2208,2025-11-02,129.5,Vaccinatiecentrum\n\
barcode_scanner,LV-SCN-0002,SN-S2,Zebra DS2208,2025-11-02,129.5,Vaccinatiecentrum\n\
office_chair,LV-CHR-0001,SN-C1,Steelcase Series 1,2024-03-01,420,ICT-magazijn\n";

async fn import(app: &TestApp, c: &reqwest::Client) {
    let r = app
        .submit(
            c,
            "/staff/assets/import",
            "/staff/assets/import",
            &[("csv", CSV)],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
}

async fn bytes(app: &TestApp, c: &reqwest::Client, path: &str) -> (u16, String, Vec<u8>) {
    let r = c.get(app.url(path)).send().await.unwrap();
    let s = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (s, ct, r.bytes().await.unwrap().to_vec())
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = temp_dir();
    let path = dir.join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn labels_as_zpl_and_as_pdf_with_decodable_barcodes() {
    let app = TestApp::spawn().await;
    let c = app.signed_in(ICT, &["ict"]).await;
    import(&app, &c).await;
    let tags = "LV-LAP-0001%0ALV-SCN-0002%0ALV-CHR-0001";
    let want = vec!["LV-CHR-0001", "LV-LAP-0001", "LV-SCN-0002"];
    // ZPL, Code128 and QR.
    let (s, ct, z) = bytes(
        &app,
        &c,
        &format!("/staff/assets/labels/file?tags={tags}&format=zpl&symbology=code128"),
    )
    .await;
    assert_eq!(s, 200);
    assert!(ct.starts_with("text/plain"));
    let z = String::from_utf8(z).unwrap();
    assert_eq!(z.matches("^XA").count(), 3);
    assert_eq!(z.matches("^XZ").count(), 3);
    for t in &want {
        assert!(z.contains(&format!("^BCN,110,Y,N,N^FD{t}^FS")), "{z}");
    }
    let (_, _, q) = bytes(
        &app,
        &c,
        &format!("/staff/assets/labels/file?tags={tags}&format=zpl&symbology=qr"),
    )
    .await;
    let q = String::from_utf8(q).unwrap();
    assert!(q.contains("^BQN,2,5^FDQA,LV-SCN-0002^FS"), "{q}");
    assert!(!q.contains("^BC"));
    // PDF sheet: Code128, decoded.
    let started = std::time::Instant::now();
    let (s, ct, pdf) = bytes(
        &app,
        &c,
        &format!("/staff/assets/labels/file?tags={tags}&format=pdf&symbology=code128"),
    )
    .await;
    let ms = started.elapsed().as_millis();
    assert_eq!(s, 200);
    assert_eq!(ct, "application/pdf");
    assert_eq!(barcodes_in_pdf(&pdf), want);
    assert!(pdf_text(&pdf).contains("Dell Latitude 5450"));
    // PDF sheet: QR, decoded.
    let (_, _, pdf) = bytes(
        &app,
        &c,
        &format!("/staff/assets/labels/file?tags={tags}&format=pdf&symbology=qr"),
    )
    .await;
    assert_eq!(barcodes_in_pdf(&pdf), want);
    println!("label sheet of 3 (Code128) rendered in {ms} ms");
    // An unknown tag is refused with the tag named.
    let (s, _, html) = bytes(
        &app,
        &c,
        "/staff/assets/labels/file?tags=LV-NOPE-1&format=pdf",
    )
    .await;
    assert_eq!(s, 422);
    assert!(String::from_utf8(html).unwrap().contains("LV-NOPE-1"));
    app.stop().await;
}

#[tokio::test]
async fn a_bad_csv_line_refuses_the_whole_file_with_line_and_column() {
    let app = TestApp::spawn().await;
    let c = app.signed_in(ICT, &["ict"]).await;
    let bad = CSV.replace(
        "LV-LAP-0003,SN-A3,Dell Latitude 5450,2026-01-15",
        "LV-LAP-0003,SN-A3,Dell Latitude 5450,2026-02-30",
    );
    let r = app
        .submit(
            &c,
            "/staff/assets/import",
            "/staff/assets/import",
            &[("csv", &bad)],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Regel 4, kolom 5 (Aankoopdatum)"), "{html}");
    assert!(html.contains("2026-02-30"), "the input is kept");
    assert_eq!(app.count("SELECT COUNT(*) FROM assets").await, 0);
    // A tag already in use, on line 3: nothing imported either.
    import(&app, &c).await;
    let again = "category,tag,serial,model,purchase_date,price,location\n\
                 screen,LV-SCR-0001,SN-X,P24,2026-01-01,150,ICT-magazijn\n\
                 laptop,LV-LAP-0002,SN-Y,X,2026-01-01,1,ICT-magazijn\n";
    let r = app
        .submit(
            &c,
            "/staff/assets/import",
            "/staff/assets/import",
            &[("csv", again)],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Regel 3, kolom 2"), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM assets").await, 6);
    app.stop().await;
}

/// Racing clients try to lend the same asset: exactly one wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_asset_is_never_on_loan_twice() {
    const CLIENTS: usize = 40;
    let app = TestApp::spawn_with(|c| c.db_max_connections = 16).await;
    let c = app.signed_in(ICT, &["ict"]).await;
    import(&app, &c).await;
    let tok = token(&app, "ict2@leuven.example", &["ict"]).await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(CLIENTS));
    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        let url = app.url("/api/v1/assets/LV-LAP-0001/check-out");
        let tok = tok.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            barrier.wait().await;
            let r = client
                .post(url)
                .bearer_auth(tok)
                .json(&json!({"place": format!("vaccinatiecentrum, lijn {i}"), "due_on": "2099-01-01"}))
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let (s, body) = t.await.unwrap();
        match s {
            201 => ok += 1,
            422 => assert_eq!(body["errors"][0]["code"], "asset-not-in-stock", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM asset_loans WHERE in_at IS NULL")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM assets WHERE status = 'on_loan'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'assets.check_out'")
            .await,
        1
    );
    // Racing check-ins of the same loan: one wins, the rest are refused.
    let statuses = race(10, |_| {
        let url = app.url("/api/v1/assets/LV-LAP-0001/check-in");
        let tok = tok.clone();
        let client = reqwest::Client::new();
        async move {
            client
                .post(url)
                .bearer_auth(tok)
                .json(&json!({"condition_note": "ok"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    })
    .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        9,
        "{statuses:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM asset_loans WHERE in_at IS NULL")
            .await,
        0
    );
    println!("{CLIENTS} racing check-outs on {}: 1 loan", backend());
    app.stop().await;
}

#[tokio::test]
async fn hand_over_acknowledge_check_in_and_the_equipment_pages() {
    let app = TestApp::spawn().await;
    let c = app.signed_in(ICT, &["ict"]).await;
    import(&app, &c).await;
    let staff = app.signed_in("lena@leuven.example", &["counter"]).await;
    let hr = app.signed_in("hr@leuven.example", &["hr"]).await;
    // Laptop and chair to Lena in one hand-over.
    let r = app
        .submit(
            &c,
            "/staff/assets/check-out",
            "/staff/assets/check-out",
            &[
                ("tags", "LV-LAP-0002\nlv-chr-0001"),
                ("person", "lena@leuven.example"),
                ("place", ""),
                ("due_on", "2099-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let handover = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(app.count("SELECT COUNT(*) FROM asset_handovers").await, 1);
    // The same laptop again: refused, nothing changes.
    let before = app.count("SELECT COUNT(*) FROM asset_loans").await;
    let r = app
        .submit(
            &c,
            "/staff/assets/check-out",
            "/staff/assets/check-out",
            &[
                ("tags", "LV-LAP-0003\nLV-LAP-0002"),
                ("person", ""),
                ("place", "Balie 2"),
                ("due_on", "2099-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("LV-LAP-0002"));
    assert_eq!(app.count("SELECT COUNT(*) FROM asset_loans").await, before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM assets WHERE status = 'on_loan'")
            .await,
        2
    );
    // Neither or both of person and place: refused.
    let r = app
        .submit(
            &c,
            "/staff/assets/check-out",
            "/staff/assets/check-out",
            &[
                ("tags", "LV-LAP-0003"),
                ("person", ""),
                ("place", ""),
                ("due_on", "2099-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    // The hand-over PDF lists both items.
    let (s, ct, pdf) = bytes(&app, &staff, &format!("{handover}/pdf")).await;
    assert_eq!((s, ct.as_str()), (200, "application/pdf"));
    let text = pdf_text(&pdf);
    assert!(
        text.contains("LV-LAP-0002") && text.contains("LV-CHR-0001"),
        "{text}"
    );
    assert!(text.contains("Nog niet bevestigd"));
    // Lena sees her equipment and acknowledges.
    let (s, html) = app.get(&staff, "/equipment").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("LV-LAP-0002") && html.contains(&handover),
        "{html}"
    );
    let r = app
        .submit(&staff, &handover, &format!("{handover}/acknowledge"), &[])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM asset_handovers WHERE acknowledged_at IS NOT NULL")
            .await,
        1
    );
    let (_, _, pdf) = bytes(&app, &staff, &format!("{handover}/pdf")).await;
    assert!(!pdf_text(&pdf).contains("Nog niet bevestigd"));
    // Someone else cannot see it; ICT can.
    let other = app.signed_in("piet@leuven.example", &["finance"]).await;
    assert_eq!(app.get(&other, &handover).await.0, 404);
    assert_eq!(app.get(&c, &handover).await.0, 200);
    // HR sees what Lena must return when she leaves (access-logged).
    let lena = loket_store::people::find_by_email(&app.store, "lena@leuven.example")
        .await
        .unwrap()
        .unwrap();
    let (s, html) = app.get(&hr, &format!("/staff/equipment/{}", lena.id)).await;
    assert_eq!(s, 200);
    assert!(html.contains("LV-LAP-0002") && html.contains("LV-CHR-0001"));
    assert!(
        app.count("SELECT COUNT(*) FROM access_log WHERE purpose = 'assets.person.view'")
            .await
            >= 1
    );
    let (s, html) = app.get(&hr, "/staff/equipment?q=lena").await;
    assert_eq!(s, 200);
    assert!(html.contains(&lena.id));
    // Check in with a condition note; a second check-in is refused.
    let laptop = loket_store::assets::get_asset(&app.store, "LV-LAP-0002")
        .await
        .unwrap()
        .unwrap();
    let page = format!("/staff/assets/{}", laptop.id);
    let r = app
        .submit(
            &c,
            &page,
            &format!("{page}/check-in"),
            &[("condition_note", "Kras op deksel"), ("location", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = app
        .submit(
            &c,
            &page,
            &format!("{page}/check-in"),
            &[("condition_note", "again"), ("location", "")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let tok = token(&app, "ict3@leuven.example", &["ict"]).await;
    let (s, body) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/assets/LV-LAP-0002/check-in",
        json!({}),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(body["errors"][0]["code"], "asset-not-on-loan");
    let row = sqlx::query("SELECT condition_note FROM asset_loans WHERE asset_id = $1")
        .bind(&laptop.id)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>(0), "Kras op deksel");
    let (s, a) = api(&app, &tok, "GET", "/api/v1/assets/LV-LAP-0002", Value::Null).await;
    assert_eq!((s, a["status"].as_str()), (200, Some("in_stock")));
    // Bulk check-out: 2 scanners to a place; one too many is refused whole.
    let r = app
        .submit(
            &c,
            "/staff/assets/check-out",
            "/staff/assets/check-out",
            &[
                ("tags", ""),
                ("category", "barcode_scanner"),
                ("count", "3"),
                ("place", "Vaccinatiecentrum, lijn 3"),
                ("due_on", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .submit(
            &c,
            "/staff/assets/check-out",
            "/staff/assets/check-out",
            &[
                ("tags", ""),
                ("category", "barcode_scanner"),
                ("count", "2"),
                ("place", "Vaccinatiecentrum, lijn 3"),
                ("due_on", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("SELECT COUNT(*) FROM assets WHERE location = 'Vaccinatiecentrum, lijn 3' AND status = 'on_loan'").await, 2);
    // Overdue: a loan due yesterday is listed.
    sqlx::query("UPDATE asset_loans SET due_on = '2020-01-01' WHERE in_at IS NULL AND place <> ''")
        .execute(app.store.pool())
        .await
        .unwrap();
    let (s, html) = app.get(&c, "/staff/assets/overdue").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("LV-SCN-0001") && !html.contains("LV-CHR-0001"),
        "{html}"
    );
    app.stop().await;
}

#[tokio::test]
async fn audit_reports_present_missing_misplaced_and_unknown() {
    let app = TestApp::spawn().await;
    let c = app.signed_in(ICT, &["ict"]).await;
    import(&app, &c).await;
    // At the vaccination centre: SCN-0001 and SCN-0002. Scanned: SCN-0001,
    // a laptop of the store and an unknown tag (keyboard-wedge input: one per line).
    let r = app
        .submit(
            &c,
            "/staff/assets/audit",
            "/staff/assets/audit",
            &[
                ("location", "Vaccinatiecentrum"),
                ("scanned", "LV-SCN-0001\r\nLV-LAP-0001\r\nXX-9999\r\n"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let section = |id: &str| {
        let start = html.find(&format!("<ul id=\"{id}\">")).unwrap();
        let end = html[start..].find("</ul>").unwrap() + start;
        html[start..end].to_owned()
    };
    assert!(section("present").contains("LV-SCN-0001"));
    assert!(section("missing").contains("LV-SCN-0002"));
    assert!(
        section("misplaced").contains("LV-LAP-0001")
            && section("misplaced").contains("ICT-magazijn")
    );
    assert!(section("unknown").contains("XX-9999"));
    let a = loket_store::assets::get_asset(&app.store, "LV-SCN-0001")
        .await
        .unwrap()
        .unwrap();
    assert!(a.last_audit_on.is_some() && a.next_audit_on.is_some());
    let b = loket_store::assets::get_asset(&app.store, "LV-SCN-0002")
        .await
        .unwrap()
        .unwrap();
    assert!(b.last_audit_on.is_none());
    // Nothing scanned: refused, nothing saved.
    let r = app
        .submit(
            &c,
            "/staff/assets/audit",
            "/staff/assets/audit",
            &[("location", "Vaccinatiecentrum"), ("scanned", "  ")],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM asset_audits").await, 1);
    app.stop().await;
}

/// HR sees a staff member's equipment on their staff page; once the staff
/// member is leaving (an end date), the page asks for it back and links
/// the list of items to return.
#[tokio::test]
async fn the_staff_page_lists_equipment_and_asks_a_leaver_for_it_back() {
    let app = TestApp::spawn().await;
    let c = app.signed_in(ICT, &["ict"]).await;
    import(&app, &c).await;
    loket::cli::user_add(
        &app.config,
        "tine@leuven.example",
        "Tine Thuis",
        &["employee".to_owned()],
        None,
    )
    .await
    .unwrap();
    let tok = token(&app, "ict2@leuven.example", &["ict"]).await;
    let (st, v) = api(
        &app,
        &tok,
        "POST",
        "/api/v1/assets/LV-LAP-0001/check-out",
        json!({"person": "tine@leuven.example", "due_on": "2099-01-01"}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    let import_staff = |end: &'static str| {
        let app = &app;
        async move {
            let csv = format!(
                "employee_no;name;email;department;manager;regime;telework;end_date\n\
                 E2;Tine Thuis;tine@leuven.example;Financiën;;100;ja;{end}\n"
            );
            let records =
                loket_domain::telework::parse_staff_csv(&csv, &Default::default()).unwrap();
            let mut tx = app.store.begin().await.unwrap();
            loket_store::telework::import_staff(
                &mut tx,
                &loket_domain::audit::Actor::System,
                &records,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
    };
    import_staff("").await;
    let hr = app.signed_in("hr@leuven.example", &["hr"]).await;
    let (st, page) = app.get(&hr, "/staff/people/E2").await;
    assert_eq!(st, 200, "{page}");
    assert!(page.contains("LV-LAP-0001"), "{page}");
    assert!(!page.contains("dit moet terug"));
    import_staff("2099-06-30").await;
    let (_, page) = app.get(&hr, "/staff/people/E2").await;
    assert!(
        page.contains("dit moet terug") && page.contains("/staff/equipment/"),
        "{page}"
    );
    app.stop().await;
}

/// A CSV file of 1,500 assets (over 100 KiB) is uploaded and imported whole.
#[tokio::test]
async fn a_large_csv_file_is_uploaded_and_imported() {
    let app = TestApp::spawn().await;
    let c = app.signed_in(ICT, &["ict"]).await;
    let mut csv = String::from("category,tag,serial,model,purchase_date,price,location\n");
    for i in 0..1500 {
        csv.push_str(&format!(
            "laptop,LV-BULK-{i:05},SN-BULK-{i:05},Latitude 5440 met docking station,2026-01-15,899.00,ICT-magazijn Professor Van Overstraetenplein\n"
        ));
    }
    assert!(csv.len() > 100 * 1024);
    let (_, html) = app.get(&c, "/staff/assets/import").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&html))
        .text("csv", "")
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes())
                .file_name("assets.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let r = c
        .post(app.url("/staff/assets/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(app.count("SELECT COUNT(*) FROM assets").await, 1500);
    app.stop().await;
}

async fn asset_status(app: &TestApp, tag: &str) -> String {
    sqlx::query("SELECT status FROM assets WHERE tag = $1")
        .bind(tag)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get(0)
}

/// ICT adds an asset with the form and sets its status; bad fields, a tag
/// in use, a status not allowed and other roles change nothing.
#[tokio::test]
async fn the_new_asset_and_status_forms() {
    let app = TestApp::spawn().await;
    let c = app.signed_in(ICT, &["ict"]).await;
    let fields = |tag: &'static str, price: &'static str| {
        [
            ("category", "laptop"),
            ("tag", tag),
            ("serial", "SN-N1"),
            ("model", "Lenovo T14"),
            ("purchase_date", "2026-02-01"),
            ("price", price),
            ("location", "ICT-magazijn"),
        ]
    };
    let new = "/staff/assets/new";
    let r = app.submit(&c, new, new, &fields("lv lap 9", "veel")).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#tag\"")
            && html.contains("href=\"#price\"")
            && html.contains("value=\"Lenovo T14\""),
        "{html}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM assets").await, 0);
    let hr = app.signed_in("hr@leuven.example", &["hr"]).await;
    let r = app
        .submit(&hr, "/staff", new, &fields("LV-LAP-0100", "1049,50"))
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM assets").await, 0);

    let r = app
        .submit(&c, new, new, &fields("lv-lap-0100", "1049,50"))
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let page = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(page.starts_with("/staff/assets/"), "{page}");
    let row = sqlx::query("SELECT tag, price_cents, status, model FROM assets")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>(0), "LV-LAP-0100");
    assert_eq!(row.get::<i64, _>(1), 104_950);
    assert_eq!(row.get::<String, _>(2), "in_stock");
    assert_eq!(row.get::<String, _>(3), "Lenovo T14");
    let (s, html) = app.get(&c, &page).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("LV-LAP-0100") && html.contains("€ 1049,50"),
        "{html}"
    );
    // The same tag again: refused on its field.
    let r = app.submit(&c, new, new, &fields("LV-LAP-0100", "10")).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("href=\"#tag\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM assets").await, 1);

    // The status: to repair and back; "on loan" only by a check-out, and
    // an unknown status, are refused.
    let status = format!("{page}/status");
    let r = app
        .submit(&c, &page, &status, &[("status", "repair")])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], page.as_str());
    assert_eq!(asset_status(&app, "LV-LAP-0100").await, "repair");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'assets.status'")
            .await,
        1
    );
    for bad in ["on_loan", "stolen"] {
        let r = app.submit(&c, &page, &status, &[("status", bad)]).await;
        assert_eq!(r.status(), 422, "{bad}");
        assert!(r.text().await.unwrap().contains("href=\"#status\""));
        assert_eq!(asset_status(&app, "LV-LAP-0100").await, "repair");
    }
    let r = app
        .submit(&hr, "/staff", &status, &[("status", "lost")])
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(asset_status(&app, "LV-LAP-0100").await, "repair");
    let r = app
        .submit(&c, &page, &status, &[("status", "in_stock")])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(asset_status(&app, "LV-LAP-0100").await, "in_stock");
    app.stop().await;
}
