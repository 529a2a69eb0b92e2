//! What [`super::TheoryInput::solve`] reports: per memory and sign, the equilibrium reached
//! from γ·(±ξ_ρ) and what it means for the memory ([`Standing`]), where the flow settles, and
//! the origin.

use serde::Serialize;

use super::TheoryDynamics;
use super::flow::{Solution, System};
use super::key::TheoryKey;
use crate::model::memories::Memories;
use crate::model::theory::{MemoryTheory, TheoryReport};

/// Overlaps below this (in |m|) are the origin, not a memory.
pub(super) const ORIGIN_OVERLAP: f64 = 1e-6;

/// What the equilibrium a solve from ±ξ_ρ reached means for memory ρ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// A stable equilibrium whose largest overlap is ρ's, with the start's sign: a well.
    Well,
    /// An equilibrium of ρ's that is not stable: `unstable` directions lead away from it
    /// ([`Equilibrium::settles`] says where to).
    Saddle { unstable: usize },
    /// ρ has no equilibrium of its own near ±ξ_ρ. The solve follows the flow on past unstable
    /// equilibria that are not ρ's, and ends at the origin (`None`) or at an equilibrium whose
    /// largest |overlap| is memory `lands_on`'s (ρ's own with the other sign, if so); that end
    /// is stable unless [`Equilibrium::unstable`] says otherwise.
    Absent { lands_on: Option<usize> },
    /// The solve did not converge, or the stability could not be decided (δ < −1/g).
    Unresolved,
}

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Convergence {
    pub converged: bool,
    /// Pseudo-transient steps (sweeps for the discrete model).
    pub steps: usize,
    /// max_i |F_i(x*)| at the end (0 for the discrete model).
    pub residual: f64,
}

/// The equilibrium x* reached from γ·(±ξ_ρ).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Equilibrium {
    /// ρ, the memory of the start.
    pub memory: usize,
    /// +1 for the start at +γξ_ρ, −1 for −γξ_ρ.
    pub sign: i8,
    pub standing: Standing,
    /// m_ρ = (1/N) ξ_ρᵀ Ψ(x*), signed.
    pub overlap: f64,
    /// The largest other overlap (μ ≠ ρ, by |m_μ|) and its signed value: a mixture shows here.
    pub other: Option<(usize, f64)>,
    /// γ = (1/N) ξ_ρᵀ x*, the projection of x* on ξ_ρ (m_ρ for the discrete model).
    pub gamma: f64,
    /// E(x*)/N, model.md §3 (with −bᵀΨ/N while a current flows).
    pub energy_per_neuron: f64,
    /// Unstable directions of the Jacobian at x* (0: stable), `None` if not decided.
    pub unstable: Option<usize>,
    /// For an unstable x*: bounds on the Jacobian's largest eigenvalue, the rate (per model
    /// second) at which the state leaves it.
    pub growth_rate: Option<(f64, f64)>,
    /// Where a noise-free simulation from the start settles (for a saddle: where the state
    /// slides to); `None` if that solve did not converge.
    pub settles: Option<Settling>,
    /// m_μ for every memory.
    pub overlaps: Vec<f64>,
    /// (1/N) ξ_μᵀ x* for every memory (plane coordinates follow from these).
    pub projections: Vec<f64>,
    pub convergence: Convergence,
}

impl Equilibrium {
    pub(super) fn classify(
        memory: usize,
        sign: i8,
        overlaps: Vec<f64>,
        projections: Vec<f64>,
        energy_per_neuron: f64,
        unstable: Option<usize>,
        convergence: Convergence,
    ) -> Self {
        let other = (0..overlaps.len())
            .filter(|&mu| mu != memory)
            .max_by(|&a, &b| {
                overlaps[a]
                    .abs()
                    .total_cmp(&overlaps[b].abs())
                    .then(b.cmp(&a))
            })
            .map(|mu| (mu, overlaps[mu]));
        let own = overlaps.get(memory).copied().unwrap_or(0.0);
        let largest = overlaps.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let standing = if !convergence.converged {
            Standing::Unresolved
        } else if largest < ORIGIN_OVERLAP {
            Standing::Absent { lands_on: None }
        } else if !owns(&overlaps, memory, sign) {
            let dominant = (0..overlaps.len()).max_by(|&a, &b| {
                overlaps[a]
                    .abs()
                    .total_cmp(&overlaps[b].abs())
                    .then(b.cmp(&a))
            });
            Standing::Absent { lands_on: dominant }
        } else {
            match unstable {
                Some(0) => Standing::Well,
                Some(k) => Standing::Saddle { unstable: k },
                None => Standing::Unresolved,
            }
        };
        Self {
            memory,
            sign,
            standing,
            overlap: own,
            other,
            gamma: projections.get(memory).copied().unwrap_or(0.0),
            energy_per_neuron,
            unstable,
            growth_rate: None,
            settles: None,
            overlaps,
            projections,
            convergence,
        }
    }

    pub(super) fn unresolved(memory: usize, p: usize) -> Self {
        Self {
            memory,
            sign: 1,
            standing: Standing::Unresolved,
            overlap: f64::NAN,
            other: None,
            gamma: f64::NAN,
            energy_per_neuron: f64::NAN,
            unstable: None,
            growth_rate: None,
            settles: None,
            overlaps: vec![f64::NAN; p],
            projections: vec![f64::NAN; p],
            convergence: Convergence {
                converged: false,
                steps: 0,
                residual: f64::NAN,
            },
        }
    }

    /// The equilibrium −x* (Ψ is odd: with no current, −x* is one whenever x* is, with the
    /// same energy and stability).
    pub(super) fn mirrored(&self) -> Self {
        let neg = |v: &[f64]| v.iter().map(|x| -x).collect::<Vec<_>>();
        Self {
            sign: -self.sign,
            overlap: -self.overlap,
            other: self.other.map(|(mu, m)| (mu, -m)),
            gamma: -self.gamma,
            overlaps: neg(&self.overlaps),
            projections: neg(&self.projections),
            settles: self.settles.map(|s| Settling {
                overlap: -s.overlap,
                ..s
            }),
            ..self.clone()
        }
    }

    /// A well (stable, ρ's own) or a saddle of ρ's: an equilibrium the landscape can mark.
    pub fn exists(&self) -> bool {
        matches!(self.standing, Standing::Well | Standing::Saddle { .. })
    }

    /// Least-squares coordinates (a, b) of x* on the plane a·ξ_p + b·ξ_q of `axes`, as
    /// `landscape::Plane::project` gives them for a state.
    pub fn plane_coordinates(&self, mem: &Memories, axes: (usize, usize)) -> (f64, f64) {
        let (p1, p2) = (
            self.projections.get(axes.0).copied().unwrap_or(f64::NAN),
            self.projections.get(axes.1).copied().unwrap_or(f64::NAN),
        );
        let c = if axes.0 < mem.p() && axes.1 < mem.p() {
            mem.overlap_matrix()[(axes.0, axes.1)]
        } else {
            0.0
        };
        let det = 1.0 - c * c;
        if det.abs() < 1e-9 {
            return (p1, 0.0);
        }
        ((p1 - c * p2) / det, (p2 - c * p1) / det)
    }
}

/// Where the flow from a start settles.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Settling {
    /// The memory with the largest |overlap| there, `None` at the origin.
    pub memory: Option<usize>,
    /// That memory's overlap m (signed; 0 at the origin).
    pub overlap: f64,
    pub energy_per_neuron: f64,
    /// The end is stable (false only if the flow was followed past unstable equilibria as
    /// many times as allowed, or the stability could not be decided).
    pub stable: bool,
}

impl Settling {
    pub(super) fn of(system: &System, sol: &Solution) -> Self {
        let m = &sol.overlaps;
        let memory = (0..m.len())
            .max_by(|&a, &b| m[a].abs().total_cmp(&m[b].abs()).then(b.cmp(&a)))
            .filter(|&mu| m[mu].abs() >= ORIGIN_OVERLAP);
        Self {
            memory,
            overlap: memory.map_or(0.0, |mu| m[mu]),
            energy_per_neuron: system.energy_per_neuron(&sol.psi, m),
            stable: sol.spectrum.as_ref().is_some_and(|sp| sp.unstable == 0),
        }
    }
}

/// The equilibria from +γξ_ρ and −γξ_ρ of one memory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryEquilibria {
    pub positive: Equilibrium,
    pub negative: Equilibrium,
}

/// The confusion state: the origin, an equilibrium when no current flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// Unstable directions at x = 0 (0: the origin is stable); `None` when δ ≤ −1/g.
    pub unstable: Option<usize>,
}

/// The equilibria of one model's landscape, as [`TheoryInput::solve`] found them.
#[derive(Debug, Clone, PartialEq)]
pub struct Equilibria {
    /// The input they were solved for.
    pub key: TheoryKey,
    /// One entry per memory, in order.
    pub memories: Vec<MemoryEquilibria>,
    /// The origin's stability, `None` when it is not an equilibrium (a current flows) or the
    /// model is discrete.
    pub origin: Option<Origin>,
    /// δ = Σw/N, removed with the diagonal (0 when it is kept).
    pub self_coupling: f64,
    /// model.md §4's closed forms for the same weights (their `approximate` flag says whether
    /// they are exact here); `None` for the discrete model.
    pub closed_form: Option<TheoryReport>,
    /// The unstable counts are exact (false only for [`TheoryDynamics::TwoLayer`] with a
    /// negative weight, where they are the one-layer counts).
    pub stability_exact: bool,
    pub dynamics: TheoryDynamics,
}

impl Equilibria {
    /// The solved theory in the closed forms' shape, for the views that show a
    /// [`TheoryReport`]: each memory's existence, stability, γ and E/N are the solved ones of
    /// its positive equilibrium; the thresholds (existence, α*) stay the closed forms'
    /// (exact only on orthogonal memories) and `approximate` says whether they are.
    pub fn report(&self) -> Option<TheoryReport> {
        let mut report = match (&self.closed_form, self.dynamics) {
            (Some(closed), _) => closed.clone(),
            // The discrete model has no closed forms (no thresholds: W weighs every memory 1);
            // its rows are the fixed points of the sweeps from ±ξ_μ, exact.
            (None, TheoryDynamics::Discrete) => TheoryReport {
                memories: vec![
                    MemoryTheory {
                        gamma: None,
                        exists: false,
                        stable: false,
                        depth_per_neuron: None,
                        // W = ΞΞᵀ/N weighs every memory 1, less δ with the diagonal removed.
                        effective_weight: 1.0 - self.self_coupling,
                        slides_to: None,
                    };
                    self.memories.len()
                ],
                confusion: false,
                alpha_star: f64::NAN,
                existence_threshold: f64::NAN,
                self_coupling: self.self_coupling,
                approximate: false,
                beta: None,
            },
            (None, _) => return None,
        };
        for (theory, m) in report.memories.iter_mut().zip(&self.memories) {
            let e = &m.positive;
            theory.exists = e.exists();
            theory.stable = e.standing == Standing::Well;
            theory.gamma = theory.exists.then_some(e.gamma);
            theory.depth_per_neuron = theory.exists.then_some(e.energy_per_neuron);
            theory.slides_to = match e.standing {
                Standing::Well => None,
                _ => e
                    .settles
                    .and_then(|s| s.memory)
                    .filter(|&mu| mu != e.memory),
            };
        }
        report.confusion = self.confusion();
        Some(report)
    }

    /// The equilibrium from sign·γξ_μ (sign ≥ 0: the positive one).
    pub fn near(&self, mu: usize, sign: i8) -> Option<&Equilibrium> {
        self.memories
            .get(mu)
            .map(|m| if sign >= 0 { &m.positive } else { &m.negative })
    }

    /// No memory has a well and the origin is stable: the confusion state.
    pub fn confusion(&self) -> bool {
        self.origin.is_some_and(|o| o.unstable == Some(0))
            && self.memories.iter().all(|m| {
                m.positive.standing != Standing::Well && m.negative.standing != Standing::Well
            })
    }

    /// The memories with a well (from +ξ), deepest first (the paper's memory hierarchy).
    pub fn hierarchy(&self) -> Vec<usize> {
        let mut wells: Vec<(usize, f64)> = self
            .memories
            .iter()
            .enumerate()
            .filter(|(_, m)| m.positive.standing == Standing::Well)
            .map(|(mu, m)| (mu, m.positive.energy_per_neuron))
            .collect();
        wells.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        wells.into_iter().map(|(mu, _)| mu).collect()
    }
}

/// The equilibrium with overlaps `m` is memory `mu`'s (with the sign `sign`): its overlap is
/// the largest and not at the origin.
pub(super) fn owns(m: &[f64], mu: usize, sign: i8) -> bool {
    let largest = m.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let own = m.get(mu).copied().unwrap_or(0.0);
    largest >= ORIGIN_OVERLAP && own * f64::from(sign) > 0.0 && own.abs() >= largest
}
