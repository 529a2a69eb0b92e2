//! The primary model's energy landscape for each snapshot: the activation plane of its two most
//! salient memories (kept while they stay on top, so the picture does not flicker between
//! planes), the plane's class sums cached until the pair or the memory set changes (each new
//! plane gets a new number, so the panel's colour scale knows when to refit), and a fresh grid.

use std::sync::Arc;

use crate::model::landscape::{Plane, View, view_solved};
use crate::model::{Equilibria, Memories, Network, Standing};

/// Grid points per side of the landscape a snapshot carries (the panel resamples it).
pub const GRID_SIDE: usize = 48;
/// A memory replaces one of the plane's axes only when its |weight| exceeds the weaker axis'
/// by this fraction (noise in α would otherwise swap planes every frame).
const SWITCH_MARGIN: f64 = 0.1;
/// …and by at least this fraction of the largest |weight|: the memories that are not on show
/// have weights in the pixel noise, about a hundredth of the largest, which change places every
/// frame (with 64 random 128×128 patterns the plane's second memory changed about three times a
/// second).
const SWITCH_FLOOR: f64 = 0.02;
/// Weights closer than this fraction of the largest |weight| (or than TIE_FLOOR) are ranked as
/// equal, by index: explore sets α on a grid and the network reads it back with rounding.
const TIE_FRACTION: f64 = 1e-2;
const TIE_FLOOR: f64 = 1e-4;

/// The cached plane and the memory set it was summed for.
#[derive(Debug, Default)]
pub struct LandscapeCache {
    plane: Option<Plane>,
    memories: Option<Arc<Memories>>,
    /// Counts the planes summed so far: the current plane's number.
    planes: u64,
}

impl LandscapeCache {
    /// The landscape of `net` now, on the plane of its two most salient memories (`None` with
    /// fewer than two memories). O(N·P) when the plane changes, O(N + G²·P) otherwise.
    pub fn view(&mut self, net: &Network, solved: Option<&Equilibria>) -> Option<View> {
        self.view_ranked(net, solved, None)
    }

    /// [`Self::view`], with the plane's pair ranked by `rank_by` (one value per memory) instead
    /// of the network's weights: explore's saliencies as set, exact on their grid, where the
    /// weights read back carry rounding and pixel noise (the plane is then the walk's memories).
    pub fn view_ranked(
        &mut self,
        net: &Network,
        solved: Option<&Equilibria>,
        rank_by: Option<&[f64]>,
    ) -> Option<View> {
        let same_set = self
            .memories
            .as_ref()
            .is_some_and(|m| Arc::ptr_eq(m, net.memories()));
        let current = self.plane.as_ref().filter(|_| same_set).map(|p| p.axes);
        let ranked: Option<Vec<f32>> = rank_by
            .filter(|r| r.len() == net.memories().p())
            .map(|r| r.iter().map(|&x| x as f32).collect());
        // The memory table ranks the wells by depth (#1, #2): while the solved theory has two
        // wells or more, the plane is those two, so plane and table never disagree. Else (one
        // well, none, or explore's saliencies set by hand) the weights choose: W's, or where
        // W weighs every memory alike (classic, discrete) the input's saliencies.
        let wells = solved
            .filter(|_| ranked.is_none())
            .and_then(|eq| two_deepest_wells(eq, current, net.saliencies()));
        let weights = if net.kind().is_idp() {
            net.landscape_weights()
        } else {
            net.saliencies()
        };
        let axes = match wells {
            Some(pair) => pair,
            None => choose_axes(current, ranked.as_deref().unwrap_or(weights))?,
        };
        if current != Some(axes) {
            self.plane = Some(Plane::new(net.memories(), axes.0, axes.1));
            self.memories = Some(net.memories().clone());
            self.planes += 1;
        }
        let plane = self.plane.as_ref()?;
        let mut v = view_solved(net, plane, GRID_SIDE, GRID_SIDE, solved);
        v.plane = self.planes;
        Some(v)
    }

    /// Forgets the plane (the next view picks the pair afresh).
    pub fn reset(&mut self) {
        self.plane = None;
        self.memories = None;
    }
}

/// The two deepest wells of a solve (deepest first, or in the order of `current` when the
/// plane is already these two), or `None` with fewer than two wells.
fn two_deepest_wells(
    eq: &Equilibria,
    current: Option<(usize, usize)>,
    saliencies: &[f32],
) -> Option<(usize, usize)> {
    let mut wells: Vec<(usize, f64)> = eq
        .memories
        .iter()
        .enumerate()
        .filter(|(_, m)| m.positive.standing == Standing::Well)
        .map(|(mu, m)| (mu, m.positive.energy_per_neuron))
        .filter(|(_, e)| e.is_finite())
        .collect();
    // Deepest first as the table ranks them (E/N to 3 decimals: wells of one shown depth share
    // a rank); among wells of one rank, those the input is most about (a classic network's
    // wells are all one depth: the plane was its first two memories, whatever the input).
    let shown = |e: f64| (e * 1000.0).round() as i64;
    let alpha = |mu: usize| saliencies.get(mu).copied().unwrap_or(0.0);
    wells.sort_by(|a, b| {
        shown(a.1)
            .cmp(&shown(b.1))
            .then(alpha(b.0).total_cmp(&alpha(a.0)))
            .then(a.0.cmp(&b.0))
    });
    let pair = match wells.as_slice() {
        [a, b, ..] => (a.0, b.0),
        _ => return None,
    };
    Some(match current {
        Some((p, q)) if (q, p) == pair => (p, q),
        _ => pair,
    })
}

/// The axes (a, b) for landscape weights `weights`: the two memories with the largest weights
/// (a negative weight makes a hill, not a well, so the sign counts), except that the current
/// axes stay while no other memory beats the weaker of them by [`SWITCH_MARGIN`] of it and
/// [`SWITCH_FLOOR`] of the largest, and a memory
/// that stays on the plane keeps its axis. `None` with fewer than two memories.
pub fn choose_axes(current: Option<(usize, usize)>, weights: &[f32]) -> Option<(usize, usize)> {
    let w = |mu: usize| f64::from(weights[mu]);
    // Weights closer than TIE_FRACTION of the largest are a tie (explore sets α on a grid and
    // the network reads it back with rounding: memories all at 0 must not be ordered by it).
    let largest = weights
        .iter()
        .map(|&x| f64::from(x).abs())
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let tie = (largest * TIE_FRACTION).max(TIE_FLOOR);
    // Largest first; NaN weights last; ties by index.
    let rank = |x: &usize, y: &usize| {
        let key = |mu: usize| {
            if w(mu).is_nan() {
                f64::NEG_INFINITY
            } else {
                (w(mu) / tie).round()
            }
        };
        key(*y).total_cmp(&key(*x)).then(x.cmp(y))
    };
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(rank);
    let top = match order.as_slice() {
        [a, b, ..] => (*a, *b),
        _ => return None,
    };
    let Some((p, q)) = current.filter(|&(p, q)| p < weights.len() && q < weights.len() && p != q)
    else {
        return Some(top);
    };
    let Some(&c) = order.iter().find(|&&mu| mu != p && mu != q) else {
        return Some((p, q));
    };
    let weaker = w(p).min(w(q));
    // On equal weights the weaker axis is the higher index (the one a tie by index would give
    // up), and that is the axis replaced: taking the other one swapped the plane at every
    // snapshot when all weights were equal (explore's start, the discrete model).
    let weaker_axis = if w(p) < w(q) || (w(p) == w(q) && p > q) {
        p
    } else {
        q
    };
    // A margin of SWITCH_MARGIN of the weaker axis and at least SWITCH_FLOOR of the largest
    // (see there); NaN weights never win a switch. Values equal but for rounding (TIE_FLOOR)
    // go to the lower index, as in the ranking (the walk's memories, not rounding, make
    // explore's plane); weights in the pixel noise are not equal.
    let margin = (weaker.abs() * SWITCH_MARGIN).max(largest * SWITCH_FLOOR);
    let tied = (w(c) - weaker).abs() <= TIE_FLOOR && c < weaker_axis;
    let beats = w(c) > weaker + margin || tied;
    if !beats {
        return Some((p, q));
    }
    // The challenger replaces the weaker axis; the stronger one keeps its place.
    Some(if weaker_axis == q { (p, c) } else { (c, q) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plane_starts_on_the_two_most_salient() {
        assert_eq!(choose_axes(None, &[0.1, 0.5, 0.3]), Some((1, 2)));
        assert_eq!(choose_axes(None, &[0.1]), None);
        // A strongly negative weight is a hill, not a well: it gets no axis.
        assert_eq!(choose_axes(None, &[0.1, 0.5, -0.9]), Some((1, 0)));
        // Equal weights (the classic models): the first two.
        assert_eq!(choose_axes(None, &[1.0, 1.0, 1.0]), Some((0, 1)));
    }

    #[test]
    fn small_changes_keep_the_plane() {
        // Axis order flips and a close third: the plane stays.
        assert_eq!(choose_axes(Some((2, 1)), &[0.1, 0.5, 0.3]), Some((2, 1)));
        assert_eq!(choose_axes(Some((1, 2)), &[0.32, 0.5, 0.3]), Some((1, 2)));
    }

    #[test]
    fn a_clear_challenger_replaces_the_weaker_axis() {
        assert_eq!(choose_axes(Some((1, 2)), &[0.4, 0.5, 0.3]), Some((1, 0)));
        assert_eq!(choose_axes(Some((2, 1)), &[0.4, 0.5, 0.3]), Some((0, 1)));
        // Rounding (explore's α read back by the network) does not order memories at 0: the
        // walk's first two memories are the plane.
        assert_eq!(
            choose_axes(None, &[0.15, 2e-6, -1e-6, 3e-6, 1e-7]),
            Some((0, 1))
        );
        // From any plane before (another scenario's, or chosen while every α was 0), the plane
        // moves to the walk's two memories within a few frames and stays there.
        let alpha = [0.15, 1e-5, 0.0, -2e-5, 0.0, 0.0, 0.0, 3e-5, 0.0, 0.0];
        let mut axes = Some((7, 3));
        for _ in 0..4 {
            axes = choose_axes(axes, &alpha);
        }
        let (a, b) = axes.unwrap_or((9, 9));
        assert_eq!((a.min(b), a.max(b)), (0, 1), "{axes:?}");
        assert_eq!(choose_axes(axes, &alpha), axes);
        // Out-of-range axes (a smaller memory set) start afresh.
        assert_eq!(choose_axes(Some((7, 1)), &[0.4, 0.5, 0.3]), Some((1, 0)));
    }

    #[test]
    fn weights_in_the_noise_do_not_move_the_plane() {
        // One memory held (α ≈ 9) and 63 others in the pixel noise (α in [0, 0.08], about
        // what 64 random 128×128 patterns show, drawn afresh every frame): the second axis
        // settles once and stays (the old margin and tie changed it 256 times in 300 frames);
        // noise below SWITCH_FLOOR of the largest can never win an axis.
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let mut axes = None;
        // 300 frames of memory 60 at `held` and the others in [0, `noise`): the plane's changes.
        let mut frames = |held: f32, noise: f32, axes: &mut Option<(usize, usize)>| {
            let mut changes = 0;
            for _ in 0..300 {
                let weights: Vec<f32> = (0..64)
                    .map(|mu| {
                        if mu == 60 {
                            held
                        } else {
                            rng.random_range(0.0..noise)
                        }
                    })
                    .collect();
                let next = choose_axes(*axes, &weights);
                changes += usize::from(next != *axes);
                *axes = next;
            }
            changes
        };
        let changes = frames(9.0, 0.08, &mut axes);
        assert_eq!(axes.map(|a| a.0), Some(60));
        assert!(changes <= 2, "{changes} changes of plane in 300 frames");
        // The same with the held memory's α fallen to 3 and the noise to [0, 0.05], more than
        // a hundredth of the largest weight (the ranking's tie).
        let changes = frames(3.0, 0.05, &mut axes);
        assert!(changes <= 2, "{changes} changes of plane in 300 frames");
    }

    #[test]
    fn equal_weights_settle_on_the_first_two_and_stay() {
        // Every weight equal (explore's start at α = 0; the discrete model's weights of 1),
        // from any plane before: the lowest two indices, reached once, then kept.
        for weights in [[0.0f32; 6], [1.0; 6]] {
            let mut axes = Some((5, 3));
            let mut seen = Vec::new();
            for _ in 0..6 {
                axes = choose_axes(axes, &weights);
                seen.push(axes);
            }
            let (a, b) = axes.unwrap_or((9, 9));
            assert_eq!((a.min(b), a.max(b)), (0, 1), "{seen:?}");
            assert_eq!(seen[2..], [axes; 4], "{seen:?}");
        }
    }
}
