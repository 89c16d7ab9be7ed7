//! The catalogue: services as data (fields, rules, workflow) and their validation.

use super::*;

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
    /// The level of assurance an online submission needs: `eid` means the
    /// resident must have signed in with eID or itsme (through the
    /// residents' OpenID provider), not only with a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_identity: Option<String>,
    /// How many years a closed case (approved, refused, withdrawn: any
    /// final state) is kept before the retention run anonymises it, counted
    /// from its closing. `None`: no end date (the run leaves it alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_years: Option<u32>,
}

impl ServiceDef {
    /// The keys of the values a case keeps when it is anonymised (after an
    /// erasure or its retention period): the amounts, for statistics and
    /// for the payments that name them. Everything else goes.
    pub fn kept_on_anonymising(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::Amount { .. }))
            .map(|f| f.key.clone())
            .collect();
        if let Some(p) = &self.payout
            && !keys.contains(&p.amount_field)
        {
            keys.push(p.amount_field.clone());
        }
        keys
    }

    /// Whether an online submission needs an e-ID sign-in.
    pub fn requires_eid(&self) -> bool {
        self.requires_identity.as_deref() == Some("eid")
    }
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

pub(super) fn is_key(s: &str) -> bool {
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
        if self.retention_years.is_some_and(|y| y == 0 || y > 100) {
            inv.push("retention_years", "retention-years-range");
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
        if self
            .requires_identity
            .as_deref()
            .is_some_and(|r| r != "eid")
        {
            inv.push("requires_identity", "requires-identity-unknown");
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
