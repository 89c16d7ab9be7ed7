//! An invitee's file.

use super::*;

#[derive(Template)]
#[template(path = "vaccination/invitation.html")]
pub(super) struct InvitationPage {
    l: Layout,
    slug: String,
    inv: Invitation,
    status_label: String,
    code: String,
    group: String,
    booked_at: Option<String>,
    visit: Option<store::Visit>,
    days: Vec<(String, Vec<super::super::SlotView>)>,
    chosen: String,
    errors: FormErrors,
}

pub(super) async fn invitation_view(
    state: &AppState,
    ctx: &mut Ctx,
    c: &Campaign,
    id: &str,
    chosen: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = ctx.require(HELPERS)?.clone();
    let inv = store::invitation(&state.store, id)
        .await?
        .filter(|i| i.campaign_id == c.id)
        .ok_or(AppError::NotFound)?;
    loket_store::audit::record_access(
        &state.store,
        &user.id,
        &format!("vac:{}", inv.id),
        "vac_invitation",
        &inv.id,
        "invitee file",
    )
    .await?;
    let booking = store::active_booking(&state.store, &inv.id).await?;
    let groups = store::groups(&state.store, &c.id).await?;
    let mut days = super::super::open_slots(state, c, now_ms()).await?;
    days.truncate(7);
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("vac-invitation-title");
    l.csrf = csrf;
    render(
        status,
        InvitationPage {
            l,
            slug: c.slug.clone(),
            code: rules::format_code(&inv.code),
            group: groups
                .get(inv.group_rank as usize)
                .cloned()
                .unwrap_or_default(),
            booked_at: booking.map(|b| format_ms(b.starts_at)),
            visit: store::visit_of_invitation(&state.store, &inv.id).await?,
            status_label: ctx.locale.t(&format!("vac-status-{}", inv.status)),
            inv,
            days,
            chosen,
            errors,
        },
    )
}

pub async fn invitation_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    ctx.require(HELPERS)?;
    let c = campaign(&state, &slug).await?;
    invitation_view(
        &state,
        &mut ctx,
        &c,
        &id,
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BookForForm {
    pub csrf: String,
    pub start: String,
    pub channel: String,
}

/// Books (or moves) a slot for an invitee who calls or comes to the
/// counter: the same booking, mail and calendar file as online.
pub async fn book_for(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<BookForForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HELPERS)?.clone();
    let c = campaign(&state, &slug).await?;
    let inv = store::invitation(&state.store, &id)
        .await?
        .filter(|i| i.campaign_id == c.id)
        .ok_or(AppError::NotFound)?;
    let channel = if f.channel == "counter" {
        "counter"
    } else {
        "phone"
    };
    match super::super::public::book_or_move(
        &state,
        &c,
        &inv,
        &f.start,
        channel,
        &Actor::User(user.id),
        Locale::default(),
        None,
    )
    .await
    .map_err(AppError::from)
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/staff/vaccination/{}/invitations/{}",
            c.slug, inv.id
        ))
        .into_response()),
        Err(AppError::Invalid(e)) | Err(AppError::Conflict(e)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &e, "vac");
            invitation_view(
                &state,
                &mut ctx,
                &c,
                &id,
                f.start.chars().take(20).collect(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn cancel_for(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HELPERS)?.clone();
    let c = campaign(&state, &slug).await?;
    let inv = store::invitation(&state.store, &id)
        .await?
        .filter(|i| i.campaign_id == c.id)
        .ok_or(AppError::NotFound)?;
    match super::super::public::cancel_booking(
        &state,
        &c,
        &inv,
        &Actor::User(user.id),
        Locale::default(),
    )
    .await
    .map_err(AppError::from)
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/staff/vaccination/{}/invitations/{}",
            c.slug, inv.id
        ))
        .into_response()),
        Err(AppError::Invalid(e)) => {
            let errors = FormErrors::from_invalid_in(ctx.locale, &e, "vac");
            invitation_view(
                &state,
                &mut ctx,
                &c,
                &id,
                String::new(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// Offers free places to the reserve list now (the worker does it every
/// minute as well).
pub async fn offers(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    ctx.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await?;
    super::super::run_offers(&state, now_ms()).await?;
    Ok(Redirect::to(&format!("/staff/vaccination/{}?notice=offers", c.slug)).into_response())
}
