//! Keyset paging in SQL, written once for every list (see
//! `loket_domain::paging` for the cursor).
//!
//! A list sorted by columns `(k1, …, id)` (the last one unique) reads the
//! page after a cursor with `WHERE (k1, …, id) > ($a, …, $z) ORDER BY k1, …,
//! id LIMIT n+1` and the page before it with `<` and the order reversed.
//! Row values work on SQLite (3.15 and later) and PostgreSQL, and both use
//! an index on the same columns for them. One row more than the page shows
//! tells whether another page follows. Totals are exact up to a cap:
//! `SELECT COUNT(*) FROM (SELECT 1 FROM … LIMIT cap+1)`.
//!
//! # Writing a paged list
//!
//! A list needs a [`Spec`] constant (its cursors' name and key kinds), a
//! row decoder, and one [`Select`]: the `SELECT` up to and including its
//! `WHERE` filters (`WHERE 1 = 1` when it has none), with the filters'
//! parameters numbered `$1`, `$2`, … and their values given in that order
//! with [`Select::arg`]; the sort columns (the last one unique) and the
//! [`Order`]. [`Select::page`] appends the keyset condition, the `ORDER BY`
//! and the `LIMIT`, numbers their parameters after the filters', reads the
//! rows and makes the [`Page`], with `key` giving an item's sort key values
//! (the same values, in the same order, as the sort columns):
//!
//! ```ignore
//! pub async fn cases_page(store: &Store, resident_id: &str, pq: &PageQuery) -> Result<Page<Case>> {
//!     paging::Select::new(
//!         format!("SELECT {CASE_COLUMNS} FROM cases WHERE resident_id = $1"),
//!         &["submitted_at", "number"],
//!         Order::Desc,
//!     )
//!     .arg(resident_id)
//!     .page(store, pq, &RESIDENT_PAGING, decode_case, |c| {
//!         vec![Key::from(c.submitted_at), Key::from(c.number.as_str())]
//!     })
//!     .await
//! }
//! ```
//!
//! The list's total counts the same `FROM … WHERE` with [`count_limit`].

use crate::{Result, Store};
use loket_domain::paging::{Cursor, Direction, Key, Page, PageQuery, Spec};
use sqlx::Any;
use sqlx::any::{AnyArguments, AnyRow};

/// How a list is sorted: every key column the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Asc,
    Desc,
}

/// The SQL pieces of a keyset query: the condition (`AND (…) > (…)`, or ''
/// on the first page) and the `ORDER BY` list.
struct Keyset {
    condition: String,
    order_by: String,
}

/// The keyset condition and order for the columns `cols`, sorted `order`,
/// reading in the direction of `q`'s cursor; the cursor's values are the
/// parameters from `$first_param` on.
fn keyset(cols: &[&str], order: Order, first_param: usize, q: &PageQuery) -> Keyset {
    let reverse = q.direction() == Direction::Before;
    let ascending = (order == Order::Asc) != reverse;
    let order_by = cols
        .iter()
        .map(|c| format!("{c}{}", if ascending { "" } else { " DESC" }))
        .collect::<Vec<_>>()
        .join(", ");
    let condition = match &q.cursor {
        None => String::new(),
        Some(_) => {
            let params = (0..cols.len())
                .map(|i| format!("${}", first_param + i))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                " AND ({}) {} ({params})",
                cols.join(", "),
                if ascending { ">" } else { "<" }
            )
        }
    };
    Keyset {
        condition,
        order_by,
    }
}

/// Binds the cursor's key values (after the filters' parameters).
fn bind_cursor<'q>(
    mut query: sqlx::query::Query<'q, Any, AnyArguments>,
    cursor: Option<&Cursor>,
) -> sqlx::query::Query<'q, Any, AnyArguments> {
    if let Some(c) = cursor {
        for k in &c.keys {
            query = bind_key(query, k.clone());
        }
    }
    query
}

/// The rows to fetch for a page: one more than it shows.
fn fetch_limit(q: &PageQuery) -> i64 {
    q.limit.clamp(1, 1000) + 1
}

/// One keyset-paged read of a list (see the module docs): the `SELECT` up
/// to and including its filters, the filters' values, and the sort.
#[derive(Debug, Clone)]
pub struct Select<'a> {
    sql: String,
    cols: &'a [&'a str],
    order: Order,
    args: Vec<Key>,
}

impl<'a> Select<'a> {
    /// `sql` ends with the list's `WHERE` clause (`WHERE 1 = 1` when it has
    /// no filter), its parameters numbered from `$1`; the list is sorted by
    /// `cols` (SQL expressions of our own; the last one unique), `order`.
    pub fn new(sql: impl Into<String>, cols: &'a [&'a str], order: Order) -> Self {
        Self {
            sql: sql.into(),
            cols,
            order,
            args: Vec::new(),
        }
    }

    /// The value of the next filter parameter (`$1`, then `$2`, …).
    pub fn arg(mut self, value: impl Into<Key>) -> Self {
        self.args.push(value.into());
        self
    }

    /// The values of the next filter parameters, in order.
    pub fn args<V: Into<Key>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.args.extend(values.into_iter().map(Into::into));
        self
    }

    /// The whole statement for the page `pq` asks for: the filters, the
    /// keyset condition (parameters after the filters'), the order, and
    /// the limit (the last parameter).
    fn statement(&self, pq: &PageQuery) -> String {
        let first = self.args.len() + 1;
        let ks = keyset(self.cols, self.order, first, pq);
        let cursor_params = if pq.cursor.is_some() {
            self.cols.len()
        } else {
            0
        };
        format!(
            "{}{} ORDER BY {} LIMIT ${}",
            self.sql,
            ks.condition,
            ks.order_by,
            first + cursor_params
        )
    }

    /// One page of the list, as `pq` asks: `decode` turns a row into an
    /// item, `key` gives an item's sort key values (those of the sort
    /// columns, in order) for the cursors of `spec`.
    pub async fn page<T>(
        self,
        store: &Store,
        pq: &PageQuery,
        spec: &Spec,
        decode: impl Fn(&AnyRow) -> Result<T>,
        key: impl Fn(&T) -> Vec<Key>,
    ) -> Result<Page<T>> {
        debug_assert_eq!(spec.keys.len(), self.cols.len(), "{}", spec.list);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.statement(pq)));
        for a in self.args {
            q = bind_key(q, a);
        }
        let q = bind_cursor(q, pq.cursor.as_ref()).bind(fetch_limit(pq));
        let rows = q.fetch_all(store.pool()).await?;
        let items = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
        Ok(Page::from_fetched(items, pq, spec, key))
    }
}

fn bind_key<'q>(
    query: sqlx::query::Query<'q, Any, AnyArguments>,
    key: Key,
) -> sqlx::query::Query<'q, Any, AnyArguments> {
    match key {
        Key::Int(n) => query.bind(n),
        Key::Text(s) => query.bind(s),
    }
}

/// The cap a count reads up to, plus one (to know that more follow).
pub fn count_limit(cap: i64) -> i64 {
    cap.max(0) + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use loket_domain::paging::KeyKind;

    const SPEC: Spec = Spec {
        list: "test.list",
        keys: &[KeyKind::Int, KeyKind::Text],
    };

    fn select() -> Select<'static> {
        Select::new(
            "SELECT a FROM t WHERE x = $1 AND ($2 = '' OR y = $2)",
            &["at", "id"],
            Order::Desc,
        )
        .arg("x")
        .arg(String::new())
    }

    #[test]
    fn the_first_page_numbers_the_limit_after_the_filters() {
        assert_eq!(
            select().statement(&PageQuery::first(10)),
            "SELECT a FROM t WHERE x = $1 AND ($2 = '' OR y = $2) ORDER BY at DESC, id DESC LIMIT $3"
        );
    }

    /// A page of 10 from the row (5, "b"), read `dir`.
    fn from_row(dir: Direction) -> PageQuery {
        PageQuery {
            cursor: Some(Cursor::new(&SPEC, dir, vec![5.into(), "b".into()])),
            limit: 10,
        }
    }

    #[test]
    fn a_cursor_numbers_its_keys_after_the_filters_then_the_limit() {
        assert_eq!(
            select().statement(&from_row(Direction::After)),
            "SELECT a FROM t WHERE x = $1 AND ($2 = '' OR y = $2) AND (at, id) < ($3, $4) \
             ORDER BY at DESC, id DESC LIMIT $5"
        );
        assert_eq!(
            select().statement(&from_row(Direction::Before)),
            "SELECT a FROM t WHERE x = $1 AND ($2 = '' OR y = $2) AND (at, id) > ($3, $4) \
             ORDER BY at, id LIMIT $5"
        );
    }
}
