//! Asset labels and hand-over documents: a sheet PDF of labels for office
//! printers, ZPL for Zebra label printers (Code128 `^BC` or QR `^BQ` of the
//! tag), and the hand-over PDF listing what was handed over together.

use crate::cases::qr_svg;
use crate::pdf::{self, Job, PdfError};
use barcoders::sym::code128::Code128;
use serde::Serialize;

const LABELS: &str = include_str!("../templates/labels.typ");
const HANDOVER: &str = include_str!("../templates/handover.typ");

/// Which barcode a label carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbology {
    Code128,
    Qr,
}

impl Symbology {
    pub fn parse(s: &str) -> Symbology {
        if s.eq_ignore_ascii_case("qr") {
            Symbology::Qr
        } else {
            Symbology::Code128
        }
    }
}

/// One label.
#[derive(Debug, Clone, Serialize)]
pub struct Label {
    pub tag: String,
    pub model: String,
    pub category: String,
    /// The barcode's text alternative (for the tagged PDF).
    pub alt: String,
}

/// Code128 (set B) of `text` as SVG bars, with a quiet zone of 10 modules.
pub fn code128_svg(text: &str) -> Result<String, PdfError> {
    let code = Code128::new(format!("\u{0181}{text}"))
        .map_err(|e| PdfError::Typst(format!("code128: {e}")))?;
    let bars = code.encode();
    let quiet = 10;
    let width = bars.len() + 2 * quiet;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} 40\" width=\"{}\" height=\"160\" shape-rendering=\"crispEdges\">\
         <rect width=\"{width}\" height=\"40\" fill=\"#fff\"/>",
        width * 4
    );
    let mut x = 0;
    while x < bars.len() {
        if bars[x] == 1 {
            let start = x;
            while x < bars.len() && bars[x] == 1 {
                x += 1;
            }
            svg.push_str(&format!(
                "<rect x=\"{}\" y=\"0\" width=\"{}\" height=\"40\" fill=\"#000\"/>",
                start + quiet,
                x - start
            ));
        } else {
            x += 1;
        }
    }
    svg.push_str("</svg>");
    Ok(svg)
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

/// ZPL for a Zebra printer (203 dpi, 2.25" × 1.25" labels): one `^XA … ^XZ`
/// block per label, with the tag as Code128 (`^BC`) or QR (`^BQ`).
pub fn zpl(labels: &[Label], city: &str, sym: Symbology) -> String {
    let mut out = String::new();
    for l in labels {
        out.push_str("^XA\n^CI28\n^PW457\n^LL254\n");
        out.push_str(&format!("^FO20,15^A0N,22,22^FD{}^FS\n", zpl_safe(city)));
        out.push_str(&format!("^FO20,40^A0N,22,22^FD{}^FS\n", zpl_safe(&l.model)));
        match sym {
            Symbology::Code128 => {
                out.push_str(&format!(
                    "^FO20,75^BY2^BCN,110,Y,N,N^FD{}^FS\n",
                    zpl_safe(&l.tag)
                ));
            }
            Symbology::Qr => {
                out.push_str(&format!("^FO20,70^BQN,2,5^FDQA,{}^FS\n", zpl_safe(&l.tag)));
                out.push_str(&format!("^FO200,120^A0N,34,34^FD{}^FS\n", zpl_safe(&l.tag)));
            }
        }
        out.push_str("^XZ\n");
    }
    out
}

#[derive(Serialize)]
struct LabelData<'a> {
    title: &'a str,
    city: &'a str,
    lang: &'a str,
    qr: bool,
    labels: &'a [Label],
}

/// A sheet (or several) of labels as a tagged PDF.
pub fn labels_pdf(
    labels: &[Label],
    city: &str,
    title: &str,
    lang: &str,
    sym: Symbology,
    today: (i32, u8, u8),
) -> Result<Vec<u8>, PdfError> {
    let names: Vec<String> = (0..labels.len())
        .map(|i| format!("/code-{i}.svg"))
        .collect();
    let mut files = Vec::new();
    for (l, name) in labels.iter().zip(&names) {
        let svg = match sym {
            Symbology::Code128 => code128_svg(&l.tag)?,
            Symbology::Qr => qr_svg(&l.tag)?,
        };
        files.push((name.as_str(), svg.into_bytes()));
    }
    let data = LabelData {
        title,
        city,
        lang,
        qr: sym == Symbology::Qr,
        labels,
    };
    let data_json = serde_json::to_string(&data).map_err(|e| PdfError::Typst(e.to_string()))?;
    pdf::compile(&Job {
        template: LABELS,
        data_json,
        files,
        today,
    })
}

/// One line of a hand-over document.
#[derive(Debug, Clone, Serialize)]
pub struct HandoverItem {
    pub tag: String,
    pub category: String,
    pub model: String,
    pub serial: String,
    pub due: String,
}

/// The words and facts of a hand-over document, in the reader's language.
#[derive(Debug, Clone, Serialize)]
pub struct HandoverDoc {
    pub title: String,
    pub city: String,
    pub lang: String,
    pub id: String,
    pub to: String,
    pub date: String,
    pub by: String,
    pub to_label: String,
    pub date_label: String,
    pub by_label: String,
    pub number_label: String,
    pub col_tag: String,
    pub col_category: String,
    pub col_model: String,
    pub col_serial: String,
    pub col_due: String,
    pub terms: String,
    pub ack_label: String,
    /// When it was acknowledged (local time), or empty.
    pub acknowledged: String,
    pub unack: String,
    pub items: Vec<HandoverItem>,
    /// What the document says when it lists only the first of the
    /// hand-over's items ("This hand-over holds more than 1000 items…"),
    /// or empty. A hand-over is never cut silently.
    pub more: String,
}

pub fn handover_pdf(doc: &HandoverDoc, today: (i32, u8, u8)) -> Result<Vec<u8>, PdfError> {
    let data_json = serde_json::to_string(doc).map_err(|e| PdfError::Typst(e.to_string()))?;
    pdf::compile(&Job {
        template: HANDOVER,
        data_json,
        files: Vec::new(),
        today,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(tag: &str) -> Label {
        Label {
            tag: tag.to_owned(),
            model: "Dell ^Latitude".to_owned(),
            category: "laptop".to_owned(),
            alt: format!("barcode {tag}"),
        }
    }

    #[test]
    fn zpl_has_one_block_per_label() {
        let z = zpl(
            &[label("LV-1"), label("LV-2")],
            "Stad Leuven",
            Symbology::Code128,
        );
        assert_eq!(z.matches("^XA").count(), 2);
        assert_eq!(z.matches("^XZ").count(), 2);
        assert!(z.contains("^BCN,110,Y,N,N^FDLV-1^FS"));
        // A caret in data would start a command: it is replaced.
        assert!(z.contains("^FDDell  Latitude^FS"));
        let q = zpl(&[label("LV-3")], "Stad Leuven", Symbology::Qr);
        assert!(q.contains("^BQN,2,5^FDQA,LV-3^FS"));
    }

    #[test]
    fn code128_svg_has_bars() {
        let svg = code128_svg("LV-LAP-0001").unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.matches("<rect").count() > 20);
    }

    #[test]
    fn pdfs_compile() {
        let labels = vec![label("LV-1"), label("LV-2")];
        for sym in [Symbology::Code128, Symbology::Qr] {
            let pdf =
                labels_pdf(&labels, "Stad Leuven", "Labels", "nl", sym, (2026, 11, 25)).unwrap();
            assert!(pdf.starts_with(b"%PDF"));
        }
        let doc = HandoverDoc {
            title: "Overdracht".into(),
            city: "Stad Leuven".into(),
            lang: "nl".into(),
            id: "x".into(),
            to: "An".into(),
            date: "2026-11-25".into(),
            by: "ICT".into(),
            to_label: "Aan".into(),
            date_label: "Datum".into(),
            by_label: "Door".into(),
            number_label: "Nummer".into(),
            col_tag: "Tag".into(),
            col_category: "Soort".into(),
            col_model: "Model".into(),
            col_serial: "Serienummer".into(),
            col_due: "Terug".into(),
            terms: "Zorg goed".into(),
            ack_label: "Bevestigd".into(),
            acknowledged: String::new(),
            unack: "Nog niet".into(),
            items: vec![HandoverItem {
                tag: "LV-1".into(),
                category: "laptop".into(),
                model: "M".into(),
                serial: "S".into(),
                due: "2027-01-01".into(),
            }],
            more: "Meer dan 1000 stuks".into(),
        };
        assert!(
            handover_pdf(&doc, (2026, 11, 25))
                .unwrap()
                .starts_with(b"%PDF")
        );
    }
}
