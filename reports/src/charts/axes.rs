//! Axes: value ranges, a plot with numeric axes, a plot with one category per
//! tick, and where the legend column starts.

use super::{FONT, Plot, axis_tick, msg};
use plotters::coord::Shift;
use plotters::prelude::*;

pub(super) fn range_of(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let pad = ((hi - lo) * 0.08)
        .max(hi.abs().max(lo.abs()) * 1e-3)
        .max(1e-9);
    (
        if include_zero && lo >= 0.0 {
            0.0
        } else {
            lo - pad
        },
        hi + pad,
    )
}

pub(super) fn numeric_plot<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    x: (f64, f64),
    y: (f64, f64),
    right: u32,
) -> Result<Plot<'a, DB>, String> {
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 20, FontStyle::Bold))
        .margin(14)
        .margin_right(14 + right)
        .x_label_area_size(48)
        .y_label_area_size(78)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)
        .map_err(msg)?;
    chart
        .configure_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .x_desc(x_label)
        .y_desc(y_label)
        .axis_desc_style((FONT, 14))
        .label_style((FONT, 12))
        .x_label_formatter(&|v| axis_tick(*v, x.0, x.1))
        .y_label_formatter(&|v| axis_tick(*v, y.0, y.1))
        .draw()
        .map_err(msg)?;
    Ok(chart)
}

pub(super) fn category_plot<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    title: &str,
    y_label: &str,
    categories: &[String],
    y: (f64, f64),
    right: u32,
) -> Result<Plot<'a, DB>, String> {
    let n = categories.len().max(1);
    // the chart is sized so that category labels fit side by side; only very long ones are turned
    let longest = categories
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0);
    let rotate = longest > 24;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 20, FontStyle::Bold))
        .margin(14)
        .margin_right(14 + right)
        .x_label_area_size(if rotate { 100 } else { 40 })
        .y_label_area_size(78)
        .build_cartesian_2d(-0.5..n as f64 - 0.5, y.0..y.1)
        .map_err(msg)?;
    let label = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 0.01 && i >= 0.0 {
            categories.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let style = if rotate {
        TextStyle::from((FONT, 12).into_font()).transform(FontTransform::Rotate90)
    } else {
        TextStyle::from((FONT, 12).into_font())
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .x_labels(n)
        .x_label_formatter(&label)
        .x_label_style(style)
        .y_label_style((FONT, 12))
        .y_label_formatter(&|v| axis_tick(*v, y.0, y.1))
        .y_desc(y_label)
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(msg)?;
    Ok(chart)
}

/// Top-left corner of the legend column right of the plot.
pub(super) fn legend_origin<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    width: u32,
) -> (i32, i32) {
    let (w, _) = root.dim_in_pixel();
    (w as i32 - width as i32 + 4, 50)
}
