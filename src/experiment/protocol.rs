//! The paper's protocols (model.md §5) as schedules of mixed inputs over random memories, the
//! schedules as streams of frames, and the models run along them, recorded step by step.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::model::{Memories, ModelError, ModelKind, Params};
use crate::session::{OnDivergence, Report, Session, SessionConfig};
use crate::stimulus::Frame;
use crate::stimulus::scenario::mixture_gains;
use crate::tracking::{Event, TrackerConfig};

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
    /// The piece that is a glitch (a brief switch away and back), if any.
    pub glitch_piece: Option<usize>,
    pub duration_secs: f64,
}

/// One trial's world: the memories and the schedule, both from the trial's seed.
#[derive(Debug, Clone)]
pub struct Trial {
    pub memories: Arc<Memories>,
    pub schedule: Schedule,
}

/// A model's run along a schedule: m_μ and the retrieved memory after every step, and what its
/// tracker said.
#[derive(Debug, Clone)]
pub struct Trajectory {
    pub dt_secs: f64,
    pub p: usize,
    /// m_μ (signed) after step k at `overlaps[k * p + μ]` (time (k + 1)·dt); 0 once diverged.
    pub overlaps: Vec<f32>,
    pub retrieved: Vec<Option<usize>>,
    /// The tracker's events (retrievals, glitch outcomes, …), in order.
    pub events: Vec<Event>,
    /// Model time at which the state stopped being finite, if it did.
    pub diverged_secs: Option<f64>,
}

impl Trajectory {
    /// |m_μ| after step `k`.
    pub fn overlap(&self, k: usize, mu: usize) -> f32 {
        self.signed(k, mu).abs()
    }
    /// m_μ after step `k` (negative on the mirror −ξ_μ).
    pub fn signed(&self, k: usize, mu: usize) -> f32 {
        self.overlaps[k * self.p + mu]
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
            glitch_piece: None,
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
            glitch_piece: Some(1),
            duration_secs: t[5],
        },
    }
}

impl Schedule {
    /// The schedule as a stream of frames, returned with the frame length in seconds. Every
    /// piece starts on a frame boundary (a frame is the greatest common divisor of the piece
    /// starts, in steps of `dt`); its first frame is marked `changed` (it restarts the classic
    /// pulse), and the frames of the glitch piece are marked `glitch`.
    pub fn frames(&self, memories: &Memories, dt_secs: f64) -> (f64, Vec<Frame>) {
        let to_step = |t: f64| (t / dt_secs).round() as u64;
        let total = to_step(self.duration_secs);
        let starts: Vec<u64> = self.pieces.iter().map(|&(t, _)| to_step(t)).collect();
        let gcd = |mut a: u64, mut b: u64| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        };
        let frame_steps = starts.iter().fold(total, |g, &s| gcd(g, s)).max(1);
        let names: Arc<[String]> = memories.names().into();
        let frames = (0..total.div_ceil(frame_steps))
            .map(|k| {
                let start = k * frame_steps;
                let piece = starts.iter().rposition(|&s| s <= start).unwrap_or(0);
                let stim = &self.stimuli[self.pieces[piece].1];
                Frame {
                    time_secs: start as f64 * dt_secs,
                    image: stim.input.clone(),
                    input: stim.input.clone(),
                    truth: Some(stim.dominant),
                    names: Arc::clone(&names),
                    changed: starts[piece] == start,
                    glitch: self.glitch_piece == Some(piece),
                    label: format!("stimulus {}", self.pieces[piece].1 + 1),
                }
            })
            .collect();
        (frame_steps as f64 * dt_secs, frames)
    }
}

/// Runs `models` side by side along the trial's schedule (through the [`Session`], each model
/// seeded from `seed` and its kind); the input is u itself (no further gain). Returns one
/// trajectory per model, in order; a model that diverges retrieves nothing from then on.
/// `None` when `stop` was set before the end (checked every [`STOP_CHECK_STEPS`] steps).
pub fn simulate(
    trial: &Trial,
    models: &[ModelKind],
    params: &Params,
    seed: u64,
    stop: &AtomicBool,
) -> Result<Option<Vec<Trajectory>>, ModelError> {
    let mem = &trial.memories;
    let dt = params.dt_secs;
    let (frame_secs, frames) = trial.schedule.frames(mem, dt);
    let mut session = Session::new(
        Arc::clone(mem),
        SessionConfig {
            models: models.to_vec(),
            params: params.clone(),
            seed,
            frame_secs,
            tracker: TrackerConfig::default(),
            on_divergence: OnDivergence::Stop,
        },
    )?;
    let steps = (trial.schedule.duration_secs / dt).round() as usize;
    let p = mem.p();
    let mut trajectories: Vec<Trajectory> = models
        .iter()
        .map(|_| Trajectory {
            dt_secs: dt,
            p,
            overlaps: Vec::with_capacity(steps * p),
            retrieved: Vec::with_capacity(steps),
            events: Vec::new(),
            diverged_secs: None,
        })
        .collect();
    let mut frames = frames.into_iter();
    let mut reports = Vec::new();
    for k in 0..steps {
        if k % STOP_CHECK_STEPS == 0 && stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        if session.needs_frame()
            && let Some(frame) = frames.next()
        {
            session.feed(frame)?;
        }
        session.step(&mut reports);
        for report in reports.drain(..) {
            if let Report::Tracked { model, event } = report
                && let Some(i) = models.iter().position(|&m| m == model)
            {
                trajectories[i].events.push(event);
            }
        }
        for (traj, running) in trajectories.iter_mut().zip(session.models()) {
            if running.diverged() {
                traj.diverged_secs.get_or_insert(session.time_secs());
                traj.overlaps.extend(std::iter::repeat_n(0.0, p));
                traj.retrieved.push(None);
            } else {
                traj.overlaps.extend_from_slice(running.overlaps());
                traj.retrieved.push(running.net().retrieved());
            }
        }
    }
    for (traj, (_, events, _)) in trajectories.iter_mut().zip(session.finish()) {
        traj.events.extend(events);
    }
    Ok(Some(trajectories))
}

/// Steps between two looks at the stop flag of [`simulate`] (1 s of model time at dt = 0.01).
pub const STOP_CHECK_STEPS: usize = 100;
