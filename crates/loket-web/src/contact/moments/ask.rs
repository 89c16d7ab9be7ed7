//! Residents ask a question.

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AskForm {
    pub name: String,
    pub email: String,
    pub subject: String,
    pub question: String,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "contact/ask.html")]
pub(super) struct AskPage {
    l: Layout,
    f: AskForm,
    errors: FormErrors,
}

pub(super) async fn ask_page(
    state: &AppState,
    ctx: &mut Ctx,
    f: AskForm,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("contact-ask-title");
    l.csrf = csrf;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, AskPage { l, f, errors })
}

pub async fn ask_form(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    let mut f = AskForm::default();
    if let Some(u) = ctx.user.as_deref() {
        f.name = u.name.clone();
        f.email = u.email.clone();
    }
    ask_page(&state, &mut ctx, f, FormErrors::default()).await
}

#[derive(Template)]
#[template(path = "contact/asked.html")]
pub(super) struct AskedPage {
    l: Layout,
    reference: String,
}

/// A resident's question: a contact moment in the intake queue and a
/// confirmation e-mail with its reference.
pub async fn ask(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<AskForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let mut inv = Invalid::default();
    let email = inv.check("email", Email::parse(&f.email));
    let name: String = f.name.trim().chars().take(200).collect();
    if name.is_empty() {
        inv.push("name", "required");
    }
    let checked = check_moment(&MomentInput {
        channel: "web",
        subject: &f.subject,
        question: &f.question,
        answer: "",
        outcome: "call_back",
        duration: "",
    });
    let draft = match checked {
        Ok(d) if inv.is_empty() => d,
        other => {
            if let Err(e) = other {
                inv.0.extend(e.0);
            }
            let errors = form_errors(ctx.locale, &inv);
            return ask_page(&state, &mut ctx, f, errors).await;
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
    let m = match asked {
        Ok(m) => m,
        Err(loket_app::Refusal::TooMany { retry_after_s }) => {
            let errors = FormErrors::general(AppError::limited_message(ctx.locale, retry_after_s));
            let mut res = ask_page(&state, &mut ctx, f, errors).await?;
            *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            AppError::Limited(retry_after_s).retry_after(&mut res);
            return Ok(res);
        }
        Err(e) => return Err(e.into()),
    };
    render(
        StatusCode::OK,
        AskedPage {
            l: ctx.layout("contact-asked-title"),
            reference: m.reference,
        },
    )
}
