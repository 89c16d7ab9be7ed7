//! The vaccination centre: campaigns and invitations (coordinator), booking
//! by invitation code behind a fair waiting room (public, no account), the
//! reserve list, check-in with a barcode scanner and labels, the station
//! flow and the observation room, the live dashboard, the day report and
//! the registry export, and the mobile teams' offline page.
//!
//! Bookings use the appointments' slot machinery (see
//! `loket_store::vaccination`).

pub mod api;
pub mod centre;
pub mod coord;
pub mod mobile;
pub mod public;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use loket_domain::people::Role;

// The use cases this context's pages and API call (loket-app).
pub use loket_app::vaccination::{
    MailKind, OFFER_HORIZON_MS, OFFER_TRAVEL_MS, SlotView, booking_ics, booking_link, booking_mail,
    campaign, invitation_mail, link_key, offer_mail, open_slots, pick_slot, queue_booking_mail,
    run_offers, send_reminders,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        // Residents (no account).
        .route("/vaccinatie", get(public::landing))
        .route("/vaccinatie/{c}", get(public::entry))
        .route("/vaccinatie/{c}/wachtrij", get(public::waiting))
        .route("/vaccinatie/{c}/login", post(public::login))
        .route(
            "/vaccinatie/{c}/afspraak",
            get(public::booking_page).post(public::book),
        )
        .route("/vaccinatie/{c}/annuleren", post(public::cancel))
        .route("/vaccinatie/{c}/afspraak.ics", get(public::ics))
        .route(
            "/vaccinatie/{c}/reservelijst",
            get(public::reserve_form).post(public::reserve_sign_up),
        )
        .route(
            "/vaccinatie/{c}/reservelijst/bevestig/{id}",
            get(public::reserve_confirm_page).post(public::reserve_confirm),
        )
        .route(
            "/vaccinatie/{c}/aanbod/{id}",
            get(public::offer_page).post(public::accept_offer),
        )
        .route("/static/vaccination.js", get(centre::script))
        // Coordinator.
        .route("/staff/vaccination", get(coord::list))
        .route("/staff/vaccination/campaigns", post(coord::create))
        .route(
            "/staff/vaccination/campaigns.csv",
            get(coord::campaigns_csv),
        )
        .route("/staff/vaccination/{c}", get(coord::campaign_page))
        .route("/staff/vaccination/{c}/import", post(coord::import))
        .route(
            "/staff/vaccination/{c}/letters",
            get(coord::letter_batches).post(coord::letters),
        )
        .route(
            "/staff/vaccination/{c}/letters/{batch}",
            get(coord::letters_pdf),
        )
        .route(
            "/staff/vaccination/{c}/invitations.csv",
            get(coord::invitations_csv),
        )
        .route(
            "/staff/vaccination/{c}/invitations/{id}",
            get(coord::invitation_page),
        )
        .route(
            "/staff/vaccination/{c}/invitations/{id}/book",
            post(coord::book_for),
        )
        .route(
            "/staff/vaccination/{c}/invitations/{id}/cancel",
            post(coord::cancel_for),
        )
        .route("/staff/vaccination/{c}/offers", post(coord::offers))
        .route("/staff/vaccination/{c}/reserve", get(coord::reserve_list))
        .route(
            "/staff/vaccination/{c}/reserve.csv",
            get(coord::reserve_csv),
        )
        .route("/staff/vaccination/{c}/dashboard", get(coord::dashboard))
        .route(
            "/staff/vaccination/{c}/figures.json",
            get(coord::figures_json),
        )
        .route("/staff/vaccination/{c}/events", get(coord::events))
        .route("/staff/vaccination/{c}/report", get(coord::report))
        .route("/staff/vaccination/{c}/export.csv", get(coord::export))
        .route(
            "/staff/vaccination/{c}/conflicts/{id}",
            post(coord::resolve),
        )
        .route("/staff/vaccination/{c}/mobile", post(coord::plan_mobile))
        // Centre staff.
        .route(
            "/staff/vaccination/{c}/check-in",
            get(centre::check_in_page).post(centre::look_up),
        )
        .route(
            "/staff/vaccination/{c}/check-in/confirm",
            post(centre::confirm),
        )
        .route(
            "/staff/vaccination/{c}/visits/{id}/label.pdf",
            get(centre::label_pdf),
        )
        .route(
            "/staff/vaccination/{c}/visits/{id}/label.zpl",
            get(centre::label_zpl),
        )
        .route(
            "/staff/vaccination/{c}/stations/{station}",
            get(centre::station_page).post(centre::scan),
        )
        .route(
            "/staff/vaccination/{c}/observation",
            get(centre::observation),
        )
        .route(
            "/staff/vaccination/{c}/observation.json",
            get(centre::observation_json),
        )
        // Mobile teams.
        .route("/mobile/vaccination", get(mobile::page))
        .route("/mobile/vaccination/visits.json", get(mobile::visits_json))
        .route("/mobile/vaccination/sync", post(mobile::sync))
        .route("/mobile/sw.js", get(mobile::service_worker))
        .route("/mobile/vaccination.js", get(mobile::script))
}

/// Who plans campaigns, imports invitations and sees the dashboard.
pub const COORDINATORS: &[Role] = &[Role::VaccinationCoordinator];
/// Who works at the centre (check-in, stations, observation, mobile).
pub const CENTRE_STAFF: &[Role] = &[Role::VaccinationStaff, Role::VaccinationCoordinator];
/// Who may book for an invitee (phone, counter).
pub const HELPERS: &[Role] = &[
    Role::ContactCentre,
    Role::Counter,
    Role::VaccinationCoordinator,
];
