//! Issued documents and payment files (premiums).

use super::*;

/// A document Loket issued for a case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseDocument {
    pub id: String,
    pub case_id: String,
    /// `receipt`, `decision` or `permit`.
    pub kind: String,
    pub lang: String,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    #[serde(skip)]
    pub path: String,
    pub verify_code: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
}

pub(super) const DOC_COLUMNS: &str = "id, case_id, kind, lang, filename, size, sha256, path, verify_code, valid_from, valid_until, revoked_at, created_at";

pub(super) fn decode_document(r: &sqlx::any::AnyRow) -> Result<CaseDocument> {
    Ok(CaseDocument {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        kind: r.try_get("kind")?,
        lang: r.try_get("lang")?,
        filename: r.try_get("filename")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        path: r.try_get("path")?,
        verify_code: r.try_get("verify_code")?,
        valid_from: r.try_get("valid_from")?,
        valid_until: r.try_get("valid_until")?,
        revoked_at: r.try_get("revoked_at")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A verification code people can type: 16 characters of Crockford's
/// base32 (no I, L, O, U), 80 random bits, in groups of four.
pub fn new_verify_code() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes: [u8; 16] = rand::random();
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Normalises a typed verification code (case, spaces, look-alikes).
pub fn normalize_verify_code(input: &str) -> String {
    let cleaned: String = input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .take(16)
        .collect();
    cleaned
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// What an issued document is.
pub struct NewDocument<'a> {
    pub id: &'a str,
    pub case: &'a Case,
    pub kind: &'a str,
    pub lang: &'a str,
    pub filename: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub path: &'a str,
    pub verify_code: Option<&'a str>,
    pub valid_from: Option<&'a str>,
    pub valid_until: Option<&'a str>,
}

pub async fn add_document(tx: &mut Tx, actor: &Actor, d: NewDocument<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_documents (id, case_id, kind, lang, filename, size, sha256, path, verify_code, valid_from, valid_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(d.id)
    .bind(&d.case.id)
    .bind(d.kind)
    .bind(d.lang)
    .bind(d.filename)
    .bind(d.size)
    .bind(d.sha256)
    .bind(d.path)
    .bind(d.verify_code.map(str::to_owned))
    .bind(d.valid_from.map(str::to_owned))
    .bind(d.valid_until.map(str::to_owned))
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "case.document",
            record_type: "case",
            record_id: &d.case.number,
            subject_user_id: Some(&d.case.resident_id),
            before: None,
            after: Some(json!({ "document": d.id, "kind": d.kind, "sha256": d.sha256 })),
        },
    )
    .await
}

pub async fn case_documents(store: &Store, case_id: &str) -> Result<Vec<CaseDocument>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOC_COLUMNS} FROM case_documents WHERE case_id = $1 ORDER BY created_at, id"
    )))
    .bind(case_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_document).collect()
}

pub async fn get_document(store: &Store, id: &str) -> Result<Option<CaseDocument>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOC_COLUMNS} FROM case_documents WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_document).transpose()
}

pub async fn document_by_code(store: &Store, code: &str) -> Result<Option<CaseDocument>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOC_COLUMNS} FROM case_documents WHERE verify_code = $1"
    )))
    .bind(code)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_document).transpose()
}

// ---- payment files (premiums) ----

/// Open cases of a service in a status (e.g. approved premiums), oldest first.
pub async fn cases_in_status(store: &Store, service_id: &str, status: &str) -> Result<Vec<Case>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE service_id = $1 AND status = $2 AND restricted_at IS NULL ORDER BY submitted_at, id"
    )))
    .bind(service_id)
    .bind(status)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(decode_case).collect()
}

/// A SEPA payment file as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentExport {
    pub id: String,
    pub message_id: String,
    pub created_by: String,
    pub created_at: i64,
    pub execution_date: String,
    pub count: i64,
    pub total_cents: i64,
    pub sha256: String,
}

pub(super) const EXPORT_COLUMNS: &str =
    "id, message_id, created_by, created_at, execution_date, count, total_cents, sha256";

pub(super) fn decode_export(r: &sqlx::any::AnyRow) -> Result<PaymentExport> {
    Ok(PaymentExport {
        id: r.try_get("id")?,
        message_id: r.try_get("message_id")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        execution_date: r.try_get("execution_date")?,
        count: r.try_get("count")?,
        total_cents: r.try_get("total_cents")?,
        sha256: r.try_get("sha256")?,
    })
}

/// Records a payment file and the cases it pays. A case already in another
/// file makes the whole insert fail (`payment-already-exported`).
pub async fn add_export(
    tx: &mut Tx,
    actor: &Actor,
    export: &PaymentExport,
    xml: &str,
    items: &[(&Case, i64)],
) -> Result<()> {
    sqlx::query(
        "INSERT INTO payment_exports (id, message_id, created_by, created_at, execution_date, count, total_cents, sha256, xml) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&export.id)
    .bind(&export.message_id)
    .bind(&export.created_by)
    .bind(export.created_at)
    .bind(&export.execution_date)
    .bind(export.count)
    .bind(export.total_cents)
    .bind(&export.sha256)
    .bind(xml)
    .execute(&mut **tx)
    .await?;
    for (case, cents) in items {
        let n = sqlx::query(
            "INSERT INTO payment_export_items (export_id, case_id, amount_cents) VALUES ($1, $2, $3) \
             ON CONFLICT (case_id) DO NOTHING",
        )
        .bind(&export.id)
        .bind(&case.id)
        .bind(*cents)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Invalid(Invalid::one(
                "cases",
                "payment-already-exported",
            )));
        }
    }
    audit::record(
        tx,
        actor,
        Change {
            action: "payments.export",
            record_type: "payment_export",
            record_id: &export.id,
            subject_user_id: None,
            before: None,
            after: Some(json!({
                "message_id": export.message_id,
                "count": export.count,
                "total_cents": export.total_cents,
                "sha256": export.sha256,
                "cases": items.iter().map(|(c, _)| c.number.as_str()).collect::<Vec<_>>(),
            })),
        },
    )
    .await
}

/// The payment file list's cursors: keyset on (created_at, id), newest first.
pub const EXPORT_PAGING: Spec = Spec {
    list: "cases.payment_exports",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of the payment files made, newest first (the list grows with
/// every payment run, so it is paged like every other list).
pub async fn exports_page(store: &Store, pq: &PageQuery) -> Result<Page<PaymentExport>> {
    paging::Select::new(
        format!("SELECT {EXPORT_COLUMNS} FROM payment_exports WHERE 1 = 1"),
        &["created_at", "id"],
        Order::Desc,
    )
    .page(store, pq, &EXPORT_PAGING, decode_export, |e| {
        vec![Key::from(e.created_at), Key::from(e.id.as_str())]
    })
    .await
}

/// How many payment files [`exports_page`] pages through, up to `cap`.
pub async fn exports_total(store: &Store, cap: i64) -> Result<Total> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM payment_exports LIMIT $1) t")
        .bind(paging::count_limit(cap))
        .fetch_one(store.pool())
        .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// A payment file's row, without its XML.
pub async fn export_row(store: &Store, id: &str) -> Result<Option<PaymentExport>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {EXPORT_COLUMNS} FROM payment_exports WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_export).transpose()
}

/// A payment file with its XML and the residents it pays (for the access log).
pub async fn get_export(
    store: &Store,
    id: &str,
) -> Result<Option<(PaymentExport, String, Vec<String>)>> {
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {EXPORT_COLUMNS}, xml FROM payment_exports WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    else {
        return Ok(None);
    };
    let export = decode_export(&row)?;
    let xml: String = row.try_get("xml")?;
    let residents = sqlx::query(
        "SELECT c.resident_id FROM payment_export_items i JOIN cases c ON c.id = i.case_id WHERE i.export_id = $1",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>("resident_id"))
    .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Some((export, xml, residents)))
}

/// Moves a case's due date (the handling clock stood still while the case
/// waited for the resident).
pub async fn set_due_date(tx: &mut Tx, actor: &Actor, case: &Case, due: &str) -> Result<()> {
    sqlx::query("UPDATE cases SET due_date = $1 WHERE id = $2")
        .bind(due)
        .bind(&case.id)
        .execute(&mut **tx)
        .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "case.due_date",
            record_type: "case",
            record_id: &case.number,
            subject_user_id: Some(&case.resident_id),
            before: Some(json!({ "due_date": case.due_date })),
            after: Some(json!({ "due_date": due })),
        },
    )
    .await
}
