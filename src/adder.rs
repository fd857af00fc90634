//! A trained network used as an [`Adder`]: sums of any width, read and
//! written least significant bit first.

use nalgebra::{DefaultAllocator, Dim, OVector, U1, U2, U16};
#[cfg(feature = "std")]
use num_bigint::BigUint;

use crate::bits::{bit, check_width};
use crate::network::State;
#[cfg(feature = "std")]
use crate::network::expect_shape;
use crate::{BitWidth, Error, Network, Real, RnnAllocator};
#[cfg(feature = "std")]
use crate::{Certificate, Report};

/// A network used as an adder: it reads two operands bit by bit, least
/// significant first, and writes their sum.
///
/// Its network has 2 inputs and 1 output by its type; `H` is the hidden
/// size (`U16`, the seed's, or `Dyn`) and `T` the scalar. The defaults are
/// the seed's network, `Rnn<2, 16, 1>` in `f64`.
///
/// # Examples
///
/// ```
/// let adder = const_rnn::train(&const_rnn::AdderConfig::default())?;
/// assert_eq!(adder.add::<8>(100, 27)?, (127, false));
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Adder<H = U16, T = f64>
where
    T: Real,
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
{
    network: Network<U2, H, U1, T>,
    samples: usize,
    restarts: usize,
    #[cfg(feature = "std")]
    verified: Option<Report>,
    #[cfg(feature = "std")]
    proof: Option<Certificate>,
    #[cfg(feature = "std")]
    unproven: Option<String>,
}

impl<H, T> Adder<H, T>
where
    T: Real,
    H: Dim,
    DefaultAllocator: RnnAllocator<U2, H, U1>,
{
    /// Uses `network` (trained elsewhere) as an adder: 2 inputs and 1
    /// output, by its type.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Adder, Rnn};
    ///
    /// let adder = Adder::new(Rnn::<2, 16, 1>::from_seed(0));
    /// assert_eq!(adder.samples(), 0);
    /// ```
    pub fn new(network: Network<U2, H, U1, T>) -> Self {
        Adder {
            network,
            samples: 0,
            restarts: 0,
            #[cfg(feature = "std")]
            verified: None,
            #[cfg(feature = "std")]
            proof: None,
            #[cfg(feature = "std")]
            unproven: None,
        }
    }

    /// Uses a network of any dimension types as an adder, through
    /// [`Network::reshape`]: a [`DynRnn`](crate::DynRnn) with 2 inputs and 1
    /// output becomes an `Adder<Dyn>`.
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] unless the network has 2 inputs and 1 output
    /// (and, for an `H` fixed by type, that hidden size).
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Adder, DynRnn};
    /// use nalgebra::Dyn;
    ///
    /// let adder = Adder::<Dyn>::from_network(&DynRnn::<f64>::from_seed(2, 8, 1, 0)?)?;
    /// assert_eq!(adder.network().hidden(), 8);
    /// assert!(Adder::<Dyn>::from_network(&DynRnn::<f64>::from_seed(2, 8, 2, 0)?).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn from_network<I: Dim, H2: Dim, O: Dim>(
        network: &Network<I, H2, O, T>,
    ) -> Result<Self, Error>
    where
        DefaultAllocator: RnnAllocator<I, H2, O>,
    {
        Ok(Adder::new(network.reshape()?))
    }

    /// The network behind the adder.
    ///
    /// # Examples
    ///
    /// ```
    /// let adder = const_rnn::train_plain(&const_rnn::AdderConfig { samples: 10, ..Default::default() })?;
    /// assert_eq!(adder.network().hidden(), 16);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn network(&self) -> &Network<U2, H, U1, T> {
        &self.network
    }

    /// How many times the recipe started again from new weights before it
    /// trained this network (0 for the seed's first weights and for
    /// [`Adder::new`]): see [`AdderConfig::restarts`](crate::AdderConfig::restarts).
    ///
    /// # Examples
    ///
    /// ```
    /// let adder = const_rnn::train(&const_rnn::AdderConfig::default())?;
    /// assert_eq!(adder.restarts(), 0); // seed 0 is proven from its first weights
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn restarts(&self) -> usize {
        self.restarts
    }

    /// How many samples the network was trained on (0 for [`Adder::new`]);
    /// those of networks the recipe started again from are not counted.
    ///
    /// # Examples
    ///
    /// ```
    /// let adder = const_rnn::train_plain(&const_rnn::AdderConfig::default())?;
    /// assert_eq!(adder.samples(), 10_000);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn samples(&self) -> usize {
        self.samples
    }

    #[cfg(feature = "std")]
    /// The verifier's report on the final gate, which found no wrong sum, if
    /// this adder was verified by [`AdderTrainer::into_verified_adder`](crate::AdderTrainer::into_verified_adder).
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{train, train_plain, AdderConfig};
    ///
    /// assert!(train_plain(&AdderConfig::default())?.verified().is_none());
    /// assert!(train(&AdderConfig::default())?.verified().unwrap().counts.sums() > 20_000_000);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn verified(&self) -> Option<&Report> {
        self.verified.as_ref()
    }

    #[cfg(feature = "std")]
    /// The certificate that proves this adder right at every width, if it
    /// was proven: [`check`](crate::check) accepted it for this network.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{train, train_plain, AdderConfig};
    ///
    /// assert!(train(&AdderConfig::default())?.proof().is_some());
    /// assert!(train_plain(&AdderConfig::default())?.proof().is_none());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn proof(&self) -> Option<&Certificate> {
        self.proof.as_ref()
    }

    #[cfg(feature = "std")]
    /// What is known of this adder: proven, verified only, or neither.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Adder, AdderConfig, Rnn, Status, train, train_plain};
    ///
    /// assert_eq!(train(&AdderConfig::default())?.status(), Status::Proven);
    /// assert_eq!(train_plain(&AdderConfig::default())?.status(), Status::Unchecked);
    /// assert_eq!(Adder::new(Rnn::<2, 16, 1>::from_seed(0)).status(), Status::Unchecked);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn status(&self) -> Status {
        match (&self.proof, &self.verified) {
            (Some(_), _) => Status::Proven,
            (None, Some(_)) => Status::Verified,
            (None, None) => Status::Unchecked,
        }
    }

    #[cfg(feature = "std")]
    /// Where the last proof of this adder failed, if the default recipe
    /// tried to prove it and could not (its status is then
    /// [`Status::Verified`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{train, AdderConfig};
    ///
    /// assert!(train(&AdderConfig::default())?.unproven().is_none());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn unproven(&self) -> Option<&str> {
        self.unproven.as_deref()
    }

    /// An adder of `network`, trained on `samples` samples and not checked.
    #[cfg(feature = "std")]
    pub(crate) fn trained(network: Network<U2, H, U1, T>, samples: usize) -> Self {
        Adder {
            samples,
            ..Adder::new(network)
        }
    }

    /// Records a certificate already checked against this adder's network.
    #[cfg(feature = "std")]
    pub(crate) fn set_proof(&mut self, certificate: Certificate) {
        self.proof = Some(certificate);
        self.unproven = None;
    }

    #[cfg(feature = "std")]
    /// Records that the recipe started again `restarts` times before this network.
    pub(crate) fn set_restarts(&mut self, restarts: usize) {
        self.restarts = restarts;
    }

    #[cfg(feature = "std")]
    /// Records where the last proof attempt failed.
    pub(crate) fn set_unproven(&mut self, reason: String) {
        self.unproven = Some(reason);
    }

    #[cfg(feature = "std")]
    /// Records the verifier's report on this adder's network.
    pub(crate) fn set_verified(&mut self, report: Report, samples: usize) {
        self.verified = Some(report);
        self.samples = samples;
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
    /// let adder = const_rnn::train(&const_rnn::AdderConfig::default())?;
    /// let (a, b) = (u128::MAX - 5, 10);
    /// assert_eq!(adder.add::<128>(a, b)?, a.overflowing_add(b));
    /// assert!(adder.add::<4>(16, 0).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn add<const N: usize>(&self, a: u128, b: u128) -> Result<(u128, bool), Error> {
        self.add_width(BitWidth::<N>::BITS, a, b)
    }

    /// [`Adder::add`] with the width chosen at run time: adds two `width`-bit
    /// operands in `width + 1` steps.
    ///
    /// # Errors
    ///
    /// [`Error::Width`] if `width` is outside `1..=128`; [`Error::TooWide`] if
    /// an operand does not fit in `width` bits.
    ///
    /// # Examples
    ///
    /// ```
    /// let adder = const_rnn::train(&const_rnn::AdderConfig::default())?;
    /// assert_eq!(adder.add_width(5, 20, 13)?, adder.add::<5>(20, 13)?);
    /// assert!(adder.add_width(0, 0, 0).is_err());
    /// assert!(adder.add_width(129, 0, 0).is_err());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn add_width(&self, width: usize, a: u128, b: u128) -> Result<(u128, bool), Error> {
        add_width(&self.network, width, a, b)
    }

    #[cfg(feature = "std")]
    /// Adds two operands of any length, given as bits, least significant
    /// first: the network reads `max(a.len(), b.len())` pairs (the shorter
    /// operand padded with zeros) and one `(0, 0)` pair, and its rounded
    /// outputs are returned, one bit per step, least significant first: the
    /// sum has one bit more than the longer operand.
    ///
    /// There is no limit on the length: a [proven](Adder::proof) adder is
    /// right at every one.
    ///
    /// # Examples
    ///
    /// ```
    /// let adder = const_rnn::train(&const_rnn::AdderConfig::default())?;
    /// // 3 + 5 = 8: bits 11 and 101, least significant first.
    /// let sum = adder.add_bits(&[true, true], &[true, false, true]);
    /// assert_eq!(sum, [false, false, false, true]);
    /// // 1,000 ones plus one: a carry that runs the whole length.
    /// let ones = vec![true; 1_000];
    /// let sum = adder.add_bits(&ones, &[true]);
    /// assert!(sum[..1_000].iter().all(|&bit| !bit) && sum[1_000]);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn add_bits(&self, a: &[bool], b: &[bool]) -> Vec<bool> {
        let width = a.len().max(b.len());
        let mut sum = Vec::with_capacity(width + 1);
        let bit_of = |bits: &[bool], step: usize| bits.get(step).copied().unwrap_or(false);
        let mut state: State<H, U1, T> = self.network.state();
        let mut input = OVector::<T, U2>::zeros();
        for step in 0..=width {
            input[0] = from_bit(bit_of(a, step));
            input[1] = from_bit(bit_of(b, step));
            state.advance(&self.network, &input);
            sum.push(to_bit(state.output[0]));
        }
        sum
    }

    #[cfg(feature = "std")]
    /// Adds two integers of any size, as [`Adder::add_bits`] does on their
    /// binary digits: the network's sum, which a [proven](Adder::proof)
    /// adder makes `a + b` for every `a` and `b`.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::BigUint;
    ///
    /// let adder = const_rnn::train(&const_rnn::AdderConfig::default())?;
    /// let a: BigUint = "123456789012345678901234567890123456789012345678901234567890".parse().unwrap();
    /// let b: BigUint = "987654321098765432109876543210987654321098765432109876543210".parse().unwrap();
    /// assert_eq!(adder.add_big(&a, &b), &a + &b);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn add_big(&self, a: &BigUint, b: &BigUint) -> BigUint {
        let bits =
            |value: &BigUint| -> Vec<bool> { (0..value.bits()).map(|i| value.bit(i)).collect() };
        let sum = self.add_bits(&bits(a), &bits(b));
        let mut bytes = vec![0_u8; sum.len().div_ceil(8)];
        for (i, _) in sum.iter().enumerate().filter(|(_, set)| **set) {
            bytes[i / 8] |= 1 << (i % 8);
        }
        BigUint::from_bytes_le(&bytes)
    }

    #[cfg(feature = "std")]
    /// Adds two `width`-bit operands as [`Adder::add_width`] does, and
    /// returns every step: the input bits, the true carry, the hidden units
    /// and the output. The outputs, rounded, are the sum `add_width` returns.
    ///
    /// # Errors
    ///
    /// As [`Adder::add_width`].
    ///
    /// # Examples
    ///
    /// ```
    /// let adder = const_rnn::train(&const_rnn::AdderConfig::default())?;
    /// let steps = adder.trace(4, 0b0111, 0b0001)?; // 7 + 1 = 8: three carries
    /// assert_eq!(steps.len(), 5);
    /// assert_eq!(steps.iter().map(|s| s.carry).collect::<Vec<_>>(), [false, true, true, true, false]);
    /// assert_eq!(steps.iter().map(|s| s.output > 0.5).collect::<Vec<_>>(), [false, false, false, true, false]);
    /// assert_eq!(steps[0].hidden.len(), 16);
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn trace(&self, width: usize, a: u128, b: u128) -> Result<Vec<TraceStep<T>>, Error> {
        let mut steps = Vec::with_capacity(width.saturating_add(1).min(129));
        let mut carry = false;
        step_sum(&self.network, width, a, b, |step, state| {
            let (a, b) = (bit(a, step), bit(b, step));
            steps.push(TraceStep {
                a,
                b,
                carry,
                hidden: state.hidden().iter().copied().collect(),
                output: state.output[0],
            });
            carry = (a & b) | (carry & (a ^ b));
        })?;
        Ok(steps)
    }
}

/// [`Adder::add_width`] on a network already checked to have 2 inputs and 1 output.
pub(crate) fn add_width<I, H, O, T>(
    network: &Network<I, H, O, T>,
    width: usize,
    a: u128,
    b: u128,
) -> Result<(u128, bool), Error>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    let (mut low, mut carry) = (0, false);
    step_sum(network, width, a, b, |step, state| {
        let sum_bit = to_bit(state.output[0]);
        if step < width {
            low |= u128::from(sum_bit) << step;
        } else {
            carry = sum_bit;
        }
    })?;
    Ok((low, carry))
}

/// Steps `network` over the `width + 1` steps of `a + b` and shows `visit`
/// the state after each: the one loop behind [`Adder::add`] and [`Adder::trace`].
fn step_sum<I, H, O, T>(
    network: &Network<I, H, O, T>,
    width: usize,
    a: u128,
    b: u128,
    mut visit: impl FnMut(usize, &State<H, O, T>),
) -> Result<(), Error>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    let max = check_width(width)?;
    for value in [a, b] {
        if value > max {
            return Err(Error::TooWide { value, width });
        }
    }
    let mut state: State<H, O, T> = network.state();
    let mut input = OVector::zeros_generic(network.w_ih.shape_generic().0, U1);
    for step in 0..=width {
        input[0] = from_bit(bit(a, step));
        input[1] = from_bit(bit(b, step));
        state.advance(network, &input);
        visit(step, &state);
    }
    Ok(())
}

#[cfg(feature = "std")]
/// What is known of an [`Adder`].
///
/// # Examples
///
/// See [`Adder::status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Proven right for every input of every length: [`Adder::proof`] holds the certificate.
    Proven,
    /// The verifier found no wrong sum; not proven.
    Verified,
    /// Neither verified nor proven (the seed's recipe alone, or a network of one's own).
    Unchecked,
}

#[cfg(feature = "std")]
/// One step of an addition, as [`Adder::trace`] records it.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceStep<T> {
    /// The bit of the first operand read at this step.
    pub a: bool,
    /// The bit of the second operand read at this step.
    pub b: bool,
    /// The true carry into this step, from the bits below.
    pub carry: bool,
    /// Every hidden unit's activation after the step.
    pub hidden: Vec<T>,
    /// The output, before rounding to a sum bit.
    pub output: T,
}

#[cfg(feature = "std")]
/// An error unless `network` has the adder's 2 inputs and 1 output.
pub(crate) fn check_adder_shape<I, H, O, T>(network: &Network<I, H, O, T>) -> Result<(), Error>
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
pub(crate) fn from_bit<T: Real>(set: bool) -> T {
    if set { T::one() } else { T::zero() }
}

/// A network output read as a bit: 1 when above one half.
pub(crate) fn to_bit<T: Real>(output: T) -> bool {
    output > nalgebra::convert(0.5)
}

/// The fewest hidden units an adder of this family can have: 3.
///
/// A network of 3 units is proven right at every width by the crate's
/// prover (one is trained in the crate's tests: `Rnn<2, 3, 1>`, Adam at
/// 0.03, seed 5, 280,000 samples of the seed's sums, with no verification
/// rounds), and no network of 1 or 2 units adds, in exact arithmetic:
///
/// - The state after reading `0 + 0` is `(1/2, ..., 1/2)` (no biases), so
///   the output weights sum to at most 0 for the first bit to be 0, and one
///   of them must be positive for any bit to be 1. With 1 unit that is
///   already a contradiction. With 2, say `o1 > 0 >= o2`, the inputs
///   `p` to the hidden units (before the sigmoid) that give a 1 are the set
///   `sigmoid(p1) > k sigmoid(p2)` with `k = -o2 / o1 >= 1`, which is convex.
/// - At the second step, the four input pairs add `0, u, v, u + v` to the
///   hidden units' inputs (`u`, `v` the rows of `W_ih`), from a point `P`
///   that the first step fixed. After `0 + 0` (carry 0) the second bit is
///   `a xor b`, so `P + u` and `P + v` lie in the convex set and `P`,
///   `P + u + v` do not. After `1 + 1` (carry 1) it is `not (a xor b)`, so
///   from its point `Q`, `Q` and `Q + u + v` lie in it and `Q + u`, `Q + v`
///   do not. In coordinates where `P + u, P + v = (1, 0), (-1, 0)` and
///   `Q, Q + u + v = (x, y - 1), (x, y + 1)` (taking `x, y >= 0` by
///   symmetry), the convex hull of these four points holds `P + u + v =
///   (0, 1)` if `y >= x` and `Q + v = (x - 1, y)` if `x >= y`: a point
///   outside the set inside the hull of points in it, a contradiction (and
///   if `u`, `v` are parallel, the same holds on a line).
///
/// So no 2-unit network adds even 2-bit operands. The crate computes in
/// floating point, which this argument does not cover to the last rounding;
/// the 2-unit networks trained on 100 seeds got at least 43,762 of the
/// 65,536 sums of 8-bit operands wrong (the crate's `docs/convergence.md`).
///
/// # Examples
///
/// ```
/// use const_rnn::{Adder, Rnn, SMALLEST_ADDER_HIDDEN};
///
/// assert_eq!(SMALLEST_ADDER_HIDDEN, 3);
/// // A 2-unit network gets a 2-bit sum wrong, whatever its weights.
/// let adder = Adder::new(Rnn::<2, 2, 1>::from_seed(7));
/// let wrong = (0..4_u128)
///     .flat_map(|a| (0..4).map(move |b| (a, b)))
///     .filter(|&(a, b)| adder.add::<2>(a, b).map(|(s, c)| s + 4 * u128::from(c)) != Ok(a + b))
///     .count();
/// assert!(wrong > 0);
/// ```
pub const SMALLEST_ADDER_HIDDEN: usize = 3;
