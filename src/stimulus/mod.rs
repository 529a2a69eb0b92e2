//! Stimulus streams: a seeded, pure generator of input frames (holds, morphs, mixtures, partial
//! cues, glitches, noise) described by a scenario over the current memory set.
//!
//! CONTRACT (skeleton written before the implementation; keep these names and signatures,
//! extend freely).

use std::sync::Arc;

use crate::model::Memories;

/// The built-in scenarios, selectable by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioName {
    Tour,
    Morph,
    Partial,
    Mixed,
    Glitch,
    NoiseRamp,
}

impl ScenarioName {
    /// Every scenario, in the order the UI cycles through them.
    pub const ALL: [ScenarioName; 6] = [
        ScenarioName::Tour,
        ScenarioName::Morph,
        ScenarioName::Partial,
        ScenarioName::Mixed,
        ScenarioName::Glitch,
        ScenarioName::NoiseRamp,
    ];
    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            ScenarioName::Tour => "tour",
            ScenarioName::Morph => "morph",
            ScenarioName::Partial => "partial",
            ScenarioName::Mixed => "mixed",
            ScenarioName::Glitch => "glitch",
            ScenarioName::NoiseRamp => "noise-ramp",
        }
    }
    /// Parses a command-line name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

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
            input_gain: 1.0,
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
    /// The memory the frame is mostly about, if any.
    pub truth: Option<usize>,
    /// A new stimulus starts with this frame.
    pub changed: bool,
    /// The frame is part of a glitch (a brief switch to another memory).
    pub glitch: bool,
    /// A short description of the segment, e.g. "morph cat → dog".
    pub label: String,
}

/// A seeded, endless (or finite, for fixed schedules) stream of frames.
pub struct Stream {
    memories: Arc<Memories>,
    config: StreamConfig,
    time_secs: f64,
}

impl Stream {
    /// A stream of scenario `name` over `memories`.
    pub fn new(
        _name: ScenarioName,
        memories: Arc<Memories>,
        config: StreamConfig,
        _seed: u64,
    ) -> Self {
        Self {
            memories,
            config,
            time_secs: 0.0,
        }
    }

    /// The next frame. (Skeleton: holds memory 0 without noise.)
    pub fn next_frame(&mut self) -> Frame {
        let image = self.memories.memory(0).to_vec();
        let gain = self.config.input_gain as f32;
        let frame = Frame {
            time_secs: self.time_secs,
            input: image.iter().map(|v| v * gain).collect(),
            image,
            truth: Some(0),
            changed: self.time_secs == 0.0,
            glitch: false,
            label: "hold".into(),
        };
        self.time_secs += self.config.frame_secs;
        frame
    }

    /// Switches to a new memory set; the scenario follows it.
    pub fn set_memories(&mut self, memories: Arc<Memories>) {
        self.memories = memories;
    }

    /// The stream's configuration.
    pub fn config(&self) -> &StreamConfig {
        &self.config
    }
}
