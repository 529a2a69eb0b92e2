//! `recall experiment density`: the paper's Fig. 4. Particles of the two-neuron IDP network
//! (`model::density`) under noise, started over every stable well, are run by Euler–Maruyama
//! past a burn-in and binned on the grid of the stationary Fokker–Planck solve; the mass near
//! each well and in its basin is compared with the grid solve and, when W is diagonal, with the
//! closed form. Each (trial, σ) is one ensemble with the trial's seed, run on a worker thread.

use std::ops::Range;

use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

use super::jobs::run_jobs;
use super::progress::Progress;
use crate::model::density::{
    DensityError, DensityModel, Grid, TwoNeuron, Well, basins, cells_near, closed_form,
    kullback_leibler, solve_stationary, total_variation,
};

/// The radius of the ball around a well whose mass is counted (the authors' 0.6).
pub const NEAR_RADIUS: f64 = 0.6;

/// The paper's two panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "lowercase")]
pub enum Preset {
    /// α₁ = α₂ = 3/2: IDP is the classic model, the mass spreads over the four wells.
    Fig4a,
    /// α₁ = 3/2, α₂ = 9/4: the dominant memory's wells absorb the mass.
    Fig4b,
}

impl Preset {
    pub const ALL: [Preset; 2] = [Preset::Fig4a, Preset::Fig4b];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// α₁, α₂ of the panel.
    pub fn alphas(self) -> [f64; 2] {
        match self {
            Preset::Fig4a => [1.5, 1.5],
            Preset::Fig4b => [1.5, 2.25],
        }
    }

    /// The σ list run when none is given: low enough to show the wells, high enough that the
    /// particles cross between them many times in the sampled time.
    pub fn sigmas(self) -> Vec<f64> {
        match self {
            Preset::Fig4a => vec![0.5, 0.8, 1.2],
            Preset::Fig4b => vec![0.8, 1.0, 1.2],
        }
    }
}

/// What one run of the density experiment simulates.
#[derive(Debug, Clone, PartialEq)]
pub struct DensityConfig {
    pub preset: Preset,
    /// α₁, α₂ (the preset's unless given).
    pub alphas: [f64; 2],
    /// The two-neuron network: IDP (the paper's), or idp-modern with `beta`.
    pub model: DensityModel,
    pub beta: f64,
    pub gain: f64,
    /// Cells per axis of the grid (histogram and solve).
    pub cells: usize,
    /// Particles per ensemble (one ensemble per trial and σ).
    pub particles: usize,
    pub dt_secs: f64,
    pub burn_in_secs: f64,
    pub sample_secs: f64,
    /// Steps between two samples of every particle.
    pub every_steps: usize,
}

impl Default for DensityConfig {
    fn default() -> Self {
        Self {
            preset: Preset::Fig4b,
            alphas: Preset::Fig4b.alphas(),
            model: DensityModel::Idp,
            beta: 2.0,
            gain: 1.0,
            cells: 81,
            particles: 200,
            dt_secs: 0.005,
            burn_in_secs: 150.0,
            sample_secs: 150.0,
            every_steps: 20,
        }
    }
}

impl DensityConfig {
    /// The network it simulates.
    pub fn model(&self) -> TwoNeuron {
        self.model.network(self.alphas, self.gain, self.beta)
    }
}

/// The theory at one σ, on the grid the particles are binned on.
#[derive(Debug, Clone)]
pub struct Theory {
    pub sigma: f64,
    pub grid: Grid,
    /// The probability per cell the masses are compared with: the grid solve's
    /// ([`Theory::solve`]), or with `exact` the closed form's ([`Theory::exact`], no grid solve).
    pub fp: Vec<f64>,
    /// `fp` is the closed form exp(−2V/σ²) of a gradient flow, not a grid solve.
    pub exact: bool,
    /// The closed form's, when W is diagonal.
    pub closed: Option<Vec<f64>>,
    /// Each cell's basin (an index into the wells).
    pub basins: Vec<Option<usize>>,
    /// Per well: the cells whose centre is within [`NEAR_RADIUS`].
    pub near: Vec<Vec<usize>>,
}

impl Theory {
    /// Solves the stationary density of `model` at σ on a grid of `cells`².
    pub fn solve(
        model: &TwoNeuron,
        wells: &[Well],
        sigma: f64,
        cells: usize,
    ) -> Result<Self, DensityError> {
        let grid = Grid::for_model(model, sigma, cells)?;
        Ok(Self {
            sigma,
            grid,
            fp: solve_stationary(model, sigma, &grid)?,
            exact: false,
            closed: closed_form(model, sigma, &grid)?,
            basins: basins(model, wells, &grid),
            near: wells
                .iter()
                .map(|w| cells_near(&grid, w.x, NEAR_RADIUS))
                .collect(),
        })
    }

    /// The closed form exp(−2V/σ²) of a gradient flow (idp-modern, or IDP with W diagonal) on
    /// a grid of `cells`², without the grid solve: `fp` is the closed form. `None` when the
    /// drift is not a gradient.
    pub fn exact(
        model: &TwoNeuron,
        wells: &[Well],
        sigma: f64,
        cells: usize,
    ) -> Result<Option<Self>, DensityError> {
        let grid = Grid::for_model(model, sigma, cells)?;
        let Some(closed) = closed_form(model, sigma, &grid)? else {
            return Ok(None);
        };
        Ok(Some(Self {
            sigma,
            grid,
            fp: closed.clone(),
            exact: true,
            closed: Some(closed),
            basins: basins(model, wells, &grid),
            near: wells
                .iter()
                .map(|w| cells_near(&grid, w.x, NEAR_RADIUS))
                .collect(),
        }))
    }

    /// The mass of `p` near well k.
    pub fn near_mass(&self, p: &[f64], k: usize) -> f64 {
        self.near[k].iter().map(|&c| p[c]).sum()
    }

    /// The mass of `p` in well k's basin.
    pub fn basin_mass(&self, p: &[f64], k: usize) -> f64 {
        p.iter()
            .zip(&self.basins)
            .filter(|(_, b)| **b == Some(k))
            .map(|(v, _)| v)
            .sum()
    }
}

/// One ensemble's histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct Ensemble {
    /// Samples per cell.
    pub counts: Vec<u32>,
    /// Samples outside the grid.
    pub outside: u64,
}

impl Ensemble {
    /// All samples, inside the grid or not.
    pub fn samples(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum::<u64>() + self.outside
    }

    /// The fraction of all samples in each cell.
    pub fn probabilities(&self) -> Vec<f64> {
        let total = self.samples().max(1) as f64;
        self.counts.iter().map(|&c| f64::from(c) / total).collect()
    }
}

/// Runs `config.particles` particles started over the wells in turn (so every well is filled
/// even when the noise is too weak to cross between them quickly), discards the burn-in and
/// bins every particle every `every_steps` steps. The same seed gives the same histogram.
pub fn ensemble(
    model: &TwoNeuron,
    wells: &[Well],
    config: &DensityConfig,
    grid: &Grid,
    sigma: f64,
    seed: u64,
) -> Ensemble {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut counts = vec![0u32; grid.len()];
    let mut outside = 0u64;
    let burn = (config.burn_in_secs / config.dt_secs).round() as usize;
    let sampled = (config.sample_secs / config.dt_secs).round() as usize;
    let every = config.every_steps.max(1);
    for k in 0..config.particles {
        let mut x = wells.get(k % wells.len().max(1)).map_or([0.0; 2], |w| w.x);
        for step in 0..burn + sampled {
            let n = [rng.sample(StandardNormal), rng.sample(StandardNormal)];
            x = model.euler_maruyama(x, config.dt_secs, sigma, n);
            if step >= burn && (step - burn + 1).is_multiple_of(every) {
                match grid.cell_of(x) {
                    Some(c) => counts[c] += 1,
                    None => outside += 1,
                }
            }
        }
    }
    Ensemble { counts, outside }
}

/// One well of one ensemble: the measured masses and the theory's.
#[derive(Debug, Clone, Serialize)]
pub struct DensityRow {
    pub trial: usize,
    pub seed: u64,
    pub sigma: f64,
    pub well: String,
    pub x1: f64,
    pub x2: f64,
    pub near_measured: f64,
    pub near_fp: f64,
    pub near_closed: Option<f64>,
    pub basin_measured: f64,
    pub basin_fp: f64,
    pub basin_closed: Option<f64>,
    /// The ensemble's samples outside the grid, as a fraction.
    pub outside: f64,
    /// The ensemble's histogram against the grid solve.
    pub tv_fp: f64,
    pub kl_fp: f64,
}

/// A run: the rows (trial by trial, then σ, then well), the theory per σ and the pooled
/// histogram of all trials per σ.
pub struct DensityOutcome {
    pub model: TwoNeuron,
    pub wells: Vec<Well>,
    pub theories: Vec<Theory>,
    pub pooled: Vec<Vec<f64>>,
    /// Per σ: the TV between the histograms of the even and the odd trials (about twice the
    /// pooled histogram's own noise), when there are both.
    pub split_tv: Vec<Option<f64>>,
    pub rows: Vec<DensityRow>,
}

/// Runs the experiment for trials `trials` (trial k has seed `seed + k`) at every σ.
pub fn run_density(
    config: &DensityConfig,
    sigmas: &[f64],
    trials: Range<usize>,
    seed: u64,
    progress: &Progress,
) -> anyhow::Result<DensityOutcome> {
    let model = config.model();
    let wells = model.stable_wells();
    let theories = sigmas
        .iter()
        .map(|&s| Theory::solve(&model, &wells, s, config.cells))
        .collect::<Result<Vec<_>, _>>()?;
    let jobs: Vec<(usize, usize)> = trials
        .flat_map(|t| (0..sigmas.len()).map(move |s| (t, s)))
        .collect();
    // Every ensemble is needed for the table, so nothing stops it (Ctrl-C twice ends it).
    let never = std::sync::atomic::AtomicBool::new(false);
    let ensemble_of = |&(trial, s): &(usize, usize)| {
        let trial_seed = seed.wrapping_add(trial as u64);
        let theory = &theories[s];
        Ok(Some(ensemble(
            &model,
            &wells,
            config,
            &theory.grid,
            theory.sigma,
            trial_seed,
        )))
    };
    let ensembles: Vec<Ensemble> =
        run_jobs(&jobs, None, progress, &never, ensemble_of, |_| Ok(()))?
            .into_finished()
            .collect();
    let mut pooled: Vec<Vec<f64>> = theories.iter().map(|t| vec![0.0; t.grid.len()]).collect();
    let mut pooled_samples = vec![0u64; theories.len()];
    let mut halves: Vec<[Vec<f64>; 2]> = theories
        .iter()
        .map(|t| [vec![0.0; t.grid.len()], vec![0.0; t.grid.len()]])
        .collect();
    let mut half_samples = vec![[0u64; 2]; theories.len()];
    let mut rows = Vec::new();
    for (&(trial, s), e) in jobs.iter().zip(&ensembles) {
        let theory = &theories[s];
        for (acc, &c) in pooled[s].iter_mut().zip(&e.counts) {
            *acc += f64::from(c);
        }
        for (acc, &c) in halves[s][trial % 2].iter_mut().zip(&e.counts) {
            *acc += f64::from(c);
        }
        pooled_samples[s] += e.samples();
        half_samples[s][trial % 2] += e.samples();
        let p = e.probabilities();
        let (tv_fp, kl_fp) = (
            total_variation(&p, &theory.fp),
            kullback_leibler(&p, &theory.fp),
        );
        for (k, w) in wells.iter().enumerate() {
            rows.push(DensityRow {
                trial,
                seed: seed.wrapping_add(trial as u64),
                sigma: theory.sigma,
                well: w.name(),
                x1: w.x[0],
                x2: w.x[1],
                near_measured: theory.near_mass(&p, k),
                near_fp: theory.near_mass(&theory.fp, k),
                near_closed: theory.closed.as_ref().map(|q| theory.near_mass(q, k)),
                basin_measured: theory.basin_mass(&p, k),
                basin_fp: theory.basin_mass(&theory.fp, k),
                basin_closed: theory.closed.as_ref().map(|q| theory.basin_mass(q, k)),
                outside: e.outside as f64 / e.samples().max(1) as f64,
                tv_fp,
                kl_fp,
            });
        }
    }
    for (p, &n) in pooled.iter_mut().zip(&pooled_samples) {
        for v in p.iter_mut() {
            *v /= n.max(1) as f64;
        }
    }
    let split_tv = halves
        .iter()
        .zip(&half_samples)
        .map(|(h, n)| {
            (n[0] > 0 && n[1] > 0).then(|| {
                let even: Vec<f64> = h[0].iter().map(|v| v / n[0] as f64).collect();
                let odd: Vec<f64> = h[1].iter().map(|v| v / n[1] as f64).collect();
                total_variation(&even, &odd)
            })
        })
        .collect();
    Ok(DensityOutcome {
        model,
        wells,
        theories,
        pooled,
        split_tv,
        rows,
    })
}

/// Mean and standard error of the mean.
pub fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, f64::NAN);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (mean, (var / n as f64).sqrt())
}
