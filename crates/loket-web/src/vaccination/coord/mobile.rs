//! Sync conflicts and mobile planning.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResolveForm {
    pub csrf: String,
    pub resolution: String,
}

pub async fn resolve(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<ResolveForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    match loket_app::vaccination::resolve_conflict(
        &state,
        &Actor::User(user.id),
        &id,
        &f.resolution,
    )
    .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/staff/vaccination/{}?notice=resolved", c.slug)).into_response(),
        ),
        Err(loket_app::Refusal::Invalid(inv)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv, "vac");
            campaign_view(
                &state,
                &mut ctx,
                c,
                "",
                Extra {
                    errors,
                    ..Extra::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MobileForm {
    pub csrf: String,
    pub team: String,
    pub day: String,
    pub at: String,
    pub code: String,
    pub address: String,
}

/// Plans a mobile team's visit to an invitee (by invitation code).
pub async fn plan_mobile(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<MobileForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let mut errors = Vec::new();
    let team = f.team.trim();
    if team.is_empty() || team.chars().count() > 40 || team.chars().any(char::is_control) {
        errors.push(FieldError::new("team", "required"));
    }
    if f.day.trim().parse::<jiff::civil::Date>().is_err() {
        errors.push(FieldError::new("day", "vac-day-invalid"));
    }
    if loket_domain::appointments::parse_time(f.at.trim()).is_none() {
        errors.push(FieldError::new("at", "vac-time-invalid"));
    }
    let address = f.address.trim();
    if address.is_empty() || address.chars().count() > 200 {
        errors.push(FieldError::new("address", "required"));
    }
    let inv = match rules::parse_code(&f.code, rules::INVITATION_SYMBOLS) {
        Ok(code) => match store::invitation_by_code(&state.store, &code).await? {
            Some(i) if i.campaign_id == c.id => Some(i),
            _ => {
                errors.push(FieldError::new("code", "vac-code-unknown"));
                None
            }
        },
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let result = match inv {
        Some(inv) if errors.is_empty() => loket_app::vaccination::plan_mobile_visit(
            &state,
            &Actor::User(user.id),
            &c,
            &loket_app::vaccination::MobileVisit {
                team,
                day: f.day.trim(),
                at: f.at.trim(),
                invitation_id: &inv.id,
                address,
            },
        )
        .await
        .map_err(AppError::from),
        _ => Err(AppError::Invalid(Invalid(errors))),
    };
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/staff/vaccination/{}?notice=planned", c.slug)).into_response(),
        ),
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv, "vac");
            campaign_view(
                &state,
                &mut ctx,
                c,
                "",
                Extra {
                    errors,
                    mobile: MobileForm {
                        csrf: String::new(),
                        ..f
                    },
                    ..Extra::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
