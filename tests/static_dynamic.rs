//! `Rnn` and `DynRnn` are one implementation: from identical weights and
//! inputs they give bit-identical outputs, gradients and trained weights.

use const_rnn::{AdderConfig, AdderTrainer, DynRnn, Rnn, Workspace};
use nalgebra::{DVector, Vector1, Vector2};

use crate::{bits, weight_bits};

/// Trains a static and a dynamic network from the same seed side by side and
/// compares every sample's prediction and the final weights, bit for bit.
macro_rules! same_training {
    ($name:ident, $t:ty, $hidden:literal, $samples:expr) => {
        #[test]
        fn $name() {
            let config = AdderConfig {
                seed: 7,
                ..AdderConfig::default()
            };
            let fixed = Rnn::<2, $hidden, 1, $t>::from_seed(config.seed);
            let dynamic = DynRnn::<$t>::from_seed(2, $hidden, 1, config.seed).unwrap();
            assert_eq!(
                weight_bits(&fixed),
                weight_bits(&dynamic),
                "initial weights differ"
            );
            let mut fixed = AdderTrainer::new(fixed, &config).unwrap();
            let mut dynamic = AdderTrainer::new(dynamic, &config).unwrap();
            for sample in 0..$samples {
                let (f, d) = (
                    fixed.train_sample().unwrap(),
                    dynamic.train_sample().unwrap(),
                );
                assert_eq!(
                    (f.a, f.b, f.predicted),
                    (d.a, d.b, d.predicted),
                    "sample {sample}"
                );
                assert_eq!(f.error.to_bits(), d.error.to_bits(), "sample {sample}");
            }
            assert_eq!(weight_bits(fixed.network()), weight_bits(dynamic.network()));
        }
    };
}

same_training!(f64_hidden_1_trains_identically, f64, 1, 1_000);
same_training!(f64_hidden_2_trains_identically, f64, 2, 1_000);
same_training!(f64_hidden_3_trains_identically, f64, 3, 1_000);
same_training!(f64_hidden_5_trains_identically, f64, 5, 1_000);
same_training!(f64_hidden_8_trains_identically, f64, 8, 1_000);
same_training!(f64_hidden_16_trains_identically, f64, 16, 10_000);
same_training!(f64_hidden_17_trains_identically, f64, 17, 1_000);
same_training!(f64_hidden_32_trains_identically, f64, 32, 1_000);
same_training!(f64_hidden_64_trains_identically, f64, 64, 200);
same_training!(f32_hidden_16_trains_identically, f32, 16, 2_000);
same_training!(f32_hidden_64_trains_identically, f32, 64, 200);

#[test]
fn outputs_and_gradients_are_bit_identical() {
    let fixed = Rnn::<2, 16, 1>::from_seed(5);
    let dynamic = fixed.to_dynamic();
    let inputs: Vec<_> = (0..9)
        .map(|t| Vector2::new((t % 2) as f64, (t % 3 == 0) as u8 as f64))
        .collect();
    let targets: Vec<_> = (0..9)
        .map(|t| Vector1::new((t % 4 == 1) as u8 as f64))
        .collect();
    let dyn_inputs: Vec<_> = inputs
        .iter()
        .map(|v| DVector::from_column_slice(v.as_slice()))
        .collect();
    let dyn_targets: Vec<_> = targets
        .iter()
        .map(|v| DVector::from_column_slice(v.as_slice()))
        .collect();

    let fixed_outputs = fixed.run(&inputs).unwrap();
    let dynamic_outputs = dynamic.run(&dyn_inputs).unwrap();
    for (f, d) in fixed_outputs.iter().zip(&dynamic_outputs) {
        assert_eq!(bits(f.as_slice()), bits(d.as_slice()));
    }

    let mut fixed_workspace = Workspace::new(&fixed, 9);
    let mut dynamic_workspace = Workspace::new(&dynamic, 9);
    let fixed_loss = fixed
        .backprop(&inputs, &targets, &mut fixed_workspace)
        .unwrap();
    let dynamic_loss = dynamic
        .backprop(&dyn_inputs, &dyn_targets, &mut dynamic_workspace)
        .unwrap();
    assert_eq!(fixed_loss.to_bits(), dynamic_loss.to_bits());
    let (f, d) = (fixed_workspace.gradients(), dynamic_workspace.gradients());
    assert_eq!(bits(f.w_ih().as_slice()), bits(d.w_ih().as_slice()));
    assert_eq!(bits(f.w_hh().as_slice()), bits(d.w_hh().as_slice()));
    assert_eq!(bits(f.w_ho().as_slice()), bits(d.w_ho().as_slice()));
}

#[test]
fn f32_and_f64_networks_from_one_seed_agree_to_rounding() {
    let wide = Rnn::<2, 16, 1>::from_seed(2);
    let narrow = Rnn::<2, 16, 1, f32>::from_seed(2);
    for (w, n) in wide.w_hh().iter().zip(narrow.w_hh().iter()) {
        assert_eq!(*w as f32, *n);
    }
}
