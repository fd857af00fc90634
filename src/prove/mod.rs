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
mod check;
mod enclosure;
mod induction;
mod keys;

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nalgebra::{DefaultAllocator, Dim, U1, U2};

pub use check::check;
pub use enclosure::{EXP_RELATIVE_ERROR, OUTPUT_THRESHOLD};

use crate::certificate::{Certificate, ProofConfig};
use crate::verify::counterexample;
use crate::{Adder, Counterexample, Error, Network, RnnAllocator};
use base::Visit;
pub(crate) use check::check_network;
use check::{CellsOf, describe, threads, weights_of};

use enclosure::Basis;
use induction::{Cells, Failure, Sink, Step};
use keys::Keys;

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
    /// The carry into the failing key's window.
    pub carry: bool,
    /// The failing key's window, as `(a, b)` bits, oldest first.
    pub window: Vec<(bool, bool)>,
    /// The pairs read from the key when it fails, first read first.
    pub word: Vec<(bool, bool)>,
    /// By how much it fails: the missing output margin, or how far the image
    /// sticks out of its cell.
    pub shortfall: f64,
    /// The whole story in one line, e.g. `from key (carry 0, window 01 01 01 01)
    /// the output after reading 00 is not surely right (short of its margin by 3.1e-2)`.
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
/// rounding to nearest, sums of products added in any order, and the
/// exponential inside the crate's own sigmoid
/// ([`math::sigmoid`](crate::math::sigmoid), measured within 2.46 ulp)
/// within [`EXP_RELATIVE_ERROR`] (2^-40 relative, about 4,000 ulp) of the
/// exact exponential; an output counts as decided when its pre-activation
/// is surely [`OUTPUT_THRESHOLD`] away from 0. The step and the sigmoid use
/// no libm, so the verdict is about this network's f64 computation on every
/// platform with IEEE 754 arithmetic.
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
    let shapes: &[bool] = if config.oriented {
        &[false, true]
    } else {
        &[false]
    };
    let attempts = (config.history..=config.max_history)
        .flat_map(|history| shapes.iter().map(move |&oriented| (history, oriented)));
    for (history, oriented) in attempts {
        let keys = Keys::new(history);
        let h = network.hidden();
        // States after history + 1 to history + steps pairs, for the starting cells.
        let length = history + config.steps.min(history);
        let (bases, basis) = if oriented {
            principal_axes(network, &keys, length)
        } else {
            (Vec::new(), vec![None; keys.count()])
        };
        let (base, hulls) = base::walk(network, &keys, length, threads, || {
            Hull::new(keys.count(), h, &bases, &basis)
        });
        steps += base.steps;
        if let Some(found) = base.smallest_wrong {
            return Ok(Verdict::Counterexample(counterexample(network, found)?));
        }
        let mut hulls = hulls;
        if let Some(hull) = hulls.last_mut() {
            base::trajectories(network, &keys, TRAJECTORIES, hull);
        }
        let mut cells = starting_cells(&keys, h, &hulls, (bases.clone(), basis.clone()), config);
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
                        last = Some(NotProven {
                            history,
                            carry: false,
                            window: Vec::new(),
                            word: Vec::new(),
                            shortfall: f64::NAN,
                            reason,
                            elapsed: Duration::ZERO,
                        });
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
                    Failure::Inclusion {
                        word,
                        steps,
                        excess,
                        ..
                    } => (word, steps, excess),
                };
                let bits = |pair: usize| (pair & 1 == 1, pair & 2 == 2);
                let mut reason = describe(&keys, key, &failure);
                if attempt.passes >= config.max_passes
                    && matches!(failure, Failure::Inclusion { .. })
                {
                    reason = format!(
                        "the cells did not close in {} passes: {reason}",
                        attempt.passes
                    );
                }
                last = Some(NotProven {
                    history,
                    carry: keys.carry_in(key),
                    window: (0..history).map(|i| bits(keys.pair(key, i))).collect(),
                    word: (0..len).map(|i| bits((word >> (2 * i)) & 3)).collect(),
                    shortfall,
                    reason,
                    elapsed: Duration::ZERO,
                });
            }
        }
    }
    let mut not_proven = last.unwrap_or(NotProven {
        history: config.max_history,
        carry: false,
        window: Vec::new(),
        word: Vec::new(),
        shortfall: f64::NAN,
        reason: "no window length was tried".to_owned(),
        elapsed: Duration::ZERO,
    });
    not_proven.elapsed = started.elapsed();
    Ok(Verdict::NotProven(not_proven))
}

/// Per key, the sum of its base states; per group of keys, the sum of
/// their outer products: the pooled spread of the states within each key.
struct Spread {
    hidden: usize,
    counts: Vec<f64>,
    sums: Vec<f64>,
    outer: Vec<f64>,
    groups: Groups,
}

/// Keys grouped by the carry after their window and its last pairs: each
/// group shares the axes of its cells.
#[derive(Debug, Clone, Copy)]
struct Groups {
    keys: Keys,
    pairs: usize,
}

impl Groups {
    fn new(keys: Keys) -> Self {
        Groups {
            keys,
            pairs: keys.history().min(GROUP_PAIRS),
        }
    }

    fn count(&self) -> usize {
        2 << (2 * self.pairs)
    }

    fn of(&self, key: usize) -> usize {
        let history = self.keys.history();
        let last = (history - self.pairs..history)
            .fold(0, |group, i| (group << 2) | self.keys.pair(key, i));
        usize::from(self.keys.carry_out(key)) | (last << 1)
    }
}

/// Random words whose states widen the starting cells: how many, how long, and their seed.
const TRAJECTORIES: (usize, usize, u64) = (2_000, 64, 0);

/// The last pairs of a window that choose the axes of its cell.
const GROUP_PAIRS: usize = 3;

impl Visit for Spread {
    fn visit(&mut self, key: usize, state: &[f64]) {
        let h = self.hidden;
        self.counts[key] += 1.0;
        for (sum, &x) in self.sums[key * h..(key + 1) * h].iter_mut().zip(state) {
            *sum += x;
        }
        let group = self.groups.of(key);
        let outer = &mut self.outer[group * h * h..(group + 1) * h * h];
        for i in 0..h {
            for j in 0..h {
                outer[i * h + j] += state[i] * state[j];
            }
        }
    }
}

/// The axes of each group's cells: the principal axes of the spread of the
/// states within its keys, widest first.
fn principal_axes<H>(
    network: &Network<U2, H, U1, f64>,
    keys: &Keys,
    length: usize,
) -> (Vec<Basis>, Vec<Option<usize>>)
where
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
    Network<U2, H, U1, f64>: Sync,
{
    let h = network.hidden();
    let groups = Groups::new(*keys);
    // One thread, so that the sums, and so the axes, do not depend on the threads.
    let (_, mut spreads) = base::walk(network, keys, length, 1, || Spread {
        hidden: h,
        counts: vec![0.0; keys.count()],
        sums: vec![0.0; keys.count() * h],
        outer: vec![0.0; groups.count() * h * h],
        groups,
    });
    if let Some(spread) = spreads.last_mut() {
        base::trajectories(network, keys, TRAJECTORIES, spread);
    }
    let Some(spread) = spreads.pop() else {
        return (Vec::new(), vec![None; keys.count()]);
    };
    let mut pooled = spread.outer;
    for key in 0..keys.count() {
        let n = spread.counts[key];
        if n == 0.0 {
            continue;
        }
        let group = groups.of(key);
        let sums = &spread.sums[key * h..(key + 1) * h];
        let outer = &mut pooled[group * h * h..(group + 1) * h * h];
        for i in 0..h {
            for j in 0..h {
                outer[i * h + j] -= sums[i] * sums[j] / n;
            }
        }
    }
    let mut bases = Vec::new();
    let mut of_group = vec![None; groups.count()];
    for (group, slot) in of_group.iter_mut().enumerate() {
        let covariance =
            nalgebra::DMatrix::from_row_slice(h, h, &pooled[group * h * h..(group + 1) * h * h]);
        let eigen = nalgebra::SymmetricEigen::new(covariance);
        let mut order: Vec<usize> = (0..h).collect();
        order.sort_by(|&a, &b| {
            eigen.eigenvalues[b]
                .total_cmp(&eigen.eigenvalues[a])
                .then(a.cmp(&b))
        });
        let q: Vec<f64> = order
            .iter()
            .flat_map(|&k| {
                eigen
                    .eigenvectors
                    .column(k)
                    .iter()
                    .copied()
                    .collect::<Vec<_>>()
            })
            .collect();
        if let Some(basis) = Basis::new(q, h) {
            *slot = Some(bases.len());
            bases.push(basis);
        }
    }
    let basis = (0..keys.count())
        .map(|key| of_group[groups.of(key)])
        .collect();
    (bases, basis)
}

/// The box around the base states of each key, in its basis's coordinates.
struct Hull<'a> {
    hidden: usize,
    low: Vec<f64>,
    high: Vec<f64>,
    bases: &'a [Basis],
    basis: &'a [Option<usize>],
    y_low: Vec<f64>,
    y_high: Vec<f64>,
}

impl<'a> Hull<'a> {
    fn new(keys: usize, hidden: usize, bases: &'a [Basis], basis: &'a [Option<usize>]) -> Self {
        Hull {
            hidden,
            low: vec![f64::INFINITY; keys * hidden],
            high: vec![f64::NEG_INFINITY; keys * hidden],
            bases,
            basis,
            y_low: vec![0.0; hidden],
            y_high: vec![0.0; hidden],
        }
    }
}

impl Visit for Hull<'_> {
    fn visit(&mut self, key: usize, state: &[f64]) {
        let range = key * self.hidden..(key + 1) * self.hidden;
        let (y_low, y_high) = match self.basis[key] {
            None => (state, state),
            Some(index) => {
                self.bases[index].coordinates(state, &mut self.y_low, &mut self.y_high);
                (&self.y_low[..], &self.y_high[..])
            }
        };
        for (j, (low, high)) in self.low[range.clone()]
            .iter_mut()
            .zip(&mut self.high[range])
            .enumerate()
        {
            *low = low.min(y_low[j]);
            *high = high.max(y_high[j]);
        }
    }
}

/// The hulls of all threads merged, widened by the margins.
fn starting_cells(
    keys: &Keys,
    hidden: usize,
    hulls: &[Hull],
    (bases, basis): (Vec<Basis>, Vec<Option<usize>>),
    config: &ProofConfig,
) -> Cells {
    let size = keys.count() * hidden;
    let mut cells = Cells {
        hidden,
        low: vec![f64::INFINITY; size],
        high: vec![f64::NEG_INFINITY; size],
        steps: vec![config.steps.min(keys.history()); keys.count()],
        splits: vec![0; keys.count()],
        bases,
        basis,
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
    /// The keys with an image outside its target cell.
    stuck: Vec<usize>,
    key: usize,
    key_failed: bool,
    key_stuck: bool,
    /// Whether the key's cell may still be halved.
    can_split: bool,
}

impl Sink for Grow {
    fn image(
        &mut self,
        (word, steps): (usize, usize),
        target: usize,
        (excess, unit): (f64, usize),
        (low, high): (&[f64], &[f64]),
    ) -> bool {
        if excess > 0.0 && self.can_split {
            // Halve this key's cell before growing any other for it.
            self.stuck.push(self.key);
            return false;
        }
        if excess > 0.0 {
            let range = target * self.hidden..(target + 1) * self.hidden;
            for (need, &x) in self.need_low[range.clone()].iter_mut().zip(low) {
                *need = need.min(x);
            }
            for (need, &x) in self.need_high[range].iter_mut().zip(high) {
                *need = need.max(x);
            }
            if !self.key_stuck {
                self.key_stuck = true;
                self.stuck.push(self.key);
            }
            let failure = Failure::Inclusion {
                word,
                steps,
                unit,
                excess,
            };
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

/// Passes in a row with an image outside its cell after which a key is
/// pushed through one pair more.
const RAISE_AFTER: usize = 3;

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
    let mut stuck = vec![0_usize; keys.count()];
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
                stuck: Vec::new(),
                key: 0,
                key_failed: false,
                key_stuck: false,
                can_split: false,
            };
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(&key) = work.get(index) else { break };
                grow.key = key;
                grow.key_failed = false;
                grow.key_stuck = false;
                grow.can_split = frozen.splits[key] < config.max_splits;
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
        // A key whose images keep sticking out contracts too slowly over its
        // steps: push it through one pair more, up to `max_steps`.
        let mut stuck_now = vec![false; keys.count()];
        for &key in grows.iter().flat_map(|g| g.stuck.iter()) {
            stuck_now[key] = true;
        }
        for key in 0..keys.count() {
            stuck[key] = if stuck_now[key] { stuck[key] + 1 } else { 0 };
            if stuck_now[key] && cells.splits[key] < config.max_splits {
                cells.splits[key] += 1;
                stuck[key] = 0;
                next_work.push(key);
            } else if stuck[key] >= RAISE_AFTER && cells.steps[key] < config.max_steps {
                cells.steps[key] += 1;
                stuck[key] = 0;
                next_work.push(key);
            }
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
