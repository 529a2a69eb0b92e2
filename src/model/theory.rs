//! The theory of model.md §4 for orthogonal memories: existence of the memory equilibria γξ_ρ,
//! the confusion state, stability (α*), and the well depths. Gain g enters as α → g·α.

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

/// What the theory says of one memory under the current saliencies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryTheory {
    /// γ_ρ with x = γ_ρ ξ_ρ at the equilibrium (in units of x), if it exists.
    pub gamma: Option<f64>,
    /// The equilibrium exists: g·α_ρ > 1.
    pub exists: bool,
    /// It exists and is stable: g·max_{μ≠ρ} α_μ < cosh²(g γ_ρ).
    pub stable: bool,
    /// E/N at the equilibrium (negative: deeper is more negative), if it exists.
    pub depth_per_neuron: Option<f64>,
}

/// The theory for a whole set of saliencies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TheoryReport {
    /// One entry per memory, in order.
    pub memories: Vec<MemoryTheory>,
    /// No memory exists (every g·α < 1): the origin is the stable confusion state.
    pub confusion: bool,
    /// α* for the memories that are not the most salient (in units of α, gain applied).
    pub alpha_star: f64,
    /// The existence threshold 1/g in units of α.
    pub existence_threshold: f64,
}

/// Analyses saliencies `alpha` for activation gain `gain` (orthogonal-memory theory).
pub fn analyse(alpha: &[f64], gain: f64) -> TheoryReport {
    let a: Vec<f64> = alpha.iter().map(|&v| v * gain).collect();
    let memories = (0..a.len())
        .map(|rho| {
            let z = gamma(a[rho]);
            let others = a
                .iter()
                .enumerate()
                .filter(|&(mu, _)| mu != rho)
                .map(|(_, &v)| v)
                .fold(f64::NEG_INFINITY, f64::max);
            let stable = z.is_some_and(|z| others < z.cosh().powi(2));
            MemoryTheory {
                gamma: z.map(|z| z / gain),
                exists: z.is_some(),
                stable,
                depth_per_neuron: well_depth_per_neuron(a[rho]).map(|e| e / gain),
            }
        })
        .collect::<Vec<_>>();
    let a_max = a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    TheoryReport {
        confusion: memories.iter().all(|m| !m.exists),
        memories,
        alpha_star: alpha_star(a_max) / gain,
        existence_threshold: 1.0 / gain,
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
