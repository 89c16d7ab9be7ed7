//! Labels, overdue loans and the audit by scanning.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LabelQuery {
    pub tags: String,
    pub format: String,
    pub symbology: String,
}

#[derive(Template)]
#[template(path = "assets/labels.html")]
pub(super) struct LabelsPage {
    l: Layout,
    tags: String,
    errors: FormErrors,
}

pub async fn labels_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<LabelQuery>,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let l = layout(&state, &mut ctx, "asset-labels-title").await?;
    render(
        StatusCode::OK,
        LabelsPage {
            l,
            tags: q.tags,
            errors: FormErrors::default(),
        },
    )
}

/// The labels of the tags as a PDF sheet or as ZPL.
pub async fn labels_file(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<LabelQuery>,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let locale = ctx.locale;
    let mut labels = Vec::new();
    let mut inv = Invalid::default();
    for t in rules::scanned_tags(&q.tags) {
        match store::get_asset(&state.store, &t).await? {
            Some(a) => labels.push(Label {
                alt: locale.t_args("asset-label-alt", &[("code", a.tag.clone())]),
                category: cat_label(locale, &a.category),
                tag: a.tag,
                model: a.model,
            }),
            None => inv.0.push(loket_domain::FieldError::with_value(
                "tags",
                "asset-tag-unknown",
                t,
            )),
        }
    }
    if labels.is_empty() && inv.is_empty() {
        inv.push("tags", "asset-none-chosen");
    }
    if labels.len() > 240 {
        inv.push("tags", "asset-too-many-labels");
    }
    if !inv.is_empty() {
        let errors = FormErrors::from_invalid(locale, &inv);
        let l = layout(&state, &mut ctx, "asset-labels-title").await?;
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            LabelsPage {
                l,
                tags: q.tags,
                errors,
            },
        );
    }
    let sym = Symbology::parse(&q.symbology);
    let city = state.config.city_name.clone();
    if q.format == "zpl" {
        let z = loket_render::assets::zpl(&labels, &city, sym);
        return Ok(file_response(
            z.into_bytes(),
            "text/plain; charset=utf-8",
            "labels.zpl",
        ));
    }
    let title = locale.t("asset-labels-title");
    let today = today_tuple();
    let lang = locale.code();
    let pdf = tokio::task::spawn_blocking(move || {
        loket_render::assets::labels_pdf(&labels, &city, &title, lang, sym, today)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(file_response(pdf, "application/pdf", "labels.pdf"))
}

// ---- overdue ----

#[derive(Template)]
#[template(path = "assets/loans.html")]
pub(super) struct LoansPage {
    l: Layout,
    intro: String,
    rows: Vec<LoanRow>,
    pager: crate::paging::Pager,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OverdueQuery {
    pub cursor: String,
    pub limit: String,
}

/// The access log of overdue loans shown: one row per borrower (a loan to
/// a place names no one).
async fn log_loans(
    state: &AppState,
    actor_id: &str,
    purpose: &str,
    loans: &[Loan],
) -> Result<(), AppError> {
    let shown: Vec<loket_store::audit::Access<'_>> = loans
        .iter()
        .filter_map(|l| {
            l.borrower_user_id
                .as_deref()
                .map(|b| loket_store::audit::Access {
                    subject: b,
                    record_type: "asset_loan",
                    record_id: &l.id,
                })
        })
        .collect();
    loket_store::audit::record_access_many(&state.store, actor_id, purpose, &shown).await?;
    Ok(())
}

/// `/staff/assets/overdue`: the open loans past their due date, longest
/// overdue first, a page at a time with the total and a CSV download.
pub async fn overdue(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<OverdueQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(ICT)?.clone();
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::OVERDUE_PAGING)?;
    let today = today_brussels().to_string();
    let page = store::overdue_page(&state.store, &today, &pq).await?;
    let total = store::overdue_total(&state.store, &today, loket_domain::paging::TOTAL_CAP).await?;
    log_loans(&state, &user.id, "assets.overdue", &page.items).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/staff/assets/overdue",
        &[],
        &page,
        &pq,
        total,
        Some("/staff/assets/overdue.csv"),
    );
    let rows = page
        .items
        .iter()
        .map(|l| loan_row(ctx.locale, l, &today))
        .collect();
    let intro = ctx.locale.t("asset-overdue-intro");
    let l = layout(&state, &mut ctx, "asset-overdue-title").await?;
    render(
        StatusCode::OK,
        LoansPage {
            l,
            intro,
            rows,
            pager,
        },
    )
}

/// The overdue loans as CSV, every one in the page's order (streamed, 500
/// per query; each batch access-logged per borrower as the page is).
pub async fn overdue_csv(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require(ICT)?.clone();
    let locale = ctx.locale;
    let today = today_brussels().to_string();
    Ok(crate::paging::csv_export(
        &format!("overdue-loans-{}.csv", today_brussels()),
        locale,
        &[
            "field-tag",
            "field-category",
            "field-model",
            "asset-col-to",
            "asset-col-out",
            "field-due-on",
        ],
        (state, user, today),
        move |(state, user, today), pq| async move {
            let page = store::overdue_page(&state.store, &today, &pq).await?;
            log_loans(&state, &user.id, "assets.overdue.csv", &page.items).await?;
            let rows = page
                .items
                .iter()
                .map(|l| {
                    let r = loan_row(locale, l, &today);
                    vec![r.tag, r.category, r.model, r.to, r.out, r.due]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

// ---- audit ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AuditForm {
    pub csrf: String,
    pub location: String,
    pub scanned: String,
}

#[derive(Template)]
#[template(path = "assets/audit.html")]
pub(super) struct AuditPage {
    l: Layout,
    locations: Vec<(String, bool)>,
    form: AuditForm,
    errors: FormErrors,
    result: Option<rules::Reconciliation>,
}

pub(super) async fn audit_page(
    state: &AppState,
    ctx: &mut Ctx,
    form: AuditForm,
    errors: FormErrors,
    result: Option<rules::Reconciliation>,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let locations = store::locations(&state.store)
        .await?
        .into_iter()
        .map(|x| {
            let sel = x == form.location;
            (x, sel)
        })
        .collect();
    let l = layout(state, ctx, "asset-audit-title").await?;
    render(
        status,
        AuditPage {
            l,
            locations,
            form,
            errors,
            result,
        },
    )
}

pub async fn audit_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<AuditForm>,
) -> Result<Response, AppError> {
    audit_page(
        &state,
        &mut ctx,
        q,
        FormErrors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn audit(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<AuditForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ICT)?.clone();
    let register = store::register(&state.store).await?;
    let mut inv = Invalid::default();
    if !register.values().any(|l| *l == f.location) {
        inv.push("location", "asset-location-unknown");
    }
    let scanned = rules::scanned_tags(&f.scanned);
    if scanned.is_empty() {
        inv.push("scanned", "asset-none-scanned");
    }
    if !inv.is_empty() {
        let errors = FormErrors::from_invalid(ctx.locale, &inv);
        return audit_page(
            &state,
            &mut ctx,
            f,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let result = rules::reconcile(&f.location, &register, &scanned);
    let json = serde_json::to_string(&result).map_err(|e| AppError::Internal(e.to_string()))?;
    loket_app::assets::save_audit(
        &state,
        &Actor::User(user.id),
        &f.location,
        &result.present,
        &json,
    )
    .await?;
    let form = AuditForm {
        scanned: String::new(),
        ..f
    };
    audit_page(
        &state,
        &mut ctx,
        form,
        FormErrors::default(),
        Some(result),
        StatusCode::OK,
    )
    .await
}
