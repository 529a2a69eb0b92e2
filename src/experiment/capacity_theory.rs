//! The theory lines beside the capacity sweep (docs/capacity.md derives and cites them):
//!
//! - the discrete network (±1, Hebbian, zero diagonal, N → ∞): the replica-symmetric
//!   equations of Amit, Gutfreund & Sompolinsky (1987) at T = 0, m = erf(m/√(2αr)),
//!   C = √(2/(παr)) e^{−m²/(2αr)}, r = 1/(1 − C)², solved for the retrieval overlap m(α) and
//!   the critical load α_c = 0.1379;
//! - the continuous network at gain g: its fixed points x = Wψ(x), ψ = tanh(g·x), are the
//!   mean-field equations of the Ising network at temperature T = 1/g, so the line is AGS's
//!   retrieval boundary T_M(α) read at T = 1/g (m = ⟨tanh β(m + √(αr) z)⟩,
//!   q = ⟨tanh² β(m + √(αr) z)⟩, r = q/(1 − β(1 − q))²): 0.136 at g = 10, 0 at g = 1;
//! - IDP with the cue as its input (our own estimate, a signal-to-noise argument): the cued
//!   memory has saliency 1 − 2f, the P − 1 others ~ ±1/√N, so a neuron's field at the
//!   memory is (1 − 2f)(1 − 1/N)·m plus a crosstalk Σ_ν α_ν m_ν ξ_ν of second moment
//!   (P − 1)(3 − 8f + 8f²)/N², and m solves m = ⟨tanh g(s·m + σ z)⟩. Retrieval (m ≥ the
//!   threshold) ends at P ∝ N², and at any P once g·s·m < atanh(m) (f near (1 − 1/g)/2).
//!
//! ⟨·⟩ is the Gaussian average over z, by the trapezoid rule on [−8, 8].

use libm::erf;

/// Gaussian average ⟨f(z)⟩ by the trapezoid rule on [−8, 8] (the tails beyond are below 1e-14).
fn gauss_mean(f: impl Fn(f64) -> f64) -> f64 {
    const STEPS: usize = 1600;
    const HALF: f64 = 8.0;
    let h = 2.0 * HALF / STEPS as f64;
    let norm = 1.0 / (2.0 * std::f64::consts::PI).sqrt();
    (0..=STEPS)
        .map(|k| {
            let z = -HALF + h * k as f64;
            let w = if k == 0 || k == STEPS { 0.5 } else { 1.0 };
            w * f(z) * (-0.5 * z * z).exp()
        })
        .sum::<f64>()
        * h
        * norm
}

/// AGS at T = 0 in terms of y = m/√(2αr): √(2α) = G(y) = (erf y − (2/√π) y e^{−y²}) / y, and
/// m = erf y. (Eliminating C and r from the three equations.)
fn ags_g(y: f64) -> f64 {
    (erf(y) - 2.0 / std::f64::consts::PI.sqrt() * y * (-y * y).exp()) / y
}

/// The y of G's maximum (G rises from 0, peaks once, falls as 1/y), by golden section.
fn ags_peak() -> f64 {
    let (mut a, mut b) = (0.5, 4.0);
    let k = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..200 {
        let (c, d) = (b - k * (b - a), a + k * (b - a));
        if ags_g(c) > ags_g(d) {
            b = d;
        } else {
            a = c;
        }
    }
    0.5 * (a + b)
}

/// The discrete network's critical load α_c = max G(y)²/2 (AGS: 0.138).
pub fn ags_critical_load() -> f64 {
    ags_g(ags_peak()).powi(2) / 2.0
}

/// The discrete network's retrieval overlap m(α) at T = 0 (the retrieval branch, y past G's
/// peak), or `None` above α_c.
pub fn ags_overlap(alpha: f64) -> Option<f64> {
    if alpha <= 0.0 {
        return Some(1.0);
    }
    let peak = ags_peak();
    let target = (2.0 * alpha).sqrt();
    if ags_g(peak) < target {
        return None;
    }
    // G falls from its peak: bisect on [peak, 40].
    let (mut lo, mut hi) = (peak, 40.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if ags_g(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(erf(0.5 * (lo + hi)))
}

/// Below this m the iterations count as fallen to the non-retrieval state.
const LOST: f64 = 0.05;

/// AGS at temperature T = 1/β: the retrieval overlap m at load α, iterated from m = q = 1, or
/// `None` when it falls to m ≈ 0 (or r diverges: β(1 − q) ≥ 1).
pub fn ags_overlap_at(alpha: f64, beta: f64) -> Option<f64> {
    let (mut m, mut q) = (1.0f64, 1.0f64);
    for _ in 0..4000 {
        let chi = beta * (1.0 - q);
        if chi >= 1.0 {
            return None;
        }
        let r = q / (1.0 - chi).powi(2);
        let s = (alpha * r).sqrt();
        let m_new = gauss_mean(|z| (beta * (m + s * z)).tanh());
        let q_new = gauss_mean(|z| (beta * (m + s * z)).tanh().powi(2));
        let moved = (m_new - m).abs() + (q_new - q).abs();
        (m, q) = (m_new, q_new);
        if m < LOST {
            return None;
        }
        if moved < 1e-12 {
            break;
        }
    }
    Some(m)
}

/// The continuous network's critical load at gain g: AGS's retrieval boundary at T = 1/g
/// (0 for g ≤ 1: no retrieval state at all), by bisection to 1e-4.
pub fn continuous_critical_load(gain: f64) -> f64 {
    if gain <= 1.0 {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0, 0.2);
    while hi - lo > 1e-4 {
        let mid = 0.5 * (lo + hi);
        if ags_overlap_at(mid, gain).is_some() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// IDP with the cue (memory 1, a fraction `flip` of its pixels flipped) as its input, in N
/// neurons with P memories at gain g: the overlap m of the estimate in the module's notes (the
/// largest solution, iterated from m = 1), or 0 when there is none.
pub fn idp_overlap(n: usize, p: usize, flip: f64, gain: f64) -> f64 {
    let nf = n as f64;
    let signal = (1.0 - 2.0 * flip) * (1.0 - 1.0 / nf);
    let second = (3.0 - 8.0 * flip + 8.0 * flip * flip).max(0.0);
    let sigma = ((p.saturating_sub(1)) as f64 * second).sqrt() / nf;
    let mut m = 1.0f64;
    for _ in 0..2000 {
        let next = gauss_mean(|z| (gain * (signal * m + sigma * z)).tanh());
        let moved = (next - m).abs();
        m = next;
        if m < LOST {
            return 0.0;
        }
        if moved < 1e-10 {
            break;
        }
    }
    m
}

/// The estimate's largest P/N at which IDP's m still reaches `threshold` (N neurons, `flip`
/// of the cue flipped, gain g), by bisection on P; 0 when not even P = 1 does.
pub fn idp_max_load(n: usize, flip: f64, gain: f64, threshold: f64) -> f64 {
    let ok = |p: usize| idp_overlap(n, p, flip, gain) >= threshold;
    if !ok(1) {
        return 0.0;
    }
    let (mut lo, mut hi) = (1usize, 2usize);
    while ok(hi) {
        lo = hi;
        hi *= 2;
        if hi > 1 << 40 {
            return lo as f64 / n as f64;
        }
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo as f64 / n as f64
}

/// The estimate's largest flip fraction at which IDP's m still reaches `threshold` (N, P, g),
/// by bisection to 1e-4; 0 when not even an exact cue does.
pub fn idp_max_flip(n: usize, p: usize, gain: f64, threshold: f64) -> f64 {
    let ok = |f: f64| idp_overlap(n, p, f, gain) >= threshold;
    if !ok(0.0) {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0, 0.5);
    while hi - lo > 1e-4 {
        let mid = 0.5 * (lo + hi);
        if ok(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The least-squares line through (ln x, ln y): (exponent b, prefactor a) of y ≈ a·x^b, and
/// the standard error of b (0 with two points); `None` with fewer than two points.
pub fn power_fit(points: &[(f64, f64)]) -> Option<(f64, f64, f64)> {
    let k = points.len();
    if k < 2 {
        return None;
    }
    let logs: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (x.ln(), y.ln())).collect();
    let kf = k as f64;
    let mx = logs.iter().map(|p| p.0).sum::<f64>() / kf;
    let my = logs.iter().map(|p| p.1).sum::<f64>() / kf;
    let sxx: f64 = logs.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = logs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let b = sxy / sxx;
    let a = my - b * mx;
    let se = if k > 2 {
        let rss: f64 = logs.iter().map(|p| (p.1 - a - b * p.0).powi(2)).sum();
        (rss / (kf - 2.0) / sxx).sqrt()
    } else {
        0.0
    };
    Some((b, a.exp(), se))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AGS (1987): α_c = 0.138, where the retrieval overlap jumps from m = 0.967 to 0.
    #[test]
    fn the_discrete_network_collapses_at_0138_with_m_0967() {
        let alpha_c = ags_critical_load();
        assert!((alpha_c - 0.1379).abs() < 0.0005, "α_c = {alpha_c}");
        let m_c = ags_overlap(alpha_c - 1e-9).unwrap();
        assert!((m_c - 0.967).abs() < 0.002, "m(α_c) = {m_c}");
        assert!(ags_overlap(alpha_c + 1e-3).is_none());
    }

    /// Far below α_c, r → 1 and m = erf(1/√(2α)): the signal-to-noise limit.
    #[test]
    fn far_below_the_collapse_m_is_the_signal_to_noise_limit() {
        for alpha in [0.01, 0.03, 0.05] {
            let m = ags_overlap(alpha).unwrap();
            let snr = erf(1.0 / (2.0 * alpha).sqrt());
            // The wrong fraction (1 − m)/2 within 5% of the estimate (r is 1 to e^{−1/(2α)}).
            assert!(
                (m - snr).abs() <= 0.05 * (1.0 - snr) + 1e-12,
                "{alpha}: {m} vs {snr}"
            );
        }
        // m falls as the load grows.
        let ms: Vec<f64> = [0.02, 0.06, 0.1, 0.13]
            .iter()
            .map(|&a| ags_overlap(a).unwrap())
            .collect();
        assert!(ms.windows(2).all(|w| w[0] > w[1]), "{ms:?}");
    }

    /// The finite-temperature equations agree with the T = 0 ones at large β, and the line
    /// falls with the gain: about 0.136 at g = 10, 0.10 at g = 3, 0 as g → 1.
    #[test]
    fn the_continuous_networks_capacity_falls_with_the_gain() {
        let m0 = ags_overlap(0.1).unwrap();
        let m = ags_overlap_at(0.1, 200.0).unwrap();
        assert!((m - m0).abs() < 1e-3, "{m} vs {m0}");
        let at = |g: f64| continuous_critical_load(g);
        let (g10, g3, g11) = (at(10.0), at(3.0), at(1.1));
        assert!((g10 - 0.136).abs() < 0.003, "g = 10: {g10}");
        assert!((g3 - 0.10).abs() < 0.015, "g = 3: {g3}");
        assert!(g11 < 0.02, "g = 1.1: {g11}");
        // The values docs/capacity.md quotes.
        for (g, want) in [
            (20.0, 0.1378),
            (5.0, 0.1226),
            (3.0, 0.096),
            (2.0, 0.0588),
            (1.5, 0.0274),
        ] {
            assert!((at(g) - want).abs() < 0.0005, "g = {g}: {}", at(g));
        }
        assert_eq!(at(1.0), 0.0);
    }

    /// IDP's estimate: the existence edge at f = (1 − 1/g)/2 when the crosstalk vanishes, and
    /// P_max ∝ N² (the crosstalk's variance is P/N² times a constant).
    #[test]
    fn the_idp_estimate_has_its_edges() {
        let f = idp_max_flip(1 << 20, 1, 10.0, 0.01);
        assert!((f - 0.45).abs() < 0.003, "{f}");
        let (a, b) = (
            idp_max_load(64, 0.1, 10.0, 0.9),
            idp_max_load(256, 0.1, 10.0, 0.9),
        );
        let ratio = b * 256.0 / (a * 64.0);
        assert!((ratio - 16.0).abs() < 1.0, "P_max(256)/P_max(64) = {ratio}");
    }

    #[test]
    fn a_power_law_is_fitted_exactly() {
        let pts: Vec<(f64, f64)> = [32.0, 64.0, 128.0]
            .iter()
            .map(|&n| (n, 0.1 * n * n))
            .collect();
        let (b, a, se) = power_fit(&pts).unwrap();
        assert!((b - 2.0).abs() < 1e-12 && (a - 0.1).abs() < 1e-12 && se < 1e-9);
        assert!(power_fit(&pts[..1]).is_none());
    }
}
