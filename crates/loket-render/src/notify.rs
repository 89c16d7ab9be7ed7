//! E-mail messages, built with lettre's message builder (UTF-8, quoted-
//! printable where needed, RFC 2047 subjects).

use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("bad address: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("message: {0}")]
    Message(#[from] lettre::error::Error),
    #[error("attachment content type: {0}")]
    ContentType(String),
}

/// One outgoing message, as stored in the outbox.
pub struct Outgoing<'a> {
    /// The outbox id; it becomes the `Message-ID`, so a resend is recognisable.
    pub id: &'a str,
    pub from_name: &'a str,
    pub from_addr: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// Creation time in unix milliseconds, for the `Date` header.
    pub created_at_ms: i64,
    /// One attached file (e.g. an iCalendar invitation), if any.
    pub attachment: Option<OutAttachment<'a>>,
}

/// A file attached to a message.
#[derive(Clone, Copy)]
pub struct OutAttachment<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub body: &'a str,
}

/// Builds the message.
pub fn message(m: &Outgoing<'_>) -> Result<Message, RenderError> {
    let from = Mailbox::new(Some(m.from_name.to_owned()), m.from_addr.parse()?);
    let domain = m
        .from_addr
        .rsplit_once('@')
        .map_or("loket.invalid", |(_, d)| d);
    let date = std::time::UNIX_EPOCH
        + std::time::Duration::from_millis(u64::try_from(m.created_at_ms).unwrap_or_default());
    let builder = Message::builder()
        .from(from)
        .to(Mailbox::new(None, m.to.parse()?))
        .subject(m.subject)
        .message_id(Some(format!("<{}@{}>", m.id, domain)))
        .date(date);
    match &m.attachment {
        None => Ok(builder
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.to_owned())?),
        Some(a) => {
            let ct = ContentType::parse(a.content_type)
                .map_err(|e| RenderError::ContentType(e.to_string()))?;
            Ok(builder.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(m.body.to_owned()))
                    .singlepart(Attachment::new(a.name.to_owned()).body(a.body.to_owned(), ct)),
            )?)
        }
    }
}

/// The message as an `.eml` file (RFC 5322 bytes).
pub fn eml(m: &Outgoing<'_>) -> Result<Vec<u8>, RenderError> {
    Ok(message(m)?.formatted())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_utf8_message() {
        let out = Outgoing {
            id: "0190-abc",
            from_name: "Stad Leuven",
            from_addr: "noreply@leuven.example",
            to: "an@example.org",
            subject: "Bevestig uw e-mailadres — één klik",
            body: "Dag An,\r\nKlik op de link.\r\n",
            created_at_ms: 1_700_000_000_000,
            attachment: None,
        };
        let bytes = eml(&out).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("Message-ID: <0190-abc@leuven.example>"),
            "{text}"
        );
        assert!(text.contains("To: an@example.org"));
        assert!(
            text.contains("Subject: Bevestig uw e-mailadres =?utf-8?b?"),
            "{text}"
        );
        assert!(
            eml(&Outgoing {
                to: "not an address",
                ..out
            })
            .is_err()
        );
        let with = Outgoing {
            attachment: Some(OutAttachment {
                name: "afspraak.ics",
                content_type: "text/calendar; charset=UTF-8; method=REQUEST",
                body: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
            }),
            ..out
        };
        let bytes = eml(&with).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("multipart/mixed"), "{text}");
        assert!(
            text.contains("text/calendar; charset=utf-8; method=REQUEST"),
            "{text}"
        );
        assert!(text.contains("filename=\"afspraak.ics\""), "{text}");
    }
}
