//! The contact centre's rules: knowledge-base articles (validity, review),
//! the search index (tokens, accent folding, Snowball stems, Dutch compound
//! parts) and its BM25 ranking, contact moments (channel, outcome) and the
//! due date of a forward in working days.
//!
//! The index is computed here, in Rust, so it is the same on SQLite and
//! PostgreSQL: the store only keeps `(article, lang, term, weight)` rows.

use crate::calendar::belgian_holidays;
use crate::{FieldError, Invalid};
use jiff::civil::{Date, Weekday};
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{BTreeMap, HashMap};

/// The two languages of the knowledge base.
pub const LANGS: [&str; 2] = ["nl", "en"];

/// Title words count this many times a body word.
pub const TITLE_WEIGHT: i64 = 3;
/// Tags count like title words.
pub const TAG_WEIGHT: i64 = 3;

/// Lower-cases and removes accents (é → e, ë → e, ç → c, ß → ss …).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let m = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'æ' => "ae",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
            'œ' => "oe",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'ß' => "ss",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(m);
    }
    out
}

/// The words of a text: folded, split on anything not a letter or digit.
pub fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= 40)
        .map(str::to_owned)
        .collect()
}

fn stemmer(lang: &str) -> Stemmer {
    if lang == "en" {
        Stemmer::create(Algorithm::English)
    } else {
        Stemmer::create(Algorithm::Dutch)
    }
}

/// Words too common to search on.
fn stop_word(lang: &str, w: &str) -> bool {
    const NL: &[&str] = &[
        "de", "het", "een", "en", "van", "in", "op", "te", "voor", "met", "is", "ik", "je", "u",
        "uw", "mijn", "hoe", "wat", "wie", "waar", "wanneer", "kan", "moet", "of", "aan", "bij",
        "er", "die", "dat", "dit", "om", "ook", "als", "naar", "zijn", "wordt", "worden", "niet",
        "mag", "welke", "krijg", "krijgen", "heb", "hebt", "heeft", "ben", "bent",
    ];
    const EN: &[&str] = &[
        "the", "a", "an", "and", "of", "in", "on", "to", "for", "with", "is", "i", "you", "your",
        "my", "how", "what", "who", "where", "when", "can", "do", "does", "must", "or", "at", "by",
        "it", "that", "this", "be", "are", "as", "from", "not", "may", "which", "get", "have",
        "has", "am",
    ];
    let list = if lang == "en" { EN } else { NL };
    list.contains(&w)
}

/// The shortest piece of a compound that is indexed and searched.
pub const MIN_PART: usize = 5;

/// The search terms of one word: `=stem` (exact), and `~suffix` for every
/// suffix of the folded word of at least [`MIN_PART`] characters, so that a
/// query that starts a part of a compound finds it: `parkeerkaart` is a
/// prefix of `~parkeerkaarten`, a suffix of `bewonersparkeerkaarten`.
fn word_terms(st: &Stemmer, w: &str) -> Vec<String> {
    let mut out = vec![format!("={}", st.stem(w))];
    let chars: Vec<char> = w.chars().collect();
    if chars.len() >= MIN_PART {
        for start in 0..=(chars.len() - MIN_PART) {
            out.push(format!("~{}", chars[start..].iter().collect::<String>()));
        }
    }
    out
}

/// One document's index in one language: term → weight (how often it
/// occurs, title and tags weighted), and the document's length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocIndex {
    pub terms: BTreeMap<String, i64>,
    pub length: i64,
}

/// Indexes an article's title, tags and body in `lang`.
pub fn index_document(lang: &str, title: &str, tags: &[String], body: &str) -> DocIndex {
    let st = stemmer(lang);
    let mut idx = DocIndex::default();
    let add = |text: &str, weight: i64, idx: &mut DocIndex| {
        for w in words(text) {
            if stop_word(lang, &w) {
                continue;
            }
            idx.length += weight;
            for t in word_terms(&st, &w) {
                *idx.terms.entry(t).or_insert(0) += weight;
            }
        }
    };
    add(title, TITLE_WEIGHT, &mut idx);
    for tag in tags {
        add(tag, TAG_WEIGHT, &mut idx);
    }
    add(body, 1, &mut idx);
    idx
}

/// What a query asks the index for, per query word: an exact stem and a
/// prefix over compound parts.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryWord {
    /// `=stem`.
    pub exact: String,
    /// `~prefix` (the stem, when at least [`MIN_PART`] - 1 characters).
    pub prefix: Option<String>,
}

/// Most words a query is searched for; the rest are ignored.
pub const MAX_QUERY_WORDS: usize = 12;

/// Parses a query in `lang`: at most [`MAX_QUERY_WORDS`] words, stop words
/// dropped.
pub fn parse_query(lang: &str, q: &str) -> Vec<QueryWord> {
    let st = stemmer(lang);
    let mut out: Vec<QueryWord> = Vec::new();
    for w in words(q) {
        if stop_word(lang, &w) {
            continue;
        }
        let stem = st.stem(&w).into_owned();
        let prefix = (stem.chars().count() >= MIN_PART - 1).then(|| format!("~{stem}"));
        let qw = QueryWord {
            exact: format!("={stem}"),
            prefix,
        };
        if !out.contains(&qw) {
            out.push(qw);
        }
        if out.len() == MAX_QUERY_WORDS {
            break;
        }
    }
    out
}

/// One hit of a query word in a document: how strongly the document holds
/// it (the weight of the matching term; for prefix matches the strongest
/// matching part).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Posting {
    pub tf: f64,
    pub doc_length: f64,
}

/// BM25 parameters.
pub const K1: f64 = 1.2;
pub const B: f64 = 0.75;
/// A prefix (compound-part) match counts this much of an exact stem match.
pub const PREFIX_FACTOR: f64 = 0.6;

/// The BM25 score of one query word in one document, given how many of
/// `n_docs` documents hold it.
pub fn bm25(p: Posting, doc_freq: usize, n_docs: usize, avg_length: f64) -> f64 {
    let n = n_docs as f64;
    let df = doc_freq as f64;
    let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
    let norm = 1.0 - B + B * p.doc_length / avg_length.max(1.0);
    idf * (p.tf * (K1 + 1.0)) / (p.tf + K1 * norm)
}

/// The documents matching one query word: (exact stem matches, compound-part
/// prefix matches), each document → its posting.
/// Documents are named by `K` (an id, or a borrowed `&str` of one).
pub type WordHits<K = String> = (HashMap<K, Posting>, HashMap<K, Posting>);

/// Ranks documents: `hits[i]` holds, for query word `i`, the documents with
/// an exact and with a prefix match. Returns (document, score), best first,
/// ties by document id.
pub fn rank<K>(hits: &[WordHits<K>], n_docs: usize, avg_length: f64) -> Vec<(K, f64)>
where
    K: Clone + Eq + std::hash::Hash + Ord,
{
    rank_by(hits, n_docs, avg_length, |a, b| a.cmp(b))
}

/// [`rank`], with ties ordered by `tie` (for documents named by a number
/// that stands for an id: ties by the id it stands for).
pub fn rank_by<K>(
    hits: &[WordHits<K>],
    n_docs: usize,
    avg_length: f64,
    tie: impl Fn(&K, &K) -> std::cmp::Ordering,
) -> Vec<(K, f64)>
where
    K: Clone + Eq + std::hash::Hash,
{
    let mut scores: HashMap<K, f64> = HashMap::new();
    for (exact, prefix) in hits {
        for (doc, p) in exact {
            *scores.entry(doc.clone()).or_insert(0.0) += bm25(*p, exact.len(), n_docs, avg_length);
        }
        for (doc, p) in prefix {
            let s = PREFIX_FACTOR * bm25(*p, prefix.len(), n_docs, avg_length);
            let e = scores.entry(doc.clone()).or_insert(0.0);
            // An exact match already counted this word: the part adds less.
            if exact.contains_key(doc) {
                *e += s * 0.25;
            } else {
                *e += s;
            }
        }
    }
    let mut out: Vec<(K, f64)> = scores.into_iter().filter(|(_, s)| *s > 0.0).collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| tie(&a.0, &b.0)));
    out
}

/// The hits of one query word over documents numbered densely `0..n` as
/// they were read (the knowledge base's search numbers its articles as
/// their postings come): the same as a [`WordHits`], in vectors indexed by
/// the number instead of maps.
#[derive(Debug, Clone, Default)]
pub struct NumberedHits {
    exact: Vec<Option<Posting>>,
    prefix: Vec<Option<Posting>>,
    n_exact: usize,
    n_prefix: usize,
}

impl NumberedHits {
    fn slot(v: &mut Vec<Option<Posting>>, doc: u32) -> &mut Option<Posting> {
        let i = doc as usize;
        if v.len() <= i {
            v.resize(i + 1, None);
        }
        &mut v[i]
    }

    /// An exact stem match of `doc` (a second one replaces the first).
    pub fn exact(&mut self, doc: u32, p: Posting) {
        let slot = Self::slot(&mut self.exact, doc);
        if slot.is_none() {
            self.n_exact += 1;
        }
        *slot = Some(p);
    }

    /// A compound-part match of `doc`: the strongest part counts.
    pub fn prefix(&mut self, doc: u32, p: Posting) {
        match Self::slot(&mut self.prefix, doc) {
            Some(best) => best.tf = best.tf.max(p.tf),
            slot => {
                *slot = Some(p);
                self.n_prefix += 1;
            }
        }
    }

    fn has_exact(&self, doc: usize) -> bool {
        matches!(self.exact.get(doc), Some(Some(_)))
    }
}

/// [`rank_by`] over [`NumberedHits`], keeping only the best `top`: the
/// same scores (summed in the same order) and the same order, without a
/// map or a sort of every document (the top is selected, then sorted).
pub fn rank_numbered(
    hits: &[NumberedHits],
    n_docs: usize,
    avg_length: f64,
    top: usize,
    tie: impl Fn(u32, u32) -> std::cmp::Ordering,
) -> Vec<(u32, f64)> {
    let docs = hits
        .iter()
        .map(|h| h.exact.len().max(h.prefix.len()))
        .max()
        .unwrap_or(0);
    let mut scores: Vec<Option<f64>> = vec![None; docs];
    for h in hits {
        for (doc, p) in h.exact.iter().enumerate() {
            if let Some(p) = p {
                *scores[doc].get_or_insert(0.0) += bm25(*p, h.n_exact, n_docs, avg_length);
            }
        }
        for (doc, p) in h.prefix.iter().enumerate() {
            if let Some(p) = p {
                let s = PREFIX_FACTOR * bm25(*p, h.n_prefix, n_docs, avg_length);
                let e = scores[doc].get_or_insert(0.0);
                if h.has_exact(doc) {
                    *e += s * 0.25;
                } else {
                    *e += s;
                }
            }
        }
    }
    let mut out: Vec<(u32, f64)> = scores
        .into_iter()
        .enumerate()
        .filter_map(|(doc, s)| {
            let doc = u32::try_from(doc).ok()?;
            s.filter(|s| *s > 0.0).map(|s| (doc, s))
        })
        .collect();
    let order = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then_with(|| tie(a.0, b.0));
    if top == 0 {
        return Vec::new();
    }
    if out.len() > top {
        out.select_nth_unstable_by(top - 1, order);
        out.truncate(top);
    }
    out.sort_by(order);
    out
}

/// The upper bound of a prefix range: every term starting with `prefix` is
/// `>= prefix` and `< prefix_end(prefix)`.
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

// ---------------------------------------------------------------------------
// Articles

/// An article as the editor submits it, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleDraft {
    pub slug: String,
    pub title_nl: String,
    pub title_en: String,
    pub body_nl: String,
    pub body_en: String,
    pub tags: Vec<String>,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
    pub review_on: Option<Date>,
}

/// The raw fields of the article editor.
#[derive(Debug, Clone, Default)]
pub struct ArticleInput<'a> {
    pub slug: &'a str,
    pub title_nl: &'a str,
    pub title_en: &'a str,
    pub body_nl: &'a str,
    pub body_en: &'a str,
    pub tags: &'a str,
    pub valid_from: &'a str,
    pub valid_until: &'a str,
    pub review_on: &'a str,
}

fn opt_date(inv: &mut Invalid, field: &str, v: &str) -> Option<Date> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match v.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            inv.push(field, "contact-date-invalid");
            None
        }
    }
}

/// A slug: lower-case letters, digits and dashes, 3 to 80 characters.
pub fn parse_slug(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let ok = (3..=80).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err(FieldError::new("slug", "contact-slug-invalid"))
    }
}

/// Checks the editor's input: a slug, both titles (at most 200
/// characters), both bodies (at most 50,000), dates that parse, and a
/// validity window that does not end before it starts.
pub fn check_article(i: &ArticleInput<'_>) -> Result<ArticleDraft, Invalid> {
    let mut inv = Invalid::default();
    let slug = inv.check("slug", parse_slug(i.slug));
    let mut text = |field: &str, v: &str, max: usize| -> String {
        let v = v.trim();
        if v.is_empty() {
            inv.push(field, "required");
        } else if v.chars().count() > max {
            inv.push(field, "contact-too-long");
        }
        v.to_owned()
    };
    let title_nl = text("title_nl", i.title_nl, 200);
    let title_en = text("title_en", i.title_en, 200);
    let body_nl = text("body_nl", i.body_nl, 50_000);
    let body_en = text("body_en", i.body_en, 50_000);
    let tags: Vec<String> = i
        .tags
        .split(',')
        .map(|t| t.trim().chars().take(40).collect::<String>())
        .filter(|t| !t.is_empty())
        .take(20)
        .collect();
    let valid_from = opt_date(&mut inv, "valid_from", i.valid_from);
    let valid_until = opt_date(&mut inv, "valid_until", i.valid_until);
    let review_on = opt_date(&mut inv, "review_on", i.review_on);
    if let (Some(f), Some(u)) = (valid_from, valid_until)
        && u < f
    {
        inv.push("valid_until", "contact-until-before-from");
    }
    inv.into_result()?;
    Ok(ArticleDraft {
        slug: slug.unwrap_or_default(),
        title_nl,
        title_en,
        body_nl,
        body_en,
        tags,
        valid_from,
        valid_until,
        review_on,
    })
}

/// Where an article stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    NotYet,
    Valid,
    Expired,
}

impl Validity {
    pub fn as_str(self) -> &'static str {
        match self {
            Validity::NotYet => "not-yet",
            Validity::Valid => "valid",
            Validity::Expired => "expired",
        }
    }
}

/// Valid from `from` (inclusive) until `until` (inclusive).
pub fn validity(from: Option<Date>, until: Option<Date>, today: Date) -> Validity {
    if from.is_some_and(|f| today < f) {
        Validity::NotYet
    } else if until.is_some_and(|u| today > u) {
        Validity::Expired
    } else {
        Validity::Valid
    }
}

/// Whether the review date has come.
pub fn review_due(review_on: Option<Date>, today: Date) -> bool {
    review_on.is_some_and(|r| r <= today)
}

// ---------------------------------------------------------------------------
// Contact moments

pub const CHANNELS: [&str; 6] = ["phone", "email", "web", "counter", "chat", "letter"];
pub const OUTCOMES: [&str; 5] = [
    "answered",
    "forwarded",
    "case_started",
    "appointment_booked",
    "call_back",
];

/// A contact moment as an agent logs it, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct MomentDraft {
    pub channel: String,
    pub subject: String,
    pub question: String,
    pub answer: String,
    pub outcome: String,
    pub duration_minutes: i64,
}

#[derive(Debug, Clone, Default)]
pub struct MomentInput<'a> {
    pub channel: &'a str,
    pub subject: &'a str,
    pub question: &'a str,
    pub answer: &'a str,
    pub outcome: &'a str,
    pub duration: &'a str,
}

/// Checks a contact moment: a known channel and outcome, a subject (at
/// most 200 characters), a question (at most 10,000), an answer when the
/// outcome is "answered", a duration of 0 to 600 minutes.
pub fn check_moment(i: &MomentInput<'_>) -> Result<MomentDraft, Invalid> {
    let mut inv = Invalid::default();
    let channel = i.channel.trim();
    if !CHANNELS.contains(&channel) {
        inv.push("channel", "contact-channel-invalid");
    }
    let outcome = i.outcome.trim();
    if !OUTCOMES.contains(&outcome) {
        inv.push("outcome", "contact-outcome-invalid");
    }
    let subject = i.subject.trim();
    if subject.is_empty() {
        inv.push("subject", "required");
    } else if subject.chars().count() > 200 {
        inv.push("subject", "contact-too-long");
    }
    let question = i.question.trim();
    if question.is_empty() {
        inv.push("question", "contact-question-empty");
    } else if question.chars().count() > 10_000 {
        inv.push("question", "contact-too-long");
    }
    let answer = i.answer.trim();
    if outcome == "answered" && answer.is_empty() {
        inv.push("answer", "contact-answer-needed");
    } else if answer.chars().count() > 10_000 {
        inv.push("answer", "contact-too-long");
    }
    let d = i.duration.trim();
    let duration_minutes = if d.is_empty() {
        0
    } else {
        match d.parse::<i64>() {
            Ok(n) if (0..=600).contains(&n) => n,
            _ => {
                inv.push("duration", "contact-duration-invalid");
                0
            }
        }
    };
    inv.into_result()?;
    Ok(MomentDraft {
        channel: channel.to_owned(),
        subject: subject.to_owned(),
        question: question.to_owned(),
        answer: answer.to_owned(),
        outcome: outcome.to_owned(),
        duration_minutes,
    })
}

/// Whether `d` is a working day: Monday to Friday and no Belgian public
/// holiday.
pub fn is_working_day(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
        && !belgian_holidays(d.year()).contains(&d)
}

/// The date `days` working days after `from` (a forward made on `from` with
/// a service level of `days` working days is due at the end of that day).
pub fn add_working_days(from: Date, days: i64) -> Date {
    let mut d = from;
    let mut left = days.max(0);
    while left > 0 {
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => return d,
        }
        if is_working_day(d) {
            left -= 1;
        }
    }
    d
}

/// The working days in `(from, to]`: how long the service-level clock runs
/// from the end of `from` to the end of `to` (0 when `to` is not after
/// `from`). A forward paused on `from` and resumed on `to` stood still this
/// many working days.
pub fn working_days_between(from: Date, to: Date) -> i64 {
    let mut n = 0;
    let mut d = from;
    while d < to {
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
        if is_working_day(d) {
            n += 1;
        }
    }
    n
}

/// The due date of a forward whose clock was paused on `paused_on` and
/// resumes on `resumed_on`: the old due date moved by the working days the
/// clock stood still. Returns (new due date, working days paused).
pub fn resumed_due(due: Date, paused_on: Date, resumed_on: Date) -> (Date, i64) {
    let paused = working_days_between(paused_on, resumed_on);
    (add_working_days(due, paused), paused)
}

/// A contact's reference as it appears in e-mail subjects: `[LKT-…]`.
pub fn reference_tag(reference: &str, token: &str) -> String {
    if token.is_empty() {
        format!("[{reference}]")
    } else {
        format!("[{reference}#{token}]")
    }
}

/// The reference in a subject and the reply token after it, if any:
/// `Re: Uw vraag [C-2026-000123#a1b2c3d4e5f6a7b8]`.
pub fn tagged_reference_in_subject(subject: &str) -> Option<(String, Option<String>)> {
    let start = subject.find("[C-")? + 1;
    let end = start + subject[start..].find(']')?;
    let (r, token) = match subject[start..end].split_once('#') {
        Some((r, t)) => (r, Some(t)),
        None => (&subject[start..end], None),
    };
    let ok = r.len() <= 20 && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let token_ok = token.is_none_or(|t| t.len() <= 64 && t.chars().all(|c| c.is_ascii_hexdigit()));
    (ok && token_ok).then(|| (r.to_owned(), token.map(str::to_owned)))
}

/// The reference in a subject such as `Re: Uw vraag [C-2026-000123]`.
pub fn reference_in_subject(subject: &str) -> Option<String> {
    tagged_reference_in_subject(subject).map(|(r, _)| r)
}

crate::status_enum! {
    /// Where a contact moment stands.
    pub enum MomentStatus {
        /// Asked on the web, not handled yet.
        Intake = "intake",
        Open = "open",
        Forwarded = "forwarded",
        Closed = "closed",
    }
}

crate::status_enum! {
    /// Where a forward to a department stands.
    pub enum ForwardStatus {
        Open = "open",
        /// Paused: the department asked the resident a question.
        Waiting = "waiting",
        Answered = "answered",
    }
}

/// The contact centre's opening hours, as a city configures them:
/// `1-5 08:30-17:00; 6 09:00-12:00` (ISO weekdays, 1 = Monday; a day or a
/// range of days, then that day's periods as the counters' hours are
/// typed). Shown on the home page, with whether it is open now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpeningHours {
    pub periods: Vec<crate::appointments::Period>,
}

impl OpeningHours {
    /// Parses the configured text; the error says how to write it.
    pub fn parse(s: &str) -> Result<OpeningHours, String> {
        const HOW: &str = "use e.g. `1-5 08:30-12:30, 13:30-17:00; 6 09:00-12:00` \
                           (ISO weekdays, 1 = Monday; a day or a range, then its hours)";
        let mut periods: Vec<crate::appointments::Period> = Vec::new();
        for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (days, hours) = part.split_once(char::is_whitespace).ok_or(HOW)?;
            let (first, last) = match days.split_once('-') {
                Some((a, b)) => (a.parse::<i8>(), b.parse::<i8>()),
                None => (days.parse::<i8>(), days.parse::<i8>()),
            };
            let (Ok(first), Ok(last)) = (first, last) else {
                return Err(HOW.to_owned());
            };
            if !(1..=7).contains(&first) || !(first..=7).contains(&last) {
                return Err(HOW.to_owned());
            }
            for day in first..=last {
                if periods.iter().any(|p| p.weekday == day) {
                    return Err(format!("weekday {day} is given twice; {HOW}"));
                }
                let day_periods =
                    crate::appointments::parse_day_hours(day, hours).map_err(|_| HOW.to_owned())?;
                if day_periods.is_empty() {
                    return Err(HOW.to_owned());
                }
                periods.extend(day_periods);
            }
        }
        periods.sort_by_key(|p| (p.weekday, p.opens));
        Ok(OpeningHours { periods })
    }

    /// Whether it is open on `weekday` (1 = Monday) at `time`.
    pub fn is_open(&self, weekday: i8, time: jiff::civil::Time) -> bool {
        self.periods
            .iter()
            .any(|p| p.weekday == weekday && p.opens <= time && time < p.closes)
    }

    /// Runs of consecutive weekdays with the same hours, for showing:
    /// `(first day, last day, "08:30–17:00")`.
    pub fn runs(&self) -> Vec<(i8, i8, String)> {
        let mut out: Vec<(i8, i8, String)> = Vec::new();
        for day in 1..=7i8 {
            let hours = self
                .periods
                .iter()
                .filter(|p| p.weekday == day)
                .map(|p| {
                    format!(
                        "{}–{}",
                        crate::appointments::fmt_time(p.opens),
                        crate::appointments::fmt_time(p.closes)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            if hours.is_empty() {
                continue;
            }
            match out.last_mut() {
                Some((_, last, h)) if *last == day - 1 && *h == hours => *last = day,
                _ => out.push((day, day, hours)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {

    /// The numbered ranking gives exactly the map ranking's top: the same
    /// documents, scores (bit for bit) and order, ties included.
    #[test]
    fn numbered_ranking_is_the_map_ranking_cut_to_its_top() {
        use super::*;
        // A small linear congruential generator: the same cases every run.
        let mut seed: u64 = 0x5eed;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for case in 0..200 {
            let words = 1 + next(4) as usize;
            let docs = 1 + next(300) as u32;
            let mut maps: Vec<WordHits<u32>> = vec![Default::default(); words];
            let mut numbered: Vec<NumberedHits> = vec![Default::default(); words];
            for w in 0..words {
                for _ in 0..next(400) {
                    let doc = next(u64::from(docs)) as u32;
                    // Few distinct values, so that ties are common.
                    let p = Posting {
                        tf: (1 + next(3)) as f64,
                        doc_length: (10 + 10 * next(3)) as f64,
                    };
                    if next(2) == 0 {
                        maps[w].0.insert(doc, p);
                        numbered[w].exact(doc, p);
                    } else {
                        let best = maps[w].1.entry(doc).or_insert(p);
                        best.tf = best.tf.max(p.tf);
                        numbered[w].prefix(doc, p);
                    }
                }
            }
            // Ties by a name that is not the number's order.
            let name = |d: u32| (d * 7919) % 1000;
            let n = 1000;
            let want = rank_by(&maps, n, 17.0, |a, b| name(*a).cmp(&name(*b)));
            for top in [0, 1, 5, 50, 10_000] {
                let got = rank_numbered(&numbered, n, 17.0, top, |a, b| name(a).cmp(&name(b)));
                let cut: Vec<(u32, f64)> = want.iter().take(top).copied().collect();
                assert_eq!(got.len(), cut.len(), "case {case}, top {top}");
                for (g, w) in got.iter().zip(&cut) {
                    assert_eq!(g.0, w.0, "case {case}, top {top}");
                    assert_eq!(g.1.to_bits(), w.1.to_bits(), "case {case}, top {top}");
                }
            }
        }
    }

    #[test]
    fn opening_hours_parse_group_and_answer_open_now() {
        use jiff::civil::time;
        let h = OpeningHours::parse(
            "1-4 08:30-12:30, 13:30-17:00; 5 08:30-12:30, 13:30-17:00; 6 09:00-12:00",
        )
        .unwrap();
        assert_eq!(
            h.runs(),
            vec![
                (1, 5, "08:30–12:30, 13:30–17:00".to_owned()),
                (6, 6, "09:00–12:00".to_owned())
            ]
        );
        assert!(h.is_open(1, time(8, 30, 0, 0)));
        assert!(!h.is_open(1, time(12, 30, 0, 0)));
        assert!(!h.is_open(7, time(10, 0, 0, 0)));
        assert!(h.is_open(6, time(11, 59, 0, 0)));
        assert_eq!(OpeningHours::parse("").unwrap().runs(), vec![]);
        for bad in [
            "mon 08:00-17:00",
            "1-8 08:00-17:00",
            "5-1 08:00-17:00",
            "1 17:00-08:00",
            "1",
            "1 08:00-12:00; 1 13:00-14:00",
            "1 ",
        ] {
            assert!(OpeningHours::parse(bad).is_err(), "{bad} was accepted");
        }
    }
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap_or_default()
    }

    fn search(docs: &[(&str, &str, &str)], lang: &str, q: &str) -> Vec<String> {
        let idx: Vec<(String, DocIndex)> = docs
            .iter()
            .map(|(id, t, b)| ((*id).to_owned(), index_document(lang, t, &[], b)))
            .collect();
        let avg = idx.iter().map(|(_, d)| d.length as f64).sum::<f64>() / idx.len() as f64;
        let posting = |d: &DocIndex, tf: i64| Posting {
            tf: tf as f64,
            doc_length: d.length as f64,
        };
        let hits: Vec<_> = parse_query(lang, q)
            .iter()
            .map(|qw| {
                let mut exact = HashMap::new();
                let mut prefix = HashMap::new();
                for (id, d) in &idx {
                    if let Some(tf) = d.terms.get(&qw.exact) {
                        exact.insert(id.clone(), posting(d, *tf));
                    }
                    if let Some(p) = &qw.prefix {
                        let best = d
                            .terms
                            .iter()
                            .filter(|(t, _)| t.starts_with(p.as_str()))
                            .map(|(_, w)| *w)
                            .max();
                        if let Some(tf) = best {
                            prefix.insert(id.clone(), posting(d, tf));
                        }
                    }
                }
                (exact, prefix)
            })
            .collect();
        rank(&hits, idx.len(), avg)
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    #[test]
    fn folding_and_words() {
        assert_eq!(fold("Één café, Ærø"), "een cafe, aero");
        assert_eq!(
            words("Bewoners-parkeerkaart: €10!"),
            ["bewoners", "parkeerkaart", "10"]
        );
    }

    #[test]
    fn compounds_and_plurals_are_found() {
        let docs = [
            (
                "parking",
                "Bewonersparkeerkaarten",
                "Vraag bewonersparkeerkaarten aan bij de stad.",
            ),
            ("premium", "Premies voor isolatie", "De stad geeft premies."),
            (
                "waste",
                "Afvalophaling",
                "Wanneer wordt het afval opgehaald?",
            ),
        ];
        assert_eq!(search(&docs, "nl", "parkeerkaart")[0], "parking");
        assert_eq!(search(&docs, "nl", "premie")[0], "premium");
        assert_eq!(search(&docs, "nl", "afval ophaling")[0], "waste");
        assert!(search(&docs, "nl", "paspoort").is_empty());
    }

    #[test]
    fn english_stems() {
        let docs = [
            ("moving", "Moving house", "Declare your move within 8 days."),
            ("id", "Identity cards", "Apply for an identity card."),
        ];
        assert_eq!(search(&docs, "en", "move")[0], "moving");
        assert_eq!(search(&docs, "en", "identity card")[0], "id");
    }

    #[test]
    fn title_outweighs_body() {
        let docs = [
            ("a", "Huisvuil", "Over afval en meer."),
            ("b", "Afval", "Over afval."),
        ];
        assert_eq!(search(&docs, "nl", "afval")[0], "b");
    }

    #[test]
    fn articles_are_checked() {
        let ok = ArticleInput {
            slug: "parking-card",
            title_nl: "Parkeerkaart",
            title_en: "Parking card",
            body_nl: "Tekst",
            body_en: "Text",
            tags: "parkeren, auto ,",
            valid_from: "2026-01-01",
            valid_until: "2026-12-31",
            review_on: "",
        };
        let d = check_article(&ok).unwrap_or_else(|_| panic!("valid"));
        assert_eq!(d.tags, ["parkeren", "auto"]);
        let bad = ArticleInput {
            slug: "Bad Slug",
            title_nl: " ",
            valid_until: "2025-12-31",
            ..ok
        };
        let e = check_article(&bad).err().map(|i| i.0).unwrap_or_default();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["slug", "title_nl", "valid_until"]);
    }

    #[test]
    fn validity_window() {
        let t = date("2026-06-15");
        assert_eq!(validity(None, None, t), Validity::Valid);
        assert_eq!(
            validity(Some(date("2026-06-16")), None, t),
            Validity::NotYet
        );
        assert_eq!(validity(None, Some(date("2026-06-15")), t), Validity::Valid);
        assert_eq!(
            validity(None, Some(date("2026-06-14")), t),
            Validity::Expired
        );
        assert!(review_due(Some(t), t));
        assert!(!review_due(None, t));
    }

    #[test]
    fn moments_are_checked() {
        let ok = MomentInput {
            channel: "phone",
            subject: "Parkeren",
            question: "Hoe krijg ik een kaart?",
            answer: "Via het e-loket.",
            outcome: "answered",
            duration: "4",
        };
        assert!(check_moment(&ok).is_ok());
        let empty = MomentInput {
            question: "   ",
            ..ok.clone()
        };
        let e = check_moment(&empty).err().map(|i| i.0).unwrap_or_default();
        assert_eq!(e[0].code, "contact-question-empty");
        let bad = MomentInput {
            channel: "fax",
            outcome: "answered",
            answer: "",
            duration: "-1",
            ..ok
        };
        let e = check_moment(&bad).err().map(|i| i.0).unwrap_or_default();
        let codes: Vec<&str> = e.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                "contact-channel-invalid",
                "contact-answer-needed",
                "contact-duration-invalid"
            ]
        );
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // Friday 2026-07-17 + 3 working days: Mon 20, Tue 21 (national day), Wed 22 → Thu 23? No:
        // Mon 20 (1), Tue 21 is a holiday, Wed 22 (2), Thu 23 (3).
        assert_eq!(add_working_days(date("2026-07-17"), 3), date("2026-07-23"));
        // Christmas 2026 is a Friday: Thursday 24 + 1 → Monday 28.
        assert_eq!(add_working_days(date("2026-12-24"), 1), date("2026-12-28"));
        assert_eq!(add_working_days(date("2026-12-24"), 0), date("2026-12-24"));
    }

    #[test]
    fn references_in_subjects() {
        assert_eq!(
            reference_in_subject("Re: Uw vraag [C-2026-000123]").as_deref(),
            Some("C-2026-000123")
        );
        assert_eq!(reference_in_subject("Re: Uw vraag"), None);
        assert_eq!(reference_in_subject("[C-<script>]"), None);
        assert_eq!(
            tagged_reference_in_subject("Re: x [C-2026-000123#a1b2c3d4e5f6a7b8]"),
            Some((
                "C-2026-000123".to_owned(),
                Some("a1b2c3d4e5f6a7b8".to_owned())
            ))
        );
        assert_eq!(
            reference_in_subject("Re: x [C-2026-000123#a1b2]").as_deref(),
            Some("C-2026-000123")
        );
        assert_eq!(tagged_reference_in_subject("[C-2026-1#<x>]"), None);
        assert_eq!(
            reference_tag("C-2026-000123", "ab12"),
            "[C-2026-000123#ab12]"
        );
    }

    #[test]
    fn a_paused_clock_moves_the_due_date_by_the_working_days_paused() {
        // Paused on Thursday 2026-04-02, resumed on Tuesday 2026-04-07:
        // Friday 3, (weekend), Easter Monday 6 is a holiday, Tuesday 7 →
        // 2 working days.
        assert_eq!(
            working_days_between(date("2026-04-02"), date("2026-04-07")),
            2
        );
        assert_eq!(
            resumed_due(date("2026-04-08"), date("2026-04-02"), date("2026-04-07")),
            (date("2026-04-10"), 2)
        );
        // Paused and resumed the same day: nothing moves.
        assert_eq!(
            resumed_due(date("2026-04-08"), date("2026-04-02"), date("2026-04-02")),
            (date("2026-04-08"), 0)
        );
        // Paused over a weekend only: nothing moves either.
        assert_eq!(
            working_days_between(date("2026-04-03"), date("2026-04-05")),
            0
        );
        // Over Christmas and New Year (25 Dec and 1 Jan are holidays).
        assert_eq!(
            working_days_between(date("2026-12-24"), date("2027-01-04")),
            5
        );
        assert_eq!(
            working_days_between(date("2026-05-05"), date("2026-05-01")),
            0
        );
    }

    proptest! {
        #[test]
        fn counting_working_days_undoes_adding_them(days in 0i64..80, offset in 0i64..3000) {
            let from = date("2020-01-01")
                .checked_add(jiff::Span::new().days(offset))
                .unwrap_or_default();
            let due = add_working_days(from, days);
            prop_assert_eq!(working_days_between(from, due), days);
        }

        #[test]
        fn a_pause_never_shortens_and_adds_exactly_the_paused_days(
            sla in 1i64..20, start in 0i64..2000, pause_after in 0i64..30, pause_len in 0i64..40
        ) {
            let created = date("2021-01-01")
                .checked_add(jiff::Span::new().days(start))
                .unwrap_or_default();
            let due = add_working_days(created, sla);
            let paused_on = created
                .checked_add(jiff::Span::new().days(pause_after))
                .unwrap_or_default();
            let resumed_on = paused_on
                .checked_add(jiff::Span::new().days(pause_len))
                .unwrap_or_default();
            let (new_due, paused) = resumed_due(due, paused_on, resumed_on);
            prop_assert!(new_due >= due);
            prop_assert!(paused <= pause_len);
            prop_assert_eq!(working_days_between(due, new_due), paused);
            // The working time left after resuming equals what was left
            // when the clock stopped (for a pause before the due date).
            if paused_on <= due {
                let left_then = working_days_between(paused_on, due);
                let left_now = working_days_between(resumed_on, new_due);
                prop_assert_eq!(left_then, left_now);
            }
        }

        #[test]
        fn working_days_land_on_working_days(days in 1i64..60, offset in 0i64..3000) {
            let from = date("2020-01-01")
                .checked_add(jiff::Span::new().days(offset))
                .unwrap_or_default();
            let due = add_working_days(from, days);
            prop_assert!(is_working_day(due));
            prop_assert!(due > from);
        }

        #[test]
        fn every_query_word_finds_its_own_document(w in "[a-z]{5,15}") {
            let idx = index_document("nl", &w, &[], "");
            for qw in parse_query("nl", &w) {
                let exact = idx.terms.contains_key(&qw.exact);
                let prefix = qw.prefix.as_ref().is_some_and(|p| idx.terms.keys().any(|t| t.starts_with(p.as_str())));
                prop_assert!(exact || prefix);
            }
        }

        #[test]
        fn fold_never_panics(s in ".{0,50}") {
            let _ = words(&s);
        }
    }
}
