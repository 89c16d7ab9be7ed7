//! Files residents upload: checked by their content (PDF, JPEG, PNG),
//! stored outside the web root with their SHA-256, and recorded as a
//! draft's file or attached to a case at once.

use crate::{App, Refusal};
use loket_domain::cases::{check_upload, safe_filename};
use loket_store::cases::{self as store, NewFile};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// One uploaded file, as received.
pub struct Upload {
    pub field: String,
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

fn file_path(dir: &Path, id: &str) -> PathBuf {
    dir.join("uploads")
        .join(id.get(..8).unwrap_or("misc"))
        .join(id)
}

/// Checks and stores the uploads of a draft. Returns the field errors of
/// refused files (the other files are kept).
pub async fn store_uploads(
    app: &App,
    owner_id: &str,
    service_id: &str,
    file_fields: &[String],
    uploads: Vec<Upload>,
) -> Result<loket_domain::Invalid, Refusal> {
    let mut inv = loket_domain::Invalid::default();
    for up in uploads {
        if !file_fields.contains(&up.field) {
            continue;
        }
        let content_type = match check_upload(&up.bytes, &up.content_type, &up.filename) {
            Ok(t) => t,
            Err(code) => {
                inv.push(&up.field, code);
                continue;
            }
        };
        let id = loket_store::new_id();
        let path = file_path(&app.config.files_dir, &id);
        let sha = hex::encode(Sha256::digest(&up.bytes));
        crate::write_file(&path, &up.bytes).await?;
        let mut tx = app.store.begin().await?;
        let path_text = path.to_string_lossy().into_owned();
        let replaced = store::add_draft_file(
            &mut tx,
            NewFile {
                id: &id,
                owner_id,
                service_id,
                field_key: &up.field,
                filename: &safe_filename(&up.filename),
                content_type,
                size: i64::try_from(up.bytes.len()).unwrap_or(i64::MAX),
                sha256: &sha,
                path: &path_text,
            },
        )
        .await?;
        tx.commit().await?;
        for old in replaced {
            let _ = tokio::fs::remove_file(old).await;
        }
    }
    Ok(inv)
}

/// Checks and stores a file the resident sends with a message, attached to
/// the case at once. Returns the stored file name, or the field error.
pub async fn store_reply_file(
    app: &App,
    case: &loket_store::cases::Case,
    up: &Upload,
) -> Result<Result<String, loket_domain::Invalid>, Refusal> {
    let content_type = match check_upload(&up.bytes, &up.content_type, &up.filename) {
        Ok(t) => t,
        Err(code) => return Ok(Err(loket_domain::Invalid::one("attachment", code))),
    };
    let id = loket_store::new_id();
    let path = file_path(&app.config.files_dir, &id);
    let sha = hex::encode(Sha256::digest(&up.bytes));
    crate::write_file(&path, &up.bytes).await?;
    let name = safe_filename(&up.filename);
    let path_text = path.to_string_lossy().into_owned();
    let mut tx = app.store.begin().await?;
    store::add_case_file(
        &mut tx,
        case,
        NewFile {
            id: &id,
            owner_id: &case.resident_id,
            service_id: &case.service_id,
            field_key: "attachment",
            filename: &name,
            content_type,
            size: i64::try_from(up.bytes.len()).unwrap_or(i64::MAX),
            sha256: &sha,
            path: &path_text,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(name))
}
