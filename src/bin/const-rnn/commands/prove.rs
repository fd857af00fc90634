//! `const-rnn prove`: prove a network right at every width.

use std::io::Write;
use std::path::Path;

use const_rnn::{ProofConfig, Verdict};

use crate::adders::model_or_default;
use crate::output::Failure;

/// `prove [--model M] [--certificate C]`: the prover's verdict on a network, and its certificate.
pub(crate) fn prove_command(
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
