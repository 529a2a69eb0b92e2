//! The stored memories Ξ: P binary images of W×H pixels, kept as ±1 columns, with their names
//! and the Gram matrix that the corrected saliency needs.

use std::sync::OnceLock;

use nalgebra::DMatrix;
use thiserror::Error;

use super::sweep::SignTiles;

/// Why a set of memories cannot be built.
#[derive(Debug, Error, PartialEq)]
pub enum MemoriesError {
    #[error("a memory set needs at least one memory")]
    Empty,
    #[error("memory {name:?} has {found} pixels, expected {expected} ({width}×{height})")]
    WrongSize {
        name: String,
        found: usize,
        expected: usize,
        width: usize,
        height: usize,
    },
    #[error("memory {name:?} has a pixel that is neither +1 nor -1")]
    NotBinary { name: String },
    #[error("an image of {width}×{height} pixels has no neurons")]
    ZeroSize { width: usize, height: usize },
}

/// P memories ξ_μ ∈ {−1,+1}^N of a W×H grid (N = W·H), stored column-major so each memory is
/// one contiguous slice. Pixel (col, row) is neuron `row * width + col`.
#[derive(Debug, Clone)]
pub struct Memories {
    width: usize,
    height: usize,
    names: Vec<String>,
    /// Column-major N×P, entries exactly ±1. A compact set ([`Self::random_compact`]) makes
    /// them from the sign bits on first use only.
    cols: OnceLock<Vec<f32>>,
    /// The same entries as sign bits in the layouts of the step.
    signs: SignTiles,

    /// (ΞᵀΞ/N)⁺: the (pseudo-)inverse Gram matrix used by the Gram-corrected saliency.
    /// Computed on first use: O(N·P²) and O(P³) are seconds for the thousands of memories of
    /// a capacity sweep, which never asks for it.
    gram_inverse: OnceLock<DMatrix<f64>>,
    /// ΞᵀΞ/N: the pairwise overlaps of the memories (computed on first use).
    gram: OnceLock<DMatrix<f64>>,
}

impl Memories {
    /// Builds a set from named ±1 images of `width`×`height` pixels (row-major).
    pub fn new(
        width: usize,
        height: usize,
        patterns: Vec<(String, Vec<f32>)>,
    ) -> Result<Self, MemoriesError> {
        let n = width * height;
        if n == 0 {
            return Err(MemoriesError::ZeroSize { width, height });
        }
        if patterns.is_empty() {
            return Err(MemoriesError::Empty);
        }
        let p = patterns.len();
        let mut names = Vec::with_capacity(p);
        let mut cols = Vec::with_capacity(n * p);
        for (name, pixels) in patterns {
            if pixels.len() != n {
                return Err(MemoriesError::WrongSize {
                    name,
                    found: pixels.len(),
                    expected: n,
                    width,
                    height,
                });
            }
            if pixels.iter().any(|&v| v != 1.0 && v != -1.0) {
                return Err(MemoriesError::NotBinary { name });
            }
            cols.extend_from_slice(&pixels);
            names.push(name);
        }
        let signs = SignTiles::new(&cols, n, p);
        Ok(Self {
            width,
            height,
            names,
            cols: OnceLock::from(cols),
            signs,
            gram_inverse: OnceLock::new(),
            gram: OnceLock::new(),
        })
    }

    /// Builds a set from ±1 `bool` images (true = on = +1).
    pub fn from_bools(
        width: usize,
        height: usize,
        patterns: Vec<(String, Vec<bool>)>,
    ) -> Result<Self, MemoriesError> {
        let converted = patterns
            .into_iter()
            .map(|(name, px)| {
                (
                    name,
                    px.into_iter()
                        .map(|on| if on { 1.0 } else { -1.0 })
                        .collect(),
                )
            })
            .collect();
        Self::new(width, height, converted)
    }

    /// Image width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }
    /// Image height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }
    /// Number of neurons N = width · height.
    pub fn n(&self) -> usize {
        self.width * self.height
    }
    /// Number of memories P.
    pub fn p(&self) -> usize {
        self.names.len()
    }
    /// The memories' names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Memory μ as a ±1 slice of length N.
    pub fn memory(&self, mu: usize) -> &[f32] {
        let n = self.n();
        &self.columns()[mu * n..(mu + 1) * n]
    }
    /// All memories, column-major N×P (memory μ is `columns()[μ·N..(μ+1)·N]`). A compact set
    /// makes them here, once (4·N·P bytes).
    pub fn columns(&self) -> &[f32] {
        self.cols.get_or_init(|| {
            let n = self.n();
            let mut cols = vec![0.0f32; n * self.p()];
            for (mu, col) in cols.chunks_mut(n).enumerate() {
                self.signs.memory_into(mu, col);
            }
            cols
        })
    }
    /// The ±1 columns are held (always, except for a compact set nobody asked for them).
    pub fn holds_columns(&self) -> bool {
        self.cols.get().is_some()
    }
    /// Memory μ as a new ±1 vector, made from the sign bits (a compact set stays compact).
    pub fn memory_values(&self, mu: usize) -> Vec<f32> {
        let mut out = vec![0.0f32; self.n()];
        self.signs.memory_into(mu, &mut out);
        out
    }
    /// ξ_iμ = −1.
    pub fn negative(&self, i: usize, mu: usize) -> bool {
        self.signs.negative(i, mu)
    }
    /// Writes ξ_μᵀ v (not divided by N) into `out` (length P), each exactly as
    /// `kernels::dot(self.memory(μ), v)` computes it; a compact set makes one column at a time.
    pub fn dots(&self, v: &[f32], out: &mut [f32]) {
        if let Some(cols) = self.cols.get() {
            super::kernels::dot_columns(cols, v, out);
        } else {
            let mut col = vec![0.0f32; self.n()];
            for (mu, o) in out.iter_mut().enumerate() {
                self.signs.memory_into(mu, &mut col);
                *o = super::kernels::dot(&col, v);
            }
        }
    }
    /// The signs of all memories in the layouts of the step (see [`SignTiles`]).
    pub fn signs(&self) -> &SignTiles {
        &self.signs
    }
    /// The index of the memory called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
    /// No two memories overlap (ξ_μᵀξ_ν = 0 for μ ≠ ν): model.md §4's closed forms are exact.
    pub fn orthogonal(&self) -> bool {
        let g = self.overlap_matrix();
        (0..self.p()).all(|a| (0..a).all(|b| g[(a, b)].abs() < 1e-12))
    }
    /// Pairwise overlaps ξ_aᵀξ_b / N, a P×P symmetric matrix with ones on the diagonal.
    pub fn overlap_matrix(&self) -> &DMatrix<f64> {
        self.gram.get_or_init(|| {
            let (n, p) = (self.n(), self.p());
            DMatrix::from_fn(p, p, |a, b| {
                let (xa, xb) = (self.memory(a), self.memory(b));
                xa.iter()
                    .zip(xb)
                    .map(|(u, v)| f64::from(u * v))
                    .sum::<f64>()
                    / n as f64
            })
        })
    }
    /// (ΞᵀΞ/N)⁻¹ (a pseudo-inverse when memories are linearly dependent).
    pub fn gram_inverse(&self) -> &DMatrix<f64> {
        self.gram_inverse.get_or_init(|| {
            let gram = self.overlap_matrix();
            let p = self.p();
            gram.clone()
                .try_inverse()
                .or_else(|| gram.clone().pseudo_inverse(1e-9).ok())
                .unwrap_or_else(|| DMatrix::identity(p, p))
        })
    }

    /// Writes (1/N) Ξᵀ v into `out` (length P): the overlap of `v` with every memory.
    pub fn project(&self, v: &[f32], out: &mut [f32]) {
        let n = self.n() as f32;
        self.dots(v, out);
        for o in out.iter_mut() {
            *o /= n;
        }
    }

    /// The mixture Σ_μ c_μ ξ_μ (length N) of the memories with gains `gains` (missing gains
    /// count as 0). On orthogonal memories its saliencies (1/N) Ξᵀu are exactly the gains.
    pub fn mixture(&self, gains: &[f64]) -> Vec<f32> {
        let mut out = vec![0.0f32; self.n()];
        for (mu, &c) in gains.iter().enumerate().take(self.p()) {
            super::kernels::axpy(c as f32, self.memory(mu), &mut out);
        }
        out
    }

    /// Renders the overlap matrix as an aligned text table (names as row and column heads).
    pub fn overlap_table(&self) -> String {
        let w = self.names.iter().map(|n| n.len()).max().unwrap_or(0).max(6);
        let mut s = format!("{:w$}", "");
        for name in &self.names {
            s.push_str(&format!(" {name:>w$}"));
        }
        s.push('\n');
        for (a, name) in self.names.iter().enumerate() {
            s.push_str(&format!("{name:w$}"));
            for b in 0..self.p() {
                s.push_str(&format!(" {:>w$.3}", self.overlap_matrix()[(a, b)]));
            }
            s.push('\n');
        }
        s
    }

    /// Sylvester–Hadamard memories: P mutually orthogonal ±1 columns of length N (N a power of
    /// two, P ≤ N), skipping the all-ones column. The theory's oracle set.
    pub fn hadamard(width: usize, height: usize, p: usize) -> Result<Self, MemoriesError> {
        let n = width * height;
        let pats = (1..=p)
            .map(|k| {
                let col = (0..n)
                    .map(|i| {
                        if (i & k).count_ones() % 2 == 0 {
                            1.0
                        } else {
                            -1.0
                        }
                    })
                    .collect();
                (format!("h{k}"), col)
            })
            .collect();
        Self::new(width, height, pats)
    }

    /// [`Self::random`]'s memories (the same draws, so the same set for the same generator)
    /// kept as sign bits only: N·P/4 bytes where the ±1 columns would add 4·N·P. For the
    /// capacity sweep's thousands of memories; [`Self::columns`] makes the columns when asked.
    pub fn random_compact(
        width: usize,
        height: usize,
        p: usize,
        rng: &mut impl rand::RngExt,
    ) -> Self {
        let n = width * height;
        // `random` draws memory by memory, pixel by pixel: +1 when the bool is true.
        let signs = SignTiles::from_negatives(n, p, |_, _| !rng.random::<bool>());
        Self {
            width,
            height,
            names: (0..p).map(|k| format!("m{k}")).collect(),
            cols: OnceLock::new(),
            signs,
            gram_inverse: OnceLock::new(),
            gram: OnceLock::new(),
        }
    }

    /// P random ±1 memories (each pixel ±1 with probability ½), named `m0`, `m1`, …
    pub fn random(width: usize, height: usize, p: usize, rng: &mut impl rand::RngExt) -> Self {
        let n = width * height;
        let pats = (0..p)
            .map(|k| {
                let col = (0..n)
                    .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
                    .collect();
                (format!("m{k}"), col)
            })
            .collect();
        // Invariant: sizes match and entries are ±1 by construction.
        Self::new(width, height, pats).unwrap_or_else(|e| unreachable!("random memories: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hadamard_memories_are_orthogonal() {
        let m = Memories::hadamard(32, 32, 10).unwrap();
        let g = m.overlap_matrix();
        for a in 0..10 {
            for b in 0..10 {
                let want = if a == b { 1.0 } else { 0.0 };
                assert!((g[(a, b)] - want).abs() < 1e-12, "{a},{b}: {}", g[(a, b)]);
            }
        }
    }

    #[test]
    fn rejects_bad_sets() {
        assert_eq!(
            Memories::new(2, 2, vec![]).unwrap_err(),
            MemoriesError::Empty
        );
        let e = Memories::new(2, 2, vec![("a".into(), vec![1.0; 3])]).unwrap_err();
        assert_eq!(e.to_string(), "memory \"a\" has 3 pixels, expected 4 (2×2)");
        let e = Memories::new(2, 1, vec![("b".into(), vec![1.0, 0.5])]).unwrap_err();
        assert_eq!(e, MemoriesError::NotBinary { name: "b".into() });
    }

    #[test]
    fn gram_inverse_inverts_the_overlaps() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let m = Memories::random(8, 8, 5, &mut rng);
        let prod = m.overlap_matrix() * m.gram_inverse();
        assert!((prod - DMatrix::<f64>::identity(5, 5)).abs().max() < 1e-9);
    }

    /// A compact set is the dense one bit for bit: the same draws, columns, dot products
    /// (every one as `kernels::dot` rounds it) and projections, without holding the columns.
    #[test]
    fn a_compact_set_is_the_random_set() {
        for (n, p) in [(1, 1), (37, 5), (64, 16), (200, 33), (130, 70)] {
            let mut a = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(n as u64);
            let mut b = a.clone();
            let dense = Memories::random(n, 1, p, &mut a);
            let compact = Memories::random_compact(n, 1, p, &mut b);
            let v: Vec<f32> = (0..n)
                .map(|i| ((i * 7919) % 101) as f32 / 37.0 - 1.3)
                .collect();
            let (mut d1, mut d2) = (vec![0.0; p], vec![0.0; p]);
            dense.dots(&v, &mut d1);
            compact.dots(&v, &mut d2);
            assert_eq!(d1, d2, "N={n} P={p}");
            dense.project(&v, &mut d1);
            compact.project(&v, &mut d2);
            assert_eq!(d1, d2);
            for (mu, &projected) in d1.iter().enumerate() {
                assert_eq!(compact.memory_values(mu), dense.memory(mu));
                let want = crate::model::kernels::dot(dense.memory(mu), &v) / n as f32;
                assert_eq!(projected, want);
                for i in 0..n {
                    assert_eq!(compact.negative(i, mu), dense.memory(mu)[i] < 0.0);
                }
            }
            assert_eq!(compact.names(), dense.names());
            assert!(!compact.holds_columns(), "asked for nothing dense yet");
            assert_eq!(compact.columns(), dense.columns());
            assert!(compact.holds_columns());
            // The generators drew the same number of values.
            assert_eq!(a.random::<u64>(), b.random::<u64>());
        }
    }

    use rand::{RngExt, SeedableRng};
}
