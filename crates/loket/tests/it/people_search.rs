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
    // Each search wrote one access-log row per resident listed.
    assert!(
        app.count("SELECT COUNT(*) FROM access_log WHERE purpose = 'resident.search'")
            .await
            >= 10
    );
    app.stop().await;
}
