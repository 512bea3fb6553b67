//! One chart on any plotters backend: the kind's drawing on a white page, and the
//! bar every kind of bar chart is made of.

use super::{Chart, Plot, band, bars, color, intervals, lines, msg, ranges, tornado};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Draw `chart` on `root` (white background) and present it.
pub(super) fn draw_chart<DB: DrawingBackend>(
    chart: &Chart,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(msg)?;
    match chart {
        Chart::Bars {
            title,
            y_label,
            categories,
            series,
            values,
            stacked,
        } => bars::draw(root, title, y_label, categories, series, values, *stacked)?,
        Chart::Lines {
            title,
            x_label,
            y_label,
            lines,
            marked_label,
        } => lines::draw(
            root,
            [title, x_label, y_label],
            lines,
            marked_label.as_deref(),
        )?,
        Chart::Intervals {
            title,
            y_label,
            categories,
            mean,
            lo,
            hi,
        } => intervals::draw(root, title, y_label, categories, [mean, lo, hi])?,
        Chart::Fit {
            title,
            x_label,
            y_label,
            x,
            observed,
            fitted,
            lo,
            hi,
            shaded_from,
        } => band::draw(
            root,
            [title, x_label, y_label],
            &band::Series {
                x,
                observed,
                fitted,
                lo,
                hi,
            },
            *shaded_from,
        )?,
        Chart::Ranges {
            title,
            x_label,
            rows,
            series,
            bar_label,
        } => ranges::draw(root, [title, x_label], rows, series, bar_label.as_deref())?,
        Chart::Tornado {
            title,
            x_label,
            base,
            rows,
        } => tornado::draw(root, title, x_label, *base, rows)?,
    }
    root.present().map_err(msg)
}

/// A filled bar with a dark outline; odd series are hatched with vertical lines.
pub(super) fn bar<DB: DrawingBackend>(
    plot: &Plot<'_, DB>,
    [x0, x1, y0, y1]: [f64; 4],
    k: usize,
    vertical_hatch: bool,
) -> Result<(), String> {
    let c = color(k);
    let area = plot.plotting_area();
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled()))
        .map_err(msg)?;
    if k % 2 == 1 {
        let ink = RGBColor(40, 40, 40).mix(0.6).stroke_width(1);
        // hatch lines about every 5 pixels
        let (px0, py0) = area.map_coordinate(&(x0, y0));
        let (px1, py1) = area.map_coordinate(&(x1, y1));
        if vertical_hatch {
            let n = ((px1 - px0).abs() / 5).max(2);
            for i in 1..n {
                let x = x0 + (x1 - x0) * i as f64 / n as f64;
                area.draw(&PathElement::new(vec![(x, y0), (x, y1)], ink))
                    .map_err(msg)?;
            }
        } else {
            let n = ((py1 - py0).abs() / 5).max(2);
            for i in 1..n {
                let y = y0 + (y1 - y0) * i as f64 / n as f64;
                area.draw(&PathElement::new(vec![(x0, y), (x1, y)], ink))
                    .map_err(msg)?;
            }
        }
    }
    area.draw(&Rectangle::new(
        [(x0, y0), (x1, y1)],
        RGBColor(50, 50, 50).stroke_width(1),
    ))
    .map_err(msg)
}
