//! Agents log contact moments.

use super::*;
use loket_domain::paging::{DEFAULT_LIMIT, PageQuery, TOTAL_CAP};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    pub status: String,
    pub cursor: String,
    pub limit: String,
}

pub struct MomentRow {
    pub id: String,
    pub reference: String,
    pub at: String,
    pub channel: String,
    pub subject: String,
    pub name: String,
    pub status: String,
}

pub(super) fn row(l: Locale, m: &Moment) -> MomentRow {
    MomentRow {
        id: m.id.clone(),
        reference: m.reference.clone(),
        at: format_ms(m.created_at),
        channel: l.t(&format!("contact-channel-{}", m.channel)),
        subject: m.subject.clone(),
        name: m.contact_name.clone(),
        status: l.t(&format!("contact-status-{}", m.status)),
    }
}

#[derive(Template)]
#[template(path = "contact/moments.html")]
pub(super) struct ListPage {
    l: Layout,
    status: String,
    statuses: Vec<(String, String)>,
    rows: Vec<MomentRow>,
    pager: crate::paging::Pager,
}

/// The access log of contact moments shown: one row per person, in one
/// multi-row INSERT. A moment with a linked resident is filed under the
/// resident; a moment without one (a caller who gave only a name or an
/// address) under its own id, with record type `contact_moment`, so the
/// rows can be found and purged with the moment.
pub(crate) async fn log_moments(
    state: &AppState,
    actor_id: &str,
    purpose: &str,
    moments: &[Moment],
) -> Result<(), AppError> {
    let shown: Vec<loket_store::audit::Access<'_>> = moments
        .iter()
        .map(|m| loket_store::audit::Access {
            subject: m.resident_id.as_deref().unwrap_or(&m.id),
            record_type: "contact_moment",
            record_id: &m.id,
        })
        .collect();
    loket_store::audit::record_access_many(&state.store, actor_id, purpose, &shown).await?;
    Ok(())
}

/// `/staff/contact`: contact moments, newest first, a page at a time;
/// `?status=intake` is the intake queue of questions asked on the web.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(AGENTS)?.clone();
    let status = MomentStatus::parse(&q.status)
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::MOMENT_PAGING)?;
    let page = store::moments_page(&state.store, &status, "", &pq).await?;
    let total =
        store::moments_total(&state.store, &status, "", loket_domain::paging::TOTAL_CAP).await?;
    log_moments(&state, &user.id, "contact.list", &page.items).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        "/staff/contact",
        &[("status", &status)],
        &page,
        &pq,
        total,
        Some("/staff/contact.csv"),
    );
    render(
        StatusCode::OK,
        ListPage {
            statuses: MomentStatus::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str().to_owned(),
                        ctx.locale.t(&format!("contact-status-{s}")),
                    )
                })
                .collect(),
            rows: page.items.iter().map(|m| row(ctx.locale, m)).collect(),
            status,
            pager,
            l: ctx.layout("contact-moments-title"),
        },
    )
}

/// The contact moments as CSV, with the list's status filter, every row
/// (streamed, 500 rows per query; each batch is written to the access log
/// as the page writes the rows it shows).
pub async fn list_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(AGENTS)?.clone();
    let status = MomentStatus::parse(&q.status)
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let locale = ctx.locale;
    Ok(crate::paging::csv_export(
        &format!("contact-moments-{}.csv", today_brussels()),
        locale,
        &[
            "contact-col-reference",
            "contact-col-when",
            "field-contact-channel",
            "field-contact-subject",
            "field-contact-name",
            "field-contact-status",
        ],
        (state, user, status),
        move |(state, user, status), pq| async move {
            let page = store::moments_page(&state.store, &status, "", &pq).await?;
            log_moments(&state, &user.id, "contact.list.csv", &page.items).await?;
            let rows = page
                .items
                .iter()
                .map(|m| {
                    let r = row(locale, m);
                    vec![r.reference, r.at, r.channel, r.subject, r.name, r.status]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MomentForm {
    pub channel: String,
    pub resident_email: String,
    /// The resident's id when the form was opened from their file
    /// (`?resident=`): also residents without an e-mail address.
    pub resident: String,
    pub contact_name: String,
    pub contact_email: String,
    pub subject: String,
    pub question: String,
    pub answer: String,
    pub articles: String,
    pub outcome: String,
    pub duration: String,
    /// With outcome `forwarded`: the department (slug) and a note for it.
    pub department: String,
    pub note: String,
    /// Article search on the form (`q`), and the articles picked from the
    /// results (checkboxes, slugs).
    pub q: String,
    #[serde(default)]
    pub pick: Vec<String>,
    /// `search`: the search button was pressed; the form is shown again
    /// with the results and everything typed kept.
    pub action: String,
    /// `1` when the search comes from the script while typing (not
    /// recorded for the report: half-typed words are no gaps).
    pub live: String,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "contact/new_moment.html")]
pub(super) struct NewMomentPage {
    l: Layout,
    f: MomentForm,
    errors: FormErrors,
    channels: Vec<(String, String)>,
    outcomes: Vec<(String, String)>,
    departments: Vec<(String, String)>,
    /// The name of the resident given by id (`f.resident`).
    resident_name: String,
    /// Search results on the form: (slug, title, picked).
    found: Vec<(String, String, bool)>,
    /// Articles picked before (kept as hidden checkboxes when not in the
    /// current results): (slug, title).
    picked: Vec<(String, String)>,
}

pub(super) async fn moment_form(
    state: &AppState,
    ctx: &mut Ctx,
    f: MomentForm,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("contact-new-moment-title");
    l.csrf = csrf;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let loc = ctx.locale;
    let departments = store::list_departments(&state.store)
        .await?
        .into_iter()
        .map(|d| (d.slug.clone(), d.name(loc.code()).to_owned()))
        .collect();
    let mut found = Vec::new();
    let q = f.q.trim();
    if !q.is_empty() {
        let hits = store::search(&state.store, loc.code(), q).await?;
        if f.live != "1" {
            store::record_search(
                &state.store,
                &today_brussels().to_string(),
                loc.code(),
                q,
                hits.len(),
            )
            .await?;
        }
        for (a, _) in hits.into_iter().take(8) {
            let picked = f.pick.contains(&a.slug);
            found.push((a.slug.clone(), a.title(loc.code()).to_owned(), picked));
        }
    }
    let mut picked = Vec::new();
    for slug in &f.pick {
        if found.iter().any(|(s, ..)| s == slug) || picked.iter().any(|(s, _)| s == slug) {
            continue;
        }
        if let Some(a) = store::article(&state.store, slug).await? {
            picked.push((a.slug.clone(), a.title(loc.code()).to_owned()));
        }
    }
    let resident_name = if f.resident.trim().is_empty() {
        String::new()
    } else {
        people_store::get_user(&state.store, f.resident.trim())
            .await?
            .filter(|u| u.roles.has(Role::Resident))
            .map(|u| u.name)
            .unwrap_or_default()
    };
    render(
        status,
        NewMomentPage {
            l,
            f,
            errors,
            departments,
            resident_name,
            found,
            picked,
            channels: CHANNELS
                .iter()
                .map(|c| ((*c).to_owned(), loc.t(&format!("contact-channel-{c}"))))
                .collect(),
            outcomes: OUTCOMES
                .iter()
                .map(|c| ((*c).to_owned(), loc.t(&format!("contact-outcome-{c}"))))
                .collect(),
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    pub resident: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    ctx.require(AGENTS)?;
    let mut f = MomentForm {
        channel: "phone".to_owned(),
        outcome: "answered".to_owned(),
        ..MomentForm::default()
    };
    if !q.resident.is_empty()
        && let Some(u) = people_store::get_user(&state.store, &q.resident).await?
        && u.roles.has(Role::Resident)
    {
        f.resident = u.id;
        f.resident_email = u.email;
    }
    moment_form(&state, &mut ctx, f, FormErrors::default()).await
}

/// Logs a contact moment. The resident, if named, is found by the e-mail of
/// their account; linked articles are given by slug, comma-separated.
pub async fn create(
    State(state): State<AppState>,
    mut ctx: Ctx,
    axum_extra::extract::Form(f): axum_extra::extract::Form<MomentForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(AGENTS)?.clone();
    if f.action == "search" {
        // The article search on the form: shown again, nothing saved.
        return moment_form(&state, &mut ctx, f, FormErrors::default()).await;
    }
    let mut inv = Invalid::default();
    // Opened from the resident's file: the resident by id, unless the agent
    // typed another e-mail address.
    let by_id = if f.resident.trim().is_empty() {
        None
    } else {
        people_store::get_user(&state.store, f.resident.trim())
            .await?
            .filter(|u| u.roles.has(Role::Resident))
    };
    let typed = f.resident_email.trim();
    let resident = if let Some(u) =
        by_id.filter(|u| typed.is_empty() || typed.eq_ignore_ascii_case(&u.email))
    {
        Some(u)
    } else if typed.is_empty() {
        None
    } else {
        match people_store::find_by_email(&state.store, f.resident_email.trim()).await? {
            Some(u) if u.roles.has(Role::Resident) => Some(u),
            _ => {
                inv.push("resident_email", "contact-resident-unknown");
                None
            }
        }
    };
    let contact_email = f.contact_email.trim();
    if !contact_email.is_empty()
        && let Err(e) = Email::parse(contact_email)
    {
        inv.0
            .push(loket_domain::FieldError::new("contact_email", e.code));
    }
    let mut articles: Vec<String> = Vec::new();
    for slug in f
        .articles
        .split(',')
        .map(str::trim)
        .chain(f.pick.iter().map(|s| s.trim()))
        .filter(|s| !s.is_empty())
        .take(50)
    {
        match store::article(&state.store, slug).await? {
            Some(a) if articles.contains(&a.id) => {}
            Some(a) => articles.push(a.id),
            None => {
                inv.0.push(loket_domain::FieldError::with_value(
                    "articles",
                    "contact-article-unknown",
                    slug.chars().take(80).collect(),
                ));
                break;
            }
        }
    }
    // Forwarded on the form itself: a department is needed.
    let department = if f.outcome == "forwarded" {
        match store::department(&state.store, f.department.trim()).await? {
            Some(d) if !f.department.trim().is_empty() => Some(d),
            _ => {
                inv.push("department", "contact-department-unknown");
                None
            }
        }
    } else {
        None
    };
    let note: String = f.note.trim().chars().take(2000).collect();
    let checked = check_moment(&MomentInput {
        channel: &f.channel,
        subject: &f.subject,
        question: &f.question,
        answer: &f.answer,
        outcome: &f.outcome,
        duration: &f.duration,
    });
    let draft = match checked {
        Ok(d) if inv.is_empty() => d,
        other => {
            if let Err(e) = other {
                inv.0.extend(e.0);
            }
            let errors = form_errors(ctx.locale, &inv);
            return moment_form(&state, &mut ctx, f, errors).await;
        }
    };
    let name = match &resident {
        Some(r) => r.name.clone(),
        None => f.contact_name.trim().chars().take(200).collect(),
    };
    let email = match &resident {
        Some(r) => r.email.clone(),
        None => contact_email.to_owned(),
    };
    let status = if draft.outcome == "answered" {
        "closed"
    } else {
        "open"
    };
    let m = loket_app::contact::log_moment(
        &state,
        &Actor::User(user.id),
        status,
        &MomentParty {
            resident_id: resident.as_ref().map(|r| r.id.as_str()),
            name: &name,
            email: &email,
        },
        &draft,
        &articles,
        department.as_ref().map(|d| (d, note.as_str())),
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/contact/{}", m.id)).into_response())
}

pub struct ForwardRow {
    pub id: String,
    pub department: String,
    pub due_on: String,
    pub overdue: bool,
    pub status: String,
    pub note: String,
    pub answer: String,
    pub reference: String,
    pub subject: String,
    pub question: String,
    pub open: bool,
    /// Waiting for the resident since this date (the clock is paused).
    pub waiting_since: String,
    pub waiting_question: String,
    pub paused_days: i64,
    /// The ids of the answer and question fields: the plain `answer` /
    /// `question` on the form that failed (the error summary links there),
    /// else made unique with the forward's id.
    pub answer_id: String,
    pub question_id: String,
}

pub(super) async fn forward_rows(
    state: &AppState,
    l: Locale,
    fs: &[Forward],
) -> Result<Vec<ForwardRow>, AppError> {
    let depts = store::list_departments(&state.store).await?;
    let today = today_brussels().to_string();
    Ok(fs
        .iter()
        .map(|f| ForwardRow {
            id: f.id.clone(),
            department: depts
                .iter()
                .find(|d| d.id == f.department_id)
                .map(|d| d.name(l.code()).to_owned())
                .unwrap_or_default(),
            due_on: f.due_on.clone(),
            overdue: f.status == ForwardStatus::Open && f.due_on < today,
            waiting_since: if f.status == ForwardStatus::Waiting {
                f.paused_on.clone().unwrap_or_default()
            } else {
                String::new()
            },
            waiting_question: f.waiting_question.clone(),
            paused_days: f.paused_days,
            answer_id: format!("answer-{}", f.id),
            question_id: format!("question-{}", f.id),
            status: l.t(&format!("contact-forward-{}", f.status)),
            note: f.note.clone(),
            answer: f.answer.clone(),
            reference: f.reference.clone(),
            subject: f.subject.clone(),
            question: f.question.clone(),
            open: matches!(f.status, ForwardStatus::Open | ForwardStatus::Waiting),
        })
        .collect())
}

#[derive(Template)]
#[template(path = "contact/moment.html")]
pub(super) struct DetailPage {
    l: Layout,
    m: Moment,
    channel: String,
    status: String,
    outcome: String,
    at: String,
    articles: Vec<Article>,
    forwards: Vec<ForwardRow>,
    departments: Vec<(String, String, bool)>,
    errors: FormErrors,
    note: String,
    /// The case started from this contact: its number.
    case_number: Option<String>,
    /// The appointment booked in this contact: (code, start).
    appointment: Option<(String, String)>,
    /// The newest follow-up messages, shown oldest first: (when, direction
    /// label, sender, subject, body).
    messages: Vec<MessageRow>,
    /// How many follow-up messages there are ("12 in total"; every one is
    /// on the messages' own page, a page at a time).
    messages_total: String,
    /// Pages of the forwards, oldest first (`?cursor=&limit=`).
    pager: crate::paging::Pager,
}

/// A follow-up message as a page shows it: (when, direction label, sender,
/// subject, body).
type MessageRow = (String, String, String, String, String);

/// How many of the newest follow-up messages a contact moment's page lists
/// (shown oldest first); the page gives their total and links to all of
/// them (`/staff/contact/{id}/messages`, paged).
const NEWEST_MESSAGES: i64 = 5;

fn message_rows(loc: Locale, msgs: Vec<store::Message>) -> Vec<MessageRow> {
    msgs.into_iter()
        .map(|x| {
            (
                format_ms(x.created_at),
                loc.t(&format!("contact-message-{}", x.direction)),
                x.sender,
                x.subject,
                x.body,
            )
        })
        .collect()
}

/// The page of a moment's forwards (`?cursor=&limit=`) or of its
/// messages (on their own page).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HistoryPageQuery {
    pub cursor: String,
    pub limit: String,
}

/// The first page of a moment's forwards (a refused form shows it).
fn first_forwards() -> PageQuery {
    PageQuery::first(DEFAULT_LIMIT)
}

pub(super) async fn detail_page(
    state: &AppState,
    ctx: &mut Ctx,
    m: Moment,
    errors: FormErrors,
    department: String,
    note: String,
    pq: &PageQuery,
) -> Result<Response, AppError> {
    let user = ctx.require(AGENTS)?.clone();
    log_moments(state, &user.id, "contact.view", std::slice::from_ref(&m)).await?;
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("contact-moment-title");
    l.title = format!("{} {}", l.title, m.reference);
    l.csrf = csrf;
    let loc = ctx.locale;
    // A page of the forwards, oldest first.
    let page = store::moment_forwards_page(&state.store, &m.id, pq).await?;
    let total = store::moment_forwards_total(&state.store, &m.id, TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        loc,
        &format!("/staff/contact/{}", m.id),
        &[],
        &page,
        pq,
        total,
        None,
    );
    let forwards = forward_rows(state, loc, &page.items).await?;
    let departments = store::list_departments(&state.store)
        .await?
        .into_iter()
        .map(|d| {
            let sel = d.slug == department;
            (d.slug.clone(), d.name(loc.code()).to_owned(), sel)
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let case_number = match &m.case_id {
        Some(c) => loket_store::cases::case_by_id(&state.store, c)
            .await?
            .filter(|c| !c.is_restricted())
            .map(|c| c.number),
        None => None,
    };
    let appointment = match &m.appointment_id {
        Some(a) => loket_store::appointments::get(&state.store, a)
            .await?
            .map(|a| (a.code, format_ms(a.starts_at))),
        None => None,
    };
    // The newest few messages, shown oldest first, with their total.
    let mut msgs = store::messages(&state.store, &m.id, NEWEST_MESSAGES).await?;
    msgs.reverse();
    let messages = message_rows(loc, msgs);
    let messages_total = crate::paging::total_text(
        loc,
        store::messages_total(&state.store, &m.id, TOTAL_CAP).await?,
    );
    render(
        status,
        DetailPage {
            messages,
            messages_total,
            pager,
            case_number,
            appointment,
            channel: loc.t(&format!("contact-channel-{}", m.channel)),
            status: loc.t(&format!("contact-status-{}", m.status)),
            outcome: if m.outcome.is_empty() {
                String::new()
            } else {
                loc.t(&format!("contact-outcome-{}", m.outcome))
            },
            at: format_ms(m.created_at),
            articles: store::moment_articles(&state.store, &m.id).await?,
            forwards,
            departments,
            errors,
            note,
            m,
            l,
        },
    )
}

pub async fn detail(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HistoryPageQuery>,
) -> Result<Response, AppError> {
    ctx.require(AGENTS)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::MOMENT_FORWARD_PAGING)?;
    let m = store::moment(&state.store, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    detail_page(
        &state,
        &mut ctx,
        m,
        FormErrors::default(),
        String::new(),
        String::new(),
        &pq,
    )
    .await
}

#[derive(Template)]
#[template(path = "contact/messages.html")]
pub(super) struct MessagesPage {
    l: Layout,
    m: Moment,
    messages: Vec<MessageRow>,
    pager: crate::paging::Pager,
}

/// `/staff/contact/{id}/messages`: a moment's follow-up messages, oldest
/// first (a conversation), a page at a time, with their total. The view
/// is access-logged like the moment's page.
pub async fn messages(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HistoryPageQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(AGENTS)?.clone();
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::MOMENT_MESSAGE_PAGING)?;
    let m = store::moment(&state.store, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    log_moments(&state, &user.id, "contact.view", std::slice::from_ref(&m)).await?;
    let page = store::messages_page(&state.store, &m.id, &pq).await?;
    let total = store::messages_total(&state.store, &m.id, TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(
        ctx.locale,
        &format!("/staff/contact/{}/messages", m.id),
        &[],
        &page,
        &pq,
        total,
        None,
    );
    let messages = message_rows(ctx.locale, page.items);
    let mut l = ctx.layout("contact-messages-title");
    l.title = format!("{} — {}", l.title, m.reference);
    render(
        StatusCode::OK,
        MessagesPage {
            l,
            m,
            messages,
            pager,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ForwardForm {
    pub department: String,
    pub note: String,
    pub csrf: String,
}

/// Forwards a moment to a department: due after the department's service
/// level in working days (Belgian holidays skipped).
pub async fn forward(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ForwardForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(AGENTS)?.clone();
    let m = store::moment(&state.store, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let note: String = f.note.trim().chars().take(2000).collect();
    let dept = store::department(&state.store, f.department.trim()).await?;
    let mut inv = Invalid::default();
    if m.status == MomentStatus::Closed {
        inv.push("department", "contact-moment-closed");
    }
    let Some(dept) = dept.filter(|_| inv.is_empty()) else {
        if inv.is_empty() {
            inv.push("department", "contact-department-unknown");
        }
        let errors = form_errors(ctx.locale, &inv);
        return detail_page(
            &state,
            &mut ctx,
            m,
            errors,
            f.department.clone(),
            note,
            &first_forwards(),
        )
        .await;
    };
    loket_app::contact::forward(&state, &Actor::User(user.id), &m.id, &dept, &note).await?;
    Ok(Redirect::to(&format!("/staff/contact/{}", m.id)).into_response())
}
