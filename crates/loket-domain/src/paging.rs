//! Paging of lists that grow: one keyset cursor, one limit rule, one total.
//!
//! A cursor is opaque to clients: base64url (no padding) of a small JSON
//! document naming the list, the direction and the sort key values of the
//! row it starts from (the last key is always unique, so a position is
//! exact even when many rows share a due date). It is parsed strictly: a
//! cursor of another list, with the wrong number or kind of keys, or that
//! is not base64url JSON at all, is a field error on `cursor`, never a
//! server error.

use crate::validation::{FieldError, Invalid};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// Rows on a page when the request names no limit.
pub const DEFAULT_LIMIT: i64 = 50;
/// The most rows a client may ask for on one page.
pub const MAX_LIMIT: i64 = 200;
/// Totals are counted exactly up to this many rows; past it a list says
/// "more than 10,000".
pub const TOTAL_CAP: i64 = 10_000;
/// Rows per query when a CSV download pages through a list.
pub const EXPORT_BATCH: i64 = 500;
/// The longest cursor accepted (a cursor is never near this long).
const MAX_CURSOR_LEN: usize = 2048;

/// Which way a cursor reads from its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The rows after the cursor's row, in the list's order ("next").
    After,
    /// The rows before it ("previous"): queried in reverse order, then turned.
    Before,
}

/// One sort key value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Key {
    Int(i64),
    Text(String),
}

impl From<&str> for Key {
    fn from(s: &str) -> Self {
        Key::Text(s.to_owned())
    }
}

impl From<String> for Key {
    fn from(s: String) -> Self {
        Key::Text(s)
    }
}

impl From<i64> for Key {
    fn from(n: i64) -> Self {
        Key::Int(n)
    }
}

/// The kind of one sort key, for strict parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Int,
    Text,
}

/// What a list's cursors look like: its name and its sort keys.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The list, e.g. `cases.queue`: a cursor of one list is refused by another.
    pub list: &'static str,
    pub keys: &'static [KeyKind],
}

/// A position in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub list: String,
    pub dir: Direction,
    pub keys: Vec<Key>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    l: String,
    d: String,
    k: Vec<Key>,
}

impl Cursor {
    pub fn new(spec: &Spec, dir: Direction, keys: Vec<Key>) -> Self {
        Self {
            list: spec.list.to_owned(),
            dir,
            keys,
        }
    }

    /// The cursor as a client sees it.
    pub fn encode(&self) -> String {
        let wire = Wire {
            l: self.list.clone(),
            d: match self.dir {
                Direction::After => "a",
                Direction::Before => "b",
            }
            .to_owned(),
            k: self.keys.clone(),
        };
        URL_SAFE_NO_PAD.encode(serde_json::to_string(&wire).unwrap_or_default())
    }

    /// Parses a cursor of the list `spec`; any other text is a field error
    /// on `cursor`.
    pub fn parse(s: &str, spec: &Spec) -> Result<Self, FieldError> {
        let bad = || FieldError::new("cursor", "cursor-invalid");
        if s.len() > MAX_CURSOR_LEN {
            return Err(bad());
        }
        let bytes = URL_SAFE_NO_PAD.decode(s.as_bytes()).map_err(|_| bad())?;
        let wire: Wire = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        let dir = match wire.d.as_str() {
            "a" => Direction::After,
            "b" => Direction::Before,
            _ => return Err(bad()),
        };
        if wire.l != spec.list || wire.k.len() != spec.keys.len() {
            return Err(bad());
        }
        for (k, kind) in wire.k.iter().zip(spec.keys) {
            match (k, kind) {
                (Key::Int(_), KeyKind::Int) | (Key::Text(_), KeyKind::Text) => {}
                _ => return Err(bad()),
            }
        }
        Ok(Self {
            list: wire.l,
            dir,
            keys: wire.k,
        })
    }

    /// The `i`th key as text ('' when it is not text).
    pub fn text(&self, i: usize) -> &str {
        match self.keys.get(i) {
            Some(Key::Text(s)) => s,
            _ => "",
        }
    }

    /// The `i`th key as a number (0 when it is not a number).
    pub fn int(&self, i: usize) -> i64 {
        match self.keys.get(i) {
            Some(Key::Int(n)) => *n,
            _ => 0,
        }
    }
}

/// `limit` as typed: empty is the default; otherwise a whole number from 1
/// to [`MAX_LIMIT`].
pub fn parse_limit(s: &str) -> Result<i64, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(DEFAULT_LIMIT);
    }
    match s.parse::<i64>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(FieldError::with_value(
            "limit",
            "limit-invalid",
            MAX_LIMIT.to_string(),
        )),
    }
}

/// Which page a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageQuery {
    /// None: the first page.
    pub cursor: Option<Cursor>,
    pub limit: i64,
}

impl PageQuery {
    /// The first page of `limit` rows.
    pub fn first(limit: i64) -> Self {
        Self {
            cursor: None,
            limit,
        }
    }

    /// Parses `cursor` and `limit` as a query string carries them ('' when absent).
    pub fn parse(cursor: &str, limit: &str, spec: &Spec) -> Result<Self, Invalid> {
        let mut inv = Invalid::default();
        let cursor = if cursor.is_empty() {
            Some(None)
        } else {
            inv.check("cursor", Cursor::parse(cursor, spec).map(Some))
        };
        let limit = inv.check("limit", parse_limit(limit));
        match (cursor, limit) {
            (Some(cursor), Some(limit)) => Ok(Self { cursor, limit }),
            _ => Err(inv),
        }
    }

    pub fn direction(&self) -> Direction {
        self.cursor
            .as_ref()
            .map(|c| c.dir)
            .unwrap_or(Direction::After)
    }
}

/// How many rows a list holds: exact up to a cap, else "more than cap".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Total {
    /// The count; when not `exact`, the cap (the list holds more).
    pub count: i64,
    pub exact: bool,
}

impl Total {
    /// From a count made with `LIMIT cap + 1`.
    pub fn capped(counted: i64, cap: i64) -> Self {
        if counted > cap {
            Self {
                count: cap,
                exact: false,
            }
        } else {
            Self {
                count: counted,
                exact: true,
            }
        }
    }
}

/// One page of a list, with the cursors to its neighbours.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
    pub prev: Option<Cursor>,
}

impl<T> Page<T> {
    /// A page from the rows a keyset query fetched: up to `limit + 1` rows
    /// in the direction of the query's cursor (reversed order for
    /// [`Direction::Before`]). `key` gives a row's sort keys.
    pub fn from_fetched(
        mut rows: Vec<T>,
        q: &PageQuery,
        spec: &Spec,
        key: impl Fn(&T) -> Vec<Key>,
    ) -> Self {
        let limit = usize::try_from(q.limit.max(1)).unwrap_or(1);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let (next_exists, prev_exists) = match q.direction() {
            Direction::After => (more, q.cursor.is_some()),
            Direction::Before => {
                rows.reverse();
                (q.cursor.is_some(), more)
            }
        };
        let next = match rows.last() {
            Some(last) if next_exists => Some(Cursor::new(spec, Direction::After, key(last))),
            _ => None,
        };
        let prev = match rows.first() {
            Some(first) if prev_exists => Some(Cursor::new(spec, Direction::Before, key(first))),
            _ => None,
        };
        Self {
            items: rows,
            next,
            prev,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
            prev: self.prev,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec {
        list: "test.list",
        keys: &[KeyKind::Text, KeyKind::Int],
    };

    #[test]
    fn cursor_round_trips() {
        let c = Cursor::new(
            &SPEC,
            Direction::Before,
            vec!["2026-01-02".into(), 7.into()],
        );
        let s = c.encode();
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(Cursor::parse(&s, &SPEC).unwrap(), c);
    }

    #[test]
    fn bad_cursors_are_field_errors() {
        let other = Spec {
            list: "other",
            keys: SPEC.keys,
        };
        let foreign = Cursor::new(&other, Direction::After, vec!["a".into(), 1.into()]).encode();
        let wrong_kind = Cursor::new(&SPEC, Direction::After, vec![1.into(), 1.into()]).encode();
        let short = Cursor::new(&SPEC, Direction::After, vec!["a".into()]).encode();
        let long = "A".repeat(5000);
        for s in [
            "x",
            "!!!",
            "e30",
            &foreign,
            &wrong_kind,
            &short,
            &long,
            "eyJsIjoidGVzdC5saXN0IiwiZCI6InoiLCJrIjpbImEiLDFdfQ",
        ] {
            let e = Cursor::parse(s, &SPEC).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.code),
                ("cursor", "cursor-invalid"),
                "{s}"
            );
        }
    }

    #[test]
    fn limits() {
        assert_eq!(parse_limit(""), Ok(DEFAULT_LIMIT));
        assert_eq!(parse_limit("200"), Ok(200));
        assert_eq!(parse_limit("1"), Ok(1));
        for s in ["0", "201", "-1", "ten", "1.5"] {
            assert_eq!(parse_limit(s).unwrap_err().field, "limit");
        }
        let inv = PageQuery::parse("zz", "0", &SPEC).unwrap_err();
        let fields: Vec<_> = inv.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["cursor", "limit"]);
    }

    #[test]
    fn totals_are_capped() {
        assert_eq!(
            Total::capped(5, 10),
            Total {
                count: 5,
                exact: true
            }
        );
        assert_eq!(
            Total::capped(10, 10),
            Total {
                count: 10,
                exact: true
            }
        );
        assert_eq!(
            Total::capped(11, 10),
            Total {
                count: 10,
                exact: false
            }
        );
    }

    /// Walks a list of rows forward and back with the same logic a store
    /// query follows: every row once, in order.
    #[test]
    fn walking_forward_and_back_sees_every_row_once() {
        let all: Vec<(String, i64)> = (0..23).map(|i| (format!("d{}", i / 5), i)).collect();
        let key = |r: &(String, i64)| vec![Key::Text(r.0.clone()), Key::Int(r.1)];
        let fetch = |q: &PageQuery| -> Vec<(String, i64)> {
            let n = usize::try_from(q.limit + 1).unwrap();
            match &q.cursor {
                None => all.iter().take(n).cloned().collect(),
                Some(c) => {
                    let at = (c.text(0).to_owned(), c.int(1));
                    match c.dir {
                        Direction::After => {
                            all.iter().filter(|r| **r > at).take(n).cloned().collect()
                        }
                        Direction::Before => all
                            .iter()
                            .rev()
                            .filter(|r| **r < at)
                            .take(n)
                            .cloned()
                            .collect(),
                    }
                }
            }
        };
        let mut q = PageQuery::first(5);
        let mut seen = Vec::new();
        let mut pages = Vec::new();
        loop {
            let p = Page::from_fetched(fetch(&q), &q, &SPEC, key);
            seen.extend(p.items.clone());
            pages.push(p.items.clone());
            match p.next {
                Some(c) => q.cursor = Some(Cursor::parse(&c.encode(), &SPEC).unwrap()),
                None => break,
            }
        }
        assert_eq!(seen, all);
        // Back from the last page.
        let last = Page::from_fetched(fetch(&q), &q, &SPEC, key);
        let mut back = last.prev;
        let mut i = pages.len() - 1;
        while let Some(c) = back {
            i -= 1;
            let q = PageQuery {
                cursor: Some(c),
                limit: 5,
            };
            let p = Page::from_fetched(fetch(&q), &q, &SPEC, key);
            assert_eq!(p.items, pages[i]);
            back = p.prev;
        }
        assert_eq!(i, 0);
    }
}
