//! The stationary density of the two-neuron IDP network under noise (the paper's Fig. 4,
//! model.md §7): dx = (−x + W(α)ψ(x)) dt + σ dB with ξ₁ = (1, 1), ξ₂ = (1, −1),
//! W(α) = ½(α₁ξ₁ξ₁ᵀ + α₂ξ₂ξ₂ᵀ) with its diagonal kept, ψ = tanh(g·); and the two-neuron
//! `idp-modern` network on the same memories (model.md §8, issue 28):
//! f = −x + Ξ[α ⊙ softmax(k α ⊙ Ξᵀx)], k = β/√2, the exact gradient flow of
//! E_β = ½|x|² − k⁻¹ log Σ_μ exp(k α_μ ξ_μᵀx). The stationary Fokker–Planck equation
//! 0 = −∇·(fP) + (σ²/2)ΔP is solved on a grid by finite volumes with Scharfetter–Gummel fluxes
//! and zero-flux walls; when the drift is a gradient −∇V (IDP with W diagonal, and idp-modern
//! always, V = E_β) the density is also known in closed form, P∞ ∝ exp(−2V/σ²).

use thiserror::Error;

use super::banded::{BandedError, Generator};

/// The two memories of the figure: ξ₁ = (1, 1), ξ₂ = (1, −1).
pub const XI: [[f64; 2]; 2] = [[1.0, 1.0], [1.0, -1.0]];

/// The smallest and largest noise the solver accepts (below, the density is a set of spikes
/// no grid resolves; above, the walls would have to be far away).
pub const SIGMA_RANGE: (f64, f64) = (0.05, 5.0);
/// The grid sizes (cells per axis) the solver accepts.
pub const CELLS_RANGE: (usize, usize) = (11, 401);
/// The saliencies accepted (each α); above, the wells leave any sensible grid.
pub const ALPHA_RANGE: (f64, f64) = (0.0, 20.0);
/// The gains accepted.
pub const GAIN_RANGE: (f64, f64) = (0.01, 100.0);
/// The β accepted for the two-neuron idp-modern network.
pub const BETA_RANGE: (f64, f64) = (0.001, 1000.0);

/// Why a density could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DensityError {
    #[error("σ = {0} is outside {lo}..={hi} for the stationary density", lo = SIGMA_RANGE.0, hi = SIGMA_RANGE.1)]
    Sigma(f64),
    #[error("a grid of {0} cells per axis is outside {lo}..={hi}", lo = CELLS_RANGE.0, hi = CELLS_RANGE.1)]
    Cells(usize),
    #[error("the grid's half-width {0} must be a positive number")]
    HalfWidth(f64),
    #[error("the stationary equation could not be solved: {0}")]
    Solve(#[from] BandedError),
}

/// The two-neuron networks the density view and experiment offer, by their command-line names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "kebab-case")]
pub enum DensityModel {
    /// The paper's Fig. 4 network.
    #[default]
    Idp,
    /// idp-modern on the same memories.
    IdpModern,
}

impl DensityModel {
    pub const ALL: [DensityModel; 2] = [DensityModel::Idp, DensityModel::IdpModern];

    /// "idp" or "idp-modern".
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The network for saliencies α, gain g (IDP) and β (idp-modern).
    pub fn network(self, alphas: [f64; 2], gain: f64, beta: f64) -> TwoNeuron {
        match self {
            DensityModel::Idp => TwoNeuron::new(alphas, gain),
            DensityModel::IdpModern => TwoNeuron::modern(alphas, beta),
        }
    }
}

/// Which two-neuron network runs on the memories ξ₁, ξ₂.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TwoNeuronKind {
    /// The paper's Fig. 4: f = −x + W(α)ψ(x).
    Idp,
    /// `idp-modern`: f = −x + Ξ[α ⊙ softmax(k α ⊙ Ξᵀx)] with k = β/√N = β/√2 (the engine's
    /// logit scale), the exact gradient flow of E_β.
    IdpModern { beta: f64 },
}

/// The two-neuron network: IDP of Fig. 4 (with W), or idp-modern on the same memories.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoNeuron {
    pub alphas: [f64; 2],
    /// The gain of ψ (IDP only).
    pub gain: f64,
    /// W(α) = ½(α₁ξ₁ξ₁ᵀ + α₂ξ₂ξ₂ᵀ), diagonal kept (IDP only).
    pub w: [[f64; 2]; 2],
    pub kind: TwoNeuronKind,
}

/// A mass as shown: a probability, so not below 0 (a solve's rounding can leave a mass of
/// −1e-17, which printed as "-0.000"), and never −0; a NaN stays NaN.
pub fn shown_mass(v: f64) -> f64 {
    if v.is_nan() { v } else { v.max(0.0) + 0.0 }
}

/// A stable equilibrium: where it is and which memory (and sign) it retrieves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Well {
    pub x: [f64; 2],
    /// 0 for ξ₁, 1 for ξ₂.
    pub memory: usize,
    /// +1 or −1: the well sits at sign·γ·ξ_memory.
    pub sign: f64,
}

impl Well {
    /// "+ξ1", "−ξ2", …, "origin" for the confusion state (no memory evoked), or "mixture" for
    /// a well that evokes both memories alike (idp-modern at a low β).
    pub fn name(&self) -> String {
        if self.is_origin() {
            return "origin".into();
        }
        if self.is_mixture() {
            return "mixture".into();
        }
        let s = if self.sign > 0.0 { '+' } else { '−' };
        format!("{s}ξ{}", self.memory + 1)
    }
}

impl Well {
    /// Whether this is the origin (both α below the existence threshold).
    pub fn is_origin(&self) -> bool {
        self.x[0].hypot(self.x[1]) < 1e-6
    }

    /// Whether the well lies as much along one memory as along the other (its smaller
    /// projection over a quarter of its larger): IDP's wells lie on ±ξ_μ exactly (ξ₁ ⟂ ξ₂),
    /// idp-modern's near α_μξ_μ unless the softmax is too soft to choose.
    pub fn is_mixture(&self) -> bool {
        let p = [0, 1].map(|mu| (XI[mu][0] * self.x[0] + XI[mu][1] * self.x[1]).abs());
        !self.is_origin() && p[0].min(p[1]) > 0.25 * p[0].max(p[1])
    }
}

impl TwoNeuron {
    /// The network for saliencies α₁, α₂ and gain g.
    pub fn new(alphas: [f64; 2], gain: f64) -> Self {
        let mut w = [[0.0; 2]; 2];
        for (mu, xi) in XI.iter().enumerate() {
            for i in 0..2 {
                for j in 0..2 {
                    w[i][j] += 0.5 * alphas[mu] * xi[i] * xi[j];
                }
            }
        }
        Self {
            alphas,
            gain,
            w,
            kind: TwoNeuronKind::Idp,
        }
    }

    /// The two-neuron idp-modern network for saliencies α₁, α₂ and sharpness β (N = 2, so the
    /// logits are k α_μ ξ_μᵀx with k = β/√2, as the engine scales them).
    pub fn modern(alphas: [f64; 2], beta: f64) -> Self {
        Self {
            kind: TwoNeuronKind::IdpModern { beta },
            ..Self::new(alphas, 1.0)
        }
    }

    /// β of idp-modern, `None` for IDP.
    pub fn beta(&self) -> Option<f64> {
        match self.kind {
            TwoNeuronKind::Idp => None,
            TwoNeuronKind::IdpModern { beta } => Some(beta),
        }
    }

    /// idp-modern's logits k α_μ ξ_μᵀx (k = β/√2) and k.
    fn logits(&self, beta: f64, x: [f64; 2]) -> ([f64; 2], f64) {
        let k = beta / std::f64::consts::SQRT_2;
        let z = [0, 1].map(|mu| k * self.alphas[mu] * (XI[mu][0] * x[0] + XI[mu][1] * x[1]));
        (z, k)
    }

    /// idp-modern's softmax of the logits (the largest subtracted first: no overflow).
    fn softmax(&self, beta: f64, x: [f64; 2]) -> ([f64; 2], f64) {
        let (z, k) = self.logits(beta, x);
        let top = z[0].max(z[1]);
        let e = z.map(|v| (v - top).exp());
        let total = e[0] + e[1];
        ([e[0] / total, e[1] / total], k)
    }

    /// f(x): −x + Wψ(x) for IDP, −x + Ξ[α ⊙ softmax(k α ⊙ Ξᵀx)] for idp-modern.
    pub fn drift(&self, x: [f64; 2]) -> [f64; 2] {
        match self.kind {
            TwoNeuronKind::Idp => {
                let p = [(self.gain * x[0]).tanh(), (self.gain * x[1]).tanh()];
                [
                    -x[0] + self.w[0][0] * p[0] + self.w[0][1] * p[1],
                    -x[1] + self.w[1][0] * p[0] + self.w[1][1] * p[1],
                ]
            }
            TwoNeuronKind::IdpModern { beta } => {
                let (s, _) = self.softmax(beta, x);
                let c = [self.alphas[0] * s[0], self.alphas[1] * s[1]];
                [
                    -x[0] + c[0] * XI[0][0] + c[1] * XI[1][0],
                    -x[1] + c[0] * XI[0][1] + c[1] * XI[1][1],
                ]
            }
        }
    }

    /// Whether f is a gradient field, so that the closed form holds: IDP when W is diagonal,
    /// idp-modern always.
    pub fn is_gradient(&self) -> bool {
        match self.kind {
            TwoNeuronKind::Idp => self.w[0][1] == 0.0 && self.w[1][0] == 0.0,
            TwoNeuronKind::IdpModern { .. } => true,
        }
    }

    /// The largest |f(x) + x|ᵢ can be (|(Wψ)ᵢ| for IDP; max α for idp-modern, since the
    /// softmax weights sum to 1 and |ξ_μᵢ| = 1): the drift points inwards beyond it.
    pub fn reach(&self) -> f64 {
        match self.kind {
            TwoNeuronKind::Idp => self
                .w
                .iter()
                .map(|r| r[0].abs() + r[1].abs())
                .fold(0.0, f64::max),
            TwoNeuronKind::IdpModern { .. } => self.alphas[0].abs().max(self.alphas[1].abs()),
        }
    }

    /// The potential V with f = −∇V where there is one: for IDP with W diagonal
    /// Σᵢ xᵢ²/2 − (Wᵢᵢ/g) ln cosh(g xᵢ); for idp-modern E_β (always).
    pub fn potential(&self, x: [f64; 2]) -> Option<f64> {
        match self.kind {
            TwoNeuronKind::Idp => self.is_gradient().then(|| {
                (0..2)
                    .map(|i| {
                        0.5 * x[i] * x[i] - self.w[i][i] / self.gain * ln_cosh(self.gain * x[i])
                    })
                    .sum()
            }),
            TwoNeuronKind::IdpModern { beta } => Some(self.modern_energy(beta, x)),
        }
    }

    /// E_β(x; α) = ½|x|² − k⁻¹ log Σ_μ exp(k α_μ ξ_μᵀx), the log-sum taken with the largest
    /// logit outside (no overflow at any β or |x|).
    fn modern_energy(&self, beta: f64, x: [f64; 2]) -> f64 {
        let (z, k) = self.logits(beta, x);
        let top = z[0].max(z[1]);
        let lse = top + ((z[0] - top).exp() + (z[1] - top).exp()).ln();
        0.5 * (x[0] * x[0] + x[1] * x[1]) - lse / k
    }

    /// Whether the Jacobian of f at x has both eigenvalues with negative real part: for IDP
    /// −I + W·diag(ψ'(x)); for idp-modern −∇²E_β = −I + k[Σ_μ s_μ α_μ² ξ_μξ_μᵀ − m mᵀ] with
    /// m = Σ_μ s_μ α_μ ξ_μ (symmetric).
    pub fn is_stable(&self, x: [f64; 2]) -> bool {
        let j = match self.kind {
            TwoNeuronKind::Idp => {
                let d = |v: f64| self.gain / (self.gain * v).cosh().powi(2);
                let (d0, d1) = (d(x[0]), d(x[1]));
                [
                    [-1.0 + self.w[0][0] * d0, self.w[0][1] * d1],
                    [self.w[1][0] * d0, -1.0 + self.w[1][1] * d1],
                ]
            }
            TwoNeuronKind::IdpModern { beta } => {
                let (s, k) = self.softmax(beta, x);
                let a = self.alphas;
                let m = [0, 1].map(|i| s[0] * a[0] * XI[0][i] + s[1] * a[1] * XI[1][i]);
                let entry = |i: usize, j: usize| {
                    let second: f64 = (0..2)
                        .map(|mu| s[mu] * a[mu] * a[mu] * XI[mu][i] * XI[mu][j])
                        .sum();
                    k * (second - m[i] * m[j]) - if i == j { 1.0 } else { 0.0 }
                };
                [[entry(0, 0), entry(0, 1)], [entry(1, 0), entry(1, 1)]]
            }
        };
        let trace = j[0][0] + j[1][1];
        let det = j[0][0] * j[1][1] - j[0][1] * j[1][0];
        trace < 0.0 && det > 0.0
    }

    /// One Euler–Maruyama step: x + f(x)·dt + σ·√dt·n.
    pub fn euler_maruyama(&self, x: [f64; 2], dt: f64, sigma: f64, n: [f64; 2]) -> [f64; 2] {
        let f = self.drift(x);
        let kick = sigma * dt.sqrt();
        [
            x[0] + f[0] * dt + kick * n[0],
            x[1] + f[1] * dt + kick * n[1],
        ]
    }

    /// Follows the noise-free flow from x until it rests (|f| < 1e-12), or gives up.
    fn rest_point(&self, mut x: [f64; 2]) -> Option<[f64; 2]> {
        const DT: f64 = 0.05;
        for _ in 0..200_000 {
            let f = self.drift(x);
            if f[0].hypot(f[1]) < 1e-12 {
                return Some(x);
            }
            x = [x[0] + DT * f[0], x[1] + DT * f[1]];
        }
        None
    }

    /// The stable equilibria, found by following the flow from a grid of starts (none on the
    /// axes), in a fixed order: by memory, then + before −. IDP: with α ≤ 1/g for both
    /// memories the origin is the only one (memory 0, sign +1). idp-modern: at most one per
    /// memory, near +α_μξ_μ (the softmax has no mirror states), or one mixture well when
    /// k·α² is small.
    pub fn stable_wells(&self) -> Vec<Well> {
        let r = self.reach() + 1.0;
        let mut found: Vec<[f64; 2]> = Vec::new();
        let k = 8;
        for a in 0..k {
            for b in 0..k {
                let s = |t: usize| -r + (t as f64 + 0.5) * 2.0 * r / k as f64;
                let Some(x) = self.rest_point([s(a), s(b)]) else {
                    continue;
                };
                if self.is_stable(x)
                    && !found
                        .iter()
                        .any(|y| (x[0] - y[0]).hypot(x[1] - y[1]) < 1e-6)
                {
                    found.push(x);
                }
            }
        }
        let mut wells: Vec<Well> = found
            .into_iter()
            .map(|x| {
                let proj = |mu: usize| XI[mu][0] * x[0] + XI[mu][1] * x[1];
                let memory = if proj(1).abs() > proj(0).abs() { 1 } else { 0 };
                let sign = if proj(memory) < 0.0 { -1.0 } else { 1.0 };
                Well { x, memory, sign }
            })
            .collect();
        wells.sort_by(|a, b| {
            (a.memory, -a.sign)
                .partial_cmp(&(b.memory, -b.sign))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        wells
    }

    /// The index of the well in `wells` whose basin x lies in (the flow from x comes within 0.1
    /// of it), or `None` (x on a boundary between basins, or no well).
    pub fn basin_of(&self, wells: &[Well], mut x: [f64; 2]) -> Option<usize> {
        const DT: f64 = 0.05;
        for _ in 0..100_000 {
            if let Some(k) = wells
                .iter()
                .position(|w| (x[0] - w.x[0]).hypot(x[1] - w.x[1]) < 0.1)
            {
                return Some(k);
            }
            let f = self.drift(x);
            if f[0].hypot(f[1]) < 1e-12 {
                return None;
            }
            x = [x[0] + DT * f[0], x[1] + DT * f[1]];
        }
        None
    }
}

/// ln cosh v without overflow.
fn ln_cosh(v: f64) -> f64 {
    let a = v.abs();
    a + (-2.0 * a).exp().ln_1p() - std::f64::consts::LN_2
}

/// The Bernoulli function B(z) = z / (eᶻ − 1) of the Scharfetter–Gummel flux (B(0) = 1).
fn bernoulli(z: f64) -> f64 {
    if z.abs() < 1e-12 {
        1.0 - 0.5 * z
    } else {
        z / z.exp_m1()
    }
}

/// A square grid of `cells`² cells on [−half_width, half_width]²; cell (i, j) (i along x₁) is
/// number j·cells + i.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    pub cells: usize,
    pub half_width: f64,
}

impl Grid {
    /// A grid after checking its size.
    pub fn new(cells: usize, half_width: f64) -> Result<Self, DensityError> {
        if !(CELLS_RANGE.0..=CELLS_RANGE.1).contains(&cells) {
            return Err(DensityError::Cells(cells));
        }
        if !(half_width.is_finite() && half_width > 0.0) {
            return Err(DensityError::HalfWidth(half_width));
        }
        Ok(Self { cells, half_width })
    }

    /// The grid for `model` at noise σ: walls at reach + 0.5 + 4σ, well past the wells
    /// (beyond the reach the drift pulls inwards like an Ornstein–Uhlenbeck process).
    pub fn for_model(model: &TwoNeuron, sigma: f64, cells: usize) -> Result<Self, DensityError> {
        Self::new(cells, model.reach() + 0.5 + 4.0 * sigma)
    }

    /// The side of a cell.
    pub fn step(&self) -> f64 {
        2.0 * self.half_width / self.cells as f64
    }

    /// The centre of cell i along an axis.
    pub fn centre(&self, i: usize) -> f64 {
        -self.half_width + (i as f64 + 0.5) * self.step()
    }

    /// The centre of cell number k.
    pub fn point(&self, k: usize) -> [f64; 2] {
        [self.centre(k % self.cells), self.centre(k / self.cells)]
    }

    /// The cell number holding x, or `None` outside the grid.
    pub fn cell_of(&self, x: [f64; 2]) -> Option<usize> {
        let idx = |v: f64| {
            let t = ((v + self.half_width) / self.step()).floor();
            (t >= 0.0 && t < self.cells as f64).then_some(t as usize)
        };
        Some(idx(x[1])? * self.cells + idx(x[0])?)
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cells * self.cells
    }

    /// Whether the grid has no cells (never, for a checked grid).
    pub fn is_empty(&self) -> bool {
        self.cells == 0
    }
}

fn check_sigma(sigma: f64) -> Result<(), DensityError> {
    if sigma.is_finite() && (SIGMA_RANGE.0..=SIGMA_RANGE.1).contains(&sigma) {
        Ok(())
    } else {
        Err(DensityError::Sigma(sigma))
    }
}

/// The stationary density as the probability of each cell (non-negative, summing to 1): the
/// finite-volume balance of every cell with Scharfetter–Gummel fluxes (the drift's normal
/// component at the face's midpoint) and zero flux through the walls. The fluxes are those of a
/// Markov chain on the cells (a face's flux is a rate out of each side times its probability,
/// both rates positive), whose stationary distribution the banded GTH elimination of
/// `model::banded` finds with no subtraction: at low σ the wells exchange mass at rates
/// exponentially smaller than those within a well, and the split between them is then as exact
/// as the rest (a banded LU of the same balances gave Fig. 4b's mirror wells 0.35 and 0.65 of
/// their mass at σ = 0.2, which the x → −x symmetry of the drift makes equal).
pub fn solve_stationary(
    model: &TwoNeuron,
    sigma: f64,
    grid: &Grid,
) -> Result<Vec<f64>, DensityError> {
    check_sigma(sigma)?;
    let n = grid.cells;
    let h = grid.step();
    let diff = 0.5 * sigma * sigma;
    let mut chain = Generator::zeros(n * n, n);
    // Flux from cell l to cell r (r the higher neighbour) through their face, per unit of the
    // face's length times h: D·[B(−Pe)·p_l − B(Pe)·p_r], Pe = v·h/D: rates D·B(−Pe) from l to
    // r and D·B(Pe) back.
    let mut face = |l: usize, r: usize, v: f64| {
        let pe = v * h / diff;
        chain.add_rate(l, r, diff * bernoulli(-pe));
        chain.add_rate(r, l, diff * bernoulli(pe));
    };
    for j in 0..n {
        for i in 0..n - 1 {
            let x_face = -grid.half_width + (i + 1) as f64 * h;
            let v = model.drift([x_face, grid.centre(j)])[0];
            face(j * n + i, j * n + i + 1, v);
        }
    }
    for j in 0..n - 1 {
        for i in 0..n {
            let y_face = -grid.half_width + (j + 1) as f64 * h;
            let v = model.drift([grid.centre(i), y_face])[1];
            face(j * n + i, (j + 1) * n + i, v);
        }
    }
    Ok(chain.stationary()?)
}

/// Points per axis of the midpoint rule that integrates the closed form over each cell. The
/// particles are counted by cell, so a cell's probability is the integral of the density over
/// it, not its value at the centre times the area: at Fig. 4b's α and σ = 0.8 the centre values
/// put 0.4402 of idp-modern's mass within 0.6 of its ξ2 well where the integral gives 0.4384, a
/// difference 2.6M samples of the live view resolved (z = −4.6); 5 × 5 points are within
/// 6·10⁻⁵ of the integral there.
pub const CELL_POINTS: usize = 5;

/// The closed form exp(−2V/σ²) integrated over each cell (a midpoint rule of
/// [`CELL_POINTS`]² points), normalised; the least V is subtracted before the exponential, so
/// nothing overflows at any σ or β. `None` when the drift is not a gradient (no closed form).
pub fn closed_form(
    model: &TwoNeuron,
    sigma: f64,
    grid: &Grid,
) -> Result<Option<Vec<f64>>, DensityError> {
    check_sigma(sigma)?;
    if !model.is_gradient() {
        return Ok(None);
    }
    let h = grid.step();
    let offsets: Vec<f64> = (0..CELL_POINTS)
        .map(|t| ((t as f64 + 0.5) / CELL_POINTS as f64 - 0.5) * h)
        .collect();
    let v: Vec<f64> = (0..grid.len())
        .flat_map(|k| {
            let c = grid.point(k);
            let offsets = &offsets;
            offsets.iter().flat_map(move |&dy| {
                offsets.iter().map(move |&dx| {
                    model
                        .potential([c[0] + dx, c[1] + dy])
                        .unwrap_or(f64::INFINITY)
                })
            })
        })
        .collect();
    let least = v.iter().copied().fold(f64::INFINITY, f64::min);
    let mut p: Vec<f64> = v
        .chunks(CELL_POINTS * CELL_POINTS)
        .map(|cell| {
            cell.iter()
                .map(|&v| (-2.0 * (v - least) / (sigma * sigma)).exp())
                .sum()
        })
        .collect();
    let total: f64 = p.iter().sum();
    for x in &mut p {
        *x /= total;
    }
    Ok(Some(p))
}

/// Each cell's basin (an index into `wells`), from its centre.
pub fn basins(model: &TwoNeuron, wells: &[Well], grid: &Grid) -> Vec<Option<usize>> {
    (0..grid.len())
        .map(|k| model.basin_of(wells, grid.point(k)))
        .collect()
}

/// The cells whose centre lies within `radius` of x.
pub fn cells_near(grid: &Grid, x: [f64; 2], radius: f64) -> Vec<usize> {
    (0..grid.len())
        .filter(|&k| {
            let c = grid.point(k);
            (c[0] - x[0]).hypot(c[1] - x[1]) <= radius
        })
        .collect()
}

/// Total variation distance ½Σ|p − q|.
pub fn total_variation(p: &[f64], q: &[f64]) -> f64 {
    0.5 * p.iter().zip(q).map(|(a, b)| (a - b).abs()).sum::<f64>()
}

/// Kullback–Leibler divergence Σ p ln(p/q) (terms with p = 0 are 0; q = 0 where p > 0: ∞).
pub fn kullback_leibler(p: &[f64], q: &[f64]) -> f64 {
    p.iter()
        .zip(q)
        .filter(|(a, _)| **a > 0.0)
        .map(|(&a, &b)| {
            if b > 0.0 {
                a * (a / b).ln()
            } else {
                f64::INFINITY
            }
        })
        .sum()
}

/// The marginals of a cell density along x₁ and x₂.
pub fn marginals(p: &[f64], grid: &Grid) -> [Vec<f64>; 2] {
    let n = grid.cells;
    let mut m = [vec![0.0; n], vec![0.0; n]];
    for (k, &v) in p.iter().enumerate() {
        m[0][k % n] += v;
        m[1][k / n] += v;
    }
    m
}

#[cfg(test)]
mod tests;
