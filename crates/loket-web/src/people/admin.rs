//! The admins' pages: staff accounts, roles, API tokens.

use super::ADMIN_ROLES;
use super::pages::{render, role_labels};
use super::session::Ctx;
use crate::AppState;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{Locale, format_ms};
use crate::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_app::people;
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::ident::Email;
use loket_domain::people::{self as rules, PersonName, Role};
use loket_store::audit as audit_store;
use loket_store::people::{self as store, ApiToken, User};
use serde::Deserialize;

/// A user as a table row.
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: String,
    pub confirmed: bool,
    pub created: String,
    /// When the account was disabled (empty while active), and why.
    pub disabled: String,
    pub disabled_reason: String,
}

fn row(locale: Locale, u: &User) -> UserRow {
    UserRow {
        id: u.id.clone(),
        name: u.name.clone(),
        email: u.email.clone(),
        roles: role_labels(locale, u.roles.iter()).join(", "),
        confirmed: u.is_confirmed(),
        created: format_ms(u.created_at),
        disabled: u.disabled_at.map(format_ms).unwrap_or_default(),
        disabled_reason: u.disabled_reason.clone(),
    }
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub user_id: String,
    pub user_email: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
    pub expires: String,
    pub expired: bool,
    pub scopes: String,
}

fn token_row(t: &ApiToken) -> TokenRow {
    TokenRow {
        id: t.id.clone(),
        name: t.name.clone(),
        user_id: t.user_id.clone(),
        user_email: t.user_email.clone(),
        created: format_ms(t.created_at),
        last_used: t.last_used_at.map(format_ms).unwrap_or_default(),
        revoked: t.revoked_at.is_some(),
        expires: format_ms(t.expires_at),
        expired: t.expires_at <= loket_store::now_ms(),
        scopes: t.scopes.clone(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
    pub cursor: String,
    pub limit: String,
}

#[derive(Template)]
#[template(path = "people/admin_users.html")]
struct UsersPage {
    l: Layout,
    staff: Vec<UserRow>,
    pager: crate::paging::Pager,
    /// How many resident accounts there are ("12" or "more than 10,000").
    residents: String,
    residents_exact: bool,
    q: String,
    found: Option<UserRow>,
    searched: bool,
}

#[derive(Template)]
#[template(path = "people/admin_tokens.html")]
struct TokensPage {
    l: Layout,
    tokens: Vec<TokenRow>,
    pager: crate::paging::Pager,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQ {
    pub cursor: String,
    pub limit: String,
}

/// `/admin/tokens`: the API tokens, newest first, a page at a time, each
/// with a revoke button.
pub async fn tokens(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<PageQ>,
) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::TOKEN_PAGING)?;
    let page = store::tokens_page(&state.store, &pq).await?;
    let total = store::tokens_total(&state.store, loket_domain::paging::TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/admin/tokens",
        &[],
        &page,
        &pq,
        total,
        Some("/admin/tokens.csv"),
    );
    let tokens = page.items.iter().map(token_row).collect();
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("admin-tokens");
    l.csrf = csrf;
    render(StatusCode::OK, TokensPage { l, tokens, pager })
}

/// The API tokens as CSV (never the secrets), every one (streamed).
pub async fn tokens_csv(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    let locale = ctx.locale;
    Ok(crate::paging::csv_export(
        &format!("tokens-{}.csv", crate::i18n::today_brussels()),
        locale,
        &[
            "field-token-name",
            "field-email",
            "admin-created",
            "admin-last-used",
            "admin-status",
        ],
        state,
        move |state, pq| async move {
            let page = store::tokens_page(&state.store, &pq).await?;
            let rows = page
                .items
                .iter()
                .map(|t| {
                    let r = token_row(t);
                    let status = if r.revoked {
                        locale.t("admin-revoked")
                    } else {
                        String::new()
                    };
                    vec![r.name, r.user_email, r.created, r.last_used, status]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

/// Staff accounts and tokens. Residents are not listed: an admin looks one
/// up by exact e-mail address, and that look-up is access-logged.
pub async fn users(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let admin = ctx.require(ADMIN_ROLES)?.clone();
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::STAFF_PAGING)?;
    let page = store::staff_page(&state.store, &pq).await?;
    let total = store::staff_total(&state.store, loket_domain::paging::TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/admin/users",
        &[],
        &page,
        &pq,
        total,
        Some("/admin/users.csv"),
    );
    let staff = page.items.iter().map(|u| row(ctx.locale, u)).collect();
    let residents = store::residents_total(&state.store, loket_domain::paging::TOTAL_CAP).await?;
    let mut found = None;
    let searched = !q.q.trim().is_empty();
    if searched && let Some(u) = store::find_by_email(&state.store, &q.q).await? {
        if !u.roles.is_staff() {
            audit_store::record_access(
                &state.store,
                &admin.id,
                &u.id,
                "user",
                &u.id,
                "admin.user_search",
            )
            .await?;
        }
        found = Some(row(ctx.locale, &u));
    }
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("admin-users-title");
    l.csrf = csrf;
    render(
        StatusCode::OK,
        UsersPage {
            l,
            staff,
            pager,
            residents: crate::paging::format_count(ctx.locale, residents.count),
            residents_exact: residents.exact,
            q: q.q,
            found,
            searched,
        },
    )
}

/// The staff accounts as CSV, every one (streamed, 500 per query).
pub async fn users_csv(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    let locale = ctx.locale;
    Ok(crate::paging::csv_export(
        &format!("staff-{}.csv", crate::i18n::today_brussels()),
        locale,
        &[
            "field-name",
            "field-email",
            "field-roles",
            "admin-created",
            "admin-account-disabled",
        ],
        state,
        move |state, pq| async move {
            let page = store::staff_page(&state.store, &pq).await?;
            let rows = page
                .items
                .iter()
                .map(|u| {
                    let r = row(locale, u);
                    vec![r.name, r.email, r.roles, r.created, r.disabled]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NewUserForm {
    pub email: String,
    pub name: String,
    /// Checkbox values; several may be sent (`roles=hr&roles=admin`).
    pub roles: Vec<String>,
    pub password: String,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "people/admin_new_user.html")]
struct NewUserPage {
    l: Layout,
    email: String,
    name: String,
    roles: Vec<(String, String, bool)>,
    errors: FormErrors,
}

fn role_choices(locale: Locale, checked: &[String]) -> Vec<(String, String, bool)> {
    Role::STAFF
        .iter()
        .map(|r| {
            (
                r.as_str().to_owned(),
                role_labels(locale, std::iter::once(*r)).concat(),
                checked.iter().any(|c| c == r.as_str()),
            )
        })
        .collect()
}

pub async fn new_user_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
) -> Result<Response, AppError> {
    ctx.require(ADMIN_ROLES)?;
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("admin-new-user-title");
    l.csrf = csrf;
    render(
        StatusCode::OK,
        NewUserPage {
            l,
            email: String::new(),
            name: String::new(),
            roles: role_choices(ctx.locale, &[]),
            errors: FormErrors::default(),
        },
    )
}

/// The checks for a new staff account, shared by the page and the API.
pub struct ValidStaff {
    pub email: Email,
    pub name: PersonName,
    pub roles: Vec<Role>,
}

pub fn validate_staff(
    email: &str,
    name: &str,
    roles: &[String],
    password: &str,
) -> Result<ValidStaff, Invalid> {
    let mut inv = Invalid::default();
    let email = inv.check("email", Email::parse(email));
    let name = inv.check("name", PersonName::parse(name));
    let mut parsed = Vec::new();
    for r in roles {
        match Role::parse(r) {
            Ok(role) if role.is_staff() => parsed.push(role),
            _ => {
                inv.push("roles", "role-unknown");
                break;
            }
        }
    }
    if roles.is_empty() {
        inv.push("roles", "roles-required");
    }
    if !password.is_empty() {
        inv.check(
            "password",
            rules::check_new_password(password, email.as_ref()),
        );
    }
    match (email, name) {
        (Some(email), Some(name)) if inv.is_empty() => Ok(ValidStaff {
            email,
            name,
            roles: parsed,
        }),
        _ => Err(inv),
    }
}

/// Creates a staff account. Without a password, the person gets a link to
/// choose one. Returns the new id.
pub async fn create_staff(
    state: &AppState,
    actor: &Actor,
    locale: Locale,
    v: &ValidStaff,
    password: &str,
) -> Result<String, AppError> {
    Ok(people::create_staff(state, actor, locale, &v.email, &v.name, &v.roles, password).await?)
}

pub async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    axum_extra::extract::Form(f): axum_extra::extract::Form<NewUserForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let admin = ctx.require(ADMIN_ROLES)?;
    let refused = |inv: &Invalid, f: NewUserForm| {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            NewUserPage {
                l: ctx.layout("admin-new-user-title"),
                email: f.email,
                name: f.name,
                roles: role_choices(ctx.locale, &f.roles),
                errors: FormErrors::from_invalid(ctx.locale, inv),
            },
        )
    };
    let v = match validate_staff(&f.email, &f.name, &f.roles, &f.password) {
        Ok(v) => v,
        Err(inv) => return refused(&inv, f),
    };
    match create_staff(
        &state,
        &Actor::User(admin.id.clone()),
        ctx.locale,
        &v,
        &f.password,
    )
    .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(AppError::Invalid(inv) | AppError::Conflict(inv)) => refused(&inv, f),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "people/admin_user.html")]
struct UserPage {
    l: Layout,
    u: UserRow,
    roles: Vec<(String, String, bool)>,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    errors: FormErrors,
    /// The staff record's end date, if it has one.
    end_date: Option<String>,
    /// The token form as typed (kept on an error): name, days, scopes.
    token_input: TokenInput,
    /// The reason typed in the disable / enable form (kept on an error).
    reason: String,
    /// The account has a confirmed second factor (an admin may reset it).
    totp: bool,
    /// Need to know: (department code, assigned), for staff accounts.
    departments: Vec<(String, bool)>,
    is_staff: bool,
}

/// What the token form held.
#[derive(Default)]
pub struct TokenInput {
    pub name: String,
    pub days: String,
    /// (scope, checked)
    pub scopes: Vec<(String, bool)>,
}

impl TokenInput {
    fn new(name: &str, days: &str, checked: &[String]) -> Self {
        Self {
            name: name.to_owned(),
            days: days.to_owned(),
            scopes: rules::Scope::all()
                .iter()
                .map(|s| {
                    let s = s.to_string();
                    let on = checked.contains(&s);
                    (s, on)
                })
                .collect(),
        }
    }
}

async fn user_page(
    state: &AppState,
    ctx: &mut Ctx,
    id: &str,
    new_token: Option<String>,
    errors: FormErrors,
) -> Result<(UserPage, bool), AppError> {
    user_page_with(
        state,
        ctx,
        id,
        new_token,
        errors,
        TokenInput::new("", "", &[]),
        String::new(),
    )
    .await
}

async fn user_page_with(
    state: &AppState,
    ctx: &mut Ctx,
    id: &str,
    new_token: Option<String>,
    errors: FormErrors,
    token_input: TokenInput,
    reason: String,
) -> Result<(UserPage, bool), AppError> {
    let admin = ctx.require(ADMIN_ROLES)?.clone();
    let u = store::get_user(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let is_resident = !u.roles.is_staff();
    if is_resident {
        audit_store::record_access(
            &state.store,
            &admin.id,
            &u.id,
            "user",
            &u.id,
            "admin.user_view",
        )
        .await?;
    }
    let checked: Vec<String> = u.roles.iter().map(|r| r.as_str().to_owned()).collect();
    let tokens = store::tokens_of(&state.store, &u.id)
        .await?
        .iter()
        .map(token_row)
        .collect();
    let end_date = store::staff_end_date(&state.store, &u.email).await?;
    let (totp, _) = loket_app::people::totp::summary(state, &u.id).await?;
    let assigned = store::departments::of_user(&state.store, &u.id).await?;
    let departments = people::known_departments(state)
        .await?
        .into_iter()
        .map(|d| {
            let on = assigned.contains(&d);
            (d, on)
        })
        .collect();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("admin-user-title");
    l.csrf = csrf;
    Ok((
        UserPage {
            l,
            u: row(ctx.locale, &u),
            roles: role_choices(ctx.locale, &checked),
            tokens,
            new_token,
            errors,
            end_date,
            token_input,
            reason,
            totp,
            departments,
            is_staff: !is_resident,
        },
        is_resident,
    ))
}

pub async fn user_detail(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (page, _) = user_page(&state, &mut ctx, &id, None, FormErrors::default()).await?;
    render(StatusCode::OK, page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RolesForm {
    pub roles: Vec<String>,
    pub csrf: String,
}

pub async fn set_roles(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    axum_extra::extract::Form(f): axum_extra::extract::Form<RolesForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let admin = ctx.require(ADMIN_ROLES)?.clone();
    let mut roles = Vec::new();
    let mut inv = Invalid::default();
    for r in &f.roles {
        match Role::parse(r) {
            Ok(role) => roles.push(role),
            Err(e) => {
                inv.push("roles", e.code);
                break;
            }
        }
    }
    if admin.id == id && !roles.contains(&Role::Admin) {
        inv.push("roles", "role-self-admin");
    }
    if !inv.is_empty() {
        let errors = FormErrors::from_invalid(ctx.locale, &inv);
        let (page, _) = user_page(&state, &mut ctx, &id, None, errors).await?;
        return render(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    people::set_roles(&state, &Actor::User(admin.id.clone()), &id, &roles).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DepartmentsForm {
    /// Checkbox values; several may be sent.
    pub departments: Vec<String>,
    pub csrf: String,
}

/// Need to know: assigns departments to a staff account. An unknown code
/// re-renders the page with the error and the boxes as they were ticked.
pub async fn set_departments(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    axum_extra::extract::Form(f): axum_extra::extract::Form<DepartmentsForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let admin = ctx.require(ADMIN_ROLES)?.clone();
    match people::set_departments(&state, &Actor::User(admin.id.clone()), &id, &f.departments)
        .await
        .map_err(AppError::from)
    {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            let (mut page, _) = user_page(&state, &mut ctx, &id, None, errors).await?;
            for (code, on) in page.departments.iter_mut() {
                *on = f.departments.contains(code);
            }
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    pub name: String,
    pub expires_in_days: String,
    pub scopes: Vec<String>,
    pub csrf: String,
}

/// Validates a token's label: 1 to 100 characters.
pub fn token_name(name: &str) -> Result<String, Invalid> {
    let n = name.trim();
    if n.is_empty() {
        return Err(Invalid::one("name", "required"));
    }
    if n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(Invalid::one("name", "name-invalid"));
    }
    Ok(n.to_owned())
}

pub async fn create_token(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    axum_extra::extract::Form(f): axum_extra::extract::Form<TokenForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let admin = ctx.require(ADMIN_ROLES)?.clone();
    let mut inv = Invalid::default();
    let name = match token_name(&f.name) {
        Ok(n) => Some(n),
        Err(e) => {
            inv.0.extend(e.0);
            None
        }
    };
    let days = inv.check(
        "expires_in_days",
        rules::parse_token_days(&f.expires_in_days, "expires_in_days"),
    );
    let scopes = inv.check(
        "scopes",
        rules::Scopes::parse_list(f.scopes.iter().map(String::as_str)),
    );
    let input = TokenInput::new(&f.name, &f.expires_in_days, &f.scopes);
    let (Some(name), Some(days), Some(scopes), true) = (name, days, scopes, inv.is_empty()) else {
        let errors = FormErrors::from_invalid(ctx.locale, &inv);
        let (page, _) =
            user_page_with(&state, &mut ctx, &id, None, errors, input, String::new()).await?;
        return render(StatusCode::UNPROCESSABLE_ENTITY, page);
    };
    let secret = match people::create_token(
        &state,
        &Actor::User(admin.id.clone()),
        &id,
        &name,
        days,
        &scopes,
    )
    .await
    .map_err(AppError::from)
    {
        Ok(s) => s,
        Err(AppError::Invalid(inv) | AppError::Conflict(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            let (page, _) =
                user_page_with(&state, &mut ctx, &id, None, errors, input, String::new()).await?;
            return render(StatusCode::UNPROCESSABLE_ENTITY, page);
        }
        Err(e) => return Err(e),
    };
    let (page, _) = user_page(&state, &mut ctx, &id, Some(secret), FormErrors::default()).await?;
    render(StatusCode::CREATED, page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReasonForm {
    pub reason: String,
    pub csrf: String,
}

/// Disables an account (with a reason): its sessions and tokens stop at
/// once.
pub async fn disable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<ReasonForm>,
) -> Result<Response, AppError> {
    account_state(state, ctx, id, f, true).await
}

/// Enables a disabled account again (with a reason).
pub async fn enable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<ReasonForm>,
) -> Result<Response, AppError> {
    account_state(state, ctx, id, f, false).await
}

async fn account_state(
    state: AppState,
    mut ctx: Ctx,
    id: String,
    f: ReasonForm,
    disable: bool,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let admin = ctx.require(ADMIN_ROLES)?.clone();
    let actor = Actor::User(admin.id.clone());
    let done = if disable {
        people::disable_account(&state, &actor, &id, &f.reason).await
    } else {
        people::enable_account(&state, &actor, &id, &f.reason).await
    };
    match done.map_err(AppError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(AppError::Invalid(inv) | AppError::Conflict(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            let (page, _) = user_page_with(
                &state,
                &mut ctx,
                &id,
                None,
                errors,
                TokenInput::new("", "", &[]),
                f.reason.clone(),
            )
            .await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<super::pages::CsrfOnly>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let admin = ctx.require(ADMIN_ROLES)?;
    people::revoke_token(&state, &Actor::User(admin.id.clone()), &id).await?;
    Ok(Redirect::to("/admin/tokens").into_response())
}
