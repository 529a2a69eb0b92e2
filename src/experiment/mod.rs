//! The paper's experiments (model.md §5): mixed inputs, glitch, noise sweep. Each trial draws
//! its own random memories and stimuli from its seed; every model sees the same trial; trials
//! run in parallel on the available cores.

pub mod measure;
pub mod protocol;
pub mod report;

use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use crate::model::{ModelKind, Params};
use measure::{GlitchOutcome, SegmentOutcome};

/// The models every experiment compares: IDP, IDP with input filter and the classic variants.
pub const MODELS: [ModelKind; 5] = [
    ModelKind::Idp,
    ModelKind::IdpFilter,
    ModelKind::ClassicPulsed,
    ModelKind::ClassicConstant,
    ModelKind::ClassicInitial,
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

/// Runs the mixed-input protocol: `trials` trials (seeds `seed`, `seed + 1`, …) per σ.
pub fn run_mixed(
    models: &[ModelKind],
    sigmas: &[f64],
    trials: usize,
    seed: u64,
) -> anyhow::Result<Vec<MixedRow>> {
    let jobs = jobs(sigmas, trials);
    let results = parallel_map(&jobs, |&(trial, sigma)| {
        let trial_seed = seed.wrapping_add(trial as u64);
        let world = protocol::mixed_trial(trial_seed);
        let trajectories = protocol::simulate(&world, models, &paper_params(sigma), trial_seed)?;
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
        Ok(rows)
    });
    flatten(results)
}

/// Runs the glitch protocol: `trials` trials per σ.
pub fn run_glitch(
    models: &[ModelKind],
    sigmas: &[f64],
    trials: usize,
    seed: u64,
) -> anyhow::Result<Vec<GlitchRow>> {
    let jobs = jobs(sigmas, trials);
    let results = parallel_map(&jobs, |&(trial, sigma)| {
        let trial_seed = seed.wrapping_add(trial as u64);
        let world = protocol::glitch_trial(trial_seed);
        let d: Vec<usize> = world.schedule.stimuli.iter().map(|s| s.dominant).collect();
        let trajectories = protocol::simulate(&world, models, &paper_params(sigma), trial_seed)?;
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
        Ok(rows)
    });
    flatten(results)
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
}

impl ExperimentName {
    /// Every experiment, in the order `--help` lists them.
    pub const ALL: [ExperimentName; 3] = [
        ExperimentName::Mixed,
        ExperimentName::Glitch,
        ExperimentName::NoiseSweep,
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
    /// Seed of the first trial.
    pub seed: u64,
    /// Noise levels; `None` for the experiment's own (8, or 0, 2, 4, 8 for the sweep).
    pub sigmas: Option<Vec<f64>>,
    /// Raw numbers as CSV instead of a table.
    pub csv: bool,
}

/// Runs the experiment and returns what `recall experiment` prints.
pub fn run(request: &ExperimentRequest) -> anyhow::Result<String> {
    let sigmas = match (&request.sigmas, request.name) {
        (Some(s), _) => s.clone(),
        (None, ExperimentName::NoiseSweep) => SWEEP_SIGMAS.to_vec(),
        (None, _) => vec![PAPER_SIGMA],
    };
    let (trials, seed) = (request.trials, request.seed);
    Ok(match request.name {
        ExperimentName::Mixed | ExperimentName::NoiseSweep => {
            let rows = run_mixed(&MODELS, &sigmas, trials, seed)?;
            if request.csv {
                report::mixed_csv(&rows)
            } else {
                report::mixed_table(request.name, &rows, trials, seed)
            }
        }
        ExperimentName::Glitch => {
            let rows = run_glitch(&MODELS, &sigmas, trials, seed)?;
            if request.csv {
                report::glitch_csv(&rows)
            } else {
                report::glitch_table(&rows, trials, seed)
            }
        }
    })
}

fn jobs(sigmas: &[f64], trials: usize) -> Vec<(usize, f64)> {
    sigmas
        .iter()
        .flat_map(|&s| (0..trials).map(move |t| (t, s)))
        .collect()
}

fn flatten<T>(results: Vec<anyhow::Result<Vec<T>>>) -> anyhow::Result<Vec<T>> {
    let mut out = Vec::new();
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

/// Maps `f` over `items` on every available core (independent trials), keeping the order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    results.sort_by_key(|r| r.0);
    results.into_iter().map(|r| r.1).collect()
}
