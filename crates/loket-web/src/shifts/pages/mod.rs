//! Shift pages: the volunteer's `/shifts` (open shifts, my shifts, the
//! feed URL), the feed itself, and the planner's pages under
//! `/staff/shifts` (days, a shift with its people and the assignment form,
//! roles and rules, coverage, qualifications of staff).

use super::{
    DAYS_AHEAD, PLANNERS, VOLUNTEERS, add_days, feed_url, is_rule_breach, local, sign_up_for,
};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::today_brussels;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use loket_domain::Invalid;
use loket_domain::appointments::brussels;
use loket_domain::audit::Actor;
use loket_domain::shifts::{self as rules, Rules, ShiftStatus};
use loket_store::shifts::{self as store, Shift};
use serde::Deserialize;

/// A shift as a table row.
pub struct Row {
    pub id: String,
    pub role: String,
    pub day: String,
    pub time: String,
    pub headcount: i64,
    pub filled: i64,
    pub level: &'static str,
    pub released: bool,
    pub release: String,
    pub cancelled: bool,
    /// Whether the viewer holds the role's qualification (or it needs none).
    pub qualified: bool,
}

impl Row {
    /// The Fluent id of the coverage level's text.
    pub fn level_id(&self) -> &'static str {
        level_id(self.level)
    }
}

/// The Fluent id of a coverage level's text.
pub fn level_id(level: &str) -> &'static str {
    match level {
        "full" => "shift-level-full",
        "short" => "shift-level-short",
        _ => "shift-level-gap",
    }
}

impl CoverageRow {
    pub fn level_id(&self) -> &'static str {
        level_id(self.level)
    }
}

fn time_of(s: &Shift) -> String {
    let a = local(s.starts_at);
    let b = local(s.ends_at);
    format!(
        "{}–{}",
        a.get(11..).unwrap_or_default(),
        b.get(11..).unwrap_or_default()
    )
}

fn row_of(s: &Shift, lang: &str, now: i64, held: &[String]) -> Row {
    Row {
        id: s.id.clone(),
        role: s.role_name(lang).to_owned(),
        day: s.day.clone(),
        time: time_of(s),
        headcount: s.headcount,
        filled: s.filled,
        level: rules::coverage_level(s.headcount, s.filled),
        released: now >= s.release_at,
        release: local(s.release_at),
        cancelled: s.status != ShiftStatus::Open,
        qualified: s.qualification.as_ref().is_none_or(|q| held.contains(q)),
    }
}

fn refusal(e: AppError) -> Result<Invalid, AppError> {
    match e {
        AppError::Invalid(inv) | AppError::Conflict(inv) => Ok(inv),
        other => Err(other),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    pub csrf: String,
}

mod coverage;
mod planner;
mod roles;
mod shift;
mod volunteer;

pub use coverage::*;
pub use planner::*;
pub use roles::*;
pub use shift::*;
pub use volunteer::*;
