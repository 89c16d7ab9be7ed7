//! `loket backup` and `loket restore`: a backup taken while residents book
//! holds every booking confirmed before it started; a damaged archive or a
//! used directory is refused and nothing is restored.

use crate::appointments::{LOCATION, SERVICE, at, setup};
use crate::common::*;
use loket_store::sqlx;
use serde_json::json;
use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CLIENTS: usize = 240;
/// How many of the clients book after the backup has returned.
const AFTER_BACKUP: usize = 40;

/// Which of `ids` the database at `url` holds as booked appointments.
async fn booked_in(url: &str, ids: &HashSet<String>) -> usize {
    let store = loket_store::Store::connect(url, 2).await.unwrap();
    let mut n = 0;
    for id in ids {
        let row = sqlx::query("SELECT status FROM appointments WHERE id = $1")
            .bind(id)
            .fetch_optional(store.pool())
            .await
            .unwrap();
        if let Some(row) = row {
            use sqlx::Row;
            assert_eq!(row.get::<String, _>("status"), "booked", "{id}");
            n += 1;
        }
    }
    store.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_during_a_booking_rush_holds_every_confirmed_booking() {
    let app = TestApp::spawn_with(|c| c.db_max_connections = 16).await;
    setup(&app, 10).await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    for i in 0..CLIENTS {
        resident(&app, &format!("rush{i}@example.org")).await;
    }
    // Files the backup must carry next to the database.
    std::fs::create_dir_all(app.dir.join("files/ab")).unwrap();
    std::fs::write(app.dir.join("files/ab/upload.pdf"), b"%PDF-1.7 test").unwrap();
    std::fs::create_dir_all(app.dir.join("mail")).unwrap();
    std::fs::write(app.dir.join("mail/1.eml"), b"Subject: hi\r\n\r\nbody").unwrap();

    // Every confirmation, in the order the clients received them.
    let confirmed: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    // The last clients book only once the backup has returned, so the rush
    // is still going when the backup ends however long it takes on a busy
    // machine (timing alone made this depend on the machine's load).
    let (backup_done, done_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        let url = app.url("/api/v1/appointments");
        let staff = staff.clone();
        let confirmed = confirmed.clone();
        let mut done_rx = done_rx.clone();
        // 24 quarter hours a day, 10 desks: every client finds a place.
        let hour = [9, 10, 11, 13, 14, 15][(i / 4) % 6];
        let start = at(2, &format!("{hour:02}:{:02}", (i % 4) * 15));
        tasks.push(tokio::spawn(async move {
            let mut wait = i;
            if i >= CLIENTS - AFTER_BACKUP {
                done_rx.wait_for(|done| *done).await.unwrap();
                wait = i - (CLIENTS - AFTER_BACKUP);
            }
            tokio::time::sleep(Duration::from_millis(wait as u64 * 12)).await;
            let r = reqwest::Client::new()
                .post(url)
                .bearer_auth(staff)
                .json(
                    &json!({ "service": SERVICE, "location": LOCATION, "start": start,
                               "resident_email": format!("rush{i}@example.org") }),
                )
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(s, 201, "{body}");
            confirmed
                .lock()
                .unwrap()
                .push(body["id"].as_str().unwrap().to_owned());
        }));
    }
    // Once the rush is under way: what was confirmed before the backup
    // started must be in it.
    while confirmed.lock().unwrap().len() < 20 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let before: HashSet<String> = confirmed.lock().unwrap().iter().cloned().collect();
    let archive = app.dir.join("backup.tar.gz");
    let report = loket::backup::backup(&app.config, &archive).await.unwrap();
    let during = confirmed.lock().unwrap().len();
    backup_done.send_replace(true);
    for t in tasks {
        t.await.unwrap();
    }
    let all: HashSet<String> = confirmed.lock().unwrap().iter().cloned().collect();
    assert_eq!(all.len(), CLIENTS);
    assert!(
        during <= CLIENTS - AFTER_BACKUP,
        "{during} of {CLIENTS} were confirmed when the backup ended, but {AFTER_BACKUP} were held back"
    );
    let paths: Vec<&str> = report
        .manifest
        .entries
        .iter()
        .map(|e| e.path.as_str())
        .collect();
    assert!(paths.contains(&"data/files/ab/upload.pdf"), "{paths:?}");
    assert!(paths.contains(&"data/mail/1.eml"), "{paths:?}");
    assert!(
        !paths.iter().any(|p| p.contains("backup.tar.gz")),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p.ends_with("loket.db-wal")),
        "{paths:?}"
    );
    assert!(!archive.with_extension("gz.partial").exists());

    // Restore into a fresh place and count.
    let target = temp_dir().join("restored");
    let url = match backend() {
        "postgres" => fresh_database_url(&target).await,
        _ => format!("sqlite://{}?mode=rwc", target.join("loket.db").display()),
    };
    let restored = loket::backup::restore(&archive, &target, Some(&url))
        .await
        .unwrap();
    assert_eq!(restored.manifest, report.manifest);
    let kept = booked_in(&url, &before).await;
    let kept_all = booked_in(&url, &all).await;
    eprintln!(
        "backup on {}: {} confirmed before it started, {kept} of them restored; {kept_all} of {} in the archive; {} bytes",
        backend(),
        before.len(),
        all.len(),
        report.bytes
    );
    assert_eq!(kept, before.len(), "a confirmed booking was lost");
    assert_eq!(
        std::fs::read(target.join("files/ab/upload.pdf")).unwrap(),
        b"%PDF-1.7 test"
    );
    assert_eq!(
        std::fs::read(target.join("mail/1.eml")).unwrap(),
        b"Subject: hi\r\n\r\nbody"
    );
    // The restored database serves: the current binary opens it as is.
    let restored_app = loket::config::Config {
        addr: "127.0.0.1:0".to_owned(),
        data_dir: target.clone(),
        database_url: Some(url.clone()),
        ..loket::config::Config::default()
    };
    let running = loket::start(&restored_app, false).await.unwrap();
    let r = reqwest::get(format!("http://{}/readyz", running.addr))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(target.parent().unwrap());
    app.stop().await;
}

/// Flips one byte inside the gzip stream of a copy of `archive`.
fn damage(archive: &Path, to: &Path, at: usize) {
    let mut bytes = std::fs::read(archive).unwrap();
    let at = at.min(bytes.len() - 1);
    bytes[at] ^= 0x55;
    std::fs::write(to, bytes).unwrap();
}

#[tokio::test]
async fn a_damaged_archive_or_a_used_directory_is_refused() {
    let app = TestApp::spawn().await;
    resident(&app, "mila@example.org").await;
    std::fs::create_dir_all(app.dir.join("files")).unwrap();
    std::fs::write(app.dir.join("files/a.bin"), vec![7u8; 200_000]).unwrap();
    let archive = app.dir.join("b.tar.gz");
    loket::backup::backup(&app.config, &archive).await.unwrap();
    // A second backup never overwrites the first.
    let e = loket::backup::backup(&app.config, &archive)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("exists already"), "{e}");

    let url_in = |d: &Path| format!("sqlite://{}?mode=rwc", d.join("loket.db").display());
    let refused = |e: String| {
        assert!(
            e.contains("damaged") && e.contains("Nothing was restored"),
            "{e}"
        );
    };
    let len = std::fs::metadata(&archive).unwrap().len() as usize;
    // Cut short, one flipped byte in the middle, one near the end.
    let cut = app.dir.join("cut.tar.gz");
    std::fs::write(&cut, &std::fs::read(&archive).unwrap()[..len / 2]).unwrap();
    let middle = app.dir.join("middle.tar.gz");
    damage(&archive, &middle, len / 2);
    let end = app.dir.join("end.tar.gz");
    damage(&archive, &end, len - 12);
    let garbage = app.dir.join("garbage.tar.gz");
    std::fs::write(&garbage, b"not an archive at all").unwrap();
    for bad in [&cut, &middle, &end, &garbage] {
        let target = temp_dir();
        let e = loket::backup::restore(bad, &target, Some(&url_in(&target)))
            .await
            .unwrap_err()
            .to_string();
        refused(e);
        assert_eq!(
            std::fs::read_dir(&target).unwrap().count(),
            0,
            "{} left files behind",
            bad.display()
        );
        let _ = std::fs::remove_dir_all(target);
    }

    // An archive whose file was swapped after the manifest was written (a
    // valid gzip stream, a wrong sum).
    let swapped = app.dir.join("swapped.tar.gz");
    {
        let gz = flate2_reencode_with(&archive, "data/files/a.bin", vec![8u8; 200_000]);
        std::fs::write(&swapped, gz).unwrap();
    }
    let target = temp_dir();
    let e = loket::backup::restore(&swapped, &target, Some(&url_in(&target)))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("data/files/a.bin does not match its SHA-256"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&target);

    // A directory in use is refused before the archive is read.
    let e = loket::backup::restore(&archive, &app.dir, Some(&url_in(&app.dir)))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not empty"), "{e}");

    // And the command line says so and exits non-zero.
    let target = temp_dir();
    let out = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["restore", "--from"])
        .arg(&middle)
        .arg("--data-dir")
        .arg(&target)
        .output()
        .unwrap();
    assert!(!out.status.success());
    refused(String::from_utf8_lossy(&out.stderr).into_owned());
    let out = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["restore", "--from"])
        .arg(&archive)
        .arg("--data-dir")
        .arg(&target)
        .args(["--database-url", &fresh_database_url(&target).await])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("every SHA-256 matched"), "{said}");
    assert_eq!(
        std::fs::read(target.join("files/a.bin")).unwrap(),
        vec![7u8; 200_000]
    );
    let _ = std::fs::remove_dir_all(&target);
    app.stop().await;
}

/// Rewrites a backup archive with one entry's content replaced, keeping
/// the original manifest: what a tampered or bit-rotten copy looks like.
fn flate2_reencode_with(archive: &Path, entry: &str, content: Vec<u8>) -> Vec<u8> {
    use std::io::Read;
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(archive).unwrap())
        .read_to_end(&mut raw)
        .unwrap();
    let mut out = tar::Builder::new(Vec::new());
    let mut input = tar::Archive::new(raw.as_slice());
    for e in input.entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().to_str().unwrap().to_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        if name == entry {
            data = content.clone();
        }
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o600);
        h.set_entry_type(tar::EntryType::Regular);
        out.append_data(&mut h, &name, data.as_slice()).unwrap();
    }
    let tar = out.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    gz.finish().unwrap()
}
