//! The fused Euler–Maruyama sweep of the continuous models, the hot loop of the program.
//!
//! One sweep computes x ← x + dt·(−x + Ξc − δΨ + b·u) + kick·n, Ψ ← tanh(g·x) and d ← ΞᵀΨ
//! for the new state. The addition to x is compensated (Kahan): what an f32 sum drops below
//! half an ulp of x is carried in a second array and added back, so that small increments
//! (a slow escape from a saddle, the last approach to a well) accumulate as in f64.
//!
//! The memories are ±1, so Ξ is read as sign bits ([`SignTiles`]), one bit an entry (N = 4096,
//! P = 1200: 614 KB a product against 19.7 MB of floats), and both products are table
//! lookups, four entries at a time. Four ±1 entries have 16 sign patterns, so the 16 sums
//! ±v₀ ± v₁ ± v₂ ± v₃ of four values are a table ([`quad_table`]), and a 4-bit group of the
//! sign bits is the index of the sum it asks for: the field Ξc adds one looked-up sum per
//! four memories (the tables of c are made once a sweep), the overlaps ΞᵀΨ one per four
//! neurons (the tables of a tile's Ψ are made once a tile). A product with ±1 is exact, so a
//! table entry is Σ ξ·v up to its own rounding; the sums are in a fixed order:
//!
//! - field: h_j = ((0 + F₀[a_j0]) + F₁[a_j1]) + …, memory quad by memory quad;
//! - overlaps: a tile's 16 neuron quads summed as a pairwise tree, then d_μ += that sum, tile
//!   after tile;
//! - a table entry: (±v₀ ± v₁) + (±v₂ ± v₃).
//!
//! On x86-64 the lookups are hand-written: with AVX-512 a table is one register and a lookup
//! is one permute of 16 lanes (16 neurons of the field, 16 memories of the overlaps); with
//! AVX2 a register holds a table's entries 0–7, and entry b ≥ 8 is read as −entry (15 − b)
//! (a table is odd: every term opposite, and rounding is symmetric), one permute and a sign
//! flip (the index's low bits mirrored where its fourth bit is set, four instructions for a
//! register of 8 words of 8 indices).
//! The neuron update has one body for both (`lockstep_update!`), in registers of 8 or 16
//! lanes, inlined into the tile loop; the last tile, when N is not a multiple of 64, takes the
//! portable update. A tile's overlaps are added after the next tile's update (in the same
//! order), so that the processor has them to work on while that update's divisions run.
//! Every kernel does the same operations in the same order, each product that is added fused
//! with its addition (one rounding: the FMA instruction, `f32::mul_add` in the portable form,
//! as in the noise of `normal.rs`), so all give bitwise the same trajectories (a NaN's sign
//! aside, in a state that has diverged); tests check
//! each kernel the processor has against the portable one, and every sweep against one done
//! plainly tile after tile. The SIMD kernels need FMA (every processor with AVX2 from Intel
//! and AMD has it); on an x86 processor without it the portable form's `mul_add` is a library
//! call and the step is slow, and aarch64 has the instruction.

// Index loops over fixed lane counts are the shape that maps onto SIMD registers.
#![allow(clippy::needless_range_loop)]

pub use super::kernels::LANES;
use super::kernels::fast_tanh;

/// What [`Sweep::run_with`] runs: the whole sweep, or one of its parts alone.
///
/// A value, not a type parameter: one `run_with` per kernel then holds the SIMD kernel's only
/// call of its `update`, which LLVM inlines into the tile loop (a target-feature function
/// cannot be `#[inline(always)]`, and with a call site in each of several copies LLVM kept it
/// out of line, a call a tile). The products alone keep a loop of their own.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Whole,
    Products,
    Update,
}

/// Neurons per tile: the unit of the update and of the overlaps' tables (16 quads).
pub const TILE: usize = 64;
const GROUPS: usize = TILE / LANES;
/// Entries of a table: the sign patterns of four ±1.
const TABLE: usize = 16;
/// Memories (lanes) of one group of the overlaps.
const GROUP: usize = 16;
/// Quads of neurons in a tile.
const TILE_QUADS: usize = TILE / 4;

/// The 16 sums ±v₀ ± v₁ ± v₂ ± v₃: entry b takes −v_k where bit k of b is set, and adds
/// them as (q₀ + q₁) + (q₂ + q₃).
#[inline(always)]
pub fn quad_table(v: [f32; 4]) -> [f32; TABLE] {
    std::array::from_fn(|b| {
        let q = |k: usize| if b >> k & 1 == 1 { -v[k] } else { v[k] };
        (q(0) + q(1)) + (q(2) + q(3))
    })
}

/// Ξ's sign bits in the two layouts the sweep reads (a bit is set where ξ_iμ = −1; bits of
/// memories past P and of neurons past N are clear).
///
/// - `field`: for tile t, word w and neuron j of the tile, at `(t·W + w)·64 + j`, the bits of
///   memories 32w … 32w + 31 of neuron 64t + j (W = ⌈P/32⌉ words); nibble r is memory quad
///   8w + r, the index into that quad's table of c.
/// - `overlaps`: for tile t, memory group v (16 memories), half w and lane l, at
///   `((t·V + v)·2 + w)·16 + l`, the bits of neurons 64t + 32w … 64t + 32w + 31 of memory
///   16v + l (V = ⌈P/16⌉ groups); nibble r is neuron quad 8w + r of the tile.
#[derive(Debug, Clone)]
pub struct SignTiles {
    n: usize,
    p: usize,
    field: Vec<u32>,
    overlaps: Vec<u32>,
}

impl SignTiles {
    /// The bits of Ξ, column-major N×P (memory μ at `columns[μ·N..(μ+1)·N]`, entries ±1).
    pub fn new(columns: &[f32], n: usize, p: usize) -> Self {
        Self::from_negatives(n, p, |mu, i| columns[mu * n + i].is_sign_negative())
    }

    /// The bits of Ξ from `negative(μ, i)` (ξ_iμ = −1), asked memory by memory and neuron by
    /// neuron within a memory, once each (so a generator can draw the entries as it is asked).
    pub fn from_negatives(
        n: usize,
        p: usize,
        mut negative: impl FnMut(usize, usize) -> bool,
    ) -> Self {
        let tiles = n.div_ceil(TILE);
        let (words, groups) = (p.div_ceil(32), p.div_ceil(GROUP));
        let mut field = vec![0u32; tiles * words * TILE];
        let mut overlaps = vec![0u32; tiles * groups * 2 * GROUP];
        for mu in 0..p {
            for i in 0..n {
                if negative(mu, i) {
                    let (t, j) = (i / TILE, i % TILE);
                    field[(t * words + mu / 32) * TILE + j] |= 1 << (mu % 32);
                    let (v, l) = (mu / GROUP, mu % GROUP);
                    overlaps[((t * groups + v) * 2 + j / 32) * GROUP + l] |= 1 << (j % 32);
                }
            }
        }
        Self {
            n,
            p,
            field,
            overlaps,
        }
    }

    /// Neurons N.
    pub fn n(&self) -> usize {
        self.n
    }

    /// ξ_iμ = −1.
    pub fn negative(&self, i: usize, mu: usize) -> bool {
        let (t, j) = (i / TILE, i % TILE);
        self.field[(t * self.words() + mu / 32) * TILE + j] >> (mu % 32) & 1 == 1
    }

    /// Memory μ as ±1 values, written into `out` (length N).
    pub fn memory_into(&self, mu: usize, out: &mut [f32]) {
        let groups = self.groups();
        let (v, l) = (mu / GROUP, mu % GROUP);
        for (t, tile) in out.chunks_mut(TILE).enumerate() {
            let at = (t * groups + v) * 2 * GROUP + l;
            let bits = u64::from(self.overlaps[at]) | u64::from(self.overlaps[at + GROUP]) << 32;
            for (j, o) in tile.iter_mut().enumerate() {
                *o = if bits >> j & 1 == 1 { -1.0 } else { 1.0 };
            }
        }
    }

    /// Memories P.
    pub fn p(&self) -> usize {
        self.p
    }

    /// Memory quads Q = ⌈P/4⌉: the tables of the field.
    fn quads(&self) -> usize {
        self.p.div_ceil(4)
    }

    fn words(&self) -> usize {
        self.p.div_ceil(32)
    }

    fn groups(&self) -> usize {
        self.p.div_ceil(GROUP)
    }

    /// The field's words of tile t.
    fn field_tile(&self, t: usize) -> &[u32] {
        let len = self.words() * TILE;
        &self.field[t * len..(t + 1) * len]
    }

    /// The overlaps' words of tile t.
    fn overlaps_tile(&self, t: usize) -> &[u32] {
        let len = self.groups() * 2 * GROUP;
        &self.overlaps[t * len..(t + 1) * len]
    }
}

/// One sweep over all neurons; see the module documentation.
pub struct Sweep<'a> {
    /// Ξ as sign bits (N and P are its).
    pub signs: &'a SignTiles,
    /// c_μ of the field h = Ξc (length P).
    pub coef: &'a [f32],
    pub x: &'a mut [f32],
    /// The compensation of x: the low-order part the f32 sums have not absorbed yet.
    pub x_carry: &'a mut [f32],
    pub psi: &'a mut [f32],
    pub input: &'a [f32],
    pub noise: &'a [f32],
    /// Scratch for the tables of c and the sums of ΞᵀΨ, length ≥ [`Sweep::scratch_len`].
    pub scratch: &'a mut [f32],
    /// Receives ΞᵀΨ of the new state (length P).
    pub d_out: &'a mut [f32],
    pub dt: f32,
    pub kick: f32,
    pub delta: f32,
    pub bias: f32,
    pub gain: f32,
    /// Ψ = x instead of tanh(g·x) (the modern models: the overlaps are then Ξᵀx).
    pub linear: bool,
}

/// The per-neuron constants of a sweep, written once a sweep and lent to every tile's update.
/// Passed by value, LLVM copied them to the stack a tile at a time and read them back 16 bytes
/// at once over stores of 4 and 1: a load the processor cannot forward from those stores, so
/// each tile waited for the one before it to retire (about a fifth of the update's time at
/// N = 1024, in a probe; docs/speed.md). Neither `Copy` nor `Clone`, so that it is not passed by value
/// again.
struct Rates {
    dt: f32,
    kick: f32,
    delta: f32,
    bias: f32,
    gain: f32,
    linear: bool,
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
    /// The scratch a sweep over P memories needs: the tables of c (16 per memory quad) and
    /// the sums of the overlaps (16 per memory group).
    pub fn scratch_len(p: usize) -> usize {
        TABLE * p.div_ceil(4) + GROUP * p.div_ceil(GROUP)
    }

    /// Runs the sweep, with AVX-512 or AVX2 when the processor has it (bitwise the same
    /// result).
    pub fn run(&mut self) {
        self.dispatch(Part::Whole);
    }

    /// Only the sweep's products, for the floor of `benches/step.rs`: the tables of c, and for
    /// every tile the field and the overlaps of the tile's Ψ as it is (x, Ψ unchanged; the
    /// overlaps go to `d_out`). With [`Sweep::update_alone`] and the noise, what one step
    /// cannot do without, each timed with the others left out.
    #[doc(hidden)]
    pub fn products_alone(&mut self) {
        self.dispatch(Part::Products);
    }

    /// Only the sweep's neuron update, for the floor of `benches/step.rs`: every tile's
    /// Euler–Maruyama step and tanh from a field of zeros, no lookups (`d_out` untouched).
    #[doc(hidden)]
    pub fn update_alone(&mut self) {
        self.dispatch(Part::Update);
    }

    fn dispatch(&mut self, part: Part) {
        #[cfg(target_arch = "x86_64")]
        {
            if avx512::available() {
                // SAFETY: the CPU supports AVX-512F, AVX2 and FMA, checked just above.
                unsafe { self.run_avx512(part) };
                return;
            }
            if avx2::available() {
                // SAFETY: the CPU supports AVX2 and FMA, checked just above.
                unsafe { self.run_avx2(part) };
                return;
            }
        }
        self.run_portable(part);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn run_avx2(&mut self, part: Part) {
        // SAFETY: this function only runs on a CPU with AVX2 and FMA (its caller checks).
        unsafe { self.run_with::<avx2::Avx2>(part) };
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn run_avx512(&mut self, part: Part) {
        // SAFETY: this function only runs on a CPU with these features (its caller checks).
        unsafe { self.run_with::<avx512::Avx512>(part) };
    }

    fn run_portable(&mut self, part: Part) {
        // SAFETY: the portable kernel needs no particular instructions.
        unsafe { self.run_with::<Portable>(part) };
    }

    /// # Safety
    /// The CPU must support the instructions of kernel `K` (see [`TileKernel`]).
    #[inline(always)]
    unsafe fn run_with<K: TileKernel>(&mut self, part: Part) {
        let signs = self.signs;
        let (n, p) = (signs.n(), signs.p());
        assert_eq!(self.coef.len(), p, "one coefficient a memory");
        let rates = Rates {
            dt: self.dt,
            kick: self.kick,
            delta: self.delta,
            bias: self.bias,
            gain: self.gain,
            linear: self.linear,
        };
        let buffer = std::mem::take(&mut self.scratch);
        let quads = signs.quads();
        let (tables, sums) = buffer[..Self::scratch_len(p)].split_at_mut(TABLE * quads);
        if part != Part::Update {
            for (m, table) in tables.chunks_exact_mut(TABLE).enumerate() {
                let c = |k: usize| self.coef.get(4 * m + k).copied().unwrap_or(0.0);
                table.copy_from_slice(&quad_table([c(0), c(1), c(2), c(3)]));
            }
        }
        sums.fill(0.0);
        // Tile by tile: the field, the update, the overlaps of the new Ψ.
        let tiles = n.div_ceil(TILE);
        if part == Part::Products {
            for t in 0..tiles {
                // SAFETY: passed on from this function's contract.
                let h = unsafe { K::field(signs.field_tile(t), tables, quads) };
                std::hint::black_box(&h);
                let (start, end) = (t * TILE, ((t + 1) * TILE).min(n));
                let mut psi = [0.0; TILE];
                psi[..end - start].copy_from_slice(&self.psi[start..end]);
                // SAFETY: as above.
                unsafe { K::overlaps(signs.overlaps_tile(t), &psi, sums) };
            }
        } else {
            // The overlaps of a tile wait for the update of the next: they are added in the
            // same order, and the processor has them to work on while the next tile's
            // divisions run.
            let mut padded = None;
            for t in 0..=tiles {
                let last = padded.take();
                if t < tiles {
                    let h = if part == Part::Update {
                        [0.0; TILE]
                    } else {
                        // SAFETY: passed on from this function's contract.
                        unsafe { K::field(signs.field_tile(t), tables, quads) }
                    };
                    // The SIMD kernel's only call of its update (see `Part`).
                    // SAFETY: as above.
                    padded = unsafe { self.update_tile::<K>(t, &rates, &h) };
                }
                if t > 0 {
                    let t = t - 1;
                    let psi: &[f32; TILE] = match &last {
                        Some(psi) => psi,
                        None => (&self.psi[t * TILE..(t + 1) * TILE])
                            .try_into()
                            .expect("a whole tile"),
                    };
                    if part == Part::Whole {
                        // SAFETY: as above.
                        unsafe { K::overlaps(signs.overlaps_tile(t), psi, sums) };
                    } else {
                        std::hint::black_box(psi);
                    }
                }
            }
        }
        if part != Part::Update {
            self.d_out.copy_from_slice(&sums[..p]);
        }
        self.scratch = buffer;
    }

    /// The update of tile t from its field h. The tile's new Ψ is in `self.psi`; the last
    /// tile, when it is partial, also returns it padded with zeros (the padding must add
    /// nothing to the overlaps).
    ///
    /// # Safety
    /// The CPU must support the instructions of kernel `K`.
    #[inline(always)]
    unsafe fn update_tile<K: TileKernel>(
        &mut self,
        t: usize,
        rates: &Rates,
        h: &[f32; TILE],
    ) -> Option<[f32; TILE]> {
        let (start, end) = (t * TILE, ((t + 1) * TILE).min(self.signs.n()));
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
            None
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
            // The portable kernel, bitwise the same as every other (the tests compare them),
            // so that the kernel's update has one call site (see `Part`).
            // SAFETY: the portable kernel needs no particular instructions.
            unsafe { Portable::update(rates, h, &mut state) };
            self.x[start..end].copy_from_slice(&x[..len]);
            self.x_carry[start..end].copy_from_slice(&x_carry[..len]);
            self.psi[start..end].copy_from_slice(&psi[..len]);
            // The padding's own update need not be 0.
            psi[len..].fill(0.0);
            Some(psi)
        }
    }
}

/// The two products of a tile and the update of its neurons. The methods are `unsafe`
/// because a kernel may use instructions that not every CPU has: callers must have checked
/// that this one does.
trait TileKernel {
    /// The field of a tile from its words in the field's layout and the tables of c (16 a
    /// memory quad, `quads` of them): h_j = Σ_m F_m[nibble m of neuron j], in order of m.
    ///
    /// # Safety
    /// The CPU supports the kernel's instructions.
    unsafe fn field(words: &[u32], tables: &[f32], quads: usize) -> [f32; TILE];
    /// sums[μ] += the tile's Σ_j ξ_jμ ψ_j for every memory group, from its words in the
    /// overlaps' layout: the tables of the 16 neuron quads of ψ looked up and added as a
    /// pairwise tree.
    ///
    /// # Safety
    /// The CPU supports the kernel's instructions.
    unsafe fn overlaps(words: &[u32], psi: &[f32; TILE], sums: &mut [f32]);
    /// The neurons of a tile from their field h: the Euler–Maruyama step of x (compensated)
    /// and Ψ = tanh(g·x), neuron by neuron, each in the order of [`Portable::update`].
    ///
    /// # Safety
    /// The CPU supports the kernel's instructions.
    unsafe fn update(r: &Rates, h: &[f32; TILE], s: &mut TileState<'_>);
}

/// The sum of 16 values (floats, or registers of them) as a pairwise tree:
/// (v₀ + v₁) + (v₂ + v₃) … up to the halves. Every kernel adds a tile's lookups with it, so
/// they share one order.
#[inline(always)]
fn tree16<T: Copy>(v: [T; 16], add: impl Fn(T, T) -> T) -> T {
    let a: [T; 8] = std::array::from_fn(|i| add(v[2 * i], v[2 * i + 1]));
    let b: [T; 4] = std::array::from_fn(|i| add(a[2 * i], a[2 * i + 1]));
    add(add(b[0], b[1]), add(b[2], b[3]))
}

/// The tables of a tile's 16 neuron quads of ψ.
#[inline(always)]
fn psi_tables(psi: &[f32; TILE]) -> [[f32; TABLE]; TILE_QUADS] {
    std::array::from_fn(|g| {
        quad_table([psi[4 * g], psi[4 * g + 1], psi[4 * g + 2], psi[4 * g + 3]])
    })
}

/// Nibble r of a word: the index into a table.
#[inline(always)]
fn nibble(word: u32, r: usize) -> usize {
    (word >> (4 * r) & 15) as usize
}

struct Portable;

impl TileKernel for Portable {
    #[inline(always)]
    unsafe fn update(r: &Rates, h: &[f32; TILE], s: &mut TileState<'_>) {
        // Each product fused with the addition it goes into (`mul_add`, one rounding), as the
        // SIMD kernels' FMA instructions do.
        for j in 0..TILE {
            let f = (-r.delta).mul_add(s.psi[j], h[j] - s.x[j]);
            let f = r.bias.mul_add(s.input[j], f);
            // Kahan: add the increment and what earlier sums dropped, keep what this one drops.
            let inc = r.dt.mul_add(f, r.kick * s.noise[j]) - s.x_carry[j];
            let sum = s.x[j] + inc;
            s.x_carry[j] = (sum - s.x[j]) - inc;
            s.x[j] = sum;
            s.psi[j] = if r.linear {
                sum
            } else {
                fast_tanh(r.gain * s.x[j])
            };
        }
    }

    #[inline(always)]
    unsafe fn field(words: &[u32], tables: &[f32], quads: usize) -> [f32; TILE] {
        let mut h = [0.0f32; TILE];
        for m in 0..quads {
            let row = &words[(m / 8) * TILE..(m / 8 + 1) * TILE];
            let table = &tables[TABLE * m..TABLE * (m + 1)];
            for j in 0..TILE {
                h[j] += table[nibble(row[j], m % 8)];
            }
        }
        h
    }

    #[inline(always)]
    unsafe fn overlaps(words: &[u32], psi: &[f32; TILE], sums: &mut [f32]) {
        let tables = psi_tables(psi);
        for (group, acc) in words
            .chunks_exact(2 * GROUP)
            .zip(sums.chunks_exact_mut(GROUP))
        {
            for l in 0..GROUP {
                let (low, high) = (group[l], group[GROUP + l]);
                let looked = std::array::from_fn(|g| {
                    let word = if g < 8 { low } else { high };
                    tables[g][nibble(word, g % 8)]
                });
                acc[l] += tree16(looked, |a, b| a + b);
            }
        }
    }
}

/// The neuron update of a tile (`Portable::update`'s operations, lane by lane in its order)
/// with registers of `$width` lanes, `$groups` of them in lock-step: one body for the AVX2 and
/// the AVX-512 kernels, given the register type and its intrinsics. Used inside a kernel's
/// module, whose `load(v, at)` and `store(v, at, value)` move one register of floats.
#[cfg(target_arch = "x86_64")]
macro_rules! lockstep_update {
    (
        $(#[$doc:meta])*
        $feature:literal,
        $v:ty,
        $width:expr,
        $groups:expr,
        [$set:ident, $add:ident, $sub:ident, $mul:ident, $div:ident, $min:ident, $max:ident, $fmadd:ident, $fnmadd:ident]
    ) => {
        $(#[$doc])*
        #[inline]
        #[target_feature(enable = $feature)]
        pub(super) fn update(r: &Rates, h: &[f32; TILE], s: &mut TileState<'_>) {
            let (dt, kick, delta, bias, gain) =
                ($set(r.dt), $set(r.kick), $set(r.delta), $set(r.bias), $set(r.gain));
            let at = |g: usize| g * $width;
            type Groups = [$v; $groups];
            let x: Groups = std::array::from_fn(|g| load(&s.x[..], at(g)));
            let mut f: Groups = std::array::from_fn(|g| $sub(load(h, at(g)), x[g]));
            for g in 0..$groups {
                f[g] = $fnmadd(delta, load(&s.psi[..], at(g)), f[g]);
            }
            for g in 0..$groups {
                f[g] = $fmadd(bias, load(&s.input[..], at(g)), f[g]);
            }
            let inc: Groups = std::array::from_fn(|g| {
                let kicked = $fmadd(dt, f[g], $mul(kick, load(&s.noise[..], at(g))));
                $sub(kicked, load(&s.x_carry[..], at(g)))
            });
            let sum: Groups = std::array::from_fn(|g| $add(x[g], inc[g]));
            for g in 0..$groups {
                let carry = $sub($sub(sum[g], x[g]), inc[g]);
                store(&mut s.x_carry[..], at(g), carry);
                store(&mut s.x[..], at(g), sum[g]);
            }
            if r.linear {
                for g in 0..$groups {
                    store(&mut s.psi[..], at(g), sum[g]);
                }
                return;
            }
            // fast_tanh(g·x): the clamp as `f32::clamp` does it (a NaN passes), then the
            // rational.
            let (lo, hi) = ($set(-CLAMP), $set(CLAMP));
            let z: Groups = std::array::from_fn(|g| $min(hi, $max(lo, $mul(gain, sum[g]))));
            let z2: Groups = std::array::from_fn(|g| $mul(z[g], z[g]));
            let mut p: Groups = std::array::from_fn(|g| $fmadd(z2[g], $set(A[6]), $set(A[5])));
            for c in [A[4], A[3], A[2], A[1], A[0]] {
                for g in 0..$groups {
                    p[g] = $fmadd(z2[g], p[g], $set(c));
                }
            }
            let mut q: Groups = std::array::from_fn(|g| $fmadd(z2[g], $set(B[3]), $set(B[2])));
            for c in [B[1], B[0]] {
                for g in 0..$groups {
                    q[g] = $fmadd(z2[g], q[g], $set(c));
                }
            }
            for g in 0..$groups {
                let psi = $div($mul(z[g], p[g]), q[g]);
                store(&mut s.psi[..], at(g), psi);
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::super::kernels::{A, B, CLAMP};
    use super::{
        GROUP, GROUPS, LANES, Rates, TABLE, TILE, TILE_QUADS, TileKernel, TileState, tree16,
    };
    use std::arch::x86_64::{
        __m256, __m256i, _mm256_add_ps, _mm256_and_ps, _mm256_and_si256, _mm256_castsi256_ps,
        _mm256_div_ps, _mm256_fmadd_ps, _mm256_fnmadd_ps, _mm256_loadu_ps, _mm256_loadu_si256,
        _mm256_max_ps, _mm256_min_ps, _mm256_mul_ps, _mm256_permutevar8x32_ps, _mm256_set1_epi32,
        _mm256_set1_ps, _mm256_setr_epi32, _mm256_setzero_ps, _mm256_slli_epi32, _mm256_srli_epi32,
        _mm256_storeu_ps, _mm256_sub_epi32, _mm256_sub_ps, _mm256_xor_ps, _mm256_xor_si256,
    };

    /// Whether this CPU runs [`Avx2`]: AVX2 and the fused multiply–add.
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }

    /// The AVX2 kernel: its methods need a CPU for which [`available`] is true.
    pub(super) struct Avx2;

    impl TileKernel for Avx2 {
        #[inline(always)]
        unsafe fn update(r: &Rates, h: &[f32; TILE], s: &mut TileState<'_>) {
            // SAFETY: the trait's contract: the CPU has AVX2 and FMA.
            unsafe { update(r, h, s) }
        }

        #[inline(always)]
        unsafe fn field(words: &[u32], tables: &[f32], quads: usize) -> [f32; TILE] {
            // SAFETY: the trait's contract: the CPU has AVX2 and FMA.
            unsafe { field(words, tables, quads) }
        }

        #[inline(always)]
        unsafe fn overlaps(words: &[u32], psi: &[f32; TILE], sums: &mut [f32]) {
            // SAFETY: as above.
            unsafe { overlaps(words, psi, sums) }
        }
    }

    /// Entry (low 4 bits of each lane's nibble, folded by [`folded`]) of the table of 16 whose
    /// entries 0–7 are `low`: a permute by the low 3 bits, and the sign flipped where bit 3
    /// is set (`sign` is the sign bit in every lane).
    ///
    /// A table is odd: entry 15 − b adds the opposite of every term of entry b, and a sum of
    /// opposites rounds to the opposite (round-to-nearest is symmetric), so entry b ≥ 8 is
    /// −(entry b ⊕ 15) = −low[(b & 7) ⊕ 7]. One permute of one register instead of two and a
    /// blend (on Zen 3 a permute issues one a cycle: two a lookup were the products' bound).
    /// Where a sum cancels exactly, the mirror is −0 where the table has +0. Sums of values
    /// that differ at most in a zero's sign differ at most in a zero's sign (the overlaps'
    /// pairwise tree among them); the field and the overlaps end in running sums that start
    /// from +0, and a sum is −0 only when both terms are, so those are never −0 and the
    /// difference goes: the field and the overlaps come out bitwise the same (a NaN's sign
    /// aside: a state with one has diverged).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn look_up(low: __m256, folded: __m256i, sign: __m256) -> __m256 {
        let entry = _mm256_permutevar8x32_ps(low, folded);
        let flip = _mm256_and_ps(_mm256_castsi256_ps(_mm256_slli_epi32::<28>(folded)), sign);
        _mm256_xor_ps(entry, flip)
    }

    /// 8 words of nibbles folded for [`look_up`]: in a nibble whose bit 3 is set the low 3
    /// bits are flipped (b ⊕ 7, bit 3 kept as the sign to apply).
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) fn folded(words: __m256i) -> __m256i {
        // Bit 3 of each nibble alone; less itself moved to bit 0: 0b0111 where it is set.
        let flags = _mm256_and_si256(words, _mm256_set1_epi32(0x8888_8888_u32 as i32));
        _mm256_xor_si256(
            words,
            _mm256_sub_epi32(flags, _mm256_srli_epi32::<3>(flags)),
        )
    }

    /// 8 words from `v` at `at`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn load_words(v: &[u32], at: usize) -> __m256i {
        let v = &v[at..at + LANES];
        // SAFETY: `v` has exactly 8 words (the slicing above checks it).
        unsafe { _mm256_loadu_si256(v.as_ptr().cast()) }
    }

    /// The sign bit in every lane.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn sign_bits() -> __m256 {
        _mm256_set1_ps(-0.0)
    }

    /// Half of a tile, 4 groups of 8 neurons, at a time, so that the sums, the indices and a
    /// table stay in the 16 registers.
    const HALF: usize = GROUPS / 2;

    #[inline]
    #[target_feature(enable = "avx2")]
    fn field(words: &[u32], tables: &[f32], quads: usize) -> [f32; TILE] {
        let sign = sign_bits();
        let mut out = [0.0f32; TILE];
        for half in 0..2 {
            let mut h = [_mm256_setzero_ps(); HALF];
            for (w, row) in words.chunks_exact(TILE).enumerate() {
                let mut index: [__m256i; HALF] =
                    std::array::from_fn(|k| folded(load_words(row, (half * HALF + k) * LANES)));
                for m in 8 * w..quads.min(8 * w + 8) {
                    // Entries 0–7 of the quad's table.
                    let low = load(tables, TABLE * m);
                    for k in 0..HALF {
                        h[k] = _mm256_add_ps(h[k], look_up(low, index[k], sign));
                        index[k] = _mm256_srli_epi32::<4>(index[k]);
                    }
                }
            }
            for k in 0..HALF {
                store(&mut out, (half * HALF + k) * LANES, h[k]);
            }
        }
        out
    }

    /// Entries 0–7 of `super::quad_table` of ψ's 4 values at `v`: lane b flips v_k where bit
    /// k of b is set (v₃ never).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn low_table(v: &[f32], flips: &[__m256; 3]) -> __m256 {
        let q = |k: usize| _mm256_xor_ps(_mm256_set1_ps(v[k]), flips[k]);
        let q01 = _mm256_add_ps(q(0), q(1));
        _mm256_add_ps(q01, _mm256_add_ps(q(2), _mm256_set1_ps(v[3])))
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn overlaps(words: &[u32], psi: &[f32; TILE], sums: &mut [f32]) {
        let flip = |k: i32| {
            let f = |b: i32| (b >> k & 1) << 31;
            _mm256_castsi256_ps(_mm256_setr_epi32(
                f(0),
                f(1),
                f(2),
                f(3),
                f(4),
                f(5),
                f(6),
                f(7),
            ))
        };
        let flips = [flip(0), flip(1), flip(2)];
        let sign = sign_bits();
        let tables: [__m256; TILE_QUADS] =
            std::array::from_fn(|g| low_table(&psi[4 * g..4 * g + 4], &flips));
        for (group, acc) in words
            .chunks_exact(2 * GROUP)
            .zip(sums.chunks_exact_mut(GROUP))
        {
            for lanes in 0..2 {
                let at = lanes * LANES;
                let mut low = folded(load_words(group, at));
                let mut high = folded(load_words(group, GROUP + at));
                let mut looked = [_mm256_setzero_ps(); TILE_QUADS];
                for r in 0..8 {
                    looked[r] = look_up(tables[r], low, sign);
                    looked[8 + r] = look_up(tables[8 + r], high, sign);
                    low = _mm256_srli_epi32::<4>(low);
                    high = _mm256_srli_epi32::<4>(high);
                }
                let s = tree16(looked, |a, b| _mm256_add_ps(a, b));
                store(acc, at, _mm256_add_ps(load(acc, at), s));
            }
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

    lockstep_update!(
        /// `Portable::update` for the whole tile in lock-step: each operation is issued for
        /// the eight groups of 8 neurons before the next, so the CPU has eight independent
        /// chains to work on. The loop of `Portable::update`, vectorised by the compiler one
        /// group after another, left the long chain of tanh waiting: the step took about 15%
        /// longer.
        "avx2,fma",
        __m256,
        LANES,
        GROUPS,
        [_mm256_set1_ps, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps, _mm256_div_ps, _mm256_min_ps, _mm256_max_ps, _mm256_fmadd_ps, _mm256_fnmadd_ps]
    );

    /// Stores 8 floats to `v` at `at`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn store(v: &mut [f32], at: usize, value: __m256) {
        let v = &mut v[at..at + LANES];
        // SAFETY: `v` has exactly 8 floats (the slicing above checks it).
        unsafe { _mm256_storeu_ps(v.as_mut_ptr(), value) }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    //! The lookups with AVX-512: a table of 16 sums is one register, and a permute looks up
    //! 16 lanes at once (16 neurons in the field, 16 memories in the overlaps) by the low 4
    //! bits of each lane's word; a shift by 4 moves the next nibble there. The tables and
    //! sums are those of the portable form, in the same order; the neuron update is AVX2's
    //! operations in registers of 16 lanes.
    use super::super::kernels::{A, B, CLAMP};
    use super::{GROUP, Rates, TABLE, TILE, TILE_QUADS, TileKernel, TileState, tree16};
    use std::arch::x86_64::{
        __m512, __m512i, _mm512_add_ps, _mm512_castps_si512, _mm512_castsi512_ps, _mm512_div_ps,
        _mm512_fmadd_ps, _mm512_fnmadd_ps, _mm512_loadu_epi32, _mm512_loadu_ps,
        _mm512_mask_blend_ps, _mm512_max_ps, _mm512_min_ps, _mm512_mul_ps, _mm512_permute_ps,
        _mm512_permutex2var_ps, _mm512_permutexvar_ps, _mm512_set1_epi32, _mm512_set1_ps,
        _mm512_setzero_ps, _mm512_srli_epi32, _mm512_storeu_ps, _mm512_sub_ps, _mm512_xor_epi32,
    };

    /// Whether this CPU runs [`Avx512`].
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
    }

    /// Registers of 16 lanes in a tile.
    const QUARTERS: usize = TILE / 16;

    /// The AVX-512 kernel: its methods need a CPU for which [`available`] is true.
    pub(super) struct Avx512;

    impl TileKernel for Avx512 {
        #[inline(always)]
        unsafe fn update(r: &Rates, h: &[f32; TILE], s: &mut TileState<'_>) {
            // SAFETY: the trait's contract: the CPU has AVX-512.
            unsafe { update(r, h, s) }
        }

        #[inline(always)]
        unsafe fn field(words: &[u32], tables: &[f32], quads: usize) -> [f32; TILE] {
            // SAFETY: the trait's contract.
            unsafe { field(words, tables, quads) }
        }

        #[inline(always)]
        unsafe fn overlaps(words: &[u32], psi: &[f32; TILE], sums: &mut [f32]) {
            // SAFETY: the trait's contract.
            unsafe { overlaps(words, psi, sums) }
        }
    }

    lockstep_update!(
        /// AVX2's `update` in registers of 16 lanes, four groups of 16 neurons in lock-step:
        /// the same operations on each lane in the same order (the same fused multiply–adds,
        /// the clamp by min and max as AVX2 does it), so bitwise the same x, carry and Ψ, in half
        /// the instructions where the processor runs 512-bit operations at full width.
        "avx512f",
        __m512,
        16,
        QUARTERS,
        [_mm512_set1_ps, _mm512_add_ps, _mm512_sub_ps, _mm512_mul_ps, _mm512_div_ps, _mm512_min_ps, _mm512_max_ps, _mm512_fmadd_ps, _mm512_fnmadd_ps]
    );

    /// 16 words from `v` at `at`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn load_words(v: &[u32], at: usize) -> __m512i {
        let v = &v[at..at + 16];
        // SAFETY: `v` has exactly 16 words (the slicing above checks it).
        unsafe { _mm512_loadu_epi32(v.as_ptr().cast()) }
    }

    /// 16 floats from `v` at `at`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn load(v: &[f32], at: usize) -> __m512 {
        let v = &v[at..at + 16];
        // SAFETY: `v` has exactly 16 floats (the slicing above checks it).
        unsafe { _mm512_loadu_ps(v.as_ptr()) }
    }

    /// 16 floats to `v` at `at`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn store(v: &mut [f32], at: usize, value: __m512) {
        let v = &mut v[at..at + 16];
        // SAFETY: `v` has exactly 16 floats (the slicing above checks it).
        unsafe { _mm512_storeu_ps(v.as_mut_ptr(), value) }
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn field(words: &[u32], tables: &[f32], quads: usize) -> [f32; TILE] {
        let mut h = [_mm512_setzero_ps(); QUARTERS];
        for (w, row) in words.chunks_exact(TILE).enumerate() {
            let mut index: [__m512i; QUARTERS] = std::array::from_fn(|k| load_words(row, 16 * k));
            for m in 8 * w..quads.min(8 * w + 8) {
                let table = load(tables, TABLE * m);
                for k in 0..QUARTERS {
                    h[k] = _mm512_add_ps(h[k], _mm512_permutexvar_ps(index[k], table));
                    index[k] = _mm512_srli_epi32::<4>(index[k]);
                }
            }
        }
        let mut out = [0.0f32; TILE];
        for k in 0..QUARTERS {
            store(&mut out, 16 * k, h[k]);
        }
        out
    }

    /// [`super::quad_table`] of each of a tile's 16 neuron quads, bitwise (a NaN's sign and
    /// payload aside, which x86 keeps from one operand or the other): from pairs, not
    /// from four broadcasts each. A quad's entry b is (q₀ + q₁) + (q₂ + q₃) with q_k = ±v_k,
    /// and each pair sum q₀ + q₁ is one of four: v₀ + v₁, (−v₀) + v₁, v₀ + (−v₁) and
    /// (−v₀) + (−v₁), made for 8 pairs a register at once (x − y is x + (−y) exactly, and
    /// an addition does not depend on its order, signed zeros included). A table is then
    /// two picks of pair sums (one permute of two registers each) and their sum: three
    /// operations, where the broadcasts took eleven.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) fn tile_tables(psi: &[f32; TILE]) -> [__m512; TILE_QUADS] {
        // For pair k of a register (lanes 2k, 2k + 1) and sign pattern i (bit 0 flips the
        // pair's first value, bit 1 its second): lanes of `both` (0–15) and `diff` (16–31).
        let pick = |k: usize, i: usize| -> u32 {
            match i {
                0 => 2 * k,
                1 => 16 + 2 * k,
                2 => 16 + 2 * k + 1,
                _ => 2 * k + 1,
            }
            .try_into()
            .expect("a lane")
        };
        // Quad j of a register: its first pair (2j) by bits 0–1 of the entry, its second
        // (2j + 1) by bits 2–3.
        let first: [[u32; TABLE]; 4] =
            std::array::from_fn(|j| std::array::from_fn(|b| pick(2 * j, b & 3)));
        let second: [[u32; TABLE]; 4] =
            std::array::from_fn(|j| std::array::from_fn(|b| pick(2 * j + 1, b >> 2)));
        let first = first.map(|f| load_words(&f, 0));
        let second = second.map(|f| load_words(&f, 0));
        let sign = _mm512_set1_epi32(i32::MIN);
        let mut tables = [_mm512_setzero_ps(); TILE_QUADS];
        for r in 0..TILE / 16 {
            let v = load(psi, 16 * r);
            let swapped = _mm512_permute_ps::<0b1011_0001>(v);
            // Lane 2k: v₀ + v₁ (2k + 1: v₁ + v₀, the same).
            let sum = _mm512_add_ps(v, swapped);
            // Lane 2k: v₁ − v₀ = (−v₀) + v₁; lane 2k + 1: v₀ − v₁ = v₀ + (−v₁).
            let diff = _mm512_sub_ps(swapped, v);
            // (−v₀) + (−v₁) (not −(v₀ + v₁): the two differ in the sign of a zero).
            let negated = _mm512_castsi512_ps(_mm512_xor_epi32(_mm512_castps_si512(v), sign));
            let negated = _mm512_add_ps(negated, _mm512_permute_ps::<0b1011_0001>(negated));
            // Lane 2k: v₀ + v₁; lane 2k + 1: (−v₁) + (−v₀).
            let both = _mm512_mask_blend_ps(0xAAAA, sum, negated);
            for j in 0..4 {
                let a = _mm512_permutex2var_ps(both, first[j], diff);
                let b = _mm512_permutex2var_ps(both, second[j], diff);
                tables[4 * r + j] = _mm512_add_ps(a, b);
            }
        }
        tables
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn overlaps(words: &[u32], psi: &[f32; TILE], sums: &mut [f32]) {
        let tables = tile_tables(psi);
        for (group, acc) in words
            .chunks_exact(2 * GROUP)
            .zip(sums.chunks_exact_mut(GROUP))
        {
            let (mut low, mut high) = (load_words(group, 0), load_words(group, GROUP));
            let mut looked = [_mm512_setzero_ps(); TILE_QUADS];
            for r in 0..8 {
                looked[r] = _mm512_permutexvar_ps(low, tables[r]);
                looked[8 + r] = _mm512_permutexvar_ps(high, tables[8 + r]);
                low = _mm512_srli_epi32::<4>(low);
                high = _mm512_srli_epi32::<4>(high);
            }
            let s = tree16(looked, |a, b| _mm512_add_ps(a, b));
            store(acc, 0, _mm512_add_ps(load(acc, 0), s));
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
        /// The compensation x carries in (small, as a sum's dropped low-order part is).
        carry: Vec<f32>,
        rates: [f32; 5],
        /// Ψ = x (the modern models).
        linear: bool,
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
                carry: (0..n).map(|i| 1e-8 * wave(i, 0.53)).collect(),
                rates: [0.01, 0.2, 0.01, 1.0, gain],
                linear: false,
            }
        }

        /// Runs one sweep with the given kernel: the new (x, Ψ, d).
        fn run(&self, kernel: Kernel) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
            self.with_sweep(|sweep| match kernel {
                Kernel::Dispatched => sweep.run(),
                Kernel::Portable => sweep.run_portable(Part::Whole),
                // SAFETY: `Kernel::available` said the CPU has AVX2 and FMA.
                #[cfg(target_arch = "x86_64")]
                Kernel::Avx2 => unsafe { sweep.run_avx2(Part::Whole) },
                // SAFETY: `Kernel::available` said the CPU has what `avx512` needs.
                #[cfg(target_arch = "x86_64")]
                Kernel::Avx512 => unsafe { sweep.run_avx512(Part::Whole) },
            })
        }

        /// A sweep over this case's data, given to `f`; then its (x, Ψ, d).
        fn with_sweep(&self, f: impl FnOnce(&mut Sweep<'_>)) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
            let signs = SignTiles::new(&self.columns, self.n, self.p);
            let (mut x, mut psi) = (self.x.clone(), self.psi.clone());
            let mut x_carry = self.carry.clone();
            let mut scratch = vec![0.0; Sweep::scratch_len(self.p)];
            let mut d = vec![0.0; self.p];
            let [dt, kick, delta, bias, gain] = self.rates;
            let mut sweep = Sweep {
                signs: &signs,
                coef: &self.coef,
                x: &mut x,
                x_carry: &mut x_carry,
                psi: &mut psi,
                input: &self.input,
                noise: &self.noise,
                scratch: &mut scratch,
                d_out: &mut d,
                dt,
                kick,
                delta,
                bias,
                gain,
                linear: self.linear,
            };
            f(&mut sweep);
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
                if avx2::available() {
                    kernels.push(Kernel::Avx2);
                }
                if avx512::available() {
                    kernels.push(Kernel::Avx512);
                }
            }
            kernels
        }
    }

    /// The bits of a sweep's (x, Ψ, d), one after the other.
    fn bits((x, psi, d): (Vec<f32>, Vec<f32>, Vec<f32>)) -> Vec<u32> {
        x.iter()
            .chain(&psi)
            .chain(&d)
            .map(|v| v.to_bits())
            .collect()
    }

    #[test]
    fn every_simd_sweep_is_bitwise_the_portable_one() {
        // Sizes with and without a partial last tile, and small and large P.
        for (n, p) in [
            (1024, 10),
            (300, 7),
            (9, 4),
            (4096, 64),
            (1000, 1),
            (17, 13),
            (200, 100),
            (130, 33),
        ] {
            for linear in [false, true] {
                let case = Case {
                    linear,
                    ..Case::waves(n, p, |k| ((k as f32) * 12.9898).sin() > 0.0, 10.0)
                };
                let portable = bits(case.run(Kernel::Portable));
                for kernel in Kernel::available() {
                    let at = format!("{kernel:?}, N={n}, P={p}, linear {linear}");
                    assert_eq!(bits(case.run(kernel)), portable, "{at}");
                }
            }
        }
    }

    /// The sweep done plainly, tile after tile: the portable kernel's field, update (of a
    /// padded copy of the tile) and overlaps, each tile's before the next tile's. Every
    /// kernel's sweep must give this bit for bit, whatever its loop hands on to later.
    fn tile_after_tile(case: &Case) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let (n, p) = (case.n, case.p);
        let signs = SignTiles::new(&case.columns, n, p);
        let (mut x, mut psi, mut carry) = (case.x.clone(), case.psi.clone(), case.carry.clone());
        let [dt, kick, delta, bias, gain] = case.rates;
        let rates = Rates {
            dt,
            kick,
            delta,
            bias,
            gain,
            linear: case.linear,
        };
        let quads = signs.quads();
        let c = |k: usize| case.coef.get(k).copied().unwrap_or(0.0);
        let tables: Vec<f32> = (0..quads)
            .flat_map(|m| quad_table([c(4 * m), c(4 * m + 1), c(4 * m + 2), c(4 * m + 3)]))
            .collect();
        let mut sums = vec![0.0; GROUP * p.div_ceil(GROUP)];
        for t in 0..n.div_ceil(TILE) {
            let (start, end) = (t * TILE, ((t + 1) * TILE).min(n));
            let len = end - start;
            let pad = |v: &[f32]| {
                let mut a = [0.0; TILE];
                a[..len].copy_from_slice(&v[start..end]);
                a
            };
            let (mut tx, mut tc, mut tp) = (pad(&x), pad(&carry), pad(&psi));
            let (input, noise) = (pad(&case.input), pad(&case.noise));
            // SAFETY: the portable kernel needs no particular instructions.
            let h = unsafe { Portable::field(signs.field_tile(t), &tables, quads) };
            let mut state = TileState {
                x: &mut tx,
                x_carry: &mut tc,
                psi: &mut tp,
                input: &input,
                noise: &noise,
            };
            // SAFETY: as above.
            unsafe { Portable::update(&rates, &h, &mut state) };
            tp[len..].fill(0.0);
            // SAFETY: as above.
            unsafe { Portable::overlaps(signs.overlaps_tile(t), &tp, &mut sums) };
            x[start..end].copy_from_slice(&tx[..len]);
            carry[start..end].copy_from_slice(&tc[..len]);
            psi[start..end].copy_from_slice(&tp[..len]);
        }
        (x, psi, sums[..p].to_vec())
    }

    #[test]
    fn every_sweep_is_bitwise_the_sweep_done_tile_after_tile() {
        for (n, p) in [(1024, 10), (300, 7), (9, 4), (1000, 1), (130, 33), (64, 16)] {
            for linear in [false, true] {
                let case = Case {
                    linear,
                    ..Case::waves(n, p, |k| ((k as f32) * 78.233).sin() > 0.0, 10.0)
                };
                let want = bits(tile_after_tile(&case));
                for kernel in [Kernel::Portable].into_iter().chain(Kernel::available()) {
                    let at = format!("{kernel:?}, N={n}, P={p}, linear {linear}");
                    assert_eq!(bits(case.run(kernel)), want, "{at}");
                }
            }
        }
    }

    /// Values a sweep can meet: zeros of both signs, subnormals, infinities, a NaN, values
    /// beyond the tanh's clamp and f32's largest, and ordinary ones.
    const EDGES: [f32; 14] = [
        0.0,
        -0.0,
        1e-40,
        -1e-40,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        1e30,
        -1e30,
        f32::MAX,
        -3.0,
        0.79,
        -0.8,
        7.9,
    ];

    #[test]
    fn every_simd_update_is_bitwise_the_portable_one_at_the_edges() {
        // One tile of values a sweep can meet (`EDGES`); a carry that is not zero.
        let special = EDGES;
        let value = |j: usize, k: usize| {
            let w = ((j * 7 + k * 13) as f32 * 0.61).sin();
            if (j + k).is_multiple_of(5) {
                special[(j * 3 + k) % special.len()]
            } else {
                w
            }
        };
        let tile = |k: usize| -> [f32; TILE] { std::array::from_fn(|j| value(j, k)) };
        let (x0, carry0, psi0, input, noise, h) =
            (tile(0), tile(1), tile(2), tile(3), tile(4), tile(5));
        let carry0 = carry0.map(|c| 1e-7 * c);
        let same = |a: &[f32; TILE], b: &[f32; TILE]| {
            a.iter()
                .zip(b)
                .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()))
        };
        for linear in [false, true] {
            for gain in [1.0, 10.0, 1e6] {
                let rates = Rates {
                    dt: 0.01,
                    kick: 0.2,
                    delta: 0.03,
                    bias: 1.0,
                    gain,
                    linear,
                };
                let run = |update: &dyn Fn(&mut TileState<'_>)| {
                    let (mut x, mut carry, mut psi) = (x0, carry0, psi0);
                    let mut state = TileState {
                        x: &mut x,
                        x_carry: &mut carry,
                        psi: &mut psi,
                        input: &input,
                        noise: &noise,
                    };
                    update(&mut state);
                    (x, carry, psi)
                };
                // SAFETY: the portable kernel needs no particular instructions.
                let want = run(&|s| unsafe { Portable::update(&rates, &h, s) });
                for kernel in Kernel::available() {
                    let (x, carry, psi) = match kernel {
                        // SAFETY: `Kernel::available` said the CPU has AVX2 and FMA.
                        #[cfg(target_arch = "x86_64")]
                        Kernel::Avx2 => run(&|s| unsafe { avx2::Avx2::update(&rates, &h, s) }),
                        // SAFETY: `Kernel::available` said the CPU has what `avx512` needs.
                        #[cfg(target_arch = "x86_64")]
                        Kernel::Avx512 => {
                            run(&|s| unsafe { avx512::Avx512::update(&rates, &h, s) })
                        }
                        // The dispatched sweep's update is one of the above.
                        _ => continue,
                    };
                    let at = format!("{kernel:?}, gain {gain}, linear {linear}");
                    assert!(same(&x, &want.0), "{at}: x");
                    assert!(same(&carry, &want.1), "{at}: carry");
                    assert!(same(&psi, &want.2), "{at}: Ψ");
                }
            }
        }
    }

    /// The AVX-512 overlaps make a tile's tables from pair sums: each must be bitwise the
    /// table of its quad, zeros of both signs together included ((−0) + (+0) is +0 where
    /// −(0 + (−0)) would be −0).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx512_tables_of_a_tile_are_bitwise_each_quads_table() {
        if !avx512::available() {
            return;
        }
        let special = EDGES;
        // Every ordered pair of specials side by side in one tile or another, and waves.
        let tiles = (0..special.len() * special.len() / 32 + 3).map(|t| -> [f32; TILE] {
            std::array::from_fn(|j| {
                let k = t * 32 + j / 2;
                let pair = (k / special.len() % special.len(), k % special.len());
                match (t, j % 2) {
                    (t, _) if t * 32 >= special.len() * special.len() => {
                        ((t * 64 + j) as f32 * 0.37).sin()
                    }
                    (_, 0) => special[pair.0],
                    _ => special[pair.1],
                }
            })
        });
        for (t, psi) in tiles.enumerate() {
            // SAFETY: `available` said the CPU has AVX-512.
            let got = unsafe { avx512::tile_tables(&psi) };
            for (g, table) in got.iter().enumerate() {
                let got: [f32; TABLE] = unsafe { std::mem::transmute(*table) };
                let want = quad_table([psi[4 * g], psi[4 * g + 1], psi[4 * g + 2], psi[4 * g + 3]]);
                for b in 0..TABLE {
                    assert!(
                        got[b].to_bits() == want[b].to_bits()
                            || (got[b].is_nan() && want[b].is_nan()),
                        "tile {t}, quad {g}, entry {b}: {} against {}",
                        got[b],
                        want[b]
                    );
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_fold_mirrors_each_nibble_from_bit_3() {
        if !avx2::available() {
            return;
        }
        // Nibble by nibble: b ⊕ 7 where bit 3 is set, else b.
        let reference = |w: u32| -> u32 {
            (0..8)
                .map(|r| {
                    let b = w >> (4 * r) & 15;
                    (if b >= 8 { b ^ 7 } else { b }) << (4 * r)
                })
                .sum()
        };
        let fold = |words: [u32; 8]| -> [u32; 8] {
            // SAFETY: `available` said the CPU has AVX2; the casts are between 32-byte types.
            unsafe {
                use std::arch::x86_64::__m256i;
                let folded = avx2::folded(std::mem::transmute::<[u32; 8], __m256i>(words));
                std::mem::transmute::<__m256i, [u32; 8]>(folded)
            }
        };
        // Every nibble at every position, then words of mixed nibbles (xorshift).
        let mut state = 0x9e37_79b9u32;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        let single = (0..16u32).flat_map(|b| (0..8).map(move |r| b << (4 * r)));
        let words: Vec<u32> = single
            .chain([
                0,
                u32::MAX,
                0x8888_8888,
                0x7777_7777,
                0x1234_5678,
                0xfedc_ba98,
            ])
            .chain((0..4096).map(|_| next()))
            .collect();
        for chunk in words.chunks_exact(8) {
            let chunk: [u32; 8] = chunk.try_into().expect("8 words");
            let got = fold(chunk);
            for (w, g) in chunk.iter().zip(got) {
                assert_eq!(g, reference(*w), "{w:#010x}");
            }
        }
    }

    /// The AVX2 lookups read entries 8–15 of a table as the opposites of entries 7–0: where
    /// a table's sum cancels exactly, that is −0 for +0. Sums that cancel in both products
    /// (c and Ψ of a few magnitudes, zeros of both signs among them, and then the values a
    /// sweep can meet, `EDGES`) must still give the portable field and overlaps bit for bit,
    /// a NaN's sign aside.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_lookups_keep_sums_that_cancel() {
        if !avx2::available() {
            return;
        }
        let values = [0.5, -0.5, 0.25, -0.25, 0.0, -0.0, 0.75];
        let pick = |k: usize, salt: usize| values[(k * 3 + k / 4 + k / 9 + salt) % values.len()];
        let same = |a: &[f32], b: &[f32]| {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()))
        };
        for (n, p) in [(256, 16), (1024, 10), (200, 37)] {
            for edges in [false, true] {
                let value = |k: usize, salt: usize| {
                    if edges && k.is_multiple_of(3) {
                        EDGES[(k / 3 + salt) % EDGES.len()]
                    } else {
                        pick(k, salt)
                    }
                };
                let mut case = Case::waves(n, p, |k| ((k as f32) * 12.9898).sin() > 0.0, 10.0);
                case.coef = (0..p).map(|mu| value(mu, 3)).collect();
                case.psi = (0..n).map(|i| value(i, 1)).collect();
                // A quad of equal values cancels in 6 of its 16 entries (two signs flipped).
                case.coef[..4].fill(0.5);
                case.psi[4..8].fill(-0.25);
                let at = format!("N={n}, P={p}, edges {edges}");
                // The field, tile by tile, straight from the lookups.
                let signs = SignTiles::new(&case.columns, n, p);
                let quads = signs.quads();
                let tables: Vec<f32> = (0..quads)
                    .flat_map(|m| {
                        let c = |k: usize| case.coef.get(4 * m + k).copied().unwrap_or(0.0);
                        quad_table([c(0), c(1), c(2), c(3)])
                    })
                    .collect();
                for t in 0..n.div_ceil(TILE) {
                    // SAFETY: the portable kernel needs no particular instructions;
                    // `available` said the CPU has AVX2 and FMA.
                    let want = unsafe { Portable::field(signs.field_tile(t), &tables, quads) };
                    let got = unsafe { avx2::Avx2::field(signs.field_tile(t), &tables, quads) };
                    assert!(same(&want, &got), "{at}, tile {t}: the field");
                }
                // The overlaps of Ψ as it is.
                // SAFETY: as above.
                let want = case.with_sweep(|s| unsafe { s.run_with::<Portable>(Part::Products) });
                let got = case.with_sweep(|s| unsafe { s.run_avx2(Part::Products) });
                assert!(same(&want.2, &got.2), "{at}: the overlaps");
                // Table entries did cancel to a zero, in both products.
                let cancelled = case
                    .psi
                    .chunks_exact(4)
                    .flat_map(|q| quad_table([q[0], q[1], q[2], q[3]]))
                    .filter(|&e| e == 0.0)
                    .count();
                let zeros = tables.iter().filter(|&&e| e == 0.0).count();
                assert!(
                    cancelled >= 6 && zeros >= 6,
                    "{at}: {cancelled}, {zeros} zeros"
                );
            }
        }
    }

    #[test]
    fn the_parts_alone_are_the_sweeps_parts() {
        // The floor of benches/step.rs times the parts alone: the products must be the
        // sweep's (its overlaps of Ψ as it is), the update the sweep's with a field of zeros.
        for (n, p) in [(100, 3), (1024, 10), (256, 64)] {
            let case = Case::waves(n, p, |k| (k * 7 + k / 5) % 3 != 0, 10.0);
            let (x, psi, d) = case.with_sweep(|sweep| sweep.products_alone());
            for mu in 0..p {
                let want: f64 = (0..n)
                    .map(|i| f64::from(case.columns[mu * n + i]) * f64::from(case.psi[i]))
                    .sum();
                assert!(
                    (f64::from(d[mu]) - want).abs() < 1e-3,
                    "N {n}, P {p}, μ {mu}"
                );
            }
            assert_eq!(
                (&x, &psi),
                (&case.x, &case.psi),
                "the products move nothing"
            );
            // The update alone is the whole sweep with c = 0.
            let (x, psi, _) = case.with_sweep(|sweep| sweep.update_alone());
            let mut zero = Case::waves(n, p, |k| (k * 7 + k / 5) % 3 != 0, 10.0);
            zero.coef.fill(0.0);
            let (x1, psi1, _) = zero.run(Kernel::Dispatched);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&x), bits(&x1), "N {n}, P {p}: x");
            assert_eq!(bits(&psi), bits(&psi1), "N {n}, P {p}: Ψ");
        }
    }

    #[test]
    fn sign_tiles_hold_every_entry_once_and_zeros_past_n_and_p() {
        let (n, p) = (70, 19);
        let columns: Vec<f32> = (0..n * p)
            .map(|k| if (k * 7 + k / 5) % 3 == 0 { -1.0 } else { 1.0 })
            .collect();
        let signs = SignTiles::new(&columns, n, p);
        // Two tiles; one word of 32 memories a neuron, two groups of 16 memories.
        assert_eq!(signs.field.len(), 2 * TILE);
        assert_eq!(signs.overlaps.len(), 2 * 2 * 2 * GROUP);
        for mu in 0..p {
            for i in 0..n {
                let (t, j) = (i / TILE, i % TILE);
                let negative = columns[mu * n + i] < 0.0;
                let word = signs.field_tile(t)[(mu / 32) * TILE + j];
                assert_eq!(word >> (mu % 32) & 1 == 1, negative, "ξ[{i}][{mu}] (field)");
                let (v, l) = (mu / GROUP, mu % GROUP);
                let word = signs.overlaps_tile(t)[(2 * v + j / 32) * GROUP + l];
                assert_eq!(
                    word >> (j % 32) & 1 == 1,
                    negative,
                    "ξ[{i}][{mu}] (overlaps)"
                );
            }
        }
        // Neurons 70..128 of the second tile and memories 19..32 do not exist: clear bits.
        for j in n - TILE..TILE {
            assert_eq!(signs.field_tile(1)[j], 0, "neuron {}", TILE + j);
        }
        assert!(signs.field.iter().all(|&w| w >> p == 0));
        for w in signs
            .overlaps_tile(1)
            .chunks_exact(GROUP)
            .skip(1)
            .step_by(2)
        {
            assert!(w.iter().all(|&w| w == 0));
        }
        let past_p = |t: usize| signs.overlaps_tile(t)[2 * GROUP..].to_vec();
        for t in 0..2 {
            let words = past_p(t);
            for (k, &w) in words.iter().enumerate() {
                if k % GROUP >= p - GROUP {
                    assert_eq!(w, 0, "memory {} of tile {t}", GROUP + k % GROUP);
                }
            }
        }
    }

    #[test]
    fn a_quad_table_holds_the_sixteen_signed_sums() {
        let v = [0.5f32, -1.25, 3.0, 0.125];
        let table = quad_table(v);
        for b in 0..16 {
            let want: f32 = (0..4)
                .map(|k| if b >> k & 1 == 1 { -v[k] } else { v[k] })
                .sum();
            assert_eq!(table[b], want, "entry {b}");
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

    #[test]
    fn a_linear_sweep_shows_x_and_its_overlaps() {
        // The modern models: Ψ = x and d = Ξᵀx of the new state.
        let c = Case {
            linear: true,
            ..Case::waves(70, 5, |k| (k * 7 + k / 3) % 5 < 2, 2.0)
        };
        let (x, psi, d) = c.run(Kernel::Dispatched);
        assert_eq!(x, psi);
        for mu in 0..c.p {
            let want: f64 = (0..c.n)
                .map(|i| f64::from(c.columns[mu * c.n + i]) * f64::from(x[i]))
                .sum();
            assert!((f64::from(d[mu]) - want).abs() < 1e-3, "d[{mu}]");
        }
    }
}
