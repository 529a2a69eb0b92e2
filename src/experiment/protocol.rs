//! The paper's protocols (model.md §5) as schedules of mixed inputs over random memories, and
//! the simulation of one model along a schedule, recorded step by step.

use std::sync::Arc;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::model::{Memories, ModelError, ModelKind, Network, Params};
use crate::stimulus::scenario::mixture_gains;

/// The authors' network: N = 1024 neurons (32×32), P = 10 random memories.
pub const SIDE: usize = 32;
pub const P: usize = 10;
/// Seconds each stimulus of the mixed protocol lasts.
pub const MIXED_SEGMENT_SECS: f64 = 10.0;
/// Stimuli in the mixed protocol.
pub const MIXED_SEGMENTS: usize = 3;
/// The glitch protocol: A [0, 8), B [8, 10) (the glitch), A [10, 15), B [15, 19), C [19, 25).
pub const GLITCH_TIMES_SECS: [f64; 6] = [0.0, 8.0, 10.0, 15.0, 19.0, 25.0];

/// One input: u = Σ c_μ ξ_μ, and the memory with the largest gain.
#[derive(Debug, Clone)]
pub struct Stimulus {
    pub input: Vec<f32>,
    pub dominant: usize,
    /// The memory of the stimulus before (its gain was drawn low), if any.
    pub previous: Option<usize>,
}

/// Which stimulus is shown from when.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub stimuli: Vec<Stimulus>,
    /// (start in seconds, index into `stimuli`), in time order, the first at 0.
    pub pieces: Vec<(f64, usize)>,
    pub duration_secs: f64,
}

/// One trial's world: the memories and the schedule, both from the trial's seed.
#[derive(Debug, Clone)]
pub struct Trial {
    pub memories: Arc<Memories>,
    pub schedule: Schedule,
}

/// A model's run along a schedule: |m_μ| and the retrieved memory after every step.
#[derive(Debug, Clone)]
pub struct Trajectory {
    pub dt_secs: f64,
    pub p: usize,
    /// |m_μ| after step k at `abs_overlaps[k * p + μ]` (time (k + 1)·dt).
    pub abs_overlaps: Vec<f32>,
    pub retrieved: Vec<Option<usize>>,
}

impl Trajectory {
    /// |m_μ| after step `k`.
    pub fn overlap(&self, k: usize, mu: usize) -> f32 {
        self.abs_overlaps[k * self.p + mu]
    }
    /// The steps whose end time lies in [t0, t1).
    pub fn steps(&self, t0: f64, t1: f64) -> std::ops::Range<usize> {
        let to_step = |t: f64| ((t / self.dt_secs).round() as usize).min(self.retrieved.len());
        to_step(t0)..to_step(t1)
    }
}

/// A mixed stimulus with dominant `dominant` (gains of model.md §5, Σc = √(P·N)).
fn mixed_stimulus(
    mem: &Memories,
    dominant: usize,
    previous: Option<usize>,
    rng: &mut Xoshiro256PlusPlus,
) -> Stimulus {
    let total = ((mem.p() * mem.n()) as f64).sqrt();
    let gains = mixture_gains(mem.p(), dominant, previous, rng, total);
    let mut input = vec![0.0f32; mem.n()];
    for (mu, c) in gains {
        crate::model::kernels::axpy(c, mem.memory(mu), &mut input);
    }
    Stimulus {
        input,
        dominant,
        previous,
    }
}

/// A memory other than `not`.
fn other(rng: &mut Xoshiro256PlusPlus, p: usize, not: &[usize]) -> usize {
    loop {
        let mu = rng.random_range(0..p);
        if !not.contains(&mu) {
            return mu;
        }
    }
}

fn memories(rng: &mut Xoshiro256PlusPlus) -> Arc<Memories> {
    Arc::new(Memories::random(SIDE, SIDE, P, rng))
}

/// The mixed-input protocol: three stimuli of 10 s, each dominated by a new memory.
pub fn mixed_trial(seed: u64) -> Trial {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mem = memories(&mut rng);
    let mut stimuli = Vec::new();
    let mut prev = None;
    for _ in 0..MIXED_SEGMENTS {
        let d = other(&mut rng, P, prev.as_slice());
        stimuli.push(mixed_stimulus(&mem, d, prev, &mut rng));
        prev = Some(d);
    }
    let pieces = (0..MIXED_SEGMENTS)
        .map(|k| (k as f64 * MIXED_SEGMENT_SECS, k))
        .collect();
    Trial {
        memories: mem,
        schedule: Schedule {
            stimuli,
            pieces,
            duration_secs: MIXED_SEGMENTS as f64 * MIXED_SEGMENT_SECS,
        },
    }
}

/// The glitch protocol: A, a 2-s glitch to B, A again, a genuine change to B, then C.
pub fn glitch_trial(seed: u64) -> Trial {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mem = memories(&mut rng);
    let a = rng.random_range(0..P);
    let b = other(&mut rng, P, &[a]);
    let c = other(&mut rng, P, &[a, b]);
    let stimuli = vec![
        mixed_stimulus(&mem, a, None, &mut rng),
        mixed_stimulus(&mem, b, Some(a), &mut rng),
        mixed_stimulus(&mem, c, Some(b), &mut rng),
    ];
    let t = GLITCH_TIMES_SECS;
    Trial {
        memories: mem,
        schedule: Schedule {
            stimuli,
            pieces: vec![(t[0], 0), (t[1], 1), (t[2], 0), (t[3], 1), (t[4], 2)],
            duration_secs: t[5],
        },
    }
}

/// Runs `kind` along the trial's schedule; the input is u itself (no further gain), and every
/// change of stimulus is announced (it restarts the classic pulse).
pub fn simulate(
    trial: &Trial,
    kind: ModelKind,
    params: &Params,
    seed: u64,
) -> Result<Trajectory, ModelError> {
    let mem = &trial.memories;
    let sched = &trial.schedule;
    let mut net = Network::new(mem.clone(), kind, params.clone(), seed)?;
    let dt = params.dt_secs;
    let steps = (sched.duration_secs / dt).round() as usize;
    let p = mem.p();
    let mut traj = Trajectory {
        dt_secs: dt,
        p,
        abs_overlaps: Vec::with_capacity(steps * p),
        retrieved: Vec::with_capacity(steps),
    };
    let starts: Vec<usize> = sched
        .pieces
        .iter()
        .map(|(t, _)| (t / dt).round() as usize)
        .collect();
    let mut overlaps = vec![0.0f32; p];
    let mut piece = 0;
    for k in 0..steps {
        while piece < starts.len() && starts[piece] == k {
            let stim = &sched.stimuli[sched.pieces[piece].1];
            net.set_input(&stim.input, true)?;
            piece += 1;
        }
        if let Err(ModelError::Diverged { .. }) = net.step() {
            // A diverged model retrieves nothing from here on.
            traj.abs_overlaps.resize(steps * p, 0.0);
            traj.retrieved.resize(steps, None);
            break;
        }
        net.overlaps_into(&mut overlaps);
        traj.abs_overlaps.extend(overlaps.iter().map(|m| m.abs()));
        traj.retrieved.push(net.retrieved());
    }
    Ok(traj)
}
