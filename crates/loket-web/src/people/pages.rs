//! The pages every person sees: sign in, register, confirm, reset, account.

use super::STAFF_ROLES;
use super::session::Ctx;
use crate::AppState;
pub(crate) use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::Locale;
use crate::layout::{Layout, local_path};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_app::Refusal;
use loket_app::people::{self, SignIn};
use loket_domain::ident::Email;
use loket_domain::people::{self as rules, Role};
use loket_domain::{FieldError, Invalid};
use loket_store::people::{self as store, LinkPurpose};
use serde::Deserialize;

// ---- sign in ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: String,
    pub csrf: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    pub next: String,
}

#[derive(Template)]
#[template(path = "people/login.html")]
struct LoginPage {
    l: Layout,
    email: String,
    next: String,
    errors: FormErrors,
    demo: bool,
    /// The residents' provider is configured: "Sign in with eID or itsme".
    eid: bool,
    /// The staff directory is configured: "Staff: sign in with the city's account".
    staff_sso: bool,
}

pub async fn login_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("login-title");
    l.csrf = csrf;
    render(
        StatusCode::OK,
        LoginPage {
            l,
            email: String::new(),
            next: q.next,
            errors: FormErrors::default(),
            demo: state.config.demo,
            eid: state.config.app.oidc_residents.is_some(),
            staff_sso: state.config.app.oidc_staff.is_some(),
        },
    )
}

pub async fn login(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let ip = ctx.ip.to_string();
    let fail = |ctx: &Ctx, status: StatusCode, errors: FormErrors, f: LoginForm| {
        let l = ctx.layout("login-title");
        render(
            status,
            LoginPage {
                l,
                email: f.email,
                next: f.next,
                errors,
                demo: state.config.demo,
                eid: state.config.app.oidc_residents.is_some(),
                staff_sso: state.config.app.oidc_staff.is_some(),
            },
        )
    };
    let user = match people::sign_in(&state, &f.email, &f.password, &ip).await {
        Ok(SignIn::Welcome(user)) => user,
        Ok(SignIn::Throttled { seconds }) => {
            let msg = if seconds < 120 {
                ctx.locale
                    .t_args("login-slow", &[("seconds", seconds.max(1).to_string())])
            } else {
                ctx.locale.t_args(
                    "login-throttled",
                    &[("minutes", ((seconds + 59) / 60).to_string())],
                )
            };
            return fail(
                &ctx,
                StatusCode::TOO_MANY_REQUESTS,
                FormErrors::general(msg),
                f,
            );
        }
        Ok(SignIn::Wrong) => {
            let errors = FormErrors::general(ctx.locale.t("login-wrong"));
            return fail(&ctx, StatusCode::UNPROCESSABLE_ENTITY, errors, f);
        }
        Ok(SignIn::Unconfirmed) => {
            let errors = FormErrors::general(ctx.locale.t("login-unconfirmed"));
            return fail(&ctx, StatusCode::UNPROCESSABLE_ENTITY, errors, f);
        }
        Ok(SignIn::StaffUseDirectory) => {
            let errors = FormErrors::general(ctx.locale.t("login-staff-directory"));
            return fail(&ctx, StatusCode::FORBIDDEN, errors, f);
        }
        Err(Refusal::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            return fail(&ctx, StatusCode::UNPROCESSABLE_ENTITY, errors, f);
        }
        Err(e) => return Err(e.into()),
    };
    // Admin, HR, finance (totp_required_roles): the second factor first.
    if people::totp::required(&state, &user) {
        ctx.half_sign_in(&state, &user.id).await?;
        let next = if f.next.is_empty() {
            "/login/factor".to_owned()
        } else {
            format!("/login/factor?next={}", crate::layout::urlencode(&f.next))
        };
        return Ok(Redirect::to(&next).into_response());
    }
    ctx.sign_in(&state, &user.id).await?;
    let home = if user.roles.is_staff() {
        "/staff"
    } else {
        "/account"
    };
    Ok(Redirect::to(&local_path(&f.next, home)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfOnly {
    pub csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let at_provider = ctx.oidc_session();
    ctx.sign_out(&state).await?;
    // Signed in through a provider: sign out there too, when it offers an
    // end_session_endpoint (RP-initiated logout).
    if let Some((provider, id_token)) = at_provider
        && let Some(url) = people::oidc::logout_url(&state, &provider, &id_token).await
    {
        return Ok(Redirect::to(&url).into_response());
    }
    Ok(Redirect::to("/").into_response())
}

// ---- registration and confirmation ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RegisterForm {
    pub email: String,
    pub name: String,
    pub password: String,
    pub password_repeat: String,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "people/register.html")]
struct RegisterPage {
    l: Layout,
    email: String,
    name: String,
    errors: FormErrors,
    min: usize,
}

#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub l: Layout,
    pub text: String,
    pub link: Option<(String, String)>,
}

pub(crate) fn message(
    ctx: &Ctx,
    status: StatusCode,
    title: &str,
    text: &str,
) -> Result<Response, AppError> {
    render(
        status,
        MessagePage {
            l: ctx.layout(title),
            text: ctx.locale.t(text),
            link: None,
        },
    )
}

pub async fn register_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
) -> Result<Response, AppError> {
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("register-title");
    l.csrf = csrf;
    render(
        StatusCode::OK,
        RegisterPage {
            l,
            email: String::new(),
            name: String::new(),
            errors: FormErrors::default(),
            min: rules::PASSWORD_MIN,
        },
    )
}

pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RegisterForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let refused = |inv: &Invalid, f: RegisterForm| {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            RegisterPage {
                l: ctx.layout("register-title"),
                email: f.email,
                name: f.name,
                errors: FormErrors::from_invalid(ctx.locale, inv),
                min: rules::PASSWORD_MIN,
            },
        )
    };
    let reg = match rules::validate_registration(&f.email, &f.name, &f.password, &f.password_repeat)
    {
        Ok(r) => r,
        Err(inv) => return refused(&inv, f),
    };
    let from = people::Origin {
        ip: &ctx.ip.to_string(),
    };
    match people::register(&state, &reg, &f.password, ctx.locale, from).await {
        Ok(()) => {}
        Err(Refusal::Invalid(inv) | Refusal::Conflict(inv) | Refusal::Full(inv)) => {
            return refused(&inv, f);
        }
        Err(Refusal::TooMany { retry_after_s }) => {
            let mut res = render(
                StatusCode::TOO_MANY_REQUESTS,
                RegisterPage {
                    l: ctx.layout("register-title"),
                    email: f.email,
                    name: f.name,
                    errors: FormErrors::general(AppError::limited_message(
                        ctx.locale,
                        retry_after_s,
                    )),
                    min: rules::PASSWORD_MIN,
                },
            )?;
            AppError::Limited(retry_after_s).retry_after(&mut res);
            return Ok(res);
        }
        Err(e) => return Err(e.into()),
    }
    message(
        &ctx,
        StatusCode::OK,
        "register-done-title",
        "register-done-text",
    )
}

#[derive(Template)]
#[template(path = "people/confirm.html")]
struct ConfirmPage {
    l: Layout,
    token: String,
}

/// The landing page of a confirmation link: a button that confirms by POST,
/// so a mail scanner that opens the link does not use it up.
pub async fn confirm_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if !store::link_is_valid(&state.store, &token, LinkPurpose::Confirm).await? {
        return message(
            &ctx,
            StatusCode::GONE,
            "confirm-bad-title",
            "confirm-bad-text",
        );
    }
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("email-confirm-title");
    l.csrf = csrf;
    render(StatusCode::OK, ConfirmPage { l, token })
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    if !people::confirm(&state, &token).await? {
        return message(
            &ctx,
            StatusCode::GONE,
            "confirm-bad-title",
            "confirm-bad-text",
        );
    }
    render(
        StatusCode::OK,
        MessagePage {
            l: ctx.layout("confirm-ok-title"),
            text: ctx.locale.t("confirm-ok-text"),
            link: Some(("/login".to_owned(), ctx.locale.t("nav-login"))),
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    pub email: String,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "people/email_form.html")]
struct EmailFormPage {
    l: Layout,
    action: &'static str,
    intro: String,
    email: String,
    errors: FormErrors,
}

async fn email_form_page(
    state: &AppState,
    ctx: &mut Ctx,
    title: &str,
    intro: &str,
    action: &'static str,
) -> Result<Response, AppError> {
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout(title);
    l.csrf = csrf;
    render(
        StatusCode::OK,
        EmailFormPage {
            l,
            action,
            intro: ctx.locale.t(intro),
            email: String::new(),
            errors: FormErrors::default(),
        },
    )
}

fn email_form_refused(
    ctx: &Ctx,
    title: &str,
    intro: &str,
    action: &'static str,
    f: EmailForm,
    e: FieldError,
) -> Result<Response, AppError> {
    render(
        StatusCode::UNPROCESSABLE_ENTITY,
        EmailFormPage {
            l: ctx.layout(title),
            action,
            intro: ctx.locale.t(intro),
            email: f.email,
            errors: FormErrors::from_invalid(
                ctx.locale,
                &Invalid::from(FieldError::new("email", e.code)),
            ),
        },
    )
}

/// The e-mail form again, with the limit's sentence and status 429.
fn email_form_limited(
    ctx: &Ctx,
    title: &str,
    intro: &str,
    action: &'static str,
    f: EmailForm,
    retry_after_s: i64,
) -> Result<Response, AppError> {
    let mut res = render(
        StatusCode::TOO_MANY_REQUESTS,
        EmailFormPage {
            l: ctx.layout(title),
            action,
            intro: ctx.locale.t(intro),
            email: f.email,
            errors: FormErrors::general(AppError::limited_message(ctx.locale, retry_after_s)),
        },
    )?;
    AppError::Limited(retry_after_s).retry_after(&mut res);
    Ok(res)
}

pub async fn resend_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
) -> Result<Response, AppError> {
    email_form_page(
        &state,
        &mut ctx,
        "resend-title",
        "resend-intro",
        "/confirm/resend",
    )
    .await
}

/// Sends a new confirmation link. The answer is the same whether or not the
/// address is known, so the page reveals no accounts.
pub async fn resend(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<EmailForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let email = match Email::parse(&f.email) {
        Ok(e) => e,
        Err(e) => {
            return email_form_refused(
                &ctx,
                "resend-title",
                "resend-intro",
                "/confirm/resend",
                f,
                e,
            );
        }
    };
    let from = people::Origin {
        ip: &ctx.ip.to_string(),
    };
    match people::resend_confirmation(&state, &email, ctx.locale, from).await {
        Ok(()) => message(&ctx, StatusCode::OK, "resend-title", "resend-done"),
        Err(Refusal::TooMany { retry_after_s }) => email_form_limited(
            &ctx,
            "resend-title",
            "resend-intro",
            "/confirm/resend",
            f,
            retry_after_s,
        ),
        Err(e) => Err(e.into()),
    }
}

// ---- password reset ----

pub async fn forgot_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
) -> Result<Response, AppError> {
    email_form_page(
        &state,
        &mut ctx,
        "forgot-title",
        "forgot-intro",
        "/password/forgot",
    )
    .await
}

/// Sends a reset link if the account exists; the answer is the same either way.
pub async fn forgot(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<EmailForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let email = match Email::parse(&f.email) {
        Ok(e) => e,
        Err(e) => {
            return email_form_refused(
                &ctx,
                "forgot-title",
                "forgot-intro",
                "/password/forgot",
                f,
                e,
            );
        }
    };
    let from = people::Origin {
        ip: &ctx.ip.to_string(),
    };
    match people::send_reset(&state, &email, ctx.locale, from).await {
        Ok(()) => message(&ctx, StatusCode::OK, "forgot-title", "forgot-done"),
        Err(Refusal::TooMany { retry_after_s }) => email_form_limited(
            &ctx,
            "forgot-title",
            "forgot-intro",
            "/password/forgot",
            f,
            retry_after_s,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    pub password: String,
    pub password_repeat: String,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "people/reset.html")]
struct ResetPage {
    l: Layout,
    token: String,
    errors: FormErrors,
    min: usize,
}

pub async fn reset_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if !store::link_is_valid(&state.store, &token, LinkPurpose::Reset).await? {
        return message(&ctx, StatusCode::GONE, "reset-bad-title", "reset-bad-text");
    }
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("reset-title");
    l.csrf = csrf;
    render(
        StatusCode::OK,
        ResetPage {
            l,
            token,
            errors: FormErrors::default(),
            min: rules::PASSWORD_MIN,
        },
    )
}

pub async fn reset(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<ResetForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let inv = people::new_password_errors(&f.password, &f.password_repeat);
    if !inv.is_empty() {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            ResetPage {
                l: ctx.layout("reset-title"),
                token,
                errors: FormErrors::from_invalid(ctx.locale, &inv),
                min: rules::PASSWORD_MIN,
            },
        );
    }
    if !people::reset_password(&state, &token, &f.password).await? {
        return message(&ctx, StatusCode::GONE, "reset-bad-title", "reset-bad-text");
    }
    render(
        StatusCode::OK,
        MessagePage {
            l: ctx.layout("reset-done-title"),
            text: ctx.locale.t("reset-done-text"),
            link: Some(("/login".to_owned(), ctx.locale.t("nav-login"))),
        },
    )
}

// ---- my account ----

/// The most vaccination invitations My account lists (newest first); past
/// it the page says so.
const INVITATIONS_SHOWN: usize = 20;

#[derive(Template)]
#[template(path = "people/account.html")]
pub(crate) struct AccountPage {
    l: Layout,
    name: String,
    email: String,
    roles: Vec<String>,
    errors: FormErrors,
    min: usize,
    done: bool,
    /// The end date of the person's staff record: the account is disabled
    /// from that day.
    end_date: Option<String>,
    /// The residents' provider is configured.
    eid: bool,
    /// The account is tied to a national register number (shown masked).
    nrn: Option<String>,
    /// The account has a password (it can link its number).
    has_password: bool,
    /// This session was signed in with e-ID.
    signed_in_eid: bool,
    /// Just linked.
    linked: bool,
    /// Vaccination invitations kept under the number: campaign, code, status
    /// (the newest [`INVITATIONS_SHOWN`]).
    invitations: Vec<(String, String, String)>,
    /// "Only the newest 20 invitations are listed" when there are more,
    /// else ''.
    invitations_more: String,
    /// A confirmed second factor: its unused recovery codes.
    totp: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AccountQuery {
    pub linked: String,
}

pub(crate) fn role_labels(locale: Locale, roles: impl Iterator<Item = Role>) -> Vec<String> {
    roles
        .map(|r| locale.t(&format!("role-{}", r.as_str().replace('_', "-"))))
        .collect()
}

pub(crate) async fn account_page(
    state: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    done: bool,
) -> Result<AccountPage, AppError> {
    let user = ctx.user()?;
    let end_date = if user.roles.is_staff() {
        store::staff_end_date(&state.store, &user.email).await?
    } else {
        None
    };
    let nrn = loket_store::people::oidc::national_number_of(&state.store, &user.id).await?;
    let mut found = match &nrn {
        Some(n) => {
            loket_store::people::oidc::invitations_of_number(
                &state.store,
                n,
                INVITATIONS_SHOWN as i64 + 1,
            )
            .await?
        }
        None => Vec::new(),
    };
    let invitations_more = if found.len() > INVITATIONS_SHOWN {
        found.truncate(INVITATIONS_SHOWN);
        ctx.locale.t_args(
            "account-invitations-more",
            &[("count", INVITATIONS_SHOWN.to_string())],
        )
    } else {
        String::new()
    };
    let invitations = found
        .into_iter()
        .map(|i| {
            let status = ctx.locale.t(&format!("account-invitation-{}", i.status));
            (i.campaign, i.code, status)
        })
        .collect();
    let (has_factor, codes_left) = people::totp::summary(state, &user.id).await?;
    Ok(AccountPage {
        totp: has_factor.then_some(codes_left),
        end_date,
        eid: state.config.app.oidc_residents.is_some(),
        nrn: nrn.map(|n| {
            format!(
                "{}…{}",
                &n[..2.min(n.len())],
                &n[n.len().saturating_sub(2)..]
            )
        }),
        has_password: !user.password_hash.is_empty(),
        signed_in_eid: ctx.identified_by() == Some("eid"),
        linked: false,
        invitations,
        invitations_more,
        l: ctx.layout("account-title"),
        name: user.name.clone(),
        email: user.email.clone(),
        roles: role_labels(ctx.locale, user.roles.iter()),
        errors,
        min: rules::PASSWORD_MIN,
        done,
    })
}

pub async fn account(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AccountQuery>,
) -> Result<Response, AppError> {
    let mut page = account_page(&state, &ctx, FormErrors::default(), false).await?;
    page.linked = q.linked == "1";
    render(StatusCode::OK, page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChangePasswordForm {
    pub current_password: String,
    pub password: String,
    pub password_repeat: String,
    pub csrf: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<ChangePasswordForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.user()?.clone();
    let mut inv = people::new_password_errors(&f.password, &f.password_repeat);
    if !people::password_matches(&user, &f.current_password).await? {
        inv.push("current_password", "password-wrong");
    }
    if !inv.is_empty() {
        let page = account_page(
            &state,
            &ctx,
            FormErrors::from_invalid(ctx.locale, &inv),
            false,
        )
        .await?;
        return render(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    people::change_password(&state, &user, &f.password).await?;
    // Every session ended with the change; this one continues as a new one.
    ctx.sign_in(&state, &user.id).await?;
    render(
        StatusCode::OK,
        account_page(&state, &ctx, FormErrors::default(), true).await?,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LanguageForm {
    pub locale: String,
    pub csrf: String,
}

pub async fn account_language(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<LanguageForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.user()?.clone();
    let Some(locale) = Locale::parse(&f.locale) else {
        let inv = Invalid::one("locale", "locale-unknown");
        let page = account_page(
            &state,
            &ctx,
            FormErrors::from_invalid(ctx.locale, &inv),
            false,
        )
        .await?;
        return render(StatusCode::UNPROCESSABLE_ENTITY, page);
    };
    people::set_language(&state, &user, locale).await?;
    ctx.set_locale(&state, locale).await?;
    Ok(Redirect::to("/account").into_response())
}

/// Switches the language of the pages (a cookie; no account change).
pub async fn switch_language(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let locale = Locale::parse(&code).ok_or(AppError::NotFound)?;
    ctx.set_locale(&state, locale).await?;
    Ok(Redirect::to(&local_path(&q.next, "/")).into_response())
}

// ---- staff home ----

#[derive(Template)]
#[template(path = "people/staff.html")]
struct StaffPage {
    l: Layout,
    roles: Vec<String>,
    is_admin: bool,
    is_handler: bool,
    is_finance: bool,
    is_assisting: bool,
    is_counter: bool,
    is_hr: bool,
    /// The account is on a staff record (telework), and manages a team.
    teleworker: bool,
    manager: bool,
    is_fleet: bool,
    is_ict: bool,
    is_ict_hr: bool,
    is_shift_planner: bool,
    is_privacy_officer: bool,
    is_management: bool,
    /// The work screen: what waits, as counts with the page of each.
    work: Vec<WorkLine>,
    work_today: String,
}

/// One count of the work screen.
pub struct WorkLine {
    /// A stable name for the count (`data-work`, read by the tests).
    pub key: String,
    pub count: i64,
    pub label: String,
    pub href: String,
    /// Past a due date: shown as urgent when not zero.
    pub urgent: bool,
}

fn line(
    key: impl Into<String>,
    count: i64,
    label: String,
    href: impl Into<String>,
    urgent: bool,
) -> WorkLine {
    WorkLine {
        key: key.into(),
        count,
        label,
        href: href.into(),
        urgent: urgent && count > 0,
    }
}

/// The work screen's lines, in the page's language.
fn work_lines(l: &Layout, w: &loket_app::people::home::Work) -> Vec<WorkLine> {
    let mut out = Vec::new();
    if let Some(c) = &w.cases {
        out.push(line(
            "cases-overdue",
            c.mine_overdue,
            l.t("work-cases-overdue"),
            "/staff/cases?mine=1&overdue=1",
            true,
        ));
        out.push(line(
            "cases-due",
            c.mine_due,
            l.t1("work-cases-due", "until", &w.due_until),
            "/staff/cases?mine=1",
            false,
        ));
        out.push(line(
            "cases-unassigned",
            c.unassigned,
            l.t("work-cases-unassigned"),
            "/staff/cases",
            false,
        ));
    }
    if let Some((due, overdue)) = w.forwards {
        out.push(line(
            "forwards-overdue",
            overdue,
            l.t("work-forwards-overdue"),
            "/staff/forwards",
            true,
        ));
        out.push(line(
            "forwards-due",
            due,
            l.t("work-forwards-due"),
            "/staff/forwards",
            false,
        ));
    }
    for c in w.counters.iter().flatten() {
        out.push(line(
            format!("waiting-{}", c.slug),
            c.waiting,
            l.t1("work-waiting", "location", &c.name),
            format!("/staff/queue?location={}", c.slug),
            false,
        ));
        out.push(line(
            format!("appointments-{}", c.slug),
            c.booked,
            l.locale.t_args(
                "work-appointments",
                &[
                    ("location", c.name.clone()),
                    ("served", c.served.to_string()),
                    ("noshow", c.no_show.to_string()),
                ],
            ),
            format!("/staff/appointments?location={}&date={}", c.slug, w.today),
            false,
        ));
    }
    for m in w.months.iter().flatten() {
        out.push(line(
            format!("months-{}", m.month),
            m.people,
            l.t1("work-months", "month", m.month),
            format!("/telework/team?month={}", m.month),
            false,
        ));
    }
    if let Some(n) = w.bikes_to_check {
        out.push(line(
            "bikes-maintenance",
            n,
            l.t("work-bikes"),
            "/staff/bikes",
            false,
        ));
    }
    if let Some(n) = w.loans_overdue {
        out.push(line(
            "loans-overdue",
            n,
            l.t("work-loans"),
            "/staff/assets/overdue",
            true,
        ));
    }
    if let Some((shifts, places)) = w.shifts {
        out.push(line(
            "shifts-understaffed",
            shifts,
            l.t_args2("work-shifts", "until", &w.shifts_until, "places", places),
            "/staff/shifts/coverage",
            false,
        ));
    }
    if let Some((open, overdue)) = w.privacy {
        out.push(line(
            "privacy-overdue",
            overdue,
            l.t("work-privacy-overdue"),
            "/privacy-officer/requests",
            true,
        ));
        out.push(line(
            "privacy-open",
            open,
            l.t("work-privacy-open"),
            "/privacy-officer/requests",
            false,
        ));
    }
    out
}

pub async fn staff_home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require(STAFF_ROLES)?;
    let me = crate::telework::staff_of(&state, user).await?;
    let manager = match &me {
        Some(m) => !loket_store::telework::team(&state.store, &m.employee_no)
            .await?
            .is_empty(),
        None => false,
    };
    let ask = loket_app::people::home::Ask {
        cases: user.roles.any(crate::cases::backoffice::HANDLERS),
        forwards: user.roles.any(crate::contact::DEPARTMENT_STAFF),
        counters: user.roles.any(crate::appointments::COUNTER_STAFF),
        manager_no: match &me {
            Some(m) if manager => Some(m.employee_no.clone()),
            _ => None,
        },
        bikes: user.roles.any(crate::bikes::FLEET),
        loans: user.roles.any(crate::assets::ICT),
        shifts: user.roles.any(crate::shifts::PLANNERS),
        privacy: user.roles.any(crate::privacy::export::OFFICERS),
    };
    let today = loket_domain::calendar::today_brussels();
    let work = loket_app::people::home::work(&state, user, &ask, today).await?;
    let l = ctx.layout("staff-title");
    let work = work_lines(&l, &work);
    render(
        StatusCode::OK,
        StaffPage {
            work,
            work_today: today.to_string(),
            l,
            roles: role_labels(ctx.locale, user.roles.iter().filter(|r| r.is_staff())),
            is_admin: user.roles.has(Role::Admin),
            is_handler: user.roles.has(Role::CaseHandler),
            is_finance: user.roles.has(Role::Finance) || user.roles.has(Role::Admin),
            is_assisting: user.roles.has(Role::Counter) || user.roles.has(Role::ContactCentre),
            is_counter: user.roles.any(crate::appointments::COUNTER_STAFF),
            is_hr: user.roles.any(crate::telework::HR_ROLES),
            teleworker: me.is_some(),
            manager,
            is_fleet: user.roles.any(crate::bikes::FLEET),
            is_ict: user.roles.any(crate::assets::ICT),
            is_ict_hr: user.roles.any(crate::assets::ICT_HR),
            is_shift_planner: user.roles.any(crate::shifts::PLANNERS),
            is_privacy_officer: user.roles.any(crate::privacy::export::OFFICERS),
            is_management: user.roles.any(crate::dashboard::VIEWERS),
        },
    )
}
