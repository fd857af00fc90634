//! Optimisers against updates computed by hand, the generic training loop's
//! batches and clipping, and the weight initialisers.

use const_rnn::{
    Adam, AdderConfig, AdderTrainer, DynRnn, Error, Init, Momentum, Optimizer, OptimizerKind, Rnn,
    SequenceTrainer, Sgd, Workspace,
};
use nalgebra::{Vector1, Vector2};

/// One optimiser step on three weights (one per matrix slot) with the given gradients.
fn step(optimizer: &mut impl Optimizer<f64>, weights: &mut [f64; 3], gradients: [f64; 3]) {
    let [a, b, c] = weights;
    optimizer
        .step(
            [
                std::slice::from_mut(a),
                std::slice::from_mut(b),
                std::slice::from_mut(c),
            ],
            [&gradients[0..1], &gradients[1..2], &gradients[2..3]],
        )
        .unwrap();
}

fn assert_close(found: &[f64; 3], expected: [f64; 3]) {
    for (f, e) in found.iter().zip(expected) {
        assert!((f - e).abs() < 1e-12, "{found:?} against {expected:?}");
    }
}

#[test]
fn sgd_moves_each_weight_by_rate_times_gradient() {
    let mut sgd = Sgd::new(0.5).unwrap();
    let mut w = [1.0, -2.0, 0.25];
    step(&mut sgd, &mut w, [0.2, -1.0, 0.0]);
    assert_close(&w, [0.9, -1.5, 0.25]);
}

#[test]
fn momentum_accumulates_velocity() {
    // v1 = g1, w1 = w0 - r v1; v2 = μ v1 + g2, w2 = w1 - r v2.
    let (rate, mu) = (0.1, 0.9);
    let mut momentum = Momentum::new(rate, mu, false).unwrap();
    let mut w = [1.0, 1.0, 1.0];
    step(&mut momentum, &mut w, [1.0, -2.0, 0.5]);
    assert_close(&w, [0.9, 1.2, 0.95]);
    step(&mut momentum, &mut w, [1.0, 0.0, -0.5]);
    // v2 = (1.9, -1.8, -0.05)
    assert_close(&w, [0.9 - 0.19, 1.2 + 0.18, 0.95 + 0.005]);
}

#[test]
fn nesterov_looks_ahead() {
    // v = μ v + g; w -= r (g + μ v).
    let (rate, mu) = (0.1, 0.9);
    let mut nesterov = Momentum::new(rate, mu, true).unwrap();
    let mut w = [0.0, 0.0, 0.0];
    step(&mut nesterov, &mut w, [1.0, 2.0, -1.0]);
    // v1 = g, step = g + 0.9 g = 1.9 g
    assert_close(&w, [-0.19, -0.38, 0.19]);
    step(&mut nesterov, &mut w, [1.0, 0.0, 0.0]);
    // v2 = (1.9, 1.8, -0.9); step = g2 + 0.9 v2 = (2.71, 1.62, -0.81)
    assert_close(&w, [-0.19 - 0.271, -0.38 - 0.162, 0.19 + 0.081]);
}

#[test]
fn adam_matches_its_formula_over_two_steps() {
    let (rate, b1, b2, eps) = (0.01, 0.9, 0.999, 1e-8);
    let mut adam = Adam::new(rate, b1, b2, eps).unwrap();
    let mut w = [0.5, 0.5, 0.5];
    let (g1, g2) = ([0.3, -2.0, 0.0], [0.1, 1.0, 0.4]);
    step(&mut adam, &mut w, g1);
    step(&mut adam, &mut w, g2);
    let mut expected = [0.5; 3];
    for k in 0..3 {
        let (mut m, mut v) = (0.0, 0.0);
        for (t, g) in [(1, g1[k]), (2, g2[k])] {
            m = b1 * m + (1.0 - b1) * g;
            v = b2 * v + (1.0 - b2) * g * g;
            let m_hat = m / (1.0 - f64::powi(b1, t));
            let v_hat = v / (1.0 - f64::powi(b2, t));
            expected[k] -= rate * m_hat / (v_hat.sqrt() + eps);
        }
    }
    assert_close(&w, expected);
}

#[test]
fn a_failing_update_changes_neither_weights_nor_state() {
    let mut adam = Adam::new(0.01, 0.9, 0.999, 1e-8).unwrap();
    let mut w = [0.5, 0.5, 0.5];
    step(&mut adam, &mut w, [1.0, 1.0, 1.0]);
    let (weights, state) = (w, adam.clone());
    // The square of 1e200 overflows: the update is refused whole.
    let [a, b, c] = &mut w;
    let err = adam.step(
        [
            std::slice::from_mut(a),
            std::slice::from_mut(b),
            std::slice::from_mut(c),
        ],
        [&[1e200], &[1.0], &[f64::NAN]],
    );
    assert!(matches!(err, Err(Error::NonFinite { .. })));
    assert_eq!(w, weights);
    assert_eq!(adam, state);

    let mut momentum = Momentum::new(0.1, 0.9, false).unwrap();
    let mut w = [f64::MAX, 0.0, 0.0];
    let [a, b, c] = &mut w;
    let err = momentum.step(
        [
            std::slice::from_mut(a),
            std::slice::from_mut(b),
            std::slice::from_mut(c),
        ],
        [&[-f64::MAX], &[1.0], &[1.0]],
    );
    assert!(err.is_err());
    assert_eq!(w, [f64::MAX, 0.0, 0.0]);
}

#[test]
fn mismatched_slices_are_errors() {
    let mut sgd = Sgd::new(0.1).unwrap();
    let mut w = [1.0, 2.0];
    let err = sgd.step([&mut w, &mut [], &mut []], [&[1.0], &[], &[]]);
    assert!(matches!(err, Err(Error::ShapeMismatch { .. })));
    assert_eq!(w, [1.0, 2.0]);

    // A stateful optimiser keeps its first shape.
    let mut adam = Adam::new(0.1, 0.9, 0.999, 1e-8).unwrap();
    adam.step([&mut [1.0], &mut [], &mut []], [&[1.0], &[], &[]])
        .unwrap();
    let err = adam.step([&mut [1.0, 2.0], &mut [], &mut []], [&[1.0, 1.0], &[], &[]]);
    assert!(matches!(err, Err(Error::ShapeMismatch { .. })));
}

#[test]
fn bad_hyperparameters_are_errors() {
    assert!(Momentum::new(0.1, -0.1, false).is_err());
    assert!(Momentum::new(f64::NAN, 0.9, false).is_err());
    assert!(Adam::new(0.1, 1.0, 0.999, 1e-8).is_err());
    assert!(Adam::new(0.1, 0.9, f64::INFINITY, 1e-8).is_err());
    assert!(Adam::new(0.1, 0.9, 0.999, -1.0).is_err());
    assert!(
        OptimizerKind::Adam {
            beta1: 2.0,
            beta2: 0.9,
            epsilon: 1e-8
        }
        .build::<f64>(0.1)
        .is_err()
    );
    let config = AdderConfig {
        batch: 0,
        ..AdderConfig::default()
    };
    assert!(matches!(config.validate(), Err(Error::Zero { .. })));
}

fn one_sequence() -> ([Vector2<f64>; 3], [Vector1<f64>; 3]) {
    (
        [
            Vector2::new(1.0, 1.0),
            Vector2::new(1.0, 0.0),
            Vector2::new(0.0, 0.0),
        ],
        [Vector1::new(0.0), Vector1::new(0.0), Vector1::new(1.0)],
    )
}

#[test]
fn the_training_loop_with_batch_1_is_backprop_then_update() {
    let (inputs, targets) = one_sequence();
    let mut by_hand = Rnn::<2, 8, 1>::from_seed(3);
    let mut workspace = Workspace::new(&by_hand, 3);
    let mut sgd = Sgd::new(0.3).unwrap();
    let mut trainer = SequenceTrainer::new(by_hand.clone(), sgd);
    for _ in 0..20 {
        let expected = by_hand.backprop(&inputs, &targets, &mut workspace).unwrap();
        sgd.update(&mut by_hand, workspace.gradients()).unwrap();
        assert_eq!(trainer.train(&inputs, &targets).unwrap(), expected);
    }
    assert_eq!(trainer.network(), &by_hand);
}

#[test]
fn a_batch_updates_with_the_mean_gradient() {
    let (inputs, targets) = one_sequence();
    let (short_inputs, short_targets) = ([Vector2::new(0.0, 1.0)], [Vector1::new(1.0)]);
    let start = Rnn::<2, 4, 1>::from_seed(1);
    let mut trainer = SequenceTrainer::new(start.clone(), Sgd::new(0.5).unwrap())
        .with_batch(2)
        .unwrap();
    trainer.train(&inputs, &targets).unwrap();
    assert_eq!(trainer.network(), &start, "half a batch changes nothing");
    trainer.train(&short_inputs, &short_targets).unwrap();

    // By hand: both gradients at the start weights, averaged, one step.
    let mut workspace = Workspace::new(&start, 3);
    start.backprop(&inputs, &targets, &mut workspace).unwrap();
    let first: Vec<Vec<f64>> = workspace
        .gradients()
        .as_slices()
        .iter()
        .map(|s| s.to_vec())
        .collect();
    start
        .backprop(&short_inputs, &short_targets, &mut workspace)
        .unwrap();
    let mut expected = start.clone();
    for ((weights, a), b) in expected
        .weights_mut()
        .into_iter()
        .zip(&first)
        .zip(workspace.gradients().as_slices())
    {
        for ((w, ga), gb) in weights.iter_mut().zip(a).zip(b) {
            *w -= 0.5 * ((ga + gb) * 0.5);
        }
    }
    for (found, expected) in trainer.network().weights().iter().zip(expected.weights()) {
        for (f, e) in found.iter().zip(expected) {
            assert!((f - e).abs() < 1e-14, "{f} against {e}");
        }
    }
    assert_eq!(trainer.samples(), 2);
}

#[test]
fn clipping_shortens_long_gradients_only() {
    let (inputs, targets) = one_sequence();
    let start = Rnn::<2, 4, 1>::from_seed(2);
    let mut workspace = Workspace::new(&start, 3);
    start.backprop(&inputs, &targets, &mut workspace).unwrap();
    let norm = workspace.gradients().norm();
    let limit = norm / 4.0;
    let mut clipped = SequenceTrainer::new(start.clone(), Sgd::new(1.0).unwrap())
        .with_clip(limit)
        .unwrap();
    clipped.train(&inputs, &targets).unwrap();
    // The step taken has the limit's length.
    let moved: f64 = clipped
        .network()
        .weights()
        .iter()
        .zip(start.weights())
        .flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)))
        .sum::<f64>()
        .sqrt();
    assert!(
        (moved - limit).abs() < 1e-12 * norm,
        "{moved} against {limit}"
    );

    let mut loose = SequenceTrainer::new(start.clone(), Sgd::new(1.0).unwrap())
        .with_clip(norm * 2.0)
        .unwrap();
    let mut plain = SequenceTrainer::new(start, Sgd::new(1.0).unwrap());
    loose.train(&inputs, &targets).unwrap();
    plain.train(&inputs, &targets).unwrap();
    assert_eq!(loose.network(), plain.network());
}

#[test]
fn every_optimiser_trains_an_adder_that_solves_the_seeds_task() {
    for (optimizer, rate) in [
        (OptimizerKind::Sgd, 0.5),
        (OptimizerKind::nesterov(), 0.2),
        (OptimizerKind::adam_for_adders(), 0.1),
    ] {
        let config = AdderConfig {
            optimizer,
            learning_rate: rate,
            samples: 6_000,
            ..AdderConfig::default()
        };
        let adder = const_rnn::train_plain(&config).unwrap();
        for (a, b) in [(100, 27), (127, 127), (64, 63), (1, 126)] {
            assert_eq!(
                adder.add::<7>(a, b).unwrap(),
                (((a + b) & 127), a + b > 127),
                "{} at {rate}: {a} + {b}",
                optimizer.name()
            );
        }
    }
}

#[test]
fn batches_train_the_adder_too() {
    let config = AdderConfig {
        optimizer: OptimizerKind::adam(),
        learning_rate: 0.02,
        batch: 4,
        samples: 12_000,
        ..AdderConfig::default()
    };
    let mut trainer = AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(0), &config).unwrap();
    let mut last_exact = 0;
    for n in 0..config.samples {
        if trainer.train_sample().unwrap().is_exact() && n >= config.samples - 500 {
            last_exact += 1;
        }
    }
    assert!(last_exact > 450, "{last_exact}/500 exact at the end");
}

#[test]
fn initialisers_draw_in_their_ranges() {
    let uniform = Rnn::<2, 16, 1>::from_seed_with(9, Init::Uniform);
    assert_eq!(uniform, Rnn::<2, 16, 1>::from_seed(9));

    let xavier = Rnn::<2, 64, 1>::from_seed_with(9, Init::XavierUniform);
    let limit = (6.0_f64 / 128.0).sqrt();
    assert!(xavier.w_hh().iter().all(|w| w.abs() < limit));
    assert!(xavier.w_hh().iter().any(|w| w.abs() > 0.9 * limit));

    let normal = Rnn::<2, 64, 1>::from_seed_with(9, Init::XavierNormal);
    let n = normal.w_hh().len() as f64;
    let mean = normal.w_hh().iter().sum::<f64>() / n;
    let sd = (normal
        .w_hh()
        .iter()
        .map(|w| (w - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    let expected = (2.0_f64 / 128.0).sqrt();
    assert!(mean.abs() < 0.01, "{mean}");
    assert!(
        (sd / expected - 1.0).abs() < 0.05,
        "{sd} against {expected}"
    );

    let dynamic = DynRnn::<f64>::from_seed_with(2, 64, 1, 9, Init::XavierNormal).unwrap();
    assert_eq!(dynamic.w_hh().as_slice(), normal.w_hh().as_slice());
}

/// An optimiser that refuses every update.
#[derive(Debug)]
struct Refuses;

impl Optimizer<f64> for Refuses {
    fn step(&mut self, _: [&mut [f64]; 3], _: [&[f64]; 3]) -> Result<(), Error> {
        Err(Error::NonFinite { what: "test" })
    }
}

#[test]
fn a_refused_update_is_not_counted_and_changes_nothing() {
    let (inputs, targets) = one_sequence();
    let start = Rnn::<2, 4, 1>::from_seed(0);
    for batch in [1, 2, 3] {
        let mut trainer = SequenceTrainer::new(start.clone(), Refuses)
            .with_batch(batch)
            .unwrap();
        for _ in 1..batch {
            trainer.train(&inputs, &targets).unwrap();
        }
        assert_eq!(trainer.samples(), batch - 1);
        assert!(trainer.train(&inputs, &targets).is_err());
        assert_eq!(trainer.samples(), 0, "batch {batch}");
        assert_eq!(trainer.network(), &start);
    }
}
