//! The memories in f64 as the discrete solver reads them (columns and rows).

/// The memories in f64, in both layouts the solver reads.
#[derive(Debug, Clone)]
pub struct Basis {
    pub n: usize,
    pub p: usize,
    /// Column-major N×P: memory μ at `cols[μ·N..(μ+1)·N]`.
    cols: Vec<f64>,
    /// Row-major N×P: neuron i's P entries at `rows[i·P..(i+1)·P]`.
    rows: Vec<f64>,
}

impl Basis {
    /// Converts column-major ±1 memories (N×P, as `Memories::columns`).
    pub fn new(columns: &[f32], n: usize, p: usize) -> Self {
        let cols: Vec<f64> = columns.iter().map(|&v| f64::from(v)).collect();
        let mut rows = vec![0.0; n * p];
        for mu in 0..p {
            for i in 0..n {
                rows[i * p + mu] = cols[mu * n + i];
            }
        }
        Self { n, p, cols, rows }
    }

    /// Neuron i's entries ξ_iμ for every μ (length P).
    pub fn row(&self, i: usize) -> &[f64] {
        &self.rows[i * self.p..(i + 1) * self.p]
    }

    /// Memory μ as a slice of length N.
    pub fn memory(&self, mu: usize) -> &[f64] {
        &self.cols[mu * self.n..(mu + 1) * self.n]
    }

    /// (1/N) Ξᵀ v into `out` (length P).
    pub fn project(&self, v: &[f64], out: &mut [f64]) {
        let n = self.n as f64;
        for (mu, o) in out.iter_mut().enumerate() {
            *o = dot(self.memory(mu), v) / n;
        }
    }
}

/// The dot product of two slices of equal length, with four accumulators.
#[inline(always)]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    // Four accumulators: vectorises, and rounds no worse than one.
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}
