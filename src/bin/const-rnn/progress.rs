//! Progress bars and spinners on stderr, drawn only when stderr is a terminal.

use std::io::{self, IsTerminal};

use const_rnn::{Coverage, Error, Report};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::Model;

/// A progress bar on stderr for `len` steps, drawn only when stderr is a terminal.
pub(crate) fn progress(len: u64, what: &str) -> ProgressBar {
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
pub(crate) fn spinner(what: &str, template: &str) -> ProgressBar {
    let bar = progress(0, what);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// A spinner counting the samples of the verify-and-train rounds.
pub(crate) fn rounds_spinner() -> ProgressBar {
    spinner(
        "training on until verified",
        "{spinner} {msg}: {pos} samples ({elapsed})",
    )
}

/// `verify(coverage)` on `model`, with a spinner on stderr while it runs
/// (when stderr is a terminal): the full coverage takes a few seconds.
pub(crate) fn verify_with_spinner(model: &dyn Model, coverage: &Coverage) -> Result<Report, Error> {
    let bar = spinner("verifying", "{spinner} {msg} ({elapsed})");
    let report = model.verify(coverage);
    bar.finish_and_clear();
    report
}
