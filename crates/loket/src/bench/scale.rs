//! `loket bench scale`: a whole city's data, and every hot query through
//! HTTP (issue 19, item 3).
//!
//! It seeds a database (a throwaway SQLite file by default, or the
//! database of `--database-url`) with the demo's catalogue, counters,
//! knowledge-base departments and vaccination campaign, then bulk-loads
//! (multi-row inserts, one transaction per batch, `loket_store::history`)
//! residents, cases with their timelines, one document row and one audit
//! row each, appointments (past and booked in the next six weeks),
//! knowledge-base articles and contact moments, and reports the rows/s.
//! Then it starts the real server and measures, one request at a time,
//! the p50/p99 latency of every hot read, signed in as the role that
//! makes it (API tokens; a session cookie for pages), beside a baseline
//! from the same run: `GET /healthz` and a primary-key SELECT. Any answer
//! that is not 2xx is counted, and the command fails when there is one.

use super::{err, ms, pct};
use crate::config::Config;
use crate::{AppError, open_store, start_with_store};
use loket_store::Store;
use loket_store::history::{
    self as h, ArticleRow, AuditEntry, Case, Document, Event, Moment, Resident, Visit,
};
use serde_json::Value;
use std::time::{Duration, Instant};

pub struct ScaleOptions {
    pub cases: usize,
    pub appointments: usize,
    pub articles: usize,
    pub contacts: usize,
    /// Requests per measured query (at least 1; 200 or more for a p99).
    pub requests: usize,
}

/// What the bench seeded and measured (the integration test checks it
/// against the database).
pub struct ScaleReport {
    pub text: String,
    /// Rows per table before and after the bulk load (SQL COUNT; before:
    /// after the demo's catalogue, counters, articles and campaign).
    pub before: Vec<(&'static str, i64)>,
    pub after: Vec<(&'static str, i64)>,
    /// Rows the bench meant to add per table.
    pub seeded: Vec<(&'static str, i64)>,
    /// (query, requests sent, answers not 2xx).
    pub measured: Vec<(String, usize, usize)>,
}

impl ScaleReport {
    /// Answers that were not 2xx, over every measured query.
    pub fn failures(&self) -> usize {
        self.measured.iter().map(|(_, _, f)| f).sum()
    }
}

const DAY: i64 = 86_400_000;
/// Cases per write transaction while seeding.
const BATCH: usize = 5_000;
/// Residents per generated case (a city of 1M cases has 100,000 accounts).
const CASES_PER_RESIDENT: usize = 10;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn upto(&mut self, n: i64) -> i64 {
        i64::try_from(self.below(u64::try_from(n.max(1)).unwrap_or(1))).unwrap_or(0)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[usize::try_from(self.below(xs.len() as u64)).unwrap_or(0)]
    }
}

fn year_of(ms: i64) -> i16 {
    loket_domain::calendar::date_of_ms(ms)
        .map(|d| d.year())
        .unwrap_or(2026)
}

fn date_text(ms: i64) -> String {
    loket_domain::calendar::date_of_ms(ms)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// A working-hours instant `days` days from today's midnight (negative:
/// the past), moved off Saturday and Sunday.
fn working_instant(today_start: i64, days: i64, minute_of_day: i64) -> i64 {
    let mut t = today_start + days * DAY;
    for _ in 0..2 {
        let wd = loket_domain::calendar::date_of_ms(t + 12 * 3_600_000)
            .map(|d| d.weekday().to_monday_one_offset())
            .unwrap_or(1);
        if wd >= 6 {
            t += if days < 0 { -DAY } else { DAY };
        }
    }
    t + minute_of_day * 60_000
}

/// Words of the generated articles (besides the demo articles' own).
const VOCABULARY: &[&str] = &[
    "aanvraag",
    "afspraak",
    "attest",
    "belasting",
    "bewijs",
    "bouwvergunning",
    "container",
    "document",
    "formulier",
    "geboorteakte",
    "gezinssamenstelling",
    "handtekening",
    "hondenbelasting",
    "huwelijk",
    "inschrijving",
    "kostprijs",
    "leeftijd",
    "melding",
    "nationaliteit",
    "ondersteuning",
    "paspoort",
    "pasfoto",
    "premie",
    "registratie",
    "rijbewijs",
    "sluikstort",
    "subsidie",
    "termijn",
    "uittreksel",
    "vergunning",
    "verlenging",
    "voorwaarden",
    "wachttijd",
    "wijkagent",
    "ziekenhuis",
];

/// The 20 knowledge-base questions the bench asks.
const KB_QUERIES: [&str; 20] = [
    "verhuizen",
    "parkeerkaart bewoners",
    "identiteitskaart aanvragen",
    "afval ophalen",
    "premie dakisolatie",
    "rijbewijs verlengen",
    "paspoort kostprijs",
    "geboorteakte",
    "huwelijk aangeven",
    "bouwvergunning voorwaarden",
    "adreswijziging online",
    "openingsuren stadskantoor",
    "container aanvragen",
    "hondenbelasting",
    "subsidie renovatie",
    "verhuis buitenland",
    "parkeren",
    "uittreksel strafregister",
    "vaccinatie afspraak",
    "sluikstort melden",
];

/// Runs the benchmark.
pub async fn scale(mut c: Config, o: ScaleOptions) -> Result<ScaleReport, AppError> {
    let tmp = std::env::temp_dir().join(format!("loket-bench-{}", loket_store::new_id()));
    c.data_dir = tmp.clone();
    c.addr = "127.0.0.1:0".to_owned();
    c.outbox_poll_ms = 3_600_000;
    let requests = o.requests.max(1);
    let store = open_store(&c).await?;
    let backend = format!("{:?}", store.backend());

    // ---- the frame: the demo's catalogue, counters, KB, campaign ----
    crate::demo::seed_services(&store).await?;
    crate::demo::seed_appointments(&store).await?;
    crate::demo::contact::seed(&store).await?;
    crate::demo::vaccination::seed(&store).await?;
    let before = h::table_counts(&store).await?;

    let seed_started = Instant::now();
    let tag = loket_store::new_id()[24..].to_owned();
    let mut g = Generator::new(&store, &tag).await?;
    let mut lines = Vec::new();
    let mut seeded: Vec<(&'static str, i64)> = Vec::new();
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);

    // Residents.
    let residents = (o.cases / CASES_PER_RESIDENT).max(100);
    let t = Instant::now();
    for start in (0..residents).step_by(BATCH) {
        let rows: Vec<Resident> = (start..(start + BATCH).min(residents))
            .map(|i| g.resident(i))
            .collect();
        h::insert_residents(&store, &rows).await?;
    }
    lines.push(rate("residents", residents, 3 * residents, t.elapsed()));

    // Cases, with their events, one document row and one audit row each.
    let t = Instant::now();
    let (mut events, mut numbers) = (0usize, Vec::new());
    for start in (0..o.cases).step_by(BATCH) {
        let n = BATCH.min(o.cases - start);
        let cases: Vec<Case> = (0..n).map(|_| g.case()).collect();
        events += cases.iter().map(|c| c.events.len()).sum::<usize>();
        let nums = h::insert_cases(&store, &cases).await?;
        // A sample of numbers for the case pages (and the resident's).
        numbers.extend(nums.iter().step_by((o.cases / 1000).max(1)).cloned());
        let docs: Vec<Document> = cases.iter().map(|c| g.document(c)).collect();
        h::insert_documents(&store, &docs).await?;
        let audit: Vec<AuditEntry> = cases
            .iter()
            .zip(&nums)
            .map(|(c, num)| AuditEntry {
                at: c.submitted_at,
                actor_kind: "user".to_owned(),
                actor_id: Some(c.resident_id.clone()),
                action: "case.submit".to_owned(),
                record_type: "case".to_owned(),
                record_id: num.clone(),
                subject_user_id: Some(c.resident_id.clone()),
            })
            .collect();
        h::insert_audit(&store, &audit).await?;
    }
    lines.push(rate(
        "cases (+ events, documents, audit)",
        o.cases,
        3 * o.cases + events,
        t.elapsed(),
    ));

    // Appointments.
    let t = Instant::now();
    for start in (0..o.appointments).step_by(BATCH) {
        let n = BATCH.min(o.appointments - start);
        let rows: Vec<Visit> = (0..n).map(|_| g.visit()).collect();
        h::insert_visits(&store, &rows).await?;
    }
    lines.push(rate(
        "appointments (+ slots, tickets)",
        o.appointments,
        o.appointments,
        t.elapsed(),
    ));

    // Knowledge-base articles.
    let t = Instant::now();
    let per = 500;
    for start in (0..o.articles).step_by(per) {
        let rows: Vec<ArticleRow> = (start..(start + per).min(o.articles))
            .map(|i| g.article(i))
            .collect();
        h::insert_articles(&store, &rows).await?;
    }
    lines.push(rate(
        "articles (+ versions, terms)",
        o.articles,
        2 * o.articles,
        t.elapsed(),
    ));

    // Contact moments.
    let t = Instant::now();
    for start in (0..o.contacts).step_by(BATCH) {
        let n = BATCH.min(o.contacts - start);
        let rows: Vec<Moment> = (0..n).map(|_| g.moment()).collect();
        h::insert_moments(&store, &rows).await?;
    }
    lines.push(rate("contact moments", o.contacts, o.contacts, t.elapsed()));
    let seed_elapsed = seed_started.elapsed();
    // After the bulk load, what autovacuum would do in time: statistics
    // for the planner, and on PostgreSQL the visibility map that lets an
    // index-only scan skip the table (baseline::analyze).
    let t = Instant::now();
    loket_store::baseline::analyze(&store).await?;
    let analyze_elapsed = t.elapsed();
    seeded.extend([
        ("cases", count(o.cases)),
        ("case_events", count(events)),
        ("case_documents", count(o.cases)),
        ("appointments", count(o.appointments)),
        ("contact_articles", count(o.articles)),
        ("contact_moments", count(o.contacts)),
        ("audit_log", count(o.cases)),
        ("users", count(residents)),
    ]);
    let after = h::table_counts(&store).await?;

    // ---- who asks ----
    let handler = format!("handler-{tag}@bench.invalid");
    let admin = format!("admin-{tag}@bench.invalid");
    let agent = format!("agent-{tag}@bench.invalid");
    crate::cli::user_add(
        &c,
        &handler,
        "Bench Handler",
        &["case_handler".to_owned(), "all_departments".to_owned()],
        None,
    )
    .await?;
    crate::cli::user_add(&c, &admin, "Bench Admin", &["admin".to_owned()], None).await?;
    crate::cli::user_add(
        &c,
        &agent,
        "Bench Agent",
        &["contact_centre".to_owned(), "counter".to_owned()],
        None,
    )
    .await?;
    let handler_token = crate::cli::token_create(&c, &handler, "bench").await?;
    let admin_token = crate::cli::token_create(&c, &admin, "bench").await?;
    // A resident with cases: the owner of the first sampled case.
    let first = numbers
        .first()
        .cloned()
        .ok_or_else(|| err("--cases: give at least 1"))?;
    let resident_id = loket_store::cases::get_case(&store, &first)
        .await?
        .map(|c| c.resident_id)
        .ok_or_else(|| err("the first case is gone"))?;
    let resident = loket_store::people::get_user(&store, &resident_id)
        .await?
        .ok_or_else(|| err("the resident is gone"))?;
    let resident_token = crate::cli::token_create(&c, &resident.email, "bench").await?;
    let agent_user = loket_store::people::find_by_email(&store, &agent)
        .await?
        .ok_or_else(|| err("the agent is gone"))?;
    let (secret, _) = loket_store::people::create_session(
        &store,
        Some(&agent_user.id),
        Some("nl"),
        "127.0.0.1",
        "loket bench scale",
        DAY,
        &Default::default(),
    )
    .await?;
    // The cookie's name depends on `secure_cookies`: send both.
    let cookie = format!("loket_session={secret}; __Host-loket_session={secret}");

    let running = start_with_store(&c, store.clone(), false).await?;
    let base = format!("http://{}", running.addr);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(err)?;
    let bearer = |t: &str| Auth::Bearer(t.to_owned());

    // ---- the hot reads ----
    let today = loket_domain::calendar::today_brussels();
    let six_weeks = today.checked_add(jiff::Span::new().days(42)).map_err(err)?;
    let mut results: Vec<Measured> = Vec::new();
    let (queue_service, queue_status) = ("move", "submitted");
    let first_page = queue_request(&base, queue_service, queue_status, None);
    results.push(
        measure(
            &http,
            "work queue, first page (service + status)",
            Target::P99(50),
            &vec![(first_page.clone(), bearer(&handler_token)); requests],
        )
        .await,
    );
    match deep_page(&http, &first_page, &handler_token, 20).await? {
        Some(url) => results.push(
            measure(
                &http,
                "work queue, page 20 (service + status)",
                Target::P99(50),
                &vec![(url, bearer(&handler_token)); requests],
            )
            .await,
        ),
        None => lines.push(
            "work queue deep page: not measured (the answer has no `next` cursor yet)".to_owned(),
        ),
    }
    results.push(
        measure(
            &http,
            "resident's case list",
            Target::P99(50),
            &vec![(format!("{base}/api/v1/cases"), bearer(&resident_token)); requests],
        )
        .await,
    );
    let case_reqs: Vec<(String, Auth)> = (0..requests)
        .map(|i| {
            (
                format!("{base}/api/v1/cases/{}", numbers[i % numbers.len()]),
                bearer(&handler_token),
            )
        })
        .collect();
    results.push(
        measure(
            &http,
            "case page with its timeline",
            Target::P99(50),
            &case_reqs,
        )
        .await,
    );
    results.push(
        measure(
            &http,
            "free slots, six weeks, one location",
            Target::P99(10),
            &vec![
                (
                    format!(
                        "{base}/api/v1/appointment-slots?service=identity-card&location=city-office&from={today}&to={six_weeks}"
                    ),
                    Auth::None
                );
                requests
            ],
        )
        .await,
    );
    let kb: Vec<(String, Auth)> = (0..requests.max(KB_QUERIES.len()))
        .map(|i| {
            (
                format!(
                    "{base}/api/v1/kb/articles?q={}",
                    KB_QUERIES[i % KB_QUERIES.len()].replace(' ', "+")
                ),
                Auth::None,
            )
        })
        .collect();
    results.push(measure(&http, "knowledge base, 20 queries", Target::P99(20), &kb).await);
    let people: Vec<String> = g.residents.iter().step_by(97).cloned().collect();
    let audit: Vec<(String, Auth)> = (0..requests)
        .map(|i| {
            (
                format!("{base}/api/v1/audit?person={}", people[i % people.len()]),
                bearer(&admin_token),
            )
        })
        .collect();
    results.push(measure(&http, "audit log by person", Target::P99(50), &audit).await);
    let search: Vec<(String, Auth)> = (0..requests)
        .map(|i| {
            let last = super::super::demo::vaccination::LAST
                [i % super::super::demo::vaccination::LAST.len()];
            (
                format!("{base}/staff/residents?q={last}"),
                Auth::Cookie(cookie.clone()),
            )
        })
        .collect();
    results.push(measure(&http, "staff people search", Target::P99(50), &search).await);
    results.push(
        measure(
            &http,
            "vaccination slots",
            Target::P99(50),
            &vec![
                (
                    format!("{base}/api/v1/vaccination/campaigns/booster-najaar/slots"),
                    Auth::None
                );
                requests
            ],
        )
        .await,
    );
    results.push(
        measure(
            &http,
            "contact report (two weeks)",
            Target::P99(50),
            &vec![
                (
                    format!("{base}/staff/contact/report"),
                    Auth::Cookie(cookie.clone())
                );
                requests
            ],
        )
        .await,
    );

    // ---- baseline, same run ----
    let healthz = measure(
        &http,
        "baseline: GET /healthz",
        Target::None,
        &vec![(format!("{base}/healthz"), Auth::None); requests],
    )
    .await;
    let mut pk = Vec::with_capacity(requests);
    for i in 0..requests {
        let id = &g.residents[i % g.residents.len()];
        let t = Instant::now();
        loket_store::people::get_user(&store, id).await?;
        pk.push(t.elapsed());
    }
    pk.sort();
    running.shutdown().await;
    store.pool().close().await;
    let _ = std::fs::remove_dir_all(&tmp);

    // ---- the report ----
    let mut text = format!(
        "scale on {backend}: {} cases, {} appointments, {} articles, {} contact moments, {residents} residents\n\n\
         seeding (multi-row inserts, one transaction per batch of {BATCH}):\n",
        o.cases, o.appointments, o.articles, o.contacts
    );
    for l in &lines {
        text.push_str(&format!("  {l}\n"));
    }
    let total_rows: i64 = after
        .iter()
        .zip(&before)
        .map(|((_, a), (_, b))| a - b)
        .sum();
    text.push_str(&format!(
        "  total              {total_rows} rows in {:.1} s = {:.0} rows/s (counted tables); ANALYZE (PostgreSQL: VACUUM ANALYZE) {:.1} s\n\n",
        seed_elapsed.as_secs_f64(),
        total_rows as f64 / seed_elapsed.as_secs_f64().max(1e-9),
        analyze_elapsed.as_secs_f64(),
    ));
    text.push_str(&format!(
        "hot reads through HTTP, one at a time ({requests} requests each, p50 / p99, target on p99):\n"
    ));
    for m in &results {
        text.push_str(&format!("  {}\n", m.line()));
    }
    text.push_str(&format!(
        "\nbaseline, same run:\n  {}\n  primary-key SELECT (users)                  p50 {}  p99 {}\n",
        healthz.line(),
        ms(pct(&pk, 0.50)),
        ms(pct(&pk, 0.99)),
    ));
    let mut measured: Vec<(String, usize, usize)> = results
        .iter()
        .map(|m| (m.name.to_owned(), m.sent, m.failed.len()))
        .collect();
    measured.push((healthz.name.to_owned(), healthz.sent, healthz.failed.len()));
    let failures: usize = measured.iter().map(|(_, _, f)| f).sum();
    text.push_str(&format!("\nanswers not 2xx: {failures} (must be 0)\n"));
    for m in results.iter().filter(|m| !m.failed.is_empty()) {
        text.push_str(&format!("  {}: {}\n", m.name, m.failed.join("; ")));
    }
    Ok(ScaleReport {
        text,
        before,
        after,
        seeded,
        measured,
    })
}

fn rate(what: &str, n: usize, rows: usize, d: Duration) -> String {
    format!(
        "{what:<36} {n} in {:.1} s ({rows} rows, {:.0} rows/s)",
        d.as_secs_f64(),
        rows as f64 / d.as_secs_f64().max(1e-9)
    )
}

/// The work queue's URL (the one place to adapt when the queue's
/// `?cursor=` paging lands): a first page, or the page of a cursor.
fn queue_request(base: &str, service: &str, status: &str, cursor: Option<&str>) -> String {
    let mut url = format!("{base}/api/v1/cases?service={service}&status={status}");
    if let Some(c) = cursor {
        url.push_str("&cursor=");
        url.push_str(c);
    }
    url
}

/// The URL of the work queue's page `depth`, following `next` from the
/// first page; `None` while the answer is a bare list without `next`.
async fn deep_page(
    http: &reqwest::Client,
    first: &str,
    token: &str,
    depth: usize,
) -> Result<Option<String>, AppError> {
    let base = first.split("/api/").next().unwrap_or_default().to_owned();
    let mut url = first.to_owned();
    for _ in 1..depth {
        let answer: Value = http
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(err)?
            .json()
            .await
            .map_err(err)?;
        let Some(next) = answer.get("next").and_then(Value::as_str) else {
            return Ok(None);
        };
        url = if next.starts_with("http") {
            next.to_owned()
        } else if next.starts_with('/') {
            format!("{base}{next}")
        } else {
            let (service, status) = ("move", "submitted");
            queue_request(&base, service, status, Some(next))
        };
    }
    Ok(Some(url))
}

#[derive(Clone)]
enum Auth {
    None,
    Bearer(String),
    Cookie(String),
}

#[derive(Clone, Copy)]
enum Target {
    None,
    /// p99 under this many milliseconds.
    P99(u64),
}

struct Measured {
    name: &'static str,
    target: Target,
    sent: usize,
    lat: Vec<Duration>,
    /// "status URL" of each answer that was not 2xx.
    failed: Vec<String>,
}

impl Measured {
    fn line(&self) -> String {
        let p99 = pct(&self.lat, 0.99);
        let verdict = match self.target {
            Target::None => String::new(),
            Target::P99(limit) => format!(
                "  target p99 < {limit} ms: {}",
                if p99 < Duration::from_millis(limit) {
                    "met"
                } else {
                    "not met"
                }
            ),
        };
        format!(
            "{:<44} p50 {:>9}  p99 {:>9}{verdict}",
            self.name,
            ms(pct(&self.lat, 0.50)),
            ms(p99)
        )
    }
}

/// Sends the requests one after the other; the sorted latencies (the
/// whole answer read) and the answers that were not 2xx.
async fn measure(
    http: &reqwest::Client,
    name: &'static str,
    target: Target,
    reqs: &[(String, Auth)],
) -> Measured {
    let mut lat = Vec::with_capacity(reqs.len());
    let mut failed = Vec::new();
    for (url, auth) in reqs {
        let mut r = http.get(url);
        r = match auth {
            Auth::None => r,
            Auth::Bearer(t) => r.bearer_auth(t),
            Auth::Cookie(c) => r.header(reqwest::header::COOKIE, c),
        };
        let t = Instant::now();
        match r.send().await {
            Ok(a) => {
                let status = a.status();
                let _ = a.bytes().await;
                lat.push(t.elapsed());
                if !status.is_success() {
                    failed.push(format!("{} {url}", status.as_u16()));
                }
            }
            Err(e) => failed.push(format!("{e} {url}")),
        }
    }
    lat.sort();
    Measured {
        name,
        target,
        sent: reqs.len(),
        lat,
        failed,
    }
}

/// Generates the city's rows (deterministic: a fixed seed).
struct Generator {
    rng: Rng,
    today_start: i64,
    services: Vec<loket_store::cases::Service>,
    /// (location, desk, service) of every desk's service.
    counters: Vec<(String, String, String)>,
    departments: Vec<String>,
    residents: Vec<String>,
    ticket_no: u64,
    /// Makes this run's e-mail addresses and slugs its own.
    tag: String,
}

impl Generator {
    async fn new(store: &Store, tag: &str) -> Result<Self, AppError> {
        let today = loket_domain::calendar::today_brussels();
        let today_start = loket_domain::calendar::day_span(today)
            .map(|s| s.start_ms)
            .unwrap_or_else(loket_store::now_ms);
        let services = loket_store::cases::list_services(store, true).await?;
        let mut counters = Vec::new();
        for l in loket_store::appointments::list_locations(store).await? {
            for d in loket_store::appointments::list_desks(store, &l.id).await? {
                for s in &d.service_ids {
                    counters.push((l.id.clone(), d.id.clone(), s.clone()));
                }
            }
        }
        let departments = loket_store::contact::list_departments(store)
            .await?
            .into_iter()
            .map(|d| d.id)
            .collect();
        Ok(Self {
            rng: Rng(0x5343_414C_4532_3032), // "SCALE202"
            today_start,
            services,
            counters,
            departments,
            residents: Vec::new(),
            ticket_no: 0,
            tag: tag.to_owned(),
        })
    }

    fn resident_id(&mut self) -> String {
        self.rng.pick(&self.residents).clone()
    }

    fn resident(&mut self, i: usize) -> Resident {
        use crate::demo::vaccination::{FIRST, LAST, POSTCODES, STREETS};
        let (pc, city) = *self.rng.pick(&POSTCODES);
        let id = loket_store::new_id();
        self.residents.push(id.clone());
        Resident {
            id,
            name: format!("{} {}", self.rng.pick(&FIRST), self.rng.pick(&LAST)),
            email: format!("bewoner{i:07}-{}@scale.invalid", self.tag),
            street: (*self.rng.pick(&STREETS)).to_owned(),
            house_number: (1 + self.rng.below(180)).to_string(),
            postal_code: pc.to_owned(),
            city: city.to_owned(),
            created_at: self.today_start - (800 + self.rng.upto(2000)) * DAY,
        }
    }

    /// A case of the past two years: one in ten still open (the backlog),
    /// the others decided along the service's usual path.
    fn case(&mut self) -> Case {
        let s = self.rng.pick(&self.services).clone();
        let resident_id = self.resident_id();
        let ago = 1 + self.rng.upto(729);
        let at = working_instant(self.today_start, -ago, 8 * 60 + self.rng.upto(600));
        let channel = match self.rng.below(100) {
            0..=71 => "web",
            72..=85 => "counter",
            86..=94 => "phone",
            _ => "post",
        };
        let target = s.def.target_days.max(1);
        let due = date_text(at + (target + target / 2) * DAY);
        let mut events = vec![Event {
            at,
            kind: "submitted".to_owned(),
            from_status: None,
            to_status: Some(s.def.initial.clone()),
            transition: None,
            body: String::new(),
        }];
        let open = self.rng.below(10) == 0;
        let mut status = s.def.initial.clone();
        let mut closed_at = None;
        // Open: at most one step (never to a final state); decided: walk
        // until a final state.
        let max_steps = if open { self.rng.upto(2) } else { 6 };
        let mut step_at = at;
        for _ in 0..max_steps {
            let ts = s.def.transitions_from(&status);
            let ts: Vec<_> = ts
                .into_iter()
                .filter(|t| !open || !s.def.state(&t.to).is_some_and(|st| st.is_final))
                .collect();
            if ts.is_empty() {
                break;
            }
            let t = (*self.rng.pick(&ts)).clone();
            step_at += (1 + self.rng.upto(target)) * DAY / 2;
            events.push(Event {
                at: step_at.min(loket_store::now_ms()),
                kind: "transition".to_owned(),
                from_status: Some(status.clone()),
                to_status: Some(t.to.clone()),
                transition: Some(t.key.clone()),
                body: String::new(),
            });
            status = t.to.clone();
            if s.def.state(&status).is_some_and(|st| st.is_final) {
                closed_at = Some(step_at.min(loket_store::now_ms()));
                break;
            }
        }
        Case {
            id: loket_store::new_id(),
            year: year_of(at),
            service_id: s.id.clone(),
            service_version: s.version,
            resident_id,
            channel: channel.to_owned(),
            status,
            data: "{}".to_owned(),
            department: s.def.department.clone(),
            submitted_at: at,
            due_date: due,
            closed_at,
            events,
        }
    }

    /// The receipt of a case: a row pointing to one shared stored file.
    fn document(&mut self, c: &Case) -> Document {
        Document {
            case_id: c.id.clone(),
            kind: "receipt".to_owned(),
            lang: "nl".to_owned(),
            filename: "ontvangstbewijs.pdf".to_owned(),
            size: 1024,
            sha256: "0".repeat(64),
            path: "documents/bench-scale-shared.pdf".to_owned(),
            created_at: c.submitted_at,
        }
    }

    /// An appointment: four in five in the past year (kept, missed or
    /// cancelled), one in five booked in the next six weeks.
    fn visit(&mut self) -> Visit {
        let (location_id, desk_id, service_id) = self.rng.pick(&self.counters).clone();
        let resident_id = self.resident_id();
        let future = self.rng.below(5) == 0;
        let days = if future {
            1 + self.rng.upto(41)
        } else {
            -1 - self.rng.upto(364)
        };
        // Quarter hours from 09:00 to 12:15.
        let start = working_instant(self.today_start, days, 9 * 60 + 15 * self.rng.upto(14));
        let status = if future {
            "booked"
        } else {
            match self.rng.below(100) {
                0..=84 => "served",
                85..=92 => "no_show",
                _ => "cancelled",
            }
        };
        let ticket = (status == "served").then(|| {
            self.ticket_no += 1;
            let checked_in = start - self.rng.upto(10) * 60_000;
            let called = start.max(checked_in) + (1 + self.rng.upto(14)) * 60_000;
            let finished = called + (5 + self.rng.upto(15)) * 60_000;
            (
                date_text(start),
                format!("S{}-{:07}", self.tag, self.ticket_no),
                checked_in,
                called,
                finished,
                desk_id.clone(),
            )
        });
        Visit {
            appointment_id: loket_store::new_id(),
            code: loket_store::appointments::new_code(),
            service_id,
            location_id,
            resident_id,
            starts_at: start,
            ends_at: start + 15 * 60_000,
            status: status.to_owned(),
            channel: if self.rng.below(100) < 80 {
                "web"
            } else {
                "phone"
            }
            .to_owned(),
            ticket,
        }
    }

    /// Article `i`: a demo article's text with generated words, so the
    /// index holds a real vocabulary.
    fn article(&mut self, i: usize) -> ArticleRow {
        use crate::demo::contact::ARTICLES;
        let (_, _, tags, title_nl, title_en, body_nl, body_en, _, _) = *self.rng.pick(ARTICLES);
        let mut extra = Vec::new();
        for _ in 0..20 {
            extra.push(format!(
                "{}{}",
                self.rng.pick(VOCABULARY),
                if self.rng.below(3) == 0 {
                    (self.rng.below(500)).to_string()
                } else {
                    String::new()
                }
            ));
        }
        let extra = extra.join(" ");
        let department_id = if self.departments.is_empty() {
            None
        } else {
            Some(self.rng.pick(&self.departments).clone())
        };
        ArticleRow {
            id: loket_store::new_id(),
            slug: format!("scale-{}-{i:06}", self.tag),
            department_id,
            title_nl: format!("{title_nl} ({i})"),
            title_en: format!("{title_en} ({i})"),
            body_nl: format!("{body_nl} {extra}"),
            body_en: format!("{body_en} {extra}"),
            tags: tags.split(',').map(|t| t.trim().to_owned()).collect(),
            at: self.today_start - self.rng.upto(700) * DAY,
        }
    }

    /// A closed contact-centre moment of the past year.
    fn moment(&mut self) -> Moment {
        let resident_id = self.resident_id();
        let ago = 1 + self.rng.upto(364);
        let at = working_instant(self.today_start, -ago, 8 * 60 + 30 + self.rng.upto(500));
        let subject = *self.rng.pick(&[
            "Afvalkalender",
            "Openingsuren stadskantoor",
            "Bewonersparkeerkaart",
            "Premie dakisolatie",
            "Adreswijziging",
        ]);
        Moment {
            id: loket_store::new_id(),
            year: year_of(at),
            channel: if self.rng.below(100) < 70 {
                "phone"
            } else {
                "email"
            }
            .to_owned(),
            resident_id,
            name: "Bewoner".to_owned(),
            email: "bewoner@scale.invalid".to_owned(),
            subject: subject.to_owned(),
            question: subject.to_owned(),
            answer: "Uitgelegd.".to_owned(),
            outcome: "answered".to_owned(),
            minutes: 2 + self.rng.upto(9),
            at,
        }
    }
}
