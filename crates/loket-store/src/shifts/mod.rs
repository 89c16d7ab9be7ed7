//! Staff shifts of the vaccination centre: roles, qualifications, shifts,
//! sign-ups, coverage, reminders and the calendar-feed version.
//!
//! **A shift is never overfilled.** A sign-up raises the shift's `filled`
//! with `UPDATE shift_shifts SET filled = filled + 1 WHERE id = $1 AND
//! filled < headcount AND status = 'open' RETURNING filled` in the
//! transaction that inserts the sign-up row; a unique index allows one
//! active sign-up per shift and person.
//!
//! **Two sign-ups of one person never break a rule together.** Every write
//! for a person first raises the person's `shift_people.guard` (an upsert:
//! the row lock on PostgreSQL; on SQLite the `BEGIN IMMEDIATE` write
//! transaction serialises writers anyway). The working-time check then
//! reads the person's shifts in a new statement, which sees every sign-up
//! committed before the lock was granted. Locks are always taken person
//! first, shift second, so two sign-ups cannot deadlock.

use crate::audit::{self, Change};
use crate::{Result, Store, StoreError, Tx, new_id, now_ms};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::shifts::{self as rules, Rules, ShiftStatus, SignupStatus, Span};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

mod coverage;
mod plan;
mod settings;
mod signups;

pub use coverage::*;
pub use plan::*;
pub use settings::*;
pub use signups::*;
