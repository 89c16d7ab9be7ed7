//! Documents Loket issues for a case: the receipt on submission, and the
//! decision letter or permit a transition names. PDFs are rendered in the
//! resident's language, stored outside the web root with their SHA-256, and
//! permits and decisions get a public verification code for `/verify`.

use super::summary_rows;
use crate::i18n::{Locale, today_brussels};
use crate::{App, Refusal};
use loket_domain::audit::Actor;
use loket_domain::cases::{ADDRESS_PARTS, FieldKind, ServiceDef, format_cents};
use loket_render::cases::{Letter, letter_pdf};
use loket_store::cases::{self as store, Case, CaseDocument, NewDocument, new_verify_code};
use loket_store::people as people_store;
use sha2::{Digest, Sha256};

use crate::i18n::long_date;

/// The resident's name and the first address of the case, for the window.
fn recipient(
    name: &str,
    def: &ServiceDef,
    data: &std::collections::BTreeMap<String, String>,
    locale: Locale,
) -> Vec<String> {
    let mut lines = vec![name.to_owned()];
    if let Some(f) = def
        .fields
        .iter()
        .find(|f| matches!(f.kind, FieldKind::Address { .. }))
    {
        let get = |p: &str| {
            data.get(&format!("{}_{p}", f.key))
                .cloned()
                .unwrap_or_default()
        };
        let bus = get("box");
        let bus = if bus.is_empty() {
            String::new()
        } else {
            format!(" {} {bus}", locale.t("address-box"))
        };
        if !get(ADDRESS_PARTS[0]).is_empty() {
            lines.push(format!("{} {}{bus}", get("street"), get("number")));
            lines.push(format!("{} {}", get("postal_code"), get("city")));
        }
    }
    lines
}

/// The envelope window: the address the city keeps for the resident, or
/// else the first address of the case.
pub async fn recipient_lines(
    app: &App,
    resident_id: &str,
    name: &str,
    def: &ServiceDef,
    data: &std::collections::BTreeMap<String, String>,
    locale: Locale,
) -> Result<Vec<String>, Refusal> {
    let kept = people_store::get_profile(&app.store, resident_id)
        .await?
        .map(|p| p.address_lines())
        .unwrap_or_default();
    if kept.is_empty() {
        Ok(recipient(name, def, data, locale))
    } else {
        Ok(std::iter::once(name.to_owned()).chain(kept).collect())
    }
}

/// Renders and stores one document of `kind` (`receipt`, `decision`,
/// `permit`) for a case, in one transaction with its audit row.
pub async fn issue(
    app: &App,
    actor: &Actor,
    case: &Case,
    def: &ServiceDef,
    kind: &str,
    reason: &str,
) -> Result<CaseDocument, Refusal> {
    let resident = people_store::get_user(&app.store, &case.resident_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let locale = Locale::parse(&resident.locale).unwrap_or_default();
    let lang = locale.code();
    let today = today_brussels();
    let service = def.name.get(lang).to_owned();
    let status = def.state(&case.status);
    let status_label = status
        .map(|s| s.label.get(lang).to_owned())
        .unwrap_or_default();
    let args = [
        ("service", service.clone()),
        ("number", case.number.clone()),
        ("status", status_label),
        ("due", case.due_date.clone()),
        ("reason", reason.trim().to_owned()),
    ];
    let t = |id: &str| locale.t_args(id, &args);
    let (verify_code, valid_from, valid_until) = match kind {
        "permit" => {
            // One year, both ends included: 25 Nov 2026 up to 24 Nov 2027.
            let until = today
                .checked_add(jiff::Span::new().years(1))
                .and_then(|d| d.yesterday())
                .unwrap_or(today);
            (
                Some(new_verify_code()),
                Some(today.to_string()),
                Some(until.to_string()),
            )
        }
        "decision" => (Some(new_verify_code()), Some(today.to_string()), None),
        _ => (None, None, None),
    };
    let mut paragraphs = vec![t(&format!("doc-{kind}-text"))];
    if !reason.trim().is_empty() {
        paragraphs.push(t("doc-reason"));
    }
    let mut facts = summary_rows(def, locale, &case.data);
    if let (Some(from), Some(until)) = (&valid_from, &valid_until) {
        facts.push((locale.t("doc-valid-from"), from.clone()));
        facts.push((locale.t("doc-valid-until"), until.clone()));
    }
    if def.fee_cents > 0 && kind == "receipt" {
        facts.push((
            locale.t("service-fee"),
            format!("€ {}", format_cents(def.fee_cents)),
        ));
    }
    let verify_url = verify_code
        .as_ref()
        .map(|c| format!("{}/verify/{c}", app.config.public_url.trim_end_matches('/')));
    let letter = Letter {
        lang: lang.to_owned(),
        city: app.config.city_name.clone(),
        place: locale.t("doc-place"),
        title: t(&format!("doc-{kind}-title")),
        date: long_date(locale, today),
        reference_label: locale.t("case-number"),
        reference: case.number.clone(),
        recipient: recipient_lines(app, &resident.id, &resident.name, def, &case.data, locale)
            .await?,
        paragraphs,
        facts_header: (locale.t("doc-fact"), locale.t("doc-value")),
        facts,
        qr_caption: verify_code
            .as_ref()
            .map(|c| {
                locale.t_args(
                    "doc-verify",
                    &[
                        ("code", c.clone()),
                        ("url", verify_url.clone().unwrap_or_default()),
                    ],
                )
            })
            .unwrap_or_default(),
        qr_url: verify_url,
        qr_alt: locale.t("doc-qr-alt"),
        closing: locale.t_args("doc-closing", &[("city", app.config.city_name.clone())]),
        footer: app.config.city_name.clone(),
        logo_alt: locale.t_args("doc-logo-alt", &[("city", app.config.city_name.clone())]),
        logo_svg: app.config.logo_svg.clone(),
    };
    let date = (
        i32::from(today.year()),
        today.month().unsigned_abs(),
        today.day().unsigned_abs(),
    );
    // A resident without e-mail gets the document by post, in the next print batch.
    let by_post = if loket_domain::ident::Email::parse(&resident.email).is_err() {
        Some(serde_json::to_string(&letter).map_err(|e| Refusal::Internal(e.to_string()))?)
    } else {
        None
    };
    let pdf = tokio::task::spawn_blocking(move || letter_pdf(&letter, date))
        .await
        .map_err(|e| Refusal::Internal(e.to_string()))?
        .map_err(|e| Refusal::Internal(e.to_string()))?;
    let id = loket_store::new_id();
    let path = app
        .config
        .files_dir
        .join("documents")
        .join(id.get(..8).unwrap_or("misc"))
        .join(format!("{id}.pdf"));
    crate::write_file(&path, &pdf).await?;
    let sha = hex::encode(Sha256::digest(&pdf));
    let filename = format!(
        "{}-{}.pdf",
        case.number,
        locale.t(&format!("doc-{kind}-file"))
    );
    let path_text = path.to_string_lossy().into_owned();
    let mut tx = app.store.begin().await?;
    store::add_document(
        &mut tx,
        actor,
        NewDocument {
            id: &id,
            case,
            kind,
            lang,
            filename: &filename,
            size: i64::try_from(pdf.len()).unwrap_or(i64::MAX),
            sha256: &sha,
            path: &path_text,
            verify_code: verify_code.as_deref(),
            valid_from: valid_from.as_deref(),
            valid_until: valid_until.as_deref(),
        },
    )
    .await?;
    if let Some(content) = &by_post {
        loket_store::notify::enqueue_letter(
            &mut tx,
            Some(&case.id),
            &case.resident_id,
            kind,
            content,
        )
        .await?;
    }
    tx.commit().await?;
    store::get_document(&app.store, &id)
        .await?
        .ok_or(Refusal::NotFound)
}

/// Issues documents, logging (not failing) when rendering breaks: the case
/// change already happened and the documents can be issued again.
pub async fn issue_all(
    app: &App,
    actor: &Actor,
    case: &Case,
    def: &ServiceDef,
    kinds: &[String],
    reason: &str,
) {
    for kind in kinds {
        if let Err(e) = issue(app, actor, case, def, kind, reason).await {
            tracing::error!(case = %case.number, kind = %kind, error = %e, "issuing a document failed");
        }
    }
}

/// A case's documents as (id, title, file name).
pub async fn document_rows(
    app: &App,
    case: &Case,
    locale: Locale,
) -> Result<Vec<(String, String, String)>, Refusal> {
    Ok(store::case_documents(&app.store, &case.id)
        .await?
        .into_iter()
        .map(|d| (d.id, locale.t(&format!("doc-{}-label", d.kind)), d.filename))
        .collect())
}

/// The content (JSON) of a status letter, for a resident without e-mail:
/// the same news the e-mail would bring, on paper.
pub async fn status_letter(
    app: &App,
    resident: &loket_store::people::User,
    case: &Case,
    def: &ServiceDef,
    status: &str,
    reason: &str,
) -> Result<String, Refusal> {
    let locale = Locale::parse(&resident.locale).unwrap_or_default();
    let lang = locale.code();
    let st = def.state(status);
    let args = [
        ("service", def.name.get(lang).to_owned()),
        ("number", case.number.clone()),
        (
            "status",
            st.map(|s| s.label.get(lang).to_owned()).unwrap_or_default(),
        ),
        (
            "explanation",
            st.map(|s| s.explanation.get(lang).to_owned())
                .unwrap_or_default(),
        ),
        ("reason", reason.trim().to_owned()),
        ("due", case.due_date.clone()),
    ];
    let mut paragraphs = vec![locale.t_args("doc-status-text", &args)];
    if !reason.trim().is_empty() {
        paragraphs.push(locale.t_args("doc-reason", &args));
    }
    let letter = Letter {
        lang: lang.to_owned(),
        city: app.config.city_name.clone(),
        place: locale.t("doc-place"),
        title: locale.t_args("doc-status-title", &args),
        date: long_date(locale, today_brussels()),
        reference_label: locale.t("case-number"),
        reference: case.number.clone(),
        recipient: recipient_lines(app, &resident.id, &resident.name, def, &case.data, locale)
            .await?,
        paragraphs,
        facts_header: (locale.t("doc-fact"), locale.t("doc-value")),
        facts: Vec::new(),
        qr_url: None,
        qr_caption: String::new(),
        qr_alt: String::new(),
        closing: locale.t_args("doc-closing", &[("city", app.config.city_name.clone())]),
        footer: app.config.city_name.clone(),
        logo_alt: locale.t_args("doc-logo-alt", &[("city", app.config.city_name.clone())]),
        logo_svg: None,
    };
    serde_json::to_string(&letter).map_err(|e| Refusal::Internal(e.to_string()))
}
