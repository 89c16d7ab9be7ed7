//! Contact moments: agents log a contact (channel, resident, question,
//! answer, linked articles, outcome, duration); residents ask a question on
//! the web (it lands in the intake queue, with a confirmation e-mail);
//! agents forward a moment to a department, due after the department's
//! service level in working days; the department answers once, and the
//! answer is e-mailed.

use super::{AGENTS, DEPARTMENT_STAFF, form_errors};
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
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::contact::{
    CHANNELS, ForwardStatus, MomentDraft, MomentInput, MomentStatus, OUTCOMES, check_moment,
};
use loket_domain::ident::Email;
use loket_domain::people::Role;
use loket_store::contact::{self as store, Article, Forward, Moment, MomentParty};
use loket_store::people as people_store;
use serde::Deserialize;

pub use loket_app::contact::{answer_forward, mail, pause_forward, to_resident};

mod ask;
mod forwards;
mod history;
mod log;

pub use ask::*;
pub use forwards::*;
pub use history::*;
pub use log::*;
