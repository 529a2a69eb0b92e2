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
        Self {
            n,
            p,
            signs,
            counts,
            bias: bias.map(|_| biases),
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

    /// Σ_i f(row of i) over the N neurons.
    pub fn sum(&self, f: impl Fn(usize) -> f64) -> f64 {
        self.counts.iter().enumerate().map(|(u, &k)| k * f(u)).sum()
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
}
