//! A yardstick for the library's speed: the seed's training written once more
//! without nalgebra, as plain loops over flat `Vec<f64>`s, run with the hidden
//! size known at compile time and with it known only at run time.
//!
//! `cargo run --release --example plain_arrays -- [REPETITIONS]` times the
//! seed's training (2-16-1, f64, 8-bit sums, 10,000 samples, seed 0) four
//! ways in one process, alternating them, and prints the median of
//! `REPETITIONS` runs (default 15) of each:
//!
//! - the library's `Rnn<2, 16, 1>` and `DynRnn`, as `const-rnn bench` does;
//! - the plain loops with the hidden size a constant (`Fixed<16>`) and a run
//!   time value (`Runtime(16)`).
//!
//! The plain loops read the same operands as the library's `AdderTrainer` and start
//! from the same weights. `cargo test --example plain_arrays` checks that they
//! end with the library's weights, to within rounding: the sums are taken in
//! another order, so the last bits differ.
//!
//! The answer it gives: how much of the library's time is nalgebra's
//! generality, and how much static sizes can gain over dynamic ones when
//! nothing else differs.

use std::hint::black_box;
use std::time::Instant;

use const_rnn::{AdderConfig, AdderTrainer, DynRnn, Rnn};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// A hidden size: a compile-time constant or a run-time value.
trait Size: Copy {
    fn get(self) -> usize;
}

/// A size the compiler knows.
#[derive(Clone, Copy)]
struct Fixed<const N: usize>;

impl<const N: usize> Size for Fixed<N> {
    #[inline(always)]
    fn get(self) -> usize {
        N
    }
}

/// A size known only at run time.
#[derive(Clone, Copy)]
struct Runtime(usize);

impl Size for Runtime {
    #[inline(always)]
    fn get(self) -> usize {
        self.0
    }
}

/// The seed's 2-H-1 network in nalgebra's column-major layout:
/// `w_ih[i + 2 j]`, `w_hh[i + H j]` (from unit `i` to unit `j`), `w_ho[j]`.
#[derive(Clone, Debug, PartialEq)]
struct Weights {
    w_ih: Vec<f64>,
    w_hh: Vec<f64>,
    w_ho: Vec<f64>,
}

impl Weights {
    fn of(network: &Rnn<2, 16, 1>) -> Self {
        Weights {
            w_ih: network.w_ih().as_slice().to_vec(),
            w_hh: network.w_hh().as_slice().to_vec(),
            w_ho: network.w_ho().as_slice().to_vec(),
        }
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Trains `weights` on `config.samples` samples, drawing operands as the
/// library's `AdderTrainer` does; per-sample SGD with BPTT, as in the seed.
fn train_plain<S: Size>(size: S, weights: &mut Weights, config: &AdderConfig) {
    let h = size.get();
    let steps = config.sum_bits;
    let max = (1_u128 << (steps - 1)) - 1;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    rng.set_stream(1);
    // Row t of `hidden` is h_t; h_0 stays zero.
    let mut hidden = vec![0.0; (steps + 1) * h];
    let mut outputs = vec![0.0; steps];
    let (mut delta, mut delta_next) = (vec![0.0; h], vec![0.0; h]);
    let (mut g_ih, mut g_hh, mut g_ho) = (vec![0.0; 2 * h], vec![0.0; h * h], vec![0.0; h]);
    let Weights { w_ih, w_hh, w_ho } = weights;
    let bit = |value: u128, step: usize| ((value >> step) & 1) as f64;

    for _ in 0..config.samples {
        let a = rng.random_range(0..=max);
        let b = rng.random_range(0..=max);
        let sum = a + b;

        for t in 0..steps {
            let (x0, x1) = (bit(a, t), bit(b, t));
            let (before, after) = hidden.split_at_mut((t + 1) * h);
            let previous = &before[t * h..];
            let current = &mut after[..h];
            for (j, (unit, column)) in current.iter_mut().zip(w_hh.chunks_exact(h)).enumerate() {
                let recurrent: f64 = column.iter().zip(previous).map(|(w, p)| w * p).sum();
                *unit = sigmoid(recurrent + x0 * w_ih[2 * j] + x1 * w_ih[2 * j + 1]);
            }
            let output: f64 = current.iter().zip(w_ho.iter()).map(|(u, w)| u * w).sum();
            outputs[t] = sigmoid(output);
        }

        g_ih.fill(0.0);
        g_hh.fill(0.0);
        g_ho.fill(0.0);
        delta_next.fill(0.0);
        for t in (0..steps).rev() {
            let (o, y) = (outputs[t], bit(sum, t));
            let delta_output = (o - y) * o * (1.0 - o);
            let (previous, current) = (
                &hidden[t * h..(t + 1) * h],
                &hidden[(t + 1) * h..(t + 2) * h],
            );
            // d_h = (W_hh d_next + W_ho d_o) h (1 - h), column by column.
            for (d, w) in delta.iter_mut().zip(w_ho.iter()) {
                *d = w * delta_output;
            }
            for (column, &d_next) in w_hh.chunks_exact(h).zip(&delta_next) {
                for (d, w) in delta.iter_mut().zip(column) {
                    *d += w * d_next;
                }
            }
            for (d, u) in delta.iter_mut().zip(current) {
                *d *= u * (1.0 - u);
            }
            for (g, u) in g_ho.iter_mut().zip(current) {
                *g += u * delta_output;
            }
            for (column, &d) in g_hh.chunks_exact_mut(h).zip(&delta) {
                for (g, p) in column.iter_mut().zip(previous) {
                    *g += p * d;
                }
            }
            let (x0, x1) = (bit(a, t), bit(b, t));
            for (pair, &d) in g_ih.chunks_exact_mut(2).zip(&delta) {
                pair[0] += x0 * d;
                pair[1] += x1 * d;
            }
            std::mem::swap(&mut delta, &mut delta_next);
        }

        let rate = config.learning_rate;
        for (weights, gradients) in [
            (&mut *w_ih, &g_ih),
            (&mut *w_hh, &g_hh),
            (&mut *w_ho, &g_ho),
        ] {
            for (w, g) in weights.iter_mut().zip(gradients) {
                *w -= rate * g;
            }
        }
    }
}

/// Microseconds per sample of `run`, which trains on `samples` samples.
fn time(samples: usize, run: impl FnOnce()) -> f64 {
    let start = Instant::now();
    run();
    start.elapsed().as_secs_f64() * 1e6 / samples as f64
}

fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let repetitions: usize = std::env::args().nth(1).map_or(Ok(15), |s| s.parse())?;
    if repetitions == 0 {
        return Err("REPETITIONS must be at least 1".into());
    }
    let config = AdderConfig::default();
    let start = Weights::of(&Rnn::<2, 16, 1>::from_seed(config.seed));
    let mut times = [(); 4].map(|()| Vec::with_capacity(repetitions));
    for _ in 0..repetitions {
        times[0].push(time(config.samples, || {
            let mut trainer = AdderTrainer::new(Rnn::<2, 16, 1>::from_seed(config.seed), &config)
                .expect("the seed's settings are valid");
            for _ in 0..config.samples {
                black_box(trainer.train_sample().expect("training is finite"));
            }
        }));
        times[1].push(time(config.samples, || {
            let network =
                DynRnn::<f64>::from_seed(2, 16, 1, config.seed).expect("sizes are positive");
            let mut trainer =
                AdderTrainer::new(network, &config).expect("the seed's settings are valid");
            for _ in 0..config.samples {
                black_box(trainer.train_sample().expect("training is finite"));
            }
        }));
        times[2].push(time(config.samples, || {
            let mut weights = start.clone();
            train_plain(Fixed::<16>, &mut weights, &config);
            black_box(weights);
        }));
        times[3].push(time(config.samples, || {
            let mut weights = start.clone();
            train_plain(Runtime(black_box(16)), &mut weights, &config);
            black_box(weights);
        }));
    }
    let [library_static, library_dynamic, plain_static, plain_dynamic] =
        times.map(|mut t| median(&mut t));
    println!(
        "seed's training, 2-16-1 f64, 8-bit sums, median of {repetitions} runs of {} samples",
        config.samples
    );
    println!("library Rnn<2, 16, 1>   {library_static:.3} us/sample");
    println!("library DynRnn          {library_dynamic:.3} us/sample");
    println!("plain loops, Fixed<16>  {plain_static:.3} us/sample");
    println!("plain loops, Runtime    {plain_dynamic:.3} us/sample");
    println!(
        "dynamic/static: library {:.2}, plain loops {:.2}",
        library_dynamic / library_static,
        plain_dynamic / plain_static
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain loops train the library's network: the same weights after
    /// 1,000 samples, to within 1e-12 (the sums are taken in another order,
    /// so the last bits differ; after 1,000 samples they differ by about 1e-15).
    #[test]
    fn plain_loops_train_like_the_library() {
        let config = AdderConfig {
            samples: 1_000,
            ..AdderConfig::default()
        };
        let network = Rnn::<2, 16, 1>::from_seed(config.seed);
        let mut fixed = Weights::of(&network);
        let mut runtime = fixed.clone();
        let mut trainer = AdderTrainer::new(network, &config).unwrap();
        for _ in 0..config.samples {
            trainer.train_sample().unwrap();
        }
        let library = Weights::of(trainer.network());

        train_plain(Fixed::<16>, &mut fixed, &config);
        train_plain(Runtime(16), &mut runtime, &config);
        assert_eq!(
            fixed, runtime,
            "the same loops give the same bits at either size"
        );
        for (name, plain, library) in [
            ("w_ih", &fixed.w_ih, &library.w_ih),
            ("w_hh", &fixed.w_hh, &library.w_hh),
            ("w_ho", &fixed.w_ho, &library.w_ho),
        ] {
            for (k, (p, l)) in plain.iter().zip(library).enumerate() {
                assert!(
                    (p - l).abs() <= 1e-12,
                    "{name}[{k}]: plain {p} against library {l}"
                );
            }
        }
    }
}
