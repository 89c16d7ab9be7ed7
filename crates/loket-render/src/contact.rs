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

/// The contact report's chart: stacked bars, one bar per day and one
/// segment per channel, laid out here in SVG user units; the page's
/// template draws them (with a table of the same figures beside it).
pub mod chart {
    /// The chart's colour per channel (Okabe–Ito, distinguishable with colour
    /// blindness), in the order of `loket_domain::contact::CHANNELS`.
    pub const COLOURS: [&str; 6] = [
        "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
    ];

    /// One bar segment of the chart, in SVG user units.
    pub struct Bar {
        pub x: i64,
        pub y: i64,
        pub w: i64,
        pub h: i64,
        pub colour: &'static str,
        pub title: String,
    }

    /// An axis label.
    pub struct Tick {
        pub x: i64,
        pub y: i64,
        pub text: String,
    }

    pub const CHART_W: i64 = 720;
    pub const CHART_H: i64 = 260;
    pub const LEFT: i64 = 44;
    pub const BOTTOM: i64 = 36;
    pub const TOP: i64 = 12;

    /// Lays out stacked bars: `counts[day][channel]`, one bar per day.
    pub fn layout_bars(
        days: &[String],
        counts: &[[i64; 6]],
        channel_names: &[String],
    ) -> (Vec<Bar>, Vec<Tick>, Vec<Tick>) {
        let n = i64::try_from(days.len()).unwrap_or(1).max(1);
        let plot_w = CHART_W - LEFT - 8;
        let plot_h = CHART_H - TOP - BOTTOM;
        let max = counts
            .iter()
            .map(|c| c.iter().sum::<i64>())
            .max()
            .unwrap_or(0)
            .max(1);
        let slot = plot_w / n;
        let bar_w = (slot * 7 / 10).max(1);
        let mut bars = Vec::new();
        let mut xs = Vec::new();
        for (i, (day, c)) in days.iter().zip(counts).enumerate() {
            let i = i64::try_from(i).unwrap_or(0);
            let x = LEFT + i * slot + (slot - bar_w) / 2;
            // Cumulative heights, so the segments of a bar add up exactly.
            let axis = TOP + plot_h;
            let mut below = 0;
            for (ch, count) in c.iter().enumerate() {
                if *count == 0 {
                    continue;
                }
                let bottom = axis - below * plot_h / max;
                below += count;
                let top = (axis - below * plot_h / max).min(bottom - 1);
                bars.push(Bar {
                    x,
                    y: top,
                    w: bar_w,
                    h: bottom - top,
                    colour: COLOURS[ch],
                    title: format!(
                        "{day}: {} {count}",
                        channel_names
                            .get(ch)
                            .map(String::as_str)
                            .unwrap_or_default()
                    ),
                });
            }
            // Label every day when they fit, else every seventh.
            if n <= 16 || i % 7 == 0 {
                xs.push(Tick {
                    x: x + bar_w / 2,
                    y: CHART_H - BOTTOM + 16,
                    text: day.get(5..).unwrap_or(day).to_owned(),
                });
            }
        }
        let marks = if max >= 2 {
            vec![0, max / 2, max]
        } else {
            vec![0, max]
        };
        let ys = marks
            .into_iter()
            .map(|v| Tick {
                x: LEFT - 6,
                y: TOP + plot_h - v * plot_h / max + 4,
                text: v.to_string(),
            })
            .collect();
        (bars, xs, ys)
    }
}

#[cfg(test)]
mod tests {
    use super::chart::*;
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

    #[test]
    fn bars_stack_and_scale_to_the_busiest_day() {
        let days = vec!["2026-11-02".to_owned(), "2026-11-03".to_owned()];
        let counts = vec![[2, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]];
        let names: Vec<String> = loket_domain::contact::CHANNELS
            .iter()
            .map(|c| (*c).to_owned())
            .collect();
        let (bars, xs, ys) = layout_bars(&days, &counts, &names);
        assert_eq!(bars.len(), 2);
        let plot_h = CHART_H - TOP - BOTTOM;
        // The busiest day fills the plot's height.
        assert_eq!(bars[0].h + bars[1].h, plot_h);
        assert_eq!(bars[1].y + bars[1].h, bars[0].y, "stacked");
        assert_eq!(bars[0].y + bars[0].h, TOP + plot_h, "on the axis");
        assert!(bars[0].title.contains("phone 2"));
        assert_eq!(xs.len(), 2);
        assert_eq!(ys.last().map(|t| t.text.as_str()), Some("3"));
    }
}
