//! Tracking: turns a model's per-frame readout and the stimulus' ground truth into events
//! (retrieved, transition, confusion, glitch corrected/followed, diverged) and summary metrics.
//! Shared by the headless runner and the dashboard.
//!
//! [`Tracker`] is pure (no clock, no I/O): the runner and the dashboard feed it the same
//! observations and get the same events.

mod tracker;

use serde::Serialize;

pub use tracker::{Observation, Tracker, TrackerConfig};

/// Summary metrics of one model over a run. Times in model seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Model time observed.
    pub duration_secs: f64,
    /// Fraction of the tracked time during which the retrieved memory was the expected one
    /// (`None` when nothing was tracked).
    pub accuracy: Option<f64>,
    /// Time that counted for the accuracy: with a known expected memory, outside the settling
    /// window after each change.
    pub tracked_secs: f64,
    /// Changes of the expected memory.
    pub changes: usize,
    /// Changes after which the expected memory was retrieved.
    pub retrievals: usize,
    /// Changes after which it never was (before the next change).
    pub missed: usize,
    /// Median latency from a change to the retrieval of the new memory.
    pub latency_median_secs: Option<f64>,
    /// Worst such latency.
    pub latency_worst_secs: Option<f64>,
    /// Glitches in the stimulus.
    pub glitches_seen: usize,
    /// Glitches corrected: the model was on the held memory when the glitch began, did not
    /// move to the glitch's memory, and was on the held memory when it ended.
    pub glitches_corrected: usize,
    /// Glitches the model followed (it held the glitch's memory).
    pub glitches_followed: usize,
    /// Glitches during which the model was not tracking the held memory (confused, on a third
    /// memory, or elsewhere when it began or ended): neither corrected nor followed.
    pub glitches_not_tracking: usize,
    /// Mean |m| of the expected memory over the tracked time.
    pub mean_overlap: Option<f64>,
    /// Of the time the expected memory was retrieved, the fraction spent on its mirror −ξ (a
    /// photographic negative: the IDP field is odd, so ±ξ are both equilibria).
    pub mirror_fraction: Option<f64>,
    /// Transitions from one retrieved memory to another.
    pub transitions: usize,
    /// The state became non-finite.
    pub diverged: bool,
}

/// Something that happened, in model time. Memory ids index the current memory set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// The model settled on `memory`, `latency_secs` after it had to: the first retrieval
    /// after a change of the stream is timed from that change; one out of confusion otherwise
    /// from the later of the moment the input last came to the memory (a change, a glitch's
    /// start or end; for the held memory beneath a glitch, the change to it) and the moment
    /// the model lost the memory it was on.
    Retrieved {
        time_secs: f64,
        memory: usize,
        latency_secs: f64,
        /// The state is the mirror −ξ of the memory (overlap negative).
        mirror: bool,
        /// The model was on the memory already when the stimulus changed to it (after it
        /// followed a glitch there, say): latency 0, and no retrieval to speak of.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        already: bool,
        /// Out of confusion onto a memory that is neither the one the input shows (at the
        /// retrieval's onset) nor the one the model should show: `Some(what the input shows)`
        /// (`Some(None)`: no memory), with no moment to time it from, so no latency (0).
        #[serde(skip_serializing_if = "Option::is_none")]
        input_memory: Option<Option<usize>>,
    },
    /// The retrieved memory changed from `from` to `to`.
    Transition {
        time_secs: f64,
        from: usize,
        to: usize,
    },
    /// No memory is retrieved any more.
    Confusion { time_secs: f64 },
    /// A glitch towards `glitch`, which began at `glitch_secs`, was corrected: the model
    /// stayed on (or came straight back to) the memory the stream held. A glitch's events come
    /// when it is judged (`time_secs`), some seconds after it began.
    GlitchCorrected {
        time_secs: f64,
        glitch: usize,
        glitch_secs: f64,
    },
    /// The model followed a glitch towards `glitch`, which began at `glitch_secs`.
    GlitchFollowed {
        time_secs: f64,
        glitch: usize,
        glitch_secs: f64,
    },
    /// A glitch towards `glitch`, which began at `glitch_secs`, came while the model was not
    /// tracking `held` (the memory the stream held): neither corrected nor followed.
    GlitchNotTracking {
        time_secs: f64,
        glitch: usize,
        glitch_secs: f64,
        held: Option<usize>,
    },
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
                mirror,
                already,
                input_memory,
                ..
            } => {
                let mirror = if *mirror { " (mirror −ξ)" } else { "" };
                if let Some(input) = input_memory {
                    let shows = input.map_or_else(|| "no memory".into(), name);
                    format!("on {}{mirror} while the input shows {shows}", name(*memory))
                } else if *already {
                    format!(
                        "on {}{mirror} already as the input came to it",
                        name(*memory)
                    )
                } else {
                    format!(
                        "retrieved {} after {latency_secs:.1} s{mirror}",
                        name(*memory)
                    )
                }
            }
            Event::Transition { from, to, .. } => format!("{} → {}", name(*from), name(*to)),
            Event::Confusion { .. } => "confusion: no memory retrieved".into(),
            Event::GlitchCorrected {
                glitch,
                glitch_secs,
                ..
            } => format!(
                "glitch to {} at {glitch_secs:.1} s corrected",
                name(*glitch)
            ),
            Event::GlitchFollowed {
                glitch,
                glitch_secs,
                ..
            } => format!("glitch to {} at {glitch_secs:.1} s followed", name(*glitch)),
            Event::GlitchNotTracking {
                glitch,
                glitch_secs,
                held,
                ..
            } => {
                let what = format!("glitch to {} at {glitch_secs:.1} s", name(*glitch));
                match held {
                    Some(h) => format!("{what}: was not tracking {}", name(*h)),
                    None => format!("{what}: no memory held"),
                }
            }
            Event::Diverged { .. } => "diverged: non-finite state".into(),
        }
    }
}

#[cfg(test)]
mod tests;
