//! The import and the equipment of people.

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ImportForm {
    pub csrf: String,
    pub csv: String,
}

#[derive(Template)]
#[template(path = "assets/import.html")]
pub(super) struct ImportPage {
    l: Layout,
    form: ImportForm,
    errors: FormErrors,
    columns: String,
}

pub(super) async fn import_page(
    state: &AppState,
    ctx: &mut Ctx,
    form: ImportForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    ctx.require(ICT)?;
    let l = layout(state, ctx, "asset-import-title").await?;
    render(
        status,
        ImportPage {
            l,
            form,
            errors,
            columns: rules::CSV_COLUMNS.join(","),
        },
    )
}

pub async fn import_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
) -> Result<Response, AppError> {
    import_page(
        &state,
        &mut ctx,
        ImportForm::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// The message for a refused import file: line, column and the reason.
pub fn csv_message(locale: Locale, e: &rules::CsvError) -> String {
    let label_id = format!("field-{}", e.column_name.replace('_', "-"));
    let column = if e.column_name.is_empty() {
        e.column.to_string()
    } else if locale.has(&label_id) {
        format!("{} ({})", e.column, locale.t(&label_id))
    } else {
        format!("{} ({})", e.column, e.column_name)
    };
    let reason = crate::forms::field_message(
        locale,
        &loket_domain::FieldError::new(e.column_name.clone(), e.code),
    );
    locale.t_args(
        "asset-csv-error",
        &[
            ("line", e.line.to_string()),
            ("column", column),
            ("reason", reason),
        ],
    )
}

/// Imports assets from an uploaded CSV file, or from the text area.
pub async fn import(
    State(state): State<AppState>,
    mut ctx: Ctx,
    form: crate::common::ServiceForm,
) -> Result<Response, AppError> {
    let f = ImportForm {
        csrf: form.values.get("csrf").cloned().unwrap_or_default(),
        csv: crate::common::csv_text(&form),
    };
    let f = ImportForm {
        csv: if f.csv.trim().is_empty() {
            form.values.get("csv").cloned().unwrap_or_default()
        } else {
            f.csv
        },
        ..f
    };
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(ICT)?.clone();
    let locale = ctx.locale;
    let refuse = |msg: String| FormErrors {
        items: vec![crate::forms::FormError {
            field: "csv".to_owned(),
            message: msg,
        }],
    };
    let assets = match rules::parse_csv(&f.csv) {
        Ok(a) => a,
        Err(e) => {
            let errors = refuse(csv_message(locale, &e));
            return import_page(
                &state,
                &mut ctx,
                f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let tags: Vec<String> = assets.iter().map(|(_, a)| a.tag.clone()).collect();
    let taken = store::existing_tags(&state.store, &tags).await?;
    if let Some(t) = taken.first() {
        // The line the parser read that asset on.
        let line = assets
            .iter()
            .find(|(_, a)| a.tag == *t)
            .map_or(0, |(line, _)| *line);
        let e = rules::CsvError {
            line,
            column: 2,
            column_name: "tag".to_owned(),
            code: "asset-tag-taken",
        };
        let errors = refuse(csv_message(locale, &e));
        return import_page(
            &state,
            &mut ctx,
            f,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let all: Vec<_> = assets.iter().map(|(_, a)| a.clone()).collect();
    loket_app::assets::add_assets(&state, &Actor::User(user.id), &all).await?;
    Ok(Redirect::to(&format!("/staff/assets?imported={}", assets.len())).into_response())
}

// ---- equipment: people ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PeopleQuery {
    pub q: String,
}

#[derive(Template)]
#[template(path = "assets/people.html")]
pub(super) struct PeoplePage {
    l: Layout,
    q: String,
    rows: Vec<(String, String, String)>,
    /// "More than 50 found: type more" ('' when every match is shown).
    more: String,
}

/// How many people the equipment search shows at most.
const PEOPLE_SHOWN: usize = 50;

pub async fn people(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<PeopleQuery>,
) -> Result<Response, AppError> {
    ctx.require(ICT_HR)?;
    let mut rows = if q.q.trim().chars().count() >= 2 {
        store::search_staff(&state.store, &q.q, PEOPLE_SHOWN as i64 + 1).await?
    } else {
        Vec::new()
    };
    let more = crate::paging::picker_more(ctx.locale, &mut rows, PEOPLE_SHOWN);
    let l = layout(&state, &mut ctx, "asset-people-title").await?;
    render(
        StatusCode::OK,
        PeoplePage {
            l,
            q: q.q,
            rows,
            more,
        },
    )
}

#[derive(Template)]
#[template(path = "assets/person.html")]
pub(super) struct PersonPage {
    l: Layout,
    name: String,
    email: String,
    mine: bool,
    open: Vec<LoanRow>,
    past: Vec<LoanRow>,
    to_ack: Vec<String>,
    /// "More than 2,000 loans…" when the page lists only the first, else ''.
    more: String,
}

/// The most loans a person's equipment page lists (by due date, then
/// tag); past it the page says so.
const PERSON_LOANS_SHOWN: usize = 2000;

pub(super) async fn person_page(
    state: &AppState,
    ctx: &mut Ctx,
    user_id: &str,
    mine: bool,
) -> Result<Response, AppError> {
    let person = people_store::get_user(&state.store, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = today_brussels().to_string();
    let mut loans = store::loans(
        &state.store,
        &person.id,
        "",
        false,
        "",
        PERSON_LOANS_SHOWN as i64 + 1,
    )
    .await?;
    let more = if loans.len() > PERSON_LOANS_SHOWN {
        loans.truncate(PERSON_LOANS_SHOWN);
        ctx.locale.t_args(
            "asset-loans-more",
            &[(
                "count",
                crate::paging::format_count(ctx.locale, PERSON_LOANS_SHOWN as i64),
            )],
        )
    } else {
        String::new()
    };
    let (open, past): (Vec<&Loan>, Vec<&Loan>) = loans.iter().partition(|l| l.in_at.is_none());
    let mut to_ack: Vec<String> = open
        .iter()
        .filter(|l| l.acknowledged_at.is_none())
        .map(|l| l.handover_id.clone())
        .collect();
    to_ack.dedup();
    let locale = ctx.locale;
    let title = if mine {
        "asset-mine-title"
    } else {
        "asset-person-title"
    };
    let l = layout(state, ctx, title).await?;
    render(
        StatusCode::OK,
        PersonPage {
            l,
            name: person.name,
            email: person.email,
            mine,
            open: open.iter().map(|x| loan_row(locale, x, &today)).collect(),
            past: past.iter().map(|x| loan_row(locale, x, &today)).collect(),
            to_ack,
            more,
        },
    )
}

/// A person's equipment and, for a leaver, the list of what to return.
pub async fn person(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(user_id): Path<String>,
) -> Result<Response, AppError> {
    let user = ctx.require(ICT_HR)?.clone();
    loket_store::audit::record_access(
        &state.store,
        &user.id,
        &user_id,
        "asset_loans",
        &user_id,
        "assets.person.view",
    )
    .await?;
    person_page(&state, &mut ctx, &user_id, false).await
}

pub async fn mine(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require(STAFF)?.clone();
    person_page(&state, &mut ctx, &user.id, true).await
}
