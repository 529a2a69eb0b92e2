//! The simulator's deterministic core: the networks, the frame being shown, tracking and the
//! chart histories. No clocks or channels: the same seed and the same frames give the same
//! trajectory, however often snapshots are taken.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::model::{Memories, ModelError, ModelKind, Network, Params};
use crate::stimulus::{Frame, ScenarioName};
use crate::tracking::{Observation, Tracker, TrackerConfig};

use super::landscape::LandscapeCache;
use super::snapshot::{ModelHistory, ModelView, Snapshot, Status};
use super::{LogEntry, LogKind, Source};

/// Per-frame samples kept for the charts (at 0.1 s per frame: one minute of model time).
pub const HISTORY_LEN: usize = 600;
/// Time constant of the state image's running mean, in model seconds: long enough to calm the
/// noise's pixel flicker (which would cost the terminal most of its bytes), short enough to
/// show a transition as it happens.
pub const DISPLAY_TAU_SECS: f64 = 0.3;

/// One running model with its tracking state and history.
struct Slot {
    net: Network,
    /// Events and accuracy (fed every step, as the headless runner does).
    tracker: Tracker,
    history: ModelHistory,
    overlaps: Vec<f32>,
    /// Running mean of Ψ(x) over DISPLAY_TAU_SECS (display only; never fed back).
    display: Vec<f32>,
}

/// The simulator's state between two frames.
pub struct SimCore {
    memories: Arc<Memories>,
    params: Params,
    seed: u64,
    slots: Vec<Slot>,
    frame: Option<Frame>,
    /// Steps left to hold the current frame.
    frame_steps_left: u64,
    steps_per_frame: u64,
    steps: u64,
    snapshots_built: u64,
    history_times_secs: VecDeque<f64>,
    history_truth: VecDeque<Option<usize>>,
    /// The primary model's landscape plane, kept between snapshots.
    landscape: LandscapeCache,
}

/// The seed of a model's network: a function of the run's seed and the kind only, so that
/// cycling away from a model and back gives it the same noise.
pub fn network_seed(seed: u64, kind: ModelKind) -> u64 {
    let index = ModelKind::ALL.iter().position(|&k| k == kind).unwrap_or(0) as u64;
    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(index + 1)
}

impl SimCore {
    /// A core running `models` (at least one) on `memories`, holding each frame `frame_secs`.
    pub fn new(
        memories: Arc<Memories>,
        params: Params,
        models: &[ModelKind],
        seed: u64,
        frame_secs: f64,
    ) -> Result<Self, ModelError> {
        params.validate()?;
        let steps_per_frame = ((frame_secs / params.dt_secs).round() as u64).max(1);
        let mut core = Self {
            memories,
            params,
            seed,
            slots: Vec::new(),
            frame: None,
            frame_steps_left: 0,
            steps_per_frame,
            steps: 0,
            snapshots_built: 0,
            history_times_secs: VecDeque::new(),
            history_truth: VecDeque::new(),
            landscape: LandscapeCache::default(),
        };
        core.set_models(models)?;
        Ok(core)
    }

    /// The models running, primary first.
    pub fn models(&self) -> Vec<ModelKind> {
        self.slots.iter().map(|s| s.net.kind()).collect()
    }

    /// Replaces the set of running models; models already running keep their state.
    pub fn set_models(&mut self, models: &[ModelKind]) -> Result<(), ModelError> {
        let mut old: Vec<Option<Slot>> = std::mem::take(&mut self.slots)
            .into_iter()
            .map(Some)
            .collect();
        for &kind in models {
            let kept = old
                .iter_mut()
                .find(|s| s.as_ref().is_some_and(|s| s.net.kind() == kind))
                .and_then(Option::take);
            let slot = match kept {
                Some(slot) => slot,
                None => self.new_slot(kind)?,
            };
            self.slots.push(slot);
        }
        Ok(())
    }

    fn new_slot(&self, kind: ModelKind) -> Result<Slot, ModelError> {
        let mut net = Network::new(
            Arc::clone(&self.memories),
            kind,
            self.params.clone(),
            network_seed(self.seed, kind),
        )?;
        if let Some(frame) = &self.frame
            && frame.input.len() == self.memories.n()
        {
            net.set_input(&frame.input, true)?;
        }
        let p = self.memories.p();
        let mut history = ModelHistory::new(p);
        // Align the new model's history with the shared time axis by starting it empty.
        history.truncate_front(0);
        let display = net.activation().to_vec();
        Ok(Slot {
            display,
            net,
            tracker: Tracker::new(TrackerConfig::default()),
            history,
            overlaps: vec![0.0; p],
        })
    }

    /// True when the current frame is used up and the next one must be fed.
    pub fn needs_frame(&self) -> bool {
        self.frame_steps_left == 0
    }

    /// Shows `frame` to every model for the next `steps_per_frame` steps. A frame of another
    /// size than the memory set (in flight across a pattern reload) is skipped with a log line.
    pub fn feed(&mut self, mut frame: Frame, log: &mut Vec<LogEntry>) {
        if frame.input.len() != self.memories.n() {
            log.push(LogEntry {
                time_secs: self.time_secs(),
                source: Source::Stream,
                kind: LogKind::Info,
                text: format!(
                    "skipped a frame of {} pixels (the set has {})",
                    frame.input.len(),
                    self.memories.n()
                ),
            });
            return;
        }
        // Made before a pattern reload that the simulator has already applied.
        frame.match_to(&self.memories);
        for slot in &mut self.slots {
            // Sizes match (checked above), so set_input cannot fail.
            let _ = slot.net.set_input(&frame.input, frame.changed);
        }
        self.frame = Some(frame);
        self.frame_steps_left = self.steps_per_frame;
    }

    /// One integration step of every model, tracked; at the end of a frame, samples history.
    pub fn step(&mut self, log: &mut Vec<LogEntry>) {
        let k = (1.0 - (-self.params.dt_secs / DISPLAY_TAU_SECS).exp()) as f32;
        let time_secs = (self.steps + 1) as f64 * self.params.dt_secs;
        let (truth, glitch) = self
            .frame
            .as_ref()
            .map_or((None, false), |f| (f.truth, f.glitch));
        let names = self.memories.names();
        for slot in &mut self.slots {
            let kind = slot.net.kind();
            if let Err(e) = slot.net.step() {
                log.push(LogEntry {
                    time_secs,
                    source: Source::Model(kind),
                    kind: LogKind::Error,
                    text: format!("{e}; state reset to random"),
                });
                slot.net.randomize_state();
                // A fresh tracker: the old one stops at a divergence for good.
                slot.tracker = Tracker::new(TrackerConfig::default());
            }
            slot.net.overlaps_into(&mut slot.overlaps);
            let observation = Observation {
                time_secs,
                truth,
                glitch,
                retrieved: slot.net.retrieved(),
                overlaps: &slot.overlaps,
                diverged: false,
            };
            for event in slot.tracker.observe(&observation) {
                log.push(LogEntry::from_event(&event, kind, names));
            }
            if slot.display.len() == slot.net.activation().len() {
                for (d, &a) in slot.display.iter_mut().zip(slot.net.activation()) {
                    *d += k * (a - *d);
                }
            } else {
                slot.display = slot.net.activation().to_vec();
            }
        }
        self.steps += 1;
        self.frame_steps_left = self.frame_steps_left.saturating_sub(1);
        if self.frame_steps_left == 0 {
            self.end_of_frame();
        }
    }

    fn end_of_frame(&mut self) {
        let time_secs = self.time_secs();
        let truth = self.frame.as_ref().and_then(|f| f.truth);
        for slot in &mut self.slots {
            let energy = slot.net.energy();
            slot.history.push(&slot.overlaps, energy, HISTORY_LEN);
        }
        self.history_times_secs.push_back(time_secs);
        self.history_truth.push_back(truth);
        if self.history_times_secs.len() > HISTORY_LEN {
            self.history_times_secs.pop_front();
            self.history_truth.pop_front();
        }
    }

    /// Model time in seconds (steps × dt, exact for every model).
    pub fn time_secs(&self) -> f64 {
        self.steps as f64 * self.params.dt_secs
    }

    /// Integration steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The parameters in force.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The memory set in use.
    pub fn memories(&self) -> &Arc<Memories> {
        &self.memories
    }

    /// Sets σ of every model's noise.
    pub fn set_noise_std(&mut self, noise_std: f64) -> Result<(), ModelError> {
        for slot in &mut self.slots {
            slot.net.set_noise_std(noise_std)?;
        }
        self.params.noise_std = noise_std;
        Ok(())
    }

    /// Draws a fresh random state for every model.
    pub fn randomize_state(&mut self) {
        for slot in &mut self.slots {
            slot.net.randomize_state();
            slot.display = slot.net.activation().to_vec();
        }
    }

    /// Switches to a new memory set: the models keep their state when N is unchanged; tracking
    /// follows the memories by name; the charts restart unless the memory ids keep their
    /// meaning.
    pub fn set_memories(&mut self, memories: Arc<Memories>) {
        // Same names in the same order (a pattern was edited): memory ids keep their meaning,
        // so the charts go on; otherwise they restart with the new set.
        let same_ids =
            memories.names() == self.memories.names() && memories.n() == self.memories.n();
        for slot in &mut self.slots {
            slot.net.set_memories(Arc::clone(&memories));
            if !same_ids {
                slot.history = ModelHistory::new(memories.p());
                slot.overlaps = vec![0.0; memories.p()];
            }
            slot.tracker.follow_reload(&self.memories, &memories);
        }
        if !same_ids {
            self.history_times_secs.clear();
            self.history_truth.clear();
        }
        if self
            .frame
            .as_ref()
            .is_some_and(|f| f.input.len() != memories.n())
        {
            self.frame = None;
            self.frame_steps_left = 0;
        }
        if let Some(frame) = self.frame.as_mut() {
            frame.match_to(&memories);
        }
        self.memories = memories;
    }

    /// Copies the state out for the UI.
    pub fn snapshot(&mut self, scenario: ScenarioName, speed: f64, status: RunStatus) -> Snapshot {
        self.snapshots_built += 1;
        let len = self.history_times_secs.len();
        let gain = self.params.gain;
        let models = self
            .slots
            .iter()
            .map(|slot| {
                let net = &slot.net;
                let weights = net.landscape_weights().to_vec();
                let w64: Vec<f64> = weights.iter().map(|&w| f64::from(w)).collect();
                // Series shorter than the time axis (a model added later) are front-padded
                // with NaN so that every series lines up with the shared times.
                let pad = |s: &VecDeque<f32>| {
                    let mut v = vec![f32::NAN; len.saturating_sub(s.len())];
                    v.extend(s.iter().copied());
                    v
                };
                let mut energy_history =
                    vec![f64::NAN; len.saturating_sub(slot.history.energy.len())];
                energy_history.extend(slot.history.energy.iter().copied());
                ModelView {
                    kind: net.kind(),
                    activation: net.activation().to_vec(),
                    activation_mean: slot.display.clone(),
                    overlaps: net.overlaps(),
                    saliencies: net.saliencies().to_vec(),
                    energy: net.energy(),
                    retrieved: net.retrieved(),
                    expected: slot.tracker.expected(),
                    theory: crate::model::theory::analyse(&w64, gain),
                    weights,
                    accuracy: slot.tracker.summary().accuracy,
                    overlap_history: slot.history.overlaps.iter().map(pad).collect(),
                    energy_history,
                }
            })
            .collect();
        let landscape = self
            .slots
            .first()
            .and_then(|slot| self.landscape.view(&slot.net));
        let frame = self.frame.as_ref();
        Snapshot {
            seq: self.snapshots_built,
            time_secs: self.time_secs(),
            steps: self.steps,
            memories: Arc::clone(&self.memories),
            input_image: frame.map_or_else(|| vec![0.0; self.memories.n()], |f| f.image.clone()),
            truth: frame.and_then(|f| f.truth),
            glitch: frame.is_some_and(|f| f.glitch),
            label: frame.map_or_else(String::new, |f| f.label.clone()),
            models,
            landscape,
            history_times_secs: self.history_times_secs.iter().copied().collect(),
            history_truth: self.history_truth.iter().copied().collect(),
            status: Status {
                scenario,
                noise_std: self.params.noise_std,
                dt_secs: self.params.dt_secs,
                speed,
                seed: self.seed,
                n: self.memories.n(),
                p: self.memories.p(),
                steps_per_sec: status.steps_per_sec,
                paused: status.paused,
                lagging: status.lagging,
                pattern_errors: status.pattern_errors,
                tau_alpha_secs: self.params.tau_alpha_secs,
            },
            finished: status.finished,
        }
    }
}

/// Facts the core cannot know (wall clock, pattern files), for the snapshot's status.
#[derive(Debug, Clone, Default)]
pub struct RunStatus {
    pub pattern_errors: Vec<String>,
    pub steps_per_sec: f64,
    pub paused: bool,
    pub lagging: bool,
    pub finished: bool,
}
