//! The ICT inventory: assets with labels (PDF sheet and ZPL), check-out to a
//! staff member or a place with a hand-over document the staff member
//! acknowledges, check-in with a condition note, overdue loans, audits by
//! scanning tags, bulk import and bulk check-out, and the equipment pages
//! ("my equipment", per person, and what a leaver must return).

pub mod api;
pub mod pages;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use loket_domain::people::Role;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/assets", get(pages::list))
        .route("/staff/assets.csv", get(pages::list_csv))
        .route("/staff/assets/new", get(pages::new_form).post(pages::add))
        .route(
            "/staff/assets/import",
            get(pages::import_form)
                .post(pages::import)
                .layer(axum::extract::DefaultBodyLimit::max(4 * 1024 * 1024)),
        )
        .route(
            "/staff/assets/check-out",
            get(pages::checkout_form).post(pages::check_out),
        )
        .route("/staff/assets/labels", get(pages::labels_form))
        .route("/staff/assets/labels/file", get(pages::labels_file))
        .route("/staff/assets/overdue", get(pages::overdue))
        .route("/staff/assets/overdue.csv", get(pages::overdue_csv))
        .route(
            "/staff/assets/audit",
            get(pages::audit_form).post(pages::audit),
        )
        .route("/staff/assets/{id}", get(pages::detail))
        .route("/staff/assets/{id}/check-in", post(pages::check_in))
        .route("/staff/assets/{id}/status", post(pages::set_status))
        .route("/staff/equipment", get(pages::people))
        .route("/staff/equipment/{user_id}", get(pages::person))
        .route("/equipment", get(pages::mine))
        .route("/equipment/handovers/{id}", get(pages::handover))
        .route("/equipment/handovers/{id}/pdf", get(pages::handover_pdf))
        .route(
            "/equipment/handovers/{id}/acknowledge",
            post(pages::acknowledge),
        )
}

/// ICT asset managers keep the inventory.
pub const ICT: &[Role] = &[Role::Ict];
/// ICT and HR see a person's equipment and what a leaver must return.
pub const ICT_HR: &[Role] = &[Role::Ict, Role::Hr];
/// Every staff member sees their own equipment.
pub const STAFF: &[Role] = &Role::STAFF;

// The use cases this context's pages and API call (loket-app).
pub use loket_app::assets::{CheckOut, check_out_for, handover_doc, today_tuple};
