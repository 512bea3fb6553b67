//! `compare.html`: the figures per scenario, the differences from the baseline, the
//! charts and the assumptions.

use super::{Comparison, baseline, ci, label, unit};
use crate::html::{self, Td, esc, fmt, fmt_diff, section, table};

/// The page's sections: (anchor, title).
const SECTIONS: [(&str, &str); 4] = [
    ("summary", "Summary"),
    ("differences", "Differences"),
    ("charts", "Charts"),
    ("assumptions", "Assumptions"),
];

/// The whole page, with the chart `figures` already drawn.
pub(super) fn page(c: &Comparison, figures: &str) -> String {
    let cur = c.currency.as_str();
    let mut b = summary(c);
    b += &differences(c);
    b += &section("charts", "Charts");
    b += figures;
    b += &assumptions(c);
    html::page(
        &format!("What-if comparison: {}", c.names.join(" vs ")),
        &format!(
            "{} replications · seed {} · amounts in {cur}",
            c.replications, c.seed
        ),
        &SECTIONS,
        &b,
        "omnimix compare · tables in compare.csv and compare.xlsx · charts in charts/ as SVG and PNG",
    )
}

/// Summary: what was compared, and every KPI per scenario with its interval.
fn summary(c: &Comparison) -> String {
    let cur = c.currency.as_str();
    let mut b = section("summary", "Summary");
    b += &format!(
        "<p class=\"lead\">{} scenario{} compared with <strong>{}</strong> on the same {} replications (seed {}): every scenario draws the same random numbers, so the differences below are paired and their intervals narrow.</p>\n",
        c.names.len() - 1,
        if c.names.len() == 2 { "" } else { "s" },
        esc(&baseline(c)),
        c.replications,
        c.seed
    );
    let rows: Vec<Vec<Td>> = c
        .kpis
        .iter()
        .map(|k| {
            let u = unit(&k.measure);
            let mut r = vec![Td::Text(label(&k.measure))];
            r.extend(
                k.values
                    .iter()
                    .map(|v| Td::NumCi(fmt(v.mean, u, cur), ci(v, u, cur, false))),
            );
            r
        })
        .collect();
    let mut h = vec!["KPI".to_string()];
    h.extend(c.names.iter().cloned());
    b + &table(&h, &rows, false)
}

/// Differences: every KPI's paired difference from the baseline, per scenario.
fn differences(c: &Comparison) -> String {
    let cur = c.currency.as_str();
    let base = baseline(c);
    let b = section("differences", "Differences from the baseline");
    let rows: Vec<Vec<Td>> = c
        .kpis
        .iter()
        .map(|k| {
            let u = unit(&k.measure);
            let mut r = vec![Td::Text(label(&k.measure))];
            r.extend(
                k.differences
                    .iter()
                    .skip(1)
                    .map(|d| Td::NumCi(fmt_diff(d.mean, u, cur), ci(d, u, cur, true))),
            );
            r
        })
        .collect();
    let mut h = vec!["KPI".to_string()];
    h.extend(c.names.iter().skip(1).map(|n| format!("{n} − {base}")));
    b + &table(&h, &rows, false)
}

/// Assumptions: seed, replications and what each scenario changes.
fn assumptions(c: &Comparison) -> String {
    let b = section("assumptions", "Assumptions");
    let mut rows = vec![
        vec![Td::Text("seed".into()), Td::Num(c.seed.to_string())],
        vec![
            Td::Text("replications".into()),
            Td::Num(c.replications.to_string()),
        ],
        vec![
            Td::Text("intervals cover".into()),
            Td::Text(c.interval_covers.clone()),
        ],
    ];
    if let Some(p) = &c.posterior {
        rows.push(vec![Td::Text("posterior".into()), Td::Text(p.clone())]);
    }
    for (n, d) in c.names.iter().zip(&c.descriptions) {
        rows.push(vec![Td::Text(n.clone()), Td::Text(d.clone())]);
    }
    b + &table(&["".into(), "value".into()], &rows, false)
}
