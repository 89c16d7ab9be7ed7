//! The mobile teams' records, as the tablets send them: every field of
//! every record is checked before anything is written, then the batch is
//! stored in one transaction (a record sent twice is stored once).

use crate::{App, Refusal};
use loket_domain::audit::Actor;
use loket_domain::{FieldError, Invalid};
use loket_store::vaccination::{SyncRecord, SyncResult};
use serde::{Deserialize, Serialize};

/// One record as the tablet sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordIn {
    /// Made on the device (a UUID, 8 to 64 letters, digits or `-`).
    pub client_id: String,
    /// The planned visit's id.
    pub visit: String,
    /// `arrival` or `vaccinated`.
    pub kind: String,
    /// When it happened (unix ms, the device's clock).
    pub recorded_at: i64,
    /// The vaccine's lot number (needed for `vaccinated`).
    #[serde(default)]
    pub lot: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncIn {
    pub team: String,
    pub records: Vec<RecordIn>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SyncOut {
    /// One result per record, in order: `stored`, `replayed` or `conflict`.
    pub results: Vec<SyncResultView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SyncResultView {
    pub client_id: String,
    pub outcome: String,
    pub conflict_with: Option<String>,
}

impl From<SyncResult> for SyncResultView {
    fn from(r: SyncResult) -> Self {
        Self {
            client_id: r.client_id,
            outcome: r.outcome,
            conflict_with: r.conflict_with,
        }
    }
}

/// At most this many records per batch.
pub const MAX_BATCH: usize = 500;

/// Checks a batch before anything is written: every field of every record;
/// the first faults are reported with the record's index.
pub fn check_batch(b: &SyncIn, now: i64) -> Result<(String, Vec<SyncRecord>), Invalid> {
    let mut errors = Vec::new();
    let team = b.team.trim();
    if team.is_empty() || team.chars().count() > 40 || team.chars().any(char::is_control) {
        errors.push(FieldError::new("team", "required"));
    }
    if b.records.is_empty() || b.records.len() > MAX_BATCH {
        errors.push(FieldError::with_value(
            "records",
            "vac-sync-batch-size",
            MAX_BATCH.to_string(),
        ));
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, r) in b.records.iter().enumerate() {
        let f = |name: &str| format!("records[{i}].{name}");
        let id_ok = (8..=64).contains(&r.client_id.len())
            && r.client_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !id_ok {
            errors.push(FieldError::new(f("client_id"), "vac-sync-id-invalid"));
        } else if !seen.insert(r.client_id.clone()) {
            errors.push(FieldError::new(f("client_id"), "vac-sync-id-reused"));
        }
        if !matches!(r.kind.as_str(), "arrival" | "vaccinated") {
            errors.push(FieldError::new(f("kind"), "vac-sync-kind"));
        }
        // Not in the future (5 minutes of clock drift allowed), not older
        // than 30 days.
        if r.recorded_at > now + 5 * 60_000 || r.recorded_at < now - 30 * 86_400_000 {
            errors.push(FieldError::new(f("recorded_at"), "vac-sync-time"));
        }
        let lot = r
            .lot
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned);
        if r.kind == "vaccinated" && lot.is_none() {
            errors.push(FieldError::new(f("lot"), "vac-lot-required"));
        }
        if lot
            .as_deref()
            .is_some_and(|l| l.chars().count() > 40 || l.chars().any(char::is_control))
        {
            errors.push(FieldError::new(f("lot"), "vac-lot-required"));
        }
        if r.visit.trim().is_empty() || r.visit.len() > 64 {
            errors.push(FieldError::new(f("visit"), "vac-sync-visit-unknown"));
        }
        out.push(SyncRecord {
            client_id: r.client_id.clone(),
            mobile_visit_id: r.visit.trim().to_owned(),
            kind: r.kind.clone(),
            recorded_at: r.recorded_at,
            lot,
        });
        if errors.len() > 20 {
            break;
        }
    }
    if errors.is_empty() {
        Ok((team.to_owned(), out))
    } else {
        Err(Invalid(errors))
    }
}

/// Stores a checked batch in one transaction (all or nothing).
pub async fn store_batch(
    app: &App,
    actor: &Actor,
    b: &SyncIn,
) -> Result<Vec<SyncResultView>, Refusal> {
    let (team, records) = check_batch(b, loket_store::now_ms())?;
    let results = super::sync_mobile(app, actor, &team, &records).await?;
    Ok(results.into_iter().map(Into::into).collect())
}
