//! ψ = tanh(g·x) of every row of a solve, in f64, eight lanes at a time where the processor has
//! AVX-512, four where it has AVX2.
//!
//! Each state a solve evaluates takes a tanh per row off saturation, and libm's (a call, and
//! an `expm1` inside it, per value) was 15–19% of a large solve under `perf` (16384×64 and
//! 65536×16). Large solves use ours ([`tanh_all`]); smaller ones keep libm's ([`tanh_all_libm`]),
//! so that their answers stay bitwise what they were: a solve's search for a memory's saddle
//! near its start can end either way on a few ulp (on the built-in set's tour, one memory's
//! verdict at one frame in 191 did). Ours: for y = |g·x| ≤ 19.5, with z = 2y,
//! tanh y = expm1(z)/(expm1(z) + 2), where expm1(z) is its Taylor series below z = 1.25 and
//! 2^k·e^r − 1 above (z = k ln 2 + r, |r| ≤ ½ ln 2, e^r by its series); above 19.5 tanh rounds
//! to ±1. The same operations in the same order lane by lane and in the AVX-512 and AVX2 forms (no fused
//! multiply–add; the division and rounding are IEEE's), so every processor gives bitwise the
//! same ψ; within 3 ulp of libm's over [−20, 20] (the test allows 4), far inside the 1e-11 a
//! solve converges to.

// ln 2 in two parts (the energy's logarithm's): k·LN2_HI is exact for the k here (at most 57).
use crate::model::entropy::{LN2_HI, LN2_LO};

/// Beyond this |g·x|, tanh(g·x) rounds to ±1 in f64 (1 − tanh is below half an ulp of 1).
pub const SATURATED: f64 = 19.5;
/// Below this z = 2|g·x|, expm1(z) is summed as its series; above, as e^z − 1.
const SMALL: f64 = 1.25;
const LOG2_E: f64 = std::f64::consts::LOG2_E;
/// 1/k! for k = 1..=21: expm1 z = z (1/1! + z (1/2! + z (…))) for z < 1.25, where the first
/// term left out, z²²/22!, is below 2⁻⁶² of z.
const EXPM1: [f64; 21] = inverse_factorials();
/// 1/k! for k = 0..=13: e^r = 1/0! + r (1/1! + r (…)) for |r| ≤ ½ ln 2, where r¹⁴/14! < 2⁻⁵⁷.
const EXP: [f64; 14] = {
    let f = inverse_factorials();
    let mut c = [1.0; 14];
    let mut k = 1;
    while k < 14 {
        c[k] = f[k - 1];
        k += 1;
    }
    c
};

/// 1/k! for k = 1..=21, each the correctly rounded quotient of 1/(k−1)! by k's exact product
/// chain (k! is exact in f64 up to 22!).
const fn inverse_factorials() -> [f64; 21] {
    let mut c = [0.0; 21];
    let mut fact = 1.0;
    let mut k = 1;
    while k <= 21 {
        fact *= k as f64;
        c[k - 1] = 1.0 / fact;
        k += 1;
    }
    c
}

/// tanh v, as every kernel here computes it.
pub fn tanh(v: f64) -> f64 {
    let y = v.abs();
    if y > SATURATED {
        return 1.0f64.copysign(v);
    }
    let z = y + y;
    let e = if z < SMALL {
        let mut q = EXPM1[20];
        for &c in EXPM1[..20].iter().rev() {
            q = q * z + c;
        }
        q * z
    } else {
        let k = (z * LOG2_E).round_ties_even();
        let r = (z - k * LN2_HI) - k * LN2_LO;
        let mut q = EXP[13];
        for &c in EXP[..13].iter().rev() {
            q = q * r + c;
        }
        // 2^k · e^r, exactly (k ≤ 57).
        q * f64::from_bits(((k as i64 + 1023) as u64) << 52) - 1.0
    };
    (e / (e + 2.0)).copysign(v)
}

/// psi_u = tanh(gain · x_u) by libm's tanh, skipping the call where the result is ±1 in f64
/// (as most neurons are at gain 10): what the solves of smaller landscapes use.
pub fn tanh_all_libm(gain: f64, x: &[f64], psi: &mut [f64]) {
    for (p, &v) in psi.iter_mut().zip(x) {
        let v = gain * v;
        *p = if v.abs() > SATURATED {
            v.signum()
        } else {
            v.tanh()
        };
    }
}

/// psi_u = tanh(gain · x_u) for every u.
pub fn tanh_all(gain: f64, x: &[f64], psi: &mut [f64]) {
    assert_eq!(x.len(), psi.len());
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU has AVX-512F (checked above).
        unsafe { avx512::tanh_all(gain, x, psi) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked above).
        unsafe { avx2::tanh_all(gain, x, psi) };
        return;
    }
    for (p, &v) in psi.iter_mut().zip(x) {
        *p = tanh(gain * v);
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{EXP, EXPM1, LN2_HI, LN2_LO, LOG2_E, SATURATED, SMALL};
    use std::arch::x86_64::*;

    /// [`super::tanh`] of eight values, lane by lane the same operations. A branch that no
    /// lane takes is skipped (in a solve most rows are saturated: whole vectors of ±1).
    #[target_feature(enable = "avx512f")]
    fn tanh8(v: __m512d) -> __m512d {
        let sign = _mm512_set1_epi64(i64::MIN);
        let bits = _mm512_castpd_si512(v);
        let y = _mm512_castsi512_pd(_mm512_andnot_si512(sign, bits));
        let saturated = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(y, _mm512_set1_pd(SATURATED));
        let t = if saturated == 0xff {
            _mm512_set1_pd(1.0)
        } else {
            let z = _mm512_add_pd(y, y);
            let small = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(z, _mm512_set1_pd(SMALL));
            let e = if small == 0xff {
                expm1_series(z)
            } else if small == 0 {
                expm1_exp(z)
            } else {
                _mm512_mask_blend_pd(small, expm1_exp(z), expm1_series(z))
            };
            let t = _mm512_div_pd(e, _mm512_add_pd(e, _mm512_set1_pd(2.0)));
            _mm512_mask_blend_pd(saturated, t, _mm512_set1_pd(1.0))
        };
        // copysign(t, v): t ≥ 0 or NaN, whose sign bit is taken from v as libm's would be.
        _mm512_castsi512_pd(_mm512_or_si512(
            _mm512_andnot_si512(sign, _mm512_castpd_si512(t)),
            _mm512_and_si512(sign, bits),
        ))
    }

    /// expm1 z by its series (used where z < 1.25).
    #[target_feature(enable = "avx512f")]
    fn expm1_series(z: __m512d) -> __m512d {
        let mut q = _mm512_set1_pd(EXPM1[20]);
        for &c in EXPM1[..20].iter().rev() {
            q = _mm512_add_pd(_mm512_mul_pd(q, z), _mm512_set1_pd(c));
        }
        _mm512_mul_pd(q, z)
    }

    /// e^z − 1 as 2^k·e^r − 1 (used where z ≥ 1.25).
    #[target_feature(enable = "avx512f")]
    fn expm1_exp(z: __m512d) -> __m512d {
        let k = _mm512_roundscale_pd::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(
            _mm512_mul_pd(z, _mm512_set1_pd(LOG2_E)),
        );
        let r = _mm512_sub_pd(
            _mm512_sub_pd(z, _mm512_mul_pd(k, _mm512_set1_pd(LN2_HI))),
            _mm512_mul_pd(k, _mm512_set1_pd(LN2_LO)),
        );
        let mut q = _mm512_set1_pd(EXP[13]);
        for &c in EXP[..13].iter().rev() {
            q = _mm512_add_pd(_mm512_mul_pd(q, r), _mm512_set1_pd(c));
        }
        _mm512_sub_pd(_mm512_scalef_pd(q, k), _mm512_set1_pd(1.0))
    }

    #[target_feature(enable = "avx512f")]
    pub fn tanh_all(gain: f64, x: &[f64], psi: &mut [f64]) {
        let g = _mm512_set1_pd(gain);
        let n = x.len().min(psi.len());
        let mut i = 0;
        while i < n {
            let lanes = (n - i).min(8);
            let mask = ((1u16 << lanes) - 1) as u8;
            // SAFETY: entries i..i+lanes of `x` and `psi` exist (lanes ≤ n − i).
            unsafe {
                let v = _mm512_mul_pd(g, _mm512_maskz_loadu_pd(mask, x.as_ptr().add(i)));
                _mm512_mask_storeu_pd(psi.as_mut_ptr().add(i), mask, tanh8(v));
            }
            i += lanes;
        }
    }
}

/// [`avx512`]'s form with four lanes, for processors without AVX-512 (Zen 3 and most x86
/// processors before 2022): the same operations in the same order (no fused multiply–add),
/// 2^k made from k's bits; the values past the last multiple of four by [`super::tanh`].
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{EXP, EXPM1, LN2_HI, LN2_LO, LOG2_E, SATURATED, SMALL};
    use std::arch::x86_64::*;

    /// [`super::tanh`] of four values, lane by lane the same operations; a branch no lane
    /// takes is skipped.
    #[target_feature(enable = "avx2")]
    fn tanh4(v: __m256d) -> __m256d {
        let sign = _mm256_set1_pd(-0.0);
        let y = _mm256_andnot_pd(sign, v);
        let saturated = _mm256_cmp_pd::<_CMP_GT_OQ>(y, _mm256_set1_pd(SATURATED));
        let t = if _mm256_movemask_pd(saturated) == 0xf {
            _mm256_set1_pd(1.0)
        } else {
            let z = _mm256_add_pd(y, y);
            let small = _mm256_cmp_pd::<_CMP_LT_OQ>(z, _mm256_set1_pd(SMALL));
            let e = match _mm256_movemask_pd(small) {
                0xf => expm1_series(z),
                0 => expm1_exp(z),
                _ => _mm256_blendv_pd(expm1_exp(z), expm1_series(z), small),
            };
            let t = _mm256_div_pd(e, _mm256_add_pd(e, _mm256_set1_pd(2.0)));
            _mm256_blendv_pd(t, _mm256_set1_pd(1.0), saturated)
        };
        // copysign(t, v).
        _mm256_or_pd(_mm256_andnot_pd(sign, t), _mm256_and_pd(sign, v))
    }

    /// expm1 z by its series (used where z < 1.25).
    #[target_feature(enable = "avx2")]
    fn expm1_series(z: __m256d) -> __m256d {
        let mut q = _mm256_set1_pd(EXPM1[20]);
        for &c in EXPM1[..20].iter().rev() {
            q = _mm256_add_pd(_mm256_mul_pd(q, z), _mm256_set1_pd(c));
        }
        _mm256_mul_pd(q, z)
    }

    /// e^z − 1 as 2^k·e^r − 1 (used where z ≥ 1.25).
    #[target_feature(enable = "avx2")]
    fn expm1_exp(z: __m256d) -> __m256d {
        let k = _mm256_round_pd::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(
            _mm256_mul_pd(z, _mm256_set1_pd(LOG2_E)),
        );
        let r = _mm256_sub_pd(
            _mm256_sub_pd(z, _mm256_mul_pd(k, _mm256_set1_pd(LN2_HI))),
            _mm256_mul_pd(k, _mm256_set1_pd(LN2_LO)),
        );
        let mut q = _mm256_set1_pd(EXP[13]);
        for &c in EXP[..13].iter().rev() {
            q = _mm256_add_pd(_mm256_mul_pd(q, r), _mm256_set1_pd(c));
        }
        // 2^k from k's bits: k + 2^52 holds k + 1023 in its low bits once 1023 is added too
        // (0 ≤ k ≤ 57 here), and shifted into the exponent field that is 2^k, exactly.
        let biased = _mm256_add_pd(k, _mm256_set1_pd(4_503_599_627_371_519.0));
        let two_k = _mm256_castsi256_pd(_mm256_slli_epi64::<52>(_mm256_castpd_si256(biased)));
        _mm256_sub_pd(_mm256_mul_pd(q, two_k), _mm256_set1_pd(1.0))
    }

    #[target_feature(enable = "avx2")]
    pub fn tanh_all(gain: f64, x: &[f64], psi: &mut [f64]) {
        let g = _mm256_set1_pd(gain);
        let n = x.len().min(psi.len());
        let (x, psi) = (&x[..n], &mut psi[..n]);
        let mut quads = psi.chunks_exact_mut(4);
        for (p, x) in (&mut quads).zip(x.chunks_exact(4)) {
            // SAFETY: `x` and `p` hold four f64 each.
            unsafe {
                let v = _mm256_mul_pd(g, _mm256_loadu_pd(x.as_ptr()));
                _mm256_storeu_pd(p.as_mut_ptr(), tanh4(v));
            }
        }
        let rest = n / 4 * 4;
        for (p, &v) in quads.into_remainder().iter_mut().zip(&x[rest..]) {
            *p = super::tanh(gain * v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    /// Values across every branch: tiny, around the series' edge, across the saturation, both
    /// signs, zeros, infinities and NaN, and a fine sweep of [0, 20].
    fn values() -> Vec<f64> {
        let mut v: Vec<f64> = (0..200_001).map(|i| i as f64 * 1e-4).collect();
        v.extend([
            0.0,
            1e-300,
            1e-20,
            1e-8,
            0.625,
            0.625f64.next_down(),
            0.625f64.next_up(),
            9.75,
            SATURATED,
            SATURATED.next_up(),
            30.0,
            1e300,
            f64::INFINITY,
            f64::NAN,
        ]);
        let negative: Vec<f64> = v.iter().map(|x| -x).collect();
        v.extend(negative);
        v
    }

    #[test]
    fn tanh_is_within_a_few_ulp_of_libm() {
        let mut worst = (0, 0.0);
        for x in values() {
            let (ours, libm) = (tanh(x), x.tanh());
            if libm.is_nan() {
                assert!(ours.is_nan(), "tanh({x}) = {ours}");
                continue;
            }
            assert_eq!(
                ours.is_sign_negative(),
                libm.is_sign_negative(),
                "tanh({x})"
            );
            let u = ulps(ours, libm);
            if u > worst.0 {
                worst = (u, x);
            }
        }
        assert!(worst.0 <= 4, "{} ulp at {}", worst.0, worst.1);
    }

    #[test]
    fn every_kernel_gives_bitwise_the_same_tanh() {
        #[cfg(target_arch = "x86_64")]
        if !std::arch::is_x86_feature_detected!("avx512f") {
            eprintln!("no AVX-512 here: the AVX2 form (where there is AVX2) and the lane form");
        }
        let x = values();
        for gain in [1.0, 10.0, 0.37] {
            // Lengths that end mid-block of eight.
            for len in [x.len(), x.len() - 3, 5] {
                let mut psi = vec![f64::NAN; len];
                tanh_all(gain, &x[..len], &mut psi);
                let mut forms = vec![("picked", psi.clone())];
                // The AVX2 form too where this processor has it, though it may pick AVX-512's.
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx2") {
                    let mut psi = vec![f64::NAN; len];
                    // SAFETY: the CPU has AVX2 (checked above).
                    unsafe { avx2::tanh_all(gain, &x[..len], &mut psi) };
                    forms.push(("AVX2", psi));
                }
                for (form, psi) in &forms {
                    for (&v, &p) in x.iter().zip(psi) {
                        let want = tanh(gain * v);
                        assert!(
                            p.to_bits() == want.to_bits(),
                            "{form}: tanh({gain} × {v}): {p} against {want}"
                        );
                    }
                }
            }
        }
    }
}
