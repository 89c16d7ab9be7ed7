//! The assisted channel: counter and contact-centre staff find a resident
//! (by name, national register number or e-mail) or record one who has no
//! account, and submit any service on the resident's behalf. The case
//! records the channel and who assisted; from then on it is the same case.

use super::files::{ServiceForm, store_uploads};
use super::resident::{
    ApplyPage, CaseRow, Submission, active_service, apply_page, case_row, create_case, definitions,
    draft_file_names, form_values, validate_draft,
};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::forms::FormErrors;
use crate::i18n::Locale;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use loket_app::people::ResidentInput;
use loket_domain::audit::Actor;
use loket_domain::cases::{Channel, FieldKind};
use loket_domain::ident::NationalNumber;
use loket_domain::people::Role;
use loket_store::cases as store;
use loket_store::people as people_store;
use serde::Deserialize;

/// Staff who serve residents at the counter or on the phone.
pub const ASSISTING: &[Role] = &[Role::Counter, Role::ContactCentre, Role::CaseHandler];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
    /// The contact-centre moment a case is to be started from (kept on
    /// the result links).
    pub contact: String,
}

pub struct Found {
    pub id: String,
    pub name: String,
    pub email: String,
    pub national_number: String,
}

#[derive(Template)]
#[template(path = "cases/residents.html")]
struct SearchPage {
    l: Layout,
    q: String,
    searched: bool,
    found: Vec<Found>,
    /// "More than 50 found: type more" when the search found more than it
    /// shows ('' otherwise).
    more: String,
    contact: String,
}

/// `85.07.30-033.28`: how a national register number is read out.
/// A national register number as a list of residents shows it: only the
/// check digits (`••.••.••-•••.28`); the list needs no more to pick the
/// right person, and the file shows the whole number (access-logged).
fn masked_nrn(n: &str) -> String {
    if n.len() != 11 {
        return "•".repeat(n.chars().count());
    }
    format!("••.••.••-•••.{}", &n[9..])
}

fn show_nrn(n: &str) -> String {
    if n.len() != 11 {
        return n.to_owned();
    }
    format!(
        "{}.{}.{}-{}.{}",
        &n[..2],
        &n[2..4],
        &n[4..6],
        &n[6..9],
        &n[9..]
    )
}

pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(ASSISTING)?.clone();
    let text = q.q.trim().chars().take(100).collect::<String>();
    // Only a moment about no one yet: it gets its resident from the case.
    let contact = match q.contact.trim() {
        "" => String::new(),
        key if key.len() <= 64 => loket_store::contact::moment(&state.store, key)
            .await?
            .filter(|m| m.resident_id.is_none())
            .map(|m| m.id)
            .unwrap_or_default(),
        _ => String::new(),
    };
    let nrn = NationalNumber::parse(&text)
        .map(|n| n.as_str().to_owned())
        .unwrap_or_default();
    let searched = text.chars().count() >= 2;
    let mut found = if searched {
        people_store::search_residents(&state.store, if nrn.is_empty() { &text } else { "" }, &nrn)
            .await?
    } else {
        Vec::new()
    };
    let more =
        crate::paging::picker_more(ctx.locale, &mut found, people_store::RESIDENT_SEARCH_SHOWN);
    // Looking residents up is reading their data: one access-log row each,
    // in one multi-row INSERT.
    let shown: Vec<loket_store::audit::Access<'_>> = found
        .iter()
        .map(|(id, ..)| loket_store::audit::Access {
            subject: id,
            record_type: "user",
            record_id: id,
        })
        .collect();
    loket_store::audit::record_access_many(&state.store, &user.id, "resident.search", &shown)
        .await?;
    render(
        StatusCode::OK,
        SearchPage {
            l: ctx.layout("residents-title"),
            q: text,
            searched,
            more,
            contact,
            found: found
                .into_iter()
                .map(|(id, name, email, n)| Found {
                    id,
                    name,
                    email,
                    // The number in full only when it is what was typed.
                    national_number: match n.as_deref() {
                        Some(n) if n == nrn => show_nrn(n),
                        Some(n) => masked_nrn(n),
                        None => String::new(),
                    },
                })
                .collect(),
        },
    )
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ResidentForm {
    pub name: String,
    pub national_number: String,
    pub email: String,
    pub street: String,
    pub house_number: String,
    pub box_: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
    pub locale: String,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "cases/resident_new.html")]
struct NewResidentPage {
    l: Layout,
    f: ResidentForm,
    errors: FormErrors,
}

pub async fn new_form(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(ASSISTING)?;
    let csrf = ctx.csrf(&state).await?;
    let mut l = ctx.layout("resident-new-title");
    l.csrf = csrf;
    render(
        StatusCode::OK,
        NewResidentPage {
            l,
            f: ResidentForm {
                city: "Leuven".to_owned(),
                locale: "nl".to_owned(),
                ..ResidentForm::default()
            },
            errors: FormErrors::default(),
        },
    )
}

impl ResidentForm {
    /// The fields as the use case takes them.
    fn input(&self) -> ResidentInput<'_> {
        ResidentInput {
            name: &self.name,
            national_number: &self.national_number,
            email: &self.email,
            street: &self.street,
            house_number: &self.house_number,
            box_: &self.box_,
            postal_code: &self.postal_code,
            city: &self.city,
            phone: &self.phone,
            locale: &self.locale,
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<ResidentForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ASSISTING)?.clone();
    let result =
        loket_app::people::create_resident(&state, &Actor::User(user.id.clone()), &f.input())
            .await
            .map_err(AppError::from);
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/staff/residents/{id}")).into_response()),
        Err(AppError::Invalid(inv)) => {
            let csrf = ctx.csrf(&state).await?;
            let mut l = ctx.layout("resident-new-title");
            l.csrf = csrf;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                NewResidentPage { l, f, errors },
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "cases/resident_file.html")]
struct ResidentFilePage {
    l: Layout,
    id: String,
    name: String,
    email: String,
    national_number: String,
    address: Vec<String>,
    phone: String,
    /// A page of the resident's cases, newest first.
    cases: Vec<CaseRow>,
    /// The cases' pager (total, previous / next, CSV).
    pager: crate::paging::Pager,
    services: Vec<(String, String)>,
    /// `?contact=<moment id>` kept on the service links.
    contact: String,
    /// Contact-centre agents log a contact for this resident from here.
    log_contact: bool,
}

/// `?contact=<moment id>`: the contact-centre moment a case is started from.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ContactQuery {
    pub contact: String,
}

/// The resident's file: `?contact=` and the page of its case list.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FileQuery {
    pub contact: String,
    pub cursor: String,
    pub limit: String,
}

/// The contact moment named by `?contact=`, when it exists and is about
/// this resident (or about no one yet); anything else is ignored.
async fn contact_for(state: &AppState, resident_id: &str, key: &str) -> Result<String, AppError> {
    if key.is_empty() || key.len() > 64 {
        return Ok(String::new());
    }
    Ok(loket_store::contact::moment(&state.store, key)
        .await?
        .filter(|m| m.resident_id.as_deref().is_none_or(|r| r == resident_id))
        .map(|m| m.id)
        .unwrap_or_default())
}

fn with_contact(path: String, contact: &str) -> String {
    if contact.is_empty() {
        path
    } else {
        format!("{path}?contact={}", crate::layout::urlencode(contact))
    }
}

async fn load_resident(state: &AppState, id: &str) -> Result<loket_store::people::User, AppError> {
    people_store::get_user(&state.store, id)
        .await?
        .filter(|u| u.roles.has(Role::Resident))
        .ok_or(AppError::NotFound)
}

/// `/staff/residents/{id}`: a resident's file for counter staff (the read
/// is access-logged): details, the services to apply for on their behalf,
/// and their cases a page at a time, newest first, with the total and a
/// CSV download. Restricted cases are the privacy officer's alone.
pub async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<FileQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require(ASSISTING)?.clone();
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::FILE_PAGING)?;
    let r = load_resident(&state, &id).await?;
    let contact = contact_for(&state, &r.id, q.contact.trim()).await?;
    loket_store::audit::record_access(
        &state.store,
        &user.id,
        &r.id,
        "user",
        &r.id,
        "resident.view",
    )
    .await?;
    let profile = people_store::get_profile(&state.store, &r.id)
        .await?
        .unwrap_or_default();
    let page = store::file_cases(&state.store, &r.id, &pq).await?;
    let total =
        store::file_cases_total(&state.store, &r.id, loket_domain::paging::TOTAL_CAP).await?;
    let path = format!("/staff/residents/{}", r.id);
    let csv = format!("{path}/cases.csv");
    let pager = crate::paging::Pager::new(
        ctx.locale,
        &path,
        &[("contact", &contact)],
        &page,
        &pq,
        total,
        Some(&csv),
    );
    let defs = definitions(&state, &page.items).await?;
    let lang = ctx.locale.code();
    let services = store::list_services(&state.store, true)
        .await?
        .into_iter()
        .map(|s| (s.def.slug.clone(), s.def.name.get(lang).to_owned()))
        .collect();
    let mut l = ctx.layout("resident-file-title");
    l.title = format!("{}: {}", l.title, r.name);
    render(
        StatusCode::OK,
        ResidentFilePage {
            l,
            id: r.id.clone(),
            name: r.name.clone(),
            email: r.email.clone(),
            national_number: profile
                .national_number
                .as_deref()
                .map(show_nrn)
                .unwrap_or_default(),
            address: profile.address_lines(),
            phone: profile.phone.clone(),
            cases: page
                .items
                .iter()
                .map(|c| {
                    case_row(
                        c,
                        defs.get(&(c.service_id.clone(), c.service_version)),
                        ctx.locale,
                    )
                })
                .collect(),
            pager,
            services,
            contact,
            log_contact: user.roles.has(Role::ContactCentre),
        },
    )
}

/// The cases of a resident's file as CSV (number, service, status,
/// submitted, due date), every one newest first (streamed, 500 per query);
/// restricted cases are left out as on the page. The download is
/// access-logged once, as a view of the resident's file.
pub async fn file_cases_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.require(ASSISTING)?.clone();
    let r = load_resident(&state, &id).await?;
    loket_store::audit::record_access(
        &state.store,
        &user.id,
        &r.id,
        "user",
        &r.id,
        "resident.cases.csv",
    )
    .await?;
    let locale = ctx.locale;
    let resident_id = r.id.clone();
    Ok(crate::paging::csv_export(
        &format!("resident-cases-{}.csv", crate::i18n::today_brussels()),
        locale,
        &[
            "case-number",
            "case-service",
            "case-status",
            "case-submitted",
            "case-due",
        ],
        (state, resident_id),
        move |(state, resident_id), pq| async move {
            let page = store::file_cases(&state.store, &resident_id, &pq).await?;
            let defs = definitions(&state, &page.items).await?;
            let rows = page
                .items
                .iter()
                .map(|c| {
                    let row = case_row(
                        c,
                        defs.get(&(c.service_id.clone(), c.service_version)),
                        locale,
                    );
                    vec![row.number, row.service, row.status, row.submitted, row.due]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

fn channel_choices(locale: Locale, selected: &str) -> Vec<(String, String, bool)> {
    [Channel::Counter, Channel::Phone, Channel::Post]
        .into_iter()
        .map(|c| {
            (
                c.as_str().to_owned(),
                locale.t(&format!("channel-{}", c.as_str())),
                c.as_str() == selected,
            )
        })
        .collect()
}

fn assisted_page(
    page: ApplyPage,
    id: &str,
    slug: &str,
    name: &str,
    channel: &str,
    locale: Locale,
    contact: &str,
) -> ApplyPage {
    ApplyPage {
        action: with_contact(format!("/staff/residents/{id}/apply/{slug}"), contact),
        channels: channel_choices(locale, channel),
        on_behalf_of: Some(name.to_owned()),
        saved_at: None,
        ..page
    }
}

pub async fn apply_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((id, slug)): Path<(String, String)>,
    Query(cq): Query<ContactQuery>,
) -> Result<Response, AppError> {
    ctx.require(ASSISTING)?;
    let r = load_resident(&state, &id).await?;
    let contact = contact_for(&state, &r.id, cq.contact.trim()).await?;
    let s = active_service(&state, &slug).await?;
    let files = draft_file_names(&state, &r.id, &s.id).await?;
    let csrf = ctx.csrf(&state).await?;
    let page = apply_page(
        &ctx,
        &s,
        csrf,
        &Default::default(),
        &files,
        FormErrors::default(),
        None,
    );
    render(
        StatusCode::OK,
        assisted_page(page, &r.id, &slug, &r.name, "counter", ctx.locale, &contact),
    )
}

/// Checks and submits the service on the resident's behalf in one step
/// (the resident is there, or on the phone, to confirm the values).
pub async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, slug)): Path<(String, String)>,
    Query(cq): Query<ContactQuery>,
    form: ServiceForm,
) -> Result<Response, AppError> {
    let (mut values, csrf, _) = form_values(form.values);
    ctx.check_csrf(&csrf)?;
    let user = ctx.require(ASSISTING)?.clone();
    let r = load_resident(&state, &id).await?;
    let contact = contact_for(&state, &r.id, cq.contact.trim()).await?;
    let s = active_service(&state, &slug).await?;
    let channel_raw = values.remove("channel").unwrap_or_default();
    let channel = Channel::parse(&channel_raw)
        .ok()
        .filter(|c| *c != Channel::Web);
    let file_fields: Vec<String> = s
        .def
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::File))
        .map(|f| f.key.clone())
        .collect();
    // Files scanned at the counter are kept with the resident's draft until
    // the case is submitted.
    let refused = store_uploads(&state, &r.id, &s.id, &file_fields, form.uploads).await?;
    let files = draft_file_names(&state, &r.id, &s.id).await?;
    let checked = validate_draft(&s, &values, &files);
    match (checked, channel, refused.is_empty()) {
        (Ok(data), Some(channel), true) => {
            let sub = Submission {
                service: &s,
                resident_id: &r.id,
                resident_email: &r.email,
                resident_name: &r.name,
                resident_locale: Locale::parse(&r.locale).unwrap_or_default(),
                channel,
                assisted_by: Some(&user.id),
                identified_by: "counter",
                files_owner: Some(&r.id),
                contact_id: Some(contact.as_str()).filter(|c| !c.is_empty()),
            };
            let case = create_case(&state, &Actor::User(user.id.clone()), &sub, &data).await?;
            if !contact.is_empty() {
                // Back to the call, which now shows the case it started.
                return Ok(Redirect::to(&format!("/staff/contact/{contact}")).into_response());
            }
            Ok(Redirect::to(&format!("/staff/cases/{}", case.number)).into_response())
        }
        (checked, channel, _) => {
            let mut inv = checked.err().unwrap_or_default();
            inv.0
                .retain(|e| !refused.0.iter().any(|x| x.field == e.field));
            inv.0.extend(refused.0);
            if channel.is_none() {
                inv.push("channel", "channel-assisted");
            }
            let errors = FormErrors::from_invalid_labelled(ctx.locale, &inv, |k| {
                super::field_label(&s.def, ctx.locale, k)
            });
            let page = apply_page(&ctx, &s, csrf, &values, &files, errors, None);
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                assisted_page(
                    page,
                    &r.id,
                    &slug,
                    &r.name,
                    &channel_raw,
                    ctx.locale,
                    &contact,
                ),
            )
        }
    }
}
