//! One Euler–Maruyama step of the models at the paper's size (N = 1024, P = 10) and a large one
//! (N = 4096, P = 64), single thread, with noise on (and, for the IDP model, off). The modern
//! models (softmax of the P overlaps between sweeps) beside IDP at the same N, P.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use recall::model::landscape::{Grid, Plane, Terms, most_salient_pair};
use recall::model::{Memories, ModelKind, Network, Params};

fn network(kind: ModelKind, side: usize, p: usize) -> Network {
    network_with_noise(kind, side, p, 2.0)
}

fn network_with_noise(kind: ModelKind, side: usize, p: usize, noise_std: f64) -> Network {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let mem = Arc::new(Memories::random(side, side, p, &mut rng));
    let params = Params {
        noise_std,
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
            ModelKind::Modern,
            ModelKind::IdpModern,
        ] {
            let mut net = network(kind, side, p);
            let id = format!("{kind}/N={}/P={p}", side * side);
            group.bench_function(id, |b| b.iter(|| black_box(net.step()).ok()));
        }
    }
    // Without noise: what the sweep itself costs (the rest is drawing N normal numbers).
    for (side, p) in [(32, 10), (64, 64)] {
        let mut net = network_with_noise(ModelKind::Idp, side, p, 0.0);
        let id = format!("idp-noise-free/N={}/P={p}", side * side);
        group.bench_function(id, |b| b.iter(|| black_box(net.step()).ok()));
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

/// The noise of one step at N = 1024: our SIMD Box–Muller sampler (and its portable form)
/// against `rand_distr`'s sampler.
fn bench_noise(c: &mut Criterion) {
    use rand::RngExt;
    use recall::model::normal::NormalStream;
    let mut group = c.benchmark_group("noise");
    group.throughput(Throughput::Elements(1024));
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
    let mut stream = NormalStream::from_rng(&mut rng);
    let mut out = vec![0.0f32; 1024];
    group.bench_function("recall-box-muller/1024", |b| {
        b.iter(|| {
            stream.fill(&mut out);
            black_box(&out);
        })
    });
    group.bench_function("recall-box-muller-portable/1024", |b| {
        b.iter(|| {
            stream.fill_portable(&mut out);
            black_box(&out);
        })
    });
    group.bench_function("rand_distr-StandardNormal/1024", |b| {
        b.iter(|| {
            for v in out.iter_mut() {
                *v = rng.sample(rand_distr::StandardNormal);
            }
            black_box(&out);
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Criterion's plots need a system font, which the development machine does not have.
    config = Criterion::default().without_plots();
    targets = bench_steps, bench_noise
}
criterion_main!(benches);
