//! `omnimix report` and the report files of `optimize` and `simulate`: the workbook
//! and its CSV copies, every chart as valid SVG and PNG, a self-contained HTML.

use crate::util::*;
use calamine::{Data, Reader, Xlsx, open_workbook};
use std::fs;
use std::path::Path;

const SECTIONS: [&str; 7] = [
    "Summary",
    "Plan",
    "Countries",
    "Channels",
    "Service",
    "Risk",
    "Assumptions",
];

fn optimize(d: &Dir, out: &str) -> std::process::Output {
    run_small(
        d,
        "optimize",
        out,
        &[
            "--evals",
            "40",
            "--search-scale",
            "2",
            "--replications",
            "2",
        ],
    )
}

/// Width and height attributes of an SVG document's root.
fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let key = format!(" {name}=\"");
        let start = svg.find(&key).expect("attribute") + key.len();
        let end = start + svg[start..].find('"').unwrap();
        svg[start..end].parse().unwrap()
    };
    (attr("width"), attr("height"))
}

/// The chart STEM exists as well-formed SVG and as a PNG of the same size.
pub fn assert_chart(dir: &Path, stem: &str) {
    let svg = fs::read_to_string(dir.join(format!("{stem}.svg")))
        .unwrap_or_else(|e| panic!("{stem}.svg: {e}"));
    assert!(
        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "{stem}.svg"
    );
    let mut reader = quick_xml::Reader::from_str(&svg);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{stem}.svg is not well-formed XML: {e}"),
        }
    }
    let png = fs::read(dir.join(format!("{stem}.png"))).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{stem}.png signature");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap_or_else(|e| panic!("{stem}.png: {e}"));
    let mut buf = vec![0; decoder.output_buffer_size()];
    let info = decoder.next_frame(&mut buf).unwrap();
    assert_eq!(
        (info.width, info.height),
        svg_size(&svg),
        "{stem}: PNG size"
    );
    // not a blank image
    assert!(buf.iter().any(|b| *b < 128), "{stem}.png has ink");
}

/// report.html has every section (`Heading`, or `id=Heading`) and nothing it would fetch.
pub fn assert_self_contained_report(html: &str, sections: &[&str]) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    for s in sections {
        let (id, s) = s.split_once('=').unwrap_or(("", s));
        let id = if id.is_empty() {
            s.to_lowercase()
        } else {
            id.to_string()
        };
        assert!(
            html.contains(&format!("<section id=\"{id}\">\n<h2>{s}</h2>")),
            "section {s}"
        );
    }
    for bad in ["http://", "https://", "src=", "url(", "\"//", "@import"] {
        assert!(!html.contains(bad), "report.html contains {bad:?}");
    }
    assert!(html.matches("<svg").count() >= 1, "inline charts");
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(x) => *x,
        Data::Int(x) => *x as f64,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn optimize_writes_the_workbook_its_csv_copies_every_chart_and_the_report() {
    let d = Dir::new();
    let o = optimize(&d, "o");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = d.join("o");
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();

    // workbook: the sheets, totals equal to the sum of the rows, numbers from summary.json
    let mut wb: Xlsx<_> = open_workbook(out.join("budget.xlsx")).unwrap();
    let sheets = [
        "Summary",
        "By country",
        "By channel",
        "Country x channel",
        "Staffing",
        "Integration",
        "Assumptions",
    ];
    assert_eq!(wb.sheet_names(), sheets.map(String::from).to_vec());
    for name in ["By country", "By channel", "Country x channel", "Staffing"] {
        let r = wb.worksheet_range(name).unwrap();
        let rows: Vec<&[Data]> = r.rows().collect();
        let total = rows.last().unwrap();
        assert_eq!(total[0], Data::String("Total".into()), "{name}");
        for (c, cell) in total.iter().enumerate().skip(1) {
            if matches!(cell, Data::Float(_) | Data::Int(_)) {
                let sum: f64 = rows[1..rows.len() - 1]
                    .iter()
                    .map(|row| number(&row[c]))
                    .sum();
                assert!(
                    (number(cell) - sum).abs() <= 1e-6 * sum.abs().max(1.0),
                    "{name} column {c}: total {cell:?} vs sum {sum}"
                );
            }
        }
        // the CSV copy has the same header and rows (without the total)
        let stem = name.to_lowercase().replace(' ', "_");
        let csv = fs::read_to_string(out.join(format!("budget_{stem}.csv"))).unwrap();
        assert_eq!(csv.lines().count(), rows.len() - 1, "{name} csv rows");
        let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
        assert_eq!(
            csv.lines().next().unwrap(),
            header.join(","),
            "{name} csv header"
        );
    }
    let s = wb.worksheet_range("Summary").unwrap();
    // SMALL runs 20 weeks: retention is the horizon's
    for (row, key) in [(2, "retention_horizon"), (4, "roi"), (8, "revenue")] {
        for (col, who) in [(1, "plan"), (2, "current"), (3, "equal_split")] {
            let want = summary[who][key]["mean"].as_f64().unwrap();
            let got = number(s.get((row, col)).unwrap());
            assert_eq!(got, want, "Summary {key} {who}");
        }
    }
    let diff = summary["difference_vs_current"]["retention"]["mean"]
        .as_f64()
        .unwrap();
    assert_eq!(number(s.get((2, 4)).unwrap()), diff);
    for f in [
        "budget_summary.csv",
        "budget_assumptions.csv",
        "allocation.csv",
        "retention_curves.csv",
        "response_curves.csv",
        "staffing_curve.csv",
        "sensitivity.csv",
    ] {
        let text = fs::read_to_string(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(text.lines().count() > 1, "{f} has rows");
    }

    // every chart, SVG and PNG
    for stem in [
        "allocation",
        "plan_vs_current",
        "retention_countries",
        "retention_integration",
        "response_curves",
        "staffing_curve",
        "pareto",
        "sensitivity",
    ] {
        assert_chart(&out.join("charts"), stem);
    }
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert_self_contained_report(&html, &SECTIONS);
    assert!(html.contains(" EUR"), "money in the scenario's currency");
    // the figures of the analysis runs say they are coarse estimates, and the
    // tornado's base is told apart from the summary's figure of the same plan
    assert!(
        html.matches("coarse estimate (search scale: ").count() >= 3,
        "curves, trade-off and tornado labelled"
    );
    assert!(
        html.contains("comes from 2 fresh replications at full resolution; compare the bars"),
        "the tornado names the summary's figure"
    );

    // `report DIR` redraws the same report from the files alone
    fs::remove_dir_all(out.join("charts")).unwrap();
    fs::remove_file(out.join("report.html")).unwrap();
    let o = run(&["report", out.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(out.join("report.html")).unwrap(), html);
    assert_chart(&out.join("charts"), "sensitivity");
}

#[test]
fn no_report_skips_the_analysis() {
    let d = Dir::new();
    let o = run_small(
        &d,
        "optimize",
        "o",
        &[
            "--evals",
            "20",
            "--search-scale",
            "2",
            "--replications",
            "2",
            "--no-report",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(d.join("o/budget.xlsx").exists());
    assert!(!d.join("o/report.html").exists());
    assert!(!d.join("o/sensitivity.csv").exists());
    // report DIR still draws what plan.csv and summary.json allow
    let o = run(&["report", d.join("o").to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_chart(&d.join("o/charts"), "allocation");
    let html = fs::read_to_string(d.join("o/report.html")).unwrap();
    assert_self_contained_report(&html, &SECTIONS);
}

#[test]
fn pareto_front_is_charted_from_pareto_csv() {
    let d = Dir::new();
    let o = run_small(
        &d,
        "optimize",
        "p",
        &[
            "--objective",
            "pareto",
            "--evals",
            "40",
            "--search-scale",
            "2",
            "--replications",
            "2",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_chart(&d.join("p/charts"), "pareto");
    let svg = fs::read_to_string(d.join("p/charts/pareto.svg")).unwrap();
    assert!(svg.contains("Pareto front"));
}

#[test]
fn simulate_writes_a_report_and_report_redraws_it_with_attribution() {
    let d = Dir::new();
    let o = run_small(&d, "simulate", "s", &["--journeys"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = d.join("s");
    // with journeys, the report attributes them and compares the models
    for stem in [
        "allocation",
        "retention_countries",
        "service_wait",
        "attribution",
    ] {
        assert_chart(&out.join("charts"), stem);
    }
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert_self_contained_report(&html, &SECTIONS);
    assert!(html.contains("Attribution"));
    // report DIR redraws it from the files
    fs::remove_file(out.join("attribution.csv")).unwrap();
    fs::remove_dir_all(out.join("charts")).unwrap();
    let o = run(&["report", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("attribution.csv"));
    assert_chart(&out.join("charts"), "attribution");
    assert_eq!(fs::read_to_string(out.join("report.html")).unwrap(), html);
}

#[test]
fn report_of_a_folder_that_is_not_an_output_is_bad_input() {
    let d = Dir::new();
    let o = run(&["report", d.join("nowhere").to_str().unwrap()]);
    assert_bad_input(&o, &["no summary.json"]);
    d.file("summary.json", "{ not json");
    let o = run(&["report", d.path().to_str().unwrap()]);
    assert_bad_input(&o, &["summary.json", "not valid JSON"]);
    d.file("summary.json", "{\"x\": 1}");
    let o = run(&["report", d.path().to_str().unwrap()]);
    assert_bad_input(&o, &["neither a simulate nor an optimize summary"]);
}

#[test]
fn an_io_error_prints_its_cause_once() {
    let d = Dir::new();
    let o = run_small(&d, "simulate", "out", &["--replications", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // a folder where report.html goes: writing the report fails with an OS error
    let blocked = d.join("out").join("report.html");
    fs::remove_file(&blocked).unwrap();
    fs::create_dir_all(blocked.join("inside")).unwrap();
    let o = run(&["report", d.join("out").to_str().unwrap(), "-q"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let cause = "(os error ";
    assert_eq!(err.matches(cause).count(), 1, "the cause once:\n{err}");
    assert!(err.contains("report.html"), "{err}");
}
