//! The vaccination centre: campaigns, invitations, bookings, the reserve
//! list, the waiting room's counter, check-in, station scans, the live
//! figures, the day report, the registry export and mobile teams' sync.
//!
//! Bookings reuse the appointments' slot machinery: every campaign owns a
//! counter service at the centre's location, slots come from
//! `loket_domain::appointments::Schedule`, and a place is taken with
//! `appointments::take_place` (`UPDATE appt_slots SET booked = booked + 1
//! WHERE … AND booked < capacity`) inside the booking's transaction. A
//! partial unique index keeps one active booking per invitation.

use crate::appointments::{self as appt, free_place, take_place};
use crate::audit::{self, Change};
use crate::{Result, Store, StoreError, Tx, new_id, now_ms};
use loket_domain::appointments::{Period, Schedule, Slot};
use loket_domain::audit::Actor;
use loket_domain::notify::Mail;
use loket_domain::vaccination::{
    self as rules, Arrival, BookingStatus, CampaignPlan, CampaignStatus, CentreDay,
    InvitationStatus, Invitee, MobileVisitStatus, ReserveStatus, Station,
};
use loket_domain::{FieldError, Invalid};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeSet, HashMap};

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(Invalid::one(field, code))
}

fn invalid_v(field: &str, code: &'static str, value: impl Into<String>) -> StoreError {
    StoreError::Invalid(Invalid(vec![FieldError::with_value(
        field,
        code,
        value.into(),
    )]))
}

mod bookings;
mod campaigns;
mod checkin;
mod figures;
mod invitations;
mod mobile;
mod reserve;

pub use bookings::*;
pub use campaigns::*;
pub use checkin::*;
pub use figures::*;
pub use invitations::*;
pub use mobile::*;
pub use reserve::*;
