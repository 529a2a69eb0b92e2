//! Krotov & Hopfield's dense associative memory with F(z) = z³ ("Dense associative memory for
//! pattern recognition", NIPS 2016), for the capacity sweep: ±1 neurons, the energy
//! E = −Σ_μ F(ξ_μᵀs), asynchronous updates in a fresh random order each sweep,
//!
//!   s_i ← sign(Σ_μ [F(ξ_μi + z'_μ) − F(−ξ_μi + z'_μ)]),   z'_μ = Σ_{j≠i} ξ_μj s_j.
//!
//! With F(z) = z³ the difference is 2ξ_μi(3z'_μ² + 1), so the field is
//! h_i = Σ_μ ξ_μi (3z'_μ² + 1), and with the overlaps d = Ξᵀs (z'_μ = d_μ − ξ_μi s_i)
//! h_i = 3 Σ_μ ξ_μi d_μ² − 6 s_i Σ_μ d_μ + 4 Σ_μ ξ_μi. The overlaps and their squares are kept up
//! to date as neurons flip, so an update costs O(P) and a sweep O(N·P), in exact integers (ties
//! go to +1, as the discrete network's do). An update never raises E: flipping s_i to sign(h_i)
//! changes E by −2|h_i|.

use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::signs::SignRows;

/// The network: the memories as sign rows, neuron by neuron (`rows`, for the field and the
/// updates of d) and memory by memory (`columns`, for the initial overlaps by POPCNT).
pub struct DenseHopfield<'a> {
    n: usize,
    p: usize,
    rows: &'a SignRows,
    columns: &'a SignRows,
}

/// A state s of the network with its overlaps d = Ξᵀs, their squares and sums.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseState {
    s: Vec<i32>,
    /// d_μ (padded with zeros to the rows' length, as `SignRows::dot_wide` reads whole words).
    d: Vec<i32>,
    /// d_μ² (padded with zeros).
    squares: Vec<i64>,
    total: i64,
    total_squares: i64,
}

impl DenseState {
    /// The neurons, ±1.
    pub fn neurons(&self) -> &[i32] {
        &self.s
    }

    /// d_μ = ξ_μᵀs of the first `p` memories.
    pub fn overlaps(&self, p: usize) -> &[i32] {
        &self.d[..p]
    }

    /// E = −Σ_μ (ξ_μᵀs)³, exactly.
    pub fn energy(&self) -> i128 {
        -self.d.iter().map(|&v| i128::from(v).pow(3)).sum::<i128>()
    }
}

impl<'a> DenseHopfield<'a> {
    /// `rows`: N rows of P signs (bit set: ξ_μi = −1); `columns`: the same as P rows of N.
    pub fn new(n: usize, p: usize, rows: &'a SignRows, columns: &'a SignRows) -> Self {
        Self {
            n,
            p,
            rows,
            columns,
        }
    }

    /// The state s (±1 entries) with its overlaps.
    pub fn state(&self, s: Vec<i32>) -> DenseState {
        let n = self.n;
        let bits = SignRows::new(1, n, |_, i| s[i] < 0);
        let mut d = vec![0i32; self.rows.padded()];
        for (mu, dm) in d.iter_mut().enumerate().take(self.p) {
            *dm = n as i32 - 2 * self.columns.differences(mu, &bits, 0) as i32;
        }
        let squares: Vec<i64> = d.iter().map(|&v| i64::from(v) * i64::from(v)).collect();
        DenseState {
            s,
            total: d.iter().map(|&v| i64::from(v)).sum(),
            total_squares: squares.iter().sum(),
            d,
            squares,
        }
    }

    /// h_i = Σ_μ ξ_μi (3z'_μ² + 1), z'_μ = d_μ − ξ_μi s_i: half of Σ_μ [F(ξ_μi + z'_μ) −
    /// F(−ξ_μi + z'_μ)] for F(z) = z³.
    pub fn field(&self, state: &DenseState, i: usize) -> i64 {
        let weighted = self.rows.dot_wide(i, &state.squares, state.total_squares);
        3 * weighted - 6 * i64::from(state.s[i]) * state.total + 4 * self.rows.row_sum(i)
    }

    /// s_i ← sign(h_i) (ties to +1); true when it flipped.
    pub fn update(&self, state: &mut DenseState, i: usize) -> bool {
        let new = if self.field(state, i) >= 0 { 1 } else { -1 };
        if new == state.s[i] {
            return false;
        }
        self.rows.add_signed(i, 2 * new, &mut state.d);
        // `add_signed` also writes the padding past P: keep it zero.
        state.d[self.p..].fill(0);
        state.s[i] = new;
        state.total = 0;
        state.total_squares = 0;
        for (sq, &v) in state.squares.iter_mut().zip(&state.d) {
            *sq = i64::from(v) * i64::from(v);
            state.total += i64::from(v);
            state.total_squares += *sq;
        }
        true
    }

    /// Runs from s(0) = sign(cue) (ties to +1) for at most `max_sweeps` sweeps, each in a fresh
    /// random order; returns the state, the sweeps made and whether the last one changed
    /// nothing (a fixed point).
    pub fn recall(
        &self,
        cue: &[f32],
        max_sweeps: usize,
        rng: &mut Xoshiro256PlusPlus,
    ) -> (DenseState, usize, bool) {
        let s = cue.iter().map(|&v| if v >= 0.0 { 1 } else { -1 }).collect();
        let mut state = self.state(s);
        let mut order: Vec<usize> = (0..self.n).collect();
        for sweep in 1..=max_sweeps {
            order.shuffle(rng);
            let mut flips = 0;
            for &i in &order {
                flips += usize::from(self.update(&mut state, i));
            }
            if flips == 0 {
                return (state, sweep, true);
            }
        }
        (state, max_sweeps, false)
    }

    /// m = d_μ/N of memory `mu` in `state`.
    pub fn overlap(&self, state: &DenseState, mu: usize) -> f64 {
        f64::from(state.d[mu]) / self.n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Memories;
    use rand::{RngExt, SeedableRng};

    /// The memories of `n` neurons and `p` patterns as ±1 rows ξ[i][μ], and their sign rows.
    fn network(n: usize, p: usize, seed: u64) -> (Vec<Vec<i64>>, SignRows, SignRows) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mem = Memories::random_compact(n, 1, p, &mut rng);
        let xi = (0..n)
            .map(|i| {
                (0..p)
                    .map(|mu| if mem.negative(i, mu) { -1 } else { 1 })
                    .collect()
            })
            .collect();
        let rows = SignRows::new(n, p, |i, mu| mem.negative(i, mu));
        let columns = SignRows::new(p, n, |mu, i| mem.negative(i, mu));
        (xi, rows, columns)
    }

    /// Memory μ as ±1 floats (a cue).
    fn memory(xi: &[Vec<i64>], mu: usize) -> Vec<f32> {
        xi.iter().map(|row| row[mu] as f32).collect()
    }

    fn random_state(n: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<i32> {
        (0..n)
            .map(|_| if rng.random::<bool>() { 1 } else { -1 })
            .collect()
    }

    fn cube(z: i64) -> i128 {
        i128::from(z).pow(3)
    }

    /// Σ_μ [F(ξ_μi + z'_μ) − F(−ξ_μi + z'_μ)] by its definition, z'_μ summed afresh.
    fn brute_difference(xi: &[Vec<i64>], s: &[i32], i: usize) -> i128 {
        (0..xi[0].len())
            .map(|mu| {
                let z: i64 = (0..s.len())
                    .filter(|&j| j != i)
                    .map(|j| xi[j][mu] * i64::from(s[j]))
                    .sum();
                cube(xi[i][mu] + z) - cube(-xi[i][mu] + z)
            })
            .sum()
    }

    fn brute_energy(xi: &[Vec<i64>], s: &[i32]) -> i128 {
        -(0..xi[0].len())
            .map(|mu| cube((0..s.len()).map(|j| xi[j][mu] * i64::from(s[j])).sum()))
            .sum::<i128>()
    }

    /// The field is half the F differences of the definition, at every neuron of random
    /// states, and stays so as the incremental overlaps follow the flips.
    #[test]
    fn the_field_is_half_the_differences_of_f() {
        for (n, p) in [(17, 3), (40, 70), (33, 130)] {
            let (xi, rows, columns) = network(n, p, 5);
            let net = DenseHopfield::new(n, p, &rows, &columns);
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
            let mut state = net.state(random_state(n, &mut rng));
            for round in 0..3 {
                for i in 0..n {
                    let want = brute_difference(&xi, state.neurons(), i);
                    let h = net.field(&state, i);
                    assert_eq!(2 * i128::from(h), want, "N={n} P={p} i={i} round {round}");
                }
                for i in 0..n {
                    net.update(&mut state, i);
                }
                let fresh = net.state(state.neurons().to_vec());
                assert_eq!(state, fresh, "the incremental overlaps drifted");
            }
        }
    }

    /// At a high load (many flips) no update raises E = −Σ_μ (ξ_μᵀs)³ (evaluated afresh), and
    /// a flip lowers it by 2|h|.
    #[test]
    fn an_update_never_raises_the_energy() {
        let (n, p) = (48, 900);
        let (xi, rows, columns) = network(n, p, 11);
        let net = DenseHopfield::new(n, p, &rows, &columns);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut flips = 0;
        for _ in 0..4 {
            let mut state = net.state(random_state(n, &mut rng));
            let mut order: Vec<usize> = (0..n).collect();
            for _ in 0..5 {
                order.shuffle(&mut rng);
                for &i in &order {
                    let before = brute_energy(&xi, state.neurons());
                    assert_eq!(state.energy(), before);
                    let h = net.field(&state, i);
                    if net.update(&mut state, i) {
                        flips += 1;
                        let after = brute_energy(&xi, state.neurons());
                        assert_eq!(after - before, -2 * i128::from(h.abs()), "i={i}");
                    } else {
                        assert_eq!(brute_energy(&xi, state.neurons()), before);
                    }
                }
            }
        }
        assert!(
            flips > 100,
            "only {flips} flips: the test saw too few updates"
        );
    }

    /// At a low load every stored pattern is a fixed point, and a cue with a fifth of it
    /// flipped is retrieved exactly; far above the capacity it is not.
    #[test]
    fn stored_patterns_are_fixed_points_at_low_load() {
        let (n, p) = (100, 60);
        let (xi, rows, columns) = network(n, p, 2);
        let net = DenseHopfield::new(n, p, &rows, &columns);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        for mu in 0..p {
            let pattern = memory(&xi, mu);
            let (state, sweeps, settled) = net.recall(&pattern, 3, &mut rng);
            assert!(settled && sweeps == 1, "memory {mu} moved");
            assert_eq!(net.overlap(&state, mu), 1.0);
            let mut cue = pattern.clone();
            for v in cue.iter_mut().take(n / 5) {
                *v = -*v;
            }
            let (state, _, settled) = net.recall(&cue, 10, &mut rng);
            assert!(settled && net.overlap(&state, mu) == 1.0, "memory {mu}");
        }
        // P = 3000 in 100 neurons (P/N² = 0.3): the patterns are no longer fixed points.
        let (xi, rows, columns) = network(n, 3000, 2);
        let net = DenseHopfield::new(n, 3000, &rows, &columns);
        let moved = (0..20)
            .filter(|&mu| {
                let pattern = memory(&xi, mu);
                net.recall(&pattern, 1, &mut rng).0.overlaps(3000)[mu] < n as i32
            })
            .count();
        assert!(moved >= 15, "{moved} of 20 moved");
    }
}
