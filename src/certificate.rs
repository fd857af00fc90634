//! Certificates: the cells of a proof as data, saved and loaded as
//! versioned, checksummed JSON; and the settings of the prover that makes them. The prover makes them and its checker
//! re-checks them ([`prove`](crate::prove), [`check`](crate::check)).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::files::{Header, checksum_of};

/// The longest window a certificate may key its cells by: `2 * 4^8` cells.
pub const MAX_HISTORY: usize = 8;
/// The most halvings of one cell.
pub const MAX_SPLITS: usize = 6;

/// The most pairs one cell's induction step reads, [`Cell::steps`]: a key
/// whose images keep leaving their cells is pushed through more pairs, so
/// that the network's contraction over them makes up for the boxes.
pub const MAX_STEPS: usize = 8;

/// A proof that a network adds correctly at every width, as data: one box
/// of hidden states (a *cell*) per key, where a key is the carry entering
/// a window of the last [`history`](Certificate::history) input pairs and
/// the window itself.
///
/// It claims: (base) every word of up to `history + 1` pairs is added right,
/// and each state after `history + 1` pairs lies in the cell of its key;
/// (step) from any state in a key's cell, every word of that cell's
/// [`steps`](Cell::steps) pairs gives right outputs and ends in the cell of
/// the key it reaches. By induction over time (from the state after
/// `history + 1` pairs, one cell's steps at a time), every output bit of
/// every word is right. [`check`](crate::check) re-checks every claim from
/// the network alone.
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
    /// The fingerprint of the network it is about, [`Network::fingerprint`](crate::Network::fingerprint).
    pub model: String,
    /// The network's hidden units: the length of every cell's bounds.
    pub hidden: usize,
    /// Pairs in a key's window, 1 to [`MAX_HISTORY`].
    pub history: usize,
    /// The relative error assumed of the platform's `exp`; must be this build's.
    pub exp_relative_error: f64,
    /// The distance from 0 at which an output pre-activation decides its bit; must be this build's.
    pub output_threshold: f64,
    /// The axes of the oriented cells: each an `hidden x hidden` matrix `Q`,
    /// column by column, close to orthonormal.
    pub bases: Vec<Vec<f64>>,
    /// One cell per key, in key order: carry 0 then 1 for each window, the
    /// windows counted with their oldest pair lowest.
    pub cells: Vec<Cell>,
}

/// One key's box of hidden states: `{ Q y : low <= y <= high }`, with `Q`
/// the identity or one of the certificate's [`bases`](Certificate::bases).
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
    /// Pairs read by the induction step from this cell, 1 to [`MAX_STEPS`]
    /// (it may be more than the history: the key reached is then that of
    /// the last `history` pairs read).
    pub steps: usize,
    /// The box is pushed through the step in `2^splits` pieces, each halving its widest side.
    pub splits: usize,
    /// The index of the cell's basis in [`Certificate::bases`]; `None` for the identity.
    pub basis: Option<usize>,
    /// The box's lower bounds, one per coordinate.
    pub low: Vec<f64>,
    /// The box's upper bounds.
    pub high: Vec<f64>,
}

/// What [`check`](crate::check) re-checked.
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
        checksum_of(self, |file| &mut file.checksum)
    }
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
    /// [`Error::Certificate`] if the text is not a certificate of this format
    /// and version, or its checksum does not match.
    ///
    /// # Examples
    ///
    /// See [`Certificate::to_json`].
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let bad = |reason: String| Err(Error::Certificate { reason });
        let parse_error = |err: serde_json::Error| Error::Certificate {
            reason: format!("the file is not a certificate: {err}"),
        };
        let header: Header = serde_json::from_str(text).map_err(parse_error)?;
        if header.format != FORMAT_NAME {
            return bad(format!(
                "the format is {:?}, not {FORMAT_NAME:?}",
                crate::files::shorten(&header.format)
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

    /// Saves the certificate to `path`, atomically (as [`Network::save`](crate::Network::save)).
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
        crate::files::write_atomically(path.as_ref(), &self.to_json())
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
        Self::from_json(&crate::files::read_text(path.as_ref())?)
    }
}

/// How hard [`prove`](crate::prove) tries.
///
/// # Examples
///
/// ```
/// use const_rnn::ProofConfig;
///
/// let config = ProofConfig::default();
/// assert_eq!((config.history, config.max_history, config.steps), (4, 5, 3));
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
    /// The most pairs one cell's step may read, from `steps` to
    /// [`MAX_STEPS`]: a key whose images keep leaving their cells reads
    /// one pair more, up to this.
    pub max_steps: usize,
    /// The most halvings of one failing cell, up to [`MAX_SPLITS`].
    pub max_splits: usize,
    /// The most passes of growing cells for one window length.
    pub max_passes: usize,
    /// A cell starts as the box around its base states, widened on each
    /// side by this share of its width...
    pub margin: f64,
    /// ...plus this.
    pub margin_floor: f64,
    /// Cells are boxes along the principal axes of the states within their
    /// keys (shared by the keys that end alike), not along the units.
    pub oriented: bool,
}

impl Default for ProofConfig {
    /// Windows of 4 pairs, then 5; an induction step of 3 pairs (up to 6
    /// for keys whose images keep leaving their cells); up
    /// to 2 halvings of a failing cell; 40 passes; margins of 5% + 1e-7.
    fn default() -> Self {
        ProofConfig {
            history: 4,
            max_history: 5,
            steps: 3,
            max_steps: 6,
            max_splits: 2,
            max_passes: 40,
            margin: 0.05,
            margin_floor: 1e-7,
            oriented: true,
        }
    }
}

impl ProofConfig {
    /// The settings with `max_history` at least `history`.
    pub(crate) fn clamped(self) -> Self {
        ProofConfig {
            max_history: self.max_history.max(self.history),
            ..self
        }
    }

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
        if !(self.steps..=MAX_STEPS).contains(&self.max_steps) {
            return bad(format!(
                "max_steps {} is out of range ({} to {MAX_STEPS})",
                self.max_steps, self.steps
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
