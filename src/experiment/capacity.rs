//! The capacity experiment: P random memories in N neurons, each cued with a corrupted copy;
//! how often each model retrieves the cued memory as the load P/N grows, and as more of the
//! cue is flipped (the classic network collapses near P/N ≈ 0.138; the IDP network, given the
//! cue as its input, at loads of N/10 and more, or when the cue's saliency falls to 1/g).
//!
//! A sweep is a list of parts ([`CapacityConfig`]: models × sizes × loads × flips); the default
//! one ([`default_plan`]) takes every model to its collapse. One *network* is one (trial, N, P):
//! its memories and cues come from a seed that depends on the run's seed, the trial number, N
//! and P only, and each flip fraction starts its cues and the models' generators afresh, so a
//! trial gives the same numbers whatever else the sweep contains (sizes, loads, flips, other
//! trials, parts, shards).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::seq::SliceRandom;

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

pub use super::capacity_model::CapacityModel;
use crate::model::dense::DenseHopfield;
use crate::model::signs::SignRows;
use crate::model::{Memories, ModelError, ModelKind, Network, Params};
use crate::session::network_seed;

/// The models the sweep knows how to cue, in table order (a new engine model needs a line in
/// `run_cue`'s match of how it takes a cue, and in `capacity_report::how`; the dense model is
/// the sweep's own, `capacity_model`).
pub const CAPACITY_MODELS: [CapacityModel; 7] = [
    CapacityModel::Kind(ModelKind::Discrete),
    CapacityModel::Kind(ModelKind::ClassicInitial),
    CapacityModel::Kind(ModelKind::ClassicConstant),
    CapacityModel::Kind(ModelKind::Idp),
    CapacityModel::Kind(ModelKind::Modern),
    CapacityModel::Kind(ModelKind::IdpModern),
    CapacityModel::Dense3,
];
/// The models of the classic (Hebbian) paradigm, swept over the classic loads by default.
pub const CLASSIC_MODELS: [CapacityModel; 3] = [
    CapacityModel::Kind(ModelKind::Discrete),
    CapacityModel::Kind(ModelKind::ClassicInitial),
    CapacityModel::Kind(ModelKind::ClassicConstant),
];
/// Network sizes N of the default sweep.
pub const DEFAULT_SIZES: [usize; 3] = [256, 1024, 4096];
/// The load of the classic network's retrieval collapse (Amit, Gutfreund & Sompolinsky 1985;
/// `capacity_theory::ags_critical_load` solves it: 0.1379).
pub const AGS_CRITICAL_LOAD: f64 = 0.138;
/// The fraction of a cue flipped by default.
pub const DEFAULT_FLIP: f64 = 0.1;

/// The loads P/N of the default sweep: 0.02, 0.04, …, 0.30.
pub fn default_loads() -> Vec<f64> {
    (1..=15).map(|k| f64::from(k) * 0.02).collect()
}

/// The IDP part's sizes: small enough that P reaches N²/10.
pub const IDP_SIZES: [usize; 4] = [32, 64, 128, 256];
/// The IDP part's loads: 0.5 · √2^k, 0.5 to 45 (rounded to three digits).
pub fn idp_loads() -> Vec<f64> {
    (0..14)
        .map(|k| (500.0 * 2f64.powf(f64::from(k) / 2.0)).round() / 1000.0)
        .collect()
}
/// The modern parts' sizes: small, as `modern`'s capacity grows exponentially.
pub const MODERN_SIZES: [usize; 5] = [16, 24, 32, 48, 64];
/// `modern`'s loads: 0.5 · √2^k, 0.5 to 512 (P up to 32768 at N = 64; rounded to three
/// digits).
pub fn modern_loads() -> Vec<f64> {
    sqrt2_loads(0.5, 21)
}
/// `idp-modern`'s loads: 0.0625 · √2^k, 0.0625 to 2 (it collapses at P of a few tens).
pub fn idp_modern_loads() -> Vec<f64> {
    sqrt2_loads(0.0625, 11)
}
/// `count` loads from `first` in steps of √2, rounded to four digits.
fn sqrt2_loads(first: f64, count: i32) -> Vec<f64> {
    (0..count)
        .map(|k| (first * 1e4 * 2f64.powf(f64::from(k) / 2.0)).round() / 1e4)
        .collect()
}
/// The dense model's sizes: small, as its capacity grows as N².
pub const DENSE_SIZES: [usize; 9] = [16, 24, 32, 48, 64, 96, 128, 192, 256];
/// The dense model's loads: 0.25 · √2^k, 0.25 to 32 (P up to 8192 at N = 256).
pub fn dense_loads() -> Vec<f64> {
    sqrt2_loads(0.25, 15)
}
/// The flip part: N and load, and the flip fractions 0, 0.05, …, 0.5.
pub const FLIP_SIZE: usize = 256;
pub const FLIP_LOAD: f64 = 0.05;
pub fn default_flips() -> Vec<f64> {
    (0..=10).map(|k| f64::from(k) * 0.05).collect()
}

/// The sweep of `recall experiment capacity` without axis options: every model to its
/// collapse. (1) the classic models over the classic loads at N = 256, 1024, 4096; (2) IDP at
/// loads 0.5–45 at N = 32–256 (its P_max(N)); (3) every model at N = 256, P/N = 0.05 against
/// the fraction of the cue flipped; (4) `modern` at N = 16–64 over loads 0.5–512 (its
/// P_max(N), exponential); (5) `idp-modern` at N = 16–64 over loads 0.0625–2; (6) `dense3`
/// at N = 16–256 over loads 0.25–32 (its P_max(N), against N²).
pub fn default_plan() -> Vec<CapacityConfig> {
    let base = CapacityConfig::default();
    vec![
        CapacityConfig {
            models: CLASSIC_MODELS.to_vec(),
            ..base.clone()
        },
        CapacityConfig {
            models: vec![ModelKind::Idp.into()],
            sizes: IDP_SIZES.to_vec(),
            loads: idp_loads(),
            ..base.clone()
        },
        CapacityConfig {
            sizes: vec![FLIP_SIZE],
            loads: vec![FLIP_LOAD],
            flips: default_flips(),
            ..base.clone()
        },
        CapacityConfig {
            models: vec![ModelKind::Modern.into()],
            sizes: MODERN_SIZES.to_vec(),
            loads: modern_loads(),
            ..base.clone()
        },
        CapacityConfig {
            models: vec![ModelKind::IdpModern.into()],
            sizes: MODERN_SIZES.to_vec(),
            loads: idp_modern_loads(),
            ..base.clone()
        },
        CapacityConfig {
            models: vec![CapacityModel::Dense3],
            sizes: DENSE_SIZES.to_vec(),
            loads: dense_loads(),
            ..base
        },
    ]
}

/// How the sweep is run.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityConfig {
    /// The models run on every network, in table order.
    pub models: Vec<CapacityModel>,
    pub sizes: Vec<usize>,
    /// P/N values; P = round(load · N), at least 1.
    pub loads: Vec<f64>,
    /// Fractions of the cue's pixels flipped (exactly round(flip · N) of them, at random).
    pub flips: Vec<f64>,
    /// Memories cued per network (the first `cues` of the P, or all P when fewer).
    pub cues: usize,
    /// |m| of the cued memory at the end at or above which it counts as retrieved.
    pub threshold: f64,
    /// The input u = input_gain · cue (classic-constant's current, IDP's input).
    pub input_gain: f64,
    /// Integration step of the continuous models (the discrete model makes N·dt updates a
    /// step).
    pub dt_secs: f64,
    /// The longest a cue is run, in model seconds (a run stops earlier once settled).
    pub max_secs: f64,
}

impl Default for CapacityConfig {
    fn default() -> Self {
        Self {
            models: CAPACITY_MODELS.to_vec(),
            sizes: DEFAULT_SIZES.to_vec(),
            loads: default_loads(),
            flips: vec![DEFAULT_FLIP],
            cues: 4,
            threshold: 0.9,
            input_gain: 1.0,
            // The largest step the model accepts: the noise-free flow at dt = 0.1 follows the one
            // at dt = 0.02 to 0.002 in m over 12 s (and has the same fixed points), at a fifth of
            // the cost.
            dt_secs: 0.1,
            max_secs: 10.0,
        }
    }
}

impl CapacityConfig {
    /// The memories stored at `load` in `n` neurons.
    pub fn p(n: usize, load: f64) -> usize {
        ((load * n as f64).round() as usize).max(1)
    }

    /// The discrete network's limit: one sweep (N updates) per model second, as the engine's
    /// discrete model makes them.
    pub fn max_sweeps(&self) -> usize {
        self.max_secs.ceil().max(1.0) as usize
    }
}

/// The textbook discrete network for the capacity sweep, in exact integer arithmetic:
/// s_i ← sign(Σ_j W_ij s_j) with W = ΞΞᵀ/N and a zero diagonal, one neuron at a time in a
/// fresh random order each sweep (ties go to +1), until a whole sweep changes nothing. The
/// same rule as the engine's `discrete` model (`Network::step` with σ = 0), stored row by row
/// (a neuron's P memory signs as bits, [`SignRows`]) so an update is two O(P) passes over 8
/// bytes a 64 memories; a test checks that its fixed points are fixed points of the engine's
/// model.
pub struct DiscreteHopfield {
    n: usize,
    p: usize,
    /// A neuron's P memory signs (set: −1); the dense model runs on these too.
    rows: SignRows,
    /// The same signs memory by memory (N bits each, set: −1), for the initial overlaps.
    columns: SignRows,
    /// |d_μ|·P ≤ N·P < 2³¹: the masked sums of a field fit in i32.
    narrow: bool,
}

impl DiscreteHopfield {
    pub fn new(memories: &Memories) -> Self {
        let (n, p) = (memories.n(), memories.p());
        let rows = SignRows::new(n, p, |i, mu| memories.negative(i, mu));
        let columns = SignRows::new(p, n, |mu, i| memories.negative(i, mu));
        let narrow = n.saturating_mul(p) < i32::MAX as usize;
        Self {
            n,
            p,
            rows,
            columns,
            narrow,
        }
    }

    /// Runs from x(0) = sign(cue) for at most `max_sweeps` sweeps; returns the state, the
    /// sweeps made and whether the last one changed nothing (a fixed point).
    pub fn recall(
        &self,
        cue: &[f32],
        max_sweeps: usize,
        rng: &mut Xoshiro256PlusPlus,
    ) -> (Vec<i32>, usize, bool) {
        let (n, p) = (self.n, self.p);
        let mut s: Vec<i32> = cue.iter().map(|&v| if v >= 0.0 { 1 } else { -1 }).collect();
        // d_μ = Σ_i ξ_μ[i] s_i, so that N·h_i = Σ_μ ξ_μ[i] d_μ − P s_i (the diagonal removed):
        // N minus twice the entries where the signs of ξ_μ and s differ. `total` = Σ_μ d_μ
        // follows d.
        let state = SignRows::new(1, n, |_, i| s[i] < 0);
        let mut d = vec![0i32; self.rows.padded()];
        for (mu, dm) in d.iter_mut().enumerate().take(p) {
            *dm = n as i32 - 2 * self.columns.differences(mu, &state, 0) as i32;
        }
        let mut total: i64 = d[..p].iter().map(|&v| i64::from(v)).sum();
        let mut order: Vec<usize> = (0..n).collect();
        for sweep in 1..=max_sweeps {
            order.shuffle(rng);
            let mut flips = 0;
            for &i in &order {
                let field = self.rows.dot(i, &d, total, self.narrow) - (p as i64) * i64::from(s[i]);
                let new = if field >= 0 { 1 } else { -1 };
                if new != s[i] {
                    self.rows.add_signed(i, 2 * new, &mut d);
                    total += i64::from(2 * new) * self.rows.row_sum(i);
                    s[i] = new;
                    flips += 1;
                }
            }
            if flips == 0 {
                return (s, sweep, true);
            }
        }
        (s, max_sweeps, false)
    }

    /// m = (1/N) ξ_μᵀ s, exactly (N minus twice the entries where the signs differ).
    pub fn overlap(&self, s: &[i32], mu: usize) -> f64 {
        let state = SignRows::new(1, self.n, |_, i| s[i] < 0);
        let differ = self.columns.differences(mu, &state, 0);
        (self.n as f64 - 2.0 * f64::from(differ)) / self.n as f64
    }
}

/// One cue of one network, for one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityRow {
    pub trial: usize,
    /// The network's seed (memories, cues and the models' own generators follow from it).
    pub seed: u64,
    pub model: CapacityModel,
    pub n: usize,
    pub p: usize,
    /// The load asked for (P/N is `p / n` exactly).
    pub load: f64,
    /// The fraction of the cue flipped.
    pub flip: f64,
    /// The cued memory.
    pub memory: usize,
    /// m of the cued memory at the end (negative on its mirror −ξ).
    pub overlap: f64,
    /// |m| ≥ the threshold.
    pub retrieved: bool,
    /// Model seconds run.
    pub secs: f64,
    /// It settled before the time limit (Ψ stopped moving; the discrete state stopped flipping).
    pub settled: bool,
}

/// The seed of network (trial, n, p) of a run seeded `seed` (SplitMix64 of the four).
pub fn network_seed_for(seed: u64, trial: usize, n: usize, p: usize) -> u64 {
    let mut z = seed;
    for v in [trial as u64, n as u64, p as u64] {
        z = splitmix(z ^ splitmix(v));
    }
    z
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// ξ_μ with exactly round(flip · N) pixels flipped, chosen at random.
pub fn corrupted(memory: &[f32], flip: f64, rng: &mut Xoshiro256PlusPlus) -> Vec<f32> {
    let n = memory.len();
    let flips = ((flip * n as f64).round() as usize).min(n);
    let mut cue = memory.to_vec();
    let mut idx: Vec<usize> = (0..n).collect();
    let (chosen, _) = idx.partial_shuffle(rng, flips);
    for &i in chosen.iter() {
        cue[i] = -cue[i];
    }
    cue
}

/// Runs every model on every cue of network (trial, n, p); rows in model, then cue order.
pub fn run_network<M: Into<CapacityModel> + Copy>(
    config: &CapacityConfig,
    models: &[M],
    trial: usize,
    n: usize,
    load: f64,
    seed: u64,
) -> Result<Vec<CapacityRow>, ModelError> {
    let never = AtomicBool::new(false);
    let models: Vec<CapacityModel> = models.iter().map(|&m| m.into()).collect();
    let rows = run_network_until(config, &models, trial, n, load, seed, &never)?;
    Ok(rows.unwrap_or_default())
}

/// [`run_network`], given up (`None`) once `stop` is set: it is looked at before each cue and
/// every model second of a cue.
pub fn run_network_until(
    config: &CapacityConfig,
    models: &[CapacityModel],
    trial: usize,
    n: usize,
    load: f64,
    seed: u64,
    stop: &AtomicBool,
) -> Result<Option<Vec<CapacityRow>>, ModelError> {
    let p = CapacityConfig::p(n, load);
    let net_seed = network_seed_for(seed, trial, n, p);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(net_seed);
    // Sign bits only: 0.25 bytes per neuron and memory where ±1 floats took 4 (issue 27).
    let memories = Arc::new(Memories::random_compact(n, 1, p, &mut rng));
    // The exact integer networks' sign rows (the dense model shares the discrete one's).
    let discrete = models
        .iter()
        .any(|&m| m == ModelKind::Discrete || m == CapacityModel::Dense3)
        .then(|| DiscreteHopfield::new(&memories));
    let mut rows = Vec::with_capacity(models.len() * config.cues.min(p) * config.flips.len());
    for &flip in &config.flips {
        // Every flip fraction draws its cues from the generator as it was after the memories
        // (so the first cue's flipped pixels at 0.2 include those at 0.1).
        let cue_rng = rng.clone();
        let net = Cued {
            config,
            trial,
            n,
            load,
            flip,
            net_seed,
            memories: &memories,
            discrete: discrete.as_ref(),
        };
        let Some(more) = net.run(models, cue_rng, stop)? else {
            return Ok(None);
        };
        rows.extend(more);
    }
    Ok(Some(rows))
}

/// One network and flip fraction, ready to cue.
struct Cued<'a> {
    config: &'a CapacityConfig,
    trial: usize,
    n: usize,
    load: f64,
    flip: f64,
    net_seed: u64,
    memories: &'a Arc<Memories>,
    discrete: Option<&'a DiscreteHopfield>,
}

impl Cued<'_> {
    /// Every model on every cue; rows in model, then cue order. `None` once `stop` is set.
    fn run(
        &self,
        models: &[CapacityModel],
        mut rng: Xoshiro256PlusPlus,
        stop: &AtomicBool,
    ) -> Result<Option<Vec<CapacityRow>>, ModelError> {
        let (config, memories, net_seed) = (self.config, self.memories, self.net_seed);
        let stopped = || stop.load(Ordering::Relaxed);
        let p = memories.p();
        let cued: Vec<usize> = (0..config.cues.min(p)).collect();
        let cues: Vec<Vec<f32>> = cued
            .iter()
            .map(|&mu| corrupted(&memories.memory_values(mu), self.flip, &mut rng))
            .collect();
        let params = Params {
            gain: CAPACITY_GAIN,
            dt_secs: config.dt_secs,
            noise_std: 0.0,
            zero_diagonal: true,
            ..Params::default()
        };
        let mut rows = Vec::with_capacity(models.len() * cues.len());
        let row = |model, memory, overlap: f64, retrieved, secs, settled| CapacityRow {
            trial: self.trial,
            seed: net_seed,
            model,
            n: self.n,
            p,
            load: self.load,
            flip: self.flip,
            memory,
            overlap,
            retrieved,
            secs,
            settled,
        };
        let mut built = None;
        for &model in models {
            let Some(kind) = model.kind().filter(|&k| k != ModelKind::Discrete) else {
                // The exact integer networks: discrete, and dense3 on the same sign rows.
                let hop = match self.discrete {
                    Some(hop) => hop,
                    None => &*built.get_or_insert_with(|| DiscreteHopfield::new(memories)),
                };
                let dense = (model == CapacityModel::Dense3)
                    .then(|| DenseHopfield::new(self.n, p, &hop.rows, &hop.columns));
                let mut order_rng = Xoshiro256PlusPlus::seed_from_u64(model_seed(net_seed, model));
                for (&mu, cue) in cued.iter().zip(&cues) {
                    if stopped() {
                        return Ok(None);
                    }
                    let max_sweeps = config.max_sweeps();
                    let (overlap, sweeps, settled) = match &dense {
                        Some(net) => {
                            let (state, sweeps, settled) =
                                net.recall(cue, max_sweeps, &mut order_rng);
                            (net.overlap(&state, mu), sweeps, settled)
                        }
                        None => {
                            let (state, sweeps, settled) =
                                hop.recall(cue, max_sweeps, &mut order_rng);
                            (hop.overlap(&state, mu), sweeps, settled)
                        }
                    };
                    let hit = overlap.abs() >= config.threshold;
                    rows.push(row(model, mu, overlap, hit, sweeps as f64, settled));
                }
                continue;
            };
            let mut net = Network::new(
                Arc::clone(memories),
                kind,
                params.clone(),
                network_seed(net_seed, kind),
            )?;
            for (&mu, cue) in cued.iter().zip(&cues) {
                let Some((secs, settled)) = run_cue(&mut net, mu, cue, config, stop)? else {
                    return Ok(None);
                };
                let overlaps = net.overlaps();
                let alpha = f64::from(net.saliencies()[mu]);
                let hit = retrieved(kind, &overlaps, mu, alpha, config.threshold);
                let overlap = f64::from(overlaps[mu]);
                rows.push(row(model, mu, overlap, hit, secs, settled));
            }
        }
        Ok(Some(rows))
    }
}

/// The seed of a model's generator in network `net_seed` (the exact networks' update order):
/// the engine's [`network_seed`] for its kinds, the next index after them for `dense3`.
fn model_seed(net_seed: u64, model: CapacityModel) -> u64 {
    match model.kind() {
        Some(kind) => network_seed(net_seed, kind),
        None => net_seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(ModelKind::ALL.len() as u64 + 1),
    }
}

/// Whether a cue of memory `mu` ended retrieved, by its model's rule (`overlaps`: m_ν of every
/// memory at the end; `alpha`: the cued memory's saliency α_μ, the cosine of the cue with it
/// for idp-modern):
///
/// - the classic and IDP models (and the sweep's dense model, whose rows do not come here):
///   |m_μ| ≥ the threshold (their field is odd, so the mirror −ξ is
///   a well as deep as ξ and counts);
/// - modern: m_μ ≥ the threshold (its fixed point is x ≈ ξ_μ, m ≈ 1; −ξ is no well);
/// - idp-modern: its fixed point is x ≈ α_μ ξ_μ, so m_μ ≈ α_μ (0.8 for a cue with 10%
///   flipped): retrieved when α_μ > 0, m_μ ≥ threshold · α_μ (the state holds that fraction of
///   the memory the cue gives it) and μ has the largest |m| of all the memories.
pub fn retrieved(
    model: ModelKind,
    overlaps: &[f32],
    mu: usize,
    alpha: f64,
    threshold: f64,
) -> bool {
    let m = overlaps.get(mu).map_or(0.0, |&v| f64::from(v));
    match model {
        ModelKind::Modern => m >= threshold,
        ModelKind::IdpModern => {
            let largest = overlaps
                .iter()
                .enumerate()
                .all(|(nu, &v)| nu == mu || f64::from(v).abs() < m);
            alpha > 0.0 && m >= threshold * alpha && largest
        }
        _ => m.abs() >= threshold,
    }
}

/// The activation gain g of the continuous models in the sweep.
pub const CAPACITY_GAIN: f64 = 10.0;

/// Shows `cue` (of memory `mu`) to `net` the way its kind takes a cue, and runs it until it
/// settles or `max_secs` pass. Returns the model seconds run and whether it settled; `None`
/// when `stop` was set (looked at every model second).
///
/// - classic-initial: the cue is x(0);
/// - classic-constant: x(0) random, the cue a constant current b = input_gain · cue;
/// - IDP: x(0) random, the cue the input u = input_gain · cue that sets W(u);
/// - modern: the input loads x(0) = the cue scaled to |x|² = N (the random draw before it is
///   overwritten);
/// - idp-modern: x(0) ~ N(0, I/N), the cue the input that sets α (its cosines with the
///   memories, whatever the input gain).
///
/// For the modern models Ψ(x) = x, so the settling test below reads x itself: of order 1 a
/// neuron at a retrieved state, as tanh is.
///
/// Settled: over the last second m_μ moved by less than [`SETTLED`], and so did Ψ(x) on
/// average over the neurons (from a random x(0) the overlaps start near 0 and can barely move
/// in the first second while the neurons are still changing).
fn run_cue(
    net: &mut Network,
    mu: usize,
    cue: &[f32],
    config: &CapacityConfig,
    stop: &AtomicBool,
) -> Result<Option<(f64, bool)>, ModelError> {
    let u: Vec<f32> = cue.iter().map(|&v| v * config.input_gain as f32).collect();
    if net.kind() == ModelKind::ClassicInitial {
        // It loads x(0) from the input at a change, and takes no current.
        net.set_input(cue, true)?;
    } else {
        net.randomize_state();
        net.set_input(&u, true)?;
    }
    let dt = config.dt_secs;
    let window = ((1.0 / dt).round() as usize).max(1);
    let max_steps = (config.max_secs / dt).round() as usize;
    let mut before = net.overlaps()[mu];
    let mut psi_before = net.activation().to_vec();
    let mut steps = 0;
    while steps < max_steps {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let chunk = window.min(max_steps - steps);
        net.run(chunk)?;
        steps += chunk;
        let now = net.overlaps()[mu];
        let psi = net.activation();
        let moved = psi_before
            .iter()
            .zip(psi)
            .map(|(a, b)| f64::from((a - b).abs()))
            .sum::<f64>()
            / psi.len() as f64;
        if chunk == window && (now - before).abs() < SETTLED && moved < f64::from(SETTLED) {
            return Ok(Some((steps as f64 * dt, true)));
        }
        before = now;
        psi_before.copy_from_slice(psi);
    }
    Ok(Some((steps as f64 * dt, false)))
}

/// A continuous model has settled when m of the cued memory, and Ψ(x) on average over the
/// neurons, move by less than this in 1 s.
pub const SETTLED: f32 = 1e-3;

/// The networks of a sweep, in output order: trial, then size, then load.
pub fn networks(
    config: &CapacityConfig,
    trials: std::ops::Range<usize>,
) -> Vec<(usize, usize, f64)> {
    trials
        .flat_map(|t| {
            config
                .sizes
                .iter()
                .flat_map(move |&n| config.loads.iter().map(move |&l| (t, n, l)))
        })
        .collect()
}

/// The most memory one network of the sweep may take (2 GiB); the sweep runs one network per
/// core at a time. Checked before anything starts, by [`check_memory`].
pub const MAX_NETWORK_BYTES: f64 = 2.0 * (1u64 << 30) as f64;
/// Peak bytes of a network per neuron and memory: Ξ's sign bits only, in the step's two
/// layouts and the discrete network's two (4 × 1/8; the ±1 floats, 8 bytes with the copy they
/// were built from, are never made: issue 27).
pub const BYTES_PER_NEURON_MEMORY: f64 = 0.5;

/// The estimated peak memory of network (N, load), in bytes.
pub fn network_bytes(n: usize, load: f64) -> f64 {
    BYTES_PER_NEURON_MEMORY * n as f64 * CapacityConfig::p(n, load) as f64
}

/// Refuses a sweep whose largest network needs more than [`MAX_NETWORK_BYTES`], in one line
/// with the request and the bound.
pub fn check_memory(config: &CapacityConfig) -> Result<(), String> {
    let gib = |bytes: f64| bytes / (1u64 << 30) as f64;
    let largest = config
        .sizes
        .iter()
        .flat_map(|&n| config.loads.iter().map(move |&l| (n, l)))
        .max_by(|a, b| network_bytes(a.0, a.1).total_cmp(&network_bytes(b.0, b.1)));
    match largest {
        Some((n, load)) if network_bytes(n, load) > MAX_NETWORK_BYTES => Err(format!(
            "capacity: N = {n} at load {load} (P = {}) needs about {:.1} GiB for one network \
             ({BYTES_PER_NEURON_MEMORY} bytes per neuron and memory); the limit is {:.0} GiB a \
             network (N·P ≤ {:.0}): give smaller --sizes or --loads",
            CapacityConfig::p(n, load),
            gib(network_bytes(n, load)),
            gib(MAX_NETWORK_BYTES),
            (MAX_NETWORK_BYTES / BYTES_PER_NEURON_MEMORY).floor()
        )),
        _ => Ok(()),
    }
}

/// A rough cost of a network in step work (N · P per step, times the cues), for scheduling the
/// largest first.
pub fn cost(config: &CapacityConfig, n: usize, load: f64) -> f64 {
    let p = CapacityConfig::p(n, load);
    (n * p * config.cues.min(p) * config.flips.len() * config.models.len()) as f64
}
