//! The pages the law asks for: the privacy notice (GDPR art. 13–14) and the
//! accessibility statement after the EU model (Implementing Decision (EU)
//! 2018/1523), with its form to report a barrier, which becomes a contact
//! moment in the contact centre's intake queue (like "ask a question").

use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::Locale;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::contact::{MomentDraft, MomentInput, check_moment};
use loket_domain::ident::Email;
use loket_domain::people::Role;
use loket_domain::privacy::{Period, retention_table};
use loket_store::contact::MomentParty;
use serde::Deserialize;

/// The city's parts of both pages (configuration keys `privacy_controller`,
/// `privacy_dpo`, `accessibility_statement_date`).
#[derive(Debug, Clone)]
pub struct LegalText {
    pub controller: String,
    pub dpo: String,
    /// `YYYY-MM-DD`.
    pub statement_date: String,
}

impl Default for LegalText {
    fn default() -> Self {
        LegalText {
            controller: "Stad Leuven, Professor Van Overstraetenplein 1, 3000 Leuven".to_owned(),
            dpo: "privacy@leuven.example".to_owned(),
            statement_date: "2026-12-03".to_owned(),
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/privacy", get(privacy))
        .route("/accessibility", get(accessibility).post(report_barrier))
}

/// The longest "where" of a barrier report (the moment's subject holds it).
const PAGE_MAX: usize = 150;

#[derive(Template)]
#[template(path = "legal/privacy.html")]
struct PrivacyPage {
    l: Layout,
    controller: String,
    dpo: String,
    /// (kind, period) in the page's language.
    periods: Vec<(String, String)>,
}

/// A period in words.
pub(crate) fn period_text(locale: Locale, p: Period) -> String {
    match p {
        Period::IdleHours { idle, max_hours } => locale.t_args(
            "privacy-period-idle",
            &[("idle", idle.to_string()), ("max", max_hours.to_string())],
        ),
        Period::Scheduled { key, value } => locale.t_args(
            &format!("retention-period-{key}"),
            &[("n", value.to_string())],
        ),
        Period::AtExpiry => locale.t("privacy-period-at-expiry"),
        Period::DaysAfterExpiry(d) => {
            locale.t_args("privacy-period-days-after", &[("days", d.to_string())])
        }
        Period::NoEndDate => locale.t("privacy-period-none"),
        Period::PerService => {
            locale.t_args("privacy-period-per-service", &[("list", "—".to_owned())])
        }
    }
}

/// Each service's period for its closed cases, in words ("Parking permit:
/// 2 years"), by the services' names in `locale`.
pub(crate) async fn per_service(state: &AppState, locale: Locale) -> Result<Vec<String>, AppError> {
    let periods = loket_store::privacy::cases_retention(&state.store).await?;
    let en = locale.code() == "en";
    Ok(periods
        .into_iter()
        .map(|p| {
            let name = if en { p.name_en } else { p.name_nl };
            match p.years {
                Some(n) => locale.t_args(
                    "retention-per-service",
                    &[("service", name), ("n", n.to_string())],
                ),
                None => locale.t_args("retention-per-service-none", &[("service", name)]),
            }
        })
        .collect())
}

pub async fn privacy(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let c = &state.config;
    // Generated from the schedule the retention run applies, and from the
    // services' own periods for closed cases.
    let services = per_service(&state, ctx.locale).await?.join("; ");
    let periods = retention_table(&c.app.retention)
        .into_iter()
        .map(|r| {
            (
                ctx.locale.t(&format!("privacy-kind-{}", r.kind)),
                match r.period {
                    Period::PerService => ctx
                        .locale
                        .t_args("privacy-period-per-service", &[("list", services.clone())]),
                    p => period_text(ctx.locale, p),
                },
            )
        })
        .collect();
    render(
        StatusCode::OK,
        PrivacyPage {
            l: ctx.layout("privacy-title"),
            controller: c.legal.controller.clone(),
            dpo: c.legal.dpo.clone(),
            periods,
        },
    )
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct BarrierForm {
    pub name: String,
    pub email: String,
    /// Where the barrier is (a page's address or a description); optional.
    pub page: String,
    pub barrier: String,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "legal/accessibility.html")]
struct AccessibilityPage {
    l: Layout,
    statement_date: String,
    f: BarrierForm,
    errors: FormErrors,
    /// The reference of the report just made.
    reference: Option<String>,
}

async fn accessibility_page(
    state: &AppState,
    ctx: &mut Ctx,
    f: BarrierForm,
    errors: FormErrors,
    reference: Option<String>,
) -> Result<Response, AppError> {
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("a11y-title");
    l.csrf = csrf;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let statement_date = state
        .config
        .legal
        .statement_date
        .parse::<jiff::civil::Date>()
        .map(|d| crate::i18n::long_date(ctx.locale, d))
        .unwrap_or_else(|_| state.config.legal.statement_date.clone());
    render(
        status,
        AccessibilityPage {
            l,
            statement_date,
            f,
            errors,
            reference,
        },
    )
}

pub async fn accessibility(
    State(state): State<AppState>,
    mut ctx: Ctx,
) -> Result<Response, AppError> {
    let mut f = BarrierForm::default();
    if let Some(u) = ctx.user.as_deref() {
        f.name = u.name.clone();
        f.email = u.email.clone();
    }
    accessibility_page(&state, &mut ctx, f, FormErrors::default(), None).await
}

fn barrier_errors(locale: Locale, inv: &Invalid) -> FormErrors {
    FormErrors::from_invalid_labelled(locale, inv, |f| {
        let id = format!("field-a11y-{f}");
        locale.has(&id).then(|| locale.t(&id))
    })
}

/// A barrier report: a contact moment (`intake`, channel web) whose
/// subject says it is about accessibility and where, and the confirmation
/// mail with its reference; limited per IP like the other public mail forms.
pub async fn report_barrier(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<BarrierForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let mut inv = Invalid::default();
    let email = inv.check("email", Email::parse(&f.email));
    let name: String = f.name.trim().chars().take(200).collect();
    if name.is_empty() {
        inv.push("name", "required");
    }
    // One line: control characters (a pasted line break) become spaces.
    let page: String = f
        .page
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if page.chars().count() > PAGE_MAX {
        inv.push("page", "contact-too-long");
    }
    let prefix = ctx.locale.t("a11y-moment-subject");
    let subject = if page.is_empty() {
        prefix
    } else {
        format!("{prefix}: {page}")
    };
    let checked = check_moment(&MomentInput {
        channel: "web",
        subject: &subject,
        question: &f.barrier,
        answer: "",
        outcome: "call_back",
        duration: "",
    });
    let draft = match checked {
        Ok(d) if inv.is_empty() => d,
        other => {
            if let Err(e) = other {
                for mut fe in e.0 {
                    match fe.field.as_str() {
                        "question" => fe.field = "barrier".to_owned(),
                        "subject" => fe.field = "page".to_owned(),
                        _ => {}
                    }
                    if !inv.0.iter().any(|x| x.field == fe.field) {
                        inv.0.push(fe);
                    }
                }
            }
            let errors = barrier_errors(ctx.locale, &inv);
            return accessibility_page(&state, &mut ctx, f, errors, None).await;
        }
    };
    let Some(email) = email else {
        return Err(AppError::Internal("checked e-mail missing".to_owned()));
    };
    let draft = MomentDraft {
        outcome: String::new(),
        ..draft
    };
    let resident_id = ctx
        .user
        .as_deref()
        .filter(|u| u.roles.has(Role::Resident))
        .map(|u| u.id.clone());
    let actor = match &resident_id {
        Some(id) => Actor::User(id.clone()),
        None => Actor::System,
    };
    let ip = ctx.ip.to_string();
    let asked = loket_app::contact::ask(
        &state,
        &actor,
        &MomentParty {
            resident_id: resident_id.as_deref(),
            name: &name,
            email: email.as_str(),
        },
        &draft,
        ctx.locale,
        loket_app::people::Origin { ip: &ip },
    )
    .await;
    match asked {
        Ok(m) => {
            accessibility_page(
                &state,
                &mut ctx,
                BarrierForm::default(),
                FormErrors::default(),
                Some(m.reference),
            )
            .await
        }
        Err(loket_app::Refusal::TooMany { retry_after_s }) => {
            let errors = FormErrors::general(AppError::limited_message(ctx.locale, retry_after_s));
            let mut res = accessibility_page(&state, &mut ctx, f, errors, None).await?;
            *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            AppError::Limited(retry_after_s).retry_after(&mut res);
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}
