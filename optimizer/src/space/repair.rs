//! Repair: any vector to a feasible one (bounds, integers, minimum viable spend, group
//! caps and floors, the budget), and the least-cost point.

use super::*;

/// Per-variable effective data: integer kinds have whole bounds, binaries `[0, 1]`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Eff {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) int: bool,
    /// Effective minimum viable value of a semi-continuous variable.
    pub(super) min_on: Option<f64>,
    pub(super) fixed: Option<f64>,
}

impl Eff {
    pub(super) fn of(v: &Variable) -> Self {
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
    pub(super) fn lowest(&self) -> f64 {
        match (self.fixed, self.min_on) {
            (Some(f), _) => f,
            (None, Some(_)) => 0.0,
            (None, None) => self.lo,
        }
    }

    /// Largest allowed value.
    pub(super) fn highest(&self) -> f64 {
        self.fixed.unwrap_or(self.hi)
    }

    /// Nearest allowed value: clamp, round, semi-continuous below half its minimum -> 0.
    pub(super) fn nearest(&self, v: f64) -> f64 {
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
    pub(super) fn down(&self, v: f64) -> f64 {
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
    pub(super) fn up(&self, v: f64) -> f64 {
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
pub(super) fn canonical(v: f64) -> f64 {
    if v == 0.0 { 0.0 } else { v }
}

/// `a > b`, or either is NaN (so NaN never passes a constraint).
pub(super) fn above(a: f64, b: f64) -> bool {
    a > b || a.is_nan() || b.is_nan()
}

pub(super) fn tol(rhs: f64) -> f64 {
    CHECK_TOLERANCE * rhs.abs().max(1.0)
}

/// One linear `<=`/`>=` row: constant + Σ coef·x.
pub(super) struct Row<'a> {
    pub(super) constant: f64,
    pub(super) terms: &'a [(usize, f64)],
}

impl Row<'_> {
    pub(super) fn lhs(&self, x: &[f64]) -> f64 {
        self.terms
            .iter()
            .fold(self.constant, |acc, &(i, c)| acc + c * x[i])
    }
}

impl Space {
    pub(super) fn effs(&self) -> Vec<Eff> {
        self.variables.iter().map(Eff::of).collect()
    }

    pub(super) fn budget_terms(&self) -> Vec<(usize, f64)> {
        self.variables
            .iter()
            .enumerate()
            .filter(|(_, v)| v.cost != 0.0)
            .map(|(i, v)| (i, v.cost))
            .collect()
    }

    /// Exact (no tolerance) feasibility of the linear rows; per-variable rules are assumed
    /// to hold (they do by construction inside the repair).
    pub(super) fn rows_hold(&self, x: &[f64], budget_terms: &[(usize, f64)]) -> bool {
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
    pub(super) fn enforce_le(&self, effs: &[Eff], row: &Row, rhs: f64, x: &mut [f64]) {
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
    pub(super) fn enforce_le_among(
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
    pub(super) fn enforce_ge(&self, effs: &[Eff], row: &Row, rhs: f64, x: &mut [f64]) {
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
    pub(super) fn enforce_ge_among(
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
    pub(super) fn enforce_rounds(
        &self,
        effs: &[Eff],
        budget_terms: &[(usize, f64)],
        x: &mut [f64],
    ) -> bool {
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
    pub(super) fn greedy_floor_point(&self, effs: &[Eff]) -> Vec<f64> {
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
    pub(super) fn violation(&self, x: &[f64], budget_terms: &[(usize, f64)]) -> f64 {
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
    pub(super) fn min_violation_search(
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
}
