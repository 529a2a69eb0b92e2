//! What a model's equilibria depend on, summarised cheaply ([`TheoryKey`]), and the cache that
//! solves them again only when that moves ([`EquilibriaCache`]).

use std::sync::Arc;

use super::report::Equilibria;
use super::{TheoryDynamics, TheoryInput, dynamics_of, gain_of};
use crate::model::memories::Memories;
use crate::model::network::Network;

/// What a bias current contributes to the key: its projections (1/N) Ξᵀ b and its RMS.
#[derive(Debug, Clone, PartialEq)]
struct BiasSummary {
    projections: Vec<f64>,
    rms: f64,
}

impl BiasSummary {
    fn of(mem: &Memories, b: &[f32]) -> Self {
        let mut proj = vec![0.0f32; mem.p()];
        mem.project(b, &mut proj);
        let sq: f64 = b.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
        Self {
            projections: proj.into_iter().map(f64::from).collect(),
            rms: (sq / b.len().max(1) as f64).sqrt(),
        }
    }
}

/// A cheap summary of a [`TheoryInput`]: equal keys give equal equilibria. The bias enters by
/// its projections on the memories and its RMS, so a key does not see pixel noise that leaves
/// those alone (the equilibria move by about as little).
#[derive(Debug, Clone)]
pub struct TheoryKey {
    memories: Arc<Memories>,
    weights: Vec<f64>,
    bias: Option<BiasSummary>,
    gain: f64,
    zero_diagonal: bool,
    dynamics: TheoryDynamics,
}

impl PartialEq for TheoryKey {
    /// The same memory set (the same `Arc`) and the same values exactly.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.memories, &other.memories)
            && self.weights == other.weights
            && self.bias == other.bias
            && self.gain == other.gain
            && self.zero_diagonal == other.zero_diagonal
            && self.dynamics == other.dynamics
    }
}

impl TheoryKey {
    /// The key of weights `weights`, current `bias`, gain, diagonal and dynamics over
    /// `memories` (O(N·P) with a bias, for its projections).
    pub(super) fn new(
        memories: Arc<Memories>,
        weights: Vec<f64>,
        bias: Option<&[f32]>,
        gain: f64,
        zero_diagonal: bool,
        dynamics: TheoryDynamics,
    ) -> Self {
        let bias = bias.map(|b| BiasSummary::of(&memories, b));
        Self {
            memories,
            weights,
            bias,
            gain,
            zero_diagonal,
            dynamics,
        }
    }

    /// The key of `net`'s landscape now, without copying its state: O(P), or O(N·P) while a
    /// bias current flows.
    pub fn of(net: &Network) -> Self {
        let params = net.params();
        Self::new(
            Arc::clone(net.memories()),
            net.landscape_weights()
                .iter()
                .map(|&w| f64::from(w))
                .collect(),
            net.bias(),
            gain_of(net),
            params.zero_diagonal && !net.kind().is_modern(),
            dynamics_of(net),
        )
    }

    /// The memory set the key is of.
    pub fn memories(&self) -> &Arc<Memories> {
        &self.memories
    }

    /// The same structure (memory set, gain, diagonal, dynamics, a bias or not) and every
    /// weight, bias projection and the bias RMS within `rel_tol` of the larger of the two
    /// values' scale (the largest |weight|, or 1/g if that is smaller). Compare the key of the
    /// last solve with the current one, so that drift accumulates into a new solve.
    pub fn within(&self, other: &Self, rel_tol: f64) -> bool {
        let floor = 1.0 / self.gain;
        let close = |a: &[f64], b: &[f64]| {
            let scale = a
                .iter()
                .chain(b)
                .fold(floor, |m, v| m.max(v.abs()))
                .max(f64::MIN_POSITIVE);
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| (x - y).abs() <= rel_tol * scale)
        };
        let bias = match (&self.bias, &other.bias) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                close(&a.projections, &b.projections) && close(&[a.rms], &[b.rms])
            }
            _ => false,
        };
        Arc::ptr_eq(&self.memories, &other.memories)
            && self.gain == other.gain
            && self.zero_diagonal == other.zero_diagonal
            && self.dynamics == other.dynamics
            && close(&self.weights, &other.weights)
            && bias
    }
}

/// One model's equilibria, solved again only when its [`TheoryKey`] leaves the tolerance of the
/// key they were solved for (or the memory set, gain, diagonal or model changes).
#[derive(Debug, Default, Clone)]
pub struct EquilibriaCache {
    current: Option<Arc<Equilibria>>,
    solves: u64,
}

/// A tolerance for [`EquilibriaCache::get`]: 2% of the largest weight. Flipped input pixels
/// (5% a frame by default) move α by about 2% frame to frame, so a live stream re-solves most
/// frames at this tolerance and about one frame in three at 5%.
pub const DEFAULT_REL_TOL: f64 = 0.02;

impl EquilibriaCache {
    /// The equilibria of `net`'s landscape: the kept ones while its key stays within `rel_tol`
    /// of theirs (O(P), or O(N·P) with a current), else a fresh [`TheoryInput::solve`].
    pub fn get(&mut self, net: &Network, rel_tol: f64) -> Arc<Equilibria> {
        let key = TheoryKey::of(net);
        match &self.current {
            Some(eq) if eq.key.within(&key, rel_tol) => Arc::clone(eq),
            _ => {
                let eq = Arc::new(TheoryInput::of(net).solve());
                self.solves += 1;
                self.current = Some(Arc::clone(&eq));
                eq
            }
        }
    }

    /// The equilibria kept now, if any.
    pub fn current(&self) -> Option<&Arc<Equilibria>> {
        self.current.as_ref()
    }

    /// The kept equilibria are those of `net`'s landscape to within `rel_tol`, so `get` would
    /// not solve (O(P), or O(N·P) while a current flows). A caller that limits how often it
    /// solves shows [`EquilibriaCache::current`] marked stale while this is false.
    pub fn is_current(&self, net: &Network, rel_tol: f64) -> bool {
        self.current
            .as_ref()
            .is_some_and(|eq| eq.key.within(&TheoryKey::of(net), rel_tol))
    }

    /// How many solves this cache has run.
    pub fn solves(&self) -> u64 {
        self.solves
    }

    /// Forgets the kept equilibria (the next `get` solves).
    pub fn clear(&mut self) {
        self.current = None;
    }
}
