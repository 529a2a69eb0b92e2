//! The summary of a run as a table a person reads: `--format table`, and on stderr at the end
//! of a run whose stdout is a terminal.

use std::fmt::Write;

use crate::model::ModelKind;
use crate::tracking::Summary;

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".into(), |x| format!("{x:.digits$}"))
}

/// One row per model: accuracy, glitches, latency, overlap, mirror.
/// Model seconds with one decimal, or as many as they have (0.99 s read "1.0 s", 0.01 s
/// "0.0 s").
pub fn shown_secs(secs: f64) -> String {
    let digits = (1..=6)
        .find(|&d| {
            let scale = 10f64.powi(d);
            ((secs * scale).round() / scale - secs).abs() <= 1e-9 * secs.abs().max(1.0)
        })
        .unwrap_or(6) as usize;
    format!("{secs:.digits$}")
}

pub fn summary_table(summaries: &[(ModelKind, Summary)]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<18} {:>8}  {:>22}  {:>10} {:>10}  {:>8} {:>7}  {:>9}",
        "model",
        "accuracy",
        "glitches corr/fol/not",
        "latency s",
        "worst s",
        "overlap",
        "mirror",
        "retrieved"
    );
    for (model, m) in summaries {
        let glitches = format!(
            "{} / {} / {} of {}",
            m.glitches_corrected, m.glitches_followed, m.glitches_not_tracking, m.glitches_seen
        );
        let _ = writeln!(
            s,
            "{:<18} {:>8}  {:>22}  {:>10} {:>10}  {:>8} {:>7}  {:>9}{}",
            model.name(),
            opt(m.accuracy, 3),
            glitches,
            opt(m.latency_median_secs, 2),
            opt(m.latency_worst_secs, 2),
            opt(m.mean_overlap, 3),
            opt(m.mirror_fraction, 2),
            format!("{}/{}", m.retrievals, m.changes),
            if m.diverged { "  (diverged)" } else { "" }
        );
    }
    let secs = summaries.first().map_or(0.0, |(_, m)| m.duration_secs);
    let secs = shown_secs(secs);
    let _ = writeln!(
        s,
        "{secs} s of model time. accuracy: fraction of the tracked time on the memory the \
         input holds (|m| counted); latency: median from a change to its retrieval; overlap: \
         mean |m| of that memory; mirror: of the retrieved time, on −ξ; retrieved: changes \
         answered by a retrieval."
    );
    s
}
