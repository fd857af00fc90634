//! `const-rnn seeds`: the recipe over a range of seeds.

use std::io::Write;
use std::time::Instant;

use const_rnn::{AdderConfig, AdderTrainer, Error, Network, RnnAllocator, Verdict};
use nalgebra::{DefaultAllocator, Dim, U1, U2};

use crate::args::Recipe;
use crate::model::{Model, with_network};
use crate::output::{Failure, median, median_and_worst, restarted};
use crate::parse::SeedRange;
use crate::progress::progress;

/// One seed's training of `network`: the seed's recipe alone if `plain`,
/// else the default recipe through to its proof.
pub(crate) fn seed_run<I: Dim, H: Dim, O: Dim>(
    network: Network<I, H, O>,
    config: &AdderConfig,
    plain: bool,
) -> Result<Box<dyn Model>, Error>
where
    DefaultAllocator: RnnAllocator<I, H, O> + RnnAllocator<U2, H, U1>,
    Network<U2, H, U1>: Sync,
{
    let mut trainer = AdderTrainer::new(network, config)?;
    for _ in 0..config.samples {
        trainer.train_sample()?;
    }
    Ok(if plain {
        Box::new(trainer.into_adder()?)
    } else {
        Box::new(trainer.into_proven_adder(config)?)
    })
}

/// A network that the recipe handed out, as `seeds` counts it.
pub(crate) enum Outcome {
    Proven(String),
    Verified(String),
    Wrong(String),
}

/// What the seed's recipe alone gave: the verifier, then the prover.
pub(crate) fn plain_outcome(model: &dyn Model, config: &AdderConfig) -> Result<Outcome, Error> {
    if let Some(wrong) = model.verify(&config.gate)?.counterexample {
        return Ok(Outcome::Wrong(format!("counterexample: {wrong}")));
    }
    Ok(match model.prove(&config.proof)? {
        Verdict::Proven(proven) => {
            Outcome::Proven(format!("{} cells", proven.certificate.cells.len()))
        }
        Verdict::Counterexample(wrong) => Outcome::Wrong(format!("counterexample: {wrong}")),
        Verdict::NotProven(not_proven) => Outcome::Verified(not_proven.reason),
    })
}

/// `seeds A..B`: the recipe on each seed, one line each, then a summary.
pub(crate) fn seeds(
    out: &mut impl Write,
    range: SeedRange,
    recipe: &Recipe,
) -> Result<(), Failure> {
    let (mut proven, mut verified, mut samples, mut times) = (0, 0, Vec::new(), Vec::new());
    let bar = progress(range.end - range.first, "seeds");
    for seed in range.first..range.end {
        let config = recipe.config(seed);
        config.validate()?;
        let started = Instant::now();
        let result = with_network!(
            recipe.hidden,
            seed,
            config.init,
            seed_run(&config, recipe.plain)
        );
        let (outcome, used, restarts) = match result {
            Ok(model) if recipe.plain => {
                (plain_outcome(model.as_ref(), &config)?, model.samples(), 0)
            }
            Ok(model) => {
                let outcome = match model.proof() {
                    Some(certificate) => {
                        Outcome::Proven(format!("{} cells", certificate.cells.len()))
                    }
                    None => Outcome::Verified(model.unproven().unwrap_or("").to_owned()),
                };
                (outcome, model.samples(), model.restarts())
            }
            Err(Error::Unverified {
                samples: used,
                counterexample,
            }) => (
                Outcome::Wrong(format!("not verified: counterexample: {counterexample}")),
                used,
                0,
            ),
            // The seed's training diverged before the rounds could start again.
            Err(err @ Error::Diverged { sample, .. }) => {
                (Outcome::Wrong(err.to_string()), sample, 0)
            }
            Err(err) => return Err(err.into()),
        };
        let restarts = restarted(restarts);
        let seconds = started.elapsed().as_secs_f64();
        times.push(seconds);
        samples.push(used);
        let line = match outcome {
            Outcome::Proven(how) => {
                proven += 1;
                verified += 1;
                format!(
                    "seed {seed}: proven after {used} samples ({how}){restarts}, {seconds:.1} s"
                )
            }
            Outcome::Verified(why) => {
                verified += 1;
                format!(
                    "seed {seed}: verified, not proven after {used} samples{restarts}, {seconds:.1} s: {why}"
                )
            }
            Outcome::Wrong(why) => {
                format!("seed {seed}: wrong after {used} samples, {seconds:.1} s: {why}")
            }
        };
        bar.suspend(|| writeln!(out, "{line}").and_then(|()| out.flush()))?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let seeds = samples.len();
    let worst_time = times.iter().copied().fold(0.0, f64::max);
    let median_time = median(&mut times);
    let (median, worst) = median_and_worst(&mut samples).unwrap_or((0, 0));
    writeln!(
        out,
        "proven {proven}/{seeds}, verified {verified}/{seeds}, median {median} samples, worst {worst}; median {median_time:.1} s, worst {worst_time:.1} s"
    )?;
    if proven == seeds {
        Ok(())
    } else {
        Err(Failure::Verdict)
    }
}
