//! A resident's history for staff.

use super::*;
use loket_app::contact::history::Entry;

pub struct HistoryRow {
    pub at: i64,
    pub when: String,
    pub kind: String,
    pub text: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "contact/history.html")]
pub(super) struct HistoryPage {
    l: Layout,
    resident_id: String,
    rows: Vec<HistoryRow>,
}

/// `/staff/contact/residents/{id}`: the resident's contacts, cases and
/// appointments on one timeline, newest first. Opening it writes an
/// access-log row.
pub async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.require(AGENTS)?.clone();
    let (resident, items) = loket_app::contact::history::history(&state, &user, &id).await?;
    let loc = ctx.locale;
    let rows = items
        .into_iter()
        .map(|i| HistoryRow {
            at: i.at,
            when: format_ms(i.at),
            kind: match &i.entry {
                Entry::Contact { channel } => format!(
                    "{} ({})",
                    loc.t("contact-moment-title"),
                    loc.t(&format!("contact-channel-{channel}"))
                ),
                Entry::Case => loc.t("contact-history-case"),
                Entry::Appointment => loc.t("contact-history-appointment"),
            },
            text: i.text,
            link: i.link,
        })
        .collect();
    let mut l = ctx.layout("contact-history-title");
    l.title = format!("{} — {}", l.title, resident.name);
    render(
        StatusCode::OK,
        HistoryPage {
            l,
            resident_id: resident.id,
            rows,
        },
    )
}
