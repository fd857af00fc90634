//! Where the commands get their adders (a model file, the default network, or training) and how they count exact sums.

use std::path::Path;

use const_rnn::{
    Adder, AdderConfig, AdderSample, AdderTrainer, Coverage, Error, Network, RnnAllocator,
    decimal_sum, train,
};
use nalgebra::{DefaultAllocator, Dim, U1, U2};

use crate::args::Training;
use crate::model::{self, Model, with_network};
use crate::output::Failure;
use crate::progress::rounds_spinner;

/// The model in `path`, or the default verified network.
pub(crate) fn model_or_default(path: Option<&Path>) -> Result<Box<dyn Model>, Failure> {
    match path {
        Some(path) => Ok(model::load(path)?),
        None => Ok(Box::new(default_adder()?)),
    }
}

/// The program's adder: the default recipe, seed 0.
///
/// The final gate is the quick coverage, so that `add` answers in well under
/// a second; a test asserts that this is the same network the full gate
/// passes, so it is the default verified network.
pub(crate) fn default_adder() -> Result<Adder, Failure> {
    let config = AdderConfig {
        gate: Coverage::quick(),
        ..AdderConfig::default()
    };
    Ok(train(&config)?)
}

/// A trained adder and how its training went.
pub(crate) struct Trained {
    pub(crate) model: Box<dyn Model>,
    pub(crate) solved_at: Option<usize>,
    /// Per sample: error and exactness, for the curve.
    pub(crate) curve: Vec<(f64, bool)>,
}

/// Trains as `training` says, on `Rnn<2, H, 1>` for a static hidden size and
/// on `DynRnn` otherwise.
pub(crate) fn train_any(training: &Training, config: &AdderConfig) -> Result<Trained, Failure> {
    with_network!(
        training.recipe.hidden,
        config.seed,
        config.init,
        train_on(training.recipe.plain, config)
    )
}

/// The seed's training of `network` (and, unless `plain`, rounds until verified).
pub(crate) fn train_on<I: Dim, H: Dim, O: Dim>(
    network: Network<I, H, O>,
    plain: bool,
    config: &AdderConfig,
) -> Result<Trained, Failure>
where
    DefaultAllocator: RnnAllocator<I, H, O> + RnnAllocator<U2, H, U1>,
    Network<U2, H, U1>: Sync,
{
    let mut trainer = AdderTrainer::new(network, config)?;
    let mut solve = Solve::default();
    let mut curve = Vec::with_capacity(config.samples);
    for _ in 0..config.samples {
        let sample = trainer.train_sample()?;
        solve.record(&sample);
        curve.push((sample.error, sample.is_exact()));
    }
    let model: Box<dyn Model> = if plain {
        Box::new(trainer.into_adder()?)
    } else {
        let bar = rounds_spinner();
        let adder = trainer.into_proven_adder_observed(config, |sample| {
            curve.push((sample.error, sample.is_exact()));
            bar.inc(1);
        })?;
        bar.finish_and_clear();
        Box::new(adder)
    };
    Ok(Trained {
        model,
        solved_at: solve.solved_at,
        curve,
    })
}

/// Watches samples for the seed's measure of convergence: the first sample
/// ending 100 exact sums in a row.
#[derive(Default)]
pub(crate) struct Solve {
    pub(crate) streak: usize,
    pub(crate) seen: usize,
    pub(crate) solved_at: Option<usize>,
}

impl Solve {
    /// Counts one sample; returns whether the task is solved.
    pub(crate) fn record(&mut self, sample: &AdderSample) -> bool {
        self.seen += 1;
        self.streak = if sample.is_exact() {
            self.streak + 1
        } else {
            0
        };
        if self.streak >= 100 && self.solved_at.is_none() {
            self.solved_at = Some(self.seen);
        }
        self.solved_at.is_some()
    }
}

/// Whether `model` adds the `width`-bit operands `a` and `b` exactly.
pub(crate) fn is_exact(model: &dyn Model, width: usize, a: u128, b: u128) -> Result<bool, Error> {
    let (low, carry) = model.add_width(width, a, b)?;
    Ok(decimal_sum(width, (low, carry)) == decimal_sum(128, a.overflowing_add(b)))
}

/// How many pairs of `width`-bit operands `model` adds exactly, of how many.
pub(crate) fn count_exact_pairs(model: &dyn Model, width: u32) -> Result<(u64, u64), Error> {
    let limit = 1_u128 << width;
    let mut exact = 0;
    for a in 0..limit {
        for b in 0..limit {
            exact += u64::from(is_exact(model, width as usize, a, b)?);
        }
    }
    Ok((exact, (limit * limit) as u64))
}
