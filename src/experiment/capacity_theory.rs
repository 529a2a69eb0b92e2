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
//! - modern (our estimate, a one-dimensional reduction): with the cue as x(0) at overlap
//!   m₀ = 1 − 2f, the flipped part of x decays at rate 1 while m moves slowly near the edge, so
//!   x ≈ m·ξ; there the cued memory's logit is A·m, A = β√N, and the others' are β·m·z_ν with
//!   z_ν = ξ_νᵀξ/√N ~ N(0, 1), whose exponentials sum to about (P − 1)e^{β²m²/2}. So
//!   ṁ ≈ −m + σ(h(m) − ln(P − 1)), h(m) = A·m − β²m²/2 (σ the logistic function), and the cue
//!   climbs to m ≥ the threshold t when σ(·) > m all the way from m₀ to t:
//!   ln(P_max − 1) ≈ min over m in [m₀, t] of h(m) − logit m (on a grid of 1000 points):
//!   about β·m₀·√N, exponential in √N;
//! - idp-modern (our estimate, the same reduction): α₁ = m₀ and the others' α ~ 1/√N, whose
//!   logits stay near 0; from x(0) ≈ 0 the cued memory's logit ℓ solves ℓ = A·σ(ℓ − ln(P − 1)),
//!   A = β·m₀²·√N. For A > 4 a low fixed point (the nearly uniform softmax near the origin)
//!   traps the state unless ln(P − 1) < A·s − logit s, s = (1 − √(1 − 4/A))/2 (the
//!   saddle-node); and the high one must hold p ≥ t (ln(P − 1) ≤ A·t − logit t):
//!   P_max ≈ e·A for large A, growing only as √N.
//! - dense3, Krotov & Hopfield's dense memory with F(z) = z³: their estimate (NIPS 2016, the
//!   signal-to-noise argument for an uncorrupted cue with every bit required stable) is
//!   P_max ≈ N^{n−1}/(2(2n−3)!! ln N) = N²/(6 ln N) for n = 3. Ours, for the sweep's cue at
//!   overlap m₀ and criterion m ≥ t: a neuron's field is the cued memory's 3m²K² + 1
//!   (K = N − 1) plus P − 1 terms ξ_νi(3z_ν² + 1) with z_ν a sum of K random ±1, each of
//!   variance 27K² − 12K + 1 (E z⁴ = 3K² − 2K); so a neuron is right with probability
//!   Φ(signal/σ) and m ← erf(signal/(σ√2)), iterated from m₀; retrieved when it ends at
//!   m ≥ t. P_max ∝ N² (no log: a few wrong bits are allowed).
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

/// ln(v/(1 − v)).
fn logit(v: f64) -> f64 {
    (v / (1.0 - v)).ln()
}

/// The cue's overlap with its memory: 1 − 2·round(f·N)/N (exactly round(f·N) pixels flipped).
fn cue_overlap(n: usize, flip: f64) -> f64 {
    let flips = (flip * n as f64).round().min(n as f64);
    1.0 - 2.0 * flips / n as f64
}

/// `modern`'s estimate of P_max (the module's notes): N neurons, `flip` of the cue flipped,
/// sharpness β, retrieval threshold t; 1 when not even one memory is retrieved.
pub fn modern_max_memories(n: usize, flip: f64, beta: f64, threshold: f64) -> f64 {
    let m0 = cue_overlap(n, flip);
    if m0 <= 0.0 {
        return 1.0;
    }
    let a = beta * (n as f64).sqrt();
    let h = |m: f64| a * m - beta * beta * m * m / 2.0 - logit(m);
    // The cue has to climb from m₀ to t (or, starting above t, hold at t).
    let from = m0.min(threshold);
    const STEPS: i32 = 1000;
    let lowest = (0..=STEPS)
        .map(|k| h(from + (threshold - from) * f64::from(k) / f64::from(STEPS)))
        .fold(f64::INFINITY, f64::min);
    1.0 + lowest.exp()
}

/// `idp-modern`'s estimate of P_max (the module's notes), from x(0) ≈ 0; 1 when not even one
/// memory is retrieved.
pub fn idp_modern_max_memories(n: usize, flip: f64, beta: f64, threshold: f64) -> f64 {
    let alpha = cue_overlap(n, flip);
    if alpha <= 0.0 {
        return 1.0;
    }
    let a = beta * alpha * alpha * (n as f64).sqrt();
    let fixed = a * threshold - logit(threshold);
    let trap = if a > 4.0 {
        let s = (1.0 - (1.0 - 4.0 / a).sqrt()) / 2.0;
        a * s - logit(s)
    } else {
        f64::INFINITY
    };
    1.0 + trap.min(fixed).exp()
}

/// The modern estimates' largest flip fraction (whole pixels, k/N) at which P memories in N
/// neurons are still retrieved (`idp`: idp-modern's estimate, else modern's); 0 when not even
/// an exact cue is.
pub fn modern_max_flip(n: usize, p: usize, beta: f64, threshold: f64, idp: bool) -> f64 {
    let estimate = |f: f64| {
        if idp {
            idp_modern_max_memories(n, f, beta, threshold)
        } else {
            modern_max_memories(n, f, beta, threshold)
        }
    };
    (0..=n / 2)
        .map(|k| k as f64 / n as f64)
        .take_while(|&f| estimate(f) >= p as f64)
        .last()
        .unwrap_or(0.0)
}

/// Krotov & Hopfield's (2016) no-error capacity of the dense memory with F(z) = z³:
/// N^{n−1}/(2(2n−3)!! ln N) at n = 3, N²/(6 ln N).
pub fn dense_no_error_memories(n: usize) -> f64 {
    let n = n as f64;
    n * n / (6.0 * n.ln())
}

/// The dense model's overlap by our signal-to-noise map (the module's notes), iterated from
/// the cue's m₀ with P memories in N neurons.
pub fn dense_overlap(n: usize, p: usize, m0: f64) -> f64 {
    let k = n.saturating_sub(1) as f64;
    let sigma = (p.saturating_sub(1) as f64 * (27.0 * k * k - 12.0 * k + 1.0)).sqrt();
    if sigma == 0.0 {
        return 1.0;
    }
    let mut m = m0;
    for _ in 0..10_000 {
        let next = erf((3.0 * m * m * k * k + 1.0) / (sigma * std::f64::consts::SQRT_2));
        if (next - m).abs() < 1e-12 {
            return next;
        }
        m = next;
    }
    m
}

/// Our estimate of the dense model's P_max: the most memories whose map from the cue's m₀ (with
/// `flip` of its N pixels flipped) ends at m ≥ `threshold`; 1 when even one is not retrieved.
pub fn dense_max_memories(n: usize, flip: f64, threshold: f64) -> f64 {
    let m0 = cue_overlap(n, flip);
    let ok = |p: usize| dense_overlap(n, p, m0) >= threshold;
    let (mut lo, mut hi) = (1usize, 2usize);
    if !ok(lo) {
        return 1.0;
    }
    while ok(hi) && hi < usize::MAX / 4 {
        (lo, hi) = (hi, 2 * hi);
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) { lo = mid } else { hi = mid }
    }
    lo as f64
}

/// Our estimate's largest flip fraction (whole pixels, k/N) at which P memories in N neurons
/// are still retrieved by the dense model; 0 when not even an exact cue is.
pub fn dense_max_flip(n: usize, p: usize, threshold: f64) -> f64 {
    (0..=n / 2)
        .map(|k| k as f64 / n as f64)
        .take_while(|&f| dense_overlap(n, p, cue_overlap(n, f)) >= threshold)
        .last()
        .unwrap_or(0.0)
}

/// The least-squares line through (x, ln y): (rate b, prefactor a) of y ≈ a·e^{b·x}, the
/// standard error of b (0 with two points) and the rms residual of ln y; `None` with fewer
/// than two points.
pub fn exp_fit(points: &[(f64, f64)]) -> Option<(f64, f64, f64, f64)> {
    let lin: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (x.exp(), y)).collect();
    let (b, a, se) = power_fit(&lin)?;
    let k = points.len() as f64;
    let rss: f64 = points
        .iter()
        .map(|&(x, y)| (y.ln() - a.ln() - b * x).powi(2))
        .sum();
    Some((b, a, se, (rss / k).sqrt()))
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

    /// An exponential is a straight line on a log-y axis: its rate and prefactor come back
    /// exactly, with no residual; noise on ln y shows in the residual and the error.
    #[test]
    fn an_exponential_is_fitted_exactly() {
        let pts: Vec<(f64, f64)> = [16.0f64, 24.0, 32.0, 48.0, 64.0]
            .iter()
            .map(|&n| (n, 0.4 * (0.13 * n).exp()))
            .collect();
        let (b, a, se, rms) = exp_fit(&pts).unwrap();
        assert!(
            (b - 0.13).abs() < 1e-12 && (a - 0.4).abs() < 1e-12,
            "{b} {a}"
        );
        assert!(se < 1e-9 && rms < 1e-9, "{se} {rms}");
        // The power law does not fit it: its residuals are not zero.
        let (_, _, power_se) = power_fit(&pts).unwrap();
        assert!(power_se > 0.01, "{power_se}");
        let noisy: Vec<(f64, f64)> = pts
            .iter()
            .zip([0.1, -0.1, 0.1, -0.1, 0.1])
            .map(|(&(n, p), e)| (n, p * f64::exp(e)))
            .collect();
        let (b, _, se, rms) = exp_fit(&noisy).unwrap();
        assert!((b - 0.13).abs() < 0.01 && se > 0.0 && (rms - 0.1).abs() < 0.02);
        assert!(exp_fit(&pts[..1]).is_none());
    }

    /// The modern estimates: modern's ln P_max grows as β·m₀·√N (exactly, between two sizes
    /// where the cue's end binds), idp-modern's P_max only as √N (about e·β·m₀²·√N).
    #[test]
    fn the_modern_estimates_grow_as_derived() {
        let (f, b, t) = (0.1, 2.0, 0.9);
        let ln = |n: usize| modern_max_memories(n, f, b, t).ln();
        let slope = (ln(40_000) - ln(10_000)) / (200.0 - 100.0);
        assert!((slope - 1.6).abs() < 1e-6, "{slope}");
        // At N = 64 (m₀ = 0.8125): h(m₀) − logit m₀ = 10.21, below h(t) − logit t.
        assert!((ln(64) - 10.21).abs() < 0.01, "{}", ln(64));
        let big = idp_modern_max_memories(1 << 20, 0.0, b, t);
        let want = std::f64::consts::E * b * 1024.0;
        assert!((big / want - 1.0).abs() < 0.02, "{big} vs {want}");
        assert_eq!(modern_max_memories(64, 0.5, b, t), 1.0);
    }

    /// The dense estimates: Krotov & Hopfield's N²/(6 ln N), and ours growing as N² (its
    /// P_max/N² tends to a constant: within 10% between N = 1024 and 4096 at f = 0); a cue
    /// with more flipped holds fewer memories; and the map has no retrieval once P passes it.
    #[test]
    fn the_dense_estimates_grow_as_n_squared() {
        assert!((dense_no_error_memories(64) - 4096.0 / (6.0 * 64f64.ln())).abs() < 1e-9);
        let ratio = |n: usize| dense_max_memories(n, 0.0, 0.9) / (n * n) as f64;
        let (a, b) = (ratio(1024), ratio(4096));
        assert!((a / b - 1.0).abs() < 0.1, "{a} vs {b}");
        assert!(dense_max_memories(64, 0.2, 0.9) < dense_max_memories(64, 0.1, 0.9));
        let p = dense_max_memories(64, 0.1, 0.9) as usize;
        let m0 = 1.0 - 12.0 / 64.0;
        assert!(dense_overlap(64, p, m0) >= 0.9 && dense_overlap(64, p + 1, m0) < 0.9);
        assert!(dense_max_flip(64, p, 0.9) >= 0.09 && dense_max_flip(64, 4 * p, 0.9) < 0.05);
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
