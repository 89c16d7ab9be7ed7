//! Staff records and telework: the staff and leave imports (all lines or
//! none), leave added by HR, and the calendar's extra holidays. Days,
//! approvals and the month's close write through the store in one
//! transaction each (`loket_store::telework`).

pub mod views;

use crate::{App, Refusal};
use jiff::civil::Date;
use loket_domain::audit::Actor;
use loket_domain::telework::{LeaveRecord, StaffRecord};
use loket_store::telework::{self as store, ImportCounts};

/// Imports staff records, all or none; returns how many were created,
/// updated and unchanged.
pub async fn import_staff(
    app: &App,
    actor: &Actor,
    records: &[StaffRecord],
) -> Result<ImportCounts, Refusal> {
    let mut tx = app.store.begin().await?;
    let counts = store::import_staff(&mut tx, actor, records).await?;
    tx.commit().await?;
    Ok(counts)
}

/// Imports leave, all or none; returns how many days were recorded.
pub async fn import_leave(
    app: &App,
    actor: &Actor,
    records: &[LeaveRecord],
) -> Result<usize, Refusal> {
    let mut tx = app.store.begin().await?;
    let n = store::import_leave(&mut tx, actor, records).await?;
    tx.commit().await?;
    Ok(n)
}

/// Records a staff member's leave from `from` to `to`.
pub async fn add_leave(
    app: &App,
    actor: &Actor,
    staff_id: &str,
    from: Date,
    to: Date,
) -> Result<usize, Refusal> {
    let mut tx = app.store.begin().await?;
    let n = store::add_leave(&mut tx, actor, staff_id, from, to).await?;
    tx.commit().await?;
    Ok(n)
}

/// Adds (or renames) an extra holiday of the city.
pub async fn save_holiday(app: &App, actor: &Actor, day: Date, name: &str) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::save_holiday(&mut tx, actor, day, name).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes an extra holiday.
pub async fn remove_holiday(app: &App, actor: &Actor, day: Date) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::remove_holiday(&mut tx, actor, day).await?;
    tx.commit().await?;
    Ok(())
}
