//! A campaign's reserve list for the coordinator: paged in priority order
//! (the offered first, then those waiting, then the rest), with its total
//! and a CSV download. Every entry shown is access-logged.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReserveQuery {
    pub cursor: String,
    pub limit: String,
}

/// One entry as the page and the CSV show it.
pub struct ReserveRow {
    pub name: String,
    pub group: String,
    pub status: String,
    pub signed_up: String,
    pub offer: String,
}

fn reserve_row(l: Locale, groups: &[String], e: &store::ReserveEntry) -> ReserveRow {
    ReserveRow {
        name: e.name.clone(),
        group: usize::try_from(e.group_rank)
            .ok()
            .and_then(|g| groups.get(g))
            .cloned()
            .unwrap_or_default(),
        status: l.t(&format!("vac-reserve-status-{}", e.status)),
        signed_up: format_ms(e.signed_up_at),
        offer: e.offer_starts_at.map(format_ms).unwrap_or_default(),
    }
}

/// The access log of reserve entries shown: one row per person
/// (`vac-reserve:<id>`).
async fn log_reserve(
    state: &AppState,
    actor_id: &str,
    purpose: &str,
    entries: &[store::ReserveEntry],
) -> Result<(), AppError> {
    log_shown(
        state,
        actor_id,
        purpose,
        "vac-reserve",
        "vac_reserve",
        entries.iter().map(|e| e.id.as_str()),
    )
    .await
}

#[derive(Template)]
#[template(path = "vaccination/reserve_list.html")]
pub(super) struct ReservePage {
    l: Layout,
    c: Campaign,
    rows: Vec<ReserveRow>,
    pager: crate::paging::Pager,
}

/// `/staff/vaccination/{c}/reserve`: the reserve list, a page at a time.
pub async fn reserve_list(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<ReserveQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::RESERVE_PAGING)?;
    let page = store::reserve_page(&state.store, &c.id, &pq).await?;
    let total = store::reserve_total(&state.store, &c.id, loket_domain::paging::TOTAL_CAP).await?;
    log_reserve(&state, &user.id, "reserve list", &page.items).await?;
    let groups = store::groups(&state.store, &c.id).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        &format!("/staff/vaccination/{}/reserve", c.slug),
        &[],
        &page,
        &pq,
        total,
        Some(&format!("/staff/vaccination/{}/reserve.csv", c.slug)),
    );
    let rows = page
        .items
        .iter()
        .map(|e| reserve_row(ctx.locale, &groups, e))
        .collect();
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("vac-reserve-title");
    l.title = format!("{} — {}", l.title, c.name);
    l.csrf = csrf;
    render(StatusCode::OK, ReservePage { l, c, rows, pager })
}

/// The reserve list as CSV, every entry in the list's order (streamed,
/// 500 per query; each batch is access-logged as the page logs the
/// entries it shows).
pub async fn reserve_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let groups = store::groups(&state.store, &c.id).await?;
    let locale = ctx.locale;
    let campaign_id = c.id.clone();
    Ok(crate::paging::csv_export(
        &format!("reserve-{}-{}.csv", c.slug, today_brussels()),
        locale,
        &[
            "vac-field-name",
            "vac-field-group",
            "vac-field-status",
            "vac-signed-up",
            "vac-offered-slot",
        ],
        (state, user, campaign_id, groups),
        move |(state, user, campaign_id, groups), pq| async move {
            let page = store::reserve_page(&state.store, &campaign_id, &pq).await?;
            log_reserve(&state, &user.id, "reserve csv", &page.items).await?;
            let rows = page
                .items
                .iter()
                .map(|e| {
                    let r = reserve_row(locale, &groups, e);
                    vec![r.name, r.group, r.status, r.signed_up, r.offer]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}
