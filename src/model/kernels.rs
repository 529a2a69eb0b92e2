//! Vector kernels of the hot loop: a fast `tanh`, dot products and axpy, written so that the
//! compiler vectorises them (fixed-width chunks, independent accumulators).

// Index loops over fixed lane counts are the shape LLVM turns into SIMD; iterator chains over
// several slices at once vectorise less reliably.
#![allow(clippy::needless_range_loop)]

/// Lanes of the hand-chunked loops; 8 × f32 fills one AVX register, two SSE registers.
const LANES: usize = 8;

/// `tanh` for f32 by a rational (13/6) minimax approximation, the one used by Eigen and XLA.
///
/// Absolute error below 2e-7 on the whole real line (checked against `f64::tanh` in the tests);
/// unlike `f32::tanh` it vectorises, which matters because it runs N times per step.
#[inline(always)]
pub fn fast_tanh(x: f32) -> f32 {
    // Beyond ±7.905 the approximation is no longer monotone; tanh is 1 to f32 precision there.
    const CLAMP: f32 = 7.905_311;
    const A1: f32 = 4.893_524_6e-3;
    const A3: f32 = 6.372_619_3e-4;
    const A5: f32 = 1.485_722_4e-5;
    const A7: f32 = 5.122_297e-8;
    const A9: f32 = -8.604_672e-11;
    const A11: f32 = 2.000_188e-13;
    const A13: f32 = -2.760_768_5e-16;
    const B0: f32 = 4.893_525e-3;
    const B2: f32 = 2.268_434_6e-3;
    const B4: f32 = 1.185_347_1e-4;
    const B6: f32 = 1.198_258_4e-6;
    let x = x.clamp(-CLAMP, CLAMP);
    let x2 = x * x;
    let p = x2 * A13 + A11;
    let p = x2 * p + A9;
    let p = x2 * p + A7;
    let p = x2 * p + A5;
    let p = x2 * p + A3;
    let p = x2 * p + A1;
    let p = x * p;
    let q = x2 * B6 + B4;
    let q = x2 * q + B2;
    let q = x2 * q + B0;
    p / q
}

/// Neurons per block of the fused step: a block of Ξ (BLOCK × P floats) is read once for the
/// field and once for the overlaps while it is still in cache.
pub const BLOCK: usize = 256;

/// One fused Euler–Maruyama sweep over all neurons of a continuous model:
/// x ← x + dt·(−x + Ξc − δΨ + b·u) + kick·n, Ψ ← tanh(g·x), and d_out ← ΞᵀΨ, reading Ξ block by
/// block so that each block serves both products while it is in cache.
pub struct Sweep<'a> {
    pub n: usize,
    /// Ξ, column-major N×P (±1).
    pub columns: &'a [f32],
    /// c_μ of the field h = Ξc.
    pub coef: &'a [f32],
    pub x: &'a mut [f32],
    pub psi: &'a mut [f32],
    pub input: &'a [f32],
    pub noise: &'a [f32],
    /// Scratch of length ≥ BLOCK.
    pub field: &'a mut [f32],
    /// Receives ΞᵀΨ of the new state (length P).
    pub d_out: &'a mut [f32],
    pub dt: f32,
    pub kick: f32,
    pub delta: f32,
    pub bias: f32,
    pub gain: f32,
}

impl Sweep<'_> {
    /// Runs the sweep, with AVX2 when the processor has it. The arithmetic is the same
    /// operations in the same order either way (no fused multiply-add), so results are
    /// bitwise identical with and without AVX2.
    pub fn run(&mut self) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                unsafe { self.run_avx2() };
                return;
            }
        }
        self.run_generic();
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn run_avx2(&mut self) {
        self.run_with::<avx2::Avx2>();
    }

    fn run_generic(&mut self) {
        self.run_with::<Portable>();
    }

    #[inline(always)]
    fn run_with<K: Dot4>(&mut self) {
        let n = self.n;
        let p = self.coef.len();
        self.d_out.iter_mut().for_each(|v| *v = 0.0);
        let col = |mu: usize, a: usize, b: usize| &self.columns[mu * n + a..mu * n + b];
        let mut start = 0;
        while start < n {
            let end = (start + BLOCK).min(n);
            let len = end - start;
            let field = &mut self.field[..len];
            field.iter_mut().for_each(|v| *v = 0.0);
            let mut mu = 0;
            while mu + 4 <= p {
                let c = [
                    self.coef[mu],
                    self.coef[mu + 1],
                    self.coef[mu + 2],
                    self.coef[mu + 3],
                ];
                axpy4(
                    c,
                    [
                        col(mu, start, end),
                        col(mu + 1, start, end),
                        col(mu + 2, start, end),
                        col(mu + 3, start, end),
                    ],
                    field,
                );
                mu += 4;
            }
            while mu < p {
                axpy(self.coef[mu], col(mu, start, end), field);
                mu += 1;
            }
            let x = &mut self.x[start..end];
            let psi = &mut self.psi[start..end];
            let u = &self.input[start..end];
            let noise = &self.noise[start..end];
            for i in 0..len {
                let f = -x[i] + field[i] - self.delta * psi[i] + self.bias * u[i];
                x[i] += self.dt * f + self.kick * noise[i];
                psi[i] = fast_tanh(self.gain * x[i]);
            }
            let psi = &self.psi[start..end];
            let mut mu = 0;
            while mu + 4 <= p {
                let d = K::dot4(
                    [
                        col(mu, start, end),
                        col(mu + 1, start, end),
                        col(mu + 2, start, end),
                        col(mu + 3, start, end),
                    ],
                    psi,
                );
                for k in 0..4 {
                    self.d_out[mu + k] += d[k];
                }
                mu += 4;
            }
            while mu < p {
                self.d_out[mu] += dot(col(mu, start, end), psi);
                mu += 1;
            }
            start = end;
        }
    }
}

/// The four-column dot product of the sweep. LLVM does not turn [`dot4`] into 8-wide code on
/// its own (it vectorises across the four accumulators instead, three times slower), so on x86-64
/// there is a hand-written AVX2 form doing the same operations in the same order.
trait Dot4 {
    fn dot4(x: [&[f32]; 4], v: &[f32]) -> [f32; 4];
}

/// The portable form: [`dot4`].
struct Portable;

impl Dot4 for Portable {
    #[inline(always)]
    fn dot4(x: [&[f32]; 4], v: &[f32]) -> [f32; 4] {
        dot4(x, v)
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Dot4, LANES};
    use std::arch::x86_64::{
        __m256, _mm256_add_ps, _mm256_loadu_ps, _mm256_mul_ps, _mm256_setzero_ps, _mm256_storeu_ps,
    };

    /// Only used from [`super::Sweep::run_avx2`], which runs after the AVX2 check.
    pub(super) struct Avx2;

    impl Dot4 for Avx2 {
        #[inline(always)]
        fn dot4(x: [&[f32]; 4], v: &[f32]) -> [f32; 4] {
            // SAFETY: `Avx2` is only used by `Sweep::run_avx2`, which is only called when the
            // processor has AVX2.
            unsafe { dot4(x, v) }
        }
    }

    /// [`super::dot4`] with 8-lane registers: lane l of accumulator k sums x_k[i]·v[i] over
    /// i ≡ l (mod 8), multiply then add (no fused multiply-add), lanes summed in order, then the
    /// tail; so the result is bitwise that of the portable form.
    #[target_feature(enable = "avx2")]
    unsafe fn dot4(x: [&[f32]; 4], v: &[f32]) -> [f32; 4] {
        let len = v.len();
        let x = x.map(|col| &col[..len]);
        let chunks = len / LANES;
        let mut acc: [__m256; 4] = [_mm256_setzero_ps(); 4];
        for c in 0..chunks {
            let o = c * LANES;
            // SAFETY: o + LANES ≤ len and every slice has length len (checked by the slicing
            // above), so each 8-float load stays in bounds.
            let vv = unsafe { _mm256_loadu_ps(v.as_ptr().add(o)) };
            for k in 0..4 {
                let xk = unsafe { _mm256_loadu_ps(x[k].as_ptr().add(o)) };
                acc[k] = _mm256_add_ps(acc[k], _mm256_mul_ps(xk, vv));
            }
        }
        let mut out = [0.0f32; 4];
        for k in 0..4 {
            let mut lanes = [0.0f32; LANES];
            // SAFETY: `lanes` holds exactly 8 floats.
            unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), acc[k]) };
            out[k] = lanes.iter().sum();
        }
        for i in chunks * LANES..len {
            for k in 0..4 {
                out[k] += x[k][i] * v[i];
            }
        }
        out
    }
}

/// `y += Σ_k c_k · x_k` for four vectors at once (one pass over `y`).
#[inline(always)]
pub fn axpy4(c: [f32; 4], x: [&[f32]; 4], y: &mut [f32]) {
    let len = y.len();
    let (x0, x1, x2, x3) = (&x[0][..len], &x[1][..len], &x[2][..len], &x[3][..len]);
    for i in 0..len {
        y[i] += c[0] * x0[i] + c[1] * x1[i] + c[2] * x2[i] + c[3] * x3[i];
    }
}

/// Four dot products `x_k · v` in one pass over `v`, each summed lane-wise like [`dot`].
#[inline(always)]
pub fn dot4(x: [&[f32]; 4], v: &[f32]) -> [f32; 4] {
    let len = v.len();
    let (x0, x1, x2, x3) = (&x[0][..len], &x[1][..len], &x[2][..len], &x[3][..len]);
    let mut acc = [[0.0f32; LANES]; 4];
    let chunks = len / LANES;
    for c in 0..chunks {
        let o = c * LANES;
        for l in 0..LANES {
            let vi = v[o + l];
            acc[0][l] += x0[o + l] * vi;
            acc[1][l] += x1[o + l] * vi;
            acc[2][l] += x2[o + l] * vi;
            acc[3][l] += x3[o + l] * vi;
        }
    }
    let mut out = [0.0f32; 4];
    for k in 0..4 {
        out[k] = acc[k].iter().sum();
    }
    for i in chunks * LANES..len {
        out[0] += x0[i] * v[i];
        out[1] += x1[i] * v[i];
        out[2] += x2[i] * v[i];
        out[3] += x3[i] * v[i];
    }
    out
}

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

/// `y += k · x` over equal-length slices.
#[inline(always)]
pub fn axpy(k: f32, x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += k * xi;
    }
}

/// Σ_i F(v_i) with F(v) = ∫₀ᵛ artanh(s) ds = ½[(1+v)ln(1+v) + (1−v)ln(1−v)], in f64.
///
/// Written in this form it stays finite at v = ±1 (F(±1) = ln 2), where `v·artanh v` alone
/// would overflow: saturated neurons are the normal case at gain 10.
pub fn entropy_term(psi: &[f32]) -> f64 {
    psi.iter().map(|&v| entropy_of(f64::from(v))).sum()
}

/// F(v) = ∫₀ᵛ artanh(s) ds for one v ∈ [−1, 1] (see [`entropy_term`]).
pub fn entropy_of(v: f64) -> f64 {
    fn xlogx(t: f64) -> f64 {
        if t <= 0.0 { 0.0 } else { t * t.ln() }
    }
    let v = v.clamp(-1.0, 1.0);
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

    /// Runs one sweep over pseudo-random data, either dispatched (AVX2 when present) or
    /// portable, and returns (x, ψ, d) as bit patterns.
    fn sweep_bits(n: usize, p: usize, portable: bool) -> Vec<u32> {
        let wave = |k: usize, f: f32| ((k as f32) * f).sin();
        let columns: Vec<f32> = (0..n * p)
            .map(|k| if wave(k, 12.9898) > 0.0 { 1.0 } else { -1.0 })
            .collect();
        let coef: Vec<f32> = (0..p).map(|mu| 0.3 * wave(mu, 0.7)).collect();
        let mut x: Vec<f32> = (0..n).map(|i| wave(i, 0.37)).collect();
        let mut psi: Vec<f32> = x.iter().map(|&v| fast_tanh(10.0 * v)).collect();
        let input: Vec<f32> = (0..n).map(|i| wave(i, 0.11)).collect();
        let noise: Vec<f32> = (0..n).map(|i| wave(i, 1.3)).collect();
        let mut field = vec![0.0; BLOCK];
        let mut d_out = vec![0.0; p];
        let mut sweep = Sweep {
            n,
            columns: &columns,
            coef: &coef,
            x: &mut x,
            psi: &mut psi,
            input: &input,
            noise: &noise,
            field: &mut field,
            d_out: &mut d_out,
            dt: 0.01,
            kick: 0.2,
            delta: 0.01,
            bias: 1.0,
            gain: 10.0,
        };
        if portable {
            sweep.run_generic();
        } else {
            sweep.run();
        }
        x.iter()
            .chain(&psi)
            .chain(&d_out)
            .map(|v| v.to_bits())
            .collect()
    }

    #[test]
    fn dispatched_sweep_is_bitwise_the_portable_one() {
        // Sizes with and without a tail of the 8-lane loops and of the 256-neuron blocks, and P
        // with and without a remainder after groups of four.
        for (n, p) in [
            (1024, 10),
            (300, 7),
            (9, 4),
            (4096, 64),
            (1000, 1),
            (17, 13),
        ] {
            assert_eq!(
                sweep_bits(n, p, false),
                sweep_bits(n, p, true),
                "N={n}, P={p}"
            );
        }
    }

    #[test]
    fn entropy_term_is_finite_at_saturation() {
        let e = entropy_term(&[1.0, -1.0, 0.0]);
        assert!((e - 2.0 * std::f64::consts::LN_2).abs() < 1e-12);
    }
}
