//! Retention charts: the week-0 customers still active per country, and the
//! company with and without the integration initiatives.

use crate::ReportError;
use crate::charts::{Chart, Line};
use crate::report::Ctx;
use crate::report::figures::{Figure, Figures};
use omnimix_studies::analysis::RetentionRow;
use std::collections::BTreeMap;

/// The `country` of the company-wide curve in `retention_curves.csv`.
const COMPANY: &str = "company";

/// (series, country) → points (week, retention in %), and the keys in file order.
type Curves<'a> = (
    BTreeMap<(&'a str, &'a str), Vec<(f64, f64)>>,
    Vec<(&'a str, &'a str)>,
);

fn curves(rows: &[RetentionRow]) -> Curves<'_> {
    let mut by: BTreeMap<(&str, &str), Vec<(f64, f64)>> = BTreeMap::new();
    let mut order = Vec::new();
    for r in rows {
        let key = (r.series.as_str(), r.country.as_str());
        if !by.contains_key(&key) {
            order.push(key);
        }
        by.entry(key)
            .or_default()
            .push((f64::from(r.week), 100.0 * r.retention));
    }
    (by, order)
}

fn line(name: &str, points: &[(f64, f64)]) -> Line {
    Line {
        name: name.to_string(),
        points: points.to_vec(),
        marked: None,
        points_only: false,
    }
}

/// Retention per country of the own strategy (else the first series), and the
/// company's retention of every series when there are several.
pub(super) fn draw(ctx: &Ctx, figs: &mut Figures) -> Result<(), ReportError> {
    let Some(rows) = &ctx.data.retention_curves else {
        return Ok(());
    };
    let (by, order) = curves(rows);
    let own = ctx.summary().own_strategy();
    let own_series = if order.iter().any(|k| k.0 == own) {
        own
    } else {
        order.first().map_or("", |k| k.0)
    };
    let lines: Vec<Line> = order
        .iter()
        .filter(|k| k.0 == own_series)
        .map(|k| line(k.1, &by[k]))
        .collect();
    if !lines.is_empty() {
        figs.draw(
            Figure::RetentionCountries,
            Chart::Lines {
                title: format!("Retention of today's customers by week ({own_series})"),
                x_label: "week".into(),
                y_label: "customers still active (%)".into(),
                lines,
                marked_label: None,
            },
            "Share of the week-0 customers still active, per country and for the company.",
        )?;
    }
    let company: Vec<Line> = order
        .iter()
        .filter(|k| k.1 == COMPANY)
        .map(|k| line(k.0, &by[k]))
        .collect();
    if company.len() > 1 {
        figs.draw(
            Figure::RetentionIntegration,
            Chart::Lines {
                title: "Company retention by week: integrated vs not".into(),
                x_label: "week".into(),
                y_label: "customers still active (%)".into(),
                lines: company,
                marked_label: None,
            },
            "Share of the week-0 customers still active: the plan, the current strategy, and the plan with and without the omnichannel integration initiatives (search-scale runs).",
        )?;
    }
    Ok(())
}
