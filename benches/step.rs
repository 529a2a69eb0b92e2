//! One Euler–Maruyama step of the models at the paper's size (N = 1024, P = 10) and a large one
//! (N = 4096, P = 64), single thread, with noise on.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use recall::model::landscape::{Grid, Plane, Terms, most_salient_pair};
use recall::model::{Memories, ModelKind, Network, Params};

fn network(kind: ModelKind, side: usize, p: usize) -> Network {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let mem = Arc::new(Memories::random(side, side, p, &mut rng));
    let params = Params {
        noise_std: 2.0,
        ..Params::default()
    };
    let mut net = Network::new(mem.clone(), kind, params, 1).expect("valid params");
    let u: Vec<f32> = mem.memory(0).iter().map(|v| 2.0 * v).collect();
    net.set_input(&u, true).expect("input of size N");
    net
}

fn bench_steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    group.throughput(Throughput::Elements(1));
    for (side, p) in [(32, 10), (64, 64)] {
        for kind in [
            ModelKind::Idp,
            ModelKind::IdpFilter,
            ModelKind::ClassicPulsed,
        ] {
            let mut net = network(kind, side, p);
            let id = format!("{kind}/N={}/P={p}", side * side);
            group.bench_function(id, |b| b.iter(|| black_box(net.step()).ok()));
        }
    }
    group.finish();

    let net = network(ModelKind::Idp, 32, 10);
    c.bench_function("energy/N=1024/P=10", |b| b.iter(|| black_box(net.energy())));

    // One redraw of the landscape panel: class sums for the pair, terms, and a 64×48 grid.
    c.bench_function("landscape/64x48/N=1024/P=10", |b| {
        b.iter(|| {
            let (m1, m2) = most_salient_pair(net.landscape_weights()).unwrap_or((0, 1));
            let plane = Plane::new(net.memories(), m1, m2);
            let terms = Terms::of(&net, &plane);
            black_box(Grid::sample(&plane, &terms, 64, 48, 3.0))
        })
    });
}

criterion_group!(benches, bench_steps);
criterion_main!(benches);
