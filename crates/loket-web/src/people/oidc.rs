//! Signing in with an OpenID Connect provider (residents: e-ID, itsme
//! through ACM/IDM or FAS), linking a password account to its national
//! register number, and the provider's failures as pages.

use super::pages::{MessagePage, account_page, render};
use super::session::{Ctx, cookie_value};
use crate::AppState;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::layout::local_path;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use loket_app::Refusal;
use loket_app::people::oidc::{self, Callback, OidcFailure, Purpose, Which};
use loket_store::people::Identified;
use serde::Deserialize;

/// The cookie that carries a sign-in's secret while the browser is at the
/// provider (`__Host-` on https). SameSite=Lax: the provider's redirect
/// back is a top-level GET, which carries it.
fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-loket_oidc"
    } else {
        "loket_oidc"
    }
}

/// A sign-in may stay ten minutes at the provider.
const COOKIE_MAX_AGE_S: i64 = 600;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StartQuery {
    pub next: String,
}

/// Starts a sign-in at `which` provider: the state cookie, and the
/// redirect there (or the failure page).
async fn to_provider(
    state: &AppState,
    ctx: &Ctx,
    which: Which,
    purpose: Purpose,
    next: &str,
    user_id: Option<&str>,
) -> Result<Response, AppError> {
    match oidc::begin(
        state,
        which,
        purpose,
        next,
        user_id,
        ctx.locale.code(),
        &ctx.ip.to_string(),
    )
    .await
    {
        Ok(started) => {
            ctx.set_cookie(cookie_name(state), &started.cookie_secret, COOKIE_MAX_AGE_S);
            Ok(Redirect::to(&started.url).into_response())
        }
        Err(e) => failure(ctx, e),
    }
}

/// `GET /login/oidc/residents`: to the provider.
pub async fn start_residents(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<StartQuery>,
) -> Result<Response, AppError> {
    let next = local_path(&q.next, "");
    to_provider(&state, &ctx, Which::Residents, Purpose::Login, &next, None).await
}

/// `GET /login/oidc/residents/stepup`: a resident signed in with a password
/// goes through the e-ID sign-in for a service that needs it, and comes
/// back to `next` on the same account.
pub async fn start_step_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<StartQuery>,
) -> Result<Response, AppError> {
    let user = ctx.user()?.clone();
    let next = local_path(&q.next, "/account");
    to_provider(
        &state,
        &ctx,
        Which::Residents,
        Purpose::StepUp,
        &next,
        Some(&user.id),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CallbackQuery {
    pub code: String,
    pub state: String,
    pub error: String,
}

/// `GET /login/oidc/residents/callback`: the provider's answer, checked;
/// then the account of that number (created at the first sign-in), or the
/// link of the number to the account that asked for it.
pub async fn callback_residents(
    State(state): State<AppState>,
    mut ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, AppError> {
    let name = cookie_name(&state);
    let secret = cookie_value(&headers, name);
    // The sign-in is used up whatever happens next.
    ctx.set_cookie(name, "", 0);
    let vouched = match oidc::finish(
        &state,
        Which::Residents,
        Callback {
            cookie_secret: secret.as_deref(),
            state: &q.state,
            code: &q.code,
            error: &q.error,
        },
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return failure(&ctx, e),
    };
    let nrn = match oidc::national_number(&state, Which::Residents, &vouched) {
        Ok(n) => n,
        Err(e) => return failure(&ctx, e),
    };
    match vouched.purpose {
        Purpose::Login => {
            let user = match oidc::resident_account(&state, &nrn, &vouched, ctx.locale.code()).await
            {
                Ok(u) => u,
                Err(e) => return failure(&ctx, e),
            };
            if user.disabled_at.is_some() {
                return failure(
                    &ctx,
                    OidcFailure::Refused {
                        code: "oidc-disabled",
                        detail: "account disabled".to_owned(),
                    },
                );
            }
            ctx.sign_in_as(
                &state,
                &user.id,
                &Identified {
                    by: "eid",
                    oidc_provider: Some(Which::Residents.as_str().to_owned()),
                    id_token: Some(vouched.id_token.clone()),
                },
            )
            .await?;
            let home = if user.roles.is_staff() {
                "/staff"
            } else {
                "/account"
            };
            Ok(Redirect::to(&local_path(&vouched.next_path, home)).into_response())
        }
        Purpose::Link | Purpose::StepUp => {
            let user = ctx.user()?.clone();
            if vouched.user_id.as_deref() != Some(user.id.as_str()) {
                return failure(
                    &ctx,
                    OidcFailure::Refused {
                        code: "oidc-no-login",
                        detail: "link started by another account".to_owned(),
                    },
                );
            }
            match oidc::link(&state, &user, &nrn).await {
                Ok(()) if vouched.purpose == Purpose::Link => {
                    Ok(Redirect::to("/account?linked=1").into_response())
                }
                Ok(()) => {
                    // The same account, now identified with e-ID.
                    ctx.sign_in_as(
                        &state,
                        &user.id,
                        &Identified {
                            by: "eid",
                            oidc_provider: Some(Which::Residents.as_str().to_owned()),
                            id_token: Some(vouched.id_token.clone()),
                        },
                    )
                    .await?;
                    Ok(Redirect::to(&local_path(&vouched.next_path, "/account")).into_response())
                }
                Err(Refusal::Conflict(inv)) => {
                    let code = inv
                        .0
                        .first()
                        .map(|f| f.code)
                        .unwrap_or("oidc-nrn-other-account");
                    render(
                        StatusCode::CONFLICT,
                        MessagePage {
                            l: ctx.layout("oidc-link-refused-title"),
                            text: ctx.locale.t(code),
                            link: Some(("/account".to_owned(), ctx.locale.t("account-title"))),
                        },
                    )
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// `GET /login/oidc/staff`: to the city's directory.
pub async fn start_staff(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<StartQuery>,
) -> Result<Response, AppError> {
    let next = local_path(&q.next, "");
    to_provider(&state, &ctx, Which::Staff, Purpose::Login, &next, None).await
}

/// `GET /login/oidc/staff/callback`: the directory's answer, checked; the
/// roles set from the groups; no mapped group, no entry (and the person's
/// sessions end).
pub async fn callback_staff(
    State(state): State<AppState>,
    mut ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, AppError> {
    let name = cookie_name(&state);
    let secret = cookie_value(&headers, name);
    ctx.set_cookie(name, "", 0);
    let vouched = match oidc::finish(
        &state,
        Which::Staff,
        Callback {
            cookie_secret: secret.as_deref(),
            state: &q.state,
            code: &q.code,
            error: &q.error,
        },
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return failure(&ctx, e),
    };
    let user = match oidc::staff_account(&state, &vouched).await {
        Ok(u) => u,
        Err(e) => {
            // The refused person may be signed in here already: not any more.
            if ctx.user.is_some() {
                ctx.sign_out(&state).await?;
            }
            return failure(&ctx, e);
        }
    };
    ctx.sign_in_as(
        &state,
        &user.id,
        &Identified {
            by: "directory",
            oidc_provider: Some(Which::Staff.as_str().to_owned()),
            id_token: Some(vouched.id_token.clone()),
        },
    )
    .await?;
    Ok(Redirect::to(&local_path(&vouched.next_path, "/staff")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinkForm {
    pub link_password: String,
    pub csrf: String,
}

/// `POST /account/eid`: a password account ties itself to its national
/// register number: its password, then the provider.
pub async fn link_start(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LinkForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.user()?.clone();
    match oidc::begin_link(
        &state,
        &user,
        &f.link_password,
        ctx.locale.code(),
        &ctx.ip.to_string(),
    )
    .await
    {
        Ok(started) => {
            ctx.set_cookie(
                cookie_name(&state),
                &started.cookie_secret,
                COOKIE_MAX_AGE_S,
            );
            Ok(Redirect::to(&started.url).into_response())
        }
        Err(OidcFailure::Other(Refusal::Invalid(inv))) => {
            let page = account_page(
                &state,
                &ctx,
                FormErrors::from_invalid(ctx.locale, &inv),
                false,
            )
            .await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => failure(&ctx, e),
    }
}

/// A provider's failure as a page in the person's language. Nothing was
/// created or signed in.
fn failure(ctx: &Ctx, e: OidcFailure) -> Result<Response, AppError> {
    let (status, title, text) = match &e {
        OidcFailure::NotConfigured => return Err(AppError::NotFound),
        OidcFailure::Unreachable(detail) => {
            tracing::warn!(error = %detail, "OpenID provider unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "oidc-unreachable-title",
                "oidc-unreachable-text",
            )
        }
        OidcFailure::Refused { code, detail } => {
            tracing::warn!(reason = code, error = %detail, "OpenID sign-in refused");
            let text = match *code {
                "oidc-no-role" => "oidc-no-role-text",
                "oidc-nrn" => "oidc-nrn-text",
                "oidc-denied" => "oidc-denied-text",
                "oidc-disabled" => "oidc-disabled-text",
                _ => "oidc-refused-text",
            };
            let status = if *code == "oidc-no-role" || *code == "oidc-disabled" {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::BAD_REQUEST
            };
            (status, "oidc-refused-title", text)
        }
        OidcFailure::Other(Refusal::TooMany { retry_after_s }) => {
            let mut res = render(
                StatusCode::TOO_MANY_REQUESTS,
                MessagePage {
                    l: ctx.layout("login-title"),
                    text: AppError::limited_message(ctx.locale, *retry_after_s),
                    link: None,
                },
            )?;
            AppError::Limited(*retry_after_s).retry_after(&mut res);
            return Ok(res);
        }
        OidcFailure::Other(_) => {
            let OidcFailure::Other(r) = e else {
                return Err(AppError::Internal("unreachable".to_owned()));
            };
            return Err(r.into());
        }
    };
    let mut res = render(
        status,
        MessagePage {
            l: ctx.layout(title),
            text: ctx.locale.t(text),
            link: Some(("/login".to_owned(), ctx.locale.t("nav-login"))),
        },
    )?;
    if status == StatusCode::SERVICE_UNAVAILABLE {
        AppError::Unavailable(String::new()).retry_after(&mut res);
    }
    Ok(res)
}
