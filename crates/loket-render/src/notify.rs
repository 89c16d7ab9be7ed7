//! E-mail messages, built with lettre's message builder (UTF-8, quoted-
//! printable where needed, RFC 2047 subjects).

use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("bad address: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("message: {0}")]
    Message(#[from] lettre::error::Error),
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
    Ok(Message::builder()
        .from(from)
        .to(Mailbox::new(None, m.to.parse()?))
        .subject(m.subject)
        .message_id(Some(format!("<{}@{}>", m.id, domain)))
        .date(date)
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.to_owned())?)
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
    }
}
