//! Data-protection requests: the privacy officer records one for a person
//! and moves it step by step; when it is done or refused, the person is
//! told in their language, by e-mail or, without an address, by letter,
//! in the same transaction as the step.

use crate::i18n::{Locale, long_date};
use crate::{App, Refusal};
use loket_domain::audit::Actor;
use loket_domain::calendar::today_brussels;
use loket_domain::ident::Email;
use loket_domain::notify::Mail;
use loket_domain::privacy::requests::{self as rules, RequestKind, RequestStatus};
use loket_store::privacy::requests::{self as store, Request};

/// The officer's form, as typed.
pub struct RequestForm<'a> {
    pub kind: &'a str,
    pub legal_basis: &'a str,
    pub note: &'a str,
    pub received: &'a str,
}

/// Records a request for `subject_id`; its id.
pub async fn record(
    app: &App,
    actor: &Actor,
    subject_id: &str,
    f: &RequestForm<'_>,
) -> Result<String, Refusal> {
    if loket_store::people::get_user(&app.store, subject_id)
        .await?
        .is_none()
    {
        return Err(Refusal::NotFound);
    }
    let new = rules::parse_new(f.kind, f.legal_basis, f.note, f.received, today_brussels())?;
    let mut tx = app.store.begin().await?;
    let id = store::create(&mut tx, actor, subject_id, &new).await?;
    tx.commit().await?;
    Ok(id)
}

/// How the person was told of the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Told {
    /// Not a final step: nothing to tell yet.
    NotYet,
    Mail,
    Letter,
    /// No e-mail address and no postal address: the officer must tell
    /// them another way (the page says so).
    Nobody,
}

/// Moves request `id` to `to` (`in_progress`, `done`, `refused`) with the
/// outcome (the reason, required for `refused`).
pub async fn step(
    app: &App,
    actor: &Actor,
    id: &str,
    to: &str,
    outcome: &str,
) -> Result<Told, Refusal> {
    let req = store::get(&app.store, id).await?.ok_or(Refusal::NotFound)?;
    let from = RequestStatus::parse(&req.status)
        .ok_or_else(|| Refusal::Internal(format!("request status {}", req.status)))?;
    let (to, outcome) = rules::parse_step(from, to, outcome)?;
    // Read before the transaction (SQLite holds one writer).
    let user = loket_store::people::get_user(&app.store, &req.subject_user_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let address = loket_store::people::get_profile(&app.store, &user.id)
        .await?
        .map(|p| p.address_lines())
        .unwrap_or_default();
    let mut tx = app.store.begin().await?;
    store::step(&mut tx, actor, &req, from, to, &outcome).await?;
    let told = if to.is_closed() {
        tell(app, &mut tx, &req, &user, &address, to, &outcome, false).await?
    } else {
        Told::NotYet
    };
    tx.commit().await?;
    Ok(told)
}

/// What carrying out an erasure did.
#[derive(Debug)]
pub struct ErasureDone {
    pub told: Told,
    /// Records per kind (as in the `privacy_request.erasure` audit row).
    pub counts: Vec<(&'static str, u64)>,
    /// Files removed after the commit, and the ones that could not be
    /// (logged; named here for the page).
    pub files_removed: u64,
    pub file_errors: Vec<String>,
}

/// The request `id` if it is of `kind` and still open or in progress.
async fn open_request(
    app: &App,
    id: &str,
    kind: RequestKind,
) -> Result<(Request, RequestStatus), Refusal> {
    let req = store::get(&app.store, id).await?.ok_or(Refusal::NotFound)?;
    let from = RequestStatus::parse(&req.status)
        .ok_or_else(|| Refusal::Internal(format!("request status {}", req.status)))?;
    if req.kind != kind.as_str() {
        return Err(Refusal::Conflict(loket_domain::Invalid::one(
            "status",
            "privacy-wrong-kind",
        )));
    }
    if from.is_closed() {
        return Err(Refusal::Conflict(loket_domain::Invalid::one(
            "status",
            "privacy-request-closed",
        )));
    }
    Ok((req, from))
}

/// Carries out erasure request `id` (GDPR art. 17): in one transaction the
/// person's data is erased or, where a legal period still requires it,
/// anonymised and kept restricted (`loket_store::privacy::erasure::erase`),
/// the request goes to done with `outcome`, and the person is told: by a
/// mail that loses its body and recipient as soon as it is sent, or by
/// letter. The uploads, documents and `.eml` files of erased rows are
/// removed after the commit.
pub async fn erase(
    app: &App,
    actor: &Actor,
    id: &str,
    outcome: &str,
) -> Result<ErasureDone, Refusal> {
    let (req, from) = open_request(app, id, RequestKind::Erasure).await?;
    let (to, outcome) = rules::parse_step(from, RequestStatus::Done.as_str(), outcome)?;
    // Read before the transaction (SQLite holds one writer), and before the
    // name and address are gone: the outcome must reach them.
    let user = loket_store::people::get_user(&app.store, &req.subject_user_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let address = loket_store::people::get_profile(&app.store, &user.id)
        .await?
        .map(|p| p.address_lines())
        .unwrap_or_default();
    let now = loket_store::now_ms();
    let mut tx = app.store.begin().await?;
    let erased = loket_store::privacy::erasure::erase(
        &mut tx,
        actor,
        &req.id,
        &user.id,
        now,
        &app.config.mail_dir,
    )
    .await?;
    store::step(&mut tx, actor, &req, from, to, &outcome).await?;
    let told = tell(app, &mut tx, &req, &user, &address, to, &outcome, true).await?;
    tx.commit().await?;
    let mut files_removed = 0;
    let mut file_errors = Vec::new();
    for f in &erased.files {
        match tokio::fs::remove_file(f).await {
            Ok(()) => files_removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(file = %f.display(), error = %e, "erasure: file not removed");
                file_errors.push(format!("{}: {e}", f.display()));
            }
        }
    }
    Ok(ErasureDone {
        told,
        counts: erased.counts.into_iter().collect(),
        files_removed,
        file_errors,
    })
}

/// Restricts processing (GDPR art. 18) for restriction request `id`: the
/// person's cases become the privacy officer's alone. Only while the
/// request is open or in progress. Returns how many cases changed.
pub async fn restrict(app: &App, actor: &Actor, id: &str) -> Result<u64, Refusal> {
    let (req, _) = open_request(app, id, RequestKind::Restriction).await?;
    let mut tx = app.store.begin().await?;
    let n = loket_store::privacy::erasure::set_restricted(
        &mut tx,
        actor,
        &req.id,
        &req.subject_user_id,
        true,
        loket_store::now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Lifts the restriction of restriction request `id` (at any step: a
/// restriction is lifted when its reason ends). Cases anonymised by an
/// erasure stay restricted. Returns how many cases changed.
pub async fn lift(app: &App, actor: &Actor, id: &str) -> Result<u64, Refusal> {
    let req = store::get(&app.store, id).await?.ok_or(Refusal::NotFound)?;
    if req.kind != RequestKind::Restriction.as_str() {
        return Err(Refusal::Conflict(loket_domain::Invalid::one(
            "status",
            "privacy-wrong-kind",
        )));
    }
    let mut tx = app.store.begin().await?;
    let n = loket_store::privacy::erasure::set_restricted(
        &mut tx,
        actor,
        &req.id,
        &req.subject_user_id,
        false,
        loket_store::now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

#[allow(clippy::too_many_arguments)]
async fn tell(
    app: &App,
    tx: &mut loket_store::Tx,
    req: &Request,
    user: &loket_store::people::User,
    address: &[String],
    to: RequestStatus,
    outcome: &str,
    erase_after_send: bool,
) -> Result<Told, Refusal> {
    let locale = Locale::parse(&user.locale).unwrap_or_default();
    let received = req
        .received_on
        .parse::<jiff::civil::Date>()
        .map(|d| long_date(locale, d))
        .unwrap_or_else(|_| req.received_on.clone());
    let args = [
        ("name", user.name.clone()),
        ("kind", locale.t(&format!("request-kind-{}", req.kind))),
        ("received", received),
        ("outcome", outcome.to_owned()),
        ("city", app.config.city_name.clone()),
    ];
    let status = to.as_str().replace('_', "-");
    let subject = locale.t_args(&format!("request-outcome-{status}-subject"), &args);
    let body = locale.t_args(&format!("request-outcome-{status}-body"), &args);
    if let Ok(email) = Email::parse(&user.email) {
        let id = loket_store::notify::enqueue(
            tx,
            &Mail {
                to: email,
                subject,
                body,
            },
        )
        .await?;
        if erase_after_send {
            loket_store::notify::erase_after_send(tx, &id).await?;
        }
        return Ok(Told::Mail);
    }
    if address.is_empty() {
        return Ok(Told::Nobody);
    }
    let city = app.config.city_name.clone();
    let letter = loket_render::cases::Letter {
        lang: locale.code().to_owned(),
        city: city.clone(),
        place: locale.t("doc-place"),
        title: subject,
        date: long_date(locale, today_brussels()),
        reference_label: locale.t("request-reference"),
        reference: req.id.clone(),
        recipient: std::iter::once(user.name.clone())
            .chain(address.iter().cloned())
            .collect(),
        paragraphs: body
            .split("\n\n")
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect(),
        facts_header: (locale.t("doc-fact"), locale.t("doc-value")),
        facts: Vec::new(),
        qr_url: None,
        qr_caption: String::new(),
        qr_alt: String::new(),
        closing: locale.t_args("doc-closing", &[("city", city.clone())]),
        footer: city.clone(),
        logo_alt: locale.t_args("doc-logo-alt", &[("city", city)]),
        logo_svg: None,
    };
    let content = serde_json::to_string(&letter).map_err(|e| Refusal::Internal(e.to_string()))?;
    loket_store::notify::enqueue_letter(tx, None, &user.id, "privacy", &content).await?;
    Ok(Told::Letter)
}
