//! Data-protection requests (GDPR articles 15 to 18): what a person asks,
//! the one-month deadline (art. 12(3)), and the steps a request goes
//! through, from open to done or refused with a reason.

use crate::validation::{FieldError, Invalid};
use jiff::civil::Date;

crate::status_enum! {
    /// What the person asks for.
    pub enum RequestKind {
        /// A copy of their data (art. 15).
        Access = "access",
        /// Erasure (art. 17).
        Erasure = "erasure",
        /// Restriction of processing (art. 18).
        Restriction = "restriction",
        /// Rectification (art. 16), carried out with the normal edit pages.
        Rectification = "rectification",
    }
}

crate::status_enum! {
    /// Where a request stands.
    pub enum RequestStatus {
        Open = "open",
        InProgress = "in_progress",
        Done = "done",
        /// Refused, with the reason told to the person.
        Refused = "refused",
    }
}

impl RequestStatus {
    /// Whether the request is finished.
    pub fn is_closed(self) -> bool {
        matches!(self, RequestStatus::Done | RequestStatus::Refused)
    }

    /// The steps allowed from here: open → in progress, done or refused;
    /// in progress → done or refused; nothing after done or refused.
    pub fn can_move_to(self, to: RequestStatus) -> bool {
        matches!(
            (self, to),
            (
                RequestStatus::Open,
                RequestStatus::InProgress | RequestStatus::Done | RequestStatus::Refused
            ) | (
                RequestStatus::InProgress,
                RequestStatus::Done | RequestStatus::Refused
            )
        )
    }
}

/// The deadline of a request received on `received`: one month later
/// (art. 12(3)); a day the next month lacks becomes its last day
/// (31 January → 28 or 29 February).
pub fn deadline(received: Date) -> Date {
    received
        .checked_add(jiff::Span::new().months(1))
        .unwrap_or(received)
}

/// Whether a request is past its deadline on `today` and still not done.
pub fn is_overdue(status: RequestStatus, deadline: Date, today: Date) -> bool {
    !status.is_closed() && today > deadline
}

/// A new request as the officer fills it in, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub kind: RequestKind,
    pub legal_basis: String,
    pub note: String,
    pub received: Date,
    pub deadline: Date,
}

fn text(field: &str, s: &str, max: usize, required: bool) -> Result<String, FieldError> {
    let s = s.trim();
    if required && s.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    if s.chars().count() > max
        || s.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldError::with_value(
            field,
            "text-too-long",
            max.to_string(),
        ));
    }
    Ok(s.to_owned())
}

/// Parses the officer's form. `received` is `YYYY-MM-DD`, not after
/// `today` and at most a year before it.
pub fn parse_new(
    kind: &str,
    legal_basis: &str,
    note: &str,
    received: &str,
    today: Date,
) -> Result<NewRequest, Invalid> {
    let mut inv = Invalid::default();
    let kind = inv.check(
        "kind",
        RequestKind::parse(kind.trim()).ok_or_else(|| FieldError::new("kind", "privacy-kind")),
    );
    let legal_basis = inv.check("legal_basis", text("legal_basis", legal_basis, 200, true));
    let note = inv.check("note", text("note", note, 4000, false));
    let received = inv.check(
        "received",
        match received.trim() {
            "" => Err(FieldError::new("received", "required")),
            s => s
                .parse::<Date>()
                .map_err(|_| FieldError::new("received", "date-invalid"))
                .and_then(|d| {
                    let year_ago = today
                        .checked_sub(jiff::Span::new().years(1))
                        .unwrap_or(today);
                    if d > today || d < year_ago {
                        Err(FieldError::new("received", "privacy-received-range"))
                    } else {
                        Ok(d)
                    }
                }),
        },
    );
    inv.clone().into_result()?;
    match (kind, legal_basis, note, received) {
        (Some(kind), Some(legal_basis), Some(note), Some(received)) => Ok(NewRequest {
            kind,
            legal_basis,
            note,
            received,
            deadline: deadline(received),
        }),
        _ => Err(inv),
    }
}

/// Parses a step: the new status, and the outcome (required when refused:
/// the reason the person is told).
pub fn parse_step(
    from: RequestStatus,
    to: &str,
    outcome: &str,
) -> Result<(RequestStatus, String), Invalid> {
    let to = RequestStatus::parse(to.trim())
        .filter(|t| from.can_move_to(*t))
        .ok_or_else(|| Invalid::one("status", "privacy-step"))?;
    let outcome =
        text("outcome", outcome, 4000, to == RequestStatus::Refused).map_err(Invalid::from)?;
    Ok((to, outcome))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_deadline_is_one_month_later_clamped_to_the_month_end() {
        assert_eq!(deadline(date(2026, 1, 31)), date(2026, 2, 28));
        assert_eq!(deadline(date(2028, 1, 31)), date(2028, 2, 29));
        assert_eq!(deadline(date(2026, 1, 30)), date(2026, 2, 28));
        assert_eq!(deadline(date(2026, 3, 31)), date(2026, 4, 30));
        assert_eq!(deadline(date(2026, 2, 28)), date(2026, 3, 28));
        assert_eq!(deadline(date(2026, 12, 15)), date(2027, 1, 15));
        assert_eq!(deadline(date(2026, 8, 31)), date(2026, 9, 30));
    }

    #[test]
    fn overdue_only_while_open() {
        let d = date(2026, 2, 28);
        assert!(!is_overdue(RequestStatus::Open, d, date(2026, 2, 28)));
        assert!(is_overdue(RequestStatus::Open, d, date(2026, 3, 1)));
        assert!(is_overdue(RequestStatus::InProgress, d, date(2026, 3, 1)));
        assert!(!is_overdue(RequestStatus::Done, d, date(2026, 3, 1)));
        assert!(!is_overdue(RequestStatus::Refused, d, date(2026, 3, 1)));
    }

    #[test]
    fn steps_go_forward_only() {
        use RequestStatus::*;
        for (from, to, ok) in [
            (Open, InProgress, true),
            (Open, Done, true),
            (Open, Refused, true),
            (InProgress, Done, true),
            (InProgress, Refused, true),
            (InProgress, Open, false),
            (Done, Refused, false),
            (Refused, Done, false),
            (Open, Open, false),
        ] {
            assert_eq!(from.can_move_to(to), ok, "{from} → {to}");
        }
        assert_eq!(
            parse_step(InProgress, "refused", " ").unwrap_err().0[0].field,
            "outcome"
        );
        assert_eq!(
            parse_step(Done, "refused", "x").unwrap_err().0[0].code,
            "privacy-step"
        );
        assert_eq!(parse_step(Open, "done", "").unwrap(), (Done, String::new()));
    }

    #[test]
    fn the_form_is_checked_field_by_field() {
        let today = date(2026, 12, 3);
        let r = parse_new("erasure", "Art. 17(1)(a)", "", "2026-01-31", today).unwrap();
        assert_eq!(r.kind, RequestKind::Erasure);
        assert_eq!(r.deadline, date(2026, 2, 28));
        let e = parse_new("delete", "", "", "2026-13-01", today).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("kind", "privacy-kind"),
                ("legal_basis", "required"),
                ("received", "date-invalid")
            ]
        );
        let e = parse_new("access", "x", "", "2026-12-04", today).unwrap_err();
        assert_eq!(e.0[0].code, "privacy-received-range");
        let e = parse_new("access", "x", "", "2025-12-02", today).unwrap_err();
        assert_eq!(e.0[0].code, "privacy-received-range");
    }
}
