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
//! J₀ = gW̃ − I (the origin's Jacobian): J = J₀(I − gGE) with G = J₀⁻¹W̃, so
//! J⁻¹W̃ = (I − gGE)⁻¹G. With q = g‖G‖∞ tanh²(gρ) < 1: ‖J⁻¹W̃‖∞ ≤ ‖G‖∞/(1 − q), so
//! ‖N(x)‖∞ ≤ c·‖x‖∞ with c = ‖G‖∞/(1 − q)·(2/3)g³ρ². When c ≤ ¼ every step of the search from
//! x, a line search's x + t(N(x) − x) with 0 < t ≤ 1, stays in B, at most (1 − ¾t)‖x‖∞ from the
//! origin, where the same holds. The search then converges or stops without converging; and a
//! state of B it converges at, where ‖F‖∞ ≤ τ(1 + ρ) (τ the solves' tolerance), has
//! ‖x‖∞ ≤ ‖N(x)‖∞ + ‖J⁻¹F‖∞ ≤ ‖x‖∞/4 + ‖J₀⁻¹‖∞/(1 − q)·τ(1 + ρ) (J⁻¹ = (I − gGE)⁻¹J₀⁻¹), so
//! ‖x‖∞ ≤ (4/3)‖J₀⁻¹‖∞/(1 − q)·τ(1 + ρ): with g times that below half the least overlap that
//! counts as a memory (every |m_μ| ≤ g‖x‖∞), no memory owns it.
//!
//! That is for exact Newton steps. The search's steps are not quite: its K is summed in f32
//! buckets, so a step is the exact Newton step of a landscape whose P×P system is off by K's
//! rounding (relative to Σd, about 10⁻⁶ typically, 10⁻⁵ at most in the tests' comparison), and
//! N(x) moves by about ‖J⁻¹‖·‖ΔJ‖·‖x‖. The margin c ≤ ¼ (where < 1 would do) is what covers it;
//! a worst-case bound on ‖ΔJ‖∞ by these norms is far too loose to show that (it grows with
//! ‖J₀⁻¹‖∞, large near the bifurcation g·w ≈ 1), so for inexact steps this is argued, not
//! proved, and checked: the searches stopped on the 10,000 equilibria of docs/speed.md's probe,
//! and a dense test runs the exact Newton map at the ball's edge.
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
    use std::ops::Range;

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
        // The ∞-norms of G = J₀⁻¹W̃ and J₀⁻¹ formed densely (N×N) are within the bounds (on the
        // landscapes of the 20 that have a ball, at least 15).
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

    /// The largest of first·factor^k, k in `ks`, up to which the ball holds.
    fn largest_radius(ball: &OriginBall, first: f64, factor: f64, ks: Range<i32>) -> f64 {
        ks.map(|k| first * factor.powi(k))
            .take_while(|&r| ball.holds(r))
            .last()
            .expect("some radius holds")
    }

    #[test]
    fn the_ball_holds_up_to_a_radius_and_not_beyond() {
        let (xi, w, delta) = case(3, 300, 6);
        let overlap = xi.transpose() * &xi / 300.0;
        let ball = OriginBall::new(10.0, delta, &w, &overlap, 1e-11, 1e-6).expect("a ball");
        assert!(ball.holds(0.0));
        assert!(ball.holds(1e-4));
        assert!(!ball.holds(1.0));
        assert!(!ball.holds(f64::NAN));
        // It holds up to some radius and not beyond.
        let edge = largest_radius(&ball, 1e-6, 1.3, 1..60);
        assert!(edge < 0.1, "edge {edge}");
    }

    #[test]
    fn the_bound_is_nearly_tight_for_one_memory() {
        // One memory, no self-coupling, x = ρξ at the edge of the ball: there every bound is
        // nearly met (|e| ≈ (2/3)(gρ)³ on every neuron, G's row sum exact), so Newton's step
        // lands close to a quarter as far, and no farther: a ball any larger than `holds` allows
        // (a wrong power of g, a factor dropped) would break the quarter.
        let n = 64;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let xi = DMatrix::from_fn(n, 1, |_, _| if rng.random::<bool>() { 1.0 } else { -1.0 });
        let (gain, w) = (10.0, 0.3);
        let overlap = xi.transpose() * &xi / n as f64;
        let ball = OriginBall::new(gain, 0.0, &[w], &overlap, 1e-11, 1e-6).expect("a ball");
        let edge = largest_radius(&ball, 1e-6, 1.01, 0..2000);
        // Newton's step from x = ρξ stays along ξ: x' = w·e/(w·d − 1)·ξ with d = ψ'(ρ) and
        // e = dρ − tanh(gρ) (W̃ξ = wξ).
        let d = gain * (1.0 - (gain * edge).tanh().powi(2));
        let e = d * edge - (gain * edge).tanh();
        let ratio = (w * e / (w * d - 1.0)).abs() / edge;
        assert!((0.2..=0.25).contains(&ratio), "ratio {ratio} at {edge}");
    }

    #[test]
    fn newton_from_the_balls_edge_contracts_and_ends_at_the_origin() {
        // Dense exact Newton (N×N) from random states at the largest radius where the ball
        // holds: each step lands at most a quarter as far from the origin, and the iteration
        // ends with every overlap below half of the least that counts as a memory's.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let mut checked = 0;
        for seed in 0..12 {
            let (n, p) = (120 + 10 * seed as usize, 3 + seed as usize % 4);
            let (xi, w, delta) = case(100 + seed, n, p);
            let gain = [2.0, 10.0][seed as usize % 2];
            let overlap = xi.transpose() * &xi / n as f64;
            let Some(ball) = OriginBall::new(gain, delta, &w, &overlap, 1e-11, 1e-6) else {
                continue;
            };
            let edge = largest_radius(&ball, 1e-7, 1.05, 0..400);
            let wt = &xi * DMatrix::from_diagonal(&w.clone().into()) * xi.transpose() / n as f64
                - DMatrix::identity(n, n) * delta;
            let f = |x: &nalgebra::DVector<f64>| -x + &wt * x.map(|v| (gain * v).tanh());
            let jac = |x: &nalgebra::DVector<f64>| {
                let d = x.map(|v| gain * (1.0 - (gain * v).tanh().powi(2)));
                &wt * DMatrix::from_diagonal(&d) - DMatrix::identity(n, n)
            };
            for _ in 0..3 {
                // A state on the ball's edge: every |x_i| ≤ edge, one at it.
                let mut x = nalgebra::DVector::from_fn(n, |_, _| rng.random_range(-edge..edge));
                x[0] = edge;
                for step in 0..20 {
                    let size = x.amax();
                    let dx = jac(&x)
                        .lu()
                        .solve(&f(&x))
                        .expect("J is invertible in the ball");
                    x -= dx;
                    assert!(
                        x.amax() <= size / 4.0 + 1e-15,
                        "seed {seed}, step {step}: {} from {size}",
                        x.amax()
                    );
                }
                let m = xi.transpose() * x.map(|v| (gain * v).tanh()) / n as f64;
                assert!(m.amax() < 0.5e-6, "seed {seed}: m {}", m.amax());
                checked += 1;
            }
        }
        assert!(checked >= 15, "{checked} starts checked");
    }
}
