//! The integration tests, one binary: each module tests one part of the crate.

mod adder;
mod alloc;
mod bits;
mod cli;
mod determinism;
mod errors;
mod export;
mod gradient;
mod math;
mod model_file;
mod optim;
mod prove;
mod robustness;
mod static_dynamic;
mod verify;

use const_rnn::{Network, Real, RnnAllocator};
use nalgebra::{DefaultAllocator, Dim};

/// The bit patterns of a slice of f32 or f64, so that `assert_eq!` is bitwise.
fn bits<T: Real + Into<f64>>(values: &[T]) -> Vec<u64> {
    values.iter().map(|v| (*v).into().to_bits()).collect()
}

/// The bit patterns of all of a network's weights, `W_ih` then `W_hh` then `W_ho`.
fn weight_bits<T: Real + Into<f64>, I: Dim, H: Dim, O: Dim>(net: &Network<I, H, O, T>) -> Vec<u64>
where
    DefaultAllocator: RnnAllocator<I, H, O>,
{
    bits(
        &[
            net.w_ih().as_slice(),
            net.w_hh().as_slice(),
            net.w_ho().as_slice(),
        ]
        .concat(),
    )
}
