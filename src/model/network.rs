//! One network of any kind: its state, the Euler–Maruyama step, and the observables
//! (overlaps, saliencies, energy, the retrieved memory).

use std::sync::Arc;

use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;
use thiserror::Error;

use super::entropy::{entropy_term, sum_of_squares};
use super::kernels::fast_tanh;
use super::memories::Memories;
use super::normal::NormalStream;
use super::params::{ModelKind, ParamError, Params, Saliency};
use super::sweep::Sweep;
use super::theory::{self, TheoryReport};

/// What can go wrong while running a network.
#[derive(Debug, Clone, Error, PartialEq)]
pub enum ModelError {
    #[error("invalid parameters: {0}")]
    Params(#[from] ParamError),
    #[error("the input has {found} values but the network has {expected} neurons")]
    InputSize { found: usize, expected: usize },
    #[error("the state diverged (a non-finite value) at t = {time_secs:.3} s")]
    Diverged { time_secs: f64 },
}

/// What only one kind of model needs, beside the state every model has.
#[derive(Debug, Clone)]
enum Dynamics {
    /// IDP: the landscape's weights are the saliencies α themselves.
    Idp,
    /// IDP with the input filter: the filtered saliencies α̃ and the memory layer y.
    IdpFilter { alpha_filt: Vec<f32>, y: Vec<f32> },
    /// A classic continuous model (weights 1; `kind` says how it takes the input), with the
    /// model seconds since the stimulus last changed (for the pulse).
    Classic {
        kind: ModelKind,
        since_change_secs: f64,
    },
    /// The textbook discrete network: the random update order, the next position in it, and
    /// the fraction of an update carried to the next step.
    Discrete {
        order: Vec<u32>,
        cursor: usize,
        carry: f64,
    },
    /// A modern (softmax) model: `idp` when the input sets the saliencies α, else α = 1 and
    /// the input is the initial condition at each change.
    Modern { idp: bool },
}

impl Dynamics {
    fn new(kind: ModelKind, n: usize, p: usize) -> Self {
        match kind {
            ModelKind::Idp => Dynamics::Idp,
            ModelKind::IdpFilter => Dynamics::IdpFilter {
                alpha_filt: vec![0.0; p],
                y: vec![0.0; p],
            },
            ModelKind::Discrete => Dynamics::Discrete {
                order: (0..n as u32).collect(),
                cursor: 0,
                carry: 0.0,
            },
            ModelKind::Modern => Dynamics::Modern { idp: false },
            ModelKind::IdpModern => Dynamics::Modern { idp: true },
            _ => Dynamics::Classic {
                kind,
                since_change_secs: 0.0,
            },
        }
    }

    fn kind(&self) -> ModelKind {
        match self {
            Dynamics::Idp => ModelKind::Idp,
            Dynamics::IdpFilter { .. } => ModelKind::IdpFilter,
            Dynamics::Classic { kind, .. } => *kind,
            Dynamics::Discrete { .. } => ModelKind::Discrete,
            Dynamics::Modern { idp: false } => ModelKind::Modern,
            Dynamics::Modern { idp: true } => ModelKind::IdpModern,
        }
    }

    /// The input is fed as a current now.
    fn current_on(&self, pulse_secs: f64) -> bool {
        match self {
            Dynamics::Classic {
                kind: ModelKind::ClassicConstant,
                ..
            } => true,
            Dynamics::Classic {
                kind: ModelKind::ClassicPulsed,
                since_change_secs,
            } => *since_change_secs < pulse_secs,
            _ => false,
        }
    }
}

/// A Hopfield network of one [`ModelKind`] over a shared set of memories.
///
/// Deterministic: the same memories, parameters, seed and sequence of inputs give bitwise the
/// same trajectory. `step` allocates nothing.
#[derive(Debug, Clone)]
pub struct Network {
    dynamics: Dynamics,
    params: Params,
    mem: Arc<Memories>,
    rng: Xoshiro256PlusPlus,
    /// The noise of the continuous models, started from `rng` long-jumped.
    noise_stream: NormalStream,
    /// State x (for the discrete model, the ±1 spins).
    x: Vec<f32>,
    /// The compensation of x's sums (see `model::sweep`); zero whenever x is set directly.
    x_carry: Vec<f32>,
    /// Ψ(x) = tanh(g·x) (for the discrete model, equal to x).
    psi: Vec<f32>,
    /// Ξᵀ Ψ(x) for the current state (not divided by N).
    d: Vec<f32>,
    d_next: Vec<f32>,
    /// Current input u (input gain applied by the caller).
    input: Vec<f32>,
    /// Saliencies α(u) of the current input (plain or Gram-corrected).
    alpha: Vec<f32>,
    /// Weights of W in the landscape: α (IDP), α̃ (filter) or 1 (classic).
    weights: Vec<f32>,
    coef: Vec<f32>,
    /// Scratch of the sweep (the tables of c and the sums of ΞᵀΨ).
    scratch: Vec<f32>,
    noise: Vec<f32>,
    time_secs: f64,
}

impl Network {
    /// A network with a random initial state x(0) ~ N(0, I) (±1 at random for the discrete
    /// model) and zero input.
    pub fn new(
        mem: Arc<Memories>,
        kind: ModelKind,
        params: Params,
        seed: u64,
    ) -> Result<Self, ModelError> {
        params.validate()?;
        let (n, p) = (mem.n(), mem.p());
        let rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        // The noise streams start from a copy of `rng` 2¹⁹² steps on, so `rng` itself draws
        // what it always drew (a noise-free run is unchanged by the sampler).
        let mut ahead = rng.clone();
        ahead.long_jump();
        let noise_stream = NormalStream::from_rng(&mut ahead);
        let mut net = Self {
            dynamics: Dynamics::new(kind, n, p),
            params,
            mem,
            rng,
            noise_stream,
            x: vec![0.0; n],
            x_carry: vec![0.0; n],
            psi: vec![0.0; n],
            d: vec![0.0; p],
            d_next: vec![0.0; p],
            input: vec![0.0; n],
            alpha: vec![0.0; p],
            weights: vec![0.0; p],
            coef: vec![0.0; p],
            scratch: vec![0.0; Sweep::scratch_len(p)],
            noise: vec![0.0; n],
            time_secs: 0.0,
        };
        net.randomize_state();
        Ok(net)
    }

    /// Draws a fresh random state from the network's own generator.
    pub fn randomize_state(&mut self) {
        if let Dynamics::Discrete { order, cursor, .. } = &mut self.dynamics {
            for v in &mut self.x {
                *v = if self.rng.random::<bool>() { 1.0 } else { -1.0 };
            }
            shuffle(&mut self.rng, order, cursor);
        } else {
            for v in &mut self.x {
                *v = self.rng.sample(StandardNormal);
            }
            if let Dynamics::Modern { .. } = self.dynamics {
                // Near the origin, x ~ N(0, I/N): the softmax is uniform there, so the input's
                // saliencies decide where the state goes, not the draw (at N(0, I) the logits
                // would already spread by β·|α|).
                let scale = 1.0 / (self.x.len() as f32).sqrt();
                self.x.iter_mut().for_each(|v| *v *= scale);
            }
        }
        self.refresh_activation();
    }

    /// Sets the state x directly (length N; for the discrete model values are taken by sign).
    pub fn set_state(&mut self, x: &[f32]) -> Result<(), ModelError> {
        self.check_len(x)?;
        self.load_state(x);
        Ok(())
    }

    /// Feeds input `u` (length N, input gain already applied). `changed` marks a new stimulus:
    /// it restarts the pulse of the classic pulsed model and resets the state of the
    /// initial-condition models.
    pub fn set_input(&mut self, u: &[f32], changed: bool) -> Result<(), ModelError> {
        self.set_input_projected(u, None, changed)
    }

    /// As [`Self::set_input`], given `projection` = (1/N) Ξᵀu when it is known already
    /// ([`Memories::project`] of `u` over this network's memories: a session computes it once
    /// for all its models, a run's stream thread ahead of the simulation).
    pub fn set_input_projected(
        &mut self,
        u: &[f32],
        projection: Option<&[f32]>,
        changed: bool,
    ) -> Result<(), ModelError> {
        self.check_len(u)?;
        if let Some(found) = projection
            .map(<[f32]>::len)
            .filter(|&len| len != self.alpha.len())
        {
            return Err(ModelError::InputSize {
                found,
                expected: self.alpha.len(),
            });
        }
        self.input.copy_from_slice(u);
        self.recompute_saliency(projection);
        if changed {
            match &mut self.dynamics {
                Dynamics::Classic {
                    kind,
                    since_change_secs,
                } => {
                    *since_change_secs = 0.0;
                    if *kind == ModelKind::ClassicInitial {
                        self.load_state(u);
                    }
                }
                Dynamics::Discrete { .. } => self.load_state(u),
                Dynamics::Modern { idp: false } => self.load_cue(u),
                _ => {}
            }
        }
        Ok(())
    }

    fn check_len(&self, v: &[f32]) -> Result<(), ModelError> {
        if v.len() == self.x.len() {
            Ok(())
        } else {
            Err(ModelError::InputSize {
                found: v.len(),
                expected: self.x.len(),
            })
        }
    }

    /// The modern model's cue: x ← u·√N/|u|, the cue's direction at |x|² = N (order 1 a
    /// neuron, where the memories' fixed points are), whatever the input gain; x ← 0 for a
    /// blank input.
    fn load_cue(&mut self, u: &[f32]) {
        let norm = u
            .iter()
            .map(|&v| f64::from(v) * f64::from(v))
            .sum::<f64>()
            .sqrt();
        let scale = if norm > 0.0 && norm.is_finite() {
            ((u.len() as f64).sqrt() / norm) as f32
        } else {
            0.0
        };
        let x: Vec<f32> = u.iter().map(|&v| v * scale).collect();
        self.load_state(&x);
    }

    /// x ← `v` (by sign for the discrete model), then Ψ and the overlaps follow.
    fn load_state(&mut self, v: &[f32]) {
        if let Dynamics::Discrete { .. } = self.dynamics {
            for (s, &v) in self.x.iter_mut().zip(v) {
                *s = if v >= 0.0 { 1.0 } else { -1.0 };
            }
        } else {
            self.x.copy_from_slice(v);
        }
        self.refresh_activation();
    }

    /// Replaces the memories. With the same N the state is kept; otherwise it is redrawn and
    /// the input cleared. Saliencies follow the new set at once; the input filter's state
    /// follows the memories by name.
    pub fn set_memories(&mut self, mem: Arc<Memories>) {
        let (n, p) = (mem.n(), mem.p());
        let same_n = n == self.x.len();
        if let Dynamics::IdpFilter { alpha_filt, y } = &mut self.dynamics {
            // The input filter's state (α̃, y) belongs to memories: it follows them by name,
            // and a new memory starts from 0 (everything does when N changes: state and input
            // restart).
            let by_name = |old: &[f32]| -> Vec<f32> {
                mem.names()
                    .iter()
                    .map(|name| match self.mem.index_of(name) {
                        Some(i) if same_n => old[i],
                        _ => 0.0,
                    })
                    .collect()
            };
            *alpha_filt = by_name(alpha_filt);
            *y = by_name(y);
        }
        self.mem = mem;
        for v in [
            &mut self.d,
            &mut self.d_next,
            &mut self.alpha,
            &mut self.weights,
            &mut self.coef,
        ] {
            v.resize(p, 0.0);
        }
        self.scratch.resize(Sweep::scratch_len(p), 0.0);
        if !same_n {
            self.x = vec![0.0; n];
            self.x_carry = vec![0.0; n];
            self.psi = vec![0.0; n];
            self.input = vec![0.0; n];
            self.noise = vec![0.0; n];
            if let Dynamics::Discrete { order, cursor, .. } = &mut self.dynamics {
                *order = (0..n as u32).collect();
                *cursor = 0;
            }
            self.randomize_state();
        }
        self.refresh_activation();
        self.recompute_saliency(None);
    }

    /// Changes the parameters (validated first; the state is kept).
    pub fn set_params(&mut self, params: Params) -> Result<(), ModelError> {
        params.validate()?;
        self.params = params;
        self.recompute_saliency(None);
        self.refresh_activation();
        Ok(())
    }

    /// Sets σ of the noise (must be finite and ≥ 0).
    pub fn set_noise_std(&mut self, noise_std: f64) -> Result<(), ModelError> {
        let params = Params {
            noise_std,
            ..self.params.clone()
        };
        self.set_params(params)
    }

    /// Advances the network by one step of `dt_secs`.
    pub fn step(&mut self) -> Result<(), ModelError> {
        if let Dynamics::Discrete { .. } = self.dynamics {
            self.step_discrete();
        } else {
            self.step_continuous();
        }
        self.time_secs += self.params.dt_secs;
        if let Dynamics::Classic {
            since_change_secs, ..
        } = &mut self.dynamics
        {
            *since_change_secs += self.params.dt_secs;
        }
        if self.d.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(ModelError::Diverged {
                time_secs: self.time_secs,
            })
        }
    }

    /// Runs `steps` steps, stopping at the first error.
    pub fn run(&mut self, steps: usize) -> Result<(), ModelError> {
        for _ in 0..steps {
            self.step()?;
        }
        Ok(())
    }

    fn step_continuous(&mut self) {
        let n = self.x.len();
        let nf = n as f32;
        let zero_diag = self.params.zero_diagonal;
        let mut tau_x = 1.0;
        let mut bias = 0.0f32;
        let mut linear = false;
        match &mut self.dynamics {
            Dynamics::Idp => {
                for mu in 0..self.d.len() {
                    self.weights[mu] = self.alpha[mu];
                    self.coef[mu] = self.alpha[mu] * self.d[mu] / nf;
                }
            }
            Dynamics::IdpFilter { alpha_filt, y } => {
                let dt = self.params.dt_secs;
                let ka = filter_gain(dt, self.params.tau_alpha_secs);
                let ky = filter_gain(dt, self.params.tau_y_secs);
                // τ = 0 (gain 1) copies, so the model is IDP bit for bit: a + 1·(b − a) is not
                // always b in floating point.
                let follow = |k: f32, v: &mut f32, target: f32| {
                    *v = if k == 1.0 {
                        target
                    } else {
                        *v + k * (target - *v)
                    };
                };
                for mu in 0..self.d.len() {
                    follow(ka, &mut alpha_filt[mu], self.alpha[mu]);
                    follow(ky, &mut y[mu], self.d[mu] / nf);
                    self.weights[mu] = alpha_filt[mu];
                    self.coef[mu] = if ky == 1.0 {
                        alpha_filt[mu] * self.d[mu] / nf // as IDP rounds it
                    } else {
                        alpha_filt[mu] * y[mu]
                    };
                }
                tau_x = self.params.tau_x_secs as f32;
            }
            Dynamics::Classic { .. } | Dynamics::Discrete { .. } => {
                for mu in 0..self.d.len() {
                    self.weights[mu] = 1.0;
                    self.coef[mu] = self.d[mu] / nf;
                }
                bias = if self.current_on() { 1.0 } else { 0.0 };
            }
            Dynamics::Modern { idp } => {
                if *idp {
                    self.weights.copy_from_slice(&self.alpha);
                } else {
                    self.weights.fill(1.0);
                }
                // c = α ⊙ softmax(β α ⊙ Ξᵀx / √N); no diagonal to remove (W is not a matrix
                // here), no current.
                softmax_weighted(
                    &self.weights,
                    &self.d,
                    logit_scale(self.params.beta, n),
                    &mut self.coef,
                );
                linear = true;
            }
        }
        let delta = if zero_diag && !linear {
            self.weights.iter().sum::<f32>() / nf
        } else {
            0.0
        };
        let dt = (self.params.dt_secs as f32) / tau_x;
        let kick = (self.params.noise_std * self.params.dt_secs.sqrt()) as f32;
        if kick > 0.0 {
            self.noise_stream.fill(&mut self.noise);
        }
        let mut sweep = Sweep {
            signs: self.mem.signs(),
            coef: &self.coef,
            x: &mut self.x,
            x_carry: &mut self.x_carry,
            psi: &mut self.psi,
            input: &self.input,
            noise: &self.noise,
            scratch: &mut self.scratch,
            d_out: &mut self.d_next,
            dt,
            kick,
            delta,
            bias,
            gain: self.params.gain as f32,
            linear,
        };
        sweep.run();
        std::mem::swap(&mut self.d, &mut self.d_next);
    }

    fn step_discrete(&mut self) {
        let Dynamics::Discrete {
            order,
            cursor,
            carry,
        } = &mut self.dynamics
        else {
            return;
        };
        let n = self.x.len();
        let nf = n as f32;
        let p = self.d.len();
        let total = n as f64 * self.params.dt_secs + *carry;
        let updates = total.floor() as usize;
        *carry = total - updates as f64;
        let self_coupling = if self.params.zero_diagonal {
            p as f32 / nf
        } else {
            0.0
        };
        let kick = (self.params.noise_std * self.params.dt_secs.sqrt()) as f32;
        for _ in 0..updates {
            let i = order[*cursor] as usize;
            *cursor += 1;
            if *cursor == n {
                shuffle(&mut self.rng, order, cursor);
            }
            let mut h = -self_coupling * self.x[i];
            for mu in 0..p {
                h += self.mem.memory(mu)[i] * self.d[mu] / nf;
            }
            if kick > 0.0 {
                h += kick * self.rng.sample::<f32, _>(StandardNormal);
            }
            let s = if h >= 0.0 { 1.0 } else { -1.0 };
            if s != self.x[i] {
                for mu in 0..p {
                    self.d[mu] += 2.0 * s * self.mem.memory(mu)[i];
                }
                self.x[i] = s;
                self.psi[i] = s;
            }
        }
        self.weights.fill(1.0);
    }

    fn current_on(&self) -> bool {
        self.dynamics.current_on(self.params.pulse_secs)
    }

    /// Recomputes Ψ(x), Ξᵀ Ψ(x) and the landscape weights after the state was set directly
    /// (the compensation of x restarts).
    fn refresh_activation(&mut self) {
        self.x_carry.fill(0.0);
        let g = self.params.gain as f32;
        if let Dynamics::Discrete { .. } | Dynamics::Modern { .. } = self.dynamics {
            self.psi.copy_from_slice(&self.x);
        } else {
            for (p, &x) in self.psi.iter_mut().zip(&self.x) {
                *p = fast_tanh(g * x);
            }
        }
        self.mem.dots(&self.psi, &mut self.d);
        self.refresh_weights();
    }

    fn refresh_weights(&mut self) {
        match &self.dynamics {
            Dynamics::Idp => self.weights.copy_from_slice(&self.alpha),
            Dynamics::IdpFilter { alpha_filt, .. } => self.weights.copy_from_slice(alpha_filt),
            Dynamics::Classic { .. }
            | Dynamics::Discrete { .. }
            | Dynamics::Modern { idp: false } => self.weights.fill(1.0),
            Dynamics::Modern { idp: true } => self.weights.copy_from_slice(&self.alpha),
        }
    }

    /// α from the input (or from its `projection`, (1/N) Ξᵀu, when given).
    fn recompute_saliency(&mut self, projection: Option<&[f32]>) {
        match projection {
            Some(known) => self.alpha.copy_from_slice(known),
            None => self.mem.project(&self.input, &mut self.alpha),
        }
        if let Dynamics::Modern { idp: true } = self.dynamics {
            // α = Ξᵀû/N for the input scaled to |û|² = N (the cosines of u with the memories,
            // whatever the input gain), so that x ≈ α_ρ ξ_ρ stays of order 1 a neuron.
            let norm = self
                .input
                .iter()
                .map(|&v| f64::from(v) * f64::from(v))
                .sum::<f64>()
                .sqrt();
            let scale = if norm > 0.0 && norm.is_finite() {
                ((self.input.len() as f64).sqrt() / norm) as f32
            } else {
                0.0
            };
            self.alpha.iter_mut().for_each(|a| *a *= scale);
        }
        if self.params.saliency == Saliency::Gram {
            let g = self.mem.gram_inverse();
            let raw: Vec<f64> = self.alpha.iter().map(|&a| f64::from(a)).collect();
            for (r, out) in self.alpha.iter_mut().enumerate() {
                *out = (0..raw.len()).map(|c| g[(r, c)] * raw[c]).sum::<f64>() as f32;
            }
        }
        if let Dynamics::IdpFilter { alpha_filt, .. } = &mut self.dynamics
            && self.params.tau_alpha_secs == 0.0
        {
            alpha_filt.copy_from_slice(&self.alpha);
        }
        self.refresh_weights();
    }

    // ----- observables -----

    /// The model's kind.
    pub fn kind(&self) -> ModelKind {
        self.dynamics.kind()
    }
    /// The parameters in force.
    pub fn params(&self) -> &Params {
        &self.params
    }
    /// The memories in use.
    pub fn memories(&self) -> &Arc<Memories> {
        &self.mem
    }
    /// Model time since the start, in seconds.
    pub fn time_secs(&self) -> f64 {
        self.time_secs
    }
    /// The state x.
    pub fn state(&self) -> &[f32] {
        &self.x
    }
    /// The activation Ψ(x) ∈ [−1, 1]^N, what the network "shows" (the modern models: x itself,
    /// near α_μ·ξ_μ at a memory).
    pub fn activation(&self) -> &[f32] {
        &self.psi
    }
    /// The current input u.
    pub fn input(&self) -> &[f32] {
        &self.input
    }
    /// Saliencies α_μ(u) of the current input.
    pub fn saliencies(&self) -> &[f32] {
        &self.alpha
    }
    /// The bias current b(t) fed to the state now (classic constant, or pulsed within its pulse),
    /// or `None`.
    pub fn bias(&self) -> Option<&[f32]> {
        self.current_on().then_some(&self.input[..])
    }
    /// The weights of W in the current landscape: α (IDP), the filtered α̃ (IDP with filter),
    /// or 1 for every memory (classic and discrete).
    pub fn landscape_weights(&self) -> &[f32] {
        &self.weights
    }

    /// Writes the overlaps m_μ = (1/N) ξ_μᵀ Ψ(x) into `out` (length P).
    pub fn overlaps_into(&self, out: &mut [f32]) {
        let nf = self.x.len() as f32;
        for (o, &d) in out.iter_mut().zip(&self.d) {
            *o = d / nf;
        }
    }

    /// The overlaps m_μ as a new vector.
    pub fn overlaps(&self) -> Vec<f32> {
        let mut out = vec![0.0; self.d.len()];
        self.overlaps_into(&mut out);
        out
    }

    /// The retrieved memory: the one with the largest |m_μ|, or `None` when every |m_μ| is
    /// below the retrieval threshold.
    pub fn retrieved(&self) -> Option<usize> {
        let nf = self.x.len() as f32;
        let (best, m) = self
            .d
            .iter()
            .enumerate()
            .map(|(mu, &d)| (mu, (d / nf).abs()))
            .fold((0, -1.0f32), |acc, c| if c.1 > acc.1 { c } else { acc });
        (f64::from(m) >= self.params.retrieval_threshold).then_some(best)
    }

    /// The energy E(x; u) of the current landscape at the current state, O(N·P):
    /// −½ Ψᵀ W Ψ − bᵀΨ + Σ_i ∫₀^{ψ_i} ψ⁻¹ (the last term is absent in the discrete model);
    /// for the modern models E_β of [`modern_energy`].
    pub fn energy(&self) -> f64 {
        if let Dynamics::Modern { .. } = self.dynamics {
            let d: Vec<f64> = self.d.iter().map(|&v| f64::from(v)).collect();
            let w: Vec<f64> = self.weights.iter().map(|&v| f64::from(v)).collect();
            let x2: f64 = self.x.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
            return modern_energy(x2, &w, &d, self.params.beta, self.x.len());
        }
        let n = self.x.len() as f64;
        let mut quad = 0.0f64;
        let mut wsum = 0.0f64;
        for (&w, &d) in self.weights.iter().zip(&self.d) {
            let m = f64::from(d) / n;
            quad += f64::from(w) * m * m * n;
            wsum += f64::from(w);
        }
        if self.params.zero_diagonal {
            quad -= wsum / n * sum_of_squares(&self.psi);
        }
        let mut e = -0.5 * quad;
        if let Dynamics::Discrete { .. } = self.dynamics {
            return e;
        }
        if self.current_on() {
            e -= self
                .input
                .iter()
                .zip(&self.psi)
                .map(|(&u, &v)| f64::from(u * v))
                .sum::<f64>();
        }
        e + entropy_term(&self.psi) / self.params.gain
    }

    /// The modern models have no closed forms: their equilibria solved in place (P-dimensional,
    /// `model::equilibria`) for up to [`MODERN_SOLVE_IN_PLACE`] memories, else rows that say
    /// nothing exists yet (the theory thread's solve replaces them).
    fn modern_theory(&self) -> TheoryReport {
        let p = self.mem.p();
        if p <= MODERN_SOLVE_IN_PLACE
            && let Some(report) = super::equilibria::TheoryInput::of(self).solve().report()
        {
            return report;
        }
        TheoryReport {
            memories: self
                .weights
                .iter()
                .map(|&w| theory::MemoryTheory {
                    gamma: None,
                    exists: false,
                    stable: false,
                    depth_per_neuron: None,
                    effective_weight: f64::from(w),
                    slides_to: None,
                })
                .collect(),
            confusion: false,
            alpha_star: f64::NAN,
            existence_threshold: f64::NAN,
            self_coupling: 0.0,
            approximate: true,
            beta: Some(self.params.beta),
        }
    }

    /// The closed forms of model.md §4 for the current landscape weights and diagonal (exact on
    /// orthogonal memories; `model::equilibria` solves the actual ones).
    pub fn theory(&self) -> TheoryReport {
        if let Dynamics::Modern { .. } = self.dynamics {
            return self.modern_theory();
        }
        let w: Vec<f64> = self.weights.iter().map(|&v| f64::from(v)).collect();
        let diagonal = theory::Diagonal::new(self.params.zero_diagonal, self.x.len());
        let mut report = theory::analyse_orthogonal(&w, self.params.gain, diagonal);
        report.approximate |= !self.mem.orthogonal();
        report
    }
}

/// A fresh random update order (Fisher–Yates with the network's own generator, so the order is
/// part of the seed), starting at its first position.
fn shuffle(rng: &mut Xoshiro256PlusPlus, order: &mut [u32], cursor: &mut usize) {
    *cursor = 0;
    for i in (1..order.len()).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
}

/// The exact one-step gain of a first-order filter with time constant τ over dt:
/// 1 − e^{−dt/τ}, and 1 (no filtering) for τ = 0. Stable for every dt.
fn filter_gain(dt: f64, tau: f64) -> f32 {
    if tau <= 0.0 {
        1.0
    } else {
        (1.0 - (-dt / tau).exp()) as f32
    }
}

/// The most memories whose modern equilibria [`Network::theory`] solves in place.
pub const MODERN_SOLVE_IN_PLACE: usize = 32;

/// The scale s·β of the modern models' logits: β/√N (see [`super::Params::beta`]).
pub fn logit_scale(beta: f64, n: usize) -> f64 {
    beta / (n as f64).sqrt()
}

/// `out` ← w ⊙ softmax(k·w ⊙ d) (lengths P), the modern models' coefficients of the field Ξc.
/// The logits are shifted by their largest (exact softmax, no overflow) and the softmax is
/// taken in f64: P numbers, nothing next to the O(N·P) products.
fn softmax_weighted(w: &[f32], d: &[f32], k: f64, out: &mut [f32]) {
    let logit = |mu: usize| k * f64::from(w[mu]) * f64::from(d[mu]);
    let top = (0..d.len()).map(logit).fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = (0..d.len()).map(|mu| (logit(mu) - top).exp()).sum();
    for (mu, o) in out.iter_mut().enumerate() {
        *o = (f64::from(w[mu]) * (logit(mu) - top).exp() / total) as f32;
    }
}

/// E_β(x; α) = ½|x|² − (√N/β) log Σ_μ exp(β α_μ ξ_μᵀx/√N), from |x|² (`x2`), the weights α
/// and d = Ξᵀx, in f64. With k = β/√N its gradient is x − Ξ(α ⊙ softmax(k α ⊙ Ξᵀx)): the
/// modern models' flow is exactly −∇E_β (model.md §8; the energy's log-sum is divided by k,
/// not β, so that the gradient has no factor s).
pub fn modern_energy(x2: f64, w: &[f64], d: &[f64], beta: f64, n: usize) -> f64 {
    let k = logit_scale(beta, n);
    let logit = |mu: usize| k * w[mu] * d[mu];
    let top = (0..d.len()).map(logit).fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return 0.5 * x2 - top / k;
    }
    let total: f64 = (0..d.len()).map(|mu| (logit(mu) - top).exp()).sum();
    0.5 * x2 - (top + total.ln()) / k
}
