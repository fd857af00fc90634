//! Models as Rust constants: `Adder::to_rust`, `Rnn::from_columns` and the
//! file `export --rust` writes for the default model, compiled in here.

use const_rnn::{Adder, AdderConfig, DynRnn, Error, Rnn, Status, train};
use nalgebra::{Dyn, U16};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::weight_bits;

// `const-rnn export --rust` of the default model (`train --save`); the CLI
// tests check that the program still writes exactly this file.
include!("data/adder.rs");

/// The weights written in `source`, in order, as the literals the compiler reads.
fn weights_in(source: &str) -> Vec<&str> {
    let body = &source[source.find("from_columns(").unwrap()..];
    body.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .flat_map(|line| line.split(['[', ']', ',']))
        .map(str::trim)
        .filter(|token| token.starts_with(|c: char| c.is_ascii_digit() || c == '-'))
        .collect()
}

#[test]
fn the_exported_constant_is_the_default_adder_to_the_bit() {
    let trained = train(&AdderConfig::default()).unwrap();
    assert_eq!(trained.status(), Status::Proven);
    assert_eq!(weight_bits(&ADDER), weight_bits(trained.network()));
    assert_eq!(ADDER.fingerprint(), trained.network().fingerprint());
    let constant = Adder::new(ADDER);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for _ in 0..2_000 {
        let (a, b) = (rng.random::<u128>(), rng.random::<u128>());
        let width = rng.random_range(1..=128);
        let (a, b) = (a >> (128 - width), b >> (128 - width));
        assert_eq!(
            constant.add_width(width, a, b),
            trained.add_width(width, a, b)
        );
        assert_eq!(constant.trace(width, a, b), trained.trace(width, a, b));
    }
    // The library writes the same constant the program wrote.
    let source = trained.to_rust("ADDER").unwrap();
    let file = include_str!("data/adder.rs");
    assert!(file.ends_with(&source), "data/adder.rs is stale:\n{source}");
}

#[test]
fn to_rust_writes_every_weight_to_the_bit_at_any_size_and_scalar() {
    let dynamic: Adder<Dyn> = Adder::new(
        DynRnn::<f64>::from_seed(2, 5, 1, 3)
            .unwrap()
            .reshape()
            .unwrap(),
    );
    let source = dynamic.to_rust("FIVE_UNITS").unwrap();
    assert!(source.contains("pub const FIVE_UNITS: const_rnn::Rnn<2, 5, 1> ="));
    assert!(source.contains("const_rnn::Rnn::<2, 5, 1>::from_columns("));
    assert!(source.contains("// Status: unchecked"));
    let written: Vec<u64> = weights_in(&source)
        .iter()
        .map(|w| w.parse::<f64>().unwrap().to_bits())
        .collect();
    assert_eq!(written, weight_bits(dynamic.network()));

    let single = Adder::new(Rnn::<2, 8, 1, f32>::from_seed(1));
    let source = single.to_rust("SINGLE").unwrap();
    assert!(source.contains("pub const SINGLE: const_rnn::Rnn<2, 8, 1, f32> ="));
    // An f32 literal is read as the nearest f32, so parse it as one.
    let written: Vec<u32> = weights_in(&source)
        .iter()
        .map(|w| w.parse::<f32>().unwrap().to_bits())
        .collect();
    let [w_ih, w_hh, w_ho] = single.network().weights();
    let weights: Vec<u32> = [w_ih, w_hh, w_ho]
        .concat()
        .iter()
        .map(|w| w.to_bits())
        .collect();
    assert_eq!(written, weights);
}

#[test]
fn from_columns_builds_the_network_the_columns_describe() {
    let net = Rnn::<2, 16, 1>::from_seed(4);
    let [w_ih, w_hh, w_ho] = net.weights();
    let columns = |w: &[f64], rows: usize| -> Vec<Vec<f64>> {
        w.chunks_exact(rows).map(<[f64]>::to_vec).collect()
    };
    let w_ih: [[f64; 2]; 16] =
        std::array::from_fn(|c| columns(w_ih, 2)[c].clone().try_into().unwrap());
    let w_hh: [[f64; 16]; 16] =
        std::array::from_fn(|c| columns(w_hh, 16)[c].clone().try_into().unwrap());
    let w_ho: [[f64; 16]; 1] = [w_ho.try_into().unwrap()];
    assert_eq!(Rnn::<2, 16, 1>::from_columns(w_ih, w_hh, w_ho), Some(net));
    let mut bad = w_hh;
    bad[3][7] = f64::INFINITY;
    assert_eq!(Rnn::<2, 16, 1>::from_columns(w_ih, bad, w_ho), None);
    bad[3][7] = f64::NAN;
    assert_eq!(Rnn::<2, 16, 1>::from_columns(w_ih, bad, w_ho), None);
}

#[test]
fn a_constant_name_that_is_not_upper_case_is_refused() {
    let adder: Adder<U16> = Adder::new(Rnn::<2, 16, 1>::from_seed(0));
    for name in [
        "", "_", "adder", "Adder", "1ADDER", "ADD-ER", "ADD ER", "ÄDDER",
    ] {
        let err = adder.to_rust(name).unwrap_err();
        assert_eq!(
            err,
            Error::ConstantName {
                name: name.to_owned()
            }
        );
        assert!(
            err.to_string().contains("is not a constant's name"),
            "{err}"
        );
    }
    for name in ["ADDER", "_ADDER", "ADDER_16", "A"] {
        assert!(adder.to_rust(name).is_ok(), "{name}");
    }
}
