//! Staff records and telework: HR imports staff members from CSV and records
//! leave; a staff member registers telework days in a month calendar; their
//! manager approves or rejects the month; HR sets the allowance rule, closes
//! a month, downloads the payroll file and reads the dashboard.
//!
//! A staff member is the signed-in account whose e-mail is on a staff
//! record; a manager is the staff member named as others' `manager`
//! (a relation, not a role). HR pages are for the roles `hr` and `admin`.

pub mod api;
pub mod days;
pub mod hr;
pub mod staff;

use crate::AppState;
use crate::error::AppError;
use crate::forms::{FormError, FormErrors, labelled_message};
use crate::i18n::Locale;
use axum::Router;
use axum::routing::{get, post};
use loket_domain::Invalid;
use loket_domain::people::Role;
use loket_domain::telework::{CsvError, Month};
use loket_store::people::User;
use loket_store::telework::{self as store, StaffMember};

/// Who administers staff records, rules, closing and the payroll export.
pub const HR_ROLES: &[Role] = &[Role::Hr, Role::Admin];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/telework", get(days::calendar).post(days::save))
        .route("/telework/team", get(days::team))
        .route("/telework/team/decide", post(days::decide))
        .route("/staff/people", get(staff::list))
        .route("/staff/people.csv", get(staff::list_csv))
        .route(
            "/staff/people/import",
            get(staff::import_form)
                .post(staff::import)
                .layer(axum::extract::DefaultBodyLimit::max(4 * 1024 * 1024)),
        )
        .route(
            "/staff/people/leave/import",
            get(staff::leave_import_form)
                .post(staff::leave_import)
                .layer(axum::extract::DefaultBodyLimit::max(4 * 1024 * 1024)),
        )
        .route("/staff/people/{no}", get(staff::detail))
        .route("/staff/people/{no}/leave", post(staff::add_leave))
        .route("/staff/people/{no}/correction", post(staff::add_correction))
        .route("/staff/telework", get(hr::overview))
        .route("/staff/telework/close", post(hr::close))
        .route("/staff/telework/corrections.csv", get(hr::corrections_csv))
        .route("/staff/telework/export/{month}", get(hr::export))
        .route("/staff/telework/settings", get(hr::settings))
        .route("/staff/telework/settings/rule", post(hr::add_rule))
        .route("/staff/telework/settings/tax-free", post(hr::save_tax_free))
        .route("/staff/telework/settings/holiday", post(hr::save_holiday))
        .route(
            "/staff/telework/settings/holiday/remove",
            post(hr::remove_holiday),
        )
        .route("/staff/telework/settings/export", post(hr::save_layout))
        .route("/staff/telework/dashboard", get(hr::dashboard))
}

/// The staff record of a signed-in account (same e-mail), if any.
pub async fn staff_of(state: &AppState, user: &User) -> Result<Option<StaffMember>, AppError> {
    Ok(store::staff_by_email(&state.store, &user.email).await?)
}

/// The month asked for, or the current one.
pub fn month_or_current(s: &str) -> Month {
    Month::parse(s).unwrap_or_else(|_| Month::of(crate::i18n::today_brussels()))
}

/// Import errors in the user's language: "line 3, column manager: …".
pub fn csv_errors(locale: Locale, errors: &[CsvError]) -> Vec<CsvErrorRow> {
    errors
        .iter()
        .map(|e| {
            let fe = loket_domain::FieldError {
                field: e.column.clone(),
                code: e.code,
                value: e.value.clone(),
            };
            CsvErrorRow {
                line: e.line,
                column: e.column.clone(),
                message: labelled_message(locale, &fe, e.column.clone()),
            }
        })
        .collect()
}

pub struct CsvErrorRow {
    pub line: usize,
    pub column: String,
    pub message: String,
}

/// Day errors (the field is the date) as form errors that link to the
/// day's select (`d-YYYY-MM-DD`).
pub fn day_errors(locale: Locale, inv: &Invalid) -> FormErrors {
    FormErrors {
        items: inv
            .0
            .iter()
            .map(|e| {
                let is_day = e.field.len() == 10 && e.field.as_bytes().get(4) == Some(&b'-');
                FormError {
                    field: if is_day {
                        format!("d-{}", e.field)
                    } else {
                        e.field.clone()
                    },
                    message: labelled_message(locale, e, e.field.clone()),
                }
            })
            .collect(),
    }
}
