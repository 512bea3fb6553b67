//! The decision space: variables, bounds, kinds, the budget and group constraints, plus
//! the deterministic repair that maps any vector to a feasible one.

use serde::{Deserialize, Serialize};

mod feasibility;
mod repair;

use repair::*;

/// Relative tolerance of [`Space::check`]: a constraint `lhs <= rhs` holds when
/// `lhs <= rhs + CHECK_TOLERANCE * max(1, |rhs|)` (and symmetrically for `>=`).
pub const CHECK_TOLERANCE: f64 = 1e-9;

/// Bisection steps used by the repair (2^-60 of the move: below f64 resolution).
const BISECTION_STEPS: usize = 60;
/// Rounds of "scale down for caps and budget, raise for floors" before the repair falls
/// back to the segment towards the least-cost feasible point.
const REPAIR_ROUNDS: usize = 8;

/// What values a variable takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// Any real value within the bounds.
    Continuous,
    /// Whole numbers within the bounds (headcount).
    Integer,
    /// 0 or 1 (an integration investment is made or not).
    Binary,
}

/// One decision variable.
///
/// ```
/// use omnimix_optimizer::{Kind, Variable};
/// let tv = Variable::continuous("de/tv", 0.0, 1e6).with_cost(1.0).with_min_viable(5e4);
/// assert_eq!(tv.kind, Kind::Continuous);
/// let staff = Variable::integer("de/service_staff", 0.0, 40.0).with_cost(52_000.0);
/// let crm = Variable::binary("de/crm_integration").with_cost(2.5e5).fixed_at(1.0);
/// # let _ = (staff, crm);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Variable {
    /// Name, used in violations and conflicts (e.g. `de/tv`).
    pub name: String,
    /// Lower bound (for a semi-continuous variable: the bound when it is on).
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
    /// Continuous, integer or binary.
    pub kind: Kind,
    /// Semi-continuous ("minimum viable spend"): when `Some(m)` the variable is either 0 or
    /// within `[max(lo, m), hi]`. Requires `lo >= 0`.
    pub min_viable: Option<f64>,
    /// Money per unit over the horizon (spend: 1; headcount: wage over the horizon). `>= 0`.
    pub cost: f64,
    /// When `Some(v)` the variable is fixed at `v` and never moved by the search.
    pub fixed: Option<f64>,
}

impl Variable {
    fn new(name: impl Into<String>, lo: f64, hi: f64, kind: Kind) -> Self {
        Self {
            name: name.into(),
            lo,
            hi,
            kind,
            min_viable: None,
            cost: 0.0,
            fixed: None,
        }
    }

    /// A continuous variable in `[lo, hi]` with no cost.
    pub fn continuous(name: impl Into<String>, lo: f64, hi: f64) -> Self {
        Self::new(name, lo, hi, Kind::Continuous)
    }

    /// An integer variable in `[lo, hi]` with no cost.
    pub fn integer(name: impl Into<String>, lo: f64, hi: f64) -> Self {
        Self::new(name, lo, hi, Kind::Integer)
    }

    /// A binary (0/1) variable with no cost.
    pub fn binary(name: impl Into<String>) -> Self {
        Self::new(name, 0.0, 1.0, Kind::Binary)
    }

    /// Sets the cost coefficient (money per unit over the horizon).
    pub fn with_cost(mut self, cost: f64) -> Self {
        self.cost = cost;
        self
    }

    /// Makes the variable semi-continuous: 0, or at least `min_viable`.
    pub fn with_min_viable(mut self, min_viable: f64) -> Self {
        self.min_viable = Some(min_viable);
        self
    }

    /// Fixes the variable at `value`.
    pub fn fixed_at(mut self, value: f64) -> Self {
        self.fixed = Some(value);
        self
    }
}

/// A named linear group constraint `floor <= Σ weight_j · x_j <= cap` (weights `> 0`),
/// e.g. headcount per country, spend per channel.
///
/// ```
/// use omnimix_optimizer::Group;
/// let de_staff = Group::sum("de/headcount", [2, 3]).at_most(25.0);
/// let tv_floor = Group::sum("tv/min_spend", [0, 4]).at_least(1e5);
/// # let _ = (de_staff, tv_floor);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// Name, used in violations and conflicts.
    pub name: String,
    /// `(variable index, weight)` pairs; weights must be positive and finite.
    pub terms: Vec<(usize, f64)>,
    /// Upper limit of the weighted sum.
    pub cap: Option<f64>,
    /// Lower limit of the weighted sum.
    pub floor: Option<f64>,
}

impl Group {
    /// Plain sum of the given variables (all weights 1), without limits yet.
    pub fn sum(name: impl Into<String>, vars: impl IntoIterator<Item = usize>) -> Self {
        Self::weighted(name, vars.into_iter().map(|i| (i, 1.0)))
    }

    /// Weighted sum of variables, without limits yet.
    pub fn weighted(
        name: impl Into<String>,
        terms: impl IntoIterator<Item = (usize, f64)>,
    ) -> Self {
        Self {
            name: name.into(),
            terms: terms.into_iter().collect(),
            cap: None,
            floor: None,
        }
    }

    /// Sets the cap (`Σ <= cap`).
    pub fn at_most(mut self, cap: f64) -> Self {
        self.cap = Some(cap);
        self
    }

    /// Sets the floor (`Σ >= floor`).
    pub fn at_least(mut self, floor: f64) -> Self {
        self.floor = Some(floor);
        self
    }
}

/// The decision space: variables, one budget constraint
/// `fixed_cost + Σ cost_i · x_i <= budget`, and group caps and floors.
///
/// ```
/// use omnimix_optimizer::{Group, Space, Variable};
/// let mut space = Space::new(100.0);
/// let a = space.add_variable(Variable::continuous("a", 0.0, 80.0).with_cost(1.0));
/// let b = space.add_variable(Variable::continuous("b", 0.0, 80.0).with_cost(1.0));
/// space.add_group(Group::sum("a+b floor", [a, b]).at_least(10.0));
/// assert!(space.feasibility().is_ok());
/// let mut x = vec![150.0, 50.0];
/// space.repair(&mut x);
/// assert!(space.check(&x).is_empty());
/// assert!(space.cost(&x) <= 100.0);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Space {
    /// The decision variables, in the order of the vectors the search works on.
    pub variables: Vec<Variable>,
    /// Group caps and floors.
    pub groups: Vec<Group>,
    /// Total money available over the horizon.
    pub budget: f64,
    /// Money already committed whatever the decision (counted against the budget).
    pub fixed_cost: f64,
}

/// A constraint a vector breaks, as reported by [`Space::check`].
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Violation {
    /// The vector has the wrong length.
    #[error("vector has {found} values, the space has {expected} variables")]
    Length {
        /// Number of variables.
        expected: usize,
        /// Length of the vector.
        found: usize,
    },
    /// NaN or infinite value.
    #[error("`{variable}` is not finite ({value})")]
    NotFinite {
        /// Variable name.
        variable: String,
        /// The value.
        value: f64,
    },
    /// Outside `[lo, hi]`.
    #[error("`{variable}` = {value} is outside [{lo}, {hi}]")]
    Bounds {
        /// Variable name.
        variable: String,
        /// The value.
        value: f64,
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// Not a whole number (integer or binary variable).
    #[error("`{variable}` = {value} is not a whole number")]
    NotInteger {
        /// Variable name.
        variable: String,
        /// The value.
        value: f64,
    },
    /// Semi-continuous variable strictly between 0 and its minimum viable value.
    #[error("`{variable}` = {value} is neither 0 nor at least its minimum viable {min_viable}")]
    BelowMinViable {
        /// Variable name.
        variable: String,
        /// The value.
        value: f64,
        /// Minimum viable value.
        min_viable: f64,
    },
    /// A fixed variable moved.
    #[error("`{variable}` = {value} but is fixed at {fixed}")]
    Fixed {
        /// Variable name.
        variable: String,
        /// The value.
        value: f64,
        /// The fixed value.
        fixed: f64,
    },
    /// Over budget.
    #[error("cost {cost} exceeds the budget {budget}")]
    Budget {
        /// Total cost including the fixed cost.
        cost: f64,
        /// The budget.
        budget: f64,
    },
    /// A group sum above its cap.
    #[error("group `{group}` sums to {sum}, above its cap {cap}")]
    GroupCap {
        /// Group name.
        group: String,
        /// Weighted sum.
        sum: f64,
        /// Cap.
        cap: f64,
    },
    /// A group sum below its floor.
    #[error("group `{group}` sums to {sum}, below its floor {floor}")]
    GroupFloor {
        /// Group name.
        group: String,
        /// Weighted sum.
        sum: f64,
        /// Floor.
        floor: f64,
    },
}

/// A reason why no vector can satisfy the space, found by [`Space::feasibility`] before
/// any search. [`Conflict::constraints`] names the constraints involved.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Conflict {
    /// Budget or fixed cost is negative or not finite.
    #[error("budget {budget} / fixed cost {fixed_cost} must be finite and non-negative")]
    BadBudget {
        /// Budget.
        budget: f64,
        /// Fixed cost.
        fixed_cost: f64,
    },
    /// Bounds are not finite, or `lo > hi`, or contain no whole number for an integer kind.
    #[error("bounds of `{variable}` are empty or not finite: [{lo}, {hi}] ({kind:?})")]
    EmptyBounds {
        /// Variable name.
        variable: String,
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
        /// Kind.
        kind: Kind,
    },
    /// Cost coefficient negative or not finite.
    #[error("cost of `{variable}` must be finite and >= 0, got {cost}")]
    BadCost {
        /// Variable name.
        variable: String,
        /// Cost.
        cost: f64,
    },
    /// Minimum viable value above the upper bound, not finite, or with `lo < 0`.
    #[error("minimum viable {min_viable} of `{variable}` does not fit its bounds [{lo}, {hi}]")]
    BadMinViable {
        /// Variable name.
        variable: String,
        /// Minimum viable value.
        min_viable: f64,
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// A fixed value outside the bounds, not whole for an integer kind, or below the minimum
    /// viable value of a semi-continuous variable.
    #[error("`{variable}` is fixed at {value}, which its bounds/kind do not allow: {why}")]
    FixedNotAllowed {
        /// Variable name.
        variable: String,
        /// Fixed value.
        value: f64,
        /// Which rule.
        why: &'static str,
    },
    /// Two variables share a name.
    #[error("variable name `{variable}` is used twice")]
    DuplicateName {
        /// The name.
        variable: String,
    },
    /// A group refers to a variable index that does not exist, or has a bad weight.
    #[error("group `{group}`: term {term} is invalid ({why})")]
    BadGroupTerm {
        /// Group name.
        group: String,
        /// Position of the term in the group.
        term: usize,
        /// Which rule.
        why: &'static str,
    },
    /// A group's floor exceeds its cap, or a limit is not finite.
    #[error("group `{group}`: floor {floor} above cap {cap}")]
    FloorAboveCap {
        /// Group name.
        group: String,
        /// Floor.
        floor: f64,
        /// Cap.
        cap: f64,
    },
    /// Even with every member at its upper bound the floor is not reached.
    #[error("group `{group}`: floor {floor} unreachable, members sum to at most {max_sum}")]
    FloorUnreachable {
        /// Group name.
        group: String,
        /// Floor.
        floor: f64,
        /// Largest possible sum.
        max_sum: f64,
    },
    /// Even with every member at its lowest value (or fixed value) the cap is exceeded.
    #[error("group `{group}`: cap {cap} below the smallest possible sum {min_sum}")]
    CapBelowMinimum {
        /// Group name.
        group: String,
        /// Cap.
        cap: f64,
        /// Smallest possible sum.
        min_sum: f64,
    },
    /// Fixed cost, fixed variables and lower bounds alone exceed the budget.
    #[error(
        "budget {budget} below the smallest possible cost {min_cost} (fixed cost, fixed variables, lower bounds)"
    )]
    BudgetBelowMinimum {
        /// Budget.
        budget: f64,
        /// Smallest possible cost.
        min_cost: f64,
    },
    /// Meeting the listed (pairwise disjoint, or single) group floors costs more than the
    /// budget even at the cheapest members (a proven lower bound).
    #[error("meeting the floors of {} costs at least {min_cost}, above the budget {budget}", quoted(.groups))]
    FloorsOverBudget {
        /// The group floors involved.
        groups: Vec<String>,
        /// Lower bound of the cost of meeting them.
        min_cost: f64,
        /// Budget.
        budget: f64,
    },
    /// No single check failed, but the constructive search for a feasible point (floors met
    /// greedily at least cost, then caps and budget) left these constraints violated.
    #[error("no feasible point found; still violated: {}", quoted(.constraints))]
    NoFeasiblePoint {
        /// Names of the violated constraints.
        constraints: Vec<String>,
    },
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Conflict {
    /// Names of the constraints involved: `budget`, `bounds of NAME`, `group NAME`, …
    pub fn constraints(&self) -> Vec<String> {
        match self {
            Conflict::BadBudget { .. } | Conflict::BudgetBelowMinimum { .. } => {
                vec!["budget".into()]
            }
            Conflict::EmptyBounds { variable, .. }
            | Conflict::BadCost { variable, .. }
            | Conflict::BadMinViable { variable, .. }
            | Conflict::FixedNotAllowed { variable, .. }
            | Conflict::DuplicateName { variable } => vec![format!("bounds of {variable}")],
            Conflict::BadGroupTerm { group, .. }
            | Conflict::FloorAboveCap { group, .. }
            | Conflict::FloorUnreachable { group, .. }
            | Conflict::CapBelowMinimum { group, .. } => vec![format!("group {group}")],
            Conflict::FloorsOverBudget { groups, .. } => {
                let mut names: Vec<String> = groups.iter().map(|g| format!("group {g}")).collect();
                names.push("budget".into());
                names
            }
            Conflict::NoFeasiblePoint { constraints } => constraints.clone(),
        }
    }
}

impl Space {
    /// An empty space with the given budget and no fixed cost.
    pub fn new(budget: f64) -> Self {
        Self {
            variables: Vec::new(),
            groups: Vec::new(),
            budget,
            fixed_cost: 0.0,
        }
    }

    /// Adds a variable and returns its index.
    pub fn add_variable(&mut self, variable: Variable) -> usize {
        self.variables.push(variable);
        self.variables.len() - 1
    }

    /// Adds a group constraint and returns its index.
    pub fn add_group(&mut self, group: Group) -> usize {
        self.groups.push(group);
        self.groups.len() - 1
    }

    /// The same space with another budget.
    pub fn with_budget(&self, budget: f64) -> Self {
        Self {
            budget,
            ..self.clone()
        }
    }

    /// Number of variables.
    pub fn dim(&self) -> usize {
        self.variables.len()
    }

    /// Total cost `fixed_cost + Σ cost_i · x_i`.
    pub fn cost(&self, x: &[f64]) -> f64 {
        self.variables
            .iter()
            .zip(x)
            .fold(self.fixed_cost, |acc, (v, &xi)| acc + v.cost * xi)
    }

    /// Weighted sum of a group at `x`.
    pub fn group_sum(&self, group: &Group, x: &[f64]) -> f64 {
        Row {
            constant: 0.0,
            terms: &group.terms,
        }
        .lhs(x)
    }

    /// The lowest allowed value of every variable (fixed values, 0 for semi-continuous
    /// variables, lower bounds otherwise); ignores the group floors.
    pub fn lowest_point(&self) -> Vec<f64> {
        self.effs().iter().map(Eff::lowest).collect()
    }

    /// Indices of the variables the search moves: not fixed, and with more than one
    /// allowed value.
    pub fn free_variables(&self) -> Vec<usize> {
        self.effs()
            .iter()
            .enumerate()
            .filter(|(_, e)| e.fixed.is_none() && e.lowest() < e.hi)
            .map(|(i, _)| i)
            .collect()
    }

    /// Upper end of each variable's useful range: its upper bound, tightened by what the
    /// budget and the group caps leave when everything else is at its lowest value.
    /// Fixed variables get their fixed value.
    pub fn useful_upper(&self) -> Vec<f64> {
        let effs = self.effs();
        let low = self.lowest_point();
        let base_cost = self.cost(&low);
        let mut up: Vec<f64> = effs.iter().map(Eff::highest).collect();
        for (i, (e, v)) in effs.iter().zip(&self.variables).enumerate() {
            if e.fixed.is_some() {
                continue;
            }
            if v.cost > 0.0 {
                let room = (self.budget - base_cost).max(0.0) / v.cost + low[i];
                up[i] = up[i].min(room);
            }
            for g in &self.groups {
                if let Some(cap) = g.cap {
                    let sum = self.group_sum(g, &low);
                    for &(j, w) in &g.terms {
                        if j == i && w > 0.0 {
                            up[i] = up[i].min((cap - sum).max(0.0) / w + low[i]);
                        }
                    }
                }
            }
            up[i] = up[i].max(low[i]);
        }
        up
    }

    /// Checks `x` against every constraint with the relative tolerance
    /// [`CHECK_TOLERANCE`]; empty when `x` is feasible.
    pub fn check(&self, x: &[f64]) -> Vec<Violation> {
        let mut out = Vec::new();
        if x.len() != self.dim() {
            out.push(Violation::Length {
                expected: self.dim(),
                found: x.len(),
            });
            return out;
        }
        for ((v, e), &xi) in self.variables.iter().zip(self.effs()).zip(x) {
            let name = || v.name.clone();
            if !xi.is_finite() {
                out.push(Violation::NotFinite {
                    variable: name(),
                    value: xi,
                });
                continue;
            }
            if let Some(f) = e.fixed {
                if (xi - f).abs() > tol(f) {
                    out.push(Violation::Fixed {
                        variable: name(),
                        value: xi,
                        fixed: f,
                    });
                }
                continue;
            }
            let is_zero = xi.abs() <= tol(0.0);
            let semi_off = e.min_on.is_some() && is_zero;
            if !semi_off && (xi < v.lo - tol(v.lo) || xi > v.hi + tol(v.hi)) {
                out.push(Violation::Bounds {
                    variable: name(),
                    value: xi,
                    lo: v.lo,
                    hi: v.hi,
                });
            }
            if e.int && (xi - xi.round()).abs() > tol(xi) {
                out.push(Violation::NotInteger {
                    variable: name(),
                    value: xi,
                });
            }
            if v.kind == Kind::Binary && !(xi.round() == 0.0 || xi.round() == 1.0) {
                out.push(Violation::Bounds {
                    variable: name(),
                    value: xi,
                    lo: 0.0,
                    hi: 1.0,
                });
            }
            if let Some(m) = e.min_on
                && !is_zero
                && xi < m - tol(m)
            {
                out.push(Violation::BelowMinViable {
                    variable: name(),
                    value: xi,
                    min_viable: m,
                });
            }
        }
        let cost = self.cost(x);
        if above(cost, self.budget + tol(self.budget)) {
            out.push(Violation::Budget {
                cost,
                budget: self.budget,
            });
        }
        for g in &self.groups {
            let sum = self.group_sum(g, x);
            if let Some(cap) = g.cap
                && above(sum, cap + tol(cap))
            {
                out.push(Violation::GroupCap {
                    group: g.name.clone(),
                    sum,
                    cap,
                });
            }
            if let Some(floor) = g.floor
                && above(floor - tol(floor), sum)
            {
                out.push(Violation::GroupFloor {
                    group: g.name.clone(),
                    sum,
                    floor,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple() -> Space {
        let mut s = Space::new(100.0);
        s.add_variable(Variable::continuous("a", 0.0, 80.0).with_cost(1.0));
        s.add_variable(Variable::integer("b", 0.0, 10.0).with_cost(5.0));
        s.add_variable(
            Variable::continuous("c", 0.0, 60.0)
                .with_cost(1.0)
                .with_min_viable(20.0),
        );
        s.add_variable(Variable::binary("d").with_cost(30.0));
        s
    }

    #[test]
    fn repair_meets_budget_and_rules() {
        let s = simple();
        let mut x = vec![200.0, 7.6, 9.0, 0.7];
        s.repair(&mut x);
        assert!(s.check(&x).is_empty(), "{:?}", s.check(&x));
        assert_eq!(x[2], 0.0, "9 < 20/2 so the semi-continuous variable is off");
        assert!(s.cost(&x) <= 100.0);
        let again = s.repaired(&x);
        assert_eq!(again, x);
    }

    #[test]
    fn repair_nan_and_infinities() {
        let s = simple();
        let mut x = vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
        s.repair(&mut x);
        assert!(s.check(&x).is_empty(), "{:?} {:?}", x, s.check(&x));
    }

    #[test]
    fn repair_semi_continuous_rounds_up_above_half() {
        let s = simple();
        let x = s.repaired(&[0.0, 0.0, 12.0, 0.0]);
        assert_eq!(x[2], 20.0);
    }

    #[test]
    fn repair_raises_floors() {
        let mut s = simple();
        s.add_group(Group::sum("a+c", [0, 2]).at_least(50.0));
        assert!(s.feasibility().is_ok());
        let x = s.repaired(&[0.0, 0.0, 0.0, 0.0]);
        assert!(s.check(&x).is_empty(), "{:?}", s.check(&x));
        assert!(x[0] + x[2] >= 50.0);
    }

    #[test]
    fn fixed_outside_bounds_is_a_conflict() {
        let mut s = simple();
        s.variables[0].fixed = Some(90.0);
        let c = s.feasibility().unwrap_err();
        assert!(
            c.iter().any(
                |c| matches!(c, Conflict::FixedNotAllowed { variable, .. } if variable == "a")
            )
        );
    }

    #[test]
    fn min_above_max_is_a_conflict() {
        let mut s = simple();
        s.variables[1].lo = 11.0;
        s.add_group(Group::sum("g", [0]).at_least(5.0).at_most(4.0));
        let c = s.feasibility().unwrap_err();
        assert!(
            c.iter()
                .any(|c| c.constraints() == vec!["bounds of b".to_string()])
        );
        assert!(
            c.iter()
                .any(|c| c.constraints() == vec!["group g".to_string()])
        );
    }
}
