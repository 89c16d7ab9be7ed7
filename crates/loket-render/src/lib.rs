//! What Loket hands people. For now: e-mail messages (RFC 5322). PDF letters,
//! barcodes, labels, iCalendar files and exports join here as modules of the
//! same names as their contexts.

pub mod appointments;
pub mod assets;
pub mod bikes;
pub mod cases;
pub mod contact;
pub mod csv;
pub mod notify;
pub mod pdf;
pub mod privacy;
pub mod queue;
pub mod vaccination;
