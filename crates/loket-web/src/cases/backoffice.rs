//! The back office: the work queue and the case page for handlers, with
//! transitions, internal notes, messages to the resident and assignment.
//! Every staff view of a case is written to the access log.

use super::resident::{CaseRow, TimelineItem, case_row, check_message, definitions, timeline};
use super::summary_rows;
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::today_brussels;
use crate::layout::Layout;
use crate::paging::{Pager, page_query};
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::cases::ServiceDef;
use loket_domain::paging::{DEFAULT_LIMIT, EXPORT_BATCH, PageQuery, TOTAL_CAP};
use loket_domain::people::Role;
use loket_store::cases::{self as store, Case, QueueFilter};
use loket_store::people::{self as people_store, User};
use serde::Deserialize;

/// Who works the back office.
pub const HANDLERS: &[Role] = &[Role::CaseHandler];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QueueQuery {
    pub service: String,
    pub status: String,
    pub mine: String,
    pub overdue: String,
    pub closed: String,
    /// Where the page starts (from a pager link).
    pub cursor: String,
    /// Rows per page (default 50, at most 200).
    pub limit: String,
}

impl QueueQuery {
    /// The filters, as the pager's and the CSV link's query keep them.
    fn filters(&self) -> [(&'static str, &str); 5] {
        [
            ("service", &self.service),
            ("status", &self.status),
            ("mine", &self.mine),
            ("overdue", &self.overdue),
            ("closed", &self.closed),
        ]
    }
}

pub struct QueueRow {
    pub c: CaseRow,
    pub overdue: bool,
    pub assignee: String,
}

#[derive(Template)]
#[template(path = "cases/queue.html")]
struct QueuePage {
    l: Layout,
    q: QueueQuery,
    services: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    rows: Vec<QueueRow>,
    overdue: i64,
    pager: Pager,
}

/// The queue's filters for `user`, as the page and its CSV download read them.
async fn queue_filter(
    state: &AppState,
    user: &User,
    q: &QueueQuery,
    services: &[store::Service],
    today: &str,
) -> Result<QueueFilter, AppError> {
    let scope = loket_app::people::department_scope(state, user).await?;
    let service_id = services
        .iter()
        .find(|s| s.def.slug == q.service)
        .map(|s| s.id.clone())
        .unwrap_or_default();
    Ok(QueueFilter {
        department: String::new(),
        service_id,
        status: q.status.clone(),
        assignee_id: if q.mine == "1" {
            user.id.clone()
        } else {
            String::new()
        },
        overdue_before: if q.overdue == "1" {
            today.to_owned()
        } else {
            String::new()
        },
        open_only: q.closed != "1",
        limit: DEFAULT_LIMIT,
        viewer: scope.filter_user().to_owned(),
        cursor: None,
    })
}

/// The access log: one row per resident whose case a list shows.
async fn log_shown(
    state: &AppState,
    user_id: &str,
    action: &str,
    cases: &[Case],
) -> Result<(), AppError> {
    let shown: Vec<loket_store::audit::Access<'_>> = cases
        .iter()
        .map(|c| loket_store::audit::Access {
            subject: &c.resident_id,
            record_type: "case",
            record_id: &c.number,
        })
        .collect();
    loket_store::audit::record_access_many(&state.store, user_id, action, &shown).await?;
    Ok(())
}

pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(HANDLERS)?.clone();
    let pq = page_query(&q.cursor, &q.limit, &store::QUEUE_PAGING)?;
    let today = today_brussels().to_string();
    let services = store::list_services(&state.store, false).await?;
    let mut f = queue_filter(&state, &user, &q, &services, &today).await?;
    f.cursor = pq.cursor.clone();
    f.limit = pq.limit;
    let page = store::queue(&state.store, &f).await?;
    let total = store::queue_total(&state.store, &f, TOTAL_CAP).await?;
    log_shown(&state, &user.id, "case.queue", &page.items).await?;
    let cases = &page.items;
    let defs = definitions(&state, cases).await?;
    let lang = ctx.locale.code();
    let rows = cases
        .iter()
        .map(|c| {
            let def = defs.get(&(c.service_id.clone(), c.service_version));
            QueueRow {
                c: case_row(c, def, ctx.locale),
                overdue: c.closed_at.is_none() && c.due_date < today,
                assignee: match &c.assignee_id {
                    Some(a) if *a == user.id => ctx.locale.t("queue-me"),
                    Some(_) => ctx.locale.t("queue-other"),
                    None => String::new(),
                },
            }
        })
        .collect();
    let mut statuses: Vec<(String, String)> = Vec::new();
    for s in &services {
        for st in &s.def.states {
            if !statuses.iter().any(|(k, _)| k == &st.key) {
                statuses.push((st.key.clone(), st.label.get(lang).to_owned()));
            }
        }
    }
    let overdue = store::overdue_count(&state.store, "", &today, &f.viewer).await?;
    let pager = Pager::new(
        ctx.locale,
        "/staff/cases",
        &q.filters(),
        &page,
        &pq,
        total,
        Some("/staff/cases.csv"),
    );
    render(
        StatusCode::OK,
        QueuePage {
            l: ctx.layout("queue-title"),
            services: services
                .iter()
                .map(|s| (s.def.slug.clone(), s.def.name.get(lang).to_owned()))
                .collect(),
            statuses,
            rows,
            overdue,
            pager,
            q,
        },
    )
}

/// The work queue as CSV, with the page's filters, every row (streamed in
/// batches of 500; each batch is written to the access log as the page
/// writes the rows it shows).
pub async fn queue_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(HANDLERS)?.clone();
    let today = today_brussels().to_string();
    let services = store::list_services(&state.store, false).await?;
    let mut f = queue_filter(&state, &user, &q, &services, &today).await?;
    f.limit = EXPORT_BATCH;
    let locale = ctx.locale;
    Ok(crate::paging::csv_export(
        &format!("cases-{today}.csv"),
        locale,
        &[
            "case-number",
            "case-service",
            "case-status",
            "case-due",
            "case-submitted",
            "queue-department",
            "queue-assignee",
        ],
        (state, user, f),
        move |(state, user, mut f), pq| async move {
            f.cursor = pq.cursor;
            let page = store::queue(&state.store, &f).await?;
            log_shown(&state, &user.id, "case.queue.csv", &page.items).await?;
            let defs = definitions(&state, &page.items).await?;
            let rows = page
                .items
                .iter()
                .map(|c| {
                    let def = defs.get(&(c.service_id.clone(), c.service_version));
                    let row = case_row(c, def, locale);
                    vec![
                        c.number.clone(),
                        row.service,
                        row.status,
                        c.due_date.clone(),
                        row.submitted,
                        c.department.clone(),
                        match &c.assignee_id {
                            Some(a) if *a == user.id => locale.t("queue-me"),
                            Some(_) => locale.t("queue-other"),
                            None => String::new(),
                        },
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

#[derive(Template)]
#[template(path = "cases/staff_case.html")]
struct StaffCasePage {
    l: Layout,
    c: CaseRow,
    resident_name: String,
    resident_email: String,
    channel: String,
    /// How the submitter was identified (eID, password, at the counter, API).
    identified_by: String,
    assigned_to_me: bool,
    rows: Vec<(String, String)>,
    timeline: Vec<TimelineItem>,
    transitions: Vec<(String, String, bool)>,
    errors: FormErrors,
    files: Vec<(String, String, String)>,
    documents: Vec<(String, String, String)>,
    /// The case's audit trail, a page of it: (when, who, what, details).
    audit: Vec<(String, String, String, String)>,
    /// The trail's pager (total, previous / next, CSV).
    pager: Pager,
}

/// The case if `user` may see it: another department's case is a 404, as
/// if it did not exist (need to know).
async fn load(state: &AppState, user: &User, number: &str) -> Result<(Case, ServiceDef), AppError> {
    let case = store::get_case(&state.store, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let scope = loket_app::people::department_scope(state, user).await?;
    // A restricted case is the privacy officer's alone.
    if !scope.sees(&case.department) || !loket_app::privacy::sees_restricted(user, &case) {
        return Err(AppError::NotFound);
    }
    let def = store::service_version(&state.store, &case.service_id, case.service_version).await?;
    Ok((case, def))
}

/// The audit log's filter for one case's rows.
fn case_filter(case: &Case) -> loket_store::audit::Filter {
    loket_store::audit::Filter {
        person: None,
        record_type: Some("case".to_owned()),
        record_id: Some(case.number.clone()),
        limit: 0,
    }
}

/// Audit rows as the case page shows them: (when, who, what, details),
/// with the names of who made each change (looked up once per person).
async fn audit_lines(
    state: &AppState,
    rows: Vec<loket_store::audit::AuditRow>,
) -> Result<Vec<(String, String, String, String)>, AppError> {
    let mut names: std::collections::BTreeMap<String, String> = Default::default();
    let mut out = Vec::new();
    for r in rows {
        let who = match &r.actor_id {
            Some(id) => {
                if !names.contains_key(id) {
                    let name = people_store::get_user(&state.store, id)
                        .await?
                        .map(|u| u.name)
                        .unwrap_or_else(|| id.clone());
                    names.insert(id.clone(), name);
                }
                names.get(id).cloned().unwrap_or_default()
            }
            None => r.actor_kind.clone(),
        };
        let details = match (&r.before, &r.after) {
            (Some(b), Some(a)) => format!("{b} → {a}"),
            (None, Some(a)) => a.clone(),
            (Some(b), None) => b.clone(),
            (None, None) => String::new(),
        };
        out.push((
            crate::i18n::format_ms(r.at),
            who,
            r.action,
            details.chars().take(300).collect(),
        ));
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TrailQuery {
    pub cursor: String,
    pub limit: String,
}

/// The case's changes from the audit log, newest first, a page at a time
/// (`pq`), with the pager under them (total, previous / next, CSV).
async fn audit_trail(
    state: &AppState,
    locale: crate::i18n::Locale,
    case: &Case,
    pq: &PageQuery,
) -> Result<(Vec<(String, String, String, String)>, Pager), AppError> {
    let f = case_filter(case);
    let page = loket_store::audit::audit_page(&state.store, &f, pq).await?;
    let total = loket_store::audit::audit_total(&state.store, &f, TOTAL_CAP).await?;
    let path = format!("/staff/cases/{}", case.number);
    let csv = format!("{path}/audit.csv");
    let pager = Pager::new(locale, &path, &[], &page, pq, total, Some(&csv));
    Ok((audit_lines(state, page.items).await?, pager))
}

/// A case's audit trail as CSV, every change newest first (streamed, 500
/// per query); handlers who see the case. Access-logged as a view of the
/// case.
pub async fn audit_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.require(HANDLERS)?.clone();
    let (case, _) = load(&state, &user, &number).await?;
    loket_store::audit::record_access(
        &state.store,
        &user.id,
        &case.resident_id,
        "case",
        &case.number,
        "case.audit.csv",
    )
    .await?;
    let locale = ctx.locale;
    let f = case_filter(&case);
    Ok(crate::paging::csv_export(
        &format!("case-{}-audit-{}.csv", case.number, today_brussels()),
        locale,
        &["audit-when", "audit-who", "audit-action", "audit-details"],
        (state, f),
        move |(state, f), pq| async move {
            let page = loket_store::audit::audit_page(&state.store, &f, &pq).await?;
            let next = page.next.clone();
            let rows = audit_lines(&state, page.items)
                .await?
                .into_iter()
                .map(|(a, b, c, d)| vec![a, b, c, d])
                .collect();
            Ok((rows, next))
        },
    ))
}

async fn staff_view(
    state: &AppState,
    ctx: &mut Ctx,
    number: &str,
    errors: FormErrors,
    trail: &PageQuery,
) -> Result<StaffCasePage, AppError> {
    let user = ctx.require(HANDLERS)?.clone();
    let (case, def) = load(state, &user, number).await?;
    loket_store::audit::record_access(
        &state.store,
        &user.id,
        &case.resident_id,
        "case",
        &case.number,
        "case.view",
    )
    .await?;
    let resident = people_store::get_user(&state.store, &case.resident_id).await?;
    let events = store::events(&state.store, &case.id, true).await?;
    let lang = ctx.locale.code();
    let transitions = def
        .transitions_from(&case.status)
        .into_iter()
        .map(|t| (t.key.clone(), t.label.get(lang).to_owned(), t.needs_reason))
        .collect();
    let (audit, audit_pager) = audit_trail(state, ctx.locale, &case, trail).await?;
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("case-title");
    l.title = format!("{} {}", l.title, case.number);
    l.csrf = csrf;
    Ok(StaffCasePage {
        c: case_row(&case, Some(&def), ctx.locale),
        resident_name: resident
            .as_ref()
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        resident_email: resident
            .as_ref()
            .map(|u| u.email.clone())
            .unwrap_or_default(),
        channel: ctx.locale.t(&format!("channel-{}", case.channel)),
        identified_by: ctx.locale.t(&format!(
            "case-identified-{}",
            case.identified_by.as_deref().unwrap_or("unknown")
        )),
        assigned_to_me: case.assignee_id.as_deref() == Some(user.id.as_str()),
        rows: summary_rows(&def, ctx.locale, &case.data),
        timeline: timeline(&def, ctx.locale, &events),
        transitions,
        errors,
        files: super::resident::case_file_rows(state, &case, &def, ctx.locale).await?,
        documents: super::documents::document_rows(state, &case, ctx.locale).await?,
        audit,
        pager: audit_pager,
        l,
    })
}

pub async fn case_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(number): Path<String>,
    Query(q): Query<TrailQuery>,
) -> Result<Response, AppError> {
    ctx.require(HANDLERS)?;
    let trail = page_query(&q.cursor, &q.limit, &loket_store::audit::AUDIT_PAGING)?;
    let page = staff_view(&state, &mut ctx, &number, FormErrors::default(), &trail).await?;
    render(StatusCode::OK, page)
}

async fn refused(
    state: &AppState,
    ctx: &mut Ctx,
    number: &str,
    inv: &Invalid,
) -> Result<Response, AppError> {
    let errors = FormErrors::from_invalid(ctx.locale, inv);
    let first = PageQuery::first(DEFAULT_LIMIT);
    let page = staff_view(state, ctx, number, errors, &first).await?;
    render(StatusCode::UNPROCESSABLE_ENTITY, page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TransitionForm {
    pub transition: String,
    pub reason: String,
    pub csrf: String,
}

pub(crate) use loket_app::cases::workflow::{add_case_message, take_transition};

pub async fn transition(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(number): Path<String>,
    Form(f): Form<TransitionForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HANDLERS)?.clone();
    let (case, def) = load(&state, &user, &number).await?;
    match take_transition(
        &state,
        &Actor::User(user.id.clone()),
        &case,
        &def,
        &f.transition,
        &f.reason,
    )
    .await
    .map_err(AppError::from)
    {
        Ok(()) => Ok(Redirect::to(&format!("/staff/cases/{number}")).into_response()),
        Err(AppError::Invalid(inv)) => refused(&state, &mut ctx, &number, &inv).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TextForm {
    pub body: String,
    pub csrf: String,
}

/// An internal note: never shown to the resident.
pub async fn note(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(number): Path<String>,
    Form(f): Form<TextForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HANDLERS)?.clone();
    let (case, def) = load(&state, &user, &number).await?;
    let body = match check_message(&f.body) {
        Ok(b) => b,
        Err(inv) => return refused(&state, &mut ctx, &number, &inv).await,
    };
    add_case_message(
        &state,
        &Actor::User(user.id.clone()),
        &case,
        &def,
        "note",
        &body,
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/cases/{number}")).into_response())
}

/// A message to the resident, also sent by e-mail.
pub async fn message(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(number): Path<String>,
    Form(f): Form<TextForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HANDLERS)?.clone();
    let (case, def) = load(&state, &user, &number).await?;
    let body = match check_message(&f.body) {
        Ok(b) => b,
        Err(inv) => return refused(&state, &mut ctx, &number, &inv).await,
    };
    add_case_message(
        &state,
        &Actor::User(user.id.clone()),
        &case,
        &def,
        "message_out",
        &body,
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/cases/{number}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    /// `me` or `nobody`.
    pub to: String,
    pub csrf: String,
}

pub async fn assign(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(number): Path<String>,
    Form(f): Form<AssignForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(HANDLERS)?.clone();
    let (case, _) = load(&state, &user, &number).await?;
    let assignee = match f.to.as_str() {
        "me" => Some(user.id.as_str()),
        "nobody" => None,
        _ => {
            return refused(
                &state,
                &mut ctx,
                &number,
                &Invalid::one("to", "choice-unknown"),
            )
            .await;
        }
    };
    loket_app::cases::workflow::assign(&state, &Actor::User(user.id.clone()), &case, assignee)
        .await?;
    Ok(Redirect::to(&format!("/staff/cases/{number}")).into_response())
}

/// A file of a case, for handlers (the read is access-logged).
pub async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((number, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let user = ctx.require(HANDLERS)?;
    let (case, _) = load(&state, user, &number).await?;
    match store::get_file(&state.store, &id).await? {
        Some(f) if f.case_id.as_deref() == Some(case.id.as_str()) => {
            loket_store::audit::record_access(
                &state.store,
                &user.id,
                &case.resident_id,
                "case_file",
                &f.id,
                "case.file",
            )
            .await?;
            super::files::download(&f).await
        }
        _ => Err(AppError::NotFound),
    }
}

/// A document issued for a case, for handlers (the read is access-logged).
pub async fn document(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((number, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let user = ctx.require(HANDLERS)?;
    let (case, _) = load(&state, user, &number).await?;
    match store::get_document(&state.store, &id).await? {
        Some(d) if d.case_id == case.id => {
            loket_store::audit::record_access(
                &state.store,
                &user.id,
                &case.resident_id,
                "case_document",
                &d.id,
                "case.document",
            )
            .await?;
            super::documents::send(&d).await
        }
        _ => Err(AppError::NotFound),
    }
}
