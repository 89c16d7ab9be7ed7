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
use loket_domain::cases::{ADDRESS_PARTS, FieldDef, FieldKind, ServiceDef, format_cents};
use loket_domain::notify::Mail;
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
        .route("/staff/cases/{number}", get(backoffice::case_page))
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
            "/staff/residents/{id}/apply/{slug}",
            get(assisted::apply_form).post(assisted::apply).layer(
                axum::extract::DefaultBodyLimit::max(4 * loket_domain::cases::MAX_UPLOAD_BYTES),
            ),
        )
        .route("/staff/letters", get(letters::letters_page))
        .route("/staff/letters/batch", post(letters::batch))
        .route("/staff/letters/batches/{id}", get(letters::batch_file))
        .route(
            "/admin/webhooks",
            get(webhooks::webhooks_page).post(webhooks::add),
        )
        .route("/admin/webhooks/{id}/disable", post(webhooks::disable))
        .route("/staff/payments", get(payments::payments_page))
        .route("/staff/payments/export", post(payments::export))
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

/// The label of a service form's field (or address part) for error messages.
pub fn field_label(def: &ServiceDef, locale: Locale, key: &str) -> Option<String> {
    let lang = locale.code();
    if let Some(f) = def.field(key) {
        return Some(f.label.get(lang).to_owned());
    }
    for f in &def.fields {
        if let Some(part) = key.strip_prefix(&format!("{}_", f.key))
            && ADDRESS_PARTS.contains(&part)
        {
            let part_label = locale.t(&format!("address-{}", part.replace('_', "-")));
            return Some(format!("{} — {}", f.label.get(lang), part_label));
        }
    }
    None
}

/// The values of a submitted case as (label, shown value) rows.
pub fn summary_rows(
    def: &ServiceDef,
    locale: Locale,
    data: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let lang = locale.code();
    let mut rows = Vec::new();
    for f in &def.fields {
        let shown = match &f.kind {
            FieldKind::Address { .. } => {
                let get = |p: &str| {
                    data.get(&format!("{}_{p}", f.key))
                        .cloned()
                        .unwrap_or_default()
                };
                if get("street").is_empty() {
                    continue;
                }
                let bus = get("box");
                let bus = if bus.is_empty() {
                    String::new()
                } else {
                    format!(" {} {bus}", locale.t("address-box"))
                };
                format!(
                    "{} {}{bus}, {} {}",
                    get("street"),
                    get("number"),
                    get("postal_code"),
                    get("city")
                )
            }
            FieldKind::File => continue,
            FieldKind::Amount { .. } => {
                match data.get(&f.key).and_then(|v| v.parse::<i64>().ok()) {
                    Some(c) => format!("€ {}", format_cents(c)),
                    None => continue,
                }
            }
            FieldKind::Choice { options } => match data.get(&f.key) {
                Some(v) => options
                    .iter()
                    .find(|o| &o.value == v)
                    .map(|o| o.label.get(lang).to_owned())
                    .unwrap_or_default(),
                None => continue,
            },
            FieldKind::YesNo => match data.get(&f.key).map(String::as_str) {
                Some("yes") => locale.t("yes"),
                Some("no") => locale.t("no"),
                _ => continue,
            },
            _ => match data.get(&f.key) {
                Some(v) if !v.is_empty() => v.clone(),
                _ => continue,
            },
        };
        rows.push((f.label.get(lang).to_owned(), shown));
    }
    rows.extend(def.derived(data, lang));
    rows
}

/// What a case e-mail tells.
pub struct CaseNews<'a> {
    pub number: &'a str,
    pub service: &'a str,
    pub status_label: &'a str,
    pub explanation: &'a str,
    pub reason: &'a str,
    /// The receipt (true) or a status change (false).
    pub received: bool,
}

/// The e-mail a resident gets when a case is received or changes state.
pub fn case_mail(
    config: &crate::WebConfig,
    locale: Locale,
    to: &loket_domain::ident::Email,
    name: &str,
    news: &CaseNews<'_>,
) -> Mail {
    let link = format!(
        "{}/cases/{}",
        config.public_url.trim_end_matches('/'),
        news.number
    );
    let reason = news.reason.trim();
    let args = [
        ("name", name.to_owned()),
        ("city", config.city_name.clone()),
        ("number", news.number.to_owned()),
        ("service", news.service.to_owned()),
        ("status", news.status_label.to_owned()),
        ("explanation", news.explanation.to_owned()),
        (
            "reason",
            if reason.is_empty() {
                "-".to_owned()
            } else {
                reason.to_owned()
            },
        ),
        ("link", link),
    ];
    let kind = if news.received { "received" } else { "status" };
    Mail {
        to: to.clone(),
        subject: locale.t_args(&format!("mail-case-{kind}-subject"), &args),
        body: locale.t_args(&format!("mail-case-{kind}-body"), &args),
    }
}
