//! The public screens of a location: the waiting-room display (the last
//! called tickets and their desks) and the door display (come in / please
//! wait, with the head count). Both are server-rendered with the current
//! state, refresh themselves without JavaScript, and with JavaScript follow
//! the location's Server-Sent Events stream. The stream sends the whole
//! state on every change (no deltas), so a display that reconnects after a
//! dropped connection is complete again at once.

use super::{Snapshot, location, snapshot};
use crate::AppState;
use crate::common::render;
use crate::error::AppError;
use crate::layout::Layout;
use crate::people::session::Ctx;
use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::Stream;
use std::convert::Infallible;
use std::time::Duration;

#[derive(Template)]
#[template(path = "queue/display.html")]
struct DisplayPage {
    l: Layout,
    slug: String,
    snap: Snapshot,
    snap_json: String,
}

pub async fn display(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let loc = location(&state, &slug).await?;
    let snap = snapshot(&state, &loc).await?;
    let mut l = ctx.layout("queue-display-title");
    l.title = format!("{} — {}", l.title, loc.name);
    render(
        StatusCode::OK,
        DisplayPage {
            l,
            slug: loc.slug,
            snap_json: script_json(&snap),
            snap,
        },
    )
}

#[derive(Template)]
#[template(path = "queue/door.html")]
struct DoorPage {
    l: Layout,
    slug: String,
    snap: Snapshot,
    snap_json: String,
}

pub async fn door(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let loc = location(&state, &slug).await?;
    let snap = snapshot(&state, &loc).await?;
    let mut l = ctx.layout("queue-door-title");
    l.title = format!("{} — {}", l.title, loc.name);
    render(
        StatusCode::OK,
        DoorPage {
            l,
            slug: loc.slug,
            snap_json: script_json(&snap),
            snap,
        },
    )
}

/// JSON to embed in a `<script type="application/json">`: no `<`, so no
/// `</script>` can end it early.
fn script_json(snap: &Snapshot) -> String {
    serde_json::to_string(snap)
        .unwrap_or_else(|_| "null".to_owned())
        .replace('<', "\\u003c")
}

/// The state as JSON (for screens without EventSource).
pub async fn state_json(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let loc = location(&state, &slug).await?;
    let snap = snapshot(&state, &loc).await?;
    let mut res = Json(snap).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// How often a stream looks at the location's version.
const POLL: Duration = Duration::from_millis(500);

/// The location's queue as Server-Sent Events: a `queue` event with the
/// whole state (JSON) at once and after every change; the event id is the
/// version. Keep-alive comments every 15 s keep proxies from closing it.
pub async fn events(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let loc = location(&state, &slug).await?;
    Ok(sse(state, loc).into_response())
}

pub fn sse(
    state: AppState,
    loc: loket_store::appointments::Location,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream =
        futures_util::stream::unfold((state, loc, None::<i64>), |(state, loc, last)| async move {
            let mut first = last.is_none();
            loop {
                if *state.stopping.borrow() {
                    return None;
                }
                if !first {
                    tokio::time::sleep(POLL).await;
                }
                first = false;
                let version = loket_store::queue::version(&state.store, &loc.id).await;
                let Ok(version) = version else {
                    continue;
                };
                if last == Some(version) {
                    continue;
                }
                let Ok(snap) = snapshot(&state, &loc).await else {
                    continue;
                };
                let data = serde_json::to_string(&snap).unwrap_or_default();
                let ev = Event::default()
                    .event("queue")
                    .id(snap.version.to_string())
                    .retry(Duration::from_secs(3))
                    .data(data);
                return Some((Ok(ev), (state, loc, Some(version))));
            }
        });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// The displays' script: follows the stream, updates the page, chimes on
/// a new call when the sound is on; falls back to polling the JSON state.
pub async fn script() -> Response {
    crate::common::script(include_str!("../../static/queue.js"))
}
