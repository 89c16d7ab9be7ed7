//! Counters by appointment: locations, desks, counter services, opening
//! hours, closed days, settings, and bookings with capacity per slot.
//!
//! Capacity is enforced atomically in the database: a slot row is created
//! on first use (`INSERT … ON CONFLICT DO NOTHING`) and every booking takes
//! a place with `UPDATE appt_slots SET booked = booked + 1 WHERE … AND
//! booked < capacity RETURNING id`, inside the transaction that writes the
//! appointment. On PostgreSQL the row lock re-checks the condition after a
//! concurrent update; on SQLite the write transaction (`BEGIN IMMEDIATE`)
//! serialises writers. The per-resident limit is kept by locking the
//! resident's `appt_identities` row before counting.

use crate::audit::{self, Change};
use crate::{Result, Store, StoreError, Tx, new_id, now_ms};
use loket_domain::Invalid;
use loket_domain::appointments::{
    AppointmentStatus, CODE_ALPHABET, Period, Schedule, Slot, Window, fmt_time, parse_time,
};
use loket_domain::audit::Actor;
use loket_domain::validation::FieldError;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};

mod batch;
mod booking;
pub mod catalogue;
mod places;
mod settings;

pub use batch::*;
pub use booking::*;
pub use places::*;
pub use settings::*;
