//! One shift: people, assignment, change, cancel.

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AssignForm {
    pub csrf: String,
    pub person: String,
    pub shift_override_reason: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ChangeForm {
    pub csrf: String,
    pub start: String,
    pub end: String,
    pub shift_headcount: String,
}

pub struct PersonRow {
    pub name: String,
    pub email: String,
    pub assigned: bool,
    pub override_reason: String,
    /// The working-time rules this shift breaks for the person now (after
    /// an override or a change of times), as sentences.
    pub breaks: Vec<String>,
}

#[derive(Template)]
#[template(path = "shifts/shift.html")]
pub(super) struct ShiftPage {
    l: Layout,
    row: Row,
    qualification: String,
    people: Vec<PersonRow>,
    assign: AssignForm,
    change: ChangeForm,
    errors: FormErrors,
    /// A working-time rule broke: offer the override with a reason.
    offer_override: bool,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn shift_page(
    state: &AppState,
    ctx: &mut Ctx,
    id: &str,
    assign: Option<AssignForm>,
    change: Option<ChangeForm>,
    errors: FormErrors,
    offer_override: bool,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.require(PLANNERS)?;
    let lang = ctx.locale.code();
    let s = store::get_shift(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let settings = store::settings(&state.store).await?;
    let mut people = Vec::new();
    for p in store::people_on(&state.store, id).await? {
        let others: Vec<rules::Span> = store::active_spans(&state.store, &p.user_id, lang)
            .await?
            .into_iter()
            .filter(|x| x.id != s.id)
            .collect();
        let breaches = rules::check(&settings.rules, &others, s.starts_at, s.ends_at);
        let inv = rules::breaches_invalid("shift", &breaches);
        people.push(PersonRow {
            name: p.name,
            email: p.email,
            assigned: p.assigned_by.is_some(),
            override_reason: p.override_reason.unwrap_or_default(),
            breaks: inv
                .0
                .iter()
                .map(|e| crate::forms::field_message(ctx.locale, e))
                .collect(),
        });
    }
    let qualification = match &s.qualification {
        Some(code) => store::list_qualifications(&state.store)
            .await?
            .into_iter()
            .find(|q| &q.code == code)
            .map(|q| q.name(lang).to_owned())
            .unwrap_or_else(|| code.clone()),
        None => ctx.locale.t("shift-no-qualification"),
    };
    let t = time_of(&s);
    let change = change.unwrap_or_else(|| ChangeForm {
        start: t.get(..5).unwrap_or_default().to_owned(),
        end: t
            .get(t.len().saturating_sub(5)..)
            .unwrap_or_default()
            .to_owned(),
        shift_headcount: s.headcount.to_string(),
        ..ChangeForm::default()
    });
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("shift-shift-title");
    l.csrf = csrf;
    render(
        status,
        ShiftPage {
            l,
            row: row_of(&s, lang, loket_store::now_ms(), &[]),
            qualification,
            people,
            assign: assign.unwrap_or_default(),
            change,
            errors,
            offer_override,
        },
    )
}

pub async fn shift(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    shift_page(
        &state,
        &mut ctx,
        &id,
        None,
        None,
        FormErrors::default(),
        false,
        StatusCode::OK,
    )
    .await
}

/// Assigns a staff member (by e-mail) to the shift. A broken working-time
/// rule re-renders the form naming the rule and the conflicting shift, with
/// a reason field; sent again with a reason, the rule is overridden (and
/// the override audited with the reason).
pub async fn assign(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<AssignForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    let person = loket_store::people::find_by_email(&state.store, f.person.trim())
        .await?
        .filter(|u| u.roles.is_staff());
    let result = match person {
        None => Err(AppError::Invalid(Invalid::one(
            "person",
            "shift-person-unknown",
        ))),
        Some(p) => {
            let reason = f.shift_override_reason.trim();
            let reason_ok = if reason.is_empty() {
                Ok(None)
            } else {
                rules::parse_reason(reason).map(Some)
            };
            match reason_ok {
                Err(e) => Err(AppError::Invalid(e.into())),
                Ok(reason) => sign_up_for(
                    &state,
                    &Actor::User(user.id.clone()),
                    &p.id,
                    &id,
                    Some(&user.id),
                    reason.as_deref(),
                    ctx.locale,
                )
                .await
                .map_err(AppError::from),
            }
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/staff/shifts/{id}")).into_response()),
        Err(e) => {
            let status = e.status();
            let inv = refusal(e)?;
            let offer =
                is_rule_breach(&inv) || inv.0.iter().any(|e| e.field == "shift_override_reason");
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            shift_page(&state, &mut ctx, &id, Some(f), None, errors, offer, status).await
        }
    }
}

/// Changes the shift's times or headcount; everyone on it gets a mail in
/// the same transaction.
pub async fn change(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    let s = store::get_shift(&state.store, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut inv = Invalid::default();
    let headcount = inv.check(
        "shift_headcount",
        rules::parse_headcount(&f.shift_headcount),
    );
    let day: Option<jiff::civil::Date> = s.day.parse().ok();
    let w = day.map(|d| rules::window(d, &f.start, &f.end, &brussels()));
    let w = match w {
        Some(Ok(w)) => Some(w),
        Some(Err(e)) => {
            inv.0.extend(e.0);
            None
        }
        None => None,
    };
    let outcome = match (headcount, w, inv.is_empty()) {
        (Some(h), Some((a, b)), true) => {
            loket_app::shifts::change_shift(&state, &Actor::User(user.id), &id, (a, b), h)
                .await
                .map_err(AppError::from)
        }
        _ => Err(AppError::Invalid(inv)),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/staff/shifts/{id}")).into_response()),
        Err(e) => {
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            shift_page(&state, &mut ctx, &id, None, Some(f), errors, false, status).await
        }
    }
}

/// Cancels the shift; everyone on it gets a mail in the same transaction.
pub async fn cancel_shift(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    match loket_app::shifts::cancel_shift(&state, &Actor::User(user.id), &id).await {
        Ok(shift) => Ok(Redirect::to(&format!("/staff/shifts?day={}", shift.day)).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            shift_page(&state, &mut ctx, &id, None, None, errors, false, status).await
        }
    }
}
