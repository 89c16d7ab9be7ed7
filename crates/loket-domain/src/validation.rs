//! Field-level validation errors.
//!
//! The domain names the field and a message *code*; the web layer turns the
//! code into a sentence in the user's language (Fluent message id
//! `err-<code>`), so the rules stay free of any language.

use serde::Serialize;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name, as in the form or the JSON body (`email`, `password`).
    pub field: String,
    /// A stable code, e.g. `email-invalid`. The Fluent id is `err-<code>`.
    pub code: &'static str,
    /// A value the message names (Fluent variable `$value`), e.g. the
    /// highest amount allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        Self {
            field: field.into(),
            code,
            value: None,
        }
    }

    /// An error whose message names `value` (e.g. a maximum).
    pub fn with_value(field: impl Into<String>, code: &'static str, value: String) -> Self {
        Self {
            field: field.into(),
            code,
            value: Some(value),
        }
    }
}

/// A set of field errors: the input was refused and nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.code)).collect::<Vec<_>>().join(", "))]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(field: impl Into<String>, code: &'static str) -> Self {
        Self(vec![FieldError::new(field, code)])
    }

    pub fn push(&mut self, field: impl Into<String>, code: &'static str) {
        self.0.push(FieldError::new(field, code));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Records the error of `result` (renamed to `field`) and returns its value.
    pub fn check<T>(&mut self, field: &str, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(FieldError {
                    field: field.to_owned(),
                    code: e.code,
                    value: e.value,
                });
                None
            }
        }
    }

    /// `Ok(())` when no error was collected.
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl From<FieldError> for Invalid {
    fn from(e: FieldError) -> Self {
        Self(vec![e])
    }
}
