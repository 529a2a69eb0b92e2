//! The energy landscape on a plane of two memories, cheap enough to redraw every frame: E(x; u)
//! at the state x = a·ξ₁ + b·ξ₂, or (what the dashboard draws) E as a function of the
//! activations Ψ = a·ξ₁ + b·ξ₂ with |a| + |b| ≤ 1, the continuous-Hopfield energy
//! −½ΨᵀW(u)Ψ − bᵀΨ + Σᵢ∫₀^Ψᵢ ψ⁻¹, whose wells are real pits at every gain (on the state plane
//! a high gain saturates the neurons and leaves flat sectors). Every neuron falls in one of four
//! sign classes of (ξ₁ᵢ, ξ₂ᵢ), and all neurons of a class have the same value, so once the
//! classes are summed against each memory a point costs O(P), not O(N).
//!
//! The modern models have Ψ = x: their plane is the state plane x = a·ξ₁ + b·ξ₂ itself (no
//! diamond: a square of half-side 1.25·max(1, |α₁|, |α₂|), their wells sit near α_μ·ξ_μ), and
//! E there is E_β of model.md §8.

use super::equilibria::{Equilibria, Standing as SolvedStanding};
use super::kernels::entropy_of;
use super::memories::Memories;
use super::network::{Network, modern_energy};

/// Class of neuron i: bit 0 set when ξ₁ᵢ = −1, bit 1 set when ξ₂ᵢ = −1.
fn class_of(s1: f32, s2: f32) -> usize {
    usize::from(s1 < 0.0) | (usize::from(s2 < 0.0) << 1)
}

/// How many neurons of each class (`classes[i]`, from [`class_of`]) have `column[i]` > 0.
#[inline(always)]
fn positive_counts(classes: &[u8], column: &[f32]) -> [u32; 4] {
    let mut counts = [0u32; 4];
    for (c, count) in counts.iter_mut().enumerate() {
        *count = classes
            .iter()
            .zip(column)
            .map(|(&k, &v)| u32::from(usize::from(k) == c && v > 0.0))
            .sum();
    }
    counts
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
    /// Each neuron's class ([`class_of`] its two entries), for the bias sums of each frame.
    classes: Vec<u8>,
}

impl Plane {
    /// Sums the classes of the plane of memories `mu1` and `mu2` (O(N·P), once per pair).
    pub fn new(mem: &Memories, mu1: usize, mu2: usize) -> Self {
        let (n, p) = (mem.n(), mem.p());
        let (x1, x2) = (mem.memory(mu1), mem.memory(mu2));
        let classes: Vec<u8> = x1
            .iter()
            .zip(x2)
            .map(|(&a, &b)| class_of(a, b) as u8)
            .collect();
        // The entries are ±1, so a class sum is (its +1 entries) − (its −1 entries) exactly, in
        // any order: counted a memory at a time, in lanes (a neuron at a time across the
        // memories took 2% of the dashboard simulator's thread at N = 65536, P = 16, where the
        // plane changes every few frames).
        let mut counts = [0.0; 4];
        for &c in &classes {
            counts[usize::from(c)] += 1.0;
        }
        let mut sums = vec![0.0; 4 * p];
        for mu in 0..p {
            let positive = positive_counts(&classes, mem.memory(mu));
            for c in 0..4 {
                sums[c * p + mu] = 2.0 * f64::from(positive[c]) - counts[c];
            }
        }
        Self {
            axes: (mu1, mu2),
            n: n as f64,
            counts,
            sums,
            p,
            classes,
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
    /// β of a modern model (E_β, Ψ = x), `None` for the others.
    modern_beta: Option<f64>,
}

impl Terms {
    /// Reads the landscape terms of `net` for `plane` (O(N) for the bias, once per frame).
    pub fn of(net: &Network, plane: &Plane) -> Self {
        let mut bias = [0.0; 4];
        if let Some(b) = net.bias() {
            for (&c, &b) in plane.classes.iter().zip(b) {
                bias[usize::from(c)] += f64::from(b);
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
            modern_beta: net.kind().is_modern().then_some(net.params().beta),
        }
    }

    /// The half-side of the plane drawn: 1 (the activations' diamond), or for the modern
    /// models 1.25·max(1, |w| of the axes), so that their wells near w_μ·ξ_μ are inside.
    pub fn extent(&self, plane: &Plane) -> f64 {
        if self.modern_beta.is_none() {
            return 1.0;
        }
        let w = |mu: usize| self.weights.get(mu).map_or(0.0, |w| w.abs());
        1.25 * w(plane.axes.0).max(w(plane.axes.1)).max(1.0)
    }
}

/// E(a·ξ₁ + b·ξ₂; u), the same quantity as [`Network::energy`] at that state, in O(P).
pub fn energy_at(plane: &Plane, terms: &Terms, a: f64, b: f64) -> f64 {
    let mut psi = [0.0f64; 4];
    for (c, &(s1, s2)) in SIGNS.iter().enumerate() {
        let x = a * s1 + b * s2;
        psi[c] = if terms.discrete {
            if x >= 0.0 { 1.0 } else { -1.0 }
        } else if terms.modern_beta.is_some() {
            x
        } else {
            (terms.gain * x).tanh()
        };
    }
    energy_of_classes(plane, terms, psi)
}

/// E at the activations Ψ = a·ξ₁ + b·ξ₂ (the state x = ψ⁻¹(Ψ)), in O(P): the same quantity as
/// [`energy_at`] at that state. NaN where some neuron would leave [−1, 1] (|a| + |b| > 1 when
/// all four classes have neurons): no state has those activations.
pub fn energy_of_activation(plane: &Plane, terms: &Terms, a: f64, b: f64) -> f64 {
    let mut psi = [0.0f64; 4];
    for (c, &(s1, s2)) in SIGNS.iter().enumerate() {
        let v = a * s1 + b * s2;
        if terms.modern_beta.is_some() {
            psi[c] = v;
            continue;
        }
        let possible = v.abs() <= 1.0 + 1e-12;
        if plane.counts[c] > 0.0 && !possible {
            return f64::NAN;
        }
        psi[c] = v.clamp(-1.0, 1.0);
    }
    energy_of_classes(plane, terms, psi)
}

/// E from the activation of each sign class.
fn energy_of_classes(plane: &Plane, terms: &Terms, psi: [f64; 4]) -> f64 {
    if let Some(beta) = terms.modern_beta {
        let d: Vec<f64> = (0..plane.p)
            .map(|mu| (0..4).map(|c| psi[c] * plane.sums[c * plane.p + mu]).sum())
            .collect();
        let x2: f64 = (0..4).map(|c| plane.counts[c] * psi[c] * psi[c]).sum();
        return modern_energy(x2, &terms.weights, &d, beta, plane.n as usize);
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

    /// Samples E/N at the activations Ψ = a·ξ₁ + b·ξ₂ over a, b ∈ [−1, 1] (NaN outside the
    /// diamond |a| + |b| ≤ 1 of possible activations). A point less than a grid step and a half
    /// outside takes the value at the diamond's edge next to it, so the corners (the memories
    /// themselves) are drawn even where no grid point falls on an axis. The modern models
    /// (Ψ = x) are sampled over the whole square of [`Terms::extent`].
    pub fn sample_activation(plane: &Plane, terms: &Terms, cols: usize, rows: usize) -> Self {
        let extent = terms.extent(plane);
        let diamond = terms.modern_beta.is_none();
        let step = 2.0 / (cols.max(rows).max(2) - 1) as f64;
        let mut energy = Vec::with_capacity(cols * rows);
        for r in 0..rows {
            let b = Self::coord(r, rows, extent, true);
            for c in 0..cols {
                let a = Self::coord(c, cols, extent, false);
                let reach = a.abs() + b.abs();
                let (a, b) = if diamond && reach > 1.0 && reach <= 1.0 + 1.5 * step {
                    (a / reach, b / reach)
                } else {
                    (a, b)
                };
                energy.push(energy_of_activation(plane, terms, a, b) / plane.n);
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
/// theory (model.md §4) puts it, at the activations tanh(g·γ_ρ)·(±ξ_ρ). At gain 1 these are the
/// grid's minima (tested); at gain 10 they sit next to the corners ±ξ_ρ of the diamond.
#[derive(Debug, Clone, PartialEq)]
pub struct Well {
    /// The memory whose axis the well is on.
    pub memory: usize,
    /// +1 for the memory, −1 for its negative image.
    pub sign: i8,
    /// Plane coordinates (a, b) of the equilibrium's activations.
    pub at: (f64, f64),
    /// Stable (a true well) or a saddle.
    pub stable: bool,
    /// E/N at the equilibrium.
    pub energy: f64,
}

/// Everything a landscape panel draws: the grid of E/N over the activation plane, its wells,
/// and where the state's activations are.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// E/N over a, b ∈ [−1, 1] (extent 1), NaN outside the diamond of possible activations.
    pub grid: Grid,
    /// The memories along a (columns) and b (rows).
    pub axes: (usize, usize),
    /// Which plane this is: the same number while the axes and the memory set stay (a colour
    /// scale kept for it stays meaningful), a new one after either changed.
    pub plane: u64,
    /// The projection (a, b) of the activations Ψ(x) onto the plane, inside the diamond.
    pub state: (f64, f64),
    pub wells: Vec<Well>,
    /// The plane is of the state x with E_β (the modern models, Ψ = x), not of activations.
    pub modern: bool,
}

/// Samples `net`'s current landscape over the activations on `plane` (a `cols`×`rows` grid of
/// E/N), with the theory's wells and the state's activations.
pub fn view(net: &Network, plane: &Plane, cols: usize, rows: usize) -> View {
    view_solved(net, plane, cols, rows, None)
}

/// [`view`] with the wells and saddles marked where `solved` puts them (the equilibria of the
/// actual memories: each at its activations' coordinates on the plane, E there as the grid
/// shows it), or where the closed forms put them when `None`.
pub fn view_solved(
    net: &Network,
    plane: &Plane,
    cols: usize,
    rows: usize,
    solved: Option<&Equilibria>,
) -> View {
    let terms = Terms::of(net, plane);
    let (mut a, mut b) = plane.project(net.memories(), net.activation());
    if net.kind().is_modern() {
        // The state plane has no edge; the view's does.
        let extent = terms.extent(plane);
        (a, b) = (a.clamp(-extent, extent), b.clamp(-extent, extent));
    } else {
        // Least squares on correlated memories can land a little outside the diamond.
        let reach = a.abs() + b.abs();
        if reach > 1.0 && reach.is_finite() {
            (a, b) = (a / reach, b / reach);
        }
    }
    let grid = Grid::sample_activation(plane, &terms, cols, rows);
    let wells = match solved {
        Some(eq) => solved_wells(net.memories(), plane, &terms, eq),
        None => closed_form_wells(net, plane, &terms),
    };
    View {
        grid,
        axes: plane.axes,
        plane: 0,
        state: (a, b),
        wells,
        modern: net.kind().is_modern(),
    }
}

/// The axis memories' equilibria from a solve, at their activations on the plane.
fn solved_wells(mem: &Memories, plane: &Plane, terms: &Terms, eq: &Equilibria) -> Vec<Well> {
    let (p, q) = plane.axes;
    let c = if p < mem.p() && q < mem.p() {
        mem.overlap_matrix()[(p, q)]
    } else {
        0.0
    };
    let mut wells = Vec::new();
    for mu in [p, q] {
        for sign in [1i8, -1] {
            let Some(e) = eq.near(mu, sign).filter(|e| e.exists()) else {
                continue;
            };
            // Least squares of Ψ(x*) on a·ξ_p + b·ξ_q, from its overlaps.
            let (m1, m2) = (
                e.overlaps.get(p).copied().unwrap_or(0.0),
                e.overlaps.get(q).copied().unwrap_or(0.0),
            );
            let det = 1.0 - c * c;
            let at = if det.abs() < 1e-9 {
                (m1, 0.0)
            } else {
                ((m1 - c * m2) / det, (m2 - c * m1) / det)
            };
            wells.push(Well {
                memory: mu,
                sign,
                at,
                stable: e.standing == SolvedStanding::Well,
                energy: energy_of_activation(plane, terms, at.0, at.1) / plane.n,
            });
        }
    }
    wells
}

/// The axis memories' equilibria where the closed forms put them (±γ along each axis).
fn closed_form_wells(net: &Network, plane: &Plane, terms: &Terms) -> Vec<Well> {
    if net.kind().is_modern() {
        // No closed forms: the wells come with the solve.
        return Vec::new();
    }
    let theory = net.theory();
    let gain = net.params().gain;
    let mut wells = Vec::new();
    for (axis, mu) in [(0, plane.axes.0), (1, plane.axes.1)] {
        let Some(m) = theory.memories.get(mu) else {
            continue;
        };
        let Some(g) = m.gamma else { continue };
        for sign in [1i8, -1] {
            let x = f64::from(sign) * g;
            let (xa, xb) = if axis == 0 { (x, 0.0) } else { (0.0, x) };
            let v = if terms.discrete {
                x.signum()
            } else {
                (gain * x).tanh()
            };
            let at = if axis == 0 { (v, 0.0) } else { (0.0, v) };
            wells.push(Well {
                memory: mu,
                sign,
                at,
                stable: m.stable,
                energy: energy_at(plane, terms, xa, xb) / plane.n,
            });
        }
    }
    wells
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    use super::*;

    #[test]
    fn plane_class_sums_are_the_neuron_by_neuron_sums() {
        // Random sets of odd sizes (tails after any lanes), every pair of axes, the class counts
        // and the P sums of each class against the sums written out neuron by neuron in f64.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for (w, h, p) in [(7, 5, 3), (16, 16, 6), (33, 9, 5)] {
            let mem = Memories::random(w, h, p, &mut rng);
            for (mu1, mu2) in [(0, 1), (2, 0), (p - 1, 1)] {
                let plane = Plane::new(&mem, mu1, mu2);
                let mut counts = [0.0; 4];
                let mut sums = vec![0.0; 4 * p];
                for i in 0..mem.n() {
                    let c = class_of(mem.memory(mu1)[i], mem.memory(mu2)[i]);
                    counts[c] += 1.0;
                    for mu in 0..p {
                        sums[c * p + mu] += f64::from(mem.memory(mu)[i]);
                    }
                }
                assert_eq!(plane.counts, counts);
                assert_eq!(plane.sums, sums);
            }
        }
    }
}
