//! The database: one `sqlx::AnyPool`, one SQL text for SQLite and PostgreSQL.
//!
//! Write functions take a transaction (`&mut Tx`), so that a change, its audit
//! row and its outbox message commit together. Reads take the [`Store`].
//! The few places where the two dialects differ are named in [`Backend`].

pub mod appointments;
pub mod assets;
pub mod audit;
pub mod baseline;
pub mod bikes;
pub mod capacity;
pub mod cases;
pub mod contact;
pub mod dashboard;
pub mod history;
pub mod limits;
pub mod notify;
pub mod paging;
pub mod people;
pub mod privacy;
pub mod queue;
pub mod shifts;
pub mod telework;
pub mod vaccination;

pub use sqlx;

use loket_domain::Invalid;
use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Connection, Executor};
use std::time::Duration;

pub type Tx = sqlx::Transaction<'static, Any>;

/// `($1, $2), ($3, $4)…`: the rows of a multi-row `VALUES`, `rows` groups
/// of `width` numbered parameters, the first numbered `first`. Each group
/// may end in literal SQL of ours (`tail`, e.g. `, 0`).
pub(crate) fn placeholders(rows: usize, width: usize, first: usize, tail: &str) -> String {
    let mut s = String::with_capacity(rows * (width * 5 + 4 + tail.len()));
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..width {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&(first + r * width + c).to_string());
        }
        s.push_str(tail);
        s.push(')');
    }
    s
}

/// `sql` with its parameters written as SQLite binds them fastest, where
/// that is safe: on SQLite, a statement whose parameters appear in its
/// text exactly as `$1`, `$2`, … `$n`, each once and in that order, gets
/// plain `?` instead; anything else (PostgreSQL, a parameter used twice
/// or out of order, none at all) is returned as it is.
///
/// Why: SQLite takes `$1` as a parameter *named* "$1". Preparing a
/// statement looks each name up among the names before it, and sqlx asks
/// every parameter's name again when it binds, both linear scans: a
/// multi-row `INSERT` of n parameters costs O(n²) twice (a batch of 64
/// bookings binds 832 on one statement, on the one connection every write
/// waits for). A plain `?` has no name and is numbered by its place.
/// Quoted text (`'…'`, `"…"`) is skipped, so a `$` inside a literal or an
/// identifier is never taken for a parameter.
pub(crate) fn positional(backend: Backend, sql: String) -> String {
    if backend != Backend::Sqlite {
        return sql;
    }
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let (mut i, mut copied, mut expected) = (0usize, 0usize, 1usize);
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                // A quoted literal or identifier; a doubled quote stays inside.
                i += 1;
                while i < b.len() {
                    if b[i] == q {
                        if b.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'$' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if sql[start + 1..i].parse::<usize>().ok() != Some(expected) {
                    return sql;
                }
                expected += 1;
                out.push_str(&sql[copied..start]);
                out.push('?');
                copied = i;
            }
            _ => i += 1,
        }
    }
    if expected == 1 {
        return sql;
    }
    out.push_str(&sql[copied..]);
    out
}

/// `rows` cut into runs whose lengths are powers of two, largest first,
/// none longer than `max` (a power of two): 37 rows are 32, 4 and 1.
///
/// A multi-row statement's text depends on how many rows it has, and each
/// connection prepares a text once and keeps it (sqlx's statement cache,
/// 100 statements a connection). Cut this way, a batch's `INSERT`s come in
/// a handful of shapes that stay prepared, where one statement per row
/// count (1 to 64 for a booking batch) meant parsing a new statement of
/// hundreds of parameters for most batches, on the one connection every
/// SQLite write waits for: 7 % of a rush's samples went to preparing.
pub(crate) fn pow2_runs<T>(rows: &[T], max: usize) -> Vec<&[T]> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut rest = rows;
    while !rest.is_empty() {
        let n = rest.len().min(max);
        // The largest power of two not above n.
        let size = 1usize << (usize::BITS - 1 - n.leading_zeros());
        let (run, tail) = rest.split_at(size);
        out.push(run);
        rest = tail;
    }
    out
}

/// A query of ours with its values bound (sqlx 0.9 encodes a value when it
/// is bound, so the query borrows nothing).
pub(crate) type AnyQuery = sqlx::query::Query<'static, Any, sqlx::any::AnyArguments>;

/// A multi-row statement of ours, `head VALUES (…), (…) after`: each row is
/// `width` bound parameters followed by `tail` (literal SQL of ours, e.g.
/// `, 'pending', 0`). It holds the steps every multi-row statement takes,
/// so none can be forgotten: the rows cut into [`pow2_runs`] (a few shapes,
/// each prepared once per connection), the parameters numbered
/// ([`placeholders`]), and on SQLite written as plain `?` ([`positional`]).
/// Only parameter numbers are formatted into the text; every value is bound.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rows<'s> {
    head: &'s str,
    width: usize,
    tail: &'s str,
    after: &'s str,
}

impl<'s> Rows<'s> {
    /// `head` is the statement up to `VALUES` (e.g. `INSERT INTO t (a, b)`).
    pub(crate) const fn new(head: &'s str, width: usize) -> Self {
        Rows {
            head,
            width,
            tail: "",
            after: "",
        }
    }

    /// Literal SQL of ours closing each row, after its parameters.
    pub(crate) const fn tail(self, tail: &'s str) -> Self {
        Rows { tail, ..self }
    }

    /// SQL of ours after the rows (`ON CONFLICT …`, `RETURNING …`).
    pub(crate) const fn after(self, after: &'s str) -> Self {
        Rows { after, ..self }
    }

    /// The statement's text for `n` rows on `backend`.
    pub(crate) fn sql(&self, backend: Backend, n: usize) -> String {
        let mut sql = format!(
            "{} VALUES {}",
            self.head,
            placeholders(n, self.width, 1, self.tail)
        );
        if !self.after.is_empty() {
            sql.push(' ');
            sql.push_str(self.after);
        }
        positional(backend, sql)
    }

    /// One statement for all of `rows`, each bound by `bind` (which binds
    /// exactly `width` values, in the columns' order). For callers that cut
    /// their rows themselves; [`Rows::execute`] and [`Rows::fetch`] cut them.
    pub(crate) fn query<T>(
        &self,
        backend: Backend,
        rows: &[T],
        bind: impl Fn(AnyQuery, &T) -> AnyQuery,
    ) -> AnyQuery {
        rows.iter().fold(
            sqlx::query(sqlx::AssertSqlSafe(self.sql(backend, rows.len()))),
            bind,
        )
    }

    /// Writes `rows` in runs of a power of two, at most `max` rows each, in
    /// the caller's transaction. Returns the rows affected.
    pub(crate) async fn execute<T>(
        &self,
        tx: &mut Tx,
        rows: &[T],
        max: usize,
        bind: impl Fn(AnyQuery, &T) -> AnyQuery,
    ) -> Result<u64> {
        let backend = Backend::of(tx);
        let mut done = 0;
        for run in pow2_runs(rows, max) {
            done += self
                .query(backend, run, &bind)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        }
        Ok(done)
    }

    /// [`Rows::execute`] for a statement that returns rows (`RETURNING`):
    /// what every run returned.
    pub(crate) async fn fetch<T>(
        &self,
        tx: &mut Tx,
        rows: &[T],
        max: usize,
        bind: impl Fn(AnyQuery, &T) -> AnyQuery,
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        let backend = Backend::of(tx);
        let mut out = Vec::with_capacity(rows.len());
        for run in pow2_runs(rows, max) {
            out.extend(self.query(backend, run, &bind).fetch_all(&mut **tx).await?);
        }
        Ok(out)
    }
}

/// `keys` padded to the next power of two by repeating the last one: an
/// `IN (…)` list of that many parameters. Duplicates change nothing in an
/// `IN`, and the statement has one of a few shapes, so each connection
/// prepares it once instead of once per list length.
pub(crate) fn padded<T>(keys: &[T]) -> Vec<&T> {
    let n = keys.len().next_power_of_two();
    let mut out: Vec<&T> = keys.iter().collect();
    if let Some(last) = keys.last() {
        out.resize(n, last);
    }
    out
}

/// A batched read or write over a list of keys: `sql` holds `{in}` where
/// the `IN (…)` list goes. The `leading` parameters are numbered `$1…` and
/// the keys, [`padded`], follow them. Every value is bound; the only text
/// formatted into the SQL is our own parameter numbers.
pub(crate) fn keyed(
    sql: &str,
    leading: &[i64],
    keys: &[String],
) -> sqlx::query::Query<'static, Any, sqlx::any::AnyArguments> {
    let keys = padded(keys);
    let list = placeholders(1, keys.len(), leading.len() + 1, "");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.replace("{in}", &list)));
    for v in leading {
        q = q.bind(*v);
    }
    for k in keys {
        q = q.bind(k.clone());
    }
    q
}

/// The rows of a [`keyed`] read ordered by the key column `col`, grouped
/// by it: one group per key found (e.g. an account with one row per role).
pub(crate) fn grouped(
    rows: Vec<sqlx::any::AnyRow>,
    col: &str,
) -> Result<Vec<(String, Vec<sqlx::any::AnyRow>)>> {
    let mut out: Vec<(String, Vec<sqlx::any::AnyRow>)> = Vec::new();
    for r in rows {
        let k: String = sqlx::Row::try_get(&r, col)?;
        match out.last_mut() {
            Some((last, group)) if *last == k => group.push(r),
            _ => out.push((k, vec![r])),
        }
    }
    Ok(out)
}

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The input was refused (a rule, or a unique value already taken).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A unique value is already taken (e.g. an e-mail address).
    #[error("conflict: {0}")]
    Conflict(Invalid),
    #[error("not found")]
    NotFound,
    /// The actor may not do this (a rule read inside the transaction,
    /// e.g. an approver who is no longer the person's manager).
    #[error("forbidden")]
    Forbidden,
    #[error("unsupported database url (use sqlite:// or postgres://)")]
    UnsupportedUrl,
    /// A stored status this version does not know.
    #[error(transparent)]
    Status(#[from] loket_domain::status::UnknownStatus),
}

impl StoreError {
    /// The database cannot be reached (down, restarting, or no connection
    /// free in time): the request may succeed when retried; nothing was
    /// changed.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Db(e) => is_unavailable(e),
            _ => false,
        }
    }
}

/// Whether a database error means "not reachable now" rather than a fault
/// of the request: connection refused or reset, the pool timed out or
/// closed, or PostgreSQL shutting down or starting (SQLSTATE class 08, and
/// 57P01 to 57P03).
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

/// Decodes the text column `col` of a row into a status enum (declared
/// with `loket_domain::status_enum!`).
pub fn status<T>(row: &sqlx::any::AnyRow, col: &str) -> Result<T>
where
    T: TryFrom<String, Error = loket_domain::status::UnknownStatus>,
{
    use sqlx::Row;
    let text: String = row.try_get(col)?;
    Ok(T::try_from(text)?)
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database engine a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// The backend of an open connection (or transaction).
    pub fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name() == <sqlx::Sqlite as sqlx::Database>::NAME {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// Dialect difference: whether write transactions already run one at
    /// a time (SQLite: `BEGIN IMMEDIATE` on the one writer connection), so
    /// a count read in one cannot miss a parallel write and needs no row
    /// lock. PostgreSQL's run in parallel.
    pub fn serialises_writes(self) -> bool {
        self == Backend::Sqlite
    }

    /// Dialect difference: on SQLite, ` INDEXED BY <index>` (the index a
    /// read must use); nothing on PostgreSQL. For the few reads whose plan
    /// SQLite's planner gets wrong at scale: with the statistics of a
    /// column that holds one or a few values (`contact_moments.status`),
    /// SQLite 3.51 chose a skip-scan of `(status, created_at)` and a table
    /// read per row over the covering index of `created_at`, 3 to 7 times
    /// slower at 200,000 contact moments. `index` is a constant.
    pub fn index_hint(self, index: &'static str) -> String {
        match self {
            Backend::Sqlite => format!(" INDEXED BY {index}"),
            Backend::Postgres => String::new(),
        }
    }

    /// Dialect difference: the aggregate that joins the texts `expr` of a
    /// group with `separator` (an SQL expression): SQLite's `group_concat`,
    /// PostgreSQL's `string_agg`. NULL for no rows. Both take constant SQL
    /// from the caller, never a request's text.
    pub fn string_agg(self, expr: &'static str, separator: &'static str) -> String {
        match self {
            Backend::Sqlite => format!("group_concat({expr}, {separator})"),
            Backend::Postgres => format!("string_agg({expr}, {separator})"),
        }
    }

    /// Dialect difference: SQLite must take the write lock when a write
    /// transaction starts, or two deferred transactions that both read and
    /// then write deadlock into `SQLITE_BUSY`. PostgreSQL's row locks need
    /// nothing special.
    fn begin_statement(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// Dialect difference: per-connection settings. SQLite: WAL journal,
    /// foreign keys on, a busy timeout so writers queue instead of failing.
    fn connection_setup(self) -> &'static str {
        match self {
            Backend::Sqlite => {
                "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                 PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;"
            }
            Backend::Postgres => "SET TIME ZONE 'UTC'",
        }
    }
}

/// PostgreSQL: a pooled connection idle for this long is tested (a round
/// trip) before it is handed out; one used more recently is not.
const IDLE_BEFORE_TEST: Duration = Duration::from_millis(100);

/// The database handle shared by every request and worker.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// SQLite only: the one connection write transactions run on. SQLite
    /// lets one writer in at a time; with every pooled connection free to
    /// `BEGIN IMMEDIATE`, the others wait in SQLite's busy handler, which
    /// sleeps in steps of up to 100 ms and serves nobody in order, so a
    /// rush of writers made seconds-long tails. Waiting for this pool's
    /// one connection instead is a fair (first come, first served) async
    /// queue, with no sleeping. Reads stay on `pool`, in parallel.
    writer: Option<AnyPool>,
    backend: Backend,
    /// A PostgreSQL streaming replica for reports, if configured.
    read: Option<AnyPool>,
}

static MIGRATE_SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static MIGRATE_POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let setup = backend.connection_setup();
        // A SQLite connection is a file handle in this process: it cannot
        // go stale the way a PostgreSQL socket does when the server
        // restarts, so testing it before each acquire (a round trip to its
        // worker thread) buys nothing. PostgreSQL tests a connection that
        // has been idle for a while, so that after a restart it finds the
        // dead connections before a request does. One used a moment ago
        // was tested when it came back (the pool pings every connection
        // it takes back), and no restart fits in that moment: testing it
        // again would be one more round trip per query in a rush.
        let test = backend == Backend::Postgres;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .test_before_acquire(false)
            .before_acquire(move |conn, meta| {
                Box::pin(async move {
                    if test && meta.idle_for >= IDLE_BEFORE_TEST {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    conn.execute(setup).await?;
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        let writer = match backend {
            Backend::Sqlite => Some(
                AnyPoolOptions::new()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(move |conn, _meta| {
                        Box::pin(async move {
                            conn.execute(setup).await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?,
            ),
            Backend::Postgres => None,
        };
        Ok(Store {
            pool,
            writer,
            backend,
            read: None,
        })
    }

    /// Adds a read replica (`database_read_url`): [`Store::reader`] then
    /// reads from it. Only PostgreSQL replicates; the replica must be of the
    /// same database as the primary.
    pub async fn with_reader(mut self, url: &str, max_connections: u32) -> Result<Store> {
        if Backend::from_url(url)? != Backend::Postgres || self.backend != Backend::Postgres {
            return Err(StoreError::UnsupportedUrl);
        }
        let reader = Store::connect(url, max_connections).await?;
        self.read = Some(reader.pool);
        Ok(self)
    }

    /// The store for lists, dashboards, reports and exports: the read
    /// replica when there is one, else the primary. A replica lags the
    /// primary by a moment, so never use it inside a write, or for a page
    /// that must show what the person just changed.
    pub fn reader(&self) -> Store {
        Store {
            pool: self.read.clone().unwrap_or_else(|| self.pool.clone()),
            writer: self.writer.clone(),
            backend: self.backend,
            read: None,
        }
    }

    /// Whether reports read from a replica.
    pub fn has_reader(&self) -> bool {
        self.read.is_some()
    }

    /// Runs the migrations of this backend that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => MIGRATE_SQLITE.run(&self.pool).await?,
            Backend::Postgres => MIGRATE_POSTGRES.run(&self.pool).await?,
        }
        // Index work a migration asked for, done in Rust.
        people::run_index_jobs(self).await?;
        Ok(())
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx> {
        let pool = self.writer.as_ref().unwrap_or(&self.pool);
        Ok(pool.begin_with(self.backend.begin_statement()).await?)
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// SQLite only: writes a consistent copy of the whole database to
    /// `path` (which must not exist) with `VACUUM INTO`, while others go on
    /// reading and writing. The copy is one read transaction: it holds every
    /// transaction committed before it started and none after.
    pub async fn snapshot_sqlite(&self, path: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::UnsupportedUrl);
        }
        let target = path.to_str().ok_or(StoreError::UnsupportedUrl)?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "VACUUM INTO '{}'",
            target.replace('\'', "''")
        )))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest migration applied to this database (0 if none).
    pub async fn schema_version(&self) -> Result<i64> {
        use sqlx::Row;
        let row = sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("v")?)
    }

    /// The newest migration this build knows.
    pub fn code_schema_version(&self) -> i64 {
        let m = match self.backend {
            Backend::Sqlite => &MIGRATE_SQLITE,
            Backend::Postgres => &MIGRATE_POSTGRES,
        };
        m.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Connections open and idle, for the metrics.
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    pub async fn close(&self) {
        if let Some(r) = &self.read {
            r.close().await;
        }
        if let Some(w) = &self.writer {
            w.close().await;
        }
        self.pool.close().await;
    }
}

/// Now, in unix milliseconds (UTC).
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// A new UUIDv7 id, as text.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A fresh random secret for a URL or a cookie: 32 bytes, hex.
pub fn new_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Secrets (session ids, API tokens, e-mail links) are stored only as their
/// SHA-256, so a copy of the database grants nothing.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Turns a unique-constraint violation into a field error; other errors pass.
pub(crate) fn unique_to_field(err: sqlx::Error, field: &str, code: &'static str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(Invalid::one(field, code))
        }
        _ => StoreError::Db(err),
    }
}

#[cfg(test)]
mod tests {
    use super::{Backend, Rows, positional};

    #[test]
    fn rows_number_every_parameter_and_keep_our_sql_around_them() {
        let rows = Rows::new("INSERT INTO t (a, b, c)", 2)
            .tail(", 0")
            .after("RETURNING a");
        assert_eq!(
            rows.sql(Backend::Postgres, 2),
            "INSERT INTO t (a, b, c) VALUES ($1, $2, 0), ($3, $4, 0) RETURNING a"
        );
        assert_eq!(
            rows.sql(Backend::Sqlite, 2),
            "INSERT INTO t (a, b, c) VALUES (?, ?, 0), (?, ?, 0) RETURNING a"
        );
        // Nothing after the rows: no trailing space.
        assert_eq!(
            Rows::new("INSERT INTO t (a)", 1).sql(Backend::Postgres, 1),
            "INSERT INTO t (a) VALUES ($1)"
        );
    }

    #[test]
    fn pow2_runs_cut_into_powers_of_two_largest_first() {
        let rows: Vec<usize> = (0..37).collect();
        let runs = super::pow2_runs(&rows, 64);
        assert_eq!(runs.iter().map(|r| r.len()).collect::<Vec<_>>(), [32, 4, 1]);
        assert_eq!(runs.concat(), rows, "every row once, in order");
        let rows: Vec<usize> = (0..300).collect();
        let lens: Vec<usize> = super::pow2_runs(&rows, 128)
            .iter()
            .map(|r| r.len())
            .collect();
        assert_eq!(lens, [128, 128, 32, 8, 4]);
        assert!(super::pow2_runs::<u8>(&[], 64).is_empty());
        assert_eq!(super::pow2_runs(&[1, 2, 3], 0).len(), 3, "a max of 0 is 1");
    }

    #[test]
    fn positional_rewrites_only_in_order_parameters_on_sqlite() {
        let sql = "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)".to_owned();
        assert_eq!(
            positional(Backend::Sqlite, sql.clone()),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
        assert_eq!(positional(Backend::Postgres, sql.clone()), sql);
        // Ten and more: numbers, not digits.
        let many: Vec<String> = (1..=12).map(|i| format!("${i}")).collect();
        assert_eq!(
            positional(Backend::Sqlite, format!("VALUES ({})", many.join(", "))),
            format!("VALUES ({})", ["?"; 12].join(", "))
        );
        // Out of order, used twice, or a gap: unchanged.
        for kept in [
            "SELECT * FROM t WHERE a IN ($2, $3) AND b > $1",
            "UPDATE t SET n = CASE id WHEN $1 THEN 1 END WHERE id IN ($1)",
            "SELECT $1, $3",
            "SELECT 1",
            "SELECT $",
        ] {
            assert_eq!(positional(Backend::Sqlite, kept.to_owned()), kept);
        }
        // Quoted text is not a parameter.
        assert_eq!(
            positional(
                Backend::Sqlite,
                "SELECT '$9 it''s $8', \"$7\", $1".to_owned()
            ),
            "SELECT '$9 it''s $8', \"$7\", ?"
        );
    }
}
