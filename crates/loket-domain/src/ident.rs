//! Identifiers that people type, parsed with their official check rules.
//!
//! Each type can only be built by `parse`, so a value of the type is valid.

use crate::validation::FieldError;
use serde::Serialize;
use std::fmt;

fn err(code: &'static str) -> FieldError {
    FieldError::new("", code)
}

/// An e-mail address: RFC 5322 addr-spec, with a dotted domain, at most 254
/// characters. The domain is lower-cased; the local part is kept as typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(err("required"));
        }
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("email-invalid"));
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(err("email-invalid"));
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let domain = domain.to_ascii_lowercase();
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if !local_ok || !domain_ok {
            return Err(err("email-invalid"));
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Belgian national register number (rijksregisternummer), or a BIS number.
///
/// Format `YYMMDDSSSCC`: birth date, a day counter (odd for men, even for
/// women) and a mod-97 check. For people born in 2000 or later the check is
/// computed over `2` followed by the first nine digits. BIS numbers add 20 or
/// 40 to the month.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct NationalNumber(String);

impl NationalNumber {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let digits: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        if digits.is_empty() {
            return Err(err("required"));
        }
        if digits.len() != 11 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(err("nrn-format"));
        }
        let first9: u64 = digits[..9].parse().map_err(|_| err("nrn-format"))?;
        let check: u64 = digits[9..].parse().map_err(|_| err("nrn-format"))?;
        let month: u32 = digits[2..4].parse().map_err(|_| err("nrn-format"))?;
        let day: u32 = digits[4..6].parse().map_err(|_| err("nrn-format"))?;
        let base_month = month % 20;
        if !(month < 60 && base_month <= 12 && day <= 31) {
            return Err(err("nrn-format"));
        }
        let before_2000 = 97 - first9 % 97 == check;
        let after_2000 = 97 - (2_000_000_000 + first9) % 97 == check;
        if !(before_2000 || after_2000) {
            return Err(err("nrn-checksum"));
        }
        Ok(Self(digits))
    }

    /// The eleven digits, without separators.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The usual written form `YY.MM.DD-SSS.CC`.
    pub fn formatted(&self) -> String {
        let d = &self.0;
        format!(
            "{}.{}.{}-{}.{}",
            &d[0..2],
            &d[2..4],
            &d[4..6],
            &d[6..9],
            &d[9..11]
        )
    }
}

/// An IBAN, checked for country format and the mod-97 checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Iban(String);

impl Iban {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(err("required"));
        }
        use iban::IbanLike;
        let iban: iban::Iban = compact
            .to_ascii_uppercase()
            .parse()
            .map_err(|_| err("iban-invalid"))?;
        Ok(Self(iban.electronic_str().to_owned()))
    }

    /// The electronic form, without spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Belgian postal code: four digits, 1000 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PostalCode(u16);

impl PostalCode {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(err("required"));
        }
        if s.len() != 4 || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(err("postal-code-invalid"));
        }
        let n: u16 = s.parse().map_err(|_| err("postal-code-invalid"))?;
        if n < 1000 {
            return Err(err("postal-code-invalid"));
        }
        Ok(Self(n))
    }

    pub fn value(self) -> u16 {
        self.0
    }
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A Belgian licence plate: the current `1-ABC-123` format, or the older
/// `ABC-123` and `123-ABC`. Spaces and dashes are optional when typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LicencePlate(String);

impl LicencePlate {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if s.is_empty() {
            return Err(err("required"));
        }
        let b = s.as_bytes();
        let letters = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_uppercase);
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let formatted = match b.len() {
            7 if (b'1'..=b'9').contains(&b[0]) && letters(1..4) && digits(4..7) => {
                format!("{}-{}-{}", &s[0..1], &s[1..4], &s[4..7])
            }
            6 if letters(0..3) && digits(3..6) => format!("{}-{}", &s[0..3], &s[3..6]),
            6 if digits(0..3) && letters(3..6) => format!("{}-{}", &s[0..3], &s[3..6]),
            _ => return Err(err("plate-invalid")),
        };
        Ok(Self(formatted))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" An.Peeters@Leuven.BE ").map(|e| e.0),
            Ok("An.Peeters@leuven.be".to_owned())
        );
        for bad in [
            "",
            "a",
            "a@b",
            "a@@b.be",
            "a b@c.be",
            ".a@c.be",
            "a..b@c.be",
            "a@-c.be",
            "a@c.b3",
            "a@c..be",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Email::parse("").unwrap_err().code, "required");
    }

    /// Builds a valid number from birth date digits and a counter.
    fn make_nrn(yymmdd: &str, seq: u32, after_2000: bool) -> String {
        let first9: u64 = format!("{yymmdd}{seq:03}").parse().unwrap_or(0);
        let base = if after_2000 {
            2_000_000_000 + first9
        } else {
            first9
        };
        format!("{yymmdd}{seq:03}{:02}", 97 - base % 97)
    }

    #[test]
    fn national_numbers() {
        // Public example numbers with the documented check digits.
        assert!(NationalNumber::parse("85.07.30-033.28").is_ok());
        assert!(NationalNumber::parse("850730 033 28").is_ok());
        assert_eq!(
            NationalNumber::parse("85073003329").unwrap_err().code,
            "nrn-checksum"
        );
        assert_eq!(
            NationalNumber::parse("8507300332").unwrap_err().code,
            "nrn-format"
        );
        assert_eq!(
            NationalNumber::parse("85133003328").unwrap_err().code,
            "nrn-format"
        );
        // Born in 2001: only the post-2000 rule matches.
        let n = make_nrn("010203", 45, true);
        assert!(NationalNumber::parse(&n).is_ok());
        let wrong = make_nrn("010203", 45, false);
        assert_ne!(n, wrong);
        assert_eq!(
            NationalNumber::parse("85.07.30-033.28").map(|n| n.formatted()),
            Ok("85.07.30-033.28".to_owned())
        );
    }

    proptest! {
        #[test]
        fn nrn_roundtrip(y in 0u32..100, m in 1u32..13, d in 1u32..29, seq in 1u32..999, post in any::<bool>()) {
            let n = make_nrn(&format!("{y:02}{m:02}{d:02}"), seq, post);
            prop_assert!(NationalNumber::parse(&n).is_ok());
        }

        #[test]
        fn nrn_single_digit_change_is_caught(y in 0u32..100, m in 1u32..13, d in 1u32..29, seq in 1u32..999, pos in 0usize..11, delta in 1u8..10) {
            let n = make_nrn(&format!("{y:02}{m:02}{d:02}"), seq, false);
            let mut b = n.into_bytes();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let s = String::from_utf8(b).unwrap_or_default();
            // A changed digit either breaks the format or the checksum, unless
            // it happens to match the other century's rule.
            if let Ok(p) = NationalNumber::parse(&s) {
                let first9: u64 = s[..9].parse().unwrap_or(0);
                let check: u64 = s[9..].parse().unwrap_or(0);
                prop_assert!(97 - (2_000_000_000 + first9) % 97 == check || 97 - first9 % 97 == check, "{}", p.as_str());
            }
        }

        #[test]
        fn email_parse_never_panics(s in ".{0,300}") {
            let _ = Email::parse(&s);
        }
    }

    #[test]
    fn ibans() {
        assert_eq!(
            Iban::parse("be68 5390 0754 7034").map(|i| i.0),
            Ok("BE68539007547034".to_owned())
        );
        assert_eq!(
            Iban::parse("BE68539007547035").unwrap_err().code,
            "iban-invalid"
        );
        assert_eq!(Iban::parse("  ").unwrap_err().code, "required");
    }

    #[test]
    fn postal_codes_and_plates() {
        assert_eq!(PostalCode::parse("3000").map(|p| p.value()), Ok(3000));
        for bad in ["300", "0999", "30000", "3a00"] {
            assert!(PostalCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            LicencePlate::parse("1abc123").map(|p| p.0),
            Ok("1-ABC-123".to_owned())
        );
        assert_eq!(
            LicencePlate::parse("ABC 123").map(|p| p.0),
            Ok("ABC-123".to_owned())
        );
        assert_eq!(
            LicencePlate::parse("123-abc").map(|p| p.0),
            Ok("123-ABC".to_owned())
        );
        for bad in ["0-ABC-123", "AB-1234", "1-AB1-123", "ZZZZZZZZ"] {
            assert!(LicencePlate::parse(bad).is_err(), "{bad}");
        }
    }
}
