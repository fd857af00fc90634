//! The binary-addition task's training: sampling operands, the training loop
//! ([`AdderTrainer`]), and the verify-and-train rounds behind the recipe.

use nalgebra::{DefaultAllocator, Dim, OVector, U1, U2};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;

use crate::adder::{check_adder_shape, from_bit, to_bit};
use crate::bits::bit;
use crate::network::weight_rng;
use crate::verify::{run_lengths, runs_operand, verify_network};
use crate::{
    Adder, Counterexample, Coverage, Error, Init, Network, Optimizer, OptimizerKind, ProofConfig,
    Real, Report, RnnAllocator, SequenceTrainer,
};

/// How to train a network to add: the seed's settings by default.
///
/// Each sample is a sum of `sum_bits` bits: two operands drawn uniformly below
/// `2^(sum_bits - 1)`, so that their sum always fits, read for `sum_bits` steps.
/// The seed's experiment is `sum_bits = 8` (operands below 128).
///
/// # Examples
///
/// ```
/// use const_rnn::AdderConfig;
///
/// let seed = AdderConfig::default();
/// assert_eq!((seed.sum_bits, seed.samples, seed.learning_rate, seed.seed), (8, 10_000, 0.1, 0));
///
/// // Training "at width 32": 32-bit operands and their 33-bit sums.
/// assert_eq!(AdderConfig::for_width(32).sum_bits, 33);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdderConfig {
    /// Time steps per sample, from 2 to 129; operands are below `2^(sum_bits - 1)`.
    pub sum_bits: usize,
    /// Number of samples of the seed's training.
    pub samples: usize,
    /// The optimiser's learning rate.
    pub learning_rate: f64,
    /// The optimiser: the seed's SGD by default.
    pub optimizer: OptimizerKind,
    /// Samples per update, their gradients averaged: 1 is the seed's.
    pub batch: usize,
    /// How the first weights are drawn (by [`train`](crate::train),
    /// [`train_plain`](crate::train_plain) and a restart of the recipe):
    /// [`Init::BySize`] by default, the seed's uniform `[-1, 1)` up to 16
    /// hidden units and Xavier uniform above.
    pub init: Init,
    /// Seeds the weights (ChaCha8 stream 0), the seed's operands (stream 1)
    /// and the verify-and-train loop's operands (stream 2); restart `r`
    /// of [`train`](crate::train) draws from streams `3r`, `3r + 1` and `3r + 2`.
    pub seed: u64,
    /// The most samples, in all, that [`train`](crate::train) may use before it gives up
    /// with [`Error::Unverified`].
    pub budget: usize,
    /// The verifier's coverage that a trained adder must pass.
    pub gate: Coverage,
    /// How hard [`train`](crate::train) tries to prove the adder it trained.
    pub proof: ProofConfig,
    /// The most rounds of training on where the proof failed, each of
    /// [`ROUND_SAMPLES`] samples, after which [`train`](crate::train)
    /// starts again from new weights, or returns the adder verified but not
    /// proven (within `budget` in all). Above 32 hidden units with
    /// [`OptimizerKind::Adam`], a network after which another may be tried
    /// has none ([`AdderTrainer::into_proven_adder`]).
    pub proof_rounds: usize,
    /// How many times [`train`](crate::train) may start again from new
    /// weights (drawn from `seed`'s next streams) when the network it
    /// trained is verified but not proven; `0` never starts again.
    pub restarts: usize,
    /// The most verify-and-train rounds, each of [`ROUND_SAMPLES`] samples,
    /// that [`train`](crate::train) gives a network that is not the last it
    /// may try before it starts again from new weights; the last network may
    /// use what is left of `budget`.
    pub verify_rounds: usize,
}

/// [`AdderConfig::restarts`]'s default. With Adam at 6 hidden units about
/// one network in four is proven (19 proven of 78 drawn over seeds 0 to
/// 19), so 10 networks leave about one seed in 18 unproven and 20 one in
/// 300 (the crate's `docs/convergence.md`).
const DEFAULT_RESTARTS: usize = 19;

/// [`AdderConfig::proof_rounds`]'s default.
const DEFAULT_PROOF_ROUNDS: usize = 2;

/// [`AdderConfig::verify_rounds`]'s default: 100,000 samples.
const DEFAULT_VERIFY_ROUNDS: usize = 20;

/// [`AdderConfig::budget`]'s default: room for 10 networks of up to
/// 100,000 samples each, which small networks take.
const DEFAULT_BUDGET: usize = 1_000_000;

/// [`AdderConfig::adam`]'s learning rate.
const ADAM_LEARNING_RATE: f64 = 0.03;

impl Default for AdderConfig {
    /// The seed's settings: 8-bit sums, 10,000 samples, learning rate 0.1, seed 0.
    fn default() -> Self {
        AdderConfig {
            sum_bits: 8,
            samples: 10_000,
            learning_rate: 0.1,
            optimizer: OptimizerKind::Sgd,
            batch: 1,
            init: Init::BySize,
            seed: 0,
            budget: DEFAULT_BUDGET,
            gate: Coverage::default(),
            proof: ProofConfig::default(),
            proof_rounds: DEFAULT_PROOF_ROUNDS,
            restarts: DEFAULT_RESTARTS,
            verify_rounds: DEFAULT_VERIFY_ROUNDS,
        }
    }
}

impl AdderConfig {
    /// The seed's settings, but with `width`-bit operands: `sum_bits = width + 1`,
    /// so that the model sees the carry out of the top bit, as
    /// [`Adder::add`] with `BitWidth<width>` does.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(const_rnn::AdderConfig::for_width(3).sum_bits, 4);
    /// ```
    pub fn for_width(width: usize) -> Self {
        AdderConfig {
            sum_bits: width.saturating_add(1),
            ..AdderConfig::default()
        }
    }

    /// The default recipe with Adam instead of SGD:
    /// [`OptimizerKind::adam_for_adders`] at a learning rate of 0.03, the
    /// settings of the program's `--optimizer adam`.
    ///
    /// 0.1 solves the seed's task fastest, but the adders it trains are
    /// proven less often; at 0.03 the recipe proved 20 seeds of 20 at 6, 7,
    /// 8, 12, 16, 24, 32, 48 and 64 hidden units (the crate's `docs/convergence.md`).
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{AdderConfig, OptimizerKind};
    ///
    /// let adam = AdderConfig { seed: 7, ..AdderConfig::adam() };
    /// assert_eq!(adam.optimizer, OptimizerKind::adam_for_adders());
    /// assert_eq!((adam.learning_rate, adam.samples), (0.03, 10_000));
    /// assert!(adam.validate().is_ok());
    /// ```
    pub fn adam() -> Self {
        AdderConfig {
            optimizer: OptimizerKind::adam_for_adders(),
            learning_rate: ADAM_LEARNING_RATE,
            ..AdderConfig::default()
        }
    }

    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`Error::SumBits`] if `sum_bits` is outside `2..=129`; [`Error::Zero`]
    /// if `samples` or `batch` is 0; the errors of [`OptimizerKind::build`]
    /// for a learning rate that is not finite and positive or an optimiser
    /// setting out of range; the errors of [`Coverage::validate`] for `gate`.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::AdderConfig;
    ///
    /// assert!(AdderConfig::default().validate().is_ok());
    /// assert!(AdderConfig::for_width(128).validate().is_ok());
    /// assert!(AdderConfig { sum_bits: 200, ..AdderConfig::default() }.validate().is_err());
    /// assert!(AdderConfig { samples: 0, ..AdderConfig::default() }.validate().is_err());
    /// assert!(AdderConfig { learning_rate: f64::INFINITY, ..AdderConfig::default() }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if !(2..=129).contains(&self.sum_bits) {
            return Err(Error::SumBits {
                sum_bits: self.sum_bits,
            });
        }
        if self.samples == 0 {
            return Err(Error::Zero {
                what: "training samples",
            });
        }
        if self.batch == 0 {
            return Err(Error::Zero { what: "batch size" });
        }
        self.gate.validate()?;
        self.proof.validate()?;
        self.optimizer.build::<f64>(self.learning_rate).map(|_| ())
    }
}

/// What one training sample was and what the network made of it, before the update.
///
/// # Examples
///
/// ```
/// use const_rnn::{Rnn, AdderConfig, AdderTrainer};
///
/// let mut trainer = AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(0), &AdderConfig::default())?;
/// let sample = trainer.train_sample()?;
/// assert!(sample.a < 128 && sample.b < 128);
/// assert_eq!(sample.is_exact(), sample.predicted == sample.sum());
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdderSample {
    /// The first operand.
    pub a: u128,
    /// The second operand.
    pub b: u128,
    /// The sum the network predicted, one rounded output per bit (the first
    /// 128 bits, for a sum read for 129 steps).
    pub predicted: u128,
    /// The seed's error: the sum over bits of `|y_t - o_t|`.
    pub error: f64,
}

impl AdderSample {
    /// The true sum, `a + b` (its low 128 bits, for the one sum of two
    /// 128-bit operands that does not fit).
    ///
    /// # Examples
    ///
    /// ```
    /// let sample = const_rnn::AdderSample { a: 3, b: 4, predicted: 7, error: 0.1 };
    /// assert_eq!(sample.sum(), 7);
    /// ```
    pub fn sum(&self) -> u128 {
        self.a.wrapping_add(self.b)
    }

    /// Whether every predicted bit was right.
    ///
    /// # Examples
    ///
    /// ```
    /// let sample = const_rnn::AdderSample { a: 3, b: 4, predicted: 5, error: 1.2 };
    /// assert!(!sample.is_exact());
    /// ```
    pub fn is_exact(&self) -> bool {
        self.predicted == self.sum()
    }
}

/// Trains a network with 2 inputs and 1 output to add, one sample at a time:
/// forward, backpropagation through time, and an update by the configured
/// optimiser (after every `batch` samples), on [`SequenceTrainer`].
///
/// A step allocates nothing: the input and target sequences and the
/// [`Workspace`](crate::Workspace) are made once, in [`AdderTrainer::new`].
///
/// # Examples
///
/// ```
/// use const_rnn::{DynRnn, AdderConfig, AdderTrainer};
///
/// let config = AdderConfig { samples: 100, ..AdderConfig::default() };
/// let mut trainer = AdderTrainer::new(DynRnn::<f64>::from_seed(2, 16, 1, config.seed)?, &config)?;
/// for _ in 0..config.samples {
///     trainer.train_sample()?;
/// }
/// assert_eq!(trainer.samples_seen(), 100);
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug)]
pub struct AdderTrainer<I, H, O, T>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    trainer: SequenceTrainer<I, H, O, T, Box<dyn Optimizer<T>>>,
    rng: ChaCha8Rng,
    inputs: Vec<OVector<T, I>>,
    targets: Vec<OVector<T, O>>,
    /// Operands are drawn from `0..=operand_max`.
    operand_max: u128,
    /// Steps of a drawn sample.
    sum_bits: usize,
    /// Samples in a row whose outputs were all saturated with a wrong bit.
    stuck: usize,
}

impl<I, H, O, T> AdderTrainer<I, H, O, T>
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
    /// the errors of [`AdderConfig::validate`].
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{DynRnn, Rnn, AdderConfig, AdderTrainer};
    ///
    /// assert!(AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(0), &AdderConfig::default()).is_ok());
    /// assert!(AdderTrainer::new(Rnn::<3, 16, 1>::from_seed(0), &AdderConfig::default()).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn new(network: Network<I, H, O, T>, config: &AdderConfig) -> Result<Self, Error> {
        config.validate()?;
        check_adder_shape(&network)?;
        let optimizer = config.optimizer.build::<T>(config.learning_rate)?;
        let mut rng = weight_rng(config.seed);
        rng.set_stream(1);
        let (inputs, _) = network.w_ih.shape_generic();
        let outputs = network.w_ho.shape_generic().1;
        Ok(AdderTrainer {
            trainer: SequenceTrainer::new(network, optimizer)
                .with_capacity(config.sum_bits)
                .with_batch(config.batch)?,
            rng,
            inputs: vec![OVector::zeros_generic(inputs, U1); config.sum_bits],
            targets: vec![OVector::zeros_generic(outputs, U1); config.sum_bits],
            operand_max: u128::MAX >> (129 - config.sum_bits),
            sum_bits: config.sum_bits,
            stuck: 0,
        })
    }

    /// A trainer for restart `restart` of the recipe: new weights of the
    /// shape of this trainer's network, drawn as `config.init` says from
    /// `config.seed`'s stream `3 * restart`, operands from stream `3 * restart + 1`.
    pub(crate) fn restarted(&self, config: &AdderConfig, restart: usize) -> Result<Self, Error> {
        let network = self.trainer.network();
        let (inputs, hidden) = network.w_ih.shape_generic();
        let outputs = network.w_ho.shape_generic().1;
        let mut rng = weight_rng(config.seed);
        rng.set_stream(3 * restart as u64);
        let network = Network::random_generic(inputs, hidden, outputs, config.init, &mut rng);
        let mut trainer = AdderTrainer::new(network, config)?;
        trainer.rng.set_stream(3 * restart as u64 + 1);
        Ok(trainer)
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
    /// use const_rnn::{Rnn, AdderConfig, AdderTrainer};
    ///
    /// let mut trainer = AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(0), &AdderConfig::default())?;
    /// let first = trainer.train_sample()?;
    /// assert!(first.error > 0.0);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn train_sample(&mut self) -> Result<AdderSample, Error> {
        let a = self.rng.random_range(0..=self.operand_max);
        let b = self.rng.random_range(0..=self.operand_max);
        self.train_on(a, b, self.sum_bits)
    }

    /// Trains on one given sum: `a + b` read for `steps` steps (its low
    /// `steps` bits), forward, backward through time and an update;
    /// returns what the network predicted before the update.
    ///
    /// A sequence longer than any before grows the trainer's buffers once.
    ///
    /// # Errors
    ///
    /// [`Error::SumBits`] if `steps` is outside `1..=129`; [`Error::TooWide`]
    /// if `a + b` does not fit in `steps` bits; otherwise as
    /// [`AdderTrainer::train_sample`].
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, AdderConfig, AdderTrainer};
    ///
    /// let mut trainer = AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(0), &AdderConfig::default())?;
    /// // A long carry chain: (2^40 - 1) + 1, read to its carry-out step.
    /// let sample = trainer.train_on((1 << 40) - 1, 1, 41)?;
    /// assert_eq!(sample.sum(), 1 << 40);
    /// assert!(trainer.train_on(1, 1, 130).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn train_on(&mut self, a: u128, b: u128, steps: usize) -> Result<AdderSample, Error> {
        self.train_with(a, b, steps, T::one(), None)
    }

    /// [`AdderTrainer::train_on`] with the gradient times `scale`, and shortened
    /// to a norm of `clip` when it is longer.
    fn train_with(
        &mut self,
        a: u128,
        b: u128,
        steps: usize,
        scale: T,
        clip: Option<T>,
    ) -> Result<AdderSample, Error> {
        if !(1..=129).contains(&steps) {
            return Err(Error::SumBits { sum_bits: steps });
        }
        if steps <= 128 {
            match a.checked_add(b) {
                Some(sum) if sum >> (steps - 1) >> 1 == 0 => {}
                _ => {
                    return Err(Error::TooWide {
                        value: a.max(b),
                        width: steps - 1,
                    });
                }
            }
        }
        if self.inputs.len() < steps {
            let inputs = self.inputs[0].shape_generic().0;
            let outputs = self.targets[0].shape_generic().0;
            self.inputs
                .resize(steps, OVector::zeros_generic(inputs, U1));
            self.targets
                .resize(steps, OVector::zeros_generic(outputs, U1));
        }
        let (inputs, targets) = (&mut self.inputs[..steps], &mut self.targets[..steps]);
        let (low, carry) = a.overflowing_add(b);
        for (step, (input, target)) in inputs.iter_mut().zip(targets.iter_mut()).enumerate() {
            input[0] = from_bit(bit(a, step));
            input[1] = from_bit(bit(b, step));
            target[0] = from_bit(if step < 128 { bit(low, step) } else { carry });
        }
        let sample = self.trainer.samples() + 1;
        let diverged = |reason| Error::Diverged { sample, reason };
        // The inputs and targets are bits: a value that is not finite is an
        // overflow. The update below checks the gradients.
        self.trainer
            .backprop_unchecked(inputs, targets)
            .map_err(|err| match err {
                Error::NonFinite { .. } => diverged("the loss or a gradient overflowed"),
                other => other,
            })?;

        let (mut predicted, mut error, mut saturated, mut wrong) = (0, T::zero(), true, false);
        let (near, half) = (
            nalgebra::convert::<f64, T>(1e-6),
            nalgebra::convert::<f64, T>(0.5),
        );
        for (step, (output, target)) in self
            .trainer
            .outputs()
            .iter()
            .zip(targets.iter())
            .enumerate()
        {
            if step < 128 {
                predicted |= u128::from(to_bit(output[0])) << step;
            }
            let miss = (target[0] - output[0]).abs();
            error += miss;
            saturated &= miss < near || miss > T::one() - near;
            wrong |= miss > half;
        }
        // Saturated outputs have no gradient left to learn from.
        self.stuck = if saturated && wrong {
            self.stuck + 1
        } else {
            0
        };
        if self.stuck >= STUCK_WINDOW {
            return Err(Error::Diverged {
                sample: sample + 1 - STUCK_WINDOW,
                reason: "every output saturated with a wrong bit, 1,000 samples in a row",
            });
        }

        self.trainer.apply(scale, clip).map_err(|err| match err {
            Error::NonFinite { .. } => diverged("a gradient or a weight overflowed"),
            other => other,
        })?;
        Ok(AdderSample {
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
    /// See [`AdderTrainer`].
    pub fn samples_seen(&self) -> usize {
        self.trainer.samples()
    }

    /// The network as trained so far.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, AdderConfig, AdderTrainer};
    ///
    /// let start = Rnn::<2, 16, 1>::from_seed(0);
    /// let mut trainer = AdderTrainer::new(start.clone(), &AdderConfig::default())?;
    /// trainer.train_sample()?;
    /// assert_ne!(trainer.network(), &start);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn network(&self) -> &Network<I, H, O, T> {
        self.trainer.network()
    }

    /// The trained network, as an [`Adder`], unverified: the seed's recipe.
    ///
    /// # Examples
    ///
    /// See [`train_plain`](crate::train_plain).
    pub fn into_adder(self) -> Result<Adder<H, T>, Error>
    where
        DefaultAllocator: RnnAllocator<U2, H, U1>,
    {
        Ok(Adder::trained(
            self.trainer.network().reshape()?,
            self.trainer.samples(),
        ))
    }

    /// Trains on until the verifier finds no wrong sum, and returns the
    /// verified adder: the default recipe's second half.
    ///
    /// Each round checks the network with [`Coverage::quick`], then, if that
    /// finds nothing, with `config.gate`. While a wrong sum is found, it
    /// trains [`ROUND_SAMPLES`] more samples: 12-bit sums, 30% of them with
    /// operands made of runs of equal bits, and every 50th sample one of the
    /// wrong sums found so far (at a learning rate scaled down by its length
    /// when it is longer than 12 bits). Every update of the loop is shortened
    /// to a gradient norm of at most 10.
    ///
    /// # Errors
    ///
    /// [`Error::Unverified`], with the last wrong sum found, once
    /// `config.budget` samples have been trained on in all; the errors of
    /// [`verify`](crate::verify) and [`AdderTrainer::train_on`].
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Coverage, Rnn, AdderConfig, AdderTrainer};
    ///
    /// let config = AdderConfig { gate: Coverage::quick(), ..AdderConfig::default() };
    /// let mut trainer = AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(config.seed), &config)?;
    /// for _ in 0..config.samples {
    ///     trainer.train_sample()?;
    /// }
    /// let adder = trainer.into_verified_adder(&config)?;
    /// assert!(adder.verified().is_some() && adder.samples() >= config.samples);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn into_verified_adder(self, config: &AdderConfig) -> Result<Adder<H, T>, Error>
    where
        Network<U2, H, U1, T>: Sync,
        DefaultAllocator: RnnAllocator<U2, H, U1>,
    {
        self.into_verified_adder_observed(config, |_| {})
    }

    /// [`AdderTrainer::into_verified_adder`], showing `observe` every sample
    /// it trains on, for a progress display or a training curve.
    ///
    /// # Errors
    ///
    /// As [`AdderTrainer::into_verified_adder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{AdderConfig, AdderTrainer, Coverage, Rnn};
    ///
    /// let config = AdderConfig { gate: Coverage::quick(), samples: 2_000, ..AdderConfig::default() };
    /// let mut trainer = AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(config.seed), &config)?;
    /// for _ in 0..config.samples {
    ///     trainer.train_sample()?;
    /// }
    /// let mut seen = 0;
    /// let adder = trainer.into_verified_adder_observed(&config, |_| seen += 1)?;
    /// assert_eq!(config.samples + seen, adder.samples());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn into_verified_adder_observed(
        mut self,
        config: &AdderConfig,
        mut observe: impl FnMut(&AdderSample),
    ) -> Result<Adder<H, T>, Error>
    where
        Network<U2, H, U1, T>: Sync,
        DefaultAllocator: RnnAllocator<U2, H, U1>,
    {
        config.validate()?;
        let mut rounds = Rounds::new(config, 0);
        let report = self.train_until_verified(config, &config.gate, &mut rounds, &mut observe)?;
        let mut adder = Adder::new(self.trainer.network().reshape()?);
        adder.set_verified(report, self.trainer.samples());
        Ok(adder)
    }

    /// The verify-and-train rounds of [`AdderTrainer::into_verified_adder`]:
    /// verifies with [`Coverage::quick`], then `gate`, and while the verifier
    /// finds a wrong sum, trains a round on it; returns the report of the
    /// search that found nothing.
    pub(crate) fn train_until_verified(
        &mut self,
        config: &AdderConfig,
        gate: &Coverage,
        rounds: &mut Rounds,
        observe: &mut impl FnMut(&AdderSample),
    ) -> Result<Report, Error>
    where
        Network<U2, H, U1, T>: Sync,
        DefaultAllocator: RnnAllocator<U2, H, U1>,
    {
        loop {
            // The verdict is about the adder's network, of the adder's type.
            let network: Network<U2, H, U1, T> = self.trainer.network().reshape()?;
            let quick = verify_network(&network, &Coverage::quick())?;
            let report = if quick.is_verified() && *gate != Coverage::quick() {
                verify_network(&network, gate)?
            } else {
                quick
            };
            let Some(counterexample) = report.counterexample else {
                return Ok(report);
            };
            if self.trainer.samples() >= config.budget {
                return Err(Error::Unverified {
                    samples: self.trainer.samples(),
                    counterexample: Box::new(counterexample),
                });
            }
            rounds.wrong_sums.push(counterexample);
            self.train_round(rounds, observe)?;
        }
    }

    /// One round of [`ROUND_SAMPLES`] samples: every 50th a wrong sum found
    /// before, a share on the histories the prover failed on (if any), the
    /// rest 12-bit sums, 30% of them made of runs.
    pub(crate) fn train_round(
        &mut self,
        rounds: &mut Rounds,
        observe: &mut impl FnMut(&AdderSample),
    ) -> Result<(), Error> {
        let clip = Some(nalgebra::convert::<f64, T>(MAX_GRADIENT_NORM));
        let mask = u128::MAX >> (129 - ROUND_SUM_BITS);
        for sample in 0..ROUND_SAMPLES {
            if sample % REPLAY_EVERY == 0 && !rounds.wrong_sums.is_empty() {
                let wrong = rounds.wrong_sums[(sample / REPLAY_EVERY) % rounds.wrong_sums.len()];
                // A long sum's gradient adds up over many steps: scale the
                // rate down to that of a round's sum, or it undoes the round.
                let steps = wrong.width + 1;
                let scale = (ROUND_SUM_BITS as f64 / steps as f64).min(1.0);
                let scale = nalgebra::convert::<f64, T>(scale);
                observe(&self.train_with(wrong.a, wrong.b, steps, scale, clip)?);
                continue;
            }
            let rng = &mut rounds.rng;
            let (a, b) = if !rounds.histories.is_empty() && rng.random_bool(HISTORY_FRACTION) {
                let history = &rounds.histories[rng.random_range(0..rounds.histories.len())];
                history_operands(rng, history, ROUND_SUM_BITS - 1)
            } else if rng.random_bool(RUN_FRACTION) {
                let lengths = &rounds.run_lengths[rng.random_range(0..rounds.run_lengths.len())];
                (
                    runs_operand(rng, lengths) & mask,
                    runs_operand(rng, lengths) & mask,
                )
            } else {
                (rng.random_range(0..=mask), rng.random_range(0..=mask))
            };
            observe(&self.train_with(a, b, ROUND_SUM_BITS, T::one(), clip)?);
        }
        Ok(())
    }
}

/// What the verify-and-train rounds carry from one round to the next: their
/// operands' generator (ChaCha8 stream 2 of the seed), the wrong sums found,
/// and the histories where the prover failed.
#[derive(Debug)]
pub(crate) struct Rounds {
    rng: ChaCha8Rng,
    run_lengths: [rand_distr::Geometric; 3],
    pub(crate) wrong_sums: Vec<Counterexample>,
    /// Each a carry and the pairs (`a + 2 b`) that follow it.
    pub(crate) histories: Vec<(bool, Vec<usize>)>,
}

impl Rounds {
    /// The rounds of training with `config`, in restart `restart` of the recipe.
    pub(crate) fn new(config: &AdderConfig, restart: usize) -> Self {
        let mut rng = weight_rng(config.seed);
        rng.set_stream(3 * restart as u64 + 2);
        Rounds {
            rng,
            run_lengths: run_lengths(),
            wrong_sums: Vec::new(),
            histories: Vec::new(),
        }
    }
}

/// Two operands of `bits` bits whose pairs contain `pairs` (truncated to its
/// last `bits - 1`) entered with the carry `carry`, after a random prefix and
/// before a random suffix.
fn history_operands(
    rng: &mut ChaCha8Rng,
    (carry, pairs): &(bool, Vec<usize>),
    bits: usize,
) -> (u128, u128) {
    let pairs = &pairs[pairs.len().saturating_sub(bits - 1)..];
    let prefix = rng.random_range(1..=bits - pairs.len());
    let mut word: Vec<usize> = (0..prefix).map(|_| rng.random_range(0..4)).collect();
    let carry_in = word.iter().fold(false, |c, &pair| {
        (pair == 3) || (c && (pair == 1 || pair == 2))
    });
    if carry_in != *carry {
        // (1, 1) sets the carry and (0, 0) clears it.
        word[prefix - 1] = if *carry { 3 } else { 0 };
    }
    word.extend_from_slice(pairs);
    while word.len() < bits {
        word.push(rng.random_range(0..4));
    }
    word.iter().enumerate().fold((0, 0), |(a, b), (t, &pair)| {
        (
            a | u128::from(pair & 1 == 1) << t,
            b | u128::from(pair & 2 == 2) << t,
        )
    })
}

/// The share of a round's samples on the histories where the prover failed.
const HISTORY_FRACTION: f64 = 0.3;

/// Training has diverged when this many samples in a row have every output
/// within 1e-6 of 0 or 1 and a wrong bit: the sigmoids are saturated, so the
/// gradients are all but zero and nothing more is learnt. Healthy training
/// never gets near; a learning rate of 1e6 trips it within the first samples.
const STUCK_WINDOW: usize = 1_000;
const _: () = assert!(STUCK_WINDOW == 1_000, "the Diverged message says 1,000");

/// Samples per round of the verify-and-train loop.
pub const ROUND_SAMPLES: usize = 5_000;
/// Steps of the sums the loop trains on: 12-bit sums of 11-bit operands.
const ROUND_SUM_BITS: usize = 12;
/// The share of the loop's samples with run-structured operands.
const RUN_FRACTION: f64 = 0.3;
/// The loop shortens any update whose gradient is longer than this: a wrong
/// sum found after a long run can have a gradient thousands of times the
/// usual one (about 1), and one such step undoes the network.
const MAX_GRADIENT_NORM: f64 = 10.0;
/// Every this many samples, the loop replays a wrong sum found before.
const REPLAY_EVERY: usize = 50;
