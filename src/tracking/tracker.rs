//! The tracker: one per model, fed the model's readout and the stimulus' ground truth at every
//! step, it debounces the readout, emits events and accumulates the summary metrics.

use super::{Event, Summary};
use crate::model::Memories;

/// How the tracker judges a run. Times in model seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackerConfig {
    /// After each change of the expected memory, this long is left out of the accuracy (the
    /// network is allowed to settle).
    pub settle_secs: f64,
    /// A readout must stay the same this long before it counts (filters flicker at the
    /// retrieval threshold; latencies are measured from the onset, not the confirmation).
    pub dwell_secs: f64,
    /// After a glitch ends, how long a late move to the glitch memory still counts as following
    /// it (being back on the held memory is judged one dwell after the end).
    pub glitch_grace_secs: f64,
    /// A glitch counts as followed once the model's (debounced) readout has been on the glitch
    /// memory this long in total, from the glitch's start to the end of the grace time; 0 (the
    /// default): any visit, as "corrected" means it never moved there.
    pub follow_secs: f64,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        Self {
            settle_secs: 3.0,
            dwell_secs: 0.2,
            glitch_grace_secs: 2.0,
            follow_secs: 0.0,
        }
    }
}

/// What the tracker needs from one step.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    /// Model time of the readout (the end of the step it follows).
    pub time_secs: f64,
    /// The length of that step (the run's dt): the observed time is counted in steps.
    pub step_secs: f64,
    /// The stimulus' dominant memory (the frame's ground truth).
    pub truth: Option<usize>,
    /// The frame is part of a glitch.
    pub glitch: bool,
    /// The model's retrieved memory ([`crate::model::Network::retrieved`]).
    pub retrieved: Option<usize>,
    /// The model's overlaps m_μ (for the mean overlap with the expected memory).
    pub overlaps: &'a [f32],
    /// The model's state is no longer finite.
    pub diverged: bool,
}

/// An open glitch: where it pointed, what the stream held, whether the model was on that, how
/// long it followed the glitch and whether it was back on the held memory after it.
#[derive(Debug, Clone)]
struct GlitchWatch {
    memory: usize,
    /// When it began (model seconds).
    started_secs: f64,
    /// The memory the stream holds beneath the glitch (expected when it began).
    held: Option<usize>,
    /// The model was on `held` when the glitch began.
    on_held_at_start: bool,
    ended_secs: Option<f64>,
    /// The model was on `held` one dwell after the glitch ended (once seen).
    on_held_after: Option<bool>,
    followed_secs: f64,
    decided: bool,
}

impl GlitchWatch {
    /// The debounced readout was on the glitch memory, for at least `follow_secs` in all.
    fn followed(&self, follow_secs: f64) -> bool {
        self.followed_secs > 0.0 && self.followed_secs >= follow_secs
    }
}

/// Turns a model's per-step readouts into events and summary metrics. Pure: no clock, no I/O.
#[derive(Debug, Clone)]
pub struct Tracker {
    config: TrackerConfig,
    last_time: Option<f64>,
    /// Steps observed and their length: the observed time is steps × step, not a float sum.
    steps: u64,
    step_secs: f64,
    /// What the model should show: the truth, or during a glitch the memory before it.
    expected: Option<usize>,
    change_secs: f64,
    /// The memory the input shows now (the frame's truth: during a glitch, the glitch's) and
    /// since when: a retrieval out of confusion is timed from there.
    input: Option<usize>,
    input_since: f64,
    /// When the model last lost its memory (the onset of its latest confusion).
    lost_secs: f64,
    changes: usize,
    awaiting: bool,
    /// The confirmed (debounced) readout.
    stable: Option<usize>,
    candidate: Option<usize>,
    candidate_since: f64,
    /// The memory the input showed when the candidate began, and since when (a retrieval is
    /// judged by where it began, not by where its dwell ended).
    candidate_input: (Option<usize>, f64),
    glitch: Option<GlitchWatch>,
    diverged: bool,
    // accumulators
    tracked_secs: f64,
    correct_secs: f64,
    overlap_secs: f64,
    /// Of `correct_secs`, the time the model was on the mirror −ξ of the expected memory.
    mirror_secs: f64,
    latencies: Vec<f64>,
    missed: usize,
    glitches_seen: usize,
    glitches_corrected: usize,
    glitches_followed: usize,
    glitches_not_tracking: usize,
    transitions: usize,
}

impl Tracker {
    /// A tracker with the given judgement settings.
    pub fn new(config: TrackerConfig) -> Self {
        Self {
            config,
            last_time: None,
            steps: 0,
            step_secs: 0.0,
            expected: None,
            change_secs: 0.0,
            input: None,
            input_since: 0.0,
            lost_secs: 0.0,
            changes: 0,
            awaiting: false,
            stable: None,
            candidate: None,
            candidate_since: 0.0,
            candidate_input: (None, 0.0),
            glitch: None,
            diverged: false,
            tracked_secs: 0.0,
            correct_secs: 0.0,
            overlap_secs: 0.0,
            mirror_secs: 0.0,
            latencies: Vec::new(),
            missed: 0,
            glitches_seen: 0,
            glitches_corrected: 0,
            glitches_followed: 0,
            glitches_not_tracking: 0,
            transitions: 0,
        }
    }

    /// The judgement settings.
    pub fn config(&self) -> &TrackerConfig {
        &self.config
    }
    /// The confirmed retrieved memory (the readout after the dwell filter).
    pub fn retrieved(&self) -> Option<usize> {
        self.stable
    }
    /// The memory the model should show now.
    pub fn expected(&self) -> Option<usize> {
        self.expected
    }

    /// Feeds one step; returns the events it caused (usually none).
    pub fn observe(&mut self, obs: &Observation) -> Vec<Event> {
        let mut events = Vec::new();
        if self.diverged {
            return events;
        }
        let now = obs.time_secs;
        if obs.diverged {
            self.diverged = true;
            events.push(Event::Diverged { time_secs: now });
            return events;
        }
        let dt = self.last_time.map_or(0.0, |t| (now - t).max(0.0));
        self.last_time = Some(now);
        self.steps += 1;
        self.step_secs = obs.step_secs;
        if obs.truth != self.input {
            self.input = obs.truth;
            self.input_since = now;
        }

        self.update_expected(obs, now, &mut events);
        self.update_readout(obs, now, &mut events);
        self.update_glitch(now, dt, &mut events);
        self.accumulate(obs, now, dt);
        events
    }

    /// Follows a reload of the memory set from `old` to `new`: with the same image size the
    /// memories are matched by name ([`Self::rename`]); with another size the models restart
    /// from random states, and so does the tracking (the metrics restart too).
    pub fn follow_reload(&mut self, old: &Memories, new: &Memories) {
        if old.n() == new.n() {
            self.rename(old.names(), new.names());
        } else {
            *self = Self::new(self.config.clone());
        }
    }

    /// Follows a change of the memory set (a pattern directory reload): memories are matched
    /// by name, so what the tracker expects and sees keeps its meaning and the metrics go on.
    /// A memory that is gone is forgotten: a change waiting for it no longer counts as missed,
    /// and a glitch to it is left unjudged.
    pub fn rename(&mut self, old: &[String], new: &[String]) {
        let map = |id: Option<usize>| {
            id.and_then(|i| old.get(i))
                .and_then(|name| new.iter().position(|n| n == name))
        };
        self.expected = map(self.expected);
        self.input = map(self.input);
        self.candidate_input.0 = map(self.candidate_input.0);
        if self.expected.is_none() {
            self.awaiting = false;
        }
        self.stable = map(self.stable);
        let gone = self.candidate.is_some() && map(self.candidate).is_none();
        self.candidate = map(self.candidate);
        if gone {
            // The readout's candidate vanished: its dwell starts again now.
            self.candidate_since = self.last_time.unwrap_or(self.candidate_since);
        }
        if let Some(w) = self.glitch.as_mut() {
            match map(Some(w.memory)) {
                Some(m) => w.memory = m,
                None => {
                    if !w.decided {
                        self.glitches_seen -= 1;
                    }
                    self.glitch = None;
                }
            }
        }
    }

    /// Closes the run: an open glitch is judged with what was seen, a change never answered
    /// counts as missed.
    pub fn finish(&mut self) -> Vec<Event> {
        let mut events = Vec::new();
        let now = self.last_time.unwrap_or(0.0);
        if self.glitch.is_some() {
            self.decide_glitch(now, &mut events);
        }
        if self.awaiting {
            self.awaiting = false;
            self.missed += 1;
        }
        events
    }

    /// The metrics so far.
    pub fn summary(&self) -> Summary {
        let mut sorted = self.latencies.clone();
        sorted.sort_by(f64::total_cmp);
        let median = (!sorted.is_empty()).then(|| {
            let k = sorted.len();
            if !k.is_multiple_of(2) {
                sorted[k / 2]
            } else {
                0.5 * (sorted[k / 2 - 1] + sorted[k / 2])
            }
        });
        let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        Summary {
            duration_secs: self.steps as f64 * self.step_secs,
            accuracy: ratio(self.correct_secs, self.tracked_secs),
            tracked_secs: self.tracked_secs,
            changes: self.changes,
            retrievals: self.latencies.len(),
            missed: self.missed,
            latency_median_secs: median,
            latency_worst_secs: sorted.last().copied(),
            glitches_seen: self.glitches_seen,
            glitches_corrected: self.glitches_corrected,
            glitches_followed: self.glitches_followed,
            glitches_not_tracking: self.glitches_not_tracking,
            mean_overlap: ratio(self.overlap_secs, self.tracked_secs),
            mirror_fraction: ratio(self.mirror_secs, self.correct_secs),
            transitions: self.transitions,
            diverged: self.diverged,
        }
    }

    fn update_expected(&mut self, obs: &Observation, now: f64, events: &mut Vec<Event>) {
        if obs.glitch {
            if let Some(g) = obs.truth.filter(|&g| Some(g) != self.expected) {
                let open = self
                    .glitch
                    .as_ref()
                    .is_some_and(|w| w.memory == g && w.ended_secs.is_none());
                if !open {
                    if self.glitch.is_some() {
                        self.decide_glitch(now, events);
                    }
                    self.glitches_seen += 1;
                    self.glitch = Some(GlitchWatch {
                        memory: g,
                        started_secs: now,
                        held: self.expected,
                        on_held_at_start: self.expected.is_some() && self.stable == self.expected,
                        ended_secs: None,
                        on_held_after: None,
                        followed_secs: 0.0,
                        decided: false,
                    });
                }
            }
            return;
        }
        if let Some(w) = self.glitch.as_mut().filter(|w| w.ended_secs.is_none()) {
            w.ended_secs = Some(now);
        }
        if obs.truth != self.expected {
            if self.glitch.is_some() {
                self.decide_glitch(now, events);
            }
            if self.awaiting {
                self.missed += 1;
            }
            self.expected = obs.truth;
            self.change_secs = now;
            self.changes += 1;
            self.awaiting = obs.truth.is_some();
            if self.awaiting && self.stable == obs.truth {
                self.hit(obs, now, None, events);
            }
        }
    }

    fn update_readout(&mut self, obs: &Observation, now: f64, events: &mut Vec<Event>) {
        let raw = obs.retrieved;
        if raw != self.candidate {
            self.candidate = raw;
            self.candidate_since = now;
            self.candidate_input = (self.input, self.input_since);
        }
        let confirmed = now - self.candidate_since >= self.config.dwell_secs - 1e-9;
        if !confirmed || self.candidate == self.stable {
            return;
        }
        let onset = self.candidate_since;
        let old = self.stable;
        self.stable = self.candidate;
        match (old, self.stable) {
            (Some(from), Some(to)) => {
                self.transitions += 1;
                events.push(Event::Transition {
                    time_secs: now,
                    from,
                    to,
                });
            }
            // Out of confusion onto a memory that is not a change's answer (the glitch's
            // memory, the held one again, another): timed from when the model last had to
            // retrieve it, the later of the model losing its memory and the input coming to
            // this one (a change, a glitch's start or end; for the held memory beneath a
            // glitch, the change to it), all as of the retrieval's onset; not the change to
            // `expected`, which may be seconds older and about another memory. A memory that
            // is neither what the input shows nor what the model should show has no such
            // moment, and gets no latency: its line names what the input shows.
            (None, Some(to)) if Some(to) != self.expected || !self.awaiting => {
                let (input, input_since) = self.candidate_input;
                let came = if input == Some(to) {
                    Some(input_since)
                } else {
                    (self.expected == Some(to)).then_some(self.change_secs)
                };
                events.push(Event::Retrieved {
                    time_secs: now,
                    memory: to,
                    latency_secs: came.map_or(0.0, |c| (onset - c.max(self.lost_secs)).max(0.0)),
                    mirror: is_mirror(obs, to),
                    already: false,
                    input_memory: came.is_none().then_some(input),
                });
            }
            (Some(_), None) => {
                self.lost_secs = onset;
                events.push(Event::Confusion { time_secs: now });
            }
            _ => {}
        }
        if self.awaiting && self.stable == self.expected {
            self.hit(obs, now, Some(onset), events);
        }
    }

    /// The expected memory was reached (onset at `onset`; `None`: the model was on it already
    /// when the stimulus changed to it): one latency.
    fn hit(&mut self, obs: &Observation, now: f64, onset: Option<f64>, events: &mut Vec<Event>) {
        let latency = onset.map_or(0.0, |onset| (onset - self.change_secs).max(0.0));
        self.awaiting = false;
        self.latencies.push(latency);
        if let Some(memory) = self.expected {
            events.push(Event::Retrieved {
                time_secs: now,
                memory,
                latency_secs: latency,
                mirror: is_mirror(obs, memory),
                already: onset.is_none(),
                input_memory: None,
            });
        }
    }

    fn update_glitch(&mut self, now: f64, dt: f64, events: &mut Vec<Event>) {
        let stable = self.stable;
        let (follow, grace) = (self.config.follow_secs, self.config.glitch_grace_secs);
        let dwell = self.config.dwell_secs;
        let Some(w) = self.glitch.as_mut() else {
            return;
        };
        if stable == Some(w.memory) {
            w.followed_secs += dt;
        }
        if w.on_held_after.is_none() && w.ended_secs.is_some_and(|e| now - e >= dwell - 1e-9) {
            w.on_held_after = Some(w.held.is_some() && stable == w.held);
        }
        if !w.decided && w.followed(follow) {
            w.decided = true;
            self.glitches_followed += 1;
            events.push(Event::GlitchFollowed {
                time_secs: now,
                glitch: w.memory,
                glitch_secs: w.started_secs,
            });
        }
        if w.ended_secs.is_some_and(|e| now - e >= grace) {
            self.decide_glitch(now, events);
        }
    }

    /// Judges and closes the open glitch: *followed* when the model held the glitch memory
    /// (its debounced readout was on it, for at least `follow_secs`); *corrected* when it did
    /// not, and was on the held memory both when
    /// the glitch began and one dwell after it ended; otherwise *not tracking* (confused, on a
    /// third memory, or not on the held memory to begin with) — never a correction.
    fn decide_glitch(&mut self, now: f64, events: &mut Vec<Event>) {
        let Some(w) = self.glitch.take() else {
            return;
        };
        if w.decided {
            return;
        }
        let (time_secs, glitch, glitch_secs) = (now, w.memory, w.started_secs);
        if w.followed(self.config.follow_secs) {
            self.glitches_followed += 1;
            events.push(Event::GlitchFollowed {
                time_secs,
                glitch,
                glitch_secs,
            });
        } else if w.on_held_at_start
            && w.on_held_after
                .unwrap_or(w.held.is_some() && self.stable == w.held)
        {
            self.glitches_corrected += 1;
            events.push(Event::GlitchCorrected {
                time_secs,
                glitch,
                glitch_secs,
            });
        } else {
            self.glitches_not_tracking += 1;
            events.push(Event::GlitchNotTracking {
                time_secs,
                glitch,
                glitch_secs,
                held: w.held,
            });
        }
    }

    fn accumulate(&mut self, obs: &Observation, now: f64, dt: f64) {
        let Some(expected) = self.expected else {
            return;
        };
        if now - self.change_secs < self.config.settle_secs {
            return;
        }
        self.tracked_secs += dt;
        if self.stable == Some(expected) {
            self.correct_secs += dt;
            if is_mirror(obs, expected) {
                self.mirror_secs += dt;
            }
        }
        let m = obs
            .overlaps
            .get(expected)
            .map_or(0.0, |m| f64::from(m.abs()));
        self.overlap_secs += m * dt;
    }
}

/// The model's state is on the mirror −ξ of `memory` (its overlap is negative).
fn is_mirror(obs: &Observation, memory: usize) -> bool {
    obs.overlaps.get(memory).is_some_and(|&m| m < 0.0)
}

impl Default for Tracker {
    fn default() -> Self {
        Self::new(TrackerConfig::default())
    }
}
