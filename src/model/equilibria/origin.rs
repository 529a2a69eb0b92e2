//! A ball around the origin from which Newton's search (`System::newton`) can only end at the
//! origin or fail, so that a search for a memory's saddle that has entered it can stop there:
//! either way it finds nothing the caller keeps.
//!
//! With no bias the origin is an equilibrium of F(x) = −x + W̃ψ(x), W̃ = (1/N) Ξ diag(w) Ξᵀ − δI,
//! ψ = tanh(g·), J(x) = −I + W̃D(x), D = diag ψ'. Newton's step from x lands at
//! N(x) = x − J⁻¹F = J⁻¹(Jx − F) = J⁻¹W̃ e(x), e = Dx − ψ(x), and per neuron
//! |e| = tanh u − u sech²u ≤ (2/3)u³ (u = g|x|: its derivative 2u sech²u tanh u ≤ 2u²).
//!
//! In the ball B = {‖x‖∞ ≤ ρ}: D = g(I − E) with 0 ≤ E ≤ tanh²(gρ), so J = J₀ − gW̃E with
//! J₀ = gW̃ − I (the origin's Jacobian) and J⁻¹W̃ = (I − gGE)⁻¹G, G = J₀⁻¹W̃ (the two commute).
//! With q = g‖G‖∞ tanh²(gρ) < 1: ‖J⁻¹W̃‖∞ ≤ ‖G‖∞/(1 − q), so ‖N(x)‖∞ ≤ c·‖x‖∞ with
//! c = ‖G‖∞/(1 − q)·(2/3)g³ρ². When c ≤ ¼ every step of the search from x, a line search's
//! x + t(N(x) − x) with 0 < t ≤ 1, stays in B (closer to the origin), where the same holds. The
//! search then converges or stops without converging; and a state of B it converges at, where
//! ‖F‖∞ ≤ τ(1 + ρ) (τ the solves' tolerance), has ‖x‖∞ ≤ ‖N(x)‖∞ + ‖J⁻¹F‖∞ ≤ ‖x‖∞/4 +
//! ‖J₀⁻¹‖∞/(1 − q)·τ(1 + ρ) (J⁻¹ = (I − gGE)⁻¹J₀⁻¹): with g times that bound below half the
//! least overlap that counts as a memory (every |m_μ| ≤ g‖x‖∞), no memory owns it. The margin
//! (c ≤ ¼ where < 1 would do) covers the search's inexact steps: its K is summed in f32 buckets
//! (relative error about 10⁻⁶ of Σd), which moves N(x) by far less.
//!
//! The norms, by the P×P matrices alone (C = ΞᵀΞ/N, the overlaps; a₀ = 1 + gδ > 0): with
//! M = I − (g/a₀) C diag(w) and R = diag(w) M⁻¹, Woodbury gives
//! J₀⁻¹ = −(1/a₀)[I + (g/a₀)(1/N) Ξ R Ξᵀ], G = (δ/a₀) I − (1/a₀²)(1/N) Ξ R Ξᵀ; and for any
//! P×P matrix S, a row of (1/N) Ξ S Ξᵀ sums to at most √((1/N) Σ_j (ξ_iᵀ S ξ_j)²) =
//! √(ξ_iᵀ S C Sᵀ ξ_i) ≤ √(P λ_max(S C Sᵀ)) in absolute values (Cauchy–Schwarz; |ξ_i|² = P).
//!
//! Measured (a 16384 × 64 tour frame, docs/speed.md): 47 of 63 searches end at the origin, and
//! each stops two steps short of it.

use nalgebra::{DMatrix, SymmetricEigen};

/// Bounds on the ∞-norms of the origin's matrices, for [`OriginBall::holds`].
#[derive(Debug, Clone, Copy)]
pub struct OriginBall {
    gain: f64,
    /// ‖G‖∞ = ‖J₀⁻¹W̃‖∞ and ‖J₀⁻¹‖∞, each at most.
    g_norm: f64,
    inverse_norm: f64,
    /// The solves' tolerance on ‖F‖∞, relative to 1 + max |x|, and the least |m| of a memory.
    tolerance: f64,
    origin_overlap: f64,
}

/// λ_max of the symmetric positive semi-definite S C Sᵀ, rounded up (0 when it rounds below).
fn top_of(s: &DMatrix<f64>, overlap: &DMatrix<f64>) -> Option<f64> {
    let h = s * overlap * s.transpose();
    let h = (&h + h.transpose()) * 0.5;
    let eig = SymmetricEigen::new(h);
    let top = eig.eigenvalues.iter().fold(0.0f64, |m, &v| m.max(v));
    // Rounding in the products and the eigensolver: a relative margin far above it.
    top.is_finite()
        .then_some(top * (1.0 + 1e-6) + f64::MIN_POSITIVE)
}

impl OriginBall {
    /// The bounds for gain `gain`, self-coupling `delta`, weights `weights` and the memories'
    /// overlap matrix C; `None` when a₀ ≤ 0 or M is singular (the origin's Jacobian is), where
    /// no ball is claimed. O(P³).
    pub fn new(
        gain: f64,
        delta: f64,
        weights: &[f64],
        overlap: &DMatrix<f64>,
        tolerance: f64,
        origin_overlap: f64,
    ) -> Option<Self> {
        let p = weights.len();
        let a0 = 1.0 + gain * delta;
        if !(a0 > 0.0 && gain.is_finite() && gain > 0.0) || overlap.nrows() != p {
            return None;
        }
        let w = DMatrix::from_fn(p, p, |r, c| if r == c { weights[r] } else { 0.0 });
        let m = DMatrix::identity(p, p) - overlap * &w * (gain / a0);
        let r = &w * m.lu().try_inverse()?;
        if r.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let pf = p as f64;
        let span = (pf * top_of(&r, overlap)?).sqrt() / (a0 * a0);
        let g_norm = delta.abs() / a0 + span;
        let inverse_norm = 1.0 / a0 + gain * span;
        [g_norm, inverse_norm]
            .iter()
            .all(|v| v.is_finite())
            .then_some(Self {
                gain,
                g_norm,
                inverse_norm,
                tolerance,
                origin_overlap,
            })
    }

    /// From a state with max |x| ≤ `radius`, Newton's search ends at the origin or fails.
    pub fn holds(&self, radius: f64) -> bool {
        let g = self.gain;
        if !(radius.is_finite() && radius >= 0.0) {
            return false;
        }
        let q = g * self.g_norm * (g * radius).tanh().powi(2);
        if q > 0.5 {
            return false;
        }
        let cubic = g * g * g * radius * radius;
        let contraction = self.g_norm / (1.0 - q) * (2.0 / 3.0) * cubic;
        if contraction > 0.25 {
            return false;
        }
        // A state of the ball the search converges at: |x| ≤ |N(x)| + |J⁻¹F| ≤ |x|/4 +
        // ‖J₀⁻¹‖/(1 − q)·τ(1 + ρ).
        let end = 4.0 / 3.0 * self.inverse_norm / (1.0 - q) * self.tolerance * (1.0 + radius);
        g * end <= 0.5 * self.origin_overlap
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Random ±1 memories (N×P), weights and a δ.
    fn case(seed: u64, n: usize, p: usize) -> (DMatrix<f64>, Vec<f64>, f64) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let xi = DMatrix::from_fn(n, p, |_, _| if rng.random::<bool>() { 1.0 } else { -1.0 });
        let w: Vec<f64> = (0..p).map(|_| rng.random_range(0.0..1.5)).collect();
        let delta = if rng.random::<bool>() {
            w.iter().sum::<f64>() / n as f64
        } else {
            0.0
        };
        (xi, w, delta)
    }

    /// max_i Σ_j |A_ij|.
    fn inf_norm(a: &DMatrix<f64>) -> f64 {
        a.row_iter()
            .map(|r| r.iter().map(|v| v.abs()).sum::<f64>())
            .fold(0.0, f64::max)
    }

    #[test]
    fn the_bounds_are_at_least_the_dense_norms() {
        // The ∞-norms of G = J₀⁻¹W̃ and J₀⁻¹ formed densely (N×N) are within the bounds.
        let mut checked = 0;
        for seed in 0..20 {
            let (n, p) = (40 + 7 * seed as usize, 2 + seed as usize % 5);
            let (xi, w, delta) = case(seed, n, p);
            let gain = [0.5, 2.0, 10.0][seed as usize % 3];
            let overlap = xi.transpose() * &xi / n as f64;
            let Some(ball) = OriginBall::new(gain, delta, &w, &overlap, 1e-11, 1e-6) else {
                continue;
            };
            let wt = &xi * DMatrix::from_diagonal(&w.clone().into()) * xi.transpose() / n as f64
                - DMatrix::identity(n, n) * delta;
            let j0 = &wt * gain - DMatrix::identity(n, n);
            let inv = j0
                .clone()
                .try_inverse()
                .expect("J₀ is invertible where M is");
            let g = &inv * &wt;
            let slack = 1.0 + 1e-9;
            assert!(inf_norm(&g) <= ball.g_norm * slack, "G, seed {seed}");
            assert!(
                inf_norm(&inv) <= ball.inverse_norm * slack,
                "J₀⁻¹, seed {seed}"
            );
            checked += 1;
        }
        assert!(checked >= 15, "{checked} landscapes had a ball");
    }

    #[test]
    fn the_ball_is_small_and_shrinks_with_nothing() {
        let (xi, w, delta) = case(3, 300, 6);
        let overlap = xi.transpose() * &xi / 300.0;
        let ball = OriginBall::new(10.0, delta, &w, &overlap, 1e-11, 1e-6).expect("a ball");
        assert!(ball.holds(0.0));
        assert!(ball.holds(1e-4));
        assert!(!ball.holds(1.0));
        assert!(!ball.holds(f64::NAN));
        // It holds up to some radius and not beyond.
        let edge = (1..60)
            .map(|k| 1e-6 * 1.3f64.powi(k))
            .take_while(|&r| ball.holds(r))
            .last()
            .expect("some radius holds");
        assert!(!ball.holds(edge * 1.3 * 1.3) && edge < 0.1, "edge {edge}");
    }
}
