//! The bike dashboard's charts: plain SVG made on the server (no script, no
//! library), each with a title and a description for screen readers; the
//! page shows the same figures in a table too.

/// Escapes text for SVG/XML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A vertical bar chart of `items` (label, value), 640 × 260.
/// `id` makes the title/description ids unique on the page.
pub fn bar_chart(id: &str, title: &str, desc: &str, items: &[(String, i64)], unit: &str) -> String {
    let (w, h, left, bottom, top) = (640.0_f64, 260.0_f64, 48.0_f64, 40.0_f64, 16.0_f64);
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let n = items.len().max(1) as f64;
    let slot = (w - left - 8.0) / n;
    let bar = (slot * 0.7).max(2.0);
    let id = esc(id);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" class=\"chart\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        esc(title),
        esc(desc)
    );
    let base = h - bottom;
    s.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#333\"/>",
        w - 4.0
    ));
    s.push_str(&format!(
        "<text x=\"4\" y=\"{}\" font-size=\"11\" fill=\"#333\">{} {}</text>",
        top + 4.0,
        max as i64,
        esc(unit)
    ));
    for (i, (label, v)) in items.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let bh = (*v as f64 / max) * (base - top - 8.0);
        s.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{bh:.1}\" fill=\"#004f6e\"><title>{}: {v} {}</title></rect>",
            base - bh,
            esc(label),
            esc(unit)
        ));
        if items.len() <= 16 || i % 2 == 0 {
            s.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
                x + bar / 2.0,
                base + 14.0,
                esc(label)
            ));
        }
        if items.len() <= 12 {
            s.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">{v}</text>",
                x + bar / 2.0,
                (base - bh - 3.0).max(top)
            ));
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_is_accessible_svg() {
        let svg = bar_chart(
            "km",
            "Km <per> month",
            "desc",
            &[("2026-09".into(), 10), ("2026-10".into(), 20)],
            "km",
        );
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("Km &lt;per&gt; month"));
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(bar_chart("e", "t", "d", &[], "x").ends_with("</svg>"));
    }
}
