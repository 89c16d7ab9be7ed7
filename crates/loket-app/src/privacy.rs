//! Applying the retention schedule (`loket_domain::privacy`): what is due,
//! and one run that removes or anonymises it in bounded batches, removes
//! the files on disk that went with the rows, and records the run. The
//! daily worker and `loket retention` call these.

pub mod export;
pub mod requests;

use crate::{App, Refusal};
use loket_domain::audit::Actor;
use loket_store::privacy::{self as store, Due, Run};

/// Records per transaction.
pub const BATCH: i64 = 500;
/// How long a run may hold the lease before another instance may take
/// over (a run that died).
const LEASE_MS: i64 = 60 * 60 * 1000;

/// What every kind has due at `now` (unix ms); changes nothing. The
/// schedule's kinds in their order, then the closed cases (per service).
pub async fn due(app: &App, now: i64) -> Result<Vec<Due>, Refusal> {
    let mut d = store::due(&app.store, &app.config.retention, now, &app.config.mail_dir).await?;
    d.push(store::cases_due(&app.store, now).await?);
    Ok(d)
}

/// Whether `user` may see `case` as far as restriction goes: an
/// unrestricted case, the person's own, or the privacy officer. (Need to
/// know by department is checked besides.)
pub fn sees_restricted(user: &loket_store::people::User, case: &loket_store::cases::Case) -> bool {
    !case.is_restricted()
        || case.resident_id == user.id
        || user.roles.has(loket_domain::people::Role::PrivacyOfficer)
}

/// The outcome of a run.
#[derive(Debug)]
pub enum Outcome {
    /// The schedule was applied.
    Done(Run),
    /// Another instance holds the lease: nothing was done.
    Busy,
    /// (The daily pass only) a worker ran the schedule less than 23 hours
    /// ago: nothing was done.
    NotDue,
}

/// Applies the schedule once at `now` (unix ms; the real clock for the
/// worker, a given one for tests). `trigger`: `worker` or `cli`. A file
/// that cannot be removed does not stop the run: it is named in the run's
/// error, and the run counts as failed.
pub async fn apply(app: &App, actor: &Actor, trigger: &str, now: i64) -> Result<Outcome, Refusal> {
    apply_when(app, actor, trigger, now, false).await
}

/// [`apply`]; with `daily`, only when no worker started a run in the 23
/// hours before `now` (checked while holding the lease, so two instances
/// never both run).
async fn apply_when(
    app: &App,
    actor: &Actor,
    trigger: &str,
    now: i64,
    daily: bool,
) -> Result<Outcome, Refusal> {
    let holder = format!("{trigger}-{}-{}", std::process::id(), loket_store::new_id());
    let real = loket_store::now_ms();
    if !store::take_lease(&app.store, &holder, real, real + LEASE_MS).await? {
        return Ok(Outcome::Busy);
    }
    let due = if daily {
        store::last_worker_run(&app.store)
            .await
            .map(|last| last.is_none_or(|last| now - last >= 23 * 3_600_000))
    } else {
        Ok(true)
    };
    let result = match due {
        Ok(true) => run(app, actor, trigger, now, real).await.map(Outcome::Done),
        Ok(false) => Ok(Outcome::NotDue),
        Err(e) => Err(e.into()),
    };
    let released = store::release_lease(&app.store, &holder).await;
    let outcome = result?;
    released?;
    Ok(outcome)
}

async fn run(
    app: &App,
    actor: &Actor,
    trigger: &str,
    now: i64,
    started: i64,
) -> Result<Run, Refusal> {
    let s = &app.config.retention;
    let id = store::start_run(&app.store, actor, trigger, started, now).await?;
    let mut counts: Vec<(String, i64)> = Vec::new();
    let mut files_removed = 0i64;
    let mut errors: Vec<String> = Vec::new();
    let kinds = s
        .applied()
        .iter()
        .map(|a| a.kind.key)
        .chain(std::iter::once(loket_domain::privacy::CASES_KIND))
        .collect::<Vec<_>>();
    for kind in kinds {
        let mut total = 0i64;
        loop {
            let batch = if kind == loket_domain::privacy::CASES_KIND {
                store::apply_cases_batch(&app.store, actor, &id, now, BATCH).await
            } else {
                store::apply_batch(
                    &app.store,
                    actor,
                    &id,
                    s,
                    kind,
                    now,
                    BATCH,
                    &app.config.mail_dir,
                )
                .await
            };
            let b = match batch {
                Ok(b) => b,
                Err(e) => {
                    errors.push(format!("{kind}: {e}"));
                    break;
                }
            };
            total += i64::try_from(b.records).unwrap_or(i64::MAX);
            for f in &b.files {
                match tokio::fs::remove_file(f).await {
                    Ok(()) => files_removed += 1,
                    // Already gone (a mail sent by SMTP has no file).
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        tracing::warn!(file = %f.display(), error = %e, "retention: file not removed");
                        errors.push(format!("{kind}: {}: {e}", f.display()));
                    }
                }
            }
            if (b.records as i64) < BATCH && (b.files.len() as i64) < BATCH {
                break;
            }
        }
        counts.push((kind.to_owned(), total));
    }
    let error = (!errors.is_empty()).then(|| errors.join("; "));
    let finished = loket_store::now_ms();
    store::finish_run(
        &app.store,
        actor,
        &id,
        finished,
        &counts,
        files_removed,
        error.as_deref(),
    )
    .await?;
    Ok(Run {
        id,
        trigger_kind: trigger.to_owned(),
        started_at: started,
        finished_at: Some(finished),
        as_of: now,
        counts,
        files_removed,
        error,
    })
}

/// The worker's daily pass: a run when none was started by a worker in the
/// last 23 hours (on any instance). Returns the run if one was made.
pub async fn daily(app: &App, now: i64) -> Result<Option<Run>, Refusal> {
    match apply_when(app, &Actor::System, "worker", now, true).await? {
        Outcome::Done(r) => Ok(Some(r)),
        Outcome::Busy | Outcome::NotDue => Ok(None),
    }
}

/// One page of the runs, newest first.
pub async fn runs_page(
    app: &App,
    pq: &loket_domain::paging::PageQuery,
) -> Result<loket_domain::paging::Page<Run>, Refusal> {
    Ok(store::runs_page(&app.store.reader(), pq).await?)
}

/// How many runs there are, up to `cap`.
pub async fn runs_total(app: &App, cap: i64) -> Result<loket_domain::paging::Total, Refusal> {
    Ok(store::runs_total(&app.store.reader(), cap).await?)
}
