//! The prover: a proof that an adder's every output bit is right for every
//! input word of every length, or a counterexample, or an honest "not proven".
//!
//! The network reads one of 4 input pairs per step from `h_0 = 0`, and its
//! output at step `t` must be `a_t xor b_t xor c_{t-1}`. A `W`-bit sum is `W`
//! steps and a `(0, 0)` step whose output is the carry out, so "every output
//! right on every finite word" is exactly "adds correctly at every width".
//!
//! The proof is an induction over time with cells keyed by the carry
//! entering a window of the last `m` input pairs and the window itself
//! (`2 * 4^m` keys):
//!
//! - **base**: every word of up to `m + K` pairs is stepped with the
//!   program's own code; every output is checked, and each key's cell starts
//!   as the box around the states seen at its key, plus a margin;
//! - **step**: each cell is pushed through every word of `K` pairs as a
//!   zonotope that encloses the program's floating-point results; every
//!   output on the way must be surely right, and the image must lie in the
//!   cell of the key it reaches;
//! - where an image sticks out, the target cell grows and the cells that
//!   feed it are pushed again, until nothing grows; where an output is not
//!   surely right, the failing cell is pushed in halves (only that cell);
//!   where that does not close, the history grows by one pair;
//! - the cells found are a [`Certificate`], and the verdict is "proven" only
//!   once [`check`] has re-checked the certificate from scratch.

mod base;
mod certificate;
mod enclosure;
mod induction;
mod keys;

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nalgebra::{DefaultAllocator, Dim, U1, U2};

pub use certificate::{Cell, Certificate, CheckReport, MAX_HISTORY, MAX_SPLITS, check};
pub use enclosure::{EXP_RELATIVE_ERROR, OUTPUT_THRESHOLD};

use crate::verify::counterexample;
use crate::{Adder, Counterexample, Error, Network, RnnAllocator};
use base::Visit;
use certificate::{check_network, describe, threads, weights_of};
use induction::{Cells, Failure, Sink, Step};
use keys::Keys;

pub(crate) use certificate::key_name;

/// How hard [`prove`] tries.
///
/// # Examples
///
/// ```
/// use const_rnn::ProofConfig;
///
/// let config = ProofConfig::default();
/// assert_eq!((config.history, config.max_history, config.steps), (4, 6, 3));
/// assert!(config.validate().is_ok());
/// assert!(ProofConfig { steps: 0, ..config }.validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProofConfig {
    /// The first window length tried, in input pairs.
    pub history: usize,
    /// The longest window tried, up to [`MAX_HISTORY`]: each longer window
    /// has 4 times the cells.
    pub max_history: usize,
    /// Pairs read by one induction step (at most the window length).
    pub steps: usize,
    /// The most halvings of one failing cell, up to [`MAX_SPLITS`].
    pub max_splits: usize,
    /// The most passes of growing cells for one window length.
    pub max_passes: usize,
    /// A cell starts as the box around its base states, widened on each
    /// side by this share of its width...
    pub margin: f64,
    /// ...plus this.
    pub margin_floor: f64,
}

impl Default for ProofConfig {
    /// Windows of 4 pairs, then 5 and 6; an induction step of 3 pairs; up
    /// to 2 halvings of a failing cell; 40 passes; margins of 5% + 1e-7.
    fn default() -> Self {
        ProofConfig {
            history: 4,
            max_history: 6,
            steps: 3,
            max_splits: 2,
            max_passes: 40,
            margin: 0.05,
            margin_floor: 1e-7,
        }
    }
}

impl ProofConfig {
    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`Error::Proof`] naming the first setting out of its range.
    ///
    /// # Examples
    ///
    /// See [`ProofConfig`].
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |reason: String| Err(Error::Proof { reason });
        if !(1..=MAX_HISTORY).contains(&self.history)
            || !(self.history..=MAX_HISTORY).contains(&self.max_history)
        {
            return bad(format!(
                "history {} to {} is out of range (1 to {MAX_HISTORY}, in order)",
                self.history, self.max_history
            ));
        }
        if !(1..=self.history).contains(&self.steps) {
            return bad(format!(
                "steps {} is out of range (1 to the history, {})",
                self.steps, self.history
            ));
        }
        if self.max_splits > MAX_SPLITS || self.max_passes == 0 {
            return bad(format!(
                "max_splits {} (at most {MAX_SPLITS}) or max_passes {} (at least 1) is out of range",
                self.max_splits, self.max_passes
            ));
        }
        let ok = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
        if !ok(self.margin) || !ok(self.margin_floor) {
            return bad(format!(
                "margins {} and {} must be finite, from 0 to 1",
                self.margin, self.margin_floor
            ));
        }
        Ok(())
    }
}

/// What [`prove`] concluded.
///
/// # Examples
///
/// ```
/// use const_rnn::{AdderConfig, ProofConfig, Verdict, prove, train_plain};
///
/// // The seed's recipe alone leaves seed 0 wrong on 3 + 508: never proven.
/// let adder = train_plain(&AdderConfig::default())?;
/// let verdict = prove(&adder, &ProofConfig::default())?;
/// assert!(!verdict.is_proven());
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Every output bit is right for every input word of every length.
    Proven(Box<Proven>),
    /// A word of the base is added wrong: the smallest such sum.
    Counterexample(Counterexample),
    /// The induction did not close.
    NotProven(NotProven),
}

impl Verdict {
    /// Whether the verdict is [`Verdict::Proven`].
    ///
    /// # Examples
    ///
    /// See [`Verdict`].
    pub fn is_proven(&self) -> bool {
        matches!(self, Verdict::Proven(_))
    }
}

/// A proof: its certificate, which [`check`] accepted, and what it took.
///
/// # Examples
///
/// See [`prove`].
#[derive(Debug, Clone, PartialEq)]
pub struct Proven {
    /// The cells, re-checked.
    pub certificate: Certificate,
    /// Passes of pushing cells, the final check included.
    pub passes: usize,
    /// Network steps of the base walks and zonotope steps of the induction.
    pub steps: u64,
    /// How long it took, the final check included.
    pub elapsed: Duration,
}

/// Where the induction fails, with the last window length tried.
///
/// # Examples
///
/// See [`Verdict`].
#[derive(Debug, Clone, PartialEq)]
pub struct NotProven {
    /// The longest window tried, in pairs.
    pub history: usize,
    /// The key whose cell fails, e.g. `(carry 1, window 01 01 01 01)`.
    pub key: String,
    /// The word read from it when it fails, e.g. `00 10` (pairs `a b`).
    pub word: String,
    /// By how much it fails: the missing output margin, or how far the image
    /// sticks out of its cell.
    pub shortfall: f64,
    /// The whole story in one line.
    pub reason: String,
    /// How long the attempt took.
    pub elapsed: Duration,
}

impl fmt::Display for NotProven {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (history {})", self.reason, self.history)
    }
}

/// Tries to prove that `adder` adds correctly at every width: that every
/// output bit of its network is right for every input word of every length.
///
/// It is sound for the function the program computes: the base steps the
/// network with the same code as [`Adder::add`], and the induction's
/// zonotopes enclose the results of that code in IEEE 754 binary64 with
/// rounding to nearest, sums of products added in any order, and an `exp`
/// within [`EXP_RELATIVE_ERROR`] (2^-40 relative, about 4,000 ulp) of the
/// exact exponential; an output counts as decided when its pre-activation
/// is surely [`OUTPUT_THRESHOLD`] away from 0. The verdict is about this
/// network's f64 computation on a platform meeting those assumptions.
///
/// Deterministic (the same verdict, cells and counterexample whatever the
/// number of threads), on all cores. [`Verdict::Proven`] comes only with a
/// certificate that [`check`] has accepted.
///
/// # Errors
///
/// The errors of [`ProofConfig::validate`].
///
/// # Examples
///
/// ```
/// use const_rnn::{AdderConfig, ProofConfig, Verdict, check, prove, train};
///
/// let adder = train(&AdderConfig::default())?;
/// let Verdict::Proven(proven) = prove(&adder, &ProofConfig::default())? else {
///     panic!("the default network is proven");
/// };
/// assert!(check(&adder, &proven.certificate).is_ok());
/// # Ok::<(), const_rnn::Error>(())
/// ```
pub fn prove<H>(adder: &Adder<H, f64>, config: &ProofConfig) -> Result<Verdict, Error>
where
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
    Network<U2, H, U1, f64>: Sync,
{
    prove_network(adder.network(), config)
}

/// [`prove`] on the network itself.
pub(crate) fn prove_network<H>(
    network: &Network<U2, H, U1, f64>,
    config: &ProofConfig,
) -> Result<Verdict, Error>
where
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
    Network<U2, H, U1, f64>: Sync,
{
    config.validate()?;
    let started = Instant::now();
    let weights = weights_of(network);
    let threads = threads();
    let mut passes = 0;
    let mut steps = 0;
    let mut last = None;
    for history in config.history..=config.max_history {
        let keys = Keys::new(history, config.steps.min(history));
        let h = network.hidden();
        let (base, hulls) = base::walk(network, &keys, threads, || Hull::new(keys.count(), h));
        steps += base.steps;
        if let Some(found) = base.smallest_wrong {
            return Ok(Verdict::Counterexample(counterexample(network, found)?));
        }
        let mut cells = starting_cells(&keys, h, &hulls, config);
        let attempt = close(&weights, &keys, &mut cells, config, threads);
        passes += attempt.passes;
        steps += attempt.steps;
        match attempt.failure {
            None => {
                let certificate = Certificate::from_cells(network.fingerprint(), &keys, &cells);
                // Proven only once the independent checker agrees.
                match check_network(network, &certificate) {
                    Ok(report) => {
                        return Ok(Verdict::Proven(Box::new(Proven {
                            certificate,
                            passes: passes + 1,
                            steps: steps + report.base_steps + report.induction_steps,
                            elapsed: started.elapsed(),
                        })));
                    }
                    Err(Error::Certificate { reason }) => {
                        last = Some((history, String::new(), String::new(), f64::NAN, reason));
                    }
                    Err(err) => return Err(err),
                }
            }
            Some((key, failure)) => {
                let (word, len, shortfall) = match failure {
                    Failure::Output {
                        word,
                        depth,
                        margin,
                    } => (word, depth, -margin),
                    Failure::Inclusion { word, excess, .. } => (word, keys.steps(), excess),
                };
                let word_text = certificate::pairs_text((0..len).map(|i| (word >> (2 * i)) & 3));
                let mut reason = describe(&keys, key, &failure);
                if attempt.passes >= config.max_passes
                    && matches!(failure, Failure::Inclusion { .. })
                {
                    reason = format!(
                        "the cells did not close in {} passes: {reason}",
                        attempt.passes
                    );
                }
                last = Some((history, key_name(&keys, key), word_text, shortfall, reason));
            }
        }
    }
    let (history, key, word, shortfall, reason) = last.unwrap_or_default();
    Ok(Verdict::NotProven(NotProven {
        history,
        key,
        word,
        shortfall,
        reason,
        elapsed: started.elapsed(),
    }))
}

/// The box around the base states of each key.
struct Hull {
    hidden: usize,
    low: Vec<f64>,
    high: Vec<f64>,
}

impl Hull {
    fn new(keys: usize, hidden: usize) -> Self {
        Hull {
            hidden,
            low: vec![f64::INFINITY; keys * hidden],
            high: vec![f64::NEG_INFINITY; keys * hidden],
        }
    }
}

impl Visit for Hull {
    fn visit(&mut self, key: usize, state: &[f64]) {
        let range = key * self.hidden..(key + 1) * self.hidden;
        for ((low, high), &x) in self.low[range.clone()]
            .iter_mut()
            .zip(&mut self.high[range])
            .zip(state)
        {
            *low = low.min(x);
            *high = high.max(x);
        }
    }
}

/// The hulls of all threads merged, widened by the margins.
fn starting_cells(keys: &Keys, hidden: usize, hulls: &[Hull], config: &ProofConfig) -> Cells {
    let size = keys.count() * hidden;
    let mut cells = Cells {
        hidden,
        low: vec![f64::INFINITY; size],
        high: vec![f64::NEG_INFINITY; size],
        splits: vec![0; keys.count()],
    };
    for hull in hulls {
        for i in 0..size {
            cells.low[i] = cells.low[i].min(hull.low[i]);
            cells.high[i] = cells.high[i].max(hull.high[i]);
        }
    }
    for i in 0..size {
        // Every key is reached by some word of the base; the guard keeps a box anyway.
        if cells.low[i] > cells.high[i] {
            (cells.low[i], cells.high[i]) = (0.0, 1.0);
        }
        let widen = config.margin * (cells.high[i] - cells.low[i]) + config.margin_floor;
        cells.low[i] -= widen;
        cells.high[i] += widen;
    }
    cells
}

/// How one window length went.
struct Attempt {
    passes: usize,
    steps: u64,
    /// The failure that stopped it, if it did not close.
    failure: Option<(usize, Failure)>,
}

/// What one thread saw in a pass: the box each target must grow to, and
/// the first output failure of each key.
struct Grow {
    hidden: usize,
    need_low: Vec<f64>,
    need_high: Vec<f64>,
    /// The worst inclusion failure, for the report.
    worst: Option<(f64, usize, Failure)>,
    outputs: Vec<(usize, Failure)>,
    key: usize,
    key_failed: bool,
}

impl Sink for Grow {
    fn image(
        &mut self,
        word: usize,
        target: usize,
        (excess, unit): (f64, usize),
        (low, high): (&[f64], &[f64]),
    ) -> bool {
        if excess > 0.0 {
            let range = target * self.hidden..(target + 1) * self.hidden;
            for (need, &x) in self.need_low[range.clone()].iter_mut().zip(low) {
                *need = need.min(x);
            }
            for (need, &x) in self.need_high[range].iter_mut().zip(high) {
                *need = need.max(x);
            }
            let failure = Failure::Inclusion { word, unit, excess };
            if self.worst.is_none_or(|(held, key, _)| {
                (excess, std::cmp::Reverse(self.key)) > (held, std::cmp::Reverse(key))
            }) {
                self.worst = Some((excess, self.key, failure));
            }
        }
        true
    }

    fn output(&mut self, word: usize, depth: usize, margin: f64) -> bool {
        if !self.key_failed {
            self.key_failed = true;
            self.outputs.push((
                self.key,
                Failure::Output {
                    word,
                    depth,
                    margin,
                },
            ));
        }
        // One failure is enough to split the key: stop pushing it.
        false
    }
}

/// Grows `cells` until every image of every cell lies in its target cell,
/// halving cells whose outputs are not surely right.
fn close(
    weights: &enclosure::Weights,
    keys: &Keys,
    cells: &mut Cells,
    config: &ProofConfig,
    threads: usize,
) -> Attempt {
    let h = cells.hidden;
    let mut work: Vec<usize> = (0..keys.count()).collect();
    let mut attempt = Attempt {
        passes: 0,
        steps: 0,
        failure: None,
    };
    while !work.is_empty() {
        if attempt.passes >= config.max_passes {
            return attempt;
        }
        attempt.passes += 1;
        let next = AtomicUsize::new(0);
        let merged: Mutex<Vec<Grow>> = Mutex::new(Vec::new());
        let steps = AtomicUsize::new(0);
        let frozen: &Cells = cells;
        let pass = || {
            let mut step = Step::new(weights, *keys);
            let mut grow = Grow {
                hidden: h,
                need_low: vec![f64::INFINITY; keys.count() * h],
                need_high: vec![f64::NEG_INFINITY; keys.count() * h],
                worst: None,
                outputs: Vec::new(),
                key: 0,
                key_failed: false,
            };
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(&key) = work.get(index) else { break };
                grow.key = key;
                grow.key_failed = false;
                step.key(frozen, key, &mut grow);
            }
            steps.fetch_add(step.pusher.steps as usize, Ordering::Relaxed);
            if let Ok(mut merged) = merged.lock() {
                merged.push(grow);
            }
        };
        std::thread::scope(|scope| {
            for _ in 1..threads {
                scope.spawn(pass);
            }
            pass();
        });
        attempt.steps += steps.into_inner() as u64;
        let grows = merged.into_inner().unwrap_or_else(|err| err.into_inner());

        let mut failed_outputs: Vec<(usize, Failure)> = grows
            .iter()
            .flat_map(|g| g.outputs.iter().copied())
            .collect();
        failed_outputs.sort_by_key(|&(key, _)| key);
        let mut next_work = Vec::new();
        for &(key, failure) in &failed_outputs {
            if cells.splits[key] >= config.max_splits {
                attempt.failure = Some((key, failure));
                return attempt;
            }
            cells.splits[key] += 1;
            next_work.push(key);
        }
        let worst = grows
            .iter()
            .filter_map(|g| g.worst)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((_, key, failure)) = worst {
            attempt.failure = Some((key, failure));
        } else {
            attempt.failure = None;
        }
        for target in 0..keys.count() {
            let mut grew = false;
            for j in target * h..(target + 1) * h {
                let need_low = grows
                    .iter()
                    .map(|g| g.need_low[j])
                    .fold(f64::INFINITY, f64::min);
                let need_high = grows
                    .iter()
                    .map(|g| g.need_high[j])
                    .fold(f64::NEG_INFINITY, f64::max);
                if need_low < cells.low[j] {
                    cells.low[j] = need_low - 0.2 * (cells.low[j] - need_low) - 1e-9;
                    grew = true;
                }
                if need_high > cells.high[j] {
                    cells.high[j] = need_high + 0.2 * (need_high - cells.high[j]) + 1e-9;
                    grew = true;
                }
            }
            if grew {
                next_work.push(target);
            }
        }
        next_work.sort_unstable();
        next_work.dedup();
        work = next_work;
    }
    attempt.failure = None;
    attempt
}
