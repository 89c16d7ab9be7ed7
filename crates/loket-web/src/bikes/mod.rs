//! The service-bike pool: staff reserve a bike by site, time window and type,
//! pick it up, return it with kilometres and any damage; fleet managers keep
//! the fleet and read the dashboard. Pages and the API share the booking
//! path here.

pub mod api;
pub mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use loket_domain::people::Role;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bikes", get(pages::mine).post(pages::reserve))
        .route("/bikes/reservations/{id}", get(pages::detail))
        .route("/bikes/reservations/{id}/pick-up", post(pages::pick_up))
        .route("/bikes/reservations/{id}/return", post(pages::return_bike))
        .route("/bikes/reservations/{id}/cancel", post(pages::cancel))
        .route("/staff/bikes", get(pages::fleet).post(pages::add_bike))
        .route("/staff/bikes/sites", post(pages::add_site))
        .route("/staff/bikes/{id}/status", post(pages::set_status))
        .route("/staff/bikes/dashboard", get(pages::dashboard))
        .route("/staff/bikes/settings", post(pages::save_settings))
}

/// Every staff member may reserve a bike.
pub const RIDERS: &[Role] = &Role::STAFF;

// The use cases this context's pages and API call (loket-app).
pub use loket_app::bikes::{
    FLEET, Offer, Refused, Request, allowed, local, nearest, reserve_for, return_for,
};
