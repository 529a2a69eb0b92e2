//! The distinct rows of Ξ, with the bias: neurons with the same signs across the memories and
//! the same bias current see the same field, so on the flow the solver follows (see `flow.rs`)
//! they have the same state and activation at every point. Every sum over neurons is a sum
//! over the distinct rows weighted by how many neurons share each: the built-in set's 1,024
//! neurons are 228 rows; random sets have about min(N, 2^P·(1 − e^{−N/2^P})) of them.

use std::borrow::Cow;
use std::collections::hash_map::Entry;

use foldhash::HashMap;
use foldhash::HashMapExt;
use std::sync::OnceLock;

use super::basis::dot;

/// The distinct (sign row, bias) pairs of N neurons over P memories, in order of first
/// appearance, with their counts.
#[derive(Debug, Clone)]
pub struct Rows {
    /// Neurons, N.
    pub n: usize,
    /// Memories, P.
    pub p: usize,
    /// Row-major U×P: row u's signs ξ_uμ at `signs[u·P..(u+1)·P]`.
    signs: Vec<f64>,
    /// How many neurons share row u.
    counts: Vec<f64>,
    /// The bias current of row u, when one flows.
    bias: Option<Vec<f64>>,
    /// The signs again as bits (set: ξ = −1), for the AVX-512 and AVX2 kernels: row-major, row u's
    /// memories 8b..8b+8 in byte `u·⌈P/8⌉ + b` (for [`Self::gram`])...
    row_bits: Vec<u8>,
    /// ...the same bytes as where their eight signs as f64 (±1.0) begin in the kernels' table
    /// of them, which a product reads without a shift (for [`Self::project`])...
    row_signs: Vec<SignsAt>,
    /// ...and by groups of 8 rows: rows 8g..8g+8 of memory μ in `g·P + μ`, as where their
    /// signs begin (for [`Self::combine`]). The bits are 1/64 of the f64 signs, the offsets
    /// 1/32, so all three stay in the L2 cache.
    group_signs: Vec<SignsAt>,
    /// Every row's signs as [`Self::gram`]'s kernels read them: made at the first K
    /// with at least 3/4 of the rows active and kept for the rest of the solve (a `Rows` is
    /// made per solve).
    all_runs: OnceLock<Runs>,
    /// Every row's signs sorted by each byte of them (see [`Sorted`]), for the AVX2 kernels of
    /// K (f32 and f64) with at least 3/4 of the rows active: made at the first such K and kept
    /// (boxed: most `Rows` never make it).
    sorted: OnceLock<Box<Sorted>>,
}

/// Distinct keys (sign bits, then the bias's bits) to their row: in one 128-bit word when they
/// fit (up to 128 memories, or 64 with a bias), without an allocation per row.
enum Index {
    Narrow(HashMap<u128, usize>),
    Wide(HashMap<Vec<u64>, usize>),
}

impl Index {
    fn with_capacity(words: usize, rows: usize) -> Self {
        if words <= 2 {
            Index::Narrow(HashMap::with_capacity(rows))
        } else {
            Index::Wide(HashMap::with_capacity(rows))
        }
    }

    /// The row of `key`, or `None` after making it row `next`.
    fn find_or_insert(&mut self, key: &[u64], next: usize) -> Option<usize> {
        match self {
            Index::Narrow(map) => {
                let k = key
                    .iter()
                    .rev()
                    .fold(0u128, |k, &w| k << 64 | u128::from(w));
                match map.entry(k) {
                    Entry::Occupied(e) => Some(*e.get()),
                    Entry::Vacant(e) => {
                        e.insert(next);
                        None
                    }
                }
            }
            Index::Wide(map) => match map.get(key) {
                Some(&u) => Some(u),
                None => {
                    map.insert(key.to_vec(), next);
                    None
                }
            },
        }
    }
}

/// Rows' signs, each memory group in its own run, as [`Rows::gram`]'s loop reads them: for
/// each 8 memories a byte a row, for each 16 a mask a row.
#[derive(Debug, Clone, Default)]
struct Runs {
    signs: Vec<Vec<u8>>,
    masks: Vec<Vec<u16>>,
}

/// Every row, for each 8 memories 8a..8a+8, in order of its byte of signs there (a stable
/// sort: a byte's rows in order), so that a bucket of [`Rows::gram`]'s table is its rows one
/// after the other and sums them in a register, in the order the table would.
#[derive(Debug, Clone, Default)]
struct Sorted {
    /// Per byte a: the rows by their byte a.
    order: Vec<Vec<u32>>,
    /// Per byte a: where the rows of byte s begin in `order[a]` (s = 0..=256).
    starts: Vec<Vec<usize>>,
    /// Per byte a: the rows' signs on the blocks of 16 memories a/2.. (the blocks its table
    /// fills), row by row in `order[a]`'s order: for each block its two bytes of sign bits,
    /// each times 32, where that byte's eight ±1.0 begin in the kernel's table of them.
    masks: Vec<Vec<[u16; 2]>>,
}

impl Rows {
    /// The rows of column-major ±1 memories (N×P, as `Memories::columns`) and `bias` (length N).
    pub fn new(columns: &[f32], n: usize, p: usize, bias: Option<&[f64]>) -> Self {
        let words = (p.div_ceil(64) + usize::from(bias.is_some())).max(1);
        let mut index = Index::with_capacity(words, n.min(1 << 16));
        let mut signs = Vec::new();
        let mut counts: Vec<f64> = Vec::new();
        let mut biases = Vec::new();
        // Every neuron's key, a column at a time (read in order, no branch on the signs).
        let mut keys = vec![0u64; n * words];
        for (mu, column) in columns.chunks_exact(n.max(1)).take(p).enumerate() {
            let (word, bit) = (mu / 64, mu % 64);
            for (key, &v) in keys.chunks_exact_mut(words).zip(column) {
                key[word] |= u64::from(v < 0.0) << bit;
            }
        }
        if let Some(b) = bias {
            for (key, &b) in keys.chunks_exact_mut(words).zip(b) {
                key[words - 1] = b.to_bits();
            }
        }
        for (i, key) in keys.chunks_exact(words).enumerate() {
            match index.find_or_insert(key, counts.len()) {
                Some(u) => counts[u] += 1.0,
                None => {
                    counts.push(1.0);
                    signs.extend((0..p).map(|mu| f64::from(columns[mu * n + i])));
                    if let Some(b) = bias {
                        biases.push(b[i]);
                    }
                }
            }
        }
        let u = counts.len();
        let bytes = p.div_ceil(8);
        let mut row_bits = vec![0u8; u * bytes];
        let mut group_bits = vec![0u8; u.div_ceil(8) * p];
        for r in 0..u {
            for mu in 0..p {
                if signs[r * p + mu] < 0.0 {
                    row_bits[r * bytes + mu / 8] |= 1 << (mu % 8);
                    group_bits[(r / 8) * p + mu] |= 1 << (r % 8);
                }
            }
        }
        let at = |bits: &[u8]| bits.iter().map(|&b| SignsAt::of(b)).collect::<Vec<_>>();
        let (row_signs, group_signs) = (at(&row_bits), at(&group_bits));
        Self {
            n,
            p,
            signs,
            counts,
            bias: bias.map(|_| biases),
            row_bits,
            row_signs,
            group_signs,
            all_runs: OnceLock::new(),
            sorted: OnceLock::new(),
        }
    }

    /// The runs of `rows` (indices) in that order.
    fn runs_of(&self, rows: impl ExactSizeIterator<Item = usize>) -> Runs {
        let bytes = self.p.div_ceil(8);
        let cap = rows.len();
        let mut runs = Runs {
            signs: (0..bytes).map(|_| Vec::with_capacity(cap)).collect(),
            masks: (0..self.p.div_ceil(16))
                .map(|_| Vec::with_capacity(cap))
                .collect(),
        };
        for u in rows {
            let bits = &self.row_bits[u * bytes..(u + 1) * bytes];
            for (run, &b) in runs.signs.iter_mut().zip(bits) {
                run.push(b);
            }
            for (j, run) in runs.masks.iter_mut().enumerate() {
                run.push(
                    u16::from(bits[2 * j]) | bits.get(2 * j + 1).map_or(0, |&h| u16::from(h) << 8),
                );
            }
        }
        runs
    }

    /// [`Sorted`]: every row by each byte of its signs (a counting sort).
    fn sorted_of(&self) -> Sorted {
        let (u, bytes, blocks) = (self.len(), self.p.div_ceil(8), self.p.div_ceil(16));
        let mut sorted = Sorted::default();
        for a in 0..bytes {
            let byte = |r: usize| usize::from(self.row_bits[r * bytes + a]);
            let mut starts = vec![0usize; 257];
            for r in 0..u {
                starts[byte(r) + 1] += 1;
            }
            for s in 0..256 {
                starts[s + 1] += starts[s];
            }
            let mut next = starts.clone();
            let mut order = vec![0u32; u];
            for r in 0..u {
                let at = &mut next[byte(r)];
                order[*at] = r as u32;
                *at += 1;
            }
            let mut masks = Vec::with_capacity(u * (blocks - a / 2));
            for &r in &order {
                let bits = &self.row_bits[r as usize * bytes..(r as usize + 1) * bytes];
                for j in a / 2..blocks {
                    let byte = |i: usize| 32 * bits.get(i).map_or(0, |&b| u16::from(b));
                    masks.push([byte(2 * j), byte(2 * j + 1)]);
                }
            }
            sorted.order.push(order);
            sorted.starts.push(starts);
            sorted.masks.push(masks);
        }
        sorted
    }

    /// The runs [`Self::gram`]'s kernel reads for `d` (`active` of its entries nonzero), with
    /// d_u per row in them: every row's (kept from the first call) when at least 3/4 of the
    /// rows are active, an inactive one adding ±0 to its bucket, which leaves every bucket's
    /// bits as they were (a bucket starts at +0 and a sum is never −0); else the active rows'
    /// only. Either gives the same sums: `active` only picks the faster.
    fn gram_runs<'a>(
        &'a self,
        d: &'a [f64],
        active: usize,
        packed: &'a mut Runs,
    ) -> (&'a Runs, Cow<'a, [f64]>) {
        let u = self.len();
        if 4 * active >= 3 * u {
            let runs = self.all_runs.get_or_init(|| self.runs_of(0..u));
            (runs, Cow::Borrowed(&d[..u]))
        } else {
            let rows: Vec<usize> = (0..u).filter(|&r| d[r] != 0.0).collect();
            *packed = self.runs_of(rows.iter().copied());
            (packed, Cow::Owned(rows.iter().map(|&r| d[r]).collect()))
        }
    }

    /// U, the number of distinct rows.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Row u's signs (length P).
    pub fn row(&self, u: usize) -> &[f64] {
        &self.signs[u * self.p..(u + 1) * self.p]
    }

    /// How many neurons share row u.
    pub fn count(&self, u: usize) -> f64 {
        self.counts[u]
    }

    /// A bias current flows into some row.
    pub fn has_bias(&self) -> bool {
        self.bias.is_some()
    }

    /// Row u's bias current (0 when none flows).
    pub fn bias(&self, u: usize) -> f64 {
        self.bias.as_ref().map_or(0.0, |b| b[u])
    }

    /// ξ_u · v for every row u into `out` (length U).
    pub fn combine(&self, v: &[f64], out: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked above).
            unsafe { avx512::combine(self, v, out) };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA (checked above).
            unsafe { avx2::combine(self, v, out) };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked above).
            unsafe { self.combine_avx2(v, out) };
            return;
        }
        self.combine_portable(v, out);
    }

    /// (1/N) Σ_i ξ_i v_i with v given per row (length U), into `out` (length P).
    pub fn project(&self, v: &[f64], out: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked above).
            unsafe { avx512::project(self, v, out) };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA (checked above).
            unsafe { avx2::project(self, v, out) };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked above).
            unsafe { self.project_avx2(v, out) };
            return;
        }
        self.project_portable(v, out);
    }

    // The same loops compiled for AVX2: four f64 lanes instead of two, the same operations in
    // the same order (no fused multiply-add), so bitwise the same sums.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn combine_avx2(&self, v: &[f64], out: &mut [f64]) {
        self.combine_portable(v, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn project_avx2(&self, v: &[f64], out: &mut [f64]) {
        self.project_portable(v, out);
    }

    #[inline(always)]
    fn combine_portable(&self, v: &[f64], out: &mut [f64]) {
        if self.p == 0 {
            out.fill(0.0);
            return;
        }
        for (o, row) in out.iter_mut().zip(self.signs.chunks_exact(self.p)) {
            *o = dot(row, v);
        }
    }

    #[inline(always)]
    fn project_portable(&self, v: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for (u, &value) in v.iter().enumerate() {
            let k = self.counts[u] * value;
            if k != 0.0 {
                for (o, &s) in out.iter_mut().zip(self.row(u)) {
                    *o += k * s;
                }
            }
        }
        let n = self.n as f64;
        out.iter_mut().for_each(|o| *o /= n);
    }

    /// Appends row u's signs times `r` to `buf` (P values): ±r, exactly.
    pub fn push_scaled(&self, u: usize, r: f64, buf: &mut Vec<f64>) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked above).
            unsafe { avx512::push_scaled(self, u, r, buf) };
            return;
        }
        buf.extend(self.row(u).iter().map(|v| v * r));
    }

    /// K = (1/N) Σ_u d_u ξ_u ξ_uᵀ over the rows with d_u ≠ 0 (`d` per row, length U, `active`
    /// of them nonzero, as the caller has counted them), P×P
    /// row-major into `out` (length P²; K is symmetric, so also column-major), on the sign
    /// bits, by table: for memories 8a..8a+8 and 16b..16b+16, the rows are summed into one of
    /// 256 buckets by their 8 signs on the first (T_s = Σ d_u ξ_u,16b.. over the rows u of
    /// signs s, a 16-vector; in f32 when `single`, else f64), and K's 8×16 entries are
    /// Σ_s ±T_s, in f64. A row costs one 16-wide add per block of K's upper triangle (20 at
    /// P = 64) instead of P² multiply-adds. Every kernel adds in this order, so gives bitwise
    /// these sums (a ±1 entry times d_u is ±d_u exactly); they are not a matrix product's,
    /// whose order is its own.
    pub fn gram(&self, d: &[f64], active: usize, single: bool, out: &mut [f64]) {
        assert!(d.len() >= self.len() && out.len() >= self.p * self.p);
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked above).
            unsafe {
                if single {
                    avx512::gram_f32(self, d, active, out)
                } else {
                    avx512::gram_f64(self, d, active, out)
                }
            };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked above), and FMA where the sorted kernel runs.
            unsafe {
                let sorted =
                    4 * active >= 3 * self.len() && std::arch::is_x86_feature_detected!("fma");
                if sorted && single {
                    avx2_gram::gram_sorted_f32(self, d, out)
                } else if sorted {
                    avx2_gram::gram_sorted_f64(self, d, out)
                } else if single {
                    self.gram_avx2::<f32>(d, active, out)
                } else {
                    self.gram_avx2::<f64>(d, active, out)
                }
            };
            return;
        }
        if single {
            self.gram_lanes::<f32>(d, active, out);
        } else {
            self.gram_lanes::<f64>(d, active, out);
        }
    }

    /// [`Self::gram_lanes`] compiled for AVX2 (eight f32 or four f64 lanes): the same
    /// operations in the same order, so bitwise the same sums.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn gram_avx2<T: Bucket>(&self, d: &[f64], active: usize, out: &mut [f64]) {
        self.gram_lanes::<T>(d, active, out);
    }

    /// [`Self::gram`] without AVX-512 (and, with AVX2, below 3/4 of the rows active or without
    /// FMA: else `avx2_gram`), written so that the compiler can put the 16 lanes of a
    /// bucket in vectors: the AVX-512 kernels' runs (a row's byte of signs, its 16-bit mask,
    /// d_u, read in order), and a lane's ±d_u by flipping d_u's sign bit where the mask's bit
    /// is set (−d_u exactly, with no branch). Each bucket adds its rows in order, and the 256
    /// buckets go to K as in the plainest loops (the tests' `gram_portable`): bitwise their
    /// sums.
    #[inline(always)]
    fn gram_lanes<T: Bucket>(&self, d: &[f64], active: usize, out: &mut [f64]) {
        let p = self.p;
        let mut total = vec![0.0f64; p * p];
        let mut packed = Runs::default();
        let (runs, dv) = self.gram_runs(d, active, &mut packed);
        let du: Vec<T> = dv.iter().map(|&d| T::of(d)).collect();
        let mut table = [[T::default(); 16]; 256];
        for (a, sign) in runs.signs.iter().enumerate() {
            for (b, masks) in runs.masks.iter().enumerate().skip(a / 2) {
                table.fill([T::default(); 16]);
                for ((&du, &s), &m) in du.iter().zip(sign).zip(masks) {
                    let t = &mut table[usize::from(s)];
                    for (l, t) in t.iter_mut().enumerate() {
                        *t = *t + du.flipped(u32::from(m) >> l & 1);
                    }
                }
                add_table(&table, &mut total, p, a, b);
            }
        }
        finish_gram(&total, self.n, p, out);
    }

    /// The sums [`Self::gram`]'s kernels must give, by the plainest loops (the tests' reference).
    #[cfg(test)]
    fn gram_portable<T: Bucket>(&self, d: &[f64], out: &mut [f64]) {
        let p = self.p;
        let (bytes, blocks) = (p.div_ceil(8), p.div_ceil(16));
        let active: Vec<usize> = (0..self.len()).filter(|&u| d[u] != 0.0).collect();
        let mut total = vec![0.0f64; p * p];
        let mut table = [[T::default(); 16]; 256];
        for a in 0..bytes {
            for b in a / 2..blocks {
                table.fill([T::default(); 16]);
                for &u in &active {
                    let du = T::of(d[u]);
                    let row = self.row(u);
                    let s = self.row_bits[u * bytes + a];
                    for (l, t) in table[usize::from(s)].iter_mut().enumerate() {
                        let minus = row.get(16 * b + l).is_some_and(|&v| v < 0.0);
                        *t = *t + if minus { -du } else { du };
                    }
                }
                // Its own reduction, not `add_table`'s, so that a mistake there fails the check.
                let mut plus = [[0.0f64; 16]; 8];
                let mut minus = [[0.0f64; 16]; 8];
                for (s, t) in table.iter().enumerate() {
                    for i in 0..8 {
                        let sum = if s >> i & 1 == 1 {
                            &mut minus[i]
                        } else {
                            &mut plus[i]
                        };
                        for (o, &v) in sum.iter_mut().zip(t) {
                            *o += v.into();
                        }
                    }
                }
                for i in 0..8 {
                    let k: [f64; 16] = std::array::from_fn(|l| plus[i][l] - minus[i][l]);
                    add_upper(&mut total, p, 8 * a + i, 16 * b, &k);
                }
            }
        }
        finish_gram(&total, self.n, p, out);
    }

    /// Σ_i f(row of i) over the N neurons.
    pub fn sum(&self, f: impl Fn(usize) -> f64) -> f64 {
        let [total] = self.sums(|u| [f(u)]);
        total
    }

    /// Several sums Σ_i f(row of i)[j] over the N neurons in one sweep, each added row by row
    /// in order from `Iterator::sum`'s zero (as `Iterator::sum` would).
    pub fn sums<const J: usize>(&self, f: impl Fn(usize) -> [f64; J]) -> [f64; J] {
        let zero: f64 = [0.0f64; 0].iter().sum();
        let mut total = [zero; J];
        for (u, &k) in self.counts.iter().enumerate() {
            for (t, v) in total.iter_mut().zip(f(u)) {
                *t += k * v;
            }
        }
        total
    }

    /// How many neurons share each row.
    pub fn counts(&self) -> &[f64] {
        &self.counts
    }
}

/// What [`Rows::gram`]'s buckets hold: f32 or f64.
trait Bucket:
    Copy + Default + std::ops::Add<Output = Self> + std::ops::Neg<Output = Self> + Into<f64>
{
    fn of(d: f64) -> Self;
    /// −self where `bit` (0 or 1) is 1, else self: the sign bit flipped, which is what
    /// negation does, without a branch.
    fn flipped(self, bit: u32) -> Self;
}

impl Bucket for f32 {
    fn of(d: f64) -> Self {
        d as f32
    }

    #[inline(always)]
    fn flipped(self, bit: u32) -> Self {
        f32::from_bits(self.to_bits() ^ bit << 31)
    }
}

impl Bucket for f64 {
    fn of(d: f64) -> Self {
        d
    }

    #[inline(always)]
    fn flipped(self, bit: u32) -> Self {
        f64::from_bits(self.to_bits() ^ u64::from(bit) << 63)
    }
}

/// Adds the 256 buckets of the table of memories 8a..8a+8 (by their signs there) and
/// 16b..16b+16 (the lanes) to K's rows 8a..8a+8, in f64: row 8a + i is the buckets with bit i
/// clear less those with it set, each summed in the order of the buckets.
#[inline(always)]
fn add_table<T: Bucket>(table: &[[T; 16]; 256], total: &mut [f64], p: usize, a: usize, b: usize) {
    let mut plus = [[0.0f64; 16]; 8];
    let mut minus = [[0.0f64; 16]; 8];
    for (s, t) in table.iter().enumerate() {
        for i in 0..8 {
            let sum = if s >> i & 1 == 1 {
                &mut minus[i]
            } else {
                &mut plus[i]
            };
            for (o, &v) in sum.iter_mut().zip(t) {
                *o += v.into();
            }
        }
    }
    for i in 0..8 {
        let k: [f64; 16] = std::array::from_fn(|l| plus[i][l] - minus[i][l]);
        add_upper(total, p, 8 * a + i, 16 * b, &k);
    }
}

/// Adds `k` to K's row `a`, memories `b0`..`b0` + 16, where those are below P and on or right
/// of the diagonal (`total` row-major, P×P).
fn add_upper(total: &mut [f64], p: usize, a: usize, b0: usize, k: &[f64; 16]) {
    if a >= p {
        return;
    }
    for (l, &v) in k.iter().enumerate() {
        let b = b0 + l;
        if b >= a && b < p {
            total[a * p + b] += v;
        }
    }
}

/// K's upper triangle `total` (row-major, P×P), divided by N and mirrored into `out`.
fn finish_gram(total: &[f64], n: usize, p: usize, out: &mut [f64]) {
    let n = n as f64;
    for a in 0..p {
        for b in a..p {
            let k = total[a * p + b] / n;
            out[a * p + b] = k;
            out[b * p + a] = k;
        }
    }
}

pub(super) use signs_at::SignsAt;

mod signs_at {
    /// Where the eight signs of a byte of sign bits begin in the AVX-512 and AVX2 kernels'
    /// table of them (`avx512::UNITS`): 64 times the byte. The only way to make one is [`Self::of`], so
    /// every value is a multiple of 64 below 16,384, inside the table.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct SignsAt(u16);

    impl SignsAt {
        pub const fn of(byte: u8) -> Self {
            Self((byte as u16) << 6)
        }

        /// The offset in bytes.
        #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
        pub const fn bytes(self) -> usize {
            self.0 as usize
        }
    }
}

/// The products on the sign bits, 8 f64 lanes at a time (and [`Rows::gram`]'s kernels, 16
/// lanes a bucket): a ±1 entry times v is v or −v, exactly, so adding ±v in the portable
/// loops' order gives bitwise their sums, at 1/32 of the memory traffic (the f64 signs of a
/// 16384×64 set are 8 MB; the bits 128 KB, and the products' offsets of them 256 KB).
/// `combine` puts one row in each lane and adds as [`dot`] does (four accumulators over the
/// memories, then the tail), two groups of 8 rows side by side; `project` puts one memory in
/// each lane and adds the rows in order. Each term is one fused multiply-add of the lane's
/// ±1.0, read from a table at an offset kept per byte of signs, and v (`add_signed`): the
/// product is exact, so it rounds once, as the add of ±v does. (A NaN's sign or payload may
/// differ from the portable loops'; a solve tests values for being finite, never those, and
/// prints none.)
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{Rows, SignsAt};
    use std::arch::x86_64::*;

    /// For each byte of eight sign bits, the eight signs it stands for as f64 (lane j is −1
    /// where bit j is set, else +1), a byte's at 64 times it ([`SignsAt`]). A sign times v is
    /// ±v exactly, so a fused multiply-add of a sign and v onto a sum rounds once, after an
    /// exact product: the sum plus ±v, bit for bit, in one operation that reads the signs from
    /// memory.
    #[repr(C, align(64))]
    pub(super) struct Units(pub(super) [[f64; 8]; 256]);

    pub(super) static UNITS: Units = {
        let mut t = [[1.0f64; 8]; 256];
        let mut m = 0;
        while m < 256 {
            let mut j = 0;
            while j < 8 {
                if m >> j & 1 == 1 {
                    t[m][j] = -1.0;
                }
                j += 1;
            }
            m += 1;
        }
        Units(t)
    };

    /// The signs at `at` in [`UNITS`].
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn units(at: SignsAt) -> __m512d {
        const { assert!(std::mem::size_of::<Units>() == 256 * 64) };
        // SAFETY: a `SignsAt` is 64 times a byte (its only constructor): a multiple of 64
        // below 16,384, the size of the table, which is 64-byte aligned.
        unsafe { _mm512_load_pd(UNITS.0.as_ptr().cast::<u8>().add(at.bytes()).cast()) }
    }

    /// `sum` + v with the signs at `at` (see [`UNITS`]): bitwise the sum and ±v added.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn add_signed(sum: __m512d, at: SignsAt, v: __m512d) -> __m512d {
        _mm512_fmadd_pd(units(at), v, sum)
    }

    /// `dot` of two groups of 8 rows (lane j of a group is its row j; `a` and `b`, their P
    /// offsets) with the P values broadcast in `plus`, each lane in `dot`'s order: four
    /// running sums over the memories 4k..4k+4, the tail's from −0.0 (the identity of
    /// `Iterator::sum`), added as `dot` adds them. Two groups side by side give the processor
    /// eight chains of additions to overlap.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn pair_dots(a: &[SignsAt], b: &[SignsAt], plus: &[__m512d]) -> [__m512d; 2] {
        let p = plus.len();
        let full = p / 4 * 4;
        let (a, b) = (&a[..p], &b[..p]);
        let mut acc = [[_mm512_setzero_pd(); 4]; 2];
        // Memories 4k..4k+4 at a time, from slices of four (so that the compiler can leave
        // out the bounds checks).
        let quads = a[..full]
            .chunks_exact(4)
            .zip(b[..full].chunks_exact(4))
            .zip(plus[..full].chunks_exact(4));
        for ((a, b), plus) in quads {
            for l in 0..4 {
                acc[0][l] = add_signed(acc[0][l], a[l], plus[l]);
                acc[1][l] = add_signed(acc[1][l], b[l], plus[l]);
            }
        }
        let zero = _mm512_set1_pd([0.0f64; 0].iter().sum());
        let mut tail = [zero; 2];
        for ((&a, &b), &plus) in a[full..].iter().zip(&b[full..]).zip(&plus[full..]) {
            tail[0] = add_signed(tail[0], a, plus);
            tail[1] = add_signed(tail[1], b, plus);
        }
        std::array::from_fn(|g| {
            let a = &acc[g];
            _mm512_add_pd(
                _mm512_add_pd(_mm512_add_pd(a[0], a[1]), _mm512_add_pd(a[2], a[3])),
                tail[g],
            )
        })
    }

    #[target_feature(enable = "avx512f")]
    pub fn combine(rows: &Rows, v: &[f64], out: &mut [f64]) {
        let (p, u) = (rows.p, rows.len());
        assert!(v.len() >= p && out.len() >= u);
        if p == 0 {
            out[..u].fill(0.0);
            return;
        }
        let plus: Vec<__m512d> = v[..p].iter().map(|&x| _mm512_set1_pd(x)).collect();
        // Rows 8g..8g+8 of `out` (fewer in the last group).
        let mut store = |g: usize, sum: __m512d| {
            let lanes = (u - 8 * g).min(8);
            // SAFETY: lanes ≤ 8 and rows 8g..8g+lanes are in `out` (asserted above).
            unsafe {
                if lanes == 8 {
                    _mm512_storeu_pd(out.as_mut_ptr().add(8 * g), sum)
                } else {
                    _mm512_mask_storeu_pd(
                        out.as_mut_ptr().add(8 * g),
                        ((1u16 << lanes) - 1) as u8,
                        sum,
                    )
                }
            };
        };
        // Two groups at a time (eight chains of additions), then the last one if odd.
        let pairs = rows.group_signs.chunks_exact(2 * p);
        let odd = pairs.remainder();
        let mut g = 0;
        for pair in pairs {
            let [a, b] = pair_dots(&pair[..p], &pair[p..], &plus);
            store(g, a);
            store(g + 1, b);
            g += 2;
        }
        if !odd.is_empty() {
            // Alone: as the first of a pair with itself.
            let [a, _] = pair_dots(odd, odd, &plus);
            store(g, a);
        }
    }

    #[target_feature(enable = "avx512f")]
    pub fn push_scaled(rows: &Rows, u: usize, r: f64, buf: &mut Vec<f64>) {
        let p = rows.p;
        let bytes = p.div_ceil(8);
        let start = buf.len();
        buf.resize(start + p, 0.0);
        let plus = _mm512_set1_pd(r);
        let out = &mut buf[start..];
        for (b, &m) in rows.row_bits[u * bytes..(u + 1) * bytes].iter().enumerate() {
            let lanes = (p - 8 * b).min(8);
            // SAFETY: lanes ≤ 8 and entries 8b..8b+lanes of `out` exist (its length is P).
            unsafe {
                _mm512_mask_storeu_pd(
                    out.as_mut_ptr().add(8 * b),
                    ((1u16 << lanes) - 1) as u8,
                    _mm512_mul_pd(units(SignsAt::of(m)), plus),
                )
            };
        }
    }

    /// [`Rows::gram`]'s kernels: a bucket is 16 lanes (one f32 vector, or two f64 ones); a
    /// row's 16 signs on memories 16b.. pick +d_u or −d_u lane by lane (a blend), added to the
    /// bucket of its 8 signs on memories 8a..; then the 256 buckets, in f64, go to K's rows
    /// 8a..8a+8.
    macro_rules! gram_kernel {
        ($name:ident, $scalar:ty, $bucket:ty, $zero:expr, $set1:ident, $width:expr,
         |$t:ident, $m:ident, $plus:ident, $minus:ident| $update:expr,
         |$b:ident| $halves:expr) => {
            #[target_feature(enable = "avx512f")]
            pub fn $name(rows: &Rows, d: &[f64], active: usize, out: &mut [f64]) {
                /// Blocks of 16 memories whose tables one pass over the rows fills.
                const W: usize = $width;
                let p = rows.p;
                let mut total = vec![0.0f64; p * p];
                // Per row read, each in its own run: d_u and −d_u, its signs on each 8
                // memories (a byte), its signs on each 16 (a mask).
                let mut packed = super::Runs::default();
                let (runs, dv) = rows.gram_runs(d, active, &mut packed);
                let du: Vec<$scalar> = dv.iter().map(|&d| d as $scalar).collect();
                let minus_du: Vec<$scalar> = du.iter().map(|&d| -d).collect();
                let (signs, masks) = (&runs.signs, &runs.masks);
                let mut tables: [[$bucket; 256]; W] = [[$zero; 256]; W];
                /// Adds each row's ±d_u to the bucket of its byte `sign` in the table of each
                /// of the `V` blocks (`blocks`: the rows' signs on each), rows in order.
                #[inline]
                #[target_feature(enable = "avx512f")]
                fn fill<const V: usize>(
                    tables: &mut [[$bucket; 256]],
                    blocks: [&[u16]; V],
                    du: &[$scalar],
                    minus_du: &[$scalar],
                    sign: &[u8],
                ) {
                    let rows = du.iter().zip(minus_du).zip(sign).enumerate();
                    for (u, ((&plus, &minus), &s)) in rows {
                        let ($plus, $minus) = ($set1(plus), $set1(minus));
                        for (table, block) in tables.iter_mut().zip(&blocks) {
                            let $t = &mut table[usize::from(s)];
                            let $m = block[u];
                            $update;
                        }
                    }
                }
                for (a, sign) in signs.iter().enumerate() {
                    // Blocks b of 16 memories from a/2 on, W at a time (their W tables of 256
                    // buckets, 16 or 32 KB each, stay in L1): a row's d_u, −d_u and byte are
                    // read once for them all, and each bucket adds its rows in order.
                    let mut b = a / 2;
                    while b < masks.len() {
                        let w = (masks.len() - b).min(W);
                        for table in &mut tables[..w] {
                            table.fill($zero);
                        }
                        if w == W {
                            let blocks = std::array::from_fn(|j| &masks[b + j][..]);
                            fill::<W>(&mut tables, blocks, &du, &minus_du, sign);
                        } else {
                            fill::<1>(&mut tables[..1], [&masks[b][..]], &du, &minus_du, sign);
                        }
                        for (j, table) in tables[..w].iter().enumerate() {
                            let mut plus = [[_mm512_setzero_pd(); 2]; 8];
                            let mut minus = [[_mm512_setzero_pd(); 2]; 8];
                            for (s, $b) in table.iter().enumerate() {
                                let (lo, hi) = $halves;
                                for i in 0..8 {
                                    let sum = if s >> i & 1 == 1 {
                                        &mut minus[i]
                                    } else {
                                        &mut plus[i]
                                    };
                                    sum[0] = _mm512_add_pd(sum[0], lo);
                                    sum[1] = _mm512_add_pd(sum[1], hi);
                                }
                            }
                            for i in 0..8 {
                                let mut k = [0.0f64; 16];
                                // SAFETY: `k` holds 16 f64.
                                unsafe {
                                    _mm512_storeu_pd(
                                        k.as_mut_ptr(),
                                        _mm512_sub_pd(plus[i][0], minus[i][0]),
                                    );
                                    _mm512_storeu_pd(
                                        k.as_mut_ptr().add(8),
                                        _mm512_sub_pd(plus[i][1], minus[i][1]),
                                    );
                                }
                                super::add_upper(&mut total, p, 8 * a + i, 16 * (b + j), &k);
                            }
                        }
                        b += w;
                    }
                }
                super::finish_gram(&total, rows.n, p, out);
            }
        };
    }

    gram_kernel!(
        gram_f32,
        f32,
        __m512,
        _mm512_setzero_ps(),
        _mm512_set1_ps,
        2,
        |t, m, plus, minus| *t = _mm512_add_ps(*t, _mm512_mask_blend_ps(m, plus, minus)),
        |t| (
            _mm512_cvtps_pd(_mm512_castps512_ps256(*t)),
            _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(
                _mm512_castps_pd(*t),
                1
            )))
        )
    );

    gram_kernel!(
        gram_f64,
        f64,
        [__m512d; 2],
        [_mm512_setzero_pd(); 2],
        _mm512_set1_pd,
        1,
        |t, m, plus, minus| {
            let [lo, hi] = m.to_le_bytes();
            t[0] = _mm512_add_pd(t[0], _mm512_mask_blend_pd(lo, plus, minus));
            t[1] = _mm512_add_pd(t[1], _mm512_mask_blend_pd(hi, plus, minus));
        },
        |t| (t[0], t[1])
    );

    /// Up to 8 accumulators (64 memories) at a time, held in registers for a pass over the
    /// rows; each lane adds the same terms in the same order as `project_portable`, rows with
    /// k = 0 included (±0, which leaves the sum as it is) where the portable loop skips them.
    #[target_feature(enable = "avx512f")]
    pub fn project(rows: &Rows, v: &[f64], out: &mut [f64]) {
        let (p, u) = (rows.p, rows.len());
        assert!(v.len() >= u && out.len() >= p);
        let bytes = p.div_ceil(8);
        let mut first = 0;
        while first < bytes {
            match bytes - first {
                1 => project_bytes::<1>(rows, v, bytes, first, out),
                2 => project_bytes::<2>(rows, v, bytes, first, out),
                3 => project_bytes::<3>(rows, v, bytes, first, out),
                4 => project_bytes::<4>(rows, v, bytes, first, out),
                5 => project_bytes::<5>(rows, v, bytes, first, out),
                6 => project_bytes::<6>(rows, v, bytes, first, out),
                7 => project_bytes::<7>(rows, v, bytes, first, out),
                _ => project_bytes::<8>(rows, v, bytes, first, out),
            }
            first += 8;
        }
    }

    /// `project` of memories 8·first..8·(first + B) (at most P; a row's signs are `bytes`).
    #[target_feature(enable = "avx512f")]
    fn project_bytes<const B: usize>(
        rows: &Rows,
        v: &[f64],
        bytes: usize,
        first: usize,
        out: &mut [f64],
    ) {
        let (p, u) = (rows.p, rows.len());
        debug_assert!(bytes > 0 && first + B <= bytes);
        let mut acc = [_mm512_setzero_pd(); B];
        let row_signs = rows.row_signs.chunks_exact(bytes);
        for ((&count, &value), signs) in rows.counts.iter().zip(&v[..u]).zip(row_signs) {
            // k = 0 adds ±0, which leaves every sum as it is (they start at +0, and a sum is
            // −0 only when both terms are).
            let k = _mm512_set1_pd(count * value);
            let signs: &[SignsAt; B] = signs[first..first + B].try_into().expect("B bytes");
            for (a, &s) in acc.iter_mut().zip(signs) {
                *a = add_signed(*a, s, k);
            }
        }
        let n = rows.n as f64;
        for (b, a) in acc.iter().enumerate() {
            let mut lanes = [0.0f64; 8];
            // SAFETY: `lanes` holds 8 f64.
            unsafe { _mm512_storeu_pd(lanes.as_mut_ptr(), *a) };
            let start = 8 * (first + b);
            for (o, l) in out[start..p.min(start + 8)].iter_mut().zip(lanes) {
                *o = l / n;
            }
        }
    }
}

/// The products on the sign bits where the processor has AVX2 and FMA but not AVX-512 (most
/// x86 processors before 2022, Zen 3 among them): the AVX-512 kernels' sums with four f64
/// lanes, a byte's eight signs read from their table as two halves. `combine` puts one row in
/// each lane, a group of 8 rows in two vectors, and adds as [`dot`] does; `project` puts one
/// memory in each lane, four bytes of memories (eight vectors) a pass over the rows, and adds
/// the rows in order. Each term is a fused multiply-add of ±1.0 and v: exact product, one
/// rounding, bitwise the portable loops' add of ±v.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::avx512::UNITS;
    use super::{Rows, SignsAt};
    use std::arch::x86_64::*;

    /// The signs at `at` in [`UNITS`], as lanes 0..4 and 4..8.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn units(at: SignsAt) -> [__m256d; 2] {
        // SAFETY: a `SignsAt` is 64 times a byte: a multiple of 64 below 16,384, the size of
        // the 64-byte aligned table, so both 32-byte halves are inside it and aligned.
        unsafe {
            let base = UNITS.0.as_ptr().cast::<u8>().add(at.bytes()).cast::<f64>();
            [_mm256_load_pd(base), _mm256_load_pd(base.add(4))]
        }
    }

    /// `sum` + v with the signs at `at`: bitwise the sums and ±v added, lane by lane.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn add_signed(sum: [__m256d; 2], at: SignsAt, v: __m256d) -> [__m256d; 2] {
        let [lo, hi] = units(at);
        [
            _mm256_fmadd_pd(lo, v, sum[0]),
            _mm256_fmadd_pd(hi, v, sum[1]),
        ]
    }

    #[target_feature(enable = "avx2,fma")]
    pub fn combine(rows: &Rows, v: &[f64], out: &mut [f64]) {
        let (p, u) = (rows.p, rows.len());
        assert!(v.len() >= p && out.len() >= u);
        if p == 0 {
            out[..u].fill(0.0);
            return;
        }
        let plus: Vec<__m256d> = v[..p].iter().map(|&x| _mm256_set1_pd(x)).collect();
        let full = p / 4 * 4;
        let zero = _mm256_set1_pd([0.0f64; 0].iter().sum());
        for (g, group) in rows.group_signs.chunks_exact(p).enumerate() {
            // Four running sums over the memories 4k..4k+4, the tail's from −0.0 (the
            // identity of `Iterator::sum`), added as `dot` adds them.
            let mut acc = [[_mm256_setzero_pd(); 2]; 4];
            for (signs, plus) in group[..full]
                .chunks_exact(4)
                .zip(plus[..full].chunks_exact(4))
            {
                for l in 0..4 {
                    acc[l] = add_signed(acc[l], signs[l], plus[l]);
                }
            }
            let mut tail = [zero; 2];
            for (&s, &plus) in group[full..].iter().zip(&plus[full..]) {
                tail = add_signed(tail, s, plus);
            }
            let mut lanes = [0.0f64; 8];
            for h in 0..2 {
                let sum = _mm256_add_pd(
                    _mm256_add_pd(
                        _mm256_add_pd(acc[0][h], acc[1][h]),
                        _mm256_add_pd(acc[2][h], acc[3][h]),
                    ),
                    tail[h],
                );
                // SAFETY: `lanes` holds 8 f64, this half 4 of them.
                unsafe { _mm256_storeu_pd(lanes.as_mut_ptr().add(4 * h), sum) };
            }
            let start = 8 * g;
            let end = u.min(start + 8);
            out[start..end].copy_from_slice(&lanes[..end - start]);
        }
    }

    /// Four bytes of memories (eight accumulators) at a time, each lane adding the same terms
    /// in the same order as `project_portable`, rows with k = 0 included (±0, which leaves a
    /// sum as it is: they start at +0, and a sum is −0 only when both terms are).
    #[target_feature(enable = "avx2,fma")]
    pub fn project(rows: &Rows, v: &[f64], out: &mut [f64]) {
        let (p, u) = (rows.p, rows.len());
        assert!(v.len() >= u && out.len() >= p);
        let bytes = p.div_ceil(8);
        let mut first = 0;
        while first < bytes {
            match bytes - first {
                1 => project_bytes::<1>(rows, v, bytes, first, out),
                2 => project_bytes::<2>(rows, v, bytes, first, out),
                3 => project_bytes::<3>(rows, v, bytes, first, out),
                _ => project_bytes::<4>(rows, v, bytes, first, out),
            }
            first += 4;
        }
    }

    /// `project` of memories 8·first..8·(first + B) (at most P; a row's signs are `bytes`).
    #[target_feature(enable = "avx2,fma")]
    fn project_bytes<const B: usize>(
        rows: &Rows,
        v: &[f64],
        bytes: usize,
        first: usize,
        out: &mut [f64],
    ) {
        let (p, u) = (rows.p, rows.len());
        debug_assert!(bytes > 0 && first + B <= bytes);
        let mut acc = [[_mm256_setzero_pd(); 2]; B];
        let row_signs = rows.row_signs.chunks_exact(bytes);
        for ((&count, &value), signs) in rows.counts.iter().zip(&v[..u]).zip(row_signs) {
            let k = _mm256_set1_pd(count * value);
            let signs: &[SignsAt; B] = signs[first..first + B].try_into().expect("B bytes");
            for (a, &s) in acc.iter_mut().zip(signs) {
                *a = add_signed(*a, s, k);
            }
        }
        let n = rows.n as f64;
        for (b, a) in acc.iter().enumerate() {
            let mut lanes = [0.0f64; 8];
            // SAFETY: `lanes` holds 8 f64, each half 4 of them.
            unsafe {
                _mm256_storeu_pd(lanes.as_mut_ptr(), a[0]);
                _mm256_storeu_pd(lanes.as_mut_ptr().add(4), a[1]);
            }
            let start = 8 * (first + b);
            for (o, l) in out[start..p.min(start + 8)].iter_mut().zip(lanes) {
                *o = l / n;
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2_gram {
    use super::avx512::UNITS;
    use super::{Bucket, Rows, add_table, finish_gram};
    use std::arch::x86_64::*;

    /// ±1.0 in f32 for each bit of a byte (set: −1.0), lane j bit j: 32-byte rows, aligned
    /// (the f64 table, 64-byte rows, is the AVX-512 kernels' `UNITS`).
    #[repr(C, align(64))]
    struct Units32([[f32; 8]; 256]);

    const _: () = assert!(
        size_of::<Units32>() == 256 * 32 && size_of::<super::avx512::Units>() == 256 * 64,
        "one row of eight ±1.0 a byte"
    );

    static UNITS_F32: Units32 = {
        let mut t = [[1.0f32; 8]; 256];
        let mut m = 0;
        while m < 256 {
            let mut j = 0;
            while j < 8 {
                if m >> j & 1 == 1 {
                    t[m][j] = -1.0;
                }
                j += 1;
            }
            m += 1;
        }
        Units32(t)
    };

    /// A bucket's 16 lanes in AVX2 registers: two of eight f32, or four of four f64.
    trait Lanes: Bucket {
        type Acc: Copy;
        /// Blocks of 16 memories summed side by side (their accumulators fit the registers).
        const GROUP: usize;
        /// Sixteen lanes of +0.
        ///
        /// # Safety
        /// The processor has AVX2 and FMA.
        unsafe fn zero() -> Self::Acc;
        /// `acc` + ±d lane by lane, the signs those of the bytes `lo` (lanes 0..8) and `hi`
        /// (8..16), each 32 times the byte (see [`super::Sorted::masks`]).
        ///
        /// # Safety
        /// As [`Self::zero`], and `lo` and `hi` are each 32 times a byte (as `sorted_of` makes
        /// them): the table is read at that offset (twice it for f64).
        unsafe fn add_signed(acc: Self::Acc, lo: u16, hi: u16, d: Self) -> Self::Acc;
        /// # Safety
        /// As [`Self::zero`].
        unsafe fn store(acc: Self::Acc, bucket: &mut [Self; 16]);
    }

    impl Lanes for f32 {
        type Acc = [__m256; 2];
        const GROUP: usize = 4;
        #[inline(always)]
        unsafe fn zero() -> Self::Acc {
            // SAFETY: the caller's.
            unsafe { [_mm256_setzero_ps(); 2] }
        }
        #[inline(always)]
        unsafe fn add_signed(acc: Self::Acc, lo: u16, hi: u16, d: f32) -> Self::Acc {
            // SAFETY: the caller's; `lo` and `hi` are 32 times a byte: an aligned row of
            // eight f32 inside the table. ±1.0 × d is ±d exactly, so one rounding, the add's.
            unsafe {
                let base = UNITS_F32.0.as_ptr().cast::<u8>();
                let d = _mm256_set1_ps(d);
                let units = |at: u16| _mm256_load_ps(base.add(usize::from(at)).cast());
                [
                    _mm256_fmadd_ps(units(lo), d, acc[0]),
                    _mm256_fmadd_ps(units(hi), d, acc[1]),
                ]
            }
        }
        #[inline(always)]
        unsafe fn store(acc: Self::Acc, bucket: &mut [f32; 16]) {
            // SAFETY: the caller's; a bucket holds 16 f32, each half 8 of them.
            unsafe {
                _mm256_storeu_ps(bucket.as_mut_ptr(), acc[0]);
                _mm256_storeu_ps(bucket.as_mut_ptr().add(8), acc[1]);
            }
        }
    }

    impl Lanes for f64 {
        type Acc = [__m256d; 4];
        const GROUP: usize = 2;
        #[inline(always)]
        unsafe fn zero() -> Self::Acc {
            // SAFETY: the caller's.
            unsafe { [_mm256_setzero_pd(); 4] }
        }
        #[inline(always)]
        unsafe fn add_signed(acc: Self::Acc, lo: u16, hi: u16, d: f64) -> Self::Acc {
            // SAFETY: the caller's; 2·`lo` and 2·`hi` are 64 times a byte: an aligned row of
            // eight f64 inside the table, two halves of four.
            unsafe {
                let base = UNITS.0.as_ptr().cast::<u8>();
                let d = _mm256_set1_pd(d);
                let half = |at: u16, h: usize| {
                    _mm256_load_pd(base.add(2 * usize::from(at)).cast::<f64>().add(4 * h))
                };
                [
                    _mm256_fmadd_pd(half(lo, 0), d, acc[0]),
                    _mm256_fmadd_pd(half(lo, 1), d, acc[1]),
                    _mm256_fmadd_pd(half(hi, 0), d, acc[2]),
                    _mm256_fmadd_pd(half(hi, 1), d, acc[3]),
                ]
            }
        }
        #[inline(always)]
        unsafe fn store(acc: Self::Acc, bucket: &mut [f64; 16]) {
            // SAFETY: the caller's; a bucket holds 16 f64, each quarter 4 of them.
            unsafe {
                for (q, acc) in acc.iter().enumerate() {
                    _mm256_storeu_pd(bucket.as_mut_ptr().add(4 * q), *acc);
                }
            }
        }
    }

    /// [`Rows::gram`] in f32 buckets, by [`gram_sorted`].
    #[target_feature(enable = "avx2,fma")]
    pub fn gram_sorted_f32(rows: &Rows, d: &[f64], out: &mut [f64]) {
        gram_sorted::<f32>(rows, d, out);
    }

    /// [`Rows::gram`] in f64 buckets, by [`gram_sorted`].
    #[target_feature(enable = "avx2,fma")]
    pub fn gram_sorted_f64(rows: &Rows, d: &[f64], out: &mut [f64]) {
        gram_sorted::<f64>(rows, d, out);
    }

    /// [`Rows::gram`], every row read (as when at least 3/4 are active: an inactive row adds
    /// ±0, which leaves a bucket's bits as they were), by AVX2: for each 8 memories, the rows
    /// in order of their byte there ([`super::Sorted`]), so that each bucket's 16 lanes of
    /// each block are summed in registers over its rows, one after the other, a few blocks at
    /// once, and stored once. A lane adds ±1.0 × d_u in one FMA (±d_u exactly, so one
    /// rounding, the add's): the same additions in the same order as the table's (a bucket's
    /// rows in order, from +0), so bitwise the same sums; the buckets then go to K as in
    /// [`super::add_table`].
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn gram_sorted<T: Lanes>(rows: &Rows, d: &[f64], out: &mut [f64]) {
        let p = rows.p;
        let blocks = p.div_ceil(16);
        let sorted = rows.sorted.get_or_init(|| Box::new(rows.sorted_of()));
        let mut total = vec![0.0f64; p * p];
        let du: Vec<T> = d[..rows.len()].iter().map(|&d| T::of(d)).collect();
        let mut tables = vec![[[T::default(); 16]; 256]; T::GROUP];
        for (a, ((order, starts), masks)) in sorted
            .order
            .iter()
            .zip(&sorted.starts)
            .zip(&sorted.masks)
            .enumerate()
        {
            let stride = blocks - a / 2;
            let mut first = 0;
            while first < stride {
                let w = (stride - first).min(T::GROUP);
                let block = Block {
                    du: &du,
                    order,
                    masks,
                    stride,
                    first,
                    starts,
                };
                match w {
                    4 => block.fill::<4>(&mut tables),
                    3 => block.fill::<3>(&mut tables),
                    2 => block.fill::<2>(&mut tables),
                    _ => block.fill::<1>(&mut tables),
                }
                for (j, table) in tables[..w].iter().enumerate() {
                    add_table(table, &mut total, p, a, a / 2 + first + j);
                }
                first += w;
            }
        }
        finish_gram(&total, rows.n, p, out);
    }

    /// One byte's rows in order (`order`, `starts`), their d_u and the blocks `first`.. of
    /// their signs.
    struct Block<'a, T> {
        du: &'a [T],
        order: &'a [u32],
        masks: &'a [[u16; 2]],
        stride: usize,
        first: usize,
        starts: &'a [usize],
    }

    impl<T: Lanes> Block<'_, T> {
        /// Fills the tables of `V` blocks: bucket s of block j is Σ ±d_u over the rows of
        /// byte s in order, − where the row's sign of the lane's memory is.
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        fn fill<const V: usize>(&self, tables: &mut [[[T; 16]; 256]]) {
            for s in 0..256 {
                // SAFETY (here and below): this processor has AVX2 and FMA (the features).
                let mut acc = [unsafe { T::zero() }; V];
                let (begin, end) = (self.starts[s], self.starts[s + 1]);
                let masks =
                    self.masks[begin * self.stride..end * self.stride].chunks_exact(self.stride);
                for (&u, masks) in self.order[begin..end].iter().zip(masks) {
                    let du = self.du[u as usize];
                    let masks: &[[u16; 2]; V] = masks[self.first..self.first + V]
                        .try_into()
                        .expect("V blocks");
                    for (acc, &[lo, hi]) in acc.iter_mut().zip(masks) {
                        *acc = unsafe { T::add_signed(*acc, lo, hi, du) };
                    }
                }
                for (table, acc) in tables.iter_mut().zip(acc) {
                    unsafe { T::store(acc, &mut table[s]) };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_group_neurons_by_signs_and_bias() {
        // Neurons 0, 2 share signs and bias; 3 has their signs but another bias; 1 differs.
        let (n, p) = (4, 2);
        let columns = [1.0, -1.0, 1.0, 1.0, -1.0, -1.0, -1.0, -1.0];
        let bias = [0.5, 0.5, 0.5, 0.25];
        let rows = Rows::new(&columns, n, p, Some(&bias));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows.row(0), &[1.0, -1.0]);
        assert_eq!(
            (rows.count(0), rows.count(1), rows.count(2)),
            (2.0, 1.0, 1.0)
        );
        assert_eq!(rows.bias(2), 0.25);
        let plain = Rows::new(&columns, n, p, None);
        assert_eq!(plain.len(), 2);
        // Without the bias: (1, −1) three times, (−1, −1) once; v given per row.
        let mut out = [0.0; 2];
        plain.project(&[1.0, 2.0], &mut out);
        assert_eq!(out, [(3.0 - 2.0) / 4.0, (-3.0 - 2.0) / 4.0]);
        let mut portable = [0.0; 2];
        plain.project_portable(&[1.0, 2.0], &mut portable);
        assert_eq!(out, portable);
        let mut h = [0.0; 2];
        plain.combine(&[0.5, -2.0], &mut h);
        assert_eq!(h, [0.5 + 2.0, -0.5 + 2.0]);
        assert_eq!(plain.sum(|u| [1.0, 2.0][u]), 5.0);
    }

    #[test]
    fn rows_are_told_apart_by_every_sign_and_the_bias() {
        // Keys of one to five 64-bit words (P across 64 and 128, with and without a bias):
        // neurons differing in one sign anywhere, or in the bias only, are rows of their own.
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        for p in [3, 64, 65, 127, 128, 129, 200] {
            // Four base neurons (their first two signs tell them apart), each copied four
            // times: two alike, one with a later sign flipped, one with another bias.
            let base: Vec<Vec<f32>> = (0..4)
                .map(|k| {
                    (0..p)
                        .map(|mu| match mu {
                            0 | 1 if k >> mu & 1 == 1 => -1.0,
                            0 | 1 => 1.0,
                            _ if next().is_multiple_of(2) => 1.0,
                            _ => -1.0,
                        })
                        .collect()
                })
                .collect();
            let mut neurons = Vec::new();
            let mut bias = Vec::new();
            for (k, b) in base.iter().enumerate() {
                let flip = 2 + (next() % (p as u64 - 2)) as usize;
                let mut flipped = b.clone();
                flipped[flip] = -flipped[flip];
                for (row, level) in [(b, 0.5), (b, 0.5), (&flipped, 0.5), (b, -0.25)] {
                    neurons.push(row.clone());
                    bias.push(level + k as f64);
                }
            }
            let n = neurons.len();
            let columns: Vec<f32> = (0..p)
                .flat_map(|mu| neurons.iter().map(move |v| v[mu]))
                .collect();
            let rows = Rows::new(&columns, n, p, Some(&bias));
            assert_eq!(rows.len(), 12, "P {p}");
            let counts: Vec<f64> = (0..rows.len()).map(|u| rows.count(u)).collect();
            assert_eq!(counts, [2.0, 1.0, 1.0].repeat(4), "P {p}");
            for u in 0..rows.len() {
                let i = 4 * (u / 3) + [0, 2, 3][u % 3];
                assert_eq!(rows.bias(u), bias[i], "P {p}, row {u}");
                let signs: Vec<f64> = neurons[i].iter().map(|&v| f64::from(v)).collect();
                assert_eq!(rows.row(u), &signs[..], "P {p}, row {u}");
            }
            // Without the bias, the last copy joins its base.
            let plain = Rows::new(&columns, n, p, None);
            assert_eq!(plain.len(), 8, "P {p}");
        }
        // Two neurons whose halves are swapped (one key's words in the other's order) differ.
        let half: Vec<f32> = (0..64)
            .map(|mu| if mu % 3 == 0 { -1.0 } else { 1.0 })
            .collect();
        let other: Vec<f32> = half.iter().map(|v| -v).collect();
        let (a, b) = (
            [&half[..], &other[..]].concat(),
            [&other[..], &half[..]].concat(),
        );
        let columns: Vec<f32> = (0..128).flat_map(|mu| [a[mu], b[mu]]).collect();
        assert_eq!(Rows::new(&columns, 2, 128, None).len(), 2);
    }

    /// The bits of each value: for comparing sums bitwise.
    fn bits(x: &[f64]) -> Vec<u64> {
        x.iter().map(|v| v.to_bits()).collect()
    }

    /// A xorshift generator: the tests' random signs and values.
    fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    #[test]
    fn gram_is_k_and_bitwise_the_portable_loops() {
        // K = (1/N) Σ_u d_u ξ_u ξ_uᵀ: whatever kernel this processor picks, bitwise the
        // portable sums, and K to rounding; P across the edges of the blocks of 8 and 16
        // memories, rows inactive (d = 0) among them.
        #[cfg(target_arch = "x86_64")]
        if !std::arch::is_x86_feature_detected!("avx512f") {
            eprintln!("no AVX-512 here: the lane form and the AVX2 kernels are checked");
        }
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let mut reread = 0;
        for (n, p) in [
            (3, 1),
            (200, 5),
            (600, 12),
            (900, 16),
            (900, 17),
            (700, 31),
            (1000, 32),
            (1200, 33),
            (2000, 64),
            (700, 70),
            (20_000, 17),
        ] {
            let columns: Vec<f32> = (0..n * p)
                .map(|_| if next().is_multiple_of(2) { 1.0 } else { -1.0 })
                .collect();
            let rows = Rows::new(&columns, n, p, None);
            let u = rows.len();
            // Four rows in five inactive (the kernel packs the active rows), one in five (it
            // reads every row's runs, made at the first such K and kept), then the two again
            // with other values (the kept runs read again); inactive rows hold +0 or −0.
            let mut dense_yet = false;
            for (turn, sparse) in [true, false, true, false].into_iter().enumerate() {
                let case = format!("N {n}, P {p}, turn {turn}");
                let d: Vec<f64> = (0..u)
                    .map(|_| match (next() % 5, sparse) {
                        (0, false) | (1.., true) if next().is_multiple_of(2) => 0.0,
                        (0, false) | (1.., true) => -0.0,
                        (r, _) => (next() % 1_000_003) as f64 / 1e5 * (r + 1) as f64,
                    })
                    .collect();
                check_gram(&rows, &d, &case);
                // What the kernel reads, on every processor: every row's runs and d when 3/4
                // are active, else the active rows'; every row's kept from the first such K.
                let active: Vec<usize> = (0..u).filter(|&r| d[r] != 0.0).collect();
                let expected_active = active.len();
                let dense = 4 * active.len() >= 3 * u;
                reread += usize::from(dense && dense_yet);
                dense_yet |= dense;
                let expected: Vec<usize> = if dense { (0..u).collect() } else { active };
                let want = rows.runs_of(expected.iter().copied());
                let mut packed = Runs::default();
                let (runs, dv) = rows.gram_runs(&d, expected_active, &mut packed);
                assert_eq!(
                    (&runs.signs, &runs.masks),
                    (&want.signs, &want.masks),
                    "{case}"
                );
                let values: Vec<f64> = expected.iter().map(|&r| d[r]).collect();
                assert_eq!(bits(&dv), bits(&values), "{case}");
                assert_eq!(
                    rows.all_runs.get().is_some(),
                    dense_yet,
                    "{case}: runs kept"
                );
            }
        }
        assert!(
            reread > 3,
            "the kept runs should be read again: {reread} times"
        );
    }

    #[test]
    fn sorted_rows_are_each_bytes_rows_in_order() {
        // For each 8 memories: every row once, by its byte of signs there, rows of one byte in
        // order (the order a bucket of the table adds them in); `starts` where each byte's
        // rows begin; each row's signs on blocks a/2.. as 32 times their bytes.
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        for (n, p) in [(50, 3), (3000, 20), (4000, 64), (500, 70)] {
            let columns: Vec<f32> = (0..n * p)
                .map(|_| if next().is_multiple_of(2) { 1.0 } else { -1.0 })
                .collect();
            let rows = Rows::new(&columns, n, p, None);
            let (u, bytes, blocks) = (rows.len(), p.div_ceil(8), p.div_ceil(16));
            let sorted = rows.sorted_of();
            assert_eq!(sorted.order.len(), bytes);
            for a in 0..bytes {
                let byte = |r: usize| rows.row_bits[r * bytes + a];
                let mut want: Vec<u32> = (0..u as u32).collect();
                want.sort_by_key(|&r| byte(r as usize));
                assert_eq!(sorted.order[a], want, "N {n}, P {p}, byte {a}");
                let starts = &sorted.starts[a];
                assert_eq!((starts[0], starts[256]), (0, u));
                for s in 0..256 {
                    for &r in &sorted.order[a][starts[s]..starts[s + 1]] {
                        assert_eq!(usize::from(byte(r as usize)), s);
                    }
                }
                let stride = blocks - a / 2;
                for (i, &r) in sorted.order[a].iter().enumerate() {
                    let row = rows.row(r as usize);
                    for j in a / 2..blocks {
                        let [lo, hi] = sorted.masks[a][i * stride + j - a / 2];
                        let bits = |at: u16, from: usize| {
                            assert_eq!(at % 32, 0);
                            (0..8).all(|l| {
                                let minus = row.get(from + l).is_some_and(|&v| v < 0.0);
                                ((at / 32) >> l & 1 == 1) == minus
                            })
                        };
                        assert!(bits(lo, 16 * j) && bits(hi, 16 * j + 8), "N {n}, P {p}");
                    }
                }
            }
        }
    }

    /// [`Rows::gram`] with `d` is bitwise the portable sums, in f32 and f64 buckets, and K to
    /// rounding.
    fn check_gram(rows: &Rows, d: &[f64], case: &str) {
        let (n, p) = (rows.n, rows.p);
        let (mut fast, mut slow) = (vec![f64::NAN; p * p], vec![f64::NAN; p * p]);
        let active = d.iter().filter(|&&d| d != 0.0).count();
        // The lane form as it is compiled for every processor, then the kernel this one picks.
        rows.gram_lanes::<f32>(d, active, &mut fast);
        rows.gram_portable::<f32>(d, &mut slow);
        assert_eq!(bits(&fast), bits(&slow), "f32 lanes, {case}");
        rows.gram_lanes::<f64>(d, active, &mut fast);
        rows.gram_portable::<f64>(d, &mut slow);
        assert_eq!(bits(&fast), bits(&slow), "f64 lanes, {case}");
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked above).
            unsafe { rows.gram_avx2::<f32>(d, active, &mut fast) };
            rows.gram_portable::<f32>(d, &mut slow);
            assert_eq!(bits(&fast), bits(&slow), "f32 AVX2, {case}");
            // SAFETY: as above.
            unsafe { rows.gram_avx2::<f64>(d, active, &mut fast) };
            rows.gram_portable::<f64>(d, &mut slow);
            assert_eq!(bits(&fast), bits(&slow), "f64 AVX2, {case}");
        }
        // The sorted kernel reads every row (an inactive one adds ±0): it is picked from 3/4
        // active, but gives the same sums for any d.
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA (checked above).
            unsafe { avx2_gram::gram_sorted_f32(rows, d, &mut fast) };
            rows.gram_portable::<f32>(d, &mut slow);
            assert_eq!(bits(&fast), bits(&slow), "f32 AVX2 sorted, {case}");
            // SAFETY: as above.
            unsafe { avx2_gram::gram_sorted_f64(rows, d, &mut fast) };
            rows.gram_portable::<f64>(d, &mut slow);
            assert_eq!(bits(&fast), bits(&slow), "f64 AVX2 sorted, {case}");
        }
        rows.gram(d, active, true, &mut fast);
        rows.gram_portable::<f32>(d, &mut slow);
        assert_eq!(bits(&fast), bits(&slow), "f32, {case}");
        let single = fast.clone();
        rows.gram(d, active, false, &mut fast);
        rows.gram_portable::<f64>(d, &mut slow);
        assert_eq!(bits(&fast), bits(&slow), "f64, {case}");
        let mut big = 0.0f64;
        for a in 0..p {
            for b in 0..p {
                let k =
                    rows.sum(|r| d[r] * rows.row(r)[a] * rows.row(r)[b] / rows.count(r)) / n as f64;
                big = big.max(k.abs());
                let scale = 1.0 + rows.sum(|r| d[r] / rows.count(r)) / n as f64;
                for (name, got, tol) in [("f64", &fast, 1e-12), ("f32", &single, 1e-5)] {
                    assert!(
                        (got[a * p + b] - k).abs() <= tol * scale,
                        "{name}, {case}, K[{a}][{b}] {} against {k}",
                        got[a * p + b]
                    );
                }
            }
        }
        if d.iter().any(|&v| v != 0.0) {
            assert!(big > 0.0, "{case}: K should not be zero");
        }
    }

    #[test]
    fn the_products_are_bitwise_the_portable_loops() {
        // Whatever kernel this processor picks (AVX-512 on the sign bits, AVX2, portable):
        // bitwise the portable sums, for P with and without a tail after the blocks of four
        // and of eight, U not a multiple of 8, zeros of both signs, infinities and subnormals
        // among the values (not NaN: see the module's note), and more than 64 memories
        // (`project` in passes of 64, the last of 1 to 8 bytes).
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        for (n, p) in [
            (5, 0),
            (5, 1),
            (40, 3),
            (300, 7),
            (300, 8),
            (1024, 10),
            (777, 17),
            (2000, 64),
            (500, 70),
            (300, 40),
            (300, 100),
            (300, 130),
        ] {
            let columns: Vec<f32> = (0..n * p)
                .map(|_| if next().is_multiple_of(2) { 1.0 } else { -1.0 })
                .collect();
            let bias: Vec<f64> = (0..n).map(|_| [0.0, 0.25][(next() % 2) as usize]).collect();
            for rows in [
                Rows::new(&columns, n, p, None),
                Rows::new(&columns, n, p, Some(&bias)),
            ] {
                let u = rows.len();
                let value = |r: u64| match r % 11 {
                    0 => 0.0,
                    1 => -0.0,
                    2 => [f64::INFINITY, -f64::INFINITY][(r / 11 % 2) as usize],
                    3 => [5e-324, -2.5e-310][(r / 11 % 2) as usize],
                    _ => (r % 100_003) as f64 / 7919.0 - 6.0,
                };
                let v: Vec<f64> = (0..p).map(|_| value(next())).collect();
                let (mut fast, mut slow) = (vec![f64::NAN; u], vec![f64::NAN; u]);
                rows.combine(&v, &mut fast);
                rows.combine_portable(&v, &mut slow);
                assert_eq!(bits(&fast), bits(&slow), "combine, N {n}, P {p}");
                let w: Vec<f64> = (0..u).map(|_| value(next())).collect();
                let (mut fast_p, mut slow_p) = (vec![f64::NAN; p], vec![f64::NAN; p]);
                rows.project(&w, &mut fast_p);
                rows.project_portable(&w, &mut slow_p);
                assert_eq!(bits(&fast_p), bits(&slow_p), "project, N {n}, P {p}");
                // The AVX2 + FMA kernels too where this processor has them, though it may
                // pick AVX-512's.
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                {
                    fast.fill(f64::NAN);
                    fast_p.fill(f64::NAN);
                    // SAFETY: the CPU has AVX2 and FMA (checked above).
                    unsafe {
                        avx2::combine(&rows, &v, &mut fast);
                        avx2::project(&rows, &w, &mut fast_p);
                    }
                    assert_eq!(bits(&fast), bits(&slow), "AVX2 combine, N {n}, P {p}");
                    assert_eq!(bits(&fast_p), bits(&slow_p), "AVX2 project, N {n}, P {p}");
                }
                let r = value(next());
                let (mut fast, mut slow) = (vec![1.5], vec![1.5]);
                rows.push_scaled(u / 2, r, &mut fast);
                slow.extend(rows.row(u / 2).iter().map(|v| v * r));
                assert_eq!(bits(&fast), bits(&slow), "push_scaled, N {n}, P {p}");
            }
        }
    }
}
