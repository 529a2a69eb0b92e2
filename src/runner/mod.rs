//! The headless runner: `recall run` drives one or more models on one stream through the
//! [`Session`] and writes samples, events and summaries to a [`Record`] sink (JSON lines or CSV)
//! as they happen.

pub mod output;

use std::io::Write;
use std::sync::Arc;

use crossbeam_channel::Receiver;
use serde::Serialize;

use crate::model::{Memories, ModelKind, Params};
use crate::patterns::watch::PatternEvent;
use crate::session::{OnDivergence, Report, Session, SessionConfig};
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
}

impl RunConfig {
    /// The steps the run takes, or why it cannot be run.
    pub fn total_steps(&self) -> Result<u64, String> {
        let steps = (self.duration_secs / self.params.dt_secs).round();
        if steps > MAX_RUN_STEPS {
            return Err(format!(
                "--duration {} s at --dt {} s is {steps:.3e} steps; a run takes at most {MAX_RUN_STEPS:.0e} \
                 (use a shorter duration or a larger dt)",
                self.duration_secs, self.params.dt_secs
            ));
        }
        Ok(steps as u64)
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
}

/// Runs `config` over `memories`, writing to `out`; returns each model's summary. Reloads from
/// `reloads` are applied at the next frame boundary.
pub fn simulate(
    config: &RunConfig,
    memories: Arc<Memories>,
    out: &mut dyn Record,
    reloads: Option<&Receiver<PatternEvent>>,
) -> anyhow::Result<Vec<(ModelKind, Summary)>> {
    let dt = config.params.dt_secs;
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
    let mut stream = Stream::new(config.scenario, memories, stream_config, config.seed);
    let total_steps = config.total_steps().map_err(anyhow::Error::msg)?;
    let sample_steps = (config.every_secs / dt).round().max(1.0) as u64;
    let mut reports = Vec::new();
    session.feed(stream.next_frame())?;
    out.sample(&sample(&session))?;
    while session.steps() < total_steps {
        if session.needs_frame() {
            for event in reloads.into_iter().flat_map(|rx| rx.try_iter()) {
                apply_reload(event, &mut stream, &mut session, out)?;
            }
            session.feed(stream.next_frame())?;
        }
        session.step(&mut reports);
        for report in reports.drain(..) {
            if let Report::Tracked { model, event } = report {
                out.event(model, &event)?;
            }
        }
        if session.steps().is_multiple_of(sample_steps) {
            out.sample(&sample(&session))?;
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
    Ok(summaries)
}

/// Installs a reloaded memory set in the stream and the session (states are kept, tracking
/// follows the memories by name) and records what changed.
fn apply_reload(
    event: PatternEvent,
    stream: &mut Stream,
    session: &mut Session,
    out: &mut dyn Record,
) -> std::io::Result<()> {
    let text = |errors: &[crate::patterns::FileError]| -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    };
    let time_secs = session.time_secs();
    let (changes, errors, kept_last_good_set) = match event {
        PatternEvent::Reloaded(r) => {
            stream.set_memories(Arc::clone(&r.memories));
            session.set_memories(Arc::clone(&r.memories));
            let changes = r.changes.iter().map(ToString::to_string).collect();
            (changes, text(&r.errors), false)
        }
        PatternEvent::Errors(e) => (Vec::new(), text(&e.errors), e.kept_last_good_set),
    };
    out.patterns(&PatternsRecord {
        time_secs,
        names: session.memories().names(),
        changes: &changes,
        errors: &errors,
        kept_last_good_set,
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
    scenario: &'a str,
    models: Vec<&'static str>,
    duration_secs: f64,
    every_secs: f64,
    dt_secs: f64,
    noise_std: f64,
    input_gain: f64,
    activation_gain: f64,
    tau_alpha_secs: f64,
    flip_prob: f64,
    seed: u64,
    settle_secs: f64,
}

/// Runs `config` and writes it in `format` to `out`.
pub fn write_run(
    config: &RunConfig,
    memories: Arc<Memories>,
    format: Format,
    out: impl Write,
    reloads: Option<&Receiver<PatternEvent>>,
) -> anyhow::Result<()> {
    let names = memories.names().to_vec();
    match format {
        Format::Jsonl => {
            let mut sink = output::JsonLines::new(out, names);
            sink.header(&info(config))?;
            simulate(config, memories, &mut sink, reloads)?;
        }
        Format::Csv => {
            let mut sink = output::Csv::new(out, names);
            sink.header()?;
            simulate(config, memories, &mut sink, reloads)?;
        }
    }
    Ok(())
}

fn info(config: &RunConfig) -> RunInfo<'_> {
    RunInfo {
        scenario: config.scenario.name(),
        models: config.models.iter().map(|m| m.name()).collect(),
        duration_secs: config.duration_secs,
        every_secs: config.every_secs,
        dt_secs: config.params.dt_secs,
        noise_std: config.params.noise_std,
        input_gain: config.stream.input_gain,
        activation_gain: config.params.gain,
        tau_alpha_secs: config.params.tau_alpha_secs,
        flip_prob: config.stream.flip_prob,
        seed: config.seed,
        settle_secs: config.tracker.settle_secs,
    }
}
