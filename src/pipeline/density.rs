//! The live view of the paper's Fig. 4 (`--scenario density`, `Control::SetDensity`): particles
//! of the two-neuron IDP network (`model::density`) stepped by Euler–Maruyama in the simulator
//! thread, seeded, and binned on the grid of the stationary Fokker–Planck solve; the solve runs
//! on a thread of its own (newest request wins), so a new σ or α never holds up the frame loop.
//! With the two-neuron idp-modern network the theory is the exact closed form exp(−2E_β/σ²)
//! (a gradient flow), computed in line in a few milliseconds: no solve is asked for.
//! The masses near each well and in its basin are measured with their Monte-Carlo error (the
//! spread between independent groups of particles) and set against the theory's.

use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::experiment::density::{NEAR_RADIUS, Theory};
use crate::model::density::{
    ALPHA_RANGE, BETA_RANGE, DensityError, DensityModel, Grid, SIGMA_RANGE, TwoNeuron, Well,
    cells_near,
};

/// Particles in the cloud.
pub const PARTICLES: usize = 1000;
/// Independent groups the particles are dealt into (particle k in group k mod GROUPS): the
/// spread of the groups' masses gives the Monte-Carlo error, time correlations included. With 8
/// groups the error itself was too noisy (7 degrees of freedom: one seed showed z = −8.6 on a
/// mass 3 errors off); 20 groups of 50 keep it within a few per cent of the truth.
pub const GROUPS: usize = 20;
/// The Euler–Maruyama step of the particles (the experiment's), in model seconds.
pub const DT_SECS: f64 = 0.005;
/// Every particle is binned every this many steps (0.1 s of model time).
pub const SAMPLE_EVERY_STEPS: u64 = 20;
/// Model seconds after a change (σ, α, a restart) before samples are kept: the cloud, started
/// over the wells or as the old settings left it, first moves towards the new density.
pub const BURN_IN_SECS: f64 = 20.0;
/// The burn-in of the two-neuron idp-modern network: its shallower well empties more slowly
/// (a relaxation time of about 9 s at Fig. 4b's α and σ = 0.8, where 7% of the cloud was still
/// in it after 20 s and its z was +6 after 60 s of samples; 0.1% is left after 60 s).
pub const MODERN_BURN_IN_SECS: f64 = 60.0;
/// Cells per axis of the grid (histogram and solve; the experiment's default).
pub const CELLS: usize = 81;
/// The gain of ψ = tanh(g·x) (the figure's).
pub const GAIN: f64 = 1.0;
/// σ changes by this much per key press, within [`SIGMA_KEYS`].
pub const SIGMA_STEP: f64 = 0.1;
pub const SIGMA_KEYS: (f64, f64) = (0.2, 3.0);
/// Each α changes by this much per key press (3/2 and 9/4 are on the grid), within
/// [`ALPHA_KEYS`].
pub const ALPHA_STEP: f64 = 0.25;
pub const ALPHA_KEYS: (f64, f64) = (0.0, 5.0);

/// β of the two-neuron idp-modern network when the run sets none (the engine's default,
/// `Params::default().beta`, which a test checks).
pub const BETA_DEFAULT: f64 = 2.0;

/// What the live view simulates: the network (IDP of Fig. 4, or idp-modern with β), the noise
/// σ and the saliencies α₁, α₂ (gain [`GAIN`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DensitySettings {
    pub sigma: f64,
    pub alphas: [f64; 2],
    pub model: DensityModel,
    /// β of idp-modern (kept, unused, while IDP runs).
    pub beta: f64,
}

impl DensitySettings {
    /// The paper's Fig. 4a: α₁ = α₂ = 3/2 (IDP is the classic model; the closed form holds).
    pub const FIG4A: Self = Self {
        sigma: 0.8,
        alphas: [1.5, 1.5],
        model: DensityModel::Idp,
        beta: BETA_DEFAULT,
    };
    /// The paper's Fig. 4b: α₂ = 9/4 dominates α₁ = 3/2.
    pub const FIG4B: Self = Self {
        sigma: 0.8,
        alphas: [1.5, 2.25],
        model: DensityModel::Idp,
        beta: BETA_DEFAULT,
    };

    /// The two-neuron network these settings run.
    pub fn network(&self) -> TwoNeuron {
        self.model.network(self.alphas, GAIN, self.beta)
    }

    /// The same σ, α and β with the other network (IDP ↔ idp-modern).
    pub fn other_model(self) -> Self {
        let model = match self.model {
            DensityModel::Idp => DensityModel::IdpModern,
            DensityModel::IdpModern => DensityModel::Idp,
        };
        Self { model, ..self }
    }

    /// Why these settings cannot be simulated, in one line, or `Ok`.
    pub fn check(&self) -> Result<(), String> {
        let (lo, hi) = SIGMA_RANGE;
        if !(self.sigma.is_finite() && (lo..=hi).contains(&self.sigma)) {
            return Err(format!("σ = {} is outside {lo}..={hi}", self.sigma));
        }
        let (lo, hi) = BETA_RANGE;
        if !(self.beta.is_finite() && (lo..=hi).contains(&self.beta)) {
            return Err(format!("β = {} is outside {lo}..={hi}", self.beta));
        }
        let (lo, hi) = ALPHA_RANGE;
        for (k, a) in self.alphas.iter().enumerate() {
            if !(a.is_finite() && (lo..=hi).contains(a)) {
                return Err(format!("α{} = {a} is outside {lo}..={hi}", k + 1));
            }
        }
        Ok(())
    }

    /// σ one key step up or down, on the grid of steps and within [`SIGMA_KEYS`].
    pub fn nudge_sigma(self, up: bool) -> Self {
        let sigma = snap(self.sigma, SIGMA_STEP, up).clamp(SIGMA_KEYS.0, SIGMA_KEYS.1);
        Self { sigma, ..self }
    }

    /// α of memory `k` (0 or 1) one key step up or down, within [`ALPHA_KEYS`].
    pub fn nudge_alpha(self, k: usize, up: bool) -> Self {
        let mut alphas = self.alphas;
        if let Some(a) = alphas.get_mut(k) {
            *a = snap(*a, ALPHA_STEP, up).clamp(ALPHA_KEYS.0, ALPHA_KEYS.1);
        }
        Self { alphas, ..self }
    }
}

impl Default for DensitySettings {
    fn default() -> Self {
        Self::FIG4B
    }
}

/// The density view's generator: the run's seed and the network's step count when the view
/// was opened, so a seed and the same controls give the same cloud.
pub fn density_seed(seed: u64, steps: u64) -> u64 {
    seed ^ 0xD5_7E_11_5E_u64.wrapping_mul(steps.wrapping_add(1))
}

/// `v` one `step` up or down, on the grid of steps (so that up then down returns exactly);
/// `step` is 1/k, and k·v/k is the nearest f64 to the decimal (0.7, not 0.7000000000000001).
fn snap(v: f64, step: f64, up: bool) -> f64 {
    let next = v + if up { step } else { -step };
    (next / step).round() / (1.0 / step).round()
}

/// A measured mass: the mean over the particles and its standard error (`None` before the
/// groups have a sample each).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub se: Option<f64>,
}

impl Estimate {
    /// Mean and standard error of the mean of the groups' values.
    fn of_groups(values: &[f64]) -> Self {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n.max(1.0);
        let se = (values.len() > 1).then(|| {
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
            (var / n).sqrt()
        });
        Self { mean, se }
    }
}

/// One well's masses: measured (near it, in its basin) and the solve's.
#[derive(Debug, Clone, PartialEq)]
pub struct WellMass {
    pub near: Estimate,
    /// `None` until the solve has given each cell its basin.
    pub basin: Option<Estimate>,
    pub near_fp: Option<f64>,
    pub basin_fp: Option<f64>,
}

/// Where the grid solve of the current settings is.
#[derive(Debug, Clone, PartialEq)]
pub enum SolveState {
    /// Asked for; the theory shown is none (the numbers would be another setting's).
    Solving,
    /// Solved, in this many wall seconds (`None` in a screenshot, which is the same picture on
    /// every run and so shows no wall-clock time).
    Solved { secs: Option<f64> },
    /// The closed form exp(−2E_β/σ²) of a gradient flow (idp-modern): exact, no grid solve;
    /// computed in line in this many wall seconds (basins included; `None` as for `Solved`).
    Exact { secs: Option<f64> },
    /// The solve failed (the settings are kept; the particles go on).
    Failed(String),
}

impl SolveState {
    /// The same without its wall-clock time (for a screenshot).
    pub fn untimed(self) -> Self {
        match self {
            SolveState::Solved { .. } => SolveState::Solved { secs: None },
            SolveState::Exact { .. } => SolveState::Exact { secs: None },
            other => other,
        }
    }
}

/// What the UI draws of the live view: a copy made at one instant.
#[derive(Debug, Clone)]
pub struct DensityView {
    pub settings: DensitySettings,
    pub gain: f64,
    pub wells: Vec<Well>,
    pub grid: Grid,
    pub particles: usize,
    pub groups: usize,
    pub dt_secs: f64,
    /// Model time of the particles since the view started.
    pub time_secs: f64,
    /// Model time since the last change (σ, α, restart).
    pub since_secs: f64,
    pub burn_in_secs: f64,
    /// Particle positions binned since the burn-in ended.
    pub samples: u64,
    /// The fraction of them outside the grid.
    pub outside: f64,
    /// Per cell: the fraction of the samples (after the burn-in), or of the particles now
    /// (during it).
    pub measured: Vec<f64>,
    /// The burn-in is over: `measured` and the masses are averages over time.
    pub sampling: bool,
    /// The theory of these settings: the grid solve once it is back, or (idp-modern) the
    /// exact closed form at once (`Theory::exact`, `SolveState::Exact`).
    pub theory: Option<Arc<Theory>>,
    pub solve: SolveState,
    /// One per well, in `wells`' order.
    pub masses: Vec<WellMass>,
    /// Per memory (ξ1, ξ2): the mass in both its wells' basins, its error from the groups'
    /// sums (`None` until the solve has given each cell its basin).
    pub memory_basins: [Option<Estimate>; 2],
}

/// Solve the stationary density of `model` at σ (generation `generation` of the settings).
pub struct SolveRequest {
    pub generation: u64,
    pub model: TwoNeuron,
    pub wells: Vec<Well>,
    pub sigma: f64,
}

/// The solve of a request, and how long it took.
pub struct SolveResult {
    pub generation: u64,
    pub theory: Result<Arc<Theory>, DensityError>,
    pub secs: f64,
}

/// The solver thread: runs until either channel closes; of the requests waiting, only the
/// newest is solved.
pub(super) fn run_solver(requests: Receiver<SolveRequest>, results: Sender<SolveResult>) {
    while let Ok(mut request) = requests.recv() {
        for newer in requests.try_iter() {
            request = newer;
        }
        let started = Instant::now();
        let theory = Theory::solve(&request.model, &request.wells, request.sigma, CELLS);
        let result = SolveResult {
            generation: request.generation,
            theory: theory.map(Arc::new),
            secs: started.elapsed().as_secs_f64(),
        };
        if results.send(result).is_err() {
            return;
        }
    }
}

/// The particles, their histograms and the newest solve, owned by the simulator.
pub struct DensityLive {
    settings: DensitySettings,
    model: TwoNeuron,
    wells: Vec<Well>,
    grid: Grid,
    /// Per well: the cells whose centre is within [`NEAR_RADIUS`] of it (as the solve counts).
    near: Vec<Vec<usize>>,
    rng: Xoshiro256PlusPlus,
    particles: Vec<[f64; 2]>,
    steps: u64,
    since_steps: u64,
    /// Per group: samples per cell, and samples outside the grid.
    counts: Vec<Vec<u32>>,
    outside: Vec<u64>,
    /// Bumped by every change of the settings; a solve of another generation is dropped.
    generation: u64,
    request: Option<SolveRequest>,
    theory: Option<Arc<Theory>>,
    solve: SolveState,
}

impl DensityLive {
    /// A cloud for `settings`, started over the stable wells in turn, with its own generator
    /// seeded by `seed`.
    pub fn new(settings: DensitySettings, seed: u64) -> Result<Self, String> {
        settings.check()?;
        let model = settings.network();
        let grid = Grid::for_model(&model, settings.sigma, CELLS).map_err(|e| e.to_string())?;
        let mut live = Self {
            settings,
            model,
            wells: Vec::new(),
            grid,
            near: Vec::new(),
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            particles: vec![[0.0; 2]; PARTICLES],
            steps: 0,
            since_steps: 0,
            counts: Vec::new(),
            outside: Vec::new(),
            generation: 0,
            request: None,
            theory: None,
            solve: SolveState::Solving,
        };
        live.set(settings)?;
        live.restart();
        Ok(live)
    }

    /// New settings: the particles go on from where they are (put back over the new wells
    /// when the network changes: idp-modern has no −ξ wells, and particles it gathered on
    /// their positive side would take far longer than the burn-in to spread back in IDP's),
    /// the samples start again after a burn-in, and a new solve is asked for (idp-modern: the
    /// closed form is computed here instead). Bad settings are refused and nothing changes.
    pub fn set(&mut self, settings: DensitySettings) -> Result<(), String> {
        settings.check()?;
        let new_network = settings.model != self.settings.model;
        let model = settings.network();
        let grid = Grid::for_model(&model, settings.sigma, CELLS).map_err(|e| e.to_string())?;
        let wells = model.stable_wells();
        self.near = wells
            .iter()
            .map(|w| cells_near(&grid, w.x, NEAR_RADIUS))
            .collect();
        self.settings = settings;
        self.model = model;
        self.grid = grid;
        self.generation += 1;
        self.request = Some(SolveRequest {
            generation: self.generation,
            model,
            wells: wells.clone(),
            sigma: settings.sigma,
        });
        self.theory = None;
        self.solve = SolveState::Solving;
        if settings.model == DensityModel::IdpModern {
            // Exact and cheap (a few ms: 81² energies and the basins' flows): no solve.
            self.request = None;
            let started = Instant::now();
            match Theory::exact(&model, &wells, settings.sigma, CELLS) {
                Ok(Some(theory)) => {
                    self.theory = Some(Arc::new(theory));
                    self.solve = SolveState::Exact {
                        secs: Some(started.elapsed().as_secs_f64()),
                    };
                }
                Ok(None) => self.solve = SolveState::Failed("no closed form".into()),
                Err(e) => self.solve = SolveState::Failed(e.to_string()),
            }
        }
        self.wells = wells;
        if new_network {
            self.restart();
        } else {
            self.clear_samples();
        }
        Ok(())
    }

    /// The particles back over the wells in turn (so that every well is filled, however weak
    /// the noise), and the samples start again after a burn-in.
    pub fn restart(&mut self) {
        let starts: Vec<[f64; 2]> = self.wells.iter().map(|w| w.x).collect();
        // Particle k is in group k mod GROUPS: the starts go round the wells within each group,
        // so every group starts as the whole cloud does.
        for (k, x) in self.particles.iter_mut().enumerate() {
            let start = (k / GROUPS) % starts.len().max(1);
            *x = starts.get(start).copied().unwrap_or([0.0; 2]);
        }
        self.clear_samples();
    }

    fn clear_samples(&mut self) {
        self.since_steps = 0;
        self.counts = vec![vec![0; self.grid.len()]; GROUPS];
        self.outside = vec![0; GROUPS];
    }

    pub fn settings(&self) -> DensitySettings {
        self.settings
    }

    /// Steps taken since the view started.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Model seconds after a change before samples are kept, for the network that runs.
    pub fn burn_in_secs(&self) -> f64 {
        match self.settings.model {
            DensityModel::Idp => BURN_IN_SECS,
            DensityModel::IdpModern => MODERN_BURN_IN_SECS,
        }
    }

    fn burn_in_steps(&self) -> u64 {
        (self.burn_in_secs() / DT_SECS).round() as u64
    }

    /// One Euler–Maruyama step of every particle; past the burn-in, every
    /// [`SAMPLE_EVERY_STEPS`]-th step bins them.
    pub fn step(&mut self) {
        for x in &mut self.particles {
            let n = [
                self.rng.sample(StandardNormal),
                self.rng.sample(StandardNormal),
            ];
            *x = self
                .model
                .euler_maruyama(*x, DT_SECS, self.settings.sigma, n);
        }
        self.steps += 1;
        self.since_steps += 1;
        let burn = self.burn_in_steps();
        if self.since_steps > burn && (self.since_steps - burn).is_multiple_of(SAMPLE_EVERY_STEPS) {
            for (k, &x) in self.particles.iter().enumerate() {
                let g = k % GROUPS;
                match self.grid.cell_of(x) {
                    Some(c) => self.counts[g][c] += 1,
                    None => self.outside[g] += 1,
                }
            }
        }
    }

    /// A solve of the current settings has been asked for and has not come back.
    pub fn solving(&self) -> bool {
        self.solve == SolveState::Solving && self.request.is_none()
    }

    /// The solve to ask for, once (`request_failed` puts it back).
    pub fn take_request(&mut self) -> Option<SolveRequest> {
        self.request.take()
    }

    /// The request could not be sent: ask again later.
    pub fn request_failed(&mut self, request: SolveRequest) {
        if request.generation == self.generation {
            self.request = Some(request);
        }
    }

    /// A solve came back: kept if it is of the current settings.
    pub fn solved(&mut self, result: SolveResult) {
        if result.generation != self.generation {
            return;
        }
        match result.theory {
            Ok(theory) => {
                self.theory = Some(theory);
                self.solve = SolveState::Solved {
                    secs: Some(result.secs),
                };
            }
            Err(e) => self.solve = SolveState::Failed(e.to_string()),
        }
    }

    /// Solves in line (the screenshot and tests, which have no solver thread).
    pub fn solve_now(&mut self) {
        if let Some(request) = self.take_request() {
            let started = Instant::now();
            let theory = Theory::solve(&request.model, &request.wells, request.sigma, CELLS);
            self.solved(SolveResult {
                generation: request.generation,
                theory: theory.map(Arc::new),
                secs: started.elapsed().as_secs_f64(),
            });
        }
    }

    /// Each group's fraction of mass per cell (and outside), from the samples or, during the
    /// burn-in, from where the particles are now.
    fn group_probabilities(&self, sampling: bool) -> Vec<Vec<f64>> {
        (0..GROUPS)
            .map(|g| {
                if sampling {
                    let total =
                        self.counts[g].iter().map(|&c| u64::from(c)).sum::<u64>() + self.outside[g];
                    let total = total.max(1) as f64;
                    self.counts[g]
                        .iter()
                        .map(|&c| f64::from(c) / total)
                        .collect()
                } else {
                    let mut p = vec![0.0; self.grid.len()];
                    let members = self.particles.iter().skip(g).step_by(GROUPS);
                    let n = members.clone().count().max(1) as f64;
                    for &x in members {
                        if let Some(c) = self.grid.cell_of(x) {
                            p[c] += 1.0 / n;
                        }
                    }
                    p
                }
            })
            .collect()
    }

    /// The view for the UI.
    pub fn view(&self) -> DensityView {
        let sampling = self.since_steps > self.burn_in_steps();
        let groups = self.group_probabilities(sampling);
        let samples: u64 = self
            .counts
            .iter()
            .flatten()
            .map(|&c| u64::from(c))
            .sum::<u64>()
            + self.outside.iter().sum::<u64>();
        let outside = if sampling {
            self.outside.iter().sum::<u64>() as f64 / samples.max(1) as f64
        } else {
            let out = self
                .particles
                .iter()
                .filter(|&&x| self.grid.cell_of(x).is_none())
                .count();
            out as f64 / self.particles.len().max(1) as f64
        };
        let mut measured = vec![0.0; self.grid.len()];
        for p in &groups {
            for (m, v) in measured.iter_mut().zip(p) {
                *m += v / GROUPS as f64;
            }
        }
        // Per well and group: the mass near it, and in its basin (one pass over the cells).
        let wells = self.wells.len();
        let theory = self.theory.as_deref();
        let near: Vec<Vec<f64>> = self
            .near
            .iter()
            .map(|cells| {
                groups
                    .iter()
                    .map(|p| cells.iter().map(|&c| p[c]).sum())
                    .collect()
            })
            .collect();
        let mut basin = vec![vec![0.0; GROUPS]; wells];
        if let Some(t) = theory {
            for (g, p) in groups.iter().enumerate() {
                for (&v, b) in p.iter().zip(&t.basins) {
                    if let Some(k) = *b {
                        basin[k][g] += v;
                    }
                }
            }
        }
        // Per memory: both its wells' basins, summed group by group (the two wells trade
        // particles, so their errors do not add as if independent).
        let memory_basins = [0, 1].map(|memory| {
            theory.map(|_| {
                let per_group: Vec<f64> = (0..GROUPS)
                    .map(|g| {
                        (0..wells)
                            .filter(|&k| self.wells[k].memory == memory)
                            .map(|k| basin[k][g])
                            .sum()
                    })
                    .collect();
                Estimate::of_groups(&per_group)
            })
        });
        let masses = (0..wells)
            .map(|k| WellMass {
                near: Estimate::of_groups(&near[k]),
                basin: theory.map(|_| Estimate::of_groups(&basin[k])),
                near_fp: theory.map(|t| t.near_mass(&t.fp, k)),
                basin_fp: theory.map(|t| t.basin_mass(&t.fp, k)),
            })
            .collect();
        DensityView {
            settings: self.settings,
            gain: GAIN,
            wells: self.wells.clone(),
            grid: self.grid,
            particles: self.particles.len(),
            groups: GROUPS,
            dt_secs: DT_SECS,
            time_secs: self.steps as f64 * DT_SECS,
            since_secs: self.since_steps as f64 * DT_SECS,
            burn_in_secs: self.burn_in_secs(),
            samples,
            outside,
            measured,
            memory_basins,
            sampling,
            theory: self.theory.clone(),
            solve: self.solve.clone(),
            masses,
        }
    }

    /// Test hook: the particles follow `model` while the theory stays that of the settings
    /// (a wrong drift must show as measured masses that disagree with the theory).
    #[doc(hidden)]
    pub fn with_particle_model(mut self, model: TwoNeuron) -> Self {
        self.model = model;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_step_on_a_grid_and_stay_in_range() {
        let s = DensitySettings::FIG4B;
        assert_eq!(s.nudge_sigma(true).nudge_sigma(false), s);
        assert_eq!(s.nudge_alpha(1, true).alphas, [1.5, 2.5]);
        assert_eq!(s.nudge_alpha(0, false).alphas, [1.25, 2.25]);
        let mut low = s;
        for _ in 0..100 {
            low = low.nudge_sigma(false).nudge_alpha(0, false);
        }
        assert_eq!((low.sigma, low.alphas[0]), (SIGMA_KEYS.0, ALPHA_KEYS.0));
        assert!(low.check().is_ok());
        let bad = DensitySettings {
            sigma: f64::NAN,
            ..s
        };
        assert!(bad.check().unwrap_err().contains("σ"));
        let bad = DensitySettings {
            alphas: [1.0, 99.0],
            ..s
        };
        assert!(bad.check().unwrap_err().contains("α2"));
    }

    #[test]
    fn the_cloud_is_the_same_for_a_seed_and_a_change_starts_a_burn_in() {
        let run = |seed| {
            let mut live = DensityLive::new(DensitySettings::FIG4B, seed).unwrap();
            for _ in 0..(BURN_IN_SECS / DT_SECS) as u64 + 200 {
                live.step();
            }
            live
        };
        let (a, b, c) = (run(3), run(3), run(4));
        assert_eq!(a.particles, b.particles);
        assert_eq!(a.counts, b.counts);
        assert_ne!(a.particles, c.particles);
        let mut a = a;
        assert!(a.view().sampling);
        assert_eq!(a.view().samples, (10 * PARTICLES) as u64);
        a.set(DensitySettings::FIG4A).unwrap();
        let v = a.view();
        assert!(!v.sampling && v.samples == 0 && v.theory.is_none());
        assert_eq!(v.solve, SolveState::Solving);
        // A bad setting changes nothing.
        let before = a.settings();
        assert!(
            a.set(DensitySettings {
                sigma: -1.0,
                ..before
            })
            .is_err()
        );
        assert_eq!(a.settings(), before);
        // An old generation's solve is dropped.
        let old = SolveResult {
            generation: 1,
            theory: Err(DensityError::Sigma(0.0)),
            secs: 0.0,
        };
        a.solved(old);
        assert_eq!(a.view().solve, SolveState::Solving);
        a.solve_now();
        assert!(matches!(a.view().solve, SolveState::Solved { .. }));
        assert!(a.view().masses.iter().all(|m| m.near_fp.is_some()));
    }

    #[test]
    fn a_new_network_puts_the_particles_back_on_its_wells() {
        let mut live = DensityLive::new(DensitySettings::FIG4B, 3).unwrap();
        for _ in 0..2000 {
            live.step();
        }
        // A change of σ: the cloud goes on from where it is.
        let moved = live.particles.clone();
        live.set(live.settings().nudge_sigma(true)).unwrap();
        assert_eq!(live.particles, moved);
        // idp-modern has no −ξ wells: its particles start on its own wells, and so do IDP's
        // when `m` switches back (every one of IDP's four wells gets its share at once).
        for _ in 0..2 {
            live.set(live.settings().other_model()).unwrap();
            let wells: Vec<[f64; 2]> = live.wells.iter().map(|w| w.x).collect();
            assert!(live.particles.iter().all(|p| wells.contains(p)));
            for w in &wells {
                let on = live.particles.iter().filter(|p| *p == w).count();
                // In turn, a group at a time: shares equal to within a group's round.
                assert!(
                    on.abs_diff(PARTICLES / wells.len()) <= GROUPS,
                    "{w:?}: {on}"
                );
            }
            for _ in 0..2000 {
                live.step();
            }
        }
    }
}
