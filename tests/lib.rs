//! The integration tests, one binary: each module tests one part of the crate.

mod adder;
mod alloc;
mod bits;
mod cli;
mod determinism;
mod errors;
mod gradient;
mod static_dynamic;
