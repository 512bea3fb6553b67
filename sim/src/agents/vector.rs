//! [`Shard::step`] for a group of agents at a time in vector instructions: sixteen
//! with AVX-512 ([`avx512`]), eight with AVX2 ([`avx2`]), whichever is the best the
//! processor has (checked once per process; without either, and with
//! `OMNIMIX_VECTOR=off`, the step goes one agent at a time). The group's common
//! path is written once ([`common::common_path`]) over the few vector operations
//! it needs ([`common::Isa`]), which each instruction set provides.
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

use super::{JourneyLog, Shard, StepTally, agent_step};
use crate::mechanisms::observation;
use crate::step::StepParams;

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
#[cfg(target_arch = "x86_64")]
mod common;

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
/// lanes' look-ups. Every per-segment table is built for the same segment count
/// (`Tables::new`), which the look-ups' safety arguments use. Channel tables have
/// an eighth entry (index 7) for "no touch", which every select then discards.
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
    let n = cols.len();
    let width = level.lanes();
    let full = if p.segments.is_empty() {
        0
    } else {
        n / width * width
    };
    for i0 in (0..full).step_by(width) {
        // SAFETY: `available` checked the instructions; i0 + width <= n, every
        // column's length (`Columns::len`).
        #[cfg(target_arch = "x86_64")]
        let mut rare = unsafe {
            match level {
                Level::Avx512 => avx512::step_group(&mut cols, p, &tab, key, i0, &mut t),
                Level::Avx2 => avx2::step_group(&mut cols, p, &tab, key, i0, &mut t),
            }
        };
        #[cfg(not(target_arch = "x86_64"))]
        let mut rare: u32 = (1 << width) - 1;
        while rare != 0 {
            let i = i0 + rare.trailing_zeros() as usize;
            agent_step(&mut cols, p, key, obs_key, i, &mut t, &mut journeys);
            rare &= rare - 1;
        }
    }
    for i in full..n {
        agent_step(&mut cols, p, key, obs_key, i, &mut t, &mut journeys);
    }
    t
}
