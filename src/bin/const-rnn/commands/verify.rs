//! `const-rnn verify`: search a network for a wrong sum.

use std::io::Write;
use std::path::Path;

use const_rnn::Coverage;

use crate::adders::train_any;
use crate::args::Training;
use crate::model::{self};
use crate::output::{Failure, write_verdict};
use crate::progress::verify_with_spinner;

/// `verify`: train (or load), then verify with the full coverage.
pub(crate) fn verify_command(
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
