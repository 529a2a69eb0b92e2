//! Snapshots: the copies of the simulator's state that the UI draws (it never touches a
//! network), and the bounded histories behind the charts.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::model::landscape::View;
use crate::model::{Memories, ModelKind, TheoryReport, Unsolved};
use crate::stimulus::ScenarioName;

/// Everything the dashboard shows, copied out of the simulator at one instant of model time.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Increases by one with every snapshot the simulator builds.
    pub seq: u64,
    /// Model time of the snapshot, in seconds.
    pub time_secs: f64,
    /// Integration steps taken since the start.
    pub steps: u64,
    /// The memory set in use (shared, immutable).
    pub memories: Arc<Memories>,
    /// The current frame's image (before the input gain), length N, values around [−1, 1].
    pub input_image: Vec<f32>,
    /// The memory the current frame is mostly about (ground truth), if any.
    pub truth: Option<usize>,
    /// The current frame is part of a glitch.
    pub glitch: bool,
    /// A short description of the stimulus segment.
    pub label: String,
    /// One view per running model, the primary model first.
    pub models: Vec<ModelView>,
    /// The primary model's energy landscape on the plane of its two most salient memories
    /// (`None` with fewer than two memories).
    pub landscape: Option<View>,
    /// Model time of every history sample, oldest first (one sample per frame).
    pub history_times_secs: Vec<f64>,
    /// The ground truth at every history sample.
    pub history_truth: Vec<Option<usize>>,
    /// Numbers for the status line.
    pub status: Status,
    /// The run reached its stop time; no snapshot follows.
    pub finished: bool,
    /// The live view of the paper's Fig. 4, while the scenario is `density` (the network
    /// waits; the snapshot's other fields are its state when it stopped).
    pub density: Option<Arc<super::density::DensityView>>,
    /// The lesson's caption, filled from the run, while a lesson runs (`recall lesson`).
    pub lesson: Option<Arc<crate::lesson::LessonView>>,
}

/// One model's readout.
#[derive(Debug, Clone)]
pub struct ModelView {
    pub kind: ModelKind,
    /// Ψ(x) ∈ [−1, 1]^N.
    pub activation: Vec<f32>,
    /// Ψ(x) averaged over the last `DISPLAY_TAU_SECS` (what the state image shows).
    pub activation_mean: Vec<f32>,
    /// m_μ = (1/N) ξ_μᵀ Ψ(x), length P.
    pub overlaps: Vec<f32>,
    /// α_μ(u) of the current input, length P.
    pub saliencies: Vec<f32>,
    /// The weights of W in the landscape (α, filtered α̃, or 1 for the classic models).
    pub weights: Vec<f32>,
    /// E(x; u) of the current landscape (negative inside a well).
    pub energy: f64,
    /// The retrieved memory, if any |m_μ| is above the retrieval threshold.
    pub retrieved: Option<usize>,
    /// The memory the stream holds for this model now (`Tracker::expected`): what the input
    /// shows, except during a glitch, when it is the memory before the glitch.
    pub expected: Option<usize>,
    /// What the theory says of each memory now: solved for the actual memories when a solve of
    /// this set has come back (`theory_solved`), else the closed forms (approximate on
    /// correlated memories: `theory.approximate`).
    pub theory: TheoryReport,
    /// `theory` is the solved one.
    pub theory_solved: bool,
    /// The solve is of the landscape as it is now (within 2%); false while a new one runs.
    pub theory_current: bool,
    /// Model time of the landscape the solved `theory` describes (when its input was taken);
    /// `None` for the closed forms. The memory table shows its age.
    pub theory_time_secs: Option<f64>,
    /// The last model time at which the solved `theory` was still true of the landscape (now,
    /// while `theory_current`); the memory table says how long its rows have been out of date.
    pub theory_current_at_secs: Option<f64>,
    /// Why this model's theory is not solved at all (too many memories), if it is not: the
    /// rows are the closed forms and stay so (a modern model's: nothing solved).
    pub theory_unsolved: Option<Unsolved>,
    /// Running tracking accuracy in [0, 1] from `tracking::Tracker` (fraction of the tracked
    /// time the expected memory was retrieved), `None` before anything was tracked.
    pub accuracy: Option<f64>,
    /// Overlap history: one series per memory, aligned with `Snapshot::history_times_secs`.
    pub overlap_history: Vec<Vec<f32>>,
    /// Energy history, aligned with `Snapshot::history_times_secs`.
    pub energy_history: Vec<f64>,
}

/// Numbers for the status line.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub scenario: ScenarioName,
    pub noise_std: f64,
    pub dt_secs: f64,
    /// Model seconds per wall-clock second.
    pub speed: f64,
    pub seed: u64,
    pub n: usize,
    pub p: usize,
    /// Integration steps per wall-clock second, measured (all models count once).
    pub steps_per_sec: f64,
    pub paused: bool,
    /// The simulator cannot keep up with the asked speed: the model seconds per wall second it
    /// reaches (`None` while it keeps up).
    pub speed_reached: Option<f64>,
    /// Every bad pattern file now, one error each (path:line:col: what), in the watcher's
    /// order; empty when none is bad. The set in use is the last good one.
    pub pattern_errors: Vec<String>,
    /// τ_α of the input filter (used by idp-filter), in model seconds.
    pub tau_alpha_secs: f64,
}

/// A bounded ring of per-frame samples for one model.
#[derive(Debug, Clone)]
pub(crate) struct ModelHistory {
    pub overlaps: Vec<VecDeque<f32>>,
    pub energy: VecDeque<f64>,
}

impl ModelHistory {
    pub fn new(p: usize) -> Self {
        Self {
            overlaps: vec![VecDeque::new(); p],
            energy: VecDeque::new(),
        }
    }

    /// Appends one sample and drops the oldest beyond `cap`.
    pub fn push(&mut self, overlaps: &[f32], energy: f64, cap: usize) {
        if overlaps.len() != self.overlaps.len() {
            *self = Self::new(overlaps.len());
        }
        for (series, &m) in self.overlaps.iter_mut().zip(overlaps) {
            series.push_back(m);
            if series.len() > cap {
                series.pop_front();
            }
        }
        self.energy.push_back(energy);
        if self.energy.len() > cap {
            self.energy.pop_front();
        }
    }

    /// Keeps only the newest `len` samples (to realign with a shorter time axis).
    pub fn truncate_front(&mut self, len: usize) {
        for series in &mut self.overlaps {
            while series.len() > len {
                series.pop_front();
            }
        }
        while self.energy.len() > len {
            self.energy.pop_front();
        }
    }
}
