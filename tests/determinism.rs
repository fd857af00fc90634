//! The same seed gives bit-identical weights; different seeds do not.

use const_rnn::{DynRnn, Rnn, TrainConfig, Trainer, train};

use crate::weight_bits;

#[test]
fn same_seed_gives_bit_identical_initial_weights() {
    let (a, b) = (
        Rnn::<2, 16, 1>::from_seed(42),
        Rnn::<2, 16, 1>::from_seed(42),
    );
    assert_eq!(weight_bits(&a), weight_bits(&b));
}

#[test]
fn same_seed_gives_bit_identical_trained_weights() {
    let config = TrainConfig {
        seed: 3,
        samples: 2_000,
        ..TrainConfig::default()
    };
    let (a, b) = (train(&config).unwrap(), train(&config).unwrap());
    assert_eq!(weight_bits(a.network()), weight_bits(b.network()));
}

#[test]
fn different_seeds_give_different_weights_and_operands() {
    assert_ne!(Rnn::<2, 16, 1>::from_seed(0), Rnn::<2, 16, 1>::from_seed(1));
    let operands = |seed| {
        let config = TrainConfig {
            seed,
            ..TrainConfig::default()
        };
        let mut trainer = Trainer::new(Rnn::<2, 16, 1>::from_seed(0), &config).unwrap();
        (0..20)
            .map(|_| {
                let sample = trainer.train_sample().unwrap();
                (sample.a, sample.b)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(operands(0), operands(0));
    assert_ne!(operands(0), operands(1));
}

#[test]
fn initial_weights_are_uniform_in_minus_one_to_one() {
    let net = DynRnn::<f64>::from_seed(2, 64, 1, 9).unwrap();
    let all: Vec<f64> = net
        .w_ih()
        .iter()
        .chain(net.w_hh().iter())
        .chain(net.w_ho().iter())
        .copied()
        .collect();
    assert!(all.iter().all(|w| (-1.0..1.0).contains(w)));
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    let below = all.iter().filter(|w| **w < 0.0).count() as f64 / all.len() as f64;
    // 4,288 draws: the mean of U[-1, 1) has standard deviation 0.009.
    assert!(mean.abs() < 0.05, "mean {mean}");
    assert!((below - 0.5).abs() < 0.05, "{below} below zero");
}

#[test]
fn training_samples_operands_below_half_the_sum_range() {
    let config = TrainConfig::default();
    let mut trainer = Trainer::new(Rnn::<2, 16, 1>::from_seed(0), &config).unwrap();
    let samples: Vec<_> = (0..2_000)
        .map(|_| trainer.train_sample().unwrap())
        .collect();
    assert!(samples.iter().all(|s| s.a < 128 && s.b < 128));
    // Uniform below 128: both halves of the range come up.
    assert!(samples.iter().any(|s| s.a >= 64) && samples.iter().any(|s| s.b < 64));
}
