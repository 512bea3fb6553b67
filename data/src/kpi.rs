//! [`Kpi`]: the outcomes a history may hold, and how a country's total of each is
//! formed from its channels.

use std::fmt;
use std::str::FromStr;

/// An outcome column of the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kpi {
    /// Orders (or conversions: new customers won), per week.
    Orders,
    /// Revenue, in currency, per week.
    Revenue,
    /// Active customers at the end of the week.
    ActiveCustomers,
    /// New customers won in the week.
    NewCustomers,
    /// Service contacts handled in the week.
    Contacts,
    /// Mean wait of a service contact, minutes.
    MeanWaitMin,
    /// Share of service contacts that abandoned.
    AbandonRate,
}

impl Kpi {
    /// Every KPI, in this order.
    pub const ALL: [Kpi; 7] = [
        Kpi::Orders,
        Kpi::Revenue,
        Kpi::ActiveCustomers,
        Kpi::NewCustomers,
        Kpi::Contacts,
        Kpi::MeanWaitMin,
        Kpi::AbandonRate,
    ];

    /// The name used in column headers, `[calibrate.columns] kpi` and `[calibrate.weights]`.
    pub fn name(self) -> &'static str {
        match self {
            Kpi::Orders => "orders",
            Kpi::Revenue => "revenue",
            Kpi::ActiveCustomers => "active_customers",
            Kpi::NewCustomers => "new_customers",
            Kpi::Contacts => "contacts",
            Kpi::MeanWaitMin => "mean_wait_min",
            Kpi::AbandonRate => "abandon_rate",
        }
    }

    /// True when a country's figure is the sum of its channels' (orders, revenue,
    /// active and new customers, contacts). False for `mean_wait_min` and
    /// `abandon_rate`: a country's figure is the mean over its service channels,
    /// weighted by their contacts when the history has contacts per channel (and
    /// they are not all zero that week), else the plain mean.
    pub fn sums_over_channels(self) -> bool {
        !matches!(self, Kpi::MeanWaitMin | Kpi::AbandonRate)
    }

    /// True for the KPIs of service channels (contacts, mean wait, abandon rate): in a
    /// long table they are read from the rows of service channels only.
    pub fn is_service(self) -> bool {
        matches!(self, Kpi::Contacts | Kpi::MeanWaitMin | Kpi::AbandonRate)
    }

    /// Comma-separated list of every KPI name, for messages.
    pub fn all_names() -> String {
        Kpi::ALL
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Kpi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kpi {
    type Err = String;
    /// A KPI by name; `conversions` is a synonym of `orders`.
    fn from_str(s: &str) -> Result<Kpi, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("conversions") {
            return Ok(Kpi::Orders);
        }
        Kpi::ALL
            .iter()
            .copied()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "unknown KPI '{s}' (known: {}, and conversions for orders)",
                    Kpi::all_names()
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpi_names_parse_back_and_conversions_means_orders() {
        for k in Kpi::ALL {
            assert_eq!(k.name().parse::<Kpi>().unwrap(), k);
        }
        assert_eq!("conversions".parse::<Kpi>().unwrap(), Kpi::Orders);
        let e = "sales".parse::<Kpi>().unwrap_err();
        assert!(
            e.contains("unknown KPI 'sales'") && e.contains("abandon_rate"),
            "{e}"
        );
        assert!(!Kpi::MeanWaitMin.sums_over_channels() && Kpi::Contacts.sums_over_channels());
    }
}
