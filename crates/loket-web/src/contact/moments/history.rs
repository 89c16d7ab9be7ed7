//! A resident's history for staff.

use super::*;

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
    let resident = people_store::get_user(&state.store, &id)
        .await?
        .filter(|u| u.roles.has(Role::Resident))
        .ok_or(AppError::NotFound)?;
    loket_store::audit::record_access(
        &state.store,
        &user.id,
        &resident.id,
        "user",
        &resident.id,
        "contact.history",
    )
    .await?;
    let loc = ctx.locale;
    let mut rows = Vec::new();
    for m in store::list_moments(&state.store, "", &resident.id, 500).await? {
        rows.push(HistoryRow {
            at: m.created_at,
            when: format_ms(m.created_at),
            kind: format!(
                "{} ({})",
                loc.t("contact-moment-title"),
                loc.t(&format!("contact-channel-{}", m.channel))
            ),
            text: format!("{} — {}", m.reference, m.subject),
            link: format!("/staff/contact/{}", m.id),
        });
    }
    for c in loket_store::cases::cases_of_resident(&state.store, &resident.id).await? {
        rows.push(HistoryRow {
            at: c.submitted_at,
            when: format_ms(c.submitted_at),
            kind: loc.t("contact-history-case"),
            text: format!("{} — {}", c.number, c.status),
            link: format!("/staff/cases/{}", c.number),
        });
    }
    for a in loket_store::appointments::of_resident(&state.store, &resident.id).await? {
        rows.push(HistoryRow {
            at: a.starts_at,
            when: format_ms(a.starts_at),
            kind: loc.t("contact-history-appointment"),
            text: format!("{} — {}", a.code, a.status),
            link: String::new(),
        });
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.at));
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
