//! Charts as self-contained SVG (plotters' SVG backend: no fonts or system
//! libraries needed), written atomically like every other file.

use crate::{ReportError, write_atomic};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::path::Path;

/// A colour scheme that stays distinguishable in grayscale (varying lightness).
const PALETTE: [RGBColor; 12] = [
    RGBColor(31, 58, 147),
    RGBColor(230, 97, 1),
    RGBColor(94, 60, 153),
    RGBColor(253, 184, 99),
    RGBColor(27, 120, 55),
    RGBColor(166, 219, 160),
    RGBColor(140, 81, 10),
    RGBColor(223, 194, 125),
    RGBColor(1, 102, 94),
    RGBColor(128, 205, 193),
    RGBColor(64, 64, 64),
    RGBColor(190, 190, 190),
];

fn draw_error(path: &Path, e: impl std::fmt::Display) -> ReportError {
    ReportError::Encode {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

type CategoryChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart with one labelled category per integer x (0, 1, …) and a y axis over
/// `y`, its mesh drawn.
fn category_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    path: &Path,
    title: &str,
    y_label: &str,
    categories: &[String],
    y: std::ops::Range<f64>,
) -> Result<CategoryChart<'a, 'b>, ReportError> {
    let n = categories.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..n as f64 - 0.5, y)
        .map_err(|e| draw_error(path, e))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 0.01 && i >= 0.0 {
                categories.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_label_style(("sans-serif", 11))
        .y_desc(y_label)
        .draw()
        .map_err(|e| draw_error(path, e))?;
    Ok(chart)
}

/// Grouped bars: one group per category (x), one bar per series; values in `values[series][category]`.
pub fn grouped_bars_svg(
    path: &Path,
    title: &str,
    y_label: &str,
    categories: &[String],
    series: &[String],
    values: &[Vec<f64>],
) -> Result<(), ReportError> {
    let mut svg = String::new();
    {
        let width = (160 + categories.len() * (series.len() * 9 + 24)).max(720) as u32;
        let root = SVGBackend::with_string(&mut svg, (width, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_error(path, e))?;
        let ymax = values
            .iter()
            .flatten()
            .cloned()
            .fold(0.0f64, f64::max)
            .max(1e-9)
            * 1.1;
        let mut chart = category_chart(&root, path, title, y_label, categories, 0.0..ymax)?;
        let k = series.len().max(1) as f64;
        let bar = 0.8 / k;
        for (s, name) in series.iter().enumerate() {
            let color = PALETTE[s % PALETTE.len()];
            let vals = values.get(s).cloned().unwrap_or_default();
            chart
                .draw_series(vals.iter().enumerate().map(|(c, v)| {
                    let x0 = c as f64 - 0.4 + bar * s as f64;
                    Rectangle::new([(x0, 0.0), (x0 + bar * 0.9, v.max(0.0))], color.filled())
                }))
                .map_err(|e| draw_error(path, e))?
                .label(name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(|e| draw_error(path, e))?;
        root.present().map_err(|e| draw_error(path, e))?;
    }
    write_atomic(path, svg.as_bytes())
}

/// Means with interval whiskers, one per category.
pub fn intervals_svg(
    path: &Path,
    title: &str,
    y_label: &str,
    categories: &[String],
    mean: &[f64],
    lo: &[f64],
    hi: &[f64],
) -> Result<(), ReportError> {
    let mut svg = String::new();
    {
        let width = (160 + categories.len() * 95).max(720) as u32;
        let root = SVGBackend::with_string(&mut svg, (width, 440)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_error(path, e))?;
        let top = hi.iter().chain(mean).cloned().fold(f64::MIN, f64::max);
        let bottom = lo.iter().chain(mean).cloned().fold(f64::MAX, f64::min);
        let pad = ((top - bottom).abs() * 0.1).max(1e-9);
        let mut chart = category_chart(
            &root,
            path,
            title,
            y_label,
            categories,
            (bottom - pad)..(top + pad),
        )?;
        let color = PALETTE[0];
        chart
            .draw_series(mean.iter().enumerate().map(|(i, m)| {
                ErrorBar::new_vertical(
                    i as f64,
                    lo[i].min(*m),
                    *m,
                    hi[i].max(*m),
                    color.filled(),
                    10,
                )
            }))
            .map_err(|e| draw_error(path, e))?;
        chart
            .draw_series(
                mean.iter()
                    .enumerate()
                    .map(|(i, m)| Circle::new((i as f64, *m), 4, color.filled())),
            )
            .map_err(|e| draw_error(path, e))?;
        root.present().map_err(|e| draw_error(path, e))?;
    }
    write_atomic(path, svg.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_valid_svg_with_labels() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.svg");
        let cats = vec!["search".to_string(), "email".to_string()];
        grouped_bars_svg(
            &p,
            "Shares",
            "share",
            &cats,
            &["linear".into(), "truth".into()],
            &[vec![0.6, 0.4], vec![0.9, 0.1]],
        )
        .unwrap();
        let svg = std::fs::read_to_string(&p).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        for label in ["Shares", "search", "email", "linear", "truth", "share"] {
            assert!(svg.contains(label), "{label}");
        }
        let q = dir.path().join("b.svg");
        intervals_svg(
            &q,
            "ROI",
            "roi",
            &cats,
            &[1.0, 2.0],
            &[0.9, 1.8],
            &[1.1, 2.2],
        )
        .unwrap();
        let svg = std::fs::read_to_string(&q).unwrap();
        assert!(svg.contains("ROI") && svg.contains("<circle"));
    }
}
