//! The common path of eight agents in AVX2 (256-bit) vector instructions, for
//! processors without AVX-512: the same arithmetic as [`super::lanes`], with
//! vector masks (all ones per lane) instead of mask registers, unsigned compares
//! by flipping the sign bit, 64-bit multiplications from 32-bit ones, and byte
//! columns written back whole (the lanes with a rare event write their old
//! values).

use super::super::{CONSENT, Columns, DRAW_SLOTS, INITIAL, NO_CHANNEL, StepTally, state};
use super::Tables;
use crate::rng::GOLDEN_GAMMA;
use crate::step::StepParams;
use crate::world::N_PAID;
use std::arch::x86_64::*;

/// Agents per call.
pub const LANES: usize = 8;

/// The common path of agents `i0 .. i0 + 8`: writes the columns and adds the
/// tallies of the agents without a rare event, and returns the mask of those
/// with one (bit `l` for agent `i0 + l`).
///
/// # Safety
/// The processor has AVX2, and `i0 + 8 <= cols.states.len()`.
#[target_feature(enable = "avx2,popcnt")]
pub unsafe fn lanes(
    cols: &mut Columns,
    p: &StepParams,
    tab: &Tables,
    key: u64,
    i0: usize,
    t: &mut StepTally,
) -> u32 {
    let n = cols.states.len();
    assert!(i0 + LANES <= n);
    let ns = tab.consider.len() as u32;
    assert!(ns > 0, "a shard with agents has segments");
    let set = |v: u32| _mm256_set1_epi32(v as i32);
    let zero = _mm256_setzero_si256();
    let ones = set(u32::MAX);
    let sign = set(0x8000_0000);
    // masks: all ones where true
    let ltu = |a: __m256i, b: __m256i| {
        _mm256_cmpgt_epi32(_mm256_xor_si256(b, sign), _mm256_xor_si256(a, sign))
    };
    let lts = |a: __m256i, b: __m256i| _mm256_cmpgt_epi32(b, a);
    let eq = |a: __m256i, v: u32| _mm256_cmpeq_epi32(a, set(v));
    let and = |a: __m256i, b: __m256i| _mm256_and_si256(a, b);
    let or = |a: __m256i, b: __m256i| _mm256_or_si256(a, b);
    let not = |a: __m256i| _mm256_xor_si256(a, ones);
    // b where the mask is set, else a
    let blend = |m: __m256i, a: __m256i, b: __m256i| _mm256_blendv_epi8(a, b, m);
    let bits = |m: __m256i| _mm256_movemask_ps(_mm256_castsi256_ps(m)) as u32;
    let table8 = |a: &[u32; 16]| unsafe { _mm256_loadu_si256(a.as_ptr().cast()) };
    let perm = |table: __m256i, idx: __m256i| _mm256_permutevar8x32_epi32(table, idx);
    // a 16-entry table read at indices 0..15
    let perm16 = |a: &[u32; 16], idx: __m256i| unsafe {
        let lo = _mm256_loadu_si256(a.as_ptr().cast());
        let hi = _mm256_loadu_si256(a.as_ptr().add(8).cast());
        blend(
            _mm256_cmpgt_epi32(idx, set(7)),
            perm(lo, idx),
            perm(hi, idx),
        )
    };

    // the draws of slot k for the eight agents, two halves of four 64-bit lanes
    let mul = |a: __m256i, c: u64| {
        let (lo, hi) = (
            _mm256_set1_epi64x(c as u32 as i64),
            _mm256_set1_epi64x((c >> 32) as i64),
        );
        let cross = _mm256_add_epi64(
            _mm256_mul_epu32(_mm256_srli_epi64::<32>(a), lo),
            _mm256_mul_epu32(a, hi),
        );
        _mm256_add_epi64(_mm256_mul_epu32(a, lo), _mm256_slli_epi64::<32>(cross))
    };
    let mix = |z: __m256i| {
        let z = mul(
            _mm256_xor_si256(z, _mm256_srli_epi64::<30>(z)),
            0xBF58_476D_1CE4_E5B9,
        );
        let z = mul(
            _mm256_xor_si256(z, _mm256_srli_epi64::<27>(z)),
            0x94D0_49BB_1331_11EB,
        );
        _mm256_xor_si256(z, _mm256_srli_epi64::<31>(z))
    };
    let g8 = DRAW_SLOTS.wrapping_mul(GOLDEN_GAMMA);
    let spread = _mm256_set_epi64x(
        g8.wrapping_mul(3) as i64,
        g8.wrapping_mul(2) as i64,
        g8 as i64,
        0,
    );
    let half = _mm256_set1_epi64x(g8.wrapping_mul(4) as i64);
    let draws = |k: u64| {
        let base = key.wrapping_add(((i0 as u64) * DRAW_SLOTS + k + 1).wrapping_mul(GOLDEN_GAMMA));
        let a = _mm256_add_epi64(_mm256_set1_epi64x(base as i64), spread);
        (mix(a), mix(_mm256_add_epi64(a, half)))
    };
    // eight 32-bit lanes from the low (0x88) or high (0xDD) halves of two
    // vectors of four 64-bit lanes, in agent order
    let low = |(a, b): (__m256i, __m256i)| {
        let s = _mm256_shuffle_ps::<0x88>(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b));
        _mm256_permute4x64_epi64::<0b11_01_10_00>(_mm256_castps_si256(s))
    };
    let high = |(a, b): (__m256i, __m256i)| {
        let s = _mm256_shuffle_ps::<0xDD>(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b));
        _mm256_permute4x64_epi64::<0b11_01_10_00>(_mm256_castps_si256(s))
    };
    let r0 = draws(0);
    let r1 = draws(1);
    let r2 = draws(2);
    let r3 = draws(3);
    let (u_touch, u_buy) = (low(r0), high(r0));
    let (u_wom, u_optout) = (low(r2), high(r2));
    let u_contact = low(r1);
    let (u_incon, u_churn) = (low(r3), high(r3));

    // SAFETY (loads and stores below): i0 + 8 <= n, every column has length n.
    let ld8 =
        |s: &[u8]| unsafe { _mm256_cvtepu8_epi32(_mm_loadl_epi64(s.as_ptr().add(i0).cast())) };
    let ld16 =
        |s: &[u16]| unsafe { _mm256_cvtepu16_epi32(_mm_loadu_si128(s.as_ptr().add(i0).cast())) };
    // a table read at each lane's index (every index is below the table's length)
    let gather =
        |idx: __m256i, v: &[u32]| unsafe { _mm256_i32gather_epi32::<4>(v.as_ptr().cast(), idx) };
    let seg = _mm256_min_epu32(ld8(cols.segments), set(ns - 1));
    let flags = ld8(cols.flags);
    let st0 = ld8(cols.states);
    let last = ld8(cols.lasts);
    let pref = ld8(cols.prefs);
    let fam_in = ld8(cols.fams);
    let sat_in = ld8(cols.sats);
    let fat_in = ld8(cols.fats);
    let churn_p = ld16(cols.churns);
    let used = ld16(cols.useds);
    let path_in = unsafe { _mm256_loadu_si256(cols.paths.as_ptr().add(i0).cast()) };

    // 1. Paid touch.
    let consent = and(flags, set(CONSENT as u32));
    let row = _mm256_slli_epi32::<3>(_mm256_add_epi32(_mm256_add_epi32(seg, seg), consent));
    let mut k = zero;
    // a touch lands when the draw lies below the last bound
    let mut hit = zero;
    for q in 0..N_PAID as u32 {
        let b = gather(_mm256_add_epi32(row, set(q)), &tab.cum);
        hit = ltu(u_touch, b);
        // + 1 where u_touch >= b (the mask is −1)
        k = _mm256_sub_epi32(k, not(hit));
    }
    // rank 7 (no touch) where none lands
    let k = blend(
        hit,
        set(N_PAID as u32),
        _mm256_min_epu32(k, set(N_PAID as u32 - 1)),
    );
    let c = and(perm(table8(&tab.order), k), set(7));
    let fat0 = _mm256_srli_epi32::<8>(_mm256_mullo_epi32(fat_in, set(p.fatigue_keep_q8)));
    let fat_hit = _mm256_min_epu32(
        _mm256_add_epi32(fat0, perm(table8(&tab.fatigue_inc), c)),
        set(255),
    );
    let fat = blend(hit, fat0, fat_hit);
    let optout_thr = and(
        perm16(&p.optout_thr, _mm256_srli_epi32::<4>(fat)),
        perm(table8(&tab.consent_mask), c),
    );
    let optout = and(hit, ltu(u_optout, optout_thr));
    let new_flags = blend(
        optout,
        flags,
        _mm256_andnot_si256(set(CONSENT as u32), flags),
    );
    let cross = _mm256_andnot_si256(
        or(eq(last, NO_CHANNEL as u32), _mm256_cmpeq_epi32(last, c)),
        hit,
    );
    let gidx = _mm256_add_epi32(_mm256_slli_epi32::<3>(seg), c);
    let g = blend(
        cross,
        gather(gidx, &tab.gain),
        gather(gidx, &tab.gain_cross),
    );
    let fam = _mm256_add_epi32(fam_in, and(hit, g));
    let incon = and(cross, ltu(u_incon, set(p.inconsistency_thr)));
    let sat = _mm256_sub_epi32(sat_in, and(incon, set(p.inconsistency_hit as u32)));
    let path = blend(
        hit,
        path_in,
        or(_mm256_slli_epi32::<4>(path_in), _mm256_add_epi32(c, set(1))),
    );
    let takes = perm(table8(&tab.takes_mask), c);
    let new_last = blend(and(hit, takes), last, c);

    // 2. Brand memory fades; word of mouth reaches non-customers.
    let prospect = not(eq(st0, state::CUSTOMER as u32));
    let faded = _mm256_srai_epi32::<8>(_mm256_mullo_epi32(fam, set(p.familiarity_keep_q8 as u32)));
    let wom = blend(
        ltu(u_wom, set(p.wom_pos_thr)),
        and(
            ltu(u_wom, set(p.wom_any_thr)),
            set(p.wom_gain.wrapping_neg() as u32),
        ),
        set(p.wom_gain as u32),
    );
    let fam = blend(prospect, fam, _mm256_add_epi32(faded, wom));
    let fam = _mm256_min_epi32(_mm256_max_epi32(fam, zero), set(255));
    let st1 = blend(
        and(
            eq(st0, state::UNAWARE as u32),
            _mm256_cmpgt_epi32(fam, zero),
        ),
        st0,
        set(state::AWARE as u32),
    );
    let thr = gather(seg, &tab.consider);
    let thr_half = gather(seg, &tab.consider_half);
    let to_considering = _mm256_andnot_si256(lts(fam, thr), eq(st1, state::AWARE as u32));
    let to_aware = and(eq(st1, state::CONSIDERING as u32), lts(fam, thr_half));
    let st2 = blend(to_considering, st1, set(state::CONSIDERING as u32));
    let st2 = blend(to_aware, st2, set(state::AWARE as u32));
    let customer = eq(st2, state::CUSTOMER as u32);

    // 3.–4. Rare events.
    let bidx = _mm256_add_epi32(
        _mm256_slli_epi32::<4>(seg),
        _mm256_add_epi32(and(customer, set(8)), c),
    );
    let under = or(
        ltu(u_buy, gather(bidx, &tab.bound)),
        gather(bidx, &tab.bound_all),
    );
    let may_buy = _mm256_andnot_si256(lts(st2, set(state::CONSIDERING as u32)), under);
    let contact_thr = blend(
        eq(st2, state::CONSIDERING as u32),
        and(customer, set(p.contact_thr)),
        set(p.prospect_contact_thr),
    );
    let contact = ltu(u_contact, contact_thr);
    let rare = or(may_buy, contact);

    // 5. Churn, in two halves of four doubles (an unsigned draw converted through
    //    its sign-flipped value plus 2³¹, exactly).
    let level = _mm256_srli_epi32::<4>(_mm256_min_epi32(_mm256_max_epi32(sat, zero), set(255)));
    let flipped = _mm256_xor_si256(u_churn, sign);
    let churn_half = |levels: __m128i, props: __m128i, draws: __m128i| unsafe {
        let mult = _mm256_i32gather_pd::<8>(p.churn_mult.as_ptr(), levels);
        let hazard = _mm256_mul_pd(_mm256_cvtepi32_pd(props), mult);
        let u = _mm256_add_pd(_mm256_cvtepi32_pd(draws), _mm256_set1_pd(2_147_483_648.0));
        _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LT_OQ>(u, hazard)) as u32
    };
    let below = churn_half(
        _mm256_castsi256_si128(level),
        _mm256_castsi256_si128(churn_p),
        _mm256_castsi256_si128(flipped),
    ) | churn_half(
        _mm256_extracti128_si256::<1>(level),
        _mm256_extracti128_si256::<1>(churn_p),
        _mm256_extracti128_si256::<1>(flipped),
    ) << 4;
    let lane_bit = _mm256_set_epi32(128, 64, 32, 16, 8, 4, 2, 1);
    let below = _mm256_cmpeq_epi32(and(set(below), lane_bit), lane_bit);
    let churn = and(customer, below);
    let st3 = blend(churn, st2, set(state::CHURNED as u32));

    // 6. Satisfaction drifts back towards the baseline.
    let drift = _mm256_srai_epi32::<8>(_mm256_mullo_epi32(
        _mm256_sub_epi32(set(p.baseline as u32), sat),
        set(p.drift_q8 as u32),
    ));
    let sat = _mm256_add_epi32(sat, drift);
    let sat = _mm256_min_epi32(_mm256_max_epi32(sat, zero), set(255));

    // Write back: the new values where no rare event follows, the old ones elsewhere.
    // bytes 0, 4, 8, 12 of each 128-bit half, then the two halves' first words
    let pick = _mm256_setr_epi8(
        0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8, 12, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1,
    );
    let join = _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1);
    unsafe {
        let st8 = |s: &mut [u8], new: __m256i, old: __m256i| {
            let v = perm(_mm256_shuffle_epi8(blend(rare, new, old), pick), join);
            _mm_storel_epi64(s.as_mut_ptr().add(i0).cast(), _mm256_castsi256_si128(v));
        };
        st8(cols.states, st3, st0);
        st8(cols.flags, new_flags, flags);
        st8(cols.fams, fam, fam_in);
        st8(cols.sats, sat, sat_in);
        st8(cols.fats, fat, fat_in);
        st8(cols.lasts, new_last, last);
        _mm256_storeu_si256(
            cols.paths.as_mut_ptr().add(i0).cast(),
            blend(rare, path, path_in),
        );
    }

    // Their tallies.
    let done = !bits(rare) & 0xFF;
    let n_of = |m: __m256i| (bits(m) & done).count_ones() as u64;
    for s in 0..state::N {
        t.states[s] += n_of(eq(st3, s as u32));
    }
    let active = eq(st3, state::CUSTOMER as u32);
    for ch in 0..N_PAID {
        t.touches[ch] += n_of(and(hit, eq(c, ch as u32)));
        t.active_by_pref[ch] += n_of(and(active, eq(pref, ch as u32)));
        t.churned_by_pref[ch] += n_of(and(churn, eq(pref, ch as u32)));
    }
    let initial = not(eq(and(flags, set(INITIAL as u32)), 0));
    t.initial += n_of(initial);
    t.initial_active += n_of(and(initial, active));
    let unsatisfied = lts(sat, set(p.satisfied_min as u32));
    t.satisfied += n_of(_mm256_andnot_si256(unsatisfied, active));
    t.dissatisfied += n_of(and(
        and(active, unsatisfied),
        lts(sat, set(p.dissatisfied_below as u32)),
    ));
    // two or more channels used: used & (used − 1) ≠ 0
    t.omni_customers += n_of(and(
        active,
        not(eq(and(used, _mm256_sub_epi32(used, set(1))), 0)),
    ));
    t.optouts += n_of(optout);
    t.inconsistency += n_of(incon);
    bits(rare)
}
