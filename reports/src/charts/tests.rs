//! Tests of the charts: every kind as SVG and PNG, fonts, legacy writers, ticks.

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
        Chart::Fit {
            title: "Fit".into(),
            x_label: "week".into(),
            y_label: "orders".into(),
            x: (0..20).map(f64::from).collect(),
            observed: (0..20).map(|w| 100.0 + f64::from(w % 5)).collect(),
            fitted: (0..20).map(|w| 101.0 + f64::from(w) * 0.1).collect(),
            lo: (0..20).map(|w| 98.0 + f64::from(w) * 0.1).collect(),
            hi: (0..20).map(|w| 104.0 + f64::from(w) * 0.1).collect(),
            shaded_from: Some(15.5),
        },
        Chart::Ranges {
            title: "Parameters".into(),
            x_label: "position in the prior range".into(),
            rows: vec![
                RangeRow {
                    name: "channels.search.conversion".into(),
                    bar: Some((0.0, 1.0)),
                    marks: vec![Some((0.2, 0.3, 0.45)), None],
                },
                RangeRow {
                    name: "behaviour.churn".into(),
                    bar: None,
                    marks: vec![Some((0.5, 0.6, 0.7)), Some((0.4, 0.55, 0.9))],
                },
            ],
            series: vec!["posterior".into(), "other".into()],
            bar_label: Some("prior range".into()),
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
fn ticks_of_a_narrow_axis_are_all_different() {
    // an axis from 47.98 to 48.12 with a tick every 0.02 (as plotters places them)
    let (lo, hi) = (47.98, 48.12);
    let labels: Vec<String> = (0..8)
        .map(|i| axis_tick(47.98 + 0.02 * f64::from(i), lo, hi))
        .collect();
    let mut unique = labels.clone();
    unique.dedup();
    assert_eq!(unique, labels, "repeated tick labels: {labels:?}");
    assert_eq!(labels[1], "48");
    assert_eq!(labels[2], "48.02");
    // a wide axis keeps whole numbers
    assert_eq!(axis_tick(250_000.0, 0.0, 1e6), "250000");
    assert_eq!(axis_tick(0.5, 0.0, 1.0), "0.5");
    // the same through a chart: the SVG's labels of a narrow range are distinct
    let chart = Chart::Intervals {
        title: "t".into(),
        y_label: "y".into(),
        categories: vec!["a".into(), "b".into()],
        mean: vec![48.02, 48.06],
        lo: vec![48.0, 48.04],
        hi: vec![48.04, 48.08],
    };
    let svg = svg_string(&chart).unwrap();
    let texts: Vec<&str> = svg
        .split("<text")
        .skip(1)
        .filter_map(|t| t.split('>').nth(1)?.split('<').next())
        .map(str::trim)
        .filter(|t| t.parse::<f64>().is_ok())
        .collect();
    assert!(texts.len() >= 4, "{texts:?}");
    let mut sorted = texts.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), texts.len(), "repeated tick labels: {texts:?}");
}

#[test]
fn ticks_are_short() {
    assert_eq!(tick(1234.0), "1234");
    assert_eq!(tick(12.5), "12.5");
    assert_eq!(tick(0.25), "0.25");
    assert_eq!(tick(2.0), "2");
}
