//! The service catalogue and cases: a service is *data* (its form fields,
//! rules and workflow), and a case is one request for a service, submitted on
//! any channel and followed through the workflow's states.

use crate::ident::{Email, Iban, LicencePlate, NationalNumber, PostalCode};
use crate::validation::{FieldError, Invalid};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A text in both languages of the city.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Text {
    pub nl: String,
    pub en: String,
}

impl Text {
    pub fn new(nl: &str, en: &str) -> Self {
        Self {
            nl: nl.to_owned(),
            en: en.to_owned(),
        }
    }

    /// The text in `lang` (`nl` or `en`), falling back to Dutch.
    pub fn get(&self, lang: &str) -> &str {
        if lang == "en" && !self.en.is_empty() {
            &self.en
        } else {
            &self.nl
        }
    }
}

/// What kind of value a form field holds, with its constraints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    Text {
        #[serde(default)]
        max_len: Option<usize>,
        #[serde(default)]
        multiline: bool,
    },
    /// A calendar date; optionally at most/least this many days from today.
    Date {
        #[serde(default)]
        max_days_ahead: Option<i64>,
        #[serde(default)]
        max_days_back: Option<i64>,
    },
    /// Street, number, box and postal code; optionally only these postal
    /// codes (e.g. the city's own).
    Address {
        #[serde(default)]
        postal_codes: Vec<u16>,
    },
    NationalNumber,
    /// One or more national register numbers, one per line.
    NationalNumbers,
    LicencePlate,
    Iban,
    Email,
    Choice {
        options: Vec<ChoiceOption>,
    },
    YesNo,
    Number {
        #[serde(default)]
        min: Option<i64>,
        #[serde(default)]
        max: Option<i64>,
    },
    /// An amount of money, typed in euro (`1234,56`), kept in cents.
    Amount {
        #[serde(default)]
        max_cents: Option<i64>,
    },
    /// A file upload (PDF, JPEG or PNG).
    File,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub value: String,
    pub label: Text,
}

/// One field of a service's form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    /// The key of the value (`new_street`); `[a-z0-9_]`.
    pub key: String,
    pub label: Text,
    #[serde(default)]
    pub help: Text,
    #[serde(default)]
    pub required: bool,
    #[serde(flatten)]
    pub kind: FieldKind,
}

/// A state of the workflow, with the plain-language explanation residents see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateDef {
    pub key: String,
    pub label: Text,
    pub explanation: Text,
    /// No transitions leave a final state.
    #[serde(default)]
    pub is_final: bool,
    /// The handling clock stops in this state (e.g. waiting for the resident).
    #[serde(default)]
    pub clock_stops: bool,
}

/// A step staff may take from some states to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionDef {
    pub key: String,
    pub label: Text,
    pub from: Vec<String>,
    pub to: String,
    /// A reason must be given (refusals, information requests).
    #[serde(default)]
    pub needs_reason: bool,
    /// Documents the step issues: `decision` (a decision letter) or
    /// `permit` (a permit with a verification QR code).
    #[serde(default)]
    pub documents: Vec<String>,
}

/// A rule over several fields of a form, checked after each field's own
/// rules. Rules are data, like the fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RuleDef {
    /// The amount `field` is at most `percent`% of the amount `of`, and at
    /// most `max_cents` when given (e.g. a premium of 20% of the invoices,
    /// up to 2,500 euro).
    MaxShare {
        field: String,
        of: String,
        percent: u32,
        #[serde(default)]
        max_cents: Option<i64>,
    },
    /// The address `field` must lie in one of `zones`; the zone's code is
    /// kept with the case as `store_as` (e.g. parking zones by street).
    Zone {
        field: String,
        store_as: String,
        label: Text,
        zones: Vec<ZoneDef>,
    },
}

/// A zone: the streets (with their postal code) that belong to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneDef {
    pub code: String,
    pub name: Text,
    pub postal_code: u16,
    pub streets: Vec<String>,
}

/// A street name compared loosely: case, accents, spaces, dots and dashes
/// do not matter (`Sint-Jacobsplein` = `sint jacobsplein`).
pub fn street_key(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = c.to_lowercase().next().unwrap_or(c);
            let base = match c {
                'à' | 'á' | 'â' | 'ä' => 'a',
                'è' | 'é' | 'ê' | 'ë' => 'e',
                'ì' | 'í' | 'î' | 'ï' => 'i',
                'ò' | 'ó' | 'ô' | 'ö' => 'o',
                'ù' | 'ú' | 'û' | 'ü' => 'u',
                'ç' => 'c',
                other => other,
            };
            base.is_alphanumeric().then_some(base)
        })
        .collect()
}

impl RuleDef {
    /// Applies the rule to valid values; may add derived values.
    fn apply(&self, out: &mut BTreeMap<String, String>, inv: &mut Invalid) {
        match self {
            RuleDef::MaxShare {
                field,
                of,
                percent,
                max_cents,
            } => {
                let (Some(asked), Some(base)) = (
                    out.get(field).and_then(|v| v.parse::<i64>().ok()),
                    out.get(of).and_then(|v| v.parse::<i64>().ok()),
                ) else {
                    return;
                };
                let share = base.saturating_mul(i64::from(*percent)) / 100;
                let max = max_cents.map_or(share, |m| m.min(share));
                if asked > max {
                    inv.0.push(FieldError::with_value(
                        field,
                        "amount-above-maximum",
                        format_cents(max),
                    ));
                }
            }
            RuleDef::Zone {
                field,
                store_as,
                zones,
                ..
            } => {
                let street = out.get(&format!("{field}_street")).map(|s| street_key(s));
                let postal = out
                    .get(&format!("{field}_postal_code"))
                    .and_then(|p| p.parse::<u16>().ok());
                let (Some(street), Some(postal)) = (street, postal) else {
                    return;
                };
                match zones.iter().find(|z| {
                    z.postal_code == postal && z.streets.iter().any(|s| street_key(s) == street)
                }) {
                    Some(z) => {
                        out.insert(store_as.clone(), z.code.clone());
                    }
                    None => inv.push(format!("{field}_street"), "address-outside-zones"),
                }
            }
        }
    }
}

/// The kinds of document a transition may issue.
pub const DOCUMENT_KINDS: [&str; 2] = ["decision", "permit"];

/// A service of the catalogue: its form, rules and workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDef {
    /// The stable address of the service (`move`, `parking-permit`).
    pub slug: String,
    pub name: Text,
    pub description: Text,
    pub department: String,
    pub fields: Vec<FieldDef>,
    /// Fee in euro cents (0 for free services).
    #[serde(default)]
    pub fee_cents: i64,
    /// Target handling time in working days.
    pub target_days: i64,
    pub states: Vec<StateDef>,
    /// The state a submitted case starts in.
    pub initial: String,
    pub transitions: Vec<TransitionDef>,
    /// Rules over several fields (maximum shares, zones).
    #[serde(default)]
    pub rules: Vec<RuleDef>,
    /// How approved cases are paid out (premiums), if they are.
    #[serde(default)]
    pub payout: Option<PayoutDef>,
}

/// A service whose approved cases are paid by bank transfer: the amount and
/// account come from the form, payable cases wait in state `from`, and the
/// payment file takes transition `transition` (to "payment pending").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutDef {
    pub amount_field: String,
    pub iban_field: String,
    pub from: String,
    pub transition: String,
}

/// The channel a case came in through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Counter,
    Phone,
    Post,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Web,
        Channel::Counter,
        Channel::Phone,
        Channel::Post,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Counter => "counter",
            Channel::Phone => "phone",
            Channel::Post => "post",
        }
    }

    pub fn parse(s: &str) -> Result<Channel, FieldError> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| FieldError::new("channel", "channel-unknown"))
    }
}

fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 60
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

impl ServiceDef {
    /// Checks that a definition is coherent (an admin may edit it): keys are
    /// unique and well-formed, the workflow's states exist, choices have
    /// options. Field errors name the JSON path.
    pub fn check(&self) -> Result<(), Invalid> {
        let mut inv = Invalid::default();
        if !is_key(&self.slug) {
            inv.push("slug", "key-invalid");
        }
        if self.name.nl.trim().is_empty() {
            inv.push("name.nl", "required");
        }
        if self.fields.is_empty() {
            inv.push("fields", "fields-required");
        }
        let mut seen = Vec::new();
        for (i, f) in self.fields.iter().enumerate() {
            if !is_key(&f.key) || seen.contains(&f.key.as_str()) {
                inv.push(format!("fields[{i}].key"), "key-invalid");
            }
            seen.push(&f.key);
            if f.label.nl.trim().is_empty() {
                inv.push(format!("fields[{i}].label.nl"), "required");
            }
            if let FieldKind::Choice { options } = &f.kind
                && options.is_empty()
            {
                inv.push(format!("fields[{i}].options"), "options-required");
            }
        }
        if self.fee_cents < 0 {
            inv.push("fee_cents", "number-too-small");
        }
        if !(0..=365).contains(&self.target_days) {
            inv.push("target_days", "number-range");
        }
        for (i, r) in self.rules.iter().enumerate() {
            let is = |key: &str, want: fn(&FieldKind) -> bool| {
                self.field(key).is_some_and(|f| want(&f.kind))
            };
            let ok = match r {
                RuleDef::MaxShare {
                    field,
                    of,
                    percent,
                    max_cents,
                } => {
                    let amount = |k: &FieldKind| matches!(k, FieldKind::Amount { .. });
                    is(field, amount)
                        && is(of, amount)
                        && *percent <= 100
                        && max_cents.is_none_or(|m| m >= 0)
                }
                RuleDef::Zone {
                    field,
                    store_as,
                    zones,
                    ..
                } => {
                    is(field, |k| matches!(k, FieldKind::Address { .. }))
                        && is_key(store_as)
                        && self.field(store_as).is_none()
                        && !zones.is_empty()
                }
            };
            if !ok {
                inv.push(format!("rules[{i}]"), "rule-invalid");
            }
        }
        if let Some(p) = &self.payout {
            if !self
                .field(&p.amount_field)
                .is_some_and(|f| matches!(f.kind, FieldKind::Amount { .. }))
            {
                inv.push("payout.amount_field", "rule-invalid");
            }
            if !self
                .field(&p.iban_field)
                .is_some_and(|f| matches!(f.kind, FieldKind::Iban))
            {
                inv.push("payout.iban_field", "rule-invalid");
            }
            if !self
                .transitions
                .iter()
                .any(|t| t.key == p.transition && t.from.contains(&p.from))
            {
                inv.push("payout.transition", "rule-invalid");
            }
        }
        let state_keys: Vec<&str> = self.states.iter().map(|s| s.key.as_str()).collect();
        if !state_keys.contains(&self.initial.as_str()) {
            inv.push("initial", "state-unknown");
        }
        for (i, t) in self.transitions.iter().enumerate() {
            if !is_key(&t.key) {
                inv.push(format!("transitions[{i}].key"), "key-invalid");
            }
            if !state_keys.contains(&t.to.as_str())
                || t.from.iter().any(|f| !state_keys.contains(&f.as_str()))
            {
                inv.push(format!("transitions[{i}]"), "state-unknown");
            }
            if t.from
                .iter()
                .any(|f| self.state(f).is_some_and(|s| s.is_final))
            {
                inv.push(format!("transitions[{i}].from"), "from-final-state");
            }
        }
        inv.into_result()
    }

    pub fn state(&self, key: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.key == key)
    }

    pub fn field(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The transitions that may be taken from `state`.
    pub fn transitions_from(&self, state: &str) -> Vec<&TransitionDef> {
        self.transitions
            .iter()
            .filter(|t| t.from.iter().any(|f| f == state))
            .collect()
    }

    /// Checks a transition from `state`; returns the target state.
    pub fn transition(
        &self,
        state: &str,
        key: &str,
        reason: &str,
    ) -> Result<&TransitionDef, Invalid> {
        let Some(t) = self.transitions.iter().find(|t| t.key == key) else {
            return Err(Invalid::one("transition", "transition-unknown"));
        };
        if !t.from.iter().any(|f| f == state) {
            return Err(Invalid::one("transition", "transition-not-allowed"));
        }
        if t.needs_reason && reason.trim().is_empty() {
            return Err(Invalid::one("reason", "required"));
        }
        if reason.chars().count() > 4000 {
            return Err(Invalid::one("reason", "text-too-long"));
        }
        Ok(t)
    }

    /// Validates a submission on the server: every field's rules. Returns
    /// the normalised values (e.g. `1-ABC-123`, IBAN without spaces, amount
    /// in cents) keyed by field. Unknown keys are ignored; files are checked
    /// elsewhere (only presence is checked here, through `files_present`).
    pub fn validate(
        &self,
        input: &BTreeMap<String, String>,
        files_present: &[&str],
        today: Date,
    ) -> Result<BTreeMap<String, String>, Invalid> {
        let mut inv = Invalid::default();
        let mut out = BTreeMap::new();
        for f in &self.fields {
            if matches!(f.kind, FieldKind::File) {
                if f.required && !files_present.contains(&f.key.as_str()) {
                    inv.push(&f.key, "file-required");
                }
                continue;
            }
            if let FieldKind::Address { .. } = f.kind {
                match validate_address(&f.key, &f.kind, input, f.required) {
                    Ok(Some(parts)) => {
                        for (k, v) in parts {
                            out.insert(k, v);
                        }
                    }
                    Ok(None) => {}
                    Err(errors) => inv.0.extend(errors.0),
                }
                continue;
            }
            let raw = input.get(&f.key).map(|s| s.trim()).unwrap_or_default();
            if raw.is_empty() {
                if f.required {
                    inv.push(&f.key, "required");
                }
                continue;
            }
            match validate_value(&f.kind, raw, today) {
                Ok(v) => {
                    out.insert(f.key.clone(), v);
                }
                Err(code) => inv.push(&f.key, code),
            }
        }
        if inv.is_empty() {
            for r in &self.rules {
                r.apply(&mut out, &mut inv);
            }
        }
        if inv.is_empty() { Ok(out) } else { Err(inv) }
    }

    /// The values rules derived (e.g. the parking zone), as (label, value).
    pub fn derived(&self, data: &BTreeMap<String, String>, lang: &str) -> Vec<(String, String)> {
        self.rules
            .iter()
            .filter_map(|r| match r {
                RuleDef::Zone {
                    store_as,
                    label,
                    zones,
                    ..
                } => {
                    let code = data.get(store_as)?;
                    let z = zones.iter().find(|z| &z.code == code)?;
                    Some((
                        label.get(lang).to_owned(),
                        format!("{} ({})", z.name.get(lang), z.code),
                    ))
                }
                RuleDef::MaxShare { .. } => None,
            })
            .collect()
    }
}

/// The sub-fields of an address field `k`: `k_street`, `k_number`, `k_box`,
/// `k_postal_code`, `k_city`.
pub const ADDRESS_PARTS: [&str; 5] = ["street", "number", "box", "postal_code", "city"];

fn validate_address(
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

fn validate_value(kind: &FieldKind, raw: &str, today: Date) -> Result<String, &'static str> {
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

/// The definitions `loket demo` seeds: a move declaration, a residents'
/// parking permit renewal and an energy-saving renovation premium.
pub const SEED_SERVICES: [&str; 3] = [
    include_str!("../services/move.json"),
    include_str!("../services/parking-permit.json"),
    include_str!("../services/renovation-premium.json"),
];

/// The largest upload accepted, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// Checks an upload by its content, not its name: PDF, JPEG or PNG, at most
/// [`MAX_UPLOAD_BYTES`]. A file whose name or declared type claims another
/// type than its content is refused. Returns the content type.
pub fn check_upload(
    bytes: &[u8],
    declared_type: &str,
    filename: &str,
) -> Result<&'static str, &'static str> {
    if bytes.is_empty() {
        return Err("file-empty");
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err("file-too-large");
    }
    let sniffed = if bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        "image/png"
    } else {
        return Err("file-type");
    };
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let by_name = match ext.as_str() {
        "pdf" => Some("application/pdf"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "" => None,
        _ => return Err("file-type"),
    };
    let declared = declared_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let by_type = match declared.as_str() {
        "application/pdf" => Some("application/pdf"),
        "image/jpeg" | "image/jpg" | "image/pjpeg" => Some("image/jpeg"),
        "image/png" => Some("image/png"),
        _ => None,
    };
    if by_name.is_some_and(|t| t != sniffed) || by_type.is_some_and(|t| t != sniffed) {
        return Err("file-type-mismatch");
    }
    Ok(sniffed)
}

/// A file name safe to show and to put in a download header: the last path
/// segment, printable characters only, at most 100 characters.
pub fn safe_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '/' | ';'))
        .take(100)
        .collect();
    if cleaned.trim().is_empty() {
        "bestand".to_owned()
    } else {
        cleaned
    }
}

/// A case number: the year and a counter, `2026-000123`.
pub fn case_number(year: i16, n: i64) -> String {
    format!("{year}-{n:06}")
}

/// Whether `s` looks like a case number.
pub fn is_case_number(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 11
        && b[4] == b'-'
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[5..].iter().all(u8::is_ascii_digit)
}

/// Adds `days` working days (Monday to Friday, skipping `holidays`) to `from`.
pub fn add_working_days(from: Date, days: i64, holidays: &[Date]) -> Date {
    let mut d = from;
    let mut left = days;
    while left > 0 {
        d = d.tomorrow().unwrap_or(d);
        let weekend = matches!(
            d.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        );
        if !weekend && !holidays.contains(&d) {
            left -= 1;
        }
    }
    d
}

/// The working days after `from` up to and including `to` (0 when `to` is
/// not after `from`): how long a case waited, on the handling clock.
pub fn working_days_between(from: Date, to: Date, holidays: &[Date]) -> i64 {
    let mut d = from;
    let mut n = 0;
    while d < to {
        d = match d.tomorrow() {
            Ok(next) => next,
            Err(_) => break,
        };
        let weekend = matches!(
            d.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        );
        if !weekend && !holidays.contains(&d) {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn waiting_counts_working_days_only() {
        // Friday 2026-11-20 to Tuesday 2026-11-24: Monday and Tuesday.
        assert_eq!(
            working_days_between(date("2026-11-20"), date("2026-11-24"), &[]),
            2
        );
        assert_eq!(
            working_days_between(date("2026-11-24"), date("2026-11-24"), &[]),
            0
        );
        assert_eq!(
            working_days_between(date("2026-11-24"), date("2026-11-20"), &[]),
            0
        );
        let from = date("2026-11-20");
        for n in 0..30 {
            let to = add_working_days(from, n, &[]);
            assert_eq!(working_days_between(from, to, &[]), n);
        }
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn service() -> ServiceDef {
        serde_json::from_str(SEED_SERVICES[0]).unwrap()
    }

    #[test]
    fn the_seed_services_are_coherent() {
        for src in SEED_SERVICES {
            let def: ServiceDef = serde_json::from_str(src).unwrap();
            assert_eq!(def.check(), Ok(()), "{}", def.slug);
        }
        let s = service();
        let mut broken = s.clone();
        broken.transitions[0].to = "nowhere".into();
        broken.fields[1].key = broken.fields[0].key.clone();
        let err = broken.check().unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert!(
            fields.contains(&"fields[1].key") && fields.contains(&"transitions[0]"),
            "{fields:?}"
        );
    }

    fn input(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn seed(slug: &str) -> ServiceDef {
        SEED_SERVICES
            .iter()
            .map(|src| serde_json::from_str::<ServiceDef>(src).unwrap())
            .find(|d| d.slug == slug)
            .unwrap()
    }

    fn premium_input(invoices: &str, asked: &str) -> BTreeMap<String, String> {
        input(&[
            ("address_street", "Naamsestraat"),
            ("address_number", "5"),
            ("address_postal_code", "3000"),
            ("address_city", "Leuven"),
            ("works", "heat_pump"),
            ("invoice_total", invoices),
            ("amount_requested", asked),
            ("iban", "BE68 5390 0754 7034"),
        ])
    }

    #[test]
    fn a_premium_is_at_most_a_share_of_the_invoices_and_a_ceiling() {
        let s = seed("renovation-premium");
        let today = date("2026-11-24");
        let files = ["invoices"];
        // 20% of 8,450.00 is 1,690.00.
        assert!(
            s.validate(&premium_input("8.450,00", "1.690,00"), &files, today)
                .is_ok()
        );
        let err = s
            .validate(&premium_input("8.450,00", "1.690,01"), &files, today)
            .unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].field, "amount_requested");
        assert_eq!(err.0[0].code, "amount-above-maximum");
        assert_eq!(err.0[0].value.as_deref(), Some("1.690,00"));
        // 20% of 20,000 is 4,000, but the ceiling is 2,500.
        let err = s
            .validate(&premium_input("20000", "2500,01"), &files, today)
            .unwrap_err();
        assert_eq!(err.0[0].code, "amount-too-large");
        let err = s
            .validate(&premium_input("12000", "2500"), &files, today)
            .unwrap_err();
        assert_eq!(err.0[0].value.as_deref(), Some("2.400,00"));
        assert!(
            s.validate(&premium_input("20000", "2500"), &files, today)
                .is_ok()
        );
    }

    #[test]
    fn the_parking_zone_follows_from_the_street() {
        let s = seed("parking-permit");
        let today = date("2026-11-24");
        let at = |street: &str, postal: &str| {
            input(&[
                ("address_street", street),
                ("address_number", "20"),
                ("address_postal_code", postal),
                ("address_city", "Leuven"),
                ("plate", "1abc123"),
            ])
        };
        let ok = s
            .validate(&at("tiensestraat", "3000"), &["registration"], today)
            .unwrap();
        assert_eq!(ok["zone"], "A");
        let ok = s
            .validate(
                &at("Kardinaal-Mercierlaan", "3001"),
                &["registration"],
                today,
            )
            .unwrap();
        assert_eq!(ok["zone"], "B");
        assert_eq!(
            s.derived(&ok, "en"),
            vec![("Parking zone".to_owned(), "Heverlee North (B)".to_owned())]
        );
        // A street in the city but in no zone, or a zone street with another postal code.
        for (street, postal) in [("Ambachtenlaan", "3001"), ("Tiensestraat", "3001")] {
            let err = s
                .validate(&at(street, postal), &["registration"], today)
                .unwrap_err();
            assert_eq!(err.0[0].field, "address_street");
            assert_eq!(err.0[0].code, "address-outside-zones");
        }
        // A typed zone value is ignored: the rule derives it.
        let mut forged = at("Ambachtenlaan", "3001");
        forged.insert("zone".into(), "A".into());
        assert!(s.validate(&forged, &["registration"], today).is_err());
    }

    #[test]
    fn a_rule_naming_a_missing_field_is_refused() {
        let mut s = seed("renovation-premium");
        s.rules.push(RuleDef::MaxShare {
            field: "nope".into(),
            of: "invoice_total".into(),
            percent: 20,
            max_cents: None,
        });
        let err = s.check().unwrap_err();
        assert_eq!(err.0[0].field, "rules[1]");
    }

    #[test]
    fn street_names_compare_loosely() {
        assert_eq!(
            street_key("Sint-Jacobsplein"),
            street_key("sint jacobsplein")
        );
        assert_eq!(
            street_key("Mgr. Ladeuzeplein"),
            street_key("mgr ladeuzeplein")
        );
        assert_eq!(street_key("Rue Léopold"), street_key("rue leopold"));
    }

    proptest! {
        #[test]
        fn the_premium_rule_accepts_exactly_up_to_its_maximum(invoice in 1i64..10_000_000, asked in 1i64..250_000) {
            let s = seed("renovation-premium");
            let r = s.validate(
                &premium_input(&format_cents(invoice), &format_cents(asked)),
                &["invoices"],
                date("2026-11-24"),
            );
            let max = (invoice * 20 / 100).min(250_000);
            prop_assert_eq!(r.is_ok(), asked <= max);
        }
    }

    #[test]
    fn move_rules() {
        let s = service();
        let today = date("2026-11-24");
        let good = input(&[
            ("new_address_street", "Bondgenotenlaan"),
            ("new_address_number", "12"),
            ("new_address_postal_code", "3000"),
            ("new_address_city", "Leuven"),
            ("move_date", "2026-12-01"),
            ("old_address_street", "Kerkstraat"),
            ("old_address_number", "1"),
            ("old_address_postal_code", "9000"),
            ("old_address_city", "Gent"),
            ("household", "85.07.30-033.28\n"),
        ]);
        let out = s.validate(&good, &[], today).unwrap();
        assert_eq!(out["household"], "85073003328");
        assert_eq!(out["move_date"], "2026-12-01");

        let mut bad = good.clone();
        bad.insert("new_address_postal_code".into(), "9000".into());
        bad.insert("move_date".into(), "2026-12-03".into());
        bad.insert("household".into(), "85.07.30-033.29".into());
        let err = s.validate(&bad, &[], today).unwrap_err();
        let got: Vec<(&str, &str)> = err.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [
                ("new_address_postal_code", "postal-code-outside-city"),
                ("move_date", "date-too-far"),
                ("household", "nrn-checksum"),
            ]
        );
    }

    #[test]
    fn workflow() {
        let s = service();
        assert_eq!(
            s.transition("submitted", "start_check", "")
                .map(|t| t.to.as_str()),
            Ok("inspector_check")
        );
        assert_eq!(
            s.transition("approved", "start_check", "").unwrap_err().0[0].code,
            "transition-not-allowed"
        );
        assert_eq!(
            s.transition("inspector_check", "refuse", " ")
                .unwrap_err()
                .0[0]
                .field,
            "reason"
        );
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount_cents("1.234,56"), Some(123_456));
        assert_eq!(parse_amount_cents("1234.5"), Some(123_450));
        assert_eq!(parse_amount_cents("€ 20"), Some(2000));
        assert_eq!(parse_amount_cents("2,000"), Some(200_000));
        assert_eq!(parse_amount_cents("-5"), None);
        assert_eq!(parse_amount_cents("abc"), None);
        assert_eq!(format_cents(123_456), "1.234,56");
        assert_eq!(format_cents(5), "0,05");
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // Friday 2026-12-18 + 5 working days, with Christmas on Friday 25th.
        assert_eq!(
            add_working_days(date("2026-12-18"), 5, &[date("2026-12-25")]),
            date("2026-12-28")
        );
        assert_eq!(case_number(2026, 123), "2026-000123");
        assert!(is_case_number("2026-000123"));
        assert!(!is_case_number("2026-00a123"));
    }

    #[test]
    fn uploads_are_checked_by_content() {
        let pdf = b"%PDF-1.7\n...";
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0];
        assert_eq!(
            check_upload(pdf, "application/pdf", "factuur.pdf"),
            Ok("application/pdf")
        );
        assert_eq!(check_upload(&png, "", "scan"), Ok("image/png"));
        assert_eq!(
            check_upload(b"MZ\x90\x00", "application/pdf", "factuur.pdf"),
            Err("file-type")
        );
        assert_eq!(
            check_upload(&png, "application/pdf", "x.pdf"),
            Err("file-type-mismatch")
        );
        assert_eq!(check_upload(pdf, "", "x.exe"), Err("file-type"));
        assert_eq!(check_upload(b"", "", "x.pdf"), Err("file-empty"));
        assert_eq!(
            check_upload(&vec![0xFF; MAX_UPLOAD_BYTES + 1], "", "a.jpg"),
            Err("file-too-large")
        );
        assert_eq!(safe_filename("C:\\fake\\..\\evil\";.pdf"), "evil.pdf");
        assert_eq!(safe_filename("../../"), "bestand");
    }

    proptest! {
        #[test]
        fn amounts_roundtrip(c in 0i64..100_000_000_000) {
            prop_assert_eq!(parse_amount_cents(&format_cents(c)), Some(c));
        }

        #[test]
        fn validation_never_panics(k in "[a-z_]{1,20}", v in ".{0,200}") {
            let s = service();
            let _ = s.validate(&input(&[(k.as_str(), v.as_str())]), &[], date("2026-01-01"));
        }
    }
}
