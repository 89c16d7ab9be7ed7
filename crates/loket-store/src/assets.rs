//! The ICT inventory: assets, loans (to a staff member or a place),
//! hand-over documents with their acknowledgement, and audits.
//!
//! **An asset is never on loan twice.** A check-out takes the asset with a
//! conditional `UPDATE assets SET status = 'on_loan' … WHERE id = $1 AND
//! status = 'in_stock' RETURNING id` in the transaction that writes the
//! loan: on PostgreSQL the row lock makes a second transaction re-check the
//! condition after the first commits (and find it false); on SQLite the
//! write transaction serialises writers. A partial unique index on open
//! loans (`asset_loans_open`) is the second wall.

use crate::audit::{self, Change};
use crate::paging::{self, Order};
use crate::{Result, Store, StoreError, Tx, new_id, now_ms};
use loket_domain::Invalid;
use loket_domain::assets::{AssetStatus, NewAsset};
use loket_domain::audit::Actor;
use loket_domain::paging::{Key, KeyKind, Page, PageQuery, Spec, Total};
use loket_domain::validation::FieldError;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// Where returned material goes unless told otherwise.
pub const STOCK_LOCATION: &str = "ICT-magazijn";

#[derive(Debug, Clone, Serialize)]
pub struct Asset {
    pub id: String,
    pub tag: String,
    pub category: String,
    pub serial: String,
    pub model: String,
    pub purchase_date: String,
    pub price_cents: i64,
    pub status: AssetStatus,
    pub location: String,
    pub current_loan_id: Option<String>,
    pub last_audit_on: Option<String>,
    pub next_audit_on: Option<String>,
}

fn asset_of(r: &AnyRow) -> Result<Asset> {
    Ok(Asset {
        id: r.try_get("id")?,
        tag: r.try_get("tag")?,
        category: r.try_get("category")?,
        serial: r.try_get("serial")?,
        model: r.try_get("model")?,
        purchase_date: r.try_get("purchase_date")?,
        price_cents: r.try_get("price_cents")?,
        status: crate::status(r, "status")?,
        location: r.try_get("location")?,
        current_loan_id: r.try_get("current_loan_id")?,
        last_audit_on: r.try_get("last_audit_on")?,
        next_audit_on: r.try_get("next_audit_on")?,
    })
}

/// Adds one asset (in stock). A tag already in use is a field error.
pub async fn add_asset(tx: &mut Tx, actor: &Actor, a: &NewAsset) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO assets (id, tag, category, serial, model, purchase_date, price_cents, status, location, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'in_stock', $8, $9, $9)",
    )
    .bind(&id)
    .bind(&a.tag)
    .bind(a.category)
    .bind(&a.serial)
    .bind(&a.model)
    .bind(&a.purchase_date)
    .bind(a.price_cents)
    .bind(&a.location)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|e| match crate::unique_to_field(e, "tag", "asset-tag-taken") {
        StoreError::Conflict(_) => StoreError::Conflict(Invalid(vec![FieldError::with_value(
            "tag",
            "asset-tag-taken",
            a.tag.clone(),
        )])),
        other => other,
    })?;
    audit::record(
        tx,
        actor,
        Change {
            action: "assets.add",
            record_type: "asset",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"tag": a.tag, "category": a.category, "model": a.model, "location": a.location})),
        },
    )
    .await?;
    Ok(id)
}

/// The tags of `tags` that are already in use.
pub async fn existing_tags(store: &Store, tags: &[String]) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT tag FROM assets")
        .fetch_all(store.pool())
        .await?;
    let mut known = std::collections::BTreeSet::new();
    for r in &rows {
        known.insert(r.try_get::<String, _>("tag")?);
    }
    Ok(tags
        .iter()
        .filter(|t| known.contains(*t))
        .cloned()
        .collect())
}

/// Filters for the asset list; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    /// Part of the tag, serial or model.
    pub q: String,
    pub category: String,
    pub status: String,
    pub location: String,
}

pub async fn list_assets(store: &Store, f: &AssetFilter, limit: i64) -> Result<Vec<Asset>> {
    let like = format!("%{}%", f.q.trim().to_lowercase());
    let rows = sqlx::query(
        "SELECT id, tag, category, serial, model, purchase_date, price_cents, status, location, \
         current_loan_id, last_audit_on, next_audit_on FROM assets \
         WHERE ($1 = '%%' OR LOWER(tag) LIKE $1 OR LOWER(serial) LIKE $1 OR LOWER(model) LIKE $1) \
         AND ($2 = '' OR category = $2) AND ($3 = '' OR status = $3) AND ($4 = '' OR location = $4) \
         ORDER BY tag LIMIT $5",
    )
    .bind(&like)
    .bind(&f.category)
    .bind(&f.status)
    .bind(&f.location)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(asset_of).collect()
}

/// The asset list's cursors: keyset on the (unique) tag.
pub const ASSET_PAGING: Spec = Spec {
    list: "assets",
    keys: &[KeyKind::Text],
};

const ASSET_WHERE: &str = "($1 = '%%' OR LOWER(tag) LIKE $1 OR LOWER(serial) LIKE $1 OR LOWER(model) LIKE $1) \
     AND ($2 = '' OR category = $2) AND ($3 = '' OR status = $3) AND ($4 = '' OR location = $4)";

/// The values of [`ASSET_WHERE`]'s `$1` to `$4`.
fn asset_filter_args(f: &AssetFilter) -> [String; 4] {
    [
        format!("%{}%", f.q.trim().to_lowercase()),
        f.category.clone(),
        f.status.clone(),
        f.location.clone(),
    ]
}

/// One page of the inventory, filtered, by tag.
pub async fn assets_page(store: &Store, f: &AssetFilter, pq: &PageQuery) -> Result<Page<Asset>> {
    paging::Select::new(
        format!(
            "SELECT id, tag, category, serial, model, purchase_date, price_cents, status, location, \
             current_loan_id, last_audit_on, next_audit_on FROM assets WHERE {ASSET_WHERE}"
        ),
        &["tag"],
        Order::Asc,
    )
    .args(asset_filter_args(f))
    .page(store, pq, &ASSET_PAGING, asset_of, |a| {
        vec![Key::from(a.tag.as_str())]
    })
    .await
}

/// How many assets [`assets_page`] pages through, up to `cap`.
pub async fn assets_total(store: &Store, f: &AssetFilter, cap: i64) -> Result<Total> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM assets WHERE {ASSET_WHERE} LIMIT $5) t"
    )));
    for v in asset_filter_args(f) {
        q = q.bind(v);
    }
    let row = q
        .bind(paging::count_limit(cap))
        .fetch_one(store.pool())
        .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// The assets on loan (open loans) to a place whose name starts with
/// `prefix`, e.g. `Vaccinatiecentrum` for the equipment on loan to the
/// vaccination centre: (place, tag, model, category), by place.
pub async fn on_loan_at(
    store: &Store,
    prefix: &str,
) -> Result<Vec<(String, String, String, String)>> {
    let rows = sqlx::query(
        "SELECT l.place, a.tag, a.model, a.category FROM asset_loans l JOIN assets a ON a.id = l.asset_id \
         WHERE l.in_at IS NULL AND SUBSTR(l.place, 1, LENGTH($1)) = $1 ORDER BY l.place, a.category, a.tag",
    )
    .bind(prefix)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("place")?,
                r.try_get("tag")?,
                r.try_get("model")?,
                r.try_get("category")?,
            ))
        })
        .collect()
}

/// An asset by id or tag.
pub async fn get_asset(store: &Store, key: &str) -> Result<Option<Asset>> {
    let row = sqlx::query(
        "SELECT id, tag, category, serial, model, purchase_date, price_cents, status, location, \
         current_loan_id, last_audit_on, next_audit_on FROM assets WHERE id = $1 OR tag = $2",
    )
    .bind(key)
    .bind(key.trim().to_ascii_uppercase())
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(asset_of).transpose()
}

/// The assets whose id or tag (upper-cased) is one of `keys`, in one
/// query (a padded `IN` list of bound parameters); the caller matches them
/// to its keys as [`get_asset`] would. Keep `keys` bounded: each is two
/// parameters.
pub async fn assets_by_keys(store: &Store, keys: &[String]) -> Result<Vec<Asset>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = keys.iter().map(|k| k.trim().to_owned()).collect();
    let mut tags: Vec<String> = keys.iter().map(|k| k.trim().to_ascii_uppercase()).collect();
    tags.sort();
    tags.dedup();
    let ids = crate::padded(&ids);
    let tags = crate::padded(&tags);
    let sql = format!(
        "SELECT id, tag, category, serial, model, purchase_date, price_cents, status, location, \
         current_loan_id, last_audit_on, next_audit_on FROM assets WHERE id IN {} OR tag IN {}",
        crate::placeholders(1, ids.len(), 1, ""),
        crate::placeholders(1, tags.len(), 1 + ids.len(), "")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for k in ids.into_iter().chain(tags) {
        q = q.bind(k.clone());
    }
    let rows = q.fetch_all(store.pool()).await?;
    rows.iter().map(asset_of).collect()
}

/// The registered locations, for filters and the audit.
pub async fn locations(store: &Store) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT DISTINCT location FROM assets ORDER BY location")
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(|r| Ok(r.try_get("location")?)).collect()
}

/// Counts per status, for the overview.
pub async fn status_counts(store: &Store) -> Result<Vec<(String, i64)>> {
    let rows =
        sqlx::query("SELECT status, COUNT(*) AS n FROM assets GROUP BY status ORDER BY status")
            .fetch_all(store.pool())
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
        .collect()
}

/// Sets the status of an asset that is not on loan (repair, lost, retired,
/// back in stock).
pub async fn set_status(tx: &mut Tx, actor: &Actor, asset_id: &str, status: &str) -> Result<()> {
    let done = sqlx::query(
        "UPDATE assets SET status = $2, updated_at = $3 WHERE id = $1 AND status <> 'on_loan' RETURNING id",
    )
    .bind(asset_id)
    .bind(status)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    if done.is_none() {
        return Err(Invalid::one("status", "asset-on-loan").into());
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "assets.status",
            record_type: "asset",
            record_id: asset_id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"status": status})),
        },
    )
    .await
}

// ---- loans ----

/// Who receives a check-out: a staff member or a place.
#[derive(Debug, Clone)]
pub enum Borrower {
    Person(String),
    Place(String),
}

/// Checks out every asset of `asset_ids` together, with one hand-over
/// document; returns its id. Any asset not in stock refuses the whole
/// check-out (the caller's transaction is rolled back).
pub async fn check_out(
    tx: &mut Tx,
    actor: &Actor,
    asset_ids: &[String],
    borrower: &Borrower,
    due_on: &str,
) -> Result<String> {
    let now = now_ms();
    let by = actor.user_id().unwrap_or("system").to_owned();
    let handover_id = new_id();
    let (user_id, place) = match borrower {
        Borrower::Person(u) => (Some(u.clone()), String::new()),
        Borrower::Place(p) => (None, p.clone()),
    };
    sqlx::query(
        "INSERT INTO asset_handovers (id, borrower_user_id, place, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&handover_id)
    .bind(user_id.clone())
    .bind(&place)
    .bind(now)
    .bind(&by)
    .execute(&mut **tx)
    .await?;
    for asset_id in asset_ids {
        let loan_id = new_id();
        let taken = sqlx::query(
            "UPDATE assets SET status = 'on_loan', current_loan_id = $2, \
             location = CASE WHEN $3 = '' THEN location ELSE $3 END, updated_at = $4 \
             WHERE id = $1 AND status = 'in_stock' RETURNING tag",
        )
        .bind(asset_id)
        .bind(&loan_id)
        .bind(&place)
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(taken) = taken else {
            let tag = sqlx::query("SELECT tag FROM assets WHERE id = $1")
                .bind(asset_id)
                .fetch_optional(&mut **tx)
                .await?
                .map(|r| r.try_get::<String, _>("tag"))
                .transpose()?
                .unwrap_or_else(|| asset_id.clone());
            return Err(Invalid(vec![FieldError::with_value(
                "assets",
                "asset-not-in-stock",
                tag,
            )])
            .into());
        };
        let tag: String = taken.try_get("tag")?;
        sqlx::query(
            "INSERT INTO asset_loans (id, asset_id, handover_id, borrower_user_id, place, out_at, due_on, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&loan_id)
        .bind(asset_id)
        .bind(&handover_id)
        .bind(user_id.clone())
        .bind(&place)
        .bind(now)
        .bind(due_on)
        .bind(&by)
        .execute(&mut **tx)
        .await
        .map_err(|e| match crate::unique_to_field(e, "assets", "asset-not-in-stock") {
            StoreError::Conflict(_) => Invalid(vec![FieldError::with_value(
                "assets",
                "asset-not-in-stock",
                tag.clone(),
            )])
            .into(),
            other => other,
        })?;
        audit::record(
            tx,
            actor,
            Change {
                action: "assets.check_out",
                record_type: "asset_loan",
                record_id: &loan_id,
                subject_user_id: user_id.as_deref(),
                before: Some(json!({"asset": tag, "status": "in_stock"})),
                after: Some(json!({"asset": tag, "status": "on_loan", "place": place, "due_on": due_on, "handover": handover_id})),
            },
        )
        .await?;
    }
    Ok(handover_id)
}

/// Checks an asset in with a condition note; refused if it is not on loan.
pub async fn check_in(
    tx: &mut Tx,
    actor: &Actor,
    asset_id: &str,
    condition_note: &str,
    location: &str,
) -> Result<String> {
    let now = now_ms();
    let loan = sqlx::query(
        "UPDATE asset_loans SET in_at = $2, condition_note = $3 WHERE asset_id = $1 AND in_at IS NULL \
         RETURNING id, borrower_user_id",
    )
    .bind(asset_id)
    .bind(now)
    .bind(condition_note)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(loan) = loan else {
        return Err(Invalid::one("asset", "asset-not-on-loan").into());
    };
    let loan_id: String = loan.try_get("id")?;
    let borrower: Option<String> = loan.try_get("borrower_user_id")?;
    let done = sqlx::query(
        "UPDATE assets SET status = 'in_stock', current_loan_id = NULL, location = $2, updated_at = $3 \
         WHERE id = $1 AND status = 'on_loan' RETURNING tag",
    )
    .bind(asset_id)
    .bind(location)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(done) = done else {
        return Err(Invalid::one("asset", "asset-not-on-loan").into());
    };
    let tag: String = done.try_get("tag")?;
    audit::record(
        tx,
        actor,
        Change {
            action: "assets.check_in",
            record_type: "asset_loan",
            record_id: &loan_id,
            subject_user_id: borrower.as_deref(),
            before: Some(json!({"asset": tag, "status": "on_loan"})),
            after: Some(json!({"asset": tag, "status": "in_stock", "condition": condition_note, "location": location})),
        },
    )
    .await?;
    Ok(loan_id)
}

/// A loan with its asset and borrower, as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct Loan {
    pub id: String,
    pub asset_id: String,
    pub tag: String,
    pub category: String,
    pub model: String,
    pub serial: String,
    pub handover_id: String,
    pub borrower_user_id: Option<String>,
    pub borrower_name: Option<String>,
    pub borrower_email: Option<String>,
    pub place: String,
    pub out_at: i64,
    pub due_on: String,
    pub in_at: Option<i64>,
    pub condition_note: String,
    pub acknowledged_at: Option<i64>,
}

fn loan_of(r: &AnyRow) -> Result<Loan> {
    Ok(Loan {
        id: r.try_get("id")?,
        asset_id: r.try_get("asset_id")?,
        tag: r.try_get("tag")?,
        category: r.try_get("category")?,
        model: r.try_get("model")?,
        serial: r.try_get("serial")?,
        handover_id: r.try_get("handover_id")?,
        borrower_user_id: r.try_get("borrower_user_id")?,
        borrower_name: r.try_get("borrower_name")?,
        borrower_email: r.try_get("borrower_email")?,
        place: r.try_get("place")?,
        out_at: r.try_get("out_at")?,
        due_on: r.try_get("due_on")?,
        in_at: r.try_get("in_at")?,
        condition_note: r.try_get("condition_note")?,
        acknowledged_at: r.try_get("acknowledged_at")?,
    })
}

/// Loans, filtered: by borrower (empty: all), by hand-over (empty: all),
/// open only, and due before `due_before` (empty: any).
pub async fn loans(
    store: &Store,
    borrower_user_id: &str,
    handover_id: &str,
    open_only: bool,
    due_before: &str,
    limit: i64,
) -> Result<Vec<Loan>> {
    let rows = sqlx::query(
        "SELECT l.id, l.asset_id, a.tag, a.category, a.model, a.serial, l.handover_id, l.borrower_user_id, \
         u.name AS borrower_name, u.email AS borrower_email, l.place, l.out_at, l.due_on, l.in_at, l.condition_note, h.acknowledged_at \
         FROM asset_loans l JOIN assets a ON a.id = l.asset_id \
         JOIN asset_handovers h ON h.id = l.handover_id \
         LEFT JOIN users u ON u.id = l.borrower_user_id \
         WHERE ($1 = '' OR l.borrower_user_id = $1) AND ($2 = '' OR l.handover_id = $2) \
         AND ($3 = 0 OR l.in_at IS NULL) AND ($4 = '' OR l.due_on < $4) \
         ORDER BY l.due_on, a.tag LIMIT $5",
    )
    .bind(borrower_user_id)
    .bind(handover_id)
    .bind(i64::from(open_only))
    .bind(due_before)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(loan_of).collect()
}

/// The loans open for `borrower_user_id`: the first `limit` of them (by due
/// date, then tag) and how many are open in all (exact), read by one
/// statement inside `tx` (the count is a window over the same rows, so a
/// loan made or returned meanwhile cannot make the two differ).
pub async fn open_loans_with_count(
    tx: &mut Tx,
    borrower_user_id: &str,
    limit: i64,
) -> Result<(Vec<Loan>, i64)> {
    let rows = sqlx::query(
        "SELECT l.id, l.asset_id, a.tag, a.category, a.model, a.serial, l.handover_id, l.borrower_user_id, \
         u.name AS borrower_name, u.email AS borrower_email, l.place, l.out_at, l.due_on, l.in_at, \
         l.condition_note, h.acknowledged_at, COUNT(*) OVER () AS open_total \
         FROM asset_loans l JOIN assets a ON a.id = l.asset_id \
         JOIN asset_handovers h ON h.id = l.handover_id \
         LEFT JOIN users u ON u.id = l.borrower_user_id \
         WHERE l.borrower_user_id = $1 AND l.in_at IS NULL \
         ORDER BY l.due_on, a.tag LIMIT $2",
    )
    .bind(borrower_user_id)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    let count = match rows.first() {
        Some(r) => r.try_get("open_total")?,
        None => 0,
    };
    Ok((rows.iter().map(loan_of).collect::<Result<_>>()?, count))
}

const LOAN_SELECT: &str = "SELECT l.id, l.asset_id, a.tag, a.category, a.model, a.serial, l.handover_id, \
     l.borrower_user_id, u.name AS borrower_name, u.email AS borrower_email, l.place, l.out_at, l.due_on, \
     l.in_at, l.condition_note, h.acknowledged_at \
     FROM asset_loans l JOIN assets a ON a.id = l.asset_id \
     JOIN asset_handovers h ON h.id = l.handover_id \
     LEFT JOIN users u ON u.id = l.borrower_user_id";

/// The overdue loans' cursors: keyset on (due_on, tag, loan id), longest
/// overdue first.
pub const OVERDUE_PAGING: Spec = Spec {
    list: "assets.overdue",
    keys: &[KeyKind::Text, KeyKind::Text, KeyKind::Text],
};

/// One page of the open loans due before `today` (`YYYY-MM-DD`), longest
/// overdue first.
pub async fn overdue_page(store: &Store, today: &str, pq: &PageQuery) -> Result<Page<Loan>> {
    paging::Select::new(
        format!("{LOAN_SELECT} WHERE l.in_at IS NULL AND l.due_on < $1"),
        &["l.due_on", "a.tag", "l.id"],
        Order::Asc,
    )
    .arg(today)
    .page(store, pq, &OVERDUE_PAGING, loan_of, |l| {
        vec![
            Key::from(l.due_on.as_str()),
            Key::from(l.tag.as_str()),
            Key::from(l.id.as_str()),
        ]
    })
    .await
}

/// How many loans [`overdue_page`] pages through, up to `cap`.
pub async fn overdue_total(store: &Store, today: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM asset_loans l \
         WHERE l.in_at IS NULL AND l.due_on < $1 LIMIT $2) t",
    )
    .bind(today)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// An asset's loan history's cursors: keyset on (out_at, loan id),
/// newest first.
pub const ASSET_LOANS_PAGING: Spec = Spec {
    list: "assets.asset_loans",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of an asset's loans, newest first (every check-out adds one,
/// so the history is paged like every other list that grows).
pub async fn asset_loans_page(store: &Store, asset_id: &str, pq: &PageQuery) -> Result<Page<Loan>> {
    paging::Select::new(
        format!("{LOAN_SELECT} WHERE l.asset_id = $1"),
        &["l.out_at", "l.id"],
        Order::Desc,
    )
    .arg(asset_id)
    .page(store, pq, &ASSET_LOANS_PAGING, loan_of, |l| {
        vec![Key::from(l.out_at), Key::from(l.id.as_str())]
    })
    .await
}

/// How many loans an asset has had, up to `cap`.
pub async fn asset_loans_total(store: &Store, asset_id: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM asset_loans WHERE asset_id = $1 LIMIT $2) t",
    )
    .bind(asset_id)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// A hand-over document's header.
#[derive(Debug, Clone, Serialize)]
pub struct Handover {
    pub id: String,
    pub borrower_user_id: Option<String>,
    pub place: String,
    pub created_at: i64,
    pub created_by: String,
    pub acknowledged_at: Option<i64>,
}

pub async fn handover(store: &Store, id: &str) -> Result<Option<Handover>> {
    let row = sqlx::query(
        "SELECT id, borrower_user_id, place, created_at, created_by, acknowledged_at FROM asset_handovers WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.map(|r| {
        Ok(Handover {
            id: r.try_get("id")?,
            borrower_user_id: r.try_get("borrower_user_id")?,
            place: r.try_get("place")?,
            created_at: r.try_get("created_at")?,
            created_by: r.try_get("created_by")?,
            acknowledged_at: r.try_get("acknowledged_at")?,
        })
    })
    .transpose()
}

/// The borrower acknowledges a hand-over (once).
pub async fn acknowledge(
    tx: &mut Tx,
    actor: &Actor,
    handover_id: &str,
    user_id: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE asset_handovers SET acknowledged_at = $3, acknowledged_by = $2 \
         WHERE id = $1 AND borrower_user_id = $2 AND acknowledged_at IS NULL RETURNING id",
    )
    .bind(handover_id)
    .bind(user_id)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    if done.is_none() {
        return Err(Invalid::one("handover", "asset-ack-not-open").into());
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "assets.acknowledge",
            record_type: "asset_handover",
            record_id: handover_id,
            subject_user_id: Some(user_id),
            before: None,
            after: Some(json!({"acknowledged": true})),
        },
    )
    .await
}

// ---- audits ----

/// Every tag with its registered location.
pub async fn register(store: &Store) -> Result<BTreeMap<String, String>> {
    let rows = sqlx::query("SELECT tag, location FROM assets WHERE status <> 'retired'")
        .fetch_all(store.pool())
        .await?;
    let mut m = BTreeMap::new();
    for r in &rows {
        m.insert(r.try_get("tag")?, r.try_get("location")?);
    }
    Ok(m)
}

/// Saves an audit's outcome and dates the assets confirmed present.
pub async fn save_audit(
    tx: &mut Tx,
    actor: &Actor,
    location: &str,
    present: &[String],
    today: &str,
    next: &str,
    result_json: &str,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO asset_audits (id, location, at, by_user, result_json) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(location)
    .bind(now_ms())
    .bind(actor.user_id().unwrap_or("system"))
    .bind(result_json)
    .execute(&mut **tx)
    .await?;
    for tag in present {
        sqlx::query("UPDATE assets SET last_audit_on = $2, next_audit_on = $3 WHERE tag = $1")
            .bind(tag)
            .bind(today)
            .bind(next)
            .execute(&mut **tx)
            .await?;
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "assets.audit",
            record_type: "asset_audit",
            record_id: &id,
            subject_user_id: None,
            before: None,
            after: Some(json!({"location": location, "present": present.len()})),
        },
    )
    .await?;
    Ok(id)
}

/// Staff accounts whose name or e-mail contains `q` (for loans to a person).
pub async fn search_staff(
    store: &Store,
    q: &str,
    limit: i64,
) -> Result<Vec<(String, String, String)>> {
    let like = format!("%{}%", q.trim().to_lowercase());
    let rows = sqlx::query(
        "SELECT DISTINCT u.id, u.name, u.email FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE r.role <> 'resident' AND (LOWER(u.name) LIKE $1 OR LOWER(u.email) LIKE $1) \
         ORDER BY u.name, u.email LIMIT $2",
    )
    .bind(&like)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("email")?)))
        .collect()
}

/// Loans not returned whose due day is before `today`: the work screen of
/// ICT.
pub async fn overdue_loans_count(store: &Store, today: &str) -> Result<i64> {
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM asset_loans WHERE in_at IS NULL AND due_on < $1")
            .bind(today)
            .fetch_one(store.pool())
            .await?;
    Ok(row.try_get("n")?)
}
