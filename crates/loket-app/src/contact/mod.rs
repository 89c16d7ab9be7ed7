//! The contact centre's use cases: what goes to the person a contact
//! moment is about (e-mail, or a letter in the mail room's print batch),
//! and a department's forward paused with a question or answered.

pub mod history;
pub mod report;

use crate::i18n::{Locale, long_date, today_brussels};
use crate::{App, Refusal};
use loket_domain::audit::Actor;
use loket_domain::contact::reference_tag;

/// The token a reply must carry after its reference to join the moment: an
/// HMAC of the reference (purpose `loket-contact-reply`), 64 bits, under
/// the current key.
pub fn reply_token(keys: &crate::signing::KeyRing, reference: &str) -> String {
    keys.tag("loket-contact-reply", &[reference])
}

/// Whether `token` is the reply token of `reference` under a key that has
/// not retired (constant time).
pub fn reply_token_ok(keys: &crate::signing::KeyRing, reference: &str, token: &str) -> bool {
    keys.tag_ok(
        "loket-contact-reply",
        &[reference],
        token,
        loket_store::now_ms(),
    )
}
use loket_domain::ident::Email;
use loket_domain::notify::Mail;
use loket_store::contact::{self as store, Moment};
use loket_store::people as people_store;

/// Queues an e-mail to `to` (if it parses) in the transaction.
pub async fn mail(
    tx: &mut loket_store::Tx,
    to: &str,
    subject: String,
    body: String,
) -> Result<(), Refusal> {
    if let Ok(to) = Email::parse(to) {
        loket_store::notify::enqueue(tx, &Mail { to, subject, body }).await?;
    }
    Ok(())
}

/// Sends `text` to the person a moment is about: by e-mail when the moment
/// has an address that parses, else by letter (the mail room's print
/// batch, `/staff/letters`) when the moment is about a resident with a
/// postal address. Returns whether anything was sent.
#[allow(clippy::too_many_arguments)]
pub async fn to_resident(
    app: &App,
    tx: &mut loket_store::Tx,
    m: &Moment,
    locale: Locale,
    subject: String,
    body: String,
    letter_title: String,
    letter_text: String,
) -> Result<bool, Refusal> {
    if Email::parse(&m.contact_email).is_ok() {
        mail(tx, &m.contact_email, subject, body).await?;
        return Ok(true);
    }
    let Some(resident_id) = &m.resident_id else {
        return Ok(false);
    };
    let address = people_store::get_profile(&app.store, resident_id)
        .await?
        .map(|p| p.address_lines())
        .unwrap_or_default();
    if address.is_empty() {
        return Ok(false);
    }
    let city = app.config.city_name.clone();
    let letter = loket_render::cases::Letter {
        lang: locale.code().to_owned(),
        city: city.clone(),
        place: locale.t("doc-place"),
        title: letter_title,
        date: long_date(locale, today_brussels()),
        reference_label: locale.t("contact-col-reference"),
        reference: m.reference.clone(),
        recipient: std::iter::once(m.contact_name.clone())
            .chain(address)
            .collect(),
        paragraphs: letter_text
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
    loket_store::notify::enqueue_letter(tx, None, resident_id, "contact", &content).await?;
    Ok(true)
}

/// Pauses forward `id` and e-mails the question, in one transaction.
pub async fn pause_forward(app: &App, actor: &Actor, id: &str, text: &str) -> Result<(), Refusal> {
    // Read before the transaction: the first read of the key may write it.
    let key = crate::vaccination::link_key(app).await?;
    let mut tx = app.store.begin().await?;
    let fw = store::pause_forward(&mut tx, actor, id, &today_brussels().to_string(), text).await?;
    if let Some(m) = store::moment(&app.store, &fw.moment_id).await? {
        let locale = resident_locale(app, &m).await?;
        let args = [
            ("name", m.contact_name.clone()),
            ("code", m.reference.clone()),
            ("value", text.to_owned()),
        ];
        let subject = format!(
            "{} {}",
            locale.t_args("contact-mail-waiting-subject", &args),
            reference_tag(&m.reference, &reply_token(&key, &m.reference))
        );
        store::add_message(&mut tx, actor, &m.id, "out", "", &subject, text, None).await?;
        to_resident(
            app,
            &mut tx,
            &m,
            locale,
            subject,
            locale.t_args("contact-mail-waiting-body", &args),
            locale.t_args("contact-mail-waiting-subject", &args),
            locale.t_args("contact-letter-waiting", &args),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn resident_locale(app: &App, m: &Moment) -> Result<Locale, Refusal> {
    Ok(match &m.resident_id {
        Some(r) => people_store::get_user(&app.store, r)
            .await?
            .and_then(|u| Locale::parse(&u.locale))
            .unwrap_or(Locale::Nl),
        None => Locale::Nl,
    })
}

/// Answers forward `id` (refused when it is closed) and e-mails the answer
/// in the same transaction.
pub async fn answer_forward(app: &App, actor: &Actor, id: &str, text: &str) -> Result<(), Refusal> {
    let key = crate::vaccination::link_key(app).await?;
    let mut tx = app.store.begin().await?;
    let fw = store::answer_forward(&mut tx, actor, id, text).await?;
    let m = store::moment(&app.store, &fw.moment_id).await?;
    if let Some(m) = m {
        let locale = resident_locale(app, &m).await?;
        let args = [
            ("name", m.contact_name.clone()),
            ("code", m.reference.clone()),
            ("value", text.to_owned()),
        ];
        to_resident(
            app,
            &mut tx,
            &m,
            locale,
            format!(
                "{} {}",
                locale.t_args("contact-mail-answer-subject", &args),
                reference_tag(&m.reference, &reply_token(&key, &m.reference))
            ),
            locale.t_args("contact-mail-answer-body", &args),
            locale.t_args("contact-mail-answer-subject", &args),
            locale.t_args("contact-letter-answer", &args),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Saves a knowledge-base article (new, or a new version of `id`); returns
/// its id. The text is kept as a version, so an older one can be restored.
pub async fn save_article(
    app: &App,
    actor: &Actor,
    id: Option<&str>,
    department_id: Option<&str>,
    draft: &loket_domain::contact::ArticleDraft,
) -> Result<String, Refusal> {
    let mut tx = app.store.begin().await?;
    let (id, _) = store::save_article(&mut tx, actor, id, department_id, draft).await?;
    tx.commit().await?;
    Ok(id)
}

/// A resident asks a question on the web: a contact moment (`intake`) and
/// the confirmation mail with its reference, in one transaction. Posts
/// from one IP address are limited (`limits::MAIL_FORMS_PER_IP`); past the
/// limit per recipient (`limits::MAIL_PER_RECIPIENT`) the question is
/// still taken, but no confirmation mail leaves.
pub async fn ask(
    app: &App,
    actor: &Actor,
    party: &store::MomentParty<'_>,
    draft: &loket_domain::contact::MomentDraft,
    locale: Locale,
    from: crate::people::Origin<'_>,
) -> Result<Moment, Refusal> {
    crate::people::mail_form_posted(app, from).await?;
    let key = crate::vaccination::link_key(app).await?;
    let may_mail = match Email::parse(party.email) {
        Ok(to) => crate::people::may_mail(app, &to).await?,
        Err(_) => false,
    };
    let mut tx = app.store.begin().await?;
    let m = store::create_moment(
        &mut tx,
        actor,
        today_brussels().year(),
        "intake",
        party,
        draft,
        &[],
    )
    .await?;
    let args = [
        ("name", party.name.to_owned()),
        ("code", m.reference.clone()),
        ("value", draft.subject.clone()),
    ];
    if may_mail {
        mail(
            &mut tx,
            party.email,
            format!(
                "{} {}",
                locale.t_args("contact-mail-asked-subject", &args),
                reference_tag(&m.reference, &reply_token(&key, &m.reference))
            ),
            locale.t_args("contact-mail-asked-body", &args),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(m)
}

/// An agent logs a contact moment (`status` open or closed), with the
/// articles they used, and when a department must act, its forward with the
/// due date after the department's working days, in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn log_moment(
    app: &App,
    actor: &Actor,
    status: &str,
    party: &store::MomentParty<'_>,
    draft: &loket_domain::contact::MomentDraft,
    articles: &[String],
    forward: Option<(&store::Department, &str)>,
) -> Result<Moment, Refusal> {
    let mut tx = app.store.begin().await?;
    let m = store::create_moment(
        &mut tx,
        actor,
        today_brussels().year(),
        status,
        party,
        draft,
        articles,
    )
    .await?;
    if let Some((dept, note)) = forward {
        forward_in(&mut tx, actor, &m.id, dept, note).await?;
    }
    tx.commit().await?;
    Ok(m)
}

/// Forwards a moment to a department, due after its working days.
pub async fn forward(
    app: &App,
    actor: &Actor,
    moment_id: &str,
    dept: &store::Department,
    note: &str,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    forward_in(&mut tx, actor, moment_id, dept, note).await?;
    tx.commit().await?;
    Ok(())
}

async fn forward_in(
    tx: &mut loket_store::Tx,
    actor: &Actor,
    moment_id: &str,
    dept: &store::Department,
    note: &str,
) -> Result<(), Refusal> {
    let due = loket_domain::contact::add_working_days(today_brussels(), dept.sla_days);
    store::create_forward(tx, actor, moment_id, &dept.id, note, &due.to_string()).await?;
    Ok(())
}

/// The resident answered (by phone, at the counter…): the forward's clock
/// runs again and its due date moves by the working days it stood still.
pub async fn resume_forward(app: &App, actor: &Actor, id: &str) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::resume_forward(&mut tx, actor, id, today_brussels()).await?;
    tx.commit().await?;
    Ok(())
}
