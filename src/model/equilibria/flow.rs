//! The equilibria x* = W Ψ(x*) + b of the continuous models, solved in f64 without ever forming
//! an N×N matrix, and the stability of the Jacobian there (with `spectrum.rs`).
//!
//! W = (1/N) Ξ diag(w) Ξᵀ − δ·I, so the residual F(x) = −x + W Ψ(x) + b costs two O(N·P)
//! products, and the Jacobian J = −A + (1/N) Ξ diag(w) Ξᵀ D, with D = diag ψ'(x) and
//! A = I + δD, is a diagonal plus rank P. Every linear solve below needs only the P×P matrix
//! K = (1/N) Ξᵀ D A⁻¹ Ξ (O(P²) per neuron that is not saturated, once per state) and
//! Woodbury's identity: (σA − (1/N) Ξ diag(w) Ξᵀ D)⁻¹ costs O(N·P + P³) beside K.
//!
//! Two solves. [`System::follow`] is pseudo-transient continuation that follows the flow:
//! implicit Euler steps (σA − J − A) dx = F, σ = 1 + 1/Δt (pseudo-time scaled by A, so that K
//! serves every Δt), from Δt = 0.1. Large implicit steps would lump the flips of many neurons
//! together and jump basins, so a step changes by at most 0.5 the ψ_i of every neuron whose
//! field it moves by half or more (the others flip whatever the order); and an implicit step
//! longer than 1/λ is drawn *into* an unstable equilibrium, so where the state moves along an
//! unstable direction of rate up to λ, Δt stays below 0.5/λ. Elsewhere Δt grows with the fall
//! of the residual (×2 to ×10 a step) and the end is Newton's, quadratic. It ends where a
//! noise-free simulation settles. [`System::newton`] (Newton with a line search) finds the
//! equilibrium nearest its start, saddles included.
//!
//! Stability, exactly. J = −I + W D is similar to −I + D^½ W D^½ = A^½ M A^½ with
//! M = −I + C diag(w) Cᵀ/N, C = A^−½ D^½ Ξ (for A > 0, i.e. δ > −1/g); by Sylvester's law of
//! inertia J has as many eigenvalues > 0 as M, whose spectrum is −1 on N − P dimensions and
//! −1 + eig(diag(w)·K) on the others. So the number of unstable directions of the full N-neuron
//! Jacobian is the number of eigenvalues of the P×P matrix diag(w)·K above 1; and with μ the
//! largest, J's largest eigenvalue lies in [min a, max a]·(μ − 1) (a = 1 + δψ', when μ > 1).

use nalgebra::{DMatrix, DMatrixView, DVector};

use super::spectrum::Spectrum;

/// Residual (max-norm) below which a solve has converged, relative to 1 + max |x|.
const TOLERANCE: f64 = 1e-11;
/// Steps before a solve gives up.
const MAX_STEPS: usize = 600;
const MAX_NEWTON_STEPS: usize = 40;
/// The first pseudo-time step of [`System::follow`] and the range Δt stays in, in model seconds.
const FIRST_DT: f64 = 0.1;
const MIN_DT: f64 = 1e-9;
const MAX_DT: f64 = 1e15;
/// Δt grows by the fall of the residual, but by at least ×2 and at most ×10 a step.
const DT_GROWTH: (f64, f64) = (2.0, 10.0);
/// Δt stays below this fraction of 1/λ where the state moves along a direction unstable at λ.
const UNSTABLE_DT: f64 = 0.5;
/// The velocity counts as moving along an unstable direction when its component there is above
/// this fraction of it (rounding on an exactly symmetric flow leaves ~1e-16).
const ACTIVE_INSTABILITY: f64 = 1e-9;
/// A step of [`System::follow`] may change no activation ψ_i of a neuron whose field it moves
/// (see `undecided_jump`) by more than this (of the 2 from −1 to 1), so that such neurons flip
/// in the order the flow flips them.
const MAX_FLIP: f64 = 0.5;
/// A step that multiplies the residual by more than this is retried with a quarter of Δt.
const REJECT_GROWTH: f64 = 1e3;
/// Neurons whose ψ'/a is below this (saturated) are left out of K: their share of it is
/// smaller than the rounding of the rest.
const NEGLIGIBLE_SLOPE: f64 = 1e-17;

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

    /// Ξ c into `out` (length N).
    pub fn combine(&self, c: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for (mu, &k) in c.iter().enumerate() {
            if k != 0.0 {
                for (o, &s) in out.iter_mut().zip(self.memory(mu)) {
                    *o += k * s;
                }
            }
        }
    }
}

/// tanh, skipping the call where the result is ±1 to f64 precision (|v| > 19.1: 1 − tanh is
/// below half an ulp of 1), as most neurons are at gain 10.
fn tanh(v: f64) -> f64 {
    if v.abs() > SATURATED {
        v.signum()
    } else {
        v.tanh()
    }
}

/// Beyond this |g·x|, tanh(g·x) rounds to ±1 in f64.
const SATURATED: f64 = 19.5;

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

/// One continuous landscape: ẋ = −x + W Ψ(x) + b with W = (1/N) Ξ diag(w) Ξᵀ − δ·I.
#[derive(Debug, Clone, Copy)]
pub struct System<'a> {
    pub basis: &'a Basis,
    pub weights: &'a [f64],
    pub bias: Option<&'a [f64]>,
    pub gain: f64,
    /// δ, the self-coupling removed with the diagonal (0 when it is kept).
    pub delta: f64,
}

/// Where a solve ended.
#[derive(Debug, Clone)]
pub struct Solution {
    pub x: Vec<f64>,
    pub psi: Vec<f64>,
    /// m = (1/N) Ξᵀ Ψ(x).
    pub overlaps: Vec<f64>,
    pub converged: bool,
    /// Steps taken.
    pub steps: usize,
    /// max_i |F_i(x)| at the end.
    pub residual: f64,
    /// The Jacobian's spectrum at the end, when it converged (`None` also when δ ≤ −1/g).
    pub spectrum: Option<Spectrum>,
}

/// A state with its residual: Ψ, m and F = −x + W Ψ + b.
#[derive(Debug, Clone)]
struct State {
    x: Vec<f64>,
    psi: Vec<f64>,
    m: Vec<f64>,
    f: Vec<f64>,
    /// max |F| and |F|₂.
    inf: f64,
    two: f64,
}

/// What the linear solves at one state need: a = 1 + δψ', ψ' and K.
#[derive(Debug, Clone)]
struct Local {
    a: Vec<f64>,
    slope: Vec<f64>,
    k: DMatrix<f64>,
}

impl System<'_> {
    fn state(&self, x: Vec<f64>) -> State {
        let (n, p) = (self.basis.n, self.basis.p);
        let mut s = State {
            psi: vec![0.0; n],
            m: vec![0.0; p],
            f: vec![0.0; n],
            inf: 0.0,
            two: 0.0,
            x,
        };
        self.evaluate(&mut s);
        s
    }

    /// Ψ, m and F of `s.x`.
    fn evaluate(&self, s: &mut State) {
        let g = self.gain;
        for (p, &v) in s.psi.iter_mut().zip(&s.x) {
            *p = tanh(g * v);
        }
        self.basis.project(&s.psi, &mut s.m);
        let coef: Vec<f64> = s.m.iter().zip(self.weights).map(|(m, w)| m * w).collect();
        self.basis.combine(&coef, &mut s.f);
        let (mut inf, mut two) = (0.0f64, 0.0f64);
        for i in 0..s.x.len() {
            let b = self.bias.map_or(0.0, |b| b[i]);
            let f = s.f[i] - s.x[i] - self.delta * s.psi[i] + b;
            s.f[i] = f;
            inf = inf.max(f.abs());
            two += f * f;
        }
        (s.inf, s.two) = (inf, two.sqrt());
    }

    /// The linear-solve data at activation `psi`, `None` when some a = 1 + δψ' ≤ 0.
    fn local(&self, psi: &[f64]) -> Option<Local> {
        let (n, p) = (self.basis.n, self.basis.p);
        let slope: Vec<f64> = psi.iter().map(|v| self.gain * (1.0 - v * v)).collect();
        let a: Vec<f64> = slope.iter().map(|s| 1.0 + self.delta * s).collect();
        if a.iter().any(|&v| v <= 0.0) {
            return None;
        }
        // K = (1/N) Eᵀ E with the rows of E the unsaturated neurons' ξ_i·, scaled by √(ψ'/a):
        // one buffer read as Eᵀ (P×n_active, column-major) and as E (strided), one gemm.
        let mut buf = Vec::with_capacity(n * p);
        for i in 0..n {
            let e = slope[i] / a[i];
            if e > NEGLIGIBLE_SLOPE {
                let r = e.sqrt();
                buf.extend(self.basis.rows[i * p..(i + 1) * p].iter().map(|v| v * r));
            }
        }
        let active = buf.len() / p.max(1);
        let k = if active == 0 {
            DMatrix::zeros(p, p)
        } else {
            let e = DMatrixView::from_slice_with_strides(&buf, active, p, p, 1);
            let et = DMatrixView::from_slice(&buf, p, active);
            (et * e) / n as f64
        };
        Some(Local { a, slope, k })
    }

    /// Solves (σA − (1/N) Ξ diag(w) Ξᵀ D) dx = F into `dx` (σ = 1 is Newton) by Woodbury:
    /// r = (σA)⁻¹F, (I − K diag(w)/σ) z = Ξᵀ D r, dx = r + (σA)⁻¹ Ξ diag(w) z / N.
    /// `None` when the P×P system is singular.
    fn step(&self, local: &Local, f: &[f64], sigma: f64, dx: &mut [f64]) -> Option<()> {
        let (n, p) = (self.basis.n, self.basis.p);
        let nf = n as f64;
        let mut dr = vec![0.0; n];
        for i in 0..n {
            dx[i] = f[i] / (sigma * local.a[i]);
            dr[i] = local.slope[i] * dx[i];
        }
        let mut s = vec![0.0; p];
        // `project` divides by N, which Ξᵀ D r does not: put it back.
        self.basis.project(&dr, &mut s);
        let m = DMatrix::from_fn(p, p, |r, c| {
            f64::from(u8::from(r == c)) - local.k[(r, c)] * self.weights[c] / sigma
        });
        let z = m
            .lu()
            .solve(&DVector::from_iterator(p, s.iter().map(|v| v * nf)))?;
        if z.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let coef: Vec<f64> = (0..p).map(|mu| self.weights[mu] * z[mu] / nf).collect();
        let mut back = vec![0.0; n];
        self.basis.combine(&coef, &mut back);
        for i in 0..n {
            dx[i] += back[i] / (sigma * local.a[i]);
        }
        Some(())
    }

    /// The Jacobian's spectrum at `local` (see [`Spectrum`]).
    fn spectrum_of(&self, local: &Local) -> Spectrum {
        let range = local
            .a
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &a| {
                (lo.min(a), hi.max(a))
            });
        Spectrum::of(&local.k, self.weights, range)
    }

    /// The local spectrum at activation `psi`; `None` when 1 + δψ' ≤ 0 somewhere (δ < −1/g),
    /// where the congruence argument does not hold.
    #[cfg(test)]
    fn spectrum(&self, psi: &[f64]) -> Option<Spectrum> {
        self.local(psi).map(|l| self.spectrum_of(&l))
    }

    /// The equilibrium a noise-free simulation from `start` settles in (or a saddle it reaches
    /// exactly, when `start` lies on its stable manifold): pseudo-transient continuation that
    /// follows the flow (see the module documentation).
    pub fn follow(&self, start: Vec<f64>) -> Solution {
        self.solve(start, true)
    }

    /// The equilibrium Newton's method reaches from `start` (a line search on |F|₂ keeps it
    /// from wandering), stable or not.
    pub fn newton(&self, start: Vec<f64>) -> Solution {
        self.solve(start, false)
    }

    fn solve(&self, start: Vec<f64>, flow: bool) -> Solution {
        let n = self.basis.n;
        let mut cur = self.state(start);
        let mut trial = cur.clone();
        let mut dx = vec![0.0; n];
        let mut local = self.local(&cur.psi);
        let mut dt = FIRST_DT;
        let mut steps = 0;
        let max_steps = if flow { MAX_STEPS } else { MAX_NEWTON_STEPS };
        // The growth-rate cap of the current state (computed once per state).
        let mut cap: Option<Option<f64>> = None;
        let converged = loop {
            let scale = 1.0 + cur.x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            if cur.inf <= TOLERANCE * scale {
                break true;
            }
            let Some(loc) = local.as_ref() else {
                break false;
            };
            if steps == max_steps || dt < MIN_DT {
                break false;
            }
            steps += 1;
            let sigma = if flow {
                let rate = *cap.get_or_insert_with(|| self.active_growth_rate(loc, &cur));
                if let Some(rate) = rate {
                    dt = dt.min(UNSTABLE_DT / rate);
                }
                1.0 + 1.0 / dt
            } else {
                1.0
            };
            if self.step(loc, &cur.f, sigma, &mut dx).is_none() {
                if !flow {
                    break false;
                }
                dt *= 0.25;
                continue;
            }
            if flow {
                for ((t, &x), &d) in trial.x.iter_mut().zip(&cur.x).zip(&dx) {
                    *t = x + d;
                }
                self.evaluate(&mut trial);
                // A step that blows the residual up was linearised too far, and one that moves
                // an undecided neuron far along its steep middle lumps flips that the flow
                // takes one at a time: retry it shorter, in proportion to the overshoot.
                let jump = self.undecided_jump(&cur, &trial);
                if !trial.two.is_finite() || trial.two > REJECT_GROWTH * cur.two {
                    dt *= 0.25;
                    continue;
                }
                if jump > MAX_FLIP {
                    dt *= (0.8 * MAX_FLIP / jump).max(0.1);
                    continue;
                }
                // Grow with the fall of the residual, but not so much that the next step would
                // overshoot the flip limit (the jump grows about as Δt while it is small).
                let growth =
                    (cur.two / trial.two.max(f64::MIN_POSITIVE)).clamp(DT_GROWTH.0, DT_GROWTH.1);
                let room = if jump > 0.0 {
                    (0.8 * MAX_FLIP / jump).max(1.0)
                } else {
                    f64::INFINITY
                };
                dt = (dt * growth.min(room)).min(MAX_DT);
            } else {
                // Backtracking: the first step length that lowers |F|₂ enough.
                let mut t = 1.0;
                let accepted = loop {
                    for ((tx, &x), &d) in trial.x.iter_mut().zip(&cur.x).zip(&dx) {
                        *tx = x + t * d;
                    }
                    self.evaluate(&mut trial);
                    if trial.two.is_finite() && trial.two <= (1.0 - 1e-4 * t) * cur.two {
                        break true;
                    }
                    t *= 0.5;
                    if t < 1e-4 {
                        break false;
                    }
                };
                if !accepted {
                    break false;
                }
            }
            std::mem::swap(&mut cur, &mut trial);
            local = self.local(&cur.psi);
            cap = None;
        };
        let spectrum = if converged {
            local.as_ref().map(|l| self.spectrum_of(l))
        } else {
            None
        };
        Solution {
            x: cur.x,
            psi: cur.psi,
            overlaps: cur.m,
            converged,
            steps,
            residual: cur.inf,
            spectrum,
        }
    }

    /// The largest |Δψ_i| from `cur` to `trial` among the neurons whose decision the step may
    /// have changed: those whose field h_i = F_i + x_i moved by at least half its size. A neuron
    /// whose field holds its sign through the step flips (or not) whatever the order.
    fn undecided_jump(&self, cur: &State, trial: &State) -> f64 {
        (0..cur.x.len())
            .filter(|&i| {
                let (h0, h1) = (cur.f[i] + cur.x[i], trial.f[i] + trial.x[i]);
                2.0 * (h1 - h0).abs() >= h0.abs()
            })
            .fold(0.0f64, |m, i| m.max((cur.psi[i] - trial.psi[i]).abs()))
    }

    /// The rate at which the state moves away along an unstable direction, when it does: the
    /// growth-rate bound of the local spectrum, if the velocity F has a component along its
    /// unstable direction. A flow that lies exactly on a saddle's stable manifold (by symmetry)
    /// has none, and is left to converge onto the saddle quickly: the caller goes on from there.
    fn active_growth_rate(&self, local: &Local, state: &State) -> Option<f64> {
        // μ ≤ max w⁺ · λ_max(K) ≤ max w⁺ · min(trace, largest row sum): with few neurons off
        // saturation nothing is unstable, and the eigenproblem is skipped.
        let p = self.basis.p;
        let trace: f64 = (0..p).map(|i| local.k[(i, i)]).sum();
        let rows = (0..p)
            .map(|r| (0..p).map(|c| local.k[(r, c)].abs()).sum::<f64>())
            .fold(0.0f64, f64::max);
        let wmax = self.weights.iter().fold(0.0f64, |m, &w| m.max(w));
        if wmax * trace.min(rows) <= 1.0 {
            return None;
        }
        let spectrum = self.spectrum_of(local);
        let rate = spectrum
            .growth_rate()
            .map(|(_, hi)| hi)
            .filter(|&r| r > 0.0)?;
        let dir = self.unstable_direction(&spectrum, &state.psi)?;
        let along = dot(&dir, &state.f).abs();
        let norms = dot(&dir, &dir).sqrt() * state.two;
        (along > ACTIVE_INSTABILITY * norms).then_some(rate)
    }

    /// The most unstable direction at activation `psi`, if there is one: δx = A⁻¹ Ξ y for the
    /// top eigenvector y of diag(w)·K (the congruence of the module documentation maps it onto
    /// a direction with a component on J's unstable eigenvectors), scaled to max |δx| = 1.
    pub fn unstable_direction(&self, spectrum: &Spectrum, psi: &[f64]) -> Option<Vec<f64>> {
        if spectrum.unstable == 0 {
            return None;
        }
        let mut dx = vec![0.0; self.basis.n];
        self.basis.combine(&spectrum.top_vector, &mut dx);
        for (d, &v) in dx.iter_mut().zip(psi) {
            *d /= 1.0 + self.delta * self.gain * (1.0 - v * v);
        }
        let big = dx.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        (big > 0.0 && big.is_finite()).then(|| dx.iter().map(|v| v / big).collect())
    }

    /// Unstable directions of the origin (an equilibrium when b = 0): there ψ' = g everywhere,
    /// so K = g/(1 + gδ) times the overlap matrix.
    pub fn origin_unstable_directions(&self, overlap: &DMatrix<f64>) -> Option<usize> {
        let a = 1.0 + self.gain * self.delta;
        (a > 0.0).then(|| Spectrum::of(&(overlap * (self.gain / a)), self.weights, (a, a)).unstable)
    }

    /// E(x)/N = [−½ Ψᵀ W Ψ − bᵀΨ + (1/g) Σ_i F(ψ_i)] / N, model.md §3.
    pub fn energy_per_neuron(&self, psi: &[f64], overlaps: &[f64]) -> f64 {
        let nf = self.basis.n as f64;
        let psi2: f64 = psi.iter().map(|v| v * v).sum();
        let quad = nf
            * self
                .weights
                .iter()
                .zip(overlaps)
                .map(|(w, m)| w * m * m)
                .sum::<f64>()
            - self.delta * psi2;
        let current = self.bias.map_or(0.0, |b| dot(b, psi));
        let entropy: f64 = psi
            .iter()
            .map(|&v| crate::model::kernels::entropy_of(v))
            .sum();
        (-0.5 * quad - current + entropy / self.gain) / nf
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::SymmetricEigen;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// A small random landscape: N neurons, P memories, weights of both signs, a state partly
    /// saturated, the zero diagonal's δ.
    fn case(seed: u64) -> (Basis, Vec<f64>, Vec<f64>, f64, f64, Vec<f64>) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let n = rng.random_range(8..40usize);
        let p = rng.random_range(1..6usize);
        let cols: Vec<f32> = (0..n * p)
            .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
            .collect();
        let basis = Basis::new(&cols, n, p);
        let weights: Vec<f64> = (0..p).map(|_| rng.random_range(-1.0..4.0)).collect();
        let bias: Vec<f64> = (0..n).map(|_| rng.random_range(-0.5..0.5)).collect();
        let gain = rng.random_range(0.5..5.0);
        let delta = weights.iter().sum::<f64>() / n as f64;
        let x: Vec<f64> = (0..n).map(|_| rng.random_range(-1.5..1.5)).collect();
        (basis, weights, bias, gain, delta.max(0.0), x)
    }

    /// W = (1/N) Ξ diag(w) Ξᵀ − δI and D = diag ψ'(x), dense.
    fn dense(sys: &System, x: &[f64]) -> (DMatrix<f64>, DMatrix<f64>) {
        let (n, p) = (sys.basis.n, sys.basis.p);
        let xi = DMatrix::from_fn(n, p, |i, mu| sys.basis.memory(mu)[i]);
        let w = DMatrix::from_fn(p, p, |a, b| if a == b { sys.weights[a] } else { 0.0 });
        let big = &xi * w * xi.transpose() / n as f64 - DMatrix::identity(n, n) * sys.delta;
        let d = DMatrix::from_fn(n, n, |i, j| {
            if i == j {
                sys.gain * (1.0 - (sys.gain * x[i]).tanh().powi(2))
            } else {
                0.0
            }
        });
        (big, d)
    }

    #[test]
    fn woodbury_step_solves_the_dense_system() {
        for seed in 0..40 {
            let (basis, weights, bias, gain, delta, x) = case(seed);
            let sys = System {
                basis: &basis,
                weights: &weights,
                bias: Some(&bias),
                gain,
                delta,
            };
            let state = sys.state(x.clone());
            let local = sys.local(&state.psi).expect("a > 0");
            let n = basis.n;
            let (w, d) = dense(&sys, &x);
            for sigma in [1.0, 1.7, 11.0] {
                let mut dx = vec![0.0; n];
                if sys.step(&local, &state.f, sigma, &mut dx).is_none() {
                    continue;
                }
                // (σA − (W + δI) D) dx = F with A = I + δD.
                let a = DMatrix::identity(n, n) + &d * delta;
                let m = &a * sigma - (&w + DMatrix::identity(n, n) * delta) * &d;
                let residual =
                    &m * DVector::from_column_slice(&dx) - DVector::from_column_slice(&state.f);
                let scale = 1.0 + state.f.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                assert!(
                    residual.amax() < 1e-9 * scale,
                    "seed {seed}, σ {sigma}: {}",
                    residual.amax()
                );
            }
        }
    }

    #[test]
    fn unstable_count_is_the_full_jacobians() {
        let mut unstable_seen = 0;
        for seed in 0..200 {
            let (basis, weights, bias, gain, delta, x) = case(seed);
            let sys = System {
                basis: &basis,
                weights: &weights,
                bias: Some(&bias),
                gain,
                delta,
            };
            let psi: Vec<f64> = x.iter().map(|v| (gain * v).tanh()).collect();
            let spectrum = sys.spectrum(&psi).expect("a > 0");
            // J = −I + W D is similar to the symmetric −I + D^½ W D^½.
            let (w, d) = dense(&sys, &x);
            let half = d.map(f64::sqrt);
            let n = basis.n;
            let js = -DMatrix::identity(n, n) + &half * w * &half;
            let eig = SymmetricEigen::new((&js + js.transpose()) * 0.5).eigenvalues;
            let count = eig.iter().filter(|&&v| v > 1e-9).count();
            assert_eq!(spectrum.unstable, count, "seed {seed}: {eig}");
            let top = eig.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            match spectrum.growth_rate() {
                Some((lo, hi)) => {
                    assert!(
                        lo - 1e-9 <= top && top <= hi + 1e-9,
                        "seed {seed}: {top} ∉ [{lo}, {hi}]"
                    );
                    unstable_seen += 1;
                }
                None => assert!(top <= 1e-9, "seed {seed}: top eigenvalue {top}"),
            }
        }
        assert!(
            unstable_seen > 20,
            "the cases should include unstable ones: {unstable_seen}"
        );
    }

    #[test]
    fn newton_and_the_flow_end_at_equilibria() {
        for seed in 0..20 {
            let (basis, weights, bias, gain, delta, x) = case(seed);
            let sys = System {
                basis: &basis,
                weights: &weights,
                bias: Some(&bias),
                gain,
                delta,
            };
            for sol in [sys.follow(x.clone()), sys.newton(x.clone())] {
                if !sol.converged {
                    continue;
                }
                // x = W Ψ(x) + b, checked densely.
                let (w, _) = dense(&sys, &sol.x);
                let psi = DVector::from_iterator(basis.n, sol.x.iter().map(|v| (gain * v).tanh()));
                let f = &w * psi + DVector::from_column_slice(&bias)
                    - DVector::from_column_slice(&sol.x);
                assert!(f.amax() < 1e-9, "seed {seed}: |F| = {}", f.amax());
            }
            // The flow never ends unstable unless it started on a stable manifold by symmetry,
            // which random states do not.
            let flow = sys.follow(x);
            if flow.converged {
                assert_eq!(flow.spectrum.map(|s| s.unstable), Some(0), "seed {seed}");
            }
        }
    }
}
