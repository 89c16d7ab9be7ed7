//! Submitting a case, on any channel (online, assisted at the counter or
//! by phone, the API, from a contact moment): the case, its webhook event,
//! its draft files, the receipt mail, all in one transaction; then its
//! receipt document.

use super::{CaseNews, case_mail};
use crate::i18n::{Locale, today_brussels};
use crate::{App, Refusal};
use loket_domain::audit::Actor;
use loket_domain::cases::{Channel, add_working_days};
use loket_domain::ident::Email;
use loket_store::cases::{self as store, Case, NewCase, Service};
use loket_store::notify as outbox;
use std::collections::BTreeMap;

/// What the case creation needs besides the validated values.
pub struct Submission<'a> {
    pub service: &'a Service,
    pub resident_id: &'a str,
    pub resident_email: &'a str,
    pub resident_name: &'a str,
    pub resident_locale: Locale,
    pub channel: Channel,
    pub assisted_by: Option<&'a str>,
    /// How the submitter was identified: `eid`, `password`, `counter`, `api`.
    pub identified_by: &'a str,
    /// Whose draft files go with the case (the person who uploaded them).
    pub files_owner: Option<&'a str>,
    /// The contact moment (contact centre) the case was started from: it is
    /// linked to the case in the same transaction.
    pub contact_id: Option<&'a str>,
}

/// Creates a case, its receipt e-mail and drops the draft, in one transaction.
pub async fn create_case(
    app: &App,
    actor: &Actor,
    sub: &Submission<'_>,
    data: &BTreeMap<String, String>,
) -> Result<Case, Refusal> {
    let today = today_brussels();
    let due = add_working_days(
        today,
        sub.service.def.target_days,
        &loket_domain::calendar::holidays_around(today),
    )
    .to_string();
    let mut tx = app.store.begin().await?;
    let case = store::create_case(
        &mut tx,
        actor,
        NewCase {
            service: sub.service,
            resident_id: sub.resident_id,
            channel: sub.channel,
            assisted_by: sub.assisted_by,
            identified_by: sub.identified_by,
            data,
            year: today.year(),
            due_date: &due,
        },
    )
    .await?;
    store::delete_draft(&mut tx, sub.resident_id, &sub.service.id).await?;
    super::case_event(
        &mut tx,
        "case.submitted",
        &case,
        &sub.service.def.slug,
        None,
        &case.status,
    )
    .await?;
    if let Some(owner) = sub.files_owner {
        store::attach_draft_files(&mut tx, owner, &sub.service.id, &case.id).await?;
    }
    if let Some(moment) = sub.contact_id {
        loket_store::contact::link_moment(
            &mut tx,
            actor,
            moment,
            sub.resident_id,
            Some(&case.id),
            None,
        )
        .await?;
    }
    if let Ok(to) = Email::parse(sub.resident_email) {
        let def = &sub.service.def;
        let lang = sub.resident_locale.code();
        let state_def = def.state(&case.status);
        let mail = case_mail(
            &app.config,
            sub.resident_locale,
            &to,
            sub.resident_name,
            &CaseNews {
                number: &case.number,
                service: def.name.get(lang),
                status_label: state_def.map(|s| s.label.get(lang)).unwrap_or_default(),
                explanation: state_def
                    .map(|s| s.explanation.get(lang))
                    .unwrap_or_default(),
                reason: "",
                received: true,
            },
        );
        outbox::enqueue(&mut tx, &mail).await?;
    }
    tx.commit().await?;
    metrics::counter!("loket_cases_submitted_total", "channel" => sub.channel.as_str())
        .increment(1);
    super::documents::issue_all(
        app,
        actor,
        &case,
        &sub.service.def,
        &["receipt".to_owned()],
        "",
    )
    .await;
    Ok(case)
}
