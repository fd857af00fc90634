//! `const-rnn bench`: static against dynamic training speed.

use std::io::Write;
use std::time::Instant;

use const_rnn::{AdderConfig, AdderTrainer, DynRnn, Error, Network, Rnn, RnnAllocator};
use nalgebra::{DefaultAllocator, Dim};

use crate::output::{Failure, fastest, median};
use crate::progress::progress;

/// Median training time per sample of the seed's network, static against dynamic.
pub(crate) fn bench(out: &mut impl Write) -> Result<(), Failure> {
    const REPETITIONS: usize = 31;
    let config = AdderConfig::default();
    let mut fixed = Vec::with_capacity(REPETITIONS);
    let mut dynamic = Vec::with_capacity(REPETITIONS);
    let bar = progress(REPETITIONS as u64, "bench");
    for _ in 0..REPETITIONS {
        // Alternate the two so that a noisy moment of the machine hits both alike.
        fixed.push(time_training(
            Rnn::<2, 16, 1>::from_seed(config.seed),
            &config,
        )?);
        dynamic.push(time_training(
            DynRnn::<f64>::from_seed(2, 16, 1, config.seed)?,
            &config,
        )?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    writeln!(
        out,
        "seed's training, 2-16-1 f64, {}-bit sums, median of {REPETITIONS} runs of {} samples",
        config.sum_bits, config.samples
    )?;
    let (fixed_fastest, dynamic_fastest) = (fastest(&fixed), fastest(&dynamic));
    let (fixed, dynamic) = (median(&mut fixed), median(&mut dynamic));
    writeln!(
        out,
        "static {fixed:.3} us/sample (fastest run {fixed_fastest:.3})"
    )?;
    writeln!(
        out,
        "dynamic {dynamic:.3} us/sample (fastest run {dynamic_fastest:.3})"
    )?;
    writeln!(out, "ratio dynamic/static {:.2}", dynamic / fixed)?;
    Ok(())
}

/// Microseconds per sample of one full training run.
pub(crate) fn time_training<I: Dim, H: Dim, O: Dim>(
    network: Network<I, H, O>,
    config: &AdderConfig,
) -> Result<f64, Error>
where
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    let mut trainer = AdderTrainer::new(network, config)?;
    let started = Instant::now();
    for _ in 0..config.samples {
        trainer.train_sample()?;
    }
    Ok(1e6 * started.elapsed().as_secs_f64() / config.samples as f64)
}
