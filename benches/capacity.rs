//! The step at the sizes of the capacity sweep (N = 4096, P = 400 and 1200), and the machine's
//! limits it is judged against (the roofline):
//!
//! - `roofline/read/…`: read bandwidth, summing a buffer of the size of the step's Ξ, which
//!   is stored as sign bits (N·P/8 bytes);
//! - `roofline/peak`: f32 multiply-then-add throughput (unfused, as the step's update was
//!   until it took fused multiply-adds, docs/speed.md; its products are lookups and adds), 12
//!   independent accumulators, with the widest vectors the CPU has and the step uses
//!   (AVX-512, else AVX2);
//! - `roofline/lookup` (AVX-512 only): table lookups of 16 lanes as the step does them (a
//!   permute of a 16-entry table, the add of what it picked, a shift to the next index), 12
//!   independent chains: the limit of the step's own method;
//! - `capacity/idp/…`: one IDP step (σ = 0, as in the sweep), which reads the signs of Ξ once
//!   for each product (N·P/8 bytes, twice). Done plainly its products are 4·N·P flops (the
//!   field Ξc and the overlaps ΞᵀΨ: a product and a sum for each entry, twice); the step
//!   looks them up four entries at a time instead, N·P/32 lookups of 16 lanes;
//! - `capacity/discrete-recall-1-sweep/…`: the sweep's discrete network from a cue for one
//!   sweep: the initial overlaps (one pass over Ξ) and N updates (another pass, plus P for
//!   each flip), on rows of sign bits: 2·N·P/8 bytes and, counted the same way, 4·N·P
//!   operations (integer ones, which this machine issues at the same rate).
//!
//! The bound of a step is max(bytes / bandwidth, flops / peak), and for the step's own method
//! lookups / lookup rate; README's speed section has the figures.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use recall::experiment::capacity::{DiscreteHopfield, corrupted};
use recall::model::{Memories, ModelKind, Network, Params};

const SIDE: usize = 64;
const SIZES: [usize; 2] = [400, 1200];

fn idp(p: usize) -> Network {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    let mem = Arc::new(Memories::random(SIDE, SIDE, p, &mut rng));
    let params = Params {
        noise_std: 0.0,
        ..Params::default()
    };
    let mut net = Network::new(mem.clone(), ModelKind::Idp, params, 1).expect("valid params");
    let u: Vec<f32> = mem.memory(0).iter().map(|v| 10.0 * v).collect();
    net.set_input(&u, true).expect("input of size N");
    net
}

fn bench_capacity(c: &mut Criterion) {
    let n = SIDE * SIDE;
    let mut group = c.benchmark_group("capacity");
    group.sample_size(20);
    for p in SIZES {
        let mut net = idp(p);
        group.throughput(Throughput::Elements((4 * n * p) as u64));
        group.bench_function(format!("idp/N={n}/P={p}"), |b| {
            b.iter(|| black_box(net.step()).ok())
        });
    }
    for p in SIZES {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let mem = Memories::random(SIDE, SIDE, p, &mut rng);
        let hopfield = DiscreteHopfield::new(&mem);
        let cue = corrupted(mem.memory(0), 0.1, &mut rng);
        group.throughput(Throughput::Elements((4 * n * p) as u64));
        group.bench_function(format!("discrete-recall-1-sweep/N={n}/P={p}"), |b| {
            b.iter(|| black_box(hopfield.recall(&cue, 1, &mut rng)))
        });
    }
    group.finish();
}

fn bench_roofline(c: &mut Criterion) {
    let mut group = c.benchmark_group("roofline");
    group.sample_size(20);
    for p in SIZES {
        let bytes = SIDE * SIDE * p / 8;
        let buffer = vec![1.0f32; bytes / 4];
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(format!("read/{}KB", bytes / 1024), |b| {
            b.iter(|| black_box(limits::read(&buffer)))
        });
    }
    group.throughput(Throughput::Elements(limits::peak_flops()));
    group.bench_function("peak", |b| {
        b.iter(|| black_box(limits::peak(black_box(1.0))))
    });
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        group.throughput(Throughput::Elements(limits::LOOKUPS));
        group.bench_function("lookup", |b| {
            // SAFETY: the CPU supports AVX-512F, checked just above.
            b.iter(|| black_box(unsafe { limits::avx512::lookups(black_box(3)) }))
        });
    }
    group.finish();
}

mod limits {
    //! The two kernels of the roofline, with AVX-512 or AVX2 where the CPU has it (as the
    //! step does).

    /// Flops of one call of [`peak`]: a multiply and an add per lane, accumulator and round.
    pub fn peak_flops() -> u64 {
        ROUNDS * ACCUMULATORS as u64 * lanes() * 2
    }

    /// The f32 lanes of the vectors [`peak`] uses.
    fn lanes() -> u64 {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            return 16;
        }
        8
    }
    /// Enough independent chains to keep the multiply and add units busy (latency × units).
    const ACCUMULATORS: usize = 12;
    const ROUNDS: u64 = 100_000;

    /// Σ of `v`, four 8-lane accumulators.
    pub fn read(v: &[f32]) -> f32 {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { avx2::read(v) };
        }
        v.iter().sum()
    }

    /// [`peak_flops`] flops: `ACCUMULATORS` independent accumulators of 16 or 8 lanes, each
    /// a ← a·m + c (each starting from its own value, so no two can be merged).
    pub fn peak(m: f32) -> f32 {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F, checked just above.
            return unsafe { avx512::peak(m) };
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { avx2::peak(m) };
        }
        let mut a: [f32; 8 * ACCUMULATORS] = std::array::from_fn(|k| start(k / 8));
        for _ in 0..ROUNDS {
            for x in &mut a {
                *x = *x * m + 1e-7;
            }
        }
        a.iter().sum()
    }

    /// Lookups of 16 lanes in one call of `avx512::lookups`.
    pub const LOOKUPS: u64 = ROUNDS * ACCUMULATORS as u64 * 8;

    /// The first value of accumulator k.
    fn start(k: usize) -> f32 {
        0.5 + 0.01 * k as f32
    }

    #[cfg(target_arch = "x86_64")]
    pub mod avx512 {
        use std::arch::x86_64::*;

        /// [`super::LOOKUPS`] table lookups as the step's field does them: per accumulator and
        /// round, 8 times a permute of a 16-entry table by the low 4 bits of each lane, the
        /// add of what it picked, and the shift by 4 that brings the next index down.
        #[target_feature(enable = "avx512f")]
        pub fn lookups(seed: i32) -> f32 {
            let table = _mm512_setr_ps(
                0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0,
            );
            let words: [__m512i; super::ACCUMULATORS] =
                std::array::from_fn(|k| _mm512_set1_epi32(seed.wrapping_mul(k as i32 + 7)));
            let mut acc: [_; super::ACCUMULATORS] =
                std::array::from_fn(|k| _mm512_set1_ps(super::start(k)));
            for _ in 0..super::ROUNDS {
                let mut index = std::hint::black_box(words);
                for _ in 0..8 {
                    for k in 0..super::ACCUMULATORS {
                        acc[k] = _mm512_add_ps(acc[k], _mm512_permutexvar_ps(index[k], table));
                        index[k] = _mm512_srli_epi32::<4>(index[k]);
                    }
                }
            }
            acc.iter().map(|&a| _mm512_reduce_add_ps(a)).sum()
        }

        #[target_feature(enable = "avx512f")]
        pub fn peak(m: f32) -> f32 {
            let (m, c) = (_mm512_set1_ps(m), _mm512_set1_ps(1e-7));
            let mut acc: [_; super::ACCUMULATORS] =
                std::array::from_fn(|k| _mm512_set1_ps(super::start(k)));
            for _ in 0..super::ROUNDS {
                for a in &mut acc {
                    *a = _mm512_add_ps(_mm512_mul_ps(*a, m), c);
                }
            }
            acc.iter().map(|&a| _mm512_reduce_add_ps(a)).sum()
        }
    }

    #[cfg(target_arch = "x86_64")]
    mod avx2 {
        use std::arch::x86_64::*;

        #[target_feature(enable = "avx2")]
        pub fn read(v: &[f32]) -> f32 {
            let mut acc = [_mm256_setzero_ps(); 4];
            let mut chunks = v.chunks_exact(32);
            for c in &mut chunks {
                for (k, a) in acc.iter_mut().enumerate() {
                    // SAFETY: `c` has 32 floats; lanes 8k..8k+8 are in it.
                    *a = _mm256_add_ps(*a, unsafe { _mm256_loadu_ps(c[8 * k..].as_ptr()) });
                }
            }
            let sum = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
            let mut lanes = [0.0f32; 8];
            // SAFETY: `lanes` has 8 floats.
            unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), sum) };
            lanes.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>()
        }

        #[target_feature(enable = "avx2")]
        pub fn peak(m: f32) -> f32 {
            let (m, c) = (_mm256_set1_ps(m), _mm256_set1_ps(1e-7));
            let mut acc: [_; super::ACCUMULATORS] =
                std::array::from_fn(|k| _mm256_set1_ps(super::start(k)));
            for _ in 0..super::ROUNDS {
                for a in &mut acc {
                    *a = _mm256_add_ps(_mm256_mul_ps(*a, m), c);
                }
            }
            let mut lanes = [0.0f32; 8];
            for a in acc {
                let mut l = [0.0f32; 8];
                // SAFETY: `l` has 8 floats.
                unsafe { _mm256_storeu_ps(l.as_mut_ptr(), a) };
                for (x, y) in lanes.iter_mut().zip(l) {
                    *x += y;
                }
            }
            lanes.iter().sum()
        }
    }
}

criterion_group!(benches, bench_capacity, bench_roofline);
criterion_main!(benches);
