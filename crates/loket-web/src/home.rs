//! The home page: what residents can do here (the service catalogue grows
//! with the cases module), and where staff go.

use crate::AppState;
use crate::api::api_page;
use crate::error::AppError;
use crate::layout::Layout;
use crate::people::pages::render;
use crate::people::session::Ctx;
use askama::Template;
use axum::Router;
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
    services: Vec<(String, String)>,
}

pub async fn home(ctx: Ctx) -> Result<Response, AppError> {
    let services = ["move", "parking", "premium"]
        .iter()
        .map(|k| {
            (
                ctx.locale.t(&format!("service-{k}")),
                ctx.locale.t(&format!("service-{k}-text")),
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
