//! The vaccination centre's documents: the check-in label (ZPL for Zebra
//! printers and PDF, both with a Code128 of the visit code), the day report
//! (PDF and CSV) and the registry export (CSV).

use crate::assets::code128_svg;
use crate::pdf::{self, Job, PdfError};
use serde::Serialize;

const LABEL: &str = include_str!("../templates/vac-label.typ");
const REPORT: &str = include_str!("../templates/vac-report.typ");

/// A label's content; the texts are in the centre's language.
#[derive(Debug, Clone, Serialize)]
pub struct VisitLabel {
    pub lang: String,
    pub city: String,
    pub title: String,
    pub campaign: String,
    pub name: String,
    pub birth_label: String,
    pub birth_date: String,
    pub line_label: String,
    pub line: i64,
    pub number_label: String,
    pub number: String,
    /// The visit code in the barcode.
    pub code: String,
    pub code_alt: String,
}

/// Field data in ZPL: `^` and `~` would start commands; replace them.
fn zpl_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '^' || c == '~' || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// ZPL II for a 203 dpi Zebra printer with 4" × 2" labels (812 × 406
/// dots): UTF-8 text (`^CI28`), the Code128 (`^BC`, subset B, with the
/// human-readable line under it).
pub fn label_zpl(l: &VisitLabel) -> String {
    let mut z = String::new();
    z.push_str("^XA\n^CI28\n^PW812\n^LL406\n^LH0,0\n");
    z.push_str(&format!("^FO30,25^A0N,42,42^FD{}^FS\n", zpl_safe(&l.name)));
    z.push_str(&format!(
        "^FO30,75^A0N,30,30^FD{} {}^FS\n",
        zpl_safe(&l.birth_label),
        zpl_safe(&l.birth_date)
    ));
    z.push_str(&format!(
        "^FO30,112^A0N,26,26^FD{}^FS\n",
        zpl_safe(&l.campaign)
    ));
    z.push_str(&format!(
        "^FO560,25^A0N,26,26^FD{}^FS\n^FO560,55^A0N,90,90^FD{}^FS\n",
        zpl_safe(&l.line_label),
        l.line
    ));
    z.push_str(&format!(
        "^FO560,150^A0N,30,30^FD{} {}^FS\n",
        zpl_safe(&l.number_label),
        zpl_safe(&l.number)
    ));
    z.push_str(&format!(
        "^FO60,200^BY3,3,130^BCN,130,Y,N,N^FD{}^FS\n",
        zpl_safe(&l.code)
    ));
    z.push_str("^PQ1\n^XZ\n");
    z
}

/// The label as a 100 × 50 mm PDF.
pub fn label_pdf(l: &VisitLabel, today: (i32, u8, u8)) -> Result<Vec<u8>, PdfError> {
    let data_json = serde_json::to_string(l).map_err(|e| PdfError::Typst(e.to_string()))?;
    pdf::compile(&Job {
        template: LABEL,
        data_json,
        files: vec![("/code.svg", code128_svg(&l.code)?.into_bytes())],
        today,
    })
}

/// A day report's content, in the reader's language.
#[derive(Debug, Clone, Serialize)]
pub struct DayReport {
    pub lang: String,
    pub city: String,
    pub title: String,
    pub subtitle: String,
    pub summary_title: String,
    pub figure_header: (String, String),
    /// (label, value)
    pub figures: Vec<(String, String)>,
    pub lines_title: String,
    pub line_header: (String, String),
    pub lines: Vec<(String, String)>,
    pub hours_title: String,
    pub hour_header: (String, String, String),
    /// (line, hour, count)
    pub hours: Vec<(String, String, String)>,
}

pub fn day_report_pdf(r: &DayReport, today: (i32, u8, u8)) -> Result<Vec<u8>, PdfError> {
    let data_json = serde_json::to_string(r).map_err(|e| PdfError::Typst(e.to_string()))?;
    pdf::compile(&Job {
        template: REPORT,
        data_json,
        files: vec![],
        today,
    })
}

/// Lines of fields joined with `,`, CRLF line ends, formulas neutralised
/// (the one writer: [`crate::csv::write`]).
pub fn csv(rows: &[Vec<String>]) -> String {
    crate::csv::write(rows, ',')
}

/// The registry export's columns, in order (see the README).
pub const REGISTRY_COLUMNS: [&str; 9] = [
    "national_number",
    "birth_date",
    "administered_at",
    "vaccine",
    "lot",
    "setting",
    "place",
    "organisation",
    "record_id",
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn label() -> VisitLabel {
        VisitLabel {
            lang: "nl".into(),
            city: "Leuven".into(),
            title: "Label".into(),
            campaign: "Booster najaar".into(),
            name: "An ^Peeters~".into(),
            birth_label: "Geboren".into(),
            birth_date: "1985-07-30".into(),
            line_label: "Lijn".into(),
            line: 3,
            number_label: "Nr.".into(),
            number: "042".into(),
            code: "K7M3Q9X2A".into(),
            code_alt: "Streepjescode K7M3Q9X2A".into(),
        }
    }

    #[test]
    fn zpl_is_one_label_with_code128_and_no_injected_commands() {
        let z = label_zpl(&label());
        assert!(z.starts_with("^XA\n"));
        assert!(z.ends_with("^XZ\n"));
        assert_eq!(z.matches("^XA").count(), 1);
        assert!(z.contains("^BCN,130,Y,N,N^FDK7M3Q9X2A^FS"));
        assert!(z.contains("^FDAn  Peeters ^FS"));
    }

    #[test]
    fn label_pdf_is_100_by_50_mm() {
        let pdf = label_pdf(&label(), (2026, 11, 25)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        // 100 mm = 283.46 pt, 50 mm = 141.73 pt.
        assert!(
            text.contains("283.46") && text.contains("141.73"),
            "MediaBox"
        );
    }
}
