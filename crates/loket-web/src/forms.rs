//! Form errors for people: each names the field and says how to fix it, in
//! the user's language. Forms re-render with the input kept and an error
//! summary at the top that links to each field.

use crate::i18n::Locale;
use loket_domain::Invalid;
use loket_domain::validation::FieldError;

/// The sentence for one field error: `err-<code>` with the field's label.
pub fn field_message(locale: Locale, e: &FieldError) -> String {
    field_message_in(locale, e, None)
}

/// Like [`field_message`], with a context's own label first:
/// `field-<context>-<field>`, then `field-<field>`. Labels are shared across
/// contexts, and the same field name means different things (`code` is an
/// appointment code at the counter and an invitation or label code at the
/// vaccination centre).
pub fn field_message_in(locale: Locale, e: &FieldError, context: Option<&str>) -> String {
    let field = e.field.replace('_', "-");
    let label = context
        .map(|c| format!("field-{c}-{field}"))
        .into_iter()
        .chain([format!("field-{field}")])
        .find(|id| locale.has(id))
        .map(|id| locale.t(&id))
        .unwrap_or_else(|| e.field.clone());
    labelled_message(locale, e, label)
}

/// The message of `e` with the field called `label`.
pub fn labelled_message(locale: Locale, e: &FieldError, label: String) -> String {
    locale.t_args(
        &format!("err-{}", e.code),
        &[
            ("field", label),
            ("value", e.value.clone().unwrap_or_default()),
        ],
    )
}

/// The errors of one submitted form, in the user's language.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    pub items: Vec<FormError>,
}

#[derive(Debug, Clone)]
pub struct FormError {
    pub field: String,
    pub message: String,
}

impl FormErrors {
    pub fn from_invalid(locale: Locale, inv: &Invalid) -> Self {
        Self {
            items: inv
                .0
                .iter()
                .map(|e| FormError {
                    field: e.field.clone(),
                    message: field_message(locale, e),
                })
                .collect(),
        }
    }

    /// Like [`FormErrors::from_invalid`], with a context's own labels first
    /// (see [`field_message_in`]).
    pub fn from_invalid_in(locale: Locale, inv: &Invalid, context: &str) -> Self {
        Self {
            items: inv
                .0
                .iter()
                .map(|e| FormError {
                    field: e.field.clone(),
                    message: field_message_in(locale, e, Some(context)),
                })
                .collect(),
        }
    }

    /// Like [`FormErrors::from_invalid`], with the field labels given by
    /// `label` (for forms whose fields are data, like a service's form).
    pub fn from_invalid_labelled(
        locale: Locale,
        inv: &Invalid,
        label: impl Fn(&str) -> Option<String>,
    ) -> Self {
        Self {
            items: inv
                .0
                .iter()
                .map(|e| FormError {
                    field: e.field.clone(),
                    message: match label(&e.field) {
                        Some(l) => labelled_message(locale, e, l),
                        None => field_message(locale, e),
                    },
                })
                .collect(),
        }
    }

    /// A form-wide message (not tied to one field), shown in the summary.
    pub fn general(message: String) -> Self {
        Self {
            items: vec![FormError {
                field: String::new(),
                message,
            }],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Whether `field` has an error (for `aria-invalid`).
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }
}
