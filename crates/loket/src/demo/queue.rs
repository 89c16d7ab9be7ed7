//! The demo's counters come alive (issue 20, item 1): on opening days,
//! during opening hours, a simulator moves each location's queue as
//! visitors and counter staff would. It checks in the appointments that
//! are due, hands out walk-in tickets (the zone's limit applies, as at the
//! kiosk) and has every desk call its next visitor and finish the visit a
//! few minutes later, so the displays, the door and the zone occupancy
//! show a working day. It acts as the demo's counter clerk, through the
//! same use cases as the kiosk and the desk pages, and runs only under
//! `loket demo`. Outside opening hours, and on closed days, it does
//! nothing.

use crate::AppError;
use loket_app::App;
use loket_app::queue as q;
use loket_domain::audit::Actor;
use loket_store::appointments as appt;
use loket_store::queue::Outcome;
use std::time::Duration;
use tokio::sync::watch;

/// How long a simulated visit at the desk takes.
pub const VISIT_MS: i64 = 4 * 60_000;
/// How often the simulator acts.
pub const TICK: Duration = Duration::from_secs(20);
/// One walk-in every this many ticks per location.
pub const WALK_IN_EVERY: u64 = 3;

/// What one tick did, over all locations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tick {
    /// Locations open now.
    pub open: usize,
    pub checked_in: usize,
    pub walk_ins: usize,
    pub called: usize,
    pub finished: usize,
}

/// One step of the simulation at `now_ms`; `seq` counts the ticks.
pub async fn tick(app: &App, seq: u64, now_ms: i64) -> Result<Tick, AppError> {
    let mut t = Tick::default();
    let clerk = match loket_store::people::find_by_email(&app.store, "loket@demo.leuven.be").await?
    {
        Some(u) => Actor::User(u.id),
        None => return Ok(t),
    };
    let Ok(now) = jiff::Timestamp::from_millisecond(now_ms) else {
        return Ok(t);
    };
    let local = now
        .to_zoned_datetime(loket_domain::calendar::brussels())
        .datetime();
    let today = local.date();
    let Some(span) = loket_domain::calendar::day_span(today) else {
        return Ok(t);
    };
    for (i, location) in appt::list_locations(&app.store)
        .await?
        .into_iter()
        .filter(|l| l.active)
        .enumerate()
    {
        let desks = appt::list_desks(&app.store, &location.id).await?;
        if desks.is_empty() {
            continue; // e.g. the vaccination centre: no counter queue
        }
        let periods = appt::hours(&app.store, &location.id).await?;
        let closed = appt::closed_days(&app.store, &location.id)
            .await?
            .into_iter()
            .map(|(d, _)| d)
            .collect();
        if !loket_domain::appointments::open_at(&periods, &closed, local) {
            continue;
        }
        t.open += 1;
        // Appointments due within ten minutes check in.
        for row in appt::day_list(&app.store, &location.id, "", span.start_ms, span.end_ms).await? {
            let a = &row.appointment;
            if a.status == loket_domain::appointments::AppointmentStatus::Booked
                && a.starts_at <= now_ms + 10 * 60_000
                && a.starts_at >= now_ms - 10 * 60_000
                && q::check_in_code(app, &clerk, &location, &a.code)
                    .await
                    .is_ok()
            {
                t.checked_in += 1;
            }
        }
        // A walk-in now and then, for a service a desk here handles.
        if (seq + i as u64).is_multiple_of(WALK_IN_EVERY) {
            let services: Vec<&String> = desks.iter().flat_map(|d| d.service_ids.iter()).collect();
            if !services.is_empty() {
                let pick = services[usize::try_from(seq).unwrap_or(0) % services.len()];
                if q::walk_in(app, &clerk, &location, pick).await.is_ok() {
                    t.walk_ins += 1;
                }
            }
        }
        // Each desk finishes a visit that took long enough, or calls.
        for d in &desks {
            let desk = q::desk(app, &d.id)
                .await
                .map_err(|e| AppError::Other(format!("{e:?}")))?;
            match loket_store::queue::current_of_desk(&app.store, &d.id).await? {
                Some(cur) => {
                    if cur.called_at.is_some_and(|c| now_ms - c >= VISIT_MS) {
                        q::finish(app, &clerk, &desk, Outcome::Served)
                            .await
                            .map_err(|e| AppError::Other(format!("{e:?}")))?;
                        t.finished += 1;
                    }
                }
                None => {
                    if q::call_next(app, &clerk, &desk)
                        .await
                        .map_err(|e| AppError::Other(format!("{e:?}")))?
                        .is_some()
                    {
                        t.called += 1;
                    }
                }
            }
        }
    }
    Ok(t)
}

/// The simulator's loop (demo mode only): a tick every [`TICK`], until
/// shutdown. A failed tick is logged and the next one tries again.
pub async fn run(app: App, mut stop: watch::Receiver<bool>) {
    let mut seq = 0u64;
    loop {
        tokio::select! {
            _ = stop.wait_for(|v| *v) => return,
            _ = tokio::time::sleep(TICK) => {}
        }
        seq += 1;
        match tick(&app, seq, loket_store::now_ms()).await {
            Ok(t) if t != Tick::default() => tracing::debug!(?t, "demo queue"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "demo queue tick failed"),
        }
    }
}
