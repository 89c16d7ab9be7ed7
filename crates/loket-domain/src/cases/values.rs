//! Values people type: addresses and amounts.

use super::*;

/// The sub-fields of an address field `k`: `k_street`, `k_number`, `k_box`,
/// `k_postal_code`, `k_city`.
pub const ADDRESS_PARTS: [&str; 5] = ["street", "number", "box", "postal_code", "city"];

pub(super) fn validate_address(
    key: &str,
    kind: &FieldKind,
    input: &BTreeMap<String, String>,
    required: bool,
) -> Result<Option<Vec<(String, String)>>, Invalid> {
    let get = |part: &str| {
        input
            .get(&format!("{key}_{part}"))
            .map(|s| s.trim())
            .unwrap_or_default()
    };
    if ADDRESS_PARTS.iter().all(|p| get(p).is_empty()) {
        return if required {
            Err(Invalid::one(format!("{key}_street"), "required"))
        } else {
            Ok(None)
        };
    }
    let mut inv = Invalid::default();
    let mut out = Vec::new();
    for part in ADDRESS_PARTS {
        let v = get(part);
        let name = format!("{key}_{part}");
        match part {
            "box" => {}
            _ if v.is_empty() => {
                inv.push(&name, "required");
                continue;
            }
            _ => {}
        }
        if v.chars().count() > 100 || v.chars().any(char::is_control) {
            inv.push(&name, "text-too-long");
            continue;
        }
        match part {
            "number" if !v.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                inv.push(&name, "house-number-invalid");
                continue;
            }
            "postal_code" => match PostalCode::parse(v) {
                Ok(pc) => {
                    if let FieldKind::Address { postal_codes } = kind
                        && !postal_codes.is_empty()
                        && !postal_codes.contains(&pc.value())
                    {
                        inv.push(&name, "postal-code-outside-city");
                        continue;
                    }
                }
                Err(e) => {
                    inv.push(&name, e.code);
                    continue;
                }
            },
            _ => {}
        }
        out.push((name, v.to_owned()));
    }
    if inv.is_empty() {
        Ok(Some(out))
    } else {
        Err(inv)
    }
}

/// Parses a euro amount typed by a person (`1.234,56`, `1234.5`, `€ 20`)
/// into cents.
pub fn parse_amount_cents(s: &str) -> Option<i64> {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '€')
        .collect();
    if t.is_empty() || t.starts_with('-') {
        return None;
    }
    // The last ',' or '.' followed by 1 or 2 digits is the decimal mark.
    let (int_part, frac) = match t.rfind([',', '.']) {
        Some(i) if t.len() - i - 1 <= 2 && t.len() - i > 1 => (&t[..i], &t[i + 1..]),
        _ => (t.as_str(), ""),
    };
    let int_digits: String = int_part
        .chars()
        .filter(|c| *c != '.' && *c != ',')
        .collect();
    if int_digits.is_empty()
        || !int_digits.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    if int_digits.len() > 12 {
        return None;
    }
    let euros: i64 = int_digits.parse().ok()?;
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    euros.checked_mul(100)?.checked_add(cents)
}

/// Formats cents as `1.234,56` (Belgian notation).
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let euros = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in euros.chars().enumerate() {
        if i > 0 && (euros.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped},{:02}", c % 100)
}

pub(super) fn validate_value(
    kind: &FieldKind,
    raw: &str,
    today: Date,
) -> Result<String, &'static str> {
    match kind {
        FieldKind::Text { max_len, .. } => {
            let max = max_len.unwrap_or(500).min(10_000);
            if raw.chars().count() > max {
                Err("text-too-long")
            } else if raw
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
            {
                Err("text-invalid")
            } else {
                Ok(raw.to_owned())
            }
        }
        FieldKind::Date {
            max_days_ahead,
            max_days_back,
        } => {
            let d: Date = raw.parse().map_err(|_| "date-invalid")?;
            let days = i64::from(today.until(d).map_err(|_| "date-invalid")?.get_days());
            if max_days_ahead.is_some_and(|m| days > m) {
                return Err("date-too-far");
            }
            if max_days_back.is_some_and(|m| -days > m) {
                return Err("date-too-early");
            }
            Ok(d.to_string())
        }
        FieldKind::NationalNumber => NationalNumber::parse(raw)
            .map(|n| n.as_str().to_owned())
            .map_err(|e| e.code),
        FieldKind::NationalNumbers => {
            let mut out = Vec::new();
            for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
                out.push(
                    NationalNumber::parse(line)
                        .map_err(|e| e.code)?
                        .as_str()
                        .to_owned(),
                );
            }
            if out.len() > 20 {
                return Err("too-many");
            }
            Ok(out.join("\n"))
        }
        FieldKind::LicencePlate => LicencePlate::parse(raw)
            .map(|p| p.as_str().to_owned())
            .map_err(|e| e.code),
        FieldKind::Iban => Iban::parse(raw)
            .map(|i| i.as_str().to_owned())
            .map_err(|e| e.code),
        FieldKind::Email => Email::parse(raw)
            .map(|e| e.as_str().to_owned())
            .map_err(|e| e.code),
        FieldKind::Choice { options } => options
            .iter()
            .find(|o| o.value == raw)
            .map(|o| o.value.clone())
            .ok_or("choice-unknown"),
        FieldKind::YesNo => match raw {
            "yes" | "no" => Ok(raw.to_owned()),
            _ => Err("choice-unknown"),
        },
        FieldKind::Number { min, max } => {
            let n: i64 = raw.parse().map_err(|_| "number-invalid")?;
            if min.is_some_and(|m| n < m) {
                Err("number-too-small")
            } else if max.is_some_and(|m| n > m) {
                Err("number-too-large")
            } else {
                Ok(n.to_string())
            }
        }
        FieldKind::Amount { max_cents } => {
            let c = parse_amount_cents(raw).ok_or("amount-invalid")?;
            if max_cents.is_some_and(|m| c > m) {
                Err("amount-too-large")
            } else {
                Ok(c.to_string())
            }
        }
        FieldKind::Address { .. } | FieldKind::File => Ok(raw.to_owned()),
    }
}
