//! `const-rnn add`: sums of any number of digits.

use std::io::{self, BufRead, Write};
use std::path::Path;

use const_rnn::BigUint;

use crate::adders::model_or_default;
use crate::model::Model;
use crate::output::{Failure, shorten};
use crate::parse::parse_big;

/// `add A B`, or `add` reading `A B` pairs from standard input.
pub(crate) fn add(
    out: &mut impl Write,
    model: Option<&Path>,
    operands: &[BigUint],
) -> Result<(), Failure> {
    match operands {
        [a, b] => {
            let adder = model_or_default(model)?;
            write_sum(out, adder.as_ref(), a, b)?.map_or(Ok(()), |wrong| Err(Failure::Wrong(wrong)))
        }
        [] => {
            let adder = model_or_default(model)?;
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
                    [a, b] => parse_big(a).and_then(|a| Ok((a, parse_big(b)?))),
                    _ => Err(format!("expected two operands, got {}", fields.len())),
                };
                let (a, b) = pair
                    .map_err(|message| Failure::Usage(format!("line {}: {message}", index + 1)))?;
                if let Some(wrong) = write_sum(out, adder.as_ref(), &a, &b)? {
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

/// Prints the network's sum of two operands of any size in decimal; returns
/// a message if it is wrong.
pub(crate) fn write_sum(
    out: &mut impl Write,
    adder: &dyn Model,
    a: &BigUint,
    b: &BigUint,
) -> Result<Option<String>, Failure> {
    let sum = adder.add_big(a, b);
    writeln!(out, "{sum}")?;
    let expected = a + b;
    Ok((sum != expected).then(|| {
        format!(
            "wrong: the network's sum {} + {} = {} is not {}",
            shorten(&a.to_string()),
            shorten(&b.to_string()),
            shorten(&sum.to_string()),
            shorten(&expected.to_string())
        )
    }))
}
