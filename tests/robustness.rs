//! Arbitrary input to the public API gives an error or a right answer: never a
//! panic, never a non-finite weight, never a wrong `Ok`.

use const_rnn::{
    Adder, AdderConfig, AdderTrainer, DynRnn, Error, Optimizer, OptimizerKind, Rnn, Sgd, Workspace,
    train_plain, verify,
};
use nalgebra::{DMatrix, DVector, Vector1, Vector2};
use proptest::prelude::*;

use crate::adder::plain_adder;

/// Any `f64`, with the awkward ones often: NaN, infinities, zeros, huge and tiny.
fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(1e6),
        -10.0..10.0,
        any::<f64>(),
    ]
}

fn weights_are_finite<I, H, O>(net: &const_rnn::Network<I, H, O, f64>) -> bool
where
    I: nalgebra::Dim,
    H: nalgebra::Dim,
    O: nalgebra::Dim,
    nalgebra::DefaultAllocator: const_rnn::RnnAllocator<I, H, O>,
{
    net.w_ih()
        .iter()
        .chain(net.w_hh().iter())
        .chain(net.w_ho().iter())
        .all(|w| w.is_finite())
}

/// `train_plain(config)` gives finite weights after every sample, a
/// divergence within the samples, or an error for settings that are invalid.
fn trains_or_fails_cleanly(config: &AdderConfig) -> Result<(), TestCaseError> {
    let samples = config.samples;
    match train_plain(config) {
        Ok(adder) => {
            prop_assert!(config.validate().is_ok());
            prop_assert!(weights_are_finite(adder.network()));
            prop_assert_eq!(adder.samples(), samples);
        }
        Err(Error::Diverged { sample, .. }) => {
            prop_assert!(sample >= 1 && sample <= samples, "{sample}");
        }
        Err(err) => prop_assert!(config.validate().is_err(), "{err}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn add_at_any_width_is_an_error_or_the_networks_sum_within_the_width(
        width in 0..=200_usize,
        a in any::<u128>(),
        b in any::<u128>(),
        shift in 0..=128_u32,
    ) {
        let (a, b) = (a.checked_shr(shift).unwrap_or(0), b >> (shift / 2));
        let adder = plain_adder();
        match adder.add_width(width, a, b) {
            Ok((low, _)) => {
                prop_assert!((1..=128).contains(&width));
                prop_assert!(width == 128 || (a >> width == 0 && b >> width == 0 && low >> width == 0));
            }
            Err(Error::Width { width: w }) => prop_assert!(w == width && !(1..=128).contains(&width)),
            Err(Error::TooWide { value, width: w }) => {
                prop_assert_eq!(w, width);
                prop_assert!(value == a || value == b);
                prop_assert!(width < 128 && value >> width != 0);
            }
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    #[test]
    fn dynamic_networks_reject_wrong_shapes_with_errors(
        (inputs, hidden, outputs) in (0..4_usize, 0..6_usize, 0..3_usize),
        (hidden_rows, hidden_cols, output_rows) in (0..6_usize, 0..6_usize, 0..6_usize),
        input_len in 0..5_usize,
        steps in 0..4_usize,
    ) {
        let made = DynRnn::<f64>::from_weights(
            DMatrix::from_element(inputs, hidden, 0.5),
            DMatrix::from_element(hidden_rows, hidden_cols, 0.5),
            DMatrix::from_element(output_rows, outputs, 0.5),
        );
        let fits = inputs > 0 && hidden > 0 && outputs > 0
            && (hidden_rows, hidden_cols) == (hidden, hidden) && output_rows == hidden;
        prop_assert_eq!(made.is_ok(), fits);
        if let Ok(net) = made {
            let sequence = vec![DVector::from_element(input_len, 1.0); steps];
            let ran = net.run(&sequence);
            prop_assert_eq!(ran.is_ok(), steps == 0 || input_len == inputs);
            let targets = vec![DVector::from_element(outputs, 1.0); steps];
            let mut workspace = Workspace::new(&net, 1);
            let before = net.clone();
            let loss = net.backprop(&sequence, &targets, &mut workspace);
            prop_assert_eq!(loss.is_ok(), steps > 0 && input_len == inputs);
            prop_assert_eq!(&net, &before);
        }
    }

    #[test]
    fn learning_rates_are_checked_and_never_make_weights_non_finite(rate in any_f64()) {
        let sgd = Sgd::new(rate);
        prop_assert_eq!(sgd.is_ok(), rate.is_finite() && rate > 0.0);
        let Ok(mut sgd) = sgd else { return Ok(()) };
        let mut net = Rnn::<2, 4, 1>::from_seed(0);
        let mut workspace = Workspace::new(&net, 3);
        for _ in 0..20 {
            net.backprop(&[Vector2::new(1.0, 1.0); 3], &[Vector1::new(1.0); 3], &mut workspace)?;
            let before = net.clone();
            if sgd.update(&mut net, workspace.gradients()).is_err() {
                prop_assert_eq!(&net, &before);
                break;
            }
        }
        prop_assert!(weights_are_finite(&net));
    }

    #[test]
    fn non_finite_inputs_and_targets_are_errors_that_change_nothing(
        x in any_f64(),
        y in any_f64(),
        at in 0..4_usize,
    ) {
        let net = Rnn::<2, 4, 1>::from_seed(0);
        let mut workspace = Workspace::new(&net, 2);
        let mut inputs = [Vector2::new(1.0, 0.0); 4];
        let mut targets = [Vector1::new(1.0); 4];
        inputs[at][0] = x;
        targets[at][0] = y;
        net.backprop(&[Vector2::new(1.0, 1.0)], &[Vector1::new(0.0)], &mut workspace).unwrap();
        let (outputs, gradients) = (workspace.outputs().to_vec(), workspace.gradients().clone());
        match net.backprop(&inputs, &targets, &mut workspace) {
            Ok(loss) => {
                prop_assert!(x.is_finite() && y.is_finite() && loss.is_finite());
                prop_assert!(workspace.gradients().norm().is_finite());
            }
            Err(Error::NonFinite { what: "input" | "target" }) => {
                prop_assert!(!x.is_finite() || !y.is_finite());
                // An input the pass refused leaves the last pass whole.
                prop_assert_eq!(workspace.outputs(), outputs.as_slice());
                prop_assert_eq!(workspace.gradients(), &gradients);
            }
            Err(Error::NonFinite { what: "loss" | "gradient" }) => {
                // A huge target overflows the loss: no half pass is left behind.
                prop_assert!(y.abs() > 1e150, "x {x}, y {y}");
                prop_assert!(workspace.outputs().is_empty());
                prop_assert_eq!(workspace.gradients().norm(), 0.0);
            }
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    #[test]
    fn any_training_config_gives_an_error_or_finite_weights(
        sum_bits in 0..140_usize,
        samples in 0..300_usize,
        learning_rate in any_f64(),
        seed in any::<u64>(),
    ) {
        let config = AdderConfig { sum_bits, samples, learning_rate, seed, ..AdderConfig::default() };
        trains_or_fails_cleanly(&config)?;
    }

    #[test]
    fn any_optimiser_and_batch_give_an_error_or_finite_weights(
        kind in 0..3_usize,
        setting in any_f64(),
        learning_rate in any_f64(),
        batch in 0..6_usize,
        samples in 1..200_usize,
    ) {
        let optimizer = match kind {
            0 => OptimizerKind::Sgd,
            1 => OptimizerKind::Momentum { momentum: setting, nesterov: setting > 0.5 },
            _ => OptimizerKind::Adam { beta1: 0.9, beta2: setting, epsilon: 1e-8 },
        };
        let config = AdderConfig { optimizer, learning_rate, batch, samples, ..AdderConfig::default() };
        trains_or_fails_cleanly(&config)?;
    }

    #[test]
    fn sequences_longer_than_the_workspace_grow_it(steps in 1..200_usize) {
        let net = Rnn::<2, 4, 1>::from_seed(1);
        let mut workspace = Workspace::new(&net, 1);
        let loss = net.backprop(&vec![Vector2::new(0.0, 1.0); steps], &vec![Vector1::new(1.0); steps], &mut workspace)?;
        prop_assert!(loss.is_finite());
        prop_assert_eq!(workspace.outputs().len(), steps);
    }
}

#[test]
fn huge_learning_rates_stop_with_a_divergence_and_a_finite_network() {
    for learning_rate in [1e3, 1e6, 1e100, f64::MAX] {
        let config = AdderConfig {
            learning_rate,
            ..AdderConfig::default()
        };
        let mut trainer = AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(0), &config).unwrap();
        let mut failure = None;
        for _ in 0..config.samples {
            let before = trainer.network().clone();
            if let Err(err) = trainer.train_sample() {
                // The failing sample's update was not applied.
                assert_eq!(trainer.network(), &before);
                failure = Some(err);
                break;
            }
        }
        let err = failure
            .unwrap_or_else(|| panic!("learning rate {learning_rate} trained without a word"));
        assert!(matches!(err, Error::Diverged { .. }), "{err}");
        assert!(err.to_string().starts_with("diverged at sample "), "{err}");
        assert!(weights_are_finite(trainer.network()));
    }
}

#[test]
fn ordinary_learning_rates_do_not_diverge() {
    for learning_rate in [0.01, 0.1, 1.0] {
        let config = AdderConfig {
            learning_rate,
            samples: 20_000,
            ..AdderConfig::default()
        };
        assert!(
            train_plain(&config).is_ok(),
            "learning rate {learning_rate}"
        );
    }
}

#[test]
fn zero_sized_static_networks_do_not_compile_and_dynamic_ones_are_errors() {
    // `Rnn::<2, 0, 1>::from_seed(0)` is a compile error (a doctest on `Rnn::random` shows it).
    assert!(matches!(
        DynRnn::<f64>::from_seed(2, 0, 1, 0),
        Err(Error::EmptyDimension { .. })
    ));
    let verified = verify(
        &Adder::new(Rnn::<2, 1, 1>::from_seed(0)),
        &Default::default(),
    );
    assert!(verified.unwrap().counterexample.is_some());
}
