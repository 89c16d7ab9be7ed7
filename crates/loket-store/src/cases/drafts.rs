//! Drafts and uploaded files.

use super::*;

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
            let json: String = r.try_get("data")?;
            let data = serde_json::from_str(&json).unwrap_or_default();
            Ok(Some((data, r.try_get("updated_at")?)))
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

pub(super) fn decode_file(r: &sqlx::any::AnyRow) -> Result<CaseFile> {
    Ok(CaseFile {
        id: r.try_get("id")?,
        owner_id: r.try_get("owner_id")?,
        service_id: r.try_get("service_id")?,
        field_key: r.try_get("field_key")?,
        case_id: r.try_get("case_id")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        path: r.try_get("path")?,
        created_at: r.try_get("created_at")?,
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
    old.iter()
        .map(|r| Ok(r.try_get::<String, _>("path")?))
        .collect()
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
