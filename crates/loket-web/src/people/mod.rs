//! People: sign-in, registration, e-mail confirmation, password reset, the
//! account page, the staff home and the admins' user and token pages.

pub mod admin;
pub mod api;
pub mod factor;
pub mod oidc;
pub mod pages;
pub mod session;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use loket_domain::people::Role;

/// Staff roles that open the staff home.
pub const STAFF_ROLES: &[Role] = &Role::STAFF;
/// Roles that administer accounts, tokens and the logs.
pub const ADMIN_ROLES: &[Role] = &[Role::Admin];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route(
            "/login/factor",
            get(factor::factor_form).post(factor::factor),
        )
        .route("/account/recovery-codes", post(factor::regenerate))
        .route("/admin/users/{id}/totp/reset", post(factor::admin_reset))
        .route("/login/oidc/residents", get(oidc::start_residents))
        .route("/login/oidc/residents/stepup", get(oidc::start_step_up))
        .route(
            "/login/oidc/residents/callback",
            get(oidc::callback_residents),
        )
        .route("/account/eid", post(oidc::link_start))
        .route("/login/oidc/staff", get(oidc::start_staff))
        .route("/login/oidc/staff/callback", get(oidc::callback_staff))
        .route("/register", get(pages::register_form).post(pages::register))
        .route(
            "/confirm/resend",
            get(pages::resend_form).post(pages::resend),
        )
        .route(
            "/confirm/{token}",
            get(pages::confirm_page).post(pages::confirm),
        )
        .route(
            "/password/forgot",
            get(pages::forgot_form).post(pages::forgot),
        )
        .route(
            "/password/reset/{token}",
            get(pages::reset_form).post(pages::reset),
        )
        .route("/account", get(pages::account))
        .route("/account/password", post(pages::change_password))
        .route("/account/language", post(pages::account_language))
        .route("/lang/{code}", get(pages::switch_language))
        .route("/staff", get(pages::staff_home))
        .route("/admin/users", get(admin::users))
        .route("/admin/users.csv", get(admin::users_csv))
        .route(
            "/admin/users/new",
            get(admin::new_user_form).post(admin::create_user),
        )
        .route("/admin/users/{id}", get(admin::user_detail))
        .route("/admin/users/{id}/roles", post(admin::set_roles))
        .route(
            "/admin/users/{id}/departments",
            post(admin::set_departments),
        )
        .route("/admin/users/{id}/tokens", post(admin::create_token))
        .route("/admin/users/{id}/disable", post(admin::disable))
        .route("/admin/users/{id}/enable", post(admin::enable))
        .route("/admin/tokens", get(admin::tokens))
        .route("/admin/tokens.csv", get(admin::tokens_csv))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
}
