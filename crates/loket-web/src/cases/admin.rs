//! The admin's service editor: the catalogue's services with their version,
//! an edit page (the common settings as a small form, the rest of the
//! definition as JSON) and a page to add a service. Saving stores a new
//! version (cases keep the version they were submitted under) with an audit
//! row; a refused definition changes nothing.

use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::{FormError, FormErrors};
use crate::i18n::{Locale, format_ms};
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::cases::{ServiceDef, format_cents, parse_amount_cents};
use loket_domain::paging::{DEFAULT_LIMIT, PageQuery, TOTAL_CAP};
use loket_domain::people::Role;
use loket_domain::validation::FieldError;
use loket_store::cases::{self as store, Service};
use serde::Deserialize;

/// Who edits the catalogue.
pub const EDITORS: &[Role] = &[Role::Admin];

/// The form fields of the common settings; every other error names a JSON
/// path inside the definition.
const SCALARS: [&str; 10] = [
    "slug",
    "name_nl",
    "name_en",
    "description_nl",
    "description_en",
    "department",
    "fee",
    "target_days",
    "active",
    "definition",
];

/// A path only `/admin/services/new` may use.
const RESERVED_SLUGS: [&str; 1] = ["new"];

/// A minimal valid definition, to start a new service from.
const EXAMPLE: &str = r#"{
  "slug": "",
  "name": { "nl": "", "en": "" },
  "description": { "nl": "", "en": "" },
  "department": "",
  "fee_cents": 0,
  "target_days": 10,
  "fields": [
    {
      "key": "question",
      "label": { "nl": "Uw vraag", "en": "Your question" },
      "help": { "nl": "", "en": "" },
      "required": true,
      "type": "text",
      "multiline": true
    }
  ],
  "states": [
    { "key": "submitted", "label": { "nl": "Ingediend", "en": "Submitted" }, "explanation": { "nl": "", "en": "" } },
    { "key": "approved", "label": { "nl": "Goedgekeurd", "en": "Approved" }, "explanation": { "nl": "", "en": "" }, "is_final": true }
  ],
  "initial": "submitted",
  "transitions": [
    { "key": "approve", "label": { "nl": "Goedkeuren", "en": "Approve" }, "from": ["submitted"], "to": "approved" }
  ],
  "rules": []
}"#;

pub struct ServiceRow {
    pub slug: String,
    pub name: String,
    pub department: String,
    pub version: i64,
    pub active: bool,
    pub fields: usize,
}

#[derive(Template)]
#[template(path = "cases/admin_services.html")]
struct ServicesPage {
    l: Layout,
    rows: Vec<ServiceRow>,
}

/// `GET /admin/services`: every service, active or not.
pub async fn services(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(EDITORS)?;
    let rows = store::list_services(&state.store, false)
        .await?
        .into_iter()
        .map(|s| ServiceRow {
            name: s.def.name.nl.clone(),
            department: s.def.department.clone(),
            version: s.version,
            active: s.active,
            fields: s.def.fields.len(),
            slug: s.def.slug,
        })
        .collect();
    render(
        StatusCode::OK,
        ServicesPage {
            l: ctx.layout("admin-services-title"),
            rows,
        },
    )
}

/// The editor's input, exactly as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EditForm {
    pub csrf: String,
    /// Only for a new service; an existing service keeps its slug.
    pub slug: String,
    pub name_nl: String,
    pub name_en: String,
    pub description_nl: String,
    pub description_en: String,
    pub department: String,
    pub fee: String,
    pub target_days: String,
    /// `yes` or `no`.
    pub active: String,
    pub definition: String,
}

impl EditForm {
    fn of(s: &Service) -> Result<Self, AppError> {
        let d = &s.def;
        Ok(Self {
            csrf: String::new(),
            slug: d.slug.clone(),
            name_nl: d.name.nl.clone(),
            name_en: d.name.en.clone(),
            description_nl: d.description.nl.clone(),
            description_en: d.description.en.clone(),
            department: d.department.clone(),
            fee: format_cents(d.fee_cents),
            target_days: d.target_days.to_string(),
            active: if s.active { "yes" } else { "no" }.to_owned(),
            definition: serde_json::to_string_pretty(d)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        })
    }

    fn example() -> Self {
        Self {
            fee: format_cents(0),
            target_days: "10".to_owned(),
            active: "yes".to_owned(),
            definition: EXAMPLE.to_owned(),
            ..Self::default()
        }
    }
}

pub struct VersionRow {
    pub version: i64,
    pub created: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "cases/admin_service.html")]
struct ServicePage {
    l: Layout,
    errors: FormErrors,
    /// Errors naming a place inside the JSON (`fields[1].key`), shown at
    /// the definition.
    json_errors: Vec<FormError>,
    is_new: bool,
    action: String,
    f: EditForm,
    /// The slug of an existing service.
    slug: String,
    is_active: bool,
    versions: Vec<VersionRow>,
    /// Pages of the version list (every publish adds a version).
    pager: crate::paging::Pager,
    saved: Option<i64>,
}

impl ServicePage {
    /// `aria-describedby` of the definition's text area.
    pub fn definition_described_by(&self) -> String {
        if self.errors.has("definition") || !self.json_errors.is_empty() {
            "definition-hint definition-error".to_owned()
        } else {
            "definition-hint".to_owned()
        }
    }
}

async fn page(
    state: &AppState,
    ctx: &mut Ctx,
    existing: Option<&Service>,
    f: EditForm,
    errors: FormErrors,
    saved: Option<i64>,
    pq: &PageQuery,
) -> Result<ServicePage, AppError> {
    let (versions, pager) = match existing {
        Some(s) => {
            let page = store::versions_page(&state.store, &s.id, pq).await?;
            let total = store::versions_total(&state.store, &s.id, TOTAL_CAP).await?;
            let pager = crate::paging::Pager::new(
                ctx.locale,
                &format!("/admin/services/{}", s.def.slug),
                &[],
                &page,
                pq,
                total,
                None,
            );
            let rows = page
                .items
                .into_iter()
                .map(|v| VersionRow {
                    version: v.version,
                    created: format_ms(v.created_at),
                    by: v
                        .created_by
                        .unwrap_or_else(|| ctx.locale.t("admin-service-by-system")),
                })
                .collect();
            (rows, pager)
        }
        None => (Vec::new(), crate::paging::Pager::default()),
    };
    let json_errors = errors
        .items
        .iter()
        .filter(|e| !e.field.is_empty() && !SCALARS.contains(&e.field.as_str()))
        .cloned()
        .collect();
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout(if existing.is_some() {
        "admin-service-title"
    } else {
        "admin-service-new-title"
    });
    if let Some(s) = existing {
        l.title = format!("{} — {}", l.title, s.def.name.get(ctx.locale.code()));
    }
    l.csrf = csrf;
    Ok(ServicePage {
        l,
        errors,
        json_errors,
        is_new: existing.is_none(),
        action: match existing {
            Some(s) => format!("/admin/services/{}", s.def.slug),
            None => "/admin/services/new".to_owned(),
        },
        slug: existing.map(|s| s.def.slug.clone()).unwrap_or_default(),
        is_active: existing.is_some_and(|s| s.active),
        f,
        versions,
        pager,
        saved,
    })
}

async fn existing(state: &AppState, slug: &str) -> Result<Service, AppError> {
    store::service_by_slug(&state.store, slug)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    pub saved: Option<i64>,
    /// The page of the version list.
    pub cursor: String,
    pub limit: String,
}

/// `GET /admin/services/{slug}`.
pub async fn edit_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    ctx.require(EDITORS)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::VERSION_PAGING)?;
    let s = existing(&state, &slug).await?;
    let f = EditForm::of(&s)?;
    let p = page(
        &state,
        &mut ctx,
        Some(&s),
        f,
        FormErrors::default(),
        q.saved,
        &pq,
    )
    .await?;
    render(StatusCode::OK, p)
}

/// `GET /admin/services/new`.
pub async fn new_form(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(EDITORS)?;
    let p = page(
        &state,
        &mut ctx,
        None,
        EditForm::example(),
        FormErrors::default(),
        None,
        &PageQuery::first(DEFAULT_LIMIT),
    )
    .await?;
    render(StatusCode::OK, p)
}

/// Where in the JSON text serde stopped, in words.
fn json_error(locale: Locale, e: &serde_json::Error) -> FieldError {
    let at = locale.t_args(
        "admin-service-json-at",
        &[
            ("line", e.line().to_string()),
            ("column", e.column().to_string()),
        ],
    );
    match e.classify() {
        serde_json::error::Category::Data => {
            // "missing field `states` at line 40 column 1": keep what is
            // wrong (it names the JSON key), the place is said above.
            let full = e.to_string();
            let what = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(w, _)| w);
            FieldError::with_value("definition", "json-shape", format!("{at}: {what}"))
        }
        _ => FieldError::with_value("definition", "json-syntax", at),
    }
}

/// The form field an error of [`ServiceDef::check`] belongs to.
fn form_field(path: &str) -> String {
    match path {
        "name.nl" => "name_nl",
        "name.en" => "name_en",
        "description.nl" => "description_nl",
        "description.en" => "description_en",
        "fee_cents" => "fee",
        other => other,
    }
    .to_owned()
}

/// The definition the admin asked for: the JSON with the common settings of
/// the form applied on top of it, checked. `slug` is the existing service's
/// (it cannot change); a new service takes the form's.
pub fn definition(
    locale: Locale,
    f: &EditForm,
    slug: Option<&str>,
) -> Result<(ServiceDef, bool), Invalid> {
    let mut inv = Invalid::default();
    let fee = match f.fee.trim() {
        "" => Some(0),
        t => parse_amount_cents(t),
    };
    if fee.is_none() {
        inv.push("fee", "amount-invalid");
    }
    let target_days = f.target_days.trim().parse::<i64>().ok();
    if target_days.is_none() {
        inv.push("target_days", "number-invalid");
    }
    let department = f.department.trim();
    if department.is_empty() {
        inv.push("department", "required");
    }
    let active = match f.active.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            inv.push("active", "required");
            true
        }
    };
    let new_slug = f.slug.trim();
    if slug.is_none() && RESERVED_SLUGS.contains(&new_slug) {
        inv.push("slug", "slug-taken");
    }
    let mut def: ServiceDef = match serde_json::from_str(&f.definition) {
        Ok(d) => d,
        Err(e) => {
            inv.0.push(json_error(locale, &e));
            return Err(inv);
        }
    };
    def.slug = slug.unwrap_or(new_slug).to_owned();
    def.name.nl = f.name_nl.trim().to_owned();
    def.name.en = f.name_en.trim().to_owned();
    def.description.nl = f.description_nl.trim().to_owned();
    def.description.en = f.description_en.trim().to_owned();
    if !department.is_empty() {
        department.clone_into(&mut def.department);
    }
    if let Some(c) = fee {
        def.fee_cents = c;
    }
    if let Some(d) = target_days {
        def.target_days = d;
    }
    if let Err(checked) = def.check() {
        for mut e in checked.0 {
            e.field = form_field(&e.field);
            if !inv.0.iter().any(|o| o.field == e.field) {
                inv.0.push(e);
            }
        }
    }
    inv.into_result()?;
    Ok((def, active))
}

/// Saves the definition and the active flag in one transaction; returns
/// the version.
async fn save(
    state: &AppState,
    actor: &Actor,
    def: &ServiceDef,
    active: bool,
    is_new: bool,
) -> Result<i64, AppError> {
    Ok(loket_app::cases::workflow::save_service(state, actor, def, active, is_new).await?)
}

/// `POST /admin/services/{slug}`.
pub async fn update(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<EditForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(EDITORS)?.clone();
    let s = existing(&state, &slug).await?;
    let result = match definition(ctx.locale, &f, Some(&s.def.slug)) {
        Ok((def, active)) => save(&state, &Actor::User(user.id), &def, active, false).await,
        Err(inv) => Err(inv.into()),
    };
    match result {
        Ok(version) => Ok(
            Redirect::to(&format!("/admin/services/{}?saved={version}", s.def.slug))
                .into_response(),
        ),
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            let first = PageQuery::first(DEFAULT_LIMIT);
            let p = page(&state, &mut ctx, Some(&s), f, errors, None, &first).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, p)
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/services/new`.
pub async fn create(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<EditForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(EDITORS)?.clone();
    let result = match definition(ctx.locale, &f, None) {
        Ok((def, active)) => save(&state, &Actor::User(user.id), &def, active, true)
            .await
            .map(|v| (def.slug, v)),
        Err(inv) => Err(inv.into()),
    };
    match result {
        Ok((slug, version)) => {
            Ok(Redirect::to(&format!("/admin/services/{slug}?saved={version}")).into_response())
        }
        Err(AppError::Invalid(inv)) => {
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            let first = PageQuery::first(DEFAULT_LIMIT);
            let p = page(&state, &mut ctx, None, f, errors, None, &first).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, p)
        }
        Err(e) => Err(e),
    }
}
