//! Theory oracles (model.md §4) on orthogonal Hadamard memories: the simulated network must land
//! where the closed forms say, with the diagonal kept (g = 1, the paper's setting) and with the
//! zero diagonal the network runs by default (its self-coupling δ = Σα/N counted).

use std::sync::Arc;

use recall::model::equilibria::{Standing, TheoryInput};
use recall::model::theory::{
    Diagonal, alpha_star, analyse, analyse_orthogonal, gamma, well_depth_per_neuron,
};
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

// ----- the zero diagonal (the default): δ = Σα/N shifts every formula -----

/// Runs `net` until no neuron moves by more than 1e-6 over 250 steps (true), or `max_steps`.
fn settle(net: &mut Network, max_steps: usize) -> bool {
    let mut last = net.state().to_vec();
    for _ in 0..max_steps / 250 {
        net.run(250).expect("finite");
        let moved = net
            .state()
            .iter()
            .zip(&last)
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        if moved < 1e-6 {
            return true;
        }
        last.copy_from_slice(net.state());
    }
    false
}

fn quiet(gain: f64, zero_diagonal: bool) -> Params {
    Params {
        gain,
        noise_std: 0.0,
        zero_diagonal,
        ..Params::default()
    }
}

fn input_network(mem: &Arc<Memories>, kind: ModelKind, params: Params, u: &[f32]) -> Network {
    let mut net = Network::new(mem.clone(), kind, params, 7).expect("params");
    net.set_input(u, true).expect("input");
    net
}

/// Hadamard memories with N = 256: the zero diagonal's shift δ = Σα/N is large enough to see.
fn hadamard(p: usize) -> Arc<Memories> {
    Arc::new(Memories::hadamard(16, 16, p).expect("hadamard"))
}

#[test]
fn corrected_closed_forms_match_the_simulation_with_and_without_the_diagonal() {
    let mem = hadamard(4);
    for zero_diagonal in [false, true] {
        for alpha in [
            [0.0, 1.5, 0.0, 0.0],
            [0.6, 2.0, 0.9, 0.3],
            [1.2, 3.0, 0.5, 0.8],
            [0.2, 1.05, 0.1, 0.0],
        ] {
            let report = analyse_orthogonal(&alpha, 1.0, Diagonal::new(zero_diagonal, mem.n()));
            assert!(!report.approximate);
            let want = report.memories[1].gamma.expect("memory 1 exists");
            let params = Params {
                dt_secs: 0.05,
                ..quiet(1.0, zero_diagonal)
            };
            let mut net = input_network(&mem, ModelKind::Idp, params, &mem.mixture(&alpha));
            net.set_state(&scaled(&mem, 1, want as f32)).expect("state");
            assert!(settle(&mut net, 40_000), "{alpha:?}: did not settle");
            let got = projection(&net, 1);
            assert!(
                (got - want).abs() < 1e-4,
                "zero diagonal {zero_diagonal}, α {alpha:?}: simulated γ {got}, closed form {want}"
            );
            let e = net.energy() / mem.n() as f64;
            let depth = report.memories[1].depth_per_neuron.expect("depth");
            assert!((e - depth).abs() < 1e-4, "E/N {e} vs closed form {depth}");
            // The solver agrees with the closed form where the closed form is exact (both on
            // the network's own weights: α in f32).
            let eq = TheoryInput::of(&net).solve();
            let exact = eq.closed_form.as_ref().expect("continuous");
            assert!(
                !exact.approximate,
                "Hadamard memories and no current: exact"
            );
            let solved = &eq.memories[1].positive;
            assert_eq!(solved.standing, Standing::Well);
            let (g, d) = (
                exact.memories[1].gamma.expect("exists"),
                exact.memories[1].depth_per_neuron.expect("depth"),
            );
            assert!((solved.gamma - g).abs() < 1e-9, "{} vs {g}", solved.gamma);
            assert!((solved.energy_per_neuron - d).abs() < 1e-9);
        }
    }
}

#[test]
fn zero_diagonal_shifts_gamma_as_the_dynamics_do() {
    // g = 1, α = 1.5 on N = 256: δ = 1.5/256, γ = root of γ = (α − δ) tanh γ.
    let mem = hadamard(4);
    let alpha = [0.0, 1.5, 0.0, 0.0];
    let report = analyse_orthogonal(&alpha, 1.0, Diagonal::Zero { neurons: 256 });
    let g = report.memories[1].gamma.expect("exists");
    assert!((g - 1.279516).abs() < 2e-6, "γ = {g}");
    assert!((g - gamma(1.5 - 1.5 / 256.0).expect("root")).abs() < 1e-12);
    assert!((report.memories[1].effective_weight - (1.5 - 1.5 / 256.0)).abs() < 1e-12);
    let params = Params {
        dt_secs: 0.05,
        ..quiet(1.0, true)
    };
    let mut net = input_network(&mem, ModelKind::Idp, params, &mem.mixture(&alpha));
    net.set_state(&scaled(&mem, 1, 1.0)).expect("state");
    assert!(settle(&mut net, 40_000));
    assert!((projection(&net, 1) - g).abs() < 1e-4);
    // The diagonal-kept form is what `analyse` still gives (and is off by 8e-3 here).
    let kept = analyse(&alpha, 1.0).memories[1].gamma.expect("exists");
    assert!((kept - 1.287839).abs() < 1e-6);
}

#[test]
fn existence_threshold_counts_the_zero_diagonal() {
    // g = 10, α₀ = 0.11 with nine others at 3 on N = 1024: δ = 27.11/1024 ≈ 0.0265, so memory 0
    // needs α₀ > 0.1265 and does not exist, though 0.11 > 1/g.
    let mem = Arc::new(Memories::hadamard(32, 32, 10).expect("hadamard"));
    let mut alpha = vec![3.0; 10];
    alpha[0] = 0.11;
    let report = analyse_orthogonal(&alpha, 10.0, Diagonal::Zero { neurons: mem.n() });
    let delta = alpha.iter().sum::<f64>() / 1024.0;
    assert!((report.self_coupling - delta).abs() < 1e-15);
    assert!((report.existence_threshold - (0.1 + delta)).abs() < 1e-15);
    assert!(!report.memories[0].exists, "α₀ = 0.11 is below 1/g + Σα/N");
    assert!(report.memories[1].exists && report.memories[1].stable);
    // The state slides off memory 0: started on it with the diagonal-kept γ, it decays.
    let kept = analyse(&alpha, 10.0).memories[0]
        .gamma
        .expect("exists with the diagonal");
    let mut net = input_network(
        &mem,
        ModelKind::Idp,
        quiet(10.0, true),
        &mem.mixture(&alpha),
    );
    net.set_state(&scaled(&mem, 0, kept as f32)).expect("state");
    net.run(3000).expect("finite");
    assert!(net.overlaps()[0].abs() < 0.05, "m₀ = {}", net.overlaps()[0]);
    let eq = TheoryInput::of(&net).solve();
    assert!(matches!(
        eq.memories[0].positive.standing,
        Standing::Absent { .. }
    ));
}

#[test]
fn the_confusion_state_counts_the_zero_diagonal() {
    // Every α = 0.105 > 1/g on N = 64, P = 10: δ = 1.05/64, so every α − δ < 1/g and the
    // origin is stable (with the diagonal kept it would not be).
    let mem = Arc::new(Memories::hadamard(8, 8, 10).expect("hadamard"));
    let alpha = vec![0.105; 10];
    let report = analyse_orthogonal(&alpha, 10.0, Diagonal::Zero { neurons: mem.n() });
    assert!(report.confusion);
    assert!(!analyse(&alpha, 10.0).confusion);
    let mut net = input_network(
        &mem,
        ModelKind::Idp,
        quiet(10.0, true),
        &mem.mixture(&alpha),
    );
    let eq = TheoryInput::of(&net).solve();
    assert_eq!(eq.origin.and_then(|o| o.unstable), Some(0));
    assert!(eq.confusion());
    // A small random state decays to the origin.
    net.randomize_state();
    let small: Vec<f32> = net.state().iter().map(|v| 0.01 * v).collect();
    net.set_state(&small).expect("state");
    net.run(5000).expect("finite");
    let worst = net.state().iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(worst < 1e-4, "max |x| = {worst}");
    // With the diagonal kept the origin is unstable, in the solver too.
    let kept = input_network(
        &mem,
        ModelKind::Idp,
        quiet(10.0, false),
        &mem.mixture(&alpha),
    );
    let eq = TheoryInput::of(&kept).solve();
    assert_eq!(eq.origin.and_then(|o| o.unstable), Some(10));
    assert!(!eq.confusion());
}
