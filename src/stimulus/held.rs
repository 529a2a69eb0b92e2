//! Frames from an input the user holds instead of the scenario's timeline: a drawing (noise and
//! pixel flips still apply, as to any image), or saliencies set by hand (the `explore`
//! scenario: the input is the mixture that gives exactly those α).

use std::sync::Arc;

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{Frame, StreamConfig, add_noise};
use crate::model::Memories;

/// |overlap| from which a drawing counts as showing a memory (the tracker's ground truth).
pub const DRAWING_TRUTH_OVERLAP: f64 = 0.5;

/// The saliencies of the `explore` walk over a set of `p` memories: `first` for memory 0,
/// `second` for memory 1 and `rest` for every other one (the dashboard's arrows and
/// `recall run --saliencies` both set these three levels).
pub fn walk_saliencies(first: f64, second: f64, rest: f64, p: usize) -> Vec<f64> {
    (0..p)
        .map(|mu| match mu {
            0 => first,
            1 => second,
            _ => rest,
        })
        .collect()
}

/// What the user holds.
#[derive(Debug, Clone, PartialEq)]
pub enum HeldInput {
    /// A picture (±1 per pixel, length N).
    Drawing(Vec<f32>),
    /// α_μ for every memory (length P).
    Saliencies(Vec<f64>),
}

/// A source of frames for a held input, with its own noise generator.
#[derive(Debug, Clone)]
pub struct Held {
    input: HeldInput,
    config: StreamConfig,
    rng: Xoshiro256PlusPlus,
    last_truth: Option<Option<usize>>,
}

impl Held {
    /// Frames of `input` with the stream's noise settings, noise seeded by `seed`.
    pub fn new(input: HeldInput, config: StreamConfig, seed: u64) -> Self {
        Self {
            input,
            config,
            rng: Xoshiro256PlusPlus::seed_from_u64(seed ^ 0xD1B5_4A32_D192_ED03),
            last_truth: None,
        }
    }

    /// Replaces what is held (the noise generator goes on).
    pub fn set(&mut self, input: HeldInput) {
        self.input = input;
    }

    /// What is held.
    pub fn input(&self) -> &HeldInput {
        &self.input
    }

    /// The next frame over `memories`, starting at `time_secs`. A drawing's truth is the memory
    /// it resembles most when |overlap| ≥ [`DRAWING_TRUTH_OVERLAP`]; the saliencies' is the
    /// most salient memory. The frame is `changed` when the truth changes.
    pub fn frame(&mut self, memories: &Memories, time_secs: f64) -> Frame {
        let n = memories.n();
        let (image, input, truth, label) = match &self.input {
            HeldInput::Drawing(pixels) => {
                let mut image = pixels.clone();
                image.resize(n, -1.0);
                let mut overlaps = vec![0.0f32; memories.p()];
                memories.project(&image, &mut overlaps);
                let best = (0..overlaps.len())
                    .max_by(|&a, &b| overlaps[a].abs().total_cmp(&overlaps[b].abs()));
                let truth =
                    best.filter(|&mu| f64::from(overlaps[mu].abs()) >= DRAWING_TRUTH_OVERLAP);
                let label = match best {
                    Some(mu) => format!(
                        "drawing (closest {} {:.2})",
                        memories.names()[mu],
                        overlaps[mu]
                    ),
                    None => "drawing".into(),
                };
                let flip = self.config.flip_prob;
                add_noise(&mut self.rng, &mut image, flip, self.config.pixel_noise_std);
                let gain = self.config.input_gain as f32;
                let input = image.iter().map(|v| v * gain).collect();
                (image, input, truth, label)
            }
            HeldInput::Saliencies(alpha) => {
                let mut alpha = alpha.clone();
                alpha.resize(memories.p(), 0.0);
                // α = (1/N) Ξᵀu with u = Σ c_μ ξ_μ is G·c (G the overlap matrix): c = G⁻¹α.
                let g = memories.gram_inverse();
                let gains: Vec<f64> = (0..alpha.len())
                    .map(|r| (0..alpha.len()).map(|c| g[(r, c)] * alpha[c]).sum())
                    .collect();
                let input = memories.mixture(&gains);
                let peak = input.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-6);
                let image = input.iter().map(|v| v / peak).collect();
                let truth = (0..alpha.len())
                    .max_by(|&a, &b| alpha[a].total_cmp(&alpha[b]))
                    .filter(|&mu| alpha[mu] > 0.0);
                (image, input, truth, "saliencies set by hand".into())
            }
        };
        let changed = self.last_truth != Some(truth);
        self.last_truth = Some(truth);
        Frame {
            time_secs,
            image,
            input,
            truth,
            names: Arc::from(memories.names()),
            changed,
            glitch: false,
            label,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem() -> Memories {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        Memories::random(16, 16, 4, &mut rng)
    }

    #[test]
    fn saliencies_set_by_hand_are_exactly_the_networks_alpha() {
        let mem = mem();
        let want = [1.5, 0.2, 0.0, 0.7];
        let mut held = Held::new(
            HeldInput::Saliencies(want.to_vec()),
            StreamConfig::default(),
            1,
        );
        let frame = held.frame(&mem, 0.0);
        let mut alpha = vec![0.0f32; 4];
        mem.project(&frame.input, &mut alpha);
        for (a, w) in alpha.iter().zip(want) {
            assert!((f64::from(*a) - w).abs() < 1e-4, "{alpha:?}");
        }
        assert_eq!(frame.truth, Some(0));
        assert!(frame.changed);
        assert!(!held.frame(&mem, 0.1).changed);
    }

    #[test]
    fn a_drawing_is_shown_with_the_streams_noise_and_its_closest_memory() {
        let mem = mem();
        let config = StreamConfig {
            flip_prob: 0.05,
            ..StreamConfig::default()
        };
        let drawing = mem.memory(2).to_vec();
        let mut held = Held::new(HeldInput::Drawing(drawing.clone()), config, 1);
        let frame = held.frame(&mem, 0.0);
        assert_eq!(frame.truth, Some(2));
        let flipped = frame
            .image
            .iter()
            .zip(&drawing)
            .filter(|(a, b)| a != b)
            .count();
        assert!((1..60).contains(&flipped), "{flipped} of 256 flipped");
        assert!(frame.label.contains("closest"));
        assert_eq!(frame.input[0], 10.0 * frame.image[0]);
    }
}
