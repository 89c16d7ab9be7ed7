//! The service catalogue (versioned definitions) and cases with their
//! timeline. A case keeps the version of the definition it was submitted
//! under, so editing a service never changes cases already submitted.

use crate::audit::{self, Change};
use crate::paging::{self, Order};
use crate::{Result, Store, StoreError, Tx, new_id, now_ms};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::cases::{Channel, ServiceDef, TransitionDef, case_number};
use loket_domain::paging::{Cursor, Key, KeyKind, Page, PageQuery, Spec, Total};
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
    let json: String = r.try_get("definition")?;
    Ok(Service {
        id: r.try_get("id")?,
        version: r.try_get("version")?,
        active: r.try_get::<i64, _>("active")? != 0,
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
            let id: String = r.try_get("id")?;
            let version: i64 = r.try_get("version")?;
            let old: String = r.try_get("definition")?;
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
    decode_def(&row.try_get::<String, _>("definition")?)
}

mod documents;
mod drafts;
mod editor;
mod numbers;

pub use documents::*;
pub use drafts::*;
pub use editor::*;
pub use numbers::*;
