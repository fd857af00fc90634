//! The generic training loop: any sequences of inputs and targets, any
//! [`Optimizer`], mini-batches and gradient-norm clipping.
//!
//! The addition task ([`AdderTrainer`](crate::AdderTrainer)) is one user of it.

use nalgebra::{DefaultAllocator, Dim, OVector};

use crate::{Error, Gradients, Network, Optimizer, Real, RnnAllocator, Sgd, Workspace};

/// Trains a network on sequences: forward, backpropagation through time,
/// and an optimiser's update after every `batch` sequences (their gradients
/// averaged), each update optionally shortened to a gradient norm.
///
/// With a batch of 1 and no clipping, [`SequenceTrainer::train`] is exactly
/// [`Network::backprop`] then [`Optimizer::update`]; nothing is allocated
/// after the first sequence of the longest length.
///
/// # Examples
///
/// Teach a network to echo its input one step late (a task that is not
/// addition), with Adam and batches of 4:
///
/// ```
/// use const_rnn::{Adam, Rnn, SequenceTrainer};
/// use nalgebra::{Vector1, Vector2};
///
/// let bits = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0];
/// let inputs: Vec<Vector2<f64>> = bits.iter().map(|&b| Vector2::new(b, 1.0)).collect();
/// let targets: Vec<Vector1<f64>> = std::iter::once(0.0).chain(bits[..7].iter().copied())
///     .map(Vector1::new).collect();
///
/// let network = Rnn::<2, 8, 1>::from_seed(1);
/// let mut trainer = SequenceTrainer::new(network, Adam::new(0.1, 0.9, 0.999, 1e-8)?).with_batch(4)?;
/// let first = trainer.fit(std::iter::repeat_n((&inputs[..], &targets[..]), 4))?;
/// let last = trainer.fit(std::iter::repeat_n((&inputs[..], &targets[..]), 400))?;
/// assert!(last < first / 10.0);
/// assert_eq!(trainer.samples(), 404);
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug)]
pub struct SequenceTrainer<I, H, O, T = f64, Opt = Sgd<T>>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    network: Network<I, H, O, T>,
    workspace: Workspace<I, H, O, T>,
    optimizer: Opt,
    batch: usize,
    clip: Option<T>,
    /// The batch's gradients so far, each already scaled.
    sum: Gradients<I, H, O, T>,
    /// Sequences in `sum`.
    pending: usize,
    samples: usize,
}

impl<I, H, O, T, Opt> SequenceTrainer<I, H, O, T, Opt>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    Opt: Optimizer<T>,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    /// Trains `network` with `optimizer`, one update per sequence, no clipping.
    ///
    /// # Examples
    ///
    /// See [`SequenceTrainer`].
    pub fn new(network: Network<I, H, O, T>, optimizer: Opt) -> Self {
        let workspace = Workspace::new(&network, 1);
        let mut sum = workspace.gradients().clone();
        for slice in sum.as_mut_slices() {
            slice.fill(T::zero());
        }
        SequenceTrainer {
            network,
            workspace,
            optimizer,
            batch: 1,
            clip: None,
            sum,
            pending: 0,
            samples: 0,
        }
    }

    /// Makes room for sequences of `steps` steps now, so that training on
    /// them allocates nothing (a longer sequence grows the room once).
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, SequenceTrainer, Sgd};
    ///
    /// let trainer = SequenceTrainer::new(Rnn::<2, 4, 1>::from_seed(0), Sgd::new(0.1)?).with_capacity(64);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn with_capacity(mut self, steps: usize) -> Self {
        self.workspace = Workspace::new(&self.network, steps);
        self
    }

    /// Updates after every `batch` sequences, with their gradients averaged.
    ///
    /// # Errors
    ///
    /// [`Error::Zero`] if `batch` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, SequenceTrainer, Sgd};
    ///
    /// let trainer = SequenceTrainer::new(Rnn::<2, 4, 1>::from_seed(0), Sgd::new(0.1)?);
    /// assert!(trainer.with_batch(0).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn with_batch(mut self, batch: usize) -> Result<Self, Error> {
        if batch == 0 {
            return Err(Error::Zero { what: "batch size" });
        }
        self.batch = batch;
        Ok(self)
    }

    /// Shortens every update whose gradient norm (see [`Gradients::norm`]) is
    /// more than `max_norm` to that norm.
    ///
    /// # Errors
    ///
    /// [`Error::Hyperparameter`] unless `max_norm` is finite and positive.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, SequenceTrainer, Sgd};
    ///
    /// let trainer = SequenceTrainer::new(Rnn::<2, 4, 1>::from_seed(0), Sgd::new(0.1)?);
    /// assert!(trainer.with_clip(f64::NAN).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn with_clip(mut self, max_norm: T) -> Result<Self, Error> {
        if !(max_norm.is_finite() && max_norm > T::zero()) {
            return Err(Error::Hyperparameter {
                what: "gradient norm limit",
                value: nalgebra::try_convert::<T, f64>(max_norm).unwrap_or(f64::NAN),
            });
        }
        self.clip = Some(max_norm);
        Ok(self)
    }

    /// Trains on one sequence: forward and backward through time, then, at
    /// the end of a batch, an update. Returns the loss `½ Σ_t |y_t - o_t|²`
    /// before the update.
    ///
    /// # Errors
    ///
    /// The errors of [`Network::backprop`] (the network is then unchanged)
    /// and of [`Optimizer::update`] (the batch is then dropped and the
    /// network unchanged).
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, SequenceTrainer, Sgd};
    /// use nalgebra::{Vector1, Vector2};
    ///
    /// let mut trainer = SequenceTrainer::new(Rnn::<2, 4, 1>::from_seed(0), Sgd::new(0.5)?);
    /// let (inputs, targets) = ([Vector2::new(1.0, 1.0)], [Vector1::new(1.0)]);
    /// let first = trainer.train(&inputs, &targets)?;
    /// assert!(trainer.train(&inputs, &targets)? < first);
    /// assert_eq!(trainer.outputs().len(), 1);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn train(
        &mut self,
        inputs: &[OVector<T, I>],
        targets: &[OVector<T, O>],
    ) -> Result<T, Error> {
        let loss = self
            .network
            .backprop(inputs, targets, &mut self.workspace)?;
        self.apply(T::one(), None)?;
        Ok(loss)
    }

    /// Trains on every `(inputs, targets)` pair of `data`, in order, and
    /// returns their mean loss (0 for no data). A batch left part-full at
    /// the end waits for the next sequences; [`SequenceTrainer::finish_batch`]
    /// applies it now.
    ///
    /// # Errors
    ///
    /// The first error of [`SequenceTrainer::train`]; the sequences before
    /// it have been trained on.
    ///
    /// # Examples
    ///
    /// See [`SequenceTrainer`].
    pub fn fit<'a, D>(&mut self, data: D) -> Result<T, Error>
    where
        D: IntoIterator<Item = (&'a [OVector<T, I>], &'a [OVector<T, O>])>,
        OVector<T, I>: 'a,
        OVector<T, O>: 'a,
    {
        let (mut total, mut count) = (T::zero(), T::zero());
        for (inputs, targets) in data {
            total += self.train(inputs, targets)?;
            count += T::one();
        }
        Ok(if count > T::zero() {
            total / count
        } else {
            T::zero()
        })
    }

    /// Applies the sequences of a part-full batch now, their gradients
    /// averaged over their number.
    ///
    /// # Errors
    ///
    /// The errors of [`Optimizer::update`]; the part-full batch is then
    /// dropped, and no longer counted in [`SequenceTrainer::samples`].
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, SequenceTrainer, Sgd};
    /// use nalgebra::{Vector1, Vector2};
    ///
    /// let start = Rnn::<2, 4, 1>::from_seed(0);
    /// let mut trainer = SequenceTrainer::new(start.clone(), Sgd::new(0.5)?).with_batch(8)?;
    /// trainer.train(&[Vector2::new(1.0, 1.0)], &[Vector1::new(1.0)])?;
    /// assert_eq!(trainer.network(), &start); // the batch is not full
    /// trainer.finish_batch()?;
    /// assert_ne!(trainer.network(), &start);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn finish_batch(&mut self) -> Result<(), Error> {
        if self.pending == 0 {
            return Ok(());
        }
        if self.pending > 1 {
            let mean = T::one() / nalgebra::convert::<f64, T>(self.pending as f64);
            for slice in self.sum.as_mut_slices() {
                for g in slice {
                    *g *= mean;
                }
            }
        }
        let result = self.optimizer.update(&mut self.network, &self.sum);
        for slice in self.sum.as_mut_slices() {
            slice.fill(T::zero());
        }
        if result.is_err() {
            // The dropped sequences were not trained on.
            self.samples -= self.pending;
        }
        self.pending = 0;
        result
    }

    /// Forward and backward through time over one sequence, without the
    /// checks of [`Network::backprop`] beyond shapes and overflow: for
    /// callers whose inputs and targets are known to be finite.
    pub(crate) fn backprop_unchecked(
        &mut self,
        inputs: &[OVector<T, I>],
        targets: &[OVector<T, O>],
    ) -> Result<T, Error> {
        self.network
            .backprop_unchecked(inputs, targets, &mut self.workspace)
    }

    /// Counts the last backpropagated sequence into the batch, its gradients
    /// times `scale`, and updates when the batch is full. `clip`, when given,
    /// replaces the trainer's own limit on the gradient norm.
    pub(crate) fn apply(&mut self, scale: T, clip: Option<T>) -> Result<(), Error> {
        let gradients = self.workspace.gradients();
        let mut factor = scale;
        if let Some(max_norm) = clip.or(self.clip) {
            let norm = gradients.norm() * scale.abs();
            if !norm.is_finite() {
                return Err(Error::NonFinite { what: "gradient" });
            }
            if norm > max_norm {
                factor = scale * (max_norm / norm);
            }
        }
        if self.batch == 1 && factor == T::one() {
            self.optimizer.update(&mut self.network, gradients)?;
            self.samples += 1;
            return Ok(());
        }
        self.samples += 1;
        for (sum, &g) in self
            .sum
            .as_mut_slices()
            .into_iter()
            .flat_map(|s| s.iter_mut())
            .zip(gradients.as_slices().into_iter().flatten())
        {
            *sum += factor * g;
        }
        self.pending += 1;
        if self.pending == self.batch {
            self.finish_batch()
        } else {
            Ok(())
        }
    }

    /// The outputs of the last sequence's forward pass, before its update.
    ///
    /// # Examples
    ///
    /// See [`SequenceTrainer::train`].
    pub fn outputs(&self) -> &[OVector<T, O>] {
        self.workspace.outputs()
    }

    /// The network as trained so far.
    ///
    /// # Examples
    ///
    /// See [`SequenceTrainer::finish_batch`].
    pub fn network(&self) -> &Network<I, H, O, T> {
        &self.network
    }

    /// The trained network. A part-full batch is dropped: call
    /// [`SequenceTrainer::finish_batch`] first to keep it.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, SequenceTrainer, Sgd};
    ///
    /// let trainer = SequenceTrainer::new(Rnn::<2, 4, 1>::from_seed(0), Sgd::new(0.1)?);
    /// assert_eq!(trainer.into_network(), Rnn::<2, 4, 1>::from_seed(0));
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn into_network(self) -> Network<I, H, O, T> {
        self.network
    }

    /// The optimiser, for its settings or state.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, SequenceTrainer, Sgd};
    ///
    /// let trainer = SequenceTrainer::new(Rnn::<2, 4, 1>::from_seed(0), Sgd::new(0.1)?);
    /// assert_eq!(trainer.optimizer().learning_rate(), 0.1);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn optimizer(&self) -> &Opt {
        &self.optimizer
    }

    /// How many sequences have been trained on, a part-full batch included;
    /// a sequence whose update failed is not counted.
    ///
    /// # Examples
    ///
    /// See [`SequenceTrainer`].
    pub fn samples(&self) -> usize {
        self.samples
    }
}
