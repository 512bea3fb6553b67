//! Tornado charts: horizontal bars from the base value to the low and the high
//! setting of each row, the first row on top, the base as a black rule.

use super::axes::{legend_origin, range_of};
use super::draw::bar;
use super::legend::{Key, draw_legend, legend_width};
use super::{FONT, Plot, TornadoRow, axis_tick, msg};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The plot: values across, one row per tick down (names on the left).
fn tornado_plot<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    (x0, x1): (f64, f64),
    rows: &[TornadoRow],
    right: u32,
) -> Result<Plot<'a, DB>, String> {
    let n = rows.len().max(1);
    let mut plot = ChartBuilder::on(root)
        .caption(title, (FONT, 20, FontStyle::Bold))
        .margin(14)
        .margin_right(14 + right)
        .x_label_area_size(48)
        .y_label_area_size(200)
        .build_cartesian_2d(x0..x1, -0.5..n as f64 - 0.5)
        .map_err(msg)?;
    let label = |y: &f64| {
        let i = y.round();
        if (y - i).abs() < 0.01 && i >= 0.0 && (i as usize) < n {
            // the first row on top
            rows.get(n - 1 - i as usize)
                .map(|r| r.name.clone())
                .unwrap_or_default()
        } else {
            String::new()
        }
    };
    plot.configure_mesh()
        .disable_y_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .y_labels(n)
        .y_label_formatter(&label)
        .x_label_formatter(&|v| axis_tick(*v, x0, x1))
        .label_style((FONT, 12))
        .x_desc(x_label)
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(msg)?;
    Ok(plot)
}

/// Low (−20 %) and high (+20 %) bars around `base` per row, the base rule, the legend.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    base: f64,
    rows: &[TornadoRow],
) -> Result<(), String> {
    let x = range_of(
        rows.iter()
            .flat_map(|r| [r.low, r.high])
            .chain(std::iter::once(base)),
        false,
    );
    let n = rows.len().max(1);
    let entries = vec![
        ("as planned (search scale)".to_string(), Key::Rule),
        ("assumption −20 %".to_string(), Key::Bar(0)),
        ("assumption +20 %".to_string(), Key::Bar(1)),
    ];
    let labels: Vec<String> = entries.iter().map(|e| e.0.clone()).collect();
    let lw = legend_width(root, &labels);
    let mut plot = tornado_plot(root, title, x_label, x, rows, lw)?;
    for (i, r) in rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        for (k, v) in [(0usize, r.low), (1, r.high)] {
            let (a, b) = if v < base { (v, base) } else { (base, v) };
            let (ya, yb) = if k == 0 { (y, y + 0.36) } else { (y - 0.36, y) };
            bar(&plot, [a, b, ya, yb], k, true)?;
        }
    }
    plot.draw_series(LineSeries::new(
        vec![(base, -0.5), (base, n as f64 - 0.5)],
        BLACK.stroke_width(2),
    ))
    .map_err(msg)?;
    draw_legend(root, legend_origin(root, lw), &entries)
}
