//! The common path of a group of agents, written once over [`Isa`], the vector
//! operations it needs; [`super::avx512`] and [`super::avx2`] give them for
//! sixteen and eight agents and call [`common_path`] from a function compiled
//! for their instructions, into which every operation is inlined.
//!
//! No closures here or in the operations: only the `step_group` entries carry
//! `#[target_feature]`, so a closure in [`common_path`] or in an operation is
//! compiled without the instructions, and where the compiler does not inline it,
//! the intrinsics in it become calls (a closure mapped over the draw slots made the
//! step four times slower). Helpers are `#[inline(always)]` methods instead; the
//! engine bench shows a slip at once.

use super::super::{CONSENT, Columns, DRAW_SLOTS, INITIAL, NO_CHANNEL, StepTally, state};
use super::Tables;
use crate::rng::GOLDEN_GAMMA;
use crate::step::StepParams;
use crate::world::N_PAID;
use std::ops::{BitAnd, BitOr, Not};

/// The SplitMix64 state, its increment added, that agent `i0`'s draw `slot` is mixed
/// from: `key + (DRAW_SLOTS · i0 + slot + 1) γ`, as [`crate::rng::counter_draw`] mixes
/// it. Agent `i0 + l`'s is `l` × [`AGENT_STRIDE`] further on.
#[inline(always)]
pub(super) fn draw_state(key: u64, i0: usize, slot: u64) -> u64 {
    key.wrapping_add(((i0 as u64) * DRAW_SLOTS + slot + 1).wrapping_mul(GOLDEN_GAMMA))
}

/// How far apart two neighbouring agents' draw states are ([`draw_state`]).
pub(super) const AGENT_STRIDE: u64 = DRAW_SLOTS.wrapping_mul(GOLDEN_GAMMA);

/// The vector operations of one instruction set, on [`Isa::LANES`] lanes of 32
/// bits (one agent each). A value of the implementing type exists only where the
/// processor has the instructions, so the operations are safe to call.
pub(super) trait Isa: Copy {
    /// Agents per call.
    const LANES: usize;
    /// One `u32` per lane (signed where an operation says so).
    type V: Copy;
    /// One 64-bit draw per lane (in registers of 64-bit lanes).
    type D: Copy;
    /// One truth value per lane.
    type M: Copy + BitAnd<Output = Self::M> + BitOr<Output = Self::M> + Not<Output = Self::M>;

    /// `v` in every lane.
    fn set(self, v: u32) -> Self::V;
    /// Wrapping `a + b`, `a − b`, and the low 32 bits of `a · b`.
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    fn sub(self, a: Self::V, b: Self::V) -> Self::V;
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a & b`, `a | b`, `!a & b`.
    fn and(self, a: Self::V, b: Self::V) -> Self::V;
    fn or(self, a: Self::V, b: Self::V) -> Self::V;
    fn andnot(self, a: Self::V, b: Self::V) -> Self::V;
    /// Shifts by `n < 32`: left, logical right, arithmetic right.
    fn shl(self, a: Self::V, n: u32) -> Self::V;
    fn shr(self, a: Self::V, n: u32) -> Self::V;
    fn sar(self, a: Self::V, n: u32) -> Self::V;
    /// Unsigned minimum; signed minimum and maximum.
    fn min_u(self, a: Self::V, b: Self::V) -> Self::V;
    fn min_s(self, a: Self::V, b: Self::V) -> Self::V;
    fn max_s(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a == b`, unsigned `a < b`, signed `a < b`.
    fn eq(self, a: Self::V, b: Self::V) -> Self::M;
    fn lt_u(self, a: Self::V, b: Self::V) -> Self::M;
    fn lt_s(self, a: Self::V, b: Self::V) -> Self::M;
    /// `a != 0`.
    fn nonzero(self, a: Self::V) -> Self::M;
    /// True where `a` is all ones (every lane of `a` is all ones or zero).
    fn all_ones(self, a: Self::V) -> Self::M;
    /// `b` where `m`, else `a`.
    fn select(self, m: Self::M, a: Self::V, b: Self::V) -> Self::V;
    /// `a` where `m`, else 0.
    fn keep(self, m: Self::M, a: Self::V) -> Self::V;
    /// `a + b` where `m`, else `a` (wrapping).
    fn add_where(self, m: Self::M, a: Self::V, b: Self::V) -> Self::V;
    /// Bit `l` set where lane `l` is true.
    fn bits(self, m: Self::M) -> u32;
    /// `table[idx]` per lane, for indices below 8 and below 16.
    fn lookup8(self, table: &[u32; 16], idx: Self::V) -> Self::V;
    fn lookup16(self, table: &[u32; 16], idx: Self::V) -> Self::V;
    /// `table[idx]` per lane.
    ///
    /// # Safety
    /// Every lane's index is below `table.len()`.
    unsafe fn gather(self, idx: Self::V, table: &[u32]) -> Self::V;
    /// Agents `i0 ..` of a column, widened to 32 bits.
    ///
    /// # Safety
    /// `i0 + LANES <= col.len()`.
    unsafe fn load8(self, col: &[u8], i0: usize) -> Self::V;
    unsafe fn load16(self, col: &[u16], i0: usize) -> Self::V;
    unsafe fn load32(self, col: &[u32], i0: usize) -> Self::V;
    /// Write agents `i0 ..` of a column: `new` where `rare` is false, `old` (the
    /// column's own values) where it is true.
    ///
    /// # Safety
    /// `i0 + LANES <= col.len()`.
    unsafe fn store8(self, col: &mut [u8], i0: usize, rare: Self::M, new: Self::V, old: Self::V);
    unsafe fn store32(self, col: &mut [u32], i0: usize, rare: Self::M, new: Self::V, old: Self::V);
    /// Draw slot `slot` of agents `i0 ..` (the SplitMix64 mix of each agent's
    /// [`draw_state`], as [`crate::rng::counter_draw`]), in 64-bit lanes.
    fn draws(self, key: u64, i0: usize, slot: u64) -> Self::D;
    /// The low and the high 32 bits of each agent's draw.
    fn low(self, d: Self::D) -> Self::V;
    fn high(self, d: Self::D) -> Self::V;
    /// `a == v`.
    #[inline(always)]
    fn is(self, a: Self::V, v: u32) -> Self::M {
        self.eq(a, self.set(v))
    }
    /// `a` held to 0 ..= 255 (signed).
    #[inline(always)]
    fn clamp255(self, a: Self::V) -> Self::V {
        self.min_s(self.max_s(a, self.set(0)), self.set(255))
    }
    /// The number of true lanes.
    #[inline(always)]
    fn count(self, m: Self::M) -> u64 {
        self.bits(m).count_ones() as u64
    }
    /// The churn draw (the high 32 bits of `d`) under the hazard:
    /// `u < propensity · mult[level]` in `f64` (`level < 16`), exactly as the
    /// one-agent step compares.
    fn churn_below(
        self,
        level: Self::V,
        propensity: Self::V,
        d: Self::D,
        mult: &[f64; 16],
    ) -> Self::M;
}

/// The common path of agents `i0 .. i0 + S::LANES` (see [`super`]'s description):
/// writes the columns and adds the tallies of the agents without a rare event, and
/// returns the mask of those with one (bit `l` for agent `i0 + l`).
///
/// # Safety
/// Every column of `cols` is at least `i0 + S::LANES` long.
#[inline(always)]
pub(super) unsafe fn common_path<S: Isa>(
    s: S,
    cols: &mut Columns,
    p: &StepParams,
    tab: &Tables,
    key: u64,
    i0: usize,
    t: &mut StepTally,
) -> u32 {
    debug_assert!(i0 + S::LANES <= cols.len());
    let ns = tab.consider.len() as u32;
    assert!(ns > 0, "a shard with agents has segments");
    let zero = s.set(0);

    let (r0, r1, r2, r3) = (
        s.draws(key, i0, 0),
        s.draws(key, i0, 1),
        s.draws(key, i0, 2),
        s.draws(key, i0, 3),
    );
    let (u_touch, u_buy) = (s.low(r0), s.high(r0));
    let u_contact = s.low(r1);
    let (u_wom, u_optout) = (s.low(r2), s.high(r2));
    let u_incon = s.low(r3);

    // Segments are clamped to the tables' range (they come from `Shard::new`, in
    // range), so every gather below reads inside its table.
    // SAFETY (the loads): i0 + LANES <= every column's length (the caller's).
    let (seg, flags, st0, last, pref, fam_in, sat_in, fat_in, churn_p, used, path_in) = unsafe {
        (
            s.min_u(s.load8(cols.segments, i0), s.set(ns - 1)),
            s.load8(cols.flags, i0),
            s.load8(cols.states, i0),
            s.load8(cols.lasts, i0),
            s.load8(cols.prefs, i0),
            s.load8(cols.fams, i0),
            s.load8(cols.sats, i0),
            s.load8(cols.fats, i0),
            s.load16(cols.churns, i0),
            s.load16(cols.useds, i0),
            s.load32(cols.paths, i0),
        )
    };

    // 1. Paid touch: the rank is the count of bounds at or below the draw; a touch
    //    lands when the draw lies below the last bound (as in the one-agent step,
    //    whatever the bounds before it); rank 7 is no touch.
    let consent = s.and(flags, s.set(CONSENT as u32));
    let row = s.shl(s.add(s.add(seg, seg), consent), 3);
    let mut k = zero;
    let mut hit = s.lt_u(u_touch, zero); // no lane: nothing is below 0
    for q in 0..N_PAID as u32 {
        // SAFETY: row + q < (2 ns) · 8 = tab.cum.len().
        let bound = unsafe { s.gather(s.add(row, s.set(q)), &tab.cum) };
        hit = s.lt_u(u_touch, bound);
        k = s.add_where(!hit, k, s.set(1));
    }
    let k = s.select(
        hit,
        s.set(N_PAID as u32),
        s.min_u(k, s.set(N_PAID as u32 - 1)),
    );
    let c = s.and(s.lookup8(&tab.order, k), s.set(7));
    let fat0 = s.shr(s.mul(fat_in, s.set(p.fatigue_keep_q8)), 8);
    let fat_hit = s.min_u(s.add(fat0, s.lookup8(&tab.fatigue_inc, c)), s.set(255));
    let fat = s.select(hit, fat0, fat_hit);
    let optout_thr = s.and(
        s.lookup16(&p.optout_thr, s.shr(fat, 4)),
        s.lookup8(&tab.consent_mask, c),
    );
    let optout = hit & s.lt_u(u_optout, optout_thr);
    let new_flags = s.select(optout, flags, s.andnot(s.set(CONSENT as u32), flags));
    let cross = hit & !s.is(last, NO_CHANNEL as u32) & !s.eq(last, c);
    let gidx = s.add(s.shl(seg, 3), c);
    // SAFETY: gidx < ns · 8 = tab.gain.len() = tab.gain_cross.len().
    let g = unsafe {
        s.select(
            cross,
            s.gather(gidx, &tab.gain),
            s.gather(gidx, &tab.gain_cross),
        )
    };
    let fam = s.add_where(hit, fam_in, g);
    let incon = cross & s.lt_u(u_incon, s.set(p.inconsistency_thr));
    let sat = s.add_where(
        incon,
        sat_in,
        s.set(p.inconsistency_hit.wrapping_neg() as u32),
    );
    let path = s.select(hit, path_in, s.or(s.shl(path_in, 4), s.add(c, s.set(1))));
    let takes = s.all_ones(s.lookup8(&tab.takes_mask, c));
    let new_last = s.select(hit & takes, last, c);

    // 2. Brand memory fades; word of mouth reaches non-customers.
    let prospect = !s.is(st0, state::CUSTOMER as u32);
    let faded = s.sar(s.mul(fam, s.set(p.familiarity_keep_q8 as u32)), 8);
    let wom = s.select(
        s.lt_u(u_wom, s.set(p.wom_pos_thr)),
        s.keep(
            s.lt_u(u_wom, s.set(p.wom_any_thr)),
            s.set(p.wom_gain.wrapping_neg() as u32),
        ),
        s.set(p.wom_gain as u32),
    );
    let fam = s.clamp255(s.select(prospect, fam, s.add(faded, wom)));
    let st1 = s.select(
        s.is(st0, state::UNAWARE as u32) & s.lt_s(zero, fam),
        st0,
        s.set(state::AWARE as u32),
    );
    // SAFETY: seg < ns = tab.consider.len() = tab.consider_half.len().
    let (thr, thr_half) = unsafe {
        (
            s.gather(seg, &tab.consider),
            s.gather(seg, &tab.consider_half),
        )
    };
    let to_considering = s.is(st1, state::AWARE as u32) & !s.lt_s(fam, thr);
    let to_aware = s.is(st1, state::CONSIDERING as u32) & s.lt_s(fam, thr_half);
    let st2 = s.select(to_considering, st1, s.set(state::CONSIDERING as u32));
    let st2 = s.select(to_aware, st2, s.set(state::AWARE as u32));
    let customer = s.is(st2, state::CUSTOMER as u32);

    // 3.–4. Rare events: a purchase draw under the bound in a state that buys, or a
    //    service contact.
    let bidx = s.add(s.shl(seg, 4), s.add(s.keep(customer, s.set(8)), c));
    // SAFETY: bidx < ns · 16 = tab.bound.len() = tab.bound_all.len().
    let under = unsafe {
        s.lt_u(u_buy, s.gather(bidx, &tab.bound)) | s.all_ones(s.gather(bidx, &tab.bound_all))
    };
    let may_buy = under & !s.lt_u(st2, s.set(state::CONSIDERING as u32));
    let contact_thr = s.select(
        s.is(st2, state::CONSIDERING as u32),
        s.keep(customer, s.set(p.contact_thr)),
        s.set(p.prospect_contact_thr),
    );
    let contact = s.lt_u(u_contact, contact_thr);
    let rare = may_buy | contact;

    // 5. Churn: the sBG propensity × the satisfaction level's multiplier.
    let level = s.shr(s.clamp255(sat), 4);
    let churn = customer & s.churn_below(level, churn_p, r3, &p.churn_mult);
    let st3 = s.select(churn, st2, s.set(state::CHURNED as u32));

    // 6. Satisfaction drifts back towards the baseline.
    let drift = s.sar(
        s.mul(
            s.sub(s.set(p.baseline as u32), sat),
            s.set(p.drift_q8 as u32),
        ),
        8,
    );
    let sat = s.clamp255(s.add(sat, drift));

    // Write back: the new values of agents without a rare event; the others keep
    // theirs for the one-agent step.
    // SAFETY (the stores): i0 + LANES <= every column's length (the caller's).
    unsafe {
        s.store8(cols.states, i0, rare, st3, st0);
        s.store8(cols.flags, i0, rare, new_flags, flags);
        s.store8(cols.fams, i0, rare, fam, fam_in);
        s.store8(cols.sats, i0, rare, sat, sat_in);
        s.store8(cols.fats, i0, rare, fat, fat_in);
        s.store8(cols.lasts, i0, rare, new_last, last);
        s.store32(cols.paths, i0, rare, path, path_in);
    }

    // Their tallies.
    let done = !rare;
    for st in 0..state::N {
        t.states[st] += s.count(done & s.is(st3, st as u32));
    }
    let active = s.is(st3, state::CUSTOMER as u32);
    for ch in 0..N_PAID {
        t.touches[ch] += s.count(done & hit & s.is(c, ch as u32));
        t.active_by_pref[ch] += s.count(done & active & s.is(pref, ch as u32));
        t.churned_by_pref[ch] += s.count(done & churn & s.is(pref, ch as u32));
    }
    let initial = s.nonzero(s.and(flags, s.set(INITIAL as u32)));
    t.initial += s.count(done & initial);
    t.initial_active += s.count(done & initial & active);
    let unsatisfied = s.lt_s(sat, s.set(p.satisfied_min as u32));
    t.satisfied += s.count(done & active & !unsatisfied);
    t.dissatisfied +=
        s.count(done & active & unsatisfied & s.lt_s(sat, s.set(p.dissatisfied_below as u32)));
    // two or more channels used: used & (used − 1) ≠ 0
    t.omni_customers += s.count(done & active & s.nonzero(s.and(used, s.sub(used, s.set(1)))));
    t.optouts += s.count(done & optout);
    t.inconsistency += s.count(done & incon);
    s.bits(rare)
}
