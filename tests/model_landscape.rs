//! The landscape on a plane: its O(P) energy equals the network's O(N·P) energy, and its minima
//! sit where the theory puts the wells (γ_ρ along ξ_ρ on orthogonal memories).

use std::sync::Arc;

use recall::model::landscape::{
    Grid, Plane, Terms, energy_at, energy_of_activation, most_salient_pair,
};
use recall::model::theory::gamma;
use recall::model::{Memories, ModelKind, Network, Params};

#[test]
fn plane_energy_equals_network_energy() {
    let mut rng = <rand_xoshiro::Xoshiro256PlusPlus as rand::SeedableRng>::seed_from_u64(4);
    let mem = Arc::new(Memories::random(32, 32, 6, &mut rng));
    for kind in [
        ModelKind::Idp,
        ModelKind::ClassicConstant,
        ModelKind::ClassicPulsed,
        ModelKind::Discrete,
    ] {
        let mut net = Network::new(mem.clone(), kind, Params::default(), 1).expect("params");
        net.set_input(&mem.mixture(&[0.2, 0.5, 0.1, 0.0, 0.3, 0.05]), true)
            .expect("input");
        let plane = Plane::new(&mem, 1, 4);
        for (a, b) in [(0.3f64, -0.2f64), (1.0, 0.0), (-0.05, 0.7), (0.0, 0.0)] {
            let x: Vec<f32> = (0..mem.n())
                .map(|i| a as f32 * mem.memory(1)[i] + b as f32 * mem.memory(4)[i])
                .collect();
            net.set_state(&x).expect("state");
            let terms = Terms::of(&net, &plane);
            let (pa, pb) = plane.project(&mem, net.state());
            let continuous = kind != ModelKind::Discrete;
            assert!(
                !continuous || ((pa - a).abs() < 1e-5 && (pb - b).abs() < 1e-5),
                "projection ({pa}, {pb}) of ({a}, {b})"
            );
            let want = net.energy();
            let got = energy_at(&plane, &terms, a, b);
            assert!(
                (got - want).abs() < 1e-3 * want.abs().max(1.0),
                "{kind} at ({a},{b}): plane {got} vs network {want}"
            );
        }
    }
}

/// An IDP network in the theory's setting (Hadamard memories, g = 1, diagonal kept, no noise)
/// shown the mixture with saliencies `alpha`.
fn theory_network(alpha: &[f64]) -> (Arc<Memories>, Network) {
    let mem = Arc::new(Memories::hadamard(32, 32, alpha.len()).expect("hadamard"));
    let params = Params {
        gain: 1.0,
        zero_diagonal: false,
        noise_std: 0.0,
        ..Params::default()
    };
    let mut net = Network::new(mem.clone(), ModelKind::Idp, params, 1).expect("params");
    net.set_input(&mem.mixture(alpha), true).expect("input");
    (mem, net)
}

#[test]
fn minima_sit_at_gamma_along_each_memory() {
    let (mem, net) = theory_network(&[0.3, 2.0, 0.0, 1.5]);
    assert_eq!(most_salient_pair(net.landscape_weights()), Some((1, 3)));
    let plane = Plane::new(&mem, 1, 3);
    let terms = Terms::of(&net, &plane);
    let grid = Grid::sample(&plane, &terms, 121, 121, 3.0);
    let step = 2.0 * 3.0 / 120.0;
    let mut found: Vec<(f64, f64)> = grid
        .minima()
        .into_iter()
        .map(|(c, r)| {
            (
                Grid::coord(c, 121, 3.0, false),
                Grid::coord(r, 121, 3.0, true),
            )
        })
        .collect();
    found.sort_by(|p, q| p.0.total_cmp(&q.0).then(p.1.total_cmp(&q.1)));
    let (g1, g3) = (gamma(2.0).expect("root"), gamma(1.5).expect("root"));
    let want = [(-g1, 0.0), (0.0, -g3), (0.0, g3), (g1, 0.0)];
    assert_eq!(found.len(), 4, "minima {found:?}, theory {want:?}");
    for (f, w) in found.iter().zip(want) {
        assert!(
            (f.0 - w.0).abs() <= step && (f.1 - w.1).abs() <= step,
            "minimum {f:?} vs theory {w:?}"
        );
    }
    // The most salient memory has the deeper well.
    let e = |a: f64, b: f64| energy_at(&plane, &terms, a, b);
    assert!(e(g1, 0.0) < e(0.0, g3));
}

#[test]
fn a_saddle_is_not_a_minimum() {
    // α₂ = 1.2 is below α*(3) = 1.40: its equilibrium exists but is a saddle, so no well there.
    let (mem, net) = theory_network(&[3.0, 1.2, 0.0]);
    let plane = Plane::new(&mem, 0, 1);
    let grid = Grid::sample(&plane, &Terms::of(&net, &plane), 121, 121, 4.0);
    let minima = grid.minima();
    assert_eq!(minima.len(), 2, "only ±γ(3)ξ₀ should be wells: {minima:?}");
    assert!(net.theory().memories[1].exists && !net.theory().memories[1].stable);
}

#[test]
fn view_names_the_wells_and_follows_the_state() {
    let mem = Arc::new(Memories::hadamard(32, 32, 4).expect("hadamard"));
    let mut net = Network::new(
        mem.clone(),
        ModelKind::Idp,
        Params {
            noise_std: 0.0,
            ..Params::default()
        },
        2,
    )
    .expect("params");
    net.set_input(&mem.mixture(&[0.1, 0.8, 0.0, 0.5]), true)
        .expect("input");
    net.run(1000).expect("finite");
    let (m1, m2) = most_salient_pair(net.landscape_weights()).expect("two memories");
    let plane = Plane::new(&mem, m1, m2);
    let v = recall::model::landscape::view(&net, &plane, 61, 41);
    assert_eq!(v.axes, (1, 3));
    let mut named: Vec<(usize, i8, bool)> = v
        .wells
        .iter()
        .map(|w| (w.memory, w.sign, w.stable))
        .collect();
    named.sort();
    assert_eq!(
        named,
        vec![(1, -1, true), (1, 1, true), (3, -1, true), (3, 1, true)],
        "wells {:?}",
        v.wells
    );
    let extent = v.grid.extent;
    assert!(
        v.wells
            .iter()
            .all(|w| w.at.0.abs() < extent && w.at.1.abs() < extent)
    );
    // The state has settled in one of the wells of memory 1 (the most salient).
    let retrieved = net.retrieved().expect("retrieved");
    assert_eq!(retrieved, 1);
    assert!(
        v.state.0.abs() > 0.5 && v.state.1.abs() < 0.05,
        "state at {:?}",
        v.state
    );
    let deepest = v
        .wells
        .iter()
        .min_by(|a, b| a.energy.total_cmp(&b.energy))
        .expect("wells");
    assert_eq!(deepest.memory, 1);
}

#[test]
fn the_activation_plane_is_the_same_energy_inside_the_diamond_only() {
    // E at the activations Ψ = a·ξ₁ + b·ξ₂ is E at the state x = ψ⁻¹(Ψ): on orthogonal
    // memories every class is populated, so x = artanh(a ± b)/g per class, which is not on the
    // state plane; compare against the network's own energy at that state instead.
    let mem = Arc::new(Memories::hadamard(32, 32, 4).expect("hadamard"));
    let mut net = Network::new(mem.clone(), ModelKind::Idp, Params::default(), 1).expect("params");
    net.set_input(&mem.mixture(&[0.3, 0.2, 0.0, 0.1]), true)
        .expect("input");
    let plane = Plane::new(&mem, 0, 1);
    let terms = Terms::of(&net, &plane);
    let g = net.params().gain;
    for (a, b) in [(0.5f64, 0.2f64), (-0.3, 0.6), (0.0, 0.0), (0.9, -0.05)] {
        let x: Vec<f32> = (0..mem.n())
            .map(|i| {
                let v = a * f64::from(mem.memory(0)[i]) + b * f64::from(mem.memory(1)[i]);
                (v.atanh() / g) as f32
            })
            .collect();
        net.set_state(&x).expect("state");
        let want = net.energy();
        let got = energy_of_activation(&plane, &terms, a, b);
        assert!(
            (got - want).abs() < 1e-3 * want.abs().max(1.0),
            "at ({a}, {b}): plane {got} vs network {want}"
        );
    }
    // Outside |a| + |b| ≤ 1 some neuron would need |Ψ| > 1: no state is there.
    assert!(energy_of_activation(&plane, &terms, 0.7, 0.5).is_nan());
    assert!(energy_of_activation(&plane, &terms, 1.0, 0.0).is_finite());
    // At gain 10 the wells are pits next to the corners: the corner of the more salient
    // memory is lower than the other corner, which is lower than the origin.
    let grid = Grid::sample_activation(&plane, &terms, 41, 41);
    let e = |c: usize, r: usize| grid.at(c, r);
    let (right, top, centre) = (e(40, 20), e(20, 0), e(20, 20));
    assert!(right < top && top < centre, "{right} {top} {centre}");
}
