//! Staff shifts of the vaccination centre (issue 5, "Staff shifts"): the
//! planner (vaccination coordinator) defines roles, qualifications and
//! shifts, reads the coverage and assigns people (overriding a working-time
//! rule with a reason); every staff member may volunteer: see the open
//! shifts their qualifications allow, sign up, cancel, and subscribe to a
//! calendar feed at a secret URL. Reminders go the day before; changes and
//! cancellations are mailed to the people on the shift. Pages and the API
//! share the sign-up path here.

pub mod api;
pub mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use loket_domain::people::Role;

// The use cases this context's pages and API call (loket-app).
pub use loket_app::shifts::{
    ChangeKind, add_days, feed_token, feed_token_valid, feed_url, is_rule_breach, local,
    notify_people, send_reminders, sign_up_for,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/shifts", get(pages::volunteer))
        .route("/shifts/{id}/sign-up", post(pages::sign_up))
        .route("/shifts/{id}/cancel", post(pages::cancel_mine))
        .route("/shifts/feed", post(pages::regenerate_feed))
        .route("/shifts/feed/{file}", get(pages::feed))
        .route("/staff/shifts", get(pages::planner).post(pages::create))
        .route("/staff/shifts.csv", get(pages::shifts_csv))
        .route(
            "/staff/shifts/roles",
            get(pages::roles).post(pages::add_role),
        )
        .route(
            "/staff/shifts/qualifications",
            post(pages::add_qualification),
        )
        .route("/staff/shifts/rules", post(pages::save_rules))
        .route("/staff/shifts/coverage", get(pages::coverage))
        .route("/staff/shifts/people", get(pages::people))
        .route(
            "/staff/shifts/people/qualification",
            post(pages::set_qualification),
        )
        .route("/staff/shifts/{id}", get(pages::shift))
        .route("/staff/shifts/{id}/assign", post(pages::assign))
        .route("/staff/shifts/{id}/change", post(pages::change))
        .route("/staff/shifts/{id}/cancel", post(pages::cancel_shift))
}

/// The planner: roles, shifts, coverage, assignments, overrides.
pub const PLANNERS: &[Role] = &[Role::VaccinationCoordinator];
/// Every staff member may volunteer.
pub const VOLUNTEERS: &[Role] = &Role::STAFF;

/// The days a planner or volunteer sees ahead by default.
pub const DAYS_AHEAD: i64 = 21;
