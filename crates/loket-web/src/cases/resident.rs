//! What residents see: the catalogue, the application form, the
//! confirmation step, "my cases" and a case's timeline.

use super::files::{ServiceForm, download, store_uploads};
use super::{FieldView, field_views, summary_rows};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::{Locale, format_ms, today_brussels};
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::cases::{Channel, FieldKind, ServiceDef, format_cents};
use loket_domain::people::Role;
use loket_store::cases::{self as store, Case, Service};
use serde::Deserialize;
use std::collections::BTreeMap;

pub(crate) const RESIDENT: &[Role] = &[Role::Resident];

pub struct ServiceCard {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub fee: String,
    pub days: i64,
}

fn card(s: &Service, locale: Locale) -> ServiceCard {
    let lang = locale.code();
    ServiceCard {
        slug: s.def.slug.clone(),
        name: s.def.name.get(lang).to_owned(),
        description: s.def.description.get(lang).to_owned(),
        fee: if s.def.fee_cents == 0 {
            locale.t("service-free")
        } else {
            format!("€ {}", format_cents(s.def.fee_cents))
        },
        days: s.def.target_days,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
}

#[derive(Template)]
#[template(path = "cases/catalogue.html")]
struct CataloguePage {
    l: Layout,
    q: String,
    services: Vec<ServiceCard>,
}

/// The catalogue, searchable by words in the name or description.
pub async fn catalogue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let words: Vec<String> = q.q.split_whitespace().map(str::to_lowercase).collect();
    let services = store::list_services(&state.store, true)
        .await?
        .iter()
        .map(|s| card(s, ctx.locale))
        .filter(|c| {
            let hay = format!("{} {}", c.name, c.description).to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect();
    render(
        StatusCode::OK,
        CataloguePage {
            l: ctx.layout("catalogue-title"),
            q: q.q,
            services,
        },
    )
}

pub(crate) async fn active_service(state: &AppState, slug: &str) -> Result<Service, AppError> {
    match store::service_by_slug(&state.store, slug).await? {
        Some(s) if s.active => Ok(s),
        _ => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "cases/service.html")]
struct ServicePage {
    l: Layout,
    s: ServiceCard,
    signed_in: bool,
}

pub async fn service_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let s = active_service(&state, &slug).await?;
    let c = card(&s, ctx.locale);
    let mut l = ctx.layout("catalogue-title");
    l.title = c.name.clone();
    render(
        StatusCode::OK,
        ServicePage {
            l,
            s: c,
            signed_in: ctx.user.is_some(),
        },
    )
}

#[derive(Template)]
#[template(path = "cases/apply.html")]
pub(crate) struct ApplyPage {
    pub l: Layout,
    pub action: String,
    pub fields: Vec<FieldView>,
    pub errors: FormErrors,
    pub saved_at: Option<String>,
    /// For staff applying on behalf of a resident: (channel, label, selected).
    pub channels: Vec<(String, String, bool)>,
    pub on_behalf_of: Option<String>,
}

/// The names of a draft's uploaded files, by field.
pub(crate) async fn draft_file_names(
    state: &AppState,
    owner: &str,
    service_id: &str,
) -> Result<BTreeMap<String, String>, AppError> {
    Ok(store::draft_files(&state.store, owner, service_id)
        .await?
        .into_iter()
        .map(|f| (f.field_key, f.filename))
        .collect())
}

/// Validates a draft: its values and which files it has.
pub(crate) fn validate_draft(
    s: &Service,
    values: &BTreeMap<String, String>,
    files: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Invalid> {
    let present: Vec<&str> = files.keys().map(String::as_str).collect();
    s.def.validate(values, &present, today_brussels())
}

pub(crate) fn apply_page(
    ctx: &Ctx,
    s: &Service,
    csrf: String,
    values: &BTreeMap<String, String>,
    files: &BTreeMap<String, String>,
    errors: FormErrors,
    saved_at: Option<String>,
) -> ApplyPage {
    let mut l = ctx.layout("apply-title");
    l.title = s.def.name.get(ctx.locale.code()).to_owned();
    l.csrf = csrf;
    ApplyPage {
        l,
        action: format!("/services/{}/apply", s.def.slug),
        fields: field_views(&s.def, ctx.locale, values, files, &errors),
        errors,
        saved_at,
        channels: Vec::new(),
        on_behalf_of: None,
    }
}

pub async fn apply_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.require(RESIDENT)?.clone();
    let s = active_service(&state, &slug).await?;
    let draft = store::get_draft(&state.store, &user.id, &s.id).await?;
    let saved_at = draft.as_ref().map(|(_, at)| format_ms(*at));
    let values = draft.map(|(d, _)| d).unwrap_or_default();
    let files = draft_file_names(&state, &user.id, &s.id).await?;
    let csrf = ctx.csrf(&state).await?;
    render(
        StatusCode::OK,
        apply_page(
            &ctx,
            &s,
            csrf,
            &values,
            &files,
            FormErrors::default(),
            saved_at,
        ),
    )
}

/// The form's values, without the technical fields; at most 100 fields of
/// at most 10,000 characters each are kept.
pub(crate) fn form_values(
    mut form: BTreeMap<String, String>,
) -> (BTreeMap<String, String>, String, String) {
    let csrf = form.remove("csrf").unwrap_or_default();
    let action = form.remove("action").unwrap_or_default();
    let values = form
        .into_iter()
        .filter(|(k, v)| k.len() <= 80 && v.len() <= 10_000)
        .take(100)
        .collect();
    (values, csrf, action)
}

/// Saves a draft (`action=save`), or checks the form and goes on to the
/// confirmation step (`action=review`).
pub async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    form: ServiceForm,
) -> Result<Response, AppError> {
    let (values, csrf, action) = form_values(form.values);
    ctx.check_csrf(&csrf)?;
    let user = ctx.require(RESIDENT)?.clone();
    let s = active_service(&state, &slug).await?;
    store::save_draft(&state.store, &user.id, &s.id, &values).await?;
    let file_fields: Vec<String> = s
        .def
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::File))
        .map(|f| f.key.clone())
        .collect();
    let refused_files = store_uploads(&state, &user.id, &s.id, &file_fields, form.uploads).await?;
    let files = draft_file_names(&state, &user.id, &s.id).await?;
    if action == "save" && refused_files.is_empty() {
        let saved = Some(format_ms(loket_store::now_ms()));
        let page = apply_page(
            &ctx,
            &s,
            csrf,
            &values,
            &files,
            FormErrors::default(),
            saved,
        );
        return render(StatusCode::OK, page);
    }
    let checked = validate_draft(&s, &values, &files);
    let errors = match checked {
        Ok(_) if refused_files.is_empty() => {
            return Ok(Redirect::to(&format!("/services/{slug}/confirm")).into_response());
        }
        Ok(_) => refused_files,
        Err(mut inv) => {
            // A refused file's own error replaces "add this document".
            inv.0
                .retain(|e| !refused_files.0.iter().any(|r| r.field == e.field));
            inv.0.extend(refused_files.0);
            inv
        }
    };
    let errors = FormErrors::from_invalid_labelled(ctx.locale, &errors, |k| {
        super::field_label(&s.def, ctx.locale, k)
    });
    render(
        StatusCode::UNPROCESSABLE_ENTITY,
        apply_page(&ctx, &s, csrf, &values, &files, errors, None),
    )
}

#[derive(Template)]
#[template(path = "cases/confirm.html")]
struct ConfirmPage {
    l: Layout,
    slug: String,
    service: String,
    rows: Vec<(String, String)>,
    files: Vec<(String, String)>,
    fee: String,
}

/// (field label, file name) for each uploaded file.
fn file_rows(
    def: &ServiceDef,
    locale: Locale,
    files: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    def.fields
        .iter()
        .filter_map(|f| {
            files
                .get(&f.key)
                .map(|n| (f.label.get(locale.code()).to_owned(), n.clone()))
        })
        .collect()
}

/// The confirmation step: the checked values, to submit or to change.
pub async fn confirm_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.require(RESIDENT)?.clone();
    let s = active_service(&state, &slug).await?;
    let Some((values, _)) = store::get_draft(&state.store, &user.id, &s.id).await? else {
        return Ok(Redirect::to(&format!("/services/{slug}/apply")).into_response());
    };
    if let Some(to) = needs_eid(&state, &ctx, &s.def, &slug) {
        return Ok(to);
    }
    let files = draft_file_names(&state, &user.id, &s.id).await?;
    let Ok(data) = validate_draft(&s, &values, &files) else {
        return Ok(Redirect::to(&format!("/services/{slug}/apply")).into_response());
    };
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("confirm-title");
    l.csrf = csrf;
    render(
        StatusCode::OK,
        ConfirmPage {
            l,
            slug,
            service: s.def.name.get(ctx.locale.code()).to_owned(),
            rows: summary_rows(&s.def, ctx.locale, &data),
            files: file_rows(&s.def, ctx.locale, &files),
            fee: if s.def.fee_cents == 0 {
                String::new()
            } else {
                format!("€ {}", format_cents(s.def.fee_cents))
            },
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

pub(crate) use loket_app::cases::submit::{Submission, create_case};

/// A service that needs an e-ID sign-in (`"requires_identity": "eid"`),
/// and a resident signed in with a password: through the e-ID sign-in
/// first (the draft stays on the server), back to the confirmation step.
/// Enforced when the residents' provider is configured (see
/// docs/sign-in.md).
fn needs_eid(state: &AppState, ctx: &Ctx, def: &ServiceDef, slug: &str) -> Option<Response> {
    if !def.requires_eid()
        || state.config.app.oidc_residents.is_none()
        || ctx.identified_by() == Some("eid")
    {
        return None;
    }
    let next = crate::layout::urlencode(&format!("/services/{slug}/confirm"));
    Some(Redirect::to(&format!("/login/oidc/residents/stepup?next={next}")).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(RESIDENT)?.clone();
    let s = active_service(&state, &slug).await?;
    let Some((values, _)) = store::get_draft(&state.store, &user.id, &s.id).await? else {
        return Ok(Redirect::to(&format!("/services/{slug}/apply")).into_response());
    };
    if let Some(to) = needs_eid(&state, &ctx, &s.def, &slug) {
        return Ok(to);
    }
    // Checked again: the draft may be old, or the rules may have changed.
    let files = draft_file_names(&state, &user.id, &s.id).await?;
    let data = match validate_draft(&s, &values, &files) {
        Ok(d) => d,
        Err(_) => return Ok(Redirect::to(&format!("/services/{slug}/apply")).into_response()),
    };
    let sub = Submission {
        service: &s,
        resident_id: &user.id,
        resident_email: &user.email,
        resident_name: &user.name,
        resident_locale: Locale::parse(&user.locale).unwrap_or(ctx.locale),
        channel: Channel::Web,
        assisted_by: None,
        identified_by: ctx.identified_by().unwrap_or("password"),
        files_owner: Some(&user.id),
        contact_id: None,
    };
    let case = create_case(&state, &Actor::User(user.id.clone()), &sub, &data).await?;
    Ok(Redirect::to(&format!("/cases/{}?new=1", case.number)).into_response())
}

pub struct CaseRow {
    pub number: String,
    pub service: String,
    pub status: String,
    pub submitted: String,
    pub due: String,
    pub is_final: bool,
}

/// Loads the definitions of the cases' versions once each.
pub(crate) async fn definitions(
    state: &AppState,
    cases: &[Case],
) -> Result<BTreeMap<(String, i64), ServiceDef>, AppError> {
    let mut defs = BTreeMap::new();
    for c in cases {
        let key = (c.service_id.clone(), c.service_version);
        if let std::collections::btree_map::Entry::Vacant(slot) = defs.entry(key) {
            slot.insert(
                store::service_version(&state.store, &c.service_id, c.service_version).await?,
            );
        }
    }
    Ok(defs)
}

pub(crate) fn case_row(c: &Case, def: Option<&ServiceDef>, locale: Locale) -> CaseRow {
    let lang = locale.code();
    let st = def.and_then(|d| d.state(&c.status));
    CaseRow {
        number: c.number.clone(),
        service: def.map(|d| d.name.get(lang).to_owned()).unwrap_or_default(),
        status: st
            .map(|s| s.label.get(lang).to_owned())
            .unwrap_or_else(|| c.status.clone()),
        submitted: format_ms(c.submitted_at),
        due: c.due_date.clone(),
        is_final: st.is_some_and(|s| s.is_final),
    }
}

#[derive(Template)]
#[template(path = "cases/my_cases.html")]
struct MyCasesPage {
    l: Layout,
    cases: Vec<CaseRow>,
    pager: crate::paging::Pager,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct MyCasesQuery {
    pub cursor: String,
    pub limit: String,
}

/// A resident's cases, newest first, one page at a time.
pub async fn my_cases(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<MyCasesQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(RESIDENT)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::RESIDENT_PAGING)?;
    let page = store::resident_cases(&state.store, &user.id, "", &pq).await?;
    let total =
        store::resident_cases_total(&state.store, &user.id, "", loket_domain::paging::TOTAL_CAP)
            .await?;
    let cases = &page.items;
    let defs = definitions(&state, cases).await?;
    let rows = cases
        .iter()
        .map(|c| {
            case_row(
                c,
                defs.get(&(c.service_id.clone(), c.service_version)),
                ctx.locale,
            )
        })
        .collect();
    let pager = crate::paging::Pager::new(ctx.locale, "/cases", &[], &page, &pq, total, None);
    render(
        StatusCode::OK,
        MyCasesPage {
            l: ctx.layout("my-cases-title"),
            cases: rows,
            pager,
        },
    )
}

/// One line of the timeline as residents and staff see it.
pub struct TimelineItem {
    pub at: String,
    pub title: String,
    pub text: String,
    pub body: String,
    pub internal: bool,
    pub kind: String,
}

pub(crate) fn timeline(
    def: &ServiceDef,
    locale: Locale,
    events: &[loket_store::cases::CaseEvent],
) -> Vec<TimelineItem> {
    let lang = locale.code();
    events
        .iter()
        .map(|e| {
            let to = e.to_status.as_deref().and_then(|s| def.state(s));
            let (title, text) = match e.kind.as_str() {
                "submitted" | "transition" => (
                    to.map(|s| s.label.get(lang).to_owned()).unwrap_or_default(),
                    to.map(|s| s.explanation.get(lang).to_owned())
                        .unwrap_or_default(),
                ),
                kind => (
                    locale.t(&format!("event-{}", kind.replace('_', "-"))),
                    String::new(),
                ),
            };
            TimelineItem {
                at: format_ms(e.at),
                title,
                text,
                body: e.body.clone().unwrap_or_default(),
                internal: e.internal,
                kind: e.kind.clone(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "cases/case.html")]
struct CasePage {
    l: Layout,
    c: CaseRow,
    explanation: String,
    rows: Vec<(String, String)>,
    timeline: Vec<TimelineItem>,
    waiting_for_me: bool,
    is_new: bool,
    errors: FormErrors,
    /// (file id, field label, file name)
    files: Vec<(String, String, String)>,
    /// (document id, title, file name)
    documents: Vec<(String, String, String)>,
}

/// A case's files as (id, field label, file name).
pub(crate) async fn case_file_rows(
    state: &AppState,
    case: &Case,
    def: &ServiceDef,
    locale: Locale,
) -> Result<Vec<(String, String, String)>, AppError> {
    Ok(store::case_files(&state.store, &case.id)
        .await?
        .into_iter()
        .map(|f| {
            let label = def
                .field(&f.field_key)
                .map(|d| d.label.get(locale.code()).to_owned())
                .unwrap_or_else(|| locale.t("field-attachment"));
            (f.id, label, f.filename)
        })
        .collect())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    pub new: String,
}

/// A resident's own case; another person's case is "not found".
async fn own_case(
    state: &AppState,
    ctx: &Ctx,
    number: &str,
) -> Result<(Case, ServiceDef), AppError> {
    let user = ctx.require(RESIDENT)?;
    let case = store::get_case(&state.store, number)
        .await?
        .ok_or(AppError::NotFound)?;
    if case.resident_id != user.id {
        return Err(AppError::NotFound);
    }
    let def = store::service_version(&state.store, &case.service_id, case.service_version).await?;
    Ok((case, def))
}

async fn case_view(
    state: &AppState,
    ctx: &mut Ctx,
    number: &str,
    is_new: bool,
    errors: FormErrors,
) -> Result<CasePage, AppError> {
    let (case, def) = own_case(state, ctx, number).await?;
    let events = store::events(&state.store, &case.id, false).await?;
    let st = def.state(&case.status);
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("case-title");
    l.title = format!("{} {}", l.title, case.number);
    l.csrf = csrf;
    Ok(CasePage {
        c: case_row(&case, Some(&def), ctx.locale),
        explanation: st
            .map(|s| s.explanation.get(ctx.locale.code()).to_owned())
            .unwrap_or_default(),
        rows: summary_rows(&def, ctx.locale, &case.data),
        timeline: timeline(&def, ctx.locale, &events),
        waiting_for_me: st.is_some_and(|s| s.clock_stops),
        files: case_file_rows(state, &case, &def, ctx.locale).await?,
        documents: super::documents::document_rows(state, &case, ctx.locale).await?,
        is_new,
        errors,
        l,
    })
}

pub async fn case_page(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(number): Path<String>,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let page = case_view(
        &state,
        &mut ctx,
        &number,
        q.new == "1",
        FormErrors::default(),
    )
    .await?;
    render(StatusCode::OK, page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MessageForm {
    pub body: String,
    pub csrf: String,
}

pub(crate) fn check_message(body: &str) -> Result<String, Invalid> {
    let b = body.trim();
    if b.is_empty() {
        return Err(Invalid::one("body", "required"));
    }
    if b.chars().count() > 4000 {
        return Err(Invalid::one("body", "text-too-long"));
    }
    Ok(b.to_owned())
}

/// A message from the resident. When the case waits for the resident, the
/// answer resumes it (the handling clock runs again).
pub async fn message(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(number): Path<String>,
    form: ServiceForm,
) -> Result<Response, AppError> {
    let csrf = form.values.get("csrf").cloned().unwrap_or_default();
    ctx.check_csrf(&csrf)?;
    let (case, def) = own_case(&state, &ctx, &number).await?;
    let text = form.values.get("body").cloned().unwrap_or_default();
    let upload = form
        .uploads
        .iter()
        .find(|u| u.field == "attachment" && !(u.filename.is_empty() && u.bytes.is_empty()));
    // A message needs text or a file; a file is checked like any upload.
    let checked = match (check_message(&text), upload) {
        (Ok(b), _) => Ok(b),
        (Err(_), Some(_)) if text.trim().is_empty() => Ok(String::new()),
        (Err(inv), _) => Err(inv),
    };
    let body = match checked {
        Ok(b) => b,
        Err(inv) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            let page = case_view(&state, &mut ctx, &number, false, errors).await?;
            return render(StatusCode::UNPROCESSABLE_ENTITY, page);
        }
    };
    let body = match upload {
        Some(up) => match super::files::store_reply_file(&state, &case, up).await? {
            Ok(name) => {
                let note = ctx.locale.t_args("message-attachment", &[("name", name)]);
                if body.is_empty() {
                    note
                } else {
                    format!("{body}\n\n{note}")
                }
            }
            Err(inv) => {
                let errors = FormErrors::from_invalid(ctx.locale, &inv);
                let page = case_view(&state, &mut ctx, &number, false, errors).await?;
                return render(StatusCode::UNPROCESSABLE_ENTITY, page);
            }
        },
        None => body,
    };
    let actor = Actor::User(case.resident_id.clone());
    super::backoffice::add_case_message(&state, &actor, &case, &def, "message_in", &body).await?;
    Ok(Redirect::to(&format!("/cases/{number}")).into_response())
}

/// A file of the resident's own case.
pub async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((number, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (case, _) = own_case(&state, &ctx, &number).await?;
    match store::get_file(&state.store, &id).await? {
        Some(f) if f.case_id.as_deref() == Some(case.id.as_str()) => download(&f).await,
        _ => Err(AppError::NotFound),
    }
}

/// A document issued for the resident's own case.
pub async fn document(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((number, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (case, _) = own_case(&state, &ctx, &number).await?;
    match store::get_document(&state.store, &id).await? {
        Some(d) if d.case_id == case.id => super::documents::send(&d).await,
        _ => Err(AppError::NotFound),
    }
}

/// What `/verify` shows of a document: never personal data.
pub struct VerifyResult {
    pub valid: bool,
    pub kind: String,
    pub service: String,
    pub issued: String,
    pub valid_from: String,
    pub valid_until: String,
}

/// Looks a typed or scanned code up. A permit is valid from its first to its
/// last day (Brussels time) unless revoked; a decision is valid unless
/// revoked.
pub(crate) async fn check_code(
    state: &AppState,
    code: &str,
    locale: Locale,
) -> Result<Option<VerifyResult>, AppError> {
    let code = store::normalize_verify_code(code);
    if code.len() != 19 {
        return Ok(None);
    }
    let Some(doc) = store::document_by_code(&state.store, &code).await? else {
        return Ok(None);
    };
    // A restricted case's documents are not verified for anyone (GDPR art. 18).
    let Some(case) = store::case_by_id(&state.store, &doc.case_id)
        .await?
        .filter(|c| !c.is_restricted())
    else {
        return Ok(None);
    };
    let def = store::service_version(&state.store, &case.service_id, case.service_version).await?;
    let today = today_brussels().to_string();
    let in_period = doc
        .valid_from
        .as_deref()
        .is_none_or(|f| f <= today.as_str())
        && doc
            .valid_until
            .as_deref()
            .is_none_or(|u| today.as_str() <= u);
    let issued = crate::i18n::date_of_ms(doc.created_at)
        .map(|d| crate::i18n::long_date(locale, d))
        .unwrap_or_default();
    let long = |s: &Option<String>| {
        s.as_deref()
            .and_then(|v| v.parse::<jiff::civil::Date>().ok())
            .map(|d| crate::i18n::long_date(locale, d))
            .unwrap_or_default()
    };
    Ok(Some(VerifyResult {
        valid: doc.revoked_at.is_none() && in_period,
        kind: locale.t(&format!("doc-{}-label", doc.kind)),
        service: def.name.get(locale.code()).to_owned(),
        issued,
        valid_from: long(&doc.valid_from),
        valid_until: long(&doc.valid_until),
    }))
}

#[derive(Template)]
#[template(path = "cases/verify.html")]
struct VerifyPage {
    l: Layout,
    code: String,
    checked: bool,
    result: Option<VerifyResult>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeQuery {
    pub code: String,
}

/// The public check page; `?code=` comes from the form.
pub async fn verify_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CodeQuery>,
) -> Result<Response, AppError> {
    verify_page(&state, &ctx, &q.code).await
}

/// The page a permit's QR code opens.
pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    verify_page(&state, &ctx, &code).await
}

async fn verify_page(state: &AppState, ctx: &Ctx, code: &str) -> Result<Response, AppError> {
    let code = code.trim();
    let checked = !code.is_empty();
    let result = if checked {
        check_code(state, code, ctx.locale).await?
    } else {
        None
    };
    let page = VerifyPage {
        l: ctx.layout("verify-title"),
        code: code.chars().take(40).collect(),
        checked,
        result,
    };
    let status = if checked && page.result.is_none() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    render(status, page)
}
