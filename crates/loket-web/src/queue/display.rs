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
use crate::live::Frame;
use crate::people::session::{ClientIp, Ctx};
use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::Stream;
use std::convert::Infallible;

#[derive(Template)]
#[template(path = "queue/display.html")]
struct DisplayPage {
    l: Layout,
    slug: String,
    place: String,
    snap: Snapshot,
    snap_json: String,
    room: Room,
}

/// What a room screen shows around the calls: the time when the page was
/// made (the script keeps the clock going) and the sentence a call is
/// spoken with, in both languages (a screen may speak the other one).
struct Room {
    clock: String,
    say_nl: String,
    say_en: String,
}

/// The calls a room screen shows: the latest large, four before it.
const ROOM_CALLS: usize = 5;

fn room() -> Room {
    use loket_app::i18n::Locale;
    let say = |l: Locale| {
        l.t_args(
            "queue-display-say",
            &[
                ("number", "{number}".to_owned()),
                ("desk", "{desk}".to_owned()),
            ],
        )
    };
    Room {
        clock: jiff::Timestamp::now()
            .to_zoned_datetime(loket_app::i18n::brussels())
            .strftime("%H:%M")
            .to_string(),
        say_nl: say(Locale::Nl),
        say_en: say(Locale::En),
    }
}

pub async fn display(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let loc = location(&state, &slug).await?;
    let mut snap = snapshot(&state, &loc).await?;
    snap.called.truncate(ROOM_CALLS);
    let mut l = ctx.layout("queue-display-title");
    l.title = format!("{} — {}", l.title, loc.name);
    render(
        StatusCode::OK,
        DisplayPage {
            l,
            slug: loc.slug,
            place: loc.name,
            snap_json: script_json(&snap),
            snap,
            room: room(),
        },
    )
}

#[derive(Template)]
#[template(path = "queue/door.html")]
struct DoorPage {
    l: Layout,
    slug: String,
    place: String,
    snap: Snapshot,
    snap_json: String,
    room: Room,
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
            place: loc.name,
            snap_json: script_json(&snap),
            snap,
            room: room(),
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

/// The location's queue as Server-Sent Events: a `queue` event with the
/// whole state (JSON) at once and after every change; the event id is the
/// version. Keep-alive comments every 15 s keep proxies from closing it.
/// One poller per location feeds every display (see [`crate::live`]); an
/// address holds at most `live_streams_per_ip` streams.
pub async fn events(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let loc = location(&state, &slug).await?;
    Ok(sse(&state, ip, loc)?.into_response())
}

/// The stream of `loc` for a viewer at `ip`, or a refusal (429) when that
/// address holds its maximum of streams.
pub fn sse(
    state: &AppState,
    ip: std::net::IpAddr,
    loc: loket_store::appointments::Location,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>> + use<>>, loket_app::Refusal> {
    let Some(slot) = state.live.admit(ip) else {
        metrics::counter!("loket_rate_limited_total", "scope" => "live-streams-ip").increment(1);
        return Err(loket_app::Refusal::TooMany { retry_after_s: 30 });
    };
    let key = format!("queue:{}", loc.id);
    let feed_state = state.clone();
    let viewer = state
        .live
        .follow(&key, state.stopping.clone(), move |last: Option<String>| {
            let state = feed_state.clone();
            let loc = loc.clone();
            async move {
                // The first poll reads the whole state; every later one is
                // one query that returns nothing while the version stands.
                let snap = match last.as_deref().and_then(|v| v.parse::<i64>().ok()) {
                    None => snapshot(&state, &loc).await.ok()?,
                    Some(seen) => loket_app::queue::snapshot_if_changed(&state, &loc, seen)
                        .await
                        .ok()??,
                };
                Some(Frame {
                    event: "queue",
                    id: snap.version.to_string(),
                    tag: snap.version.to_string(),
                    data: serde_json::to_string(&snap).ok()?,
                })
            }
        })
        .with_slot(slot);
    Ok(viewer.into_sse(state.stopping.clone()))
}

/// The displays' script: follows the stream, updates the page, chimes on
/// a new call when the sound is on; falls back to polling the JSON state.
pub async fn script() -> Response {
    crate::common::script(include_str!("../../static/queue.js"))
}
