//! Model files: a round trip is bit-identical; anything else is an error, never
//! a different model; a failed save leaves the old file whole.

use std::path::PathBuf;
use std::sync::OnceLock;

use const_rnn::{
    AdderConfig, DynRnn, Error, Init, OptimizerKind, Rnn, TrainingRecord, train_plain,
};
use proptest::prelude::*;

use crate::adder::default_adder;
use crate::weight_bits;

/// A fresh path in the system's temporary folder, for one test.
fn temporary(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("const-rnn-test-{}-{name}", std::process::id()))
}

/// The default network and its training record, as a model file's text.
fn saved_default() -> &'static (String, TrainingRecord) {
    static SAVED: OnceLock<(String, TrainingRecord)> = OnceLock::new();
    SAVED.get_or_init(|| {
        let record = TrainingRecord::new("default", &AdderConfig::default(), default_adder());
        (default_adder().network().to_json(Some(&record)), record)
    })
}

#[test]
fn a_round_trip_through_a_file_is_bit_identical() {
    let (_, record) = saved_default();
    let network = default_adder().network();
    let path = temporary("round-trip.json");
    network.save(&path, Some(record)).unwrap();
    let (loaded, loaded_record) = Rnn::<2, 16, 1>::load(&path).unwrap();
    assert_eq!(weight_bits(&loaded), weight_bits(network));
    assert_eq!(loaded_record.as_ref(), Some(record));
    assert!(record.verified.is_some());
    // The same file loads into a network with run-time sizes, taken from the file.
    let (dynamic, _) = DynRnn::<f64>::load(&path).unwrap();
    assert_eq!(weight_bits(&dynamic), weight_bits(network));
    std::fs::remove_file(&path).unwrap();

    let small = Rnn::<2, 3, 1, f32>::from_seed(9);
    let (loaded, none) = Rnn::<2, 3, 1, f32>::from_json(&small.to_json(None)).unwrap();
    assert_eq!((weight_bits(&loaded), none), (weight_bits(&small), None));
}

#[test]
fn the_record_keeps_the_optimiser_batch_and_initialiser() {
    let config = AdderConfig {
        optimizer: OptimizerKind::adam(),
        learning_rate: 0.05,
        batch: 3,
        init: Init::XavierNormal,
        samples: 50,
        ..AdderConfig::default()
    };
    let adder = train_plain(&config).unwrap();
    let record = TrainingRecord::new("plain", &config, &adder);
    let text = adder.network().to_json(Some(&record));
    assert!(text.contains("\"adam\""), "{text}");
    let (_, loaded) = Rnn::<2, 16, 1>::from_json(&text).unwrap();
    let loaded = loaded.unwrap();
    assert_eq!(loaded, record);
    assert_eq!(
        (loaded.optimizer, loaded.batch, loaded.init),
        (OptimizerKind::adam(), 3, Init::XavierNormal)
    );
    // The weights drawn again by the recipe are recorded, and only then.
    assert!(!text.contains("restarts"), "{text}");
    let restarted = TrainingRecord {
        restarts: 2,
        ..record
    };
    let text = adder.network().to_json(Some(&restarted));
    assert!(text.contains("\"restarts\": 2"), "{text}");
    let (_, loaded) = Rnn::<2, 16, 1>::from_json(&text).unwrap();
    assert_eq!(loaded.unwrap().restarts, 2);
}

#[test]
fn the_record_names_what_the_default_initialiser_drew() {
    // `Init::BySize` is the seed's uniform at 16 units (not written, as
    // before it existed) and Xavier uniform above.
    let config = AdderConfig::default();
    assert_eq!(config.init, Init::BySize);
    let (text, record) = saved_default();
    assert_eq!(record.init, Init::Uniform);
    assert!(!text.contains("\"init\""), "{text}");
    let large = const_rnn::Adder::new(Rnn::<2, 32, 1>::from_seed_with(5, config.init));
    let record = TrainingRecord::new("plain", &config, &large);
    assert_eq!(record.init, Init::XavierUniform);
    assert_eq!(
        large.network(),
        &Rnn::<2, 32, 1>::from_seed_with(5, Init::XavierUniform)
    );
    let text = large.network().to_json(Some(&record));
    assert!(text.contains("\"init\": \"xavier-uniform\""), "{text}");
}

#[test]
fn files_from_before_optimisers_load_as_sgd_and_write_back_the_same() {
    // Written by the release before optimisers, batches and initialisers existed.
    let old = include_str!("data/model-before-optimisers.json");
    let (network, record) = Rnn::<2, 16, 1>::from_json(old).unwrap();
    let record = record.unwrap();
    assert_eq!((record.recipe.as_str(), record.samples), ("plain", 300));
    assert_eq!(
        (record.optimizer, record.batch, record.init),
        (OptimizerKind::Sgd, 1, Init::Uniform)
    );
    assert_eq!(network.to_json(Some(&record)), old.trim_end());
}

#[test]
fn files_that_do_not_fit_are_clear_errors() {
    let (text, _) = saved_default();
    let error = |result: Result<_, Error>| {
        result
            .map(|_: (Rnn<2, 16, 1>, _)| ())
            .unwrap_err()
            .to_string()
    };
    let other_version = text.replacen("\"version\": 1", "\"version\": 2", 1);
    assert!(error(Rnn::from_json(&other_version)).contains("format version 2 is not supported"));
    assert!(error(Rnn::from_json(&text[..text.len() - 10])).starts_with("not a valid model file"));
    assert!(error(Rnn::from_json("")).starts_with("not a valid model file"));
    let nan = text.replacen(
        &format!("{:?}", default_adder().network().w_hh()[(0, 0)]),
        "NaN",
        1,
    );
    assert!(error(Rnn::from_json(&nan)).starts_with("not a valid model file"));
    let changed = text.replacen("\"seed\": 0", "\"seed\": 1", 1);
    assert!(error(Rnn::from_json(&changed)).contains("checksum"));
    // Shapes that disagree with the type, and a scalar type that is not the file's.
    let shapes = Rnn::<2, 8, 1>::from_json(text).unwrap_err();
    assert!(matches!(shapes, Error::ShapeMismatch { .. }), "{shapes}");
    let scalar = Rnn::<2, 16, 1, f32>::from_json(text).unwrap_err();
    assert!(
        scalar.to_string().contains("the weights are f64, not f32"),
        "{scalar}"
    );
    let missing = Rnn::<2, 16, 1>::load(temporary("no-such-file.json")).unwrap_err();
    assert!(matches!(missing, Error::Io { .. }), "{missing}");
}

#[test]
fn a_failed_save_leaves_the_old_file_whole() {
    let path = temporary("interrupted.json");
    let old = Rnn::<2, 4, 1>::from_seed(1);
    old.save(&path, None).unwrap();
    // The save writes `<path>.tmp` first: a folder in its way makes the write fail.
    let mut in_the_way = path.clone().into_os_string();
    in_the_way.push(".tmp");
    std::fs::create_dir(&in_the_way).unwrap();
    let new = Rnn::<2, 4, 1>::from_seed(2);
    assert!(matches!(new.save(&path, None), Err(Error::Io { .. })));
    assert_eq!(Rnn::<2, 4, 1>::load(&path).unwrap().0, old);
    std::fs::remove_dir(&in_the_way).unwrap();
    new.save(&path, None).unwrap();
    assert_eq!(Rnn::<2, 4, 1>::load(&path).unwrap().0, new);
    std::fs::remove_file(&path).unwrap();
}

/// Loading `text` gives an error or exactly the default network and record.
fn error_or_original(text: &str) -> Result<(), TestCaseError> {
    let (_, record) = saved_default();
    if let Ok((network, loaded)) = Rnn::<2, 16, 1>::from_json(text) {
        prop_assert_eq!(
            weight_bits(&network),
            weight_bits(default_adder().network())
        );
        prop_assert_eq!(loaded.as_ref(), Some(record));
    }
    if let Ok((network, _)) = DynRnn::<f64>::from_json(text) {
        prop_assert_eq!(
            weight_bits(&network),
            weight_bits(default_adder().network())
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_are_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        prop_assert!(Rnn::<2, 16, 1>::from_json(&text).is_err());
        prop_assert!(DynRnn::<f64>::from_json(&text).is_err());
    }

    #[test]
    fn a_truncated_file_is_an_error(fraction in 0.0..1.0_f64) {
        let (text, _) = saved_default();
        let cut = ((text.len() as f64) * fraction) as usize;
        prop_assert!(Rnn::<2, 16, 1>::from_json(&text[..cut]).is_err());
    }

    #[test]
    fn a_flipped_byte_is_an_error_or_changes_nothing(position in 0.0..1.0_f64, flip in 1..=255_u8) {
        let (text, _) = saved_default();
        let mut bytes = text.clone().into_bytes();
        let at = ((bytes.len() as f64) * position) as usize;
        bytes[at] ^= flip;
        error_or_original(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn a_changed_number_is_an_error(position in 0.0..1.0_f64, digit in 0..10_u8) {
        let (text, _) = saved_default();
        let mut bytes = text.clone().into_bytes();
        let start = ((bytes.len() as f64) * position) as usize;
        if let Some(offset) = bytes[start..].iter().position(u8::is_ascii_digit) {
            bytes[start + offset] = b'0' + digit;
            error_or_original(&String::from_utf8_lossy(&bytes))?;
        }
    }
}

#[test]
fn swapped_shapes_are_an_error() {
    let (text, _) = saved_default();
    let swapped = text
        .replacen("\"inputs\": 2", "\"inputs\": 16", 1)
        .replacen("\"hidden\": 16", "\"hidden\": 2", 1);
    assert!(DynRnn::<f64>::from_json(&swapped).is_err());
    assert!(Rnn::<2, 16, 1>::from_json(&swapped).is_err());
}
