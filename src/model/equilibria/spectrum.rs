//! The stability of the Jacobian J = −I + W·diag(ψ') of a continuous landscape at one state,
//! from the P×P matrix diag(w)·K (see `flow.rs` for K and for why its eigenvalues above 1
//! are exactly J's unstable directions).

use nalgebra::{Cholesky, DMatrix, DVector, SymmetricEigen};

/// An eigenvalue of diag(w)·K must exceed 1 by this much to count as unstable.
const UNSTABLE_MARGIN: f64 = 1e-9;
/// [`Leading::of`]'s power iteration: at most this many products with diag(w)·K...
const POWER_STEPS: usize = 60;
/// ...until |A y − θ y| ≤ this · |A y|.
const POWER_TOLERANCE: f64 = 1e-13;

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
        growth_rate(self.top, self.a_range)
    }

    /// The top eigenvalue and, when it is unstable, its eigenvector: what the step-size cap
    /// reads.
    pub fn leading_pair(self) -> Leading {
        Leading {
            vector: (self.unstable > 0).then_some(self.top_vector),
            top: self.top,
            a_range: self.a_range,
        }
    }
}

/// J's largest eigenvalue, within [min a, max a]·(μ − 1), when the top μ of diag(w)·K is
/// above 1.
fn growth_rate(top: f64, a_range: (f64, f64)) -> Option<(f64, f64)> {
    (top > 1.0).then(|| {
        let excess = top - 1.0;
        (a_range.0 * excess, a_range.1 * excess)
    })
}

/// The top eigenvalue of diag(w)·K and its eigenvector, as the flow's step-size cap reads
/// them (the rate, and is the state moving along it?): from the whole spectrum
/// ([`Spectrum::leading_pair`]) or a power iteration ([`Leading::of`]).
#[derive(Debug, Clone)]
pub struct Leading {
    /// μ, the largest eigenvalue of diag(w)·K.
    pub top: f64,
    /// Its eigenvector, when μ is unstable (above 1 by the margin); its length is any.
    pub vector: Option<Vec<f64>>,
    /// The range of a = 1 + δψ' over the neurons.
    pub a_range: (f64, f64),
}

impl Leading {
    /// The top eigenvalue of diag(w)·K and its eigenvector by power iteration, for the flow's
    /// step-size cap on large landscapes, which reads only the top eigenvalue (for the rate)
    /// and its direction: a few products with the P×P matrix instead of the whole
    /// eigenproblem (there, the largest eigenvalue is tens of times the next in size, and
    /// each product gains that factor). `None` when the iteration does not settle within
    /// `POWER_STEPS`, or settles on an eigenvalue that is not positive (the largest in size
    /// is then not the top one): the caller takes [`Spectrum::of`].
    ///
    /// diag(w)·K is similar to a symmetric matrix (see [`Spectrum::of`]), so its eigenvalues
    /// are real and the iteration converges to the one largest in size at the rate of the
    /// next (a start with almost no component along its eigenvector, to 1e-13, would fool the
    /// test of settling; the start below has no structure that could make that happen).
    pub fn of(k: &DMatrix<f64>, weights: &[f64], a_range: (f64, f64)) -> Option<Self> {
        let p = k.nrows();
        let w = DVector::from_column_slice(weights);
        // A start with no symmetry (the fractional parts of j·φ), so that it is not
        // orthogonal to an eigenvector that a symmetric set of memories makes.
        let golden = 0.5 * (5.0f64.sqrt() - 1.0);
        let mut y = DVector::from_fn(p, |j, _| 0.5 + (golden * (j + 1) as f64).fract());
        for _ in 0..POWER_STEPS {
            let z = (k * &y).component_mul(&w);
            let size = z.norm();
            if !(size.is_finite() && size > 0.0) {
                return None;
            }
            let top = y.dot(&z) / y.dot(&y);
            if (&z - &y * top).norm() <= POWER_TOLERANCE * size {
                return (top > 0.0).then(|| Self {
                    vector: (top > 1.0 + UNSTABLE_MARGIN)
                        .then(|| (z / size).iter().copied().collect()),
                    top,
                    a_range,
                });
            }
            y = z / size;
        }
        None
    }

    /// J's largest eigenvalue when it is positive, within bounds (see
    /// [`Spectrum::growth_rate`]).
    pub fn growth_rate(&self) -> Option<(f64, f64)> {
        growth_rate(self.top, self.a_range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// K = (1/N) Σ_u d_u ξ_u ξ_uᵀ for random signs and slopes d ≥ 0 (some rows saturated).
    fn random_k(rng: &mut Xoshiro256PlusPlus, n: usize, p: usize) -> DMatrix<f64> {
        let xi = DMatrix::from_fn(n, p, |_, _| if rng.random::<bool>() { 1.0 } else { -1.0 });
        let d = DMatrix::from_fn(n, 1, |_, _| {
            if rng.random_range(0..4) == 0 {
                0.0
            } else {
                rng.random_range(0.0..10.0)
            }
        });
        let scaled = DMatrix::from_fn(n, p, |i, mu| xi[(i, mu)] * d[i]);
        xi.transpose() * scaled / n as f64
    }

    #[test]
    fn the_leading_pair_is_the_whole_spectrums_top() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let (mut settled, mut declined, mut directions) = (0, 0, 0);
        for case in 0..300 {
            let p = rng.random_range(1..24usize);
            let k = random_k(&mut rng, 200, p);
            // One memory's weight dominant (as the input's α is), the others small of either
            // sign; some cases with a large negative weight, whose eigenvalue leads in size.
            let mut w: Vec<f64> = (0..p).map(|_| rng.random_range(-0.3..0.3)).collect();
            w[case % p] = rng.random_range(0.5..12.0);
            if case % 7 == 0 {
                w[(case + 1) % p] -= 40.0;
            }
            let all = Spectrum::of(&k, &w, (1.0, 1.0));
            let Some(top) = Leading::of(&k, &w, (1.0, 1.0)) else {
                declined += 1;
                continue;
            };
            settled += 1;
            let scale = 1.0 + all.top.abs();
            assert!(
                (top.top - all.top).abs() <= 1e-11 * scale,
                "case {case}: {} against {}",
                top.top,
                all.top
            );
            // A direction exactly when the top is unstable, and the same one, up to its sign
            // and length.
            assert_eq!(top.vector.is_some(), all.unstable > 0, "case {case}");
            if let Some(v) = top.vector {
                directions += 1;
                let (a, b) = (DVector::from_vec(v), DVector::from_vec(all.top_vector));
                let cos = a.dot(&b).abs() / (a.norm() * b.norm());
                assert!(cos > 1.0 - 1e-10, "case {case}: cos {cos}");
            }
        }
        // Most settle; the dominant negative weights and the closest pairs do not.
        assert!(
            settled > 200 && declined > 20 && directions > 150,
            "{settled} settled ({directions} unstable), {declined} declined"
        );
    }
}
