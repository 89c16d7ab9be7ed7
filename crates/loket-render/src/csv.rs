//! The one CSV writer of every export (the vaccination day report and
//! registry export, the telework payroll file). RFC 4180 quoting, CRLF line
//! ends, and formula neutralisation (OWASP "CSV injection"): a cell that a
//! spreadsheet would run as a formula gets a leading `'`.
//!
//! Rule: a cell is neutralised when it starts with `=`, `+`, `@`, a tab or a
//! carriage return, or with `-` unless the whole cell is a plain number
//! (`-12`, `-4.50`, `-1,5`). So negative amounts and day counts stay numbers,
//! while `-2+3`, `-cmd|' /C calc'!A0` or `+32 16 …` are written as text.

/// True when a spreadsheet could read the cell as a formula.
pub fn is_dangerous(s: &str) -> bool {
    match s.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => !is_plain_number(&s[1..]),
        _ => false,
    }
}

/// Digits with at most one `.` or `,` between digits: `12`, `4.50`, `1,5`.
fn is_plain_number(s: &str) -> bool {
    let (whole, frac) = match s.split_once(['.', ',']) {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && frac.is_none_or(digits)
}

/// One cell, neutralised, then quoted when it holds the separator, a quote
/// or a line break (quotes doubled).
pub fn field(s: &str, delimiter: char) -> String {
    let s = if is_dangerous(s) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([delimiter, ',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Lines of cells joined with `delimiter`, CRLF line ends.
pub fn write(rows: &[Vec<String>], delimiter: char) -> String {
    let sep = delimiter.to_string();
    let mut out = String::new();
    for r in rows {
        out.push_str(
            &r.iter()
                .map(|f| field(f, delimiter))
                .collect::<Vec<_>>()
                .join(&sep),
        );
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quotes_when_needed() {
        assert_eq!(
            write(&[vec!["a".into(), "b,c".into(), "say \"x\"".into()]], ','),
            "a,\"b,c\",\"say \"\"x\"\"\"\r\n"
        );
    }

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        let row = |s: &str| write(&[vec![s.to_owned()]], ';');
        assert_eq!(
            row("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"
        );
        assert_eq!(row("+cmd"), "'+cmd\r\n");
        assert_eq!(row("@SUM(A1:A9)"), "'@SUM(A1:A9)\r\n");
        assert_eq!(row("\tx"), "'\tx\r\n");
        assert_eq!(row("\rx"), "\"'\rx\"\r\n");
        assert_eq!(row("-cmd"), "'-cmd\r\n");
        assert_eq!(row("-2+3"), "'-2+3\r\n");
        assert_eq!(row("-"), "'-\r\n");
        assert_eq!(row("-4.50"), "-4.50\r\n");
        assert_eq!(row("-1,5"), "\"-1,5\"\r\n");
        assert_eq!(row("-12"), "-12\r\n");
        assert_eq!(row("12"), "12\r\n");
        assert_eq!(row("a=b"), "a=b\r\n");
        assert_eq!(row(""), "\r\n");
    }

    /// A strict RFC 4180 reader for the property test: lines end in CRLF
    /// outside quotes.
    fn parse(text: &str, d: char) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let mut row = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if quoted {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        cell.push('"');
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.push(c);
                }
            } else if c == '"' {
                quoted = true;
            } else if c == d {
                row.push(std::mem::take(&mut cell));
            } else if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            } else {
                cell.push(c);
            }
        }
        rows
    }

    proptest! {
        /// Whatever the cells, the file reads back to the same number of
        /// rows and cells; no cell read back starts a formula; a safe cell
        /// comes back unchanged and a dangerous one behind a single `'`.
        #[test]
        fn no_cell_reads_back_as_a_formula(
            rows in proptest::collection::vec(
                proptest::collection::vec("[=+@\\-\t\r\n a-z0-9.,;\"']{0,8}", 1..6),
                1..4,
            ),
            semicolon in any::<bool>(),
        ) {
            let d = if semicolon { ';' } else { ',' };
            let back = parse(&write(&rows, d), d);
            prop_assert_eq!(back.len(), rows.len());
            for (orig, got) in rows.iter().zip(&back) {
                prop_assert_eq!(got.len(), orig.len());
                for (o, g) in orig.iter().zip(got) {
                    prop_assert!(!is_dangerous(g), "{:?}", g);
                    if is_dangerous(o) {
                        prop_assert_eq!(g, &format!("'{o}"));
                    } else {
                        prop_assert_eq!(g, o);
                    }
                }
            }
        }
    }
}
