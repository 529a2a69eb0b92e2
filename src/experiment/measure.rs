//! What is measured on a trajectory: per stimulus of the mixed protocol (right memory, clean
//! retrieval, overlap, latency, stuck on the previous memory, mirror), and for the glitch
//! protocol (the tracker's glitch verdict, and the genuine changes by two readouts).

use serde::Serialize;

use super::protocol::{GLITCH_TIMES_SECS, Trajectory};
use crate::tracking::Event;

/// |m| at or above which a retrieval counts as clean (a mixture state stays below).
pub const CLEAN_OVERLAP: f32 = 0.9;
/// The end window of a stimulus over which its outcome is read, in seconds.
pub const READOUT_SECS: f64 = 1.0;
/// How long a state must hold to count as reached, in seconds.
pub const HOLD_SECS: f64 = 0.5;

/// The outcome of one stimulus of the mixed protocol.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SegmentOutcome {
    /// The memory with the largest mean |m| over the last second is the dominant one.
    pub right: bool,
    /// Mean |m_dominant| over the last second is at least [`CLEAN_OVERLAP`].
    pub clean: bool,
    /// It is the previous stimulus' memory instead (trapped).
    pub stuck: bool,
    /// Mean |m_dominant| over the last second.
    pub overlap: f64,
    /// Seconds from the stimulus onset until |m_dominant| ≥ [`CLEAN_OVERLAP`] for
    /// [`HOLD_SECS`], if it happened.
    pub latency_secs: Option<f64>,
    /// Right, and on the mirror −ξ of the dominant memory (its mean m is negative).
    pub mirror: bool,
    /// The model's state stopped being finite before the stimulus ended.
    pub diverged: bool,
}

/// Reads the outcome of a stimulus shown over [t0, t1).
pub fn segment(
    traj: &Trajectory,
    t0: f64,
    t1: f64,
    dominant: usize,
    previous: Option<usize>,
) -> SegmentOutcome {
    let window = traj.steps(t1 - READOUT_SECS, t1);
    let len = window.len().max(1) as f64;
    let means: Vec<f64> = (0..traj.p)
        .map(|mu| {
            window
                .clone()
                .map(|k| f64::from(traj.overlap(k, mu)))
                .sum::<f64>()
                / len
        })
        .collect();
    let best = (0..traj.p)
        .max_by(|&a, &b| means[a].total_cmp(&means[b]))
        .unwrap_or(0);
    let overlap = means.get(dominant).copied().unwrap_or(0.0);
    let latency_secs = first_hold(traj, t0, t1, |k| traj.overlap(k, dominant) >= CLEAN_OVERLAP);
    let signed: f64 = window
        .clone()
        .map(|k| f64::from(traj.signed(k, dominant)))
        .sum();
    SegmentOutcome {
        right: best == dominant,
        clean: overlap >= f64::from(CLEAN_OVERLAP),
        stuck: Some(best) == previous && means[best] >= 0.5,
        overlap,
        latency_secs,
        mirror: best == dominant && signed < 0.0,
        diverged: traj.diverged_secs.is_some_and(|t| t < t1),
    }
}

/// What the model did with the glitch, as its tracker judged it (the same rule as the
/// dashboard's log and `recall run`'s summaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GlitchVerdict {
    /// On A when the glitch began, never moved to B, on A when it ended.
    Corrected,
    /// Moved to B (the tracker's debounced readout was on it).
    Followed,
    /// Not on A to begin with, or not back on it after (confused, a third memory).
    NotTracking,
    /// No verdict (the model diverged before it).
    Unjudged,
}

/// The outcome of one glitch trial.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GlitchOutcome {
    /// The tracker's verdict on the 2-s glitch to B.
    pub glitch: GlitchVerdict,
    /// Fraction of [8, 15) during which A was retrieved.
    pub a_held: f64,
    /// Strict readout: seconds after 15 s until B is retrieved (|m| ≥ 0.5, largest) for
    /// [`HOLD_SECS`], if before 19 s.
    pub b_latency_secs: Option<f64>,
    /// The paper's readout: the memory with the largest |m| at the end of [15, 19) is B.
    pub b_argmax_at_19: bool,
    /// The paper's latency: seconds after 15 s until |m_B| first exceeds 0.9, if before 19 s.
    pub b_secs_to_09: Option<f64>,
    /// Seconds after 19 s until C is retrieved for [`HOLD_SECS`], if before 25 s.
    pub c_latency_secs: Option<f64>,
    /// The model's state stopped being finite during the trial.
    pub diverged: bool,
}

/// Reads the glitch protocol's outcome for memories A, B, C.
pub fn glitch(traj: &Trajectory, a: usize, b: usize, c: usize) -> GlitchOutcome {
    let t = GLITCH_TIMES_SECS;
    let verdict = traj
        .events
        .iter()
        .find_map(|e| match e {
            Event::GlitchCorrected { .. } => Some(GlitchVerdict::Corrected),
            Event::GlitchFollowed { .. } => Some(GlitchVerdict::Followed),
            Event::GlitchNotTracking { .. } => Some(GlitchVerdict::NotTracking),
            _ => None,
        })
        .unwrap_or(GlitchVerdict::Unjudged);
    let held = traj.steps(t[1], t[3]);
    let n = held.len().max(1) as f64;
    let a_held = held.filter(|&k| traj.retrieved[k] == Some(a)).count() as f64 / n;
    let genuine = traj.steps(t[3], t[4]);
    let b_argmax_at_19 = genuine.clone().last().is_some_and(|k| {
        (0..traj.p).max_by(|&x, &y| traj.overlap(k, x).total_cmp(&traj.overlap(k, y))) == Some(b)
    });
    let b_secs_to_09 = genuine
        .clone()
        .find(|&k| traj.overlap(k, b) > 0.9)
        .map(|k| (k + 1 - genuine.start) as f64 * traj.dt_secs);
    GlitchOutcome {
        glitch: verdict,
        a_held,
        b_latency_secs: first_hold(traj, t[3], t[4], |k| traj.retrieved[k] == Some(b)),
        b_argmax_at_19,
        b_secs_to_09,
        c_latency_secs: first_hold(traj, t[4], t[5], |k| traj.retrieved[k] == Some(c)),
        diverged: traj.diverged_secs.is_some(),
    }
}

/// Seconds after `t0` at which `ok` starts to hold for [`HOLD_SECS`] without a break, within
/// [t0, t1).
fn first_hold(traj: &Trajectory, t0: f64, t1: f64, ok: impl Fn(usize) -> bool) -> Option<f64> {
    let need = (HOLD_SECS / traj.dt_secs).round() as usize;
    let range = traj.steps(t0, t1);
    let start = range.start;
    let mut run = 0;
    for k in range {
        if ok(k) {
            run += 1;
            if run >= need {
                let onset = k + 1 - run;
                return Some((onset - start) as f64 * traj.dt_secs + traj.dt_secs);
            }
        } else {
            run = 0;
        }
    }
    None
}
