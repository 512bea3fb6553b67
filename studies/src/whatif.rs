//! What-ifs for the planner (`omnimix serve`): a scenario simulated at search scale
//! (as the optimizer's search sees it) on replications `0..r` of a seed, and a
//! variant compared with the baseline replication by replication. The engine's
//! random numbers depend only on (seed, replication, country, shard, step), so the
//! variant and the baseline share them (common random numbers) and the paired
//! difference has a narrow interval.
//!
//! ```
//! use omnimix_studies::whatif::{Settings, compare, run};
//! use omnimix_sim::{ScenarioSource, engine::Local, kpis::Kpi, scenario::load::load};
//! let text = "name = 'demo'\n[finance]\nannual_budget = 2e6\n[countries.DE]\npopulation = 5000\n\
//!             [strategy.annual_spend.DE]\nsearch = 200000\ncall_centre = 20000\n\
//!             [strategy.specialists.DE]\nsearch = 2\n[strategy.service_staff.DE]\ncall_centre = 2\n";
//! let s = load(&ScenarioSource::new("demo.toml", text), &[]).unwrap();
//! let settings = Settings { seed: 3, replications: 2, search_scale: 1 };
//! let base = run(&s, &settings, &Local);
//! let w = compare(&base, &base);
//! let revenue = w.rows.iter().find(|r| r.kpi == Kpi::Revenue).unwrap();
//! assert_eq!(revenue.difference.mean, 0.0); // a scenario against itself
//! ```

use crate::analysis::retention_curves;
use crate::posterior::{Draws, Worlds};
use omnimix_sim::engine::{Replication, RunOptions, ShardExchange, Silent};
use omnimix_sim::kpis::{INTERVAL_LEVEL, Kpi, Kpis, ServiceKpi};
use omnimix_sim::stats::{Interval, interval};
use omnimix_sim::{Channel, Scenario};
use std::sync::Arc;

/// The KPIs a what-if shows, in order ([`Kpi::Retention`]: the 12-month figure, or
/// the horizon's when it is shorter).
pub const KPIS: [Kpi; 12] = [
    Kpi::Value,
    Kpi::Retention,
    Kpi::RetentionRate,
    Kpi::Roi,
    Kpi::Npv,
    Kpi::CustomerEquity,
    Kpi::Revenue,
    Kpi::IncrementalRevenue,
    Kpi::CostTotal,
    Kpi::CostMedia,
    Kpi::CostStaff,
    Kpi::ActiveCustomers,
];

/// Service KPIs shown per service channel with contacts.
pub const SERVICE_KPIS: [ServiceKpi; 2] = [ServiceKpi::MeanWaitMin, ServiceKpi::AbandonRate];

/// How a what-if is simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Master seed shared by the baseline and every variant.
    pub seed: u64,
    /// Replications `0..replications` (at least 2 for an interval).
    pub replications: u32,
    /// The runs simulate `search_scale` times fewer agents than the scenario.
    pub search_scale: u32,
}

/// The counterfactual of a run's incremental KPIs: its model with paid media off,
/// and its runs. Shared between runs whose counterfactual is the same (a what-if
/// that changes only paid media has the baseline's).
pub struct Counterfactual {
    model: Scenario,
    worlds: Worlds,
    runs: Vec<Replication>,
}

impl std::fmt::Debug for Counterfactual {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Counterfactual")
            .field("scenario", &self.model.name)
            .field("replications", &self.runs.len())
            .finish()
    }
}

/// One scenario's runs: company KPIs per replication and the retention curve.
#[derive(Debug, Clone)]
pub struct Run {
    /// Company KPIs per replication, incremental ones against the same replications
    /// without paid media.
    pub kpis: Vec<Kpis>,
    /// Company retention of the week-0 customers per week (mean over replications).
    pub retention_curve: Vec<f64>,
    /// The settings it ran with.
    pub settings: Settings,
    /// Its counterfactual without paid media.
    pub counterfactual: Arc<Counterfactual>,
}

/// Simulate the scenario's strategy at search scale on replications `0..r`.
pub fn run(s: &Scenario, settings: &Settings, exchange: &dyn ShardExchange) -> Run {
    run_reusing(s, settings, exchange, None)
}

/// [`run`], reusing `other`'s counterfactual when it is the same (same settings,
/// and the same scenario once paid media is off): a what-if of media spend alone
/// simulates half as much.
pub fn run_reusing(
    s: &Scenario,
    settings: &Settings,
    exchange: &dyn ShardExchange,
    other: Option<&Run>,
) -> Run {
    let mut model = s.clone();
    model.agent_scale = s.agent_scale.saturating_mul(settings.search_scale).max(1);
    let draws = Draws::none();
    let reps = settings.replications;
    let opts = RunOptions {
        seed: settings.seed,
        replications: reps,
        first_replication: 0,
        journeys: false,
    };
    let worlds = Worlds::new(&model, &draws, &model.strategy, 0..reps);
    let runs = worlds.run_on(&opts, &Silent, exchange);
    let mut model0 = model.clone();
    model0.strategy = model.strategy.without_media(None);
    let counterfactual = match other {
        Some(o) if o.settings == *settings && o.counterfactual.model == model0 => {
            o.counterfactual.clone()
        }
        _ => {
            let worlds = Worlds::new(&model0, &draws, &model0.strategy, 0..reps);
            let runs = worlds.run_on(&opts, &Silent, exchange);
            Arc::new(Counterfactual {
                model: model0,
                worlds,
                runs,
            })
        }
    };
    let curves = retention_curves(worlds.first(), &runs);
    let c = &counterfactual;
    Run {
        kpis: worlds
            .kpis(&runs, Some((&c.worlds, &c.runs)))
            .into_iter()
            .map(|k| k.0)
            .collect(),
        retention_curve: curves.last().cloned().unwrap_or_default(),
        settings: *settings,
        counterfactual,
    }
}

/// One KPI of a what-if.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The KPI.
    pub kpi: Kpi,
    /// Its mean over the replications with the interval.
    pub value: Interval,
    /// Variant − baseline, paired by replication, with the interval.
    pub difference: Interval,
}

/// One service channel's KPI of a what-if.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRow {
    /// The service channel.
    pub channel: Channel,
    /// The KPI.
    pub kpi: ServiceKpi,
    /// Its mean over the replications with the interval.
    pub value: Interval,
    /// Variant − baseline, paired by replication (None when the baseline has no
    /// contacts on the channel).
    pub difference: Option<Interval>,
}

/// A variant against the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIf {
    /// The company KPIs defined in every replication of both.
    pub rows: Vec<Row>,
    /// The service KPIs of the channels with contacts.
    pub service: Vec<ServiceRow>,
    /// What the intervals cover.
    pub interval_covers: String,
}

/// The values of `get` per replication, when defined and finite in every one.
fn all(ks: &[Kpis], get: impl Fn(&Kpis) -> Option<f64>) -> Option<Vec<f64>> {
    ks.iter()
        .map(|k| get(k).filter(|x| x.is_finite()))
        .collect()
}

fn paired(a: &[f64], b: &[f64]) -> Interval {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    interval(&d, INTERVAL_LEVEL)
}

/// The variant's KPIs with their paired differences from the baseline (both run
/// with the same [`Settings`]).
pub fn compare(variant: &Run, baseline: &Run) -> WhatIf {
    let rows = KPIS
        .iter()
        .filter_map(|&kpi| {
            let v = all(&variant.kpis, |k| k.get(kpi))?;
            let b = all(&baseline.kpis, |k| k.get(kpi))?;
            Some(Row {
                kpi,
                value: interval(&v, INTERVAL_LEVEL),
                difference: paired(&v, &b),
            })
        })
        .collect();
    let mut service = Vec::new();
    for channel in Channel::SERVICE {
        for kpi in SERVICE_KPIS {
            let Some(v) = all(&variant.kpis, |k| k.service(channel, kpi)) else {
                continue;
            };
            let b = all(&baseline.kpis, |k| k.service(channel, kpi));
            service.push(ServiceRow {
                channel,
                kpi,
                value: interval(&v, INTERVAL_LEVEL),
                difference: b.map(|b| paired(&v, &b)),
            });
        }
    }
    let s = variant.settings;
    WhatIf {
        rows,
        service,
        interval_covers: format!(
            "run-to-run noise: Student-t {:.0} % intervals of the mean over {} replications (seed {}) at \
             1/{} of the scenario's agents; differences are paired with the baseline on the same \
             random numbers",
            100.0 * INTERVAL_LEVEL,
            s.replications,
            s.seed,
            s.search_scale
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnimix_sim::engine::Local;
    use omnimix_sim::kpis::Kpi;
    use omnimix_sim::{Override, ScenarioSource, scenario::load::load};

    const TEXT: &str = "name = 'demo'\nreplications = 3\nhorizon_weeks = 16\n[finance]\nannual_budget = 4e6\n\
        [countries.DE]\npopulation = 20000\n[strategy.annual_spend.DE]\nsearch = 300000\nsocial = 100000\n\
        call_centre = 20000\n[strategy.specialists.DE]\nsearch = 2\nsocial = 1\n\
        [strategy.service_staff.DE]\ncall_centre = 3\n";

    fn scenario(set: &[&str]) -> Scenario {
        let o: Vec<Override> = set.iter().map(|s| s.parse().unwrap()).collect();
        load(&ScenarioSource::new("demo.toml", TEXT), &o).unwrap()
    }

    const SETTINGS: Settings = Settings {
        seed: 5,
        replications: 4,
        search_scale: 2,
    };

    #[test]
    fn a_spend_what_if_reuses_the_baseline_counterfactual_with_the_same_kpis() {
        let base = run(&scenario(&[]), &SETTINGS, &Local);
        let s = scenario(&["strategy.annual_spend.DE.search=600000"]);
        let reused = run_reusing(&s, &SETTINGS, &Local, Some(&base));
        assert!(Arc::ptr_eq(&reused.counterfactual, &base.counterfactual));
        let fresh = run(&s, &SETTINGS, &Local);
        assert_eq!(reused.kpis, fresh.kpis);
        // a staff change has its own counterfactual
        let staff = scenario(&["strategy.service_staff.DE.call_centre=6"]);
        let own = run_reusing(&staff, &SETTINGS, &Local, Some(&base));
        assert!(!Arc::ptr_eq(&own.counterfactual, &base.counterfactual));
    }

    #[test]
    fn common_random_numbers_make_the_paired_interval_narrower_than_the_values() {
        let base = run(&scenario(&[]), &SETTINGS, &Local);
        let more = run(
            &scenario(&["strategy.annual_spend.DE.search=450000"]),
            &SETTINGS,
            &Local,
        );
        let w = compare(&more, &base);
        let revenue = w.rows.iter().find(|r| r.kpi == Kpi::Revenue).unwrap();
        let width = |i: &Interval| i.hi.unwrap() - i.lo.unwrap();
        assert!(
            width(&revenue.difference) < width(&revenue.value),
            "paired {:?} vs values {:?}",
            revenue.difference,
            revenue.value
        );
        assert!(w.interval_covers.contains("paired"));
    }
}
