//! A chart as SVG text, as PNG bytes, and as files.

use super::draw::draw_chart;
use super::{Chart, ensure_fonts, msg};
use crate::{ReportError, write_atomic};
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// The chart as an SVG document.
pub fn svg_string(chart: &Chart) -> Result<String, String> {
    ensure_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
        draw_chart(chart, &root)?;
    }
    Ok(svg)
}

/// The chart as a PNG image (RGB, 8 bits), text drawn with the embedded font.
pub fn png_bytes(chart: &Chart) -> Result<Vec<u8>, String> {
    ensure_fonts();
    let (w, h) = chart.size();
    let mut rgb = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw_chart(chart, &root)?;
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(msg)?;
        writer.write_image_data(&rgb).map_err(msg)?;
    }
    Ok(out)
}

/// Write `DIR/STEM.svg` and `DIR/STEM.png`, atomically; returns both paths.
pub fn render(chart: &Chart, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, ReportError> {
    render_keeping_svg(chart, dir, stem).map(|(_, files)| files)
}

/// [`render`], and the SVG text written (for a page that inlines the chart).
pub fn render_keeping_svg(
    chart: &Chart,
    dir: &Path,
    stem: &str,
) -> Result<(String, Vec<PathBuf>), ReportError> {
    let svg_path = dir.join(format!("{stem}.svg"));
    let png_path = dir.join(format!("{stem}.png"));
    let svg = svg_string(chart).map_err(|m| ReportError::Encode {
        path: svg_path.clone(),
        message: m,
    })?;
    let png = png_bytes(chart).map_err(|m| ReportError::Encode {
        path: png_path.clone(),
        message: m,
    })?;
    write_atomic(&svg_path, svg.as_bytes())?;
    write_atomic(&png_path, &png)?;
    Ok((svg, vec![svg_path, png_path]))
}

fn write_svg(path: &Path, chart: &Chart) -> Result<(), ReportError> {
    let svg = svg_string(chart).map_err(|m| ReportError::Encode {
        path: path.to_path_buf(),
        message: m,
    })?;
    write_atomic(path, svg.as_bytes())
}

/// Grouped bars as one SVG file: one group per category (x), one bar per series;
/// values in `values[series][category]`.
pub fn grouped_bars_svg(
    path: &Path,
    title: &str,
    y_label: &str,
    categories: &[String],
    series: &[String],
    values: &[Vec<f64>],
) -> Result<(), ReportError> {
    write_svg(
        path,
        &Chart::Bars {
            title: title.into(),
            y_label: y_label.into(),
            categories: categories.to_vec(),
            series: series.to_vec(),
            values: values.to_vec(),
            stacked: false,
        },
    )
}

/// Means with interval whiskers, one per category, as one SVG file.
pub fn intervals_svg(
    path: &Path,
    title: &str,
    y_label: &str,
    categories: &[String],
    mean: &[f64],
    lo: &[f64],
    hi: &[f64],
) -> Result<(), ReportError> {
    write_svg(
        path,
        &Chart::Intervals {
            title: title.into(),
            y_label: y_label.into(),
            categories: categories.to_vec(),
            mean: mean.to_vec(),
            lo: lo.to_vec(),
            hi: hi.to_vec(),
        },
    )
}
