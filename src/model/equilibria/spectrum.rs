//! The stability of the Jacobian J = −I + W·diag(ψ') of a continuous landscape at one state,
//! from the P×P matrix diag(w)·K (see `flow.rs` for K and for why its eigenvalues above 1
//! are exactly J's unstable directions).

use nalgebra::{Cholesky, DMatrix, SymmetricEigen};

/// An eigenvalue of diag(w)·K must exceed 1 by this much to count as unstable.
const UNSTABLE_MARGIN: f64 = 1e-9;

/// The stability of the Jacobian at one state, from the P×P matrix diag(w)·K.
#[derive(Debug, Clone)]
pub struct Spectrum {
    /// Eigenvalues of diag(w)·K above 1: J's unstable directions (exact).
    pub unstable: usize,
    /// μ, the largest eigenvalue of diag(w)·K.
    pub top: f64,
    /// Its eigenvector y (diag(w)·K y = μ y).
    pub top_vector: Vec<f64>,
    /// The range of a = 1 + δψ' over the neurons.
    pub a_range: (f64, f64),
}

impl Spectrum {
    /// From K (symmetric, positive semi-definite): the eigenvalues of diag(w)·K are those of
    /// the symmetric Hᵀ diag(w) H for any H with H Hᵀ = K (rounding below 0 in K clipped).
    pub fn of(k: &DMatrix<f64>, weights: &[f64], a_range: (f64, f64)) -> Self {
        let p = k.nrows();
        let w = DMatrix::from_fn(p, p, |r, c| if r == c { weights[r] } else { 0.0 });
        // K = L Lᵀ: diag(w)·K is similar to Lᵀ diag(w) L, and y = diag(w) L q. When K is
        // singular (Cholesky fails), K^½ from its eigenvectors takes L's place.
        let half = Cholesky::new(k.clone()).map(|c| c.l()).unwrap_or_else(|| {
            let eig = SymmetricEigen::new(k.clone());
            let roots = eig.eigenvalues.map(|v| v.max(0.0).sqrt());
            &eig.eigenvectors * DMatrix::from_diagonal(&roots) * eig.eigenvectors.transpose()
        });
        let sym = half.transpose() * &w * &half;
        let s = SymmetricEigen::new((&sym + sym.transpose()) * 0.5);
        let top_at = (0..p).max_by(|&a, &b| s.eigenvalues[a].total_cmp(&s.eigenvalues[b]));
        let top = top_at.map_or(f64::NEG_INFINITY, |i| s.eigenvalues[i]);
        let top_vector = top_at.map_or_else(Vec::new, |i| {
            let hq = &half * s.eigenvectors.column(i);
            (0..p).map(|mu| weights[mu] * hq[mu]).collect()
        });
        Self {
            unstable: s
                .eigenvalues
                .iter()
                .filter(|&&v| v > 1.0 + UNSTABLE_MARGIN)
                .count(),
            top,
            top_vector,
            a_range,
        }
    }

    /// J's largest eigenvalue when it is positive, within [min a, max a]·(μ − 1): the bounds.
    pub fn growth_rate(&self) -> Option<(f64, f64)> {
        (self.top > 1.0).then(|| {
            let excess = self.top - 1.0;
            (self.a_range.0 * excess, self.a_range.1 * excess)
        })
    }
}
