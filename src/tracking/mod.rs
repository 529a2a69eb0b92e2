//! Tracking: turns a model's per-frame readout and the stimulus' ground truth into events
//! (retrieved, transition, confusion, glitch corrected/followed, diverged) and summary metrics.
//! Shared by the headless runner and the dashboard.
//!
//! CONTRACT (skeleton written before the implementation; keep these names, extend freely).

use serde::Serialize;

/// Something that happened, in model time. Memory ids index the current memory set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// The model settled on `memory`, `latency_secs` after the stimulus changed.
    Retrieved {
        time_secs: f64,
        memory: usize,
        latency_secs: f64,
    },
    /// The retrieved memory changed from `from` to `to`.
    Transition {
        time_secs: f64,
        from: usize,
        to: usize,
    },
    /// No memory is retrieved any more.
    Confusion { time_secs: f64 },
    /// A glitch towards `glitch` was ignored (or left within a short time).
    GlitchCorrected { time_secs: f64, glitch: usize },
    /// The model followed a glitch towards `glitch`.
    GlitchFollowed { time_secs: f64, glitch: usize },
    /// The state became non-finite.
    Diverged { time_secs: f64 },
}

impl Event {
    /// One human line, with memory names, e.g. "retrieved cat after 1.2 s".
    pub fn describe(&self, names: &[String]) -> String {
        let name = |i: usize| names.get(i).cloned().unwrap_or_else(|| format!("#{i}"));
        match self {
            Event::Retrieved {
                memory,
                latency_secs,
                ..
            } => {
                format!("retrieved {} after {latency_secs:.1} s", name(*memory))
            }
            Event::Transition { from, to, .. } => format!("{} → {}", name(*from), name(*to)),
            Event::Confusion { .. } => "confusion: no memory retrieved".into(),
            Event::GlitchCorrected { glitch, .. } => {
                format!("glitch to {} corrected", name(*glitch))
            }
            Event::GlitchFollowed { glitch, .. } => format!("glitch to {} followed", name(*glitch)),
            Event::Diverged { .. } => "diverged: non-finite state".into(),
        }
    }
}
