//! Online services and cases: the resident's mail on a case's receipt
//! or change, the webhook events of a case's change
//! (queued in the transaction of the change) and their signature.

pub mod documents;
pub mod files;
pub mod letters;
pub mod payments;
pub mod submit;
pub mod workflow;

use crate::Refusal;
use crate::i18n::Locale;
use loket_domain::cases::{ADDRESS_PARTS, FieldKind, ServiceDef, format_cents};
use loket_domain::notify::Mail;
use loket_store::cases::Case;
use loket_store::notify as outbox;
use std::collections::BTreeMap;

/// The `Loket-Signature` header value for `body` sent at unix second `t`:
/// `t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. Receivers recompute
/// it and compare in constant time, and refuse old `t` (replays).
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let v1 = crate::signing::hmac_hex(secret, format!("{t}.{body}").as_bytes());
    format!("t={t},v1={v1}")
}

/// Queues `case.submitted` or `case.transition` for every subscription, in
/// the transaction `tx` of the change.
pub async fn case_event(
    tx: &mut loket_store::Tx,
    event: &str,
    case: &Case,
    service_slug: &str,
    from: Option<&str>,
    to: &str,
) -> Result<(), Refusal> {
    let payload = serde_json::json!({
        "event": event,
        "case": case.number,
        "service": service_slug,
        "from": from,
        "status": to,
        "channel": case.channel,
        "at": loket_store::now_ms(),
    })
    .to_string();
    outbox::enqueue_event(tx, event, &payload).await?;
    Ok(())
}

/// What a case e-mail tells.
pub struct CaseNews<'a> {
    pub number: &'a str,
    pub service: &'a str,
    pub status_label: &'a str,
    pub explanation: &'a str,
    pub reason: &'a str,
    /// The receipt (true) or a status change (false).
    pub received: bool,
}

/// The e-mail a resident gets when a case is received or changes state.
pub fn case_mail(
    config: &crate::Config,
    locale: Locale,
    to: &loket_domain::ident::Email,
    name: &str,
    news: &CaseNews<'_>,
) -> Mail {
    let link = config.link(&format!("/cases/{}", news.number));
    let reason = news.reason.trim();
    let args = [
        ("name", name.to_owned()),
        ("city", config.city_name.clone()),
        ("number", news.number.to_owned()),
        ("service", news.service.to_owned()),
        ("status", news.status_label.to_owned()),
        ("explanation", news.explanation.to_owned()),
        (
            "reason",
            if reason.is_empty() {
                "-".to_owned()
            } else {
                reason.to_owned()
            },
        ),
        ("link", link),
    ];
    let kind = if news.received { "received" } else { "status" };
    Mail {
        to: to.clone(),
        subject: locale.t_args(&format!("mail-case-{kind}-subject"), &args),
        body: locale.t_args(&format!("mail-case-{kind}-body"), &args),
    }
}

/// The label of a service form's field (or address part) for error messages.
pub fn field_label(def: &ServiceDef, locale: Locale, key: &str) -> Option<String> {
    let lang = locale.code();
    if let Some(f) = def.field(key) {
        return Some(f.label.get(lang).to_owned());
    }
    for f in &def.fields {
        if let Some(part) = key.strip_prefix(&format!("{}_", f.key))
            && ADDRESS_PARTS.contains(&part)
        {
            let part_label = locale.t(&format!("address-{}", part.replace('_', "-")));
            return Some(format!("{} — {}", f.label.get(lang), part_label));
        }
    }
    None
}

/// The values of a submitted case as (label, shown value) rows.
pub fn summary_rows(
    def: &ServiceDef,
    locale: Locale,
    data: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let lang = locale.code();
    let mut rows = Vec::new();
    for f in &def.fields {
        let shown = match &f.kind {
            FieldKind::Address { .. } => {
                let get = |p: &str| {
                    data.get(&format!("{}_{p}", f.key))
                        .cloned()
                        .unwrap_or_default()
                };
                if get("street").is_empty() {
                    continue;
                }
                let bus = get("box");
                let bus = if bus.is_empty() {
                    String::new()
                } else {
                    format!(" {} {bus}", locale.t("address-box"))
                };
                format!(
                    "{} {}{bus}, {} {}",
                    get("street"),
                    get("number"),
                    get("postal_code"),
                    get("city")
                )
            }
            FieldKind::File => continue,
            FieldKind::Amount { .. } => {
                match data.get(&f.key).and_then(|v| v.parse::<i64>().ok()) {
                    Some(c) => format!("€ {}", format_cents(c)),
                    None => continue,
                }
            }
            FieldKind::Choice { options } => match data.get(&f.key) {
                Some(v) => options
                    .iter()
                    .find(|o| &o.value == v)
                    .map(|o| o.label.get(lang).to_owned())
                    .unwrap_or_default(),
                None => continue,
            },
            FieldKind::YesNo => match data.get(&f.key).map(String::as_str) {
                Some("yes") => locale.t("yes"),
                Some("no") => locale.t("no"),
                _ => continue,
            },
            _ => match data.get(&f.key) {
                Some(v) if !v.is_empty() => v.clone(),
                _ => continue,
            },
        };
        rows.push((f.label.get(lang).to_owned(), shown));
    }
    rows.extend(def.derived(data, lang));
    rows
}

/// Registers a webhook for case events; returns (id, the signing secret,
/// shown once).
pub async fn add_webhook(
    app: &crate::App,
    actor: &loket_domain::audit::Actor,
    url: &str,
) -> Result<(String, String), Refusal> {
    let mut tx = app.store.begin().await?;
    let made = outbox::add_webhook(&mut tx, actor, url).await?;
    tx.commit().await?;
    Ok(made)
}

/// Stops a webhook's deliveries; `NotFound` when there is no such webhook.
pub async fn disable_webhook(
    app: &crate::App,
    actor: &loket_domain::audit::Actor,
    id: &str,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    if !outbox::disable_webhook(&mut tx, actor, id).await? {
        return Err(Refusal::NotFound);
    }
    tx.commit().await?;
    Ok(())
}
