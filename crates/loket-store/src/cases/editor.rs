//! The admin's service editor.

use super::*;

/// One stored version of a service's definition.
#[derive(Debug, Clone)]
pub struct ServiceVersion {
    pub version: i64,
    pub created_at: i64,
    /// The e-mail address of who saved it (none for the seed).
    pub created_by: Option<String>,
}

/// The version list's cursors: keyset on the version number (unique per
/// service), newest first.
pub const VERSION_PAGING: Spec = Spec {
    list: "cases.service_versions",
    keys: &[KeyKind::Int],
};

/// One page of a service's versions, newest first (every publish adds one,
/// so the list is paged like every other list that grows).
pub async fn versions_page(
    store: &Store,
    service_id: &str,
    pq: &PageQuery,
) -> Result<Page<ServiceVersion>> {
    paging::Select::new(
        "SELECT v.version, v.created_at, u.email FROM service_versions v \
         LEFT JOIN users u ON u.id = v.created_by \
         WHERE v.service_id = $1",
        &["v.version"],
        Order::Desc,
    )
    .arg(service_id)
    .page(
        store,
        pq,
        &VERSION_PAGING,
        |r| {
            Ok(ServiceVersion {
                version: r.try_get("version")?,
                created_at: r.try_get("created_at")?,
                created_by: r.try_get("email")?,
            })
        },
        |v| vec![Key::from(v.version)],
    )
    .await
}

/// How many versions a service has, up to `cap`.
pub async fn versions_total(store: &Store, service_id: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM service_versions WHERE service_id = $1 LIMIT $2) t",
    )
    .bind(service_id)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
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
