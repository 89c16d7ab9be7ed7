//! `loket bench displays`: many waiting-room displays on a few locations
//! (issue 19, item 5). The real server, N concurrent Server-Sent Events
//! clients spread over the locations, and a queue that changes every
//! second at each location (a walk-in ticket, a desk calling it, the visit
//! ending). It measures how often the server asks the database for the
//! displays' state: every location's feed polls on its own schedule and is
//! shared by all its displays, so the figure must not grow with the number
//! of displays. Baseline in the same run: one display per location.

use super::{err, ms, pct};
use crate::config::Config;
use crate::{AppError, open_store, start_with_store};
use loket_domain::appointments::parse_day_hours;
use loket_domain::audit::Actor;
use loket_store::appointments as appt;
use loket_store::queue::Outcome;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub struct DisplayOptions {
    /// Connected display clients, spread over the locations.
    pub clients: usize,
    pub locations: usize,
    /// How long the measurement runs.
    pub seconds: u64,
}

/// One measured phase.
struct Phase {
    clients: usize,
    polls_per_location_s: f64,
    db_tx_per_s: Option<f64>,
    changes: u64,
    frames: u64,
    up_to_date: usize,
    delay_p50: Duration,
    delay_p99: Duration,
}

pub async fn displays(mut c: Config, o: DisplayOptions) -> Result<String, AppError> {
    let tmp = std::env::temp_dir().join(format!("loket-bench-{}", loket_store::new_id()));
    c.data_dir = tmp.clone();
    c.addr = "127.0.0.1:0".to_owned();
    c.outbox_poll_ms = 3_600_000;
    c.live_streams_per_ip = o.clients + 10;
    let store = open_store(&c).await?;
    let backend = format!("{:?}", store.backend());
    let tag = &loket_store::new_id()[24..];
    let locations = o.locations.max(1);
    let mut tx = store.begin().await?;
    let sid = appt::save_service(
        &mut tx,
        &Actor::Cli,
        &format!("disp-{tag}"),
        "Bench",
        "Bench",
        15,
    )
    .await?;
    let mut locs = Vec::new();
    for i in 0..locations {
        let slug = format!("disp-{tag}-{i}");
        let lid =
            appt::save_location(&mut tx, &Actor::Cli, &slug, &format!("Bench {i}"), "").await?;
        let mut periods = Vec::new();
        for wd in 1..=7 {
            periods.extend(parse_day_hours(wd, "00:00-23:59").map_err(|e| err(e.code))?);
        }
        appt::set_hours(&mut tx, &Actor::Cli, &lid, &periods).await?;
        let desk = appt::save_desk(
            &mut tx,
            &Actor::Cli,
            &lid,
            "Desk 1",
            std::slice::from_ref(&sid),
        )
        .await?;
        locs.push((slug, lid, desk));
    }
    tx.commit().await.map_err(loket_store::StoreError::from)?;
    let running = start_with_store(&c, store.clone(), false).await?;
    let base = format!("http://{}", running.addr);
    let app = running.app.clone();

    let mut phases = Vec::new();
    for clients in [locations, o.clients.max(locations)] {
        phases.push(
            phase(
                &running, &app, &store, &base, &locs, &sid, clients, o.seconds,
            )
            .await?,
        );
    }
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(&tmp);

    let mut out = format!(
        "displays on {backend}: {locations} locations, a change per location every second, {} s per phase\n\n",
        o.seconds
    );
    out.push_str("clients  polls/s/location  db tx/s (all)  changes  frames  up to date  delay p50  delay p99\n");
    for p in &phases {
        out.push_str(&format!(
            "{:>7}  {:>16.2}  {:>13}  {:>7}  {:>6}  {:>10}  {:>9}  {:>9}\n",
            p.clients,
            p.polls_per_location_s,
            p.db_tx_per_s
                .map(|v| format!("{v:.1}"))
                .unwrap_or_else(|| "n/a".to_owned()),
            p.changes,
            p.frames,
            format!("{}/{}", p.up_to_date, p.clients),
            ms(p.delay_p50),
            ms(p.delay_p99),
        ));
    }
    let last = phases.last().map(|p| p.polls_per_location_s).unwrap_or(0.0);
    let first = phases
        .first()
        .map(|p| p.polls_per_location_s)
        .unwrap_or(0.0);
    let all_seen = phases.iter().all(|p| p.up_to_date == p.clients);
    let met = |ok: bool| if ok { "met" } else { "NOT MET" };
    out.push_str(&format!(
        "\nratio              polls/s/location with {} clients vs {} = {:.2}\n\
         (each poll is one query: the location's zone row, joined with its calls only when its version moved)\n\
         targets (issue 19):\n\
         database queries <= 2/s per location   {last:.2}  {}\n\
         every display has the last state       {}\n",
        o.clients.max(locations),
        locations,
        last / first.max(1e-9),
        met(last <= 2.0),
        met(all_seen),
    ));
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn phase(
    running: &crate::Running,
    app: &loket_app::App,
    store: &loket_store::Store,
    base: &str,
    locs: &[(String, String, String)],
    sid: &str,
    clients: usize,
    seconds: u64,
) -> Result<Phase, AppError> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .map_err(err)?;
    let frames = Arc::new(AtomicU64::new(0));
    // Per client: the last version seen, and when each version arrived.
    let seen: Arc<Vec<AtomicU64>> = Arc::new((0..clients).map(|_| AtomicU64::new(0)).collect());
    let arrivals = Arc::new(std::sync::Mutex::new(Vec::<(usize, u64, Instant)>::new()));
    let connected = Arc::new(AtomicU64::new(0));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for i in 0..clients {
        let loc = i % locs.len();
        let url = format!("{base}/queue/{}/events", locs[loc].0);
        let (http, frames, seen, arrivals, connected) = (
            http.clone(),
            frames.clone(),
            seen.clone(),
            arrivals.clone(),
            connected.clone(),
        );
        let mut stop = stop_rx.clone();
        tasks.push(tokio::spawn(async move {
            let r = http.get(url).send().await.map_err(err)?;
            if !r.status().is_success() {
                return Err(err(format!("display stream answered {}", r.status())));
            }
            connected.fetch_add(1, Ordering::SeqCst);
            let mut r = r;
            let mut buf = String::new();
            loop {
                tokio::select! {
                    _ = stop.wait_for(|v| *v) => return Ok::<_, AppError>(()),
                    chunk = r.chunk() => {
                        let Some(chunk) = chunk.map_err(err)? else { return Ok(()) };
                        buf.push_str(&String::from_utf8_lossy(&chunk));
                        while let Some(end) = buf.find("\n\n") {
                            let event: String = buf.drain(..end + 2).collect();
                            if let Some(v) = event
                                .lines()
                                .find_map(|l| l.strip_prefix("id:"))
                                .and_then(|v| v.trim().parse::<u64>().ok())
                            {
                                frames.fetch_add(1, Ordering::Relaxed);
                                seen[i].store(v, Ordering::SeqCst);
                                if let Ok(mut a) = arrivals.lock() {
                                    a.push((loc, v, Instant::now()));
                                }
                            }
                        }
                    }
                }
            }
        }));
    }
    // Wait until every display is connected.
    let wait = Instant::now();
    while connected.load(Ordering::SeqCst) < clients as u64 {
        if wait.elapsed() > Duration::from_secs(60) {
            return Err(err("displays did not connect within 60 s"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    frames.store(0, Ordering::SeqCst);
    if let Ok(mut a) = arrivals.lock() {
        a.clear();
    }
    let polls_before = running.live.polls();
    let tx_before = db_transactions(store).await;
    let started = Instant::now();
    let clerk = Actor::Cli;
    let mut changes = 0u64;
    // When each location reached each version (to measure the delay).
    let mut made: Vec<(usize, u64, Instant)> = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    for _ in 0..seconds {
        tick.tick().await;
        for (li, (slug, _lid, desk_id)) in locs.iter().enumerate() {
            let location = appt::location(store, slug)
                .await?
                .ok_or_else(|| err("bench location vanished"))?;
            let desk = loket_app::queue::desk(app, desk_id)
                .await
                .map_err(|e| err(format!("{e:?}")))?;
            if loket_store::queue::current_of_desk(store, desk_id)
                .await?
                .is_some()
            {
                loket_app::queue::finish(app, &clerk, &desk, Outcome::Served)
                    .await
                    .map_err(|e| err(format!("{e:?}")))?;
            }
            match loket_app::queue::walk_in(app, &clerk, &location, sid).await {
                Ok(_) => {}
                Err(loket_app::queue::WalkInError::Full(_)) => {
                    return Err(err("the bench's counter zone is full"));
                }
                Err(loket_app::queue::WalkInError::Other(e)) => return Err(err(format!("{e:?}"))),
            }
            loket_app::queue::call_next(app, &clerk, &desk)
                .await
                .map_err(|e| err(format!("{e:?}")))?;
            let v = loket_store::queue::version(store, &location.id).await?;
            made.push((li, u64::try_from(v).unwrap_or(0), Instant::now()));
            changes += 1;
        }
    }
    // Let the last change reach the displays (two poll periods).
    tokio::time::sleep(loket_web::live::POLL * 3).await;
    let elapsed = started.elapsed().as_secs_f64();
    let polls = running.live.polls() - polls_before;
    let tx_after = db_transactions(store).await;
    let _ = stop_tx.send(true);
    for t in tasks {
        t.await.map_err(err)??;
    }
    let mut up_to_date = 0;
    for i in 0..clients {
        let loc = i % locs.len();
        let last = made
            .iter()
            .filter(|(l, _, _)| *l == loc)
            .map(|(_, v, _)| *v)
            .max()
            .unwrap_or(0);
        if seen[i].load(Ordering::SeqCst) >= last {
            up_to_date += 1;
        }
    }
    // Delay: from the change's commit to a display's frame of that version.
    let mut delays = Vec::new();
    if let Ok(a) = arrivals.lock() {
        for (loc, v, at) in a.iter() {
            if let Some((_, _, t)) = made.iter().find(|(l, mv, _)| l == loc && mv == v) {
                delays.push(at.saturating_duration_since(*t));
            }
        }
    }
    delays.sort();
    Ok(Phase {
        clients,
        polls_per_location_s: polls as f64 / elapsed / locs.len() as f64,
        db_tx_per_s: match (tx_before, tx_after) {
            (Some(b), Some(a)) => Some((a - b) as f64 / elapsed),
            _ => None,
        },
        changes,
        frames: frames.load(Ordering::SeqCst),
        up_to_date,
        delay_p50: pct(&delays, 0.5),
        delay_p99: pct(&delays, 0.99),
    })
}

/// PostgreSQL only: the transactions the database server counted (every
/// statement outside a transaction is one), for a check from the
/// database's side. SQLite keeps no such count.
async fn db_transactions(store: &loket_store::Store) -> Option<i64> {
    if store.backend() != loket_store::Backend::Postgres {
        return None;
    }
    loket_store::sqlx::query_scalar::<_, i64>(
        "SELECT CAST(xact_commit + xact_rollback AS BIGINT) FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_one(store.pool())
    .await
    .ok()
}
