//! How many seeds give an exact adder with the seed's recipe alone (no verifier;
//! `const-rnn seeds` runs the default recipe)? Trains the seed's network once per seed
//! and checks every operand pair of the trained width.
//!
//! `cargo run --release --example seeds -- [SEEDS] [WIDTH] [SAMPLES]` trains
//! seeds `0..SEEDS` (default 20) with `WIDTH`-bit operands (default 7: the
//! seed's 8-bit sums) on `SAMPLES` samples (default 10,000) and counts, per seed, the exact sums over all operand pairs of
//! that width (for widths above 8, 65,536 random pairs of that width instead)
//! and over 1,000 random 64-bit pairs, and whether it adds the 128-bit carry
//! chains (all ones + 1, all ones + all ones, alternating bits, 0 + all ones).

use const_rnn::{Adder, AdderConfig, Error, train_plain};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seeds: u64 = args.next().map_or(Ok(20), |s| s.parse())?;
    let width: usize = args.next().map_or(Ok(7), |s| s.parse())?;
    let samples: usize = args.next().map_or(Ok(10_000), |s| s.parse())?;
    if !(1..=63).contains(&width) {
        return Err("WIDTH must be from 1 to 63".into());
    }
    let (mut exact_seeds, mut chain_seeds) = (0, 0);
    for seed in 0..seeds {
        let config = AdderConfig {
            seed,
            samples,
            ..AdderConfig::for_width(width)
        };
        let adder = train_plain(&config)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let max = (1_u128 << width) - 1;
        let pairs: Vec<(u128, u128)> = if width <= 8 {
            (0..=max)
                .flat_map(|a| (0..=max).map(move |b| (a, b)))
                .collect()
        } else {
            (0..65_536)
                .map(|_| (rng.random_range(0..=max), rng.random_range(0..=max)))
                .collect()
        };
        let mut exact = 0;
        for &(a, b) in &pairs {
            exact += usize::from(full_sum(&adder, width, a, b)? == a + b);
        }
        let mut exact_64 = 0;
        for _ in 0..1000 {
            let (a, b) = (rng.random::<u64>(), rng.random::<u64>());
            let (low, carry) = a.overflowing_add(b);
            exact_64 += usize::from(adder.add::<64>(a.into(), b.into())? == (low.into(), carry));
        }
        let all = exact == pairs.len();
        exact_seeds += usize::from(all);
        let chains = carry_chains_exact(&adder)?;
        chain_seeds += usize::from(chains == CHAINS.len());
        println!(
            "seed {seed:3}: {exact}/{} exact at width {width}, {exact_64}/1000 random 64-bit pairs exact, \
             {chains}/{} 128-bit carry chains exact{}",
            pairs.len(),
            CHAINS.len(),
            if all { "" } else { "  <- not an exact adder" }
        );
    }
    println!("{exact_seeds} of {seeds} seeds give an exact adder at width {width}");
    println!("{chain_seeds} of {seeds} seeds add every 128-bit carry chain exactly");
    Ok(())
}

const ONES: u128 = u128::MAX;
const ALTERNATING: u128 = u128::MAX / 3;
/// Operand pairs whose sums carry (or must not carry) across all 128 bits.
const CHAINS: [(u128, u128); 6] = [
    (ONES, 1),
    (ONES, ONES),
    (ALTERNATING, !ALTERNATING),
    (ALTERNATING, ALTERNATING),
    (0, ONES),
    (ONES, 0),
];

/// How many of `CHAINS` the adder sums exactly at width 128.
fn carry_chains_exact(adder: &Adder) -> Result<usize, Error> {
    let mut exact = 0;
    for (a, b) in CHAINS {
        exact += usize::from(adder.add::<128>(a, b)? == a.overflowing_add(b));
    }
    Ok(exact)
}

/// The network's sum of `a` and `b` as `width`-bit operands, carry included.
fn full_sum(adder: &Adder, width: usize, a: u128, b: u128) -> Result<u128, Error> {
    // `add` takes its width as a const parameter: dispatch the widths this example allows.
    macro_rules! at_width {
        ($($n:literal)*) => {
            match width {
                $($n => adder.add::<$n>(a, b).map(|(low, carry)| low | (u128::from(carry) << $n)),)*
                _ => unreachable!("width checked in main"),
            }
        };
    }
    at_width!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32
              33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63)
}
