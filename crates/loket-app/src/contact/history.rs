//! A resident's history for the contact centre: their contacts, cases and
//! appointments on one timeline, newest first, a page at a time (and as
//! CSV). Opening it is an access-logged read of the resident's file.

use crate::{App, Refusal};
use loket_domain::paging::{Page, PageQuery, TOTAL_CAP, Total};
use loket_domain::people::Role;
use loket_store::contact::{HistoryEntry, history_page, history_total};
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

/// The resident `resident_id` (a resident's account), and the access-log
/// row of `viewer` reading their history (`purpose`).
async fn open(app: &App, viewer: &User, resident_id: &str, purpose: &str) -> Result<User, Refusal> {
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
        purpose,
    )
    .await?;
    Ok(resident)
}

fn item(e: HistoryEntry) -> Item {
    match e.kind.as_str() {
        "contact" => Item {
            at: e.at,
            entry: Entry::Contact { channel: e.channel },
            text: format!("{} — {}", e.label, e.detail),
            link: format!("/staff/contact/{}", e.id),
        },
        "case" => Item {
            at: e.at,
            entry: Entry::Case,
            text: format!("{} — {}", e.label, e.detail),
            link: format!("/staff/cases/{}", e.label),
        },
        _ => Item {
            at: e.at,
            entry: Entry::Appointment,
            text: format!("{} — {}", e.label, e.detail),
            link: String::new(),
        },
    }
}

/// One page of the history of the resident `resident_id`, read by
/// `viewer` (access-logged), newest first, and how many entries it holds.
pub async fn history(
    app: &App,
    viewer: &User,
    resident_id: &str,
    pq: &PageQuery,
) -> Result<(User, Page<Item>, Total), Refusal> {
    let resident = open(app, viewer, resident_id, "contact.history").await?;
    let page = history_page(&app.store, &resident.id, pq).await?;
    let total = history_total(&app.store, &resident.id, TOTAL_CAP).await?;
    Ok((resident, page.map(item), total))
}

/// The whole history for a CSV download, batch by batch: the resident
/// (the download is access-logged once, when it starts).
pub async fn history_export(app: &App, viewer: &User, resident_id: &str) -> Result<User, Refusal> {
    open(app, viewer, resident_id, "contact.history.csv").await
}

/// One batch of a history download (after [`history_export`]).
pub async fn history_batch(
    app: &App,
    resident_id: &str,
    pq: &PageQuery,
) -> Result<Page<Item>, Refusal> {
    Ok(history_page(&app.store, resident_id, pq).await?.map(item))
}
