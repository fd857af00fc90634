//! What every command shares on the way out: `Failure` (the exit status), writing files, verdicts and summaries.

use std::io::{self, Write};
use std::path::Path;

use const_rnn::Error;

/// Why the program stops early: bad input (status 2), a wrong result or a
/// failure to write (status 1).
pub(crate) enum Failure {
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

/// Writes `text` to `path`, or says why not.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text).map_err(|err| {
        Failure::Usage(format!(
            "cannot write {}: {err}",
            shorten(&path.display().to_string())
        ))
    })
}

/// One or two lines: the verifier's verdict, with what it covered and how fast.
pub(crate) fn write_verdict(
    out: &mut impl Write,
    report: &const_rnn::Report,
) -> Result<(), Failure> {
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
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}...", &text[..end]),
    }
}

/// How often the recipe started again from new weights, if it did.
pub(crate) fn restarted(restarts: usize) -> String {
    match restarts {
        0 => String::new(),
        1 => ", on weights drawn again once".to_owned(),
        n => format!(", on weights drawn again {n} times"),
    }
}

/// The median and the largest of `values`, if any.
pub(crate) fn median_and_worst(values: &mut [usize]) -> Option<(usize, usize)> {
    values.sort_unstable();
    Some((
        *values.get((values.len().checked_sub(1)?) / 2)?,
        *values.last()?,
    ))
}

/// The median of `values` (sorted in place).
pub(crate) fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The smallest of `values`.
pub(crate) fn fastest(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}
