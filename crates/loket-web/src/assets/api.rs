//! The assets API (ICT): list, get, check-out and check-in.

use super::{CheckOut, ICT, check_out_for};
use crate::AppState;
use crate::api::{ApiJson, ApiUser};
use crate::error::ApiError;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use loket_domain::assets::AssetStatus;
use loket_domain::audit::Actor;
use loket_store::assets::{self as store, Asset, AssetFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets", get(list))
        .route("/assets/{id}", get(get_one))
        .route("/assets/{id}/check-out", post(check_out))
        .route("/assets/{id}/check-in", post(check_in))
}

/// An asset.
#[derive(Serialize, ToSchema)]
pub struct AssetOut {
    pub id: String,
    pub tag: String,
    /// e.g. `laptop`, `barcode_scanner`, `tablet_4g`, `office_chair`.
    pub category: String,
    pub serial: String,
    pub model: String,
    /// `YYYY-MM-DD`.
    pub purchase_date: String,
    pub price_cents: i64,
    /// `in_stock`, `on_loan`, `repair`, `lost` or `retired`.
    #[schema(value_type = String)]
    pub status: AssetStatus,
    pub location: String,
    pub last_audit_on: Option<String>,
    pub next_audit_on: Option<String>,
}

impl From<Asset> for AssetOut {
    fn from(a: Asset) -> Self {
        AssetOut {
            id: a.id,
            tag: a.tag,
            category: a.category,
            serial: a.serial,
            model: a.model,
            purchase_date: a.purchase_date,
            price_cents: a.price_cents,
            status: a.status,
            location: a.location,
            last_audit_on: a.last_audit_on,
            next_audit_on: a.next_audit_on,
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ListQuery {
    /// Part of the tag, serial or model.
    pub q: String,
    pub category: String,
    pub status: String,
    pub location: String,
    /// Where the page starts: the `next` (or `prev`) of the previous answer.
    pub cursor: String,
    /// Items per page, 1 to 200 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: String,
}

crate::api_page!(AssetPage, AssetOut);

/// The inventory, filtered, by tag, one page at a time (`cursor`, `limit`).
#[utoipa::path(get, path = "/api/v1/assets", tag = "assets",
    params(ListQuery),
    responses((status = 200, body = AssetPage), (status = 400, body = crate::error::Problem, description = "a bad `cursor` or `limit`")))]
pub async fn list(
    State(state): State<AppState>,
    who: ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<AssetPage>, ApiError> {
    who.require(ICT)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::ASSET_PAGING)
        .map_err(|e| who.err(e))?;
    let f = AssetFilter {
        q: q.q,
        category: q.category,
        status: q.status,
        location: q.location,
    };
    let page = store::assets_page(&state.store, &f, &pq)
        .await
        .map_err(|e| who.err(e))?;
    let total = store::assets_total(&state.store, &f, loket_domain::paging::TOTAL_CAP)
        .await
        .map_err(|e| who.err(e))?;
    let items = page.items.iter().cloned().map(AssetOut::from).collect();
    Ok(Json(AssetPage::new(page, items, total)))
}

/// One asset, by id or tag.
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = String, Path, description = "asset id or tag")),
    responses((status = 200, body = AssetOut)))]
pub async fn get_one(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<AssetOut>, ApiError> {
    who.require(ICT)?;
    let a = store::get_asset(&state.store, &id)
        .await
        .map_err(|e| who.err(e))?
        .ok_or_else(|| who.err(crate::error::AppError::NotFound))?;
    Ok(Json(a.into()))
}

/// A check-out: to a staff member (`person`: account e-mail) or a place.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckOutIn {
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub place: String,
    /// Expected return date, `YYYY-MM-DD`.
    pub due_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct CheckOutOut {
    /// The hand-over document (`/equipment/handovers/{id}/pdf`).
    pub handover_id: String,
    pub asset: AssetOut,
}

/// Checks the asset out. An asset already on loan is refused (422,
/// `asset-not-in-stock`), never lent twice.
#[utoipa::path(post, path = "/api/v1/assets/{id}/check-out", tag = "assets",
    params(("id" = String, Path, description = "asset id or tag")),
    request_body = CheckOutIn,
    responses((status = 201, body = CheckOutOut)))]
pub async fn check_out(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CheckOutIn>,
) -> Response {
    let user = match who.require(ICT) {
        Ok(u) => u.clone(),
        Err(e) => return e.into_response(),
    };
    let req = CheckOut {
        assets: vec![id.clone()],
        category: "",
        count: "",
        person: &body.person,
        place: &body.place,
        due_on: &body.due_on,
    };
    let result = async {
        let handover_id = check_out_for(&state, &Actor::User(user.id.clone()), &req).await?;
        let a = store::get_asset(&state.store, &id)
            .await?
            .ok_or(crate::error::AppError::NotFound)?;
        Ok::<_, crate::error::AppError>(CheckOutOut {
            handover_id,
            asset: a.into(),
        })
    };
    match result.await {
        Ok(o) => (StatusCode::CREATED, Json(o)).into_response(),
        Err(e) => who.err(e).into_response(),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetCheckInIn {
    /// The condition the asset came back in.
    #[serde(default)]
    pub condition_note: String,
    /// Where it is stored now (default: the ICT store).
    #[serde(default)]
    pub location: String,
}

/// Checks the asset in. An asset not on loan is refused (422,
/// `asset-not-on-loan`) and nothing changes.
#[utoipa::path(post, path = "/api/v1/assets/{id}/check-in", tag = "assets",
    params(("id" = String, Path, description = "asset id or tag")),
    request_body = AssetCheckInIn,
    responses((status = 200, body = AssetOut)))]
pub async fn check_in(
    State(state): State<AppState>,
    who: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssetCheckInIn>,
) -> Result<Json<AssetOut>, ApiError> {
    let user = who.require(ICT)?.clone();
    super::pages::check_in_asset(
        &state,
        &Actor::User(user.id),
        &id,
        &body.condition_note,
        &body.location,
    )
    .await
    .map_err(|e| who.err(e))?;
    let a = store::get_asset(&state.store, &id)
        .await
        .map_err(|e| who.err(e))?
        .ok_or_else(|| who.err(crate::error::AppError::NotFound))?;
    Ok(Json(a.into()))
}
