//! The option groups the commands share: training settings, the recipe, what to measure, seed ranges.

use clap::{Args, ValueEnum};
use const_rnn::{AdderConfig, Coverage, Init, OptimizerKind};

use crate::parse::{
    parse_batch, parse_hidden, parse_rate, parse_samples, parse_seed, parse_training_bits,
};

/// What `convergence` measures: every optimiser at hidden 16 unless told.
#[derive(Args, Clone)]
pub(crate) struct Measured {
    /// Measure this hidden size only, with no sweep over sizes [default: 16,
    /// then the sweep].
    #[arg(long, value_parser = parse_hidden, allow_negative_numbers = true)]
    pub(crate) hidden: Option<usize>,
    /// Measure this optimiser only [default: all four].
    #[arg(long, value_enum)]
    pub(crate) optimizer: Option<OptimizerArg>,
    #[command(flatten)]
    pub(crate) settings: Settings,
}

/// The training settings `train`, `seeds` and `convergence` share.
#[derive(Args, Clone)]
pub(crate) struct Settings {
    /// Operand bits of the training sums (the seed's 7: sums of 8 bits).
    #[arg(long, default_value_t = 7, value_parser = parse_training_bits)]
    pub(crate) bits: usize,
    /// Learning rate [default: sgd 0.1 (the seed's), momentum and nesterov 0.2, adam 0.03].
    #[arg(long, value_parser = parse_rate, allow_negative_numbers = true)]
    pub(crate) lr: Option<f64>,
    /// Samples per update, their gradients averaged (1 is the seed's).
    #[arg(long, default_value_t = 1, value_parser = parse_batch, allow_negative_numbers = true)]
    pub(crate) batch: usize,
    /// How the first weights are drawn.
    #[arg(long, value_enum, default_value_t = InitArg::BySize)]
    pub(crate) init: InitArg,
}

/// How to train: the options `train` and `verify` share.
#[derive(Args, Clone)]
pub(crate) struct Training {
    #[command(flatten)]
    pub(crate) recipe: Recipe,
    /// Seed of the weights and the operands.
    #[arg(long, default_value_t = 0, value_parser = parse_seed, allow_negative_numbers = true)]
    pub(crate) seed: u64,
}

/// The recipe and its settings, for one seed or many (`seeds`).
#[derive(Args, Clone)]
pub(crate) struct Recipe {
    /// Hidden units. 2, 4, 8, 16, 32 and 64 run on Rnn<2, H, 1>, whose sizes
    /// are fixed at compile time; any other size on DynRnn.
    #[arg(long, default_value_t = 16, value_parser = parse_hidden, allow_negative_numbers = true)]
    pub(crate) hidden: usize,
    /// Samples of the seed's training.
    #[arg(long, default_value_t = 10_000, value_parser = parse_samples, allow_negative_numbers = true)]
    pub(crate) samples: usize,
    /// The optimiser, at the settings `convergence` measures.
    #[arg(long, value_enum, default_value_t = OptimizerArg::Sgd)]
    pub(crate) optimizer: OptimizerArg,
    #[command(flatten)]
    pub(crate) settings: Settings,
    /// The seed's recipe only: no verify-and-train rounds.
    #[arg(long)]
    pub(crate) plain: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OptimizerArg {
    /// The seed's SGD.
    Sgd,
    /// SGD with momentum 0.9.
    Momentum,
    /// SGD with Nesterov momentum 0.9.
    Nesterov,
    /// Adam, beta1 0.8, beta2 0.99.
    Adam,
}

/// The learning rate of `--optimizer momentum` and `--optimizer nesterov`.
const MOMENTUM_RATE: f64 = 0.2;

impl OptimizerArg {
    /// The settings, and the learning rate measured best for proven adders.
    pub(crate) fn tuned(self) -> (OptimizerKind, f64) {
        match self {
            OptimizerArg::Sgd => {
                let sgd = AdderConfig::default();
                (sgd.optimizer, sgd.learning_rate)
            }
            OptimizerArg::Momentum => (OptimizerKind::momentum(), MOMENTUM_RATE),
            OptimizerArg::Nesterov => (OptimizerKind::nesterov(), MOMENTUM_RATE),
            OptimizerArg::Adam => {
                let adam = AdderConfig::adam();
                (adam.optimizer, adam.learning_rate)
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InitArg {
    /// Uniform in [-1, 1), the seed's.
    Uniform,
    /// Xavier/Glorot uniform.
    XavierUniform,
    /// Xavier/Glorot normal.
    XavierNormal,
    /// Uniform up to 16 hidden units, Xavier uniform above.
    BySize,
}

impl Training {
    /// The library's settings for these options.
    pub(crate) fn config(&self) -> AdderConfig {
        self.recipe.config(self.seed)
    }
}

impl Recipe {
    /// The library's settings for these options and `seed`.
    pub(crate) fn config(&self, seed: u64) -> AdderConfig {
        let (optimizer, tuned_rate) = self.optimizer.tuned();
        let (samples, settings) = (self.samples, &self.settings);
        AdderConfig {
            sum_bits: settings.bits + 1,
            samples,
            learning_rate: settings.lr.unwrap_or(tuned_rate),
            optimizer,
            batch: settings.batch,
            init: match settings.init {
                InitArg::Uniform => Init::Uniform,
                InitArg::XavierUniform => Init::XavierUniform,
                InitArg::XavierNormal => Init::XavierNormal,
                InitArg::BySize => Init::BySize,
            },
            seed,
            budget: AdderConfig::default().budget.max(samples),
            gate: Coverage::default(),
            ..AdderConfig::default()
        }
    }
}
