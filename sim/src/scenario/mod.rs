//! The scenario: everything a run needs, as read from a TOML file.
//!
//! A scenario file names its countries, optionally overrides catalogue defaults of
//! channels, segments, privacy regimes and integration initiatives, and states the
//! company's strategy. Loading ([`load`]) merges the file onto the catalogue
//! ([`catalog`]), applies `--set key.path=value` overrides, reports unknown keys and
//! type errors, and validates ([`validate`]) every value; all problems come back
//! together as [`crate::ScenarioError`], each with its key path, value, what is
//! allowed, and the line and column in the file where it can be found.
//!
//! Money is in the scenario's `currency`; spends and budgets are **annual** run
//! rates (per 52 weeks), so changing `horizon_weeks` keeps the plan's pace.

pub mod calibrate;
pub mod catalog;
pub mod load;
pub mod regions;
pub mod validate;

use crate::channel::{Channel, ChannelSpec, N_CHANNELS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::mechanisms::seasonality::{Event, Seasonality};
pub use load::{Override, ScenarioSource};

/// Length of one simulation step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeStep {
    /// One step per week.
    Week,
    /// Seven steps per week.
    Day,
}

impl TimeStep {
    /// Steps per week.
    pub fn steps_per_week(self) -> u32 {
        match self {
            TimeStep::Week => 1,
            TimeStep::Day => 7,
        }
    }
}

/// A complete, validated scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Short name, used in outputs.
    pub name: String,
    /// What the scenario is for.
    #[serde(default)]
    pub description: String,
    /// Reporting currency of every money figure.
    #[serde(default = "defaults::currency")]
    pub currency: String,
    /// Master seed of every random stream.
    #[serde(default = "defaults::seed")]
    pub seed: u64,
    /// Independent replications (each with its own random streams).
    #[serde(default = "defaults::replications")]
    pub replications: u32,
    /// Simulated horizon in weeks.
    #[serde(default = "defaults::horizon_weeks")]
    pub horizon_weeks: u32,
    /// Week or day steps.
    #[serde(default = "defaults::time_step")]
    pub time_step: TimeStep,
    /// Customers represented by one agent (cohort scaling).
    #[serde(default = "defaults::agent_scale")]
    pub agent_scale: u32,
    /// Annual discount rate used for NPV.
    #[serde(default = "defaults::discount_rate_annual")]
    pub discount_rate_annual: f64,
    /// Date (ISO `YYYY-MM-DD`) of week 0: places the weeks in the calendar for
    /// seasonality and yearly events (none: week 0 is week 1 of the year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// Budget, margin and volatility.
    pub finance: Finance,
    /// Company-wide facts that are not decisions.
    #[serde(default)]
    pub company: Company,
    /// Behavioural parameters of customers (all mechanisms).
    #[serde(default)]
    pub behaviour: Behaviour,
    /// Channel parameters (catalogue defaults merged with the file's overrides).
    #[serde(default)]
    pub channels: BTreeMap<String, ChannelSpec>,
    /// Customer segments (catalogue defaults merged with the file's overrides).
    #[serde(default)]
    pub segments: BTreeMap<String, SegmentSpec>,
    /// Privacy regimes (catalogue defaults merged with the file's overrides).
    #[serde(default)]
    pub privacy: BTreeMap<String, PrivacySpec>,
    /// What the company's data records of a journey (`journeys.csv`).
    #[serde(default)]
    pub observation: crate::mechanisms::observation::ObservationSpec,
    /// Omnichannel integration initiatives (costs, delays, effects).
    #[serde(default)]
    pub integration: BTreeMap<String, InitiativeSpec>,
    /// What a shared reward scheme across channels does and costs.
    #[serde(default)]
    pub incentives: crate::mechanisms::incentives::IncentiveSpec,
    /// What a coordination function across channel teams does and costs.
    #[serde(default)]
    pub coordination: crate::mechanisms::coordination::CoordinationSpec,
    /// Countries in scope, by code (catalogue countries need only `population`).
    pub countries: BTreeMap<String, CountrySpec>,
    /// The company's current strategy.
    pub strategy: Strategy,
    /// Named alternative strategies (`simulate --strategy NAME`).
    #[serde(default)]
    pub strategies: BTreeMap<String, Strategy>,
    /// Bounds and fixed decisions for `omnimix optimize`.
    #[serde(default)]
    pub optimize: OptimizeSpec,
    /// The company's history and the free parameters `omnimix calibrate` fits.
    #[serde(default, skip_serializing_if = "calibrate::CalibrateSpec::is_empty")]
    pub calibrate: calibrate::CalibrateSpec,
    /// Strategies that cost more than the budget and were scaled down to it by the
    /// cut policy when the scenario was loaded: (strategy name, what was cut).
    #[serde(skip)]
    pub budget_fits: Vec<(String, crate::mechanisms::finance::BudgetFit)>,
}

/// A lower and/or upper bound, as an amount or as a share of the annual budget.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Bound {
    /// At least this amount (annual).
    pub min: Option<f64>,
    /// At most this amount (annual).
    pub max: Option<f64>,
    /// At least this share of the annual budget.
    pub min_share: Option<f64>,
    /// At most this share of the annual budget.
    pub max_share: Option<f64>,
}

/// The `[optimize]` table: what the optimizer may not change, and limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptimizeSpec {
    /// Decisions kept at the current strategy's value: decision names or patterns with
    /// `*`, e.g. `"DE/search/spend"`, `"*/store/spend"`, `"*/call_centre/staff"`,
    /// `"VN/unified_data"`, `"creative_share"`.
    pub fix: Vec<String>,
    /// Annual paid media per country.
    pub country_spend: BTreeMap<String, Bound>,
    /// Annual spend per paid channel, summed over countries.
    pub channel_spend: BTreeMap<String, Bound>,
    /// Most service staff (call centre, live chat, store) per country.
    pub headcount_cap: BTreeMap<String, f64>,
    /// The guard of the retention and roi objectives: a plan must keep revenue and
    /// the customer base at the horizon at no less than this share of the current
    /// plan's (0 turns the guard off), so neither can be bought by shrinking.
    pub guard_floor: f64,
    /// The roi objective spends at least this share of the current plan's paid
    /// media (each 1 % below costs 1 of ROI): at a fixed marketing budget it
    /// allocates the money across channels and countries for the best incremental
    /// return, instead of finding that a ratio rises as spend falls; 0 lets it
    /// spend less, and `summary.json`'s `budget_use` gives the marginal ROI that
    /// justifies leaving money unspent or not.
    pub roi_spend_floor: f64,
}

impl Default for OptimizeSpec {
    fn default() -> OptimizeSpec {
        OptimizeSpec {
            fix: Vec::new(),
            country_spend: BTreeMap::new(),
            channel_spend: BTreeMap::new(),
            headcount_cap: BTreeMap::new(),
            guard_floor: 0.95,
            roi_spend_floor: 0.99,
        }
    }
}

mod defaults {
    use super::TimeStep;
    pub fn currency() -> String {
        "EUR".into()
    }
    pub fn seed() -> u64 {
        42
    }
    pub fn replications() -> u32 {
        5
    }
    pub fn horizon_weeks() -> u32 {
        52
    }
    pub fn time_step() -> TimeStep {
        TimeStep::Week
    }
    pub fn agent_scale() -> u32 {
        1
    }
    pub fn discount_rate_annual() -> f64 {
        0.08
    }
}

/// Budget and finance settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finance {
    /// Annual budget for media, wages and integration (per 52 weeks).
    pub annual_budget: f64,
    /// Gross margin on revenue (contribution per unit of revenue).
    #[serde(default = "Finance::default_gross_margin")]
    pub gross_margin: f64,
    /// Probability that the budget is cut at a planning point (weak finances).
    #[serde(default)]
    pub volatility: f64,
    /// Largest cut as a share of the planned media spend.
    #[serde(default = "Finance::default_max_cut")]
    pub max_cut: f64,
    /// Weeks between planning points.
    #[serde(default = "Finance::default_planning_period_weeks")]
    pub planning_period_weeks: u32,
    /// How a budget cut falls on the cost lines (volatility cuts, and a budget lower
    /// than the plan's costs).
    #[serde(default)]
    pub cut_policy: CutPolicy,
}

/// How deep each cost line is cut, relative to the budget cut: a line with depth 1
/// is cut by the cut's share, 0.5 by half of it, 0 never. The default covers all
/// three lines: media first (1), a hiring freeze (0.5: staff who leave are not
/// replaced), integration postponed (1: projects wait, or run at reduced capacity).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CutPolicy {
    /// Depth of the cut in media spend (paid channels and the store network's running cost).
    pub media: f64,
    /// Depth of the cut in staff (service staff and specialists: a hiring freeze).
    pub staff: f64,
    /// Depth of the cut in integration (projects postponed or slowed).
    pub integration: f64,
}

impl Default for CutPolicy {
    fn default() -> Self {
        CutPolicy {
            media: 1.0,
            staff: 0.5,
            integration: 1.0,
        }
    }
}

impl Finance {
    fn default_gross_margin() -> f64 {
        0.4
    }
    fn default_max_cut() -> f64 {
        0.3
    }
    fn default_planning_period_weeks() -> u32 {
        13
    }
}

/// Facts about the company that are not decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Company {
    /// How much legacy IT slows and raises the cost of integration (0 = none, 1 = a lot).
    pub legacy_systems: f64,
}

impl Default for Company {
    fn default() -> Self {
        Company {
            legacy_systems: 0.5,
        }
    }
}

/// Behavioural parameters shared by all countries. Each names the mechanism it drives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Behaviour {
    /// Familiarity (0–1) above which an aware customer starts considering a purchase.
    pub consider_threshold: f64,
    /// Share of a non-customer's familiarity kept from one week to the next
    /// (brand memory fades without touches; below the threshold a prospect stops considering).
    pub familiarity_retention_weekly: f64,
    /// Weekly chance that a considering customer buys unprompted (direct / organic).
    pub organic_conversion_weekly: f64,
    /// Conversion multiplier for churned customers (win-back).
    pub winback_factor: f64,
    /// Conversion multiplier when the touch is on the customer's preferred channel.
    pub preferred_channel_boost: f64,
    /// Weekly chance that a customer contacts service.
    pub contact_rate_weekly: f64,
    /// Weekly chance that a considering customer asks a pre-purchase question.
    pub prospect_contact_rate_weekly: f64,
    /// Satisfaction (0–1) new customers start at and drift back to.
    pub satisfaction_baseline: f64,
    /// Weekly drift of satisfaction towards the baseline.
    pub satisfaction_drift: f64,
    /// Slope of churn hazard in satisfaction: hazard × exp(slope·(baseline − s)).
    pub satisfaction_churn_slope: f64,
    /// Satisfaction lost on a bad experience (abandoned contact, failed delivery).
    pub bad_experience_hit: f64,
    /// Satisfaction lost on a wait longer than the channel's tolerance.
    pub long_wait_hit: f64,
    /// Satisfaction gained by a resolved contact.
    pub good_service_gain: f64,
    /// Satisfaction gained by a delivered purchase.
    pub purchase_gain: f64,
    /// Chance of an inconsistency event per cross-channel touch (a touch on another
    /// channel than the customer's last), without consistent messaging.
    pub inconsistency_rate: f64,
    /// Satisfaction lost in an inconsistency event.
    pub inconsistency_hit: f64,
    /// Share of content fatigue kept from one week to the next.
    pub fatigue_retention_weekly: f64,
    /// Conversion lost at full fatigue (response × (1 − effect·fatigue)).
    pub fatigue_effect: f64,
    /// Chance per touch on a consent channel, at full fatigue, that the customer opts out.
    pub optout_at_full_fatigue: f64,
    /// How strongly the creative share cuts fatigue per touch: × exp(−k·creative_share).
    pub creative_refresh_strength: f64,
    /// Weekly conversations per customer that reach a non-customer (word of mouth).
    pub wom_talk_rate: f64,
    /// Conversion multiplier per unit of net sentiment (reviews): 1 + k·(sat − dissat).
    pub review_effect: f64,
    /// Share of conversions lost when a customer switches channel without continuity.
    pub switch_dropoff: f64,
    /// Extra online spend of omnichannel shoppers (HBR 2017: about 10 %).
    pub omni_uplift_online: f64,
    /// Extra in-store spend of omnichannel shoppers (HBR 2017: about 4 %).
    pub omni_uplift_store: f64,
    /// Extra repeat purchases of omnichannel shoppers (HBR 2017: 23 % more store trips).
    pub omni_repeat_uplift: f64,
    /// Share of the orders lost when the customer's point of sale is closed (a dark
    /// store network) and the order has to move to another open channel; live
    /// cross-channel continuity cuts the loss by its effect. Store closures also
    /// lower online sales in their trade area (the "halo" of a store), so a large
    /// share does not move: a stated planning range of 0.3–0.6.
    pub closed_channel_loss: f64,
    /// Share of the prospects whose pre-purchase contact was abandoned (or went
    /// unanswered) that stop considering the brand, as a multiple of the country's
    /// `bad_experience_churn` (PwC 2018: one bad experience makes 17 % of US
    /// customers leave, 49 % in Latin America). 1 = prospects react like customers.
    pub prospect_abandon_loss: f64,
    /// Extra in-store spend after online research (HBR 2017: 13 %).
    pub ropo_store_uplift: f64,
    /// Extra value when a pick-up leads to extra items (ICSC: ~2/3 buy more).
    pub bopis_extra_value: f64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            consider_threshold: 0.4,
            familiarity_retention_weekly: 0.95,
            organic_conversion_weekly: 0.0008,
            winback_factor: 0.3,
            preferred_channel_boost: 1.5,
            contact_rate_weekly: 0.04,
            prospect_contact_rate_weekly: 0.003,
            satisfaction_baseline: 0.6,
            satisfaction_drift: 0.05,
            satisfaction_churn_slope: 3.0,
            bad_experience_hit: 0.25,
            long_wait_hit: 0.08,
            good_service_gain: 0.05,
            purchase_gain: 0.03,
            inconsistency_rate: 0.01,
            inconsistency_hit: 0.12,
            fatigue_retention_weekly: 0.8,
            fatigue_effect: 0.7,
            optout_at_full_fatigue: 0.05,
            creative_refresh_strength: 8.0,
            wom_talk_rate: 0.1,
            review_effect: 0.5,
            switch_dropoff: 0.2,
            omni_uplift_online: 0.10,
            omni_uplift_store: 0.04,
            omni_repeat_uplift: 0.23,
            closed_channel_loss: 0.4,
            prospect_abandon_loss: 1.0,
            ropo_store_uplift: 0.13,
            bopis_extra_value: 0.2,
        }
    }
}

/// A customer segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentSpec {
    /// Value of one order before the country's price index.
    pub order_value: f64,
    /// Weekly chance that an active customer orders again.
    pub purchase_rate_weekly: f64,
    /// sBG heterogeneity of weekly churn: each customer's churn probability ~ Beta(α, β).
    pub churn_alpha: f64,
    /// See `churn_alpha`.
    pub churn_beta: f64,
    /// Decision-makers per customer who each need touches (B2B accounts > 1).
    pub decision_makers: f64,
    /// How much personalised offers matter (scales the personalisation uplift).
    pub price_sensitivity: f64,
    /// Relative reach of each channel for this segment (missing channels: 1).
    #[serde(default)]
    pub channel_preference: BTreeMap<String, f64>,
}

/// A privacy regime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivacySpec {
    /// Share of customers who consent to marketing contact and profiling.
    pub consent_rate: f64,
    /// Cost per consented customer profile held, per week (with unified data).
    pub cost_per_profile_weekly: f64,
    /// Cap on personalisation (0 = none allowed, 1 = full).
    pub personalisation_cap: f64,
}

/// An omnichannel integration initiative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitiativeSpec {
    /// One-off cost per country (before cost index, legacy and size factors).
    pub capex: f64,
    /// Weekly running cost per country once live.
    pub opex_weekly: f64,
    /// Weeks from start to go-live (before legacy and infrastructure factors).
    pub delay_weeks: f64,
    /// Strength of the initiative's effect (meaning per initiative, see catalogue).
    pub effect: f64,
}

/// A country in scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountrySpec {
    /// Full name.
    pub name: String,
    /// Customers in scope (addressable customers, not inhabitants).
    pub population: f64,
    /// Share of each segment; shares sum to 1.
    pub segments: BTreeMap<String, f64>,
    /// Share of the population using the internet (ITU / World Bank IT.NET.USER.ZS).
    pub internet_use: f64,
    /// Share using mobile internet / smartphones.
    pub mobile_use: f64,
    /// Reliability of payment and delivery (share of online orders delivered fine).
    pub logistics_reliability: f64,
    /// Regulatory / political friction (0–1): slows integration projects.
    pub regulatory_friction: f64,
    /// Online share of retail: splits purchases between online channels and stores.
    pub online_share: f64,
    /// Privacy regime name (a key of `[privacy]`).
    pub privacy: String,
    /// Media price level relative to the scenario's base prices.
    pub cost_index: f64,
    /// Wage level relative to the base wages.
    pub wage_index: f64,
    /// Price level of orders relative to the base order values.
    pub price_index: f64,
    /// Local currency (informational; all figures are in the scenario currency).
    pub currency: String,
    /// Chance a customer leaves after one bad service experience (PwC 2018).
    pub bad_experience_churn: f64,
    /// Share of the population that are customers at week 0.
    pub initial_customer_share: f64,
    /// Share of the population already aware of the brand at week 0.
    pub initial_aware_share: f64,
    /// Channels the company can use in this country (default: all).
    pub channels: Vec<String>,
    /// Seasonality, trend and dated events of demand (default: flat).
    #[serde(default)]
    pub seasonality: Seasonality,
    /// Set on the unit of a region (`CC/region`, see [`regions`]): the country it
    /// belongs to; `None` for a country simulated whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<RegionOf>,
}

/// The country a region's unit belongs to (docs/model.md, "Regions").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionOf {
    /// Country code.
    pub country: String,
    /// Region name.
    pub name: String,
    /// Share of the country's population.
    pub share: f64,
}

impl CountrySpec {
    /// Share of its country's population: the region's, 1 for a whole country.
    /// Costs that are one per country (the fixed part of integration projects, a
    /// channel's minimum crew) are split between regions by it.
    pub fn region_share(&self) -> f64 {
        self.region.as_ref().map_or(1.0, |r| r.share)
    }

    /// A channel's minimum viable weekly spend here: the region's share of the
    /// country's (a campaign split between regions is one campaign).
    pub fn min_viable_weekly(&self, spec: &ChannelSpec) -> f64 {
        spec.min_viable_weekly_spend * self.region_share()
    }

    /// The country this unit reports under: its own code, or its region's country.
    pub fn country_code<'a>(&'a self, code: &'a str) -> &'a str {
        self.region.as_ref().map_or(code, |r| r.country.as_str())
    }
}

/// Channel → amount.
pub type ByChannel = BTreeMap<String, f64>;
/// Country → channel → amount.
pub type ByCountryChannel = BTreeMap<String, ByChannel>;

/// A country × channel value of a table; 0 where the table leaves it out.
pub fn cell(m: &ByCountryChannel, code: &str, channel: Channel) -> f64 {
    m.get(code)
        .and_then(|x| x.get(channel.name()))
        .copied()
        .unwrap_or(0.0)
}

/// The company's decisions (what the optimizer searches).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Strategy {
    /// What this strategy is.
    #[serde(default)]
    pub description: String,
    /// Share of media spend used to refresh creative content (fights fatigue).
    #[serde(default = "Strategy::default_creative_share")]
    pub creative_share: f64,
    /// Annual spend per country and channel.
    #[serde(default)]
    pub annual_spend: ByCountryChannel,
    /// Service staff (FTE) per country and channel: call centre, live chat, store staff.
    #[serde(default)]
    pub service_staff: ByCountryChannel,
    /// Marketing specialists (FTE) per country and channel.
    #[serde(default)]
    pub specialists: ByCountryChannel,
    /// Integration initiatives per country: initiative → start week.
    #[serde(default)]
    pub integration: BTreeMap<String, BTreeMap<String, u32>>,
    /// Spend by period (e.g. a plan per quarter): consecutive phases from week 0,
    /// each overriding `annual_spend` for the country × channel pairs it names
    /// during its weeks. After the last phase the base `annual_spend` applies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<Phase>,
    /// Reward scheme and coordination per country (none: channel-only rewards, silos).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub organisation: BTreeMap<String, Organisation>,
}

/// How a country's channel teams are rewarded and coordinated
/// (`[strategy.organisation.CC]`; docs/model.md, "Rewards and coordination").
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Organisation {
    /// Share of variable pay on the shared measure (credit for any order the
    /// customer's journey touched): 0 = channel-only credit, 1 = fully shared.
    pub shared_reward: f64,
    /// Coordination function across channel teams: 0 = silos, 1 = full.
    pub coordination: f64,
}

/// One period of a phased spend plan.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Phase {
    /// Length in weeks.
    pub weeks: u32,
    /// Annual spend run rate per country and channel during the phase (pairs not
    /// named keep the strategy's `annual_spend`).
    #[serde(default)]
    pub annual_spend: ByCountryChannel,
}

/// A period of constant planned spend: weeks `start..end` with an annual run rate
/// per country and channel.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendPeriod<'a> {
    /// First week.
    pub start: u32,
    /// One past the last week.
    pub end: u32,
    /// The phase's overrides (`None`: the base `annual_spend` alone).
    pub overrides: Option<&'a ByCountryChannel>,
}

impl Strategy {
    fn default_creative_share() -> f64 {
        0.1
    }

    /// The counterfactual of incremental measures: the same strategy with paid media
    /// off (no spend and no specialists on the media channels, in every phase);
    /// stores, service staff and integration stay as they are. With `only`, just
    /// that channel is off (a channel's own incremental effect).
    ///
    /// ```
    /// use omnimix_sim::{Channel, Strategy};
    /// let mut st = Strategy::default();
    /// st.annual_spend.entry("DE".into()).or_default().insert("search".into(), 1e6);
    /// st.annual_spend.entry("DE".into()).or_default().insert("store".into(), 2e6);
    /// let off = st.without_media(None);
    /// assert_eq!(off.spend_of("DE", Channel::Search), 0.0);
    /// assert_eq!(off.spend_of("DE", Channel::Store), 2e6);
    /// ```
    pub fn without_media(&self, only: Option<Channel>) -> Strategy {
        self.map_media(
            |c| !c.is_service() && c != Channel::Store && only.is_none_or(|o| o == c),
            |_| 0.0,
        )
    }

    /// The strategy with `k` times the spend and specialists of every paid channel,
    /// stores included (every country, every phase).
    pub fn with_paid_media_scaled(&self, k: f64) -> Strategy {
        self.map_media(|c| !c.is_service(), |v| v * k)
    }

    /// Spend (base and phases) and specialists of the channels `pick` selects, each
    /// replaced by `f` of itself.
    fn map_media(&self, pick: impl Fn(Channel) -> bool, f: impl Fn(f64) -> f64) -> Strategy {
        let map = |m: &mut ByCountryChannel| {
            for by in m.values_mut() {
                for (ch, v) in by.iter_mut() {
                    if ch.parse::<Channel>().is_ok_and(&pick) {
                        *v = f(*v);
                    }
                }
            }
        };
        let mut st = self.clone();
        map(&mut st.annual_spend);
        map(&mut st.specialists);
        for ph in &mut st.phases {
            map(&mut ph.annual_spend);
        }
        st
    }

    /// Annual spend of a country and channel (0 where the strategy leaves it out);
    /// the base rate, before phases.
    pub fn spend_of(&self, code: &str, channel: Channel) -> f64 {
        cell(&self.annual_spend, code, channel)
    }

    /// Service staff (FTE) of a country and channel.
    pub fn staff_of(&self, code: &str, channel: Channel) -> f64 {
        cell(&self.service_staff, code, channel)
    }

    /// Reward scheme and coordination of a country (channel-only and silos when unnamed).
    pub fn organisation_of(&self, code: &str) -> Organisation {
        self.organisation.get(code).copied().unwrap_or_default()
    }

    /// Marketing specialists (FTE) of a country and channel.
    pub fn specialists_of(&self, code: &str, channel: Channel) -> f64 {
        cell(&self.specialists, code, channel)
    }

    /// Annual spend run rate of a country and channel averaged over the horizon (a
    /// phased strategy's phases weighted by their weeks).
    ///
    /// ```
    /// use omnimix_sim::{Channel, scenario::{Phase, Strategy}};
    /// let mut st = Strategy::default();
    /// st.annual_spend.entry("DE".into()).or_default().insert("search".into(), 100.0);
    /// let mut q1 = Phase { weeks: 13, ..Phase::default() };
    /// q1.annual_spend.entry("DE".into()).or_default().insert("search".into(), 300.0);
    /// st.phases.push(q1);
    /// assert_eq!(st.mean_spend(52, "DE", Channel::Search), 150.0);
    /// ```
    pub fn mean_spend(&self, horizon_weeks: u32, code: &str, channel: Channel) -> f64 {
        if self.phases.is_empty() {
            return self.spend_of(code, channel);
        }
        let periods = self.spend_periods(horizon_weeks);
        let weeks: u32 = periods.iter().map(|p| p.end - p.start).sum();
        let total: f64 = periods
            .iter()
            .map(|p| self.spend_in(p, code, channel.name()) * (p.end - p.start) as f64)
            .sum();
        total / weeks.max(1) as f64
    }

    /// The periods of constant planned spend over a horizon of `horizon_weeks`:
    /// the phases (cut at the horizon), then the base spend for any weeks left.
    ///
    /// ```
    /// use omnimix_sim::scenario::{Phase, Strategy};
    /// let st = Strategy { phases: vec![Phase { weeks: 13, ..Phase::default() }; 2], ..Strategy::default() };
    /// let p = st.spend_periods(52);
    /// assert_eq!(p.iter().map(|p| (p.start, p.end)).collect::<Vec<_>>(), [(0, 13), (13, 26), (26, 52)]);
    /// ```
    pub fn spend_periods(&self, horizon_weeks: u32) -> Vec<SpendPeriod<'_>> {
        let mut out = Vec::new();
        let mut start = 0u32;
        for p in &self.phases {
            if start >= horizon_weeks {
                break;
            }
            let end = start.saturating_add(p.weeks).min(horizon_weeks);
            if end > start {
                out.push(SpendPeriod {
                    start,
                    end,
                    overrides: Some(&p.annual_spend),
                });
            }
            start = end;
        }
        if start < horizon_weeks {
            out.push(SpendPeriod {
                start,
                end: horizon_weeks,
                overrides: None,
            });
        }
        out
    }

    /// Annual spend run rate of a country on a channel in a period.
    pub fn spend_in(&self, period: &SpendPeriod<'_>, code: &str, channel: &str) -> f64 {
        let look = |m: &ByCountryChannel| m.get(code).and_then(|x| x.get(channel)).copied();
        period
            .overrides
            .and_then(look)
            .or_else(|| look(&self.annual_spend))
            .unwrap_or(0.0)
    }

    /// Highest annual spend run rate of a country on a channel over the base and
    /// every phase (a channel runs if this is above zero).
    pub fn peak_spend(&self, code: &str, channel: &str) -> f64 {
        let look = |m: &ByCountryChannel| {
            m.get(code)
                .and_then(|x| x.get(channel))
                .copied()
                .unwrap_or(0.0)
        };
        self.phases
            .iter()
            .map(|p| look(&p.annual_spend))
            .fold(look(&self.annual_spend), f64::max)
    }
}

/// The six integration initiatives of docs/model.md, "Integration", in index order.
pub const INITIATIVES: [&str; 6] = [
    "unified_data",
    "consistent_messaging",
    "continuity",
    "bopis",
    "ropo",
    "store_staff_access",
];

impl Scenario {
    /// Total simulation steps.
    pub fn steps(&self) -> u32 {
        self.horizon_weeks * self.time_step.steps_per_week()
    }

    /// The channel parameters in index order (the catalogue guarantees all are present).
    pub fn channel_specs(&self) -> [ChannelSpec; N_CHANNELS] {
        std::array::from_fn(|i| {
            let c = Channel::ALL[i];
            self.channels
                .get(c.name())
                .cloned()
                .unwrap_or_else(|| ChannelSpec::default_for(c))
        })
    }

    /// The strategy with the given name (`None`: the current `[strategy]`).
    pub fn strategy_named(&self, name: Option<&str>) -> Option<&Strategy> {
        match name {
            None | Some("current") | Some("plan") => Some(&self.strategy),
            Some(n) => self.strategies.get(n),
        }
    }

    /// Day count (from 1970-01-01) of week 0: the parsed `start_date`, if any.
    pub fn start_day(&self) -> Option<i64> {
        self.start_date
            .as_deref()
            .and_then(|d| crate::mechanisms::seasonality::parse_date(d).ok())
    }

    /// Agents simulated for a country (population / agent scale, at least 1).
    pub fn agents_in(&self, country: &CountrySpec) -> usize {
        ((country.population / self.agent_scale as f64).round() as usize).max(1)
    }

    /// Agents simulated in all countries.
    pub fn agents(&self) -> usize {
        self.countries.values().map(|c| self.agents_in(c)).sum()
    }

    /// Bytes of agent state one replication holds while it runs: every agent's
    /// [`crate::agents::BYTES_PER_AGENT`] (replications run in parallel each hold
    /// their own).
    ///
    /// ```
    /// use omnimix_sim::{ScenarioSource, scenario::load::load};
    /// let text = "name = 't'\nagent_scale = 1\n[finance]\nannual_budget = 1e6\n\
    ///             [countries.DE]\npopulation = 1000\n\
    ///             [strategy.annual_spend.DE]\nsearch = 100000\n\
    ///             [strategy.specialists.DE]\nsearch = 1\n";
    /// let s = load(&ScenarioSource::new("t.toml", text), &[]).unwrap();
    /// assert_eq!(s.state_bytes(), 1000 * omnimix_sim::agents::BYTES_PER_AGENT as u64);
    /// ```
    pub fn state_bytes(&self) -> u64 {
        self.agents() as u64 * crate::agents::BYTES_PER_AGENT as u64
    }
}
