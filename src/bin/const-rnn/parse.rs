//! Parsers of command-line values: each returns one short line on bad input.

use const_rnn::BigUint;

use crate::output::shorten;

/// A learning rate for `--lr`: a finite positive number.
pub(crate) fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{:?} is not a number", shorten(text)))?;
    if !rate.is_finite() || rate <= 0.0 {
        return Err(format!(
            "the learning rate must be finite and positive, got {rate}"
        ));
    }
    Ok(rate)
}

/// A whole number from `min` to `max`.
pub(crate) fn parse_bounded(
    text: &str,
    what: &str,
    min: usize,
    max: usize,
) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ if max == usize::MAX => Err(format!(
            "{what} must be a whole number, at least {min}, got {:?}",
            shorten(text)
        )),
        _ => Err(format!(
            "{what} must be a whole number from {min} to {max}, got {:?}",
            shorten(text)
        )),
    }
}

pub(crate) fn parse_samples(text: &str) -> Result<usize, String> {
    parse_bounded(text, "samples", 1, usize::MAX)
}

pub(crate) fn parse_batch(text: &str) -> Result<usize, String> {
    parse_bounded(text, "the batch size", 1, 1 << 20)
}

pub(crate) fn parse_hidden(text: &str) -> Result<usize, String> {
    parse_bounded(text, "the hidden size", 1, 1024)
}

pub(crate) fn parse_width(text: &str) -> Result<usize, String> {
    parse_bounded(text, "the operand width", 1, 128)
}

pub(crate) fn parse_training_bits(text: &str) -> Result<usize, String> {
    parse_bounded(text, "the training operand width", 1, 128)
}

/// `A..B` with `A < B`.
pub(crate) fn parse_range(text: &str) -> Result<SeedRange, String> {
    let bad = || format!("expected a range A..B with A < B, got {:?}", shorten(text));
    let (first, end) = text.split_once("..").ok_or_else(bad)?;
    let (first, end) = (parse_seed(first)?, parse_seed(end)?);
    if first >= end {
        return Err(bad());
    }
    Ok(SeedRange { first, end })
}

/// A non-negative decimal integer of at most 128 bits, with an optional leading `+`.
pub(crate) fn parse_operand(text: &str) -> Result<u128, String> {
    let digits = operand_digits(text)?;
    digits
        .parse()
        .map_err(|_| format!("operand {:?} has more than 128 bits", shorten(text.trim())))
}

/// A non-negative decimal integer of any number of digits.
pub(crate) fn parse_big(text: &str) -> Result<BigUint, String> {
    let digits = operand_digits(text)?;
    digits.parse().map_err(|_| {
        format!(
            "operand {:?} is not a decimal integer",
            shorten(text.trim())
        )
    })
}

/// The digits of a non-negative decimal integer, or why `text` is not one.
pub(crate) fn operand_digits(text: &str) -> Result<&str, String> {
    // Surrounding blanks are accepted, as they are between the operands of a stdin line.
    let text = text.trim();
    let digits = text.strip_prefix('+').unwrap_or(text);
    let problem = if text.is_empty() {
        "is empty"
    } else if let Some(magnitude) = text.strip_prefix('-') {
        if !magnitude.is_empty() && magnitude.bytes().all(|b| b == b'0') {
            "has a minus sign: operands are written without one"
        } else {
            "is negative"
        }
    } else if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() && value.fract() != 0.0 => "is not a whole number",
            _ => "is not a decimal integer: digits 0-9 only",
        }
    } else {
        return Ok(digits);
    };
    Err(format!("operand {:?} {problem}", shorten(text)))
}

/// A seed: a non-negative integer below 2^64.
pub(crate) fn parse_seed(text: &str) -> Result<u64, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "seed {:?} is not an integer from 0 to 2^64 - 1",
            shorten(text)
        )
    })
}

/// `A..B`, with `A < B`.
#[derive(Clone, Copy)]
pub(crate) struct SeedRange {
    pub(crate) first: u64,
    pub(crate) end: u64,
}
