//! Seed services, uploads, case numbers and working days.

use super::*;

/// The definitions `loket demo` seeds: a move declaration, a residents'
/// parking permit renewal and an energy-saving renovation premium.
pub const SEED_SERVICES: [&str; 3] = [
    include_str!("../../services/move.json"),
    include_str!("../../services/parking-permit.json"),
    include_str!("../../services/renovation-premium.json"),
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
