//! The distinct rows of Ξ, with the bias: neurons with the same signs across the memories and
//! the same bias current see the same field, so on the flow the solver follows (see `flow.rs`)
//! they have the same state and activation at every point. Every sum over neurons is a sum
//! over the distinct rows weighted by how many neurons share each: the built-in set's 1,024
//! neurons are 228 rows; random sets have about min(N, 2^P·(1 − e^{−N/2^P})) of them.

use std::collections::HashMap;

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
    /// The signs again as bits (set: ξ = −1), for the AVX-512 products: row-major, row u's
    /// memories 8b..8b+8 in byte `u·⌈P/8⌉ + b` (for [`Self::project`])...
    row_bits: Vec<u8>,
    /// ...and by groups of 8 rows: rows 8g..8g+8 of memory μ in byte `g·P + μ` (for
    /// [`Self::combine`]). 1/64 of the f64 signs each, so both stay in the L2 cache.
    group_bits: Vec<u8>,
}

impl Rows {
    /// The rows of column-major ±1 memories (N×P, as `Memories::columns`) and `bias` (length N).
    pub fn new(columns: &[f32], n: usize, p: usize, bias: Option<&[f64]>) -> Self {
        let words = p.div_ceil(64) + usize::from(bias.is_some());
        let mut index: HashMap<Vec<u64>, usize> = HashMap::with_capacity(n.min(1 << 16));
        let mut signs = Vec::new();
        let mut counts: Vec<f64> = Vec::new();
        let mut biases = Vec::new();
        let mut key = vec![0u64; words];
        for i in 0..n {
            key.fill(0);
            for mu in 0..p {
                if columns[mu * n + i] < 0.0 {
                    key[mu / 64] |= 1 << (mu % 64);
                }
            }
            if let Some(b) = bias {
                key[words - 1] = b[i].to_bits();
            }
            match index.get(&key) {
                Some(&u) => counts[u] += 1.0,
                None => {
                    index.insert(key.clone(), counts.len());
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
        Self {
            n,
            p,
            signs,
            counts,
            bias: bias.map(|_| biases),
            row_bits,
            group_bits,
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

    /// Appends row u's signs times `r` to `buf` in f32 (P values): ±r, exactly.
    pub fn push_scaled_f32(&self, u: usize, r: f32, buf: &mut Vec<f32>) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked above).
            unsafe { avx512::push_scaled_f32(self, u, r, buf) };
            return;
        }
        buf.extend(self.row(u).iter().map(|&v| if v < 0.0 { -r } else { r }));
    }

    /// Σ_i f(row of i) over the N neurons.
    pub fn sum(&self, f: impl Fn(usize) -> f64) -> f64 {
        self.counts.iter().enumerate().map(|(u, &k)| k * f(u)).sum()
    }
}

/// The products on the sign bits, 8 f64 lanes at a time: a ±1 entry times v is v or −v,
/// exactly, so choosing v or −v by a mask bit and adding in the portable loops' order gives
/// bitwise their sums, at 1/64 of the memory traffic (the f64 signs of a 16384×64 set are
/// 8 MB; their bits 128 KB). `combine` puts one row in each lane and adds as [`dot`] does (four
/// accumulators over the memories, then the tail); `project` puts one memory in each lane and
/// adds the rows in order.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::Rows;
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx512f")]
    pub fn combine(rows: &Rows, v: &[f64], out: &mut [f64]) {
        let (p, u) = (rows.p, rows.len());
        assert!(v.len() >= p && out.len() >= u);
        let full = p / 4 * 4;
        let plus: Vec<__m512d> = v[..p].iter().map(|&x| _mm512_set1_pd(x)).collect();
        let minus: Vec<__m512d> = v[..p].iter().map(|&x| _mm512_set1_pd(-x)).collect();
        // The identity of `Iterator::sum` for f64 (−0.0), where `dot` sums its tail.
        let tail0 = _mm512_set1_pd([0.0f64; 0].iter().sum());
        for (g, masks) in rows.group_bits.chunks_exact(p.max(1)).enumerate() {
            if p == 0 {
                break;
            }
            let mut acc = [_mm512_setzero_pd(); 4];
            for k in 0..full / 4 {
                for (l, a) in acc.iter_mut().enumerate() {
                    let mu = 4 * k + l;
                    *a = _mm512_add_pd(*a, _mm512_mask_blend_pd(masks[mu], plus[mu], minus[mu]));
                }
            }
            let mut tail = tail0;
            for mu in full..p {
                tail = _mm512_add_pd(tail, _mm512_mask_blend_pd(masks[mu], plus[mu], minus[mu]));
            }
            let sum = _mm512_add_pd(
                _mm512_add_pd(_mm512_add_pd(acc[0], acc[1]), _mm512_add_pd(acc[2], acc[3])),
                tail,
            );
            let lanes = (u - 8 * g).min(8);
            // SAFETY: lanes ≤ 8 and rows 8g..8g+lanes are in `out` (asserted above).
            unsafe {
                _mm512_mask_storeu_pd(
                    out.as_mut_ptr().add(8 * g),
                    ((1u16 << lanes) - 1) as u8,
                    sum,
                )
            };
        }
        if p == 0 {
            out[..u].fill(0.0);
        }
    }

    #[target_feature(enable = "avx512f")]
    pub fn push_scaled(rows: &Rows, u: usize, r: f64, buf: &mut Vec<f64>) {
        let p = rows.p;
        let bytes = p.div_ceil(8);
        let start = buf.len();
        buf.resize(start + p, 0.0);
        let (plus, minus) = (_mm512_set1_pd(r), _mm512_set1_pd(-r));
        let out = &mut buf[start..];
        for (b, &m) in rows.row_bits[u * bytes..(u + 1) * bytes].iter().enumerate() {
            let lanes = (p - 8 * b).min(8);
            // SAFETY: lanes ≤ 8 and entries 8b..8b+lanes of `out` exist (its length is P).
            unsafe {
                _mm512_mask_storeu_pd(
                    out.as_mut_ptr().add(8 * b),
                    ((1u16 << lanes) - 1) as u8,
                    _mm512_mask_blend_pd(m, plus, minus),
                )
            };
        }
    }

    #[target_feature(enable = "avx512f")]
    pub fn push_scaled_f32(rows: &Rows, u: usize, r: f32, buf: &mut Vec<f32>) {
        let p = rows.p;
        let bytes = p.div_ceil(8);
        let start = buf.len();
        buf.resize(start + p, 0.0);
        let (plus, minus) = (_mm512_set1_ps(r), _mm512_set1_ps(-r));
        let out = &mut buf[start..];
        let masks = &rows.row_bits[u * bytes..(u + 1) * bytes];
        for (b, pair) in masks.chunks(2).enumerate() {
            let m = u16::from(pair[0]) | pair.get(1).map_or(0, |&h| u16::from(h) << 8);
            let lanes = (p - 16 * b).min(16);
            // SAFETY: lanes ≤ 16 and entries 16b..16b+lanes of `out` exist (its length is P).
            unsafe {
                _mm512_mask_storeu_ps(
                    out.as_mut_ptr().add(16 * b),
                    ((1u32 << lanes) - 1) as u16,
                    _mm512_mask_blend_ps(m, plus, minus),
                )
            };
        }
    }

    #[target_feature(enable = "avx512f")]
    pub fn project(rows: &Rows, v: &[f64], out: &mut [f64]) {
        let (p, u) = (rows.p, rows.len());
        assert!(v.len() >= u && out.len() >= p);
        let bytes = p.div_ceil(8);
        let mut acc = vec![_mm512_setzero_pd(); bytes];
        let rows_bits = rows.row_bits.chunks_exact(bytes.max(1));
        for ((&count, &value), masks) in rows.counts.iter().zip(&v[..u]).zip(rows_bits) {
            let k = count * value;
            if k != 0.0 {
                let (plus, minus) = (_mm512_set1_pd(k), _mm512_set1_pd(-k));
                for (a, &m) in acc.iter_mut().zip(masks) {
                    *a = _mm512_add_pd(*a, _mm512_mask_blend_pd(m, plus, minus));
                }
            }
        }
        let n = rows.n as f64;
        for (b, a) in acc.iter().enumerate() {
            let mut lanes = [0.0f64; 8];
            // SAFETY: `lanes` holds 8 f64.
            unsafe { _mm512_storeu_pd(lanes.as_mut_ptr(), *a) };
            for (o, l) in out[8 * b..p.min(8 * b + 8)].iter_mut().zip(lanes) {
                *o = l / n;
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
    fn the_products_are_bitwise_the_portable_loops() {
        // Whatever kernel this processor picks (AVX-512 on the sign bits, AVX2, portable):
        // bitwise the portable sums, for P with and without a tail after the blocks of four
        // and of eight, U not a multiple of 8, zeros of both signs among the values.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for (n, p) in [
            (5, 1),
            (40, 3),
            (300, 7),
            (300, 8),
            (1024, 10),
            (777, 17),
            (2000, 64),
            (500, 70),
        ] {
            let columns: Vec<f32> = (0..n * p)
                .map(|_| if next() % 2 == 0 { 1.0 } else { -1.0 })
                .collect();
            let bias: Vec<f64> = (0..n).map(|_| [0.0, 0.25][(next() % 2) as usize]).collect();
            for rows in [
                Rows::new(&columns, n, p, None),
                Rows::new(&columns, n, p, Some(&bias)),
            ] {
                let u = rows.len();
                let value = |r: u64| match r % 7 {
                    0 => 0.0,
                    1 => -0.0,
                    _ => (r % 100_003) as f64 / 7919.0 - 6.0,
                };
                let v: Vec<f64> = (0..p).map(|_| value(next())).collect();
                let (mut fast, mut slow) = (vec![f64::NAN; u], vec![f64::NAN; u]);
                rows.combine(&v, &mut fast);
                rows.combine_portable(&v, &mut slow);
                let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&fast), bits(&slow), "combine, N {n}, P {p}");
                let w: Vec<f64> = (0..u).map(|_| value(next())).collect();
                let (mut fast, mut slow) = (vec![f64::NAN; p], vec![f64::NAN; p]);
                rows.project(&w, &mut fast);
                rows.project_portable(&w, &mut slow);
                assert_eq!(bits(&fast), bits(&slow), "project, N {n}, P {p}");
                let r = value(next());
                let (mut fast, mut slow) = (vec![1.5], vec![1.5]);
                rows.push_scaled(u / 2, r, &mut fast);
                slow.extend(rows.row(u / 2).iter().map(|v| v * r));
                assert_eq!(bits(&fast), bits(&slow), "push_scaled, N {n}, P {p}");
                let r = r as f32;
                let (mut fast, mut slow) = (vec![1.5f32], vec![1.5f32]);
                rows.push_scaled_f32(u / 2, r, &mut fast);
                slow.extend(rows.row(u / 2).iter().map(|&v| v as f32 * r));
                let bits32 = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits32(&fast),
                    bits32(&slow),
                    "push_scaled_f32, N {n}, P {p}"
                );
            }
        }
    }
}
