//! The layout of `budget.xlsx` (and its CSV copies): the sheets Summary, By country,
//! By channel, Country x channel, Staffing and Assumptions, from the plan's typed
//! budget and the optimize comparison.

use crate::workbook::{Cell, Sheet};
use omnimix_sim::Scenario;
use omnimix_sim::kpis::{KpiSummary, Unit};
use omnimix_studies::optimize::{COMPARED, Comparison};
use omnimix_studies::tables::Budget;

fn headers(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The sheets of `budget.xlsx`, in this order.
pub fn sheets(s: &Scenario, b: &Budget, c: &Comparison) -> Vec<Sheet> {
    vec![
        summary(c),
        by_country(b),
        by_channel(b),
        country_x_channel(b),
        staffing(b),
        assumptions(s, c),
    ]
}

/// Spend, staff, wages and share of the budget per country.
fn by_country(b: &Budget) -> Sheet {
    Sheet {
        name: "By country".into(),
        headers: headers(&[
            "country",
            "annual spend",
            "service staff (FTE)",
            "specialists (FTE)",
            "annual wages",
            "share of budget",
        ]),
        rows: b
            .by_country
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(format!("{} {}", r.code, r.name)),
                    Cell::Money(r.spend),
                    Cell::Number(r.service_staff),
                    Cell::Number(r.specialists),
                    Cell::Money(r.wages),
                    Cell::Share(r.share),
                ]
            })
            .collect(),
        totals: true,
    }
}

/// Spend, staff and share of the budget per channel.
fn by_channel(b: &Budget) -> Sheet {
    Sheet {
        name: "By channel".into(),
        headers: headers(&[
            "channel",
            "annual spend",
            "service staff (FTE)",
            "specialists (FTE)",
            "share of budget",
        ]),
        rows: b
            .by_channel
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.channel.clone()),
                    Cell::Money(r.spend),
                    Cell::Number(r.service_staff),
                    Cell::Number(r.specialists),
                    Cell::Share(r.share),
                ]
            })
            .collect(),
        totals: true,
    }
}

/// Spend, staff and share of the budget per country and channel.
fn country_x_channel(b: &Budget) -> Sheet {
    Sheet {
        name: "Country x channel".into(),
        headers: headers(&[
            "country",
            "channel",
            "annual spend",
            "service staff (FTE)",
            "specialists (FTE)",
            "share of budget",
        ]),
        rows: b
            .cells
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.country.clone()),
                    Cell::Text(r.channel.clone()),
                    Cell::Money(r.spend),
                    Cell::Number(r.service_staff),
                    Cell::Number(r.specialists),
                    Cell::Share(r.share),
                ]
            })
            .collect(),
        totals: true,
    }
}

/// Service staff, specialists and their wages per country and channel.
fn staffing(b: &Budget) -> Sheet {
    Sheet {
        name: "Staffing".into(),
        headers: headers(&[
            "country",
            "channel",
            "service staff (FTE)",
            "specialists (FTE)",
            "annual wages",
        ]),
        rows: b
            .staffing
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.country.clone()),
                    Cell::Text(r.channel.clone()),
                    Cell::Number(r.service_staff),
                    Cell::Number(r.specialists),
                    Cell::Money(r.wages),
                ]
            })
            .collect(),
        totals: true,
    }
}

/// Plan, current, equal split and the paired difference of each compared KPI.
fn summary(c: &Comparison) -> Sheet {
    let value = |k: &KpiSummary, kpi| k.mean(kpi).unwrap_or(0.0);
    let mut rows = Vec::new();
    for kpi in COMPARED {
        let cell = |v: f64| match kpi.unit() {
            Unit::Money => Cell::Money(v),
            Unit::Share | Unit::Ratio => Cell::Share(v),
            _ => Cell::Number(v),
        };
        let d = &c.difference_vs_current[&kpi];
        rows.push(vec![
            Cell::Text(kpi.name().into()),
            cell(value(&c.plan, kpi)),
            cell(value(&c.current, kpi)),
            cell(value(&c.equal_split, kpi)),
            cell(d.mean),
            cell(d.lo.unwrap_or(d.mean)),
            cell(d.hi.unwrap_or(d.mean)),
        ]);
    }
    Sheet {
        name: "Summary".into(),
        headers: headers(&[
            "KPI",
            "plan",
            "current",
            "equal split",
            "plan - current",
            "90% CI low",
            "90% CI high",
        ]),
        rows,
        totals: false,
    }
}

/// The scenario's and the search's settings behind the figures.
fn assumptions(s: &Scenario, c: &Comparison) -> Sheet {
    let text = |a: &str, v: String| vec![Cell::Text(a.into()), Cell::Text(v)];
    let money = |a: &str, v: f64| vec![Cell::Text(a.into()), Cell::Money(v)];
    let share = |a: &str, v: f64| vec![Cell::Text(a.into()), Cell::Share(v)];
    let number = |a: &str, v: f64| vec![Cell::Text(a.into()), Cell::Number(v)];
    Sheet {
        name: "Assumptions".into(),
        headers: headers(&["assumption", "value"]),
        rows: vec![
            text("scenario", s.name.clone()),
            text("objective", format!("{} ({} risk)", c.objective, c.risk)),
            money("annual budget", s.finance.annual_budget),
            number("horizon (weeks)", s.horizon_weeks as f64),
            share("gross margin", s.finance.gross_margin),
            share("discount rate (annual)", s.discount_rate_annual),
            share("budget volatility", s.finance.volatility),
            number(
                "customers in scope",
                s.countries.values().map(|c| c.population).sum(),
            ),
            number("agent scale", s.agent_scale as f64),
            number("seed", c.seed as f64),
            number("fresh replications", c.replications as f64),
            number("search evaluations", c.evaluations as f64),
            text("omnimix version", c.omnimix_version.clone()),
        ],
        totals: false,
    }
}
