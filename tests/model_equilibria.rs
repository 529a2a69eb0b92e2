//! The equilibria of the network that runs (`model::equilibria`) against noise-free simulations
//! of the network itself: where the simulation settles from γ·ξ_ρ, the solver must put the
//! equilibrium (γ and E/N within 1%), and say "well" exactly when the simulation stays there.

use std::sync::Arc;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use recall::model::equilibria::{EquilibriaCache, Standing, TheoryDynamics, TheoryInput};
use recall::model::theory::gamma;
use recall::model::{Memories, ModelKind, Network, Params};

#[path = "common/noiseless.rs"]
mod noiseless;
use noiseless::{input_network, quiet, settle};

/// (1/N) ξ_μᵀ x, the projection of the state on memory μ.
fn projection(net: &Network, mu: usize) -> f64 {
    let xi = net.memories().memory(mu);
    net.state()
        .iter()
        .zip(xi)
        .map(|(&x, &s)| f64::from(x) * f64::from(s))
        .sum::<f64>()
        / xi.len() as f64
}

fn scaled(mem: &Memories, mu: usize, k: f64) -> Vec<f32> {
    mem.memory(mu).iter().map(|&v| v * k as f32).collect()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-9)
}

/// What a simulation started where the solver started did, next to what the solver said.
#[derive(Debug)]
struct Check {
    memory: usize,
    standing: Standing,
    gamma: f64,
    energy: f64,
    sim_gamma: f64,
    sim_energy: f64,
    sim_dominant: Option<usize>,
    sim_settled: bool,
}

/// For every memory ρ (positive starts): solve, then simulate `net`'s model from the solver's
/// start γ·ξ_ρ and compare. Returns the checks and the failures (empty when all agree).
fn compare(net: &Network, max_steps: usize) -> (Vec<Check>, Vec<String>) {
    let eq = TheoryInput::of(net).solve();
    let closed = eq.closed_form.clone();
    let mem = net.memories().clone();
    let n = mem.n() as f64;
    let mut checks = Vec::new();
    let mut failures = Vec::new();
    for (rho, pair) in eq.memories.iter().enumerate() {
        let e = &pair.positive;
        let start_gamma = closed
            .as_ref()
            .and_then(|c| c.memories[rho].gamma)
            .unwrap_or_else(|| {
                closed
                    .as_ref()
                    .map_or(1.0, |c| c.memories[rho].effective_weight)
                    .max(1.0 / net.params().gain)
            });
        let mut sim = net.clone();
        let start = if eq.dynamics == TheoryDynamics::Discrete {
            scaled(&mem, rho, 1.0)
        } else {
            scaled(&mem, rho, start_gamma)
        };
        sim.set_state(&start).expect("state");
        let settled = settle(&mut sim, max_steps);
        let m = sim.overlaps();
        let largest = m.iter().fold(0.0f32, |a, v| a.max(v.abs()));
        let sim_dominant = (largest > 1e-3).then(|| {
            (0..m.len())
                .max_by(|&a, &b| m[a].abs().total_cmp(&m[b].abs()))
                .expect("memories")
        });
        let c = Check {
            memory: rho,
            standing: e.standing,
            gamma: e.gamma,
            energy: e.energy_per_neuron,
            sim_gamma: projection(&sim, rho),
            sim_energy: sim.energy() / n,
            sim_dominant,
            sim_settled: settled,
        };
        let at_equilibrium =
            close(c.sim_gamma, c.gamma, 0.01) && close(c.sim_energy, c.energy, 0.01);
        let ok = match e.standing {
            Standing::Well => settled && at_equilibrium,
            // The simulation leaves a saddle (it ends lower, or away from it) for where the
            // solver says it slides to.
            Standing::Saddle { .. } => {
                let left = !at_equilibrium || c.sim_energy < c.energy - 1e-3 * c.energy.abs();
                let to = e.settles.expect("a saddle's slide is solved");
                left && settled
                    && sim_dominant == to.memory
                    && close(c.sim_energy, to.energy_per_neuron, 0.01)
            }
            Standing::Absent { lands_on } => {
                settled
                    && sim_dominant == lands_on
                    && (sim_dominant != Some(rho) || c.sim_gamma * c.gamma >= 0.0)
                    && close(c.sim_energy, c.energy, 0.01)
            }
            Standing::Unresolved => false,
        };
        if !ok {
            failures.push(format!("{c:?}"));
        }
        checks.push(c);
    }
    (checks, failures)
}

fn print_table(title: &str, checks: &[Check]) {
    println!("{title}");
    for c in checks {
        println!(
            "  ρ={:<2} {:<28} γ {:>9.5} sim {:>9.5}  E/N {:>9.5} sim {:>9.5}  sim ends on {:?}{}",
            c.memory,
            format!("{:?}", c.standing),
            c.gamma,
            c.sim_gamma,
            c.energy,
            c.sim_energy,
            c.sim_dominant,
            if c.sim_settled { "" } else { " (not settled)" }
        );
    }
}

// ----- stability: model.md §4's check -----

/// Orthogonal memories, g = 1, α₀ = 1.2 and α₁ = k·cosh²γ₀: memory 0 is stable iff k < 1.
fn saddle_check(k: f64) -> (Standing, Standing, bool) {
    let mem = Arc::new(Memories::hadamard(32, 32, 4).expect("hadamard"));
    let g0 = gamma(1.2).expect("root");
    let alpha = [1.2, k * g0.cosh().powi(2), 0.0, 0.0];
    let params = Params {
        dt_secs: 0.05,
        ..quiet(1.0, false)
    };
    let mut net = input_network(&mem, ModelKind::Idp, params, &mem.mixture(&alpha));
    let eq = TheoryInput::of(&net).solve();
    let start: Vec<f32> = (0..mem.n())
        .map(|i| g0 as f32 * mem.memory(0)[i] + 0.01 * mem.memory(1)[i])
        .collect();
    net.set_state(&start).expect("state");
    net.run(12_000).expect("finite");
    let stays = (projection(&net, 0) - g0).abs() < 1e-3;
    (
        eq.memories[0].positive.standing,
        eq.memories[1].positive.standing,
        stays,
    )
}

#[test]
fn a_saddle_is_reported_as_a_saddle_and_a_well_as_a_well() {
    let (zero, one, stays) = saddle_check(1.05);
    assert_eq!(zero, Standing::Saddle { unstable: 1 });
    assert_eq!(one, Standing::Well);
    assert!(!stays, "the simulation should leave the saddle");
    let (zero, one, stays) = saddle_check(0.95);
    assert_eq!(zero, Standing::Well);
    assert_eq!(one, Standing::Well);
    assert!(stays, "the simulation should stay in the well");
}

#[test]
fn a_saddle_of_correlated_memories_is_left_where_the_solver_says() {
    // §4's check on random memories (crosstalk ~ 1/√N): memory 0 at α₀ = 1.2 against memory 1
    // at 1.1·cosh²γ₀ stays a saddle, and the simulation, kicked by the crosstalk, slides off it.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(12);
    let mem = Arc::new(Memories::random(32, 32, 4, &mut rng));
    let g0 = gamma(1.2).expect("root");
    let gains = [1.2, 1.1 * g0.cosh().powi(2), 0.3, 0.0];
    let params = Params {
        dt_secs: 0.05,
        ..quiet(1.0, true)
    };
    let net = input_network(&mem, ModelKind::Idp, params, &mem.mixture(&gains));
    let eq = TheoryInput::of(&net).solve();
    let saddle = &eq.memories[0].positive;
    assert_eq!(saddle.standing, Standing::Saddle { unstable: 1 });
    let (lo, hi) = saddle.growth_rate.expect("a rate");
    assert!(0.0 < lo && lo <= hi, "[{lo}, {hi}]");
    assert_eq!(saddle.settles.and_then(|s| s.memory), Some(1));
    assert_eq!(eq.memories[1].positive.standing, Standing::Well);
    let (checks, failures) = compare(&net, 400_000);
    assert!(failures.is_empty(), "{failures:#?}");
    print_table("random set, g = 1, §4's saddle check:", &checks);
}

// ----- the actual memories -----

#[test]
fn builtin_set_equilibria_are_where_the_simulation_settles() {
    let mem = Arc::new(recall::patterns::builtin());
    let mut all = Vec::new();
    for rho in 0..mem.p() {
        let u = scaled(&mem, rho, 10.0);
        let net = input_network(&mem, ModelKind::Idp, quiet(10.0, true), &u);
        let (checks, failures) = compare(&net, 100_000);
        assert!(failures.is_empty(), "u = 10·ξ_{rho}: {failures:#?}");
        let own = checks.into_iter().nth(rho).expect("memory");
        assert_eq!(own.standing, Standing::Well);
        all.push(own);
    }
    print_table(
        "built-in set, IDP, u = 10·ξ_ρ, g = 10, zero diagonal:",
        &all,
    );
    // The live stream's inputs: 5% of the pixels flipped, and a 50/50 morph of two memories.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(21);
    let mut noisy = Vec::new();
    for rho in [2, 7] {
        let mut u = scaled(&mem, rho, 10.0);
        for v in &mut u {
            if rng.random_bool(0.05) {
                *v = -*v;
            }
        }
        noisy.push(u);
    }
    noisy.push(mem.mixture(&[5.0, 0.0, 0.0, 5.0]));
    for u in noisy {
        let net = input_network(&mem, ModelKind::Idp, quiet(10.0, true), &u);
        let (checks, failures) = compare(&net, 100_000);
        assert!(failures.is_empty(), "{failures:#?}");
        print_table("built-in set, IDP, a live-stream input:", &checks);
    }
}

/// The paper's mixed input: one dominant gain, the others smaller, Σc = √(P·N).
fn paper_mixture(mem: &Memories, dominant: usize, seed: u64) -> Vec<f32> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut c: Vec<f64> = (0..mem.p()).map(|_| rng.random_range(0.8..1.5)).collect();
    c[dominant] = rng.random_range(2.0..3.5);
    let total: f64 = c.iter().sum();
    let target = ((mem.p() * mem.n()) as f64).sqrt();
    let c: Vec<f64> = c.iter().map(|v| v * target / total).collect();
    mem.mixture(&c)
}

#[test]
fn random_set_equilibria_are_where_the_simulation_settles() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let mem = Arc::new(Memories::random(32, 32, 10, &mut rng));
    let mut rows = Vec::new();
    for (kind, gain) in [(ModelKind::Idp, 10.0), (ModelKind::Idp, 1.0)] {
        for dominant in [0, 3, 7] {
            // Mixtures scaled down at g = 1 so that not every memory saturates.
            let mut u = paper_mixture(&mem, dominant, dominant as u64);
            if gain == 1.0 {
                u.iter_mut().for_each(|v| *v *= 0.1);
            }
            let net = input_network(&mem, kind, quiet(gain, true), &u);
            let (checks, failures) = compare(&net, 200_000);
            assert!(
                failures.is_empty(),
                "{kind} g = {gain}, dominant {dominant}: {failures:#?}"
            );
            let verdicts: Vec<Standing> = checks.iter().map(|c| c.standing).collect();
            assert_eq!(verdicts[dominant], Standing::Well, "{verdicts:?}");
            rows.push(checks.into_iter().nth(dominant).expect("memory"));
        }
    }
    print_table(
        "random set, IDP, the paper's mixtures (dominant memory):",
        &rows,
    );
}

#[test]
fn classic_models_include_their_current() {
    let mem = Arc::new(recall::patterns::builtin());
    let u = paper_mixture(&mem, 2, 9);
    // Constant current: one mixture equilibrium, pointing at the dominant memory.
    let net = input_network(&mem, ModelKind::ClassicConstant, quiet(10.0, true), &u);
    let eq = TheoryInput::of(&net).solve();
    assert!(
        eq.origin.is_none(),
        "with a current the origin is no equilibrium"
    );
    assert!(eq.closed_form.as_ref().expect("continuous").approximate);
    let (checks, failures) = compare(&net, 100_000);
    assert!(failures.is_empty(), "{failures:#?}");
    let well = &eq.memories[2].positive;
    assert_eq!(well.standing, Standing::Well);
    assert!(
        well.overlap > 0.3 && well.overlap < 0.9,
        "a mixture: m = {}",
        well.overlap
    );
    println!(
        "classic-constant on the paper mixture: m = {:.3}, other {:?}",
        well.overlap, well.other
    );
    print_table(
        "classic-constant, built-in set, paper mixture (dominant 2):",
        &checks,
    );
    // Pulsed: the current counts only while the pulse is on.
    let mut pulsed = input_network(&mem, ModelKind::ClassicPulsed, quiet(10.0, true), &u);
    let on = TheoryInput::of(&pulsed).solve();
    assert!(on.origin.is_none());
    pulsed.run(150).expect("finite");
    let off = TheoryInput::of(&pulsed).solve();
    assert!(off.origin.is_some(), "after the pulse the current is off");
    // Initial condition: weights 1, no current. On these correlated memories the landscape is
    // glassy at g = 10 (mixtures within 1e-4 in E/N): still the solver lands where the flow does.
    let initial = input_network(&mem, ModelKind::ClassicInitial, quiet(10.0, true), &u);
    let (checks, failures) = compare(&initial, 100_000);
    assert!(failures.is_empty(), "{failures:#?}");
    print_table("classic-initial, built-in set:", &checks);
    let wells = checks
        .iter()
        .filter(|c| c.standing == Standing::Well)
        .count();
    assert!(wells >= 5, "most memories keep a well: {wells}");
}

#[test]
fn idp_with_filter_uses_its_filtered_weights() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
    let mem = Arc::new(Memories::random(32, 32, 8, &mut rng));
    let params = Params {
        tau_alpha_secs: 1.0,
        ..quiet(10.0, true)
    };
    let mut net = input_network(
        &mem,
        ModelKind::IdpFilter,
        params,
        &paper_mixture(&mem, 1, 3),
    );
    // Half a second into the stimulus α̃ is part way to α: the theory is of α̃, not α.
    net.run(50).expect("finite");
    let eq = TheoryInput::of(&net).solve();
    let alpha_now = TheoryInput::new(
        mem.clone(),
        net.saliencies().iter().map(|&v| f64::from(v)).collect(),
        None,
        10.0,
        true,
        TheoryDynamics::Continuous,
    )
    .expect("input")
    .solve();
    let (a, b) = (&eq.memories[1].positive, &alpha_now.memories[1].positive);
    assert!(
        (a.gamma - b.gamma).abs() > 0.05 * b.gamma.abs(),
        "{} vs {}",
        a.gamma,
        b.gamma
    );
    // Frozen there (τ_α → ∞ from now on), the simulation settles where the solver says.
    let frozen = Params {
        tau_alpha_secs: 1e9,
        ..net.params().clone()
    };
    net.set_params(frozen).expect("params");
    let (_, failures) = compare(&net, 100_000);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn discrete_fixed_points_are_where_the_network_stops() {
    let mem = Arc::new(recall::patterns::builtin());
    let (cat, tree) = (mem.index_of("cat").unwrap(), mem.index_of("tree").unwrap());
    let net = input_network(
        &mem,
        ModelKind::Discrete,
        quiet(10.0, true),
        &scaled(&mem, cat, 1.0),
    );
    let eq = TheoryInput::of(&net).solve();
    assert!(
        eq.closed_form.is_none(),
        "the continuous theory does not apply"
    );
    assert!(eq.origin.is_none());
    let n = mem.n() as f64;
    let mut same = 0;
    for (mu, pair) in eq.memories.iter().enumerate() {
        let e = &pair.positive;
        assert!(
            e.convergence.converged && e.unstable == Some(0),
            "memory {mu}"
        );
        // The network (random update order) started on ξ_μ stops at a fixed point; the
        // solver's in-order sweeps may stop at another one, never at a higher energy than
        // where they started.
        let mut sim = net.clone();
        sim.set_state(mem.memory(mu)).expect("state");
        let start = sim.energy() / n;
        sim.run(5_000).expect("finite");
        assert!(e.energy_per_neuron <= start + 1e-12);
        if (sim.energy() / n - e.energy_per_neuron).abs() < 1e-9 {
            assert!((f64::from(sim.overlaps()[mu]) - e.overlap).abs() < 1e-6);
            same += 1;
        }
    }
    assert!(
        same >= 8,
        "only {same} of 10 fixed points agree with the network's"
    );
    // The memories with little crosstalk are fixed points themselves.
    assert_eq!(eq.memories[tree].positive.standing, Standing::Well);
    assert!(eq.memories[tree].positive.overlap > 0.99);
}

#[test]
fn the_negative_equilibria_mirror_the_positive_ones_without_a_current() {
    let mem = Arc::new(recall::patterns::builtin());
    let weights: Vec<f64> = (0..mem.p()).map(|mu| 1.0 + mu as f64 * 0.3).collect();
    let solve = |bias: Option<Vec<f64>>| {
        TheoryInput::new(
            mem.clone(),
            weights.clone(),
            bias,
            10.0,
            true,
            TheoryDynamics::Continuous,
        )
        .expect("input")
        .solve()
    };
    // A zero current is solved sign by sign; no current is mirrored.
    let (mirrored, solved) = (solve(None), solve(Some(vec![0.0; mem.n()])));
    for (a, b) in mirrored.memories.iter().zip(&solved.memories) {
        let (a, b) = (&a.negative, &b.negative);
        assert_eq!(a.standing, b.standing, "memory {}", a.memory);
        assert!((a.gamma - b.gamma).abs() < 1e-9 && a.gamma <= 0.0);
        assert!((a.energy_per_neuron - b.energy_per_neuron).abs() < 1e-9);
    }
}

#[test]
fn inputs_that_cannot_be_solved_are_refused() {
    let mem = Arc::new(recall::patterns::builtin());
    let new = |weights: usize, bias: Option<usize>, gain: f64| {
        TheoryInput::new(
            mem.clone(),
            vec![1.0; weights],
            bias.map(|n| vec![0.0; n]),
            gain,
            true,
            TheoryDynamics::Continuous,
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    };
    assert_eq!(new(10, Some(1024), 10.0), Ok(()));
    assert_eq!(new(9, None, 10.0), Err("9 weights for 10 memories".into()));
    assert_eq!(
        new(10, Some(7), 10.0),
        Err("a bias of 7 values for 1024 neurons".into())
    );
    assert_eq!(
        new(10, None, 0.0),
        Err("the gain must be finite and greater than 0, got 0".into())
    );
    // Non-finite weights solve to "unresolved", never a panic.
    let mut weights = vec![1.0; 10];
    weights[3] = f64::NAN;
    let eq = TheoryInput::new(
        mem.clone(),
        weights,
        None,
        10.0,
        true,
        TheoryDynamics::Continuous,
    )
    .expect("input")
    .solve();
    assert!(
        eq.memories
            .iter()
            .all(|m| m.positive.standing == Standing::Unresolved)
    );
    assert!(eq.origin.is_none());
}

// ----- recomputing only when the landscape moves -----

#[test]
fn the_cache_solves_again_only_when_the_input_moves() {
    let mem = Arc::new(recall::patterns::builtin());
    let mut net = input_network(
        &mem,
        ModelKind::Idp,
        quiet(10.0, true),
        &scaled(&mem, 3, 10.0),
    );
    let mut cache = EquilibriaCache::default();
    let first = cache.get(&net, 0.02);
    for _ in 0..20 {
        net.step().expect("finite");
        let again = cache.get(&net, 0.02);
        assert!(Arc::ptr_eq(&first, &again));
    }
    assert_eq!(cache.solves(), 1);
    assert!(cache.is_current(&net, 0.02));
    // 1% of the input changed: within 2%, kept; a new memory shown: solved again.
    let mut u = scaled(&mem, 3, 10.0);
    for v in u.iter_mut().take(5) {
        *v = -*v;
    }
    net.set_input(&u, false).expect("input");
    cache.get(&net, 0.02);
    assert_eq!(cache.solves(), 1);
    net.set_input(&scaled(&mem, 4, 10.0), true).expect("input");
    assert!(!cache.is_current(&net, 0.02));
    let next = cache.get(&net, 0.02);
    assert_eq!(cache.solves(), 2);
    assert_eq!(next.hierarchy().first(), Some(&4));
    // The same values give an equal key; another memory set never does.
    let key = TheoryInput::of(&net).key();
    assert_eq!(key, TheoryInput::of(&net).key());
    let copy = Arc::new((*mem).clone());
    let mut other = net.clone();
    other.set_memories(copy);
    assert_ne!(key, TheoryInput::of(&other).key());
    assert!(!key.within(&TheoryInput::of(&other).key(), 1.0));
}

// ----- cost -----

/// Prints solve times (run with `--ignored --nocapture`); never asserts on them.
#[test]
#[ignore]
fn solve_times() {
    // A frame of the live stream (the tour, 4.5 s in: "hold heart" with 5% flipped pixels).
    let mem = Arc::new(recall::patterns::builtin());
    let mut stream = recall::stimulus::Stream::new(
        recall::stimulus::ScenarioName::Tour,
        mem.clone(),
        recall::stimulus::StreamConfig::default(),
        3,
    );
    let mut net = Network::new(mem.clone(), ModelKind::Idp, Params::default(), 1).expect("params");
    for _ in 0..45 {
        let f = stream.next_frame();
        net.set_input(&f.input, f.changed).expect("input");
        net.run(10).expect("finite");
    }
    let input = TheoryInput::of(&net);
    let t = std::time::Instant::now();
    for _ in 0..10 {
        input.solve();
    }
    println!(
        "N = 1024, P = 10, idp g=10, a live tour frame: {:>8.2} ms per solve",
        t.elapsed().as_secs_f64() * 1e2
    );
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    for (side, p) in [(32usize, 10usize), (64, 64)] {
        let mem = Arc::new(Memories::random(side, side, p, &mut rng));
        for (kind, gain, label) in [
            (ModelKind::Idp, 10.0, "idp g=10"),
            (ModelKind::ClassicConstant, 10.0, "classic-constant g=10"),
            (ModelKind::Idp, 1.0, "idp g=1"),
        ] {
            let mut u = paper_mixture(&mem, 0, 2);
            if gain == 1.0 {
                u.iter_mut().for_each(|v| *v *= 0.1);
            }
            let net = input_network(&mem, kind, quiet(gain, true), &u);
            let input = TheoryInput::of(&net);
            let t = std::time::Instant::now();
            let runs = if p > 10 { 2 } else { 20 };
            let mut steps = 0;
            for _ in 0..runs {
                let eq = input.solve();
                steps = eq
                    .memories
                    .iter()
                    .map(|m| m.positive.convergence.steps)
                    .sum::<usize>();
            }
            let per = t.elapsed().as_secs_f64() / f64::from(runs);
            println!(
                "N = {:>4}, P = {:>2}, {label:<22}: {:>8.2} ms per solve ({steps} steps over {p} memories)",
                side * side,
                p,
                per * 1e3
            );
        }
    }
}

/// Which sets the theory is solved for: at most 64 memories, and for the continuous models no
/// more memories than neurons.
#[test]
fn the_theory_is_solved_up_to_64_memories_and_one_a_neuron() {
    use recall::model::Unsolved;
    let mut rng = <rand_xoshiro::Xoshiro256PlusPlus as rand::SeedableRng>::seed_from_u64(1);
    let net =
        |side: usize, p: usize, kind: ModelKind, rng: &mut rand_xoshiro::Xoshiro256PlusPlus| {
            let mem = Arc::new(Memories::random(side, side, p, rng));
            Network::new(mem, kind, Params::default(), 1).unwrap()
        };
    for kind in [ModelKind::Idp, ModelKind::Modern, ModelKind::IdpModern] {
        assert_eq!(Unsolved::of(&net(32, 64, kind, &mut rng)), None, "{kind:?}");
        assert_eq!(
            Unsolved::of(&net(32, 65, kind, &mut rng)),
            Some(Unsolved::Memories { p: 65 }),
            "{kind:?}"
        );
    }
    assert_eq!(
        Unsolved::of(&net(4, 16, ModelKind::ClassicConstant, &mut rng)),
        None
    );
    assert_eq!(
        Unsolved::of(&net(4, 17, ModelKind::IdpFilter, &mut rng)),
        Some(Unsolved::MoreThanNeurons { p: 17, n: 16 })
    );
    // The modern models' solve is in span(Ξ), P-dimensional: more memories than neurons is
    // no extra cost there.
    assert_eq!(Unsolved::of(&net(4, 17, ModelKind::Modern, &mut rng)), None);
    // The discrete model's sweeps: the memories' count limits them (the dashboard solves them
    // now), more memories than neurons does not.
    assert_eq!(
        Unsolved::of(&net(4, 17, ModelKind::Discrete, &mut rng)),
        None
    );
    assert_eq!(
        Unsolved::of(&net(8, 200, ModelKind::Discrete, &mut rng)),
        Some(Unsolved::Memories { p: 200 })
    );
}

/// The discrete model's rows are exact: from ±ξ_μ, in-order sweeps of x_i ← sign(W x)_i (ties
/// to +1, W = ΞΞᵀ/N without its diagonal) end at a fixed point; the row is a well when that
/// point is still μ's (its largest |m| is m_μ > 0), its depth E/N = −½(Σ_ν m_ν² − P/N) there,
/// else it says which memory the sweeps ended nearest. The table showed the continuous model's
/// closed forms (every memory "well −0.426 #1") while the state sat at E/N −0.74, below them
/// all.
#[test]
fn the_discrete_models_rows_are_its_fixed_points() {
    let mem = Arc::new(recall::patterns::builtin());
    let net = Network::new(Arc::clone(&mem), ModelKind::Discrete, Params::default(), 1).unwrap();
    let report = TheoryInput::of(&net)
        .solve()
        .report()
        .expect("the discrete model has a report");
    let (n, p) = (mem.n(), mem.p());
    let nf = n as f64;
    let mut kinds = (0, 0);
    for mu in 0..p {
        // The sweeps, in f64 from the memory itself.
        let mut x: Vec<f64> = mem.memory(mu).iter().map(|&v| f64::from(v)).collect();
        let overlaps = |x: &[f64]| -> Vec<f64> {
            (0..p)
                .map(|nu| {
                    mem.memory(nu)
                        .iter()
                        .zip(x)
                        .map(|(&s, &v)| f64::from(s) * v)
                        .sum::<f64>()
                        / nf
                })
                .collect()
        };
        loop {
            let mut changed = false;
            for i in 0..n {
                let m = overlaps(&x);
                let h = (0..p)
                    .map(|nu| f64::from(mem.memory(nu)[i]) * m[nu])
                    .sum::<f64>()
                    - p as f64 / nf * x[i];
                let s = if h >= 0.0 { 1.0 } else { -1.0 };
                if s != x[i] {
                    x[i] = s;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let m = overlaps(&x);
        let largest = (0..p)
            .max_by(|&a, &b| m[a].abs().total_cmp(&m[b].abs()))
            .unwrap();
        let row = &report.memories[mu];
        let own = largest == mu && m[mu] > 0.0;
        assert_eq!(
            row.exists && row.stable,
            own,
            "memory {mu}: {row:?}, m {m:?}"
        );
        if own {
            kinds.0 += 1;
            let depth = -0.5 * (m.iter().map(|v| v * v).sum::<f64>() - p as f64 / nf);
            let got = row.depth_per_neuron.unwrap();
            assert!((got - depth).abs() < 1e-9, "memory {mu}: {got} vs {depth}");
        } else {
            kinds.1 += 1;
            assert_eq!(row.slides_to, Some(largest), "memory {mu}: {row:?}");
        }
    }
    // The built-in set has both kinds.
    assert!(kinds.0 > 0 && kinds.1 > 0, "{kinds:?}");
}
