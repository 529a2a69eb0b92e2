//! Theory oracles (model.md §4) on orthogonal Hadamard memories with g = 1: the simulated
//! network must land where the theory says.

use std::sync::Arc;

use recall::model::theory::{alpha_star, gamma, well_depth_per_neuron};
use recall::model::{Memories, ModelKind, Network, Params};

const P: usize = 4;

fn theory_params() -> Params {
    Params {
        gain: 1.0,
        dt_secs: 0.05,
        noise_std: 0.0,
        zero_diagonal: false,
        ..Params::default()
    }
}

fn memories() -> Arc<Memories> {
    Arc::new(Memories::hadamard(32, 32, P).expect("hadamard set"))
}

fn network(alpha: &[f64], start: &[f32]) -> Network {
    let mem = memories();
    let mut net = Network::new(mem.clone(), ModelKind::Idp, theory_params(), 1).expect("params");
    net.set_input(&mem.mixture(alpha), true).expect("input");
    net.set_state(start).expect("state");
    net
}

/// The projection of the state on memory μ: (1/N) ξ_μᵀ x (γ at the equilibrium γ ξ_μ).
fn projection(net: &Network, mu: usize) -> f64 {
    let xi = net.memories().memory(mu);
    let n = xi.len() as f64;
    net.state()
        .iter()
        .zip(xi)
        .map(|(&x, &s)| f64::from(x * s))
        .sum::<f64>()
        / n
}

fn scaled(mem: &Memories, mu: usize, k: f32) -> Vec<f32> {
    mem.memory(mu).iter().map(|v| v * k).collect()
}

#[test]
fn equilibria_sit_at_gamma_of_the_table() {
    let mem = memories();
    for (a, want) in [
        (1.05, 0.389241),
        (1.2, 0.790284),
        (1.5, 1.287839),
        (2.0, 1.915008),
        (3.0, 2.984705),
    ] {
        let mut alpha = vec![0.0; P];
        alpha[1] = a;
        let mut net = network(&alpha, &scaled(&mem, 1, 0.5));
        net.run(8000).expect("finite");
        let got = projection(&net, 1);
        assert!(
            (got - want).abs() < 1e-4,
            "α = {a}: γ = {got}, theory {want}"
        );
        assert!((gamma(a).expect("root") - want).abs() < 1e-6);
    }
}

#[test]
fn below_threshold_every_state_falls_into_the_confusion_state() {
    let alpha = [0.95, 0.6, 0.9, 0.3];
    let mem = memories();
    let mut net = network(&alpha, &scaled(&mem, 0, 1.5));
    net.run(4000).expect("finite");
    let worst = net.state().iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(
        worst < 1e-3,
        "state did not decay to the origin: max |x| = {worst}"
    );
    assert!(net.retrieved().is_none());
    assert!(net.theory().confusion);
}

/// Memory 0 at saliency α₀ against memory 1 at α_max = 3, started at γ₀ξ₀ nudged along ξ₁.
fn stays_on_memory_0(alpha0: f64) -> bool {
    let mem = memories();
    let alpha = [alpha0, 3.0, 0.0, 0.0];
    let g0 = gamma(alpha0).expect("α₀ > 1") as f32;
    let start: Vec<f32> = (0..mem.n())
        .map(|i| g0 * mem.memory(0)[i] + 0.01 * mem.memory(1)[i])
        .collect();
    let mut net = network(&alpha, &start);
    net.run(12000).expect("finite");
    projection(&net, 0) > 0.9 * f64::from(g0)
}

#[test]
fn stability_threshold_is_alpha_star() {
    let star = alpha_star(3.0);
    assert!((star - 1.403822).abs() < 1e-6);
    // cosh²γ(α*) = α_max: just above α* the memory holds, just below it is a saddle and leaves.
    assert!(
        stays_on_memory_0(star + 0.05),
        "α₀ = α* + 0.05 should be stable"
    );
    assert!(
        !stays_on_memory_0(star - 0.05),
        "α₀ = α* − 0.05 should be a saddle"
    );
    let g = gamma(star).expect("root");
    assert!((g.cosh().powi(2) - 3.0).abs() < 1e-6);
}

#[test]
fn well_depths_match_the_table() {
    let mem = memories();
    for (a, want) in [(1.5, -0.115194), (2.0, -0.326524), (3.0, -0.809366)] {
        let mut alpha = vec![0.0; P];
        alpha[2] = a;
        let mut net = network(&alpha, &scaled(&mem, 2, 1.0));
        net.run(6000).expect("finite");
        let e = net.energy() / mem.n() as f64;
        assert!((e - want).abs() < 1e-4, "α = {a}: E/N = {e}, theory {want}");
        assert!((well_depth_per_neuron(a).expect("root") - want).abs() < 1e-6);
    }
}

#[test]
fn the_most_salient_memory_has_the_deepest_well() {
    let alpha = [1.5, 2.0, 3.0, 0.5];
    let mem = memories();
    let depth = |mu: usize| {
        let g = gamma(alpha[mu]).expect("root") as f32;
        let mut net = network(&alpha, &scaled(&mem, mu, g));
        net.run(2000).expect("finite");
        net.energy()
    };
    let (e0, e1, e2) = (depth(0), depth(1), depth(2));
    assert!(
        e2 < e1 && e1 < e0,
        "depths {e0} {e1} {e2} not ordered by saliency"
    );
}

#[test]
fn energy_never_increases_without_noise_under_constant_input() {
    let mut rng = <rand_xoshiro::Xoshiro256PlusPlus as rand::SeedableRng>::seed_from_u64(11);
    let mem = Arc::new(Memories::random(32, 32, 6, &mut rng));
    for kind in [
        ModelKind::Idp,
        ModelKind::ClassicConstant,
        ModelKind::ClassicInitial,
    ] {
        for seed in 0..3u64 {
            let params = Params {
                noise_std: 0.0,
                ..Params::default()
            };
            let mut net = Network::new(mem.clone(), kind, params, seed).expect("params");
            let u: Vec<f32> = (0..mem.n())
                .map(|i| 0.3 * mem.memory(0)[i] + 0.2 * mem.memory(1)[i] + 0.1 * mem.memory(2)[i])
                .collect();
            net.set_input(&u, true).expect("input");
            let mut last = net.energy();
            for step in 0..1500 {
                net.step().expect("finite");
                let e = net.energy();
                assert!(
                    e <= last + 1e-6 * last.abs().max(1.0),
                    "{kind} seed {seed}: E rose at step {step}: {last} → {e}"
                );
                last = e;
            }
        }
    }
}

/// model.md §4's stability check, in the integrator: with α₁ = 1.05·cosh²γ₀ the memory ξ₀
/// (α₀ = 1.2) is a saddle, and a state started on it with a small perturbation leaves it for
/// ξ₁ (in float64 within 200 s, ending at m₁ = tanh γ(α₁) = 0.9407). An f32 sum that drops
/// increments below half an ulp of x would keep it frozen on ξ₀ for ever.
#[test]
fn a_small_unstable_component_grows_and_the_state_leaves_a_saddle() {
    use rand::SeedableRng;
    use rand_distr::Distribution;
    let g0 = gamma(1.2).unwrap();
    let a1 = 1.05 * g0.cosh().powi(2);
    let mut alpha = vec![0.0; P];
    alpha[0] = 1.2;
    alpha[1] = a1;
    let mem = memories();
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(4);
    let start: Vec<f32> = mem
        .memory(0)
        .iter()
        .map(|&s| {
            s * g0 as f32
                + 0.01 * Distribution::<f32>::sample(&rand_distr::StandardNormal, &mut rng)
        })
        .collect();
    // A small step makes each increment small against x: the case where f32 loses them.
    let dt = 0.001;
    let params = Params {
        dt_secs: dt,
        ..theory_params()
    };
    let mut net = Network::new(mem.clone(), ModelKind::Idp, params, 1).expect("params");
    net.set_input(&mem.mixture(&alpha), true).expect("input");
    net.set_state(&start).expect("state");
    let mut left_at = None;
    for k in 1..=300_000 {
        net.step().expect("finite");
        if left_at.is_none() && net.overlaps()[1].abs() > 0.5 {
            left_at = Some(k as f64 * dt);
        }
    }
    let left_at = left_at.expect("the state never left the saddle in 300 s");
    assert!(left_at < 200.0, "left only after {left_at} s");
    let m1 = f64::from(net.overlaps()[1].abs());
    let want = gamma(a1).unwrap().tanh();
    assert!((m1 - want).abs() < 1e-3, "m₁ = {m1}, want {want:.4}");
}
