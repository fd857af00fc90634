//! A wrong sum, [`Counterexample`], and [`decimal_sum`] to write sums: they
//! depend on nothing else in the crate, so the one [`Error`](crate::Error)
//! type can carry a counterexample.

use std::fmt;

/// A sum the network gets wrong: the smallest the verifier found, by width,
/// then `a`, then `b`.
///
/// # Examples
///
/// ```
/// use const_rnn::Counterexample;
///
/// let wrong = Counterexample { width: 3, a: 3, b: 5, network: (0, false), expected: (0, true) };
/// assert_eq!(wrong.to_string(), "3 + 5 = 0 (3 bits), expected 8");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Counterexample {
    /// The width of the operands, in bits.
    pub width: usize,
    /// The first operand.
    pub a: u128,
    /// The second operand.
    pub b: u128,
    /// The network's sum, as [`Adder::add`](crate::Adder::add) returns it: low `width` bits and carry.
    pub network: (u128, bool),
    /// The true sum, in the same form.
    pub expected: (u128, bool),
}

impl fmt::Display for Counterexample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sum = |sum| decimal_sum(self.width, sum);
        write!(
            f,
            "{} + {} = {} ({} bits), expected {}",
            self.a,
            self.b,
            sum(self.network),
            self.width,
            sum(self.expected)
        )
    }
}

/// The decimal digits of a sum as [`Adder::add`](crate::Adder::add) returns
/// it for `width`-bit operands: `low + carry * 2^width`, up to 129 bits.
///
/// A `width` above 128 is read as 128.
///
/// # Examples
///
/// ```
/// use const_rnn::decimal_sum;
///
/// assert_eq!(decimal_sum(8, (44, true)), "300");
/// assert_eq!(decimal_sum(128, (0, true)), "340282366920938463463374607431768211456");
/// ```
pub fn decimal_sum(width: usize, (low, carry): (u128, bool)) -> String {
    if !carry {
        return low.to_string();
    }
    if width < 128 {
        return (low | 1 << width).to_string();
    }
    // 2^128 = 3 * 10^38 + TWO_128_REST; split low the same way and add digit blocks.
    const TEN_38: u128 = 10_u128.pow(38);
    const TWO_128_REST: u128 = u128::MAX - 3 * TEN_38 + 1;
    let mut high = 3 + low / TEN_38;
    let mut rest = TWO_128_REST + low % TEN_38;
    if rest >= TEN_38 {
        rest -= TEN_38;
        high += 1;
    }
    format!("{high}{rest:038}")
}
