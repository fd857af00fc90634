//! Optimisers: how gradients become weight updates.

use nalgebra::{DefaultAllocator, Dim};

use crate::bptt::all_finite_pairs;
use crate::network::expect_shape;
use crate::{Error, Gradients, Network, Real, RnnAllocator};

/// Plain stochastic gradient descent, the seed's optimiser: `W -= rate * ∂L/∂W`
/// after every sample.
///
/// # Examples
///
/// ```
/// use const_rnn::{Rnn, Sgd, Workspace};
/// use nalgebra::{Vector1, Vector2};
///
/// let mut net = Rnn::<2, 16, 1>::from_seed(0);
/// let mut workspace = Workspace::new(&net, 1);
/// let (inputs, targets) = ([Vector2::new(1.0, 0.0)], [Vector1::new(1.0)]);
/// let sgd = Sgd::new(0.1)?;
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
        if !learning_rate.is_finite() {
            return Err(Error::NonFinite {
                what: "learning rate",
            });
        }
        if learning_rate <= T::zero() {
            let value = nalgebra::try_convert::<T, f64>(learning_rate).unwrap_or(f64::NAN);
            return Err(Error::LearningRate { value });
        }
        Ok(Sgd { learning_rate })
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

    /// Moves every weight of `network` against its gradient: `W -= rate * ∂L/∂W`.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if the gradients come from a workspace made for
    /// a network of another shape (only possible with [`DynRnn`](crate::DynRnn)),
    /// and [`Error::NonFinite`] if a gradient is not finite or a weight would
    /// overflow; the network is then left as it was.
    ///
    /// # Examples
    ///
    /// See [`Sgd`].
    pub fn update<I, H, O>(
        &self,
        network: &mut Network<T, I, H, O>,
        gradients: &Gradients<T, I, H, O>,
    ) -> Result<(), Error>
    where
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
        let rate = self.learning_rate;
        let pairs = [
            (network.w_ih.as_slice(), gradients.w_ih.as_slice()),
            (network.w_hh.as_slice(), gradients.w_hh.as_slice()),
            (network.w_ho.as_slice(), gradients.w_ho.as_slice()),
        ];
        // A first pass only checks, so that a failing update changes nothing.
        let stays_finite = pairs
            .iter()
            .all(|(weights, gradients)| all_finite_pairs(weights, gradients, |w, g| w - rate * g));
        if !stays_finite {
            return Err(Error::NonFinite {
                what: "updated weight",
            });
        }
        // Contiguous slices: nalgebra's element iterators do not vectorise.
        let descend = |weights: &mut [T], gradients: &[T]| {
            for (w, &g) in weights.iter_mut().zip(gradients) {
                *w -= rate * g;
            }
        };
        descend(network.w_ih.as_mut_slice(), gradients.w_ih.as_slice());
        descend(network.w_hh.as_mut_slice(), gradients.w_hh.as_slice());
        descend(network.w_ho.as_mut_slice(), gradients.w_ho.as_slice());
        Ok(())
    }
}
