//! Charts with plotters, each as SVG and PNG from the same drawing code.
//!
//! Text is laid out and rasterised with an embedded font (DejaVu Sans, licence in
//! `reports/fonts/`), registered with plotters' `ab_glyph` support: PNG output never
//! depends on the fonts installed on the machine, and SVG text measures the same.
//!
//! The colour scheme stays readable in grayscale: the palette alternates dark and
//! light colours, bars have dark outlines and every second bar series is hatched,
//! and each line series has its own marker shape.

use crate::{ReportError, write_atomic};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Once;

mod draw;
mod legend;

use draw::*;
use legend::*;

/// Alternating dark or mid and light colours (neighbours distinct in lightness, so
/// they survive grayscale printing; odd series are also hatched).
const PALETTE: [RGBColor; 12] = [
    RGBColor(31, 58, 147),
    RGBColor(253, 184, 99),
    RGBColor(230, 97, 1),
    RGBColor(166, 219, 160),
    RGBColor(94, 60, 153),
    RGBColor(128, 205, 193),
    RGBColor(140, 81, 10),
    RGBColor(190, 190, 190),
    RGBColor(27, 120, 55),
    RGBColor(223, 194, 125),
    RGBColor(64, 64, 64),
    RGBColor(201, 148, 199),
];

const FONT: &str = "sans-serif";
static FONT_REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static FONT_BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");
static FONTS: Once = Once::new();

/// Register the embedded font under `sans-serif` (once per process).
fn ensure_fonts() {
    FONTS.call_once(|| {
        // The bytes are a valid font compiled into the binary; a failure would leave
        // text unmeasured, which the drawing then reports as an error.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, FONT_REGULAR);
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, FONT_BOLD);
    });
}

/// Colour of series `i`.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Colour of series `i` as CSS `#rrggbb` (for HTML legends that match the charts).
pub fn css_color(i: usize) -> String {
    let c = color(i);
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// A line (or point set) of a [`Chart::Lines`].
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Legend name.
    pub name: String,
    /// Points (x, y), drawn in this order.
    pub points: Vec<(f64, f64)>,
    /// A point to mark (e.g. the chosen spend), drawn as a large ring.
    pub marked: Option<(f64, f64)>,
    /// Draw markers only, no connecting line.
    pub points_only: bool,
}

/// One bar of a tornado chart: the objective at the low and the high setting.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoRow {
    /// What was varied.
    pub name: String,
    /// Objective at −20 %.
    pub low: f64,
    /// Objective at +20 %.
    pub high: f64,
}

/// A chart's data; [`render`] draws it to SVG and PNG.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Bars per category, one per series (`values[series][category]`), grouped or stacked.
    Bars {
        title: String,
        y_label: String,
        categories: Vec<String>,
        series: Vec<String>,
        values: Vec<Vec<f64>>,
        stacked: bool,
    },
    /// Lines over a numeric x axis.
    Lines {
        title: String,
        x_label: String,
        y_label: String,
        lines: Vec<Line>,
        /// Label of the marked points in the legend (e.g. "chosen plan").
        marked_label: Option<String>,
    },
    /// A mean with its interval per category (a zero line when the range spans 0).
    Intervals {
        title: String,
        y_label: String,
        categories: Vec<String>,
        mean: Vec<f64>,
        lo: Vec<f64>,
        hi: Vec<f64>,
    },
    /// Horizontal bars from the base value to the low and high settings.
    Tornado {
        title: String,
        x_label: String,
        base: f64,
        rows: Vec<TornadoRow>,
    },
}

impl Chart {
    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Chart::Bars {
                categories,
                series,
                stacked,
                ..
            } => {
                let longest = categories
                    .iter()
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0);
                let per = if *stacked { 40 } else { series.len() * 10 + 24 }.max(longest * 6 + 12);
                ((320 + categories.len() * per).clamp(900, 1600) as u32, 500)
            }
            Chart::Intervals { categories, .. } => {
                ((240 + categories.len() * 95).clamp(900, 1400) as u32, 460)
            }
            Chart::Lines { .. } => (900, 500),
            Chart::Tornado { rows, .. } => (900, (140 + rows.len() as u32 * 40).max(320)),
        }
    }

    /// The chart's title.
    pub fn title(&self) -> &str {
        match self {
            Chart::Bars { title, .. }
            | Chart::Lines { title, .. }
            | Chart::Intervals { title, .. }
            | Chart::Tornado { title, .. } => title,
        }
    }
}

type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn msg(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Tick label: thousands separated, at most two decimals, no trailing zeros.
pub fn tick(v: f64) -> String {
    let a = v.abs();
    let s = if a >= 100.0 || v == v.round() {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn every_kind() -> Vec<Chart> {
        let cats: Vec<String> = vec!["search".into(), "email".into()];
        vec![
            Chart::Bars {
                title: "Shares".into(),
                y_label: "share".into(),
                categories: cats.clone(),
                series: vec!["linear".into(), "truth".into()],
                values: vec![vec![0.6, 0.4], vec![0.9, 0.1]],
                stacked: false,
            },
            Chart::Bars {
                title: "Stacked".into(),
                y_label: "m EUR".into(),
                categories: cats.clone(),
                series: vec!["a".into(), "b".into(), "c".into()],
                values: vec![vec![1.0, 2.0], vec![0.5, 0.0], vec![3.0, 1.0]],
                stacked: true,
            },
            Chart::Lines {
                title: "Curves".into(),
                x_label: "week".into(),
                y_label: "retention (%)".into(),
                lines: (0..6)
                    .map(|k| Line {
                        name: format!("line {k}"),
                        points: (0..10)
                            .map(|w| (w as f64, 100.0 - (k + w) as f64))
                            .collect(),
                        marked: (k == 0).then_some((3.0, 97.0)),
                        points_only: k == 5,
                    })
                    .collect(),
                marked_label: Some("chosen plan".into()),
            },
            Chart::Intervals {
                title: "Diff".into(),
                y_label: "points".into(),
                categories: cats,
                mean: vec![1.0, -2.0],
                lo: vec![0.5, -2.5],
                hi: vec![1.5, -1.5],
            },
            Chart::Tornado {
                title: "Sensitivity".into(),
                x_label: "retention (%)".into(),
                base: 50.0,
                rows: vec![
                    TornadoRow {
                        name: "media cost".into(),
                        low: 52.0,
                        high: 48.0,
                    },
                    TornadoRow {
                        name: "patience".into(),
                        low: 49.0,
                        high: 50.5,
                    },
                ],
            },
        ]
    }

    #[test]
    fn every_kind_renders_as_svg_and_png_of_the_right_size() {
        let dir = tempfile::tempdir().unwrap();
        for (i, chart) in every_kind().iter().enumerate() {
            let files = render(chart, dir.path(), &format!("c{i}")).unwrap();
            let svg = std::fs::read_to_string(&files[0]).unwrap();
            assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
            assert!(svg.contains(chart.title()));
            let png = std::fs::read(&files[1]).unwrap();
            let decoder = png::Decoder::new(std::io::Cursor::new(png));
            let reader = decoder.read_info().unwrap();
            let (w, h) = chart.size();
            assert_eq!((reader.info().width, reader.info().height), (w, h));
        }
    }

    #[test]
    fn png_has_text_drawn_with_the_embedded_font() {
        // the title area of a chart with a title has dark pixels; without a font it
        // would stay white
        let chart = &every_kind()[0];
        let png = png_bytes(chart).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        let w = info.width as usize;
        let dark = (0..30 * w).filter(|i| buf[i * 3] < 100).count();
        assert!(dark > 20, "title pixels: {dark}");
    }

    #[test]
    fn legacy_svg_writers_keep_their_labels() {
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

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(1234.0), "1234");
        assert_eq!(tick(12.5), "12.5");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(2.0), "2");
    }
}
