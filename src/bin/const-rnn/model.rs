//! Adders of every hidden size behind one type: static sizes where the crate
//! instantiates them, `DynRnn` elsewhere.

use std::path::Path;

use const_rnn::{
    Adder, AdderConfig, BigUint, Certificate, CheckReport, Coverage, DynRnn, Error, Network,
    ProofConfig, Report, RnnAllocator, TraceStep, TrainingRecord, Verdict, check, prove, verify,
};
use nalgebra::{DefaultAllocator, Dim, Dyn, U1, U2, U4, U8, U16, U32, U64};

/// Hidden sizes that run on `Rnn<2, H, 1>`, with sizes fixed at compile time.
pub const STATIC_HIDDEN: [usize; 6] = [2, 4, 8, 16, 32, 64];

/// What the program does with an adder, whatever its hidden size.
pub trait Model {
    /// [`Adder::add_width`].
    fn add_width(&self, width: usize, a: u128, b: u128) -> Result<(u128, bool), Error>;
    /// [`verify`] on this adder.
    fn verify(&self, coverage: &Coverage) -> Result<Report, Error>;
    /// [`Adder::add_big`].
    fn add_big(&self, a: &BigUint, b: &BigUint) -> BigUint;
    /// [`Adder::proof`].
    fn proof(&self) -> Option<&Certificate>;
    /// [`prove`] on this adder.
    fn prove(&self, config: &ProofConfig) -> Result<Verdict, Error>;
    /// [`check`] of `certificate` against this adder.
    fn check(&self, certificate: &Certificate) -> Result<CheckReport, Error>;
    /// [`Adder::trace`].
    fn trace(&self, width: usize, a: u128, b: u128) -> Result<Vec<TraceStep<f64>>, Error>;
    /// [`Adder::verified`].
    fn verified(&self) -> Option<&Report>;
    /// [`Adder::samples`].
    fn samples(&self) -> usize;
    /// [`Adder::restarts`].
    fn restarts(&self) -> usize;
    /// [`Adder::unproven`].
    fn unproven(&self) -> Option<&str>;
    /// Saves the network with the record of its training by `config` and `recipe`.
    fn save(&self, path: &Path, recipe: &str, config: &AdderConfig) -> Result<(), Error>;
    /// The network's type, as a reader would write it.
    fn describe(&self) -> String;
    /// [`Adder::to_rust`].
    fn to_rust(&self, name: &str) -> Result<String, Error>;
}

impl<H: Dim> Model for Adder<H>
where
    DefaultAllocator: RnnAllocator<U2, H, U1>,
    Network<U2, H, U1>: Sync,
{
    fn add_width(&self, width: usize, a: u128, b: u128) -> Result<(u128, bool), Error> {
        Adder::add_width(self, width, a, b)
    }

    fn verify(&self, coverage: &Coverage) -> Result<Report, Error> {
        verify(self, coverage)
    }

    fn add_big(&self, a: &BigUint, b: &BigUint) -> BigUint {
        Adder::add_big(self, a, b)
    }

    fn proof(&self) -> Option<&Certificate> {
        Adder::proof(self)
    }

    fn prove(&self, config: &ProofConfig) -> Result<Verdict, Error> {
        prove(self, config)
    }

    fn check(&self, certificate: &Certificate) -> Result<CheckReport, Error> {
        check(self, certificate)
    }

    fn trace(&self, width: usize, a: u128, b: u128) -> Result<Vec<TraceStep<f64>>, Error> {
        Adder::trace(self, width, a, b)
    }

    fn verified(&self) -> Option<&Report> {
        Adder::verified(self)
    }

    fn samples(&self) -> usize {
        Adder::samples(self)
    }

    fn restarts(&self) -> usize {
        Adder::restarts(self)
    }

    fn unproven(&self) -> Option<&str> {
        Adder::unproven(self)
    }

    fn save(&self, path: &Path, recipe: &str, config: &AdderConfig) -> Result<(), Error> {
        let record = TrainingRecord::new(recipe, config, self);
        self.network().save(path, Some(&record))
    }

    fn describe(&self) -> String {
        describe(H::try_to_usize().is_some(), self.network().hidden())
    }

    fn to_rust(&self, name: &str) -> Result<String, Error> {
        Adder::to_rust(self, name)
    }
}

/// `Rnn<2, H, 1>` for a static hidden size, `DynRnn (2, H, 1)` otherwise.
pub fn describe(fixed: bool, hidden: usize) -> String {
    if fixed {
        format!("Rnn<2, {hidden}, 1> (sizes fixed at compile time)")
    } else {
        format!("DynRnn of 2x{hidden}x1 (sizes chosen at run time)")
    }
}

/// The adder of `network`, on the static type when its hidden size is one
/// of [`STATIC_HIDDEN`]: the type it was trained and verified as; proven if
/// `proof` is given and holds.
pub fn from_dynamic(network: &DynRnn, proof: Option<Certificate>) -> Result<Box<dyn Model>, Error> {
    fn adder<H: Dim>(network: &DynRnn, proof: Option<Certificate>) -> Result<Box<dyn Model>, Error>
    where
        DefaultAllocator: RnnAllocator<U2, H, U1>,
        Network<U2, H, U1>: Sync,
    {
        let adder: Adder<H> = Adder::new(network.reshape()?);
        Ok(match proof {
            Some(certificate) => Box::new(adder.with_proof(certificate)?),
            None => Box::new(adder),
        })
    }
    match network.hidden() {
        2 => adder::<U2>(network, proof),
        4 => adder::<U4>(network, proof),
        8 => adder::<U8>(network, proof),
        16 => adder::<U16>(network, proof),
        32 => adder::<U32>(network, proof),
        64 => adder::<U64>(network, proof),
        _ => adder::<Dyn>(network, proof),
    }
}

/// The adder saved in the model file `path`, proven if the file holds a
/// certificate that holds.
pub fn load(path: &Path) -> Result<Box<dyn Model>, Error> {
    let (network, training) = DynRnn::<f64>::load(path)?;
    from_dynamic(&network, training.and_then(|record| record.proof))
}

/// Calls `$run(network, $args...)` with a network of `$hidden` units drawn
/// from `$seed` by `$init`: `Rnn<2, H, 1>` for the hidden sizes of
/// [`$crate::model::STATIC_HIDDEN`], whose sizes are fixed at compile time, `DynRnn` otherwise.
macro_rules! with_network {
    ($hidden:expr, $seed:expr, $init:expr, $run:ident($($arg:expr),*)) => {{
        const _: () = assert!(matches!($crate::model::STATIC_HIDDEN, [2, 4, 8, 16, 32, 64]));
        match $hidden {
            2 => $run(::const_rnn::Rnn::<2, 2, 1>::from_seed_with($seed, $init), $($arg),*),
            4 => $run(::const_rnn::Rnn::<2, 4, 1>::from_seed_with($seed, $init), $($arg),*),
            8 => $run(::const_rnn::Rnn::<2, 8, 1>::from_seed_with($seed, $init), $($arg),*),
            16 => $run(::const_rnn::Rnn::<2, 16, 1>::from_seed_with($seed, $init), $($arg),*),
            32 => $run(::const_rnn::Rnn::<2, 32, 1>::from_seed_with($seed, $init), $($arg),*),
            64 => $run(::const_rnn::Rnn::<2, 64, 1>::from_seed_with($seed, $init), $($arg),*),
            hidden => $run(::const_rnn::DynRnn::<f64>::from_seed_with(2, hidden, 1, $seed, $init)?, $($arg),*),
        }
    }};
}
pub(crate) use with_network;
