//! The fused Euler–Maruyama sweep of the continuous models, the hot loop of the program.
//!
//! One sweep computes x ← x + dt·(−x + Ξc − δΨ + b·u) + kick·n, Ψ ← tanh(g·x) and d ← ΞᵀΨ
//! for the new state. The addition to x is compensated (Kahan): what an f32 sum drops below
//! half an ulp of x is carried in a second array and added back, so that small increments
//! (a slow escape from a saddle, the last approach to a well) accumulate as in f64.
//!
//! The memories are ±1, so Ξ is read as sign bits ([`tile_signs`]): one bit an entry, in tiles
//! of [`TILE`] neurons, 32 times less to read than floats (N = 4096, P = 1200: 614 KB against
//! 19.7 MB). A product with ±1 is exact, so picking +c or −c by the bit is the multiplication
//! c·ξ, bit for bit. A tile serves the field (Ξc) and then the overlaps (ΞᵀΨ) of its neurons;
//! the overlaps are summed in 8 lanes per memory and the lanes are added at the end.
//!
//! On x86-64 the tile's products and its neurons' update are hand-written, with AVX-512
//! where the processor has it (the bits are the masks of 16-lane blends; the overlaps of a
//! tile and the field of the next share one pass over μ) and else with AVX2 (8-float
//! registers); the portable form does the same operations in the same order (multiply then
//! add, never fused), so all three give bitwise the same trajectories. A test checks each
//! kernel the processor has against the portable one.

// Index loops over fixed lane counts are the shape that maps onto SIMD registers.
#![allow(clippy::needless_range_loop)]

pub use super::kernels::LANES;
use super::kernels::fast_tanh;

/// Neurons per tile: 8 registers of 8 lanes, enough independent sums to hide the latency of an
/// addition.
pub const TILE: usize = 64;
const GROUPS: usize = TILE / LANES;

/// Ξ (column-major N×P, memory μ at `columns[μ·N..(μ+1)·N]`, entries ±1) as the sweep reads
/// it: word t·P + μ holds in bit j whether ξ_iμ = −1 for the neuron i = t·TILE + j (0 past N).
pub fn tile_signs(columns: &[f32], n: usize, p: usize) -> Vec<u64> {
    let tiles = n.div_ceil(TILE);
    let mut out = vec![0u64; tiles * p];
    for t in 0..tiles {
        for mu in 0..p {
            let column = &columns[mu * n..(mu + 1) * n];
            for (j, &v) in column.iter().skip(t * TILE).take(TILE).enumerate() {
                if v.is_sign_negative() {
                    out[t * p + mu] |= 1 << j;
                }
            }
        }
    }
    out
}

/// One sweep over all neurons; see the module documentation.
pub struct Sweep<'a> {
    pub n: usize,
    /// Ξ as sign bits in tiles, as made by [`tile_signs`].
    pub signs: &'a [u64],
    /// c_μ of the field h = Ξc (length P).
    pub coef: &'a [f32],
    pub x: &'a mut [f32],
    /// The compensation of x: the low-order part the f32 sums have not absorbed yet.
    pub x_carry: &'a mut [f32],
    pub psi: &'a mut [f32],
    pub input: &'a [f32],
    pub noise: &'a [f32],
    /// Scratch for the lane sums of ΞᵀΨ and a tile's half sums, length ≥ 2·P·LANES.
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
    /// Runs the sweep, with AVX-512 or AVX2 when the processor has it (bitwise the same
    /// result).
    pub fn run(&mut self) {
        #[cfg(target_arch = "x86_64")]
        {
            if avx512::available() {
                // SAFETY: the CPU supports AVX-512F and AVX2, checked just above.
                unsafe { self.run_avx512() };
                return;
            }
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

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx2")]
    unsafe fn run_avx512(&mut self) {
        // SAFETY: this function only runs on a CPU with these features (its caller checks).
        unsafe { self.run_with::<avx512::Avx512>() };
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
        let buffer = std::mem::take(&mut self.lanes);
        let (lanes, halves) = buffer[..2 * p * LANES].split_at_mut(p * LANES);
        lanes.fill(0.0);
        let (signs, coef) = (self.signs, self.coef);
        // SAFETY: passed on from this function's contract.
        unsafe { K::prepare(coef, halves) };
        let tile = |t: usize| &signs[t * p..(t + 1) * p];
        let tiles = n.div_ceil(TILE);
        // Tile by tile: the field, the update, the overlaps; the overlaps of a tile and the
        // field of the next are one pass over μ (a kernel may interleave them).
        // SAFETY (all the kernel calls): passed on from this function's contract.
        let mut h = if tiles > 0 {
            unsafe { K::field(tile(0), coef) }
        } else {
            [0.0; TILE]
        };
        for t in 0..tiles {
            let psi = unsafe { self.update_tile::<K>(t, rates, &h) };
            if t + 1 < tiles {
                h = unsafe {
                    K::overlaps_then_field(tile(t), &psi, lanes, halves, tile(t + 1), coef)
                };
            } else {
                unsafe { K::overlaps(tile(t), &psi, lanes, halves) };
            }
        }
        for (d, acc) in self.d_out.iter_mut().zip(lanes.chunks_exact(LANES)) {
            *d = acc.iter().sum();
        }
        self.lanes = buffer;
    }

    /// The update of tile t from its field h; returns the tile's new Ψ, zero past N (the
    /// padding of the last tile must add nothing to the overlaps).
    ///
    /// # Safety
    /// The CPU must support the instructions of kernel `K`.
    #[inline(always)]
    unsafe fn update_tile<K: TileKernel>(
        &mut self,
        t: usize,
        rates: Rates,
        h: &[f32; TILE],
    ) -> [f32; TILE] {
        let (start, end) = (t * TILE, ((t + 1) * TILE).min(self.n));
        let mut out = [0.0; TILE];
        if end - start == TILE {
            let mut state = TileState {
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
            unsafe { K::update(rates, h, &mut state) };
            out.copy_from_slice(state.psi);
        } else {
            // The last, partial tile: padded copies.
            let len = end - start;
            let pad = |v: &[f32]| {
                let mut a = [0.0; TILE];
                a[..len].copy_from_slice(v);
                a
            };
            let (mut x, mut psi) = (pad(&self.x[start..end]), pad(&self.psi[start..end]));
            let mut x_carry = pad(&self.x_carry[start..end]);
            let (input, noise) = (pad(&self.input[start..end]), pad(&self.noise[start..end]));
            let mut state = TileState {
                x: &mut x,
                x_carry: &mut x_carry,
                psi: &mut psi,
                input: &input,
                noise: &noise,
            };
            // SAFETY: passed on from this function's contract.
            unsafe { K::update(rates, h, &mut state) };
            self.x[start..end].copy_from_slice(&x[..len]);
            self.x_carry[start..end].copy_from_slice(&x_carry[..len]);
            self.psi[start..end].copy_from_slice(&psi[..len]);
            out[..len].copy_from_slice(&psi[..len]);
        }
        out
    }
}

/// The two products of a tile. The methods are `unsafe` because a kernel may use instructions
/// that not every CPU has: callers must have checked that this one does.
trait TileKernel {
    /// h_j = Σ_μ c_μ ξ_jμ (±c_μ by the sign bit), summed over μ in order.
    ///
    /// # Safety
    /// The CPU supports the kernel's instructions.
    unsafe fn field(signs: &[u64], coef: &[f32]) -> [f32; TILE];
    /// lanes[μ][l] += Σ_g ξ_{g·8+l, μ} ψ_{g·8+l} (±ψ by the sign bit), the eight groups g
    /// summed as a pairwise tree; `halves` (≥ 8·P floats) is scratch.
    ///
    /// # Safety
    /// The CPU supports the kernel's instructions.
    unsafe fn overlaps(signs: &[u64], psi: &[f32; TILE], lanes: &mut [f32], halves: &mut [f32]);
    /// Called once a sweep, before the tiles, with the scratch that the sweep then passes
    /// to [`Self::overlaps`] and [`Self::overlaps_then_field`] (≥ 8·P floats).
    ///
    /// # Safety
    /// The CPU supports the kernel's instructions.
    #[inline(always)]
    unsafe fn prepare(_coef: &[f32], _scratch: &mut [f32]) {}
    /// [`Self::overlaps`] of one tile, then [`Self::field`] of the next (`next`): one pass
    /// over μ where a kernel can interleave the two.
    ///
    /// # Safety
    /// The CPU supports the kernel's instructions.
    #[inline(always)]
    unsafe fn overlaps_then_field(
        signs: &[u64],
        psi: &[f32; TILE],
        lanes: &mut [f32],
        halves: &mut [f32],
        next: &[u64],
        coef: &[f32],
    ) -> [f32; TILE] {
        // SAFETY: passed on from this function's contract.
        unsafe {
            Self::overlaps(signs, psi, lanes, halves);
            Self::field(next, coef)
        }
    }
    /// The neurons of a tile from their field h: the Euler–Maruyama step of x (compensated)
    /// and Ψ = tanh(g·x), neuron by neuron, each in the order of [`Portable::update`].
    ///
    /// # Safety
    /// The CPU supports the kernel's instructions.
    unsafe fn update(r: Rates, h: &[f32; TILE], s: &mut TileState<'_>);
}

struct Portable;

impl TileKernel for Portable {
    #[inline(always)]
    unsafe fn update(r: Rates, h: &[f32; TILE], s: &mut TileState<'_>) {
        for j in 0..TILE {
            let f = -s.x[j] + h[j] - r.delta * s.psi[j] + r.bias * s.input[j];
            // Kahan: add the increment and what earlier sums dropped, keep what this one drops.
            let inc = (r.dt * f + r.kick * s.noise[j]) - s.x_carry[j];
            let sum = s.x[j] + inc;
            s.x_carry[j] = (sum - s.x[j]) - inc;
            s.x[j] = sum;
            s.psi[j] = fast_tanh(r.gain * s.x[j]);
        }
    }

    #[inline(always)]
    unsafe fn field(signs: &[u64], coef: &[f32]) -> [f32; TILE] {
        let mut h = [0.0f32; TILE];
        for (&word, &c) in signs.iter().zip(coef) {
            for j in 0..TILE {
                h[j] += signed(c, word, j);
            }
        }
        h
    }

    #[inline(always)]
    unsafe fn overlaps(signs: &[u64], psi: &[f32; TILE], lanes: &mut [f32], _: &mut [f32]) {
        for (&word, acc) in signs.iter().zip(lanes.chunks_exact_mut(LANES)) {
            for l in 0..LANES {
                let q = |g: usize| signed(psi[g * LANES + l], word, g * LANES + l);
                acc[l] += ((q(0) + q(1)) + (q(2) + q(3))) + ((q(4) + q(5)) + (q(6) + q(7)));
            }
        }
    }
}

/// v·ξ for the ξ = ±1 of bit j of `word` (set: −1): exactly ±v.
#[inline(always)]
fn signed(v: f32, word: u64, j: usize) -> f32 {
    if word >> j & 1 == 1 { -v } else { v }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::super::kernels::{A, B, CLAMP};
    use super::super::signs::avx2::sign_shifts;
    use super::{GROUPS, LANES, Rates, TILE, TileKernel, TileState};
    use std::arch::x86_64::{
        __m256, __m256i, _mm256_add_ps, _mm256_blendv_ps, _mm256_castsi256_ps, _mm256_div_ps,
        _mm256_loadu_ps, _mm256_max_ps, _mm256_min_ps, _mm256_mul_ps, _mm256_set1_epi32,
        _mm256_set1_ps, _mm256_setzero_ps, _mm256_sllv_epi32, _mm256_storeu_ps, _mm256_sub_ps,
        _mm256_xor_ps,
    };

    /// The AVX2 kernel: its methods need a CPU with AVX2.
    pub(super) struct Avx2;

    impl TileKernel for Avx2 {
        #[inline(always)]
        unsafe fn update(r: Rates, h: &[f32; TILE], s: &mut TileState<'_>) {
            // SAFETY: the trait's contract: the CPU has AVX2.
            unsafe { update(r, h, s) }
        }

        #[inline(always)]
        unsafe fn field(signs: &[u64], coef: &[f32]) -> [f32; TILE] {
            // SAFETY: the trait's contract: the CPU has AVX2.
            unsafe { field(signs, coef) }
        }

        #[inline(always)]
        unsafe fn overlaps(
            signs: &[u64],
            psi: &[f32; TILE],
            lanes: &mut [f32],
            halves: &mut [f32],
        ) {
            // SAFETY: as above.
            unsafe { overlaps(signs, psi, lanes, halves) }
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

    /// `Portable::update` for the whole tile in lock-step: each operation is issued for the
    /// eight groups of 8 neurons before the next, so the CPU has eight independent chains to
    /// work on. The loop of `Portable::update`, vectorised by the compiler one group after
    /// another, left the long chain of tanh waiting: the step took about 15% longer.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) fn update(r: Rates, h: &[f32; TILE], s: &mut TileState<'_>) {
        let set = _mm256_set1_ps;
        let (dt, kick, delta, bias, gain) = (
            set(r.dt),
            set(r.kick),
            set(r.delta),
            set(r.bias),
            set(r.gain),
        );
        let at = |g: usize| g * LANES;
        type Groups = [__m256; GROUPS];
        let x: Groups = std::array::from_fn(|g| load(&s.x[..], at(g)));
        let mut f: Groups = std::array::from_fn(|g| _mm256_sub_ps(load(h, at(g)), x[g]));
        for g in 0..GROUPS {
            f[g] = _mm256_sub_ps(f[g], _mm256_mul_ps(delta, load(&s.psi[..], at(g))));
        }
        for g in 0..GROUPS {
            f[g] = _mm256_add_ps(f[g], _mm256_mul_ps(bias, load(&s.input[..], at(g))));
        }
        let inc: Groups = std::array::from_fn(|g| {
            let step = _mm256_mul_ps(dt, f[g]);
            let kicked = _mm256_add_ps(step, _mm256_mul_ps(kick, load(&s.noise[..], at(g))));
            _mm256_sub_ps(kicked, load(&s.x_carry[..], at(g)))
        });
        let sum: Groups = std::array::from_fn(|g| _mm256_add_ps(x[g], inc[g]));
        for g in 0..GROUPS {
            let carry = _mm256_sub_ps(_mm256_sub_ps(sum[g], x[g]), inc[g]);
            store(&mut s.x_carry[..], at(g), carry);
            store(&mut s.x[..], at(g), sum[g]);
        }
        // fast_tanh(g·x): the clamp as `f32::clamp` does it (a NaN passes), then the rational.
        let (lo, hi) = (set(-CLAMP), set(CLAMP));
        let z: Groups = std::array::from_fn(|g| {
            _mm256_min_ps(hi, _mm256_max_ps(lo, _mm256_mul_ps(gain, sum[g])))
        });
        let z2: Groups = std::array::from_fn(|g| _mm256_mul_ps(z[g], z[g]));
        let mut p: Groups =
            std::array::from_fn(|g| _mm256_add_ps(_mm256_mul_ps(z2[g], set(A[6])), set(A[5])));
        for c in [A[4], A[3], A[2], A[1], A[0]] {
            for g in 0..GROUPS {
                p[g] = _mm256_add_ps(_mm256_mul_ps(z2[g], p[g]), set(c));
            }
        }
        let mut q: Groups =
            std::array::from_fn(|g| _mm256_add_ps(_mm256_mul_ps(z2[g], set(B[3])), set(B[2])));
        for c in [B[1], B[0]] {
            for g in 0..GROUPS {
                q[g] = _mm256_add_ps(_mm256_mul_ps(z2[g], q[g]), set(c));
            }
        }
        for g in 0..GROUPS {
            let psi = _mm256_div_ps(_mm256_mul_ps(z[g], p[g]), q[g]);
            store(&mut s.psi[..], at(g), psi);
        }
    }

    /// Stores 8 floats to `v` at `at`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn store(v: &mut [f32], at: usize, value: __m256) {
        let v = &mut v[at..at + LANES];
        // SAFETY: `v` has exactly 8 floats (the slicing above checks it).
        unsafe { _mm256_storeu_ps(v.as_mut_ptr(), value) }
    }

    /// Half of a tile, 4 groups of 8 neurons, at a time: so the accumulators, ±c and the
    /// bits stay in the 16 registers (with the whole tile at once, the compiler kept two
    /// accumulators in memory and the field took twice as long).
    const HALF: usize = GROUPS / 2;

    /// The sign masks of the 4 groups of one half of a row, from the half's 32 bits:
    /// lane l of group k has bit 8k + l in its sign bit, which `blendv` reads.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn masks(word: u64, half: usize, shifts: &[__m256i; HALF]) -> [__m256; HALF] {
        let bits = _mm256_set1_epi32((word >> (32 * half)) as u32 as i32);
        std::array::from_fn(|k| _mm256_castsi256_ps(_mm256_sllv_epi32(bits, shifts[k])))
    }

    #[target_feature(enable = "avx2")]
    fn field(signs: &[u64], coef: &[f32]) -> [f32; TILE] {
        let shifts = sign_shifts();
        let minus = _mm256_set1_ps(-0.0);
        let mut out = [0.0f32; TILE];
        for half in 0..2 {
            let mut h = [_mm256_setzero_ps(); HALF];
            for (&word, &c) in signs.iter().zip(coef) {
                let c = _mm256_set1_ps(c);
                let minus_c = _mm256_xor_ps(c, minus);
                let m = masks(word, half, &shifts);
                for k in 0..HALF {
                    h[k] = _mm256_add_ps(h[k], _mm256_blendv_ps(c, minus_c, m[k]));
                }
            }
            for k in 0..HALF {
                store(&mut out, (half * HALF + k) * LANES, h[k]);
            }
        }
        out
    }

    #[target_feature(enable = "avx2")]
    fn overlaps(signs: &[u64], psi: &[f32; TILE], lanes: &mut [f32], halves: &mut [f32]) {
        let shifts = sign_shifts();
        let minus = _mm256_set1_ps(-0.0);
        // The first half's sums of a row wait in `halves` for the second half's: the tree
        // ((q0 + q1) + (q2 + q3)) + ((q4 + q5) + (q6 + q7)) of the portable form.
        for half in 0..2 {
            let ps: [__m256; HALF] = std::array::from_fn(|k| load(psi, (half * HALF + k) * LANES));
            let minus_ps: [__m256; HALF] = std::array::from_fn(|k| _mm256_xor_ps(ps[k], minus));
            let rows = signs.iter().zip(lanes.chunks_exact_mut(LANES));
            for (mu, (&word, acc)) in rows.enumerate() {
                let m = masks(word, half, &shifts);
                let q = |k: usize| _mm256_blendv_ps(ps[k], minus_ps[k], m[k]);
                let s = _mm256_add_ps(_mm256_add_ps(q(0), q(1)), _mm256_add_ps(q(2), q(3)));
                if half == 0 {
                    store(halves, mu * LANES, s);
                } else {
                    let s = _mm256_add_ps(load(halves, mu * LANES), s);
                    store(acc, 0, _mm256_add_ps(load(acc, 0), s));
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    //! The products with AVX-512, 16 lanes. In the field the sign bits are the masks of the
    //! blends (no shift, where AVX2 shifts and blends each 8 entries); in the overlaps ψ's
    //! sign bit is flipped by a shift and a ternary-logic op, because the processor writes
    //! mask registers only about once a cycle and the field, in the same pass, needs them. The
    //! sums are those of the portable form, in the same order; the neuron update is AVX2's.
    use super::{LANES, Rates, TILE, TileKernel, TileState};
    use std::arch::x86_64::{
        __m512, __m512i, _mm256_add_ps, _mm256_castpd_ps, _mm256_loadu_ps, _mm256_storeu_ps,
        _mm512_add_ps, _mm512_castps_pd, _mm512_castps_si512, _mm512_castps512_ps256,
        _mm512_castsi512_ps, _mm512_extractf64x4_pd, _mm512_loadu_ps, _mm512_mask_blend_ps,
        _mm512_permutexvar_epi32, _mm512_set1_epi32, _mm512_set1_epi64, _mm512_set1_ps,
        _mm512_setr_epi32, _mm512_setzero_ps, _mm512_sllv_epi32, _mm512_storeu_ps,
        _mm512_ternarylogic_epi32,
    };

    /// Whether this CPU runs [`Avx512`].
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx2")
    }

    /// Registers of 16 lanes in a tile.
    const QUARTERS: usize = TILE / 16;

    /// The AVX-512 kernel: its methods need a CPU for which [`available`] is true.
    pub(super) struct Avx512;

    impl TileKernel for Avx512 {
        #[inline(always)]
        unsafe fn update(r: Rates, h: &[f32; TILE], s: &mut TileState<'_>) {
            // SAFETY: the trait's contract: the CPU has AVX2 (and AVX-512).
            unsafe { super::avx2::update(r, h, s) }
        }

        #[inline(always)]
        unsafe fn field(signs: &[u64], coef: &[f32]) -> [f32; TILE] {
            // SAFETY: the trait's contract.
            unsafe { field(signs, coef) }
        }

        #[inline(always)]
        unsafe fn overlaps(signs: &[u64], psi: &[f32; TILE], lanes: &mut [f32], _: &mut [f32]) {
            // SAFETY: the trait's contract.
            unsafe { overlaps(signs, psi, lanes) }
        }

        #[inline(always)]
        unsafe fn overlaps_then_field(
            signs: &[u64],
            psi: &[f32; TILE],
            lanes: &mut [f32],
            minus_coef: &mut [f32],
            next: &[u64],
            coef: &[f32],
        ) -> [f32; TILE] {
            // SAFETY: the trait's contract (`prepare` left −c in the scratch).
            unsafe { overlaps_then_field(signs, psi, lanes, next, coef, minus_coef) }
        }

        #[inline(always)]
        unsafe fn prepare(coef: &[f32], scratch: &mut [f32]) {
            for (minus_c, &c) in scratch.iter_mut().zip(coef) {
                *minus_c = -c;
            }
        }
    }

    /// The field's 4 registers of 16 neurons: one memory's ±c added, picked by the bits of
    /// `word` as masks (bit j of the word is neuron j's: set, −c).
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn field_row(h: &mut [__m512; QUARTERS], word: u64, c: f32, minus_c: f32) {
        let (c, minus_c) = (_mm512_set1_ps(c), _mm512_set1_ps(minus_c));
        for k in 0..QUARTERS {
            let picked = _mm512_mask_blend_ps((word >> (16 * k)) as u16, c, minus_c);
            h[k] = _mm512_add_ps(h[k], picked);
        }
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn field_out(h: [__m512; QUARTERS]) -> [f32; TILE] {
        let mut out = [0.0f32; TILE];
        for k in 0..QUARTERS {
            // SAFETY: `out` has 64 floats; 16k..16k + 16 are in it.
            unsafe { _mm512_storeu_ps(out[16 * k..].as_mut_ptr(), h[k]) };
        }
        out
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn field(signs: &[u64], coef: &[f32]) -> [f32; TILE] {
        let mut h = [_mm512_setzero_ps(); QUARTERS];
        for (&word, &c) in signs.iter().zip(coef) {
            field_row(&mut h, word, c, -c);
        }
        field_out(h)
    }

    /// What the overlaps of one tile keep in registers: Ψ with the groups g and g + 4 of
    /// 8 neurons in the two halves of register g, and the shifts that bring each lane's bit
    /// of a word to the sign bit.
    struct Overlaps {
        paired: [__m512i; QUARTERS],
        halves: __m512i,
        shifts: [__m512i; QUARTERS],
        sign: __m512i,
    }

    impl Overlaps {
        #[inline]
        #[target_feature(enable = "avx512f")]
        fn new(psi: &[f32; TILE]) -> Self {
            let paired = std::array::from_fn(|g| {
                let mut v = [0.0f32; 16];
                v[..LANES].copy_from_slice(&psi[g * LANES..(g + 1) * LANES]);
                v[LANES..].copy_from_slice(&psi[(g + 4) * LANES..(g + 5) * LANES]);
                // SAFETY: `v` has 16 floats.
                _mm512_castps_si512(unsafe { _mm512_loadu_ps(v.as_ptr()) })
            });
            // Lane l of register g takes bit 8g + l % 8 of the low (l < 8) or high half.
            let shifts = std::array::from_fn(|g| {
                let s = |l: i32| 31 - 8 * g as i32 - l % 8;
                _mm512_setr_epi32(
                    s(0),
                    s(1),
                    s(2),
                    s(3),
                    s(4),
                    s(5),
                    s(6),
                    s(7),
                    s(8),
                    s(9),
                    s(10),
                    s(11),
                    s(12),
                    s(13),
                    s(14),
                    s(15),
                )
            });
            Self {
                paired,
                halves: _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1),
                shifts,
                sign: _mm512_set1_epi32(i32::MIN),
            }
        }

        /// acc (8 lanes) += the tree of one memory: registers 0..4 added pairwise follow
        /// ((q0 + q1) + (q2 + q3)) + ((q4 + q5) + (q6 + q7)) of the portable form lane by
        /// lane, and the last addition is of the halves. ±ψ is ψ with its sign bit flipped
        /// by the entry's bit (moved there by a shift), which leaves the mask registers to
        /// the field.
        #[inline]
        #[target_feature(enable = "avx512f,avx2")]
        fn row(&self, word: u64, acc: &mut [f32]) {
            let bits = _mm512_permutexvar_epi32(self.halves, _mm512_set1_epi64(word as i64));
            let q = |g: usize| {
                let moved = _mm512_sllv_epi32(bits, self.shifts[g]);
                // ψ ^ (moved & sign).
                let flipped = _mm512_ternarylogic_epi32::<0x78>(self.paired[g], moved, self.sign);
                _mm512_castsi512_ps(flipped)
            };
            let s = _mm512_add_ps(_mm512_add_ps(q(0), q(1)), _mm512_add_ps(q(2), q(3)));
            let low_half = _mm512_castps512_ps256(s);
            let high_half = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(s)));
            let s = _mm256_add_ps(low_half, high_half);
            let acc = &mut acc[..LANES];
            // SAFETY: `acc` has exactly 8 floats.
            unsafe {
                let sum = _mm256_add_ps(_mm256_loadu_ps(acc.as_ptr()), s);
                _mm256_storeu_ps(acc.as_mut_ptr(), sum);
            }
        }
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx2")]
    fn overlaps(signs: &[u64], psi: &[f32; TILE], lanes: &mut [f32]) {
        let o = Overlaps::new(psi);
        for (&word, acc) in signs.iter().zip(lanes.chunks_exact_mut(LANES)) {
            o.row(word, acc);
        }
    }

    /// The overlaps of one tile and the field of the next in one pass: the field's blends
    /// use the mask registers, the overlaps' sign flips the vector units, so the two keep
    /// different parts of the processor busy.
    #[inline]
    #[target_feature(enable = "avx512f,avx2")]
    fn overlaps_then_field(
        signs: &[u64],
        psi: &[f32; TILE],
        lanes: &mut [f32],
        next: &[u64],
        coef: &[f32],
        minus_coef: &[f32],
    ) -> [f32; TILE] {
        let o = Overlaps::new(psi);
        let mut h = [_mm512_setzero_ps(); QUARTERS];
        let rows = signs.iter().zip(lanes.chunks_exact_mut(LANES));
        let coefs = next.iter().zip(coef.iter().zip(minus_coef));
        for ((&word, acc), (&word_next, (&c, &minus_c))) in rows.zip(coefs) {
            o.row(word, acc);
            field_row(&mut h, word_next, c, minus_c);
        }
        field_out(h)
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

        /// Runs one sweep with the given kernel: the new (x, Ψ, d).
        fn run(&self, kernel: Kernel) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
            let signs = tile_signs(&self.columns, self.n, self.p);
            let (mut x, mut psi) = (self.x.clone(), self.psi.clone());
            let mut x_carry = vec![0.0; self.n];
            let mut lanes = vec![0.0; 2 * self.p * LANES];
            let mut d = vec![0.0; self.p];
            let [dt, kick, delta, bias, gain] = self.rates;
            let mut sweep = Sweep {
                n: self.n,
                signs: &signs,
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
            match kernel {
                Kernel::Dispatched => sweep.run(),
                Kernel::Portable => sweep.run_portable(),
                // SAFETY: `Kernel::available` said the CPU has AVX2.
                #[cfg(target_arch = "x86_64")]
                Kernel::Avx2 => unsafe { sweep.run_avx2() },
                // SAFETY: `Kernel::available` said the CPU has what `avx512` needs.
                #[cfg(target_arch = "x86_64")]
                Kernel::Avx512 => unsafe { sweep.run_avx512() },
            }
            (x, psi, d)
        }
    }

    /// The kernels a sweep can run with.
    #[derive(Clone, Copy, Debug)]
    enum Kernel {
        /// What `Sweep::run` picks for this CPU.
        Dispatched,
        Portable,
        #[cfg(target_arch = "x86_64")]
        Avx2,
        #[cfg(target_arch = "x86_64")]
        Avx512,
    }

    impl Kernel {
        /// The SIMD kernels this CPU can run (each is tested against the portable one).
        fn available() -> Vec<Kernel> {
            #[allow(unused_mut)]
            let mut kernels = vec![Kernel::Dispatched];
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx2") {
                    kernels.push(Kernel::Avx2);
                }
                if avx512::available() {
                    kernels.push(Kernel::Avx512);
                }
            }
            kernels
        }
    }

    #[test]
    fn every_simd_sweep_is_bitwise_the_portable_one() {
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
            let portable = bits(case.run(Kernel::Portable));
            for kernel in Kernel::available() {
                assert_eq!(bits(case.run(kernel)), portable, "{kernel:?}, N={n}, P={p}");
            }
        }
    }

    #[test]
    fn sign_tiles_hold_every_entry_once_and_zeros_past_n() {
        let (n, p) = (70, 3);
        let columns: Vec<f32> = (0..n * p)
            .map(|k| if (k * 7 + k / 5) % 3 == 0 { -1.0 } else { 1.0 })
            .collect();
        let signs = tile_signs(&columns, n, p);
        assert_eq!(signs.len(), 2 * p);
        for mu in 0..p {
            for i in 0..n {
                let (t, j) = (i / TILE, i % TILE);
                let negative = signs[t * p + mu] >> j & 1 == 1;
                assert_eq!(negative, columns[mu * n + i] < 0.0, "ξ[{i}][{mu}]");
            }
            // Neurons 70..128 of the second tile do not exist: their bits are clear.
            assert_eq!(signs[p + mu] >> (n - TILE), 0);
        }
    }

    #[test]
    fn sweep_matches_the_formula_neuron_by_neuron() {
        // A direct evaluation in f64 of the same update for a small case with a partial tile.
        let c = Case::waves(70, 5, |k| (k * 7 + k / 3) % 5 < 2, 2.0);
        let (n, p) = (c.n, c.p);
        let (x, psi, d) = c.run(Kernel::Dispatched);
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
