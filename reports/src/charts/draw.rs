//! Drawing a chart on any plotters backend: axes, bars, lines, tornado.

use super::*;

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

#[allow(clippy::too_many_arguments)]
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
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
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
        .y_label_formatter(&|v| tick(*v))
        .y_desc(y_label)
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(msg)?;
    Ok(chart)
}

/// A filled bar with a dark outline; odd series are hatched with vertical lines.
pub(super) fn bar<DB: DrawingBackend>(
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
pub(super) fn legend_origin<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    width: u32,
) -> (i32, i32) {
    let (w, _) = root.dim_in_pixel();
    (w as i32 - width as i32 + 4, 50)
}

pub(super) fn draw_chart<DB: DrawingBackend>(
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
