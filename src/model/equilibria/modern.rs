//! The equilibria of the modern (softmax) models, exactly: the fixed points of
//! x = Ξ(α ⊙ softmax(k α ⊙ Ξᵀx)), k = β/√N (model.md §8), and their stability.
//!
//! Every equilibrium lies in span(Ξ): x* = Ξc. With G = ΞᵀΞ (P×P) the flow restricted to the
//! span is ċ = −c + α ⊙ softmax(k α ⊙ Gc), and off the span it is ẋ = −x (stable). So a solve
//! is P-dimensional: from c = γ·e_ρ Euler steps of half a model second,
//! c ← c + ½(α ⊙ softmax(k α ⊙ Gc) − c), follow the flow to its end. The flow's derivative
//! there is −I + M, M = k·B·G with
//! B = diag(α)(diag p − ppᵀ)diag(α) (positive semi-definite), whose eigenvalues are those of
//! the symmetric G^½ B G^½, real and ≥ 0: the Jacobian −I + ΞBΞᵀ·k has one unstable direction
//! per eigenvalue above 1, and the steps (whose derivative ½(I + M) has real eigenvalues
//! ≥ ½) converge without oscillating to the stable fixed points, the ends of the noise-free
//! flow. When the flow from ρ's start ends elsewhere, Newton's method from the same start
//! (with a line search on |F|₂) looks for an equilibrium of ρ's all the same: a saddle whose
//! largest overlap is ρ's is reported as ρ's saddle, sliding to where the flow ended, as the
//! IDP solver does; otherwise ρ is absent, landing on where the flow ends.

use nalgebra::{Cholesky, DMatrix, DVector, SymmetricEigen};

use super::report::{Convergence, Equilibrium, MemoryEquilibria, Settling, owns};
use super::{Equilibria, TheoryDynamics, TheoryInput};
use crate::model::network::{logit_scale, modern_energy};
use crate::model::theory::{MemoryTheory, TheoryReport};

/// Steps of the flow before a solve gives up.
const MAX_ITERATIONS: usize = 20_000;
/// Newton steps before the search for a saddle gives up.
const MAX_NEWTON: usize = 100;
/// Converged when no coefficient is further than this from its target, relative to
/// 1 + max |c|.
const TOLERANCE: f64 = 1e-12;
/// An eigenvalue of k·B·G must exceed 1 by this much to count as unstable.
const UNSTABLE_MARGIN: f64 = 1e-9;

/// The solve of one modern landscape: weights α (1 for `modern`) and β in `input.gain`.
pub(super) fn solve(input: &TheoryInput) -> Equilibria {
    let mem = &input.memories;
    let (n, p) = (mem.n(), mem.p());
    let g = mem.overlap_matrix() * n as f64;
    let k = logit_scale(input.gain, n);
    let w = &input.weights;
    let finite = w.iter().all(|v| v.is_finite());
    let memories: Vec<MemoryEquilibria> = (0..p)
        .map(|mu| {
            if !finite {
                let none = Equilibrium::unresolved(mu, p);
                return MemoryEquilibria {
                    positive: none.clone(),
                    negative: Equilibrium { sign: -1, ..none },
                };
            }
            let gamma = w[mu].abs().max(1.0);
            MemoryEquilibria {
                positive: equilibrium(&g, w, k, input.gain, mu, 1, gamma),
                negative: equilibrium(&g, w, k, input.gain, mu, -1, gamma),
            }
        })
        .collect();
    let report = TheoryReport {
        memories: memories
            .iter()
            .zip(w)
            .map(|(m, &weight)| {
                let e = &m.positive;
                let exists = e.exists();
                MemoryTheory {
                    gamma: exists.then_some(e.gamma),
                    exists,
                    stable: exists && e.unstable == Some(0),
                    depth_per_neuron: exists.then_some(e.energy_per_neuron),
                    effective_weight: weight,
                    slides_to: e
                        .settles
                        .and_then(|s| s.memory)
                        .filter(|&to| to != mu_of(e)),
                }
            })
            .collect(),
        confusion: false,
        // The IDP thresholds do not apply: every memory with α ≠ 0 can hold a fixed point.
        alpha_star: f64::NAN,
        existence_threshold: f64::NAN,
        self_coupling: 0.0,
        approximate: false,
        beta: Some(input.gain),
    };
    Equilibria {
        key: input.key(),
        memories,
        origin: None,
        self_coupling: 0.0,
        closed_form: Some(report),
        stability_exact: true,
        dynamics: TheoryDynamics::Modern,
    }
}

fn mu_of(e: &Equilibrium) -> usize {
    e.memory
}

/// The fixed point reached from c = sign·γ·e_ρ, classified for memory ρ: the end of the flow
/// when it is ρ's, else the equilibrium Newton finds from the start when it is ρ's (a saddle),
/// else the flow's end (ρ is absent). `settles` is always where the flow ends.
fn equilibrium(
    g: &DMatrix<f64>,
    w: &[f64],
    k: f64,
    beta: f64,
    mu: usize,
    sign: i8,
    gamma: f64,
) -> Equilibrium {
    let p = w.len();
    let mut start = DVector::zeros(p);
    start[mu] = f64::from(sign) * gamma;
    let flow = follow(g, w, k, start.clone());
    let end = Point::at(g, w, k, beta, flow);
    let own_end = end.converged && end.unstable == Some(0) && owns(&end.overlaps, mu, sign);
    let mut steps = end.steps;
    let point = if own_end {
        end.clone()
    } else {
        match newton(g, w, k, start) {
            Some(found) => {
                steps += found.steps;
                let near = Point::at(g, w, k, beta, found);
                if owns(&near.overlaps, mu, sign) {
                    near
                } else {
                    end.clone()
                }
            }
            None => end.clone(),
        }
    };
    let mut eq = Equilibrium::classify(
        mu,
        sign,
        point.overlaps.clone(),
        point.overlaps.clone(),
        point.energy,
        point.unstable,
        Convergence {
            converged: point.converged,
            steps,
            residual: point.residual,
        },
    );
    eq.settles = end.converged.then(|| {
        let memory = (0..p)
            .max_by(|&a, &b| {
                end.overlaps[a]
                    .abs()
                    .total_cmp(&end.overlaps[b].abs())
                    .then(b.cmp(&a))
            })
            .filter(|&m| end.overlaps[m].abs() > 1e-6);
        Settling {
            memory,
            overlap: memory.map_or(0.0, |m| end.overlaps[m]),
            energy_per_neuron: end.energy,
            stable: end.unstable == Some(0),
        }
    });
    eq
}

/// Where a search ended: the coefficients c of x = Ξc, whether it converged, its steps and
/// its last residual max |F(c)|.
struct Search {
    c: DVector<f64>,
    converged: bool,
    steps: usize,
    residual: f64,
}

/// An equilibrium candidate read out: overlaps ξᵀx/N (= the projections, Ψ = x), E/N and
/// the unstable directions (when converged).
#[derive(Clone)]
struct Point {
    overlaps: Vec<f64>,
    energy: f64,
    unstable: Option<usize>,
    converged: bool,
    steps: usize,
    residual: f64,
}

impl Point {
    fn at(g: &DMatrix<f64>, w: &[f64], k: f64, beta: f64, s: Search) -> Self {
        let p = w.len();
        let n = g[(0, 0)];
        let d = g * &s.c;
        let mut probs = vec![0.0; p];
        softmax(w, d.as_slice(), k, &mut probs);
        // Ψ = x: overlaps and projections are both ξᵀx*/N = (Gc)/N.
        let overlaps: Vec<f64> = d.iter().map(|v| v / n).collect();
        let x2 = s.c.dot(&(g * &s.c));
        let energy = modern_energy(x2, w, d.as_slice(), beta, n as usize) / n;
        let unstable = s.converged.then(|| unstable_directions(g, w, &probs, k));
        Self {
            overlaps,
            energy,
            unstable,
            converged: s.converged,
            steps: s.steps,
            residual: s.residual,
        }
    }
}

/// The noise-free flow from `c`, by Euler steps of half a model second, to its end.
fn follow(g: &DMatrix<f64>, w: &[f64], k: f64, mut c: DVector<f64>) -> Search {
    let p = w.len();
    let mut probs = vec![0.0; p];
    let mut steps = 0;
    let mut residual = f64::INFINITY;
    while steps < MAX_ITERATIONS {
        let target = target(g, w, k, &c, &mut probs);
        residual = (&target - &c).amax();
        c = (&c + &target) * 0.5;
        steps += 1;
        if residual <= TOLERANCE * (1.0 + c.amax()) {
            return Search {
                c,
                converged: true,
                steps,
                residual,
            };
        }
    }
    Search {
        c,
        converged: false,
        steps,
        residual,
    }
}

/// w ⊙ softmax(k w ⊙ Gc): where the flow at c is heading (F(c) = target − c).
fn target(
    g: &DMatrix<f64>,
    w: &[f64],
    k: f64,
    c: &DVector<f64>,
    probs: &mut [f64],
) -> DVector<f64> {
    let d = g * c;
    softmax(w, d.as_slice(), k, probs);
    DVector::from_fn(w.len(), |m, _| w[m] * probs[m])
}

/// The equilibrium Newton's method reaches from `c` (saddles included): steps solve
/// J δ = −F with J = −I + k·B·G (B as in [`unstable_directions`]), halved until |F|₂ falls.
/// `None` when it does not converge.
fn newton(g: &DMatrix<f64>, w: &[f64], k: f64, mut c: DVector<f64>) -> Option<Search> {
    let p = w.len();
    let mut probs = vec![0.0; p];
    let mut f = target(g, w, k, &c, &mut probs) - &c;
    for steps in 0..MAX_NEWTON {
        let residual = f.amax();
        if residual <= TOLERANCE * (1.0 + c.amax()) {
            return Some(Search {
                c,
                converged: true,
                steps,
                residual,
            });
        }
        let b = DMatrix::from_fn(p, p, |r, s| {
            let cov = if r == s { probs[r] } else { 0.0 } - probs[r] * probs[s];
            k * w[r] * cov * w[s]
        });
        let jacobian = b * g - DMatrix::identity(p, p);
        let delta = jacobian.lu().solve(&(-&f))?;
        let norm = f.norm();
        let mut t = 1.0;
        loop {
            let trial = &c + &delta * t;
            let mut trial_probs = vec![0.0; p];
            let trial_f = target(g, w, k, &trial, &mut trial_probs) - &trial;
            if trial_f.norm() < norm {
                c = trial;
                f = trial_f;
                probs = trial_probs;
                break;
            }
            t *= 0.5;
            if t < 1e-6 {
                return None;
            }
        }
    }
    None
}

/// `out` ← softmax(k·w ⊙ d), shifted by the largest logit.
fn softmax(w: &[f64], d: &[f64], k: f64, out: &mut [f64]) {
    let logit = |m: usize| k * w[m] * d[m];
    let top = (0..d.len()).map(logit).fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for (m, o) in out.iter_mut().enumerate() {
        *o = (logit(m) - top).exp();
        total += *o;
    }
    out.iter_mut().for_each(|o| *o /= total);
}

/// The Jacobian's unstable directions at a fixed point with softmax `probs`: the eigenvalues
/// above 1 of k·B·G, B = diag(w)(diag p − ppᵀ)diag(w), from the symmetric Lᵀ(kB)L, G = LLᵀ.
fn unstable_directions(g: &DMatrix<f64>, w: &[f64], probs: &[f64], k: f64) -> usize {
    let p = w.len();
    let b = DMatrix::from_fn(p, p, |r, c| {
        let cov = if r == c { probs[r] } else { 0.0 } - probs[r] * probs[c];
        k * w[r] * cov * w[c]
    });
    let half = Cholesky::new(g.clone()).map(|c| c.l()).unwrap_or_else(|| {
        let eig = SymmetricEigen::new(g.clone());
        let roots = eig.eigenvalues.map(|v| v.max(0.0).sqrt());
        &eig.eigenvectors * DMatrix::from_diagonal(&roots) * eig.eigenvectors.transpose()
    });
    let sym = half.transpose() * b * &half;
    let s = SymmetricEigen::new((&sym + sym.transpose()) * 0.5);
    s.eigenvalues
        .iter()
        .filter(|&&v| v > 1.0 + UNSTABLE_MARGIN)
        .count()
}
