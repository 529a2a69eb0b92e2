//! Vector kernels: a fast `tanh`, a dot product and axpy, written so that the compiler
//! vectorises them (fixed-width chunks, independent accumulators), and F of the energy's
//! entropy term for one value (a state's sum is [`super::entropy`]). The step itself is in
//! [`super::sweep`].

// Index loops over fixed lane counts are the shape LLVM turns into SIMD; iterator chains over
// several slices at once vectorise less reliably.
#![allow(clippy::needless_range_loop)]

/// Lanes of the hand-chunked loops (here and in the sweep); 8 × f32 fills one AVX register, two
/// SSE registers.
pub const LANES: usize = 8;

/// `tanh` for f32 by a rational (13/6) minimax approximation, the one used by Eigen and XLA.
///
/// Absolute error below 2e-7 on the whole real line (checked against `f64::tanh` in the tests);
/// unlike `f32::tanh` it vectorises, which matters because it runs N times per step. Horner's
/// steps are fused multiply–adds (`mul_add`, as Eigen evaluates it), bitwise what the sweep's
/// SIMD kernels compute (`sweep.rs`); on an x86 processor without FMA `mul_add` is a library
/// call, slow but the same numbers.
#[inline(always)]
pub fn fast_tanh(x: f32) -> f32 {
    let x = x.clamp(-CLAMP, CLAMP);
    let x2 = x * x;
    let mut p = x2.mul_add(A[6], A[5]);
    for c in [A[4], A[3], A[2], A[1], A[0]] {
        p = x2.mul_add(p, c);
    }
    let p = x * p;
    let q = x2.mul_add(B[3], B[2]);
    let q = x2.mul_add(q, B[1]);
    let q = x2.mul_add(q, B[0]);
    p / q
}

/// Beyond ±7.905 the approximation of [`fast_tanh`] is no longer monotone; tanh is 1 to f32
/// precision there.
pub const CLAMP: f32 = 7.905_311;
/// The odd numerator of [`fast_tanh`]: x · Σ A_k x^{2k}.
pub const A: [f32; 7] = [
    4.893_524_6e-3,
    6.372_619_3e-4,
    1.485_722_4e-5,
    5.122_297e-8,
    -8.604_672e-11,
    2.000_188e-13,
    -2.760_768_5e-16,
];
/// The even denominator of [`fast_tanh`]: Σ B_k x^{2k}.
pub const B: [f32; 4] = [4.893_525e-3, 2.268_434_6e-3, 1.185_347_1e-4, 1.198_258_4e-6];

/// Dot product `a · b` over equal-length slices.
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f32; LANES];
    let chunks = a.len() / LANES;
    for c in 0..chunks {
        let (ca, cb) = (
            &a[c * LANES..c * LANES + LANES],
            &b[c * LANES..c * LANES + LANES],
        );
        for l in 0..LANES {
            acc[l] += ca[l] * cb[l];
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for i in chunks * LANES..a.len() {
        sum += a[i] * b[i];
    }
    sum
}

/// `out[μ] = dot(column μ, v)` for the P columns of `cols` (column-major, `v.len()` rows),
/// each summed exactly as [`dot`] sums it (bitwise the same numbers), four columns at a time so
/// that each read of `v` feeds four independent chains, and with AVX2 registers when the
/// processor has them (a frame's saliencies Ξᵀu are this product: done column by column it was
/// a fifth of `recall run` at N = 4096, P = 64).
pub fn dot_columns(cols: &[f32], v: &[f32], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (checked just above).
        unsafe { dot_columns_avx2(cols, v, out) };
        return;
    }
    dot_columns_portable(cols, v, out);
}

/// [`dot_columns_portable`] with the four chains of a block in four AVX registers (written out:
/// LLVM transposed the portable form's lanes instead). Each lane adds its product to its
/// accumulator as [`dot`] does, a multiply then an add (no fused multiply–add), so the sums are
/// bitwise the same.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dot_columns_avx2(cols: &[f32], v: &[f32], out: &mut [f32]) {
    use std::arch::x86_64::{
        __m256, _mm256_add_ps, _mm256_loadu_ps, _mm256_mul_ps, _mm256_setzero_ps, _mm256_storeu_ps,
    };
    let n = v.len();
    debug_assert_eq!(cols.len(), n * out.len());
    let chunks = n / LANES;
    let blocks = out.len() / 4;
    for blk in 0..blocks {
        let mu = blk * 4;
        let col = |k: usize| &cols[(mu + k) * n..(mu + k + 1) * n];
        let a = [col(0), col(1), col(2), col(3)];
        let mut acc: [__m256; 4] = [_mm256_setzero_ps(); 4];
        for c in 0..chunks {
            let at = c * LANES;
            // SAFETY: `at + LANES <= n` = each slice's length, so every 8-lane load is in bounds.
            unsafe {
                let b = _mm256_loadu_ps(v.as_ptr().add(at));
                for k in 0..4 {
                    let x = _mm256_loadu_ps(a[k].as_ptr().add(at));
                    acc[k] = _mm256_add_ps(acc[k], _mm256_mul_ps(x, b));
                }
            }
        }
        for k in 0..4 {
            let mut lanes = [0.0f32; LANES];
            // SAFETY: `lanes` holds exactly 8 f32.
            unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), acc[k]) };
            let mut sum: f32 = lanes.iter().sum();
            for i in chunks * LANES..n {
                sum += a[k][i] * v[i];
            }
            out[mu + k] = sum;
        }
    }
    for mu in blocks * 4..out.len() {
        out[mu] = dot(&cols[mu * n..(mu + 1) * n], v);
    }
}

#[inline(always)]
fn dot_columns_portable(cols: &[f32], v: &[f32], out: &mut [f32]) {
    let n = v.len();
    debug_assert_eq!(cols.len(), n * out.len());
    let mut blocks = out.chunks_exact_mut(4);
    let mut mu = 0;
    for block in &mut blocks {
        let c = |k: usize| &cols[(mu + k) * n..(mu + k + 1) * n];
        block.copy_from_slice(&dot4([c(0), c(1), c(2), c(3)], v));
        mu += 4;
    }
    for o in blocks.into_remainder() {
        *o = dot(&cols[mu * n..(mu + 1) * n], v);
        mu += 1;
    }
}

/// Four [`dot`]s against one `b`, each with its own accumulators in [`dot`]'s order.
#[inline(always)]
fn dot4(a: [&[f32]; 4], b: &[f32]) -> [f32; 4] {
    let mut acc = [[0.0f32; LANES]; 4];
    let chunks = b.len() / LANES;
    for c in 0..chunks {
        let cb = &b[c * LANES..c * LANES + LANES];
        for k in 0..4 {
            let ca = &a[k][c * LANES..c * LANES + LANES];
            for l in 0..LANES {
                acc[k][l] += ca[l] * cb[l];
            }
        }
    }
    let mut sums = [0.0f32; 4];
    for k in 0..4 {
        let mut sum: f32 = acc[k].iter().sum();
        for i in chunks * LANES..b.len() {
            sum += a[k][i] * b[i];
        }
        sums[k] = sum;
    }
    sums
}

/// `y += k · x` over equal-length slices.
#[inline(always)]
pub fn axpy(k: f32, x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += k * xi;
    }
}

/// F(v) = ∫₀ᵛ artanh(s) ds = ½[(1+v)ln(1+v) + (1−v)ln(1−v)] for one v ∈ [−1, 1], in f64 with
/// libm's logarithm (the theory's and the landscape's; a state's sum is `entropy::entropy_term`).
///
/// Written in this form it stays finite at v = ±1 (F(±1) = ln 2), where `v·artanh v` alone
/// would overflow: saturated neurons are the normal case at gain 10, so F(±1), one value either
/// way (½(2 ln 2 + 0) and ½(0 + 2 ln 2)), is worked out once.
pub fn entropy_of(v: f64) -> f64 {
    static SATURATED: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    let v = v.clamp(-1.0, 1.0);
    if v.abs() == 1.0 {
        *SATURATED.get_or_init(|| entropy_by_logs(1.0))
    } else {
        entropy_by_logs(v)
    }
}

/// [`entropy_of`] of v ∈ [−1, 1] (or NaN) by its two logarithms.
fn entropy_by_logs(v: f64) -> f64 {
    fn xlogx(t: f64) -> f64 {
        if t <= 0.0 { 0.0 } else { t * t.ln() }
    }
    0.5 * (xlogx(1.0 + v) + xlogx(1.0 - v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_tanh_matches_tanh_everywhere() {
        let mut worst = 0.0f64;
        let mut x = -20.0f64;
        while x <= 20.0 {
            let err = (f64::from(fast_tanh(x as f32)) - x.tanh()).abs();
            worst = worst.max(err);
            x += 1e-3;
        }
        assert!(worst < 2e-6, "worst error {worst}");
        assert_eq!(fast_tanh(0.0), 0.0);
        assert!(fast_tanh(f32::INFINITY) <= 1.0 && fast_tanh(f32::INFINITY) > 0.999_999);
        assert!(fast_tanh(f32::NAN).is_nan());
    }

    #[test]
    fn dot_columns_are_bitwise_the_dots_one_by_one() {
        // Odd lengths (a tail after the lanes) and column counts (a remainder after the blocks
        // of four), general values (not only ±1), both the dispatched and the portable form.
        for (n, p) in [(37, 7), (64, 4), (1024, 10), (5, 1), (8, 0)] {
            let cols: Vec<f32> = (0..n * p).map(|i| (i as f32 * 0.731).sin() * 3.0).collect();
            let v: Vec<f32> = (0..n).map(|i| (i as f32 * 0.113).cos()).collect();
            let want: Vec<u32> = (0..p)
                .map(|mu| dot(&cols[mu * n..(mu + 1) * n], &v).to_bits())
                .collect();
            let mut out = vec![f32::NAN; p];
            dot_columns(&cols, &v, &mut out);
            assert_eq!(out.iter().map(|o| o.to_bits()).collect::<Vec<_>>(), want);
            let mut out = vec![f32::NAN; p];
            dot_columns_portable(&cols, &v, &mut out);
            assert_eq!(out.iter().map(|o| o.to_bits()).collect::<Vec<_>>(), want);
        }
    }

    #[test]
    fn dot_and_axpy_agree_with_naive_sums() {
        let a: Vec<f32> = (0..37).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..37).map(|i| (i as f32 * 0.11).cos()).collect();
        let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - naive).abs() < 1e-5);
        let mut y = b.clone();
        axpy(2.0, &a, &mut y);
        for i in 0..37 {
            assert!((y[i] - (b[i] + 2.0 * a[i])).abs() < 1e-6);
        }
    }

    #[test]
    fn entropy_of_saturation_is_its_logarithms_value_for_either_sign() {
        // The value kept for ψ = ±1 is bitwise what the two logarithms give at +1 and at −1.
        for v in [1.0, -1.0, 2.5, -7.0] {
            assert_eq!(
                entropy_of(v).to_bits(),
                entropy_by_logs(v.clamp(-1.0, 1.0)).to_bits(),
                "{v}"
            );
        }
    }

    #[test]
    fn entropy_of_is_finite_at_saturation() {
        let e = entropy_of(1.0) + entropy_of(-1.0) + entropy_of(0.0);
        assert!((e - 2.0 * std::f64::consts::LN_2).abs() < 1e-12);
    }
}
