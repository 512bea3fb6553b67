//! Parameter uncertainty: the scenarios of a posterior's draws (`posterior.csv` of
//! `omnimix calibrate`), one per draw, and the worlds and runs that put replication
//! `r` on draw `r mod n`.
//!
//! Replication `r` of every strategy runs on the same draw, as it runs on the same
//! random numbers, so differences between strategies stay paired. Without draws every
//! replication runs on the scenario itself, exactly as the engine's
//! [`omnimix_sim::engine::run_on`] does.
//!
//! ```
//! use omnimix_studies::posterior::{Draws, Worlds};
//! use omnimix_sim::{ScenarioSource, scenario::load::load, scenario::calibrate::Posterior};
//! use omnimix_sim::engine::{RunOptions, Silent, Local};
//! let text = "name = 't'\n[finance]\nannual_budget = 1e6\n[countries.DE]\npopulation = 2000\n\
//!             [strategy.annual_spend.DE]\nsearch = 100000\n[strategy.specialists.DE]\nsearch = 1\n";
//! let s = load(&ScenarioSource::new("t", text), &[]).unwrap();
//! let p = Posterior { names: vec!["channels.search.conversion".into()],
//!                     draws: vec![vec![0.002], vec![0.05]] };
//! let draws = Draws::new(&s, &p, "posterior.csv").unwrap();
//! assert_eq!(draws.scenario_for(&s, 3).channels["search"].conversion, 0.05);
//! let worlds = Worlds::new(&s, &draws, &s.strategy, 0..2);
//! let opts = RunOptions { seed: 1, replications: 2, first_replication: 0, journeys: false };
//! assert_eq!(worlds.run_on(&opts, &Silent, &Local).len(), 2);
//! ```

use omnimix_sim::engine::{Observer, Replication, RunOptions, ShardExchange, run_replication_on};
use omnimix_sim::kpis::{KpiSummary, Kpis, Summary, incremental_kpis, replication_kpis};
use omnimix_sim::scenario::calibrate::Posterior;
use omnimix_sim::{Scenario, Strategy, World};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::ops::Range;

/// What the intervals cover without a posterior.
pub const NOISE_ONLY: &str = "run-to-run noise";

/// The scenarios of a posterior's draws (none: every replication runs on the scenario).
#[derive(Debug, Clone, Default)]
pub struct Draws {
    /// Where the draws came from (the posterior file), for the files.
    pub source: String,
    /// The key paths the draws set.
    pub names: Vec<String>,
    /// One scenario per draw.
    pub scenarios: Vec<Scenario>,
}

impl Draws {
    /// No posterior: run-to-run noise only.
    pub fn none() -> Draws {
        Draws::default()
    }

    /// Every draw of `posterior` applied to `base`; an error names the first draw
    /// whose values do not fit the scenario and why.
    pub fn new(base: &Scenario, posterior: &Posterior, source: &str) -> Result<Draws, String> {
        let scenarios = (0..posterior.draws.len())
            .map(|i| {
                posterior
                    .scenario_for(base, i as u32)
                    .map_err(|e| format!("draw {i}: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Draws {
            source: source.to_string(),
            names: posterior.names.clone(),
            scenarios,
        })
    }

    /// Draws.
    pub fn len(&self) -> usize {
        self.scenarios.len()
    }

    /// No draws.
    pub fn is_empty(&self) -> bool {
        self.scenarios.is_empty()
    }

    /// The scenario of replication `rep`: draw `rep mod n`, or `base` without draws.
    pub fn scenario_for<'a>(&'a self, base: &'a Scenario, rep: u32) -> &'a Scenario {
        match self.len() {
            0 => base,
            n => &self.scenarios[rep as usize % n],
        }
    }

    /// The draws with a change made to each scenario (e.g. the search's coarser agents).
    pub fn map(&self, f: impl Fn(&mut Scenario)) -> Draws {
        Draws {
            source: self.source.clone(),
            names: self.names.clone(),
            scenarios: self
                .scenarios
                .iter()
                .map(|s| {
                    let mut s = s.clone();
                    f(&mut s);
                    s
                })
                .collect(),
        }
    }

    /// What an interval over replications covers: `run-to-run noise`, or `run-to-run
    /// noise and parameter uncertainty (N posterior draws)`.
    pub fn interval_covers(&self) -> String {
        match self.len() {
            0 => NOISE_ONLY.into(),
            n => format!("{NOISE_ONLY} and parameter uncertainty ({n} posterior draws)"),
        }
    }

    /// The posterior file, when there are draws.
    pub fn posterior(&self) -> Option<String> {
        (!self.is_empty()).then(|| self.source.clone())
    }
}

/// A strategy's world on the scenario of each draw that a range of replications uses
/// (one world without draws).
pub struct Worlds {
    /// Without draws: the one world.
    base: World,
    /// With draws: draw index -> its world.
    per_draw: BTreeMap<usize, World>,
    /// Draws in the posterior (0: none).
    n: usize,
}

impl Worlds {
    /// The worlds of strategy `st` for replications `reps`.
    pub fn new(base: &Scenario, draws: &Draws, st: &Strategy, reps: Range<u32>) -> Worlds {
        let n = draws.len();
        let per_draw = if n == 0 {
            BTreeMap::new()
        } else {
            let used: std::collections::BTreeSet<usize> = reps.map(|r| r as usize % n).collect();
            used.into_iter()
                .map(|d| (d, World::new(&draws.scenarios[d], st)))
                .collect()
        };
        // without draws the base world is the only one; with draws it supplies what
        // the draws share (countries, agents, horizon) to the files
        let base = match per_draw.values().next() {
            Some(w) if n > 0 => World::new(&w.scenario, st),
            _ => World::new(base, st),
        };
        Worlds { base, per_draw, n }
    }

    /// The world of replication `rep`.
    pub fn for_rep(&self, rep: u32) -> &World {
        if self.n == 0 {
            return &self.base;
        }
        self.per_draw
            .get(&(rep as usize % self.n))
            .unwrap_or(&self.base)
    }

    /// The world of the first replication: the one world without draws.
    pub fn first(&self) -> &World {
        &self.base
    }

    /// Run the replications of `opts`, each on its world, as
    /// [`omnimix_sim::engine::run_on`] does (byte-identical to it without draws).
    pub fn run_on(
        &self,
        opts: &RunOptions,
        observer: &dyn Observer,
        exchange: &dyn ShardExchange,
    ) -> Vec<Replication> {
        let reps = opts.first_replication..opts.first_replication + opts.replications;
        let one = |r| {
            run_replication_on(
                self.for_rep(r),
                opts.seed,
                r,
                opts.journeys,
                observer,
                exchange,
            )
        };
        if exchange.processes() <= 1 {
            reps.into_par_iter().map(one).collect()
        } else {
            reps.map(one).collect()
        }
    }

    /// Company and country KPIs of each replication on its world, the incremental ones
    /// against `without` (the same replications without paid media), paired by position.
    pub fn kpis(
        &self,
        reps: &[Replication],
        without: Option<(&Worlds, &[Replication])>,
    ) -> Vec<(Kpis, Vec<Kpis>)> {
        match without {
            Some((w0, r0)) => reps
                .iter()
                .zip(r0)
                .map(|(r, z)| incremental_kpis(self.for_rep(r.index), r, w0.for_rep(z.index), z))
                .collect(),
            None => reps
                .iter()
                .map(|r| replication_kpis(self.for_rep(r.index), r))
                .collect(),
        }
    }

    /// The summary of the replications (see [`omnimix_sim::kpis::summarise_with`]),
    /// each replication's KPIs on its own world.
    pub fn summarise(
        &self,
        strategy_name: &str,
        seed: u64,
        reps: &[Replication],
        without: Option<(&Worlds, &[Replication])>,
    ) -> Summary {
        let mut summary = omnimix_sim::kpis::summarise_with(
            self.first(),
            strategy_name,
            seed,
            reps,
            without.map(|(w, r)| (w.first(), r)),
        );
        if self.n > 0 {
            let per_rep = self.kpis(reps, without);
            summary.company =
                KpiSummary::from_replications(&per_rep.iter().map(|x| &x.0).collect::<Vec<_>>());
            for (ci, k) in summary.countries.values_mut().enumerate() {
                let ks: Vec<&Kpis> = per_rep.iter().filter_map(|x| x.1.get(ci)).collect();
                *k = KpiSummary::from_replications(&ks);
            }
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnimix_sim::engine::{Local, Silent, run_on};
    use omnimix_sim::scenario::load::load;
    use omnimix_sim::{ScenarioSource, kpis::Kpi};

    fn small() -> Scenario {
        let text = "name = 't'\nhorizon_weeks = 8\n[finance]\nannual_budget = 1e6\n\
                    [countries.DE]\npopulation = 3000\n[strategy.annual_spend.DE]\n\
                    search = 100000\n[strategy.specialists.DE]\nsearch = 1\n";
        load(&ScenarioSource::new("t", text), &[]).unwrap()
    }

    fn opts(reps: u32) -> RunOptions {
        RunOptions {
            seed: 9,
            replications: reps,
            first_replication: 0,
            journeys: false,
        }
    }

    #[test]
    fn without_draws_the_runs_and_summary_are_the_engines() {
        let s = small();
        let worlds = Worlds::new(&s, &Draws::none(), &s.strategy, 0..3);
        let ours = worlds.run_on(&opts(3), &Silent, &Local);
        let world = World::new(&s, &s.strategy);
        let theirs = run_on(&world, &opts(3), &Silent, &Local);
        let a = worlds.summarise("current", 9, &ours, None);
        let b = omnimix_sim::kpis::summarise(&world, "current", 9, &theirs);
        assert_eq!(a, b);
    }

    #[test]
    fn replication_r_runs_on_draw_r_mod_n() {
        let s = small();
        let p = Posterior {
            names: vec!["channels.search.conversion".into()],
            draws: vec![vec![0.0], vec![0.2]],
        };
        let draws = Draws::new(&s, &p, "p.csv").unwrap();
        let worlds = Worlds::new(&s, &draws, &s.strategy, 0..4);
        let runs = worlds.run_on(&opts(4), &Silent, &Local);
        let new = |i: usize| {
            worlds.kpis(&runs[i..=i], None)[0]
                .0
                .value(Kpi::NewCustomers)
        };
        // draw 1 converts on search, draw 0 never does
        assert!(
            new(1) > new(0) && new(3) > new(2),
            "{:?}",
            (0..4).map(new).collect::<Vec<_>>()
        );
        assert_eq!(
            worlds.for_rep(2).scenario.channels["search"].conversion,
            0.0
        );
        assert_eq!(
            worlds.for_rep(3).scenario.channels["search"].conversion,
            0.2
        );
        assert!(
            Draws::new(&s, &p, "p.csv")
                .unwrap()
                .interval_covers()
                .contains("(2 posterior draws)")
        );
        let bad = Posterior {
            names: vec!["channels.search.conversion".into()],
            draws: vec![vec![0.1], vec![-1.0]],
        };
        let e = Draws::new(&s, &bad, "p.csv").unwrap_err();
        assert!(e.starts_with("draw 1: channels.search.conversion"), "{e}");
    }
}
