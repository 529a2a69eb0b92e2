//! The built-in scenarios as timelines: each plans one "chapter" of segments at a time over the
//! current memory set, so an endless stream follows the set when it changes.

use std::sync::Arc;

use rand::RngExt;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::segment::{Mask, Segment, SegmentKind};
use crate::model::Memories;

/// The built-in scenarios, selectable by name (`tour`, `noise-ramp`, …).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::Display,
)]
#[strum(serialize_all = "kebab-case")]
pub enum ScenarioName {
    Tour,
    Morph,
    Partial,
    Mixed,
    Glitch,
    NoiseRamp,
    /// No timeline: the user sets the saliencies themselves (the dashboard's arrows, or
    /// `recall run --saliencies`), to walk through the theory's regimes.
    Explore,
    /// No images: the dashboard shows the paper's Fig. 4 instead, particles of a two-neuron
    /// network under noise against its stationary density (the network and its stream wait).
    Density,
}

impl ScenarioName {
    /// Every scenario, in the order the UI cycles through them.
    pub const ALL: [ScenarioName; 8] = [
        ScenarioName::Tour,
        ScenarioName::Morph,
        ScenarioName::Partial,
        ScenarioName::Mixed,
        ScenarioName::Glitch,
        ScenarioName::NoiseRamp,
        ScenarioName::Explore,
        ScenarioName::Density,
    ];
    /// The command-line name.
    pub fn name(self) -> &'static str {
        self.into()
    }
    /// Parses a command-line name.
    pub fn parse(name: &str) -> Option<Self> {
        name.parse().ok()
    }
    /// One line on what the scenario shows.
    pub fn describe(self) -> &'static str {
        match self {
            ScenarioName::Tour => {
                "every memory in turn: slow morphs, partial cues, occasional 1-s glitches"
            }
            ScenarioName::Morph => "morphs between memories, crossfades and pixel by pixel",
            ScenarioName::Partial => "partial cues: half or part of a memory visible, rest blank",
            ScenarioName::Mixed => "mixtures of all memories with one dominant (paper §5)",
            ScenarioName::Glitch => "the paper's 25-s schedule: A, a 2-s glitch to B, A, B, C",
            ScenarioName::NoiseRamp => "each memory held while pixel flips ramp from 0 to 45%",
            ScenarioName::Explore => "no images: you set the saliencies α and walk the regimes",
            ScenarioName::Density => {
                "the paper's Fig. 4: two neurons under noise fill the plane; σ, α1, α2 on keys"
            }
        }
    }
}

/// Tour: seconds of a slow morph into the next memory.
pub const TOUR_MORPH_SECS: f64 = 4.0;
/// Tour: seconds a partial cue is shown before the whole memory.
pub const TOUR_PARTIAL_SECS: f64 = 4.0;
/// Tour: seconds each memory is held once it has arrived.
pub const TOUR_HOLD_SECS: f64 = 6.0;
/// Tour: seconds a glitch lasts (a brief flash of another memory).
pub const TOUR_GLITCH_SECS: f64 = 1.0;
/// Tour: seconds into the hold at which a glitch starts.
pub const TOUR_GLITCH_AT_SECS: f64 = 3.0;
/// Paper's glitch schedule (model.md §5): A for 8 s, B for 2 s, A for 5 s, B for 4 s, C for 6 s.
pub const GLITCH_SCHEDULE_SECS: [f64; 5] = [8.0, 2.0, 5.0, 4.0, 6.0];
/// Mixed scenario: seconds each mixture is shown (the paper's 10 s).
pub const MIXED_SECS: f64 = 10.0;
/// Noise ramp: seconds each memory is held while the flips ramp up.
pub const RAMP_SECS: f64 = 15.0;
/// Noise ramp: the pixel-flip probability reached at the end of each hold.
pub const RAMP_MAX_FLIP: f64 = 0.45;

/// Plans the next chapter of scenario `name` over `mem`. `last` is the memory the previous
/// chapter ended on (the next one starts from it when it can), `visit` counts the memories
/// visited so far (it varies the kinds of arrival). Never returns an empty chapter.
pub fn plan(
    name: ScenarioName,
    mem: &Memories,
    rng: &mut Xoshiro256PlusPlus,
    last: Option<usize>,
    visit: &mut usize,
) -> Vec<Segment> {
    let p = mem.p();
    let order = permutation(p, last, rng);
    let mut out = Vec::new();
    let mut prev = last;
    match name {
        ScenarioName::Tour => {
            for &mu in &order {
                tour_visit(mem, rng, prev, mu, *visit, &mut out);
                *visit += 1;
                prev = Some(mu);
            }
        }
        ScenarioName::Morph => {
            for &mu in &order {
                if let Some(a) = prev.filter(|&a| a != mu) {
                    out.push(morph(mem.n(), rng, a, mu, visit.is_multiple_of(2), 6.0));
                }
                out.push(Segment::new(SegmentKind::Hold { memory: mu }, 3.0));
                *visit += 1;
                prev = Some(mu);
            }
        }
        ScenarioName::Partial => {
            for &mu in &order {
                let mask = partial_mask(mem, rng, *visit);
                out.push(Segment::new(SegmentKind::Partial { memory: mu, mask }, 6.0));
                *visit += 1;
            }
        }
        ScenarioName::Mixed => {
            for &mu in &order {
                let gains = display_mixture(p, mu, prev, rng);
                out.push(Segment::new(SegmentKind::Mixture { gains }, MIXED_SECS));
                *visit += 1;
                prev = Some(mu);
            }
        }
        ScenarioName::Glitch => {
            let [a, b, c] = [order[0], order[1 % p], order[2 % p]];
            let [hold_a, glitch, back, change, last_secs] = GLITCH_SCHEDULE_SECS;
            out.push(Segment::new(
                SegmentKind::Glitch {
                    memory: a,
                    glitch: b,
                    at_secs: hold_a,
                    glitch_secs: glitch,
                },
                hold_a + glitch + back,
            ));
            out.push(Segment::new(SegmentKind::Hold { memory: b }, change));
            out.push(Segment::new(SegmentKind::Hold { memory: c }, last_secs));
            *visit += 3;
        }
        ScenarioName::NoiseRamp => {
            for &mu in &order {
                out.push(
                    Segment::new(SegmentKind::Hold { memory: mu }, RAMP_SECS)
                        .with_flip_ramp(0.0, RAMP_MAX_FLIP),
                );
                *visit += 1;
            }
        }
        // The saliencies are held by whoever runs the network (explore), or the network does not
        // run (density); the stream only waits (a plain hold of each memory, should anything
        // read it).
        ScenarioName::Explore | ScenarioName::Density => {
            for &mu in &order {
                out.push(Segment::new(SegmentKind::Hold { memory: mu }, 10.0));
                *visit += 1;
            }
        }
    }
    out
}

/// One memory of the tour: arrive (crossfade, partial cue or pixel morph, in turn), then hold,
/// with a glitch in every other hold.
fn tour_visit(
    mem: &Memories,
    rng: &mut Xoshiro256PlusPlus,
    prev: Option<usize>,
    mu: usize,
    visit: usize,
    out: &mut Vec<Segment>,
) {
    let from = prev.filter(|&a| a != mu);
    match (visit % 3, from) {
        (0, Some(a)) => out.push(morph(mem.n(), rng, a, mu, true, TOUR_MORPH_SECS)),
        (2, Some(a)) => out.push(morph(mem.n(), rng, a, mu, false, TOUR_MORPH_SECS)),
        _ => {
            let mask = partial_mask(mem, rng, visit / 3);
            out.push(Segment::new(
                SegmentKind::Partial { memory: mu, mask },
                TOUR_PARTIAL_SECS,
            ));
        }
    }
    let p = mem.p();
    let kind = if visit % 2 == 1 && p > 1 {
        let mut g = rng.random_range(0..p - 1);
        if g >= mu {
            g += 1;
        }
        SegmentKind::Glitch {
            memory: mu,
            glitch: g,
            at_secs: TOUR_GLITCH_AT_SECS,
            glitch_secs: TOUR_GLITCH_SECS,
        }
    } else {
        SegmentKind::Hold { memory: mu }
    };
    out.push(Segment::new(kind, TOUR_HOLD_SECS));
}

/// A morph from `a` to `b`: a crossfade, or pixels flipping in a random order.
fn morph(
    n: usize,
    rng: &mut Xoshiro256PlusPlus,
    a: usize,
    b: usize,
    crossfade: bool,
    secs: f64,
) -> Segment {
    let kind = if crossfade {
        SegmentKind::Crossfade { from: a, to: b }
    } else {
        SegmentKind::PixelMorph {
            from: a,
            to: b,
            ranks: random_ranks(n, rng),
        }
    };
    Segment::new(kind, secs)
}

/// A partial-cue mask, varied by `k`: half windows (left, top, right, bottom), a central
/// window, or a random 30–50 % of the pixels.
pub fn partial_mask(mem: &Memories, rng: &mut Xoshiro256PlusPlus, k: usize) -> Mask {
    let (w, h) = (mem.width(), mem.height());
    let (hw, hh) = (w.div_ceil(2), h.div_ceil(2));
    match k % 6 {
        0 => Mask::Window {
            col: 0,
            row: 0,
            width: hw,
            height: h,
        },
        1 => Mask::Window {
            col: 0,
            row: 0,
            width: w,
            height: hh,
        },
        2 => Mask::Window {
            col: w - hw,
            row: 0,
            width: hw,
            height: h,
        },
        3 => Mask::Window {
            col: 0,
            row: h - hh,
            width: w,
            height: hh,
        },
        4 => Mask::Window {
            col: w / 6,
            row: h / 6,
            width: w - 2 * (w / 6),
            height: h - 2 * (h / 6),
        },
        _ => Mask::Fraction {
            fraction: rng.random_range(0.3..0.5),
            ranks: random_ranks(mem.n(), rng),
        },
    }
}

/// The paper's mixture gains (model.md §5): the dominant memory ~ U(2, 3.5), the previous one
/// ~ U(0.2, 0.6), every other ~ U(0.8, 1.5); then scaled so the gains sum to `total`, or, when
/// `total` is 1, so the dominant gain is 1 (a displayable image).
pub fn mixture_gains(
    p: usize,
    dominant: usize,
    previous: Option<usize>,
    rng: &mut impl RngExt,
    total: f64,
) -> Vec<(usize, f32)> {
    let mut gains: Vec<(usize, f64)> = (0..p)
        .map(|mu| {
            let c = if mu == dominant {
                rng.random_range(2.0..3.5)
            } else if Some(mu) == previous {
                rng.random_range(0.2..0.6)
            } else {
                rng.random_range(0.8..1.5)
            };
            (mu, c)
        })
        .collect();
    let sum: f64 = gains.iter().map(|g| g.1).sum();
    let dom = gains.get(dominant).map_or(1.0, |g| g.1);
    let scale = if total == 1.0 { 1.0 / dom } else { total / sum };
    gains.iter_mut().for_each(|g| g.1 *= scale);
    gains.into_iter().map(|(mu, c)| (mu, c as f32)).collect()
}

/// The mixed scenario's mixture: the dominant memory at gain 1, two others at U(0.3, 0.5) and
/// the previous memory at U(0.1, 0.3). Fewer and weaker distractors than the paper's (whose
/// protocol `recall experiment mixed` replays on random memories): drawn pictures overlap each
/// other, and with all of them mixed in at the paper's gains the cross-talk hides the dominant one.
pub fn display_mixture(
    p: usize,
    dominant: usize,
    previous: Option<usize>,
    rng: &mut impl RngExt,
) -> Vec<(usize, f32)> {
    let mut gains = vec![(dominant, 1.0f32)];
    if let Some(prev) = previous.filter(|&m| m != dominant) {
        gains.push((prev, rng.random_range(0.1..0.3)));
    }
    let mut tries = 0;
    while gains.len() < 4.min(p) && tries < 100 {
        tries += 1;
        let mu = rng.random_range(0..p);
        if gains.iter().all(|g| g.0 != mu) {
            gains.push((mu, rng.random_range(0.3..0.5)));
        }
    }
    gains
}

/// A random order of the P memories that does not start with `last` (when P > 1).
fn permutation(p: usize, last: Option<usize>, rng: &mut Xoshiro256PlusPlus) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p).collect();
    for i in (1..p).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
    if p > 1 && order.first() == last.as_ref() {
        order.swap(0, 1);
    }
    order
}

fn random_ranks(n: usize, rng: &mut Xoshiro256PlusPlus) -> Arc<[f32]> {
    (0..n).map(|_| rng.random::<f32>()).collect()
}
