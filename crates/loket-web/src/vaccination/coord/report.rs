//! The day report and the export.

use super::*;

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

/// The registry export: one line per administered vaccination (centre and
/// mobile) in `[from, to]` (local dates; default today). Audited as a read
/// of personal data.
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let from = day_or_today(&q.from);
    let to = if q.to.trim().is_empty() {
        from.clone()
    } else {
        day_or_today(&q.to)
    };
    let (Some((from_ms, _)), Some((_, to_ms))) =
        (store::bounds_of_day(&from), store::bounds_of_day(&to))
    else {
        return Err(Invalid::one("from", "vac-day-invalid").into());
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
