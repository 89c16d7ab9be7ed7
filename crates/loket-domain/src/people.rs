//! Residents, staff, roles and passwords.

use crate::ident::Email;
use crate::validation::{FieldError, Invalid};
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::Serialize;
use std::fmt;

/// What a person may do in Loket. A staff member can hold several roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Resident,
    Counter,
    ContactCentre,
    CaseHandler,
    Hr,
    Fleet,
    Finance,
    VaccinationCoordinator,
    /// Vaccination centre staff: check-in, station scans, the observation
    /// room and the mobile teams' pages.
    VaccinationStaff,
    /// A member of staff without a special function: their own telework
    /// days (any staff account linked to a staff record has these pages).
    Employee,
    /// ICT asset management: the inventory, loans, labels and audits.
    Ict,
    Admin,
    /// The privacy officer: finds any person, exports their data and
    /// handles their data-protection requests.
    PrivacyOfficer,
    /// Need to know: sees the cases and forwards of every department, not
    /// only those of the departments assigned to the account.
    AllDepartments,
    /// Management: the dashboard with the city's figures (aggregates only).
    Management,
}

impl Role {
    pub const ALL: [Role; 15] = [
        Role::Resident,
        Role::Counter,
        Role::ContactCentre,
        Role::CaseHandler,
        Role::Hr,
        Role::Fleet,
        Role::Finance,
        Role::VaccinationCoordinator,
        Role::VaccinationStaff,
        Role::Employee,
        Role::Ict,
        Role::Admin,
        Role::PrivacyOfficer,
        Role::AllDepartments,
        Role::Management,
    ];

    /// The roles an admin hands to staff.
    pub const STAFF: [Role; 14] = [
        Role::Counter,
        Role::ContactCentre,
        Role::CaseHandler,
        Role::Hr,
        Role::Fleet,
        Role::Finance,
        Role::VaccinationCoordinator,
        Role::VaccinationStaff,
        Role::Employee,
        Role::Ict,
        Role::Admin,
        Role::PrivacyOfficer,
        Role::AllDepartments,
        Role::Management,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Counter => "counter",
            Role::ContactCentre => "contact_centre",
            Role::CaseHandler => "case_handler",
            Role::Hr => "hr",
            Role::Fleet => "fleet",
            Role::Finance => "finance",
            Role::VaccinationCoordinator => "vaccination_coordinator",
            Role::VaccinationStaff => "vaccination_staff",
            Role::Employee => "employee",
            Role::Ict => "ict",
            Role::Admin => "admin",
            Role::PrivacyOfficer => "privacy_officer",
            Role::AllDepartments => "all_departments",
            Role::Management => "management",
        }
    }

    pub fn parse(s: &str) -> Result<Role, FieldError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| FieldError::new("role", "role-unknown"))
    }

    pub fn is_staff(self) -> bool {
        self != Role::Resident
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of roles, as a person holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Roles(Vec<Role>);

impl Roles {
    pub fn new(mut roles: Vec<Role>) -> Self {
        roles.sort();
        roles.dedup();
        Self(roles)
    }

    pub fn has(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    /// Whether any of `wanted` is held. Admins hold every staff right.
    pub fn any(&self, wanted: &[Role]) -> bool {
        wanted.iter().any(|r| self.has(*r))
    }

    pub fn is_staff(&self) -> bool {
        self.0.iter().any(|r| r.is_staff())
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    pub fn as_slice(&self) -> &[Role] {
        &self.0
    }
}

/// Need to know: whose cases and forwards a member of staff sees. Admins
/// and holders of `all_departments` see every department; everyone else
/// sees only the departments assigned to their account (none assigned:
/// nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepartmentScope {
    All,
    Only {
        /// The account whose `staff_departments` rows the SQL filters on.
        user_id: String,
        departments: Vec<String>,
    },
}

impl DepartmentScope {
    pub fn new(user_id: &str, roles: &Roles, departments: Vec<String>) -> Self {
        if roles.has(Role::Admin) || roles.has(Role::AllDepartments) {
            DepartmentScope::All
        } else {
            DepartmentScope::Only {
                user_id: user_id.to_owned(),
                departments,
            }
        }
    }

    /// Whether a record of `department` (a department code) is shown.
    pub fn sees(&self, department: &str) -> bool {
        match self {
            DepartmentScope::All => true,
            DepartmentScope::Only { departments, .. } => {
                departments.iter().any(|d| d == department)
            }
        }
    }

    /// The user id the store's queries filter on: empty for every
    /// department (the `$n = '' OR …` pattern of static SQL).
    pub fn filter_user(&self) -> &str {
        match self {
            DepartmentScope::All => "",
            DepartmentScope::Only { user_id, .. } => user_id,
        }
    }
}

/// A department code as an admin assigns it: 1 to 40 characters of `a-z`,
/// `0-9` and `-` (the codes of the catalogue and the contact centre).
pub fn check_department_code(code: &str) -> Result<String, FieldError> {
    let c = code.trim();
    if c.is_empty()
        || c.len() > 40
        || !c
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
    {
        return Err(FieldError::new("departments", "department-unknown"));
    }
    Ok(c.to_owned())
}

/// A person's display name: 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(FieldError::new("name", "required"));
        }
        if s.chars().count() > 100 || s.chars().any(char::is_control) {
            return Err(FieldError::new("name", "name-invalid"));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The staff people search's keys of a name: every suffix of the folded
/// name ([`crate::contact::fold`]: lower case, accents removed) that does
/// not start with a space, so that every part of the name that a search
/// can ask for ([`name_query`]) is the start of one of them: "Jan
/// Peeters" has "jan peeters", "an peeters", "n peeters", "peeters",
/// "eeters" … "s".
pub fn name_keys(name: &str) -> Vec<String> {
    let folded: Vec<char> = crate::contact::fold(name.trim()).chars().collect();
    let mut keys: Vec<String> = (0..folded.len())
        .filter(|&i| !folded[i].is_whitespace())
        .map(|i| folded[i..].iter().collect())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// What the people search looks for in names: the text folded as
/// [`name_keys`] folds names, trimmed, without `%`, `_` and `\` (the
/// search was a `LIKE` pattern once, which dropped them).
pub fn name_query(text: &str) -> String {
    crate::contact::fold(text.trim())
        .chars()
        .filter(|c| !matches!(c, '%' | '_' | '\\'))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The minimum and maximum length of a password, in characters.
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 256;

/// A new password, checked against the policy (NIST SP 800-63B: length, not
/// composition rules; and not the e-mail address itself).
pub fn check_new_password(password: &str, email: Option<&Email>) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n == 0 {
        return Err(FieldError::new("password", "required"));
    }
    if n < PASSWORD_MIN {
        return Err(FieldError::new("password", "password-too-short"));
    }
    if n > PASSWORD_MAX {
        return Err(FieldError::new("password", "password-too-long"));
    }
    if email.is_some_and(|e| e.as_str().eq_ignore_ascii_case(password)) {
        return Err(FieldError::new("password", "password-is-email"));
    }
    Ok(())
}

fn argon2() -> Argon2<'static> {
    // OWASP's recommended Argon2id settings: 19 MiB, 2 iterations, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with Argon2id and a random salt (PHC string format).
/// CPU-bound: call it from a blocking thread.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// Verifies a password against a stored PHC hash. An empty or malformed hash
/// never verifies. CPU-bound: call it from a blocking thread.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => argon2().verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    }
}

/// What a resident types to register.
#[derive(Debug, Clone)]
pub struct Registration {
    pub email: Email,
    pub name: PersonName,
}

/// Validates a registration form; every field's error is reported at once.
pub fn validate_registration(
    email: &str,
    name: &str,
    password: &str,
    password_repeat: &str,
) -> Result<Registration, Invalid> {
    let mut inv = Invalid::default();
    let email = inv.check("email", Email::parse(email));
    let name = inv.check("name", PersonName::parse(name));
    inv.check("password", check_new_password(password, email.as_ref()));
    if password != password_repeat {
        inv.push("password_repeat", "password-mismatch");
    }
    match (email, name) {
        (Some(email), Some(name)) if inv.is_empty() => Ok(Registration { email, name }),
        _ => Err(inv),
    }
}

/// How many failed logins from one IP address are tolerated in the window
/// before that address must wait. An account is never locked for everyone:
/// failures of one account from one address slow that address down
/// (`limits::sign_in_delay_s`).
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    pub per_ip: u32,
    pub window_seconds: i64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            per_ip: 20,
            window_seconds: 15 * 60,
        }
    }
}

impl LoginThrottle {
    /// Whether another attempt is allowed, given the failures in the window.
    pub fn allows(&self, ip_failures: u32) -> bool {
        ip_failures < self.per_ip
    }
}

// ---- API tokens: scopes and expiry ----

/// The contexts a token's scope can name: the bounded contexts of the API.
pub const SCOPE_CONTEXTS: [&str; 12] = [
    "people",
    "cases",
    "appointments",
    "queue",
    "contact",
    "telework",
    "bikes",
    "assets",
    "vaccination",
    "shifts",
    "audit",
    "dashboard",
];

/// What a scope allows in its context: reading (GET, HEAD) or writing
/// (every other method).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
        }
    }
}

/// One scope, e.g. `cases:read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope {
    pub context: &'static str,
    pub access: Access,
}

impl Scope {
    /// Parses `context:read` or `context:write` with a known context.
    pub fn parse(s: &str) -> Result<Scope, FieldError> {
        let bad = || FieldError::with_value("scopes", "scope-unknown", s.trim().to_owned());
        let (ctx, access) = s.trim().split_once(':').ok_or_else(bad)?;
        let context = SCOPE_CONTEXTS
            .into_iter()
            .find(|c| *c == ctx)
            .ok_or_else(bad)?;
        let access = match access {
            "read" => Access::Read,
            "write" => Access::Write,
            _ => return Err(bad()),
        };
        Ok(Scope { context, access })
    }

    /// Every scope there is.
    pub fn all() -> Vec<Scope> {
        SCOPE_CONTEXTS
            .into_iter()
            .flat_map(|context| {
                [Access::Read, Access::Write]
                    .into_iter()
                    .map(move |access| Scope { context, access })
            })
            .collect()
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.context, self.access.as_str())
    }
}

/// A token's scopes: a set of [`Scope`]s, or every scope (`*`, which only
/// tokens made before scopes existed carry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scopes {
    All,
    Some(Vec<Scope>),
}

impl Scopes {
    /// Parses the stored form: `*`, or scopes separated by spaces.
    /// Unknown words are dropped (a scope removed from Loket grants
    /// nothing).
    pub fn from_stored(s: &str) -> Scopes {
        if s.trim() == "*" {
            return Scopes::All;
        }
        let mut v: Vec<Scope> = s
            .split_whitespace()
            .filter_map(|w| Scope::parse(w).ok())
            .collect();
        v.sort();
        v.dedup();
        Scopes::Some(v)
    }

    /// Parses what a person asked for (a form, the CLI): at least one
    /// scope, each known; errors name the field `scopes`.
    pub fn parse_list<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Scopes, FieldError> {
        let mut v = Vec::new();
        for item in items {
            for w in item.split([' ', ',']).filter(|w| !w.is_empty()) {
                v.push(Scope::parse(w)?);
            }
        }
        if v.is_empty() {
            return Err(FieldError::new("scopes", "scopes-required"));
        }
        v.sort();
        v.dedup();
        Ok(Scopes::Some(v))
    }

    /// The stored form.
    pub fn to_stored(&self) -> String {
        match self {
            Scopes::All => "*".to_owned(),
            Scopes::Some(v) => v.iter().map(Scope::to_string).collect::<Vec<_>>().join(" "),
        }
    }

    pub fn allows(&self, wanted: Scope) -> bool {
        match self {
            Scopes::All => true,
            Scopes::Some(v) => v.contains(&wanted),
        }
    }
}

/// A token's lifetime unless asked otherwise, and the longest allowed.
pub const TOKEN_DAYS_DEFAULT: i64 = 90;
pub const TOKEN_DAYS_MAX: i64 = 730;

/// Parses a token's lifetime in days (empty: the default), 1 to
/// [`TOKEN_DAYS_MAX`]; errors name `field`.
pub fn parse_token_days(input: &str, field: &str) -> Result<i64, FieldError> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(TOKEN_DAYS_DEFAULT);
    }
    match t.parse::<i64>() {
        Ok(d) if (1..=TOKEN_DAYS_MAX).contains(&d) => Ok(d),
        _ => Err(FieldError::with_value(
            field,
            "token-days-invalid",
            TOKEN_DAYS_MAX.to_string(),
        )),
    }
}

/// Why an admin disables an account: 3 to 500 characters, no control
/// characters besides line breaks.
pub fn parse_disable_reason(input: &str) -> Result<String, FieldError> {
    let t = input.trim();
    if t.chars().count() < 3 {
        return Err(FieldError::new("reason", "reason-required"));
    }
    if t.chars().count() > 500 {
        return Err(FieldError::new("reason", "text-too-long"));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(FieldError::new("reason", "text-invalid"));
    }
    Ok(t.to_owned())
}

/// Whether a staff member with this end date (`YYYY-MM-DD`) is still
/// employed on `today`: the end date is the first day without the account.
pub fn employed_on(end_date: Option<&str>, today: &str) -> bool {
    end_date.is_none_or(|end| today < end)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_part_of_a_name_starts_one_of_its_keys() {
        let keys = name_keys("  Jan Émile  Peeters ");
        assert_eq!(keys.first().map(String::as_str), Some("an emile  peeters"));
        assert!(keys.contains(&"jan emile  peeters".to_owned()));
        assert!(keys.iter().all(|k| !k.starts_with(' ')));
        let name = "jan emile  peeters";
        // Every substring a search may ask for is the start of a key, and
        // a text that is no part of the name starts none.
        for i in 0..name.len() {
            for j in i + 1..=name.len() {
                let part = name_query(&name[i..j]);
                if part.is_empty() {
                    continue;
                }
                assert!(keys.iter().any(|k| k.starts_with(&part)), "{part}");
            }
        }
        assert!(!keys.iter().any(|k| k.starts_with("peters")));
        assert_eq!(name_query(" PEE_ters% "), "peeters");
        assert_eq!(name_query("Émile"), "emile");
        assert_eq!(name_query("%_"), "");
        assert!(name_keys("").is_empty());
    }

    #[test]
    fn department_scope_follows_roles() {
        let only = DepartmentScope::new(
            "u1",
            &Roles::new(vec![Role::CaseHandler]),
            vec!["mobiliteit".to_owned()],
        );
        assert!(only.sees("mobiliteit"));
        assert!(!only.sees("burgerzaken"));
        assert_eq!(only.filter_user(), "u1");
        let all = DepartmentScope::new(
            "u2",
            &Roles::new(vec![Role::CaseHandler, Role::AllDepartments]),
            vec![],
        );
        assert!(all.sees("burgerzaken"));
        assert_eq!(all.filter_user(), "");
        let none = DepartmentScope::new("u3", &Roles::new(vec![Role::CaseHandler]), vec![]);
        assert!(!none.sees("burgerzaken"));
        assert_eq!(Role::parse("all_departments"), Ok(Role::AllDepartments));
        assert!(check_department_code("klimaat").is_ok());
        assert!(check_department_code("Klimaat!").is_err());
        assert!(check_department_code("").is_err());
    }

    use super::*;

    #[test]
    fn roles_roundtrip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert_eq!(Role::parse("mayor").unwrap_err().code, "role-unknown");
        let roles = Roles::new(vec![Role::Hr, Role::Admin, Role::Hr]);
        assert_eq!(roles.as_slice(), &[Role::Hr, Role::Admin]);
        assert!(roles.is_staff());
        assert!(!Roles::new(vec![Role::Resident]).is_staff());
    }

    #[test]
    fn passwords() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterz", &h));
        assert!(!verify_password("x", ""));
        assert_eq!(
            check_new_password("short", None).unwrap_err().code,
            "password-too-short"
        );
        let email = Email::parse("a.person@leuven.be").ok();
        assert_eq!(
            check_new_password("A.Person@leuven.be", email.as_ref())
                .unwrap_err()
                .code,
            "password-is-email"
        );
    }

    #[test]
    fn registration_reports_every_field() {
        let err = validate_registration("nope", "", "short", "other").unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "name", "password", "password_repeat"]);
        assert!(
            validate_registration("an@leuven.be", "An", "long enough pw", "long enough pw").is_ok()
        );
    }

    #[test]
    fn throttle() {
        let t = LoginThrottle::default();
        assert!(t.allows(19));
        assert!(!t.allows(20));
    }

    #[test]
    fn scopes() {
        let s = Scope::parse("cases:read").unwrap();
        assert_eq!(s.to_string(), "cases:read");
        for bad in ["cases", "cases:admin", "city:read", ":read", ""] {
            let e = Scope::parse(bad).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("scopes", "scope-unknown"));
        }
        let list = Scopes::parse_list(["cases:write, cases:read", "audit:read"]).unwrap();
        assert_eq!(list.to_stored(), "audit:read cases:read cases:write");
        assert_eq!(Scopes::from_stored(&list.to_stored()), list);
        assert!(list.allows(s));
        assert!(!list.allows(Scope::parse("people:read").unwrap()));
        assert!(!list.allows(Scope::parse("audit:write").unwrap()));
        assert_eq!(
            Scopes::parse_list([""]).unwrap_err().code,
            "scopes-required"
        );
        assert_eq!(Scopes::from_stored("*"), Scopes::All);
        assert!(Scopes::All.allows(s));
        // A word Loket no longer knows grants nothing.
        assert_eq!(Scopes::from_stored("city:read"), Scopes::Some(vec![]));
        assert_eq!(Scope::all().len(), 2 * SCOPE_CONTEXTS.len());
    }

    #[test]
    fn token_days_and_reasons() {
        assert_eq!(parse_token_days("", "d"), Ok(90));
        assert_eq!(parse_token_days(" 7 ", "d"), Ok(7));
        for bad in ["0", "-1", "731", "x", "1.5"] {
            assert_eq!(
                parse_token_days(bad, "d").unwrap_err().code,
                "token-days-invalid"
            );
        }
        assert_eq!(
            parse_disable_reason(" x ").unwrap_err().code,
            "reason-required"
        );
        assert_eq!(
            parse_disable_reason("left the city").as_deref(),
            Ok("left the city")
        );
        assert_eq!(
            parse_disable_reason(&"a".repeat(501)).unwrap_err().code,
            "text-too-long"
        );
        assert!(employed_on(None, "2026-12-03"));
        assert!(employed_on(Some("2026-12-04"), "2026-12-03"));
        assert!(!employed_on(Some("2026-12-03"), "2026-12-03"));
    }
}
