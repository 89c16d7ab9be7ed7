//! The queue ticket as a PDF for an 80 mm receipt printer, with a QR code
//! of the link that follows the ticket.

use crate::cases::qr_svg;
use crate::pdf::{self, Job, PdfError};
use serde::Serialize;

const TICKET: &str = include_str!("../templates/ticket.typ");

/// A ticket's content; every text is already in the visitor's language.
#[derive(Debug, Clone, Serialize)]
pub struct TicketDoc {
    pub lang: String,
    pub city: String,
    pub title: String,
    pub number: String,
    pub service: String,
    pub location: String,
    pub issued: String,
    /// "About 15 minutes" (empty once called).
    pub estimate: String,
    pub note: String,
    /// Encoded in the QR code.
    pub link: String,
    pub qr_alt: String,
}

/// Renders the ticket. `today` dates the document's metadata.
pub fn ticket_pdf(t: &TicketDoc, today: (i32, u8, u8)) -> Result<Vec<u8>, PdfError> {
    let data_json = serde_json::to_string(t).map_err(|e| PdfError::Typst(e.to_string()))?;
    pdf::compile(&Job {
        template: TICKET,
        data_json,
        files: vec![("/qr.svg", qr_svg(&t.link)?.into_bytes())],
        today,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_is_a_pdf_80_mm_wide() {
        let t = TicketDoc {
            lang: "nl".into(),
            city: "Leuven".into(),
            title: "Uw volgnummer".into(),
            number: "B042".into(),
            service: "Identiteitskaart".into(),
            location: "Stadskantoor".into(),
            issued: "2026-11-25 10:02".into(),
            estimate: "Ongeveer 15 minuten".into(),
            note: "Volg uw beurt op het scherm.".into(),
            link: "https://loket.example/queue/tickets/x?t=y".into(),
            qr_alt: "QR-code".into(),
        };
        let pdf = ticket_pdf(&t, (2026, 11, 25)).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        // 80 mm = 226.77 pt: the MediaBox is that wide.
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("226.77"), "no 80 mm page width in the PDF");
    }
}
