//! [`Isa`] in AVX-512 (F, BW, DQ, VL): sixteen agents in 512-bit registers, truth
//! values in mask registers, masked stores, 64-bit multiplications for the draws.

use super::super::{Columns, StepTally};
use super::Tables;
use super::common::{AGENT_STRIDE, Isa, common_path, draw_state};
use crate::step::StepParams;
use std::arch::x86_64::*;

/// The common path of agents `i0 .. i0 + 16` ([`common_path`]).
///
/// # Safety
/// The processor has AVX-512 F, BW, DQ and VL, and every column of `cols` is at
/// least `i0 + 16` long.
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,popcnt")]
pub unsafe fn step_group(
    cols: &mut Columns,
    p: &StepParams,
    tab: &Tables,
    key: u64,
    i0: usize,
    t: &mut StepTally,
) -> u32 {
    // SAFETY: the caller's conditions are common_path's.
    unsafe { common_path(Avx512(()), cols, p, tab, key, i0, t) }
}

/// Proof that the processor has AVX-512 F, BW, DQ and VL: made only in [`step_group`],
/// whose caller checked them.
#[derive(Clone, Copy)]
pub(super) struct Avx512(());

// SAFETY (every `unsafe` block below, unless it says more): an `Avx512` exists only
// on a processor with the instructions.
//
// No closures in these operations: they are functions without `#[target_feature]`
// (only `step_group` has it), so a closure in them is compiled without the
// instructions, and where it is not inlined the intrinsics in it become calls.
impl Avx512 {
    /// SplitMix64's finaliser on eight 64-bit lanes.
    #[inline(always)]
    fn mix(self, z: __m512i) -> __m512i {
        unsafe {
            let z = _mm512_mullo_epi64(
                _mm512_xor_si512(z, _mm512_srli_epi64::<30>(z)),
                _mm512_set1_epi64(0xBF58_476D_1CE4_E5B9u64 as i64),
            );
            let z = _mm512_mullo_epi64(
                _mm512_xor_si512(z, _mm512_srli_epi64::<27>(z)),
                _mm512_set1_epi64(0x94D0_49BB_1331_11EBu64 as i64),
            );
            _mm512_xor_si512(z, _mm512_srli_epi64::<31>(z))
        }
    }

    /// Sixteen 32-bit lanes: the low halves of `a`'s 64-bit lanes, then `b`'s.
    #[inline(always)]
    fn low32(self, a: __m512i, b: __m512i) -> __m512i {
        unsafe {
            _mm512_inserti64x4::<1>(
                _mm512_castsi256_si512(_mm512_cvtepi64_epi32(a)),
                _mm512_cvtepi64_epi32(b),
            )
        }
    }

    /// The high halves of eight 64-bit lanes.
    #[inline(always)]
    fn high32(self, d: __m512i) -> __m256i {
        unsafe { _mm512_cvtepi64_epi32(_mm512_srli_epi64::<32>(d)) }
    }

    /// [`Isa::churn_below`] of eight agents, in doubles.
    #[inline(always)]
    fn churn_half(self, levels: __m256i, props: __m256i, u: __m256i, mult: &[f64; 16]) -> u16 {
        unsafe {
            let mult_lo = _mm512_loadu_pd(mult.as_ptr());
            let mult_hi = _mm512_loadu_pd(mult.as_ptr().add(8));
            let m = _mm512_permutex2var_pd(mult_lo, _mm512_cvtepu32_epi64(levels), mult_hi);
            let hazard = _mm512_mul_pd(_mm512_cvtepu32_pd(props), m);
            _mm512_cmp_pd_mask::<_CMP_LT_OQ>(_mm512_cvtepu32_pd(u), hazard) as u16
        }
    }
}

impl Isa for Avx512 {
    const LANES: usize = 16;
    type V = __m512i;
    type D = (__m512i, __m512i);
    type M = __mmask16;

    #[inline(always)]
    fn set(self, v: u32) -> __m512i {
        unsafe { _mm512_set1_epi32(v as i32) }
    }
    #[inline(always)]
    fn add(self, a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_add_epi32(a, b) }
    }
    #[inline(always)]
    fn sub(self, a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_sub_epi32(a, b) }
    }
    #[inline(always)]
    fn mul(self, a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_mullo_epi32(a, b) }
    }
    #[inline(always)]
    fn and(self, a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_and_si512(a, b) }
    }
    #[inline(always)]
    fn or(self, a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_or_si512(a, b) }
    }
    #[inline(always)]
    fn andnot(self, a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_andnot_si512(a, b) }
    }
    #[inline(always)]
    fn shl(self, a: __m512i, n: u32) -> __m512i {
        unsafe { _mm512_sllv_epi32(a, self.set(n)) }
    }
    #[inline(always)]
    fn shr(self, a: __m512i, n: u32) -> __m512i {
        unsafe { _mm512_srlv_epi32(a, self.set(n)) }
    }
    #[inline(always)]
    fn sar(self, a: __m512i, n: u32) -> __m512i {
        unsafe { _mm512_srav_epi32(a, self.set(n)) }
    }
    #[inline(always)]
    fn min_u(self, a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_min_epu32(a, b) }
    }
    #[inline(always)]
    fn min_s(self, a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_min_epi32(a, b) }
    }
    #[inline(always)]
    fn max_s(self, a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_max_epi32(a, b) }
    }
    #[inline(always)]
    fn eq(self, a: __m512i, b: __m512i) -> __mmask16 {
        unsafe { _mm512_cmpeq_epi32_mask(a, b) }
    }
    #[inline(always)]
    fn lt_u(self, a: __m512i, b: __m512i) -> __mmask16 {
        unsafe { _mm512_cmplt_epu32_mask(a, b) }
    }
    #[inline(always)]
    fn lt_s(self, a: __m512i, b: __m512i) -> __mmask16 {
        unsafe { _mm512_cmplt_epi32_mask(a, b) }
    }
    #[inline(always)]
    fn nonzero(self, a: __m512i) -> __mmask16 {
        unsafe { _mm512_test_epi32_mask(a, a) }
    }
    #[inline(always)]
    fn all_ones(self, a: __m512i) -> __mmask16 {
        unsafe { _mm512_movepi32_mask(a) }
    }
    #[inline(always)]
    fn select(self, m: __mmask16, a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_mask_blend_epi32(m, a, b) }
    }
    #[inline(always)]
    fn keep(self, m: __mmask16, a: __m512i) -> __m512i {
        unsafe { _mm512_maskz_mov_epi32(m, a) }
    }
    #[inline(always)]
    fn add_where(self, m: __mmask16, a: __m512i, b: __m512i) -> __m512i {
        unsafe { _mm512_mask_add_epi32(a, m, a, b) }
    }
    #[inline(always)]
    fn bits(self, m: __mmask16) -> u32 {
        m as u32
    }
    #[inline(always)]
    fn lookup8(self, table: &[u32; 16], idx: __m512i) -> __m512i {
        self.lookup16(table, idx)
    }
    #[inline(always)]
    fn lookup16(self, table: &[u32; 16], idx: __m512i) -> __m512i {
        // SAFETY: the sixteen entries are read (the index is taken modulo 16).
        unsafe { _mm512_permutexvar_epi32(idx, _mm512_loadu_si512(table.as_ptr().cast())) }
    }
    #[inline(always)]
    unsafe fn gather(self, idx: __m512i, table: &[u32]) -> __m512i {
        // SAFETY: the caller keeps every index below table.len().
        unsafe { _mm512_i32gather_epi32::<4>(idx, table.as_ptr().cast()) }
    }
    #[inline(always)]
    unsafe fn load8(self, col: &[u8], i0: usize) -> __m512i {
        // SAFETY: the caller keeps i0 + LANES <= col.len().
        let col = unsafe { col.as_ptr().add(i0) };
        unsafe { _mm512_cvtepu8_epi32(_mm_loadu_si128(col.cast())) }
    }
    #[inline(always)]
    unsafe fn load16(self, col: &[u16], i0: usize) -> __m512i {
        // SAFETY: the caller keeps i0 + LANES <= col.len().
        let col = unsafe { col.as_ptr().add(i0) };
        unsafe { _mm512_cvtepu16_epi32(_mm256_loadu_si256(col.cast())) }
    }
    #[inline(always)]
    unsafe fn load32(self, col: &[u32], i0: usize) -> __m512i {
        // SAFETY: the caller keeps i0 + LANES <= col.len().
        let col = unsafe { col.as_ptr().add(i0) };
        unsafe { _mm512_loadu_si512(col.cast()) }
    }
    #[inline(always)]
    unsafe fn store8(
        self,
        col: &mut [u8],
        i0: usize,
        rare: __mmask16,
        new: __m512i,
        _old: __m512i,
    ) {
        // SAFETY: the caller keeps i0 + LANES <= col.len().
        let col = unsafe { col.as_mut_ptr().add(i0) };
        unsafe { _mm512_mask_cvtepi32_storeu_epi8(col.cast(), !rare, new) }
    }
    #[inline(always)]
    unsafe fn store32(
        self,
        col: &mut [u32],
        i0: usize,
        rare: __mmask16,
        new: __m512i,
        _old: __m512i,
    ) {
        // SAFETY: the caller keeps i0 + LANES <= col.len().
        let col = unsafe { col.as_mut_ptr().add(i0) };
        unsafe { _mm512_mask_storeu_epi32(col.cast(), !rare, new) }
    }
    #[inline(always)]
    fn draws(self, key: u64, i0: usize, slot: u64) -> (__m512i, __m512i) {
        unsafe {
            // agents i0 .. i0 + 8 and i0 + 8 .. i0 + 16, eight 64-bit lanes each
            let spread = _mm512_mullo_epi64(
                _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0),
                _mm512_set1_epi64(AGENT_STRIDE as i64),
            );
            let half = _mm512_set1_epi64(AGENT_STRIDE.wrapping_mul(8) as i64);
            let base = draw_state(key, i0, slot);
            let a = _mm512_add_epi64(_mm512_set1_epi64(base as i64), spread);
            (self.mix(a), self.mix(_mm512_add_epi64(a, half)))
        }
    }
    #[inline(always)]
    fn low(self, (a, b): (__m512i, __m512i)) -> __m512i {
        self.low32(a, b)
    }
    #[inline(always)]
    fn high(self, (a, b): (__m512i, __m512i)) -> __m512i {
        unsafe { self.low32(_mm512_srli_epi64::<32>(a), _mm512_srli_epi64::<32>(b)) }
    }
    #[inline(always)]
    fn churn_below(
        self,
        level: __m512i,
        propensity: __m512i,
        (a, b): (__m512i, __m512i),
        mult: &[f64; 16],
    ) -> __mmask16 {
        unsafe {
            let lo = _mm512_castsi512_si256;
            let hi = _mm512_extracti64x4_epi64::<1>;
            self.churn_half(lo(level), lo(propensity), self.high32(a), mult)
                | self.churn_half(hi(level), hi(propensity), self.high32(b), mult) << 8
        }
    }
}
