//! The service catalogue and cases: a service is *data* (its form fields,
//! rules and workflow), and a case is one request for a service, submitted on
//! any channel and followed through the workflow's states.

use crate::ident::{Email, Iban, LicencePlate, NationalNumber, PostalCode};
use crate::validation::{FieldError, Invalid};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod catalogue;
mod numbers;
mod values;

pub use catalogue::*;
pub use numbers::*;
pub use values::*;
