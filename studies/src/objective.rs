//! What a search maximises, and how replications become one number (`--risk`).

use omnimix_optimizer::Risk;
use omnimix_sim::World;
use omnimix_sim::engine::Replication;
use omnimix_sim::kpis::{Kpi, Kpis, incremental_kpis, replication_kpis};

/// What the search maximises.
///
/// ```
/// use omnimix_studies::Objective;
/// use omnimix_sim::kpis::Kpi;
/// let o: Objective = "roi".parse().unwrap();
/// assert_eq!(o.kpi(), Kpi::Roi);
/// assert!("retension".parse::<Objective>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// The default: NPV over the horizon plus the customer equity at its end
    /// ([`Kpi::Value`]). Profit now and the customers kept for later both count, so
    /// it cannot be won by shrinking the business.
    Value,
    /// The headline retention ([`Kpi::Retention`]: 12 months, or the horizon).
    Retention,
    /// Incremental ROI of marketing ([`Kpi::Roi`], against the run without paid media).
    Roi,
    /// Net present value over the horizon.
    Npv,
    /// Revenue.
    Revenue,
    /// The front of retention vs incremental ROI.
    Pareto,
}

impl Objective {
    /// Every objective, as named on the command line.
    pub const ALL: [Objective; 6] = [
        Objective::Value,
        Objective::Retention,
        Objective::Roi,
        Objective::Npv,
        Objective::Revenue,
        Objective::Pareto,
    ];

    /// The name on the command line and in `plan.json`.
    pub fn name(self) -> &'static str {
        match self {
            Objective::Value => "value",
            Objective::Retention => "retention",
            Objective::Roi => "roi",
            Objective::Npv => "npv",
            Objective::Revenue => "revenue",
            Objective::Pareto => "pareto",
        }
    }

    /// The KPI maximised (objective 0; retention for the front).
    pub fn kpi(self) -> Kpi {
        match self {
            Objective::Value => Kpi::Value,
            Objective::Retention | Objective::Pareto => Kpi::Retention,
            Objective::Roi => Kpi::Roi,
            Objective::Npv => Kpi::Npv,
            Objective::Revenue => Kpi::Revenue,
        }
    }

    /// True when an evaluation needs the counterfactual run without paid media
    /// (incremental ROI).
    pub fn needs_counterfactual(self) -> bool {
        matches!(self, Objective::Roi | Objective::Pareto)
    }

    /// Objective values of one simulated replication (with its counterfactual
    /// without paid media when [`Objective::needs_counterfactual`]), the guard
    /// applied when there is one.
    pub fn values(
        self,
        world: &World,
        rep: &Replication,
        without: Option<(&World, &Replication)>,
        guard: Option<&Guard>,
    ) -> Vec<f64> {
        let company = match without {
            Some((w0, r0)) => incremental_kpis(world, rep, w0, r0).0,
            None => replication_kpis(world, rep).0,
        };
        let mut v = self.values_of(&company);
        if let Some(g) = guard {
            v[0] -= g.penalty(&company);
        }
        v
    }

    /// Objective values from a replication's company KPIs: retention and incremental
    /// ROI for the front, else the objective first, then retention and ROI (reported,
    /// not searched; ROI is 0 when the counterfactual was not run).
    pub fn values_of(self, company: &Kpis) -> Vec<f64> {
        let pair = [company.value(Kpi::Retention), company.value(Kpi::Roi)];
        if self == Objective::Pareto {
            pair.to_vec()
        } else {
            vec![company.value(self.kpi()), pair[0], pair[1]]
        }
    }
}

/// The floor a retention or roi search may not go below: revenue and the customer
/// base at the horizon as a share of the current plan's (`optimize.guard_floor`).
///
/// A plan below the floor keeps its objective minus [`Guard::PENALTY`] per unit of
/// shortfall (1 % short costs 10 points of retention, or 0.1 of ROI), so the search
/// can still move towards the floor but never prefers a plan that buys its score by
/// shrinking.
///
/// ```
/// use omnimix_sim::kpis::{Kpi, Kpis};
/// use omnimix_studies::objective::Guard;
/// let g = Guard { floor: 0.95, revenue: 100.0, customers: 10.0 };
/// let mut k = Kpis::default();
/// k.values.insert(Kpi::Revenue, 96.0);
/// k.values.insert(Kpi::ActiveCustomers, 10.0);
/// assert_eq!(g.penalty(&k), 0.0);
/// k.values.insert(Kpi::Revenue, 90.0); // 5 % below the floor
/// assert!((g.penalty(&k) - 0.5).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Guard {
    /// Share of the current plan's revenue and customers a plan must keep.
    pub floor: f64,
    /// The current plan's revenue over the horizon (search model, the same replication).
    pub revenue: f64,
    /// The current plan's customers at the horizon.
    pub customers: f64,
}

impl Guard {
    /// Objective lost per unit of relative shortfall below the floor.
    pub const PENALTY: f64 = 10.0;

    /// Shortfall below the floor (the larger of revenue's and customers') × penalty.
    pub fn penalty(&self, company: &Kpis) -> f64 {
        let short = |x: f64, reference: f64| {
            if reference > 0.0 {
                (self.floor - x / reference).max(0.0)
            } else {
                0.0
            }
        };
        let s = short(company.value(Kpi::Revenue), self.revenue)
            .max(short(company.value(Kpi::ActiveCustomers), self.customers));
        Self::PENALTY * s
    }
}

impl std::str::FromStr for Objective {
    type Err = String;
    fn from_str(s: &str) -> Result<Objective, String> {
        Objective::ALL
            .into_iter()
            .find(|o| o.name() == s)
            .ok_or_else(|| format!("unknown objective '{s}'"))
    }
}

/// Parse a risk measure: `mean`, `cvar:ALPHA`, `sd:K` (mean − K·sd); `None` when the
/// text or its parameter is not one of them.
///
/// ```
/// use omnimix_optimizer::Risk;
/// assert_eq!(omnimix_studies::objective::parse_risk("cvar:0.2"), Some(Risk::Cvar(0.2)));
/// assert_eq!(omnimix_studies::objective::parse_risk("cvar:2"), None);
/// ```
pub fn parse_risk(s: &str) -> Option<Risk> {
    let risk = if s == "mean" {
        Risk::Mean
    } else {
        let (kind, v) = s.split_once(':')?;
        let v: f64 = v.parse().ok()?;
        match kind {
            "cvar" => Risk::Cvar(v),
            "sd" => Risk::MeanMinusKSd(v),
            _ => return None,
        }
    };
    risk.validate().ok().map(|_| risk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn every_objective_parses_back_and_maximises_its_kpi() {
        for o in Objective::ALL {
            assert_eq!(o.name().parse::<Objective>(), Ok(o));
        }
        assert_eq!(Objective::Pareto.kpi(), Kpi::Retention);
        assert!("Retention".parse::<Objective>().is_err());
    }

    #[test]
    fn objective_values_put_the_objective_first_and_count_undefined_roi_as_zero() {
        let mut k = Kpis {
            values: BTreeMap::new(),
            service: BTreeMap::new(),
        };
        k.values.insert(Kpi::RetentionHorizon, 0.4);
        k.values.insert(Kpi::Npv, 7.0);
        assert_eq!(Objective::Npv.values_of(&k), vec![7.0, 0.4, 0.0]);
        assert_eq!(Objective::Pareto.values_of(&k), vec![0.4, 0.0]);
    }

    #[test]
    fn risk_measures_parse_and_out_of_range_parameters_do_not() {
        assert_eq!(parse_risk("mean"), Some(Risk::Mean));
        assert_eq!(parse_risk("sd:1.5"), Some(Risk::MeanMinusKSd(1.5)));
        assert_eq!(parse_risk("sd:-1"), None);
        assert_eq!(parse_risk("cvar:0"), None);
        assert_eq!(parse_risk("var:0.1"), None);
        assert_eq!(parse_risk("cvar"), None);
    }
}
