//! Server-side sessions, the request context (`Ctx`) and role checks.
//!
//! The session cookie holds a random secret; the database holds only its
//! hash. Only signing in writes a session row. A visitor who is shown a form
//! gets a random CSRF token in a cookie of its own (`loket_csrf`,
//! `__Host-loket_csrf` on https), which the form must repeat: no database
//! row for every visitor.

use crate::error::{AppError, ErrorPage};
use crate::i18n::Locale;
use crate::layout::{Layout, urlencode};
use crate::{AppState, WebConfig};
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use loket_domain::people::Role;
use loket_store::people::{self as store, Session, User};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;

/// The session cookie on plain http; on https it is
/// `__Host-loket_session` ([`WebConfig::session_cookie`]).
pub const SESSION_COOKIE: &str = "loket_session";
pub const LANG_COOKIE: &str = "loket_lang";
/// A visitor's CSRF cookie lives two hours.
const ANON_TTL_MS: i64 = 2 * 3600 * 1000;

/// The visitor's CSRF cookie: `__Host-loket_csrf` on https.
fn csrf_cookie(config: &WebConfig) -> &'static str {
    if config.secure_cookies() {
        "__Host-loket_csrf"
    } else {
        "loket_csrf"
    }
}

/// Everything a handler knows about the request's person.
#[derive(Clone)]
pub struct Ctx {
    pub locale: Locale,
    pub user: Option<Arc<User>>,
    /// Half signed in: the person whose password was right and whose
    /// second factor is still to come (`user` is `None` meanwhile).
    pub pending: Option<Arc<User>>,
    pub ip: IpAddr,
    pub user_agent: String,
    pub path: String,
    session: Option<(String, Session)>,
    /// A visitor without a session: the CSRF token of their cookie.
    anon_csrf: Option<String>,
    cookies: Arc<Mutex<Vec<String>>>,
    config: Arc<WebConfig>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("session middleware missing".to_owned()))
    }
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// The client's address: the peer, or the last hop of `X-Forwarded-For`
/// when the peer is a configured proxy.
pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, config: &WebConfig) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    if !config.trusted_proxies.contains(&peer) {
        return peer;
    }
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(peer)
}

/// The client's address (see [`client_ip`]), for handlers without a
/// [`Ctx`] (the API).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientIp(client_ip(&parts.headers, peer, &state.config)))
    }
}

impl Ctx {
    fn cookie(&self, name: &str, value: &str, max_age_s: i64, http_only: bool) -> String {
        format!(
            "{name}={value}; Path=/; Max-Age={max_age_s}; SameSite=Lax{}{}",
            if http_only { "; HttpOnly" } else { "" },
            if self.config.secure_cookies() {
                "; Secure"
            } else {
                ""
            }
        )
    }

    /// Sets a cookie on the response (HttpOnly, SameSite=Lax, Secure on
    /// https).
    pub fn set_cookie(&self, name: &str, value: &str, max_age_s: i64) {
        self.push_cookie(self.cookie(name, value, max_age_s, true));
    }

    fn push_cookie(&self, c: String) {
        if let Ok(mut v) = self.cookies.lock() {
            v.push(c);
        }
    }

    /// The signed-in person, or `Unauthorized`.
    pub fn user(&self) -> Result<&User, AppError> {
        self.user.as_deref().ok_or(AppError::Unauthorized)
    }

    /// The signed-in person if they hold one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<&User, AppError> {
        let user = self.user()?;
        if user.roles.any(roles) {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The CSRF token for a form: the session's, or else the visitor's
    /// cookie token (set now when missing). Writes nothing to the database.
    pub async fn csrf(&mut self, _state: &AppState) -> Result<String, AppError> {
        if let Some((_, s)) = &self.session {
            return Ok(s.csrf_token.clone());
        }
        if let Some(t) = &self.anon_csrf {
            return Ok(t.clone());
        }
        let token = loket_store::new_secret();
        self.push_cookie(self.cookie(csrf_cookie(&self.config), &token, ANON_TTL_MS / 1000, true));
        self.anon_csrf = Some(token.clone());
        Ok(token)
    }

    /// Refuses a state-changing form whose token is not the session's (or,
    /// without a session, not the visitor's cookie token).
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        let expected = match (&self.session, &self.anon_csrf) {
            (Some((_, s)), _) => Some(s.csrf_token.as_str()),
            (None, Some(t)) => Some(t.as_str()),
            (None, None) => None,
        };
        match expected {
            Some(e) if !token.is_empty() && bool::from(e.as_bytes().ct_eq(token.as_bytes())) => {
                Ok(())
            }
            _ => Err(AppError::Csrf),
        }
    }

    /// Starts a signed-in session for `user_id`: a new session id (the old
    /// one is dropped, so a planted id is worthless).
    pub async fn sign_in(&mut self, state: &AppState, user_id: &str) -> Result<(), AppError> {
        self.sign_in_as(state, user_id, &store::Identified::default())
            .await
    }

    /// Starts a signed-in session, recording how the person was
    /// identified (a provider's ID token kept for signing out there).
    pub async fn sign_in_as(
        &mut self,
        state: &AppState,
        user_id: &str,
        how: &store::Identified,
    ) -> Result<(), AppError> {
        if let Some((secret, _)) = &self.session {
            store::delete_session(&state.store, secret).await?;
        }
        let ttl = state.config.session_ttl_ms();
        let (secret, session) = store::create_session(
            &state.store,
            Some(user_id),
            Some(self.locale.code()),
            &self.ip.to_string(),
            &self.user_agent,
            ttl,
            how,
        )
        .await?;
        let max_age = ttl.min(state.config.session_max_age_ms()) / 1000;
        self.push_cookie(self.cookie(self.config.session_cookie(), &secret, max_age, true));
        self.session = Some((secret, session));
        Ok(())
    }

    /// Half signs in `user_id`: the password was right, the second factor
    /// is still to come. A new session id that belongs to nobody yet and
    /// reaches only the second factor's page and sign-out.
    pub async fn half_sign_in(&mut self, state: &AppState, user_id: &str) -> Result<(), AppError> {
        if let Some((secret, _)) = &self.session {
            store::delete_session(&state.store, secret).await?;
        }
        let ttl = loket_app::people::totp::HALF_SESSION_TTL_MS;
        let (secret, session) = store::create_half_session(
            &state.store,
            user_id,
            Some(self.locale.code()),
            &self.ip.to_string(),
            &self.user_agent,
            ttl,
        )
        .await?;
        self.push_cookie(self.cookie(self.config.session_cookie(), &secret, ttl / 1000, true));
        self.session = Some((secret, session));
        self.user = None;
        Ok(())
    }

    /// How this session's person was identified (`password`, `eid`), if
    /// signed in.
    pub fn identified_by(&self) -> Option<&str> {
        self.session
            .as_ref()
            .filter(|(_, s)| s.user_id.is_some())
            .map(|(_, s)| s.identified_by.as_str())
    }

    /// The provider and ID token of a session signed in through one.
    pub fn oidc_session(&self) -> Option<(String, String)> {
        let (_, s) = self.session.as_ref()?;
        Some((s.oidc_provider.clone()?, s.id_token.clone()?))
    }

    pub async fn sign_out(&mut self, state: &AppState) -> Result<(), AppError> {
        if let Some((secret, _)) = self.session.take() {
            store::delete_session(&state.store, &secret).await?;
        }
        self.push_cookie(self.cookie(self.config.session_cookie(), "", 0, true));
        self.user = None;
        self.pending = None;
        Ok(())
    }

    /// Remembers the language in a cookie (and in the session).
    pub async fn set_locale(&mut self, state: &AppState, locale: Locale) -> Result<(), AppError> {
        self.locale = locale;
        self.push_cookie(self.cookie(LANG_COOKIE, locale.code(), 365 * 24 * 3600, false));
        if let Some((secret, _)) = &self.session {
            store::set_session_locale(&state.store, secret, locale.code()).await?;
        }
        Ok(())
    }

    /// The base template's data. The CSRF token is the session's, if any.
    pub fn layout(&self, title_id: &str) -> Layout {
        let user = self.user.as_deref();
        Layout {
            locale: self.locale,
            title: self.locale.t(title_id),
            city_name: self.config.city_name.clone(),
            user_name: user.map(|u| u.name.clone()),
            is_staff: user.is_some_and(|u| u.roles.is_staff()),
            is_admin: user.is_some_and(|u| u.roles.has(Role::Admin)),
            csrf: self
                .session
                .as_ref()
                .map(|(_, s)| s.csrf_token.clone())
                .or_else(|| self.anon_csrf.clone())
                .unwrap_or_default(),
            path: self.path.clone(),
            notice: None,
            demo_password_warning: user.is_some_and(|u| u.roles.has(Role::Admin))
                && self
                    .config
                    .demo_password_in_use
                    .load(std::sync::atomic::Ordering::Relaxed),
        }
    }
}

/// What a half-signed-in session may reach.
fn half_session_may(path: &str) -> bool {
    path == "/login/factor"
        || path == "/logout"
        || path.starts_with("/static/")
        || path.starts_with("/lang/")
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    l: Layout,
    message: String,
    /// The refused fields, each named with how to fix it.
    problems: Vec<String>,
    /// On a server error: the request id to quote to the help desk.
    reference: Option<String>,
}

/// Loads the session and the person, picks the language, runs the handler,
/// then sets cookies, renders error pages and adds security headers.
pub async fn middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let ip = client_ip(&headers, peer, &state.config);
    let ttl = state.config.session_ttl_ms();
    let max_age = state.config.session_max_age_ms();
    let mut session = None;
    let mut user = None;
    let mut pending = None;
    if let Some(secret) =
        cookie_value(&headers, state.config.session_cookie()).filter(|s| s.len() == 64)
    {
        // The session and its person in one read, shared with the other
        // requests of the moment (`loket_app::coalesce`).
        match state.live_session(&secret, ttl, max_age).await {
            Ok(Some(live)) => {
                let s = live.session;
                if s.user_id.is_some() {
                    user = live.person.map(Arc::new);
                } else if s.pending_user_id.is_some() {
                    pending = live.person.map(Arc::new);
                }
                session = Some((secret, s));
            }
            Ok(None) => {}
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    let locale = cookie_value(&headers, LANG_COOKIE)
        .and_then(|c| Locale::parse(&c))
        .or_else(|| {
            session
                .as_ref()
                .and_then(|(_, s)| s.locale.as_deref())
                .and_then(Locale::parse)
        })
        .or_else(|| {
            user.as_ref()
                .and_then(|u: &Arc<User>| Locale::parse(&u.locale))
        })
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or_default();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let is_get = req.method() == Method::GET || req.method() == Method::HEAD;
    // A half-signed-in session (password right, second factor to come)
    // reaches the second factor's page, sign-out and static files, and
    // nothing else: pages send it back there, everything else is refused.
    let half = session
        .as_ref()
        .is_some_and(|(_, s): &(String, Session)| s.pending_user_id.is_some());
    let blocked = half && !half_session_may(req.uri().path());
    let cookies = Arc::new(Mutex::new(Vec::new()));
    let ctx = Ctx {
        locale,
        user,
        pending,
        ip,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        path: path.clone(),
        session,
        anon_csrf: cookie_value(&headers, csrf_cookie(&state.config))
            .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())),
        cookies: cookies.clone(),
        config: state.config.clone(),
    };
    let error_layout_ctx = ctx.clone();
    req.extensions_mut().insert(ctx);
    let mut res = if !blocked {
        next.run(req).await
    } else if is_get {
        Redirect::to("/login/factor").into_response()
    } else {
        AppError::Forbidden.into_response()
    };

    if let Some(ErrorPage(title_id, fields)) = res.extensions_mut().remove::<ErrorPage>() {
        let status = res.status();
        // The error page replaces the answer; when to retry stays.
        let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
        res = if status == StatusCode::UNAUTHORIZED && is_get {
            Redirect::to(&format!("/login?next={}", urlencode(&path))).into_response()
        } else {
            let mut l = error_layout_ctx.layout(title_id);
            // The error page may be shown after sign-out: take the token the
            // session now has, if any.
            l.csrf = error_layout_ctx
                .session
                .as_ref()
                .map(|(_, s)| s.csrf_token.clone())
                .or_else(|| error_layout_ctx.anon_csrf.clone())
                .unwrap_or_default();
            let message = locale.t(&format!("{title_id}-text"));
            let problems = fields
                .iter()
                .map(|e| crate::forms::field_message(locale, e))
                .collect();
            let reference = if status.is_server_error() {
                crate::ops::request_id()
            } else {
                None
            };
            match (ErrorTemplate {
                l,
                message,
                problems,
                reference,
            })
            .render()
            {
                Ok(html) => (status, Html(html)).into_response(),
                Err(_) => status.into_response(),
            }
        };
        if let Some(v) = retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    let h = res.headers_mut();
    if let Ok(list) = cookies.lock() {
        for c in list.iter() {
            if let Ok(v) = HeaderValue::from_str(c) {
                h.append(header::SET_COOKIE, v);
            }
        }
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Accept-Language"),
    );
    res
}
