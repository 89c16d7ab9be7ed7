//! A person's data as a readable PDF (the export's second form beside the
//! JSON): headings with tables, every text already in the reader's
//! language. Uploaded files are listed, not embedded.

use crate::pdf::{self, Job, PdfError};
use serde::Serialize;

const EXPORT: &str = include_str!("../templates/privacy-export.typ");

/// One part of the document: a heading (level 2 or 3) with a table, or a
/// line of text when `header` is empty or there are no rows.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub level: u8,
    pub title: String,
    pub header: Vec<String>,
    /// Each row has as many cells as `header`.
    pub rows: Vec<Vec<String>>,
    /// Shown when there are no rows (or no table).
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportDoc {
    /// `nl` or `en`.
    pub lang: String,
    pub city: String,
    pub title: String,
    pub intro: String,
    pub sections: Vec<Section>,
}

/// Renders the document; `today` dates its metadata.
pub fn export_pdf(doc: &ExportDoc, today: (i32, u8, u8)) -> Result<Vec<u8>, PdfError> {
    for s in &doc.sections {
        if s.rows.iter().any(|r| r.len() != s.header.len()) {
            return Err(PdfError::Typst(format!("section {}: row width", s.title)));
        }
    }
    let data_json = serde_json::to_string(doc).map_err(|e| PdfError::Typst(e.to_string()))?;
    pdf::compile(&Job {
        template: EXPORT,
        data_json,
        files: vec![],
        today,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn renders_sections_with_and_without_rows() {
        let doc = ExportDoc {
            lang: "en".into(),
            city: "Leuven".into(),
            title: "Your data".into(),
            intro: "What we hold.".into(),
            sections: vec![
                Section {
                    level: 2,
                    title: "Account".into(),
                    header: vec!["Field".into(), "Value".into()],
                    rows: vec![vec!["Name".into(), "An Peeters #*[]".into()]],
                    text: String::new(),
                },
                Section {
                    level: 2,
                    title: "Appointments".into(),
                    header: vec!["When".into(), "Where".into(), "Status".into()],
                    rows: vec![],
                    text: "None.".into(),
                },
            ],
        };
        let pdf = export_pdf(&doc, (2026, 12, 3)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let bad = ExportDoc {
            sections: vec![Section {
                level: 2,
                title: "x".into(),
                header: vec!["a".into()],
                rows: vec![vec![]],
                text: String::new(),
            }],
            ..doc
        };
        assert!(export_pdf(&bad, (2026, 12, 3)).is_err());
    }
}
