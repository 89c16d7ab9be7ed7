//! One asset.

use super::*;
use loket_domain::paging::{DEFAULT_LIMIT, PageQuery, TOTAL_CAP};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AssetForm {
    pub csrf: String,
    pub category: String,
    pub tag: String,
    pub serial: String,
    pub model: String,
    pub purchase_date: String,
    pub price: String,
    pub location: String,
}

#[derive(Template)]
#[template(path = "assets/new.html")]
pub(super) struct NewPage {
    l: Layout,
    categories: Vec<(String, String, bool)>,
    form: AssetForm,
    errors: FormErrors,
}

pub(super) async fn new_page(
    state: &AppState,
    ctx: &mut Ctx,
    form: AssetForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let categories = cat_choices(ctx.locale, &form.category, false);
    let l = layout(state, ctx, "asset-new-title").await?;
    render(
        status,
        NewPage {
            l,
            categories,
            form,
            errors,
        },
    )
}

pub async fn new_form(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    let form = AssetForm {
        purchase_date: today_brussels().to_string(),
        location: store::STOCK_LOCATION.to_owned(),
        ..AssetForm::default()
    };
    new_page(
        &state,
        &mut ctx,
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub(super) fn parse_asset(f: &AssetForm) -> Result<rules::NewAsset, Invalid> {
    let mut inv = Invalid::default();
    let category = inv.check("category", rules::parse_category(&f.category));
    let tag = inv.check("tag", rules::parse_tag(&f.tag));
    let serial = inv.check("serial", rules::parse_text("serial", &f.serial, 64));
    let model = inv.check("model", rules::parse_text("model", &f.model, 100));
    let date = inv.check(
        "purchase_date",
        rules::parse_date("purchase_date", &f.purchase_date),
    );
    let price = inv.check("price", rules::parse_price_cents(&f.price));
    let location = inv.check("location", rules::parse_text("location", &f.location, 120));
    match (category, tag, serial, model, date, price, location) {
        (
            Some(category),
            Some(tag),
            Some(serial),
            Some(model),
            Some(d),
            Some(price_cents),
            Some(location),
        ) => Ok(rules::NewAsset {
            category,
            tag,
            serial,
            model,
            purchase_date: d.to_string(),
            price_cents,
            location,
        }),
        _ => Err(inv),
    }
}

pub async fn add(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<AssetForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ICT)?.clone();
    let result = match parse_asset(&f) {
        Ok(a) => {
            loket_app::assets::add_assets(&state, &Actor::User(user.id), std::slice::from_ref(&a))
                .await
                .map(|ids| ids.into_iter().next().unwrap_or_default())
                .map_err(AppError::from)
        }
        Err(inv) => Err(AppError::Invalid(inv)),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/staff/assets/{id}")).into_response()),
        Err(e) => {
            let errors = form_errors(ctx.locale, e)?;
            new_page(
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

#[derive(Template)]
#[template(path = "assets/detail.html")]
pub(super) struct DetailPage {
    l: Layout,
    a: AssetRow,
    asset: Asset,
    price: String,
    on_loan: bool,
    loans: Vec<LoanRow>,
    /// Pages of the loan history, newest first (every check-out adds one).
    pager: crate::paging::Pager,
    statuses: Vec<(String, String)>,
    note: String,
    back_to: String,
    errors: FormErrors,
}

/// The page of an asset's loan history (`?cursor=&limit=`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoansQuery {
    pub cursor: String,
    pub limit: String,
}

/// The first page of the loan history (a form refused shows it).
fn first_loans() -> PageQuery {
    PageQuery::first(DEFAULT_LIMIT)
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn detail_page(
    state: &AppState,
    ctx: &mut Ctx,
    id: &str,
    note: String,
    back_to: String,
    errors: FormErrors,
    status: StatusCode,
    pq: &PageQuery,
) -> Result<Response, AppError> {
    let user = ctx.require(ICT)?.clone();
    let locale = ctx.locale;
    let asset = store::get_asset(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = today_brussels().to_string();
    let page = store::asset_loans_page(&state.store, &asset.id, pq).await?;
    let total = store::asset_loans_total(&state.store, &asset.id, TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        locale,
        &format!("/staff/assets/{}", asset.id),
        &[],
        &page,
        pq,
        total,
        None,
    );
    let mut loans = Vec::new();
    for l in &page.items {
        if let Some(b) = &l.borrower_user_id {
            loket_store::audit::record_access(
                &state.store,
                &user.id,
                b,
                "asset_loan",
                &l.id,
                "assets.asset.view",
            )
            .await?;
        }
        loans.push(loan_row(locale, l, &today));
    }
    let l = layout(state, ctx, "asset-detail-title").await?;
    render(
        status,
        DetailPage {
            l,
            a: asset_row(locale, &asset),
            price: format!(
                "€ {},{:02}",
                asset.price_cents / 100,
                asset.price_cents % 100
            ),
            on_loan: asset.status == AssetStatus::OnLoan,
            statuses: AssetStatus::ALL
                .iter()
                .filter(|s| **s != AssetStatus::OnLoan)
                .map(|s| (s.as_str().to_owned(), status_label(locale, s.as_str())))
                .collect(),
            back_to: if back_to.is_empty() {
                store::STOCK_LOCATION.to_owned()
            } else {
                back_to
            },
            asset,
            loans,
            pager,
            note,
            errors,
        },
    )
}

pub async fn detail(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<LoansQuery>,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::ASSET_LOANS_PAGING)?;
    detail_page(
        &state,
        &mut ctx,
        &id,
        String::new(),
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
        &pq,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckInForm {
    pub csrf: String,
    pub condition_note: String,
    pub location: String,
}

pub use loket_app::assets::check_in_asset;

pub async fn check_in(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CheckInForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ICT)?.clone();
    match check_in_asset(
        &state,
        &Actor::User(user.id),
        &id,
        &f.condition_note,
        &f.location,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/staff/assets/{id}")).into_response()),
        Err(e) => {
            let errors = form_errors(ctx.locale, e.into())?;
            detail_page(
                &state,
                &mut ctx,
                &id,
                f.condition_note,
                f.location,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
                &first_loans(),
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    pub csrf: String,
    pub status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ICT)?.clone();
    let result = match AssetStatus::parse(f.status.trim()) {
        Some(s) if s != AssetStatus::OnLoan => {
            loket_app::assets::set_status(&state, &Actor::User(user.id), &id, s)
                .await
                .map_err(AppError::from)
        }
        _ => Err(AppError::Invalid(Invalid::one(
            "status",
            "asset-status-unknown",
        ))),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/staff/assets/{id}")).into_response()),
        Err(e) => {
            let errors = form_errors(ctx.locale, e)?;
            detail_page(
                &state,
                &mut ctx,
                &id,
                String::new(),
                String::new(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
                &first_loans(),
            )
            .await
        }
    }
}
