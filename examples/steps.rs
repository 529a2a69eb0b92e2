//! Steps one network many times and prints the time per step: the whole-process side of
//! `benches/numpy_step.py` and a fixed workload for `valgrind --tool=callgrind`.
//!
//!     cargo run --release --example steps -- [MODEL] [SIDE] [P] [SIGMA] [STEPS]
//!
//! Defaults: idp 32 10 2 100000 (N = SIDE², random memories, input 2·ξ₀ as in the benches).

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use recall::model::{Memories, ModelKind, Network, Params};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.into());
    let kind: ModelKind = arg(0, "idp").parse().context("model")?;
    let side: usize = arg(1, "32").parse().context("side")?;
    let p: usize = arg(2, "10").parse().context("P")?;
    let noise_std: f64 = arg(3, "2").parse().context("sigma")?;
    let steps: usize = arg(4, "100000").parse().context("steps")?;

    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let mem = Arc::new(Memories::random(side, side, p, &mut rng));
    let params = Params {
        noise_std,
        ..Params::default()
    };
    let mut net = Network::new(mem.clone(), kind, params, 1)?;
    let u: Vec<f32> = mem.memory(0).iter().map(|v| 2.0 * v).collect();
    net.set_input(&u, true)?;
    let start = Instant::now();
    net.run(steps)?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{kind} N={} P={p} sigma={noise_std}: {steps} steps in {secs:.3} s, {:.2} us/step, \
         {:.0} steps/s (overlap with memory 0: {:.3})",
        side * side,
        secs / steps as f64 * 1e6,
        steps as f64 / secs,
        net.overlaps()[0]
    );
    Ok(())
}
