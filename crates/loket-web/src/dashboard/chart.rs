//! The geometry of the dashboard's bar charts: grouped bars, one group per
//! row of a table and one bar per series, in SVG user units. The template
//! `dashboard/dashboard.html` draws them (no script, no chart library).

/// Series colours (Okabe–Ito, told apart with colour blindness; each has a
/// contrast of at least 3:1 on white, for graphical objects).
pub const COLOURS: [&str; 5] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6D00"];

pub const W: i64 = 720;
pub const H: i64 = 260;
pub const LEFT: i64 = 56;
pub const BOTTOM: i64 = 36;
pub const TOP: i64 = 12;

/// One bar.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    pub colour: &'static str,
    /// "label — series: value", the bar's tooltip.
    pub title: String,
}

/// An axis label.
pub struct Tick {
    pub x: i64,
    pub y: i64,
    pub text: String,
}

/// A chart, ready for the template.
pub struct ChartView {
    pub id: String,
    pub title: String,
    pub desc: String,
    pub w: i64,
    pub h: i64,
    pub axis_y: i64,
    pub axis_left: i64,
    pub bars: Vec<Bar>,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    /// (series name, colour)
    pub legend: Vec<(String, &'static str)>,
}

/// Lays out `series` (name, one value per label) over `labels`.
pub fn layout(
    id: &str,
    title: &str,
    desc: &str,
    labels: &[String],
    series: &[(String, Vec<i64>)],
) -> ChartView {
    let n = i64::try_from(labels.len()).unwrap_or(1).max(1);
    let k = i64::try_from(series.len()).unwrap_or(1).max(1);
    let plot_w = W - LEFT - 8;
    let plot_h = H - TOP - BOTTOM;
    let axis = TOP + plot_h;
    let max = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = plot_w / n;
    let group = (slot * 8 / 10).max(1);
    let bar_w = (group / k).max(1);
    let every = (n + 11) / 12;
    let mut bars = Vec::new();
    let mut x_ticks = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let ii = i64::try_from(i).unwrap_or(0);
        let x0 = LEFT + ii * slot + (slot - bar_w * k) / 2;
        for (s, (name, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0).max(0);
            let h = v * plot_h / max;
            let si = i64::try_from(s).unwrap_or(0);
            bars.push(Bar {
                x: x0 + si * bar_w,
                y: axis - h,
                w: bar_w,
                h,
                colour: COLOURS[s % COLOURS.len()],
                title: format!("{label} — {name}: {v}"),
            });
        }
        if ii % every == 0 {
            x_ticks.push(Tick {
                x: LEFT + ii * slot + slot / 2,
                y: H - BOTTOM + 16,
                text: label.chars().take(16).collect(),
            });
        }
    }
    let marks = if max >= 2 {
        vec![0, max / 2, max]
    } else {
        vec![0, max]
    };
    let y_ticks = marks
        .into_iter()
        .map(|v| Tick {
            x: LEFT - 6,
            y: axis - v * plot_h / max + 4,
            text: v.to_string(),
        })
        .collect();
    ChartView {
        id: id.to_owned(),
        title: title.to_owned(),
        desc: desc.to_owned(),
        w: W,
        h: H,
        axis_y: axis,
        axis_left: LEFT,
        bars,
        x_ticks,
        y_ticks,
        legend: series
            .iter()
            .enumerate()
            .map(|(s, (name, _))| (name.clone(), COLOURS[s % COLOURS.len()]))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_stay_in_the_plot() {
        let labels: Vec<String> = (1..=36).map(|m| format!("m{m}")).collect();
        let series = vec![
            ("a".to_owned(), (0..36).collect::<Vec<i64>>()),
            ("b".to_owned(), vec![5; 36]),
        ];
        let c = layout("c", "t", "d", &labels, &series);
        assert_eq!(c.bars.len(), 72);
        let tallest = c.bars.iter().map(|b| b.h).max().unwrap_or(0);
        assert_eq!(tallest, H - TOP - BOTTOM);
        assert!(c.bars.iter().all(|b| b.x >= LEFT && b.x + b.w <= W));
        assert!(c.bars.iter().all(|b| b.y >= TOP && b.y + b.h == c.axis_y));
        // 36 months: every third is labelled.
        assert_eq!(c.x_ticks.len(), 12);
        assert_eq!(c.legend.len(), 2);
        let empty = layout("e", "t", "d", &[], &[]);
        assert!(empty.bars.is_empty());
    }
}
