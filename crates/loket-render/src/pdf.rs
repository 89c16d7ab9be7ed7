//! PDF documents with typst as a library: a small in-memory "world" that
//! serves one template, its data as JSON, an optional QR code and the logo,
//! with the one font family the templates use, Libertinus Serif (regular,
//! bold, italic, bold italic; SIL OFL, in `fonts/`), embedded in the binary
//! and, subset, in every PDF. Output
//! is tagged PDF (PDF/UA-1 checked by typst's own validator).
//!
//! Compiling takes tens of milliseconds of CPU: call it from a blocking
//! thread.

use std::sync::OnceLock;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("typst: {0}")]
    Typst(String),
}

/// The faces the templates use (`#set text(font: "Libertinus Serif")`,
/// `*bold*`, `_italic_`): 1.2 MB instead of typst-assets' 9.6 MB of fonts.
const FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/LibertinusSerif-Regular.otf"),
    include_bytes!("../fonts/LibertinusSerif-Bold.otf"),
    include_bytes!("../fonts/LibertinusSerif-Italic.otf"),
    include_bytes!("../fonts/LibertinusSerif-BoldItalic.otf"),
];

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = FONT_FILES
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .collect();
        let book = FontBook::from_infos(fonts.iter().map(|f| f.info().clone()));
        Fonts {
            book: LazyHash::new(book),
            fonts,
        }
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIB: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIB.get_or_init(|| LazyHash::new(Library::default()))
}

fn file_id(path: &str) -> Option<FileId> {
    VirtualPath::new(path)
        .ok()
        .map(|p| RootedPath::new(VirtualRoot::Project, p).intern())
}

/// One document to compile: the template and the files it reads.
pub struct Job<'a> {
    pub template: &'a str,
    /// Served as `/data.json`.
    pub data_json: String,
    /// Extra files by path (e.g. `/qr.svg`, `/logo.svg`).
    pub files: Vec<(&'a str, Vec<u8>)>,
    /// The date the document is dated (for `datetime.today()`).
    pub today: (i32, u8, u8),
}

struct JobWorld<'a> {
    main: FileId,
    source: Source,
    job: &'a Job<'a>,
}

impl World for JobWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if file_id("/data.json") == Some(id) {
            return Ok(Bytes::new(self.job.data_json.clone().into_bytes()));
        }
        for (path, bytes) in &self.job.files {
            if file_id(path) == Some(id) {
                return Ok(Bytes::new(bytes.clone()));
            }
        }
        Err(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        let (y, m, d) = self.job.today;
        Datetime::from_ymd(y, m, d)
    }
}

fn describe(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Compiles the job to a tagged PDF (PDF/UA-1 and PDF/A-2a).
pub fn compile(job: &Job<'_>) -> Result<Vec<u8>, PdfError> {
    let main = file_id("/main.typ").ok_or_else(|| PdfError::Typst("main path".into()))?;
    let world = JobWorld {
        main,
        source: Source::new(main, job.template.to_owned()),
        job,
    };
    let doc: PagedDocument = typst::compile(&world)
        .output
        .map_err(|e| PdfError::Typst(describe(&e)))?;
    let standards = PdfStandards::new(&[PdfStandard::Ua_1, PdfStandard::A_2a])
        .map_err(|e| PdfError::Typst(e.message().to_string()))?;
    let options = PdfOptions {
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&doc, &options).map_err(|e| PdfError::Typst(describe(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_four_libertinus_faces_are_embedded() {
        let f = fonts();
        assert_eq!(f.fonts.len(), 4);
        assert!(
            f.fonts
                .iter()
                .all(|font| font.info().family == "Libertinus Serif")
        );
        // One face per style the templates use: regular, bold, italic and
        // bold italic.
        let mut styles: Vec<(u16, bool)> = f
            .fonts
            .iter()
            .map(|font| {
                let v = font.info().variant;
                (
                    v.weight.to_number(),
                    v.style != typst::text::FontStyle::Normal,
                )
            })
            .collect();
        styles.sort();
        assert_eq!(
            styles,
            [(400, false), (400, true), (700, false), (700, true)]
        );
        let bytes: usize = FONT_FILES.iter().map(|d| d.len()).sum();
        assert!(bytes < 1_300_000, "{bytes} bytes of fonts");
    }

    /// Regular, bold, italic and bold italic text with Dutch and French
    /// accents compiles without a font warning (an unknown family would be
    /// one).
    #[test]
    fn the_templates_font_family_is_found() {
        let job = Job {
            template: "#set text(lang: \"nl\", font: \"Libertinus Serif\")\nBeste *Ruëlle* _Françoise_ *_Øresund_* — € 12,50 · ‘één’",
            data_json: "{}".to_owned(),
            files: Vec::new(),
            today: (2026, 12, 3),
        };
        let main = file_id("/main.typ").unwrap();
        let world = JobWorld {
            main,
            source: Source::new(main, job.template.to_owned()),
            job: &job,
        };
        let warned = typst::compile::<PagedDocument>(&world);
        assert!(warned.output.is_ok());
        assert!(warned.warnings.is_empty(), "{}", describe(&warned.warnings));
    }
}
