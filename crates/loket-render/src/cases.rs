//! The documents of a case: receipt, decision letter and permit, as PDF in
//! the resident's language.

use crate::pdf::{self, Job, PdfError};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::{Deserialize, Serialize};

const LETTER: &str = concat!(
    include_str!("../templates/letter-fn.typ"),
    include_str!("../templates/letter.typ")
);
const BATCH: &str = concat!(
    include_str!("../templates/letter-fn.typ"),
    include_str!("../templates/batch.typ")
);

/// A letter's content; every text is already in the recipient's language.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Letter {
    /// `nl` or `en`.
    pub lang: String,
    pub city: String,
    pub place: String,
    pub title: String,
    pub date: String,
    pub reference_label: String,
    pub reference: String,
    /// Name and address lines for the envelope window.
    pub recipient: Vec<String>,
    pub paragraphs: Vec<String>,
    pub facts_header: (String, String),
    pub facts: Vec<(String, String)>,
    /// A URL to encode as QR code, with its caption and alternative text.
    pub qr_url: Option<String>,
    pub qr_caption: String,
    pub qr_alt: String,
    pub closing: String,
    pub footer: String,
    pub logo_alt: String,
    #[serde(skip)]
    pub logo_svg: Option<String>,
}

#[derive(Serialize)]
struct BatchLetter<'a> {
    #[serde(flatten)]
    letter: &'a Letter,
    has_qr: bool,
}

#[derive(Serialize)]
struct BatchData<'a> {
    title: &'a str,
    city: &'a str,
    lang: &'a str,
    footer: &'a str,
    batch_label: &'a str,
    has_logo: bool,
    letters: Vec<BatchLetter<'a>>,
}

/// What a print batch says of itself.
pub struct BatchInfo<'a> {
    pub title: &'a str,
    pub city: &'a str,
    pub lang: &'a str,
    pub footer: &'a str,
    /// E.g. "Batch 2026-11-25 ·", before the sheet number.
    pub batch_label: &'a str,
    pub logo_svg: Option<&'a str>,
}

/// Renders many letters into one PDF to print and post, each starting on a
/// new page with its address in the envelope window.
pub fn batch_pdf(
    info: &BatchInfo<'_>,
    letters: &[Letter],
    today: (i32, u8, u8),
) -> Result<Vec<u8>, PdfError> {
    let names: Vec<String> = (0..letters.len()).map(|i| format!("/qr-{i}.svg")).collect();
    let mut files = Vec::new();
    for (l, name) in letters.iter().zip(&names) {
        if let Some(url) = &l.qr_url {
            files.push((name.as_str(), qr_svg(url)?.into_bytes()));
        }
    }
    if let Some(logo) = info.logo_svg {
        files.push(("/logo.svg", logo.as_bytes().to_vec()));
    }
    let data = BatchData {
        title: info.title,
        city: info.city,
        lang: info.lang,
        footer: info.footer,
        batch_label: info.batch_label,
        has_logo: info.logo_svg.is_some(),
        letters: letters
            .iter()
            .map(|l| BatchLetter {
                letter: l,
                has_qr: l.qr_url.is_some(),
            })
            .collect(),
    };
    let data_json = serde_json::to_string(&data).map_err(|e| PdfError::Typst(e.to_string()))?;
    pdf::compile(&Job {
        template: BATCH,
        data_json,
        files,
        today,
    })
}

#[derive(Serialize)]
struct Data<'a> {
    #[serde(flatten)]
    letter: &'a Letter,
    has_qr: bool,
    has_logo: bool,
}

/// A QR code as SVG.
pub fn qr_svg(text: &str) -> Result<String, PdfError> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| PdfError::Typst(format!("qr: {e}")))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(300, 300)
        .quiet_zone(true)
        .build())
}

/// Renders a letter to PDF. `today` dates the document's metadata.
pub fn letter_pdf(letter: &Letter, today: (i32, u8, u8)) -> Result<Vec<u8>, PdfError> {
    let mut files = Vec::new();
    if let Some(url) = &letter.qr_url {
        files.push(("/qr.svg", qr_svg(url)?.into_bytes()));
    }
    if let Some(logo) = &letter.logo_svg {
        files.push(("/logo.svg", logo.clone().into_bytes()));
    }
    let data = Data {
        letter,
        has_qr: letter.qr_url.is_some(),
        has_logo: letter.logo_svg.is_some(),
    };
    let data_json = serde_json::to_string(&data).map_err(|e| PdfError::Typst(e.to_string()))?;
    pdf::compile(&Job {
        template: LETTER,
        data_json,
        files,
        today,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample(qr: bool) -> Letter {
        Letter {
            lang: "nl".into(),
            city: "Stad Leuven".into(),
            place: "Leuven".into(),
            title: "Bewonersparkeerkaart".into(),
            date: "24 november 2026".into(),
            reference_label: "Dossier".into(),
            reference: "2026-000123".into(),
            recipient: vec![
                "An Peeters".into(),
                "Tiensestraat 20".into(),
                "3000 Leuven".into(),
            ],
            paragraphs: vec!["Uw parkeerkaart is goedgekeurd.".into()],
            facts_header: ("Gegeven".into(), "Waarde".into()),
            facts: vec![("Nummerplaat".into(), "1-ABC-123".into())],
            qr_url: qr.then(|| "https://loket.leuven.be/verify/ABCD".to_owned()),
            qr_caption: "Scan om te controleren".into(),
            qr_alt: "QR-code om de kaart te controleren".into(),
            closing: "Met vriendelijke groeten, Stad Leuven".into(),
            footer: "Stad Leuven · Professor Van Overstraetenplein 1 · 3000 Leuven".into(),
            logo_alt: "Logo Stad Leuven".into(),
            logo_svg: None,
        }
    }

    #[test]
    fn renders_a_tagged_pdf_with_embedded_fonts() {
        let pdf = letter_pdf(&sample(true), (2026, 11, 24)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/StructTreeRoot"), "tagged");
        assert!(text.contains("/FontFile"), "fonts embedded");
        assert!(pdf.len() > 5_000);
        if let Some(path) = std::env::var_os("LOKET_DUMP_PDF") {
            std::fs::write(path, &pdf).unwrap();
        }
    }

    #[test]
    fn a_batch_holds_every_letter_on_its_own_pages() {
        let mut second = sample(false);
        second.recipient[0] = "Jan Janssens".into();
        second.lang = "en".into();
        let info = BatchInfo {
            title: "Printbatch 2026-11-24",
            city: "Stad Leuven",
            lang: "nl",
            footer: "Stad Leuven",
            batch_label: "Batch 2026-11-24 ·",
            logo_svg: None,
        };
        let pdf = batch_pdf(&info, &[sample(true), second], (2026, 11, 24)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/StructTreeRoot"), "tagged");
        // Both letters are in it (their text, page by page, is checked with
        // pdftotext in the integration tests).
        let single = letter_pdf(&sample(true), (2026, 11, 24)).unwrap();
        assert!(pdf.len() > single.len());
    }
}

/// One premium to pay.
#[derive(Debug, Clone)]
pub struct Payout {
    /// The case number: the end-to-end id the bank reports back.
    pub reference: String,
    pub creditor_name: String,
    pub iban: String,
    pub amount_cents: i64,
    /// The text on the resident's bank statement.
    pub description: String,
}

/// Who pays, and when.
#[derive(Debug, Clone)]
pub struct Payer {
    pub name: String,
    pub iban: String,
    /// `MsgId`: unique per file, from a sequence that survives restarts.
    pub message_id: String,
    /// Requested execution date (y, m, d).
    pub execution: (u16, u8, u8),
    /// Creation time (y, m, d, h, min, s), in local time.
    pub created: (u16, u8, u8, u8, u8, u8),
}

/// A SEPA credit transfer initiation (ISO 20022 pain.001.001.09), one
/// payment group with one transfer per premium.
pub fn pain001(payer: &Payer, payouts: &[Payout]) -> Result<String, String> {
    use sepa::{CreditTransferEntry, CreditTransferGroup, IsoDate, IsoDateTime, Pain001Builder};
    let debtor = sepa::validate_iban(&payer.iban).map_err(|e| format!("payer IBAN: {e}"))?;
    let (y, m, d) = payer.execution;
    let execute = IsoDate::new(y, m, d).map_err(|e| e.to_string())?;
    let (cy, cm, cd, h, mi, s) = payer.created;
    let created = IsoDateTime::new(
        IsoDate::new(cy, cm, cd).map_err(|e| e.to_string())?,
        h,
        mi,
        s,
    )
    .map_err(|e| e.to_string())?;
    let mut group = CreditTransferGroup::new(payer.name.as_str(), &debtor, execute);
    for p in payouts {
        let iban =
            sepa::validate_iban(&p.iban).map_err(|e| format!("{}: IBAN: {e}", p.reference))?;
        group = group.add_entry(
            CreditTransferEntry::new(
                p.creditor_name.as_str(),
                iban,
                p.amount_cents,
                p.reference.as_str(),
            )
            .with_description(p.description.as_str()),
        );
    }
    Pain001Builder::new(payer.name.as_str(), payer.message_id.as_str())
        .created_at(created)
        .add_group(group)
        .build()
        .map_err(|e| e.to_string())
}
