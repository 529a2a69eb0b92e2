//! One Euler–Maruyama step of the models at the paper's size (N = 1024, P = 10) and a large one
//! (N = 4096, P = 64), single thread, with noise on (and, for the IDP model, off). The modern
//! models (softmax of the P overlaps between sweeps) beside IDP at the same N, P. And the
//! step's floor (`floor/…`): its parts timed alone, see [`bench_floor`].

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
    // The dashboard's charts take each model's energy every frame: a large set's, after 3 s of
    // model time on its input (noisy, partly saturated, as on screen).
    let mut large = network(ModelKind::Idp, 256, 16);
    large.run(300).expect("a finite state");
    c.bench_function("energy/N=65536/P=16", |b| {
        b.iter(|| black_box(large.energy()))
    });

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

/// The step's floor: what one IDP step cannot do without, each part timed alone with the same
/// kernels the step picks, at N = 1024, P = 10 and N = 4096, P = 64: N normal numbers
/// (`floor/noise`), the two products of the sweep with the tables of c (`floor/products`: the
/// field Ξc and the overlaps ΞᵀΨ of every tile, no update), and the neurons' update
/// (`floor/update`: Euler–Maruyama, the compensated sum and tanh of every tile, from a field
/// of zeros and the input as a current, no lookups). The floor is the sum of the three (σ > 0) or of the last two
/// (σ = 0); `python3 benches/fastest.py floor` adds them up and sets the step beside them.
/// What the step spends above it is the parts' hand-overs: each tile's field going into the
/// update and its new Ψ into the overlaps, and the network's own work between sweeps (the
/// coefficients c, δ, the swap of the overlaps).
fn bench_floor(c: &mut Criterion) {
    use recall::model::normal::NormalStream;
    use recall::model::sweep::{SignTiles, Sweep};
    let mut group = c.benchmark_group("floor");
    group.throughput(Throughput::Elements(1));
    for (side, p) in [(32usize, 10usize), (64, 64)] {
        let n = side * side;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let mem = Memories::random(side, side, p, &mut rng);
        let signs = SignTiles::new(mem.columns(), n, p);
        let mut stream = NormalStream::from_rng(&mut rng);
        let mut noise = vec![0.0f32; n];
        stream.fill(&mut noise);
        // A state in the middle of the tanh's range, as a network on its way to a memory.
        let mut x: Vec<f32> = noise.iter().map(|v| 0.05 * v).collect();
        let mut psi: Vec<f32> = x.iter().map(|v| (10.0 * v).tanh()).collect();
        let mut x_carry = vec![0.0f32; n];
        let input: Vec<f32> = mem.memory(0).to_vec();
        let coef: Vec<f32> = (0..p).map(|mu| 0.01 * (mu as f32 + 1.0)).collect();
        let mut scratch = vec![0.0f32; Sweep::scratch_len(p)];
        let mut d_out = vec![0.0f32; p];
        let mut sweep = Sweep {
            signs: &signs,
            coef: &coef,
            x: &mut x,
            x_carry: &mut x_carry,
            psi: &mut psi,
            input: &input,
            noise: &noise,
            scratch: &mut scratch,
            d_out: &mut d_out,
            dt: 0.05,
            kick: 0.45, // σ = 2, dt = 0.05
            // The input as a current, so that the update alone (whose field is zero) drives x
            // towards it and not into subnormal numbers.
            delta: 0.0,
            bias: 1.0,
            gain: 10.0,
            linear: false,
        };
        let size = format!("N={n}/P={p}");
        group.bench_function(format!("products/{size}"), |b| {
            b.iter(|| {
                sweep.products_alone();
                black_box(&sweep.d_out);
            })
        });
        group.bench_function(format!("update/{size}"), |b| {
            b.iter(|| {
                sweep.update_alone();
                black_box(&sweep.psi);
            })
        });
        let mut out = vec![0.0f32; n];
        group.bench_function(format!("noise/{size}"), |b| {
            b.iter(|| {
                stream.fill(&mut out);
                black_box(&out);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_steps, bench_noise, bench_floor);
criterion_main!(benches);
