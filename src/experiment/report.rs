//! Tables a person can read (rates with their standard error, means ± standard deviation) and
//! CSV of the raw numbers.

use std::fmt::Write;
use std::ops::Range;

use super::ExperimentName;
use super::measure::GlitchVerdict;
use super::{GlitchRow, MixedRow};
use crate::model::ModelKind;

/// Which trials a table counts: the trials asked for and, when the run was interrupted, how
/// many of its jobs (trials, runs of a trial at one σ, networks) finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    pub trials: Range<usize>,
    pub done: usize,
    pub total: usize,
    /// What a job is, plural: "trials", "runs (trial × σ)", "networks".
    pub unit: &'static str,
}

impl Cover {
    /// Every job of `trials` finished.
    pub fn all(trials: Range<usize>) -> Self {
        Self {
            trials,
            done: 0,
            total: 0,
            unit: "trials",
        }
    }

    /// Whether some jobs did not finish.
    pub fn interrupted(&self) -> bool {
        self.done < self.total
    }

    /// Whether a figure can be drawn: every job finished, or (interrupted) at least one.
    pub fn drawable(&self) -> bool {
        !self.interrupted() || self.done > 0
    }

    /// The line an interrupted run's figure begins its subtitle with: "Interrupted: drawn from
    /// the 7 of 20 trials that finished." (`None` when every job finished).
    pub fn interrupted_note(&self) -> Option<String> {
        self.interrupted().then(|| {
            format!(
                "Interrupted: drawn from the {} of {} {} that finished.",
                self.done, self.total, self.unit
            )
        })
    }

    /// What the table counts, from what was asked (`asked`: "20 trials (seeds 1..20)"): that,
    /// or, interrupted, the jobs that finished first: "the 7 of 20 trials that finished before
    /// the interrupt, of 20 trials (seeds 1..20)".
    pub fn counted(&self, asked: &str) -> String {
        if self.interrupted() {
            format!(
                "the {} of {} {} that finished before the interrupt, of {asked}",
                self.done, self.total, self.unit
            )
        } else {
            asked.to_string()
        }
    }
}

/// "20 trials (seeds 1..20)": what a protocol's table was asked for.
fn asked_trials(trials: &Range<usize>, seed: u64) -> String {
    format!("{} trials ({})", trials.len(), seeds(trials, seed))
}

/// "seeds 1..20" for trials 0..20 of seed 1; "trials 10..19, seeds 11..20" for a shard.
pub(super) fn seeds(trials: &Range<usize>, seed: u64) -> String {
    let last = trials.end.saturating_sub(1);
    let (a, b) = (
        seed.wrapping_add(trials.start as u64),
        seed.wrapping_add(last as u64),
    );
    if trials.start == 0 {
        format!("seeds {a}..{b}")
    } else {
        format!("trials {}..{last}, seeds {a}..{b}", trials.start)
    }
}

/// The (model, σ) groups in first-seen order.
fn groups<R>(rows: &[R], key: impl Fn(&R) -> (ModelKind, f64)) -> Vec<(ModelKind, f64)> {
    let mut out: Vec<(ModelKind, f64)> = Vec::new();
    for r in rows {
        let k = key(r);
        if !out.contains(&k) {
            out.push(k);
        }
    }
    // σ first, then the models in their given order.
    out.sort_by(|a, b| a.1.total_cmp(&b.1));
    out
}

/// "87 ± 5 %": the rate of `hits` among `n`, ± its binomial standard error.
fn rate(hits: usize, n: usize) -> String {
    if n == 0 {
        return "–".into();
    }
    let p = hits as f64 / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    format!("{:>3.0} ± {:<2.0}%", 100.0 * p, 100.0 * se)
}

/// "0.95 ± 0.03": mean ± standard deviation (with `digits` decimals).
fn spread(values: &[f64], digits: usize) -> String {
    if values.is_empty() {
        return "–".into();
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    format!("{mean:.digits$} ± {:.digits$}", var.sqrt())
}

/// The table of the mixed protocol (and of the noise sweep).
pub fn mixed_table(name: ExperimentName, rows: &[MixedRow], cover: &Cover, seed: u64) -> String {
    let trials = &cover.trials;
    let mut s = String::new();
    let what = match name {
        ExperimentName::NoiseSweep => "noise sweep",
        _ => "mixed inputs",
    };
    let _ = writeln!(
        s,
        "{what}: {}, N = 1024, P = 10 random memories, g = 10, \
         dt = 0.01; three mixed stimuli of 10 s each (dominant gain U(2,3.5), others U(0.8,1.5), \
         previous U(0.2,0.6), Σc = √(PN)).",
        cover.counted(&asked_trials(trials, seed)),
    );
    let _ = writeln!(
        s,
        "right: the largest mean |m| over the last second is the dominant memory (chance 10%); \
         clean: that |m| ≥ 0.9; first: clean on stimulus 1 (from a random state); switch: clean \
         on stimuli 2-3; stuck: stimuli 2-3 end on the previous memory; mirror: of the right \
         ones, on −ξ (the IDP field is odd, so the negative of a memory is an equilibrium too; \
         |m| counts both); latency: until |m| ≥ 0.9 for 0.5 s (n = how many got there). Rates ± \
         standard error, values mean ± sd.\n"
    );
    let _ = writeln!(
        s,
        "{:<17}{:>4}  {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}  {:>13}  {:>16}",
        "model",
        "σ",
        "right",
        "clean",
        "first",
        "switch",
        "stuck",
        "mirror",
        "overlap",
        "latency s (n)"
    );
    for (model, sigma) in groups(rows, |r| (r.model, r.sigma)) {
        let g: Vec<&MixedRow> = rows
            .iter()
            .filter(|r| r.model == model && r.sigma == sigma)
            .collect();
        let count = |f: &dyn Fn(&MixedRow) -> bool, seg: &dyn Fn(usize) -> bool| {
            let sel: Vec<_> = g.iter().filter(|r| seg(r.segment)).collect();
            (sel.iter().filter(|r| f(r)).count(), sel.len())
        };
        let all = |_: usize| true;
        let first = |k: usize| k == 0;
        let later = |k: usize| k > 0;
        let (r, n) = count(&|r| r.outcome.right, &all);
        let (c, _) = count(&|r| r.outcome.clean, &all);
        let (f, nf) = count(&|r| r.outcome.clean, &first);
        let (w, nw) = count(&|r| r.outcome.clean, &later);
        let (st, _) = count(&|r| r.outcome.stuck, &later);
        let (mirrors, _) = count(&|r| r.outcome.mirror, &all);
        let overlaps: Vec<f64> = g.iter().map(|r| r.outcome.overlap).collect();
        let lat: Vec<f64> = g.iter().filter_map(|r| r.outcome.latency_secs).collect();
        let _ = writeln!(
            s,
            "{:<17}{:>4}  {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}  {:>13}  {:>11} ({:>2})",
            model.name(),
            sigma,
            rate(r, n),
            rate(c, n),
            rate(f, nf),
            rate(w, nw),
            rate(st, nw),
            rate(mirrors, r),
            spread(&overlaps, 2),
            spread(&lat, 1),
            lat.len()
        );
    }
    diverged_note(&mut s, rows, |r| {
        (r.model, r.sigma, r.trial, r.outcome.diverged)
    });
    s
}

/// "diverged: idp at σ = 8 in 2 of 20 trials" for every group where a state stopped being
/// finite (those trials count as failures above).
fn diverged_note<R>(s: &mut String, rows: &[R], key: impl Fn(&R) -> (ModelKind, f64, usize, bool)) {
    for (model, sigma) in groups(rows, |r| {
        let k = key(r);
        (k.0, k.1)
    }) {
        let mut trials: Vec<(usize, bool)> = rows
            .iter()
            .map(&key)
            .filter(|k| k.0 == model && k.1 == sigma)
            .map(|k| (k.2, k.3))
            .collect();
        trials.sort_unstable();
        trials.dedup_by_key(|t| t.0);
        let bad = trials.iter().filter(|t| t.1).count();
        if bad > 0 {
            let _ = writeln!(
                s,
                "diverged: {} at σ = {sigma} in {bad} of {} trials (the state stopped being \
                 finite; counted as failures)",
                model.name(),
                trials.len()
            );
        }
    }
}

/// The median of `values` ("–" when empty).
fn median(values: &[f64]) -> String {
    if values.is_empty() {
        return "–".into();
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let k = v.len();
    let m = if k % 2 == 1 {
        v[k / 2]
    } else {
        0.5 * (v[k / 2 - 1] + v[k / 2])
    };
    format!("{m:.2}")
}

/// The table of the glitch protocol.
pub fn glitch_table(rows: &[GlitchRow], cover: &Cover, seed: u64) -> String {
    let trials = &cover.trials;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "glitch: {}, N = 1024, P = 10 random memories, g = 10, \
         dt = 0.01; mixed stimuli A [0,8), B [8,10) (the 2-s glitch), A [10,15), B [15,19), \
         C [19,25).",
        cover.counted(&asked_trials(trials, seed)),
    );
    let _ = writeln!(
        s,
        "corrected / followed: the tracker's verdict on the glitch (corrected: on A when it \
         began, never on B, on A 0.2 s after it ended; followed: on B, by the readout debounced \
         over 0.2 s, before 12 s; otherwise not tracking, in neither column); A held: fraction of [8,15) on A. The \
         genuine change to B by two readouts: strict (B retrieved, |m| ≥ 0.5 and largest, for \
         0.5 s before 19 s, with the latency) and the paper's (B has the largest |m| at 19 s; \
         median time until |m_B| > 0.9, with how many got there). C by 25 s: strict. Rates ± \
         standard error, values mean ± sd. classic-initial and modern start from each new input \
         (x ← u), so they retrieve at once: their latencies are about 0.\n"
    );
    let _ = writeln!(
        s,
        "{:<17}{:>4}  {:>10} {:>10}  {:>11}  {:>10} {:>10}  {:>10} {:>11}  {:>10} {:>10}",
        "model",
        "σ",
        "corrected",
        "followed",
        "A held",
        "B by 19 s",
        "latency s",
        "B at 19 s",
        "m>.9 s (n)",
        "C by 25 s",
        "latency s"
    );
    for (model, sigma) in groups(rows, |r| (r.model, r.sigma)) {
        let g: Vec<&GlitchRow> = rows
            .iter()
            .filter(|r| r.model == model && r.sigma == sigma)
            .collect();
        let n = g.len();
        let verdicts = |v: GlitchVerdict| g.iter().filter(|r| r.outcome.glitch == v).count();
        let held: Vec<f64> = g.iter().map(|r| r.outcome.a_held).collect();
        let b: Vec<f64> = g.iter().filter_map(|r| r.outcome.b_latency_secs).collect();
        let b_paper = g.iter().filter(|r| r.outcome.b_argmax_at_19).count();
        let b09: Vec<f64> = g.iter().filter_map(|r| r.outcome.b_secs_to_09).collect();
        let c: Vec<f64> = g.iter().filter_map(|r| r.outcome.c_latency_secs).collect();
        let _ = writeln!(
            s,
            "{:<17}{:>4}  {:>10} {:>10}  {:>11}  {:>10} {:>10}  {:>10} {:>6} ({:>2})  {:>10} {:>10}",
            model.name(),
            sigma,
            rate(verdicts(GlitchVerdict::Corrected), n),
            rate(verdicts(GlitchVerdict::Followed), n),
            spread(&held, 2),
            rate(b.len(), n),
            spread(&b, 1),
            rate(b_paper, n),
            median(&b09),
            b09.len(),
            rate(c.len(), n),
            spread(&c, 1),
        );
    }
    diverged_note(&mut s, rows, |r| {
        (r.model, r.sigma, r.trial, r.outcome.diverged)
    });
    s
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.3}")).unwrap_or_default()
}

/// The header line of [`mixed_csv`].
pub const MIXED_CSV_HEADER: &str =
    "trial,seed,model,sigma,segment,right,clean,stuck,mirror,overlap,latency_secs,diverged\n";

/// Raw numbers of the mixed protocol, one row per trial, model, σ and stimulus.
pub fn mixed_csv(rows: &[MixedRow], header: bool) -> String {
    let mut s = String::new();
    if header {
        s.push_str(MIXED_CSV_HEADER);
    }
    s.push_str(&mixed_csv_rows(rows));
    s
}

/// The rows of [`mixed_csv`] without the header (written as trials finish).
pub fn mixed_csv_rows(rows: &[MixedRow]) -> String {
    let mut s = String::new();
    for r in rows {
        let o = &r.outcome;
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{:.4},{},{}",
            r.trial,
            r.seed,
            r.model.name(),
            r.sigma,
            r.segment + 1,
            o.right,
            o.clean,
            o.stuck,
            o.mirror,
            o.overlap,
            opt(o.latency_secs),
            o.diverged
        );
    }
    s
}

/// The header line of [`glitch_csv`].
pub const GLITCH_CSV_HEADER: &str = "trial,seed,model,sigma,glitch,a_held,b_latency_secs,\
                                     b_argmax_at_19,b_secs_to_09,c_latency_secs,diverged\n";

/// Raw numbers of the glitch protocol, one row per trial, model and σ.
pub fn glitch_csv(rows: &[GlitchRow], header: bool) -> String {
    let mut s = String::new();
    if header {
        s.push_str(GLITCH_CSV_HEADER);
    }
    s.push_str(&glitch_csv_rows(rows));
    s
}

/// The rows of [`glitch_csv`] without the header (written as trials finish).
pub fn glitch_csv_rows(rows: &[GlitchRow]) -> String {
    let mut s = String::new();
    for r in rows {
        let o = &r.outcome;
        let verdict = serde_json::to_value(o.glitch)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "{},{},{},{},{verdict},{:.4},{},{},{},{},{}",
            r.trial,
            r.seed,
            r.model.name(),
            r.sigma,
            o.a_held,
            opt(o.b_latency_secs),
            o.b_argmax_at_19,
            opt(o.b_secs_to_09),
            opt(o.c_latency_secs),
            o.diverged
        );
    }
    s
}
