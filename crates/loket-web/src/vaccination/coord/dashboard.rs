//! The live dashboard.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DayQueryForm {
    pub day: String,
    pub format: String,
}

pub(super) fn day_or_today(s: &str) -> String {
    match s.trim().parse::<jiff::civil::Date>() {
        Ok(d) => d.to_string(),
        Err(_) => today_brussels().to_string(),
    }
}

#[derive(Template)]
#[template(path = "vaccination/dashboard.html")]
pub(super) struct DashboardPage {
    l: Layout,
    slug: String,
    f: DayFigures,
    /// (station, assets on loan there: tag, model)
    equipment: Vec<(String, Vec<(String, String)>)>,
    chart: String,
}

/// A bar chart (SVG) of vaccinations per line, drawn on the server.
pub(super) fn line_chart(f: &DayFigures, locale: Locale) -> String {
    let max = f.per_line.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let bar_w = 36;
    let gap = 12;
    let h = 120;
    let width = f.per_line.len() as i64 * (bar_w + gap) + gap;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"chart-title\" viewBox=\"0 0 {width} {}\" width=\"{width}\" height=\"{}\"><title id=\"chart-title\">{}</title>",
        h + 40,
        h + 40,
        askama::filters::escape(&locale.t("vac-chart-lines"), askama::filters::Html)
            .map(|s| s.to_string())
            .unwrap_or_default()
    );
    for (i, (line, n)) in f.per_line.iter().enumerate() {
        let bh = n * h / max;
        let x = gap + i as i64 * (bar_w + gap);
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{}\" width=\"{bar_w}\" height=\"{bh}\" fill=\"#004f9f\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{n}</text><text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{line}</text>",
            h - bh + 14,
            x + bar_w / 2,
            h - bh + 10,
            x + bar_w / 2,
            h + 32
        ));
    }
    svg.push_str("</svg>");
    svg
}

pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<DayQueryForm>,
) -> Result<Response, AppError> {
    ctx.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await?;
    let day = day_or_today(&q.day);
    let f = store::day_figures(&state.store, &c, &day, now_ms()).await?;
    let equipment = equipment_by_station(&state).await?;
    let chart = line_chart(&f, ctx.locale);
    let mut l = ctx.layout("vac-dashboard-title");
    l.title = format!("{} — {}", l.title, c.name);
    render(
        StatusCode::OK,
        DashboardPage {
            l,
            slug: c.slug.clone(),
            f,
            equipment,
            chart,
        },
    )
}

/// The ICT equipment on loan to the centre, by station: open loans to a
/// place named "Vaccinatiecentrum, <station>" (the asset inventory).
pub(super) async fn equipment_by_station(
    state: &AppState,
) -> Result<Vec<(String, Vec<(String, String)>)>, AppError> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (place, tag, model, _) in
        loket_store::assets::on_loan_at(&state.store, "Vaccinatiecentrum").await?
    {
        let station = place
            .split_once(',')
            .map(|(_, s)| s.trim().to_owned())
            .unwrap_or(place);
        match out.iter_mut().find(|(s, _)| *s == station) {
            Some((_, list)) => list.push((tag, model)),
            None => out.push((station, vec![(tag, model)])),
        }
    }
    Ok(out)
}

pub async fn figures_json(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<DayQueryForm>,
) -> Result<Response, AppError> {
    ctx.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await?;
    let f = store::day_figures(&state.store, &c, &day_or_today(&q.day), now_ms()).await?;
    Ok(Json(f).into_response())
}

/// The day's figures as Server-Sent Events: a `figures` event at once and
/// after every change (the campaign's version), and every 30 s (no-shows
/// and wasted places change with the clock). One poller per campaign and
/// day feeds every coordinator's screen (see [`crate::live`]).
pub async fn events(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<DayQueryForm>,
) -> Result<Response, AppError> {
    ctx.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await?;
    let day = day_or_today(&q.day);
    Ok(figures_sse(&state, c, day).into_response())
}

pub(super) fn figures_sse(
    state: &AppState,
    c: Campaign,
    day: String,
) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<>> {
    let key = format!("figures:{}:{day}", c.id);
    let feed_state = state.clone();
    state
        .live
        .follow(&key, state.stopping.clone(), move |last: Option<String>| {
            let state = feed_state.clone();
            let c = c.clone();
            let day = day.clone();
            async move {
                let version = store::version(&state.store, &c.id).await.ok()?;
                let tag = format!("{version}.{}", now_ms() / 30_000);
                if last.as_deref() == Some(tag.as_str()) {
                    return None;
                }
                let f = store::day_figures(&state.store, &c, &day, now_ms())
                    .await
                    .ok()?;
                Some(crate::live::Frame {
                    event: "figures",
                    id: version.to_string(),
                    tag,
                    data: serde_json::to_string(&f).ok()?,
                })
            }
        })
        .into_sse(state.stopping.clone())
}
