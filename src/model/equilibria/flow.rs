//! The equilibria x* = W Ψ(x*) + b of the continuous models, solved in f64 without ever forming
//! an N×N matrix, and the stability of the Jacobian there (with `spectrum.rs`).
//!
//! W = (1/N) Ξ diag(w) Ξᵀ − δ·I, so the residual F(x) = −x + W Ψ(x) + b costs two products
//! with Ξ, and the Jacobian J = −A + (1/N) Ξ diag(w) Ξᵀ D, with D = diag ψ'(x) and
//! A = I + δD, is a diagonal plus rank P. Every linear solve below needs only the P×P matrix
//! K = (1/N) Ξᵀ D A⁻¹ Ξ and Woodbury's identity: (σA − (1/N) Ξ diag(w) Ξᵀ D)⁻¹ costs a product
//! each way and a P×P solve.
//!
//! Everything is per distinct row of Ξ and b (`rows.rs`), not per neuron. That is exact: the
//! solves start from γ·ξ_ρ, the same for neurons of one sign row and bias, and every step
//! moves such neurons alike (F, D and A are functions of the row and the state, and each
//! update is Ξ times P numbers plus a function of the row), so they stay equal; a sum over
//! neurons is a sum over rows weighted by their counts. With y = x + δψ(x) the flow scaled by
//! A (the one followed below) is ẏ = −y + Ξc + b, c = w ⊙ (1/N) Ξᵀ Ψ: from y(0) ∝ ξ_ρ it stays
//! on y = Ξz + βb, P + 1 numbers, and the implicit steps move y along that plane. A state costs
//! O(U·P) for U distinct rows, K O(P²) per row that is not saturated.
//!
//! K costs O(P²) per active row, a step (at 16384×64 about 31% of a solve's time on an Intel
//! Xeon; on a Zen 3 EPYC 45%, 19% since its AVX2 kernel sums each bucket in registers;
//! docs/speed.md; a large flow sums it at most every third step, `K_REUSE`): a large
//! landscape's (`LARGE`) is summed on the sign bits by table (`Rows::gram`), in f32 buckets
//! while the solve iterates (its steps need K only to
//! about f32's precision; the residual they drive to zero is f64's) and in f64 for the
//! spectrum at the end; a smaller one's by a matrix product in f64, bitwise as before. The
//! spectrum at the end takes a K of its own (the state a solve ends at needs none to step
//! from).
//!
//! Two solves. [`System::follow`] is pseudo-transient continuation that follows the flow:
//! implicit Euler steps (σA − J − A) dx = F, σ = 1 + 1/Δt (pseudo-time scaled by A, so that K
//! serves every Δt), from Δt = 0.1. Large implicit steps would lump the flips of many neurons
//! together and jump basins, so a step changes by at most 0.5 the ψ_i of every neuron whose
//! field it moves by half or more (the others flip whatever the order); and an implicit step
//! longer than 1/λ is drawn *into* an unstable equilibrium, so where the state moves along an
//! unstable direction of rate up to λ, Δt stays below 0.5/λ (on a large landscape λ's top
//! eigenpair comes from a power iteration where that settles, `Leading::of`). Elsewhere Δt
//! grows with the fall of the residual (×2 to ×10 a step), and the end is Newton's, quadratic:
//! once every row is decided (its state and field share a sign at least 10/g from 0, so no
//! row can flip on the way and the flow ends at the one equilibrium of those signs in that
//! region) Δt is taken as large as Newton's step at once (it grew ×10 a step there: about
//! seven steps). It ends where a noise-free simulation settles. [`System::newton`] (Newton with
//! a line search) finds the equilibrium nearest its start, saddles included; on a large
//! landscape with no bias it stops once inside the origin's ball, from which it could only end
//! at the origin or fail (`origin.rs`).
//!
//! Stability, exactly. J = −I + W D is similar to −I + D^½ W D^½ = A^½ M A^½ with
//! M = −I + C diag(w) Cᵀ/N, C = A^−½ D^½ Ξ (for A > 0, i.e. δ > −1/g); by Sylvester's law of
//! inertia J has as many eigenvalues > 0 as M, whose spectrum is −1 on N − P dimensions and
//! −1 + eig(diag(w)·K) on the others. So the number of unstable directions of the full N-neuron
//! Jacobian is the number of eigenvalues of the P×P matrix diag(w)·K above 1; and with μ the
//! largest, J's largest eigenvalue lies in [min a, max a]·(μ − 1) (a = 1 + δψ', when μ > 1).

use nalgebra::{DMatrix, DMatrixView, DVector};

use super::origin::OriginBall;
use super::report::ORIGIN_OVERLAP;
use super::rows::Rows;
use super::spectrum::{Leading, Spectrum};
use super::tanh::{tanh_all, tanh_all_libm};

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
/// (see `judge`) by more than this (of the 2 from −1 to 1), so that such neurons flip
/// in the order the flow flips them.
const MAX_FLIP: f64 = 0.5;
/// Rows whose state and field share a sign with |g·x| and |g·h| at least this are decided: an
/// implicit step puts each x between x and h, where 1 − |ψ| ≤ 2e⁻²⁰ ≈ 4.1e-9, so a field moves
/// by at most (Σ|w| + |δ|)·4.1e-9 on the way (2.6e-7 at P = 64 with every w = 1), far inside
/// its margin of 10/g: no row can flip. In that region (every row beyond the margin with those
/// signs) x ↦ W Ψ(x) + b moves by at most (Σ|w| + |δ|)·g·8.2e-9 per unit (5.2e-6 at g = 10
/// and P = 64 with every w = 1): a contraction wherever that is below 1, with one fixed point
/// there, to which Newton's step goes straight.
const DECIDED: f64 = 10.0;
/// A step that multiplies the residual by more than this is retried with a quarter of Δt.
const REJECT_GROWTH: f64 = 1e3;
/// How many steps of a large landscape's flow one K serves: the step from the state it was
/// summed at and the next two, each with its own a, ψ' and residual (a linearly implicit step
/// with a Jacobian from a nearby state still follows the flow to first order in Δt, and the
/// residual it drives to zero is the state's own). K is passed on only by a step taken at its
/// first try. The cap on Δt along an unstable direction (0.5/λ) of a state that has an older K
/// reads λ from that K (passing K on only from states that move along no unstable direction
/// left almost no step to reuse it: most of a flow slides off a saddle). A step that fails
/// with an older K is retried with the state's own, from the Δt before that cap. Newton's
/// searches and the spectra sum their own K at every state: a search with an older K can end
/// at another saddle (it did, for one memory of 64, when tried). Measured on the 64 random
/// 128×128 memories (docs/speed.md): a solve 10–15% shorter, every verdict, depth and
/// stability the same on eleven random sets at ten frames each.
const K_REUSE: usize = 3;
/// Neurons whose ψ'/a is below this (saturated) are left out of K: their share of it is
/// smaller than the rounding of the rest.
const NEGLIGIBLE_SLOPE: f64 = 1e-17;

/// Landscapes of at least this many distinct rows × P² are large: their K is summed by table
/// on the sign bits (`Rows::gram`) and their ψ comes from our tanh (`tanh.rs`); smaller ones
/// take K from a matrix product and ψ from libm, bitwise as before these were written (their
/// order of summation differs, and a search for a saddle near the start can end either way on
/// the last bits: on the built-in set's tour, one memory's verdict at one frame in 191 did).
const LARGE: usize = 1 << 20;

/// One continuous landscape: ẋ = −x + W Ψ(x) + b with W = (1/N) Ξ diag(w) Ξᵀ − δ·I, over the
/// distinct rows of Ξ and b.
#[derive(Debug, Clone, Copy)]
pub struct System<'a> {
    pub rows: &'a Rows,
    pub weights: &'a [f64],
    pub gain: f64,
    /// δ, the self-coupling removed with the diagonal (0 when it is kept).
    pub delta: f64,
    /// The landscape is large (see [`LARGE`]): K by table, ψ by our tanh.
    large: bool,
    /// Where Newton's searches may stop short (a large landscape with no bias; `origin.rs`).
    ball: Option<OriginBall>,
}

/// Where a solve ended.
#[derive(Debug, Clone)]
pub struct Solution {
    /// x and Ψ(x) per distinct row.
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

/// A state (per distinct row) with its residual: Ψ, m and F = −x + W Ψ + b.
#[derive(Debug, Clone)]
struct State {
    x: Vec<f64>,
    psi: Vec<f64>,
    m: Vec<f64>,
    f: Vec<f64>,
    /// max |F| and |F|₂ (over the N neurons).
    inf: f64,
    two: f64,
    /// max |x|.
    big: f64,
}

impl State {
    /// The residual is below the tolerance: a solve ends here.
    fn converged(&self) -> bool {
        self.inf <= TOLERANCE * (1.0 + self.big)
    }
}

/// Where a solve begins: a state and the linear-solve data there.
#[derive(Debug, Clone)]
pub struct Begin {
    state: State,
    local: Option<Local>,
}

/// What the linear solves at one state need: a = 1 + δψ' and ψ' per row, and K.
#[derive(Debug, Clone)]
struct Local {
    a: Vec<f64>,
    slope: Vec<f64>,
    /// K's weights d_u = n_u ψ'/a (0 where saturated), kept for their buffer.
    d: Vec<f64>,
    k: DMatrix<f64>,
    /// K was summed in f64 (the spectrum may read it).
    exact: bool,
    /// Steps since K was summed: 0 when it is this state's own (see [`K_REUSE`]).
    age: usize,
}

/// Eight running maxima from 0 of values that are ≥ +0 or NaN (|·| of something), row i in
/// lane i mod 8: the largest of such values is the same in any order, and a NaN is passed over
/// (as folding with `f64::max` passes it over); one running maximum waits on the one before
/// it, a row at a time, eight do not.
#[derive(Clone, Copy)]
struct Lanes([f64; 8]);

impl Lanes {
    const ZERO: Self = Self([0.0; 8]);

    #[inline(always)]
    fn put(&mut self, i: usize, v: f64) {
        debug_assert!(v.is_nan() || v.is_sign_positive());
        let m = &mut self.0[i % 8];
        if v > *m {
            *m = v;
        }
    }

    #[inline(always)]
    fn max(self) -> f64 {
        self.0.into_iter().fold(0.0, f64::max)
    }
}

/// The range of a = 1 + δψ' over the rows of `local`.
fn a_range(local: &Local) -> (f64, f64) {
    local
        .a
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &a| {
            (lo.min(a), hi.max(a))
        })
}

impl<'a> System<'a> {
    /// The landscape of weights `weights`, gain `gain` and self-coupling `delta` over `rows`;
    /// large (see [`LARGE`]) from 2^20 rows × P² and 1,024 rows (below that the table's fixed
    /// cost per block, 256 buckets to empty and sum, is not worth it).
    pub fn new(rows: &'a Rows, weights: &'a [f64], gain: f64, delta: f64) -> Self {
        let u = rows.len();
        Self {
            rows,
            weights,
            gain,
            delta,
            large: u >= 1 << 10 && u * rows.p * rows.p >= LARGE,
            ball: None,
        }
    }

    /// The same landscape, its Newton's searches stopped once they enter the origin's ball,
    /// where they can only end at the origin or fail (see `origin.rs`): on a large landscape
    /// with no bias (the origin is then an equilibrium), for the memories' overlap matrix
    /// (`overlap` gives it). Smaller landscapes search on, their answers bitwise as before.
    pub fn with_origin_ball<'m>(mut self, overlap: impl FnOnce() -> &'m DMatrix<f64>) -> Self {
        if self.large && !self.rows.has_bias() {
            self.ball = OriginBall::new(
                self.gain,
                self.delta,
                self.weights,
                overlap(),
                TOLERANCE,
                ORIGIN_OVERLAP,
            );
        }
        self
    }
}

impl System<'_> {
    fn state(&self, x: Vec<f64>) -> State {
        let (n, p) = (self.rows.len(), self.rows.p);
        let mut s = State {
            psi: vec![0.0; n],
            m: vec![0.0; p],
            f: vec![0.0; n],
            inf: 0.0,
            two: 0.0,
            big: 0.0,
            x,
        };
        self.evaluate(&mut s);
        s
    }

    /// Ψ, m and F of `s.x`.
    #[inline(always)]
    fn evaluate(&self, s: &mut State) {
        if self.large {
            tanh_all(self.gain, &s.x, &mut s.psi);
        } else {
            tanh_all_libm(self.gain, &s.x, &mut s.psi);
        }
        self.rows.project(&s.psi, &mut s.m);
        let coef: Vec<f64> = s.m.iter().zip(self.weights).map(|(m, w)| m * w).collect();
        self.rows.combine(&coef, &mut s.f);
        let (mut inf, mut two, mut big) = (Lanes::ZERO, 0.0f64, Lanes::ZERO);
        for u in 0..s.x.len() {
            let f = s.f[u] - s.x[u] - self.delta * s.psi[u] + self.rows.bias(u);
            s.f[u] = f;
            inf.put(u, f.abs());
            two += self.rows.count(u) * f * f;
            big.put(u, s.x[u].abs());
        }
        (s.inf, s.two, s.big) = (inf.max(), two.sqrt(), big.max());
    }

    /// The linear-solve data at activation `psi` (per row), `None` when some a = 1 + δψ' ≤ 0.
    /// `spent`, a `Local` no longer needed, lends its buffers (every entry is written again).
    #[inline(always)]
    fn local(&self, psi: &[f64], precise: bool, spent: Option<Local>) -> Option<Local> {
        let rows = self.rows;
        let p = rows.p;
        // a = 1 + δψ', ψ', and K = (1/N) Σ_u d_u ξ_u ξ_uᵀ's d_u = n_u ψ'/a over the
        // unsaturated rows.
        let u = rows.len();
        debug_assert_eq!(psi.len(), u);
        let (mut slope, mut a, mut d) =
            spent.map_or_else(Default::default, |l| (l.slope, l.a, l.d));
        for v in [&mut slope, &mut a, &mut d] {
            v.resize(u, 0.0);
        }
        let (singular, active, in_f32) = self.slopes(psi, &mut slope, &mut a, &mut d);
        if singular {
            return None;
        }
        // K by table when large, else one buffer of the rows ξ_u scaled by √d_u, read as Eᵀ
        // (P×active, column-major) and as E (strided), one gemm.
        let large = self.large;
        let exact = active == 0 || !large || precise;
        #[cfg(test)]
        tests::K_SUMS.with(|n| n.set(n.get() + 1));
        let k = if active == 0 {
            DMatrix::zeros(p, p)
        } else if large {
            let mut k = vec![0.0; p * p];
            // f32 buckets while iterating, unless some d_u is beyond f32's range.
            let single = !precise && in_f32;
            rows.gram(&d, active, single, &mut k);
            DMatrix::from_vec(p, p, k)
        } else {
            let mut buf = Vec::with_capacity(active * p);
            for (u, &d) in d.iter().enumerate() {
                if d > 0.0 {
                    rows.push_scaled(u, d.sqrt(), &mut buf);
                }
            }
            let e = DMatrixView::from_slice_with_strides(&buf, active, p, p, 1);
            let et = DMatrixView::from_slice(&buf, p, active);
            (et * e) / rows.n as f64
        };
        Some(Local {
            a,
            slope,
            d,
            k,
            exact,
            age: 0,
        })
    }

    /// `spent`'s linear-solve data moved to activation `psi`: a, ψ' and d of `psi`, K of the
    /// state `spent` summed it at (one step older). `None` when some a ≤ 0.
    #[inline(always)]
    fn moved(&self, psi: &[f64], spent: Local) -> Option<Local> {
        let Local {
            mut a,
            mut slope,
            mut d,
            k,
            age,
            ..
        } = spent;
        let (singular, _, _) = self.slopes(psi, &mut slope, &mut a, &mut d);
        (!singular).then_some(Local {
            a,
            slope,
            d,
            k,
            exact: false,
            age: age + 1,
        })
    }

    /// a = 1 + δψ', ψ' and K's weights d_u = n_u ψ'/a (0 where saturated) per row at
    /// activation `psi`, in one sweep with no early exit (so it is vectorized); whether some
    /// a ≤ 0, how many d_u are > 0 and whether all are within f32's range.
    #[inline(always)]
    fn slopes(
        &self,
        psi: &[f64],
        slope: &mut [f64],
        a: &mut [f64],
        d: &mut [f64],
    ) -> (bool, usize, bool) {
        let (mut singular, mut active, mut in_f32) = (false, 0usize, true);
        let each = slope
            .iter_mut()
            .zip(a.iter_mut())
            .zip(d.iter_mut())
            .zip(psi)
            .zip(self.rows.counts());
        for ((((s, a), d), &v), &count) in each {
            *s = self.gain * (1.0 - v * v);
            *a = 1.0 + self.delta * *s;
            let e = *s / *a;
            *d = if e > NEGLIGIBLE_SLOPE { count * e } else { 0.0 };
            singular |= *a <= 0.0;
            active += usize::from(*d > 0.0);
            in_f32 &= *d < 1e30;
        }
        (singular, active, in_f32)
    }

    /// Solves (σA − (1/N) Ξ diag(w) Ξᵀ D) dx = F into `dx` (σ = 1 is Newton) by Woodbury:
    /// r = (σA)⁻¹F, (I − K diag(w)/σ) z = Ξᵀ D r, dx = r + (σA)⁻¹ Ξ diag(w) z / N.
    /// `None` when the P×P system is singular. `dr` is a buffer for D r (any length).
    #[inline(always)]
    fn step(
        &self,
        local: &Local,
        f: &[f64],
        sigma: f64,
        dx: &mut [f64],
        dr: &mut Vec<f64>,
    ) -> Option<()> {
        let (n, p) = (self.rows.len(), self.rows.p);
        let nf = self.rows.n as f64;
        dr.resize(n, 0.0);
        let each = dx[..n].iter_mut().zip(dr.iter_mut()).zip(&f[..n]);
        for (((dx, dr), &f), (&a, &slope)) in each.zip(local.a.iter().zip(&local.slope)) {
            *dx = f / (sigma * a);
            *dr = slope * *dx;
        }
        let mut s = vec![0.0; p];
        // `project` divides by N, which Ξᵀ D r does not: put it back.
        self.rows.project(dr, &mut s);
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
        // D r is spent: its buffer takes Ξ diag(w) z / N.
        let back = dr;
        self.rows.combine(&coef, back);
        for ((dx, &back), &a) in dx[..n].iter_mut().zip(back.iter()).zip(&local.a) {
            *dx += back / (sigma * a);
        }
        Some(())
    }

    /// The Jacobian's spectrum at `local` (see [`Spectrum`]).
    fn spectrum_of(&self, local: &Local) -> Spectrum {
        Spectrum::of(&local.k, self.weights, a_range(local))
    }

    /// The local spectrum at activation `psi`; `None` when 1 + δψ' ≤ 0 somewhere (δ < −1/g),
    /// where the congruence argument does not hold.
    #[cfg(test)]
    fn spectrum(&self, psi: &[f64]) -> Option<Spectrum> {
        self.local(psi, true, None).map(|l| self.spectrum_of(&l))
    }

    /// The state `x` with the linear-solve data there: where [`Self::follow`] and
    /// [`Self::newton`] begin. A start both solves begin from is worked out once.
    pub fn begin(&self, x: Vec<f64>) -> Begin {
        let state = self.state(x);
        let local = self.local(&state.psi, false, None);
        Begin { state, local }
    }

    /// The equilibrium a noise-free simulation from `start` settles in (or a saddle it reaches
    /// exactly, when `start` lies on its stable manifold): pseudo-transient continuation that
    /// follows the flow (see the module documentation).
    pub fn follow(&self, start: Begin) -> Solution {
        self.solve(start, true, |_| true)
    }

    /// The equilibrium Newton's method reaches from `start` (a line search on |F|₂ keeps it
    /// from wandering), stable or not; its spectrum only if `wanted` by its overlaps (the
    /// spectrum is an f64 K and a P×P eigenproblem, and a search mostly ends somewhere the
    /// caller has no use for). With the origin's ball (`with_origin_ball`) a search that
    /// enters it stops there unconverged, spectrum `None`, where it would have gone on to the
    /// origin: `wanted` must then be false of the origin's overlaps (all below 10⁻⁶), as
    /// owning a memory is.
    pub fn newton(&self, start: Begin, wanted: impl Fn(&[f64]) -> bool) -> Solution {
        self.solve(start, false, wanted)
    }

    /// [`Self::solve_with`], its sweeps over the rows compiled for AVX-512 where the processor
    /// has it (each does the same operations lane by lane, so the numbers are bitwise the same).
    fn solve(&self, start: Begin, flow: bool, wanted: impl Fn(&[f64]) -> bool) -> Solution {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked above).
            return unsafe { self.solve_avx512(start, flow, wanted) };
        }
        self.solve_with(start, flow, wanted)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn solve_avx512(
        &self,
        start: Begin,
        flow: bool,
        wanted: impl Fn(&[f64]) -> bool,
    ) -> Solution {
        self.solve_with(start, flow, wanted)
    }

    #[inline(always)]
    fn solve_with(&self, start: Begin, flow: bool, wanted: impl Fn(&[f64]) -> bool) -> Solution {
        let n = self.rows.len();
        let Begin {
            state: mut cur,
            mut local,
        } = start;
        let mut trial = cur.clone();
        let mut dx = vec![0.0; n];
        let mut dr = Vec::new();
        let mut dt = FIRST_DT;
        let mut steps = 0;
        let max_steps = if flow { MAX_STEPS } else { MAX_NEWTON_STEPS };
        // The growth-rate cap of the current state (computed once per state).
        let mut cap: Option<Option<f64>> = None;
        // No step from the current state has been rejected.
        let mut first_try = true;
        let converged = loop {
            if cur.converged() {
                break true;
            }
            let Some(loc) = local.as_ref() else {
                break false;
            };
            if steps == max_steps || dt < MIN_DT {
                break false;
            }
            steps += 1;
            // Δt before this state's cap: a retry with the state's own K starts from it.
            let uncapped = dt;
            let sigma = if flow {
                let rate = *cap.get_or_insert_with(|| self.active_growth_rate(loc, &cur));
                if let Some(rate) = rate {
                    dt = dt.min(UNSTABLE_DT / rate);
                }
                1.0 + 1.0 / dt
            } else {
                1.0
            };
            // A step that fails with K from an earlier state is retried with this state's own
            // from the Δt before its cap, where the flow would have stepped from without reuse.
            let stale = loc.age > 0;
            if self.step(loc, &cur.f, sigma, &mut dx, &mut dr).is_none() {
                if !flow {
                    break false;
                }
                first_try = false;
                if stale {
                    (local, cap, dt) = (self.local(&cur.psi, false, local.take()), None, uncapped);
                    continue;
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
                let (jump, decided) = self.judge(&cur, &trial);
                let blown = !trial.two.is_finite() || trial.two > REJECT_GROWTH * cur.two;
                if blown || jump > MAX_FLIP {
                    first_try = false;
                    if stale {
                        (local, cap, dt) =
                            (self.local(&cur.psi, false, local.take()), None, uncapped);
                    } else if blown {
                        dt *= 0.25;
                    } else {
                        dt *= (0.8 * MAX_FLIP / jump).max(0.1);
                    }
                    continue;
                }
                dt = if jump == 0.0 && cap.flatten().is_none() && decided {
                    // No row can flip from here on (`DECIDED`): the flow ends at the one
                    // equilibrium of these signs in this region, and Newton's steps go there.
                    MAX_DT
                } else {
                    // Grow with the fall of the residual, but not so much that the next step
                    // would overshoot the flip limit (the jump grows about as Δt while it is
                    // small).
                    let fall = cur.two / trial.two.max(f64::MIN_POSITIVE);
                    let growth = fall.clamp(DT_GROWTH.0, DT_GROWTH.1);
                    let room = if jump > 0.0 {
                        (0.8 * MAX_FLIP / jump).max(1.0)
                    } else {
                        f64::INFINITY
                    };
                    (dt * growth.min(room)).min(MAX_DT)
                };
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
            // A search inside the origin's ball ends at the origin or fails: it finds nothing
            // a caller keeps, and stops here unconverged (see `origin.rs`).
            if !flow && !cur.converged() && self.ball.is_some_and(|ball| ball.holds(cur.big)) {
                break false;
            }
            // No step is taken from a state that has converged: its K is not needed to step
            // (the spectrum, if wanted, is worked out from the state below). A large flow's
            // K serves the next step too, while it is young and the steps it served were taken
            // at their first try (see `K_REUSE`).
            let reuse = flow && self.large && first_try && loc.age + 1 < K_REUSE;
            #[cfg(test)]
            tests::ACCEPTED.with(|n| n.set(n.get() + 1));
            local = if cur.converged() {
                None
            } else if reuse {
                local.take().and_then(|l| self.moved(&cur.psi, l))
            } else {
                self.local(&cur.psi, false, local.take())
            };
            first_try = true;
            cap = None;
        };
        let spectrum = if converged && wanted(&cur.m) {
            // The start's K when the solve began converged and it is f64's already, else K
            // in f64 now.
            match local {
                Some(l) if l.exact => Some(self.spectrum_of(&l)),
                _ => self
                    .local(&cur.psi, true, None)
                    .map(|l| self.spectrum_of(&l)),
            }
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

    /// A step from `cur` to `trial`, judged in one sweep over the rows:
    /// - the largest |Δψ| among the rows whose decision the step may have changed: those whose
    ///   field h_i = F_i + x_i moved by at least half its size (a neuron whose field holds its
    ///   sign through the step flips, or not, whatever the order);
    /// - whether `trial` is decided: every row's state and field have one sign and are at
    ///   least `DECIDED`/g from 0, so along the flow from there (x moves toward h) no row can
    ///   flip.
    #[inline(always)]
    fn judge(&self, cur: &State, trial: &State) -> (f64, bool) {
        let margin = DECIDED / self.gain;
        let (mut jump, mut decided) = (Lanes::ZERO, true);
        for i in 0..cur.x.len() {
            let (h0, h1) = (cur.f[i] + cur.x[i], trial.f[i] + trial.x[i]);
            if 2.0 * (h1 - h0).abs() >= h0.abs() {
                jump.put(i, (cur.psi[i] - trial.psi[i]).abs());
            }
            let x = trial.x[i];
            decided &= x.abs() >= margin && h1.abs() >= margin && (x > 0.0) == (h1 > 0.0);
        }
        (jump.max(), decided)
    }

    /// The rate at which the state moves away along an unstable direction, when it does: the
    /// growth-rate bound of the local spectrum, if the velocity F has a component along its
    /// unstable direction. A flow that lies exactly on a saddle's stable manifold (by symmetry)
    /// has none, and is left to converge onto the saddle quickly: the caller goes on from there.
    #[inline(always)]
    fn active_growth_rate(&self, local: &Local, state: &State) -> Option<f64> {
        // μ ≤ max w⁺ · λ_max(K) ≤ max w⁺ · min(trace, largest row sum): with few neurons off
        // saturation nothing is unstable, and the eigenproblem is skipped.
        let p = self.rows.p;
        let trace: f64 = (0..p).map(|i| local.k[(i, i)]).sum();
        let rows = (0..p)
            .map(|r| (0..p).map(|c| local.k[(r, c)].abs()).sum::<f64>())
            .fold(0.0f64, f64::max);
        let wmax = self.weights.iter().fold(0.0f64, |m, &w| m.max(w));
        if wmax * trace.min(rows) <= 1.0 {
            return None;
        }
        // A large landscape's by power iteration when it settles (see `Leading::of`).
        let range = a_range(local);
        let top = self
            .large
            .then(|| Leading::of(&local.k, self.weights, range))
            .flatten()
            .unwrap_or_else(|| Spectrum::of(&local.k, self.weights, range).leading_pair());
        let rate = top.growth_rate().map(|(_, hi)| hi).filter(|&r| r > 0.0)?;
        let dir = self.direction(top.vector.as_deref()?, &state.psi)?;
        let [along, dir2] = self.rows.sums(|u| [dir[u] * state.f[u], dir[u] * dir[u]]);
        let (along, norms) = (along.abs(), dir2.sqrt() * state.two);
        (along > ACTIVE_INSTABILITY * norms).then_some(rate)
    }

    /// The most unstable direction at activation `psi`, if there is one: δx = A⁻¹ Ξ y for the
    /// top eigenvector y of diag(w)·K (the congruence of the module documentation maps it onto
    /// a direction with a component on J's unstable eigenvectors), scaled to max |δx| = 1.
    #[inline(always)]
    pub fn unstable_direction(&self, spectrum: &Spectrum, psi: &[f64]) -> Option<Vec<f64>> {
        if spectrum.unstable == 0 {
            return None;
        }
        self.direction(&spectrum.top_vector, psi)
    }

    /// δx = A⁻¹ Ξ y at activation `psi` for an eigenvector y of diag(w)·K, scaled to
    /// max |δx| = 1 (`None` if it is 0 or not finite).
    #[inline(always)]
    fn direction(&self, y: &[f64], psi: &[f64]) -> Option<Vec<f64>> {
        let mut dx = vec![0.0; self.rows.len()];
        self.rows.combine(y, &mut dx);
        let mut lanes = Lanes::ZERO;
        for (i, (d, &v)) in dx.iter_mut().zip(psi).enumerate() {
            *d /= 1.0 + self.delta * self.gain * (1.0 - v * v);
            lanes.put(i, d.abs());
        }
        let big = lanes.max();
        (big > 0.0 && big.is_finite()).then(|| dx.iter().map(|v| v / big).collect())
    }

    /// Unstable directions of the origin (an equilibrium when b = 0): there ψ' = g everywhere,
    /// so K = g/(1 + gδ) times the overlap matrix.
    pub fn origin_unstable_directions(&self, overlap: &DMatrix<f64>) -> Option<usize> {
        let a = 1.0 + self.gain * self.delta;
        (a > 0.0).then(|| Spectrum::of(&(overlap * (self.gain / a)), self.weights, (a, a)).unstable)
    }

    /// (1/N) Ξᵀ x for x given per row.
    pub fn projections(&self, x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.rows.p];
        self.rows.project(x, &mut out);
        out
    }

    /// E(x)/N = [−½ Ψᵀ W Ψ − bᵀΨ + (1/g) Σ_i F(ψ_i)] / N, model.md §3 (Ψ per row).
    pub fn energy_per_neuron(&self, psi: &[f64], overlaps: &[f64]) -> f64 {
        let nf = self.rows.n as f64;
        let entropy_of = crate::model::kernels::entropy_of;
        let [psi2, current, entropy] = self.rows.sums(|u| {
            let v = psi[u];
            [v * v, self.rows.bias(u) * v, entropy_of(v)]
        });
        let quad = nf
            * self
                .weights
                .iter()
                .zip(overlaps)
                .map(|(w, m)| w * m * m)
                .sum::<f64>()
            - self.delta * psi2;
        (-0.5 * quad - current + entropy / self.gain) / nf
    }
}
#[cfg(test)]
mod tests {
    use super::super::report::owns;
    use super::*;
    use nalgebra::SymmetricEigen;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// A small random landscape over neurons that share rows (P ≤ 4, up to 60 neurons, a bias
    /// of three values): the rows, each neuron's row, Ξ (N×P), weights of both signs, the bias
    /// per neuron, the gain, the zero diagonal's δ, and a state per row, partly saturated.
    struct Case {
        rows: Rows,
        row_of: Vec<usize>,
        xi: DMatrix<f64>,
        weights: Vec<f64>,
        bias: Vec<f64>,
        gain: f64,
        delta: f64,
        x: Vec<f64>,
    }

    fn case(seed: u64) -> Case {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let n = rng.random_range(8..60usize);
        let p = rng.random_range(1..5usize);
        let cols: Vec<f32> = (0..n * p)
            .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
            .collect();
        let levels = [
            rng.random_range(-0.5..0.5),
            rng.random_range(-0.5..0.5),
            0.0,
        ];
        let bias: Vec<f64> = (0..n)
            .map(|_| levels[rng.random_range(0..3usize)])
            .collect();
        let rows = Rows::new(&cols, n, p, Some(&bias));
        let row_of: Vec<usize> = (0..n)
            .map(|i| {
                (0..rows.len())
                    .find(|&u| {
                        rows.bias(u) == bias[i]
                            && (0..p).all(|mu| rows.row(u)[mu] == f64::from(cols[mu * n + i]))
                    })
                    .expect("every neuron has its row")
            })
            .collect();
        let xi = DMatrix::from_fn(n, p, |i, mu| f64::from(cols[mu * n + i]));
        let weights: Vec<f64> = (0..p).map(|_| rng.random_range(-1.0..4.0)).collect();
        let gain = rng.random_range(0.5..5.0);
        let delta = weights.iter().sum::<f64>() / n as f64;
        let x: Vec<f64> = (0..rows.len())
            .map(|_| rng.random_range(-1.5..1.5))
            .collect();
        Case {
            rows,
            row_of,
            xi,
            weights,
            bias,
            gain,
            delta: delta.max(0.0),
            x,
        }
    }

    impl Case {
        fn system(&self) -> System<'_> {
            System::new(&self.rows, &self.weights, self.gain, self.delta)
        }

        /// A vector per row, per neuron.
        fn expand(&self, v: &[f64]) -> DVector<f64> {
            DVector::from_iterator(self.row_of.len(), self.row_of.iter().map(|&u| v[u]))
        }
    }

    /// W = (1/N) Ξ diag(w) Ξᵀ − δI and D = diag ψ'(x), dense (x per neuron).
    fn dense(c: &Case, x: &DVector<f64>) -> (DMatrix<f64>, DMatrix<f64>) {
        let sys = c.system();
        let (n, p) = (c.xi.nrows(), c.xi.ncols());
        let xi = &c.xi;
        let w = DMatrix::from_fn(p, p, |a, b| if a == b { sys.weights[a] } else { 0.0 });
        let big = xi * w * xi.transpose() / n as f64 - DMatrix::identity(n, n) * sys.delta;
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
        let mut shared = 0;
        for seed in 0..40 {
            let c = case(seed);
            shared += c.row_of.len() - c.rows.len();
            let sys = c.system();
            let state = sys.state(c.x.clone());
            // From another state's buffers, and a stale buffer for D r: every entry is
            // written again.
            let other = sys.state(c.x.iter().map(|v| 0.5 - v).collect());
            let spent = sys.local(&other.psi, true, None);
            let local = sys.local(&state.psi, true, spent).expect("a > 0");
            let mut dr = vec![f64::NAN; 3];
            let n = c.row_of.len();
            let (w, d) = dense(&c, &c.expand(&c.x));
            let delta = c.delta;
            // F per neuron, dense: −x + W Ψ + b.
            let psi = c.expand(&state.psi);
            let f = -c.expand(&c.x) + &w * psi + DVector::from_column_slice(&c.bias);
            let scale = 1.0 + f.amax();
            assert!(
                (c.expand(&state.f) - &f).amax() < 1e-12 * scale,
                "seed {seed}: F"
            );
            for sigma in [1.0, 1.7, 11.0] {
                let mut dx = vec![0.0; c.rows.len()];
                if sys
                    .step(&local, &state.f, sigma, &mut dx, &mut dr)
                    .is_none()
                {
                    continue;
                }
                // Bitwise what fresh buffers give.
                let fresh = sys.local(&state.psi, true, None).expect("a > 0");
                let mut again = vec![0.0; c.rows.len()];
                sys.step(&fresh, &state.f, sigma, &mut again, &mut Vec::new())
                    .expect("solved once");
                assert_eq!(bits(&dx), bits(&again), "seed {seed}: reused buffers");
                // (σA − (W + δI) D) dx = F with A = I + δD.
                let a = DMatrix::identity(n, n) + &d * delta;
                let m = &a * sigma - (&w + DMatrix::identity(n, n) * delta) * &d;
                let residual = &m * c.expand(&dx) - &f;
                let scale = 1.0 + state.f.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                assert!(
                    residual.amax() < 1e-9 * scale,
                    "seed {seed}, σ {sigma}: {}",
                    residual.amax()
                );
            }
        }
        assert!(
            shared > 100,
            "the cases should share rows: {shared} neurons did"
        );
    }

    #[test]
    fn unstable_count_is_the_full_jacobians() {
        let mut unstable_seen = 0;
        for seed in 0..200 {
            let c = case(seed);
            let sys = c.system();
            let psi: Vec<f64> = c.x.iter().map(|v| (c.gain * v).tanh()).collect();
            let spectrum = sys.spectrum(&psi).expect("a > 0");
            // J = −I + W D is similar to the symmetric −I + D^½ W D^½.
            let (w, d) = dense(&c, &c.expand(&c.x));
            let half = d.map(f64::sqrt);
            let n = c.row_of.len();
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

    /// Random ±1 rows of N neurons over P memories (no bias), and the generator that drew them
    /// (seed 11), to draw more from.
    fn random_rows(n: usize, p: usize) -> (Rows, Xoshiro256PlusPlus) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let cols: Vec<f32> = (0..n * p)
            .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
            .collect();
        (Rows::new(&cols, n, p, None), rng)
    }

    #[test]
    fn large_landscapes_end_where_the_small_path_ends() {
        // A landscape above `LARGE` (2048 rows × 32²) solved on its own path (K by table, in
        // f32 while iterating; our tanh) and on the small one (matrix product, libm): the same
        // equilibria from the same starts, the same stability.
        let (n, p) = (2048, 32);
        let (rows, _) = random_rows(n, p);
        let mut compared = 0;
        for seed in 0..3u64 {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            let weights: Vec<f64> = (0..p).map(|_| rng.random_range(0.1..4.0)).collect();
            let sys = System::new(
                &rows,
                &weights,
                10.0,
                weights.iter().sum::<f64>() / n as f64,
            );
            assert!(sys.large, "the case should take the large path");
            let small = System {
                large: false,
                ..sys
            };
            for mu in [0, 7, 19] {
                let start: Vec<f64> = (0..rows.len()).map(|u| 0.3 * rows.row(u)[mu]).collect();
                let run = |sys: &System, newton: bool| {
                    if newton {
                        sys.newton(sys.begin(start.clone()), |_| true)
                    } else {
                        sys.follow(sys.begin(start.clone()))
                    }
                };
                for newton in [false, true] {
                    let (large, small) = (run(&sys, newton), run(&small, newton));
                    assert_eq!(large.converged, small.converged, "seed {seed}, μ {mu}");
                    if !small.converged {
                        continue;
                    }
                    let unstable = |s: &Solution| s.spectrum.as_ref().map(|sp| sp.unstable);
                    assert_eq!(unstable(&large), unstable(&small), "seed {seed}, μ {mu}");
                    for (a, b) in large.overlaps.iter().zip(&small.overlaps) {
                        assert!(
                            (a - b).abs() < 1e-8,
                            "seed {seed}, μ {mu}: m {a} against {b}"
                        );
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared >= 12, "only {compared} solves converged");
    }

    #[test]
    fn a_search_in_the_origins_ball_stops_short_and_keeps_nothing() {
        // Newton's searches for a memory's saddle from small starts on a large landscape near
        // the origin's bifurcation (g·w about 1): those that enter the origin's ball stop there
        // unconverged, where the full search ends at the origin (or fails); every search ends
        // with a spectrum, or not, as the full one does.
        let (n, p) = (2048, 32);
        let (rows, _) = random_rows(n, p);
        let overlap = DMatrix::from_fn(p, p, |a, b| {
            rows.sum(|u| rows.row(u)[a] * rows.row(u)[b]) / n as f64
        });
        let (mut stopped, mut kept, mut at_origin) = (0, 0, 0);
        for seed in 0..5u64 {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            let weights: Vec<f64> = (0..p).map(|_| rng.random_range(0.05..0.13)).collect();
            let plain = System::new(
                &rows,
                &weights,
                10.0,
                weights.iter().sum::<f64>() / n as f64,
            );
            let sys = plain.with_origin_ball(|| &overlap);
            assert!(sys.ball.is_some(), "seed {seed}: no ball");
            for mu in 0..p {
                let start: Vec<f64> = (0..rows.len()).map(|u| 0.1 * rows.row(u)[mu]).collect();
                let owned = |m: &[f64]| owns(m, mu, 1);
                let full = plain.newton(plain.begin(start.clone()), owned);
                let short = sys.newton(sys.begin(start.clone()), owned);
                let case = format!("seed {seed}, μ {mu}");
                assert_eq!(short.spectrum.is_some(), full.spectrum.is_some(), "{case}");
                kept += usize::from(full.spectrum.is_some());
                if short.steps < full.steps {
                    stopped += 1;
                    assert!(!short.converged, "{case}");
                    let largest = full.overlaps.iter().fold(0.0f64, |a, m| a.max(m.abs()));
                    assert!(
                        !full.converged || largest < ORIGIN_OVERLAP,
                        "{case}: {largest}"
                    );
                    at_origin += usize::from(full.converged);
                } else {
                    assert_eq!(short.steps, full.steps, "{case}");
                    assert_eq!(bits(&short.x), bits(&full.x), "{case}");
                }
            }
        }
        assert!(
            stopped >= 5 && at_origin >= 5 && kept >= 8,
            "{stopped} searches stopped short ({at_origin} where the full one reached the \
             origin), {kept} kept"
        );
    }

    thread_local! {
        /// K's computed on this thread (`System::local`).
        pub(super) static K_SUMS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
        /// Steps accepted on this thread (`System::solve_with`).
        pub(super) static ACCEPTED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    #[test]
    fn a_large_flow_sums_k_every_third_step() {
        // `K_REUSE`: the flow on a large landscape takes three steps with each K it sums (fewer
        // where a step is retried), Newton's search one a step; the ends are the other's
        // (`large_landscapes_end_where_the_small_path_ends`). Steps counted are the accepted
        // ones.
        let (n, p) = (2048, 32);
        let (rows, mut rng) = random_rows(n, p);
        let weights: Vec<f64> = (0..p).map(|_| rng.random_range(0.1..4.0)).collect();
        let delta = weights.iter().sum::<f64>() / n as f64;
        let sys = System::new(&rows, &weights, 10.0, delta);
        assert!(sys.large);
        let (mut flow, mut newton) = ([0usize; 2], [0usize; 2]);
        let memories = [0, 7, 19, 25, 31];
        for mu in memories {
            let start: Vec<f64> = (0..rows.len()).map(|u| 0.3 * rows.row(u)[mu]).collect();
            for (is_flow, count) in [(true, &mut flow), (false, &mut newton)] {
                let before = (ACCEPTED.with(|k| k.get()), K_SUMS.with(|k| k.get()));
                sys.solve(sys.begin(start.clone()), is_flow, |_| false);
                count[0] += ACCEPTED.with(|k| k.get()) - before.0;
                count[1] += K_SUMS.with(|k| k.get()) - before.1;
            }
        }
        assert!(flow[0] >= 25, "the flows should take steps: {flow:?}");
        // One K to begin with, then one a step (Newton) or one in three (the flow), give or
        // take one a run.
        let runs = memories.len();
        assert!(newton[1] >= newton[0], "Newton: {newton:?} (steps, K's)");
        assert!(
            3 * flow[1] <= flow[0] + 3 * 2 * runs,
            "the flow: {flow:?} (steps, K's)"
        );
    }

    #[test]
    fn the_solve_compiled_for_avx512_is_bitwise_the_portable_one() {
        // `solve` runs `solve_avx512` where the processor has AVX-512: the same flows and
        // searches as `solve_with` compiled for any x86-64, bit for bit, on a large landscape
        // (our tanh, K by table) and a small one (libm, a matrix product), with a bias.
        #[cfg(target_arch = "x86_64")]
        if !std::arch::is_x86_feature_detected!("avx512f") {
            return;
        }
        for (n, p) in [(2048, 32), (300, 6)] {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
            let cols: Vec<f32> = (0..n * p)
                .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
                .collect();
            let bias: Vec<f64> = (0..n).map(|i| [0.0, 0.05][i % 2]).collect();
            let rows = Rows::new(&cols, n, p, Some(&bias));
            let weights: Vec<f64> = (0..p).map(|_| rng.random_range(0.1..4.0)).collect();
            let delta = weights.iter().sum::<f64>() / n as f64;
            let sys = System::new(&rows, &weights, 10.0, delta);
            assert_eq!(sys.large, n == 2048);
            for mu in [0, p - 1] {
                let start: Vec<f64> = (0..rows.len()).map(|u| 0.3 * rows.row(u)[mu]).collect();
                for flow in [true, false] {
                    let a = sys.solve(sys.begin(start.clone()), flow, |_| true);
                    let b = sys.solve_with(sys.begin(start.clone()), flow, |_| true);
                    let case = format!("N {n}, P {p}, μ {mu}, flow {flow}");
                    assert_eq!((a.steps, a.converged), (b.steps, b.converged), "{case}");
                    assert_eq!(bits(&a.x), bits(&b.x), "{case}: x");
                    assert_eq!(bits(&a.psi), bits(&b.psi), "{case}: ψ");
                    assert_eq!(bits(&a.overlaps), bits(&b.overlaps), "{case}: m");
                    assert_eq!(a.residual.to_bits(), b.residual.to_bits(), "{case}");
                }
            }
        }
    }

    fn bits(x: &[f64]) -> Vec<u64> {
        x.iter().map(|v| v.to_bits()).collect()
    }

    #[test]
    fn lanes_find_what_folding_with_max_finds() {
        // The sweeps' eight running maxima give f64::max's fold from 0 (NaN passed over) for
        // every length, every place of the largest value and every place of a NaN.
        for len in 0..20 {
            for top in 0..len {
                for nan in 0..len {
                    let mut v: Vec<f64> = (0..len).map(|i| (i % 5) as f64 * 0.25).collect();
                    v[top] = 9.0;
                    if nan != top {
                        v[nan] = f64::NAN;
                    }
                    let mut lanes = Lanes::ZERO;
                    for (i, &x) in v.iter().enumerate() {
                        lanes.put(i, x);
                    }
                    let folded = v.iter().fold(0.0, |m: f64, &x| m.max(x));
                    assert_eq!(lanes.max().to_bits(), folded.to_bits(), "{v:?}");
                }
            }
        }
    }

    #[test]
    fn a_decided_flow_takes_newtons_steps_to_the_equilibrium_of_its_signs() {
        // From 1.2·ξ₀ (g·x = 12, where 1 − |ψ| is 7.6e-11, not 0 as it is in f64 from
        // g·x ≈ 18.4), where every row is decided (state and field share a sign, both at least
        // DECIDED/g from 0) on a good part of these landscapes, the flow ends at the equilibrium
        // of those signs, the fixed point of x ↦ W Ψ(x) + b (a contraction there), and Newton's
        // steps get there in a few (Δt grew ×10 a step before: about seven). That no step is
        // Newton's before every row is decided is what tests/model_equilibria_reference.rs
        // guards (a flow that jumps basins changes verdicts there).
        let mut decided = 0;
        for seed in 0..40 {
            let mut c = case(seed);
            c.gain = 10.0;
            c.weights[0] = 4.0;
            c.delta = (c.weights.iter().sum::<f64>() / c.xi.nrows() as f64).max(0.0);
            let sys = c.system();
            let field = |x: &[f64]| -> Vec<f64> {
                let s = sys.state(x.to_vec());
                s.f.iter().zip(&s.x).map(|(f, x)| f + x).collect()
            };
            let start: Vec<f64> = (0..c.rows.len()).map(|u| 1.2 * c.rows.row(u)[0]).collect();
            // Decided as the flow judges a state it steps to.
            let at_start = sys.state(start.clone());
            if !sys.judge(&at_start, &at_start).1 {
                continue;
            }
            decided += 1;
            let sol = sys.follow(sys.begin(start.clone()));
            assert!(sol.converged, "seed {seed}");
            assert!(sol.steps <= 3, "seed {seed}: {} steps", sol.steps);
            let mut fixed = start;
            for _ in 0..50 {
                fixed = field(&fixed);
            }
            let scale = 1.0 + fixed.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (u, (a, b)) in sol.x.iter().zip(&fixed).enumerate() {
                assert!(
                    (a - b).abs() <= 2.0 * TOLERANCE * scale,
                    "seed {seed}, row {u}: {a}, {b}"
                );
            }
        }
        assert!(decided >= 10, "{decided} decided starts");
    }

    #[test]
    fn newton_and_the_flow_end_at_equilibria() {
        for seed in 0..20 {
            let c = case(seed);
            let sys = c.system();
            let x = c.x.clone();
            for sol in [
                sys.follow(sys.begin(x.clone())),
                sys.newton(sys.begin(x.clone()), |_| true),
            ] {
                if !sol.converged {
                    continue;
                }
                // x = W Ψ(x) + b, checked densely.
                let xn = c.expand(&sol.x);
                let (w, _) = dense(&c, &xn);
                let psi = xn.map(|v| (c.gain * v).tanh());
                let f = &w * psi + DVector::from_column_slice(&c.bias) - xn;
                assert!(f.amax() < 1e-9, "seed {seed}: |F| = {}", f.amax());
            }
            // The flow never ends unstable unless it started on a stable manifold by symmetry,
            // which random states do not.
            let flow = sys.follow(sys.begin(x));
            if flow.converged {
                assert_eq!(flow.spectrum.map(|s| s.unstable), Some(0), "seed {seed}");
            }
        }
    }
}
