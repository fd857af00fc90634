//! `const-rnn`: the seed's experiment, training, an adder on the command
//! line, evaluation, verification, pictures and measurements.
//!
//! Run `const-rnn --help`, or `const-rnn <command> --help`.
//!
//! Bad input prints one line on stderr and exits with status 2. A wrong sum,
//! a counterexample or a diverged training exits with status 1.

mod adders;
mod args;
mod commands;
mod model;
mod output;
mod parse;
mod progress;
mod svg;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser, Subcommand};
use const_rnn::BigUint;

use crate::args::{Measured, Recipe, Training};
use crate::commands::add::add;
use crate::commands::bench::bench;
use crate::commands::check::check_command;
use crate::commands::convergence::convergence;
use crate::commands::eval::eval;
use crate::commands::experiment::experiment;
use crate::commands::export::export;
use crate::commands::prove::prove_command;
use crate::commands::seeds::seeds;
use crate::commands::show::show;
use crate::commands::train::train_command;
use crate::commands::verify::verify_command;
use crate::output::{Failure, shorten};
use crate::parse::SeedRange;
use crate::parse::{parse_big, parse_operand, parse_range, parse_seed, parse_width};

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
