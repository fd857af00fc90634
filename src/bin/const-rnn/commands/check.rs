//! `const-rnn check`: re-check a certificate against a model.

use std::io::Write;
use std::path::Path;

use const_rnn::Certificate;

use crate::model::{self};
use crate::output::Failure;

pub(crate) fn check_command(
    out: &mut impl Write,
    model: &Path,
    certificate: &Path,
) -> Result<(), Failure> {
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
