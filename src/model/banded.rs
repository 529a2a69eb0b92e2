//! A banded LU factorisation with partial pivoting (the LAPACK `gbtrf`/`gbtrs` scheme), for the
//! stationary Fokker–Planck solve of `model::density`: its matrix is n²×n² with a band of n on
//! either side of the diagonal, and nalgebra has no banded or sparse LU.

use thiserror::Error;

/// Why a banded system could not be solved.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BandedError {
    #[error("the banded matrix is singular (zero pivot in column {column})")]
    Singular { column: usize },
    #[error("a right-hand side of length {found} for a matrix of order {expected}")]
    Length { found: usize, expected: usize },
}

/// A square matrix with `lower` sub- and `upper` super-diagonals, stored by columns with room
/// for the `lower` extra super-diagonals that row exchanges fill in.
#[derive(Debug, Clone)]
pub struct Banded {
    order: usize,
    lower: usize,
    upper: usize,
    /// Column j holds rows j − upper − lower ..= j + lower, at `j * stride + (lower + upper + i − j)`.
    data: Vec<f64>,
    pivots: Vec<usize>,
    factored: bool,
}

impl Banded {
    /// A zero matrix of `order` with the given band.
    pub fn zeros(order: usize, lower: usize, upper: usize) -> Self {
        let stride = 2 * lower + upper + 1;
        Self {
            order,
            lower,
            upper,
            data: vec![0.0; order * stride],
            pivots: Vec::new(),
            factored: false,
        }
    }

    /// The order n of the n×n matrix.
    pub fn order(&self) -> usize {
        self.order
    }

    fn stride(&self) -> usize {
        2 * self.lower + self.upper + 1
    }

    /// The storage index of (i, j), which must lie in the stored band.
    fn at(&self, i: usize, j: usize) -> usize {
        j * self.stride() + self.lower + self.upper + i - j
    }

    /// Whether (i, j) lies in the band the matrix was made with.
    pub fn in_band(&self, i: usize, j: usize) -> bool {
        i < self.order && j < self.order && i <= j + self.lower && j <= i + self.upper
    }

    /// Adds `value` to entry (i, j). Panics outside the band (a programming error).
    pub fn add(&mut self, i: usize, j: usize, value: f64) {
        assert!(self.in_band(i, j), "({i}, {j}) is outside the band");
        let k = self.at(i, j);
        self.data[k] += value;
    }

    /// Sets row i to zero (within the band).
    pub fn clear_row(&mut self, i: usize) {
        let lo = i.saturating_sub(self.lower);
        let hi = (i + self.upper).min(self.order - 1);
        for j in lo..=hi {
            let k = self.at(i, j);
            self.data[k] = 0.0;
        }
    }

    /// Factors the matrix in place (P·A = L·U); after this only [`Banded::solve`] is meaningful.
    pub fn factor(&mut self) -> Result<(), BandedError> {
        let n = self.order;
        let (kl, ku) = (self.lower, self.upper);
        self.pivots = Vec::with_capacity(n);
        for j in 0..n {
            let last_row = (j + kl).min(n - 1);
            let last_col = (j + ku + kl).min(n - 1);
            let mut p = j;
            let mut best = self.data[self.at(j, j)].abs();
            for i in j + 1..=last_row {
                let v = self.data[self.at(i, j)].abs();
                if v > best {
                    best = v;
                    p = i;
                }
            }
            if best == 0.0 || !best.is_finite() {
                return Err(BandedError::Singular { column: j });
            }
            self.pivots.push(p);
            if p != j {
                for c in j..=last_col {
                    let (a, b) = (self.at(j, c), self.at(p, c));
                    self.data.swap(a, b);
                }
            }
            let pivot = self.data[self.at(j, j)];
            for i in j + 1..=last_row {
                let kij = self.at(i, j);
                let l = self.data[kij] / pivot;
                self.data[kij] = l;
                if l == 0.0 {
                    continue;
                }
                for c in j + 1..=last_col {
                    let u = self.data[self.at(j, c)];
                    let k = self.at(i, c);
                    self.data[k] -= l * u;
                }
            }
        }
        self.factored = true;
        Ok(())
    }

    /// Solves A·x = b with the factored matrix (factoring first if needed); `b` becomes x.
    pub fn solve(&mut self, b: &mut [f64]) -> Result<(), BandedError> {
        let n = self.order;
        if b.len() != n {
            return Err(BandedError::Length {
                found: b.len(),
                expected: n,
            });
        }
        if !self.factored {
            self.factor()?;
        }
        let (kl, ku) = (self.lower, self.upper);
        for j in 0..n {
            b.swap(j, self.pivots[j]);
            let bj = b[j];
            for (i, bi) in b
                .iter_mut()
                .enumerate()
                .take((j + kl).min(n - 1) + 1)
                .skip(j + 1)
            {
                *bi -= self.data[self.at(i, j)] * bj;
            }
        }
        for j in (0..n).rev() {
            let mut s = b[j];
            for (c, &bc) in b
                .iter()
                .enumerate()
                .take((j + ku + kl).min(n - 1) + 1)
                .skip(j + 1)
            {
                s -= self.data[self.at(j, c)] * bc;
            }
            b[j] = s / self.data[self.at(j, j)];
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{DMatrix, DVector};
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// A random banded matrix that needs pivoting (small diagonal), solved against nalgebra's
    /// dense LU.
    #[test]
    fn matches_a_dense_lu_on_a_matrix_that_needs_pivots() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        for &(n, kl, ku) in &[(30usize, 3usize, 2usize), (50, 7, 7), (12, 0, 4), (9, 8, 8)] {
            let mut band = Banded::zeros(n, kl, ku);
            let mut dense = DMatrix::<f64>::zeros(n, n);
            for i in 0..n {
                for j in 0..n {
                    if band.in_band(i, j) {
                        let scale = if i == j { 0.01 } else { 1.0 };
                        let v = scale * (rng.random::<f64>() * 2.0 - 1.0);
                        band.add(i, j, v);
                        dense[(i, j)] = v;
                    }
                }
            }
            let b: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
            let want = dense
                .clone()
                .lu()
                .solve(&DVector::from_vec(b.clone()))
                .unwrap();
            let mut x = b.clone();
            band.solve(&mut x).unwrap();
            for i in 0..n {
                assert!(
                    (x[i] - want[i]).abs() < 1e-8 * (1.0 + want[i].abs()),
                    "n {n} kl {kl} ku {ku} row {i}: {} against {}",
                    x[i],
                    want[i]
                );
            }
        }
    }

    #[test]
    fn a_singular_matrix_is_an_error_not_a_panic() {
        let mut band = Banded::zeros(4, 1, 1);
        band.add(0, 0, 1.0);
        band.add(1, 1, 1.0);
        band.add(3, 3, 1.0);
        let mut b = vec![1.0; 4];
        assert_eq!(band.solve(&mut b), Err(BandedError::Singular { column: 2 }));
        let mut short = vec![1.0; 3];
        assert!(matches!(
            Banded::zeros(4, 1, 1).solve(&mut short),
            Err(BandedError::Length { .. })
        ));
    }
}
