//! The knowledge base: residents search and read valid articles (views
//! counted); agents search every article (expired ones marked), see the
//! most viewed of the week, and edit articles, each save a new version
//! that can be viewed and restored.

use super::AGENTS;
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
use loket_domain::contact::{ArticleInput, Validity, check_article};
use loket_domain::paging::TOTAL_CAP;
use loket_render::contact::markdown_html;
use loket_store::contact::{self as store, Article};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
    /// `1` from the results-while-typing script: not recorded for the
    /// report (half-typed words are no knowledge-base gaps).
    pub live: String,
    /// The page of the agents' list of every article (without a search).
    pub cursor: String,
    pub limit: String,
}

/// Search results a page shows (the best first); past it the page says
/// that more were found, never cutting the list silently.
const RESULTS_SHOWN: usize = 30;

/// One line of a result list.
pub struct Hit {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub snippet: String,
    /// `valid`, `expired` or `not-yet`.
    pub validity: &'static str,
    pub review_due: bool,
    pub views: i64,
}

pub(crate) fn snippet(body: &str) -> String {
    let plain: String = body
        .chars()
        .filter(|c| !matches!(c, '#' | '*' | '_' | '`' | '[' | ']' | '>'))
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut s: String = plain.chars().take(180).collect();
    if plain.chars().count() > 180 {
        s.push('…');
    }
    s
}

fn hit(a: &Article, locale: Locale, views: i64) -> Hit {
    let today = today_brussels();
    Hit {
        id: a.id.clone(),
        slug: a.slug.clone(),
        title: a.title(locale.code()).to_owned(),
        snippet: snippet(a.body(locale.code())),
        validity: a.validity(today).as_str(),
        review_due: a.review_due(today),
        views,
    }
}

/// Whether a public search from `ip` is recorded for the statistics: at
/// most `SEARCHES_RECORDED_PER_IP` a minute, counted in memory, so a flood
/// of searches costs no writes (the search itself is always answered).
pub(crate) fn record_allowed(state: &AppState, ip: std::net::IpAddr) -> bool {
    loket_app::limits::front_allows(
        &state.app,
        &loket_domain::limits::SEARCHES_RECORDED_PER_IP,
        &ip.to_string(),
    )
}

pub(crate) fn clean_query(q: &str) -> String {
    q.trim().chars().take(200).collect()
}

#[derive(Template)]
#[template(path = "contact/kb.html")]
struct PublicSearchPage {
    l: Layout,
    q: String,
    searched: bool,
    hits: Vec<Hit>,
    /// "More than 30 found…" when the list shows only its first 30.
    more: String,
}

/// `/kb`: residents search the valid articles (a plain GET form).
pub async fn public_search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let text = clean_query(&q.q);
    let today = today_brussels();
    let lang = ctx.locale.code();
    let searched = !text.is_empty();
    let articles: Vec<Article> = if searched {
        let found: Vec<Article> = store::search(&state.store, lang, &text)
            .await?
            .into_iter()
            .map(|(a, _)| a)
            .filter(|a| a.validity(today) == Validity::Valid)
            .collect();
        if record_allowed(&state, ctx.ip) {
            store::record_search(&state.store, &today.to_string(), lang, &text, found.len())
                .await?;
        }
        found
    } else {
        let mut all = store::list_articles(&state.store).await?;
        all.sort_by(|a, b| a.title(lang).cmp(b.title(lang)));
        all
    };
    let mut valid: Vec<&Article> = articles
        .iter()
        .filter(|a| a.validity(today) == Validity::Valid)
        .collect();
    let more = crate::paging::picker_more(ctx.locale, &mut valid, RESULTS_SHOWN);
    let hits = valid.iter().map(|a| hit(a, ctx.locale, 0)).collect();
    render(
        StatusCode::OK,
        PublicSearchPage {
            l: ctx.layout("contact-kb-title"),
            q: text,
            searched,
            hits,
            more,
        },
    )
}

#[derive(Template)]
#[template(path = "contact/article.html")]
struct ArticlePage {
    l: Layout,
    body_html: String,
    tags: Vec<String>,
    updated: String,
}

/// `/kb/{slug}`: a valid article; residents' views are counted.
pub async fn public_article(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let a = store::article(&state.store, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = today_brussels();
    if a.validity(today) != Validity::Valid {
        return Err(AppError::NotFound);
    }
    let is_staff = ctx.user.as_deref().is_some_and(|u| u.roles.is_staff());
    if !is_staff {
        store::record_view(&state.store, &a.id, &today.to_string()).await?;
    }
    let lang = ctx.locale.code();
    let mut l = ctx.layout("contact-kb-title");
    l.title = a.title(lang).to_owned();
    render(
        StatusCode::OK,
        ArticlePage {
            l,
            body_html: markdown_html(a.body(lang)),
            tags: a.tag_list(),
            updated: format_ms(a.updated_at),
        },
    )
}

#[derive(Template)]
#[template(path = "contact/agent_search.html")]
struct AgentSearchPage {
    l: Layout,
    q: String,
    searched: bool,
    hits: Vec<Hit>,
    /// "More than 30 found…" when a search found more than it shows.
    more: String,
    /// Under the list of every article (none under search results).
    pager: Option<crate::paging::Pager>,
    popular: Vec<Hit>,
}

/// `/staff/kb`: agents search every article (expired marked), results
/// while typing (a small script replaces the results; without it the form
/// submits), and the most viewed articles of the last seven days.
pub async fn agent_search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    ctx.require(AGENTS)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::ARTICLE_PAGING)?;
    let text = clean_query(&q.q);
    let lang = ctx.locale.code();
    let searched = !text.is_empty();
    let mut pager = None;
    let mut more = String::new();
    let hits = if searched {
        let found = store::search(&state.store, lang, &text).await?;
        if q.live != "1" {
            store::record_search(
                &state.store,
                &today_brussels().to_string(),
                lang,
                &text,
                found.len(),
            )
            .await?;
        }
        let mut found = found;
        more = crate::paging::picker_more(ctx.locale, &mut found, RESULTS_SHOWN);
        found.iter().map(|(a, _)| hit(a, ctx.locale, 0)).collect()
    } else {
        let page = store::articles_page(&state.store, &pq).await?;
        let total = store::articles_total(&state.store, TOTAL_CAP).await?;
        pager = Some(crate::paging::Pager::new(
            ctx.locale,
            "/staff/kb",
            &[],
            &page,
            &pq,
            total,
            Some("/staff/kb.csv"),
        ));
        page.items.iter().map(|a| hit(a, ctx.locale, 0)).collect()
    };
    let since = today_brussels()
        .checked_sub(jiff::Span::new().days(6))
        .unwrap_or_else(|_| today_brussels());
    let popular = store::most_viewed(&state.store, &since.to_string(), 10)
        .await?
        .iter()
        .map(|(a, n)| hit(a, ctx.locale, *n))
        .collect();
    render(
        StatusCode::OK,
        AgentSearchPage {
            l: ctx.layout("contact-agent-kb-title"),
            q: text,
            searched,
            hits,
            more,
            pager,
            popular,
        },
    )
}

#[derive(Template)]
#[template(path = "contact/agent_article.html")]
struct AgentArticlePage {
    l: Layout,
    a: Article,
    version_label: String,
    validity: &'static str,
    review_due: bool,
    department: String,
    body_nl: String,
    body_en: String,
    versions: Vec<(i64, String, String)>,
    /// Pages of the versions, newest first (every save adds one).
    pager: crate::paging::Pager,
    /// Showing an old version: offer to restore it.
    old: bool,
}

/// The page of an article's versions (`?cursor=&limit=`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VersionsQuery {
    pub cursor: String,
    pub limit: String,
}

/// The article's page (or an old version's, `old`) at `path`, with the
/// page `pq` of its versions, newest first.
async fn agent_article_page(
    state: &AppState,
    ctx: &Ctx,
    a: Article,
    old: bool,
    path: &str,
    pq: &loket_domain::paging::PageQuery,
) -> Result<Response, AppError> {
    let today = today_brussels();
    let department = match &a.department_id {
        Some(d) => store::department(&state.store, d)
            .await?
            .map(|d| d.name(ctx.locale.code()).to_owned())
            .unwrap_or_default(),
        None => String::new(),
    };
    let page = store::article_versions_page(&state.store, &a.id, pq).await?;
    let total =
        store::article_versions_total(&state.store, &a.id, loket_domain::paging::TOTAL_CAP).await?;
    let pager = crate::paging::Pager::new(ctx.locale, path, &[], &page, pq, total, None);
    let versions = page
        .items
        .into_iter()
        .map(|(v, at, by)| (v, format_ms(at), by))
        .collect();
    let mut l = ctx.layout("contact-agent-kb-title");
    l.title = a.title(ctx.locale.code()).to_owned();
    render(
        StatusCode::OK,
        AgentArticlePage {
            version_label: ctx
                .locale
                .t_args("contact-version-n", &[("number", a.version.to_string())]),
            validity: a.validity(today).as_str(),
            review_due: a.review_due(today),
            department,
            body_nl: markdown_html(&a.body_nl),
            body_en: markdown_html(&a.body_en),
            versions,
            pager,
            old,
            a,
            l,
        },
    )
}

/// `/staff/kb/{id}`: the article in both languages, its state and versions.
/// Every article as CSV (Dutch and English title, valid from and until,
/// version, last saved), by Dutch title as the agents' list shows them,
/// streamed 500 per query. Articles name no resident.
pub async fn articles_csv(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(AGENTS)?;
    let locale = ctx.locale;
    Ok(crate::paging::csv_export(
        &format!("articles-{}.csv", today_brussels()),
        locale,
        &[
            "field-contact-title-nl",
            "field-contact-title-en",
            "field-contact-valid-from",
            "field-contact-valid-until",
            "contact-col-version",
            "contact-col-saved",
        ],
        state,
        move |state, pq| async move {
            let page = store::articles_page(&state.store, &pq).await?;
            let rows = page
                .items
                .iter()
                .map(|a| {
                    vec![
                        a.title_nl.clone(),
                        a.title_en.clone(),
                        a.valid_from.clone().unwrap_or_default(),
                        a.valid_until.clone().unwrap_or_default(),
                        a.version.to_string(),
                        format_ms(a.updated_at),
                    ]
                })
                .collect();
            Ok((rows, page.next))
        },
    ))
}

pub async fn agent_article(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<VersionsQuery>,
) -> Result<Response, AppError> {
    ctx.require(AGENTS)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::ARTICLE_VERSION_PAGING)?;
    ctx.csrf(&state).await?;
    let a = store::article(&state.store, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let path = format!("/staff/kb/{}", a.id);
    agent_article_page(&state, &ctx, a, false, &path, &pq).await
}

/// `/staff/kb/{id}/versions/{v}`: an old version, with "restore".
pub async fn version(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path((id, v)): Path<(String, i64)>,
    Query(q): Query<VersionsQuery>,
) -> Result<Response, AppError> {
    ctx.require(AGENTS)?;
    let pq = crate::paging::page_query(&q.cursor, &q.limit, &store::ARTICLE_VERSION_PAGING)?;
    ctx.csrf(&state).await?;
    let a = store::article_version(&state.store, &id, v)
        .await?
        .ok_or(AppError::NotFound)?;
    let path = format!("/staff/kb/{}/versions/{}", a.id, a.version);
    agent_article_page(&state, &ctx, a, true, &path, &pq).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ArticleForm {
    pub slug: String,
    pub department: String,
    pub title_nl: String,
    pub title_en: String,
    pub body_nl: String,
    pub body_en: String,
    pub tags: String,
    pub valid_from: String,
    pub valid_until: String,
    pub review_on: String,
    pub csrf: String,
}

impl ArticleForm {
    fn of(a: &Article, department_slug: String) -> Self {
        ArticleForm {
            slug: a.slug.clone(),
            department: department_slug,
            title_nl: a.title_nl.clone(),
            title_en: a.title_en.clone(),
            body_nl: a.body_nl.clone(),
            body_en: a.body_en.clone(),
            tags: a.tags.clone(),
            valid_from: a.valid_from.clone().unwrap_or_default(),
            valid_until: a.valid_until.clone().unwrap_or_default(),
            review_on: a.review_on.clone().unwrap_or_default(),
            csrf: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "contact/editor.html")]
struct EditorPage {
    l: Layout,
    f: ArticleForm,
    errors: FormErrors,
    action: String,
    departments: Vec<(String, String, bool)>,
}

async fn editor(
    state: &AppState,
    ctx: &mut Ctx,
    f: ArticleForm,
    errors: FormErrors,
    action: String,
    title_id: &str,
) -> Result<Response, AppError> {
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout(title_id);
    l.csrf = csrf;
    let departments = store::list_departments(&state.store)
        .await?
        .into_iter()
        .map(|d| {
            let sel = d.slug == f.department;
            (d.slug.clone(), d.name(ctx.locale.code()).to_owned(), sel)
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        EditorPage {
            l,
            f,
            errors,
            action,
            departments,
        },
    )
}

pub async fn new_form(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(AGENTS)?;
    editor(
        &state,
        &mut ctx,
        ArticleForm::default(),
        FormErrors::default(),
        "/staff/kb/new".to_owned(),
        "contact-new-article-title",
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    ctx.require(AGENTS)?;
    let a = store::article(&state.store, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let dept = match &a.department_id {
        Some(d) => store::department(&state.store, d)
            .await?
            .map(|d| d.slug)
            .unwrap_or_default(),
        None => String::new(),
    };
    editor(
        &state,
        &mut ctx,
        ArticleForm::of(&a, dept),
        FormErrors::default(),
        format!("/staff/kb/{}/edit", a.id),
        "contact-edit-article-title",
    )
    .await
}

/// Checks the form and saves a new article or a new version of `id`.
async fn save(
    state: &AppState,
    actor: &Actor,
    id: Option<&str>,
    f: &ArticleForm,
) -> Result<String, AppError> {
    let checked = check_article(&ArticleInput {
        slug: &f.slug,
        title_nl: &f.title_nl,
        title_en: &f.title_en,
        body_nl: &f.body_nl,
        body_en: &f.body_en,
        tags: &f.tags,
        valid_from: &f.valid_from,
        valid_until: &f.valid_until,
        review_on: &f.review_on,
    });
    let dept = if f.department.trim().is_empty() {
        Ok(None)
    } else {
        match store::department(&state.store, f.department.trim()).await? {
            Some(d) => Ok(Some(d.id)),
            None => Err(Invalid::one("department", "contact-department-unknown")),
        }
    };
    let (draft, dept) = match (checked, dept) {
        (Ok(d), Ok(dep)) => (d, dep),
        (c, d) => {
            let mut inv = Invalid::default();
            if let Err(e) = c {
                inv.0.extend(e.0);
            }
            if let Err(e) = d {
                inv.0.extend(e.0);
            }
            return Err(inv.into());
        }
    };
    Ok(loket_app::contact::save_article(state, actor, id, dept.as_deref(), &draft).await?)
}

async fn saved_or_form(
    state: &AppState,
    ctx: &mut Ctx,
    f: ArticleForm,
    result: Result<String, AppError>,
    action: String,
    title_id: &str,
) -> Result<Response, AppError> {
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/staff/kb/{id}")).into_response()),
        Err(AppError::Invalid(inv) | AppError::Conflict(inv)) => {
            let errors = super::form_errors(ctx.locale, &inv);
            editor(state, ctx, f, errors, action, title_id).await
        }
        Err(e) => Err(e),
    }
}

pub async fn create(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Form(f): Form<ArticleForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(AGENTS)?.clone();
    let r = save(&state, &Actor::User(user.id), None, &f).await;
    saved_or_form(
        &state,
        &mut ctx,
        f,
        r,
        "/staff/kb/new".to_owned(),
        "contact-new-article-title",
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ArticleForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(AGENTS)?.clone();
    store::article(&state.store, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let r = save(&state, &Actor::User(user.id), Some(&id), &f).await;
    saved_or_form(
        &state,
        &mut ctx,
        f,
        r,
        format!("/staff/kb/{id}/edit"),
        "contact-edit-article-title",
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

/// Restores an old version: its content becomes a new version.
pub async fn restore(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, v)): Path<(String, i64)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(AGENTS)?.clone();
    let old = store::article_version(&state.store, &id, v)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = store::article(&state.store, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let d = |s: &Option<String>| s.as_deref().and_then(|x| x.parse().ok());
    let draft = loket_domain::contact::ArticleDraft {
        slug: current.slug.clone(),
        title_nl: old.title_nl.clone(),
        title_en: old.title_en.clone(),
        body_nl: old.body_nl.clone(),
        body_en: old.body_en.clone(),
        tags: old.tag_list(),
        valid_from: d(&old.valid_from),
        valid_until: d(&old.valid_until),
        review_on: d(&old.review_on),
    };
    loket_app::contact::save_article(
        &state,
        &Actor::User(user.id),
        Some(&id),
        old.department_id.as_deref(),
        &draft,
    )
    .await?;
    Ok(Redirect::to(&format!("/staff/kb/{id}")).into_response())
}
