//! `const-rnn`: the seed's experiment, training, an adder on the command
//! line, evaluation, verification, pictures and measurements.
//!
//! Run `const-rnn --help`, or `const-rnn <command> --help`.
//!
//! Bad input prints one line on stderr and exits with status 2. A wrong sum,
//! a counterexample or a diverged training exits with status 1.

mod model;
mod svg;

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use const_rnn::BigUint;
use const_rnn::{
    Adder, AdderConfig, AdderSample, AdderTrainer, Certificate, Coverage, DynRnn, Error, Init,
    Network, OptimizerKind, ProofConfig, Report, Rnn, RnnAllocator, Verdict, decimal_sum, train,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nalgebra::{DefaultAllocator, Dim, U1, U2};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use model::{Model, STATIC_HIDDEN};

/// A small recurrent network, trained by backpropagation through time, that
/// adds binary numbers of any width. With no command: the seed's experiment.
#[derive(Parser)]
#[command(name = "const-rnn", version, args_conflicts_with_subcommands = true)]
struct Cli {
    /// The experiment's seed (weights and operands).
    #[arg(long, default_value_t = 0, value_parser = parse_seed, allow_negative_numbers = true)]
    seed: u64,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Print A + B (decimal, any number of digits) as the network computes
    /// it; with no operands, for each "A B" line of standard input.
    Add {
        /// A model file from `train --save` [default: the default proven network].
        #[arg(long)]
        model: Option<PathBuf>,
        /// Two operands, or none.
        #[arg(value_parser = parse_big, allow_negative_numbers = true)]
        operands: Vec<BigUint>,
    },
    /// Train a network, print when it solved the seed's task and the
    /// verifier's verdict, and save or plot it.
    Train {
        #[command(flatten)]
        training: Training,
        /// Save the network and how it was trained to this JSON file.
        #[arg(long, value_name = "FILE")]
        save: Option<PathBuf>,
        /// Draw the training curve to this SVG file.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
    },
    /// Count the exact sums of N-bit operands: every pair for N up to 10,
    /// else 100,000 random pairs and the carry chains.
    Eval {
        /// A model file [default: the default verified network].
        #[arg(long)]
        model: Option<PathBuf>,
        /// Operand width, 1 to 128.
        #[arg(long, default_value_t = 8, value_parser = parse_width)]
        bits: usize,
    },
    /// Train (or load) a network and search it for a wrong sum; status 1 if found.
    Verify {
        #[command(flatten)]
        training: Training,
        /// Verify this model file instead of training.
        #[arg(long, conflicts_with_all = ["hidden", "bits", "samples", "seed", "optimizer", "lr", "batch", "init", "plain"])]
        model: Option<PathBuf>,
    },
    /// Prove that the network adds right at every width (every output bit of
    /// every input word of every length); status 1 if not proven.
    Prove {
        /// A model file [default: the default network, trained].
        #[arg(long)]
        model: Option<PathBuf>,
        /// Write the certificate of the proof to this JSON file.
        #[arg(long, value_name = "FILE")]
        certificate: Option<PathBuf>,
    },
    /// Write a model as Rust source: a `pub const` of type `Rnn<2, H, 1>`
    /// that the compiler checks and that needs no `std`.
    Export {
        /// The model file (its certificate, if any, is re-checked for the status).
        model: PathBuf,
        /// Write Rust source (the only format).
        #[arg(long)]
        rust: bool,
        /// The constant's name.
        #[arg(long, default_value = "ADDER")]
        name: String,
    },
    /// Re-check a certificate against a model; status 1 if it does not hold.
    Check {
        /// The model file.
        #[arg(long)]
        model: PathBuf,
        /// The certificate file from `prove --certificate`.
        #[arg(long, value_name = "FILE")]
        certificate: PathBuf,
    },
    /// Show one addition step by step: input bits, carry, output and every
    /// hidden unit; --plot draws it as a heatmap.
    Show {
        /// A model file [default: the default verified network].
        #[arg(long)]
        model: Option<PathBuf>,
        /// Draw the heatmap to this SVG file.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
        /// The first operand.
        #[arg(value_parser = parse_operand)]
        a: u128,
        /// The second operand.
        #[arg(value_parser = parse_operand)]
        b: u128,
    },
    /// Measure each optimiser over seeds: when it solves the seed's task, and
    /// how many samples it needs to a verified adder; then the hidden sizes.
    Convergence {
        /// The seeds, A..B.
        #[arg(long, default_value = "0..20", value_parser = parse_range)]
        seeds: SeedRange,
        /// Skip the sweep over hidden sizes.
        #[arg(long)]
        no_sweep: bool,
        #[command(flatten)]
        measured: Measured,
    },
    /// The default recipe (or the seed's, with --plain) on seeds A to B - 1,
    /// one line each and a summary; status 1 unless all are proven.
    Seeds {
        /// The seeds, A..B.
        #[arg(value_parser = parse_range)]
        range: SeedRange,
        #[command(flatten)]
        recipe: Recipe,
    },
    /// Median training time per sample, static against dynamic sizes.
    Bench,
}

/// What `convergence` measures: every optimiser at hidden 16 unless told.
#[derive(Args, Clone)]
struct Measured {
    /// Measure this hidden size only, with no sweep over sizes [default: 16,
    /// then the sweep].
    #[arg(long, value_parser = parse_hidden, allow_negative_numbers = true)]
    hidden: Option<usize>,
    /// Measure this optimiser only [default: all four].
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerArg>,
    #[command(flatten)]
    settings: Settings,
}

/// The training settings `train`, `seeds` and `convergence` share.
#[derive(Args, Clone)]
struct Settings {
    /// Operand bits of the training sums (the seed's 7: sums of 8 bits).
    #[arg(long, default_value_t = 7, value_parser = parse_training_bits)]
    bits: usize,
    /// Learning rate [default: sgd 0.1 (the seed's), momentum and nesterov 0.2, adam 0.03].
    #[arg(long, value_parser = parse_rate, allow_negative_numbers = true)]
    lr: Option<f64>,
    /// Samples per update, their gradients averaged (1 is the seed's).
    #[arg(long, default_value_t = 1, value_parser = parse_batch, allow_negative_numbers = true)]
    batch: usize,
    /// How the first weights are drawn.
    #[arg(long, value_enum, default_value_t = InitArg::Uniform)]
    init: InitArg,
}

/// How to train: the options `train` and `verify` share.
#[derive(Args, Clone)]
struct Training {
    #[command(flatten)]
    recipe: Recipe,
    /// Seed of the weights and the operands.
    #[arg(long, default_value_t = 0, value_parser = parse_seed, allow_negative_numbers = true)]
    seed: u64,
}

/// The recipe and its settings, for one seed or many (`seeds`).
#[derive(Args, Clone)]
struct Recipe {
    /// Hidden units. 2, 4, 8, 16, 32 and 64 run on Rnn<2, H, 1>, whose sizes
    /// are fixed at compile time; any other size on DynRnn.
    #[arg(long, default_value_t = 16, value_parser = parse_hidden, allow_negative_numbers = true)]
    hidden: usize,
    /// Samples of the seed's training.
    #[arg(long, default_value_t = 10_000, value_parser = parse_samples, allow_negative_numbers = true)]
    samples: usize,
    /// The optimiser, at the settings `convergence` measures.
    #[arg(long, value_enum, default_value_t = OptimizerArg::Sgd)]
    optimizer: OptimizerArg,
    #[command(flatten)]
    settings: Settings,
    /// The seed's recipe only: no verify-and-train rounds.
    #[arg(long)]
    plain: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OptimizerArg {
    /// The seed's SGD.
    Sgd,
    /// SGD with momentum 0.9.
    Momentum,
    /// SGD with Nesterov momentum 0.9.
    Nesterov,
    /// Adam, beta1 0.8, beta2 0.99.
    Adam,
}

impl OptimizerArg {
    /// The settings, and the learning rate measured best for proven adders.
    fn tuned(self) -> (OptimizerKind, f64) {
        match self {
            OptimizerArg::Sgd => (OptimizerKind::Sgd, 0.1),
            OptimizerArg::Momentum => (
                OptimizerKind::Momentum {
                    momentum: 0.9,
                    nesterov: false,
                },
                0.2,
            ),
            OptimizerArg::Nesterov => (OptimizerKind::nesterov(), 0.2),
            OptimizerArg::Adam => (
                OptimizerKind::Adam {
                    beta1: 0.8,
                    beta2: 0.99,
                    epsilon: 1e-8,
                },
                // 0.1 solves the seed's task fastest, but the adders it
                // trains are proven less often (docs/convergence.md).
                0.03,
            ),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InitArg {
    /// Uniform in [-1, 1), the seed's.
    Uniform,
    /// Xavier/Glorot uniform.
    XavierUniform,
    /// Xavier/Glorot normal.
    XavierNormal,
}

impl Training {
    /// The library's settings for these options.
    fn config(&self) -> AdderConfig {
        self.recipe.config(self.seed)
    }
}

impl Recipe {
    /// The library's settings for these options and `seed`.
    fn config(&self, seed: u64) -> AdderConfig {
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
            },
            seed,
            budget: AdderConfig::default().budget.max(samples),
            gate: Coverage::default(),
            ..AdderConfig::default()
        }
    }
}

/// `A..B`, with `A < B`.
#[derive(Clone, Copy)]
struct SeedRange {
    first: u64,
    end: u64,
}

/// Why the program stops early: bad input (status 2), a wrong result or a
/// failure to write (status 1).
enum Failure {
    Usage(String),
    Wrong(String),
    /// A negative verdict, already on stdout.
    Verdict,
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(err: io::Error) -> Self {
        Failure::Io(err)
    }
}

impl From<Error> for Failure {
    /// Training that diverged or ran out of budget is a failed result (status
    /// 1); every other error of the library comes from bad input (status 2).
    fn from(err: Error) -> Self {
        match err {
            Error::Diverged { .. } | Error::Unverified { .. } | Error::Certificate { .. } => {
                Failure::Wrong(err.to_string())
            }
            other => Failure::Usage(other.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            return match err.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = write!(io::stdout(), "{err}");
                    ExitCode::SUCCESS
                }
                _ => {
                    eprintln!("{}", one_line(&err));
                    ExitCode::from(2)
                }
            };
        }
    };
    let mut out = io::stdout().lock();
    let result = match cli.command {
        None => experiment(&mut out, cli.seed),
        Some(Command::Add { model, operands }) => add(&mut out, model.as_deref(), &operands),
        Some(Command::Train {
            training,
            save,
            plot,
        }) => train_command(&mut out, &training, save.as_deref(), plot.as_deref()),
        Some(Command::Eval { model, bits }) => eval(&mut out, model.as_deref(), bits),
        Some(Command::Verify { training, model }) => {
            verify_command(&mut out, &training, model.as_deref())
        }
        Some(Command::Prove { model, certificate }) => {
            prove_command(&mut out, model.as_deref(), certificate.as_deref())
        }
        Some(Command::Export { model, rust, name }) => export(&mut out, &model, rust, &name),
        Some(Command::Check { model, certificate }) => {
            check_command(&mut out, &model, &certificate)
        }
        Some(Command::Show { model, plot, a, b }) => {
            show(&mut out, model.as_deref(), plot.as_deref(), a, b)
        }
        Some(Command::Convergence {
            seeds,
            no_sweep,
            measured,
        }) => convergence(&mut out, seeds, !no_sweep, &measured),
        Some(Command::Seeds { range, recipe }) => seeds(&mut out, range, &recipe),
        Some(Command::Bench) => bench(&mut out),
    };
    match result.and_then(|()| out.flush().map_err(Failure::from)) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(Failure::Io(err)) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Io(err)) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Wrong(message)) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
        Err(Failure::Verdict) => ExitCode::FAILURE,
    }
}

/// A clap error as one line: its first line, with any quoted text cut to 40
/// characters, and where to find help.
fn one_line(err: &clap::Error) -> String {
    let rendered = err.to_string();
    let mut lines = rendered.lines();
    let mut first = lines.next().unwrap_or("error: bad arguments").to_owned();
    // A value our parser refused: its message already quotes the value.
    if let (ErrorKind::ValueValidation, Some(reason), Some(ContextValue::String(arg))) = (
        err.kind(),
        std::error::Error::source(err),
        err.get(ContextKind::InvalidArg),
    ) {
        let arg = arg.split_whitespace().next().unwrap_or(arg);
        let arg = arg.trim_matches(['[', ']', '.', '<', '>']);
        let arg = if arg.starts_with('-') {
            arg.to_owned()
        } else {
            arg.to_lowercase()
        };
        first = format!("error: invalid {arg}: {reason}");
    } else if first.ends_with(':') {
        // "the following required arguments were not provided:" and a list.
        let list: Vec<&str> = lines
            .by_ref()
            .map(str::trim)
            .take_while(|line| !line.is_empty())
            .collect();
        first = format!("{first} {}", list.join(", "));
    }
    // "Usage: const-rnn train [OPTIONS]" names the command to ask for help.
    // A value error has no usage line: the command is then the first
    // argument, when it names one.
    let named = std::env::args_os()
        .nth(1)
        .and_then(|arg| arg.into_string().ok())
        .filter(|arg| Cli::command().find_subcommand(arg).is_some())
        .map(|arg| format!("const-rnn {arg}"));
    let command: Vec<&str> = lines
        .find_map(|line| line.trim().strip_prefix("Usage: "))
        .or(named.as_deref())
        .unwrap_or("const-rnn")
        .split_whitespace()
        .take_while(|word| !word.starts_with(['[', '<']))
        .take(2)
        .collect();
    let mut line = String::new();
    for (index, part) in first.split('\'').enumerate() {
        if index > 0 {
            line.push('\'');
        }
        // The odd parts are quoted.
        line.push_str(&if index % 2 == 1 {
            shorten(part)
        } else {
            part.to_owned()
        });
    }
    format!("{line}; see {} --help", command.join(" "))
}

/// A progress bar on stderr for `len` steps, drawn only when stderr is a terminal.
fn progress(len: u64, what: &str) -> ProgressBar {
    let target = if io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// A spinner on stderr drawn with `template`, only when stderr is a terminal.
fn spinner(what: &str, template: &str) -> ProgressBar {
    let bar = progress(0, what);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// A spinner counting the samples of the verify-and-train rounds.
fn rounds_spinner() -> ProgressBar {
    spinner(
        "training on until verified",
        "{spinner} {msg}: {pos} samples ({elapsed})",
    )
}

/// `verify(coverage)` on `model`, with a spinner on stderr while it runs
/// (when stderr is a terminal): the full coverage takes a few seconds.
fn verify_with_spinner(model: &dyn Model, coverage: &Coverage) -> Result<Report, Error> {
    let bar = spinner("verifying", "{spinner} {msg} ({elapsed})");
    let report = model.verify(coverage);
    bar.finish_and_clear();
    report
}

/// The seed's experiment: train, report every 1,000 samples, then summarise.
fn experiment(out: &mut impl Write, seed: u64) -> Result<(), Failure> {
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

/// Watches samples for the seed's measure of convergence: the first sample
/// ending 100 exact sums in a row.
#[derive(Default)]
struct Solve {
    streak: usize,
    seen: usize,
    solved_at: Option<usize>,
}

impl Solve {
    /// Counts one sample; returns whether the task is solved.
    fn record(&mut self, sample: &AdderSample) -> bool {
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

/// How many pairs of `width`-bit operands `model` adds exactly, of how many.
fn count_exact_pairs(model: &dyn Model, width: u32) -> Result<(u64, u64), Error> {
    let limit = 1_u128 << width;
    let mut exact = 0;
    for a in 0..limit {
        for b in 0..limit {
            exact += u64::from(is_exact(model, width as usize, a, b)?);
        }
    }
    Ok((exact, (limit * limit) as u64))
}

/// Whether `model` adds the `width`-bit operands `a` and `b` exactly.
fn is_exact(model: &dyn Model, width: usize, a: u128, b: u128) -> Result<bool, Error> {
    let (low, carry) = model.add_width(width, a, b)?;
    Ok(decimal_sum(width, (low, carry)) == decimal_sum(128, a.overflowing_add(b)))
}

/// One line: a wide sum by the network next to the true one.
fn show_wide_sum(
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
fn msb_first(value: u128, bits: usize) -> String {
    (0..bits)
        .rev()
        .map(|step| if (value >> step) & 1 == 1 { '1' } else { '0' })
        .collect()
}

/// The model in `path`, or the default verified network.
fn model_or_default(path: Option<&Path>) -> Result<Box<dyn Model>, Failure> {
    match path {
        Some(path) => Ok(model::load(path)?),
        None => Ok(Box::new(default_adder()?)),
    }
}

/// `add A B`, or `add` reading `A B` pairs from standard input.
fn add(out: &mut impl Write, model: Option<&Path>, operands: &[BigUint]) -> Result<(), Failure> {
    match operands {
        [a, b] => {
            let adder = model_or_default(model)?;
            write_sum(out, adder.as_ref(), a, b)?.map_or(Ok(()), |wrong| Err(Failure::Wrong(wrong)))
        }
        [] => {
            let adder = model_or_default(model)?;
            let mut wrong_sums = 0;
            for (index, line) in io::stdin().lock().lines().enumerate() {
                let line = line.map_err(|err| match err.kind() {
                    io::ErrorKind::InvalidData => {
                        Failure::Usage(format!("line {}: not valid UTF-8", index + 1))
                    }
                    _ => Failure::Io(err),
                })?;
                let fields: Vec<&str> = line.split_whitespace().collect();
                let pair = match fields.as_slice() {
                    [] => continue,
                    [a, b] => parse_big(a).and_then(|a| Ok((a, parse_big(b)?))),
                    _ => Err(format!("expected two operands, got {}", fields.len())),
                };
                let (a, b) = pair
                    .map_err(|message| Failure::Usage(format!("line {}: {message}", index + 1)))?;
                if let Some(wrong) = write_sum(out, adder.as_ref(), &a, &b)? {
                    eprintln!("line {}: {wrong}", index + 1);
                    wrong_sums += 1;
                }
            }
            match wrong_sums {
                0 => Ok(()),
                n => Err(Failure::Wrong(format!("{n} of the sums above are wrong"))),
            }
        }
        _ => Err(Failure::Usage(format!(
            "add takes two operands or none (then reads them from stdin), got {}",
            operands.len()
        ))),
    }
}

/// The program's adder: the default recipe, seed 0.
///
/// The final gate is the quick coverage, so that `add` answers in well under
/// a second; a test asserts that this is the same network the full gate
/// passes, so it is the default verified network.
fn default_adder() -> Result<Adder, Failure> {
    let config = AdderConfig {
        gate: Coverage::quick(),
        ..AdderConfig::default()
    };
    Ok(train(&config)?)
}

/// Prints the network's sum of two operands of any size in decimal; returns
/// a message if it is wrong.
fn write_sum(
    out: &mut impl Write,
    adder: &dyn Model,
    a: &BigUint,
    b: &BigUint,
) -> Result<Option<String>, Failure> {
    let sum = adder.add_big(a, b);
    writeln!(out, "{sum}")?;
    let expected = a + b;
    Ok((sum != expected).then(|| {
        format!(
            "wrong: the network's sum {} + {} = {} is not {}",
            shorten(&a.to_string()),
            shorten(&b.to_string()),
            shorten(&sum.to_string()),
            shorten(&expected.to_string())
        )
    }))
}

/// Calls `$run(network, $args...)` with a network of `$hidden` units drawn
/// from `$seed` by `$init`: `Rnn<2, H, 1>` for the hidden sizes of
/// [`STATIC_HIDDEN`], whose sizes are fixed at compile time, `DynRnn` otherwise.
macro_rules! with_network {
    ($hidden:expr, $seed:expr, $init:expr, $run:ident($($arg:expr),*)) => {{
        const _: () = assert!(matches!(STATIC_HIDDEN, [2, 4, 8, 16, 32, 64]));
        match $hidden {
            2 => $run(Rnn::<2, 2, 1>::from_seed_with($seed, $init), $($arg),*),
            4 => $run(Rnn::<2, 4, 1>::from_seed_with($seed, $init), $($arg),*),
            8 => $run(Rnn::<2, 8, 1>::from_seed_with($seed, $init), $($arg),*),
            16 => $run(Rnn::<2, 16, 1>::from_seed_with($seed, $init), $($arg),*),
            32 => $run(Rnn::<2, 32, 1>::from_seed_with($seed, $init), $($arg),*),
            64 => $run(Rnn::<2, 64, 1>::from_seed_with($seed, $init), $($arg),*),
            hidden => $run(DynRnn::<f64>::from_seed_with(2, hidden, 1, $seed, $init)?, $($arg),*),
        }
    }};
}

/// A trained adder and how its training went.
struct Trained {
    model: Box<dyn Model>,
    solved_at: Option<usize>,
    /// Per sample: error and exactness, for the curve.
    curve: Vec<(f64, bool)>,
}

/// Trains as `training` says, on `Rnn<2, H, 1>` for a static hidden size and
/// on `DynRnn` otherwise.
fn train_any(training: &Training, config: &AdderConfig) -> Result<Trained, Failure> {
    with_network!(
        training.recipe.hidden,
        config.seed,
        config.init,
        train_on(training.recipe.plain, config)
    )
}

/// The seed's training of `network` (and, unless `plain`, rounds until verified).
fn train_on<I: Dim, H: Dim, O: Dim>(
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

/// `train`: trains with the default recipe (or the seed's), prints when it
/// solved the seed's task and the verifier's verdict, and saves and plots.
fn train_command(
    out: &mut impl Write,
    training: &Training,
    save: Option<&Path>,
    plot: Option<&Path>,
) -> Result<(), Failure> {
    let config = training.config();
    config.validate()?;
    let trained = train_any(training, &config)?;
    let recipe = if training.recipe.plain {
        "plain"
    } else {
        "default"
    };
    let report = match trained.model.verified() {
        Some(report) => report.clone(),
        None => verify_with_spinner(trained.model.as_ref(), &config.gate)?,
    };
    match trained.solved_at {
        Some(sample) => writeln!(out, "solved at sample {sample}")?,
        None => writeln!(out, "not solved")?,
    }
    writeln!(
        out,
        "trained {} on {} samples ({recipe} recipe, {} at learning rate {}, batch {})",
        trained.model.describe(),
        trained.model.samples(),
        config.optimizer.name(),
        config.learning_rate,
        config.batch
    )?;
    write_verdict(out, &report)?;
    if let Some(certificate) = trained.model.proof() {
        writeln!(
            out,
            "proven: every output bit is right for every input of every length ({} cells)",
            certificate.cells.len()
        )?;
    }
    if let Some(path) = save {
        trained.model.save(path, recipe, &config)?;
        writeln!(out, "saved {}", shorten(&path.display().to_string()))?;
    }
    if let Some(path) = plot {
        let curve = svg::Curve {
            samples: &trained.curve,
            window: 100,
            solved_at: trained.solved_at,
            verified_at: report.is_verified().then_some(trained.model.samples()),
            rounds_from: (trained.curve.len() > config.samples).then_some(config.samples),
            title: format!(
                "{}, {} at {}, seed {}",
                trained.model.describe(),
                config.optimizer.name(),
                config.learning_rate,
                config.seed
            ),
        };
        write_file(path, &curve.to_svg())?;
        writeln!(out, "plotted {}", shorten(&path.display().to_string()))?;
    }
    Ok(())
}

/// Writes `text` to `path`, or says why not.
fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text).map_err(|err| {
        Failure::Usage(format!(
            "cannot write {}: {err}",
            shorten(&path.display().to_string())
        ))
    })
}

/// `eval`: exact sums of `bits`-bit operands, as `<exact>/<total>`.
fn eval(out: &mut impl Write, model: Option<&Path>, bits: usize) -> Result<(), Failure> {
    let model = model_or_default(model)?;
    let model = model.as_ref();
    if bits <= 10 {
        let (exact, total) = count_exact_pairs(model, bits as u32)?;
        writeln!(
            out,
            "{exact}/{total} exact: every pair of {bits}-bit operands"
        )?;
        return Ok(());
    }
    let max = u128::MAX >> (128 - bits);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let (mut random_exact, random_total) = (0_u64, 100_000_u64);
    for _ in 0..random_total {
        let (a, b) = (rng.random_range(0..=max), rng.random_range(0..=max));
        random_exact += u64::from(is_exact(model, bits, a, b)?);
    }
    // Carry chains of every length: 2^k - 1 plus 1, plus itself, and a long
    // run of ones over zeros.
    let (mut chain_exact, mut chain_total) = (0_u64, 0_u64);
    for k in 1..=bits {
        let ones = u128::MAX >> (128 - k);
        for (a, b) in [
            (ones, 1),
            (1, ones),
            (ones, ones),
            (0, ones),
            (max, max >> k),
        ] {
            chain_exact += u64::from(is_exact(model, bits, a, b)?);
            chain_total += 1;
        }
    }
    writeln!(
        out,
        "{}/{} exact: {random_exact}/{random_total} random pairs of {bits}-bit operands, {chain_exact}/{chain_total} carry chains",
        random_exact + chain_exact,
        random_total + chain_total
    )?;
    Ok(())
}

/// `verify`: train (or load), then verify with the full coverage.
fn verify_command(
    out: &mut impl Write,
    training: &Training,
    model: Option<&Path>,
) -> Result<(), Failure> {
    let report = match model {
        Some(path) => verify_with_spinner(model::load(path)?.as_ref(), &Coverage::default())?,
        None => {
            let config = training.config();
            config.validate()?;
            let trained = train_any(training, &config)?;
            match trained.model.verified() {
                Some(report) => report.clone(),
                None => verify_with_spinner(trained.model.as_ref(), &config.gate)?,
            }
        }
    };
    write_verdict(out, &report)?;
    match report.counterexample {
        None => Ok(()),
        Some(_) => Err(Failure::Verdict),
    }
}

/// `show A B`: one addition, step by step, and its heatmap.
fn prove_command(
    out: &mut impl Write,
    model: Option<&Path>,
    certificate: Option<&Path>,
) -> Result<(), Failure> {
    let model = model_or_default(model)?;
    let verdict = model.prove(&ProofConfig::default())?;
    match verdict {
        Verdict::Proven(proven) => {
            writeln!(
                out,
                "proven: every output bit is right for every input of every length ({} cells, {:.2} s)",
                proven.certificate.cells.len(),
                proven.elapsed.as_secs_f64()
            )?;
            if let Some(path) = certificate {
                proven.certificate.save(path)?;
                writeln!(out, "saved the certificate to {}", path.display())?;
            }
            Ok(())
        }
        Verdict::Counterexample(wrong) => {
            writeln!(out, "counterexample: {wrong}")?;
            Err(Failure::Verdict)
        }
        Verdict::NotProven(not) => {
            writeln!(out, "not proven: {not}")?;
            Err(Failure::Verdict)
        }
    }
}

fn export(out: &mut impl Write, model: &Path, rust: bool, name: &str) -> Result<(), Failure> {
    if !rust {
        return Err(Failure::Usage(
            "export needs --rust (Rust source is the only format)".to_owned(),
        ));
    }
    let source = model::load(model)?.to_rust(name)?;
    let (_, training) = DynRnn::<f64>::load(model)?;
    writeln!(out, "// Written by `const-rnn export --rust`.")?;
    if let Some(record) = training {
        writeln!(
            out,
            "// Trained by the {} recipe: seed {}, {} samples, {} restarts.",
            record.recipe, record.seed, record.samples, record.restarts
        )?;
        if let Some(verified) = &record.verified {
            writeln!(
                out,
                "// The model file records the verifier finding no wrong sum in {} sums.",
                verified.counts.sums()
            )?;
        }
    }
    out.write_all(source.as_bytes())?;
    Ok(())
}

fn check_command(out: &mut impl Write, model: &Path, certificate: &Path) -> Result<(), Failure> {
    let model = model::load(model)?;
    let certificate = Certificate::load(certificate)?;
    match model.check(&certificate) {
        Ok(report) => {
            writeln!(out, "certificate holds: {report}")?;
            Ok(())
        }
        Err(err) => Err(err.into()),
    }
}

fn show(
    out: &mut impl Write,
    model: Option<&Path>,
    plot: Option<&Path>,
    a: u128,
    b: u128,
) -> Result<(), Failure> {
    let model = model_or_default(model)?;
    let width = (128 - (a | b).leading_zeros() as usize).max(1);
    let steps = model.trace(width, a, b)?;
    let sum = model.add_width(width, a, b)?;
    writeln!(
        out,
        "{a} + {b} = {} by {} ({width}-bit operands, {} steps, least significant bit first)",
        decimal_sum(width, sum),
        model.describe(),
        steps.len()
    )?;
    writeln!(
        out,
        "step  a b carry  output  hidden units (0 ' ' to 1 '#')"
    )?;
    for (index, step) in steps.iter().enumerate() {
        let shades: String = step
            .hidden
            .iter()
            .map(|&h| {
                [' ', '.', ':', '-', '=', '+', '*', '%', '#']
                    [(h.clamp(0.0, 1.0) * 8.0).round() as usize]
            })
            .collect();
        writeln!(
            out,
            "{index:>4}  {} {} {:>5}  {:.3}   |{shades}|",
            u8::from(step.a),
            u8::from(step.b),
            u8::from(step.carry),
            step.output
        )?;
    }
    if let Some(path) = plot {
        let title = format!("{a} + {b} by {}", model.describe());
        write_file(path, &svg::heatmap(&title, &steps))?;
        writeln!(out, "plotted {}", shorten(&path.display().to_string()))?;
    }
    Ok(())
}

/// The optimisers `convergence` measures, at the settings it found best.
const MEASURED: [OptimizerArg; 4] = [
    OptimizerArg::Sgd,
    OptimizerArg::Momentum,
    OptimizerArg::Nesterov,
    OptimizerArg::Adam,
];

/// The most samples `convergence` trains for the seed's task to be solved.
const SOLVE_BUDGET: usize = 20_000;

/// One seed's run of the `convergence` recipe.
struct Run {
    solved_at: Option<usize>,
    /// Samples to a verified adder, if one was reached within the budget.
    verified_after: Option<usize>,
}

/// The `convergence` recipe on one seed: train on the seed's task until it
/// is solved (at most [`SOLVE_BUDGET`] samples), then train on until verified.
fn converge(training: &Training) -> Result<Run, Failure> {
    let config = training.config();
    with_network!(
        training.recipe.hidden,
        config.seed,
        config.init,
        converge_on(&config)
    )
}

/// [`converge`] on `network`.
fn converge_on<I: Dim, H: Dim, O: Dim>(
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

/// The median and the largest of `values`, if any.
fn median_and_worst(values: &mut [usize]) -> Option<(usize, usize)> {
    values.sort_unstable();
    Some((
        *values.get((values.len().checked_sub(1)?) / 2)?,
        *values.last()?,
    ))
}

/// `convergence`: each optimiser over the seeds, then the hidden sizes.
fn convergence(
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

/// How often the recipe started again from new weights, if it did.
fn restarted(restarts: usize) -> String {
    match restarts {
        0 => String::new(),
        1 => ", on weights drawn again once".to_owned(),
        n => format!(", on weights drawn again {n} times"),
    }
}

/// One seed's training of `network`: the seed's recipe alone if `plain`,
/// else the default recipe through to its proof.
fn seed_run<I: Dim, H: Dim, O: Dim>(
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
enum Outcome {
    Proven(String),
    Verified(String),
    Wrong(String),
}

/// What the seed's recipe alone gave: the verifier, then the prover.
fn plain_outcome(model: &dyn Model, config: &AdderConfig) -> Result<Outcome, Error> {
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
fn seeds(out: &mut impl Write, range: SeedRange, recipe: &Recipe) -> Result<(), Failure> {
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

/// One or two lines: the verifier's verdict, with what it covered and how fast.
fn write_verdict(out: &mut impl Write, report: &const_rnn::Report) -> Result<(), Failure> {
    let speed = format!(
        "{:.2} s, {:.1} million steps/s",
        report.elapsed.as_secs_f64(),
        report.steps_per_second() / 1e6
    );
    match &report.counterexample {
        None => writeln!(out, "verified: {} ({speed})", report.counts)?,
        Some(counterexample) => {
            writeln!(out, "counterexample: {counterexample}")?;
            writeln!(out, "  searched {} ({speed})", report.counts)?;
        }
    }
    Ok(())
}

/// At most the first 40 characters of `text`, for messages.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}...", &text[..end]),
    }
}

/// A learning rate for `--lr`: a finite positive number.
fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{:?} is not a number", shorten(text)))?;
    if !rate.is_finite() || rate <= 0.0 {
        return Err(format!(
            "the learning rate must be finite and positive, got {rate}"
        ));
    }
    Ok(rate)
}

/// A whole number from `min` to `max`.
fn parse_bounded(text: &str, what: &str, min: usize, max: usize) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ if max == usize::MAX => Err(format!(
            "{what} must be a whole number, at least {min}, got {:?}",
            shorten(text)
        )),
        _ => Err(format!(
            "{what} must be a whole number from {min} to {max}, got {:?}",
            shorten(text)
        )),
    }
}

fn parse_samples(text: &str) -> Result<usize, String> {
    parse_bounded(text, "samples", 1, usize::MAX)
}

fn parse_batch(text: &str) -> Result<usize, String> {
    parse_bounded(text, "the batch size", 1, 1 << 20)
}

fn parse_hidden(text: &str) -> Result<usize, String> {
    parse_bounded(text, "the hidden size", 1, 1024)
}

fn parse_width(text: &str) -> Result<usize, String> {
    parse_bounded(text, "the operand width", 1, 128)
}

fn parse_training_bits(text: &str) -> Result<usize, String> {
    parse_bounded(text, "the training operand width", 1, 128)
}

/// `A..B` with `A < B`.
fn parse_range(text: &str) -> Result<SeedRange, String> {
    let bad = || format!("expected a range A..B with A < B, got {:?}", shorten(text));
    let (first, end) = text.split_once("..").ok_or_else(bad)?;
    let (first, end) = (parse_seed(first)?, parse_seed(end)?);
    if first >= end {
        return Err(bad());
    }
    Ok(SeedRange { first, end })
}

/// A non-negative decimal integer of at most 128 bits, with an optional leading `+`.
fn parse_operand(text: &str) -> Result<u128, String> {
    let digits = operand_digits(text)?;
    digits
        .parse()
        .map_err(|_| format!("operand {:?} has more than 128 bits", shorten(text.trim())))
}

/// A non-negative decimal integer of any number of digits.
fn parse_big(text: &str) -> Result<BigUint, String> {
    let digits = operand_digits(text)?;
    digits.parse().map_err(|_| {
        format!(
            "operand {:?} is not a decimal integer",
            shorten(text.trim())
        )
    })
}

/// The digits of a non-negative decimal integer, or why `text` is not one.
fn operand_digits(text: &str) -> Result<&str, String> {
    // Surrounding blanks are accepted, as they are between the operands of a stdin line.
    let text = text.trim();
    let digits = text.strip_prefix('+').unwrap_or(text);
    let problem = if text.is_empty() {
        "is empty"
    } else if let Some(magnitude) = text.strip_prefix('-') {
        if !magnitude.is_empty() && magnitude.bytes().all(|b| b == b'0') {
            "has a minus sign: operands are written without one"
        } else {
            "is negative"
        }
    } else if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() && value.fract() != 0.0 => "is not a whole number",
            _ => "is not a decimal integer: digits 0-9 only",
        }
    } else {
        return Ok(digits);
    };
    Err(format!("operand {:?} {problem}", shorten(text)))
}

/// A seed: a non-negative integer below 2^64.
fn parse_seed(text: &str) -> Result<u64, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "seed {:?} is not an integer from 0 to 2^64 - 1",
            shorten(text)
        )
    })
}

/// Median training time per sample of the seed's network, static against dynamic.
fn bench(out: &mut impl Write) -> Result<(), Failure> {
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
fn time_training<I: Dim, H: Dim, O: Dim>(
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

/// The smallest of `values`.
fn fastest(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

/// The median of `values` (sorted in place).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
