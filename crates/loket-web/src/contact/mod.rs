//! The contact centre: the knowledge base (public search and articles,
//! the agents' search and editor with versions), contact moments logged by
//! agents or asked by residents on the web, and forwards to departments
//! with a due date in working days.

pub mod api;
pub mod kb;
pub mod links;
pub mod moments;
pub mod report;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use loket_domain::people::Role;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kb", get(kb::public_search))
        .route("/static/contact.js", get(script))
        .route("/kb/{slug}", get(kb::public_article))
        .route("/staff/kb", get(kb::agent_search))
        .route("/staff/kb.csv", get(kb::articles_csv))
        .route("/staff/kb/new", get(kb::new_form).post(kb::create))
        .route("/staff/kb/{id}", get(kb::agent_article))
        .route("/staff/kb/{id}/edit", get(kb::edit_form).post(kb::update))
        .route("/staff/kb/{id}/versions/{v}", get(kb::version))
        .route("/staff/kb/{id}/versions/{v}/restore", post(kb::restore))
        .route("/contact/ask", get(moments::ask_form).post(moments::ask))
        .route("/staff/contact", get(moments::list))
        .route("/staff/contact.csv", get(moments::list_csv))
        .route(
            "/staff/contact/new",
            get(moments::new_form).post(moments::create),
        )
        .route("/staff/contact/report", get(report::report))
        .route("/staff/contact/mail-rejects", get(report::mail_rejects))
        .route(
            "/staff/contact/mail-rejects.csv",
            get(report::mail_rejects_csv),
        )
        .route("/staff/contact/{id}", get(moments::detail))
        .route("/staff/contact/residents/{id}", get(moments::history))
        .route(
            "/staff/contact/residents/{id}/history.csv",
            get(moments::history_csv),
        )
        .route("/staff/contact/{id}/forward", post(moments::forward))
        .route("/staff/contact/{id}/messages", get(moments::messages))
        .route(
            "/staff/contact/{id}/appointment",
            get(links::appointment_form).post(links::appointment),
        )
        .route("/staff/forwards", get(moments::forwards))
        .route("/staff/forwards.csv", get(moments::forwards_csv))
        .route("/staff/forwards/{id}/answer", post(moments::answer))
        .route("/staff/forwards/{id}/pause", post(moments::pause))
        .route("/staff/forwards/{id}/resume", post(moments::resume))
}

/// Contact-centre agents (and admins): the editor, contact moments.
pub const AGENTS: &[Role] = &[Role::ContactCentre, Role::Admin];
/// Department staff who answer forwards.
pub const DEPARTMENT_STAFF: &[Role] = &[Role::CaseHandler, Role::ContactCentre, Role::Admin];

/// Form errors with the contact context's field labels
/// (`field-contact-<field>`).
pub fn form_errors(
    locale: crate::i18n::Locale,
    inv: &loket_domain::Invalid,
) -> crate::forms::FormErrors {
    crate::forms::FormErrors::from_invalid_labelled(locale, inv, |f| {
        let id = format!("field-contact-{}", f.replace('_', "-"));
        locale.has(&id).then(|| locale.t(&id))
    })
}

/// The log form's script: article results while typing (see the file).
pub async fn script() -> axum::response::Response {
    crate::common::script(include_str!("../../static/contact.js"))
}
