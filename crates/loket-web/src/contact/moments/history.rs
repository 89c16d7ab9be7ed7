//! A resident's history for staff.

use super::*;
use loket_app::contact::history::{Entry, Item};

pub struct HistoryRow {
    pub at: i64,
    pub when: String,
    pub kind: String,
    pub text: String,
    pub link: String,
}

fn history_row(loc: Locale, i: Item) -> HistoryRow {
    HistoryRow {
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
    }
}

#[derive(Template)]
#[template(path = "contact/history.html")]
pub(super) struct HistoryPage {
    l: Layout,
    resident_id: String,
    rows: Vec<HistoryRow>,
    pager: crate::paging::Pager,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HistoryQuery {
    pub cursor: String,
    pub limit: String,
}

/// `/staff/contact/residents/{id}`: the resident's contacts, cases and
/// appointments on one timeline, newest first, a page at a time with the
/// total and a CSV download. Opening it writes an access-log row.
pub async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(AGENTS)?.clone();
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::HISTORY_PAGING)?;
    let (resident, page, total) =
        loket_app::contact::history::history(&state, &user, &id, &pq).await?;
    let loc = ctx.locale;
    let path = format!("/staff/contact/residents/{}", resident.id);
    let csv = format!("{path}/history.csv");
    let pager = crate::paging::Pager::new(loc, &path, &[], &page, &pq, total, Some(&csv));
    let rows = page
        .items
        .into_iter()
        .map(|i| history_row(loc, i))
        .collect();
    let mut l = ctx.layout("contact-history-title");
    l.title = format!("{} — {}", l.title, resident.name);
    render(
        StatusCode::OK,
        HistoryPage {
            l,
            resident_id: resident.id,
            rows,
            pager,
        },
    )
}

/// The resident's whole history as CSV, newest first (streamed, 500 per
/// query); the download is access-logged as the page is.
pub async fn history_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.require(AGENTS)?.clone();
    let resident = loket_app::contact::history::history_export(&state, &user, &id).await?;
    let loc = ctx.locale;
    let resident_id = resident.id.clone();
    Ok(crate::paging::csv_export(
        &format!("history-{}.csv", today_brussels()),
        loc,
        &[
            "contact-col-when",
            "contact-history-kind",
            "contact-history-what",
        ],
        (state, resident_id),
        move |(state, resident_id), pq| async move {
            let page =
                loket_app::contact::history::history_batch(&state, &resident_id, &pq).await?;
            let next = page.next.clone();
            let rows = page
                .items
                .into_iter()
                .map(|i| {
                    let r = history_row(loc, i);
                    vec![r.when, r.kind, r.text]
                })
                .collect();
            Ok((rows, next))
        },
    ))
}
