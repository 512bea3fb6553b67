//! Bar charts: one bar per series in each category, grouped side by side or
//! stacked.

use super::axes::{category_plot, legend_origin};
use super::draw::bar;
use super::legend::{Key, draw_legend, legend_width};
use plotters::coord::Shift;
use plotters::prelude::*;

/// `values[series][category]`, 0 where missing.
fn value(values: &[Vec<f64>], s: usize, c: usize) -> f64 {
    values.get(s).and_then(|v| v.get(c)).copied().unwrap_or(0.0)
}

/// Top of the value axis: the highest stack, or the highest bar.
fn top(values: &[Vec<f64>], categories: usize, series: usize, stacked: bool) -> f64 {
    if stacked {
        (0..categories)
            .map(|c| {
                (0..series)
                    .map(|s| value(values, s, c).max(0.0))
                    .sum::<f64>()
            })
            .fold(0.0, f64::max)
    } else {
        values.iter().flatten().cloned().fold(0.0, f64::max)
    }
}

/// Bars per category, one per series, grouped or stacked, with the legend.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_label: &str,
    categories: &[String],
    series: &[String],
    values: &[Vec<f64>],
    stacked: bool,
) -> Result<(), String> {
    let get = |s: usize, c: usize| value(values, s, c);
    let top = top(values, categories.len(), series.len(), stacked);
    let lw = legend_width(root, series);
    let plot = category_plot(
        root,
        title,
        y_label,
        categories,
        (0.0, top.max(1e-9) * 1.08),
        lw,
    )?;
    let k = series.len().max(1) as f64;
    for s in 0..series.len() {
        for c in 0..categories.len() {
            let v = get(s, c).max(0.0);
            if stacked {
                let below: f64 = (0..s).map(|t| get(t, c).max(0.0)).sum();
                if v > 0.0 {
                    bar(
                        &plot,
                        [c as f64 - 0.32, c as f64 + 0.32, below, below + v],
                        s,
                        false,
                    )?;
                }
            } else {
                let w = 0.8 / k;
                let x0 = c as f64 - 0.4 + w * s as f64;
                bar(&plot, [x0, x0 + w * 0.92, 0.0, v], s, true)?;
            }
        }
    }
    // stacked: the first series at the bottom, so list the legend top-down in reverse
    let mut entries: Vec<(String, Key)> = series
        .iter()
        .enumerate()
        .map(|(s, n)| (n.clone(), Key::Bar(s)))
        .collect();
    if stacked {
        entries.reverse();
    }
    draw_legend(root, legend_origin(root, lw), &entries)
}
