//! The energy's entropy term Σ_i F(ψ_i), F(v) = ∫₀ᵛ artanh(s) ds, over a state's activations,
//! fast enough to take every frame.
//!
//! The dashboard's charts take each model's energy every frame, and at a large set that was
//! the simulator's largest cost after the step: at N = 16384 and 65536, 10–14% of its thread
//! under `perf` (`cargo bench --bench step -- energy`: 0.81 ms at N = 65536 on a noisy state),
//! nearly all of it two libm logarithms a neuron off saturation and a sum whose additions wait
//! on each other. No maintained crate gives a logarithm in f64 picked at run time for AVX-512
//! (`wide`'s is chosen at compile time: for this build SSE2, and measured no faster than libm
//! here), so, as for the noise and tanh, ours is written out: [`ln`] below, eight lanes at a
//! time where the processor has AVX-512 (in two registers of four where it has AVX2 and not
//! AVX-512), lane by lane otherwise, the same operations in the same order in all (no fused
//! multiply–add), so the sums are bitwise the same on every processor.
//! It is within a few ulp of libm's (tested), and the sum within about 1e-13 of libm's one
//! running sum: every output of `recall run` tried before and after this module (energies to
//! three decimals among them) was byte-identical, though a value on a rounding boundary could
//! print one unit apart.

/// ln 2 in two parts: the high one's last 21 bits are zero, so e·LN2_HI is exact for the
/// exponents here (fdlibm's split).
pub(crate) const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
pub(crate) const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const SQRT_2: f64 = std::f64::consts::SQRT_2;
const MANTISSA: u64 = (1 << 52) - 1;
const ONE_BITS: u64 = 0x3ff0_0000_0000_0000;
/// 2^52 as bits: OR-ing a biased exponent e (< 2^52) into its mantissa makes 2^52 + e exactly.
const TWO_52_BITS: u64 = 0x4330_0000_0000_0000;
const TWO_52: f64 = 4_503_599_627_370_496.0;
/// 1/(2k + 1) for k = 1..=11: ln m = 2 atanh s = 2s (1 + s²/3 + s⁴/5 + …), s = (m − 1)/(m + 1).
/// With m in [√½, √2), |s| ≤ 0.1716 and s² ≤ 0.0295: the first term left out (s²⁴/25) is below
/// 2⁻⁶⁵ of the first.
const SERIES: [f64; 11] = [
    1.0 / 3.0,
    1.0 / 5.0,
    1.0 / 7.0,
    1.0 / 9.0,
    1.0 / 11.0,
    1.0 / 13.0,
    1.0 / 15.0,
    1.0 / 17.0,
    1.0 / 19.0,
    1.0 / 21.0,
    1.0 / 23.0,
];

/// ln t for a positive, normal, finite t (here 1 ± |ψ|, in [2⁻²⁴, 2]): t = 2^e·m with m in
/// [√½, √2), ln t = e·ln 2 + 2 atanh((m − 1)/(m + 1)). Anything else gives a wrong number, not
/// a panic (0 in particular: see [`xlogx`]).
fn ln(t: f64) -> f64 {
    let bits = t.to_bits();
    let biased = (bits >> 52) & 0x7ff;
    let mut e = f64::from_bits(TWO_52_BITS | biased) - (TWO_52 + 1023.0);
    let mut m = f64::from_bits((bits & MANTISSA) | ONE_BITS);
    if m > SQRT_2 {
        m *= 0.5;
        e += 1.0;
    }
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    let mut q = SERIES[10];
    for &c in SERIES[..10].iter().rev() {
        q = q * z + c;
    }
    let two_s = s + s;
    let ln_m = two_s + two_s * (z * q);
    e * LN2_HI + (e * LN2_LO + ln_m)
}

/// t·ln t, 0 at t ≤ 0 (F's limit at |v| = 1); NaN stays NaN.
fn xlogx(t: f64) -> f64 {
    if t <= 0.0 { 0.0 } else { t * ln(t) }
}

/// F(|v|) for v = ±|ψ|: ½[(1+a)ln(1+a) + (1−a)ln(1−a)], a = min(|v|, 1) (NaN stays NaN). F is
/// even, so the sign is dropped first.
fn entropy_of_abs(a: f32) -> f64 {
    let a = f64::from(a);
    let a = if 1.0 < a { 1.0 } else { a };
    0.5 * (xlogx(1.0 + a) + xlogx(1.0 - a))
}

/// Σ_i F(ψ_i) in f64: eight running sums (value i into sum i mod 8, added pairwise at the end:
/// one running sum over a large N costs N additions' latency), F by [`ln`], with AVX-512 or
/// AVX2 when the processor has it (bitwise the same sum). Saturated neurons share one |ψ| (the
/// clamp of `fast_tanh`), and a run of them reuses the last F.
pub fn entropy_term(psi: &[f32]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx2")
        {
            // SAFETY: the processor has AVX-512F and AVX2 (checked just above).
            return unsafe { avx512::entropy_term(psi) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2 (checked just above).
            return unsafe { avx2::entropy_term(psi) };
        }
    }
    entropy_term_portable(psi)
}

/// [`entropy_term`] lane by lane.
pub fn entropy_term_portable(psi: &[f32]) -> f64 {
    let mut acc = [0.0f64; 8];
    let mut last = (f32::NAN, 0.0f64);
    for (i, &v) in psi.iter().enumerate() {
        let a = v.abs();
        if a != last.0 {
            last = (a, entropy_of_abs(a));
        }
        acc[i % 8] += last.1;
    }
    pairwise(&acc)
}

/// The eight running sums added pairwise, as both forms do.
fn pairwise(acc: &[f64; 8]) -> f64 {
    ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
}

/// Σ v² in f64, in the same eight running sums.
pub fn sum_of_squares(values: &[f32]) -> f64 {
    let mut acc = [0.0f64; 8];
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        for (a, &v) in acc.iter_mut().zip(chunk) {
            *a += f64::from(v) * f64::from(v);
        }
    }
    for (a, &v) in acc.iter_mut().zip(chunks.remainder()) {
        *a += f64::from(v) * f64::from(v);
    }
    pairwise(&acc)
}

/// Σ_i F(ψ_i) as [`entropy_term_portable`] adds it, eight values at a time by a SIMD form:
/// `f` gives F of eight |ψ| in an accumulator's lanes, `add` adds two accumulators lane by
/// lane and `lanes` reads one out. A block of eight that all repeat the last uniform block's
/// |ψ| reuses its F; the last 0 to 7 values go into lanes 0 to 6 lane by lane (F is the same
/// whichever form computes it). Inlined into each form's function, whose features it uses.
///
/// # Safety
/// The processor has AVX2 and whatever `f`, `add` and `lanes` need.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn blocks_of_eight<A: Copy>(
    psi: &[f32],
    zero: A,
    f: impl Fn(std::arch::x86_64::__m256) -> A,
    add: impl Fn(A, A) -> A,
    lanes: impl Fn(A) -> [f64; 8],
) -> f64 {
    use std::arch::x86_64::*;
    // SAFETY (the whole body): the caller's; the loads read the 8 f32 of a chunk.
    unsafe {
        let sign = _mm256_set1_ps(-0.0);
        let mut acc = zero;
        let mut last: Option<(__m256, A)> = None;
        let mut chunks = psi.chunks_exact(8);
        for chunk in &mut chunks {
            let a = _mm256_andnot_ps(sign, _mm256_loadu_ps(chunk.as_ptr()));
            let same = |l: __m256| _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_EQ_OQ>(a, l)) == 0xff;
            let fa = match last {
                Some((l, fl)) if same(l) => fl,
                _ => {
                    let fa = f(a);
                    if same(_mm256_permutevar8x32_ps(a, _mm256_setzero_si256())) {
                        last = Some((a, fa));
                    }
                    fa
                }
            };
            acc = add(acc, fa);
        }
        let mut lanes = lanes(acc);
        for (lane, &v) in lanes.iter_mut().zip(chunks.remainder()) {
            *lane += entropy_of_abs(v.abs());
        }
        pairwise(&lanes)
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{LN2_HI, LN2_LO, MANTISSA, ONE_BITS, SERIES, SQRT_2, TWO_52, TWO_52_BITS};

    /// [`super::ln`], lane by lane (the same operations in the same order).
    #[target_feature(enable = "avx512f,avx2")]
    fn ln(t: __m512d) -> __m512d {
        let bits = _mm512_castpd_si512(t);
        let biased = _mm512_and_si512(_mm512_srli_epi64::<52>(bits), _mm512_set1_epi64(0x7ff));
        let e = _mm512_sub_pd(
            _mm512_castsi512_pd(_mm512_or_si512(
                biased,
                _mm512_set1_epi64(TWO_52_BITS as i64),
            )),
            _mm512_set1_pd(TWO_52 + 1023.0),
        );
        let m = _mm512_castsi512_pd(_mm512_or_si512(
            _mm512_and_si512(bits, _mm512_set1_epi64(MANTISSA as i64)),
            _mm512_set1_epi64(ONE_BITS as i64),
        ));
        let high = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(m, _mm512_set1_pd(SQRT_2));
        let m = _mm512_mask_mul_pd(m, high, m, _mm512_set1_pd(0.5));
        let e = _mm512_mask_add_pd(e, high, e, _mm512_set1_pd(1.0));
        let one = _mm512_set1_pd(1.0);
        let s = _mm512_div_pd(_mm512_sub_pd(m, one), _mm512_add_pd(m, one));
        let z = _mm512_mul_pd(s, s);
        let mut q = _mm512_set1_pd(SERIES[10]);
        for &c in SERIES[..10].iter().rev() {
            q = _mm512_add_pd(_mm512_mul_pd(q, z), _mm512_set1_pd(c));
        }
        let two_s = _mm512_add_pd(s, s);
        let ln_m = _mm512_add_pd(two_s, _mm512_mul_pd(two_s, _mm512_mul_pd(z, q)));
        _mm512_add_pd(
            _mm512_mul_pd(e, _mm512_set1_pd(LN2_HI)),
            _mm512_add_pd(_mm512_mul_pd(e, _mm512_set1_pd(LN2_LO)), ln_m),
        )
    }

    /// [`super::xlogx`], lane by lane.
    #[target_feature(enable = "avx512f,avx2")]
    fn xlogx(t: __m512d) -> __m512d {
        let positive = _mm512_cmp_pd_mask::<_CMP_NLE_UQ>(t, _mm512_setzero_pd());
        _mm512_maskz_mul_pd(positive, t, ln(t))
    }

    /// [`super::entropy_of_abs`] of eight |ψ|, lane by lane.
    #[target_feature(enable = "avx512f,avx2")]
    fn entropy(a: __m512d) -> __m512d {
        let one = _mm512_set1_pd(1.0);
        // min(1, a) returns a when a is NaN, as `if 1 < a { 1 } else { a }` does.
        let a = _mm512_min_pd(one, a);
        _mm512_mul_pd(
            _mm512_set1_pd(0.5),
            _mm512_add_pd(xlogx(_mm512_add_pd(one, a)), xlogx(_mm512_sub_pd(one, a))),
        )
    }

    /// F of eight values one by one (for the tests: each lane against [`super::entropy_of_abs`]).
    #[cfg(test)]
    #[target_feature(enable = "avx512f,avx2")]
    pub(super) fn entropies(v: &[f32; 8]) -> [f64; 8] {
        let mut out = [0.0f64; 8];
        // SAFETY: eight f32 in, eight f64 out.
        unsafe {
            let a = _mm256_andnot_ps(_mm256_set1_ps(-0.0), _mm256_loadu_ps(v.as_ptr()));
            _mm512_storeu_pd(out.as_mut_ptr(), entropy(_mm512_cvtps_pd(a)));
        }
        out
    }

    /// [`super::entropy_term_portable`], eight values at a time ([`super::blocks_of_eight`]).
    #[target_feature(enable = "avx512f,avx2")]
    pub(super) fn entropy_term(psi: &[f32]) -> f64 {
        let lanes = |acc: __m512d| {
            let mut lanes = [0.0f64; 8];
            // SAFETY: eight f64 into an array of eight.
            unsafe { _mm512_storeu_pd(lanes.as_mut_ptr(), acc) };
            lanes
        };
        let f = |a: __m256| entropy(_mm512_cvtps_pd(a));
        // SAFETY: the processor has AVX-512F and AVX2 (this function's features).
        unsafe {
            super::blocks_of_eight(
                psi,
                _mm512_setzero_pd(),
                f,
                |a, b| _mm512_add_pd(a, b),
                lanes,
            )
        }
    }
}

/// The AVX-512 form's operations in two registers of four f64 (processors with AVX2 and not
/// AVX-512, Zen 3 among them, where the portable loop made the chart's energy a seventh of the
/// dashboard's simulator at N = 65536): the same operations in the same order, no fused
/// multiply–add, so bitwise the same F and the same sum.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{LN2_HI, LN2_LO, MANTISSA, ONE_BITS, SERIES, SQRT_2, TWO_52, TWO_52_BITS};

    /// [`super::ln`], lane by lane (the same operations in the same order).
    #[target_feature(enable = "avx2")]
    fn ln(t: __m256d) -> __m256d {
        let bits = _mm256_castpd_si256(t);
        let biased = _mm256_and_si256(_mm256_srli_epi64::<52>(bits), _mm256_set1_epi64x(0x7ff));
        let e = _mm256_sub_pd(
            _mm256_castsi256_pd(_mm256_or_si256(
                biased,
                _mm256_set1_epi64x(TWO_52_BITS as i64),
            )),
            _mm256_set1_pd(TWO_52 + 1023.0),
        );
        let m = _mm256_castsi256_pd(_mm256_or_si256(
            _mm256_and_si256(bits, _mm256_set1_epi64x(MANTISSA as i64)),
            _mm256_set1_epi64x(ONE_BITS as i64),
        ));
        let high = _mm256_cmp_pd::<_CMP_GT_OQ>(m, _mm256_set1_pd(SQRT_2));
        let m = _mm256_blendv_pd(m, _mm256_mul_pd(m, _mm256_set1_pd(0.5)), high);
        let e = _mm256_blendv_pd(e, _mm256_add_pd(e, _mm256_set1_pd(1.0)), high);
        let one = _mm256_set1_pd(1.0);
        let s = _mm256_div_pd(_mm256_sub_pd(m, one), _mm256_add_pd(m, one));
        let z = _mm256_mul_pd(s, s);
        let mut q = _mm256_set1_pd(SERIES[10]);
        for &c in SERIES[..10].iter().rev() {
            q = _mm256_add_pd(_mm256_mul_pd(q, z), _mm256_set1_pd(c));
        }
        let two_s = _mm256_add_pd(s, s);
        let ln_m = _mm256_add_pd(two_s, _mm256_mul_pd(two_s, _mm256_mul_pd(z, q)));
        _mm256_add_pd(
            _mm256_mul_pd(e, _mm256_set1_pd(LN2_HI)),
            _mm256_add_pd(_mm256_mul_pd(e, _mm256_set1_pd(LN2_LO)), ln_m),
        )
    }

    /// [`super::xlogx`], lane by lane: +0 where t ≤ 0 (not where t is NaN).
    #[target_feature(enable = "avx2")]
    fn xlogx(t: __m256d) -> __m256d {
        let positive = _mm256_cmp_pd::<_CMP_NLE_UQ>(t, _mm256_setzero_pd());
        _mm256_and_pd(positive, _mm256_mul_pd(t, ln(t)))
    }

    /// [`super::entropy_of_abs`] of four |ψ|, lane by lane.
    #[target_feature(enable = "avx2")]
    fn entropy(a: __m256d) -> __m256d {
        let one = _mm256_set1_pd(1.0);
        // min(1, a) returns a when a is NaN, as `if 1 < a { 1 } else { a }` does.
        let a = _mm256_min_pd(one, a);
        _mm256_mul_pd(
            _mm256_set1_pd(0.5),
            _mm256_add_pd(xlogx(_mm256_add_pd(one, a)), xlogx(_mm256_sub_pd(one, a))),
        )
    }

    /// F of eight |ψ| (f32) as lanes 0–3 and 4–7.
    #[target_feature(enable = "avx2")]
    fn entropies8(a: __m256) -> [__m256d; 2] {
        [
            entropy(_mm256_cvtps_pd(_mm256_castps256_ps128(a))),
            entropy(_mm256_cvtps_pd(_mm256_extractf128_ps::<1>(a))),
        ]
    }

    /// F of eight values one by one (for the tests: each lane against [`super::entropy_of_abs`]).
    #[cfg(test)]
    #[target_feature(enable = "avx2")]
    pub(super) fn entropies(v: &[f32; 8]) -> [f64; 8] {
        let mut out = [0.0f64; 8];
        // SAFETY: eight f32 in, eight f64 out, four at a time.
        unsafe {
            let a = _mm256_andnot_ps(_mm256_set1_ps(-0.0), _mm256_loadu_ps(v.as_ptr()));
            let [lo, hi] = entropies8(a);
            _mm256_storeu_pd(out.as_mut_ptr(), lo);
            _mm256_storeu_pd(out.as_mut_ptr().add(4), hi);
        }
        out
    }

    /// [`super::entropy_term_portable`], eight values at a time ([`super::blocks_of_eight`]).
    #[target_feature(enable = "avx2")]
    pub(super) fn entropy_term(psi: &[f32]) -> f64 {
        let lanes = |acc: [__m256d; 2]| {
            let mut lanes = [0.0f64; 8];
            // SAFETY: eight f64 into an array of eight, four at a time.
            unsafe {
                _mm256_storeu_pd(lanes.as_mut_ptr(), acc[0]);
                _mm256_storeu_pd(lanes.as_mut_ptr().add(4), acc[1]);
            }
            lanes
        };
        let add = |a: [__m256d; 2], b: [__m256d; 2]| {
            [_mm256_add_pd(a[0], b[0]), _mm256_add_pd(a[1], b[1])]
        };
        // SAFETY: the processor has AVX2 (this function's feature).
        unsafe {
            super::blocks_of_eight(psi, [_mm256_setzero_pd(); 2], |a| entropies8(a), add, lanes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kernels::{entropy_of, fast_tanh};

    /// Values as a state has them: saturated of both signs in runs, values in between, ±0, ±1,
    /// tiny ones.
    fn states() -> Vec<f32> {
        (0..3001)
            .map(|i| match i % 13 {
                0..=3 => fast_tanh(10.0),
                4..=6 => -fast_tanh(10.0),
                7 => ((i as f32) * 0.37).sin(),
                8 => [0.0, -0.0, 1.0, -1.0][(i / 13) % 4],
                9 => 1e-30 * (i as f32),
                _ => fast_tanh(((i as f32) * 0.011).cos() * 3.0),
            })
            .collect()
    }

    #[test]
    fn ln_is_libms_to_a_few_ulp_where_it_is_used() {
        // t = 1 ± a for every f32 a in [0, 1] would be 2^30 values: a spread of them, and the
        // ends (t from 2^-24 to 2).
        let mut worst = 0.0f64;
        let mut check = |t: f64| {
            let (mine, libm) = (ln(t), t.ln());
            let ulp = if libm == 0.0 {
                (mine - libm).abs() / f64::EPSILON
            } else {
                (mine - libm).abs() / (libm.abs() * f64::EPSILON)
            };
            worst = worst.max(ulp);
        };
        for k in 0..=200_000u32 {
            let a = f64::from(k) / 200_000.0;
            check(1.0 + a);
            check(1.0 - a + f64::from(f32::EPSILON) / 2.0);
        }
        for e in 0..=24 {
            let t = 2f64.powi(-e);
            check(t);
            check(t * 1.000_001);
            check(t * 0.999_999);
        }
        assert!(worst <= 4.0, "worst {worst} ulp");
    }

    #[test]
    fn the_entropy_term_is_the_same_sum_with_simd_and_lane_by_lane() {
        has_avx512();
        let psi = states();
        // Whole blocks of eight and not (a remainder of 1 to 7), and none.
        for len in [3001, 3000, 2997, 8, 5, 0] {
            let psi = &psi[..len];
            let portable = entropy_term_portable(psi);
            assert_eq!(entropy_term(psi).to_bits(), portable.to_bits(), "{len}");
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the processor has AVX2 (checked just above).
                let avx2 = unsafe { avx2::entropy_term(psi) };
                assert_eq!(avx2.to_bits(), portable.to_bits(), "AVX2, {len}");
            }
            // The eight running sums, value i into sum i mod 8.
            let lane = |l: usize| {
                psi.iter()
                    .skip(l)
                    .step_by(8)
                    .fold(0.0, |sum, &v| sum + entropy_of_abs(v.abs()))
            };
            let lanes: [f64; 8] = std::array::from_fn(lane);
            assert_eq!(portable.to_bits(), pairwise(&lanes).to_bits(), "{len}");
        }
        let mut psi = psi;
        psi[17] = f32::NAN;
        assert!(entropy_term(&psi).is_nan());
        assert!(entropy_term_portable(&psi).is_nan());
    }

    /// Whether this processor runs the AVX-512 form (the comparisons below are empty if not).
    fn has_avx512() -> bool {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx2")
        {
            return true;
        }
        eprintln!("no AVX-512 here: the AVX-512 form is not compared");
        false
    }

    #[test]
    fn runs_of_saturated_values_reuse_f_and_give_the_same_sum() {
        // Blocks of eight all equal (the AVX-512 form reuses their F), one that differs in one
        // lane, the cached value again after it, and blocks of NaN and of ±0.
        let sat = fast_tanh(10.0);
        let mut psi: Vec<f32> = Vec::new();
        psi.extend((0..40).map(|i| if i % 3 == 0 { -sat } else { sat }));
        psi.extend([sat; 7]);
        psi.push(0.25);
        psi.extend([sat; 16]);
        psi.extend([0.5; 8]);
        psi.extend([sat; 8]);
        psi.extend([0.0, -0.0, 0.0, -0.0, -0.0, 0.0, 0.0, 0.0]);
        psi.extend([0.5; 8]);
        let want = psi
            .iter()
            .enumerate()
            .fold([0.0f64; 8], |mut acc, (i, &v)| {
                acc[i % 8] += entropy_of_abs(v.abs());
                acc
            });
        assert_eq!(entropy_term(&psi).to_bits(), pairwise(&want).to_bits());
        assert_eq!(
            entropy_term_portable(&psi).to_bits(),
            pairwise(&want).to_bits()
        );
        #[cfg(target_arch = "x86_64")]
        if has_avx512() {
            // SAFETY: the processor has AVX-512F and AVX2 (checked).
            let got = unsafe { avx512::entropy_term(&psi) };
            assert_eq!(got.to_bits(), pairwise(&want).to_bits());
        }
        let mut nan = psi.clone();
        nan.extend([f32::NAN; 8]);
        nan.extend([sat; 8]);
        assert!(entropy_term(&nan).is_nan());
    }

    #[test]
    fn each_value_has_the_same_f_with_avx512_and_lane_by_lane() {
        #[cfg(target_arch = "x86_64")]
        if has_avx512() {
            // SAFETY: the processor has AVX-512F and AVX2 (checked above).
            each_value_has_the_same_f(|v| unsafe { avx512::entropies(v) });
        }
    }

    #[test]
    fn each_value_has_the_same_f_with_avx2_and_lane_by_lane() {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2 (checked just above).
            each_value_has_the_same_f(|v| unsafe { avx2::entropies(v) });
        }
    }

    /// Eight values at a time through `entropies`, each lane against [`entropy_of_abs`].
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    fn each_value_has_the_same_f(entropies: impl Fn(&[f32; 8]) -> [f64; 8]) {
        // Every 389th f32 in [0, 1] (the sign is dropped first: a few negative ones), and
        // the states' values.
        let mut values: Vec<f32> = (0..=1_065_353_216u32)
            .step_by(389)
            .map(f32::from_bits)
            .collect();
        let negative: Vec<f32> = values[..1000].iter().map(|v| -v).collect();
        values.extend(negative);
        values.extend(states());
        values.extend([f32::NAN, f32::INFINITY, 2.0, f32::MIN_POSITIVE, 1e-45]);
        for block in values.chunks(8) {
            let mut v = [0.5f32; 8];
            v[..block.len()].copy_from_slice(block);
            let got = entropies(&v);
            for (k, &x) in v.iter().enumerate() {
                let want = entropy_of_abs(x.abs());
                assert!(
                    got[k].to_bits() == want.to_bits() || (got[k].is_nan() && want.is_nan()),
                    "{x}: {} vs {want}",
                    got[k]
                );
            }
        }
    }

    #[test]
    fn the_entropy_term_is_libms_sum_to_rounding() {
        let psi = states();
        let libm: f64 = psi.iter().map(|&v| entropy_of(f64::from(v))).sum();
        let mine = entropy_term(&psi);
        assert!(
            (mine - libm).abs() <= 1e-13 * libm.abs(),
            "{mine} vs {libm}"
        );
        for &v in &psi {
            let (a, b) = (entropy_of_abs(v.abs()), entropy_of(f64::from(v)));
            // Both lose F's small values to the cancellation of its two terms (each near 1):
            // the difference is a few ulp of 1.
            assert!((a - b).abs() <= 8.0 * f64::EPSILON, "{v}: {a} vs {b}");
        }
        // F(±1) = ln 2, F(0) = 0.
        assert!((entropy_term(&[1.0, -1.0]) - 2.0 * std::f64::consts::LN_2).abs() < 1e-15);
        assert_eq!(entropy_term(&[0.0, -0.0]), 0.0);
    }

    #[test]
    fn the_sum_of_squares_is_the_sum_in_f64() {
        let v = states();
        let one = v.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>();
        assert!((sum_of_squares(&v) - one).abs() <= 1e-13 * one);
        assert_eq!(sum_of_squares(&[]), 0.0);
        assert_eq!(sum_of_squares(&[3.0]), 9.0);
    }
}
