//! A resident's history for the contact centre: their contacts, cases and
//! appointments on one timeline, newest first. Opening it is an
//! access-logged read of the resident's file.

use crate::{App, Refusal};
use loket_domain::people::Role;
use loket_store::people::{self as people_store, User};

/// What an entry of the timeline is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A contact moment, with its channel.
    Contact {
        channel: String,
    },
    Case,
    Appointment,
}

/// One entry of the timeline.
pub struct Item {
    pub at: i64,
    pub entry: Entry,
    /// Reference and subject, case number and status, or appointment
    /// code and status.
    pub text: String,
    /// Where staff open it (empty for an appointment).
    pub link: String,
}

/// The history of the resident `resident_id`, read by `viewer`.
pub async fn history(
    app: &App,
    viewer: &User,
    resident_id: &str,
) -> Result<(User, Vec<Item>), Refusal> {
    let resident = people_store::get_user(&app.store, resident_id)
        .await?
        .filter(|u| u.roles.has(Role::Resident))
        .ok_or(Refusal::NotFound)?;
    loket_store::audit::record_access(
        &app.store,
        &viewer.id,
        &resident.id,
        "user",
        &resident.id,
        "contact.history",
    )
    .await?;
    let mut items = Vec::new();
    for m in loket_store::contact::list_moments(&app.store, "", &resident.id, 500).await? {
        items.push(Item {
            at: m.created_at,
            entry: Entry::Contact { channel: m.channel },
            text: format!("{} — {}", m.reference, m.subject),
            link: format!("/staff/contact/{}", m.id),
        });
    }
    for c in loket_store::cases::cases_of_resident(&app.store, &resident.id)
        .await?
        .into_iter()
        .filter(|c| !c.is_restricted())
    {
        items.push(Item {
            at: c.submitted_at,
            entry: Entry::Case,
            text: format!("{} — {}", c.number, c.status),
            link: format!("/staff/cases/{}", c.number),
        });
    }
    for a in loket_store::appointments::of_resident(&app.store, &resident.id).await? {
        items.push(Item {
            at: a.starts_at,
            entry: Entry::Appointment,
            text: format!("{} — {}", a.code, a.status),
            link: String::new(),
        });
    }
    items.sort_by_key(|r| std::cmp::Reverse(r.at));
    Ok((resident, items))
}
