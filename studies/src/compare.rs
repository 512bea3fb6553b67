//! What-if comparison (`omnimix compare`): scenarios, each simulated with its
//! current strategy on the same seed and replications. The engine's random numbers
//! depend only on (seed, replication, country, shard, step), so the scenarios share
//! them (common random numbers) and their paired differences have narrow intervals.
//!
//! ```
//! use omnimix_studies::compare::{Measure, compare};
//! use omnimix_sim::{ScenarioSource, engine::Local, kpis::Kpi, scenario::load::load};
//! let text = "name = 'demo'\n[finance]\nannual_budget = 2e6\n[countries.DE]\npopulation = 5000\n\
//!             [strategy.annual_spend.DE]\nsearch = 200000\ncall_centre = 20000\n\
//!             [strategy.specialists.DE]\nsearch = 2\n[strategy.service_staff.DE]\ncall_centre = 2\n";
//! let s = load(&ScenarioSource::new("demo.toml", text), &[]).unwrap();
//! let c = compare(&[s.clone(), s], vec!["A".into(), "B".into()], vec![String::new(); 2], 3, 2, &Local);
//! let revenue = c.kpis.iter().find(|k| k.measure == Measure::Company(Kpi::Revenue)).unwrap();
//! assert_eq!(revenue.differences[1].mean, 0.0); // a scenario against itself
//! ```

use crate::analysis::retention_curves;
use crate::posterior::{Draws, Worlds};
use omnimix_sim::engine::{RunOptions, ShardExchange, Silent};
use omnimix_sim::kpis::{INTERVAL_LEVEL, Kpi, Kpis, ServiceKpi, Unit};
use omnimix_sim::stats::{Interval, interval};
use omnimix_sim::{Channel, Scenario};

/// Company KPIs compared ([`Kpi::Retention`]: the 12-month figure, or the horizon's).
pub const KPIS: [Kpi; 13] = [
    Kpi::Retention,
    Kpi::Roi,
    Kpi::Value,
    Kpi::RetentionRate,
    Kpi::Npv,
    Kpi::CustomerEquity,
    Kpi::Revenue,
    Kpi::IncrementalRevenue,
    Kpi::CostTotal,
    Kpi::CostMedia,
    Kpi::CostStaff,
    Kpi::ActiveCustomers,
    Kpi::NewCustomers,
];

/// Service KPIs compared per service channel with contacts.
pub const SERVICE_KPIS: [ServiceKpi; 2] = [ServiceKpi::MeanWaitMin, ServiceKpi::AbandonRate];

/// Country KPIs compared for a country a variant changes on its own (its population,
/// market figures or strategy), beside the company's.
pub const COUNTRY_KPIS: [Kpi; 7] = [
    Kpi::Retention,
    Kpi::Value,
    Kpi::Revenue,
    Kpi::IncrementalRevenue,
    Kpi::CostTotal,
    Kpi::ActiveCustomers,
    Kpi::NewCustomers,
];

/// What one row of a comparison measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    /// A company KPI.
    Company(Kpi),
    /// A service channel's KPI.
    Service(ServiceKpi, Channel),
    /// A KPI of one country (its code).
    Country(Kpi, String),
}

impl Measure {
    /// The name in `compare.csv`: the KPI's, or `KPI.CHANNEL` for service KPIs.
    pub fn name(&self) -> String {
        match self {
            Measure::Company(k) => k.name().to_string(),
            Measure::Service(k, c) => format!("{}.{}", k.name(), c.name()),
            Measure::Country(k, code) => format!("{code}.{}", k.name()),
        }
    }

    /// A reader's name: the KPI's label, with the channel for service KPIs.
    pub fn label(&self) -> String {
        match self {
            Measure::Company(k) => k.label().to_string(),
            Measure::Service(k, c) => format!("{} ({})", k.label(), c.name()),
            Measure::Country(k, code) => format!("{code}: {}", k.label()),
        }
    }

    /// What it counts.
    pub fn unit(&self) -> Unit {
        match self {
            Measure::Company(k) | Measure::Country(k, _) => k.unit(),
            Measure::Service(k, _) => k.unit(),
        }
    }
}

/// One KPI across the scenarios.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiRow {
    /// What it measures.
    pub measure: Measure,
    /// Per scenario: mean with its interval over the replications.
    pub values: Vec<Interval>,
    /// Per scenario: scenario − baseline, paired by replication (the baseline's is 0).
    pub differences: Vec<Interval>,
}

/// Everything a comparison reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Scenario names, the baseline first.
    pub names: Vec<String>,
    /// What each scenario is (file, or the variant's changes).
    pub descriptions: Vec<String>,
    /// Currency of money figures.
    pub currency: String,
    /// Master seed shared by every scenario.
    pub seed: u64,
    /// Replications of each scenario.
    pub replications: u32,
    /// What the intervals cover: `run-to-run noise`, or `run-to-run noise and parameter
    /// uncertainty (N posterior draws)`.
    pub interval_covers: String,
    /// The posterior file whose draws the replications ran on.
    pub posterior: Option<String>,
    /// The KPIs.
    pub kpis: Vec<KpiRow>,
    /// Per scenario: company retention of the week-0 customers per week.
    pub retention_curves: Vec<Vec<f64>>,
}

/// Per replication: the measures defined in it with their values, and the company
/// retention curve.
fn simulate(
    s: &Scenario,
    draws: &Draws,
    seed: u64,
    reps: u32,
    countries: &[String],
    exchange: &dyn ShardExchange,
) -> (Vec<Vec<(Measure, f64)>>, Vec<f64>) {
    let worlds = Worlds::new(s, draws, &s.strategy, 0..reps);
    let world = worlds.first();
    let opts = RunOptions {
        seed,
        replications: reps,
        first_replication: 0,
        journeys: false,
    };
    let runs = worlds.run_on(&opts, &Silent, exchange);
    // the counterfactual of the incremental KPIs: paid media off, same seeds and draws
    let without = Worlds::new(s, draws, &s.strategy.without_media(None), 0..reps);
    let runs0 = without.run_on(&opts, &Silent, exchange);
    let curves = retention_curves(world, &runs);
    let company = curves.last().cloned().unwrap_or_default();
    let per_rep = worlds
        .kpis(&runs, Some((&without, &runs0)))
        .into_iter()
        .map(|(k, by_country): (Kpis, Vec<Kpis>)| {
            // retention: the 12-month figure, named for what it is when the horizon is shorter
            let retention = if k.get(Kpi::Retention12m).is_some() {
                Kpi::Retention
            } else {
                Kpi::RetentionHorizon
            };
            let mut v: Vec<(Measure, f64)> = KPIS
                .iter()
                .filter(|n| **n == Kpi::Retention || k.get(**n).is_some())
                .map(|&n| {
                    let kpi = if n == Kpi::Retention { retention } else { n };
                    (Measure::Company(kpi), k.value(n))
                })
                .collect();
            for ch in Channel::SERVICE {
                for kpi in SERVICE_KPIS {
                    if let Some(x) = k.service(ch, kpi) {
                        v.push((Measure::Service(kpi, ch), x));
                    }
                }
            }
            for code in countries {
                let Some(ck) = world
                    .countries
                    .iter()
                    .position(|c| &c.code == code)
                    .and_then(|i| by_country.get(i))
                else {
                    continue;
                };
                for kpi in COUNTRY_KPIS {
                    let kpi = if kpi == Kpi::Retention {
                        retention
                    } else {
                        kpi
                    };
                    if kpi == Kpi::Retention || ck.get(kpi).is_some() {
                        v.push((Measure::Country(kpi, code.clone()), ck.value(kpi)));
                    }
                }
            }
            v
        })
        .collect();
    (per_rep, company)
}

/// The countries whose own figures some scenario changes against the first (the
/// country's market figures, or its spend, staff, specialists or integration), when
/// that is not every country: their KPIs are compared beside the company's.
pub fn changed_countries(scenarios: &[Scenario]) -> Vec<String> {
    let Some(base) = scenarios.first() else {
        return Vec::new();
    };
    let own = |s: &Scenario, code: &str| {
        let st = &s.strategy;
        (
            s.countries.get(code).cloned(),
            st.annual_spend.get(code).cloned(),
            st.service_staff.get(code).cloned(),
            st.specialists.get(code).cloned(),
            st.integration.get(code).cloned(),
            st.organisation.get(code).copied(),
            st.phases
                .iter()
                .map(|p| p.annual_spend.get(code).cloned())
                .collect::<Vec<_>>(),
        )
    };
    let changed: Vec<String> = base
        .countries
        .keys()
        .filter(|code| {
            scenarios[1..]
                .iter()
                .any(|s| own(s, code) != own(base, code))
        })
        .cloned()
        .collect();
    if changed.len() < base.countries.len() {
        changed
    } else {
        Vec::new()
    }
}

/// Simulate every scenario on replications `0..replications` of `seed` and compare
/// each with the first: KPIs every scenario has in every replication, with intervals
/// and paired differences. The runs' shards are split over the exchange's processes
/// (every process must call this alike and gets the whole result).
pub fn compare(
    scenarios: &[Scenario],
    names: Vec<String>,
    descriptions: Vec<String>,
    seed: u64,
    replications: u32,
    exchange: &dyn ShardExchange,
) -> Comparison {
    compare_with_draws(
        scenarios,
        &[],
        names,
        descriptions,
        seed,
        replications,
        exchange,
    )
}

/// [`compare`] with each scenario's posterior draws (`draws[i]` for `scenarios[i]`;
/// none when missing): replication `r` of every scenario runs on draw `r mod n`, so
/// the differences stay paired by draw as by random numbers.
pub fn compare_with_draws(
    scenarios: &[Scenario],
    draws: &[Draws],
    names: Vec<String>,
    descriptions: Vec<String>,
    seed: u64,
    replications: u32,
    exchange: &dyn ShardExchange,
) -> Comparison {
    let countries = changed_countries(scenarios);
    let none = Draws::none();
    let draws_of = |i: usize| draws.get(i).unwrap_or(&none);
    let results: Vec<_> = scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| simulate(s, draws_of(i), seed, replications, &countries, exchange))
        .collect();
    let first: &[(Measure, f64)] = results
        .first()
        .and_then(|r| r.0.first())
        .map_or(&[], |v| v.as_slice());
    let measures: Vec<Measure> = first
        .iter()
        .map(|(m, _)| m.clone())
        .filter(|m| {
            results.iter().all(|(per_rep, _)| {
                per_rep
                    .iter()
                    .all(|r| r.iter().any(|(n, x)| n == m && x.is_finite()))
            })
        })
        .collect();
    let values_of = |s: usize, m: &Measure| -> Vec<f64> {
        results[s]
            .0
            .iter()
            .map(|r| r.iter().find(|(n, _)| n == m).map_or(f64::NAN, |x| x.1))
            .collect()
    };
    let kpis = measures
        .iter()
        .map(|m| {
            let b = values_of(0, m);
            KpiRow {
                measure: m.clone(),
                values: (0..scenarios.len())
                    .map(|s| interval(&values_of(s, m), INTERVAL_LEVEL))
                    .collect(),
                differences: (0..scenarios.len())
                    .map(|s| {
                        let d: Vec<f64> =
                            values_of(s, m).iter().zip(&b).map(|(x, y)| x - y).collect();
                        interval(&d, INTERVAL_LEVEL)
                    })
                    .collect(),
            }
        })
        .collect();
    Comparison {
        names,
        descriptions,
        currency: scenarios
            .first()
            .map(|s| s.currency.clone())
            .unwrap_or_default(),
        seed,
        replications,
        interval_covers: draws_of(0).interval_covers(),
        posterior: draws_of(0).posterior(),
        kpis,
        retention_curves: results.into_iter().map(|r| r.1).collect(),
    }
}
