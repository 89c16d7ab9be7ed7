//! The list.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub category: String,
    pub status: String,
    pub location: String,
    pub cursor: String,
    pub limit: String,
}

impl ListQuery {
    fn filter(&self) -> AssetFilter {
        AssetFilter {
            q: self.q.clone(),
            category: self.category.clone(),
            status: self.status.clone(),
            location: self.location.clone(),
        }
    }

    fn filters(&self) -> [(&'static str, &str); 4] {
        [
            ("q", &self.q),
            ("category", &self.category),
            ("status", &self.status),
            ("location", &self.location),
        ]
    }
}

#[derive(Template)]
#[template(path = "assets/list.html")]
pub(super) struct ListPage {
    l: Layout,
    q: String,
    categories: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    locations: Vec<(String, bool)>,
    rows: Vec<AssetRow>,
    counts: Vec<(String, i64)>,
    pager: crate::paging::Pager,
}

pub async fn list(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let locale = ctx.locale;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::ASSET_PAGING)?;
    let f = q.filter();
    let page = store::assets_page(&state.store, &f, &pq).await?;
    let total = store::assets_total(&state.store, &f, loket_domain::paging::TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        locale,
        "/staff/assets",
        &q.filters(),
        &page,
        &pq,
        total,
        Some("/staff/assets.csv"),
    );
    let rows = page.items.iter().map(|a| asset_row(locale, a)).collect();
    let mut statuses = vec![(String::new(), locale.t("asset-any"), q.status.is_empty())];
    statuses.extend(AssetStatus::ALL.iter().map(|s| {
        (
            s.as_str().to_owned(),
            status_label(locale, s.as_str()),
            s.as_str() == q.status,
        )
    }));
    let counts = store::status_counts(&state.store)
        .await?
        .into_iter()
        .map(|(s, n)| (status_label(locale, &s), n))
        .collect();
    let locations = store::locations(&state.store)
        .await?
        .into_iter()
        .map(|x| {
            let sel = x == q.location;
            (x, sel)
        })
        .collect();
    let l = layout(&state, &mut ctx, "asset-title").await?;
    render(
        StatusCode::OK,
        ListPage {
            l,
            q: q.q,
            categories: cat_choices(locale, &q.category, true),
            statuses,
            locations,
            rows,
            counts,
            pager,
        },
    )
}

/// The inventory as CSV, with the list's filters, every row (streamed,
/// 500 rows per query).
pub async fn list_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let locale = ctx.locale;
    let f = q.filter();
    Ok(crate::paging::csv_export(
        &format!("assets-{}.csv", today_brussels()),
        locale,
        &[
            "field-tag",
            "field-category",
            "field-model",
            "field-serial",
            "field-status",
            "field-location",
            "asset-next-audit",
        ],
        (state, f),
        move |(state, f), pq| async move {
            let page = store::assets_page(&state.store, &f, &pq).await?;
            let rows = page
                .items
                .iter()
                .map(|a| {
                    let r = asset_row(locale, a);
                    vec![
                        r.tag,
                        r.category,
                        r.model,
                        r.serial,
                        r.status,
                        r.location,
                        r.next_audit,
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}
