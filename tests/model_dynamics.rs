//! The dynamics against references: the O(N·P) step equals a dense N×N step, the input filter
//! reduces to IDP, runs are deterministic per seed, and failures are values, not panics.

use std::sync::Arc;

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use recall::model::{Memories, ModelError, ModelKind, Network, Params};

fn random_memories(side: usize, p: usize, seed: u64) -> Arc<Memories> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    Arc::new(Memories::random(side, side, p, &mut rng))
}

/// One Euler step of ẋ = −x + W Ψ(x) + b with W built densely, the textbook way.
fn dense_step(mem: &Memories, weights: &[f64], x: &[f32], b: &[f32], params: &Params) -> Vec<f64> {
    let (n, p) = (mem.n(), mem.p());
    let xi = DMatrix::from_fn(n, p, |i, mu| f64::from(mem.memory(mu)[i]));
    let mut w = &xi * DMatrix::from_diagonal(&DVector::from_column_slice(weights)) * xi.transpose()
        / n as f64;
    if params.zero_diagonal {
        w.fill_diagonal(0.0);
    }
    let xv = DVector::from_iterator(n, x.iter().map(|&v| f64::from(v)));
    let psi = xv.map(|v| (params.gain * v).tanh());
    let bv = DVector::from_iterator(n, b.iter().map(|&v| f64::from(v)));
    let f = -&xv + &w * psi + bv;
    (xv + f * params.dt_secs).iter().copied().collect()
}

fn check_against_dense(
    kind: ModelKind,
    side: usize,
    p: usize,
    seed: u64,
    input_scale: f32,
) -> Result<(), TestCaseError> {
    let mem = random_memories(side, p, seed);
    let params = Params {
        noise_std: 0.0,
        gain: 2.0,
        ..Params::default()
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed + 1);
    let u: Vec<f32> = (0..mem.n())
        .map(|_| input_scale * rand::RngExt::random_range(&mut rng, -1.0f32..1.0))
        .collect();
    let x0: Vec<f32> = (0..mem.n())
        .map(|_| rand::RngExt::random_range(&mut rng, -1.5f32..1.5))
        .collect();
    let mut net = Network::new(mem.clone(), kind, params.clone(), seed).expect("params");
    net.set_input(&u, true).expect("input");
    net.set_state(&x0).expect("state");
    let weights: Vec<f64> = net
        .landscape_weights()
        .iter()
        .map(|&v| f64::from(v))
        .collect();
    let b: Vec<f32> = if kind == ModelKind::ClassicConstant {
        u.clone()
    } else {
        vec![0.0; u.len()]
    };
    let want = dense_step(&mem, &weights, &x0, &b, &params);
    net.step().expect("finite");
    for (i, (&got, &w)) in net.state().iter().zip(&want).enumerate() {
        prop_assert!(
            (f64::from(got) - w).abs() < 1e-4,
            "neuron {i}: {got} vs dense {w}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn low_rank_step_equals_dense_step(side in 2usize..9, p in 1usize..7, seed in 0u64..1000, scale in 0.1f32..3.0) {
        check_against_dense(ModelKind::Idp, side, p, seed, scale)?;
        check_against_dense(ModelKind::ClassicConstant, side, p, seed, scale)?;
    }
}

fn morphing_inputs(mem: &Memories, frames: usize) -> Vec<Vec<f32>> {
    (0..frames)
        .map(|f| {
            let t = f as f32 / frames as f32;
            (0..mem.n())
                .map(|i| 0.4 * ((1.0 - t) * mem.memory(0)[i] + t * mem.memory(1)[i]))
                .collect()
        })
        .collect()
}

/// Memory 0 for 10 frames, then memory 1 (a sudden change).
fn switching_inputs(mem: &Memories, frames: usize) -> Vec<Vec<f32>> {
    (0..frames)
        .map(|f| {
            mem.memory(usize::from(f >= 10))
                .iter()
                .map(|v| 4.0 * v)
                .collect()
        })
        .collect()
}

fn trajectory(kind: ModelKind, params: Params, seed: u64) -> Vec<Vec<f32>> {
    let mem = random_memories(32, 8, 5);
    run_inputs(kind, params, seed, &morphing_inputs(&mem, 40), &mem)
}

fn run_inputs(
    kind: ModelKind,
    params: Params,
    seed: u64,
    inputs: &[Vec<f32>],
    mem: &Arc<Memories>,
) -> Vec<Vec<f32>> {
    let mut net = Network::new(mem.clone(), kind, params, seed).expect("params");
    let mut out = Vec::new();
    // The discrete model is not told about the first stimulus, so it starts from its random state.
    let announce = kind != ModelKind::Discrete;
    for (f, u) in inputs.iter().enumerate() {
        net.set_input(u, announce && (f == 0 || f == 10))
            .expect("input");
        net.run(10).expect("finite");
        out.push(net.overlaps());
    }
    out
}

#[test]
fn input_filter_with_small_time_constants_matches_idp() {
    let idp = trajectory(ModelKind::Idp, Params::default(), 3);
    let instant = Params {
        tau_alpha_secs: 0.0,
        tau_y_secs: 0.0,
        tau_x_secs: 1.0,
        ..Params::default()
    };
    assert_eq!(
        trajectory(ModelKind::IdpFilter, instant, 3),
        idp,
        "τ = 0 must be IDP exactly"
    );
    let small = Params {
        tau_alpha_secs: 1e-3,
        tau_y_secs: 1e-3,
        tau_x_secs: 1.0,
        ..Params::default()
    };
    let filt = trajectory(ModelKind::IdpFilter, small, 3);
    let worst = idp
        .iter()
        .flatten()
        .zip(filt.iter().flatten())
        .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(worst < 0.02, "filtered model strays from IDP by {worst}");
    // A real filter lags behind a sudden change of the input: 1 s after it, IDP has switched
    // to memory 1 and the model with τ_α = 2 s has not yet.
    let mem = random_memories(32, 8, 5);
    let inputs = switching_inputs(&mem, 100);
    let fast = run_inputs(ModelKind::Idp, Params::default(), 3, &inputs, &mem);
    let slow = Params {
        tau_alpha_secs: 2.0,
        ..Params::default()
    };
    let lagged = run_inputs(ModelKind::IdpFilter, slow, 3, &inputs, &mem);
    let switched = |t: &[Vec<f32>]| t.iter().position(|m| m[1].abs() > 0.9);
    let (Some(f), Some(l)) = (switched(&fast), switched(&lagged)) else {
        panic!(
            "both models must follow the change within 9 s: {:?} {:?}",
            switched(&fast),
            switched(&lagged)
        );
    };
    assert!(
        l >= f + 5,
        "the filter should lag IDP by ≥ 0.5 s: IDP at frame {f}, filter at {l}"
    );
}

#[test]
fn same_seed_same_trajectory_bitwise_and_different_seeds_differ() {
    for kind in ModelKind::ALL {
        let a = trajectory(kind, Params::default(), 42);
        let b = trajectory(kind, Params::default(), 42);
        assert_eq!(a, b, "{kind}: same seed gave different trajectories");
        let c = trajectory(kind, Params::default(), 43);
        assert_ne!(a, c, "{kind}: different seeds gave the same trajectory");
    }
}

#[test]
fn non_finite_input_is_reported_as_divergence_not_a_panic() {
    let mem = random_memories(8, 3, 1);
    let mut net = Network::new(mem, ModelKind::Idp, Params::default(), 1).expect("params");
    let mut u = vec![0.5f32; 64];
    u[7] = f32::NAN;
    net.set_input(&u, true).expect("size is right");
    assert!(matches!(net.step(), Err(ModelError::Diverged { .. })));
    let err = net.set_input(&[1.0; 3], true).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the input has 3 values but the network has 64 neurons"
    );
    let bad = Params {
        dt_secs: 0.0,
        ..Params::default()
    };
    let err = Network::new(random_memories(4, 2, 1), ModelKind::Idp, bad, 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid parameters: dt must be greater than 0, got 0"
    );
}

#[test]
fn idp_retrieves_the_salient_memory_from_a_random_state() {
    let mem = random_memories(32, 10, 9);
    for target in [0, 4, 9] {
        let mut net = Network::new(
            mem.clone(),
            ModelKind::Idp,
            Params::default(),
            target as u64,
        )
        .expect("params");
        let u: Vec<f32> = mem.memory(target).iter().map(|v| v * 4.0).collect();
        net.set_input(&u, true).expect("input");
        net.run(1000).expect("finite");
        assert_eq!(net.retrieved(), Some(target));
        assert!(
            net.overlaps()[target].abs() > 0.95,
            "overlap {}",
            net.overlaps()[target]
        );
    }
}

#[test]
fn textbook_discrete_network_recalls_from_a_corrupted_cue() {
    let mem = random_memories(32, 5, 2);
    let params = Params {
        noise_std: 0.0,
        ..Params::default()
    };
    let mut net = Network::new(mem.clone(), ModelKind::Discrete, params, 4).expect("params");
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
    let cue: Vec<f32> = mem
        .memory(3)
        .iter()
        .map(|&v| {
            if rand::RngExt::random_bool(&mut rng, 0.2) {
                -v
            } else {
                v
            }
        })
        .collect();
    net.set_input(&cue, true).expect("input");
    let start = net.overlaps()[3];
    assert!(start < 0.7, "cue overlap {start}");
    let mut last = net.energy();
    for _ in 0..300 {
        net.step().expect("finite");
        assert!(net.energy() <= last + 1e-9, "discrete energy rose");
        last = net.energy();
    }
    assert!(net.overlaps()[3] > 0.99, "overlap {}", net.overlaps()[3]);
    assert!(net.state().iter().all(|&s| s == 1.0 || s == -1.0));
}

#[test]
fn the_input_filter_follows_reordered_memories_by_name() {
    // Filter for 3 s on memory 2 (α̃ of memory 2 near its α, the others near theirs), then the
    // same memories reordered and one renamed: α̃ must stay with each memory's name.
    let mem = random_memories(32, 5, 9);
    let params = Params {
        noise_std: 0.0,
        ..Params::default()
    };
    let mut net = Network::new(Arc::clone(&mem), ModelKind::IdpFilter, params, 1).unwrap();
    let u: Vec<f32> = mem.memory(2).iter().map(|v| 10.0 * v).collect();
    net.set_input(&u, true).unwrap();
    net.run(300).unwrap();
    let before = net.landscape_weights().to_vec();
    assert!(before[2] > 5.0, "α̃ of the memory on show: {}", before[2]);
    let order = [4usize, 2, 0, 3, 1];
    let reordered: Vec<(String, Vec<f32>)> = order
        .iter()
        .map(|&i| {
            let name = if i == 3 {
                "renamed".to_string()
            } else {
                mem.names()[i].clone()
            };
            (name, mem.memory(i).to_vec())
        })
        .collect();
    net.set_memories(Arc::new(Memories::new(32, 32, reordered).unwrap()));
    net.step().unwrap();
    let after = net.landscape_weights();
    for (new, &old) in order.iter().enumerate() {
        if old == 3 {
            // A new name starts from 0 and has moved one step towards its α.
            assert!(
                after[new].abs() < 0.1 * before[2],
                "new memory: {}",
                after[new]
            );
        } else {
            assert!(
                (after[new] - before[old]).abs() < 0.02 * before[2],
                "{}: {} then {}",
                mem.names()[old],
                before[old],
                after[new]
            );
        }
    }
}
