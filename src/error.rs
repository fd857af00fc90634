//! The one error type of the crate.

use core::fmt;

#[cfg(feature = "std")]
use crate::Counterexample;

/// Every way a call into this crate can fail.
///
/// Each variant carries what is needed to say what went wrong; its
/// [`Display`](fmt::Display) is one line, fit for a command-line program.
///
/// # Examples
///
/// ```
/// use const_rnn::{BitWidth, Error};
///
/// let err = BitWidth::<4>::encode(16).unwrap_err();
/// assert_eq!(err, Error::TooWide { value: 16, width: 4 });
/// assert_eq!(err.to_string(), "16 does not fit in 4 bits");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// An operand does not fit in the bit width it was given.
    TooWide {
        /// The operand.
        value: u128,
        /// The width, in bits, it had to fit in.
        width: usize,
    },
    /// A matrix or vector has a shape other than the network's.
    ShapeMismatch {
        /// Which matrix or vector is wrong, e.g. `"w_hh"` or `"input"`.
        what: &'static str,
        /// Which of a sequence's vectors (or of a list's slices), counted from 0,
        /// when `what` names one of many: `what: "input", index: Some(3)` is
        /// the fourth input.
        index: Option<usize>,
        /// The shape it should have, as (rows, columns).
        expected: (usize, usize),
        /// The shape it has.
        found: (usize, usize),
    },
    /// A network dimension (inputs, hidden units or outputs) is zero.
    EmptyDimension {
        /// Which dimension is zero.
        what: &'static str,
    },
    /// Inputs and targets of a training sequence differ in length, or the sequence is empty.
    SequenceLength {
        /// Number of input vectors.
        inputs: usize,
        /// Number of target vectors.
        targets: usize,
    },
    /// A number that must be finite is NaN or infinite.
    NonFinite {
        /// What it is, e.g. `"learning rate"` or `"loss"`.
        what: &'static str,
    },
    /// A learning rate that is not positive.
    LearningRate {
        /// The rejected learning rate.
        value: f64,
    },
    /// An optimiser setting outside its range: a momentum or beta outside
    /// `[0, 1)`, or an epsilon that is not finite and positive.
    Hyperparameter {
        /// Which setting.
        what: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A training sequence length outside the range the binary-addition task supports.
    SumBits {
        /// The rejected number of sum bits.
        sum_bits: usize,
    },
    /// Training diverged: an overflow, or outputs stuck on wrong bits. The
    /// failing sample's update was not applied.
    Diverged {
        /// The sample (counted from 1) at which the divergence began.
        sample: usize,
        /// What happened.
        reason: &'static str,
    },
    /// A count that must be at least 1 is zero.
    Zero {
        /// What it counts, e.g. `"training samples"`.
        what: &'static str,
    },
    #[cfg(feature = "std")]
    /// A model file that cannot be read as one: truncated, corrupt, of
    /// another version or scalar type.
    ModelFile {
        /// What is wrong with it.
        reason: String,
    },
    #[cfg(feature = "std")]
    /// A file could not be read or written.
    Io {
        /// The path and the system's reason.
        reason: String,
    },
    /// A width chosen at run time outside `1..=128`.
    Width {
        /// The rejected width, in bits.
        width: usize,
    },
    /// A verifier coverage setting out of its range.
    Coverage {
        /// The setting, e.g. `"max_bits"`.
        what: &'static str,
        /// Its rejected value.
        value: usize,
        /// The smallest value allowed.
        min: usize,
        /// The largest value allowed.
        max: usize,
    },
    #[cfg(feature = "std")]
    /// A certificate that does not hold for the network it is checked against.
    Certificate {
        /// The first thing that does not hold.
        reason: String,
    },
    #[cfg(feature = "std")]
    /// A prover setting out of its range.
    Proof {
        /// Which setting, and its range.
        reason: String,
    },
    /// A name for an exported constant that is not an upper-case Rust
    /// identifier ([`Adder::to_rust`](crate::Adder::to_rust)).
    #[cfg(feature = "std")]
    ConstantName {
        /// The rejected name.
        name: String,
    },
    /// The recipe was asked to prove an adder of a hidden size below the
    /// smallest at which it has ever proven one
    /// ([`SMALLEST_PROVEN_HIDDEN`](crate::SMALLEST_PROVEN_HIDDEN)); its
    /// message says also whether any network of that size adds
    /// ([`SMALLEST_ADDER_HIDDEN`](crate::SMALLEST_ADDER_HIDDEN)).
    HiddenTooSmall {
        /// The hidden size asked for.
        hidden: usize,
        /// The smallest hidden size the recipe has proven an adder at.
        smallest: usize,
    },
    #[cfg(feature = "std")]
    /// Training used its whole budget of samples and the verifier still found a wrong sum.
    Unverified {
        /// Samples the network that was given up trained on (the recipe's
        /// last network, when it started again from new weights).
        samples: usize,
        /// The last wrong sum the verifier found.
        counterexample: Box<Counterexample>,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TooWide { value, width } => write!(f, "{value} does not fit in {width} bits"),
            Error::ShapeMismatch {
                what,
                index,
                expected,
                found,
            } => {
                write!(f, "{what}")?;
                if let Some(index) = index {
                    write!(f, " {index}")?;
                }
                write!(
                    f,
                    " has shape {}x{}, expected {}x{}",
                    found.0, found.1, expected.0, expected.1
                )
            }
            Error::EmptyDimension { what } => write!(f, "the network needs at least one {what}"),
            Error::SequenceLength { inputs, targets } => write!(
                f,
                "a training sequence needs as many targets as inputs and at least one step, \
                 got {inputs} inputs and {targets} targets"
            ),
            Error::NonFinite { what } => write!(f, "the {what} is not finite"),
            Error::LearningRate { value } => {
                write!(f, "the learning rate must be positive, got {value}")
            }
            Error::Hyperparameter { what, value } => {
                write!(f, "{what} {value} is out of range")
            }
            Error::SumBits { sum_bits } => write!(
                f,
                "sums of {sum_bits} bits are not supported: use 2 to 129 bits"
            ),
            Error::Diverged { sample, reason } => {
                write!(f, "diverged at sample {sample}: {reason}")
            }
            Error::Zero { what } => write!(f, "the number of {what} must be at least 1"),
            #[cfg(feature = "std")]
            Error::ModelFile { reason } => write!(f, "not a valid model file: {reason}"),
            #[cfg(feature = "std")]
            Error::Io { reason } => write!(f, "{reason}"),
            Error::Width { width } => {
                write!(f, "a width of {width} bits is not supported: use 1 to 128")
            }
            Error::Coverage {
                what,
                value,
                min,
                max,
            } => write!(f, "coverage {what} is {value}, allowed {min} to {max}"),
            #[cfg(feature = "std")]
            Error::Certificate { reason } => write!(f, "the certificate does not hold: {reason}"),
            #[cfg(feature = "std")]
            Error::Proof { reason } => write!(f, "invalid proof settings: {reason}"),
            #[cfg(feature = "std")]
            Error::ConstantName { name } => write!(
                f,
                "{name:?} is not a constant's name: use A-Z, 0-9 and _, not starting with a digit"
            ),
            Error::HiddenTooSmall { hidden, smallest }
                if *hidden < crate::SMALLEST_ADDER_HIDDEN =>
            {
                write!(
                    f,
                    "hidden {hidden}: no network of this size adds; the smallest adder has {} \
                     hidden units, the smallest the recipe has proven {smallest}",
                    crate::SMALLEST_ADDER_HIDDEN
                )
            }
            Error::HiddenTooSmall { hidden, smallest } => write!(
                f,
                "hidden {hidden}: the recipe has proven no network of this size; the smallest \
                 it has proven has {smallest} hidden units"
            ),
            #[cfg(feature = "std")]
            Error::Unverified {
                samples,
                counterexample,
            } => write!(
                f,
                "not verified after {samples} samples: counterexample {counterexample}"
            ),
        }
    }
}

impl core::error::Error for Error {}
