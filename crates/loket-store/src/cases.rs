//! The service catalogue (versioned definitions) and cases with their
//! timeline. A case keeps the version of the definition it was submitted
//! under, so editing a service never changes cases already submitted.

use crate::audit::{self, Change};
use crate::{Result, Store, StoreError, Tx, new_id, now_ms};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::cases::{Channel, ServiceDef, TransitionDef, case_number};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::BTreeMap;

/// A service of the catalogue, at its current version.
#[derive(Debug, Clone)]
pub struct Service {
    pub id: String,
    pub version: i64,
    pub active: bool,
    pub def: ServiceDef,
}

fn decode_def(json: &str) -> Result<ServiceDef> {
    serde_json::from_str(json).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))
}

fn decode_service(r: &sqlx::any::AnyRow) -> Result<Service> {
    let json: String = r.try_get(2)?;
    Ok(Service {
        id: r.try_get(0)?,
        version: r.try_get(1)?,
        active: r.try_get::<i64, _>(3)? != 0,
        def: decode_def(&json)?,
    })
}

/// Creates a service, or stores a new version of it when the definition
/// changed. Returns the service id and its version.
pub async fn save_service(tx: &mut Tx, actor: &Actor, def: &ServiceDef) -> Result<(String, i64)> {
    def.check()?;
    let json =
        serde_json::to_string(def).map_err(|e| StoreError::Db(sqlx::Error::Encode(Box::new(e))))?;
    let now = now_ms();
    let existing = sqlx::query("SELECT id, version, definition FROM services WHERE slug = $1")
        .bind(&def.slug)
        .fetch_optional(&mut **tx)
        .await?;
    let (id, version, before) = match existing {
        Some(r) => {
            let id: String = r.try_get(0)?;
            let version: i64 = r.try_get(1)?;
            let old: String = r.try_get(2)?;
            if old == json {
                return Ok((id, version));
            }
            sqlx::query("UPDATE services SET version = $1, definition = $2, department = $3, updated_at = $4 WHERE id = $5")
                .bind(version + 1)
                .bind(&json)
                .bind(&def.department)
                .bind(now)
                .bind(&id)
                .execute(&mut **tx)
                .await?;
            (id, version + 1, Some(json!({ "version": version })))
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO services (id, slug, version, definition, department, active, created_at, updated_at) \
                 VALUES ($1, $2, 1, $3, $4, 1, $5, $5)",
            )
            .bind(&id)
            .bind(&def.slug)
            .bind(&json)
            .bind(&def.department)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            (id, 1, None)
        }
    };
    sqlx::query(
        "INSERT INTO service_versions (service_id, version, definition, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(version)
    .bind(&json)
    .bind(now)
    .bind(actor.user_id().map(str::to_owned))
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: if version == 1 {
                "service.create"
            } else {
                "service.update"
            },
            record_type: "service",
            record_id: &id,
            subject_user_id: None,
            before,
            after: Some(json!({ "slug": def.slug, "version": version })),
        },
    )
    .await?;
    Ok((id, version))
}

pub async fn list_services(store: &Store, active_only: bool) -> Result<Vec<Service>> {
    let rows = sqlx::query(
        "SELECT id, version, definition, active FROM services WHERE ($1 = 0 OR active = 1) ORDER BY slug",
    )
    .bind(i64::from(active_only))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_service).collect()
}

pub async fn service_by_slug(store: &Store, slug: &str) -> Result<Option<Service>> {
    let row = sqlx::query("SELECT id, version, definition, active FROM services WHERE slug = $1")
        .bind(slug)
        .fetch_optional(store.pool())
        .await?;
    row.as_ref().map(decode_service).transpose()
}

pub async fn service_by_id(store: &Store, id: &str) -> Result<Option<Service>> {
    let row = sqlx::query("SELECT id, version, definition, active FROM services WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    row.as_ref().map(decode_service).transpose()
}

/// The definition a case was submitted under.
pub async fn service_version(store: &Store, service_id: &str, version: i64) -> Result<ServiceDef> {
    let row = sqlx::query(
        "SELECT definition FROM service_versions WHERE service_id = $1 AND version = $2",
    )
    .bind(service_id)
    .bind(version)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    decode_def(&row.try_get::<String, _>(0)?)
}

// ---- cases ----

/// A case as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    pub id: String,
    pub number: String,
    pub service_id: String,
    pub service_version: i64,
    pub resident_id: String,
    pub channel: String,
    pub assisted_by: Option<String>,
    pub status: String,
    pub data: BTreeMap<String, String>,
    pub department: String,
    pub assignee_id: Option<String>,
    pub submitted_at: i64,
    pub due_date: String,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
}

const CASE_COLUMNS: &str = "id, number, service_id, service_version, resident_id, channel, assisted_by, status, data, \
     department, assignee_id, submitted_at, due_date, updated_at, closed_at";

fn decode_case(r: &sqlx::any::AnyRow) -> Result<Case> {
    let data: String = r.try_get(8)?;
    Ok(Case {
        id: r.try_get(0)?,
        number: r.try_get(1)?,
        service_id: r.try_get(2)?,
        service_version: r.try_get(3)?,
        resident_id: r.try_get(4)?,
        channel: r.try_get(5)?,
        assisted_by: r.try_get(6)?,
        status: r.try_get(7)?,
        data: serde_json::from_str(&data)
            .map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))?,
        department: r.try_get(9)?,
        assignee_id: r.try_get(10)?,
        submitted_at: r.try_get(11)?,
        due_date: r.try_get(12)?,
        updated_at: r.try_get(13)?,
        closed_at: r.try_get(14)?,
    })
}

/// What a new case needs; `data` was validated by the service's rules.
pub struct NewCase<'a> {
    pub service: &'a Service,
    pub resident_id: &'a str,
    pub channel: Channel,
    pub assisted_by: Option<&'a str>,
    pub data: &'a BTreeMap<String, String>,
    pub year: i16,
    pub due_date: &'a str,
}

/// The next case number of `year`, atomically (a counter row per year).
async fn next_number(tx: &mut Tx, year: i16) -> Result<i64> {
    sqlx::query(
        "INSERT INTO case_counters (year, last) VALUES ($1, 0) ON CONFLICT (year) DO NOTHING",
    )
    .bind(i64::from(year))
    .execute(&mut **tx)
    .await?;
    let row =
        sqlx::query("UPDATE case_counters SET last = last + 1 WHERE year = $1 RETURNING last")
            .bind(i64::from(year))
            .fetch_one(&mut **tx)
            .await?;
    Ok(row.try_get(0)?)
}

/// Creates a case in the service's initial state, with its first timeline
/// event and audit row. Returns the case.
pub async fn create_case(tx: &mut Tx, actor: &Actor, new: NewCase<'_>) -> Result<Case> {
    let id = new_id();
    let n = next_number(tx, new.year).await?;
    let number = case_number(new.year, n);
    let now = now_ms();
    let data = serde_json::to_string(new.data)
        .map_err(|e| StoreError::Db(sqlx::Error::Encode(Box::new(e))))?;
    let def = &new.service.def;
    sqlx::query(
        "INSERT INTO cases (id, number, service_id, service_version, resident_id, channel, assisted_by, status, data, \
         department, submitted_at, due_date, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11)",
    )
    .bind(&id)
    .bind(&number)
    .bind(&new.service.id)
    .bind(new.service.version)
    .bind(new.resident_id)
    .bind(new.channel.as_str())
    .bind(new.assisted_by.map(str::to_owned))
    .bind(&def.initial)
    .bind(&data)
    .bind(&def.department)
    .bind(now)
    .bind(new.due_date)
    .execute(&mut **tx)
    .await?;
    add_event(
        tx,
        &id,
        Event {
            kind: "submitted",
            from_status: None,
            to_status: Some(&def.initial),
            transition: None,
            actor_id: actor.user_id(),
            body: None,
            internal: false,
        },
    )
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "case.submit",
            record_type: "case",
            record_id: &number,
            subject_user_id: Some(new.resident_id),
            before: None,
            after: Some(json!({ "service": def.slug, "version": new.service.version,
                               "channel": new.channel.as_str(), "status": def.initial })),
        },
    )
    .await?;
    get_case_tx(tx, &number).await?.ok_or(StoreError::NotFound)
}

async fn get_case_tx(tx: &mut Tx, number: &str) -> Result<Option<Case>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE number = $1"
    )))
    .bind(number)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(decode_case).transpose()
}

pub async fn get_case(store: &Store, number: &str) -> Result<Option<Case>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE number = $1"
    )))
    .bind(number)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_case).transpose()
}

/// A resident's cases, newest first.
pub async fn case_by_id(store: &Store, id: &str) -> Result<Option<Case>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_case).transpose()
}

pub async fn cases_of_resident(store: &Store, resident_id: &str) -> Result<Vec<Case>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE resident_id = $1 ORDER BY submitted_at DESC, number DESC"
    )))
    .bind(resident_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_case).collect()
}

/// Filters for the back office's work queue ('' matches everything).
#[derive(Debug, Default, Clone)]
pub struct QueueFilter {
    pub department: String,
    pub service_id: String,
    pub status: String,
    pub assignee_id: String,
    /// Only open cases whose due date is before this date (`YYYY-MM-DD`).
    pub overdue_before: String,
    pub open_only: bool,
    pub limit: i64,
}

/// The work queue: sorted by due date, then number.
pub async fn queue(store: &Store, f: &QueueFilter) -> Result<Vec<Case>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases \
         WHERE ($1 = '' OR department = $1) AND ($2 = '' OR service_id = $2) AND ($3 = '' OR status = $3) \
           AND ($4 = '' OR assignee_id = $4) AND ($5 = '' OR (due_date < $5 AND closed_at IS NULL)) \
           AND ($6 = 0 OR closed_at IS NULL) \
         ORDER BY due_date, number LIMIT $7"
    )))
    .bind(&f.department)
    .bind(&f.service_id)
    .bind(&f.status)
    .bind(&f.assignee_id)
    .bind(&f.overdue_before)
    .bind(i64::from(f.open_only))
    .bind(f.limit.clamp(1, 1000))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_case).collect()
}

/// Open cases past their due date.
pub async fn overdue_count(store: &Store, department: &str, today: &str) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM cases WHERE ($1 = '' OR department = $1) AND closed_at IS NULL AND due_date < $2",
    )
    .bind(department)
    .bind(today)
    .fetch_one(store.pool())
    .await?;
    Ok(row.try_get(0)?)
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct CaseEvent {
    pub id: String,
    pub at: i64,
    /// `submitted`, `transition`, `message_in` (from the resident),
    /// `message_out` (to the resident), `note` (internal), `assigned`.
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub transition: Option<String>,
    pub actor_id: Option<String>,
    pub body: Option<String>,
    pub internal: bool,
}

pub struct Event<'a> {
    pub kind: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: Option<&'a str>,
    pub transition: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    pub body: Option<&'a str>,
    pub internal: bool,
}

async fn add_event(tx: &mut Tx, case_id: &str, e: Event<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_events (id, case_id, at, kind, from_status, to_status, transition, actor_id, body, internal) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(case_id)
    .bind(now_ms())
    .bind(e.kind)
    .bind(e.from_status.map(str::to_owned))
    .bind(e.to_status.map(str::to_owned))
    .bind(e.transition.map(str::to_owned))
    .bind(e.actor_id.map(str::to_owned))
    .bind(e.body.map(str::to_owned))
    .bind(i64::from(e.internal))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A case's timeline, oldest first; internal notes only when asked.
pub async fn events(store: &Store, case_id: &str, with_internal: bool) -> Result<Vec<CaseEvent>> {
    let rows = sqlx::query(
        "SELECT id, at, kind, from_status, to_status, transition, actor_id, body, internal FROM case_events \
         WHERE case_id = $1 AND ($2 = 1 OR internal = 0) ORDER BY at, id",
    )
    .bind(case_id)
    .bind(i64::from(with_internal))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CaseEvent {
                id: r.try_get(0)?,
                at: r.try_get(1)?,
                kind: r.try_get(2)?,
                from_status: r.try_get(3)?,
                to_status: r.try_get(4)?,
                transition: r.try_get(5)?,
                actor_id: r.try_get(6)?,
                body: r.try_get(7)?,
                internal: r.try_get::<i64, _>(8)? != 0,
            })
        })
        .collect()
}

/// Takes a transition. The status is compared and set in one statement, so
/// two handlers acting at once cannot both move the case: the second gets a
/// `case-changed` field error and nothing changes.
pub async fn transition(
    tx: &mut Tx,
    actor: &Actor,
    case: &Case,
    t: &TransitionDef,
    to_is_final: bool,
    reason: &str,
) -> Result<()> {
    let now = now_ms();
    let n = sqlx::query(
        "UPDATE cases SET status = $1, updated_at = $2, closed_at = $3 WHERE id = $4 AND status = $5",
    )
    .bind(&t.to)
    .bind(now)
    .bind(to_is_final.then_some(now))
    .bind(&case.id)
    .bind(&case.status)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Invalid(Invalid::one(
            "transition",
            "case-changed",
        )));
    }
    let reason = reason.trim();
    add_event(
        tx,
        &case.id,
        Event {
            kind: "transition",
            from_status: Some(&case.status),
            to_status: Some(&t.to),
            transition: Some(&t.key),
            actor_id: actor.user_id(),
            body: (!reason.is_empty()).then_some(reason),
            internal: false,
        },
    )
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "case.transition",
            record_type: "case",
            record_id: &case.number,
            subject_user_id: Some(&case.resident_id),
            before: Some(json!({ "status": case.status })),
            after: Some(json!({ "status": t.to, "transition": t.key })),
        },
    )
    .await
}

/// Adds a message or an internal note to the timeline.
pub async fn add_message(
    tx: &mut Tx,
    actor: &Actor,
    case: &Case,
    kind: &str,
    body: &str,
) -> Result<()> {
    let internal = kind == "note";
    add_event(
        tx,
        &case.id,
        Event {
            kind,
            from_status: None,
            to_status: None,
            transition: None,
            actor_id: actor.user_id(),
            body: Some(body),
            internal,
        },
    )
    .await?;
    sqlx::query("UPDATE cases SET updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(&case.id)
        .execute(&mut **tx)
        .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: match kind {
                "note" => "case.note",
                "message_in" => "case.message_in",
                _ => "case.message_out",
            },
            record_type: "case",
            record_id: &case.number,
            subject_user_id: Some(&case.resident_id),
            before: None,
            after: Some(json!({ "length": body.chars().count() })),
        },
    )
    .await
}

/// Assigns a case to a handler (or to nobody).
pub async fn assign(tx: &mut Tx, actor: &Actor, case: &Case, assignee: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE cases SET assignee_id = $1, updated_at = $2 WHERE id = $3")
        .bind(assignee.map(str::to_owned))
        .bind(now_ms())
        .bind(&case.id)
        .execute(&mut **tx)
        .await?;
    add_event(
        tx,
        &case.id,
        Event {
            kind: "assigned",
            from_status: None,
            to_status: None,
            transition: None,
            actor_id: actor.user_id(),
            body: assignee,
            internal: true,
        },
    )
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "case.assign",
            record_type: "case",
            record_id: &case.number,
            subject_user_id: Some(&case.resident_id),
            before: Some(json!({ "assignee": case.assignee_id })),
            after: Some(json!({ "assignee": assignee })),
        },
    )
    .await
}

// ---- drafts ----

/// Saves what a resident typed so far (a draft per person and service).
pub async fn save_draft(
    store: &Store,
    user_id: &str,
    service_id: &str,
    data: &BTreeMap<String, String>,
) -> Result<()> {
    let json = serde_json::to_string(data)
        .map_err(|e| StoreError::Db(sqlx::Error::Encode(Box::new(e))))?;
    sqlx::query(
        "INSERT INTO case_drafts (user_id, service_id, data, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, service_id) DO UPDATE SET data = $3, updated_at = $4",
    )
    .bind(user_id)
    .bind(service_id)
    .bind(json)
    .bind(now_ms())
    .execute(store.pool())
    .await?;
    Ok(())
}

pub async fn get_draft(
    store: &Store,
    user_id: &str,
    service_id: &str,
) -> Result<Option<(BTreeMap<String, String>, i64)>> {
    let row = sqlx::query(
        "SELECT data, updated_at FROM case_drafts WHERE user_id = $1 AND service_id = $2",
    )
    .bind(user_id)
    .bind(service_id)
    .fetch_optional(store.pool())
    .await?;
    match row {
        Some(r) => {
            let json: String = r.try_get(0)?;
            let data = serde_json::from_str(&json).unwrap_or_default();
            Ok(Some((data, r.try_get(1)?)))
        }
        None => Ok(None),
    }
}

pub async fn delete_draft(tx: &mut Tx, user_id: &str, service_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM case_drafts WHERE user_id = $1 AND service_id = $2")
        .bind(user_id)
        .bind(service_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

// ---- uploaded files ----

/// An uploaded file's record (the bytes live on disk at `path`).
#[derive(Debug, Clone, Serialize)]
pub struct CaseFile {
    pub id: String,
    pub owner_id: String,
    pub service_id: String,
    pub field_key: String,
    pub case_id: Option<String>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    #[serde(skip)]
    pub path: String,
    pub created_at: i64,
}

fn decode_file(r: &sqlx::any::AnyRow) -> Result<CaseFile> {
    Ok(CaseFile {
        id: r.try_get(0)?,
        owner_id: r.try_get(1)?,
        service_id: r.try_get(2)?,
        field_key: r.try_get(3)?,
        case_id: r.try_get(4)?,
        filename: r.try_get(5)?,
        content_type: r.try_get(6)?,
        size: r.try_get(7)?,
        sha256: r.try_get(8)?,
        path: r.try_get(9)?,
        created_at: r.try_get(10)?,
    })
}

/// What a stored upload is.
pub struct NewFile<'a> {
    pub id: &'a str,
    pub owner_id: &'a str,
    pub service_id: &'a str,
    pub field_key: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub path: &'a str,
}

/// Records an upload for a draft, replacing the draft's earlier file for the
/// same field. Returns the paths of replaced files (to delete from disk).
pub async fn add_draft_file(tx: &mut Tx, f: NewFile<'_>) -> Result<Vec<String>> {
    let old = sqlx::query(
        "DELETE FROM case_files WHERE owner_id = $1 AND service_id = $2 AND field_key = $3 AND case_id IS NULL RETURNING path",
    )
    .bind(f.owner_id)
    .bind(f.service_id)
    .bind(f.field_key)
    .fetch_all(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO case_files (id, owner_id, service_id, field_key, filename, content_type, size, sha256, path, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(f.id)
    .bind(f.owner_id)
    .bind(f.service_id)
    .bind(f.field_key)
    .bind(f.filename)
    .bind(f.content_type)
    .bind(f.size)
    .bind(f.sha256)
    .bind(f.path)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    old.iter().map(|r| Ok(r.try_get::<String, _>(0)?)).collect()
}

/// The files of a person's draft for a service.
pub async fn draft_files(store: &Store, owner_id: &str, service_id: &str) -> Result<Vec<CaseFile>> {
    let rows = sqlx::query(
        "SELECT id, owner_id, service_id, field_key, case_id, filename, content_type, size, sha256, path, created_at \
         FROM case_files WHERE owner_id = $1 AND service_id = $2 AND case_id IS NULL ORDER BY field_key",
    )
    .bind(owner_id)
    .bind(service_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_file).collect()
}

/// Moves a draft's files to the case.
pub async fn attach_draft_files(
    tx: &mut Tx,
    owner_id: &str,
    service_id: &str,
    case_id: &str,
) -> Result<u64> {
    Ok(sqlx::query("UPDATE case_files SET case_id = $1 WHERE owner_id = $2 AND service_id = $3 AND case_id IS NULL")
        .bind(case_id)
        .bind(owner_id)
        .bind(service_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

pub async fn case_files(store: &Store, case_id: &str) -> Result<Vec<CaseFile>> {
    let rows = sqlx::query(
        "SELECT id, owner_id, service_id, field_key, case_id, filename, content_type, size, sha256, path, created_at \
         FROM case_files WHERE case_id = $1 ORDER BY created_at, id",
    )
    .bind(case_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_file).collect()
}

pub async fn get_file(store: &Store, id: &str) -> Result<Option<CaseFile>> {
    let row = sqlx::query(
        "SELECT id, owner_id, service_id, field_key, case_id, filename, content_type, size, sha256, path, created_at \
         FROM case_files WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_file).transpose()
}

// ---- issued documents ----

/// A document Loket issued for a case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseDocument {
    pub id: String,
    pub case_id: String,
    /// `receipt`, `decision` or `permit`.
    pub kind: String,
    pub lang: String,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    #[serde(skip)]
    pub path: String,
    pub verify_code: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
}

const DOC_COLUMNS: &str = "id, case_id, kind, lang, filename, size, sha256, path, verify_code, valid_from, valid_until, revoked_at, created_at";

fn decode_document(r: &sqlx::any::AnyRow) -> Result<CaseDocument> {
    Ok(CaseDocument {
        id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        kind: r.try_get(2)?,
        lang: r.try_get(3)?,
        filename: r.try_get(4)?,
        size: r.try_get(5)?,
        sha256: r.try_get(6)?,
        path: r.try_get(7)?,
        verify_code: r.try_get(8)?,
        valid_from: r.try_get(9)?,
        valid_until: r.try_get(10)?,
        revoked_at: r.try_get(11)?,
        created_at: r.try_get(12)?,
    })
}

/// A verification code people can type: 16 characters of Crockford's
/// base32 (no I, L, O, U), 80 random bits, in groups of four.
pub fn new_verify_code() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes: [u8; 16] = rand::random();
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Normalises a typed verification code (case, spaces, look-alikes).
pub fn normalize_verify_code(input: &str) -> String {
    let cleaned: String = input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .take(16)
        .collect();
    cleaned
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// What an issued document is.
pub struct NewDocument<'a> {
    pub id: &'a str,
    pub case: &'a Case,
    pub kind: &'a str,
    pub lang: &'a str,
    pub filename: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub path: &'a str,
    pub verify_code: Option<&'a str>,
    pub valid_from: Option<&'a str>,
    pub valid_until: Option<&'a str>,
}

pub async fn add_document(tx: &mut Tx, actor: &Actor, d: NewDocument<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_documents (id, case_id, kind, lang, filename, size, sha256, path, verify_code, valid_from, valid_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(d.id)
    .bind(&d.case.id)
    .bind(d.kind)
    .bind(d.lang)
    .bind(d.filename)
    .bind(d.size)
    .bind(d.sha256)
    .bind(d.path)
    .bind(d.verify_code.map(str::to_owned))
    .bind(d.valid_from.map(str::to_owned))
    .bind(d.valid_until.map(str::to_owned))
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "case.document",
            record_type: "case",
            record_id: &d.case.number,
            subject_user_id: Some(&d.case.resident_id),
            before: None,
            after: Some(json!({ "document": d.id, "kind": d.kind, "sha256": d.sha256 })),
        },
    )
    .await
}

pub async fn case_documents(store: &Store, case_id: &str) -> Result<Vec<CaseDocument>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOC_COLUMNS} FROM case_documents WHERE case_id = $1 ORDER BY created_at, id"
    )))
    .bind(case_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_document).collect()
}

pub async fn get_document(store: &Store, id: &str) -> Result<Option<CaseDocument>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOC_COLUMNS} FROM case_documents WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_document).transpose()
}

pub async fn document_by_code(store: &Store, code: &str) -> Result<Option<CaseDocument>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOC_COLUMNS} FROM case_documents WHERE verify_code = $1"
    )))
    .bind(code)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_document).transpose()
}

// ---- payment files (premiums) ----

/// Open cases of a service in a status (e.g. approved premiums), oldest first.
pub async fn cases_in_status(store: &Store, service_id: &str, status: &str) -> Result<Vec<Case>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE service_id = $1 AND status = $2 ORDER BY submitted_at, id"
    )))
    .bind(service_id)
    .bind(status)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_case).collect()
}

/// A SEPA payment file as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentExport {
    pub id: String,
    pub message_id: String,
    pub created_by: String,
    pub created_at: i64,
    pub execution_date: String,
    pub count: i64,
    pub total_cents: i64,
    pub sha256: String,
}

const EXPORT_COLUMNS: &str =
    "id, message_id, created_by, created_at, execution_date, count, total_cents, sha256";

fn decode_export(r: &sqlx::any::AnyRow) -> Result<PaymentExport> {
    Ok(PaymentExport {
        id: r.try_get(0)?,
        message_id: r.try_get(1)?,
        created_by: r.try_get(2)?,
        created_at: r.try_get(3)?,
        execution_date: r.try_get(4)?,
        count: r.try_get(5)?,
        total_cents: r.try_get(6)?,
        sha256: r.try_get(7)?,
    })
}

/// Records a payment file and the cases it pays. A case already in another
/// file makes the whole insert fail (`payment-already-exported`).
pub async fn add_export(
    tx: &mut Tx,
    actor: &Actor,
    export: &PaymentExport,
    xml: &str,
    items: &[(&Case, i64)],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO payment_exports (id, message_id, created_by, created_at, execution_date, count, total_cents, sha256, xml) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&export.id)
    .bind(&export.message_id)
    .bind(&export.created_by)
    .bind(export.created_at)
    .bind(&export.execution_date)
    .bind(export.count)
    .bind(export.total_cents)
    .bind(&export.sha256)
    .bind(xml)
    .execute(&mut **tx)
    .await?;
    for (case, cents) in items {
        let n = sqlx::query(
            "INSERT INTO payment_export_items (export_id, case_id, amount_cents) VALUES ($1, $2, $3) \
             ON CONFLICT (case_id) DO NOTHING",
        )
        .bind(&export.id)
        .bind(&case.id)
        .bind(*cents)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Invalid(Invalid::one(
                "cases",
                "payment-already-exported",
            )));
        }
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "payments.export",
            record_type: "payment_export",
            record_id: &export.id,
            subject_user_id: None,
            before: None,
            after: Some(json!({
                "message_id": export.message_id,
                "count": export.count,
                "total_cents": export.total_cents,
                "sha256": export.sha256,
                "cases": items.iter().map(|(c, _)| c.number.as_str()).collect::<Vec<_>>(),
            })),
        },
    )
    .await
}

pub async fn list_exports(store: &Store) -> Result<Vec<PaymentExport>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {EXPORT_COLUMNS} FROM payment_exports ORDER BY created_at DESC, id DESC"
    )))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_export).collect()
}

/// A payment file with its XML and the residents it pays (for the access log).
pub async fn get_export(
    store: &Store,
    id: &str,
) -> Result<Option<(PaymentExport, String, Vec<String>)>> {
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {EXPORT_COLUMNS}, xml FROM payment_exports WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    else {
        return Ok(None);
    };
    let export = decode_export(&row)?;
    let xml: String = row.try_get(8)?;
    let residents = sqlx::query(
        "SELECT c.resident_id FROM payment_export_items i JOIN cases c ON c.id = i.case_id WHERE i.export_id = $1",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>(0))
    .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Some((export, xml, residents)))
}

/// Moves a case's due date (the handling clock stood still while the case
/// waited for the resident).
pub async fn set_due_date(tx: &mut Tx, actor: &Actor, case: &Case, due: &str) -> Result<()> {
    sqlx::query("UPDATE cases SET due_date = $1 WHERE id = $2")
        .bind(due)
        .bind(&case.id)
        .execute(&mut **tx)
        .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "case.due_date",
            record_type: "case",
            record_id: &case.number,
            subject_user_id: Some(&case.resident_id),
            before: Some(json!({ "due_date": case.due_date })),
            after: Some(json!({ "due_date": due })),
        },
    )
    .await
}

// ---- the admin's service editor ----

/// One stored version of a service's definition.
#[derive(Debug, Clone)]
pub struct ServiceVersion {
    pub version: i64,
    pub created_at: i64,
    /// The e-mail address of who saved it (none for the seed).
    pub created_by: Option<String>,
}

/// Every version of a service, newest first.
pub async fn list_versions(store: &Store, service_id: &str) -> Result<Vec<ServiceVersion>> {
    let rows = sqlx::query(
        "SELECT v.version, v.created_at, u.email FROM service_versions v \
         LEFT JOIN users u ON u.id = v.created_by \
         WHERE v.service_id = $1 ORDER BY v.version DESC",
    )
    .bind(service_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ServiceVersion {
                version: r.try_get(0)?,
                created_at: r.try_get(1)?,
                created_by: r.try_get(2)?,
            })
        })
        .collect()
}

/// Whether a service with this slug exists (in the transaction).
pub async fn slug_taken(tx: &mut Tx, slug: &str) -> Result<bool> {
    let row = sqlx::query("SELECT id FROM services WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some())
}

/// Shows or hides a service in the public catalogue, with an audit row.
/// Cases already submitted are not touched. Returns whether it changed.
pub async fn set_active(
    tx: &mut Tx,
    actor: &Actor,
    service_id: &str,
    active: bool,
) -> Result<bool> {
    let changed = sqlx::query(
        "UPDATE services SET active = $1, updated_at = $2 WHERE id = $3 AND active <> $1",
    )
    .bind(i64::from(active))
    .bind(now_ms())
    .bind(service_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    audit::record(
        tx,
        actor,
        Change {
            action: if active {
                "service.activate"
            } else {
                "service.deactivate"
            },
            record_type: "service",
            record_id: service_id,
            subject_user_id: None,
            before: Some(json!({ "active": !active })),
            after: Some(json!({ "active": active })),
        },
    )
    .await?;
    Ok(true)
}

/// Adds a file straight to a submitted case (e.g. a document the resident
/// sends with an answer to an information request).
pub async fn add_case_file(tx: &mut Tx, case: &Case, f: NewFile<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_files (id, owner_id, service_id, field_key, filename, content_type, size, sha256, path, created_at, case_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(f.id)
    .bind(f.owner_id)
    .bind(f.service_id)
    .bind(f.field_key)
    .bind(f.filename)
    .bind(f.content_type)
    .bind(f.size)
    .bind(f.sha256)
    .bind(f.path)
    .bind(now_ms())
    .bind(&case.id)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        &Actor::User(f.owner_id.to_owned()),
        Change {
            action: "case.file",
            record_type: "case",
            record_id: &case.number,
            subject_user_id: Some(&case.resident_id),
            before: None,
            after: Some(json!({ "file": f.id, "name": f.filename, "sha256": f.sha256 })),
        },
    )
    .await
}
