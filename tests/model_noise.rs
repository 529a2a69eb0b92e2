//! The noise sampler (`model::normal`): its samples are standard normal, independent and
//! reproducible. Large samples with fixed seeds; each bound is several standard errors wide, so
//! a correct sampler passes and a biased one (a wrong polynomial, a shared bit, a lost sign or
//! tail) fails.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use recall::model::normal::NormalStream;

/// Not a multiple of the sampler's 16-sample rounds and odd, so a last partial round is part of
/// every test.
const SAMPLES: usize = 4_000_001;

fn samples(seed: u64) -> Vec<f32> {
    let mut stream = NormalStream::from_rng(&mut Xoshiro256PlusPlus::seed_from_u64(seed));
    let mut v = vec![0.0; SAMPLES];
    // In pieces of the length of a step at N = 1024 (and a partial last one), as the network
    // draws them.
    for piece in v.chunks_mut(1024) {
        stream.fill(piece);
    }
    v
}

/// Φ, the standard normal distribution function.
fn phi(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// What a guard found wrong, if anything.
type Verdict = Result<(), String>;

/// Fails unless `ok`, with the message.
fn check(ok: bool, message: impl FnOnce() -> String) -> Verdict {
    if ok { Ok(()) } else { Err(message()) }
}

#[test]
fn moments_are_those_of_the_standard_normal() {
    moments(&samples(11)).unwrap();
}

#[test]
fn distribution_function_matches_phi() {
    distribution_function(&samples(12)).unwrap();
}

#[test]
fn every_bin_and_the_tails_have_their_share() {
    bins_and_tails(&samples(13)).unwrap();
}

#[test]
fn consecutive_samples_are_uncorrelated() {
    correlations(&samples(14)).unwrap();
}

/// The guards are not vacuous: each fails on samples broken the way a wrong sampler would
/// break them.
#[test]
fn each_guard_fails_on_a_broken_sampler() {
    let good = samples(15);
    let broken = |f: &dyn Fn(usize, &[f32]) -> f32| -> Vec<f32> {
        (0..good.len()).map(|i| f(i, &good)).collect()
    };
    // A mean shift, and a variance 2% too large (a wrong ln polynomial).
    assert!(moments(&broken(&|i, v| v[i] + 0.01)).is_err());
    assert!(moments(&broken(&|i, v| v[i] * 1.01)).is_err());
    // A 1% scale is also a wrong distribution function.
    assert!(distribution_function(&broken(&|i, v| v[i] * 1.01)).is_err());
    // A lost wedge: no samples in [0.50, 0.52), moved just past it.
    let wedge = broken(&|i, v| {
        if (0.50..0.52).contains(&v[i]) {
            0.53
        } else {
            v[i]
        }
    });
    assert!(bins_and_tails(&wedge).is_err());
    // A lost tail: nothing beyond ±4.
    assert!(bins_and_tails(&broken(&|i, v| v[i].clamp(-4.0, 4.0))).is_err());
    // The sine of a pair (8 samples after its cosine) taking the cosine's sign: a shared bit.
    let shared = broken(&|i, v| {
        if i % 16 >= 8 && i >= 8 {
            v[i].abs().copysign(v[i - 8])
        } else {
            v[i]
        }
    });
    assert!(correlations(&shared).is_err());
}

fn moments(v: &[f32]) -> Verdict {
    let n = v.len() as f64;
    let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let moment = |k: i32| {
        v.iter()
            .map(|&x| (f64::from(x) - mean).powi(k))
            .sum::<f64>()
            / n
    };
    let (var, m3, m4) = (moment(2), moment(3), moment(4));
    // Standard errors at n = 4e6: mean 5e-4, variance 7e-4, skewness 1.2e-3, kurtosis 2.4e-3.
    let (skew, kurt) = (m3 / var.powf(1.5), m4 / (var * var));
    check(mean.abs() < 3e-3, || format!("mean {mean}"))?;
    check((var - 1.0).abs() < 4e-3, || format!("variance {var}"))?;
    check(skew.abs() < 8e-3, || format!("skewness {skew}"))?;
    check((kurt - 3.0).abs() < 1.6e-2, || format!("kurtosis {kurt}"))
}

fn distribution_function(v: &[f32]) -> Verdict {
    // Kolmogorov–Smirnov distance against Φ; the 0.1% critical value is 1.95/√n ≈ 9.8e-4.
    let mut v: Vec<f64> = v.iter().copied().map(f64::from).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    let d = v
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = phi(x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0f64, f64::max);
    check(d < 9.8e-4, || format!("KS distance {d}"))
}

fn bins_and_tails(v: &[f32]) -> Verdict {
    // 200 bins of equal probability under Φ (a lost or doubled wedge of the distribution shows),
    // plus the tails beyond ±3 to ±4.5, where a cut-off or a coarse ln would show.
    let n = v.len() as f64;
    const BINS: usize = 200;
    let mut edges = Vec::with_capacity(BINS - 1);
    for k in 1..BINS {
        let target = k as f64 / BINS as f64;
        let (mut lo, mut hi) = (-10.0f64, 10.0f64);
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if phi(mid) < target {
                lo = mid
            } else {
                hi = mid
            }
        }
        edges.push(0.5 * (lo + hi));
    }
    let mut counts = [0usize; BINS];
    for &x in v {
        counts[edges.partition_point(|&e| e < f64::from(x))] += 1;
    }
    let expected = n / BINS as f64;
    let chi2: f64 = counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    // χ² with 199 degrees of freedom: mean 199, sd 20; 0.1% critical value about 267.
    check(chi2 < 267.0, || format!("chi-square {chi2}"))?;

    // The shape of the tail beyond R (3.44, the last layer of the former ziggurat): the mean excess
    // E[|x| − R | |x| > R] = φ(R)/Q(R) − R, within 4 standard errors.
    let r = 3.442_619_855_899f64;
    let excess: Vec<f64> = v
        .iter()
        .map(|&x| f64::from(x).abs() - r)
        .filter(|&e| e > 0.0)
        .collect();
    let k = excess.len() as f64;
    let mean = excess.iter().sum::<f64>() / k;
    let sd = (excess.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / k).sqrt();
    let density = (-0.5 * r * r).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let want = density / phi(-r) - r;
    check((mean - want).abs() < 4.0 * sd / k.sqrt(), || {
        format!("mean excess beyond R: {mean} (expected {want}, sd {sd}, n {k})")
    })?;
    let beyond = |t: f64| v.iter().filter(|&&x| f64::from(x).abs() > t).count() as f64;
    for t in [3.0, 3.442_619_855_899, 4.0, 4.5] {
        let p = 2.0 * phi(-t);
        let (seen, want) = (beyond(t), p * n);
        // Poisson counts: within 4 standard deviations.
        check((seen - want).abs() < 4.0 * want.sqrt(), || {
            format!("beyond ±{t}: {seen} samples, expected {want:.0}")
        })?;
    }
    // Both signs of the tail.
    let right = v.iter().filter(|&&x| x > 4.0).count() as f64;
    let left = v.iter().filter(|&&x| x < -4.0).count() as f64;
    check((right - left).abs() < 4.0 * (right + left).sqrt(), || {
        format!("{right} vs {left}")
    })
}

fn correlations(v: &[f32]) -> Verdict {
    // Neighbours, the two samples of a Box–Muller pair (a cosine and its sine, 8 apart) and the
    // same lane of the next round (16 apart): correlation of values, of squares and of signs all
    // within 4 standard errors (1/√n = 5e-4) of zero.
    let v: Vec<f64> = v.iter().copied().map(f64::from).collect();
    let corr = |a: &[f64], b: &[f64]| {
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let cov = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - ma) * (y - mb))
            .sum::<f64>()
            / n;
        let va = a.iter().map(|x| (x - ma).powi(2)).sum::<f64>() / n;
        let vb = b.iter().map(|y| (y - mb).powi(2)).sum::<f64>() / n;
        cov / (va * vb).sqrt()
    };
    for lag in [1usize, 2, 3, 8, 16] {
        let (a, b) = (&v[..v.len() - lag], &v[lag..]);
        let sq = |s: &[f64]| s.iter().map(|x| x * x).collect::<Vec<_>>();
        let sg = |s: &[f64]| s.iter().map(|x| x.signum()).collect::<Vec<_>>();
        for (what, r) in [
            ("values", corr(a, b)),
            ("squares", corr(&sq(a), &sq(b))),
            ("signs", corr(&sg(a), &sg(b))),
        ] {
            check(r.abs() < 2e-3, || {
                format!("lag {lag}: correlation of {what} {r}")
            })?;
        }
    }
    Ok(())
}
