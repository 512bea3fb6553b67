//! The chart types: a chart's data by kind, and its size in pixels.

/// A line (or point set) of a [`Chart::Lines`].
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Legend name.
    pub name: String,
    /// Points (x, y), drawn in this order.
    pub points: Vec<(f64, f64)>,
    /// A point to mark (e.g. the chosen spend), drawn as a large ring.
    pub marked: Option<(f64, f64)>,
    /// Draw markers only, no connecting line.
    pub points_only: bool,
}

/// One bar of a tornado chart: the objective at the low and the high setting.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoRow {
    /// What was varied.
    pub name: String,
    /// Objective at −20 %.
    pub low: f64,
    /// Objective at +20 %.
    pub high: f64,
}

/// One row of a [`Chart::Ranges`]: a name, an optional bar, and per series an
/// interval with its point `(lo, point, hi)` (None: no mark of that series).
#[derive(Debug, Clone, PartialEq)]
pub struct RangeRow {
    /// Label left of the row.
    pub name: String,
    /// A grey bar from `.0` to `.1` (e.g. a prior's range).
    pub bar: Option<(f64, f64)>,
    /// Marks, one per series.
    pub marks: Vec<Option<(f64, f64, f64)>>,
}

/// A chart's data; [`render`](super::render) draws it to SVG and PNG.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Bars per category, one per series (`values[series][category]`), grouped or stacked.
    Bars {
        title: String,
        y_label: String,
        categories: Vec<String>,
        series: Vec<String>,
        values: Vec<Vec<f64>>,
        stacked: bool,
    },
    /// Lines over a numeric x axis.
    Lines {
        title: String,
        x_label: String,
        y_label: String,
        lines: Vec<Line>,
        /// Label of the marked points in the legend (e.g. "chosen plan").
        marked_label: Option<String>,
    },
    /// A mean with its interval per category (a zero line when the range spans 0).
    Intervals {
        title: String,
        y_label: String,
        categories: Vec<String>,
        mean: Vec<f64>,
        lo: Vec<f64>,
        hi: Vec<f64>,
    },
    /// A weekly series against a model: observed points, the model line inside its
    /// 90 % band, weeks from `shaded_from` on shaded (held out of a fit).
    Fit {
        title: String,
        x_label: String,
        y_label: String,
        x: Vec<f64>,
        observed: Vec<f64>,
        fitted: Vec<f64>,
        lo: Vec<f64>,
        hi: Vec<f64>,
        shaded_from: Option<f64>,
    },
    /// Horizontal rows: a grey bar per row and an interval with its point per series.
    Ranges {
        title: String,
        x_label: String,
        rows: Vec<RangeRow>,
        series: Vec<String>,
        /// Legend label of the bars.
        bar_label: Option<String>,
    },
    /// Horizontal bars from the base value to the low and high settings.
    Tornado {
        title: String,
        x_label: String,
        base: f64,
        rows: Vec<TornadoRow>,
    },
}

impl Chart {
    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Chart::Bars {
                categories,
                series,
                stacked,
                ..
            } => {
                let longest = categories
                    .iter()
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0);
                let per = if *stacked { 40 } else { series.len() * 10 + 24 }.max(longest * 6 + 12);
                ((320 + categories.len() * per).clamp(900, 1600) as u32, 500)
            }
            Chart::Intervals { categories, .. } => {
                ((240 + categories.len() * 95).clamp(900, 1400) as u32, 460)
            }
            Chart::Lines { .. } | Chart::Fit { .. } => (900, 500),
            Chart::Ranges { rows, series, .. } => (
                1000,
                (150 + rows.len() as u32 * (24 + 10 * series.len() as u32)).max(300),
            ),
            Chart::Tornado { rows, .. } => (900, (140 + rows.len() as u32 * 40).max(320)),
        }
    }

    /// The chart's title.
    pub fn title(&self) -> &str {
        match self {
            Chart::Bars { title, .. }
            | Chart::Lines { title, .. }
            | Chart::Intervals { title, .. }
            | Chart::Fit { title, .. }
            | Chart::Ranges { title, .. }
            | Chart::Tornado { title, .. } => title,
        }
    }
}
