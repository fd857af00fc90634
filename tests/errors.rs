//! Bad input gets a clear error and changes nothing; nothing panics.

use const_rnn::{Adder, AdderConfig, AdderTrainer, DynRnn, Error, Optimizer, Rnn, Sgd, Workspace};
use nalgebra::{DMatrix, DVector, Vector1, Vector2};

fn dyn_vectors(rows: usize, count: usize) -> Vec<DVector<f64>> {
    vec![DVector::from_element(rows, 0.5); count]
}

#[test]
fn dynamic_input_of_wrong_length_is_an_error() {
    let net = DynRnn::<f64>::from_seed(2, 4, 1, 0).unwrap();
    let mut inputs = dyn_vectors(2, 5);
    inputs[3] = DVector::zeros(3);
    let err = net.run(&inputs).unwrap_err();
    assert_eq!(err.to_string(), "input 3 has shape 3x1, expected 2x1");
    let mut workspace = Workspace::new(&net, 5);
    let err = net
        .backprop(&inputs, &dyn_vectors(1, 5), &mut workspace)
        .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }));
}

#[test]
fn dynamic_target_of_wrong_length_is_an_error() {
    let net = DynRnn::<f64>::from_seed(2, 4, 1, 0).unwrap();
    let mut workspace = Workspace::new(&net, 5);
    let err = net
        .backprop(&dyn_vectors(2, 5), &dyn_vectors(2, 5), &mut workspace)
        .unwrap_err();
    assert_eq!(err.to_string(), "target 0 has shape 2x1, expected 1x1");
}

#[test]
fn sequences_must_match_and_be_non_empty() {
    let net = Rnn::<2, 4, 1>::from_seed(0);
    let mut workspace = Workspace::new(&net, 5);
    let err = net
        .backprop(
            &[Vector2::zeros(); 3],
            &[Vector1::zeros(); 2],
            &mut workspace,
        )
        .unwrap_err();
    assert_eq!(
        err,
        Error::SequenceLength {
            inputs: 3,
            targets: 2
        }
    );
    let err = net.backprop(&[], &[], &mut workspace).unwrap_err();
    assert_eq!(
        err,
        Error::SequenceLength {
            inputs: 0,
            targets: 0
        }
    );
}

#[test]
fn workspace_of_another_shape_is_an_error() {
    let small = DynRnn::<f64>::from_seed(2, 4, 1, 0).unwrap();
    let large = DynRnn::<f64>::from_seed(2, 8, 1, 0).unwrap();
    let mut workspace = Workspace::new(&small, 5);
    let err = large
        .backprop(&dyn_vectors(2, 5), &dyn_vectors(1, 5), &mut workspace)
        .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err}");
}

#[test]
fn gradients_of_another_shape_leave_the_network_unchanged() {
    let small = DynRnn::<f64>::from_seed(2, 4, 1, 0).unwrap();
    let mut large = DynRnn::<f64>::from_seed(2, 8, 1, 0).unwrap();
    let before = large.clone();
    let mut workspace = Workspace::new(&small, 5);
    small
        .backprop(&dyn_vectors(2, 5), &dyn_vectors(1, 5), &mut workspace)
        .unwrap();
    let err = Sgd::new(0.1)
        .unwrap()
        .update(&mut large, workspace.gradients())
        .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }));
    assert_eq!(large, before);
}

#[test]
fn longer_sequences_grow_the_workspace() {
    let net = Rnn::<2, 4, 1>::from_seed(0);
    let mut workspace = Workspace::new(&net, 2);
    net.backprop(
        &[Vector2::zeros(); 40],
        &[Vector1::zeros(); 40],
        &mut workspace,
    )
    .unwrap();
    assert_eq!(
        workspace.outputs(),
        net.run(&[Vector2::zeros(); 40]).unwrap().as_slice()
    );
}

#[test]
fn mismatched_weights_are_errors() {
    let err = DynRnn::<f64>::from_weights(
        DMatrix::zeros(2, 4),
        DMatrix::zeros(4, 4),
        DMatrix::zeros(3, 1),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "w_ho has shape 3x1, expected 4x1");
    let err = DynRnn::<f64>::from_weights(
        DMatrix::zeros(2, 4),
        DMatrix::zeros(4, 5),
        DMatrix::zeros(4, 1),
    )
    .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }));
    let err = DynRnn::<f64>::from_weights(
        DMatrix::zeros(0, 4),
        DMatrix::zeros(4, 4),
        DMatrix::zeros(4, 1),
    )
    .unwrap_err();
    assert_eq!(err, Error::EmptyDimension { what: "input" });
    let err = DynRnn::<f64>::from_seed(2, 0, 1, 0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the network needs at least one hidden unit"
    );
}

#[test]
fn non_finite_weights_are_errors() {
    let mut w_hh = DMatrix::zeros(4, 4);
    w_hh[(1, 2)] = f64::NAN;
    let err =
        DynRnn::<f64>::from_weights(DMatrix::zeros(2, 4), w_hh, DMatrix::zeros(4, 1)).unwrap_err();
    assert_eq!(err, Error::NonFinite { what: "weight" });
}

#[test]
fn learning_rates_must_be_finite_and_positive() {
    assert_eq!(
        Sgd::new(f64::NAN),
        Err(Error::NonFinite {
            what: "learning rate"
        })
    );
    assert_eq!(
        Sgd::new(f64::INFINITY),
        Err(Error::NonFinite {
            what: "learning rate"
        })
    );
    assert_eq!(Sgd::new(0.0), Err(Error::LearningRate { value: 0.0 }));
    assert_eq!(Sgd::new(-0.5_f32), Err(Error::LearningRate { value: -0.5 }));
    let config = AdderConfig {
        learning_rate: f64::NEG_INFINITY,
        ..AdderConfig::default()
    };
    assert!(AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(0), &config).is_err());
    assert!(const_rnn::train(&config).is_err());
}

#[test]
fn non_finite_inputs_or_targets_are_errors() {
    let net = Rnn::<2, 4, 1>::from_seed(0);
    let mut workspace = Workspace::new(&net, 3);
    let inputs = [
        Vector2::zeros(),
        Vector2::new(f64::NAN, 0.0),
        Vector2::zeros(),
    ];
    let err = net
        .backprop(&inputs, &[Vector1::zeros(); 3], &mut workspace)
        .unwrap_err();
    assert_eq!(err, Error::NonFinite { what: "input" });
    let targets = [
        Vector1::zeros(),
        Vector1::new(f64::INFINITY),
        Vector1::zeros(),
    ];
    let err = net
        .backprop(&[Vector2::zeros(); 3], &targets, &mut workspace)
        .unwrap_err();
    assert_eq!(err.to_string(), "the target is not finite");
}

#[test]
fn sum_bits_outside_the_supported_range_are_errors() {
    for sum_bits in [0, 1, 130, usize::MAX] {
        let config = AdderConfig {
            sum_bits,
            ..AdderConfig::default()
        };
        assert_eq!(config.validate(), Err(Error::SumBits { sum_bits }));
        assert!(AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(0), &config).is_err());
    }
    assert_eq!(
        AdderConfig::for_width(usize::MAX).validate(),
        Err(Error::SumBits {
            sum_bits: usize::MAX
        })
    );
    assert!(AdderConfig::for_width(128).validate().is_ok());
}

#[test]
fn adders_need_two_inputs_and_one_output() {
    for (inputs, outputs) in [(1, 1), (3, 1), (2, 2)] {
        let net = DynRnn::<f64>::from_seed(inputs, 4, outputs, 0).unwrap();
        assert!(matches!(
            Adder::<nalgebra::Dyn>::from_network(&net),
            Err(Error::ShapeMismatch { .. })
        ));
        assert!(AdderTrainer::new(net, &AdderConfig::default()).is_err());
    }
    assert!(
        Adder::<nalgebra::Dyn>::from_network(&DynRnn::<f64>::from_seed(2, 4, 1, 0).unwrap())
            .is_ok()
    );
}

#[test]
fn too_wide_operands_are_errors() {
    let adder = Adder::new(Rnn::<2, 16, 1>::from_seed(0));
    assert_eq!(
        adder.add::<8>(256, 0),
        Err(Error::TooWide {
            value: 256,
            width: 8
        })
    );
    assert_eq!(
        adder.add::<8>(0, 300),
        Err(Error::TooWide {
            value: 300,
            width: 8
        })
    );
    assert_eq!(
        adder.add::<1>(2, 0),
        Err(Error::TooWide { value: 2, width: 1 })
    );
    assert!(adder.add::<127>(1 << 127, 0).is_err());
}
