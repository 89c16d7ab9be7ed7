//! Departments answer forwards.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ForwardsQuery {
    pub department: String,
    pub cursor: String,
    pub limit: String,
}

#[derive(Template)]
#[template(path = "contact/forwards.html")]
pub(super) struct ForwardsPage {
    l: Layout,
    departments: Vec<(String, String, bool)>,
    rows: Vec<ForwardRow>,
    errors: FormErrors,
    failed: String,
    current: String,
    /// Open forwards past their due day, in the whole list (not the page).
    overdue: i64,
    /// The text typed in the form that failed (kept).
    kept: String,
    pager: crate::paging::Pager,
}

/// The first page of a department's queue (after a form that failed).
pub(super) async fn forwards_page(
    state: &AppState,
    ctx: &mut Ctx,
    department: &str,
    errors: FormErrors,
    failed: String,
    kept: String,
) -> Result<Response, AppError> {
    let pq = loket_domain::paging::PageQuery::first(loket_domain::paging::DEFAULT_LIMIT);
    forwards_page_at(state, ctx, department, errors, failed, kept, &pq).await
}

async fn forwards_page_at(
    state: &AppState,
    ctx: &mut Ctx,
    department: &str,
    errors: FormErrors,
    failed: String,
    kept: String,
    pq: &loket_domain::paging::PageQuery,
) -> Result<Response, AppError> {
    let user = ctx.user()?.clone();
    let scope = loket_app::people::department_scope(state, &user).await?;
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("contact-forwards-title");
    l.csrf = csrf;
    let loc = ctx.locale;
    // Need to know: only the departments the person works for.
    let depts: Vec<_> = store::list_departments(&state.store)
        .await?
        .into_iter()
        .filter(|d| scope.sees(&d.slug))
        .collect();
    let dept_id = depts
        .iter()
        .find(|d| d.slug == department)
        .map(|d| d.id.clone())
        .unwrap_or_default();
    let page = store::forwards_page(&state.store, &dept_id, "", scope.filter_user(), pq).await?;
    let (total, overdue) = store::forwards_total(
        &state.store,
        &dept_id,
        "",
        scope.filter_user(),
        &today_brussels().to_string(),
        loket_domain::paging::TOTAL_CAP,
    )
    .await?;
    log_forwards(state, &user.id, "contact.forwards", &page.items).await?;
    let pager = crate::paging::Pager::new(
        loc,
        "/staff/forwards",
        &[("department", department)],
        &page,
        pq,
        total,
        Some("/staff/forwards.csv"),
    );
    let mut rows = forward_rows(state, loc, &page.items).await?;
    for r in rows.iter_mut().filter(|r| r.id == failed) {
        if errors.has("answer") {
            r.answer_id = "answer".to_owned();
        }
        if errors.has("question") {
            r.question_id = "question".to_owned();
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        ForwardsPage {
            departments: depts
                .iter()
                .map(|d| {
                    (
                        d.slug.clone(),
                        d.name(loc.code()).to_owned(),
                        d.slug == department,
                    )
                })
                .collect(),
            rows,
            errors,
            failed,
            current: department.to_owned(),
            overdue,
            kept,
            pager,
            l,
        },
    )
}

/// The access log of a list of forwards: one row per person shown, the
/// moment's resident, or for a moment without a linked resident the moment
/// itself (subject = moment id, record type `contact_moment`).
pub(crate) async fn log_forwards(
    state: &AppState,
    actor_id: &str,
    purpose: &str,
    list: &[Forward],
) -> Result<(), AppError> {
    let shown: Vec<loket_store::audit::Access<'_>> = list
        .iter()
        .map(|f| match &f.resident_id {
            Some(r) => loket_store::audit::Access {
                subject: r,
                record_type: "contact_forward",
                record_id: &f.id,
            },
            None => loket_store::audit::Access {
                subject: &f.moment_id,
                record_type: "contact_moment",
                record_id: &f.moment_id,
            },
        })
        .collect();
    loket_store::audit::record_access_many(&state.store, actor_id, purpose, &shown).await?;
    Ok(())
}

/// Need to know: the forward if `user` works for its department; another
/// department's forward is a 404, as if it did not exist.
pub(crate) async fn visible_forward(
    state: &AppState,
    user: &loket_store::people::User,
    id: &str,
) -> Result<Forward, AppError> {
    let f = store::forward(&state.store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let scope = loket_app::people::department_scope(state, user).await?;
    if scope != loket_domain::people::DepartmentScope::All {
        let d = store::department(&state.store, &f.department_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !scope.sees(&d.slug) {
            return Err(AppError::NotFound);
        }
    }
    Ok(f)
}

/// `/staff/forwards?department=`: a department's queue, overdue marked.
pub async fn forwards(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<ForwardsQuery>,
) -> Result<Response, AppError> {
    ctx.require(DEPARTMENT_STAFF)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::FORWARD_PAGING)?;
    forwards_page_at(
        &state,
        &mut ctx,
        q.department.trim(),
        FormErrors::default(),
        String::new(),
        String::new(),
        &pq,
    )
    .await
}

/// A department's queue as CSV (the page's department filter, need to
/// know applied), every forward (streamed, 500 per query; each batch is
/// written to the access log as the page writes the rows it shows).
pub async fn forwards_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ForwardsQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(DEPARTMENT_STAFF)?.clone();
    let scope = loket_app::people::department_scope(&state, &user).await?;
    let department = q.department.trim().to_owned();
    let dept_id = store::list_departments(&state.store)
        .await?
        .into_iter()
        .filter(|d| scope.sees(&d.slug))
        .find(|d| d.slug == department)
        .map(|d| d.id)
        .unwrap_or_default();
    let viewer = scope.filter_user().to_owned();
    let locale = ctx.locale;
    Ok(crate::paging::csv_export(
        &format!("forwards-{}.csv", today_brussels()),
        locale,
        &[
            "contact-col-reference",
            "field-contact-subject",
            "field-contact-department",
            "contact-col-due",
            "field-contact-status",
        ],
        (state, user, dept_id, viewer),
        move |(state, user, dept_id, viewer), pq| async move {
            let page = store::forwards_page(&state.store, &dept_id, "", &viewer, &pq).await?;
            log_forwards(&state, &user.id, "contact.forwards.csv", &page.items).await?;
            let rows = forward_rows(&state, locale, &page.items)
                .await?
                .into_iter()
                .map(|r| vec![r.reference, r.subject, r.department, r.due_on, r.status])
                .collect();
            Ok((rows, page.next))
        },
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    pub answer: String,
    pub department: String,
    pub csrf: String,
}

/// Answers a forward once; the answer is e-mailed to the person who asked.
pub async fn answer(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<AnswerForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(DEPARTMENT_STAFF)?.clone();
    visible_forward(&state, &user, &id).await?;
    let text = f.answer.trim();
    let result = if text.is_empty() {
        Err(AppError::Invalid(Invalid::one(
            "answer",
            "contact-answer-needed",
        )))
    } else if text.chars().count() > 10_000 {
        Err(AppError::Invalid(Invalid::one(
            "answer",
            "contact-too-long",
        )))
    } else {
        answer_forward(&state, &Actor::User(user.id), &id, text)
            .await
            .map_err(AppError::from)
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!(
            "/staff/forwards?department={}",
            crate::layout::urlencode(f.department.trim())
        ))
        .into_response()),
        Err(AppError::Invalid(inv)) => {
            let errors = form_errors(ctx.locale, &inv);
            forwards_page(
                &state,
                &mut ctx,
                f.department.trim(),
                errors,
                id,
                f.answer.clone(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PauseForm {
    pub question: String,
    pub department: String,
    pub csrf: String,
}

/// The department waits for the resident: the forward's clock is paused and
/// the question is e-mailed to the resident, with the reference in the
/// subject (their reply is threaded to the moment and resumes the clock).
pub async fn pause(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<PauseForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(DEPARTMENT_STAFF)?.clone();
    visible_forward(&state, &user, &id).await?;
    let text = f.question.trim();
    let result = if text.is_empty() {
        Err(AppError::Invalid(Invalid::one(
            "question",
            "contact-waiting-question-needed",
        )))
    } else if text.chars().count() > 10_000 {
        Err(AppError::Invalid(Invalid::one(
            "question",
            "contact-too-long",
        )))
    } else {
        pause_forward(&state, &Actor::User(user.id), &id, text)
            .await
            .map_err(AppError::from)
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!(
            "/staff/forwards?department={}",
            crate::layout::urlencode(f.department.trim())
        ))
        .into_response()),
        Err(AppError::Invalid(inv)) => {
            let errors = form_errors(ctx.locale, &inv);
            forwards_page(
                &state,
                &mut ctx,
                f.department.trim(),
                errors,
                id,
                f.question.clone(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResumeForm {
    pub department: String,
    pub csrf: String,
}

/// The resident answered (by phone, at the counter…): the clock runs again
/// and the due date moves by the working days it stood still.
pub async fn resume(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ResumeForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(DEPARTMENT_STAFF)?.clone();
    visible_forward(&state, &user, &id).await?;
    match loket_app::contact::resume_forward(&state, &Actor::User(user.id), &id).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/staff/forwards?department={}",
            crate::layout::urlencode(f.department.trim())
        ))
        .into_response()),
        Err(loket_app::Refusal::Invalid(inv)) => {
            let errors = form_errors(ctx.locale, &inv);
            forwards_page(
                &state,
                &mut ctx,
                f.department.trim(),
                errors,
                id,
                String::new(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
