//! Uploads: a service form may be sent as `multipart/form-data` with files.
//! Files are checked by their content, stored outside the web root with
//! their SHA-256, and downloadable only by their resident and by handlers.

use crate::error::AppError;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use loket_domain::cases::safe_filename;
use loket_store::cases::CaseFile;

pub use crate::common::{ServiceForm, Upload};

pub use loket_app::cases::files::{store_reply_file, store_uploads};

/// Sends a stored file as a download (never rendered inline by the browser).
pub async fn download(file: &CaseFile) -> Result<Response, AppError> {
    let bytes = tokio::fs::read(&file.path)
        .await
        .map_err(|e| AppError::Internal(format!("file {}: {e}", file.id)))?;
    let mut res = Body::from(bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let disposition = format!(
        "attachment; filename=\"{}\"",
        safe_filename(&file.filename).replace(|c: char| !c.is_ascii(), "_")
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    Ok(res)
}
