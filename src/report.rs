//! What the verifier covers ([`Coverage`]) and what it found ([`Counts`],
//! [`Report`]): data, below the verifier and the adder that keeps a report.

use std::fmt;
use std::time::Duration;

use crate::Error;
use crate::counterexample::Counterexample;

/// What the verifier tries: which operand pairs, at which widths.
///
/// Every sum is read to its carry-out step, and every output bit on the way is
/// checked. [`Coverage::default`] is the full coverage that gates a trained
/// adder; [`Coverage::quick`] is a cheaper one for checks inside a training
/// loop and for tests.
///
/// # Examples
///
/// ```
/// use const_rnn::Coverage;
///
/// let full = Coverage::default();
/// assert_eq!((full.exhaustive_bits, full.max_bits, full.random_pairs), (12, 128, 100_000));
/// assert!(Coverage::quick().exhaustive_bits < full.exhaustive_bits);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    /// Every pair of operands of every width from 1 to this many bits (0 to 14).
    pub exhaustive_bits: usize,
    /// Long runs start after every prefix of up to this many input pairs (0 to 6).
    pub run_prefix_pairs: usize,
    /// After each run, every suffix of up to this many input pairs (0 to 4).
    pub run_suffix_pairs: usize,
    /// The widest operands of the long runs and the random pairs, 1 to 128
    /// bits. The long runs are skipped when this is no more than
    /// `exhaustive_bits`: the exhaustive part holds all they would try.
    pub max_bits: usize,
    /// Random pairs of `max_bits`-bit operands: half uniform, half built from
    /// runs of equal bits with geometric lengths.
    pub random_pairs: usize,
    /// Seeds the random pairs.
    pub seed: u64,
}

impl Default for Coverage {
    /// The full coverage: every pair up to 12 bits, long runs after prefixes of
    /// up to 4 pairs with suffixes of up to 2, and 100,000 random 128-bit pairs.
    fn default() -> Self {
        Coverage {
            exhaustive_bits: 12,
            run_prefix_pairs: 4,
            run_suffix_pairs: 2,
            max_bits: 128,
            random_pairs: 100_000,
            seed: 0,
        }
    }
}

impl Coverage {
    /// A cheaper coverage, about 2% of the full one's steps: every pair up to 8 bits,
    /// long runs after prefixes of up to 2 pairs with suffixes of up to 2, and
    /// 4,000 random 128-bit pairs.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(const_rnn::Coverage::quick().random_pairs, 4_000);
    /// ```
    pub fn quick() -> Self {
        Coverage {
            exhaustive_bits: 8,
            run_prefix_pairs: 2,
            random_pairs: 4_000,
            ..Coverage::default()
        }
    }

    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`Error::Coverage`] naming the first setting out of its range.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::Coverage;
    ///
    /// assert!(Coverage::default().validate().is_ok());
    /// let err = Coverage { max_bits: 129, ..Coverage::default() }.validate().unwrap_err();
    /// assert_eq!(err.to_string(), "coverage max_bits is 129, allowed 1 to 128");
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        let limits = [
            ("exhaustive_bits", self.exhaustive_bits, 0, 14),
            ("run_prefix_pairs", self.run_prefix_pairs, 0, 6),
            ("run_suffix_pairs", self.run_suffix_pairs, 0, 4),
            ("max_bits", self.max_bits, 1, 128),
        ];
        for (what, value, min, max) in limits {
            if !(min..=max).contains(&value) {
                return Err(Error::Coverage {
                    what,
                    value,
                    min,
                    max,
                });
            }
        }
        Ok(())
    }
}

/// How much the verifier checked: sums read to their carry-out step, by part,
/// and network steps in all.
///
/// # Examples
///
/// ```
/// use const_rnn::{Adder, Coverage, Rnn, verify};
///
/// let coverage = Coverage { exhaustive_bits: 2, run_prefix_pairs: 0, run_suffix_pairs: 0,
///                           max_bits: 4, random_pairs: 0, seed: 0 };
/// let report = verify(&Adder::new(Rnn::<2, 4, 1>::from_seed(0)), &coverage)?;
/// // An untrained network: something is wrong, and the search stopped short.
/// assert!(report.counterexample.is_some());
/// assert!(report.counts.exhaustive_sums < 4 + 16);
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// Sums of the exhaustive part: every pair of every width up to `exhaustive_bits`.
    pub exhaustive_sums: u64,
    /// Sums of the long-runs part: prefix, run, suffix, carry-out.
    pub run_sums: u64,
    /// Sums of random operand pairs.
    pub random_sums: u64,
    /// Network steps, in all three parts.
    pub steps: u64,
}

impl Counts {
    /// Sums checked in all three parts.
    ///
    /// # Examples
    ///
    /// ```
    /// let counts = const_rnn::Counts { exhaustive_sums: 1, run_sums: 2, random_sums: 3, steps: 40 };
    /// assert_eq!(counts.sums(), 6);
    /// ```
    pub fn sums(&self) -> u64 {
        self.exhaustive_sums + self.run_sums + self.random_sums
    }

    pub(crate) fn merge(&mut self, other: &Counts) {
        self.exhaustive_sums += other.exhaustive_sums;
        self.run_sums += other.run_sums;
        self.random_sums += other.random_sums;
        self.steps += other.steps;
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} sums ({} exhaustive, {} long runs, {} random), {} steps",
            self.sums(),
            self.exhaustive_sums,
            self.run_sums,
            self.random_sums,
            self.steps
        )
    }
}

/// What a verification found: a counterexample, or none with what was covered.
///
/// Two reports are equal when they found the same: the time taken is not compared.
///
/// # Examples
///
/// See [`verify`](crate::verify()).
#[derive(Debug, Clone)]
pub struct Report {
    /// What was checked.
    pub counts: Counts,
    /// The smallest wrong sum found, if any.
    pub counterexample: Option<Counterexample>,
    /// How long the search took.
    pub elapsed: Duration,
}

impl PartialEq for Report {
    fn eq(&self, other: &Self) -> bool {
        (self.counts, self.counterexample) == (other.counts, other.counterexample)
    }
}

impl Report {
    /// Whether no wrong sum was found. This is a search, not a proof.
    ///
    /// # Examples
    ///
    /// See [`verify`](crate::verify()).
    pub fn is_verified(&self) -> bool {
        self.counterexample.is_none()
    }

    /// Network steps per second of the search.
    ///
    /// # Examples
    ///
    /// See [`verify`](crate::verify()).
    pub fn steps_per_second(&self) -> f64 {
        self.counts.steps as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}
