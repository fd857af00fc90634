//! [`Network`], its aliases [`Rnn`] and [`DynRnn`], and the forward step.

#[cfg(feature = "std")]
use nalgebra::Dyn;
use nalgebra::allocator::Allocator;
use nalgebra::storage::{IsContiguous, Storage, StorageMut};
use nalgebra::{
    ArrayStorage, Const, DefaultAllocator, Dim, OMatrix, OVector, RealField, U1, Vector,
};
#[cfg(feature = "std")]
use rand::rngs::ChaCha8Rng;
#[cfg(feature = "std")]
use rand::{Rng, RngExt, SeedableRng};
#[cfg(feature = "std")]
use rand_distr::StandardNormal;
#[cfg(feature = "std")]
use serde::{Deserialize, Serialize};

use crate::Error;

/// The scalar types a network computes in: `f32` and `f64` (the default
/// everywhere, as in the seed's numpy program).
///
/// Each brings the crate's own sigmoid ([`math::sigmoid`](crate::math::sigmoid)
/// and [`math::sigmoid_f32`](crate::math::sigmoid_f32)), written without libm so
/// that a network computes the same bits on every platform. The trait is
/// sealed: those two are the types it is implemented for.
///
/// # Examples
///
/// ```
/// use const_rnn::Real;
///
/// fn half<T: Real>() -> T {
///     T::zero().sigmoid()
/// }
/// assert_eq!(half::<f32>(), 0.5);
/// assert_eq!(1000.0_f64.sigmoid(), 1.0);
/// ```
pub trait Real: RealField + Copy + sealed::Sealed {
    /// The logistic sigmoid `1 / (1 + e^-self)`, the crate's own:
    /// the same bits on every platform.
    fn sigmoid(self) -> Self;
}

impl Real for f64 {
    #[inline(always)]
    fn sigmoid(self) -> Self {
        crate::math::sigmoid(self)
    }
}

impl Real for f32 {
    #[inline(always)]
    fn sigmoid(self) -> Self {
        crate::math::sigmoid_f32(self)
    }
}

mod sealed {
    /// Keeps [`Real`](super::Real) to the types the crate has a sigmoid for.
    pub trait Sealed {}
    impl Sealed for f64 {}
    impl Sealed for f32 {}
}

/// The storage a network of shape `(I, H, O)` owns: its three weight matrices,
/// the input, hidden and output vectors it steps through, and the
/// per-sequence matrices of a [`Workspace`](crate::Workspace) (one column or
/// row per time step, their number chosen at run time).
///
/// `DefaultAllocator` implements it for every shape, static or dynamic. Generic
/// code over [`Network`] names this one bound instead of ten `Allocator` bounds.
///
/// # Examples
///
/// ```
/// use const_rnn::{Network, Real, RnnAllocator};
/// use nalgebra::{DefaultAllocator, Dim};
///
/// fn hidden_units<I: Dim, H: Dim, O: Dim, T: Real>(net: &Network<I, H, O, T>) -> usize
/// where
///     DefaultAllocator: RnnAllocator<I, H, O>,
/// {
///     net.hidden()
/// }
/// assert_eq!(hidden_units(&const_rnn::Rnn::<2, 16, 1>::from_seed(0)), 16);
/// ```
#[cfg(feature = "std")]
pub trait RnnAllocator<I: Dim, H: Dim, O: Dim>:
    Allocator<I, H>
    + Allocator<H, H>
    + Allocator<H, O>
    + Allocator<I>
    + Allocator<H>
    + Allocator<O>
    + Allocator<I, Dyn>
    + Allocator<H, Dyn>
    + Allocator<Dyn, H>
    + Allocator<Dyn, O>
{
}

#[cfg(feature = "std")]
impl<I: Dim, H: Dim, O: Dim> RnnAllocator<I, H, O> for DefaultAllocator where
    DefaultAllocator: Allocator<I, H>
        + Allocator<H, H>
        + Allocator<H, O>
        + Allocator<I>
        + Allocator<H>
        + Allocator<O>
        + Allocator<I, Dyn>
        + Allocator<H, Dyn>
        + Allocator<Dyn, H>
        + Allocator<Dyn, O>
{
}

/// The storage a network of shape `(I, H, O)` owns, without `std`: its three
/// weight matrices and the vectors it steps through (no per-sequence
/// matrices, which need a heap).
#[cfg(not(feature = "std"))]
pub trait RnnAllocator<I: Dim, H: Dim, O: Dim>:
    Allocator<I, H> + Allocator<H, H> + Allocator<H, O> + Allocator<I> + Allocator<H> + Allocator<O>
{
}

#[cfg(not(feature = "std"))]
impl<I: Dim, H: Dim, O: Dim> RnnAllocator<I, H, O> for DefaultAllocator where
    DefaultAllocator: Allocator<I, H>
        + Allocator<H, H>
        + Allocator<H, O>
        + Allocator<I>
        + Allocator<H>
        + Allocator<O>
{
}

/// An Elman recurrent network without biases, every unit a sigmoid:
///
/// `h_t = sigmoid(x_t W_ih + h_{t-1} W_hh)`, `o_t = sigmoid(h_t W_ho)`, `h_0 = 0`,
///
/// in the row-vector convention of the seed: `W_ih` is `I x H`, `W_hh` is
/// `H x H` and `W_ho` is `H x O`.
///
/// The dimensions are nalgebra dimension types, so the one implementation
/// serves compile-time sizes ([`Rnn`], on `Const<N>`) and run-time sizes
/// ([`DynRnn`], on `Dyn`). Sequence length is not part of the type: weights
/// trained on 8 steps run unchanged on 129.
///
/// # Examples
///
/// ```
/// use const_rnn::Rnn;
/// use nalgebra::Vector2;
///
/// let net = Rnn::<2, 16, 1>::from_seed(7);
/// let outputs = net.run(&[Vector2::new(1.0, 0.0), Vector2::new(1.0, 1.0)])?;
/// assert_eq!(outputs.len(), 2);
/// assert!(outputs.iter().all(|o| 0.0 < o[0] && o[0] < 1.0));
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Network<I, H, O, T = f64>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    pub(crate) w_ih: OMatrix<T, I, H>,
    pub(crate) w_hh: OMatrix<T, H, H>,
    pub(crate) w_ho: OMatrix<T, H, O>,
}

/// A network whose sizes are checked by the compiler: `IN` inputs, `HID`
/// hidden units, `OUT` outputs, scalar `T` (default `f64`).
///
/// `Rnn<2, 16, 1>` is the seed's network. A weight or an input of any other
/// shape does not compile:
///
/// ```compile_fail,E0308
/// use const_rnn::Rnn;
/// use nalgebra::SMatrix;
///
/// // W_ih must be 2x16: a 3x16 matrix is rejected by the type checker.
/// let _ = Rnn::<2, 16, 1>::from_weights(
///     SMatrix::<f64, 3, 16>::zeros(),
///     SMatrix::<f64, 16, 16>::zeros(),
///     SMatrix::<f64, 16, 1>::zeros(),
/// );
/// ```
///
/// ```compile_fail,E0308
/// use const_rnn::Rnn;
/// use nalgebra::SVector;
///
/// // The network reads 2 inputs a step: a 16-long input is a type error.
/// let net = Rnn::<2, 16, 1>::from_seed(0);
/// let _ = net.run(&[SVector::<f64, 16>::zeros()]);
/// ```
///
/// # Examples
///
/// ```
/// use const_rnn::Rnn;
/// use nalgebra::SMatrix;
///
/// let net = Rnn::<2, 16, 1>::from_weights(
///     SMatrix::<f64, 2, 16>::repeat(0.5),
///     SMatrix::<f64, 16, 16>::zeros(),
///     SMatrix::<f64, 16, 1>::repeat(-0.25),
/// )?;
/// assert_eq!(net.w_ih().shape(), (2, 16));
/// # Ok::<(), const_rnn::Error>(())
/// ```
pub type Rnn<const IN: usize, const HID: usize, const OUT: usize, T = f64> =
    Network<Const<IN>, Const<HID>, Const<OUT>, T>;

#[cfg(feature = "std")]
/// A network whose sizes are chosen at run time: the same code as [`Rnn`],
/// with shapes checked by a [`Result`] instead of the compiler.
///
/// # Examples
///
/// ```
/// use const_rnn::{DynRnn, Error};
/// use nalgebra::DVector;
///
/// let net = DynRnn::<f64>::from_seed(2, 16, 1, 7)?;
/// assert_eq!((net.inputs(), net.hidden(), net.outputs()), (2, 16, 1));
///
/// // A 3-long input to a 2-input network is an error, not a panic.
/// let err = net.run(&[DVector::zeros(3)]).unwrap_err();
/// assert!(matches!(err, Error::ShapeMismatch { .. }));
/// # Ok::<(), const_rnn::Error>(())
/// ```
pub type DynRnn<T = f64> = Network<Dyn, Dyn, Dyn, T>;

/// `Rnn::from_columns` for one scalar type: a `const fn`, so that a network
/// can be a Rust constant, checked by the compiler.
macro_rules! from_columns {
    ($scalar:ty) => {
        impl<const IN: usize, const HID: usize, const OUT: usize> Rnn<IN, HID, OUT, $scalar> {
            /// A network from its weights as arrays, each matrix column by
            /// column (nalgebra's order, and that of [`Network::weights`]):
            /// `w_ih` is `HID` columns of `IN`, `w_hh` is `HID` columns of
            /// `HID`, `w_ho` is `OUT` columns of `HID`.
            ///
            /// A `const fn`, so a network can be a Rust constant; the files
            /// `const-rnn export --rust` writes are one. Needs no `std`.
            /// Arrays of any other shape do not compile:
            ///
            /// ```compile_fail,E0308
            /// use const_rnn::Rnn;
            ///
            /// // W_hh of 16 hidden units is 16 columns of 16: 8 columns are a type error.
            /// const NET: Rnn<2, 16, 1> =
            ///     match Rnn::<2, 16, 1>::from_columns([[0.0; 2]; 16], [[0.0; 16]; 8], [[0.0; 16]; 1]) {
            ///         Some(net) => net,
            ///         None => panic!("a weight is not finite"),
            ///     };
            /// ```
            ///
            /// Returns `None` if a weight is NaN or infinite. (An `Option`, not
            /// a `Result`: [`Error`] may hold a `String`, which a constant
            /// cannot drop.) In a constant, matching `None` to a `panic!`
            /// makes such a weight a compile error.
            ///
            /// # Examples
            ///
            /// ```
            /// use const_rnn::Rnn;
            ///
            /// const NET: Rnn<2, 3, 1> = match Rnn::<2, 3, 1>::from_columns(
            ///     [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
            ///     [[0.0; 3]; 3],
            ///     [[-1.0, 0.5, 0.25]],
            /// ) {
            ///     Some(net) => net,
            ///     None => panic!("a weight is not finite"),
            /// };
            /// assert_eq!(NET.w_ih()[(1, 0)], 2.0); // row 1 of column 0
            /// assert_eq!(NET.w_ho()[(2, 0)], 0.25);
            /// assert!(Rnn::<2, 1, 1>::from_columns([[f64::NAN, 0.0]], [[0.0]], [[0.0]]).is_none());
            /// ```
            pub const fn from_columns(
                w_ih: [[$scalar; IN]; HID],
                w_hh: [[$scalar; HID]; HID],
                w_ho: [[$scalar; HID]; OUT],
            ) -> Option<Self> {
                const {
                    assert!(
                        IN > 0 && HID > 0 && OUT > 0,
                        "an Rnn needs at least one input, one hidden unit and one output"
                    );
                }
                /// Whether every entry of the columns is finite.
                const fn finite<const R: usize, const C: usize>(
                    columns: &[[$scalar; R]; C],
                ) -> bool {
                    let mut c = 0;
                    while c < C {
                        let mut r = 0;
                        while r < R {
                            if !columns[c][r].is_finite() {
                                return false;
                            }
                            r += 1;
                        }
                        c += 1;
                    }
                    true
                }
                if !(finite(&w_ih) && finite(&w_hh) && finite(&w_ho)) {
                    return None;
                }
                Some(Network {
                    w_ih: OMatrix::from_array_storage(ArrayStorage(w_ih)),
                    w_hh: OMatrix::from_array_storage(ArrayStorage(w_hh)),
                    w_ho: OMatrix::from_array_storage(ArrayStorage(w_ho)),
                })
            }
        }
    };
}

from_columns!(f64);
from_columns!(f32);

/// The dot product of the pairs' two sides, summed in order: the first
/// product, then each next one added to the running sum.
///
/// Every forward step sums this way (training, [`Adder::add`](crate::Adder::add),
/// the verifier and the prover's base), and so do the verifier's lanes
/// ([`crate::lanes`]), so they all compute the same bits. No fused multiply-add:
/// Rust does not contract `acc + a * b`.
#[inline(always)]
pub(crate) fn dot<T: Real>(mut pairs: impl Iterator<Item = (T, T)>) -> T {
    match pairs.next() {
        None => T::zero(),
        Some((a, b)) => pairs.fold(a * b, |sum, (a, b)| sum + a * b),
    }
}

/// The logistic sigmoid, `1 / (1 + e^-x)`: the crate's own ([`Real::sigmoid`]).
#[inline(always)]
pub(crate) fn sigmoid<T: Real>(x: T) -> T {
    x.sigmoid()
}

#[cfg(feature = "std")]
impl<T: Real, const IN: usize, const HID: usize, const OUT: usize> Rnn<IN, HID, OUT, T> {
    /// A network with weights uniform in `[-1, 1)`, drawn from `rng`.
    ///
    /// A size of zero is a compile error:
    ///
    /// ```compile_fail,E0080
    /// let _ = const_rnn::Rnn::<2, 0, 1>::from_seed(0);
    /// ```
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::Rnn;
    /// use rand::{SeedableRng, rngs::ChaCha8Rng};
    ///
    /// let net = Rnn::<2, 16, 1>::random(&mut ChaCha8Rng::seed_from_u64(3));
    /// assert!(net.w_hh().iter().all(|w| (-1.0..1.0).contains(w)));
    /// ```
    pub fn random<R: Rng + ?Sized>(rng: &mut R) -> Self {
        Self::random_with(Init::Uniform, rng)
    }

    /// Weights drawn by `init` from `rng`; a size of zero does not compile.
    fn random_with<R: Rng + ?Sized>(init: Init, rng: &mut R) -> Self {
        const {
            assert!(
                IN > 0 && HID > 0 && OUT > 0,
                "an Rnn needs at least one input, one hidden unit and one output"
            );
        }
        Self::random_generic(Const, Const, Const, init, rng)
    }

    /// A network with weights uniform in `[-1, 1)` from the crate's seeded
    /// generator (ChaCha8, stream 0): the same seed gives the same weights on
    /// every machine, and the same weights as [`DynRnn::from_seed`].
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::Rnn;
    ///
    /// assert_eq!(Rnn::<2, 16, 1>::from_seed(1), Rnn::<2, 16, 1>::from_seed(1));
    /// assert_ne!(Rnn::<2, 16, 1>::from_seed(1), Rnn::<2, 16, 1>::from_seed(2));
    /// ```
    pub fn from_seed(seed: u64) -> Self {
        Self::random(&mut weight_rng(seed))
    }

    /// [`Rnn::from_seed`] with weights drawn by `init`;
    /// `from_seed_with(seed, Init::Uniform)` is `from_seed(seed)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Init, Rnn};
    ///
    /// assert_eq!(Rnn::<2, 16, 1>::from_seed_with(4, Init::Uniform), Rnn::<2, 16, 1>::from_seed(4));
    /// let xavier = Rnn::<2, 16, 1>::from_seed_with(4, Init::XavierUniform);
    /// let limit = (6.0_f64 / (16.0 + 16.0)).sqrt();
    /// assert!(xavier.w_hh().iter().all(|w| w.abs() <= limit));
    /// ```
    pub fn from_seed_with(seed: u64, init: Init) -> Self {
        Self::random_with(init, &mut weight_rng(seed))
    }
}

#[cfg(feature = "std")]
impl<T: Real> DynRnn<T> {
    /// A network of `inputs x hidden x outputs` units with weights uniform in
    /// `[-1, 1)`, drawn from `rng`.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyDimension`] if a size is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::DynRnn;
    /// use rand::{SeedableRng, rngs::ChaCha8Rng};
    ///
    /// let net = DynRnn::<f32>::random(2, 8, 1, &mut ChaCha8Rng::seed_from_u64(3))?;
    /// assert_eq!(net.w_hh().shape(), (8, 8));
    /// assert!(DynRnn::<f32>::random(2, 0, 1, &mut ChaCha8Rng::seed_from_u64(3)).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn random<R: Rng + ?Sized>(
        inputs: usize,
        hidden: usize,
        outputs: usize,
        rng: &mut R,
    ) -> Result<Self, Error> {
        Self::random_with(inputs, hidden, outputs, Init::Uniform, rng)
    }

    /// Weights drawn by `init` from `rng`, once the sizes are checked.
    fn random_with<R: Rng + ?Sized>(
        inputs: usize,
        hidden: usize,
        outputs: usize,
        init: Init,
        rng: &mut R,
    ) -> Result<Self, Error> {
        check_non_empty(inputs, hidden, outputs)?;
        Ok(Self::random_generic(
            Dyn(inputs),
            Dyn(hidden),
            Dyn(outputs),
            init,
            rng,
        ))
    }

    /// A network of `inputs x hidden x outputs` units from the crate's seeded
    /// generator: identical weights to [`Rnn::from_seed`] for the same sizes.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyDimension`] if a size is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{DynRnn, Rnn};
    ///
    /// let dynamic = DynRnn::<f64>::from_seed(2, 16, 1, 5)?;
    /// let fixed = Rnn::<2, 16, 1>::from_seed(5);
    /// assert_eq!(dynamic.w_hh().as_slice(), fixed.w_hh().as_slice());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn from_seed(
        inputs: usize,
        hidden: usize,
        outputs: usize,
        seed: u64,
    ) -> Result<Self, Error> {
        Self::random(inputs, hidden, outputs, &mut weight_rng(seed))
    }

    /// [`DynRnn::from_seed`] with weights drawn by `init`: the same weights as
    /// [`Rnn::from_seed_with`] for the same sizes.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyDimension`] if a size is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{DynRnn, Init, Rnn};
    ///
    /// let dynamic = DynRnn::<f64>::from_seed_with(2, 16, 1, 5, Init::XavierNormal)?;
    /// let fixed = Rnn::<2, 16, 1>::from_seed_with(5, Init::XavierNormal);
    /// assert_eq!(dynamic.w_hh().as_slice(), fixed.w_hh().as_slice());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn from_seed_with(
        inputs: usize,
        hidden: usize,
        outputs: usize,
        seed: u64,
        init: Init,
    ) -> Result<Self, Error> {
        Self::random_with(inputs, hidden, outputs, init, &mut weight_rng(seed))
    }
}

#[cfg(feature = "std")]
/// How a network's first weights are drawn. Each matrix is drawn on its own,
/// with `fan_in` its rows and `fan_out` its columns.
///
/// # Examples
///
/// ```
/// use const_rnn::{Init, Rnn};
///
/// assert_eq!(Init::default(), Init::Uniform); // the seed's
/// let net = Rnn::<2, 16, 1>::from_seed_with(0, Init::XavierNormal);
/// assert!(net.w_ih().iter().any(|w| w.abs() > 0.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Init {
    /// Uniform in `[-1, 1)`, the seed's.
    #[default]
    Uniform,
    /// Xavier/Glorot uniform: uniform in `[-l, l)`, `l = sqrt(6 / (fan_in + fan_out))`.
    XavierUniform,
    /// Xavier/Glorot normal: normal with mean 0 and standard deviation
    /// `sqrt(2 / (fan_in + fan_out))`.
    XavierNormal,
    /// [`Init::Uniform`] (the seed's) up to [`Init::UNIFORM_UP_TO`] hidden
    /// units, [`Init::XavierUniform`] above: the default recipe's
    /// ([`AdderConfig::init`](crate::AdderConfig::init)).
    ///
    /// Larger networks drawn uniformly in `[-1, 1)` train to adders whose
    /// states, within one window of inputs, spread over many directions
    /// (about 9 at 64 units, against 2 at 16), and the prover's boxes
    /// around them do not close; Xavier's smaller weights give 2 again,
    /// and proofs at 32 and 64 units (the crate's `docs/convergence.md`).
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Init, Rnn};
    ///
    /// assert_eq!(Rnn::<2, 16, 1>::from_seed_with(3, Init::BySize), Rnn::<2, 16, 1>::from_seed(3));
    /// assert_eq!(
    ///     Rnn::<2, 32, 1>::from_seed_with(3, Init::BySize),
    ///     Rnn::<2, 32, 1>::from_seed_with(3, Init::XavierUniform)
    /// );
    /// ```
    BySize,
}

#[cfg(feature = "std")]
impl Init {
    /// The most hidden units [`Init::BySize`] draws uniformly, as the seed does.
    pub const UNIFORM_UP_TO: usize = 16;

    /// What this draws for a network of `hidden` units: [`Init::BySize`]
    /// resolved, any other as it is.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::Init;
    ///
    /// assert_eq!(Init::BySize.for_hidden(16), Init::Uniform);
    /// assert_eq!(Init::BySize.for_hidden(17), Init::XavierUniform);
    /// assert_eq!(Init::XavierNormal.for_hidden(4), Init::XavierNormal);
    /// ```
    pub fn for_hidden(self, hidden: usize) -> Init {
        match self {
            Init::BySize if hidden <= Init::UNIFORM_UP_TO => Init::Uniform,
            Init::BySize => Init::XavierUniform,
            other => other,
        }
    }
}

#[cfg(feature = "std")]
impl Init {
    /// A `rows x cols` matrix drawn from `rng`, column by column.
    fn matrix<T, R, C, G>(self, rows: R, cols: C, rng: &mut G) -> OMatrix<T, R, C>
    where
        T: Real,
        R: Dim,
        C: Dim,
        G: Rng + ?Sized,
        DefaultAllocator: Allocator<R, C>,
    {
        let fans = (rows.value() + cols.value()) as f64;
        let mut draw: Box<dyn FnMut() -> f64 + '_> = match self {
            Init::Uniform => Box::new(|| rng.random_range(-1.0..1.0)),
            Init::XavierUniform => {
                let limit = (6.0 / fans).sqrt();
                Box::new(move || rng.random_range(-limit..limit))
            }
            Init::XavierNormal => {
                let deviation = (2.0 / fans).sqrt();
                Box::new(move || deviation * rng.sample::<f64, _>(StandardNormal))
            }
            // Resolved by `random_generic`, which knows the hidden size.
            Init::BySize => Box::new(|| rng.random_range(-1.0..1.0)),
        };
        OMatrix::from_fn_generic(rows, cols, |_, _| nalgebra::convert::<f64, T>(draw()))
    }
}

#[cfg(feature = "std")]
/// The generator behind every `from_seed`: ChaCha8 on stream 0 (training
/// samples operands from stream 1 of the same seed).
pub(crate) fn weight_rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

impl<I, H, O, T> Network<I, H, O, T>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    #[cfg(feature = "std")]
    /// Weights drawn by `init` as `f64` (so `f32` and `f64` networks from one
    /// seed agree to rounding), `W_ih` then `W_hh` then `W_ho`, each column by
    /// column.
    pub(crate) fn random_generic<R: Rng + ?Sized>(
        inputs: I,
        hidden: H,
        outputs: O,
        init: Init,
        rng: &mut R,
    ) -> Self {
        let init = init.for_hidden(hidden.value());
        let w_ih = init.matrix(inputs, hidden, rng);
        let w_hh = init.matrix(hidden, hidden, rng);
        let w_ho = init.matrix(hidden, outputs, rng);
        Network { w_ih, w_hh, w_ho }
    }

    /// A network with the given weights: `w_ih` is `I x H`, `w_hh` is `H x H`,
    /// `w_ho` is `H x O`.
    ///
    /// For [`Rnn`] the shapes are checked by the compiler; for [`DynRnn`] they
    /// are checked here.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if the three shapes do not fit together,
    /// [`Error::EmptyDimension`] if a size is zero, and [`Error::NonFinite`] if
    /// a weight is NaN or infinite.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{DynRnn, Error};
    /// use nalgebra::DMatrix;
    ///
    /// let net = DynRnn::<f64>::from_weights(DMatrix::zeros(2, 4), DMatrix::zeros(4, 4), DMatrix::zeros(4, 1))?;
    /// assert_eq!(net.hidden(), 4);
    ///
    /// let err = DynRnn::<f64>::from_weights(DMatrix::zeros(2, 4), DMatrix::zeros(5, 5), DMatrix::zeros(4, 1));
    /// assert_eq!(err.unwrap_err().to_string(), "w_hh has shape 5x5, expected 4x4");
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn from_weights(
        w_ih: OMatrix<T, I, H>,
        w_hh: OMatrix<T, H, H>,
        w_ho: OMatrix<T, H, O>,
    ) -> Result<Self, Error> {
        let (inputs, hidden) = w_ih.shape();
        let outputs = w_ho.ncols();
        check_non_empty(inputs, hidden, outputs)?;
        expect_shape("w_hh", w_hh.shape(), (hidden, hidden))?;
        expect_shape("w_ho", w_ho.shape(), (hidden, outputs))?;
        let all_finite = w_ih.iter().chain(w_hh.iter()).chain(w_ho.iter());
        if !all_finite.into_iter().all(|w| w.is_finite()) {
            return Err(Error::NonFinite { what: "weight" });
        }
        Ok(Network { w_ih, w_hh, w_ho })
    }

    /// The number of inputs per step, `I`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(const_rnn::Rnn::<2, 16, 1>::from_seed(0).inputs(), 2);
    /// ```
    pub fn inputs(&self) -> usize {
        self.w_ih.nrows()
    }

    /// The number of hidden units, `H`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(const_rnn::Rnn::<2, 16, 1>::from_seed(0).hidden(), 16);
    /// ```
    pub fn hidden(&self) -> usize {
        self.w_hh.nrows()
    }

    /// The number of outputs per step, `O`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(const_rnn::Rnn::<2, 16, 1>::from_seed(0).outputs(), 1);
    /// ```
    pub fn outputs(&self) -> usize {
        self.w_ho.ncols()
    }

    /// The input-to-hidden weights, `I x H`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(const_rnn::Rnn::<2, 16, 1>::from_seed(0).w_ih().shape(), (2, 16));
    /// ```
    pub fn w_ih(&self) -> &OMatrix<T, I, H> {
        &self.w_ih
    }

    /// The hidden-to-hidden (recurrent) weights, `H x H`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(const_rnn::Rnn::<2, 16, 1>::from_seed(0).w_hh().shape(), (16, 16));
    /// ```
    pub fn w_hh(&self) -> &OMatrix<T, H, H> {
        &self.w_hh
    }

    /// The hidden-to-output weights, `H x O`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(const_rnn::Rnn::<2, 16, 1>::from_seed(0).w_ho().shape(), (16, 1));
    /// ```
    pub fn w_ho(&self) -> &OMatrix<T, H, O> {
        &self.w_ho
    }

    /// The three weight matrices, `W_ih`, `W_hh` and `W_ho`, each as a
    /// column-major slice: the layout of [`Gradients::as_slices`](crate::Gradients::as_slices)
    /// and of [`Optimizer::step`](crate::Optimizer::step).
    ///
    /// # Examples
    ///
    /// ```
    /// let net = const_rnn::Rnn::<2, 16, 1>::from_seed(0);
    /// let [w_ih, w_hh, w_ho] = net.weights();
    /// assert_eq!((w_ih.len(), w_hh.len(), w_ho.len()), (32, 256, 16));
    /// assert_eq!(w_hh[1], net.w_hh()[(1, 0)]);
    /// ```
    pub fn weights(&self) -> [&[T]; 3] {
        [
            self.w_ih.as_slice(),
            self.w_hh.as_slice(),
            self.w_ho.as_slice(),
        ]
    }

    /// The weights, writable, in the layout of [`Network::weights`]: for an
    /// optimiser of one's own. Shapes cannot change through them.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut net = const_rnn::Rnn::<2, 16, 1>::from_seed(0);
    /// let [w_ih, _, _] = net.weights_mut();
    /// w_ih[0] = 0.5;
    /// assert_eq!(net.w_ih()[(0, 0)], 0.5);
    /// ```
    pub fn weights_mut(&mut self) -> [&mut [T]; 3] {
        [
            self.w_ih.as_mut_slice(),
            self.w_hh.as_mut_slice(),
            self.w_ho.as_mut_slice(),
        ]
    }

    /// The same weights in a network of other dimension types: from a
    /// [`DynRnn`] to an [`Rnn`], from an `Rnn` to a network with only its
    /// hidden size dynamic, and so on.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if a size the target type fixes differs from
    /// this network's.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{DynRnn, Rnn};
    ///
    /// let dynamic = DynRnn::<f64>::from_seed(2, 16, 1, 3)?;
    /// let fixed: Rnn<2, 16, 1> = dynamic.reshape()?;
    /// assert_eq!(fixed, Rnn::<2, 16, 1>::from_seed(3));
    /// assert!(dynamic.reshape::<nalgebra::U2, nalgebra::U8, nalgebra::U1>().is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn reshape<I2, H2, O2>(&self) -> Result<Network<I2, H2, O2, T>, Error>
    where
        I2: Dim,
        H2: Dim,
        O2: Dim,
        DefaultAllocator: RnnAllocator<I2, H2, O2>,
    {
        let (inputs, hidden, outputs) = (self.inputs(), self.hidden(), self.outputs());
        let want = |fixed: Option<usize>, size: usize| fixed.unwrap_or(size);
        let (i2, h2, o2) = (
            want(I2::try_to_usize(), inputs),
            want(H2::try_to_usize(), hidden),
            want(O2::try_to_usize(), outputs),
        );
        expect_shape("w_ih", (inputs, hidden), (i2, h2))?;
        expect_shape("w_ho", (hidden, outputs), (h2, o2))?;
        let (i, h, o) = (
            I2::from_usize(inputs),
            H2::from_usize(hidden),
            O2::from_usize(outputs),
        );
        Ok(Network {
            w_ih: OMatrix::from_column_slice_generic(i, h, self.w_ih.as_slice()),
            w_hh: OMatrix::from_column_slice_generic(h, h, self.w_hh.as_slice()),
            w_ho: OMatrix::from_column_slice_generic(h, o, self.w_ho.as_slice()),
        })
    }

    #[cfg(feature = "std")]
    /// The same network with run-time sizes: same weights, same results.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::Rnn;
    /// use nalgebra::{DVector, Vector2};
    ///
    /// let fixed = Rnn::<2, 8, 1>::from_seed(4);
    /// let dynamic = fixed.to_dynamic();
    /// let a = fixed.run(&[Vector2::new(1.0, 1.0)])?;
    /// let b = dynamic.run(&[DVector::from_vec(vec![1.0, 1.0])])?;
    /// assert_eq!(a[0][0], b[0][0]);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn to_dynamic(&self) -> DynRnn<T> {
        let dynamic =
            |m: &[T], rows, cols| OMatrix::<T, Dyn, Dyn>::from_column_slice(rows, cols, m);
        let (inputs, hidden, outputs) = (self.inputs(), self.hidden(), self.outputs());
        DynRnn {
            w_ih: dynamic(self.w_ih.as_slice(), inputs, hidden),
            w_hh: dynamic(self.w_hh.as_slice(), hidden, hidden),
            w_ho: dynamic(self.w_ho.as_slice(), hidden, outputs),
        }
    }

    #[cfg(feature = "std")]
    /// Runs the network over a sequence from `h_0 = 0` and returns every output.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] if an input is not `I` long (only possible for
    /// [`DynRnn`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::Rnn;
    /// use nalgebra::Vector2;
    ///
    /// let net = Rnn::<2, 16, 1>::from_seed(0);
    /// let outputs = net.run(&[Vector2::new(0.0, 1.0); 5])?;
    /// assert_eq!(outputs.len(), 5);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn run(&self, inputs: &[OVector<T, I>]) -> Result<Vec<OVector<T, O>>, Error> {
        self.check_inputs(inputs)?;
        let mut state = self.state();
        Ok(inputs
            .iter()
            .map(|input| {
                state.advance(self, input);
                state.output.clone()
            })
            .collect())
    }

    #[cfg(feature = "std")]
    /// Checks that every input is `I` long.
    pub(crate) fn check_inputs(&self, inputs: &[OVector<T, I>]) -> Result<(), Error> {
        check_vectors("input", inputs, self.inputs())
    }

    /// A running state at `h_0 = 0`, for stepping without keeping the history.
    pub(crate) fn state(&self) -> State<H, O, T> {
        let (hidden, outputs) = self.w_ho.shape_generic();
        State {
            hidden: OVector::zeros_generic(hidden, U1),
            previous: OVector::zeros_generic(hidden, U1),
            output: OVector::zeros_generic(outputs, U1),
        }
    }

    /// One forward step: `hidden = sigmoid(x W_ih + previous W_hh)`,
    /// `output = sigmoid(hidden W_ho)`, written into existing storage.
    #[inline]
    pub(crate) fn step<SI, SP, SH>(
        &self,
        input: &Vector<T, I, SI>,
        previous: &Vector<T, H, SP>,
        hidden: &mut Vector<T, H, SH>,
        output: &mut OVector<T, O>,
    ) where
        SI: Storage<T, I> + IsContiguous,
        SP: Storage<T, H> + IsContiguous,
        SH: StorageMut<T, H> + IsContiguous,
    {
        self.step_slices(
            input.as_slice(),
            previous.as_slice(),
            hidden.as_mut_slice(),
            output.as_mut_slice(),
        );
    }

    /// [`Network::step`] on slices of the network's sizes.
    #[inline]
    pub(crate) fn step_slices(
        &self,
        input: &[T],
        previous: &[T],
        hidden: &mut [T],
        output: &mut [T],
    ) {
        self.recurrent_slices(previous, hidden);
        self.finish_slices(input, hidden, output);
    }

    #[cfg(feature = "std")]
    /// The part of a step that does not depend on the input: `hidden = previous W_hh`.
    ///
    /// The verifier computes it once per state and shares it between the
    /// four input pairs that can follow; [`Network::step`] is this, then
    /// [`Network::finish_step`], so both give the same bits.
    #[inline]
    pub(crate) fn recurrent_into<SP, SH>(
        &self,
        previous: &Vector<T, H, SP>,
        hidden: &mut Vector<T, H, SH>,
    ) where
        SP: Storage<T, H> + IsContiguous,
        SH: StorageMut<T, H> + IsContiguous,
    {
        self.recurrent_slices(previous.as_slice(), hidden.as_mut_slice());
    }

    /// [`Network::recurrent_into`] on slices.
    #[inline]
    fn recurrent_slices(&self, previous: &[T], hidden: &mut [T]) {
        // The sizes from the type, so that static ones are constants here.
        let units = self.w_hh.shape_generic().0.value();
        let (previous, hidden) = (&previous[..units], &mut hidden[..units]);
        // Unit j's input from the previous state is the dot product of that
        // state with column j of W_hh, summed in order (see `dot`); four
        // units side by side, so that four sums are in flight at once.
        let w_hh = self.w_hh.as_slice();
        let blocks = hidden.chunks_exact_mut(4).zip(w_hh.chunks_exact(4 * units));
        for (outs, columns) in blocks {
            let (c0, rest) = columns.split_at(units);
            let (c1, rest) = rest.split_at(units);
            let (c2, c3) = rest.split_at(units);
            let p = previous[0];
            let mut sums = [p * c0[0], p * c1[0], p * c2[0], p * c3[0]];
            for i in 1..units {
                let p = previous[i];
                sums[0] += p * c0[i];
                sums[1] += p * c1[i];
                sums[2] += p * c2[i];
                sums[3] += p * c3[i];
            }
            outs.copy_from_slice(&sums);
        }
        let done = units - units % 4;
        let columns = w_hh[done * units..].chunks_exact(units);
        for (unit, column) in hidden[done..].iter_mut().zip(columns) {
            *unit = dot(previous.iter().copied().zip(column.iter().copied()));
        }
    }

    #[cfg(feature = "std")]
    /// The rest of a step, once `hidden` holds `previous W_hh`: adds `x W_ih`,
    /// applies the sigmoid, and writes `output = sigmoid(hidden W_ho)`.
    #[inline]
    pub(crate) fn finish_step<SI, SH>(
        &self,
        input: &Vector<T, I, SI>,
        hidden: &mut Vector<T, H, SH>,
        output: &mut OVector<T, O>,
    ) where
        SI: Storage<T, I> + IsContiguous,
        SH: StorageMut<T, H> + IsContiguous,
    {
        self.finish_slices(
            input.as_slice(),
            hidden.as_mut_slice(),
            output.as_mut_slice(),
        );
    }

    /// [`Network::finish_step`] on slices.
    #[inline]
    fn finish_slices(&self, input: &[T], hidden: &mut [T], output: &mut [T]) {
        let (inputs, units) = self.w_ih.shape_generic();
        let (inputs, units, outputs) = (inputs.value(), units.value(), output.len());
        let (input, hidden) = (&input[..inputs], &mut hidden[..units]);
        let columns = self.w_ih.as_slice().chunks_exact(inputs);
        for (unit, column) in hidden.iter_mut().zip(columns) {
            *unit += dot(input.iter().copied().zip(column.iter().copied()));
        }
        // A loop of its own, so that the units' sigmoids run side by side.
        for unit in hidden.iter_mut() {
            *unit = sigmoid(*unit);
        }
        let columns = self.w_ho.as_slice().chunks_exact(units);
        for (out, column) in output[..outputs].iter_mut().zip(columns) {
            *out = sigmoid(dot(hidden.iter().copied().zip(column.iter().copied())));
        }
    }
}

/// The running state of a network stepping through a sequence without keeping
/// its history: two hidden buffers swapped each step, and the last output.
pub(crate) struct State<H: Dim, O: Dim, T: Real>
where
    DefaultAllocator: Allocator<H> + Allocator<O>,
{
    hidden: OVector<T, H>,
    previous: OVector<T, H>,
    pub(crate) output: OVector<T, O>,
}

impl<H: Dim, O: Dim, T: Real> State<H, O, T>
where
    DefaultAllocator: Allocator<H> + Allocator<O>,
{
    /// The hidden units after the last step.
    #[cfg(feature = "std")]
    pub(crate) fn hidden(&self) -> &OVector<T, H> {
        &self.hidden
    }

    /// Steps `network` once on `input`; the new output is in `self.output`.
    #[inline]
    pub(crate) fn advance<I: Dim>(&mut self, network: &Network<I, H, O, T>, input: &OVector<T, I>)
    where
        DefaultAllocator: RnnAllocator<I, H, O>,
    {
        core::mem::swap(&mut self.hidden, &mut self.previous);
        network.step(input, &self.previous, &mut self.hidden, &mut self.output);
    }
}

/// An error naming the first of the three sizes that is zero.
fn check_non_empty(inputs: usize, hidden: usize, outputs: usize) -> Result<(), Error> {
    for (size, what) in [
        (inputs, "input"),
        (hidden, "hidden unit"),
        (outputs, "output"),
    ] {
        if size == 0 {
            return Err(Error::EmptyDimension { what });
        }
    }
    Ok(())
}

/// An error unless `found == expected`.
pub(crate) fn expect_shape(
    what: &'static str,
    found: (usize, usize),
    expected: (usize, usize),
) -> Result<(), Error> {
    expect_shape_of(what, None, found, expected)
}

/// An error unless `found == expected`, naming vector `index` of `what`.
fn expect_shape_of(
    what: &'static str,
    index: Option<usize>,
    found: (usize, usize),
    expected: (usize, usize),
) -> Result<(), Error> {
    if found == expected {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            what,
            index,
            expected,
            found,
        })
    }
}

/// An error naming the first vector of `vectors` that is not `len` long.
#[cfg(feature = "std")]
pub(crate) fn check_vectors<T: Real, D: Dim>(
    what: &'static str,
    vectors: &[OVector<T, D>],
    len: usize,
) -> Result<(), Error>
where
    DefaultAllocator: Allocator<D>,
{
    match vectors.iter().position(|v| v.nrows() != len) {
        None => Ok(()),
        Some(step) => expect_shape_of(what, Some(step), vectors[step].shape(), (len, 1)),
    }
}
