//! Optimisers: how gradients become weight updates.
//!
//! Every optimiser implements [`Optimizer`], whose one required method sees
//! the weights and the gradients as the flat slices of [`Network::weights_mut`]
//! and [`Gradients::as_slices`]. An update either happens whole or not at all:
//! when a gradient is not finite, or a weight or a piece of the optimiser's
//! state would overflow, it returns an error and changes nothing.

use std::fmt::Debug;

use nalgebra::{DefaultAllocator, Dim};
use serde::{Deserialize, Serialize};

use crate::bptt::all_finite_pairs;
use crate::network::expect_shape;
use crate::{Error, Gradients, Network, Real, RnnAllocator};

/// A rule that moves weights against their gradients.
///
/// Write one of your own by implementing [`Optimizer::step`]; the provided
/// [`Optimizer::update`] applies it to a network.
///
/// # Examples
///
/// Sign descent, `w -= 0.01 * sign(g)`, as a user would write it:
///
/// ```
/// use const_rnn::{Error, Optimizer, Rnn, Workspace};
/// use nalgebra::{Vector1, Vector2};
///
/// #[derive(Debug)]
/// struct SignDescent;
///
/// impl Optimizer<f64> for SignDescent {
///     fn step(&mut self, weights: [&mut [f64]; 3], gradients: [&[f64]; 3]) -> Result<(), Error> {
///         for (weights, gradients) in weights.into_iter().zip(gradients) {
///             for (w, g) in weights.iter_mut().zip(gradients) {
///                 *w -= 0.01 * g.signum();
///             }
///         }
///         Ok(())
///     }
/// }
///
/// let mut net = Rnn::<2, 16, 1>::from_seed(0);
/// let mut workspace = Workspace::new(&net, 1);
/// let (inputs, targets) = ([Vector2::new(1.0, 0.0)], [Vector1::new(1.0)]);
/// let before = net.backprop(&inputs, &targets, &mut workspace)?;
/// SignDescent.update(&mut net, workspace.gradients())?;
/// assert!(net.backprop(&inputs, &targets, &mut workspace)? < before);
/// # Ok::<(), const_rnn::Error>(())
/// ```
pub trait Optimizer<T: Real>: Debug {
    /// Moves `weights` against `gradients`. Both hold the three matrices
    /// `W_ih`, `W_hh` and `W_ho`, each a column-major slice, in that order;
    /// each gradient slice is as long as its weight slice.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if the slices do not pair up (or, for an
    /// optimiser with state, differ from the first update's), and
    /// [`Error::NonFinite`] if a gradient is not finite or a weight would
    /// overflow. The weights and the optimiser are then left as they were.
    fn step(&mut self, weights: [&mut [T]; 3], gradients: [&[T]; 3]) -> Result<(), Error>;

    /// Applies [`Optimizer::step`] to `network` with `gradients`, from
    /// [`Workspace::gradients`](crate::Workspace::gradients).
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if the gradients come from a workspace made
    /// for a network of another shape (only possible with
    /// [`DynRnn`](crate::DynRnn)); the errors of [`Optimizer::step`].
    ///
    /// # Examples
    ///
    /// See [`Sgd`].
    fn update<I, H, O>(
        &mut self,
        network: &mut Network<I, H, O, T>,
        gradients: &Gradients<I, H, O, T>,
    ) -> Result<(), Error>
    where
        Self: Sized,
        I: Dim,
        H: Dim,
        O: Dim,
        DefaultAllocator: RnnAllocator<I, H, O>,
    {
        expect_shape(
            "gradient of w_ih",
            gradients.w_ih.shape(),
            network.w_ih.shape(),
        )?;
        expect_shape(
            "gradient of w_ho",
            gradients.w_ho.shape(),
            network.w_ho.shape(),
        )?;
        self.step(network.weights_mut(), gradients.as_slices())
    }
}

impl<T: Real> Optimizer<T> for Box<dyn Optimizer<T> + '_> {
    fn step(&mut self, weights: [&mut [T]; 3], gradients: [&[T]; 3]) -> Result<(), Error> {
        (**self).step(weights, gradients)
    }
}

/// An error unless every weight slice has a gradient slice of its length;
/// returns the number of weights.
fn paired<T>(weights: &[&mut [T]; 3], gradients: &[&[T]; 3]) -> Result<usize, Error> {
    for (index, (w, g)) in weights.iter().zip(gradients).enumerate() {
        if w.len() != g.len() {
            return Err(Error::ShapeMismatch {
                what: "gradient slice",
                index: Some(index),
                expected: (w.len(), 1),
                found: (g.len(), 1),
            });
        }
    }
    Ok(weights.iter().map(|w| w.len()).sum())
}

/// A checked learning rate: finite and positive.
fn checked_rate<T: Real>(learning_rate: T) -> Result<T, Error> {
    if !learning_rate.is_finite() {
        return Err(Error::NonFinite {
            what: "learning rate",
        });
    }
    if learning_rate <= T::zero() {
        let value = nalgebra::try_convert::<T, f64>(learning_rate).unwrap_or(f64::NAN);
        return Err(Error::LearningRate { value });
    }
    Ok(learning_rate)
}

/// A checked hyperparameter in `[0, 1)`.
fn checked_fraction<T: Real>(what: &'static str, value: T) -> Result<T, Error> {
    if value.is_finite() && value >= T::zero() && value < T::one() {
        Ok(value)
    } else {
        Err(Error::Hyperparameter {
            what,
            value: nalgebra::try_convert::<T, f64>(value).unwrap_or(f64::NAN),
        })
    }
}

/// Applies `rule` to every weight, with its gradient and its `K` pieces of
/// state: `rule(w, g, state) = (new w, new state)`. A first pass only checks
/// that every result is finite, so a failing update changes nothing.
fn transact<T: Real, const K: usize>(
    weights: [&mut [T]; 3],
    gradients: [&[T]; 3],
    state: &mut [Vec<T>; K],
    rule: impl Fn(T, T, [T; K]) -> (T, [T; K]),
) -> Result<(), Error> {
    let total = paired(&weights, &gradients)?;
    if K > 0 && state[0].len() != total {
        if state[0].is_empty() {
            for piece in state.iter_mut() {
                piece.resize(total, T::zero());
            }
        } else {
            return Err(Error::ShapeMismatch {
                what: "optimiser state",
                index: None,
                expected: (state[0].len(), 1),
                found: (total, 1),
            });
        }
    }
    let at = |state: &[Vec<T>; K], index| std::array::from_fn(|k| state[k][index]);
    let mut finite = true;
    let mut index = 0;
    for (w, g) in weights.iter().zip(&gradients) {
        for (&w, &g) in w.iter().zip(g.iter()) {
            let (w, s) = rule(w, g, at(state, index));
            finite &= g.is_finite() & w.is_finite() & s.iter().all(|s| s.is_finite());
            index += 1;
        }
    }
    if !finite {
        return Err(Error::NonFinite {
            what: "gradient, updated weight or optimiser state",
        });
    }
    let mut index = 0;
    for (w, g) in weights.into_iter().zip(gradients) {
        for (w, &g) in w.iter_mut().zip(g) {
            let (new, s) = rule(*w, g, at(state, index));
            *w = new;
            for (piece, value) in state.iter_mut().zip(s) {
                piece[index] = value;
            }
            index += 1;
        }
    }
    Ok(())
}

/// Plain stochastic gradient descent, the seed's optimiser: `W -= rate * ∂L/∂W`.
///
/// # Examples
///
/// ```
/// use const_rnn::{Optimizer, Rnn, Sgd, Workspace};
/// use nalgebra::{Vector1, Vector2};
///
/// let mut net = Rnn::<2, 16, 1>::from_seed(0);
/// let mut workspace = Workspace::new(&net, 1);
/// let (inputs, targets) = ([Vector2::new(1.0, 0.0)], [Vector1::new(1.0)]);
/// let mut sgd = Sgd::new(0.1)?;
/// let before = net.backprop(&inputs, &targets, &mut workspace)?;
/// sgd.update(&mut net, workspace.gradients())?;
/// let after = net.backprop(&inputs, &targets, &mut workspace)?;
/// assert!(after < before);
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sgd<T> {
    learning_rate: T,
}

impl<T: Real> Sgd<T> {
    /// SGD with the given learning rate (the seed uses 0.1).
    ///
    /// # Errors
    ///
    /// [`Error::NonFinite`] if `learning_rate` is NaN or infinite, and
    /// [`Error::LearningRate`] if it is zero or negative.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::Sgd;
    ///
    /// assert!(Sgd::new(0.1_f64).is_ok());
    /// assert!(Sgd::new(f64::NAN).is_err());
    /// assert!(Sgd::new(-0.1_f32).is_err());
    /// ```
    pub fn new(learning_rate: T) -> Result<Self, Error> {
        Ok(Sgd {
            learning_rate: checked_rate(learning_rate)?,
        })
    }

    /// The learning rate.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(const_rnn::Sgd::new(0.1_f64)?.learning_rate(), 0.1);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn learning_rate(&self) -> T {
        self.learning_rate
    }
}

impl<T: Real> Optimizer<T> for Sgd<T> {
    fn step(&mut self, weights: [&mut [T]; 3], gradients: [&[T]; 3]) -> Result<(), Error> {
        paired(&weights, &gradients)?;
        let rate = self.learning_rate;
        // The seed's optimiser runs after every sample: its checks run in four
        // lanes (one dependent chain would cost a third of a microsecond).
        let stays_finite = weights
            .iter()
            .zip(&gradients)
            .all(|(weights, gradients)| all_finite_pairs(weights, gradients, |w, g| w - rate * g));
        if !stays_finite {
            return Err(Error::NonFinite {
                what: "updated weight",
            });
        }
        // Contiguous slices: nalgebra's element iterators do not vectorise.
        for (weights, gradients) in weights.into_iter().zip(gradients) {
            for (w, &g) in weights.iter_mut().zip(gradients) {
                *w -= rate * g;
            }
        }
        Ok(())
    }
}

/// SGD with momentum: `v = μ v + g`, then `W -= rate * v`, or with Nesterov's
/// look-ahead `W -= rate * (g + μ v)`. The velocity `v` starts at zero.
///
/// # Examples
///
/// Two steps by hand, one weight, gradient 1 each time, rate 0.1, μ = 0.9:
/// the velocity is 1 then 1.9, so the weight moves by 0.1 then 0.19.
///
/// ```
/// use const_rnn::{Momentum, Optimizer};
///
/// let mut momentum = Momentum::new(0.1, 0.9, false)?;
/// let mut w = [1.0_f64];
/// momentum.step([&mut w, &mut [], &mut []], [&[1.0], &[], &[]])?;
/// momentum.step([&mut w, &mut [], &mut []], [&[1.0], &[], &[]])?;
/// assert!((w[0] - (1.0 - 0.1 - 0.19)).abs() < 1e-15);
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Momentum<T> {
    learning_rate: T,
    momentum: T,
    nesterov: bool,
    velocity: [Vec<T>; 1],
}

impl<T: Real> Momentum<T> {
    /// Momentum SGD with rate `learning_rate` and momentum `momentum` (μ,
    /// usually 0.9); `nesterov` for Nesterov's variant.
    ///
    /// # Errors
    ///
    /// As [`Sgd::new`] for the rate; [`Error::Hyperparameter`] unless
    /// `0 <= momentum < 1`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(const_rnn::Momentum::new(0.1, 0.9, true).is_ok());
    /// assert!(const_rnn::Momentum::new(0.1, 1.0, true).is_err());
    /// ```
    pub fn new(learning_rate: T, momentum: T, nesterov: bool) -> Result<Self, Error> {
        Ok(Momentum {
            learning_rate: checked_rate(learning_rate)?,
            momentum: checked_fraction("momentum", momentum)?,
            nesterov,
            velocity: [Vec::new()],
        })
    }
}

impl<T: Real> Optimizer<T> for Momentum<T> {
    fn step(&mut self, weights: [&mut [T]; 3], gradients: [&[T]; 3]) -> Result<(), Error> {
        let (rate, mu, nesterov) = (self.learning_rate, self.momentum, self.nesterov);
        transact(weights, gradients, &mut self.velocity, |w, g, [v]| {
            let v = mu * v + g;
            let direction = if nesterov { g + mu * v } else { v };
            (w - rate * direction, [v])
        })
    }
}

/// Adam (Kingma and Ba): running means of the gradient and of its square,
/// corrected for their zero start, `W -= rate * m̂ / (sqrt(v̂) + ε)`.
///
/// # Examples
///
/// Adam's first step moves every weight with a nonzero gradient by about
/// the rate, against the gradient's sign, whatever its size:
///
/// ```
/// use const_rnn::{Adam, Optimizer};
///
/// let mut adam = Adam::new(0.01, 0.9, 0.999, 1e-8)?;
/// let mut w = [0.5_f64, 0.5];
/// adam.step([&mut w, &mut [], &mut []], [&[100.0, -0.001], &[], &[]])?;
/// assert!((w[0] - 0.49).abs() < 1e-9 && (w[1] - 0.51).abs() < 1e-7);
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Adam<T> {
    learning_rate: T,
    beta1: T,
    beta2: T,
    epsilon: T,
    /// `beta1^t` and `beta2^t` after `t` updates.
    powers: (T, T),
    /// The running means `m` and `v`.
    moments: [Vec<T>; 2],
}

impl<T: Real> Adam<T> {
    /// Adam with rate `learning_rate`, decay rates `beta1` and `beta2`
    /// (usually 0.9 and 0.999) and `epsilon` (usually 1e-8).
    ///
    /// # Errors
    ///
    /// As [`Sgd::new`] for the rate; [`Error::Hyperparameter`] unless both
    /// betas are in `[0, 1)` and `epsilon` is finite and positive.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(const_rnn::Adam::new(0.01, 0.9, 0.999, 1e-8).is_ok());
    /// assert!(const_rnn::Adam::new(0.01, 0.9, 0.999, 0.0).is_err());
    /// ```
    pub fn new(learning_rate: T, beta1: T, beta2: T, epsilon: T) -> Result<Self, Error> {
        if !(epsilon.is_finite() && epsilon > T::zero()) {
            return Err(Error::Hyperparameter {
                what: "epsilon",
                value: nalgebra::try_convert::<T, f64>(epsilon).unwrap_or(f64::NAN),
            });
        }
        Ok(Adam {
            learning_rate: checked_rate(learning_rate)?,
            beta1: checked_fraction("beta1", beta1)?,
            beta2: checked_fraction("beta2", beta2)?,
            epsilon,
            powers: (T::one(), T::one()),
            moments: [Vec::new(), Vec::new()],
        })
    }
}

impl<T: Real> Optimizer<T> for Adam<T> {
    fn step(&mut self, weights: [&mut [T]; 3], gradients: [&[T]; 3]) -> Result<(), Error> {
        let (rate, beta1, beta2, epsilon) =
            (self.learning_rate, self.beta1, self.beta2, self.epsilon);
        let powers = (self.powers.0 * beta1, self.powers.1 * beta2);
        let (correct1, correct2) = (T::one() - powers.0, T::one() - powers.1);
        transact(weights, gradients, &mut self.moments, |w, g, [m, v]| {
            let m = beta1 * m + (T::one() - beta1) * g;
            let v = beta2 * v + (T::one() - beta2) * g * g;
            let step = rate * (m / correct1) / ((v / correct2).sqrt() + epsilon);
            (w - step, [m, v])
        })?;
        self.powers = powers;
        Ok(())
    }
}

/// μ of [`OptimizerKind::momentum`] and [`OptimizerKind::nesterov`].
const MOMENTUM: f64 = 0.9;

/// Which optimiser to train with, and its settings other than the learning
/// rate: a value that can be stored in a [`TrainingRecord`](crate::TrainingRecord)
/// and chosen on the command line.
///
/// # Examples
///
/// ```
/// use const_rnn::OptimizerKind;
///
/// assert_eq!(OptimizerKind::default(), OptimizerKind::Sgd);
/// let mut adam = OptimizerKind::adam().build::<f64>(0.01)?;
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OptimizerKind {
    /// [`Sgd`], the seed's.
    #[default]
    Sgd,
    /// [`Momentum`].
    Momentum {
        /// μ.
        momentum: f64,
        /// Nesterov's look-ahead.
        nesterov: bool,
    },
    /// [`Adam`].
    Adam {
        /// The gradient mean's decay rate.
        beta1: f64,
        /// The squared gradient mean's decay rate.
        beta2: f64,
        /// Added to the denominator.
        epsilon: f64,
    },
}

impl OptimizerKind {
    /// Momentum with μ = 0.9, without Nesterov's look-ahead.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::OptimizerKind;
    ///
    /// let momentum = OptimizerKind::momentum();
    /// assert_eq!(momentum, OptimizerKind::Momentum { momentum: 0.9, nesterov: false });
    /// assert_eq!(momentum.name(), "momentum");
    /// assert!(momentum.build::<f32>(0.1).is_ok());
    /// ```
    pub fn momentum() -> Self {
        OptimizerKind::Momentum {
            momentum: MOMENTUM,
            nesterov: false,
        }
    }

    /// Nesterov momentum with μ = 0.9.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(const_rnn::OptimizerKind::nesterov().build::<f32>(0.1).is_ok());
    /// ```
    pub fn nesterov() -> Self {
        OptimizerKind::Momentum {
            momentum: MOMENTUM,
            nesterov: true,
        }
    }

    /// Adam with the usual settings: β1 = 0.9, β2 = 0.999, ε = 1e-8.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(const_rnn::OptimizerKind::adam().build::<f64>(0.01).is_ok());
    /// ```
    pub fn adam() -> Self {
        OptimizerKind::Adam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        }
    }

    /// Adam as the crate trains adders with it: β1 = 0.8, β2 = 0.99, ε = 1e-8.
    ///
    /// The crate's `docs/convergence.md` measured these settings best on the
    /// seed's task: the faster second-moment decay pays, as the gradient's
    /// scale changes a lot while the network finds the carry.
    /// [`AdderConfig::adam`](crate::AdderConfig::adam) pairs them with the
    /// rate measured for proven adders, and the program's `--optimizer adam`
    /// uses them.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::OptimizerKind;
    ///
    /// let adam = OptimizerKind::adam_for_adders();
    /// assert_eq!(adam, OptimizerKind::Adam { beta1: 0.8, beta2: 0.99, epsilon: 1e-8 });
    /// assert!(adam.build::<f64>(0.03).is_ok());
    /// ```
    pub fn adam_for_adders() -> Self {
        OptimizerKind::Adam {
            beta1: 0.8,
            beta2: 0.99,
            epsilon: 1e-8,
        }
    }

    /// A short name: `sgd`, `momentum`, `nesterov` or `adam`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(const_rnn::OptimizerKind::adam().name(), "adam");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Momentum {
                nesterov: false, ..
            } => "momentum",
            OptimizerKind::Momentum { nesterov: true, .. } => "nesterov",
            OptimizerKind::Adam { .. } => "adam",
        }
    }

    /// The optimiser, with `learning_rate`, in scalar type `T`.
    ///
    /// # Errors
    ///
    /// The errors of [`Sgd::new`], [`Momentum::new`] and [`Adam::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::OptimizerKind;
    ///
    /// assert!(OptimizerKind::Sgd.build::<f64>(f64::NAN).is_err());
    /// ```
    pub fn build<T: Real>(&self, learning_rate: f64) -> Result<Box<dyn Optimizer<T>>, Error> {
        let convert = |value: f64| nalgebra::convert::<f64, T>(value);
        let rate = convert(learning_rate);
        Ok(match *self {
            OptimizerKind::Sgd => Box::new(Sgd::new(rate)?),
            OptimizerKind::Momentum { momentum, nesterov } => {
                Box::new(Momentum::new(rate, convert(momentum), nesterov)?)
            }
            OptimizerKind::Adam {
                beta1,
                beta2,
                epsilon,
            } => Box::new(Adam::new(
                rate,
                convert(beta1),
                convert(beta2),
                convert(epsilon),
            )?),
        })
    }
}
