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

use loket_domain::paging::{Cursor, Direction, Key, PageQuery};
use sqlx::Any;
use sqlx::any::AnyArguments;

/// How a list is sorted: every key column the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Asc,
    Desc,
}

/// The SQL pieces of a keyset query: the condition (`AND (…) > (…)`, or ''
/// on the first page) and the `ORDER BY` list.
pub struct Keyset {
    pub condition: String,
    pub order_by: String,
}

/// The keyset condition and order for the columns `cols`, sorted `order`,
/// reading in the direction of `q`'s cursor; the cursor's values are the
/// parameters from `$first_param` on.
pub fn keyset(cols: &[&str], order: Order, first_param: usize, q: &PageQuery) -> Keyset {
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
pub fn bind_cursor<'q>(
    mut query: sqlx::query::Query<'q, Any, AnyArguments>,
    cursor: Option<&Cursor>,
) -> sqlx::query::Query<'q, Any, AnyArguments> {
    if let Some(c) = cursor {
        for k in &c.keys {
            query = match k {
                Key::Int(n) => query.bind(*n),
                Key::Text(s) => query.bind(s.clone()),
            };
        }
    }
    query
}

/// The rows to fetch for a page: one more than it shows.
pub fn fetch_limit(q: &PageQuery) -> i64 {
    q.limit.clamp(1, 1000) + 1
}

/// The cap a count reads up to, plus one (to know that more follow).
pub fn count_limit(cap: i64) -> i64 {
    cap.max(0) + 1
}
