//! The independent checker of certificates.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use nalgebra::{DefaultAllocator, Dim, U1, U2};

use crate::certificate::{Cell, Certificate, CheckReport, MAX_HISTORY, MAX_SPLITS, MAX_STEPS};
use crate::prove::base::{self, Visit};
use crate::prove::enclosure::{Basis, EXP_RELATIVE_ERROR, OUTPUT_THRESHOLD, Weights};
use crate::prove::induction::{Cells, Failure, FirstFailure, Step};
use crate::prove::keys::Keys;
use crate::verify::counterexample;
use crate::{Adder, Error, Network, RnnAllocator};

/// The certificate's cells as the prover's boxes, and back.
pub(crate) trait CellsOf: Sized {
    /// The cells as the prover's boxes, once their shapes and keys are checked.
    fn to_cells(&self) -> Result<(Keys, Cells), Error>;
    /// A certificate of `cells` for the network with fingerprint `model`.
    fn from_cells(model: String, keys: &Keys, cells: &Cells) -> Self;
}

impl CellsOf for Certificate {
    /// The cells as the prover's boxes, once their shapes and keys are checked.
    fn to_cells(&self) -> Result<(Keys, Cells), Error> {
        let bad = |reason: String| Err(Error::Certificate { reason });
        if !(1..=MAX_HISTORY).contains(&self.history) {
            return bad(format!(
                "history {} is out of range (1 to {MAX_HISTORY})",
                self.history
            ));
        }
        if self.exp_relative_error != EXP_RELATIVE_ERROR
            || self.output_threshold != OUTPUT_THRESHOLD
        {
            return bad("it was made under other floating-point assumptions".to_owned());
        }
        let keys = Keys::new(self.history);
        if self.cells.len() != keys.count() {
            return bad(format!(
                "it has {} cells, a history of {} needs {}",
                self.cells.len(),
                self.history,
                keys.count()
            ));
        }
        let h = self.hidden;
        let mut cells = Cells {
            hidden: h,
            low: Vec::with_capacity(keys.count() * h),
            high: Vec::with_capacity(keys.count() * h),
            steps: Vec::with_capacity(keys.count()),
            splits: Vec::with_capacity(keys.count()),
            bases: Vec::with_capacity(self.bases.len()),
            basis: Vec::with_capacity(keys.count()),
        };
        for (index, q) in self.bases.iter().enumerate() {
            match Basis::new(q.clone(), h) {
                Some(basis) => cells.bases.push(basis),
                None => {
                    return bad(format!(
                        "basis {index} is not a finite, nearly orthonormal {h}x{h} matrix"
                    ));
                }
            }
        }
        for (key, cell) in self.cells.iter().enumerate() {
            let name = key_name(&keys, key);
            if cell.carry != keys.carry_in(key) || cell.window != keys.window_digits(key) {
                return bad(format!("cell {key} should be {name}"));
            }
            if cell.low.len() != h || cell.high.len() != h {
                return bad(format!("cell {name} does not have {h} bounds"));
            }
            if !(1..=MAX_STEPS).contains(&cell.steps) {
                return bad(format!(
                    "cell {name} has {} steps, 1 to {MAX_STEPS} allowed",
                    cell.steps
                ));
            }
            if cell.splits > MAX_SPLITS {
                return bad(format!(
                    "cell {name} has {} splits, at most {MAX_SPLITS} allowed",
                    cell.splits
                ));
            }
            let ordered = cell
                .low
                .iter()
                .zip(&cell.high)
                .all(|(low, high)| low.is_finite() && high.is_finite() && low <= high);
            if !ordered {
                return bad(format!("cell {name} is not a box of finite bounds"));
            }
            cells.low.extend_from_slice(&cell.low);
            cells.high.extend_from_slice(&cell.high);
            if cell.basis.is_some_and(|index| index >= self.bases.len()) {
                return bad(format!("cell {name} names a basis that does not exist"));
            }
            cells.basis.push(cell.basis);
            cells.steps.push(cell.steps);
            cells.splits.push(cell.splits);
        }
        Ok((keys, cells))
    }

    /// A certificate of `cells` for the network with fingerprint `model`.
    fn from_cells(model: String, keys: &Keys, cells: &Cells) -> Self {
        Certificate {
            model,
            hidden: cells.hidden,
            history: keys.history(),
            bases: cells.bases.iter().map(|basis| basis.q.clone()).collect(),
            exp_relative_error: EXP_RELATIVE_ERROR,
            output_threshold: OUTPUT_THRESHOLD,
            cells: (0..keys.count())
                .map(|key| {
                    let (low, high) = cells.of(key);
                    Cell {
                        carry: keys.carry_in(key),
                        window: keys.window_digits(key),
                        steps: cells.steps[key],
                        splits: cells.splits[key],
                        basis: cells.basis[key],
                        low: low.to_vec(),
                        high: high.to_vec(),
                    }
                })
                .collect(),
        }
    }
}

/// A key as people read it: `carry 1, window 03 12` (pairs `a b`, oldest first).
pub(crate) fn key_name(keys: &Keys, key: usize) -> String {
    format!(
        "(carry {}, window {})",
        u8::from(keys.carry_in(key)),
        pairs_text((0..keys.history()).map(|i| keys.pair(key, i)))
    )
}

/// Pairs as `a b` digits separated by spaces, first read first.
pub(crate) fn pairs_text(pairs: impl Iterator<Item = usize>) -> String {
    pairs
        .map(|pair| format!("{}{}", pair & 1, pair >> 1))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Re-checks `certificate` against `adder`, independently of how it was
/// made: no search and no growing. It checks that the certificate is about
/// this network (its fingerprint), walks every word of up to `history + 1`
/// pairs with the program's own step (every output right, every state after
/// `history + 1` pairs in its key's cell), then pushes every cell through
/// every word of its `steps` pairs (every output surely right, every image inside the cell of
/// the key it reaches), on all cores.
///
/// When it returns `Ok`, every output bit of the network is right for every
/// input word of every length, under the floating-point assumptions stated
/// in [`prove`](crate::prove).
///
/// # Errors
///
/// [`Error::Certificate`] naming the first thing that does not hold: another
/// model, a malformed cell, a base state outside its cell, a wrong output,
/// an output not surely right or an image outside its cell.
///
/// # Examples
///
/// ```
/// use const_rnn::{AdderConfig, check, train};
///
/// let adder = train(&AdderConfig::default())?;
/// let mut certificate = adder.proof().unwrap().clone();
/// assert!(check(&adder, &certificate).is_ok());
///
/// // Shrink one cell to a point: the check refuses it.
/// let cell = &mut certificate.cells[5];
/// cell.high = cell.low.clone();
/// assert!(check(&adder, &certificate).is_err());
/// # Ok::<(), const_rnn::Error>(())
/// ```
pub fn check<H>(adder: &Adder<H, f64>, certificate: &Certificate) -> Result<CheckReport, Error>
where
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
    Network<U2, H, U1, f64>: Sync,
{
    check_network(adder.network(), certificate)
}

/// [`check`] on the network itself.
pub(crate) fn check_network<H>(
    network: &Network<U2, H, U1, f64>,
    certificate: &Certificate,
) -> Result<CheckReport, Error>
where
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
    Network<U2, H, U1, f64>: Sync,
{
    let started = Instant::now();
    let refuse = |reason: String| Err(Error::Certificate { reason });
    let fingerprint = network.fingerprint();
    if certificate.model != fingerprint {
        return refuse(format!(
            "it is about the model {}, not this one ({fingerprint})",
            crate::files::shorten(&certificate.model)
        ));
    }
    if certificate.hidden != network.hidden() {
        return refuse(format!(
            "it is for {} hidden units, the network has {}",
            certificate.hidden,
            network.hidden()
        ));
    }
    let (keys, cells) = certificate.to_cells()?;
    let threads = threads();

    let (base, visitors) = base::walk(network, &keys, keys.history() + 1, threads, || InCells {
        cells: &cells,
        outside: None,
        low: vec![0.0; cells.hidden],
        high: vec![0.0; cells.hidden],
    });
    if let Some(found) = base.smallest_wrong {
        let wrong = counterexample(network, found)?;
        return refuse(format!("the network is wrong: {wrong}"));
    }
    if let Some((key, unit)) = visitors.iter().filter_map(|v| v.outside).min() {
        return refuse(format!(
            "a state of the base lies outside the cell of key {} in unit {unit}",
            key_name(&keys, key)
        ));
    }

    let weights = weights_of(network);
    let next = AtomicUsize::new(0);
    let first: Mutex<Option<(usize, Failure)>> = Mutex::new(None);
    let steps = AtomicUsize::new(0);
    let work = || {
        let mut step = Step::new(&weights, keys);
        loop {
            let key = next.fetch_add(1, Ordering::Relaxed);
            if key >= keys.count() {
                break;
            }
            let mut sink = FirstFailure::default();
            step.key(&cells, key, &mut sink);
            if let Some(failure) = sink.failure
                && let Ok(mut first) = first.lock()
                && first.is_none_or(|(held, _)| key < held)
            {
                *first = Some((key, failure));
            }
        }
        steps.fetch_add(step.pusher.steps as usize, Ordering::Relaxed);
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    let first = first.into_inner().unwrap_or_else(|err| err.into_inner());
    if let Some((key, failure)) = first {
        return refuse(describe(&keys, key, &failure));
    }
    Ok(CheckReport {
        cells: keys.count(),
        base_steps: base.steps,
        induction_steps: steps.into_inner() as u64,
        elapsed: started.elapsed(),
    })
}

/// Records the first `(key, coordinate)` where a base state lies outside its key's cell.
struct InCells<'a> {
    cells: &'a Cells,
    outside: Option<(usize, usize)>,
    low: Vec<f64>,
    high: Vec<f64>,
}

impl Visit for InCells<'_> {
    fn visit(&mut self, key: usize, state: &[f64]) {
        let (low, high) = self.cells.of(key);
        let (y_low, y_high) = match self.cells.basis_of(key) {
            None => (state, state),
            Some(basis) => {
                basis.coordinates(state, &mut self.low, &mut self.high);
                (&self.low[..], &self.high[..])
            }
        };
        let outside = (0..state.len()).find(|&j| !(low[j] <= y_low[j] && y_high[j] <= high[j]));
        if let Some(unit) = outside
            && self.outside.is_none_or(|held| (key, unit) < held)
        {
            self.outside = Some((key, unit));
        }
    }
}

/// The prover's view of a network's weights.
pub(crate) fn weights_of<H>(network: &Network<U2, H, U1, f64>) -> Weights
where
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
{
    let [w_ih, w_hh, w_ho] = network.weights();
    Weights::new(w_ih, w_hh, w_ho)
}

/// Threads to use: all available cores.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// A failure of the step, in words.
pub(crate) fn describe(keys: &Keys, key: usize, failure: &Failure) -> String {
    let word_text = |word: usize, len: usize| pairs_text((0..len).map(|i| (word >> (2 * i)) & 3));
    match *failure {
        Failure::Output {
            word,
            depth,
            margin,
        } => format!(
            "from key {} the output after reading {} is not surely right (short of its margin by {:.3e})",
            key_name(keys, key),
            word_text(word, depth),
            -margin
        ),
        Failure::Inclusion {
            word,
            steps,
            unit,
            excess,
        } => format!(
            "from key {} the states after reading {} leave the cell of key {} in unit {unit} by {excess:.3e}",
            key_name(keys, key),
            word_text(word, steps),
            key_name(keys, keys.next(key, word, steps))
        ),
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} cells, {} base steps, {} induction steps ({:.2} s)",
            self.cells,
            self.base_steps,
            self.induction_steps,
            self.elapsed.as_secs_f64()
        )
    }
}
