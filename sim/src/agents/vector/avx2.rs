//! [`Isa`] in AVX2, for processors without AVX-512: eight agents in 256-bit
//! registers, truth values as vector masks (all ones per lane), unsigned compares
//! by flipping the sign bit, 64-bit multiplications from 32-bit ones, and byte
//! columns written back whole (the lanes with a rare event write their old values).

use super::super::{Columns, StepTally};
use super::Tables;
use super::common::{AGENT_STRIDE, Isa, common_path, draw_state};
use crate::step::StepParams;
use std::arch::x86_64::*;
use std::ops::{BitAnd, BitOr, Not};

/// The common path of agents `i0 .. i0 + 8` ([`common_path`]).
///
/// # Safety
/// The processor has AVX2, and every column of `cols` is at least `i0 + 8` long.
#[target_feature(enable = "avx2,popcnt")]
pub unsafe fn step_group(
    cols: &mut Columns,
    p: &StepParams,
    tab: &Tables,
    key: u64,
    i0: usize,
    t: &mut StepTally,
) -> u32 {
    // SAFETY: the caller's conditions are common_path's.
    unsafe { common_path(Avx2(()), cols, p, tab, key, i0, t) }
}

/// Proof that the processor has AVX2: made only in [`step_group`], whose caller
/// checked it.
#[derive(Clone, Copy)]
pub(super) struct Avx2(());

/// Eight truth values, each lane all ones or zero; made only by [`Avx2`]'s
/// operations, so only where the processor has AVX2.
#[derive(Clone, Copy)]
pub(super) struct Mask(__m256i);

// SAFETY (every `unsafe` block below, unless it says more): an `Avx2` or a `Mask`
// exists only on a processor with AVX2.
//
// No closures in these operations: they are functions without `#[target_feature]`
// (only `step_group` has it), so a closure in them is compiled without the
// instructions, and where it is not inlined the intrinsics in it become calls.
impl BitAnd for Mask {
    type Output = Mask;
    #[inline(always)]
    fn bitand(self, o: Mask) -> Mask {
        Mask(unsafe { _mm256_and_si256(self.0, o.0) })
    }
}

impl BitOr for Mask {
    type Output = Mask;
    #[inline(always)]
    fn bitor(self, o: Mask) -> Mask {
        Mask(unsafe { _mm256_or_si256(self.0, o.0) })
    }
}

impl Not for Mask {
    type Output = Mask;
    #[inline(always)]
    fn not(self) -> Mask {
        Mask(unsafe { _mm256_xor_si256(self.0, _mm256_set1_epi32(-1)) })
    }
}

impl Avx2 {
    /// a · c in each of four 64-bit lanes, from 32-bit multiplications.
    #[inline(always)]
    fn mul64(self, a: __m256i, c: u64) -> __m256i {
        unsafe {
            let (lo, hi) = (
                _mm256_set1_epi64x(c as u32 as i64),
                _mm256_set1_epi64x((c >> 32) as i64),
            );
            let cross = _mm256_add_epi64(
                _mm256_mul_epu32(_mm256_srli_epi64::<32>(a), lo),
                _mm256_mul_epu32(a, hi),
            );
            _mm256_add_epi64(_mm256_mul_epu32(a, lo), _mm256_slli_epi64::<32>(cross))
        }
    }

    /// SplitMix64's finaliser on four 64-bit lanes.
    #[inline(always)]
    fn mix(self, z: __m256i) -> __m256i {
        unsafe {
            let z = self.mul64(
                _mm256_xor_si256(z, _mm256_srli_epi64::<30>(z)),
                0xBF58_476D_1CE4_E5B9,
            );
            let z = self.mul64(
                _mm256_xor_si256(z, _mm256_srli_epi64::<27>(z)),
                0x94D0_49BB_1331_11EB,
            );
            _mm256_xor_si256(z, _mm256_srli_epi64::<31>(z))
        }
    }

    /// The 32-bit lanes of a `shuffle_ps` of two four-lane vectors, in agent order.
    #[inline(always)]
    fn in_order(self, s: __m256) -> __m256i {
        unsafe { _mm256_permute4x64_epi64::<0b11_01_10_00>(_mm256_castps_si256(s)) }
    }

    /// [`Isa::churn_below`] of four agents in doubles, from sign-flipped draws (an
    /// unsigned draw is its sign-flipped value plus 2³¹, exactly); bit `l` for lane
    /// `l`.
    #[inline(always)]
    fn churn_half(
        self,
        levels: __m128i,
        props: __m128i,
        flipped: __m128i,
        mult: &[f64; 16],
    ) -> u32 {
        unsafe {
            // SAFETY: every index is held below 16 = mult.len() (levels are below 16
            // already, so the mask changes nothing but guards the read).
            let levels = _mm_and_si128(levels, _mm_set1_epi32(15));
            let m = _mm256_i32gather_pd::<8>(mult.as_ptr(), levels);
            let hazard = _mm256_mul_pd(_mm256_cvtepi32_pd(props), m);
            let u = _mm256_add_pd(_mm256_cvtepi32_pd(flipped), _mm256_set1_pd(2_147_483_648.0));
            _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LT_OQ>(u, hazard)) as u32
        }
    }

    /// A table's first eight entries.
    #[inline(always)]
    fn load_table8(self, table: &[u32; 16]) -> __m256i {
        unsafe { _mm256_loadu_si256(table.as_ptr().cast()) }
    }
}

impl Isa for Avx2 {
    const LANES: usize = 8;
    type V = __m256i;
    type D = (__m256i, __m256i);
    type M = Mask;

    #[inline(always)]
    fn set(self, v: u32) -> __m256i {
        unsafe { _mm256_set1_epi32(v as i32) }
    }
    #[inline(always)]
    fn add(self, a: __m256i, b: __m256i) -> __m256i {
        unsafe { _mm256_add_epi32(a, b) }
    }
    #[inline(always)]
    fn sub(self, a: __m256i, b: __m256i) -> __m256i {
        unsafe { _mm256_sub_epi32(a, b) }
    }
    #[inline(always)]
    fn mul(self, a: __m256i, b: __m256i) -> __m256i {
        unsafe { _mm256_mullo_epi32(a, b) }
    }
    #[inline(always)]
    fn and(self, a: __m256i, b: __m256i) -> __m256i {
        unsafe { _mm256_and_si256(a, b) }
    }
    #[inline(always)]
    fn or(self, a: __m256i, b: __m256i) -> __m256i {
        unsafe { _mm256_or_si256(a, b) }
    }
    #[inline(always)]
    fn andnot(self, a: __m256i, b: __m256i) -> __m256i {
        unsafe { _mm256_andnot_si256(a, b) }
    }
    #[inline(always)]
    fn shl(self, a: __m256i, n: u32) -> __m256i {
        unsafe { _mm256_sllv_epi32(a, self.set(n)) }
    }
    #[inline(always)]
    fn shr(self, a: __m256i, n: u32) -> __m256i {
        unsafe { _mm256_srlv_epi32(a, self.set(n)) }
    }
    #[inline(always)]
    fn sar(self, a: __m256i, n: u32) -> __m256i {
        unsafe { _mm256_srav_epi32(a, self.set(n)) }
    }
    #[inline(always)]
    fn min_u(self, a: __m256i, b: __m256i) -> __m256i {
        unsafe { _mm256_min_epu32(a, b) }
    }
    #[inline(always)]
    fn min_s(self, a: __m256i, b: __m256i) -> __m256i {
        unsafe { _mm256_min_epi32(a, b) }
    }
    #[inline(always)]
    fn max_s(self, a: __m256i, b: __m256i) -> __m256i {
        unsafe { _mm256_max_epi32(a, b) }
    }
    #[inline(always)]
    fn eq(self, a: __m256i, b: __m256i) -> Mask {
        Mask(unsafe { _mm256_cmpeq_epi32(a, b) })
    }
    #[inline(always)]
    fn lt_u(self, a: __m256i, b: __m256i) -> Mask {
        // a < b unsigned: a ^ 2³¹ < b ^ 2³¹ signed
        let sign = self.set(0x8000_0000);
        unsafe { self.lt_s(_mm256_xor_si256(a, sign), _mm256_xor_si256(b, sign)) }
    }
    #[inline(always)]
    fn lt_s(self, a: __m256i, b: __m256i) -> Mask {
        Mask(unsafe { _mm256_cmpgt_epi32(b, a) })
    }
    #[inline(always)]
    fn nonzero(self, a: __m256i) -> Mask {
        !self.eq(a, self.set(0))
    }
    #[inline(always)]
    fn all_ones(self, a: __m256i) -> Mask {
        Mask(a)
    }
    #[inline(always)]
    fn select(self, m: Mask, a: __m256i, b: __m256i) -> __m256i {
        unsafe { _mm256_blendv_epi8(a, b, m.0) }
    }
    #[inline(always)]
    fn keep(self, m: Mask, a: __m256i) -> __m256i {
        self.and(m.0, a)
    }
    #[inline(always)]
    fn add_where(self, m: Mask, a: __m256i, b: __m256i) -> __m256i {
        self.add(a, self.keep(m, b))
    }
    #[inline(always)]
    fn bits(self, m: Mask) -> u32 {
        unsafe { _mm256_movemask_ps(_mm256_castsi256_ps(m.0)) as u32 }
    }
    #[inline(always)]
    fn lookup8(self, table: &[u32; 16], idx: __m256i) -> __m256i {
        unsafe { _mm256_permutevar8x32_epi32(self.load_table8(table), idx) }
    }
    #[inline(always)]
    fn lookup16(self, table: &[u32; 16], idx: __m256i) -> __m256i {
        unsafe {
            let hi = _mm256_loadu_si256(table.as_ptr().add(8).cast());
            self.select(
                Mask(_mm256_cmpgt_epi32(idx, self.set(7))),
                self.lookup8(table, idx),
                _mm256_permutevar8x32_epi32(hi, idx),
            )
        }
    }
    #[inline(always)]
    unsafe fn gather(self, idx: __m256i, table: &[u32]) -> __m256i {
        // SAFETY: the caller keeps every index below table.len().
        unsafe { _mm256_i32gather_epi32::<4>(table.as_ptr().cast(), idx) }
    }
    #[inline(always)]
    unsafe fn load8(self, col: &[u8], i0: usize) -> __m256i {
        // SAFETY: the caller keeps i0 + LANES <= col.len().
        let col = unsafe { col.as_ptr().add(i0) };
        unsafe { _mm256_cvtepu8_epi32(_mm_loadl_epi64(col.cast())) }
    }
    #[inline(always)]
    unsafe fn load16(self, col: &[u16], i0: usize) -> __m256i {
        // SAFETY: the caller keeps i0 + LANES <= col.len().
        let col = unsafe { col.as_ptr().add(i0) };
        unsafe { _mm256_cvtepu16_epi32(_mm_loadu_si128(col.cast())) }
    }
    #[inline(always)]
    unsafe fn load32(self, col: &[u32], i0: usize) -> __m256i {
        // SAFETY: the caller keeps i0 + LANES <= col.len().
        let col = unsafe { col.as_ptr().add(i0) };
        unsafe { _mm256_loadu_si256(col.cast()) }
    }
    #[inline(always)]
    unsafe fn store8(self, col: &mut [u8], i0: usize, rare: Mask, new: __m256i, old: __m256i) {
        // SAFETY: the caller keeps i0 + LANES <= col.len().
        let col = unsafe { col.as_mut_ptr().add(i0) };
        unsafe {
            // byte 0 of each lane: bytes 0, 4, 8, 12 of each 128-bit half, then the
            // two halves' first words
            let pick = _mm256_setr_epi8(
                0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8, 12, -1, -1,
                -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
            );
            let join = _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1);
            let v = _mm256_permutevar8x32_epi32(
                _mm256_shuffle_epi8(self.select(rare, new, old), pick),
                join,
            );
            _mm_storel_epi64(col.cast(), _mm256_castsi256_si128(v));
        }
    }
    #[inline(always)]
    unsafe fn store32(self, col: &mut [u32], i0: usize, rare: Mask, new: __m256i, old: __m256i) {
        // SAFETY: the caller keeps i0 + LANES <= col.len().
        let col = unsafe { col.as_mut_ptr().add(i0) };
        unsafe { _mm256_storeu_si256(col.cast(), self.select(rare, new, old)) }
    }
    #[inline(always)]
    fn draws(self, key: u64, i0: usize, slot: u64) -> (__m256i, __m256i) {
        unsafe {
            // agents i0 .. i0 + 4 and i0 + 4 .. i0 + 8, four 64-bit lanes each
            let spread = _mm256_set_epi64x(
                AGENT_STRIDE.wrapping_mul(3) as i64,
                AGENT_STRIDE.wrapping_mul(2) as i64,
                AGENT_STRIDE as i64,
                0,
            );
            let half = _mm256_set1_epi64x(AGENT_STRIDE.wrapping_mul(4) as i64);
            let base = draw_state(key, i0, slot);
            let a = _mm256_add_epi64(_mm256_set1_epi64x(base as i64), spread);
            (self.mix(a), self.mix(_mm256_add_epi64(a, half)))
        }
    }
    #[inline(always)]
    fn low(self, (a, b): (__m256i, __m256i)) -> __m256i {
        // the low halves of the 64-bit lanes (0x88), put in agent order
        unsafe {
            self.in_order(_mm256_shuffle_ps::<0x88>(
                _mm256_castsi256_ps(a),
                _mm256_castsi256_ps(b),
            ))
        }
    }
    #[inline(always)]
    fn high(self, (a, b): (__m256i, __m256i)) -> __m256i {
        // the high halves (0xDD)
        unsafe {
            self.in_order(_mm256_shuffle_ps::<0xDD>(
                _mm256_castsi256_ps(a),
                _mm256_castsi256_ps(b),
            ))
        }
    }
    #[inline(always)]
    fn churn_below(
        self,
        level: __m256i,
        propensity: __m256i,
        d: (__m256i, __m256i),
        mult: &[f64; 16],
    ) -> Mask {
        unsafe {
            let flipped = _mm256_xor_si256(self.high(d), self.set(0x8000_0000));
            let lo = _mm256_castsi256_si128;
            let hi = _mm256_extracti128_si256::<1>;
            let below = self.churn_half(lo(level), lo(propensity), lo(flipped), mult)
                | self.churn_half(hi(level), hi(propensity), hi(flipped), mult) << 4;
            let lane_bit = _mm256_set_epi32(128, 64, 32, 16, 8, 4, 2, 1);
            Mask(_mm256_cmpeq_epi32(
                self.and(self.set(below), lane_bit),
                lane_bit,
            ))
        }
    }
}
