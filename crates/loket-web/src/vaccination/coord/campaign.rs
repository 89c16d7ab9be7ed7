//! The campaign page.

use super::*;

#[derive(Template)]
#[template(path = "vaccination/campaign.html")]
pub(super) struct CampaignPage {
    l: Layout,
    c: Campaign,
    capacity: i64,
    opens: String,
    days: Vec<(String, String, String)>,
    groups: Vec<String>,
    counts: Vec<(InvitationStatus, i64)>,
    letters_waiting: i64,
    /// The newest print batches: (id, letters, created).
    batches: Vec<(String, i64, String)>,
    /// How many print batches there are ("12 in total"; every one is on
    /// the print batches' own page, a page at a time).
    batches_total: String,
    q: String,
    invitations: Vec<Invitation>,
    pager: crate::paging::Pager,
    /// How many are on the reserve list ("12 in total"; the list has its
    /// own page).
    reserve_total: String,
    conflicts: Vec<store::Conflict>,
    teams: Vec<String>,
    import_text: String,
    import_errors: Vec<CsvErrorRow>,
    imported: Option<store::Imported>,
    errors: FormErrors,
    mobile: MobileForm,
    notice: String,
    lines: Vec<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CampaignQuery {
    pub q: String,
    pub notice: String,
    pub cursor: String,
    pub limit: String,
}

#[derive(Default)]
pub(super) struct Extra {
    pub(super) import_text: String,
    pub(super) import_errors: Vec<CsvErrorRow>,
    pub(super) imported: Option<store::Imported>,
    pub(super) errors: FormErrors,
    pub(super) mobile: MobileForm,
    pub(super) notice: String,
    /// The page of invitations shown (None: the first).
    pub(super) page: Option<loket_domain::paging::PageQuery>,
}

/// The list needs no booking code (a code books in the invitee's name):
/// only its last four characters; the invitee's page shows it whole.
fn mask_codes(invitations: &mut [Invitation]) {
    for i in invitations.iter_mut() {
        let tail: String = {
            let chars: Vec<char> = i.code.chars().collect();
            chars[chars.len().saturating_sub(4)..].iter().collect()
        };
        i.code = format!("••••{tail}");
    }
}

/// The access log of invitations listed: one row per invitee
/// (`vac:<id>`).
async fn log_invitations(
    state: &AppState,
    actor_id: &str,
    purpose: &str,
    invitations: &[Invitation],
) -> Result<(), AppError> {
    log_shown(
        state,
        actor_id,
        purpose,
        "vac",
        "vac_invitation",
        invitations.iter().map(|i| i.id.as_str()),
    )
    .await
}

/// A campaign's invitations as CSV (name, code's last four, status,
/// delivery), with the page's search, every one (streamed, 500 per query;
/// each batch is written to the access log as the page writes the
/// invitations it shows).
pub async fn invitations_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<CampaignQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let search: String = q.q.chars().take(100).collect();
    let locale = ctx.locale;
    let campaign_id = c.id.clone();
    Ok(crate::paging::csv_export(
        &format!(
            "invitations-{}-{}.csv",
            c.slug,
            crate::i18n::today_brussels()
        ),
        locale,
        &[
            "vac-field-name",
            "vac-field-code",
            "vac-field-status",
            "vac-field-delivery",
        ],
        (state, user, campaign_id, search),
        move |(state, user, campaign_id, search), pq| async move {
            let page = store::invitations_page(&state.store, &campaign_id, &search, &pq).await?;
            log_invitations(&state, &user.id, "campaign csv", &page.items).await?;
            let mut items = page.items;
            mask_codes(&mut items);
            let rows = items
                .into_iter()
                .map(|i| {
                    vec![
                        i.name,
                        i.code,
                        locale.t(&format!("vac-status-{}", i.status)),
                        i.delivery,
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

/// How many of the newest print batches the campaign's page lists; the
/// page gives their total and links to all of them
/// (`/staff/vaccination/{c}/letters`, paged).
const NEWEST_BATCHES: i64 = 5;

fn batch_rows(batches: Vec<store::LetterBatch>) -> Vec<(String, i64, String)> {
    batches
        .into_iter()
        .map(|b| (b.id, b.letters, format_ms(b.created_at)))
        .collect()
}

pub(super) async fn campaign_view(
    state: &AppState,
    ctx: &mut Ctx,
    c: Campaign,
    q: &str,
    extra: Extra,
    status: StatusCode,
) -> Result<Response, AppError> {
    let groups = store::groups(&state.store, &c.id).await?;
    let reserve_total = crate::paging::total_text(
        ctx.locale,
        store::reserve_total(&state.store, &c.id, loket_domain::paging::TOTAL_CAP).await?,
    );
    let pq = extra.page.clone().unwrap_or_else(|| {
        loket_domain::paging::PageQuery::first(loket_domain::paging::DEFAULT_LIMIT)
    });
    let inv_page = store::invitations_page(&state.store, &c.id, q, &pq).await?;
    let total =
        store::invitations_total(&state.store, &c.id, q, loket_domain::paging::TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        &format!("/staff/vaccination/{}", c.slug),
        &[("q", q)],
        &inv_page,
        &pq,
        total,
        Some(&format!("/staff/vaccination/{}/invitations.csv", c.slug)),
    );
    let mut invitations = inv_page.items;
    mask_codes(&mut invitations);
    // The access log: one row per invitee the page lists.
    if let Some(user) = ctx.user.clone() {
        log_invitations(state, &user.id, "campaign page", &invitations).await?;
    }
    let newest = store::letter_batches_page(
        &state.store,
        &c.id,
        &loket_domain::paging::PageQuery::first(NEWEST_BATCHES),
    )
    .await?;
    let batches = batch_rows(newest.items);
    let batches_total = crate::paging::total_text(
        ctx.locale,
        store::letter_batches_total(&state.store, &c.id, loket_domain::paging::TOTAL_CAP).await?,
    );
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("vac-campaign-title");
    l.title = format!("{} — {}", l.title, c.name);
    l.csrf = csrf;
    let page = CampaignPage {
        l,
        capacity: c.capacity(),
        opens: format_ms(c.opens_at),
        days: store::days(&state.store, &c.id).await?,
        groups,
        counts: store::invitation_counts(&state.store, &c.id).await?,
        letters_waiting: store::letters_waiting(&state.store, &c.id).await?,
        batches,
        batches_total,
        q: q.to_owned(),
        invitations,
        pager,
        reserve_total,
        conflicts: store::open_conflicts(&state.store, &c.id).await?,
        teams: store::mobile_teams(&state.store, &c.id).await?,
        import_text: extra.import_text,
        import_errors: extra.import_errors,
        imported: extra.imported,
        errors: extra.errors,
        mobile: extra.mobile,
        notice: extra.notice,
        lines: (1..=c.lines).collect(),
        c,
    };
    render(status, page)
}

pub async fn campaign_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<CampaignQuery>,
) -> Result<Response, AppError> {
    ctx.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await?;
    let notice = match q.notice.as_str() {
        "offers" | "resolved" | "planned" | "letters" => {
            ctx.locale.t(&format!("vac-notice-{}", q.notice))
        }
        _ => String::new(),
    };
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::INVITATION_PAGING)?;
    campaign_view(
        &state,
        &mut ctx,
        c,
        q.q.chars().take(100).collect::<String>().as_str(),
        Extra {
            notice,
            page: Some(pq),
            ..Extra::default()
        },
        StatusCode::OK,
    )
    .await
}

/// Import errors in the user's language; the "unknown column" message names
/// this file's columns.
pub(super) fn import_errors(
    locale: Locale,
    errors: Vec<loket_domain::telework::CsvError>,
) -> Vec<CsvErrorRow> {
    let errors: Vec<_> = errors
        .into_iter()
        .map(|mut e| {
            if e.code == "csv-column-unknown" {
                e.code = "vac-csv-column-unknown";
            }
            e
        })
        .collect();
    crate::telework::csv_errors(locale, &errors)
}

/// Imports invitations from a CSV file (or pasted text): all or nothing.
pub async fn import(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    form: ServiceForm,
) -> Result<Response, AppError> {
    ctx.check_csrf(form.values.get("csrf").map(String::as_str).unwrap_or(""))?;
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let text = crate::common::csv_text(&form);
    let shown = form.values.get("text").cloned().unwrap_or_default();
    let groups = store::groups(&state.store, &c.id).await?;
    let rows = match rules::parse_invitations(&text, &groups) {
        Ok(r) => r,
        Err(errors) => {
            let import_errors = import_errors(ctx.locale, errors);
            return campaign_view(
                &state,
                &mut ctx,
                c,
                "",
                Extra {
                    import_text: shown,
                    import_errors,
                    ..Extra::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match loket_app::vaccination::import_invitations(
        &state,
        &Actor::User(user.id.clone()),
        &c,
        &rows,
    )
    .await
    {
        Ok(done) => {
            campaign_view(
                &state,
                &mut ctx,
                c,
                "",
                Extra {
                    imported: Some(done),
                    ..Extra::default()
                },
                StatusCode::OK,
            )
            .await
        }
        Err(loket_app::Refusal::Invalid(inv)) => {
            let import_errors = inv
                .0
                .iter()
                .map(|e| CsvErrorRow {
                    line: e.value.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0),
                    column: "national_number".to_owned(),
                    message: ctx.locale.t("err-vac-already-invited"),
                })
                .collect();
            campaign_view(
                &state,
                &mut ctx,
                c,
                "",
                Extra {
                    import_text: shown,
                    import_errors,
                    ..Extra::default()
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

/// Puts the invitations that wait for a letter into a print batch.
pub async fn letters(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let batch = loket_app::vaccination::new_letter_batch(&state, &Actor::User(user.id), &c).await?;
    Ok(Redirect::to(&match batch {
        Some(_) => format!("/staff/vaccination/{}?notice=letters", c.slug),
        None => format!("/staff/vaccination/{}", c.slug),
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "vaccination/letter_batches.html")]
pub(super) struct LetterBatchesPage {
    l: Layout,
    c: Campaign,
    /// (id, letters, created)
    batches: Vec<(String, i64, String)>,
    pager: crate::paging::Pager,
}

/// The page of a campaign's print batches (`?cursor=&limit=`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BatchesQuery {
    pub cursor: String,
    pub limit: String,
}

/// `/staff/vaccination/{c}/letters`: the campaign's print batches, newest
/// first, a page at a time, with their total.
pub async fn letter_batches(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<BatchesQuery>,
) -> Result<Response, AppError> {
    ctx.require(COORDINATORS)?;
    let c = campaign(&state, &slug).await?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::LETTER_BATCH_PAGING)?;
    let page = store::letter_batches_page(&state.store, &c.id, &pq).await?;
    let total =
        store::letter_batches_total(&state.store, &c.id, loket_domain::paging::TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        &format!("/staff/vaccination/{}/letters", c.slug),
        &[],
        &page,
        &pq,
        total,
        None,
    );
    let batches = batch_rows(page.items);
    let mut l = ctx.layout("vac-letters-batches-title");
    l.title = format!("{} — {}", l.title, c.name);
    render(
        StatusCode::OK,
        LetterBatchesPage {
            l,
            c,
            batches,
            pager,
        },
    )
}

/// A letter batch as one PDF: a window-envelope letter per invitee with
/// the code and its QR code.
pub async fn letters_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, batch)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let user = ctx.require(COORDINATORS)?.clone();
    let c = campaign(&state, &slug).await?;
    let batch = batch.trim_end_matches(".pdf").to_owned();
    let invitations = store::batch_invitations(&state.store, &batch).await?;
    if invitations.is_empty() || invitations.iter().any(|i| i.campaign_id != c.id) {
        return Err(AppError::NotFound);
    }
    let locale = Locale::default();
    let today = today_brussels();
    let date = today.to_string();
    let letters: Vec<loket_render::cases::Letter> = invitations
        .iter()
        .map(|inv| {
            let link = super::super::booking_link(&state, &c, &inv.code);
            let args = [
                ("name", inv.name.clone()),
                ("city", state.config.city_name.clone()),
                ("service", c.name.clone()),
                ("code", rules::format_code(&inv.code)),
                ("link", link.clone()),
            ];
            loket_render::cases::Letter {
                lang: locale.code().to_owned(),
                city: state.config.city_name.clone(),
                place: state.config.city_name.clone(),
                title: locale.t_args("vac-letter-title", &args),
                date: date.clone(),
                reference_label: locale.t("vac-letter-reference"),
                reference: rules::format_code(&inv.code),
                recipient: vec![
                    inv.name.clone(),
                    inv.street.clone(),
                    format!("{} {}", inv.postal_code, inv.city),
                ],
                paragraphs: vec![
                    locale.t_args("vac-letter-p1", &args),
                    locale.t_args("vac-letter-p2", &args),
                    locale.t_args("vac-letter-p3", &args),
                ],
                facts_header: (locale.t("vac-letter-fact"), locale.t("vac-letter-value")),
                facts: vec![
                    (locale.t("vac-field-code"), rules::format_code(&inv.code)),
                    (locale.t("vac-letter-site"), link.clone()),
                ],
                qr_url: Some(link),
                qr_caption: locale.t("vac-letter-qr"),
                qr_alt: locale.t_args("vac-letter-qr-alt", &args),
                closing: locale.t_args("vac-letter-closing", &args),
                footer: state.config.city_name.clone(),
                logo_alt: state.config.city_name.clone(),
                logo_svg: state.config.logo_svg.clone(),
            }
        })
        .collect();
    let title = locale.t("vac-letters-title");
    let batch_label = format!(
        "{} {}",
        locale.t("vac-letters-batch"),
        &batch[batch.len().saturating_sub(6)..]
    );
    let city = state.config.city_name.clone();
    let logo = state.config.logo_svg.clone();
    let ymd = (today.year() as i32, today.month() as u8, today.day() as u8);
    let pdf = tokio::task::spawn_blocking(move || {
        loket_render::cases::batch_pdf(
            &loket_render::cases::BatchInfo {
                title: &title,
                city: &city,
                lang: "nl",
                footer: &city,
                batch_label: &batch_label,
                logo_svg: logo.as_deref(),
            },
            &letters,
            ymd,
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))?;
    loket_store::audit::record_access(
        &state.store,
        &user.id,
        &format!("vac:{}", c.id),
        "vac_letter_batch",
        &batch,
        "print letters",
    )
    .await?;
    pdf_response(pdf, &format!("uitnodigingen-{}.pdf", c.slug))
}

pub fn pdf_response(pdf: Vec<u8>, name: &str) -> Result<Response, AppError> {
    let mut res = pdf.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
