//! Stimulus streams: a seeded, pure generator of input frames (holds, morphs, mixtures, partial
//! cues, glitches, noise) described by a scenario over the current memory set.
//!
//! A stream is a timeline of [`Segment`]s planned one chapter at a time (so it is endless and
//! follows the memory set when it changes), sampled every `frame_secs`, with pixel noise on top.
//! Two generators, both from the seed: one plans the timeline, one draws the pixel noise, so the
//! same seed gives the same scenario whatever the noise settings.

pub mod held;
pub mod scenario;
pub mod segment;

use std::collections::VecDeque;
use std::sync::Arc;

use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

pub use scenario::ScenarioName;
pub use segment::{Mask, Segment, SegmentKind, Shown};

use crate::model::Memories;

/// Seconds a glitch injected by hand ([`Stream::inject_glitch`]) lasts.
pub const INJECTED_GLITCH_SECS: f64 = scenario::TOUR_GLITCH_SECS;

/// Slack when deciding whether a frame time has reached a segment's end (float sums of
/// `frame_secs` are not exact).
const TIME_EPS: f64 = 1e-9;

/// How frames are made: timing, noise and gain.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamConfig {
    /// Model seconds one frame lasts (the simulator holds each frame this long).
    pub frame_secs: f64,
    /// Probability that a pixel of the image is flipped, per frame.
    pub flip_prob: f64,
    /// σ of additive Gaussian pixel noise, per frame.
    pub pixel_noise_std: f64,
    /// Input gain: u = gain · image.
    pub input_gain: f64,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self {
            frame_secs: 0.1,
            flip_prob: 0.05,
            pixel_noise_std: 0.0,
            // α_μ = gain · overlap: 10 puts the shown memory's saliency far above the existence
            // threshold 1/g = 0.1 and its well deep enough that σ = 2 noise does not erase it.
            input_gain: 10.0,
        }
    }
}

/// One input frame and the ground truth of what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Model time at which the frame starts.
    pub time_secs: f64,
    /// The (noisy) image before the input gain, length N.
    pub image: Vec<f32>,
    /// What the network receives: u = input_gain · image.
    pub input: Vec<f32>,
    /// The memory the frame is mostly about, if any (an index into `names`).
    pub truth: Option<usize>,
    /// The names of the memory set the frame was made from. A frame still in flight when the
    /// pattern files are reloaded is matched to the new set by these names.
    pub names: Arc<[String]>,
    /// A new stimulus starts with this frame.
    pub changed: bool,
    /// The frame is part of a glitch (a brief switch to another memory).
    pub glitch: bool,
    /// A short description of the segment, e.g. "morph cat → dog".
    pub label: String,
}

impl Frame {
    /// Re-expresses the frame against `memories` if it was made from another set (a pattern
    /// reload while it was in flight): the truth is matched by name, and is `None` if that
    /// memory is gone.
    pub fn match_to(&mut self, memories: &Memories) {
        if *self.names == *memories.names() {
            return;
        }
        self.truth = self
            .truth
            .and_then(|t| self.names.get(t))
            .and_then(|name| memories.index_of(name));
        self.names = memories.names().into();
    }
}

/// A glitch injected by hand over whatever the timeline shows.
#[derive(Debug, Clone, Copy)]
struct Overlay {
    memory: usize,
    until_secs: f64,
}

/// A seeded, endless stream of frames.
pub struct Stream {
    name: ScenarioName,
    memories: Arc<Memories>,
    /// The memories' names, shared by every frame.
    names: Arc<[String]>,
    config: StreamConfig,
    plan_rng: Xoshiro256PlusPlus,
    noise_rng: Xoshiro256PlusPlus,
    /// Frames produced so far.
    frames: u64,
    /// Time of the next frame: `origin.0 + (frames − origin.1) · frame_secs`, a product rather
    /// than a running sum so segment boundaries fall on exact frames.
    time_secs: f64,
    /// Where the clock was last set (`resync`): a time and the frame count then; (0, 0) from
    /// the start, so that frame k starts at k · frame_secs until a resync.
    origin: (f64, u64),
    current: Segment,
    current_label: String,
    seg_start_secs: f64,
    queue: VecDeque<Segment>,
    visit: usize,
    /// The truth of the previous frame (`None` before the first frame).
    prev_truth: Option<Option<usize>>,
    /// The current segment jumped away from what the previous one showed.
    jumped: bool,
    overlay: Option<Overlay>,
}

impl Stream {
    /// A stream of scenario `name` over `memories`.
    pub fn new(
        name: ScenarioName,
        memories: Arc<Memories>,
        config: StreamConfig,
        seed: u64,
    ) -> Self {
        let mut plan_rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let noise_rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15);
        let mut visit = 0;
        let mut queue: VecDeque<Segment> =
            scenario::plan(name, &memories, &mut plan_rng, None, &mut visit).into();
        let current = queue
            .pop_front()
            .unwrap_or_else(|| Segment::new(SegmentKind::Hold { memory: 0 }, 1.0));
        let current_label = current.label(memories.names());
        Self {
            name,
            names: memories.names().into(),
            memories,
            config,
            plan_rng,
            noise_rng,
            frames: 0,
            time_secs: 0.0,
            origin: (0.0, 0),
            current,
            current_label,
            seg_start_secs: 0.0,
            queue,
            visit,
            prev_truth: None,
            jumped: true,
            overlay: None,
        }
    }

    /// The next frame.
    pub fn next_frame(&mut self) -> Frame {
        let t = self.time_secs;
        loop {
            // At least 1 ms per segment, so a zero-length segment cannot stall the clock.
            let len = self.current.duration_secs.max(1e-3);
            if t - self.seg_start_secs < len - TIME_EPS {
                break;
            }
            self.seg_start_secs += len;
            self.advance();
        }
        let elapsed = t - self.seg_start_secs;
        let n = self.memories.n();
        let mut image = vec![0.0f32; n];
        let mut shown = self.current.render(&self.memories, elapsed, &mut image);
        let mut label = self
            .current
            .label_at(self.memories.names(), elapsed, self.seg_start_secs)
            .unwrap_or_else(|| self.current_label.clone());
        match self.overlay {
            Some(o) if t < o.until_secs - TIME_EPS => {
                image.copy_from_slice(self.memories.memory(o.memory));
                shown = Shown {
                    truth: Some(o.memory),
                    glitch: true,
                };
                let names = self.memories.names();
                label = format!("glitch to {}", names.get(o.memory).map_or("?", |s| s));
            }
            _ => self.overlay = None,
        }
        let flip = self.current.flip_prob(elapsed, self.config.flip_prob);
        self.add_noise(&mut image, flip);
        let gain = self.config.input_gain as f32;
        let changed = match self.prev_truth {
            None => true,
            Some(prev) => prev != shown.truth || self.jumped,
        };
        self.jumped = false;
        self.prev_truth = Some(shown.truth);
        self.frames += 1;
        self.time_secs =
            self.origin.0 + (self.frames - self.origin.1) as f64 * self.config.frame_secs;
        Frame {
            time_secs: t,
            input: image.iter().map(|v| v * gain).collect(),
            image,
            truth: shown.truth,
            names: Arc::clone(&self.names),
            changed,
            glitch: shown.glitch,
            label,
        }
    }

    /// Switches to a new memory set; the scenario follows it from the next frame on (the
    /// timeline is planned afresh over the new set).
    pub fn set_memories(&mut self, memories: Arc<Memories>) {
        self.names = memories.names().into();
        self.memories = memories;
        self.overlay = None;
        self.prev_truth = None;
        self.replan();
    }

    /// Switches to another scenario from the next frame on.
    pub fn set_scenario(&mut self, name: ScenarioName) {
        self.name = name;
        self.replan();
    }

    /// Moves the clock, and the stream with it: the next frame starts at `at_secs`, where it
    /// would have started now (the segment and a glitch overlay keep what is left of them).
    /// The simulator passes over the frames made ahead of a skip, a scenario switch or a return
    /// from an input held by hand (the stream waited meanwhile), so the stream's clock is set to
    /// the model time where its next frame will be shown; otherwise a label's times ("glitch to
    /// dog at 17.0 s") would be off by the frames passed over or the time waited.
    pub fn resync(&mut self, at_secs: f64) {
        let shift = at_secs - self.time_secs;
        if let Some(o) = self.overlay.as_mut() {
            o.until_secs += shift;
        }
        self.seg_start_secs += shift;
        self.time_secs = at_secs;
        self.origin = (at_secs, self.frames);
    }

    /// Ends the current segment now: the next frame starts the next one.
    pub fn skip_to_next(&mut self) {
        self.seg_start_secs = self.time_secs;
        self.overlay = None;
        self.advance();
    }

    /// Flashes another memory (chosen at random) for [`INJECTED_GLITCH_SECS`] over whatever
    /// the timeline shows, which keeps running underneath. Returns the glitch memory, or `None`
    /// when the set has a single memory.
    pub fn inject_glitch(&mut self) -> Option<usize> {
        let p = self.memories.p();
        if p < 2 {
            return None;
        }
        let current = self.prev_truth.flatten().unwrap_or(0);
        let mut g = self.plan_rng.random_range(0..p - 1);
        if g >= current {
            g += 1;
        }
        self.overlay = Some(Overlay {
            memory: g,
            until_secs: self.time_secs + INJECTED_GLITCH_SECS,
        });
        Some(g)
    }

    /// The stream's configuration.
    pub fn config(&self) -> &StreamConfig {
        &self.config
    }
    /// The scenario being played.
    pub fn scenario(&self) -> ScenarioName {
        self.name
    }
    /// The memories the stream draws from.
    pub fn memories(&self) -> &Arc<Memories> {
        &self.memories
    }
    /// Model time at which the next frame starts.
    pub fn time_secs(&self) -> f64 {
        self.time_secs
    }

    fn replan(&mut self) {
        self.queue.clear();
        self.seg_start_secs = self.time_secs;
        self.advance_from(None);
    }

    /// Moves to the next segment, planning a new chapter when the queue is empty.
    fn advance(&mut self) {
        let last = self.current.end_memory();
        self.advance_from(last);
    }

    fn advance_from(&mut self, last: Option<usize>) {
        if self.queue.is_empty() {
            let chapter = scenario::plan(
                self.name,
                &self.memories,
                &mut self.plan_rng,
                last,
                &mut self.visit,
            );
            self.queue.extend(chapter);
        }
        let next = self
            .queue
            .pop_front()
            .unwrap_or_else(|| Segment::new(SegmentKind::Hold { memory: 0 }, 1.0));
        self.jumped = !next.continues(&self.current) || last.is_none();
        self.current = next;
        self.current_label = self.current.label(self.memories.names());
    }

    fn add_noise(&mut self, image: &mut [f32], flip_prob: f64) {
        add_noise(
            &mut self.noise_rng,
            image,
            flip_prob,
            self.config.pixel_noise_std,
        );
    }
}

/// Flips each pixel with probability `flip_prob`, then adds Gaussian noise of σ `pixel_std`.
pub(crate) fn add_noise(
    rng: &mut Xoshiro256PlusPlus,
    image: &mut [f32],
    flip_prob: f64,
    pixel_std: f64,
) {
    if flip_prob > 0.0 {
        let p = flip_prob.min(1.0);
        for v in image.iter_mut() {
            if rng.random_bool(p) {
                *v = -*v;
            }
        }
    }
    let sigma = pixel_std as f32;
    if sigma > 0.0 {
        for v in image.iter_mut() {
            *v += sigma * rng.sample::<f32, _>(StandardNormal);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem() -> Arc<Memories> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        Arc::new(Memories::random(16, 16, 5, &mut rng))
    }

    #[test]
    fn every_scenario_starts_with_a_change_and_keeps_going() {
        for name in ScenarioName::ALL {
            let mut s = Stream::new(name, mem(), StreamConfig::default(), 3);
            let first = s.next_frame();
            assert!(first.changed, "{name}");
            for _ in 0..2000 {
                let f = s.next_frame();
                assert_eq!(f.image.len(), 256);
                assert!(f.truth.is_none_or(|t| t < 5), "{name}");
            }
        }
    }

    #[test]
    fn set_memories_follows_a_smaller_set() {
        let mut s = Stream::new(ScenarioName::Tour, mem(), StreamConfig::default(), 1);
        for _ in 0..50 {
            s.next_frame();
        }
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        s.set_memories(Arc::new(Memories::random(8, 8, 2, &mut rng)));
        for _ in 0..500 {
            let f = s.next_frame();
            assert_eq!(f.image.len(), 64);
            assert!(f.truth.is_none_or(|t| t < 2));
        }
    }
}
