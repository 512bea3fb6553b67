//! The charts of a calibration: observed against fitted per series, the
//! parameters against their priors, and the lift tests against the model.

use super::{Calibration, weeks_of};
use crate::ReportError;
use crate::charts::{Chart, RangeRow, render_keeping_svg};
use crate::html;
use omnimix_sim::scenario::calibrate::{Dist, Params};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where the charts go, the files written, and the figure blocks of the page.
pub(super) struct Figures {
    /// One figure per series, in the order of `fit.csv`.
    pub fit: String,
    /// The parameters chart.
    pub parameters: String,
    /// The lift chart (empty without lift tests).
    pub lift: String,
}

/// Render `chart` as `dir/stem.svg` and `.png`, adding them to `written`; returns
/// the figure block.
fn figure(
    dir: &Path,
    written: &mut Vec<PathBuf>,
    stem: &str,
    chart: &Chart,
    caption: &str,
) -> Result<String, ReportError> {
    let (svg, files) = render_keeping_svg(chart, dir, stem)?;
    written.extend(files);
    Ok(html::figure(
        &svg,
        caption,
        &format!("(charts/{stem}.svg, charts/{stem}.png)"),
    ))
}

/// A file-name part: letters, digits, `-` and `_` kept, anything else `_`.
pub(super) fn stem_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Draw every chart into `dir`, adding the files to `written`.
pub(super) fn draw(
    dir: &Path,
    c: &Calibration,
    priors: &Params,
    written: &mut Vec<PathBuf>,
) -> Result<Figures, ReportError> {
    let mut fit = String::new();
    let mut seen = BTreeSet::new();
    for (country, kpi) in c.fit.iter().map(|r| (r.country.as_str(), r.kpi.as_str())) {
        if !seen.insert((country, kpi)) {
            continue;
        }
        let stem = format!("fit_{}_{}", stem_part(country), stem_part(kpi));
        fit += &figure(
            dir,
            written,
            &stem,
            &fit_chart(c, country, kpi),
            "Observed weeks (points) against the model at the estimate (line) with its 90 % band over posterior draws, each on its own replication; shaded weeks were held out of the fit.",
        )?;
    }
    let parameters = if c.params.is_empty() {
        String::new()
    } else {
        figure(
            dir,
            written,
            "parameters",
            &parameters_chart(c, priors),
            "Each free parameter on its prior range (0 = the prior's lower bound, 1 = its upper bound; log-uniform priors on a log scale): the posterior's 90 % interval and the estimate (posterior median).",
        )?
    };
    let lift = if c.lift.is_empty() {
        String::new()
    } else {
        figure(
            dir,
            written,
            "lift",
            &lift_chart(c),
            "Each lift test: the measured incremental effect with its 90 % interval (± 1.645 standard errors) against the model's effect at the estimate with its 90 % band.",
        )?
    };
    Ok(Figures {
        fit,
        parameters,
        lift,
    })
}

/// Observed against fitted of one series.
pub(super) fn fit_chart(c: &Calibration, country: &str, kpi: &str) -> Chart {
    let rows: Vec<_> = c
        .fit
        .iter()
        .filter(|r| r.country == country && r.kpi == kpi)
        .collect();
    let x: Vec<f64> = (0..rows.len()).map(|i| i as f64).collect();
    let shaded_from = rows.iter().position(|r| r.holdout).map(|i| i as f64 - 0.5);
    let weeks = weeks_of(c, country);
    let x_label = match (weeks.first(), weeks.last()) {
        (Some(a), Some(b)) if a != b => format!("week ({a} to {b})"),
        _ => "week".to_string(),
    };
    Chart::Fit {
        title: format!("{country}: {}", kpi.replace('_', " ")),
        x_label,
        y_label: kpi.replace('_', " "),
        x,
        observed: rows.iter().map(|r| r.observed).collect(),
        fitted: rows.iter().map(|r| r.fitted).collect(),
        lo: rows.iter().map(|r| r.lo).collect(),
        hi: rows.iter().map(|r| r.hi).collect(),
        shaded_from,
    }
}

/// The parameters on their prior ranges (from `priors`), normalised to [0, 1].
pub(super) fn parameters_chart(c: &Calibration, priors: &Params) -> Chart {
    let rows = c
        .params
        .iter()
        .map(|p| {
            let prior = priors.0.get(&p.path);
            let (lo, hi) = prior.map_or((p.lo.min(p.start), p.hi.max(p.start)), |q| (q.lo, q.hi));
            // a log-uniform prior is flat in the logarithm: place values on that scale
            let log = prior.is_some_and(|q| q.dist == Dist::LogUniform) && lo > 0.0;
            let at = |x: f64| {
                let (x, lo, hi) = if log {
                    (x.max(f64::MIN_POSITIVE).ln(), lo.ln(), hi.ln())
                } else {
                    (x, lo, hi)
                };
                if hi > lo { (x - lo) / (hi - lo) } else { 0.5 }
            };
            RangeRow {
                name: p.path.clone(),
                bar: Some((0.0, 1.0)),
                marks: vec![Some((at(p.lo), at(p.estimate), at(p.hi)))],
            }
        })
        .collect();
    Chart::Ranges {
        title: "Parameters: posterior on the prior range".into(),
        x_label: "position in the prior range (0 = lower bound, 1 = upper bound)".into(),
        rows,
        series: vec!["estimate, 90 % interval".into()],
        bar_label: Some("prior range".into()),
    }
}

/// Each lift test: measured against the model.
pub(super) fn lift_chart(c: &Calibration) -> Chart {
    let rows = c
        .lift
        .iter()
        .map(|l| {
            let t = &l.test;
            let weeks = weeks_of(c, &t.country);
            RangeRow {
                name: format!(
                    "{} {} ({}–{}), {}",
                    t.country,
                    t.channel.name().replace('_', " "),
                    super::week_label(&weeks, t.start),
                    super::week_label(&weeks, t.end),
                    t.measure.name().replace('_', " ")
                ),
                bar: None,
                marks: vec![
                    Some((
                        t.estimate - 1.645 * t.se,
                        t.estimate,
                        t.estimate + 1.645 * t.se,
                    )),
                    Some((l.lo, l.model, l.hi)),
                ],
            }
        })
        .collect();
    Chart::Ranges {
        title: "Lift tests: measured against the model".into(),
        x_label: "incremental effect over the test's weeks".into(),
        rows,
        series: vec!["measured, 90 % interval".into(), "model, 90 % band".into()],
        bar_label: None,
    }
}
