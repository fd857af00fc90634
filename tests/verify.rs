//! The verifier finds real wrong sums, the smallest first, agrees with `add`
//! to the bit, and the default recipe returns adders it cannot fault.

use const_rnn::{
    Adder, AdderConfig, AdderTrainer, Counterexample, Coverage, Error, Rnn, train, train_plain,
    verify,
};
use proptest::prelude::*;

use crate::adder::{default_adder, plain_adder};

/// `a + b` for `width`-bit operands, as `Adder::add` reports it.
fn true_sum(width: usize, a: u128, b: u128) -> (u128, bool) {
    let (low, carry) = a.overflowing_add(b);
    if width == 128 {
        (low, carry)
    } else {
        (low & (u128::MAX >> (128 - width)), low >> width == 1)
    }
}

/// Only the exhaustive part of the coverage, up to `bits` bits.
fn exhaustive_only(bits: usize) -> Coverage {
    Coverage {
        exhaustive_bits: bits,
        run_prefix_pairs: 0,
        run_suffix_pairs: 0,
        max_bits: 1,
        random_pairs: 0,
        seed: 0,
    }
}

/// Asserts that `counterexample` is a sum `adder` really gets wrong, as it says.
fn assert_real(adder: &Adder, counterexample: &Counterexample) {
    let Counterexample {
        width,
        a,
        b,
        network,
        expected,
    } = *counterexample;
    assert_eq!(expected, true_sum(width, a, b), "{counterexample}");
    assert_eq!(
        adder.add_width(width, a, b).unwrap(),
        network,
        "{counterexample}"
    );
    assert_ne!(network, expected, "{counterexample}");
}

/// The smallest wrong sum of widths up to `bits`, by `add` itself: width, then `a`, then `b`.
fn smallest_wrong_by_brute_force(adder: &Adder, bits: usize) -> Option<(usize, u128, u128)> {
    (1..=bits).find_map(|width| {
        let max = u128::MAX >> (128 - width);
        (0..=max).find_map(|a| {
            (0..=max)
                .find(|&b| adder.add_width(width, a, b).unwrap() != true_sum(width, a, b))
                .map(|b| (width, a, b))
        })
    })
}

#[test]
fn verifier_finds_a_real_counterexample_in_the_seeds_plain_network() {
    let adder = plain_adder();
    let report = verify(adder, &Coverage::default()).unwrap();
    let counterexample = report
        .counterexample
        .expect("seed 0's plain network is wrong somewhere");
    assert_real(adder, &counterexample);
    // It is the smallest: every narrower sum, and every smaller pair of its width, is right.
    let width = counterexample.width;
    assert_eq!(
        smallest_wrong_by_brute_force(adder, width),
        Some((width, counterexample.a, counterexample.b))
    );
}

#[test]
fn verifier_and_add_agree_on_the_smallest_wrong_sum() {
    // Networks part way through the seed's training, wrong at various widths.
    for (seed, samples) in [
        (0, 500),
        (0, 2_000),
        (1, 4_000),
        (2, 6_000),
        (3, 8_000),
        (0, 10_000),
    ] {
        let adder = train_plain(&AdderConfig {
            seed,
            samples,
            ..AdderConfig::default()
        })
        .unwrap();
        let found = verify(&adder, &exhaustive_only(7)).unwrap().counterexample;
        assert_eq!(
            found.map(|c| (c.width, c.a, c.b)),
            smallest_wrong_by_brute_force(&adder, 7),
            "seed {seed}, {samples} samples"
        );
        if let Some(counterexample) = found {
            assert_real(&adder, &counterexample);
        }
    }
}

#[test]
fn verifier_counts_every_pair_of_the_exhaustive_part() {
    let report = verify(default_adder(), &exhaustive_only(8)).unwrap();
    assert!(report.is_verified());
    let pairs: u64 = (1..=8).map(|width| 4_u64.pow(width)).sum();
    assert_eq!(report.counts.exhaustive_sums, pairs);
    assert_eq!((report.counts.run_sums, report.counts.random_sums), (0, 0));
}

#[test]
fn verifier_is_deterministic() {
    let coverage = Coverage::quick();
    for adder in [plain_adder(), default_adder()] {
        let (first, second) = (
            verify(adder, &coverage).unwrap(),
            verify(adder, &coverage).unwrap(),
        );
        assert_eq!(first, second);
    }
}

#[test]
fn default_network_passes_the_full_coverage() {
    let report = verify(default_adder(), &Coverage::default()).unwrap();
    assert!(report.is_verified(), "{:?}", report.counterexample);
    assert_eq!(default_adder().verified(), Some(&report));
    let pairs: u64 = (1..=12).map(|width| 4_u64.pow(width)).sum();
    assert_eq!(report.counts.exhaustive_sums, pairs);
    assert_eq!(report.counts.random_sums, 100_000);
}

#[test]
fn the_programs_quickly_gated_network_is_the_default_network() {
    // `const-rnn add` trains with the quick gate to answer fast; it must be the
    // same network that the full gate passes.
    let quick = train(&AdderConfig {
        gate: Coverage::quick(),
        ..AdderConfig::default()
    })
    .unwrap();
    assert_eq!(quick.network(), default_adder().network());
    assert_eq!(quick.samples(), default_adder().samples());
}

#[test]
fn a_budget_that_runs_out_is_an_error_with_a_real_counterexample() {
    // Seed 0's plain network is wrong, and a budget of its 10,000 samples leaves no room to mend it.
    let config = AdderConfig {
        budget: 10_000,
        ..AdderConfig::default()
    };
    match train(&config) {
        Err(Error::Unverified {
            samples,
            counterexample,
        }) => {
            assert_eq!(samples, 10_000);
            assert_real(plain_adder(), &counterexample);
        }
        other => panic!("expected Unverified, got {other:?}"),
    }
}

#[test]
fn verifier_catches_a_network_wrong_only_after_a_long_run() {
    // Seed 15's network after the seed's recipe: right on every sum of up to
    // 12 bits, wrong on carry chains far longer than anything it trained on.
    let adder = train_plain(&AdderConfig {
        seed: 15,
        ..AdderConfig::default()
    })
    .unwrap();
    assert_eq!(smallest_wrong_by_brute_force(&adder, 8), None);
    let ones = (1 << 48) - 1;
    assert_ne!(
        adder.add_width(48, ones, 1).unwrap(),
        (0, true),
        "(2^48 - 1) + 1"
    );
    // The verifier finds a wrong sum, wider than its exhaustive part, and a real one.
    let report = verify(&adder, &Coverage::default()).unwrap();
    let counterexample = report.counterexample.expect("a wrong sum is found");
    assert!(counterexample.width > 12, "{counterexample}");
    assert_real(&adder, &counterexample);
}

#[test]
fn bad_coverage_is_an_error() {
    let adder = default_adder();
    for coverage in [
        Coverage {
            max_bits: 0,
            ..Coverage::default()
        },
        Coverage {
            max_bits: 129,
            ..Coverage::default()
        },
        Coverage {
            exhaustive_bits: 15,
            ..Coverage::default()
        },
        Coverage {
            run_prefix_pairs: 7,
            ..Coverage::default()
        },
        Coverage {
            run_suffix_pairs: 5,
            ..Coverage::default()
        },
    ] {
        assert!(
            matches!(verify(adder, &coverage), Err(Error::Coverage { .. })),
            "{coverage:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3))]

    #[test]
    fn default_recipe_returns_a_verified_adder_for_any_seed(
        seed in any::<u64>(),
        operands in proptest::collection::vec((1..=128_usize, any::<u128>(), any::<u128>()), 200),
    ) {
        let adder = train(&AdderConfig { seed, ..AdderConfig::default() }).unwrap();
        prop_assert!(adder.verified().is_some());
        for (width, a, b) in operands {
            let mask = u128::MAX >> (128 - width);
            let (a, b) = (a & mask, b & mask);
            prop_assert_eq!(adder.add_width(width, a, b).unwrap(), true_sum(width, a, b));
        }
    }
}

#[test]
fn a_verified_adder_records_its_training() {
    let config = AdderConfig {
        gate: Coverage::quick(),
        ..AdderConfig::default()
    };
    let mut trainer = AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(0), &config).unwrap();
    for _ in 0..config.samples {
        trainer.train_sample().unwrap();
    }
    let adder = trainer.into_verified_adder(&config).unwrap();
    assert!(
        adder.samples() > config.samples,
        "seed 0 needs more than the seed's samples"
    );
    assert!(adder.verified().unwrap().is_verified());
}
