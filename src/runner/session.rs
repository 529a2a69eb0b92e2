//! One headless run: a stream drives one or more networks side by side, each with its own
//! tracker; samples, events and summaries go to a [`Record`] sink as they happen.

use std::sync::Arc;

use crossbeam_channel::Receiver;

use crate::model::{Memories, ModelError, ModelKind, Network, Params};
use crate::patterns::watch::PatternEvent;
use crate::stimulus::{ScenarioName, Stream, StreamConfig};
use crate::tracking::{Event, Observation, Summary, Tracker, TrackerConfig};

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
    /// The memory set was reloaded (or its files' errors changed) at `time_secs`: `names` is
    /// the set now in use, `changes` lines such as "added owl", `errors` the bad files.
    fn patterns(
        &mut self,
        _time_secs: f64,
        _names: &[String],
        _changes: &[String],
        _errors: &[String],
    ) -> std::io::Result<()> {
        Ok(())
    }
}

struct Slot {
    net: Network,
    tracker: Tracker,
    diverged: bool,
}

/// Runs `config` over `memories`, writing to `out`; returns each model's summary.
pub fn simulate(
    config: &RunConfig,
    memories: Arc<Memories>,
    out: &mut dyn Record,
    reloads: Option<&Receiver<PatternEvent>>,
) -> anyhow::Result<Vec<(ModelKind, Summary)>> {
    let dt = config.params.dt_secs;
    let steps_per_frame = (config.stream.frame_secs / dt).round().max(1.0) as u64;
    // The stream's clock follows the simulator's: a frame lasts a whole number of steps.
    let stream_config = StreamConfig {
        frame_secs: steps_per_frame as f64 * dt,
        ..config.stream.clone()
    };
    let mut stream = Stream::new(
        config.scenario,
        memories.clone(),
        stream_config,
        config.seed,
    );
    let mut slots = config
        .models
        .iter()
        .map(|&kind| {
            let seed = crate::pipeline::network_seed(config.seed, kind);
            Ok(Slot {
                net: Network::new(memories.clone(), kind, config.params.clone(), seed)?,
                tracker: Tracker::new(config.tracker.clone()),
                diverged: false,
            })
        })
        .collect::<Result<Vec<_>, ModelError>>()?;
    let total_steps = (config.duration_secs / dt).round() as u64;
    let sample_steps = (config.every_secs / dt).round().max(1.0) as u64;
    let mut overlaps = vec![0.0f32; memories.p()];
    let mut step = 0u64;
    let mut frame = stream.next_frame();
    feed(&mut slots, &frame)?;
    out.sample(&sample(0.0, &frame, &slots))?;
    while step < total_steps {
        if step > 0 && step.is_multiple_of(steps_per_frame) {
            for event in reloads.into_iter().flat_map(|rx| rx.try_iter()) {
                let time_secs = step as f64 * dt;
                apply_reload(
                    event,
                    time_secs,
                    &mut stream,
                    &mut slots,
                    &mut overlaps,
                    out,
                )?;
            }
            frame = stream.next_frame();
            feed(&mut slots, &frame)?;
        }
        step += 1;
        let time_secs = step as f64 * dt;
        for slot in &mut slots {
            if slot.diverged {
                continue;
            }
            let diverged = matches!(slot.net.step(), Err(ModelError::Diverged { .. }));
            slot.diverged = diverged;
            slot.net.overlaps_into(&mut overlaps);
            let obs = Observation {
                time_secs,
                truth: frame.truth,
                glitch: frame.glitch,
                retrieved: if diverged { None } else { slot.net.retrieved() },
                overlaps: &overlaps,
                diverged,
            };
            for event in slot.tracker.observe(&obs) {
                out.event(slot.net.kind(), &event)?;
            }
        }
        if step.is_multiple_of(sample_steps) {
            out.sample(&sample(time_secs, &frame, &slots))?;
        }
    }
    let mut summaries = Vec::with_capacity(slots.len());
    for slot in &mut slots {
        for event in slot.tracker.finish() {
            out.event(slot.net.kind(), &event)?;
        }
        let summary = slot.tracker.summary();
        out.summary(slot.net.kind(), &summary)?;
        summaries.push((slot.net.kind(), summary));
    }
    Ok(summaries)
}

/// Installs a reloaded memory set in the stream and every network (states are kept) and
/// records what changed.
fn apply_reload(
    event: PatternEvent,
    time_secs: f64,
    stream: &mut Stream,
    slots: &mut [Slot],
    overlaps: &mut Vec<f32>,
    out: &mut dyn Record,
) -> std::io::Result<()> {
    let text = |errors: &[crate::patterns::FileError]| -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    };
    match event {
        PatternEvent::Reloaded(r) => {
            stream.set_memories(r.memories.clone());
            for slot in slots.iter_mut() {
                // Memory ids may change meaning; the tracker follows them by name.
                let old = Arc::clone(slot.net.memories());
                slot.net.set_memories(r.memories.clone());
                slot.tracker.follow_reload(&old, &r.memories);
            }
            overlaps.resize(r.memories.p(), 0.0);
            let changes: Vec<String> = r.changes.iter().map(ToString::to_string).collect();
            out.patterns(time_secs, r.memories.names(), &changes, &text(&r.errors))
        }
        PatternEvent::Errors(e) => {
            let names = slots
                .first()
                .map(|s| s.net.memories().names().to_vec())
                .unwrap_or_default();
            out.patterns(time_secs, &names, &[], &text(&e.errors))
        }
    }
}

fn feed(slots: &mut [Slot], frame: &crate::stimulus::Frame) -> anyhow::Result<()> {
    for slot in slots.iter_mut().filter(|s| !s.diverged) {
        slot.net.set_input(&frame.input, frame.changed)?;
    }
    Ok(())
}

fn sample(time_secs: f64, frame: &crate::stimulus::Frame, slots: &[Slot]) -> Sample {
    Sample {
        time_secs,
        truth: frame.truth,
        glitch: frame.glitch,
        label: frame.label.clone(),
        models: slots
            .iter()
            .map(|s| ModelSample {
                model: s.net.kind(),
                retrieved: s.tracker.retrieved(),
                overlaps: s.net.overlaps(),
                saliencies: s.net.saliencies().to_vec(),
                energy: (!s.diverged).then(|| s.net.energy()),
            })
            .collect(),
    }
}
