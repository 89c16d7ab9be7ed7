//! iCalendar files (RFC 5545) for appointments: `METHOD:REQUEST` for a
//! booking or a reschedule (same UID, higher SEQUENCE), `METHOD:CANCEL` for
//! a cancellation. Times are local with `TZID=Europe/Brussels` and a
//! VTIMEZONE that carries the EU daylight-saving rules. Lines end in CRLF
//! and are folded at 75 octets.

/// What the file describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Request,
    Cancel,
}

/// One appointment as a calendar event.
pub struct Event<'a> {
    pub method: Method,
    /// Stable across reschedules: the appointment id and the host.
    pub uid: &'a str,
    pub sequence: i64,
    /// When this version of the file was made (unix ms, UTC).
    pub stamp_ms: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub organizer_name: &'a str,
    pub organizer_email: &'a str,
    pub attendee_name: &'a str,
    pub attendee_email: &'a str,
}

/// The content type of the attachment for `method`.
pub fn content_type(method: Method) -> &'static str {
    match method {
        Method::Request => "text/calendar; charset=UTF-8; method=REQUEST",
        Method::Cancel => "text/calendar; charset=UTF-8; method=CANCEL",
    }
}

/// Europe/Brussels: CET (UTC+1) in winter, CEST (UTC+2) from the last Sunday
/// of March 02:00 to the last Sunday of October 03:00 (EU rules since 1996).
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Brussels",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19810329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19961027T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

fn utc_stamp(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

fn local_stamp(ms: i64) -> String {
    let tz = loket_domain::calendar::brussels();
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned_datetime(tz)
                .strftime("%Y%m%dT%H%M%S")
                .to_string()
        })
        .unwrap_or_default()
}

/// Escapes a TEXT value (RFC 5545 3.3.11).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value: quoted, without the characters a quoted value
/// cannot hold.
fn param(s: &str) -> String {
    let clean: String = s.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    format!("\"{clean}\"")
}

/// Folds a content line at 75 octets (never inside a UTF-8 character) and
/// ends it with CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

/// The calendar file.
pub fn ics(e: &Event<'_>) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Loket//Appointments//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        format!(
            "METHOD:{}",
            match e.method {
                Method::Request => "REQUEST",
                Method::Cancel => "CANCEL",
            }
        ),
    ];
    lines.extend(VTIMEZONE.iter().map(|l| (*l).to_owned()));
    lines.extend([
        "BEGIN:VEVENT".into(),
        format!("UID:{}", e.uid),
        format!("SEQUENCE:{}", e.sequence),
        format!("DTSTAMP:{}", utc_stamp(e.stamp_ms)),
        format!("DTSTART;TZID=Europe/Brussels:{}", local_stamp(e.start_ms)),
        format!("DTEND;TZID=Europe/Brussels:{}", local_stamp(e.end_ms)),
        format!("SUMMARY:{}", escape(e.summary)),
        format!("LOCATION:{}", escape(e.location)),
        format!("DESCRIPTION:{}", escape(e.description)),
        format!(
            "ORGANIZER;CN={}:mailto:{}",
            param(e.organizer_name),
            e.organizer_email
        ),
        format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT={};RSVP=FALSE:mailto:{}",
            param(e.attendee_name),
            match e.method {
                Method::Request => "ACCEPTED",
                Method::Cancel => "DECLINED",
            },
            e.attendee_email
        ),
        format!(
            "STATUS:{}",
            match e.method {
                Method::Request => "CONFIRMED",
                Method::Cancel => "CANCELLED",
            }
        ),
        "TRANSP:OPAQUE".into(),
    ]);
    if e.method == Method::Request {
        lines.extend([
            "BEGIN:VALARM".into(),
            "ACTION:DISPLAY".into(),
            format!("DESCRIPTION:{}", escape(e.summary)),
            "TRIGGER:-PT1H".into(),
            "END:VALARM".into(),
        ]);
    }
    lines.push("END:VEVENT".into());
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect()
}

/// One event of a published calendar feed (a subscription, `METHOD:PUBLISH`).
pub struct FeedEvent<'a> {
    /// Stable across changes of the event.
    pub uid: &'a str,
    pub sequence: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    /// A cancelled event stays in the feed with `STATUS:CANCELLED`.
    pub cancelled: bool,
}

/// A calendar feed with many events (e.g. a staff member's shifts), with
/// the same VTIMEZONE, escaping and folding as [`ics`].
pub fn feed(name: &str, stamp_ms: i64, events: &[FeedEvent<'_>]) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Loket//Shifts//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape(name)),
        "X-WR-TIMEZONE:Europe/Brussels".into(),
    ];
    lines.extend(VTIMEZONE.iter().map(|l| (*l).to_owned()));
    for e in events {
        lines.extend([
            "BEGIN:VEVENT".into(),
            format!("UID:{}", e.uid),
            format!("SEQUENCE:{}", e.sequence),
            format!("DTSTAMP:{}", utc_stamp(stamp_ms)),
            format!("DTSTART;TZID=Europe/Brussels:{}", local_stamp(e.start_ms)),
            format!("DTEND;TZID=Europe/Brussels:{}", local_stamp(e.end_ms)),
            format!("SUMMARY:{}", escape(e.summary)),
            format!("LOCATION:{}", escape(e.location)),
            format!("DESCRIPTION:{}", escape(e.description)),
            format!(
                "STATUS:{}",
                if e.cancelled {
                    "CANCELLED"
                } else {
                    "CONFIRMED"
                }
            ),
            "TRANSP:OPAQUE".into(),
            "END:VEVENT".into(),
        ]);
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn feed_has_every_event() {
        let ev = |uid: &'static str, start: i64| FeedEvent {
            uid,
            sequence: 0,
            start_ms: start,
            end_ms: start + 5 * 3_600_000,
            summary: "Onthaal; prikcentrum",
            location: "Prikcentrum",
            description: "",
            cancelled: false,
        };
        let s = feed(
            "Mijn diensten",
            1_764_000_000_000,
            &[ev("a@x", 1_796_199_300_000), ev("b@x", 1_796_285_700_000)],
        );
        assert!(s.starts_with("BEGIN:VCALENDAR\r\n") && s.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(s.matches("BEGIN:VEVENT").count(), 2);
        assert_eq!(s.matches("BEGIN:VTIMEZONE").count(), 1);
        assert!(s.contains("METHOD:PUBLISH\r\n"));
        assert!(s.contains("SUMMARY:Onthaal\\; prikcentrum\r\n"));
        assert!(!s.replace("\r\n", "").contains('\n'));
    }

    fn event(method: Method) -> Event<'static> {
        Event {
            method,
            uid: "0190abcd-0000-7000-8000-000000000001@loket.leuven.example",
            sequence: 1,
            stamp_ms: 1_764_000_000_000,
            // 2026-12-02 09:15 Brussels (08:15 UTC) for 15 minutes.
            start_ms: 1_796_199_300_000,
            end_ms: 1_796_200_200_000,
            summary: "Afspraak: identiteitskaart; stadskantoor, Leuven",
            location: "Stadskantoor, Professor Van Overstraetenplein 1, 3000 Leuven",
            description: "Code AB3K-7QX2.\nBreng uw oude kaart mee. Een heel lange zin om het vouwen van regels na vijfenzeventig octetten te testen — met één, twee, drie.",
            organizer_name: "Stad Leuven",
            organizer_email: "loket@leuven.example",
            attendee_name: "An \"Peeters\"",
            attendee_email: "an@example.org",
        }
    }

    #[test]
    fn request_has_the_fields_and_folds() {
        let s = ics(&event(Method::Request));
        assert!(s.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(s.ends_with("END:VCALENDAR\r\n"));
        for needle in [
            "METHOD:REQUEST\r\n",
            "UID:0190abcd-0000-7000-8000-000000000001@loket.leuven.example\r\n",
            "SEQUENCE:1\r\n",
            "DTSTAMP:20251124T160000Z\r\n",
            "DTSTART;TZID=Europe/Brussels:20261202T091500\r\n",
            "DTEND;TZID=Europe/Brussels:20261202T093000\r\n",
            "TZID:Europe/Brussels\r\n",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n",
            "STATUS:CONFIRMED\r\n",
            "SUMMARY:Afspraak: identiteitskaart\\; stadskantoor\\, Leuven\r\n",
            "ATTENDEE;CN=\"An Peeters\"",
        ] {
            assert!(s.contains(needle), "{needle} missing in\n{s}");
        }
        // Every line ends in CRLF and is at most 75 octets.
        assert!(!s.replace("\r\n", "").contains('\n'));
        for line in s.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        // Unfolding gives the description back.
        let unfolded = s.replace("\r\n ", "");
        assert!(unfolded.contains("met één\\, twee\\, drie."));
    }

    #[test]
    fn cancel_says_cancelled() {
        let s = ics(&event(Method::Cancel));
        assert!(s.contains("METHOD:CANCEL\r\n") && s.contains("STATUS:CANCELLED\r\n"));
        assert!(!s.contains("VALARM"));
        assert_eq!(
            content_type(Method::Cancel),
            "text/calendar; charset=UTF-8; method=CANCEL"
        );
    }

    #[test]
    fn folding_respects_utf8() {
        let line = "DESCRIPTION:".to_owned() + &"é".repeat(100);
        let folded = fold(&line);
        for l in folded.trim_end().split("\r\n") {
            assert!(l.len() <= 75);
        }
        assert_eq!(folded.replace("\r\n ", "").trim_end(), line);
    }
}
