//! The fused Euler–Maruyama sweep of the continuous models, the hot loop of the program.
//!
//! One sweep computes x ← x + dt·(−x + Ξc − δΨ + b·u) + kick·n, Ψ ← tanh(g·x) and d ← ΞᵀΨ
//! for the new state. The addition to x is compensated (Kahan): what an f32 sum drops below
//! half an ulp of x is carried in a second array and added back, so that small increments
//! (a slow escape from a saddle, the last approach to a well) accumulate as in f64. Ξ is read in tiles of [`TILE`] neurons × P memories, laid out so that each
//! tile is one contiguous stretch of memory (see [`tile_columns`]). A tile serves the field
//! (Ξc) and, while it is still in the L1 cache, the overlaps (ΞᵀΨ), so Ξ comes from memory once
//! per step. The overlaps are summed in 8 lanes per memory and the lanes are added at the end.
//!
//! On x86-64 with AVX2 the tile products are hand-written with 8-float registers; the portable
//! form does the same operations in the same order (multiply then add, never fused), so the two
//! give bitwise the same trajectories. A test checks this.

// Index loops over fixed lane counts are the shape that maps onto SIMD registers.
#![allow(clippy::needless_range_loop)]

pub use super::kernels::LANES;
use super::kernels::fast_tanh;

/// Neurons per tile: 8 registers of 8 lanes, enough independent sums to hide the latency of an
/// addition.
pub const TILE: usize = 64;
const GROUPS: usize = TILE / LANES;

/// Ξ (column-major N×P, memory μ at `columns[μ·N..(μ+1)·N]`) rearranged for the sweep: tile t
/// holds, for each μ in turn, ξ_iμ for the TILE neurons i = t·TILE.., zero past N.
pub fn tile_columns(columns: &[f32], n: usize, p: usize) -> Vec<f32> {
    let tiles = n.div_ceil(TILE);
    let mut out = vec![0.0; tiles * p * TILE];
    for t in 0..tiles {
        let (start, end) = (t * TILE, ((t + 1) * TILE).min(n));
        for mu in 0..p {
            let at = (t * p + mu) * TILE;
            out[at..at + end - start].copy_from_slice(&columns[mu * n + start..mu * n + end]);
        }
    }
    out
}

/// One sweep over all neurons; see the module documentation.
pub struct Sweep<'a> {
    pub n: usize,
    /// Ξ in tiles, as made by [`tile_columns`].
    pub tiles: &'a [f32],
    /// c_μ of the field h = Ξc (length P).
    pub coef: &'a [f32],
    pub x: &'a mut [f32],
    /// The compensation of x: the low-order part the f32 sums have not absorbed yet.
    pub x_carry: &'a mut [f32],
    pub psi: &'a mut [f32],
    pub input: &'a [f32],
    pub noise: &'a [f32],
    /// Scratch for the lane sums of ΞᵀΨ, length ≥ P·LANES.
    pub lanes: &'a mut [f32],
    /// Receives ΞᵀΨ of the new state (length P).
    pub d_out: &'a mut [f32],
    pub dt: f32,
    pub kick: f32,
    pub delta: f32,
    pub bias: f32,
    pub gain: f32,
}

/// The per-neuron constants of a sweep.
#[derive(Clone, Copy)]
struct Rates {
    dt: f32,
    kick: f32,
    delta: f32,
    bias: f32,
    gain: f32,
}

/// The neurons of one tile (padded with zeros past N).
struct TileState<'a> {
    x: &'a mut [f32; TILE],
    x_carry: &'a mut [f32; TILE],
    psi: &'a mut [f32; TILE],
    input: &'a [f32; TILE],
    noise: &'a [f32; TILE],
}

impl Sweep<'_> {
    /// Runs the sweep, with AVX2 when the processor has it (bitwise the same result).
    pub fn run(&mut self) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                unsafe { self.run_avx2() };
                return;
            }
        }
        self.run_portable();
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn run_avx2(&mut self) {
        // SAFETY: this function only runs on a CPU with AVX2 (its caller checks).
        unsafe { self.run_with::<avx2::Avx2>() };
    }

    fn run_portable(&mut self) {
        // SAFETY: the portable kernel needs no particular instructions.
        unsafe { self.run_with::<Portable>() };
    }

    /// # Safety
    /// The CPU must support the instructions of kernel `K` (see [`TileKernel`]).
    #[inline(always)]
    unsafe fn run_with<K: TileKernel>(&mut self) {
        let (n, p) = (self.n, self.coef.len());
        let rates = Rates {
            dt: self.dt,
            kick: self.kick,
            delta: self.delta,
            bias: self.bias,
            gain: self.gain,
        };
        let lanes = &mut self.lanes[..p * LANES];
        lanes.fill(0.0);
        for t in 0..n.div_ceil(TILE) {
            let tile = &self.tiles[t * p * TILE..(t + 1) * p * TILE];
            let (start, end) = (t * TILE, ((t + 1) * TILE).min(n));
            if end - start == TILE {
                let state = TileState {
                    x: (&mut self.x[start..end]).try_into().expect("a whole tile"),
                    x_carry: (&mut self.x_carry[start..end])
                        .try_into()
                        .expect("a whole tile"),
                    psi: (&mut self.psi[start..end])
                        .try_into()
                        .expect("a whole tile"),
                    input: (&self.input[start..end]).try_into().expect("a whole tile"),
                    noise: (&self.noise[start..end]).try_into().expect("a whole tile"),
                };
                // SAFETY: passed on from this function's contract.
                unsafe { sweep_tile::<K>(rates, tile, self.coef, state, lanes) };
            } else {
                // The last, partial tile: padded copies; zero rows of Ξ add nothing to d.
                let len = end - start;
                let pad = |v: &[f32]| {
                    let mut a = [0.0; TILE];
                    a[..len].copy_from_slice(v);
                    a
                };
                let (mut x, mut psi) = (pad(&self.x[start..end]), pad(&self.psi[start..end]));
                let mut x_carry = pad(&self.x_carry[start..end]);
                let (input, noise) = (pad(&self.input[start..end]), pad(&self.noise[start..end]));
                let state = TileState {
                    x: &mut x,
                    x_carry: &mut x_carry,
                    psi: &mut psi,
                    input: &input,
                    noise: &noise,
                };
                // SAFETY: passed on from this function's contract.
                unsafe { sweep_tile::<K>(rates, tile, self.coef, state, lanes) };
                self.x[start..end].copy_from_slice(&x[..len]);
                self.x_carry[start..end].copy_from_slice(&x_carry[..len]);
                self.psi[start..end].copy_from_slice(&psi[..len]);
            }
        }
        for (d, acc) in self.d_out.iter_mut().zip(lanes.chunks_exact(LANES)) {
            *d = acc.iter().sum();
        }
    }
}

/// Field, neuron update and overlaps of one tile.
///
/// # Safety
/// The CPU must support the instructions of kernel `K`.
#[inline(always)]
unsafe fn sweep_tile<K: TileKernel>(
    r: Rates,
    tile: &[f32],
    coef: &[f32],
    s: TileState<'_>,
    lanes: &mut [f32],
) {
    // SAFETY: passed on from this function's contract.
    let h = unsafe { K::field(tile, coef) };
    for j in 0..TILE {
        let f = -s.x[j] + h[j] - r.delta * s.psi[j] + r.bias * s.input[j];
        // Kahan: add the increment and what earlier sums dropped, keep what this one drops.
        let inc = (r.dt * f + r.kick * s.noise[j]) - s.x_carry[j];
        let sum = s.x[j] + inc;
        s.x_carry[j] = (sum - s.x[j]) - inc;
        s.x[j] = sum;
        s.psi[j] = fast_tanh(r.gain * s.x[j]);
    }
    // SAFETY: as above.
    unsafe { K::overlaps(tile, s.psi, lanes) };
}

/// The two products of a tile. The methods are `unsafe` because a kernel may use instructions
/// that not every CPU has: callers must have checked that this one does.
trait TileKernel {
    /// h_j = Σ_μ c_μ ξ_jμ, summed over μ in order.
    ///
    /// # Safety
    /// The CPU supports the kernel's instructions.
    unsafe fn field(tile: &[f32], coef: &[f32]) -> [f32; TILE];
    /// lanes[μ][l] += Σ_g ξ_{g·8+l, μ} ψ_{g·8+l}, the eight groups g summed as a pairwise tree.
    ///
    /// # Safety
    /// The CPU supports the kernel's instructions.
    unsafe fn overlaps(tile: &[f32], psi: &[f32; TILE], lanes: &mut [f32]);
}

struct Portable;

impl TileKernel for Portable {
    #[inline(always)]
    unsafe fn field(tile: &[f32], coef: &[f32]) -> [f32; TILE] {
        let mut h = [0.0f32; TILE];
        for (row, &c) in tile.chunks_exact(TILE).zip(coef) {
            for j in 0..TILE {
                h[j] += c * row[j];
            }
        }
        h
    }

    #[inline(always)]
    unsafe fn overlaps(tile: &[f32], psi: &[f32; TILE], lanes: &mut [f32]) {
        for (row, acc) in tile.chunks_exact(TILE).zip(lanes.chunks_exact_mut(LANES)) {
            for l in 0..LANES {
                let q = |g: usize| row[g * LANES + l] * psi[g * LANES + l];
                acc[l] += ((q(0) + q(1)) + (q(2) + q(3))) + ((q(4) + q(5)) + (q(6) + q(7)));
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{GROUPS, LANES, TILE, TileKernel};
    use std::arch::x86_64::{
        __m256, _mm256_add_ps, _mm256_loadu_ps, _mm256_mul_ps, _mm256_set1_ps, _mm256_setzero_ps,
        _mm256_storeu_ps,
    };

    /// The AVX2 kernel: its methods need a CPU with AVX2.
    pub(super) struct Avx2;

    impl TileKernel for Avx2 {
        #[inline(always)]
        unsafe fn field(tile: &[f32], coef: &[f32]) -> [f32; TILE] {
            // SAFETY: the trait's contract: the CPU has AVX2.
            unsafe { field(tile, coef) }
        }

        #[inline(always)]
        unsafe fn overlaps(tile: &[f32], psi: &[f32; TILE], lanes: &mut [f32]) {
            // SAFETY: as above.
            unsafe { overlaps(tile, psi, lanes) }
        }
    }

    /// Loads 8 floats from `v` at `at`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn load(v: &[f32], at: usize) -> __m256 {
        let v = &v[at..at + LANES];
        // SAFETY: `v` has exactly 8 floats (the slicing above checks it).
        unsafe { _mm256_loadu_ps(v.as_ptr()) }
    }

    #[target_feature(enable = "avx2")]
    fn field(tile: &[f32], coef: &[f32]) -> [f32; TILE] {
        let mut h = [_mm256_setzero_ps(); GROUPS];
        for (row, &c) in tile.chunks_exact(TILE).zip(coef) {
            let c = _mm256_set1_ps(c);
            for g in 0..GROUPS {
                h[g] = _mm256_add_ps(h[g], _mm256_mul_ps(c, load(row, g * LANES)));
            }
        }
        let mut out = [0.0f32; TILE];
        for g in 0..GROUPS {
            let dst = &mut out[g * LANES..(g + 1) * LANES];
            // SAFETY: `dst` has exactly 8 floats.
            unsafe { _mm256_storeu_ps(dst.as_mut_ptr(), h[g]) };
        }
        out
    }

    #[target_feature(enable = "avx2")]
    fn overlaps(tile: &[f32], psi: &[f32; TILE], lanes: &mut [f32]) {
        let ps: [__m256; GROUPS] = std::array::from_fn(|g| load(psi, g * LANES));
        for (row, acc) in tile.chunks_exact(TILE).zip(lanes.chunks_exact_mut(LANES)) {
            let q = |g: usize| _mm256_mul_ps(load(row, g * LANES), ps[g]);
            let s = _mm256_add_ps(
                _mm256_add_ps(_mm256_add_ps(q(0), q(1)), _mm256_add_ps(q(2), q(3))),
                _mm256_add_ps(_mm256_add_ps(q(4), q(5)), _mm256_add_ps(q(6), q(7))),
            );
            let sum = _mm256_add_ps(load(acc, 0), s);
            // SAFETY: `acc` has exactly 8 floats (a chunk of LANES).
            unsafe { _mm256_storeu_ps(acc.as_mut_ptr(), sum) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inputs of one sweep: N, P, Ξ (column-major), c, x, Ψ, u, noise and the constants
    /// (dt, kick, δ, b, g).
    struct Case {
        n: usize,
        p: usize,
        columns: Vec<f32>,
        coef: Vec<f32>,
        x: Vec<f32>,
        psi: Vec<f32>,
        input: Vec<f32>,
        noise: Vec<f32>,
        rates: [f32; 5],
    }

    impl Case {
        /// Deterministic pseudo-random data of the given size.
        fn waves(n: usize, p: usize, sign: impl Fn(usize) -> bool, gain: f32) -> Self {
            let wave = |k: usize, f: f32| ((k as f32) * f).sin();
            let x: Vec<f32> = (0..n).map(|i| wave(i, 0.37)).collect();
            Self {
                n,
                p,
                columns: (0..n * p)
                    .map(|k| if sign(k) { 1.0 } else { -1.0 })
                    .collect(),
                coef: (0..p).map(|mu| 0.3 * wave(mu, 0.7)).collect(),
                psi: x.iter().map(|&v| fast_tanh(gain * v)).collect(),
                x,
                input: (0..n).map(|i| wave(i, 0.11)).collect(),
                noise: (0..n).map(|i| wave(i, 1.3)).collect(),
                rates: [0.01, 0.2, 0.01, 1.0, gain],
            }
        }

        /// Runs one sweep, dispatched (AVX2 when present) or portable: the new (x, Ψ, d).
        fn run(&self, portable: bool) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
            let tiles = tile_columns(&self.columns, self.n, self.p);
            let (mut x, mut psi) = (self.x.clone(), self.psi.clone());
            let mut x_carry = vec![0.0; self.n];
            let mut lanes = vec![0.0; self.p * LANES];
            let mut d = vec![0.0; self.p];
            let [dt, kick, delta, bias, gain] = self.rates;
            let mut sweep = Sweep {
                n: self.n,
                tiles: &tiles,
                coef: &self.coef,
                x: &mut x,
                x_carry: &mut x_carry,
                psi: &mut psi,
                input: &self.input,
                noise: &self.noise,
                lanes: &mut lanes,
                d_out: &mut d,
                dt,
                kick,
                delta,
                bias,
                gain,
            };
            if portable {
                sweep.run_portable();
            } else {
                sweep.run();
            }
            (x, psi, d)
        }
    }

    #[test]
    fn dispatched_sweep_is_bitwise_the_portable_one() {
        // Sizes with and without a partial last tile, and small and large P.
        let bits = |(x, psi, d): (Vec<f32>, Vec<f32>, Vec<f32>)| -> Vec<u32> {
            x.iter()
                .chain(&psi)
                .chain(&d)
                .map(|v| v.to_bits())
                .collect()
        };
        for (n, p) in [
            (1024, 10),
            (300, 7),
            (9, 4),
            (4096, 64),
            (1000, 1),
            (17, 13),
        ] {
            let case = Case::waves(n, p, |k| ((k as f32) * 12.9898).sin() > 0.0, 10.0);
            assert_eq!(bits(case.run(false)), bits(case.run(true)), "N={n}, P={p}");
        }
    }

    #[test]
    fn tiles_hold_every_entry_once_and_zeros_past_n() {
        let (n, p) = (70, 3);
        let columns: Vec<f32> = (0..n * p).map(|k| k as f32 + 1.0).collect();
        let tiles = tile_columns(&columns, n, p);
        assert_eq!(tiles.len(), 2 * p * TILE);
        for mu in 0..p {
            for i in 0..n {
                let (t, j) = (i / TILE, i % TILE);
                assert_eq!(tiles[(t * p + mu) * TILE + j], columns[mu * n + i]);
            }
        }
        assert_eq!(
            tiles.iter().filter(|&&v| v == 0.0).count(),
            p * (2 * TILE - n)
        );
    }

    #[test]
    fn sweep_matches_the_formula_neuron_by_neuron() {
        // A direct evaluation in f64 of the same update for a small case with a partial tile.
        let c = Case::waves(70, 5, |k| (k * 7 + k / 3) % 5 < 2, 2.0);
        let (n, p) = (c.n, c.p);
        let (x, psi, d) = c.run(false);
        let [dt, kick, delta, bias, gain] = c.rates.map(f64::from);
        let f64_of = |v: &[f32], i: usize| f64::from(v[i]);
        let mut want_psi = vec![0.0f64; n];
        for i in 0..n {
            let h: f64 = (0..p)
                .map(|mu| f64_of(&c.coef, mu) * f64_of(&c.columns, mu * n + i))
                .sum();
            let f = -f64_of(&c.x, i) + h - delta * f64_of(&c.psi, i) + bias * f64_of(&c.input, i);
            let want = f64_of(&c.x, i) + dt * f + kick * f64_of(&c.noise, i);
            assert!((f64::from(x[i]) - want).abs() < 1e-5, "x[{i}]");
            want_psi[i] = (gain * want).tanh();
            assert!((f64::from(psi[i]) - want_psi[i]).abs() < 1e-5, "psi[{i}]");
        }
        for mu in 0..p {
            let want: f64 = (0..n)
                .map(|i| f64_of(&c.columns, mu * n + i) * want_psi[i])
                .sum();
            assert!((f64::from(d[mu]) - want).abs() < 1e-3, "d[{mu}]");
        }
    }
}
