//! Fit charts: an observed weekly series as points, the model as a line inside its
//! interval band, and the weeks from `shaded_from` on shaded (held out of a fit).

use super::axes::{legend_origin, numeric_plot, range_of};
use super::legend::{Key, draw_legend, draw_marker, legend_width, line_color};
use super::msg;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Fill of the band around the model line.
const BAND: RGBColor = RGBColor(158, 176, 222);
/// Fill of the shaded weeks.
const SHADE: RGBColor = RGBColor(225, 225, 225);

/// The series of a fit chart, all over the same `x`.
pub(super) struct Series<'a> {
    pub x: &'a [f64],
    pub observed: &'a [f64],
    pub fitted: &'a [f64],
    pub lo: &'a [f64],
    pub hi: &'a [f64],
}

/// Band, model line, observed points, shaded span and legend (title, x and y axis
/// labels in this order).
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    [title, x_label, y_label]: [&str; 3],
    s: &Series,
    shaded_from: Option<f64>,
) -> Result<(), String> {
    let (x0, x1) = range_of(s.x.iter().copied(), false);
    let (y0, y1) = range_of(
        s.observed
            .iter()
            .chain(s.fitted)
            .chain(s.lo)
            .chain(s.hi)
            .copied(),
        false,
    );
    let mut entries = vec![
        ("observed".to_string(), Key::Marker(1)),
        ("model".to_string(), Key::Line(0)),
        ("90 % band".to_string(), Key::Fill(BAND)),
    ];
    if shaded_from.is_some() {
        entries.push(("holdout weeks".to_string(), Key::Fill(SHADE)));
    }
    let labels: Vec<String> = entries.iter().map(|e| e.0.clone()).collect();
    let lw = legend_width(root, &labels);
    let mut plot = numeric_plot(root, title, x_label, y_label, (x0, x1), (y0, y1), lw)?;
    if let Some(from) = shaded_from {
        plot.draw_series(std::iter::once(Rectangle::new(
            [(from.max(x0), y0), (x1, y1)],
            SHADE.mix(0.6).filled(),
        )))
        .map_err(msg)?;
    }
    let finite = |i: &usize| [s.x[*i], s.lo[*i], s.hi[*i]].iter().all(|v| v.is_finite());
    let n = s.x.len().min(s.lo.len()).min(s.hi.len());
    let idx: Vec<usize> = (0..n).filter(finite).collect();
    if idx.len() > 1 {
        let mut poly: Vec<(f64, f64)> = idx.iter().map(|&i| (s.x[i], s.hi[i])).collect();
        poly.extend(idx.iter().rev().map(|&i| (s.x[i], s.lo[i])));
        plot.draw_series(std::iter::once(Polygon::new(poly, BAND.mix(0.55).filled())))
            .map_err(msg)?;
    }
    let line: Vec<(f64, f64)> =
        s.x.iter()
            .zip(s.fitted)
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|(x, y)| (*x, *y))
            .collect();
    plot.draw_series(LineSeries::new(line, line_color(0).stroke_width(2)))
        .map_err(msg)?;
    let size = if s.x.len() > 120 { 2 } else { 3 };
    let c = line_color(1);
    for (x, y) in s.x.iter().zip(s.observed) {
        if x.is_finite() && y.is_finite() {
            let px = plot.plotting_area().map_coordinate(&(*x, *y));
            draw_marker(root, px, 1, size, c.filled())?;
        }
    }
    draw_legend(root, legend_origin(root, lw), &entries)
}
