//! The contact centre through the real server, on SQLite and PostgreSQL:
//! search quality against the demo knowledge base (20 questions, NL and EN),
//! articles with versions and restore, expired articles hidden from
//! residents but marked for agents, views counted, XSS payloads escaped on
//! every page, contact moments, the public question form, forwarding with
//! a working-day due date, one answer only, and refused input that changes
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use loket_domain::contact::{ForwardStatus, MomentStatus, add_working_days};

const AGENT: &str = "agent@stad.example";

async fn seeded() -> TestApp {
    let app = TestApp::spawn().await;
    loket::demo::contact::seed(&app.store).await.unwrap();
    app
}

/// The slugs of the result links on a `/kb` page, in order.
fn kb_slugs(html: &str) -> Vec<String> {
    let section = html.split("id=\"results\"").nth(1).unwrap_or_default();
    section
        .split("href=\"/kb/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn search_quality_twenty_questions() {
    let app = seeded().await;
    // (language, question, the article that must rank in the top 3)
    let questions: [(&str, &str, &str); 20] = [
        ("nl", "parkeerkaart", "bewonersparkeerkaart"),
        ("nl", "premie muurisolatie", "premie-isolatie"),
        ("nl", "premie bakfiets", "premie-fiets"),
        ("nl", "ik ga verhuizen", "verhuizen"),
        ("nl", "adreswijziging doorgeven", "verhuizen"),
        (
            "nl",
            "wanneer wordt het huisvuil opgehaald",
            "afvalophaling",
        ),
        (
            "nl",
            "identiteitskaart verloren",
            "identiteitskaart-verloren",
        ),
        ("nl", "nieuwe identiteitskaart", "identiteitskaart"),
        ("nl", "paspoort", "paspoort"),
        ("nl", "dakisolatie premies", "premie-isolatie"),
        ("nl", "grofvuil meubels", "grofvuil"),
        ("nl", "financiën afbetaling", "betalen-gemeentebelasting"),
        ("nl", "trouwen", "huwelijk"),
        ("nl", "bewijs van goed gedrag", "uittreksel-strafregister"),
        ("nl", "geluidsoverlast buren", "lawaai"),
        ("en", "residents parking card", "bewonersparkeerkaart"),
        ("en", "moving house", "verhuizen"),
        ("en", "lost identity card", "identiteitskaart-verloren"),
        ("en", "waste collection", "afvalophaling"),
        ("en", "grants insulation", "premie-isolatie"),
    ];
    let mut misses = Vec::new();
    let started = std::time::Instant::now();
    for (lang, q, want) in questions {
        let hits = loket_store::contact::search(&app.store, lang, q)
            .await
            .unwrap();
        let top: Vec<&str> = hits.iter().take(3).map(|(a, _)| a.slug.as_str()).collect();
        if !top.contains(&want) {
            misses.push(format!("{lang} {q:?}: want {want}, top 3 {top:?}"));
        }
    }
    eprintln!(
        "search: 20 questions on {} in {:?} ({} index rows)",
        backend(),
        started.elapsed(),
        app.count("SELECT COUNT(*) FROM contact_terms").await
    );
    assert!(misses.is_empty(), "{}", misses.join("\n"));

    // The public page: accents folded, a compound found, no JavaScript needed.
    let c = app.client();
    let (s, html) = app.get(&c, "/kb?q=Parkeerk%C3%A1art").await;
    assert_eq!(s, 200);
    assert_eq!(kb_slugs(&html)[0], "bewonersparkeerkaart", "{html}");
    let (_, html) = app.get(&c, "/kb?q=xyzzyquux").await;
    assert!(kb_slugs(&html).is_empty());
    app.stop().await;
}

/// The search the database answers (postings joined into one text,
/// ranked in Rust) ranks exactly as the reference ranking computed in
/// memory from the articles' own texts, on both databases: same articles,
/// same order, same scores. The queries include nested prefixes
/// ("parkeer parkeerkaart"), a repeated word, words that match nothing,
/// twelve words and more, and accents.
#[tokio::test]
async fn search_ranks_as_the_reference_ranking_of_the_texts() {
    use loket_domain::contact::{self as rules, Posting, WordHits};
    use std::collections::HashMap;
    let app = seeded().await;
    let articles = loket_store::contact::list_articles(&app.store)
        .await
        .unwrap();
    assert!(articles.len() >= 20, "{}", articles.len());
    for (lang, q) in [
        ("nl", "parkeer parkeerkaart bewonersparkeerkaart"),
        ("nl", "premie premie premies"),
        ("nl", "identiteitskaart verloren gestolen"),
        ("nl", "xyzzyquux"),
        (
            "nl",
            "afval grofvuil containerpark huisvuil verhuizen adres premie fiets paspoort rijbewijs trouwen lawaai buren",
        ),
        ("nl", "Parkeerkáart"),
        ("en", "residents parking card lost"),
        ("en", "insulation grants"),
    ] {
        // The reference: every article indexed in memory.
        let idx: Vec<(String, rules::DocIndex)> = articles
            .iter()
            .map(|a| {
                (
                    a.id.clone(),
                    rules::index_document(lang, a.title(lang), &a.tag_list(), a.body(lang)),
                )
            })
            .collect();
        let avg = idx.iter().map(|(_, d)| d.length as f64).sum::<f64>() / idx.len() as f64;
        let posting = |d: &rules::DocIndex, tf: i64| Posting {
            tf: tf as f64,
            doc_length: d.length as f64,
        };
        let hits: Vec<WordHits> = rules::parse_query(lang, q)
            .iter()
            .map(|w| {
                let mut exact = HashMap::new();
                let mut prefix = HashMap::new();
                for (id, d) in &idx {
                    if let Some(tf) = d.terms.get(&w.exact) {
                        exact.insert(id.clone(), posting(d, *tf));
                    }
                    if let Some(p) = &w.prefix
                        && let Some(tf) = d
                            .terms
                            .iter()
                            .filter(|(t, _)| t.starts_with(p.as_str()))
                            .map(|(_, tf)| *tf)
                            .max()
                    {
                        prefix.insert(id.clone(), posting(d, tf));
                    }
                }
                (exact, prefix)
            })
            .collect();
        let want: Vec<(String, f64)> = rules::rank(&hits, idx.len(), avg)
            .into_iter()
            .take(50)
            .collect();
        let got: Vec<(String, f64)> = loket_store::contact::search(&app.store, lang, q)
            .await
            .unwrap()
            .into_iter()
            .map(|(a, score)| (a.id, score))
            .collect();
        assert_eq!(
            got.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            want.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            "{lang} {q:?}"
        );
        for ((_, g), (_, w)) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-9, "{lang} {q:?}: score {g} != {w}");
        }
        if q != "xyzzyquux" {
            assert!(!got.is_empty(), "{lang} {q:?} found nothing");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn expired_articles_are_hidden_from_residents_and_marked_for_agents() {
    let app = seeded().await;
    let c = app.client();
    let (_, html) = app.get(&c, "/kb?q=mondmasker").await;
    assert!(
        !kb_slugs(&html).contains(&"corona-mondmasker-2021".to_owned()),
        "{html}"
    );
    let (s, _) = app.get(&c, "/kb/corona-mondmasker-2021").await;
    assert_eq!(s, 404);
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let (s, html) = app.get(&agent, "/staff/kb?q=mondmasker").await;
    assert_eq!(s, 200);
    assert!(html.contains("Mondmaskerplicht"), "{html}");
    assert!(html.contains("Verlopen"), "{html}");
    // Residents may not open the agents' pages.
    let resident = app.signed_in("res@example.org", &["resident"]).await;
    let (s, _) = app.get(&resident, "/staff/kb").await;
    assert_eq!(s, 403);
    app.stop().await;
}

#[tokio::test]
async fn views_are_counted_and_shown_to_agents() {
    let app = seeded().await;
    let c = app.client();
    for _ in 0..3 {
        let (s, _) = app.get(&c, "/kb/paspoort").await;
        assert_eq!(s, 200);
    }
    app.get(&c, "/kb/rijbewijs").await;
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(views), 0) AS BIGINT) FROM contact_views")
            .await,
        4
    );
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    // An agent's own reading is not counted.
    app.get(&agent, "/kb/paspoort").await;
    assert_eq!(
        app.count("SELECT CAST(COALESCE(SUM(views), 0) AS BIGINT) FROM contact_views")
            .await,
        4
    );
    let (_, html) = app.get(&agent, "/staff/kb").await;
    let popular = html.split_once("Meest bekeken").unwrap().1;
    let p = popular.find("Een paspoort aanvragen").unwrap();
    let r = popular.find("Rijbewijs aanvragen").unwrap();
    assert!(p < r, "most viewed first");
    app.stop().await;
}

fn article_fields<'a>(slug: &'a str, body_nl: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("slug", slug),
        ("department", "milieu"),
        ("title_nl", "Zwerfvuil"),
        ("title_en", "Litter"),
        ("body_nl", body_nl),
        ("body_en", "Pick it up."),
        ("tags", "afval"),
        ("valid_from", ""),
        ("valid_until", ""),
        ("review_on", ""),
    ]
}

#[tokio::test]
async fn articles_have_versions_that_can_be_restored() {
    let app = seeded().await;
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let r = app
        .submit(
            &agent,
            "/staff/kb/new",
            "/staff/kb/new",
            &article_fields("zwerfvuil", "Eerste tekst over **zwerfvuil**."),
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let page = r.headers()["location"].to_str().unwrap().to_owned();
    let id = page.trim_start_matches("/staff/kb/").to_owned();
    let edit = format!("/staff/kb/{id}/edit");
    let r = app
        .submit(
            &agent,
            &edit,
            &edit,
            &article_fields("zwerfvuil", "Tweede tekst over zwerfvuil."),
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get(&agent, &page).await;
    assert!(html.contains("Versie 2") && html.contains("Tweede tekst"));
    let (s, html) = app.get(&agent, &format!("/staff/kb/{id}/versions/1")).await;
    assert_eq!(s, 200);
    assert!(html.contains("<strong>zwerfvuil</strong>"), "{html}");
    let v1 = format!("/staff/kb/{id}/versions/1");
    let r = app.submit(&agent, &v1, &format!("{v1}/restore"), &[]).await;
    assert_eq!(r.status().as_u16(), 303);
    let (_, html) = app.get(&agent, &page).await;
    assert!(html.contains("Versie 3") && html.contains("Eerste tekst"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_article_versions v JOIN contact_articles a ON a.id = v.article_id WHERE a.slug = 'zwerfvuil'")
            .await,
        3
    );
    // The index follows the restored text: "eerste" finds it, "tweede" not.
    let hits = loket_store::contact::search(&app.store, "nl", "eerste tekst")
        .await
        .unwrap();
    assert_eq!(hits[0].0.slug, "zwerfvuil");
    let hits = loket_store::contact::search(&app.store, "nl", "tweede")
        .await
        .unwrap();
    assert!(hits.iter().all(|(a, _)| a.slug != "zwerfvuil"));

    // Bad input: field errors, input kept, nothing saved.
    let before = app
        .count("SELECT COUNT(*) FROM contact_article_versions")
        .await;
    let mut bad = article_fields("Slecht Slug", "Iets");
    bad[1] = ("department", "bestaat-niet");
    bad[2] = ("title_nl", "");
    bad[8] = ("valid_until", "31-12-2026");
    let r = app
        .submit(&agent, "/staff/kb/new", "/staff/kb/new", &bad)
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("error-summary"));
    assert!(html.contains("Korte naam: gebruik 3 tot 80"), "{html}");
    assert!(html.contains("Dienst: deze dienst bestaat niet"), "{html}");
    assert!(
        html.contains("Titel (Nederlands): vul dit veld in"),
        "{html}"
    );
    assert!(html.contains("value=\"Slecht Slug\""));
    // A taken slug.
    let r = app
        .submit(
            &agent,
            "/staff/kb/new",
            "/staff/kb/new",
            &article_fields("paspoort", "x"),
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_article_versions")
            .await,
        before
    );
    app.stop().await;
}

const XSS: &str = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'><a href=\"javascript:alert(3)\">x</a>";

fn assert_escaped(html: &str, page: &str) {
    assert!(!html.contains("<script>alert"), "{page}: raw script");
    assert!(!html.contains("<img src=x onerror"), "{page}: raw img");
    assert!(
        !html.contains("href=\"javascript:"),
        "{page}: javascript link"
    );
}

#[tokio::test]
async fn xss_payloads_are_escaped_everywhere() {
    let app = seeded().await;
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    // An article with the payload in every field (the slug must be a slug).
    let fields = vec![
        ("slug", "xss-test"),
        ("department", "milieu"),
        ("title_nl", XSS),
        ("title_en", XSS),
        ("body_nl", XSS),
        ("body_en", XSS),
        ("tags", XSS),
        ("valid_from", ""),
        ("valid_until", ""),
        ("review_on", ""),
    ];
    let r = app
        .submit(&agent, "/staff/kb/new", "/staff/kb/new", &fields)
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let page = r.headers()["location"].to_str().unwrap().to_owned();
    let id = page.trim_start_matches("/staff/kb/").to_owned();
    // A refused form echoes the input: escaped too.
    let mut bad = fields.clone();
    bad[0] = ("slug", XSS);
    let r = app
        .submit(&agent, "/staff/kb/new", "/staff/kb/new", &bad)
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert_escaped(&r.text().await.unwrap(), "editor with errors");

    // A resident's question with the payload everywhere.
    let c = app.client();
    let r = app
        .submit(
            &c,
            "/contact/ask",
            "/contact/ask",
            &[
                ("name", XSS),
                ("email", "xss@example.org"),
                ("subject", XSS),
                ("question", XSS),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let r = app
        .submit(
            &c,
            "/contact/ask",
            "/contact/ask",
            &[
                ("name", XSS),
                ("email", XSS),
                ("subject", XSS),
                ("question", XSS),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert_escaped(&r.text().await.unwrap(), "ask with errors");

    // A contact moment logged by an agent, forwarded with the payload as note.
    let r = app
        .submit(
            &agent,
            "/staff/contact/new",
            "/staff/contact/new",
            &[
                ("channel", "phone"),
                ("contact_name", XSS),
                ("contact_email", "xss2@example.org"),
                ("subject", XSS),
                ("question", XSS),
                ("answer", XSS),
                ("outcome", "call_back"),
                ("duration", "3"),
                ("articles", "xss-test"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let moment = r.headers()["location"].to_str().unwrap().to_owned();
    let r = app
        .submit(
            &agent,
            &moment,
            &format!("{moment}/forward"),
            &[("department", "milieu"), ("note", XSS)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = app
        .submit(
            &agent,
            "/staff/contact/new",
            "/staff/contact/new",
            &[
                ("channel", XSS),
                ("resident_email", XSS),
                ("subject", XSS),
                ("question", XSS),
                ("outcome", XSS),
                ("duration", XSS),
                ("articles", XSS),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert_escaped(&r.text().await.unwrap(), "moment with errors");

    let handler = app
        .signed_in("dept@stad.example", &["case_handler", "all_departments"])
        .await;
    let fw_id: String = {
        use loket_store::sqlx::Row;
        loket_store::sqlx::query("SELECT id FROM contact_forwards")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get(0)
    };
    let r = app
        .submit(
            &handler,
            "/staff/forwards?department=milieu",
            &format!("/staff/forwards/{fw_id}/answer"),
            &[("answer", XSS), ("department", "milieu")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);

    for (client, path) in [
        (&c, "/kb?q=alert".to_owned()),
        (&c, "/kb/xss-test".to_owned()),
        (&agent, "/staff/kb?q=alert".to_owned()),
        (&agent, "/staff/kb".to_owned()),
        (&agent, format!("/staff/kb/{id}")),
        (&agent, format!("/staff/kb/{id}/versions/1")),
        (&agent, format!("/staff/kb/{id}/edit")),
        (&agent, "/staff/contact".to_owned()),
        (&agent, moment.clone()),
        (&handler, "/staff/forwards?department=milieu".to_owned()),
    ] {
        let (s, html) = app.get(client, &path).await;
        assert_eq!(s, 200, "{path}");
        assert!(html.contains("alert"), "{path} shows the payload");
        assert_escaped(&html, &path);
    }
    app.stop().await;
}

#[tokio::test]
async fn questions_are_forwarded_with_a_due_date_and_answered_once() {
    let app = seeded().await;
    // A resident asks on the web: intake queue and a confirmation mail.
    let c = app.client();
    let r = app
        .submit(
            &c,
            "/contact/ask",
            "/contact/ask",
            &[
                ("name", "An Peeters"),
                ("email", "an@example.org"),
                ("subject", "Container"),
                ("question", "Mag ik een container op straat zetten?"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("C-20"), "{html}");
    let mail = app.last_mail_to("an@example.org").await;
    assert!(mail.subject.contains("[C-20"), "{}", mail.subject);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM contact_moments WHERE status = 'intake' AND channel = 'web'"
        )
        .await,
        1
    );
    // An empty question: a clear error, nothing changes.
    let mails = app.count("SELECT COUNT(*) FROM outbox").await;
    let r = app
        .submit(
            &c,
            "/contact/ask",
            "/contact/ask",
            &[
                ("name", "An Peeters"),
                ("email", "an@example.org"),
                ("subject", "Leeg"),
                ("question", "   "),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Vraag is leeg. Schrijf uw vraag."), "{html}");
    assert!(html.contains("value=\"Leeg\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM contact_moments").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, mails);

    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let (_, html) = app.get(&agent, "/staff/contact?status=intake").await;
    let id = html
        .split("<td><a href=\"/staff/contact/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let page = format!("/staff/contact/{id}");
    // An unknown department: a clear error, nothing changes.
    let r = app
        .submit(
            &agent,
            &page,
            &format!("{page}/forward"),
            &[("department", "nergens"), ("note", "x")],
        )
        .await;
    let status = r.status().as_u16();
    let html = r.text().await.unwrap();
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("deze dienst bestaat niet"));
    assert_eq!(app.count("SELECT COUNT(*) FROM contact_forwards").await, 0);
    // Forward to Mobility: due after 3 working days.
    let r = app
        .submit(
            &agent,
            &page,
            &format!("{page}/forward"),
            &[
                ("department", "mobiliteit"),
                ("note", "Inname openbaar domein"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let due = add_working_days(loket_web::i18n::today_brussels(), 3);
    let (_, html) = app.get(&agent, &page).await;
    assert!(html.contains(&due.to_string()), "due {due}: {html}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'contact.forward.create'")
            .await,
        1
    );

    // The department answers; the answer is mailed.
    let handler = app
        .signed_in("mob@stad.example", &["case_handler", "all_departments"])
        .await;
    let (s, html) = app
        .get(&handler, "/staff/forwards?department=mobiliteit")
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("Mag ik een container"));
    let fw = html
        .split("action=\"/staff/forwards/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let action = format!("/staff/forwards/{fw}/answer");
    // An empty answer is refused.
    let r = app
        .submit(
            &handler,
            "/staff/forwards?department=mobiliteit",
            &action,
            &[("answer", " "), ("department", "mobiliteit")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let r = app
        .submit(
            &handler,
            "/staff/forwards?department=mobiliteit",
            &action,
            &[
                ("answer", "Ja, met een vergunning."),
                ("department", "mobiliteit"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let mail = app.last_mail_to("an@example.org").await;
    assert!(
        mail.body.contains("Ja, met een vergunning."),
        "{}",
        mail.body
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_moments WHERE status = 'closed'")
            .await,
        1
    );
    // A second answer to the closed forward: refused, nothing changes.
    let mails = app.count("SELECT COUNT(*) FROM outbox").await;
    let audits = app.count("SELECT COUNT(*) FROM audit_log").await;
    let r = app
        .submit(
            &handler,
            "/staff/forwards?department=mobiliteit",
            &action,
            &[("answer", "Nee toch niet."), ("department", "mobiliteit")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("al beantwoord"));
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, mails);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audits);
    let (_, html) = app
        .get(&handler, "/staff/forwards?department=mobiliteit")
        .await;
    assert!(html.contains("Ja, met een vergunning.") && !html.contains("Nee toch niet."));
    app.stop().await;
}

#[tokio::test]
async fn agents_log_contact_moments_for_residents_access_logged() {
    let app = seeded().await;
    let _resident = app.signed_in("bewoner@example.org", &["resident"]).await;
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let r = app
        .submit(
            &agent,
            "/staff/contact/new",
            "/staff/contact/new",
            &[
                ("channel", "phone"),
                ("resident_email", "bewoner@example.org"),
                ("subject", "Parkeerkaart"),
                ("question", "Hoeveel kost een bewonerskaart?"),
                ("answer", "25 euro per jaar."),
                ("outcome", "answered"),
                ("duration", "4"),
                ("articles", "bewonersparkeerkaart"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let page = r.headers()["location"].to_str().unwrap().to_owned();
    let (_, html) = app.get(&agent, &page).await;
    assert!(html.contains("Bewonersparkeerkaarten"));
    assert!(html.contains("Afgesloten"));
    assert!(html.contains("?contact="), "link to start a case");
    assert!(
        app.count("SELECT COUNT(*) FROM access_log WHERE purpose = 'contact.view'")
            .await
            >= 1
    );
    // The resident's history: the contact on the timeline, access-logged.
    let history = html
        .split("href=\"/staff/contact/residents/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM access_log WHERE purpose = 'contact.history'")
            .await,
        0
    );
    let (s, h) = app
        .get(&agent, &format!("/staff/contact/residents/{history}"))
        .await;
    assert_eq!(s, 200);
    assert!(h.contains("Parkeerkaart") && h.contains("Telefoon"), "{h}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM access_log WHERE purpose = 'contact.history'")
            .await,
        1
    );
    // Department staff and residents may not open it.
    let other = app
        .signed_in("dept3@stad.example", &["case_handler", "all_departments"])
        .await;
    let (s, _) = app
        .get(&other, &format!("/staff/contact/residents/{history}"))
        .await;
    assert_eq!(s, 403);
    let (s, _) = app.get(&agent, "/staff/contact/residents/nobody").await;
    assert_eq!(s, 404);
    // An unknown resident, an unknown article, an answered call without
    // answer: field errors, nothing saved.
    let before = app.count("SELECT COUNT(*) FROM contact_moments").await;
    let r = app
        .submit(
            &agent,
            "/staff/contact/new",
            "/staff/contact/new",
            &[
                ("channel", "phone"),
                ("resident_email", "niemand@example.org"),
                ("subject", "x"),
                ("question", "y"),
                ("answer", ""),
                ("outcome", "answered"),
                ("articles", "bestaat-niet"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("geen inwoner met dit e-mailadres"));
    assert!(html.contains("geen artikel „bestaat-niet”"));
    assert!(html.contains("Antwoord is leeg"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_moments").await,
        before
    );
    app.stop().await;
}

#[tokio::test]
async fn api_search_moments_and_forwards() {
    use serde_json::{Value, json};
    let app = seeded().await;
    let c = app.client();
    // Public search and article, valid articles only.
    let r = c
        .get(app.url("/api/v1/kb/articles?q=parkeerkaart"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let hits: Value = r.json().await.unwrap();
    assert_eq!(hits[0]["slug"], "bewonersparkeerkaart");
    let r = c
        .get(app.url("/api/v1/kb/articles/afvalophaling?lang=en"))
        .send()
        .await
        .unwrap();
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["title"], "When is my waste collected?");
    let r = c
        .get(app.url("/api/v1/kb/articles/corona-mondmasker-2021"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    app.signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let token = loket::cli::token_create(&app.config, AGENT, "t")
        .await
        .unwrap();
    let r = c
        .post(app.url("/api/v1/contact-moments"))
        .bearer_auth(&token)
        .json(&json!({"channel": "chat", "subject": "Afval", "question": "   ", "outcome": "call_back"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM contact_moments").await, 0);
    let r = c
        .post(app.url("/api/v1/contact-moments"))
        .bearer_auth(&token)
        .json(&json!({"channel": "chat", "contact_name": "Bo", "contact_email": "bo@example.org",
            "subject": "Afval", "question": "Wanneer?", "outcome": "call_back", "articles": ["afvalophaling"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let m: Value = r.json().await.unwrap();
    let id = m["id"].as_str().unwrap().to_owned();
    let r = c
        .get(app.url(&format!(
            "/api/v1/contact-moments/{}",
            m["reference"].as_str().unwrap()
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let got: Value = r.json().await.unwrap();
    assert_eq!(got["id"], id.as_str());
    // Forward through the page, answer through the API, twice.
    let page = format!("/staff/contact/{id}");
    let agent = app
        .signed_in(
            "agent2@stad.example",
            &["contact_centre", "all_departments"],
        )
        .await;
    let r = app
        .submit(
            &agent,
            &page,
            &format!("{page}/forward"),
            &[("department", "milieu"), ("note", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = c
        .get(app.url("/api/v1/departments/milieu/forwards"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["total"], 1);
    let fws = &page["items"];
    assert_eq!(fws[0]["status"], "open");
    assert_eq!(fws[0]["overdue"], false);
    let fw = fws[0]["id"].as_str().unwrap().to_owned();
    let answer = |text: &'static str| {
        c.post(app.url(&format!("/api/v1/forwards/{fw}/answer")))
            .bearer_auth(&token)
            .json(&json!({ "answer": text }))
            .send()
    };
    assert_eq!(answer("Dinsdag.").await.unwrap().status(), 200);
    let r = answer("Woensdag.").await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert!(
        app.last_mail_to("bo@example.org")
            .await
            .body
            .contains("Dinsdag.")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE body LIKE '%Woensdag%'")
            .await,
        0
    );
    app.stop().await;
}

/// Logs a phone call about `resident_email`; returns the moment's page path.
async fn log_call(
    app: &TestApp,
    agent: &reqwest::Client,
    resident_email: &str,
    outcome: &str,
) -> String {
    let r = app
        .submit(
            agent,
            "/staff/contact/new",
            "/staff/contact/new",
            &[
                ("channel", "phone"),
                ("resident_email", resident_email),
                ("subject", "Verhuis"),
                ("question", "Ik verhuis volgende week, wat moet ik doen?"),
                ("answer", "We geven de verhuis samen door."),
                ("outcome", outcome),
                ("duration", "6"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    r.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_phone_contact_ends_in_a_case() {
    use reqwest::multipart::Form;
    let app = seeded().await;
    loket::demo::seed_services(&app.store).await.unwrap();
    let rid = resident(&app, "beller@example.org").await;
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let page = log_call(&app, &agent, "beller@example.org", "call_back").await;
    let moment_id = page.trim_start_matches("/staff/contact/").to_owned();
    // The moment's page links to the resident's file on the assisted
    // channel, keeping the contact; the file's service links keep it too.
    let (_, html) = app.get(&agent, &page).await;
    let file = format!("/staff/residents/{rid}?contact={moment_id}");
    assert!(html.contains(&file), "{html}");
    let (s, html) = app.get(&agent, &file).await;
    assert_eq!(s, 200);
    let apply = format!("/staff/residents/{rid}/apply/move?contact={moment_id}");
    assert!(html.contains(&apply), "{html}");
    // The form posts back with the contact; the resident's data is not retyped.
    let (s, html) = app.get(&agent, &apply).await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("action=\"{apply}\"")), "{html}");
    let form = Form::new()
        .text("csrf", csrf_of(&html))
        .text("channel", "phone")
        .text("new_address_street", "Bondgenotenlaan")
        .text("new_address_number", "12")
        .text("new_address_postal_code", "3000")
        .text("new_address_city", "Leuven")
        .text("move_date", loket_web::i18n::today_brussels().to_string())
        .text("old_address_street", "Kerkstraat")
        .text("old_address_number", "1")
        .text("old_address_postal_code", "9000")
        .text("old_address_city", "Gent");
    let r = agent
        .post(app.url(&apply))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"].to_str().unwrap(), page);
    let m = loket_store::contact::moment(&app.store, &moment_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.outcome, "case_started");
    assert_eq!(m.status, MomentStatus::Closed);
    let case = loket_store::cases::case_by_id(&app.store, m.case_id.as_deref().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.resident_id, rid);
    assert_eq!(case.channel, "phone");
    let (_, html) = app.get(&agent, &page).await;
    assert!(
        html.contains(&format!("href=\"/staff/cases/{}\"", case.number)),
        "{html}"
    );
    assert!(html.contains("Aanvraag gestart"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'contact.moment.link'")
            .await,
        1
    );
    // A contact about someone else is not linked to this resident's case.
    let other = resident(&app, "ander@example.org").await;
    let page2 = log_call(&app, &agent, "ander@example.org", "call_back").await;
    let m2 = page2.trim_start_matches("/staff/contact/");
    let (_, html) = app
        .get(&agent, &format!("/staff/residents/{rid}?contact={m2}"))
        .await;
    assert!(!html.contains("?contact="), "{html}");
    let _ = other;

    // A caller logged without a resident: found from the moment's page,
    // the case started; the moment then belongs to that resident.
    let r = app
        .submit(
            &agent,
            "/staff/contact/new",
            "/staff/contact/new",
            &[
                ("channel", "phone"),
                ("contact_name", "Onbekende beller"),
                ("subject", "Verhuis"),
                ("question", "Ik verhuis."),
                ("outcome", "call_back"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let page3 = r.headers()["location"].to_str().unwrap().to_owned();
    let m3 = page3.trim_start_matches("/staff/contact/").to_owned();
    let (_, html) = app.get(&agent, &page3).await;
    let find = format!("/staff/residents?contact={m3}");
    assert!(html.contains(&find), "{html}");
    let (s, html) = app
        .get(
            &agent,
            &format!("/staff/residents?q=beller%40example.org&contact={m3}"),
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("/staff/residents/{rid}?contact={m3}")),
        "{html}"
    );
    assert!(
        html.contains(&format!("name=\"contact\" value=\"{m3}\"")),
        "{html}"
    );
    let apply3 = format!("/staff/residents/{rid}/apply/move?contact={m3}");
    let (_, html) = app.get(&agent, &apply3).await;
    let form = Form::new()
        .text("csrf", csrf_of(&html))
        .text("channel", "phone")
        .text("new_address_street", "Naamsestraat")
        .text("new_address_number", "3")
        .text("new_address_postal_code", "3000")
        .text("new_address_city", "Leuven")
        .text("move_date", loket_web::i18n::today_brussels().to_string())
        .text("old_address_street", "Kerkstraat")
        .text("old_address_number", "1")
        .text("old_address_postal_code", "9000")
        .text("old_address_city", "Gent");
    let r = agent
        .post(app.url(&apply3))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let m = loket_store::contact::moment(&app.store, &m3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.outcome, "case_started");
    assert_eq!(m.resident_id.as_deref(), Some(rid.as_str()));
    app.stop().await;
}

#[tokio::test]
async fn a_phone_contact_ends_in_an_appointment() {
    let app = seeded().await;
    loket::demo::seed_appointments(&app.store).await.unwrap();
    let _rid = resident(&app, "beller@example.org").await;
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let page = log_call(&app, &agent, "beller@example.org", "call_back").await;
    let moment_id = page.trim_start_matches("/staff/contact/").to_owned();
    let (_, html) = app.get(&agent, &page).await;
    let book = format!("/staff/contact/{moment_id}/appointment");
    assert!(html.contains(&book), "{html}");
    // The picker: the caller's e-mail is filled in.
    use jiff::ToSpan;
    let tomorrow = loket_web::i18n::today_brussels()
        .checked_add(1.day())
        .unwrap();
    let (s, html) = app
        .get(
            &agent,
            &format!("{book}?service=identity-card&location=city-office&from={tomorrow}"),
        )
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("value=\"beller@example.org\""), "{html}");
    // The first free slot offered.
    let start = html
        .split("name=\"start\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let before = app.count("SELECT COUNT(*) FROM appointments").await;
    let r = app
        .submit(
            &agent,
            &book,
            &book,
            &[
                ("service", "identity-card"),
                ("location", "city-office"),
                ("start", &start),
                ("resident_email", "beller@example.org"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"].to_str().unwrap(), page);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM appointments").await,
        before + 1
    );
    let m = loket_store::contact::moment(&app.store, &moment_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.outcome, "appointment_booked");
    let a = loket_store::appointments::get(&app.store, m.appointment_id.as_deref().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.channel, "phone");
    let (_, html) = app.get(&agent, &page).await;
    assert!(
        html.contains("Afspraak gemaakt") && html.contains(&a.code),
        "{html}"
    );
    // The confirmation went to the resident, in the booking's transaction.
    let mail = app.last_mail_to("beller@example.org").await;
    assert!(!mail.subject.is_empty());
    // Only agents book from a contact.
    let counter = app.signed_in("balie@stad.example", &["counter"]).await;
    assert_eq!(app.get(&counter, &book).await.0, 403);
    let res = app.signed_in("iemand@example.org", &["resident"]).await;
    assert_eq!(app.get(&res, &book).await.0, 403);
    assert_eq!(
        app.get(&agent, "/staff/contact/nobody/appointment").await.0,
        404
    );
    // Booking for someone else than the moment's resident is refused.
    let _ = resident(&app, "ander@example.org").await;
    let page2 = log_call(&app, &agent, "beller@example.org", "call_back").await;
    let book2 = format!("{page2}/appointment");
    let r = app
        .submit(
            &agent,
            &book2,
            &book2,
            &[
                ("service", "identity-card"),
                ("location", "city-office"),
                ("start", &start),
                ("resident_email", "ander@example.org"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM appointments").await,
        before + 1
    );
    app.stop().await;
}

#[tokio::test]
async fn forwarded_from_the_log_form_and_the_clock_paused_and_resumed() {
    use loket_domain::contact::working_days_between;
    let app = seeded().await;
    let _ = resident(&app, "wacht@example.org").await;
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let mut fields = vec![
        ("channel", "phone"),
        ("resident_email", "wacht@example.org"),
        ("subject", "Terras"),
        ("question", "Mag mijn café een terras op het plein zetten?"),
        ("answer", "De dienst mobiliteit antwoordt u."),
        ("outcome", "forwarded"),
        ("department", "nergens"),
        ("note", "Terrasvergunning"),
        ("duration", "3"),
    ];
    // Forwarded without a (known) department: a clear error, nothing saved.
    let r = app
        .submit(&agent, "/staff/contact/new", "/staff/contact/new", &fields)
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("deze dienst bestaat niet"), "{html}");
    assert!(html.contains("Terrasvergunning"), "the input is kept");
    assert_eq!(app.count("SELECT COUNT(*) FROM contact_moments").await, 0);
    fields[6] = ("department", "mobiliteit");
    let r = app
        .submit(&agent, "/staff/contact/new", "/staff/contact/new", &fields)
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let page = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_forwards WHERE status = 'open' AND note = 'Terrasvergunning'")
            .await,
        1
    );
    let today = loket_web::i18n::today_brussels();
    let due = add_working_days(today, 3);
    let (_, html) = app.get(&agent, &page).await;
    assert!(
        html.contains(&due.to_string()) && html.contains("Doorverwezen"),
        "{html}"
    );

    // The department asks the resident something: the clock pauses and the
    // question is mailed with the reference in the subject.
    let handler = app
        .signed_in("mob@stad.example", &["case_handler", "all_departments"])
        .await;
    let queue = "/staff/forwards?department=mobiliteit";
    let (_, html) = app.get(&handler, queue).await;
    let fw = html
        .split("action=\"/staff/forwards/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    // An empty question: refused, the summary links to the field.
    let r = app
        .submit(
            &handler,
            queue,
            &format!("/staff/forwards/{fw}/pause"),
            &[("question", " "), ("department", "mobiliteit")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#question\"") && html.contains("id=\"question\""),
        "{html}"
    );
    // The answer form's error links to an element that exists (#answer).
    let r = app
        .submit(
            &handler,
            queue,
            &format!("/staff/forwards/{fw}/answer"),
            &[("answer", ""), ("department", "mobiliteit")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("href=\"#answer\"") && html.contains("id=\"answer\""),
        "{html}"
    );
    let r = app
        .submit(
            &handler,
            queue,
            &format!("/staff/forwards/{fw}/pause"),
            &[
                ("question", "Hoeveel tafels wilt u zetten?"),
                ("department", "mobiliteit"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let mail = app.last_mail_to("wacht@example.org").await;
    assert!(mail.subject.contains("[C-20"), "{}", mail.subject);
    assert!(mail.body.contains("Hoeveel tafels"), "{}", mail.body);
    let (_, html) = app.get(&handler, queue).await;
    assert!(html.contains("wacht op de inwoner sinds"), "{html}");
    // Residents may not touch the queue.
    let res = app.signed_in("iemand@example.org", &["resident"]).await;
    let r = app
        .submit(
            &res,
            "/contact/ask",
            &format!("/staff/forwards/{fw}/pause"),
            &[("question", "x"), ("department", "mobiliteit")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 403);
    // Pausing twice is refused and changes nothing.
    let audits = app.count("SELECT COUNT(*) FROM audit_log").await;
    let r = app
        .submit(
            &handler,
            queue,
            &format!("/staff/forwards/{fw}/pause"),
            &[("question", "Nog iets?"), ("department", "mobiliteit")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audits);

    // The clock stood still for ten calendar days (the pause is moved back
    // in time): resuming moves the due date by the working days between.
    use jiff::ToSpan;
    let paused_on = today.checked_sub(10.days()).unwrap();
    sqlx::query("UPDATE contact_forwards SET paused_on = $1 WHERE id = $2")
        .bind(paused_on.to_string())
        .bind(&fw)
        .execute(app.store.pool())
        .await
        .unwrap();
    let r = app
        .submit(
            &handler,
            queue,
            &format!("/staff/forwards/{fw}/resume"),
            &[("department", "mobiliteit")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let paused = working_days_between(paused_on, today);
    assert!(paused >= 5, "ten days hold at least five working days");
    let f = loket_store::contact::forward(&app.store, &fw)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(f.status, ForwardStatus::Open);
    assert_eq!(f.paused_days, paused);
    assert_eq!(f.due_on, add_working_days(due, paused).to_string());
    assert_eq!(working_days_between(due, f.due_on.parse().unwrap()), paused);
    // Resuming a running clock is refused.
    let r = app
        .submit(
            &handler,
            queue,
            &format!("/staff/forwards/{fw}/resume"),
            &[("department", "mobiliteit")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);

    // Overdue: the queue counts and marks it.
    let (_, html) = app.get(&handler, queue).await;
    assert!(html.contains("Te laat: 0"), "{html}");
    sqlx::query("UPDATE contact_forwards SET due_on = $1 WHERE id = $2")
        .bind(today.checked_sub(1.day()).unwrap().to_string())
        .bind(&fw)
        .execute(app.store.pool())
        .await
        .unwrap();
    let (_, html) = app.get(&handler, queue).await;
    assert!(html.contains("Te laat: 1"), "{html}");
    assert!(html.contains("class=\"flag\">Te laat</strong>"), "{html}");
    // A waiting forward can still be answered; the answer closes it.
    let r = app
        .submit(
            &handler,
            queue,
            &format!("/staff/forwards/{fw}/answer"),
            &[("answer", "Ja, vier tafels."), ("department", "mobiliteit")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    app.stop().await;
}

/// Writes a mail file into `<maildir>/new` (via `tmp/`, as a mail server does).
fn deliver(maildir: &std::path::Path, name: &str, raw: &str) {
    for d in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(maildir.join(d)).unwrap();
    }
    let tmp = maildir.join("tmp").join(name);
    std::fs::write(&tmp, raw).unwrap();
    std::fs::rename(&tmp, maildir.join("new").join(name)).unwrap();
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[tokio::test]
async fn email_in_from_a_maildir_threaded_by_reference() {
    use loket::mail_in::{Imported, import_maildir};
    let maildir = temp_dir().join("contact-mail");
    let watched = maildir.clone();
    let app = TestApp::spawn_with(|c| {
        c.contact_maildir = Some(watched);
        c.contact_maildir_poll_secs = 1;
    })
    .await;
    loket::demo::contact::seed(&app.store).await.unwrap();
    let from = "loket@leuven.example";
    // A new mail: a contact moment (channel e-mail) in the intake queue,
    // and a confirmation with the reference.
    deliver(
        &maildir,
        "1700000000.M1P1.mail",
        "From: Els Janssens <els@example.org>\r\nTo: contact@leuven.example\r\n\
         Subject: Grofvuil ophalen\r\nMessage-ID: <m1@example.org>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Wanneer halen jullie grofvuil op in Kessel-Lo? Een zetel en een kast.\r\n",
    );
    // The background worker reads the folder (every second here).
    let mut waited = 0;
    while app.count("SELECT COUNT(*) FROM contact_moments").await == 0 && waited < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM contact_moments WHERE channel = 'email' AND status = 'intake'"
        )
        .await,
        1
    );
    assert!(files_in(&maildir.join("new")).is_empty());
    assert_eq!(
        files_in(&maildir.join("cur")),
        vec!["1700000000.M1P1.mail:2,S"]
    );
    let moments = loket_store::contact::list_moments(&app.store, "", "", 10)
        .await
        .unwrap();
    let m = &moments[0];
    assert_eq!(m.contact_email, "els@example.org");
    assert_eq!(m.contact_name, "Els Janssens");
    assert_eq!(m.subject, "Grofvuil ophalen");
    assert!(m.question.contains("Een zetel en een kast."));
    let mut mail = None;
    for _ in 0..50 {
        if let Some(x) = loket_store::notify::recent(&app.store, 100)
            .await
            .unwrap()
            .into_iter()
            .find(|x| x.to_addr == "els@example.org")
        {
            mail = Some(x);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mail = mail.expect("a confirmation");
    assert!(
        mail.subject.contains(&format!("[{}#", m.reference)),
        "{}",
        mail.subject
    );

    // The agent forwards it; the department asks the resident something.
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let page = format!("/staff/contact/{}", m.id);
    let r = app
        .submit(
            &agent,
            &page,
            &format!("{page}/forward"),
            &[("department", "milieu"), ("note", "")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let fw = loket_store::contact::forwards_of(&app.store, &m.id, 10)
        .await
        .unwrap()[0]
        .id
        .clone();
    let mut tx = app.store.begin().await.unwrap();
    loket_store::contact::pause_forward(
        &mut tx,
        &loket_domain::audit::Actor::System,
        &fw,
        &loket_web::i18n::today_brussels().to_string(),
        "Welk adres?",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // A reply with the reference in the subject: threaded to the same
    // moment as a message, and the clock runs again.
    deliver(
        &maildir,
        "1700000001.M2P1.mail",
        &format!(
            "From: els@example.org\r\nSubject: Re: {}\r\nMessage-ID: <m2@example.org>\r\n\
             In-Reply-To: <x@leuven.example>\r\n\r\nTiensesteenweg 100, 3010 Kessel-Lo.\r\n",
            mail.subject
        ),
    );
    // A malformed file: moved aside and reported, not lost.
    deliver(
        &maildir,
        "1700000002.M3P1.mail",
        "this is not an e-mail at all\n",
    );
    let done = import_maildir(&app.store, &app.config.keys(), &maildir, from)
        .await
        .unwrap();
    assert_eq!(
        done,
        Imported {
            moments: 0,
            threaded: 1,
            duplicates: 0,
            rejected: 1
        }
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM contact_moments").await, 1);
    let msgs = loket_store::contact::messages(&app.store, &m.id, 10)
        .await
        .unwrap();
    let inbound: Vec<_> = msgs.iter().filter(|x| x.direction == "in").collect();
    assert_eq!(inbound.len(), 1);
    assert!(inbound[0].body.contains("Tiensesteenweg 100"));
    let f = loket_store::contact::forward(&app.store, &fw)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        f.status,
        ForwardStatus::Open,
        "the resident answered: the clock runs"
    );
    let (_, html) = app.get(&agent, &page).await;
    assert!(
        html.contains("Tiensesteenweg 100") && html.contains("Van de inwoner"),
        "{html}"
    );
    assert_eq!(
        files_in(&maildir.join("rejected")),
        vec!["1700000002.M3P1.mail"]
    );
    assert_eq!(
        std::fs::read_to_string(maildir.join("rejected").join("1700000002.M3P1.mail")).unwrap(),
        "this is not an e-mail at all\n"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_mail_rejects").await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'contact.mail.reject'")
            .await,
        1
    );

    // The same mail again (a copy put back in new/): not imported twice.
    std::fs::copy(
        maildir.join("cur").join("1700000001.M2P1.mail:2,S"),
        maildir.join("new").join("1700000001.M2P1.mail"),
    )
    .unwrap();
    let done = import_maildir(&app.store, &app.config.keys(), &maildir, from)
        .await
        .unwrap();
    assert_eq!(done.duplicates, 1);
    assert_eq!(done.threaded + done.moments, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_messages WHERE direction = 'in'")
            .await,
        1
    );
    // Nothing left to read: a second pass does nothing.
    let done = import_maildir(&app.store, &app.config.keys(), &maildir, from)
        .await
        .unwrap();
    assert_eq!(done, Imported::default());
    // A reply with an unknown reference starts a new moment.
    deliver(
        &maildir,
        "1700000003.M4P1.mail",
        "From: jo@example.org\r\nSubject: Re: [C-1999-999999] oud\r\nMessage-ID: <m4@example.org>\r\n\r\nNog een vraag.\r\n",
    );
    let done = import_maildir(&app.store, &app.config.keys(), &maildir, from)
        .await
        .unwrap();
    assert_eq!(done.moments, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM contact_moments").await, 2);
    app.stop().await;
    let _ = std::fs::remove_dir_all(&maildir);
}

/// The text of the table with this id.
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("table {id}: {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</table>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn the_report_counts_contacts_forwards_articles_and_gaps() {
    let app = seeded().await;
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let log = |channel: &'static str,
               outcome: &'static str,
               articles: &'static str,
               department: &'static str| {
        let app = &app;
        let agent = &agent;
        async move {
            let r = app
                .submit(
                    agent,
                    "/staff/contact/new",
                    "/staff/contact/new",
                    &[
                        ("channel", channel),
                        ("contact_name", "Inwoner"),
                        ("subject", "Vraag <b>"),
                        ("question", "Een vraag"),
                        ("answer", "Een antwoord"),
                        ("outcome", outcome),
                        ("articles", articles),
                        ("department", department),
                        ("duration", "2"),
                    ],
                )
                .await;
            assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
            r.headers()["location"]
                .to_str()
                .unwrap()
                .trim_start_matches("/staff/contact/")
                .to_owned()
        }
    };
    // Today: three phone calls (two answered with the parking article, one
    // answered without article), one e-mail forwarded to Mobility.
    log("phone", "answered", "bewonersparkeerkaart", "").await;
    log("phone", "answered", "bewonersparkeerkaart, verhuizen", "").await;
    log("phone", "answered", "", "").await;
    log("email", "forwarded", "", "mobiliteit").await;
    // Yesterday: one counter visit, called back.
    let old = log("counter", "call_back", "", "").await;
    sqlx::query("UPDATE contact_moments SET created_at = created_at - 86400000 WHERE id = $1")
        .bind(&old)
        .execute(app.store.pool())
        .await
        .unwrap();
    // A forward of Finance made earlier and now past its due date.
    let late = log("letter", "forwarded", "", "financien").await;
    sqlx::query("UPDATE contact_moments SET created_at = created_at - 3456000000 WHERE id = $1")
        .bind(&late)
        .execute(app.store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE contact_forwards SET due_on = '2020-01-01', created_at = created_at - 3456000000 WHERE moment_id = $1")
        .bind(&late)
        .execute(app.store.pool())
        .await
        .unwrap();
    // Two searches that find nothing (one resident, one agent), one that does.
    let c = app.client();
    app.get(&c, "/kb?q=xyzzyquux+plugh").await;
    app.get(&agent, "/staff/kb?q=Xyzzyquux+plugh").await;
    app.get(&agent, "/staff/kb?q=parkeerkaart").await;
    // Typed-while-searching requests are not counted.
    app.get(&agent, "/staff/kb?q=xyzzyq&live=1").await;

    let (s, html) = app.get(&agent, "/staff/contact/report").await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("5 contacten in deze periode"), "{html}");
    // The rankings say how many they hold (they are not every article or
    // search).
    assert!(html.contains("De 10 meest gebruikte artikels"), "{html}");
    assert!(
        html.contains("De 20 zoekopdrachten die het vaakst geen artikel vonden"),
        "{html}"
    );
    assert!(
        html.contains("60% beantwoord bij het eerste contact"),
        "{html}"
    );
    let today = loket_web::i18n::today_brussels();
    let yesterday = today.yesterday().unwrap();
    let per_day = table(&html, "per-day");
    // Columns: phone, e-mail, web, counter, chat, letter, total, first contact.
    assert!(
        per_day.contains(&format!(
            "<th scope=\"row\">{today}</th><td>3</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>4</td><td>75%</td>"
        )),
        "{per_day}"
    );
    assert!(
        per_day.contains(&format!(
            "<th scope=\"row\">{yesterday}</th><td>0</td><td>0</td><td>0</td><td>1</td><td>0</td><td>0</td><td>1</td><td>0%</td>"
        )),
        "{per_day}"
    );
    let per_channel = table(&html, "per-channel");
    assert!(
        per_channel.contains("Telefoon</th><td>3</td><td>100%</td>"),
        "{per_channel}"
    );
    let depts = table(&html, "per-department");
    assert!(
        depts.contains("Mobiliteit</th><td>1</td><td>0</td>"),
        "{depts}"
    );
    assert!(
        depts.contains("Financiën</th><td>0</td><td><strong class=\"flag\">1</strong>"),
        "{depts}"
    );
    let top = table(&html, "top-articles");
    assert!(
        top.find("Bewonersparkeerkaart").unwrap() < top.find("Verhuizen").unwrap_or(usize::MAX),
        "{top}"
    );
    assert!(top.contains("</a></td><td>2</td>"), "{top}");
    let gaps = table(&html, "empty-searches");
    assert!(
        gaps.contains("<td>xyzzyquux plugh</td><td>2</td>"),
        "{gaps}"
    );
    assert!(!gaps.contains("xyzzyq<"), "{gaps}");
    assert!(
        html.contains("3 contacten in deze periode hebben geen gekoppeld artikel"),
        "{html}"
    );
    // The chart: one segment per (day, channel) with contacts, titled.
    let svg = &html[html.find("<svg xmlns").unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    assert_eq!(svg.matches("<rect ").count(), 3, "{svg}");
    assert!(svg.contains("role=\"img\""));
    assert!(
        svg.contains(&format!("<title>{today}: Telefoon 3</title>")),
        "{svg}"
    );
    // The subject is escaped in the list of contacts without article.
    assert!(
        html.contains("Vraag &lt;b&gt;") || html.contains("Vraag &#60;b&#62;"),
        "{html}"
    );
    // A bad period: a clear error.
    let (s, html) = app
        .get(
            &agent,
            "/staff/contact/report?from=2026-12-01&to=2026-11-01",
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("href=\"#to\""), "{html}");
    // Department staff and residents may not see it.
    let other = app
        .signed_in("dept@stad.example", &["case_handler", "all_departments"])
        .await;
    assert_eq!(app.get(&other, "/staff/contact/report").await.0, 403);
    app.stop().await;
}

/// An attribute-breaking payload, besides [`XSS`].
const XSS_ATTR: &str = "\" onmouseover=\"alert(4)\" x=\"";

fn assert_escaped_all(html: &str, page: &str) {
    assert_escaped(html, page);
    assert!(
        !html.contains("\" onmouseover=\"alert(4)"),
        "{page}: attribute broken out"
    );
}

#[tokio::test]
async fn xss_payloads_in_the_new_contact_forms_are_escaped() {
    let payload = format!("{XSS}{XSS_ATTR}");
    let p = payload.as_str();
    let maildir = temp_dir().join("xss-mail");
    let app = seeded().await;
    let _ = resident(&app, "xss@example.org").await;
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    // The log form: search with the payload (kept in the search box), the
    // payload in the new fields, an unknown department and picked article.
    let r = app
        .submit(
            &agent,
            "/staff/contact/new",
            "/staff/contact/new",
            &[
                ("channel", "phone"),
                ("resident_email", "xss@example.org"),
                ("subject", p),
                ("question", p),
                ("answer", p),
                ("outcome", "forwarded"),
                ("department", p),
                ("note", p),
                ("q", p),
                ("pick", p),
                ("action", "search"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("alert(4)"), "the payload is shown");
    assert_escaped_all(&html, "log form search");
    let r = app
        .submit(
            &agent,
            "/staff/contact/new",
            "/staff/contact/new",
            &[
                ("channel", "phone"),
                ("resident_email", "xss@example.org"),
                ("subject", p),
                ("question", p),
                ("answer", p),
                ("outcome", "forwarded"),
                ("department", p),
                ("note", p),
                ("pick", p),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert_escaped_all(&r.text().await.unwrap(), "log form with errors");
    // Saved, forwarded from the form with the payload as note.
    let r = app
        .submit(
            &agent,
            "/staff/contact/new",
            "/staff/contact/new",
            &[
                ("channel", "phone"),
                ("resident_email", "xss@example.org"),
                ("subject", p),
                ("question", p),
                ("answer", p),
                ("outcome", "forwarded"),
                ("department", "milieu"),
                ("note", p),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let moment = r.headers()["location"].to_str().unwrap().to_owned();
    // The department pauses the clock with the payload as question (once
    // refused empty: the form comes back).
    let handler = app
        .signed_in("dept@stad.example", &["case_handler", "all_departments"])
        .await;
    let queue = "/staff/forwards?department=milieu";
    let fw = loket_store::contact::forwards_of(
        &app.store,
        moment.trim_start_matches("/staff/contact/"),
        10,
    )
    .await
    .unwrap()[0]
        .id
        .clone();
    let r = app
        .submit(
            &handler,
            queue,
            &format!("/staff/forwards/{fw}/pause"),
            &[("question", p), ("department", "milieu")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    // An answer refused for being too long echoes the payload.
    let long = p.repeat(200);
    let r = app
        .submit(
            &handler,
            queue,
            &format!("/staff/forwards/{fw}/answer"),
            &[("answer", &long), ("department", "milieu")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert_escaped_all(&r.text().await.unwrap(), "answer with errors");
    // E-mail in with the payload in name, subject and text, and a reply.
    deliver(
        &maildir,
        "1.M1.x",
        &format!(
            "From: \"<script>alert(5)</script>\" <xss@example.org>\r\nSubject: {XSS}\r\nMessage-ID: <x1@example.org>\r\n\r\n{p}\r\n"
        ),
    );
    let reference =
        loket_store::contact::moment(&app.store, moment.trim_start_matches("/staff/contact/"))
            .await
            .unwrap()
            .unwrap()
            .reference;
    deliver(
        &maildir,
        "2.M2.x",
        &format!(
            "From: xss@example.org\r\nSubject: Re: {XSS} [{reference}]\r\nMessage-ID: <x2@example.org>\r\n\r\n{p}\r\n"
        ),
    );
    let done = loket::mail_in::import_maildir(
        &app.store,
        &app.config.keys(),
        &maildir,
        "loket@leuven.example",
    )
    .await
    .unwrap();
    assert_eq!((done.moments, done.threaded), (1, 1), "{done:?}");
    // The appointment form from a contact echoes the typed e-mail.
    let book = format!("{moment}/appointment");
    let r = app
        .submit(
            &agent,
            &book,
            &book,
            &[
                ("service", p),
                ("location", p),
                ("start", p),
                ("resident_email", p),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    assert_escaped_all(
        &r.text().await.unwrap(),
        "appointment from contact with errors",
    );
    // A search with the payload that finds nothing: listed on the report.
    app.get(&agent, &format!("/staff/kb?q={}", urlencode(p)))
        .await;
    let email_moment = loket_store::contact::list_moments(&app.store, "intake", "", 10)
        .await
        .unwrap()[0]
        .id
        .clone();
    for (client, path) in [
        (&agent, moment.clone()),
        (&agent, format!("/staff/contact/{email_moment}")),
        (&agent, "/staff/contact".to_owned()),
        (&agent, "/staff/contact/report".to_owned()),
        (&handler, queue.to_owned()),
    ] {
        let (s, html) = app.get(client, &path).await;
        assert_eq!(s, 200, "{path}");
        assert!(html.contains("alert"), "{path} shows the payload");
        assert_escaped_all(&html, &path);
    }
    app.stop().await;
    let _ = std::fs::remove_dir_all(&maildir);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn email_in_imports_a_batch_once() {
    use loket::mail_in::import_maildir;
    let app = seeded().await;
    let maildir = temp_dir().join("batch-mail");
    const N: usize = 300;
    for i in 0..N {
        deliver(
            &maildir,
            &format!("17000{i:05}.M{i}P1.mail"),
            &format!(
                "From: Bewoner {i} <b{i}@example.org>\r\nSubject: Vraag {i}\r\n\
                 Message-ID: <batch-{i}@example.org>\r\n\r\nWanneer is het recyclagepark open? ({i})\r\n"
            ),
        );
    }
    let started = std::time::Instant::now();
    let done = import_maildir(
        &app.store,
        &app.config.keys(),
        &maildir,
        "loket@leuven.example",
    )
    .await
    .unwrap();
    let took = started.elapsed();
    eprintln!(
        "e-mail in: {N} mails on {} in {took:?} ({:.0} mails/s)",
        backend(),
        N as f64 / took.as_secs_f64()
    );
    assert_eq!(done.moments, N);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_moments").await,
        N as i64
    );
    assert_eq!(files_in(&maildir.join("cur")).len(), N);
    // Every confirmation carries its own reference.
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT subject) FROM outbox")
            .await,
        N as i64
    );
    // Two passes at once over new copies of every file: each imported once.
    for name in files_in(&maildir.join("cur")) {
        let plain = name.trim_end_matches(":2,S").to_owned();
        std::fs::copy(
            maildir.join("cur").join(&name),
            maildir.join("new").join(plain),
        )
        .unwrap();
    }
    let keys = app.config.keys();
    let (a, b) = tokio::join!(
        import_maildir(&app.store, &keys, &maildir, "loket@leuven.example"),
        import_maildir(&app.store, &keys, &maildir, "loket@leuven.example")
    );
    let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
    assert_eq!(a.moments + b.moments, 0, "{a:?} {b:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_moments").await,
        N as i64
    );
    app.stop().await;
    let _ = std::fs::remove_dir_all(&maildir);
}

#[tokio::test]
async fn a_resident_without_email_gets_the_answer_by_letter() {
    let app = seeded().await;
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    // The resident is recorded on the assisted channel, without e-mail.
    let r = app
        .submit(
            &agent,
            "/staff/residents/new",
            "/staff/residents/new",
            &[
                ("name", "Jef Briefmans"),
                ("street", "Tiensestraat"),
                ("house_number", "20"),
                ("postal_code", "3000"),
                ("city", "Leuven"),
                ("locale", "nl"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let file = r.headers()["location"].to_str().unwrap().to_owned();
    let rid = file.trim_start_matches("/staff/residents/").to_owned();
    let (_, html) = app.get(&agent, &file).await;
    let log = format!("/staff/contact/new?resident={rid}");
    assert!(html.contains(&log), "{html}");
    // Logged from the file: the resident is known without an e-mail.
    let r = app
        .submit(
            &agent,
            &log,
            "/staff/contact/new",
            &[
                ("resident", rid.as_str()),
                ("channel", "counter"),
                ("subject", "Huurpremie"),
                ("question", "Heb ik recht op een huurpremie?"),
                ("answer", "De dienst wonen bekijkt het."),
                ("outcome", "forwarded"),
                ("department", "wonen"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
    let page = r.headers()["location"].to_str().unwrap().to_owned();
    let id = page.trim_start_matches("/staff/contact/");
    let m = loket_store::contact::moment(&app.store, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.resident_id.as_deref(), Some(rid.as_str()));
    let fw = loket_store::contact::forwards_of(&app.store, id, 10)
        .await
        .unwrap()[0]
        .id
        .clone();
    let handler = app
        .signed_in("wonen@stad.example", &["case_handler", "all_departments"])
        .await;
    let queue = "/staff/forwards?department=wonen";
    let r = app
        .submit(
            &handler,
            queue,
            &format!("/staff/forwards/{fw}/pause"),
            &[("question", "Wat is uw inkomen?"), ("department", "wonen")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let r = app
        .submit(
            &handler,
            queue,
            &format!("/staff/forwards/{fw}/answer"),
            &[("answer", "Ja, vanaf 1 januari."), ("department", "wonen")],
        )
        .await;
    assert_eq!(r.status().as_u16(), 303);
    // No mail could go; two letters wait for the mail room.
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM letters WHERE kind = 'contact' AND batch_id IS NULL")
            .await,
        2
    );
    let content: String = {
        use loket_store::sqlx::Row;
        loket_store::sqlx::query("SELECT content FROM letters ORDER BY created_at DESC, id DESC")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get(0)
    };
    let letter: serde_json::Value = serde_json::from_str(&content).unwrap();
    assert_eq!(letter["recipient"][0], "Jef Briefmans");
    assert!(
        letter["recipient"].to_string().contains("Tiensestraat 20"),
        "{letter}"
    );
    assert_eq!(letter["reference"], m.reference.as_str());
    assert!(
        letter["paragraphs"]
            .to_string()
            .contains("Ja, vanaf 1 januari."),
        "{letter}"
    );
    let (s, html) = app.get(&agent, "/staff/letters").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Contactcenter") && html.contains("Antwoord op uw vraag"),
        "{html}"
    );
    // The mail room prints them: one PDF with both letters.
    let r = app
        .submit(&agent, "/staff/letters", "/staff/letters/batch", &[])
        .await;
    assert_eq!(r.status(), 303);
    let batch = r.headers()["location"].to_str().unwrap().to_owned();
    let r = agent.get(app.url(&batch)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let text = pdf_text(&r.bytes().await.unwrap());
    assert_eq!(text.matches("Tiensestraat 20").count(), 2, "{text}");
    assert!(
        text.contains("Ja, vanaf 1 januari.") && text.contains("Wat is uw inkomen?"),
        "{text}"
    );
    app.stop().await;
}

/// A throwaway Dovecot (Debian's `dovecot-imapd`) on 127.0.0.1, with a
/// certificate from a private CA made with `openssl` for this run, and one
/// account (`contact`). `scripts/test.sh` sets `LOKET_TEST_IMAP=1`, which
/// makes a missing Dovecot a failure instead of a skipped test.
struct Dovecot {
    child: std::process::Child,
    dir: std::path::PathBuf,
    /// Plain IMAP (for STARTTLS and tls=none).
    imap_port: u16,
    /// IMAP over TLS.
    imaps_port: u16,
    /// The private CA's certificate (PEM).
    ca: std::path::PathBuf,
}

const IMAP_PASSWORD: &str = "g3heim wachtwoord@contact";

impl Dovecot {
    fn start() -> Option<Dovecot> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        use std::process::Command;
        let bin = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let Some(bin) = bin else {
            assert!(
                !std::env::var("LOKET_TEST_IMAP").is_ok_and(|v| v == "1"),
                "LOKET_TEST_IMAP=1 but Dovecot is not installed (apt install dovecot-imapd)"
            );
            crate::common::skip(
                "email_in_from_imap_over_tls_and_starttls",
                "Dovecot is not installed (apt install dovecot-imapd)",
            );
            return None;
        };
        let dir = temp_dir().join("dovecot");
        std::fs::create_dir_all(dir.join("home")).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        // Mail processes run as an ordinary user: the test's own, or
        // `nobody` when the tests run as root (Dovecot refuses uid 0).
        let me = std::fs::metadata(&dir).unwrap();
        let (uid, gid) = if me.uid() == 0 {
            (65534, 65534)
        } else {
            (me.uid(), me.gid())
        };
        std::fs::set_permissions(dir.join("home"), std::fs::Permissions::from_mode(0o777)).unwrap();
        let (internal, login) = if me.uid() == 0 {
            ("dovecot".to_owned(), "dovenull".to_owned())
        } else {
            let out = Command::new("id").arg("-un").output().unwrap();
            let name = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            (name.clone(), name)
        };
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .expect("openssl");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        openssl(
            &[
                &["req", "-x509"][..],
                &ec,
                &[
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.pem",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=Loket test CA",
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign",
                ],
            ]
            .concat(),
        );
        openssl(
            &[
                &["req"][..],
                &ec,
                &[
                    "-keyout",
                    "server.key",
                    "-out",
                    "server.csr",
                    "-subj",
                    "/CN=localhost",
                ],
            ]
            .concat(),
        );
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ]);
        std::fs::write(
            dir.join("passwd"),
            format!("contact:{{PLAIN}}{IMAP_PASSWORD}::::::\n"),
        )
        .unwrap();
        let free = || {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        };
        let (imap_port, imaps_port) = (free(), free());
        let d = dir.display();
        std::fs::write(
            dir.join("dovecot.conf"),
            format!(
                "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
                 protocols = imap\nlisten = 127.0.0.1\n\
                 ssl = yes\nssl_cert = <{d}/server.pem\nssl_key = <{d}/server.key\n\
                 ssl_min_protocol = TLSv1.2\n\
                 disable_plaintext_auth = no\nauth_mechanisms = plain login\n\
                 default_internal_user = {internal}\ndefault_login_user = {login}\n\
                 passdb {{\n  driver = passwd-file\n  args = username_format=%u {d}/passwd\n}}\n\
                 userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={d}/home/%u\n}}\n\
                 mail_location = maildir:~/Maildir\n\
                 service imap-login {{\n  chroot =\n  \
                 inet_listener imap {{\n    address = 127.0.0.1\n    port = {imap_port}\n  }}\n  \
                 inet_listener imaps {{\n    address = 127.0.0.1\n    port = {imaps_port}\n    ssl = yes\n  }}\n}}\n\
                 service anvil {{\n  chroot =\n}}\n"
            ),
        )
        .unwrap();
        let child = Command::new(bin)
            .arg("-F")
            .arg("-c")
            .arg(dir.join("dovecot.conf"))
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start dovecot");
        let ca = dir.join("ca.pem");
        let dovecot = Dovecot {
            child,
            dir,
            imap_port,
            imaps_port,
            ca,
        };
        for _ in 0..200 {
            if [imap_port, imaps_port]
                .iter()
                .all(|p| std::net::TcpStream::connect(("127.0.0.1", *p)).is_ok())
            {
                return Some(dovecot);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!(
            "dovecot did not start: {}",
            std::fs::read_to_string(dovecot.dir.join("dovecot.log")).unwrap_or_default()
        );
    }

    /// The source Loket reads: `imaps://` with the private CA trusted.
    fn source(&self, url: &str) -> loket::mail_in::imap::ImapSource {
        let url = url
            .replace("{imap}", &self.imap_port.to_string())
            .replace("{imaps}", &self.imaps_port.to_string())
            .replace("{pw}", "g3heim%20wachtwoord%40contact");
        let mut src = loket::mail_in::imap::ImapSource::parse(&url, "Loket-rejected")
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        src.ca_file = Some(self.ca.clone());
        src
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its children too.
        let _ = std::process::Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What is in a mailbox: (UID, flags, raw bytes), in UID order.
async fn mailbox(
    session: &mut async_imap::Session<loket::mail_in::imap::Stream>,
    name: &str,
) -> Vec<(u32, String, Vec<u8>)> {
    use futures_util::TryStreamExt;
    let mb = session.select(name).await.unwrap();
    if mb.exists == 0 {
        return Vec::new();
    }
    let fetched: Vec<_> = session
        .uid_fetch("1:*", "(UID FLAGS BODY.PEEK[])")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let mut v: Vec<_> = fetched
        .iter()
        .map(|f| {
            (
                f.uid.unwrap(),
                f.flags()
                    .map(|x| format!("{x:?}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                f.body().unwrap_or_default().to_vec(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn email_in_from_imap_over_tls_and_starttls() {
    use loket::mail_in::Imported;
    use loket::mail_in::imap::import_imap;
    let Some(dovecot) = Dovecot::start() else {
        return;
    };
    // Loket reads INBOX over TLS every second; mail is delivered with
    // APPEND, as a mail server's delivery agent does.
    let worker_src = dovecot.source("imaps://contact:{pw}@localhost:{imaps}/INBOX");
    let url = format!(
        "imaps://contact:g3heim%20wachtwoord%40contact@localhost:{}/INBOX",
        dovecot.imaps_port
    );
    let ca = dovecot.ca.clone();
    let app = TestApp::spawn_with(|c| {
        c.contact_imap_url = Some(url);
        c.contact_imap_ca_file = Some(ca);
        c.contact_imap_poll_secs = 1;
    })
    .await;
    loket::demo::contact::seed(&app.store).await.unwrap();
    let from = "loket@leuven.example";
    let mut post = worker_src.connect().await.unwrap();
    post.append(
        "INBOX",
        None,
        None,
        "From: Els Janssens <els@example.org>\r\nTo: contact@leuven.example\r\n\
         Subject: Grofvuil ophalen\r\nMessage-ID: <imap1@example.org>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Wanneer halen jullie grofvuil op in Kessel-Lo?\r\n",
    )
    .await
    .unwrap();
    let mut waited = 0;
    while app.count("SELECT COUNT(*) FROM contact_moments").await == 0 && waited < 150 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    let moments = loket_store::contact::list_moments(&app.store, "", "", 10)
        .await
        .unwrap();
    assert_eq!(moments.len(), 1, "the worker read the mail over TLS");
    let m = &moments[0];
    assert_eq!(
        (
            m.channel.as_str(),
            m.status.as_str(),
            m.contact_email.as_str()
        ),
        ("email", "intake", "els@example.org")
    );
    assert_eq!(m.subject, "Grofvuil ophalen");
    // Flagged \Seen only after the import: the worker's flag is there.
    let mut seen = false;
    for _ in 0..50 {
        let inbox = mailbox(&mut post, "INBOX").await;
        if inbox.len() == 1 && inbox[0].1.contains("Seen") {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(seen, "the imported mail is flagged \\Seen");
    // The report shows the source as working, without its password.
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let (_, html) = app.get(&agent, "/staff/contact/report").await;
    let sources = table(&html, "mail-sources");
    assert!(
        sources.contains(&format!(
            "imap:contact@localhost:{}/INBOX",
            dovecot.imaps_port
        )) && !sources.contains("Werkt niet")
            && !sources.contains("nog nooit"),
        "{sources}"
    );
    assert!(!html.contains("wachtwoord"), "no password on the page");
    let confirmation = loket_store::notify::recent(&app.store, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.to_addr == "els@example.org")
        .expect("a confirmation with the reference");
    assert!(confirmation.subject.contains(&format!("[{}#", m.reference)));

    // A second mailbox, read directly over STARTTLS (the worker reads INBOX
    // only), with a small size limit.
    post.create("Direct").await.unwrap();
    let reply = format!(
        "From: els@example.org\r\nSubject: Re: {}\r\nMessage-ID: <imap2@example.org>\r\n\r\n\
         Tiensesteenweg 100, 3010 Kessel-Lo.\r\n",
        confirmation.subject
    );
    let garbage = "this is not an e-mail at all\r\n";
    let big = format!(
        "From: jo@example.org\r\nSubject: Foto's\r\nMessage-ID: <imap3@example.org>\r\n\r\n{}\r\n",
        "x".repeat(5000)
    );
    let no_id = "From: Jo <jo@example.org>\r\nSubject: Zonder Message-ID\r\n\r\nEen vraag.\r\n";
    for raw in [reply.as_str(), garbage, big.as_str(), no_id, reply.as_str()] {
        post.append("Direct", None, None, raw).await.unwrap();
    }
    let mut direct = dovecot.source("imap://contact:{pw}@localhost:{imap}/Direct");
    assert_eq!(direct.security, loket::mail_in::imap::Security::StartTls);
    direct.max_bytes = 4096;
    let done = import_imap(&app.store, &app.config.keys(), &direct, from)
        .await
        .unwrap();
    assert_eq!(
        done,
        Imported {
            moments: 1,
            threaded: 1,
            duplicates: 1,
            rejected: 2
        }
    );
    let msgs = loket_store::contact::messages(&app.store, &m.id, 10)
        .await
        .unwrap();
    assert!(
        msgs.iter()
            .any(|x| x.direction == "in" && x.body.contains("Tiensesteenweg 100")),
        "the reply is threaded to the moment by its reference"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM contact_moments").await, 2);
    // The unusable ones are moved aside, byte for byte, and reported.
    let rejected = mailbox(&mut post, "Loket-rejected").await;
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0].2, garbage.as_bytes());
    assert_eq!(rejected[1].2, big.as_bytes());
    let left = mailbox(&mut post, "Direct").await;
    assert_eq!(left.len(), 3);
    assert!(
        left.iter().all(|(_, flags, _)| flags.contains("Seen")),
        "{left:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_mail_rejects").await,
        2
    );
    let (_, html) = app.get(&agent, "/staff/contact/report").await;
    assert!(
        html.contains("IMAP Direct UID 2, moved to Loket-rejected")
            && html.contains("IMAP Direct UID 3, moved to Loket-rejected")
            && html.contains("more than the limit of 4096 bytes"),
        "{html}"
    );
    // Nothing left: the next pass does nothing.
    let done = import_imap(&app.store, &app.config.keys(), &direct, from)
        .await
        .unwrap();
    assert_eq!(done, Imported::default());

    // Two readers at once (two Loket instances on one mailbox): each mail
    // becomes exactly one moment.
    for i in 0..6 {
        post.append(
            "Direct",
            None,
            None,
            format!(
                "From: r{i}@example.org\r\nSubject: Vraag {i}\r\nMessage-ID: <race{i}@example.org>\r\n\r\nVraag nummer {i}.\r\n"
            ),
        )
        .await
        .unwrap();
    }
    let plain = dovecot.source("imap://contact:{pw}@127.0.0.1:{imap}/Direct?tls=none");
    let keys = app.config.keys();
    let (a, b) = tokio::join!(
        import_imap(&app.store, &keys, &direct, from),
        import_imap(&app.store, &keys, &plain, from)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.moments + b.moments, 6, "{a:?} {b:?}");
    assert_eq!(a.rejected + b.rejected, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM contact_moments").await, 8);

    // Failures say what went wrong and change nothing.
    post.append(
        "Direct",
        None,
        None,
        "From: late@example.org\r\nSubject: Later\r\nMessage-ID: <late@example.org>\r\n\r\nLater.\r\n",
    )
    .await
    .unwrap();
    let audit_before = app.count("SELECT COUNT(*) FROM audit_log").await;
    let mut wrong = dovecot.source("imap://contact:wrong@localhost:{imap}/Direct");
    let e = import_imap(&app.store, &app.config.keys(), &wrong, from)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("login as contact"), "{e}");
    wrong = dovecot.source("imaps://contact:{pw}@localhost:{imaps}/Direct");
    wrong.ca_file = None;
    let e = import_imap(&app.store, &app.config.keys(), &wrong, from)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("TLS") && e.contains("certificate"), "{e}");
    let e = import_imap(
        &app.store,
        &app.config.keys(),
        &dovecot.source("imaps://contact:{pw}@localhost:{imaps}/Nowhere"),
        from,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("SELECT"), "{e}");
    assert_eq!(app.count("SELECT COUNT(*) FROM contact_moments").await, 8);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log").await,
        audit_before
    );
    let left = mailbox(&mut post, "Direct").await;
    assert!(!left.last().unwrap().1.contains("Seen"), "still unread");

    // A batch, for the figure (printed, not asserted): 200 mails in one
    // pass over STARTTLS, each in its own transaction and flagged \Seen.
    post.create("Batch").await.unwrap();
    const N: usize = 200;
    for i in 0..N {
        post.append(
            "Batch",
            None,
            None,
            format!(
                "From: b{i}@example.org\r\nSubject: Vraag {i}\r\nMessage-ID: <imap-batch-{i}@example.org>\r\n\r\nWanneer is het recyclagepark open? ({i})\r\n"
            ),
        )
        .await
        .unwrap();
    }
    let batch = dovecot.source("imap://contact:{pw}@localhost:{imap}/Batch");
    let started = std::time::Instant::now();
    let done = import_imap(&app.store, &app.config.keys(), &batch, from)
        .await
        .unwrap();
    let took = started.elapsed();
    eprintln!(
        "e-mail in over IMAP: {N} mails on {} in {took:?} ({:.0} mails/s)",
        backend(),
        N as f64 / took.as_secs_f64()
    );
    assert_eq!(done.moments, N);
    let _ = post.logout().await;
    app.stop().await;
}

/// A mail-in source that fails (here: nothing listens) is shown on the
/// report page as failing, with its error, so the contact centre notices.
#[tokio::test]
async fn a_failing_mail_source_shows_on_the_report() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::spawn_with(|c| {
        c.contact_imap_url = Some(format!("imap://contact:pw@127.0.0.1:{port}/INBOX?tls=none"));
        c.contact_imap_poll_secs = 1;
    })
    .await;
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let mut html = String::new();
    for _ in 0..100 {
        html = app.get(&agent, "/staff/contact/report").await.1;
        if html.contains("Werkt niet") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let sources = table(&html, "mail-sources");
    assert!(
        sources.contains(&format!("imap:contact@127.0.0.1:{port}/INBOX"))
            && sources.contains("Werkt niet")
            && sources.contains("nog nooit")
            && sources.contains("connect"),
        "{sources}"
    );
    app.stop().await;
}

/// A reply joins a contact only with the reply token Loket put in its mail,
/// or from the contact's own address. A forged reply (a guessed reference,
/// another sender) becomes a new contact marked "unverified sender",
/// linked to no resident, and the named contact is untouched.
#[tokio::test]
async fn a_forged_reply_is_not_attached_to_the_contact() {
    use loket::mail_in::import_maildir;
    let maildir = temp_dir().join("contact-mail-forged");
    let app = TestApp::spawn().await;
    loket::demo::contact::seed(&app.store).await.unwrap();
    let from = "loket@leuven.example";
    // Els asks a question on the web; her confirmation carries the token.
    let c = app.client();
    let r = app
        .submit(
            &c,
            "/contact/ask",
            "/contact/ask",
            &[
                ("name", "Els Janssens"),
                ("email", "els@example.org"),
                ("subject", "Grofvuil"),
                ("question", "Wanneer halen jullie grofvuil op?"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let mail = app.last_mail_to("els@example.org").await;
    let m = loket_store::contact::list_moments(&app.store, "", "", 10)
        .await
        .unwrap()
        .remove(0);
    assert!(
        mail.subject.contains(&format!("[{}#", m.reference)),
        "{}",
        mail.subject
    );
    // Mallory guesses the reference (no token) and forges nothing else.
    deliver(
        &maildir,
        "1.M1.mail",
        &format!(
            "From: mallory@example.net\r\nSubject: Re: [{}]\r\nMessage-ID: <f1@example.net>\r\n\r\nMijn adres is veranderd.\r\n",
            m.reference
        ),
    );
    // A made-up token from Mallory's address: refused too.
    deliver(
        &maildir,
        "2.M2.mail",
        &format!(
            "From: mallory@example.net\r\nSubject: Re: [{}#0000000000000000]\r\nMessage-ID: <f2@example.net>\r\n\r\nNog iets.\r\n",
            m.reference
        ),
    );
    let done = import_maildir(&app.store, &app.config.keys(), &maildir, from)
        .await
        .unwrap();
    assert_eq!((done.threaded, done.moments), (0, 2), "{done:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_messages WHERE direction = 'in'")
            .await,
        0,
        "nothing joined Els's contact"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_moments WHERE sender_unverified = 1 AND resident_id IS NULL")
            .await,
        2
    );
    // The staff page says so.
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let forged = loket_store::contact::list_moments(&app.store, "", "", 10)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.sender_unverified)
        .unwrap();
    let (_, html) = app
        .get(&agent, &format!("/staff/contact/{}", forged.id))
        .await;
    assert!(html.contains("Afzender niet geverifieerd"), "{html}");
    // The genuine reply, with the token from our mail, from another address
    // of Els's: it joins.
    deliver(
        &maildir,
        "3.M3.mail",
        &format!(
            "From: els.janssens@werk.example\r\nSubject: Re: {}\r\nMessage-ID: <g1@example.org>\r\n\r\nDinsdag past.\r\n",
            mail.subject
        ),
    );
    let done = import_maildir(&app.store, &app.config.keys(), &maildir, from)
        .await
        .unwrap();
    assert_eq!(done.threaded, 1, "{done:?}");
    let msgs = loket_store::contact::messages(&app.store, &m.id, 10)
        .await
        .unwrap();
    assert!(msgs.iter().any(|x| x.body.contains("Dinsdag past")));
    // Automatic replies: at most one a day to an address, however many
    // mails it sends.
    let to_mallory = "SELECT COUNT(*) FROM outbox WHERE to_addr = 'mallory@example.net'";
    assert_eq!(app.count(to_mallory).await, 1);
    app.stop().await;
    let _ = std::fs::remove_dir_all(&maildir);
}

/// The home page's "Need help?": the configured number (as a `tel:` link)
/// and hours in both languages, whether the centre is open now, and links
/// to the knowledge base, the question form and booking. Its search finds
/// services and answers together, escapes what it is given, and records
/// at most `SEARCHES_RECORDED_PER_IP` searches a minute from one address
/// (the rest are answered but not written down).
#[tokio::test]
async fn the_home_page_helps_and_searches_services_and_answers() {
    let hours = "1-5 08:30-12:30, 13:30-17:00; 6 09:00-12:00";
    let app = TestApp::spawn_with(|c| {
        c.contact_phone = "016 27 20 00".into();
        c.contact_hours = hours.into();
    })
    .await;
    loket::demo::contact::seed(&app.store).await.unwrap();
    loket::demo::seed_services(&app.store).await.unwrap();
    let c = app.client();
    let (s, html) = app.get(&c, "/").await;
    assert_eq!(s, 200);
    for want in [
        "href=\"tel:+3216272000\"",
        ">016 27 20 00<",
        "maandag tot vrijdag: 08:30–12:30, 13:30–17:00",
        "zaterdag: 09:00–12:00",
        "href=\"/kb\"",
        "href=\"/contact/ask\"",
        "href=\"/appointments/book\"",
        "action=\"/search\"",
    ] {
        assert!(html.contains(want), "home lacks {want}");
    }
    // Open or closed as the clock in Brussels says.
    let now = jiff::Timestamp::now().to_zoned_datetime(loket_domain::calendar::brussels());
    let open = loket_domain::contact::OpeningHours::parse(hours)
        .unwrap()
        .is_open(now.weekday().to_monday_one_offset(), now.time());
    let tag = if open { "nu open" } else { "nu gesloten" };
    assert!(html.contains(tag), "home does not say {tag}");
    app.get(&c, "/lang/en?next=/").await;
    let (_, html) = app.get(&c, "/").await;
    assert!(
        html.contains("Monday to Friday: 08:30–12:30, 13:30–17:00"),
        "{html}"
    );
    app.get(&c, "/lang/nl?next=/").await;

    // Services and answers in one search.
    let before = app.count("SELECT COUNT(*) FROM contact_searches").await;
    let (s, html) = app.get(&c, "/search?q=parkeerkaart").await;
    assert_eq!(s, 200);
    assert!(html.contains("href=\"/services/parking-permit\""), "{html}");
    assert!(html.contains("href=\"/kb/bewonersparkeerkaart\""), "{html}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_searches").await,
        before + 1
    );
    let (_, html) = app.get(&c, "/search?q=xyzzyquux").await;
    assert!(html.contains("Geen dienst past bij deze woorden"));
    assert!(html.contains("Geen antwoord past bij deze woorden"));
    let (s, html) = app
        .get(&c, "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert_eq!(s, 200);
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&#60;script&#62;alert(1)"));
    // A flood from one address: answered, recorded only up to the limit.
    let per_ip = loket_domain::limits::SEARCHES_RECORDED_PER_IP.max;
    let before = app.count("SELECT COUNT(*) FROM contact_searches").await;
    for _ in 0..per_ip + 10 {
        let (s, _) = app.get(&c, "/search?q=paspoort").await;
        assert_eq!(s, 200);
    }
    let recorded = app.count("SELECT COUNT(*) FROM contact_searches").await - before;
    assert!(
        recorded <= per_ip && recorded >= per_ip - 3,
        "{recorded} of {} searches recorded",
        per_ip + 10
    );
    app.stop().await;
}

/// The report counts moments per UTC hour in SQL and sums the hours into
/// Brussels days (issue 19): a moment in the last millisecond of a day
/// and one in the first of the next fall on their own days, and a moment
/// just outside the period is not counted.
#[tokio::test]
async fn the_report_puts_moments_on_their_brussels_day_at_midnight() {
    let app = seeded().await;
    let agent = app
        .signed_in(AGENT, &["contact_centre", "all_departments"])
        .await;
    let today = loket_web::i18n::today_brussels();
    let yesterday = today.yesterday().unwrap();
    let midnight = loket_domain::calendar::day_span(today).unwrap().start_ms;
    let from = today.checked_sub(jiff::ToSpan::days(13)).unwrap();
    let first = loket_domain::calendar::day_span(from).unwrap().start_ms;
    for (channel, at) in [
        ("phone", midnight - 1),
        ("email", midnight),
        ("web", first),
        ("chat", first - 1),
    ] {
        let r = app
            .submit(
                &agent,
                "/staff/contact/new",
                "/staff/contact/new",
                &[
                    ("channel", channel),
                    ("contact_name", "Inwoner"),
                    ("subject", "Vraag"),
                    ("question", "Een vraag"),
                    ("answer", "Een antwoord"),
                    ("outcome", "answered"),
                    ("duration", "2"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 303);
        let id = r.headers()["location"]
            .to_str()
            .unwrap()
            .trim_start_matches("/staff/contact/")
            .to_owned();
        sqlx::query("UPDATE contact_moments SET created_at = $1 WHERE id = $2")
            .bind(at)
            .bind(&id)
            .execute(app.store.pool())
            .await
            .unwrap();
    }
    let (s, html) = app.get(&agent, "/staff/contact/report").await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("3 contacten in deze periode"), "{html}");
    let per_day = table(&html, "per-day");
    for (day, row) in [
        (
            yesterday,
            "<td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td><td>100%</td>",
        ),
        (
            today,
            "<td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td><td>100%</td>",
        ),
        (
            from,
            "<td>0</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td><td>100%</td>",
        ),
    ] {
        assert!(
            per_day.contains(&format!("<th scope=\"row\">{day}</th>{row}")),
            "{day}: {per_day}"
        );
    }
    app.stop().await;
}
