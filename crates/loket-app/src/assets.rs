//! The ICT inventory's use cases shared by pages and the API: a check-out
//! (to a person or a place, with its hand-over document) and the hand-over
//! document's text.

use crate::i18n::{Locale, format_ms, today_brussels};
use crate::{App, Refusal};
use loket_domain::Invalid;
use loket_domain::assets::parse_date;
use loket_domain::audit::Actor;
use loket_render::assets::{HandoverDoc, HandoverItem};
use loket_store::StoreError;
use loket_store::assets::{self as store, Borrower};
use loket_store::people as people_store;

/// A check-out request as forms and the API give it.
pub struct CheckOut<'a> {
    /// Asset tags or ids.
    pub assets: Vec<String>,
    /// Alternatively: this many in-stock assets of `category`.
    pub category: &'a str,
    pub count: &'a str,
    /// The staff member's account e-mail, or empty.
    pub person: &'a str,
    /// A place, or empty.
    pub place: &'a str,
    pub due_on: &'a str,
}

/// The most distinct tags (or ids) one check-out takes; more is a field
/// error on `assets` naming the limit.
pub const CHECK_OUT_MAX_TAGS: usize = 500;

/// Validates and performs a check-out in one transaction; returns the
/// hand-over id. Nothing changes on any error.
pub async fn check_out_for(
    app: &App,
    actor: &Actor,
    req: &CheckOut<'_>,
) -> Result<String, Refusal> {
    let mut inv = Invalid::default();
    let person = req.person.trim();
    let place = req.place.trim();
    let borrower = match (person.is_empty(), place.is_empty()) {
        (false, true) => match people_store::find_by_email(&app.store, person).await? {
            Some(u) if u.roles.is_staff() && u.disabled_at.is_none() => {
                Some(Borrower::Person(u.id))
            }
            _ => {
                inv.push("person", "asset-person-unknown");
                None
            }
        },
        (true, false) if place.chars().count() <= 120 && !place.chars().any(char::is_control) => {
            Some(Borrower::Place(place.to_owned()))
        }
        (true, false) => {
            inv.push("place", "asset-text-invalid");
            None
        }
        _ => {
            inv.push("person", "asset-person-or-place");
            None
        }
    };
    match parse_date("due_on", req.due_on) {
        Ok(d) if d < today_brussels() => inv.push("due_on", "date-in-past"),
        Ok(_) => {}
        Err(e) => inv.0.push(e),
    }
    let mut ids = Vec::new();
    let tags: Vec<&str> = req
        .assets
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect();
    if !tags.is_empty() {
        let mut keys: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
        keys.sort();
        keys.dedup();
        if keys.len() > CHECK_OUT_MAX_TAGS {
            inv.0.push(loket_domain::FieldError::with_value(
                "assets",
                "asset-too-many-tags",
                CHECK_OUT_MAX_TAGS.to_string(),
            ));
        } else {
            // One query for every tag; then each tag in the order given,
            // as `get_asset` matches it (its id, or its tag in capitals).
            let found = store::assets_by_keys(&app.store, &keys).await?;
            for t in tags {
                let upper = t.to_ascii_uppercase();
                match found.iter().find(|a| a.id == t || a.tag == upper) {
                    Some(a) => {
                        if !ids.contains(&a.id) {
                            ids.push(a.id.clone())
                        }
                    }
                    None => inv.0.push(loket_domain::FieldError::with_value(
                        "assets",
                        "asset-tag-unknown",
                        t.to_owned(),
                    )),
                }
            }
        }
    } else if !req.category.trim().is_empty() {
        let count = req
            .count
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=500).contains(n));
        match (loket_domain::assets::parse_category(req.category), count) {
            (Ok(cat), Some(n)) => {
                let found = store::list_assets(
                    &app.store,
                    &store::AssetFilter {
                        category: cat.to_owned(),
                        status: "in_stock".to_owned(),
                        ..Default::default()
                    },
                    n,
                )
                .await?;
                if (found.len() as i64) < n {
                    inv.0.push(loket_domain::FieldError::with_value(
                        "count",
                        "asset-not-enough",
                        found.len().to_string(),
                    ));
                }
                ids = found.into_iter().map(|a| a.id).collect();
            }
            (Err(e), _) => inv.0.push(e),
            (_, None) => inv.push("count", "asset-count-range"),
        }
    } else {
        inv.push("assets", "asset-none-chosen");
    }
    inv.into_result()?;
    let Some(borrower) = borrower else {
        return Err(Invalid::one("person", "asset-person-or-place").into());
    };
    let mut tx = app.store.begin().await?;
    let id = store::check_out(&mut tx, actor, &ids, &borrower, req.due_on.trim()).await?;
    tx.commit().await.map_err(StoreError::from)?;
    metrics::counter!("loket_asset_loans_total").increment(ids.len() as u64);
    Ok(id)
}

/// The most items a hand-over's page and document list (by due date, then
/// tag); a hand-over with more says so.
pub const HANDOVER_ITEMS_SHOWN: usize = 1000;

/// A hand-over's items, the first [`HANDOVER_ITEMS_SHOWN`], and what its
/// page and document say when it holds more ('' when every item is listed).
pub async fn handover_items(
    app: &App,
    locale: Locale,
    id: &str,
) -> Result<(Vec<store::Loan>, String), Refusal> {
    let mut items = store::loans(
        &app.store,
        "",
        id,
        false,
        "",
        HANDOVER_ITEMS_SHOWN as i64 + 1,
    )
    .await?;
    let more = if items.len() > HANDOVER_ITEMS_SHOWN {
        items.truncate(HANDOVER_ITEMS_SHOWN);
        locale.t_args(
            "asset-handover-more",
            &[("count", HANDOVER_ITEMS_SHOWN.to_string())],
        )
    } else {
        String::new()
    };
    Ok((items, more))
}

/// The hand-over document in `locale`.
pub async fn handover_doc(app: &App, locale: Locale, id: &str) -> Result<HandoverDoc, Refusal> {
    let h = store::handover(&app.store, id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let (items, more) = handover_items(app, locale, id).await?;
    let to = match &h.borrower_user_id {
        Some(u) => people_store::get_user(&app.store, u)
            .await?
            .map(|u| format!("{} <{}>", u.name, u.email))
            .unwrap_or_default(),
        None => h.place.clone(),
    };
    let by = people_store::get_user(&app.store, &h.created_by)
        .await?
        .map(|u| u.name)
        .unwrap_or_else(|| h.created_by.clone());
    let t = |k: &str| locale.t(k);
    Ok(HandoverDoc {
        title: t("asset-handover-title"),
        city: app.config.city_name.clone(),
        lang: locale.code().to_owned(),
        id: h.id.clone(),
        to,
        date: format_ms(h.created_at),
        by,
        to_label: t("asset-handover-to"),
        date_label: t("asset-handover-date"),
        by_label: t("asset-handover-by"),
        number_label: t("asset-handover-number"),
        col_tag: t("field-tag"),
        col_category: t("field-category"),
        col_model: t("field-model"),
        col_serial: t("field-serial"),
        col_due: t("field-due-on"),
        terms: t("asset-handover-terms"),
        ack_label: t("asset-handover-ack"),
        acknowledged: h.acknowledged_at.map(format_ms).unwrap_or_default(),
        unack: t("asset-handover-unack"),
        items: items
            .into_iter()
            .map(|l| HandoverItem {
                category: t(&format!("asset-cat-{}", l.category.replace('_', "-"))),
                tag: l.tag,
                model: l.model,
                serial: l.serial,
                due: l.due_on,
            })
            .collect(),
        more,
    })
}

/// Today's date as typst wants it.
pub fn today_tuple() -> (i32, u8, u8) {
    let d = today_brussels();
    (
        i32::from(d.year()),
        u8::try_from(d.month()).unwrap_or(1),
        u8::try_from(d.day()).unwrap_or(1),
    )
}

/// Checks an asset in; refused (nothing changes) if it is not on loan.
pub async fn check_in_asset(
    app: &App,
    actor: &Actor,
    id: &str,
    note: &str,
    location: &str,
) -> Result<(), Refusal> {
    let mut inv = Invalid::default();
    if note.chars().count() > 500
        || note
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        inv.push("condition_note", "asset-text-invalid");
    }
    let location = if location.trim().is_empty() {
        store::STOCK_LOCATION.to_owned()
    } else {
        location.trim().to_owned()
    };
    if location.chars().count() > 120 {
        inv.push("location", "asset-text-invalid");
    }
    inv.into_result()?;
    let asset = store::get_asset(&app.store, id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let mut tx = app.store.begin().await?;
    store::check_in(&mut tx, actor, &asset.id, note.trim(), &location).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Adds assets, all or none (one from the form, or a whole import); returns
/// their ids.
pub async fn add_assets(
    app: &App,
    actor: &Actor,
    assets: &[loket_domain::assets::NewAsset],
) -> Result<Vec<String>, Refusal> {
    let mut tx = app.store.begin().await?;
    let mut ids = Vec::with_capacity(assets.len());
    for a in assets {
        ids.push(store::add_asset(&mut tx, actor, a).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Sets an asset's status (not "on loan": a check-out does that).
pub async fn set_status(
    app: &App,
    actor: &Actor,
    asset_id: &str,
    status: loket_domain::assets::AssetStatus,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::set_status(&mut tx, actor, asset_id, status.as_str()).await?;
    tx.commit().await?;
    Ok(())
}

/// The staff member acknowledges a hand-over.
pub async fn acknowledge(
    app: &App,
    actor: &Actor,
    handover_id: &str,
    user_id: &str,
) -> Result<(), Refusal> {
    let mut tx = app.store.begin().await?;
    store::acknowledge(&mut tx, actor, handover_id, user_id).await?;
    tx.commit().await?;
    Ok(())
}

/// An audit of a place by scanning: what was found (`present`) and the
/// reconciliation (JSON) are kept, with the next audit a year on.
pub async fn save_audit(
    app: &App,
    actor: &Actor,
    location: &str,
    present: &[String],
    result_json: &str,
) -> Result<(), Refusal> {
    let today = today_brussels();
    let next = today.checked_add(jiff::ToSpan::days(365)).unwrap_or(today);
    let mut tx = app.store.begin().await?;
    store::save_audit(
        &mut tx,
        actor,
        location,
        present,
        &today.to_string(),
        &next.to_string(),
        result_json,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
