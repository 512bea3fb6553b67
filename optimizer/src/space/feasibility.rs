//! Conflicting constraints named before any search.

use super::*;

impl Space {
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
