//! `const-rnn export --rust`: a model as a Rust constant.

use std::io::Write;
use std::path::Path;

use const_rnn::DynRnn;

use crate::model::{self};
use crate::output::Failure;

pub(crate) fn export(
    out: &mut impl Write,
    model: &Path,
    rust: bool,
    name: &str,
) -> Result<(), Failure> {
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
