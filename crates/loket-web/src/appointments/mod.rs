//! Counters by appointment: residents book, reschedule and cancel (signed in,
//! or from a signed link in the e-mail), staff book by phone and mark
//! no-shows, admins set locations, desks, services, hours and closed days.
//! Pages, the API and the reminder worker share the booking path here.

pub mod admin;
pub mod api;
pub mod resident;
pub mod staff;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use loket_domain::people::Role;
use loket_domain::{FieldError, Invalid};

// The use cases this context's pages and API call (loket-app).
pub use loket_app::appointments::{
    FreeSlot, MailKind, Refused, SLOT_FULL, appointment_mail, book_for, book_linked, cancel_appt,
    free_slots, local, nearest_free, reschedule_to, resident_of, resolve, send_reminders, sign,
    verify,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/appointments", get(resident::mine))
        .route(
            "/appointments/book",
            get(resident::book_form).post(resident::book),
        )
        .route("/appointments/{id}", get(resident::detail))
        .route("/appointments/{id}/cancel", post(resident::cancel))
        .route(
            "/appointments/{id}/reschedule",
            get(resident::reschedule_form).post(resident::reschedule),
        )
        .route("/staff/appointments", get(staff::day))
        .route(
            "/staff/appointments/new",
            get(staff::new_form).post(staff::book),
        )
        .route("/staff/appointments/{id}/no-show", post(staff::no_show))
        .route("/staff/appointments/{id}/cancel", post(staff::cancel))
        .route(
            "/admin/appointments",
            get(admin::overview).post(admin::save_settings),
        )
        .route("/admin/appointments/services", post(admin::save_service))
        .route("/admin/appointments/locations", post(admin::new_location))
        .route(
            "/admin/appointments/locations/{slug}",
            get(admin::location_page).post(admin::save_location),
        )
        .route(
            "/admin/appointments/locations/{slug}/desks",
            post(admin::save_desk),
        )
}

/// Staff who book for residents and see the day's appointments.
pub const COUNTER_STAFF: &[Role] = &[Role::Counter, Role::ContactCentre];
pub const ADMINS: &[Role] = &[Role::Admin];

// ---- rate limit ----

/// Counts one booking action (book, move, cancel) of resident `who`;
/// refused past `limits::BOOKINGS_PER_RESIDENT` (counted in the database,
/// so across instances).
pub async fn rate_ok(state: &AppState, who: &str) -> Result<(), crate::error::AppError> {
    Ok(loket_app::limits::check(state, &loket_domain::limits::BOOKINGS_PER_RESIDENT, who).await?)
}

/// Field errors as a form shows them (the `start` field names the slot).
pub fn field_error(code: &'static str, field: &str) -> Invalid {
    Invalid(vec![FieldError::new(field, code)])
}
