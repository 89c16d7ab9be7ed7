//! The ICT inventory: categories and states of an asset, asset tags, the
//! bulk CSV import (refused whole, with line and column, on any bad line)
//! and the reconciliation of an audit (present, missing, misplaced, unknown).

use crate::validation::FieldError;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The categories of material the city lends.
pub const CATEGORIES: &[&str] = &[
    "laptop",
    "screen",
    "docking_station",
    "printer",
    "label_printer",
    "multifunction_printer",
    "barcode_scanner",
    "tablet_4g",
    "phone",
    "headset",
    "office_chair",
    "network_port",
    "software_licence",
    "other",
];

pub fn parse_category(s: &str) -> Result<&'static str, FieldError> {
    let s = s.trim();
    CATEGORIES
        .iter()
        .copied()
        .find(|c| *c == s)
        .ok_or_else(|| FieldError::new("category", "asset-category-unknown"))
}

crate::status_enum! {
    /// Where an asset is in its life.
    pub enum AssetStatus {
        InStock = "in_stock",
        OnLoan = "on_loan",
        Repair = "repair",
        Lost = "lost",
        Retired = "retired",
    }
}

/// An asset tag: 3 to 32 characters, upper-case letters, digits and `-`
/// (what a Code128 label and a keyboard-wedge scanner carry without loss).
pub fn parse_tag(s: &str) -> Result<String, FieldError> {
    let t = s.trim().to_ascii_uppercase();
    let ok =
        (3..=32).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(t)
    } else {
        Err(FieldError::new("tag", "asset-tag-invalid"))
    }
}

/// A free-text field of 1 to `max` characters without control characters.
pub fn parse_text(field: &str, s: &str, max: usize) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    if t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(FieldError::new(field, "asset-text-invalid"));
    }
    Ok(t.to_owned())
}

/// A price in euro (`1234.56`, `1234,56` or `1234`) as cents.
pub fn parse_price_cents(s: &str) -> Result<i64, FieldError> {
    let t = s.trim().replace(',', ".");
    let bad = || FieldError::new("price", "asset-price-invalid");
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t.as_str(), ""),
    };
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
        || whole.len() > 9
    {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| bad())?
    };
    Ok(w * 100 + f)
}

/// A calendar date `YYYY-MM-DD`.
pub fn parse_date(field: &str, s: &str) -> Result<jiff::civil::Date, FieldError> {
    s.trim()
        .parse::<jiff::civil::Date>()
        .map_err(|_| FieldError::new(field, "date-invalid"))
}

/// One asset as read from a form or a CSV line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAsset {
    pub category: &'static str,
    pub tag: String,
    pub serial: String,
    pub model: String,
    pub purchase_date: String,
    pub price_cents: i64,
    pub location: String,
}

/// The columns of the import file, in order.
pub const CSV_COLUMNS: [&str; 7] = [
    "category",
    "tag",
    "serial",
    "model",
    "purchase_date",
    "price",
    "location",
];

/// Why an import file was refused: the first bad cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line of the file (the header is line 1).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The column's name (or empty for a line-level fault).
    pub column_name: String,
    /// The error code, e.g. `date-invalid`.
    pub code: &'static str,
}

/// Parses an import file: a header naming [`CSV_COLUMNS`], then one asset
/// per record, each with the line it starts on (read by
/// [`crate::csv_file::read_csv`], so a quoted cell may hold a comma or a
/// line break). Any bad line refuses the whole file; duplicate tags too.
pub fn parse_csv(text: &str) -> Result<Vec<(usize, NewAsset)>, CsvError> {
    let err = |line: usize, column: usize, code: &'static str| CsvError {
        line,
        column,
        column_name: CSV_COLUMNS
            .get(column.wrapping_sub(1))
            .map(|s| (*s).to_owned())
            .unwrap_or_default(),
        code,
    };
    let records = crate::csv_file::read_csv(text).map_err(|e| err(e.line, 0, "asset-csv-quote"))?;
    let mut records = records.into_iter();
    let Some((_, head)) = records.next() else {
        return Err(err(1, 0, "asset-csv-empty"));
    };
    for (i, want) in CSV_COLUMNS.iter().enumerate() {
        if head.get(i).map(|h| h.to_ascii_lowercase()).as_deref() != Some(*want) {
            return Err(err(1, i + 1, "asset-csv-header"));
        }
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (line, cells) in records {
        if cells.len() != CSV_COLUMNS.len() {
            return Err(err(
                line,
                cells.len().min(CSV_COLUMNS.len()) + 1,
                "asset-csv-columns",
            ));
        }
        let cell = |n: usize| cells.get(n).map(String::as_str).unwrap_or("");
        let at = |n: usize, e: FieldError| err(line, n + 1, e.code);
        let category = parse_category(cell(0)).map_err(|e| at(0, e))?;
        let tag = parse_tag(cell(1)).map_err(|e| at(1, e))?;
        if !seen.insert(tag.clone()) {
            return Err(err(line, 2, "asset-tag-duplicate"));
        }
        let serial = parse_text("serial", cell(2), 64).map_err(|e| at(2, e))?;
        let model = parse_text("model", cell(3), 100).map_err(|e| at(3, e))?;
        let purchase_date = parse_date("purchase_date", cell(4)).map_err(|e| at(4, e))?;
        let price_cents = parse_price_cents(cell(5)).map_err(|e| at(5, e))?;
        let location = parse_text("location", cell(6), 120).map_err(|e| at(6, e))?;
        out.push((
            line,
            NewAsset {
                category,
                tag,
                serial,
                model,
                purchase_date: purchase_date.to_string(),
                price_cents,
                location,
            },
        ));
    }
    if out.is_empty() {
        return Err(err(2, 0, "asset-csv-empty"));
    }
    Ok(out)
}

/// The outcome of an audit at one location.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// Registered here and scanned.
    pub present: Vec<String>,
    /// Registered here, not scanned.
    pub missing: Vec<String>,
    /// Scanned here, registered at another location: (tag, that location).
    pub misplaced: Vec<(String, String)>,
    /// Scanned, but no asset has this tag.
    pub unknown: Vec<String>,
}

/// Compares what was scanned at `location` with the register.
/// `register` maps every known tag to its registered location.
pub fn reconcile(
    location: &str,
    register: &BTreeMap<String, String>,
    scanned: &[String],
) -> Reconciliation {
    let scanned: BTreeSet<String> = scanned.iter().filter_map(|s| parse_tag(s).ok()).collect();
    let mut r = Reconciliation::default();
    for tag in &scanned {
        match register.get(tag) {
            Some(loc) if loc == location => r.present.push(tag.clone()),
            Some(loc) => r.misplaced.push((tag.clone(), loc.clone())),
            None => r.unknown.push(tag.clone()),
        }
    }
    for (tag, loc) in register {
        if loc == location && !scanned.contains(tag) {
            r.missing.push(tag.clone());
        }
    }
    r
}

/// Splits scanner input (a tag per line, or separated by spaces/commas).
pub fn scanned_tags(input: &str) -> Vec<String> {
    input
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tags_and_prices() {
        assert_eq!(parse_tag(" lv-00012 ").unwrap(), "LV-00012");
        assert!(parse_tag("a b").is_err());
        assert!(parse_tag("ab").is_err());
        assert_eq!(parse_price_cents("1234,5"), Ok(123_450));
        assert_eq!(parse_price_cents("99"), Ok(9_900));
        assert_eq!(parse_price_cents("0.07"), Ok(7));
        assert!(parse_price_cents("1.234").is_err());
        assert!(parse_price_cents("-3").is_err());
    }

    #[test]
    fn csv_good_and_bad() {
        let good = "category,tag,serial,model,purchase_date,price,location\n\
                    laptop,LV-1,SN1,\"Dell, Latitude\",2026-01-02,899.00,Stock\n\
                    screen,LV-2,SN2,P24,2026-01-02,150,Stock\n";
        let v = parse_csv(good).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].0, v[1].0), (2, 3));
        assert_eq!(v[0].1.model, "Dell, Latitude");
        assert_eq!(v[0].1.price_cents, 89_900);
        // A quoted line break is read as one cell (and refused: a location
        // is one line), named by its line and column; blank lines count.
        let multi = "category,tag,serial,model,purchase_date,price,location\n\
                     laptop,LV-1,SN1,M,2026-01-02,1,\"Stock\nkast 2\"\n";
        let e = parse_csv(multi).unwrap_err();
        assert_eq!((e.line, e.column, e.code), (2, 7, "asset-text-invalid"));
        let later = "category,tag,serial,model,purchase_date,price,location\n\n\
                     laptop,LV-1,SN1,\"M,\"\"x\"\"\",2026-01-02,1,Stock\n\n\
                     laptop,LV-2,SN2,M,2026-02-30,1,Stock\n";
        let e = parse_csv(later).unwrap_err();
        assert_eq!((e.line, e.column, e.code), (5, 5, "date-invalid"));
        let open = "category,tag,serial,model,purchase_date,price,location\nlaptop,\"LV-1\n";
        assert_eq!(parse_csv(open).unwrap_err().code, "asset-csv-quote");
        let bad = "category,tag,serial,model,purchase_date,price,location\n\
                   laptop,LV-1,SN1,M,2026-01-02,899.00,Stock\n\
                   laptop,LV-3,SN3,M,2026-13-02,899.00,Stock\n";
        let e = parse_csv(bad).unwrap_err();
        assert_eq!((e.line, e.column, e.code), (3, 5, "date-invalid"));
        assert_eq!(e.column_name, "purchase_date");
        let dup = "category;tag;serial;model;purchase_date;price;location\n\
                   laptop;LV-1;S;M;2026-01-02;1;X\nlaptop;lv-1;S;M;2026-01-02;1;X\n";
        assert_eq!(parse_csv(dup).unwrap_err().code, "asset-tag-duplicate");
        let short = "category,tag,serial,model,purchase_date,price,location\nlaptop,LV-1\n";
        assert_eq!(parse_csv(short).unwrap_err().line, 2);
        assert_eq!(
            parse_csv("tag,category\n").unwrap_err().code,
            "asset-csv-header"
        );
    }

    #[test]
    fn audit_reconciles() {
        let mut reg = BTreeMap::new();
        reg.insert("A-1".to_owned(), "Hall".to_owned());
        reg.insert("A-2".to_owned(), "Hall".to_owned());
        reg.insert("B-1".to_owned(), "Depot".to_owned());
        let r = reconcile("Hall", &reg, &scanned_tags("a-1\nB-1 ZZZ-9\n A-1"));
        assert_eq!(r.present, vec!["A-1"]);
        assert_eq!(r.missing, vec!["A-2"]);
        assert_eq!(r.misplaced, vec![("B-1".to_owned(), "Depot".to_owned())]);
        assert_eq!(r.unknown, vec!["ZZZ-9"]);
    }

    proptest! {
        #[test]
        fn reconcile_partitions(scan in proptest::collection::vec("[A-C]-[0-9]", 0..10)) {
            let mut reg = BTreeMap::new();
            for i in 0..10 {
                reg.insert(format!("A-{i}"), "Hall".to_owned());
                reg.insert(format!("B-{i}"), "Depot".to_owned());
            }
            let r = reconcile("Hall", &reg, &scan);
            // Every registered tag at the hall is present or missing, never both.
            prop_assert_eq!(r.present.len() + r.missing.len(), 10);
            let distinct: BTreeSet<_> = scan.iter().cloned().collect();
            prop_assert_eq!(r.present.len() + r.misplaced.len() + r.unknown.len(), distinct.len());
        }

    }
}
