//! The coordinator's pages: campaigns, the invitation import, letter
//! batches, an invitee's file (and booking for them by phone or at the
//! counter), the reserve list, the live dashboard, the day report, the
//! registry export, sync conflicts and the mobile teams' planning.

use super::{COORDINATORS, HELPERS, campaign};
use crate::AppState;
use crate::common::ServiceForm;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{Locale, format_ms, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use crate::telework::CsvErrorRow;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Json, Redirect, Response};
use futures_util::Stream;
use loket_domain::audit::Actor;
use loket_domain::vaccination::{self as rules, CampaignPlan, CampaignStatus, InvitationStatus};
use loket_domain::{FieldError, Invalid};
use loket_render::vaccination as render_vac;
use loket_store::now_ms;
use loket_store::vaccination::{self as store, Campaign, DayFigures, Invitation, NewCampaign};
use serde::Deserialize;
use std::convert::Infallible;

mod campaign;
mod campaigns;
mod dashboard;
mod invitee;
mod mobile;
mod report;
mod reserve;

pub use campaign::*;
pub use campaigns::*;
pub use dashboard::*;
pub use invitee::*;
pub use mobile::*;
pub use report::*;
pub use reserve::*;

/// Writes the access log of the vaccination records a page or a CSV
/// batch showed: one row per record, filed under `<prefix>:<id>` (they
/// have no account of their own).
async fn log_shown<'a>(
    state: &AppState,
    actor_id: &str,
    purpose: &str,
    prefix: &str,
    record_type: &str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<(), AppError> {
    let ids: Vec<&str> = ids.collect();
    let subjects: Vec<String> = ids.iter().map(|id| format!("{prefix}:{id}")).collect();
    let shown: Vec<loket_store::audit::Access<'_>> = subjects
        .iter()
        .zip(&ids)
        .map(|(s, id)| loket_store::audit::Access {
            subject: s,
            record_type,
            record_id: id,
        })
        .collect();
    loket_store::audit::record_access_many(&state.store, actor_id, purpose, &shown).await?;
    Ok(())
}
