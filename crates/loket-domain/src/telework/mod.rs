//! Staff records and telework: the staff CSV import, leave days, which days
//! may be registered, the allowance rule (data with effective dates) and
//! its computation, and the payroll export's configurable layout.
//!
//! Money is integer euro cents. A month is `YYYY-MM`. The allowance of a
//! month is computed with the one rule in force on the month's first day:
//! rules take effect on the first day of a month (the allowance is paid per
//! month), so a change "from 1 July" leaves January–June as they were.

use crate::ident::Email;
use crate::validation::FieldError;
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

mod allowance;
mod days;
mod export;
mod months;
mod staff;

pub use allowance::*;
pub use days::*;
pub use export::*;
pub use months::*;
pub use staff::*;
