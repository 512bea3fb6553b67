//! The planner's state: the scenario source (every what-if is loaded from it with
//! `--set` overrides, through the CLI's loader and validation), the baseline and its
//! runs, the named variants, and the optimisation slot.

use crate::api::{self, WhatIfResponse};
use crate::optimize::Job;
use omnimix_sim::engine::Local;
use omnimix_sim::scenario::load::{ExternalStrategy, load_with_strategy};
use omnimix_sim::{Override, Scenario, ScenarioSource};
use omnimix_studies::whatif::{self, Run, Settings};
use serde::Serialize;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// A check the binary adds to the loader's (e.g. the memory guard of the CLI).
pub type Check = Box<dyn Fn(&Scenario) -> Result<(), String> + Send + Sync>;

/// How the planner simulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannerOptions {
    /// Master seed (default: the scenario's `seed`).
    pub seed: Option<u64>,
    /// Replications of every what-if (default: the scenario's, at least 2).
    pub replications: Option<u32>,
    /// What-ifs simulate this many times fewer agents (the optimizer's search scale).
    pub search_scale: u32,
}

impl Default for PlannerOptions {
    fn default() -> Self {
        PlannerOptions {
            seed: None,
            replications: None,
            search_scale: 10,
        }
    }
}

/// One problem with a request, at the scenario key it concerns (empty: the request).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldProblem {
    /// Dotted key path (`strategy.annual_spend.DE.search`), as in `--set`.
    pub key: String,
    /// The CLI's message for it.
    pub message: String,
}

/// A request the planner cannot run: the CLI's message, and per key its line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct BadRequest {
    /// The whole message, as `omnimix` prints it for the same input.
    pub message: String,
    /// The problems by key, for the page to show next to their fields.
    pub problems: Vec<FieldProblem>,
}

impl BadRequest {
    /// A problem with the request as a whole.
    pub fn new(message: impl Into<String>) -> BadRequest {
        BadRequest {
            message: message.into(),
            problems: Vec::new(),
        }
    }
}

/// A named variant: its changes, and its what-if against the baseline.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Its name.
    pub name: String,
    /// The `--set` overrides that make it.
    pub set: Vec<String>,
    /// A strategy replacing the scenario's (an optimized plan), in the scenario's
    /// `[strategy]` format.
    pub strategy: Option<toml::Table>,
    /// The scenario it is.
    pub scenario: Scenario,
    /// Its KPIs against the baseline.
    pub result: WhatIfResponse,
}

/// The planner of one `omnimix serve`.
pub struct Planner {
    source: ScenarioSource,
    base_set: Vec<String>,
    check: Option<Check>,
    settings: Settings,
    baseline: Scenario,
    baseline_run: Run,
    baseline_result: WhatIfResponse,
    variants: Mutex<Vec<Variant>>,
    pub(crate) job: Mutex<Option<Arc<Job>>>,
    pub(crate) jobs_started: Mutex<u64>,
}

/// Lock a mutex; a panic elsewhere while holding it leaves data that is still whole
/// (every update is one assignment), so it is used as is.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The most a variant's name may hold.
pub const MAX_NAME_CHARS: usize = 60;

impl Planner {
    /// Load the baseline (the source with `base_set`) and simulate it; its problems
    /// are the CLI's.
    pub fn new(
        source: ScenarioSource,
        base_set: Vec<String>,
        options: PlannerOptions,
        check: Option<Check>,
    ) -> Result<Planner, BadRequest> {
        let baseline = load_scenario(&source, &base_set, check.as_ref(), &[], None)?;
        let settings = Settings {
            seed: options.seed.unwrap_or(baseline.seed),
            replications: options.replications.unwrap_or(baseline.replications).max(2),
            search_scale: options.search_scale.max(1),
        };
        let t0 = Instant::now();
        let baseline_run = whatif::run(&baseline, &settings, &Local);
        let w = whatif::compare(&baseline_run, &baseline_run);
        let mut baseline_result =
            api::what_if_response(&baseline, &w, &baseline_run, &baseline_run, settings);
        baseline_result.seconds = t0.elapsed().as_secs_f64();
        Ok(Planner {
            source,
            base_set,
            check,
            settings,
            baseline,
            baseline_run,
            baseline_result,
            variants: Mutex::new(Vec::new()),
            job: Mutex::new(None),
            jobs_started: Mutex::new(0),
        })
    }

    /// The settings every what-if runs with.
    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// The baseline scenario.
    pub fn baseline(&self) -> &Scenario {
        &self.baseline
    }

    /// The baseline's KPIs (against itself: differences 0).
    pub fn baseline_result(&self) -> &WhatIfResponse {
        &self.baseline_result
    }

    /// The scenario source.
    pub fn source(&self) -> &ScenarioSource {
        &self.source
    }

    /// The overrides of the baseline (`omnimix serve --set`).
    pub fn base_set(&self) -> &[String] {
        &self.base_set
    }

    /// The scenario with the baseline's and then `set`'s overrides (and a strategy
    /// replacing its own), loaded and validated as the CLI does: a problem gets the
    /// message `omnimix validate --set ...` prints for it.
    pub fn load(
        &self,
        set: &[String],
        strategy: Option<&toml::Table>,
    ) -> Result<Scenario, BadRequest> {
        load_scenario(
            &self.source,
            &self.base_set,
            self.check.as_ref(),
            set,
            strategy,
        )
    }

    /// A what-if: the scenario with `set` (and `strategy`) simulated at search scale
    /// on the baseline's random numbers, against the baseline.
    pub fn what_if(
        &self,
        set: &[String],
        strategy: Option<&toml::Table>,
    ) -> Result<(Scenario, WhatIfResponse), BadRequest> {
        let s = self.load(set, strategy)?;
        let t0 = Instant::now();
        let run = if s == self.baseline {
            self.baseline_run.clone()
        } else {
            whatif::run_reusing(&s, &self.settings, &Local, Some(&self.baseline_run))
        };
        let r = self.respond(&s, &run, t0);
        Ok((s, r))
    }

    fn respond(&self, s: &Scenario, run: &Run, t0: Instant) -> WhatIfResponse {
        let w = whatif::compare(run, &self.baseline_run);
        let mut r = api::what_if_response(s, &w, run, &self.baseline_run, self.settings);
        r.seconds = t0.elapsed().as_secs_f64();
        r
    }

    /// Save a what-if under a name (new: not `baseline`, not used).
    pub fn save_variant(
        &self,
        name: &str,
        set: Vec<String>,
        strategy: Option<toml::Table>,
    ) -> Result<Variant, BadRequest> {
        let name = check_name(name)?;
        if self.variant(&name).is_some() {
            return Err(BadRequest::new(format!(
                "a variant named {name} exists: choose another name or delete it first"
            )));
        }
        let (scenario, result) = self.what_if(&set, strategy.as_ref())?;
        let v = Variant {
            name: name.clone(),
            set,
            strategy,
            scenario,
            result,
        };
        let mut all = lock(&self.variants);
        if all.iter().any(|x| x.name == name) {
            return Err(BadRequest::new(format!(
                "a variant named {name} exists: choose another name or delete it first"
            )));
        }
        all.push(v.clone());
        Ok(v)
    }

    /// The saved variants, in the order saved.
    pub fn variants(&self) -> Vec<Variant> {
        lock(&self.variants).clone()
    }

    /// A saved variant.
    pub fn variant(&self, name: &str) -> Option<Variant> {
        lock(&self.variants)
            .iter()
            .find(|v| v.name == name)
            .cloned()
    }

    /// Delete a saved variant; false when there was none.
    pub fn delete_variant(&self, name: &str) -> bool {
        let mut all = lock(&self.variants);
        let n = all.len();
        all.retain(|v| v.name != name);
        all.len() < n
    }

    /// A free name `stem`, `stem 2`, `stem 3`, ...
    pub fn free_name(&self, stem: &str) -> String {
        let all = lock(&self.variants);
        let used = |n: &str| n == "baseline" || all.iter().any(|v| v.name == n);
        if !used(stem) {
            return stem.to_string();
        }
        (2..)
            .map(|i| format!("{stem} {i}"))
            .find(|n| !used(n))
            .unwrap_or_default()
    }
}

/// [`Planner::load`] before there is a planner.
fn load_scenario(
    source: &ScenarioSource,
    base_set: &[String],
    check: Option<&Check>,
    set: &[String],
    strategy: Option<&toml::Table>,
) -> Result<Scenario, BadRequest> {
    let mut overrides = Vec::new();
    for s in base_set.iter().chain(set) {
        match s.parse::<Override>() {
            Ok(o) => overrides.push(o),
            Err(e) => {
                let key = s.split_once('=').map_or("", |(k, _)| k.trim()).to_string();
                let message = format!("--set {e}");
                return Err(BadRequest {
                    problems: vec![FieldProblem {
                        key,
                        message: message.clone(),
                    }],
                    message,
                });
            }
        }
    }
    let ext = strategy.map(|t| ExternalStrategy {
        origin: "the optimized plan".into(),
        table: t.clone(),
        others_keep_scenario: false,
    });
    let s = load_with_strategy(source, &overrides, ext.as_ref()).map_err(|e| {
        let message = e.to_string().trim_end().to_string();
        // the message has a heading line, then one line per problem
        let problems = e
            .problems
            .iter()
            .zip(message.lines().skip(1))
            .map(|(p, line)| FieldProblem {
                key: p.path.clone(),
                message: line.trim().to_string(),
            })
            .collect();
        BadRequest { message, problems }
    })?;
    if let Some(check) = check {
        check(&s).map_err(BadRequest::new)?;
    }
    Ok(s)
}

/// A variant's name: trimmed, 1 to [`MAX_NAME_CHARS`] characters, no control
/// characters, and not `baseline`.
pub fn check_name(name: &str) -> Result<String, BadRequest> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME_CHARS || n.chars().any(char::is_control) {
        return Err(BadRequest {
            message: format!(
                "name {name:?}: 1 to {MAX_NAME_CHARS} characters, no control characters"
            ),
            problems: vec![FieldProblem {
                key: "name".into(),
                message: format!("1 to {MAX_NAME_CHARS} characters, no control characters"),
            }],
        });
    }
    if n == "baseline" {
        return Err(BadRequest {
            message: "name baseline: the baseline is the scenario as it is; choose another name"
                .into(),
            problems: vec![FieldProblem {
                key: "name".into(),
                message: "baseline is the scenario as it is; choose another name".into(),
            }],
        });
    }
    Ok(n.to_string())
}
