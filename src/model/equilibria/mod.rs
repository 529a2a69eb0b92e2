//! The theory of the network that runs: for each memory, the equilibrium a noise-free solve
//! reaches from γ·(±ξ_ρ) under the model's actual memories, weights, bias, gain and diagonal,
//! with its overlaps, γ, energy and stability; the confusion state; and model.md §4's
//! orthogonal closed forms beside them, flagged when they are only estimates.
//!
//! A [`TheoryInput`] is what the equilibria depend on. [`TheoryInput::solve`] costs tens of
//! O(U·P) steps per memory (U distinct rows of Ξ and the bias, at most N) plus O(P²) per
//! unsaturated row a step (see `flow.rs`), so callers keep the result and solve again only
//! when the [`TheoryKey`] moves ([`EquilibriaCache`] does this), never per frame.

mod basis;
mod discrete;
mod flow;
mod key;
mod modern;
mod origin;
mod report;
mod rows;
mod spectrum;
mod tanh;

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use super::memories::Memories;
use super::network::Network;
use super::params::ModelKind;
use super::theory::{Diagonal, TheoryReport, analyse_orthogonal};
use basis::Basis;
use discrete::discrete_fixed_point;
use flow::System;
use report::owns;
use rows::Rows;

pub use key::{DEFAULT_REL_TOL, EquilibriaCache, TheoryKey};
pub use report::{
    Convergence, Equilibria, Equilibrium, MemoryEquilibria, Origin, Settling, Standing,
};

/// Times the flow is followed on past an unstable equilibrium.
const MAX_RESTARTS: usize = 4;
/// The least and the largest kick off such an equilibrium, relative to 1 + max |x|.
const KICK: f64 = 1e-3;
const MAX_KICK: f64 = 0.1;
/// Solves of sets with at least this many distinct rows × memories run the memories on every
/// core: the built-in set (228 rows × 10, about 0.5 ms a memory, measured) and up, far above
/// what handing a memory to another thread costs; smaller sets stay on the calling thread.
const PARALLEL: usize = 1 << 10;
/// Off-diagonal overlaps below this count as orthogonal (the closed forms are then exact).
const ORTHOGONAL: f64 = 1e-12;

/// The most memories whose equilibria are solved (see [`Unsolved`]).
pub const MAX_SOLVED_MEMORIES: usize = 64;

/// Why a model's equilibria are not solved: a solve would take too long to be of use. Its
/// cost grows about as P⁴ (P memories, each tens of steps with a P×P solve), and faster where
/// the memories outnumber the neurons. Measured on a Zen 3 EPYC, one solve at a tour frame of
/// random memories: IDP 0.2–0.3 s at P = 64 (N from 64 to 1024; 0.74 s at 16384 × 64), 2–4 s
/// at P = 128 (N from 256 to 8100), 10 s at 64 × 128, 22 s at 1024 × 256, 6.4 min at
/// 64 × 256; modern and idp-modern 0.13–0.14 s at P = 64, 1.4–1.7 s at P = 128, about 25 s at
/// 256 × 256. `recall run` solves in line, so above 64 a run of the tour took tens of seconds
/// a model second. Such a model shows the closed forms (the modern ones: nothing solved) and
/// writes no theory records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Unsolved {
    #[error("{p} memories: the theory is solved for at most {MAX_SOLVED_MEMORIES}")]
    Memories { p: usize },
    #[error("{p} memories for {n} neurons: the theory is solved for at most one memory a neuron")]
    MoreThanNeurons { p: usize, n: usize },
}

impl Unsolved {
    /// Why `net`'s equilibria are not solved, if they are not: more than
    /// [`MAX_SOLVED_MEMORIES`] memories, or (a continuous model) more memories than neurons;
    /// the discrete model's fixed points are sweeps (O(N·P) a neuron's sweep, from each ±ξ_μ),
    /// so only the count of memories limits it. O(1).
    pub fn of(net: &Network) -> Option<Self> {
        let (n, p) = (net.memories().n(), net.memories().p());
        let dynamics = dynamics_of(net);
        if p > MAX_SOLVED_MEMORIES {
            Some(Unsolved::Memories { p })
        } else if p > n && !matches!(dynamics, TheoryDynamics::Modern | TheoryDynamics::Discrete) {
            Some(Unsolved::MoreThanNeurons { p, n })
        } else {
            None
        }
    }

    /// A few words for a table's title: "not solved above 64 memories".
    pub fn short(self) -> String {
        match self {
            Unsolved::Memories { .. } => {
                format!("not solved above {MAX_SOLVED_MEMORIES} memories")
            }
            Unsolved::MoreThanNeurons { .. } => "not solved: more memories than neurons".into(),
        }
    }
}

/// Which equations the equilibria are of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TheoryDynamics {
    /// ẋ = −x + W Ψ(x) + b: IDP, the classic models, IDP with filter when τ_y = 0.
    Continuous,
    /// IDP with filter and τ_y > 0 (x and the memory layer y): the same equilibria; the same
    /// stability when every weight is ≥ 0 (the linearisation is then similar to a symmetric
    /// matrix and its unstable count is the one-layer one), otherwise flagged.
    TwoLayer,
    /// ±1 neurons with asynchronous sign updates: fixed points, no ψ, no γ beyond m.
    Discrete,
    /// ẋ = −x + Ξ(α ⊙ softmax(β α ⊙ Ξᵀx/√N)): modern and idp-modern (Ψ = x; the input's
    /// `gain` is β). Solved exactly in span(Ξ) (`modern.rs`).
    Modern,
}

/// A [`TheoryInput`] that cannot be solved.
#[derive(Debug, Clone, Error, PartialEq)]
pub enum TheoryInputError {
    #[error("{found} weights for {expected} memories")]
    Weights { found: usize, expected: usize },
    #[error("a bias of {found} values for {expected} neurons")]
    Bias { found: usize, expected: usize },
    #[error("the gain must be finite and greater than 0, got {gain}")]
    Gain { gain: f64 },
}

/// Everything one model's equilibria depend on.
#[derive(Debug, Clone)]
pub struct TheoryInput {
    memories: Arc<Memories>,
    /// w_μ of W = (1/N) Ξ diag(w) Ξᵀ: α (IDP), α̃ (IDP with filter), 1 (classic, discrete);
    /// the α of the softmax for the modern dynamics.
    weights: Vec<f64>,
    /// The current b fed to the state (classic constant; classic pulsed while the pulse is on).
    bias: Option<Vec<f64>>,
    /// The activation gain g, or β for the modern dynamics.
    gain: f64,
    zero_diagonal: bool,
    dynamics: TheoryDynamics,
}

impl TheoryInput {
    /// The landscape of weights `weights` (one per memory), current `bias` (length N), gain
    /// `gain` (> 0) and diagonal over `memories`.
    pub fn new(
        memories: Arc<Memories>,
        weights: Vec<f64>,
        bias: Option<Vec<f64>>,
        gain: f64,
        zero_diagonal: bool,
        dynamics: TheoryDynamics,
    ) -> Result<Self, TheoryInputError> {
        if weights.len() != memories.p() {
            return Err(TheoryInputError::Weights {
                found: weights.len(),
                expected: memories.p(),
            });
        }
        if let Some(b) = &bias
            && b.len() != memories.n()
        {
            return Err(TheoryInputError::Bias {
                found: b.len(),
                expected: memories.n(),
            });
        }
        if !(gain.is_finite() && gain > 0.0) {
            return Err(TheoryInputError::Gain { gain });
        }
        Ok(Self {
            memories,
            weights,
            bias,
            gain,
            zero_diagonal,
            dynamics,
        })
    }

    /// The landscape `net` runs in now: its landscape weights, its bias current if one flows,
    /// its gain and diagonal. O(N) (the bias is copied).
    pub fn of(net: &Network) -> Self {
        let params = net.params();
        Self {
            memories: Arc::clone(net.memories()),
            weights: net
                .landscape_weights()
                .iter()
                .map(|&w| f64::from(w))
                .collect(),
            bias: net
                .bias()
                .map(|b| b.iter().map(|&v| f64::from(v)).collect()),
            gain: gain_of(net),
            zero_diagonal: params.zero_diagonal && !net.kind().is_modern(),
            dynamics: dynamics_of(net),
        }
    }

    /// The key of this input (O(N·P) with a bias, for its projections; O(P) without).
    pub fn key(&self) -> TheoryKey {
        let bias: Option<Vec<f32>> = self
            .bias
            .as_ref()
            .map(|b| b.iter().map(|&v| v as f32).collect());
        TheoryKey::new(
            Arc::clone(&self.memories),
            self.weights.clone(),
            bias.as_deref(),
            self.gain,
            self.zero_diagonal,
            self.dynamics,
        )
    }

    /// δ = Σw/N when the diagonal is removed, else 0.
    pub fn self_coupling(&self) -> f64 {
        Diagonal::new(self.zero_diagonal, self.memories.n()).self_coupling(&self.weights)
    }

    /// The closed forms of model.md §4 for these weights and diagonal, flagged approximate
    /// unless the memories are orthogonal and no current flows. `None` for the discrete model,
    /// to which the continuous theory does not apply.
    pub fn closed_form(&self) -> Option<TheoryReport> {
        if matches!(
            self.dynamics,
            TheoryDynamics::Discrete | TheoryDynamics::Modern
        ) {
            return None;
        }
        let diagonal = Diagonal::new(self.zero_diagonal, self.memories.n());
        let mut report = analyse_orthogonal(&self.weights, self.gain, diagonal);
        report.approximate = self.bias.is_some() || !orthogonal(&self.memories);
        Some(report)
    }

    /// Solves every memory's equilibria (both signs; the negative one by symmetry when no
    /// current flows), the origin's stability and the closed forms. Deterministic.
    ///
    /// Cost: per memory (and per sign while a current flows), 10–40 steps of O(U·P) for the U
    /// distinct rows of Ξ and the bias, plus O(P²) per unsaturated row and, where the state
    /// may be unstable, a P×P eigenproblem. The memories of a set from `PARALLEL` rows ×
    /// memories up (the built-in set's too) are solved on every core (the same results).
    /// Measured (`cargo bench --bench theory`, a tour frame, IDP at the defaults; Intel Xeon,
    /// 2 cores; docs/speed.md): about 3 ms on the built-in set, 0.2 s at N = 65536, P = 16
    /// and 0.7–0.8 s at N = 16384, P = 64 (4.4 ms, 0.35–0.4 and 1.4–1.9 s on one core; before
    /// the flows reused K, not measured there since); on a
    /// Zen 3 EPYC (AVX2, no AVX-512), 2.5 ms, 0.18 s and 0.74 s. Solve when the input or the
    /// memory set changes, never per frame.
    pub fn solve(&self) -> Equilibria {
        if self.dynamics == TheoryDynamics::Modern {
            return modern::solve(self);
        }
        let delta = self.self_coupling();
        let closed = self.closed_form();
        let finite = self.weights.iter().all(|w| w.is_finite())
            && self
                .bias
                .as_ref()
                .is_none_or(|b| b.iter().all(|v| v.is_finite()));
        let (n, p) = (self.memories.n(), self.memories.p());
        let columns = self.memories.columns();
        // The discrete model reads the memories neuron by neuron; the continuous ones by
        // distinct rows (with a non-finite input nothing is solved).
        let grid = if self.dynamics == TheoryDynamics::Discrete {
            Grid::Neurons(Basis::new(columns, n, p))
        } else {
            Grid::Rows(Rows::new(
                columns,
                if finite { n } else { 0 },
                p,
                self.bias.as_deref().filter(|_| finite),
            ))
        };
        let empty = Rows::new(&[], 0, p, None);
        let rows = match &grid {
            Grid::Rows(rows) => rows,
            Grid::Neurons(_) => &empty,
        };
        let system = System::new(rows, &self.weights, self.gain, delta)
            .with_origin_ball(|| self.memories.overlap_matrix());
        let one = |mu: usize| {
            if !finite {
                let none = Equilibrium::unresolved(mu, self.memories.p());
                return MemoryEquilibria {
                    positive: none.clone(),
                    negative: Equilibrium { sign: -1, ..none },
                };
            }
            let start = self.start_gamma(mu, closed.as_ref());
            let solve = |sign| match &grid {
                Grid::Neurons(basis) => self.fixed_point(basis, delta, mu, sign),
                Grid::Rows(_) => self.equilibrium(&system, mu, sign, start),
            };
            let positive = solve(1);
            let negative = if self.bias.is_none() {
                positive.mirrored()
            } else {
                solve(-1)
            };
            MemoryEquilibria { positive, negative }
        };
        // The memories' solves are independent: on every core from `PARALLEL` up (the same
        // results in the same order), one after the other below.
        let units = match &grid {
            Grid::Rows(rows) => rows.len(),
            Grid::Neurons(_) => n,
        };
        let memories: Vec<MemoryEquilibria> = if units * p >= PARALLEL {
            (0..p).into_par_iter().map(one).collect()
        } else {
            (0..p).map(one).collect()
        };
        let origin = match (&self.bias, self.dynamics) {
            (None, TheoryDynamics::Continuous | TheoryDynamics::TwoLayer) if finite => {
                Some(Origin {
                    unstable: system.origin_unstable_directions(self.memories.overlap_matrix()),
                })
            }
            _ => None,
        };
        Equilibria {
            key: self.key(),
            memories,
            origin,
            self_coupling: delta,
            closed_form: closed,
            stability_exact: !(self.dynamics == TheoryDynamics::TwoLayer
                && self.weights.iter().any(|&w| w < 0.0)),
            dynamics: self.dynamics,
        }
    }

    /// |γ| of the start along ξ_ρ: the closed form's γ, or (no root there) the larger of the
    /// effective weight and 1/g, the scale an equilibrium helped by crosstalk would have.
    fn start_gamma(&self, mu: usize, closed: Option<&TheoryReport>) -> f64 {
        let m = closed.and_then(|r| r.memories.get(mu));
        match m.and_then(|m| m.gamma) {
            Some(g) => g,
            None => m.map_or(1.0, |m| m.effective_weight).max(1.0 / self.gain),
        }
    }

    /// The discrete model's fixed point from sign·ξ_ρ.
    fn fixed_point(&self, basis: &Basis, delta: f64, mu: usize, sign: i8) -> Equilibrium {
        let n = self.memories.n();
        let nf = n as f64;
        let s = f64::from(sign);
        let p = self.memories.p();
        let mut projections = vec![0.0; p];
        let start: Vec<f64> = basis.memory(mu).iter().map(|v| s * v).collect();
        let fp = discrete_fixed_point(basis, &self.weights, delta, &start);
        basis.project(&fp.x, &mut projections);
        let quad = nf
            * self
                .weights
                .iter()
                .zip(&fp.overlaps)
                .map(|(w, m)| w * m * m)
                .sum::<f64>()
            - delta * nf;
        let energy = -0.5 * quad / nf;
        let mut eq = Equilibrium::classify(
            mu,
            sign,
            fp.overlaps,
            projections,
            energy,
            fp.converged.then_some(0),
            Convergence {
                converged: fp.converged,
                steps: fp.sweeps,
                residual: 0.0,
            },
        );
        // A fixed point of the sweeps is where the network stops: no single flip lowers E.
        eq.settles = fp.converged.then(|| {
            let m = &eq.overlaps;
            let memory = (0..m.len()).max_by(|&a, &b| m[a].abs().total_cmp(&m[b].abs()));
            Settling {
                memory,
                overlap: memory.map_or(0.0, |mu| m[mu]),
                energy_per_neuron: energy,
                stable: true,
            }
        });
        eq
    }

    /// A continuous model's equilibrium from sign·γ·ξ_ρ: where the flow settles, ρ's saddle
    /// on the way or near the start.
    fn equilibrium(&self, system: &System, mu: usize, sign: i8, gamma: f64) -> Equilibrium {
        let s = f64::from(sign);
        let rows = system.rows;
        // The start, x = sγξ_ρ per row.
        let start: Vec<f64> = (0..rows.len())
            .map(|u| s * gamma * rows.row(u)[mu])
            .collect();
        // Where the flow from the start settles, going on past unstable equilibria (one of
        // ρ's own is kept: that is the saddle the state slides off).
        // The flow and (when it leaves ρ) Newton's search begin from the same state and K.
        let first = system.begin(start.clone());
        let mut sol = system.follow(first.clone());
        let mut steps = sol.steps;
        let mut own_saddle = None;
        for _ in 0..MAX_RESTARTS {
            let Some(sp) = sol.spectrum.as_ref().filter(|sp| sp.unstable > 0) else {
                break;
            };
            if own_saddle.is_none() && owns(&sol.overlaps, mu, sign) {
                own_saddle = Some(sol.clone());
            }
            let Some(dir) = system.unstable_direction(sp, &sol.psi) else {
                break;
            };
            let next = kicked(rows, &sol.x, &dir, &start);
            sol = system.follow(system.begin(next));
            steps += sol.steps;
        }
        let settled = sol.converged.then(|| Settling::of(system, &sol));
        let landed_own =
            settled.as_ref().is_some_and(|s| s.stable) && owns(&sol.overlaps, mu, sign);
        let point = match own_saddle {
            Some(saddle) => saddle,
            None if landed_own => sol,
            None => {
                // The flow leaves ρ: is there a saddle of ρ's near the start all the same?
                // It has a spectrum only when it converged to one of ρ's, the only end kept.
                let near = system.newton(first, |m| owns(m, mu, sign));
                steps += near.steps;
                if near.spectrum.is_some() { near } else { sol }
            }
        };
        let spectrum = point.spectrum.clone();
        let projections = system.projections(&point.x);
        let energy = system.energy_per_neuron(&point.psi, &point.overlaps);
        let mut eq = Equilibrium::classify(
            mu,
            sign,
            point.overlaps,
            projections,
            energy,
            spectrum.as_ref().map(|sp| sp.unstable),
            Convergence {
                converged: point.converged,
                steps,
                residual: point.residual,
            },
        );
        eq.growth_rate = spectrum.as_ref().and_then(|sp| sp.growth_rate());
        eq.settles = settled;
        eq
    }
}

/// A state off the unstable equilibrium `x` along `dir`, to the side `start` is on, by the
/// start's own offset along `dir` (at least 1e-3 and at most 0.1 of 1 + max |x|); all three
/// per distinct row.
fn kicked(rows: &Rows, x: &[f64], dir: &[f64], start: &[f64]) -> Vec<f64> {
    let toward = rows.sum(|u| dir[u] * (start[u] - x[u]));
    let along = toward / rows.sum(|u| dir[u] * dir[u]).max(f64::MIN_POSITIVE);
    let scale = 1.0 + x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let size = along.abs().clamp(KICK * scale, MAX_KICK * scale);
    let size = if toward < 0.0 { -size } else { size };
    x.iter().zip(dir).map(|(x, d)| x + size * d).collect()
}

/// How a solve reads the memories.
enum Grid {
    /// Neuron by neuron (the discrete model's sweeps).
    Neurons(Basis),
    /// By distinct rows (the continuous models' flow).
    Rows(Rows),
}

/// The dynamics whose equilibria `net` has.
fn dynamics_of(net: &Network) -> TheoryDynamics {
    match net.kind() {
        ModelKind::Discrete => TheoryDynamics::Discrete,
        ModelKind::IdpFilter if net.params().tau_y_secs > 0.0 => TheoryDynamics::TwoLayer,
        ModelKind::Modern | ModelKind::IdpModern => TheoryDynamics::Modern,
        _ => TheoryDynamics::Continuous,
    }
}

/// What [`TheoryInput`] keeps as the gain: g, or β for the modern models.
fn gain_of(net: &Network) -> f64 {
    if net.kind().is_modern() {
        net.params().beta
    } else {
        net.params().gain
    }
}

/// The memories are orthogonal to rounding: the closed forms are exact for them.
fn orthogonal(mem: &Memories) -> bool {
    let g = mem.overlap_matrix();
    (0..mem.p()).all(|a| (0..mem.p()).all(|b| a == b || g[(a, b)].abs() < ORTHOGONAL))
}
