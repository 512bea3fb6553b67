//! `omnimix optimize`: search the scenario's decision space with the simulator as
//! the evaluator, then compare the plan with the current strategy and an equal split
//! on fresh replications at full resolution.
//!
//! The search's evaluations go through the backend's farm (rayon threads, or MPI ranks
//! with rank 0 running the optimizer); the final comparison is one run per strategy
//! whose shards are split over the backend's ranks. Rank 0 writes the files.

use crate::backend::Backend;
use crate::config::{OptimizeConfig, with_threads};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use omnimix_optimizer::plan::PlanSpace;
use omnimix_optimizer::{
    Checkpointer, Evaluator, FrontPoint, OUT_OF_SAMPLE_BASE, Observer, Options, ParetoState, Risk,
    TargetOptions, TargetState, minimal_budget_resumable, optimize, optimize_pareto_resumable,
};
use omnimix_sim::engine::{
    Local, Replication, RunOptions, ShardExchange, Silent, run_on, run_replication,
};
use omnimix_sim::kpis::{KpiSummary, Kpis, replication_kpis};
use omnimix_sim::stats::{Interval, interval};
use omnimix_sim::{Channel, Scenario, Strategy, World};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What the search maximises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// 12-month retention of the week-0 customers (at the horizon if shorter).
    Retention,
    /// Return on investment.
    Roi,
    /// Net present value over the horizon.
    Npv,
    /// Revenue.
    Revenue,
    /// The front of retention vs ROI.
    Pareto,
}

impl Objective {
    pub fn parse(s: &str) -> Option<Objective> {
        Some(match s {
            "retention" => Objective::Retention,
            "roi" => Objective::Roi,
            "npv" => Objective::Npv,
            "revenue" => Objective::Revenue,
            "pareto" => Objective::Pareto,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Objective::Retention => "retention",
            Objective::Roi => "roi",
            Objective::Npv => "npv",
            Objective::Revenue => "revenue",
            Objective::Pareto => "pareto",
        }
    }
    /// The KPI maximised (objective 0; retention for the front).
    fn kpi(self) -> &'static str {
        match self {
            Objective::Retention | Objective::Pareto => "retention",
            Objective::Roi => "roi",
            Objective::Npv => "npv",
            Objective::Revenue => "revenue",
        }
    }
}

/// A KPI of one replication by name (transitional).
pub(crate) fn kpi(k: &Kpis, name: &str) -> f64 {
    name.parse::<omnimix_sim::kpis::Kpi>().map_or(0.0, |n| k.value(n))
}

/// The summary value of a KPI name (transitional).
fn summary_get<'a>(k: &'a KpiSummary, name: &str) -> Option<&'a Interval> {
    k.get(name.parse().ok()?)
}

/// Objective values of one simulated replication: retention and ROI for the front,
/// else the objective first, then retention and ROI (reported, not searched).
fn objectives(world: &World, rep: &Replication, obj: Objective) -> Vec<f64> {
    let (company, _) = replication_kpis(world, rep);
    let pair = [kpi(&company, "retention"), kpi(&company, "roi")];
    if obj == Objective::Pareto {
        pair.to_vec()
    } else {
        vec![kpi(&company, obj.kpi()), pair[0], pair[1]]
    }
}

struct Bar {
    bar: ProgressBar,
    started: Instant,
    quiet: bool,
}

impl Observer for Bar {
    fn progress(&self, evals_done: usize, best: f64) {
        self.bar.set_position(evals_done as u64);
        self.bar.set_message(format!("best {best:.4}"));
        if !self.quiet && self.bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

/// Writes the search state atomically after every batch; the first write error is
/// kept and reported when the search ends.
struct FileCheckpointer {
    path: std::path::PathBuf,
    error: Option<omnimix_reports::ReportError>,
}

impl<S: Serialize> Checkpointer<S> for FileCheckpointer {
    fn save(&mut self, state: &S) {
        if self.error.is_none()
            && let Err(e) = omnimix_reports::write_json(&self.path, state)
        {
            self.error = Some(e);
        }
    }
}

#[derive(Serialize)]
struct PlanFile<'a> {
    omnimix_version: &'static str,
    scenario: &'a str,
    objective: &'static str,
    risk: String,
    seed: u64,
    evaluations: usize,
    strategy: &'a Strategy,
}

#[derive(Serialize)]
struct PlanRow {
    country: String,
    channel: &'static str,
    spend: f64,
    service_staff: f64,
    specialists: f64,
    share: f64,
}

/// One row of `plan_phases.csv`.
#[derive(Serialize)]
struct PhaseRow {
    phase: usize,
    first_week: u32,
    last_week: u32,
    country: String,
    channel: &'static str,
    /// Annual run rate during the phase.
    annual_rate: f64,
    /// Money spent in the phase.
    spend: f64,
}

#[derive(Serialize)]
struct TraceRow {
    evaluation: usize,
    best: f64,
}

#[derive(Serialize)]
struct ParetoRow {
    point: usize,
    retention: f64,
    roi: f64,
    cost_total: f64,
}

#[derive(Serialize)]
struct TargetStepRow {
    /// Budget over the horizon tried.
    budget: f64,
    /// Out-of-sample objective of the best plan at that budget (none: infeasible).
    estimate: Option<f64>,
    reached: bool,
}

#[derive(Serialize)]
struct TargetReport {
    kpi: &'static str,
    value: f64,
    /// The plan's planned cost per 52 weeks: the smallest annual budget found that reaches the target.
    annual_budget_needed: f64,
    /// The plan's KPI on fresh replications at full resolution meets the target.
    met_on_fresh_replications: bool,
    steps: Vec<TargetStepRow>,
}

#[derive(Serialize)]
struct Comparison {
    omnimix_version: &'static str,
    scenario: String,
    currency: String,
    objective: &'static str,
    risk: String,
    seed: u64,
    evaluations: usize,
    search_agent_scale: u32,
    replications: u32,
    first_replication: u32,
    interval: &'static str,
    plan: KpiSummary,
    current: KpiSummary,
    equal_split: KpiSummary,
    /// plan − baseline, paired by replication (common random numbers).
    difference_vs_current: BTreeMap<String, Interval>,
    difference_vs_equal_split: BTreeMap<String, Interval>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<TargetReport>,
}

const COMPARED: [&str; 6] = [
    "retention",
    "roi",
    "npv",
    "revenue",
    "active_customers",
    "cost_total",
];

fn paired(a: &[Kpis], b: &[Kpis]) -> BTreeMap<String, Interval> {
    COMPARED
        .iter()
        .map(|name| {
            let d: Vec<f64> = a
                .iter()
                .zip(b)
                .map(|(x, y)| kpi(x, name) - kpi(y, name))
                .collect();
            (
                name.to_string(),
                interval(&d, omnimix_sim::kpis::INTERVAL_LEVEL),
            )
        })
        .collect()
}

/// KPIs of a strategy on fresh replications at full resolution; under several ranks
/// every rank must call it alike (the shards are split over them).
fn evaluate_fresh(
    s: &Scenario,
    st: &Strategy,
    seed: u64,
    reps: u32,
    exchange: &dyn ShardExchange,
) -> Vec<Kpis> {
    let world = World::new(s, st);
    let opts = RunOptions {
        seed,
        replications: reps,
        first_replication: OUT_OF_SAMPLE_BASE,
        journeys: false,
    };
    run_on(&world, &opts, &Silent, exchange)
        .iter()
        .map(|r| replication_kpis(&world, r).0)
        .collect()
}

/// A search error as the CLI reports it: a checkpoint of another run is bad input.
fn resume_error(what: &'static str) -> impl Fn(omnimix_optimizer::Error) -> anyhow::Error {
    move |e| match e {
        omnimix_optimizer::Error::ResumeMismatch { .. } => {
            anyhow::Error::from(crate::config::BadInput(format!("--resume: {e}")))
        }
        e => anyhow::Error::from(e).context(what),
    }
}

/// Search results that only rank 0 has: trace, evaluations, front, target steps.
type Found = (
    Vec<(usize, f64)>,
    usize,
    Option<Vec<FrontPoint>>,
    Option<Vec<TargetStepRow>>,
);

/// Run `omnimix optimize` on every rank of the backend.
pub fn run_optimize(cfg: &OptimizeConfig, backend: &dyn Backend) -> Result<()> {
    let s = &cfg.scenario;
    let mut ps = PlanSpace::new(s, &s.strategy).with_phases(cfg.phases);
    ps.constrain(&cfg.fixes)
        .map_err(|e| crate::config::BadInput(format!("--fix / [optimize]: {e}")))?;
    if let Err(conflicts) = ps.space.feasibility() {
        let list: Vec<String> = conflicts.iter().map(|c| format!("  {c}")).collect();
        return Err(crate::config::BadInput(format!(
            "the constraints cannot all be met:\n{}",
            list.join("\n")
        ))
        .into());
    }
    let mut search = s.clone();
    search.agent_scale = s.agent_scale.saturating_mul(cfg.search_scale).max(1);
    let obj = cfg.objective;
    let seed = cfg.seed;
    let evaluate = |x: &[f64], rep: u32| {
        let st = ps.decode(x);
        let world = World::new(&search, &st);
        let r = run_replication(&world, seed, rep, false, &Silent);
        objectives(&world, &r, obj)
    };
    let options = Options {
        evals: cfg.evals,
        seed,
        risk: cfg.risk,
        initial: ps.warm_starts(),
        directions: ps.directions(),
        polish_share: 0.7,
        final_replications: cfg.final_replications.min(8),
        resume_from: match &cfg.resume_from {
            Some(crate::config::Resume::Search(s)) => Some(s.clone()),
            _ => None,
        },
        ..Options::default()
    };
    let mut checkpointer = cfg.checkpoint.as_ref().map(|dir| FileCheckpointer {
        path: crate::config::checkpoint_file(dir),
        error: None,
    });
    let bar = ProgressBar::with_draw_target(Some(cfg.evals as u64), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template("optimizing {bar:40.cyan/blue} {pos}/{len} evaluations {elapsed_precise} (eta {eta}) {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let observer = Bar {
        bar,
        started: Instant::now(),
        quiet: cfg.quiet,
    };
    let t0 = Instant::now();
    let out_dir = &cfg.out;

    let mut found: Option<Found> = None;
    let mut search_fn = |evaluator: &dyn Evaluator| -> Result<Vec<f64>> {
        let (x, trace, evals_done, front, target_steps) = (|| -> Result<_> {
            if obj == Objective::Pareto {
                let cp = checkpointer
                    .as_mut()
                    .map(|c| c as &mut dyn Checkpointer<ParetoState>);
                let resume = match &cfg.resume_from {
                    Some(crate::config::Resume::Pareto(s)) => Some(s.clone()),
                    _ => None,
                };
                let o = optimize_pareto_resumable(
                    &ps.space, evaluator, &options, &observer, cp, resume,
                )
                .map_err(resume_error("Pareto search failed"))?;
                // The plan reported is the front's best-retention point whose ROI is positive,
                // else the best-retention point.
                let by_retention =
                    |a: &&FrontPoint, b: &&FrontPoint| a.objectives[0].total_cmp(&b.objectives[0]);
                let best = o
                    .front
                    .iter()
                    .filter(|p| p.objectives[1] > 0.0)
                    .max_by(by_retention)
                    .or_else(|| o.front.iter().max_by(by_retention))
                    .context("empty front")?;
                let trace = vec![(o.evals_done, best.objectives[0])];
                Ok((
                    best.x.clone(),
                    trace,
                    o.evals_done,
                    Some(o.front.clone()),
                    None,
                ))
            } else if let Some(target) = cfg.target {
                // The bisection works on the coarse search model; the plan must meet the
                // target at full resolution on fresh replications, so aim higher by the
                // shortfall and search again when it does not (three rounds at most).
                let mut aim = target;
                let mut steps = Vec::new();
                let mut evals = 0;
                let mut chosen = None;
                // One record of the inner searches across rounds (a budget is searched
                // once), resumed from the checkpoint when asked.
                let mut state = match &cfg.resume_from {
                    Some(crate::config::Resume::Target(s)) => s.clone(),
                    _ => TargetState::default(),
                };
                for _ in 0..3 {
                    let topts = TargetOptions {
                        search: options.clone(),
                        target: aim,
                        ..TargetOptions::default()
                    };
                    let cp = checkpointer
                        .as_mut()
                        .map(|c| c as &mut dyn Checkpointer<TargetState>);
                    let o = minimal_budget_resumable(&ps.space, evaluator, &topts, &observer, cp, &mut state).map_err(|e| match e {
                        omnimix_optimizer::Error::TargetUnreachable { target, best, .. } => anyhow::anyhow!(
                            "the target {} = {target} is not reached even with the whole budget (best plan: {best:.4}); \
                             raise finance.annual_budget or lower the target",
                            obj.kpi()
                        ),
                        e => resume_error("target search failed")(e),
                    })?;
                    evals += o.steps.len() * options.evals;
                    steps.extend(o.steps.iter().map(|t| TargetStepRow {
                        budget: t.budget,
                        estimate: t.estimate,
                        reached: t.reached,
                    }));
                    let full = evaluate_fresh(
                        s,
                        &ps.decode(&o.plan.x),
                        seed,
                        cfg.final_replications,
                        &Local,
                    );
                    let achieved = full.iter().map(|k| kpi(k, obj.kpi())).sum::<f64>()
                        / full.len().max(1) as f64;
                    let done = achieved >= target;
                    chosen = Some((o.plan.x.clone(), o.plan.trace.clone()));
                    if done {
                        break;
                    }
                    aim += (target - achieved) * 1.5;
                }
                let (x, trace) = chosen.context("no target round ran")?;
                Ok((x, trace, evals, None, Some(steps)))
            } else {
                let cp = checkpointer.as_mut().map(|c| c as &mut dyn Checkpointer);
                let o = optimize(&ps.space, evaluator, &options, &observer, cp)
                    .map_err(resume_error("search failed"))?;
                Ok((o.x.clone(), o.trace.clone(), o.evals_done, None, None))
            }
        })()?;
        found = Some((trace, evals_done, front, target_steps));
        Ok(x)
    };
    let answer = with_threads(cfg.threads, || backend.farm(&evaluate, &mut search_fn))??;
    let Some(x) = answer else {
        // Rank 0's search failed; rank 0 reports it and ends the job.
        return Ok(());
    };
    observer.bar.finish_and_clear();
    let plan = ps.decode(&x);
    let search_secs = t0.elapsed().as_secs_f64();

    // Out of sample, full resolution, paired replications (on every rank).
    let reps = cfg.final_replications;
    let equal = ps.equal_split();
    let ex = backend.shards();
    let (k_plan, k_cur, k_eq) = with_threads(cfg.threads, || {
        (
            evaluate_fresh(s, &plan, seed, reps, ex),
            evaluate_fresh(s, &s.strategy, seed, reps, ex),
            evaluate_fresh(s, &equal, seed, reps, ex),
        )
    })?;
    if !backend.is_root() {
        return Ok(());
    }
    if let Some(e) = checkpointer.and_then(|c| c.error) {
        return Err(anyhow::Error::from(e).context("checkpoint"));
    }
    let (trace, evals_done, front, target_steps) = found.context("the search left no result")?;
    let summary = |k: &[Kpis]| KpiSummary::from_replications(&k.iter().collect::<Vec<_>>());
    let risk_name = cfg.risk_name.clone();
    let comparison = Comparison {
        omnimix_version: env!("CARGO_PKG_VERSION"),
        scenario: s.name.clone(),
        currency: s.currency.clone(),
        objective: obj.name(),
        risk: risk_name.clone(),
        seed,
        evaluations: evals_done,
        search_agent_scale: search.agent_scale,
        replications: reps,
        first_replication: OUT_OF_SAMPLE_BASE,
        interval: "90 % Student-t interval of the mean over fresh replications; differences paired by replication",
        plan: summary(&k_plan),
        current: summary(&k_cur),
        equal_split: summary(&k_eq),
        difference_vs_current: paired(&k_plan, &k_cur),
        difference_vs_equal_split: paired(&k_plan, &k_eq),
        target: target_steps.map(|steps| {
            let value = cfg.target.unwrap_or(f64::NAN);
            let mean =
                k_plan.iter().map(|k| kpi(k, obj.kpi())).sum::<f64>() / k_plan.len().max(1) as f64;
            TargetReport {
                kpi: obj.kpi(),
                value,
                annual_budget_needed: omnimix_sim::mechanisms::finance::planned_costs(s, &plan)
                    .total()
                    * 52.0
                    / s.horizon_weeks as f64,
                met_on_fresh_replications: mean >= value,
                steps,
            }
        }),
    };

    // Files.
    let plan_file = PlanFile {
        omnimix_version: env!("CARGO_PKG_VERSION"),
        scenario: &s.name,
        objective: obj.name(),
        risk: risk_name,
        seed,
        evaluations: evals_done,
        strategy: &plan,
    };
    let mut written = vec![out_dir.join("plan.json")];
    omnimix_reports::write_json(&written[0], &plan_file)?;
    written.push(out_dir.join("plan.csv"));
    omnimix_reports::write_csv(&written[1], &plan_rows(s, &plan))?;
    written.push(out_dir.join("summary.json"));
    omnimix_reports::write_json(&written[2], &comparison)?;
    written.push(out_dir.join("trace.csv"));
    let trace_rows: Vec<TraceRow> = trace
        .iter()
        .map(|&(e, b)| TraceRow {
            evaluation: e,
            best: b,
        })
        .collect();
    omnimix_reports::write_csv(&written[3], &trace_rows)?;
    if !plan.phases.is_empty() {
        let f = out_dir.join("plan_phases.csv");
        omnimix_reports::write_csv(&f, &phase_rows(s, &plan))?;
        written.push(f);
    }
    let xlsx = out_dir.join("budget.xlsx");
    let sheets = budget_sheets(s, &plan, &comparison, obj);
    omnimix_reports::workbook::write_workbook(&xlsx, &s.currency, &sheets)?;
    written.push(xlsx);
    written.extend(omnimix_reports::workbook::write_sheets_csv(
        out_dir, "budget", &sheets,
    )?);
    if let Some(points) = front {
        let rows: Vec<ParetoRow> = points
            .iter()
            .enumerate()
            .map(|(i, p)| ParetoRow {
                point: i + 1,
                retention: p.objectives[0],
                roi: p.objectives[1],
                cost_total: omnimix_sim::mechanisms::finance::planned_costs(s, &ps.decode(&p.x))
                    .total(),
            })
            .collect();
        let pareto = out_dir.join("pareto.csv");
        omnimix_reports::write_csv(&pareto, &rows)?;
        written.push(pareto);
    }
    if cfg.report {
        let input = crate::analysis::Input {
            scenario: s,
            plan: &plan,
            current: &s.strategy,
            equal_split: Some(&equal),
            seed,
            search_scale: cfg.search_scale,
            objective: obj.kpi(),
        };
        written.extend(with_threads(cfg.threads, || {
            crate::analysis::write(out_dir, &input)
        })??);
        written.extend(crate::report::render(out_dir)?);
    }
    if !cfg.quiet {
        print_comparison(&comparison, obj, search_secs, t0.elapsed().as_secs_f64());
        crate::commands::print_written(&written);
    }
    Ok(())
}

/// Spend per phase, country and channel (paid and service channels that spend).
fn phase_rows(s: &Scenario, st: &Strategy) -> Vec<PhaseRow> {
    let mut rows = Vec::new();
    for (k, p) in st.spend_periods(s.horizon_weeks).iter().enumerate() {
        for code in s.countries.keys() {
            for c in Channel::ALL {
                let rate = st.spend_in(p, code, c.name());
                if rate > 0.0 {
                    rows.push(PhaseRow {
                        phase: k + 1,
                        first_week: p.start + 1,
                        last_week: p.end,
                        country: code.clone(),
                        channel: c.name(),
                        annual_rate: rate,
                        spend: rate * f64::from(p.end - p.start) / 52.0,
                    });
                }
            }
        }
    }
    rows
}

fn plan_rows(s: &Scenario, st: &Strategy) -> Vec<PlanRow> {
    let budget = s.finance.annual_budget;
    let mut rows = Vec::new();
    for code in s.countries.keys() {
        for c in Channel::ALL {
            let g = |m: &omnimix_sim::scenario::ByCountryChannel| {
                m.get(code)
                    .and_then(|x| x.get(c.name()))
                    .copied()
                    .unwrap_or(0.0)
            };
            let (spend, staff, spec) = (
                g(&st.annual_spend),
                g(&st.service_staff),
                g(&st.specialists),
            );
            if spend > 0.0 || staff > 0.0 || spec > 0.0 {
                rows.push(PlanRow {
                    country: code.clone(),
                    channel: c.name(),
                    spend,
                    service_staff: staff,
                    specialists: spec,
                    share: spend / budget,
                });
            }
        }
    }
    rows
}

fn print_comparison(c: &Comparison, obj: Objective, search_secs: f64, total_secs: f64) {
    println!(
        "{}: optimized for {} ({} risk) with {} evaluations in {:.0} s; compared on {} fresh replications ({:.0} s in all)",
        c.scenario,
        obj.name(),
        c.risk,
        c.evaluations,
        search_secs,
        c.replications,
        total_secs
    );
    let show = |k: &KpiSummary, name: &str| -> String {
        summary_get(k, name).map_or("-".into(), |i| format!("{:.4}", i.mean))
    };
    println!(
        "{:<18} {:>14} {:>14} {:>14}",
        "", "plan", "current", "equal split"
    );
    for name in COMPARED {
        println!(
            "{:<18} {:>14} {:>14} {:>14}",
            name,
            show(&c.plan, name),
            show(&c.current, name),
            show(&c.equal_split, name)
        );
    }
    if let Some(t) = &c.target {
        println!(
            "target {} >= {}: smallest annual budget found {:.0} {}; met on fresh replications: {}",
            t.kpi,
            t.value,
            t.annual_budget_needed,
            c.currency,
            if t.met_on_fresh_replications {
                "yes"
            } else {
                "no"
            }
        );
    }
    let d = &c.difference_vs_current[obj.kpi()];
    let e = &c.difference_vs_equal_split[obj.kpi()];
    let fmt = |i: &Interval| match (i.lo, i.hi) {
        (Some(lo), Some(hi)) => format!("{:+.4} [{:+.4}, {:+.4}]", i.mean, lo, hi),
        _ => format!("{:+.4}", i.mean),
    };
    println!(
        "{} gain vs current: {}; vs equal split: {}",
        obj.kpi(),
        fmt(d),
        fmt(e)
    );
}

/// Parse `--risk`: `mean`, `cvar:ALPHA`, `sd:K` (mean − K·sd).
pub fn parse_risk(s: &str) -> Option<Risk> {
    if s == "mean" {
        return Some(Risk::Mean);
    }
    let (kind, v) = s.split_once(':')?;
    let v: f64 = v.parse().ok()?;
    match kind {
        "cvar" => Some(Risk::Cvar(v)),
        "sd" => Some(Risk::MeanMinusKSd(v)),
        _ => None,
    }
}

/// The sheets of `budget.xlsx`.
fn budget_sheets(
    s: &Scenario,
    plan: &Strategy,
    c: &Comparison,
    obj: Objective,
) -> Vec<omnimix_reports::workbook::Sheet> {
    use omnimix_reports::workbook::{Cell, Sheet};
    let money_kpis = ["revenue", "npv", "cost_total"];
    let value = |k: &KpiSummary, name: &str| -> f64 {
        summary_get(k, name).map_or(0.0, |i| i.mean)
    };
    let cell = |name: &str, v: f64| {
        if money_kpis.contains(&name) {
            Cell::Money(v)
        } else if name == "retention" || name == "roi" {
            Cell::Share(v)
        } else {
            Cell::Number(v)
        }
    };
    let mut summary = Vec::new();
    for name in COMPARED {
        let d = &c.difference_vs_current[name];
        summary.push(vec![
            Cell::Text(name.into()),
            cell(name, value(&c.plan, name)),
            cell(name, value(&c.current, name)),
            cell(name, value(&c.equal_split, name)),
            cell(name, d.mean),
            cell(name, d.lo.unwrap_or(d.mean)),
            cell(name, d.hi.unwrap_or(d.mean)),
        ]);
    }
    let get = |m: &omnimix_sim::scenario::ByCountryChannel, code: &str, ch: Channel| {
        m.get(code)
            .and_then(|x| x.get(ch.name()))
            .copied()
            .unwrap_or(0.0)
    };
    let specs = s.channel_specs();
    let mut by_country = Vec::new();
    let mut staffing = Vec::new();
    for (code, country) in &s.countries {
        let spend: f64 = Channel::ALL
            .iter()
            .map(|ch| get(&plan.annual_spend, code, *ch))
            .sum();
        let staff: f64 = Channel::ALL
            .iter()
            .map(|ch| get(&plan.service_staff, code, *ch))
            .sum();
        let spec: f64 = Channel::ALL
            .iter()
            .map(|ch| get(&plan.specialists, code, *ch))
            .sum();
        let wages = omnimix_sim::mechanisms::finance::weekly_wages(s, plan, code) * 52.0;
        by_country.push(vec![
            Cell::Text(format!("{code} {}", country.name)),
            Cell::Money(spend),
            Cell::Number(staff),
            Cell::Number(spec),
            Cell::Money(wages),
            Cell::Share(spend / s.finance.annual_budget),
        ]);
        for ch in Channel::ALL {
            let (st, sp) = (
                get(&plan.service_staff, code, ch),
                get(&plan.specialists, code, ch),
            );
            if st > 0.0 || sp > 0.0 {
                let w = (st * specs[ch.index()].agent_wage_weekly
                    + sp * specs[ch.index()].specialist_wage_weekly)
                    * country.wage_index
                    * 52.0;
                staffing.push(vec![
                    Cell::Text(code.clone()),
                    Cell::Text(ch.name().into()),
                    Cell::Number(st),
                    Cell::Number(sp),
                    Cell::Money(w),
                ]);
            }
        }
    }
    let mut by_channel = Vec::new();
    for ch in Channel::ALL {
        let spend: f64 = s
            .countries
            .keys()
            .map(|c| get(&plan.annual_spend, c, ch))
            .sum();
        let staff: f64 = s
            .countries
            .keys()
            .map(|c| get(&plan.service_staff, c, ch))
            .sum();
        let spec: f64 = s
            .countries
            .keys()
            .map(|c| get(&plan.specialists, c, ch))
            .sum();
        if spend > 0.0 || staff > 0.0 || spec > 0.0 {
            by_channel.push(vec![
                Cell::Text(ch.name().into()),
                Cell::Money(spend),
                Cell::Number(staff),
                Cell::Number(spec),
                Cell::Share(spend / s.finance.annual_budget),
            ]);
        }
    }
    let cxc: Vec<Vec<Cell>> = plan_rows(s, plan)
        .into_iter()
        .map(|r| {
            vec![
                Cell::Text(r.country),
                Cell::Text(r.channel.into()),
                Cell::Money(r.spend),
                Cell::Number(r.service_staff),
                Cell::Number(r.specialists),
                Cell::Share(r.share),
            ]
        })
        .collect();
    let assumptions = vec![
        vec![Cell::Text("scenario".into()), Cell::Text(s.name.clone())],
        vec![
            Cell::Text("objective".into()),
            Cell::Text(format!("{} ({} risk)", obj.name(), c.risk)),
        ],
        vec![
            Cell::Text("annual budget".into()),
            Cell::Money(s.finance.annual_budget),
        ],
        vec![
            Cell::Text("horizon (weeks)".into()),
            Cell::Number(s.horizon_weeks as f64),
        ],
        vec![
            Cell::Text("gross margin".into()),
            Cell::Share(s.finance.gross_margin),
        ],
        vec![
            Cell::Text("discount rate (annual)".into()),
            Cell::Share(s.discount_rate_annual),
        ],
        vec![
            Cell::Text("budget volatility".into()),
            Cell::Share(s.finance.volatility),
        ],
        vec![
            Cell::Text("customers in scope".into()),
            Cell::Number(s.countries.values().map(|c| c.population).sum()),
        ],
        vec![
            Cell::Text("agent scale".into()),
            Cell::Number(s.agent_scale as f64),
        ],
        vec![Cell::Text("seed".into()), Cell::Number(c.seed as f64)],
        vec![
            Cell::Text("fresh replications".into()),
            Cell::Number(c.replications as f64),
        ],
        vec![
            Cell::Text("search evaluations".into()),
            Cell::Number(c.evaluations as f64),
        ],
        vec![
            Cell::Text("omnimix version".into()),
            Cell::Text(c.omnimix_version.into()),
        ],
    ];
    let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        Sheet {
            name: "Summary".into(),
            headers: h(&[
                "KPI",
                "plan",
                "current",
                "equal split",
                "plan - current",
                "90% CI low",
                "90% CI high",
            ]),
            rows: summary,
            totals: false,
        },
        Sheet {
            name: "By country".into(),
            headers: h(&[
                "country",
                "annual spend",
                "service staff (FTE)",
                "specialists (FTE)",
                "annual wages",
                "share of budget",
            ]),
            rows: by_country,
            totals: true,
        },
        Sheet {
            name: "By channel".into(),
            headers: h(&[
                "channel",
                "annual spend",
                "service staff (FTE)",
                "specialists (FTE)",
                "share of budget",
            ]),
            rows: by_channel,
            totals: true,
        },
        Sheet {
            name: "Country x channel".into(),
            headers: h(&[
                "country",
                "channel",
                "annual spend",
                "service staff (FTE)",
                "specialists (FTE)",
                "share of budget",
            ]),
            rows: cxc,
            totals: true,
        },
        Sheet {
            name: "Staffing".into(),
            headers: h(&[
                "country",
                "channel",
                "service staff (FTE)",
                "specialists (FTE)",
                "annual wages",
            ]),
            rows: staffing,
            totals: true,
        },
        Sheet {
            name: "Assumptions".into(),
            headers: h(&["assumption", "value"]),
            rows: assumptions,
            totals: false,
        },
    ]
}
