//! KPIs as types: every figure a run reports is a [`Kpi`] (company and country
//! level) or a [`ServiceKpi`] (per service channel), each with its name in files, its
//! unit and the direction in which it is better. A name that is not a KPI is an
//! error when it is parsed, never a silent 0.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// What a KPI counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share between 0 and 1 (retention, shares of customers).
    Share,
    /// Money in the scenario's currency.
    Money,
    /// A return per unit of money spent (ROI: 0.5 is +50 %).
    Ratio,
    /// Customers (agent counts × agent scale).
    Customers,
    /// Events or orders (counts × agent scale).
    Count,
    /// Minutes.
    Minutes,
}

/// Which way a KPI is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// More is better (retention, revenue, ROI).
    Higher,
    /// Less is better (costs, waits, bad experiences).
    Lower,
}

/// Declares [`Kpi`] from one table: variant (with its formula as doc), file name,
/// unit, direction, reader's label. Rows are in the order of their names.
macro_rules! kpi_table {
    ($( $(#[$doc:meta])* $v:ident => ($name:literal, $unit:ident, $dir:ident, $label:literal), )*) => {
        /// A company- or country-level KPI of one run.
        ///
        /// Variants are declared in the alphabetical order of their names, so a
        /// `BTreeMap<Kpi, _>` lists them as the files do (a test guards this).
        ///
        /// ```
        /// use omnimix_sim::kpis::{Kpi, Unit};
        /// let k: Kpi = "retention_12m".parse().unwrap();
        /// assert_eq!(k, Kpi::Retention12m);
        /// assert_eq!(k.unit(), Unit::Share);
        /// assert!("retenton".parse::<Kpi>().is_err());
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Kpi {
            $( $(#[$doc])* $v, )*
        }

        impl Kpi {
            /// Every KPI, in the order of their names.
            pub const ALL: &'static [Kpi] = &[$(Kpi::$v),*];

            /// The name used in files and on the command line.
            pub fn name(self) -> &'static str {
                match self { $(Kpi::$v => $name,)* }
            }

            /// What the KPI counts.
            pub fn unit(self) -> Unit {
                match self { $(Kpi::$v => Unit::$unit,)* }
            }

            /// Which way the KPI is better.
            pub fn direction(self) -> Direction {
                match self { $(Kpi::$v => Direction::$dir,)* }
            }

            /// A reader's name: "12-month retention", "ROI", "total cost".
            pub fn label(self) -> &'static str {
                match self { $(Kpi::$v => $label,)* }
            }
        }
    };
}

kpi_table! {
    /// Customers active at the horizon (the customer base at its end).
    ActiveCustomers => ("active_customers", Customers, Higher, "active customers (horizon)"),
    /// Bad service experiences (abandoned or unanswered contacts, failed deliveries).
    BadExperiences => ("bad_experiences", Count, Lower, "bad experiences"),
    /// Online orders picked up in store (buy online, pick up in store).
    BopisOrders => ("bopis_orders", Count, Higher, "pick-up orders"),
    /// Share of the online orders picked up in store: bopis_orders / orders on the
    /// online channels.
    BopisShare => ("bopis_share", Share, Higher, "pick-up share of online orders"),
    /// New customers won over the horizon (first purchases and win-backs).
    Conversions => ("conversions", Customers, Higher, "conversions"),
    /// Integration capex and opex.
    CostIntegration => ("cost_integration", Money, Lower, "integration cost"),
    /// Cost of marketing: total cost of the run minus that of its counterfactual
    /// without paid media (media spend and the specialists who run it; stores and
    /// service stay). Present when the counterfactual was run.
    CostMarketing => ("cost_marketing", Money, Lower, "marketing cost"),
    /// Media spend (paid channels, store running cost).
    CostMedia => ("cost_media", Money, Lower, "media cost"),
    /// Organisation: the shared-reward bonus pool and the coordination function.
    CostOrganisation => ("cost_organisation", Money, Lower, "organisation cost"),
    /// Wages of service staff and specialists.
    CostStaff => ("cost_staff", Money, Lower, "staff cost"),
    /// Media + staff + integration + organisation.
    CostTotal => ("cost_total", Money, Lower, "total cost"),
    /// Orders placed on another channel than the one the customer last used (the
    /// journey moved between channels: first purchases, win-backs and repeat orders).
    CrossChannelConversions => ("cross_channel_conversions", Count, Higher, "cross-channel orders"),
    /// Expected remaining margin of the customers active at the horizon, discounted:
    /// Σ over them of m·Σ_{k=1..K} ((1 − h)/d)^k, with m a customer's expected margin
    /// per step, h their own churn hazard per step, d the discount factor per step
    /// and K ten years of steps.
    CustomerEquity => ("customer_equity", Money, Higher, "customer equity"),
    /// Customers at week 0.
    CustomersStart => ("customers_start", Customers, Higher, "customers at the start"),
    /// Online orders that failed to arrive.
    DeliveryFailures => ("delivery_failures", Count, Lower, "delivery failures"),
    /// Orders lost when the journey moved to another channel (the hand-over drop-off).
    HandoverLosses => ("handover_losses", Count, Lower, "orders lost at hand-overs"),
    /// Inconsistency events (price, stock, information mismatches).
    InconsistencyEvents => ("inconsistency_events", Count, Lower, "inconsistency events"),
    /// Margin on incremental revenue minus the cost of marketing:
    /// margin × incremental_revenue − cost_marketing.
    IncrementalProfit => ("incremental_profit", Money, Higher, "incremental profit"),
    /// Revenue minus the revenue of the counterfactual run without paid media (same
    /// seeds, common random numbers).
    IncrementalRevenue => ("incremental_revenue", Money, Higher, "incremental revenue"),
    /// New customers (first purchases and win-backs) in the period of
    /// [`Kpi::RetentionRate`]: 52 weeks, or the horizon when it is shorter.
    NewCustomers => ("new_customers", Customers, Higher, "new customers"),
    /// Net present value over the horizon: Σ_w (revenue_w × margin − cost_w) / (1 + r)^((w+1)/52).
    Npv => ("npv", Money, Higher, "NPV"),
    /// Share of the active customers who bought on two or more channels.
    OmnichannelShare => ("omnichannel_share", Share, Higher, "omnichannel share"),
    /// Customers who withdrew consent or unsubscribed.
    OptOuts => ("opt_outs", Count, Lower, "opt outs"),
    /// Orders (all purchases).
    Purchases => ("purchases", Count, Higher, "purchases"),
    /// The headline retention figure: [`Kpi::Retention12m`] when the horizon has 52
    /// weeks, else [`Kpi::RetentionHorizon`]. Derived, never stored.
    Retention => ("retention", Share, Higher, "12-month retention"),
    /// Share of the week-0 customers still active after 52 weeks (cohort survival).
    Retention12m => ("retention_12m", Share, Higher, "12-month retention"),
    /// Share of the week-0 customers still active at the horizon.
    RetentionHorizon => ("retention_horizon", Share, Higher, "retention at the horizon"),
    /// Customer retention rate as finance reads it, over 52 weeks (or the horizon
    /// when shorter): (customers at the end − new customers) / customers at the start.
    RetentionRate => ("retention_rate", Share, Higher, "customer retention rate"),
    /// Revenue of all orders.
    Revenue => ("revenue", Money, Higher, "revenue"),
    /// Incremental return on ad spend: incremental_revenue / cost_marketing
    /// (Meridian's ROI, Robyn's ROAS).
    Roas => ("roas", Ratio, Higher, "incremental ROAS"),
    /// Incremental ROI of marketing: incremental_profit / cost_marketing.
    Roi => ("roi", Ratio, Higher, "incremental ROI"),
    /// ROI on total revenue, not a marketing return: (revenue × gross margin − total
    /// cost) / total cost.
    RoiTotal => ("roi_total", Ratio, Higher, "ROI on total revenue"),
    /// NPV over the horizon plus the customer equity at its end: the default
    /// objective, which counts the long view and cannot be won by shrinking.
    Value => ("value", Money, Higher, "value (NPV + customer equity)"),
}

impl Kpi {
    /// True for a KPI computed from others ([`Kpi::Retention`]), which is never stored.
    pub fn is_derived(self) -> bool {
        self == Kpi::Retention
    }

    /// True for a KPI that needs the counterfactual run without paid media.
    pub fn is_incremental(self) -> bool {
        matches!(
            self,
            Kpi::CostMarketing
                | Kpi::IncrementalProfit
                | Kpi::IncrementalRevenue
                | Kpi::Roas
                | Kpi::Roi
        )
    }

    /// Comma-separated list of every KPI name, for error messages.
    pub fn all_names() -> String {
        names(&Kpi::ALL.iter().map(|k| k.name()).collect::<Vec<_>>())
    }
}

/// A KPI of one service channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ServiceKpi {
    /// Share of the contacts that abandoned before being answered.
    AbandonRate,
    /// Contacts offered.
    Contacts,
    /// Mean wait of the contacts, minutes (contact-weighted).
    MeanWaitMin,
}

impl ServiceKpi {
    /// Every service KPI, in the order of their names.
    pub const ALL: [ServiceKpi; 3] = [
        ServiceKpi::AbandonRate,
        ServiceKpi::Contacts,
        ServiceKpi::MeanWaitMin,
    ];

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            ServiceKpi::AbandonRate => "abandon_rate",
            ServiceKpi::Contacts => "contacts",
            ServiceKpi::MeanWaitMin => "mean_wait_min",
        }
    }

    /// What the KPI counts.
    pub fn unit(self) -> Unit {
        match self {
            ServiceKpi::AbandonRate => Unit::Share,
            ServiceKpi::Contacts => Unit::Count,
            ServiceKpi::MeanWaitMin => Unit::Minutes,
        }
    }

    /// A reader's name: "mean wait", "abandon rate".
    pub fn label(self) -> &'static str {
        match self {
            ServiceKpi::AbandonRate => "abandon rate",
            ServiceKpi::Contacts => "contacts",
            ServiceKpi::MeanWaitMin => "mean wait",
        }
    }

    /// Which way the KPI is better (fewer contacts: less demand on the desk).
    pub fn direction(self) -> Direction {
        Direction::Lower
    }
}

fn names(all: &[&str]) -> String {
    all.join(", ")
}

/// A name that is not a KPI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown KPI '{name}' (known: {known})")]
#[non_exhaustive]
pub struct UnknownKpi {
    /// The name given.
    pub name: String,
    /// The names allowed, comma-separated.
    pub known: String,
}

impl FromStr for Kpi {
    type Err = UnknownKpi;
    fn from_str(s: &str) -> Result<Kpi, UnknownKpi> {
        Kpi::ALL
            .iter()
            .copied()
            .find(|k| k.name() == s)
            .ok_or_else(|| UnknownKpi {
                name: s.to_string(),
                known: Kpi::all_names(),
            })
    }
}

impl FromStr for ServiceKpi {
    type Err = UnknownKpi;
    fn from_str(s: &str) -> Result<ServiceKpi, UnknownKpi> {
        ServiceKpi::ALL
            .iter()
            .copied()
            .find(|k| k.name() == s)
            .ok_or_else(|| UnknownKpi {
                name: s.to_string(),
                known: names(&ServiceKpi::ALL.map(ServiceKpi::name)),
            })
    }
}

macro_rules! named {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                let name = String::deserialize(d)?;
                name.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
named!(Kpi);
named!(ServiceKpi);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpis_are_declared_in_the_order_of_their_names() {
        // BTreeMap<Kpi, _> then lists KPIs as summary.json always has.
        for w in Kpi::ALL.windows(2) {
            assert!(w[0] < w[1] && w[0].name() < w[1].name(), "{:?}", w);
        }
        for w in ServiceKpi::ALL.windows(2) {
            assert!(w[0] < w[1] && w[0].name() < w[1].name(), "{:?}", w);
        }
    }

    #[test]
    fn every_name_parses_back_and_a_misspelt_one_is_an_error() {
        for &k in Kpi::ALL {
            assert_eq!(k.name().parse::<Kpi>(), Ok(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(serde_json::from_str::<Kpi>(&json).unwrap(), k);
        }
        for k in ServiceKpi::ALL {
            assert_eq!(k.name().parse::<ServiceKpi>(), Ok(k));
        }
        let e = "retension".parse::<Kpi>().unwrap_err();
        assert!(e.to_string().contains("unknown KPI 'retension'"));
        assert!(e.to_string().contains("retention_12m"));
        assert!(serde_json::from_str::<Kpi>("\"ROI\"").is_err());
    }

    #[test]
    fn costs_are_lower_is_better_and_money_is_money() {
        assert_eq!(Kpi::CostTotal.direction(), Direction::Lower);
        assert_eq!(Kpi::Retention.direction(), Direction::Higher);
        assert_eq!(Kpi::Npv.unit(), Unit::Money);
        assert_eq!(Kpi::Roi.unit(), Unit::Ratio);
        assert!(Kpi::Roi.is_incremental() && !Kpi::RoiTotal.is_incremental());
        assert!(Kpi::Retention.is_derived() && !Kpi::Retention12m.is_derived());
    }
}
