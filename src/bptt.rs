//! Backpropagation through time: [`Gradients`] shaped like the weights, and a
//! reusable [`Workspace`] so that a training step allocates nothing.

use nalgebra::allocator::Allocator;
use nalgebra::storage::Storage;
use nalgebra::{DefaultAllocator, Dim, Dyn, Matrix, OMatrix, OVector, U1};

use crate::network::{check_vectors, expect_shape};
use crate::{Error, Network, Real, RnnAllocator};

/// The gradient of the loss `L = ½ Σ_t |y_t - o_t|²` with respect to each
/// weight matrix, shaped like the weights.
///
/// The seed adds `0.1 * update` where its `update` is `-gradient`; the numbers
/// are the same, the sign here is the usual one.
///
/// # Examples
///
/// ```
/// use const_rnn::{Rnn, Workspace};
/// use nalgebra::{Vector1, Vector2};
///
/// let net = Rnn::<2, 16, 1>::from_seed(0);
/// let mut workspace = Workspace::new(&net, 3);
/// net.backprop(&[Vector2::new(1.0, 0.0); 3], &[Vector1::new(1.0); 3], &mut workspace)?;
/// assert_eq!(workspace.gradients().w_hh().shape(), (16, 16));
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients<I, H, O, T>
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

impl<I, H, O, T> Gradients<I, H, O, T>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    /// Whether every gradient is finite.
    fn is_finite(&self) -> bool {
        [
            self.w_ih.as_slice(),
            self.w_hh.as_slice(),
            self.w_ho.as_slice(),
        ]
        .into_iter()
        .all(all_finite)
    }

    /// The Euclidean norm of all three gradients together, `sqrt(Σ g²)`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use const_rnn::{Rnn, Workspace};
    /// let workspace = Workspace::new(&Rnn::<2, 16, 1>::from_seed(0), 8);
    /// assert_eq!(workspace.gradients().norm(), 0.0);
    /// ```
    pub fn norm(&self) -> T {
        let squares = |m: &[T]| m.iter().fold(T::zero(), |sum, &g| sum + g * g);
        (squares(self.w_ih.as_slice())
            + squares(self.w_hh.as_slice())
            + squares(self.w_ho.as_slice()))
        .sqrt()
    }

    /// The three gradients in the layout of [`Network::weights`]: `∂L/∂W_ih`,
    /// `∂L/∂W_hh` and `∂L/∂W_ho`, each a column-major slice.
    ///
    /// # Examples
    ///
    /// ```
    /// # use const_rnn::{Rnn, Workspace};
    /// let workspace = Workspace::new(&Rnn::<2, 16, 1>::from_seed(0), 8);
    /// let [w_ih, w_hh, w_ho] = workspace.gradients().as_slices();
    /// assert_eq!((w_ih.len(), w_hh.len(), w_ho.len()), (32, 256, 16));
    /// ```
    pub fn as_slices(&self) -> [&[T]; 3] {
        [
            self.w_ih.as_slice(),
            self.w_hh.as_slice(),
            self.w_ho.as_slice(),
        ]
    }

    /// The gradients, writable, in the layout of [`Gradients::as_slices`].
    pub(crate) fn as_mut_slices(&mut self) -> [&mut [T]; 3] {
        [
            self.w_ih.as_mut_slice(),
            self.w_hh.as_mut_slice(),
            self.w_ho.as_mut_slice(),
        ]
    }

    /// `∂L/∂W_ih`, `I x H`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use const_rnn::{Rnn, Workspace};
    /// let workspace = Workspace::new(&Rnn::<2, 16, 1>::from_seed(0), 8);
    /// assert_eq!(workspace.gradients().w_ih().shape(), (2, 16));
    /// ```
    pub fn w_ih(&self) -> &OMatrix<T, I, H> {
        &self.w_ih
    }

    /// `∂L/∂W_hh`, `H x H`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use const_rnn::{Rnn, Workspace};
    /// let workspace = Workspace::new(&Rnn::<2, 16, 1>::from_seed(0), 8);
    /// assert_eq!(workspace.gradients().w_hh().shape(), (16, 16));
    /// ```
    pub fn w_hh(&self) -> &OMatrix<T, H, H> {
        &self.w_hh
    }

    /// `∂L/∂W_ho`, `H x O`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use const_rnn::{Rnn, Workspace};
    /// let workspace = Workspace::new(&Rnn::<2, 16, 1>::from_seed(0), 8);
    /// assert_eq!(workspace.gradients().w_ho().shape(), (16, 1));
    /// ```
    pub fn w_ho(&self) -> &OMatrix<T, H, O> {
        &self.w_ho
    }
}

/// Everything a training step writes: the hidden states and outputs of the
/// forward pass, the deltas of the backward pass and the gradients.
///
/// Make one per network with [`Workspace::new`] and reuse it: a
/// [`Network::backprop`] over a sequence no longer than the workspace was made
/// for allocates nothing, on static and dynamic networks alike. A longer
/// sequence grows the workspace once.
///
/// # Examples
///
/// ```
/// use const_rnn::{DynRnn, Workspace};
/// use nalgebra::DVector;
///
/// let net = DynRnn::<f64>::from_seed(2, 4, 1, 0)?;
/// let mut workspace = Workspace::new(&net, 8);
/// let inputs = vec![DVector::from_vec(vec![1.0, 0.0]); 8];
/// let targets = vec![DVector::from_vec(vec![1.0]); 8];
/// let loss = net.backprop(&inputs, &targets, &mut workspace)?;
/// assert!(loss > 0.0);
/// assert_eq!(workspace.outputs().len(), 8);
/// # Ok::<(), const_rnn::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Workspace<I, H, O, T>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    /// Column `t` is input `t` (`x_{t+1}` of the seed).
    inputs: OMatrix<T, I, Dyn>,
    /// Column `t` is `h_t`; column 0 stays zero.
    hidden: OMatrix<T, H, Dyn>,
    /// `outputs[t]` is `o_{t+1}`, the output after reading input `t`.
    outputs: Vec<OVector<T, O>>,
    /// Row `t` is `d_h` of step `t`. Rows, so that each unit's deltas over
    /// time are contiguous for the gradient products.
    hidden_deltas: OMatrix<T, Dyn, H>,
    /// Row `t` is `d_o` of step `t`.
    output_deltas: OMatrix<T, Dyn, O>,
    /// `d_o` of the current step of the backward walk.
    delta_output: OVector<T, O>,
    /// `d_h` of the current step of the backward walk.
    delta_hidden: OVector<T, H>,
    /// `d_h` of the step after the current one in the backward walk.
    delta_next: OVector<T, H>,
    gradients: Gradients<I, H, O, T>,
    /// Steps of the last forward pass.
    steps: usize,
}

impl<I, H, O, T> Workspace<I, H, O, T>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    /// A workspace for `network` and sequences of up to `steps` steps.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, Workspace};
    ///
    /// let workspace = Workspace::new(&Rnn::<2, 16, 1>::from_seed(0), 8);
    /// assert!(workspace.outputs().is_empty()); // nothing has run yet
    /// ```
    pub fn new(network: &Network<I, H, O, T>, steps: usize) -> Self {
        let (inputs, hidden) = network.w_ih.shape_generic();
        let outputs = network.w_ho.shape_generic().1;
        Self::with_shapes(inputs, hidden, outputs, steps)
    }

    /// A zeroed workspace for a network of `inputs x hidden x outputs` units
    /// and sequences of up to `steps` steps.
    fn with_shapes(inputs: I, hidden: H, outputs: O, steps: usize) -> Self {
        Workspace {
            inputs: OMatrix::zeros_generic(inputs, Dyn(steps)),
            hidden: OMatrix::zeros_generic(hidden, Dyn(steps + 1)),
            outputs: vec![OVector::zeros_generic(outputs, U1); steps],
            hidden_deltas: OMatrix::zeros_generic(Dyn(steps), hidden),
            output_deltas: OMatrix::zeros_generic(Dyn(steps), outputs),
            delta_output: OVector::zeros_generic(outputs, U1),
            delta_hidden: OVector::zeros_generic(hidden, U1),
            delta_next: OVector::zeros_generic(hidden, U1),
            gradients: Gradients {
                w_ih: OMatrix::zeros_generic(inputs, hidden),
                w_hh: OMatrix::zeros_generic(hidden, hidden),
                w_ho: OMatrix::zeros_generic(hidden, outputs),
            },
            steps: 0,
        }
    }

    /// The gradients of the last [`Network::backprop`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use const_rnn::{Rnn, Workspace};
    /// let workspace = Workspace::new(&Rnn::<2, 16, 1>::from_seed(0), 8);
    /// assert!(workspace.gradients().w_hh().iter().all(|g| *g == 0.0));
    /// ```
    pub fn gradients(&self) -> &Gradients<I, H, O, T> {
        &self.gradients
    }

    /// The outputs of the last forward pass, one per step.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, Workspace};
    /// use nalgebra::{Vector1, Vector2};
    ///
    /// let net = Rnn::<2, 16, 1>::from_seed(0);
    /// let mut workspace = Workspace::new(&net, 8);
    /// net.backprop(&[Vector2::zeros(); 3], &[Vector1::zeros(); 3], &mut workspace)?;
    /// assert_eq!(workspace.outputs(), net.run(&[Vector2::zeros(); 3])?.as_slice());
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn outputs(&self) -> &[OVector<T, O>] {
        &self.outputs[..self.steps]
    }

    /// Forgets the last pass after a failed one: no outputs, zero gradients.
    fn clear(&mut self) {
        self.steps = 0;
        let g = &mut self.gradients;
        g.w_ih.fill(T::zero());
        g.w_hh.fill(T::zero());
        g.w_ho.fill(T::zero());
    }

    /// An error unless this workspace was made for a network shaped like `network`.
    fn check_shape(&self, network: &Network<I, H, O, T>) -> Result<(), Error> {
        let g = &self.gradients;
        expect_shape("workspace w_ih", g.w_ih.shape(), network.w_ih.shape())?;
        expect_shape("workspace w_ho", g.w_ho.shape(), network.w_ho.shape())
    }

    /// Makes room for `steps` steps; allocates only when `steps` is more than ever before.
    ///
    /// Everything in the workspace is written by every [`Network::backprop`]
    /// before it is read, so growing starts from a fresh workspace.
    fn reserve(&mut self, steps: usize) {
        if self.outputs.len() < steps {
            let (inputs, hidden) = self.gradients.w_ih.shape_generic();
            let outputs = self.delta_output.shape_generic().0;
            *self = Self::with_shapes(inputs, hidden, outputs, steps);
        }
    }
}

impl<I, H, O, T> Network<I, H, O, T>
where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    /// Runs the network forward over `inputs`, then backward through time,
    /// and leaves `∂L/∂W` for `L = ½ Σ_t |targets_t - o_t|²` in
    /// `workspace.gradients()`. Returns `L`.
    ///
    /// The backward walk is the seed's: from the last step to the first, with
    /// `d_o = (o - y) o (1 - o)` and
    /// `d_h,t = (W_hh d_h,t+1 + W_ho d_o,t) ⊙ h_t (1 - h_t)`.
    /// The gradients are the seed's sums over time, `∂L/∂W_hh = Σ_t h_t-1 d_h,tᵀ`
    /// and the like, each computed after the walk as one matrix product of the
    /// recorded states and deltas.
    ///
    /// # Errors
    ///
    /// [`Error::SequenceLength`] if `inputs` is empty or differs in length from
    /// `targets`; [`Error::ShapeMismatch`] if an input, a target or the
    /// workspace does not fit the network; [`Error::NonFinite`] if an input or
    /// a target is NaN or infinite, or if the loss or a gradient overflowed.
    /// The network is never changed. An error in the arguments leaves the
    /// workspace as it was; an overflow during the pass leaves it with no pass
    /// (no outputs, zero gradients), never half of one.
    ///
    /// # Examples
    ///
    /// ```
    /// use const_rnn::{Rnn, Workspace};
    /// use nalgebra::{Vector1, Vector2};
    ///
    /// let net = Rnn::<2, 4, 1>::from_seed(0);
    /// let mut workspace = Workspace::new(&net, 2);
    /// let inputs = [Vector2::new(1.0, 1.0), Vector2::new(0.0, 0.0)];
    /// let targets = [Vector1::new(0.0), Vector1::new(1.0)];
    /// let loss = net.backprop(&inputs, &targets, &mut workspace)?;
    /// let o = workspace.outputs();
    /// assert_eq!(loss, 0.5 * (o[0][0].powi(2) + (1.0 - o[1][0]).powi(2)));
    /// # Ok::<(), const_rnn::Error>(())
    /// ```
    pub fn backprop(
        &self,
        inputs: &[OVector<T, I>],
        targets: &[OVector<T, O>],
        workspace: &mut Workspace<I, H, O, T>,
    ) -> Result<T, Error> {
        check_finite("input", inputs)?;
        check_finite("target", targets)?;
        let loss = self.backprop_unchecked(inputs, targets, workspace)?;
        if !workspace.gradients.is_finite() {
            workspace.clear();
            return Err(Error::NonFinite { what: "gradient" });
        }
        Ok(loss)
    }

    /// [`Network::backprop`] without its checks that the inputs, the targets
    /// and the gradients are finite: for a caller whose inputs and targets are
    /// bits and who hands the gradients straight to
    /// an [`Optimizer`](crate::Optimizer), whose own check (that no weight
    /// would become NaN or infinite) catches a gradient that overflowed.
    pub(crate) fn backprop_unchecked(
        &self,
        inputs: &[OVector<T, I>],
        targets: &[OVector<T, O>],
        workspace: &mut Workspace<I, H, O, T>,
    ) -> Result<T, Error> {
        let steps = inputs.len();
        if steps == 0 || steps != targets.len() {
            return Err(Error::SequenceLength {
                inputs: steps,
                targets: targets.len(),
            });
        }
        self.check_inputs(inputs)?;
        check_vectors("target", targets, self.outputs())?;
        workspace.check_shape(self)?;
        workspace.reserve(steps);
        workspace.steps = steps;
        let result = self.forward_backward(inputs, targets, workspace);
        if result.is_err() {
            workspace.clear();
        }
        result
    }

    /// [`Network::backprop`] once its arguments are checked: the workspace
    /// has room for the sequence.
    fn forward_backward(
        &self,
        inputs: &[OVector<T, I>],
        targets: &[OVector<T, O>],
        workspace: &mut Workspace<I, H, O, T>,
    ) -> Result<T, Error> {
        let steps = inputs.len();

        let Workspace {
            inputs: xs,
            hidden,
            outputs,
            hidden_deltas,
            output_deltas,
            delta_output,
            delta_hidden,
            delta_next,
            gradients,
            ..
        } = workspace;

        // Forward, keeping every input and every h_t: column t + 1 of `hidden` from column t.
        let mut loss = T::zero();
        for (t, (input, target)) in inputs.iter().zip(targets).enumerate() {
            xs.set_column(t, input);
            let units = hidden.nrows();
            let (done, next) = hidden.as_mut_slice().split_at_mut((t + 1) * units);
            let previous = &done[t * units..];
            forward_step(
                self,
                input.as_slice(),
                previous,
                next,
                outputs[t].as_mut_slice(),
            );
            loss += outputs[t].zip_fold(target, T::zero(), |sum, o, y| sum + (o - y) * (o - y));
        }
        loss *= nalgebra::convert(0.5);
        if !loss.is_finite() {
            return Err(Error::NonFinite { what: "loss" });
        }

        // Backward from the last step to the first, keeping every delta; the
        // last step has no successor: d_h,next = 0.
        let units = hidden.nrows();
        for t in (0..steps).rev() {
            delta_output.zip_zip_apply(&outputs[t], &targets[t], |d, o, y| {
                *d = (o - y) * o * (T::one() - o);
            });
            if t + 1 == steps {
                delta_hidden.gemv(T::one(), &self.w_ho, delta_output, T::zero());
            } else {
                product_into(delta_hidden, &self.w_hh, delta_next);
                delta_hidden.gemv(T::one(), &self.w_ho, delta_output, T::one());
            }
            // Contiguous slices: nalgebra's element iterators do not vectorise.
            let h = &hidden.as_slice()[(t + 1) * units..(t + 2) * units];
            for (d, &h) in delta_hidden.as_mut_slice().iter_mut().zip(h) {
                *d *= h * (T::one() - h);
            }
            output_deltas.row_mut(t).tr_copy_from(delta_output);
            hidden_deltas.row_mut(t).tr_copy_from(delta_hidden);
            std::mem::swap(delta_hidden, delta_next);
        }

        // Each gradient is a sum over time of outer products, ∂L/∂W = Σ_t a_t d_tᵀ:
        // one matrix product of the states (columns) and the deltas (rows).
        // h_0 = 0 adds nothing to ∂L/∂W_hh, so its sum starts at step 1.
        let (hidden_deltas, output_deltas) =
            (hidden_deltas.rows(0, steps), output_deltas.rows(0, steps));
        sum_of_outer_products(&mut gradients.w_ih, &xs.columns(0, steps), &hidden_deltas);
        sum_of_outer_products(
            &mut gradients.w_hh,
            &hidden.columns(1, steps - 1),
            &hidden_deltas.rows(1, steps - 1),
        );
        sum_of_outer_products(
            &mut gradients.w_ho,
            &hidden.columns(1, steps),
            &output_deltas,
        );
        Ok(loss)
    }
}

/// Whether `f(a_i, b_i)` is finite for every `i`.
///
/// `x * 0` is 0 for a finite `x` and NaN otherwise, and a sum with a NaN is
/// NaN; the sum runs in four independent lanes, so that it is not one long
/// chain of dependent additions (a plain fold here cost a training sample
/// about 0.3 us).
pub(crate) fn all_finite_pairs<T: Real>(a: &[T], b: &[T], f: impl Fn(T, T) -> T) -> bool {
    let mut lanes = [T::zero(); 4];
    let (chunks_a, chunks_b) = (a.chunks_exact(4), b.chunks_exact(4));
    let (rest_a, rest_b) = (chunks_a.remainder(), chunks_b.remainder());
    for (a4, b4) in chunks_a.zip(chunks_b) {
        for k in 0..4 {
            lanes[k] += f(a4[k], b4[k]) * T::zero();
        }
    }
    let rest = rest_a
        .iter()
        .zip(rest_b)
        .fold(T::zero(), |sum, (&x, &y)| sum + f(x, y) * T::zero());
    lanes[0] + lanes[1] + lanes[2] + lanes[3] + rest == T::zero()
}

/// Whether every value is finite.
pub(crate) fn all_finite<T: Real>(values: &[T]) -> bool {
    all_finite_pairs(values, values, |x, _| x)
}

/// An error naming the first of `vectors` with a value that is NaN or infinite.
fn check_finite<T: Real, D: Dim>(what: &'static str, vectors: &[OVector<T, D>]) -> Result<(), Error>
where
    DefaultAllocator: Allocator<D>,
{
    if vectors.iter().all(|v| all_finite(v.as_slice())) {
        Ok(())
    } else {
        Err(Error::NonFinite { what })
    }
}

/// `gradient = states · deltas`, that is `Σ_t states[:, t] deltas[t, :]`.
///
/// The product is `gemm`'s, one `gemv` per column of `gradient`, written
/// out because nalgebra's `gemm` hands matrices with a dynamic dimension larger
/// than 5 to `matrixmultiply`, which allocates packing buffers on every call.
/// A column of `deltas` is one unit's deltas over time, contiguous.
#[inline]
fn sum_of_outer_products<T, R, C, S1, S2>(
    gradient: &mut OMatrix<T, R, C>,
    states: &Matrix<T, R, Dyn, S1>,
    deltas: &Matrix<T, Dyn, C, S2>,
) where
    T: Real,
    R: Dim,
    C: Dim,
    S1: Storage<T, R, Dyn>,
    S2: Storage<T, Dyn, C>,
    DefaultAllocator: Allocator<R, C>,
{
    for (j, mut column) in gradient.column_iter_mut().enumerate() {
        column.gemv(T::one(), states, &deltas.column(j), T::zero());
    }
}

/// [`Network::step`] kept out of line, for the forward pass of training.
///
/// Inlined into that loop over time, the compiler gathers `h_{t-1}` through
/// the stack for every product; out of line, a seed training sample (static
/// 2-16-1) takes about 10% less time. Inference is the other way round and
/// inlines the step.
#[inline(never)]
fn forward_step<T, I, H, O>(
    network: &Network<I, H, O, T>,
    input: &[T],
    previous: &[T],
    hidden: &mut [T],
    output: &mut [T],
) where
    T: Real,
    I: Dim,
    H: Dim,
    O: Dim,
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    network.step_slices(input, previous, hidden, output);
}

/// `y = a x`, nalgebra's `gemv`, kept out of line.
///
/// Inlined into the backward walk, the compiler no longer keeps `y` in
/// registers across the columns of `a` and loads and stores it at every
/// column: out of line, a seed training sample (2-16-1) takes 19% fewer
/// instructions (callgrind), with the same result to the bit.
#[inline(never)]
fn product_into<T: Real, R: Dim, C: Dim>(
    y: &mut OVector<T, R>,
    a: &OMatrix<T, R, C>,
    x: &OVector<T, C>,
) where
    DefaultAllocator: Allocator<R, C> + Allocator<R> + Allocator<C>,
{
    y.gemv(T::one(), a, x, T::zero());
}
