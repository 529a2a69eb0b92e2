//! The headless runner: `recall run` drives one or more models on one stream and writes samples,
//! events and a summary as JSON lines or CSV.

pub mod output;
pub mod session;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use crossbeam_channel::Receiver;
use serde::Serialize;

pub use session::{ModelSample, Record, RunConfig, Sample, simulate};

use crate::cli::{Format, RunArgs};
use crate::model::Memories;
use crate::patterns::watch::PatternEvent;
use crate::tracking::TrackerConfig;

/// Model seconds `recall run` simulates when `--duration` is not given.
pub const DEFAULT_RUN_SECS: f64 = 120.0;

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

impl RunConfig {
    /// The run that `recall run` flags ask for.
    pub fn from_args(args: &RunArgs) -> Self {
        let sim = &args.sim;
        Self {
            scenario: sim.scenario,
            models: sim.models(),
            params: sim.params(),
            stream: sim.stream_config(),
            tracker: TrackerConfig::default(),
            duration_secs: sim.duration.unwrap_or(DEFAULT_RUN_SECS),
            every_secs: args.every,
            seed: sim.seed,
        }
    }
}

/// `recall run`.
pub fn run_cli(args: &RunArgs) -> anyhow::Result<ExitCode> {
    // The parameters were checked before dispatch (app.rs), and Network::new checks them again.
    let config = RunConfig::from_args(args);
    let memories = match &args.sim.patterns {
        Some(dir) => {
            let (memories, errors) = crate::patterns::load_lenient(dir)?;
            for e in errors {
                eprintln!("recall: skipped {e}");
            }
            memories
        }
        None => crate::patterns::builtin(),
    };
    let memories = Arc::new(memories);
    // CSV has one column per memory, fixed by its header, so only JSON lines follow reloads.
    if args.sim.patterns.is_some() && args.format == Format::Csv {
        eprintln!(
            "recall: note: CSV has one column per memory, so changes to the pattern files are \
             not followed while running; use --format jsonl to follow them"
        );
    }
    let (tx, reloads) = crossbeam_channel::bounded(16);
    let _watcher = match (&args.sim.patterns, args.format) {
        (Some(dir), Format::Jsonl) => {
            let options = crate::patterns::watch::WatchOptions {
                poll: args.sim.poll.map(std::time::Duration::from_millis),
                ..crate::patterns::watch::WatchOptions::default()
            };
            crate::patterns::watch::Watcher::start(dir, Some(memories.clone()), options, tx)
                .map_err(|e| eprintln!("recall: {e}"))
                .ok()
        }
        _ => None,
    };
    let stdout = std::io::stdout();
    let out = std::io::BufWriter::new(stdout.lock());
    match write_run(&config, memories, args.format, out, Some(&reloads)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // The reader went away (e.g. `| head`): not an error of ours.
        Err(e) if is_broken_pipe(&e) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e),
    }
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

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
