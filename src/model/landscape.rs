//! The energy landscape on a plane: E(x; u) at x = a·ξ₁ + b·ξ₂ for two memories, cheap enough to
//! redraw every frame. Every neuron falls in one of four sign classes of (ξ₁ᵢ, ξ₂ᵢ), and all
//! neurons of a class have the same x, so once the classes are summed against each memory a
//! point costs O(P), not O(N).

use super::kernels::entropy_of;
use super::memories::Memories;
use super::network::Network;

/// Class of neuron i: bit 0 set when ξ₁ᵢ = −1, bit 1 set when ξ₂ᵢ = −1.
fn class_of(s1: f32, s2: f32) -> usize {
    usize::from(s1 < 0.0) | (usize::from(s2 < 0.0) << 1)
}

/// The sign pattern (ξ₁, ξ₂) of each class.
const SIGNS: [(f64, f64); 4] = [(1.0, 1.0), (-1.0, 1.0), (1.0, -1.0), (-1.0, -1.0)];

/// The plane through the origin spanned by memories μ₁ and μ₂, with the class sums it needs.
#[derive(Debug, Clone)]
pub struct Plane {
    /// The memories spanning the plane (a along the first, b along the second).
    pub axes: (usize, usize),
    n: f64,
    /// Neurons per class.
    counts: [f64; 4],
    /// Σ_{i in class} ξ_μi for every class and memory μ (class-major, P per class).
    sums: Vec<f64>,
    p: usize,
}

impl Plane {
    /// Sums the classes of the plane of memories `mu1` and `mu2` (O(N·P), once per pair).
    pub fn new(mem: &Memories, mu1: usize, mu2: usize) -> Self {
        let (n, p) = (mem.n(), mem.p());
        let (x1, x2) = (mem.memory(mu1), mem.memory(mu2));
        let mut counts = [0.0; 4];
        let mut sums = vec![0.0; 4 * p];
        for i in 0..n {
            let c = class_of(x1[i], x2[i]);
            counts[c] += 1.0;
            for mu in 0..p {
                sums[c * p + mu] += f64::from(mem.memory(mu)[i]);
            }
        }
        Self {
            axes: (mu1, mu2),
            n: n as f64,
            counts,
            sums,
            p,
        }
    }

    /// The coordinates (a, b) of the least-squares projection of state `x` onto the plane.
    pub fn project(&self, mem: &Memories, x: &[f32]) -> (f64, f64) {
        let dot = |mu: usize| -> f64 {
            mem.memory(mu)
                .iter()
                .zip(x)
                .map(|(&s, &v)| f64::from(s * v))
                .sum::<f64>()
                / self.n
        };
        let (p1, p2) = (dot(self.axes.0), dot(self.axes.1));
        let c = mem.overlap_matrix()[(self.axes.0, self.axes.1)];
        let det = 1.0 - c * c;
        if det.abs() < 1e-9 {
            return (p1, 0.0);
        }
        ((p1 - c * p2) / det, (p2 - c * p1) / det)
    }
}

/// What the landscape needs of a network: the weights of W, the bias current, gain, diagonal.
#[derive(Debug, Clone)]
pub struct Terms {
    weights: Vec<f64>,
    /// Σ_{i in class} b_i for the bias current b (zero when no current flows).
    bias: [f64; 4],
    gain: f64,
    zero_diagonal: bool,
    discrete: bool,
}

impl Terms {
    /// Reads the landscape terms of `net` for `plane` (O(N) for the bias, once per frame).
    pub fn of(net: &Network, plane: &Plane) -> Self {
        let mem = net.memories();
        let (x1, x2) = (mem.memory(plane.axes.0), mem.memory(plane.axes.1));
        let mut bias = [0.0; 4];
        if let Some(b) = net.bias() {
            for i in 0..b.len() {
                bias[class_of(x1[i], x2[i])] += f64::from(b[i]);
            }
        }
        Self {
            weights: net
                .landscape_weights()
                .iter()
                .map(|&w| f64::from(w))
                .collect(),
            bias,
            gain: net.params().gain,
            zero_diagonal: net.params().zero_diagonal,
            discrete: net.kind() == super::ModelKind::Discrete,
        }
    }
}

/// E(a·ξ₁ + b·ξ₂; u), the same quantity as [`Network::energy`] at that state, in O(P).
pub fn energy_at(plane: &Plane, terms: &Terms, a: f64, b: f64) -> f64 {
    let mut psi = [0.0f64; 4];
    for (c, &(s1, s2)) in SIGNS.iter().enumerate() {
        let x = a * s1 + b * s2;
        psi[c] = if terms.discrete {
            if x >= 0.0 { 1.0 } else { -1.0 }
        } else {
            (terms.gain * x).tanh()
        };
    }
    let mut quad = 0.0;
    for mu in 0..plane.p {
        let d: f64 = (0..4).map(|c| psi[c] * plane.sums[c * plane.p + mu]).sum();
        quad += terms.weights[mu] * d * d / plane.n;
    }
    if terms.zero_diagonal {
        let wsum: f64 = terms.weights.iter().sum();
        let psi2: f64 = (0..4).map(|c| plane.counts[c] * psi[c] * psi[c]).sum();
        quad -= wsum / plane.n * psi2;
    }
    let mut e = -0.5 * quad;
    if terms.discrete {
        return e;
    }
    e -= (0..4).map(|c| terms.bias[c] * psi[c]).sum::<f64>();
    let entropy: f64 = (0..4).map(|c| plane.counts[c] * entropy_of(psi[c])).sum();
    e + entropy / terms.gain
}

/// The landscape sampled on a grid: `cols`×`rows` points over a ∈ [−extent, extent] (columns,
/// left to right) and b ∈ [−extent, extent] (rows, top = +extent).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub cols: usize,
    pub rows: usize,
    pub extent: f64,
    /// Row-major energies, `rows × cols`.
    pub energy: Vec<f64>,
}

impl Grid {
    /// Samples the landscape of `terms` on `plane`.
    pub fn sample(plane: &Plane, terms: &Terms, cols: usize, rows: usize, extent: f64) -> Self {
        let mut energy = Vec::with_capacity(cols * rows);
        for r in 0..rows {
            let b = Self::coord(r, rows, extent, true);
            for c in 0..cols {
                energy.push(energy_at(
                    plane,
                    terms,
                    Self::coord(c, cols, extent, false),
                    b,
                ));
            }
        }
        Self {
            cols,
            rows,
            extent,
            energy,
        }
    }

    /// The plane coordinate of column (or row, `flip`ped so that the top is +extent) `k`.
    pub fn coord(k: usize, count: usize, extent: f64, flip: bool) -> f64 {
        let t = if count <= 1 {
            0.5
        } else {
            k as f64 / (count - 1) as f64
        };
        let t = if flip { 1.0 - t } else { t };
        -extent + 2.0 * extent * t
    }

    /// The energy at (col, row).
    pub fn at(&self, col: usize, row: usize) -> f64 {
        self.energy[row * self.cols + col]
    }

    /// Grid points lower than all their 8 neighbours (strict local minima inside the grid).
    pub fn minima(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for r in 1..self.rows.saturating_sub(1) {
            for c in 1..self.cols.saturating_sub(1) {
                let e = self.at(c, r);
                let lowest = (r - 1..=r + 1)
                    .flat_map(|rr| (c - 1..=c + 1).map(move |cc| (cc, rr)))
                    .filter(|&p| p != (c, r))
                    .all(|(cc, rr)| e < self.at(cc, rr));
                if lowest {
                    out.push((c, r));
                }
            }
        }
        out
    }
}

/// The two memories with the largest |weight| in the landscape (the most salient under IDP),
/// or (0, 1) when the weights don't tell them apart; `None` with fewer than two memories.
pub fn most_salient_pair(weights: &[f32]) -> Option<(usize, usize)> {
    if weights.len() < 2 {
        return None;
    }
    let mut idx: Vec<usize> = (0..weights.len()).collect();
    idx.sort_by(|&a, &b| {
        weights[b]
            .abs()
            .total_cmp(&weights[a].abs())
            .then(a.cmp(&b))
    });
    Some((idx[0], idx[1]))
}

/// A well on one axis of the plane: the equilibrium γ_ρ·(±ξ_ρ) of an axis memory, where the
/// theory (model.md §4) puts it. At gain 1 these are the grid's minima (tested); at high gain
/// the landscape is flat where the neurons saturate, so grid minima are ill-defined and the
/// theory's positions are the useful marks.
#[derive(Debug, Clone, PartialEq)]
pub struct Well {
    /// The memory whose axis the well is on.
    pub memory: usize,
    /// +1 for the memory, −1 for its negative image.
    pub sign: i8,
    /// Plane coordinates (a, b) of the equilibrium.
    pub at: (f64, f64),
    /// Stable (a true well) or a saddle.
    pub stable: bool,
    /// E at the equilibrium.
    pub energy: f64,
}

/// Everything a landscape panel draws: the grid, its wells, and where the state is.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub grid: Grid,
    /// The memories along a (columns) and b (rows).
    pub axes: (usize, usize),
    /// The state's projection (a, b) onto the plane.
    pub state: (f64, f64),
    pub wells: Vec<Well>,
}

/// Samples `net`'s current landscape on `plane` over a range that covers both wells (the
/// theory's γ of each axis memory) and the state, on a `cols`×`rows` grid.
pub fn view(net: &Network, plane: &Plane, cols: usize, rows: usize) -> View {
    let terms = Terms::of(net, plane);
    let state = plane.project(net.memories(), net.state());
    let theory = net.theory();
    let gamma_of = |mu: usize| theory.memories.get(mu).and_then(|m| m.gamma).unwrap_or(0.0);
    let reach = [
        gamma_of(plane.axes.0),
        gamma_of(plane.axes.1),
        state.0.abs(),
        state.1.abs(),
        0.25,
    ]
    .into_iter()
    .filter(|v| v.is_finite())
    .fold(0.0, f64::max);
    let extent = 1.3 * reach;
    let grid = Grid::sample(plane, &terms, cols, rows, extent);
    let mut wells = Vec::new();
    for (axis, mu) in [(0, plane.axes.0), (1, plane.axes.1)] {
        let Some(m) = theory.memories.get(mu) else {
            continue;
        };
        let Some(g) = m.gamma else { continue };
        for sign in [1i8, -1] {
            let v = f64::from(sign) * g;
            let at = if axis == 0 { (v, 0.0) } else { (0.0, v) };
            let energy = energy_at(plane, &terms, at.0, at.1);
            wells.push(Well {
                memory: mu,
                sign,
                at,
                stable: m.stable,
                energy,
            });
        }
    }
    View {
        grid,
        axes: plane.axes,
        state,
        wells,
    }
}
