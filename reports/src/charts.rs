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
static FONT_REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static FONT_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");
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

fn range_of(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
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

/// Draw the marker of series `k` at pixel `c` on `root`.
fn draw_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: (i32, i32),
    k: usize,
    s: i32,
    style: ShapeStyle,
) -> Result<(), String> {
    let (x, y) = c;
    match k % 5 {
        0 => root.draw(&Circle::new(c, s, style)),
        1 => root.draw(&TriangleMarker::new(c, s + 1, style)),
        2 => root.draw(&Rectangle::new([(x - s, y - s), (x + s, y + s)], style)),
        3 => root.draw(&Polygon::new(
            vec![
                (x, y - s - 1),
                (x + s + 1, y),
                (x, y + s + 1),
                (x - s - 1, y),
            ],
            style,
        )),
        _ => root.draw(&Cross::new(c, s, style.stroke_width(2))),
    }
    .map_err(msg)
}

/// What a legend entry shows.
#[derive(Clone, Copy)]
enum Key {
    /// A bar of series k (hatched when k is odd).
    Bar(usize),
    /// A line of series k with its marker.
    Line(usize),
    /// The ring around a marked point.
    Ring,
    /// A black vertical rule.
    Rule,
    /// A mean with its interval whisker.
    Whisker,
}

const LEGEND_FONT: u32 = 13;

/// Width of the legend column for these labels.
fn legend_width<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, labels: &[String]) -> u32 {
    let font = TextStyle::from((FONT, LEGEND_FONT).into_font());
    labels
        .iter()
        .map(|l| {
            root.estimate_text_size(l, &font)
                .map(|s| s.0)
                .unwrap_or(8 * l.len() as u32)
        })
        .max()
        .unwrap_or(0)
        + 44
}

/// Draw a legend column with its top-left corner at (x, y) in pixels.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    entries: &[(String, Key)],
) -> Result<(), String> {
    let ink = RGBColor(50, 50, 50);
    for (i, (label, key)) in entries.iter().enumerate() {
        let cy = y + 10 + i as i32 * 22;
        match *key {
            Key::Bar(k) => {
                root.draw(&Rectangle::new(
                    [(x, cy - 6), (x + 18, cy + 6)],
                    color(k).filled(),
                ))
                .map_err(msg)?;
                if k % 2 == 1 {
                    for hx in [x + 5, x + 9, x + 13] {
                        root.draw(&PathElement::new(
                            vec![(hx, cy - 6), (hx, cy + 6)],
                            ink.stroke_width(1),
                        ))
                        .map_err(msg)?;
                    }
                }
                root.draw(&Rectangle::new(
                    [(x, cy - 6), (x + 18, cy + 6)],
                    ink.stroke_width(1),
                ))
                .map_err(msg)?;
            }
            Key::Line(k) => {
                let c = line_color(k);
                root.draw(&PathElement::new(
                    vec![(x - 2, cy), (x + 20, cy)],
                    c.stroke_width(2),
                ))
                .map_err(msg)?;
                draw_marker(root, (x + 9, cy), k, 4, c.filled())?;
            }
            Key::Ring => root
                .draw(&Circle::new((x + 9, cy), 8, BLACK.stroke_width(2)))
                .map_err(msg)?,
            Key::Rule => root
                .draw(&PathElement::new(
                    vec![(x + 9, cy - 8), (x + 9, cy + 8)],
                    BLACK.stroke_width(2),
                ))
                .map_err(msg)?,
            Key::Whisker => {
                let c = color(0);
                root.draw(&PathElement::new(
                    vec![(x + 9, cy - 8), (x + 9, cy + 8)],
                    c.stroke_width(2),
                ))
                .map_err(msg)?;
                root.draw(&Circle::new((x + 9, cy), 4, c.filled()))
                    .map_err(msg)?;
            }
        }
        root.draw(&Text::new(
            label.clone(),
            (x + 28, cy - LEGEND_FONT as i32 / 2 - 1),
            (FONT, LEGEND_FONT),
        ))
        .map_err(msg)?;
    }
    Ok(())
}

/// Colour of line series k: every other palette colour (the dark ones first), so
/// neighbouring lines differ in lightness too.
fn line_color(k: usize) -> RGBColor {
    const ORDER: [usize; 8] = [0, 2, 4, 8, 6, 10, 1, 3];
    color(ORDER[k % ORDER.len()])
}

#[allow(clippy::too_many_arguments)]
fn numeric_plot<'a, DB: DrawingBackend>(
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
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .draw()
        .map_err(msg)?;
    Ok(chart)
}

fn category_plot<'a, DB: DrawingBackend>(
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
        .y_label_formatter(&|v| tick(*v))
        .y_desc(y_label)
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(msg)?;
    Ok(chart)
}

/// A filled bar with a dark outline; odd series are hatched with vertical lines.
fn bar<DB: DrawingBackend>(
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

/// Top-left corner of the legend column right of the plot.
fn legend_origin<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, width: u32) -> (i32, i32) {
    let (w, _) = root.dim_in_pixel();
    (w as i32 - width as i32 + 4, 50)
}

fn draw_chart<DB: DrawingBackend>(
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
        } => {
            let get =
                |s: usize, c: usize| values.get(s).and_then(|v| v.get(c)).copied().unwrap_or(0.0);
            let top = if *stacked {
                (0..categories.len())
                    .map(|c| (0..series.len()).map(|s| get(s, c).max(0.0)).sum::<f64>())
                    .fold(0.0, f64::max)
            } else {
                values.iter().flatten().cloned().fold(0.0, f64::max)
            };
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
                    if *stacked {
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
            if *stacked {
                entries.reverse();
            }
            draw_legend(root, legend_origin(root, lw), &entries)?;
        }
        Chart::Lines {
            title,
            x_label,
            y_label,
            lines,
            marked_label,
        } => {
            let xs = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0));
            let ys = lines
                .iter()
                .flat_map(|l| l.points.iter().map(|p| p.1).chain(l.marked.map(|m| m.1)));
            let (x0, x1) = range_of(xs, false);
            let (y0, y1) = range_of(ys, false);
            let mut entries: Vec<(String, Key)> = lines
                .iter()
                .enumerate()
                .map(|(k, l)| (l.name.clone(), Key::Line(k)))
                .collect();
            if lines.iter().any(|l| l.marked.is_some()) {
                entries.push((
                    marked_label.clone().unwrap_or_else(|| "chosen".into()),
                    Key::Ring,
                ));
            }
            let labels: Vec<String> = entries.iter().map(|e| e.0.clone()).collect();
            let lw = legend_width(root, &labels);
            let mut plot = numeric_plot(root, title, x_label, y_label, (x0, x1), (y0, y1), lw)?;
            for (k, l) in lines.iter().enumerate() {
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
            }
            for l in lines {
                if let Some(m) = l.marked {
                    let px = plot.plotting_area().map_coordinate(&m);
                    root.draw(&Circle::new(px, 9, BLACK.stroke_width(2)))
                        .map_err(msg)?;
                }
            }
            draw_legend(root, legend_origin(root, lw), &entries)?;
        }
        Chart::Intervals {
            title,
            y_label,
            categories,
            mean,
            lo,
            hi,
        } => {
            let (y0, y1) = range_of(mean.iter().chain(lo).chain(hi).cloned(), false);
            let entries = vec![("mean, 90 % interval".to_string(), Key::Whisker)];
            let lw = legend_width(root, &[entries[0].0.clone()]);
            let mut plot = category_plot(root, title, y_label, categories, (y0, y1), lw)?;
            if y0 < 0.0 && y1 > 0.0 {
                plot.draw_series(LineSeries::new(
                    vec![(-0.5, 0.0), (categories.len() as f64 - 0.5, 0.0)],
                    RGBColor(80, 80, 80).stroke_width(1),
                ))
                .map_err(msg)?;
            }
            let c = color(0);
            plot.draw_series(mean.iter().enumerate().map(|(i, m)| {
                let l = lo.get(i).copied().unwrap_or(*m).min(*m);
                let h = hi.get(i).copied().unwrap_or(*m).max(*m);
                ErrorBar::new_vertical(i as f64, l, *m, h, c.stroke_width(2), 12)
            }))
            .map_err(msg)?;
            plot.draw_series(
                mean.iter()
                    .enumerate()
                    .map(|(i, m)| Circle::new((i as f64, *m), 5, c.filled())),
            )
            .map_err(msg)?;
            draw_legend(root, legend_origin(root, lw), &entries)?;
        }
        Chart::Tornado {
            title,
            x_label,
            base,
            rows,
        } => {
            let (x0, x1) = range_of(
                rows.iter()
                    .flat_map(|r| [r.low, r.high])
                    .chain(std::iter::once(*base)),
                false,
            );
            let n = rows.len().max(1);
            let entries = vec![
                ("as planned".to_string(), Key::Rule),
                ("assumption −20 %".to_string(), Key::Bar(0)),
                ("assumption +20 %".to_string(), Key::Bar(1)),
            ];
            let labels: Vec<String> = entries.iter().map(|e| e.0.clone()).collect();
            let lw = legend_width(root, &labels);
            let mut plot = ChartBuilder::on(root)
                .caption(title, (FONT, 20, FontStyle::Bold))
                .margin(14)
                .margin_right(14 + lw)
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
                .x_label_formatter(&|v| tick(*v))
                .label_style((FONT, 12))
                .x_desc(x_label)
                .axis_desc_style((FONT, 14))
                .draw()
                .map_err(msg)?;
            for (i, r) in rows.iter().enumerate() {
                let y = (n - 1 - i) as f64;
                for (k, v) in [(0usize, r.low), (1, r.high)] {
                    let (a, b) = if v < *base { (v, *base) } else { (*base, v) };
                    let (ya, yb) = if k == 0 { (y, y + 0.36) } else { (y - 0.36, y) };
                    bar(&plot, [a, b, ya, yb], k, true)?;
                }
            }
            plot.draw_series(LineSeries::new(
                vec![(*base, -0.5), (*base, n as f64 - 0.5)],
                BLACK.stroke_width(2),
            ))
            .map_err(msg)?;
            draw_legend(root, legend_origin(root, lw), &entries)?;
        }
    }
    root.present().map_err(msg)
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
    Ok(vec![svg_path, png_path])
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
