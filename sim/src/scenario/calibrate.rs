//! The `[calibrate]` table: where the company's history is, how its columns map onto
//! omnimix's names, and which scenario values `omnimix calibrate` fits (the free
//! parameters, each with a prior).
//!
//! ```toml
//! [calibrate]
//! data = "history.csv"            # weekly table, CSV or XLSX (relative to this file)
//! lift_tests = "lift.csv"         # optional experiments
//! holdout_weeks = 8
//! [calibrate.columns]             # a Robyn-style wide table
//! week = "DATE"
//! spend = { search = "search_S", social = "facebook_S" }
//! kpi = { revenue = "revenue" }
//! [calibrate.params]
//! "channels.search.conversion" = { lo = 0.005, hi = 0.05 }
//! "behaviour.organic_conversion_weekly" = { dist = "log_uniform", lo = 1e-4, hi = 1e-2 }
//! "countries.DE.seasonality.cos1" = { dist = "normal", mean = 0, sd = 0.1, lo = -0.5, hi = 0.5 }
//! ```
//!
//! Parameter keys may be written quoted (`"a.b.c" = {...}`) or as dotted TOML keys
//! (`a.b.c = {...}`); both name the same key path.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// The `[calibrate]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CalibrateSpec {
    /// The weekly history: a CSV or XLSX file (a path relative to the scenario file).
    pub data: Option<String>,
    /// Worksheet of an XLSX history (default: the first).
    pub sheet: Option<String>,
    /// Experiments (lift or geo tests): CSV or XLSX.
    pub lift_tests: Option<String>,
    /// Retention cohorts: CSV or XLSX.
    pub cohorts: Option<String>,
    /// How the history's columns map onto omnimix's names.
    pub columns: ColumnsSpec,
    /// Free parameters: scenario key path -> prior.
    pub params: Params,
    /// Last weeks of the history left out of the fit and scored out of sample.
    pub holdout_weeks: u32,
    /// Customers per agent in the coarse stage of the fit (default: about 50 000
    /// agents in the largest country).
    pub coarse_agent_scale: Option<u32>,
    /// Simulations the fit may run (coarse and refined stages together).
    pub evaluations: u32,
    /// Replications (common random numbers) averaged per simulated history.
    pub replications: u32,
    /// Draws written to `posterior.csv`.
    pub draws: u32,
    /// Posterior draws of the free parameters (`posterior.csv`, relative to the
    /// scenario file), written by `calibrate` into the calibrated scenario:
    /// `simulate`, `optimize` and `compare` then draw one parameter set per
    /// replication from it, so their intervals cover parameter uncertainty too.
    pub posterior: Option<String>,
    /// Weight of each KPI in the fit (`orders`, `revenue`, `active_customers`,
    /// `new_customers`, `contacts`, `mean_wait_min`, `abandon_rate`, `lift`,
    /// `cohorts`); a KPI the history holds and this table leaves out weighs 1.
    pub weights: BTreeMap<String, f64>,
}

impl Default for CalibrateSpec {
    fn default() -> CalibrateSpec {
        CalibrateSpec {
            data: None,
            sheet: None,
            lift_tests: None,
            cohorts: None,
            columns: ColumnsSpec::default(),
            params: Params::default(),
            holdout_weeks: 0,
            coarse_agent_scale: None,
            evaluations: 400,
            replications: 2,
            draws: 200,
            posterior: None,
            weights: BTreeMap::new(),
        }
    }
}

impl CalibrateSpec {
    /// True when the scenario has no `[calibrate]` table (or an empty one).
    pub fn is_empty(&self) -> bool {
        *self == CalibrateSpec::default()
    }
}

/// Which column of the history holds what. Every field is optional: a table whose
/// headers already use omnimix's names (`week`, `country`, `channel`, `spend`,
/// `impressions`, `orders`, `revenue`, …, as `simulate` writes `weekly.csv`) needs
/// no mapping.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ColumnsSpec {
    /// The week: an ISO date (`2024-01-01`) or a week index.
    pub week: Option<String>,
    /// The country (geo) code; without it the scenario must have one country.
    pub country: Option<String>,
    /// The channel, in a long table (one row per week × country × channel).
    pub channel: Option<String>,
    /// A wide table's spend column per channel (channel name -> column).
    pub spend: BTreeMap<String, String>,
    /// A wide table's impressions column per channel.
    pub impressions: BTreeMap<String, String>,
    /// Outcome columns (KPI name -> column), e.g. `orders = "conversions"`.
    pub kpi: BTreeMap<String, String>,
}

/// The free parameters, by scenario key path.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(transparent)]
pub struct Params(pub BTreeMap<String, Prior>);

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Params, D::Error> {
        let table = toml::Table::deserialize(d)?;
        let mut out = BTreeMap::new();
        flatten(&table, "", &mut out).map_err(D::Error::custom)?;
        Ok(Params(out))
    }
}

/// A table is a prior when it has one of the prior's keys; otherwise its keys are
/// more segments of the key path.
fn flatten(t: &toml::Table, prefix: &str, out: &mut BTreeMap<String, Prior>) -> Result<(), String> {
    const PRIOR_KEYS: [&str; 5] = ["dist", "lo", "hi", "mean", "sd"];
    for (k, v) in t {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let toml::Value::Table(inner) = v else {
            return Err(format!(
                "{path}: expected a prior such as {{ lo = 0.01, hi = 0.05 }}, found {v}"
            ));
        };
        if inner.keys().any(|k| PRIOR_KEYS.contains(&k.as_str())) {
            let prior = Prior::deserialize(v.clone()).map_err(|e| format!("{path}: {e}"))?;
            out.insert(path, prior);
        } else {
            flatten(inner, &path, out)?;
        }
    }
    Ok(())
}

/// The prior distribution of a free parameter; every prior is bounded by `lo` and `hi`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prior {
    /// `uniform` (default), `log_uniform`, `normal` (truncated to the bounds).
    #[serde(default)]
    pub dist: Dist,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
    /// Mean of a normal prior.
    pub mean: Option<f64>,
    /// Standard deviation of a normal prior.
    pub sd: Option<f64>,
}

/// Shape of a prior.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dist {
    /// Flat between the bounds.
    #[default]
    Uniform,
    /// Flat in the logarithm between the bounds (a scale parameter).
    LogUniform,
    /// Normal with `mean` and `sd`, truncated to the bounds.
    Normal,
}

impl Dist {
    /// The name used in the scenario and in `parameters.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Dist::Uniform => "uniform",
            Dist::LogUniform => "log_uniform",
            Dist::Normal => "normal",
        }
    }
}

impl Prior {
    /// The problems of this prior (empty when valid), as messages.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if !(self.lo.is_finite() && self.hi.is_finite() && self.lo < self.hi) {
            p.push(format!(
                "lo = {} and hi = {} must be finite numbers with lo < hi",
                self.lo, self.hi
            ));
        }
        match self.dist {
            Dist::LogUniform if self.lo <= 0.0 => {
                p.push(format!("log_uniform needs lo > 0 (found lo = {})", self.lo))
            }
            Dist::Normal => match (self.mean, self.sd) {
                (Some(m), Some(s)) if m.is_finite() && s.is_finite() && s > 0.0 => {}
                _ => p.push("normal needs a finite mean and sd > 0".into()),
            },
            _ if self.mean.is_some() || self.sd.is_some() => p.push(format!(
                "mean and sd belong to dist = \"normal\" (this prior is {})",
                self.dist.name()
            )),
            _ => {}
        }
        p
    }

    /// A short description for tables: `uniform [0.005, 0.05]`.
    pub fn describe(&self) -> String {
        match (self.dist, self.mean, self.sd) {
            (Dist::Normal, Some(m), Some(s)) => {
                format!("normal({m}, {s}) in [{}, {}]", self.lo, self.hi)
            }
            (d, _, _) => format!("{} [{}, {}]", d.name(), self.lo, self.hi),
        }
    }
}

/// Draws of the free parameters: `names[j]` is a scenario key path, `draws[i][j]` its
/// value in draw `i` (the rows of `posterior.csv`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Posterior {
    /// Key paths of the parameters, in column order.
    pub names: Vec<String>,
    /// One row per draw.
    pub draws: Vec<Vec<f64>>,
}

impl Posterior {
    /// The draw replication `rep` uses: draw `rep mod n`, so that two strategies run on
    /// the same replication share their parameters as they share their random numbers.
    pub fn draw_for(&self, rep: u32) -> Option<&[f64]> {
        let n = self.draws.len();
        (n > 0).then(|| self.draws[rep as usize % n].as_slice())
    }

    /// The scenario of replication `rep`: the base with that draw's values.
    pub fn scenario_for(
        &self,
        base: &super::Scenario,
        rep: u32,
    ) -> Result<super::Scenario, String> {
        match self.draw_for(rep) {
            None => Ok(base.clone()),
            Some(d) => {
                base.with_values(self.names.iter().map(String::as_str).zip(d.iter().copied()))
            }
        }
    }
}

impl super::Scenario {
    /// The scenario with numeric values replaced at key paths (`channels.search.conversion`
    /// -> 0.02), deserialized and validated again; an error names each path that is not
    /// a number of the scenario and each value out of its range.
    ///
    /// ```
    /// use omnimix_sim::{ScenarioSource, scenario::load::load};
    /// let text = "name = 't'\n[finance]\nannual_budget = 1e6\n[countries.DE]\npopulation = 1000\n\
    ///             [strategy.annual_spend.DE]\nsearch = 100000\n[strategy.specialists.DE]\nsearch = 1\n";
    /// let s = load(&ScenarioSource::new("t", text), &[]).unwrap();
    /// let t = s.with_values([("channels.search.conversion", 0.02)]).unwrap();
    /// assert_eq!(t.channels["search"].conversion, 0.02);
    /// assert!(s.with_values([("channels.search.nope", 1.0)]).is_err());
    /// assert!(s.with_values([("finance.gross_margin", 7.0)]).is_err());
    /// ```
    pub fn with_values<'a>(
        &self,
        values: impl IntoIterator<Item = (&'a str, f64)>,
    ) -> Result<super::Scenario, String> {
        let mut tree = toml::Value::try_from(self).map_err(|e| e.to_string())?;
        let mut problems = Vec::new();
        for (path, x) in values {
            let segs: Vec<&str> = path.split('.').collect();
            if !set_number(&mut tree, &segs, x) {
                problems.push(format!("{path}: not a number of the scenario"));
            }
        }
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        let mut s: super::Scenario =
            super::Scenario::deserialize(tree).map_err(|e| e.to_string())?;
        s.budget_fits = self.budget_fits.clone();
        let bad = super::validate::validate(&s);
        if bad.is_empty() {
            Ok(s)
        } else {
            Err(bad
                .iter()
                .map(|p| match &p.value {
                    Some(v) => format!("{} = {v}: {}", p.path, p.message),
                    None => format!("{}: {}", p.path, p.message),
                })
                .collect::<Vec<_>>()
                .join("; "))
        }
    }
}

/// Set the number at a key path; false when the path names no number.
fn set_number(v: &mut toml::Value, path: &[&str], x: f64) -> bool {
    match (path.split_first(), v) {
        (None, toml::Value::Float(f)) => {
            *f = x;
            true
        }
        (None, toml::Value::Integer(i)) => {
            *i = x.round() as i64;
            true
        }
        (Some((first, rest)), toml::Value::Table(t)) => t
            .get_mut(*first)
            .is_some_and(|inner| set_number(inner, rest, x)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_and_dotted_parameter_keys_name_the_same_path() {
        let a: CalibrateSpec =
            toml::from_str("[params]\n\"channels.search.conversion\" = { lo = 0.01, hi = 0.05 }\n")
                .unwrap();
        let b: CalibrateSpec =
            toml::from_str("[params]\nchannels.search.conversion = { lo = 0.01, hi = 0.05 }\n")
                .unwrap();
        assert_eq!(a, b);
        assert!(a.params.0.contains_key("channels.search.conversion"));
    }

    #[test]
    fn bad_priors_are_named() {
        let p = Prior {
            dist: Dist::LogUniform,
            lo: 0.0,
            hi: 1.0,
            mean: None,
            sd: None,
        };
        assert!(p.problems()[0].contains("lo > 0"));
        let q = Prior {
            dist: Dist::Uniform,
            lo: 2.0,
            hi: 1.0,
            mean: None,
            sd: None,
        };
        assert!(q.problems()[0].contains("lo < hi"));
        let e = toml::from_str::<CalibrateSpec>("[params]\n\"a.b\" = 3\n").unwrap_err();
        assert!(e.to_string().contains("expected a prior"), "{e}");
    }
}
