//! The payroll export.

use super::*;

/// What a payroll line is: the month's allowance, or a correction of an
/// earlier, closed month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Allowance,
    Correction,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Allowance => "allowance",
            LineKind::Correction => "correction",
        }
    }

    pub fn parse(s: &str) -> Option<LineKind> {
        match s {
            "allowance" => Some(LineKind::Allowance),
            "correction" => Some(LineKind::Correction),
            _ => None,
        }
    }
}

/// One line of a closed month's payroll (what the export writes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayLine {
    pub employee_no: String,
    pub name: String,
    pub department: String,
    /// The month paid in.
    pub month: Month,
    /// The month the line is about (differs for corrections).
    pub for_month: Month,
    pub kind: LineKind,
    /// Paid days (a correction: the difference), in half-day units.
    pub half_units: i64,
    pub full_days: i64,
    pub half_days: i64,
    pub rate_cents: i64,
    pub amount_cents: i64,
    pub rule_version: i64,
    pub over_tax_free: bool,
}

/// A column the export can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ExportField {
    EmployeeNo,
    Name,
    Department,
    Month,
    ForMonth,
    Kind,
    WageCode,
    Days,
    FullDays,
    HalfDays,
    RateCents,
    Rate,
    AmountCents,
    Amount,
    RuleVersion,
    OverTaxFree,
}

impl ExportField {
    pub const ALL: [ExportField; 16] = [
        ExportField::EmployeeNo,
        ExportField::Name,
        ExportField::Department,
        ExportField::Month,
        ExportField::ForMonth,
        ExportField::Kind,
        ExportField::WageCode,
        ExportField::Days,
        ExportField::FullDays,
        ExportField::HalfDays,
        ExportField::RateCents,
        ExportField::Rate,
        ExportField::AmountCents,
        ExportField::Amount,
        ExportField::RuleVersion,
        ExportField::OverTaxFree,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ExportField::EmployeeNo => "employee_no",
            ExportField::Name => "name",
            ExportField::Department => "department",
            ExportField::Month => "month",
            ExportField::ForMonth => "for_month",
            ExportField::Kind => "kind",
            ExportField::WageCode => "wage_code",
            ExportField::Days => "days",
            ExportField::FullDays => "full_days",
            ExportField::HalfDays => "half_days",
            ExportField::RateCents => "rate_cents",
            ExportField::Rate => "rate",
            ExportField::AmountCents => "amount_cents",
            ExportField::Amount => "amount",
            ExportField::RuleVersion => "rule_version",
            ExportField::OverTaxFree => "over_tax_free",
        }
    }

    pub fn parse(s: &str) -> Option<ExportField> {
        ExportField::ALL.into_iter().find(|f| f.key() == s.trim())
    }
}

/// The layout of the payroll file: which columns, under which headers, in
/// which order; the separator; and the wage code of each component. Every
/// social secretariat has its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportLayout {
    pub delimiter: char,
    pub columns: Vec<(ExportField, String)>,
    pub wage_code_allowance: String,
    pub wage_code_correction: String,
}

impl Default for ExportLayout {
    fn default() -> Self {
        ExportLayout::parse(DEFAULT_COLUMNS, ";", "3150", "3151").unwrap_or(ExportLayout {
            delimiter: ';',
            columns: Vec::new(),
            wage_code_allowance: "3150".to_owned(),
            wage_code_correction: "3151".to_owned(),
        })
    }
}

/// The default columns: one per line, `field = header`.
pub const DEFAULT_COLUMNS: &str = "employee_no = employee_no\nmonth = month\nkind = kind\nfor_month = for_month\nwage_code = wage_code\ndays = days\nrate_cents = rate_cents\namount_cents = amount_cents\nrule_version = rule_version";

impl ExportLayout {
    /// Reads a layout from the settings form: columns one per line as
    /// `field = header` (or just `field`), a separator (`;`, `,` or `tab`),
    /// and the two wage codes.
    pub fn parse(
        columns: &str,
        delimiter: &str,
        wage_allowance: &str,
        wage_correction: &str,
    ) -> Result<ExportLayout, Vec<FieldError>> {
        let mut errs = Vec::new();
        let delimiter = match delimiter.trim() {
            ";" => ';',
            "," => ',',
            "tab" | "\t" => '\t',
            _ => {
                errs.push(FieldError::new("delimiter", "export-delimiter-invalid"));
                ';'
            }
        };
        let mut cols = Vec::new();
        for (i, line) in columns.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (field, header) = line.split_once('=').unwrap_or((line, line));
            match ExportField::parse(field) {
                Some(f) => {
                    let header = header.trim();
                    if header.is_empty()
                        || header.len() > 60
                        || header.contains(['"', '\n', '\r', ';', ',', '\t'])
                    {
                        errs.push(FieldError::with_value(
                            "columns",
                            "export-header-invalid",
                            (i + 1).to_string(),
                        ));
                    }
                    cols.push((f, header.to_owned()));
                }
                None => errs.push(FieldError::with_value(
                    "columns",
                    "export-field-unknown",
                    format!("{} ({})", i + 1, field.trim()),
                )),
            }
        }
        if cols.is_empty() && errs.is_empty() {
            errs.push(FieldError::new("columns", "required"));
        }
        let code_ok = |s: &str| {
            !s.trim().is_empty()
                && s.trim().len() <= 20
                && s.trim()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if !code_ok(wage_allowance) {
            errs.push(FieldError::new(
                "wage_code_allowance",
                "export-wage-code-invalid",
            ));
        }
        if !code_ok(wage_correction) {
            errs.push(FieldError::new(
                "wage_code_correction",
                "export-wage-code-invalid",
            ));
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(ExportLayout {
            delimiter,
            columns: cols,
            wage_code_allowance: wage_allowance.trim().to_owned(),
            wage_code_correction: wage_correction.trim().to_owned(),
        })
    }

    /// The columns as the settings form shows them.
    pub fn columns_text(&self) -> String {
        self.columns
            .iter()
            .map(|(f, h)| format!("{} = {h}", f.key()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn delimiter_text(&self) -> &'static str {
        match self.delimiter {
            ',' => ",",
            '\t' => "tab",
            _ => ";",
        }
    }

    fn value(&self, f: ExportField, l: &PayLine) -> String {
        match f {
            ExportField::EmployeeNo => l.employee_no.clone(),
            ExportField::Name => l.name.clone(),
            ExportField::Department => l.department.clone(),
            ExportField::Month => l.month.to_string(),
            ExportField::ForMonth => l.for_month.to_string(),
            ExportField::Kind => l.kind.as_str().to_owned(),
            ExportField::WageCode => match l.kind {
                LineKind::Allowance => self.wage_code_allowance.clone(),
                LineKind::Correction => self.wage_code_correction.clone(),
            },
            ExportField::Days => days_text(l.half_units),
            ExportField::FullDays => l.full_days.to_string(),
            ExportField::HalfDays => l.half_days.to_string(),
            ExportField::RateCents => l.rate_cents.to_string(),
            ExportField::Rate => euro(l.rate_cents),
            ExportField::AmountCents => l.amount_cents.to_string(),
            ExportField::Amount => euro(l.amount_cents),
            ExportField::RuleVersion => l.rule_version.to_string(),
            ExportField::OverTaxFree => if l.over_tax_free { "1" } else { "0" }.to_owned(),
        }
    }

    /// The payroll file's cells: a header line, then one line per pay
    /// line. `loket_render::csv::write` with [`Self::delimiter`] writes them
    /// (quoting, CRLF, formula neutralisation).
    pub fn rows(&self, lines: &[PayLine]) -> Vec<Vec<String>> {
        let mut out = vec![self.columns.iter().map(|(_, h)| h.clone()).collect()];
        for l in lines {
            out.push(
                self.columns
                    .iter()
                    .map(|(f, _)| self.value(*f, l))
                    .collect(),
            );
        }
        out
    }
}

/// Cents as euro with a decimal point: 1234 → `12.34`, -50 → `-0.50`.
pub fn euro(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// Reads an amount in euro (`3`, `3.00`, `3,5`) as cents.
pub fn parse_euro(s: &str) -> Result<i64, FieldError> {
    let s = s.trim().replace(',', ".");
    let err = || FieldError::new("amount", "amount-invalid");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() || frac.len() > 2 || !whole.chars().all(|c| c.is_ascii_digit()) {
        return Err(err());
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(err());
    }
    let w: i64 = whole.parse().map_err(|_| err())?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| err())?
    };
    w.checked_mul(100)
        .and_then(|v| v.checked_add(f))
        .filter(|v| *v <= 100_000_000)
        .ok_or_else(err)
}

pub use crate::percent;

/// The working days of a month for `who`: not weekend, not a holiday.
pub fn working_days(month: Month, holidays: &BTreeSet<Date>) -> Vec<Date> {
    month
        .days()
        .into_iter()
        .filter(|d| !is_weekend(*d) && !holidays.contains(d))
        .collect()
}

/// `date` plus `n` days (saturating at the month's edges is the caller's job).
pub fn add_days(date: Date, n: i32) -> Date {
    date.checked_add(n.days()).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn rule() -> AllowanceRule {
        AllowanceRule {
            version: 1,
            effective_from: d("2024-01-01"),
            full_day_cents: 300,
            half_day_cents: 150,
            max_days: 0,
            max_amount_cents: 0,
            min_regime_percent: 0,
        }
    }

    const WHO: Eligibility = Eligibility {
        eligible: true,
        regime_percent: 100,
    };

    #[test]
    fn months() {
        let m = Month::parse("2026-02").unwrap();
        assert_eq!(m.days().len(), 28);
        assert_eq!(m.next().to_string(), "2026-03");
        assert_eq!(
            Month::parse("2026-01").unwrap().prev().to_string(),
            "2025-12"
        );
        assert!(Month::parse("2026-13").is_err());
        assert!(Month::parse("2026-1").is_err());
    }

    #[test]
    fn three_euro_a_day_and_half_days() {
        let a = compute(&rule(), Some(15_783), WHO, &[DayKind::Full; 10]);
        assert_eq!(a.amount_cents, 3000);
        let mut days = vec![DayKind::Full; 10];
        days.push(DayKind::Half);
        let a = compute(&rule(), None, WHO, &days);
        assert_eq!(a.amount_cents, 3150);
        assert_eq!(a.days_text(), "10.5");
    }

    #[test]
    fn caps_and_tax_free_flag() {
        let mut r = rule();
        r.max_days = 8;
        let a = compute(&r, None, WHO, &[DayKind::Full; 12]);
        assert_eq!((a.paid_full, a.amount_cents, a.capped), (8, 2400, true));
        r.max_days = 0;
        r.max_amount_cents = 2000;
        let a = compute(&r, None, WHO, &[DayKind::Full; 12]);
        assert_eq!(a.amount_cents, 2000);
        // Above the RSZ maximum: flagged, not lowered.
        let mut r = rule();
        r.full_day_cents = 1000;
        let a = compute(&r, Some(15_783), WHO, &[DayKind::Full; 20]);
        assert_eq!(a.amount_cents, 20_000);
        assert!(a.over_tax_free);
    }

    #[test]
    fn eligibility() {
        let mut r = rule();
        r.min_regime_percent = 50;
        let part = Eligibility {
            eligible: true,
            regime_percent: 40,
        };
        assert_eq!(compute(&r, None, part, &[DayKind::Full; 3]).amount_cents, 0);
        let no = Eligibility {
            eligible: false,
            regime_percent: 100,
        };
        assert_eq!(compute(&r, None, no, &[DayKind::Full; 3]).amount_cents, 0);
    }

    #[test]
    fn the_rule_of_a_month() {
        let mut r2 = rule();
        r2.version = 2;
        r2.effective_from = d("2026-07-01");
        r2.full_day_cents = 350;
        let rules = vec![rule(), r2];
        assert_eq!(
            rule_for(&rules, Month::parse("2026-06").unwrap())
                .unwrap()
                .version,
            1
        );
        assert_eq!(
            rule_for(&rules, Month::parse("2026-07").unwrap())
                .unwrap()
                .version,
            2
        );
        assert!(rule_for(&rules, Month::parse("2023-12").unwrap()).is_none());
        let maxima: Vec<TaxFreeMax> = DEFAULT_TAX_FREE
            .iter()
            .map(|(f, c)| TaxFreeMax {
                effective_from: d(f),
                cents: *c,
            })
            .collect();
        assert_eq!(
            tax_free_for(&maxima, Month::parse("2024-05").unwrap()),
            Some(15_170)
        );
        assert_eq!(
            tax_free_for(&maxima, Month::parse("2024-06").unwrap()),
            Some(15_474)
        );
        assert_eq!(
            tax_free_for(&maxima, Month::parse("2026-01").unwrap()),
            Some(15_783)
        );
        let mut bad = rule();
        bad.effective_from = d("2026-07-15");
        assert_eq!(bad.check()[0].code, "telework-rule-first-of-month");
    }

    #[test]
    fn days_that_cannot_be_registered() {
        let holidays = holidays(2026, &BTreeSet::from([d("2026-11-02")]));
        let leave = BTreeSet::from([d("2026-11-18")]);
        let cx = DayContext {
            today: d("2026-11-20"),
            holidays: &holidays,
            leave: &leave,
            end_date: None,
            month_closed: false,
            month_approved: false,
        };
        let code = |s: &str, st| check_day(d(s), st, &cx).err().map(|e| e.code);
        assert_eq!(code("2026-11-17", DayState::Confirmed), None);
        assert_eq!(code("2026-11-26", DayState::Planned), None);
        assert_eq!(
            code("2026-11-26", DayState::Confirmed),
            Some("telework-confirm-future")
        );
        assert_eq!(
            code("2026-11-21", DayState::Planned),
            Some("telework-weekend")
        );
        assert_eq!(
            code("2026-11-11", DayState::Planned),
            Some("telework-holiday")
        );
        assert_eq!(
            code("2026-11-02", DayState::Planned),
            Some("telework-holiday")
        );
        assert_eq!(
            code("2026-11-18", DayState::Planned),
            Some("telework-leave")
        );
        assert_eq!(
            code("2026-12-01", DayState::Planned),
            Some("telework-future-month")
        );
        let closed = DayContext {
            month_closed: true,
            ..cx
        };
        assert_eq!(
            check_day(d("2026-11-17"), DayState::Planned, &closed)
                .unwrap_err()
                .code,
            "telework-month-closed"
        );
    }

    #[test]
    fn staff_csv_ok_and_errors_with_line_and_column() {
        let ok = "employee_no;name;email;department;manager;regime;telework;end_date\n\
                  E1;An Boss;an@leuven.example;ICT;;100%;ja;\n\
                  E2;\"Bert; the second\";Bert@Leuven.example;ICT;E1;80;nee;2026-12-31\n";
        let rows = parse_staff_csv(ok, &KnownStaff::default()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].name, "Bert; the second");
        assert_eq!(rows[1].email, "bert@leuven.example");
        assert_eq!(rows[1].manager.as_deref(), Some("E1"));
        assert_eq!(rows[1].regime_percent, 80);

        let bad = "employee_no,name,email,department,manager,regime,telework,end_date\n\
                   E1,An,an@leuven.example,ICT,,100,ja,\n\
                   E1,Bert,bert@leuven.example,ICT,E9,80,nee,2026-02-30\n";
        let errs = parse_staff_csv(bad, &KnownStaff::default()).unwrap_err();
        let got: Vec<(usize, &str, &str)> = errs
            .iter()
            .map(|e| (e.line, e.column.as_str(), e.code))
            .collect();
        assert!(
            got.contains(&(3, "employee_no", "csv-duplicate")),
            "{got:?}"
        );
        assert!(got.contains(&(3, "end_date", "date-invalid")), "{got:?}");
        assert!(
            got.contains(&(3, "manager", "staff-manager-unknown")),
            "{got:?}"
        );

        let wrong = "employee_no,name,mail,department,regime,telework\nE1,An,a@b.be,ICT,100,ja\n";
        let errs = parse_staff_csv(wrong, &KnownStaff::default()).unwrap_err();
        assert_eq!(
            (errs[0].line, errs[0].column.as_str(), errs[0].code),
            (1, "mail", "csv-column-unknown")
        );
        assert_eq!(
            (errs[1].line, errs[1].column.as_str(), errs[1].code),
            (1, "email", "csv-column-missing")
        );
    }

    #[test]
    fn export_layout_is_configurable() {
        let layout = ExportLayout::parse(
            "employee_no = Stamnr\nwage_code = Looncode\ndays = Dagen\namount = Bedrag\nrule_version",
            ",",
            "W1",
            "W2",
        )
        .unwrap();
        let line = PayLine {
            employee_no: "E1".into(),
            name: "An".into(),
            department: "ICT".into(),
            month: Month::parse("2026-03").unwrap(),
            for_month: Month::parse("2026-02").unwrap(),
            kind: LineKind::Correction,
            half_units: -3,
            full_days: -1,
            half_days: -1,
            rate_cents: 300,
            amount_cents: -450,
            rule_version: 1,
            over_tax_free: false,
        };
        assert_eq!(
            layout.rows(&[line]),
            vec![
                vec!["Stamnr", "Looncode", "Dagen", "Bedrag", "rule_version"],
                vec!["E1", "W2", "-1.5", "-4.50", "1"]
            ]
        );
        assert!(ExportLayout::parse("salary = X", ";", "1", "2").is_err());
        assert_eq!(parse_euro("3,5"), Ok(350));
        assert_eq!(parse_euro("157.83"), Ok(15_783));
        assert!(parse_euro("1.234").is_err());
    }

    fn arb_rule() -> impl Strategy<Value = AllowanceRule> {
        (0i64..2000, 0i64..2000, 0i64..25, 0i64..20_000).prop_map(|(f, h, md, ma)| AllowanceRule {
            version: 1,
            effective_from: d("2024-01-01"),
            full_day_cents: f,
            half_day_cents: h,
            max_days: md,
            max_amount_cents: ma,
            min_regime_percent: 0,
        })
    }

    fn arb_days() -> impl Strategy<Value = Vec<DayKind>> {
        proptest::collection::vec(prop_oneof![Just(DayKind::Full), Just(DayKind::Half)], 0..25)
    }

    proptest! {
        #[test]
        fn never_negative_never_above_the_caps(r in arb_rule(), days in arb_days()) {
            let a = compute(&r, None, WHO, &days);
            prop_assert!(a.amount_cents >= 0);
            if r.max_amount_cents > 0 {
                prop_assert!(a.amount_cents <= r.max_amount_cents);
            }
            if r.max_days > 0 {
                prop_assert!(a.paid_full * 2 + a.paid_half <= r.max_days * 2);
            }
            prop_assert!(a.amount_cents <= a.full_days * r.full_day_cents + a.half_days * r.half_day_cents);
        }

        #[test]
        fn one_more_day_never_lowers_it(r in arb_rule(), days in arb_days(), extra in prop_oneof![Just(DayKind::Full), Just(DayKind::Half)]) {
            let before = compute(&r, None, WHO, &days).amount_cents;
            let mut more = days.clone();
            more.push(extra);
            prop_assert!(compute(&r, None, WHO, &more).amount_cents >= before);
        }

        #[test]
        fn the_order_of_registration_does_not_matter(r in arb_rule(), days in arb_days(), seed in any::<u64>()) {
            let mut shuffled = days.clone();
            // A deterministic shuffle from the seed.
            let mut s = seed;
            for i in (1..shuffled.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let j = (s >> 33) as usize % (i + 1);
                shuffled.swap(i, j);
            }
            prop_assert_eq!(compute(&r, None, WHO, &days), compute(&r, None, WHO, &shuffled));
        }

        #[test]
        fn csv_reader_round_trips_quoted_fields(fields in proptest::collection::vec("[a-z;\" ]{0,8}", 1..5)) {
            let line: Vec<String> = fields.iter().map(|f| format!("\"{}\"", f.replace('"', "\"\""))).collect();
            let text = format!("a;b\n{}\n", line.join(";"));
            let rows = read_csv(&text).unwrap();
            let want: Vec<String> = fields.iter().map(|f| f.trim().to_owned()).collect();
            prop_assert_eq!(&rows[1].1, &want);
            prop_assert_eq!(rows[1].0, 2);
        }
    }
}
