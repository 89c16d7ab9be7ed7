//! Campaigns.

use super::*;
use loket_domain::paging::{DEFAULT_LIMIT, PageQuery, TOTAL_CAP};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CampaignForm {
    pub csrf: String,
    pub slug: String,
    pub name: String,
    pub vaccine: String,
    pub location: String,
    pub lines: String,
    pub per_line: String,
    pub slot_minutes: String,
    pub observation_minutes: String,
    pub admit_per_minute: String,
    pub opens_at: String,
    pub days: String,
    pub groups: String,
}

#[derive(Template)]
#[template(path = "vaccination/list.html")]
pub(super) struct ListPage {
    l: Layout,
    /// (slug, name, status, opens)
    campaigns: Vec<(String, String, CampaignStatus, String)>,
    /// Pages of the campaign list (one more with every campaign).
    pager: crate::paging::Pager,
    /// (id, name, selected)
    locations: Vec<(String, String, bool)>,
    f: CampaignForm,
    errors: FormErrors,
    is_coordinator: bool,
}

pub(super) async fn list_page(
    state: &AppState,
    ctx: &mut Ctx,
    pq: &PageQuery,
    f: CampaignForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = store::campaigns_page(&state.store, pq).await?;
    let total = store::campaigns_total(&state.store, TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/staff/vaccination",
        &[],
        &page,
        pq,
        total,
        Some(CAMPAIGNS_CSV),
    );
    let campaigns = page
        .items
        .into_iter()
        .map(|c| (c.slug, c.name, c.status, format_ms(c.opens_at)))
        .collect();
    let locations = loket_store::appointments::list_locations(&state.store)
        .await?
        .into_iter()
        .filter(|l| l.active)
        .map(|l| {
            let sel = l.id == f.location;
            (l.id, l.name, sel)
        })
        .collect();
    let is_coordinator = ctx.require(COORDINATORS).is_ok();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("vac-list-title");
    l.csrf = csrf;
    render(
        status,
        ListPage {
            l,
            campaigns,
            pager,
            locations,
            f,
            errors,
            is_coordinator,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    /// The page of the campaign list.
    pub cursor: String,
    pub limit: String,
}

pub async fn list(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    ctx.require(super::super::CENTRE_STAFF)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::CAMPAIGN_PAGING)?;
    let f = CampaignForm {
        lines: "8".into(),
        per_line: "2".into(),
        slot_minutes: "10".into(),
        observation_minutes: "15".into(),
        admit_per_minute: "500".into(),
        ..CampaignForm::default()
    };
    list_page(
        &state,
        &mut ctx,
        &pq,
        f,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// Where the campaign list downloads as CSV.
const CAMPAIGNS_CSV: &str = "/staff/vaccination/campaigns.csv";

/// The campaigns as CSV (slug, name, vaccine, status, opening, capacity per
/// slot), every one, latest opening first, streamed 500 per query. A
/// campaign names no resident, so nothing is access-logged.
pub async fn campaigns_csv(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(super::super::CENTRE_STAFF)?;
    Ok(crate::paging::csv_export(
        &format!("campaigns-{}.csv", today_brussels()),
        ctx.locale,
        &[
            "vac-field-slug",
            "vac-field-name",
            "vac-field-vaccine",
            "vac-field-status",
            "vac-field-opens-at",
            "vac-col-capacity",
        ],
        state,
        |state, pq| async move {
            let page = store::campaigns_page(&state.store, &pq).await?;
            let rows = page
                .items
                .iter()
                .map(|c| {
                    vec![
                        c.slug.clone(),
                        c.name.clone(),
                        c.vaccine.clone(),
                        c.status.as_str().to_owned(),
                        format_ms(c.opens_at),
                        c.capacity().to_string(),
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

pub async fn create(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<CampaignForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(COORDINATORS)?.clone();
    let mut errors = Vec::new();
    if let Err(e) = loket_domain::appointments::check_slug(f.slug.trim()) {
        errors.push(e);
    }
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new("name", "required"));
    }
    let vaccine = f.vaccine.trim();
    if vaccine.is_empty() || vaccine.chars().count() > 100 {
        errors.push(FieldError::new("vaccine", "required"));
    }
    let location = loket_store::appointments::location(&state.store, f.location.trim()).await?;
    if location.is_none() {
        errors.push(FieldError::new("location", "appt-location-unknown"));
    }
    let plan = CampaignPlan::parse(
        &f.lines,
        &f.per_line,
        &f.slot_minutes,
        &f.observation_minutes,
        &f.admit_per_minute,
    )
    .map_err(|e| errors.extend(e))
    .ok();
    let opens_at = loket_domain::appointments::parse_start(&f.opens_at, &crate::i18n::brussels());
    if opens_at.is_none() {
        errors.push(FieldError::new("opens_at", "vac-opens-invalid"));
    }
    let days = rules::parse_days(&f.days).map_err(|e| errors.push(e)).ok();
    let groups = rules::parse_groups(&f.groups)
        .map_err(|e| errors.push(e))
        .ok();
    let result = match (location, plan, opens_at, days, groups) {
        (Some(loc), Some(plan), Some(opens_at), Some(days), Some(groups)) if errors.is_empty() => {
            loket_app::vaccination::create_campaign(
                &state,
                &Actor::User(user.id.clone()),
                NewCampaign {
                    slug: f.slug.trim(),
                    name,
                    vaccine,
                    location_id: &loc.id,
                    plan: &plan,
                    groups: &groups,
                    days: &days,
                    opens_at,
                },
            )
            .await
            .map_err(AppError::from)
        }
        _ => Err(AppError::Invalid(Invalid(errors))),
    };
    match result {
        Ok(c) => Ok(Redirect::to(&format!("/staff/vaccination/{}", c.slug)).into_response()),
        Err(AppError::Invalid(inv)) | Err(AppError::Conflict(inv)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &inv, "vac");
            list_page(
                &state,
                &mut ctx,
                &PageQuery::first(DEFAULT_LIMIT),
                f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
