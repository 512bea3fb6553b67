//! Ground truth for attribution: what each paid channel really caused.
//!
//! The scenario is simulated once with journeys recorded, then once per paid channel
//! in use with that channel switched off everywhere (its spend and specialists, and
//! store staff for stores), on the same seeds and replications. Each agent owns its
//! random draws, so the runs differ only through the channel: the differences in
//! orders and revenue are the channel's incremental effect, which a marketer cannot
//! observe and attribution models try to estimate. A third run per channel with 10 %
//! more spend gives its marginal ROI.
//!
//! The journeys come twice: as the company could observe them (consented, identified
//! touches, stitched across channels only where unified data is live; see
//! `omnimix_sim::mechanisms::observation`) and as they really were. A model's error
//! on the first against the truth, less its error on the second, is what
//! measurement loses ([`measurement_errors`]).

use crate::error::StudyError;
use omnimix_attribution::{Credit, JourneyTable, Model};
use omnimix_sim::engine::{RunOptions, ShardExchange, Silent, run_on};
use omnimix_sim::kpis::{JourneyRow, Kpi, journey_rows, observed_journey_rows, replication_kpis};
use omnimix_sim::{Channel, Scenario, World};
use serde::{Deserialize, Serialize};

/// One row of `truth.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthRow {
    /// Country code, or `ALL` for the company.
    pub country: String,
    /// Paid channel.
    pub channel: String,
    /// Orders lost without the channel (mean over replications).
    pub incremental_orders: f64,
    /// Revenue lost without the channel.
    pub incremental_revenue: f64,
    /// Share of the country's summed incremental orders, signed: a channel whose
    /// orders rise when it is switched off has a negative share (the shares sum
    /// to 1; all 0 when the sum is not positive).
    pub share: f64,
    /// Cost of the channel: total cost minus that of the run without it (its spend
    /// and the specialists or store staff who run it).
    pub cost: f64,
    /// Gross margin × incremental revenue − cost.
    pub incremental_profit: f64,
    /// Incremental ROI of the channel: incremental profit / cost (0 without cost).
    pub roi: f64,
    /// Marginal ROI: the same ratio for 10 % more spend (and specialists) on the
    /// channel in that country and every other, against the plan as it is.
    pub mroi: f64,
}

/// The truth table.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    /// Per country and for the company (`ALL`).
    pub rows: Vec<TruthRow>,
}

impl Truth {
    /// The company-level true share of a channel (0 when unknown).
    pub fn company_share(&self, channel: &str) -> f64 {
        self.rows
            .iter()
            .find(|r| r.country == "ALL" && r.channel == channel)
            .map_or(0.0, |r| r.share)
    }
}

/// One row of `errors.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelError {
    /// Attribution model.
    pub model: String,
    /// Σ over channels of |model share − true share| (0 = perfect, 2 = disjoint).
    pub total_absolute_share_error: f64,
}

/// One row of `errors.csv` from `attribute --truth`: a model's error against the
/// truth on the paths the company could observe, on the true paths, and the
/// difference, what measurement loses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasurementError {
    /// Attribution model.
    pub model: String,
    /// Σ over channels of |model share − true share| on the observed paths
    /// (`journeys.csv`), 0 = perfect, 2 = disjoint.
    pub total_absolute_share_error: f64,
    /// The same on the true paths (`true_journeys.csv`).
    pub error_true_paths: f64,
    /// `total_absolute_share_error − error_true_paths`: the error that the
    /// measurement adds (negative when losing paths happened to help the model).
    pub measurement_loss: f64,
}

/// A simulation's journeys: as the company could observe them, and as they were.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Journeys {
    /// `journeys.csv`: consented, identified touches (see
    /// `omnimix_sim::mechanisms::observation`).
    pub observed: Vec<JourneyRow>,
    /// `true_journeys.csv`: every touch.
    pub true_paths: Vec<JourneyRow>,
}

/// Orders, revenue and total cost per country (+ company last), means over
/// replications.
fn outcomes(
    s: &Scenario,
    st: &omnimix_sim::Strategy,
    opts: &RunOptions,
    exchange: &dyn ShardExchange,
) -> (Vec<[f64; 3]>, Journeys) {
    let world = World::new(s, st);
    let reps = run_on(&world, opts, &Silent, exchange);
    let n = reps.len().max(1) as f64;
    let mut out = vec![[0.0; 3]; world.countries.len() + 1];
    for r in &reps {
        let (company, countries) = replication_kpis(&world, r);
        for (i, k) in countries
            .iter()
            .chain(std::iter::once(&company))
            .enumerate()
        {
            out[i][0] += k.value(Kpi::Purchases) / n;
            out[i][1] += k.value(Kpi::Revenue) / n;
            out[i][2] += k.value(Kpi::CostTotal) / n;
        }
    }
    let rows = if opts.journeys {
        Journeys {
            observed: observed_journey_rows(&world, &reps),
            true_paths: journey_rows(&world, &reps),
        }
    } else {
        Journeys::default()
    };
    (out, rows)
}

/// An attribution table from simulated journey rows (countries pooled).
pub fn journey_table(rows: &[JourneyRow]) -> Result<JourneyTable, StudyError> {
    JourneyTable::from_rows(rows.iter().map(|r| {
        (
            r.path.as_str(),
            r.total_conversions,
            r.total_null,
            r.total_conversion_value,
        )
    }))
    .map_err(|source| StudyError::Journeys {
        what: "simulated journeys",
        source,
    })
}

/// The return of a cost that brought `revenue`: (revenue × margin − cost) / cost, 0
/// without cost (an incremental ROI, or a marginal one for a step in spend).
///
/// ```
/// assert_eq!(omnimix_studies::truth::return_on_cost(500.0, 100.0, 0.4), 1.0);
/// assert_eq!(omnimix_studies::truth::return_on_cost(500.0, 0.0, 0.4), 0.0);
/// ```
pub fn return_on_cost(revenue: f64, cost: f64, margin: f64) -> f64 {
    if cost > 0.0 {
        (revenue * margin - cost) / cost
    } else {
        0.0
    }
}

/// Simulate the scenario's journeys and the counterfactual runs, their shards split
/// over the exchange's processes (every process must call this alike).
pub fn simulate_truth(
    s: &Scenario,
    seed: u64,
    replications: u32,
    exchange: &dyn ShardExchange,
) -> (Journeys, Truth) {
    let opts = RunOptions {
        seed,
        replications,
        first_replication: 0,
        journeys: true,
    };
    let (base, journeys) = outcomes(s, &s.strategy, &opts, exchange);
    let codes: Vec<String> = s
        .countries
        .keys()
        .cloned()
        .chain(std::iter::once("ALL".to_string()))
        .collect();
    let mut rows = Vec::new();
    for c in Channel::PAID {
        let used = s
            .strategy
            .annual_spend
            .values()
            .any(|m| m.get(c.name()).is_some_and(|v| *v > 0.0));
        if !used {
            continue;
        }
        let mut st = s.strategy.clone();
        for m in st.annual_spend.values_mut() {
            m.remove(c.name());
        }
        for m in st.specialists.values_mut() {
            m.remove(c.name());
        }
        for m in st.service_staff.values_mut() {
            m.remove(c.name());
        }
        let plain = RunOptions {
            journeys: false,
            ..opts
        };
        let (without, _) = outcomes(s, &st, &plain, exchange);
        // the margin: 10 % more spend and specialists on the channel everywhere
        let mut more = s.strategy.clone();
        for m in [&mut more.annual_spend, &mut more.specialists] {
            for by in m.values_mut() {
                if let Some(v) = by.get_mut(c.name()) {
                    *v *= 1.1;
                }
            }
        }
        let (plus, _) = outcomes(s, &more, &plain, exchange);
        let margin = s.finance.gross_margin;
        let ratio = |revenue: f64, cost: f64| return_on_cost(revenue, cost, margin);
        for (i, code) in codes.iter().enumerate() {
            let revenue = base[i][1] - without[i][1];
            let cost = base[i][2] - without[i][2];
            rows.push(TruthRow {
                country: code.clone(),
                channel: c.name().into(),
                incremental_orders: base[i][0] - without[i][0],
                incremental_revenue: revenue,
                share: 0.0,
                cost,
                incremental_profit: revenue * margin - cost,
                roi: ratio(revenue, cost),
                mroi: ratio(plus[i][1] - base[i][1], plus[i][2] - base[i][2]),
            });
        }
    }
    for code in &codes {
        let total: f64 = rows
            .iter()
            .filter(|r| &r.country == code)
            .map(|r| r.incremental_orders)
            .sum();
        for r in rows.iter_mut().filter(|r| &r.country == code) {
            r.share = if total > 0.0 {
                r.incremental_orders / total
            } else {
                0.0
            };
        }
    }
    (journeys, Truth { rows })
}

/// Each model's error against the truth on the observed paths (credits `observed`)
/// and on the true paths (credits `true_paths`), and the difference.
pub fn measurement_errors(
    truth: &Truth,
    observed: &[Credit],
    true_paths: &[Credit],
    models: &[Model],
) -> Vec<MeasurementError> {
    model_errors(truth, observed, models)
        .into_iter()
        .zip(model_errors(truth, true_paths, models))
        .map(|(o, t)| MeasurementError {
            model: o.model,
            total_absolute_share_error: o.total_absolute_share_error,
            error_true_paths: t.total_absolute_share_error,
            measurement_loss: o.total_absolute_share_error - t.total_absolute_share_error,
        })
        .collect()
}

/// Each model's total absolute share error against the company-level truth.
pub fn model_errors(truth: &Truth, credits: &[Credit], models: &[Model]) -> Vec<ModelError> {
    let channels: Vec<&str> = truth
        .rows
        .iter()
        .filter(|r| r.country == "ALL")
        .map(|r| r.channel.as_str())
        .collect();
    models
        .iter()
        .map(|m| {
            let model_share = |ch: &str| {
                credits
                    .iter()
                    .find(|c| &c.model == m && c.channel == ch)
                    .map_or(0.0, |c| c.share)
            };
            let mut err: f64 = channels
                .iter()
                .map(|ch| (model_share(ch) - truth.company_share(ch)).abs())
                .sum();
            // credit given to channels the truth does not list (none in practice)
            err += credits
                .iter()
                .filter(|c| &c.model == m && !channels.contains(&c.channel.as_str()))
                .map(|c| c.share)
                .sum::<f64>();
            ModelError {
                model: m.to_string(),
                total_absolute_share_error: err,
            }
        })
        .collect()
}
