//! The staff people search by a part of the name (issue 19: the name's
//! keys in `people_search`, migration 0026), checked against the database.

use crate::common::*;
use loket_store::sqlx;
use sqlx::Row;

/// The ids of the residents a search page lists, in its order.
fn listed(html: &str) -> Vec<String> {
    html.split("<a href=\"/staff/residents/")
        .skip(1)
        .filter_map(|s| s.split(['"', '?']).next())
        .filter(|id| *id != "new")
        .map(str::to_owned)
        .collect()
}

async fn keys_of(app: &TestApp, id: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM people_search WHERE user_id = $1")
        .bind(id.to_owned())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("n")
}

#[tokio::test]
async fn a_part_of_a_name_finds_the_resident_whatever_its_case_or_accents() {
    let app = TestApp::spawn().await;
    let mut ids = std::collections::HashMap::new();
    for (email, name, role) in [
        ("emile@example.org", "Émile Van Damme", "resident"),
        ("ann@example.org", "Ann Vandamme", "resident"),
        ("jan@example.org", "Jan Janssens", "resident"),
        // Staff are indexed too, but the search lists residents only.
        ("staff@leuven.example", "Emile Vandamme", "counter"),
    ] {
        loket::cli::user_add(&app.config, email, name, &[role.to_owned()], None)
            .await
            .unwrap();
        let id = loket_store::people::find_by_email(&app.store, email)
            .await
            .unwrap()
            .unwrap()
            .id;
        // Every suffix of the folded name not starting with a space: one
        // row each, written with the account.
        assert_eq!(
            keys_of(&app, &id).await,
            loket_domain::people::name_keys(name).len() as i64,
            "{name}"
        );
        ids.insert(email, id);
    }
    let counter = app.signed_in("loket@leuven.example", &["counter"]).await;
    let search = async |q: &str| {
        let (status, html) = app.get(&counter, &format!("/staff/residents?q={q}")).await;
        assert_eq!(status, 200, "{html}");
        listed(&html)
    };
    let (emile, ann, jan) = (
        ids["emile@example.org"].clone(),
        ids["ann@example.org"].clone(),
        ids["jan@example.org"].clone(),
    );
    // A part anywhere in the name, by name order (Ann before Émile).
    assert_eq!(search("damme").await, vec![ann.clone(), emile.clone()]);
    assert_eq!(search("DAMM").await, vec![ann.clone(), emile.clone()]);
    // Accents do not matter, either way round; a part across words.
    assert_eq!(search("emile").await, vec![emile.clone()]);
    assert_eq!(search("%C3%A9mile+van+d").await, vec![emile.clone()]);
    assert_eq!(search("le+van").await, vec![emile.clone()]);
    assert_eq!(search("vandamme").await, vec![ann.clone()]);
    assert_eq!(search("jans").await, vec![jan.clone()]);
    // LIKE's wildcards are dropped, as before.
    assert_eq!(search("jan%25s_sens").await, vec![jan.clone()]);
    // No part of any name; an e-mail address is matched whole.
    assert!(search("vandammes").await.is_empty());
    assert!(search("xyz").await.is_empty());
    assert_eq!(search("ann%40example.org").await, vec![ann.clone()]);
    // Every search is checked against the names themselves.
    let all = sqlx::query(
        "SELECT u.id, u.name FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'resident'",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    for q in ["am", "an", "e v", "ssen", "mme"] {
        // (The order by name is the database's collation: compared as sets.)
        let mut expected: Vec<String> = all
            .iter()
            .filter(|r| loket_domain::contact::fold(&r.get::<String, _>("name")).contains(q))
            .map(|r| r.get::<String, _>("id"))
            .collect();
        expected.sort();
        let mut found = search(&q.replace(' ', "+")).await;
        found.sort();
        assert_eq!(found, expected, "{q}");
        assert!(!found.is_empty(), "{q}");
    }
    // The keys carry whether the account is a resident's (migration
    // 0027): a role given or taken away changes the search at once.
    let staff = ids["staff@leuven.example"].clone();
    let set_roles = async |id: &str, roles: &[loket_domain::people::Role]| {
        let mut tx = app.store.begin().await.unwrap();
        loket_store::people::set_roles(&mut tx, &loket_domain::audit::Actor::System, id, roles)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    };
    use loket_domain::people::Role;
    set_roles(&staff, &[Role::Counter, Role::Resident]).await;
    // ("Emile" and "Émile": their order is the collation's; as a set.)
    let mut both = search("emile").await;
    both.sort();
    let mut want = vec![emile.clone(), staff.clone()];
    want.sort();
    assert_eq!(both, want);
    set_roles(&emile, &[Role::Counter]).await;
    assert_eq!(search("emile").await, vec![staff.clone()]);
    assert_eq!(search("damme").await, vec![ann.clone(), staff.clone()]);
    set_roles(&emile, &[Role::Resident]).await;
    set_roles(&staff, &[Role::Counter]).await;
    assert_eq!(search("emile").await, vec![emile.clone()]);
    // A wrong mark cannot show a staff member: the 50 kept are checked
    // against their roles again. Nor can the e-mail address.
    sqlx::query("UPDATE people_search SET resident = 1 WHERE user_id = $1")
        .bind(staff.clone())
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(search("emile").await, vec![emile.clone()]);
    assert!(search("staff%40leuven.example").await.is_empty());
    // Each search wrote one access-log row per resident listed.
    assert!(
        app.count("SELECT COUNT(*) FROM access_log WHERE purpose = 'resident.search'")
            .await
            >= 10
    );
    app.stop().await;
}

/// More matches than a page holds: the first 50 by name (the database's
/// order), the same as ordering every match; staff never among them.
#[tokio::test]
async fn a_common_name_lists_the_first_fifty_by_name() {
    let app = TestApp::spawn().await;
    for i in 0..72 {
        let role = if i % 6 == 0 { "counter" } else { "resident" };
        loket::cli::user_add(
            &app.config,
            &format!("p{i}@example.org"),
            &format!(
                "{} Peeters",
                ["Zoë", "An", "Bram", "Lotte", "Émile", "Jan"][i % 6]
            ),
            &[role.to_owned()],
            None,
        )
        .await
        .unwrap();
    }
    let expected: Vec<String> = sqlx::query(
        "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'resident' \
         WHERE u.name LIKE '%Peeters' ORDER BY u.name, u.id LIMIT 50",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>("id"))
    .collect();
    assert_eq!(expected.len(), 50);
    let counter = app.signed_in("loket@leuven.example", &["counter"]).await;
    let (status, html) = app.get(&counter, "/staff/residents?q=peeters").await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(listed(&html), expected);
    // The picker says that more matched (60 residents named Peeters).
    assert!(html.contains("Meer dan 50 gevonden"), "{html}");
    app.stop().await;
}

/// During a rolling upgrade the instances of the older release keep
/// serving: one before 0026 writes an account without keys, one before
/// 0027 writes keys without the name and the mark. The repair (run every
/// ten minutes by the housekeeping worker) writes them again, and then
/// has nothing left to do.
#[tokio::test]
async fn keys_written_by_an_older_release_are_repaired() {
    let app = TestApp::spawn().await;
    for (email, name) in [
        ("old26@example.org", "Griet Oudeversie"),
        ("old27@example.org", "Pol Oudeversie"),
    ] {
        loket::cli::user_add(&app.config, email, name, &["resident".to_owned()], None)
            .await
            .unwrap();
    }
    let id = async |email: &str| {
        loket_store::people::find_by_email(&app.store, email)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let (griet, pol) = (id("old26@example.org").await, id("old27@example.org").await);
    // What the older releases would have left.
    sqlx::query("DELETE FROM people_search WHERE user_id = $1")
        .bind(griet.clone())
        .execute(app.store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE people_search SET name = '', resident = 0 WHERE user_id = $1")
        .bind(pol.clone())
        .execute(app.store.pool())
        .await
        .unwrap();
    let counter = app.signed_in("loket@leuven.example", &["counter"]).await;
    let search = async |q: &str| {
        let (status, html) = app.get(&counter, &format!("/staff/residents?q={q}")).await;
        assert_eq!(status, 200, "{html}");
        listed(&html)
    };
    assert!(search("oudeversie").await.is_empty());
    assert_eq!(
        loket_store::people::heal_people_search(&app.store)
            .await
            .unwrap(),
        2
    );
    let mut found = search("oudeversie").await;
    found.sort();
    let mut want = vec![griet.clone(), pol.clone()];
    want.sort();
    assert_eq!(found, want);
    assert_eq!(
        keys_of(&app, &pol).await,
        loket_domain::people::name_keys("Pol Oudeversie").len() as i64
    );
    assert_eq!(
        loket_store::people::heal_people_search(&app.store)
            .await
            .unwrap(),
        0
    );
    app.stop().await;
}

/// An instance of a release before 0027 changes roles without setting the
/// people search's resident mark: a resident it makes is missing from the
/// staff search, and one it unmakes keeps the mark. The repair sets the
/// marks of accounts whose roles changed lately (the audit's `user.roles`)
/// again, and then has nothing left to do.
#[tokio::test]
async fn roles_changed_by_an_older_release_are_marked_again() {
    use loket_domain::audit::Actor;
    use loket_domain::people::Role;
    let app = TestApp::spawn().await;
    for (email, name, role) in [
        ("mieke@example.org", "Mieke Rolversie", "employee"),
        ("jef@example.org", "Jef Rolversie", "resident"),
    ] {
        loket::cli::user_add(&app.config, email, name, &[role.to_owned()], None)
            .await
            .unwrap();
    }
    let id = async |email: &str| {
        loket_store::people::find_by_email(&app.store, email)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let (mieke, jef) = (id("mieke@example.org").await, id("jef@example.org").await);
    let counter = app.signed_in("loket@leuven.example", &["counter"]).await;
    let search = async |q: &str| {
        let (status, html) = app.get(&counter, &format!("/staff/residents?q={q}")).await;
        assert_eq!(status, 200, "{html}");
        listed(&html)
    };
    assert_eq!(search("rolversie").await, vec![jef.clone()]);
    // The roles change (audited as today), and the marks are left as an
    // older release leaves them: Mieke made a resident, Jef no longer one.
    for (user, roles, mark) in [
        (&mieke, vec![Role::Resident], 0),
        (&jef, vec![Role::Employee], 1),
    ] {
        let mut tx = app.store.begin().await.unwrap();
        loket_store::people::set_roles(&mut tx, &Actor::Cli, user, &roles)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        sqlx::query("UPDATE people_search SET resident = $1 WHERE user_id = $2")
            .bind(mark)
            .bind(user.clone())
            .execute(app.store.pool())
            .await
            .unwrap();
    }
    // Mieke is missing; Jef is not listed (his roles are checked again).
    assert!(search("rolversie").await.is_empty());
    assert_eq!(
        loket_store::people::heal_people_search(&app.store)
            .await
            .unwrap(),
        2
    );
    assert_eq!(search("rolversie").await, vec![mieke.clone()]);
    for (user, want) in [(&mieke, 1), (&jef, 0)] {
        let marks: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT CAST(resident AS BIGINT) FROM people_search WHERE user_id = $1",
        )
        .bind(user.clone())
        .fetch_all(app.store.pool())
        .await
        .unwrap();
        assert_eq!(marks, vec![want], "{user}");
    }
    assert_eq!(
        loket_store::people::heal_people_search(&app.store)
            .await
            .unwrap(),
        0
    );
    app.stop().await;
}
