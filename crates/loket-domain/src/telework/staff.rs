//! Staff records.

use super::*;

/// The columns of the staff CSV, in the order of the template.
pub const STAFF_COLUMNS: [&str; 8] = [
    "employee_no",
    "name",
    "email",
    "department",
    "manager",
    "regime",
    "telework",
    "end_date",
];
pub(super) const STAFF_REQUIRED: [&str; 6] = [
    "employee_no",
    "name",
    "email",
    "department",
    "regime",
    "telework",
];
pub(super) const STAFF_OPTIONAL: [&str; 2] = ["manager", "end_date"];

/// An employee number: 1 to 20 letters, digits or `-`.
pub fn check_employee_no(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(FieldError::new("employee_no", "required"));
    }
    if s.len() > 20 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(FieldError::new("employee_no", "staff-employee-no-invalid"));
    }
    Ok(s.to_ascii_uppercase())
}

/// A work regime in percent: `100`, `80`, `80%`, between 1 and 100.
pub fn parse_regime(s: &str) -> Result<i64, FieldError> {
    let t = s.trim().trim_end_matches('%').trim();
    match t.parse::<i64>() {
        Ok(p) if (1..=100).contains(&p) => Ok(p),
        _ => Err(FieldError::new("regime", "staff-regime-invalid")),
    }
}

/// Yes or no: `ja`/`nee`, `yes`/`no`, `true`/`false`, `1`/`0`, `j`/`n`, `y`.
pub fn parse_yes_no(s: &str) -> Result<bool, FieldError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "ja" | "j" | "yes" | "y" | "true" | "1" => Ok(true),
        "nee" | "n" | "no" | "false" | "0" => Ok(false),
        _ => Err(FieldError::new("telework", "yes-no-invalid")),
    }
}

pub fn parse_date(s: &str) -> Result<Date, FieldError> {
    let s = s.trim();
    if s.len() != 10 {
        return Err(FieldError::new("date", "date-invalid"));
    }
    s.parse::<Date>()
        .map_err(|_| FieldError::new("date", "date-invalid"))
}

/// One staff member as imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffRecord {
    pub line: usize,
    pub employee_no: String,
    pub name: String,
    /// Lower-cased: the link to the Loket account with the same e-mail.
    pub email: String,
    pub department: String,
    pub manager: Option<String>,
    pub regime_percent: i64,
    pub telework_eligible: bool,
    #[serde(serialize_with = "ser_opt_date")]
    pub end_date: Option<Date>,
}

pub(super) fn ser_date<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

pub(super) fn ser_opt_date<S: serde::Serializer>(
    d: &Option<Date>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

/// What the database already holds, for the checks that look beyond the file.
#[derive(Debug, Default, Clone)]
pub struct KnownStaff {
    pub employee_nos: HashSet<String>,
    /// e-mail (lower case) → employee number.
    pub emails: HashMap<String, String>,
}

/// Reads and checks a staff CSV. All or nothing: any error refuses the file,
/// and every error names its line and column.
pub fn parse_staff_csv(text: &str, known: &KnownStaff) -> Result<Vec<StaffRecord>, Vec<CsvError>> {
    let rows = read_csv(text).map_err(|e| vec![e])?;
    let Some((_, header)) = rows.first() else {
        return Err(vec![CsvError::new(1, "", "csv-empty")]);
    };
    let mut errors = Vec::new();
    let map = header_map(header, &STAFF_REQUIRED, &STAFF_OPTIONAL, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    if rows.len() < 2 {
        return Err(vec![CsvError::new(1, "", "csv-no-rows")]);
    }
    let mut out: Vec<StaffRecord> = Vec::new();
    let mut seen_no: HashMap<String, usize> = HashMap::new();
    let mut seen_email: HashMap<String, usize> = HashMap::new();
    for (line, row) in rows.iter().skip(1) {
        let line = *line;
        if row.len() != header.len() {
            errors.push(
                CsvError::new(line, "", "csv-field-count").with_value(format!(
                    "{}/{}",
                    row.len(),
                    header.len()
                )),
            );
            continue;
        }
        let c = |col: &str| cell(row, &map, col);
        let mut bad = |col: &str, e: FieldError, v: &str| {
            let mut ce = CsvError::new(line, col, e.code);
            ce.value = e.value.or_else(|| (!v.is_empty()).then(|| v.to_owned()));
            errors.push(ce);
        };
        let no = match check_employee_no(c("employee_no")) {
            Ok(n) => {
                if let Some(first) = seen_no.insert(n.clone(), line) {
                    bad(
                        "employee_no",
                        FieldError::with_value("", "csv-duplicate", first.to_string()),
                        "",
                    );
                }
                Some(n)
            }
            Err(e) => {
                bad("employee_no", e, c("employee_no"));
                None
            }
        };
        let name = c("name").to_owned();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            bad("name", FieldError::new("", "required"), "");
        }
        let email = match Email::parse(c("email")) {
            Ok(e) => {
                let e = e.as_str().to_ascii_lowercase();
                if let Some(first) = seen_email.insert(e.clone(), line) {
                    bad(
                        "email",
                        FieldError::with_value("", "csv-duplicate", first.to_string()),
                        "",
                    );
                } else if let (Some(owner), Some(no)) = (known.emails.get(&e), &no)
                    && owner != no
                {
                    bad(
                        "email",
                        FieldError::with_value("", "staff-email-taken", owner.clone()),
                        "",
                    );
                }
                e
            }
            Err(e) => {
                bad("email", e, c("email"));
                String::new()
            }
        };
        let department = c("department").to_owned();
        if department.is_empty() || department.chars().count() > 100 {
            bad("department", FieldError::new("", "required"), "");
        }
        let manager = match c("manager") {
            "" => None,
            m => match check_employee_no(m) {
                Ok(m) => Some(m),
                Err(e) => {
                    bad("manager", e, m);
                    None
                }
            },
        };
        let regime = parse_regime(c("regime")).unwrap_or_else(|e| {
            bad("regime", e, c("regime"));
            0
        });
        let eligible = parse_yes_no(c("telework")).unwrap_or_else(|e| {
            bad("telework", e, c("telework"));
            false
        });
        let end_date = match c("end_date") {
            "" => None,
            d => match parse_date(d) {
                Ok(d) => Some(d),
                Err(e) => {
                    bad("end_date", e, d);
                    None
                }
            },
        };
        if let Some(no) = no {
            out.push(StaffRecord {
                line,
                employee_no: no,
                name,
                email,
                department,
                manager,
                regime_percent: regime,
                telework_eligible: eligible,
                end_date,
            });
        }
    }
    // Managers: in the file or already known; never oneself.
    let in_file: HashSet<&str> = out.iter().map(|r| r.employee_no.as_str()).collect();
    for r in &out {
        if let Some(m) = &r.manager {
            if *m == r.employee_no {
                errors.push(CsvError::new(r.line, "manager", "staff-manager-self").with_value(m));
            } else if !in_file.contains(m.as_str()) && !known.employee_nos.contains(m) {
                errors
                    .push(CsvError::new(r.line, "manager", "staff-manager-unknown").with_value(m));
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// A period of leave of one staff member (both ends included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaveRecord {
    pub line: usize,
    pub employee_no: String,
    #[serde(serialize_with = "ser_date")]
    pub from: Date,
    #[serde(serialize_with = "ser_date")]
    pub to: Date,
}

/// Checks a leave period: `to` not before `from`, at most a year long.
pub fn check_leave(from: Date, to: Date) -> Result<(), FieldError> {
    if to < from {
        return Err(FieldError::new("to", "leave-order"));
    }
    if from.until(to).map(|s| s.get_days()).unwrap_or(i32::MAX) > 366 {
        return Err(FieldError::new("to", "leave-too-long"));
    }
    Ok(())
}

/// Reads a leave CSV: `employee_no,from,to` (`to` may be empty: one day).
pub fn parse_leave_csv(
    text: &str,
    known: &HashSet<String>,
) -> Result<Vec<LeaveRecord>, Vec<CsvError>> {
    let rows = read_csv(text).map_err(|e| vec![e])?;
    let Some((_, header)) = rows.first() else {
        return Err(vec![CsvError::new(1, "", "csv-empty")]);
    };
    let mut errors = Vec::new();
    let map = header_map(header, &["employee_no", "from"], &["to"], &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    for (line, row) in rows.iter().skip(1) {
        let line = *line;
        if row.len() != header.len() {
            errors.push(CsvError::new(line, "", "csv-field-count"));
            continue;
        }
        let c = |col: &str| cell(row, &map, col);
        let no = match check_employee_no(c("employee_no")) {
            Ok(n) if known.contains(&n) => Some(n),
            Ok(n) => {
                errors.push(CsvError::new(line, "employee_no", "staff-unknown").with_value(n));
                None
            }
            Err(e) => {
                errors.push(CsvError::new(line, "employee_no", e.code));
                None
            }
        };
        let from = parse_date(c("from"))
            .map_err(|e| errors.push(CsvError::new(line, "from", e.code).with_value(c("from"))))
            .ok();
        let to = match c("to") {
            "" => from,
            t => parse_date(t)
                .map_err(|e| errors.push(CsvError::new(line, "to", e.code).with_value(t)))
                .ok(),
        };
        if let (Some(no), Some(from), Some(to)) = (no, from, to) {
            match check_leave(from, to) {
                Ok(()) => out.push(LeaveRecord {
                    line,
                    employee_no: no,
                    from,
                    to,
                }),
                Err(e) => errors.push(CsvError::new(line, "to", e.code)),
            }
        }
    }
    if rows.len() < 2 {
        errors.push(CsvError::new(1, "", "csv-no-rows"));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Every date of a leave period.
pub fn leave_days(from: Date, to: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        out.push(d);
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    out
}
