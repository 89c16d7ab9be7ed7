//! The counters' configuration, cached in memory per instance (issue 19).
//!
//! A booking used to read the settings two to four times, the service, the
//! location, the opening hours, the closed days and the desks: six to eight
//! reads before its transaction. Now every use case asks
//! [`App::counters`], which reads one row (`config_version`, see
//! `loket_store::appointments::catalogue`) and returns the cached
//! configuration while the version has not moved. Triggers bump the
//! version on every change of the configuration tables, on whichever
//! instance (or by whatever tool) it is made, so a change is seen by every
//! instance on its next request: the cache is never stale by more than
//! the change's own commit.

use crate::{App, Refusal};
use loket_store::Store;
use loket_store::appointments::catalogue::{self, Counters};
use std::sync::{Arc, RwLock};

/// The cached configuration of one instance.
#[derive(Default)]
pub struct Cache {
    current: RwLock<Option<Arc<Counters>>>,
    /// One reload at a time: the others wait and take its result.
    reload: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cache")
    }
}

impl Cache {
    /// The cached configuration if it is at least as new as `version`
    /// (versions only grow).
    fn at_least(&self, version: i64) -> Option<Arc<Counters>> {
        self.current
            .read()
            .ok()?
            .as_ref()
            .filter(|c| c.version >= version)
            .cloned()
    }

    /// The configuration at `version` (just read) or newer: a reload only
    /// when the cached one is older.
    pub async fn get(&self, store: &Store, version: i64) -> Result<Arc<Counters>, Refusal> {
        if let Some(c) = self.at_least(version) {
            return Ok(c);
        }
        let _one = self.reload.lock().await;
        if let Some(c) = self.at_least(version) {
            return Ok(c);
        }
        let loaded = Arc::new(catalogue::load(store).await?);
        metrics::counter!("loket_config_reloads_total").increment(1);
        if let Ok(mut w) = self.current.write() {
            *w = Some(loaded.clone());
        }
        Ok(loaded)
    }
}

impl App {
    /// The counters' configuration (settings, services, locations, hours,
    /// closed days, desks per service), from the cache.
    /// The version is read by a query that starts after this call, shared
    /// with the other requests of the moment (`crate::coalesce`).
    pub async fn counters(&self) -> Result<Arc<Counters>, Refusal> {
        let version = self.config_version().await?;
        self.counters.get(&self.store, version).await
    }

    /// The configuration as this instance last read it, without reading
    /// the version again: for a request that has just called
    /// [`App::counters`] (a booking's answer names the service and
    /// location it was just checked against). Reads it when none was read.
    pub async fn counters_as_last_read(&self) -> Result<Arc<Counters>, Refusal> {
        let last = self.counters.current.read().ok().and_then(|c| c.clone());
        match last {
            Some(c) => Ok(c),
            None => self.counters().await,
        }
    }
}
