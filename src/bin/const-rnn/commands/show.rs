//! `const-rnn show`: one addition step by step, and its heatmap.

use std::io::Write;
use std::path::Path;

use const_rnn::decimal_sum;

use crate::adders::model_or_default;
use crate::output::{Failure, shorten, write_file};
use crate::svg;

pub(crate) fn show(
    out: &mut impl Write,
    model: Option<&Path>,
    plot: Option<&Path>,
    a: u128,
    b: u128,
) -> Result<(), Failure> {
    let model = model_or_default(model)?;
    let width = (128 - (a | b).leading_zeros() as usize).max(1);
    let steps = model.trace(width, a, b)?;
    let sum = model.add_width(width, a, b)?;
    writeln!(
        out,
        "{a} + {b} = {} by {} ({width}-bit operands, {} steps, least significant bit first)",
        decimal_sum(width, sum),
        model.describe(),
        steps.len()
    )?;
    writeln!(
        out,
        "step  a b carry  output  hidden units (0 ' ' to 1 '#')"
    )?;
    for (index, step) in steps.iter().enumerate() {
        let shades: String = step
            .hidden
            .iter()
            .map(|&h| {
                [' ', '.', ':', '-', '=', '+', '*', '%', '#']
                    [(h.clamp(0.0, 1.0) * 8.0).round() as usize]
            })
            .collect();
        writeln!(
            out,
            "{index:>4}  {} {} {:>5}  {:.3}   |{shades}|",
            u8::from(step.a),
            u8::from(step.b),
            u8::from(step.carry),
            step.output
        )?;
    }
    if let Some(path) = plot {
        let title = format!("{a} + {b} by {}", model.describe());
        write_file(path, &svg::heatmap(&title, &steps)?)?;
        writeln!(out, "plotted {}", shorten(&path.display().to_string()))?;
    }
    Ok(())
}
