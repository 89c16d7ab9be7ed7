//! Premiums paid by bank transfer: the approved cases waiting for payment
//! (amount and account from each case's own definition version) and the
//! SEPA payment file (pain.001) that takes their payout transition, in one
//! transaction.

use crate::i18n::{brussels, today_brussels};
use crate::{App, Refusal};
use loket_domain::Invalid;
use loket_domain::audit::Actor;
use loket_domain::cases::ServiceDef;
use loket_render::cases::{Payer, Payout, pain001};
use loket_store::cases::{self as store, Case, PaymentExport};
use loket_store::people as people_store;
use sha2::{Digest, Sha256};

/// An approved premium waiting for payment.
pub struct Payable {
    pub case: Case,
    pub def: ServiceDef,
    pub name: String,
    pub iban: String,
    pub amount_cents: i64,
}

/// Every case waiting in its service's payout state, with the amount and
/// account from the case's own definition version. Each definition version
/// and each resident's name is read once, however many cases share it.
pub async fn payable(app: &App) -> Result<Vec<Payable>, Refusal> {
    use std::collections::HashMap;
    let mut out = Vec::new();
    let mut defs: HashMap<(String, i64), ServiceDef> = HashMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for s in store::list_services(&app.store, false).await? {
        let Some(p) = &s.def.payout else { continue };
        for case in store::cases_in_status(&app.store, &s.id, &p.from).await? {
            let key = (case.service_id.clone(), case.service_version);
            let def = match defs.get(&key) {
                Some(d) => d.clone(),
                None => {
                    let d =
                        store::service_version(&app.store, &case.service_id, case.service_version)
                            .await?;
                    defs.insert(key, d.clone());
                    d
                }
            };
            let Some(payout) = def.payout.clone() else {
                continue;
            };
            if case.status != payout.from {
                continue;
            }
            let amount = case
                .data
                .get(&payout.amount_field)
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0);
            let iban = case
                .data
                .get(&payout.iban_field)
                .cloned()
                .unwrap_or_default();
            if amount <= 0 || iban.is_empty() {
                continue;
            }
            let name = match names.get(&case.resident_id) {
                Some(n) => n.clone(),
                None => {
                    let n = people_store::get_user(&app.store, &case.resident_id)
                        .await?
                        .map(|u| u.name)
                        .unwrap_or_default();
                    names.insert(case.resident_id.clone(), n.clone());
                    n
                }
            };
            out.push(Payable {
                case,
                def,
                name,
                iban,
                amount_cents: amount,
            });
        }
    }
    Ok(out)
}

/// Checks the requested execution date: a working day from today up to 60
/// days ahead.
fn check_execution_date(raw: &str) -> Result<jiff::civil::Date, Invalid> {
    let date: jiff::civil::Date = raw
        .trim()
        .parse()
        .map_err(|_| Invalid::one("execution_date", "date-invalid"))?;
    let today = today_brussels();
    if date < today {
        return Err(Invalid::one("execution_date", "date-in-past"));
    }
    if date
        > today
            .checked_add(jiff::Span::new().days(60))
            .unwrap_or(today)
    {
        return Err(Invalid::one("execution_date", "date-too-far"));
    }
    if matches!(
        date.weekday(),
        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
    ) {
        return Err(Invalid::one("execution_date", "date-weekend"));
    }
    Ok(date)
}

/// Creates a payment file of every payable premium.
pub async fn create_export(
    app: &App,
    actor_id: &str,
    execution_date: &str,
) -> Result<PaymentExport, Refusal> {
    let date = check_execution_date(execution_date)?;
    let items = payable(app).await?;
    if items.is_empty() {
        return Err(Invalid::one("execution_date", "nothing-to-pay").into());
    }
    let id = loket_store::new_id();
    let message_id = format!("LKT{}", id.replace('-', ""))
        .chars()
        .take(35)
        .collect::<String>();
    let now = jiff::Timestamp::now().to_zoned_datetime(brussels());
    let small = |v: i8| u8::try_from(v).unwrap_or(0);
    let payer = Payer {
        name: app.config.payer_name.clone(),
        iban: app.config.payer_iban.clone(),
        message_id: message_id.clone(),
        execution: (
            u16::try_from(date.year()).unwrap_or(2000),
            small(date.month()),
            small(date.day()),
        ),
        created: (
            u16::try_from(now.year()).unwrap_or(2000),
            small(now.month()),
            small(now.day()),
            small(now.hour()),
            small(now.minute()),
            small(now.second()),
        ),
    };
    let payouts: Vec<Payout> = items
        .iter()
        .map(|p| Payout {
            reference: p.case.number.clone(),
            creditor_name: p.name.clone(),
            iban: p.iban.clone(),
            amount_cents: p.amount_cents,
            description: format!(
                "{} {} {}",
                p.def.name.get("nl"),
                app.config.city_name,
                p.case.number
            ),
        })
        .collect();
    let xml = pain001(&payer, &payouts).map_err(Refusal::Internal)?;
    let export = PaymentExport {
        id,
        message_id,
        created_by: actor_id.to_owned(),
        created_at: loket_store::now_ms(),
        execution_date: date.to_string(),
        count: i64::try_from(items.len()).unwrap_or(i64::MAX),
        total_cents: items.iter().map(|p| p.amount_cents).sum(),
        sha256: hex::encode(Sha256::digest(xml.as_bytes())),
    };
    let actor = Actor::User(actor_id.to_owned());
    let mut tx = app.store.begin().await?;
    let pairs: Vec<(&Case, i64)> = items.iter().map(|p| (&p.case, p.amount_cents)).collect();
    store::add_export(&mut tx, &actor, &export, &xml, &pairs).await?;
    for p in &items {
        let Some(payout) = &p.def.payout else {
            continue;
        };
        let t = p.def.transition(&p.case.status, &payout.transition, "")?;
        super::workflow::transition_in(&mut tx, app, &actor, &p.case, &p.def, t, "").await?;
    }
    tx.commit().await?;
    metrics::counter!("loket_payment_exports_total").increment(1);
    Ok(export)
}
