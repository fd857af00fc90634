//! `const-rnn`: the seed's experiment, an adder on the command line, and a quick benchmark.
//!
//! ```text
//! const-rnn                 train the seed's network and report, as the seed's program does,
//!                           then verify it and train on until verified
//! const-rnn --seed S        the same with another seed
//! const-rnn add A B         print A + B (decimal, up to 128 bits each), computed by the
//!                           default verified network (or --model FILE)
//! const-rnn add             the same for each "A B" line of standard input
//! const-rnn train [--seed S] [--samples N] [--lr R] [--plain] [--save FILE]
//!                           train, verify, and save the model
//! const-rnn verify [--seed S] [--samples N] [--lr R] [--plain] | verify --model FILE
//!                           train (the default recipe, or the seed's with --plain) or
//!                           load, and verify
//! const-rnn seeds A..B      the default recipe on seeds A to B - 1
//! const-rnn bench           median training time per sample, static against dynamic sizes
//! ```
//!
//! Bad input prints one line on stderr and exits with status 2. A wrong sum
//! or a counterexample exits with status 1.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::time::Instant;

use const_rnn::{
    Adder, Coverage, DynRnn, Error, Rnn, TrainConfig, Trainer, TrainingRecord, decimal_sum, train,
    train_plain, verify,
};
use nalgebra::{DefaultAllocator, Dim, U1, U2, U16};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

const USAGE: &str = "\
usage:
  const-rnn [--seed S]            the seed's experiment, the verifier's verdict, training on until verified
  const-rnn add [--model FILE] [A B]
                                  A + B by the default verified network (or FILE); no A B: pairs from stdin
  const-rnn train [--seed S] [--samples N] [--lr R] [--plain] [--save FILE]
                                  train (default recipe, or the seed's with --plain), verify, save
  const-rnn verify [--seed S] [--samples N] [--lr R] [--plain] | verify --model FILE
                                  train (or load) and print the verifier's verdict (status 1 if wrong)
  const-rnn seeds A..B            the default recipe on seeds A to B - 1
  const-rnn bench                 training time per sample, static against dynamic sizes";

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
            Error::Diverged { .. } | Error::Unverified { .. } => Failure::Wrong(err.to_string()),
            other => Failure::Usage(other.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let args: Result<Vec<String>, _> = std::env::args_os()
        .skip(1)
        .map(|arg| arg.into_string())
        .collect();
    let Ok(args) = args else {
        eprintln!("error: an argument is not valid UTF-8");
        return ExitCode::from(2);
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut out = io::stdout().lock();
    let result = match args.as_slice() {
        [] => experiment(&mut out, 0),
        ["--seed", seed] => parse_seed(seed).and_then(|seed| experiment(&mut out, seed)),
        ["add", operands @ ..] => add(&mut out, operands),
        ["train", options @ ..] => train_command(&mut out, options),
        ["verify", options @ ..] => verify_command(&mut out, options),
        ["seeds", range] => seeds(&mut out, range),
        ["bench"] => bench(&mut out),
        ["-h" | "--help"] => writeln!(out, "{USAGE}").map_err(Failure::from),
        _ => Err(Failure::Usage(format!(
            "unexpected arguments {:?}; usage: const-rnn --help",
            shorten(&args.join(" "))
        ))),
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
    let started = Instant::now();
    let converged_at = seed_phase(&mut trainer, config.samples, |sample_number, sample| {
        if sample_number % 1000 == 0 {
            let bits = |value| msb_first(value, config.sum_bits);
            writeln!(out, "sample {sample_number}")?;
            writeln!(out, "  error: {:.6}", sample.error)?;
            writeln!(out, "  pred:  {}", bits(sample.predicted))?;
            writeln!(out, "  true:  {}", bits(sample.sum()))?;
            writeln!(out, "  {} + {} = {}", sample.a, sample.b, sample.predicted)?;
        }
        Ok(())
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let plain = Adder::new(trainer.network().clone())?;

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
    let exact_seed_range = count_exact::<7>(&plain, 128)?;
    writeln!(
        out,
        "  exact sums of all 128 x 128 operands below 128: {exact_seed_range}/16384"
    )?;
    let exact_full = count_exact::<8>(&plain, 256)?;
    writeln!(
        out,
        "  exact sums of all 256 x 256 8-bit operands: {exact_full}/65536"
    )?;

    writeln!(
        out,
        "verifier, on the seed's {}-sample network",
        config.samples
    )?;
    write_verdict(out, &verify(&plain, &config.gate)?)?;
    let started = Instant::now();
    let adder = trainer.into_verified_adder(&config)?;
    writeln!(
        out,
        "trained on until verified: verified after {} samples ({:.1} s of training and verifying)",
        adder.samples(),
        started.elapsed().as_secs_f64()
    )?;
    writeln!(out, "the verified network on wide operands")?;
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

/// The seed's training: `samples` samples, `report` called after each; returns
/// the first sample ending 100 exact sums in a row, if any.
fn seed_phase(
    trainer: &mut Trainer<f64, U2, U16, U1>,
    samples: usize,
    mut report: impl FnMut(usize, &const_rnn::Sample) -> io::Result<()>,
) -> Result<Option<usize>, Failure> {
    let (mut streak, mut solved_at) = (0, None);
    for sample_number in 1..=samples {
        let sample = trainer.train_sample()?;
        streak = if sample.is_exact() { streak + 1 } else { 0 };
        if streak == 100 && solved_at.is_none() {
            solved_at = Some(sample_number);
        }
        report(sample_number, &sample)?;
    }
    Ok(solved_at)
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

/// `add A B`, or `add` reading `A B` pairs from standard input.
fn add(out: &mut impl Write, operands: &[&str]) -> Result<(), Failure> {
    let (model, operands) = match operands {
        ["--model", path, rest @ ..] => (Some(*path), rest),
        ["--model"] => return Err(Failure::Usage("--model needs a value".to_owned())),
        _ => (None, operands),
    };
    let adder = || match model {
        Some(path) => load_adder(path),
        None => default_adder(),
    };
    match operands {
        [a, b] => {
            let (a, b) = (parse_operand(a)?, parse_operand(b)?);
            let adder = adder()?;
            write_sum(out, &adder, a, b)?.map_or(Ok(()), |wrong| Err(Failure::Wrong(wrong)))
        }
        [] => {
            let adder = adder()?;
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
                    other => other,
                })?;
                if let Some(wrong) = write_sum(out, &adder, a, b)? {
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
    let config = TrainConfig {
        gate: Coverage::quick(),
        ..TrainConfig::default()
    };
    Ok(train(&config)?)
}

/// Prints the network's sum of two 128-bit operands in decimal; returns a
/// message if it is wrong.
fn write_sum(
    out: &mut impl Write,
    adder: &Adder,
    a: u128,
    b: u128,
) -> Result<Option<String>, Failure> {
    let sum = adder.add::<128>(a, b)?;
    let (printed, expected) = (
        decimal_sum(128, sum),
        decimal_sum(128, a.overflowing_add(b)),
    );
    writeln!(out, "{printed}")?;
    Ok((printed != expected)
        .then(|| format!("wrong: the network's sum {a} + {b} = {printed} is not {expected}")))
}

/// The options of `train` and `verify`.
#[derive(Default)]
struct Options {
    config: TrainConfig,
    plain: bool,
    save: Option<String>,
    model: Option<String>,
}

impl Options {
    /// Parses `args` for `command`, which takes the options in `allowed`.
    fn parse(command: &str, args: &[&str], allowed: &[&str]) -> Result<Self, Failure> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(&option) = args.next() {
            if !allowed.contains(&option) {
                return Err(Failure::Usage(format!(
                    "{command}: unexpected argument {:?}; usage: const-rnn --help",
                    shorten(option)
                )));
            }
            let mut value = || {
                args.next()
                    .copied()
                    .ok_or_else(|| Failure::Usage(format!("{option} needs a value")))
            };
            match option {
                "--seed" => options.config.seed = parse_seed(value()?)?,
                "--samples" => options.config.samples = parse_count("--samples", value()?)?,
                "--lr" => options.config.learning_rate = parse_rate(value()?)?,
                "--save" => options.save = Some(value()?.to_owned()),
                "--model" => options.model = Some(value()?.to_owned()),
                _ => options.plain = true,
            }
        }
        options.config.budget = options.config.budget.max(options.config.samples);
        Ok(options)
    }
}

/// `train [--seed S] [--samples N] [--lr R] [--plain] [--save FILE]`: trains
/// with the default recipe (or the seed's), prints when it solved the seed's
/// task and the verifier's verdict, and saves the model if asked.
fn train_command(out: &mut impl Write, args: &[&str]) -> Result<(), Failure> {
    let allowed = ["--seed", "--samples", "--lr", "--plain", "--save"];
    let Options {
        config,
        plain,
        save,
        ..
    } = Options::parse("train", args, &allowed)?;
    config.validate()?;
    let mut trainer = Trainer::new(Rnn::<2, 16, 1>::from_seed(config.seed), &config)?;
    let solved_at = seed_phase(&mut trainer, config.samples, |_, _| Ok(()))?;
    let (adder, report, recipe) = if plain {
        let adder = trainer.into_adder();
        let report = verify(&adder, &config.gate)?;
        (adder, report, "plain")
    } else {
        let adder = trainer.into_verified_adder(&config)?;
        let report = adder.verified().cloned().ok_or(Failure::Verdict)?;
        (adder, report, "default")
    };
    match solved_at {
        Some(sample) => writeln!(out, "solved at sample {sample}")?,
        None => writeln!(out, "not solved")?,
    }
    writeln!(
        out,
        "trained on {} samples ({recipe} recipe)",
        adder.samples()
    )?;
    write_verdict(out, &report)?;
    if let Some(path) = save {
        let record = TrainingRecord::new(recipe, &config, &adder);
        adder.network().save(&path, Some(&record))?;
        writeln!(out, "saved {}", shorten(&path))?;
    }
    Ok(())
}

/// `verify [--seed S] [--samples N] [--lr R] [--plain] | verify --model FILE`:
/// train (or load), then verify with the full coverage.
fn verify_command(out: &mut impl Write, args: &[&str]) -> Result<(), Failure> {
    let allowed = ["--seed", "--samples", "--lr", "--plain", "--model"];
    let Options {
        config,
        plain,
        model,
        ..
    } = Options::parse("verify", args, &allowed)?;
    let report = match model {
        Some(path) => verify(&load_adder(&path)?, &config.gate)?,
        None if plain => verify(&train_plain(&config)?, &config.gate)?,
        None => train(&config)?
            .verified()
            .cloned()
            .ok_or(Failure::Verdict)?,
    };
    write_verdict(out, &report)?;
    match report.counterexample {
        None => Ok(()),
        Some(_) => Err(Failure::Verdict),
    }
}

/// The adder saved in the model file `path`.
fn load_adder(path: &str) -> Result<Adder, Failure> {
    let (network, _) = Rnn::<2, 16, 1>::load(path)?;
    Ok(Adder::new(network)?)
}

/// `seeds A..B`: the default recipe on each seed, one line each, then a summary.
fn seeds(out: &mut impl Write, range: &str) -> Result<(), Failure> {
    let bad_range = || {
        Failure::Usage(format!(
            "seeds takes a range A..B with A < B, got {:?}",
            shorten(range)
        ))
    };
    let (first, end) = range.split_once("..").ok_or_else(bad_range)?;
    let (first, end) = (parse_seed(first)?, parse_seed(end)?);
    if first >= end {
        return Err(bad_range());
    }
    let (mut verified, mut samples) = (0, Vec::new());
    for seed in first..end {
        let config = TrainConfig {
            seed,
            ..TrainConfig::default()
        };
        let started = Instant::now();
        let result = train(&config);
        let seconds = started.elapsed().as_secs_f64();
        match result {
            Ok(adder) => {
                verified += 1;
                samples.push(adder.samples());
                writeln!(
                    out,
                    "seed {seed}: verified after {} samples, {seconds:.1} s",
                    adder.samples()
                )?;
            }
            Err(Error::Unverified {
                samples: used,
                counterexample,
            }) => {
                samples.push(used);
                writeln!(
                    out,
                    "seed {seed}: not verified after {used} samples, {seconds:.1} s: counterexample: {counterexample}"
                )?;
            }
            Err(err) => return Err(err.into()),
        }
        out.flush()?;
    }
    samples.sort_unstable();
    let seeds = samples.len();
    writeln!(
        out,
        "verified {verified}/{seeds}, median {} samples, worst {}",
        samples[(seeds - 1) / 2],
        samples[seeds - 1]
    )?;
    if verified == seeds {
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

/// A learning rate for `--lr`: a number (the library checks it is finite and positive).
fn parse_rate(text: &str) -> Result<f64, Failure> {
    text.trim()
        .parse()
        .map_err(|_| Failure::Usage(format!("--lr {:?} is not a number", shorten(text))))
}

/// A count for `option`: a non-negative integer.
fn parse_count(option: &str, text: &str) -> Result<usize, Failure> {
    text.trim().parse().map_err(|_| {
        Failure::Usage(format!(
            "{option} {:?} is not a whole number from 0 to {}",
            shorten(text),
            usize::MAX
        ))
    })
}

/// A non-negative decimal integer of at most 128 bits, with an optional leading `+`.
fn parse_operand(text: &str) -> Result<u128, Failure> {
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
            _ => "is not a decimal integer: write digits 0-9 only, with an optional leading +",
        }
    } else {
        return digits.parse().map_err(|_| {
            Failure::Usage(format!(
                "operand {:?} has more than 128 bits",
                shorten(text)
            ))
        });
    };
    Err(Failure::Usage(format!(
        "operand {:?} {problem}",
        shorten(text)
    )))
}

/// A seed for `--seed`: a non-negative integer below 2^64.
fn parse_seed(text: &str) -> Result<u64, Failure> {
    text.trim().parse().map_err(|_| {
        Failure::Usage(format!(
            "seed {:?} is not an integer from 0 to 2^64 - 1",
            shorten(text)
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
