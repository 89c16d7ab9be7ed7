//! Knowledge-base articles: Markdown to HTML, sanitised. Editors write
//! Markdown; what residents see passes `ammonia`, which keeps a safe subset
//! of HTML: no `<script>`, no event attributes, no `javascript:` links.

use pulldown_cmark::{Options, Parser, html};

/// Renders Markdown to sanitised HTML. Links get `rel="noopener noreferrer"`.
pub fn markdown_html(md: &str) -> String {
    let mut raw = String::with_capacity(md.len() * 2);
    html::push_html(&mut raw, Parser::new_ext(md, Options::ENABLE_TABLES));
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered() {
        let h = markdown_html("# Titel\n\n*nadruk* en [link](https://leuven.be)");
        assert!(h.contains("<h1>Titel</h1>"), "{h}");
        assert!(h.contains("<em>nadruk</em>"), "{h}");
        assert!(h.contains("href=\"https://leuven.be\""), "{h}");
    }

    #[test]
    fn scripts_events_and_javascript_links_are_removed() {
        for bad in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[klik](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg onload=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
        ] {
            let h = markdown_html(bad).to_lowercase();
            assert!(!h.contains("<script"), "{bad} → {h}");
            assert!(
                !h.contains("onerror") && !h.contains("onload"),
                "{bad} → {h}"
            );
            assert!(!h.contains("javascript:"), "{bad} → {h}");
            assert!(!h.contains("<iframe"), "{bad} → {h}");
        }
    }
}
