//! The simulator thread: paces the deterministic core in model time (speed × wall time),
//! applies the UI's controls and the watcher's pattern updates, and publishes snapshots and log
//! lines.

use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Select, Sender, TryRecvError, TrySendError};

use super::core::{RunStatus, SimCore};
use super::density::{DensityLive, DensitySettings, SolveRequest, SolveResult, density_seed};
use super::lesson::{Host, LessonControl};
use super::outbox::Outbox;
use super::producer::FrameBatch;
use super::snapshot::Snapshot;
use super::theory::{TheoryRequest, TheoryResult};
use super::{
    Control, LogEntry, LogKind, Pacing, PatternUpdate, PipelineConfig, Source, StreamControl,
    THEORY_EVERY_SECS,
};
use crate::model::density::DensityModel;
use crate::session::ProjectedFrame;
use crate::stimulus::held::{Held, HeldInput};
use crate::stimulus::{ScenarioName, StreamConfig};

/// When the simulation falls this far behind the wall clock (in wall seconds at the asked
/// speed), the debt is forgiven: it runs on from now as fast as it can, and the status shows the
/// speed it reaches.
const MAX_DEBT_WALL_SECS: f64 = 0.25;
/// The longest stretch of stepping between two looks at the controls, whatever the speed, the
/// step or the machine: quit and every signal take effect within it.
const BATCH_WALL: Duration = Duration::from_millis(20);
/// Steps between two looks at the clock inside a batch.
const CLOCK_EVERY_STEPS: u64 = 16;
/// How often lines that repeat are reported while they go on ("… ×N more").
const REPEATS_EVERY: Duration = Duration::from_secs(1);
/// How often the models' landscapes are checked for a new solve of their theory: every
/// [`THEORY_EVERY_SECS`] of model time, and on a paced run (the solve goes to the theory
/// thread) also every this much wall-clock time at most ([`theory_wall_every`]), whichever
/// comes first (`theory_due`); an
/// unpaced run solves on this thread, by model time alone. The live stream moves α by a
/// little every frame.
const THEORY_EVERY: Duration = Duration::from_millis((THEORY_EVERY_SECS * 1000.0) as u64);

/// The theory is due for a check, `model_since` model seconds and `wall_since` after the last
/// (`None`: never checked). By the wall clock alone a paced run above ×2 checked less than
/// once a model second, and the memory table (stale past a model second) was nearly always
/// stale; a solve under way is never asked for twice, so a slow solve is asked no more often.
/// `wall_every`: the paced run's wall-clock interval ([`theory_wall_every`]).
fn theory_due(
    unpaced: bool,
    model_since: Option<f64>,
    wall_since: Option<Duration>,
    wall_every: Duration,
) -> bool {
    let by_model = model_since.is_none_or(|s| s >= THEORY_EVERY_SECS);
    by_model || (!unpaced && wall_since.is_none_or(|w| w >= wall_every))
}

/// The least wall-clock interval of a paced run's checks.
const THEORY_EVERY_MIN: Duration = Duration::from_millis(100);

/// A paced run's wall-clock interval between checks: five times as long as the last round of
/// solves took (every model whose landscape moved, one after another on the pool: so that the
/// theory thread spends at most about a fifth of its time solving), from
/// [`THEORY_EVERY_MIN`] to [`THEORY_EVERY`]. Every half second, a stimulus change left the
/// memory table's rows of the old landscape beside the new α for up to half a second ("key
/// α 4.45: none", "bird α −2.09: well #1", under "solved 0.5 s ago"); a solve of the built-in
/// set takes 3 ms, so it is asked every 0.1 s, while a large set's keeps the half second.
fn theory_wall_every(last_solve: Option<Duration>) -> Duration {
    last_solve.map_or(THEORY_EVERY, |d| {
        (d * 5).clamp(THEORY_EVERY_MIN, THEORY_EVERY)
    })
}
/// How long the measured rate averages over: at least this, and until it holds
/// [`RATE_MIN_STEPS`] steps or [`RATE_MAX_WINDOW`] has passed (at ×0.01, a step a second, a
/// half-second window held none or one: "0 steps/s" while the model stepped).
const RATE_WINDOW: Duration = Duration::from_millis(500);
const RATE_MIN_STEPS: u64 = 10;
const RATE_MAX_WINDOW: Duration = Duration::from_secs(5);
/// How often the simulator retries a snapshot the UI has not taken yet while otherwise idle.
const RETRY: Duration = Duration::from_millis(50);

/// Wall-clock time a batch of frames from the producer may hold at most: below it, one frame a
/// batch (the speeds people watch, where a glitch must act within a few frames; a scenario or
/// a skip passes over the frames made ahead); at full
/// speed, as many frames as the simulator steps through in about this long, at most
/// [`MAX_FRAMES_AHEAD`] (one wake-up a frame held the simulator back at 16384×64).
const BATCH_AHEAD: Duration = Duration::from_millis(5);
const MAX_FRAMES_AHEAD: usize = 8;

/// Frames a producer's batch holds at `speed` (model seconds a wall second) for frames of
/// `frame_secs` (model seconds): those shown in [`BATCH_AHEAD`], at least 1.
fn frames_ahead(speed: f64, frame_secs: f64) -> usize {
    let frames = speed * BATCH_AHEAD.as_secs_f64() / frame_secs.max(f64::MIN_POSITIVE);
    (frames.floor() as usize).clamp(1, MAX_FRAMES_AHEAD)
}

/// The simulator's ends of the channels.
pub(super) struct Channels {
    pub frames: Receiver<FrameBatch>,
    pub stream: Sender<StreamControl>,
    pub controls: Receiver<Control>,
    pub patterns: Receiver<PatternUpdate>,
    pub snapshots: Sender<Box<Snapshot>>,
    pub log: Sender<LogEntry>,
    pub theory_requests: Sender<TheoryRequest>,
    pub theory_results: Receiver<TheoryResult>,
    /// Frames in each of the producer's batches ([`frames_ahead`]).
    pub batch: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    pub density_requests: Sender<SolveRequest>,
    pub density_results: Receiver<SolveResult>,
}

/// The run's settings that controls can change.
pub(super) struct Settings {
    scenario: ScenarioName,
    speed: f64,
    pacing: Pacing,
    stop_at_steps: Option<u64>,
    paused: bool,
    /// The input the user holds (a drawing, saliencies by hand) instead of the stream's frames;
    /// the stream waits meanwhile.
    held: Option<Held>,
    stream: StreamConfig,
    seed: u64,
    /// Whose controls these are (see `Control::Actor`).
    actor: Option<std::sync::Arc<str>>,
    /// The run is served (`recall serve`: its screens name who acted); set by the first
    /// [`Control::Actor`].
    served: bool,
    /// A model or memory set new to the run wants its theory checked at once.
    theory_due: bool,
    /// The particles of the density view (`density` scenario): stepped instead of the network.
    density: Option<DensityLive>,
    /// The settings the density view had last (it starts from them again).
    density_last: DensitySettings,
    /// The stop time in the density view's steps (its particles' model time).
    density_stop_steps: Option<u64>,
    /// The lesson running, if any.
    lesson: Option<Host>,
    /// How many controls that start another stream (a scenario, the next stimulus) went to the
    /// producer: frames of an older generation are passed over (`producer::FrameBatch`).
    stream_generation: u64,
}

impl From<&PipelineConfig> for Settings {
    fn from(c: &PipelineConfig) -> Self {
        Self {
            scenario: c.scenario,
            speed: c.speed,
            pacing: c.pacing,
            stop_at_steps: c
                .stop_at_secs
                .map(|s| (s / c.params.dt_secs).round().max(0.0) as u64),
            paused: c.paused,
            held: (c.scenario == ScenarioName::Explore)
                .then(|| Held::new(explore_start(c.memories.p()), c.stream.clone(), c.seed)),
            stream: c.stream.clone(),
            seed: c.seed,
            actor: None,
            theory_due: false,
            served: false,
            lesson: None,
            stream_generation: 0,
            density: (c.scenario == ScenarioName::Density)
                .then(|| {
                    DensityLive::new(density_start(c.params.beta), density_seed(c.seed, 0)).ok()
                })
                .flatten(),
            density_last: density_start(c.params.beta),
            density_stop_steps: c
                .stop_at_secs
                .map(|s| (s / super::density::DT_SECS).round().max(0.0) as u64),
        }
    }
}

impl Settings {
    /// The run reached its stop time: the network's, or in the density view its particles'.
    fn finished(&self, core: &SimCore) -> bool {
        match &self.density {
            Some(live) => self.density_stop_steps.is_some_and(|s| live.steps() >= s),
            None => self.stop_at_steps.is_some_and(|s| core.steps() >= s),
        }
    }

    /// The steps of whatever runs (the particles in the density view, else the network) and
    /// their length, for the wall clock and the measured rate.
    fn active_steps(&self, core: &SimCore) -> (u64, f64) {
        match &self.density {
            Some(live) => (live.steps(), super::density::DT_SECS),
            None => (core.steps(), core.params().dt_secs),
        }
    }
}

/// Maps wall time to the number of steps due: anchored at an instant and a step count, moved
/// whenever speed or pause changes so that model time never jumps.
struct Clock {
    anchor: Instant,
    anchor_steps: u64,
}

impl Clock {
    fn due(&self, now: Instant, speed: f64, dt_secs: f64) -> u64 {
        let model_secs = now.duration_since(self.anchor).as_secs_f64() * speed;
        self.anchor_steps + (model_secs / dt_secs).floor() as u64
    }
}

/// Measured steps per wall second over windows of [`RATE_WINDOW`]; not known (NaN, shown as
/// "…") until the first window after a start, a pause or a change of speed closes.
struct Rate {
    since: Instant,
    steps_at: u64,
    per_sec: f64,
}

impl Rate {
    fn new(now: Instant, steps: u64) -> Self {
        Self {
            since: now,
            steps_at: steps,
            per_sec: f64::NAN,
        }
    }

    /// Closes the window if it is full.
    fn update(&mut self, now: Instant, steps: u64) {
        let wall = now.duration_since(self.since);
        let counted = steps - self.steps_at >= RATE_MIN_STEPS;
        if wall >= RATE_WINDOW && (counted || wall >= RATE_MAX_WINDOW) {
            let secs = wall.as_secs_f64();
            self.per_sec = (steps - self.steps_at) as f64 / secs;
            self.since = now;
            self.steps_at = steps;
        }
    }
}

enum Flow {
    Continue,
    Quit,
}

/// Runs until `Quit`, until the UI drops its ends, or (after a final snapshot) at the stop time.
pub(super) fn run(mut core: SimCore, mut settings: Settings, ch: Channels) {
    core.set_display_speed(settings.speed);
    let mut log: Vec<LogEntry> = Vec::new();
    let mut outbox = Outbox::default();
    let start = Instant::now();
    let mut clock = Clock {
        anchor: start,
        anchor_steps: 0,
    };
    let mut rate = Rate::new(start, 0);
    let mut repeats_reported = start;
    let mut theory_checked: Option<Instant> = None;
    let mut theory_checked_secs: Option<f64> = None;
    // How long the theory thread took over the solves of the last finished round of requests,
    // and of the round under way so far (one a model whose landscape moved; summed, since they
    // queue on one pool).
    let mut last_round: Option<Duration> = None;
    let mut this_round: Option<Duration> = None;
    let mut lagging = false;
    let mut dirty = true;
    let mut next_publish = start;
    let mut patterns_open = true;
    // The frames of the producer's last batch not fed yet, and their generation.
    let mut pending: std::collections::VecDeque<ProjectedFrame> = Default::default();
    let mut pending_generation = 0;
    // The current pattern-file errors, for the status line and the errors overlay.
    let mut problem: Vec<String> = Vec::new();
    loop {
        let now = Instant::now();
        // 1. Commands (non-blocking).
        loop {
            let control = match ch.controls.try_recv() {
                Ok(c) => c,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            };
            if let Flow::Quit = apply_control(
                control,
                &mut core,
                &mut settings,
                &mut clock,
                &mut rate,
                &ch,
                &mut log,
                now,
            ) {
                return;
            }
            dirty = true;
            next_publish = now;
        }
        while patterns_open {
            match ch.patterns.try_recv() {
                Ok(update) => {
                    settings.theory_due |= matches!(update, PatternUpdate::Reloaded(_));
                    apply_patterns(update, &mut core, &ch, &mut problem, &mut log);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => patterns_open = false,
            }
            dirty = true;
            next_publish = now;
        }

        // 2. Advance model time, for at most BATCH_WALL before the controls are read again.
        let finished = settings.finished(&core);
        let mut behind = false;
        if !settings.paused && !finished {
            let (steps_now, dt) = settings.active_steps(&core);
            let mut target = match settings.pacing {
                Pacing::WallClock { .. } => {
                    let due = clock.due(now, settings.speed, dt);
                    let debt = ((MAX_DEBT_WALL_SECS * settings.speed / dt).ceil() as u64).max(1);
                    if due > steps_now + debt {
                        lagging = true;
                        clock = Clock {
                            anchor: now,
                            anchor_steps: steps_now,
                        };
                    } else if due <= steps_now {
                        lagging = false;
                    }
                    due.min(steps_now + debt)
                }
                Pacing::Unpaced {
                    snapshot_every_steps,
                } => steps_now + snapshot_every_steps.max(1),
            };
            let deadline = now + BATCH_WALL;
            let mut batch = 0u64;
            if let Some(live) = settings.density.as_mut() {
                // The density view: the particles run; the network and its stream wait.
                if let Some(stop) = settings.density_stop_steps {
                    target = target.min(stop);
                }
                while live.steps() < target {
                    live.step();
                    dirty = true;
                    batch += 1;
                    if batch.is_multiple_of(CLOCK_EVERY_STEPS) && Instant::now() >= deadline {
                        behind = matches!(settings.pacing, Pacing::WallClock { .. });
                        break;
                    }
                }
                target = 0;
            }
            if let Some(stop) = settings.stop_at_steps {
                target = target.min(stop);
            }
            while core.steps() < target {
                if core.needs_frame() {
                    if let Some(held) = settings.held.as_mut() {
                        let frame = held.frame(core.memories(), core.time_secs());
                        core.feed(frame, &mut log);
                        continue;
                    }
                    // A batch used up, or of a stream the user has left: the next one.
                    if pending.is_empty() || pending_generation != settings.stream_generation {
                        let ahead = frames_ahead(settings.speed, core.session().frame_secs());
                        ch.batch.store(ahead, std::sync::atomic::Ordering::Relaxed);
                        match ch.frames.recv() {
                            Ok(batch) => {
                                pending = batch.frames.into();
                                pending_generation = batch.generation;
                            }
                            Err(_) => return,
                        }
                        continue;
                    }
                    if let Some(ready) = pending.pop_front() {
                        core.feed_ready(ready, &mut log);
                    }
                    continue;
                }
                core.step(&mut log);
                dirty = true;
                batch += 1;
                if batch.is_multiple_of(CLOCK_EVERY_STEPS) && Instant::now() >= deadline {
                    behind = matches!(settings.pacing, Pacing::WallClock { .. });
                    break;
                }
            }
        }
        rate.update(Instant::now(), settings.active_steps(&core).0);

        // The density view's solves: the request out once, the result in.
        if let Some(live) = settings.density.as_mut() {
            if let Some(request) = live.take_request()
                && let Err(e) = ch.density_requests.try_send(request)
            {
                live.request_failed(e.into_inner());
            }
            for result in ch.density_results.try_iter() {
                live.solved(result);
                dirty = true;
            }
        }
        if let Some(host) = settings.lesson.as_mut() {
            for (kind, event) in core.take_events() {
                host.record(kind, &event);
            }
        }

        // The theory thread's solves: results in; requests out for what moved, when
        // `theory_due`.
        loop {
            match ch.theory_results.try_recv() {
                Ok(result) => {
                    this_round = Some(this_round.unwrap_or_default() + result.took);
                    core.theory_solved(result.model, Some(result.equilibria));
                }
                Err(TryRecvError::Empty) => break,
                // The theory thread is gone: no solve under way will come back.
                Err(TryRecvError::Disconnected) => {
                    core.theory_abandoned();
                    break;
                }
            }
            dirty = true;
        }
        // A model or a memory set new to the run (by a key, a lesson's chapter or a reload)
        // has no solve: check at once, not when the next check falls due (by model time on an
        // unpaced run: never while it is paused).
        if std::mem::take(&mut settings.theory_due) {
            theory_checked = None;
            theory_checked_secs = None;
        }
        // An unpaced run checks by model time and solves here, at the simulator's priority,
        // before it goes on, so that what it shows of the theory, and a lesson's turns that
        // read it, do not depend on how busy the machine is (the theory thread's pool runs at
        // the lowest priority, and starves while other threads are busy).
        let unpaced = matches!(settings.pacing, Pacing::Unpaced { .. });
        let due = theory_due(
            unpaced,
            theory_checked_secs.map(|t| core.time_secs() - t),
            theory_checked.map(|t| now.duration_since(t)),
            // A round under way counts once it has taken longer than the last.
            theory_wall_every(last_round.max(this_round)),
        );
        if due {
            theory_checked = Some(now);
            theory_checked_secs = Some(core.time_secs());
            if unpaced {
                dirty |= core.solve_theory_here();
            } else {
                let requests = core.theory_requests();
                if !requests.is_empty() && this_round.is_some() {
                    // A new round: its solves' times are summed afresh.
                    last_round = this_round.take();
                }
                for request in requests {
                    let model = request.model;
                    if ch.theory_requests.try_send(request).is_err() {
                        core.theory_solved(model, None);
                    }
                }
            }
        }

        // 3. Log lines: in order, repeats counted, a bounded backlog for a slow UI.
        for entry in log.drain(..) {
            outbox.push(entry);
        }
        if now.duration_since(repeats_reported) >= REPEATS_EVERY {
            outbox.flush_repeats();
            repeats_reported = now;
        }
        while let Some(entry) = outbox.front() {
            match ch.log.try_send(entry.clone()) {
                Ok(()) => {
                    outbox.pop();
                }
                Err(TrySendError::Full(_)) => break,
                Err(TrySendError::Disconnected(_)) => return,
            }
        }

        // 4. Snapshot: state, published when due and the slot is free.
        let finished = settings.finished(&core);
        let status = RunStatus {
            pattern_errors: problem.clone(),
            steps_per_sec: if settings.paused { 0.0 } else { rate.per_sec },
            paused: settings.paused,
            speed_reached: (lagging && rate.per_sec.is_finite())
                .then(|| rate.per_sec * settings.active_steps(&core).1),
            finished,
        };
        if finished {
            // The last snapshot of the density view carries the solve of its settings.
            if let Some(live) = settings.density.as_mut() {
                while live.solving() {
                    match ch.density_results.recv_timeout(Duration::from_secs(60)) {
                        Ok(result) => live.solved(result),
                        Err(_) => break,
                    }
                }
            }
            core.set_plane_weights(set_saliencies(settings.held.as_ref()));
            let snapshot = snapshot_of(&mut core, &settings, status);
            outbox.flush_repeats();
            deliver_last(&ch, snapshot, outbox);
            return;
        }
        if dirty && (unpaced || now >= next_publish) {
            core.set_plane_weights(set_saliencies(settings.held.as_ref()));
            let mut snapshot = snapshot_of(&mut core, &settings, status);
            // The lesson looks at the run as the snapshot shows it and captions it; a chapter
            // that moves on sets the run up with the keys' controls.
            let (turn, entered) = settings
                .lesson
                .as_mut()
                .map(|host| host.on_snapshot(&mut snapshot, &core, settings.speed))
                .unwrap_or_default();
            // The lesson's own controls are the lesson's in the log, not the last person's.
            let actor = settings.actor.replace(lesson_actor());
            if let (true, Some(host)) = (entered, settings.lesson.as_ref()) {
                logger(
                    &mut log,
                    core.time_secs(),
                    Source::User,
                    settings.actor.clone(),
                )(LogKind::Info, host.chapter_line());
            }
            for control in turn {
                if let Flow::Quit = apply_control(
                    control,
                    &mut core,
                    &mut settings,
                    &mut clock,
                    &mut rate,
                    &ch,
                    &mut log,
                    now,
                ) {
                    return;
                }
            }
            settings.actor = actor;
            match ch.snapshots.try_send(snapshot) {
                Ok(()) => {
                    dirty = false;
                    if let Pacing::WallClock { snapshot_hz } = settings.pacing {
                        next_publish = now + Duration::from_secs_f64(1.0 / snapshot_hz.max(0.1));
                    }
                }
                Err(TrySendError::Full(_)) => {}
                Err(TrySendError::Disconnected(_)) => return,
            }
        }

        // 5. Sleep until the next batch is due, waking at once for a command; behind the
        // clock, go on at once.
        let wait = match settings.pacing {
            Pacing::Unpaced { .. } => continue,
            Pacing::WallClock { .. } if behind => continue,
            Pacing::WallClock { snapshot_hz } if !settings.paused => {
                Some(Duration::from_secs_f64(1.0 / snapshot_hz.max(0.1)))
            }
            // Paused: wake for the snapshot or the log lines the UI has not taken yet, and for
            // a solve under way (its result is taken in at the top of the loop), else sleep
            // until a command.
            Pacing::WallClock { .. } => {
                (dirty || !outbox.is_empty() || core.theory_solving()).then_some(RETRY)
            }
        };
        wait_for_input(&ch, patterns_open, wait);
    }
}

/// The density view's first settings: Fig. 4b, with the run's β (`--beta`, kept within the
/// two-neuron network's range) for when `m` switches it to idp-modern.
fn density_start(beta: f64) -> DensitySettings {
    let (lo, hi) = crate::model::density::BETA_RANGE;
    DensitySettings {
        beta: beta.clamp(lo, hi),
        ..DensitySettings::default()
    }
}

/// The snapshot of the run now, with the density view's when it is open.
fn snapshot_of(core: &mut SimCore, settings: &Settings, status: RunStatus) -> Box<Snapshot> {
    let mut snapshot = Box::new(core.snapshot(settings.scenario, settings.speed, status));
    snapshot.density = settings
        .density
        .as_ref()
        .map(|live| std::sync::Arc::new(live.view()));
    snapshot
}

/// Blocks until a control or pattern update is ready or `wait` passes (forever for `None`).
/// A disconnected channel counts as ready: the caller's next `try_recv` sees it.
fn wait_for_input(ch: &Channels, patterns_open: bool, wait: Option<Duration>) {
    let mut select = Select::new();
    select.recv(&ch.controls);
    if patterns_open {
        select.recv(&ch.patterns);
    }
    match wait {
        Some(d) => {
            let _ = select.ready_timeout(d);
        }
        None => {
            select.ready();
        }
    }
}

/// Delivers the final snapshot and every log line still held back, blocking, in whatever
/// order the reader takes them (a reader may wait for either first), unless the UI quits.
fn deliver_last(ch: &Channels, snapshot: Box<Snapshot>, mut outbox: Outbox) {
    let mut snapshot = Some(snapshot);
    while snapshot.is_some() || !outbox.is_empty() {
        let mut select = Select::new();
        let snapshot_op = snapshot.as_ref().map(|_| select.send(&ch.snapshots));
        let log_op = (!outbox.is_empty()).then(|| select.send(&ch.log));
        let control_op = select.recv(&ch.controls);
        let op = select.select();
        let index = op.index();
        if Some(index) == snapshot_op {
            let Some(s) = snapshot.take() else { return };
            if op.send(&ch.snapshots, s).is_err() {
                return;
            }
        } else if Some(index) == log_op {
            let Some(entry) = outbox.front().cloned() else {
                return;
            };
            if op.send(&ch.log, entry).is_err() {
                return;
            }
            outbox.pop();
        } else if index == control_op {
            if matches!(op.recv(&ch.controls), Err(_) | Ok(Control::Quit)) {
                return;
            }
        } else {
            return;
        }
    }
}

/// Appends log lines from `source` at model time `time_secs`.
fn logger(
    log: &mut Vec<LogEntry>,
    time_secs: f64,
    source: Source,
    who: Option<std::sync::Arc<str>>,
) -> impl FnMut(LogKind, String) + '_ {
    move |kind, text| {
        log.push(LogEntry {
            time_secs,
            source,
            kind,
            text,
            who: who.clone(),
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn apply_control(
    control: Control,
    core: &mut SimCore,
    settings: &mut Settings,
    clock: &mut Clock,
    rate: &mut Rate,
    ch: &Channels,
    log: &mut Vec<LogEntry>,
    now: Instant,
) -> Flow {
    if let Control::Actor(who) = control {
        settings.actor = who;
        settings.served = true;
        return Flow::Continue;
    }
    if let Control::Lesson(lesson) = control {
        return lesson_control(lesson, core, settings, clock, rate, ch, log, now);
    }
    // In a served run (`recall serve`) the controls of σ, speed and pause name who sent them
    // (a lesson's chapter setup is not someone's press).
    let served = settings.served && settings.actor.as_deref() != Some(LESSON_ACTOR);
    let mut say = logger(log, core.time_secs(), Source::User, settings.actor.clone());
    let reanchor = |clock: &mut Clock, rate: &mut Rate, steps: u64| {
        *clock = Clock {
            anchor: now,
            anchor_steps: steps,
        };
        // The rate shown is measured afresh at the new speed.
        *rate = Rate::new(now, steps);
    };
    match control {
        Control::Quit => return Flow::Quit,
        Control::Lesson(_) => {}
        // Resuming a paused run is a SetPaused(false); a running one is left as it is.
        Control::ResumeIfPaused if !settings.paused => {}
        Control::SetPaused(_) | Control::ResumeIfPaused => {
            let paused = matches!(control, Control::SetPaused(true));
            settings.paused = paused;
            reanchor(clock, rate, settings.active_steps(core).0);
            // A served run says who paused it (every screen's log names the actor).
            if served {
                say(
                    LogKind::Info,
                    if paused { "paused" } else { "resumed" }.into(),
                );
            }
        }
        Control::SetSpeed(speed) if speed.is_finite() && speed > 0.0 => {
            settings.speed = speed;
            core.set_display_speed(speed);
            reanchor(clock, rate, settings.active_steps(core).0);
            if served {
                say(LogKind::Info, format!("set speed ×{speed}"));
            }
        }
        Control::SetSpeed(speed) => say(LogKind::Error, format!("speed {speed} refused")),
        Control::SetNoise(sigma) => match core.set_noise_std(sigma) {
            Ok(()) if served => {
                let shown = (sigma * 1000.0).round() / 1000.0;
                say(LogKind::Info, format!("set σ {shown}"));
            }
            Ok(()) => {}
            Err(e) => say(LogKind::Error, format!("noise σ = {sigma}: {e}")),
        },
        Control::SetModels(models) if !models.is_empty() => match core.set_models(&models) {
            Ok(()) => {
                settings.theory_due = true;
                let names: Vec<&str> = models.iter().map(|m| m.name()).collect();
                say(LogKind::Info, format!("models: {}", names.join(" vs ")));
            }
            Err(e) => say(LogKind::Error, format!("cannot switch models: {e}")),
        },
        Control::SetModels(_)
        | Control::ReloadPatterns
        | Control::StoreMemory { .. }
        | Control::Actor(_) => {}
        Control::Hold(input) => {
            let back = input.is_none() && settings.held.is_some();
            // An input held by hand (saliencies set with the arrows, a drawing; not the
            // lesson's own walk) stops a lesson's walk.
            let by_hand = input.is_some() && settings.actor.as_deref() != Some(LESSON_ACTOR);
            if by_hand && let Some(then) = settings.lesson.as_mut().and_then(Host::take_over) {
                say(
                    LogKind::Info,
                    format!("took the input over: the lesson's walk stops there ({then})"),
                );
            }
            hold(input, core, settings, &mut say);
            // Back to the stream, which waited: it goes on from now (the frames it had made
            // are passed over, so that its clock is the model's again).
            if back
                && ch
                    .stream
                    .try_send(StreamControl::Resync {
                        at_secs: core.time_secs(),
                    })
                    .is_ok()
            {
                settings.stream_generation += 1;
                core.end_frame();
            }
        }
        Control::AddMemory { name, pixels } => {
            match crate::patterns::with_memory(core.memories(), &name, &pixels) {
                Ok(memories) => {
                    let memories = std::sync::Arc::new(memories);
                    core.set_memories(std::sync::Arc::clone(&memories));
                    settings.theory_due = true;
                    // Blocking is safe: the producer always listens for controls.
                    let _ = ch.stream.send(StreamControl::SetMemories(memories));
                    say(
                        LogKind::Patterns,
                        format!(
                            "stored {name} in the running set: it is not kept after quitting \
                             (run with --patterns DIR to keep what you store)"
                        ),
                    );
                }
                Err(e) => say(LogKind::Error, format!("cannot store {name}: {e}")),
            }
        }
        Control::ResetState => match settings.density.as_mut() {
            Some(live) => {
                live.restart();
                say(
                    LogKind::Info,
                    "density: particles back over the wells; samples after a burn-in".into(),
                );
            }
            None => {
                core.randomize_state();
                say(LogKind::Info, "state reset to random".into());
            }
        },
        Control::SetDensity(wanted) => {
            if let Err(e) = wanted.check() {
                say(LogKind::Error, format!("density refused: {e}"));
                return Flow::Continue;
            }
            let text = match wanted.model {
                DensityModel::Idp => format!(
                    "density: σ {}, α1 {}, α2 {}",
                    wanted.sigma, wanted.alphas[0], wanted.alphas[1]
                ),
                DensityModel::IdpModern => format!(
                    "density: idp-modern β {}, σ {}, α1 {}, α2 {}",
                    wanted.beta, wanted.sigma, wanted.alphas[0], wanted.alphas[1]
                ),
            };
            match settings.density.as_mut() {
                Some(live) => {
                    if let Err(e) = live.set(wanted) {
                        say(LogKind::Error, format!("density refused: {e}"));
                        return Flow::Continue;
                    }
                    settings.density_last = wanted;
                    say(LogKind::Info, text);
                }
                None => {
                    settings.density_last = wanted;
                    say(LogKind::Info, text);
                    drop(say);
                    let flow = apply_control(
                        Control::SetScenario(ScenarioName::Density),
                        core,
                        settings,
                        clock,
                        rate,
                        ch,
                        log,
                        now,
                    );
                    return flow;
                }
            }
        }
        Control::InjectGlitch | Control::SkipToNext | Control::SetScenario(_) => {
            let (forward, text) = match control {
                Control::InjectGlitch => {
                    (StreamControl::InjectGlitch, "glitch injected".to_string())
                }
                Control::SkipToNext => (
                    StreamControl::SkipToNext {
                        at_secs: core.time_secs(),
                    },
                    "next stimulus".to_string(),
                ),
                Control::SetScenario(name) => {
                    settings.scenario = name;
                    // Explore holds the saliencies the user sets (all 0 to begin with); leaving
                    // it returns to the stream.
                    let explore = name == ScenarioName::Explore;
                    let exploring = settings
                        .held
                        .as_ref()
                        .is_some_and(|h| matches!(h.input(), HeldInput::Saliencies(_)));
                    if explore && !exploring {
                        let seed = settings.seed.wrapping_add(core.steps());
                        let start = explore_start(core.memories().p());
                        settings.held = Some(Held::new(start, settings.stream.clone(), seed));
                    } else if !explore && exploring {
                        settings.held = None;
                    }
                    // The density view runs its particles instead of the network.
                    let density = name == ScenarioName::Density;
                    if density && settings.density.is_none() {
                        let seed = density_seed(settings.seed, core.steps());
                        match DensityLive::new(settings.density_last, seed) {
                            Ok(live) => settings.density = Some(live),
                            Err(e) => say(LogKind::Error, format!("density refused: {e}")),
                        }
                    } else if !density && let Some(live) = settings.density.take() {
                        settings.density_last = live.settings();
                    }
                    reanchor(clock, rate, settings.active_steps(core).0);
                    (
                        StreamControl::SetScenario {
                            name,
                            at_secs: core.time_secs(),
                        },
                        format!("scenario {}", name.name()),
                    )
                }
                _ => return Flow::Continue,
            };
            let new_stream = !matches!(forward, StreamControl::InjectGlitch);
            match ch.stream.try_send(forward) {
                Ok(()) => {
                    if new_stream {
                        // The frames made before it are of the stream left behind: passed
                        // over, and the one shown ends, so that the switch shows at once.
                        settings.stream_generation += 1;
                        core.end_frame();
                    }
                    say(LogKind::Info, text)
                }
                Err(TrySendError::Full(_)) => {
                    say(LogKind::Error, format!("{text}: stream busy, try again"))
                }
                Err(TrySendError::Disconnected(_)) => return Flow::Quit,
            }
        }
    }
    Flow::Continue
}

/// Who the log names for what a lesson does by itself.
fn lesson_actor() -> std::sync::Arc<str> {
    std::sync::Arc::from(LESSON_ACTOR)
}

/// The lesson's name in the log.
const LESSON_ACTOR: &str = "lesson";

/// Starts a lesson or turns its page: the chapter's setup is carried out as the keys' controls.
#[allow(clippy::too_many_arguments)]
fn lesson_control(
    control: LessonControl,
    core: &mut SimCore,
    settings: &mut Settings,
    clock: &mut Clock,
    rate: &mut Rate,
    ch: &Channels,
    log: &mut Vec<LogEntry>,
    now: Instant,
) -> Flow {
    if let LessonControl::Start { lesson, auto } = &control {
        core.keep_events();
        let _ = core.take_events();
        settings.lesson = Some(Host::new(std::sync::Arc::clone(lesson), *auto));
    }
    let Some(mut host) = settings.lesson.take() else {
        return Flow::Continue;
    };
    let controls = host.command(&control, core, settings.speed);
    if !controls.is_empty() {
        logger(log, core.time_secs(), Source::User, settings.actor.clone())(
            LogKind::Info,
            host.chapter_line(),
        );
    }
    settings.lesson = Some(host);
    // The chapter's setup is the lesson's (its line above says who turned the page), not a
    // press of σ or speed by whoever did.
    let actor = settings.actor.replace(lesson_actor());
    for c in controls {
        if let Flow::Quit = apply_control(c, core, settings, clock, rate, ch, log, now) {
            settings.actor = actor;
            return Flow::Quit;
        }
    }
    settings.actor = actor;
    Flow::Continue
}

/// What `explore` starts from: every saliency 0 (no memory: the confusion state).
pub(crate) fn explore_start(p: usize) -> HeldInput {
    HeldInput::Saliencies(vec![0.0; p])
}

/// Holds `input` as the network's input from the next frame on (`None`: back to the stream).
fn hold(
    input: Option<HeldInput>,
    core: &SimCore,
    settings: &mut Settings,
    say: &mut impl FnMut(LogKind, String),
) {
    match (input, settings.held.as_mut()) {
        (Some(input), Some(held)) => held.set(input),
        (Some(input), None) => {
            let what = match &input {
                HeldInput::Drawing(_) => "your drawing",
                HeldInput::Saliencies(_) => "the saliencies you set",
            };
            say(
                LogKind::Info,
                format!("input: {what} (the stream waits; n returns to it)"),
            );
            let seed = settings.seed.wrapping_add(core.steps());
            settings.held = Some(Held::new(input, settings.stream.clone(), seed));
        }
        (None, Some(_)) => {
            settings.held = None;
            say(LogKind::Info, "input: the stream again".into());
        }
        (None, None) => {}
    }
}

fn apply_patterns(
    update: PatternUpdate,
    core: &mut SimCore,
    ch: &Channels,
    problem: &mut Vec<String>,
    log: &mut Vec<LogEntry>,
) {
    let mut say = logger(log, core.time_secs(), Source::Patterns, None);
    let errors = match update {
        PatternUpdate::Reloaded(reloaded) => {
            core.set_memories(std::sync::Arc::clone(&reloaded.memories));
            // Blocking is safe: the producer always listens for controls, even while its
            // frame waits.
            let _ = ch
                .stream
                .send(StreamControl::SetMemories(reloaded.memories));
            for change in &reloaded.changes {
                say(LogKind::Patterns, change.to_string());
            }
            if reloaded.changes.is_empty() {
                say(LogKind::Patterns, "reloaded (no change)".into());
            }
            for warning in &reloaded.warnings {
                say(LogKind::Error, format!("warning: {warning}"));
            }
            reloaded.errors
        }
        PatternUpdate::Errors(report) => {
            if report.errors.is_empty() {
                say(LogKind::Patterns, "errors fixed".into());
            }
            if report.kept_last_good_set {
                say(
                    LogKind::Error,
                    "every pattern file is gone or bad: keeping the last good set".into(),
                );
            }
            report.errors
        }
    };
    for error in appeared(errors.iter().map(ToString::to_string).collect(), problem) {
        say(LogKind::Error, error);
    }
}

/// The pattern-file errors of `now` that were not among the errors before (`problem`, which
/// becomes `now`): each is logged once, when it appears. Logging every current one again (in
/// the order of their paths) put an older file's error last, where the log and the error line
/// read it as the newest.
fn appeared(now: Vec<String>, problem: &mut Vec<String>) -> Vec<String> {
    let new = now
        .iter()
        .filter(|e| !problem.contains(e))
        .cloned()
        .collect();
    *problem = now;
    new
}

/// The saliencies the user set (explore), which rank the landscape's plane.
fn set_saliencies(held: Option<&Held>) -> Option<Vec<f64>> {
    match held?.input() {
        HeldInput::Saliencies(alpha) => Some(alpha.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A paced run checks every half second of model time or of wall clock, whichever comes
    /// first (at ×16 by the wall clock alone: every 8 model seconds); an unpaced one by model
    /// time only.
    #[test]
    fn the_theory_is_due_by_model_time_or_wall_clock() {
        let ms = Duration::from_millis;
        let every = THEORY_EVERY;
        assert!(theory_due(false, None, None, every) && theory_due(true, None, None, every));
        // ×16: 0.5 model seconds in 31 ms.
        assert!(theory_due(false, Some(0.5), Some(ms(31)), every));
        assert!(!theory_due(false, Some(0.4), Some(ms(25)), every));
        // ×0.1: 0.05 model seconds in half a second of wall clock.
        assert!(theory_due(false, Some(0.05), Some(ms(500)), every));
        // Unpaced: model time alone.
        assert!(!theory_due(true, Some(0.4), Some(ms(5000)), every));
        assert!(theory_due(true, Some(0.5), Some(ms(1)), every));
        // ×1 with fast solves: every 0.1 s of wall clock.
        assert!(theory_due(false, Some(0.1), Some(ms(100)), ms(100)));
        assert!(!theory_due(true, Some(0.1), Some(ms(100)), ms(100)));
    }

    /// The wall clock's interval follows the last solve: 0.1 s for the built-in set's 3 ms,
    /// half a second (as before) for a large set's 0.74 s, and before any solve.
    #[test]
    fn the_theory_is_checked_as_often_as_its_solves_allow() {
        let ms = Duration::from_millis;
        assert_eq!(theory_wall_every(None), ms(500));
        assert_eq!(theory_wall_every(Some(ms(3))), ms(100));
        assert_eq!(theory_wall_every(Some(ms(40))), ms(200));
        assert_eq!(theory_wall_every(Some(ms(740))), ms(500));
    }

    #[test]
    fn the_rate_is_unknown_until_its_first_window_closes_not_zero() {
        // A user trial read "0 steps/s" for seconds while pressing ] (each press starts the
        // measurement afresh).
        let t0 = Instant::now();
        let mut rate = Rate::new(t0, 1000);
        assert!(rate.per_sec.is_nan());
        rate.update(t0 + RATE_WINDOW / 2, 1050);
        assert!(rate.per_sec.is_nan(), "half a window: still measuring");
        rate.update(t0 + RATE_WINDOW, 1100);
        assert!((rate.per_sec - 200.0).abs() < 1e-9, "{}", rate.per_sec);
    }

    /// At ×0.01 (a step a second) a half-second window held none or one step, and the status
    /// line read "0 steps/s" while the model stepped: the window waits for ten steps, or five
    /// seconds.
    #[test]
    fn a_slow_rate_is_measured_over_enough_steps() {
        let t0 = Instant::now();
        let mut rate = Rate::new(t0, 0);
        let s = Duration::from_secs;
        rate.update(t0 + s(1), 0);
        assert!(rate.per_sec.is_nan(), "no step yet: still measuring, not 0");
        rate.update(t0 + s(3), 2);
        assert!(rate.per_sec.is_nan(), "{}", rate.per_sec);
        rate.update(t0 + s(5), 5);
        assert!((rate.per_sec - 1.0).abs() < 1e-9, "{}", rate.per_sec);
    }

    #[test]
    fn a_second_bad_file_is_the_newest_error_and_the_first_is_not_logged_again() {
        let mut problem = vec!["stripes.txt:6:4: unknown character".to_string()];
        let now = vec!["rand.txt: empty file".to_string(), problem[0].clone()];
        assert_eq!(
            appeared(now.clone(), &mut problem),
            vec!["rand.txt: empty file".to_string()]
        );
        assert_eq!(problem, now);
        // Nothing new: nothing logged; fixed, then broken again: logged again.
        assert!(appeared(now, &mut problem).is_empty());
        assert!(appeared(Vec::new(), &mut problem).is_empty());
        assert_eq!(
            appeared(vec!["a".into()], &mut problem),
            vec!["a".to_string()]
        );
    }

    #[test]
    fn a_batch_is_one_frame_at_watching_speeds_and_a_few_at_full_speed() {
        // The default frame of 0.1 s: one frame a batch up to ×39 (a glitch acts within two
        // frames), then as many as 5 ms of wall-clock time shows, at most eight.
        for speed in [0.1, 1.0, 8.0, 39.0] {
            assert_eq!(frames_ahead(speed, 0.1), 1, "×{speed}");
        }
        assert_eq!(frames_ahead(40.0, 0.1), 2);
        assert_eq!(frames_ahead(100.0, 0.1), 5);
        assert_eq!(frames_ahead(500.0, 0.1), MAX_FRAMES_AHEAD);
        assert_eq!(frames_ahead(1.0, 0.0), MAX_FRAMES_AHEAD);
    }
}
