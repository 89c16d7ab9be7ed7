//! Languages: Dutch (default) and English, from Fluent files compiled into
//! the binary. The locale is chosen per request (or per recipient, for
//! mail) and passed along; nothing is set globally.
//!
//! One catalogue (`crates/loket-app/locales/<lang>/<context>.ftl`) serves
//! the mails this crate composes, the refusals' field messages and the web
//! layer's pages: they share their terms (service names, statuses, field
//! labels), and one `Locale` type looks them all up.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "nl",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language Loket speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Nl,
    En,
}

static NL: LanguageIdentifier = langid!("nl");
static EN: LanguageIdentifier = langid!("en");

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Nl, Locale::En];

    pub fn parse(s: &str) -> Option<Locale> {
        match s.trim().to_ascii_lowercase().get(..2) {
            Some("nl") => Some(Locale::Nl),
            Some("en") => Some(Locale::En),
            _ => None,
        }
    }

    /// The first supported language in an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut langs: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut it = part.trim().split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                Some((q, tag))
            })
            .collect();
        langs.sort_by(|a, b| b.0.total_cmp(&a.0));
        langs.into_iter().find_map(|(_, tag)| Locale::parse(tag))
    }

    pub fn code(self) -> &'static str {
        match self {
            Locale::Nl => "nl",
            Locale::En => "en",
        }
    }

    fn langid(self) -> &'static LanguageIdentifier {
        match self {
            Locale::Nl => &NL,
            Locale::En => &EN,
        }
    }

    /// The message `id` in this language.
    pub fn t(self, id: &str) -> String {
        LOCALES.lookup(self.langid(), id)
    }

    /// The message `id` with arguments.
    pub fn t_args(self, id: &str, args: &[(&'static str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.clone())))
            .collect();
        LOCALES.lookup_with_args(self.langid(), id, &map)
    }

    /// Whether a message exists in this language (no fallback).
    pub fn has(self, id: &str) -> bool {
        LOCALES.try_lookup(self.langid(), id).is_some()
    }
}

/// A date written out, e.g. "24 november 2026".
pub fn long_date(locale: Locale, d: jiff::civil::Date) -> String {
    let month = locale.t(&format!("month-{}", d.month()));
    format!("{} {month} {}", d.day(), d.year())
}

// Local dates and times come from the domain's one `brussels()`.
pub use loket_domain::calendar::{brussels, date_of_ms, format_ms, today_brussels};

#[cfg(test)]
mod tests {
    use super::*;

    /// The message ids of every `.ftl` file of a language (each context
    /// may keep its own file, e.g. `appointments.ftl`).
    fn keys(lang: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut k = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let src = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            k.extend(
                src.lines()
                    .filter(|l| !l.starts_with([' ', '#', '\t', '.']) && l.contains(" ="))
                    .filter_map(|l| l.split(" =").next().map(|s| s.trim().to_owned())),
            );
        }
        k.sort();
        let n = k.len();
        k.dedup();
        assert_eq!(n, k.len(), "a message id is defined twice in {lang}");
        k
    }

    #[test]
    fn both_languages_have_the_same_messages() {
        let nl = keys("nl");
        let en = keys("en");
        let missing_en: Vec<_> = nl.iter().filter(|k| !en.contains(k)).collect();
        let missing_nl: Vec<_> = en.iter().filter(|k| !nl.contains(k)).collect();
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
        assert!(missing_nl.is_empty(), "missing in nl: {missing_nl:?}");
        // Every message resolves in both languages, with every variable the
        // code passes (a missing one would show as an error marker).
        let args: HashMap<Cow<'static, str>, FluentValue> = [
            "field",
            "min",
            "minutes",
            "seconds",
            "count",
            "name",
            "city",
            "link",
            "days",
            "at",
            "number",
            "service",
            "status",
            "explanation",
            "reason",
            "due",
            "url",
            "code",
            "value",
            "place",
            "line",
            "column",
            // telework
            "created",
            "updated",
            "unchanged",
            "full",
            "half",
            "month",
            "percent",
            "weekday",
            "date",
            "rate",
            "day",
            "approved",
            // accounts and tokens
            "scope",
            "employee_no",
            "end_date",
            "count",
            "list",
            // legal pages
            "reference",
            "dpo",
            "idle",
            "max",
            "hours",
            // the retention schedule
            "n",
            "default",
            // the second factor
            "secret",
            // room displays
            "desk",
            // the home page's opening hours
            "first",
            "last",
            // a person's data and data-protection requests
            "when",
            "version",
            "kind",
            "received",
            "outcome",
            "total",
            "open",
            // the sent-mail pages' hidden links
            "until",
            // the staff home's work screen
            "location",
            "served",
            "noshow",
            "places",
            // the management dashboard's period
            "from",
            "to",
            // the letters still waiting after a print batch
            "left",
            // the roles an API refusal names
            "roles",
        ]
        .into_iter()
        .map(|k| (Cow::Borrowed(k), FluentValue::from("x")))
        .collect();
        for k in &nl {
            for l in Locale::ALL {
                assert!(
                    LOCALES.try_lookup_with_args(l.langid(), k, &args).is_some(),
                    "{k} does not resolve in {l:?}"
                );
            }
        }
    }

    #[test]
    fn accept_language() {
        assert_eq!(
            Locale::from_accept_language("en-GB,en;q=0.9,nl;q=0.8"),
            Some(Locale::En)
        );
        assert_eq!(
            Locale::from_accept_language("fr;q=1, nl-BE;q=0.5"),
            Some(Locale::Nl)
        );
        assert_eq!(Locale::from_accept_language("fr"), None);
        assert_eq!(Locale::Nl.t("nav-home"), "Start");
    }

    #[test]
    fn brussels_time() {
        // 2026-07-01 10:00 UTC is 12:00 in Brussels (CEST); in January, +1.
        assert_eq!(format_ms(1_782_900_000_000), "2026-07-01 12:00");
        assert_eq!(format_ms(1_767_261_600_000), "2026-01-01 11:00");
    }
}
