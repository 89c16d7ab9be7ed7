//! The second factor: after a right password, an account that needs one
//! enrols (the key as text and QR code, a first code, then ten recovery
//! codes shown once) or gives a code. Only then is the session a full
//! sign-in. From My account a person gets new recovery codes; an admin
//! resets another person's factor.

use super::pages::{CsrfOnly, render};
use super::session::Ctx;
use crate::AppState;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::layout::{Layout, local_path, urlencode};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_app::Refusal;
use loket_app::people::totp::{self, State as FactorState};
use loket_domain::audit::Actor;
use loket_store::people::User;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    pub next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    pub totp_code: String,
    pub next: String,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "people/factor.html")]
struct FactorPage {
    l: Layout,
    next: String,
    /// Enrolling: the key (grouped), the otpauth URI and its QR code.
    enrol: Option<totp::Enrolment>,
    code: String,
    errors: FormErrors,
    /// `loket demo`: the published demo key.
    demo_secret: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "people/recovery_codes.html")]
struct CodesPage {
    l: Layout,
    codes: Vec<String>,
    next: String,
}

fn home_of(user: &User) -> &'static str {
    if user.roles.is_staff() {
        "/staff"
    } else {
        "/account"
    }
}

async fn factor_page(
    state: &AppState,
    ctx: &Ctx,
    user: &User,
    next: String,
    code: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let enrol = match totp::state(state, &user.id).await? {
        FactorState::Enrol => Some(totp::enrolment(state, user).await?),
        FactorState::Code => None,
    };
    let title = if enrol.is_some() {
        "totp-enrol-title"
    } else {
        "totp-code-title"
    };
    let demo_secret = (state.config.demo && enrol.is_none()).then_some(totp::DEMO_SECRET);
    render(
        status,
        FactorPage {
            l: ctx.layout(title),
            next,
            enrol,
            code,
            errors,
            demo_secret,
        },
    )
}

/// The second factor's page of a half-signed-in session.
pub async fn factor_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let Some(user) = ctx.pending.clone() else {
        return Ok(Redirect::to(&format!("/login?next={}", urlencode(&q.next))).into_response());
    };
    factor_page(
        &state,
        &ctx,
        &user,
        q.next,
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// A code: the first one confirms the enrolment (then the recovery codes
/// are shown once), later ones complete the sign-in.
pub async fn factor(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let Some(user) = ctx.pending.clone() else {
        return Ok(Redirect::to("/login").into_response());
    };
    let ip = ctx.ip.to_string();
    let outcome = match totp::state(&state, &user.id).await? {
        FactorState::Enrol => totp::confirm_enrolment(&state, &user, &f.totp_code, &ip)
            .await
            .map(Some),
        FactorState::Code => totp::verify(&state, &user, &f.totp_code, &ip)
            .await
            .map(|()| None),
    };
    match outcome {
        Ok(codes) => {
            ctx.sign_in(&state, &user.id).await?;
            let next = local_path(&f.next, home_of(&user));
            match codes {
                Some(codes) => {
                    let mut l = ctx.layout("totp-codes-title");
                    l.user_name = Some(user.name.clone());
                    render(StatusCode::OK, CodesPage { l, codes, next })
                }
                None => Ok(Redirect::to(&next).into_response()),
            }
        }
        Err(Refusal::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            factor_page(
                &state,
                &ctx,
                &user,
                f.next,
                f.totp_code,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(Refusal::TooMany { retry_after_s }) => {
            let errors = FormErrors::general(AppError::limited_message(ctx.locale, retry_after_s));
            let mut res = factor_page(
                &state,
                &ctx,
                &user,
                f.next,
                f.totp_code,
                errors,
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await?;
            AppError::Limited(retry_after_s).retry_after(&mut res);
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegenerateForm {
    pub totp_code: String,
    pub csrf: String,
}

/// New recovery codes from My account, after a current code.
pub async fn regenerate(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RegenerateForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.user()?.clone();
    match totp::regenerate_codes(&state, &user, &f.totp_code, &ctx.ip.to_string()).await {
        Ok(codes) => render(
            StatusCode::OK,
            CodesPage {
                l: ctx.layout("totp-codes-title"),
                codes,
                next: "/account".to_owned(),
            },
        ),
        Err(Refusal::Invalid(inv)) => {
            let page = super::pages::account_page(
                &state,
                &ctx,
                FormErrors::from_invalid(ctx.locale, &inv),
                false,
            )
            .await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => Err(e.into()),
    }
}

/// An admin removes a person's second factor: their sessions end and they
/// enrol again at the next sign-in.
pub async fn admin_reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let admin = ctx.require(super::ADMIN_ROLES)?;
    totp::reset(&state, &Actor::User(admin.id.clone()), &id).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?totp_reset=1")).into_response())
}
