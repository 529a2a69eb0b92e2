//! The live pipeline: producer, simulator and pattern-watcher threads and the messages between
//! them, over bounded crossbeam channels. The whole protocol is in this file.
//!
//! ```text
//!  producer ──Frame (bounded, blocking; a stream left behind is dropped)──▶ simulator ──Snapshot (bounded 1: state,
//!     ▲                                                    │  ▲         the UI keeps the newest)──▶ UI
//!     └──StreamControl (glitch, next, scenario, memories)──┘  │  ──LogEntry (bounded, never lost)──▶ UI
//!  watcher ──PatternEvent (bounded)───────────────────────────┘
//!  UI ──Control (bounded)──▶ simulator
//!  simulator ──SolveRequest (density view, newest wins)──▶ density solver ──SolveResult──▶ simulator
//! ```
//!
//! Frames are the signal: the simulator consumes every frame in order and holds each one for
//! `frame_secs` of model time, so a run is reproducible for a seed whatever the frame rate. Only
//! a control that starts another stream (a scenario, the next stimulus) passes over the frames
//! made before it and ends the one shown, so that the switch shows at once.
//! Snapshots are state: the simulator publishes one only when the slot is free. Log entries are
//! rare; the simulator keeps a backlog when their channel is full, so none is lost.

mod core;
pub mod density;
pub mod landscape;
mod lesson;
mod outbox;
mod producer;
mod simulator;
mod snapshot;
mod theory;

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context;
use crossbeam_channel::{Receiver, Sender, bounded};

use crate::model::{Memories, ModelKind, Params};
use crate::stimulus::held::HeldInput;
use crate::stimulus::{ScenarioName, StreamConfig};
use crate::tracking::Event;

pub use self::core::{
    DISPLAY_SAMPLE_SECS, DISPLAY_TAU_SECS, HISTORY_LEN, RunStatus, SimCore, THEORY_EVERY_SECS,
    display_sample_steps,
};
pub use self::density::{DensitySettings, DensityView};
pub use self::lesson::LessonControl;
pub use self::lesson::live_at as lesson_live;
pub(crate) use self::simulator::explore_start;
pub use self::snapshot::{ModelView, Snapshot, Status};

/// Batches of frames the producer may run ahead of the simulator (small, so that g, n and s act
/// fast: a batch is one frame at the speeds people watch, see `simulator::frames_ahead`).
pub const FRAME_QUEUE: usize = 2;
/// Log entries in flight to the UI before the simulator starts a backlog.
pub const LOG_QUEUE: usize = 256;
/// Controls in flight from the UI.
pub const CONTROL_QUEUE: usize = 64;
/// Pattern updates in flight from the watcher.
pub const PATTERN_QUEUE: usize = 16;

/// A command from the UI to the simulator.
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    SetPaused(bool),
    /// Resume when paused (and say so); nothing otherwise. What a served run gets when the last
    /// screen that could control it leaves (`serve::viewer`): sent in order after that screen's
    /// own controls, so a pause that came just before it is undone too.
    ResumeIfPaused,
    /// σ of every model's noise (≥ 0).
    SetNoise(f64),
    /// Model seconds per wall-clock second (> 0).
    SetSpeed(f64),
    /// The models to run, primary first; models already running keep their state.
    SetModels(Vec<ModelKind>),
    /// Start a glitch in the stream now.
    InjectGlitch,
    /// Jump to the stream's next stimulus.
    SkipToNext,
    SetScenario(ScenarioName),
    /// The live view of the paper's Fig. 4 with these σ and α₁, α₂: switches to the `density`
    /// scenario if the run is elsewhere (the network and its stream wait meanwhile), else
    /// changes the settings (the particles go on; the samples start again after a burn-in).
    /// Settings out of range are refused with a log line and change nothing.
    SetDensity(DensitySettings),
    /// Redraw every model's state at random.
    ResetState,
    /// Show the models `input` instead of the stream from the next frame on (the stream
    /// waits); `None` returns to the stream.
    Hold(Option<HeldInput>),
    /// Add a memory to the running set (without a pattern directory: it is not kept).
    AddMemory {
        name: String,
        pixels: Vec<bool>,
    },
    /// Store a new memory: with a pattern directory, written there as NAME.txt (replacing a
    /// file only with `overwrite`) and loaded by the watcher; without one, [`Control::AddMemory`].
    /// Handled by whoever owns the pattern directory (the UI shell).
    StoreMemory {
        name: String,
        pixels: Vec<bool>,
        overwrite: bool,
    },
    /// Rescan the pattern directory now. Handled by whoever owns the watcher (the UI shell);
    /// the simulator ignores it.
    ReloadPatterns,
    /// The controls that follow are this person's (`recall serve`, where several screens
    /// control one run): the simulator names them in the log lines they cause.
    Actor(Option<Arc<str>>),
    /// A lesson (`recall lesson`): start one, or turn its page. Its chapters become the
    /// controls above; its caption travels in every snapshot.
    Lesson(LessonControl),
    /// Stop every thread.
    Quit,
}

/// A command from the simulator to the producer.
#[derive(Debug, Clone)]
pub enum StreamControl {
    InjectGlitch,
    /// The next stimulus, from model time `at_secs` (where the simulator shows the next frame).
    SkipToNext {
        at_secs: f64,
    },
    /// Another scenario, from model time `at_secs`.
    SetScenario {
        name: ScenarioName,
        at_secs: f64,
    },
    /// The stream goes on from model time `at_secs` where it stopped (it waited while an input
    /// was held by hand).
    Resync {
        at_secs: f64,
    },
    SetMemories(Arc<Memories>),
}

/// What the pattern watcher (`patterns::watch`) reports to the simulator: a new set with its
/// changes, or a change in the list of bad files.
pub use crate::patterns::watch::PatternEvent as PatternUpdate;

/// Who a log line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Model(ModelKind),
    Stream,
    Patterns,
    User,
    /// `recall serve`: who joined, who left.
    Server,
}

/// What kind of line it is (for its style).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    Retrieved,
    Transition,
    Confusion,
    GlitchCorrected,
    GlitchFollowed,
    GlitchNotTracking,
    Patterns,
    Error,
    Info,
}

/// One line of the event log, in model time.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub time_secs: f64,
    pub source: Source,
    pub kind: LogKind,
    pub text: String,
    /// Who acted, on a run that several people control (`recall serve`: "presenter alice",
    /// "host terminal"); `None`: the one user there is ("you").
    pub who: Option<Arc<str>>,
}

impl LogEntry {
    /// A tracking event of model `kind`, described with the memory names.
    pub fn from_event(event: &Event, kind: ModelKind, names: &[String]) -> Self {
        let (time_secs, log_kind) = match *event {
            Event::Retrieved { time_secs, .. } => (time_secs, LogKind::Retrieved),
            Event::Transition { time_secs, .. } => (time_secs, LogKind::Transition),
            Event::Confusion { time_secs } => (time_secs, LogKind::Confusion),
            Event::GlitchCorrected { time_secs, .. } => (time_secs, LogKind::GlitchCorrected),
            Event::GlitchFollowed { time_secs, .. } => (time_secs, LogKind::GlitchFollowed),
            Event::GlitchNotTracking { time_secs, .. } => (time_secs, LogKind::GlitchNotTracking),
            Event::Diverged { time_secs } => (time_secs, LogKind::Error),
        };
        Self {
            time_secs,
            source: Source::Model(kind),
            kind: log_kind,
            text: event.describe(names),
            who: None,
        }
    }
}

/// How the simulator paces model time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pacing {
    /// `speed` model seconds per wall second; a snapshot `snapshot_hz` times per wall second.
    WallClock { snapshot_hz: f64 },
    /// As fast as possible; a snapshot every `snapshot_every_steps` steps (headless tests). The
    /// theory is solved on the simulator's thread every half model second, so that what a run
    /// shows of it does not depend on how busy the machine is.
    Unpaced { snapshot_every_steps: u64 },
}

/// Everything needed to start a pipeline.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub memories: Arc<Memories>,
    pub scenario: ScenarioName,
    pub stream: StreamConfig,
    pub params: Params,
    /// At least one; the primary model first.
    pub models: Vec<ModelKind>,
    pub seed: u64,
    /// Model seconds per wall-clock second (WallClock pacing).
    pub speed: f64,
    pub pacing: Pacing,
    /// Stop (with a final snapshot marked `finished`) at this model time (in the density view,
    /// the particles' model time; its final snapshot waits for the solve of its settings).
    pub stop_at_secs: Option<f64>,
    /// Start paused.
    pub paused: bool,
}

/// The running threads and the UI's ends of the channels.
pub struct Pipeline {
    controls: Sender<Control>,
    snapshots: Receiver<Box<Snapshot>>,
    log: Receiver<LogEntry>,
    patterns: Sender<PatternUpdate>,
    threads: Vec<Worker>,
}

/// How long shutdown waits for the threads before leaving them to end with the process.
pub const SHUTDOWN_WAIT: Duration = Duration::from_millis(150);

/// A pipeline thread and a channel that closes when it ends (std has no join with a timeout).
struct Worker {
    name: &'static str,
    handle: JoinHandle<()>,
    ended: Receiver<()>,
}

impl Worker {
    fn spawn(name: &'static str, run: impl FnOnce() + Send + 'static) -> anyhow::Result<Self> {
        let (ended_tx, ended) = bounded::<()>(0);
        let handle = std::thread::Builder::new()
            .name(format!("recall-{name}"))
            .spawn(move || {
                let _ended = ended_tx;
                run();
            })
            .with_context(|| format!("cannot start the {name} thread"))?;
        Ok(Self {
            name,
            handle,
            ended,
        })
    }
}

impl Pipeline {
    /// Builds the models and starts the producer and simulator threads.
    pub fn start(config: PipelineConfig) -> anyhow::Result<Self> {
        anyhow::ensure!(!config.models.is_empty(), "no model to run");
        anyhow::ensure!(
            config.speed.is_finite() && config.speed > 0.0,
            "speed must be > 0"
        );
        let core = SimCore::new(
            Arc::clone(&config.memories),
            config.params.clone(),
            &config.models,
            config.seed,
            config.stream.frame_secs,
        )
        .context("cannot build the models")?;
        let (frame_tx, frame_rx) = bounded::<producer::FrameBatch>(FRAME_QUEUE);
        let (stream_tx, stream_rx) = bounded::<StreamControl>(CONTROL_QUEUE);
        let (control_tx, control_rx) = bounded::<Control>(CONTROL_QUEUE);
        let (snapshot_tx, snapshot_rx) = bounded::<Box<Snapshot>>(1);
        let (log_tx, log_rx) = bounded::<LogEntry>(LOG_QUEUE);
        let (pattern_tx, pattern_rx) = bounded::<PatternUpdate>(PATTERN_QUEUE);
        // At most one solve under way per model, so a queue as long as the models never fills.
        let (theory_request_tx, theory_request_rx) = bounded(ModelKind::ALL.len());
        let (theory_result_tx, theory_result_rx) = bounded(ModelKind::ALL.len());
        // The density view's solves: the solver takes the newest of what waits.
        let (density_request_tx, density_request_rx) = bounded(4);
        let (density_result_tx, density_result_rx) = bounded(4);

        // The stream's clock follows the session's: a frame lasts a whole number of steps.
        let stream_config = StreamConfig {
            frame_secs: core.session().frame_secs(),
            ..config.stream.clone()
        };
        let stream = crate::stimulus::Stream::new(
            config.scenario,
            Arc::clone(&config.memories),
            stream_config,
            config.seed,
        );
        // Frames a batch: the simulator sets it from its speed, the producer reads it.
        let batch = Arc::new(std::sync::atomic::AtomicUsize::new(1));
        let producer_batch = Arc::clone(&batch);
        let producer = Worker::spawn("producer", move || {
            producer::run(stream, frame_tx, stream_rx, producer_batch)
        })?;
        let channels = simulator::Channels {
            frames: frame_rx,
            stream: stream_tx,
            controls: control_rx,
            patterns: pattern_rx,
            snapshots: snapshot_tx,
            log: log_tx,
            theory_requests: theory_request_tx,
            theory_results: theory_result_rx,
            batch,
            density_requests: density_request_tx,
            density_results: density_result_rx,
        };
        let settings = simulator::Settings::from(&config);
        let simulator = Worker::spawn("simulator", move || {
            simulator::run(core, settings, channels)
        })?;
        let theory = Worker::spawn("theory", move || {
            theory::run(theory_request_rx, theory_result_tx)
        })?;
        let solver = Worker::spawn("density", move || {
            density::run_solver(density_request_rx, density_result_tx)
        })?;
        Ok(Self {
            controls: control_tx,
            snapshots: snapshot_rx,
            log: log_rx,
            patterns: pattern_tx,
            threads: vec![producer, simulator, theory, solver],
        })
    }

    /// Where the UI sends its commands.
    pub fn controls(&self) -> &Sender<Control> {
        &self.controls
    }

    /// Snapshots, newest state only (capacity 1).
    pub fn snapshots(&self) -> &Receiver<Box<Snapshot>> {
        &self.snapshots
    }

    /// Event-log lines, in order, none lost.
    pub fn log(&self) -> &Receiver<LogEntry> {
        &self.log
    }

    /// Where a pattern watcher (`patterns::watch::Watcher`) sends its events.
    pub fn pattern_sender(&self) -> Sender<PatternUpdate> {
        self.patterns.clone()
    }

    /// Asks every thread to stop and joins them. Safe to call whatever state the threads are
    /// in: the simulator stops on `Quit` or when the UI's ends are dropped (it looks between
    /// batches of at most 20 ms), the producer when the simulator's end of the frame channel is
    /// dropped. A thread that has not ended after [`SHUTDOWN_WAIT`] is left to end with the
    /// process, so shutdown never hangs.
    pub fn shutdown(self) -> anyhow::Result<()> {
        let Self {
            controls,
            snapshots,
            log,
            patterns,
            threads,
        } = self;
        // The simulator may be full of snapshots or log lines: dropping our receivers unblocks it.
        let _ = controls.try_send(Control::Quit);
        drop((controls, snapshots, log, patterns));
        let deadline = std::time::Instant::now() + SHUTDOWN_WAIT;
        let mut failed = Vec::new();
        for worker in threads {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            // Disconnected: the thread has ended (or panicked) and the join returns at once.
            let ended = worker
                .ended
                .recv_timeout(left)
                .is_err_and(|e| e.is_disconnected());
            if ended && worker.handle.join().is_err() {
                failed.push(worker.name);
            }
        }
        anyhow::ensure!(
            failed.is_empty(),
            "thread(s) panicked: {}",
            failed.join(", ")
        );
        Ok(())
    }
}
