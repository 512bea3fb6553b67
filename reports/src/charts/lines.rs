//! Line charts over a numeric x axis: each series with its own marker, marked
//! points ringed.

use super::axes::{legend_origin, numeric_plot, range_of};
use super::legend::{Key, draw_legend, draw_marker, legend_width, line_color};
use super::{Line, Plot, msg};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The legend: one entry per line, and the ring when a point is marked.
fn entries(lines: &[Line], marked_label: Option<&str>) -> Vec<(String, Key)> {
    let mut entries: Vec<(String, Key)> = lines
        .iter()
        .enumerate()
        .map(|(k, l)| (l.name.clone(), Key::Line(k)))
        .collect();
    if lines.iter().any(|l| l.marked.is_some()) {
        entries.push((marked_label.unwrap_or("chosen").to_string(), Key::Ring));
    }
    entries
}

/// Line `k` and its markers (about 12 on a dense line).
fn draw_line<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: &mut Plot<'_, DB>,
    k: usize,
    l: &Line,
) -> Result<(), String> {
    let c = line_color(k);
    if !l.points_only {
        plot.draw_series(LineSeries::new(l.points.clone(), c.stroke_width(2)))
            .map_err(msg)?;
    }
    let dense = l.points.len() > 30;
    for (i, p) in l.points.iter().enumerate() {
        if dense && i % (l.points.len() / 12).max(1) != 0 {
            continue;
        }
        let px = plot.plotting_area().map_coordinate(p);
        draw_marker(root, px, k, 4, c.filled())?;
    }
    Ok(())
}

/// Lines over a numeric x axis (title, x and y axis labels in this order), then the
/// rings of the marked points and the legend.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    [title, x_label, y_label]: [&str; 3],
    lines: &[Line],
    marked_label: Option<&str>,
) -> Result<(), String> {
    let xs = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0));
    let ys = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1).chain(l.marked.map(|m| m.1)));
    let (x0, x1) = range_of(xs, false);
    let (y0, y1) = range_of(ys, false);
    let entries = entries(lines, marked_label);
    let labels: Vec<String> = entries.iter().map(|e| e.0.clone()).collect();
    let lw = legend_width(root, &labels);
    let mut plot = numeric_plot(root, title, x_label, y_label, (x0, x1), (y0, y1), lw)?;
    for (k, l) in lines.iter().enumerate() {
        draw_line(root, &mut plot, k, l)?;
    }
    for l in lines {
        if let Some(m) = l.marked {
            let px = plot.plotting_area().map_coordinate(&m);
            root.draw(&Circle::new(px, 9, BLACK.stroke_width(2)))
                .map_err(msg)?;
        }
    }
    draw_legend(root, legend_origin(root, lw), &entries)
}
