//! The web layer's core, shared by every context: rendering a template,
//! serving a vendored script, and reading a form that may carry files
//! (service forms, CSV imports).

use crate::AppState;
use crate::api::api_locale;
use crate::error::AppError;
use askama::Template;
use axum::extract::{Form, FromRequest, Multipart, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::collections::BTreeMap;

/// A rendered template with its status.
pub fn render(status: StatusCode, t: impl Template) -> Result<Response, AppError> {
    Ok((status, Html(t.render()?)).into_response())
}

/// A static file that ships inside the binary, cached for an hour.
pub fn asset(content_type: &'static str, body: impl IntoResponse) -> Response {
    with_headers(content_type, "public, max-age=3600", body)
}

/// A vendored script, cached for an hour.
pub fn script(body: &'static str) -> Response {
    asset("text/javascript; charset=utf-8", body)
}

/// A script that must be fetched fresh every time (a service worker and
/// the offline page's code).
pub fn fresh_script(body: &'static str) -> Response {
    with_headers("text/javascript; charset=utf-8", "no-cache", body)
}

fn with_headers(
    content_type: &'static str,
    cache: &'static str,
    body: impl IntoResponse,
) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// One uploaded file, as received (the app layer stores it).
pub use loket_app::cases::files::Upload;

/// Files one form (an application, a message) may carry.
pub const MAX_FILES_PER_FORM: usize = 10;

/// A service form: its text values and files, from an urlencoded or a
/// multipart body. A multipart body is read only for a signed-in person,
/// and only after its first field, the CSRF token, matched: nothing of an
/// upload is read before. The body limit (`DefaultBodyLimit`) holds while
/// it streams, and a form carries at most [`MAX_FILES_PER_FORM`] files.
pub struct ServiceForm {
    pub values: BTreeMap<String, String>,
    pub uploads: Vec<Upload>,
}

impl FromRequest<AppState> for ServiceForm {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let _ = api_locale(req.headers());
        let is_multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !is_multipart {
            let Form(values) = Form::<BTreeMap<String, String>>::from_request(req, state)
                .await
                .map_err(|e| AppError::Internal(format!("form: {e}")))?;
            return Ok(ServiceForm {
                values,
                uploads: Vec::new(),
            });
        }
        // Before any of the body is read: only a signed-in person uploads.
        let ctx = req
            .extensions()
            .get::<crate::people::session::Ctx>()
            .cloned()
            .ok_or(AppError::Unauthorized)?;
        if ctx.user.is_none() {
            return Err(AppError::Unauthorized);
        }
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|e| AppError::Internal(format!("multipart: {e}")))?;
        let mut values = BTreeMap::new();
        let mut uploads = Vec::new();
        let mut first = true;
        while let Some(mut field) = mp.next_field().await.map_err(|_| AppError::TooLarge)? {
            let name = field.name().unwrap_or_default().to_owned();
            if first {
                // The form's first field is its CSRF token (every template
                // puts it first): checked before a file is read.
                first = false;
                if name != "csrf" {
                    return Err(AppError::Csrf);
                }
                let mut token = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| AppError::TooLarge)? {
                    token.extend_from_slice(&chunk);
                    if token.len() > 128 {
                        return Err(AppError::Csrf);
                    }
                }
                let token = String::from_utf8(token).map_err(|_| AppError::Csrf)?;
                ctx.check_csrf(&token)?;
                values.insert(name, token);
                continue;
            }
            if name.is_empty() || name.len() > 80 || values.len() + uploads.len() > 120 {
                continue;
            }
            if field.file_name().is_some_and(|f| !f.is_empty())
                && uploads.len() >= MAX_FILES_PER_FORM
            {
                return Err(AppError::Invalid(loket_domain::Invalid(vec![
                    loket_domain::FieldError::with_value(
                        &name,
                        "upload-too-many",
                        MAX_FILES_PER_FORM.to_string(),
                    ),
                ])));
            }
            match field.file_name().map(str::to_owned) {
                Some(filename) => {
                    let content_type = field.content_type().unwrap_or_default().to_owned();
                    let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
                    // A file input left empty still sends an empty part.
                    if !(filename.is_empty() && bytes.is_empty()) {
                        uploads.push(Upload {
                            field: name,
                            filename,
                            content_type,
                            bytes: bytes.to_vec(),
                        });
                    }
                }
                None => {
                    let text = field.text().await.map_err(|_| AppError::TooLarge)?;
                    values.insert(name, text);
                }
            }
        }
        Ok(ServiceForm { values, uploads })
    }
}

/// The CSV text of an import form: the uploaded file (`file`), else the
/// text area (`text`). A file is read as UTF-8 (a byte-order mark is
/// dropped), or else as Windows-1252, which Excel on Windows writes: its
/// `’ € œ` are not Latin-1's control characters.
pub fn csv_text(form: &ServiceForm) -> String {
    match form.uploads.iter().find(|u| u.field == "file") {
        Some(u) => decode_text(&u.bytes),
        None => form.values.get("text").cloned().unwrap_or_default(),
    }
}

/// Bytes of a text file as UTF-8, or else as Windows-1252.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::decode_text;

    #[test]
    fn csv_files_from_excel_on_windows() {
        // "Dany’s café € œ" as Windows-1252.
        let cp1252 = b"Dany\x92s caf\xe9 \x80 \x9c";
        assert_eq!(decode_text(cp1252), "Dany’s café € œ");
        assert_eq!(decode_text("Zoë;€".as_bytes()), "Zoë;€");
        assert_eq!(decode_text(b"\xEF\xBB\xBFnaam;rrn"), "naam;rrn");
    }
}
