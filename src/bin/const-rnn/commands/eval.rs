//! `const-rnn eval`: count the exact sums of N-bit operands.

use std::io::Write;
use std::path::Path;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::adders::{count_exact_pairs, is_exact, model_or_default};
use crate::output::Failure;

/// `eval`: exact sums of `bits`-bit operands, as `<exact>/<total>`.
pub(crate) fn eval(out: &mut impl Write, model: Option<&Path>, bits: usize) -> Result<(), Failure> {
    let model = model_or_default(model)?;
    let model = model.as_ref();
    if bits <= 10 {
        let (exact, total) = count_exact_pairs(model, bits as u32)?;
        writeln!(
            out,
            "{exact}/{total} exact: every pair of {bits}-bit operands"
        )?;
        return Ok(());
    }
    let max = u128::MAX >> (128 - bits);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let (mut random_exact, random_total) = (0_u64, 100_000_u64);
    for _ in 0..random_total {
        let (a, b) = (rng.random_range(0..=max), rng.random_range(0..=max));
        random_exact += u64::from(is_exact(model, bits, a, b)?);
    }
    // Carry chains of every length: 2^k - 1 plus 1, plus itself, and a long
    // run of ones over zeros.
    let (mut chain_exact, mut chain_total) = (0_u64, 0_u64);
    for k in 1..=bits {
        let ones = u128::MAX >> (128 - k);
        for (a, b) in [
            (ones, 1),
            (1, ones),
            (ones, ones),
            (0, ones),
            (max, max >> k),
        ] {
            chain_exact += u64::from(is_exact(model, bits, a, b)?);
            chain_total += 1;
        }
    }
    writeln!(
        out,
        "{}/{} exact: {random_exact}/{random_total} random pairs of {bits}-bit operands, {chain_exact}/{chain_total} carry chains",
        random_exact + chain_exact,
        random_total + chain_total
    )?;
    Ok(())
}
