//! The closed forms of model.md §4 for orthogonal memories: existence of the memory equilibria
//! γξ_ρ, the confusion state, stability (α*), and the well depths, with or without the diagonal
//! of W. Gain g enters as α → g·α. They are exact only for orthogonal memories and no bias
//! current; [`super::equilibria`] solves the network that actually runs.
//!
//! The zero diagonal. W = (1/N) Ξ diag(w) Ξᵀ − δ·I with δ = Σ_μ w_μ / N. On orthogonal memories
//! Ψ(γξ_ρ) = tanh(gγ)·ξ_ρ, so W Ψ = (w_ρ − δ)·tanh(gγ)·ξ_ρ: every memory feels the effective
//! weight a_ρ = w_ρ − δ, and γ = a_ρ tanh(gγ). The Jacobian −I + W·diag(ψ') has ψ' = g·sech²(gγ)
//! on every neuron, so its eigenvalues are −1 + ψ'·a_μ along ξ_μ and −1 − ψ'·δ on the orthogonal
//! complement of span(Ξ): stability is cosh²(gγ_ρ) > g·a_μ for μ ≠ ρ (and 1 + g·δ·sech² > 0).
//! Since Ψᵀ W Ψ = N·a_ρ·tanh²(gγ), the depth is the diagonal-kept formula at a_ρ. So every
//! formula holds with α replaced by α − δ, and the thresholds move by δ: a memory exists iff
//! α_ρ > 1/g + δ (δ counts α_ρ itself), the origin is stable iff every α_μ < 1/g + δ.

use serde::Serialize;

/// The positive root γ of γ = a·tanh γ (g = 1), which exists iff a > 1.
pub fn gamma(a: f64) -> Option<f64> {
    if a.is_nan() || a <= 1.0 || !a.is_finite() {
        return None;
    }
    // f(γ) = γ − a tanh γ is < 0 just above 0 and ≥ 0 at γ = a: bisect, then polish by Newton.
    let (mut lo, mut hi) = (f64::EPSILON, a);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid - a * mid.tanh() < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

/// α*(α_max) = γ*/tanh γ* with γ* = arccosh √α_max (g = 1): a memory whose saliency is above
/// α* is stable when the most salient other memory has α_max. For α_max ≤ 1 every existing
/// memory is stable, and α* = 1.
pub fn alpha_star(alpha_max: f64) -> f64 {
    if alpha_max <= 1.0 {
        return 1.0;
    }
    let g = alpha_max.sqrt().acosh();
    g / g.tanh()
}

/// E(γξ)/N at the equilibrium of saliency a (g = 1): ½ γ tanh γ − ln cosh γ.
pub fn well_depth_per_neuron(a: f64) -> Option<f64> {
    gamma(a).map(|g| 0.5 * g * g.tanh() - g.cosh().ln())
}

/// How W treats a neuron's coupling to itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Diagonal {
    /// W = (1/N) Ξ diag(w) Ξᵀ, self-coupling included: the setting of model.md §4.
    Kept,
    /// The diagonal removed (the authors' convention and the default) on N = `neurons`.
    Zero { neurons: usize },
}

impl Diagonal {
    /// The diagonal of a network of `neurons` neurons with `zero_diagonal` on or off.
    pub fn new(zero_diagonal: bool, neurons: usize) -> Self {
        if zero_diagonal {
            Diagonal::Zero { neurons }
        } else {
            Diagonal::Kept
        }
    }

    /// δ = Σ_μ w_μ / N, the self-coupling the zero diagonal removes (W = … − δ·I); 0 when kept
    /// or when N = 0.
    pub fn self_coupling(self, weights: &[f64]) -> f64 {
        match self {
            Diagonal::Zero { neurons } if neurons > 0 => {
                weights.iter().sum::<f64>() / neurons as f64
            }
            _ => 0.0,
        }
    }
}

/// What the theory says of one memory under the current saliencies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryTheory {
    /// γ_ρ with x = γ_ρ ξ_ρ at the equilibrium (in units of x), if it exists.
    pub gamma: Option<f64>,
    /// The equilibrium exists: g·(α_ρ − δ) > 1.
    pub exists: bool,
    /// It exists and is stable: g·max_{μ≠ρ} (α_μ − δ) < cosh²(g γ_ρ).
    pub stable: bool,
    /// E/N at the equilibrium (negative: deeper is more negative), if it exists.
    pub depth_per_neuron: Option<f64>,
    /// The weight the memory acts with, α_ρ − δ (α_ρ when the diagonal is kept).
    pub effective_weight: f64,
    /// Where a state started on the memory ends when it is not a well there (the memory with
    /// the largest |m| at the end, `None` for the origin or when not known): solved theory only.
    pub slides_to: Option<usize>,
}

/// The theory for a whole set of saliencies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TheoryReport {
    /// One entry per memory, in order.
    pub memories: Vec<MemoryTheory>,
    /// No memory exists (every g·(α − δ) < 1): the origin is the stable confusion state.
    pub confusion: bool,
    /// The saliency above which a memory that is not the most salient is stable (in units of
    /// α, gain applied): δ + α*(g·(α_max − δ))/g.
    pub alpha_star: f64,
    /// The saliency above which a memory's equilibrium exists: 1/g + δ (δ = Σα/N counts the
    /// memory's own α; 1/g when the diagonal is kept).
    pub existence_threshold: f64,
    /// δ = Σα/N, the self-coupling removed with the diagonal (0 when it is kept).
    pub self_coupling: f64,
    /// These closed forms were applied where they are not known to be exact: memories not
    /// checked to be orthogonal, or a bias current they ignore. The figures are then estimates
    /// (crosstalk ~ overlap·α); [`super::equilibria`] has the exact ones.
    pub approximate: bool,
    /// β of a modern (softmax) landscape, whose rows are solved (`model::equilibria`) and
    /// whose thresholds (NaN here) do not exist; `None` for the tanh models.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beta: Option<f64>,
}

/// The orthogonal-memory theory with the diagonal kept, for saliencies `alpha` and gain `gain`
/// (flagged [`TheoryReport::approximate`]: nothing here knows the memories). For the network
/// that runs, use [`analyse_orthogonal`] with its [`Diagonal`], or [`super::equilibria`].
pub fn analyse(alpha: &[f64], gain: f64) -> TheoryReport {
    TheoryReport {
        approximate: true,
        ..analyse_orthogonal(alpha, gain, Diagonal::Kept)
    }
}

/// The closed forms of model.md §4 for weights `alpha` (α, α̃ or 1 per memory), gain `gain`
/// and the diagonal of W, exact when the memories are orthogonal and no current flows.
pub fn analyse_orthogonal(alpha: &[f64], gain: f64, diagonal: Diagonal) -> TheoryReport {
    let delta = diagonal.self_coupling(alpha);
    // Dimensionless effective weights g·(α − δ).
    let a: Vec<f64> = alpha.iter().map(|&v| (v - delta) * gain).collect();
    let memories = (0..a.len())
        .map(|rho| {
            let z = gamma(a[rho]);
            let others = a
                .iter()
                .enumerate()
                .filter(|&(mu, _)| mu != rho)
                .map(|(_, &v)| v)
                .fold(f64::NEG_INFINITY, f64::max);
            // Along ξ_μ: −1 + g·a_μ·sech²z; on the complement of span(Ξ): −1 − g·δ·sech²z.
            let stable = z.is_some_and(|z| {
                let c2 = z.cosh().powi(2);
                others < c2 && gain * delta > -c2
            });
            MemoryTheory {
                gamma: z.map(|z| z / gain),
                exists: z.is_some(),
                stable,
                depth_per_neuron: well_depth_per_neuron(a[rho]).map(|e| e / gain),
                effective_weight: alpha[rho] - delta,
                slides_to: None,
            }
        })
        .collect::<Vec<_>>();
    let a_max = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    TheoryReport {
        // At the origin ψ' = g: −1 + g·a_μ along ξ_μ, −1 − g·δ on the complement.
        confusion: memories.iter().all(|m| !m.exists) && 1.0 + gain * delta > 0.0,
        memories,
        alpha_star: delta + alpha_star(a_max) / gain,
        existence_threshold: 1.0 / gain + delta,
        self_coupling: delta,
        approximate: false,
        beta: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() < tol
    }

    #[test]
    fn gamma_table() {
        for (a, want) in [
            (1.05, 0.389241),
            (1.2, 0.790284),
            (1.5, 1.287839),
            (2.0, 1.915008),
            (3.0, 2.984705),
        ] {
            let g = gamma(a).unwrap();
            assert!(close(g, want, 1e-6), "γ({a}) = {g}, want {want}");
        }
        assert_eq!(gamma(1.0), None);
        assert_eq!(gamma(0.5), None);
        assert_eq!(gamma(f64::NAN), None);
    }

    #[test]
    fn alpha_star_table() {
        for (amax, want) in [
            (2.0, 1.246450),
            (3.0, 1.403822),
            (5.0, 1.614034),
            (10.0, 1.916811),
        ] {
            let s = alpha_star(amax);
            assert!(close(s, want, 1e-6), "α*({amax}) = {s}, want {want}");
        }
    }

    #[test]
    fn well_depth_table_and_hierarchy() {
        for (a, want) in [(1.5, -0.115194), (2.0, -0.326524), (3.0, -0.809366)] {
            let e = well_depth_per_neuron(a).unwrap();
            assert!(close(e, want, 1e-6), "E/N({a}) = {e}, want {want}");
        }
        let mut last = 0.0;
        for k in 1..100 {
            let e = well_depth_per_neuron(1.0 + k as f64 * 0.05).unwrap();
            assert!(e < last, "depth not strictly decreasing at {k}");
            last = e;
        }
    }

    #[test]
    fn zero_diagonal_moves_every_threshold_by_the_self_coupling() {
        let alpha = [3.0, 1.2, 1.5, 0.0];
        let kept = analyse_orthogonal(&alpha, 1.0, Diagonal::Kept);
        assert_eq!(kept.self_coupling, 0.0);
        assert!(!kept.approximate);
        // N = 100: δ = 5.7/100; every formula is the kept one at α − δ.
        let zero = analyse_orthogonal(&alpha, 1.0, Diagonal::Zero { neurons: 100 });
        let delta = 0.057;
        assert!(close(zero.self_coupling, delta, 1e-15));
        assert!(close(zero.existence_threshold, 1.0 + delta, 1e-15));
        let shifted: Vec<f64> = alpha.iter().map(|a| a - delta).collect();
        let same = analyse_orthogonal(&shifted, 1.0, Diagonal::Kept);
        for (z, s) in zero.memories.iter().zip(&same.memories) {
            assert_eq!(z.gamma, s.gamma);
            assert_eq!(z.depth_per_neuron, s.depth_per_neuron);
            assert_eq!((z.exists, z.stable), (s.exists, s.stable));
        }
        assert!(close(zero.alpha_star, delta + same.alpha_star, 1e-12));
        // With the gain: thresholds in units of α, 1/g + δ.
        let g10 = analyse_orthogonal(&[0.11, 3.0, 3.0], 10.0, Diagonal::Zero { neurons: 256 });
        assert!(close(g10.existence_threshold, 0.1 + 6.11 / 256.0, 1e-15));
        assert!(!g10.memories[0].exists, "0.11 < 0.1 + 0.0239");
        assert!(analyse(&[0.11, 3.0, 3.0], 10.0).memories[0].exists);
        // The legacy call keeps the diagonal and says its figures are not verified.
        let legacy = analyse(&alpha, 1.0);
        assert!(legacy.approximate);
        assert_eq!(legacy.memories, kept.memories);
        // No neurons, no self-coupling.
        assert_eq!(Diagonal::Zero { neurons: 0 }.self_coupling(&alpha), 0.0);
        assert_eq!(Diagonal::new(false, 100), Diagonal::Kept);
    }

    #[test]
    fn analyse_marks_existence_stability_and_confusion() {
        let r = analyse(&[0.5, 0.9, 0.99], 1.0);
        assert!(r.confusion);
        let r = analyse(&[3.0, 1.2, 1.5], 1.0);
        assert!(!r.confusion);
        assert!(
            r.memories[0].stable,
            "the most salient memory is always stable"
        );
        // α* for α_max = 3 is 1.4038: 1.5 is stable, 1.2 is a saddle.
        assert!(r.memories[2].stable);
        assert!(r.memories[1].exists && !r.memories[1].stable);
        assert!(close(r.alpha_star, 1.403822, 1e-6));
        // Gain 10 scales thresholds to 1/10.
        let r = analyse(&[0.3, 0.12, 0.05], 10.0);
        assert!(r.memories[0].exists && r.memories[1].exists && !r.memories[2].exists);
        assert!(close(r.existence_threshold, 0.1, 1e-12));
    }
}
