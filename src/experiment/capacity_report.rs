//! The capacity experiment's table (per model, retrieval and final overlap against P/N for each
//! N, with standard errors, and where retrieval falls through one half) and its raw CSV.

use std::fmt::Write;

use super::capacity::{AGS_CRITICAL_LOAD, CapacityConfig, CapacityRow};
use crate::model::ModelKind;

/// Retrieval and overlap of one (model, N, load) point over its cues.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityPoint {
    pub model: ModelKind,
    pub n: usize,
    pub p: usize,
    pub load: f64,
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

/// One point per (model, N, load) in `rows`, in model, size, load order.
pub fn points(
    rows: &[CapacityRow],
    models: &[ModelKind],
    config: &CapacityConfig,
) -> Vec<CapacityPoint> {
    let mut out = Vec::new();
    for &model in models {
        for &n in &config.sizes {
            for &load in &config.loads {
                let sel: Vec<&CapacityRow> = rows
                    .iter()
                    .filter(|r| r.model == model && r.n == n && r.load == load)
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

/// The load at which retrieval first falls below one half, interpolated linearly between the
/// loads either side; `Err(true)` when it never does, `Err(false)` when it is below half at the
/// first load already.
pub fn half_retrieval_load(points: &[&CapacityPoint]) -> Result<f64, bool> {
    let mut prev: Option<&CapacityPoint> = None;
    for p in points {
        if p.retrieved < 0.5 {
            return match prev {
                None => Err(false),
                Some(q) => {
                    let f = (q.retrieved - 0.5) / (q.retrieved - p.retrieved);
                    Ok(q.load + f * (p.load - q.load))
                }
            };
        }
        prev = Some(p);
    }
    Err(true)
}

fn how(model: ModelKind, input_gain: f64) -> String {
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
        other => other.name().to_string(),
    }
}

/// The table of the capacity sweep.
pub fn capacity_table(
    rows: &[CapacityRow],
    models: &[ModelKind],
    config: &CapacityConfig,
    cover: &super::report::Cover,
    seed: u64,
) -> String {
    let trials = &cover.trials;
    let pts = points(rows, models, config);
    let mut s = String::new();
    let sizes: Vec<String> = config.sizes.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        s,
        "capacity: P random memories in N ∈ {{{}}} neurons, {} trial(s) (trials {}..{}, seed {seed}){}, \
         {} cue(s) per network; each cue is a stored memory with {:.0}% of its pixels flipped. \
         g = 10, dt = {} s, no noise; a cue runs until it settles (at most {} s).",
        sizes.join(", "),
        trials.len(),
        trials.start,
        trials.end.saturating_sub(1),
        cover.note(),
        config.cues,
        100.0 * config.flip,
        config.dt_secs,
        config.max_secs,
    );
    let _ = writeln!(
        s,
        "retrieved: |m| of the cued memory at the end ≥ {} (mirror states −ξ count, as |m| does); \
         |m|: its mean. Both ± standard error over the cues. The classic network's capacity is \
         P/N ≈ {AGS_CRITICAL_LOAD} (Amit, Gutfreund & Sompolinsky).\n",
        config.threshold
    );
    for &model in models {
        let _ = writeln!(s, "{} — {}", model.name(), how(model, config.input_gain));
        let _ = write!(s, "{:>6}", "P/N");
        for n in &config.sizes {
            let _ = write!(s, "  {:>24}", format!("N = {n}"));
        }
        let _ = writeln!(s);
        let _ = write!(s, "{:>6}", "");
        for _ in &config.sizes {
            let _ = write!(s, "  {:>10} {:>13}", "retrieved", "|m|");
        }
        let _ = writeln!(s);
        for &load in &config.loads {
            let _ = write!(s, "{load:>6.3}");
            for &n in &config.sizes {
                match pts
                    .iter()
                    .find(|p| p.model == model && p.n == n && p.load == load)
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
        let halves: Vec<String> = config
            .sizes
            .iter()
            .map(|&n| {
                let line: Vec<&CapacityPoint> = pts
                    .iter()
                    .filter(|p| p.model == model && p.n == n)
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
        let _ = writeln!(s, "retrieval falls below 50%: {}", halves.join("; "));
        let unsettled: usize = pts
            .iter()
            .filter(|p| p.model == model)
            .map(|p| p.unsettled)
            .sum();
        if unsettled > 0 {
            let _ = writeln!(
                s,
                "({unsettled} cue(s) had not settled after {} s; read at that time)",
                config.max_secs
            );
        }
        let _ = writeln!(s);
    }
    s
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
    "trial,seed,model,n,p,load,memory,overlap,retrieved,secs,settled\n";

/// The rows of [`capacity_csv`] without the header (written as networks finish).
pub fn capacity_csv_rows(rows: &[CapacityRow]) -> String {
    let mut s = String::new();
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{:.4},{},{:.2},{}",
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
            r.settled
        );
    }
    s
}
