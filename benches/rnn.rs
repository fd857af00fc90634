//! Static against dynamic sizes, each static case next to its dynamic twin:
//!
//! - `train/hidden`: one training sample (forward, BPTT, SGD update) of 8-bit sums,
//!   for hidden sizes 2 to 128;
//! - `infer/hidden`: one addition of two 7-bit operands (8 steps, as the seed's
//!   8-bit sums), for the same hidden sizes;
//! - `train/sum_bits`: one training sample at hidden 16 for 8-, 32- and 128-bit sums;
//! - `infer/sum_bits`: one addition at hidden 16 of 8, 32 and 128 steps (7-, 31- and
//!   127-bit operands, like the training sums);
//! - `train/f32` and `train/f64`: the scalar types at hidden 16 and 64;
//! - `step/scalar` and `step/lanes`: network steps per second at hidden 16, one
//!   sequence at a time (`Adder::add` of 128-bit operands: 129 steps a sum) against
//!   four at a time (the verifier's random 128-bit pairs, stepped as lanes);
//! - `exp/crate` and `exp/libm`: the crate's `exp` against the platform's, over 1,024
//!   arguments in `[-40, 40]`.
//!
//! `cargo bench --bench rnn` runs them all (a few minutes);
//! `python3 benches/report.py` turns the results into the tables of
//! `docs/performance.md`, and `cargo run --release --example bench_plot` draws
//! `docs/static_vs_dynamic.svg`.

use std::hint::black_box;
use std::time::Duration;

use const_rnn::{
    Adder, AdderConfig, AdderTrainer, BitWidth, DynRnn, Network, Real, Rnn, RnnAllocator,
};
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use nalgebra::{DefaultAllocator, Dim, U1, U2};

/// Benchmarks one training sample of `network` as `name/parameter`.
fn bench_training<I: Dim, H: Dim, O: Dim, T: Real>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    parameter: usize,
    network: Network<I, H, O, T>,
    config: &AdderConfig,
) where
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    let mut trainer = AdderTrainer::new(network, config).expect("valid benchmark settings");
    group.bench_function(BenchmarkId::new(name, parameter), |b| {
        b.iter(|| black_box(trainer.train_sample().expect("finite loss")))
    });
}

/// Benchmarks one addition of two `W`-bit operands (`W + 1` steps) by `network`,
/// as `name/parameter`. An adder's inputs and output are 2 and 1 by type, so
/// a dynamic network is benchmarked with its hidden size dynamic.
fn bench_inference<const W: usize, I: Dim, H: Dim, O: Dim>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    parameter: usize,
    network: Network<I, H, O, f64>,
) where
    DefaultAllocator: RnnAllocator<I, H, O> + RnnAllocator<U2, H, U1>,
{
    let adder: Adder<H> = Adder::from_network(&network).expect("2 inputs, 1 output");
    let mut operands = (0_u128, 0_u128);
    group.bench_function(BenchmarkId::new(name, parameter), |b| {
        b.iter(|| {
            // Vary the operands cheaply, so that no two calls read the same bits.
            operands = (
                operands.0.wrapping_mul(5).wrapping_add(37) & BitWidth::<W>::MAX,
                operands.1.wrapping_add(91) & BitWidth::<W>::MAX,
            );
            black_box(
                adder
                    .add::<W>(operands.0, operands.1)
                    .expect("W-bit operands"),
            )
        })
    });
}

fn configured<'a>(c: &'a mut Criterion, group: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(group);
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group
}

fn hidden_sizes(c: &mut Criterion) {
    let config = AdderConfig::default();
    let mut train = configured(c, "train/hidden");
    macro_rules! train_at {
        ($($h:literal)*) => {$(
            bench_training(&mut train, "static", $h, Rnn::<2, $h, 1>::from_seed(0), &config);
            bench_training(&mut train, "dynamic", $h, DynRnn::<f64>::from_seed(2, $h, 1, 0).unwrap(), &config);
        )*};
    }
    train_at!(2 4 8 16 32 64 128);
    train.finish();

    let mut infer = configured(c, "infer/hidden");
    macro_rules! infer_at {
        ($($h:literal)*) => {$(
            bench_inference::<7, _, _, _>(&mut infer, "static", $h, Rnn::<2, $h, 1>::from_seed(0));
            let dynamic = DynRnn::<f64>::from_seed(2, $h, 1, 0).unwrap();
            bench_inference::<7, _, _, _>(&mut infer, "dynamic", $h, dynamic);
        )*};
    }
    infer_at!(2 4 8 16 32 64 128);
    infer.finish();
}

fn sum_widths(c: &mut Criterion) {
    let mut group = configured(c, "train/sum_bits");
    for sum_bits in [8, 32, 128] {
        let config = AdderConfig {
            sum_bits,
            ..AdderConfig::default()
        };
        bench_training(
            &mut group,
            "static",
            sum_bits,
            Rnn::<2, 16, 1>::from_seed(0),
            &config,
        );
        let dynamic = DynRnn::<f64>::from_seed(2, 16, 1, 0).unwrap();
        bench_training(&mut group, "dynamic", sum_bits, dynamic, &config);
    }
    group.finish();

    let mut group = configured(c, "infer/sum_bits");
    macro_rules! infer_width {
        ($($width:literal)*) => {$(
            bench_inference::<$width, _, _, _>(&mut group, "static", $width + 1, Rnn::<2, 16, 1>::from_seed(0));
            let dynamic = DynRnn::<f64>::from_seed(2, 16, 1, 0).unwrap();
            bench_inference::<$width, _, _, _>(&mut group, "dynamic", $width + 1, dynamic);
        )*};
    }
    infer_width!(7 31 127);
    group.finish();
}

fn scalar_types(c: &mut Criterion) {
    let config = AdderConfig::default();
    macro_rules! scalar {
        ($t:ty, $name:literal) => {
            let mut group = configured(c, $name);
            bench_training(
                &mut group,
                "static",
                16,
                Rnn::<2, 16, 1, $t>::from_seed(0),
                &config,
            );
            bench_training(
                &mut group,
                "dynamic",
                16,
                DynRnn::<$t>::from_seed(2, 16, 1, 0).unwrap(),
                &config,
            );
            bench_training(
                &mut group,
                "static",
                64,
                Rnn::<2, 64, 1, $t>::from_seed(0),
                &config,
            );
            bench_training(
                &mut group,
                "dynamic",
                64,
                DynRnn::<$t>::from_seed(2, 64, 1, 0).unwrap(),
                &config,
            );
            group.finish();
        };
    }
    scalar!(f32, "train/f32");
    scalar!(f64, "train/f64");
}

/// Steps per second, one sequence at a time against the verifier's lanes.
fn stepping(c: &mut Criterion) {
    // The default adder: every sum right, so every lane steps to the carry-out.
    let adder = const_rnn::train(&AdderConfig::default()).unwrap();
    let pairs: Vec<(u128, u128)> = (0..64_u128)
        .map(|i| {
            (
                i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835),
                !i << 3,
            )
        })
        .collect();
    let mut group = c.benchmark_group("step");
    group.throughput(criterion::Throughput::Elements(64 * 129));
    group.bench_function("scalar", |b| {
        b.iter(|| {
            for &(a, x) in &pairs {
                black_box(adder.add::<128>(black_box(a), black_box(x)).unwrap());
            }
        });
    });
    // The verifier's random part alone: 64 pairs of 128-bit operands, four at a
    // time, on one thread.
    let coverage = const_rnn::Coverage {
        exhaustive_bits: 0,
        run_prefix_pairs: 0,
        run_suffix_pairs: 0,
        max_bits: 128,
        random_pairs: 64,
        seed: 0,
    };
    let steps = const_rnn::verify(&adder, &coverage).unwrap().counts.steps;
    group.throughput(criterion::Throughput::Elements(steps));
    group.bench_function("lanes", |b| {
        b.iter(|| black_box(const_rnn::verify(&adder, &coverage).unwrap()));
    });
    group.finish();

    let xs: Vec<f64> = (0..1024).map(|i| f64::from(i - 512) * 0.078).collect();
    let mut group = c.benchmark_group("exp");
    group.throughput(criterion::Throughput::Elements(1024));
    group.bench_function("crate", |b| {
        b.iter(|| {
            xs.iter()
                .map(|&x| const_rnn::math::exp(black_box(x)))
                .sum::<f64>()
        });
    });
    group.bench_function("libm", |b| {
        b.iter(|| xs.iter().map(|&x| black_box(x).exp()).sum::<f64>());
    });
    group.finish();
}

criterion_group!(benches, hidden_sizes, sum_widths, scalar_types, stepping);
criterion_main!(benches);
