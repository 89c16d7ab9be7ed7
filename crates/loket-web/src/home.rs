//! The home page: what residents can do here (the service catalogue grows
//! with the cases module), and where staff go.

use crate::AppState;
use crate::api::api_page;
use crate::common::render;
use crate::error::AppError;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/api", get(api_page))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    /// (slug, name, description)
    services: Vec<(String, String, String)>,
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
        },
    )
}
