//! [`Shard::step`] for a group of agents at a time in vector instructions: sixteen
//! with AVX-512 ([`lanes`]), eight with AVX2 ([`avx2::lanes`]), whichever is the
//! best the processor has (checked once per process; without either, and with
//! `OMNIMIX_VECTOR=off`, the step goes one agent at a time).
//!
//! Per group of agents:
//! 1. **The common path, for every agent at once**: the four counter draws
//!    (slots 0–3), the paid touch, opt-out, familiarity gain, inconsistency,
//!    word of mouth, the journey-state moves, churn and satisfaction drift,
//!    computed with selects instead of branches, and whether the agent has a
//!    *rare event* this step: a purchase draw under its segment's bound (see
//!    [`crate::step::SegmentStep::buy_bound`]) in a state that buys, or a
//!    service contact. Agents without one get their new columns written; the
//!    others keep theirs.
//! 2. **The tallies** of the agents without a rare event, counted from the
//!    lanes' masks (counts do not depend on the order they are added in).
//! 3. **The rare events**, agent by agent in agent order (and the last agents
//!    of a shard, fewer than a group), by the one-agent step
//!    ([`super::agent_step`]) from the agent's unchanged columns: every purchase,
//!    contact, bad experience and journey record is computed exactly as one at a
//!    time, and revenue is summed in the same order, so the step's numbers are
//!    the same to the bit (tested against [`Shard::step_one_by_one`]).

#![cfg_attr(
    not(target_arch = "x86_64"),
    allow(dead_code, unused_variables, unused_imports)
)]

use super::{Columns, JourneyLog, Shard, StepTally, agent_step};
use crate::mechanisms::observation;
use crate::step::StepParams;

#[cfg(target_arch = "x86_64")]
mod avx2;

// Channel tables have eight entries, the eighth (index 7) for "no touch".
const _: () = assert!(crate::world::N_PAID < 8);

/// The vector instructions the step runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// AVX-512 (F, BW, DQ, VL): sixteen agents per call.
    Avx512,
    /// AVX2: eight agents per call.
    Avx2,
}

impl Level {
    /// Agents per call.
    pub fn lanes(self) -> usize {
        match self {
            Level::Avx512 => 16,
            Level::Avx2 => 8,
        }
    }

    /// True when the processor has this level's instructions.
    pub fn available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            match self {
                Level::Avx512 => {
                    has!("avx512f")
                        && has!("avx512bw")
                        && has!("avx512dq")
                        && has!("avx512vl")
                        && has!("popcnt")
                }
                Level::Avx2 => has!("avx2") && has!("popcnt"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = self;
            false
        }
    }
}

/// The level this process steps agents at: the best the processor has
/// (checked once), lowered by `OMNIMIX_VECTOR=avx2`; `None` (one agent at a
/// time) without AVX2 or with `OMNIMIX_VECTOR=off`.
pub fn level() -> Option<Level> {
    use std::sync::OnceLock;
    static LEVEL: OnceLock<Option<Level>> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        let best = [Level::Avx512, Level::Avx2]
            .into_iter()
            .find(|l| l.available());
        match std::env::var("OMNIMIX_VECTOR").as_deref() {
            Ok("off") => None,
            Ok("avx2") => Some(Level::Avx2).filter(|l| l.available()),
            _ => best,
        }
    })
}

/// A step's per-segment and per-channel tables, flat and 32 bits wide for the
/// lanes' look-ups. Channel tables have an eighth entry (index 7) for "no
/// touch", which every select then discards.
struct Tables {
    /// `touch_cum` at `(segment · 2 + consent) · 8 + k` (k < 7; entry 7 unused).
    cum: Vec<u32>,
    /// `gain` / `gain_cross` at `segment · 8 + channel`.
    gain: Vec<u32>,
    gain_cross: Vec<u32>,
    /// `consider_thr` and `consider_thr / 2` per segment.
    consider: Vec<u32>,
    consider_half: Vec<u32>,
    /// `buy_bound` at `segment · 16 + customer · 8 + touched channel (7: none)`,
    /// as a 32-bit bound and all ones where the bound is above every draw.
    bound: Vec<u32>,
    bound_all: Vec<u32>,
    /// Per channel (16 entries, 8 used): the channel of each touch rank (rank 7,
    /// no touch, gives 7), fatigue added, all ones where the channel needs
    /// consent, all ones where it takes orders.
    order: [u32; 16],
    fatigue_inc: [u32; 16],
    consent_mask: [u32; 16],
    takes_mask: [u32; 16],
}

impl Tables {
    fn new(p: &StepParams) -> Tables {
        use crate::world::N_PAID;
        let ns = p.segments.len();
        let mut t = Tables {
            cum: vec![u32::MAX; ns * 16],
            gain: vec![0; ns * 8],
            gain_cross: vec![0; ns * 8],
            consider: p.segments.iter().map(|s| s.consider_thr as u32).collect(),
            consider_half: p
                .segments
                .iter()
                .map(|s| (s.consider_thr / 2) as u32)
                .collect(),
            bound: vec![0; ns * 16],
            bound_all: vec![0; ns * 16],
            order: [N_PAID as u32; 16],
            fatigue_inc: [0; 16],
            consent_mask: [0; 16],
            takes_mask: [0; 16],
        };
        for (s, sp) in p.segments.iter().enumerate() {
            for consent in 0..2 {
                let at = (s * 2 + consent) * 8;
                t.cum[at..at + N_PAID].copy_from_slice(&sp.touch_cum[consent]);
            }
            for c in 0..N_PAID {
                t.gain[s * 8 + c] = sp.gain[c] as u32;
                t.gain_cross[s * 8 + c] = sp.gain_cross[c] as u32;
            }
            for customer in 0..2 {
                for (c, &b) in sp.buy_bound[customer].iter().enumerate() {
                    let at = s * 16 + customer * 8 + c;
                    t.bound[at] = b.min(u32::MAX as u64) as u32;
                    t.bound_all[at] = if b > u32::MAX as u64 { u32::MAX } else { 0 };
                }
            }
        }
        for k in 0..N_PAID {
            t.order[k] = p.touch_order[k] as u32;
            t.fatigue_inc[k] = p.fatigue_inc[k];
            t.consent_mask[k] = if p.consent_channel[k] { u32::MAX } else { 0 };
            t.takes_mask[k] = if p.takes_orders[k] { u32::MAX } else { 0 };
        }
        t
    }
}

/// [`Shard::step`] in vector lanes at `level` (see the module description),
/// which the processor must have: [`level`] gives this process's.
pub fn step(
    level: Level,
    sh: &mut Shard,
    p: &StepParams,
    key: u64,
    mut journeys: Option<&mut JourneyLog>,
) -> StepTally {
    assert!(level.available(), "this processor has no {level:?}");
    let tab = Tables::new(p);
    let mut t = StepTally::default();
    let obs_key = observation::observation_key(key);
    let mut cols = sh.columns();
    let n = cols.states.len();
    let width = level.lanes();
    let full = if p.segments.is_empty() {
        0
    } else {
        n / width * width
    };
    let mut i0 = 0;
    while i0 < full {
        // SAFETY: `available` checked the instructions; i0 + width <= n.
        #[cfg(target_arch = "x86_64")]
        let mut rare = unsafe {
            match level {
                Level::Avx512 => lanes(&mut cols, p, &tab, key, i0, &mut t),
                Level::Avx2 => avx2::lanes(&mut cols, p, &tab, key, i0, &mut t),
            }
        };
        #[cfg(not(target_arch = "x86_64"))]
        let mut rare: u32 = (1 << width) - 1;
        while rare != 0 {
            let i = i0 + rare.trailing_zeros() as usize;
            agent_step(&mut cols, p, key, obs_key, i, &mut t, &mut journeys);
            rare &= rare - 1;
        }
        i0 += width;
    }
    for i in full..n {
        agent_step(&mut cols, p, key, obs_key, i, &mut t, &mut journeys);
    }
    t
}

/// The common path of agents `i0 .. i0 + 16` (see the module description): writes
/// the columns and adds the tallies of the agents without a rare event, and
/// returns the mask of those with one (bit `l` for agent `i0 + l`).
///
/// # Safety
/// The processor has AVX-512 F, BW, DQ and VL, and `i0 + 16 <= cols.states.len()`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
unsafe fn lanes(
    cols: &mut Columns,
    p: &StepParams,
    tab: &Tables,
    key: u64,
    i0: usize,
    t: &mut StepTally,
) -> u32 {
    use super::{CONSENT, DRAW_SLOTS, INITIAL, state};
    use crate::rng::GOLDEN_GAMMA;
    use crate::world::N_PAID;
    use std::arch::x86_64::*;
    let n = cols.states.len();
    assert!(i0 + 16 <= n);
    let ns = tab.consider.len() as u32;
    assert!(ns > 0, "a shard with agents has segments");
    let set = |v: u32| _mm512_set1_epi32(v as i32);
    let table = |a: &[u32; 16]| unsafe { _mm512_loadu_si512(a.as_ptr().cast()) };

    // the draws of slot k for the sixteen agents, as two halves of eight 64-bit lanes:
    // SplitMix64 of key + (8 i + k + 1) γ (see `counter_draw`)
    let lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    let spread = _mm512_mullo_epi64(
        lane,
        _mm512_set1_epi64(DRAW_SLOTS.wrapping_mul(GOLDEN_GAMMA) as i64),
    );
    let half = _mm512_set1_epi64((8 * DRAW_SLOTS).wrapping_mul(GOLDEN_GAMMA) as i64);
    let mix = |z: __m512i| {
        let z = _mm512_mullo_epi64(
            _mm512_xor_si512(z, _mm512_srli_epi64::<30>(z)),
            _mm512_set1_epi64(0xBF58_476D_1CE4_E5B9u64 as i64),
        );
        let z = _mm512_mullo_epi64(
            _mm512_xor_si512(z, _mm512_srli_epi64::<27>(z)),
            _mm512_set1_epi64(0x94D0_49BB_1331_11EBu64 as i64),
        );
        _mm512_xor_si512(z, _mm512_srli_epi64::<31>(z))
    };
    let draws = |k: u64| {
        let base = key.wrapping_add(((i0 as u64) * DRAW_SLOTS + k + 1).wrapping_mul(GOLDEN_GAMMA));
        let a = _mm512_add_epi64(_mm512_set1_epi64(base as i64), spread);
        (mix(a), mix(_mm512_add_epi64(a, half)))
    };
    // sixteen 32-bit lanes from the low (or high) halves of two 64-bit vectors
    let low = |(a, b): (__m512i, __m512i)| {
        _mm512_inserti64x4::<1>(
            _mm512_castsi256_si512(_mm512_cvtepi64_epi32(a)),
            _mm512_cvtepi64_epi32(b),
        )
    };
    let high =
        |(a, b): (__m512i, __m512i)| low((_mm512_srli_epi64::<32>(a), _mm512_srli_epi64::<32>(b)));
    let r0 = draws(0);
    let r1 = draws(1);
    let r2 = draws(2);
    let r3 = draws(3);
    let (u_touch, u_buy) = (low(r0), high(r0));
    let (u_wom, u_optout) = (low(r2), high(r2));
    let u_contact = low(r1);
    let u_incon = low(r3);

    // SAFETY (loads and stores below): i0 + 16 <= n, every column has length n.
    let ld8 =
        |s: &[u8]| unsafe { _mm512_cvtepu8_epi32(_mm_loadu_si128(s.as_ptr().add(i0).cast())) };
    let ld16 =
        |s: &[u16]| unsafe { _mm512_cvtepu16_epi32(_mm256_loadu_si256(s.as_ptr().add(i0).cast())) };
    // a table read at each lane's index (every index is below the table's length)
    let gather =
        |idx: __m512i, v: &[u32]| unsafe { _mm512_i32gather_epi32::<4>(idx, v.as_ptr().cast()) };
    let seg = _mm512_min_epu32(ld8(cols.segments), set(ns - 1));
    let flags = ld8(cols.flags);
    let st0 = ld8(cols.states);
    let last = ld8(cols.lasts);
    let pref = ld8(cols.prefs);
    let fam_in = ld8(cols.fams);
    let sat_in = ld8(cols.sats);
    let fat_in = ld8(cols.fats);
    let churn_p = ld16(cols.churns);
    let used = ld16(cols.useds);
    let path_in = unsafe { _mm512_loadu_si512(cols.paths.as_ptr().add(i0).cast()) };
    let eq = |a: __m512i, v: u32| _mm512_cmpeq_epi32_mask(a, set(v));

    // 1. Paid touch: the rank is the count of bounds at or below the draw; rank 7
    //    is no touch.
    let consent = _mm512_and_si512(flags, set(CONSENT as u32));
    let row = _mm512_slli_epi32::<3>(_mm512_add_epi32(_mm512_add_epi32(seg, seg), consent));
    let mut k = _mm512_setzero_si512();
    // a touch lands when the draw lies below the last bound (as in the one-agent
    // step, whatever the bounds before it)
    let mut hit = 0;
    for q in 0..N_PAID as u32 {
        let b = gather(_mm512_add_epi32(row, set(q)), &tab.cum);
        k = _mm512_mask_add_epi32(k, _mm512_cmpge_epu32_mask(u_touch, b), k, set(1));
        hit = _mm512_cmplt_epu32_mask(u_touch, b);
    }
    // rank 7 (no touch) where none lands
    let k = _mm512_mask_mov_epi32(
        set(N_PAID as u32),
        hit,
        _mm512_min_epu32(k, set(N_PAID as u32 - 1)),
    );
    let c = _mm512_and_si512(_mm512_permutexvar_epi32(k, table(&tab.order)), set(7));
    let fat0 = _mm512_srli_epi32::<8>(_mm512_mullo_epi32(fat_in, set(p.fatigue_keep_q8)));
    let fat_hit = _mm512_min_epu32(
        _mm512_add_epi32(fat0, _mm512_permutexvar_epi32(c, table(&tab.fatigue_inc))),
        set(255),
    );
    let fat = _mm512_mask_blend_epi32(hit, fat0, fat_hit);
    let optout_thr = _mm512_and_si512(
        _mm512_permutexvar_epi32(_mm512_srli_epi32::<4>(fat), table(&p.optout_thr)),
        _mm512_permutexvar_epi32(c, table(&tab.consent_mask)),
    );
    let optout = hit & _mm512_cmplt_epu32_mask(u_optout, optout_thr);
    let new_flags = _mm512_mask_blend_epi32(
        optout,
        flags,
        _mm512_andnot_si512(set(CONSENT as u32), flags),
    );
    let cross = hit & !eq(last, super::NO_CHANNEL as u32) & _mm512_cmpneq_epi32_mask(last, c);
    let gidx = _mm512_add_epi32(_mm512_slli_epi32::<3>(seg), c);
    let g = _mm512_mask_blend_epi32(
        cross,
        gather(gidx, &tab.gain),
        gather(gidx, &tab.gain_cross),
    );
    let fam = _mm512_add_epi32(fam_in, _mm512_maskz_mov_epi32(hit, g));
    let incon = cross & _mm512_cmplt_epu32_mask(u_incon, set(p.inconsistency_thr));
    let sat = _mm512_sub_epi32(
        sat_in,
        _mm512_maskz_mov_epi32(incon, set(p.inconsistency_hit as u32)),
    );
    let path = _mm512_mask_blend_epi32(
        hit,
        path_in,
        _mm512_or_si512(_mm512_slli_epi32::<4>(path_in), _mm512_add_epi32(c, set(1))),
    );
    let takes = _mm512_test_epi32_mask(
        _mm512_permutexvar_epi32(c, table(&tab.takes_mask)),
        set(u32::MAX),
    );
    let new_last = _mm512_mask_blend_epi32(hit & takes, last, c);

    // 2. Brand memory fades; word of mouth reaches non-customers.
    let prospect = _mm512_cmpneq_epi32_mask(st0, set(state::CUSTOMER as u32));
    let faded = _mm512_srai_epi32::<8>(_mm512_mullo_epi32(fam, set(p.familiarity_keep_q8 as u32)));
    let wom = _mm512_mask_mov_epi32(
        _mm512_maskz_mov_epi32(
            _mm512_cmplt_epu32_mask(u_wom, set(p.wom_any_thr)),
            set(p.wom_gain.wrapping_neg() as u32),
        ),
        _mm512_cmplt_epu32_mask(u_wom, set(p.wom_pos_thr)),
        set(p.wom_gain as u32),
    );
    let fam = _mm512_mask_blend_epi32(prospect, fam, _mm512_add_epi32(faded, wom));
    let fam = _mm512_min_epi32(_mm512_max_epi32(fam, _mm512_setzero_si512()), set(255));
    let st1 = _mm512_mask_blend_epi32(
        eq(st0, state::UNAWARE as u32) & _mm512_cmpgt_epi32_mask(fam, _mm512_setzero_si512()),
        st0,
        set(state::AWARE as u32),
    );
    let thr = gather(seg, &tab.consider);
    let thr_half = gather(seg, &tab.consider_half);
    let to_considering = eq(st1, state::AWARE as u32) & _mm512_cmpge_epi32_mask(fam, thr);
    let to_aware = eq(st1, state::CONSIDERING as u32) & _mm512_cmplt_epi32_mask(fam, thr_half);
    let st2 = _mm512_mask_blend_epi32(to_considering, st1, set(state::CONSIDERING as u32));
    let st2 = _mm512_mask_blend_epi32(to_aware, st2, set(state::AWARE as u32));
    let customer = eq(st2, state::CUSTOMER as u32);

    // 3.–4. Rare events: a purchase draw under the bound in a state that buys, or a
    //    service contact.
    let bidx = _mm512_add_epi32(
        _mm512_slli_epi32::<4>(seg),
        _mm512_add_epi32(_mm512_maskz_mov_epi32(customer, set(8)), c),
    );
    let under = _mm512_cmplt_epu32_mask(u_buy, gather(bidx, &tab.bound))
        | _mm512_test_epi32_mask(gather(bidx, &tab.bound_all), set(u32::MAX));
    let may_buy = under & _mm512_cmpge_epu32_mask(st2, set(state::CONSIDERING as u32));
    let considering = eq(st2, state::CONSIDERING as u32);
    let contact_thr = _mm512_mask_mov_epi32(
        _mm512_maskz_mov_epi32(customer, set(p.contact_thr)),
        considering,
        set(p.prospect_contact_thr),
    );
    let contact = _mm512_cmplt_epu32_mask(u_contact, contact_thr);
    let rare = may_buy | contact;

    // 5. Churn: the sBG propensity × the satisfaction level's multiplier, in two
    //    halves of eight doubles.
    let level = _mm512_srli_epi32::<4>(_mm512_min_epi32(
        _mm512_max_epi32(sat, _mm512_setzero_si512()),
        set(255),
    ));
    let mult_lo = unsafe { _mm512_loadu_pd(p.churn_mult.as_ptr()) };
    let mult_hi = unsafe { _mm512_loadu_pd(p.churn_mult.as_ptr().add(8)) };
    let churn_half = |levels: __m256i, props: __m256i, draws: __m512i| {
        let mult = _mm512_permutex2var_pd(mult_lo, _mm512_cvtepu32_epi64(levels), mult_hi);
        let hazard = _mm512_mul_pd(_mm512_cvtepu32_pd(props), mult);
        let u = _mm512_cvtepu32_pd(_mm512_cvtepi64_epi32(_mm512_srli_epi64::<32>(draws)));
        _mm512_cmp_pd_mask::<_CMP_LT_OQ>(u, hazard) as u16
    };
    let below = churn_half(
        _mm512_castsi512_si256(level),
        _mm512_castsi512_si256(churn_p),
        r3.0,
    ) | churn_half(
        _mm512_extracti64x4_epi64::<1>(level),
        _mm512_extracti64x4_epi64::<1>(churn_p),
        r3.1,
    ) << 8;
    let churn = customer & below;
    let st3 = _mm512_mask_blend_epi32(churn, st2, set(state::CHURNED as u32));

    // 6. Satisfaction drifts back towards the baseline.
    let drift = _mm512_srai_epi32::<8>(_mm512_mullo_epi32(
        _mm512_sub_epi32(set(p.baseline as u32), sat),
        set(p.drift_q8 as u32),
    ));
    let sat = _mm512_add_epi32(sat, drift);
    let sat = _mm512_min_epi32(_mm512_max_epi32(sat, _mm512_setzero_si512()), set(255));

    // Write back the agents without a rare event.
    let done = !rare;
    unsafe {
        let st8 = |s: &mut [u8], v: __m512i| {
            _mm512_mask_cvtepi32_storeu_epi8(s.as_mut_ptr().add(i0).cast(), done, v)
        };
        st8(cols.states, st3);
        st8(cols.flags, new_flags);
        st8(cols.fams, fam);
        st8(cols.sats, sat);
        st8(cols.fats, fat);
        st8(cols.lasts, new_last);
        _mm512_mask_storeu_epi32(cols.paths.as_mut_ptr().add(i0).cast(), done, path);
    }

    // Their tallies.
    let n_of = |m: u16| (m as u32).count_ones() as u64;
    for s in 0..state::N {
        t.states[s] += n_of(done & eq(st3, s as u32));
    }
    let active = done & eq(st3, state::CUSTOMER as u32);
    for ch in 0..N_PAID {
        t.touches[ch] += n_of(done & hit & eq(c, ch as u32));
        t.active_by_pref[ch] += n_of(active & eq(pref, ch as u32));
        t.churned_by_pref[ch] += n_of(done & churn & eq(pref, ch as u32));
    }
    let initial = done & _mm512_test_epi32_mask(flags, set(INITIAL as u32));
    t.initial += n_of(initial);
    t.initial_active += n_of(initial & active);
    let satisfied = _mm512_cmpge_epi32_mask(sat, set(p.satisfied_min as u32));
    t.satisfied += n_of(active & satisfied);
    t.dissatisfied +=
        n_of(active & !satisfied & _mm512_cmplt_epi32_mask(sat, set(p.dissatisfied_below as u32)));
    // two or more channels used: used & (used − 1) ≠ 0
    t.omni_customers += n_of(active & _mm512_test_epi32_mask(used, _mm512_sub_epi32(used, set(1))));
    t.optouts += n_of(done & optout);
    t.inconsistency += n_of(done & incon);
    rare as u32
}
