//! The home page: what residents can do here (the service catalogue), how
//! to reach the contact centre, and one search over the services and the
//! knowledge base (`/search`).

use crate::AppState;
use crate::api::api_page;
use crate::common::render;
use crate::error::AppError;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use loket_app::i18n::Locale;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search))
        .route("/api", get(api_page))
}

/// The contact centre as the home page shows it (configuration:
/// `contact_phone`, `contact_hours`).
#[derive(Debug, Clone, Default)]
pub struct Help {
    pub phone: String,
    pub hours: loket_domain::contact::OpeningHours,
}

/// What the template shows of [`Help`], in the page's language.
struct HelpView {
    phone: String,
    /// `tel:` link: digits, a leading `+`; a Belgian `0…` number as `+32…`.
    tel: String,
    /// "Monday to Friday: 08:30–17:00" lines.
    hours: Vec<String>,
    open_now: bool,
}

fn help_view(help: &Help, locale: Locale) -> HelpView {
    let digits: String = help
        .phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    let tel = match digits.strip_prefix('0') {
        Some(rest) if !rest.starts_with('0') => format!("+32{rest}"),
        _ => match digits.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => digits,
        },
    };
    let day = |d: i8| locale.t(&format!("weekday-{d}"));
    let hours = help
        .hours
        .runs()
        .into_iter()
        .map(|(first, last, h)| {
            let days = if first == last {
                day(first)
            } else {
                locale.t_args(
                    "home-help-days",
                    &[("first", day(first)), ("last", day(last))],
                )
            };
            format!("{days}: {h}")
        })
        .collect();
    let now = jiff::Timestamp::now().to_zoned_datetime(loket_app::i18n::brussels());
    let weekday = now.weekday().to_monday_one_offset();
    HelpView {
        phone: help.phone.clone(),
        tel,
        hours,
        open_now: help.hours.is_open(weekday, now.time()),
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    /// (slug, name, description)
    services: Vec<(String, String, String)>,
    help: HelpView,
}

pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let lang = ctx.locale.code();
    let services = loket_store::cases::list_services(&state.store, true)
        .await?
        .into_iter()
        .map(|s| {
            (
                s.def.slug.clone(),
                s.def.name.get(lang).to_owned(),
                s.def.description.get(lang).to_owned(),
            )
        })
        .collect();
    render(
        StatusCode::OK,
        HomePage {
            l: ctx.layout("home-title"),
            services,
            help: help_view(&state.config.help, ctx.locale),
        },
    )
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    l: Layout,
    q: String,
    searched: bool,
    /// (slug, name, description)
    services: Vec<(String, String, String)>,
    /// (slug, title, snippet)
    articles: Vec<(String, String, String)>,
    help: HelpView,
}

/// Words of a query as the service search compares them: lower case,
/// letters and digits, at least two characters.
fn query_words(q: &str) -> Vec<String> {
    q.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .take(loket_domain::contact::MAX_QUERY_WORDS)
        .map(str::to_owned)
        .collect()
}

/// `/search`: one search over the services (name and description, in the
/// page's language) and the valid knowledge-base articles. The text is
/// recorded for the contact report as the knowledge base's own search is
/// (at most `SEARCHES_RECORDED_PER_IP` a minute per address).
pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<SearchQuery>,
) -> Result<Response, AppError> {
    use loket_domain::contact::Validity;
    let q = crate::contact::kb::clean_query(&query.q);
    let lang = ctx.locale.code();
    let words = query_words(&q);
    let searched = !q.is_empty();
    let mut services = Vec::new();
    let mut articles = Vec::new();
    if searched {
        let mut scored: Vec<(usize, (String, String, String))> =
            loket_store::cases::list_services(&state.store, true)
                .await?
                .into_iter()
                .filter_map(|s| {
                    let name = s.def.name.get(lang).to_owned();
                    let text = s.def.description.get(lang).to_owned();
                    let hay = format!("{} {}", name.to_lowercase(), text.to_lowercase());
                    let score = words.iter().filter(|w| hay.contains(w.as_str())).count();
                    (score > 0).then(|| (score, (s.def.slug.clone(), name, text)))
                })
                .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.1.cmp(&b.1.1)));
        services = scored.into_iter().map(|(_, s)| s).take(10).collect();
        let today = loket_app::i18n::today_brussels();
        let found: Vec<_> = loket_store::contact::search(&state.store, lang, &q)
            .await?
            .into_iter()
            .map(|(a, _)| a)
            .filter(|a| a.validity(today) == Validity::Valid)
            .collect();
        if crate::contact::kb::record_allowed(&state, ctx.ip) {
            loket_store::contact::record_search(
                &state.store,
                &today.to_string(),
                lang,
                &q,
                found.len() + services.len(),
            )
            .await?;
        }
        articles = found
            .iter()
            .take(10)
            .map(|a| {
                (
                    a.slug.clone(),
                    a.title(lang).to_owned(),
                    crate::contact::kb::snippet(a.body(lang)),
                )
            })
            .collect();
    }
    let mut l = ctx.layout("home-search-title");
    if searched {
        l.title = format!("{} — {q}", l.title);
    }
    render(
        StatusCode::OK,
        SearchPage {
            l,
            q,
            searched,
            services,
            articles,
            help: help_view(&state.config.help, ctx.locale),
        },
    )
}
