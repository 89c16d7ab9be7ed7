//! Issued documents: sending a stored one (the use cases that issue them
//! live in `loket_app::cases::documents`).

use crate::error::AppError;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use loket_store::cases::CaseDocument;

pub use loket_app::cases::documents::{
    document_rows, issue, issue_all, recipient_lines, status_letter,
};

/// Sends a stored document.
pub async fn send(doc: &CaseDocument) -> Result<Response, AppError> {
    let bytes = tokio::fs::read(&doc.path)
        .await
        .map_err(|e| AppError::Internal(format!("document {}: {e}", doc.id)))?;
    let mut res = Body::from(bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        doc.filename.replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '.',
            "_"
        )
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}
