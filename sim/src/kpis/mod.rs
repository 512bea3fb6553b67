//! KPIs: what a run reports, per replication and summarised over replications.
//!
//! Definitions (per country and for the company):
//! - `retention_12m`: share of the week-0 customers still active after 52 weeks
//!   (absent when the horizon is shorter); `retention_horizon`: at the horizon.
//! - `active_customers`: customers at the horizon; `conversions`: new customers won
//!   (first purchases and win-backs); `purchases`: all orders; `revenue`.
//! - `cost_media`, `cost_staff`, `cost_integration`, `cost_organisation` (shared
//!   reward bonus pool and coordination function), `cost_total` (their sum).
//! - `retention_rate` = (customers at the end − new customers) / customers at the
//!   start, over 52 weeks (or the horizon when shorter): the rate finance reads;
//!   `customers_start`, `new_customers` (in that period: distinct people who were
//!   not customers at week 0 and bought, each counted once; `conversions` also
//!   counts win-backs and a customer won twice).
//! - `roi_total` = (revenue × gross margin − total cost) / total cost (not a
//!   marketing return); the incremental `roi`, `roas`, `incremental_revenue`,
//!   `incremental_profit` and `cost_marketing` need the counterfactual run without
//!   paid media and are added by [`add_incremental`].
//! - `npv` = Σ_w (revenue_w × margin − cost_w) / (1 + r)^((w+1)/52);
//!   `customer_equity`: the discounted expected remaining margin of the customers
//!   active at the horizon; `value` = npv + customer_equity.
//! - `inconsistency_events`, `opt_outs`, `bad_experiences`, `delivery_failures`,
//!   `omnichannel_share` (customers who bought on two or more channels).
//! - `bopis_orders` (online orders picked up in store), `bopis_share` (of the online
//!   orders), `cross_channel_conversions` (orders on another channel than the
//!   customer's last), `handover_losses` (orders lost when the journey moved).
//! - per service channel: `mean_wait_min` (contact-weighted), `abandon_rate`, `contacts`.
//!
//! Every summarised KPI is an [`Interval`]: mean, sd, replication count and the
//! two-sided 90 % Student-t interval of the mean.

use crate::agents::path_channels;
use crate::channel::{Channel, N_CHANNELS};
use crate::engine::{CountryWeek, Replication};
use crate::stats::{Interval, interval};
use crate::world::World;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod kpi;
pub use kpi::{Direction, Kpi, ServiceKpi, Unit, UnknownKpi};

/// Confidence level of every reported interval.
pub const INTERVAL_LEVEL: f64 = 0.90;

/// KPIs of one replication for one country or the company.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Kpis {
    /// Scalar KPIs (a KPI that is undefined is absent; derived ones are never stored).
    pub values: BTreeMap<Kpi, f64>,
    /// Service channel → KPI → value.
    pub service: BTreeMap<Channel, BTreeMap<ServiceKpi, f64>>,
}

impl Kpis {
    /// A KPI; `None` when it is undefined (ROI without cost, retention without
    /// week-0 customers, the 12-month figure on a shorter horizon).
    pub fn get(&self, kpi: Kpi) -> Option<f64> {
        match kpi {
            Kpi::Retention => self.retention(),
            k => self.values.get(&k).copied(),
        }
    }

    /// The headline retention figure: the 12-month retention of the week-0
    /// customers, or their retention at the horizon when it is shorter.
    pub fn retention(&self) -> Option<f64> {
        self.values
            .get(&Kpi::Retention12m)
            .or(self.values.get(&Kpi::RetentionHorizon))
            .copied()
    }

    /// A KPI as a number to optimise or compare: an undefined KPI counts as 0
    /// (ROI without cost, retention without customers). The name is typed, so this
    /// never hides a misspelt KPI.
    pub fn value(&self, kpi: Kpi) -> f64 {
        self.get(kpi).unwrap_or(0.0)
    }

    /// A service channel's KPI; `None` for a channel without contacts (waits and
    /// abandonment are undefined then) or a channel that is not a service channel.
    pub fn service(&self, channel: Channel, kpi: ServiceKpi) -> Option<f64> {
        self.service.get(&channel)?.get(&kpi).copied()
    }
}

/// Sums of one country or the company over a replication, before ratios.
#[derive(Debug, Clone, Default)]
struct Totals {
    initial: f64,
    initial_at_52: Option<f64>,
    initial_at_end: f64,
    active_end: f64,
    customers_start: f64,
    period_end: f64,
    period_new: f64,
    equity: f64,
    conversions: f64,
    purchases: f64,
    revenue: f64,
    media: f64,
    wages: f64,
    integration: f64,
    organisation: f64,
    bopis: f64,
    online_orders: f64,
    cross_channel: f64,
    handover: f64,
    npv: f64,
    inconsistency: f64,
    optouts: f64,
    bad: f64,
    delivery_failures: f64,
    omni_end: f64,
    contacts: [f64; N_CHANNELS],
    abandoned: [f64; N_CHANNELS],
    wait_weighted: [f64; N_CHANNELS],
}

impl Totals {
    fn add(&mut self, o: &Totals) {
        self.initial += o.initial;
        self.initial_at_52 = match (self.initial_at_52, o.initial_at_52) {
            (Some(a), Some(b)) => Some(a + b),
            (None, b) => b,
            (a, None) => a,
        };
        self.initial_at_end += o.initial_at_end;
        self.active_end += o.active_end;
        self.customers_start += o.customers_start;
        self.period_end += o.period_end;
        self.period_new += o.period_new;
        self.equity += o.equity;
        self.conversions += o.conversions;
        self.purchases += o.purchases;
        self.revenue += o.revenue;
        self.media += o.media;
        self.wages += o.wages;
        self.integration += o.integration;
        self.organisation += o.organisation;
        self.bopis += o.bopis;
        self.online_orders += o.online_orders;
        self.cross_channel += o.cross_channel;
        self.handover += o.handover;
        self.npv += o.npv;
        self.inconsistency += o.inconsistency;
        self.optouts += o.optouts;
        self.bad += o.bad;
        self.delivery_failures += o.delivery_failures;
        self.omni_end += o.omni_end;
        for k in 0..N_CHANNELS {
            self.contacts[k] += o.contacts[k];
            self.abandoned[k] += o.abandoned[k];
            self.wait_weighted[k] += o.wait_weighted[k];
        }
    }

    fn kpis(&self, margin: f64) -> Kpis {
        let mut v = BTreeMap::new();
        if self.initial > 0.0 {
            if let Some(r) = self.initial_at_52 {
                v.insert(Kpi::Retention12m, r / self.initial);
            }
            v.insert(Kpi::RetentionHorizon, self.initial_at_end / self.initial);
        }
        let cost = self.media + self.wages + self.integration + self.organisation;
        v.insert(Kpi::ActiveCustomers, self.active_end);
        v.insert(Kpi::Conversions, self.conversions);
        v.insert(Kpi::Purchases, self.purchases);
        v.insert(Kpi::Revenue, self.revenue);
        v.insert(Kpi::CostMedia, self.media);
        v.insert(Kpi::CostStaff, self.wages);
        v.insert(Kpi::CostIntegration, self.integration);
        v.insert(Kpi::CostOrganisation, self.organisation);
        v.insert(Kpi::BopisOrders, self.bopis);
        if self.online_orders > 0.0 {
            v.insert(Kpi::BopisShare, self.bopis / self.online_orders);
        }
        v.insert(Kpi::CrossChannelConversions, self.cross_channel);
        v.insert(Kpi::HandoverLosses, self.handover);
        v.insert(Kpi::CostTotal, cost);
        if cost > 0.0 {
            v.insert(Kpi::RoiTotal, (self.revenue * margin - cost) / cost);
        }
        v.insert(Kpi::Npv, self.npv);
        v.insert(Kpi::CustomerEquity, self.equity);
        v.insert(Kpi::Value, self.npv + self.equity);
        v.insert(Kpi::CustomersStart, self.customers_start);
        v.insert(Kpi::NewCustomers, self.period_new);
        if self.customers_start > 0.0 {
            v.insert(
                Kpi::RetentionRate,
                (self.period_end - self.period_new) / self.customers_start,
            );
        }
        v.insert(Kpi::InconsistencyEvents, self.inconsistency);
        v.insert(Kpi::OptOuts, self.optouts);
        v.insert(Kpi::BadExperiences, self.bad);
        v.insert(Kpi::DeliveryFailures, self.delivery_failures);
        if self.active_end > 0.0 {
            v.insert(Kpi::OmnichannelShare, self.omni_end / self.active_end);
        }
        let mut service = BTreeMap::new();
        for c in Channel::SERVICE {
            let k = c.index();
            let mut m = BTreeMap::new();
            m.insert(ServiceKpi::Contacts, self.contacts[k]);
            if self.contacts[k] > 0.0 {
                m.insert(
                    ServiceKpi::AbandonRate,
                    self.abandoned[k] / self.contacts[k],
                );
                m.insert(
                    ServiceKpi::MeanWaitMin,
                    self.wait_weighted[k] / self.contacts[k],
                );
            }
            service.insert(c, m);
        }
        Kpis { values: v, service }
    }
}

fn country_totals(world: &World, ci: usize, rep: &Replication) -> Totals {
    let s = &world.scenario;
    let scale = world.countries[ci].scale;
    let weekly_rate = (1.0 + s.discount_rate_annual).powf(1.0 / 52.0);
    let margin = s.finance.gross_margin;
    let mut t = Totals {
        initial: rep.start[ci].initial as f64 * scale,
        customers_start: rep.start[ci].customers() as f64 * scale,
        equity: rep.equity.get(ci).copied().unwrap_or(0.0) * scale,
        ..Default::default()
    };
    // the retention rate's period: 52 weeks, or the horizon when it is shorter
    let period = rep.weeks.len().min(52);
    let mut discount = 1.0;
    for (w, week) in rep.weeks.iter().enumerate() {
        let cw: &CountryWeek = &week[ci];
        let tl = &cw.tally;
        let revenue: f64 = tl.revenue.iter().sum::<f64>() * scale;
        let media: f64 = cw.spend.iter().sum();
        discount /= weekly_rate;
        t.npv +=
            (revenue * margin - media - cw.wages - cw.integration - cw.organisation) * discount;
        t.revenue += revenue;
        t.media += media;
        t.wages += cw.wages;
        t.integration += cw.integration;
        t.organisation += cw.organisation;
        t.bopis += tl.bopis.iter().sum::<u64>() as f64 * scale;
        t.online_orders += Channel::ALL
            .iter()
            .filter(|c| world.specs[c.index()].online)
            .map(|c| tl.purchases[c.index()])
            .sum::<u64>() as f64
            * scale;
        t.cross_channel += tl.cross_channel.iter().sum::<u64>() as f64 * scale;
        t.handover += tl.handover_losses.iter().sum::<u64>() as f64 * scale;
        t.conversions += tl.conversions.iter().sum::<u64>() as f64 * scale;
        t.purchases += tl.purchases.iter().sum::<u64>() as f64 * scale;
        t.inconsistency += tl.inconsistency as f64 * scale;
        t.optouts += tl.optouts as f64 * scale;
        t.bad += tl.bad_experiences as f64 * scale;
        t.delivery_failures += tl.delivery_failures as f64 * scale;
        for k in 0..N_CHANNELS {
            let c = tl.contacts[k] as f64 * scale;
            t.contacts[k] += c;
            t.abandoned[k] += tl.abandoned[k] as f64 * scale;
            t.wait_weighted[k] += cw.mean_wait_min[k] * c;
        }
        if w < period {
            t.period_new += tl.first_customers as f64 * scale;
        }
        if w + 1 == period {
            t.period_end = tl.customers() as f64 * scale;
        }
        if w + 1 == 52 {
            t.initial_at_52 = Some(tl.initial_active as f64 * scale);
        }
    }
    if let Some(last) = rep.weeks.last() {
        let tl = &last[ci].tally;
        t.initial_at_end = tl.initial_active as f64 * scale;
        t.active_end = tl.customers() as f64 * scale;
        t.omni_end = tl.omni_customers as f64 * scale;
    }
    t
}

/// Adds the incremental KPIs of a run against its counterfactual without paid media
/// (same seeds): `incremental_revenue`, `cost_marketing` (the difference in total
/// cost), `incremental_profit` = margin × incremental revenue − cost of marketing,
/// `roas` and `roi` per unit of marketing cost (absent without marketing cost).
///
/// ```
/// use omnimix_sim::kpis::{Kpi, Kpis, add_incremental};
/// let mut run = Kpis::default();
/// run.values.insert(Kpi::Revenue, 1_000.0);
/// run.values.insert(Kpi::CostTotal, 300.0);
/// let mut without = Kpis::default();
/// without.values.insert(Kpi::Revenue, 600.0);
/// without.values.insert(Kpi::CostTotal, 200.0);
/// add_incremental(&mut run, &without, 0.4);
/// assert_eq!(run.get(Kpi::IncrementalRevenue), Some(400.0));
/// assert_eq!(run.get(Kpi::CostMarketing), Some(100.0));
/// assert_eq!(run.get(Kpi::IncrementalProfit), Some(60.0));
/// assert_eq!(run.get(Kpi::Roi), Some(0.6));
/// assert_eq!(run.get(Kpi::Roas), Some(4.0));
/// ```
pub fn add_incremental(run: &mut Kpis, without: &Kpis, margin: f64) {
    let d = |k: Kpi| run.value(k) - without.value(k);
    let revenue = d(Kpi::Revenue);
    let cost = d(Kpi::CostTotal);
    let profit = revenue * margin - cost;
    let v = &mut run.values;
    v.insert(Kpi::IncrementalRevenue, revenue);
    v.insert(Kpi::CostMarketing, cost);
    v.insert(Kpi::IncrementalProfit, profit);
    if cost > 0.0 {
        v.insert(Kpi::Roas, revenue / cost);
        v.insert(Kpi::Roi, profit / cost);
    }
}

/// KPIs of one replication: (company, per country in the world's order).
pub fn replication_kpis(world: &World, rep: &Replication) -> (Kpis, Vec<Kpis>) {
    let margin = world.scenario.finance.gross_margin;
    let mut company = Totals::default();
    let mut countries = Vec::new();
    for ci in 0..world.countries.len() {
        let t = country_totals(world, ci, rep);
        company.add(&t);
        countries.push(t.kpis(margin));
    }
    (company.kpis(margin), countries)
}

/// KPIs of one replication of each country with regions, over its regions.
pub fn country_total_kpis(world: &World, rep: &Replication) -> BTreeMap<String, Kpis> {
    let mut totals = BTreeMap::<String, Totals>::new();
    for (ci, c) in world.countries.iter().enumerate() {
        if let Some(r) = &c.spec.region {
            totals
                .entry(r.country.clone())
                .or_default()
                .add(&country_totals(world, ci, rep));
        }
    }
    let margin = world.scenario.finance.gross_margin;
    totals
        .into_iter()
        .map(|(code, t)| (code, t.kpis(margin)))
        .collect()
}

/// KPIs summarised over replications.
///
/// In files (`summary.json`) the scalar KPIs are keys of the object, in the order of
/// their names, then `service`: channel name → KPI name → interval.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KpiSummary {
    /// Scalar KPIs.
    pub values: BTreeMap<Kpi, Interval>,
    /// Per service channel.
    pub service: BTreeMap<Channel, BTreeMap<ServiceKpi, Interval>>,
}

impl KpiSummary {
    /// Summarise one KPI set per replication. A KPI undefined in any replication is
    /// left out.
    pub fn from_replications(reps: &[&Kpis]) -> KpiSummary {
        let mut values = BTreeMap::new();
        if let Some(first) = reps.first() {
            for &kpi in first.values.keys() {
                let xs: Vec<f64> = reps.iter().filter_map(|k| k.get(kpi)).collect();
                if xs.len() == reps.len() {
                    values.insert(kpi, interval(&xs, INTERVAL_LEVEL));
                }
            }
        }
        let mut service = BTreeMap::new();
        if let Some(first) = reps.first() {
            for (&ch, m) in &first.service {
                let mut out = BTreeMap::new();
                for &kpi in m.keys() {
                    let xs: Vec<f64> = reps.iter().filter_map(|k| k.service(ch, kpi)).collect();
                    if xs.len() == reps.len() {
                        out.insert(kpi, interval(&xs, INTERVAL_LEVEL));
                    }
                }
                service.insert(ch, out);
            }
        }
        KpiSummary { values, service }
    }

    /// A KPI's interval (the headline [`Kpi::Retention`] resolved as in
    /// [`Kpis::retention`]).
    pub fn get(&self, kpi: Kpi) -> Option<&Interval> {
        match kpi {
            Kpi::Retention => self.retention(),
            k => self.values.get(&k),
        }
    }

    /// The headline retention figure: 12 months, or the horizon when shorter.
    pub fn retention(&self) -> Option<&Interval> {
        self.values
            .get(&Kpi::Retention12m)
            .or(self.values.get(&Kpi::RetentionHorizon))
    }

    /// Mean of a KPI.
    pub fn mean(&self, kpi: Kpi) -> Option<f64> {
        self.get(kpi).map(|i| i.mean)
    }

    /// A service channel's KPI.
    pub fn service(&self, channel: Channel, kpi: ServiceKpi) -> Option<&Interval> {
        self.service.get(&channel)?.get(&kpi)
    }
}

impl Serialize for KpiSummary {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.values.len() + 1))?;
        for (k, v) in &self.values {
            m.serialize_entry(k.name(), v)?;
        }
        // by channel name, as the files have always listed them
        let service: BTreeMap<&str, &BTreeMap<ServiceKpi, Interval>> =
            self.service.iter().map(|(c, v)| (c.name(), v)).collect();
        m.serialize_entry("service", &service)?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for KpiSummary {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<KpiSummary, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = KpiSummary;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("KPI names with intervals, and `service`")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<KpiSummary, A::Error> {
                use serde::de::Error;
                let mut out = KpiSummary::default();
                while let Some(name) = m.next_key::<String>()? {
                    if name == "service" {
                        out.service = m.next_value()?;
                    } else {
                        let kpi: Kpi = name.parse().map_err(A::Error::custom)?;
                        out.values.insert(kpi, m.next_value()?);
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(Visit)
    }
}

/// The `summary.json` of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// omnimix version that produced it.
    pub omnimix_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Strategy simulated (`current` or a name from `[strategies]`).
    pub strategy: String,
    /// Master seed.
    pub seed: u64,
    /// Replications.
    pub replications: u32,
    /// Customers per agent.
    pub agent_scale: u32,
    /// Agents simulated per replication.
    pub agents: usize,
    /// Customers in scope (sum of populations).
    pub customers_in_scope: f64,
    /// Horizon.
    pub horizon_weeks: u32,
    /// `week` or `day`.
    pub time_step: String,
    /// Currency of money figures.
    pub currency: String,
    /// What the intervals are.
    pub interval: String,
    /// Company-wide KPIs.
    pub company: KpiSummary,
    /// Per country KPIs (a country with regions: one entry per region, `CC/region`).
    pub countries: BTreeMap<String, KpiSummary>,
    /// Countries with regions: their KPIs over all their regions (sums of the
    /// regions' counts and money, ratios of the sums).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub country_totals: BTreeMap<String, KpiSummary>,
}

/// KPIs of one replication with the incremental ones against its counterfactual
/// without paid media (`without`: the same seed and replication on the world of
/// [`crate::Strategy::without_media`]).
pub fn incremental_kpis(
    world: &World,
    rep: &Replication,
    without_world: &World,
    without: &Replication,
) -> (Kpis, Vec<Kpis>) {
    let margin = world.scenario.finance.gross_margin;
    let (mut company, mut countries) = replication_kpis(world, rep);
    let (c0, k0) = replication_kpis(without_world, without);
    add_incremental(&mut company, &c0, margin);
    for (k, k0) in countries.iter_mut().zip(&k0) {
        add_incremental(k, k0, margin);
    }
    (company, countries)
}

/// Summarise replications into a [`Summary`].
pub fn summarise(world: &World, strategy_name: &str, seed: u64, reps: &[Replication]) -> Summary {
    summarise_with(world, strategy_name, seed, reps, None)
}

/// [`summarise`] with the incremental KPIs when the counterfactual runs without paid
/// media are given (`(world, replications)`, paired by position).
pub fn summarise_with(
    world: &World,
    strategy_name: &str,
    seed: u64,
    reps: &[Replication],
    without: Option<(&World, &[Replication])>,
) -> Summary {
    let per_rep: Vec<(Kpis, Vec<Kpis>)> = match without {
        Some((w0, r0)) => reps
            .iter()
            .zip(r0)
            .map(|(r, z)| incremental_kpis(world, r, w0, z))
            .collect(),
        None => reps.iter().map(|r| replication_kpis(world, r)).collect(),
    };
    let company = KpiSummary::from_replications(&per_rep.iter().map(|x| &x.0).collect::<Vec<_>>());
    let countries = world
        .countries
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let ks: Vec<&Kpis> = per_rep.iter().map(|x| &x.1[ci]).collect();
            (c.code.clone(), KpiSummary::from_replications(&ks))
        })
        .collect();
    // countries with regions: the sums over their regions, in each replication
    let per_rep_totals: Vec<BTreeMap<String, Kpis>> = reps
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut t = country_total_kpis(world, r);
            if let Some((w0, r0)) = without
                && let Some(z) = r0.get(i)
            {
                let t0 = country_total_kpis(w0, z);
                for (code, k) in t.iter_mut() {
                    if let Some(k0) = t0.get(code) {
                        add_incremental(k, k0, world.scenario.finance.gross_margin);
                    }
                }
            }
            t
        })
        .collect();
    let country_totals = per_rep_totals
        .first()
        .map(|t| t.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|code| {
            let ks: Vec<&Kpis> = per_rep_totals.iter().filter_map(|t| t.get(&code)).collect();
            let summary = KpiSummary::from_replications(&ks);
            (code, summary)
        })
        .collect();
    let s = &world.scenario;
    Summary {
        omnimix_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: s.name.clone(),
        strategy: strategy_name.to_string(),
        seed,
        replications: reps.len() as u32,
        agent_scale: s.agent_scale,
        agents: world.agents(),
        customers_in_scope: s.countries.values().map(|c| c.population).sum(),
        horizon_weeks: s.horizon_weeks,
        time_step: match s.time_step {
            crate::scenario::TimeStep::Week => "week".into(),
            crate::scenario::TimeStep::Day => "day".into(),
        },
        currency: s.currency.clone(),
        interval: format!(
            "{:.0} % two-sided Student-t confidence interval of the mean over replications (lo/hi absent with one replication)",
            INTERVAL_LEVEL * 100.0
        ),
        company,
        countries,
        country_totals,
    }
}

/// One row of `weekly.csv` (means over replications; counts in customers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeeklyRow {
    /// Week, from 1.
    pub week: u32,
    /// Country code.
    pub country: String,
    /// Channel name.
    pub channel: &'static str,
    /// Spend.
    pub spend: f64,
    /// Impressions bought.
    pub impressions: f64,
    /// People reached by the channel's media (modelled weekly reach).
    pub reach: f64,
    /// Touches delivered (paid) or service contacts handled (service).
    pub contacts: f64,
    /// New customers won on the channel.
    pub conversions: f64,
    /// Revenue of orders on the channel.
    pub revenue: f64,
    /// Mean wait of service contacts, minutes.
    pub mean_wait_min: f64,
    /// Share of service contacts that abandoned.
    pub abandon_rate: f64,
    /// Active customers who prefer the channel, end of week.
    pub active_customers: f64,
    /// Customers who prefer the channel lost this week.
    pub churned: f64,
    /// Demand index of the country this week (seasonality, trend, events; 1 = flat).
    pub demand_index: f64,
    /// Orders placed on the channel and picked up in store.
    pub bopis_orders: f64,
    /// Orders on the channel from customers who last used another channel.
    pub cross_channel_conversions: f64,
    /// Orders lost when the journey moved to the channel (hand-over drop-off).
    pub handover_losses: f64,
}

/// `weekly.csv` rows: week × country × channel, means over replications.
pub fn weekly_rows(world: &World, reps: &[Replication]) -> Vec<WeeklyRow> {
    let n = reps.len().max(1) as f64;
    let mut rows = Vec::new();
    let weeks = reps.first().map_or(0, |r| r.weeks.len());
    for w in 0..weeks {
        for (ci, c) in world.countries.iter().enumerate() {
            let scale = c.scale;
            for ch in Channel::ALL {
                let k = ch.index();
                let mut row = WeeklyRow {
                    week: w as u32 + 1,
                    country: c.code.clone(),
                    channel: ch.name(),
                    spend: 0.0,
                    impressions: 0.0,
                    reach: 0.0,
                    contacts: 0.0,
                    conversions: 0.0,
                    revenue: 0.0,
                    mean_wait_min: 0.0,
                    abandon_rate: 0.0,
                    active_customers: 0.0,
                    churned: 0.0,
                    demand_index: c.demand_at(w as u32),
                    bopis_orders: 0.0,
                    cross_channel_conversions: 0.0,
                    handover_losses: 0.0,
                };
                for r in reps {
                    let cw = &r.weeks[w][ci];
                    let t = &cw.tally;
                    row.spend += cw.spend[k];
                    row.impressions += cw.impressions[k];
                    row.reach += cw.reach_share[k] * c.spec.population;
                    row.contacts += if ch.is_service() {
                        t.contacts[k]
                    } else {
                        t.touches[k]
                    } as f64
                        * scale;
                    row.conversions += t.conversions[k] as f64 * scale;
                    row.revenue += t.revenue[k] * scale;
                    row.mean_wait_min += cw.mean_wait_min[k];
                    if t.contacts[k] > 0 {
                        row.abandon_rate += t.abandoned[k] as f64 / t.contacts[k] as f64;
                    }
                    row.active_customers += t.active_by_pref[k] as f64 * scale;
                    row.churned += t.churned_by_pref[k] as f64 * scale;
                    row.bopis_orders += t.bopis[k] as f64 * scale;
                    row.cross_channel_conversions += t.cross_channel[k] as f64 * scale;
                    row.handover_losses += t.handover_losses[k] as f64 * scale;
                }
                for x in [
                    &mut row.spend,
                    &mut row.impressions,
                    &mut row.reach,
                    &mut row.contacts,
                    &mut row.conversions,
                    &mut row.revenue,
                    &mut row.mean_wait_min,
                    &mut row.abandon_rate,
                    &mut row.active_customers,
                    &mut row.churned,
                    &mut row.bopis_orders,
                    &mut row.cross_channel_conversions,
                    &mut row.handover_losses,
                ] {
                    *x /= n;
                }
                rows.push(row);
            }
        }
    }
    rows
}

/// One row of `journeys.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JourneyRow {
    /// Country code.
    pub country: String,
    /// Channels joined by ` > `, oldest first.
    pub path: String,
    /// Orders that followed the path (first purchases, win-backs and repeat orders
    /// preceded by touches since the customer's last order).
    pub total_conversions: f64,
    /// Journeys on the path that did not convert by the horizon.
    pub total_null: f64,
    /// Value of those conversions.
    pub total_conversion_value: f64,
}

/// The true journeys (`true_journeys.csv`): per country and distinct path, means over
/// replications in customers (agent counts × agent scale ÷ replications).
pub fn journey_rows(world: &World, reps: &[Replication]) -> Vec<JourneyRow> {
    rows_of(world, reps, |r| r.journeys.as_ref())
}

/// What the company could observe of the journeys (`journeys.csv`, see
/// [`crate::mechanisms::observation`]), in the same rows as [`journey_rows`].
pub fn observed_journey_rows(world: &World, reps: &[Replication]) -> Vec<JourneyRow> {
    rows_of(world, reps, |r| r.observed_journeys.as_ref())
}

fn rows_of(
    world: &World,
    reps: &[Replication],
    tally: impl Fn(&Replication) -> Option<&Vec<crate::engine::JourneyTally>>,
) -> Vec<JourneyRow> {
    let n = reps.len().max(1) as f64;
    let mut rows = Vec::new();
    for (ci, c) in world.countries.iter().enumerate() {
        let mut merged: BTreeMap<u32, [f64; 3]> = BTreeMap::new();
        for r in reps {
            if let Some(j) = tally(r) {
                for (path, v) in &j[ci] {
                    let e = merged.entry(*path).or_default();
                    for k in 0..3 {
                        e[k] += v[k];
                    }
                }
            }
        }
        let mut by_name: BTreeMap<String, [f64; 3]> = BTreeMap::new();
        for (path, v) in merged {
            let name = path_channels(path)
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(" > ");
            let e = by_name.entry(name).or_default();
            for k in 0..3 {
                e[k] += v[k];
            }
        }
        for (path, v) in by_name {
            rows.push(JourneyRow {
                country: c.code.clone(),
                path,
                total_conversions: v[0] * c.scale / n,
                total_null: v[1] * c.scale / n,
                total_conversion_value: v[2] * c.scale / n,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kpis(r12: Option<f64>, rh: f64, roi: Option<f64>) -> Kpis {
        let mut k = Kpis::default();
        if let Some(r) = r12 {
            k.values.insert(Kpi::Retention12m, r);
        }
        k.values.insert(Kpi::RetentionHorizon, rh);
        if let Some(r) = roi {
            k.values.insert(Kpi::Roi, r);
        }
        let mut m = BTreeMap::new();
        m.insert(ServiceKpi::Contacts, 10.0);
        m.insert(ServiceKpi::MeanWaitMin, 0.5);
        k.service.insert(Channel::LiveChat, m.clone());
        k.service.insert(Channel::CallCentre, m.clone());
        k.service.insert(Channel::Chatbot, m);
        k
    }

    #[test]
    fn headline_retention_is_the_12_month_figure_else_the_horizon() {
        let long = kpis(Some(0.6), 0.5, Some(1.0));
        assert_eq!(long.retention(), Some(0.6));
        assert_eq!(long.get(Kpi::Retention), Some(0.6));
        let short = kpis(None, 0.7, None);
        assert_eq!(short.get(Kpi::Retention), Some(0.7));
        // undefined ROI: None when read, 0 as a number to optimise
        assert_eq!(short.get(Kpi::Roi), None);
        assert_eq!(short.value(Kpi::Roi), 0.0);
        let s = KpiSummary::from_replications(&[&long, &long]);
        assert_eq!(s.mean(Kpi::Retention), Some(0.6));
        let s = KpiSummary::from_replications(&[&short]);
        assert_eq!(s.mean(Kpi::Retention), Some(0.7));
    }

    #[test]
    fn a_kpi_missing_in_one_replication_is_left_out_of_the_summary() {
        let s =
            KpiSummary::from_replications(&[&kpis(None, 0.5, Some(1.0)), &kpis(None, 0.5, None)]);
        assert!(s.get(Kpi::Roi).is_none());
        assert!(s.get(Kpi::RetentionHorizon).is_some());
    }

    #[test]
    fn summary_json_lists_kpis_and_service_channels_by_name_and_reads_back() {
        let s = KpiSummary::from_replications(&[&kpis(Some(0.6), 0.5, Some(1.0))]);
        let json = serde_json::to_string(&s).unwrap();
        let at = |k: &str| json.find(&format!("\"{k}\"")).unwrap();
        assert!(
            at("retention_12m") < at("retention_horizon") && at("retention_horizon") < at("roi")
        );
        assert!(at("roi") < at("service"));
        assert!(at("call_centre") < at("chatbot") && at("chatbot") < at("live_chat"));
        assert!(
            !json.contains("\"retention\""),
            "derived KPIs are not written"
        );
        let back: KpiSummary = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        let bad = json.replace("retention_12m", "retention_13m");
        let e = serde_json::from_str::<KpiSummary>(&bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown KPI 'retention_13m'"), "{e}");
    }
}
