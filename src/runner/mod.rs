//! The headless runner: `recall run` drives one or more models on one stream through the
//! [`Session`] and writes samples, events and summaries to a [`Record`] sink (JSON lines or CSV)
//! as they happen.

mod figure;
pub mod npy;
pub mod output;
pub mod paths;
pub mod table;
pub mod theory;
pub mod trace;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::Receiver;
use serde::Serialize;

use crate::model::{Memories, ModelKind, Params};
use crate::patterns::watch::PatternEvent;
use crate::session::{OnDivergence, ProjectedFrame, Report, Session, SessionConfig, Spent};
use crate::stimulus::held::{Held, HeldInput};
use crate::stimulus::{ScenarioName, Stream, StreamConfig};
use crate::tracking::{Event, Summary, TrackerConfig};

/// Model seconds `recall run` simulates when `--duration` is not given.
pub const DEFAULT_RUN_SECS: f64 = 120.0;
/// The most steps one run may take (about an hour and a half of one core at N = 1024).
pub const MAX_RUN_STEPS: f64 = 1e9;

/// Output format of `recall run`, by its command-line name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::VariantArray, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum Format {
    Jsonl,
    Csv,
    /// Only the summary table, when the run ends.
    Table,
}

/// A run given its input and initial state as arrays (`--input`, `--init-state`), so that
/// other code can integrate the same system.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fixed {
    /// A constant input u (length N, used as given: no input gain) replacing the scenario's
    /// stream, with the name it is shown by (the file).
    pub input: Option<(Vec<f32>, String)>,
    /// x(0) (length N) instead of a random draw; also for the models that take the input as
    /// their initial state (classic-initial, discrete), whose x(0) it replaces.
    pub init_state: Option<Vec<f32>>,
    /// The `explore` scenario's saliencies, one α per memory (`--saliencies`); the input is the
    /// mixture of memories that gives exactly these α. Every α is 0 when not given.
    pub saliencies: Option<Vec<f64>>,
}

/// Files a run writes beside its records.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunFiles {
    /// Every sample's full state x, as NPY float32 (samples, N) (or (samples, models, N)).
    pub save_states: Option<PathBuf>,
    /// Ξ as NPY float32 (P, N), row μ = ξ_μ.
    pub save_memories: Option<PathBuf>,
    /// The overlaps figure (`.svg` or `.png`).
    pub plot: Option<PathBuf>,
}

/// Everything a run needs besides the memories.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub scenario: ScenarioName,
    /// The models, in output order (at least one).
    pub models: Vec<ModelKind>,
    pub params: Params,
    pub stream: StreamConfig,
    pub tracker: TrackerConfig,
    /// Model seconds to run (> 0).
    pub duration_secs: f64,
    /// Model seconds between two samples (> 0).
    pub every_secs: f64,
    pub seed: u64,
    pub fixed: Fixed,
    pub files: RunFiles,
    /// The pattern directory the memories came from (`--patterns`; none: the built-in set),
    /// for the header.
    pub patterns: Option<PathBuf>,
    /// Set (by Ctrl-C) to end the run early: it ends at the next frame boundary and writes
    /// each model's summary of what ran (its `duration_secs` says how far it got).
    pub stop: Option<Arc<AtomicBool>>,
}

impl RunConfig {
    /// The steps the run takes, or why it cannot be run.
    pub fn total_steps(&self) -> Result<u64, String> {
        let steps = (self.duration_secs / self.params.dt_secs).round();
        if steps == 0.0 {
            // It would step nothing and report an empty summary.
            let shown = crate::model::params::shown;
            return Err(format!(
                "--duration {} s is less than half a step (--dt {} s), so nothing would run: \
                 give at least {}",
                shown(&self.duration_secs),
                shown(&self.params.dt_secs),
                shown(&(self.params.dt_secs / 2.0))
            ));
        }
        if steps > MAX_RUN_STEPS {
            return Err(format!(
                "--duration {} s at --dt {} s is {steps:.3e} steps; a run takes at most {MAX_RUN_STEPS:.0e} \
                 (use a shorter duration or a larger dt)",
                self.duration_secs, self.params.dt_secs
            ));
        }
        Ok(steps as u64)
    }

    /// The steps between two samples: `--every` must be a whole number of steps of `--dt`
    /// (to a rounding), since samples fall on steps; the header's `every_secs` and the times
    /// k·every of `--save-states` are then the samples' own.
    pub fn sample_steps(&self) -> Result<u64, String> {
        let (every, dt) = (self.every_secs, self.params.dt_secs);
        let ratio = every / dt;
        let whole = ratio.round();
        if whole >= 1.0 && (ratio - whole).abs() <= 1e-9 * whole {
            return Ok(whole as u64);
        }
        let shown = crate::model::params::shown;
        let below = (ratio.floor().max(1.0)) * dt;
        let above = ratio.ceil().max(1.0) * dt;
        let give = if below == above {
            shown(&below)
        } else {
            format!("{} or {}", shown(&below), shown(&above))
        };
        Err(format!(
            "--every {} s is not a whole number of steps of --dt {} s (samples fall on steps): \
             give {give}",
            shown(&every),
            shown(&dt)
        ))
    }
}

/// One model's readout at a sample time.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSample {
    pub model: ModelKind,
    /// The tracker's (debounced) retrieved memory.
    pub retrieved: Option<usize>,
    pub overlaps: Vec<f32>,
    pub saliencies: Vec<f32>,
    /// `None` once the model has diverged.
    pub energy: Option<f64>,
}

/// The state of every model at one sample time.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub time_secs: f64,
    /// The stimulus' dominant memory.
    pub truth: Option<usize>,
    pub glitch: bool,
    pub label: String,
    pub models: Vec<ModelSample>,
}

/// Where a run's records go. An error stops the run (e.g. a closed pipe).
pub trait Record {
    fn sample(&mut self, sample: &Sample) -> std::io::Result<()>;
    fn event(&mut self, model: ModelKind, event: &Event) -> std::io::Result<()>;
    fn summary(&mut self, model: ModelKind, summary: &Summary) -> std::io::Result<()>;
    /// Whether the sink records the solved theory (solving costs milliseconds a model).
    fn wants_theory(&self) -> bool {
        false
    }
    /// Whether the sink records the samples (a sample costs each model's energy, a logarithm
    /// pair per neuron off saturation: 3.6 µs at N = 1024, next to a step's 2 µs, every 50 steps
    /// at the default --every).
    fn wants_samples(&self) -> bool {
        true
    }
    /// A model's solved theory: at the start, and when its landscape moved materially.
    fn theory(&mut self, _record: &theory::TheoryRecord) -> std::io::Result<()> {
        Ok(())
    }
    /// The memory set was reloaded, or its files' errors changed.
    fn patterns(&mut self, _record: &PatternsRecord) -> std::io::Result<()> {
        Ok(())
    }
}

/// What a reload of the pattern files did.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternsRecord<'a> {
    /// Model time of the reload.
    pub time_secs: f64,
    /// The set in use now.
    pub names: &'a [String],
    /// What changed: "added owl", "changed cat", "removed dog".
    pub changes: &'a [String],
    /// The files that are bad now (path:line:col: what).
    pub errors: &'a [String],
    /// Every file is gone or bad, and the set in use is the last good one.
    pub kept_last_good_set: bool,
    /// What `recall check` would warn about the new set (duplicates, negatives, memories too
    /// similar to be told apart, more memories than the classic capacity).
    pub warnings: &'a [String],
}

/// Runs `config` over `memories`, writing to `out`; returns each model's summary. Reloads from
/// `reloads` are applied at the next frame boundary.
pub fn simulate(
    config: &RunConfig,
    memories: Arc<Memories>,
    out: &mut dyn Record,
    reloads: Option<&Receiver<PatternEvent>>,
) -> anyhow::Result<Vec<(ModelKind, Summary)>> {
    Ok(simulate_traced(config, memories, out, reloads, None)?.0)
}

/// Where a run's frames come from: the scenario's stream, generated ahead on a thread of its
/// own, or one constant input.
enum Source {
    Stream(Ahead),
    Constant(crate::stimulus::Frame),
}

impl Source {
    /// The next frame of `n` pixels. Frames of another size were in flight across a reload
    /// that changed N, and are passed over (the stream never drops a frame otherwise, so the
    /// sequence is the one the stream generates, whatever the thread's timing).
    fn next_frame(&mut self, n: usize) -> anyhow::Result<ProjectedFrame> {
        match self {
            Source::Stream(ahead) => loop {
                let ready = ahead.next()?;
                if ready.frame.input.len() == n {
                    return Ok(ready);
                }
                ahead.give_back(Returned::Spent(Spent {
                    frame: Some(ready.frame),
                    projection: ready.projection,
                }));
            },
            Source::Constant(f) => {
                let frame = f.clone();
                f.changed = false;
                Ok(ProjectedFrame::plain(frame))
            }
        }
    }

    /// Feeds the next frame of `session`'s size to it, handing what it is done with back to
    /// the thread that made it.
    fn feed(&mut self, session: &mut Session) -> anyhow::Result<()> {
        let spent = session.feed_ready(self.next_frame(session.memories().n())?)?;
        if let Source::Stream(ahead) = self {
            ahead.give_back(Returned::Spent(spent));
        }
        Ok(())
    }
}

/// What the simulation hands back to the stream's thread, to be freed or reused there (see
/// [`Spent`]).
enum Returned {
    Spent(Spent),
    /// An emptied batch, whose allocation carries the next one.
    Batch(Vec<ProjectedFrame>),
}

/// Frames the stream's thread hands over at a time: 64, or fewer for large images, so that a
/// batch holds at most 4 MiB of pixels (8 frames at 256×256). A hand-over wakes the other
/// thread, which costs microseconds: one a frame cost as much as the frame's work saved, and
/// one every 16 frames still 3% of a run at N = 1024.
fn frames_per_batch(n: usize) -> usize {
    // A frame holds two images of N floats (the image and the input).
    ((4 << 20) / (8 * n.max(1))).clamp(4, 64)
}
/// Batches that may wait, generated ahead of the simulation.
const BATCHES_AHEAD: usize = 2;

/// The stream on a thread of its own, generating its frames ahead of the simulation in
/// batches, in order, none dropped; a reloaded set reaches it between two batches.
struct Ahead {
    batches: Option<Receiver<Vec<ProjectedFrame>>>,
    memories: Option<crossbeam_channel::Sender<Arc<Memories>>>,
    returns: Option<crossbeam_channel::Sender<Returned>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The current batch, reversed (the next frame is last).
    batch: Vec<ProjectedFrame>,
}

impl Ahead {
    fn spawn(mut stream: Stream) -> anyhow::Result<Self> {
        let (batch_tx, batch_rx) = crossbeam_channel::bounded(BATCHES_AHEAD);
        // Unbounded: the simulation must never wait on a send to a thread that may itself be
        // waiting for it to take a batch (reloads are rare, and each is one `Arc`).
        let (memories_tx, memories_rx) = crossbeam_channel::unbounded::<Arc<Memories>>();
        // Unbounded too, and never waited on: what comes back is freed or reused at the next
        // batch.
        let (returns_tx, returns_rx) = crossbeam_channel::unbounded::<Returned>();
        let thread = std::thread::Builder::new()
            .name("recall-stream".into())
            .spawn(move || {
                let mut spare = Vec::new();
                loop {
                    for memories in memories_rx.try_iter() {
                        stream.set_memories(memories);
                    }
                    for returned in returns_rx.try_iter() {
                        match returned {
                            Returned::Spent(spent) => drop(spent),
                            Returned::Batch(empty) => spare = empty,
                        }
                    }
                    let size = frames_per_batch(stream.memories().n());
                    let mut batch = std::mem::take(&mut spare);
                    batch.clear();
                    batch.extend((0..size).map(|_| {
                        let frame = stream.next_frame();
                        ProjectedFrame::new(frame, stream.memories())
                    }));
                    batch.reverse();
                    if batch_tx.send(batch).is_err() {
                        return;
                    }
                }
            })
            .map_err(|e| anyhow::anyhow!("cannot start the stream's thread: {e}"))?;
        Ok(Self {
            batches: Some(batch_rx),
            memories: Some(memories_tx),
            returns: Some(returns_tx),
            thread: Some(thread),
            batch: Vec::new(),
        })
    }

    fn next(&mut self) -> anyhow::Result<ProjectedFrame> {
        if self.batch.is_empty() {
            // Back before the wait: the thread this wakes finds it for its next batch.
            let empty = std::mem::take(&mut self.batch);
            self.give_back(Returned::Batch(empty));
            self.batch = self
                .batches
                .as_ref()
                .and_then(|rx| rx.recv().ok())
                .ok_or_else(|| anyhow::anyhow!("the stream's thread stopped"))?;
        }
        self.batch
            .pop()
            .ok_or_else(|| anyhow::anyhow!("the stream's thread sent no frame"))
    }

    /// Hands `returned` to the stream's thread (dropped here if that has stopped).
    fn give_back(&self, returned: Returned) {
        if let Some(tx) = &self.returns {
            let _ = tx.send(returned);
        }
    }

    /// The frames already generated are from the old set (matched to the new one by name, or
    /// passed over when N changed); the next batch is made from `memories`.
    fn set_memories(&self, memories: Arc<Memories>) {
        if let Some(tx) = &self.memories {
            // A stopped thread shows as the next frame's error.
            let _ = tx.send(memories);
        }
    }
}

impl Drop for Ahead {
    /// Closes the three channels (the thread returns at its next send) and waits for it.
    fn drop(&mut self) {
        self.batches.take();
        self.memories.take();
        self.returns.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A frame holding `u` for ever; its truth is the memory u is most about (largest |α_μ|), none
/// when u is about no memory (every α_μ is 0).
fn constant_frame(u: &[f32], name: &str, memories: &Memories) -> crate::stimulus::Frame {
    let mut alpha = vec![0.0f32; memories.p()];
    memories.project(u, &mut alpha);
    let truth = (0..alpha.len())
        .max_by(|&a, &b| alpha[a].abs().total_cmp(&alpha[b].abs()))
        .filter(|&mu| alpha[mu] != 0.0);
    crate::stimulus::Frame {
        time_secs: 0.0,
        image: u.to_vec(),
        input: u.to_vec(),
        truth,
        names: memories.names().into(),
        changed: true,
        glitch: false,
        label: format!("input {name}"),
    }
}

/// Each model's summary, and the trace when one was asked for.
pub type Traced = (Vec<(ModelKind, Summary)>, Option<trace::RunTrace>);

/// As [`simulate`], also recording the overlaps once per frame into a trace when `trace` is
/// given, and every sample's state into `states` when given.
pub fn simulate_traced(
    config: &RunConfig,
    memories: Arc<Memories>,
    out: &mut dyn Record,
    reloads: Option<&Receiver<PatternEvent>>,
    mut states: Option<&mut npy::StateWriter>,
) -> anyhow::Result<Traced> {
    let mut session = Session::new(
        Arc::clone(&memories),
        SessionConfig {
            models: config.models.clone(),
            params: config.params.clone(),
            seed: config.seed,
            frame_secs: config.stream.frame_secs,
            tracker: config.tracker.clone(),
            on_divergence: OnDivergence::Stop,
        },
    )?;
    // The stream's clock follows the session's: a frame lasts a whole number of steps.
    let stream_config = StreamConfig {
        frame_secs: session.frame_secs(),
        ..config.stream.clone()
    };
    let mut source = match &config.fixed.input {
        Some((u, name)) => Source::Constant(constant_frame(u, name, &memories)),
        // The walk through the theory holds its saliencies (the dashboard's arrows, as flags).
        None if config.scenario == ScenarioName::Explore => {
            let alpha = config
                .fixed
                .saliencies
                .clone()
                .unwrap_or_else(|| vec![0.0; memories.p()]);
            let mut held = Held::new(HeldInput::Saliencies(alpha), stream_config, config.seed);
            Source::Constant(held.frame(&memories, 0.0))
        }
        None => Source::Stream(Ahead::spawn(Stream::new(
            config.scenario,
            Arc::clone(&memories),
            stream_config,
            config.seed,
        ))?),
    };
    let total_steps = config.total_steps().map_err(anyhow::Error::msg)?;
    let sample_steps = config.sample_steps().map_err(anyhow::Error::msg)?;
    let mut reports = Vec::new();
    source.feed(&mut session)?;
    if let Some(x0) = &config.fixed.init_state {
        session.set_state(x0)?;
    }
    let mut theory = out.wants_theory().then(theory::TheoryWatch::default);
    let mut record_theory = |session: &Session, out: &mut dyn Record| -> std::io::Result<()> {
        for record in theory.iter_mut().flat_map(|t| t.check(session)) {
            out.theory(&record)?;
        }
        Ok(())
    };
    record_theory(&session, out)?;
    let mut trace = config
        .files
        .plot
        .is_some()
        .then(|| trace::RunTrace::new(&session));
    let mut take_sample = |session: &Session, out: &mut dyn Record| -> anyhow::Result<()> {
        if out.wants_samples() {
            out.sample(&sample(session))?;
        }
        if let Some(w) = states.as_deref_mut() {
            w.append(session)?;
        }
        Ok(())
    };
    take_sample(&session, out)?;
    if let Some(t) = trace.as_mut() {
        t.record(&session);
    }
    let stopped = || {
        config
            .stop
            .as_ref()
            .is_some_and(|stop| stop.load(Ordering::Relaxed))
    };
    while session.steps() < total_steps {
        if session.needs_frame() {
            if stopped() {
                break;
            }
            for event in reloads.into_iter().flat_map(|rx| rx.try_iter()) {
                apply_reload(event, &mut source, &mut session, out)?;
            }
            source.feed(&mut session)?;
            record_theory(&session, out)?;
        }
        session.step(&mut reports);
        for report in reports.drain(..) {
            if let Report::Tracked { model, event } = report {
                out.event(model, &event)?;
            }
        }
        if session.steps().is_multiple_of(sample_steps) {
            take_sample(&session, out)?;
        }
        if let Some(t) = trace.as_mut()
            && session.needs_frame()
        {
            t.record(&session);
        }
    }
    let mut summaries = Vec::with_capacity(config.models.len());
    for (model, events, summary) in session.finish() {
        for event in &events {
            out.event(model, event)?;
        }
        out.summary(model, &summary)?;
        summaries.push((model, summary));
    }
    Ok((summaries, trace))
}

/// Installs a reloaded memory set in the stream and the session (states are kept, tracking
/// follows the memories by name) and records what changed.
fn apply_reload(
    event: PatternEvent,
    source: &mut Source,
    session: &mut Session,
    out: &mut dyn Record,
) -> std::io::Result<()> {
    let text = |errors: &[crate::patterns::FileError]| -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    };
    let time_secs = session.time_secs();
    let (changes, errors, kept_last_good_set, warnings) = match event {
        PatternEvent::Reloaded(r) => {
            if let Source::Stream(ahead) = source {
                ahead.set_memories(Arc::clone(&r.memories));
            }
            session.set_memories(Arc::clone(&r.memories));
            let changes = r.changes.iter().map(ToString::to_string).collect();
            let warnings = r.warnings.iter().map(ToString::to_string).collect();
            (changes, text(&r.errors), false, warnings)
        }
        PatternEvent::Errors(e) => (
            Vec::new(),
            text(&e.errors),
            e.kept_last_good_set,
            Vec::new(),
        ),
    };
    out.patterns(&PatternsRecord {
        time_secs,
        names: session.memories().names(),
        changes: &changes,
        errors: &errors,
        kept_last_good_set,
        warnings: &warnings,
    })
}

fn sample(session: &Session) -> Sample {
    let frame = session.frame();
    Sample {
        time_secs: session.time_secs(),
        truth: frame.and_then(|f| f.truth),
        glitch: frame.is_some_and(|f| f.glitch),
        label: frame.map_or_else(String::new, |f| f.label.clone()),
        models: session
            .models()
            .iter()
            .map(|r| ModelSample {
                model: r.kind(),
                retrieved: r.tracker().retrieved(),
                overlaps: r.net().overlaps(),
                saliencies: r.net().saliencies().to_vec(),
                energy: (!r.diverged()).then(|| r.net().energy()),
            })
            .collect(),
    }
}

/// The first JSON line: what was run.
#[derive(Debug, Serialize)]
struct RunInfo<'a> {
    /// The scenario: null with `--input`, whose constant vector replaces the stream and is used
    /// as given.
    scenario: Option<&'a str>,
    models: Vec<&'static str>,
    duration_secs: f64,
    every_secs: f64,
    dt_secs: f64,
    noise_std: f64,
    /// The input gain and the pixel flips of the stream: null where no stream's image runs
    /// (`--input`; `explore`, whose input is made from its saliencies alone).
    input_gain: Option<f64>,
    activation_gain: f64,
    tau_alpha_secs: f64,
    /// β of the modern models' softmax (`--beta`).
    beta: f64,
    flip_prob: Option<f64>,
    zero_diagonal: bool,
    seed: u64,
    settle_secs: f64,
    /// The pattern directory (`--patterns`), or null for the built-in set.
    patterns: Option<String>,
    /// The constant input's file (`--input`), if the run has one instead of a scenario.
    input: Option<&'a str>,
    /// The initial state was given (`--init-state`).
    init_state: bool,
    /// The `explore` scenario's saliencies (one per memory; all 0 without `--saliencies`).
    #[serde(skip_serializing_if = "Option::is_none")]
    saliencies: Option<Vec<f64>>,
}

/// A sink that keeps nothing (`--format table` prints only the summaries, at the end).
struct Discard;

impl Record for Discard {
    fn wants_samples(&self) -> bool {
        false
    }
    fn sample(&mut self, _: &Sample) -> std::io::Result<()> {
        Ok(())
    }
    fn event(&mut self, _: ModelKind, _: &Event) -> std::io::Result<()> {
        Ok(())
    }
    fn summary(&mut self, _: ModelKind, _: &Summary) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `config` and writes it in `format` to `out`, and the files `config.files` asks for
/// (the memories before the run, the states as it runs, the figure after it). Returns each
/// model's summary.
pub fn write_run(
    config: &RunConfig,
    memories: Arc<Memories>,
    format: Format,
    mut out: impl Write,
    reloads: Option<&Receiver<PatternEvent>>,
) -> anyhow::Result<Vec<(ModelKind, Summary)>> {
    let names = memories.names().to_vec();
    if let Some(path) = &config.files.save_memories {
        npy::save_memories(path, &memories)?;
    }
    let mut states = match &config.files.save_states {
        Some(path) => Some(npy::StateWriter::create(
            path,
            config.models.len(),
            memories.n(),
        )?),
        None => None,
    };
    let (summaries, trace) = match format {
        Format::Jsonl => {
            let mut sink = output::JsonLines::new(out, names, config.params.dt_secs);
            sink.header(&info(config, memories.p()))?;
            simulate_traced(config, memories, &mut sink, reloads, states.as_mut())?
        }
        Format::Csv => {
            let mut sink = output::Csv::new(out, names, config.params.dt_secs);
            sink.header()?;
            simulate_traced(config, memories, &mut sink, reloads, states.as_mut())?
        }
        Format::Table => {
            let run = simulate_traced(config, memories, &mut Discard, reloads, states.as_mut())?;
            out.write_all(table::summary_table(&run.0).as_bytes())?;
            out.flush()?;
            run
        }
    };
    if let (Some(path), Some(trace)) = (&config.files.plot, trace) {
        let alpha = config.fixed.saliencies.as_deref().unwrap_or(&[]);
        let salient: Vec<usize> = (0..alpha.len()).filter(|&mu| alpha[mu] != 0.0).collect();
        let subtitle = match &config.fixed.input {
            Some((_, name)) => format!("constant input {name}"),
            None if config.scenario == ScenarioName::Explore => {
                format!(
                    "scenario explore with α: {}",
                    saliencies_text(alpha, &trace.names)
                )
            }
            None => format!("scenario {}", config.scenario.name()),
        };
        let strip = if config.fixed.input.is_some() || config.scenario == ScenarioName::Explore {
            "under each panel, the memory the input is most about"
        } else {
            "under each panel, the memory the input holds"
        };
        let subtitle = format!(
            "{subtitle}, σ = {}, g = {}, dt = {} s, seed {}; {strip}",
            config.params.noise_std, config.params.gain, config.params.dt_secs, config.seed
        );
        figure::run_figure(&trace, &subtitle, &salient, path)?;
    }
    Ok(summaries)
}

/// "bird 5, cat 4, others 0": the non-zero saliencies by name, and the level of the rest when
/// they share one.
fn saliencies_text(alpha: &[f64], names: &[String]) -> String {
    let mut items: Vec<String> = Vec::new();
    let rest: Vec<f64> = alpha.iter().skip(2).copied().collect();
    let shared = rest.windows(2).all(|w| w[0] == w[1]);
    let shown = if shared {
        alpha.len().min(2)
    } else {
        alpha.len()
    };
    for (mu, &a) in alpha.iter().enumerate().take(shown) {
        if a != 0.0 || mu < 2 {
            let name = names.get(mu).map_or("?", String::as_str);
            items.push(format!("{name} {a}"));
        }
    }
    if shared && let Some(&r) = rest.first() {
        items.push(format!("others {r}"));
    }
    items.join(", ")
}

fn info(config: &RunConfig, p: usize) -> RunInfo<'_> {
    let explore = config.fixed.input.is_none() && config.scenario == ScenarioName::Explore;
    let stream = config.fixed.input.is_none() && !explore;
    RunInfo {
        scenario: config.fixed.input.is_none().then(|| config.scenario.name()),
        models: config.models.iter().map(|m| m.name()).collect(),
        duration_secs: config.duration_secs,
        every_secs: config.every_secs,
        dt_secs: config.params.dt_secs,
        noise_std: config.params.noise_std,
        input_gain: stream.then_some(config.stream.input_gain),
        activation_gain: config.params.gain,
        tau_alpha_secs: config.params.tau_alpha_secs,
        beta: config.params.beta,
        flip_prob: stream.then_some(config.stream.flip_prob),
        zero_diagonal: config.params.zero_diagonal,
        seed: config.seed,
        settle_secs: config.tracker.settle_secs,
        patterns: config
            .patterns
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
        input: config.fixed.input.as_ref().map(|(_, name)| name.as_str()),
        init_state: config.fixed.init_state.is_some(),
        saliencies: explore.then(|| {
            config
                .fixed
                .saliencies
                .clone()
                .unwrap_or_else(|| vec![0.0; p])
        }),
    }
}
