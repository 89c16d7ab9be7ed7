//! One writer of bookings per instance, committing many per transaction
//! (group commit, issue 19).
//!
//! A booking composes its appointment and confirmation before the
//! transaction (see [`super::book_linked`]) and hands them to this
//! instance's writer. The writer takes every booking waiting (up to
//! [`MAX_BATCH`]) and writes them with one transaction of a fixed number
//! of statements (`loket_store::appointments::book_batch`). Each booking
//! learns its own outcome only after that transaction has committed, so a
//! 201 (and the confirmation, which the outbox worker sends after the
//! commit) always means a durable booking: a crash before the commit loses
//! bookings that nobody was told about, never a confirmed one.
//!
//! While one batch commits, the next bookings queue: the busier the
//! counter, the bigger the batches, and a lone booking waits for nobody.
//! If a batch fails as a whole (a database error, not a refusal), its
//! bookings are written again one per transaction, so one bad booking
//! cannot fail the others; when the database is unreachable they are all
//! told so at once.

use super::{Appointment, CounterService, Location, Slot};
use loket_domain::audit::Actor;
use loket_domain::notify::{Attachment, Mail};
use loket_store::appointments::{self as store, BatchBooking, NewBooking};
use loket_store::{Store, StoreError};
use std::sync::OnceLock;
use tokio::sync::{mpsc, oneshot};

/// Bookings per transaction, at most.
pub const MAX_BATCH: usize = 64;

/// Bookings that may wait for the writer; a booking beyond waits to get in.
const QUEUE: usize = 4096;

/// A booking handed to the writer.
pub(super) struct Job {
    pub actor: Actor,
    /// The appointment as it will be written (id, code, resident, times).
    pub planned: Appointment,
    pub service: CounterService,
    pub location: Location,
    pub slot: Slot,
    pub capacity: i64,
    pub max_per_service: i64,
    pub mail: Option<(Mail, Option<Attachment>)>,
    /// The version of the configuration the booking was checked against
    /// (schedule, capacity, limit). The writer books it only if that is
    /// still the version inside its transaction.
    pub config_version: i64,
}

impl Job {
    fn item(&self) -> BatchBooking<'_> {
        BatchBooking {
            actor: &self.actor,
            booking: NewBooking {
                id: &self.planned.id,
                code: &self.planned.code,
                service: &self.service,
                location: &self.location,
                slot: self.slot,
                capacity: self.capacity,
                resident_id: &self.planned.resident_id,
                channel: &self.planned.channel,
                booked_by: self.planned.booked_by.as_deref(),
                max_per_service: self.max_per_service,
                remind_at: self.planned.remind_at,
            },
            mail: self.mail.as_ref().map(|(m, a)| (m, a.as_ref())),
        }
    }
}

/// Why the writer did not book.
#[derive(Debug)]
pub(super) enum NotBooked {
    /// Refused, or the database failed.
    Store(StoreError),
    /// The configuration changed after the booking was checked against it:
    /// check it again against the new one and hand it in again.
    ConfigChanged,
}

impl From<StoreError> for NotBooked {
    fn from(e: StoreError) -> Self {
        NotBooked::Store(e)
    }
}

type Reply = oneshot::Sender<Result<Appointment, NotBooked>>;

/// The writer of one instance, started on its first booking.
#[derive(Default)]
pub struct Writer {
    jobs: OnceLock<mpsc::Sender<(Job, Reply)>>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    /// Books `job` in the next batch; answers after that batch's commit.
    pub(super) async fn book(&self, store: &Store, job: Job) -> Result<Appointment, NotBooked> {
        let jobs = self.jobs.get_or_init(|| {
            let (send, receive) = mpsc::channel(QUEUE);
            tokio::spawn(run(store.clone(), receive));
            send
        });
        let (reply, answer) = oneshot::channel();
        if jobs.send((job, reply)).await.is_err() {
            return Err(stopped().into());
        }
        // No answer means the writer stopped before the batch committed
        // (its transaction was rolled back): the booking was not made.
        answer.await.unwrap_or_else(|_| Err(stopped().into()))
    }
}

/// The writer is gone (the instance is stopping): nothing was booked, and
/// the booking may be tried again (an unavailable database, to callers).
fn stopped() -> StoreError {
    unavailable("the booking writer stopped; nothing was booked".to_owned())
}

/// An error that [`StoreError::is_unavailable`] reports as such.
fn unavailable(message: String) -> StoreError {
    StoreError::Db(loket_store::sqlx::Error::Io(std::io::Error::new(
        std::io::ErrorKind::NotConnected,
        message,
    )))
}

fn sqlx_error(message: &str) -> loket_store::sqlx::Error {
    loket_store::sqlx::Error::Protocol(message.to_owned())
}

async fn run(store: Store, mut receive: mpsc::Receiver<(Job, Reply)>) {
    let mut waiting = Vec::with_capacity(MAX_BATCH);
    while receive.recv_many(&mut waiting, MAX_BATCH).await > 0 {
        let batch = std::mem::replace(&mut waiting, Vec::with_capacity(MAX_BATCH));
        commit(&store, batch).await;
    }
}

/// Writes `batch` in one transaction and answers each booking.
async fn commit(store: &Store, batch: Vec<(Job, Reply)>) {
    metrics::histogram!("loket_booking_batch_size").record(batch.len() as f64);
    match write(store, &batch).await {
        Ok(outcomes) => {
            for ((_, reply), outcome) in batch.into_iter().zip(outcomes) {
                let _ = reply.send(outcome);
            }
        }
        Err(e) if batch.len() == 1 || e.is_unavailable() => {
            let message = e.to_string();
            let mut e = Some(e);
            for (_, reply) in batch {
                // The first gets the error itself, the others its copy
                // (only an unavailable database fails more than one).
                let _ = reply.send(Err(e
                    .take()
                    .unwrap_or_else(|| unavailable(message.clone()))
                    .into()));
            }
        }
        Err(e) => {
            tracing::warn!(
                bookings = batch.len(),
                error = %e,
                "a batch of bookings failed; writing them one at a time"
            );
            for (job, reply) in batch {
                let one = [(job, reply)];
                let outcome = match write(store, &one).await {
                    Ok(mut o) => o.pop().unwrap_or_else(|| {
                        Err(StoreError::Db(sqlx_error("a booking had no outcome")).into())
                    }),
                    Err(e) => Err(e.into()),
                };
                let [(_, reply)] = one;
                let _ = reply.send(outcome);
            }
        }
    }
}

/// One transaction for the bookings of `batch`: those checked against
/// the configuration's current version (read in the transaction, once per
/// batch) are written; the others are told to check again.
async fn write(
    store: &Store,
    batch: &[(Job, Reply)],
) -> Result<Vec<Result<Appointment, NotBooked>>, StoreError> {
    let mut tx = store.begin().await?;
    let version = store::catalogue::version_in(&mut tx).await?;
    let current: Vec<bool> = batch
        .iter()
        .map(|(job, _)| job.config_version == version)
        .collect();
    let items: Vec<BatchBooking<'_>> = batch
        .iter()
        .zip(&current)
        .filter(|(_, ok)| **ok)
        .map(|((job, _), _)| job.item())
        .collect();
    let mut written = store::book_batch(&mut tx, &items).await?.into_iter();
    tx.commit().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for ok in current {
        outcomes.push(if ok {
            match written.next() {
                Some(outcome) => outcome.map_err(|e| NotBooked::Store(e.into())),
                None => Err(NotBooked::Store(StoreError::Db(sqlx_error(
                    "a booking had no outcome",
                )))),
            }
        } else {
            Err(NotBooked::ConfigChanged)
        });
    }
    Ok(outcomes)
}
