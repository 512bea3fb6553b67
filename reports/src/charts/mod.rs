//! Charts with plotters, each as SVG and PNG from the same drawing code.
//!
//! Text is laid out and rasterised with an embedded font (DejaVu Sans, licence in
//! `reports/fonts/`), registered with plotters' `ab_glyph` support: PNG output never
//! depends on the fonts installed on the machine, and SVG text measures the same.
//!
//! The colour scheme stays readable in grayscale: the palette alternates dark and
//! light colours, bars have dark outlines and every second bar series is hatched,
//! and each line series has its own marker shape.
//!
//! Files: `kinds.rs` (the chart types and their sizes), `output.rs` (SVG, PNG and
//! the files), `draw.rs` (one chart on any backend, and the bar primitive),
//! `axes.rs`, `legend.rs`, and one file per kind: `bars.rs`, `lines.rs`,
//! `intervals.rs`, `tornado.rs`, `band.rs` (fit), `ranges.rs`.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::sync::Once;

mod axes;
mod band;
mod bars;
mod draw;
mod intervals;
mod kinds;
mod legend;
mod lines;
mod output;
mod ranges;
#[cfg(test)]
mod tests;
mod tornado;

pub use kinds::{Chart, Line, RangeRow, TornadoRow};
pub use output::{
    grouped_bars_svg, intervals_svg, png_bytes, render, render_keeping_svg, svg_string,
};

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

/// A plot with numeric axes.
type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A drawing error as text.
fn msg(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Tick label on an axis from `lo` to `hi`: decimals down to a hundredth of the
/// span (finer than any step plotters puts between ticks), trailing zeros dropped,
/// so two ticks never share a label (48, 48.05, 48.1 — not 48, 48, 48.1, 48.1).
pub fn axis_tick(v: f64, lo: f64, hi: f64) -> String {
    let step = (hi - lo).abs() / 100.0;
    if !(step.is_finite() && step > 0.0) {
        return tick(v);
    }
    let decimals = (-step.log10()).ceil().clamp(0.0, 9.0) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
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
