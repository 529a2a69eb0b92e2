//! Noise-free networks for the theory tests: parameters, a network under a constant input, and
//! running one until it settles.

use std::sync::Arc;

use recall::model::{Memories, ModelKind, Network, Params};

/// Runs `net` until no neuron moves by more than 1e-6 of its size (at least 1e-6) over 250
/// steps (true), or `max_steps`. Relative: f32 at |x| ≈ 20 resolves 2e-6, and the compensated
/// sum moves such a neuron by an ulp now and then as rounding residue accumulates.
pub fn settle(net: &mut Network, max_steps: usize) -> bool {
    let mut last = net.state().to_vec();
    for _ in 0..max_steps / 250 {
        net.run(250).expect("finite");
        let moved = net
            .state()
            .iter()
            .zip(&last)
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs() / b.abs().max(1.0)));
        if moved < 1e-6 {
            return true;
        }
        last.copy_from_slice(net.state());
    }
    false
}

pub fn quiet(gain: f64, zero_diagonal: bool) -> Params {
    Params {
        gain,
        noise_std: 0.0,
        zero_diagonal,
        ..Params::default()
    }
}

pub fn input_network(mem: &Arc<Memories>, kind: ModelKind, params: Params, u: &[f32]) -> Network {
    let mut net = Network::new(mem.clone(), kind, params, 7).expect("params");
    net.set_input(u, true).expect("input");
    net
}
