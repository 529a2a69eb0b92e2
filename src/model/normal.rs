//! Standard normal f32 samples for the noise of the Euler–Maruyama step: eight xoshiro256++
//! streams in SIMD lanes feeding the Box–Muller transform, 16 samples per round.
//!
//! A round steps the eight streams once (two AVX2 registers of four 64-bit lanes): the four
//! "radius" streams give eight 32-bit words a, the four "angle" streams eight words b, and lane
//! by lane (a, b) becomes the pair (r·cos φ, r·sin φ) with r = √(−2 ln u), u ∈ (0, 1] from 31
//! bits of a, and φ uniform on the circle from the rest: 24 bits of b for an angle in [0, π/4),
//! one bit of b to reflect it across the diagonal (swap cos and sin) and one bit each of a and
//! b for the two signs. There is no rejection and no table: every round costs the same, and a
//! sample depends only on its two words, so the lanes never wait for each other.
//!
//! ln, cos and sin are polynomials (minimax fits, errors below 4e-7 relative for ln and 1.1e-7
//! absolute for cos and sin, tested), evaluated with fused multiply-adds in a fixed order. The
//! SIMD form (AVX2 + FMA, picked at run time) works in three passes over the output (the
//! words, then −2 ln u, then the samples; see `avx2::fill`); the portable form does the same
//! operations in the same order (`f32::mul_add` rounds once, as the FMA
//! instruction does), so both give bitwise the same samples (a test compares them). On an x86
//! CPU without FMA, `mul_add` is a library call and the portable form is slow (22 ns a sample
//! here, against 0.57 ns); aarch64 has the instruction. u ≥ 2⁻³², so |sample| ≤ r ≤ 6.66: the
//! normal law beyond 6.66σ (probability 3e-11) is cut off.

// Index loops over fixed lane counts are the shape that maps onto SIMD registers.
#![allow(clippy::needless_range_loop)]

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Streams, one per 64-bit SIMD lane: the first half gives the radii, the second the angles.
const STREAMS: usize = 8;
/// Lanes of 32 bits in one register of words, and so the pairs per round.
const LANES: usize = 8;
/// Samples per round: 8 cosines, then 8 sines.
pub const ROUND: usize = 2 * LANES;

/// 2⁻³¹ and 2⁻²⁴, the scales of the two uniforms.
const TWO_POW_M31: f32 = 1.0 / 2_147_483_648.0;
const TWO_POW_M24: f32 = 1.0 / 16_777_216.0;
/// Half a step of each uniform: the uniforms are the midpoints of their 2³¹ and 2²⁴ cells.
const HALF_M31: f32 = 0.5 / 2_147_483_648.0;
const HALF_M24: f32 = 0.5 / 16_777_216.0;
/// The bits of √½: ln's range reduction puts the mantissa in [√½, √2).
const SQRT_HALF_BITS: i32 = 0x3f35_04f3;
/// −2 ln 2.
const MINUS_TWO_LN2: f32 = -1.386_294_4;
/// −2 ln(1 + f) = f · Σ L_k f^k on f ∈ [√½ − 1, √2 − 1] (a minimax fit of ln(1+f)/f scaled by
/// −2, which is exact; relative error below 3e-7 in f32).
const LN: [f32; 8] = [
    -2.0,
    1.000_006_4,
    -0.666_694_3,
    0.499_424_55,
    -0.398_137_7,
    0.344_864_85,
    -0.323_609_57,
    0.201_645_69,
];
/// sin(π/4 · y) = y · Σ S_k y^{2k} and cos(π/4 · y) = Σ C_k y^{2k} on y ∈ [0, 1] (minimax fits,
/// absolute errors below 1e-7 and 1.1e-7 in f32).
const SIN: [f32; 4] = [
    std::f32::consts::FRAC_PI_4,
    -0.080_745_37,
    0.002_489_872,
    -3.587_726_3e-5,
];
const COS: [f32; 4] = [1.0, -0.308_424_26, 0.015_849_916, -3.188_815e-4];

/// Eight xoshiro256++ streams and the Box–Muller transform over them; see the module
/// documentation. Deterministic: the same seed gives the same samples, with or without AVX2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalStream {
    /// `s[w][k]`: word w of the state of stream k.
    s: [[u64; STREAMS]; 4],
}

impl NormalStream {
    /// Eight streams started from one draw of `rng`, each 2¹²⁸ steps after the previous one
    /// (xoshiro's jump), so they never overlap.
    pub fn from_rng<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut g = Xoshiro256PlusPlus::seed_from_u64(rng.next_u64());
        let mut s = [[0u64; STREAMS]; 4];
        for k in 0..STREAMS {
            let bytes = g.state();
            for (w, chunk) in bytes.chunks_exact(8).enumerate() {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                s[w][k] = u64::from_le_bytes(word);
            }
            g.jump();
        }
        Self { s }
    }

    /// Fills `out` with independent N(0, 1) samples. Rounds of [`ROUND`] samples; a last
    /// partial round is drawn whole and its surplus dropped.
    pub fn fill(&mut self, out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the CPU supports AVX-512F, AVX2 and FMA, checked just above.
                unsafe { avx512::fill(&mut self.s, out) };
                return;
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the CPU supports AVX2 and FMA, checked just above.
                unsafe { avx2::fill(&mut self.s, out) };
                return;
            }
        }
        self.fill_portable(out);
    }

    /// [`Self::fill`] without SIMD instructions: bitwise the same samples.
    pub fn fill_portable(&mut self, out: &mut [f32]) {
        let mut rounds = out.chunks_exact_mut(ROUND);
        for chunk in &mut rounds {
            let round: &mut [f32; ROUND] = chunk.try_into().expect("a whole round");
            portable_round(&mut self.s, round);
        }
        let rest = rounds.into_remainder();
        if !rest.is_empty() {
            let mut round = [0.0; ROUND];
            portable_round(&mut self.s, &mut round);
            rest.copy_from_slice(&round[..rest.len()]);
        }
    }
}

/// One xoshiro256++ step of stream `k`.
#[inline(always)]
fn next(s: &mut [[u64; STREAMS]; 4], k: usize) -> u64 {
    let result = s[0][k]
        .wrapping_add(s[3][k])
        .rotate_left(23)
        .wrapping_add(s[0][k]);
    let t = s[1][k] << 17;
    s[2][k] ^= s[0][k];
    s[3][k] ^= s[1][k];
    s[1][k] ^= s[2][k];
    s[0][k] ^= s[3][k];
    s[2][k] ^= t;
    s[3][k] = s[3][k].rotate_left(45);
    result
}

/// One round: the words of every stream (low half first, as the SIMD lanes hold them), then
/// the pairs.
#[inline(always)]
fn portable_round(s: &mut [[u64; STREAMS]; 4], out: &mut [f32; ROUND]) {
    let (mut a, mut b) = ([0u32; LANES], [0u32; LANES]);
    for k in 0..STREAMS / 2 {
        let (ra, rb) = (next(s, k), next(s, k + STREAMS / 2));
        a[2 * k] = ra as u32;
        a[2 * k + 1] = (ra >> 32) as u32;
        b[2 * k] = rb as u32;
        b[2 * k + 1] = (rb >> 32) as u32;
    }
    for l in 0..LANES {
        let (c, s) = pair(a[l], b[l]);
        out[l] = c;
        out[LANES + l] = s;
    }
}

/// Σ c_k t^k by Horner's rule, one fused multiply-add a term.
#[inline(always)]
fn horner<const K: usize>(c: &[f32; K], t: f32) -> f32 {
    let mut p = c[K - 1];
    for k in (0..K - 1).rev() {
        p = p.mul_add(t, c[k]);
    }
    p
}

/// Σ L_k f^k by Estrin's scheme (pairs, then pairs of pairs): a third of Horner's latency.
#[inline(always)]
fn estrin(c: &[f32; 8], f: f32) -> f32 {
    let (f2, pair) = (f * f, |k: usize| c[k + 1].mul_add(f, c[k]));
    let f4 = f2 * f2;
    f4.mul_add(f2.mul_add(pair(6), pair(4)), f2.mul_add(pair(2), pair(0)))
}

/// −2 ln u for u ∈ (0, 1]: u = 2^e · m with m ∈ [√½, √2), −2 ln u = −2e ln 2 − 2 ln m.
#[inline(always)]
fn minus_two_ln(u: f32) -> f32 {
    let bits = u.to_bits() as i32;
    let e = (bits - SQRT_HALF_BITS) >> 23;
    let f = f32::from_bits((bits - (e << 23)) as u32) - 1.0;
    f.mul_add(estrin(&LN, f), (e as f32) * MINUS_TWO_LN2)
}

/// The Box–Muller pair of words (a, b); see the module documentation.
#[inline(always)]
fn pair(a: u32, b: u32) -> (f32, f32) {
    turn(radius(a), b)
}

/// The radius r = √(−2 ln u) of word a, with the sign of the first sample (bit 0).
#[inline(always)]
fn radius(a: u32) -> f32 {
    let u = (((a >> 1) as i32) as f32).mul_add(TWO_POW_M31, HALF_M31);
    f32::from_bits(minus_two_ln(u).sqrt().to_bits() ^ (a << 31))
}

/// The pair at the signed radius ρ and the angle of word b: ρ·cos φ, and |ρ|·sin φ with the
/// sign of bit 0 of b.
#[inline(always)]
fn turn(rho: f32, b: u32) -> (f32, f32) {
    let y = (((b >> 8) as i32) as f32).mul_add(TWO_POW_M24, HALF_M24);
    let y2 = y * y;
    let (sin, cos) = (y * horner(&SIN, y2), horner(&COS, y2));
    let (c, s) = if b & 2 != 0 { (sin, cos) } else { (cos, sin) };
    (
        rho * c,
        f32::from_bits((rho.abs() * s).to_bits() ^ (b << 31)),
    )
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! The round of `portable_round`, eight lanes at a time.

    use super::{
        COS, HALF_M24, HALF_M31, LANES, LN, MINUS_TWO_LN2, ROUND, SIN, SQRT_HALF_BITS, STREAMS,
        TWO_POW_M24, TWO_POW_M31,
    };
    use std::arch::x86_64::{
        __m256, __m256i, _mm256_add_epi64, _mm256_and_ps, _mm256_andnot_ps, _mm256_blendv_ps,
        _mm256_castps_si256, _mm256_castsi256_ps, _mm256_cvtepi32_ps, _mm256_fmadd_ps,
        _mm256_loadu_ps, _mm256_loadu_si256, _mm256_mul_ps, _mm256_or_si256, _mm256_set1_epi32,
        _mm256_set1_ps, _mm256_slli_epi32, _mm256_slli_epi64, _mm256_sqrt_ps, _mm256_srai_epi32,
        _mm256_srli_epi32, _mm256_srli_epi64, _mm256_storeu_ps, _mm256_storeu_si256,
        _mm256_sub_epi32, _mm256_sub_ps, _mm256_xor_ps, _mm256_xor_si256,
    };

    /// Four streams' states, one register per state word.
    type State = [__m256i; 4];

    #[target_feature(enable = "avx2,fma")]
    fn rotl<const L: i32, const R: i32>(x: __m256i) -> __m256i {
        _mm256_or_si256(_mm256_slli_epi64::<L>(x), _mm256_srli_epi64::<R>(x))
    }

    /// One xoshiro256++ step of four streams.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn next(s: &mut State) -> __m256i {
        let result = _mm256_add_epi64(rotl::<23, 41>(_mm256_add_epi64(s[0], s[3])), s[0]);
        let t = _mm256_slli_epi64::<17>(s[1]);
        s[2] = _mm256_xor_si256(s[2], s[0]);
        s[3] = _mm256_xor_si256(s[3], s[1]);
        s[1] = _mm256_xor_si256(s[1], s[2]);
        s[0] = _mm256_xor_si256(s[0], s[3]);
        s[2] = _mm256_xor_si256(s[2], t);
        s[3] = rotl::<45, 19>(s[3]);
        result
    }

    /// `super::estrin`, lane by lane.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn estrin(c: &[f32; 8], f: __m256) -> __m256 {
        let (fma, mul) = (_mm256_fmadd_ps, _mm256_mul_ps);
        let f2 = mul(f, f);
        let pair = |k: usize| fma(_mm256_set1_ps(c[k + 1]), f, _mm256_set1_ps(c[k]));
        let f4 = mul(f2, f2);
        fma(f4, fma(f2, pair(6), pair(4)), fma(f2, pair(2), pair(0)))
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn horner<const K: usize>(c: &[f32; K], t: __m256) -> __m256 {
        let mut p = _mm256_set1_ps(c[K - 1]);
        for k in (0..K - 1).rev() {
            p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(c[k]));
        }
        p
    }

    /// `super::minus_two_ln`, lane by lane.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn minus_two_ln(u: __m256) -> __m256 {
        let bits = _mm256_castps_si256(u);
        let e = _mm256_srai_epi32::<23>(_mm256_sub_epi32(bits, _mm256_set1_epi32(SQRT_HALF_BITS)));
        let m = _mm256_castsi256_ps(_mm256_sub_epi32(bits, _mm256_slli_epi32::<23>(e)));
        let f = _mm256_sub_ps(m, _mm256_set1_ps(1.0));
        let e2 = _mm256_mul_ps(_mm256_cvtepi32_ps(e), _mm256_set1_ps(MINUS_TWO_LN2));
        _mm256_fmadd_ps(f, estrin(&LN, f), e2)
    }

    /// The first half of `super::radius`, lane by lane: −2 ln u, which is positive, with the
    /// sign of the first sample (bit 0 of a) in its sign bit.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn signed_square_radius(a: __m256i) -> __m256 {
        let u = _mm256_fmadd_ps(
            _mm256_cvtepi32_ps(_mm256_srli_epi32::<1>(a)),
            _mm256_set1_ps(TWO_POW_M31),
            _mm256_set1_ps(HALF_M31),
        );
        _mm256_castsi256_ps(_mm256_xor_si256(
            _mm256_castps_si256(minus_two_ln(u)),
            _mm256_slli_epi32::<31>(a),
        ))
    }

    /// The second half of `super::radius`: the square root of |v|, with v's sign.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn signed_root(v: __m256) -> __m256 {
        let sign = _mm256_castsi256_ps(_mm256_set1_epi32(i32::MIN));
        let r = _mm256_sqrt_ps(_mm256_andnot_ps(sign, v));
        _mm256_xor_ps(r, _mm256_and_ps(sign, v))
    }

    /// `super::turn`, lane by lane: the cosines and the sines.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn turn(rho: __m256, b: __m256i) -> (__m256, __m256) {
        let y = _mm256_fmadd_ps(
            _mm256_cvtepi32_ps(_mm256_srli_epi32::<8>(b)),
            _mm256_set1_ps(TWO_POW_M24),
            _mm256_set1_ps(HALF_M24),
        );
        let y2 = _mm256_mul_ps(y, y);
        let (sin, cos) = (_mm256_mul_ps(y, horner(&SIN, y2)), horner(&COS, y2));
        // Bit 1 of b, moved to the sign position that `blendv` reads, picks the swap.
        let swap = _mm256_castsi256_ps(_mm256_slli_epi32::<30>(b));
        let (c, s) = (
            _mm256_blendv_ps(cos, sin, swap),
            _mm256_blendv_ps(sin, cos, swap),
        );
        let abs = _mm256_and_ps(rho, _mm256_castsi256_ps(_mm256_set1_epi32(i32::MAX)));
        let z2 = _mm256_xor_si256(
            _mm256_castps_si256(_mm256_mul_ps(abs, s)),
            _mm256_slli_epi32::<31>(b),
        );
        (_mm256_mul_ps(rho, c), _mm256_castsi256_ps(z2))
    }

    /// `NormalStream::fill_portable` in three passes over `out`: the generators write each
    /// round's words (the a words where the cosines go, the b words where the sines go); then
    /// the a words become −2 ln u in place; then the square roots and the angles give the
    /// samples. The first pass is a short chain with the state in registers; the other two have
    /// no state, so their rounds overlap in the CPU. One pass holding all of it was slower
    /// (0.65 against 0.57 ns a sample here): the long chain of ln, √ and the products kept too
    /// many instructions waiting for the scheduler to see past them. The samples are the same
    /// as in one pass: the same words and the same operations.
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn fill(s: &mut [[u64; STREAMS]; 4], out: &mut [f32]) {
        let whole = out.len() / ROUND * ROUND;
        let (body, rest) = out.split_at_mut(whole);
        let mut streams = Generators::load(s);
        for round in body.chunks_exact_mut(ROUND) {
            streams.words(round.try_into().expect("a whole round"));
        }
        if !rest.is_empty() {
            let mut last = [0.0f32; ROUND];
            streams.words(&mut last);
            square_radii(&mut last);
            samples(&mut last);
            rest.copy_from_slice(&last[..rest.len()]);
        }
        streams.store(s);
        for round in body.chunks_exact_mut(ROUND) {
            square_radii(round.try_into().expect("a whole round"));
        }
        for round in body.chunks_exact_mut(ROUND) {
            samples(round.try_into().expect("a whole round"));
        }
    }

    /// The eight streams in registers: the radius streams and the angle streams.
    struct Generators {
        ra: State,
        rb: State,
    }

    impl Generators {
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        fn load(s: &[[u64; STREAMS]; 4]) -> Self {
            let half = STREAMS / 2;
            // SAFETY: `w[at..at + 4]` is 4 u64s, 32 bytes.
            let load = |w: &[u64; STREAMS], at: usize| unsafe {
                _mm256_loadu_si256(w[at..at + half].as_ptr().cast())
            };
            Self {
                ra: std::array::from_fn(|w| load(&s[w], 0)),
                rb: std::array::from_fn(|w| load(&s[w], half)),
            }
        }

        #[inline]
        #[target_feature(enable = "avx2,fma")]
        fn store(&self, s: &mut [[u64; STREAMS]; 4]) {
            let half = STREAMS / 2;
            for w in 0..4 {
                let (lo, hi) = s[w].split_at_mut(half);
                // SAFETY: `lo` and `hi` are 4 u64s each.
                unsafe {
                    _mm256_storeu_si256(lo.as_mut_ptr().cast(), self.ra[w]);
                    _mm256_storeu_si256(hi.as_mut_ptr().cast(), self.rb[w]);
                }
            }
        }

        /// One round's words: a in the first 8 slots, b in the last 8 (as bits).
        #[inline]
        #[target_feature(enable = "avx2,fma")]
        fn words(&mut self, out: &mut [f32; ROUND]) {
            let (a, b) = (next(&mut self.ra), next(&mut self.rb));
            let (lo, hi) = out.split_at_mut(LANES);
            // SAFETY: `lo` and `hi` have exactly 8 floats (32 bytes) each.
            unsafe {
                _mm256_storeu_si256(lo.as_mut_ptr().cast(), a);
                _mm256_storeu_si256(hi.as_mut_ptr().cast(), b);
            }
        }
    }

    /// The second pass over a round: its a words (as bits) into signed −2 ln u, in place.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn square_radii(round: &mut [f32; ROUND]) {
        let lo = &mut round[..LANES];
        // SAFETY: `lo` has exactly 8 floats (32 bytes).
        unsafe {
            let a = _mm256_loadu_si256(lo.as_ptr().cast());
            _mm256_storeu_ps(lo.as_mut_ptr(), signed_square_radius(a));
        }
    }

    /// The third pass over a round: signed −2 ln u and the b words into the samples, in place.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn samples(round: &mut [f32; ROUND]) {
        let (lo, hi) = round.split_at_mut(LANES);
        // SAFETY: `lo` and `hi` have exactly 8 floats (32 bytes) each.
        unsafe {
            let v = _mm256_loadu_ps(lo.as_ptr());
            let b = _mm256_loadu_si256(hi.as_ptr().cast());
            let (c, s) = turn(signed_root(v), b);
            _mm256_storeu_ps(lo.as_mut_ptr(), c);
            _mm256_storeu_ps(hi.as_mut_ptr(), s);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    //! `avx2::fill` with registers of 16 lanes: the eight streams step in one register (the
    //! radius streams in its low half, the angle streams in its high half, so one store
    //! writes a round's a and b words where AVX2's two do), and the second and third passes
    //! take two rounds at a time. The same operations on each lane in the same order (the
    //! same fused multiply–adds), so bitwise the same samples (a test compares them with the
    //! portable form).
    use super::{
        COS, HALF_M24, HALF_M31, LANES, LN, MINUS_TWO_LN2, ROUND, SIN, SQRT_HALF_BITS, STREAMS,
        TWO_POW_M24, TWO_POW_M31,
    };
    use std::arch::x86_64::{
        __m256, __m512, __m512i, _mm256_castpd_ps, _mm256_castps_pd, _mm256_loadu_ps,
        _mm256_storeu_ps, _mm512_add_epi64, _mm512_and_si512, _mm512_andnot_si512,
        _mm512_castpd_ps, _mm512_castpd256_pd512, _mm512_castps_pd, _mm512_castps_si512,
        _mm512_castsi512_ps, _mm512_cmplt_epi32_mask, _mm512_cvtepi32_ps, _mm512_extractf64x4_pd,
        _mm512_fmadd_ps, _mm512_insertf64x4, _mm512_loadu_si512, _mm512_mask_blend_ps,
        _mm512_mul_ps, _mm512_rol_epi64, _mm512_set1_epi32, _mm512_set1_ps, _mm512_setzero_si512,
        _mm512_slli_epi32, _mm512_slli_epi64, _mm512_sqrt_ps, _mm512_srai_epi32, _mm512_srli_epi32,
        _mm512_storeu_si512, _mm512_sub_epi32, _mm512_sub_ps, _mm512_xor_si512,
    };

    /// The eight streams' states, one register per state word.
    type State = [__m512i; 4];

    /// One xoshiro256++ step of the eight streams.
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn next(s: &mut State) -> __m512i {
        let result = _mm512_add_epi64(_mm512_rol_epi64::<23>(_mm512_add_epi64(s[0], s[3])), s[0]);
        let t = _mm512_slli_epi64::<17>(s[1]);
        s[2] = _mm512_xor_si512(s[2], s[0]);
        s[3] = _mm512_xor_si512(s[3], s[1]);
        s[1] = _mm512_xor_si512(s[1], s[2]);
        s[0] = _mm512_xor_si512(s[0], s[3]);
        s[2] = _mm512_xor_si512(s[2], t);
        s[3] = _mm512_rol_epi64::<45>(s[3]);
        result
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn estrin(c: &[f32; 8], f: __m512) -> __m512 {
        let (fma, mul) = (_mm512_fmadd_ps, _mm512_mul_ps);
        let f2 = mul(f, f);
        let pair = |k: usize| fma(_mm512_set1_ps(c[k + 1]), f, _mm512_set1_ps(c[k]));
        let f4 = mul(f2, f2);
        fma(f4, fma(f2, pair(6), pair(4)), fma(f2, pair(2), pair(0)))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn horner<const K: usize>(c: &[f32; K], t: __m512) -> __m512 {
        let mut p = _mm512_set1_ps(c[K - 1]);
        for k in (0..K - 1).rev() {
            p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(c[k]));
        }
        p
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn minus_two_ln(u: __m512) -> __m512 {
        let bits = _mm512_castps_si512(u);
        let e = _mm512_srai_epi32::<23>(_mm512_sub_epi32(bits, _mm512_set1_epi32(SQRT_HALF_BITS)));
        let m = _mm512_castsi512_ps(_mm512_sub_epi32(bits, _mm512_slli_epi32::<23>(e)));
        let f = _mm512_sub_ps(m, _mm512_set1_ps(1.0));
        let e2 = _mm512_mul_ps(_mm512_cvtepi32_ps(e), _mm512_set1_ps(MINUS_TWO_LN2));
        _mm512_fmadd_ps(f, estrin(&LN, f), e2)
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn signed_square_radius(a: __m512i) -> __m512 {
        let u = _mm512_fmadd_ps(
            _mm512_cvtepi32_ps(_mm512_srli_epi32::<1>(a)),
            _mm512_set1_ps(TWO_POW_M31),
            _mm512_set1_ps(HALF_M31),
        );
        _mm512_castsi512_ps(_mm512_xor_si512(
            _mm512_castps_si512(minus_two_ln(u)),
            _mm512_slli_epi32::<31>(a),
        ))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn signed_root(v: __m512) -> __m512 {
        let sign = _mm512_set1_epi32(i32::MIN);
        let bits = _mm512_castps_si512(v);
        let r = _mm512_sqrt_ps(_mm512_castsi512_ps(_mm512_andnot_si512(sign, bits)));
        _mm512_castsi512_ps(_mm512_xor_si512(
            _mm512_castps_si512(r),
            _mm512_and_si512(sign, bits),
        ))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn turn(rho: __m512, b: __m512i) -> (__m512, __m512) {
        let y = _mm512_fmadd_ps(
            _mm512_cvtepi32_ps(_mm512_srli_epi32::<8>(b)),
            _mm512_set1_ps(TWO_POW_M24),
            _mm512_set1_ps(HALF_M24),
        );
        let y2 = _mm512_mul_ps(y, y);
        let (sin, cos) = (_mm512_mul_ps(y, horner(&SIN, y2)), horner(&COS, y2));
        // Bit 1 of b, moved to the sign position, picks the swap (AVX2's blendv reads the
        // same bit).
        let swap = _mm512_cmplt_epi32_mask(_mm512_slli_epi32::<30>(b), _mm512_setzero_si512());
        let (c, s) = (
            _mm512_mask_blend_ps(swap, cos, sin),
            _mm512_mask_blend_ps(swap, sin, cos),
        );
        let abs = _mm512_castsi512_ps(_mm512_and_si512(
            _mm512_castps_si512(rho),
            _mm512_set1_epi32(i32::MAX),
        ));
        let z2 = _mm512_xor_si512(
            _mm512_castps_si512(_mm512_mul_ps(abs, s)),
            _mm512_slli_epi32::<31>(b),
        );
        (_mm512_mul_ps(rho, c), _mm512_castsi512_ps(z2))
    }

    /// The halves [..8] (`low`) or [8..] of two rounds in one register.
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn halves(first: &[f32; ROUND], second: &[f32; ROUND], low: bool) -> __m512 {
        let at = if low { 0 } else { LANES };
        // SAFETY: each slice is 8 floats (32 bytes).
        let (x, y): (__m256, __m256) = unsafe {
            (
                _mm256_loadu_ps(first[at..at + LANES].as_ptr()),
                _mm256_loadu_ps(second[at..at + LANES].as_ptr()),
            )
        };
        // The 64-bit forms are AVX-512F's (the 32-bit ones need AVX-512DQ); only bits move.
        _mm512_castpd_ps(_mm512_insertf64x4::<1>(
            _mm512_castpd256_pd512(_mm256_castps_pd(x)),
            _mm256_castps_pd(y),
        ))
    }

    /// Stores the two halves of `v` back where [`halves`] read them.
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn put_halves(first: &mut [f32; ROUND], second: &mut [f32; ROUND], low: bool, v: __m512) {
        let at = if low { 0 } else { LANES };
        // SAFETY: each slice is 8 floats (32 bytes).
        unsafe {
            _mm256_storeu_ps(
                first[at..at + LANES].as_mut_ptr(),
                _mm256_castpd_ps(_mm512_extractf64x4_pd::<0>(_mm512_castps_pd(v))),
            );
            _mm256_storeu_ps(
                second[at..at + LANES].as_mut_ptr(),
                _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(v))),
            );
        }
    }

    /// `avx2::fill`'s three passes; rounds in pairs in the second and third (a last odd
    /// round and a last partial one go through AVX2's own passes, the same operations).
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) fn fill(s: &mut [[u64; STREAMS]; 4], out: &mut [f32]) {
        let whole = out.len() / ROUND * ROUND;
        let (body, rest) = out.split_at_mut(whole);
        // SAFETY: each `s[w]` is 8 u64s, 64 bytes.
        let mut state: State =
            std::array::from_fn(|w| unsafe { _mm512_loadu_si512(s[w].as_ptr().cast()) });
        for round in body.chunks_exact_mut(ROUND) {
            // SAFETY: a round is 16 floats, 64 bytes.
            unsafe { _mm512_storeu_si512(round.as_mut_ptr().cast(), next(&mut state)) };
        }
        if !rest.is_empty() {
            let mut last = [0.0f32; ROUND];
            // SAFETY: as above.
            unsafe { _mm512_storeu_si512(last.as_mut_ptr().cast(), next(&mut state)) };
            super::avx2::square_radii(&mut last);
            super::avx2::samples(&mut last);
            rest.copy_from_slice(&last[..rest.len()]);
        }
        for (w, words) in s.iter_mut().enumerate() {
            // SAFETY: as above.
            unsafe { _mm512_storeu_si512(words.as_mut_ptr().cast(), state[w]) };
        }
        let mut pairs = body.chunks_exact_mut(2 * ROUND);
        for two in &mut pairs {
            let (a, b) = two.split_at_mut(ROUND);
            let (a, b): (&mut [f32; ROUND], &mut [f32; ROUND]) = (
                a.try_into().expect("a round"),
                b.try_into().expect("a round"),
            );
            let words = _mm512_castps_si512(halves(a, b, true));
            put_halves(a, b, true, signed_square_radius(words));
            let (v, bw) = (halves(a, b, true), _mm512_castps_si512(halves(a, b, false)));
            let (c, sn) = turn(signed_root(v), bw);
            put_halves(a, b, true, c);
            put_halves(a, b, false, sn);
        }
        let odd = pairs.into_remainder();
        if !odd.is_empty() {
            let round: &mut [f32; ROUND] = odd.try_into().expect("one whole round");
            super::avx2::square_radii(round);
            super::avx2::samples(round);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn stream(seed: u64) -> NormalStream {
        NormalStream::from_rng(&mut Xoshiro256PlusPlus::seed_from_u64(seed))
    }

    #[test]
    fn every_lane_is_xoshiro256plusplus_and_the_lanes_are_jumps_apart() {
        let mut g =
            Xoshiro256PlusPlus::seed_from_u64(Xoshiro256PlusPlus::seed_from_u64(9).next_u64());
        let mut ns = stream(9);
        for k in 0..STREAMS {
            let mut reference = g.clone();
            for _ in 0..5 {
                assert_eq!(next(&mut ns.s, k), reference.next_u64(), "stream {k}");
            }
            g.jump();
        }
    }

    #[test]
    fn simd_and_portable_give_bitwise_the_same_samples() {
        // The dispatched kernel, and AVX2's on its own where AVX-512 is what is dispatched;
        // lengths with an odd and an even number of rounds, and a partial last one.
        type Fill = fn(&mut NormalStream, &mut [f32]);
        let mut kernels: Vec<(&str, Fill)> = vec![("dispatched", |s, v| s.fill(v))];
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA (checked just above).
            kernels.push(("avx2", |s, v| unsafe { avx2::fill(&mut s.s, v) }));
        }
        for (name, fill) in kernels {
            for len in [0, 1, 15, 16, 17, 32, 48, 53, 1024, 1000, 4096 + 5] {
                let (mut a, mut b) = (stream(5), stream(5));
                let (mut va, mut vb) = (vec![f32::NAN; len], vec![f32::NAN; len]);
                for _ in 0..3 {
                    fill(&mut a, &mut va);
                    b.fill_portable(&mut vb);
                    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&va), bits(&vb), "{name}, length {len}");
                }
                assert_eq!(a, b, "{name}: the states after, length {len}");
            }
        }
    }

    #[test]
    fn same_seed_same_samples_and_odd_lengths_fill() {
        let draw = |seed, n| {
            let mut v = vec![f32::NAN; n];
            stream(seed).fill(&mut v);
            v
        };
        assert_eq!(draw(3, 1001), draw(3, 1001));
        assert_ne!(draw(3, 1001), draw(4, 1001));
        assert!(draw(5, 7).iter().all(|v| v.is_finite()));
    }

    #[test]
    fn the_polynomials_are_accurate() {
        let mut worst = [0.0f64; 3];
        for i in 0..=100_000 {
            let y = i as f32 / 100_000.0;
            let phi = std::f64::consts::FRAC_PI_4 * f64::from(y);
            let y2 = y * y;
            worst[0] = worst[0].max((f64::from(y * horner(&SIN, y2)) - phi.sin()).abs());
            worst[1] = worst[1].max((f64::from(horner(&COS, y2)) - phi.cos()).abs());
        }
        // ln over the whole range of u: every exponent, mantissas across [1, 2).
        for e in 0..32 {
            for i in 0..2_000 {
                let u = (1.0 + i as f32 / 2_000.0) * 2f32.powi(-e - 1);
                let want = -2.0 * f64::from(u).ln();
                let rel = (f64::from(minus_two_ln(u)) - want).abs() / want.max(1e-30);
                worst[2] = worst[2].max(rel);
            }
        }
        assert_eq!(minus_two_ln(1.0), 0.0);
        assert!(worst[0] < 1e-7 && worst[1] < 1.1e-7, "sin, cos: {worst:?}");
        assert!(worst[2] < 4e-7, "ln: {worst:?}");
    }

    #[test]
    fn extreme_words_give_finite_samples_within_the_cutoff() {
        for a in [0u32, 1, 2, 3, u32::MAX, u32::MAX - 1, 1 << 31] {
            for b in [0u32, 1, 2, 3, u32::MAX, 0xff, 0x100] {
                let (c, s) = pair(a, b);
                assert!(c.is_finite() && s.is_finite(), "{a:#x} {b:#x}");
                assert!(c.abs() <= 6.67 && s.abs() <= 6.67, "{a:#x} {b:#x}: {c} {s}");
            }
        }
        // The smallest u gives the largest radius, √(64 ln 2) = 6.660.
        let (c, s) = pair(0, 0);
        assert!((f64::from(c).hypot(f64::from(s)) - (64f64 * 2f64.ln()).sqrt()).abs() < 1e-5);
    }
}
