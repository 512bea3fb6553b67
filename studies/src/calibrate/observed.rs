//! What the fit compares: the company's weekly series (observed) and the same series
//! simulated from the history's spend.

use omnimix_data::{Cohort, CohortStart, History, Kpi, LiftOutcome, LiftTest};
use omnimix_sim::channel::{Channel, N_CHANNELS};
use omnimix_sim::engine::{CountryWeek, Replication};
use omnimix_sim::scenario::{Phase, Scenario, Strategy};
use omnimix_sim::world::{N_PAID, World};
use serde::{Deserialize, Serialize};

/// A weekly measure of a country that the engine also produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Measure {
    /// Orders (every purchase).
    Orders,
    /// Revenue.
    Revenue,
    /// Active customers at the end of the week.
    ActiveCustomers,
    /// New customers won in the week (first purchases and win-backs).
    NewCustomers,
    /// Service contacts handled (one service channel, or all of them).
    Contacts(Option<Channel>),
    /// Mean wait of service contacts, minutes (contact-weighted over channels).
    MeanWaitMin(Option<Channel>),
    /// Share of service contacts that abandoned.
    AbandonRate(Option<Channel>),
}

impl Measure {
    /// The KPI's name as in the history's columns (`contacts`, or `contacts.call_centre`
    /// for one channel).
    pub fn name(self) -> String {
        let with = |k: &str, c: Option<Channel>| match c {
            None => k.to_string(),
            Some(c) => format!("{k}.{}", c.name()),
        };
        match self {
            Measure::Orders => "orders".into(),
            Measure::Revenue => "revenue".into(),
            Measure::ActiveCustomers => "active_customers".into(),
            Measure::NewCustomers => "new_customers".into(),
            Measure::Contacts(c) => with("contacts", c),
            Measure::MeanWaitMin(c) => with("mean_wait_min", c),
            Measure::AbandonRate(c) => with("abandon_rate", c),
        }
    }

    /// The KPI's name without the channel (the key of `[calibrate.weights]`).
    pub fn kpi(self) -> &'static str {
        match self {
            Measure::Orders => "orders",
            Measure::Revenue => "revenue",
            Measure::ActiveCustomers => "active_customers",
            Measure::NewCustomers => "new_customers",
            Measure::Contacts(_) => "contacts",
            Measure::MeanWaitMin(_) => "mean_wait_min",
            Measure::AbandonRate(_) => "abandon_rate",
        }
    }

    /// The measure in one simulated week of a country (`scale`: customers per agent).
    pub fn of(self, w: &CountryWeek, scale: f64) -> f64 {
        let t = &w.tally;
        let service = |c: Option<Channel>| -> Vec<usize> {
            match c {
                Some(c) => vec![c.index()],
                None => Channel::ALL
                    .iter()
                    .filter(|c| c.is_service())
                    .map(|c| c.index())
                    .collect(),
            }
        };
        match self {
            Measure::Orders => t.purchases.iter().sum::<u64>() as f64 * scale,
            Measure::Revenue => t.revenue.iter().sum::<f64>() * scale,
            Measure::ActiveCustomers => t.active_by_pref.iter().sum::<u64>() as f64 * scale,
            Measure::NewCustomers => t.conversions.iter().sum::<u64>() as f64 * scale,
            Measure::Contacts(c) => {
                service(c).iter().map(|&k| t.contacts[k]).sum::<u64>() as f64 * scale
            }
            Measure::MeanWaitMin(c) => {
                let ks = service(c);
                let n: u64 = ks.iter().map(|&k| t.contacts[k]).sum();
                if n == 0 {
                    0.0
                } else {
                    ks.iter()
                        .map(|&k| w.mean_wait_min[k] * t.contacts[k] as f64)
                        .sum::<f64>()
                        / n as f64
                }
            }
            Measure::AbandonRate(c) => {
                let ks = service(c);
                let n: u64 = ks.iter().map(|&k| t.contacts[k]).sum();
                let a: u64 = ks.iter().map(|&k| t.abandoned[k]).sum();
                if n == 0 { 0.0 } else { a as f64 / n as f64 }
            }
        }
    }
}

/// One observed weekly series: a measure of a country, week by week from week 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Country code.
    pub country: String,
    /// What it measures.
    pub measure: Measure,
    /// One value per week of the history.
    pub values: Vec<f64>,
}

/// A lift (or geo) test: the channel was switched off (or held out) in a country for
/// some weeks, and the orders (or revenue) it added were measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiftTarget {
    /// Country code.
    pub country: String,
    /// The channel tested.
    pub channel: Channel,
    /// First week of the test (index into the history).
    pub start: usize,
    /// Last week of the test (inclusive).
    pub end: usize,
    /// Orders (`Measure::Orders`) or revenue (`Measure::Revenue`).
    pub measure: Measure,
    /// Incremental orders or revenue measured over the test's weeks.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
}

/// The share of the customers at week 0 still active after `week` weeks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortTarget {
    /// Country code.
    pub country: String,
    /// Weeks after week 0.
    pub week: usize,
    /// Share still active.
    pub share_active: f64,
}

/// The company's history as the fit reads it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Observed {
    /// Week labels (ISO dates or indices), one per week.
    pub week_labels: Vec<String>,
    /// ISO date of week 0, when the history has dates.
    pub start_date: Option<String>,
    /// Weekly spend per country (scenario order of codes) and paid channel.
    pub spend: Vec<(String, Vec<[f64; N_CHANNELS]>)>,
    /// The observed series.
    pub series: Vec<Series>,
    /// Lift tests.
    pub lift: Vec<LiftTarget>,
    /// Retention of the week-0 customers.
    pub cohorts: Vec<CohortTarget>,
}

impl Observed {
    /// Weeks of history.
    pub fn weeks(&self) -> usize {
        self.week_labels.len()
    }
}

/// The strategy that reproduces the history: the scenario's staff, integration and
/// creative share, and each week's spend as the history gives it (a phase per week);
/// channels the history leaves at zero in every week keep the scenario's spend only if
/// the history has no spend column for them (`spend` = None for that channel). A
/// channel with spend gets at least the specialists it needs to run it (the company
/// ran it, so it had the crew).
pub fn history_strategy(s: &Scenario, obs: &Observed) -> Strategy {
    let mut st = s.strategy.clone();
    st.phases.clear();
    let specs = s.channel_specs();
    for w in 0..obs.weeks() {
        let mut phase = Phase {
            weeks: 1,
            ..Phase::default()
        };
        for (code, weeks) in &obs.spend {
            let by = phase.annual_spend.entry(code.clone()).or_default();
            for c in Channel::ALL.iter().filter(|c| !c.is_service()) {
                by.insert(c.name().to_string(), weeks[w][c.index()] * 52.0);
            }
        }
        st.phases.push(phase);
    }
    for (code, weeks) in &obs.spend {
        for c in Channel::ALL.iter().take(N_PAID) {
            let peak = weeks.iter().map(|x| x[c.index()]).fold(0.0, f64::max);
            let spec = &specs[c.index()];
            if peak <= 0.0 || spec.spend_per_specialist_weekly <= 0.0 {
                continue;
            }
            let need = (peak / spec.spend_per_specialist_weekly)
                .max(spec.specialists_min)
                .ceil();
            let have = st.specialists_of(code, *c);
            if have < need {
                st.specialists
                    .entry(code.clone())
                    .or_default()
                    .insert(c.name().to_string(), need);
            }
        }
    }
    st
}

/// The scenario the history is simulated on: the horizon is the history's length,
/// budget volatility is off (the history is the spend that happened), and the budget
/// is large enough for the history's spend; week 0 is the history's first week (its
/// date, when the history has dates, so that seasonality falls on the right weeks).
pub fn history_scenario(s: &Scenario, obs: &Observed, agent_scale: u32) -> Scenario {
    let mut h = s.clone();
    if obs.start_date.is_some() {
        h.start_date = obs.start_date.clone();
    }
    h.horizon_weeks = obs.weeks() as u32;
    h.finance.volatility = 0.0;
    h.agent_scale = agent_scale;
    h.finance.annual_budget = f64::MAX / 1e6;
    h
}

/// The simulated counterpart of every observed series in one replication, in the
/// order of `obs.series`, then the model's incremental effect of every lift test
/// (filled by the caller), then every cohort point.
pub fn simulated_series(world: &World, rep: &Replication, obs: &Observed) -> Vec<Vec<f64>> {
    let index = |code: &str| world.countries.iter().position(|c| c.code == code);
    obs.series
        .iter()
        .map(|s| match index(&s.country) {
            None => vec![f64::NAN; obs.weeks()],
            Some(ci) => {
                let scale = world.countries[ci].scale;
                rep.weeks
                    .iter()
                    .map(|w| s.measure.of(&w[ci], scale))
                    .collect()
            }
        })
        .collect()
}

/// Cohort points of one replication: the share of the week-0 customers active at each
/// cohort target's week (0 where the history is shorter).
pub fn simulated_cohorts(world: &World, rep: &Replication, obs: &Observed) -> Vec<f64> {
    obs.cohorts
        .iter()
        .map(|c| {
            let Some(ci) = world.countries.iter().position(|x| x.code == c.country) else {
                return f64::NAN;
            };
            let init = rep.start[ci].initial.max(1) as f64;
            match c.week {
                0 => 1.0,
                k => rep
                    .weeks
                    .get(k - 1)
                    .map_or(f64::NAN, |w| w[ci].tally.initial_active as f64 / init),
            }
        })
        .collect()
}

/// The history strategy with `channel` off in `country` during weeks `start..=end`.
pub fn without_channel(
    st: &Strategy,
    country: &str,
    channel: Channel,
    start: usize,
    end: usize,
) -> Strategy {
    let mut off = st.clone();
    for (w, ph) in off.phases.iter_mut().enumerate() {
        if (start..=end).contains(&w)
            && let Some(by) = ph.annual_spend.get_mut(country)
        {
            by.insert(channel.name().to_string(), 0.0);
        }
    }
    off
}

/// The measure a history KPI is compared with (per service channel when given so).
fn measure(k: Kpi, ch: Option<Channel>) -> Measure {
    match k {
        Kpi::Orders => Measure::Orders,
        Kpi::Revenue => Measure::Revenue,
        Kpi::ActiveCustomers => Measure::ActiveCustomers,
        Kpi::NewCustomers => Measure::NewCustomers,
        Kpi::Contacts => Measure::Contacts(ch),
        Kpi::MeanWaitMin => Measure::MeanWaitMin(ch),
        Kpi::AbandonRate => Measure::AbandonRate(ch),
    }
}

/// The company's history, lift tests and cohorts as the fit reads them; an error
/// names what cannot be used (a lift test without uncertainty, a later cohort).
pub fn from_data(h: &History, lift: &[LiftTest], cohorts: &[Cohort]) -> Result<Observed, String> {
    let mut obs = Observed {
        week_labels: h.week_labels.clone(),
        start_date: h.start_date.clone(),
        ..Observed::default()
    };
    for (code, c) in &h.countries {
        obs.spend.push((code.clone(), c.spend.clone()));
        for (k, v) in &c.kpis {
            obs.series.push(Series {
                country: code.clone(),
                measure: measure(*k, None),
                values: v.clone(),
            });
        }
        for ((k, ch), v) in &c.service {
            if c.kpis.contains_key(k) {
                continue; // the country total is fitted already
            }
            obs.series.push(Series {
                country: code.clone(),
                measure: measure(*k, Some(*ch)),
                values: v.clone(),
            });
        }
    }
    for t in lift {
        let (start, end) = t.weeks(h).map_err(|e| e.to_string())?;
        let se = t.standard_error().ok_or_else(|| {
            format!(
                "{}: row {}: the lift test gives no uncertainty; add lo,hi (its 90 % interval) or se",
                t.origin, t.row
            )
        })?;
        if se <= 0.0 || !se.is_finite() {
            return Err(format!(
                "{}: row {}: the lift test's standard error must be positive (found {se})",
                t.origin, t.row
            ));
        }
        obs.lift.push(LiftTarget {
            country: t.country.clone(),
            channel: t.channel,
            start,
            end,
            measure: match t.outcome {
                LiftOutcome::Orders => Measure::Orders,
                LiftOutcome::Revenue => Measure::Revenue,
            },
            estimate: t.incremental,
            se,
        });
    }
    for c in cohorts {
        match c.start {
            CohortStart::Initial => obs.cohorts.push(CohortTarget {
                country: c.country.clone(),
                week: (c.period_weeks * c.k) as usize,
                share_active: c.share_active,
            }),
            CohortStart::Week(_) => {
                return Err(format!(
                    "{}: row {}: only the customers at week 0 (cohort_start = initial) are fitted; \
                     cohorts acquired later are not yet supported",
                    c.origin, c.row
                ));
            }
        }
    }
    Ok(obs)
}
