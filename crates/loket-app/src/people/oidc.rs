//! Signing in with an OpenID Connect provider: residents through ACM/IDM
//! (claim `rrn`) or FAS/CSAM (claim `egovnrn`), or any provider found
//! through discovery.
//!
//! The flow is the authorization code with PKCE (S256). The state, the
//! nonce and the PKCE verifier stay on the server (`oidc_pending`), under
//! the hash of a random secret the browser holds in a cookie; they are used
//! once. The ID token's signature is checked against the provider's keys
//! (JWKS), with its `iss`, `aud`, `exp` and `nonce`; only asymmetric
//! algorithms are accepted, never `none`. The HTTP client follows no
//! redirects.

use crate::{App, Refusal};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::ident::{Email, NationalNumber};
use loket_domain::people::PersonName;
use loket_store::people::oidc::{self as store, Pending};
use loket_store::people::{self as people_store, User};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreResponseType,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdToken, IdTokenFields, IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, Scope,
    StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use subtle_eq::ct_eq;

/// One provider, as configured.
#[derive(Debug, Clone)]
pub struct OidcProvider {
    /// The issuer URL; discovery reads `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// The scopes asked for (`openid` is always among them).
    pub scopes: Vec<String>,
    /// Residents: the claim that carries the national register number
    /// (`rrn`, `egovnrn`); staff: the claim with the directory groups.
    pub claim: String,
    /// The HTTP client: no redirects, a timeout.
    pub http: reqwest::Client,
}

impl OidcProvider {
    /// A provider with Loket's HTTP client (redirects off, 10 s timeout).
    pub fn new(
        issuer: &str,
        client_id: &str,
        client_secret: &str,
        scopes: &str,
        claim: &str,
    ) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        let mut scopes: Vec<String> = scopes.split_whitespace().map(str::to_owned).collect();
        if !scopes.iter().any(|s| s == "openid") {
            scopes.insert(0, "openid".to_owned());
        }
        IssuerUrl::new(issuer.to_owned()).map_err(|e| format!("issuer: {e}"))?;
        Ok(Self {
            issuer: issuer.to_owned(),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            scopes,
            claim: claim.to_owned(),
            http,
        })
    }
}

/// Which provider: the residents' (e-ID) or the staff directory's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Residents,
    Staff,
}

impl Which {
    pub fn as_str(self) -> &'static str {
        match self {
            Which::Residents => "residents",
            Which::Staff => "staff",
        }
    }

    /// The callback path registered at the provider.
    pub fn callback_path(self) -> &'static str {
        match self {
            Which::Residents => "/login/oidc/residents/callback",
            Which::Staff => "/login/oidc/staff/callback",
        }
    }

    fn provider(self, app: &App) -> Option<&OidcProvider> {
        match self {
            Which::Residents => app.config.oidc_residents.as_ref(),
            Which::Staff => app.config.oidc_staff.as_ref(),
        }
    }
}

/// Why a sign-in with a provider did not happen. Nothing was created.
#[derive(Debug, thiserror::Error)]
pub enum OidcFailure {
    /// No such provider is configured.
    #[error("not configured")]
    NotConfigured,
    /// The provider cannot be reached (discovery, keys or token endpoint).
    #[error("provider unreachable: {0}")]
    Unreachable(String),
    /// The provider's answer is refused; the code names why
    /// (`oidc-no-login`, `oidc-state`, `oidc-code`, `oidc-token`,
    /// `oidc-nrn`, `oidc-denied`, …); the detail goes to the log only.
    #[error("refused ({code}): {detail}")]
    Refused { code: &'static str, detail: String },
    #[error(transparent)]
    Other(#[from] Refusal),
}

impl From<loket_store::StoreError> for OidcFailure {
    fn from(e: loket_store::StoreError) -> Self {
        OidcFailure::Other(e.into())
    }
}

fn refused(code: &'static str, detail: impl Into<String>) -> OidcFailure {
    OidcFailure::Refused {
        code,
        detail: detail.into(),
    }
}

/// The claims beyond the standard ones (the number, groups), as JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}
impl AdditionalClaims for ExtraClaims {}

type Fields = IdTokenFields<
    ExtraClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type TokenResponse = StandardTokenResponse<Fields, CoreTokenType>;
type OidcIdToken = IdToken<
    ExtraClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type OidcClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The algorithms an ID token may be signed with: asymmetric ones only.
const ALLOWED_ALGS: [CoreJwsSigningAlgorithm; 10] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EcdsaP521Sha512,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// Discovery (metadata and keys), then the client for this provider.
async fn discover(
    app: &App,
    which: Which,
) -> Result<(OidcClient, Option<EndSessionUrl>, &OidcProvider), OidcFailure> {
    let p = which.provider(app).ok_or(OidcFailure::NotConfigured)?;
    let issuer =
        IssuerUrl::new(p.issuer.clone()).map_err(|e| OidcFailure::Unreachable(e.to_string()))?;
    let meta = ProviderMetadataWithLogout::discover_async(issuer, &p.http)
        .await
        .map_err(|e| OidcFailure::Unreachable(error_chain(&e)))?;
    let end_session = meta.additional_metadata().end_session_endpoint.clone();
    let redirect = RedirectUrl::new(app.config.link(which.callback_path()))
        .map_err(|e| OidcFailure::Other(Refusal::Internal(e.to_string())))?;
    let client = OidcClient::from_provider_metadata(
        meta,
        ClientId::new(p.client_id.clone()),
        Some(ClientSecret::new(p.client_secret.clone())),
    )
    .set_redirect_uri(redirect);
    Ok((client, end_session, p))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// What a started sign-in gives the browser: the cookie secret and where
/// to go.
#[derive(Debug)]
pub struct Started {
    pub cookie_secret: String,
    pub url: String,
}

/// Why a sign-in was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Sign in (or create the account of a first sign-in).
    Login,
    /// Tie the number to the signed-in account (after its password).
    Link,
    /// A resident signed in with a password proves the account's number
    /// (tied now when the account has none) before a service that needs
    /// an e-ID sign-in; the session then counts as e-ID.
    StepUp,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Login => "login",
            Purpose::Link => "link",
            Purpose::StepUp => "stepup",
        }
    }
}

/// Starts a sign-in: discovery, a PKCE verifier, a state and a nonce kept
/// on the server; the provider's authorization URL. Each start counts as a
/// sign-in attempt of the client's address (`limits::SIGN_IN_PER_IP`),
/// before the provider is asked anything.
pub async fn begin(
    app: &App,
    which: Which,
    purpose: Purpose,
    next_path: &str,
    user_id: Option<&str>,
    ui_locale: &str,
    ip: &str,
) -> Result<Started, OidcFailure> {
    which.provider(app).ok_or(OidcFailure::NotConfigured)?;
    let limit = loket_domain::limits::SIGN_IN_PER_IP;
    if !crate::limits::allow(app, &limit, ip).await? {
        return Err(OidcFailure::Other(Refusal::TooMany {
            retry_after_s: limit.retry_after_s(loket_store::now_ms()),
        }));
    }
    let (client, _, p) = discover(app, which).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge)
        .add_ui_locale(openidconnect::LanguageTag::new(ui_locale.to_owned()));
    for s in p.scopes.iter().filter(|s| *s != "openid") {
        req = req.add_scope(Scope::new(s.clone()));
    }
    let (url, state, nonce) = req.url();
    let cookie_secret = loket_store::new_secret();
    store::insert_pending(
        &app.store,
        &cookie_secret,
        &Pending {
            provider: which.as_str().to_owned(),
            purpose: purpose.as_str().to_owned(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            next_path: next_path.to_owned(),
            user_id: user_id.map(str::to_owned),
        },
    )
    .await?;
    Ok(Started {
        cookie_secret,
        url: url.to_string(),
    })
}

/// The person the provider vouched for, its ID token checked.
#[derive(Debug, Clone)]
pub struct Vouched {
    pub subject: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub claims: serde_json::Map<String, serde_json::Value>,
    /// The ID token as received (the hint for RP-initiated logout).
    pub id_token: String,
    pub purpose: Purpose,
    pub next_path: String,
    pub user_id: Option<String>,
}

/// What the provider sent the browser back with.
#[derive(Debug, Default)]
pub struct Callback<'a> {
    pub cookie_secret: Option<&'a str>,
    pub state: &'a str,
    pub code: &'a str,
    /// `error` of the redirect (the person cancelled, the provider refused).
    pub error: &'a str,
}

/// Checks the provider's answer: the sign-in of this browser (used once),
/// its state, the code exchanged with the PKCE verifier, then the ID token
/// (signature against the provider's keys, `iss`, `aud`, `exp`, `nonce`).
pub async fn finish(app: &App, which: Which, cb: Callback<'_>) -> Result<Vouched, OidcFailure> {
    let Some(secret) = cb.cookie_secret.filter(|s| !s.is_empty()) else {
        return Err(refused("oidc-no-login", "no sign-in cookie"));
    };
    let Some(pending) = store::take_pending(&app.store, secret, which.as_str()).await? else {
        return Err(refused("oidc-no-login", "no live sign-in for this cookie"));
    };
    if !ct_eq(pending.state.as_bytes(), cb.state.as_bytes()) {
        return Err(refused("oidc-state", "state does not match"));
    }
    if !cb.error.is_empty() {
        return Err(refused(
            "oidc-denied",
            format!("provider said {}", cb.error),
        ));
    }
    if cb.code.is_empty() {
        return Err(refused("oidc-code", "no code"));
    }
    let (client, _, _) = discover(app, which).await?;
    let p = which.provider(app).ok_or(OidcFailure::NotConfigured)?;
    let token = client
        .exchange_code(AuthorizationCode::new(cb.code.to_owned()))
        .map_err(|e| OidcFailure::Unreachable(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .request_async(&p.http)
        .await
        .map_err(|e| match e {
            RequestTokenError::ServerResponse(r) => refused("oidc-code", r.to_string()),
            RequestTokenError::Request(e) => OidcFailure::Unreachable(error_chain(&e)),
            other => refused("oidc-code", error_chain(&other)),
        })?;
    let id_token = token
        .extra_fields()
        .id_token()
        .ok_or_else(|| refused("oidc-token", "no ID token"))?;
    let verifier = client
        .id_token_verifier()
        .set_allowed_algs(ALLOWED_ALGS.to_vec());
    let claims = id_token
        .claims(&verifier, &Nonce::new(pending.nonce.clone()))
        .map_err(|e| refused("oidc-token", error_chain(&e)))?;
    let purpose = match pending.purpose.as_str() {
        "link" => Purpose::Link,
        "stepup" => Purpose::StepUp,
        _ => Purpose::Login,
    };
    Ok(Vouched {
        subject: claims.subject().as_str().to_owned(),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned())
            .or_else(|| {
                let given = claims.given_name().and_then(|n| n.get(None));
                let family = claims.family_name().and_then(|n| n.get(None));
                match (given, family) {
                    (Some(g), Some(f)) => Some(format!("{} {}", g.as_str(), f.as_str())),
                    _ => None,
                }
            }),
        email: claims.email().map(|e| e.as_str().to_owned()),
        claims: claims.additional_claims().other.clone(),
        id_token: id_token.to_string(),
        purpose,
        next_path: pending.next_path,
        user_id: pending.user_id,
    })
}

/// The national register number the provider vouched for, in its
/// configured claim (a string, with or without separators), validated.
pub fn national_number(
    app: &App,
    which: Which,
    v: &Vouched,
) -> Result<NationalNumber, OidcFailure> {
    let p = which.provider(app).ok_or(OidcFailure::NotConfigured)?;
    let raw = match v.claims.get(&p.claim) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => {
            return Err(refused(
                "oidc-nrn",
                format!("no claim `{}` in the ID token", p.claim),
            ));
        }
    };
    NationalNumber::parse(&raw)
        .map_err(|e| refused("oidc-nrn", format!("claim invalid: {}", e.code)))
}

/// A resident's e-ID sign-in: the account tied to the number, created on
/// the first sign-in. The provider's e-mail address never finds an
/// account.
pub async fn resident_account(
    app: &App,
    nrn: &NationalNumber,
    v: &Vouched,
    locale: &str,
) -> Result<User, OidcFailure> {
    if let Some(id) = store::user_by_national_number(&app.store, nrn).await? {
        return people_store::get_user(&app.store, &id)
            .await?
            .ok_or_else(|| refused("oidc-nrn", "account gone"));
    }
    let name = v
        .name
        .as_deref()
        .and_then(|n| PersonName::parse(n).ok())
        .or_else(|| PersonName::parse("Inwoner").ok())
        .ok_or_else(|| OidcFailure::Other(Refusal::Internal("name".to_owned())))?;
    let email = v.email.as_deref().and_then(|e| Email::parse(e).ok());
    let mut tx = app.store.begin().await?;
    match store::create_eid_resident(&mut tx, &name, email.as_ref(), nrn, locale).await {
        Ok(id) => {
            tx.commit().await.map_err(Refusal::from)?;
            people_store::get_user(&app.store, &id)
                .await?
                .ok_or_else(|| refused("oidc-nrn", "account gone"))
        }
        // Two first sign-ins at once: the other one created it.
        Err(loket_store::StoreError::Conflict(_)) => {
            drop(tx);
            let id = store::user_by_national_number(&app.store, nrn)
                .await?
                .ok_or_else(|| refused("oidc-nrn", "number taken and not found"))?;
            people_store::get_user(&app.store, &id)
                .await?
                .ok_or_else(|| refused("oidc-nrn", "account gone"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Ties the vouched number to the signed-in account that started the link
/// (after its password). Refused when the number belongs to another
/// account or the account already has another number.
pub async fn link(app: &App, user: &User, nrn: &NationalNumber) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::link_national_number(&mut tx, &Actor::User(user.id.clone()), &user.id, nrn).await?;
    tx.commit().await?;
    Ok(())
}

/// Starts a link: the account's password first (a wrong one is a field
/// error on `link_password`).
pub async fn begin_link(
    app: &App,
    user: &User,
    password: &str,
    ui_locale: &str,
    ip: &str,
) -> Result<Started, OidcFailure> {
    if user.password_hash.is_empty() || !super::password_matches(user, password).await? {
        return Err(OidcFailure::Other(Refusal::Invalid(Invalid::one(
            "link_password",
            "password-wrong",
        ))));
    }
    begin(
        app,
        Which::Residents,
        Purpose::Link,
        "/account",
        Some(&user.id),
        ui_locale,
        ip,
    )
    .await
}

/// Where the browser goes to sign out at the provider too (RP-initiated
/// logout), when it offers an `end_session_endpoint`; `None` when it does
/// not or cannot be reached (the session has ended anyway).
pub async fn logout_url(app: &App, provider: &str, id_token: &str) -> Option<String> {
    let which = match provider {
        "residents" => Which::Residents,
        "staff" => Which::Staff,
        _ => return None,
    };
    let (_, end_session, p) = discover(app, which).await.ok()?;
    let end_session = end_session?;
    let mut req =
        LogoutRequest::from(end_session).set_client_id(ClientId::new(p.client_id.clone()));
    if let Ok(t) = id_token.parse::<OidcIdToken>() {
        req = req.set_id_token_hint(&t);
    }
    if let Ok(back) = PostLogoutRedirectUrl::new(app.config.link("/")) {
        req = req.set_post_logout_redirect_uri(back);
    }
    Some(req.http_get_url().to_string())
}

/// A staff member's directory sign-in: the roles their groups map to
/// (`oidc_staff_roles`), set at every sign-in. The account is found by the
/// directory identity (issuer and subject), else by e-mail address among
/// staff accounts (then tied to the identity), else created. Groups that
/// map to no role: refused, and the account's sessions end and its roles
/// are removed. Everything is audited.
pub async fn staff_account(app: &App, v: &Vouched) -> Result<User, OidcFailure> {
    let p = Which::Staff
        .provider(app)
        .ok_or(OidcFailure::NotConfigured)?;
    let groups: Vec<String> = match v.claims.get(&p.claim) {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|g| g.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(g)) => vec![g.clone()],
        _ => Vec::new(),
    };
    let mappings = store::staff_role_mappings(&app.store).await?;
    let mut roles: Vec<loket_domain::people::Role> = mappings
        .iter()
        .filter(|(g, _)| groups.contains(g))
        .map(|(_, r)| *r)
        .filter(|r| r.is_staff())
        .collect();
    roles.sort_by_key(|r| r.as_str());
    roles.dedup();
    let known = match store::user_by_subject(&app.store, &p.issuer, &v.subject).await? {
        Some(id) => Some((id, true)),
        None => match v.email.as_deref() {
            Some(e) => people_store::find_by_email(&app.store, e)
                .await?
                .filter(|u| u.roles.is_staff())
                .map(|u| (u.id, false)),
            None => None,
        },
    };
    let known_user = match &known {
        Some((id, _)) => people_store::get_user(&app.store, id).await?,
        None => None,
    };
    if known_user.as_ref().is_some_and(|u| u.disabled_at.is_some()) {
        return Err(refused("oidc-disabled", "account disabled"));
    }
    let system = Actor::System;
    let mut tx = app.store.begin().await?;
    if roles.is_empty() {
        if let Some((id, _)) = &known {
            people_store::end_sessions(&mut tx, id).await?;
            people_store::set_roles(&mut tx, &system, id, &[]).await?;
            tx.commit().await.map_err(Refusal::from)?;
        }
        return Err(refused(
            "oidc-no-role",
            format!("groups {groups:?} map to no role"),
        ));
    }
    let wanted = loket_domain::people::Roles::new(roles.clone());
    let id = match (known, known_user) {
        (Some((id, tied)), Some(user)) => {
            if !tied {
                store::add_identity(&mut tx, &p.issuer, &v.subject, &id).await?;
            }
            if user.roles.as_slice() != wanted.as_slice() {
                people_store::set_roles(&mut tx, &system, &id, &roles).await?;
            }
            id
        }
        _ => {
            let email = v
                .email
                .as_deref()
                .and_then(|e| Email::parse(e).ok())
                .ok_or_else(|| refused("oidc-no-email", "no usable e-mail claim"))?;
            let name = v
                .name
                .as_deref()
                .and_then(|n| PersonName::parse(n).ok())
                .or_else(|| PersonName::parse(email.as_str()).ok())
                .ok_or_else(|| refused("oidc-no-email", "no usable name"))?;
            let id = people_store::create_user(
                &mut tx,
                &system,
                people_store::NewUser {
                    email: &email,
                    name: &name,
                    password_hash: "",
                    roles: &roles,
                    locale: "nl",
                    confirmed: true,
                },
            )
            .await?;
            store::add_identity(&mut tx, &p.issuer, &v.subject, &id).await?;
            id
        }
    };
    tx.commit().await.map_err(Refusal::from)?;
    people_store::get_user(&app.store, &id)
        .await?
        .ok_or_else(|| refused("oidc-no-role", "account gone"))
}

/// Constant-time comparison of the state (no timing hint at the stored value).
mod subtle_eq {
    pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}
