//! `const-rnn`: the seed's experiment, an adder on the command line, and a quick benchmark.
//!
//! ```text
//! const-rnn                 train the seed's network and report, as the seed's program does
//! const-rnn --seed S        the same with another seed
//! const-rnn add A B         print A + B (decimal, up to 128 bits each), computed by the network
//! const-rnn add             the same for each "A B" line of standard input
//! const-rnn bench           median training time per sample, static against dynamic sizes
//! ```
//!
//! Bad input prints one line on stderr and exits with status 2.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::time::Instant;

use const_rnn::{Adder, DynRnn, Error, Rnn, TrainConfig, Trainer, train};
use nalgebra::{DefaultAllocator, Dim};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

const USAGE: &str = "usage: const-rnn [--seed S] | const-rnn add [A B] | const-rnn bench";

/// Why the program stops early: bad input (status 2) or a failure to write (status 1).
enum Failure {
    Usage(String),
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(err: io::Error) -> Self {
        Failure::Io(err)
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Failure::Usage(err.to_string())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut out = io::stdout().lock();
    let result = match args.as_slice() {
        [] => experiment(&mut out, 0),
        ["--seed", seed] => parse_seed(seed).and_then(|seed| experiment(&mut out, seed)),
        ["add", operands @ ..] => add(&mut out, operands),
        ["bench"] => bench(&mut out),
        ["-h" | "--help"] => writeln!(out, "{USAGE}").map_err(Failure::from),
        _ => Err(Failure::Usage(format!("unexpected arguments; {USAGE}"))),
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
    }
}

/// The seed's experiment: train, report every 1,000 samples, then summarise.
fn experiment(out: &mut impl Write, seed: u64) -> Result<(), Failure> {
    let config = TrainConfig {
        seed,
        ..TrainConfig::default()
    };
    writeln!(
        out,
        "training Rnn<2, 16, 1> (f64) on {}-bit sums: {} samples, SGD at {}, seed {}",
        config.sum_bits, config.samples, config.learning_rate, config.seed
    )?;
    let mut trainer = Trainer::new(Rnn::<2, 16, 1>::from_seed(config.seed), &config)?;
    let (mut streak, mut converged_at) = (0, None);
    let started = Instant::now();
    for sample_number in 1..=config.samples {
        let sample = trainer.train_sample()?;
        streak = if sample.is_exact() { streak + 1 } else { 0 };
        if streak == 100 && converged_at.is_none() {
            converged_at = Some(sample_number);
        }
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
    let adder = trainer.into_adder();

    writeln!(out, "summary")?;
    writeln!(
        out,
        "  training: {:.3} s, {:.2} us/sample",
        seconds,
        1e6 * seconds / config.samples as f64
    )?;
    match converged_at {
        Some(n) => writeln!(out, "  first sample ending 100 exact in a row: {n}")?,
        None => writeln!(out, "  never 100 exact samples in a row")?,
    }
    let exact_seed_range = count_exact::<7>(&adder, 128)?;
    writeln!(
        out,
        "  exact sums of all 128 x 128 operands below 128: {exact_seed_range}/16384"
    )?;
    let exact_full = count_exact::<8>(&adder, 256)?;
    writeln!(
        out,
        "  exact sums of all 256 x 256 8-bit operands: {exact_full}/65536"
    )?;
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
    Ok(())
}

/// How many of the `limit x limit` operand pairs `adder` adds exactly at width `N`.
fn count_exact<const N: usize>(adder: &Adder, limit: u128) -> Result<usize, Error> {
    let mut exact = 0;
    for a in 0..limit {
        for b in 0..limit {
            let (low, carry) = adder.add::<N>(a, b)?;
            exact += usize::from(low | (u128::from(carry) << N) == a + b);
        }
    }
    Ok(exact)
}

/// One line: a wide sum by the network next to the true one.
fn show_wide_sum(
    out: &mut impl Write,
    width: usize,
    a: u128,
    b: u128,
    (low, carry): (u128, bool),
) -> io::Result<()> {
    let predicted = if width < 128 {
        decimal(low | (u128::from(carry) << width), false)
    } else {
        decimal(low, carry)
    };
    let (true_low, true_carry) = a.overflowing_add(b);
    let truth = decimal(true_low, true_carry);
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

/// The decimal digits of `low + carry * 2^128`, a sum of two 128-bit operands.
fn decimal(low: u128, carry: bool) -> String {
    if !carry {
        return low.to_string();
    }
    // 2^128 = 3 * 10^38 + TWO_128_REST; split low the same way and add digit blocks.
    const TEN_38: u128 = 10_u128.pow(38);
    const TWO_128_REST: u128 = u128::MAX - 3 * TEN_38 + 1;
    let mut high = 3 + low / TEN_38;
    let mut rest = TWO_128_REST + low % TEN_38;
    if rest >= TEN_38 {
        rest -= TEN_38;
        high += 1;
    }
    format!("{high}{rest:038}")
}

/// `add A B`, or `add` reading `A B` pairs from standard input.
fn add(out: &mut impl Write, operands: &[&str]) -> Result<(), Failure> {
    match operands {
        [a, b] => {
            let (a, b) = (parse_operand(a)?, parse_operand(b)?);
            let adder = train(&TrainConfig::default())?;
            writeln!(out, "{}", sum_line(&adder, a, b)?)?;
        }
        [] => {
            let adder = train(&TrainConfig::default())?;
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
                    [a, b] => parse_operand(a).and_then(|a| Ok((a, parse_operand(b)?))),
                    _ => Err(Failure::Usage(format!(
                        "expected two operands, got {}",
                        fields.len()
                    ))),
                };
                let (a, b) = pair.map_err(|failure| match failure {
                    Failure::Usage(message) => {
                        Failure::Usage(format!("line {}: {message}", index + 1))
                    }
                    io => io,
                })?;
                writeln!(out, "{}", sum_line(&adder, a, b)?)?;
            }
        }
        _ => {
            return Err(Failure::Usage(format!(
                "add takes two operands or none (then reads them from stdin), got {}",
                operands.len()
            )));
        }
    }
    Ok(())
}

/// The network's sum of two 128-bit operands, in decimal.
fn sum_line(adder: &Adder, a: u128, b: u128) -> Result<String, Error> {
    let (low, carry) = adder.add::<128>(a, b)?;
    Ok(decimal(low, carry))
}

/// A non-negative decimal integer of at most 128 bits, with an optional leading `+`.
fn parse_operand(text: &str) -> Result<u128, Failure> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    let problem = if text.is_empty() {
        "is empty"
    } else if text.starts_with('-') {
        "is negative"
    } else if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        if text.parse::<f64>().is_ok() {
            "is not a whole number"
        } else {
            "is not a decimal integer"
        }
    } else {
        return digits
            .parse()
            .map_err(|_| Failure::Usage(format!("operand {text:?} has more than 128 bits")));
    };
    Err(Failure::Usage(format!("operand {text:?} {problem}")))
}

/// A seed for `--seed`: a non-negative integer below 2^64.
fn parse_seed(text: &str) -> Result<u64, Failure> {
    text.parse().map_err(|_| {
        Failure::Usage(format!(
            "seed {text:?} is not an integer from 0 to 2^64 - 1"
        ))
    })
}

/// Median training time per sample of the seed's network, static against dynamic.
fn bench(out: &mut impl Write) -> Result<(), Failure> {
    const REPETITIONS: usize = 31;
    let config = TrainConfig::default();
    let mut fixed = Vec::with_capacity(REPETITIONS);
    let mut dynamic = Vec::with_capacity(REPETITIONS);
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
    }
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
    network: const_rnn::Network<f64, I, H, O>,
    config: &TrainConfig,
) -> Result<f64, Error>
where
    DefaultAllocator: const_rnn::RnnAllocator<I, H, O>,
{
    let mut trainer = Trainer::new(network, config)?;
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
