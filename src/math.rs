//! The crate's own exponential and sigmoid, written from IEEE 754 basic
//! operations only (`+`, `-`, `*`, `/`, comparisons and bit moves), so every
//! platform computes the same bits.
//!
//! The platform's `exp` (glibc, musl, macOS, Windows) differs in its last bit
//! from one libm to another, and every trained weight goes through thousands
//! of sigmoids: with it, a model trained from a seed would differ between
//! machines. These functions use no libm and no fused multiply-add (whose
//! rounding would depend on the target), and Rust never contracts `a * b + c`
//! on its own, so their results are the same on every target with IEEE 754
//! arithmetic, which is every target Rust supports with `std`.
//!
//! Training, [`Adder::add`](crate::Adder::add), the verifier and the prover all
//! call these, through [`Real::sigmoid`](crate::Real::sigmoid).
//!
//! # Method
//!
//! `exp(x)` reduces `x = k ln 2 + r` with `k` the nearest integer to `x / ln 2`
//! and `|r| <= ln 2 / 2` (Cody and Waite: `ln 2` in two parts, the first with
//! trailing zero bits, so `k * ln2_hi` is exact), approximates `exp(r)` by its
//! Taylor polynomial of degree 13 in Estrin's form (a short chain of
//! dependent operations, and no division: vector units divide slowly), and
//! scales by `2^k` exactly, in two steps where the result underflows so that
//! it is rounded once. `exp_f32` is the same method in `f32` with a degree-6
//! polynomial.
//!
//! [`sigmoid`], 17 times a step of the default network, has its own form with
//! fewer operations: the same reduction, then Cephes' rational approximation
//! `e^r ~ N / D` (two short polynomials in `r^2`), so that
//! `1 / (1 + 2^k N / D)` is `D / (D + 2^k N)`: one division in all, where
//! `1 / (1 + exp(-x))` would cost a longer polynomial and the same division.
//! [`sigmoid_f32`] is `1 / (1 + exp_f32(-x))`.
//!
//! # Accuracy
//!
//! Measured by the crate's test `tests/math.rs` against a double-double
//! reference (about 100 bits), over 1,000,000 arguments spread over the whole
//! range where the result is normal, 1,000,000 more in `[-64, 64]` (where the
//! networks' pre-activations lie) and 10,000 in `[-0.5, 0.5]`:
//!
//! | function | largest error measured | tested bound | where the result is normal |
//! |---|---:|---:|---|
//! | [`exp`] | 0.871 ulp | 1 ulp | `-708.39 <= x <= 709.78` |
//! | [`exp_f32`] | 0.966 ulp | 1.5 ulp | `-87.33 <= x <= 88.72` |
//! | [`sigmoid`] | 2.46 ulp | 3 ulp | everywhere (clamped below `-708`) |
//!
//! Beyond those ranges the result overflows to infinity or underflows to a
//! subnormal or zero, as IEEE 754 says; NaN gives NaN. The prover assumes the
//! exponential within [`EXP_RELATIVE_ERROR`](crate::EXP_RELATIVE_ERROR)
//! (2^-40, about 4,000 ulp) of the exact one, far above the error measured:
//! [`exp`]'s, and the ratio `2^k N / D` inside [`sigmoid`] (within `2^-50`
//! relative of [`exp`], 4.4e-16 measured, tested).

/// `1.5 * 2^52`: adding it rounds a value of magnitude below `2^51` to an
/// integer, which then sits in the low bits of the sum.
const SHIFT: f64 = 6_755_399_441_055_744.0;
const LOG2_E: f64 = core::f64::consts::LOG2_E;
/// `ln 2` in two parts: the first has 21 trailing zero bits, so `k * LN2_HI`
/// is exact for `|k| < 2^21`.
const LN2_HI: f64 = 0.6931471803691238;
const LN2_LO: f64 = 1.9082149292705877e-10;
/// The Taylor coefficients `1 / n!` of `exp(r)` for `n` from 2 to 13: for
/// `|r| <= ln 2 / 2` the terms left out are below `6e-18` of the result.
const TAYLOR: [f64; 12] = [
    0.5,
    0.16666666666666666,
    0.041666666666666664,
    0.008333333333333333,
    0.001388888888888889,
    0.0001984126984126984,
    2.48015873015873e-05,
    2.7557319223985893e-06,
    2.755731922398589e-07,
    2.505210838544172e-08,
    2.08767569878681e-09,
    1.6059043836821613e-10,
];
/// Above this `exp` overflows; below the lower bound it is 0.
const EXP_MAX: f64 = 709.782_712_893_384;
const EXP_MIN: f64 = -745.2;
/// `2^-1000`.
const TWO_TO_MINUS_1000: f64 = 9.332_636_185_032_189e-302;

/// `e^x` in `f64`, the same bits on every platform.
///
/// Below 1 ulp from the exact value wherever the result is normal (0.871 ulp
/// at most, measured against a double-double reference); see the
/// [module](self) for the method and the measurement.
///
/// # Examples
///
/// ```
/// use const_rnn::math::exp;
///
/// assert_eq!(exp(0.0), 1.0);
/// assert!((exp(1.0) - std::f64::consts::E).abs() <= f64::EPSILON * 3.0);
/// assert_eq!(exp(-800.0), 0.0);
/// assert_eq!(exp(800.0), f64::INFINITY);
/// assert!(exp(f64::NAN).is_nan());
/// ```
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let (y, k) = reduced(x);
    // 2^k: one exact product where the result is normal. Below, 2^(k + 1000)
    // then 2^-1000, so the result is rounded once; at k = 1024, 2^1023 then 2.
    let (k, last) = if k < -1000.0 {
        (k + 1000.0, TWO_TO_MINUS_1000)
    } else if k > 1023.0 {
        (k - 1.0, 2.0)
    } else {
        (k, 1.0)
    };
    let result = y * two_to(k) * last;
    if x > EXP_MAX {
        f64::INFINITY
    } else if x < EXP_MIN {
        0.0
    } else {
        result
    }
}

/// `exp(x) = y 2^k`: `k` the nearest integer to `x / ln 2` (as an `f64`) and
/// `y = exp(x - k ln 2)`, for `|x| < 2^51`; garbage beyond, which the callers
/// replace.
#[inline(always)]
fn reduced(x: f64) -> (f64, f64) {
    // Arguments out of range give garbage here, replaced at the end.
    let (k, hi, lo) = reduction(x);
    let r = hi - lo;
    // exp(r) = 1 + r + r^2 q(r), q(r) = 1/2 + r/6 + ... in Estrin's form:
    // pairs, then pairs of pairs, so that the chain of dependent operations
    // is short and many evaluations overlap (no division: vector units
    // divide slowly).
    let c = &TAYLOR;
    let r2 = r * r;
    let r4 = r2 * r2;
    let pair = |i: usize| c[i] + c[i + 1] * r;
    let low = pair(0) + pair(2) * r2;
    let middle = pair(4) + pair(6) * r2;
    let high = pair(8) + pair(10) * r2;
    let q = low + (middle + high * r4) * r4;
    // r + r^2 q as hi - (lo - r^2 q): hi is exact, so r's rounding stays out.
    let y = 1.0 + (hi - (lo - r2 * q));
    (y, k)
}

/// Cody and Waite's reduction `x = k ln 2 + (hi - lo)`: `k` the nearest
/// integer to `x / ln 2` (as an `f64`), `hi = x - k ln2_hi` (exact) and
/// `lo = k ln2_lo`, for `|x| < 2^51`.
#[inline(always)]
fn reduction(x: f64) -> (f64, f64, f64) {
    let k = (x * LOG2_E + SHIFT) - SHIFT;
    (k, x - k * LN2_HI, k * LN2_LO)
}

/// `1.5 * 2^23`, [`SHIFT`] for `f32`.
const SHIFT_F32: f32 = 12_582_912.0;
const LOG2_E_F32: f32 = core::f32::consts::LOG2_E;
/// `ln 2` in two parts: the first has 9 significant bits, so `k * LN2_HI_F32`
/// is exact for `|k| < 2^15`.
const LN2_HI_F32: f32 = f32::from_bits(0x3f31_8000);
const LN2_LO_F32: f32 = -0.00021219444;
/// Taylor-like coefficients of `exp(r) - 1 - r` for `|r| <= ln 2 / 2`, from Cephes' `expf`.
const Q: [f32; 6] = [
    0.00019875691,
    0.0013981999,
    0.008333452,
    0.041665796,
    0.16666666,
    0.5,
];
const EXP_MAX_F32: f32 = 88.72284;
const EXP_MIN_F32: f32 = -103.97208;

/// `e^x` in `f32`, the same bits on every platform.
///
/// Below 1.5 ulp from the exact value wherever the result is normal (0.966
/// ulp at most, measured); see the [module](self).
///
/// # Examples
///
/// ```
/// use const_rnn::math::exp_f32;
///
/// assert_eq!(exp_f32(0.0), 1.0);
/// assert!((exp_f32(1.0) - std::f32::consts::E).abs() <= f32::EPSILON * 3.0);
/// assert_eq!(exp_f32(-200.0), 0.0);
/// assert_eq!(exp_f32(100.0), f32::INFINITY);
/// ```
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    // Arguments out of range give garbage here, replaced at the end.
    let shifted = x * LOG2_E_F32 + SHIFT_F32;
    let k = shifted - SHIFT_F32;
    let k_bits = (shifted.to_bits() as i32).wrapping_sub(SHIFT_F32.to_bits() as i32);
    let r = (x - k * LN2_HI_F32) - k * LN2_LO_F32;
    let mut p = Q[0];
    for q in &Q[1..] {
        p = p * r + *q;
    }
    let y = p * (r * r) + r + 1.0;
    let k1 = k_bits >> 1;
    let k2 = k_bits.wrapping_sub(k1);
    let scale = |e: i32| f32::from_bits((e.wrapping_add(127) as u32 & 0xff) << 23);
    let result = y * scale(k1) * scale(k2);
    if x > EXP_MAX_F32 {
        f32::INFINITY
    } else if x < EXP_MIN_F32 {
        0.0
    } else {
        result
    }
}

/// The logistic sigmoid `1 / (1 + e^-x)`: what every unit of an `f64` network
/// computes, the same bits on every platform.
///
/// Within 3 ulp of the exact sigmoid (2.46 ulp at most, measured against a
/// double-double reference), with one division: it writes `e^-x = 2^k N / D`
/// (the reduction of [`exp`], then Cephes' rational form of `e^r`,
/// `N = Q(r^2) + r P(r^2)` and `D = Q(r^2) - r P(r^2)`) and computes
/// `D / (D + 2^k N)`, which is `1 / (1 + e^-x)` without a second division.
/// The argument is first clamped to `[-708, 708]`, where `2^k N` is normal:
/// the result is 1 from `x = 37.43` up, and at most `3.3e-308` (e^-708) below
/// `-708`, instead of a smaller number or 0.
///
/// # Examples
///
/// ```
/// use const_rnn::math::sigmoid;
///
/// assert_eq!(sigmoid(0.0), 0.5);
/// assert_eq!(sigmoid(1000.0), 1.0);
/// assert!((sigmoid(-5.0) - 1.0 / (1.0 + const_rnn::math::exp(5.0))).abs() < 1e-17);
/// assert!(sigmoid(-1000.0) > 0.0 && sigmoid(-1000.0) < 3.4e-308);
/// assert!(sigmoid(f64::NAN).is_nan());
/// ```
#[inline(always)]
pub fn sigmoid(x: f64) -> f64 {
    let (numerator, denominator, scale) = exp_ratio(x);
    denominator / (denominator + numerator * scale)
}

/// `e^-x = scale * numerator / denominator` for `x` clamped to `[-708, 708]`,
/// `scale` a power of two (normal), the ratio near `e^r` for `|r| <= ln 2 / 2`.
#[inline(always)]
fn exp_ratio(x: f64) -> (f64, f64, f64) {
    // NaN passes through.
    let (k, hi, lo) = reduction((-x).clamp(-708.0, 708.0));
    let r = hi - lo;
    let r2 = r * r;
    let [p0, p1, p2] = PADE_P;
    let [q0, q1, q2, q3] = PADE_Q;
    let odd = r * ((p0 * r2 + p1) * r2 + p2);
    let even = ((q0 * r2 + q1) * r2 + q2) * r2 + q3;
    (even + odd, even - odd, two_to(k))
}

/// `2^k` for an integral `k` (an `f64`) from -1022 to 1023.
#[inline(always)]
fn two_to(k: f64) -> f64 {
    // k + SHIFT holds k in its low bits; no integer shift right, which vector
    // units of two 64-bit lanes lack.
    let k_bits = (k + SHIFT).to_bits().wrapping_sub(SHIFT.to_bits());
    f64::from_bits(k_bits.wrapping_add(1023) << 52)
}

/// Cephes' rational approximation of `e^r` on `|r| <= ln 2 / 2`:
/// `e^r ~ (Q(r^2) + r P(r^2)) / (Q(r^2) - r P(r^2))`, coefficients from the
/// highest power down.
const PADE_P: [f64; 3] = [1.261_771_930_748_105_8e-4, 3.029_944_077_074_419_5e-2, 1.0];
const PADE_Q: [f64; 4] = [
    3.001_985_051_386_644_6e-6,
    2.524_483_403_496_841e-3,
    2.272_655_482_081_550_3e-1,
    2.0,
];

/// The logistic sigmoid `1 / (1 + e^-x)` with [`exp_f32`]: what every unit of
/// an `f32` network computes.
///
/// # Examples
///
/// ```
/// assert_eq!(const_rnn::math::sigmoid_f32(0.0), 0.5);
/// ```
#[inline(always)]
pub fn sigmoid_f32(x: f32) -> f32 {
    1.0 / (1.0 + exp_f32(-x))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exponential inside the sigmoid, `2^k N / D`, against [`exp`]
    /// (itself within 0.9 ulp of the exact value): the prover assumes it
    /// within 2^-40 of the exact exponential.
    #[test]
    fn the_sigmoids_exponential_is_close_to_exp() {
        let mut worst: f64 = 0.0;
        for i in 0..=2_000_000 {
            let x = -708.0 + f64::from(i) * 708.0e-6;
            for x in [x, x * 1e-3] {
                let (numerator, denominator, scale) = exp_ratio(x);
                let ratio = scale * numerator / denominator;
                worst = worst.max((ratio / exp(-x) - 1.0).abs());
            }
        }
        println!("largest relative difference {worst:e}");
        assert!(worst < 4.0 * f64::EPSILON, "{worst:e}");
    }
}
