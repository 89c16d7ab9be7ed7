//! The people API: who am I, staff accounts, roles, tokens.

use super::ADMIN_ROLES;
use super::admin::{create_staff, validate_staff};
use crate::AppState;
use crate::api::{ApiJson, ApiUser};
use crate::error::{ApiError, AppError, Problem};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::people::Role;
use loket_store::people::{self as store, ApiToken, User};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}/roles", put(set_roles))
        .route("/users/{id}/disable", post(disable_user))
        .route("/users/{id}/enable", post(enable_user))
        .route("/tokens", get(list_tokens))
        .route("/tokens/{id}", delete(revoke_token))
}

/// An account as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct UserOut {
    pub id: String,
    pub email: String,
    pub name: String,
    /// Role names, e.g. `counter`, `admin`.
    pub roles: Vec<String>,
    pub locale: String,
    pub email_confirmed: bool,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds when the account was disabled; absent while active.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<i64>,
    /// Why it was disabled; absent while active.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
}

impl From<&User> for UserOut {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            email: u.email.clone(),
            name: u.name.clone(),
            roles: u.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            locale: u.locale.clone(),
            email_confirmed: u.is_confirmed(),
            created_at: u.created_at,
            disabled_at: u.disabled_at,
            disabled_reason: u.disabled_at.map(|_| u.disabled_reason.clone()),
        }
    }
}

/// The account the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "people",
    responses((status = 200, body = UserOut), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(caller: ApiUser) -> Json<UserOut> {
    Json(UserOut::from(&caller.user))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct UsersQuery {
    /// Where the page starts: the `next` (or `prev`) of the previous answer.
    pub cursor: String,
    /// Items per page, 1 to 200 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: String,
}

crate::api_page!(UserPage, UserOut);

/// Staff accounts, newest first, one page at a time (`cursor`, `limit`;
/// residents are not listed in bulk). Admin only.
#[utoipa::path(get, path = "/api/v1/users", tag = "people", params(UsersQuery),
    responses((status = 200, body = UserPage), (status = 400, body = Problem, description = "a bad `cursor` or `limit`"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: ApiUser,
    Query(q): Query<UsersQuery>,
) -> Result<Json<UserPage>, ApiError> {
    caller.require(ADMIN_ROLES)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::STAFF_PAGING)
        .map_err(|e| caller.err(e))?;
    let page = store::staff_page(&state.store, &pq)
        .await
        .map_err(|e| caller.err(e))?;
    let total = store::staff_total(&state.store, loket_domain::paging::TOTAL_CAP)
        .await
        .map_err(|e| caller.err(e))?;
    let items = page.items.iter().map(UserOut::from).collect();
    Ok(Json(UserPage::new(page, items, total)))
}

/// The name of a staff role (for the schema; the server checks it too, so
/// an unknown name is a field error, not a parse failure).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum StaffRole {
    Counter,
    ContactCentre,
    CaseHandler,
    Hr,
    Fleet,
    Finance,
    VaccinationCoordinator,
    VaccinationStaff,
    Employee,
    Ict,
    Admin,
    PrivacyOfficer,
    AllDepartments,
    Management,
}

/// A role name, including `resident`.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum AnyRole {
    Resident,
    Counter,
    ContactCentre,
    CaseHandler,
    Hr,
    Fleet,
    Finance,
    VaccinationCoordinator,
    VaccinationStaff,
    Employee,
    Ict,
    Admin,
    PrivacyOfficer,
    AllDepartments,
    Management,
}

/// A new staff account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    #[schema(format = Email, max_length = 254, example = "tom.maes@leuven.be")]
    pub email: String,
    #[schema(min_length = 1, max_length = 100, example = "Tom Maes")]
    pub name: String,
    /// One or more staff roles.
    #[schema(value_type = Vec<StaffRole>, min_items = 1)]
    pub roles: Vec<String>,
    /// Optional. Without it, the person receives a link to choose one.
    #[serde(default)]
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
}

/// Creates a staff account. Admin only.
#[utoipa::path(post, path = "/api/v1/users", tag = "people", request_body = NewStaff,
    responses((status = 201, body = UserOut),
              (status = 409, body = Problem, content_type = "application/problem+json", description = "the e-mail address is taken"),
              (status = 422, body = Problem, content_type = "application/problem+json", description = "a field is invalid; see `errors`")))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: ApiUser,
    ApiJson(body): ApiJson<NewStaff>,
) -> Result<(StatusCode, Json<UserOut>), ApiError> {
    let admin = caller.require(ADMIN_ROLES)?;
    let password = body.password.unwrap_or_default();
    let v = validate_staff(&body.email, &body.name, &body.roles, &password)
        .map_err(|e| caller.err(e))?;
    let id = create_staff(
        &state,
        &Actor::User(admin.id.clone()),
        caller.locale,
        &v,
        &password,
    )
    .await
    .map_err(|e| caller.err(e))?;
    let user = store::get_user(&state.store, &id)
        .await
        .map_err(|e| caller.err(e))?
        .ok_or_else(|| caller.err(AppError::NotFound))?;
    Ok((StatusCode::CREATED, Json(UserOut::from(&user))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolesIn {
    /// The complete new set of roles (may be empty).
    #[schema(value_type = Vec<AnyRole>)]
    pub roles: Vec<String>,
}

/// Replaces an account's roles. Admin only.
#[utoipa::path(put, path = "/api/v1/users/{id}/roles", tag = "people", request_body = RolesIn,
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = UserOut), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_roles(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RolesIn>,
) -> Result<Json<UserOut>, ApiError> {
    let admin = caller.require(ADMIN_ROLES)?.clone();
    let mut roles = Vec::new();
    for r in &body.roles {
        // The error names the request's field, `roles`.
        roles.push(Role::parse(r).map_err(|e| {
            caller.err(Invalid(vec![loket_domain::FieldError {
                field: "roles".into(),
                ..e
            }]))
        })?);
    }
    if admin.id == id && !roles.contains(&Role::Admin) {
        return Err(caller.err(Invalid::one("roles", "role-self-admin")));
    }
    loket_app::people::set_roles(&state, &Actor::User(admin.id.clone()), &id, &roles)
        .await
        .map_err(|e| caller.err(AppError::from(e)))?;
    let user = store::get_user(&state.store, &id)
        .await
        .map_err(|e| caller.err(e))?
        .ok_or_else(|| caller.err(AppError::NotFound))?;
    Ok(Json(UserOut::from(&user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonIn {
    /// Why (3 to 500 characters); kept with the account and in the audit log.
    #[schema(min_length = 3, max_length = 500, example = "left the city's service")]
    pub reason: String,
}

/// Disables an account: its sessions end and its API tokens are revoked at
/// once. Admin only; an admin cannot disable their own account.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "people", request_body = ReasonIn,
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = UserOut), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json", description = "already disabled"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn disable_user(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonIn>,
) -> Result<Json<UserOut>, ApiError> {
    let admin = caller.require(ADMIN_ROLES)?.clone();
    loket_app::people::disable_account(&state, &Actor::User(admin.id), &id, &body.reason)
        .await
        .map_err(|e| caller.err(AppError::from(e)))?;
    user_out(&state, &caller, &id).await
}

/// Enables a disabled account again (its old tokens stay revoked). Admin
/// only.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "people", request_body = ReasonIn,
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = UserOut), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json", description = "not disabled"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn enable_user(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonIn>,
) -> Result<Json<UserOut>, ApiError> {
    let admin = caller.require(ADMIN_ROLES)?.clone();
    loket_app::people::enable_account(&state, &Actor::User(admin.id), &id, &body.reason)
        .await
        .map_err(|e| caller.err(AppError::from(e)))?;
    user_out(&state, &caller, &id).await
}

async fn user_out(state: &AppState, caller: &ApiUser, id: &str) -> Result<Json<UserOut>, ApiError> {
    let user = store::get_user(&state.store, id)
        .await
        .map_err(|e| caller.err(e))?
        .ok_or_else(|| caller.err(AppError::NotFound))?;
    Ok(Json(UserOut::from(&user)))
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub id: String,
    pub user_id: String,
    pub user_email: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// Unix milliseconds; refused from then on.
    pub expires_at: i64,
    /// The token's scopes, e.g. `["cases:read"]`; `["*"]` for every scope
    /// (tokens made before scopes existed).
    pub scopes: Vec<String>,
}

impl From<ApiToken> for TokenOut {
    fn from(t: ApiToken) -> Self {
        Self {
            id: t.id,
            user_id: t.user_id,
            user_email: t.user_email,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            expires_at: t.expires_at,
            scopes: t.scopes.split_whitespace().map(str::to_owned).collect(),
        }
    }
}

crate::api_page!(TokenPage, TokenOut);

/// Every API token (never the secret), newest first, one page at a time
/// (`cursor`, `limit`). Admin only.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "people", params(UsersQuery),
    responses((status = 200, body = TokenPage), (status = 400, body = Problem, description = "a bad `cursor` or `limit`")))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: ApiUser,
    Query(q): Query<UsersQuery>,
) -> Result<Json<TokenPage>, ApiError> {
    caller.require(ADMIN_ROLES)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::TOKEN_PAGING)
        .map_err(|e| caller.err(e))?;
    let page = store::tokens_page(&state.store, &pq)
        .await
        .map_err(|e| caller.err(e))?;
    let total = store::tokens_total(&state.store, loket_domain::paging::TOTAL_CAP)
        .await
        .map_err(|e| caller.err(e))?;
    let items = page.items.iter().cloned().map(TokenOut::from).collect();
    Ok(Json(TokenPage::new(page, items, total)))
}

/// Revokes a token. Admin only.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "people",
    params(("id" = String, Path, description = "token id")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let admin = caller.require(ADMIN_ROLES)?.clone();
    loket_app::people::revoke_token(&state, &Actor::User(admin.id), &id)
        .await
        .map_err(|e| caller.err(AppError::from(e)))?;
    Ok(StatusCode::NO_CONTENT)
}
