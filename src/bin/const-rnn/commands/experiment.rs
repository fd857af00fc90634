//! The seed's experiment: `const-rnn` with no command.

use std::io::{self, Write};
use std::time::Instant;

use const_rnn::{Adder, AdderConfig, AdderTrainer, Rnn, decimal_sum};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::adders::{Solve, count_exact_pairs};
use crate::output::{Failure, restarted, write_verdict};
use crate::progress::{rounds_spinner, verify_with_spinner};

/// The seed's experiment: train, report every 1,000 samples, then summarise.
pub(crate) fn experiment(out: &mut impl Write, seed: u64) -> Result<(), Failure> {
    let config = AdderConfig {
        seed,
        ..AdderConfig::default()
    };
    writeln!(
        out,
        "training Rnn<2, 16, 1> (f64) on {}-bit sums: {} samples, SGD at {}, seed {}",
        config.sum_bits, config.samples, config.learning_rate, config.seed
    )?;
    let mut trainer = AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(config.seed), &config)?;
    let started = Instant::now();
    let mut solve = Solve::default();
    for sample_number in 1..=config.samples {
        let sample = trainer.train_sample()?;
        solve.record(&sample);
        if sample_number % 1000 == 0 {
            let bits = |value| msb_first(value, config.sum_bits);
            writeln!(out, "sample {sample_number}")?;
            writeln!(out, "  error: {:.6}", sample.error)?;
            writeln!(out, "  pred:  {}", bits(sample.predicted))?;
            writeln!(out, "  true:  {}", bits(sample.sum()))?;
            writeln!(out, "  {} + {} = {}", sample.a, sample.b, sample.predicted)?;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let plain = Adder::new(trainer.network().clone());

    writeln!(out, "summary")?;
    writeln!(
        out,
        "  training: {:.3} s, {:.2} us/sample",
        seconds,
        1e6 * seconds / config.samples as f64
    )?;
    match solve.solved_at {
        Some(n) => writeln!(out, "  first sample ending 100 exact in a row: {n}")?,
        None => writeln!(out, "  never 100 exact samples in a row")?,
    }
    let (exact, _) = count_exact_pairs(&plain, 7)?;
    writeln!(
        out,
        "  exact sums of all 128 x 128 operands below 128: {exact}/16384"
    )?;
    let (exact, _) = count_exact_pairs(&plain, 8)?;
    writeln!(
        out,
        "  exact sums of all 256 x 256 8-bit operands: {exact}/65536"
    )?;

    writeln!(
        out,
        "verifier, on the seed's {}-sample network",
        config.samples
    )?;
    write_verdict(out, &verify_with_spinner(&plain, &config.gate)?)?;
    let started = Instant::now();
    let bar = rounds_spinner();
    let adder = trainer.into_proven_adder_observed(&config, |_| bar.inc(1))?;
    bar.finish_and_clear();
    let verdict = if adder.proof().is_some() {
        "proven"
    } else {
        "verified, not proven"
    };
    writeln!(
        out,
        "trained on until proven: {verdict} after {} samples{} ({:.1} s of training, verifying and proving)",
        adder.samples(),
        restarted(adder.restarts()),
        started.elapsed().as_secs_f64()
    )?;
    writeln!(out, "the {verdict} network on wide operands")?;
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for _ in 0..3 {
        let (a, b) = (
            u128::from(rng.random::<u64>()),
            u128::from(rng.random::<u64>()),
        );
        show_wide_sum(out, 64, a, b, adder.add::<64>(a, b)?)?;
    }
    for _ in 0..3 {
        let (a, b) = (rng.random::<u128>(), rng.random::<u128>());
        show_wide_sum(out, 128, a, b, adder.add::<128>(a, b)?)?;
    }
    // Long carry chains, and long runs with no carry, are where a learned carry breaks first.
    let (ones, alternating) = (u128::MAX, u128::MAX / 3);
    for (a, b) in [
        (ones, 1),
        (ones, ones),
        (alternating, !alternating),
        (0, ones),
    ] {
        show_wide_sum(out, 128, a, b, adder.add::<128>(a, b)?)?;
    }
    match adder.proof() {
        Some(certificate) => {
            let report = const_rnn::check(&adder, certificate)?;
            writeln!(
                out,
                "proven: every output bit is right for every input of every length ({} cells; the certificate re-checked in {:.2} s)",
                report.cells,
                report.elapsed.as_secs_f64()
            )?;
        }
        None => writeln!(
            out,
            "not proven: {}",
            adder.unproven().unwrap_or("the prover did not run")
        )?,
    }
    Ok(())
}

/// One line: a wide sum by the network next to the true one.
pub(crate) fn show_wide_sum(
    out: &mut impl Write,
    width: usize,
    a: u128,
    b: u128,
    sum: (u128, bool),
) -> io::Result<()> {
    let predicted = decimal_sum(width, sum);
    let truth = decimal_sum(128, a.overflowing_add(b));
    let verdict = if predicted == truth { "exact" } else { "WRONG" };
    writeln!(
        out,
        "  {width}-bit: {a} + {b} = {predicted} (true {truth}, {verdict})"
    )
}

/// `value` as `bits` binary digits, most significant first, as the seed prints them.
pub(crate) fn msb_first(value: u128, bits: usize) -> String {
    (0..bits)
        .rev()
        .map(|step| if (value >> step) & 1 == 1 { '1' } else { '0' })
        .collect()
}
