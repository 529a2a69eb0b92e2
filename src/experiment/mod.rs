//! The paper's experiments (model.md §5): mixed inputs, glitch, noise sweep; and the capacity
//! sweep. Each trial draws its own random memories and stimuli from its seed; every model sees
//! the same trial; trials run in parallel on the available cores. Trial k has the same numbers
//! in any run that contains it (`--first-trial` shards).

pub mod capacity;
pub mod capacity_figure;
pub mod capacity_model;
pub mod capacity_report;
pub mod capacity_theory;
pub mod density;
mod density_figure;
pub mod density_report;
mod figures;
pub mod jobs;
pub mod measure;
pub mod progress;
pub mod protocol;
pub mod report;

use std::io::Write;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::model::{ModelKind, Params};
use capacity::{CapacityConfig, CapacityRow};
use density::DensityConfig;
use jobs::{Done, run_jobs};
use measure::{GlitchOutcome, SegmentOutcome};
use progress::Progress;

/// The models every experiment compares: IDP, IDP with input filter, the classic variants and
/// the modern (softmax) pair.
pub const MODELS: [ModelKind; 7] = [
    ModelKind::Idp,
    ModelKind::IdpFilter,
    ModelKind::ClassicPulsed,
    ModelKind::ClassicConstant,
    ModelKind::ClassicInitial,
    ModelKind::IdpModern,
    ModelKind::Modern,
];

/// σ of the mixed and glitch experiments (the paper's).
pub const PAPER_SIGMA: f64 = 8.0;
/// σ list of the noise sweep when none is given.
pub const SWEEP_SIGMAS: [f64; 4] = [0.0, 2.0, 4.0, 8.0];

/// One stimulus of one trial of the mixed protocol, for one model and σ.
#[derive(Debug, Clone, Serialize)]
pub struct MixedRow {
    pub trial: usize,
    pub seed: u64,
    pub model: ModelKind,
    pub sigma: f64,
    pub segment: usize,
    #[serde(flatten)]
    pub outcome: SegmentOutcome,
}

/// One trial of the glitch protocol, for one model and σ.
#[derive(Debug, Clone, Serialize)]
pub struct GlitchRow {
    pub trial: usize,
    pub seed: u64,
    pub model: ModelKind,
    pub sigma: f64,
    #[serde(flatten)]
    pub outcome: GlitchOutcome,
}

/// The authors' settings (g = 10, dt = 0.01) with noise σ.
pub fn paper_params(sigma: f64) -> Params {
    Params {
        gain: 10.0,
        dt_secs: 0.01,
        noise_std: sigma,
        ..Params::default()
    }
}

/// Signed overlaps of one trial's models, kept for the figures, with what the input held when.
#[derive(Debug, Clone)]
pub struct TrialTrace {
    pub trial: usize,
    pub sigma: f64,
    /// Seconds between two kept points (the first at `every_secs`, after that many steps).
    pub every_secs: f64,
    pub p: usize,
    /// (start in seconds, the dominant memory of the stimulus shown from then).
    pub pieces: Vec<(f64, usize)>,
    /// [start, end) of the glitch, if the protocol has one.
    pub glitch_secs: Option<(f64, f64)>,
    pub duration_secs: f64,
    /// Per model: m_μ at point k at `[k * p + μ]`.
    pub models: Vec<(ModelKind, Vec<f32>)>,
}

/// Steps between two points of a [`TrialTrace`] (0.05 s at dt = 0.01).
const TRACE_STEPS: usize = 5;

fn trace_of(
    trial: usize,
    sigma: f64,
    schedule: &protocol::Schedule,
    models: &[ModelKind],
    trajectories: &[protocol::Trajectory],
) -> TrialTrace {
    let p = trajectories.first().map_or(0, |t| t.p);
    let dt = trajectories.first().map_or(0.01, |t| t.dt_secs);
    let glitch_secs = schedule.glitch_piece.map(|g| {
        let start = schedule.pieces[g].0;
        let end = schedule
            .pieces
            .get(g + 1)
            .map_or(schedule.duration_secs, |n| n.0);
        (start, end)
    });
    TrialTrace {
        trial,
        sigma,
        every_secs: dt * TRACE_STEPS as f64,
        p,
        pieces: schedule
            .pieces
            .iter()
            .map(|&(t, i)| (t, schedule.stimuli[i].dominant))
            .collect(),
        glitch_secs,
        duration_secs: schedule.duration_secs,
        models: models
            .iter()
            .zip(trajectories)
            .map(|(&m, traj)| {
                let steps = traj.retrieved.len();
                let kept = (TRACE_STEPS - 1..steps)
                    .step_by(TRACE_STEPS)
                    .flat_map(|k| (0..p).map(move |mu| traj.signed(k, mu)))
                    .collect();
                (m, kept)
            })
            .collect(),
    }
}

/// What one run of a protocol gives: its rows, and the traces of its trials when asked for.
pub struct Outcome<R> {
    pub rows: Vec<R>,
    pub traces: Vec<TrialTrace>,
}

/// One finished job of a protocol: its rows and, when asked for, its trace.
type TrialResult<R> = (Vec<R>, Option<TrialTrace>);

/// Runs the mixed-input protocol: `trials` trials (seeds `seed`, `seed + 1`, …) per σ.
pub fn run_mixed(
    models: &[ModelKind],
    sigmas: &[f64],
    trials: usize,
    seed: u64,
) -> anyhow::Result<Vec<MixedRow>> {
    let quiet = Progress::with_output("", "", 0, false);
    Ok(mixed(models, sigmas, 0..trials, seed, false, &quiet)?.rows)
}

/// Runs the mixed-input protocol for trials `trials` (trial k has seed `seed + k`) at every σ;
/// rows trial by trial, then σ, model and stimulus.
pub fn mixed(
    models: &[ModelKind],
    sigmas: &[f64],
    trials: Range<usize>,
    seed: u64,
    keep_traces: bool,
    progress: &Progress,
) -> anyhow::Result<Outcome<MixedRow>> {
    let never = AtomicBool::new(false);
    let done = mixed_jobs(
        models,
        sigmas,
        trials,
        seed,
        keep_traces,
        progress,
        &never,
        |_| Ok(()),
    )?;
    Ok(outcome(done))
}

/// [`mixed`], job by job: each (trial, σ) handed to `emit` in order as it finishes, until
/// `stop`.
#[allow(clippy::too_many_arguments)]
fn mixed_jobs(
    models: &[ModelKind],
    sigmas: &[f64],
    trials: Range<usize>,
    seed: u64,
    keep_traces: bool,
    progress: &Progress,
    stop: &AtomicBool,
    emit: impl FnMut(&TrialResult<MixedRow>) -> anyhow::Result<()>,
) -> anyhow::Result<Done<TrialResult<MixedRow>>> {
    let jobs = jobs(sigmas, trials);
    let trial = |&(trial, sigma): &(usize, f64)| {
        let trial_seed = seed.wrapping_add(trial as u64);
        let world = protocol::mixed_trial(trial_seed);
        let Some(trajectories) =
            protocol::simulate(&world, models, &paper_params(sigma), trial_seed, stop)?
        else {
            return Ok(None);
        };
        let mut rows = Vec::new();
        for (&model, traj) in models.iter().zip(&trajectories) {
            for (segment, &(t0, idx)) in world.schedule.pieces.iter().enumerate() {
                let stim = &world.schedule.stimuli[idx];
                let t1 = t0 + protocol::MIXED_SEGMENT_SECS;
                let outcome = measure::segment(traj, t0, t1, stim.dominant, stim.previous);
                rows.push(MixedRow {
                    trial,
                    seed: trial_seed,
                    model,
                    sigma,
                    segment,
                    outcome,
                });
            }
        }
        let trace =
            keep_traces.then(|| trace_of(trial, sigma, &world.schedule, models, &trajectories));
        Ok(Some((rows, trace)))
    };
    run_jobs(&jobs, None, progress, stop, trial, emit)
}

/// Runs the glitch protocol: `trials` trials per σ.
pub fn run_glitch(
    models: &[ModelKind],
    sigmas: &[f64],
    trials: usize,
    seed: u64,
) -> anyhow::Result<Vec<GlitchRow>> {
    let quiet = Progress::with_output("", "", 0, false);
    Ok(glitch(models, sigmas, 0..trials, seed, false, &quiet)?.rows)
}

/// Runs the glitch protocol for trials `trials` at every σ; rows trial by trial.
pub fn glitch(
    models: &[ModelKind],
    sigmas: &[f64],
    trials: Range<usize>,
    seed: u64,
    keep_traces: bool,
    progress: &Progress,
) -> anyhow::Result<Outcome<GlitchRow>> {
    let never = AtomicBool::new(false);
    let done = glitch_jobs(
        models,
        sigmas,
        trials,
        seed,
        keep_traces,
        progress,
        &never,
        |_| Ok(()),
    )?;
    Ok(outcome(done))
}

/// [`glitch`], job by job, as [`mixed_jobs`].
#[allow(clippy::too_many_arguments)]
fn glitch_jobs(
    models: &[ModelKind],
    sigmas: &[f64],
    trials: Range<usize>,
    seed: u64,
    keep_traces: bool,
    progress: &Progress,
    stop: &AtomicBool,
    emit: impl FnMut(&TrialResult<GlitchRow>) -> anyhow::Result<()>,
) -> anyhow::Result<Done<TrialResult<GlitchRow>>> {
    let jobs = jobs(sigmas, trials);
    let trial = |&(trial, sigma): &(usize, f64)| {
        let trial_seed = seed.wrapping_add(trial as u64);
        let world = protocol::glitch_trial(trial_seed);
        let d: Vec<usize> = world.schedule.stimuli.iter().map(|s| s.dominant).collect();
        let Some(trajectories) =
            protocol::simulate(&world, models, &paper_params(sigma), trial_seed, stop)?
        else {
            return Ok(None);
        };
        let rows = models
            .iter()
            .zip(&trajectories)
            .map(|(&model, traj)| GlitchRow {
                trial,
                seed: trial_seed,
                model,
                sigma,
                outcome: measure::glitch(traj, d[0], d[1], d[2]),
            })
            .collect();
        let trace =
            keep_traces.then(|| trace_of(trial, sigma, &world.schedule, models, &trajectories));
        Ok(Some((rows, trace)))
    };
    run_jobs(&jobs, None, progress, stop, trial, emit)
}

/// Runs the capacity sweep for trials `trials`: every network (trial, N, load) with every model
/// of `models` (in place of `config.models`); rows trial by trial, then N, load, flip, model and
/// cue.
pub fn capacity<M: Into<capacity_model::CapacityModel> + Copy>(
    config: &CapacityConfig,
    models: &[M],
    trials: Range<usize>,
    seed: u64,
    progress: &Progress,
) -> anyhow::Result<Vec<CapacityRow>> {
    let never = AtomicBool::new(false);
    let part = CapacityConfig {
        models: models.iter().map(|&m| m.into()).collect(),
        ..config.clone()
    };
    let parts = [part];
    let done = capacity_jobs(&parts, trials, seed, progress, &never, |_| Ok(()))?;
    Ok(done.into_finished().flatten().collect())
}

/// The networks of a sweep of `parts`, in output order: part, trial, size, load.
fn capacity_networks(
    parts: &[CapacityConfig],
    trials: Range<usize>,
) -> Vec<(usize, usize, usize, f64)> {
    parts
        .iter()
        .enumerate()
        .flat_map(|(k, part)| {
            capacity::networks(part, trials.clone())
                .into_iter()
                .map(move |(t, n, l)| (k, t, n, l))
        })
        .collect()
}

/// [`capacity`] over the parts of a sweep, network by network, each handed to `emit` in
/// output order as it finishes, until `stop`. Trial by trial, the largest networks of a trial
/// are started first (so both cores stay busy to the end).
fn capacity_jobs(
    parts: &[CapacityConfig],
    trials: Range<usize>,
    seed: u64,
    progress: &Progress,
    stop: &AtomicBool,
    emit: impl FnMut(&Vec<CapacityRow>) -> anyhow::Result<()>,
) -> anyhow::Result<Done<Vec<CapacityRow>>> {
    let nets = capacity_networks(parts, trials);
    let cost = |i: usize| capacity::cost(&parts[nets[i].0], nets[i].2, nets[i].3);
    let mut order: Vec<usize> = (0..nets.len()).collect();
    order.sort_by(|&a, &b| nets[a].1.cmp(&nets[b].1).then(cost(b).total_cmp(&cost(a))));
    let network = |&(part, trial, n, load): &(usize, usize, usize, f64)| {
        let config = &parts[part];
        Ok(capacity::run_network_until(
            config,
            &config.models,
            trial,
            n,
            load,
            seed,
            stop,
        )?)
    };
    run_jobs(&nets, Some(&order), progress, stop, network, emit)
}

/// Which of the paper's experiments (model.md §5), by its command-line name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "kebab-case")]
pub enum ExperimentName {
    /// Three mixed stimuli of 10 s at σ = 8: does each model settle on the dominant memory?
    Mixed,
    /// A 2-s glitch, then a genuine change: ignored, then followed?
    Glitch,
    /// The mixed protocol over a list of σ: does noise free IDP from the previous memory?
    NoiseSweep,
    /// P random memories in N neurons, each cued with a corrupted copy: retrieval against P/N.
    Capacity,
    /// The paper's Fig. 4: particles of a two-neuron network against the stationary density.
    Density,
}

impl ExperimentName {
    /// Every experiment, in the order `--help` lists them.
    pub const ALL: [ExperimentName; 5] = [
        ExperimentName::Mixed,
        ExperimentName::Glitch,
        ExperimentName::NoiseSweep,
        ExperimentName::Capacity,
        ExperimentName::Density,
    ];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// One run of `recall experiment`.
#[derive(Debug, Clone)]
pub struct ExperimentRequest {
    pub name: ExperimentName,
    /// Independent trials per σ (each with its own memories and stimuli).
    pub trials: usize,
    /// The first trial's number: trials `first_trial..first_trial + trials` are run, each with
    /// the numbers a run from trial 0 gives it (a shard of a larger run).
    pub first_trial: usize,
    /// Seed of trial 0 (trial k of the protocols has seed `seed + k`).
    pub seed: u64,
    /// Noise levels; `None` for the experiment's own (8, or 0, 2, 4, 8 for the sweep).
    pub sigmas: Option<Vec<f64>>,
    /// Raw numbers as CSV instead of a table.
    pub csv: bool,
    /// With `csv`: begin with the header line.
    pub csv_header: bool,
    /// The capacity sweep's parts (the capacity experiment only).
    pub capacity: Vec<CapacityConfig>,
    /// The density experiment's settings (Fig. 4).
    pub density: DensityConfig,
    /// Draw a figure into this file (`.svg` or `.png`).
    pub plot: Option<PathBuf>,
    /// The trial drawn on its own in the figure (mixed and glitch).
    pub plot_trial: Option<usize>,
}

impl ExperimentRequest {
    /// The request with the defaults of `recall experiment NAME`.
    pub fn new(name: ExperimentName) -> Self {
        Self {
            name,
            trials: 20,
            first_trial: 0,
            seed: 1,
            sigmas: None,
            csv: false,
            csv_header: true,
            capacity: capacity::default_plan(),
            density: DensityConfig::default(),
            plot: None,
            plot_trial: None,
        }
    }

    /// The trials run.
    pub fn trial_range(&self) -> Range<usize> {
        self.first_trial..self.first_trial + self.trials
    }
}

/// How an experiment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every job finished.
    Finished,
    /// Stopped (Ctrl-C): `done` of `total` jobs finished, and only those were written. A job is
    /// the `unit` ("trials", "runs (trial × σ)", "networks").
    Interrupted {
        done: usize,
        total: usize,
        unit: &'static str,
    },
}

/// Runs the experiment and returns what `recall experiment` prints (and draws the figure, when
/// one is asked for).
pub fn run(request: &ExperimentRequest) -> anyhow::Result<String> {
    let mut out = Vec::new();
    run_to(request, &mut out, &AtomicBool::new(false))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Runs the experiment and writes what `recall experiment` prints to `out`: with CSV, the
/// rows of each trial as soon as it and those before it are done; else the table at the end.
/// Once `stop` is set (Ctrl-C) the trials that finished are written (the table counts them
/// only, and says so) and the figure is drawn from them, saying so (none when none finished).
/// The figure, when one is asked for, is drawn
/// after the table or the rows are written, so that a figure that fails loses nothing.
pub fn run_to(
    request: &ExperimentRequest,
    out: &mut dyn Write,
    stop: &AtomicBool,
) -> anyhow::Result<Ending> {
    let sigmas = match (&request.sigmas, request.name) {
        (Some(s), _) => s.clone(),
        (None, ExperimentName::NoiseSweep) => SWEEP_SIGMAS.to_vec(),
        (None, ExperimentName::Density) => request.density.preset.sigmas(),
        (None, _) => vec![PAPER_SIGMA],
    };
    let (trials, seed) = (request.trial_range(), request.seed);
    let name = request.name.name();
    let keep = request.plot.is_some() && request.name != ExperimentName::NoiseSweep;
    let csv = request.csv;
    let mut write = |text: &str| -> anyhow::Result<()> {
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    };
    let unit = if sigmas.len() > 1 {
        "runs (trial × σ)"
    } else {
        "trials"
    };
    let cover = |done: usize, total: usize, unit| report::Cover {
        trials: trials.clone(),
        done,
        total,
        unit,
    };
    match request.name {
        ExperimentName::Mixed | ExperimentName::NoiseSweep => protocol_course(
            ProtocolCourse {
                name,
                cover: cover(0, trials.len() * sigmas.len(), unit),
                csv,
                csv_header: request.csv_header.then_some(report::MIXED_CSV_HEADER),
                csv_rows: report::mixed_csv_rows,
                plot: request.plot.as_deref(),
            },
            &mut write,
            |progress, emit| {
                let trials = trials.clone();
                mixed_jobs(&MODELS, &sigmas, trials, seed, keep, progress, stop, emit)
            },
            |rows, cover| report::mixed_table(request.name, rows, cover, seed),
            |out, cover, path| {
                figures::experiment_figure(request, &out.rows, &out.traces, cover, path)
            },
        ),
        ExperimentName::Glitch => protocol_course(
            ProtocolCourse {
                name,
                cover: cover(0, trials.len() * sigmas.len(), unit),
                csv,
                csv_header: request.csv_header.then_some(report::GLITCH_CSV_HEADER),
                csv_rows: report::glitch_csv_rows,
                plot: request.plot.as_deref(),
            },
            &mut write,
            |progress, emit| {
                let trials = trials.clone();
                glitch_jobs(&MODELS, &sigmas, trials, seed, keep, progress, stop, emit)
            },
            |rows, cover| report::glitch_table(rows, cover, seed),
            |out, cover, path| figures::glitch_figure(request, &out.traces, cover, path),
        ),
        ExperimentName::Capacity => {
            let parts = &request.capacity;
            for part in parts {
                capacity::check_memory(part).map_err(anyhow::Error::msg)?;
            }
            let total = capacity_networks(parts, trials.clone()).len();
            let progress = Progress::new(name, "networks", total);
            if csv && request.csv_header {
                write(capacity_report::CAPACITY_CSV_HEADER)?;
            }
            let done = capacity_jobs(
                parts,
                trials.clone(),
                seed,
                &progress,
                stop,
                |rows| match csv {
                    true => write(&capacity_report::capacity_csv_rows(rows)),
                    false => Ok(()),
                },
            )?;
            progress.finish();
            let cover = cover(done.finished(), total, "networks");
            let rows: Vec<CapacityRow> = done.into_finished().flatten().collect();
            if !csv {
                write(&capacity_report::plan_table(&rows, parts, &cover, seed))?;
            }
            if let Some(path) = request.plot.as_ref().filter(|_| cover.drawable()) {
                capacity_figure::capacity_figure(parts, &rows, &cover, path)?;
            }
            Ok(ending(&cover))
        }
        ExperimentName::Density => {
            // Not streamed yet: its table needs every ensemble, and a run takes seconds.
            let config = &request.density;
            let progress = Progress::new(name, "ensembles", trials.len() * sigmas.len());
            let out = density::run_density(config, &sigmas, trials.clone(), seed, &progress)?;
            progress.finish();
            if csv {
                write(&density_report::density_csv(&out.rows, request.csv_header))?;
            } else {
                write(&density_report::density_table(
                    config,
                    &out,
                    trials.clone(),
                    seed,
                ))?;
            }
            if let Some(path) = &request.plot {
                density_figure::density_figure(config, &out, trials.len(), path)?;
            }
            Ok(Ending::Finished)
        }
    }
}

/// What differs between the protocols (mixed and the noise sweep, glitch) in their common course.
struct ProtocolCourse<'a, R> {
    name: &'static str,
    /// The trials run and their count; `done` is filled in at the end.
    cover: report::Cover,
    csv: bool,
    /// The CSV header, when the rows are CSV and begin with one.
    csv_header: Option<&'static str>,
    csv_rows: fn(&[R]) -> String,
    plot: Option<&'a std::path::Path>,
}

/// The protocols' course: the CSV header, each trial's rows as soon as it and those before it
/// are done, then (without CSV) the table of the finished trials, then the figure of them
/// (interrupted, of those that finished, saying so), so that a figure that fails loses nothing.
fn protocol_course<R>(
    course: ProtocolCourse<'_, R>,
    write: &mut dyn FnMut(&str) -> anyhow::Result<()>,
    jobs: impl FnOnce(
        &Progress,
        &mut dyn FnMut(&TrialResult<R>) -> anyhow::Result<()>,
    ) -> anyhow::Result<Done<TrialResult<R>>>,
    table: impl FnOnce(&[R], &report::Cover) -> String,
    figure: impl FnOnce(&Outcome<R>, &report::Cover, &std::path::Path) -> anyhow::Result<()>,
) -> anyhow::Result<Ending> {
    let ProtocolCourse {
        name,
        mut cover,
        csv,
        csv_header,
        csv_rows,
        plot,
    } = course;
    let progress = Progress::new(name, "trials", cover.total);
    if csv && let Some(header) = csv_header {
        write(header)?;
    }
    let mut emit = |(rows, _): &TrialResult<R>| match csv {
        true => write(&csv_rows(rows)),
        false => Ok(()),
    };
    let done = jobs(&progress, &mut emit)?;
    progress.finish();
    cover.done = done.finished();
    let out = outcome(done);
    if !csv {
        write(&table(&out.rows, &cover))?;
    }
    if let Some(path) = plot.filter(|_| cover.drawable()) {
        figure(&out, &cover, path)?;
    }
    Ok(ending(&cover))
}

fn ending(cover: &report::Cover) -> Ending {
    if cover.interrupted() {
        Ending::Interrupted {
            done: cover.done,
            total: cover.total,
            unit: cover.unit,
        }
    } else {
        Ending::Finished
    }
}

/// Trial by trial, then σ: the order in which shards of trials concatenate.
fn jobs(sigmas: &[f64], trials: Range<usize>) -> Vec<(usize, f64)> {
    trials
        .flat_map(|t| sigmas.iter().map(move |&s| (t, s)))
        .collect()
}

/// The finished jobs' rows and traces, in order.
fn outcome<T>(done: Done<TrialResult<T>>) -> Outcome<T> {
    let mut out = Outcome {
        rows: Vec::new(),
        traces: Vec::new(),
    };
    for (rows, trace) in done.into_finished() {
        out.rows.extend(rows);
        out.traces.extend(trace);
    }
    out
}
