//! Searches seeds for a proven adder of few hidden units, below the sizes
//! the default recipe trains: plain training with Adam at 0.03, checked
//! every 10,000 samples on every sum of two 8-bit operands, then verified
//! and proven.
//!
//! ```text
//! cargo run --release --example small_search -- 3 0..100 [--save first.json]
//! ```
//!
//! At 3 hidden units (the fewest an adder can have) it proves 7 of seeds 0
//! to 99 within 300,000 samples each, seed 5 first; at 2, none adds.

use std::process::ExitCode;

use const_rnn::{
    Adder, AdderConfig, AdderTrainer, Coverage, DynRnn, Error, Init, ProofConfig, TrainingRecord,
    Verdict, prove, verify,
};
use nalgebra::Dyn;

/// The most samples a seed trains on.
const SAMPLES: usize = 300_000;
/// Samples between checks.
const CHECK_EVERY: usize = 10_000;

/// Whether `adder` gets every sum of two 8-bit operands right.
fn adds_bytes(adder: &Adder<Dyn>) -> Result<bool, Error> {
    for a in 0..256_u128 {
        for b in 0..256_u128 {
            let (sum, carry) = adder.add::<8>(a, b)?;
            if sum + (u128::from(carry) << 8) != a + b {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// The training settings: `AdderConfig::adam` (the program's `--optimizer adam`), seeded by `seed`.
fn settings(seed: u64) -> AdderConfig {
    AdderConfig {
        seed,
        ..AdderConfig::adam()
    }
}

/// Trains seed `seed` at `hidden` units; the adder once it is proven.
fn search(hidden: usize, seed: u64) -> Result<Option<(Adder<Dyn>, usize)>, Error> {
    let config = settings(seed);
    let network = DynRnn::from_seed_with(2, hidden, 1, seed, Init::Uniform)?;
    let mut trainer = AdderTrainer::new(network, &config)?;
    for checked in (CHECK_EVERY..=SAMPLES).step_by(CHECK_EVERY) {
        for _ in 0..CHECK_EVERY {
            if trainer.train_sample().is_err() {
                return Ok(None); // diverged
            }
        }
        let adder = Adder::<Dyn>::from_network(trainer.network())?;
        if adds_bytes(&adder)?
            && verify(&adder, &Coverage::default())?.is_verified()
            && matches!(prove(&adder, &ProofConfig::default())?, Verdict::Proven(_))
        {
            return Ok(Some((adder, checked)));
        }
    }
    Ok(None)
}

fn run(args: &[String]) -> Result<bool, String> {
    let usage = "usage: small_search HIDDEN A..B [--save FILE]";
    let (hidden, range, save) = match args {
        [hidden, range] => (hidden, range, None),
        [hidden, range, flag, file] if flag == "--save" => (hidden, range, Some(file)),
        _ => return Err(usage.into()),
    };
    let hidden: usize = hidden.parse().map_err(|_| usage.to_string())?;
    let (from, to) = range
        .split_once("..")
        .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)))
        .ok_or_else(|| usage.to_string())?;
    let mut proven = 0;
    for seed in from..to {
        match search(hidden, seed).map_err(|e| e.to_string())? {
            Some((adder, samples)) => {
                proven += 1;
                println!("seed {seed}: proven after {samples} samples");
                if let Some(file) = save.filter(|_| proven == 1) {
                    let record = TrainingRecord::new("small_search", &settings(seed), &adder);
                    let record = TrainingRecord { samples, ..record };
                    adder
                        .network()
                        .save(file, Some(&record))
                        .map_err(|e| e.to_string())?;
                }
            }
            None => println!("seed {seed}: not proven within {SAMPLES} samples"),
        }
    }
    println!(
        "hidden {hidden}: proven {proven}/{}",
        to.saturating_sub(from)
    );
    Ok(proven > 0)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}
