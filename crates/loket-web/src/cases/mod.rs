//! Online services and cases: the catalogue, the application form (with
//! drafts and a confirmation step), "my cases" with the timeline, and the
//! back office's work queue and case page.

pub mod admin;
pub mod api;
pub mod assisted;
pub mod backoffice;
pub mod documents;
pub mod files;
pub mod letters;
pub mod payments;
pub mod resident;
pub mod webhooks;

use crate::AppState;
use crate::forms::FormErrors;
use crate::i18n::Locale;
use axum::Router;
use axum::routing::{get, post};
use loket_domain::cases::{ADDRESS_PARTS, FieldDef, FieldKind, ServiceDef};
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services", get(resident::catalogue))
        .route("/services/{slug}", get(resident::service_page))
        .route(
            "/services/{slug}/apply",
            get(resident::apply_form).post(resident::apply).layer(
                axum::extract::DefaultBodyLimit::max(4 * loket_domain::cases::MAX_UPLOAD_BYTES),
            ),
        )
        .route("/services/{slug}/confirm", get(resident::confirm_page))
        .route("/services/{slug}/submit", post(resident::submit))
        .route("/cases", get(resident::my_cases))
        .route("/cases/{number}", get(resident::case_page))
        .route(
            "/cases/{number}/messages",
            post(resident::message).layer(axum::extract::DefaultBodyLimit::max(
                2 * loket_domain::cases::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/cases/{number}/files/{id}", get(resident::file))
        .route("/cases/{number}/documents/{id}", get(resident::document))
        .route(
            "/staff/cases/{number}/documents/{id}",
            get(backoffice::document),
        )
        .route("/verify", get(resident::verify_form))
        .route("/verify/{code}", get(resident::verify))
        .route("/staff/cases/{number}/files/{id}", get(backoffice::file))
        .route("/staff/cases", get(backoffice::queue))
        .route("/staff/cases.csv", get(backoffice::queue_csv))
        .route("/staff/cases/{number}", get(backoffice::case_page))
        .route(
            "/staff/cases/{number}/audit.csv",
            get(backoffice::audit_csv),
        )
        .route(
            "/staff/cases/{number}/transition",
            post(backoffice::transition),
        )
        .route("/staff/cases/{number}/note", post(backoffice::note))
        .route("/staff/cases/{number}/message", post(backoffice::message))
        .route("/staff/cases/{number}/assign", post(backoffice::assign))
        .route("/staff/residents", get(assisted::search))
        .route(
            "/staff/residents/new",
            get(assisted::new_form).post(assisted::create),
        )
        .route("/staff/residents/{id}", get(assisted::file))
        .route(
            "/staff/residents/{id}/cases.csv",
            get(assisted::file_cases_csv),
        )
        .route(
            "/staff/residents/{id}/apply/{slug}",
            get(assisted::apply_form).post(assisted::apply).layer(
                axum::extract::DefaultBodyLimit::max(4 * loket_domain::cases::MAX_UPLOAD_BYTES),
            ),
        )
        .route("/staff/letters", get(letters::letters_page))
        .route("/staff/letters/batch", post(letters::batch))
        .route("/staff/letters/waiting.csv", get(letters::waiting_csv))
        .route("/staff/letters/batches", get(letters::batches_page))
        .route("/staff/letters/batches.csv", get(letters::batches_csv))
        .route("/staff/letters/batches/{id}", get(letters::batch_file))
        .route(
            "/admin/webhooks",
            get(webhooks::webhooks_page).post(webhooks::add),
        )
        .route("/admin/webhooks/{id}/disable", post(webhooks::disable))
        .route("/staff/payments", get(payments::payments_page))
        .route("/staff/payments/export", post(payments::export))
        .route("/staff/payments/files.csv", get(payments::files_csv))
        .route("/staff/payments/{id}", get(payments::file))
        .route("/admin/services", get(admin::services))
        .route(
            "/admin/services/new",
            get(admin::new_form).post(admin::create),
        )
        .route(
            "/admin/services/{slug}",
            get(admin::edit_form).post(admin::update),
        )
}

/// A form field as a template shows it.
pub struct FieldView {
    pub key: String,
    pub label: String,
    pub help: String,
    /// `text`, `textarea`, `date`, `address`, `select`, `yesno`, `file`,
    /// `number`, `amount`.
    pub widget: &'static str,
    pub required: bool,
    pub value: String,
    pub error: Option<String>,
    /// For `select`: (value, label, selected).
    pub options: Vec<(String, String, bool)>,
    /// For `address`: (input name, label, value, error).
    pub parts: Vec<(String, String, String, Option<String>)>,
    /// The `autocomplete` token, where one applies.
    pub autocomplete: &'static str,
    /// For `file`: the name of the file already uploaded for this field.
    pub file_name: Option<String>,
}

impl FieldView {
    /// `aria-describedby` for the input: the hint and the error, if any.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.help.is_empty() {
            ids.push(format!("{}-hint", self.key));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.key));
        }
        ids.join(" ")
    }
}

fn widget(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::Text {
            multiline: true, ..
        }
        | FieldKind::NationalNumbers => "textarea",
        FieldKind::Text { .. }
        | FieldKind::NationalNumber
        | FieldKind::LicencePlate
        | FieldKind::Iban => "text",
        FieldKind::Email => "email",
        FieldKind::Date { .. } => "date",
        FieldKind::Address { .. } => "address",
        FieldKind::Choice { .. } => "select",
        FieldKind::YesNo => "yesno",
        FieldKind::Number { .. } => "number",
        FieldKind::Amount { .. } => "amount",
        FieldKind::File => "file",
    }
}

/// The form's fields with the values typed so far and their errors.
pub fn field_views(
    def: &ServiceDef,
    locale: Locale,
    values: &BTreeMap<String, String>,
    files: &BTreeMap<String, String>,
    errors: &FormErrors,
) -> Vec<FieldView> {
    let lang = locale.code();
    def.fields
        .iter()
        .map(|f: &FieldDef| {
            let value = values.get(&f.key).cloned().unwrap_or_default();
            let options = match &f.kind {
                FieldKind::Choice { options } => options
                    .iter()
                    .map(|o| {
                        (
                            o.value.clone(),
                            o.label.get(lang).to_owned(),
                            o.value == value,
                        )
                    })
                    .collect(),
                FieldKind::YesNo => vec![
                    ("yes".to_owned(), locale.t("yes"), value == "yes"),
                    ("no".to_owned(), locale.t("no"), value == "no"),
                ],
                _ => Vec::new(),
            };
            let parts = if matches!(f.kind, FieldKind::Address { .. }) {
                ADDRESS_PARTS
                    .iter()
                    .map(|p| {
                        let name = format!("{}_{p}", f.key);
                        let label = locale.t(&format!("address-{}", p.replace('_', "-")));
                        let v = values.get(&name).cloned().unwrap_or_default();
                        let e = errors.get(&name).map(str::to_owned);
                        (name, label, v, e)
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let error = if parts.is_empty() {
                errors.get(&f.key).map(str::to_owned)
            } else {
                None
            };
            FieldView {
                key: f.key.clone(),
                label: f.label.get(lang).to_owned(),
                help: f.help.get(lang).to_owned(),
                widget: widget(&f.kind),
                required: f.required,
                value,
                error,
                options,
                parts,
                autocomplete: match &f.kind {
                    FieldKind::Email => "email",
                    FieldKind::Iban => "off",
                    _ => "",
                },
                file_name: files.get(&f.key).cloned(),
            }
        })
        .collect()
}

pub use loket_app::cases::{CaseNews, case_mail, field_label, summary_rows};
