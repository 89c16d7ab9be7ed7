//! What the counter staff's appointment pages show: one day's
//! appointments at a location, each row an access-logged read of a
//! resident's name and address.

use crate::i18n::brussels;
use crate::{App, Refusal};
use jiff::civil::Date;
use loket_domain::appointments::{flagged, parse_start};
use loket_store::appointments::{self as store, DayRow, Location};
use loket_store::people::User;

/// One appointment of the day list.
pub struct DayEntry {
    pub row: DayRow,
    /// The service's name in the viewer's language.
    pub service: String,
    /// Its start has passed (a no-show can be recorded).
    pub due: bool,
    /// The resident missed enough appointments to be flagged.
    pub flagged: bool,
}

/// The appointments of `date` at `location`, as `viewer` sees them. Each
/// row is access-logged: staff read a resident's name.
pub async fn day(
    app: &App,
    viewer: &User,
    location: &Location,
    date: Date,
    lang: &str,
) -> Result<Vec<DayEntry>, Refusal> {
    let tz = brussels();
    let midnight = |d: Date| parse_start(&format!("{d}T00:00"), &tz);
    let from = midnight(date).unwrap_or_default();
    let to = date.tomorrow().ok().and_then(midnight).unwrap_or(from);
    let settings = store::settings(&app.store).await?;
    // Names by service id, looked up once each (a service may have been
    // deactivated since the booking).
    let mut services = std::collections::HashMap::new();
    let now = loket_store::now_ms();
    let mut entries = Vec::new();
    for row in store::day_list(&app.store, &location.id, "", from, to).await? {
        let a = &row.appointment;
        loket_store::audit::record_access(
            &app.store,
            &viewer.id,
            &a.resident_id,
            "appointment",
            &a.id,
            "appointment.day_list",
        )
        .await?;
        if !services.contains_key(&a.service_id) {
            let name = store::service(&app.store, &a.service_id)
                .await?
                .map(|s| s.name(lang).to_owned())
                .unwrap_or_default();
            services.insert(a.service_id.clone(), name);
        }
        entries.push(DayEntry {
            service: services.get(&a.service_id).cloned().unwrap_or_default(),
            due: a.starts_at <= now,
            flagged: flagged(row.no_shows, settings.no_show_flag_after),
            row,
        });
    }
    Ok(entries)
}
