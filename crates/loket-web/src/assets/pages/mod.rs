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
        status: status_label(locale, a.status.as_str()),
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

mod asset;
mod checkout;
mod import;
mod labels;
mod list;

pub use asset::*;
pub use checkout::*;
pub use import::*;
pub use labels::*;
pub use list::*;
