//! The page's charts, drawn by the reports' chart code as SVG text: the
//! allocation (spend per country by channel), the company retention curves of the
//! baseline and the what-if, and the mean service waits.

use crate::api::Charts;
use omnimix_reports::charts::{Chart, Line, svg_string};
use omnimix_sim::kpis::ServiceKpi;
use omnimix_sim::stats::mean;
use omnimix_sim::{Channel, Scenario};
use omnimix_studies::whatif::Run;

/// An SVG chart, or a short SVG note when it cannot be drawn (never a failed request).
fn svg(chart: &Chart) -> String {
    svg_string(chart).unwrap_or_else(|e| {
        format!(
            "<svg xmlns='http://www.w3.org/2000/svg' width='600' height='40'><text x='4' y='24'>chart not drawn: {}</text></svg>",
            omnimix_reports::html::esc(&e)
        )
    })
}

/// The three charts of a what-if.
pub fn draw(s: &Scenario, run: &Run, baseline_run: &Run) -> Charts {
    Charts {
        allocation: svg(&allocation(s)),
        retention: svg(&retention(run, baseline_run)),
        waits: svg(&waits(run, baseline_run)),
    }
}

/// Annual spend (millions) per country, stacked by channel.
fn allocation(s: &Scenario) -> Chart {
    let codes: Vec<String> = s.countries.keys().cloned().collect();
    let channels: Vec<Channel> = Channel::ALL
        .into_iter()
        .filter(|ch| codes.iter().any(|c| s.strategy.spend_of(c, *ch) > 0.0))
        .collect();
    Chart::Bars {
        title: "Annual spend by country and channel".into(),
        y_label: format!("m {}", s.currency),
        categories: codes.clone(),
        series: channels.iter().map(|c| c.name().to_string()).collect(),
        values: channels
            .iter()
            .map(|ch| {
                codes
                    .iter()
                    .map(|c| s.strategy.spend_of(c, *ch) / 1e6)
                    .collect()
            })
            .collect(),
        stacked: true,
    }
}

fn curve(name: &str, c: &[f64]) -> Line {
    Line {
        name: name.into(),
        points: c
            .iter()
            .enumerate()
            .map(|(w, r)| (w as f64, 100.0 * r))
            .collect(),
        marked: None,
        points_only: false,
    }
}

/// Company retention of the week-0 customers, baseline and what-if.
fn retention(run: &Run, baseline_run: &Run) -> Chart {
    Chart::Lines {
        title: "Retention of the week-0 customers".into(),
        x_label: "week".into(),
        y_label: "still active (%)".into(),
        lines: vec![
            curve("baseline", &baseline_run.retention_curve),
            curve("what-if", &run.retention_curve),
        ],
        marked_label: None,
    }
}

/// Mean wait (minutes) per service channel with contacts, baseline and what-if.
fn waits(run: &Run, baseline_run: &Run) -> Chart {
    let wait = |r: &Run, ch: Channel| {
        let v: Vec<f64> = r
            .kpis
            .iter()
            .filter_map(|k| k.service(ch, ServiceKpi::MeanWaitMin))
            .collect();
        if v.is_empty() { 0.0 } else { mean(&v) }
    };
    let channels = Channel::SERVICE;
    Chart::Bars {
        title: "Mean wait for service".into(),
        y_label: "minutes".into(),
        categories: channels.iter().map(|c| c.name().to_string()).collect(),
        series: vec!["baseline".into(), "what-if".into()],
        values: vec![
            channels.iter().map(|c| wait(baseline_run, *c)).collect(),
            channels.iter().map(|c| wait(run, *c)).collect(),
        ],
        stacked: false,
    }
}
