//! Live streams (Server-Sent Events) shared between their viewers.
//!
//! A display follows its location's queue; a coordinator follows the
//! day's figures. Each stream used to poll the database on its own every
//! 500 ms, so a hundred open displays made two hundred queries a second.
//! Now one **feed** per subject (a location, a campaign's day) polls, and
//! every viewer of that subject reads the feed's latest frame from a
//! `tokio::sync::watch` channel: a broadcast that keeps only the newest
//! value, which is what a display that shows the whole state needs (a slow
//! viewer skips frames it would overwrite anyway; nobody queues up). The
//! feed's poller starts with its first viewer and stops when the last one
//! leaves.
//!
//! Public streams also count their connections per client address: past
//! `live_streams_per_ip` the next one is refused with 429 (the displays'
//! script then falls back to polling the JSON state).

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::watch;

/// How often a feed looks at its subject's version.
pub const POLL: Duration = Duration::from_millis(500);

/// One state of a subject, as sent to every viewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The SSE event name, e.g. `queue`.
    pub event: &'static str,
    /// The SSE event id (the subject's version).
    pub id: String,
    /// What the poller compares to see a change (often the id).
    pub tag: String,
    /// The event's data (JSON).
    pub data: String,
}

/// A subject's poller, shared by its viewers; dropping the last viewer's
/// handle stops the poller.
struct Feed {
    rx: watch::Receiver<Option<Arc<Frame>>>,
    task: tokio::task::AbortHandle,
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.task.abort();
        metrics::gauge!("loket_live_feeds").decrement(1.0);
    }
}

/// The feeds and the connection counts of one server.
pub struct Hub {
    feeds: Mutex<HashMap<String, Weak<Feed>>>,
    /// Polls made by every feed since the start (each one database query
    /// after a feed's first; see `queue::display::sse`).
    polls: Arc<AtomicU64>,
    per_ip: Mutex<HashMap<IpAddr, usize>>,
    max_per_ip: usize,
    every: Duration,
}

/// A viewer's place: the feed it follows (kept alive by it) and its
/// connection slot, both given back when the stream is dropped.
pub struct Viewer {
    feed: Arc<Feed>,
    _slot: Option<Slot>,
}

/// One counted connection of an address; dropping it frees the place.
pub struct Slot {
    hub: Arc<Hub>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut m) = self.hub.per_ip.lock()
            && let Some(n) = m.get_mut(&self.ip)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
        metrics::gauge!("loket_live_streams").decrement(1.0);
    }
}

impl Hub {
    /// A hub whose feeds poll `every` and that lets each address hold at
    /// most `max_per_ip` public streams (0: no limit).
    pub fn new(max_per_ip: usize, every: Duration) -> Arc<Self> {
        Arc::new(Hub {
            feeds: Mutex::new(HashMap::new()),
            polls: Arc::new(AtomicU64::new(0)),
            per_ip: Mutex::new(HashMap::new()),
            max_per_ip,
            every,
        })
    }

    /// A connection place for `ip`, or `None` when it holds its maximum.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let mut m = self.per_ip.lock().ok()?;
        let n = m.entry(ip).or_insert(0);
        if self.max_per_ip > 0 && *n >= self.max_per_ip {
            return None;
        }
        *n += 1;
        metrics::gauge!("loket_live_streams").increment(1.0);
        Some(Slot {
            hub: Arc::clone(self),
            ip,
        })
    }

    /// Open connections of `ip` (for tests and metrics).
    pub fn connections(&self, ip: IpAddr) -> usize {
        self.per_ip
            .lock()
            .map(|m| m.get(&ip).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// Polls made by every feed since the server started.
    pub fn polls(&self) -> u64 {
        self.polls.load(AtomicOrdering::Relaxed)
    }

    /// Feeds that poll now.
    pub fn feeds(&self) -> usize {
        self.feeds
            .lock()
            .map(|m| m.values().filter(|f| f.strong_count() > 0).count())
            .unwrap_or(0)
    }

    /// Follows `key`: joins its feed, or starts one whose poller calls
    /// `poll(last)` every `every` (at once the first time). `poll` gets the
    /// tag of the last frame it made and answers a new frame, or `None` when
    /// nothing changed (or the database did not answer: it tries again).
    pub fn follow<P, F>(&self, key: &str, stopping: watch::Receiver<bool>, poll: P) -> Viewer
    where
        P: FnMut(Option<String>) -> F + Send + 'static,
        F: Future<Output = Option<Frame>> + Send + 'static,
    {
        let mut feeds = match self.feeds.lock() {
            Ok(f) => f,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(feed) = feeds.get(key).and_then(Weak::upgrade) {
            return Viewer { feed, _slot: None };
        }
        feeds.retain(|_, f| f.strong_count() > 0);
        let (tx, rx) = watch::channel(None);
        let task =
            tokio::spawn(run(tx, stopping, self.every, self.polls.clone(), poll)).abort_handle();
        metrics::gauge!("loket_live_feeds").increment(1.0);
        let feed = Arc::new(Feed { rx, task });
        feeds.insert(key.to_owned(), Arc::downgrade(&feed));
        Viewer { feed, _slot: None }
    }
}

impl Viewer {
    /// Counts this viewer's connection against its address.
    pub fn with_slot(mut self, slot: Slot) -> Self {
        self._slot = Some(slot);
        self
    }

    /// The viewer as an event stream: the feed's current frame at once (if
    /// it has one yet), then every new one, until the server stops.
    pub fn into_sse(
        self,
        stopping: watch::Receiver<bool>,
    ) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<>> {
        let rx = self.feed.rx.clone();
        let stream = futures_util::stream::unfold(
            (self, rx, stopping, true),
            |(viewer, mut rx, mut stopping, first)| async move {
                let mut first = first;
                loop {
                    if *stopping.borrow() {
                        return None;
                    }
                    if !first {
                        tokio::select! {
                            r = rx.changed() => {
                                if r.is_err() {
                                    return None;
                                }
                            }
                            r = stopping.changed() => {
                                if r.is_err() {
                                    return None;
                                }
                                continue;
                            }
                        }
                    }
                    first = false;
                    let frame = rx.borrow_and_update().clone();
                    if let Some(f) = frame {
                        let ev = Event::default()
                            .event(f.event)
                            .id(f.id.clone())
                            .retry(Duration::from_secs(3))
                            .data(f.data.clone());
                        return Some((Ok(ev), (viewer, rx, stopping, false)));
                    }
                }
            },
        );
        Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
    }
}

/// A feed's poller: polls until the server stops or the feed is dropped
/// (which aborts this task).
async fn run<P, F>(
    tx: watch::Sender<Option<Arc<Frame>>>,
    stopping: watch::Receiver<bool>,
    every: Duration,
    polls: Arc<AtomicU64>,
    mut poll: P,
) where
    P: FnMut(Option<String>) -> F + Send + 'static,
    F: Future<Output = Option<Frame>> + Send + 'static,
{
    let mut last: Option<String> = None;
    let mut first = true;
    loop {
        if *stopping.borrow() {
            return;
        }
        if !first {
            tokio::time::sleep(every).await;
        }
        first = false;
        polls.fetch_add(1, AtomicOrdering::Relaxed);
        metrics::counter!("loket_live_polls_total").increment(1);
        if let Some(frame) = poll(last.clone()).await {
            last = Some(frame.tag.clone());
            tx.send_replace(Some(Arc::new(frame)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn counting(
        polls: Arc<AtomicUsize>,
    ) -> impl FnMut(Option<String>) -> std::future::Ready<Option<Frame>> {
        move |last| {
            let n = polls.fetch_add(1, Ordering::SeqCst);
            let id = (n / 3).to_string();
            std::future::ready(if last.as_deref() == Some(id.as_str()) {
                None
            } else {
                Some(Frame {
                    event: "t",
                    tag: id.clone(),
                    id,
                    data: String::new(),
                })
            })
        }
    }

    /// Many viewers of one subject share one poller; it stops with the
    /// last viewer; another subject gets its own.
    #[tokio::test]
    async fn viewers_of_one_subject_share_one_poller() {
        let (_stop_tx, stop) = watch::channel(false);
        let hub = Hub::new(0, Duration::from_millis(10));
        let polls = Arc::new(AtomicUsize::new(0));
        let viewers: Vec<Viewer> = (0..50)
            .map(|_| hub.follow("loc-a", stop.clone(), counting(polls.clone())))
            .collect();
        assert_eq!(hub.feeds(), 1);
        tokio::time::sleep(Duration::from_millis(200)).await;
        let n = polls.load(Ordering::SeqCst);
        // One poller at 10 ms: about 20 polls in 200 ms, not 50 × 20.
        assert!((5..=40).contains(&n), "{n} polls for 50 viewers");
        let other = hub.follow(
            "loc-b",
            stop.clone(),
            counting(Arc::new(AtomicUsize::new(0))),
        );
        assert_eq!(hub.feeds(), 2);
        drop(viewers);
        assert_eq!(hub.feeds(), 1);
        tokio::time::sleep(Duration::from_millis(30)).await;
        let after = polls.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(polls.load(Ordering::SeqCst), after, "the poller stopped");
        drop(other);
        assert_eq!(hub.feeds(), 0);
    }

    /// A viewer gets the newest frame and then only changes.
    #[tokio::test]
    async fn a_viewer_sees_the_newest_frame() {
        let (_stop_tx, stop) = watch::channel(false);
        let hub = Hub::new(0, Duration::from_millis(5));
        let v = hub.follow("x", stop, counting(Arc::new(AtomicUsize::new(0))));
        let mut rx = v.feed.rx.clone();
        let _ = rx.changed().await;
        let first = rx.borrow_and_update().clone().map(|f| f.id.clone());
        assert_eq!(first.as_deref(), Some("0"));
        let _ = rx.changed().await;
        let next = rx.borrow_and_update().clone().map(|f| f.id.clone());
        assert_eq!(next.as_deref(), Some("1"));
    }

    /// An address holds at most its maximum; a freed place can be taken.
    #[test]
    fn connections_per_address_are_capped() {
        let hub = Hub::new(3, Duration::from_secs(1));
        let a: IpAddr = [192, 0, 2, 1].into();
        let b: IpAddr = [192, 0, 2, 2].into();
        let mut held: Vec<Slot> = (0..3).filter_map(|_| hub.admit(a)).collect();
        assert_eq!(held.len(), 3);
        assert!(hub.admit(a).is_none());
        assert!(hub.admit(b).is_some(), "another address is not affected");
        held.pop();
        assert_eq!(hub.connections(a), 2);
        assert!(hub.admit(a).is_some());
        drop(held);
        assert_eq!(hub.connections(a), 0);
    }
}
