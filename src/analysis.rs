//! Data behind the report's charts that needs extra simulations: response curves
//! (KPI vs spend per channel), service wait vs staffing, the sensitivity of the
//! objective to ±20 % of the main assumptions, and retention curves per week.
//!
//! Every point is a cheap run at the optimizer's search scale (agent scale × the
//! search scale) on the same replications (common random numbers), so the points of
//! one curve differ only by what was varied. The results are CSV files in the
//! output folder, from which `omnimix report DIR` re-renders the charts alone:
//! `allocation.csv`, `retention_curves.csv`, `response_curves.csv`,
//! `staffing_curve.csv` and `sensitivity.csv`.

use crate::optimize::kpi;
use anyhow::Result;
use omnimix_sim::engine::{Replication, Silent, run_replication};
use omnimix_sim::kpis::{ServiceKpi, replication_kpis};
use omnimix_sim::scenario::INITIATIVES;
use omnimix_sim::{Channel, Scenario, Strategy, World};
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Replications per analysis point (the search's first): one, since every point runs on
/// the same random numbers and only differences between points matter.
pub const REPLICATIONS: u32 = 1;
/// Spend multipliers of the response curves.
const SPEND_STEPS: [f64; 5] = [0.0, 0.5, 1.0, 1.5, 2.0];
/// Staff multipliers of the staffing curve.
const STAFF_STEPS: [f64; 6] = [0.5, 0.75, 1.0, 1.25, 1.5, 2.0];
/// The relative change of each assumption in the sensitivity analysis.
const SENSITIVITY_CHANGE: f64 = 0.2;

/// What to analyse.
pub struct Input<'a> {
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
    /// The KPI the plan was chosen for (`retention`, `roi`, `npv`, `revenue`).
    pub objective: &'a str,
}

/// One row of `allocation.csv`: what a strategy puts where.
#[derive(Debug, Serialize)]
pub struct AllocationRow {
    pub strategy: String,
    pub country: String,
    pub channel: &'static str,
    pub spend: f64,
    pub service_staff: f64,
    pub specialists: f64,
}

/// One row of `retention_curves.csv`.
#[derive(Debug, Serialize)]
struct RetentionRow {
    series: String,
    country: String,
    week: u32,
    retention: f64,
}

/// KPIs of one analysis point (company, mean over the replications).
#[derive(Debug, Clone, Default)]
struct Point {
    retention: f64,
    roi: f64,
    npv: f64,
    revenue: f64,
    cost_total: f64,
    /// Per service channel: (mean wait in minutes, abandonment rate).
    service: Vec<(Channel, f64, f64)>,
    /// `curve[c][w]`: retention of the week-0 customers, per country then company.
    curve: Vec<Vec<f64>>,
}

#[derive(Debug, Serialize)]
struct ResponseRow {
    channel: &'static str,
    multiplier: f64,
    annual_spend: f64,
    chosen: bool,
    retention: f64,
    roi: f64,
    npv: f64,
    revenue: f64,
    cost_total: f64,
}

#[derive(Debug, Serialize)]
struct StaffingRow {
    channel: &'static str,
    multiplier: f64,
    service_staff: f64,
    chosen: bool,
    mean_wait_min: f64,
    abandon_rate: f64,
    retention: f64,
    roi: f64,
}

#[derive(Debug, Serialize)]
struct SensitivityRow {
    assumption: &'static str,
    change: f64,
    objective: String,
    value: f64,
    base: f64,
    retention: f64,
    roi: f64,
    npv: f64,
    revenue: f64,
}

fn get(m: &omnimix_sim::scenario::ByCountryChannel, code: &str, ch: Channel) -> f64 {
    m.get(code)
        .and_then(|x| x.get(ch.name()))
        .copied()
        .unwrap_or(0.0)
}

/// Annual spend run rate of a country and channel averaged over the horizon (a
/// phased strategy's phases weighted by their weeks).
fn mean_spend(st: &Strategy, horizon_weeks: u32, code: &str, ch: Channel) -> f64 {
    if st.phases.is_empty() {
        return get(&st.annual_spend, code, ch);
    }
    let periods = st.spend_periods(horizon_weeks);
    let weeks: u32 = periods.iter().map(|p| p.end - p.start).sum();
    let total: f64 = periods
        .iter()
        .map(|p| st.spend_in(p, code, ch.name()) * (p.end - p.start) as f64)
        .sum();
    total / weeks.max(1) as f64
}

/// The rows of `allocation.csv` for named strategies (cells with anything in them).
pub fn allocation_rows(s: &Scenario, strategies: &[(&str, &Strategy)]) -> Vec<AllocationRow> {
    let mut rows = Vec::new();
    for (name, st) in strategies {
        for code in s.countries.keys() {
            for ch in Channel::ALL {
                let (spend, staff, spec) = (
                    mean_spend(st, s.horizon_weeks, code, ch),
                    get(&st.service_staff, code, ch),
                    get(&st.specialists, code, ch),
                );
                if spend > 0.0 || staff > 0.0 || spec > 0.0 {
                    rows.push(AllocationRow {
                        strategy: name.to_string(),
                        country: code.clone(),
                        channel: ch.name(),
                        spend,
                        service_staff: staff,
                        specialists: spec,
                    });
                }
            }
        }
    }
    rows
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

/// The rows of `retention_curves.csv` for one series.
fn retention_rows(
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

/// Write `retention_curves.csv` from a run that is already done (simulate).
pub fn write_retention_curves(
    dir: &Path,
    world: &World,
    reps: &[Replication],
    series: &str,
) -> Result<PathBuf> {
    let rows = retention_rows(
        &world.scenario,
        series,
        &retention_curves(world, reps),
        true,
    );
    let p = dir.join("retention_curves.csv");
    omnimix_reports::write_csv(&p, &rows)?;
    Ok(p)
}

fn evaluate(s: &Scenario, st: &Strategy, seed: u64) -> Point {
    let world = World::new(s, st);
    let reps: Vec<Replication> = (0..REPLICATIONS)
        .map(|r| run_replication(&world, seed, r, false, &Silent))
        .collect();
    let ks: Vec<_> = reps.iter().map(|r| replication_kpis(&world, r).0).collect();
    let n = ks.len().max(1) as f64;
    let mean = |name: &str| ks.iter().map(|k| kpi(k, name)).sum::<f64>() / n;
    let service = Channel::SERVICE
        .iter()
        .map(|c| {
            let f = |kpi: ServiceKpi| {
                ks.iter()
                    .map(|k| k.service(*c, kpi).unwrap_or(0.0))
                    .sum::<f64>()
                    / n
            };
            (*c, f(ServiceKpi::MeanWaitMin), f(ServiceKpi::AbandonRate))
        })
        .collect();
    Point {
        retention: mean("retention"),
        roi: mean("roi"),
        npv: mean("npv"),
        revenue: mean("revenue"),
        cost_total: mean("cost_total"),
        service,
        curve: retention_curves(&world, &reps),
    }
}

impl Point {
    fn get(&self, name: &str) -> f64 {
        match name {
            "roi" => self.roi,
            "npv" => self.npv,
            "revenue" => self.revenue,
            _ => self.retention,
        }
    }
}

/// An assumption varied in the sensitivity analysis: its name and how to scale it.
type Assumption = (&'static str, fn(&mut Scenario, f64));

fn for_channels(s: &mut Scenario, f: impl Fn(Channel, &mut omnimix_sim::channel::ChannelSpec)) {
    let specs = s.channel_specs();
    for c in Channel::ALL {
        let mut spec = specs[c.index()].clone();
        f(c, &mut spec);
        s.channels.insert(c.name().to_string(), spec);
    }
}

const ASSUMPTIONS: [Assumption; 9] = [
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
enum Job {
    Base,
    Current,
    NoIntegration,
    AllIntegration,
    Spend(Channel, f64),
    Staff(f64),
    Assumption(usize, f64),
}

/// Run the analysis and write its CSV files into `dir`; returns the paths.
pub fn write(dir: &Path, input: &Input) -> Result<Vec<PathBuf>> {
    let mut search = input.scenario.clone();
    search.agent_scale = input
        .scenario
        .agent_scale
        .saturating_mul(input.search_scale)
        .max(1);
    let s = &search;
    let plan = input.plan;
    let codes: Vec<String> = s.countries.keys().cloned().collect();
    let channel_total = |st: &Strategy, ch: Channel| {
        codes
            .iter()
            .map(|c| mean_spend(st, s.horizon_weeks, c, ch))
            .sum()
    };
    // Reference spend per paid channel: the plan's, or the current strategy's when the plan does not buy it.
    let mut spend_refs = Vec::new();
    for ch in Channel::PAID {
        let p: f64 = channel_total(plan, ch);
        let c: f64 = channel_total(input.current, ch);
        if p > 0.0 {
            spend_refs.push((ch, false));
        } else if c > 0.0 {
            spend_refs.push((ch, true));
        }
    }
    let has_staff = Channel::SERVICE.iter().any(|c| {
        codes
            .iter()
            .any(|code| get(&plan.service_staff, code, *c) > 0.0)
    });
    let integration_of = |st: &Strategy| -> usize {
        st.integration
            .values()
            .map(|m| m.values().filter(|w| **w == 0).count())
            .sum()
    };
    let planned = integration_of(plan);
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
    let scale_spend = |ch: Channel, m: f64, from_current: bool| -> Strategy {
        let mut st = plan.clone();
        let source = if from_current { input.current } else { plan };
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
        for code in &codes {
            let spend = get(&source.annual_spend, code, ch) * m;
            let spec = get(&source.specialists, code, ch) * m;
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
    };
    let points: Vec<Point> = jobs
        .par_iter()
        .map(|job| match job {
            Job::Base => evaluate(s, plan, input.seed),
            Job::Current => evaluate(s, input.current, input.seed),
            Job::NoIntegration => {
                let mut st = plan.clone();
                st.integration.clear();
                evaluate(s, &st, input.seed)
            }
            Job::AllIntegration => {
                let mut st = plan.clone();
                for code in &codes {
                    let m = st.integration.entry(code.clone()).or_default();
                    for name in INITIATIVES {
                        m.insert(name.to_string(), 0);
                    }
                }
                evaluate(s, &st, input.seed)
            }
            Job::Spend(ch, m) => {
                let from_current = spend_refs
                    .iter()
                    .any(|(c, from_current)| c == ch && *from_current);
                evaluate(s, &scale_spend(*ch, *m, from_current), input.seed)
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
                evaluate(s, &st, input.seed)
            }
            Job::Assumption(i, k) => {
                let mut v = s.clone();
                (ASSUMPTIONS[*i].1)(&mut v, *k);
                evaluate(&v, plan, input.seed)
            }
        })
        .collect();
    let base = &points[0];
    let find = |f: &dyn Fn(&Job) -> bool| jobs.iter().position(f).map(|i| &points[i]);

    // retention curves
    let mut curves = retention_rows(s, "plan", &base.curve, true);
    curves.extend(retention_rows(s, "current", &points[1].curve, true));
    if let Some(all) = find(&|j| matches!(j, Job::AllIntegration)) {
        curves.extend(retention_rows(
            s,
            "plan, all integration from week 0",
            &all.curve,
            false,
        ));
    }
    if let Some(none) = find(&|j| matches!(j, Job::NoIntegration)) {
        curves.extend(retention_rows(
            s,
            "plan, no integration",
            &none.curve,
            false,
        ));
    }

    // response curves
    let mut response = Vec::new();
    for &(ch, from_current) in &spend_refs {
        let unit: f64 = if from_current {
            channel_total(input.current, ch)
        } else {
            channel_total(plan, ch)
        };
        for m in SPEND_STEPS {
            let is_base = if from_current { m == 0.0 } else { m == 1.0 };
            let p = if is_base {
                base
            } else {
                match find(&|j| matches!(j, Job::Spend(c, x) if *c == ch && *x == m)) {
                    Some(p) => p,
                    None => continue,
                }
            };
            response.push(ResponseRow {
                channel: ch.name(),
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

    // staffing curve
    let mut staffing = Vec::new();
    if has_staff {
        for m in STAFF_STEPS {
            let p = if m == 1.0 {
                base
            } else {
                match find(&|j| matches!(j, Job::Staff(x) if *x == m)) {
                    Some(p) => p,
                    None => continue,
                }
            };
            for &(ch, wait, abandon) in &p.service {
                let staff: f64 = codes.iter().map(|c| get(&plan.service_staff, c, ch)).sum();
                if staff <= 0.0 {
                    continue;
                }
                staffing.push(StaffingRow {
                    channel: ch.name(),
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
    }

    // sensitivity
    let objective = match input.objective {
        "roi" | "npv" | "revenue" => input.objective,
        _ => "retention",
    };
    let mut sensitivity = Vec::new();
    for (i, (name, _)) in ASSUMPTIONS.iter().enumerate() {
        for k in [1.0 - SENSITIVITY_CHANGE, 1.0 + SENSITIVITY_CHANGE] {
            if let Some(p) = find(&|j| matches!(j, Job::Assumption(a, x) if *a == i && *x == k)) {
                sensitivity.push(SensitivityRow {
                    assumption: name,
                    change: ((k - 1.0) * 1e6).round() / 1e6,
                    objective: objective.to_string(),
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

    let mut strategies = vec![("plan", plan), ("current", input.current)];
    if let Some(e) = input.equal_split {
        strategies.push(("equal_split", e));
    }
    let files = [
        "allocation.csv",
        "retention_curves.csv",
        "response_curves.csv",
        "staffing_curve.csv",
        "sensitivity.csv",
    ];
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    omnimix_reports::write_csv(&paths[0], &allocation_rows(input.scenario, &strategies))?;
    omnimix_reports::write_csv(&paths[1], &curves)?;
    omnimix_reports::write_csv(&paths[2], &response)?;
    omnimix_reports::write_csv(&paths[3], &staffing)?;
    omnimix_reports::write_csv(&paths[4], &sensitivity)?;
    Ok(paths)
}
