//! Model files: a network and how it was trained, as human-readable JSON.

use std::path::Path;

use nalgebra::{DMatrix, DefaultAllocator, Dim, OMatrix, U1, U2};
use serde::{Deserialize, Serialize};

use crate::files::{Header, checksum_of, fnv1a, read_text, shorten, write_atomically};
use crate::{
    Certificate, Counts, Coverage, Error, Init, Network, OptimizerKind, Real, RnnAllocator,
};

/// The version of the model-file format this crate writes and reads.
pub const MODEL_FORMAT_VERSION: u32 = 1;

/// The `format` field of every model file.
const FORMAT_NAME: &str = "const-rnn model";

/// How a saved network was trained: the settings, the samples, and the
/// verifier's verdict.
///
/// # Examples
///
/// ```
/// use const_rnn::{train_plain, AdderConfig, TrainingRecord};
///
/// let config = AdderConfig { samples: 100, ..AdderConfig::default() };
/// let adder = train_plain(&config)?;
/// let record = TrainingRecord::new("plain", &config, &adder);
/// assert_eq!((record.samples, record.verified.is_none()), (100, true));
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingRecord {
    /// `"default"` (trained until verified) or `"plain"` (the seed's recipe), or a name of your own.
    pub recipe: String,
    /// Steps of the seed's samples.
    pub sum_bits: usize,
    /// The learning rate.
    pub learning_rate: f64,
    /// The optimiser. Written only when it is not SGD, so that a file of a
    /// network trained as the seed's is the same as before optimisers
    /// existed, and such older files still load (and check) as SGD.
    #[serde(default, skip_serializing_if = "is_sgd")]
    pub optimizer: OptimizerKind,
    /// Samples per update; written only when it is not 1, as `optimizer`.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub batch: usize,
    /// How the first weights were drawn; written only when not the seed's
    /// uniform, as `optimizer`.
    #[serde(default, skip_serializing_if = "is_uniform")]
    pub init: Init,
    /// The seed of the weights and the operands.
    pub seed: u64,
    /// How many times the recipe drew new weights from the seed before this
    /// network ([`Adder::restarts`](crate::Adder::restarts)); written only
    /// when it is not 0, as `optimizer`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub restarts: usize,
    /// Samples trained on, in all.
    pub samples: usize,
    /// The verifier's final gate, if the network passed one.
    pub verified: Option<VerifiedRecord>,
    /// The certificate that proves the network right at every width, if it
    /// was proven; written only then, so that older files still load. A file
    /// is loaded as proven only once the certificate has been checked again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<Certificate>,
}

/// The batch size of files written before batches existed.
fn one() -> usize {
    1
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

fn is_one(batch: &usize) -> bool {
    *batch == 1
}

fn is_sgd(optimizer: &OptimizerKind) -> bool {
    *optimizer == OptimizerKind::Sgd
}

fn is_uniform(init: &Init) -> bool {
    *init == Init::Uniform
}

/// What a saved network's verification covered without finding a wrong sum.
///
/// # Examples
///
/// See [`TrainingRecord`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifiedRecord {
    /// The coverage of the final gate.
    pub coverage: Coverage,
    /// What it checked.
    pub counts: Counts,
}

impl TrainingRecord {
    /// The record of `adder`, trained with `config` by the recipe named `recipe`.
    ///
    /// # Examples
    ///
    /// See [`TrainingRecord`].
    pub fn new<H, T>(recipe: &str, config: &crate::AdderConfig, adder: &crate::Adder<H, T>) -> Self
    where
        T: Real,
        H: Dim,
        DefaultAllocator: RnnAllocator<U2, H, U1>,
    {
        TrainingRecord {
            recipe: recipe.to_owned(),
            sum_bits: config.sum_bits,
            learning_rate: config.learning_rate,
            optimizer: config.optimizer,
            batch: config.batch,
            // What was drawn: `Init::BySize` resolved for the network's size.
            init: config.init.for_hidden(adder.network().hidden()),
            seed: config.seed,
            restarts: adder.restarts(),
            samples: adder.samples(),
            verified: adder.verified().map(|report| VerifiedRecord {
                coverage: config.gate,
                counts: report.counts,
            }),
            proof: adder.proof().cloned(),
        }
    }
}

/// The file as it is written: every field is checked when it is read.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    format: String,
    version: u32,
    scalar: String,
    inputs: usize,
    hidden: usize,
    outputs: usize,
    w_ih: DMatrix<f64>,
    w_hh: DMatrix<f64>,
    w_ho: DMatrix<f64>,
    training: Option<TrainingRecord>,
    /// FNV-1a (64 bits, hex) of the compact JSON of every other field, with
    /// this one empty: a changed value anywhere in the file is detected.
    checksum: String,
}

impl ModelFile {
    /// The checksum of every field but the checksum itself: the compact JSON
    /// of the file with its checksum field empty.
    fn compute_checksum(&mut self) -> Result<String, Error> {
        checksum_of(self, |file| &mut file.checksum)
    }
}

/// The name a model file gives the scalar type `T`.
pub(crate) fn scalar_name<T: Real>() -> &'static str {
    std::any::type_name::<T>()
}

impl<I, H, O, T> Network<I, H, O, T>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    /// The network, and `training` if given, as a model file: JSON with the
    /// format's name and version, the scalar type, the shapes and the weights
    /// (through nalgebra's serde support, each matrix as its column-major data
    /// and its shape).
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::Rnn;
    ///
    /// let net = Rnn::<2, 4, 1>::from_seed(0);
    /// let json = net.to_json(None);
    /// assert!(json.contains("\"version\": 1"));
    /// let (loaded, training) = Rnn::<2, 4, 1>::from_json(&json)?;
    /// assert_eq!((loaded, training), (net, None));
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn to_json(&self, training: Option<&TrainingRecord>) -> String {
        let mut file = ModelFile {
            format: FORMAT_NAME.to_owned(),
            version: MODEL_FORMAT_VERSION,
            scalar: scalar_name::<T>().to_owned(),
            inputs: self.inputs(),
            hidden: self.hidden(),
            outputs: self.outputs(),
            w_ih: dynamic_copy(&self.w_ih),
            w_hh: dynamic_copy(&self.w_hh),
            w_ho: dynamic_copy(&self.w_ho),
            training: training.cloned(),
            checksum: String::new(),
        };
        // Serialising plain data with string keys into a String cannot fail.
        file.checksum = file.compute_checksum().unwrap_or_default();
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// The network's fingerprint: FNV-1a (64 bits, hex) of its shape and
    /// the bit patterns of its weights as `f64`, prefixed by `fnv1a-`. Two
    /// networks have the same fingerprint when they have the same weights to
    /// the bit (or, with odds of 2^-64, by chance); a
    /// [`Certificate`](crate::Certificate) names the network it is about by it.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{DynRnn, Rnn};
    ///
    /// let net = Rnn::<2, 4, 1>::from_seed(0);
    /// assert_eq!(net.fingerprint(), net.to_dynamic().fingerprint());
    /// assert_ne!(net.fingerprint(), Rnn::<2, 4, 1>::from_seed(1).fingerprint());
    /// assert!(net.fingerprint().starts_with("fnv1a-"));
    /// ```
    pub fn fingerprint(&self) -> String {
        let mut bytes =
            Vec::with_capacity(24 + 8 * (self.w_ih.len() + self.w_hh.len() + self.w_ho.len()));
        for size in [self.inputs(), self.hidden(), self.outputs()] {
            bytes.extend_from_slice(&(size as u64).to_le_bytes());
        }
        for &w in self
            .w_ih
            .iter()
            .chain(self.w_hh.iter())
            .chain(self.w_ho.iter())
        {
            let w = nalgebra::try_convert::<T, f64>(w).unwrap_or(f64::NAN);
            bytes.extend_from_slice(&w.to_bits().to_le_bytes());
        }
        format!("fnv1a-{:016x}", fnv1a(&bytes))
    }

    /// Reads a model file's text: the network, and how it was trained if the
    /// file says.
    ///
    /// For [`Rnn`](crate::Rnn) the shapes in the file must be the type's; for
    /// [`DynRnn`](crate::DynRnn) they are taken from the file.
    ///
    /// # Errors
    ///
    /// [`Error::ModelFile`] if the text is not a model file of this format
    /// and version (truncated, corrupt, another version, another scalar type,
    /// a weight that is not a number, a matrix whose data does not fill its
    /// shape); [`Error::ShapeMismatch`] if the shapes disagree with each other
    /// or with the type; [`Error::NonFinite`] for an infinite weight.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{DynRnn, Rnn};
    ///
    /// let json = Rnn::<2, 4, 1>::from_seed(0).to_json(None);
    /// assert_eq!(DynRnn::<f64>::from_json(&json)?.0.hidden(), 4);
    /// assert!(Rnn::<2, 8, 1>::from_json(&json).is_err());
    /// assert!(Rnn::<2, 4, 1>::from_json(&json[..json.len() / 2]).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn from_json(text: &str) -> Result<(Self, Option<TrainingRecord>), Error> {
        let bad = |reason: String| Err(Error::ModelFile { reason });
        let parse_error = |err: serde_json::Error| Error::ModelFile {
            reason: err.to_string(),
        };
        // The format and version first, so that another version is named as
        // such rather than as a field this version does not know.
        let header: Header = serde_json::from_str(text).map_err(parse_error)?;
        if header.format != FORMAT_NAME {
            return bad(format!(
                "the format is {:?}, not {FORMAT_NAME:?}",
                shorten(&header.format)
            ));
        }
        if header.version != MODEL_FORMAT_VERSION {
            return bad(format!(
                "format version {} is not supported: this build reads version {MODEL_FORMAT_VERSION}",
                header.version
            ));
        }
        let mut file: ModelFile = serde_json::from_str(text).map_err(parse_error)?;
        if file.compute_checksum()? != file.checksum {
            return bad("the checksum does not match: the file was changed or damaged".to_owned());
        }
        if file.scalar != scalar_name::<T>() {
            return bad(format!(
                "the weights are {}, not {}",
                shorten(&file.scalar),
                scalar_name::<T>()
            ));
        }
        let (inputs, hidden, outputs) = (file.inputs, file.hidden, file.outputs);
        let w_ih = typed_matrix::<T, I, H>("w_ih", &file.w_ih, (inputs, hidden))?;
        let w_hh = typed_matrix::<T, H, H>("w_hh", &file.w_hh, (hidden, hidden))?;
        let w_ho = typed_matrix::<T, H, O>("w_ho", &file.w_ho, (hidden, outputs))?;
        let network = Network::from_weights(w_ih, w_hh, w_ho)?;
        Ok((network, file.training))
    }

    /// Saves the network, and `training` if given, to the model file `path`,
    /// atomically: it writes `path` with `.tmp` added to its name, then
    /// renames that over `path`, so that a failed save leaves any old file
    /// whole.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be written or renamed.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::Rnn;
    ///
    /// let path = std::env::temp_dir().join("const-rnn-doc-save.json");
    /// let net = Rnn::<2, 4, 1>::from_seed(0);
    /// net.save(&path, None)?;
    /// assert_eq!(Rnn::<2, 4, 1>::load(&path)?.0, net);
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn save(
        &self,
        path: impl AsRef<Path>,
        training: Option<&TrainingRecord>,
    ) -> Result<(), Error> {
        write_atomically(path.as_ref(), &self.to_json(training))
    }

    /// Loads a network saved by [`Network::save`].
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read; otherwise the errors of
    /// [`Network::from_json`].
    ///
    /// # Examples
    ///
    /// See [`Network::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<(Self, Option<TrainingRecord>), Error> {
        Self::from_json(&read_text(path.as_ref())?)
    }
}

/// A copy of `matrix` in `f64`, with run-time shape.
fn dynamic_copy<T: Real, R: Dim, C: Dim>(matrix: &OMatrix<T, R, C>) -> DMatrix<f64>
where
    DefaultAllocator: nalgebra::allocator::Allocator<R, C>,
{
    let (rows, cols) = matrix.shape();
    DMatrix::from_iterator(
        rows,
        cols,
        matrix
            .iter()
            .map(|&w| nalgebra::try_convert::<T, f64>(w).unwrap_or(f64::NAN)),
    )
}

/// `matrix` as a matrix of the network's type, if it has the shape the file
/// declares and the type allows.
fn typed_matrix<T: Real, R: Dim, C: Dim>(
    what: &'static str,
    matrix: &DMatrix<f64>,
    declared: (usize, usize),
) -> Result<OMatrix<T, R, C>, Error>
where
    DefaultAllocator: nalgebra::allocator::Allocator<R, C>,
{
    let (rows, cols) = matrix.shape();
    if matrix.as_slice().len() != rows * cols {
        return Err(Error::ModelFile {
            reason: format!(
                "{what} holds {} weights for a {rows}x{cols} shape",
                matrix.as_slice().len()
            ),
        });
    }
    crate::network::expect_shape(what, (rows, cols), declared)?;
    let fixed = (R::try_to_usize(), C::try_to_usize());
    crate::network::expect_shape(
        what,
        (rows, cols),
        (fixed.0.unwrap_or(rows), fixed.1.unwrap_or(cols)),
    )?;
    Ok(OMatrix::from_iterator_generic(
        R::from_usize(rows),
        C::from_usize(cols),
        matrix.iter().map(|&w| nalgebra::convert::<f64, T>(w)),
    ))
}
