//! `loket bench vaccination-rush`: a campaign opening. The real server, a
//! campaign with 8 lines × 2 places per 5-minute slot for one day (2,304
//! places), and N visitors (20,000 by default), each with an invitation,
//! arriving before the opening. Each takes a waiting-room ticket, waits
//! until the time the server gives it, then books through the public API
//! (slots, then a booking; a full slot is tried again with another). It
//! prints admitted/s, bookings/s, the p50/p99 latency of the booking
//! requests of admitted visitors, overbookings (must be 0) and the
//! waiting room's fairness: Spearman's rank correlation between arrival
//! order and admission order. The baseline, measured in the same run with
//! the same concurrency, is a trivial HTTP round trip (`/healthz`).

use crate::config::Config;
use crate::{AppError, open_store, start_with_store};
use loket_domain::audit::Actor;
use loket_domain::vaccination::{self as rules, CampaignPlan, CentreDay, Invitee};
use loket_store::appointments as appt;
use loket_store::vaccination::{self as store, NewCampaign};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, Semaphore};

pub struct VacRushOptions {
    pub visitors: usize,
    /// Requests in flight at once (the visitors' browsers, bounded).
    pub concurrency: usize,
    pub admit_per_minute: i64,
    /// Ticket requests a bot sends from one address during the rush.
    pub bot: usize,
}

fn err(e: impl std::fmt::Display) -> AppError {
    AppError::Other(e.to_string())
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[derive(Default)]
struct Outcome {
    /// (arrival rank, admission instant in µs since the start)
    admissions: Vec<(usize, u128)>,
    latencies: Vec<Duration>,
    booked: usize,
    refused_full: usize,
    /// Per real visitor: admission time minus arrival time, ms.
    delays: Vec<i64>,
}

/// Runs the rush; the report and the real visitors' median admission
/// delay in milliseconds.
pub async fn vaccination_rush(mut c: Config, o: VacRushOptions) -> Result<(String, i64), AppError> {
    let tmp = std::env::temp_dir().join(format!("loket-bench-{}", loket_store::new_id()));
    c.data_dir = tmp.clone();
    c.addr = "127.0.0.1:0".to_owned();
    c.outbox_poll_ms = 3_600_000; // mails are counted, not sent
    // Every visitor comes from an address of their own (a header through
    // the local "proxy"): new tickets are limited per address.
    c.trusted_proxies = vec!["127.0.0.1".to_owned()];
    c.db_max_connections = c.db_max_connections.max(16);
    let st = open_store(&c).await?;
    let backend = format!("{:?}", st.backend());
    let tag = &loket_store::new_id()[24..];

    // ---- the campaign: tomorrow 08:00-20:00, 8 lines x 2 per 5 minutes ----
    let tomorrow = jiff::Timestamp::now()
        .to_zoned_datetime(loket_domain::appointments::brussels())
        .date()
        .tomorrow()
        .map_err(err)?;
    let mut tx = st.begin().await?;
    let loc = appt::save_location(
        &mut tx,
        &Actor::Cli,
        &format!("vac-{tag}"),
        "Bench centre",
        "",
    )
    .await?;
    let plan = CampaignPlan {
        lines: 8,
        per_line: 2,
        slot_minutes: 5,
        observation_minutes: 15,
        admit_per_minute: o.admit_per_minute.max(1),
    };
    let opens_at = loket_store::now_ms() + 3_000 + (o.visitors as i64) / 10;
    let slug = format!("rush-{tag}");
    let campaign = store::create_campaign(
        &mut tx,
        &Actor::Cli,
        NewCampaign {
            slug: &slug,
            name: "Bench rush",
            vaccine: "Bench",
            location_id: &loc,
            plan: &plan,
            groups: &["all".to_owned()],
            days: &[CentreDay {
                day: tomorrow,
                opens: jiff::civil::time(8, 0, 0, 0),
                closes: jiff::civil::time(20, 0, 0, 0),
            }],
            opens_at,
        },
    )
    .await?;
    // Invitations: generated national numbers and birth dates.
    let mut rows = Vec::with_capacity(o.visitors);
    for i in 0..o.visitors {
        let year = 1930 + (i % 80) as i16;
        let month = 1 + (i / 80 % 12) as i8;
        let day = 1 + (i / 960 % 28) as i8;
        rows.push(Invitee {
            line: i + 2,
            national_number: crate::demo::vaccination::national_number(
                year,
                month,
                day,
                (i / 26_880) as u32 * 2 + 1,
            ),
            name: format!("Visitor {i}"),
            birth_date: format!("{year:04}-{month:02}-{day:02}"),
            street: "Benchstraat 1".to_owned(),
            postal_code: "3000".to_owned(),
            city: "Leuven".to_owned(),
            email: None,
            phone: None,
            group_rank: 0,
        });
    }
    let no_mail = |_: &store::Invitation| None;
    store::import_invitations(&mut tx, &Actor::Cli, &campaign, &rows, &no_mail).await?;
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    let mut visitors: Vec<(String, String)> = Vec::with_capacity(o.visitors);
    visitors.extend(store::invitation_codes(&st, &campaign.id).await?);
    let places = store::slots(&st, &campaign).await?.len() as i64 * campaign.capacity();

    let running = start_with_store(&c, st.clone(), false).await?;
    let base = format!("http://{}", running.addr);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(o.concurrency)
        .build()
        .map_err(err)?;
    let gate = Arc::new(Semaphore::new(o.concurrency.max(1)));
    let out = Arc::new(Mutex::new(Outcome::default()));
    let arrivals = Arc::new(std::sync::atomic::AtomicUsize::new(0));

    // ---- the rush ----
    let started = Instant::now();
    // The bot: many ticket requests from one address, alongside.
    let bot = {
        let (http, base, slug, n) = (http.clone(), base.clone(), slug.clone(), o.bot);
        tokio::spawn(async move {
            let gate = Arc::new(Semaphore::new(32));
            let (got, refused) = (
                Arc::new(std::sync::atomic::AtomicUsize::new(0)),
                Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            );
            let t = Instant::now();
            let mut reqs = Vec::with_capacity(n);
            for _ in 0..n {
                let (http, gate, got, refused) =
                    (http.clone(), gate.clone(), got.clone(), refused.clone());
                let url = format!("{base}/api/v1/vaccination/campaigns/{slug}/waiting-room");
                reqs.push(tokio::spawn(async move {
                    let _p = gate.acquire().await.map_err(err)?;
                    let r = http
                        .post(url)
                        .header("x-forwarded-for", "192.0.2.66")
                        .send()
                        .await
                        .map_err(err)?;
                    match r.status().as_u16() {
                        201 => got.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
                        _ => refused.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
                    };
                    Ok::<_, AppError>(())
                }));
            }
            for r in reqs {
                r.await.map_err(err)??;
            }
            Ok::<_, AppError>((
                got.load(std::sync::atomic::Ordering::SeqCst),
                refused.load(std::sync::atomic::Ordering::SeqCst),
                t.elapsed(),
            ))
        })
    };
    let mut tasks = Vec::with_capacity(visitors.len());
    for (i, (code, birth)) in visitors.into_iter().enumerate() {
        let address = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        let (http, base, gate, out, arrivals, slug) = (
            http.clone(),
            base.clone(),
            gate.clone(),
            out.clone(),
            arrivals.clone(),
            slug.clone(),
        );
        tasks.push(tokio::spawn(async move {
            // Arrive: a ticket.
            let t: Value = {
                let _p = gate.acquire().await.map_err(err)?;
                http.post(format!("{base}/api/v1/vaccination/campaigns/{slug}/waiting-room"))
                    .header("x-forwarded-for", address)
                    .send()
                    .await
                    .map_err(err)?
                    .json()
                    .await
                    .map_err(err)?
            };
            arrivals.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            // Arrival order: the number the waiting room gave.
            let arrival = t["number"].as_i64().unwrap_or(0).max(0) as usize;
            let ticket = t["ticket"].as_str().unwrap_or_default().to_owned();
            let admitted_at = t["admitted_at"].as_i64().unwrap_or(0);
            let arrived = loket_store::now_ms();
            out.lock()
                .await
                .delays
                .push((admitted_at - arrived).max(0));
            // Wait as the queue page says.
            let wait = admitted_at - loket_store::now_ms();
            if wait > 0 {
                tokio::time::sleep(Duration::from_millis(wait as u64)).await;
            }
            let mut admitted_logged = false;
            let mut lat = Vec::new();
            let mut booked = false;
            let mut full = 0;
            let mut skip = arrival;
            for _try in 0..20 {
                let _p = gate.acquire().await.map_err(err)?;
                // Admitted: the visitor's first booking page starts now.
                if !admitted_logged {
                    admitted_logged = true;
                    out.lock()
                        .await
                        .admissions
                        .push((arrival, started.elapsed().as_micros()));
                }
                let t0 = Instant::now();
                let slots: Value = http
                    .get(format!("{base}/api/v1/vaccination/campaigns/{slug}/slots"))
                    .send()
                    .await
                    .map_err(err)?
                    .json()
                    .await
                    .map_err(err)?;
                lat.push(t0.elapsed());
                let free: Vec<i64> = slots
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter(|s| s["free"].as_i64().unwrap_or(0) > 0)
                            .filter_map(|s| s["start"].as_i64())
                            .collect()
                    })
                    .unwrap_or_default();
                if free.is_empty() {
                    break;
                }
                skip = skip.wrapping_mul(31).wrapping_add(7);
                let start = free[skip % free.len()];
                let t1 = Instant::now();
                let r = http
                    .post(format!("{base}/api/v1/vaccination/bookings"))
                    .json(&json!({"code": code, "birth_date": birth, "start": start, "ticket": ticket}))
                    .send()
                    .await
                    .map_err(err)?;
                let status = r.status().as_u16();
                if status == 429 {
                    drop(_p);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
                lat.push(t1.elapsed());
                if status == 201 {
                    booked = true;
                    break;
                }
                full += 1;
            }
            let mut g = out.lock().await;
            g.latencies.extend(lat);
            g.booked += usize::from(booked);
            g.refused_full += full;
            Ok::<_, AppError>(())
        }));
    }
    for t in tasks {
        t.await.map_err(err)??;
    }
    let elapsed = started.elapsed();
    let (bot_got, bot_refused, bot_took) = bot.await.map_err(err)??;
    let out = Arc::try_unwrap(out)
        .map_err(|_| err("bench tasks still hold the results"))?
        .into_inner();
    let overbooked = store::overbooked(&st, &campaign).await?;
    let bookings = store::booking_count(&st, &campaign.id).await?;

    // ---- baseline: a trivial HTTP round trip, same concurrency ----
    let n = 5_000.min(o.visitors.max(1));
    let b_started = Instant::now();
    let mut pings = Vec::new();
    let base_lat = Arc::new(std::sync::Mutex::new(Vec::new()));
    for _ in 0..n {
        let (http, gate, base_lat) = (http.clone(), gate.clone(), base_lat.clone());
        let url = format!("{base}/healthz");
        pings.push(tokio::spawn(async move {
            let _p = gate.acquire().await.map_err(err)?;
            let t = Instant::now();
            let r = http.get(url).send().await.map_err(err)?;
            let _ = r.bytes().await;
            if let Ok(mut v) = base_lat.lock() {
                v.push(t.elapsed());
            }
            Ok::<_, AppError>(())
        }));
    }
    for p in pings {
        p.await.map_err(err)??;
    }
    let b_elapsed = b_started.elapsed();
    let mut bl = base_lat.lock().map(|v| v.clone()).unwrap_or_default();
    bl.sort();
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(&tmp);

    let mut lat = out.latencies.clone();
    lat.sort();
    let mut delays = out.delays.clone();
    delays.sort_unstable();
    let median_delay = delays.get(delays.len() / 2).copied().unwrap_or(0);
    let mut adm = out.admissions.clone();
    adm.sort_by_key(|a| a.1);
    let first = adm.first().map(|a| a.1).unwrap_or(0);
    let last = adm.last().map(|a| a.1).unwrap_or(0);
    let window = Duration::from_micros((last - first) as u64);
    let arrival_rank: Vec<f64> = adm.iter().map(|a| a.0 as f64).collect();
    let admission_rank: Vec<f64> = (0..adm.len()).map(|i| i as f64).collect();
    let rho = rules::rank_correlation(&arrival_rank, &admission_rank);
    let per_s = |count: f64, d: Duration| count / d.as_secs_f64().max(1e-9);
    let admitted_s = per_s(adm.len() as f64, window);
    let bookings_s = per_s(out.booked as f64, elapsed);
    let http_s = per_s(n as f64, b_elapsed);
    let booking_req_s = per_s(lat.len() as f64, elapsed);
    let report = format!(
        "vaccination-rush on {backend}: {visitors} visitors, {places} places, admitted {rate}/min \
         after the opening, {conc} requests in flight, bot: {bot} ticket requests from one address\n\
         \n\
         admission delay    median {median_delay} ms from a real visitor's ticket to its admission\n\
         bot                {bot_got} tickets, {bot_refused} refused (429), in {bot_s:.2} s\n\
         admitted           {admitted} in {win:.2} s = {admitted_s:.0} admitted/s (configured {cfg:.0}/s)\n\
         bookings           {booked} (database: {bookings}) in {el:.2} s = {bookings_s:.0} bookings/s; \
         {full} tries found the slot full\n\
         booking pages      {reqs} requests of admitted visitors: p50 {p50}  p99 {p99}\n\
         overbookings       {overbooked} (must be 0)\n\
         fairness           Spearman rank correlation arrival vs admission = {rho:.4} (1 = first come, first served)\n\
         \n\
         baseline, same run, same concurrency:\n\
         trivial HTTP       {n} GET /healthz in {bel:.2} s = {http_s:.0} req/s, p50 {bp50}  p99 {bp99}\n\
         ratio              booking-page requests/s vs trivial HTTP = {ratio:.2}\n",
        visitors = o.visitors,
        rate = plan.admit_per_minute,
        conc = o.concurrency,
        admitted = adm.len(),
        win = window.as_secs_f64(),
        cfg = plan.admit_per_minute as f64 / 60.0,
        booked = out.booked,
        el = elapsed.as_secs_f64(),
        full = out.refused_full,
        reqs = lat.len(),
        p50 = ms(pct(&lat, 0.50)),
        p99 = ms(pct(&lat, 0.99)),
        bel = b_elapsed.as_secs_f64(),
        bp50 = ms(pct(&bl, 0.50)),
        bp99 = ms(pct(&bl, 0.99)),
        ratio = booking_req_s / http_s.max(1e-9),
        bot = o.bot,
        bot_s = bot_took.as_secs_f64(),
    );
    Ok((report, median_delay))
}
