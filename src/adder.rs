//! The binary-addition task: sampling operands, the training loop, and a trained [`Adder`].

use nalgebra::{DefaultAllocator, Dim, OVector, U1, U2, U16};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;

use crate::bits::bit;
use crate::network::{State, expect_shape, weight_rng};
use crate::{BitWidth, Error, Network, Real, Rnn, RnnAllocator, Sgd, Workspace};

/// How to train a network to add: the seed's settings by default.
///
/// Each sample is a sum of `sum_bits` bits: two operands drawn uniformly below
/// `2^(sum_bits - 1)`, so that their sum always fits, read for `sum_bits` steps.
/// The seed's experiment is `sum_bits = 8` (operands below 128).
///
/// # Examples
///
/// ```
/// use const_rnn::TrainConfig;
///
/// let seed = TrainConfig::default();
/// assert_eq!((seed.sum_bits, seed.samples, seed.learning_rate, seed.seed), (8, 10_000, 0.1, 0));
///
/// // Training "at width 32": 32-bit operands and their 33-bit sums.
/// assert_eq!(TrainConfig::for_width(32).sum_bits, 33);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainConfig {
    /// Time steps per sample, from 2 to 128; operands are below `2^(sum_bits - 1)`.
    pub sum_bits: usize,
    /// Number of training samples, one SGD update each.
    pub samples: usize,
    /// The SGD learning rate.
    pub learning_rate: f64,
    /// Seeds the weights (ChaCha8 stream 0) and the operands (stream 1).
    pub seed: u64,
}

impl Default for TrainConfig {
    /// The seed's settings: 8-bit sums, 10,000 samples, learning rate 0.1, seed 0.
    fn default() -> Self {
        TrainConfig {
            sum_bits: 8,
            samples: 10_000,
            learning_rate: 0.1,
            seed: 0,
        }
    }
}

impl TrainConfig {
    /// The seed's settings, but with `width`-bit operands: `sum_bits = width + 1`,
    /// so that the model sees the carry out of the top bit, as
    /// [`Adder::add`] with `BitWidth<width>` does.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(const_rnn::TrainConfig::for_width(3).sum_bits, 4);
    /// ```
    pub fn for_width(width: usize) -> Self {
        TrainConfig {
            sum_bits: width.saturating_add(1),
            ..TrainConfig::default()
        }
    }

    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`Error::SumBits`] if `sum_bits` is outside `2..=128`; the errors of
    /// [`Sgd::new`] for a learning rate that is not finite and positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::TrainConfig;
    ///
    /// assert!(TrainConfig::default().validate().is_ok());
    /// assert!(TrainConfig { sum_bits: 200, ..TrainConfig::default() }.validate().is_err());
    /// assert!(TrainConfig { learning_rate: f64::INFINITY, ..TrainConfig::default() }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if !(2..=128).contains(&self.sum_bits) {
            return Err(Error::SumBits {
                sum_bits: self.sum_bits,
            });
        }
        Sgd::new(self.learning_rate).map(|_| ())
    }
}

/// What one training sample was and what the network made of it, before the update.
///
/// # Examples
///
/// ```
/// use const_rnn::{Rnn, TrainConfig, Trainer};
///
/// let mut trainer = Trainer::new(Rnn::<2, 16, 1>::from_seed(0), &TrainConfig::default())?;
/// let sample = trainer.train_sample()?;
/// assert!(sample.a < 128 && sample.b < 128);
/// assert_eq!(sample.is_exact(), sample.predicted == sample.sum());
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// The first operand.
    pub a: u128,
    /// The second operand.
    pub b: u128,
    /// The sum the network predicted, one rounded output per bit.
    pub predicted: u128,
    /// The seed's error: the sum over bits of `|y_t - o_t|`.
    pub error: f64,
}

impl Sample {
    /// The true sum, `a + b`.
    ///
    /// # Examples
    ///
    /// ```
    /// let sample = const_rnn::Sample { a: 3, b: 4, predicted: 7, error: 0.1 };
    /// assert_eq!(sample.sum(), 7);
    /// ```
    pub fn sum(&self) -> u128 {
        self.a + self.b
    }

    /// Whether every predicted bit was right.
    ///
    /// # Examples
    ///
    /// ```
    /// let sample = const_rnn::Sample { a: 3, b: 4, predicted: 5, error: 1.2 };
    /// assert!(!sample.is_exact());
    /// ```
    pub fn is_exact(&self) -> bool {
        self.predicted == self.sum()
    }
}

/// Trains a network with 2 inputs and 1 output to add, one sample at a time:
/// forward, backpropagation through time, SGD update.
///
/// A step allocates nothing: the input and target sequences and the
/// [`Workspace`] are made once, in [`Trainer::new`].
///
/// # Examples
///
/// ```
/// use const_rnn::{DynRnn, TrainConfig, Trainer};
///
/// let config = TrainConfig { samples: 100, ..TrainConfig::default() };
/// let mut trainer = Trainer::new(DynRnn::<f64>::from_seed(2, 16, 1, config.seed)?, &config)?;
/// for _ in 0..config.samples {
///     trainer.train_sample()?;
/// }
/// assert_eq!(trainer.samples_seen(), 100);
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug)]
pub struct Trainer<T, I, H, O>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    network: Network<T, I, H, O>,
    workspace: Workspace<T, I, H, O>,
    sgd: Sgd<T>,
    rng: ChaCha8Rng,
    inputs: Vec<OVector<T, I>>,
    targets: Vec<OVector<T, O>>,
    /// Operands are drawn from `0..=operand_max`.
    operand_max: u128,
    samples_seen: usize,
}

impl<T, I, H, O> Trainer<T, I, H, O>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    /// Prepares to train `network` with `config`: operands come from ChaCha8
    /// stream 1 of `config.seed` (stream 0 is the one `from_seed` weights use).
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] unless the network has 2 inputs and 1 output;
    /// the errors of [`TrainConfig::validate`].
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{DynRnn, Rnn, TrainConfig, Trainer};
    ///
    /// assert!(Trainer::new(Rnn::<2, 16, 1>::from_seed(0), &TrainConfig::default()).is_ok());
    /// assert!(Trainer::new(Rnn::<3, 16, 1>::from_seed(0), &TrainConfig::default()).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn new(network: Network<T, I, H, O>, config: &TrainConfig) -> Result<Self, Error> {
        config.validate()?;
        check_adder_shape(&network)?;
        let sgd = Sgd::new(nalgebra::convert::<f64, T>(config.learning_rate))?;
        let mut rng = weight_rng(config.seed);
        rng.set_stream(1);
        let (inputs, _) = network.w_ih.shape_generic();
        let outputs = network.w_ho.shape_generic().1;
        Ok(Trainer {
            workspace: Workspace::new(&network, config.sum_bits),
            network,
            sgd,
            rng,
            inputs: vec![OVector::zeros_generic(inputs, U1); config.sum_bits],
            targets: vec![OVector::zeros_generic(outputs, U1); config.sum_bits],
            operand_max: u128::MAX >> (129 - config.sum_bits),
            samples_seen: 0,
        })
    }

    /// Draws two operands, runs forward and backward through time over their
    /// sum, and updates the weights; returns what the network predicted
    /// before the update.
    ///
    /// # Errors
    ///
    /// [`Error::NonFinite`] if the loss overflowed to NaN or infinity (the
    /// weights are then left as they were).
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, TrainConfig, Trainer};
    ///
    /// let mut trainer = Trainer::new(Rnn::<2, 16, 1>::from_seed(0), &TrainConfig::default())?;
    /// let first = trainer.train_sample()?;
    /// assert!(first.error > 0.0);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn train_sample(&mut self) -> Result<Sample, Error> {
        let a = self.rng.random_range(0..=self.operand_max);
        let b = self.rng.random_range(0..=self.operand_max);
        let sum = a + b;
        for (step, (input, target)) in self.inputs.iter_mut().zip(&mut self.targets).enumerate() {
            input[0] = from_bit(bit(a, step));
            input[1] = from_bit(bit(b, step));
            target[0] = from_bit(bit(sum, step));
        }
        self.network
            .backprop(&self.inputs, &self.targets, &mut self.workspace)?;
        self.sgd
            .update(&mut self.network, self.workspace.gradients())?;
        self.samples_seen += 1;

        let (mut predicted, mut error) = (0, T::zero());
        for (step, (output, target)) in self
            .workspace
            .outputs()
            .iter()
            .zip(&self.targets)
            .enumerate()
        {
            predicted |= u128::from(to_bit(output[0])) << step;
            error += (target[0] - output[0]).abs();
        }
        Ok(Sample {
            a,
            b,
            predicted,
            error: nalgebra::try_convert(error).unwrap_or(f64::NAN),
        })
    }

    /// How many samples have been trained on.
    ///
    /// # Examples
    ///
    /// See [`Trainer`].
    pub fn samples_seen(&self) -> usize {
        self.samples_seen
    }

    /// The network as trained so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, TrainConfig, Trainer};
    ///
    /// let start = Rnn::<2, 16, 1>::from_seed(0);
    /// let mut trainer = Trainer::new(start.clone(), &TrainConfig::default())?;
    /// trainer.train_sample()?;
    /// assert_ne!(trainer.network(), &start);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn network(&self) -> &Network<T, I, H, O> {
        &self.network
    }

    /// The trained network, as an [`Adder`].
    ///
    /// # Examples
    ///
    /// See [`train`].
    pub fn into_adder(self) -> Adder<T, I, H, O> {
        Adder {
            network: self.network,
        }
    }
}

/// Trains the seed's network, `Rnn<2, 16, 1>` in `f64`, with weights from
/// `config.seed`, for `config.samples` samples.
///
/// # Errors
///
/// The errors of [`Trainer::new`] and [`Trainer::train_sample`].
///
/// # Examples
///
/// ```
/// use const_rnn::{train, TrainConfig};
///
/// let adder = train(&TrainConfig::default())?;
/// assert_eq!(adder.add::<64>(u64::MAX.into(), 1)?, (0, true)); // like u64::overflowing_add
/// # Ok::<(), const_rnn::Error>(())
/// ```
pub fn train(config: &TrainConfig) -> Result<Adder, Error> {
    let mut trainer = Trainer::new(Rnn::<2, 16, 1>::from_seed(config.seed), config)?;
    for _ in 0..config.samples {
        trainer.train_sample()?;
    }
    Ok(trainer.into_adder())
}

/// A network used as an adder: it reads two operands bit by bit, least
/// significant first, and writes their sum.
///
/// The default type parameters are the seed's network, `Rnn<2, 16, 1>` in `f64`.
///
/// # Examples
///
/// ```
/// let adder = const_rnn::train(&const_rnn::TrainConfig::default())?;
/// assert_eq!(adder.add::<8>(100, 27)?, (127, false));
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Adder<T = f64, I = U2, H = U16, O = U1>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    network: Network<T, I, H, O>,
}

impl<T, I, H, O> Adder<T, I, H, O>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    /// Uses `network` (trained elsewhere) as an adder.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] unless the network has 2 inputs and 1 output.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Adder, DynRnn};
    ///
    /// assert!(Adder::new(DynRnn::<f64>::from_seed(2, 8, 1, 0)?).is_ok());
    /// assert!(Adder::new(DynRnn::<f64>::from_seed(2, 8, 2, 0)?).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn new(network: Network<T, I, H, O>) -> Result<Self, Error> {
        check_adder_shape(&network)?;
        Ok(Adder { network })
    }

    /// The network behind the adder.
    ///
    /// # Examples
    ///
    /// ```
    /// let adder = const_rnn::train(&const_rnn::TrainConfig { samples: 10, ..Default::default() })?;
    /// assert_eq!(adder.network().hidden(), 16);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn network(&self) -> &Network<T, I, H, O> {
        &self.network
    }

    /// Adds two `N`-bit operands in `N + 1` steps and returns the sum as
    /// `u128::overflowing_add` would for `N`-bit integers: the low `N` bits, and
    /// whether the carry out of bit `N - 1` was set. For `N = 128` that is how
    /// the 129-bit sum is reported: `(low 128 bits, bit 128)`.
    ///
    /// The answer is the network's, one rounded output per step: an untrained
    /// or badly trained network gives wrong sums.
    ///
    /// # Errors
    ///
    /// [`Error::TooWide`] if an operand does not fit in `N` bits.
    ///
    /// # Examples
    ///
    /// ```
    /// let adder = const_rnn::train(&const_rnn::TrainConfig::default())?;
    /// let (a, b) = (u128::MAX - 5, 10);
    /// assert_eq!(adder.add::<128>(a, b)?, a.overflowing_add(b));
    /// assert!(adder.add::<4>(16, 0).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn add<const N: usize>(&self, a: u128, b: u128) -> Result<(u128, bool), Error> {
        let (a, b) = (BitWidth::<N>::check(a)?, BitWidth::<N>::check(b)?);
        let mut state: State<T, H, O> = self.network.state();
        let mut input = OVector::zeros_generic(self.network.w_ih.shape_generic().0, U1);
        let (mut low, mut carry) = (0, false);
        for step in 0..BitWidth::<N>::SUM_STEPS {
            input[0] = from_bit(bit(a, step));
            input[1] = from_bit(bit(b, step));
            state.advance(&self.network, &input);
            let sum_bit = to_bit(state.output[0]);
            if step < N {
                low |= u128::from(sum_bit) << step;
            } else {
                carry = sum_bit;
            }
        }
        Ok((low, carry))
    }
}

/// An error unless `network` has the adder's 2 inputs and 1 output.
fn check_adder_shape<T, I, H, O>(network: &Network<T, I, H, O>) -> Result<(), Error>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    let hidden = network.hidden();
    expect_shape("w_ih", network.w_ih.shape(), (2, hidden))?;
    expect_shape("w_ho", network.w_ho.shape(), (hidden, 1))
}

/// A bit as a network input or target: 0 or 1.
fn from_bit<T: Real>(set: bool) -> T {
    if set { T::one() } else { T::zero() }
}

/// A network output read as a bit: 1 when above one half.
fn to_bit<T: Real>(output: T) -> bool {
    output > nalgebra::convert(0.5)
}
