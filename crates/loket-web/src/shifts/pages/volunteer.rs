//! The volunteer: open shifts, sign-up, cancel, the calendar feed.

use super::*;

#[derive(Template)]
#[template(path = "shifts/volunteer.html")]
pub(super) struct VolunteerPage {
    l: Layout,
    errors: FormErrors,
    open: Vec<Row>,
    mine: Vec<Row>,
    feed: String,
    qualifications: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    pub done: String,
}

pub(super) async fn volunteer_page(
    state: &AppState,
    ctx: &mut Ctx,
    errors: FormErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = ctx.require(VOLUNTEERS)?.clone();
    let lang = ctx.locale.code();
    let now = loket_store::now_ms();
    let held = store::qualifications_of(&state.store, &user.id).await?;
    let mine_s = store::my_signups(&state.store, &user.id, now).await?;
    let today = today_brussels().to_string();
    let open = store::list_shifts(
        &state.store,
        &today,
        &add_days(&today, DAYS_AHEAD),
        "",
        true,
    )
    .await?
    .into_iter()
    .filter(|s| s.starts_at > now)
    .filter(|s| !mine_s.iter().any(|m| m.shift.id == s.id))
    .map(|s| row_of(&s, lang, now, &held))
    .filter(|r| r.qualified)
    .collect();
    let mine = mine_s
        .iter()
        .map(|m| row_of(&m.shift, lang, now, &held))
        .collect();
    let all_q = store::list_qualifications(&state.store).await?;
    let qualifications = all_q
        .iter()
        .filter(|q| held.contains(&q.code))
        .map(|q| q.name(lang).to_owned())
        .collect::<Vec<_>>()
        .join(", ");
    let feed = feed_url(state, &user.id).await?;
    let csrf = ctx.csrf(state).await?;
    let mut l = ctx.layout("shift-title");
    l.csrf = csrf;
    l.notice = notice;
    render(
        status,
        VolunteerPage {
            l,
            errors,
            open,
            mine,
            feed,
            qualifications,
        },
    )
}

pub async fn volunteer(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let notice = match q.done.as_str() {
        "signup" => Some(ctx.locale.t("shift-done-signup")),
        "cancel" => Some(ctx.locale.t("shift-done-cancel")),
        "feed" => Some(ctx.locale.t("shift-done-feed")),
        _ => None,
    };
    volunteer_page(
        &state,
        &mut ctx,
        FormErrors::default(),
        notice,
        StatusCode::OK,
    )
    .await
}

pub async fn sign_up(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(VOLUNTEERS)?.clone();
    match sign_up_for(
        &state,
        &Actor::User(user.id.clone()),
        &user.id,
        &id,
        None,
        None,
        ctx.locale,
    )
    .await
    .map_err(AppError::from)
    {
        Ok(_) => Ok(Redirect::to("/shifts?done=signup").into_response()),
        Err(e) => {
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            volunteer_page(&state, &mut ctx, errors, None, status).await
        }
    }
}

pub async fn cancel_mine(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(VOLUNTEERS)?.clone();
    match loket_app::shifts::cancel_signup(&state, &Actor::User(user.id.clone()), &id, &user.id)
        .await
    {
        Ok(()) => Ok(Redirect::to("/shifts?done=cancel").into_response()),
        Err(e) => {
            let e = AppError::from(e);
            let status = e.status();
            let inv = refusal(e)?;
            let errors = FormErrors::from_invalid(ctx.locale, &inv);
            volunteer_page(&state, &mut ctx, errors, None, status).await
        }
    }
}

pub async fn regenerate_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    ctx.check_csrf(&f.csrf)?;
    let user = ctx.require(VOLUNTEERS)?.clone();
    loket_app::shifts::regenerate_feed(&state, &Actor::User(user.id.clone()), &user.id).await?;
    Ok(Redirect::to("/shifts?done=feed").into_response())
}

/// `GET /shifts/feed/<token>.ics`: the person's shifts (from 30 days back),
/// no sign-in; a wrong or revoked token is 404.
pub async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let body = loket_app::shifts::feed(&state, token).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}
