//! The textbook discrete network's fixed points: x_i = sign h_i with h = W x (ties to +1, as
//! the network updates), reached from a ±1 start by in-order asynchronous sweeps. Each flip
//! lowers E = −½ xᵀ W x, so the sweeps end; at the end no single flip lowers E.

use super::basis::Basis;

/// A fixed point of the textbook discrete network (x_i = sign h_i, h = W x, ties to +1, as the
/// network updates) reached from the ±1 state `start` by in-order asynchronous sweeps.
#[derive(Debug, Clone)]
pub struct DiscreteFixedPoint {
    pub x: Vec<f64>,
    pub overlaps: Vec<f64>,
    pub converged: bool,
    /// Sweeps over all neurons taken (the last one changed nothing when converged).
    pub sweeps: usize,
}

/// Sweeps before the discrete solve gives up (each one that flips a neuron lowers E).
const MAX_SWEEPS: usize = 200;

/// The fixed point of x ← sign(W x) (weights `weights`, self-coupling δ removed) from `start`.
pub fn discrete_fixed_point(
    basis: &Basis,
    weights: &[f64],
    delta: f64,
    start: &[f64],
) -> DiscreteFixedPoint {
    let (n, p) = (basis.n, basis.p);
    let nf = n as f64;
    let mut x: Vec<f64> = start
        .iter()
        .map(|&v| if v >= 0.0 { 1.0 } else { -1.0 })
        .collect();
    let mut d = vec![0.0; p];
    basis.project(&x, &mut d);
    for v in &mut d {
        *v *= nf;
    }
    let (mut sweeps, mut converged) = (0, false);
    while sweeps < MAX_SWEEPS {
        sweeps += 1;
        let mut changed = false;
        for (i, xi) in x.iter_mut().enumerate() {
            let row = basis.row(i);
            let h: f64 = row
                .iter()
                .zip(&d)
                .zip(weights)
                .map(|((s, d), w)| s * w * d)
                .sum::<f64>()
                / nf
                - delta * *xi;
            let s = if h >= 0.0 { 1.0 } else { -1.0 };
            if s != *xi {
                for (dm, &r) in d.iter_mut().zip(row) {
                    *dm += 2.0 * s * r;
                }
                *xi = s;
                changed = true;
            }
        }
        if !changed {
            converged = true;
            break;
        }
    }
    DiscreteFixedPoint {
        overlaps: d.iter().map(|v| v / nf).collect(),
        x,
        converged,
        sweeps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Small random memories and a random start.
    fn case(seed: u64) -> (Basis, Vec<f64>) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let n = rng.random_range(8..40usize);
        let p = rng.random_range(1..6usize);
        let cols: Vec<f32> = (0..n * p)
            .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
            .collect();
        let x = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
        (Basis::new(&cols, n, p), x)
    }

    #[test]
    fn discrete_fixed_points_have_no_disagreeing_field() {
        for seed in 0..20 {
            let (basis, x) = case(seed);
            let p = basis.p;
            let weights = vec![1.0; p];
            let delta = p as f64 / basis.n as f64;
            let fp = discrete_fixed_point(&basis, &weights, delta, &x);
            assert!(fp.converged);
            for i in 0..basis.n {
                // The field as the network computes it: (Ξ m)_i − δ x_i, ties to +1.
                let h: f64 = (0..p)
                    .map(|mu| basis.memory(mu)[i] * fp.overlaps[mu])
                    .sum::<f64>()
                    - delta * fp.x[i];
                assert!(
                    h * fp.x[i] > 0.0 || (h.abs() < 1e-12 && fp.x[i] > 0.0),
                    "seed {seed}, neuron {i}: h = {h}, x = {}",
                    fp.x[i]
                );
            }
        }
    }
}
