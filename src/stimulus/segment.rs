//! Segments: the pieces a scenario's timeline is made of (hold, morph, mixture, partial cue,
//! glitch), each able to render its clean image at any moment of its duration.

use std::sync::Arc;

use crate::model::Memories;

/// Which part of a memory a partial cue shows; the rest of the image is 0.
#[derive(Debug, Clone, PartialEq)]
pub enum Mask {
    /// A rectangle of the image, in pixels: columns `[col, col + width)`, rows `[row, row + height)`.
    Window {
        col: usize,
        row: usize,
        width: usize,
        height: usize,
    },
    /// A random subset of the pixels: pixel i is visible iff `ranks[i] < fraction`
    /// (`ranks` are uniform in [0, 1), one per pixel).
    Fraction { fraction: f32, ranks: Arc<[f32]> },
}

impl Mask {
    /// True if pixel `i` of an image `width` pixels wide is visible.
    pub fn visible(&self, i: usize, image_width: usize) -> bool {
        match self {
            Mask::Window {
                col,
                row,
                width,
                height,
            } => {
                let (c, r) = (i % image_width.max(1), i / image_width.max(1));
                c >= *col && c < col + width && r >= *row && r < row + height
            }
            Mask::Fraction { fraction, ranks } => ranks.get(i).is_some_and(|&v| v < *fraction),
        }
    }
}

/// What a segment shows. Memory ids index the memory set the segment was planned for.
#[derive(Debug, Clone, PartialEq)]
pub enum SegmentKind {
    /// Memory `memory`, unchanged.
    Hold { memory: usize },
    /// A smooth crossfade (1 − s)·A + s·B, s rising smoothly from 0 to 1.
    Crossfade { from: usize, to: usize },
    /// Pixels switch from A to B one by one in a random order: pixel i shows B once the
    /// progress exceeds `ranks[i]` (uniform in [0, 1)).
    PixelMorph {
        from: usize,
        to: usize,
        ranks: Arc<[f32]>,
    },
    /// Σ gain_μ ξ_μ; the dominant memory is the one the image overlaps most (the largest gain
    /// when the memories are uncorrelated).
    Mixture { gains: Vec<(usize, f32)> },
    /// Only the masked part of `memory` is visible, the rest is 0.
    Partial { memory: usize, mask: Mask },
    /// Holds `memory`, except during `[at_secs, at_secs + glitch_secs)` of the segment, when it
    /// shows `glitch` instead (a brief switch, then back).
    Glitch {
        memory: usize,
        glitch: usize,
        at_secs: f64,
        glitch_secs: f64,
    },
}

/// One piece of a timeline: a kind, a duration and, optionally, a ramp of the pixel-flip
/// probability over its duration (replacing the stream's own).
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub kind: SegmentKind,
    /// Model seconds the segment lasts (> 0).
    pub duration_secs: f64,
    /// Pixel-flip probability at the start and at the end of the segment, if it ramps.
    pub flip_ramp: Option<(f64, f64)>,
}

/// What a segment shows at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    /// The dominant memory, if any.
    pub truth: Option<usize>,
    /// Inside the glitch window of a glitch segment.
    pub glitch: bool,
}

impl Segment {
    /// A segment of `kind` lasting `duration_secs` (at least 1 ms), with the stream's own noise.
    pub fn new(kind: SegmentKind, duration_secs: f64) -> Self {
        Self {
            kind,
            // A positive length keeps the stream's clock moving through every segment.
            duration_secs: if duration_secs >= 1e-3 {
                duration_secs
            } else {
                1e-3
            },
            flip_ramp: None,
        }
    }

    /// The same segment with the pixel-flip probability ramping from `start` to `end`.
    pub fn with_flip_ramp(mut self, start: f64, end: f64) -> Self {
        self.flip_ramp = Some((start, end));
        self
    }

    /// The memory shown at the end of the segment when it shows one whole memory there.
    pub fn end_memory(&self) -> Option<usize> {
        match &self.kind {
            SegmentKind::Hold { memory } | SegmentKind::Glitch { memory, .. } => Some(*memory),
            SegmentKind::Crossfade { to, .. } | SegmentKind::PixelMorph { to, .. } => Some(*to),
            _ => None,
        }
    }

    /// The memory shown at the start of the segment when it starts on one whole memory.
    fn start_memory(&self) -> Option<usize> {
        match &self.kind {
            SegmentKind::Hold { memory } => Some(*memory),
            SegmentKind::Glitch {
                memory, at_secs, ..
            } if *at_secs > 0.0 => Some(*memory),
            SegmentKind::Crossfade { from, .. } | SegmentKind::PixelMorph { from, .. } => {
                Some(*from)
            }
            _ => None,
        }
    }

    /// True if this segment starts exactly where `prev` ended (no jump in the image).
    pub fn continues(&self, prev: &Segment) -> bool {
        matches!((prev.end_memory(), self.start_memory()), (Some(a), Some(b)) if a == b)
    }

    /// The pixel-flip probability at `elapsed_secs`, given the stream's own `base`.
    pub fn flip_prob(&self, elapsed_secs: f64, base: f64) -> f64 {
        match self.flip_ramp {
            Some((a, b)) => a + (b - a) * self.progress(elapsed_secs),
            None => base,
        }
    }

    /// Fraction of the segment elapsed, in [0, 1].
    pub fn progress(&self, elapsed_secs: f64) -> f64 {
        if self.duration_secs > 0.0 {
            (elapsed_secs / self.duration_secs).clamp(0.0, 1.0)
        } else {
            1.0
        }
    }

    /// Writes the clean image at `elapsed_secs` into `out` (length N) and says what it shows.
    pub fn render(&self, mem: &Memories, elapsed_secs: f64, out: &mut [f32]) -> Shown {
        let s = self.progress(elapsed_secs);
        let hold = |mu: usize, out: &mut [f32]| out.copy_from_slice(mem.memory(mu));
        match &self.kind {
            SegmentKind::Hold { memory } => {
                hold(*memory, out);
                shown(Some(*memory), false)
            }
            SegmentKind::Crossfade { from, to } => {
                let w = smoothstep(s) as f32;
                let (a, b) = (mem.memory(*from), mem.memory(*to));
                for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
                    *o = (1.0 - w) * x + w * y;
                }
                shown(Some(if w < 0.5 { *from } else { *to }), false)
            }
            SegmentKind::PixelMorph { from, to, ranks } => {
                let (a, b) = (mem.memory(*from), mem.memory(*to));
                let s = s as f32;
                for (i, o) in out.iter_mut().enumerate() {
                    *o = if ranks.get(i).is_some_and(|&r| r < s) {
                        b[i]
                    } else {
                        a[i]
                    };
                }
                shown(Some(if s < 0.5 { *from } else { *to }), false)
            }
            SegmentKind::Mixture { gains } => {
                out.iter_mut().for_each(|v| *v = 0.0);
                for &(mu, c) in gains {
                    crate::model::kernels::axpy(c, mem.memory(mu), out);
                }
                // The truth is the memory the image overlaps most: with correlated memories
                // that need not be the one with the largest gain.
                let mut best = None::<(usize, f32)>;
                for &(mu, _) in gains {
                    let m = crate::model::kernels::dot(mem.memory(mu), out);
                    if best.is_none_or(|(_, b)| m > b) {
                        best = Some((mu, m));
                    }
                }
                shown(best.map(|t| t.0), false)
            }
            SegmentKind::Partial { memory, mask } => {
                let w = mem.width();
                for (i, (o, &v)) in out.iter_mut().zip(mem.memory(*memory)).enumerate() {
                    *o = if mask.visible(i, w) { v } else { 0.0 };
                }
                shown(Some(*memory), false)
            }
            SegmentKind::Glitch {
                memory,
                glitch,
                at_secs,
                glitch_secs,
            } => {
                let t = elapsed_secs + 1e-9;
                if t >= *at_secs && t < at_secs + glitch_secs {
                    hold(*glitch, out);
                    shown(Some(*glitch), true)
                } else {
                    hold(*memory, out);
                    shown(Some(*memory), false)
                }
            }
        }
    }

    /// The label of a glitch segment at `elapsed_secs` into it (it starts at model time
    /// `start_secs`): "hold cat (glitch to dog at 17.2 s)" before the glitch, "glitch to dog"
    /// while it shows, "hold cat (after a glitch to dog)" after it; `None` for every other
    /// kind, whose [`Self::label`] holds throughout.
    pub fn label_at(&self, names: &[String], elapsed_secs: f64, start_secs: f64) -> Option<String> {
        let SegmentKind::Glitch {
            memory,
            glitch,
            at_secs,
            glitch_secs,
        } = &self.kind
        else {
            return None;
        };
        let name = |i: usize| name_in(names, i);
        // The same instants as `render`.
        let t = elapsed_secs + 1e-9;
        let base = if t < *at_secs {
            format!(
                "hold {} (glitch to {} at {:.1} s)",
                name(*memory),
                name(*glitch),
                start_secs + at_secs
            )
        } else if t < at_secs + glitch_secs {
            format!("glitch to {}", name(*glitch))
        } else {
            format!(
                "hold {} (after a glitch to {})",
                name(*memory),
                name(*glitch)
            )
        };
        Some(self.with_ramp(base))
    }

    /// A short description with memory names, e.g. "morph cat → dog (crossfade)".
    pub fn label(&self, names: &[String]) -> String {
        let name = |i: usize| name_in(names, i);
        let base = match &self.kind {
            SegmentKind::Hold { memory } => format!("hold {}", name(*memory)),
            SegmentKind::Crossfade { from, to } => {
                format!("morph {} → {} (crossfade)", name(*from), name(*to))
            }
            SegmentKind::PixelMorph { from, to, .. } => {
                format!("morph {} → {} (pixels)", name(*from), name(*to))
            }
            SegmentKind::Mixture { gains } => {
                let mut sorted = gains.clone();
                sorted.sort_by(|a, b| b.1.total_cmp(&a.1));
                let parts: Vec<String> = sorted
                    .iter()
                    .take(3)
                    .map(|&(mu, c)| format!("{} {c:.2}", name(mu)))
                    .collect();
                format!("mixture {}…", parts.join(", "))
            }
            SegmentKind::Partial { memory, mask } => match mask {
                Mask::Window { .. } => format!("partial {} (window)", name(*memory)),
                Mask::Fraction { fraction, .. } => {
                    format!(
                        "partial {} ({:.0}% visible)",
                        name(*memory),
                        fraction * 100.0
                    )
                }
            },
            SegmentKind::Glitch { memory, glitch, .. } => {
                format!("hold {} (glitch to {})", name(*memory), name(*glitch))
            }
        };
        self.with_ramp(base)
    }

    /// `base` and the segment's flip ramp, if it has one.
    fn with_ramp(&self, base: String) -> String {
        match self.flip_ramp {
            Some((a, b)) => format!("{base}, flips {:.0}% → {:.0}%", a * 100.0, b * 100.0),
            None => base,
        }
    }
}

/// Memory `i`'s name, or "#i".
fn name_in(names: &[String], i: usize) -> String {
    names.get(i).cloned().unwrap_or_else(|| format!("#{i}"))
}

fn shown(truth: Option<usize>, glitch: bool) -> Shown {
    Shown { truth, glitch }
}

/// 3s² − 2s³: rises from 0 to 1 with zero slope at both ends, monotone on [0, 1].
fn smoothstep(s: f64) -> f64 {
    let s = s.clamp(0.0, 1.0);
    s * s * (3.0 - 2.0 * s)
}
