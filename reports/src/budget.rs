//! The layout of `budget.xlsx` (and its CSV copies): the sheets Summary, By country,
//! By channel, Country x channel, Staffing, Integration and Assumptions, from the
//! plan's typed budget and the optimize comparison.
//!
//! Money in the budget sheets is the plan's planned cost over the horizon, and
//! every money table adds up to the total it claims: By country, By channel and
//! Country x channel to the plan's total cost (integration and the organisation —
//! shared-reward bonus pool and coordination function — on lines of their own in
//! By channel and Country x channel), with shares of that total summing to 100 %;
//! Staffing to the wages, Integration to the integration cost.

use crate::workbook::{Cell, Sheet};
use omnimix_sim::Scenario;
use omnimix_sim::kpis::{KpiSummary, Unit};
use omnimix_studies::optimize::{COMPARED, Comparison};
use omnimix_studies::tables::Budget;

fn headers(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The name of the integration lines in By channel and Country x channel.
pub const INTEGRATION_LINE: &str = "integration (capex + opex)";

/// The name of the organisation lines (shared-reward bonus pool and coordination
/// function) in By channel and Country x channel.
pub const ORGANISATION_LINE: &str = "organisation (bonus pool + coordination)";

/// The sheets of `budget.xlsx`, in this order.
pub fn sheets(s: &Scenario, b: &Budget, c: &Comparison) -> Vec<Sheet> {
    vec![
        summary(c),
        by_country(b),
        by_channel(b),
        country_x_channel(b),
        staffing(b),
        integration(b),
        assumptions(s, b, c),
    ]
}

/// The sheets of a strategy's planned cost alone (no comparison): By country, By
/// channel, Country x channel, Staffing and Integration (the planner's `budget.xlsx`).
pub fn cost_sheets(b: &Budget) -> Vec<Sheet> {
    vec![
        by_country(b),
        by_channel(b),
        country_x_channel(b),
        staffing(b),
        integration(b),
    ]
}

/// Media, staff, wages, integration and share of the total cost per country.
fn by_country(b: &Budget) -> Sheet {
    Sheet {
        name: "By country".into(),
        headers: headers(&[
            "country",
            "media spend",
            "service staff (FTE)",
            "specialists (FTE)",
            "wages",
            "integration capex",
            "integration opex",
            "organisation",
            "total cost",
            "share of total cost",
        ]),
        rows: b
            .by_country
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(format!("{} {}", r.code, r.name)),
                    Cell::Money(r.media),
                    Cell::Count(r.service_staff),
                    Cell::Count(r.specialists),
                    Cell::Money(r.wages),
                    Cell::Money(r.integration_capex),
                    Cell::Money(r.integration_opex),
                    Cell::Money(r.organisation),
                    Cell::Money(r.total),
                    Cell::Share(r.share),
                ]
            })
            .collect(),
        totals: true,
    }
}

/// The columns of By channel and Country x channel after the labels.
const COST_COLUMNS: [&str; 7] = [
    "media spend",
    "service staff (FTE)",
    "specialists (FTE)",
    "wages",
    "integration",
    "total cost",
    "share of total cost",
];

/// The [`COST_COLUMNS`] cells of one line: media, service staff, specialists, wages,
/// integration, total and its share of the plan's total cost.
fn cost_cells(
    media: f64,
    staff: f64,
    specialists: f64,
    wages: f64,
    integration: f64,
    total: f64,
    share: f64,
) -> Vec<Cell> {
    vec![
        Cell::Money(media),
        Cell::Count(staff),
        Cell::Count(specialists),
        Cell::Money(wages),
        Cell::Money(integration),
        Cell::Money(total),
        Cell::Share(share),
    ]
}

/// An integration line: its cost in the integration and total columns.
fn integration_cells(cost: f64, total: f64) -> Vec<Cell> {
    let share = if total > 0.0 { cost / total } else { 0.0 };
    cost_cells(0.0, 0.0, 0.0, 0.0, cost, cost, share)
}

/// An organisation line: its cost in the total column alone.
fn organisation_cells(cost: f64, total: f64) -> Vec<Cell> {
    let share = if total > 0.0 { cost / total } else { 0.0 };
    cost_cells(0.0, 0.0, 0.0, 0.0, 0.0, cost, share)
}

/// Media, staff and wages per channel, then integration on a line of its own.
fn by_channel(b: &Budget) -> Sheet {
    let mut rows: Vec<Vec<Cell>> = b
        .by_channel
        .iter()
        .map(|r| {
            let mut row = vec![Cell::Text(r.channel.clone())];
            row.extend(cost_cells(
                r.media,
                r.service_staff,
                r.specialists,
                r.wages,
                0.0,
                r.total,
                r.share,
            ));
            row
        })
        .collect();
    let integration: f64 = b.integration.iter().map(|r| r.total).sum();
    if integration > 0.0 {
        let mut row = vec![Cell::Text(INTEGRATION_LINE.into())];
        row.extend(integration_cells(integration, b.total));
        rows.push(row);
    }
    let organisation: f64 = b.organisation.iter().map(|r| r.total).sum();
    if organisation > 0.0 {
        let mut row = vec![Cell::Text(ORGANISATION_LINE.into())];
        row.extend(organisation_cells(organisation, b.total));
        rows.push(row);
    }
    let mut h = vec!["channel"];
    h.extend(COST_COLUMNS);
    Sheet {
        name: "By channel".into(),
        headers: headers(&h),
        rows,
        totals: true,
    }
}

/// Media, staff and wages per country and channel, each country's integration on a
/// line of its own after its channels.
fn country_x_channel(b: &Budget) -> Sheet {
    let mut rows = Vec::new();
    for country in &b.by_country {
        for r in b.cells.iter().filter(|r| r.country == country.code) {
            let mut row = vec![Cell::Text(r.country.clone()), Cell::Text(r.channel.clone())];
            row.extend(cost_cells(
                r.media,
                r.service_staff,
                r.specialists,
                r.wages,
                0.0,
                r.total,
                r.share,
            ));
            rows.push(row);
        }
        let integration = country.integration_capex + country.integration_opex;
        if integration > 0.0 {
            let mut row = vec![
                Cell::Text(country.code.clone()),
                Cell::Text(INTEGRATION_LINE.into()),
            ];
            row.extend(integration_cells(integration, b.total));
            rows.push(row);
        }
        if country.organisation > 0.0 {
            let mut row = vec![
                Cell::Text(country.code.clone()),
                Cell::Text(ORGANISATION_LINE.into()),
            ];
            row.extend(organisation_cells(country.organisation, b.total));
            rows.push(row);
        }
    }
    let mut h = vec!["country", "channel"];
    h.extend(COST_COLUMNS);
    Sheet {
        name: "Country x channel".into(),
        headers: headers(&h),
        rows,
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
            "wages",
        ]),
        rows: b
            .staffing
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.country.clone()),
                    Cell::Text(r.channel.clone()),
                    Cell::Count(r.service_staff),
                    Cell::Count(r.specialists),
                    Cell::Money(r.wages),
                ]
            })
            .collect(),
        totals: true,
    }
}

/// Each integration initiative per country: schedule, capex, opex and share of the
/// total cost.
fn integration(b: &Budget) -> Sheet {
    Sheet {
        name: "Integration".into(),
        headers: headers(&[
            "country",
            "initiative",
            "start week",
            "live week",
            "capex",
            "opex",
            "total cost",
            "share of total cost",
        ]),
        rows: b
            .integration
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.country.clone()),
                    Cell::Text(r.initiative.clone()),
                    Cell::Week(r.start_week),
                    Cell::Week(r.live_week),
                    Cell::Money(r.capex),
                    Cell::Money(r.opex),
                    Cell::Money(r.total),
                    Cell::Share(r.share),
                ]
            })
            .collect(),
        totals: true,
    }
}

/// Plan, current, equal split and the paired difference of each compared KPI, by
/// its reader's name; customers and counts whole.
fn summary(c: &Comparison) -> Sheet {
    let value = |k: &KpiSummary, kpi| k.mean(kpi).unwrap_or(0.0);
    let mut rows = Vec::new();
    for kpi in COMPARED {
        let cell = |v: f64| match kpi.unit() {
            Unit::Money => Cell::Money(v),
            Unit::Share | Unit::Ratio => Cell::Share(v),
            Unit::Customers | Unit::Count => Cell::Count(v.round()),
            Unit::Minutes => Cell::Number(v),
        };
        let d = &c.difference_vs_current[&kpi];
        rows.push(vec![
            Cell::Text(kpi.label().into()),
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
fn assumptions(s: &Scenario, b: &Budget, c: &Comparison) -> Sheet {
    let text = |a: &str, v: String| vec![Cell::Text(a.into()), Cell::Text(v)];
    let money = |a: &str, v: f64| vec![Cell::Text(a.into()), Cell::Money(v)];
    let share = |a: &str, v: f64| vec![Cell::Text(a.into()), Cell::Share(v)];
    let count = |a: &str, v: f64| vec![Cell::Text(a.into()), Cell::Count(v)];
    Sheet {
        name: "Assumptions".into(),
        headers: headers(&["assumption", "value"]),
        rows: vec![
            text("scenario", s.name.clone()),
            text("objective", format!("{} ({} risk)", c.objective, c.risk)),
            money("annual budget", s.finance.annual_budget),
            count("horizon (weeks)", s.horizon_weeks as f64),
            money("budget over the horizon", b.budget),
            money("planned total cost over the horizon", b.total),
            share("gross margin", s.finance.gross_margin),
            share("discount rate (annual)", s.discount_rate_annual),
            share("budget volatility", s.finance.volatility),
            count(
                "customers in scope",
                s.countries.values().map(|c| c.population).sum(),
            ),
            count("agent scale", s.agent_scale as f64),
            text("seed", c.seed.to_string()),
            count("fresh replications", c.replications as f64),
            text("intervals cover", c.interval_covers.clone()),
            text(
                "posterior",
                c.posterior.clone().unwrap_or_else(|| "none".into()),
            ),
            count("search evaluations", c.evaluations as f64),
            text("omnimix version", c.omnimix_version.clone()),
        ]
        .into_iter()
        .chain(b.organisation.iter().map(|o| {
            text(
                &format!("organisation {}", o.country),
                format!(
                    "{} reward scheme (shared_reward {:.2}), coordination {:.2}",
                    o.reward_scheme, o.shared_reward, o.coordination
                ),
            )
        }))
        .collect(),
        totals: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnimix_sim::mechanisms::finance::planned_costs;
    use omnimix_sim::scenario::load::load;
    use omnimix_sim::{Override, ScenarioSource};

    fn default_preset() -> Scenario {
        let o: Vec<Override> = Vec::new();
        load(
            &ScenarioSource::new(
                "global-retail",
                include_str!("../../scenarios/global-retail.toml"),
            ),
            &o,
        )
        .unwrap()
    }

    fn column(sheet: &Sheet, name: &str) -> Vec<f64> {
        let c = sheet.headers.iter().position(|h| h == name).unwrap();
        sheet
            .rows
            .iter()
            .map(|r| match &r[c] {
                Cell::Money(x) | Cell::Share(x) | Cell::Count(x) | Cell::Number(x) => *x,
                other => panic!("{name}: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn every_money_table_adds_up_to_the_plans_total_cost_and_shares_to_100_percent() {
        let mut s = default_preset();
        // the current plan with integration: two initiatives in DE (one live late,
        // so part of its opex falls after the horizon), one in US
        let de = s.strategy.integration.entry("DE".into()).or_default();
        de.insert("unified_data".into(), 0);
        de.insert("bopis".into(), 26);
        let us = s.strategy.integration.entry("US".into()).or_default();
        us.insert("consistent_messaging".into(), 13);
        let b = omnimix_studies::tables::budget(&s, &s.strategy);
        let planned = planned_costs(&s, &s.strategy);
        assert!(planned.integration > 0.0, "the preset integrates");
        assert!((b.total - planned.total()).abs() < 1e-6 * b.total);
        let close = |a: f64, e: f64, what: &str| {
            assert!(
                (a - e).abs() <= 1e-9 * e.abs().max(1.0),
                "{what}: {a} vs {e}"
            )
        };
        for sheet in [by_country(&b), by_channel(&b), country_x_channel(&b)] {
            let name = &sheet.name;
            close(
                column(&sheet, "total cost").iter().sum(),
                planned.total(),
                name,
            );
            close(
                column(&sheet, "share of total cost").iter().sum(),
                1.0,
                name,
            );
            close(
                column(&sheet, "media spend").iter().sum(),
                planned.media,
                name,
            );
            close(column(&sheet, "wages").iter().sum(), planned.wages, name);
            let integration: f64 = if name == "By country" {
                column(&sheet, "integration capex").iter().sum::<f64>()
                    + column(&sheet, "integration opex").iter().sum::<f64>()
            } else {
                column(&sheet, "integration").iter().sum()
            };
            close(integration, planned.integration, name);
        }
        let st = staffing(&b);
        close(column(&st, "wages").iter().sum(), planned.wages, "Staffing");
        let i = integration(&b);
        close(
            column(&i, "total cost").iter().sum(),
            planned.integration,
            "Integration",
        );
        // every country with an initiative has its integration line
        let cxc = country_x_channel(&b);
        for c in &b.by_country {
            let has_line = cxc.rows.iter().any(|r| {
                r[0] == Cell::Text(c.code.clone()) && r[1] == Cell::Text(INTEGRATION_LINE.into())
            });
            assert_eq!(has_line, c.integration_capex + c.integration_opex > 0.0);
        }
    }
}
