//! The one engine: running models stepped against a stream of frames, each with its tracker;
//! the frame clock in steps; pattern reloads matched by name; divergence. No clocks, threads or
//! I/O: the live simulator, `recall run` and the experiments drive it step by step.
//!
//! A caller feeds a frame whenever [`Session::needs_frame`] says so, calls [`Session::step`],
//! and reads the models ([`Session::models`]) and what the step reported. The same seed, the
//! same frames and the same reloads at the same steps give bitwise the same run.

use std::sync::Arc;

use crate::model::{Memories, ModelError, ModelKind, Network, Params};
use crate::stimulus::Frame;
use crate::tracking::{Event, Observation, Summary, Tracker, TrackerConfig};

/// What the session does with a model whose state stops being finite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDivergence {
    /// The model stops for good; its tracker reports [`Event::Diverged`] (headless runs and
    /// experiments: the record says what happened).
    Stop,
    /// The model restarts from a random state with a fresh tracker (the live dashboard runs on).
    Restart,
}

/// How a session runs.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// The models, primary first (at least one for a useful run).
    pub models: Vec<ModelKind>,
    pub params: Params,
    /// The run's seed; each model's network is seeded with [`network_seed`].
    pub seed: u64,
    /// Model seconds a frame is held, rounded to a whole number of steps (at least one).
    pub frame_secs: f64,
    pub tracker: TrackerConfig,
    pub on_divergence: OnDivergence,
}

/// Something a step (or the end of the run) reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// An event of `model`'s tracker.
    Tracked { model: ModelKind, event: Event },
    /// `model`'s state stopped being finite; it was restarted from a random state with a fresh
    /// tracker ([`OnDivergence::Restart`]).
    Restarted {
        model: ModelKind,
        time_secs: f64,
        error: ModelError,
    },
}

/// One running model: its network, its tracker and its overlaps after the last step.
#[derive(Debug, Clone)]
pub struct Running {
    net: Network,
    tracker: Tracker,
    overlaps: Vec<f32>,
    diverged: bool,
}

impl Running {
    /// The network.
    pub fn net(&self) -> &Network {
        &self.net
    }
    /// Its tracker (events so far, the debounced readout, the summary).
    pub fn tracker(&self) -> &Tracker {
        &self.tracker
    }
    /// m_μ after the last step (length P).
    pub fn overlaps(&self) -> &[f32] {
        &self.overlaps
    }
    /// The model diverged and stopped ([`OnDivergence::Stop`]).
    pub fn diverged(&self) -> bool {
        self.diverged
    }
    /// The model's kind.
    pub fn kind(&self) -> ModelKind {
        self.net.kind()
    }
}

/// The seed of a model's network: a function of the run's seed and the kind only, so that
/// cycling away from a model and back gives it the same noise, and a model gives the same run
/// alone or compared with others.
pub fn network_seed(seed: u64, kind: ModelKind) -> u64 {
    let index = ModelKind::ALL.iter().position(|&k| k == kind).unwrap_or(0) as u64;
    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(index + 1)
}

/// Running models, the frame they are shown and the step clock.
#[derive(Debug, Clone)]
pub struct Session {
    memories: Arc<Memories>,
    params: Params,
    seed: u64,
    tracker: TrackerConfig,
    on_divergence: OnDivergence,
    models: Vec<Running>,
    frame: Option<Frame>,
    steps_per_frame: u64,
    /// Steps left to hold the current frame.
    frame_steps_left: u64,
    steps: u64,
    /// The current frame's projection (1/N) Ξᵀu when the session computed it (kept to reuse
    /// its allocation from frame to frame).
    projection: Vec<f32>,
}

/// A frame with its projection (1/N) Ξᵀu over the set it was made from, computed on the thread
/// that made the frame (the stream's: `recall run`'s and the dashboard's producer), so that
/// the simulation's thread does not (in the dashboard at N = 16384, P = 64, a frame of ten
/// steps, the projections were 13% of the simulator's thread under `perf`).
pub struct ProjectedFrame {
    pub frame: Frame,
    pub projection: Option<(Arc<Memories>, Vec<f32>)>,
}

/// What [`Session::feed_ready`] is done with: the frame it replaced and the projection it read.
/// Both were made on the stream's thread and are best freed there: glibc frees a block of
/// another thread's heap under that heap's lock, which the other thread holds while it
/// allocates the next frame, and waiting for it puts the simulation to sleep (`recall run` at
/// N = 1024: about 2% of its time, under `perf`, went to such waits).
pub struct Spent {
    pub frame: Option<Frame>,
    pub projection: Option<(Arc<Memories>, Vec<f32>)>,
}

impl ProjectedFrame {
    /// `frame` and its projection over `memories` (the set the stream made it from).
    pub fn new(frame: Frame, memories: &Arc<Memories>) -> Self {
        let mut projection = vec![0.0; memories.p()];
        memories.project(&frame.input, &mut projection);
        Self {
            frame,
            projection: Some((Arc::clone(memories), projection)),
        }
    }

    /// `frame` without a projection (the session computes it).
    pub fn plain(frame: Frame) -> Self {
        Self {
            frame,
            projection: None,
        }
    }
}

impl Session {
    /// A session running `config.models` on `memories`, before its first frame.
    pub fn new(memories: Arc<Memories>, config: SessionConfig) -> Result<Self, ModelError> {
        config.params.validate()?;
        let steps_per_frame = ((config.frame_secs / config.params.dt_secs).round() as u64).max(1);
        let mut session = Self {
            memories,
            params: config.params,
            seed: config.seed,
            tracker: config.tracker,
            on_divergence: config.on_divergence,
            models: Vec::new(),
            frame: None,
            steps_per_frame,
            frame_steps_left: 0,
            steps: 0,
            projection: Vec::new(),
        };
        session.set_models(&config.models)?;
        Ok(session)
    }

    /// The running models, primary first.
    pub fn models(&self) -> &[Running] {
        &self.models
    }

    /// The kinds of the running models, primary first.
    pub fn kinds(&self) -> Vec<ModelKind> {
        self.models.iter().map(Running::kind).collect()
    }

    /// Replaces the set of running models; models already running keep their state and
    /// tracking, new ones start from a random state and are shown the current frame.
    pub fn set_models(&mut self, models: &[ModelKind]) -> Result<(), ModelError> {
        let mut old = std::mem::take(&mut self.models);
        let mut running = Vec::with_capacity(models.len());
        for &kind in models {
            running.push(match old.iter().position(|r| r.kind() == kind) {
                Some(i) => old.swap_remove(i),
                None => self.start(kind)?,
            });
        }
        self.models = running;
        Ok(())
    }

    fn start(&self, kind: ModelKind) -> Result<Running, ModelError> {
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
        Ok(Running {
            net,
            tracker: Tracker::new(self.tracker.clone()),
            overlaps: vec![0.0; self.memories.p()],
            diverged: false,
        })
    }

    /// Steps a frame is held.
    pub fn steps_per_frame(&self) -> u64 {
        self.steps_per_frame
    }

    /// Model seconds a frame is held (a whole number of steps): the stream's frame length.
    pub fn frame_secs(&self) -> f64 {
        self.steps_per_frame as f64 * self.params.dt_secs
    }

    /// Ends the current frame before its time (the stream it came from was left): the next
    /// step needs a frame. The models keep their state.
    pub fn end_frame(&mut self) {
        self.frame_steps_left = 0;
    }

    /// True when the current frame is used up (or there is none) and the next must be fed.
    pub fn needs_frame(&self) -> bool {
        self.frame_steps_left == 0
    }

    /// Shows `frame` to every running model for the next [`Self::steps_per_frame`] steps. A
    /// frame made before a reload of the memory set is matched to the set in use by name; a
    /// frame of another size is refused ([`ModelError::InputSize`]) and nothing changes.
    pub fn feed(&mut self, frame: Frame) -> Result<(), ModelError> {
        self.feed_projected(frame, None).map(drop)
    }

    /// As [`Self::feed`], with the frame's projection (1/N) Ξᵀu when it was computed already
    /// (by the stream's thread: [`ProjectedFrame`]) over `memories`; it is used only when
    /// those are the set in use. Otherwise it is computed here, once for all the models.
    /// Returns the frame it replaced.
    pub fn feed_projected(
        &mut self,
        mut frame: Frame,
        projection: Option<(&Arc<Memories>, &[f32])>,
    ) -> Result<Option<Frame>, ModelError> {
        if frame.input.len() != self.memories.n() {
            return Err(ModelError::InputSize {
                found: frame.input.len(),
                expected: self.memories.n(),
            });
        }
        frame.match_to(&self.memories);
        let projection = match projection {
            Some((memories, known)) if Arc::ptr_eq(memories, &self.memories) => known,
            _ => {
                self.projection.resize(self.memories.p(), 0.0);
                self.memories.project(&frame.input, &mut self.projection);
                &self.projection
            }
        };
        for running in self.models.iter_mut().filter(|r| !r.diverged) {
            running
                .net
                .set_input_projected(&frame.input, Some(projection), frame.changed)?;
        }
        let replaced = self.frame.replace(frame);
        self.frame_steps_left = self.steps_per_frame;
        Ok(replaced)
    }

    /// [`Self::feed_projected`] of a [`ProjectedFrame`]; returns what it is done with.
    pub fn feed_ready(&mut self, ready: ProjectedFrame) -> Result<Spent, ModelError> {
        let projection = ready
            .projection
            .as_ref()
            .map(|(memories, known)| (memories, known.as_slice()));
        let frame = self.feed_projected(ready.frame, projection)?;
        Ok(Spent {
            frame,
            projection: ready.projection,
        })
    }

    /// One integration step of every running model, each observed by its tracker; what
    /// happened is appended to `reports`.
    pub fn step(&mut self, reports: &mut Vec<Report>) {
        self.steps += 1;
        let time_secs = self.time_secs();
        let (truth, glitch) = self
            .frame
            .as_ref()
            .map_or((None, false), |f| (f.truth, f.glitch));
        for running in self.models.iter_mut().filter(|r| !r.diverged) {
            let model = running.net.kind();
            if let Err(error) = running.net.step() {
                match self.on_divergence {
                    OnDivergence::Stop => running.diverged = true,
                    OnDivergence::Restart => {
                        reports.push(Report::Restarted {
                            model,
                            time_secs,
                            error,
                        });
                        running.net.randomize_state();
                        // A fresh tracker: the old one stops at a divergence for good.
                        running.tracker = Tracker::new(self.tracker.clone());
                    }
                }
            }
            running.net.overlaps_into(&mut running.overlaps);
            let observation = Observation {
                time_secs,
                step_secs: self.params.dt_secs,
                truth,
                glitch,
                retrieved: if running.diverged {
                    None
                } else {
                    running.net.retrieved()
                },
                overlaps: &running.overlaps,
                diverged: running.diverged,
            };
            for event in running.tracker.observe(&observation) {
                reports.push(Report::Tracked { model, event });
            }
        }
        self.frame_steps_left = self.frame_steps_left.saturating_sub(1);
    }

    /// Ends the run: each model's last events (an open glitch judged, a change never answered
    /// counted as missed) and its summary, primary first.
    pub fn finish(&mut self) -> Vec<(ModelKind, Vec<Event>, Summary)> {
        self.models
            .iter_mut()
            .map(|r| {
                let events = r.tracker.finish();
                (r.net.kind(), events, r.tracker.summary())
            })
            .collect()
    }

    /// Switches to a new memory set. With the same N the models keep their state; trackers
    /// and the input filter follow the memories by name; the current frame is matched to the
    /// new set by name, or dropped if its size no longer fits (the next frame is then due).
    pub fn set_memories(&mut self, memories: Arc<Memories>) {
        for running in &mut self.models {
            running.net.set_memories(Arc::clone(&memories));
            running.tracker.follow_reload(&self.memories, &memories);
            running.overlaps.resize(memories.p(), 0.0);
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

    /// Sets σ of every model's noise.
    pub fn set_noise_std(&mut self, noise_std: f64) -> Result<(), ModelError> {
        for running in &mut self.models {
            running.net.set_noise_std(noise_std)?;
        }
        self.params.noise_std = noise_std;
        Ok(())
    }

    /// Sets the state x of every running model (length N; the discrete model takes the signs),
    /// e.g. a run's given initial state. The overlaps follow at once.
    pub fn set_state(&mut self, x: &[f32]) -> Result<(), ModelError> {
        for running in &mut self.models {
            running.net.set_state(x)?;
            running.net.overlaps_into(&mut running.overlaps);
        }
        Ok(())
    }

    /// Draws a fresh random state for every model.
    pub fn randomize_state(&mut self) {
        for running in &mut self.models {
            running.net.randomize_state();
        }
    }

    /// The frame being shown, if any.
    pub fn frame(&self) -> Option<&Frame> {
        self.frame.as_ref()
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
    /// The run's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// The memory set in use.
    pub fn memories(&self) -> &Arc<Memories> {
        &self.memories
    }
}
