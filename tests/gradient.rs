//! BPTT gradients against central finite differences, for every weight.

use const_rnn::{Network, Rnn, RnnAllocator, Workspace};
use nalgebra::{DefaultAllocator, Dim, OVector, Vector2, Vector3};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

const STEPS: usize = 7;
/// Step of the central differences: small enough that the O(eps²) truncation
/// stays far below 1e-6, large enough that rounding (about 1e-16 / eps) does too.
const EPS: f64 = 1e-5;
const MAX_RELATIVE_ERROR: f64 = 1e-6;

/// `½ Σ_t |y_t - o_t|²`, computed from `Network::run`, independently of `backprop`.
fn loss<I: Dim, H: Dim, O: Dim>(
    network: &Network<I, H, O, f64>,
    inputs: &[OVector<f64, I>],
    targets: &[OVector<f64, O>],
) -> f64
where
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    let outputs = network.run(inputs).unwrap();
    0.5 * outputs
        .iter()
        .zip(targets)
        .map(|(o, y)| (o - y).norm_squared())
        .sum::<f64>()
}

/// Which weight matrix to perturb.
#[derive(Debug, Clone, Copy)]
enum Weight {
    Ih,
    Hh,
    Ho,
}

/// `network` with one weight moved by `delta`.
fn nudged<I: Dim, H: Dim, O: Dim>(
    network: &Network<I, H, O, f64>,
    weight: Weight,
    index: usize,
    delta: f64,
) -> Network<I, H, O, f64>
where
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    let (mut w_ih, mut w_hh, mut w_ho) = (
        network.w_ih().clone(),
        network.w_hh().clone(),
        network.w_ho().clone(),
    );
    match weight {
        Weight::Ih => w_ih[index] += delta,
        Weight::Hh => w_hh[index] += delta,
        Weight::Ho => w_ho[index] += delta,
    }
    Network::from_weights(w_ih, w_hh, w_ho).unwrap()
}

/// Compares every BPTT gradient of `network` with a central difference.
fn check_gradients<I: Dim, H: Dim, O: Dim>(
    network: &Network<I, H, O, f64>,
    inputs: &[OVector<f64, I>],
    targets: &[OVector<f64, O>],
) where
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    let mut workspace = Workspace::new(network, inputs.len());
    let bptt_loss = network.backprop(inputs, targets, &mut workspace).unwrap();
    assert!((bptt_loss - loss(network, inputs, targets)).abs() < 1e-12);

    let gradients = workspace.gradients();
    let analytic: [(Weight, &[f64]); 3] = [
        (Weight::Ih, gradients.w_ih().as_slice()),
        (Weight::Hh, gradients.w_hh().as_slice()),
        (Weight::Ho, gradients.w_ho().as_slice()),
    ];
    let mut checked = 0;
    for (weight, values) in analytic {
        for (index, &bptt) in values.iter().enumerate() {
            let plus = loss(&nudged(network, weight, index, EPS), inputs, targets);
            let minus = loss(&nudged(network, weight, index, -EPS), inputs, targets);
            let numeric = (plus - minus) / (2.0 * EPS);
            let relative = (bptt - numeric).abs() / bptt.abs().max(numeric.abs());
            assert!(
                relative < MAX_RELATIVE_ERROR,
                "∂L/∂{weight:?}[{index}]: backprop {bptt:e}, central difference {numeric:e}, \
                 relative error {relative:e}"
            );
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        network.inputs() * network.hidden()
            + network.hidden() * network.hidden()
            + network.hidden() * network.outputs()
    );
}

/// A random 3-5-2 network and a random sequence: inputs and targets in (0, 1),
/// so that no gradient is exactly zero and a relative error is meaningful.
fn random_problem(seed: u64) -> (Rnn<3, 5, 2>, Vec<Vector3<f64>>, Vec<Vector2<f64>>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let network = Rnn::<3, 5, 2>::random(&mut rng);
    let mut unit = || rng.random_range(0.01..0.99);
    let inputs = (0..STEPS)
        .map(|_| Vector3::from_fn(|_, _| unit()))
        .collect();
    let targets = (0..STEPS)
        .map(|_| Vector2::from_fn(|_, _| unit()))
        .collect();
    (network, inputs, targets)
}

#[test]
fn static_gradients_match_central_differences() {
    for seed in 0..3 {
        let (network, inputs, targets) = random_problem(seed);
        check_gradients(&network, &inputs, &targets);
    }
}

#[test]
fn dynamic_gradients_match_central_differences() {
    for seed in 0..3 {
        let (network, inputs, targets) = random_problem(seed);
        let to_dynamic = |v: &[f64]| nalgebra::DVector::from_column_slice(v);
        let inputs: Vec<_> = inputs.iter().map(|v| to_dynamic(v.as_slice())).collect();
        let targets: Vec<_> = targets.iter().map(|v| to_dynamic(v.as_slice())).collect();
        check_gradients(&network.to_dynamic(), &inputs, &targets);
    }
}

#[test]
fn seed_network_gradients_match_central_differences() {
    // The seed's own shape and task: 2-16-1 on the 8 steps of 45 + 86 = 131.
    let network = Rnn::<2, 16, 1>::from_seed(11);
    let (a, b) = (45_u32, 86_u32);
    let bit = |value: u32, step: usize| f64::from((value >> step) & 1);
    let inputs: Vec<_> = (0..8)
        .map(|t| nalgebra::Vector2::new(bit(a, t), bit(b, t)))
        .collect();
    let targets: Vec<_> = (0..8)
        .map(|t| nalgebra::Vector1::new(bit(a + b, t)))
        .collect();
    check_gradients(&network, &inputs, &targets);
}

/// A reused workspace forgets the last sequence: its gradients are those of a
/// fresh workspace, to the bit, whatever the lengths that went before, and
/// whether it was made long enough or grows (made for 0 steps, it grows to 1,
/// 3 and then `STEPS`). A one-step sequence has `h_0 = 0` only, so its
/// `∂L/∂W_hh` is zero.
#[test]
fn reused_workspace_gives_the_gradients_of_a_fresh_one() {
    let (network, inputs, targets) = random_problem(5);
    for capacity in [STEPS, 0] {
        let mut reused = Workspace::new(&network, capacity);
        for steps in [1, 3, 1, STEPS, 2, STEPS] {
            let (inputs, targets) = (&inputs[..steps], &targets[..steps]);
            let mut fresh = Workspace::new(&network, steps);
            let loss = network.backprop(inputs, targets, &mut fresh).unwrap();
            let reused_loss = network.backprop(inputs, targets, &mut reused).unwrap();
            let case = format!("{steps} steps, workspace made for {capacity}");
            assert_eq!(reused_loss.to_bits(), loss.to_bits(), "{case}");
            assert_eq!(reused.gradients(), fresh.gradients(), "{case}");
            if steps == 1 {
                assert!(fresh.gradients().w_hh().iter().all(|&g| g == 0.0));
            } else {
                assert!(fresh.gradients().w_hh().iter().all(|&g| g != 0.0));
            }
        }
    }
}
