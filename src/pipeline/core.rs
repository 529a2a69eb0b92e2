//! The simulator's deterministic core: the [`Session`] (models, frame, tracking) and what the
//! dashboard keeps beside it (chart histories, the state image's running mean, the landscape
//! plane). No clocks or channels: the same seed and the same frames give the same trajectory,
//! however often snapshots are taken.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::model::equilibria::DEFAULT_REL_TOL;
use crate::model::{
    Equilibria, Memories, ModelError, ModelKind, Params, TheoryInput, TheoryKey, Unsolved,
};
use crate::session::{OnDivergence, ProjectedFrame, Report, Running, Session, SessionConfig};
use crate::stimulus::{Frame, ScenarioName};
use crate::tracking::{Event, TrackerConfig};

use super::landscape::LandscapeCache;
use super::snapshot::{ModelHistory, ModelView, Snapshot, Status};
use super::theory::TheoryRequest;
use super::{LogEntry, LogKind, Source};

/// Per-frame samples kept for the charts (at 0.1 s per frame: one minute of model time).
pub const HISTORY_LEN: usize = 600;
/// Time constant of the state image's running mean, in model seconds: long enough to calm the
/// noise's pixel flicker (which would cost the terminal most of its bytes), short enough to
/// show a transition as it happens.
pub const DISPLAY_TAU_SECS: f64 = 0.3;
/// The running mean takes a sample of Ψ at least every this many model seconds (a third of
/// [`DISPLAY_TAU_SECS`])…
pub const DISPLAY_SAMPLE_SECS: f64 = 0.1;
/// …and at least every this many wall seconds, more often than the state image is redrawn (at
/// most 4 times a second). So it samples every step while two steps last longer than this
/// (below ×1.2 at the default Δt: at ×1 and slower the mean is what it always was, and slow
/// motion stays smooth), and every [`DISPLAY_SAMPLE_SECS`] at full speed, where one redraw
/// spans seconds of model time (a sample every step was 7% of the simulator's thread at
/// N = 65536, bound by the memory it reads, which the dashboard at full speed spent against the
/// headless rate).
pub const DISPLAY_SAMPLE_WALL_SECS: f64 = 1.0 / 60.0;

/// Steps between two samples of the state image's running mean at `speed` (model seconds a
/// wall second) with steps of `dt_secs`: at least 1.
pub fn display_sample_steps(speed: f64, dt_secs: f64) -> u64 {
    if speed.is_nan() || speed <= 0.0 {
        return 1;
    }
    let secs = DISPLAY_SAMPLE_SECS.min(speed * DISPLAY_SAMPLE_WALL_SECS);
    let steps = (secs / dt_secs).floor();
    if steps.is_finite() && steps >= 1.0 {
        steps as u64
    } else {
        1
    }
}

/// What the dashboard keeps of one running model beside the session: the chart history and
/// the state image's running mean (display only; never fed back).
struct Display {
    kind: ModelKind,
    history: ModelHistory,
    /// Running mean of Ψ(x) over DISPLAY_TAU_SECS, sampled every `SimCore::sample_steps`.
    mean: Vec<f32>,
    /// The newest solved equilibria (from the theory worker) and whether a solve is asked for.
    solved: Option<Arc<Equilibria>>,
    solving: bool,
    /// Model time at which the input of the solve under way was taken.
    requested_at_secs: f64,
    /// Model time of the landscape that `solved` describes (its request's input).
    solved_at_secs: Option<f64>,
    /// The last model time at which `solved` was still true of the landscape (within the
    /// solve's tolerance): from when its rows went out of date.
    current_at_secs: Option<f64>,
}

impl Display {
    fn new(running: &Running, p: usize) -> Self {
        let mut history = ModelHistory::new(p);
        // Align the new model's history with the shared time axis by starting it empty.
        history.truncate_front(0);
        Self {
            kind: running.kind(),
            history,
            mean: running.net().activation().to_vec(),
            solved: None,
            solving: false,
            requested_at_secs: 0.0,
            solved_at_secs: None,
            current_at_secs: None,
        }
    }
}

/// Model seconds between two theory checks where the theory is solved in line (an unpaced run,
/// a screenshot), as the live simulator's half second of wall-clock time at speed 1.
pub const THEORY_EVERY_SECS: f64 = 0.5;

/// The simulator's state between two frames: the session and what the charts remember.
pub struct SimCore {
    session: Session,
    /// One per running model, in the session's order.
    displays: Vec<Display>,
    snapshots_built: u64,
    history_times_secs: VecDeque<f64>,
    history_truth: VecDeque<Option<usize>>,
    /// The primary model's landscape plane, kept between snapshots.
    landscape: LandscapeCache,
    /// Saliencies set by hand (explore): the landscape's plane is ranked by them.
    plane_weights: Option<Vec<f64>>,
    reports: Vec<Report>,
    /// The tracking events since the last `take_events`, kept while a lesson watches.
    events: Option<Vec<(ModelKind, Event)>>,
    /// Steps between two samples of the running means ([`display_sample_steps`]), and the
    /// steps since the last one.
    sample_steps: u64,
    unsampled_steps: u64,
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
        let session = Session::new(
            memories,
            SessionConfig {
                models: models.to_vec(),
                params,
                seed,
                frame_secs,
                tracker: TrackerConfig::default(),
                on_divergence: OnDivergence::Restart,
            },
        )?;
        let p = session.memories().p();
        let displays = session
            .models()
            .iter()
            .map(|r| Display::new(r, p))
            .collect();
        Ok(Self {
            session,
            displays,
            snapshots_built: 0,
            history_times_secs: VecDeque::new(),
            history_truth: VecDeque::new(),
            landscape: LandscapeCache::default(),
            plane_weights: None,
            reports: Vec::new(),
            events: None,
            sample_steps: 1,
            unsampled_steps: 0,
        })
    }

    /// Samples the state images' running means as [`display_sample_steps`] says for `speed`
    /// (every step until told; display only, the trajectory is the same whatever the speed).
    pub fn set_display_speed(&mut self, speed: f64) {
        self.sample_steps = display_sample_steps(speed, self.params().dt_secs);
    }

    /// The session the core drives.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The models running, primary first.
    pub fn models(&self) -> Vec<ModelKind> {
        self.session.kinds()
    }

    /// Replaces the set of running models; models already running keep their state.
    pub fn set_models(&mut self, models: &[ModelKind]) -> Result<(), ModelError> {
        self.session.set_models(models)?;
        let p = self.session.memories().p();
        let mut old = std::mem::take(&mut self.displays);
        for running in self.session.models() {
            self.displays
                .push(match old.iter().position(|d| d.kind == running.kind()) {
                    Some(i) => old.swap_remove(i),
                    None => Display::new(running, p),
                });
        }
        Ok(())
    }

    /// Ends the frame shown now: the next step takes the next frame.
    pub fn end_frame(&mut self) {
        self.session.end_frame();
    }

    /// True when the current frame is used up and the next one must be fed.
    pub fn needs_frame(&self) -> bool {
        self.session.needs_frame()
    }

    /// Shows `frame` to every model for the next `steps_per_frame` steps. A frame of another
    /// size than the memory set (in flight across a pattern reload) is skipped with a log line.
    pub fn feed(&mut self, frame: Frame, log: &mut Vec<LogEntry>) {
        self.feed_ready(ProjectedFrame::plain(frame), log);
    }

    /// [`Self::feed`] of a frame with its projection (the producer's). What the session is done
    /// with ([`crate::session::Spent`]) is freed here, on the simulator's thread: unlike `recall
    /// run`'s, this thread showed no waits on the producer's allocator under `perf` (65536×16
    /// at full speed), so it is not handed back.
    pub fn feed_ready(&mut self, ready: ProjectedFrame, log: &mut Vec<LogEntry>) {
        if let Err(e) = self.session.feed_ready(ready) {
            let text = match e {
                ModelError::InputSize { found, expected } => {
                    format!("skipped a frame of {found} pixels (the set has {expected})")
                }
                other => format!("skipped a frame: {other}"),
            };
            log.push(LogEntry {
                who: None,
                time_secs: self.time_secs(),
                source: Source::Stream,
                kind: LogKind::Info,
                text,
            });
        }
    }

    /// One integration step of every model, tracked; at the end of a frame, samples history.
    pub fn step(&mut self, log: &mut Vec<LogEntry>) {
        self.session.step(&mut self.reports);
        let names = self.session.memories().names();
        for report in self.reports.drain(..) {
            log.push(match report {
                Report::Tracked { model, event } => {
                    if let Some(events) = self.events.as_mut() {
                        events.push((model, event.clone()));
                    }
                    LogEntry::from_event(&event, model, names)
                }
                Report::Restarted {
                    model,
                    time_secs,
                    error,
                } => LogEntry {
                    who: None,
                    time_secs,
                    source: Source::Model(model),
                    kind: LogKind::Error,
                    // No time in the text (the line has it), so that repeats coalesce.
                    text: match error {
                        ModelError::Diverged { .. } => {
                            "the state diverged (a non-finite value); reset to random".into()
                        }
                        other => format!("{other}; state reset to random"),
                    },
                },
            });
        }
        self.unsampled_steps += 1;
        if self.unsampled_steps >= self.sample_steps {
            // The weight of a sample taken after `unsampled_steps` steps of dt.
            let secs = self.unsampled_steps as f64 * self.params().dt_secs;
            let k = (1.0 - (-secs / DISPLAY_TAU_SECS).exp()) as f32;
            self.unsampled_steps = 0;
            for (display, running) in self.displays.iter_mut().zip(self.session.models()) {
                let activation = running.net().activation();
                if display.mean.len() == activation.len() {
                    for (d, &a) in display.mean.iter_mut().zip(activation) {
                        *d += k * (a - *d);
                    }
                } else {
                    display.mean = activation.to_vec();
                }
            }
        }
        if self.session.needs_frame() {
            self.end_of_frame();
        }
    }

    fn end_of_frame(&mut self) {
        let time_secs = self.time_secs();
        let truth = self.session.frame().and_then(|f| f.truth);
        for (display, running) in self.displays.iter_mut().zip(self.session.models()) {
            let energy = running.net().energy();
            display
                .history
                .push(running.overlaps(), energy, HISTORY_LEN);
        }
        self.history_times_secs.push_back(time_secs);
        self.history_truth.push_back(truth);
        if self.history_times_secs.len() > HISTORY_LEN {
            self.history_times_secs.pop_front();
            self.history_truth.pop_front();
        }
    }

    /// Keeps the tracking events from now on, for [`SimCore::take_events`] (a lesson reads them).
    pub fn keep_events(&mut self) {
        self.events.get_or_insert_with(Vec::new);
    }

    /// The tracking events since the last call (none unless [`SimCore::keep_events`]).
    pub fn take_events(&mut self) -> Vec<(ModelKind, Event)> {
        self.events.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Model time in seconds (steps × dt, exact for every model).
    pub fn time_secs(&self) -> f64 {
        self.session.time_secs()
    }

    /// Integration steps taken.
    pub fn steps(&self) -> u64 {
        self.session.steps()
    }

    /// The parameters in force.
    pub fn params(&self) -> &Params {
        self.session.params()
    }

    /// The memory set in use.
    pub fn memories(&self) -> &Arc<Memories> {
        self.session.memories()
    }

    /// Sets σ of every model's noise.
    pub fn set_noise_std(&mut self, noise_std: f64) -> Result<(), ModelError> {
        self.session.set_noise_std(noise_std)
    }

    /// Draws a fresh random state for every model.
    pub fn randomize_state(&mut self) {
        self.session.randomize_state();
        self.restart_means();
    }

    /// Starts every state image's running mean afresh from the model's activation now.
    fn restart_means(&mut self) {
        for (display, running) in self.displays.iter_mut().zip(self.session.models()) {
            display.mean = running.net().activation().to_vec();
        }
        self.unsampled_steps = 0;
    }

    /// Switches to a new memory set: the models keep their state when N is unchanged; tracking
    /// follows the memories by name; the charts restart unless the memory ids keep their
    /// meaning.
    pub fn set_memories(&mut self, memories: Arc<Memories>) {
        // Same names in the same order (a pattern was edited): memory ids keep their meaning,
        // so the charts go on; otherwise they restart with the new set.
        let old = self.session.memories();
        let same_n = memories.n() == old.n();
        let same_ids = memories.names() == old.names() && same_n;
        if !same_ids {
            for display in &mut self.displays {
                display.history = ModelHistory::new(memories.p());
            }
            self.history_times_secs.clear();
            self.history_truth.clear();
        }
        self.session.set_memories(memories);
        if !same_n {
            // A new N: the models start afresh, and so do the images' means (at once, not at
            // the next sample).
            self.restart_means();
        }
    }

    /// The models whose landscape moved beyond [`DEFAULT_REL_TOL`] of their last solve (or was
    /// never solved) and have no solve under way: the inputs to solve, now marked under way.
    pub fn theory_requests(&mut self) -> Vec<TheoryRequest> {
        let mut requests = Vec::new();
        let now_secs = self.session.time_secs();
        for (display, running) in self.displays.iter_mut().zip(self.session.models()) {
            // Too many memories: not solved (`Unsolved`). The discrete model's rows are its
            // sweeps' fixed points (its W does not move with the input: solved once a set).
            if display.solving || Unsolved::of(running.net()).is_some() {
                continue;
            }
            let key = TheoryKey::of(running.net());
            let fresh = display
                .solved
                .as_ref()
                .is_some_and(|eq| eq.key.within(&key, DEFAULT_REL_TOL));
            if !fresh {
                display.solving = true;
                display.requested_at_secs = now_secs;
                requests.push(TheoryRequest {
                    model: running.kind(),
                    input: TheoryInput::of(running.net()),
                });
            }
        }
        requests
    }

    /// Solves on this thread what [`Self::theory_requests`] asks for (an unpaced run, a
    /// screenshot: what they show must not depend on a thread's timing); whether it solved any.
    pub fn solve_theory_here(&mut self) -> bool {
        let requests = self.theory_requests();
        let any = !requests.is_empty();
        for request in requests {
            let equilibria = Arc::new(request.input.solve());
            self.theory_solved(request.model, Some(equilibria));
        }
        any
    }

    /// A solve is under way on the theory thread (a paused simulator must look for its result).
    pub fn theory_solving(&self) -> bool {
        self.displays.iter().any(|d| d.solving)
    }

    /// The theory thread is gone: no solve under way will come back.
    pub fn theory_abandoned(&mut self) {
        for display in &mut self.displays {
            display.solving = false;
        }
    }

    /// A solve came back (or, with `None`, could not be sent: ask again later).
    pub fn theory_solved(&mut self, model: ModelKind, equilibria: Option<Arc<Equilibria>>) {
        if let Some(display) = self.displays.iter_mut().find(|d| d.kind == model) {
            display.solving = false;
            if equilibria.is_some() {
                display.solved = equilibria;
                display.solved_at_secs = Some(display.requested_at_secs);
                display.current_at_secs = display.solved_at_secs;
            }
        }
    }

    /// The saliencies set by hand (explore's), which rank the landscape's plane, or `None`.
    pub fn set_plane_weights(&mut self, weights: Option<Vec<f64>>) {
        self.plane_weights = weights;
    }

    /// Copies the state out for the UI.
    pub fn snapshot(&mut self, scenario: ScenarioName, speed: f64, status: RunStatus) -> Snapshot {
        self.snapshots_built += 1;
        let len = self.history_times_secs.len();
        let now_secs = self.session.time_secs();
        let models = self
            .displays
            .iter_mut()
            .zip(self.session.models())
            .map(|(display, running)| {
                let net = running.net();
                // The solved theory of this memory set when there is one (current or not yet
                // re-solved), else the closed forms (approximate on correlated memories).
                let solved = display
                    .solved
                    .as_ref()
                    .filter(|eq| Arc::ptr_eq(eq.key.memories(), net.memories()));
                let key = TheoryKey::of(net);
                let theory_current = solved.is_some_and(|eq| eq.key.within(&key, DEFAULT_REL_TOL));
                if theory_current {
                    display.current_at_secs = Some(now_secs);
                }
                let theory = solved
                    .and_then(|eq| eq.report())
                    .unwrap_or_else(|| net.theory());
                let weights = net.landscape_weights().to_vec();
                // Series shorter than the time axis (a model added later) are front-padded
                // with NaN so that every series lines up with the shared times.
                let pad = |s: &VecDeque<f32>| {
                    let mut v = vec![f32::NAN; len.saturating_sub(s.len())];
                    v.extend(s.iter().copied());
                    v
                };
                let mut energy_history =
                    vec![f64::NAN; len.saturating_sub(display.history.energy.len())];
                energy_history.extend(display.history.energy.iter().copied());
                ModelView {
                    kind: net.kind(),
                    activation: net.activation().to_vec(),
                    activation_mean: display.mean.clone(),
                    overlaps: net.overlaps(),
                    saliencies: net.saliencies().to_vec(),
                    energy: net.energy(),
                    retrieved: net.retrieved(),
                    expected: running.tracker().expected(),
                    theory_solved: solved.is_some(),
                    theory_current,
                    theory_time_secs: solved.and(display.solved_at_secs),
                    theory_current_at_secs: solved.and(display.current_at_secs),
                    theory_unsolved: Unsolved::of(net),
                    theory,
                    weights,
                    accuracy: running.tracker().summary().accuracy,
                    overlap_history: display.history.overlaps.iter().map(pad).collect(),
                    energy_history,
                }
            })
            .collect();
        let landscape = self
            .session
            .models()
            .first()
            .zip(self.displays.first())
            .and_then(|(running, display)| {
                let solved = display
                    .solved
                    .as_deref()
                    .filter(|eq| Arc::ptr_eq(eq.key.memories(), running.net().memories()));
                self.landscape
                    .view_ranked(running.net(), solved, self.plane_weights.as_deref())
            });
        let frame = self.session.frame();
        let memories = self.session.memories();
        let params = self.session.params();
        Snapshot {
            seq: self.snapshots_built,
            time_secs: self.time_secs(),
            steps: self.steps(),
            memories: Arc::clone(memories),
            input_image: frame.map_or_else(|| vec![0.0; memories.n()], |f| f.image.clone()),
            truth: frame.and_then(|f| f.truth),
            glitch: frame.is_some_and(|f| f.glitch),
            label: frame.map_or_else(String::new, |f| f.label.clone()),
            models,
            landscape,
            history_times_secs: self.history_times_secs.iter().copied().collect(),
            history_truth: self.history_truth.iter().copied().collect(),
            status: Status {
                scenario,
                noise_std: params.noise_std,
                dt_secs: params.dt_secs,
                speed,
                seed: self.session.seed(),
                n: memories.n(),
                p: memories.p(),
                steps_per_sec: status.steps_per_sec,
                paused: status.paused,
                speed_reached: status.speed_reached,
                pattern_errors: status.pattern_errors,
                tau_alpha_secs: params.tau_alpha_secs,
            },
            finished: status.finished,
            density: None,
            lesson: None,
        }
    }
}

/// Facts the core cannot know (wall clock, pattern files), for the snapshot's status.
#[derive(Debug, Clone, Default)]
pub struct RunStatus {
    pub pattern_errors: Vec<String>,
    pub steps_per_sec: f64,
    pub paused: bool,
    /// Model seconds per wall second actually reached, while below the asked speed.
    pub speed_reached: Option<f64>,
    pub finished: bool,
}
