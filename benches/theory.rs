//! One full solve of the theory as the dashboard's theory thread runs it: every memory's
//! equilibria (where the flow from γ·ξ_ρ settles, the saddles, the energies) and their
//! stability, for an IDP network (the defaults: g = 10, σ = 2, the zero diagonal) that has
//! followed the tour stream for a few seconds. The built-in set (N = 1024, P = 10) and random
//! sets at N·P = 1,048,576, the limit of a pattern directory (128×128 × 64 and 256×256 × 16).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use recall::model::equilibria::TheoryInput;
use recall::model::{Memories, ModelKind, Network, Params};
use recall::stimulus::{ScenarioName, Stream, StreamConfig};

/// The theory input of an IDP network that has followed the tour over `mem` for `frames`
/// frames (10 steps a frame, as the dashboard at its defaults).
fn tour_input(mem: Arc<Memories>, frames: usize) -> TheoryInput {
    let mut stream = Stream::new(ScenarioName::Tour, mem.clone(), StreamConfig::default(), 3);
    let mut net = Network::new(mem, ModelKind::Idp, Params::default(), 1).expect("params");
    for _ in 0..frames {
        let f = stream.next_frame();
        net.set_input(&f.input, f.changed).expect("input");
        net.run(10).expect("finite");
    }
    TheoryInput::of(&net)
}

fn bench_theory(c: &mut Criterion) {
    let mut group = c.benchmark_group("theory");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    let builtin = Arc::new(recall::patterns::builtin());
    let input = tour_input(builtin, 45);
    group.bench_function("solve/builtin/N=1024/P=10", |b| {
        b.iter(|| black_box(input.solve()))
    });
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    for (side, p) in [(128usize, 64usize), (256, 16)] {
        let mem = Arc::new(Memories::random(side, side, p, &mut rng));
        let input = tour_input(mem, 45);
        group.bench_function(format!("solve/random/N={}/P={p}", side * side), |b| {
            b.iter(|| black_box(input.solve()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_theory);
criterion_main!(benches);
