//! Check-out and the hand-over.

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CheckOutForm {
    pub csrf: String,
    pub tags: String,
    pub category: String,
    pub count: String,
    pub person: String,
    pub place: String,
    pub due_on: String,
    /// A name or e-mail to look up staff accounts (GET only).
    pub who: String,
}

#[derive(Template)]
#[template(path = "assets/checkout.html")]
pub(super) struct CheckOutPage {
    l: Layout,
    form: CheckOutForm,
    categories: Vec<(String, String, bool)>,
    matches: Vec<(String, String)>,
    /// "More than 20 found: type more" ('' when every match is shown).
    more: String,
    errors: FormErrors,
}

/// How many people the check-out form's search shows at most.
const MATCHES_SHOWN: usize = 20;

pub(super) async fn checkout_page(
    state: &AppState,
    ctx: &mut Ctx,
    form: CheckOutForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let mut matches: Vec<(String, String)> = if form.who.trim().chars().count() >= 2 {
        store::search_staff(&state.store, &form.who, MATCHES_SHOWN as i64 + 1)
            .await?
            .into_iter()
            .map(|(_, n, e)| (n, e))
            .collect()
    } else {
        Vec::new()
    };
    let more = crate::paging::picker_more(ctx.locale, &mut matches, MATCHES_SHOWN);
    let categories = cat_choices(ctx.locale, &form.category, true);
    let l = layout(state, ctx, "asset-checkout-title").await?;
    render(
        status,
        CheckOutPage {
            l,
            form,
            categories,
            matches,
            more,
            errors,
        },
    )
}

pub async fn checkout_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(mut q): Query<CheckOutForm>,
) -> Result<Response, AppError> {
    if q.due_on.is_empty() {
        q.due_on = today_brussels()
            .checked_add(jiff::ToSpan::days(365))
            .unwrap_or_else(|_| today_brussels())
            .to_string();
    }
    checkout_page(&state, &mut ctx, q, FormErrors::default(), StatusCode::OK).await
}

pub async fn check_out(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<CheckOutForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ICT)?.clone();
    let req = CheckOut {
        assets: rules::scanned_tags(&f.tags),
        category: &f.category,
        count: &f.count,
        person: &f.person,
        place: &f.place,
        due_on: &f.due_on,
    };
    match check_out_for(&state, &Actor::User(user.id), &req).await {
        Ok(id) => Ok(Redirect::to(&format!("/equipment/handovers/{id}")).into_response()),
        Err(e) => {
            let errors = form_errors(ctx.locale, e.into())?;
            checkout_page(
                &state,
                &mut ctx,
                f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

// ---- hand-over ----

#[derive(Template)]
#[template(path = "assets/handover.html")]
pub(super) struct HandoverPage {
    l: Layout,
    id: String,
    to: String,
    date: String,
    acknowledged: String,
    can_ack: bool,
    rows: Vec<LoanRow>,
    /// "This hand-over holds more than 1000 items…" when not every item
    /// is listed, else ''.
    more: String,
}

/// The hand-over if the signed-in person may see it: its borrower, ICT or HR.
pub(super) async fn handover_allowed(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<(store::Handover, bool), AppError> {
    let user = ctx.require(STAFF)?;
    let h = store::handover(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mine = h.borrower_user_id.as_deref() == Some(user.id.as_str());
    if mine {
        return Ok((h, true));
    }
    if user.roles.any(ICT_HR) {
        if let Some(b) = &h.borrower_user_id {
            loket_store::audit::record_access(
                &state.store,
                &user.id,
                b,
                "asset_handover",
                &h.id,
                "assets.handover.view",
            )
            .await?;
        }
        return Ok((h, false));
    }
    Err(AppError::NotFound)
}

pub async fn handover(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (h, mine) = handover_allowed(&state, &ctx, &id).await?;
    let doc = handover_doc(&state, ctx.locale, &id).await?;
    let today = today_brussels().to_string();
    let (items, more) = loket_app::assets::handover_items(&state, ctx.locale, &id).await?;
    let rows = items
        .iter()
        .map(|l| loan_row(ctx.locale, l, &today))
        .collect();
    let l = layout(&state, &mut ctx, "asset-handover-title").await?;
    render(
        StatusCode::OK,
        HandoverPage {
            l,
            id: h.id,
            to: doc.to,
            date: doc.date,
            acknowledged: doc.acknowledged,
            can_ack: mine && h.acknowledged_at.is_none(),
            rows,
            more,
        },
    )
}

pub async fn handover_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    handover_allowed(&state, &ctx, &id).await?;
    let doc = handover_doc(&state, ctx.locale, &id).await?;
    let today = today_tuple();
    let pdf = tokio::task::spawn_blocking(move || loket_render::assets::handover_pdf(&doc, today))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(file_response(
        pdf,
        "application/pdf",
        &format!("overdracht-{id}.pdf"),
    ))
}

pub(super) fn file_response(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AckForm {
    pub csrf: String,
}

pub async fn acknowledge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<AckForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(STAFF)?.clone();
    loket_app::assets::acknowledge(&state, &Actor::User(user.id.clone()), &id, &user.id).await?;
    Ok(Redirect::to(&format!("/equipment/handovers/{id}")).into_response())
}
