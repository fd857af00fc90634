//! `BitWidth<N>`: integers as least-significant-bit-first bit sequences.

use crate::Error;

/// The width, in bits, of the operands of an addition: `N` from 1 to 128.
///
/// An operand of width `N` is read by the network one bit per time step, least
/// significant bit first. Adding two `N`-bit operands takes `N + 1` steps (the
/// last with input `(0, 0)`), so the carry out of the top bit comes back too.
///
/// Any `N` outside `1..=128` is a compile error as soon as the width is used:
///
/// ```compile_fail,E0080
/// let _ = const_rnn::BitWidth::<0>::encode(0);
/// ```
///
/// ```compile_fail,E0080
/// let _ = const_rnn::BitWidth::<129>::MAX;
/// ```
///
/// # Examples
///
/// ```
/// use const_rnn::BitWidth;
///
/// let bits = BitWidth::<4>::encode(0b0110)?;
/// assert_eq!(bits, [false, true, true, false]); // least significant bit first
/// assert_eq!(BitWidth::<4>::decode(&bits), 6);
/// assert!(BitWidth::<4>::encode(16).is_err()); // too wide: never wrapped
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BitWidth<const N: usize>;

impl<const N: usize> BitWidth<N> {
    /// The width in bits, `N`; naming it rejects a width outside `1..=128` at compile time.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(const_rnn::BitWidth::<12>::BITS, 12);
    /// ```
    pub const BITS: usize = {
        assert!(
            N >= 1 && N <= 128,
            "BitWidth<N> needs 1 <= N <= 128 (an operand is a u128)"
        );
        N
    };

    /// The largest operand of this width, `2^N - 1`.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::BitWidth;
    ///
    /// assert_eq!(BitWidth::<8>::MAX, 255);
    /// assert_eq!(BitWidth::<128>::MAX, u128::MAX);
    /// ```
    pub const MAX: u128 = u128::MAX >> (128 - Self::BITS);

    /// The number of time steps an addition of two operands of this width takes: `N + 1`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(const_rnn::BitWidth::<8>::SUM_STEPS, 9);
    /// ```
    pub const SUM_STEPS: usize = Self::BITS + 1;

    /// Returns `value` if it fits in `N` bits.
    ///
    /// # Errors
    ///
    /// [`Error::TooWide`] if `value > Self::MAX`.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::BitWidth;
    ///
    /// assert_eq!(BitWidth::<3>::check(7), Ok(7));
    /// assert!(BitWidth::<3>::check(8).is_err());
    /// ```
    pub fn check(value: u128) -> Result<u128, Error> {
        if value <= Self::MAX {
            Ok(value)
        } else {
            Err(Error::TooWide {
                value,
                width: Self::BITS,
            })
        }
    }

    /// Encodes `value` as `N` bits, least significant first.
    ///
    /// # Errors
    ///
    /// [`Error::TooWide`] if `value` does not fit in `N` bits.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::BitWidth;
    ///
    /// assert_eq!(BitWidth::<3>::encode(0b011)?, [true, true, false]);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn encode(value: u128) -> Result<[bool; N], Error> {
        let value = Self::check(value)?;
        Ok(core::array::from_fn(|step| bit(value, step)))
    }

    /// Decodes `N` bits, least significant first, into an integer.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::BitWidth;
    ///
    /// assert_eq!(BitWidth::<3>::decode(&[false, false, true]), 4);
    /// ```
    pub fn decode(bits: &[bool; N]) -> u128 {
        let _ = Self::BITS;
        bits.iter()
            .enumerate()
            .fold(0, |value, (step, &set)| value | (u128::from(set) << step))
    }
}

/// Bit `step` of `value`, or `false` past the top bit (the carry-out step reads zeros).
pub(crate) fn bit(value: u128, step: usize) -> bool {
    step < 128 && (value >> step) & 1 == 1
}

/// The largest operand of a width chosen at run time, `2^width - 1`.
pub(crate) fn check_width(width: usize) -> Result<u128, Error> {
    if (1..=128).contains(&width) {
        Ok(u128::MAX >> (128 - width))
    } else {
        Err(Error::Width { width })
    }
}
