//! Erasure and restriction carried out (GDPR art. 17 and 18), and the
//! anonymisation of a closed case after its service's retention period.
//!
//! Everything happens inside the caller's transaction; files on disk that
//! belonged to removed rows (uploads, documents, `.eml` files) are returned,
//! and the caller removes them after the commit.
//!
//! How each kind is treated is the table in `docs/privacy.md` ("Erasure
//! carried out"); keep the two in step.

use crate::audit::{self, Change};
use crate::{Result, Tx};
use loket_domain::audit::Actor;
use loket_domain::cases::ServiceDef;
use serde_json::json;
use sqlx::Row;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What an erasure did, per kind (the `privacy_request.erasure` audit row
/// holds the same counts), and the files to remove after the commit.
#[derive(Debug, Default)]
pub struct Erased {
    pub counts: BTreeMap<&'static str, u64>,
    pub files: Vec<PathBuf>,
}

impl Erased {
    fn add(&mut self, kind: &'static str, n: u64) {
        *self.counts.entry(kind).or_insert(0) += n;
    }
}

/// The states of a closed case whose decision no legal period keeps: its
/// documents go with the erasure (the case row stays, anonymised).
const NOT_DECIDED: [&str; 5] = ["refused", "rejected", "withdrawn", "cancelled", "closed"];
/// States of a granted case before it closes (a premium approved, its
/// payment on its way): its decision is kept like a closed one's.
const GRANTED: [&str; 3] = ["approved", "payment_pending", "paid"];

/// Replaces every occurrence of each needle (case-insensitive for ASCII)
/// with `[erased]`. Needles shorter than 3 characters are ignored (they
/// would eat ordinary words).
pub fn scrub(text: &str, needles: &[String]) -> String {
    let mut out = text.to_owned();
    for n in needles {
        if n.chars().count() < 3 {
            continue;
        }
        let lower_n = n.to_lowercase();
        let lower = out.to_lowercase();
        // Lowercasing may change byte lengths outside ASCII: then only the
        // exact spelling is replaced.
        if lower.len() != out.len() || lower_n.len() != n.len() {
            out = out.replace(n.as_str(), "[erased]");
            continue;
        }
        let mut next = String::with_capacity(out.len());
        let mut from = 0;
        while let Some(i) = lower[from..].find(&lower_n) {
            next.push_str(&out[from..from + i]);
            next.push_str("[erased]");
            from += i + lower_n.len();
        }
        next.push_str(&out[from..]);
        out = next;
    }
    out
}

fn contains_any(text: &str, needles: &[String]) -> bool {
    let lower = text.to_lowercase();
    needles
        .iter()
        .filter(|n| n.chars().count() >= 3)
        .any(|n| lower.contains(&n.to_lowercase()))
}

async fn exec(tx: &mut Tx, sql: &'static str, bind: &str) -> Result<u64> {
    Ok(sqlx::query(sql)
        .bind(bind)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// The definition a case was submitted under (its version), if it parses.
async fn case_def(tx: &mut Tx, service_id: &str, version: i64) -> Result<Option<ServiceDef>> {
    let row = sqlx::query(
        "SELECT definition FROM service_versions WHERE service_id = $1 AND version = $2 \
         UNION ALL SELECT definition FROM services WHERE id = $1",
    )
    .bind(service_id)
    .bind(version)
    .fetch_all(&mut **tx)
    .await?;
    for r in row {
        let text: String = r.try_get("definition")?;
        if let Ok(def) = serde_json::from_str::<ServiceDef>(&text) {
            return Ok(Some(def));
        }
    }
    Ok(None)
}

/// What anonymising one case removed.
#[derive(Debug, Default)]
pub struct CaseAnonymised {
    pub events: u64,
    pub files: u64,
    pub documents: u64,
    pub letters: u64,
    pub paths: Vec<PathBuf>,
}

/// Anonymises case `case_id` at `now`: its values are cut down to the
/// amounts ([`ServiceDef::kept_on_anonymising`]), the texts of its timeline
/// (messages, reasons, notes) go, its uploads go (rows now, files after
/// commit), its letters lose their content (waiting ones are dropped), and
/// with `drop_documents` the documents the city issued go too. The number,
/// service, status, dates and status history stay.
pub async fn anonymise_case(
    tx: &mut Tx,
    case_id: &str,
    now: i64,
    drop_documents: bool,
) -> Result<CaseAnonymised> {
    let mut out = CaseAnonymised::default();
    let row = sqlx::query("SELECT service_id, service_version, data FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else {
        return Ok(out);
    };
    let service_id: String = row.try_get("service_id")?;
    let version: i64 = row.try_get("service_version")?;
    let data_text: String = row.try_get("data")?;
    let keep = case_def(tx, &service_id, version)
        .await?
        .map(|d| d.kept_on_anonymising())
        .unwrap_or_default();
    let data: BTreeMap<String, String> = serde_json::from_str(&data_text).unwrap_or_default();
    let kept: BTreeMap<&String, &String> = data.iter().filter(|(k, _)| keep.contains(k)).collect();
    let kept_text = serde_json::to_string(&kept).unwrap_or_else(|_| "{}".to_owned());
    sqlx::query("UPDATE cases SET data = $1, anonymised_at = $2 WHERE id = $3")
        .bind(&kept_text)
        .bind(now)
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    out.events = exec(
        tx,
        "UPDATE case_events SET body = NULL WHERE case_id = $1 AND body IS NOT NULL",
        case_id,
    )
    .await?;
    let files = sqlx::query("SELECT id, path FROM case_files WHERE case_id = $1")
        .bind(case_id)
        .fetch_all(&mut **tx)
        .await?;
    for f in files {
        let path: String = f.try_get("path")?;
        out.paths.push(PathBuf::from(path));
        out.files += 1;
    }
    exec(tx, "DELETE FROM case_files WHERE case_id = $1", case_id).await?;
    if drop_documents {
        let docs = sqlx::query("SELECT path FROM case_documents WHERE case_id = $1")
            .bind(case_id)
            .fetch_all(&mut **tx)
            .await?;
        for d in docs {
            let path: String = d.try_get("path")?;
            out.paths.push(PathBuf::from(path));
            out.documents += 1;
        }
        exec(tx, "DELETE FROM case_documents WHERE case_id = $1", case_id).await?;
    }
    out.letters = exec(
        tx,
        "DELETE FROM letters WHERE case_id = $1 AND batch_id IS NULL",
        case_id,
    )
    .await?;
    out.letters += exec(
        tx,
        "UPDATE letters SET content = '{}' WHERE case_id = $1 AND content <> '{}'",
        case_id,
    )
    .await?;
    Ok(out)
}

/// The person an erasure is about, as read before it.
struct Person {
    name: String,
    email: String,
    email_norm: String,
    national_number: Option<String>,
    phone: String,
    street: String,
}

async fn person(tx: &mut Tx, user_id: &str) -> Result<Option<Person>> {
    let row = sqlx::query(
        "SELECT u.name, u.email, u.email_norm, p.national_number, \
         COALESCE(p.phone, '') AS phone, COALESCE(p.street, '') AS street \
         FROM users u LEFT JOIN resident_profiles p ON p.user_id = u.id WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    Ok(Some(Person {
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        email_norm: r.try_get("email_norm")?,
        national_number: r.try_get("national_number")?,
        phone: r.try_get("phone")?,
        street: r.try_get("street")?,
    }))
}

/// Carries out the erasure of account `user_id` for request `request_id`
/// at `now` (see the module's table in `docs/privacy.md`), with the audit
/// row `privacy_request.erasure` holding the counts. `mail_dir`: where the
/// file transport wrote sent mail (`.eml`). Returns the counts and the
/// files to remove after the commit. An unknown account is
/// [`crate::StoreError::NotFound`].
pub async fn erase(
    tx: &mut Tx,
    actor: &Actor,
    request_id: &str,
    user_id: &str,
    now: i64,
    mail_dir: &Path,
) -> Result<Erased> {
    let p = person(tx, user_id)
        .await?
        .ok_or(crate::StoreError::NotFound)?;
    let mut needles = vec![p.name.clone(), p.email.clone(), p.email_norm.clone()];
    if let Some(n) = &p.national_number {
        needles.push(n.clone());
    }
    for extra in [&p.phone, &p.street] {
        if extra.chars().count() >= 5 {
            needles.push(extra.clone());
        }
    }
    let mut e = Erased::default();

    // Cases: every case of the person stays as an anonymised row, kept
    // restricted; the documents of decided cases stay (restricted) as the
    // legal record of the decision, the others go.
    let cases = sqlx::query("SELECT id, status, closed_at FROM cases WHERE resident_id = $1")
        .bind(user_id)
        .fetch_all(&mut **tx)
        .await?;
    for c in cases {
        let id: String = c.try_get("id")?;
        let status: String = c.try_get("status")?;
        let closed: Option<i64> = c.try_get("closed_at")?;
        let paid = sqlx::query("SELECT case_id FROM payment_export_items WHERE case_id = $1")
            .bind(&id)
            .fetch_optional(&mut **tx)
            .await?
            .is_some();
        let decided = paid
            || (!NOT_DECIDED.contains(&status.as_str())
                && (closed.is_some() || GRANTED.contains(&status.as_str())));
        let a = anonymise_case(tx, &id, now, !decided).await?;
        e.add("cases", 1);
        if decided {
            e.add("cases_decided_kept", 1);
        }
        e.add("case_texts", a.events);
        e.add("case_files", a.files);
        e.add("case_documents_removed", a.documents);
        e.add("letters", a.letters);
        e.files.extend(a.paths);
    }
    e.add(
        "cases_restricted",
        sqlx::query(
            "UPDATE cases SET restricted_at = $1 WHERE resident_id = $2 AND restricted_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
    );
    // Drafts and their uploads (and any upload not attached to a case).
    let files = sqlx::query("SELECT path FROM case_files WHERE owner_id = $1")
        .bind(user_id)
        .fetch_all(&mut **tx)
        .await?;
    for f in files {
        let path: String = f.try_get("path")?;
        e.files.push(PathBuf::from(path));
        e.add("case_files", 1);
    }
    exec(tx, "DELETE FROM case_files WHERE owner_id = $1", user_id).await?;
    e.add(
        "drafts",
        exec(tx, "DELETE FROM case_drafts WHERE user_id = $1", user_id).await?,
    );
    // Letters not tied to a case (privacy outcomes, counter letters).
    e.add(
        "letters",
        exec(
            tx,
            "DELETE FROM letters WHERE resident_id = $1 AND batch_id IS NULL",
            user_id,
        )
        .await?,
    );
    e.add(
        "letters",
        exec(
            tx,
            "UPDATE letters SET content = '{}' WHERE resident_id = $1 AND content <> '{}'",
            user_id,
        )
        .await?,
    );

    // Appointments hold no free text: the rows stay (linked to the erased
    // account); booked ones in the future are cancelled and their places
    // freed.
    let future = sqlx::query(
        "SELECT id, slot_id FROM appointments WHERE resident_id = $1 AND status = 'booked' \
         AND starts_at > $2",
    )
    .bind(user_id)
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    for a in future {
        let id: String = a.try_get("id")?;
        let slot: String = a.try_get("slot_id")?;
        sqlx::query("UPDATE appointments SET status = 'cancelled', updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(&mut **tx)
            .await?;
        sqlx::query("UPDATE appt_slots SET booked = booked - 1 WHERE id = $1 AND booked > 0")
            .bind(&slot)
            .execute(&mut **tx)
            .await?;
        e.add("appointments_cancelled", 1);
    }

    // Contact moments: linked ones, and unlinked ones from the address.
    let moments: Vec<String> = sqlx::query(
        "SELECT id FROM contact_moments WHERE resident_id = $1 OR LOWER(contact_email) = $2",
    )
    .bind(user_id)
    .bind(&p.email_norm)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>("id"))
    .collect::<std::result::Result<_, _>>()?;
    for id in &moments {
        sqlx::query(
            "UPDATE contact_moments SET contact_name = '', contact_email = '', subject = '', \
             question = '', answer = '', resident_id = NULL, anonymised_at = $2 WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        exec(
            tx,
            "UPDATE contact_messages SET sender = '', subject = '', body = '' WHERE moment_id = $1",
            id,
        )
        .await?;
        exec(
            tx,
            "UPDATE contact_forwards SET note = '', answer = '', waiting_question = '' WHERE moment_id = $1",
            id,
        )
        .await?;
    }
    e.add("contact_moments", moments.len() as u64);
    // Messages from the address on other moments.
    e.add(
        "contact_messages",
        exec(
            tx,
            "UPDATE contact_messages SET sender = '', subject = '', body = '' WHERE LOWER(sender) = $1",
            &p.email_norm,
        )
        .await?,
    );

    // Vaccination, by national register number and by address.
    let nrn = p.national_number.clone().unwrap_or_default();
    let inv: Vec<String> = sqlx::query(
        "SELECT id FROM vac_invitations WHERE ($1 <> '' AND national_number = $1) \
         OR LOWER(COALESCE(email, '')) = $2",
    )
    .bind(&nrn)
    .bind(&p.email_norm)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>("id"))
    .collect::<std::result::Result<_, _>>()?;
    for id in &inv {
        sqlx::query(
            "UPDATE vac_invitations SET national_number = id, name = '', birth_date = '', \
             street = '', postal_code = '', city = '', email = NULL, phone = NULL, \
             anonymised_at = $2 WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        exec(
            tx,
            "UPDATE vac_mobile_visits SET address = '' WHERE invitation_id = $1",
            id,
        )
        .await?;
    }
    e.add("vaccination_invitations", inv.len() as u64);
    e.add(
        "vaccination_reserve",
        sqlx::query(
            "UPDATE vac_reserve SET national_number = id, name = '', birth_date = '', email = '', \
             phone = NULL, offer_token = NULL, anonymised_at = $3 \
             WHERE ($1 <> '' AND national_number = $1) OR LOWER(email) = $2",
        )
        .bind(&nrn)
        .bind(&p.email_norm)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
    );
    e.add(
        "vaccination_reserve",
        sqlx::query(
            "DELETE FROM vac_reserve_pending WHERE ($1 <> '' AND national_number = $1) \
             OR LOWER(email) = $2",
        )
        .bind(&nrn)
        .bind(&p.email_norm)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
    );

    // Mail to the person: sent ones lose body, attachment, recipient and
    // any name in the subject (and their .eml after commit); waiting ones
    // are not sent any more.
    let mails =
        sqlx::query("SELECT id, created_at, subject, status FROM outbox WHERE LOWER(to_addr) = $1")
            .bind(&p.email_norm)
            .fetch_all(&mut **tx)
            .await?;
    for m in mails {
        let id: String = m.try_get("id")?;
        let created: i64 = m.try_get("created_at")?;
        let subject: String = m.try_get("subject")?;
        let status: String = m.try_get("status")?;
        sqlx::query(
            "UPDATE outbox SET to_addr = 'erased', subject = $1, body = '', attachment_name = NULL, \
             attachment_type = NULL, attachment_body = NULL, \
             status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END, \
             last_error = CASE WHEN status = 'pending' THEN 'erased before sending' ELSE last_error END \
             WHERE id = $2",
        )
        .bind(scrub(&subject, &needles))
        .bind(&id)
        .execute(&mut **tx)
        .await?;
        if status == "sent" {
            e.files.push(super::eml_path(mail_dir, created, &id));
        }
        e.add("mails", 1);
    }

    // Sign-in failures, search text naming the person.
    e.add(
        "login_failures",
        exec(
            tx,
            "DELETE FROM login_failures WHERE email_norm = $1",
            &p.email_norm,
        )
        .await?,
    );
    let searches = sqlx::query("SELECT id, query FROM contact_searches")
        .fetch_all(&mut **tx)
        .await?;
    for s in searches {
        let q: String = s.try_get("query")?;
        if contains_any(&q, &needles) {
            let id: String = s.try_get("id")?;
            exec(tx, "DELETE FROM contact_searches WHERE id = $1", &id).await?;
            e.add("searches", 1);
        }
    }

    // Audit rows and request notes keep their ids and lose the names.
    let rows = sqlx::query(
        "SELECT id, before_summary, after_summary FROM audit_log WHERE subject_user_id = $1 \
         OR LOWER(COALESCE(before_summary, '')) LIKE $2 OR LOWER(COALESCE(after_summary, '')) LIKE $2 \
         OR LOWER(COALESCE(before_summary, '')) LIKE $3 OR LOWER(COALESCE(after_summary, '')) LIKE $3",
    )
    .bind(user_id)
    .bind(format!("%{}%", p.name.to_lowercase()))
    .bind(format!("%{}%", p.email_norm))
    .fetch_all(&mut **tx)
    .await?;
    for r in rows {
        let id: String = r.try_get("id")?;
        let before: Option<String> = r.try_get("before_summary")?;
        let after: Option<String> = r.try_get("after_summary")?;
        let b = before.as_deref().map(|t| scrub(t, &needles));
        let a = after.as_deref().map(|t| scrub(t, &needles));
        if b != before || a != after {
            sqlx::query(
                "UPDATE audit_log SET before_summary = $1, after_summary = $2 WHERE id = $3",
            )
            .bind(b)
            .bind(a)
            .bind(&id)
            .execute(&mut **tx)
            .await?;
            e.add("audit_rows_rewritten", 1);
        }
    }
    let reqs =
        sqlx::query("SELECT id, note, outcome FROM privacy_requests WHERE subject_user_id = $1")
            .bind(user_id)
            .fetch_all(&mut **tx)
            .await?;
    for r in reqs {
        let id: String = r.try_get("id")?;
        let note: String = r.try_get("note")?;
        let outcome: String = r.try_get("outcome")?;
        sqlx::query("UPDATE privacy_requests SET note = $1, outcome = $2 WHERE id = $3")
            .bind(scrub(&note, &needles))
            .bind(scrub(&outcome, &needles))
            .bind(&id)
            .execute(&mut **tx)
            .await?;
    }

    // The account: disabled for good, every way in removed.
    e.add("sessions", crate::people::end_sessions(tx, user_id).await?);
    for sql in [
        "DELETE FROM api_tokens WHERE user_id = $1",
        "DELETE FROM email_tokens WHERE user_id = $1",
        "DELETE FROM totp_recovery_codes WHERE user_id = $1",
        "DELETE FROM totp_factors WHERE user_id = $1",
        "DELETE FROM oidc_identities WHERE user_id = $1",
        "DELETE FROM oidc_pending WHERE user_id = $1",
        "DELETE FROM user_roles WHERE user_id = $1",
        "DELETE FROM staff_departments WHERE user_id = $1",
    ] {
        e.add("sign_in_records", exec(tx, sql, user_id).await?);
    }
    // The name's keys in the people search: the name goes, so do they.
    crate::people::remove_name_keys(tx, user_id).await?;
    let placeholder = format!("erased-{user_id}");
    sqlx::query(
        "UPDATE users SET name = $1, email = $1, email_norm = $1, password_hash = '', \
         email_confirmed_at = NULL, disabled_at = COALESCE(disabled_at, $2), \
         disabled_reason = 'erased', erased_at = $2, updated_at = $2 WHERE id = $3",
    )
    .bind(&placeholder)
    .bind(now)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    e.add(
        "profile",
        exec(
            tx,
            "UPDATE resident_profiles SET national_number = NULL, street = '', house_number = '', \
             box = '', postal_code = '', city = '', phone = '' WHERE user_id = $1",
            user_id,
        )
        .await?,
    );
    e.add("account", 1);

    let counts: serde_json::Map<String, serde_json::Value> = e
        .counts
        .iter()
        .map(|(k, n)| ((*k).to_owned(), json!(n)))
        .collect();
    audit::record(
        tx,
        actor,
        Change {
            action: "privacy_request.erasure",
            record_type: "privacy_request",
            record_id: request_id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({ "counts": counts, "files": e.files.len() })),
        },
    )
    .await?;
    Ok(e)
}

/// Marks every case of `user_id` restricted (`on`) or lifts the mark, for
/// request `request_id`, audited (`privacy_request.restrict` or `.lift`).
/// Cases anonymised by an erasure stay restricted. Returns how many
/// changed.
pub async fn set_restricted(
    tx: &mut Tx,
    actor: &Actor,
    request_id: &str,
    user_id: &str,
    on: bool,
    now: i64,
) -> Result<u64> {
    let n = if on {
        sqlx::query(
            "UPDATE cases SET restricted_at = $1 WHERE resident_id = $2 AND restricted_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected()
    } else {
        sqlx::query(
            "UPDATE cases SET restricted_at = NULL WHERE resident_id = $1 \
             AND restricted_at IS NOT NULL AND anonymised_at IS NULL",
        )
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected()
    };
    audit::record(
        tx,
        actor,
        Change {
            action: if on {
                "privacy_request.restrict"
            } else {
                "privacy_request.lift"
            },
            record_type: "privacy_request",
            record_id: request_id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({ "cases": n })),
        },
    )
    .await?;
    Ok(n)
}

/// The numbers of `user_id`'s restricted cases, oldest first.
pub async fn restricted_cases(store: &crate::Store, user_id: &str) -> Result<Vec<String>> {
    sqlx::query(
        "SELECT number FROM cases WHERE resident_id = $1 AND restricted_at IS NOT NULL \
         ORDER BY submitted_at, number",
    )
    .bind(user_id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>("number").map_err(Into::into))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_replaces_every_needle_in_any_case() {
        let n = vec!["An Peeters".to_owned(), "an@example.be".to_owned()];
        assert_eq!(
            scrub("{\"name\":\"AN PEETERS\",\"to\":\"An@Example.be\"}", &n),
            "{\"name\":\"[erased]\",\"to\":\"[erased]\"}"
        );
        // Short needles are ignored.
        assert_eq!(scrub("an apple", &["an".to_owned()]), "an apple");
        assert!(contains_any("mail an@example.be", &n));
        assert!(!contains_any("nothing", &n));
    }
}
