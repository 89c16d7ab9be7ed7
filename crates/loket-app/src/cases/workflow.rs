//! A case through its workflow: a transition taken (with the resident's
//! mail or status letter, the webhook event, the handling clock restarted
//! when the case stops waiting, and the documents it issues), and a message
//! added (an answer from the resident resumes a waiting case).

use super::{CaseNews, case_mail};
use crate::i18n::{Locale, date_of_ms, today_brussels};
use crate::{App, Refusal};
use loket_domain::audit::Actor;
use loket_domain::cases::ServiceDef;
use loket_domain::ident::Email;
use loket_store::cases::{self as store, Case};
use loket_store::notify as outbox;
use loket_store::people as people_store;

/// Leaving a state where the clock stops (waiting for the resident): the
/// due date moves by the working days the case waited.
async fn restart_clock(
    tx: &mut loket_store::Tx,
    app: &App,
    actor: &Actor,
    case: &Case,
    def: &ServiceDef,
    to: Option<&loket_domain::cases::StateDef>,
) -> Result<(), Refusal> {
    let from_stops = def.state(&case.status).is_some_and(|s| s.clock_stops);
    if from_stops && !to.is_some_and(|s| s.clock_stops) {
        let events = store::events(&app.store, &case.id, true).await?;
        let since = events
            .iter()
            .rev()
            .find(|e| {
                e.kind == "transition" && e.to_status.as_deref() == Some(case.status.as_str())
            })
            .and_then(|e| date_of_ms(e.at));
        if let (Some(since), Ok(due)) = (since, case.due_date.parse::<jiff::civil::Date>()) {
            let holidays = loket_domain::calendar::holidays_around(since);
            let waited =
                loket_domain::cases::working_days_between(since, today_brussels(), &holidays);
            if waited > 0 {
                let new_due =
                    loket_domain::cases::add_working_days(due, waited, &holidays).to_string();
                store::set_due_date(tx, actor, case, &new_due).await?;
            }
        }
    }
    Ok(())
}

/// Takes transition `t` inside `tx` (compare-and-set on the status) and
/// writes the resident's e-mail to the outbox in the same transaction.
pub async fn transition_in(
    tx: &mut loket_store::Tx,
    app: &App,
    actor: &Actor,
    case: &Case,
    def: &ServiceDef,
    t: &loket_domain::cases::TransitionDef,
    reason: &str,
) -> Result<(), Refusal> {
    let to = def.state(&t.to);
    store::transition(tx, actor, case, t, to.is_some_and(|s| s.is_final), reason).await?;
    restart_clock(tx, app, actor, case, def, to).await?;
    super::case_event(
        tx,
        "case.transition",
        case,
        &def.slug,
        Some(&case.status),
        &t.to,
    )
    .await?;
    if let Some(resident) = people_store::get_user(&app.store, &case.resident_id).await?
        && let Ok(email) = Email::parse(&resident.email)
    {
        let locale = Locale::parse(&resident.locale).unwrap_or_default();
        let lang = locale.code();
        let mail = case_mail(
            &app.config,
            locale,
            &email,
            &resident.name,
            &CaseNews {
                number: &case.number,
                service: def.name.get(lang),
                status_label: to.map(|s| s.label.get(lang)).unwrap_or_default(),
                explanation: to.map(|s| s.explanation.get(lang)).unwrap_or_default(),
                reason,
                received: false,
            },
        );
        outbox::enqueue(tx, &mail).await?;
    } else if t.documents.is_empty()
        && let Some(resident) = people_store::get_user(&app.store, &case.resident_id).await?
    {
        // No e-mail: the news goes by post (documents are posted themselves).
        let content =
            super::documents::status_letter(app, &resident, case, def, &t.to, reason).await?;
        outbox::enqueue_letter(tx, Some(&case.id), &case.resident_id, "status", &content).await?;
    }
    Ok(())
}

/// Takes a transition and tells the resident, in one transaction.
pub async fn take_transition(
    app: &App,
    actor: &Actor,
    case: &Case,
    def: &ServiceDef,
    key: &str,
    reason: &str,
) -> Result<(), Refusal> {
    let t = def.transition(&case.status, key, reason)?;
    let documents = t.documents.clone();
    let mut tx = app.store.begin().await?;
    transition_in(&mut tx, app, actor, case, def, t, reason).await?;
    tx.commit().await?;
    if !documents.is_empty()
        && let Some(updated) = store::get_case(&app.store, &case.number).await?
    {
        super::documents::issue_all(app, actor, &updated, def, &documents, reason).await;
    }
    Ok(())
}

/// Adds a message to a case in one transaction: from the resident
/// (`message_in`; an answer resumes a case that waits for them), to the
/// resident (`message_out`, also sent by e-mail), or an internal `note`.
pub async fn add_case_message(
    app: &App,
    actor: &Actor,
    case: &Case,
    def: &ServiceDef,
    kind: &str,
    body: &str,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::add_message(&mut tx, actor, case, kind, body).await?;
    if kind == "message_in"
        && def.state(&case.status).is_some_and(|s| s.clock_stops)
        && let Some(t) = def
            .transitions_from(&case.status)
            .into_iter()
            .find(|t| t.key == "resume")
    {
        let to_final = def.state(&t.to).is_some_and(|s| s.is_final);
        store::transition(&mut tx, actor, case, t, to_final, "").await?;
        restart_clock(&mut tx, app, actor, case, def, def.state(&t.to)).await?;
        super::case_event(
            &mut tx,
            "case.transition",
            case,
            &def.slug,
            Some(&case.status),
            &t.to,
        )
        .await?;
    }
    if kind == "message_out"
        && let Some(resident) = people_store::get_user(&app.store, &case.resident_id).await?
        && let Ok(email) = Email::parse(&resident.email)
    {
        let locale = Locale::parse(&resident.locale).unwrap_or_default();
        let lang = locale.code();
        let st = def.state(&case.status);
        let mail = case_mail(
            &app.config,
            locale,
            &email,
            &resident.name,
            &CaseNews {
                number: &case.number,
                service: def.name.get(lang),
                status_label: st.map(|s| s.label.get(lang)).unwrap_or_default(),
                explanation: st.map(|s| s.explanation.get(lang)).unwrap_or_default(),
                reason: body,
                received: false,
            },
        );
        outbox::enqueue(&mut tx, &mail).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Assigns a case to a handler (or to nobody).
pub async fn assign(
    app: &App,
    actor: &Actor,
    case: &Case,
    assignee: Option<&str>,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::assign(&mut tx, actor, case, assignee).await?;
    tx.commit().await?;
    Ok(())
}

/// Saves a service's definition (a new version) and whether it is online,
/// in one transaction; a new service's slug must be free. Returns the
/// version.
pub async fn save_service(
    app: &App,
    actor: &Actor,
    def: &ServiceDef,
    active: bool,
    is_new: bool,
) -> Result<i64, Refusal> {
    let mut tx = app.store.begin().await?;
    if is_new && store::slug_taken(&mut tx, &def.slug).await? {
        return Err(loket_domain::Invalid::one("slug", "slug-taken").into());
    }
    let (id, version) = store::save_service(&mut tx, actor, def).await?;
    store::set_active(&mut tx, actor, &id, active).await?;
    tx.commit().await?;
    Ok(version)
}
