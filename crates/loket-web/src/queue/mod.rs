//! The ticket queue at the counters: check-in at the kiosk (appointment
//! code or walk-in ticket), desks calling visitors, the waiting-room
//! display and the door display (live over Server-Sent Events), the
//! counter zone's head count, and the queue statistics.
//!
//! Pages and the API share the paths here: `check_in_code`, `walk_in`,
//! `call_next`, `finish` and `snapshot`.

pub mod api;
pub mod desk;
pub mod display;
pub mod kiosk;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use loket_domain::people::Role;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kiosk/{location}", get(kiosk::page))
        .route("/kiosk/{location}/check-in", post(kiosk::check_in))
        .route("/kiosk/{location}/walk-in", post(kiosk::walk_in))
        .route("/queue/tickets/{id}", get(kiosk::ticket))
        .route("/queue/tickets/{id}/ticket.pdf", get(kiosk::ticket_pdf))
        .route("/queue/{location}/display", get(display::display))
        .route("/queue/{location}/door", get(display::door))
        .route("/queue/{location}/events", get(display::events))
        .route("/queue/{location}/state.json", get(display::state_json))
        .route("/static/queue.js", get(display::script))
        .route("/staff/desks", get(desk::list))
        .route("/staff/desks/{id}", get(desk::page))
        .route("/staff/desks/{id}/call", post(desk::call))
        .route("/staff/desks/{id}/recall", post(desk::recall))
        .route("/staff/desks/{id}/finish", post(desk::finish))
        .route("/staff/desks/{id}/transfer", post(desk::transfer))
        .route("/staff/desks/{id}/link-case", post(desk::link_case))
        .route("/staff/desks/{id}/left", post(desk::left))
        .route("/staff/queue", get(desk::overview))
        .route("/staff/queue/zone", post(desk::correct_zone))
        .route("/staff/queue/stats", get(desk::stats))
        .route("/admin/queue/{location}", post(desk::save_zone))
        .route("/admin/queue/services/{id}", post(desk::save_prefix))
}

/// Staff at the desks.
pub const DESK_STAFF: &[Role] = &[Role::Counter];
/// Who sees the queue overview and statistics.
pub const QUEUE_STAFF: &[Role] = &[Role::Counter, Role::Admin];

// The use cases this context's pages and API call (loket-app).
pub use loket_app::queue::{
    CalledRow, DeskRef, Snapshot, TicketView, WalkInError, ZoneFull, call_next, call_rules,
    check_in_code, check_in_window, desk, finish, kiosk_allowed, kiosk_key, location, services_at,
    snapshot, view, walk_in,
};
