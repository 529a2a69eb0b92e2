//! Standard normal f32 samples for the noise of the Euler–Maruyama step, by the ziggurat method
//! of Marsaglia and Tsang (2000) with 128 layers, two samples per 64-bit draw.
//!
//! `rand_distr::StandardNormal` samples an f64 and casts it, one 64-bit draw and f64 tables per
//! sample; at N = 1024 that was more than half of a step. Here each 32-bit half of a draw is one
//! sample: 7 bits choose the layer, 1 bit the sign and 24 bits (an f32's precision) the abscissa.
//! The layer and the abscissa come from separate bits, which avoids the correlation Doornik
//! (2005) found in the original method, where they shared bits. About 97.2% of samples take the
//! fast path (one compare and one multiply); the rest fall in a wedge or the tail and go through
//! the exact tests there (most pass: 98.8% of draws are accepted overall), so the distribution
//! is the normal one, not an approximation of it.

use std::sync::LazyLock;

use rand::{Rng, RngExt};

/// Number of layers.
const LAYERS: usize = 128;
/// Where the tail begins (the right edge of the base layer's rectangle).
const R: f64 = 3.442_619_855_899;
/// Area of each layer under exp(−x²/2).
const V: f64 = 9.912_563_035_262_17e-3;
/// Scale of the 24-bit abscissa.
const M: f64 = (1u32 << 24) as f64;

struct Tables {
    /// Fast-path thresholds: accept when the 24-bit abscissa is below k[i].
    k: [u32; LAYERS],
    /// Abscissa scale of each layer: x = u·w[i].
    w: [f32; LAYERS],
    /// exp(−x_i²/2) at each layer's right edge (f[0] = 1 stands for x = 0).
    f: [f64; LAYERS],
    /// The same scales in f64, for the slow path.
    w64: [f64; LAYERS],
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let mut k = [0u32; LAYERS];
    let mut w64 = [0f64; LAYERS];
    let mut f = [0f64; LAYERS];
    let mut dn = R;
    let mut tn = dn;
    let q = V / (-0.5 * dn * dn).exp();
    k[0] = ((dn / q) * M) as u32;
    k[1] = 0;
    w64[0] = q / M;
    w64[LAYERS - 1] = dn / M;
    f[0] = 1.0;
    f[LAYERS - 1] = (-0.5 * dn * dn).exp();
    for i in (1..LAYERS - 1).rev() {
        dn = (-2.0 * (V / dn + (-0.5 * dn * dn).exp()).ln()).sqrt();
        k[i + 1] = ((dn / tn) * M) as u32;
        tn = dn;
        f[i] = (-0.5 * dn * dn).exp();
        w64[i] = dn / M;
    }
    Tables {
        k,
        w: w64.map(|v| v as f32),
        f,
        w64,
    }
});

/// Fills `out` with independent N(0, 1) samples drawn from `rng`.
///
/// Deterministic: the same generator state gives the same samples. Consumes one 64-bit draw per
/// two samples, plus a few more for the rare slow path.
pub fn fill_standard_normal<G: Rng + Clone>(rng: &mut G, out: &mut [f32]) {
    let t = &*TABLES;
    // The generator is copied to a local so that its state stays in registers, and the fast
    // path makes no calls: samples that miss it are set aside (their bits and position) and
    // finished after each chunk.
    let mut local = rng.clone();
    let mut missed = [(0u32, 0u32); CHUNK];
    for chunk in out.chunks_mut(CHUNK) {
        let len = chunk.len();
        let mut n_missed = 0;
        let mut try_fast = |i: usize, bits: u32, slot: &mut f32| match fast(t, bits) {
            Some(x) => *slot = x,
            None => {
                missed[n_missed] = (i as u32, bits);
                n_missed += 1;
            }
        };
        let mut pairs = chunk.chunks_exact_mut(2);
        for (k, pair) in (&mut pairs).enumerate() {
            let bits = local.next_u64();
            try_fast(2 * k, bits as u32, &mut pair[0]);
            try_fast(2 * k + 1, (bits >> 32) as u32, &mut pair[1]);
        }
        if let [last] = pairs.into_remainder() {
            try_fast(len - 1, local.next_u64() as u32, last);
        }
        for &(i, bits) in &missed[..n_missed] {
            chunk[i as usize] = slow(t, bits, &mut local);
        }
    }
    *rng = local;
}

/// Samples per chunk of [`fill_standard_normal`] (at most this many can miss the fast path).
const CHUNK: usize = 256;

/// The fast path for 32 random bits: the sample if the point falls inside its layer's
/// rectangle core (about 97.2% of the time).
#[inline(always)]
fn fast(t: &Tables, bits: u32) -> Option<f32> {
    let layer = (bits & 0x7f) as usize;
    let u = bits >> 8;
    // The sign bit is moved into place rather than branched on: a random branch would be
    // mispredicted half of the time.
    (u < t.k[layer])
        .then(|| f32::from_bits((u as f32 * t.w[layer]).to_bits() ^ ((bits & 0x80) << 24)))
}

/// The wedge and tail tests of the ziggurat, retrying with fresh bits until a sample is
/// accepted.
#[cold]
#[inline(never)]
fn slow<G: Rng + ?Sized>(t: &Tables, mut bits: u32, rng: &mut G) -> f32 {
    loop {
        let layer = (bits & 0x7f) as usize;
        let negative = bits & 0x80 != 0;
        let u = bits >> 8;
        let sign = |x: f64| (if negative { -x } else { x }) as f32;
        if u < t.k[layer] {
            return sign(f64::from(u) * t.w64[layer]);
        }
        if layer == 0 {
            // The tail beyond R, by Marsaglia's exponential rejection.
            loop {
                let x = -open01(rng).ln() / R;
                let y = -open01(rng).ln();
                if y + y >= x * x {
                    return sign(R + x);
                }
            }
        }
        let x = f64::from(u) * t.w64[layer];
        let y = t.f[layer] + rng.random::<f64>() * (t.f[layer - 1] - t.f[layer]);
        if y < (-0.5 * x * x).exp() {
            return sign(x);
        }
        bits = rng.next_u32();
    }
}

/// A uniform sample in (0, 1], safe to take the logarithm of.
fn open01<G: Rng + ?Sized>(rng: &mut G) -> f64 {
    1.0 - rng.random::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn tables_match_the_published_constants() {
        let t = &*TABLES;
        // The top layer always goes to the wedge test; the base layer's rectangle ends at R.
        assert_eq!(t.k[1], 0);
        let q = V / (-0.5 * R * R).exp();
        assert!((f64::from(t.k[0]) / M - R / q).abs() < 1e-6);
        assert!((t.w64[LAYERS - 1] * M - R).abs() < 1e-12);
        // The layer edges shrink towards 0 and the recursion closes: the top edge's layer has
        // area V, that is x_1·(1 − f(x_1)) = V.
        for i in 2..LAYERS {
            assert!(
                t.w64[i] > t.w64[i - 1],
                "edges must increase with the layer"
            );
        }
        let x1 = t.w64[1] * M;
        assert!(
            (x1 * (1.0 - (-0.5 * x1 * x1).exp()) - V).abs() < 1e-6,
            "x1 = {x1}"
        );
    }

    #[test]
    fn the_fast_path_takes_97_percent_of_draws() {
        let t = &*TABLES;
        let fast: f64 = t.k.iter().map(|&k| f64::from(k) / M).sum::<f64>() / LAYERS as f64;
        assert!((fast - 0.9724).abs() < 1e-3, "fast-path share {fast}");
    }

    #[test]
    fn same_seed_same_samples_and_odd_lengths_fill() {
        let draw = |seed, n| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            let mut v = vec![f32::NAN; n];
            fill_standard_normal(&mut rng, &mut v);
            v
        };
        assert_eq!(draw(3, 1001), draw(3, 1001));
        assert_ne!(draw(3, 1001), draw(4, 1001));
        assert!(draw(5, 7).iter().all(|v| v.is_finite()));
    }
}
