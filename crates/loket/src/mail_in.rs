//! E-mail in: mail sent to the contact centre's address becomes a contact
//! moment (channel e-mail). Mail is read from a Maildir folder
//! (`contact_maildir`): every file in `new/` is parsed with `mail-parser`
//! and then moved to `cur/` (with the Maildir "seen" flag), so it is read
//! once. A subject with a contact's reference (`[C-2026-000123]`, as in the
//! mails Loket sends) adds the mail to that moment as a follow-up message
//! instead of making a new one, and resumes the service-level clock of
//! forwards waiting for the resident. A file that cannot be read is moved
//! to `rejected/` and reported (log, audit row, `contact_mail_rejects`,
//! the report page); nothing is lost. A mail's Message-ID is imported once,
//! even if moving the file failed after the import.

use loket_app::i18n::{Locale, today_brussels};
use loket_domain::audit::Actor;
use loket_domain::contact::{
    MomentDraft, MomentInput, check_moment, reference_tag, tagged_reference_in_subject,
};
use loket_domain::ident::Email;
use loket_domain::notify::Mail;
use loket_domain::people::Role;
use loket_store::contact::{self as store, MomentParty};
use loket_store::{Store, StoreError};
use std::path::{Path, PathBuf};

/// Why a pass over the Maildir stopped.
#[derive(Debug, thiserror::Error)]
pub enum MailInError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("contact maildir {0}: {1}")]
    Io(String, std::io::Error),
    #[error("contact IMAP {0}: {1}")]
    Imap(String, String),
    #[error(transparent)]
    Keys(#[from] loket_app::signing::KeyError),
}

pub mod imap;

use loket_app::signing::{KeyRing, Keys};

/// What one pass over the Maildir did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Imported {
    /// New contact moments.
    pub moments: usize,
    /// Follow-up messages added to an existing moment.
    pub threaded: usize,
    /// Files whose Message-ID was imported before (moved to `cur/` only).
    pub duplicates: usize,
    /// Files moved to `rejected/`.
    pub rejected: usize,
}

impl Imported {
    fn count(&mut self, verdict: &Verdict) {
        match verdict {
            Verdict::Moment => self.moments += 1,
            Verdict::Threaded => self.threaded += 1,
            Verdict::Duplicate => self.duplicates += 1,
            Verdict::Rejected(_) => self.rejected += 1,
        }
    }

    fn report(&self, source: &'static str) {
        if *self != Imported::default() {
            tracing::info!(done = ?self, source, "contact mail imported");
            metrics::counter!("loket_contact_mail_imported_total", "source" => source)
                .increment((self.moments + self.threaded) as u64);
        }
    }
}

/// What became of one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A new contact moment.
    Moment,
    /// A follow-up message on the moment named in the subject.
    Threaded,
    /// Imported before (same Message-ID): nothing changed.
    Duplicate,
    /// Cannot be used, for this reason: the caller sets it aside and
    /// reports it.
    Rejected(String),
}

/// Imports one raw mail. Everything it writes is in one transaction, so a
/// mail is imported whole or not at all; a store error leaves the mail for
/// the next pass.
pub async fn take(
    store: &Store,
    keys: &KeyRing,
    raw: &[u8],
    fallback_id: &str,
    mail_from: &str,
) -> Result<Verdict, StoreError> {
    let m = match parse(raw, fallback_id) {
        Ok(m) => m,
        Err(reason) => return Ok(Verdict::Rejected(reason)),
    };
    if store::message_imported(store, &m.message_id).await? {
        return Ok(Verdict::Duplicate);
    }
    match import_one(store, keys, &m, mail_from).await {
        Ok(true) => Ok(Verdict::Threaded),
        Ok(false) => Ok(Verdict::Moment),
        // The mail breaks a rule of contact moments (e.g. a text too long).
        Err(StoreError::Invalid(inv)) => Ok(Verdict::Rejected(
            inv.0
                .iter()
                .map(|e| format!("{}: {}", e.field, e.code))
                .collect::<Vec<_>>()
                .join(", "),
        )),
        // Another reader (a second instance) imported it at the same time:
        // the unique Message-ID refused this copy.
        Err(e) => {
            if store::message_imported(store, &m.message_id).await? {
                Ok(Verdict::Duplicate)
            } else {
                Err(e)
            }
        }
    }
}

/// A mail as far as the contact centre cares.
#[derive(Debug)]
struct Incoming {
    message_id: String,
    from: Email,
    name: String,
    subject: String,
    body: String,
    automatic: bool,
}

/// Reads what we need from a raw mail, or says why it cannot be used.
/// `fallback_id` stands in for a missing Message-ID: it names the mail in
/// its folder (a Maildir file name, an IMAP UID), so the same mail is still
/// imported once.
fn parse(raw: &[u8], fallback_id: &str) -> Result<Incoming, String> {
    if raw.is_empty() {
        return Err("empty file".to_owned());
    }
    let msg = mail_parser::MessageParser::default()
        .parse(raw)
        .ok_or_else(|| "not an e-mail message".to_owned())?;
    let addr = msg
        .from()
        .and_then(|a| a.first())
        .ok_or_else(|| "no From address".to_owned())?;
    let from = addr
        .address()
        .and_then(|a| Email::parse(a).ok())
        .ok_or_else(|| "the From address is not a valid e-mail address".to_owned())?;
    let name: String = addr
        .name()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(200)
        .collect();
    let subject: String = msg
        .subject()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(200)
        .collect();
    let body: String = msg
        .body_text(0)
        .map(|b| b.trim().to_owned())
        .unwrap_or_default()
        .chars()
        .take(10_000)
        .collect();
    if subject.is_empty() && body.is_empty() {
        return Err("no subject and no text".to_owned());
    }
    // Auto-replies (RFC 3834) get no confirmation back: no mail loops.
    let automatic = msg.headers().iter().any(|h| {
        h.name().eq_ignore_ascii_case("Auto-Submitted")
            && h.value()
                .as_text()
                .is_some_and(|v| !v.trim().eq_ignore_ascii_case("no"))
    });
    let message_id = msg
        .message_id()
        .map(str::to_owned)
        .unwrap_or_else(|| fallback_id.to_owned());
    Ok(Incoming {
        message_id: message_id.chars().take(300).collect(),
        from,
        name,
        subject,
        body,
        automatic,
    })
}

/// The name a file gets in `cur/`: with the Maildir "seen" flag.
fn cur_name(name: &str) -> String {
    if name.contains(":2,") {
        name.to_owned()
    } else {
        format!("{name}:2,S")
    }
}

/// One pass: imports every file in `<maildir>/new`.
pub async fn import_maildir(
    store: &Store,
    keys: &Keys,
    maildir: &Path,
    mail_from: &str,
) -> Result<Imported, MailInError> {
    let keys = keys.ring()?;
    let new = maildir.join("new");
    let cur = maildir.join("cur");
    let rejected = maildir.join("rejected");
    let mut done = Imported::default();
    let mut files: Vec<(String, PathBuf)> = match std::fs::read_dir(&new) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_owned();
                (!name.starts_with('.')).then(|| (name, e.path()))
            })
            .collect(),
        Err(e) => {
            tracing::warn!(dir = %new.display(), error = %e, "contact maildir cannot be read");
            return Ok(done);
        }
    };
    files.sort();
    for (name, path) in files {
        let raw = match std::fs::read(&path) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(file = %name, error = %e, "contact mail cannot be read; will retry");
                continue;
            }
        };
        let verdict = take(store, &keys, &raw, &format!("maildir:{name}"), mail_from).await?;
        match &verdict {
            Verdict::Rejected(reason) => {
                tracing::warn!(file = %name, %reason, "contact mail refused; moved to rejected/");
                move_file(&path, &rejected, &name)?;
                store::record_mail_reject(store, &name, reason).await?;
            }
            _ => move_file(&path, &cur, &cur_name(&name))?,
        }
        done.count(&verdict);
    }
    done.report("maildir");
    Ok(done)
}

fn move_file(from: &Path, dir: &Path, name: &str) -> Result<(), MailInError> {
    let io = |e: std::io::Error| MailInError::Io(dir.display().to_string(), e);
    std::fs::create_dir_all(dir).map_err(io)?;
    std::fs::rename(from, dir.join(name)).map_err(io)
}

/// Imports one mail; returns whether it was threaded to an existing moment.
///
/// A mail joins the moment its subject names only when it carries the reply
/// token Loket put after the reference in its own mail
/// (`[C-2026-000123#<token>]`), or comes from the moment's own address.
/// Anything else naming a reference becomes a new moment marked "unverified
/// sender", linked to no resident: a guessed reference or a forged `From`
/// adds nothing to someone else's contact.
async fn import_one(
    store: &Store,
    key: &KeyRing,
    m: &Incoming,
    mail_from: &str,
) -> Result<bool, StoreError> {
    let actor = Actor::System;
    let tagged = tagged_reference_in_subject(&m.subject);
    let named = match &tagged {
        Some((r, _)) => store::moment(store, r).await?,
        None => None,
    };
    let existing = named.filter(|moment| {
        let token_ok = tagged
            .as_ref()
            .and_then(|(_, t)| t.as_deref())
            .is_some_and(|t| loket_app::contact::reply_token_ok(key, &moment.reference, t));
        token_ok || moment.contact_email.eq_ignore_ascii_case(m.from.as_str())
    });
    let unverified = tagged.is_some() && existing.is_none();
    // Counted before the transaction: SQLite has one writer at a time.
    let reply = existing.is_none()
        && !m.automatic
        && !m.from.as_str().eq_ignore_ascii_case(mail_from)
        && auto_reply_allowed(store, m.from.as_str()).await?;
    let mut tx = store.begin().await?;
    if let Some(moment) = existing {
        let body = if m.body.is_empty() { "—" } else { &m.body };
        let added = store::add_message(
            &mut tx,
            &actor,
            &moment.id,
            "in",
            m.from.as_str(),
            &m.subject,
            body,
            Some(&m.message_id),
        )
        .await?;
        if added {
            store::reopen_moment(&mut tx, &moment.id).await?;
            // The resident answered: waiting forwards run again.
            for fw in store::waiting_forwards_in(&mut tx, &moment.id).await? {
                store::resume_forward(&mut tx, &actor, &fw, today_brussels()).await?;
            }
        }
        tx.commit().await?;
        return Ok(true);
    }
    let subject = if m.subject.is_empty() {
        m.body.chars().take(80).collect::<String>()
    } else {
        m.subject.clone()
    };
    let question = if m.body.is_empty() {
        subject.clone()
    } else {
        m.body.clone()
    };
    let draft = check_moment(&MomentInput {
        channel: "email",
        subject: &subject,
        question: &question,
        answer: "",
        outcome: "call_back",
        duration: "",
    })
    .map_err(StoreError::Invalid)?;
    let draft = MomentDraft {
        outcome: String::new(),
        ..draft
    };
    let resident = if unverified {
        None
    } else {
        loket_store::people::find_by_email(store, m.from.as_str())
            .await?
            .filter(|u| u.roles.has(Role::Resident))
    };
    let name = match (&resident, m.name.is_empty()) {
        (Some(r), _) => r.name.clone(),
        (None, false) => m.name.clone(),
        (None, true) => m.from.as_str().to_owned(),
    };
    let locale = resident
        .as_ref()
        .and_then(|u| Locale::parse(&u.locale))
        .unwrap_or(Locale::Nl);
    let year = today_brussels().year();
    let moment = store::create_moment(
        &mut tx,
        &actor,
        year,
        "intake",
        &MomentParty {
            resident_id: resident.as_ref().map(|r| r.id.as_str()),
            name: &name,
            email: m.from.as_str(),
        },
        &draft,
        &[],
    )
    .await?;
    store::set_moment_message_id(&mut tx, &moment.id, &m.message_id).await?;
    if unverified {
        store::mark_sender_unverified(&mut tx, &moment.id).await?;
    }
    // At most one automatic reply per address a day: a forged sender (or a
    // mail loop) gets one mail from us, not one per message.
    if reply {
        let args = [
            ("name", name.clone()),
            ("code", moment.reference.clone()),
            ("value", draft.subject.clone()),
        ];
        loket_store::notify::enqueue(
            &mut tx,
            &Mail {
                to: m.from.clone(),
                subject: format!(
                    "{} {}",
                    locale.t_args("contact-mail-asked-subject", &args),
                    reference_tag(
                        &moment.reference,
                        &loket_app::contact::reply_token(key, &moment.reference)
                    )
                ),
                body: locale.t_args("contact-mail-asked-body", &args),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(false)
}

async fn auto_reply_allowed(store: &Store, from: &str) -> Result<bool, StoreError> {
    let limit = loket_domain::limits::AUTO_REPLY_PER_ADDRESS;
    let key = from.trim().to_lowercase();
    let hits = loket_store::limits::hit(store, &limit, &key, loket_store::now_ms()).await?;
    Ok(limit.allows(hits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mails_are_read_or_refused_with_a_reason() {
        let ok = parse(
            b"From: An Peeters <an@example.org>\r\nSubject: Re: Uw vraag [C-2026-000001]\r\nMessage-ID: <x1@example.org>\r\n\r\nDank u.\r\n",
            "f1",
        )
        .map_err(|e| e.to_string());
        let ok = ok.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.from.as_str(), "an@example.org");
        assert_eq!(ok.name, "An Peeters");
        assert_eq!(ok.message_id, "x1@example.org");
        assert_eq!(ok.body, "Dank u.");
        assert!(!ok.automatic);
        assert!(parse(b"", "f").is_err());
        assert!(parse(b"just some text\n", "f").is_err());
        assert!(parse(b"From: not an address\r\nSubject: x\r\n\r\nbody\r\n", "f").is_err());
        let auto = parse(
            b"From: a@example.org\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nAway\r\n",
            "f2",
        );
        assert!(auto.is_ok_and(|m| m.automatic && m.message_id == "f2"));
        assert_eq!(cur_name("123.abc"), "123.abc:2,S");
        assert_eq!(cur_name("123.abc:2,S"), "123.abc:2,S");
    }
}
