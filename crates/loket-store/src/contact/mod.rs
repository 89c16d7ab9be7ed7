//! The contact centre's tables: departments, knowledge-base articles with
//! their versions and search index, views, contact moments and forwards.
//!
//! Search is portable: the index rows are computed in Rust
//! ([`loket_domain::contact::index_document`]) and looked up with plain
//! equality and `substr(term, 1, CAST(n AS INTEGER)) = prefix` (no collation-dependent range
//! comparisons), then ranked by BM25 in Rust. The same on both databases.

use crate::audit::{Change, record};
use crate::{Result, Store, StoreError, Tx, new_id, now_ms};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::contact::{
    self as rules, ArticleDraft, ForwardStatus, LANGS, MomentDraft, MomentStatus, Posting,
    index_document, parse_query,
};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct Department {
    pub id: String,
    pub slug: String,
    pub name_nl: String,
    pub name_en: String,
    pub sla_days: i64,
}

impl Department {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.name_en
        } else {
            &self.name_nl
        }
    }
}

fn department_of(r: &AnyRow) -> Result<Department> {
    Ok(Department {
        id: r.try_get("id")?,
        slug: r.try_get("slug")?,
        name_nl: r.try_get("name_nl")?,
        name_en: r.try_get("name_en")?,
        sla_days: r.try_get("sla_days")?,
    })
}

/// Adds or updates a department (by slug). Returns its id.
pub async fn save_department(
    tx: &mut Tx,
    actor: &Actor,
    slug: &str,
    name_nl: &str,
    name_en: &str,
    sla_days: i64,
) -> Result<String> {
    let row = sqlx::query(
        "INSERT INTO contact_departments (id, slug, name_nl, name_en, sla_days, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slug) DO UPDATE SET name_nl = $3, \
         name_en = $4, sla_days = $5 RETURNING id",
    )
    .bind(new_id())
    .bind(slug)
    .bind(name_nl)
    .bind(name_en)
    .bind(sla_days)
    .bind(now_ms())
    .fetch_one(&mut **tx)
    .await?;
    let id: String = row.try_get("id")?;
    record(
        tx,
        actor,
        Change {
            action: "contact.department.save",
            record_type: "contact_department",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"slug": slug, "sla_days": sla_days})),
        },
    )
    .await?;
    Ok(id)
}

pub async fn list_departments(store: &Store) -> Result<Vec<Department>> {
    let rows = sqlx::query(
        "SELECT id, slug, name_nl, name_en, sla_days FROM contact_departments ORDER BY name_nl",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(department_of).collect()
}

/// The department with this slug or id.
pub async fn department(store: &Store, key: &str) -> Result<Option<Department>> {
    let row = sqlx::query(
        "SELECT id, slug, name_nl, name_en, sla_days FROM contact_departments WHERE slug = $1 OR id = $1",
    )
    .bind(key)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(department_of).transpose()
}

mod articles;
mod forwards;
mod history;
mod moments;
mod report;

pub use articles::*;
pub use forwards::*;
pub use history::*;
pub use moments::*;
pub use report::*;
