//! Legends and series markers (shape, colour, hatching) of the charts.

use super::{FONT, color, msg};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Draw the marker of series `k` at pixel `c` on `root`.
pub(super) fn draw_marker<DB: DrawingBackend>(
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
pub(super) enum Key {
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
    /// A filled area of this colour (a band, a shaded span).
    Fill(RGBColor),
    /// The marker of series k alone (points without a line).
    Marker(usize),
}

pub(super) const LEGEND_FONT: u32 = 13;

/// Width of the legend column for these labels.
pub(super) fn legend_width<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    labels: &[String],
) -> u32 {
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
pub(super) fn draw_legend<DB: DrawingBackend>(
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
            Key::Fill(c) => root
                .draw(&Rectangle::new([(x, cy - 6), (x + 18, cy + 6)], c.filled()))
                .map_err(msg)?,
            Key::Marker(k) => draw_marker(root, (x + 9, cy), k, 4, line_color(k).filled())?,
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
pub(super) fn line_color(k: usize) -> RGBColor {
    const ORDER: [usize; 8] = [0, 2, 4, 8, 6, 10, 1, 3];
    color(ORDER[k % ORDER.len()])
}
