//! The report's extra runs: response curves (KPIs vs spend per paid channel), service
//! wait vs staffing, the sensitivity of the objective to ±20 % of the main
//! assumptions, and retention curves per week — as typed rows.
//!
//! Every point is a cheap run at the optimizer's search scale (agent scale × the
//! search scale) on the same replications (common random numbers), so the points of
//! one curve differ only by what was varied. The runs are independent jobs handed to
//! an [`Evaluator`] (job index as the decision vector), so the binary's backend
//! spreads them like the search's: threads, or MPI ranks.
//!
//! ```
//! use omnimix_studies::analysis::{AnalysisInput, AnalysisRuns};
//! use omnimix_optimizer::RayonEvaluator;
//! use omnimix_sim::{ScenarioSource, kpis::Kpi, scenario::load::load};
//! let text = "name = 'demo'\n[finance]\nannual_budget = 2e6\n[countries.DE]\npopulation = 5000\n\
//!             [strategy.annual_spend.DE]\nsearch = 200000\ncall_centre = 20000\n\
//!             [strategy.specialists.DE]\nsearch = 2\n[strategy.service_staff.DE]\ncall_centre = 2\n";
//! let s = load(&ScenarioSource::new("demo.toml", text), &[]).unwrap();
//! let input = AnalysisInput { scenario: &s, plan: &s.strategy, current: &s.strategy,
//!     equal_split: None, seed: 1, search_scale: 1, objective: Kpi::Retention };
//! let runs = AnalysisRuns::new(&input);
//! let a = runs.collect(&RayonEvaluator::new(|x: &[f64], r: u32| runs.evaluate(x, r)));
//! assert_eq!(a.sensitivity.len(), 18); // 9 assumptions, -20 % and +20 %
//! assert!(a.response_curves.iter().any(|r| r.channel == "search" && r.chosen));
//! ```

use crate::tables::{AllocationRow, allocation_rows};
use omnimix_optimizer::{Candidate, Evaluator};
use omnimix_sim::channel::ChannelSpec;
use omnimix_sim::engine::{Replication, Silent, run_replication};
use omnimix_sim::kpis::{Kpi, ServiceKpi, replication_kpis};
use omnimix_sim::scenario::INITIATIVES;
use omnimix_sim::{Channel, Scenario, Strategy, World};
use serde::{Deserialize, Serialize};

/// Replications per analysis point (the search's first): one, since every point runs on
/// the same random numbers and only differences between points matter.
pub const REPLICATIONS: u32 = 1;
/// Spend multipliers of the response curves.
pub const SPEND_STEPS: [f64; 5] = [0.0, 0.5, 1.0, 1.5, 2.0];
/// Staff multipliers of the staffing curve.
pub const STAFF_STEPS: [f64; 6] = [0.5, 0.75, 1.0, 1.25, 1.5, 2.0];
/// The relative change of each assumption in the sensitivity analysis.
pub const SENSITIVITY_CHANGE: f64 = 0.2;

/// What to analyse.
pub struct AnalysisInput<'a> {
    /// The scenario at full resolution (the analysis runs it at `search_scale`).
    pub scenario: &'a Scenario,
    /// The chosen plan (or the simulated strategy).
    pub plan: &'a Strategy,
    /// The scenario's current strategy.
    pub current: &'a Strategy,
    /// The equal split, when known.
    pub equal_split: Option<&'a Strategy>,
    /// Master seed.
    pub seed: u64,
    /// Agents are `search_scale` times coarser than the scenario's.
    pub search_scale: u32,
    /// The KPI the plan was chosen for (retention, ROI, NPV or revenue).
    pub objective: Kpi,
}

/// One row of `retention_curves.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionRow {
    /// `plan`, `current`, a variant of the plan, or the simulated strategy's name.
    pub series: String,
    /// Country code, or `company`.
    pub country: String,
    /// Week, from 1.
    pub week: u32,
    /// Share of the week-0 customers still active.
    pub retention: f64,
}

/// One row of `response_curves.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseRow {
    /// Paid channel.
    pub channel: String,
    /// Multiple of the reference spend.
    pub multiplier: f64,
    /// Annual spend on the channel in all countries.
    pub annual_spend: f64,
    /// The plan's point.
    pub chosen: bool,
    /// Headline retention.
    pub retention: f64,
    /// ROI.
    pub roi: f64,
    /// NPV.
    pub npv: f64,
    /// Revenue.
    pub revenue: f64,
    /// Total cost.
    pub cost_total: f64,
}

/// One row of `staffing_curve.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffingRow {
    /// Service channel.
    pub channel: String,
    /// Multiple of the plan's service staff.
    pub multiplier: f64,
    /// Service staff (FTE) in all countries.
    pub service_staff: f64,
    /// The plan's point.
    pub chosen: bool,
    /// Mean wait, minutes.
    pub mean_wait_min: f64,
    /// Share of contacts abandoned.
    pub abandon_rate: f64,
    /// Headline retention.
    pub retention: f64,
    /// ROI.
    pub roi: f64,
}

/// One row of `sensitivity.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityRow {
    /// The assumption varied.
    pub assumption: String,
    /// Its relative change (−0.2 or +0.2).
    pub change: f64,
    /// The KPI the plan was chosen for.
    pub objective: String,
    /// That KPI with the assumption changed.
    pub value: f64,
    /// That KPI with the assumption as it is.
    pub base: f64,
    /// Headline retention.
    pub retention: f64,
    /// ROI.
    pub roi: f64,
    /// NPV.
    pub npv: f64,
    /// Revenue.
    pub revenue: f64,
}

/// The analysis: the data behind the report's charts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Analysis {
    /// `allocation.csv`.
    pub allocation: Vec<AllocationRow>,
    /// `retention_curves.csv`.
    pub retention_curves: Vec<RetentionRow>,
    /// `response_curves.csv`.
    pub response_curves: Vec<ResponseRow>,
    /// `staffing_curve.csv`.
    pub staffing_curve: Vec<StaffingRow>,
    /// `sensitivity.csv`.
    pub sensitivity: Vec<SensitivityRow>,
}

/// KPIs of one analysis point (company, mean over the replications).
#[derive(Debug, Clone, Default)]
struct Point {
    retention: f64,
    roi: f64,
    npv: f64,
    revenue: f64,
    cost_total: f64,
    /// Per service channel ([`Channel::SERVICE`] order): (mean wait, abandonment).
    service: Vec<(Channel, f64, f64)>,
    /// `curve[c][w]`: retention of the week-0 customers, per country then company.
    curve: Vec<Vec<f64>>,
}

const SCALARS: usize = 5;

impl Point {
    /// Per-replication values as one vector (what an evaluator carries).
    fn encode(&self) -> Vec<f64> {
        let mut v = vec![
            self.retention,
            self.roi,
            self.npv,
            self.revenue,
            self.cost_total,
        ];
        for &(_, w, a) in &self.service {
            v.extend([w, a]);
        }
        for c in &self.curve {
            v.extend(c);
        }
        v
    }

    /// The mean of encoded replications; `series` curves (countries + company).
    fn decode_mean(reps: &[Vec<f64>], series: usize) -> Point {
        let n = reps.len().max(1) as f64;
        let len = reps.first().map_or(0, Vec::len);
        // -0.0: the neutral element of float sums, as `Iterator::sum` starts
        let mut sum = vec![-0.0; len];
        for r in reps {
            for (s, x) in sum.iter_mut().zip(r) {
                *s += x;
            }
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let at = |i: usize| mean.get(i).copied().unwrap_or(0.0);
        let service = Channel::SERVICE
            .iter()
            .enumerate()
            .map(|(k, c)| (*c, at(SCALARS + 2 * k), at(SCALARS + 2 * k + 1)))
            .collect();
        let start = (SCALARS + 2 * Channel::SERVICE.len()).min(mean.len());
        let curves = &mean[start..];
        let weeks = curves.len().checked_div(series).unwrap_or(0);
        Point {
            retention: at(0),
            roi: at(1),
            npv: at(2),
            revenue: at(3),
            cost_total: at(4),
            service,
            curve: (0..series)
                .map(|c| curves[c * weeks..(c + 1) * weeks].to_vec())
                .collect(),
        }
    }

    fn get(&self, kpi: Kpi) -> f64 {
        match kpi {
            Kpi::Roi => self.roi,
            Kpi::Npv => self.npv,
            Kpi::Revenue => self.revenue,
            _ => self.retention,
        }
    }
}

/// One replication of one point.
fn simulate_point(s: &Scenario, st: &Strategy, seed: u64, rep: u32) -> Point {
    let world = World::new(s, st);
    let r = run_replication(&world, seed, rep, false, &Silent);
    let k = replication_kpis(&world, &r).0;
    let service = Channel::SERVICE
        .iter()
        .map(|c| {
            let f = |kpi: ServiceKpi| k.service(*c, kpi).unwrap_or(0.0);
            (*c, f(ServiceKpi::MeanWaitMin), f(ServiceKpi::AbandonRate))
        })
        .collect();
    Point {
        retention: k.value(Kpi::Retention),
        roi: k.value(Kpi::Roi),
        npv: k.value(Kpi::Npv),
        revenue: k.value(Kpi::Revenue),
        cost_total: k.value(Kpi::CostTotal),
        service,
        curve: retention_curves(&world, std::slice::from_ref(&r)),
    }
}

/// Retention of the week-0 customers per week: per country (the world's order),
/// then the company; means over the replications.
pub fn retention_curves(world: &World, reps: &[Replication]) -> Vec<Vec<f64>> {
    let nc = world.countries.len();
    let weeks = reps.first().map_or(0, |r| r.weeks.len());
    let mut out = vec![vec![0.0; weeks]; nc + 1];
    for rep in reps {
        let scale: Vec<f64> = world.countries.iter().map(|c| c.scale).collect();
        let initial: Vec<f64> = (0..nc)
            .map(|c| rep.start[c].initial as f64 * scale[c])
            .collect();
        let total: f64 = initial.iter().sum();
        for (w, week) in rep.weeks.iter().enumerate() {
            let mut company = 0.0;
            for c in 0..nc {
                let active = week[c].tally.initial_active as f64 * scale[c];
                company += active;
                if initial[c] > 0.0 {
                    out[c][w] += active / initial[c];
                }
            }
            if total > 0.0 {
                out[nc][w] += company / total;
            }
        }
    }
    let n = reps.len().max(1) as f64;
    for c in &mut out {
        for v in c.iter_mut() {
            *v /= n;
        }
    }
    out
}

/// The rows of `retention_curves.csv` for one series: per country (when
/// `countries`) and the company.
pub fn retention_rows(
    s: &Scenario,
    series: &str,
    curve: &[Vec<f64>],
    countries: bool,
) -> Vec<RetentionRow> {
    let mut names: Vec<String> = s.countries.keys().cloned().collect();
    names.push("company".into());
    let mut rows = Vec::new();
    for (c, name) in names.iter().enumerate() {
        if !countries && name != "company" {
            continue;
        }
        for (w, r) in curve.get(c).into_iter().flatten().enumerate() {
            rows.push(RetentionRow {
                series: series.to_string(),
                country: name.clone(),
                week: w as u32 + 1,
                retention: *r,
            });
        }
    }
    rows
}

/// An assumption varied in the sensitivity analysis: its name and how to scale it.
type Assumption = (&'static str, fn(&mut Scenario, f64));

fn for_channels(s: &mut Scenario, f: impl Fn(Channel, &mut ChannelSpec)) {
    let specs = s.channel_specs();
    for c in Channel::ALL {
        let mut spec = specs[c.index()].clone();
        f(c, &mut spec);
        s.channels.insert(c.name().to_string(), spec);
    }
}

/// The assumptions of the sensitivity analysis.
pub const ASSUMPTIONS: [Assumption; 9] = [
    ("media cost (CPM)", |s, k| {
        for_channels(s, |_, c| c.cpm *= k)
    }),
    ("conversion rates", |s, k| {
        for_channels(s, |_, c| c.conversion = (c.conversion * k).min(1.0))
    }),
    ("service handle time", |s, k| {
        for_channels(s, |_, c| c.handle_time_min *= k)
    }),
    ("customer patience", |s, k| {
        for_channels(s, |_, c| c.patience_min *= k)
    }),
    ("service wages", |s, k| {
        for_channels(s, |_, c| c.agent_wage_weekly *= k)
    }),
    ("word of mouth", |s, k| s.behaviour.wom_talk_rate *= k),
    ("inconsistency rate", |s, k| {
        s.behaviour.inconsistency_rate = (s.behaviour.inconsistency_rate * k).min(1.0)
    }),
    ("bad-experience effect", |s, k| {
        s.behaviour.bad_experience_hit *= k
    }),
    ("gross margin", |s, k| {
        s.finance.gross_margin = (s.finance.gross_margin * k).min(1.0)
    }),
];

/// One analysis run: a scenario variant and a strategy.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Job {
    Base,
    Current,
    NoIntegration,
    AllIntegration,
    Spend(Channel, f64),
    Staff(f64),
    Assumption(usize, f64),
}

/// The analysis's runs, ready to be evaluated: job `i` is decision vector `[i]`.
pub struct AnalysisRuns<'a> {
    input: &'a AnalysisInput<'a>,
    /// The scenario at search scale.
    search: Scenario,
    /// Paid channels with a reference spend: (channel, taken from the current strategy).
    spend_refs: Vec<(Channel, bool)>,
    has_staff: bool,
    jobs: Vec<Job>,
    /// Per job: the scenario variant (assumptions) and the strategy.
    runs: Vec<(Option<Scenario>, Strategy)>,
}

impl<'a> AnalysisRuns<'a> {
    /// The runs the input calls for.
    pub fn new(input: &'a AnalysisInput<'a>) -> AnalysisRuns<'a> {
        let mut search = input.scenario.clone();
        search.agent_scale = input
            .scenario
            .agent_scale
            .saturating_mul(input.search_scale)
            .max(1);
        let s = &search;
        let plan = input.plan;
        let codes: Vec<String> = s.countries.keys().cloned().collect();
        let channel_total = |st: &Strategy, ch: Channel| -> f64 {
            codes
                .iter()
                .map(|c| st.mean_spend(s.horizon_weeks, c, ch))
                .sum()
        };
        // Reference spend per paid channel: the plan's, or the current strategy's when the plan does not buy it.
        let mut spend_refs = Vec::new();
        for ch in Channel::PAID {
            if channel_total(plan, ch) > 0.0 {
                spend_refs.push((ch, false));
            } else if channel_total(input.current, ch) > 0.0 {
                spend_refs.push((ch, true));
            }
        }
        let has_staff = Channel::SERVICE
            .iter()
            .any(|c| codes.iter().any(|code| plan.staff_of(code, *c) > 0.0));
        let planned: usize = plan
            .integration
            .values()
            .map(|m| m.values().filter(|w| **w == 0).count())
            .sum();
        let mut jobs = vec![Job::Base, Job::Current];
        if planned > 0 {
            jobs.push(Job::NoIntegration);
        }
        if planned < codes.len() * INITIATIVES.len() {
            jobs.push(Job::AllIntegration);
        }
        for &(ch, from_current) in &spend_refs {
            for m in SPEND_STEPS {
                let is_base = if from_current { m == 0.0 } else { m == 1.0 };
                if !is_base {
                    jobs.push(Job::Spend(ch, m));
                }
            }
        }
        if has_staff {
            for m in STAFF_STEPS.into_iter().filter(|m| *m != 1.0) {
                jobs.push(Job::Staff(m));
            }
        }
        for i in 0..ASSUMPTIONS.len() {
            jobs.push(Job::Assumption(i, 1.0 - SENSITIVITY_CHANGE));
            jobs.push(Job::Assumption(i, 1.0 + SENSITIVITY_CHANGE));
        }
        let mut me = AnalysisRuns {
            input,
            search,
            spend_refs,
            has_staff,
            jobs,
            runs: Vec::new(),
        };
        me.runs = me.jobs.iter().map(|j| me.run_of(*j, &codes)).collect();
        me
    }

    /// Number of jobs.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// True when there is nothing to run (never: the plan and the current strategy always run).
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    fn run_of(&self, job: Job, codes: &[String]) -> (Option<Scenario>, Strategy) {
        let plan = self.input.plan;
        match job {
            Job::Base => (None, plan.clone()),
            Job::Current => (None, self.input.current.clone()),
            Job::NoIntegration => {
                let mut st = plan.clone();
                st.integration.clear();
                (None, st)
            }
            Job::AllIntegration => {
                let mut st = plan.clone();
                for code in codes {
                    let m = st.integration.entry(code.clone()).or_default();
                    for name in INITIATIVES {
                        m.insert(name.to_string(), 0);
                    }
                }
                (None, st)
            }
            Job::Spend(ch, m) => {
                let from_current = self.spend_refs.iter().any(|&(c, f)| c == ch && f);
                (None, self.scale_spend(ch, m, from_current, codes))
            }
            Job::Staff(m) => {
                let mut st = plan.clone();
                // the contact centre channels only (stores are staffed for sales too)
                for by_ch in st.service_staff.values_mut() {
                    for (ch, v) in by_ch.iter_mut() {
                        if Channel::SERVICE.iter().any(|c| c.name() == ch) {
                            *v *= m;
                        }
                    }
                }
                (None, st)
            }
            Job::Assumption(i, k) => {
                let mut v = self.search.clone();
                (ASSUMPTIONS[i].1)(&mut v, k);
                (Some(v), plan.clone())
            }
        }
    }

    /// The plan with one paid channel's spend (and specialists) scaled by `m`, from the
    /// plan's own figures or, for a channel the plan does not buy, the current strategy's.
    fn scale_spend(&self, ch: Channel, m: f64, from_current: bool, codes: &[String]) -> Strategy {
        let plan = self.input.plan;
        let mut st = plan.clone();
        let source = if from_current {
            self.input.current
        } else {
            plan
        };
        // phases: the plan's own phase rates scale with the rest; a channel taken
        // from the current strategy runs at its scaled annual rate in every phase
        for phase in &mut st.phases {
            for by_ch in phase.annual_spend.values_mut() {
                if from_current {
                    by_ch.remove(ch.name());
                } else if let Some(v) = by_ch.get_mut(ch.name()) {
                    *v *= m;
                }
            }
        }
        for code in codes {
            let spend = source.spend_of(code, ch) * m;
            let spec = source.specialists_of(code, ch) * m;
            if spend > 0.0 {
                st.annual_spend
                    .entry(code.clone())
                    .or_default()
                    .insert(ch.name().into(), spend);
                st.specialists
                    .entry(code.clone())
                    .or_default()
                    .insert(ch.name().into(), spec);
            } else {
                if let Some(x) = st.annual_spend.get_mut(code) {
                    x.remove(ch.name());
                }
                if let Some(x) = st.specialists.get_mut(code) {
                    x.remove(ch.name());
                }
            }
        }
        st
    }

    /// One evaluation: job `x[0]` on replication `rep`, as a vector of numbers. A pure
    /// function of its arguments (any thread, any rank); an index out of range gives
    /// an empty vector.
    pub fn evaluate(&self, x: &[f64], rep: u32) -> Vec<f64> {
        let Some((variant, st)) = x.first().and_then(|i| self.runs.get(*i as usize)) else {
            return Vec::new();
        };
        let s = variant.as_ref().unwrap_or(&self.search);
        simulate_point(s, st, self.input.seed, rep).encode()
    }

    /// Run every job on [`REPLICATIONS`] replications through `evaluator` and build the rows.
    pub fn collect(&self, evaluator: &dyn Evaluator) -> Analysis {
        let batch: Vec<Candidate> = (0..self.jobs.len())
            .flat_map(|i| {
                (0..REPLICATIONS).map(move |r| Candidate {
                    x: vec![i as f64],
                    replication: r,
                })
            })
            .collect();
        let results = evaluator.evaluate(&batch);
        let per_job = REPLICATIONS as usize;
        let series = self.search.countries.len() + 1;
        let points: Vec<Point> = results
            .chunks(per_job.max(1))
            .map(|reps| {
                let v: Vec<Vec<f64>> = reps.iter().map(|e| e.objectives.clone()).collect();
                Point::decode_mean(&v, series)
            })
            .collect();
        self.rows(&points)
    }

    /// The point of the first job matching `f`.
    fn find<'p>(&self, points: &'p [Point], f: &dyn Fn(&Job) -> bool) -> Option<&'p Point> {
        self.jobs.iter().position(f).and_then(|i| points.get(i))
    }

    fn codes(&self) -> Vec<String> {
        self.search.countries.keys().cloned().collect()
    }

    fn rows(&self, points: &[Point]) -> Analysis {
        let input = self.input;
        let empty = Point::default();
        let base = points.first().unwrap_or(&empty);
        let mut strategies = vec![("plan", input.plan), ("current", input.current)];
        if let Some(e) = input.equal_split {
            strategies.push(("equal_split", e));
        }
        Analysis {
            allocation: allocation_rows(input.scenario, &strategies),
            retention_curves: self.curve_rows(points, base),
            response_curves: self.response_rows(points, base),
            staffing_curve: self.staffing_rows(points, base),
            sensitivity: self.sensitivity_rows(points, base),
        }
    }

    /// Plan and current strategy per country and company; the plan with all and with
    /// no integration for the company.
    fn curve_rows(&self, points: &[Point], base: &Point) -> Vec<RetentionRow> {
        let s = &self.search;
        let mut curves = retention_rows(s, "plan", &base.curve, true);
        if let Some(cur) = points.get(1) {
            curves.extend(retention_rows(s, "current", &cur.curve, true));
        }
        if let Some(all) = self.find(points, &|j| matches!(j, Job::AllIntegration)) {
            curves.extend(retention_rows(
                s,
                "plan, all integration from week 0",
                &all.curve,
                false,
            ));
        }
        if let Some(none) = self.find(points, &|j| matches!(j, Job::NoIntegration)) {
            curves.extend(retention_rows(
                s,
                "plan, no integration",
                &none.curve,
                false,
            ));
        }
        curves
    }

    fn response_rows(&self, points: &[Point], base: &Point) -> Vec<ResponseRow> {
        let (s, input) = (&self.search, self.input);
        let codes = self.codes();
        let channel_total = |st: &Strategy, ch: Channel| -> f64 {
            codes
                .iter()
                .map(|c| st.mean_spend(s.horizon_weeks, c, ch))
                .sum()
        };
        let mut response = Vec::new();
        for &(ch, from_current) in &self.spend_refs {
            let unit = channel_total(
                if from_current {
                    input.current
                } else {
                    input.plan
                },
                ch,
            );
            for m in SPEND_STEPS {
                let is_base = if from_current { m == 0.0 } else { m == 1.0 };
                let p = if is_base {
                    base
                } else {
                    match self.find(
                        points,
                        &|j| matches!(j, Job::Spend(c, x) if *c == ch && *x == m),
                    ) {
                        Some(p) => p,
                        None => continue,
                    }
                };
                response.push(ResponseRow {
                    channel: ch.name().into(),
                    multiplier: m,
                    annual_spend: unit * m,
                    chosen: is_base,
                    retention: p.retention,
                    roi: p.roi,
                    npv: p.npv,
                    revenue: p.revenue,
                    cost_total: p.cost_total,
                });
            }
        }
        response
    }

    fn staffing_rows(&self, points: &[Point], base: &Point) -> Vec<StaffingRow> {
        let codes = self.codes();
        let mut staffing = Vec::new();
        if !self.has_staff {
            return staffing;
        }
        for m in STAFF_STEPS {
            let p = if m == 1.0 {
                base
            } else {
                match self.find(points, &|j| matches!(j, Job::Staff(x) if *x == m)) {
                    Some(p) => p,
                    None => continue,
                }
            };
            for &(ch, wait, abandon) in &p.service {
                let staff: f64 = codes.iter().map(|c| self.input.plan.staff_of(c, ch)).sum();
                if staff <= 0.0 {
                    continue;
                }
                staffing.push(StaffingRow {
                    channel: ch.name().into(),
                    multiplier: m,
                    service_staff: staff * m,
                    chosen: m == 1.0,
                    mean_wait_min: wait,
                    abandon_rate: abandon,
                    retention: p.retention,
                    roi: p.roi,
                });
            }
        }
        staffing
    }

    fn sensitivity_rows(&self, points: &[Point], base: &Point) -> Vec<SensitivityRow> {
        let objective = match self.input.objective {
            Kpi::Roi | Kpi::Npv | Kpi::Revenue => self.input.objective,
            _ => Kpi::Retention,
        };
        let mut sensitivity = Vec::new();
        for (i, (name, _)) in ASSUMPTIONS.iter().enumerate() {
            for k in [1.0 - SENSITIVITY_CHANGE, 1.0 + SENSITIVITY_CHANGE] {
                let job = |j: &Job| matches!(j, Job::Assumption(a, x) if *a == i && *x == k);
                if let Some(p) = self.find(points, &job) {
                    sensitivity.push(SensitivityRow {
                        assumption: name.to_string(),
                        change: ((k - 1.0) * 1e6).round() / 1e6,
                        objective: objective.name().into(),
                        value: p.get(objective),
                        base: base.get(objective),
                        retention: p.retention,
                        roi: p.roi,
                        npv: p.npv,
                        revenue: p.revenue,
                    });
                }
            }
        }
        sensitivity
    }
}
