//! The crate's own `exp` and sigmoid: accuracy against a double-double
//! reference, special values, and bits pinned for every platform.

use const_rnn::math::{exp, exp_f32, sigmoid, sigmoid_f32};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// A double-double number `hi + lo`, about 106 bits.
#[derive(Debug, Clone, Copy)]
struct Dd {
    hi: f64,
    lo: f64,
}

fn two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let bb = s - a;
    Dd {
        hi: s,
        lo: (a - (s - bb)) + (b - bb),
    }
}

fn quick_two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    Dd {
        hi: s,
        lo: b - (s - a),
    }
}

/// Dekker's split of `a` into two halves of 26 bits.
fn split(a: f64) -> (f64, f64) {
    let c = 134_217_729.0 * a;
    let hi = c - (c - a);
    (hi, a - hi)
}

/// `a * b` exactly, without a fused multiply-add.
fn two_prod(a: f64, b: f64) -> Dd {
    let p = a * b;
    let ((ah, al), (bh, bl)) = (split(a), split(b));
    Dd {
        hi: p,
        lo: ((ah * bh - p) + ah * bl + al * bh) + al * bl,
    }
}

impl Dd {
    fn from(x: f64) -> Dd {
        Dd { hi: x, lo: 0.0 }
    }

    fn add(self, other: Dd) -> Dd {
        let s = two_sum(self.hi, other.hi);
        quick_two_sum(s.hi, s.lo + self.lo + other.lo)
    }

    fn mul(self, other: Dd) -> Dd {
        let p = two_prod(self.hi, other.hi);
        quick_two_sum(p.hi, p.lo + self.hi * other.lo + self.lo * other.hi)
    }

    /// `1 / n` for a small integer `n`.
    fn reciprocal(n: f64) -> Dd {
        let hi = 1.0 / n;
        let p = two_prod(hi, n);
        quick_two_sum(hi, -((p.hi - 1.0) + p.lo) / n)
    }

    fn scale(self, power_of_two: f64) -> Dd {
        Dd {
            hi: self.hi * power_of_two,
            lo: self.lo * power_of_two,
        }
    }
}

/// `ln 2` as a double-double.
const LN2: Dd = Dd {
    hi: std::f64::consts::LN_2,
    lo: 2.319_046_813_846_299_6e-17,
};

/// `e^x` to about 100 bits, as `(m, k)` with `e^x = m 2^k` and `m` near 1.
fn exp_reference(x: f64) -> (Dd, i32) {
    let k = (x / LN2.hi).round();
    let r = Dd::from(x).add(Dd::from(-k).mul(LN2));
    // Taylor's series at |r| <= 0.35: 30 terms reach far below 2^-106.
    let (mut sum, mut term) = (Dd::from(1.0), Dd::from(1.0));
    for n in 1..30 {
        term = term.mul(r).mul(Dd::reciprocal(f64::from(n)));
        sum = sum.add(term);
    }
    (sum, k as i32)
}

/// `e^x` as a double-double, for `x` where its low part is normal too.
fn exp_dd(x: f64) -> Dd {
    let (m, k) = exp_reference(x);
    m.scale(power_of_two(k))
}

/// The distance of a normal `found` from `e^x` in units of the last place
/// of a format with `mantissa_bits` bits after the point, measured at the
/// reference's scale (`found 2^-k` is exact: powers of two only).
fn ulps(found: f64, x: f64, mantissa_bits: i32) -> f64 {
    let (exact, k) = exp_reference(x);
    let half = k / 2;
    let found = found * power_of_two(-half) * power_of_two(half - k);
    let exponent = ((exact.hi.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let ulp = power_of_two(exponent - mantissa_bits);
    ((found - exact.hi) - exact.lo).abs() / ulp
}

/// `2^e` for `-1074 <= e <= 1023`, subnormal or normal, exactly.
fn power_of_two(e: i32) -> f64 {
    if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        f64::from_bits(1 << (e + 1074))
    }
}

/// Arguments over the whole normal range and, densely, over `[-64, 64]`,
/// where the networks' pre-activations lie.
fn arguments(low: f64, high: f64, count: usize) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let wide: Vec<f64> = (0..count).map(|_| rng.random_range(low..high)).collect();
    let dense: Vec<f64> = (0..count).map(|_| rng.random_range(-64.0..64.0)).collect();
    let near_zero = (0..10_000).map(|i| f64::from(i - 5_000) * 1e-4);
    wide.into_iter().chain(dense).chain(near_zero).collect()
}

#[test]
fn the_reference_is_exact_enough() {
    // e = 2.71828182845904523536028747135266249..., its double-double parts.
    let e = exp_dd(1.0);
    assert_eq!(e.hi, std::f64::consts::E);
    assert!(
        (e.lo - 1.445_646_891_729_250_2e-16).abs() < 1e-31,
        "{}",
        e.lo
    );
    // e^-3 e^3 = 1 and (e^0.3)^2 = e^0.6, to about 100 bits.
    let one = exp_dd(-3.0).mul(exp_dd(3.0));
    assert!((one.hi - 1.0).abs() + one.lo.abs() < 1e-29, "{one:?}");
    let (square, direct) = (exp_dd(0.3).mul(exp_dd(0.3)), exp_dd(0.6));
    assert!(((square.hi - direct.hi) + (square.lo - direct.lo)).abs() < 1e-29);
}

/// The largest error, in ulp, of `error(x)` over `xs`, and where it is.
fn largest_error(xs: impl Iterator<Item = f64>, error: impl Fn(f64) -> f64) -> (f64, f64) {
    xs.map(|x| (error(x), x)).fold(
        (0.0, 0.0),
        |worst, found| if found.0 > worst.0 { found } else { worst },
    )
}

#[test]
fn exp_is_within_one_ulp_wherever_normal() {
    let worst = largest_error(arguments(-708.39, 709.78, 1_000_000).into_iter(), |x| {
        ulps(exp(x), x, 52)
    });
    println!("exp: largest error {:.3} ulp at {:e}", worst.0, worst.1);
    assert!(worst.0 < 1.0, "{worst:?}");
}

#[test]
fn exp_f32_is_within_one_and_a_half_ulp_wherever_normal() {
    // The arguments rounded to f32 first, so that both sides see the same x.
    let xs = arguments(-87.33, 88.72, 1_000_000)
        .into_iter()
        .map(|x| f64::from(x as f32));
    let worst = largest_error(xs, |x| ulps(f64::from(exp_f32(x as f32)), x, 23));
    println!("exp_f32: largest error {:.3} ulp at {:e}", worst.0, worst.1);
    assert!(worst.0 < 1.5, "{worst:?}");
}

#[test]
fn exp_handles_the_ends_of_its_range() {
    assert_eq!(exp(0.0), 1.0);
    assert_eq!(exp(-0.0), 1.0);
    assert_eq!(exp(f64::INFINITY), f64::INFINITY);
    assert_eq!(exp(f64::NEG_INFINITY), 0.0);
    assert!(exp(f64::NAN).is_nan());
    assert_eq!(exp(709.79), f64::INFINITY);
    assert!(exp(709.78).is_finite());
    assert_eq!(exp(-745.2), 0.0);
    // Results that underflow to subnormals are rounded once.
    let tiny = exp(-740.0);
    assert!(tiny > 0.0 && tiny < f64::MIN_POSITIVE);
    // e^-740 is 84.78 times the smallest subnormal: rounded, 85 times.
    assert_eq!(tiny.to_bits(), 85, "{tiny:e}");
    assert_eq!(exp(-745.1), 5e-324);

    assert_eq!(exp_f32(0.0), 1.0);
    assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
    assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
    assert!(exp_f32(f32::NAN).is_nan());
    assert_eq!(exp_f32(88.73), f32::INFINITY);
    assert!(exp_f32(88.72).is_finite());
    let tiny = exp_f32(-100.0);
    assert!(tiny > 0.0 && tiny < f32::MIN_POSITIVE);
}

#[test]
fn sigmoid_saturates_and_is_symmetric_at_zero() {
    assert_eq!(sigmoid(0.0), 0.5);
    assert_eq!(sigmoid(40.0), 1.0);
    assert_eq!(sigmoid(1e6), 1.0);
    assert_eq!(sigmoid_f32(0.0), 0.5);
    assert_eq!(sigmoid_f32(-1e6), 0.0);
    for x in [1e-300, 1e-9, 0.1, 1.0, 3.0, 10.0] {
        // sigmoid(x) + sigmoid(-x) = 1, to rounding.
        assert!((sigmoid(x) + sigmoid(-x) - 1.0).abs() <= 2.0 * f64::EPSILON);
    }
}

/// `a / b` as a double-double, for normal `a` and `b`.
fn divide(a: Dd, b: Dd) -> Dd {
    let q1 = a.hi / b.hi;
    let r = a.add(b.mul(Dd::from(-q1)));
    let q2 = r.hi / b.hi;
    let r = r.add(b.mul(Dd::from(-q2)));
    let q3 = r.hi / b.hi;
    two_sum(q1, q2).add(Dd::from(q3))
}

/// The distance of `found` from the exact sigmoid of `x`, in ulp of the
/// exact value.
fn sigmoid_ulps(found: f64, x: f64) -> f64 {
    let exact = divide(Dd::from(1.0), Dd::from(1.0).add(exp_dd(-x)));
    let exponent = ((exact.hi.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    ((found - exact.hi) - exact.lo).abs() / power_of_two(exponent - 52)
}

#[test]
fn sigmoid_is_within_three_ulp() {
    let worst = largest_error(arguments(-708.0, 708.0, 1_000_000).into_iter(), |x| {
        sigmoid_ulps(sigmoid(x), x)
    });
    println!("sigmoid: largest error {:.3} ulp at {:e}", worst.0, worst.1);
    assert!(worst.0 < 3.0, "{worst:?}");
    // 1 / (1 + exp(-x)) with the crate's exp, for comparison: about as close.
    let worst = largest_error(arguments(-708.0, 708.0, 100_000).into_iter(), |x| {
        sigmoid_ulps(1.0 / (1.0 + exp(-x)), x)
    });
    println!(
        "1 / (1 + exp(-x)): largest error {:.3} ulp at {:e}",
        worst.0, worst.1
    );
}

#[test]
fn sigmoid_handles_the_ends_of_its_range() {
    assert_eq!(sigmoid(37.5), 1.0);
    assert_eq!(sigmoid(f64::INFINITY), 1.0);
    assert!(sigmoid(37.4) < 1.0);
    // Below -708 the argument is clamped: e^-708, not less.
    assert_eq!(sigmoid(-1e6), sigmoid(-708.0));
    assert_eq!(sigmoid(f64::NEG_INFINITY), sigmoid(-708.0));
    assert!(sigmoid(-708.0) > f64::MIN_POSITIVE && sigmoid(-708.0) < 3.4e-308);
    assert!(sigmoid(f64::NAN).is_nan());
}

/// FNV-1a over the bits of `exp`, `exp_f32` and `sigmoid` at 100,001 arguments.
fn exp_bits_hash() -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut mix = |bits: u64| {
        hash ^= bits;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    for i in -50_000..=50_000 {
        let x = f64::from(i) * 0.001_37;
        mix(exp(x).to_bits());
        mix(u64::from(exp_f32(x as f32).to_bits()));
        mix(sigmoid(x * 0.05).to_bits());
    }
    hash
}

/// The same bits on every platform: these were recorded on x86-64 Linux and
/// hold on any target with IEEE 754 arithmetic, since the functions use no
/// libm and no fused multiply-add.
#[test]
fn exp_bits_are_pinned() {
    assert_eq!(exp(1.0).to_bits(), 0x4005_bf0a_8b14_576a);
    assert_eq!(exp_bits_hash(), 0x74c5_6b16_3b3d_de02);
}
