//! Interval charts: a mean with its interval whisker per category, and a zero line
//! when the range spans 0.

use super::axes::{category_plot, legend_origin, range_of};
use super::legend::{Key, draw_legend, legend_width};
use super::{color, msg};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Means with whiskers from `lo` to `hi` (each at least reaching the mean).
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_label: &str,
    categories: &[String],
    [mean, lo, hi]: [&[f64]; 3],
) -> Result<(), String> {
    let (y0, y1) = range_of(mean.iter().chain(lo).chain(hi).cloned(), false);
    let entries = vec![("mean, 90 % interval".to_string(), Key::Whisker)];
    let lw = legend_width(root, &[entries[0].0.clone()]);
    let mut plot = category_plot(root, title, y_label, categories, (y0, y1), lw)?;
    if y0 < 0.0 && y1 > 0.0 {
        plot.draw_series(LineSeries::new(
            vec![(-0.5, 0.0), (categories.len() as f64 - 0.5, 0.0)],
            RGBColor(80, 80, 80).stroke_width(1),
        ))
        .map_err(msg)?;
    }
    let c = color(0);
    plot.draw_series(mean.iter().enumerate().map(|(i, m)| {
        let l = lo.get(i).copied().unwrap_or(*m).min(*m);
        let h = hi.get(i).copied().unwrap_or(*m).max(*m);
        ErrorBar::new_vertical(i as f64, l, *m, h, c.stroke_width(2), 12)
    }))
    .map_err(msg)?;
    plot.draw_series(
        mean.iter()
            .enumerate()
            .map(|(i, m)| Circle::new((i as f64, *m), 5, c.filled())),
    )
    .map_err(msg)?;
    draw_legend(root, legend_origin(root, lw), &entries)
}
