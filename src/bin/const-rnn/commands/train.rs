//! `const-rnn train`: train, verify and prove, save and plot.

use std::io::Write;
use std::path::Path;

use crate::adders::train_any;
use crate::args::Training;
use crate::output::{Failure, shorten, write_file, write_verdict};
use crate::progress::verify_with_spinner;
use crate::svg;

/// `train`: trains with the default recipe (or the seed's), prints when it
/// solved the seed's task and the verifier's verdict, and saves and plots.
pub(crate) fn train_command(
    out: &mut impl Write,
    training: &Training,
    save: Option<&Path>,
    plot: Option<&Path>,
) -> Result<(), Failure> {
    let config = training.config();
    config.validate()?;
    let trained = train_any(training, &config)?;
    let recipe = if training.recipe.plain {
        "plain"
    } else {
        "default"
    };
    let report = match trained.model.verified() {
        Some(report) => report.clone(),
        None => verify_with_spinner(trained.model.as_ref(), &config.gate)?,
    };
    match trained.solved_at {
        Some(sample) => writeln!(out, "solved at sample {sample}")?,
        None => writeln!(out, "not solved")?,
    }
    writeln!(
        out,
        "trained {} on {} samples ({recipe} recipe, {} at learning rate {}, batch {})",
        trained.model.describe(),
        trained.model.samples(),
        config.optimizer.name(),
        config.learning_rate,
        config.batch
    )?;
    write_verdict(out, &report)?;
    if let Some(certificate) = trained.model.proof() {
        writeln!(
            out,
            "proven: every output bit is right for every input of every length ({} cells)",
            certificate.cells.len()
        )?;
    }
    if let Some(path) = save {
        trained.model.save(path, recipe, &config)?;
        writeln!(out, "saved {}", shorten(&path.display().to_string()))?;
    }
    if let Some(path) = plot {
        let curve = svg::Curve {
            samples: &trained.curve,
            window: 100,
            solved_at: trained.solved_at,
            verified_at: report.is_verified().then_some(trained.model.samples()),
            rounds_from: (trained.curve.len() > config.samples).then_some(config.samples),
            title: format!(
                "{}, {} at {}, seed {}",
                trained.model.describe(),
                config.optimizer.name(),
                config.learning_rate,
                config.seed
            ),
        };
        write_file(path, &curve.to_svg()?)?;
        writeln!(out, "plotted {}", shorten(&path.display().to_string()))?;
    }
    Ok(())
}
