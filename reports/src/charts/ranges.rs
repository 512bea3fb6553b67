//! Range charts: one row per item (the first on top, names on the left), an
//! optional grey bar per row, and per series an interval with its point.

use super::axes::{legend_origin, range_of};
use super::legend::{Key, draw_legend, draw_marker, legend_width, line_color};
use super::{FONT, Plot, RangeRow, axis_tick, msg};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Fill of the rows' bars.
const BAR: RGBColor = RGBColor(215, 219, 226);

/// The plot: values across, one row per tick down, the names left of the axis.
fn rows_plot<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    (x0, x1): (f64, f64),
    rows: &[RangeRow],
    right: u32,
) -> Result<Plot<'a, DB>, String> {
    let n = rows.len().max(1);
    let font = TextStyle::from((FONT, 12).into_font());
    let names = rows
        .iter()
        .map(|r| {
            root.estimate_text_size(&r.name, &font)
                .map(|s| s.0)
                .unwrap_or(7 * r.name.len() as u32)
        })
        .max()
        .unwrap_or(0);
    let mut plot = ChartBuilder::on(root)
        .caption(title, (FONT, 20, FontStyle::Bold))
        .margin(14)
        .margin_right(14 + right)
        .x_label_area_size(48)
        .y_label_area_size((names + 16).clamp(60, 420))
        .build_cartesian_2d(x0..x1, -0.5..n as f64 - 0.5)
        .map_err(msg)?;
    let label = |y: &f64| {
        let i = y.round();
        if (y - i).abs() < 0.01 && i >= 0.0 && (i as usize) < n {
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

/// Bars, intervals with their points, and the legend (`series` names the marks,
/// `bar_label` the bars).
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    [title, x_label]: [&str; 2],
    rows: &[RangeRow],
    series: &[String],
    bar_label: Option<&str>,
) -> Result<(), String> {
    let values = rows.iter().flat_map(|r| {
        r.bar
            .into_iter()
            .flat_map(|(a, b)| [a, b])
            .chain(r.marks.iter().flatten().flat_map(|m| [m.0, m.1, m.2]))
    });
    let x = range_of(values, false);
    let mut entries: Vec<(String, Key)> = Vec::new();
    if let Some(l) = bar_label {
        entries.push((l.to_string(), Key::Fill(BAR)));
    }
    entries.extend(
        series
            .iter()
            .enumerate()
            .map(|(k, s)| (s.clone(), Key::Line(k))),
    );
    let labels: Vec<String> = entries.iter().map(|e| e.0.clone()).collect();
    let lw = legend_width(root, &labels);
    let mut plot = rows_plot(root, title, x_label, x, rows, lw)?;
    let n = rows.len().max(1);
    let k_all = series.len().max(1);
    for (i, r) in rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        if let Some((a, b)) = r.bar {
            plot.draw_series(std::iter::once(Rectangle::new(
                [(a, y - 0.3), (b, y + 0.3)],
                BAR.filled(),
            )))
            .map_err(msg)?;
        }
        for (k, m) in r.marks.iter().enumerate() {
            let Some((lo, mid, hi)) = *m else { continue };
            // series side by side within the row, the first on top
            let dy = if k_all == 1 {
                0.0
            } else {
                0.2 - 0.4 * k as f64 / (k_all - 1) as f64
            };
            let c = line_color(k);
            plot.draw_series(LineSeries::new(
                vec![(lo.min(mid), y + dy), (hi.max(mid), y + dy)],
                c.stroke_width(3),
            ))
            .map_err(msg)?;
            let px = plot.plotting_area().map_coordinate(&(mid, y + dy));
            draw_marker(root, px, k, 5, c.filled())?;
        }
    }
    draw_legend(root, legend_origin(root, lw), &entries)
}
