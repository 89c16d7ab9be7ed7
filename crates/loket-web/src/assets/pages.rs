//! Asset pages for ICT (inventory, check-out and check-in, labels, audit,
//! import, overdue), for ICT and HR (a person's equipment, what a leaver
//! returns) and for every staff member (my equipment, acknowledging a
//! hand-over).

use super::{CheckOut, ICT, ICT_HR, STAFF, check_out_for, handover_doc, today_tuple};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{Locale, format_ms, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use loket_domain::Invalid;
use loket_domain::assets::{self as rules, AssetStatus, CATEGORIES};
use loket_domain::audit::Actor;
use loket_render::assets::{Label, Symbology};
use loket_store::StoreError;
use loket_store::assets::{self as store, Asset, AssetFilter, Loan};
use loket_store::people as people_store;
use serde::Deserialize;

fn cat_label(locale: Locale, c: &str) -> String {
    locale.t(&format!("asset-cat-{}", c.replace('_', "-")))
}

fn status_label(locale: Locale, s: &str) -> String {
    locale.t(&format!("asset-status-{}", s.replace('_', "-")))
}

fn cat_choices(locale: Locale, chosen: &str, any: bool) -> Vec<(String, String, bool)> {
    let mut v = Vec::new();
    if any {
        v.push((String::new(), locale.t("asset-any"), chosen.is_empty()));
    }
    v.extend(
        CATEGORIES
            .iter()
            .map(|c| ((*c).to_owned(), cat_label(locale, c), *c == chosen)),
    );
    v
}

pub struct AssetRow {
    pub id: String,
    pub tag: String,
    pub category: String,
    pub model: String,
    pub serial: String,
    pub status: String,
    pub location: String,
    pub next_audit: String,
}

fn asset_row(locale: Locale, a: &Asset) -> AssetRow {
    AssetRow {
        id: a.id.clone(),
        tag: a.tag.clone(),
        category: cat_label(locale, &a.category),
        model: a.model.clone(),
        serial: a.serial.clone(),
        status: status_label(locale, &a.status),
        location: a.location.clone(),
        next_audit: a.next_audit_on.clone().unwrap_or_default(),
    }
}

pub struct LoanRow {
    pub asset_id: String,
    pub tag: String,
    pub category: String,
    pub model: String,
    pub to: String,
    pub out: String,
    pub due: String,
    pub back: String,
    pub note: String,
    pub handover_id: String,
    pub acknowledged: bool,
    pub overdue: bool,
}

fn loan_row(locale: Locale, l: &Loan, today: &str) -> LoanRow {
    LoanRow {
        asset_id: l.asset_id.clone(),
        tag: l.tag.clone(),
        category: cat_label(locale, &l.category),
        model: l.model.clone(),
        to: match (&l.borrower_name, &l.borrower_email) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            _ => l.place.clone(),
        },
        out: format_ms(l.out_at),
        due: l.due_on.clone(),
        back: l.in_at.map(format_ms).unwrap_or_default(),
        note: l.condition_note.clone(),
        handover_id: l.handover_id.clone(),
        acknowledged: l.acknowledged_at.is_some(),
        overdue: l.in_at.is_none() && l.due_on.as_str() < today,
    }
}

async fn layout(state: &AppState, ctx: &mut Ctx, title: &str) -> Result<Layout, AppError> {
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout(title);
    l.csrf = csrf;
    Ok(l)
}

fn form_errors(locale: Locale, e: AppError) -> Result<FormErrors, AppError> {
    match e {
        AppError::Invalid(inv) | AppError::Conflict(inv) => {
            Ok(FormErrors::from_invalid(locale, &inv))
        }
        other => Err(other),
    }
}

// ---- the list ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub category: String,
    pub status: String,
    pub location: String,
}

#[derive(Template)]
#[template(path = "assets/list.html")]
struct ListPage {
    l: Layout,
    q: String,
    categories: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    locations: Vec<(String, bool)>,
    rows: Vec<AssetRow>,
    counts: Vec<(String, i64)>,
}

pub async fn list(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let locale = ctx.locale;
    let f = AssetFilter {
        q: q.q.clone(),
        category: q.category.clone(),
        status: q.status.clone(),
        location: q.location.clone(),
    };
    let rows = store::list_assets(&state.store, &f, 500)
        .await?
        .iter()
        .map(|a| asset_row(locale, a))
        .collect();
    let mut statuses = vec![(String::new(), locale.t("asset-any"), q.status.is_empty())];
    statuses.extend(AssetStatus::ALL.iter().map(|s| {
        (
            s.as_str().to_owned(),
            status_label(locale, s.as_str()),
            s.as_str() == q.status,
        )
    }));
    let counts = store::status_counts(&state.store)
        .await?
        .into_iter()
        .map(|(s, n)| (status_label(locale, &s), n))
        .collect();
    let locations = store::locations(&state.store)
        .await?
        .into_iter()
        .map(|x| {
            let sel = x == q.location;
            (x, sel)
        })
        .collect();
    let l = layout(&state, &mut ctx, "asset-title").await?;
    render(
        StatusCode::OK,
        ListPage {
            l,
            q: q.q,
            categories: cat_choices(locale, &q.category, true),
            statuses,
            locations,
            rows,
            counts,
        },
    )
}

// ---- one asset ----

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
struct NewPage {
    l: Layout,
    categories: Vec<(String, String, bool)>,
    form: AssetForm,
    errors: FormErrors,
}

async fn new_page(
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

fn parse_asset(f: &AssetForm) -> Result<rules::NewAsset, Invalid> {
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
            let mut tx = state.store.begin().await?;
            match store::add_asset(&mut tx, &Actor::User(user.id), &a).await {
                Ok(id) => {
                    tx.commit().await.map_err(StoreError::from)?;
                    Ok(id)
                }
                Err(e) => Err(AppError::from(e)),
            }
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
struct DetailPage {
    l: Layout,
    a: AssetRow,
    asset: Asset,
    price: String,
    on_loan: bool,
    loans: Vec<LoanRow>,
    statuses: Vec<(String, String)>,
    note: String,
    back_to: String,
    errors: FormErrors,
}

async fn detail_page(
    state: &AppState,
    ctx: &mut Ctx,
    id: &str,
    note: String,
    back_to: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = ctx.require(ICT)?.clone();
    let locale = ctx.locale;
    let asset = store::get_asset(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = today_brussels().to_string();
    let all = store::loans_of_asset(&state.store, &asset.id).await?;
    let mut loans = Vec::new();
    for l in &all {
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
            on_loan: asset.status == "on_loan",
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
            note,
            errors,
        },
    )
}

pub async fn detail(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    detail_page(
        &state,
        &mut ctx,
        &id,
        String::new(),
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
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

/// Checks an asset in; refused (nothing changes) if it is not on loan.
pub async fn check_in_asset(
    state: &AppState,
    actor: &Actor,
    id: &str,
    note: &str,
    location: &str,
) -> Result<(), AppError> {
    let mut inv = Invalid::default();
    if note.chars().count() > 500
        || note
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        inv.push("condition_note", "asset-text-invalid");
    }
    let location = if location.trim().is_empty() {
        store::STOCK_LOCATION.to_owned()
    } else {
        location.trim().to_owned()
    };
    if location.chars().count() > 120 {
        inv.push("location", "asset-text-invalid");
    }
    inv.into_result()?;
    let asset = store::get_asset(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.store.begin().await?;
    store::check_in(&mut tx, actor, &asset.id, note.trim(), &location).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

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
            let errors = form_errors(ctx.locale, e)?;
            detail_page(
                &state,
                &mut ctx,
                &id,
                f.condition_note,
                f.location,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
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
    let result = match AssetStatus::parse(&f.status) {
        Ok(s) if s != AssetStatus::OnLoan => {
            let mut tx = state.store.begin().await?;
            match store::set_status(&mut tx, &Actor::User(user.id), &id, s.as_str()).await {
                Ok(()) => {
                    tx.commit().await.map_err(StoreError::from)?;
                    Ok(())
                }
                Err(e) => Err(AppError::from(e)),
            }
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
            )
            .await
        }
    }
}

// ---- check-out ----

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
struct CheckOutPage {
    l: Layout,
    form: CheckOutForm,
    categories: Vec<(String, String, bool)>,
    matches: Vec<(String, String)>,
    errors: FormErrors,
}

async fn checkout_page(
    state: &AppState,
    ctx: &mut Ctx,
    form: CheckOutForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let matches = if form.who.trim().chars().count() >= 2 {
        store::search_staff(&state.store, &form.who, 20)
            .await?
            .into_iter()
            .map(|(_, n, e)| (n, e))
            .collect()
    } else {
        Vec::new()
    };
    let categories = cat_choices(ctx.locale, &form.category, true);
    let l = layout(state, ctx, "asset-checkout-title").await?;
    render(
        status,
        CheckOutPage {
            l,
            form,
            categories,
            matches,
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
struct HandoverPage {
    l: Layout,
    id: String,
    to: String,
    date: String,
    acknowledged: String,
    can_ack: bool,
    rows: Vec<LoanRow>,
}

/// The hand-over if the signed-in person may see it: its borrower, ICT or HR.
async fn handover_allowed(
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
    let rows = store::loans(&state.store, "", &id, false, "", 1000)
        .await?
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

fn file_response(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
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
    let mut tx = state.store.begin().await?;
    store::acknowledge(&mut tx, &Actor::User(user.id.clone()), &id, &user.id).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/equipment/handovers/{id}")).into_response())
}

// ---- labels ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LabelQuery {
    pub tags: String,
    pub format: String,
    pub symbology: String,
}

#[derive(Template)]
#[template(path = "assets/labels.html")]
struct LabelsPage {
    l: Layout,
    tags: String,
    errors: FormErrors,
}

pub async fn labels_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<LabelQuery>,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let l = layout(&state, &mut ctx, "asset-labels-title").await?;
    render(
        StatusCode::OK,
        LabelsPage {
            l,
            tags: q.tags,
            errors: FormErrors::default(),
        },
    )
}

/// The labels of the tags as a PDF sheet or as ZPL.
pub async fn labels_file(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<LabelQuery>,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let locale = ctx.locale;
    let mut labels = Vec::new();
    let mut inv = Invalid::default();
    for t in rules::scanned_tags(&q.tags) {
        match store::get_asset(&state.store, &t).await? {
            Some(a) => labels.push(Label {
                alt: locale.t_args("asset-label-alt", &[("code", a.tag.clone())]),
                category: cat_label(locale, &a.category),
                tag: a.tag,
                model: a.model,
            }),
            None => inv.0.push(loket_domain::FieldError::with_value(
                "tags",
                "asset-tag-unknown",
                t,
            )),
        }
    }
    if labels.is_empty() && inv.is_empty() {
        inv.push("tags", "asset-none-chosen");
    }
    if labels.len() > 240 {
        inv.push("tags", "asset-too-many-labels");
    }
    if !inv.is_empty() {
        let errors = FormErrors::from_invalid(locale, &inv);
        let l = layout(&state, &mut ctx, "asset-labels-title").await?;
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            LabelsPage {
                l,
                tags: q.tags,
                errors,
            },
        );
    }
    let sym = Symbology::parse(&q.symbology);
    let city = state.config.city_name.clone();
    if q.format == "zpl" {
        let z = loket_render::assets::zpl(&labels, &city, sym);
        return Ok(file_response(
            z.into_bytes(),
            "text/plain; charset=utf-8",
            "labels.zpl",
        ));
    }
    let title = locale.t("asset-labels-title");
    let today = today_tuple();
    let lang = locale.code();
    let pdf = tokio::task::spawn_blocking(move || {
        loket_render::assets::labels_pdf(&labels, &city, &title, lang, sym, today)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(file_response(pdf, "application/pdf", "labels.pdf"))
}

// ---- overdue ----

#[derive(Template)]
#[template(path = "assets/loans.html")]
struct LoansPage {
    l: Layout,
    intro: String,
    rows: Vec<LoanRow>,
}

pub async fn overdue(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require(ICT)?.clone();
    let today = today_brussels().to_string();
    let loans = store::loans(&state.store, "", "", true, &today, 2000).await?;
    let mut rows = Vec::new();
    for l in &loans {
        if let Some(b) = &l.borrower_user_id {
            loket_store::audit::record_access(
                &state.store,
                &user.id,
                b,
                "asset_loan",
                &l.id,
                "assets.overdue",
            )
            .await?;
        }
        rows.push(loan_row(ctx.locale, l, &today));
    }
    let intro = ctx.locale.t("asset-overdue-intro");
    let l = layout(&state, &mut ctx, "asset-overdue-title").await?;
    render(StatusCode::OK, LoansPage { l, intro, rows })
}

// ---- audit ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AuditForm {
    pub csrf: String,
    pub location: String,
    pub scanned: String,
}

#[derive(Template)]
#[template(path = "assets/audit.html")]
struct AuditPage {
    l: Layout,
    locations: Vec<(String, bool)>,
    form: AuditForm,
    errors: FormErrors,
    result: Option<rules::Reconciliation>,
}

async fn audit_page(
    state: &AppState,
    ctx: &mut Ctx,
    form: AuditForm,
    errors: FormErrors,
    result: Option<rules::Reconciliation>,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let locations = store::locations(&state.store)
        .await?
        .into_iter()
        .map(|x| {
            let sel = x == form.location;
            (x, sel)
        })
        .collect();
    let l = layout(state, ctx, "asset-audit-title").await?;
    render(
        status,
        AuditPage {
            l,
            locations,
            form,
            errors,
            result,
        },
    )
}

pub async fn audit_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<AuditForm>,
) -> Result<Response, AppError> {
    audit_page(
        &state,
        &mut ctx,
        q,
        FormErrors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn audit(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<AuditForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ICT)?.clone();
    let register = store::register(&state.store).await?;
    let mut inv = Invalid::default();
    if !register.values().any(|l| *l == f.location) {
        inv.push("location", "asset-location-unknown");
    }
    let scanned = rules::scanned_tags(&f.scanned);
    if scanned.is_empty() {
        inv.push("scanned", "asset-none-scanned");
    }
    if !inv.is_empty() {
        let errors = FormErrors::from_invalid(ctx.locale, &inv);
        return audit_page(
            &state,
            &mut ctx,
            f,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let result = rules::reconcile(&f.location, &register, &scanned);
    let today = today_brussels();
    let next = today.checked_add(jiff::ToSpan::days(365)).unwrap_or(today);
    let json = serde_json::to_string(&result).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = state.store.begin().await?;
    store::save_audit(
        &mut tx,
        &Actor::User(user.id),
        &f.location,
        &result.present,
        &today.to_string(),
        &next.to_string(),
        &json,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    let form = AuditForm {
        scanned: String::new(),
        ..f
    };
    audit_page(
        &state,
        &mut ctx,
        form,
        FormErrors::default(),
        Some(result),
        StatusCode::OK,
    )
    .await
}

// ---- import ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ImportForm {
    pub csrf: String,
    pub csv: String,
}

#[derive(Template)]
#[template(path = "assets/import.html")]
struct ImportPage {
    l: Layout,
    form: ImportForm,
    errors: FormErrors,
    columns: String,
}

async fn import_page(
    state: &AppState,
    ctx: &mut Ctx,
    form: ImportForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let l = layout(state, ctx, "asset-import-title").await?;
    render(
        status,
        ImportPage {
            l,
            form,
            errors,
            columns: rules::CSV_COLUMNS.join(","),
        },
    )
}

pub async fn import_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
) -> Result<Response, AppError> {
    import_page(
        &state,
        &mut ctx,
        ImportForm::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// The message for a refused import file: line, column and the reason.
pub fn csv_message(locale: Locale, e: &rules::CsvError) -> String {
    let label_id = format!("field-{}", e.column_name.replace('_', "-"));
    let column = if e.column_name.is_empty() {
        e.column.to_string()
    } else if locale.has(&label_id) {
        format!("{} ({})", e.column, locale.t(&label_id))
    } else {
        format!("{} ({})", e.column, e.column_name)
    };
    let reason = crate::forms::field_message(
        locale,
        &loket_domain::FieldError::new(e.column_name.clone(), e.code),
    );
    locale.t_args(
        "asset-csv-error",
        &[
            ("line", e.line.to_string()),
            ("column", column),
            ("reason", reason),
        ],
    )
}

/// Imports assets from an uploaded CSV file, or from the text area.
pub async fn import(
    State(state): State<AppState>,
    mut ctx: Ctx,
    form: crate::common::ServiceForm,
) -> Result<Response, AppError> {
    let f = ImportForm {
        csrf: form.values.get("csrf").cloned().unwrap_or_default(),
        csv: crate::common::csv_text(&form),
    };
    let f = ImportForm {
        csv: if f.csv.trim().is_empty() {
            form.values.get("csv").cloned().unwrap_or_default()
        } else {
            f.csv
        },
        ..f
    };
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ICT)?.clone();
    let locale = ctx.locale;
    let refuse = |msg: String| FormErrors {
        items: vec![crate::forms::FormError {
            field: "csv".to_owned(),
            message: msg,
        }],
    };
    let assets = match rules::parse_csv(&f.csv) {
        Ok(a) => a,
        Err(e) => {
            let errors = refuse(csv_message(locale, &e));
            return import_page(
                &state,
                &mut ctx,
                f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let tags: Vec<String> = assets.iter().map(|(_, a)| a.tag.clone()).collect();
    let taken = store::existing_tags(&state.store, &tags).await?;
    if let Some(t) = taken.first() {
        // The line the parser read that asset on.
        let line = assets
            .iter()
            .find(|(_, a)| a.tag == *t)
            .map_or(0, |(line, _)| *line);
        let e = rules::CsvError {
            line,
            column: 2,
            column_name: "tag".to_owned(),
            code: "asset-tag-taken",
        };
        let errors = refuse(csv_message(locale, &e));
        return import_page(
            &state,
            &mut ctx,
            f,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let actor = Actor::User(user.id);
    let mut tx = state.store.begin().await?;
    for (_, a) in &assets {
        store::add_asset(&mut tx, &actor, a).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/staff/assets?imported={}", assets.len())).into_response())
}

// ---- equipment: people ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PeopleQuery {
    pub q: String,
}

#[derive(Template)]
#[template(path = "assets/people.html")]
struct PeoplePage {
    l: Layout,
    q: String,
    rows: Vec<(String, String, String)>,
}

pub async fn people(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<PeopleQuery>,
) -> Result<Response, AppError> {
    ctx.require(ICT_HR)?;
    let rows = if q.q.trim().chars().count() >= 2 {
        store::search_staff(&state.store, &q.q, 50).await?
    } else {
        Vec::new()
    };
    let l = layout(&state, &mut ctx, "asset-people-title").await?;
    render(StatusCode::OK, PeoplePage { l, q: q.q, rows })
}

#[derive(Template)]
#[template(path = "assets/person.html")]
struct PersonPage {
    l: Layout,
    name: String,
    email: String,
    mine: bool,
    open: Vec<LoanRow>,
    past: Vec<LoanRow>,
    to_ack: Vec<String>,
}

async fn person_page(
    state: &AppState,
    ctx: &mut Ctx,
    user_id: &str,
    mine: bool,
) -> Result<Response, AppError> {
    let person = people_store::get_user(&state.store, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = today_brussels().to_string();
    let loans = store::loans(&state.store, &person.id, "", false, "", 2000).await?;
    let (open, past): (Vec<&Loan>, Vec<&Loan>) = loans.iter().partition(|l| l.in_at.is_none());
    let mut to_ack: Vec<String> = open
        .iter()
        .filter(|l| l.acknowledged_at.is_none())
        .map(|l| l.handover_id.clone())
        .collect();
    to_ack.dedup();
    let locale = ctx.locale;
    let title = if mine {
        "asset-mine-title"
    } else {
        "asset-person-title"
    };
    let l = layout(state, ctx, title).await?;
    render(
        StatusCode::OK,
        PersonPage {
            l,
            name: person.name,
            email: person.email,
            mine,
            open: open.iter().map(|x| loan_row(locale, x, &today)).collect(),
            past: past.iter().map(|x| loan_row(locale, x, &today)).collect(),
            to_ack,
        },
    )
}

/// A person's equipment and, for a leaver, the list of what to return.
pub async fn person(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(user_id): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.require(ICT_HR)?.clone();
    loket_store::audit::record_access(
        &state.store,
        &user.id,
        &user_id,
        "asset_loans",
        &user_id,
        "assets.person.view",
    )
    .await?;
    person_page(&state, &mut ctx, &user_id, false).await
}

pub async fn mine(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require(STAFF)?.clone();
    person_page(&state, &mut ctx, &user.id, true).await
}
