//! The keys of signed links (issue 17, item 7), through the real server on
//! SQLite and PostgreSQL: a link names its key and ends with its
//! appointment; `loket keys rotate` reaches the running server, keeps old
//! links for the grace period and ends them after it; a database from
//! before key files hands its key over (links already sent keep working
//! until it retires) and keeps no key in any row; configured keys are
//! checked and rotate in the configuration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::appointments::{LOCATION, SERVICE, at, setup};
use crate::common::*;
use loket_app::signing::{self, KeyRing, SigningKey};
use serde_json::json;
use std::time::Duration;

/// Books `start` for `email` through the API and returns the appointment's
/// id and the manage link's token from the confirmation mail.
async fn book(app: &TestApp, staff: &str, email: &str, start: &str) -> (String, String) {
    resident(app, email).await;
    let r = app
        .client()
        .post(app.url("/api/v1/appointments"))
        .bearer_auth(staff)
        .json(&json!({ "service": SERVICE, "location": LOCATION, "start": start, "resident_email": email }))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body = r.json::<serde_json::Value>().await.unwrap();
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let mail = app.last_mail_to(email).await;
    let link = link_in(&mail.body, &format!("{}/appointments/{id}?t=", app.base));
    let token = link.split("t=").nth(1).unwrap().to_owned();
    (id, token)
}

async fn opens(app: &TestApp, id: &str, token: &str) -> u16 {
    app.get(&app.client(), &format!("/appointments/{id}?t={token}"))
        .await
        .0
}

/// Waits until the running server has read the key file again (it looks
/// at most every two seconds).
async fn let_instances_reload() {
    tokio::time::sleep(Duration::from_millis(2_200)).await;
}

fn file_ring(app: &TestApp) -> KeyRing {
    signing::read_key_file(&app.config.keys_file())
        .unwrap()
        .expect("a key file")
}

#[tokio::test]
async fn a_link_names_its_key_ends_with_its_appointment_and_survives_rotation() {
    let app = TestApp::spawn().await;
    setup(&app, 1).await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    let (id, first) = book(&app, &staff, "an@example.org", &at(2, "10:15")).await;

    // `<key id>.<expiry>.<MAC>`: the key that signs now, and the
    // appointment's end as expiry.
    let ring = file_ring(&app);
    let parts: Vec<&str> = first.split('.').collect();
    assert_eq!(parts.len(), 3, "{first}");
    assert_eq!(parts[0], ring.current().id);
    let a = loket_store::appointments::get(&app.store, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(parts[1], a.ends_at.to_string());
    assert_eq!(opens(&app, &id, &first).await, 200);
    // The expiry is signed: a later one breaks the token; so does an
    // unknown key id.
    let later = format!("{}.{}.{}", parts[0], a.ends_at + 86_400_000, parts[2]);
    assert_eq!(opens(&app, &id, &later).await, 404);
    let unknown = format!("zz{}.{}.{}", parts[0], parts[1], parts[2]);
    assert_eq!(opens(&app, &id, &unknown).await, 404);

    // The key file is private, and no key is left in a database row.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(app.config.keys_file()).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM appt_settings WHERE link_key <> ''")
            .await,
        0
    );

    // Rotation: a new key signs, the running server picks it up, links
    // already sent keep working through the grace period.
    let rotated = loket::cli::keys_rotate(&app.config, Some(30)).unwrap();
    assert_ne!(rotated.current().id, ring.current().id);
    let_instances_reload().await;
    let (id2, second) = book(&app, &staff, "bo@example.org", &at(2, "10:30")).await;
    assert!(
        second.starts_with(&format!("{}.", rotated.current().id)),
        "{second}"
    );
    assert_eq!(
        opens(&app, &id, &first).await,
        200,
        "within the grace period"
    );
    assert_eq!(opens(&app, &id2, &second).await, 200);
    let listed = loket::cli::keys_list(&app.config).unwrap();
    assert!(listed.contains(&rotated.current().id) && listed.contains("signs"));
    assert!(listed.contains(&ring.current().id) && listed.contains("checks until"));
    let secrets = std::fs::read_to_string(app.config.keys_file()).unwrap();
    let secret_of = |id: &str| {
        let v: serde_json::Value = serde_json::from_str(&secrets).unwrap();
        v["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["id"] == id)
            .unwrap()["secret"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(!listed.contains(&secret_of(&ring.current().id)), "{listed}");

    // A rotation with no grace ends every earlier key at once.
    loket::cli::keys_rotate(&app.config, Some(0)).unwrap();
    let_instances_reload().await;
    assert_eq!(opens(&app, &id, &first).await, 404, "its key retired");
    assert_eq!(opens(&app, &id2, &second).await, 404, "its key retired");
    app.stop().await;
}

/// Starts the app again on `store` (after its previous run shut down).
async fn serve_again(app: &mut TestApp, store: loket_store::Store) {
    let running = loket::start_with_store(&app.config, store.clone(), false)
        .await
        .unwrap();
    app.base = format!("http://{}", running.addr);
    app.running = Some(running);
    app.store = store;
}

#[tokio::test]
async fn links_sent_before_the_upgrade_work_until_the_old_key_retires() {
    let mut app = TestApp::spawn().await;
    setup(&app, 1).await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    let (id, _) = book(&app, &staff, "an@example.org", &at(2, "10:15")).await;
    loket_store::shifts::settings(&app.store).await.unwrap();

    // As the previous release left it: the link and feed keys in database
    // rows, no key file, and links in mailboxes signed without key ids.
    let old_link_key = "6c696e6b2d6b65792d6f662d7468652d70726576696f75732d72656c65617365";
    let old_feed_key = "666565642d6b65792d6f662d7468652d70726576696f75732d72656c65617365";
    app.running.take().unwrap().shutdown().await;
    let store = loket::open_store(&app.config).await.unwrap();
    loket_store::sqlx::query("UPDATE appt_settings SET link_key = $1 WHERE id = 1")
        .bind(old_link_key)
        .execute(store.pool())
        .await
        .unwrap();
    loket_store::sqlx::query("UPDATE shift_settings SET feed_key = $1 WHERE id = 1")
        .bind(old_feed_key)
        .execute(store.pool())
        .await
        .unwrap();
    std::fs::remove_file(app.config.keys_file()).unwrap();
    let old_token = signing::sign(old_link_key, "loket-appointment", &[&id, "manage"]);

    // The upgrade starts: the keys move into the key file, the rows are
    // wiped, and the old link still opens the appointment.
    serve_again(&mut app, store).await;
    assert_eq!(
        app.count(
            "SELECT (SELECT COUNT(*) FROM appt_settings WHERE link_key <> '') \
             + (SELECT COUNT(*) FROM shift_settings WHERE feed_key <> '')"
        )
        .await,
        0
    );
    let ring = file_ring(&app);
    let ids: Vec<&str> = ring.keys().iter().map(|k| k.id.as_str()).collect();
    assert!(
        ids.contains(&signing::LEGACY_KEY_ID) && ids.contains(&signing::LEGACY_FEED_KEY_ID),
        "{ids:?}"
    );
    let retires = ring
        .keys()
        .iter()
        .find(|k| k.id == signing::LEGACY_KEY_ID)
        .and_then(|k| k.retires_ms)
        .unwrap();
    let in_days = (retires - loket_store::now_ms()) as f64 / 86_400_000.0;
    assert!((89.9..=90.1).contains(&in_days), "{in_days}");
    assert_eq!(opens(&app, &id, &old_token).await, 200);
    // The old key only checks old links; it never signs.
    assert_ne!(ring.current().id, signing::LEGACY_KEY_ID);
    let forged = signing::sign(old_link_key, "loket-appointment", &[&id, "cancel"]);
    assert_eq!(opens(&app, &id, &forged).await, 404);

    // A restart changes nothing more.
    let before = std::fs::read_to_string(app.config.keys_file()).unwrap();
    app.running.take().unwrap().shutdown().await;
    let store = loket::open_store(&app.config).await.unwrap();
    serve_again(&mut app, store).await;
    assert_eq!(
        std::fs::read_to_string(app.config.keys_file()).unwrap(),
        before
    );

    // When the old key retires, the old link ends.
    loket::cli::keys_rotate(&app.config, Some(0)).unwrap();
    let_instances_reload().await;
    assert_eq!(opens(&app, &id, &old_token).await, 404);
    app.stop().await;
}

#[tokio::test]
async fn configured_keys_are_checked_and_rotate_in_the_configuration() {
    let bad = loket::config::Config {
        signing_keys: vec!["k1:too-short".into()],
        ..Default::default()
    };
    let e = bad.check().unwrap_err().to_string();
    assert!(e.contains("signing_keys") && e.contains("32"), "{e}");

    let k2 = format!("k2:{}", "b".repeat(64));
    let k1 = format!("k1:{}", "a".repeat(64));
    let app = TestApp::spawn_with(|c| c.signing_keys = vec![k2.clone(), k1.clone()]).await;
    setup(&app, 1).await;
    let staff = token(&app, "desk@leuven.example", &["counter"]).await;
    let (id, t) = book(&app, &staff, "an@example.org", &at(2, "10:15")).await;
    assert!(t.starts_with("k2."), "{t}");
    assert!(
        !app.config.keys_file().exists(),
        "no key file when the keys are configured"
    );
    // A link signed with the second configured key still checks.
    let a = loket_store::appointments::get(&app.store, &id)
        .await
        .unwrap()
        .unwrap();
    let only_k1 = KeyRing::new(vec![SigningKey::parse(&k1).unwrap()]).unwrap();
    let by_k1 = loket_app::appointments::sign(&only_k1, &id, "manage", a.ends_at);
    assert_eq!(opens(&app, &id, &by_k1).await, 200);
    // A key that is not configured does not.
    let k3 = KeyRing::new(vec![
        SigningKey::parse(&format!("k3:{}", "c".repeat(64))).unwrap(),
    ])
    .unwrap();
    let by_k3 = loket_app::appointments::sign(&k3, &id, "manage", a.ends_at);
    assert_eq!(opens(&app, &id, &by_k3).await, 404);
    let e = loket::cli::keys_rotate(&app.config, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("signing_keys"), "{e}");
    app.stop().await;
}
