//! Staff records and telework: staff members and their leave, telework days,
//! the manager's approval of a month, the dated allowance rule and tax-free
//! maximum, closing a month into payroll lines, corrections, the export
//! layout, and the figures of the HR dashboard.
//!
//! Every write to a month first touches the month's `telework_periods` row
//! (`UPDATE … SET writes = writes + 1 WHERE month = $1 AND closed_at IS
//! NULL`). On PostgreSQL that is a row lock, so a registration or approval
//! and the closing of the same month queue behind each other, and whichever
//! comes second sees the other's result; on SQLite the write transaction
//! (`BEGIN IMMEDIATE`) already serialises writers. A closed month answers
//! "closed" to every write.

use crate::audit::{self, Change};
use crate::{Result, Store, StoreError, Tx, new_id, now_ms};
use jiff::civil::Date;
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::telework::{
    self as rules, Allowance, AllowanceRule, DayContext, DayKind, DayState, Eligibility,
    ExportLayout, KnownStaff, LeaveRecord, LineKind, Month, MonthStatus, PayLine, StaffRecord,
    TaxFreeMax,
};
use loket_domain::validation::FieldError;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

mod allowance;
mod close;
mod dashboard;
mod days;
mod leave;
mod staff;

pub use allowance::*;
pub use close::*;
pub use dashboard::*;
pub use days::*;
pub use leave::*;
pub use staff::*;
