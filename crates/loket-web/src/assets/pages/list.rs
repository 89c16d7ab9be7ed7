//! The list.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub category: String,
    pub status: String,
    pub location: String,
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
}

pub async fn list(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let locale = ctx.locale;
    let f = AssetFilter {
        q: q.q.clone(),
        category: q.category.clone(),
        status: q.status.clone(),
        location: q.location.clone(),
    };
    let rows = store::list_assets(&state.store, &f, 500)
        .await?
        .iter()
        .map(|a| asset_row(locale, a))
        .collect();
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
        },
    )
}
