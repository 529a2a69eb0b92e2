//! The capacity experiment's table (per part of the sweep and model, retrieval and final
//! overlap against P/N and the flip fraction for each N, with standard errors; where retrieval
//! falls through one half, the limit P_max(N) with its power-law fit, and the theory's line)
//! and its raw CSV.

use std::fmt::Write;

use super::capacity::{AGS_CRITICAL_LOAD, CAPACITY_GAIN, CapacityConfig, CapacityRow};
use super::capacity_model::CapacityModel;
use super::capacity_theory as theory;
use crate::model::ModelKind;

/// Retrieval and overlap of one (model, N, load) point over its cues.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityPoint {
    pub model: CapacityModel,
    pub n: usize,
    pub p: usize,
    pub load: f64,
    pub flip: f64,
    /// Cues run (over every trial).
    pub cues: usize,
    /// Fraction of cues retrieved, and its binomial standard error.
    pub retrieved: f64,
    pub retrieved_se: f64,
    /// Mean final |m| of the cued memory, and its standard error.
    pub overlap: f64,
    pub overlap_se: f64,
    /// Of the retrieved cues, how many ended on the mirror −ξ.
    pub mirrors: usize,
    /// Cues that hit the time limit before settling.
    pub unsettled: usize,
}

/// One point per (model, N, load, flip) in `rows`, in model, size, load, flip order.
pub fn points<M: Into<CapacityModel> + Copy>(
    rows: &[CapacityRow],
    models: &[M],
    config: &CapacityConfig,
) -> Vec<CapacityPoint> {
    let mut out = Vec::new();
    for model in models.iter().map(|&m| m.into()) {
        for &n in &config.sizes {
            for (&load, &flip) in grid(config) {
                let sel: Vec<&CapacityRow> = rows
                    .iter()
                    .filter(|r| r.model == model && r.n == n && r.load == load && r.flip == flip)
                    .collect();
                if sel.is_empty() {
                    continue;
                }
                let k = sel.len() as f64;
                let hits = sel.iter().filter(|r| r.retrieved).count() as f64;
                let rate = hits / k;
                let abs: Vec<f64> = sel.iter().map(|r| r.overlap.abs()).collect();
                let mean = abs.iter().sum::<f64>() / k;
                let var = abs.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (k - 1.0).max(1.0);
                out.push(CapacityPoint {
                    model,
                    n,
                    p: sel[0].p,
                    load,
                    flip,
                    cues: sel.len(),
                    retrieved: rate,
                    retrieved_se: (rate * (1.0 - rate) / k).sqrt(),
                    overlap: mean,
                    overlap_se: (var / k).sqrt(),
                    mirrors: sel
                        .iter()
                        .filter(|r| r.retrieved && r.overlap < 0.0)
                        .count(),
                    unsettled: sel.iter().filter(|r| !r.settled).count(),
                });
            }
        }
    }
    out
}

/// The (load, flip) pairs of a part, load by load.
fn grid(config: &CapacityConfig) -> impl Iterator<Item = (&f64, &f64)> {
    config
        .loads
        .iter()
        .flat_map(|l| config.flips.iter().map(move |f| (l, f)))
}

/// Retrieval of the points `keep` picks against the axis `x` (the load, or the flipped
/// fraction), in the points' order.
fn retrieval_along(
    pts: &[CapacityPoint],
    keep: impl Fn(&CapacityPoint) -> bool,
    x: impl Fn(&CapacityPoint) -> f64,
) -> Vec<(f64, f64)> {
    pts.iter()
        .filter(|p| keep(p))
        .map(|p| (x(p), p.retrieved))
        .collect()
}

/// The load at which retrieval first falls below one half, interpolated linearly between the
/// loads either side; `Err(true)` when it never does, `Err(false)` when it is below half at the
/// first load already.
pub fn half_retrieval_load(points: &[&CapacityPoint]) -> Result<f64, bool> {
    let line: Vec<(f64, f64)> = points.iter().map(|p| (p.load, p.retrieved)).collect();
    half_crossing(&line)
}

/// Where a rate (x, rate), in the order of x, first falls below one half, interpolated
/// linearly; `Err(true)` when it never does, `Err(false)` when it is below at the first x.
pub fn half_crossing(line: &[(f64, f64)]) -> Result<f64, bool> {
    let mut prev: Option<(f64, f64)> = None;
    for &(x, r) in line {
        if r < 0.5 {
            return match prev {
                None => Err(false),
                Some((qx, qr)) => {
                    let f = (qr - 0.5) / (qr - r);
                    Ok(qx + f * (x - qx))
                }
            };
        }
        prev = Some((x, r));
    }
    Err(true)
}

/// A model's measured limit: P_max(N) = N · (the load of its 50% point), for every N whose
/// retrieval falls through one half along the loads (at `flip`).
pub fn limits(
    pts: &[CapacityPoint],
    model: impl Into<CapacityModel>,
    config: &CapacityConfig,
    flip: f64,
) -> Vec<(usize, f64)> {
    let model = model.into();
    config
        .sizes
        .iter()
        .filter_map(|&n| {
            let line = retrieval_along(
                pts,
                |p| p.model == model && p.n == n && p.flip == flip,
                |p| p.load,
            );
            half_crossing(&line).ok().map(|l| (n, l * n as f64))
        })
        .collect()
}

fn how(model: CapacityModel, input_gain: f64) -> String {
    let CapacityModel::Kind(model) = model else {
        return "dense associative memory (Krotov & Hopfield 2016), E = −Σ_μ (ξ_μᵀs)³: ±1 \
                neurons, asynchronous updates s_i ← sign(Σ_μ ξ_μi (3z'_μ² + 1)), \
                z'_μ = Σ_{j≠i} ξ_μj s_j, in random order; the cue is x(0)"
            .into();
    };
    match model {
        ModelKind::Discrete => "±1 neurons, Hebbian W = ΞΞᵀ/N with zero diagonal, asynchronous \
                                sign updates in random order; the cue is x(0)"
            .into(),
        ModelKind::ClassicInitial => "continuous, the same Hebbian W; the cue is x(0)".into(),
        ModelKind::ClassicConstant => format!(
            "continuous, the same Hebbian W, x(0) random; the cue is a constant current \
             b = {input_gain}·cue"
        ),
        ModelKind::Idp => format!(
            "IDP, x(0) random; the cue is the input u = {input_gain}·cue, W(u) = Ξ diag(Ξᵀu/N) Ξᵀ/N"
        ),
        ModelKind::Modern => format!(
            "modern, ẋ = −x + Ξ softmax(β Ξᵀx/√N), β = {beta}; the cue is x(0) at |x|² = N; \
             retrieved: m ≥ the threshold (no mirror wells)",
            beta = crate::model::Params::default().beta
        ),
        ModelKind::IdpModern => format!(
            "idp-modern, ẋ = −x + Ξ[α ⊙ softmax(β α ⊙ Ξᵀx/√N)], β = {beta}, x(0) near 0; the \
             cue sets α = its cosines with the memories (1 − 2f for the cued one); its fixed \
             point is x ≈ α ξ, so retrieved: m ≥ threshold·α and the largest |m| (|m| is m itself)",
            beta = crate::model::Params::default().beta
        ),
        other => other.name().to_string(),
    }
}

/// The table of a sweep of several parts (or of one: [`capacity_table`]).
pub fn plan_table(
    rows: &[CapacityRow],
    parts: &[CapacityConfig],
    cover: &super::report::Cover,
    seed: u64,
) -> String {
    if let [part] = parts {
        return capacity_table(rows, &part.models, part, cover, seed);
    }
    let Some(first) = parts.first() else {
        return String::new();
    };
    let mut s = String::new();
    let trials = &cover.trials;
    let _ = writeln!(
        s,
        "capacity: P random memories in N neurons, {}, \
         {} cue(s) per network; each cue is a stored memory with a fraction of its pixels \
         flipped. g = {CAPACITY_GAIN}, dt = {} s, no noise; a cue runs until it settles (at most \
         {} s). {} parts:",
        cover.counted(&asked_networks(trials, seed)),
        first.cues,
        first.dt_secs,
        first.max_secs,
        parts.len(),
    );
    for (k, part) in parts.iter().enumerate() {
        let models: Vec<&str> = part.models.iter().map(|m| m.name()).collect();
        let _ = writeln!(
            s,
            "  {}. {} at N ∈ {{{}}}, P/N {}, {} flipped",
            k + 1,
            models.join(", "),
            list(&part.sizes, |n| n.to_string()),
            range(&part.loads, |l| format!("{l}")),
            range(&part.flips, |f| format!("{:.0}%", 100.0 * f)),
        );
    }
    let _ = writeln!(
        s,
        "retrieved: |m| of the cued memory at the end ≥ {} (mirror states −ξ count, as |m| does); \
         |m|: its mean. Both ± standard error over the cues.{}",
        first.threshold,
        modern_rule(parts.iter().flat_map(|p| &p.models), first.threshold)
    );
    let _ = writeln!(s, "{}\n", theory_note());
    for (k, part) in parts.iter().enumerate() {
        let _ = writeln!(s, "— part {} —\n", k + 1);
        let pts = points(rows, &part.models, part);
        for &model in &part.models {
            model_block(&mut s, &pts, model, part);
        }
    }
    s
}

/// The modern models' retrieval rules (`capacity::retrieved`), when the sweep has them.
fn modern_rule<'a>(models: impl IntoIterator<Item = &'a CapacityModel>, threshold: f64) -> String {
    let models: Vec<CapacityModel> = models.into_iter().copied().collect();
    let mut s = String::new();
    if models.contains(&ModelKind::Modern.into()) {
        let _ = write!(s, " modern: m ≥ {threshold} (it has no mirror wells).");
    }
    if models.contains(&ModelKind::IdpModern.into()) {
        let _ = write!(
            s,
            " idp-modern: m ≥ {threshold}·α of the cued memory (it settles at x ≈ α·ξ, m ≈ α = \
             1 − 2f) and the largest |m| of all; its |m| column is m itself."
        );
    }
    s
}

/// Where the theory lines come from, in one line.
fn theory_note() -> String {
    format!(
        "theory: discrete α_c = {:.4} (Amit, Gutfreund & Sompolinsky, T = 0, N → ∞); continuous \
         at g = {CAPACITY_GAIN}: α_c = {:.3} (the same at T = 1/g); IDP: the signal-to-noise \
         estimate of docs/capacity.md (m ≥ the threshold while the cue's saliency beats the \
         crosstalk of the other memories' ~1/√N saliencies); modern, idp-modern: our estimates \
         of docs/capacity.md (the cued memory's logit against the others' softmax mass); \
         dense3: Krotov & Hopfield's no-error P_max ≈ N²/(6 ln N), and our signal-to-noise \
         estimate for the flipped cue",
        theory::ags_critical_load(),
        theory::continuous_critical_load(CAPACITY_GAIN)
    )
}

/// `a, b, c`.
fn list<T>(values: &[T], show: impl Fn(&T) -> String) -> String {
    values.iter().map(show).collect::<Vec<_>>().join(", ")
}

/// `a` or `a–z (k values)`.
fn range<T>(values: &[T], show: impl Fn(&T) -> String) -> String {
    match values {
        [] => String::new(),
        [one] => show(one),
        [a, .., z] => format!("{}–{} ({} values)", show(a), show(z), values.len()),
    }
}

/// The table of one part of the capacity sweep.
pub fn capacity_table(
    rows: &[CapacityRow],
    models: &[CapacityModel],
    config: &CapacityConfig,
    cover: &super::report::Cover,
    seed: u64,
) -> String {
    let trials = &cover.trials;
    let pts = points(rows, models, config);
    let mut s = String::new();
    let sizes: Vec<String> = config.sizes.iter().map(ToString::to_string).collect();
    let flipped = match config.flips.as_slice() {
        [one] => format!("{:.0}%", 100.0 * one),
        many => format!(
            "{} (a column)",
            range(many, |f| format!("{:.0}%", 100.0 * f))
        ),
    };
    let _ = writeln!(
        s,
        "capacity: P random memories in N ∈ {{{}}} neurons, {}, \
         {} cue(s) per network; each cue is a stored memory with {flipped} of its pixels flipped. \
         g = 10, dt = {} s, no noise; a cue runs until it settles (at most {} s).",
        sizes.join(", "),
        cover.counted(&asked_networks(trials, seed)),
        config.cues,
        config.dt_secs,
        config.max_secs,
    );
    let _ = writeln!(
        s,
        "retrieved: |m| of the cued memory at the end ≥ {} (mirror states −ξ count, as |m| does); \
         |m|: its mean. Both ± standard error over the cues.{} The classic network's capacity \
         is P/N ≈ {AGS_CRITICAL_LOAD} (Amit, Gutfreund & Sompolinsky).\n",
        config.threshold,
        modern_rule(models, config.threshold)
    );
    for &model in models {
        model_block(&mut s, &pts, model, config);
    }
    s
}

/// One model's rows of a part, and what they come to: the 50% points along the loads (and
/// P_max(N) with its fit) and along the flips, and the theory's line.
fn model_block(
    s: &mut String,
    pts: &[CapacityPoint],
    model: CapacityModel,
    config: &CapacityConfig,
) {
    let flips = config.flips.len() > 1;
    let _ = writeln!(s, "{} — {}", model.name(), how(model, config.input_gain));
    // The load column is as wide as its widest load (128.000 took a column more than 0.500).
    let load_w = grid(config)
        .map(|(&load, _)| format!("{load:.3}").len())
        .fold(6, usize::max);
    let _ = write!(s, "{:>load_w$}", "P/N");
    if flips {
        let _ = write!(s, " {:>5}", "flip");
    }
    for n in &config.sizes {
        let _ = write!(s, "  {:>24}", format!("N = {n}"));
    }
    let _ = writeln!(s);
    let _ = write!(s, "{:>load_w$}", "");
    if flips {
        let _ = write!(s, " {:>5}", "");
    }
    for _ in &config.sizes {
        let _ = write!(s, "  {:>10} {:>13}", "retrieved", "|m|");
    }
    let _ = writeln!(s);
    for (&load, &flip) in grid(config) {
        let _ = write!(s, "{load:>load_w$.3}");
        if flips {
            let _ = write!(s, " {flip:>5.2}");
        }
        for &n in &config.sizes {
            match pts
                .iter()
                .find(|p| p.model == model && p.n == n && p.load == load && p.flip == flip)
            {
                Some(p) => {
                    let _ = write!(
                        s,
                        "  {:>10} {:>13}",
                        format!(
                            "{:>3.0} ± {:<2.0}%",
                            100.0 * p.retrieved,
                            100.0 * p.retrieved_se
                        ),
                        format!("{:.3} ± {:.3}", p.overlap, p.overlap_se)
                    );
                }
                None => {
                    let _ = write!(s, "  {:>10} {:>13}", "–", "–");
                }
            }
        }
        let _ = writeln!(s);
    }
    if config.loads.len() > 1 || !flips {
        for &flip in &config.flips {
            let halves: Vec<String> = config
                .sizes
                .iter()
                .map(|&n| {
                    let line: Vec<&CapacityPoint> = pts
                        .iter()
                        .filter(|p| p.model == model && p.n == n && p.flip == flip)
                        .collect();
                    let (lo, hi) = (
                        config.loads.first().copied().unwrap_or(0.0),
                        config.loads.last().copied().unwrap_or(0.0),
                    );
                    match half_retrieval_load(&line) {
                        Ok(l) => format!("at P/N ≈ {l:.3} (N = {n})"),
                        Err(true) => format!("not up to {hi} (N = {n})"),
                        Err(false) => format!("already at {lo} (N = {n})"),
                    }
                })
                .collect();
            let at = if flips {
                format!(" at {:.0}% flipped", 100.0 * flip)
            } else {
                String::new()
            };
            let _ = writeln!(s, "retrieval falls below 50%{at}: {}", halves.join("; "));
            limits_line(s, pts, model, config, flip);
        }
    }
    if flips {
        for &load in &config.loads {
            let halves: Vec<String> = config
                .sizes
                .iter()
                .map(|&n| {
                    let line = retrieval_along(
                        pts,
                        |p| p.model == model && p.n == n && p.load == load,
                        |p| p.flip,
                    );
                    let (lo, hi) = (
                        config.flips.first().copied().unwrap_or(0.0),
                        config.flips.last().copied().unwrap_or(0.0),
                    );
                    match half_crossing(&line) {
                        Ok(f) => format!("at {:.0}% flipped (N = {n})", 100.0 * f),
                        Err(true) => format!("not up to {:.0}% (N = {n})", 100.0 * hi),
                        Err(false) => format!("already at {:.0}% (N = {n})", 100.0 * lo),
                    }
                })
                .collect();
            let _ = writeln!(
                s,
                "at P/N = {load}, retrieval falls below 50% along the flips: {}",
                halves.join("; ")
            );
        }
    }
    let _ = writeln!(s, "{}", theory_line(model, config));
    let unsettled: usize = pts
        .iter()
        .filter(|p| p.model == model)
        .map(|p| p.unsettled)
        .sum();
    if unsettled > 0 {
        // The exact integer networks count sweeps, the continuous ones model seconds.
        let limit = if model
            .kind()
            .is_none_or(|k| k == crate::model::ModelKind::Discrete)
        {
            format!("{} sweeps", config.max_sweeps())
        } else {
            format!("{} s", config.max_secs)
        };
        let _ = writeln!(
            s,
            "({unsettled} cue(s) had not settled after {limit}; read at that time)"
        );
    }
    let _ = writeln!(s);
}

/// "P_max at the 50% point: …; fit P_max ≈ a·N^b" when two sizes or more fall through one half.
fn limits_line(
    s: &mut String,
    pts: &[CapacityPoint],
    model: CapacityModel,
    config: &CapacityConfig,
    flip: f64,
) {
    let found = limits(pts, model, config, flip);
    let fit: Vec<(f64, f64)> = found.iter().map(|&(n, p)| (n as f64, p)).collect();
    if let Some((b, a, se)) = theory::power_fit(&fit) {
        let each: Vec<String> = found
            .iter()
            .map(|(n, p)| format!("{p:.0} (N = {n})"))
            .collect();
        let error = if fit.len() > 2 {
            format!(" ± {se:.2}")
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "P_max (P at the 50% point): {}; fit P_max ≈ {}·N^{b:.2}{error} (least squares \
             on ln P_max against ln N)",
            each.join(", "),
            significant(a)
        );
        if model.is_modern() {
            exp_fit_lines(s, &fit);
        }
        if model == CapacityModel::Dense3 {
            dense_fit_lines(s, &fit);
        }
    }
}

/// The modern models' exponential fits: ln P_max against N (a straight line on a log-y axis)
/// and against √N (the estimate's form), each with its rms residual in ln P_max.
fn exp_fit_lines(s: &mut String, fit: &[(f64, f64)]) {
    let root: Vec<(f64, f64)> = fit.iter().map(|&(n, p)| (n.sqrt(), p)).collect();
    for (points, x) in [(fit, "N"), (root.as_slice(), "√N")] {
        if let Some((b, a, se, rms)) = theory::exp_fit(points) {
            let error = if points.len() > 2 {
                format!(" ± {}", significant(se))
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "  exponential fit against {x}: ln P_max ≈ {:.2} + ({}{error})·{x}, P_max ≈ {}·e^({}·{x}) \
                 (least squares on ln P_max against {x}; rms residual {:.3})",
                a.ln(),
                significant(b),
                significant(a),
                significant(b),
                rms
            );
        }
    }
}

/// The dense model's growth against N²: P_max·ln N/N² at each N (constant if P_max follows
/// Krotov & Hopfield's N²/ln N form) and the power fit of P_max·ln N, the exponent of N²/ln N
/// with the log taken out.
fn dense_fit_lines(s: &mut String, fit: &[(f64, f64)]) {
    let each: Vec<String> = fit
        .iter()
        .map(|&(n, p)| format!("{:.3} (N = {n})", p * n.ln() / (n * n)))
        .collect();
    let _ = writeln!(s, "  P_max·ln N/N²: {}", each.join(", "));
    let logged: Vec<(f64, f64)> = fit.iter().map(|&(n, p)| (n, p * n.ln())).collect();
    if let Some((b, a, se)) = theory::power_fit(&logged) {
        let error = if fit.len() > 2 {
            format!(" ± {se:.2}")
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "  with the log taken out: P_max·ln N ≈ {}·N^{b:.2}{error} (least squares on \
             ln(P_max·ln N) against ln N)",
            significant(a)
        );
    }
}

/// A theory's largest fraction flipped at each (N, load) of the sweep, `edge(N, P)`, as
/// "46% (N = 256, P/N = 0.05), …".
fn flip_edges(config: &CapacityConfig, edge: impl Fn(usize, usize) -> f64) -> String {
    let each: Vec<String> = config
        .sizes
        .iter()
        .flat_map(|&n| config.loads.iter().map(move |&l| (n, l)))
        .map(|(n, l)| {
            let p = CapacityConfig::p(n, l);
            format!("{:.0}% (N = {n}, P/N = {l})", 100.0 * edge(n, p))
        })
        .collect();
    each.join(", ")
}

/// The dense model's theory line: Krotov & Hopfield's no-error estimate and ours for the
/// flipped cue, at each N (along the flips: ours at each load).
fn dense_theory_line(config: &CapacityConfig) -> String {
    let t = config.threshold;
    if config.flips.len() > 1 {
        let each = flip_edges(config, |n, p| theory::dense_max_flip(n, p, t));
        return format!(
            "theory (our signal-to-noise estimate, docs/capacity.md): retrieved up to {each} flipped"
        );
    }
    let kh: Vec<String> = config
        .sizes
        .iter()
        .map(|&n| format!("{:.0} (N = {n})", theory::dense_no_error_memories(n)))
        .collect();
    let ours: Vec<String> = config
        .flips
        .iter()
        .flat_map(|&f| {
            config
                .sizes
                .iter()
                .map(move |&n| format!("{:.0} (N = {n})", theory::dense_max_memories(n, f, t)))
        })
        .collect();
    format!(
        "theory: Krotov & Hopfield (2016), every bit of an uncorrupted cue stable: P_max ≈ \
         N²/(6 ln N) = {}; our signal-to-noise estimate for the flipped cue and m ≥ {t} \
         (docs/capacity.md): P_max ≈ {}",
        kh.join(", "),
        ours.join(", ")
    )
}

/// Three significant digits: 0.189, 0.00123.
pub fn significant(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

/// The theory's line for a model on this part's axes.
fn theory_line(model: CapacityModel, config: &CapacityConfig) -> String {
    let g = CAPACITY_GAIN;
    let CapacityModel::Kind(model) = model else {
        return dense_theory_line(config);
    };
    match model {
        ModelKind::Discrete => format!(
            "theory: α_c = {:.4}, m(α_c) = {:.3} (AGS T = 0, N → ∞)",
            theory::ags_critical_load(),
            theory::ags_overlap(theory::ags_critical_load() - 1e-9).unwrap_or(0.0)
        ),
        ModelKind::ClassicInitial | ModelKind::ClassicConstant => format!(
            "theory: α_c = {:.3} at g = {g} (AGS at T = 1/g, N → ∞; for the cue as x(0))",
            theory::continuous_critical_load(g)
        ),
        ModelKind::Idp => {
            let flips = config.flips.len() > 1;
            let t = config.threshold;
            if flips {
                let each = flip_edges(config, |n, p| theory::idp_max_flip(n, p, g, t));
                format!(
                    "theory: m ≥ {t} up to {each} flipped; a retrieval state exists up to {:.1}% \
                     (the cue's saliency 1 − 2f at 1/g)",
                    50.0 * (1.0 - 1.0 / g)
                )
            } else {
                let each: Vec<String> = config
                    .flips
                    .iter()
                    .flat_map(|&f| {
                        config.sizes.iter().map(move |&n| {
                            let l = theory::idp_max_load(n, f, g, t);
                            format!("P/N ≈ {l:.2}, P ≈ {:.0} (N = {n})", l * n as f64)
                        })
                    })
                    .collect();
                format!("theory: m ≥ {t} up to {}", each.join("; "))
            }
        }
        ModelKind::Modern | ModelKind::IdpModern if config.flips.len() > 1 => {
            let beta = crate::model::Params::default().beta;
            let t = config.threshold;
            let idp = model == ModelKind::IdpModern;
            let each: Vec<String> = config
                .sizes
                .iter()
                .flat_map(|&n| {
                    config.loads.iter().map(move |&l| {
                        let p = CapacityConfig::p(n, l);
                        let f = theory::modern_max_flip(n, p, beta, t, idp);
                        format!("{:.1}% (N = {n}, P/N = {l})", 100.0 * f)
                    })
                })
                .collect();
            format!(
                "theory (our estimate, docs/capacity.md): retrieved up to {} flipped",
                each.join(", ")
            )
        }
        ModelKind::Modern | ModelKind::IdpModern => {
            let beta = crate::model::Params::default().beta;
            let t = config.threshold;
            let each: Vec<String> = config
                .flips
                .iter()
                .flat_map(|&f| {
                    config.sizes.iter().map(move |&n| {
                        let p = if model == ModelKind::Modern {
                            theory::modern_max_memories(n, f, beta, t)
                        } else {
                            theory::idp_modern_max_memories(n, f, beta, t)
                        };
                        format!("{p:.0} (N = {n})")
                    })
                })
                .collect();
            let form = if model == ModelKind::Modern {
                "ln(P_max − 1) ≈ the least of β√N·m − β²m²/2 − logit m for m from m₀ (the cue's \
                 overlap) to the threshold"
            } else {
                "the uniform softmax near x = 0 traps the state beyond P ≈ e·β·m₀²·√N"
            };
            format!(
                "theory (our estimate, docs/capacity.md): {form}: P_max ≈ {}",
                each.join(", ")
            )
        }
        other => format!("theory: none drawn for {}", other.name()),
    }
}

/// Raw numbers, one row per trial, size, load, model and cue.
pub fn capacity_csv(rows: &[CapacityRow], header: bool) -> String {
    let mut s = String::new();
    if header {
        s.push_str(CAPACITY_CSV_HEADER);
    }
    s.push_str(&capacity_csv_rows(rows));
    s
}

/// The header line of [`capacity_csv`].
pub const CAPACITY_CSV_HEADER: &str =
    "trial,seed,model,n,p,load,memory,overlap,retrieved,secs,settled,flip\n";

/// The rows of [`capacity_csv`] without the header (written as networks finish).
pub fn capacity_csv_rows(rows: &[CapacityRow]) -> String {
    let mut s = String::new();
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{:.4},{},{:.2},{},{}",
            r.trial,
            r.seed,
            r.model.name(),
            r.n,
            r.p,
            r.load,
            r.memory,
            r.overlap,
            r.retrieved,
            r.secs,
            r.settled,
            r.flip
        );
    }
    s
}

/// "2 trial(s) (trials 0..1, seed 1)": what a capacity table was asked for.
fn asked_networks(trials: &std::ops::Range<usize>, seed: u64) -> String {
    format!(
        "{} trial(s) (trials {}..{}, seed {seed})",
        trials.len(),
        trials.start,
        trials.end.saturating_sub(1)
    )
}
