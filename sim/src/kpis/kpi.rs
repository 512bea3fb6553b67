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
    /// Customers active at the horizon.
    ActiveCustomers,
    /// Bad service experiences (long waits, abandoned contacts, unresolved bot contacts).
    BadExperiences,
    /// New customers won (first purchases and win-backs).
    Conversions,
    /// Integration capex and opex.
    CostIntegration,
    /// Media spend (paid channels, store running cost).
    CostMedia,
    /// Wages of service staff and specialists.
    CostStaff,
    /// Media + staff + integration.
    CostTotal,
    /// Online orders that failed to arrive.
    DeliveryFailures,
    /// Inconsistency events (price, stock, information mismatches).
    InconsistencyEvents,
    /// Net present value over the horizon: Σ_w (revenue_w × margin − cost_w) / (1 + r)^((w+1)/52).
    Npv,
    /// Share of the active customers who bought on two or more channels.
    OmnichannelShare,
    /// Customers who withdrew consent or unsubscribed.
    OptOuts,
    /// Orders (all purchases).
    Purchases,
    /// The headline retention figure: [`Kpi::Retention12m`] when the horizon has 52
    /// weeks, else [`Kpi::RetentionHorizon`]. Derived, never stored.
    Retention,
    /// Share of the week-0 customers still active after 52 weeks.
    Retention12m,
    /// Share of the week-0 customers still active at the horizon.
    RetentionHorizon,
    /// Revenue of all orders.
    Revenue,
    /// (revenue × gross margin − total cost) / total cost.
    Roi,
}

impl Kpi {
    /// Every KPI, in the order of their names.
    pub const ALL: [Kpi; 18] = [
        Kpi::ActiveCustomers,
        Kpi::BadExperiences,
        Kpi::Conversions,
        Kpi::CostIntegration,
        Kpi::CostMedia,
        Kpi::CostStaff,
        Kpi::CostTotal,
        Kpi::DeliveryFailures,
        Kpi::InconsistencyEvents,
        Kpi::Npv,
        Kpi::OmnichannelShare,
        Kpi::OptOuts,
        Kpi::Purchases,
        Kpi::Retention,
        Kpi::Retention12m,
        Kpi::RetentionHorizon,
        Kpi::Revenue,
        Kpi::Roi,
    ];

    /// The name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kpi::ActiveCustomers => "active_customers",
            Kpi::BadExperiences => "bad_experiences",
            Kpi::Conversions => "conversions",
            Kpi::CostIntegration => "cost_integration",
            Kpi::CostMedia => "cost_media",
            Kpi::CostStaff => "cost_staff",
            Kpi::CostTotal => "cost_total",
            Kpi::DeliveryFailures => "delivery_failures",
            Kpi::InconsistencyEvents => "inconsistency_events",
            Kpi::Npv => "npv",
            Kpi::OmnichannelShare => "omnichannel_share",
            Kpi::OptOuts => "opt_outs",
            Kpi::Purchases => "purchases",
            Kpi::Retention => "retention",
            Kpi::Retention12m => "retention_12m",
            Kpi::RetentionHorizon => "retention_horizon",
            Kpi::Revenue => "revenue",
            Kpi::Roi => "roi",
        }
    }

    /// What the KPI counts.
    pub fn unit(self) -> Unit {
        match self {
            Kpi::Retention | Kpi::Retention12m | Kpi::RetentionHorizon | Kpi::OmnichannelShare => {
                Unit::Share
            }
            Kpi::Revenue
            | Kpi::Npv
            | Kpi::CostMedia
            | Kpi::CostStaff
            | Kpi::CostIntegration
            | Kpi::CostTotal => Unit::Money,
            Kpi::Roi => Unit::Ratio,
            Kpi::ActiveCustomers | Kpi::Conversions => Unit::Customers,
            Kpi::Purchases
            | Kpi::InconsistencyEvents
            | Kpi::OptOuts
            | Kpi::BadExperiences
            | Kpi::DeliveryFailures => Unit::Count,
        }
    }

    /// Which way the KPI is better.
    pub fn direction(self) -> Direction {
        match self {
            Kpi::CostMedia
            | Kpi::CostStaff
            | Kpi::CostIntegration
            | Kpi::CostTotal
            | Kpi::InconsistencyEvents
            | Kpi::OptOuts
            | Kpi::BadExperiences
            | Kpi::DeliveryFailures => Direction::Lower,
            _ => Direction::Higher,
        }
    }

    /// A reader's name: "12-month retention", "ROI", "total cost".
    pub fn label(self) -> &'static str {
        match self {
            Kpi::ActiveCustomers => "active customers (horizon)",
            Kpi::BadExperiences => "bad experiences",
            Kpi::Conversions => "conversions",
            Kpi::CostIntegration => "integration cost",
            Kpi::CostMedia => "media cost",
            Kpi::CostStaff => "staff cost",
            Kpi::CostTotal => "total cost",
            Kpi::DeliveryFailures => "delivery failures",
            Kpi::InconsistencyEvents => "inconsistency events",
            Kpi::Npv => "NPV",
            Kpi::OmnichannelShare => "omnichannel share",
            Kpi::OptOuts => "opt outs",
            Kpi::Purchases => "purchases",
            Kpi::Retention | Kpi::Retention12m => "12-month retention",
            Kpi::RetentionHorizon => "retention at the horizon",
            Kpi::Revenue => "revenue",
            Kpi::Roi => "ROI",
        }
    }

    /// True for a KPI computed from others ([`Kpi::Retention`]), which is never stored.
    pub fn is_derived(self) -> bool {
        self == Kpi::Retention
    }

    /// Comma-separated list of every KPI name, for error messages.
    pub fn all_names() -> String {
        names(&Kpi::ALL.map(Kpi::name))
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
        for k in Kpi::ALL {
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
        assert!(Kpi::Retention.is_derived() && !Kpi::Retention12m.is_derived());
    }
}
