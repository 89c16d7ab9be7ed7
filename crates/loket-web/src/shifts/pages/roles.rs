//! Roles, qualifications and the working-time rules.

use super::*;
use loket_app::shifts;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RoleForm {
    pub csrf: String,
    pub shift_role_code: String,
    pub name_nl: String,
    pub name_en: String,
    pub shift_qualification: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct QualificationForm {
    pub csrf: String,
    pub shift_qualification_code: String,
    #[serde(rename = "shift_q_name_nl")]
    pub name_nl: String,
    #[serde(rename = "shift_q_name_en")]
    pub name_en: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RulesForm {
    pub csrf: String,
    pub shift_max_work_hours: String,
    pub shift_window_hours: String,
    pub shift_min_rest_hours: String,
}

pub struct RoleRow {
    pub code: String,
    pub name: String,
    pub qualification: String,
}

#[derive(Template)]
#[template(path = "shifts/roles.html")]
pub(super) struct RolesPage {
    l: Layout,
    roles: Vec<RoleRow>,
    qualifications: Vec<(String, String, String, bool)>,
    role: RoleForm,
    qual: QualificationForm,
    rules_form: RulesForm,
    errors: FormErrors,
}

pub(super) fn hours(minutes: i64) -> String {
    if minutes % 60 == 0 {
        (minutes / 60).to_string()
    } else {
        format!("{:.2}", minutes as f64 / 60.0)
    }
}

pub(super) async fn roles_page(
    state: &AppState,
    ctx: &mut Ctx,
    role: RoleForm,
    qual: QualificationForm,
    rules_form: Option<RulesForm>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.require(PLANNERS)?;
    let lang = ctx.locale.code();
    let quals = store::list_qualifications(&state.store).await?;
    let roles = store::list_roles(&state.store)
        .await?
        .iter()
        .map(|r| RoleRow {
            code: r.code.clone(),
            name: r.name(lang).to_owned(),
            qualification: r
                .qualification_id
                .as_ref()
                .and_then(|q| quals.iter().find(|x| &x.id == q))
                .map(|q| q.name(lang).to_owned())
                .unwrap_or_else(|| ctx.locale.t("shift-no-qualification")),
        })
        .collect();
    let settings = store::settings(&state.store).await?;
    let rules_form = rules_form.unwrap_or_else(|| RulesForm {
        shift_max_work_hours: hours(settings.rules.max_work_minutes),
        shift_window_hours: hours(settings.rules.window_minutes),
        shift_min_rest_hours: hours(settings.rules.min_rest_minutes),
        ..RulesForm::default()
    });
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("shift-roles-title");
    l.csrf = csrf;
    render(
        status,
        RolesPage {
            l,
            roles,
            qualifications: quals
                .iter()
                .map(|q| {
                    (
                        q.id.clone(),
                        q.code.clone(),
                        q.name(lang).to_owned(),
                        q.id == role.shift_qualification,
                    )
                })
                .collect(),
            role,
            qual,
            rules_form,
            errors,
        },
    )
}

pub async fn roles(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    roles_page(
        &state,
        &mut ctx,
        RoleForm::default(),
        QualificationForm::default(),
        None,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn add_role(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<RoleForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    let mut inv = Invalid::default();
    let code = inv.check(
        "shift_role_code",
        rules::parse_code("shift_role_code", &f.shift_role_code),
    );
    let nl = inv.check("name_nl", rules::parse_name("name_nl", &f.name_nl));
    let en = inv.check("name_en", rules::parse_name("name_en", &f.name_en));
    let qual = if f.shift_qualification.trim().is_empty() {
        None
    } else {
        let q = store::list_qualifications(&state.store)
            .await?
            .into_iter()
            .find(|q| q.id == f.shift_qualification.trim());
        if q.is_none() {
            inv.push("shift_qualification", "shift-qualification-unknown");
        }
        q.map(|q| q.id)
    };
    let result = match (code, nl, en, inv.is_empty()) {
        (Some(code), Some(nl), Some(en), true) => shifts::add_role(
            &state,
            &Actor::User(user.id),
            &code,
            (&nl, &en),
            qual.as_deref(),
        )
        .await
        .map_err(AppError::from),
        _ => Err(AppError::Invalid(inv)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/staff/shifts/roles").into_response()),
        Err(e) => {
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            roles_page(
                &state,
                &mut ctx,
                f,
                QualificationForm::default(),
                None,
                errors,
                status,
            )
            .await
        }
    }
}

pub async fn add_qualification(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<QualificationForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    let mut inv = Invalid::default();
    let code = inv.check(
        "shift_qualification_code",
        rules::parse_code("shift_qualification_code", &f.shift_qualification_code),
    );
    let nl = inv.check(
        "shift_q_name_nl",
        rules::parse_name("shift_q_name_nl", &f.name_nl),
    );
    let en = inv.check(
        "shift_q_name_en",
        rules::parse_name("shift_q_name_en", &f.name_en),
    );
    let result = match (code, nl, en) {
        (Some(code), Some(nl), Some(en)) => {
            shifts::add_qualification(&state, &Actor::User(user.id), &code, (&nl, &en))
                .await
                .map_err(AppError::from)
        }
        _ => Err(AppError::Invalid(inv)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/staff/shifts/roles").into_response()),
        Err(e) => {
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            roles_page(
                &state,
                &mut ctx,
                RoleForm::default(),
                f,
                None,
                errors,
                status,
            )
            .await
        }
    }
}

pub(super) fn parse_hours(field: &'static str, s: &str, inv: &mut Invalid) -> Option<i64> {
    let v = s.trim().replace(',', ".").parse::<f64>().ok();
    match v {
        Some(h) if h.is_finite() && (0.0..=1000.0).contains(&h) => Some((h * 60.0).round() as i64),
        _ => {
            inv.push(field, "shift-setting-range");
            None
        }
    }
}

pub async fn save_rules(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<RulesForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(PLANNERS)?.clone();
    let mut inv = Invalid::default();
    let max = parse_hours("shift_max_work_hours", &f.shift_max_work_hours, &mut inv);
    let window = parse_hours("shift_window_hours", &f.shift_window_hours, &mut inv);
    let rest = parse_hours("shift_min_rest_hours", &f.shift_min_rest_hours, &mut inv);
    let result = match (max, window, rest) {
        (Some(max_work_minutes), Some(window_minutes), Some(min_rest_minutes)) => {
            let r = Rules {
                max_work_minutes,
                window_minutes,
                min_rest_minutes,
            };
            store::settings(&state.store).await?;
            shifts::save_rules(&state, &Actor::User(user.id), &r)
                .await
                .map_err(AppError::from)
        }
        _ => Err(AppError::Invalid(inv)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/staff/shifts/roles").into_response()),
        Err(e) => {
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            roles_page(
                &state,
                &mut ctx,
                RoleForm::default(),
                QualificationForm::default(),
                Some(f),
                errors,
                status,
            )
            .await
        }
    }
}
