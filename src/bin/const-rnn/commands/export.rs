//! `const-rnn export --rust`: a model as a Rust constant.

use std::io::Write;
use std::path::Path;

use const_rnn::DynRnn;

use crate::model;
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
    // One read of the file: the adder (proven if its certificate holds) and the record.
    let (network, training) = DynRnn::<f64>::load(model)?;
    let proof = training.as_ref().and_then(|record| record.proof.clone());
    let source = model::from_dynamic(&network, proof)?.to_rust(name)?;
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
