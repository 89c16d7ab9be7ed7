//! Cases: numbers, submission, status and the back office.

use super::*;

/// A case as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    pub id: String,
    pub number: String,
    pub service_id: String,
    pub service_version: i64,
    pub resident_id: String,
    pub channel: String,
    pub assisted_by: Option<String>,
    pub status: String,
    pub data: BTreeMap<String, String>,
    pub department: String,
    pub assignee_id: Option<String>,
    pub submitted_at: i64,
    pub due_date: String,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    /// How the submitter was identified: `eid`, `password`, `counter`
    /// (staff at the counter or on the phone), `api`; none before 0015.
    pub identified_by: Option<String>,
    /// Only the privacy officer sees a restricted case (an erasure kept it
    /// for a legal period, or processing is restricted on request): to
    /// everyone else it does not exist.
    pub restricted_at: Option<i64>,
    /// When its personal data was removed (erasure or retention).
    pub anonymised_at: Option<i64>,
}

impl Case {
    pub fn is_restricted(&self) -> bool {
        self.restricted_at.is_some()
    }
}

pub(super) const CASE_COLUMNS: &str = "id, number, service_id, service_version, resident_id, channel, assisted_by, status, data, \
     department, assignee_id, submitted_at, due_date, updated_at, closed_at, identified_by, restricted_at, anonymised_at";

pub(super) fn decode_case(r: &sqlx::any::AnyRow) -> Result<Case> {
    let data: String = r.try_get("data")?;
    Ok(Case {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        service_id: r.try_get("service_id")?,
        service_version: r.try_get("service_version")?,
        resident_id: r.try_get("resident_id")?,
        channel: r.try_get("channel")?,
        assisted_by: r.try_get("assisted_by")?,
        identified_by: r.try_get("identified_by")?,
        status: r.try_get("status")?,
        data: serde_json::from_str(&data)
            .map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))?,
        department: r.try_get("department")?,
        assignee_id: r.try_get("assignee_id")?,
        submitted_at: r.try_get("submitted_at")?,
        due_date: r.try_get("due_date")?,
        updated_at: r.try_get("updated_at")?,
        closed_at: r.try_get("closed_at")?,
        restricted_at: r.try_get("restricted_at")?,
        anonymised_at: r.try_get("anonymised_at")?,
    })
}

/// What a new case needs; `data` was validated by the service's rules.
pub struct NewCase<'a> {
    pub service: &'a Service,
    pub resident_id: &'a str,
    pub channel: Channel,
    pub assisted_by: Option<&'a str>,
    /// How the submitter was identified (see [`Case::identified_by`]).
    pub identified_by: &'a str,
    pub data: &'a BTreeMap<String, String>,
    pub year: i16,
    pub due_date: &'a str,
}

/// The next case number of `year`, atomically (a counter row per year).
pub(super) async fn next_number(tx: &mut Tx, year: i16) -> Result<i64> {
    crate::capacity::next_in_year(tx, "case_counters", i64::from(year)).await
}

/// Creates a case in the service's initial state, with its first timeline
/// event and audit row. Returns the case.
pub async fn create_case(tx: &mut Tx, actor: &Actor, new: NewCase<'_>) -> Result<Case> {
    let id = new_id();
    let n = next_number(tx, new.year).await?;
    let number = case_number(new.year, n);
    let now = now_ms();
    let data = serde_json::to_string(new.data)
        .map_err(|e| StoreError::Db(sqlx::Error::Encode(Box::new(e))))?;
    let def = &new.service.def;
    sqlx::query(
        "INSERT INTO cases (id, number, service_id, service_version, resident_id, channel, assisted_by, status, data, \
         department, submitted_at, due_date, updated_at, identified_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $13)",
    )
    .bind(&id)
    .bind(&number)
    .bind(&new.service.id)
    .bind(new.service.version)
    .bind(new.resident_id)
    .bind(new.channel.as_str())
    .bind(new.assisted_by.map(str::to_owned))
    .bind(&def.initial)
    .bind(&data)
    .bind(&def.department)
    .bind(now)
    .bind(new.due_date)
    .bind(new.identified_by)
    .execute(&mut **tx)
    .await?;
    add_event(
        tx,
        &id,
        Event {
            kind: "submitted",
            from_status: None,
            to_status: Some(&def.initial),
            transition: None,
            actor_id: actor.user_id(),
            body: None,
            internal: false,
        },
    )
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "case.submit",
            record_type: "case",
            record_id: &number,
            subject_user_id: Some(new.resident_id),
            before: None,
            after: Some(json!({ "service": def.slug, "version": new.service.version,
                               "channel": new.channel.as_str(), "status": def.initial,
                               "identified_by": new.identified_by })),
        },
    )
    .await?;
    get_case_tx(tx, &number).await?.ok_or(StoreError::NotFound)
}

pub(super) async fn get_case_tx(tx: &mut Tx, number: &str) -> Result<Option<Case>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE number = $1"
    )))
    .bind(number)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(decode_case).transpose()
}

pub async fn get_case(store: &Store, number: &str) -> Result<Option<Case>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE number = $1"
    )))
    .bind(number)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_case).transpose()
}

/// A case by its id.
pub async fn case_by_id(store: &Store, id: &str) -> Result<Option<Case>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(decode_case).transpose()
}

/// A resident's cases' cursors: newest first, keyset on (submitted_at, number).
pub const RESIDENT_PAGING: Spec = Spec {
    list: "cases.resident",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of a resident's cases, newest first; `status` '' for every status.
pub async fn resident_cases(
    store: &Store,
    resident_id: &str,
    status: &str,
    pq: &PageQuery,
) -> Result<Page<Case>> {
    paging::Select::new(
        format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE resident_id = $1 AND ($2 = '' OR status = $2)"
        ),
        &["submitted_at", "number"],
        Order::Desc,
    )
    .arg(resident_id)
    .arg(status)
    .page(store, pq, &RESIDENT_PAGING, decode_case, |c| {
        vec![Key::Int(c.submitted_at), Key::from(c.number.as_str())]
    })
    .await
}

/// How many cases [`resident_cases`] pages through, up to `cap`.
pub async fn resident_cases_total(
    store: &Store,
    resident_id: &str,
    status: &str,
    cap: i64,
) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM cases WHERE resident_id = $1 AND ($2 = '' OR status = $2) LIMIT $3) t",
    )
    .bind(resident_id)
    .bind(status)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// The cursors of a resident's file for staff: newest first, keyset on
/// (submitted_at, number).
pub const FILE_PAGING: Spec = Spec {
    list: "cases.resident_file",
    keys: &[KeyKind::Int, KeyKind::Text],
};

/// One page of a resident's cases as staff see them in the resident's
/// file, newest first: every case but the restricted ones (those are the
/// privacy officer's alone).
pub async fn file_cases(store: &Store, resident_id: &str, pq: &PageQuery) -> Result<Page<Case>> {
    paging::Select::new(
        format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE resident_id = $1 AND restricted_at IS NULL"
        ),
        &["submitted_at", "number"],
        Order::Desc,
    )
    .arg(resident_id)
    .page(store, pq, &FILE_PAGING, decode_case, |c| {
        vec![Key::Int(c.submitted_at), Key::from(c.number.as_str())]
    })
    .await
}

/// How many cases [`file_cases`] pages through, up to `cap`.
pub async fn file_cases_total(store: &Store, resident_id: &str, cap: i64) -> Result<Total> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM cases WHERE resident_id = $1 \
         AND restricted_at IS NULL LIMIT $2) t",
    )
    .bind(resident_id)
    .bind(paging::count_limit(cap))
    .fetch_one(store.pool())
    .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// Filters for the back office's work queue ('' matches everything).
#[derive(Debug, Default, Clone)]
pub struct QueueFilter {
    pub department: String,
    pub service_id: String,
    pub status: String,
    pub assignee_id: String,
    /// Only open cases whose due date is before this date (`YYYY-MM-DD`).
    pub overdue_before: String,
    pub open_only: bool,
    /// Rows on the page (1 to 1000; pages and the API allow up to 200).
    pub limit: i64,
    /// Need to know: only the departments of this staff account
    /// (`staff_departments`); '' for every department.
    pub viewer: String,
    /// Where the page starts (a cursor of [`QUEUE_PAGING`]); None: the first page.
    pub cursor: Option<Cursor>,
}

/// The work queue's cursors: keyset on (due date, number).
pub const QUEUE_PAGING: Spec = Spec {
    list: "cases.queue",
    keys: &[KeyKind::Text, KeyKind::Text],
};

/// The work queue's WHERE clause: only the filters that are given, each a
/// plain condition, with its parameters numbered from `$1` in the order
/// of [`QueueWhere::params`].
///
/// The optional form `($2 = '' OR service_id = $2)` reads the whole table
/// and sorts it, on SQLite and in PostgreSQL's generic plans alike; and
/// every optional term names a column, which SQLite then reads from the
/// table for each row even when the term is true by its parameter. With
/// only the given filters, a queue by service and status is the range
/// (service_id, status) of the partial index `cases_queue_open` (migration
/// 0026: the cases not restricted, in due-date order), and its count reads
/// that index alone.
struct QueueWhere {
    sql: String,
    /// The values of `$1`, `$2`, … (every filter is text).
    params: Vec<String>,
}

fn queue_where(f: &QueueFilter) -> QueueWhere {
    let mut sql = String::from("restricted_at IS NULL");
    let mut params = Vec::new();
    let text = |cond: &str, value: &str, sql: &mut String, params: &mut Vec<String>| {
        params.push(value.to_owned());
        sql.push_str(" AND ");
        sql.push_str(&cond.replace("$?", &format!("${}", params.len())));
    };
    if !f.department.is_empty() {
        text("department = $?", &f.department, &mut sql, &mut params);
    }
    if !f.service_id.is_empty() {
        text("service_id = $?", &f.service_id, &mut sql, &mut params);
    }
    if !f.status.is_empty() {
        text("status = $?", &f.status, &mut sql, &mut params);
    }
    if !f.assignee_id.is_empty() {
        text("assignee_id = $?", &f.assignee_id, &mut sql, &mut params);
    }
    if !f.overdue_before.is_empty() {
        text(
            "due_date < $? AND closed_at IS NULL",
            &f.overdue_before,
            &mut sql,
            &mut params,
        );
    }
    if f.open_only {
        sql.push_str(" AND closed_at IS NULL");
    }
    if !f.viewer.is_empty() {
        text(
            "department IN (SELECT department FROM staff_departments WHERE user_id = $?)",
            &f.viewer,
            &mut sql,
            &mut params,
        );
    }
    QueueWhere { sql, params }
}

impl QueueWhere {
    /// The first free parameter number.
    fn next(&self) -> usize {
        self.params.len() + 1
    }

    fn bind<'q>(
        &self,
        mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        for p in &self.params {
            q = q.bind(p.clone());
        }
        q
    }
}

/// The work queue, one page: sorted by due date, then number (keyset
/// paging on both, so cases sharing a due date are neither skipped nor
/// repeated).
pub async fn queue(store: &Store, f: &QueueFilter) -> Result<Page<Case>> {
    let pq = PageQuery {
        cursor: f.cursor.clone(),
        limit: f.limit.clamp(1, 1000),
    };
    let w = queue_where(f);
    paging::Select::new(
        format!("SELECT {CASE_COLUMNS} FROM cases WHERE {}", w.sql),
        &["due_date", "number"],
        Order::Asc,
    )
    .args(w.params)
    .page(store, &pq, &QUEUE_PAGING, decode_case, |c| {
        vec![Key::from(c.due_date.as_str()), Key::from(c.number.as_str())]
    })
    .await
}

/// How many cases the work queue holds with these filters (the cursor and
/// limit aside): exact up to `cap`, else "more than `cap`".
pub async fn queue_total(store: &Store, f: &QueueFilter, cap: i64) -> Result<Total> {
    let w = queue_where(f);
    let q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM cases WHERE {} LIMIT ${}) t",
        w.sql,
        w.next()
    )));
    let row = w
        .bind(q)
        .bind(paging::count_limit(cap))
        .fetch_one(store.pool())
        .await?;
    Ok(Total::capped(row.try_get("n")?, cap))
}

/// Open cases past their due date; with a `viewer`, only those of the
/// viewer's departments (need to know; '' counts every department).
pub async fn overdue_count(
    store: &Store,
    department: &str,
    today: &str,
    viewer: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM cases WHERE ($1 = '' OR department = $1) AND closed_at IS NULL AND due_date < $2 \
         AND restricted_at IS NULL AND ($3 = '' OR department IN (SELECT department FROM staff_departments WHERE user_id = $3))",
    )
    .bind(department)
    .bind(today)
    .bind(viewer)
    .fetch_one(store.pool())
    .await?;
    Ok(row.try_get("n")?)
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct CaseEvent {
    pub id: String,
    pub at: i64,
    /// `submitted`, `transition`, `message_in` (from the resident),
    /// `message_out` (to the resident), `note` (internal), `assigned`.
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub transition: Option<String>,
    pub actor_id: Option<String>,
    pub body: Option<String>,
    pub internal: bool,
}

pub struct Event<'a> {
    pub kind: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: Option<&'a str>,
    pub transition: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    pub body: Option<&'a str>,
    pub internal: bool,
}

pub(super) async fn add_event(tx: &mut Tx, case_id: &str, e: Event<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_events (id, case_id, at, kind, from_status, to_status, transition, actor_id, body, internal) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(case_id)
    .bind(now_ms())
    .bind(e.kind)
    .bind(e.from_status.map(str::to_owned))
    .bind(e.to_status.map(str::to_owned))
    .bind(e.transition.map(str::to_owned))
    .bind(e.actor_id.map(str::to_owned))
    .bind(e.body.map(str::to_owned))
    .bind(i64::from(e.internal))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A case's timeline, oldest first; internal notes only when asked.
pub async fn events(store: &Store, case_id: &str, with_internal: bool) -> Result<Vec<CaseEvent>> {
    let rows = sqlx::query(
        "SELECT id, at, kind, from_status, to_status, transition, actor_id, body, internal FROM case_events \
         WHERE case_id = $1 AND ($2 = 1 OR internal = 0) ORDER BY at, id",
    )
    .bind(case_id)
    .bind(i64::from(with_internal))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CaseEvent {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                kind: r.try_get("kind")?,
                from_status: r.try_get("from_status")?,
                to_status: r.try_get("to_status")?,
                transition: r.try_get("transition")?,
                actor_id: r.try_get("actor_id")?,
                body: r.try_get("body")?,
                internal: r.try_get::<i64, _>("internal")? != 0,
            })
        })
        .collect()
}

/// The timelines of many cases in one read per 500 cases (a list of cases
/// with their events: the work queue, a resident's cases): case id →
/// events, each in `at, id` order.
pub async fn events_of_cases(
    store: &Store,
    case_ids: &[&str],
    with_internal: bool,
) -> Result<std::collections::HashMap<String, Vec<CaseEvent>>> {
    const PER: usize = 500;
    let mut out: std::collections::HashMap<String, Vec<CaseEvent>> =
        std::collections::HashMap::new();
    for part in case_ids.chunks(PER) {
        // A fixed number of places (unused ones hold ''), so every read
        // is the same statement.
        let mut sql = String::from(
            "SELECT case_id, id, at, kind, from_status, to_status, transition, actor_id, body, internal \
             FROM case_events WHERE ($1 = 1 OR internal = 0) AND case_id IN (",
        );
        for i in 0..PER {
            sql.push_str(&format!("{}${}", if i == 0 { "" } else { ", " }, i + 2));
        }
        sql.push_str(") ORDER BY case_id, at, id");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(with_internal));
        for i in 0..PER {
            q = q.bind(part.get(i).copied().unwrap_or_default().to_owned());
        }
        for r in q.fetch_all(store.pool()).await? {
            out.entry(r.try_get("case_id")?)
                .or_default()
                .push(CaseEvent {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    kind: r.try_get("kind")?,
                    from_status: r.try_get("from_status")?,
                    to_status: r.try_get("to_status")?,
                    transition: r.try_get("transition")?,
                    actor_id: r.try_get("actor_id")?,
                    body: r.try_get("body")?,
                    internal: r.try_get::<i64, _>("internal")? != 0,
                });
        }
    }
    Ok(out)
}

/// Takes a transition. The status is compared and set in one statement, so
/// two handlers acting at once cannot both move the case: the second gets a
/// `case-changed` field error and nothing changes.
pub async fn transition(
    tx: &mut Tx,
    actor: &Actor,
    case: &Case,
    t: &TransitionDef,
    to_is_final: bool,
    reason: &str,
) -> Result<()> {
    let now = now_ms();
    let n = sqlx::query(
        "UPDATE cases SET status = $1, updated_at = $2, closed_at = $3 WHERE id = $4 AND status = $5",
    )
    .bind(&t.to)
    .bind(now)
    .bind(to_is_final.then_some(now))
    .bind(&case.id)
    .bind(&case.status)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Invalid(Invalid::one(
            "transition",
            "case-changed",
        )));
    }
    let reason = reason.trim();
    add_event(
        tx,
        &case.id,
        Event {
            kind: "transition",
            from_status: Some(&case.status),
            to_status: Some(&t.to),
            transition: Some(&t.key),
            actor_id: actor.user_id(),
            body: (!reason.is_empty()).then_some(reason),
            internal: false,
        },
    )
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "case.transition",
            record_type: "case",
            record_id: &case.number,
            subject_user_id: Some(&case.resident_id),
            before: Some(json!({ "status": case.status })),
            after: Some(json!({ "status": t.to, "transition": t.key })),
        },
    )
    .await
}

/// Adds a message or an internal note to the timeline.
pub async fn add_message(
    tx: &mut Tx,
    actor: &Actor,
    case: &Case,
    kind: &str,
    body: &str,
) -> Result<()> {
    let internal = kind == "note";
    add_event(
        tx,
        &case.id,
        Event {
            kind,
            from_status: None,
            to_status: None,
            transition: None,
            actor_id: actor.user_id(),
            body: Some(body),
            internal,
        },
    )
    .await?;
    sqlx::query("UPDATE cases SET updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(&case.id)
        .execute(&mut **tx)
        .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: match kind {
                "note" => "case.note",
                "message_in" => "case.message_in",
                _ => "case.message_out",
            },
            record_type: "case",
            record_id: &case.number,
            subject_user_id: Some(&case.resident_id),
            before: None,
            after: Some(json!({ "length": body.chars().count() })),
        },
    )
    .await
}

/// Assigns a case to a handler (or to nobody).
pub async fn assign(tx: &mut Tx, actor: &Actor, case: &Case, assignee: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE cases SET assignee_id = $1, updated_at = $2 WHERE id = $3")
        .bind(assignee.map(str::to_owned))
        .bind(now_ms())
        .bind(&case.id)
        .execute(&mut **tx)
        .await?;
    add_event(
        tx,
        &case.id,
        Event {
            kind: "assigned",
            from_status: None,
            to_status: None,
            transition: None,
            actor_id: actor.user_id(),
            body: assignee,
            internal: true,
        },
    )
    .await?;
    audit::record(
        tx,
        actor,
        Change {
            action: "case.assign",
            record_type: "case",
            record_id: &case.number,
            subject_user_id: Some(&case.resident_id),
            before: Some(json!({ "assignee": case.assignee_id })),
            after: Some(json!({ "assignee": assignee })),
        },
    )
    .await
}

/// What waits for one case handler (the staff home's work screen).
#[derive(Debug, Clone, Default, Serialize)]
pub struct HandlerWork {
    /// Open cases assigned to them, due from `today` up to `until`.
    pub mine_due: i64,
    /// Open cases assigned to them, past their due date.
    pub mine_overdue: i64,
    /// Open cases of their departments that nobody has taken.
    pub unassigned: i64,
}

/// The counts of [`HandlerWork`] in one query. `viewer` is the need-to-know
/// filter of the unassigned count ('' for every department).
pub async fn handler_work(
    store: &Store,
    user_id: &str,
    today: &str,
    until: &str,
    viewer: &str,
) -> Result<HandlerWork> {
    let row = sqlx::query(
        "SELECT \
           CAST(COALESCE(SUM(CASE WHEN assignee_id = $1 AND due_date >= $2 AND due_date <= $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS mine_due, \
           CAST(COALESCE(SUM(CASE WHEN assignee_id = $1 AND due_date < $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS mine_overdue, \
           CAST(COALESCE(SUM(CASE WHEN assignee_id IS NULL \
               AND ($4 = '' OR department IN (SELECT department FROM staff_departments WHERE user_id = $4)) \
               THEN 1 ELSE 0 END), 0) AS BIGINT) AS unassigned \
         FROM cases WHERE closed_at IS NULL AND restricted_at IS NULL \
           AND (assignee_id = $1 OR assignee_id IS NULL)",
    )
    .bind(user_id)
    .bind(today)
    .bind(until)
    .bind(viewer)
    .fetch_one(store.pool())
    .await?;
    Ok(HandlerWork {
        mine_due: row.try_get("mine_due")?,
        mine_overdue: row.try_get("mine_overdue")?,
        unassigned: row.try_get("unassigned")?,
    })
}
