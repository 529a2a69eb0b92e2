//! Integer kernels over rows of sign bits, for the exact discrete network of the capacity
//! sweep: a neuron's P memory signs as bits (set: ξ = −1), 32 times smaller than i32 rows, so
//! that the whole of Ξ stays in the L2 cache (N = 4096, P = 1200: 614 KB) while the neurons
//! are visited in random order. The sums are integers, so they are exact in any order: the
//! AVX-512, AVX2 and portable forms give the same numbers whatever their order of addition.

// Index loops over fixed lane counts are the shape that maps onto SIMD registers.
#![allow(clippy::needless_range_loop)]

/// Integer lanes of one AVX2 register, and so the d values padded to a multiple of this.
const LANES: usize = 8;

/// Rows of ±1 entries as sign bits: row i is `words` u64s, bit μ set when entry μ is −1 (clear
/// past P).
#[derive(Debug, Clone)]
pub struct SignRows {
    p: usize,
    words: usize,
    bits: Vec<u64>,
    /// Per row, the number of −1 entries.
    negatives: Vec<u32>,
}

impl SignRows {
    /// `negative(i, μ)` tells whether entry μ of row i is −1; `n` rows of `p` entries.
    pub fn new(n: usize, p: usize, negative: impl Fn(usize, usize) -> bool) -> Self {
        let words = p.div_ceil(64);
        let mut bits = vec![0u64; n * words];
        for i in 0..n {
            for mu in 0..p {
                if negative(i, mu) {
                    bits[i * words + mu / 64] |= 1 << (mu % 64);
                }
            }
        }
        let negatives = (0..n)
            .map(|i| {
                bits[i * words..(i + 1) * words]
                    .iter()
                    .map(|w| w.count_ones())
                    .sum()
            })
            .collect();
        Self {
            p,
            words,
            bits,
            negatives,
        }
    }

    /// The length a d vector must have for [`Self::dot`] and [`Self::add_signed`]: P rounded up
    /// to whole words of bits (the entries past P are never read as part of a sum).
    pub fn padded(&self) -> usize {
        self.words * 64
    }

    /// Σ_μ ξ_iμ (the entries of row i summed).
    pub fn row_sum(&self, i: usize) -> i64 {
        self.p as i64 - 2 * i64::from(self.negatives[i])
    }

    fn row(&self, i: usize) -> &[u64] {
        &self.bits[i * self.words..(i + 1) * self.words]
    }

    /// Σ_μ ξ_iμ d_μ, exactly, given `total` = Σ_μ d_μ: total − 2·Σ_{ξ_iμ = −1} d_μ. The masked
    /// sum is taken in i32 lanes, exact when |d_μ|·P < 2³¹ (the caller's promise: `narrow`);
    /// otherwise in i64.
    pub fn dot(&self, i: usize, d: &[i32], total: i64, narrow: bool) -> i64 {
        debug_assert!(d.len() >= self.padded());
        let row = self.row(i);
        let negative = if narrow {
            i64::from(masked_sum(row, d))
        } else {
            masked_sum_wide(row, d)
        };
        total - 2 * negative
    }

    /// Σ_μ ξ_iμ v_μ in i64, exactly, given `total` = Σ_μ v_μ: total − 2·Σ_{ξ_iμ = −1} v_μ (for
    /// values past i32, as the dense network's squared overlaps). A portable, branch-free loop.
    pub fn dot_wide(&self, i: usize, v: &[i64], total: i64) -> i64 {
        debug_assert!(v.len() >= self.padded());
        let mut negative = 0i64;
        for (word, chunk) in self.row(i).iter().zip(v.chunks_exact(64)) {
            for (k, &x) in chunk.iter().enumerate() {
                negative += x & -(((word >> k) & 1) as i64);
            }
        }
        total - 2 * negative
    }

    /// The number of entries where row i and row j of `other` (of the same length) differ.
    pub fn differences(&self, i: usize, other: &SignRows, j: usize) -> u32 {
        assert_eq!(self.p, other.p, "rows of the same length");
        differences(self.row(i), other.row(j))
    }

    /// d_μ += ξ_iμ · v for every μ (past P too: those entries are never summed).
    pub fn add_signed(&self, i: usize, v: i32, d: &mut [i32]) {
        debug_assert!(d.len() >= self.padded());
        add_signed(self.row(i), v, d);
    }
}

/// Σ of d_μ over the set bits of `row`, in i32.
fn masked_sum(row: &[u64], d: &[i32]) -> i32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F, checked just above.
            return unsafe { avx512::masked_sum(row, d) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { avx2::masked_sum(row, d) };
        }
    }
    masked_sum_portable(row, d)
}

fn masked_sum_portable(row: &[u64], d: &[i32]) -> i32 {
    set_bits(row).map(|mu| d[mu]).sum()
}

fn masked_sum_wide(row: &[u64], d: &[i32]) -> i64 {
    set_bits(row).map(|mu| i64::from(d[mu])).sum()
}

/// The positions of the set bits of `row`, in order.
fn set_bits(row: &[u64]) -> impl Iterator<Item = usize> + '_ {
    row.iter().enumerate().flat_map(|(w, &word)| {
        let mut bits = word;
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let at = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                w * 64 + at
            })
        })
    })
}

/// Σ popcount(a_w XOR b_w), with the POPCNT instruction where the CPU has it.
fn differences(a: &[u64], b: &[u64]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vpopcntdq")
        {
            // SAFETY: the CPU supports both, checked just above.
            return unsafe { differences_avx512(a, b) };
        }
        if std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: the CPU supports POPCNT, checked just above.
            return unsafe { differences_popcnt(a, b) };
        }
    }
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// [`differences`] 8 words at a time (`vpopcntq`), the rest with POPCNT.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vpopcntdq,popcnt")]
fn differences_avx512(a: &[u64], b: &[u64]) -> u32 {
    use std::arch::x86_64::{
        _mm512_add_epi64, _mm512_loadu_epi64, _mm512_popcnt_epi64, _mm512_reduce_add_epi64,
        _mm512_setzero_si512, _mm512_xor_si512,
    };
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let rest = differences_popcnt(a8.remainder(), b8.remainder());
    let mut acc = _mm512_setzero_si512();
    for (x, y) in a8.zip(b8) {
        // SAFETY: `x` and `y` have exactly 8 u64s.
        let (x, y) = unsafe {
            (
                _mm512_loadu_epi64(x.as_ptr().cast()),
                _mm512_loadu_epi64(y.as_ptr().cast()),
            )
        };
        acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_xor_si512(x, y)));
    }
    _mm512_reduce_add_epi64(acc) as u32 + rest
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn differences_popcnt(a: &[u64], b: &[u64]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// d_μ += (bit μ of `row` set ? −v : v).
fn add_signed(row: &[u64], v: i32, d: &mut [i32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F, checked just above.
            unsafe { avx512::add_signed(row, v, d) };
            return;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { avx2::add_signed(row, v, d) };
            return;
        }
    }
    add_signed_portable(row, v, d);
}

fn add_signed_portable(row: &[u64], v: i32, d: &mut [i32]) {
    for (w, &word) in row.iter().enumerate() {
        for b in 0..64 {
            d[w * 64 + b] += if word >> b & 1 == 1 { -v } else { v };
        }
    }
}

#[cfg(target_arch = "x86_64")]
pub(super) mod avx2 {
    use super::LANES;
    use std::arch::x86_64::{
        __m256, __m256i, _mm_add_epi32, _mm_cvtsi128_si32, _mm_shuffle_epi32, _mm256_add_epi32,
        _mm256_blendv_ps, _mm256_castps_si256, _mm256_castsi256_ps, _mm256_extracti128_si256,
        _mm256_loadu_si256, _mm256_set1_epi32, _mm256_setr_epi32, _mm256_setzero_ps,
        _mm256_setzero_si256, _mm256_sllv_epi32, _mm256_storeu_si256,
    };

    /// The shifts that move bit 8k + l of a 32-bit word to the sign bit of lane l (`blendv`
    /// reads it).
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(in crate::model) fn sign_shifts() -> [__m256i; 4] {
        std::array::from_fn(|k| {
            let s = |l: i32| 31 - 8 * k as i32 - l;
            _mm256_setr_epi32(s(0), s(1), s(2), s(3), s(4), s(5), s(6), s(7))
        })
    }

    /// Loads 8 i32s from `v` at `at`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn load(v: &[i32], at: usize) -> __m256i {
        let v = &v[at..at + LANES];
        // SAFETY: `v` has exactly 8 i32s (the slicing above checks it).
        unsafe { _mm256_loadu_si256(v.as_ptr().cast()) }
    }

    /// Calls `f(at, sign)` for each 8 entries at.. of the row, lane l of `sign` holding the bit
    /// of entry at + l in its sign bit (which `blendv` reads).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn each_eight(row: &[u64], mut f: impl FnMut(usize, __m256)) {
        let shifts = sign_shifts();
        for (w, &word) in row.iter().enumerate() {
            for half in 0..2 {
                let bits = _mm256_set1_epi32((word >> (32 * half)) as u32 as i32);
                for k in 0..4 {
                    let sign = _mm256_castsi256_ps(_mm256_sllv_epi32(bits, shifts[k]));
                    f(w * 64 + half * 32 + k * LANES, sign);
                }
            }
        }
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn masked_sum(row: &[u64], d: &[i32]) -> i32 {
        let zero = _mm256_setzero_ps();
        // Four accumulators, one for each k of `each_eight`, so the additions overlap.
        let mut acc = [_mm256_setzero_si256(); 4];
        each_eight(row, |at, sign| {
            // d where the bit is set, else 0.
            let picked = _mm256_blendv_ps(zero, _mm256_castsi256_ps(load(d, at)), sign);
            let k = at / LANES % 4;
            acc[k] = _mm256_add_epi32(acc[k], _mm256_castps_si256(picked));
        });
        let all = _mm256_add_epi32(
            _mm256_add_epi32(acc[0], acc[1]),
            _mm256_add_epi32(acc[2], acc[3]),
        );
        let four = _mm_add_epi32(
            _mm256_extracti128_si256::<0>(all),
            _mm256_extracti128_si256::<1>(all),
        );
        let two = _mm_add_epi32(four, _mm_shuffle_epi32::<0b01_00_11_10>(four));
        let one = _mm_add_epi32(two, _mm_shuffle_epi32::<0b10_11_00_01>(two));
        _mm_cvtsi128_si32(one)
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn add_signed(row: &[u64], v: i32, d: &mut [i32]) {
        let plus = _mm256_castsi256_ps(_mm256_set1_epi32(v));
        let minus = _mm256_castsi256_ps(_mm256_set1_epi32(v.wrapping_neg()));
        each_eight(row, |at, sign| {
            let step = _mm256_castps_si256(_mm256_blendv_ps(plus, minus, sign));
            let sum = _mm256_add_epi32(load(d, at), step);
            let dst = &mut d[at..at + LANES];
            // SAFETY: `dst` has exactly 8 i32s.
            unsafe { _mm256_storeu_si256(dst.as_mut_ptr().cast(), sum) };
        });
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    //! The bits of a row are the masks of 16-lane operations: one masked add (or blend) for
    //! each 16 entries, where AVX2 shifts, blends and adds for each 8.
    use std::arch::x86_64::{
        __m512i, _mm512_add_epi32, _mm512_loadu_si512, _mm512_mask_add_epi32,
        _mm512_mask_blend_epi32, _mm512_reduce_add_epi32, _mm512_set1_epi32, _mm512_setzero_si512,
        _mm512_storeu_si512,
    };

    /// 16-lane pieces of a 64-bit word of a row.
    const PIECES: usize = 4;

    /// Loads 16 i32s from `v` at `at`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn load(v: &[i32], at: usize) -> __m512i {
        let v = &v[at..at + 16];
        // SAFETY: `v` has exactly 16 i32s (the slicing above checks it).
        unsafe { _mm512_loadu_si512(v.as_ptr().cast()) }
    }

    #[target_feature(enable = "avx512f")]
    pub(super) fn masked_sum(row: &[u64], d: &[i32]) -> i32 {
        // One accumulator for each piece, so the additions overlap.
        let mut acc = [_mm512_setzero_si512(); PIECES];
        for (w, &word) in row.iter().enumerate() {
            for k in 0..PIECES {
                let mask = (word >> (16 * k)) as u16;
                acc[k] = _mm512_mask_add_epi32(acc[k], mask, acc[k], load(d, w * 64 + 16 * k));
            }
        }
        let all = _mm512_add_epi32(
            _mm512_add_epi32(acc[0], acc[1]),
            _mm512_add_epi32(acc[2], acc[3]),
        );
        _mm512_reduce_add_epi32(all)
    }

    #[target_feature(enable = "avx512f")]
    pub(super) fn add_signed(row: &[u64], v: i32, d: &mut [i32]) {
        let (plus, minus) = (_mm512_set1_epi32(v), _mm512_set1_epi32(v.wrapping_neg()));
        for (w, &word) in row.iter().enumerate() {
            for k in 0..PIECES {
                let at = w * 64 + 16 * k;
                let step = _mm512_mask_blend_epi32((word >> (16 * k)) as u16, plus, minus);
                let sum = _mm512_add_epi32(load(d, at), step);
                let dst = &mut d[at..at + 16];
                // SAFETY: `dst` has exactly 16 i32s.
                unsafe { _mm512_storeu_si512(dst.as_mut_ptr().cast(), sum) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize, p: usize) -> (SignRows, Vec<Vec<i32>>) {
        let sign = |i: usize, mu: usize| (i * 31 + mu * 17 + i * mu / 3) % 5 < 2;
        let dense = (0..n)
            .map(|i| (0..p).map(|mu| if sign(i, mu) { -1 } else { 1 }).collect())
            .collect();
        (SignRows::new(n, p, sign), dense)
    }

    #[test]
    fn dot_and_add_match_the_dense_rows_at_odd_sizes() {
        for (n, p) in [(5, 1), (7, 63), (9, 64), (4, 65), (3, 400), (2, 1201)] {
            let (signs, dense) = rows(n, p);
            let mut d = vec![0i32; signs.padded()];
            let mut d_dense = vec![0i32; p];
            for i in 0..n {
                let v = (i as i32 % 3) - 1 + 2 * (i as i32);
                signs.add_signed(i, v, &mut d);
                for mu in 0..p {
                    d_dense[mu] += dense[i][mu] * v;
                }
            }
            assert_eq!(&d[..p], &d_dense[..], "N={n} P={p}");
            let total: i64 = d[..p].iter().map(|&v| i64::from(v)).sum();
            for i in 0..n {
                let want: i64 = (0..p).map(|mu| i64::from(dense[i][mu] * d_dense[mu])).sum();
                assert_eq!(signs.dot(i, &d, total, true), want, "row {i}, N={n} P={p}");
                assert_eq!(signs.dot(i, &d, total, false), want, "row {i} wide");
                // Values past i32 (the dense network's d²): the i64 form.
                let big: Vec<i64> = (0..signs.padded())
                    .map(|mu| {
                        if mu < p {
                            (i64::from(d[mu]) << 33) + mu as i64
                        } else {
                            0
                        }
                    })
                    .collect();
                let want: i64 = (0..p).map(|mu| i64::from(dense[i][mu]) * big[mu]).sum();
                let total: i64 = big.iter().sum();
                assert_eq!(signs.dot_wide(i, &big, total), want, "row {i} i64");
                let sum: i64 = dense[i].iter().map(|&v| i64::from(v)).sum();
                assert_eq!(signs.row_sum(i), sum);
            }
        }
    }

    #[test]
    fn differences_count_the_unequal_entries() {
        // 18 words: two pieces of 8 for the AVX-512 form and a remainder of 2.
        let a = SignRows::new(2, 1100, |i, mu| (mu + i) % 3 == 0);
        let b = SignRows::new(1, 1100, |_, mu| mu % 2 == 0);
        for i in 0..2 {
            let want = (0..1100)
                .filter(|&mu| ((mu + i) % 3 == 0) != (mu % 2 == 0))
                .count();
            assert_eq!(a.differences(i, &b, 0) as usize, want);
            let (x, y) = (a.row(i), b.row(0));
            let portable: u32 = x.iter().zip(y).map(|(x, y)| (x ^ y).count_ones()).sum();
            assert_eq!(a.differences(i, &b, 0), portable);
        }
    }

    #[test]
    fn the_simd_forms_equal_the_portable_ones() {
        type Sum = unsafe fn(&[u64], &[i32]) -> i32;
        type Add = unsafe fn(&[u64], i32, &mut [i32]);
        #[allow(unused_mut)]
        let mut forms: Vec<(&str, Sum, Add)> = Vec::new();
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                forms.push(("avx2", avx2::masked_sum, avx2::add_signed));
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                forms.push(("avx512", avx512::masked_sum, avx512::add_signed));
            }
        }
        let (signs, _) = rows(3, 300);
        let d: Vec<i32> = (0..signs.padded() as i32).map(|k| k * 7 - 900).collect();
        for i in 0..3 {
            let row = signs.row(i);
            let mut want = d.clone();
            add_signed_portable(row, -5, &mut want);
            for &(name, sum, add) in &forms {
                // SAFETY: the CPU has the form's instructions (checked where it was listed).
                unsafe {
                    assert_eq!(sum(row, &d), masked_sum_portable(row, &d), "{name}");
                    let mut got = d.clone();
                    add(row, -5, &mut got);
                    assert_eq!(got, want, "{name}");
                }
            }
        }
    }
}
