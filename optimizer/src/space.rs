//! The decision space: variables, bounds, kinds, the budget and group constraints, plus
//! the deterministic repair that maps any vector to a feasible one.

use serde::{Deserialize, Serialize};

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

/// Per-variable effective data: integer kinds have whole bounds, binaries `[0, 1]`.
#[derive(Clone, Copy, Debug)]
struct Eff {
    lo: f64,
    hi: f64,
    int: bool,
    /// Effective minimum viable value of a semi-continuous variable.
    min_on: Option<f64>,
    fixed: Option<f64>,
}

impl Eff {
    fn of(v: &Variable) -> Self {
        let int = !matches!(v.kind, Kind::Continuous);
        let (mut lo, mut hi) = (v.lo, v.hi);
        if v.kind == Kind::Binary {
            lo = lo.max(0.0);
            hi = hi.min(1.0);
        }
        if int {
            lo = lo.ceil();
            hi = hi.floor();
        }
        let min_on = v.min_viable.map(|m| {
            let m = m.max(lo);
            if int { m.ceil() } else { m }
        });
        Self {
            lo,
            hi,
            int,
            min_on,
            fixed: v.fixed,
        }
    }

    /// Smallest allowed value (0 for a semi-continuous variable).
    fn lowest(&self) -> f64 {
        match (self.fixed, self.min_on) {
            (Some(f), _) => f,
            (None, Some(_)) => 0.0,
            (None, None) => self.lo,
        }
    }

    /// Largest allowed value.
    fn highest(&self) -> f64 {
        self.fixed.unwrap_or(self.hi)
    }

    /// Nearest allowed value: clamp, round, semi-continuous below half its minimum -> 0.
    fn nearest(&self, v: f64) -> f64 {
        if let Some(f) = self.fixed {
            return f;
        }
        let v = if v.is_nan() { self.lowest() } else { v };
        let out = match self.min_on {
            Some(m) => {
                if v < 0.5 * m {
                    0.0
                } else {
                    let v = v.clamp(m, self.hi);
                    if self.int { v.round() } else { v }
                }
            }
            None => {
                let v = v.clamp(self.lo, self.hi);
                if self.int { v.round() } else { v }
            }
        };
        canonical(out)
    }

    /// Allowed value at or below `v` (used when scaling down toward the lowest value).
    fn down(&self, v: f64) -> f64 {
        if let Some(f) = self.fixed {
            return f;
        }
        let out = match self.min_on {
            Some(m) => {
                if v < m {
                    0.0
                } else {
                    let v = v.min(self.hi);
                    if self.int { v.floor() } else { v }
                }
            }
            None => {
                let v = if self.int { v.floor() } else { v };
                v.clamp(self.lo, self.hi)
            }
        };
        canonical(out)
    }

    /// Allowed value at or above `v` (used when raising toward the upper bound).
    fn up(&self, v: f64) -> f64 {
        if let Some(f) = self.fixed {
            return f;
        }
        let out = match self.min_on {
            Some(m) => {
                if v <= 0.0 {
                    0.0
                } else {
                    let v = v.max(m);
                    let v = if self.int { v.ceil() } else { v };
                    v.min(self.hi)
                }
            }
            None => {
                let v = if self.int { v.ceil() } else { v };
                v.clamp(self.lo, self.hi)
            }
        };
        canonical(out)
    }
}

/// Turns -0.0 into 0.0 so equal plans have equal bits.
fn canonical(v: f64) -> f64 {
    if v == 0.0 { 0.0 } else { v }
}

/// `a > b`, or either is NaN (so NaN never passes a constraint).
fn above(a: f64, b: f64) -> bool {
    a > b || a.is_nan() || b.is_nan()
}

fn tol(rhs: f64) -> f64 {
    CHECK_TOLERANCE * rhs.abs().max(1.0)
}

/// One linear `<=`/`>=` row: constant + Σ coef·x.
struct Row<'a> {
    constant: f64,
    terms: &'a [(usize, f64)],
}

impl Row<'_> {
    fn lhs(&self, x: &[f64]) -> f64 {
        self.terms
            .iter()
            .fold(self.constant, |acc, &(i, c)| acc + c * x[i])
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

    fn effs(&self) -> Vec<Eff> {
        self.variables.iter().map(Eff::of).collect()
    }

    fn budget_terms(&self) -> Vec<(usize, f64)> {
        self.variables
            .iter()
            .enumerate()
            .filter(|(_, v)| v.cost != 0.0)
            .map(|(i, v)| (i, v.cost))
            .collect()
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

    /// Exact (no tolerance) feasibility of the linear rows; per-variable rules are assumed
    /// to hold (they do by construction inside the repair).
    fn rows_hold(&self, x: &[f64], budget_terms: &[(usize, f64)]) -> bool {
        let budget = Row {
            constant: self.fixed_cost,
            terms: budget_terms,
        };
        if above(budget.lhs(x), self.budget) {
            return false;
        }
        self.groups.iter().all(|g| {
            let sum = self.group_sum(g, x);
            g.cap.is_none_or(|c| sum <= c) && g.floor.is_none_or(|f| sum >= f)
        })
    }

    /// Scales the movable members of a `<=` row toward their lowest values until it holds.
    /// A semi-continuous member that is on scales toward its minimum viable value (it stays
    /// on); only if the row still fails with every member at that lowest level are such
    /// members switched off, smallest contribution first.
    ///
    /// Whole-number members are held first: they move only if scaling the others cannot
    /// meet the row (so a headcount or an investment is not cut whenever spend is).
    fn enforce_le(&self, effs: &[Eff], row: &Row, rhs: f64, x: &mut [f64]) {
        if row.lhs(x) <= rhs {
            return;
        }
        let mut y = x.to_vec();
        if self.enforce_le_among(effs, row, rhs, &mut y, &|i| !effs[i].int) {
            x.copy_from_slice(&y);
        } else {
            self.enforce_le_among(effs, row, rhs, x, &|_| true);
        }
    }

    /// [`Self::enforce_le`] moving only the members `include` accepts; whether the row holds.
    fn enforce_le_among(
        &self,
        effs: &[Eff],
        row: &Row,
        rhs: f64,
        x: &mut [f64],
        include: &dyn Fn(usize) -> bool,
    ) -> bool {
        let mut movable: Vec<(usize, f64)> = row
            .terms
            .iter()
            .filter(|&&(i, c)| c > 0.0 && effs[i].fixed.is_none() && include(i))
            .map(|&(i, c)| (i, c))
            .collect();
        movable.sort_by_key(|m| m.0);
        movable.dedup_by_key(|m| m.0);
        let mut orig: Vec<f64> = movable.iter().map(|&(i, _)| x[i]).collect();
        let mut floor: Vec<f64> = movable
            .iter()
            .zip(&orig)
            .map(|(&(i, _), &o)| match effs[i].min_on {
                Some(m) if o >= m => m,
                _ => effs[i].lowest(),
            })
            .collect();
        let apply = |s: f64, x: &mut [f64], orig: &[f64], floor: &[f64]| {
            for ((&(i, _), &o), &low) in movable.iter().zip(orig).zip(floor) {
                x[i] = if s <= 0.0 {
                    low
                } else {
                    effs[i].down(low + s * (o - low))
                };
            }
        };
        apply(0.0, x, &orig, &floor);
        if row.lhs(x) > rhs {
            // Switch off semi-continuous members, smallest contribution first.
            let mut on: Vec<usize> = (0..movable.len())
                .filter(|&k| effs[movable[k].0].min_on.is_some() && floor[k] > 0.0)
                .collect();
            on.sort_by(|&a, &b| {
                (movable[a].1 * orig[a])
                    .total_cmp(&(movable[b].1 * orig[b]))
                    .then(a.cmp(&b))
            });
            for k in on {
                floor[k] = 0.0;
                orig[k] = 0.0;
                x[movable[k].0] = 0.0;
                if row.lhs(x) <= rhs {
                    break;
                }
            }
            if row.lhs(x) > rhs {
                return false; // cannot be met by scaling these members
            }
        }
        let (mut ok, mut bad) = (0.0_f64, 1.0_f64);
        for _ in 0..BISECTION_STEPS {
            let mid = 0.5 * (ok + bad);
            apply(mid, x, &orig, &floor);
            if row.lhs(x) <= rhs {
                ok = mid;
            } else {
                bad = mid;
            }
        }
        apply(ok, x, &orig, &floor);
        true
    }

    /// Raises the movable members of a `>=` row toward their upper bounds until it holds.
    /// Continuous members (and semi-continuous ones already on) move first; whole-number
    /// members and switched-off semi-continuous ones only if those cannot meet the row.
    fn enforce_ge(&self, effs: &[Eff], row: &Row, rhs: f64, x: &mut [f64]) {
        if row.lhs(x) >= rhs {
            return;
        }
        let mut y = x.to_vec();
        let smooth = |i: usize| !(effs[i].int || effs[i].min_on.is_some() && x[i] == 0.0);
        if self.enforce_ge_among(effs, row, rhs, &mut y, &smooth) {
            x.copy_from_slice(&y);
        } else {
            self.enforce_ge_among(effs, row, rhs, x, &|_| true);
        }
    }

    /// [`Self::enforce_ge`] moving only the members `include` accepts; whether the row holds.
    fn enforce_ge_among(
        &self,
        effs: &[Eff],
        row: &Row,
        rhs: f64,
        x: &mut [f64],
        include: &dyn Fn(usize) -> bool,
    ) -> bool {
        let mut movable: Vec<usize> = row
            .terms
            .iter()
            .filter(|&&(i, c)| c > 0.0 && effs[i].fixed.is_none() && include(i))
            .map(|&(i, _)| i)
            .collect();
        movable.sort_unstable();
        movable.dedup();
        let orig: Vec<f64> = movable.iter().map(|&i| x[i]).collect();
        let apply = |s: f64, x: &mut [f64]| {
            for (&i, &o) in movable.iter().zip(&orig) {
                let high = effs[i].highest();
                x[i] = if s >= 1.0 {
                    high
                } else if s <= 0.0 {
                    o
                } else {
                    effs[i].up(o + s * (high - o))
                };
            }
        };
        apply(1.0, x);
        if row.lhs(x) < rhs {
            return false;
        }
        let (mut bad, mut ok) = (0.0_f64, 1.0_f64);
        for _ in 0..BISECTION_STEPS {
            let mid = 0.5 * (ok + bad);
            apply(mid, x);
            if row.lhs(x) >= rhs {
                ok = mid;
            } else {
                bad = mid;
            }
        }
        apply(ok, x);
        true
    }

    /// One round: caps, then budget (scale down), then floors (raise).
    fn enforce_rounds(&self, effs: &[Eff], budget_terms: &[(usize, f64)], x: &mut [f64]) -> bool {
        let budget = Row {
            constant: self.fixed_cost,
            terms: budget_terms,
        };
        for _ in 0..REPAIR_ROUNDS {
            for g in &self.groups {
                if let Some(cap) = g.cap {
                    let row = Row {
                        constant: 0.0,
                        terms: &g.terms,
                    };
                    self.enforce_le(effs, &row, cap, x);
                }
            }
            self.enforce_le(effs, &budget, self.budget, x);
            if self.rows_hold(x, budget_terms) {
                return true;
            }
            for g in &self.groups {
                if let Some(floor) = g.floor {
                    let row = Row {
                        constant: 0.0,
                        terms: &g.terms,
                    };
                    self.enforce_ge(effs, &row, floor, x);
                }
            }
            if self.rows_hold(x, budget_terms) {
                return true;
            }
        }
        false
    }

    /// Maps `x` to a feasible vector, deterministically:
    ///
    /// 1. every variable to its nearest allowed value: fixed values, clamp to bounds, round
    ///    integers and binaries, a semi-continuous variable below half its minimum viable
    ///    value to 0 and otherwise to at least that minimum; NaN to the lowest value;
    /// 2. for each group cap and then the budget, the members that consume it are scaled
    ///    toward their lowest values by the largest factor that meets it (bisection;
    ///    rounding down integers and dropping semi-continuous values below their minimum);
    /// 3. each violated group floor raises its members toward their upper bounds by the
    ///    smallest factor that meets it; 2–3 repeat until everything holds (8 rounds);
    /// 4. if the rounds do not settle (conflicting overlapping groups), the result is the
    ///    furthest point on the segment from the least-cost feasible point
    ///    ([`Space::least_cost_point`]) toward the vector that is feasible.
    ///
    /// When [`Space::feasibility`] is `Ok`, the result passes [`Space::check`] exactly and
    /// `repair` leaves it unchanged (it is idempotent). Otherwise the result is a best
    /// effort.
    ///
    /// # Panics
    /// If `x.len() != self.dim()`.
    pub fn repair(&self, x: &mut [f64]) {
        assert_eq!(x.len(), self.dim(), "repair: vector length != space dim");
        let effs = self.effs();
        for (xi, e) in x.iter_mut().zip(&effs) {
            *xi = e.nearest(*xi);
        }
        let budget_terms = self.budget_terms();
        if self.rows_hold(x, &budget_terms) {
            return;
        }
        let mut y = x.to_vec();
        if self.enforce_rounds(&effs, &budget_terms, &mut y) {
            x.copy_from_slice(&y);
            return;
        }
        let Some(base) = self.least_cost_point() else {
            x.copy_from_slice(&y);
            return;
        };
        // Segment fallback: largest t with nearest(base + t (x - base)) feasible.
        let point = |t: f64| -> Vec<f64> {
            base.iter()
                .zip(x.iter())
                .zip(&effs)
                .map(|((&b, &xi), e)| e.nearest(b + t * (xi - b)))
                .collect()
        };
        let (mut ok, mut bad) = (0.0_f64, 1.0_f64);
        for _ in 0..BISECTION_STEPS {
            let mid = 0.5 * (ok + bad);
            if self.rows_hold(&point(mid), &budget_terms) {
                ok = mid;
            } else {
                bad = mid;
            }
        }
        let out = if ok > 0.0 { point(ok) } else { base };
        x.copy_from_slice(&out);
    }

    /// [`Space::repair`] on a copy.
    pub fn repaired(&self, x: &[f64]) -> Vec<f64> {
        let mut y = x.to_vec();
        self.repair(&mut y);
        y
    }

    /// From the lowest point, meets each group floor greedily: repeatedly raises the member
    /// that covers the remaining deficit at the least cost per unit covered (counting the
    /// jump of a semi-continuous member to its minimum and integer rounding), never past
    /// its bound, the room left by the caps of its groups, or the budget left.
    fn greedy_floor_point(&self, effs: &[Eff]) -> Vec<f64> {
        let mut y: Vec<f64> = effs.iter().map(Eff::lowest).collect();
        let budget_terms = self.budget_terms();
        let budget_row = Row {
            constant: self.fixed_cost,
            terms: &budget_terms,
        };
        for _pass in 0..2 {
            for g in &self.groups {
                let Some(floor) = g.floor else { continue };
                loop {
                    let deficit = floor - self.group_sum(g, &y);
                    if deficit <= 0.0 {
                        break;
                    }
                    let budget_room = self.budget - budget_row.lhs(&y);
                    // (ratio, index, new value)
                    let mut pick: Option<(f64, usize, f64)> = None;
                    for &(i, w) in &g.terms {
                        if effs[i].fixed.is_some() {
                            continue;
                        }
                        let c = self.variables[i].cost;
                        let mut max = effs[i].hi;
                        if c > 0.0 {
                            max = max.min(y[i] + budget_room.max(0.0) / c);
                        }
                        for h in &self.groups {
                            let Some(cap) = h.cap else { continue };
                            let room = cap - self.group_sum(h, &y);
                            for &(j, wh) in &h.terms {
                                if j == i {
                                    max = max.min(y[i] + room.max(0.0) / wh);
                                }
                            }
                        }
                        if max <= y[i] {
                            continue;
                        }
                        let target = (y[i] + deficit / w * (1.0 + 1e-12)).min(max);
                        let mut v = effs[i].up(target);
                        if v > max {
                            v = effs[i].down(max);
                        }
                        if v <= y[i] {
                            continue;
                        }
                        let covered = (w * (v - y[i])).min(deficit);
                        let ratio = c * (v - y[i]) / covered;
                        if pick.is_none_or(|p| ratio < p.0) {
                            pick = Some((ratio, i, v));
                        }
                    }
                    let Some((_, i, v)) = pick else { break };
                    y[i] = v;
                }
            }
        }
        y
    }

    /// A feasible point of (heuristically) least cost: group floors met greedily from the
    /// cheapest members within caps and budget, then the repair rounds; `None` when that
    /// construction fails.
    pub fn least_cost_point(&self) -> Option<Vec<f64>> {
        let effs = self.effs();
        let start = self.greedy_floor_point(&effs);
        let budget_terms = self.budget_terms();
        let mut y = start.clone();
        if self.rows_hold(&y, &budget_terms) || self.enforce_rounds(&effs, &budget_terms, &mut y) {
            return Some(y);
        }
        // Descent on the violation from the greedy point, the lowest and the highest point.
        let lowest: Vec<f64> = effs.iter().map(Eff::lowest).collect();
        let highest: Vec<f64> = effs.iter().map(Eff::highest).collect();
        for mut y in [start, lowest, highest] {
            if self.min_violation_search(&effs, &budget_terms, &mut y) {
                return Some(y);
            }
        }
        None
    }

    /// Total relative violation of the linear rows (0 when they all hold).
    fn violation(&self, x: &[f64], budget_terms: &[(usize, f64)]) -> f64 {
        let rel = |excess: f64, rhs: f64| excess.max(0.0) / rhs.abs().max(1.0);
        let budget = Row {
            constant: self.fixed_cost,
            terms: budget_terms,
        };
        let mut v = rel(budget.lhs(x) - self.budget, self.budget);
        for g in &self.groups {
            let sum = self.group_sum(g, x);
            if let Some(c) = g.cap {
                v += rel(sum - c, c);
            }
            if let Some(f) = g.floor {
                v += rel(f - sum, f);
            }
        }
        v
    }

    /// Deterministic descent on the total violation, one variable at a time, for spaces
    /// where whole numbers and minimum viable values make the scaling rounds cycle. Each
    /// step tries, for every free variable, its lowest and highest values and the values
    /// that would exactly meet each violated row it appears in, and takes the best strict
    /// decrease (ties: lower cost, then lower index). Whether a feasible point was reached.
    fn min_violation_search(
        &self,
        effs: &[Eff],
        budget_terms: &[(usize, f64)],
        y: &mut [f64],
    ) -> bool {
        let n = y.len();
        let mut current = self.violation(y, budget_terms);
        for _ in 0..(50 * n + 50) {
            if current <= 0.0 && self.rows_hold(y, budget_terms) {
                return true;
            }
            // Rows as (terms, constant, rhs, is_cap) that are violated now.
            type Violated<'r> = (&'r [(usize, f64)], f64, f64, bool);
            let mut rows: Vec<Violated> = Vec::new();
            let budget = Row {
                constant: self.fixed_cost,
                terms: budget_terms,
            };
            if budget.lhs(y) > self.budget {
                rows.push((budget_terms, self.fixed_cost, self.budget, true));
            }
            for g in &self.groups {
                let sum = self.group_sum(g, y);
                if g.cap.is_some_and(|c| sum > c) {
                    rows.push((&g.terms, 0.0, g.cap.unwrap_or(0.0), true));
                }
                if g.floor.is_some_and(|f| sum < f) {
                    rows.push((&g.terms, 0.0, g.floor.unwrap_or(0.0), false));
                }
            }
            let mut best: Option<(f64, f64, usize, f64)> = None; // (violation, cost, i, value)
            for i in 0..n {
                if effs[i].fixed.is_some() {
                    continue;
                }
                let mut values = vec![effs[i].lowest(), effs[i].hi];
                for &(terms, constant, rhs, is_cap) in &rows {
                    let lhs = Row { constant, terms }.lhs(y);
                    for &(j, w) in terms {
                        if j == i && w > 0.0 {
                            let v = y[i] + (rhs - lhs) / w;
                            values.push(if is_cap {
                                effs[i].down(v)
                            } else {
                                effs[i].up(v)
                            });
                        }
                    }
                }
                let old = y[i];
                for v in values {
                    if v == old {
                        continue;
                    }
                    y[i] = v;
                    let viol = self.violation(y, budget_terms);
                    let cost = self.cost(y);
                    let better = best.is_none_or(|b| viol < b.0 || (viol == b.0 && cost < b.1));
                    if viol < current && better {
                        best = Some((viol, cost, i, v));
                    }
                }
                y[i] = old;
            }
            let Some((viol, _, i, v)) = best else {
                return false;
            };
            y[i] = v;
            current = viol;
        }
        current <= 0.0 && self.rows_hold(y, budget_terms)
    }

    /// Reports, before any search, constraints that cannot be met together, naming them.
    ///
    /// Checks each variable (finite non-empty bounds, cost, minimum viable value, fixed
    /// value), each group (valid terms, floor <= cap, floor reachable, cap not below the
    /// fixed/lowest sum), the budget against the cheapest cost, the cheapest way to meet
    /// single or disjoint group floors against the budget (a proven bound), and finally
    /// tries to construct a feasible point.
    ///
    /// ```
    /// use omnimix_optimizer::{Conflict, Group, Space, Variable};
    /// let mut space = Space::new(100.0);
    /// let a = space.add_variable(Variable::continuous("a", 0.0, 100.0).with_cost(1.0));
    /// let b = space.add_variable(Variable::continuous("b", 0.0, 100.0).with_cost(2.0));
    /// space.add_group(Group::sum("a floor", [a]).at_least(60.0));
    /// space.add_group(Group::sum("b floor", [b]).at_least(30.0));
    /// let conflicts = space.feasibility().unwrap_err();
    /// assert!(matches!(&conflicts[0], Conflict::FloorsOverBudget { min_cost, .. } if *min_cost == 120.0));
    /// ```
    pub fn feasibility(&self) -> Result<(), Vec<Conflict>> {
        let mut out = Vec::new();
        if !(self.budget.is_finite()
            && self.budget >= 0.0
            && self.fixed_cost.is_finite()
            && self.fixed_cost >= 0.0)
        {
            out.push(Conflict::BadBudget {
                budget: self.budget,
                fixed_cost: self.fixed_cost,
            });
        }
        let mut names: Vec<&str> = self.variables.iter().map(|v| v.name.as_str()).collect();
        names.sort_unstable();
        let mut duplicates: Vec<&str> = names
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        duplicates.dedup();
        out.extend(duplicates.into_iter().map(|d| Conflict::DuplicateName {
            variable: d.to_string(),
        }));
        for v in &self.variables {
            let e = Eff::of(v);
            let name = || v.name.clone();
            if !(v.lo.is_finite() && v.hi.is_finite() && e.lo <= e.hi) {
                out.push(Conflict::EmptyBounds {
                    variable: name(),
                    lo: v.lo,
                    hi: v.hi,
                    kind: v.kind,
                });
                continue;
            }
            if !(v.cost.is_finite() && v.cost >= 0.0) {
                out.push(Conflict::BadCost {
                    variable: name(),
                    cost: v.cost,
                });
            }
            if let (Some(m), Some(m_eff)) = (v.min_viable, e.min_on)
                && !(m.is_finite() && v.lo >= 0.0 && m_eff <= e.hi)
            {
                out.push(Conflict::BadMinViable {
                    variable: name(),
                    min_viable: m,
                    lo: v.lo,
                    hi: v.hi,
                });
            }
            if let Some(f) = v.fixed {
                let why = if !f.is_finite() {
                    Some("not finite")
                } else if e.min_on.is_some() && f == 0.0 {
                    None
                } else if f < e.lo || f > e.hi {
                    Some("outside the bounds")
                } else if e.int && f != f.round() {
                    Some("not a whole number")
                } else if e.min_on.is_some_and(|m| f < m) {
                    Some("between 0 and the minimum viable value")
                } else {
                    None
                };
                if let Some(why) = why {
                    out.push(Conflict::FixedNotAllowed {
                        variable: name(),
                        value: f,
                        why,
                    });
                }
            }
        }
        let n = self.dim();
        for g in &self.groups {
            let mut bad = false;
            for (t, &(i, w)) in g.terms.iter().enumerate() {
                let why = if i >= n {
                    Some("unknown variable index")
                } else if !(w.is_finite() && w > 0.0) {
                    Some("weight must be finite and > 0")
                } else {
                    None
                };
                if let Some(why) = why {
                    bad = true;
                    out.push(Conflict::BadGroupTerm {
                        group: g.name.clone(),
                        term: t,
                        why,
                    });
                }
            }
            let cap = g.cap.unwrap_or(f64::INFINITY);
            let floor = g.floor.unwrap_or(f64::NEG_INFINITY);
            if g.cap.is_some_and(|c| !c.is_finite())
                || g.floor.is_some_and(|f| !f.is_finite())
                || floor > cap
            {
                bad = true;
                out.push(Conflict::FloorAboveCap {
                    group: g.name.clone(),
                    floor,
                    cap,
                });
            }
            if bad {
                continue;
            }
        }
        if !out.is_empty() {
            return Err(out);
        }
        // Group reachability and budget bounds (data is now well formed).
        let effs = self.effs();
        let low: Vec<f64> = effs.iter().map(Eff::lowest).collect();
        let high: Vec<f64> = effs.iter().map(Eff::highest).collect();
        for g in &self.groups {
            if let Some(floor) = g.floor {
                let max_sum = self.group_sum(g, &high);
                if max_sum < floor {
                    out.push(Conflict::FloorUnreachable {
                        group: g.name.clone(),
                        floor,
                        max_sum,
                    });
                }
            }
            if let Some(cap) = g.cap {
                let min_sum = self.group_sum(g, &low);
                if min_sum > cap {
                    out.push(Conflict::CapBelowMinimum {
                        group: g.name.clone(),
                        cap,
                        min_sum,
                    });
                }
            }
        }
        let min_cost = self.cost(&low);
        if min_cost > self.budget {
            out.push(Conflict::BudgetBelowMinimum {
                budget: self.budget,
                min_cost,
            });
        }
        if !out.is_empty() {
            return Err(out);
        }
        // Proven lower bound on the cost of meeting floors: the LP relaxation of each floor
        // alone (cheapest cost per unit of group sum first), summed over disjoint floors.
        let floor_cost = |g: &Group| -> f64 {
            let Some(floor) = g.floor else { return 0.0 };
            let mut deficit = floor - self.group_sum(g, &low);
            if deficit <= 0.0 {
                return 0.0;
            }
            let mut order: Vec<(usize, f64)> = g
                .terms
                .iter()
                .filter(|&&(i, _)| effs[i].fixed.is_none())
                .copied()
                .collect();
            order.sort_by(|a, b| {
                (self.variables[a.0].cost / a.1)
                    .total_cmp(&(self.variables[b.0].cost / b.1))
                    .then(a.0.cmp(&b.0))
            });
            let mut cost = 0.0;
            for (i, w) in order {
                if deficit <= 0.0 {
                    break;
                }
                let room = (high[i] - low[i]) * w;
                let take = room.min(deficit);
                cost += take / w * self.variables[i].cost;
                deficit -= take;
            }
            cost
        };
        let mut chosen: Vec<usize> = Vec::new();
        let mut used = vec![false; n];
        let mut disjoint_cost = 0.0;
        for (gi, g) in self.groups.iter().enumerate() {
            let c = floor_cost(g);
            if c <= 0.0 {
                continue;
            }
            if min_cost + c > self.budget {
                out.push(Conflict::FloorsOverBudget {
                    groups: vec![g.name.clone()],
                    min_cost: min_cost + c,
                    budget: self.budget,
                });
                continue;
            }
            if g.terms.iter().all(|&(i, _)| !used[i]) {
                for &(i, _) in &g.terms {
                    used[i] = true;
                }
                chosen.push(gi);
                disjoint_cost += c;
            }
        }
        if out.is_empty() && chosen.len() > 1 && min_cost + disjoint_cost > self.budget {
            out.push(Conflict::FloorsOverBudget {
                groups: chosen
                    .iter()
                    .map(|&gi| self.groups[gi].name.clone())
                    .collect(),
                min_cost: min_cost + disjoint_cost,
                budget: self.budget,
            });
        }
        if !out.is_empty() {
            return Err(out);
        }
        if self.least_cost_point().is_none() {
            let mut y = self.greedy_floor_point(&effs);
            let budget_terms = self.budget_terms();
            self.enforce_rounds(&effs, &budget_terms, &mut y);
            let constraints = self
                .check(&y)
                .iter()
                .map(|v| match v {
                    Violation::Budget { .. } => "budget".to_string(),
                    Violation::GroupCap { group, .. } | Violation::GroupFloor { group, .. } => {
                        format!("group {group}")
                    }
                    other => other.to_string(),
                })
                .collect();
            return Err(vec![Conflict::NoFeasiblePoint { constraints }]);
        }
        Ok(())
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
