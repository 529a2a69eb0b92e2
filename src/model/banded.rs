//! The stationary distribution of a continuous-time Markov chain whose rates lie in a band
//! (state i jumps only to states j with |i − j| ≤ band), for the stationary Fokker–Planck solve
//! of `model::density`: its finite volumes are such a chain on n² cells with a band of n.
//!
//! The elimination is Grassmann, Taksar and Heyman's (GTH; Stewart, *Introduction to the
//! Numerical Solution of Markov Chains*, §2.7): states are removed from the last, each one's
//! rates passed on to the states left, and a removed state's total rate out is the sum of its
//! rates to those states rather than a diagonal entry less what elimination took away. Every
//! number added is non-negative, so nothing cancels and each probability comes out to a
//! relative accuracy of a few rounding errors per state, however small. Gaussian elimination
//! of the generator (a banded LU, before) subtracts: where two sets of states exchange
//! probability exponentially slowly (wells at low noise, rates of e⁻⁵⁰ beside rates of 1), the
//! split of mass between them was lost to rounding (mirror wells at 0.35 and 0.65).
//! Removing a state joins only states within the band of it, and those within the band of
//! each other: the band holds every rate the elimination makes.

use thiserror::Error;

/// Why a stationary distribution could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BandedError {
    #[error("state {state} has no rate to the states before it: the chain is not irreducible")]
    Reducible { state: usize },
}

/// The off-diagonal rates of a chain, q(i → j) ≥ 0 for |i − j| ≤ band, stored by rows.
#[derive(Debug, Clone)]
pub struct Generator {
    order: usize,
    band: usize,
    /// q(i → j) at `i * (2·band + 1) + band + j − i`.
    rates: Vec<f64>,
}

impl Generator {
    /// A chain of `order` states with no rates yet, jumps within `band`.
    pub fn zeros(order: usize, band: usize) -> Self {
        Self {
            order,
            band,
            rates: vec![0.0; order * (2 * band + 1)],
        }
    }

    /// The number of states.
    pub fn order(&self) -> usize {
        self.order
    }

    fn at(&self, i: usize, j: usize) -> usize {
        i * (2 * self.band + 1) + self.band + j - i
    }

    /// Adds `rate` (≥ 0) to q(from → to). Panics outside the band, on a state's rate to itself
    /// or on a negative or non-finite rate (programming errors).
    pub fn add_rate(&mut self, from: usize, to: usize, rate: f64) {
        assert!(
            from < self.order && to < self.order && from != to && from.abs_diff(to) <= self.band,
            "({from} → {to}) is outside the band"
        );
        assert!(rate.is_finite() && rate >= 0.0, "rate {rate}");
        let k = self.at(from, to);
        self.rates[k] += rate;
    }

    /// The stationary distribution π (π Q = 0, Σπ = 1), every entry ≥ 0.
    pub fn stationary(mut self) -> Result<Vec<f64>, BandedError> {
        let (n, b) = (self.order, self.band);
        if n == 0 {
            return Ok(Vec::new());
        }
        let w = 2 * b + 1;
        // out[k]: state k's total rate to the states before it when it was removed.
        let mut out = vec![0.0; n];
        let mut row = vec![0.0; w];
        for k in (1..n).rev() {
            let lo = k.saturating_sub(b);
            let s: f64 = (lo..k).map(|j| self.rates[self.at(k, j)]).sum();
            if s.is_nan() || s <= 0.0 {
                return Err(BandedError::Reducible { state: k });
            }
            out[k] = s;
            // Row k's rates to lo..k, copied so that row i can be updated from them.
            let start = self.at(k, lo);
            let len = k - lo;
            row[..len].copy_from_slice(&self.rates[start..start + len]);
            for i in lo..k {
                let through = self.rates[self.at(i, k)];
                if through == 0.0 {
                    continue;
                }
                let f = through / s;
                // q(i → j) += q(i → k) q(k → j) / s for j in lo..k (j = i lands on the unused
                // diagonal slot).
                let first = self.at(i, lo);
                for (q, &r) in self.rates[first..first + len].iter_mut().zip(&row[..len]) {
                    *q += f * r;
                }
            }
        }
        // π₀ = 1, then each state from the flow into it from the states before it.
        let mut pi = vec![0.0; n];
        pi[0] = 1.0;
        for k in 1..n {
            let lo = k.saturating_sub(b);
            let inflow: f64 = (lo..k).map(|i| pi[i] * self.rates[self.at(i, k)]).sum();
            pi[k] = inflow / out[k];
        }
        let total: f64 = pi.iter().sum();
        for p in &mut pi {
            *p /= total;
        }
        Ok(pi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{DMatrix, DVector};
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Random banded chains against nalgebra's dense LU of the generator's transpose with one
    /// balance replaced by Σπ = 1 (fine at rates of one size).
    #[test]
    fn matches_a_dense_solve_on_random_banded_chains() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        for &(n, b) in &[(30usize, 3usize), (50, 7), (12, 1), (9, 8)] {
            let mut chain = Generator::zeros(n, b);
            let mut q = DMatrix::<f64>::zeros(n, n);
            for i in 0..n {
                for j in i.saturating_sub(b)..(i + b + 1).min(n) {
                    if i != j {
                        let r = rng.random::<f64>() + 0.05;
                        chain.add_rate(i, j, r);
                        q[(i, j)] = r;
                        q[(i, i)] -= r;
                    }
                }
            }
            let mut a = q.transpose();
            for j in 0..n {
                a[(0, j)] = 1.0;
            }
            let mut rhs = DVector::<f64>::zeros(n);
            rhs[0] = 1.0;
            let want = a.lu().solve(&rhs).unwrap();
            let pi = chain.stationary().unwrap();
            for i in 0..n {
                assert!(
                    (pi[i] - want[i]).abs() < 1e-12 * (1.0 + want[i].abs()),
                    "n {n} b {b} state {i}: {} against {}",
                    pi[i],
                    want[i]
                );
            }
        }
    }

    /// Two pairs of states, fast within a pair, exchanging at 1e-30 one way and 3e-30 the other:
    /// π = (3, 3, 1, 1)/8 exactly (the flow across, π₁·1e-30 = π₂·3e-30), which no elimination
    /// that subtracts gets (1 + 1e-30 is 1).
    #[test]
    fn a_nearly_decomposable_chain_keeps_the_split_between_its_parts() {
        let mut chain = Generator::zeros(4, 1);
        for (a, b, r) in [(0, 1, 1.0), (1, 0, 1.0), (2, 3, 2.0), (3, 2, 2.0)] {
            chain.add_rate(a, b, r);
        }
        chain.add_rate(1, 2, 1e-30);
        chain.add_rate(2, 1, 3e-30);
        let pi = chain.stationary().unwrap();
        for (got, want) in pi.iter().zip([3.0 / 8.0, 3.0 / 8.0, 1.0 / 8.0, 1.0 / 8.0]) {
            assert!((got - want).abs() < 1e-15, "{pi:?}");
        }
    }

    #[test]
    fn a_reducible_chain_is_an_error_not_a_panic() {
        let mut chain = Generator::zeros(4, 1);
        chain.add_rate(0, 1, 1.0);
        chain.add_rate(1, 0, 1.0);
        chain.add_rate(3, 2, 1.0);
        // State 2 leads nowhere before it.
        assert_eq!(chain.stationary(), Err(BandedError::Reducible { state: 2 }));
        assert_eq!(Generator::zeros(1, 0).stationary(), Ok(vec![1.0]));
    }
}
