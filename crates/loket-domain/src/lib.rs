//! The city's rules as pure Rust: no I/O, no async, no SQL.
//!
//! Every bounded context of Loket has a module here with the same name as in
//! `loket-store` and `loket-web`. Identifiers that people type are parsed into
//! newtypes by [`ident`] ("parse, don't validate").

pub mod appointments;
pub mod assets;
pub mod audit;
pub mod bikes;
pub mod calendar;
pub mod cases;
pub mod contact;
pub mod csv_file;
pub mod dashboard;
pub mod ident;
pub mod limits;
pub mod notify;
pub mod paging;
pub mod people;
pub mod privacy;
pub mod queue;
pub mod shifts;
pub mod status;
pub mod telework;
pub mod vaccination;
pub mod validation;

pub use validation::{FieldError, Invalid};

/// The share `part / whole` in whole percent, rounded half up (0 when
/// `whole` is 0). One rule for every figure Loket shows as a percentage.
pub fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        0
    } else {
        (part * 200 + whole) / (2 * whole)
    }
}
