//! The CSV reader of every import (staff, leave, equipment, vaccination
//! invitations): RFC 4180 quoting, including line breaks inside quotes,
//! `;` or `,` as the header shows, a byte-order mark and CRLF, blank lines
//! skipped; each record keeps the line it starts on, so errors can name
//! it. It reports an unclosed quote, which the `csv` crate (lenient by
//! design) lets run to the end of the file.

use serde::Serialize;
use std::collections::HashMap;

/// One problem in an imported CSV file: the line (1 is the header), the
/// column's name and a message code (Fluent `err-<code>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvError {
    pub line: usize,
    pub column: String,
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl CsvError {
    pub fn new(line: usize, column: &str, code: &'static str) -> Self {
        CsvError {
            line,
            column: column.to_owned(),
            code,
            value: None,
        }
    }

    pub fn with_value(mut self, v: impl Into<String>) -> Self {
        self.value = Some(v.into());
        self
    }
}

/// Reads CSV text (RFC 4180 quoting; `;` or `,` as the header line shows;
/// a UTF-8 byte-order mark and CRLF are fine; blank lines are skipped).
/// Returns each record with the line it starts on.
pub fn read_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let delim = if first.contains(';') { ';' } else { ',' };
    let mut out = Vec::new();
    let mut line = 1usize;
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut was_quoted = false;
        let mut any_quoted = false;
        loop {
            let Some(c) = chars.next() else {
                if quoted {
                    return Err(CsvError::new(start, "", "csv-quote"));
                }
                break;
            };
            if quoted {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                    }
                } else {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
                continue;
            }
            match c {
                '"' if field.trim().is_empty() && !was_quoted => {
                    field.clear();
                    quoted = true;
                    was_quoted = true;
                    any_quoted = true;
                }
                c if c == delim => {
                    fields.push(std::mem::take(&mut field));
                    was_quoted = false;
                }
                '\r' => {}
                '\n' => {
                    line += 1;
                    break;
                }
                c => field.push(c),
            }
        }
        fields.push(field);
        if fields.len() == 1 && fields[0].trim().is_empty() && !any_quoted {
            continue;
        }
        out.push((
            start,
            fields.into_iter().map(|f| f.trim().to_owned()).collect(),
        ));
    }
    Ok(out)
}

/// Checks the header against the expected columns: every required column
/// present, no unknown or repeated one. Returns each column's position.
pub fn header_map(
    header: &[String],
    required: &[&'static str],
    optional: &[&'static str],
    errors: &mut Vec<CsvError>,
) -> HashMap<&'static str, usize> {
    let mut map = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let name = h.trim().to_ascii_lowercase();
        match required.iter().chain(optional).find(|c| **c == name) {
            Some(c) => {
                if map.insert(*c, i).is_some() {
                    errors.push(CsvError::new(1, c, "csv-column-repeated"));
                }
            }
            None => errors.push(CsvError::new(1, h, "csv-column-unknown")),
        }
    }
    for c in required {
        if !map.contains_key(c) {
            errors.push(CsvError::new(1, c, "csv-column-missing"));
        }
    }
    map
}

pub fn cell<'a>(row: &'a [String], map: &HashMap<&'static str, usize>, col: &str) -> &'a str {
    map.get(col)
        .and_then(|i| row.get(*i))
        .map(String::as_str)
        .unwrap_or("")
}
