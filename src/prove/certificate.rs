//! Certificates: the cells of a proof as data, and their independent checker.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nalgebra::{DefaultAllocator, Dim, U1, U2};
use serde::{Deserialize, Serialize};

use crate::model_file::fnv1a;
use crate::prove::base::{self, Visit};
use crate::prove::enclosure::{EXP_RELATIVE_ERROR, OUTPUT_THRESHOLD, Weights};
use crate::prove::induction::{Cells, Failure, FirstFailure, Step};
use crate::prove::keys::Keys;
use crate::verify::counterexample;
use crate::{Adder, Error, Network, RnnAllocator};

/// The longest window a certificate may key its cells by: `2 * 4^8` cells.
pub const MAX_HISTORY: usize = 8;
/// The most halvings of one cell.
pub const MAX_SPLITS: usize = 6;

/// A proof that a network adds correctly at every width, as data: one box
/// of hidden states (a *cell*) per key, where a key is the carry entering
/// a window of the last [`history`](Certificate::history) input pairs and
/// the window itself.
///
/// It claims: (base) every word of up to `history + steps` pairs is added
/// right, and each state after more than `history` pairs lies in the cell of
/// its key; (step) from any state in a key's cell, every word of `steps`
/// pairs gives right outputs and ends in the cell of the key it reaches.
/// By induction over time, every output bit of every word is right.
/// [`check`] re-checks every claim from the network alone.
///
/// # Examples
///
/// ```
/// use const_rnn::{AdderConfig, ProofConfig, check, train};
///
/// let adder = train(&AdderConfig::default())?;
/// let certificate = adder.proof().expect("the default recipe proves its adders");
/// assert_eq!(certificate.cells.len(), 2 * 4usize.pow(certificate.history as u32));
/// let report = check(&adder, certificate)?;
/// assert_eq!(report.cells, certificate.cells.len());
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// The fingerprint of the network it is about, [`Network::fingerprint`].
    pub model: String,
    /// The network's hidden units: the length of every cell's bounds.
    pub hidden: usize,
    /// Pairs in a key's window, 1 to [`MAX_HISTORY`].
    pub history: usize,
    /// Pairs read by one induction step, 1 to `history`.
    pub steps: usize,
    /// The relative error assumed of the platform's `exp`; must be this build's.
    pub exp_relative_error: f64,
    /// The distance from 0 at which an output pre-activation decides its bit; must be this build's.
    pub output_threshold: f64,
    /// One cell per key, in key order: carry 0 then 1 for each window, the
    /// windows counted with their oldest pair lowest.
    pub cells: Vec<Cell>,
}

/// One key's box of hidden states.
///
/// # Examples
///
/// See [`Certificate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cell {
    /// The carry entering the window.
    pub carry: bool,
    /// The window's pairs, oldest first, each as the digit `a + 2 b`.
    pub window: String,
    /// The box is pushed through the step in `2^splits` pieces, its widest units halved.
    pub splits: usize,
    /// The box's lower bounds, one per hidden unit.
    pub low: Vec<f64>,
    /// The box's upper bounds.
    pub high: Vec<f64>,
}

/// What [`check`] re-checked.
///
/// # Examples
///
/// See [`Certificate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckReport {
    /// Cells checked.
    pub cells: usize,
    /// Network steps of the base.
    pub base_steps: u64,
    /// Zonotope steps of the induction.
    pub induction_steps: u64,
    /// How long it took.
    pub elapsed: Duration,
}

/// The version of the certificate format this crate writes and reads.
pub const CERTIFICATE_FORMAT_VERSION: u32 = 1;

/// The `format` field of every certificate file.
const FORMAT_NAME: &str = "const-rnn certificate";

/// A certificate as it is written: every field is checked when it is read.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateFile {
    format: String,
    version: u32,
    certificate: Certificate,
    /// FNV-1a (64 bits, hex) of the compact JSON of the file with this field empty.
    checksum: String,
}

impl CertificateFile {
    fn compute_checksum(&mut self) -> Result<String, Error> {
        let claimed = std::mem::take(&mut self.checksum);
        let text = serde_json::to_string(self);
        self.checksum = claimed;
        let text = text.map_err(|err| Error::ModelFile {
            reason: err.to_string(),
        })?;
        Ok(format!("{:016x}", fnv1a(text.as_bytes())))
    }
}

/// The fields every version of the format starts with.
#[derive(Deserialize)]
struct Header {
    format: String,
    version: u32,
}

impl Certificate {
    /// The certificate as versioned, checksummed JSON.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{AdderConfig, Certificate, train};
    ///
    /// let certificate = train(&AdderConfig::default())?.proof().unwrap().clone();
    /// let json = certificate.to_json();
    /// assert_eq!(Certificate::from_json(&json)?, certificate);
    /// // A changed digit anywhere is caught by the checksum.
    /// let changed = json.replacen("\"history\": 4", "\"history\": 5", 1);
    /// assert!(Certificate::from_json(&changed).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        let mut file = CertificateFile {
            format: FORMAT_NAME.to_owned(),
            version: CERTIFICATE_FORMAT_VERSION,
            certificate: self.clone(),
            checksum: String::new(),
        };
        // Serialising plain data with string keys into a String cannot fail.
        file.checksum = file.compute_checksum().unwrap_or_default();
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// Reads a certificate written by [`Certificate::to_json`].
    ///
    /// # Errors
    ///
    /// [`Error::ModelFile`] if the text is not a certificate of this format
    /// and version, or its checksum does not match.
    ///
    /// # Examples
    ///
    /// See [`Certificate::to_json`].
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let bad = |reason: String| Err(Error::ModelFile { reason });
        let parse_error = |err: serde_json::Error| Error::ModelFile {
            reason: err.to_string(),
        };
        let header: Header = serde_json::from_str(text).map_err(parse_error)?;
        if header.format != FORMAT_NAME {
            return bad(format!(
                "the format is {:?}, not {FORMAT_NAME:?}",
                crate::model_file::shorten(&header.format)
            ));
        }
        if header.version != CERTIFICATE_FORMAT_VERSION {
            return bad(format!(
                "certificate version {} is not supported: this build reads version {CERTIFICATE_FORMAT_VERSION}",
                header.version
            ));
        }
        let mut file: CertificateFile = serde_json::from_str(text).map_err(parse_error)?;
        if file.compute_checksum()? != file.checksum {
            return bad("the checksum does not match: the file was changed or damaged".to_owned());
        }
        Ok(file.certificate)
    }

    /// Saves the certificate to `path`, atomically (as [`Network::save`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be written.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{AdderConfig, Certificate, train};
    ///
    /// let certificate = train(&AdderConfig::default())?.proof().unwrap().clone();
    /// let path = std::env::temp_dir().join("const-rnn-doc-certificate.json");
    /// certificate.save(&path)?;
    /// assert_eq!(Certificate::load(&path)?, certificate);
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<(), Error> {
        crate::model_file::write_atomically(path.as_ref(), &self.to_json())
    }

    /// Loads a certificate saved by [`Certificate::save`].
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read; otherwise the errors of
    /// [`Certificate::from_json`].
    ///
    /// # Examples
    ///
    /// See [`Certificate::save`].
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self, Error> {
        Self::from_json(&crate::model_file::read_text(path.as_ref())?)
    }

    /// The cells as the prover's boxes, once their shapes and keys are checked.
    pub(crate) fn to_cells(&self) -> Result<(Keys, Cells), Error> {
        let bad = |reason: String| Err(Error::Certificate { reason });
        if !(1..=MAX_HISTORY).contains(&self.history) || !(1..=self.history).contains(&self.steps) {
            return bad(format!(
                "history {} and steps {} are out of range (1 <= steps <= history <= {MAX_HISTORY})",
                self.history, self.steps
            ));
        }
        if self.exp_relative_error != EXP_RELATIVE_ERROR
            || self.output_threshold != OUTPUT_THRESHOLD
        {
            return bad("it was made under other floating-point assumptions".to_owned());
        }
        let keys = Keys::new(self.history, self.steps);
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
            splits: Vec::with_capacity(keys.count()),
        };
        for (key, cell) in self.cells.iter().enumerate() {
            let name = key_name(&keys, key);
            if cell.carry != keys.carry_in(key) || cell.window != keys.window_digits(key) {
                return bad(format!("cell {key} should be {name}"));
            }
            if cell.low.len() != h || cell.high.len() != h {
                return bad(format!("cell {name} does not have {h} bounds"));
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
            cells.splits.push(cell.splits);
        }
        Ok((keys, cells))
    }

    /// A certificate of `cells` for the network with fingerprint `model`.
    pub(crate) fn from_cells(model: String, keys: &Keys, cells: &Cells) -> Self {
        Certificate {
            model,
            hidden: cells.hidden,
            history: keys.history(),
            steps: keys.steps(),
            exp_relative_error: EXP_RELATIVE_ERROR,
            output_threshold: OUTPUT_THRESHOLD,
            cells: (0..keys.count())
                .map(|key| {
                    let (low, high) = cells.of(key);
                    Cell {
                        carry: keys.carry_in(key),
                        window: keys.window_digits(key),
                        splits: cells.splits[key],
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
/// this network (its fingerprint), walks every word of up to `history +
/// steps` pairs with the program's own step (every output right, every
/// state in its key's cell), then pushes every cell through every word of
/// `steps` pairs (every output surely right, every image inside the cell of
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
            crate::model_file::shorten(&certificate.model)
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

    let (base, visitors) = base::walk(network, &keys, threads, || InCells {
        cells: &cells,
        outside: None,
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

/// Records the first `(key, unit)` where a base state lies outside its key's cell.
struct InCells<'a> {
    cells: &'a Cells,
    outside: Option<(usize, usize)>,
}

impl Visit for InCells<'_> {
    fn visit(&mut self, key: usize, state: &[f64]) {
        let (low, high) = self.cells.of(key);
        let outside = (0..state.len()).find(|&j| !(low[j] <= state[j] && state[j] <= high[j]));
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
        Failure::Inclusion { word, unit, excess } => format!(
            "from key {} the states after reading {} leave the cell of key {} in unit {unit} by {excess:.3e}",
            key_name(keys, key),
            word_text(word, keys.steps()),
            key_name(keys, keys.next(key, word))
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
