//! A small recurrent network whose shapes are checked by the compiler, trained
//! by backpropagation through time to add binary numbers of any width.
//!
//! The network is an Elman RNN without biases, every unit a sigmoid. The seed's
//! network, with 2 inputs, 16 hidden units and 1 output, is [`Rnn<2, 16, 1>`](Rnn):
//! its 2x16, 16x16 and 16x1 weights are nalgebra static matrices, so a
//! mis-shaped weight or input is a compile error, and the step runs on stack
//! arrays the compiler can unroll. [`DynRnn`] is the same code, [`Network`],
//! with sizes chosen at run time and checked by a [`Result`].
//!
//! # Quick start
//!
//! Train the seed's network on 10,000 random 8-bit sums, as the seed's program
//! does, then on until the verifier finds no wrong sum (a few seconds), and add
//! numbers far wider than any it saw:
//!
//! ```
//! use const_rnn::{train, BitWidth, AdderConfig};
//!
//! // The default recipe: the seed's training (8-bit sums, 10,000 samples, SGD at 0.1,
//! // seed 0), then verify-and-train rounds until the verifier finds no wrong sum.
//! let adder = train(&AdderConfig::default())?;
//! assert!(adder.verified().is_some());
//!
//! // Operands of any width from 1 to 128 bits, read least significant bit first.
//! assert_eq!(adder.add::<8>(200, 100)?, (44, true)); // 300 = 256 + 44, like u8::overflowing_add
//! let (a, b) = (0xDEAD_BEEF_0123_4567_u128, 0xFFFF_FFFF_FFFF_FFFF_u128);
//! assert_eq!(adder.add::<64>(a, b)?, (a + b - (1 << 64), true));
//! assert_eq!(adder.add::<128>(u128::MAX, 1)?, (0, true)); // the 129-bit sum 2^128
//! assert_eq!(adder.add_width(9, 3, 508)?, (511, false)); // the width chosen at run time
//!
//! // An operand too wide for its width is an error, never wrapped.
//! assert!(adder.add::<8>(256, 1).is_err());
//! assert_eq!(BitWidth::<4>::encode(5)?, [true, false, true, false]);
//! # Ok::<(), const_rnn::Error>(())
//! ```
//!
//! # Verification
//!
//! [`verify`] searches an adder for a wrong sum over a [`Coverage`]: every pair
//! of operands up to 12 bits, long runs of each input pair after short
//! prefixes, and random 128-bit pairs. It steps the network with the same code
//! as [`Adder::add`], so its verdict is about the function the adder computes.
//! It is a search, not a proof. [`train`] returns only adders it passes;
//! [`train_plain`] is the seed's recipe alone, unverified.
//!
//! # Proof
//!
//! [`prove`] proves that every output bit of an adder's network is right for
//! every input of every length (so every sum of every width is exact), or
//! finds a counterexample, or says honestly that its induction did not close.
//! A proof comes with a [`Certificate`] that [`check`] re-checks from the
//! network alone. [`train`] proves the adders it returns where it can, and
//! [`Adder::status`] says which are proven; [`Adder::add_big`] and
//! [`Adder::add_bits`] add operands of any length.
//!
//! ```
//! use const_rnn::{train, AdderConfig, BigUint, Status};
//!
//! let adder = train(&AdderConfig::default())?;
//! assert_eq!(adder.status(), Status::Proven);
//! let a = (BigUint::from(1_u8) << 10_000) - 1_u8; // 10,000 ones
//! assert_eq!(adder.add_big(&a, &BigUint::from(1_u8)), BigUint::from(1_u8) << 10_000);
//! # Ok::<(), const_rnn::Error>(())
//! ```
//!
//! # Without `std`
//!
//! With `default-features = false` the crate is `#![no_std]` and needs no
//! heap: [`Rnn`] (static sizes), its step, [`BitWidth`], [`Adder::add`] and
//! [`Adder::add_width`], and the `const fn` [`Rnn::from_columns`], which
//! builds a network as a constant. `const-rnn export --rust` writes a trained
//! model as such a constant ([`Adder::to_rust`]). Training, the verifier, the
//! prover and model files need the default `std` feature.
//!
//! ```
//! use const_rnn::{Adder, Rnn};
//!
//! // A toy with two hidden units, not an adder (tests/data/adder.rs is one):
//! // it writes 1 after a set input bit and 0 after (0, 0), so 1 + 0 comes out right.
//! const NET: Rnn<2, 2, 1> = match Rnn::<2, 2, 1>::from_columns(
//!     [[10.0, 10.0], [-10.0, -10.0]],
//!     [[0.0; 2]; 2],
//!     [[10.0, -10.0]],
//! ) {
//!     Some(net) => net,
//!     None => panic!("a weight is not finite"),
//! };
//! assert_eq!(Adder::new(NET).add::<1>(1, 0)?, (1, false));
//! # Ok::<(), const_rnn::Error>(())
//! ```
//!
//! # One training step, by hand
//!
//! [`SequenceTrainer`] does this for any sequences of inputs and targets,
//! and [`AdderTrainer`] for the addition task; the pieces are public:
//! [`Network::backprop`] runs forward and backward through time into a
//! reusable [`Workspace`] (no allocation once it is made), and an
//! [`Optimizer`] ([`Sgd`], [`Momentum`], [`Adam`] or one of your own) applies
//! the gradients.
//!
//! ```
//! use const_rnn::{Optimizer, Rnn, Sgd, Workspace};
//! use nalgebra::{Vector1, Vector2};
//!
//! let mut net = Rnn::<2, 16, 1>::from_seed(0);
//! let mut workspace = Workspace::new(&net, 3);
//! // 3 + 1 = 4, least significant bit first: inputs (1,1) (1,0) (0,0), sum bits 0 0 1.
//! let inputs = [Vector2::new(1.0, 1.0), Vector2::new(1.0, 0.0), Vector2::new(0.0, 0.0)];
//! let targets = [Vector1::new(0.0), Vector1::new(0.0), Vector1::new(1.0)];
//! let mut sgd = Sgd::new(0.1)?;
//! let first = net.backprop(&inputs, &targets, &mut workspace)?;
//! for _ in 0..100 {
//!     net.backprop(&inputs, &targets, &mut workspace)?;
//!     sgd.update(&mut net, workspace.gradients())?;
//! }
//! assert!(net.backprop(&inputs, &targets, &mut workspace)? < first);
//! # Ok::<(), const_rnn::Error>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// Inference: the network, its step and the adder, with no heap and no `std`.
mod adder;
mod bits;
mod error;
pub mod math;
mod network;

// Everything else needs `std`: training, the verifier, the prover, files.
#[cfg(feature = "std")]
mod adder_trainer;
#[cfg(feature = "std")]
mod bptt;
#[cfg(feature = "std")]
mod certificate;
#[cfg(feature = "std")]
mod counterexample;
#[cfg(feature = "std")]
mod export;
#[cfg(feature = "std")]
mod files;
#[cfg(feature = "std")]
mod lanes;
#[cfg(feature = "std")]
mod model_file;
#[cfg(feature = "std")]
mod optim;
#[cfg(feature = "std")]
mod prove;
#[cfg(feature = "std")]
mod recipe;
#[cfg(feature = "std")]
mod report;
#[cfg(feature = "std")]
mod train;
#[cfg(feature = "std")]
mod verify;

pub use adder::{Adder, SMALLEST_ADDER_HIDDEN};
#[cfg(feature = "std")]
pub use adder::{Status, TraceStep};
#[cfg(feature = "std")]
pub use adder_trainer::{AdderConfig, AdderSample, AdderTrainer, ROUND_SAMPLES};
pub use bits::BitWidth;
#[cfg(feature = "std")]
pub use bptt::{Gradients, Workspace};
#[cfg(feature = "std")]
pub use certificate::{
    CERTIFICATE_FORMAT_VERSION, Cell, Certificate, CheckReport, MAX_HISTORY, MAX_SPLITS, MAX_STEPS,
    ProofConfig,
};
#[cfg(feature = "std")]
pub use counterexample::{Counterexample, decimal_sum};
pub use error::Error;
#[cfg(feature = "std")]
pub use model_file::{MODEL_FORMAT_VERSION, TrainingRecord, VerifiedRecord};
#[cfg(feature = "std")]
pub use network::{DynRnn, Init};
pub use network::{Network, Real, Rnn, RnnAllocator};
/// Integers of any size, from `num-bigint`, for [`Adder::add_big`].
#[cfg(feature = "std")]
pub use num_bigint::BigUint;
#[cfg(feature = "std")]
pub use optim::{Adam, Momentum, Optimizer, OptimizerKind, Sgd};
#[cfg(feature = "std")]
pub use prove::{EXP_RELATIVE_ERROR, NotProven, OUTPUT_THRESHOLD, Proven, Verdict, check, prove};
#[cfg(feature = "std")]
pub use recipe::{SMALLEST_PROVEN_HIDDEN, train, train_plain};
#[cfg(feature = "std")]
pub use report::{Counts, Coverage, Report};
#[cfg(feature = "std")]
pub use train::SequenceTrainer;
#[cfg(feature = "std")]
pub use verify::verify;

/// The README's examples, run as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
