//! Batched reads (issue 19): the read side of the bookings' group commit.
//!
//! In a rush, hundreds of requests make the same kind of read at once: the
//! token behind `Authorization`, the resident a desk books for, the booked
//! counts of the slot list everybody is looking at. Made one by one, each is
//! a round trip to the database (and on SQLite a hop to a connection's
//! thread and back), and those round trips, not the work the database does,
//! were most of a booking's cost.
//!
//! A [`Loader`] keeps at most one query of its kind in flight. A request
//! that arrives while it runs waits for the next query, which fetches the
//! keys of every request that waited, at once. So:
//! - a lone request is not delayed: its query starts at once;
//! - every answer comes from a query that started *after* its request
//!   arrived, so no answer is older than reading alone would give (this is
//!   what makes it safe for tokens and counts: a revoked token or a taken
//!   place is never served from before the change);
//! - the busier it is, the more requests one query serves.
//!
//! The query runs in a task of its own, so a request that is dropped (its
//! client went away) never leaves the others waiting.

use loket_domain::people::Scopes;
use loket_store::StoreError;
use loket_store::appointments as appt_store;
use loket_store::people as people_store;
use loket_store::people::User;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// Keys per query, at most (the rest wait for the next one).
pub const MAX_KEYS: usize = 256;

type Answer<V> = Result<Option<V>, StoreError>;
type Waiter<K, V> = (K, oneshot::Sender<Answer<V>>);

/// One kind of batched read; see the module.
pub struct Loader<K, V> {
    /// The kind of read, the `read` label of `loket_read_batch_size`.
    name: &'static str,
    state: Arc<Mutex<State<K, V>>>,
}

struct State<K, V> {
    /// A query of this kind is in flight (its task drains `waiting`).
    running: bool,
    waiting: Vec<Waiter<K, V>>,
}

impl<K, V> Loader<K, V> {
    /// A loader for reads of the kind `name` (a metric label).
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            state: Arc::new(Mutex::new(State {
                running: false,
                waiting: Vec::new(),
            })),
        }
    }
}

impl<K, V> std::fmt::Debug for Loader<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Loader")
    }
}

fn lock<K, V>(state: &Mutex<State<K, V>>) -> MutexGuard<'_, State<K, V>> {
    // A panic while holding the lock leaves plain data behind (a flag and
    // a list), still consistent: carry on with it.
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl<K, V> Loader<K, V>
where
    K: Eq + Hash + Clone + Send + 'static,
    V: Clone + Send + 'static,
{
    /// The value of `key`, read by a query that starts after this call:
    /// `fetch` gets the distinct keys of every request waiting (at most
    /// [`MAX_KEYS`]) and returns the values it found; a key it leaves out
    /// is `None`. All callers of one loader must pass the same `fetch`
    /// (any one of them may serve the others).
    pub async fn load<F, Fut>(&self, key: K, fetch: F) -> Answer<V>
    where
        F: FnMut(Vec<K>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<HashMap<K, V>, StoreError>> + Send + 'static,
    {
        let (send, answer) = oneshot::channel();
        let lead = {
            let mut s = lock(&self.state);
            s.waiting.push((key, send));
            !std::mem::replace(&mut s.running, true)
        };
        if lead {
            tokio::spawn(drain(self.name, self.state.clone(), fetch));
        }
        answer.await.unwrap_or_else(|_| {
            Err(StoreError::Db(loket_store::sqlx::Error::Protocol(
                "a batched read stopped before it answered".to_owned(),
            )))
        })
    }
}

/// Clears `running` if the draining task ends without doing so itself (a
/// panic), so the next request starts a new one. Disarmed on the normal
/// end, which clears it under the same lock that finds the list empty: a
/// request that comes right after starts its own task, and no late guard
/// clears the flag under that task.
struct Running<K, V> {
    state: Arc<Mutex<State<K, V>>>,
    armed: bool,
}

impl<K, V> Drop for Running<K, V> {
    fn drop(&mut self) {
        if self.armed {
            // Requests that came in while the task was failing would wait
            // for a task that is gone: they are answered with an error.
            let stranded = {
                let mut s = lock(&self.state);
                s.running = false;
                std::mem::take(&mut s.waiting)
            };
            drop(stranded);
        }
    }
}

async fn drain<K, V, F, Fut>(name: &'static str, state: Arc<Mutex<State<K, V>>>, mut fetch: F)
where
    K: Eq + Hash + Clone,
    V: Clone,
    F: FnMut(Vec<K>) -> Fut,
    Fut: Future<Output = Result<HashMap<K, V>, StoreError>>,
{
    let mut running = Running {
        state: state.clone(),
        armed: true,
    };
    loop {
        let batch: Vec<Waiter<K, V>> = {
            let mut s = lock(&state);
            if s.waiting.is_empty() {
                s.running = false;
                running.armed = false;
                return;
            }
            let n = s.waiting.len().min(MAX_KEYS);
            s.waiting.drain(..n).collect()
        };
        metrics::histogram!("loket_read_batch_size", "read" => name).record(batch.len() as f64);
        let mut seen = HashSet::with_capacity(batch.len());
        let keys: Vec<K> = batch
            .iter()
            .filter(|(k, _)| seen.insert(k.clone()))
            .map(|(k, _)| k.clone())
            .collect();
        match fetch(keys).await {
            Ok(found) => {
                for (k, send) in batch {
                    let _ = send.send(Ok(found.get(&k).cloned()));
                }
            }
            Err(e) => {
                for (_, send) in batch {
                    let _ = send.send(Err(shared(&e)));
                }
            }
        }
    }
}

/// A copy of `e` for each request the failed query served: unavailable
/// stays unavailable (a 503, try again), anything else is an error.
fn shared(e: &StoreError) -> StoreError {
    let message = e.to_string();
    StoreError::Db(if e.is_unavailable() {
        loket_store::sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::NotConnected,
            message,
        ))
    } else {
        loket_store::sqlx::Error::Protocol(message)
    })
}

/// The reads batched on this instance.
#[derive(Debug)]
pub struct Reads {
    /// API tokens by hash: the account and scopes behind each.
    tokens: Loader<String, (User, Scopes)>,
    /// Accounts by normalised e-mail address (a desk books for a resident).
    accounts: Loader<String, User>,
    /// Booked counts per slot start, by service, location and range.
    booked: Loader<BookedKey, Arc<HashMap<i64, i64>>>,
    /// Live sessions (with their person) by the hash of their secret.
    sessions: Loader<String, people_store::LiveSession>,
    /// The counters' configuration version (one row).
    version: Loader<(), i64>,
}

impl Default for Reads {
    fn default() -> Self {
        Self {
            tokens: Loader::new("token"),
            accounts: Loader::new("account_by_email"),
            booked: Loader::new("booked_counts"),
            sessions: Loader::new("session"),
            version: Loader::new("config_version"),
        }
    }
}

/// A service, a location and a range of slot starts (`from..to`, ms).
type BookedKey = (String, String, i64, i64);

impl crate::App {
    /// The account and scopes of a live API token (see
    /// `loket_store::people::authenticate_token`), read with the other
    /// requests' tokens.
    pub async fn authenticate_token(
        &self,
        secret: &str,
    ) -> Result<Option<(User, Scopes)>, StoreError> {
        let store = self.store.clone();
        self.reads
            .tokens
            .load(loket_store::hash_secret(secret), move |hashes| {
                let store = store.clone();
                async move { people_store::authenticate_tokens(&store, &hashes).await }
            })
            .await
    }

    /// The live session behind a session cookie's secret, with its person
    /// (see `loket_store::people::load_sessions`), read with the other
    /// requests' sessions; its expiry slides forward by `ttl_ms` (written
    /// at most once a minute).
    pub async fn live_session(
        &self,
        secret: &str,
        ttl_ms: i64,
        max_age_ms: i64,
    ) -> Result<Option<people_store::LiveSession>, StoreError> {
        let store = self.store.clone();
        let hash = loket_store::hash_secret(secret);
        let found = self
            .reads
            .sessions
            .load(hash.clone(), move |hashes| {
                let store = store.clone();
                async move { people_store::load_sessions(&store, &hashes, max_age_ms).await }
            })
            .await?;
        match found {
            Some(live) => Ok(Some(
                people_store::slide_session(&self.store, &hash, live, ttl_ms, max_age_ms).await?,
            )),
            None => Ok(None),
        }
    }

    /// The counters' configuration version (`config_version`), read with
    /// the other requests that need it at the same moment.
    pub async fn config_version(&self) -> Result<i64, StoreError> {
        let store = self.store.clone();
        let v = self
            .reads
            .version
            .load((), move |_| {
                let store = store.clone();
                async move {
                    let v = appt_store::catalogue::version(&store).await?;
                    Ok(HashMap::from([((), v)]))
                }
            })
            .await?;
        Ok(v.unwrap_or(0))
    }

    /// The account with this e-mail address, ignoring case, with its roles
    /// (see `loket_store::people::find_by_email`), read with the other
    /// requests' addresses.
    pub async fn account_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let store = self.store.clone();
        self.reads
            .accounts
            .load(email.trim().to_lowercase(), move |emails| {
                let store = store.clone();
                async move { people_store::find_by_emails(&store, &emails).await }
            })
            .await
    }

    /// How many places are booked per slot start of `service` at
    /// `location`, for starts in `from_ms..to_ms` (slots with none booked
    /// are left out). Requests for the same service and location share one
    /// read of the range that covers them all.
    pub async fn booked_counts(
        &self,
        service_id: &str,
        location_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Arc<HashMap<i64, i64>>, StoreError> {
        let store = self.store.clone();
        let key = (
            service_id.to_owned(),
            location_id.to_owned(),
            from_ms,
            to_ms,
        );
        let found = self
            .reads
            .booked
            .load(key, move |keys| {
                let store = store.clone();
                async move { booked_of(&store, keys).await }
            })
            .await?;
        Ok(found.unwrap_or_default())
    }
}

/// One read per service and location, over the range that covers every
/// key of theirs, cut into each key's range.
async fn booked_of(
    store: &loket_store::Store,
    keys: Vec<BookedKey>,
) -> Result<HashMap<BookedKey, Arc<HashMap<i64, i64>>>, StoreError> {
    let mut spans: HashMap<(&str, &str), (i64, i64)> = HashMap::new();
    for (s, l, from, to) in &keys {
        let span = spans.entry((s, l)).or_insert((*from, *to));
        span.0 = span.0.min(*from);
        span.1 = span.1.max(*to);
    }
    let mut counts = HashMap::with_capacity(spans.len());
    for ((s, l), (from, to)) in spans {
        counts.insert(
            (s, l),
            appt_store::booked_counts(store, s, l, from, to).await?,
        );
    }
    let mut out = HashMap::with_capacity(keys.len());
    for key in &keys {
        let (s, l, from, to) = key;
        let all = counts.get(&(s.as_str(), l.as_str()));
        let mine: HashMap<i64, i64> = all
            .map(|m| {
                m.iter()
                    .filter(|(start, _)| (*from..*to).contains(*start))
                    .map(|(k, v)| (*k, *v))
                    .collect()
            })
            .unwrap_or_default();
        out.insert(key.clone(), Arc::new(mine));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Waits (up to ten seconds) until `ready` holds.
    async fn until(ready: impl Fn() -> bool) {
        for _ in 0..10_000 {
            if ready() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        panic!("timed out");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiting_requests_share_the_next_query_and_see_only_later_state() {
        let loader: Arc<Loader<u32, u32>> = Arc::new(Loader::new("test"));
        let queries = Arc::new(AtomicUsize::new(0));
        // The "database": a value that changes. Each query reads it when it
        // starts; the first query then stays in flight until `gate` opens.
        let value = Arc::new(AtomicUsize::new(1));
        let gate = Arc::new(tokio::sync::Notify::new());
        let fetch = {
            let queries = queries.clone();
            let value = value.clone();
            let gate = gate.clone();
            move |keys: Vec<u32>| {
                let queries = queries.clone();
                let value = value.clone();
                let gate = gate.clone();
                async move {
                    let v = u32::try_from(value.load(Ordering::SeqCst)).unwrap_or(0);
                    if queries.fetch_add(1, Ordering::SeqCst) == 0 {
                        gate.notified().await;
                    }
                    Ok(keys
                        .into_iter()
                        .filter(|k| *k != 99)
                        .map(|k| (k, k * 1000 + v))
                        .collect())
                }
            }
        };
        // The first request starts a query at once.
        let first = {
            let loader = loader.clone();
            let fetch = fetch.clone();
            tokio::spawn(async move { loader.load(1, fetch).await })
        };
        until(|| queries.load(Ordering::SeqCst) == 1).await;
        // The state changes while that query runs; 101 requests arrive.
        value.store(2, Ordering::SeqCst);
        let mut later = Vec::new();
        for i in 0..100u32 {
            let loader = loader.clone();
            let fetch = fetch.clone();
            later.push(tokio::spawn(
                async move { loader.load(i % 10, fetch).await },
            ));
        }
        let absent = {
            let loader = loader.clone();
            let fetch = fetch.clone();
            tokio::spawn(async move { loader.load(99, fetch).await })
        };
        until(|| lock(&loader.state).waiting.len() == 101).await;
        assert_eq!(queries.load(Ordering::SeqCst), 1, "they wait for the next");
        gate.notify_one();
        assert!(matches!(first.await, Ok(Ok(Some(1001)))));
        assert!(matches!(absent.await, Ok(Ok(None))));
        for (i, t) in later.into_iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(0) % 10;
            // Read after the change: none is served the first query's answer.
            assert!(matches!(t.await, Ok(Ok(Some(v))) if v == i * 1000 + 2));
        }
        // One query for the first request, one for the 101 that waited.
        assert_eq!(queries.load(Ordering::SeqCst), 2);
        // Idle again: a new request starts its own query at once.
        assert!(matches!(loader.load(3, fetch).await, Ok(Some(3002))));
        assert_eq!(queries.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_query_that_panics_fails_its_requests_and_leaves_the_loader_working() {
        let loader: Loader<u32, u32> = Loader::new("test");
        let boom = |keys: Vec<u32>| async move {
            assert!(keys.is_empty(), "a bug in the query");
            Ok::<HashMap<u32, u32>, StoreError>(HashMap::new())
        };
        assert!(loader.load(1, boom).await.is_err());
        until(|| !lock(&loader.state).running).await;
        let up = |keys: Vec<u32>| async move { Ok(keys.into_iter().map(|k| (k, k)).collect()) };
        assert!(matches!(loader.load(2, up).await, Ok(Some(2))));
    }

    #[tokio::test]
    async fn a_failed_query_fails_every_request_it_served_and_the_next_starts_afresh() {
        let loader: Loader<u32, u32> = Loader::new("test");
        let down = |_keys: Vec<u32>| async {
            Err::<HashMap<u32, u32>, _>(StoreError::Db(loket_store::sqlx::Error::PoolTimedOut))
        };
        let e = loader.load(1, down).await;
        assert!(matches!(&e, Err(e) if e.is_unavailable()), "{e:?}");
        let up = |keys: Vec<u32>| async move { Ok(keys.into_iter().map(|k| (k, k)).collect()) };
        assert!(matches!(loader.load(7, up).await, Ok(Some(7))));
    }
}
