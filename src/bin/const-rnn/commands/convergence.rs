//! `const-rnn convergence`: each optimiser over seeds, then the hidden sizes.

use std::io::Write;

use const_rnn::{AdderConfig, AdderTrainer, Error, Network, OptimizerKind, RnnAllocator};
use nalgebra::{DefaultAllocator, Dim, U1, U2};

use crate::adders::Solve;
use crate::args::{Measured, OptimizerArg, Recipe, Training};
use crate::model::{self, STATIC_HIDDEN, with_network};
use crate::output::{Failure, median_and_worst};
use crate::parse::SeedRange;
use crate::progress::progress;

/// The optimisers `convergence` measures, at the settings it found best.
pub(crate) const MEASURED: [OptimizerArg; 4] = [
    OptimizerArg::Sgd,
    OptimizerArg::Momentum,
    OptimizerArg::Nesterov,
    OptimizerArg::Adam,
];

/// The most samples `convergence` trains for the seed's task to be solved.
pub(crate) const SOLVE_BUDGET: usize = 20_000;

/// One seed's run of the `convergence` recipe.
pub(crate) struct Run {
    pub(crate) solved_at: Option<usize>,
    /// Samples to a verified adder, if one was reached within the budget.
    pub(crate) verified_after: Option<usize>,
}

/// The `convergence` recipe on one seed: train on the seed's task until it
/// is solved (at most [`SOLVE_BUDGET`] samples), then train on until verified.
pub(crate) fn converge(training: &Training) -> Result<Run, Failure> {
    let config = training.config();
    with_network!(
        training.recipe.hidden,
        config.seed,
        config.init,
        converge_on(&config)
    )
}

/// [`converge`] on `network`.
pub(crate) fn converge_on<I: Dim, H: Dim, O: Dim>(
    network: Network<I, H, O>,
    config: &AdderConfig,
) -> Result<Run, Failure>
where
    DefaultAllocator: RnnAllocator<I, H, O> + RnnAllocator<U2, H, U1>,
    Network<U2, H, U1>: Sync,
{
    let mut trainer = AdderTrainer::new(network, config)?;
    let mut solve = Solve::default();
    for _ in 0..SOLVE_BUDGET {
        match trainer.train_sample() {
            Ok(sample) if solve.record(&sample) => break,
            Ok(_) => {}
            // A diverged run never solves.
            Err(Error::Diverged { .. }) => {
                return Ok(Run {
                    solved_at: None,
                    verified_after: None,
                });
            }
            Err(err) => return Err(err.into()),
        }
    }
    let verified_after = match trainer.into_verified_adder(config) {
        Ok(adder) => Some(adder.samples()),
        Err(Error::Unverified { .. } | Error::Diverged { .. }) => None,
        Err(err) => return Err(err.into()),
    };
    Ok(Run {
        solved_at: solve.solved_at,
        verified_after,
    })
}

/// `convergence`: each optimiser over the seeds, then the hidden sizes.
pub(crate) fn convergence(
    out: &mut impl Write,
    seeds: SeedRange,
    sweep: bool,
    measured: &Measured,
) -> Result<(), Failure> {
    let count = seeds.end - seeds.first;
    // A size asked for is measured alone: no sweep over sizes.
    let sweep = sweep && measured.hidden.is_none();
    let default = Recipe {
        hidden: measured.hidden.unwrap_or(16),
        samples: AdderConfig::default().samples,
        optimizer: OptimizerArg::Sgd,
        settings: measured.settings.clone(),
        plain: false,
    };
    let optimizers = measured
        .optimizer
        .map_or(MEASURED.to_vec(), |one| vec![one]);
    let hidden = default.hidden;
    let network = model::describe(STATIC_HIDDEN.contains(&hidden), hidden);
    writeln!(
        out,
        "recipe: hidden {hidden} on {network}, train on {}-bit sums until 100 exact in a row (at most {SOLVE_BUDGET} samples), then verify-and-train rounds until verified (budget {} samples); seeds {}..{}",
        default.config(0).sum_bits,
        AdderConfig::default().budget,
        seeds.first,
        seeds.end
    )?;
    let bar = progress(
        count * (optimizers.len() as u64 + if sweep { 6 } else { 0 }),
        "convergence",
    );
    let mut best: Option<(usize, OptimizerArg)> = None;
    for optimizer in optimizers {
        let (mut solved, mut verified) = (Vec::new(), Vec::new());
        for seed in seeds.first..seeds.end {
            let run = converge(&Training {
                seed,
                recipe: Recipe {
                    optimizer,
                    ..default.clone()
                },
            })?;
            solved.extend(run.solved_at);
            verified.extend(run.verified_after);
            bar.inc(1);
        }
        let unsolved = count - solved.len() as u64;
        let config = Recipe {
            optimizer,
            ..default.clone()
        }
        .config(0);
        let settings = match config.optimizer {
            OptimizerKind::Sgd => "the seed's".to_owned(),
            OptimizerKind::Momentum {
                momentum,
                nesterov: false,
            } => format!("momentum {momentum}"),
            OptimizerKind::Momentum {
                momentum,
                nesterov: true,
            } => format!("Nesterov momentum {momentum}"),
            OptimizerKind::Adam {
                beta1,
                beta2,
                epsilon,
            } => format!("beta1 {beta1}, beta2 {beta2}, epsilon {epsilon:e}"),
        };
        let solved_line = match median_and_worst(&mut solved) {
            Some((median, worst)) => {
                if best.is_none_or(|(b, _)| median < b) {
                    best = Some((median, optimizer));
                }
                format!("solved-at median {median}, worst {worst}")
            }
            None => "never solved".to_owned(),
        };
        let verified_line = match median_and_worst(&mut verified) {
            Some((median, _)) => format!("median {median} samples to a verified adder"),
            None => "no verified adder".to_owned(),
        };
        bar.suspend(|| {
            writeln!(
                out,
                "{} (lr {}, {settings}, batch {}): {solved_line}; never solved {unsolved}/{count}; verified {}/{count}, {verified_line}",
                config.optimizer.name(),
                config.learning_rate,
                config.batch,
                verified.len()
            )
            .and_then(|()| out.flush())
        })?;
    }
    if sweep {
        let optimizer = best.map_or(OptimizerArg::Sgd, |(_, optimizer)| optimizer);
        let mut smallest = None;
        for hidden in [2, 3, 4, 6, 8, 16] {
            let mut verified = Vec::new();
            for seed in seeds.first..seeds.end {
                let run = converge(&Training {
                    seed,
                    recipe: Recipe {
                        optimizer,
                        hidden,
                        ..default.clone()
                    },
                })?;
                verified.extend(run.verified_after);
                bar.inc(1);
            }
            let all = verified.len() as u64 == count;
            if all && smallest.is_none() {
                smallest = Some(hidden);
            }
            let median = median_and_worst(&mut verified)
                .map_or("-".to_owned(), |(median, _)| median.to_string());
            let network = model::describe(STATIC_HIDDEN.contains(&hidden), hidden);
            bar.suspend(|| {
                writeln!(
                    out,
                    "hidden {hidden} on {network}, {}: verified {}/{count}, median {median} samples",
                    optimizer.tuned().0.name(),
                    verified.len()
                )
                .and_then(|()| out.flush())
            })?;
        }
        match smallest {
            Some(hidden) => writeln!(
                out,
                "smallest hidden size verified on all {count} seeds: {hidden}"
            )?,
            None => writeln!(out, "no hidden size verified on all {count} seeds")?,
        }
    }
    bar.finish_and_clear();
    Ok(())
}
