//! The day report and the export.

use super::*;
use loket_domain::calendar::check_range;
use loket_domain::vaccination::MAX_EXPORT_DAYS;

#[derive(Template)]
#[template(path = "vaccination/report.html")]
pub(super) struct ReportPage {
    l: Layout,
    slug: String,
    day: String,
    f: DayFigures,
}

pub(super) fn report_doc(
    locale: Locale,
    city: &str,
    c: &Campaign,
    f: &DayFigures,
) -> render_vac::DayReport {
    let t = |id: &str| locale.t(id);
    render_vac::DayReport {
        lang: locale.code().to_owned(),
        city: city.to_owned(),
        title: format!("{} — {}", t("vac-report-title"), c.name),
        subtitle: f.day.clone(),
        summary_title: t("vac-report-summary"),
        figure_header: (t("vac-report-figure"), t("vac-report-value")),
        figures: vec![
            (t("vac-fig-booked"), f.booked.to_string()),
            (t("vac-fig-arrived"), f.arrived.to_string()),
            (t("vac-fig-not-booked"), f.not_booked.to_string()),
            (t("vac-fig-vaccinated"), f.vaccinated.to_string()),
            (t("vac-fig-no-shows"), f.no_shows.to_string()),
            (t("vac-fig-wasted"), f.wasted.to_string()),
        ],
        lines_title: t("vac-report-lines"),
        line_header: (t("vac-field-line"), t("vac-fig-vaccinated")),
        lines: f
            .per_line
            .iter()
            .map(|(l, n)| (l.to_string(), n.to_string()))
            .collect(),
        hours_title: t("vac-report-hours"),
        hour_header: (
            t("vac-field-line"),
            t("vac-report-hour"),
            t("vac-fig-vaccinated"),
        ),
        hours: f
            .per_line_hour
            .iter()
            .map(|(l, h, n)| (l.to_string(), format!("{h:02}:00"), n.to_string()))
            .collect(),
    }
}

/// The day report as a page, a PDF (`?format=pdf`) or CSV (`?format=csv`).
pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<DayQueryForm>,
) -> Result<Response, AppError> {
    ctx.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await?;
    let day = day_or_today(&q.day);
    let f = store::day_figures(&state.store, &c, &day, now_ms()).await?;
    match q.format.as_str() {
        "pdf" => {
            let doc = report_doc(ctx.locale, &state.config.city_name, &c, &f);
            let today = today_brussels();
            let ymd = (today.year() as i32, today.month() as u8, today.day() as u8);
            let pdf = tokio::task::spawn_blocking(move || render_vac::day_report_pdf(&doc, ymd))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
                .map_err(|e| AppError::Internal(e.to_string()))?;
            pdf_response(pdf, &format!("dagrapport-{}-{day}.pdf", c.slug))
        }
        "csv" => {
            let mut rows = vec![vec![
                "day".to_owned(),
                "line".to_owned(),
                "vaccinated".to_owned(),
            ]];
            for (l, n) in &f.per_line {
                rows.push(vec![day.clone(), l.to_string(), n.to_string()]);
            }
            rows.push(vec![]);
            rows.push(vec!["figure".to_owned(), "value".to_owned()]);
            for (k, v) in [
                ("booked", f.booked),
                ("arrived", f.arrived),
                ("not_booked", f.not_booked),
                ("vaccinated", f.vaccinated),
                ("no_shows", f.no_shows),
                ("wasted_places", f.wasted),
            ] {
                rows.push(vec![k.to_owned(), v.to_string()]);
            }
            csv_response(
                render_vac::csv(&rows),
                &format!("dagrapport-{}-{day}.csv", c.slug),
            )
        }
        _ => {
            let mut l = ctx.layout("vac-report-title");
            l.title = format!("{} — {} — {day}", l.title, c.name);
            render(
                StatusCode::OK,
                ReportPage {
                    l,
                    slug: c.slug.clone(),
                    day,
                    f,
                },
            )
        }
    }
}

pub fn csv_response(body: String, name: &str) -> Result<Response, AppError> {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportQuery {
    pub from: String,
    pub to: String,
}

/// The export's `from` and `to` (`YYYY-MM-DD`; empty `from`: today, empty
/// `to`: `from`). A malformed date, `to` before `from` or more than
/// [`MAX_EXPORT_DAYS`] days is a 400 naming the field: nothing is exported
/// and no access is logged.
fn export_range(from: &str, to: &str) -> Result<(String, String), AppError> {
    let mut inv = Invalid::default();
    let mut date = |field: &str, s: &str| {
        let s = s.trim();
        if s.is_empty() {
            return Some(None);
        }
        let d = s.parse::<jiff::civil::Date>().ok();
        if d.is_none() {
            inv.push(field, "date-invalid");
        }
        d.map(Some)
    };
    let (Some(from), Some(to)) = (date("from", from), date("to", to)) else {
        return Err(AppError::BadQuery(inv));
    };
    let from = from.unwrap_or_else(today_brussels);
    let to = to.unwrap_or(from);
    check_range(from, to, MAX_EXPORT_DAYS).map_err(|e| AppError::BadQuery(e.into()))?;
    Ok((from.to_string(), to.to_string()))
}

/// The registry export: one line per administered vaccination (centre and
/// mobile) in `[from, to]` (local dates; default today; at most
/// [`MAX_EXPORT_DAYS`] days). Audited as a read of personal data.
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let (from, to) = export_range(&q.from, &q.to)?;
    let (Some((from_ms, _)), Some((_, to_ms))) =
        (store::bounds_of_day(&from), store::bounds_of_day(&to))
    else {
        return Err(AppError::BadQuery(Invalid::one("from", "date-invalid")));
    };
    let rows = store::administered(&state.store, &c, from_ms, to_ms).await?;
    let mut out = vec![
        render_vac::REGISTRY_COLUMNS
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>(),
    ];
    for r in &rows {
        let at = jiff::Timestamp::from_millisecond(r.at)
            .map(|t| {
                t.to_zoned_datetime(crate::i18n::brussels())
                    .strftime("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string()
            })
            .unwrap_or_default();
        out.push(vec![
            r.national_number.clone(),
            r.birth_date.clone(),
            at,
            r.vaccine.clone(),
            r.lot.clone(),
            r.setting.clone(),
            r.place.clone(),
            state.config.city_name.clone(),
            r.record_id.clone(),
        ]);
    }
    // The access log: one row per vaccinated person in the file (not one
    // for the campaign).
    let subjects: Vec<String> = rows
        .iter()
        .map(|r| format!("vac:{}", r.invitation_id))
        .collect();
    let shown: Vec<loket_store::audit::Access<'_>> = rows
        .iter()
        .zip(&subjects)
        .map(|(r, s)| loket_store::audit::Access {
            subject: s,
            record_type: "vac_registry_export",
            record_id: &r.record_id,
        })
        .collect();
    loket_store::audit::record_access_many(&state.store, &user.id, "registry export", &shown)
        .await?;
    csv_response(
        render_vac::csv(&out),
        &format!("vaccinaties-{}-{from}-{to}.csv", c.slug),
    )
}
